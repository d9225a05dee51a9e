/*
 * The pop3 session against a real Dovecot (started by with-dovecot.sh,
 * described by the POPVIEW_TEST_* variables): TLS both ways, certificate
 * refusals, and the one rule that matters most — messages leave the server
 * only at QUIT after DELE; RSET or a dropped connection deletes nothing.
 * Deletion tests use bob's small mailbox; the tests run in order.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <popview/util.h>

#include <popview/net.h>

#include <popview/pop3.h>

static const char *env(const char *name)
{
    const char *v = getenv(name);
    ck_assert_msg(v && *v, "%s is not set: run under with-dovecot.sh", name);
    return v;
}

static enum pop3_status open_session(const char *host, const char *port, enum pop3_tls_mode tls,
                                     const char *cafile, struct pop3_session **s,
                                     struct pv_error *err)
{
    struct pop3_config cfg = {
        .host = host, .port = port, .tls = tls, .cafile = cafile, .timeout_ms = 10000};
    pv_error_clear(err);
    return pop3_session_connect(&cfg, s, err);
}

/* Logs bob in over POP3S. */
static struct pop3_session *bob(void)
{
    struct pop3_session *s = NULL;
    struct pv_error err;
    enum pop3_status st = open_session("localhost", env("POPVIEW_TEST_POP3S_PORT"),
                                       POP3_TLS_IMPLICIT, env("POPVIEW_TEST_CA"), &s, &err);
    ck_assert_msg(st == POP3_OK, "connect: %s", err.msg);
    struct pop3_credentials cred = {.user = env("POPVIEW_TEST_BOB_USER"),
                                    .secret = env("POPVIEW_TEST_BOB_PASSWORD")};
    st = pop3_session_login(s, &cred, &err);
    ck_assert_msg(st == POP3_OK, "login: %s", err.msg);
    return s;
}

static unsigned bob_count(void)
{
    struct pop3_session *s = bob();
    struct pv_error err;
    unsigned count = 0;
    uint64_t octets = 0;
    ck_assert_int_eq(pop3_session_stat(s, &count, &octets, &err), POP3_OK);
    ck_assert_int_eq(pop3_session_quit(s, NULL, &err), POP3_OK);
    pop3_session_free(&s);
    return count;
}

START_TEST(stls_and_implicit_tls_with_cafile)
{
    const char *ca = env("POPVIEW_TEST_CA");
    struct pop3_session *s = NULL;
    struct pv_error err;
    ck_assert_int_eq(
        open_session("localhost", env("POPVIEW_TEST_POP3_PORT"), POP3_TLS_STLS, ca, &s, &err),
        POP3_OK);
    struct net_tls_info info;
    ck_assert(pop3_session_tls_info(s, &info));
    ck_assert(info.verified);
    /* After STLS the capabilities were asked again, over TLS: no STLS now. */
    ck_assert(!pop3_session_has_capa(s, "STLS"));
    ck_assert(pop3_session_has_capa(s, "USER"));
    pop3_session_free(&s);
    ck_assert_int_eq(
        open_session("localhost", env("POPVIEW_TEST_POP3S_PORT"), POP3_TLS_IMPLICIT, ca, &s, &err),
        POP3_OK);
    ck_assert(pop3_session_tls_info(s, &info));
    ck_assert_uint_eq(strlen(info.fingerprint), 95);
    pop3_session_free(&s);
}
END_TEST

START_TEST(wrong_name_and_unknown_ca_are_refused)
{
    struct pop3_session *s = NULL;
    struct pv_error err;
    /* No --cafile: the system store does not know the test CA. */
    ck_assert_int_eq(open_session("localhost", env("POPVIEW_TEST_POP3S_PORT"), POP3_TLS_IMPLICIT,
                                  NULL, &s, &err),
                     POP3_ERR_TLS);
    ck_assert_msg(strstr(err.msg, "issuer") && strstr(err.msg, "SHA-256"), "%s", err.msg);
    ck_assert_int_eq(open_session(env("POPVIEW_TEST_ADDR_WRONG_NAME"),
                                  env("POPVIEW_TEST_POP3S_PORT"), POP3_TLS_IMPLICIT,
                                  env("POPVIEW_TEST_CA"), &s, &err),
                     POP3_ERR_TLS);
    ck_assert_msg(strstr(err.msg, "wrong.example") != NULL, "%s", err.msg);
    /* The same refusal after STLS, before any credential. */
    ck_assert_int_eq(open_session(env("POPVIEW_TEST_ADDR_EXPIRED"), env("POPVIEW_TEST_POP3_PORT"),
                                  POP3_TLS_STLS, env("POPVIEW_TEST_CA"), &s, &err),
                     POP3_ERR_TLS);
    ck_assert_msg(strstr(err.msg, "expired") != NULL, "%s", err.msg);
    ck_assert_ptr_null(s);
}
END_TEST

START_TEST(wrong_password_is_auth_error)
{
    struct pop3_session *s = NULL;
    struct pv_error err;
    ck_assert_int_eq(open_session("localhost", env("POPVIEW_TEST_POP3S_PORT"), POP3_TLS_IMPLICIT,
                                  env("POPVIEW_TEST_CA"), &s, &err),
                     POP3_OK);
    struct pop3_credentials cred = {.user = env("POPVIEW_TEST_BOB_USER"), .secret = "nope"};
    ck_assert_int_eq(pop3_session_login(s, &cred, &err), POP3_ERR_AUTH);
    ck_assert_ptr_nonnull(strstr(err.msg, "user name or password"));
    pop3_session_free(&s);
}
END_TEST

START_TEST(dele_then_rset_keeps)
{
    unsigned before = bob_count();
    struct pop3_session *s = bob();
    struct pv_error err;
    ck_assert_int_eq(pop3_session_dele(s, 1, &err), POP3_OK);
    ck_assert_int_eq(pop3_session_rset(s, &err), POP3_OK);
    ck_assert_int_eq(pop3_session_quit(s, NULL, &err), POP3_OK);
    pop3_session_free(&s);
    ck_assert_uint_eq(bob_count(), before);
}
END_TEST

START_TEST(dele_then_dropped_connection_keeps)
{
    unsigned before = bob_count();
    struct pop3_session *s = bob();
    struct pv_error err;
    ck_assert_int_eq(pop3_session_dele(s, 1, &err), POP3_OK);
    ck_assert_int_eq(pop3_session_dele(s, 2, &err), POP3_OK);
    pop3_session_free(&s); /* the connection drops without QUIT */
    ck_assert_uint_eq(bob_count(), before);
}
END_TEST

START_TEST(dele_then_quit_deletes_exactly_that_message)
{
    struct pop3_session *s = bob();
    struct pv_error err;
    struct pop3_listing *list = NULL;
    size_t n = 0;
    ck_assert_int_eq(pop3_session_scan(s, &list, &n, &err), POP3_OK);
    ck_assert_uint_ge(n, 3);
    char *gone = pv_xstrdup(list[1].uid);
    ck_assert_int_eq(pop3_session_dele(s, 2, &err), POP3_OK);
    char *bye = NULL;
    ck_assert_int_eq(pop3_session_quit(s, &bye, &err), POP3_OK);
    free(bye);
    pop3_session_free(&s);

    s = bob();
    struct pop3_listing *after = NULL;
    size_t m = 0;
    ck_assert_int_eq(pop3_session_scan(s, &after, &m, &err), POP3_OK);
    ck_assert_uint_eq(m, n - 1);
    for (size_t i = 0; i < m; i++)
        ck_assert_str_ne(after[i].uid, gone);
    ck_assert_str_eq(after[0].uid, list[0].uid);
    ck_assert_str_eq(after[1].uid, list[2].uid);
    pop3_listing_free(&after, m);
    pop3_listing_free(&list, n);
    free(gone);
    ck_assert_int_eq(pop3_session_quit(s, NULL, &err), POP3_OK);
    pop3_session_free(&s);
}
END_TEST

static Suite *dovecot_suite(void)
{
    Suite *s = suite_create("session_dovecot");
    TCase *tc = tcase_create("dovecot");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, stls_and_implicit_tls_with_cafile);
    tcase_add_test(tc, wrong_name_and_unknown_ca_are_refused);
    tcase_add_test(tc, wrong_password_is_auth_error);
    tcase_add_test(tc, dele_then_rset_keeps);
    tcase_add_test(tc, dele_then_dropped_connection_keeps);
    tcase_add_test(tc, dele_then_quit_deletes_exactly_that_message);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(dovecot_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
