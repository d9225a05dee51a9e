/*
 * A read-only page of text for the teaching screens: the server inspector
 * (i) and the console's list of commands valid now (? in the console).
 * The page is built by a function from the model (struct info_page: lines
 * with a role each) and built again when the model changes or, for what
 * moves with time (the idle clock), once a second; the scroll position
 * stays where it was.  Long lines wrap (the pager's text widget).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <popview/util.h>

#include <popview/i18n.h>

#include "teach.h"

struct info_view {
    struct view base;
    struct tui_app *app;
    char *title;
    info_build_fn build;
    struct info_page page;
    struct text_widget tw;
    struct tui_rect rect;
    bool stale;
};

static const struct view_ops INFO_OPS;

void info_add(struct info_page *page, enum tui_role role, const char *fmt, ...)
{
    char line[2048];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    for (char *p = line; *p; p++)
        if (*p == '\n' || *p == '\t')
            *p = ' '; /* one entry, one line */
    if (!pv_buf_append(&page->text, line, strlen(line)) || !pv_buf_append_byte(&page->text, '\n'))
        abort(); /* the page buffer has no cap: cannot happen */
    if (page->count == page->alloc) {
        page->alloc = page->alloc ? page->alloc * 2 : 64;
        page->roles = pv_xreallocarray(page->roles, page->alloc, sizeof *page->roles);
    }
    page->roles[page->count++] = role;
}

static void page_reset(struct info_page *page)
{
    pv_buf_reset(&page->text);
    page->count = 0;
}

void info_page_free(struct info_page *page)
{
    pv_buf_free(&page->text);
    free(page->roles);
    memset(page, 0, sizeof *page);
}

static enum tui_role page_role(void *ctx, size_t logical, const char *line, size_t len)
{
    (void)line;
    (void)len;
    const struct info_page *page = ctx;
    return logical < page->count ? page->roles[logical] : ROLE_NORMAL;
}

static struct tui_rect text_rect(const struct info_view *iv)
{
    struct tui_rect r = iv->rect;
    r.y += 2;
    r.h -= 2;
    r.x += 1;
    r.w -= 1;
    return r;
}

static void rebuild(struct info_view *iv)
{
    size_t top = iv->tw.top;
    page_reset(&iv->page);
    iv->build(iv->app, &iv->page);
    textw_set_text(&iv->tw, iv->page.text.data ? iv->page.text.data : "", iv->page.text.len,
                   page_role, &iv->page);
    struct tui_rect r = text_rect(iv);
    textw_resize(&iv->tw, r.w > 0 ? r.w : 1, r.h > 0 ? r.h : 1);
    textw_scroll(&iv->tw, (long)top);
    iv->stale = false;
}

static void info_draw(struct view *v, struct tui_app *app, WINDOW *w, const struct tui_rect *r)
{
    struct info_view *iv = (struct info_view *)v;
    const struct tui_theme *t = app_theme(app);
    theme_apply(t, w, ROLE_HEADER);
    scr_puts(w, r->y, r->x + 1, r->w - 1, iv->title, SCR_ELLIPSIS);
    theme_apply(t, w, ROLE_NORMAL);
    struct tui_rect tr = text_rect(iv);
    textw_draw(&iv->tw, w, t, &tr);
}

static unsigned info_on_action(struct view *v, struct tui_app *app, enum tui_action a, int key)
{
    (void)key;
    struct info_view *iv = (struct info_view *)v;
    switch (a) {
    case ACT_LINE_DOWN:
        textw_scroll(&iv->tw, 1);
        break;
    case ACT_LINE_UP:
        textw_scroll(&iv->tw, -1);
        break;
    case ACT_PAGE_DOWN:
        textw_page(&iv->tw, 1);
        break;
    case ACT_PAGE_UP:
        textw_page(&iv->tw, -1);
        break;
    case ACT_FIRST:
        textw_top(&iv->tw);
        break;
    case ACT_LAST:
        textw_bottom(&iv->tw);
        break;
    case ACT_BACK:
        app_pop_view(app);
        return TUI_RELAYOUT;
    default:
        return TUI_HANDLED;
    }
    return TUI_REDRAW;
}

static void info_on_resize(struct view *v, struct tui_app *app, const struct tui_rect *r)
{
    (void)app;
    struct info_view *iv = (struct info_view *)v;
    iv->rect = *r;
    struct tui_rect tr = text_rect(iv);
    textw_resize(&iv->tw, tr.w > 0 ? tr.w : 1, tr.h > 0 ? tr.h : 1);
}

static unsigned info_on_model(struct view *v, struct tui_app *app, unsigned changed)
{
    (void)app;
    (void)changed;
    ((struct info_view *)v)->stale = true;
    return TUI_REDRAW;
}

static void info_recalc(struct view *v, struct tui_app *app)
{
    (void)app;
    struct info_view *iv = (struct info_view *)v;
    if (iv->stale)
        rebuild(iv);
}

static void info_status(const struct view *v, const struct tui_app *app, char *out, size_t out_size)
{
    (void)app;
    const struct info_view *iv = (const struct info_view *)v;
    size_t last = iv->tw.top + (size_t)(iv->tw.height > 0 ? iv->tw.height : 1);
    if (last > iv->tw.line_count)
        last = iv->tw.line_count;
    snprintf(out, out_size, _("lines %zu-%zu of %zu"), iv->tw.line_count ? iv->tw.top + 1 : 0, last,
             iv->tw.line_count);
}

static void info_free(struct view *v)
{
    struct info_view *iv = (struct info_view *)v;
    textw_free(&iv->tw);
    info_page_free(&iv->page);
    free(iv->title);
    free(iv);
}

static const struct view_ops INFO_OPS = {
    .name = "info",
    .keymap = KEYMAP_INFO,
    .draw = info_draw,
    .on_action = info_on_action,
    .on_resize = info_on_resize,
    .on_model = info_on_model,
    .recalc = info_recalc,
    .status = info_status,
    .free = info_free,
};

bool view_info_tick(struct view *v)
{
    if (!v || v->ops != &INFO_OPS)
        return false;
    ((struct info_view *)v)->stale = true;
    return true;
}

struct view *view_info_new(struct tui_app *app, const char *title, info_build_fn build)
{
    struct info_view *iv = pv_xcalloc(1, sizeof *iv);
    iv->base.ops = &INFO_OPS;
    iv->app = app;
    iv->title = pv_xstrdup(title);
    iv->build = build;
    pv_buf_init(&iv->page.text, 0);
    textw_init(&iv->tw);
    iv->stale = true;
    return &iv->base;
}
