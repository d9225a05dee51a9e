/*
 * The scrolling text widget of the pager: UTF-8 text (already sanitized,
 * tabs expanded by the caller) cut into source lines at '\n', and each
 * source line wrapped into display lines of the current width, at the last
 * space when there is one, else between characters.  Wrapping is redone on
 * resize, keeping the first visible character on screen.  Search works on
 * display lines; the match is highlighted where it appears.
 */
#include <stdlib.h>
#include <string.h>

#include <popview/util.h>

#include "private.h"

void textw_init(struct text_widget *t)
{
    memset(t, 0, sizeof *t);
}

void textw_free(struct text_widget *t)
{
    free(t->roles);
    free(t->lines);
    free(t->highlight);
    memset(t, 0, sizeof *t);
}

static void add_line(struct text_widget *t, size_t off, size_t len, size_t logical)
{
    if (t->line_count == t->line_alloc) {
        t->line_alloc = t->line_alloc ? t->line_alloc * 2 : 256;
        t->lines = pv_xreallocarray(t->lines, t->line_alloc, sizeof *t->lines);
    }
    t->lines[t->line_count++] = (struct text_line){.off = off, .len = len, .logical = logical};
}

/* Wraps one source line [off, off+len) into display lines of width columns. */
static void wrap_line(struct text_widget *t, size_t off, size_t len, size_t logical, int width)
{
    const char *s = t->text + off;
    size_t start = 0;
    while (true) {
        size_t used = 0;
        size_t i = start;
        size_t last_space = 0; /* 0: none after start */
        while (i < len) {
            uint32_t cp;
            size_t n = tui_utf8_next(s + i, len - i, &cp);
            size_t w = (size_t)tui_cp_columns(cp);
            if (used + w > (size_t)width)
                break;
            if (cp == ' ')
                last_space = i + 1;
            used += w;
            i += n;
        }
        if (i >= len) {
            add_line(t, off + start, len - start, logical);
            return;
        }
        size_t end = last_space > start ? last_space : i;
        if (end == start) /* a character wider than the screen: take it anyway */
            end = start + tui_utf8_next(s + start, len - start, &(uint32_t){0});
        add_line(t, off + start, end - start, logical);
        start = end;
    }
}

static void reflow(struct text_widget *t)
{
    t->line_count = 0;
    int width = t->width > 0 ? t->width : 1;
    size_t logical = 0;
    size_t off = 0;
    while (off < t->text_len) {
        const char *nl = memchr(t->text + off, '\n', t->text_len - off);
        size_t len = nl ? (size_t)(nl - (t->text + off)) : t->text_len - off;
        wrap_line(t, off, len, logical, width);
        logical++;
        off += len + (nl ? 1 : 0);
    }
}

static size_t max_top(const struct text_widget *t)
{
    size_t h = t->height > 0 ? (size_t)t->height : 1;
    return t->line_count > h ? t->line_count - h : 0;
}

void textw_set_text(struct text_widget *t, const char *text, size_t len, text_role_fn role_fn,
                    void *ctx)
{
    t->text = text;
    t->text_len = len;
    free(t->roles);
    t->roles = NULL;
    t->logical_count = 0;
    for (size_t off = 0; off < len;) {
        const char *nl = memchr(text + off, '\n', len - off);
        size_t line_len = nl ? (size_t)(nl - (text + off)) : len - off;
        if (t->logical_count % 256 == 0)
            t->roles = pv_xreallocarray(t->roles, t->logical_count + 256, sizeof *t->roles);
        t->roles[t->logical_count] =
            role_fn ? role_fn(ctx, t->logical_count, text + off, line_len) : ROLE_NORMAL;
        t->logical_count++;
        off += line_len + (nl ? 1 : 0);
    }
    t->top = 0;
    reflow(t);
}

void textw_resize(struct text_widget *t, int width, int height)
{
    size_t anchor = t->top < t->line_count ? t->lines[t->top].off : 0;
    bool changed = width != t->width;
    t->width = width;
    t->height = height;
    if (changed && t->text) {
        reflow(t);
        t->top = 0;
        for (size_t i = 0; i < t->line_count; i++) {
            if (t->lines[i].off > anchor)
                break;
            t->top = i;
        }
    }
    if (t->top > max_top(t))
        t->top = max_top(t);
}

bool textw_scroll(struct text_widget *t, long lines)
{
    size_t before = t->top;
    if (lines < 0) {
        size_t d = (size_t)(-lines);
        t->top = d > t->top ? 0 : t->top - d;
    } else {
        t->top += (size_t)lines;
        if (t->top > max_top(t))
            t->top = max_top(t);
    }
    return t->top != before;
}

bool textw_page(struct text_widget *t, int direction)
{
    long page = t->height > 1 ? t->height - 1 : 1;
    return textw_scroll(t, direction > 0 ? page : -page);
}

void textw_top(struct text_widget *t)
{
    t->top = 0;
}

void textw_bottom(struct text_widget *t)
{
    t->top = max_top(t);
}

static bool line_has(const struct text_widget *t, size_t i, const char *needle, size_t n)
{
    return tui_text_find(t->text + t->lines[i].off, t->lines[i].len, needle, n, NULL);
}

bool textw_find(const struct text_widget *t, const char *needle, size_t start, bool backwards,
                size_t *line_out)
{
    size_t n = strlen(needle);
    size_t count = t->line_count;
    if (n == 0 || count == 0)
        return false;
    start %= count;
    for (size_t step = 0; step < count; step++) {
        size_t i = backwards ? (start + count - step) % count : (start + step) % count;
        if (line_has(t, i, needle, n)) {
            *line_out = i;
            return true;
        }
    }
    return false;
}

void textw_set_highlight(struct text_widget *t, const char *needle)
{
    free(t->highlight);
    t->highlight = needle && *needle ? pv_xstrdup(needle) : NULL;
}

/* Draws one display line, with every occurrence of the highlight in ROLE_MATCH. */
static void draw_line(const struct text_widget *t, WINDOW *w, const struct tui_theme *theme, int y,
                      int x, int width, const struct text_line *line)
{
    enum tui_role role = line->logical < t->logical_count ? t->roles[line->logical] : ROLE_NORMAL;
    const char *s = t->text + line->off;
    size_t len = line->len;
    size_t hl = t->highlight ? strlen(t->highlight) : 0;
    int col = 0;
    size_t pos = 0;
    while (pos < len && col < width) {
        size_t at;
        bool found = hl && tui_text_find(s + pos, len - pos, t->highlight, hl, &at);
        size_t plain = found ? at : len - pos;
        theme_apply(theme, w, role);
        col += scr_put(w, y, x + col, width - col, s + pos, plain, 0);
        pos += plain;
        if (!found)
            break;
        theme_apply(theme, w, ROLE_MATCH);
        col += scr_put(w, y, x + col, width - col, s + pos, hl, 0);
        pos += hl;
    }
    theme_apply(theme, w, ROLE_NORMAL);
}

void textw_draw(const struct text_widget *t, WINDOW *w, const struct tui_theme *theme,
                const struct tui_rect *r)
{
    for (int y = 0; y < r->h; y++) {
        size_t i = t->top + (size_t)y;
        if (i >= t->line_count)
            break;
        draw_line(t, w, theme, r->y + y, r->x, r->w, &t->lines[i]);
    }
}
