/*
 * Message dates: RFC 5322, section 3.3, with the obsolete forms of section
 * 4.3 that old and broken mailers still send (two- and three-digit years,
 * alphabetic zones, comments anywhere, optional weekday and seconds), plus
 * the asctime form "Mon Jan  2 15:04:05 2006" seen in some gateways.  The
 * calendar arithmetic is our own, in the proleptic Gregorian calendar, so
 * nothing depends on the C library's time zone or locale (timegm, mktime).
 *
 * Glossary: "CFWS" is comments and folding white space (section 3.2.2);
 * "epoch" is 1970-01-01T00:00:00Z; a "civil" date is year, month, day.
 */
#include <stdio.h>
#include <string.h>

#include <popview/util.h>

#include <popview/mail.h>

enum {
    SECONDS_PER_DAY = 86400,
    DAYS_PER_400_YEARS = 146097,
    /* Zones are at most +-99:59 in the grammar; larger offsets are nonsense. */
    TZ_MINUTES_MAX = 99 * 60 + 59,
};

static const char *const month_names[12] = {
    "january", "february", "march",     "april",   "may",      "june",
    "july",    "august",   "september", "october", "november", "december",
};
static const char *const day_names[7] = {
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
};

/* ---- Calendar ----------------------------------------------------------- */

static bool is_leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static unsigned days_in_month(int64_t y, unsigned m)
{
    static const unsigned len[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : len[m - 1];
}

/* Days from 0001-01-01 to January 1st of year y (y >= 1). */
static int64_t days_before_year(int64_t y)
{
    int64_t p = y - 1;
    return p * 365 + p / 4 - p / 100 + p / 400;
}

static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    int64_t days = days_before_year(y) - days_before_year(1970);
    for (unsigned i = 1; i < m; i++)
        days += days_in_month(y, i);
    return days + d - 1;
}

/* The inverse, for any day number: whole 400-year cycles first (they all
 * have the same length), then centuries, 4-year blocks and years in it. */
static void civil_from_days(int64_t days, int64_t *y_out, unsigned *m_out, unsigned *d_out)
{
    int64_t n = days + days_before_year(1970); /* days since 0001-01-01 */
    int64_t cycles = n / DAYS_PER_400_YEARS;
    int64_t r = n % DAYS_PER_400_YEARS;
    if (r < 0) {
        r += DAYS_PER_400_YEARS;
        cycles--;
    }
    int64_t c = r / 36524;
    if (c == 4)
        c = 3; /* the last day of a leap 400th year */
    r -= c * 36524;
    int64_t q = r / 1461;
    r -= q * 1461;
    int64_t a = r / 365;
    if (a == 4)
        a = 3; /* the last day of a leap year */
    r -= a * 365;
    int64_t y = cycles * 400 + c * 100 + q * 4 + a + 1;
    unsigned m = 1;
    while (r >= days_in_month(y, m)) {
        r -= days_in_month(y, m);
        m++;
    }
    *y_out = y;
    *m_out = m;
    *d_out = (unsigned)r + 1;
}

/* ---- Lexing ------------------------------------------------------------- */

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Skips white space, comments (nested, with quoted-pairs) and commas,
 * which obsolete and broken dates put in odd places. */
static const char *skip_cfws(const char *p)
{
    for (;;) {
        while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n' || *p == ',')
            p++;
        if (*p != '(')
            return p;
        size_t depth = 0;
        for (; *p; p++) {
            if (*p == '\\' && p[1]) {
                p++;
            } else if (*p == '(') {
                depth++;
            } else if (*p == ')' && --depth == 0) {
                p++;
                break;
            }
        }
    }
}

/* Reads 1..max_digits digits; more digits in a row are a failure. */
static bool read_number(const char **pp, unsigned max_digits, unsigned *v_out, unsigned *n_out)
{
    const char *p = *pp;
    unsigned v = 0, n = 0;
    while (is_digit(*p)) {
        if (++n > max_digits)
            return false;
        v = v * 10 + (unsigned)(*p - '0');
        p++;
    }
    if (n == 0)
        return false;
    *pp = p;
    *v_out = v;
    if (n_out)
        *n_out = n;
    return true;
}

/* Reads a run of letters, lower-cased, into word (cut to its size). */
static size_t read_word(const char **pp, char *word, size_t size)
{
    const char *p = *pp;
    size_t n = 0;
    while (is_alpha(*p)) {
        if (n + 1 < size)
            word[n] = pv_ascii_lower(*p);
        n++;
        p++;
    }
    word[n < size ? n : size - 1] = '\0';
    *pp = p;
    return n;
}

/* A name matches its first three letters or any longer prefix of itself
 * ("Mar", "March", "Sept"). */
static int name_index(const char *word, const char *const *names, size_t count)
{
    size_t len = strlen(word);
    if (len < 3)
        return -1;
    for (size_t i = 0; i < count; i++)
        if (len <= strlen(names[i]) && strncmp(names[i], word, len) == 0)
            return (int)i;
    return -1;
}

/* ---- Fields ------------------------------------------------------------- */

struct date_fields {
    int64_t year;
    unsigned month, day, hour, minute, second;
    int zone; /* minutes east of UTC */
};

/* Section 4.3: two-digit years below 50 are 20xx, others 19xx; three-digit
 * years are counted from 1900.  Four-digit years must be 1900 or later
 * (section 3.3). */
static bool read_year(const char **pp, int64_t *y_out)
{
    unsigned v, n;
    if (!read_number(pp, 4, &v, &n) || **pp == ':')
        return false;
    if (n <= 2)
        v += v < 50 ? 2000 : 1900;
    else if (n == 3)
        v += 1900;
    if (v < 1900)
        return false;
    *y_out = v;
    return true;
}

static bool read_month(const char **pp, unsigned *m_out)
{
    char word[16];
    read_word(pp, word, sizeof word);
    int i = name_index(word, month_names, 12);
    if (i < 0)
        return false;
    *m_out = (unsigned)i + 1;
    return true;
}

/* hh:mm[:ss], CFWS allowed around the colons (section 4.3). */
static bool read_time(const char **pp, struct date_fields *f)
{
    const char *p = *pp;
    if (!read_number(&p, 2, &f->hour, NULL))
        return false;
    p = skip_cfws(p);
    if (*p != ':')
        return false;
    p = skip_cfws(p + 1);
    if (!read_number(&p, 2, &f->minute, NULL))
        return false;
    const char *q = skip_cfws(p);
    f->second = 0;
    if (*q == ':') {
        q = skip_cfws(q + 1);
        if (!read_number(&q, 2, &f->second, NULL))
            return false;
        p = q;
    }
    *pp = p;
    return true;
}

/* +hhmm / -hhmm, also the common mistakes +hh:mm and +hh. */
static bool read_numeric_zone(const char **pp, int *zone_out)
{
    const char *p = *pp;
    int sign = *p == '-' ? -1 : 1;
    p++;
    unsigned v, n, mins = 0;
    if (!read_number(&p, 4, &v, &n))
        return false;
    unsigned hours = v;
    if (n == 4) {
        hours = v / 100;
        mins = v % 100;
    } else if (n != 2) {
        return false;
    } else if (*p == ':') {
        p++;
        if (!read_number(&p, 2, &mins, &n) || n != 2)
            return false;
    }
    if (hours > 23 || mins > 59)
        return false;
    *zone_out = sign * (int)(hours * 60 + mins);
    *pp = p;
    return true;
}

struct named_zone {
    const char *name;
    int minutes;
};

/* Section 4.3.  Military single letters count as +0000: RFC 822 gave their
 * signs backwards, so their meaning is unknown; so is that of any other
 * alphabetic zone, which then also counts as +0000. */
static const struct named_zone named_zones[] = {
    {"ut", 0},        {"utc", 0},       {"gmt", 0},       {"z", 0},
    {"est", -5 * 60}, {"edt", -4 * 60}, {"cst", -6 * 60}, {"cdt", -5 * 60},
    {"mst", -7 * 60}, {"mdt", -6 * 60}, {"pst", -8 * 60}, {"pdt", -7 * 60},
};

static bool read_zone(const char **pp, int *zone_out)
{
    const char *p = *pp;
    *zone_out = 0;
    if (*p == '+' || *p == '-')
        return read_numeric_zone(pp, zone_out);
    if (!is_alpha(*p))
        return true; /* missing zone: +0000 */
    char word[8];
    read_word(&p, word, sizeof word);
    for (size_t i = 0; i < PV_ARRAY_LEN(named_zones); i++)
        if (strcmp(word, named_zones[i].name) == 0)
            *zone_out = named_zones[i].minutes;
    /* "GMT+0100", as some mailers write it */
    if (*zone_out == 0 && (*p == '+' || *p == '-') && !read_numeric_zone(&p, zone_out))
        return false;
    *pp = p;
    return true;
}

/* day month year [time] zone */
static bool read_rfc_form(const char *p, struct date_fields *f)
{
    if (!read_number(&p, 2, &f->day, NULL))
        return false;
    p = skip_cfws(*p == '-' ? p + 1 : p);
    if (!read_month(&p, &f->month))
        return false;
    p = skip_cfws(*p == '-' ? p + 1 : p);
    if (!read_year(&p, &f->year))
        return false;
    p = skip_cfws(p);
    f->hour = f->minute = f->second = 0;
    if (is_digit(*p)) {
        if (!read_time(&p, f))
            return false;
        p = skip_cfws(p);
    }
    return read_zone(&p, &f->zone);
}

/* month day time year [zone], after the weekday of asctime */
static bool read_asctime_form(const char *p, struct date_fields *f)
{
    if (!read_month(&p, &f->month))
        return false;
    p = skip_cfws(p);
    if (!read_number(&p, 2, &f->day, NULL))
        return false;
    p = skip_cfws(p);
    if (!read_time(&p, f))
        return false;
    p = skip_cfws(p);
    if (!read_year(&p, &f->year))
        return false;
    p = skip_cfws(p);
    return read_zone(&p, &f->zone);
}

static bool fields_valid(const struct date_fields *f)
{
    /* second 60 is a leap second (section 3.3) */
    return f->month >= 1 && f->month <= 12 && f->day >= 1 &&
           f->day <= days_in_month(f->year, f->month) && f->hour <= 23 && f->minute <= 59 &&
           f->second <= 60;
}

bool mail_date_parse(const char *raw, int64_t *when_out, int *tz_offset_min_out)
{
    if (!raw)
        return false;
    struct date_fields f;
    memset(&f, 0, sizeof f);
    const char *p = skip_cfws(raw);
    bool ok;
    if (is_alpha(*p)) {
        const char *word_start = p;
        char word[16];
        read_word(&p, word, sizeof word);
        if (name_index(word, day_names, 7) < 0)
            p = word_start; /* no weekday: maybe asctime without one */
        if (*p == '.')
            p++; /* "Mon., 2 Mar" */
        p = skip_cfws(p);
        ok = is_alpha(*p) ? read_asctime_form(p, &f) : read_rfc_form(p, &f);
    } else {
        ok = read_rfc_form(p, &f);
    }
    if (!ok || !fields_valid(&f))
        return false;
    int64_t when = days_from_civil(f.year, f.month, f.day) * SECONDS_PER_DAY + f.hour * 3600 +
                   f.minute * 60 + f.second;
    when -= (int64_t)f.zone * 60;
    if (when_out)
        *when_out = when;
    if (tz_offset_min_out)
        *tz_offset_min_out = f.zone;
    return true;
}

void mail_date_format_iso(int64_t when, int tz_offset_min, char *out, size_t out_size)
{
    if (!out || out_size == 0)
        return;
    if (tz_offset_min > TZ_MINUTES_MAX || tz_offset_min < -TZ_MINUTES_MAX)
        tz_offset_min = 0;
    int64_t local;
    if (__builtin_add_overflow(when, (int64_t)tz_offset_min * 60, &local))
        local = when;
    int64_t days = local / SECONDS_PER_DAY;
    int64_t secs = local % SECONDS_PER_DAY;
    if (secs < 0) {
        secs += SECONDS_PER_DAY;
        days--;
    }
    int64_t y;
    unsigned m, d;
    civil_from_days(days, &y, &m, &d);
    int tz = tz_offset_min < 0 ? -tz_offset_min : tz_offset_min;
    snprintf(out, out_size, "%04lld-%02u-%02uT%02d:%02d:%02d%c%02d:%02d", (long long)y, m, d,
             (int)(secs / 3600), (int)(secs / 60 % 60), (int)(secs % 60),
             tz_offset_min < 0 ? '-' : '+', tz / 60, tz % 60);
}
