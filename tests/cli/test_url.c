/*
 * Tests for src/cli/url.c:
 *   enum cli_status cli_url_parse(const char *text, struct cli_url **url_out,
 *                                 struct pv_error *err);
 *   void cli_url_free(struct cli_url **url);
 *   void cli_printable(char *out, size_t out_size, const char *s, size_t len);
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <popview/util.h>

#include "cli.h"

#define EXPECTED_FORM "use pop3s://[user@]host[:port] (TLS) or pop3://[user@]host[:port] (STLS)"

/* ---- cli_url_parse: NULL and empty ---- */

START_TEST(parse_null_and_empty)
{
    struct pv_error err;
    struct cli_url *url = (struct cli_url *)&err; /* must be overwritten */
    pv_error_clear(&err);
    ck_assert_int_eq(cli_url_parse(NULL, &url, &err), CLI_ERR_USAGE);
    ck_assert_ptr_null(url);
    ck_assert_str_eq(err.msg, "no server URL given: " EXPECTED_FORM);
    pv_error_clear(&err);
    ck_assert_int_eq(cli_url_parse("", &url, &err), CLI_ERR_USAGE);
    ck_assert_ptr_null(url);
    ck_assert_str_eq(err.msg, "no server URL given: " EXPECTED_FORM);
    /* err may be NULL: the status alone still says no. */
    ck_assert_int_eq(cli_url_parse("imap://x", &url, NULL), CLI_ERR_USAGE);
    ck_assert_ptr_null(url);
}
END_TEST

/* ---- cli_url_parse: accepted forms ---- */

static const struct {
    const char *text;
    enum cli_tls_mode tls;
    const char *user; /* NULL: none */
    const char *host;
    const char *port;
    bool ipv6;
} good_urls[] = {
    {"pop3s://mail.example.org", CLI_TLS_IMPLICIT, NULL, "mail.example.org", "995", false},
    {"pop3://mail.example.org", CLI_TLS_STLS, NULL, "mail.example.org", "110", false},
    {"pop3s://alice@mail.example.org:9995/", CLI_TLS_IMPLICIT, "alice", "mail.example.org", "9995",
     false},
    {"POP3S://Alice@Mail.Example.ORG", CLI_TLS_IMPLICIT, "Alice", "Mail.Example.ORG", "995", false},
    {"Pop3://bob@localhost/", CLI_TLS_STLS, "bob", "localhost", "110", false},
    {"pop3s://user%40example.com@mail.example.org", CLI_TLS_IMPLICIT, "user@example.com",
     "mail.example.org", "995", false},
    {"pop3s://user@example.com@mail.example.org:1995", CLI_TLS_IMPLICIT, "user@example.com",
     "mail.example.org", "1995", false},
    {"pop3s://h%C3%A9l%c3%a8ne@host", CLI_TLS_IMPLICIT, "h\xc3\xa9l\xc3\xa8ne", "host", "995",
     false},
    {"pop3s://[::1]:9995", CLI_TLS_IMPLICIT, NULL, "::1", "9995", true},
    {"pop3://alice@[2001:db8::1]/", CLI_TLS_STLS, "alice", "2001:db8::1", "110", true},
    {"pop3s://[::ffff:192.0.2.1]", CLI_TLS_IMPLICIT, NULL, "::ffff:192.0.2.1", "995", true},
    {"pop3s://[fe80::1%25eth0]:995", CLI_TLS_IMPLICIT, NULL, "fe80::1%eth0", "995", true},
    {"pop3s://192.0.2.7:1", CLI_TLS_IMPLICIT, NULL, "192.0.2.7", "1", false},
    {"pop3s://host:65535", CLI_TLS_IMPLICIT, NULL, "host", "65535", false},
    {"pop3s://host:0995", CLI_TLS_IMPLICIT, NULL, "host", "995", false},
    {"pop3s://host:", CLI_TLS_IMPLICIT, NULL, "host", "995", false},
    {"pop3://host:/", CLI_TLS_STLS, NULL, "host", "110", false},
    {"pop3s://mail_1.ex-ample.org", CLI_TLS_IMPLICIT, NULL, "mail_1.ex-ample.org", "995", false},
    {"pop3s://b\xc3\xbc"
     "cher.example",
     CLI_TLS_IMPLICIT, NULL,
     "b\xc3\xbc"
     "cher.example",
     "995", false},
    {"pop3s://a%3Bb@host", CLI_TLS_IMPLICIT, "a;b", "host", "995", false},
};

START_TEST(parse_good)
{
    struct pv_error err;
    pv_error_clear(&err);
    struct cli_url *url = NULL;
    ck_assert_msg(cli_url_parse(good_urls[_i].text, &url, &err) == CLI_OK, "%s: %s",
                  good_urls[_i].text, err.msg);
    ck_assert_ptr_nonnull(url);
    ck_assert_int_eq(url->tls, good_urls[_i].tls);
    if (good_urls[_i].user)
        ck_assert_str_eq(url->user, good_urls[_i].user);
    else
        ck_assert_ptr_null(url->user);
    ck_assert_str_eq(url->host, good_urls[_i].host);
    ck_assert_str_eq(url->port, good_urls[_i].port);
    ck_assert_int_eq(url->ipv6_literal, good_urls[_i].ipv6);
    cli_url_free(&url);
    ck_assert_ptr_null(url);
}
END_TEST

/* ---- cli_url_parse: refused forms, with what the message must say ---- */

static const struct {
    const char *text;
    const char *msg; /* exact when exact, else a substring */
    bool exact;
} bad_urls[] = {
    {"imap://mail.example.org",
     "unsupported URL scheme \"imap\": use pop3s://[user@]host[:port] (TLS) or "
     "pop3://[user@]host[:port] (STLS)",
     true},
    {"https://mail.example.org/", "unsupported URL scheme \"https\": " EXPECTED_FORM, true},
    {"pop3ss://host", "unsupported URL scheme \"pop3ss\"", false},
    {"mail.example.org", "\"mail.example.org\" is not a URL: " EXPECTED_FORM, true},
    {"pop3s:/host", "\"pop3s:/host\" is not a URL", false},
    {"pop3s://", "the URL has no host name: " EXPECTED_FORM, true},
    {"pop3s://alice@", "the URL has no host name", false},
    {"pop3s://:995", "the URL has no host name", false},
    {"pop3s://@host", "empty user name before '@'", false},
    {"pop3s://alice:secret@host", "a password does not belong in the URL", false},
    {"pop3s://alice;AUTH=PLAIN@host", "use --auth MECH", false},
    {"pop3s://host:0", "the port must be a number from 1 to 65535, got \"0\"", true},
    {"pop3s://host:65536", "got \"65536\"", false},
    {"pop3s://host:99999999999999999999999", "from 1 to 65535", false},
    {"pop3s://host:abc", "got \"abc\"", false},
    {"pop3s://host:-1", "got \"-1\"", false},
    {"pop3s://host:+995", "got \"+995\"", false},
    {"pop3s://host:99x", "got \"99x\"", false},
    {"pop3s://host/INBOX", "no path, query or fragment, got \"/INBOX\"", false},
    {"pop3s://host//", "got \"//\"", false},
    {"pop3s://host?x=1", "got \"?x=1\"", false},
    {"pop3s://host#frag", "got \"#frag\"", false},
    {"pop3s://::1", "an IPv6 address goes in brackets", false},
    {"pop3s://2001:db8::1:995", "an IPv6 address goes in brackets", false},
    {"pop3s://[::1", "missing ']' after the IPv6 address", false},
    {"pop3s://[not-v6]", "not an IPv6 address \"not-v6\"", false},
    {"pop3s://[]", "not an IPv6 address", false},
    {"pop3s://[192.0.2.1]", "not an IPv6 address", false},
    {"pop3s://[::1]x", "unexpected text after the host \"x\"", false},
    {"pop3s://[::1]995", "unexpected text after the host", false},
    {"pop3s://[fe80::1%eth0]", "%25zone", false},
    {"pop3s://[fe80::1%25]", "%25zone", false},
    {"pop3s://[fe80::1%25e/0]", "no path", false},
    {"pop3s://[fe80::1%25e+0]", "bad character in the IPv6 zone", false},
    {"pop3s://us%4@host", "bad percent escape in the user name", false},
    {"pop3s://us%zz@host", "bad percent escape", false},
    {"pop3s://us%@host", "bad percent escape", false},
    {"pop3s://a%00b@host", "contains a control character", false},
    {"pop3s://a%0D%0APASS%20x@host", "contains a control character", false},
    {"pop3s://ho st", "bad character in the host name \"ho st\"", false},
    {"pop3s://ho%41st", "bad character in the host name", false},
    {"pop3s://ho~st", "bad character in the host name", false},
};

START_TEST(parse_bad)
{
    struct pv_error err;
    pv_error_clear(&err);
    struct cli_url *url = NULL;
    ck_assert_int_eq(cli_url_parse(bad_urls[_i].text, &url, &err), CLI_ERR_USAGE);
    ck_assert_ptr_null(url);
    if (bad_urls[_i].exact)
        ck_assert_str_eq(err.msg, bad_urls[_i].msg);
    else
        ck_assert_msg(strstr(err.msg, bad_urls[_i].msg) != NULL, "%s: got \"%s\", want \"%s\"",
                      bad_urls[_i].text, err.msg, bad_urls[_i].msg);
}
END_TEST

START_TEST(parse_refuses_oversized_parts)
{
    struct pv_error err;
    struct cli_url *url = NULL;
    char text[CLI_URL_MAX + 32];

    /* A host of CLI_HOST_MAX bytes is fine, one more is not. */
    memcpy(text, "pop3s://", 8);
    memset(text + 8, 'a', CLI_HOST_MAX);
    text[8 + CLI_HOST_MAX] = '\0';
    ck_assert_int_eq(cli_url_parse(text, &url, &err), CLI_OK);
    ck_assert_uint_eq(strlen(url->host), CLI_HOST_MAX);
    cli_url_free(&url);
    text[8 + CLI_HOST_MAX] = 'a';
    text[8 + CLI_HOST_MAX + 1] = '\0';
    ck_assert_int_eq(cli_url_parse(text, &url, &err), CLI_ERR_USAGE);
    ck_assert_str_eq(err.msg, "the host name in the URL is longer than 255 bytes");

    /* The whole URL is capped before anything is allocated for it. */
    memset(text + 8, 'u', sizeof text - 9);
    text[sizeof text - 1] = '\0';
    ck_assert_int_eq(cli_url_parse(text, &url, &err), CLI_ERR_USAGE);
    ck_assert_str_eq(err.msg, "the URL is longer than 2048 bytes");
    ck_assert_ptr_null(url);
}
END_TEST

START_TEST(parse_message_quotes_hostile_text_safely)
{
    struct pv_error err;
    struct cli_url *url = NULL;
    ck_assert_int_eq(cli_url_parse("ima\x1b]0;x\x07p://host", &url, &err), CLI_ERR_USAGE);
    ck_assert_ptr_null(strchr(err.msg, '\x1b'));
    ck_assert_ptr_null(strchr(err.msg, '\x07'));
    ck_assert_ptr_nonnull(strstr(err.msg, "\"ima?]0;x?p\""));
}
END_TEST

/* ---- cli_url_free ---- */

START_TEST(free_accepts_null)
{
    cli_url_free(NULL);
    struct cli_url *url = NULL;
    cli_url_free(&url);
    ck_assert_ptr_null(url);
    ck_assert_int_eq(cli_url_parse("pop3s://a@b", &url, NULL), CLI_OK);
    cli_url_free(&url);
    ck_assert_ptr_null(url);
}
END_TEST

/* ---- cli_printable ---- */

START_TEST(printable_replaces_controls_and_marks_cuts)
{
    char out[8];
    cli_printable(out, sizeof out, "", 0);
    ck_assert_str_eq(out, "");
    cli_printable(out, sizeof out, "a\nb\x7f", 4);
    ck_assert_str_eq(out, "a?b?");
    cli_printable(out, sizeof out, "1234567", 7);
    ck_assert_str_eq(out, "1234567");
    cli_printable(out, sizeof out, "12345678", 8);
    ck_assert_str_eq(out, "1234...");
    /* len, not the NUL, says where the text ends. */
    cli_printable(out, sizeof out, "abcdef", 3);
    ck_assert_str_eq(out, "abc");
}
END_TEST

static Suite *url_suite(void)
{
    Suite *s = suite_create("cli_url");
    TCase *tc = tcase_create("cli_url_parse");
    tcase_add_test(tc, parse_null_and_empty);
    tcase_add_loop_test(tc, parse_good, 0, (int)PV_ARRAY_LEN(good_urls));
    tcase_add_loop_test(tc, parse_bad, 0, (int)PV_ARRAY_LEN(bad_urls));
    tcase_add_test(tc, parse_refuses_oversized_parts);
    tcase_add_test(tc, parse_message_quotes_hostile_text_safely);
    suite_add_tcase(s, tc);
    tc = tcase_create("cli_url_free");
    tcase_add_test(tc, free_accepts_null);
    suite_add_tcase(s, tc);
    tc = tcase_create("cli_printable");
    tcase_add_test(tc, printable_replaces_controls_and_marks_cuts);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(url_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
