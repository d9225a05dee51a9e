/*
 * The transcript view: every line of the POP3 session as it happens,
 *
 *    C: 14:02:11 LIST
 *    S: 14:02:11 +OK 28 messages (1609234 octets)
 *    S: 14:02:11   1 1204
 *    S: 14:02:11   2 3087
 *                … 26 more lines, 312 octets …
 *    *  14:02:12 state: AUTHORIZATION -> TRANSACTION
 *
 * direction (C: the client, S: the server, * popview itself), local time,
 * the text (secrets were masked by the pop3 layer before anything saw
 * them).  Long multi-line replies are folded (fold.c); Enter unfolds the
 * reply under the cursor and folds it again.  In explain mode a note
 * follows each command and status line.
 *
 * One file serves the pane under the index or the pager (it draws its own
 * title line and has the keys only when Tab gave them) and the full-screen
 * transcript (T).  Rows are rebuilt from the model when lines arrive; the
 * cursor stays on its line, or on the newest one while it was there
 * (following the session live).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <popview/util.h>

#include <popview/mailbox.h>

#include <popview/i18n.h>

#include "teach.h"

enum {
    FOLD_KEEP = 2,   /* data lines a folded reply still shows */
    TEXT_COL = 12,   /* "C: 14:02:11 " */
    DATA_INDENT = 2, /* data lines, under their status line */
};

struct transcript_view {
    struct view base;
    struct tui_app *app;
    bool pane;
    struct tr_rows rows;
    struct list_widget list;
    struct tui_rect rect;
    bool stale;       /* rebuild before the next paint */
    bool built_notes; /* explain mode when the rows were built */
    bool follow;      /* the cursor stays on the newest row */
    bool has_target;  /* after a fold: put the cursor on this line */
    uint64_t target;
    uint64_t *unfolded;
    size_t n_unfolded;
};

static const struct view_ops TRANSCRIPT_OPS;

bool view_is_transcript(const struct view *v)
{
    return v && v->ops == &TRANSCRIPT_OPS;
}

static const struct mailbox_line *line_at(void *ctx, size_t i)
{
    return mailbox_transcript_at(ctx, i);
}

static const struct mailbox_line *line_of(const struct transcript_view *tv, uint64_t seq)
{
    struct mailbox *mb = app_mailbox(tv->app);
    uint64_t first = mailbox_transcript_first(mb);
    return seq >= first ? mailbox_transcript_at(mb, (size_t)(seq - first)) : NULL;
}

/* ---- rows --------------------------------------------------------------- */

/* Where the cursor should land after a rebuild: the same row, or the
 * first one after where it was. */
static size_t find_row(const struct transcript_view *tv, enum tr_row_kind kind, uint64_t seq)
{
    for (size_t i = 0; i < tv->rows.count; i++) {
        const struct tr_row *r = &tv->rows.rows[i];
        if ((r->seq == seq && r->kind == kind) || r->seq > seq)
            return i;
    }
    return tv->rows.count ? tv->rows.count - 1 : 0;
}

static void rebuild(struct transcript_view *tv)
{
    struct mailbox *mb = app_mailbox(tv->app);
    bool had = tv->rows.count > 0 && tv->list.cursor < tv->rows.count;
    struct tr_row at = had ? tv->rows.rows[tv->list.cursor] : (struct tr_row){0};
    struct tr_build_opts o = {.keep = FOLD_KEEP,
                              .notes = app_explain_on(tv->app),
                              .unfolded = tv->unfolded,
                              .n_unfolded = tv->n_unfolded};
    tr_build(&tv->rows, line_at, mb, mailbox_transcript_count(mb), mailbox_transcript_first(mb),
             &o);
    tv->built_notes = o.notes;
    tv->stale = false;
    listw_set_count(&tv->list, tv->rows.count);
    if (tv->has_target) {
        listw_set_cursor(&tv->list, find_row(tv, TR_ROW_LINE, tv->target));
        tv->has_target = false;
    } else if (tv->follow || !had) {
        listw_set_cursor(&tv->list, tv->rows.count ? tv->rows.count - 1 : 0);
    } else {
        listw_set_cursor(&tv->list, find_row(tv, at.kind, at.seq));
    }
}

static void toggle_fold(struct transcript_view *tv)
{
    if (tv->list.cursor >= tv->rows.count)
        return;
    uint64_t reply = tv->rows.rows[tv->list.cursor].reply;
    if (reply == UINT64_MAX) {
        app_notice(tv->app, ROLE_NOTICE, _("this line is not part of a multi-line reply"));
        return;
    }
    for (size_t i = 0; i < tv->n_unfolded; i++) {
        if (tv->unfolded[i] == reply) {
            tv->unfolded[i] = tv->unfolded[--tv->n_unfolded];
            tv->stale = true;
            tv->has_target = true;
            tv->target = reply;
            tv->follow = false;
            return;
        }
    }
    tv->unfolded = pv_xreallocarray(tv->unfolded, tv->n_unfolded + 1, sizeof *tv->unfolded);
    tv->unfolded[tv->n_unfolded++] = reply;
    tv->stale = true;
    tv->has_target = true;
    tv->target = reply;
    tv->follow = false;
}

/* ---- drawing ------------------------------------------------------------- */

static enum tui_role line_role(const struct mailbox_line *l)
{
    switch (l->kind) {
    case MAILBOX_LINE_CLIENT:
        return ROLE_TR_COMMAND;
    case MAILBOX_LINE_SERVER:
        return strncmp(l->text, "-ERR", 4) == 0 ? ROLE_TR_ERR : ROLE_TR_OK;
    case MAILBOX_LINE_DATA:
        return ROLE_TR_DATA;
    case MAILBOX_LINE_INFO:
        return ROLE_TR_INFO;
    }
    return ROLE_NORMAL;
}

/* "C: 14:02:11 " */
static void line_prefix(const struct mailbox_line *l, char *out, size_t out_size)
{
    const char *dir = l->kind == MAILBOX_LINE_CLIENT ? "C:"
                      : l->kind == MAILBOX_LINE_INFO ? "* "
                                                     : "S:";
    time_t t = (time_t)(l->when_ms / 1000);
    struct tm tm;
    char clock[16] = "--:--:--";
    if (localtime_r(&t, &tm))
        strftime(clock, sizeof clock, "%H:%M:%S", &tm);
    snprintf(out, out_size, "%s %s ", dir, clock);
}

static void draw_note(const struct transcript_view *tv, const struct tr_row *r,
                      const struct mailbox_line *l, WINDOW *w, int y, int x, int width)
{
    const struct explain *ex = app_explain(tv->app);
    char note[EXPLAIN_NOTE_MAX];
    bool have = l->kind == MAILBOX_LINE_CLIENT
                    ? explain_command_note(ex, l->text, note, sizeof note)
                    : explain_reply_note(ex, &r->answered, l->text, note, sizeof note);
    if (!have)
        return;
    char shown[EXPLAIN_NOTE_MAX + 8];
    snprintf(shown, sizeof shown, "\xe2\x86\xb3 %s", note); /* U+21B3 */
    scr_puts(w, y, x + TEXT_COL, width - TEXT_COL, shown, SCR_ELLIPSIS);
}

static void draw_row(void *ctx, WINDOW *w, int y, int x, int width, size_t index, bool selected)
{
    struct transcript_view *tv = ctx;
    const struct tui_theme *t = app_theme(tv->app);
    const struct tr_row *r = &tv->rows.rows[index];
    bool focused = !tv->pane || app_focus_view(tv->app) == &tv->base;
    bool cursor = selected && focused;
    const struct mailbox_line *l = line_of(tv, r->seq);
    enum tui_role role = ROLE_TR_FOLD;
    if (r->kind == TR_ROW_NOTE)
        role = ROLE_TR_NOTE;
    else if (r->kind == TR_ROW_LINE && l)
        role = line_role(l);
    theme_apply(t, w, cursor ? ROLE_CURSOR : role);
    scr_blank(w, y, x, width);
    if (r->kind == TR_ROW_FOLD) {
        char lines[64], octets[64], fold[160];
        snprintf(lines, sizeof lines,
                 P_("%llu more line", "%llu more lines", (unsigned long)r->lines),
                 (unsigned long long)r->lines);
        snprintf(octets, sizeof octets, P_("%llu octet", "%llu octets", (unsigned long)r->octets),
                 (unsigned long long)r->octets);
        /* TRANSLATORS: a folded reply: "N more lines, M octets" between ellipses */
        snprintf(fold, sizeof fold, _("\xe2\x80\xa6 %s, %s \xe2\x80\xa6"), lines, octets);
        scr_puts(w, y, x + TEXT_COL + DATA_INDENT, width - TEXT_COL - DATA_INDENT, fold,
                 SCR_ELLIPSIS);
    } else if (l && r->kind == TR_ROW_NOTE) {
        draw_note(tv, r, l, w, y, x, width);
    } else if (l) {
        char prefix[32];
        line_prefix(l, prefix, sizeof prefix);
        int col = scr_puts(w, y, x, width, prefix, 0);
        if (l->kind == MAILBOX_LINE_DATA)
            col += DATA_INDENT;
        if (col < width)
            scr_puts(w, y, x + col, width - col, l->text, SCR_ELLIPSIS);
    }
    theme_apply(t, w, ROLE_NORMAL);
}

static void draw_title(struct transcript_view *tv, WINDOW *w, const struct tui_rect *r)
{
    const struct tui_theme *t = app_theme(tv->app);
    bool focused = app_focus_view(tv->app) == &tv->base;
    theme_apply(t, w, focused ? ROLE_TITLE : ROLE_STATUS);
    scr_blank(w, r->y, r->x, r->w);
    const char *title = focused ? _(" POP3 transcript (keys here: Tab returns, +/- resize, Enter "
                                    "unfolds, t closes)")
                                : _(" POP3 transcript (Tab gives it the keys, t closes)");
    scr_puts(w, r->y, r->x, r->w, title, SCR_ELLIPSIS);
    theme_apply(t, w, ROLE_NORMAL);
}

static struct tui_rect rows_rect(const struct transcript_view *tv)
{
    struct tui_rect r = tv->rect;
    if (tv->pane) {
        r.y++;
        r.h--;
    }
    return r;
}

static void transcript_draw(struct view *v, struct tui_app *app, WINDOW *w,
                            const struct tui_rect *r)
{
    struct transcript_view *tv = (struct transcript_view *)v;
    (void)app;
    if (tv->pane)
        draw_title(tv, w, r);
    struct tui_rect rows = rows_rect(tv);
    if (tv->rows.count == 0) {
        theme_apply(app_theme(tv->app), w, ROLE_UNLOADED);
        scr_puts(w, rows.y, rows.x + 1, rows.w - 1, _("Nothing was said yet."), SCR_ELLIPSIS);
        theme_apply(app_theme(tv->app), w, ROLE_NORMAL);
        return;
    }
    listw_draw(&tv->list, w, &rows, draw_row, tv);
}

/* ---- keys and model -------------------------------------------------------- */

static unsigned transcript_on_action(struct view *v, struct tui_app *app, enum tui_action a,
                                     int key)
{
    (void)key;
    struct transcript_view *tv = (struct transcript_view *)v;
    /* Keys typed before the next paint move over the rows as they are now. */
    if (tv->stale || tv->built_notes != app_explain_on(app))
        rebuild(tv);
    switch (a) {
    case ACT_LINE_DOWN:
        listw_move(&tv->list, 1);
        break;
    case ACT_LINE_UP:
        listw_move(&tv->list, -1);
        break;
    case ACT_PAGE_DOWN:
        listw_page(&tv->list, 1);
        break;
    case ACT_PAGE_UP:
        listw_page(&tv->list, -1);
        break;
    case ACT_FIRST:
        listw_set_cursor(&tv->list, 0);
        break;
    case ACT_LAST:
        listw_set_cursor(&tv->list, tv->list.count ? tv->list.count - 1 : 0);
        break;
    case ACT_FOLD:
        toggle_fold(tv);
        return TUI_REDRAW;
    case ACT_BACK:
        if (tv->pane)
            teach_close_pane(app); /* frees tv */
        else
            app_pop_view(app);
        return TUI_RELAYOUT;
    default:
        return TUI_HANDLED;
    }
    tv->follow = tv->list.count == 0 || tv->list.cursor + 1 == tv->list.count;
    return TUI_REDRAW;
}

static void transcript_on_resize(struct view *v, struct tui_app *app, const struct tui_rect *r)
{
    (void)app;
    struct transcript_view *tv = (struct transcript_view *)v;
    tv->rect = *r;
    struct tui_rect rows = rows_rect(tv);
    listw_set_height(&tv->list, rows.h > 0 ? rows.h : 1);
}

static unsigned transcript_on_model(struct view *v, struct tui_app *app, unsigned changed)
{
    (void)app;
    struct transcript_view *tv = (struct transcript_view *)v;
    if (!(changed & MAILBOX_CHANGED_TRANSCRIPT))
        return 0;
    tv->stale = true;
    return TUI_REDRAW;
}

static void transcript_recalc(struct view *v, struct tui_app *app)
{
    struct transcript_view *tv = (struct transcript_view *)v;
    if (tv->stale || tv->built_notes != app_explain_on(app))
        rebuild(tv);
}

static void transcript_status(const struct view *v, const struct tui_app *app, char *out,
                              size_t out_size)
{
    (void)app;
    const struct transcript_view *tv = (const struct transcript_view *)v;
    if (tv->follow)
        /* English says "rows" even for one. */
        snprintf(out, out_size,
                 P_("transcript: %zu rows, live", "transcript: %zu rows, live",
                    (unsigned long)tv->list.count),
                 tv->list.count);
    else
        snprintf(out, out_size, _("transcript: %zu/%zu"), tv->list.cursor + 1, tv->list.count);
}

static void transcript_free(struct view *v)
{
    struct transcript_view *tv = (struct transcript_view *)v;
    tr_rows_free(&tv->rows);
    free(tv->unfolded);
    free(tv);
}

static const struct view_ops TRANSCRIPT_OPS = {
    .name = "transcript",
    .keymap = KEYMAP_TRANSCRIPT,
    .draw = transcript_draw,
    .on_action = transcript_on_action,
    .on_resize = transcript_on_resize,
    .on_model = transcript_on_model,
    .recalc = transcript_recalc,
    .status = transcript_status,
    .free = transcript_free,
};

struct view *view_transcript_new(struct tui_app *app, bool pane)
{
    struct transcript_view *tv = pv_xcalloc(1, sizeof *tv);
    tv->base.ops = &TRANSCRIPT_OPS;
    tv->app = app;
    tv->pane = pane;
    tv->follow = true;
    tv->stale = true;
    return &tv->base;
}
