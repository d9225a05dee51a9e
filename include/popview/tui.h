/*
 * tui — the interactive, full-screen mailbox browser (ncursesw, UTF-8).
 *
 * It drives the mailbox model (include/popview/mailbox.h): one loop waits on
 * the keyboard, the model's event descriptor and a signal descriptor at
 * once, key handlers return intents, and the loop alone lays out and paints
 * the frame.  The network is never touched on this thread.
 *
 * Glossary: a *view* is one full-screen mode (index, pager, help); an
 * *action* is a named operation a key is bound to ("mark-message"); a
 * *prompt* is the modal question or text input on top of the views.
 */
#ifndef POPVIEW_TUI_H
#define POPVIEW_TUI_H

#include <stdbool.h>
#include <stddef.h>

#include <popview/util.h>

#include <popview/mailbox.h>

enum tui_status {
    TUI_OK = 0,
    TUI_ERR_TERMINAL, /* stdin/stdout is not a terminal, or curses cannot start */
    TUI_ERR_START,    /* the mailbox worker could not start */
    TUI_ERR_CONNECT,  /* the session failed while connecting (network, TLS) */
    TUI_ERR_AUTH,     /* the session failed while logging in */
    TUI_ERR_SERVER,   /* the session failed later, or the server broke the protocol */
};

/*
 * The interface settings of the config file's [ui] section (colours, date
 * format, sort order, key overrides), kept apart from the file format: the
 * config parser hands each "name = value" pair to tui_prefs_set(), which
 * knows the theme's elements and the actions' names.
 */
struct tui_prefs;

enum tui_prefs_status {
    TUI_PREFS_OK = 0,
    TUI_PREFS_UNKNOWN,   /* no setting has that name */
    TUI_PREFS_BAD_VALUE, /* the name is known, the value is not valid for it */
};

struct tui_prefs *tui_prefs_new(void);
void tui_prefs_free(struct tui_prefs **prefs);
/*
 * Sets one setting; a later call for the same name replaces the earlier.
 * Names: colors (auto|never|always), color.ELEMENT (fg,bg[,attr+attr...]),
 * date_format (strftime, or auto), sort (KEY[,reverse]), key.ACTION (key
 * names separated by spaces).  err says what is wrong with the value and
 * what would be right; it is not prefixed with the name.
 * Errors: TUI_PREFS_UNKNOWN, TUI_PREFS_BAD_VALUE.
 */
enum tui_prefs_status tui_prefs_set(struct tui_prefs *prefs, const char *name, const char *value,
                                    struct pv_error *err);
/* Every name tui_prefs_set knows, one by one (for "did you mean"): false
 * once i is past the last.  out_size >= 64. */
bool tui_prefs_name(size_t i, char *out, size_t out_size);

struct tui_options {
    struct mailbox_config mailbox; /* passed to mailbox_open() */
    const struct tui_prefs *prefs; /* the [ui] settings, or NULL for the defaults */
    bool monochrome;               /* no colours even if the terminal has them */
    unsigned keepalive_s;          /* NOOP after this much idleness; 0: 60 s */
    const char *warning;           /* shown on the message line at start, or NULL */
    const char *save_folder;       /* S saves there (mbox file, or maildir directory); NULL: ask */
};

/* How the session ended, for the caller to report after the screen is gone. */
enum { TUI_FAREWELL_MAX = 512 };

struct tui_outcome {
    bool quit_sent;                  /* QUIT was answered: the server ended the session */
    bool committed;                  /* ... and it was a committing QUIT (marks deleted) */
    size_t deleted;                  /* messages marked when the committing QUIT went out */
    char farewell[TUI_FAREWELL_MAX]; /* the server's words to QUIT, or "" */
};

/*
 * Runs the browser until the person leaves.  Blocks SIGINT, SIGTERM,
 * SIGHUP and SIGWINCH for the whole process while it runs (they are read
 * through a signalfd in the loop, so handlers never run) and restores the
 * mask on return; the terminal is restored on every path.
 * outcome_out may be NULL.  On a session failure the person left without
 * repairing, err holds mailbox_error()'s sentence.
 * Errors: TUI_ERR_TERMINAL, TUI_ERR_START, TUI_ERR_CONNECT, TUI_ERR_AUTH,
 * TUI_ERR_SERVER.
 */
enum tui_status tui_run(const struct tui_options *opts, struct tui_outcome *outcome_out,
                        struct pv_error *err);

/* ---- the account picker (picker.c) --------------------------------------- */

/* One account on the picker's list; the texts are the caller's. */
struct tui_account_entry {
    const char *name;   /* "work" */
    const char *server; /* "alice@pop.example.org:995" */
    const char *tls;    /* "TLS", "STARTTLS", "no TLS" */
};

enum tui_pick_result {
    TUI_PICK_CHOSEN,    /* *chosen_out is the account's position */
    TUI_PICK_CANCELLED, /* q, Escape or Ctrl-C: open nothing */
    TUI_PICK_ERROR,     /* no terminal, or curses cannot start: err says so */
};

/*
 * A small full-screen list of accounts (name, user@host:port, TLS mode):
 * arrows, j/k, g/G, PgUp/PgDn or the account's number move, Enter opens, q
 * leaves.  The cursor starts on initial.  Works on any terminal size (a
 * screen too small for the list still shows the current account).  The
 * terminal is given back before it returns.  prefs (may be NULL) chooses
 * the colours.
 */
enum tui_pick_result tui_pick_account(const struct tui_account_entry *entries, size_t count,
                                      size_t initial, const struct tui_prefs *prefs,
                                      size_t *chosen_out, struct pv_error *err);

#endif
