/*
 * Tests for src/mail/header.c:
 *   struct mail_headers *mail_headers_parse(const char *buf, size_t len,
 *                                           size_t *body_offset_out);
 *   void mail_headers_free(struct mail_headers **h);
 *   size_t mail_headers_count(const struct mail_headers *h);
 *   const struct mail_header *mail_headers_at(const struct mail_headers *h, size_t i);
 *   const char *mail_headers_get(const struct mail_headers *h, const char *name);
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <popview/util.h>

#include <popview/mail.h>

#define S(lit) lit, sizeof(lit) - 1

/* Parses and checks the fields against "name=value" pairs and the body. */
static void check_parse(const char *buf, size_t len, const char *const *want, size_t nwant,
                        const char *body, size_t body_len)
{
    size_t off = 12345;
    struct mail_headers *h = mail_headers_parse(buf, len, &off);
    ck_assert_ptr_nonnull(h);
    ck_assert_uint_eq(mail_headers_count(h), nwant / 2);
    for (size_t i = 0; i < nwant / 2; i++) {
        const struct mail_header *f = mail_headers_at(h, i);
        ck_assert_ptr_nonnull(f);
        ck_assert_str_eq(f->name, want[2 * i]);
        ck_assert_str_eq(f->value, want[2 * i + 1]);
    }
    ck_assert_uint_le(off, len);
    ck_assert_uint_eq(len - off, body_len);
    ck_assert_mem_eq(buf + off, body, body_len);
    mail_headers_free(&h);
    ck_assert_ptr_null(h);
}

/* ---- mail_headers_parse -------------------------------------------------- */

START_TEST(parse_null_and_empty)
{
    size_t off = 99;
    struct mail_headers *h = mail_headers_parse(NULL, 0, &off);
    ck_assert_ptr_nonnull(h);
    ck_assert_uint_eq(mail_headers_count(h), 0);
    ck_assert_uint_eq(off, 0);
    mail_headers_free(&h);
    h = mail_headers_parse("", 0, NULL);
    ck_assert_uint_eq(mail_headers_count(h), 0);
    mail_headers_free(&h);
    /* an empty first line: no header at all, the body follows it */
    check_parse(S("\r\nbody"), NULL, 0, S("body"));
    check_parse(S("\nbody"), NULL, 0, S("body"));
}
END_TEST

START_TEST(parse_crlf_message)
{
    static const char *const want[] = {"From", "a@b", "Subject", "hello", "To", "c@d"};
    check_parse(S("From: a@b\r\nSubject: hello\r\nTo: c@d\r\n\r\nbody\r\n"), want, 6,
                S("body\r\n"));
}
END_TEST

START_TEST(parse_bare_lf_message)
{
    static const char *const want[] = {"From", "a@b", "Subject", "hello"};
    check_parse(S("From: a@b\nSubject: hello\n\nbody\n\nmore"), want, 4, S("body\n\nmore"));
}
END_TEST

START_TEST(parse_unfolds_continuations)
{
    static const char *const want[] = {
        "Subject", "a long\t subject line", "X-Empty-First", "folded value", "To", "x@y",
    };
    check_parse(S("Subject: a long\r\n\t subject\r\n line\r\n"
                  "X-Empty-First:\r\n folded value\r\n"
                  "To: x@y\r\n\r\n"),
                want, 6, S(""));
}
END_TEST

START_TEST(parse_trims_value_white_space)
{
    static const char *const want[] = {"Subject", "hi there", "X-Empty", ""};
    check_parse(S("Subject: \t hi there \t\r\nX-Empty:\r\n\r\n"), want, 4, S(""));
}
END_TEST

START_TEST(parse_skips_garbage)
{
    /* a leading continuation line, an mbox From_ line, a line without a
     * colon with its own continuation, a name with a space, an empty name */
    static const char *const want[] = {"Subject", "ok", "To", "t@x"};
    check_parse(S(" leading continuation\r\n"
                  "From MAILER-DAEMON Fri Jul  8 12:08:34 2011\r\n"
                  "Subject: ok\r\n"
                  "this line has no colon\r\n"
                  " and a continuation of it\r\n"
                  "Bad Name: x\r\n"
                  ": no name\r\n"
                  "To: t@x\r\n"
                  "\r\n"
                  "body"),
                want, 4, S("body"));
}
END_TEST

START_TEST(parse_obsolete_space_before_colon)
{
    /* RFC 5322, section 4.5: "Subject : x" */
    static const char *const want[] = {"Subject", "x"};
    check_parse(S("Subject \t: x\n\n"), want, 2, S(""));
}
END_TEST

START_TEST(parse_keeps_order_and_duplicates)
{
    static const char *const want[] = {"Received", "one", "Received", "two", "received", "three"};
    check_parse(S("Received: one\nReceived: two\nreceived: three\n"), want, 6, S(""));
}
END_TEST

START_TEST(parse_no_body_separator)
{
    static const char *const want[] = {"Subject", "no end"};
    check_parse(S("Subject: no end"), want, 2, S(""));
    check_parse(S("Subject: no end\r\n"), want, 2, S(""));
}
END_TEST

START_TEST(parse_nul_bytes)
{
    /* NUL in a name: not a field; NUL in a value: dropped */
    static const char *const want[] = {"Subject", "abc", "To", "x"};
    check_parse(S("X-N\0ul: v\nSubject: a\0bc\nTo: x\n\nb\0dy"), want, 4, S("b\0dy"));
}
END_TEST

START_TEST(parse_caps_field_count)
{
    struct pv_buf b;
    pv_buf_init(&b, 0);
    for (int i = 0; i < 10050; i++)
        ck_assert(pv_buf_printf(&b, "X-F%d: v\r\n", i));
    ck_assert(pv_buf_append_str(&b, "\r\nthe body"));
    size_t off;
    struct mail_headers *h = mail_headers_parse(b.data, b.len, &off);
    ck_assert_uint_eq(mail_headers_count(h), 10000);
    ck_assert_str_eq(mail_headers_at(h, 9999)->name, "X-F9999");
    ck_assert_str_eq(b.data + off, "the body");
    mail_headers_free(&h);
    pv_buf_free(&b);
}
END_TEST

/* ---- mail_headers_free --------------------------------------------------- */

START_TEST(free_accepts_null)
{
    mail_headers_free(NULL);
    struct mail_headers *h = NULL;
    mail_headers_free(&h);
    ck_assert_ptr_null(h);
}
END_TEST

/* ---- mail_headers_count / mail_headers_at ------------------------------- */

START_TEST(count_and_at_bounds)
{
    ck_assert_uint_eq(mail_headers_count(NULL), 0);
    ck_assert_ptr_null(mail_headers_at(NULL, 0));
    struct mail_headers *h = mail_headers_parse(S("A: 1\nB: 2\n"), NULL);
    ck_assert_uint_eq(mail_headers_count(h), 2);
    ck_assert_str_eq(mail_headers_at(h, 1)->value, "2");
    ck_assert_ptr_null(mail_headers_at(h, 2));
    ck_assert_ptr_null(mail_headers_at(h, (size_t)-1));
    mail_headers_free(&h);
}
END_TEST

/* ---- mail_headers_get ---------------------------------------------------- */

START_TEST(get_null_and_missing)
{
    ck_assert_ptr_null(mail_headers_get(NULL, "Subject"));
    struct mail_headers *h = mail_headers_parse(S("Subject: x\n"), NULL);
    ck_assert_ptr_null(mail_headers_get(h, NULL));
    ck_assert_ptr_null(mail_headers_get(h, "From"));
    ck_assert_ptr_null(mail_headers_get(h, "Subjec"));
    mail_headers_free(&h);
}
END_TEST

START_TEST(get_case_insensitive_first)
{
    struct mail_headers *h =
        mail_headers_parse(S("content-TYPE: text/plain\nContent-Type: text/html\n\n"), NULL);
    ck_assert_str_eq(mail_headers_get(h, "Content-Type"), "text/plain");
    ck_assert_str_eq(mail_headers_get(h, "CONTENT-TYPE"), "text/plain");
    mail_headers_free(&h);
}
END_TEST

START_TEST(get_value_stays_encoded)
{
    struct mail_headers *h =
        mail_headers_parse(S("Subject: =?UTF-8?B?w6k=?=\r\n =?UTF-8?Q?x?=\r\n\r\n"), NULL);
    ck_assert_str_eq(mail_headers_get(h, "subject"), "=?UTF-8?B?w6k=?= =?UTF-8?Q?x?=");
    mail_headers_free(&h);
}
END_TEST

static Suite *header_suite(void)
{
    Suite *s = suite_create("header");
    TCase *tc = tcase_create("mail_headers_parse");
    tcase_add_test(tc, parse_null_and_empty);
    tcase_add_test(tc, parse_crlf_message);
    tcase_add_test(tc, parse_bare_lf_message);
    tcase_add_test(tc, parse_unfolds_continuations);
    tcase_add_test(tc, parse_trims_value_white_space);
    tcase_add_test(tc, parse_skips_garbage);
    tcase_add_test(tc, parse_obsolete_space_before_colon);
    tcase_add_test(tc, parse_keeps_order_and_duplicates);
    tcase_add_test(tc, parse_no_body_separator);
    tcase_add_test(tc, parse_nul_bytes);
    tcase_add_test(tc, parse_caps_field_count);
    suite_add_tcase(s, tc);

    tc = tcase_create("mail_headers_free");
    tcase_add_test(tc, free_accepts_null);
    suite_add_tcase(s, tc);

    tc = tcase_create("mail_headers_count_at");
    tcase_add_test(tc, count_and_at_bounds);
    suite_add_tcase(s, tc);

    tc = tcase_create("mail_headers_get");
    tcase_add_test(tc, get_null_and_missing);
    tcase_add_test(tc, get_case_insensitive_first);
    tcase_add_test(tc, get_value_stays_encoded);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(header_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
