/*
 * The help: every key of the view it was opened from, generated from the
 * keymap (keymap.c) and the action table (actions.c), one row per action
 * with all its keys ("j, Down"), its name and what it does.  Nothing here
 * is written by hand, so the help cannot drift from what the keys do.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <popview/util.h>

#include <popview/i18n.h>

#include "private.h"

enum { KEYS_TEXT_MAX = 64 };

struct help_row {
    char keys[KEYS_TEXT_MAX];
    const struct action_info *info;
};

struct help_view {
    struct view base;
    struct tui_app *app;
    enum keymap_id map;
    struct help_row *rows;
    size_t count;
    struct list_widget list;
    struct tui_rect rect;
};

static void append_key(char *keys, int key, int run_end)
{
    char name[24];
    keymap_key_name(key, name, sizeof name);
    size_t len = strlen(keys);
    if (run_end != key) {
        char last[24];
        keymap_key_name(run_end, last, sizeof last);
        snprintf(keys + len, KEYS_TEXT_MAX - len, "%s%s-%s", len ? ", " : "", name, last);
    } else {
        snprintf(keys + len, KEYS_TEXT_MAX - len, "%s%s", len ? ", " : "", name);
    }
}

/* One row per action in order of first binding; runs of consecutive keys
 * bound to one action ("1" .. "9") are written as a range. */
static void build_rows(struct help_view *hv)
{
    size_t n;
    const struct keybinding *keys = keymap_bindings(hv->app->keymap, hv->map, &n);
    hv->rows = pv_xcalloc(n ? n : 1, sizeof *hv->rows);
    for (size_t i = 0; i < n; i++) {
        const struct action_info *info = action_info(keys[i].action);
        if (!info)
            continue;
        struct help_row *row = NULL;
        for (size_t r = 0; r < hv->count; r++) {
            if (hv->rows[r].info == info)
                row = &hv->rows[r];
        }
        if (!row) {
            row = &hv->rows[hv->count++];
            row->info = info;
        }
        size_t j = i;
        while (j + 1 < n && keys[j + 1].action == keys[i].action &&
               keys[j + 1].key == keys[j].key + 1)
            j++;
        append_key(row->keys, keys[i].key, keys[j].key);
        i = j;
    }
}

enum { KEYS_COLS = 24, NAME_COLS = 21 };

static void draw_row(void *ctx, WINDOW *w, int y, int x, int width, size_t index, bool selected)
{
    struct help_view *hv = ctx;
    const struct tui_theme *t = app_theme(hv->app);
    const struct help_row *row = &hv->rows[index];
    theme_apply(t, w, selected ? ROLE_CURSOR : ROLE_HELP_KEY);
    scr_blank(w, y, x, width);
    int keys = width < 60 ? 12 : KEYS_COLS;
    int name = width < 60 ? 0 : NAME_COLS;
    scr_puts(w, y, x + 1, keys - 2, row->keys, SCR_ELLIPSIS);
    theme_apply(t, w, selected ? ROLE_CURSOR : ROLE_NORMAL);
    if (name)
        scr_puts(w, y, x + keys, name - 1, row->info->name, SCR_ELLIPSIS);
    scr_puts(w, y, x + keys + name, width - keys - name, _(row->info->help), SCR_ELLIPSIS);
    theme_apply(t, w, ROLE_NORMAL);
}

static void help_draw(struct view *v, struct tui_app *app, WINDOW *w, const struct tui_rect *r)
{
    struct help_view *hv = (struct help_view *)v;
    const struct tui_theme *t = app_theme(app);
    char title[96];
    /* TRANSLATORS: %s is the view: "index", "pager", "transcript"... */
    snprintf(title, sizeof title, _("Keys of the %s (q or ? closes this help)"),
             _(keymap_title(hv->map)));
    theme_apply(t, w, ROLE_HEADER);
    scr_puts(w, r->y, r->x + 1, r->w - 1, title, SCR_ELLIPSIS);
    theme_apply(t, w, ROLE_NORMAL);
    struct tui_rect rows = {.y = r->y + 2, .x = r->x, .h = r->h - 2, .w = r->w};
    listw_draw(&hv->list, w, &rows, draw_row, hv);
}

static unsigned help_on_action(struct view *v, struct tui_app *app, enum tui_action a, int key)
{
    (void)key;
    struct help_view *hv = (struct help_view *)v;
    switch (a) {
    case ACT_LINE_DOWN:
        listw_move(&hv->list, 1);
        break;
    case ACT_LINE_UP:
        listw_move(&hv->list, -1);
        break;
    case ACT_PAGE_DOWN:
        listw_page(&hv->list, 1);
        break;
    case ACT_PAGE_UP:
        listw_page(&hv->list, -1);
        break;
    case ACT_FIRST:
        listw_set_cursor(&hv->list, 0);
        break;
    case ACT_LAST:
        listw_set_cursor(&hv->list, hv->count ? hv->count - 1 : 0);
        break;
    case ACT_BACK:
        app_pop_view(app);
        return TUI_RELAYOUT;
    default:
        return TUI_HANDLED;
    }
    return TUI_REDRAW;
}

static void help_on_resize(struct view *v, struct tui_app *app, const struct tui_rect *r)
{
    (void)app;
    struct help_view *hv = (struct help_view *)v;
    hv->rect = *r;
    listw_set_height(&hv->list, r->h > 2 ? r->h - 2 : 1);
}

static void help_status(const struct view *v, const struct tui_app *app, char *out, size_t out_size)
{
    (void)app;
    const struct help_view *hv = (const struct help_view *)v;
    snprintf(out, out_size, _("help: %zu/%zu"), hv->list.cursor + 1, hv->count);
}

static void help_free(struct view *v)
{
    struct help_view *hv = (struct help_view *)v;
    free(hv->rows);
    free(hv);
}

static const struct view_ops HELP_OPS = {
    .name = "help",
    .keymap = KEYMAP_HELP,
    .draw = help_draw,
    .on_action = help_on_action,
    .on_resize = help_on_resize,
    .status = help_status,
    .free = help_free,
};

struct view *view_help_new(struct tui_app *app, enum keymap_id map)
{
    struct help_view *hv = pv_xcalloc(1, sizeof *hv);
    hv->base.ops = &HELP_OPS;
    hv->app = app;
    hv->map = map;
    build_rows(hv);
    listw_set_count(&hv->list, hv->count);
    return &hv->base;
}
