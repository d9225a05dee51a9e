/*
 * Tests for src/tui/format.c:
 *   void tui_format_date(int64_t when, time_t now, char *out, size_t out_size);
 *   enum mailbox_sort tui_sort_next(enum mailbox_sort key);
 *   const char *tui_sort_name(enum mailbox_sort key);
 *   bool tui_sort_by_name(const char *name, enum mailbox_sort *key_out);
 *   void tui_format_date_custom(const char *format, int64_t when, char *out, size_t size);
 *   void tui_format_index_date(const struct tui_prefs *prefs, int64_t when, time_t now,
 *       char *out, size_t out_size);
 *   int tui_index_date_columns(const struct tui_prefs *prefs);
 * Dates are checked in TZ=UTC so the expected strings are fixed.
 */
#include <check.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <popview/util.h>

#include <popview/mailbox.h>

#include <popview/tui.h>

#include "src/tui/private.h"

/* Monday 2026-11-23 12:00:00 UTC */
static const time_t NOW = 1795435200;

START_TEST(date_short_forms)
{
    static const struct {
        int64_t when;
        const char *want;
    } cases[] = {
        {1795435200 - 12 * 3600, "00:00"},         /* today, midnight */
        {1795435200 - 6 * 3600 + 5 * 60, "06:05"}, /* today */
        {1795435200 + 3600, "13:00"},              /* later today (a clock ahead) */
        {1795435200 - 13 * 3600, "Sun 22"},        /* yesterday evening */
        {1795435200 - 3 * 86400, "Fri 20"},        /* this week */
        {1795435200 - 7 * 86400, "2026-11-16"},    /* a week ago: the full date */
        {1795435200 + 2 * 86400, "2026-11-25"},    /* in the future: the full date */
        {1662368400, "2022-09-05"},                /* 2022-09-05 09:00 */
    };
    for (size_t i = 0; i < PV_ARRAY_LEN(cases); i++) {
        char out[16];
        tui_format_date(cases[i].when, NOW, out, sizeof out);
        ck_assert_msg(strcmp(out, cases[i].want) == 0, "case %zu: %s, want %s", i, out,
                      cases[i].want);
    }
}
END_TEST

/* The weekday is the locale's own (LC_TIME): Russian gets "Вс 22", not
 * "Sun 22".  Needs the ru_RU.UTF-8 locale (.ci/install-deps makes it);
 * without it there is nothing to compare, and the test says so. */
START_TEST(date_weekday_in_the_locale)
{
    if (!setlocale(LC_TIME, "ru_RU.UTF-8") || !setlocale(LC_CTYPE, "ru_RU.UTF-8")) {
        fprintf(stderr, "date_weekday_in_the_locale: no ru_RU.UTF-8 locale, not checked\n");
        return;
    }
    char out[32];
    tui_format_date(1795435200 - 13 * 3600, NOW, out, sizeof out);
    ck_assert_str_eq(out, "Вс 22");
    tui_format_date(1795435200 - 3 * 86400, NOW, out, sizeof out);
    ck_assert_str_eq(out, "Пт 20");
    /* Dates further back do not name a day, in any language. */
    tui_format_date(1795435200 - 7 * 86400, NOW, out, sizeof out);
    ck_assert_str_eq(out, "2026-11-16");
    setlocale(LC_TIME, "C");
    tui_format_date(1795435200 - 3 * 86400, NOW, out, sizeof out);
    ck_assert_str_eq(out, "Fri 20");
}
END_TEST

START_TEST(date_fits_small_buffers)
{
    char out[4];
    tui_format_date(1662368400, NOW, out, sizeof out);
    ck_assert_str_eq(out, "202");
}
END_TEST

START_TEST(sort_cycle_visits_every_key_once)
{
    enum mailbox_sort k = MAILBOX_SORT_NUMBER;
    const char *names[5];
    for (int i = 0; i < 5; i++) {
        names[i] = tui_sort_name(k);
        k = tui_sort_next(k);
    }
    ck_assert_int_eq(k, MAILBOX_SORT_NUMBER);
    ck_assert_str_eq(names[0], "number");
    ck_assert_str_eq(names[1], "date");
    ck_assert_str_eq(names[2], "from");
    ck_assert_str_eq(names[3], "subject");
    ck_assert_str_eq(names[4], "size");
    ck_assert_str_eq(tui_sort_name((enum mailbox_sort)99), "?");
    ck_assert_int_eq(tui_sort_next((enum mailbox_sort)99), MAILBOX_SORT_NUMBER);
}
END_TEST

START_TEST(sort_by_name)
{
    enum mailbox_sort k = MAILBOX_SORT_NUMBER;
    ck_assert(!tui_sort_by_name("", &k));
    ck_assert(!tui_sort_by_name("age", &k));
    ck_assert_int_eq(k, MAILBOX_SORT_NUMBER);
    ck_assert(tui_sort_by_name("Subject", &k));
    ck_assert_int_eq(k, MAILBOX_SORT_SUBJECT);
    for (enum mailbox_sort i = MAILBOX_SORT_NUMBER; i <= MAILBOX_SORT_SIZE; i++) {
        ck_assert(tui_sort_by_name(tui_sort_name(i), &k));
        ck_assert_int_eq(k, i);
    }
}
END_TEST

START_TEST(date_custom)
{
    char out[64];
    tui_format_date_custom("%Y-%m-%d %H:%M", 1662368400, out, sizeof out);
    ck_assert_str_eq(out, "2022-09-05 09:00");
    tui_format_date_custom("%d.%m.%y", 1662368400, out, sizeof out);
    ck_assert_str_eq(out, "05.09.22");
    /* Too long for out: "?" rather than a cut date that could mislead. */
    char small[6];
    tui_format_date_custom("%Y-%m-%d", 1662368400, small, sizeof small);
    ck_assert_str_eq(small, "?");
}
END_TEST

START_TEST(index_date_and_columns)
{
    char out[64];
    /* No prefs, or prefs without a format: the short forms, 10 columns. */
    tui_format_index_date(NULL, 1795435200 - 3 * 86400, NOW, out, sizeof out);
    ck_assert_str_eq(out, "Fri 20");
    ck_assert_int_eq(tui_index_date_columns(NULL), 10);
    struct tui_prefs *p = tui_prefs_new();
    ck_assert_int_eq(tui_index_date_columns(p), 10);
    struct pv_error err;
    pv_error_clear(&err);
    ck_assert_int_eq(tui_prefs_set(p, "date_format", "%a %d %b %H:%M", &err), TUI_PREFS_OK);
    tui_format_index_date(p, 1795435200 - 3 * 86400, NOW, out, sizeof out);
    ck_assert_str_eq(out, "Fri 20 Nov 12:00");
    ck_assert_int_eq(tui_index_date_columns(p), 16);
    ck_assert_int_eq(tui_prefs_set(p, "date_format", "%A", &err), TUI_PREFS_OK);
    ck_assert_int_eq(tui_index_date_columns(p), 9); /* Wednesday */
    tui_prefs_free(&p);
}
END_TEST

static Suite *format_suite(void)
{
    Suite *s = suite_create("tui_format");
    TCase *tc = tcase_create("tui_format_date");
    tcase_add_test(tc, date_short_forms);
    tcase_add_test(tc, date_fits_small_buffers);
    tcase_add_test(tc, date_weekday_in_the_locale);
    suite_add_tcase(s, tc);
    tc = tcase_create("tui_sort_next");
    tcase_add_test(tc, sort_cycle_visits_every_key_once);
    suite_add_tcase(s, tc);
    tc = tcase_create("tui_sort_by_name");
    tcase_add_test(tc, sort_by_name);
    suite_add_tcase(s, tc);
    tc = tcase_create("tui_format_date_custom");
    tcase_add_test(tc, date_custom);
    suite_add_tcase(s, tc);
    tc = tcase_create("tui_format_index_date");
    tcase_add_test(tc, index_date_and_columns);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    setenv("TZ", "UTC", 1);
    tzset();
    SRunner *sr = srunner_create(format_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
