/*
 * Tests for src/mail/html.c:
 *   bool mail_html_to_text(const char *html, size_t len, struct pv_buf *out);
 *   char *mail_html_meta_charset(const char *html, size_t len);
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <popview/util.h>

#include <popview/mail.h>

static char *to_text(const char *html)
{
    struct pv_buf out;
    pv_buf_init(&out, 0);
    ck_assert(mail_html_to_text(html, html ? strlen(html) : 0, &out));
    return pv_buf_steal(&out, NULL);
}

/* ---- mail_html_to_text ---- */

START_TEST(to_text_null_and_empty)
{
    char *t = to_text(NULL);
    ck_assert_str_eq(t, "");
    free(t);
    t = to_text("");
    ck_assert_str_eq(t, "");
    free(t);
    t = to_text("<html><head><title>x</title></head><body></body></html>");
    ck_assert_str_eq(t, "");
    free(t);
}
END_TEST

static const struct {
    const char *html;
    const char *text;
} html_cases[] = {
    {"plain", "plain\n"},
    {"  a \n\t b  ", "a b\n"},
    {"<p>one</p><p>two</p>", "one\n\ntwo\n"},
    {"<div>a</div><div>b</div>", "a\nb\n"},
    {"a<br>b<br/>c<BR >d", "a\nb\nc\nd\n"},
    {"a<br><br>b", "a\n\nb\n"},
    {"<h1>Title</h1>text", "Title\n\ntext\n"},
    {"<ul><li>x</li><li>y</li></ul>after", "\u2022 x\n\u2022 y\n\nafter\n"},
    {"<ol><li>x<li>y</ol>", "1. x\n2. y\n"},
    {"<ul><li>a<ul><li>b</li></ul></li></ul>", "\u2022 a\n  \u2022 b\n"},
    {"<pre>  keep\n    this  </pre>x", "  keep\n    this  \n\nx\n"},
    {"<pre>\nfirst</pre>", "first\n"},
    {"<blockquote>quoted<br>two</blockquote>me", "> quoted\n> two\n\nme\n"},
    {"<head><title>T</title><style>p{color:red}</style></head><body>Hi</body>", "Hi\n"},
    {"<script>if (a < b) document.write('<p>x</p>');</script>ok", "ok\n"},
    {"<SCRIPT>x</scriptx></SCRIPT >ok", "ok\n"},
    {"<style>never closed", ""},
    {"a<!-- <p>hidden</p> -->b", "ab\n"},
    {"a<!---->b<!-->c", "abc\n"},
    {"<!DOCTYPE html><?xml x?>t", "t\n"},
    {"&amp; &lt; &gt; &quot; &apos; &nbsp;|", "& < > \" '  |\n"},
    {"x&nbsp;&nbsp;y", "x  y\n"},
    {"&mdash;&hellip;&copy;&eacute;&Eacute;&euro;", "\u2014\u2026\u00a9\u00e9\u00c9\u20ac\n"},
    {"&#65;&#x42;&#X43;&#233;", "ABC\u00e9\n"},
    {"&#0;&#xD800;&#x110000;&#99999999999;", "\ufffd\ufffd\ufffd\ufffd\n"},
    {"&#150;", "\u2013\n"}, /* Windows-1252 meaning */
    {"&unknown; & &#; &#x; &amp", "&unknown; & &#; &#x; &\n"},
    {"&ampx &eacute", "&ampx &eacute\n"},
    {"a < b > c", "a < b > c\n"},
    {"<a href=\"http://x.example/\">site</a> and <a href='http://y.example/?a=1&amp;b=2'>y</a>",
     "site [1] and y [2]\n\nLinks:\n[1] http://x.example/\n[2] http://y.example/?a=1&b=2\n"},
    {"<a href=\"http://x/\">a</a><a href=\"http://x/\">b</a>",
     "a [1]b [1]\n\nLinks:\n[1] http://x/\n"},
    {"<a href=\"#top\">top</a> <a href=\"javascript:x()\">js</a>", "top js\n"},
    {"<a href=\"http://i/\"><img src=x alt=\"Logo\"></a>", "Logo [1]\n\nLinks:\n[1] http://i/\n"},
    {"<a href=\"http://i/\"><img src=x></a>", "[1]\n\nLinks:\n[1] http://i/\n"},
    {"<img alt=\"A &amp; B\" src=x>", "A & B\n"},
    {"<table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table>", "a b\nc\n"},
    {"x<hr>y", "x\n----------\ny\n"},
    {"<div", ""},
    {"text<a href=\"unclosed", "text\n"},
    {"<p>x</p>\n\n<p>\n</p>\n<p>y</p>", "x\n\ny\n"},
    {"<head>stray text</head>", "stray text\n"},
    {"</ x>y", "y\n"},
    {"<b>bold</b> <i>it</i>", "bold it\n"},
};

START_TEST(to_text_table)
{
    char *t = to_text(html_cases[_i].html);
    ck_assert_msg(strcmp(t, html_cases[_i].text) == 0, "case %d: \"%s\"\n got \"%s\"", _i,
                  html_cases[_i].html, t);
    free(t);
}
END_TEST

START_TEST(to_text_appends)
{
    struct pv_buf out;
    pv_buf_init(&out, 0);
    ck_assert(pv_buf_append_str(&out, "before\n"));
    ck_assert(mail_html_to_text("<p>x</p>", 8, &out));
    ck_assert_str_eq(out.data, "before\nx\n");
    pv_buf_free(&out);
}
END_TEST

START_TEST(to_text_respects_cap)
{
    struct pv_buf out;
    pv_buf_init(&out, 10);
    const char *html = "<p>a long paragraph that does not fit</p>";
    ck_assert(!mail_html_to_text(html, strlen(html), &out));
    ck_assert_uint_le(out.len, 10);
    pv_buf_free(&out);
}
END_TEST

/* Deep nesting and many links stay bounded and terminate. */
START_TEST(to_text_hostile_nesting)
{
    struct pv_buf in;
    pv_buf_init(&in, 0);
    for (int i = 0; i < 5000; i++)
        ck_assert(pv_buf_append_str(&in, "<blockquote><ul><li><a href=\"http://l/\">"));
    ck_assert(pv_buf_append_str(&in, "deep"));
    struct pv_buf out;
    pv_buf_init(&out, 0);
    ck_assert(mail_html_to_text(in.data, in.len, &out));
    ck_assert_ptr_nonnull(strstr(out.data, "deep"));
    ck_assert_ptr_nonnull(strstr(out.data, "Links:\n[1] http://l/\n"));
    ck_assert_ptr_null(strstr(out.data, "[2]"));
    pv_buf_free(&out);
    pv_buf_free(&in);
}
END_TEST

START_TEST(to_text_embedded_nul)
{
    static const char html[] = "a\0b<p>c";
    struct pv_buf out;
    pv_buf_init(&out, 0);
    ck_assert(mail_html_to_text(html, sizeof html - 1, &out));
    ck_assert_uint_eq(out.len, 7);
    ck_assert_int_eq(memcmp(out.data, "a\0b\n\nc\n", 7), 0);
    pv_buf_free(&out);
}
END_TEST

/* ---- mail_html_meta_charset ---- */

static const struct {
    const char *html;
    const char *charset; /* NULL: none */
} meta_cases[] = {
    {"", NULL},
    {"<p>no meta</p>", NULL},
    {"<meta charset=\"UTF-8\">", "utf-8"},
    {"<META CHARSET=windows-1251>", "windows-1251"},
    {"<meta http-equiv=\"Content-Type\" content=\"text/html; charset=ISO-8859-2\">", "iso-8859-2"},
    {"<meta content='text/html;charset=koi8-r' http-equiv='content-type'>", "koi8-r"},
    {"<meta http-equiv=\"refresh\" content=\"0; charset=x\">", NULL},
    {"<!-- <meta charset=\"x\"> --><meta charset=\"big5\">", "big5"},
    {"<meta charset=\"bad name;\">", "bad"},
    {"<meta charset=\"\">", NULL},
    {"<meta name=viewport><meta charset=gbk>", "gbk"},
};

START_TEST(meta_charset_null)
{
    ck_assert_ptr_null(mail_html_meta_charset(NULL, 0));
}
END_TEST

START_TEST(meta_charset_table)
{
    char *cs = mail_html_meta_charset(meta_cases[_i].html, strlen(meta_cases[_i].html));
    if (!meta_cases[_i].charset) {
        ck_assert_msg(cs == NULL, "case %d: got %s", _i, cs);
    } else {
        ck_assert_ptr_nonnull(cs);
        ck_assert_str_eq(cs, meta_cases[_i].charset);
    }
    free(cs);
}
END_TEST

static Suite *html_suite(void)
{
    Suite *s = suite_create("mail_html");
    TCase *tc = tcase_create("mail_html_to_text");
    tcase_add_test(tc, to_text_null_and_empty);
    tcase_add_loop_test(tc, to_text_table, 0, (int)PV_ARRAY_LEN(html_cases));
    tcase_add_test(tc, to_text_appends);
    tcase_add_test(tc, to_text_respects_cap);
    tcase_add_test(tc, to_text_hostile_nesting);
    tcase_add_test(tc, to_text_embedded_nul);
    suite_add_tcase(s, tc);
    tc = tcase_create("mail_html_meta_charset");
    tcase_add_test(tc, meta_charset_null);
    tcase_add_loop_test(tc, meta_charset_table, 0, (int)PV_ARRAY_LEN(meta_cases));
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(html_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
