/*
 * Column arithmetic for the text outputs.  Terminal width is per character
 * (wcwidth: CJK takes two columns, combining marks none), so cutting UTF-8
 * text to a column budget must decode it; the input is already sanitized
 * and valid UTF-8.
 */
#include <stdint.h>
#include <string.h>
#include <wchar.h>

#include <popview/util.h>

#include "cli.h"

/* Decodes one UTF-8 character; returns its length (1 on a bad byte). */
static size_t utf8_next(const char *s, uint32_t *cp)
{
    const unsigned char *u = (const unsigned char *)s;
    if (u[0] < 0x80) {
        *cp = u[0];
        return 1;
    }
    size_t n = u[0] >= 0xf0 ? 4 : u[0] >= 0xe0 ? 3 : u[0] >= 0xc0 ? 2 : 1;
    if (n == 1) {
        *cp = 0xfffd;
        return 1;
    }
    uint32_t v = u[0] & (0x7f >> n);
    for (size_t i = 1; i < n; i++) {
        if ((u[i] & 0xc0) != 0x80) {
            *cp = 0xfffd;
            return i;
        }
        v = (v << 6) | (u[i] & 0x3f);
    }
    *cp = v;
    return n;
}

static size_t char_columns(uint32_t cp)
{
    int w = wcwidth((wchar_t)cp);
    return w < 0 ? 1 : (size_t)w;
}

size_t cli_text_columns(const char *utf8)
{
    size_t cols = 0;
    for (const char *p = utf8; *p;) {
        uint32_t cp;
        p += utf8_next(p, &cp);
        cols += char_columns(cp);
    }
    return cols;
}

void cli_text_fit(const char *utf8, size_t cols, struct pv_buf *out)
{
    bool ok = true;
    size_t used = 0;
    if (cli_text_columns(utf8) <= cols) {
        ok = pv_buf_append_str(out, utf8);
        used = cli_text_columns(utf8);
    } else if (cols > 0) {
        /* Leave one column for the ellipsis. */
        for (const char *p = utf8; *p;) {
            uint32_t cp;
            size_t n = utf8_next(p, &cp);
            size_t w = char_columns(cp);
            if (used + w > cols - 1)
                break;
            ok = ok && pv_buf_append(out, p, n);
            used += w;
            p += n;
        }
        ok = ok && pv_buf_append_str(out, "\xe2\x80\xa6");
        used++;
    }
    while (ok && used < cols) {
        ok = pv_buf_append_byte(out, ' ');
        used++;
    }
}
