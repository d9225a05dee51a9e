/*
 * Tests for src/mail/render.c:
 *   enum mail_status mail_render(const struct mail_mime *m, const char *msg, size_t len,
 *                                struct pv_buf *out);
 *   enum mail_status mail_render_message(const char *msg, size_t len, struct pv_buf *out);
 *   void mail_render_tree(const struct mail_mime *m, struct pv_buf *out);
 * Sample messages are in tests/mail/data (POPVIEW_SOURCE_ROOT).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <popview/util.h>

#include <popview/mail.h>

static char *load(const char *name, size_t *len_out)
{
    const char *root = getenv("POPVIEW_SOURCE_ROOT");
    ck_assert_msg(root != NULL, "POPVIEW_SOURCE_ROOT is not set");
    char *path = pv_xasprintf("%s/tests/mail/data/%s", root, name);
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "cannot open %s", path);
    struct pv_buf b;
    pv_buf_init(&b, 0);
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        ck_assert(pv_buf_append(&b, chunk, n));
    fclose(f);
    free(path);
    return pv_buf_steal(&b, len_out);
}

static char *render_bytes(const char *msg, size_t len, enum mail_status *st_out)
{
    struct pv_buf out;
    pv_buf_init(&out, 0);
    enum mail_status st = mail_render_message(msg, len, &out);
    if (st_out)
        *st_out = st;
    return pv_buf_steal(&out, NULL);
}

static char *render_file(const char *name, enum mail_status *st_out)
{
    size_t len;
    char *msg = load(name, &len);
    char *text = render_bytes(msg, len, st_out);
    free(msg);
    return text;
}

/* No byte a terminal would act on: C0 controls other than LF and TAB, DEL,
 * C1 controls (UTF-8 C2 80..9F) and bidi overrides (E2 80 AA..AE). */
static void assert_terminal_safe(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        ck_assert_msg(*p >= 0x20 || *p == '\n' || *p == '\t', "control byte 0x%02x", *p);
        ck_assert_msg(*p != 0x7f, "DEL");
        if (p[0] == 0xc2 && p[1])
            ck_assert_msg(p[1] < 0x80 || p[1] > 0x9f, "C1 control");
        if (p[0] == 0xe2 && p[1] == 0x80 && p[2])
            ck_assert_msg(p[2] < 0xaa || p[2] > 0xae, "bidi override");
    }
}

/* ---- mail_render_message / mail_render ---- */

START_TEST(render_null_and_empty)
{
    enum mail_status st;
    char *t = render_bytes(NULL, 0, &st);
    ck_assert_str_eq(t, "\n");
    ck_assert_int_eq(st, MAIL_OK);
    free(t);
    t = render_bytes("", 0, &st);
    ck_assert_str_eq(t, "\n");
    free(t);
    struct pv_buf out;
    pv_buf_init(&out, 0);
    ck_assert_int_eq(mail_render(NULL, "", 0, &out), MAIL_ERR_MALFORMED);
    ck_assert_uint_eq(out.len, 0);
    pv_buf_free(&out);
}
END_TEST

static const struct {
    const char *file;
    enum mail_status status;
    const char *text;
} render_cases[] = {
    {"nested.eml", MAIL_OK,
     "From: \"Ann Example\" <ann@example.org>\n"
     "To: Bob <bob@example.net>\n"
     "Cc: carol@example.com\n"
     "Date: Sun, 02 Mar 2025 14:05:00 +0100\n"
     "Subject: Nested parts\n"
     "\n"
     "Plain version of the letter.\n"
     "\n"
     "Attachments:\n"
     "  [6] report.pdf  application/pdf  1.5K\n"},
    {"html-only.eml", MAIL_OK,
     "From: news@example.org\n"
     "To: bob@example.net\n"
     "Subject: Newsletter\n"
     "\n"
     "Caf\u00e9 news\n"
     "\n"
     "Read the article [1] \u2014 or don't\u2026\n"
     "\n"
     "\u2022 one\n"
     "\u2022 two\n"
     "\n"
     "Links:\n"
     "[1] https://example.org/a?x=1&y=2\n"},
    {"koi8r-base64.eml", MAIL_OK,
     "From: \u0418\u0432\u0430\u043d <ivan@example.ru>\n"
     "To: bob@example.net\n"
     "Subject: \u041f\u0440\u0438\u0432\u0435\u0442\n"
     "\n"
     "\u041f\u0440\u0438\u0432\u0435\u0442, \u043c\u0438\u0440! \u0421\u044a\u0435\u0448\u044c "
     "\u0436\u0435 \u0435\u0449\u0451 \u044d\u0442\u0438\u0445 \u043c\u044f\u0433\u043a\u0438"
     "\u0445 \u0444\u0440\u0430\u043d\u0446\u0443\u0437\u0441\u043a\u0438\u0445 \u0431\u0443"
     "\u043b\u043e\u043a.\n"},
    {"qp-latin1.eml", MAIL_ERR_MALFORMED,
     "From: Ren\u00e9 <rene@example.fr>\n"
     "To: bob@example.net\n"
     "Subject: caf\u00e9\n"
     "\n"
     "Voil\u00e0 une tr\u00e8s longue ligne qui est coup\u00e9e par un saut de ligne doux, "
     "puis continu\u00e9e.   \n"
     "Une ligne avec un = et un =XY invalide.\n"
     "Fin\n"},
    {"rfc2231.eml", MAIL_OK,
     "From: ann@example.org\n"
     "To: bob@example.net\n"
     "Subject: RFC 2231 filename\n"
     "\n"
     "See the attachment.\n"
     "\n"
     "Attachments:\n"
     "  [2] \u65e5\u672c\u8a9e\u306e\u30d5\u30a1\u30a4\u30eb.txt  application/octet-stream  "
     "5B\n"},
    {"rfc2047-filename.eml", MAIL_OK,
     "From: ann@example.org\n"
     "To: bob@example.net\n"
     "Subject: RFC 2047 filename\n"
     "\n"
     "Body.\n"
     "\n"
     "Attachments:\n"
     "  [2] \u00e9l\u00e8ve.doc  application/msword  4B\n"},
    {"missing-close.eml", MAIL_ERR_MALFORMED,
     "From: ann@example.org\n"
     "Subject: No close delimiter\n"
     "\n"
     "[popview: no closing boundary: the last part runs to the end]\n"
     "\n"
     "First part.\n"
     "\n"
     "Second part runs to the end.\n"},
    {"boundary-special.eml", MAIL_OK,
     "From: ann@example.org\n"
     "Subject: Special boundary\n"
     "\n"
     "Part one.\n"
     "\n"
     "Part two (its delimiter had transport padding).\n"},
    {"rfc822-attachment.eml", MAIL_OK,
     "From: ann@example.org\n"
     "To: bob@example.net\n"
     "Subject: Fwd: the original\n"
     "\n"
     "Here is the message you asked for.\n"
     "\n"
     "----- Forwarded message -----\n"
     "From: Carol <carol@example.com>\n"
     "To: ann@example.org\n"
     "Date: Sat, 01 Mar 2025 09:00:00 +0000\n"
     "Subject: The original \u2713\n"
     "\n"
     "Original body.\n"
     "----- End of forwarded message -----\n"
     "\n"
     "Attachments:\n"
     "  [2] (attached message)  message/rfc822  464B\n"
     "  [5] pic.png  image/png  66B\n"},
    {"unknown-charset.eml", MAIL_ERR_CHARSET,
     "From: ann@example.org\n"
     "Subject: Unknown charset\n"
     "\n"
     "[popview: unknown charset \"x-foo\", shown as best effort]\n"
     "Readable ASCII text.\n"},
    {"unknown-cte.eml", MAIL_ERR_MALFORMED,
     "From: ann@example.org\n"
     "Subject: Unknown transfer encoding\n"
     "\n"
     "[popview: unknown transfer encoding \"x-uuencode\", shown as is]\n"
     "begin 644 x.txt\n"
     "#86)C\n"
     "`\n"
     "end\n"},
    {"bare-lf.eml", MAIL_OK,
     "From: ann@example.org\n"
     "Subject: Bare LF\n"
     "\n"
     "Line one joined.\n"
     "Line two.\n"},
    {"dashes.eml", MAIL_OK,
     "From: ann@example.org\n"
     "Subject: Dashes in the body\n"
     "\n"
     "--not the boundary\n"
     "--sepX is not a delimiter either\n"
     "--sep- nor this\n"
     "----sep\n"
     "Last line.\n"
     "\n"
     "-- \n"
     "Ann\n"
     "\n"
     "Second part.\n"},
    {"no-boundary.eml", MAIL_ERR_MALFORMED,
     "From: ann@example.org\n"
     "Subject: Multipart without boundary\n"
     "\n"
     "[popview: multipart without a usable boundary: shown as text]\n"
     "\n"
     "Just text really.\n"},
    {"escape.eml", MAIL_OK,
     "From: \"Evil^[[2J\" <evil@example.org>\n"
     "To: bob@example.net\n"
     "Subject: Hi ^[]0;pwned^G there^[[31m red\n"
     "\n"
     "Body with ^[[1mESC^[[0m, a bell ^G, a C1 CSI <U+009B>31m and a bidi <U+202E> "
     "override.\n"
     "Tabs\tstay.\n"},
};

START_TEST(render_table)
{
    enum mail_status st;
    char *t = render_file(render_cases[_i].file, &st);
    ck_assert_msg(strcmp(t, render_cases[_i].text) == 0, "%s:\n%s", render_cases[_i].file, t);
    ck_assert_msg(st == render_cases[_i].status, "%s: status %d", render_cases[_i].file, st);
    assert_terminal_safe(t);
    free(t);
}
END_TEST

START_TEST(render_escape_has_no_esc_byte)
{
    char *t = render_file("escape.eml", NULL);
    ck_assert_ptr_null(strchr(t, 0x1b));
    ck_assert_ptr_null(strchr(t, 0x07));
    ck_assert_ptr_null(strstr(t, "\xc2\x9b"));
    ck_assert_ptr_null(strstr(t, "\xe2\x80\xae"));
    free(t);
}
END_TEST

START_TEST(render_deep_notes_cap)
{
    enum mail_status st;
    char *t = render_file("deep.eml", &st);
    ck_assert_int_eq(st, MAIL_ERR_MALFORMED);
    ck_assert_ptr_nonnull(strstr(t, "[popview: nested deeper than 32 levels: not taken apart]"));
    ck_assert_ptr_nonnull(strstr(t, "Attachments:\n  [32] (no name)  multipart/mixed  514B\n"));
    free(t);
}
END_TEST

START_TEST(render_digest_frames_each_message)
{
    char *t = render_file("digest.eml", NULL);
    const char *first = strstr(t, "----- Forwarded message -----\nFrom: a@example.org\n"
                                  "Subject: first\n\nFirst message.\n"
                                  "----- End of forwarded message -----\n");
    ck_assert_ptr_nonnull(first);
    ck_assert_ptr_nonnull(strstr(first + 1, "Subject: second\n\nSecond message.\n"));
    free(t);
}
END_TEST

static const struct {
    const char *msg;
    const char *text;
} inline_cases[] = {
    /* HTML without a charset: the <meta> one is used */
    {"Content-Type: text/html\n\n<meta charset=\"iso-8859-1\"><p>caf\xe9</p>", "\ncaf\u00e9\n"},
    /* no charset and 8-bit text: UTF-8 kept */
    {"Content-Type: text/plain\n\ncaf\xc3\xa9\n", "\ncaf\u00e9\n"},
    /* declared US-ASCII but Latin-1 in fact: read as Windows-1252 */
    {"Content-Type: text/plain; charset=us-ascii\n\ncaf\xe9 \x93q\x94\n",
     "\ncaf\u00e9 \u201cq\u201d\n"},
    /* an alternative with an empty text/plain: the HTML is better */
    {"Content-Type: multipart/alternative; boundary=b\n\n--b\nContent-Type: text/plain\n\n"
     "--b\nContent-Type: text/html\n\n<b>rich</b>\n--b--\n",
     "\nrich\n"},
    /* an alternative with neither plain nor HTML: the last one it can show */
    {"Content-Type: multipart/alternative; boundary=b\n\n--b\nContent-Type: text/enriched\n\n"
     "<bold>one</bold>\n--b\nContent-Type: text/x-other\n\ntwo\n--b\n"
     "Content-Type: application/pdf\n\n%PDF\n--b--\n",
     "\ntwo\n"},
    /* related: start= picks the root */
    {"Content-Type: multipart/related; boundary=b; start=\"<r@x>\"\n\n--b\n"
     "Content-Type: image/gif\nContent-ID: <g@x>\n\nGIF\n--b\nContent-Type: text/plain\n"
     "Content-ID: <r@x>\n\nroot\n--b--\n",
     "\nroot\n\nAttachments:\n  [1] (no name)  image/gif  3B\n"},
    /* a text attachment is listed, not shown */
    {"Content-Type: multipart/mixed; boundary=b\n\n--b\n\nbody\n--b\nContent-Type: text/plain\n"
     "Content-Disposition: attachment; filename=log.txt\n\nlog line\n--b--\n",
     "\nbody\n\nAttachments:\n  [2] log.txt  text/plain  8B\n"},
    /* a hostile filename stays on its line */
    {"Content-Type: application/x; name*=UTF-8''a%0Ab%1B%5B2Jc\n\nx",
     "\n\nAttachments:\n  [0] a b^[[2Jc  application/x  1B\n"},
    /* a header value with an encoded line break stays one line */
    {"Subject: =?UTF-8?Q?one=0ATo:_forged?=\n\nx", "Subject: one To: forged\n\nx\n"},
    /* the whole message is an image */
    {"Content-Type: image/png\nContent-Transfer-Encoding: base64\n\niVBORw0KGgo=\n",
     "\n\nAttachments:\n  [0] (no name)  image/png  8B\n"},
    /* delivery reports read as text */
    {"Content-Type: message/delivery-status\n\nAction: failed\n", "\nAction: failed\n"},
};

START_TEST(render_inline_table)
{
    char *t = render_bytes(inline_cases[_i].msg, strlen(inline_cases[_i].msg), NULL);
    ck_assert_msg(strcmp(t, inline_cases[_i].text) == 0, "case %d:\n%s", _i, t);
    assert_terminal_safe(t);
    free(t);
}
END_TEST

/* A text part of 10 MB is shown up to RENDER_PART_MAX (2 MiB, cut at a
 * line end), with a note saying how much is left out; the lines shown are
 * whole. */
START_TEST(render_huge_text_part_is_cut_with_a_note)
{
    struct pv_buf msg, out;
    pv_buf_init(&msg, 0);
    pv_buf_init(&out, 0);
    ck_assert(pv_buf_append_str(&msg, "Subject: log\r\nContent-Type: text/plain\r\n"
                                      "Content-Transfer-Encoding: quoted-printable\r\n\r\n"));
    const char line[] = "request served in 12 ms, status 200, caf=C3=A9\r\n"; /* 48 octets */
    size_t lines = 10u * 1024 * 1024 / (sizeof line - 1);
    for (size_t i = 0; i < lines; i++)
        ck_assert(pv_buf_append(&msg, line, sizeof line - 1));
    ck_assert(pv_buf_append_str(&msg, "the last line\r\n"));
    ck_assert_int_eq(mail_render_message(msg.data, msg.len, &out), MAIL_OK);
    ck_assert(out.len < 3u * 1024 * 1024);
    ck_assert(out.len > 3u * 1024 * 1024 / 2);
    ck_assert_ptr_null(strstr(out.data, "the last line"));
    ck_assert_ptr_nonnull(strstr(out.data, "[popview: the text goes on for another 8.0M"));
    /* the text ends with a whole decoded line, then the note */
    const char *note = strstr(out.data, "[popview: the text goes on");
    ck_assert(note - out.data > 20);
    ck_assert(memcmp(note - 1 - strlen("status 200, café"), "status 200, café\n",
                     strlen("status 200, café\n")) == 0);
    pv_buf_free(&msg);
    pv_buf_free(&out);
}
END_TEST

START_TEST(render_respects_out_cap)
{
    size_t len;
    char *msg = load("nested.eml", &len);
    struct pv_buf out;
    pv_buf_init(&out, 40);
    mail_render_message(msg, len, &out);
    ck_assert_uint_le(out.len, 40);
    ck_assert_int_eq(strncmp(out.data, "From: \"Ann Example\"", 19), 0);
    pv_buf_free(&out);
    free(msg);
}
END_TEST

START_TEST(render_appends)
{
    struct pv_buf out;
    pv_buf_init(&out, 0);
    ck_assert(pv_buf_append_str(&out, "kept|"));
    const char *msg = "Subject: s\n\nb";
    struct mail_mime *m = mail_mime_parse(msg, strlen(msg));
    ck_assert_int_eq(mail_render(m, msg, strlen(msg), &out), MAIL_OK);
    ck_assert_str_eq(out.data, "kept|Subject: s\n\nb\n");
    mail_mime_free(&m);
    pv_buf_free(&out);
}
END_TEST

/* ---- mail_render_tree ---- */

START_TEST(tree_null)
{
    struct pv_buf out;
    pv_buf_init(&out, 0);
    mail_render_tree(NULL, &out);
    ck_assert_uint_eq(out.len, 0);
    mail_render_tree(NULL, NULL);
    pv_buf_free(&out);
}
END_TEST

START_TEST(tree_nested)
{
    size_t len;
    char *msg = load("nested.eml", &len);
    struct mail_mime *m = mail_mime_parse(msg, len);
    struct pv_buf out;
    pv_buf_init(&out, 0);
    mail_render_tree(m, &out);
    ck_assert_str_eq(out.data, "1  multipart/mixed  7bit  2.9K\n"
                               "  1.1  multipart/alternative  7bit  519B\n"
                               "    1.1.1  text/plain; charset=utf-8  7bit  28B\n"
                               "    1.1.2  multipart/related  7bit  319B\n"
                               "      1.1.2.1  text/html; charset=utf-8  7bit  78B\n"
                               "      1.1.2.2  image/png  base64  66B\n"
                               "  1.2  application/pdf  base64  1.5K  name=report.pdf\n");
    pv_buf_free(&out);
    mail_mime_free(&m);
    free(msg);
}
END_TEST

START_TEST(tree_hostile_names)
{
    const char *msg = "Content-Type: multipart/mixed; boundary=b\n\n--b\n"
                      "Content-Type: application/x; charset=\"a\\\x1b\"; name*=UTF-8''x%0Ay%1B\n"
                      "Content-Transfer-Encoding: x-\x7f\n\nbody\n--b--\n";
    struct mail_mime *m = mail_mime_parse(msg, strlen(msg));
    struct pv_buf out;
    pv_buf_init(&out, 0);
    mail_render_tree(m, &out);
    ck_assert_str_eq(out.data, "1  multipart/mixed  7bit  113B\n"
                               "  1.1  application/x; charset=a^[  x-^?  4B  name=x y^[\n");
    assert_terminal_safe(out.data);
    pv_buf_free(&out);
    mail_mime_free(&m);
}
END_TEST

static Suite *render_suite(void)
{
    Suite *s = suite_create("mail_render");
    TCase *tc = tcase_create("mail_render_message");
    tcase_add_test(tc, render_null_and_empty);
    tcase_add_loop_test(tc, render_table, 0, (int)PV_ARRAY_LEN(render_cases));
    tcase_add_loop_test(tc, render_inline_table, 0, (int)PV_ARRAY_LEN(inline_cases));
    tcase_add_test(tc, render_escape_has_no_esc_byte);
    tcase_add_test(tc, render_deep_notes_cap);
    tcase_add_test(tc, render_digest_frames_each_message);
    tcase_add_test(tc, render_respects_out_cap);
    tcase_add_test(tc, render_huge_text_part_is_cut_with_a_note);
    suite_add_tcase(s, tc);
    tc = tcase_create("mail_render");
    tcase_add_test(tc, render_appends);
    suite_add_tcase(s, tc);
    tc = tcase_create("mail_render_tree");
    tcase_add_test(tc, tree_null);
    tcase_add_test(tc, tree_nested);
    tcase_add_test(tc, tree_hostile_names);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(render_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
