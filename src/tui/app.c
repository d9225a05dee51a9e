/*
 * The one loop of the interactive browser, and what views may ask of it.
 *
 * Each turn: lay out if asked (RELAYOUT), let the views recalculate
 * (clamp cursors, tell the model which rows are visible), paint the whole
 * frame into stdscr and hand it to the terminal with one wnoutrefresh +
 * doupdate (curses sends only what changed), then wait in poll() on three
 * descriptors at once: the keyboard, mailbox_event_fd() and a signalfd.
 * Handlers never draw; they return intents that pile up until the next
 * turn.  A tick (1 s, or 250 ms while something is loading) sends the
 * keep-alive and moves the progress bars.
 *
 * Signals: SIGINT, SIGTERM, SIGHUP and SIGWINCH are blocked for the whole
 * process before the mailbox worker starts (so the worker inherits the
 * mask and no handler ever runs on any thread) and read from the signalfd
 * here: SIGWINCH resizes, SIGINT is the exit-without-deleting action,
 * SIGTERM and SIGHUP leave at once (closing without QUIT deletes nothing,
 * RFC 1939 section 6).  SIGTSTP stays with curses, which restores the
 * terminal while stopped.
 *
 * Screen layout, top to bottom: the key hint line, the top view's body,
 * the transcript pane and the explain-mode line when shown (teach.c), the
 * status line, the message line (notices, errors, text prompts and the
 * console).  The hints and the status are those of the view that has the
 * keys: the pane when Tab gave them to it.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <popview/util.h>

#include <popview/pop3.h>

#include <popview/mailbox.h>

#include <popview/tui.h>

#include <popview/i18n.h>

#include "private.h"
#include "teach.h"

enum {
    TICK_IDLE_MS = 1000,
    TICK_BUSY_MS = 250,
    KEEPALIVE_DEFAULT_S = 60,
    QUIT_WAIT_EXTRA_S = 5, /* beyond the network timeout, for QUIT's answer */
    STATUS_RIGHT_MAX = 48,
};

/* ---- what views may ask ------------------------------------------------------ */

struct mailbox *app_mailbox(const struct tui_app *app)
{
    return app->mb;
}

const struct tui_theme *app_theme(const struct tui_app *app)
{
    return &app->theme;
}

void app_notice(struct tui_app *app, enum tui_role role, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(app->notice, sizeof app->notice, fmt, ap);
    va_end(ap);
    app->notice_role = role;
}

struct view *app_top_view(const struct tui_app *app)
{
    return app->depth ? app->stack[app->depth - 1] : NULL;
}

void app_push_view(struct tui_app *app, struct view *v)
{
    if (app->depth == TUI_VIEW_STACK_MAX) {
        /* Only index, pager and help stack up; more is a broken invariant. */
        v->ops->free(v);
        return;
    }
    app->stack[app->depth++] = v;
    v->ops->on_resize(v, app, &app->body);
}

void app_pop_view(struct tui_app *app)
{
    /* The index at the bottom stays for the whole run. */
    if (app->depth <= 1)
        return;
    struct view *v = app->stack[--app->depth];
    v->ops->free(v);
}

void app_open_prompt(struct tui_app *app, struct prompt *p)
{
    prompt_free(&app->prompt);
    app->prompt = p;
}

bool app_session_ready(const struct tui_app *app)
{
    if (app->quitting)
        return false;
    enum mailbox_phase p = mailbox_phase(app->mb);
    return (p == MAILBOX_LOADING || p == MAILBOX_READY) &&
           mailbox_pop3_state(app->mb) == POP3_STATE_TRANSACTION;
}

static void drop_wish(struct tui_app *app, size_t i)
{
    app->wishes[i] = app->wishes[--app->wish_count];
}

/* Sends what can be sent: a row whose change is still on its way waits. */
static void settle_wishes(struct tui_app *app)
{
    if (!app_session_ready(app)) {
        /* Numbers mean nothing in another session: forget the wishes. */
        app->wish_count = 0;
        return;
    }
    for (size_t i = app->wish_count; i-- > 0;) {
        const struct mailbox_summary *s = mailbox_at(app->mb, app->wishes[i].index);
        if (!s) {
            drop_wish(app, i);
            continue;
        }
        if (s->mark_pending)
            continue;
        if (s->marked != app->wishes[i].mark) {
            if (app->wishes[i].mark)
                mailbox_mark(app->mb, app->wishes[i].index);
            else
                mailbox_unmark(app->mb, app->wishes[i].index);
        }
        drop_wish(app, i);
    }
}

void app_want_mark(struct tui_app *app, size_t index, bool mark)
{
    for (size_t i = app->wish_count; i-- > 0;) {
        if (app->wishes[i].index == index)
            drop_wish(app, i);
    }
    app->wishes = pv_xreallocarray(app->wishes, app->wish_count + 1, sizeof *app->wishes);
    app->wishes[app->wish_count++] = (struct mark_wish){.index = index, .mark = mark};
    settle_wishes(app);
}

static unsigned start_fetch(struct tui_app *app, size_t index, bool preview)
{
    if (preview)
        mailbox_fetch_preview(app->mb, index, TUI_PREVIEW_LINES);
    else
        mailbox_fetch(app->mb, index);
    app_push_view(app, view_pager_new(app, index, preview));
    return TUI_RELAYOUT;
}

static unsigned large_message_done(struct tui_app *app, void *ctx, size_t index, int choice,
                                   const char *text)
{
    (void)ctx;
    (void)text;
    if (choice != 'y' && choice != 'p')
        return TUI_REDRAW;
    if (!app_session_ready(app)) {
        app_notice(app, ROLE_ERROR, _("the session is not ready; the message was not fetched"));
        return TUI_REDRAW;
    }
    return start_fetch(app, index, choice == 'p');
}

unsigned app_open_message(struct tui_app *app, size_t index)
{
    const struct mailbox_summary *s = mailbox_at(app->mb, index);
    if (!s)
        return TUI_HANDLED;
    if (s->size <= TUI_LARGE_MESSAGE)
        return start_fetch(app, index, false);
    char size[16];
    pv_format_size(s->size, size, sizeof size);
    char text[256];
    snprintf(text, sizeof text,
             _("Message %u is %s.\nFetch all of it, or a preview: the header and the first %d "
               "lines?"),
             s->msgno, size, TUI_PREVIEW_LINES);
    static const struct prompt_choice choices[] = {
        {'y', N_("fetch it all"), 'y'},
        {'p', N_("preview"), 'p'},
        {'n', N_("cancel"), 'n'},
    };
    app_open_prompt(app, prompt_new_choice(text, choices, PV_ARRAY_LEN(choices), large_message_done,
                                           NULL, index));
    return TUI_REDRAW;
}

unsigned app_begin_quit(struct tui_app *app, bool commit)
{
    if (!app_session_ready(app))
        return TUI_QUIT;
    app->quit_commit = commit;
    app->quit_marked = mailbox_marked_count(app->mb);
    unsigned timeout_s = app->opts->mailbox.pop3.timeout_ms > 0
                             ? (unsigned)app->opts->mailbox.pop3.timeout_ms / 1000
                             : 30;
    app->quit_deadline = time(NULL) + timeout_s + QUIT_WAIT_EXTRA_S;
    app->quitting = true;
    mailbox_quit(app->mb, commit);
    if (commit && app->quit_marked)
        app_notice(app, ROLE_NOTICE,
                   P_("QUIT sent: the server deletes %zu marked message...",
                      "QUIT sent: the server deletes %zu marked messages...",
                      (unsigned long)app->quit_marked),
                   app->quit_marked);
    else if (commit)
        app_notice(app, ROLE_NOTICE, _("QUIT sent..."));
    else
        app_notice(app, ROLE_NOTICE, _("leaving without deleting anything (RSET, QUIT)..."));
    return TUI_REDRAW;
}

/* Drops SIGINTs that arrived while a child had the terminal: they were
 * meant for the child.  Other signals are left for the loop. */
static void forget_interrupts(void)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    struct timespec zero = {0, 0};
    while (sigtimedwait(&set, NULL, &zero) == SIGINT)
        continue;
}

static void wait_for_key(int sig_fd)
{
    fputs(_("\n[press any key to return to popview] "), stdout);
    fflush(stdout);
    struct pollfd fds[2] = {{.fd = STDIN_FILENO, .events = POLLIN},
                            {.fd = sig_fd, .events = POLLIN}};
    while (poll(fds, 2, -1) < 0 && errno == EINTR)
        continue;
    if (fds[0].revents & POLLIN) {
        char c;
        (void)read(STDIN_FILENO, &c, 1);
    }
}

void app_run_outside(struct tui_app *app, void (*fn)(struct tui_app *app, void *ctx), void *ctx)
{
    def_prog_mode();
    endwin();
    fn(app, ctx);
    forget_interrupts();
    reset_prog_mode(); /* the key is read with curses' terminal modes */
    wait_for_key(app->sig_fd);
    flushinp();
    clearok(curscr, TRUE);
}

/* ---- layout and painting --------------------------------------------------------- */

enum { MSG_LINES_MAX = 3 };

/* Cuts the notice into lines of the screen's width (at spaces where it
 * can), at most MSG_LINES_MAX; fills starts/lens when given, returns the
 * count (at least 1). */
static int message_lines(const struct tui_app *app, size_t *starts, size_t *lens)
{
    const char *s = app->notice;
    size_t len = strlen(s);
    size_t width = app->cols > 1 ? (size_t)app->cols - 1 : 1;
    size_t off = 0;
    int n = 0;
    while (n < MSG_LINES_MAX) {
        size_t take = tui_text_prefix(s + off, len - off, width, NULL);
        if (off + take < len && n + 1 < MSG_LINES_MAX) {
            for (size_t k = take; k > 0; k--) {
                if (s[off + k - 1] == ' ') {
                    take = k;
                    break;
                }
            }
        } else {
            take = len - off; /* the last line: cut with an ellipsis when drawn */
        }
        if (starts) {
            starts[n] = off;
            lens[n] = take;
        }
        n++;
        off += take;
        if (off >= len)
            break;
    }
    return n;
}

static void layout(struct tui_app *app)
{
    getmaxyx(stdscr, app->rows, app->cols);
    app->too_small = app->rows < TUI_MIN_ROWS || app->cols < TUI_MIN_COLS;
    app->msg_lines = message_lines(app, NULL, 0);
    app->body =
        (struct tui_rect){.y = 1, .x = 0, .h = app->rows - 2 - app->msg_lines, .w = app->cols};
    if (app->too_small)
        return;
    teach_layout(app, &app->body); /* the transcript pane and the explain line */
    for (size_t i = 0; i < app->depth; i++)
        app->stack[i]->ops->on_resize(app->stack[i], app, &app->body);
}

static void recalc(struct tui_app *app)
{
    if (app->too_small)
        return;
    for (size_t i = 0; i < app->depth; i++) {
        if (app->stack[i]->ops->recalc)
            app->stack[i]->ops->recalc(app->stack[i], app);
    }
    teach_recalc(app);
}

static void draw_hints(struct tui_app *app, const struct view *v)
{
    theme_apply(&app->theme, stdscr, ROLE_TITLE);
    scr_blank(stdscr, 0, 0, app->cols);
    int x = scr_puts(stdscr, 0, 0, app->cols, "popview", 0);
    size_t n;
    const struct keybinding *keys = keymap_bindings(app->keymap, v->ops->keymap, &n);
    for (size_t i = 0; i < n && x < app->cols; i++) {
        if (!keys[i].hint)
            continue;
        char name[24];
        keymap_key_name(keys[i].key, name, sizeof name);
        const struct action_info *info = action_info(keys[i].action);
        char hint[64];
        snprintf(hint, sizeof hint, "  %s:%s", name, info ? _(info->label) : "?");
        size_t w = tui_text_columns(hint, strlen(hint));
        if (x + (int)w > app->cols)
            break;
        x += scr_puts(stdscr, 0, x, app->cols - x, hint, 0);
    }
    theme_apply(&app->theme, stdscr, ROLE_NORMAL);
}

/* "TRANSACTION" while the session works, else the phase with the POP3 state. */
static void state_text(const struct tui_app *app, char *out, size_t out_size)
{
    enum mailbox_phase p = mailbox_phase(app->mb);
    enum pop3_state st = mailbox_pop3_state(app->mb);
    if (app->quitting && p != MAILBOX_CLOSED && p != MAILBOX_FAILED)
        p = MAILBOX_QUITTING;
    if (p == MAILBOX_SCANNING || p == MAILBOX_LOADING || p == MAILBOX_READY)
        snprintf(out, out_size, "%s", pop3_state_name(st));
    else if (st != POP3_STATE_DISCONNECTED)
        snprintf(out, out_size, "%s (%s)", mailbox_phase_name(p), pop3_state_name(st));
    else
        snprintf(out, out_size, "%s", mailbox_phase_name(p));
}

static void draw_status(struct tui_app *app, const struct view *v)
{
    int y = app->rows - 1 - app->msg_lines;
    struct mailbox *mb = app->mb;
    theme_apply(&app->theme, stdscr, ROLE_STATUS);
    scr_blank(stdscr, y, 0, app->cols);

    char right[STATUS_RIGHT_MAX] = "";
    if (v->ops->status)
        v->ops->status(v, app, right, sizeof right);
    int right_w = (int)tui_text_columns(right, strlen(right));
    if (right_w > app->cols / 2)
        right_w = app->cols / 2;

    char state[64];
    state_text(app, state, sizeof state);
    char total[16];
    char marked[16];
    pv_format_size(mailbox_total_size(mb), total, sizeof total);
    pv_format_size(mailbox_marked_size(mb), marked, sizeof marked);
    /* The account label goes first when there is room, else it goes. */
    char counts[160];
    size_t count = mailbox_count(mb);
    int n = snprintf(counts, sizeof counts, "%s | ", state);
    if (n > 0 && (size_t)n < sizeof counts)
        n += snprintf(counts + n, sizeof counts - (size_t)n,
                      P_("%zu msg %s", "%zu msgs %s", (unsigned long)count), count, total);
    if (mailbox_marked_count(mb) && n > 0 && (size_t)n < sizeof counts)
        snprintf(counts + n, sizeof counts - (size_t)n, _(" | marked %zu (%s)"),
                 mailbox_marked_count(mb), marked);
    char left[384];
    snprintf(left, sizeof left, " %s | %s", mailbox_label(mb), counts);

    /* While summaries load: "loading 12/28 4.1/s [#####-----]" before the
     * right part, if the left part keeps 20 columns. */
    char progress[64] = "";
    int bar_w = 0;
    enum mailbox_phase p = mailbox_phase(mb);
    if ((p == MAILBOX_LOADING || p == MAILBOX_SCANNING) && count > 0) {
        snprintf(progress, sizeof progress, _("loading %zu/%zu %.1f/s "), mailbox_loaded_count(mb),
                 count, mailbox_load_rate(mb));
        bar_w = 12;
    }
    int progress_w = progress[0] ? (int)tui_text_columns(progress, strlen(progress)) + bar_w : 0;
    int left_w = app->cols - right_w - 2;
    if (progress_w && left_w - progress_w - 2 >= 20)
        left_w -= progress_w + 2;
    else
        progress_w = 0;
    if ((int)tui_text_columns(left, strlen(left)) > left_w)
        snprintf(left, sizeof left, " %s", counts);
    scr_puts(stdscr, y, 0, left_w, left, SCR_ELLIPSIS);
    if (progress_w) {
        int x = app->cols - right_w - 2 - progress_w;
        x += scr_puts(stdscr, y, x, progress_w - bar_w, progress, 0);
        scr_progress(stdscr, &app->theme, y, x, bar_w, mailbox_loaded_count(mb), count);
        theme_apply(&app->theme, stdscr, ROLE_STATUS);
    }
    scr_put_right(stdscr, y, app->cols - right_w - 1, right_w, right);
    theme_apply(&app->theme, stdscr, ROLE_NORMAL);
}

static void draw_message_line(struct tui_app *app)
{
    size_t starts[MSG_LINES_MAX];
    size_t lens[MSG_LINES_MAX];
    int n = message_lines(app, starts, lens);
    if (n > app->msg_lines)
        n = app->msg_lines;
    int y = app->rows - app->msg_lines;
    theme_apply(&app->theme, stdscr, app->notice_role);
    for (int i = 0; i < app->msg_lines; i++)
        scr_blank(stdscr, y + i, 0, app->cols);
    for (int i = 0; i < n; i++)
        scr_put(stdscr, y + i, 0, app->cols - 1, app->notice + starts[i], lens[i], SCR_ELLIPSIS);
    theme_apply(&app->theme, stdscr, ROLE_NORMAL);
}

/* "terminal too small (need 40x10)", on two lines when one is too narrow. */
static void paint_too_small(struct tui_app *app)
{
    char need[32];
    snprintf(need, sizeof need, _("(need %dx%d)"), TUI_MIN_COLS, TUI_MIN_ROWS);
    char one[64];
    snprintf(one, sizeof one, _("terminal too small %s"), need);
    const char *lines[2] = {one, NULL};
    if ((int)strlen(one) > app->cols) {
        lines[0] = _("terminal too small");
        lines[1] = need;
    }
    theme_apply(&app->theme, stdscr, ROLE_ERROR);
    for (int i = 0; i < 2 && lines[i]; i++) {
        int w = (int)strlen(lines[i]);
        int x = w < app->cols ? (app->cols - w) / 2 : 0;
        scr_puts(stdscr, app->rows / 2 - 1 + i, x, app->cols - x, lines[i], SCR_ELLIPSIS);
    }
    theme_apply(&app->theme, stdscr, ROLE_NORMAL);
}

static void paint(struct tui_app *app)
{
    werase(stdscr);
    bool show_cursor = false;
    if (app->too_small) {
        paint_too_small(app);
    } else {
        struct view *v = app_top_view(app);
        struct view *focus = app_focus_view(app); /* its keys and status are shown */
        draw_hints(app, focus);
        v->ops->draw(v, app, stdscr, &app->body);
        teach_draw(app);
        draw_status(app, focus);
        draw_message_line(app);
        if (app->prompt) {
            prompt_draw(app->prompt, stdscr, &app->theme, app->rows, app->cols);
            show_cursor = prompt_is_text(app->prompt);
        } else if (app->teach && app->teach->console.open) {
            console_draw(app, stdscr);
            show_cursor = true;
        }
    }
    curs_set(show_cursor ? 1 : 0);
    wnoutrefresh(stdscr);
    doupdate();
}

/* ---- events ------------------------------------------------------------------------ */

static unsigned dispatch_key(struct tui_app *app, int key)
{
    if (key == TUI_KEY_FN(KEY_RESIZE))
        return TUI_RELAYOUT;
    app->notice_sticky = false;
    if (app->prompt) {
        if (!prompt_on_key(app->prompt, key))
            return TUI_REDRAW;
        struct prompt *p = app->prompt;
        app->prompt = NULL;
        unsigned r = prompt_finish(p, app);
        prompt_free(&p);
        return r;
    }
    if (app->teach && app->teach->console.open)
        return console_on_key(app, key);
    struct view *v = app_focus_view(app);
    enum tui_action a = keymap_lookup(app->keymap, v->ops->keymap, key);
    /* On a screen too small to show anything only leaving still works. */
    if (app->too_small && a != ACT_EXIT)
        return TUI_HANDLED;
    if (a != ACT_NONE)
        return actions_run(app, a, key);
    if (v->ops->on_key)
        return v->ops->on_key(v, app, key);
    char name[24];
    keymap_key_name(key, name, sizeof name);
    app_notice(app, ROLE_NOTICE, _("%s does nothing here; press ? for the keys"), name);
    return TUI_REDRAW;
}

static unsigned handle_keys(struct tui_app *app)
{
    unsigned r = 0;
    wint_t wc;
    int rc;
    while (!(r & TUI_QUIT) && (rc = wget_wch(stdscr, &wc)) != ERR) {
        int key = rc == KEY_CODE_YES ? TUI_KEY_FN(wc) : (int)wc;
        r |= dispatch_key(app, key);
    }
    return r;
}

/* Gives a fetched message (or the failure) to the pager waiting for it. */
static void deliver_message(struct tui_app *app)
{
    for (;;) {
        size_t index = SIZE_MAX;
        struct pv_spool *message = NULL;
        const char *error = NULL;
        bool ok = mailbox_take_message(app->mb, &index, &message, &error);
        if (!ok && !error)
            return;
        bool noted = actions_on_message(app, index, ok ? message : NULL, error);
        bool taken = false;
        for (size_t i = app->depth; i-- > 0 && !taken;)
            taken = view_pager_deliver(app->stack[i], app, index, ok ? &message : NULL, error);
        if (!ok) {
            if (!taken && !noted)
                app_notice(app, ROLE_ERROR, "%s", error);
            return;
        }
        pv_spool_free(&message); /* not taken: the person went back before it arrived */
    }
}

static void finish_quit(struct tui_app *app, struct tui_outcome *outcome)
{
    const char *reply = mailbox_quit_reply(app->mb);
    if (mailbox_phase(app->mb) == MAILBOX_CLOSED && reply) {
        outcome->quit_sent = true;
        outcome->committed = app->quit_commit;
        outcome->deleted = app->quit_commit ? app->quit_marked : 0;
        snprintf(outcome->farewell, sizeof outcome->farewell, "%s", reply);
    }
    app->done = true;
}

static unsigned handle_model(struct tui_app *app, struct tui_outcome *outcome)
{
    unsigned changed = mailbox_process(app->mb);
    if (!changed)
        return 0;
    enum mailbox_phase p = mailbox_phase(app->mb);
    if (changed & MAILBOX_CHANGED_NOTICE) {
        const char *n = mailbox_notice(app->mb);
        if (n && !app->notice_sticky)
            app_notice(app, ROLE_NOTICE, "%s", n);
    }
    if ((changed & MAILBOX_CHANGED_PHASE) && p == MAILBOX_FAILED && !app->quitting) {
        const char *e = mailbox_error(app->mb);
        app_notice(app, ROLE_ERROR, _("%s  Press R to reconnect."),
                   e ? e : _("The connection failed; nothing was deleted."));
    }
    if (changed & MAILBOX_CHANGED_MESSAGE)
        deliver_message(app);
    if (changed & (MAILBOX_CHANGED_ROWS | MAILBOX_CHANGED_PHASE))
        settle_wishes(app);
    unsigned r = TUI_REDRAW;
    for (size_t i = 0; i < app->depth; i++) {
        if (app->stack[i]->ops->on_model)
            r |= app->stack[i]->ops->on_model(app->stack[i], app, changed);
    }
    r |= teach_on_model(app, changed);
    if (app->quitting && (p == MAILBOX_CLOSED || p == MAILBOX_FAILED))
        finish_quit(app, outcome);
    return r;
}

static unsigned resize_from_terminal(struct tui_app *app)
{
    struct winsize ws;
    if (ioctl(app->tty_fd, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0)
        resize_term(ws.ws_row, ws.ws_col);
    clearok(curscr, TRUE);
    (void)app;
    return TUI_RELAYOUT;
}

static unsigned handle_signals(struct tui_app *app)
{
    unsigned r = 0;
    struct signalfd_siginfo si;
    while (read(app->sig_fd, &si, sizeof si) == (ssize_t)sizeof si) {
        switch (si.ssi_signo) {
        case SIGWINCH:
            r |= resize_from_terminal(app);
            break;
        case SIGINT:
            /* Ctrl-C: leave without deleting, whatever is open. */
            prompt_free(&app->prompt);
            if (app->teach)
                console_clear(&app->teach->console);
            r |= actions_run(app, ACT_EXIT, TUI_CTRL('c'));
            break;
        default: /* SIGTERM, SIGHUP: no time to ask the server */
            r |= TUI_QUIT;
            break;
        }
    }
    return r;
}

/* While summaries load the rate moves every tick; otherwise the model's
 * events (MAILBOX_CHANGED_PROGRESS for a fetch) are reason enough. */
static bool busy(const struct tui_app *app)
{
    enum mailbox_phase p = mailbox_phase(app->mb);
    return p == MAILBOX_LOADING || p == MAILBOX_SCANNING || app->quitting;
}

static unsigned tick(struct tui_app *app)
{
    if (app_session_ready(app))
        mailbox_keepalive(app->mb,
                          app->opts->keepalive_s ? app->opts->keepalive_s : KEEPALIVE_DEFAULT_S);
    if (app->quitting && time(NULL) >= app->quit_deadline) {
        app->done = true;
        return TUI_QUIT;
    }
    return teach_tick(app) | (busy(app) ? TUI_REDRAW : 0);
}

static enum tui_status run_loop(struct tui_app *app, struct tui_outcome *outcome,
                                struct pv_error *err)
{
    unsigned dirty = TUI_RELAYOUT | TUI_REDRAW;
    struct timespec last_tick;
    clock_gettime(CLOCK_MONOTONIC, &last_tick);
    while (!app->done) {
        /* A longer or shorter notice changes the room the body has. */
        if (!app->too_small && message_lines(app, NULL, 0) != app->msg_lines)
            dirty |= TUI_RELAYOUT;
        if (dirty & TUI_RELAYOUT)
            layout(app);
        recalc(app);
        if (dirty)
            paint(app);
        dirty = 0;
        int tick_ms = busy(app) ? TICK_BUSY_MS : TICK_IDLE_MS;
        struct pollfd fds[3] = {
            {.fd = STDIN_FILENO, .events = POLLIN},
            {.fd = mailbox_event_fd(app->mb), .events = POLLIN},
            {.fd = app->sig_fd, .events = POLLIN},
        };
        if (poll(fds, 3, tick_ms) < 0 && errno != EINTR) {
            pv_error_set(err, _("waiting for input failed: %s"), strerror(errno));
            return TUI_ERR_TERMINAL;
        }
        if (fds[2].revents & POLLIN)
            dirty |= handle_signals(app);
        if (fds[1].revents & POLLIN)
            dirty |= handle_model(app, outcome);
        if (fds[0].revents & POLLIN)
            dirty |= handle_keys(app);
        else if (fds[0].revents & (POLLHUP | POLLERR))
            dirty |= TUI_QUIT; /* the terminal went away */
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        long elapsed_ms =
            (now.tv_sec - last_tick.tv_sec) * 1000 + (now.tv_nsec - last_tick.tv_nsec) / 1000000;
        if (elapsed_ms >= tick_ms) {
            dirty |= tick(app);
            last_tick = now;
        }
        if (dirty & TUI_QUIT)
            app->done = true;
    }
    return TUI_OK;
}

/* ---- start and end ------------------------------------------------------------------ */

static enum tui_status failure_status(enum mailbox_phase last_live)
{
    switch (last_live) {
    case MAILBOX_CONNECTING:
        return TUI_ERR_CONNECT;
    case MAILBOX_LOGGING_IN:
        return TUI_ERR_AUTH;
    default:
        return TUI_ERR_SERVER;
    }
}

static bool start_curses(struct tui_app *app, SCREEN **screen_out, struct pv_error *err)
{
    SCREEN *screen = newterm(NULL, stdout, stdin);
    if (!screen) {
        const char *term = getenv("TERM");
        pv_error_set(err, _("cannot start the full-screen interface for TERM=%s; use --summary"),
                     term ? term : _("(unset)"));
        return false;
    }
    set_term(screen);
    cbreak();
    noecho();
    keypad(stdscr, TRUE);
    nodelay(stdscr, TRUE);
    set_escdelay(25);
    theme_init(&app->theme, app->opts->monochrome, app->opts->prefs);
    *screen_out = screen;
    return true;
}

static void stop_curses(SCREEN **screen)
{
    if (!*screen)
        return;
    curs_set(1);
    endwin();
    delscreen(*screen);
    *screen = NULL;
}

static void free_views(struct tui_app *app)
{
    free(app->wishes);
    app->wishes = NULL;
    app->wish_count = 0;
    free(app->last_mbox);
    app->last_mbox = NULL;
    actions_free(app);
    prompt_free(&app->prompt);
    teach_free(&app->teach);
    while (app->depth > 0) {
        struct view *v = app->stack[--app->depth];
        v->ops->free(v);
    }
}

/* Signals read from the signalfd instead of running handlers. */
static void loop_signals(sigset_t *set)
{
    sigemptyset(set);
    sigaddset(set, SIGINT);
    sigaddset(set, SIGTERM);
    sigaddset(set, SIGHUP);
    sigaddset(set, SIGWINCH);
}

enum tui_status tui_run(const struct tui_options *opts, struct tui_outcome *outcome_out,
                        struct pv_error *err)
{
    struct tui_outcome outcome;
    memset(&outcome, 0, sizeof outcome);
    if (outcome_out)
        *outcome_out = outcome;
    if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
        pv_error_set(err, _("the interactive browser needs a terminal; for scripts use --summary "
                            "or --show N"));
        return TUI_ERR_TERMINAL;
    }
    sigset_t blocked;
    sigset_t old_mask;
    loop_signals(&blocked);
    pthread_sigmask(SIG_BLOCK, &blocked, &old_mask);
    int sig_fd = signalfd(-1, &blocked, SFD_NONBLOCK | SFD_CLOEXEC);
    if (sig_fd < 0) {
        pv_error_set(err, _("cannot watch signals: %s"), strerror(errno));
        pthread_sigmask(SIG_SETMASK, &old_mask, NULL);
        return TUI_ERR_TERMINAL;
    }

    struct tui_app app = {
        .opts = opts,
        .keymap = keymap_new(opts->prefs),
        .notice_role = ROLE_NOTICE,
        .child_mask = &old_mask,
        .sig_fd = sig_fd,
        .tty_fd = STDOUT_FILENO,
    };
    if (opts->warning) {
        app_notice(&app, ROLE_ERROR, "%s", opts->warning);
        app.notice_sticky = true;
    }
    enum tui_status st = TUI_OK;
    SCREEN *screen = NULL;
    if (!start_curses(&app, &screen, err)) {
        st = TUI_ERR_TERMINAL;
        goto out;
    }
    app.mb = mailbox_open(&opts->mailbox, err);
    if (!app.mb) {
        st = TUI_ERR_START;
        goto out;
    }
    if (opts->prefs && opts->prefs->sort_set)
        mailbox_sort(app.mb, opts->prefs->sort, opts->prefs->sort_reverse);
    app.teach = teach_new(&app);
    app_push_view(&app, view_index_new(&app));
    st = run_loop(&app, &outcome, err);
    if (st == TUI_OK && !outcome.quit_sent && mailbox_phase(app.mb) == MAILBOX_FAILED) {
        const char *e = mailbox_error(app.mb);
        pv_error_set(err, "%s", e ? e : _("the session failed; nothing was deleted"));
        st = failure_status(mailbox_failed_in(app.mb));
    }
out:
    free_views(&app);
    keymap_free(&app.keymap);
    stop_curses(&screen);
    mailbox_free(&app.mb);
    /* Signals that came in the last moment are dropped, not delivered. */
    struct signalfd_siginfo si;
    while (read(sig_fd, &si, sizeof si) == (ssize_t)sizeof si)
        continue;
    close(sig_fd);
    pthread_sigmask(SIG_SETMASK, &old_mask, NULL);
    if (outcome_out)
        *outcome_out = outcome;
    return st;
}
