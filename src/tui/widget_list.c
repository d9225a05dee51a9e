/*
 * The list widget shared by the index and the help: a cursor over count
 * rows and the first row on screen (top).  It knows nothing about what a
 * row is; drawing asks a callback for each visible row.  Invariants after
 * every call: cursor < count (or 0 when empty) and top <= cursor <
 * top + height, so the selected row is always on screen.
 */
#include <popview/util.h>

#include "private.h"

static void keep_visible(struct list_widget *l)
{
    if (l->count == 0) {
        l->cursor = 0;
        l->top = 0;
        return;
    }
    if (l->cursor >= l->count)
        l->cursor = l->count - 1;
    size_t h = l->height > 0 ? (size_t)l->height : 1;
    if (l->cursor < l->top)
        l->top = l->cursor;
    if (l->cursor >= l->top + h)
        l->top = l->cursor - h + 1;
    /* No empty space below the last row when there are rows to show. */
    if (l->top + h > l->count)
        l->top = l->count > h ? l->count - h : 0;
}

void listw_set_count(struct list_widget *l, size_t count)
{
    l->count = count;
    keep_visible(l);
}

void listw_set_height(struct list_widget *l, int height)
{
    l->height = height;
    keep_visible(l);
}

void listw_set_cursor(struct list_widget *l, size_t row)
{
    l->cursor = row;
    keep_visible(l);
}

bool listw_move(struct list_widget *l, long delta)
{
    if (l->count == 0)
        return false;
    size_t before = l->cursor;
    if (delta < 0) {
        size_t d = (size_t)(-delta);
        l->cursor = d > l->cursor ? 0 : l->cursor - d;
    } else {
        size_t d = (size_t)delta;
        l->cursor = d >= l->count - l->cursor ? l->count - 1 : l->cursor + d;
    }
    keep_visible(l);
    return l->cursor != before;
}

bool listw_page(struct list_widget *l, int direction)
{
    if (l->count == 0)
        return false;
    size_t h = l->height > 1 ? (size_t)l->height - 1 : 1;
    size_t before_top = l->top;
    size_t before_cursor = l->cursor;
    if (direction > 0) {
        size_t max_top = l->count > (size_t)l->height ? l->count - (size_t)l->height : 0;
        if (l->top + h <= max_top) {
            l->top += h;
            l->cursor = l->cursor + h < l->count ? l->cursor + h : l->count - 1;
        } else {
            l->top = max_top;
            l->cursor = l->count - 1;
        }
    } else {
        if (l->top >= h) {
            l->top -= h;
            l->cursor = l->cursor >= h ? l->cursor - h : 0;
        } else {
            l->top = 0;
            l->cursor = 0;
        }
    }
    keep_visible(l);
    return l->top != before_top || l->cursor != before_cursor;
}

void listw_draw(const struct list_widget *l, WINDOW *w, const struct tui_rect *r,
                list_draw_row_fn fn, void *ctx)
{
    for (int y = 0; y < r->h; y++) {
        size_t row = l->top + (size_t)y;
        if (row >= l->count)
            break;
        fn(ctx, w, r->y + y, r->x, r->w, row, row == l->cursor);
    }
}
