/* Strict, locale-independent parsing: atoi/strtoul accept too much. */
#include <limits.h>
#include <stdio.h>

#include <popview/util.h>

bool pv_parse_u64(const char *s, size_t len, uint64_t *value_out)
{
    if (len == 0 || len > 20)
        return false;
    uint64_t v = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        unsigned d = (unsigned)(s[i] - '0');
        if (v > (UINT64_MAX - d) / 10)
            return false;
        v = v * 10 + d;
    }
    *value_out = v;
    return true;
}

bool pv_parse_uint(const char *s, size_t len, unsigned *value_out)
{
    uint64_t v;
    if (!pv_parse_u64(s, len, &v) || v > UINT_MAX)
        return false;
    *value_out = (unsigned)v;
    return true;
}

char pv_ascii_lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

bool pv_ascii_nieq(const char *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (pv_ascii_lower(a[i]) != pv_ascii_lower(b[i]))
            return false;
        if (a[i] == '\0')
            return true;
    }
    return true;
}

bool pv_ascii_ieq(const char *a, const char *b)
{
    for (;; a++, b++) {
        if (pv_ascii_lower(*a) != pv_ascii_lower(*b))
            return false;
        if (*a == '\0')
            return true;
    }
}

void pv_format_size(uint64_t octets, char *out, size_t out_size)
{
    static const char units[] = "KMGTP";
    if (!out || !out_size)
        return;
    if (octets < 1024) {
        snprintf(out, out_size, "%lluB", (unsigned long long)octets);
        return;
    }
    double v = (double)octets / 1024.0;
    size_t u = 0;
    /* 1023.95K would print as "1024.0K": move up a unit first. */
    while (v >= 1023.95 && u + 1 < sizeof units - 1) {
        v /= 1024.0;
        u++;
    }
    snprintf(out, out_size, "%.1f%c", v, units[u]);
}

int pv_base64_value(unsigned char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}
