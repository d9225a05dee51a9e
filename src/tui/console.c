/*
 * The command console (:): a line at the bottom of the screen where a
 * POP3 command is typed by hand and sent to the server, for learning.
 *
 * Keys: typing appends, Backspace removes a character, Ctrl-U the line,
 * Ctrl-W a word; Tab completes the command name; Up and Down recall
 * earlier lines; ? on an empty line lists the commands valid now; Enter
 * checks and sends; Escape, Ctrl-G or Ctrl-C leave.
 *
 * Enter first asks console_check(): a command the server would refuse
 * (not allowed in this state, not announced in CAPA, no such message) is
 * explained in a box that offers to send it anyway, since the server's own
 * -ERR is a lesson too; what cannot be sent at all is explained on the
 * message line.  What is sent goes through the model's own requests where
 * it has one, so the screen follows: DELE marks the row, RSET unmarks all,
 * QUIT asks like q.  A secret (PASS's argument, APOP's digest) shows as
 * "****" while typed, is never kept in the history, and is wiped.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <popview/util.h>

#include <popview/mailbox.h>

#include <popview/i18n.h>

#include "teach.h"

enum { BOX_WIDTH = 70, BOX_LINES = 7 };

void console_clear(struct console *c)
{
    pv_wipe(c->text, sizeof c->text);
    pv_wipe(c->draft, sizeof c->draft);
    c->len = 0;
    c->open = false;
}

void console_open(struct tui_app *app)
{
    struct console *c = &app->teach->console;
    console_clear(c);
    c->open = true;
    c->history.pos = c->history.count;
}

static void set_text(struct console *c, const char *s)
{
    size_t n = strlen(s);
    if (n >= sizeof c->text)
        n = sizeof c->text - 1;
    pv_wipe(c->text, sizeof c->text);
    memcpy(c->text, s, n);
    c->len = n;
}

static void erase_char(struct console *c)
{
    while (c->len > 0) {
        c->len--;
        char byte = c->text[c->len];
        c->text[c->len] = '\0';
        if (((unsigned char)byte & 0xc0) != 0x80)
            break;
    }
}

static void erase_word(struct console *c)
{
    while (c->len > 0 && c->text[c->len - 1] == ' ')
        c->text[--c->len] = '\0';
    while (c->len > 0 && c->text[c->len - 1] != ' ')
        erase_char(c);
}

static void append_cp(struct console *c, uint32_t cp)
{
    char u[4];
    size_t n = tui_utf8_put(cp, u);
    if (c->len + n < sizeof c->text) {
        memcpy(c->text + c->len, u, n);
        c->len += n;
        c->text[c->len] = '\0';
    }
}

/* ---- doing it ---------------------------------------------------------------- */

static size_t index_of_msgno(struct mailbox *mb, unsigned msgno)
{
    size_t n = mailbox_count(mb);
    for (size_t i = 0; i < n; i++)
        if (mailbox_at(mb, i)->msgno == msgno)
            return i;
    return SIZE_MAX;
}

/* Sends a command the checker let through (or the person confirmed). */
static unsigned perform(struct tui_app *app, const struct console_result *r, const char *line)
{
    struct mailbox *mb = app_mailbox(app);
    size_t index;
    switch (r->action) {
    case CONSOLE_ACT_QUIT:
        return actions_run(app, ACT_QUIT, 'q');
    case CONSOLE_ACT_MARK:
        index = index_of_msgno(mb, r->msgno);
        if (index == SIZE_MAX)
            break;
        app_want_mark(app, index, true);
        app_notice(app, ROLE_NOTICE,
                   _("%s: marking message %u for deletion (the transcript shows "
                     "the server's answer)"),
                   r->masked, r->msgno);
        teach_show_pane(app);
        return TUI_RELAYOUT;
    case CONSOLE_ACT_UNMARK_ALL:
        app->wish_count = 0; /* RSET undoes whatever is on its way too */
        mailbox_unmark_all(mb);
        app_notice(app, ROLE_NOTICE, _("%s: unmarking every message"), r->masked);
        teach_show_pane(app);
        return TUI_RELAYOUT;
    case CONSOLE_ACT_RAW:
        break;
    }
    mailbox_raw_command(mb, line);
    app_notice(app, ROLE_NOTICE, _("%s sent; the transcript shows the server's answer"), r->masked);
    teach_show_pane(app);
    return TUI_RELAYOUT;
}

static unsigned ask_done(struct tui_app *app, void *ctx, size_t arg, int choice, const char *text)
{
    (void)ctx;
    (void)arg;
    (void)text;
    struct teach *t = app->teach;
    char *line = t->pending;
    t->pending = NULL;
    unsigned r = TUI_REDRAW;
    if (choice == 's' && line) {
        struct console_result res;
        struct console_session cs;
        teach_console_session(app, &cs);
        console_check(app_explain(app), &cs, line, &res);
        res.action = CONSOLE_ACT_RAW; /* as typed: the server's own answer is the point */
        r = perform(app, &res, line);
    } else {
        app_notice(app, ROLE_NOTICE, _("not sent"));
    }
    pv_free_secret(&line);
    return r;
}

/* Wraps text at spaces into lines of at most width columns, "\n" between,
 * at most max_lines lines (the last one cut). */
static void wrap(const char *text, size_t width, size_t max_lines, struct pv_buf *out)
{
    size_t len = strlen(text);
    size_t off = 0;
    for (size_t line = 0; line < max_lines && off < len; line++) {
        size_t take = tui_text_prefix(text + off, len - off, width, NULL);
        if (off + take < len && line + 1 < max_lines) {
            for (size_t k = take; k > 0; k--) {
                if (text[off + k - 1] == ' ') {
                    take = k;
                    break;
                }
            }
        }
        if (line && !pv_buf_append_byte(out, '\n'))
            abort();
        if (!pv_buf_append(out, text + off, take))
            abort();
        off += take;
        while (off < len && text[off] == ' ')
            off++;
    }
}

static unsigned ask(struct tui_app *app, const struct console_result *r, const char *line)
{
    struct teach *t = app->teach;
    pv_free_secret(&t->pending);
    t->pending = pv_xstrdup(line);
    const char *question = explain_get(app_explain(app), "check.ask");
    size_t width = app->cols > 10 ? (size_t)app->cols - 8 : 2;
    if (width > BOX_WIDTH)
        width = BOX_WIDTH;
    struct pv_buf text;
    pv_buf_init(&text, 0);
    wrap(r->masked, width, 1, &text);
    if (!pv_buf_append_byte(&text, '\n'))
        abort();
    wrap(r->why, width, BOX_LINES - 3, &text);
    if (!pv_buf_append_byte(&text, '\n'))
        abort();
    wrap(question ? question : "?", width, 2, &text);
    static const struct prompt_choice choices[] = {
        {'s', N_("send it anyway"), 's'},
        {'n', N_("don't send"), 'n'},
    };
    app_open_prompt(app, prompt_new_choice(text.data ? text.data : "", choices,
                                           PV_ARRAY_LEN(choices), ask_done, NULL, 0));
    pv_buf_free(&text);
    return TUI_REDRAW;
}

static unsigned submit(struct tui_app *app)
{
    struct console *c = &app->teach->console;
    char line[CONSOLE_TEXT_MAX];
    snprintf(line, sizeof line, "%s", c->text);
    console_clear(c);
    struct console_session cs;
    teach_console_session(app, &cs);
    struct console_result r;
    console_check(app_explain(app), &cs, line, &r);
    console_history_add(&c->history, line);
    unsigned result = TUI_REDRAW;
    switch (r.verdict) {
    case CONSOLE_EMPTY:
        break;
    case CONSOLE_REFUSE:
        app_notice(app, ROLE_ERROR, "%s: %s", r.masked, r.why);
        break;
    case CONSOLE_ASK:
        result = ask(app, &r, line);
        break;
    case CONSOLE_SEND:
        result = perform(app, &r, line);
        break;
    }
    pv_wipe(line, sizeof line);
    return result;
}

static unsigned complete(struct tui_app *app)
{
    struct console *c = &app->teach->console;
    char out[CONSOLE_TEXT_MAX];
    char names[256];
    size_t n = console_complete(c->text, out, sizeof out, names, sizeof names);
    if (n == 0) {
        app_notice(app, ROLE_NOTICE,
                   _("no command starts like that; ? on an empty line lists them"));
        return TUI_REDRAW;
    }
    set_text(c, out);
    if (n > 1)
        app_notice(app, ROLE_NOTICE, "%s", names);
    return TUI_REDRAW;
}

static unsigned recall(struct tui_app *app, bool up)
{
    struct console *c = &app->teach->console;
    bool at_draft = c->history.pos == c->history.count;
    const char *s = console_history_move(&c->history, up);
    if (up && at_draft && s)
        snprintf(c->draft, sizeof c->draft, "%s", c->text);
    if (s)
        set_text(c, s);
    else if (!up)
        set_text(c, c->draft);
    return TUI_REDRAW;
}

unsigned console_on_key(struct tui_app *app, int key)
{
    struct console *c = &app->teach->console;
    switch (key) {
    case '\n':
    case '\r':
    case TUI_KEY_FN(KEY_ENTER):
        return submit(app);
    case TUI_KEY_ESC:
    case TUI_CTRL('g'):
    case TUI_CTRL('c'):
        console_clear(c);
        return TUI_REDRAW;
    case TUI_KEY_FN(KEY_BACKSPACE):
    case TUI_KEY_DEL:
    case TUI_CTRL('h'):
        erase_char(c);
        return TUI_REDRAW;
    case TUI_CTRL('u'):
        set_text(c, "");
        return TUI_REDRAW;
    case TUI_CTRL('w'):
        erase_word(c);
        return TUI_REDRAW;
    case '\t':
        return complete(app);
    case TUI_KEY_FN(KEY_UP):
        return recall(app, true);
    case TUI_KEY_FN(KEY_DOWN):
        return recall(app, false);
    case '?':
        if (c->len == 0) {
            app_push_view(app, view_info_new(app, _("Commands"), inspect_commands_build));
            return TUI_RELAYOUT;
        }
        break;
    default:
        break;
    }
    if (key >= 0x20 && key < TUI_KEY_FN(0) && !tui_cp_is_control((uint32_t)key) &&
        !(key >= 0xd800 && key <= 0xdfff))
        append_cp(c, (uint32_t)key);
    return TUI_REDRAW;
}

void console_draw(const struct tui_app *app, WINDOW *w)
{
    const struct console *c = &app->teach->console;
    int y = app->rows - 1;
    theme_apply(app_theme(app), w, ROLE_NORMAL);
    scr_blank(w, y, 0, app->cols);
    char masked[CONSOLE_TEXT_MAX + 8];
    console_mask(c->text, masked, sizeof masked);
    int col = scr_puts(w, y, 0, app->cols, ":", 0);
    size_t len = strlen(masked);
    int room = app->cols - col - 1;
    size_t off = 0;
    while (room > 0 && tui_text_columns(masked + off, len - off) > (size_t)room) {
        uint32_t cp;
        off += tui_utf8_next(masked + off, len - off, &cp);
    }
    int used = scr_put(w, y, col, room, masked + off, len - off, 0);
    wmove(w, y, col + used);
}
