/*
 * What the index shows in its narrow columns: a date as short as it can be
 * while still unambiguous ("14:05" today, "Mon 14" this week, else the ISO
 * date), and the names of the sort orders.  Day names are English whatever
 * the locale, like the rest of the interface.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <popview/util.h>

#include <popview/mailbox.h>

#include "private.h"

static const char *const WEEKDAYS[7] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};

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
        snprintf(out, out_size, "%s %d", WEEKDAYS[tm_when.tm_wday % 7], tm_when.tm_mday);
        return;
    }
    snprintf(out, out_size, "%04d-%02d-%02d", tm_when.tm_year + 1900, tm_when.tm_mon + 1,
             tm_when.tm_mday);
}

static const struct {
    enum mailbox_sort key;
    const char *name;
} SORTS[] = {
    {MAILBOX_SORT_NUMBER, "number"},   {MAILBOX_SORT_DATE, "date"}, {MAILBOX_SORT_FROM, "from"},
    {MAILBOX_SORT_SUBJECT, "subject"}, {MAILBOX_SORT_SIZE, "size"},
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
