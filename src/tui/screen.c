/*
 * The only writer: every character popview puts on the terminal goes
 * through scr_put().  The lower layers already sanitize what the server
 * sends, but this is where the promise is kept for the whole interface:
 * no control character (C0, DEL, C1) ever reaches curses, so no escape
 * sequence from a message can move the cursor, recolour the screen or set
 * the window title.  Widths come from text.c (wcwidth over decoded UTF-8);
 * a wide character that would straddle the right edge is left out and its
 * column padded, so columns never break.
 */
#include <string.h>
#include <wchar.h>

#include <popview/util.h>

#include "private.h"

enum { CHUNK = 128 };

static const wchar_t ELLIPSIS = 0x2026;

/* The one place control characters are stopped. */
static wchar_t visible(uint32_t cp)
{
    if (tui_cp_is_control(cp) || wcwidth((wchar_t)cp) < 0)
        return L'?';
    return (wchar_t)cp;
}

/* Writes at most cols columns of s; returns the columns used and, in
 * *consumed_out, how many bytes were written. */
static int put_run(WINDOW *w, const char *s, size_t len, int cols, size_t *consumed_out)
{
    wchar_t buf[CHUNK + 1];
    size_t n = 0;
    int used = 0;
    size_t i = 0;
    while (i < len) {
        uint32_t cp;
        size_t step = tui_utf8_next(s + i, len - i, &cp);
        wchar_t wc = visible(cp);
        int width = wc == L'?' ? 1 : tui_cp_columns(cp);
        if (used + width > cols)
            break;
        /* A combining mark with nothing before it on this run would join
         * whatever cell precedes the run; drop it instead. */
        if (width == 0 && n == 0 && used == 0) {
            i += step;
            continue;
        }
        buf[n++] = wc;
        used += width;
        i += step;
        if (n == CHUNK) {
            waddnwstr(w, buf, (int)n);
            n = 0;
        }
    }
    if (n > 0)
        waddnwstr(w, buf, (int)n);
    *consumed_out = i;
    return used;
}

int scr_put(WINDOW *w, int y, int x, int cols, const char *s, size_t len, unsigned flags)
{
    if (cols <= 0)
        return 0;
    if (wmove(w, y, x) == ERR)
        return 0;
    int used = 0;
    size_t consumed = 0;
    bool cut = (size_t)cols < tui_text_columns(s, len);
    if (cut && (flags & SCR_ELLIPSIS)) {
        used = put_run(w, s, len, cols - 1, &consumed);
        wchar_t e[2] = {ELLIPSIS, 0};
        waddnwstr(w, e, 1);
        used++;
    } else {
        used = put_run(w, s, len, cols, &consumed);
    }
    if ((flags & SCR_PAD) && used < cols) {
        scr_blank(w, y, x + used, cols - used);
        used = cols;
    }
    return used;
}

int scr_puts(WINDOW *w, int y, int x, int cols, const char *s, unsigned flags)
{
    return scr_put(w, y, x, cols, s, strlen(s), flags);
}

int scr_put_right(WINDOW *w, int y, int x, int cols, const char *s)
{
    size_t width = tui_text_columns(s, strlen(s));
    if ((int)width >= cols)
        return scr_puts(w, y, x, cols, s, SCR_ELLIPSIS);
    return scr_puts(w, y, x + cols - (int)width, (int)width, s, 0);
}

void scr_blank(WINDOW *w, int y, int x, int cols)
{
    if (cols <= 0 || wmove(w, y, x) == ERR)
        return;
    /* whline keeps the current attributes and does not wrap or scroll. */
    whline(w, ' ', cols);
}

void scr_progress(WINDOW *w, const struct tui_theme *t, int y, int x, int cols, uint64_t done,
                  uint64_t total)
{
    if (cols < 3)
        return;
    int inner = cols - 2;
    int filled = 0;
    if (total > 0) {
        if (done > total)
            done = total;
        filled = (int)((double)done / (double)total * inner);
    }
    attr_t saved_attr;
    short saved_pair;
    wattr_get(w, &saved_attr, &saved_pair, NULL);
    scr_puts(w, y, x, 1, "[", 0);
    theme_apply(t, w, ROLE_PROGRESS);
    for (int i = 0; i < filled; i++)
        scr_puts(w, y, x + 1 + i, 1, "#", 0);
    wattr_set(w, saved_attr, saved_pair, NULL);
    for (int i = filled; i < inner; i++)
        scr_puts(w, y, x + 1 + i, 1, "-", 0);
    scr_puts(w, y, x + cols - 1, 1, "]", 0);
}
