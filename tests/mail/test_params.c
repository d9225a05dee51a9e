/*
 * Tests for src/mail/params.c:
 *   struct mail_params *mail_params_parse(const char *raw, size_t len);
 *   struct mail_params *mail_content_type_parse(const char *raw, size_t len);
 *   const char *mail_params_value(const struct mail_params *p);
 *   bool mail_params_defaulted(const struct mail_params *p);
 *   size_t mail_params_count(const struct mail_params *p);
 *   bool mail_params_at(const struct mail_params *p, size_t i, const char **, const char **);
 *   const char *mail_params_get(const struct mail_params *p, const char *name);
 *   char *mail_params_get_text(const struct mail_params *p, const char *name);
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <popview/util.h>

#include <popview/mail.h>

static struct mail_params *parse(const char *raw)
{
    return mail_params_parse(raw, strlen(raw));
}

/* ---- mail_params_parse ---- */

START_TEST(parse_null_and_empty)
{
    struct mail_params *p = mail_params_parse(NULL, 0);
    ck_assert_str_eq(mail_params_value(p), "");
    ck_assert_uint_eq(mail_params_count(p), 0);
    ck_assert_ptr_null(mail_params_get(p, "charset"));
    ck_assert(!mail_params_defaulted(p));
    mail_params_free(&p);
    ck_assert_ptr_null(p);
    mail_params_free(&p);
    mail_params_free(NULL);

    p = parse("");
    ck_assert_str_eq(mail_params_value(p), "");
    ck_assert_uint_eq(mail_params_count(p), 0);
    mail_params_free(&p);

    /* Accessors accept NULL too. */
    ck_assert_str_eq(mail_params_value(NULL), "");
    ck_assert_uint_eq(mail_params_count(NULL), 0);
    ck_assert_ptr_null(mail_params_get(NULL, "x"));
    ck_assert_ptr_null(mail_params_get_text(NULL, "x"));
}
END_TEST

static const struct {
    const char *raw;
    const char *value;
    const char *name;  /* parameter to look up */
    const char *param; /* its expected value, NULL: absent */
} parse_cases[] = {
    {"TEXT/HTML; CHARSET=\"UTF-8\"", "text/html", "charset", "UTF-8"},
    {"text/plain; charset=us-ascii (Plain text)", "text/plain", "charset", "us-ascii"},
    {"multipart/mixed; boundary=\"----=_Part_0_123.456\"", "multipart/mixed", "boundary",
     "----=_Part_0_123.456"},
    {"multipart/mixed; boundary=\"a\\\"b\"", "multipart/mixed", "boundary", "a\"b"},
    {"attachment; filename=\"foo.pdf", "attachment", "filename", "foo.pdf"},
    {"attachment; filename=\"foo.pdf\"garbage; size=3", "attachment", "size", "3"},
    {"text/plain; charset=a; charset=b", "text/plain", "charset", "a"},
    {"text/plain charset=utf-8", "text/plain", "charset", "utf-8"},
    {"text/plain; ; garbage; =y; charset=x; z", "text/plain", "charset", "x"},
    {"text/plain (c) ; (c2) charset (c3) = (c4) \"x\" (c5)", "text/plain", "charset", "x"},
    {"attachment; filename=report (1).pdf", "attachment", "filename", "report (1).pdf"},
    {"attachment; filename=my file.pdf  ", "attachment", "filename", "my file.pdf"},
    {"inline;filename=a.txt", "inline", "filename", "a.txt"},
    {"inline; FileName=A.TXT", "inline", "filename", "A.TXT"},
    {"x; n=\"\"", "x", "n", ""},
    {"x; n=", "x", "n", ""},
    /* RFC 2231 */
    {"attachment; filename*=UTF-8''na%C3%AFve%20file.txt", "attachment", "filename",
     "na\u00efve file.txt"},
    {"attachment; filename*=iso-8859-1'en'caf%E9.txt", "attachment", "filename", "caf\u00e9.txt"},
    {"attachment; filename*0*=UTF-8''%E6%97%A5%E6; filename*1*=%9C%AC; filename*2=\".txt\"",
     "attachment", "filename", "\u65e5\u672c.txt"},
    {"attachment; filename=\"plain.txt\"; filename*=UTF-8''better.txt", "attachment", "filename",
     "better.txt"},
    {"x; name*1=\"b\"; name*0=\"a\"; name*2=c", "x", "name", "abc"},
    {"x; name*0=\"a\"; name*0=\"z\"; name*1=\"b\"", "x", "name", "ab"},
    {"x; name*99=\"x\"", "x", "name", NULL},
    {"x; name*z=\"x\"", "x", "name", NULL},
    {"x; filename*=''%C3%A9.txt", "x", "filename", "\u00e9.txt"},
    {"x; filename*=''%E9.txt", "x", "filename", "\u00e9.txt"},
    {"x; filename*=\"UTF-8''quoted%21\"", "x", "filename", "quoted!"},
    {"x; filename*=no-quotes%41", "x", "filename", "no-quotesA"},
    {"x; filename*=UTF-8''bad%zz%4", "x", "filename", "bad%zz%4"},
};

START_TEST(parse_table)
{
    struct mail_params *p = parse(parse_cases[_i].raw);
    ck_assert_str_eq(mail_params_value(p), parse_cases[_i].value);
    const char *v = mail_params_get(p, parse_cases[_i].name);
    if (parse_cases[_i].param) {
        ck_assert_msg(v != NULL, "case %d: %s missing", _i, parse_cases[_i].name);
        ck_assert_msg(strcmp(v, parse_cases[_i].param) == 0, "case %d: got \"%s\"", _i, v);
    } else {
        ck_assert_msg(v == NULL, "case %d: got \"%s\"", _i, v);
    }
    mail_params_free(&p);
}
END_TEST

START_TEST(parse_embedded_nul)
{
    static const char raw[] = "text/plain; charset=u\0tf-8";
    struct mail_params *p = mail_params_parse(raw, sizeof raw - 1);
    ck_assert_str_eq(mail_params_get(p, "charset"), "utf-8");
    mail_params_free(&p);
}
END_TEST

START_TEST(parse_caps_parameters)
{
    struct pv_buf raw;
    pv_buf_init(&raw, 0);
    ck_assert(pv_buf_append_str(&raw, "x"));
    for (int i = 0; i < 200; i++)
        ck_assert(pv_buf_printf(&raw, "; p%d=%d", i, i));
    struct mail_params *p = mail_params_parse(raw.data, raw.len);
    ck_assert_uint_eq(mail_params_count(p), MAIL_PARAMS_MAX);
    ck_assert_str_eq(mail_params_get(p, "p0"), "0");
    ck_assert_ptr_null(mail_params_get(p, "p199"));
    mail_params_free(&p);
    pv_buf_free(&raw);
}
END_TEST

/* ---- mail_content_type_parse ---- */

static const struct {
    const char *raw;
    const char *type;
    bool defaulted;
} ct_cases[] = {
    {"", "text/plain", true},
    {"text", "text/plain", true},
    {"/plain", "text/plain", true},
    {"text/", "text/plain", true},
    {"te[xt/plain", "text/plain", true},
    {"Text/Plain", "text/plain", false},
    {"application/vnd.openxmlformats-officedocument.wordprocessingml.document; name=x",
     "application/vnd.openxmlformats-officedocument.wordprocessingml.document", false},
    {" (comment) image/png", "image/png", false},
};

START_TEST(content_type_null)
{
    struct mail_params *p = mail_content_type_parse(NULL, 0);
    ck_assert_str_eq(mail_params_value(p), "text/plain");
    ck_assert(mail_params_defaulted(p));
    mail_params_free(&p);
}
END_TEST

START_TEST(content_type_table)
{
    struct mail_params *p = mail_content_type_parse(ct_cases[_i].raw, strlen(ct_cases[_i].raw));
    ck_assert_str_eq(mail_params_value(p), ct_cases[_i].type);
    ck_assert(mail_params_defaulted(p) == ct_cases[_i].defaulted);
    mail_params_free(&p);
}
END_TEST

START_TEST(content_type_keeps_params_when_defaulted)
{
    const char *raw = "garbage; charset=koi8-r";
    struct mail_params *p = mail_content_type_parse(raw, strlen(raw));
    ck_assert_str_eq(mail_params_value(p), "text/plain");
    ck_assert_str_eq(mail_params_get(p, "charset"), "koi8-r");
    mail_params_free(&p);
}
END_TEST

/* ---- mail_params_at ---- */

START_TEST(at_in_order)
{
    struct mail_params *p = parse("x; b=2; A=1; b=3; c*0=x; c*1=y");
    ck_assert_uint_eq(mail_params_count(p), 3);
    const char *n, *v;
    ck_assert(mail_params_at(p, 0, &n, &v));
    ck_assert_str_eq(n, "b");
    ck_assert_str_eq(v, "2");
    ck_assert(mail_params_at(p, 1, &n, &v));
    ck_assert_str_eq(n, "a");
    ck_assert_str_eq(v, "1");
    ck_assert(mail_params_at(p, 2, &n, NULL));
    ck_assert_str_eq(n, "c");
    ck_assert(!mail_params_at(p, 3, &n, &v));
    ck_assert(!mail_params_at(NULL, 0, &n, &v));
    mail_params_free(&p);
}
END_TEST

/* ---- mail_params_get_text ---- */

START_TEST(get_text_decodes)
{
    struct mail_params *p =
        parse("attachment; filename=\"=?UTF-8?B?w6lsw6h2ZS5wZGY=?=\"; name*=UTF-8''%C3%A9.txt; "
              "plain=\"caf\xc3\xa9\"; legacy=\"caf\xe9\"");
    /* mail_params_get keeps the encoded word: it is what was written. */
    ck_assert_str_eq(mail_params_get(p, "filename"), "=?UTF-8?B?w6lsw6h2ZS5wZGY=?=");
    char *t = mail_params_get_text(p, "filename");
    ck_assert_str_eq(t, "\u00e9l\u00e8ve.pdf");
    free(t);
    t = mail_params_get_text(p, "name");
    ck_assert_str_eq(t, "\u00e9.txt");
    free(t);
    t = mail_params_get_text(p, "plain");
    ck_assert_str_eq(t, "caf\u00e9");
    free(t);
    t = mail_params_get_text(p, "legacy");
    ck_assert_str_eq(t, "caf\u00e9");
    free(t);
    ck_assert_ptr_null(mail_params_get_text(p, "absent"));
    mail_params_free(&p);
}
END_TEST

static Suite *params_suite(void)
{
    Suite *s = suite_create("mail_params");
    TCase *tc = tcase_create("mail_params_parse");
    tcase_add_test(tc, parse_null_and_empty);
    tcase_add_loop_test(tc, parse_table, 0, (int)PV_ARRAY_LEN(parse_cases));
    tcase_add_test(tc, parse_embedded_nul);
    tcase_add_test(tc, parse_caps_parameters);
    suite_add_tcase(s, tc);
    tc = tcase_create("mail_content_type_parse");
    tcase_add_test(tc, content_type_null);
    tcase_add_loop_test(tc, content_type_table, 0, (int)PV_ARRAY_LEN(ct_cases));
    tcase_add_test(tc, content_type_keeps_params_when_defaulted);
    suite_add_tcase(s, tc);
    tc = tcase_create("mail_params_at");
    tcase_add_test(tc, at_in_order);
    suite_add_tcase(s, tc);
    tc = tcase_create("mail_params_get_text");
    tcase_add_test(tc, get_text_decodes);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(params_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
