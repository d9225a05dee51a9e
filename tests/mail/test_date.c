/*
 * Tests for src/mail/date.c:
 *   bool mail_date_parse(const char *raw, int64_t *when_out, int *tz_offset_min_out);
 *   void mail_date_format_iso(int64_t when, int tz_offset_min, char *out, size_t out_size);
 * Expected epochs were computed independently (Python's datetime).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <popview/util.h>

#include <popview/mail.h>

/* ---- mail_date_parse ----------------------------------------------------- */

START_TEST(parse_null_and_empty)
{
    int64_t when = 42;
    int tz = 42;
    ck_assert(!mail_date_parse(NULL, &when, &tz));
    ck_assert(!mail_date_parse("", &when, &tz));
    ck_assert(!mail_date_parse("   (just a comment)  ", &when, &tz));
    ck_assert_int_eq(when, 42);
    ck_assert_int_eq(tz, 42);
    /* both outputs are optional */
    ck_assert(mail_date_parse("2 Mar 2025 14:05 +0100", NULL, NULL));
}
END_TEST

static const struct {
    const char *raw;
    int64_t when;
    int tz;
} good_cases[] = {
    /* RFC 5322, section 3.3 */
    {"Sun, 2 Mar 2025 14:05:00 +0100", 1740920700, 60},
    {"Sun, 02 Mar 2025 14:05:00 +0100", 1740920700, 60},
    {"2 Mar 2025 14:05:00 +0100", 1740920700, 60},   /* no weekday */
    {"Sun, 2 Mar 2025 14:05 +0100", 1740920700, 60}, /* no seconds */
    {"Sun, 2 Mar 2025 14:05:00 +0530", 1740904500, 330},
    {"Fri, 29 Feb 2024 12:00:00 -0330", 1709220600, -210},
    {"Thu, 01 Jan 1970 00:00:00 +0000", 0, 0},
    {"Thu, 01 Jan 1970 00:00:00 -0000", 0, 0},
    {"Fri, 31 Dec 1999 23:59:59 +0000", 946684799, 0},
    {"Tue, 19 Jan 2038 03:14:08 +0000", 2147483648, 0},
    {"Mon, 1 Mar 2100 00:00:00 +0000", 4107542400, 0},
    {"Tue, 29 Feb 2000 00:00:00 +0000", 951782400, 0},
    {"Mon, 1 Jan 1900 00:00:00 +0000", -2208988800, 0},
    {"Fri, 31 Dec 9999 23:59:59 +0000", 253402300799, 0},
    {"Tue, 1 Jul 2003 10:52:37 +0200", 1057049557, 120}, /* RFC 5322 appendix A.1.1 */
    /* extra white space, comments, folding (section 4.3 allows CFWS) */
    {"  Sun ,  2   Mar\r\n 2025  14 : 05 : 00   +0100  ", 1740920700, 60},
    {"Sun, 2 Mar 2025 14:05:00 +0100 (CET)", 1740920700, 60},
    {"(weekday) Sun, (day) 2 Mar 2025 14:05:00 (nested (comment)) +0100", 1740920700, 60},
    {"Fri, 21 Nov 1997 09(comment):   55  :  06 -0600", 880127706, -360},
    /* two- and three-digit years (section 4.3) */
    {"Sun, 2 Mar 25 14:05:00 +0100", 1740920700, 60},
    {"1 Jan 49 00:00 +0000", 2493072000, 0},
    {"1 Jan 50 00:00 +0000", -631152000, 0},
    {"1 Jan 99 23:59:59 +0000", 915235199, 0},
    {"Sat, 1 Jan 100 00:00:00 GMT", 946684800, 0},
    /* alphabetic zones */
    {"2 Mar 2025 14:05:00 GMT", 1740924300, 0},
    {"2 Mar 2025 14:05:00 UT", 1740924300, 0},
    {"2 Mar 2025 14:05:00 UTC", 1740924300, 0},
    {"2 Mar 2025 14:05:00 EST", 1740942300, -300},
    {"2 Mar 2025 14:05:00 EDT", 1740938700, -240},
    {"2 Mar 2025 14:05:00 CST", 1740945900, -360},
    {"2 Mar 2025 14:05:00 CDT", 1740942300, -300},
    {"2 Mar 2025 14:05:00 MST", 1740949500, -420},
    {"2 Mar 2025 14:05:00 MDT", 1740945900, -360},
    {"2 Mar 2025 14:05:00 PST", 1740953100, -480},
    {"2 Mar 2025 14:05:00 pdt", 1740949500, -420},
    {"2 Mar 2025 14:05:00 Z", 1740924300, 0},
    {"2 Mar 2025 14:05:00 A", 1740924300, 0}, /* military: +0000, sign unknown */
    {"2 Mar 2025 14:05:00 Y", 1740924300, 0},
    {"2 Mar 2025 14:05:00 CEST", 1740924300, 0}, /* unknown: +0000 */
    {"2 Mar 2025 14:05:00", 1740924300, 0},      /* missing: +0000 */
    /* common mistakes */
    {"2 Mar 2025 14:05:00 +01:00", 1740920700, 60},
    {"2 Mar 2025 14:05:00 GMT+0100", 1740920700, 60},
    {"Tue, 15 Mar 2011 10:00:00 +0100", 1300179600, 60},
    {"Sunday, 2 March 2025 14:05:00 +0100", 1740920700, 60},
    {"Sun, 2-Mar-2025 14:05:00 +0100", 1740920700, 60},
    {"sun, 2 mar 2025 14:05:00 +0100", 1740920700, 60},
    {"2 Mar 2025", 1740873600, 0}, /* no time: midnight */
    /* asctime */
    {"Mon Jan  2 15:04:05 2006", 1136214245, 0},
    {"Jan 2 15:04:05 2006", 1136214245, 0},
    /* leap second */
    {"Wed, 31 Dec 2008 23:59:60 +0000", 1230768000, 0},
};

START_TEST(parse_good_table)
{
    int64_t when = -1;
    int tz = -9999;
    ck_assert_msg(mail_date_parse(good_cases[_i].raw, &when, &tz), "case %d \"%s\" rejected", _i,
                  good_cases[_i].raw);
    ck_assert_msg(when == good_cases[_i].when, "case %d: when %lld", _i, (long long)when);
    ck_assert_msg(tz == good_cases[_i].tz, "case %d: tz %d", _i, tz);
}
END_TEST

static const char *const bad_cases[] = {
    "garbage",
    "Sun, 2 Foo 2025 14:05:00 +0100", /* no such month */
    "31 Feb 2024 00:00:00 +0000",     /* no such day */
    "29 Feb 2023 00:00:00 +0000",     /* not a leap year */
    "29 Feb 1900 00:00:00 +0000",     /* century, not a leap year */
    "31 Apr 2025 00:00:00 +0000",
    "0 Mar 2025 00:00:00 +0000",
    "2 Mar 2025 24:00:00 +0000",
    "2 Mar 2025 14:60:00 +0000",
    "2 Mar 2025 14:05:61 +0000",
    "2 Mar 2025 14:05:00 +0199", /* zone minutes */
    "2 Mar 2025 14:05:00 +2500", /* zone hours */
    "2 Mar 2025 14:05:00 +01000",
    "2 Mar 1899 14:05:00 +0000", /* before 1900 (section 3.3) */
    "2 Mar 20255 14:05:00 +0000",
    "2 Mar 14:05:00 +0000", /* no year */
    "Mar 2025",
    "Sun, 2 Mar",
    "123 Mar 2025 14:05 +0000",
    "2 Mar 2025 14 +0000", /* hour without minutes */
    "2 Mar 2025 14:05:00 GMT+9",
    "Sun,",
};

START_TEST(parse_bad_table)
{
    int64_t when = 7;
    ck_assert_msg(!mail_date_parse(bad_cases[_i], &when, NULL), "case %d \"%s\" accepted", _i,
                  bad_cases[_i]);
    ck_assert_int_eq(when, 7);
}
END_TEST

/* ---- mail_date_format_iso ------------------------------------------------ */

START_TEST(format_small_buffers)
{
    mail_date_format_iso(0, 0, NULL, 10);
    char out[8] = "xxxxxxx";
    mail_date_format_iso(0, 0, out, 0);
    ck_assert_str_eq(out, "xxxxxxx");
    mail_date_format_iso(0, 0, out, sizeof out);
    ck_assert_str_eq(out, "1970-01");
}
END_TEST

static const struct {
    int64_t when;
    int tz;
    const char *want;
} format_cases[] = {
    {1740920700, 60, "2025-03-02T14:05:00+01:00"},
    {1740920700, 0, "2025-03-02T13:05:00+00:00"},
    {1740942300, -300, "2025-03-02T14:05:00-05:00"},
    {1740904500, 330, "2025-03-02T14:05:00+05:30"},
    {1709220600, -210, "2024-02-29T12:00:00-03:30"},
    {0, 0, "1970-01-01T00:00:00+00:00"},
    {-1, 0, "1969-12-31T23:59:59+00:00"},
    {-2208988800, 0, "1900-01-01T00:00:00+00:00"},
    {951782400, 0, "2000-02-29T00:00:00+00:00"},
    {4107542400 - 1, 0, "2100-02-28T23:59:59+00:00"},
    {253402300799, 0, "9999-12-31T23:59:59+00:00"},
    {0, 100000, "1970-01-01T00:00:00+00:00"}, /* nonsense zone ignored */
};

START_TEST(format_table)
{
    char out[64];
    mail_date_format_iso(format_cases[_i].when, format_cases[_i].tz, out, sizeof out);
    ck_assert_str_eq(out, format_cases[_i].want);
}
END_TEST

/* Parsing what we format gives back the same instant and zone. */
START_TEST(format_then_parse_round_trip)
{
    static const int zones[] = {0, 60, -300, 330, -720, 840};
    for (int64_t when = -2208988800 + 86400; when < 4102444800; when += 86400 * 37 + 3671) {
        int tz = zones[(size_t)(when & 0x7fffffff) % PV_ARRAY_LEN(zones)];
        char iso[64];
        mail_date_format_iso(when, tz, iso, sizeof iso);
        /* "YYYY-MM-DDThh:mm:ss+hh:mm" -> "DD Mon YYYY hh:mm:ss +hhmm" */
        static const char *const mon[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
        int m = (iso[5] - '0') * 10 + (iso[6] - '0');
        char rfc[64];
        snprintf(rfc, sizeof rfc, "%.2s %s %.4s %.8s %c%.2s%.2s", iso + 8, mon[m - 1], iso,
                 iso + 11, iso[19], iso + 20, iso + 23);
        int64_t back;
        int back_tz;
        ck_assert_msg(mail_date_parse(rfc, &back, &back_tz), "%s", rfc);
        ck_assert_msg(back == when && back_tz == tz, "%s -> %s -> %lld", iso, rfc, (long long)back);
    }
}
END_TEST

static Suite *date_suite(void)
{
    Suite *s = suite_create("date");
    TCase *tc = tcase_create("mail_date_parse");
    tcase_add_test(tc, parse_null_and_empty);
    tcase_add_loop_test(tc, parse_good_table, 0, (int)PV_ARRAY_LEN(good_cases));
    tcase_add_loop_test(tc, parse_bad_table, 0, (int)PV_ARRAY_LEN(bad_cases));
    suite_add_tcase(s, tc);

    tc = tcase_create("mail_date_format_iso");
    tcase_add_test(tc, format_small_buffers);
    tcase_add_loop_test(tc, format_table, 0, (int)PV_ARRAY_LEN(format_cases));
    tcase_add_test(tc, format_then_parse_round_trip);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(date_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
