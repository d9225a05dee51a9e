/*
 * The rule behind D ("mark by rule"): what the person types is one of
 *   >SIZE        larger than SIZE octets; K, M, G suffixes are powers of
 *                1024 like the sizes the index shows ("2M", "1.5K")
 *   <YYYY-MM-DD  dated before that day (local midnight)
 *   anything     From or Subject contains it, ASCII case-insensitively
 *                and other characters exactly, as mailbox_search() does for /
 * Rows whose header has not arrived cannot be judged by date or text; the
 * caller counts them and says so.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <popview/util.h>

#include <popview/mailbox.h>

#include <popview/i18n.h>

#include "private.h"

static const char *skip_blanks(const char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    return s;
}

/* "2", "2.5", "2M", "1.5k", "300B": whole and tenths-or-finer parts. */
static bool parse_size(const char *s, uint64_t *octets_out)
{
    const char *p = s;
    size_t whole_len = 0;
    while (isdigit((unsigned char)p[whole_len]))
        whole_len++;
    uint64_t whole;
    if (whole_len == 0 || whole_len > 15 || !pv_parse_u64(p, whole_len, &whole))
        return false;
    p += whole_len;
    uint64_t frac_num = 0;
    uint64_t frac_den = 1;
    if (*p == '.') {
        p++;
        size_t n = 0;
        while (isdigit((unsigned char)p[n]) && n < 6) {
            frac_num = frac_num * 10 + (uint64_t)(p[n] - '0');
            frac_den *= 10;
            n++;
        }
        if (n == 0)
            return false;
        p += n;
    }
    p = skip_blanks(p);
    uint64_t unit = 1;
    switch (pv_ascii_lower(*p)) {
    case 'k':
        unit = 1024;
        p++;
        break;
    case 'm':
        unit = 1024 * 1024;
        p++;
        break;
    case 'g':
        unit = 1024 * 1024 * 1024;
        p++;
        break;
    default:
        break;
    }
    if (pv_ascii_lower(*p) == 'b')
        p++;
    if (*skip_blanks(p) != '\0')
        return false;
    *octets_out = whole * unit + frac_num * unit / frac_den;
    return true;
}

static bool parse_day(const char *s, int64_t *when_out)
{
    unsigned y, m, d;
    int end = 0;
    if (sscanf(s, "%4u-%2u-%2u%n", &y, &m, &d, &end) != 3 || *skip_blanks(s + end) != '\0')
        return false;
    if (y < 1970 || m < 1 || m > 12 || d < 1 || d > 31)
        return false;
    struct tm tm = {
        .tm_year = (int)y - 1900, .tm_mon = (int)m - 1, .tm_mday = (int)d, .tm_isdst = -1};
    time_t t = mktime(&tm);
    /* mktime normalises 2024-02-31 to March; such a day does not exist. */
    if (t == (time_t)-1 || tm.tm_mday != (int)d || tm.tm_mon != (int)m - 1)
        return false;
    *when_out = (int64_t)t;
    return true;
}

bool mark_rule_parse(const char *input, struct mark_rule *rule_out, struct pv_error *err)
{
    memset(rule_out, 0, sizeof *rule_out);
    const char *s = skip_blanks(input ? input : "");
    if (*s == '\0') {
        pv_error_set(err, _("no rule given: type text, >SIZE (>2M) or <DATE (<2024-01-01)"));
        return false;
    }
    if (*s == '>') {
        rule_out->kind = MARK_RULE_LARGER;
        if (!parse_size(skip_blanks(s + 1), &rule_out->octets)) {
            pv_error_set(err, _("cannot read the size after '>': write it like 2M, 500K or 12000"));
            return false;
        }
        return true;
    }
    if (*s == '<') {
        rule_out->kind = MARK_RULE_OLDER;
        if (!parse_day(skip_blanks(s + 1), &rule_out->before)) {
            pv_error_set(err, _("cannot read the date after '<': write it like 2024-01-01"));
            return false;
        }
        return true;
    }
    size_t len = strlen(s);
    while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
        len--;
    if (len >= sizeof rule_out->text) {
        pv_error_set(err, _("the text is longer than %zu bytes"), sizeof rule_out->text - 1);
        return false;
    }
    rule_out->kind = MARK_RULE_TEXT;
    memcpy(rule_out->text, s, len);
    rule_out->text[len] = '\0';
    return true;
}

bool mark_rule_matches(const struct mark_rule *rule, const struct mailbox_summary *s,
                       bool *unknown_out)
{
    *unknown_out = false;
    switch (rule->kind) {
    case MARK_RULE_LARGER:
        return s->size > rule->octets;
    case MARK_RULE_OLDER:
        if (!s->loaded || !s->has_date) {
            *unknown_out = true;
            return false;
        }
        return s->date < rule->before;
    case MARK_RULE_TEXT:
        break;
    }
    if (!s->loaded) {
        *unknown_out = true;
        return false;
    }
    size_t n = strlen(rule->text);
    return tui_text_find(s->from ? s->from : "", s->from ? strlen(s->from) : 0, rule->text, n,
                         NULL) ||
           tui_text_find(s->subject ? s->subject : "", s->subject ? strlen(s->subject) : 0,
                         rule->text, n, NULL);
}
