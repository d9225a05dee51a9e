/*
 * tui/private.h — the parts of the interactive browser and how they meet.
 *
 * Glossary:
 *  - intent: the bits a handler returns (TUI_REDRAW, TUI_RELAYOUT, TUI_QUIT)
 *    instead of drawing; only the loop in app.c lays out and paints.
 *  - key: a Unicode code point as typed, or a curses function key moved
 *    above Unicode with TUI_KEY_FN() so the two never collide.
 *  - action: a named operation (enum tui_action); keymap.c says which key
 *    means which action in each view, actions.c which preconditions it has
 *    and who performs it.  The help view is generated from both tables.
 *  - view: one full-screen mode behind a vtable (struct view_ops); the app
 *    keeps a small stack of them (index, then pager, then help).
 *  - prompt: the one modal question or text input on top of the views.
 *  - role: what a piece of text is (a marked row, an error); theme.c maps
 *    roles to colours or, in monochrome, to attributes.
 *  - rect: the part of the screen a view may draw in.
 *
 * Every character reaches the terminal through scr_put() (screen.c), the
 * one place that refuses control bytes and measures columns.
 */
#ifndef POPVIEW_TUI_PRIVATE_H
#define POPVIEW_TUI_PRIVATE_H

#include <curses.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <popview/util.h>

#include <popview/mailbox.h>

#include <popview/tui.h>

/* ---- intents and keys --------------------------------------------------- */

enum {
    TUI_HANDLED = 1u << 0,  /* the key meant something; nothing to show */
    TUI_REDRAW = 1u << 1,   /* paint the frame again */
    TUI_RELAYOUT = 1u << 2, /* sizes changed: lay out, then paint */
    TUI_QUIT = 1u << 3,     /* leave the loop now */
};

#define TUI_KEY_FN(k) (0x110000 + (int)(k))
#define TUI_CTRL(c) ((c)&0x1f)
enum { TUI_KEY_ESC = 27, TUI_KEY_DEL = 127 };

/* The smallest screen the layout works on. */
enum { TUI_MIN_COLS = 40, TUI_MIN_ROWS = 10 };
/* Messages larger than this ask before being fetched. */
#define TUI_LARGE_MESSAGE ((uint64_t)5 * 1024 * 1024)
enum { TUI_PREVIEW_LINES = 50 };

struct tui_rect {
    int y, x, h, w;
};

struct tui_app;
struct view;

/* ---- text.c: UTF-8 and terminal columns (no curses) --------------------- */

/* Decodes one character of s[0..len) (len >= 1); returns bytes used (1 for
 * an invalid byte, which decodes as U+FFFD). */
size_t tui_utf8_next(const char *s, size_t len, uint32_t *cp_out);
/* Encodes cp as UTF-8 into out (no NUL); returns bytes written, 0 for a
 * surrogate or a value past U+10FFFF, which are not characters. */
size_t tui_utf8_put(uint32_t cp, char out[4]);
/* Columns one character takes: wcwidth, with characters that cannot be
 * shown counted as the one column of their '?' replacement. */
int tui_cp_columns(uint32_t cp);
/* True for what scr_put() replaces by '?': C0, DEL, C1. */
bool tui_cp_is_control(uint32_t cp);
size_t tui_text_columns(const char *s, size_t len);
/* The longest prefix of s[0..len) (whole characters, with the combining
 * characters that follow the last one) that fits in cols columns; its
 * width in *cols_out (may be NULL). */
size_t tui_text_prefix(const char *s, size_t len, size_t cols, size_t *cols_out);
/* Appends s fitted to exactly cols columns: cut with an ellipsis when too
 * wide, padded with spaces when narrower. */
void tui_text_fit(const char *s, size_t len, size_t cols, struct pv_buf *out);
/* pv_buf_append for a buffer without a cap, where a failure is a broken
 * invariant: it aborts. */
void tui_buf_append(struct pv_buf *b, const char *s, size_t n);
/* Finds needle in hay, ASCII case-insensitively (other bytes exactly). */
bool tui_text_find(const char *hay, size_t hay_len, const char *needle, size_t needle_len,
                   size_t *pos_out);
/* Copies s into out (out_size >= 1), replacing control bytes with '?' and
 * cutting at a character boundary; for messages built from typed text. */
void tui_text_printable(char *out, size_t out_size, const char *s);

/* ---- format.c: what the index shows in its columns ---------------------- */

/* "14:05" today, "Mon 14" within the last 7 days, else "2025-03-02"; in
 * local time.  out_size >= 16. */
void tui_format_date(int64_t when, time_t now, char *out, size_t out_size);
/* when in local time through strftime(format); "?" when it cannot be
 * shown or does not fit in out. */
void tui_format_date_custom(const char *format, int64_t when, char *out, size_t out_size);
/* The index's date column: the date_format of prefs (may be NULL), else
 * tui_format_date's short forms; and how many columns it needs (the widest
 * of a few sample dates, at most TUI_DATE_COLS_MAX). */
enum { TUI_DATE_COLS_MAX = 32 };
void tui_format_index_date(const struct tui_prefs *prefs, int64_t when, time_t now, char *out,
                           size_t out_size);
int tui_index_date_columns(const struct tui_prefs *prefs);
/* "date" -> MAILBOX_SORT_DATE; false for a name that is not a sort key. */
bool tui_sort_by_name(const char *name, enum mailbox_sort *key_out);
/* Which sort key follows key in the o cycle, and the names for the status line. */
enum mailbox_sort tui_sort_next(enum mailbox_sort key);
const char *tui_sort_name(enum mailbox_sort key);

/* ---- mark_rule.c: the D rule ------------------------------------------- */

enum mark_rule_kind {
    MARK_RULE_TEXT,   /* From or Subject contains text */
    MARK_RULE_LARGER, /* ">2M": size greater than octets */
    MARK_RULE_OLDER,  /* "<2024-01-01": dated before that day (local midnight) */
};

enum { MARK_RULE_TEXT_MAX = 256 };

struct mark_rule {
    enum mark_rule_kind kind;
    uint64_t octets;
    int64_t before;
    char text[MARK_RULE_TEXT_MAX];
};

/* Parses what the person typed.  Errors (false, err set): empty text, a
 * size or date that cannot be read. */
bool mark_rule_parse(const char *input, struct mark_rule *rule_out, struct pv_error *err);
/* Does the summary match?  Text is found ASCII case-insensitively in From
 * or Subject, like mailbox_search().  *unknown_out is set when the answer
 * needs a header that has not arrived. */
bool mark_rule_matches(const struct mark_rule *rule, const struct mailbox_summary *s,
                       bool *unknown_out);

/* ---- theme.c: colour roles --------------------------------------------- */

enum tui_role {
    ROLE_NORMAL,
    ROLE_TITLE,    /* the key hint line at the top */
    ROLE_STATUS,   /* the status line */
    ROLE_CURSOR,   /* the selected row */
    ROLE_MARKED,   /* a message the server will delete at QUIT */
    ROLE_PENDING,  /* a mark on its way to the server */
    ROLE_UNLOADED, /* placeholders of rows still loading */
    ROLE_ERROR,    /* failures on the message line */
    ROLE_NOTICE,   /* notices on the message line */
    ROLE_PROGRESS, /* the filled part of a progress bar */
    ROLE_MATCH,    /* a search match in the pager */
    ROLE_HEADER,   /* header lines in the pager */
    ROLE_QUOTE,    /* "> " quoted lines */
    ROLE_NOTE,     /* "[popview: ...]" notes and the attachment list */
    ROLE_DIALOG,   /* a confirmation box */
    ROLE_HELP_KEY, /* the key column of the help */
    /* The transcript (teach.h): commands, +OK, -ERR, data lines, what
     * popview did itself, explain-mode notes, a folded reply's count. */
    ROLE_TR_COMMAND,
    ROLE_TR_OK,
    ROLE_TR_ERR,
    ROLE_TR_DATA,
    ROLE_TR_INFO,
    ROLE_TR_NOTE,
    ROLE_TR_FOLD,
    ROLE_COUNT_
};

struct tui_theme {
    bool color;
    attr_t attr[ROLE_COUNT_];
    short pair[ROLE_COUNT_];
};

/* One element's look from the config: colours (-1: the terminal's own,
 * else 0..255) and attributes. */
struct theme_style {
    bool set;
    short fg, bg;
    attr_t attr;
};

/* After curses started: colours when the terminal has them, monochrome
 * when monochrome is true, prefs say colors = never, NO_COLOR is set
 * (no-color.org; colors = always overrides it) or the terminal has none.
 * prefs (may be NULL) may override each element's colours. */
void theme_init(struct tui_theme *t, bool monochrome, const struct tui_prefs *prefs);
/* The config's name of a role ("marked", "transcript-err") and back. */
const char *theme_role_name(enum tui_role role);
bool theme_role_by_name(const char *name, enum tui_role *role_out);
/* Parses "fg,bg[,attr+attr]": colours by name (default, black, red, green,
 * yellow, blue, magenta, cyan, white, bright-red...) or number (0-255),
 * attributes normal, bold, dim, italic, underline, reverse, blink. */
bool theme_parse_style(const char *value, struct theme_style *style_out, struct pv_error *err);
void theme_apply(const struct tui_theme *t, WINDOW *w, enum tui_role role);

/* ---- screen.c: the only writer ------------------------------------------ */

enum {
    SCR_PAD = 1u << 0,      /* fill the rest of the columns with spaces */
    SCR_ELLIPSIS = 1u << 1, /* end cut text with "…" */
};

/* Writes UTF-8 text at (y, x) in at most cols columns with the window's
 * current attributes.  Control characters become '?'; a wide character
 * never straddles the limit.  Returns the columns used. */
int scr_put(WINDOW *w, int y, int x, int cols, const char *s, size_t len, unsigned flags);
int scr_puts(WINDOW *w, int y, int x, int cols, const char *s, unsigned flags);
/* The same, right-aligned so that it ends at column x + cols. */
int scr_put_right(WINDOW *w, int y, int x, int cols, const char *s);
void scr_blank(WINDOW *w, int y, int x, int cols);
/* "[#####-----]" of width cols (>= 3), filled done/total. */
void scr_progress(WINDOW *w, const struct tui_theme *t, int y, int x, int cols, uint64_t done,
                  uint64_t total);

/* ---- widget_list.c: a cursor over rows, shared by index and help -------- */

struct list_widget {
    size_t count;
    size_t cursor;
    size_t top;
    int height;
};

typedef void (*list_draw_row_fn)(void *ctx, WINDOW *w, int y, int x, int width, size_t row,
                                 bool selected);

void listw_set_count(struct list_widget *l, size_t count);
void listw_set_height(struct list_widget *l, int height);
void listw_set_cursor(struct list_widget *l, size_t row);
/* Moves the cursor by delta rows, stopping at the ends; true if it moved. */
bool listw_move(struct list_widget *l, long delta);
/* Turns a page (the view moves with the cursor); true if anything moved. */
bool listw_page(struct list_widget *l, int direction);
void listw_draw(const struct list_widget *l, WINDOW *w, const struct tui_rect *r,
                list_draw_row_fn fn, void *ctx);

/* ---- widget_text.c: scrolling, wrapped text for the pager --------------- */

struct text_line {
    size_t off, len; /* into the text */
    size_t logical;  /* the source line it belongs to */
};

struct text_widget {
    const char *text; /* not owned */
    size_t text_len;
    enum tui_role *roles; /* per logical line */
    size_t logical_count;
    struct text_line *lines; /* display lines after wrapping */
    size_t line_count, line_alloc;
    size_t top;
    int width, height;
    char *highlight; /* search text shown in ROLE_MATCH, or NULL */
};

typedef enum tui_role (*text_role_fn)(void *ctx, size_t logical, const char *line, size_t len);

void textw_init(struct text_widget *t);
void textw_free(struct text_widget *t);
/* Shows text (kept by the caller while shown); role_fn (may be NULL)
 * chooses each source line's role; the top goes back to the start. */
void textw_set_text(struct text_widget *t, const char *text, size_t len, text_role_fn role_fn,
                    void *ctx);
/* Wraps for a new size, keeping the first visible character visible. */
void textw_resize(struct text_widget *t, int width, int height);
bool textw_scroll(struct text_widget *t, long lines);
bool textw_page(struct text_widget *t, int direction);
void textw_top(struct text_widget *t);
void textw_bottom(struct text_widget *t);
/* Finds needle in a display line, looking at line start first, then
 * onwards (or backwards), wrapping around the ends. */
bool textw_find(const struct text_widget *t, const char *needle, size_t start, bool backwards,
                size_t *line_out);
void textw_set_highlight(struct text_widget *t, const char *needle);
void textw_draw(const struct text_widget *t, WINDOW *w, const struct tui_theme *theme,
                const struct tui_rect *r);

/* ---- keymap.c and actions.c: keys -> actions -> functions --------------- */

enum tui_action {
    ACT_NONE,
    ACT_LINE_DOWN,
    ACT_LINE_UP,
    ACT_PAGE_DOWN,
    ACT_PAGE_UP,
    ACT_FIRST,
    ACT_LAST,
    ACT_JUMP,
    ACT_OPEN,
    ACT_BACK,
    ACT_SEARCH,
    ACT_SEARCH_NEXT,
    ACT_SEARCH_PREV,
    ACT_SORT_NEXT,
    ACT_SORT_REVERSE,
    ACT_MARK,
    ACT_UNMARK,
    ACT_UNMARK_ALL,
    ACT_MARK_RULE,
    ACT_HEADERS,
    ACT_RAW,
    ACT_MIME,
    ACT_SAVE,
    ACT_PIPE,
    ACT_SAVE_MARK,
    ACT_QUIT,
    ACT_EXIT,
    ACT_RECONNECT,
    ACT_HELP,
    ACT_REDRAW,
    /* Teaching (teach.h) */
    ACT_TRANSCRIPT,
    ACT_TRANSCRIPT_FULL,
    ACT_PANE_FOCUS,
    ACT_PANE_GROW,
    ACT_PANE_SHRINK,
    ACT_FOLD,
    ACT_CONSOLE,
    ACT_EXPLAIN,
    ACT_INSPECT,
    ACT_COUNT_
};

enum keymap_id {
    KEYMAP_INDEX,
    KEYMAP_PAGER,
    KEYMAP_HELP,
    KEYMAP_TRANSCRIPT, /* the transcript, as pane or full screen */
    KEYMAP_INFO,       /* the server inspector, the console's command list */
    KEYMAP_COUNT_
};

struct keybinding {
    int key;
    enum tui_action action;
    bool hint; /* shown on the top line */
};

/* The bindings in effect: the defaults with the config's key overrides. */
struct keymap;
/* prefs may be NULL.  An override key.ACTION replaces the action's keys in
 * every view that has the action; a key it takes is taken from whatever
 * action had it in those views. */
struct keymap *keymap_new(const struct tui_prefs *prefs);
void keymap_free(struct keymap **km);
enum tui_action keymap_lookup(const struct keymap *km, enum keymap_id map, int key);
/* The bindings of a map, in the order the help lists them. */
const struct keybinding *keymap_bindings(const struct keymap *km, enum keymap_id map,
                                         size_t *count_out);
/* Reads a key name as keymap_key_name writes it ("j", "Down", "PgDn",
 * "Space", "Enter", "Tab", "Esc", "^L", "F5"); false for anything else. */
bool keymap_parse_key(const char *name, int *key_out);
/* The action named name ("delete-message"); false when there is none. */
bool keymap_action_by_name(const char *name, enum tui_action *action_out);
/* Is there a view where both actions have keys (so one key cannot serve both)? */
bool keymap_actions_meet(enum tui_action a, enum tui_action b);
const char *keymap_title(enum keymap_id map);
/* "j", "Down", "PgDn", "Space", "Enter", "^L"; out_size >= 16. */
void keymap_key_name(int key, char *out, size_t out_size);

/* Preconditions, checked by actions_run() before anything runs. */
enum {
    REQ_SESSION = 1u << 0, /* a session in TRANSACTION state (not quitting) */
    REQ_MESSAGE = 1u << 1, /* a message under the cursor */
    REQ_OFFLINE = 1u << 2, /* the session failed or closed */
};

struct action_info {
    enum tui_action id;
    const char *name;  /* "mark-message", after mutt's function names */
    const char *label; /* short, for the top line: "Mark" */
    const char *help;  /* one sentence for the help view */
    unsigned requires;
};

const struct action_info *action_info(enum tui_action a);
/* Runs the action for the top view after checking its preconditions;
 * key is the key that asked for it.  Returns intents. */
unsigned actions_run(struct tui_app *app, enum tui_action a, int key);
/* Save-and-mark (S) learns of each fetched message (msg NULL: the fetch
 * failed with error) before the pager does; true when it told the person
 * about it.  actions_free releases what it keeps. */
bool actions_on_message(struct tui_app *app, size_t index, const struct pv_spool *msg,
                        const char *error);
void actions_free(struct tui_app *app);

/* ---- views ------------------------------------------------------------- */

struct view_ops {
    const char *name;
    enum keymap_id keymap;
    bool advance_on_mark; /* d moves to the next row, as in mutt's index */
    void (*draw)(struct view *v, struct tui_app *app, WINDOW *w, const struct tui_rect *r);
    /* Actions the view performs itself (movement, search, ...). */
    unsigned (*on_action)(struct view *v, struct tui_app *app, enum tui_action a, int key);
    /* A key no binding claimed; may be NULL. */
    unsigned (*on_key)(struct view *v, struct tui_app *app, int key);
    void (*on_resize)(struct view *v, struct tui_app *app, const struct tui_rect *r);
    /* The model changed (MAILBOX_CHANGED_* bits); may be NULL. */
    unsigned (*on_model)(struct view *v, struct tui_app *app, unsigned changed);
    /* Before each paint: clamp, tell the model what is visible; may be NULL. */
    void (*recalc)(struct view *v, struct tui_app *app);
    /* The message the view is about (for d/u), if any; may be NULL. */
    bool (*current_message)(const struct view *v, const struct tui_app *app, size_t *index_out);
    /* Right part of the status line ("lines 1-20 of 48"); may be NULL. */
    void (*status)(const struct view *v, const struct tui_app *app, char *out, size_t out_size);
    void (*free)(struct view *v);
};

struct view {
    const struct view_ops *ops;
};

struct view *view_index_new(struct tui_app *app);
struct view *view_pager_new(struct tui_app *app, size_t index, bool preview);
/* Hands the fetched message or a failure (message NULL) to a pager waiting
 * for it, which then owns *message (set to NULL); false when v is not
 * waiting for that message. */
bool view_pager_deliver(struct view *v, struct tui_app *app, size_t index,
                        struct pv_spool **message, const char *error);
bool view_is_pager(const struct view *v);
struct view *view_help_new(struct tui_app *app, enum keymap_id map);

/* ---- prompt.c: the modal question -------------------------------------- */

enum { PROMPT_CANCEL = -1, PROMPT_OK = 0 };
enum { PROMPT_TEXT_MAX = 1024, PROMPT_CHOICES_MAX = 4 };

/* Called once when the prompt ends: choice is PROMPT_CANCEL, PROMPT_OK (a
 * text prompt) or the value of the chosen choice; text is what was typed
 * ("" for a choice).  The prompt is already detached, so the function may
 * open another.  Returns intents. */
typedef unsigned (*prompt_done_fn)(struct tui_app *app, void *ctx, size_t arg, int choice,
                                   const char *text);

struct prompt_choice {
    int key;           /* ASCII; either case is accepted */
    const char *label; /* "delete and quit" */
    int value;
};

struct prompt;

struct prompt *prompt_new_text(const char *question, const char *initial, prompt_done_fn fn,
                               void *ctx, size_t arg);
/* A box with text (lines separated by '\n') and up to PROMPT_CHOICES_MAX
 * choices; Escape and Ctrl-G cancel. */
struct prompt *prompt_new_choice(const char *text, const struct prompt_choice *choices,
                                 size_t count, prompt_done_fn fn, void *ctx, size_t arg);
void prompt_free(struct prompt **p);
/* True when the key ended the prompt (then call prompt_finish). */
bool prompt_on_key(struct prompt *p, int key);
unsigned prompt_finish(struct prompt *p, struct tui_app *app);
bool prompt_is_text(const struct prompt *p);
/* Draws on the message line (text, leaving the cursor at the end of the
 * input) or centered (choice); the screen is rows x cols. */
void prompt_draw(const struct prompt *p, WINDOW *w, const struct tui_theme *t, int rows, int cols);

/* ---- files.c: save and pipe -------------------------------------------- */

enum save_result { SAVE_OK, SAVE_EXISTS, SAVE_FAILED };
/* The longest attachment file name offered, in bytes (NAME_MAX is 255). */
enum { TUI_FILENAME_MAX = 200 };

/* "~/x" -> "$HOME/x"; others copied.  Returns a new string. */
char *tui_expand_path(const char *path);
/* Writes data to path through a temporary file in the same directory,
 * fsync()ed, then linked into place (overwrite false: never replaces an
 * existing file, SAVE_EXISTS) or renamed over it (overwrite true). */
enum save_result tui_save_file(const char *path, const char *data, size_t len, bool overwrite,
                               struct pv_error *err);
/* A file name for an attachment, from the name the message gives (may be
 * NULL): its last component only (a slash and a backslash both separate), without
 * control characters, bidi overrides or invisible characters, without
 * leading dots, spaces or '~', cut to TUI_FILENAME_MAX bytes keeping the
 * extension; "attachment-INDEX" when nothing is left.  A new string. */
char *tui_safe_filename(const char *name, size_t index);

/* Small pieces gathered into blocks before write(2), so a message of any
 * size is written in one pass without a copy of it in memory. */
enum { TUI_WRITE_BLOCK = 64 * 1024 };
struct tui_fd_writer {
    int fd;
    bool failed; /* a write failed: errno says why, the rest is dropped */
    size_t used;
    char buf[TUI_WRITE_BLOCK];
};
void tui_fd_writer_init(struct tui_fd_writer *w, int fd);
/* Both false (errno set) once a write has failed. */
bool tui_fd_writer_put(void *w, const char *data, size_t len);
bool tui_fd_writer_flush(struct tui_fd_writer *w);

/* Walks a message line by line and gives each to emit with its CRLF (or
 * LF) as one LF, a last line without one getting it too; with mboxrd, a
 * line that is ">"* "From " gets one more '>' in front (mboxrd quoting).
 * Stops with false as soon as emit returns false. */
typedef bool (*tui_emit_fn)(void *ctx, const char *data, size_t len);
bool tui_each_line_lf(const char *msg, size_t len, bool mboxrd, tui_emit_fn emit, void *ctx);
/* fsync()s the directory holding path (best effort), so a new name lasts. */
void tui_sync_parent_dir(const char *path);
/* Runs /bin/sh -c command with data on its stdin and the terminal as its
 * stdout/stderr; child_mask is the signal mask the child starts with.
 * Returns false (err set) when it could not run; *status_out is the wait
 * status. */
bool tui_pipe_to_command(const char *command, const char *data, size_t len, const void *child_mask,
                         int *status_out, struct pv_error *err);

/* ---- mbox.c: appending to an mbox (mboxrd) ------------------------------ */

enum mbox_result {
    MBOX_OK,
    MBOX_NOT_MBOX, /* the file is not empty and does not start with "From " */
    MBOX_LOCKED,   /* another program holds a lock on it */
    MBOX_FAILED,   /* anything else; err says what and what became of the file */
};

/* The message in mboxrd form: CRLF as LF, one more '>' in front of every
 * line matching ^>*From , a final line break added when missing. */
void tui_mbox_quote(const char *msg, size_t len, struct pv_buf *out);
/* A whole entry: the "From SENDER DATE" separator (the Return-Path, else
 * the From address, else MAILER-DAEMON; when as asctime() in UTC), the
 * quoted message and the empty line that ends it. */
void tui_mbox_entry(const char *msg, size_t len, time_t when, struct pv_buf *out);
/* Appends the entry to the mbox at path, created (0600) when missing,
 * under a non-blocking fcntl() write lock, fsync()ed.  A failed write is
 * rolled back (the file cut to its old size, or removed if this call
 * created it).  Errors: MBOX_NOT_MBOX, MBOX_LOCKED, MBOX_FAILED. */
enum mbox_result tui_mbox_append(const char *path, const char *msg, size_t len, time_t when,
                                 struct pv_error *err);

/* ---- maildir.c: delivering to a maildir; the save folder of S ----------- */

/* True when path is a directory holding tmp/, new/ and cur/. */
bool tui_maildir_is(const char *path);
/* A maildir file name: "SECONDS.MUSECSPPID_RRANDOM.HOST" (microseconds as
 * six digits, RANDOM as 16 hex digits), '/' and ':' in host written as
 * \057 and \072; "localhost" for a NULL or empty host.  A new string. */
char *tui_maildir_name(int64_t seconds, long usec, long pid, uint64_t random, const char *host);
/* Writes the message (line ends as LF) to dir/tmp/NAME, fsync()s it, links
 * it to dir/new/NAME (another NAME when that exists), removes the tmp/ name
 * and fsync()s new/.  *file_out (may be NULL) gets the new path.  false
 * with err set when dir is not a maildir or a step failed; nothing is then
 * left under new/ or tmp/. */
bool tui_maildir_deliver(const char *dir, const char *msg, size_t len, char **file_out,
                         struct pv_error *err);
/* Makes dir (0700) with tmp/, new/ and cur/; fine when they exist. */
bool tui_maildir_create(const char *dir, struct pv_error *err);

enum tui_folder_kind { TUI_FOLDER_MBOX, TUI_FOLDER_MAILDIR };
/* Saves the message to folder: an existing directory is a maildir; a name
 * ending in '/' is a maildir, created when missing; anything else is an
 * mbox file (tui_mbox_append).  Everything is fsync()ed before it returns
 * true; *kind_out (may be NULL) says which it was. */
bool tui_save_to_folder(const char *folder, const char *msg, size_t len, time_t when,
                        enum tui_folder_kind *kind_out, struct pv_error *err);

/* ---- prefs.c: the [ui] settings (include/popview/tui.h) ------------------ */

enum tui_colors { TUI_COLORS_AUTO, TUI_COLORS_NEVER, TUI_COLORS_ALWAYS };
enum { TUI_KEYS_PER_ACTION_MAX = 8, TUI_DATE_FORMAT_MAX = 64 };

struct tui_prefs {
    enum tui_colors colors;
    struct theme_style style[ROLE_COUNT_];
    char *date_format; /* NULL: tui_format_date's short forms */
    bool sort_set;
    enum mailbox_sort sort;
    bool sort_reverse;
    struct key_override {
        size_t count; /* 0: the defaults */
        int keys[TUI_KEYS_PER_ACTION_MAX];
    } keys[ACT_COUNT_];
};

/* ---- app.c: the loop and what views may ask of it ------------------------ */

/* index, pager, full transcript, inspector, help and a list above them */
enum { TUI_NOTICE_MAX = 512, TUI_VIEW_STACK_MAX = 8 };

struct tui_app {
    const struct tui_options *opts;
    struct mailbox *mb;
    struct tui_theme theme;
    int rows, cols;
    bool too_small;
    struct tui_rect body; /* where the top view draws */
    int msg_lines;        /* rows of the message line (a long notice wraps) */

    struct view *stack[TUI_VIEW_STACK_MAX];
    size_t depth;
    struct prompt *prompt;

    char *last_mbox;             /* the mbox the last save appended to, offered again */
    struct save_mark *save_mark; /* S: the message on its way to be saved (actions.c) */

    char notice[TUI_NOTICE_MAX];
    enum tui_role notice_role;
    /* The start-up warning (no TLS, --insecure) stays on the message line
     * until a key is pressed: the model's notices (the transcript has
     * them) must not push it away before anyone could read it. */
    bool notice_sticky;

    bool quitting; /* QUIT sent, waiting for the answer */
    bool quit_commit;
    size_t quit_marked; /* marked when the committing QUIT went out */
    time_t quit_deadline;
    bool done;

    /* Marks asked for while the row's previous change was still on its
     * way; the model refuses those, so they wait here until it settles. */
    struct mark_wish {
        size_t index;
        bool mark;
    } * wishes;
    size_t wish_count;

    void *child_mask; /* sigset_t of the process before tui_run, for children */
    int sig_fd;       /* signalfd of the blocked signals */
    int tty_fd;       /* the terminal, for its size */

    struct teach *teach;   /* transcript pane, console, explain mode (teach.h) */
    struct keymap *keymap; /* the keys in effect (keymap.c) */
};

struct mailbox *app_mailbox(const struct tui_app *app);
const struct tui_theme *app_theme(const struct tui_app *app);
void app_notice(struct tui_app *app, enum tui_role role, const char *fmt, ...) PV_PRINTF(3, 4);
struct view *app_top_view(const struct tui_app *app);
/* Views are owned by the stack; pop frees the top one. */
void app_push_view(struct tui_app *app, struct view *v);
void app_pop_view(struct tui_app *app);
void app_open_prompt(struct tui_app *app, struct prompt *p);
/* Fetches the message (asking first when it is large) and shows the pager. */
unsigned app_open_message(struct tui_app *app, size_t index);
/* Sends QUIT (committing or not) and waits for the answer; leaves at
 * once when there is no session to end. */
unsigned app_begin_quit(struct tui_app *app, bool commit);
/* Runs fn with the screen handed back to the terminal, then waits for a
 * key and repaints everything. */
void app_run_outside(struct tui_app *app, void (*fn)(struct tui_app *app, void *ctx), void *ctx);
/* Marks (mark true) or unmarks the message now, or as soon as the change
 * on its way for it is acknowledged; the latest wish wins. */
void app_want_mark(struct tui_app *app, size_t index, bool mark);
/* Does the session accept commands (TRANSACTION state, not quitting)? */
bool app_session_ready(const struct tui_app *app);

#endif
