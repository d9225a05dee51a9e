/*
 * Tests for src/tui/inspect.c, the server inspector's page:
 *   void inspect_server_lines(const struct explain *ex, const struct mailbox_server_info *info,
 *                             enum pop3_state st, int64_t idle_ms, unsigned keepalive_s,
 *                             struct info_page *page);
 * Here: the TLS part, with the certificate chain as the server sent it.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <popview/util.h>

#include <popview/net.h>

#include <popview/mailbox.h>

#include "src/tui/teach.h"

static struct explain *ex;

static void setup(void)
{
    struct pv_error err;
    pv_error_clear(&err);
    ex = explain_builtin("en", &err);
    ck_assert_msg(ex != NULL, "%s", err.msg);
}

static void teardown(void)
{
    explain_free(&ex);
}

static const char *page_text(const struct info_page *page)
{
    return page->text.data ? page->text.data : "";
}

static void cert(struct net_tls_cert *c, const char *subject, const char *issuer, char fp_byte)
{
    memset(c, 0, sizeof *c);
    snprintf(c->subject, sizeof c->subject, "%s", subject);
    snprintf(c->issuer, sizeof c->issuer, "%s", issuer);
    size_t o = 0;
    for (int i = 0; i < 32; i++)
        o += (size_t)snprintf(c->fingerprint + o, sizeof c->fingerprint - o, i ? ":%c%c" : "%c%c",
                              fp_byte, fp_byte);
    c->not_before = 1700000000; /* 2023-11-14 */
    c->not_after = 4102444800;  /* 2100-01-01 */
}

/* ---- inspect_server_lines -------------------------------------------------------- */

START_TEST(no_tls_says_so)
{
    struct mailbox_server_info info = {.known = true, .greeting = "ready"};
    struct info_page page;
    memset(&page, 0, sizeof page);
    inspect_server_lines(ex, &info, POP3_STATE_TRANSACTION, 0, 60, &page);
    ck_assert_ptr_nonnull(strstr(page_text(&page), "TLS              none"));
    ck_assert_ptr_nonnull(strstr(page_text(&page), "not encrypted"));
    ck_assert_ptr_null(strstr(page_text(&page), "Chain"));
    info_page_free(&page);
}
END_TEST

/* Every certificate kept is listed in order, with its issuer, validity and
 * fingerprint; those not kept are counted. */
START_TEST(chain_listed_in_order)
{
    struct mailbox_server_info info = {.known = true, .greeting = "ready", .tls = true};
    struct net_tls_info *t = &info.tls_info;
    snprintf(t->protocol, sizeof t->protocol, "TLS1.3");
    snprintf(t->cipher, sizeof t->cipher, "TLS_AES_128_GCM_SHA256");
    cert(&t->chain[0], "CN=mail.example", "CN=Example Issuing CA", 'A');
    cert(&t->chain[1], "CN=Example Issuing CA", "CN=Example Root", 'B');
    t->chain_kept = 2;
    t->chain_length = 3;
    snprintf(t->subject, sizeof t->subject, "%s", t->chain[0].subject);
    snprintf(t->issuer, sizeof t->issuer, "%s", t->chain[0].issuer);
    snprintf(t->fingerprint, sizeof t->fingerprint, "%s", t->chain[0].fingerprint);
    t->not_before = t->chain[0].not_before;
    t->not_after = t->chain[0].not_after;
    t->verified = true;
    struct info_page page;
    memset(&page, 0, sizeof page);
    inspect_server_lines(ex, &info, POP3_STATE_TRANSACTION, 0, 60, &page);
    const char *s = page_text(&page);
    ck_assert_ptr_nonnull(strstr(s, "Chain            3 certificates sent by the server\n"));
    const char *first = strstr(s, "1. CN=mail.example\n");
    const char *second = strstr(s, "2. CN=Example Issuing CA\n");
    ck_assert_ptr_nonnull(first);
    ck_assert_ptr_nonnull(second);
    ck_assert(first < second);
    ck_assert_ptr_nonnull(strstr(first, "issued by CN=Example Issuing CA\n"));
    ck_assert_ptr_nonnull(strstr(second, "issued by CN=Example Root\n"));
    ck_assert_ptr_nonnull(strstr(first, "valid 2023-11-14 22:13 UTC to 2100-01-01 00:00 UTC\n"));
    ck_assert_ptr_nonnull(
        strstr(first, "SHA-256 AA:AA:AA:AA:AA:AA:AA:AA:AA:AA:AA:AA:AA:AA:AA:AA\n"));
    ck_assert_ptr_nonnull(
        strstr(second, "SHA-256 BB:BB:BB:BB:BB:BB:BB:BB:BB:BB:BB:BB:BB:BB:BB:BB\n"));
    ck_assert_ptr_nonnull(strstr(s, "(1 more certificate not shown)"));
    ck_assert_ptr_nonnull(strstr(s, "Verified         yes"));
    info_page_free(&page);
}
END_TEST

/* The role of the chain's "valid ..." line for a certificate whose end of
 * validity is not_after, after checking the line holds want. */
static enum tui_role validity_role(int64_t not_after, const char *want)
{
    struct mailbox_server_info info = {.known = true, .greeting = "ready", .tls = true};
    struct net_tls_info *t = &info.tls_info;
    cert(&t->chain[0], "CN=old.example", "CN=CA", 'C');
    t->chain[0].not_after = not_after;
    t->chain_kept = t->chain_length = 1;
    t->verified = true;
    struct info_page page;
    memset(&page, 0, sizeof page);
    inspect_server_lines(ex, &info, POP3_STATE_TRANSACTION, 0, 60, &page);
    const char *s = page_text(&page);
    size_t line = 0;
    int role = -1;
    for (const char *p = s; *p; line++) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        char one[512];
        snprintf(one, sizeof one, "%.*s", (int)(len < sizeof one ? len : sizeof one - 1), p);
        if (strstr(one, "valid ") && strstr(one, want)) {
            ck_assert_uint_lt(line, page.count);
            role = (int)page.roles[line];
        }
        p += nl ? len + 1 : len;
    }
    ck_assert_msg(role >= 0, "no validity line with '%s'", want);
    info_page_free(&page);
    return (enum tui_role)role;
}

/* An expired certificate in the chain is shown in the error colour. */
START_TEST(chain_expired_marked)
{
    ck_assert_int_eq(validity_role(1000000000 /* 2001 */, "2001-09-09"), ROLE_TR_ERR);
}
END_TEST

/* A date GnuTLS could not read (-1) shows as "?", and is not called expired. */
START_TEST(chain_unreadable_date_not_expired)
{
    ck_assert_int_eq(validity_role(-1, "to ?"), ROLE_NORMAL);
}
END_TEST

static Suite *inspect_suite(void)
{
    Suite *s = suite_create("tui_inspect");
    TCase *tc = tcase_create("inspect_server_lines");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, no_tls_says_so);
    tcase_add_test(tc, chain_listed_in_order);
    tcase_add_test(tc, chain_expired_marked);
    tcase_add_test(tc, chain_unreadable_date_not_expired);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(inspect_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
