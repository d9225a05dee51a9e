/*
 * Tests for src/mail/address.c:
 *   bool mail_address_parse_first(const char *raw, struct mail_address *out);
 *   void mail_address_clear(struct mail_address *a);
 *   char *mail_address_display(const char *raw);
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <popview/util.h>

#include <popview/mail.h>

#include "src/mail/private.h"

/* ---- mail_address_parse_first ------------------------------------------- */

START_TEST(parse_null_and_empty)
{
    struct mail_address a = {(char *)"junk", (char *)"junk"};
    ck_assert(!mail_address_parse_first(NULL, &a));
    ck_assert_ptr_null(a.display);
    ck_assert_ptr_null(a.addr);
    ck_assert(!mail_address_parse_first("", &a));
    ck_assert(!mail_address_parse_first("   ", &a));
    ck_assert(!mail_address_parse_first(" , ; (only a comment)", &a));
    ck_assert_ptr_null(a.display);
    ck_assert_ptr_null(a.addr);
    ck_assert(!mail_address_parse_first("a@b", NULL));
}
END_TEST

static const struct {
    const char *raw;
    const char *display; /* NULL: none */
    const char *addr;    /* NULL: none */
} parse_cases[] = {
    {"john@example.com", NULL, "john@example.com"},
    {"<john@example.com>", NULL, "john@example.com"},
    {"John Doe <john@example.com>", "John Doe", "john@example.com"},
    {"\"John Doe\" <john@example.com>", "John Doe", "john@example.com"},
    {"\"Doe, John\" <john@example.com>, other@example.com", "Doe, John", "john@example.com"},
    {"John Q. Public <JQP@example.com>", "John Q. Public", "JQP@example.com"},
    /* the old comment form */
    {"john@example.com (John Doe)", "John Doe", "john@example.com"},
    {"john@example.com (John (the) Doe)", "John (the) Doe", "john@example.com"},
    {"<john@example.com> (John Doe)", "John Doe", "john@example.com"},
    {"John Doe (work) <john@example.com>", "John Doe", "john@example.com"},
    /* quoted-pairs */
    {"\"Jo \\\"Q\\\" Doe\" <j@example.com>", "Jo \"Q\" Doe", "j@example.com"},
    {"\"back\\\\slash\" <b@example.com>", "back\\slash", "b@example.com"},
    /* RFC 2047 in the display name, also inside quotes */
    {"=?UTF-8?B?SsO2cmc=?= <j@example.de>", "Jörg", "j@example.de"},
    {"=?UTF-8?Q?J=C3=B6rg?= =?UTF-8?Q?_M=C3=BCller?= <j@example.de>", "Jörg Müller",
     "j@example.de"},
    {"\"=?utf-8?q?J=C3=B6rg?=\" <j@example.de>", "Jörg", "j@example.de"},
    {"=?ISO-8859-1?Q?Andr=E9?= Pirard <PIRARD@vm1.ulg.ac.be>", "André Pirard",
     "PIRARD@vm1.ulg.ac.be"},
    {"=?utf-8?Q?Doe,_John?= <j@example.com>", "Doe, John", "j@example.com"},
    {"=?KOI8-R?B?8NLJ18XU?= <ivan@example.ru>", "Привет", "ivan@example.ru"},
    {"\"caf\xe9\" <c@example.fr>", "café", "c@example.fr"},
    /* groups: the group name is not a display name */
    {"Team: a@example.com, b@example.com;", NULL, "a@example.com"},
    {"Team: Ann <a@example.com>;", "Ann", "a@example.com"},
    {"Empty:; x@example.com", NULL, "x@example.com"},
    /* missing '>' */
    {"Name <a@example.com", "Name", "a@example.com"},
    {"Name <a@example.com, Other <b@example.com>", "Name", "a@example.com"},
    /* no angle brackets, words before the address */
    {"John Doe john@example.com", "John Doe", "john@example.com"},
    /* obsolete forms: source route, spaces around '@' and '.' */
    {"<@relay1,@relay2:a@example.com>", NULL, "a@example.com"},
    {"a @ example . com", NULL, "a@example.com"},
    {"< a@example.com >", NULL, "a@example.com"},
    /* a quoted local part and a domain literal */
    {"\"john doe\"@example.com", NULL, "\"john doe\"@example.com"},
    {"root@[192.0.2.1]", NULL, "root@[192.0.2.1]"},
    /* 8-bit addresses: UTF-8 (RFC 6532) kept, stray bytes as Windows-1252 */
    {"<j\xc3\xb6rg@example.de>", NULL, "jörg@example.de"},
    {"caf\xe9@example.fr", NULL, "café@example.fr"},
    /* empty list elements are skipped */
    {" , , Ann <a@example.com>", "Ann", "a@example.com"},
    /* a name without an address */
    {"\"Only A Name\"", "Only A Name", NULL},
    {"Only A Name <>", "Only A Name", NULL},
};

START_TEST(parse_table)
{
    struct mail_address a;
    bool ok = mail_address_parse_first(parse_cases[_i].raw, &a);
    ck_assert_msg(ok, "case %d: not parsed", _i);
    if (parse_cases[_i].display) {
        ck_assert_msg(a.display && strcmp(a.display, parse_cases[_i].display) == 0,
                      "case %d: display \"%s\"", _i, a.display ? a.display : "(null)");
        ck_assert(mail_utf8_valid(a.display, strlen(a.display)));
    } else {
        ck_assert_msg(!a.display, "case %d: display \"%s\"", _i, a.display);
    }
    if (parse_cases[_i].addr)
        ck_assert_msg(a.addr && strcmp(a.addr, parse_cases[_i].addr) == 0, "case %d: addr \"%s\"",
                      _i, a.addr ? a.addr : "(null)");
    else
        ck_assert_msg(!a.addr, "case %d: addr \"%s\"", _i, a.addr);
    mail_address_clear(&a);
}
END_TEST

/* ---- mail_address_clear -------------------------------------------------- */

START_TEST(clear_null_and_twice)
{
    mail_address_clear(NULL);
    struct mail_address a;
    ck_assert(mail_address_parse_first("A <a@b>", &a));
    mail_address_clear(&a);
    ck_assert_ptr_null(a.display);
    ck_assert_ptr_null(a.addr);
    mail_address_clear(&a);
}
END_TEST

/* ---- mail_address_display ------------------------------------------------ */

START_TEST(display_null_and_empty)
{
    char *s = mail_address_display(NULL);
    ck_assert_str_eq(s, "");
    free(s);
    s = mail_address_display("");
    ck_assert_str_eq(s, "");
    free(s);
}
END_TEST

static const struct {
    const char *raw;
    const char *want;
} display_cases[] = {
    {"\"John Doe\" <john@example.com>", "John Doe"},
    {"<john@example.com>", "john@example.com"},
    {"john@example.com", "john@example.com"},
    {"john@example.com (John)", "John"},
    {"\"\" <john@example.com>", "john@example.com"}, /* empty name: the address */
    {"=?UTF-8?B?SsO2cmc=?= <j@example.de>", "Jörg"},
    {"  Undisclosed recipients:;  ", "Undisclosed recipients:;"},
    {"=?utf-8?q?Mailer-Daemon?=:;", "Mailer-Daemon:;"},
    {"  <>  ", "<>"},
};

START_TEST(display_table)
{
    char *s = mail_address_display(display_cases[_i].raw);
    ck_assert_msg(strcmp(s, display_cases[_i].want) == 0, "case %d: got \"%s\"", _i, s);
    free(s);
}
END_TEST

static Suite *address_suite(void)
{
    Suite *s = suite_create("address");
    TCase *tc = tcase_create("mail_address_parse_first");
    tcase_add_test(tc, parse_null_and_empty);
    tcase_add_loop_test(tc, parse_table, 0, (int)PV_ARRAY_LEN(parse_cases));
    suite_add_tcase(s, tc);

    tc = tcase_create("mail_address_clear");
    tcase_add_test(tc, clear_null_and_twice);
    suite_add_tcase(s, tc);

    tc = tcase_create("mail_address_display");
    tcase_add_test(tc, display_null_and_empty);
    tcase_add_loop_test(tc, display_table, 0, (int)PV_ARRAY_LEN(display_cases));
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(address_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
