/*
 * Actions: every operation a key can ask for, with its name (after mutt's
 * function names), the sentence the help shows, and its preconditions.
 * actions_run() is the one place preconditions are checked, so no handler
 * repeats "are we logged in?", and a refused action always says why.
 *
 * Actions about the session (marks, quitting, reconnecting, help) are done
 * here; actions about what a view shows (movement, search, the pager's
 * modes) are handed to the view's on_action.
 *
 * Save-and-mark (S) is issue #6's "save then delete".  The issue names D,
 * but D is mutt's delete-pattern here (mark by rule), so it is S, free in
 * both the index and the pager.  It fetches the message (RETR), saves it
 * to the save folder (mbox or maildir, fsync()ed), and only when that
 * succeeded marks it (DELE); a failure leaves it unmarked and says why.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <popview/util.h>

#include <popview/mailbox.h>

#include <popview/i18n.h>

#include "private.h"
#include "teach.h"

typedef unsigned (*action_fn)(struct tui_app *app, struct view *v, int key);

static const struct action_info ACTIONS[ACT_COUNT_] = {
    [ACT_LINE_DOWN] = {ACT_LINE_DOWN, "next-line", N_("Down"), N_("move down one line"), 0},
    [ACT_LINE_UP] = {ACT_LINE_UP, "previous-line", N_("Up"), N_("move up one line"), 0},
    [ACT_PAGE_DOWN] = {ACT_PAGE_DOWN, "next-page", N_("PgDn"), N_("move down one page"), 0},
    [ACT_PAGE_UP] = {ACT_PAGE_UP, "previous-page", N_("PgUp"), N_("move up one page"), 0},
    [ACT_FIRST] = {ACT_FIRST, "first-entry", N_("Top"), N_("go to the first line"), 0},
    [ACT_LAST] = {ACT_LAST, "last-entry", N_("End"), N_("go to the last line"), 0},
    [ACT_JUMP] = {ACT_JUMP, "jump", N_("Jump"),
                  N_("type a message number, then Enter, to go to it"), 0},
    [ACT_OPEN] = {ACT_OPEN, "display-message", N_("Open"),
                  N_("read the selected message (asks first when it is over 5 MB)"),
                  REQ_SESSION | REQ_MESSAGE},
    [ACT_BACK] = {ACT_BACK, "exit", N_("Back"), N_("go back to the previous screen"), 0},
    [ACT_SEARCH] = {ACT_SEARCH, "search", N_("Search"),
                    N_("search (From and Subject in the index, the "
                       "text in the pager)"),
                    0},
    [ACT_SEARCH_NEXT] = {ACT_SEARCH_NEXT, "search-next", N_("Next"), N_("find the next match"), 0},
    [ACT_SEARCH_PREV] = {ACT_SEARCH_PREV, "search-opposite", N_("Prev"),
                         N_("find the previous match"), 0},
    [ACT_SORT_NEXT] = {ACT_SORT_NEXT, "sort-mailbox", N_("Sort"),
                       N_("sort by the next key: number, date, from, subject, size"), 0},
    [ACT_SORT_REVERSE] = {ACT_SORT_REVERSE, "sort-reverse", N_("Reverse"),
                          N_("reverse the sort order"), 0},
    [ACT_MARK] = {ACT_MARK, "delete-message", N_("Mark"),
                  N_("mark the message for deletion (DELE; nothing is deleted before QUIT)"),
                  REQ_SESSION | REQ_MESSAGE},
    [ACT_UNMARK] = {ACT_UNMARK, "undelete-message", N_("Unmark"),
                    N_("unmark the message (RSET, then DELE again for the others)"),
                    REQ_SESSION | REQ_MESSAGE},
    [ACT_UNMARK_ALL] = {ACT_UNMARK_ALL, "undelete-all", N_("Unmark all"),
                        N_("unmark every message (RSET)"), REQ_SESSION},
    [ACT_MARK_RULE] = {ACT_MARK_RULE, "delete-pattern", N_("Mark rule"),
                       N_("mark every message matching text in From/Subject, >SIZE or <DATE"),
                       REQ_SESSION},
    [ACT_HEADERS] = {ACT_HEADERS, "display-toggle-weed", N_("Headers"),
                     N_("show or hide the full header"), 0},
    [ACT_RAW] = {ACT_RAW, "view-raw-message", N_("Raw"), N_("show or hide the raw source"), 0},
    [ACT_MIME] = {ACT_MIME, "view-attachments", N_("MIME"), N_("show or hide the MIME structure"),
                  0},
    [ACT_SAVE] = {ACT_SAVE, "save-message", N_("Save"),
                  N_("save: the message as .eml, appended to an mbox, or an attachment"), 0},
    [ACT_PIPE] = {ACT_PIPE, "pipe-message", N_("Pipe"),
                  N_("pipe the raw message to a shell command"), 0},
    [ACT_SAVE_MARK] = {ACT_SAVE_MARK, "save-and-mark", N_("Save+mark"),
                       N_("save to the save folder (mbox, or maildir/), then mark for deletion; "
                          "S, as D marks by rule"),
                       REQ_SESSION | REQ_MESSAGE},
    [ACT_QUIT] = {ACT_QUIT, "quit", N_("Quit"),
                  N_("quit; asks first when messages are marked, then QUIT deletes them"), 0},
    [ACT_EXIT] = {ACT_EXIT, "exit-no-commit", N_("Exit"),
                  N_("leave without deleting anything (RSET, then QUIT)"), 0},
    [ACT_RECONNECT] = {ACT_RECONNECT, "reconnect", N_("Reconnect"),
                       N_("connect and log in again after the connection dropped"), REQ_OFFLINE},
    [ACT_HELP] = {ACT_HELP, "help", N_("Help"), N_("show the keys of this screen"), 0},
    [ACT_REDRAW] = {ACT_REDRAW, "redraw-screen", N_("Redraw"), N_("clear and redraw the screen"),
                    0},
    [ACT_TRANSCRIPT] =
        {ACT_TRANSCRIPT, "transcript-pane", N_("Transcript"),
         N_("show or hide the POP3 transcript under this screen, with the keys in it"), 0},
    [ACT_TRANSCRIPT_FULL] = {ACT_TRANSCRIPT_FULL, "transcript", N_("Full transcript"),
                             N_("show the POP3 transcript on the whole screen"), 0},
    [ACT_PANE_FOCUS] = {ACT_PANE_FOCUS, "switch-pane", N_("Switch"),
                        N_("move the keys between the transcript pane and the screen above it"), 0},
    [ACT_PANE_GROW] = {ACT_PANE_GROW, "grow-pane", N_("Grow"),
                       N_("make the transcript pane taller"), 0},
    [ACT_PANE_SHRINK] = {ACT_PANE_SHRINK, "shrink-pane", N_("Shrink"),
                         N_("make the transcript pane shorter"), 0},
    [ACT_FOLD] = {ACT_FOLD, "fold-reply", N_("Unfold"),
                  N_("unfold the multi-line reply under the cursor, or fold it again"), 0},
    [ACT_CONSOLE] =
        {ACT_CONSOLE, "pop3-console", N_("Console"),
         N_("type a POP3 command (Tab completes, Up/Down recall, ? lists those valid now)"), 0},
    [ACT_EXPLAIN] = {ACT_EXPLAIN, "explain", N_("Explain"),
                     N_("explain each command and reply, and what the POP3 state allows"), 0},
    [ACT_INSPECT] = {ACT_INSPECT, "server-info", N_("Server"),
                     N_("show what the server is: capabilities, TLS, certificate, idle timer"), 0},
};

const struct action_info *action_info(enum tui_action a)
{
    if ((int)a <= ACT_NONE || a >= ACT_COUNT_)
        return NULL;
    return &ACTIONS[a];
}

/* ---- session actions ------------------------------------------------------ */

static bool current_index(struct tui_app *app, struct view *v, size_t *index_out)
{
    return v->ops->current_message && v->ops->current_message(v, app, index_out) &&
           *index_out < mailbox_count(app->mb);
}

static bool wished(const struct tui_app *app, size_t index)
{
    for (size_t i = 0; i < app->wish_count; i++) {
        if (app->wishes[i].index == index)
            return true;
    }
    return false;
}

static unsigned act_mark(struct tui_app *app, struct view *v, int key)
{
    (void)key;
    size_t index;
    if (!current_index(app, v, &index))
        return TUI_HANDLED;
    const struct mailbox_summary *s = mailbox_at(app->mb, index);
    if (s->marked && !s->mark_pending) {
        app_notice(app, ROLE_NOTICE, _("message %u is already marked"), s->msgno);
    } else {
        app_want_mark(app, index, true);
        app_notice(app, ROLE_NOTICE, _("marking message %u for deletion..."), s->msgno);
    }
    if (v->ops->advance_on_mark)
        v->ops->on_action(v, app, ACT_LINE_DOWN, 0);
    return TUI_REDRAW;
}

static unsigned act_unmark(struct tui_app *app, struct view *v, int key)
{
    (void)key;
    size_t index;
    if (!current_index(app, v, &index))
        return TUI_HANDLED;
    const struct mailbox_summary *s = mailbox_at(app->mb, index);
    if (!s->marked && !s->mark_pending && !wished(app, index)) {
        app_notice(app, ROLE_NOTICE, _("message %u is not marked"), s->msgno);
        return TUI_REDRAW;
    }
    app_want_mark(app, index, false);
    app_notice(app, ROLE_NOTICE, _("unmarking message %u..."), s->msgno);
    if (v->ops->advance_on_mark)
        v->ops->on_action(v, app, ACT_LINE_DOWN, 0);
    return TUI_REDRAW;
}

static size_t count_pending(const struct mailbox *mb)
{
    size_t n = 0;
    size_t count = mailbox_count(mb);
    for (size_t i = 0; i < count; i++) {
        if (mailbox_at(mb, i)->mark_pending)
            n++;
    }
    return n;
}

static unsigned act_unmark_all(struct tui_app *app, struct view *v, int key)
{
    (void)v;
    (void)key;
    if (mailbox_marked_count(app->mb) == 0 && count_pending(app->mb) == 0 && app->wish_count == 0) {
        app_notice(app, ROLE_NOTICE, _("no message is marked"));
        return TUI_REDRAW;
    }
    /* RSET undoes whatever is on its way too; later wishes would redo it. */
    app->wish_count = 0;
    mailbox_unmark_all(app->mb);
    app_notice(app, ROLE_NOTICE, _("unmarking every message (RSET)..."));
    return TUI_REDRAW;
}

static unsigned mark_rule_done(struct tui_app *app, void *ctx, size_t arg, int choice,
                               const char *text)
{
    (void)ctx;
    (void)arg;
    if (choice != PROMPT_OK)
        return TUI_REDRAW;
    struct mark_rule rule;
    struct pv_error err;
    pv_error_clear(&err);
    if (!mark_rule_parse(text, &rule, &err)) {
        app_notice(app, ROLE_ERROR, "%s", err.msg);
        return TUI_REDRAW;
    }
    if (!app_session_ready(app)) {
        app_notice(app, ROLE_ERROR, _("the session ended; nothing was marked"));
        return TUI_REDRAW;
    }
    size_t marked = 0;
    size_t unknown = 0;
    uint64_t octets = 0;
    size_t count = mailbox_count(app->mb);
    for (size_t i = 0; i < count; i++) {
        const struct mailbox_summary *s = mailbox_at(app->mb, i);
        bool unsure;
        bool match = mark_rule_matches(&rule, s, &unsure);
        if (unsure)
            unknown++;
        if (!match || (s->marked && !s->mark_pending))
            continue;
        app_want_mark(app, i, true);
        marked++;
        octets += s->size;
    }
    char shown[128];
    tui_text_printable(shown, sizeof shown, text);
    char size[16];
    pv_format_size(octets, size, sizeof size);
    char later[96] = "";
    if (unknown)
        snprintf(later, sizeof later,
                 P_("; %zu not loaded yet could not be checked",
                    "; %zu not loaded yet could not be checked", unknown),
                 unknown);
    if (marked == 0)
        app_notice(app, ROLE_NOTICE, _("no unmarked message matches '%s'%s"), shown, later);
    else
        app_notice(app, ROLE_NOTICE,
                   P_("marking %zu message (%s) matching '%s'%s",
                      "marking %zu messages (%s) matching '%s'%s", marked),
                   marked, size, shown, later);
    return TUI_REDRAW;
}

static unsigned act_mark_rule(struct tui_app *app, struct view *v, int key)
{
    (void)v;
    (void)key;
    app_open_prompt(app, prompt_new_text(_("mark messages whose From/Subject contains (or >SIZE, "
                                           "<YYYY-MM-DD): "),
                                         "", mark_rule_done, NULL, 0));
    return TUI_REDRAW;
}

/* ---- save-and-mark (S) ------------------------------------------------------ */

/* The one message S is waiting for; a second S waits until it is done. */
struct save_mark {
    bool waiting;
    size_t index;
    unsigned msgno;
    char *uid;       /* the row's UIDL, to notice a changed mailbox; NULL: none */
    char *folder;    /* where it goes, as typed ("~/mail/" expanded at save) */
    char *last_used; /* the folder typed last, offered again at the prompt */
};

static struct save_mark *save_mark_state(struct tui_app *app)
{
    if (!app->save_mark)
        app->save_mark = pv_xcalloc(1, sizeof *app->save_mark);
    return app->save_mark;
}

void actions_free(struct tui_app *app)
{
    struct save_mark *sm = app->save_mark;
    if (!sm)
        return;
    free(sm->uid);
    free(sm->folder);
    free(sm->last_used);
    free(sm);
    app->save_mark = NULL;
}

static bool same_uid(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

/* Fetches the message for the save; actions_on_message goes on. */
static unsigned save_mark_start(struct tui_app *app, size_t index, const char *folder)
{
    struct save_mark *sm = save_mark_state(app);
    const struct mailbox_summary *s = mailbox_at(app->mb, index);
    if (!s)
        return TUI_REDRAW;
    if (sm->waiting) {
        app_notice(app, ROLE_ERROR,
                   _("message %u is still being saved; press S again when it is done"), sm->msgno);
        return TUI_REDRAW;
    }
    if (!app_session_ready(app)) {
        app_notice(app, ROLE_ERROR, _("the session is not ready; message %u was not saved"),
                   s->msgno);
        return TUI_REDRAW;
    }
    sm->waiting = true;
    sm->index = index;
    sm->msgno = s->msgno;
    free(sm->uid);
    sm->uid = s->uid ? pv_xstrdup(s->uid) : NULL;
    free(sm->folder);
    sm->folder = pv_xstrdup(folder);
    mailbox_fetch(app->mb, index);
    char shown[256];
    tui_text_printable(shown, sizeof shown, folder);
    app_notice(app, ROLE_NOTICE, _("fetching message %u to save it to %s..."), s->msgno, shown);
    return TUI_REDRAW;
}

/* The message came: save it, and mark it only when it is safe. */
static void save_mark_finish(struct tui_app *app, struct save_mark *sm, const struct pv_spool *msg)
{
    char *path = tui_expand_path(sm->folder);
    char shown[256];
    tui_text_printable(shown, sizeof shown, path);
    struct pv_error err;
    pv_error_clear(&err);
    enum tui_folder_kind kind;
    if (!tui_save_to_folder(path, pv_spool_data(msg), pv_spool_len(msg), time(NULL), &kind, &err)) {
        app_notice(app, ROLE_ERROR, _("message %u was not saved, so it stays unmarked: %s"),
                   sm->msgno, err.msg);
        free(path);
        return;
    }
    free(path);
    const struct mailbox_summary *s = mailbox_at(app->mb, sm->index);
    if (!app_session_ready(app) || !s || s->msgno != sm->msgno) {
        app_notice(app, ROLE_ERROR,
                   _("saved message %u to %s, but did not mark it: the session ended or changed"),
                   sm->msgno, shown);
        return;
    }
    app_want_mark(app, sm->index, true);
    char size[16];
    pv_format_size(pv_spool_len(msg), size, sizeof size);
    app_notice(app, ROLE_NOTICE, _("saved message %u to %s %s (%s); marking it for deletion..."),
               sm->msgno, kind == TUI_FOLDER_MAILDIR ? "maildir" : "mbox", shown, size);
}

bool actions_on_message(struct tui_app *app, size_t index, const struct pv_spool *msg,
                        const char *error)
{
    struct save_mark *sm = app->save_mark;
    if (!sm || !sm->waiting)
        return false;
    sm->waiting = false;
    if (!msg) {
        app_notice(app, ROLE_ERROR, _("message %u was not saved, so it stays unmarked: %s"),
                   sm->msgno, error ? error : _("the fetch failed"));
        return true;
    }
    if (index != sm->index) {
        /* Opening another message replaced the fetch S asked for. */
        app_notice(app, ROLE_ERROR,
                   _("saving message %u was cancelled by opening another message; it stays "
                     "unmarked"),
                   sm->msgno);
        return true;
    }
    const struct mailbox_summary *s = mailbox_at(app->mb, index);
    if (!s || s->msgno != sm->msgno || !same_uid(s->uid, sm->uid)) {
        app_notice(app, ROLE_ERROR,
                   _("the mailbox changed while message %u was fetched; nothing was saved or "
                     "marked"),
                   sm->msgno);
        return true;
    }
    save_mark_finish(app, sm, msg);
    return true;
}

static unsigned save_mark_folder_done(struct tui_app *app, void *ctx, size_t index, int choice,
                                      const char *text)
{
    (void)ctx;
    if (choice != PROMPT_OK || !*text)
        return TUI_REDRAW;
    struct save_mark *sm = save_mark_state(app);
    free(sm->last_used);
    sm->last_used = pv_xstrdup(text);
    const struct mailbox_summary *s = mailbox_at(app->mb, index);
    if (!s || s->msgno != sm->msgno) {
        app_notice(app, ROLE_ERROR,
                   _("the mailbox changed meanwhile; nothing was saved or marked"));
        return TUI_REDRAW;
    }
    return save_mark_start(app, index, text);
}

static unsigned act_save_mark(struct tui_app *app, struct view *v, int key)
{
    (void)key;
    size_t index;
    if (!current_index(app, v, &index))
        return TUI_HANDLED;
    const struct mailbox_summary *s = mailbox_at(app->mb, index);
    if ((s->marked && !s->mark_pending) || wished(app, index)) {
        app_notice(app, ROLE_NOTICE, _("message %u is already marked; nothing was saved"),
                   s->msgno);
        return TUI_REDRAW;
    }
    const char *folder = app->opts->save_folder;
    if (folder && *folder)
        return save_mark_start(app, index, folder);
    /* No save folder configured: ask, offering the last answer. */
    struct save_mark *sm = save_mark_state(app);
    if (sm->waiting) {
        app_notice(app, ROLE_ERROR,
                   _("message %u is still being saved; press S again when it is done"), sm->msgno);
        return TUI_REDRAW;
    }
    sm->msgno = s->msgno;
    char question[128];
    snprintf(question, sizeof question, _("Save message %u, then mark it (mbox, or maildir/): "),
             s->msgno);
    app_open_prompt(app, prompt_new_text(question, sm->last_used ? sm->last_used : "~/mbox",
                                         save_mark_folder_done, NULL, index));
    return TUI_REDRAW;
}

static unsigned quit_confirmed(struct tui_app *app, void *ctx, size_t arg, int choice,
                               const char *text)
{
    (void)ctx;
    (void)arg;
    (void)text;
    if (choice != 'y')
        return TUI_REDRAW;
    return app_begin_quit(app, true);
}

static unsigned act_quit(struct tui_app *app, struct view *v, int key)
{
    (void)v;
    (void)key;
    if (app->quitting || !app_session_ready(app))
        return TUI_QUIT;
    size_t marked = mailbox_marked_count(app->mb);
    size_t pending = count_pending(app->mb);
    if (app->wish_count) {
        /* Those marks are not even sent yet: a QUIT now would not match
         * what the screen promises. */
        app_notice(app, ROLE_ERROR,
                   P_("%zu mark is still waiting for the server; press q again when the rows "
                      "show them",
                      "%zu marks are still waiting for the server; press q again when the rows "
                      "show them",
                      app->wish_count),
                   app->wish_count);
        return TUI_REDRAW;
    }
    if (marked == 0 && pending == 0)
        return app_begin_quit(app, true);
    char size[16];
    pv_format_size(mailbox_marked_size(app->mb), size, sizeof size);
    char text[512];
    int n = snprintf(text, sizeof text,
                     P_("%zu message marked (%s).\n"
                        "Quit and let the server delete it now (QUIT)?",
                        "%zu messages marked (%s).\n"
                        "Quit and let the server delete them now (QUIT)?",
                        marked),
                     marked, size);
    if (pending && n > 0 && (size_t)n < sizeof text)
        snprintf(text + n, sizeof text - (size_t)n,
                 P_("\n%zu change is still on its way to the server; QUIT follows it.",
                    "\n%zu changes are still on their way to the server; QUIT follows it.",
                    pending),
                 pending);
    static const struct prompt_choice choices[] = {
        {'y', N_("yes, delete and quit"), 'y'},
        {'n', N_("no, keep browsing"), 'n'},
    };
    app_open_prompt(
        app, prompt_new_choice(text, choices, PV_ARRAY_LEN(choices), quit_confirmed, NULL, 0));
    return TUI_REDRAW;
}

static unsigned act_exit(struct tui_app *app, struct view *v, int key)
{
    (void)v;
    (void)key;
    if (app->quitting || !app_session_ready(app))
        return TUI_QUIT;
    return app_begin_quit(app, false);
}

static unsigned act_reconnect(struct tui_app *app, struct view *v, int key)
{
    (void)v;
    (void)key;
    mailbox_reconnect(app->mb);
    app_notice(app, ROLE_NOTICE, _("reconnecting to %s..."), mailbox_label(app->mb));
    return TUI_REDRAW;
}

static unsigned act_help(struct tui_app *app, struct view *v, int key)
{
    (void)key;
    if (v->ops->keymap == KEYMAP_HELP)
        return TUI_HANDLED;
    app_push_view(app, view_help_new(app, v->ops->keymap));
    return TUI_RELAYOUT;
}

static unsigned act_redraw(struct tui_app *app, struct view *v, int key)
{
    (void)app;
    (void)v;
    (void)key;
    clearok(curscr, TRUE);
    return TUI_RELAYOUT;
}

/* Who performs each action; NULL: the view's on_action. */
static const action_fn PERFORMERS[ACT_COUNT_] = {
    [ACT_MARK] = act_mark,
    [ACT_UNMARK] = act_unmark,
    [ACT_UNMARK_ALL] = act_unmark_all,
    [ACT_MARK_RULE] = act_mark_rule,
    [ACT_SAVE_MARK] = act_save_mark,
    [ACT_QUIT] = act_quit,
    [ACT_EXIT] = act_exit,
    [ACT_RECONNECT] = act_reconnect,
    [ACT_HELP] = act_help,
    [ACT_REDRAW] = act_redraw,
    [ACT_TRANSCRIPT] = teach_act_pane,
    [ACT_TRANSCRIPT_FULL] = teach_act_full,
    [ACT_PANE_FOCUS] = teach_act_focus,
    [ACT_PANE_GROW] = teach_act_grow,
    [ACT_PANE_SHRINK] = teach_act_shrink,
    [ACT_CONSOLE] = teach_act_console,
    [ACT_EXPLAIN] = teach_act_explain,
    [ACT_INSPECT] = teach_act_inspect,
};

/* ---- the dispatcher --------------------------------------------------------- */

static bool session_offline(const struct tui_app *app)
{
    enum mailbox_phase p = mailbox_phase(app->mb);
    return !app->quitting && (p == MAILBOX_FAILED || p == MAILBOX_CLOSED);
}

/* Says why the session cannot take the action now. */
static void explain_no_session(struct tui_app *app, const struct action_info *info)
{
    if (app->quitting) {
        app_notice(app, ROLE_ERROR, _("%s: quitting, waiting for the server's answer to QUIT"),
                   info->name);
        return;
    }
    switch (mailbox_phase(app->mb)) {
    case MAILBOX_CONNECTING:
    case MAILBOX_LOGGING_IN:
        app_notice(app, ROLE_ERROR, _("%s: not logged in yet"), info->name);
        return;
    case MAILBOX_FAILED:
    case MAILBOX_CLOSED:
        app_notice(app, ROLE_ERROR, _("%s: not connected; press R to reconnect"), info->name);
        return;
    default:
        app_notice(app, ROLE_ERROR, _("%s: the session is not ready yet"), info->name);
        return;
    }
}

unsigned actions_run(struct tui_app *app, enum tui_action a, int key)
{
    const struct action_info *info = action_info(a);
    struct view *v = app_focus_view(app); /* the transcript pane when it has the keys */
    if (!info || !v)
        return 0;
    if ((info->requires & REQ_SESSION) && !app_session_ready(app)) {
        explain_no_session(app, info);
        return TUI_REDRAW;
    }
    size_t index;
    if ((info->requires & REQ_MESSAGE) && !current_index(app, v, &index)) {
        app_notice(app, ROLE_ERROR, _("%s: no message here"), info->name);
        return TUI_REDRAW;
    }
    if ((info->requires & REQ_OFFLINE) && !session_offline(app)) {
        app_notice(app, ROLE_ERROR, "%s: %s", info->name,
                   app->quitting ? _("the connection is being closed")
                                 : _("the connection is still up"));
        return TUI_REDRAW;
    }
    if (PERFORMERS[a])
        return PERFORMERS[a](app, v, key);
    if (v->ops->on_action)
        return v->ops->on_action(v, app, a, key);
    return TUI_HANDLED;
}
