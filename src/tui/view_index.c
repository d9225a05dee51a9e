/*
 * The index: one row per message in the model's sort order.
 *
 *    13 D+ 2024-02-12  Priya Raman          Garden budget: notes, chart…   3.0K
 *    |  ||  date        From (name, else     Subject                        size
 *    |  |+ attachments   the address)
 *    |  + D marked (the server acknowledged DELE), d DELE on its way,
 *    |    u the undoing of a mark on its way
 *    + POP3 message number
 *
 * Rows whose header has not arrived show "…" and fill in as summaries
 * arrive; whenever the visible rows change the model is told
 * (mailbox_prioritize) so what is on screen loads first.  The cursor
 * follows the message, not the row, when the order changes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <popview/util.h>

#include <popview/mailbox.h>

#include <popview/i18n.h>

#include "private.h"

static const char PLACEHOLDER[] = "\xe2\x80\xa6";

struct index_view {
    struct view base;
    struct tui_app *app;
    struct list_widget list;
    struct tui_rect rect;
    size_t cursor_index; /* the message under the cursor, SIZE_MAX: none yet */
    char *needle;        /* the last search */
    size_t prio_first, prio_count;
    bool prio_sent;
};

struct index_columns {
    int num, date, from, subject, size;
};

enum { SIZE_COLS = 7, GAP = 2 };

static struct index_columns layout(int width, size_t count, int date_cols)
{
    struct index_columns c;
    c.num = 3;
    for (size_t n = count; n >= 1000; n /= 10)
        c.num++;
    /* Narrow screens give up the date before the subject gets too short. */
    c.date = width >= 50 + date_cols ? date_cols : 0;
    c.size = SIZE_COLS;
    c.from = width / 4;
    if (c.from > 24)
        c.from = 24;
    if (c.from < 8)
        c.from = 8;
    /* number, space, two flags, space, date, gap, from, gap, subject, size */
    c.subject = width - (c.num + 1 + 2 + 1 + (c.date ? c.date + GAP : 0) + c.from + GAP + c.size);
    if (c.subject < 1)
        c.subject = 1;
    return c;
}

static char mark_flag(const struct mailbox_summary *s)
{
    if (s->mark_pending)
        return s->marked ? 'u' : 'd';
    return s->marked ? 'D' : ' ';
}

static enum tui_role row_role(const struct mailbox_summary *s, bool selected)
{
    if (selected)
        return ROLE_CURSOR;
    if (s->mark_pending)
        return ROLE_PENDING;
    if (s->marked)
        return ROLE_MARKED;
    return ROLE_NORMAL;
}

static void draw_row(void *ctx, WINDOW *w, int y, int x, int width, size_t row, bool selected)
{
    struct index_view *iv = ctx;
    struct mailbox *mb = app_mailbox(iv->app);
    const struct tui_theme *t = app_theme(iv->app);
    const struct mailbox_summary *s = mailbox_at(mb, mailbox_row_index(mb, row));
    if (!s)
        return;
    const struct tui_prefs *prefs = iv->app->opts->prefs;
    struct index_columns c = layout(width, mailbox_count(mb), tui_index_date_columns(prefs));
    enum tui_role role = row_role(s, selected);
    theme_apply(t, w, role);
    scr_blank(w, y, x, width);

    char num[24];
    snprintf(num, sizeof num, "%*u", c.num, s->msgno);
    int col = x;
    col += scr_puts(w, y, col, c.num, num, 0) + 1;
    char flags[3] = {mark_flag(s), s->loaded && s->multipart_mixed ? '+' : ' ', '\0'};
    col += scr_puts(w, y, col, 2, flags, 0) + 1;

    char date[TUI_DATE_COLS_MAX * 4 + 1];
    const char *from;
    const char *subject;
    if (s->loaded) {
        if (s->has_date)
            tui_format_index_date(prefs, s->date, time(NULL), date, sizeof date);
        else
            date[0] = '\0';
        from = s->from ? s->from : "";
        subject = s->subject ? s->subject : "";
    } else {
        snprintf(date, sizeof date, "%s", PLACEHOLDER);
        from = s->failed ? "?" : PLACEHOLDER;
        subject = s->failed ? _("(the server did not send this header)") : PLACEHOLDER;
        if (!selected)
            theme_apply(t, w, ROLE_UNLOADED);
    }
    if (c.date) {
        scr_puts(w, y, col, c.date, date, SCR_ELLIPSIS);
        col += c.date + GAP;
    }
    scr_puts(w, y, col, c.from, from, SCR_ELLIPSIS);
    col += c.from + GAP;
    scr_puts(w, y, col, c.subject, subject, SCR_ELLIPSIS);
    col += c.subject;

    theme_apply(t, w, role);
    char size[16];
    pv_format_size(s->size, size, sizeof size);
    scr_put_right(w, y, col, c.size, size);
    theme_apply(t, w, ROLE_NORMAL);
}

/* What the body says while there are no rows. */
static void draw_empty(struct index_view *iv, WINDOW *w, const struct tui_rect *r)
{
    struct mailbox *mb = app_mailbox(iv->app);
    const struct tui_theme *t = app_theme(iv->app);
    const char *line1 = NULL;
    const char *line2 = NULL;
    enum tui_role role = ROLE_NOTICE;
    switch (mailbox_phase(mb)) {
    case MAILBOX_CONNECTING:
        line1 = _("Connecting...");
        break;
    case MAILBOX_LOGGING_IN:
        line1 = _("Logging in...");
        break;
    case MAILBOX_SCANNING:
        line1 = _("Reading the list of messages...");
        break;
    case MAILBOX_LOADING:
    case MAILBOX_READY:
        line1 = _("The mailbox is empty.");
        break;
    case MAILBOX_QUITTING:
    case MAILBOX_CLOSED:
        line1 = _("The session has ended.");
        line2 = _("Press R to connect again, or q to leave.");
        break;
    case MAILBOX_FAILED:
        line1 = mailbox_error(mb) ? mailbox_error(mb) : _("The session failed.");
        line2 = _("Press R to try again, or q to leave.");
        role = ROLE_ERROR;
        break;
    }
    int y = r->y + r->h / 3;
    theme_apply(t, w, role);
    /* A long error is wrapped over a few lines rather than cut. */
    const char *s = line1;
    size_t len = strlen(s);
    int width = r->w - 4;
    for (int i = 0; i < 4 && len > 0 && width > 0; i++) {
        size_t n = tui_text_prefix(s, len, (size_t)width, NULL);
        if (n < len) {
            for (size_t k = n; k > 0; k--) {
                if (s[k - 1] == ' ') {
                    n = k;
                    break;
                }
            }
        }
        scr_put(w, y++, r->x + 2, width, s, n, SCR_ELLIPSIS);
        s += n;
        len -= n;
    }
    theme_apply(t, w, ROLE_NORMAL);
    if (line2)
        scr_puts(w, y + 1, r->x + 2, r->w - 4, line2, SCR_ELLIPSIS);
}

static void index_draw(struct view *v, struct tui_app *app, WINDOW *w, const struct tui_rect *r)
{
    struct index_view *iv = (struct index_view *)v;
    if (mailbox_count(app_mailbox(app)) == 0) {
        draw_empty(iv, w, r);
        return;
    }
    listw_draw(&iv->list, w, r, draw_row, iv);
}

static void remember_cursor(struct index_view *iv)
{
    struct mailbox *mb = app_mailbox(iv->app);
    iv->cursor_index = iv->list.count ? mailbox_row_index(mb, iv->list.cursor) : SIZE_MAX;
}

/* ---- jump and search ------------------------------------------------------- */

static unsigned jump_done(struct tui_app *app, void *ctx, size_t arg, int choice, const char *text)
{
    (void)arg;
    struct index_view *iv = ctx;
    if (choice != PROMPT_OK || !*text)
        return TUI_REDRAW;
    struct mailbox *mb = app_mailbox(app);
    size_t count = mailbox_count(mb);
    unsigned n;
    if (!pv_parse_uint(text, strlen(text), &n) || n < 1 || n > count) {
        char shown[64];
        tui_text_printable(shown, sizeof shown, text);
        app_notice(app, ROLE_ERROR, _("there is no message %s (the numbers go from 1 to %zu)"),
                   shown, count);
        return TUI_REDRAW;
    }
    listw_set_cursor(&iv->list, mailbox_index_row(mb, n - 1));
    remember_cursor(iv);
    return TUI_REDRAW;
}

static unsigned search_from(struct index_view *iv, size_t from, bool backwards)
{
    struct mailbox *mb = app_mailbox(iv->app);
    char shown[128];
    tui_text_printable(shown, sizeof shown, iv->needle);
    size_t row;
    if (!mailbox_search(mb, iv->needle, from, backwards, &row)) {
        app_notice(iv->app, ROLE_ERROR, _("no From or Subject contains '%s'"), shown);
        return TUI_REDRAW;
    }
    bool wrapped = backwards ? row >= iv->list.cursor : row <= iv->list.cursor;
    listw_set_cursor(&iv->list, row);
    remember_cursor(iv);
    if (wrapped)
        app_notice(iv->app, ROLE_NOTICE, _("search wrapped around: '%s'"), shown);
    else
        app_notice(iv->app, ROLE_NOTICE, _("found '%s'"), shown);
    return TUI_REDRAW;
}

static unsigned search_next(struct index_view *iv, bool backwards)
{
    size_t count = iv->list.count;
    if (!iv->needle) {
        app_notice(iv->app, ROLE_ERROR, _("nothing searched yet: press / first"));
        return TUI_REDRAW;
    }
    if (count == 0)
        return TUI_HANDLED;
    size_t from = backwards ? (iv->list.cursor + count - 1) % count : (iv->list.cursor + 1) % count;
    return search_from(iv, from, backwards);
}

static unsigned search_done(struct tui_app *app, void *ctx, size_t arg, int choice,
                            const char *text)
{
    (void)app;
    (void)arg;
    struct index_view *iv = ctx;
    if (choice != PROMPT_OK || !*text)
        return TUI_REDRAW;
    free(iv->needle);
    iv->needle = pv_xstrdup(text);
    return search_next(iv, false);
}

static unsigned resort(struct index_view *iv, enum mailbox_sort key, bool reverse)
{
    struct mailbox *mb = app_mailbox(iv->app);
    size_t index = iv->list.count ? mailbox_row_index(mb, iv->list.cursor) : SIZE_MAX;
    mailbox_sort(mb, key, reverse);
    if (index != SIZE_MAX)
        listw_set_cursor(&iv->list, mailbox_index_row(mb, index));
    remember_cursor(iv);
    app_notice(iv->app, ROLE_NOTICE, _("sorted by %s%s"), _(tui_sort_name(key)),
               reverse ? _(", reversed") : "");
    return TUI_REDRAW;
}

static unsigned index_on_action(struct view *v, struct tui_app *app, enum tui_action a, int key)
{
    struct index_view *iv = (struct index_view *)v;
    struct mailbox *mb = app_mailbox(app);
    bool reverse;
    enum mailbox_sort sort;
    switch (a) {
    case ACT_LINE_DOWN:
        listw_move(&iv->list, 1);
        break;
    case ACT_LINE_UP:
        listw_move(&iv->list, -1);
        break;
    case ACT_PAGE_DOWN:
        listw_page(&iv->list, 1);
        break;
    case ACT_PAGE_UP:
        listw_page(&iv->list, -1);
        break;
    case ACT_FIRST:
        listw_set_cursor(&iv->list, 0);
        break;
    case ACT_LAST:
        listw_set_cursor(&iv->list, iv->list.count ? iv->list.count - 1 : 0);
        break;
    case ACT_JUMP: {
        char initial[8] = "";
        if (key >= '0' && key <= '9')
            initial[0] = (char)key;
        app_open_prompt(app, prompt_new_text(_("Jump to message: "), initial, jump_done, iv, 0));
        return TUI_REDRAW;
    }
    case ACT_OPEN:
        if (iv->list.count == 0)
            return TUI_HANDLED;
        return app_open_message(app, mailbox_row_index(mb, iv->list.cursor));
    case ACT_SEARCH:
        app_open_prompt(app, prompt_new_text(_("Search From/Subject: "), "", search_done, iv, 0));
        return TUI_REDRAW;
    case ACT_SEARCH_NEXT:
        return search_next(iv, false);
    case ACT_SEARCH_PREV:
        return search_next(iv, true);
    case ACT_SORT_NEXT:
        sort = mailbox_sort_key(mb, &reverse);
        return resort(iv, tui_sort_next(sort), reverse);
    case ACT_SORT_REVERSE:
        sort = mailbox_sort_key(mb, &reverse);
        return resort(iv, sort, !reverse);
    default:
        return TUI_HANDLED;
    }
    remember_cursor(iv);
    return TUI_REDRAW;
}

static void index_on_resize(struct view *v, struct tui_app *app, const struct tui_rect *r)
{
    (void)app;
    struct index_view *iv = (struct index_view *)v;
    iv->rect = *r;
    listw_set_height(&iv->list, r->h);
}

static unsigned index_on_model(struct view *v, struct tui_app *app, unsigned changed)
{
    struct index_view *iv = (struct index_view *)v;
    if (!(changed & (MAILBOX_CHANGED_ROWS | MAILBOX_CHANGED_PHASE)))
        return 0;
    struct mailbox *mb = app_mailbox(app);
    size_t count = mailbox_count(mb);
    listw_set_count(&iv->list, count);
    /* The order may have changed as summaries arrived: follow the message. */
    if (iv->cursor_index != SIZE_MAX && iv->cursor_index < count)
        listw_set_cursor(&iv->list, mailbox_index_row(mb, iv->cursor_index));
    remember_cursor(iv);
    return TUI_REDRAW;
}

static void index_recalc(struct view *v, struct tui_app *app)
{
    struct index_view *iv = (struct index_view *)v;
    struct mailbox *mb = app_mailbox(app);
    listw_set_count(&iv->list, mailbox_count(mb));
    listw_set_height(&iv->list, iv->rect.h);
    size_t first = iv->list.top;
    size_t n = iv->list.count - first;
    if (iv->rect.h > 0 && n > (size_t)iv->rect.h)
        n = (size_t)iv->rect.h;
    if (n == 0)
        return;
    if (!iv->prio_sent || first != iv->prio_first || n != iv->prio_count) {
        mailbox_prioritize(mb, first, n);
        iv->prio_first = first;
        iv->prio_count = n;
        iv->prio_sent = true;
    }
}

static bool index_current(const struct view *v, const struct tui_app *app, size_t *index_out)
{
    const struct index_view *iv = (const struct index_view *)v;
    if (iv->list.count == 0)
        return false;
    *index_out = mailbox_row_index(app_mailbox(app), iv->list.cursor);
    return true;
}

static void index_status(const struct view *v, const struct tui_app *app, char *out,
                         size_t out_size)
{
    const struct index_view *iv = (const struct index_view *)v;
    bool reverse;
    enum mailbox_sort key = mailbox_sort_key(app_mailbox(app), &reverse);
    if (iv->list.count)
        snprintf(out, out_size, _("%zu/%zu by %s%s"), iv->list.cursor + 1, iv->list.count,
                 _(tui_sort_name(key)), reverse ? _(" (rev)") : "");
    else
        snprintf(out, out_size, _("by %s%s"), _(tui_sort_name(key)), reverse ? _(" (rev)") : "");
}

static void index_free(struct view *v)
{
    struct index_view *iv = (struct index_view *)v;
    free(iv->needle);
    free(iv);
}

static const struct view_ops INDEX_OPS = {
    .name = "index",
    .keymap = KEYMAP_INDEX,
    .advance_on_mark = true,
    .draw = index_draw,
    .on_action = index_on_action,
    .on_resize = index_on_resize,
    .on_model = index_on_model,
    .recalc = index_recalc,
    .current_message = index_current,
    .status = index_status,
    .free = index_free,
};

struct view *view_index_new(struct tui_app *app)
{
    struct index_view *iv = pv_xcalloc(1, sizeof *iv);
    iv->base.ops = &INDEX_OPS;
    iv->app = app;
    iv->cursor_index = SIZE_MAX;
    return &iv->base;
}
