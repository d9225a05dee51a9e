/*
 * UTF-8 and terminal columns, without curses: decoding one character,
 * measuring with wcwidth (CJK takes two columns, combining marks none),
 * cutting to a column budget without splitting a character, and a plain
 * ASCII case-insensitive search.  Everything that is drawn is measured
 * here, so the columns of the index stay aligned whatever the text.
 */
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include <popview/util.h>

#include "private.h"

static const char ELLIPSIS[] = "\xe2\x80\xa6"; /* U+2026, one column */

size_t tui_utf8_next(const char *s, size_t len, uint32_t *cp_out)
{
    const unsigned char *u = (const unsigned char *)s;
    if (u[0] < 0x80) {
        *cp_out = u[0];
        return 1;
    }
    size_t n;
    uint32_t min;
    if (u[0] >= 0xc2 && u[0] <= 0xdf) {
        n = 2;
        min = 0x80;
    } else if (u[0] >= 0xe0 && u[0] <= 0xef) {
        n = 3;
        min = 0x800;
    } else if (u[0] >= 0xf0 && u[0] <= 0xf4) {
        n = 4;
        min = 0x10000;
    } else {
        *cp_out = 0xfffd;
        return 1;
    }
    if (n > len) {
        *cp_out = 0xfffd;
        return 1;
    }
    uint32_t v = u[0] & (0x7fu >> n);
    for (size_t i = 1; i < n; i++) {
        if ((u[i] & 0xc0) != 0x80) {
            *cp_out = 0xfffd;
            return 1;
        }
        v = (v << 6) | (u[i] & 0x3fu);
    }
    /* Overlong forms, surrogates and values past U+10FFFF are not characters. */
    if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff)) {
        *cp_out = 0xfffd;
        return 1;
    }
    *cp_out = v;
    return n;
}

size_t tui_utf8_put(uint32_t cp, char out[4])
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xc0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3f));
        return 2;
    }
    if ((cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
        return 0;
    if (cp < 0x10000) {
        out[0] = (char)(0xe0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        out[2] = (char)(0x80 | (cp & 0x3f));
        return 3;
    }
    out[0] = (char)(0xf0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
    out[3] = (char)(0x80 | (cp & 0x3f));
    return 4;
}

void tui_buf_append(struct pv_buf *b, const char *s, size_t n)
{
    if (!pv_buf_append(b, s, n))
        abort();
}

bool tui_cp_is_control(uint32_t cp)
{
    return cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0);
}

int tui_cp_columns(uint32_t cp)
{
    if (tui_cp_is_control(cp))
        return 1;
    int w = wcwidth((wchar_t)cp);
    return w < 0 ? 1 : w;
}

size_t tui_text_columns(const char *s, size_t len)
{
    size_t cols = 0;
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        i += tui_utf8_next(s + i, len - i, &cp);
        cols += (size_t)tui_cp_columns(cp);
    }
    return cols;
}

size_t tui_text_prefix(const char *s, size_t len, size_t cols, size_t *cols_out)
{
    size_t used = 0;
    size_t i = 0;
    while (i < len) {
        uint32_t cp;
        size_t n = tui_utf8_next(s + i, len - i, &cp);
        size_t w = (size_t)tui_cp_columns(cp);
        if (used + w > cols)
            break;
        used += w;
        i += n;
    }
    if (cols_out)
        *cols_out = used;
    return i;
}

void tui_text_fit(const char *s, size_t len, size_t cols, struct pv_buf *out)
{
    size_t width = tui_text_columns(s, len);
    size_t used;
    bool ok = true;
    if (width <= cols) {
        ok = pv_buf_append(out, s, len);
        used = width;
    } else if (cols == 0) {
        used = 0;
    } else {
        size_t n = tui_text_prefix(s, len, cols - 1, &used);
        ok = pv_buf_append(out, s, n) && pv_buf_append_str(out, ELLIPSIS);
        used++;
    }
    while (ok && used < cols) {
        ok = pv_buf_append_byte(out, ' ');
        used++;
    }
}

bool tui_text_find(const char *hay, size_t hay_len, const char *needle, size_t needle_len,
                   size_t *pos_out)
{
    if (needle_len == 0 || needle_len > hay_len)
        return false;
    for (size_t i = 0; i + needle_len <= hay_len; i++) {
        if (pv_ascii_nieq(hay + i, needle, needle_len)) {
            if (pos_out)
                *pos_out = i;
            return true;
        }
    }
    return false;
}

void tui_text_printable(char *out, size_t out_size, const char *s)
{
    size_t o = 0;
    size_t len = strlen(s);
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        size_t n = tui_utf8_next(s + i, len - i, &cp);
        bool bad = tui_cp_is_control(cp) || cp == 0xfffd;
        size_t need = bad ? 1 : n;
        if (o + need + 1 > out_size)
            break;
        if (bad)
            out[o++] = '?';
        else
            memcpy(out + o, s + i, n), o += n;
        i += n;
    }
    if (out_size)
        out[o] = '\0';
}
