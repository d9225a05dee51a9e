/*
 * What the index shows in its narrow columns: a date as short as it can be
 * while still unambiguous ("14:05" today, "Mon 14" this week, else the ISO
 * date), and the names of the sort orders.  Day names are the locale's own
 * (LC_TIME: "Mon 14" in English, "Пн 14" in Russian); the sort names are
 * English in the config file and translated on screen (N_ here, _() where
 * they are shown).  The config's date_format
 * replaces the short forms with a strftime format of the person's choosing
 * (in the locale's language, since they chose it), and its column is as
 * wide as the widest of a few sample dates.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <popview/util.h>

#include <popview/mailbox.h>

#include <popview/i18n.h>

#include "private.h"

static const char *const WEEKDAYS[7] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};

/* Longer abbreviations than this would crowd the day number out of the
 * date column (10 columns); such a locale gets the English one. */
enum { WEEKDAY_COLS_MAX = 5 };

/* The abbreviated weekday of tm in the locale's LC_TIME ("Mon", "Пн"). */
static void weekday_name(const struct tm *tm, char *out, size_t out_size)
{
    size_t len = strftime(out, out_size, "%a", tm);
    size_t cols = len ? tui_text_columns(out, len) : 0;
    if (cols == 0 || cols > WEEKDAY_COLS_MAX)
        snprintf(out, out_size, "%s", WEEKDAYS[tm->tm_wday % 7]);
}

static bool same_day(const struct tm *a, const struct tm *b)
{
    return a->tm_year == b->tm_year && a->tm_yday == b->tm_yday;
}

void tui_format_date(int64_t when, time_t now, char *out, size_t out_size)
{
    time_t t = (time_t)when;
    struct tm tm_when;
    struct tm tm_now;
    if (!localtime_r(&t, &tm_when) || !localtime_r(&now, &tm_now)) {
        snprintf(out, out_size, "?");
        return;
    }
    if (same_day(&tm_when, &tm_now)) {
        snprintf(out, out_size, "%02d:%02d", tm_when.tm_hour, tm_when.tm_min);
        return;
    }
    /* Within the last week the weekday is enough; a date in the future
     * (a wrong clock) gets the full date so it is not mistaken for a past one. */
    if (when < (int64_t)now && (int64_t)now - when < 7 * 24 * 3600) {
        char day[32];
        weekday_name(&tm_when, day, sizeof day);
        snprintf(out, out_size, "%s %d", day, tm_when.tm_mday);
        return;
    }
    snprintf(out, out_size, "%04d-%02d-%02d", tm_when.tm_year + 1900, tm_when.tm_mon + 1,
             tm_when.tm_mday);
}

static const struct {
    enum mailbox_sort key;
    const char *name;
} SORTS[] = {
    {MAILBOX_SORT_NUMBER, N_("number")}, {MAILBOX_SORT_DATE, N_("date")},
    {MAILBOX_SORT_FROM, N_("from")},     {MAILBOX_SORT_SUBJECT, N_("subject")},
    {MAILBOX_SORT_SIZE, N_("size")},
};

enum mailbox_sort tui_sort_next(enum mailbox_sort key)
{
    for (size_t i = 0; i < PV_ARRAY_LEN(SORTS); i++) {
        if (SORTS[i].key == key)
            return SORTS[(i + 1) % PV_ARRAY_LEN(SORTS)].key;
    }
    return MAILBOX_SORT_NUMBER;
}

const char *tui_sort_name(enum mailbox_sort key)
{
    for (size_t i = 0; i < PV_ARRAY_LEN(SORTS); i++) {
        if (SORTS[i].key == key)
            return SORTS[i].name;
    }
    return "?";
}

bool tui_sort_by_name(const char *name, enum mailbox_sort *key_out)
{
    for (size_t i = 0; i < PV_ARRAY_LEN(SORTS); i++) {
        if (pv_ascii_ieq(name, SORTS[i].name)) {
            *key_out = SORTS[i].key;
            return true;
        }
    }
    return false;
}

/* The format is the person's own, from the config file (checked there). */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"

void tui_format_date_custom(const char *format, int64_t when, char *out, size_t out_size)
{
    time_t t = (time_t)when;
    struct tm tm_when;
    /* strftime returns 0 both for "does not fit" and for an empty result;
     * either way there is nothing to show. */
    if (!localtime_r(&t, &tm_when) || strftime(out, out_size, format, &tm_when) == 0)
        snprintf(out, out_size, "?");
}

void tui_format_index_date(const struct tui_prefs *prefs, int64_t when, time_t now, char *out,
                           size_t out_size)
{
    if (prefs && prefs->date_format)
        tui_format_date_custom(prefs->date_format, when, out, out_size);
    else
        tui_format_date(when, now, out, out_size);
}

/* Samples that make names and numbers as wide as they get: the longest
 * English day and month names (Wednesday, September; noon, so that they
 * stay those days in every time zone), two-digit days and hours, a date
 * this year and one long ago. */
static const int64_t WIDTH_SAMPLES[] = {
    1790769600, /* Wednesday 2026-09-30 12:00 UTC */
    1798027200, /* Wednesday 2026-12-23 12:00 UTC */
    1790330399, /* Friday 2026-09-25 09:59:59 UTC */
    1771545599, /* Thursday 2026-02-19 23:59:59 UTC */
    946684799,  /* Friday 1999-12-31 23:59:59 UTC */
};

enum { DEFAULT_DATE_COLS = 10 };

/* 0 when the format gives nothing to show (prefs.c refuses it then). */
int tui_index_date_columns(const struct tui_prefs *prefs)
{
    if (!prefs || !prefs->date_format)
        return DEFAULT_DATE_COLS;
    size_t widest = 0;
    for (size_t i = 0; i < PV_ARRAY_LEN(WIDTH_SAMPLES); i++) {
        char out[TUI_DATE_COLS_MAX * 4 + 1];
        struct tm tm_when;
        time_t t = (time_t)WIDTH_SAMPLES[i];
        if (!localtime_r(&t, &tm_when))
            continue;
        size_t len = strftime(out, sizeof out, prefs->date_format, &tm_when);
        size_t cols = tui_text_columns(out, len); /* 0 when empty or too long */
        if (cols > widest)
            widest = cols;
    }
    return widest > TUI_DATE_COLS_MAX ? TUI_DATE_COLS_MAX : (int)widest;
}

#pragma GCC diagnostic pop
