/*
 * The app's teaching state and the actions on it: the transcript pane (t
 * opens and closes it with the keys in it, Tab moves the keys, + and -
 * resize it, T shows the transcript on the whole screen), explain mode (e:
 * notes in the transcript, the state's reminder above the status line),
 * the console (:) and the server inspector (i).
 *
 * The loop in app.c stays in charge of layout and painting: it asks
 * teach_layout() for the room the pane and the explain line take,
 * teach_recalc() before painting and teach_draw() to paint them.  The
 * pane is not on the view stack: it belongs beside the index or the pager
 * only, and hides (keeping its place and its folds) while another view is
 * on top.
 */
#include "teach.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <popview/util.h>

#include <popview/mailbox.h>

#include <popview/i18n.h>

enum {
    PANE_MIN = 4,  /* title line and three rows */
    TOP_MIN = 3,   /* what the index or the pager keeps above it */
    PANE_STEP = 2, /* rows per + or - */
};

struct teach *teach_new(struct tui_app *app)
{
    struct teach *t = pv_xcalloc(1, sizeof *t);
    struct pv_error err;
    pv_error_clear(&err);
    t->ex = explain_for_locale(NULL, 0, &err);
    if (!t->ex)
        app_notice(app, ROLE_ERROR, _("explanations are missing: %s"), err.msg);
    return t;
}

void teach_free(struct teach **tp)
{
    if (!tp || !*tp)
        return;
    struct teach *t = *tp;
    if (t->pane)
        t->pane->ops->free(t->pane);
    explain_free(&t->ex);
    console_clear(&t->console);
    console_history_clear(&t->console.history);
    pv_free_secret(&t->pending);
    free(t);
    *tp = NULL;
}

const struct explain *app_explain(const struct tui_app *app)
{
    return app->teach ? app->teach->ex : NULL;
}

bool app_explain_on(const struct tui_app *app)
{
    return app->teach && app->teach->explain_on;
}

/* The index and the pager share the screen with the pane; others do not. */
static bool top_shares(const struct tui_app *app)
{
    const struct view *top = app_top_view(app);
    return top && (top->ops->keymap == KEYMAP_INDEX || top->ops->keymap == KEYMAP_PAGER);
}

bool teach_pane_shown(const struct tui_app *app)
{
    const struct teach *t = app->teach;
    return t && t->pane && !app->too_small && top_shares(app) && t->pane_rect.h > 0;
}

struct view *app_focus_view(const struct tui_app *app)
{
    if (teach_pane_shown(app) && app->teach->pane_focus)
        return app->teach->pane;
    return app_top_view(app);
}

/* ---- layout and painting ------------------------------------------------------ */

void teach_layout(struct tui_app *app, struct tui_rect *body)
{
    struct teach *t = app->teach;
    if (!t)
        return;
    t->pane_rect = (struct tui_rect){0};
    if (t->explain_on && body->h > TOP_MIN)
        body->h--; /* the state's reminder, above the status line */
    if (!t->pane || !top_shares(app) || body->h < TOP_MIN + PANE_MIN)
        return;
    int h = t->pane_rows ? t->pane_rows : body->h * 2 / 5;
    if (h < PANE_MIN)
        h = PANE_MIN;
    if (h > body->h - TOP_MIN)
        h = body->h - TOP_MIN;
    t->pane_rows = h;
    body->h -= h;
    t->pane_rect = (struct tui_rect){.y = body->y + body->h, .x = body->x, .h = h, .w = body->w};
    t->pane->ops->on_resize(t->pane, app, &t->pane_rect);
}

void teach_recalc(struct tui_app *app)
{
    struct teach *t = app->teach;
    if (teach_pane_shown(app) && t->pane->ops->recalc)
        t->pane->ops->recalc(t->pane, app);
}

/* " TRANSACTION: logged in, the mailbox is locked: STAT, LIST, ..." */
static void draw_explain_line(struct tui_app *app)
{
    int y = app->rows - 2 - app->msg_lines;
    if (y < 1)
        return;
    enum pop3_state st = mailbox_pop3_state(app_mailbox(app));
    const char *allows = explain_state(app_explain(app), st);
    char line[EXPLAIN_NOTE_MAX + 32];
    snprintf(line, sizeof line, " %s: %s", pop3_state_name(st), allows ? allows : "");
    theme_apply(app_theme(app), stdscr, ROLE_TR_NOTE);
    scr_blank(stdscr, y, 0, app->cols);
    scr_puts(stdscr, y, 0, app->cols, line, SCR_ELLIPSIS);
    theme_apply(app_theme(app), stdscr, ROLE_NORMAL);
}

void teach_draw(struct tui_app *app)
{
    struct teach *t = app->teach;
    if (!t || app->too_small)
        return;
    if (teach_pane_shown(app))
        t->pane->ops->draw(t->pane, app, stdscr, &t->pane_rect);
    if (t->explain_on)
        draw_explain_line(app);
}

unsigned teach_on_model(struct tui_app *app, unsigned changed)
{
    struct teach *t = app->teach;
    if (!t || !t->pane || !t->pane->ops->on_model)
        return 0;
    return t->pane->ops->on_model(t->pane, app, changed);
}

unsigned teach_tick(struct tui_app *app)
{
    return view_info_tick(app_top_view(app)) ? TUI_REDRAW : 0;
}

void teach_show_pane(struct tui_app *app)
{
    struct teach *t = app->teach;
    if (t->pane)
        return;
    t->pane = view_transcript_new(app, true);
    t->pane_focus = false;
}

void teach_close_pane(struct tui_app *app)
{
    struct teach *t = app->teach;
    if (!t->pane)
        return;
    t->pane->ops->free(t->pane);
    t->pane = NULL;
    t->pane_focus = false;
    t->pane_rect = (struct tui_rect){0};
}

static bool is_marked(void *ctx, unsigned msgno)
{
    const struct tui_app *app = ctx;
    struct mailbox *mb = app_mailbox(app);
    size_t n = mailbox_count(mb);
    for (size_t i = 0; i < n; i++) {
        const struct mailbox_summary *s = mailbox_at(mb, i);
        if (s->msgno == msgno)
            return s->marked || s->mark_pending;
    }
    return false;
}

void teach_console_session(struct tui_app *app, struct console_session *cs)
{
    struct mailbox *mb = app_mailbox(app);
    const struct mailbox_server_info *info = mailbox_server_info(mb);
    enum mailbox_phase p = mailbox_phase(mb);
    bool alive =
        !app->quitting && p != MAILBOX_FAILED && p != MAILBOX_CLOSED && p != MAILBOX_QUITTING;
    *cs = (struct console_session){
        .state = alive ? mailbox_pop3_state(mb) : POP3_STATE_DISCONNECTED,
        .capa_known = info->known && info->capa_known,
        .capa = info->capa,
        .capa_count = info->known ? info->capa_count : 0,
        .messages = mailbox_count(mb),
        .is_marked = is_marked,
        .ctx = app,
    };
}

/* ---- actions ---------------------------------------------------------------------- */

unsigned teach_act_pane(struct tui_app *app, struct view *v, int key)
{
    (void)key;
    struct teach *t = app->teach;
    if (view_is_transcript(v) && v != t->pane) {
        app_pop_view(app); /* t in the full-screen transcript: back */
        return TUI_RELAYOUT;
    }
    if (t->pane) {
        teach_close_pane(app);
        return TUI_RELAYOUT;
    }
    teach_show_pane(app);
    t->pane_focus = true;
    return TUI_RELAYOUT;
}

unsigned teach_act_full(struct tui_app *app, struct view *v, int key)
{
    (void)key;
    if (view_is_transcript(v) && v != app->teach->pane) {
        app_pop_view(app);
        return TUI_RELAYOUT;
    }
    app_push_view(app, view_transcript_new(app, false));
    return TUI_RELAYOUT;
}

unsigned teach_act_focus(struct tui_app *app, struct view *v, int key)
{
    (void)v;
    (void)key;
    struct teach *t = app->teach;
    if (!teach_pane_shown(app)) {
        app_notice(app, ROLE_NOTICE, _("no transcript pane here: t opens one"));
        return TUI_REDRAW;
    }
    t->pane_focus = !t->pane_focus;
    return TUI_REDRAW;
}

static unsigned resize_pane(struct tui_app *app, int delta)
{
    struct teach *t = app->teach;
    if (!teach_pane_shown(app)) {
        app_notice(app, ROLE_NOTICE, _("only the transcript pane can be resized: t opens it"));
        return TUI_REDRAW;
    }
    /* pane_rows, not the rect: several keys may come before the next layout. */
    int h = t->pane_rows + delta;
    t->pane_rows = h < PANE_MIN ? PANE_MIN : h; /* the layout keeps the view above */
    return TUI_RELAYOUT;
}

unsigned teach_act_grow(struct tui_app *app, struct view *v, int key)
{
    (void)v;
    (void)key;
    return resize_pane(app, PANE_STEP);
}

unsigned teach_act_shrink(struct tui_app *app, struct view *v, int key)
{
    (void)v;
    (void)key;
    return resize_pane(app, -PANE_STEP);
}

unsigned teach_act_console(struct tui_app *app, struct view *v, int key)
{
    (void)v;
    (void)key;
    console_open(app);
    return TUI_REDRAW;
}

unsigned teach_act_explain(struct tui_app *app, struct view *v, int key)
{
    (void)v;
    (void)key;
    struct teach *t = app->teach;
    t->explain_on = !t->explain_on;
    if (!t->ex)
        app_notice(app, ROLE_ERROR, _("explain mode has no texts: the explanations did not load"));
    else if (t->explain_on)
        app_notice(app, ROLE_NOTICE,
                   _("explain mode: a note under each command and reply of the "
                     "transcript, the state's reminder above the status line (e "
                     "ends it)"));
    else
        app_notice(app, ROLE_NOTICE, _("explain mode is off"));
    return TUI_RELAYOUT;
}

unsigned teach_act_inspect(struct tui_app *app, struct view *v, int key)
{
    (void)key;
    if (v->ops->keymap == KEYMAP_INFO) {
        app_pop_view(app);
        return TUI_RELAYOUT;
    }
    app_push_view(app,
                  view_info_new(app, _("What the server is (i or q closes this)"), inspect_build));
    return TUI_RELAYOUT;
}
