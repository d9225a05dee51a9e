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

struct tui_options {
    struct mailbox_config mailbox; /* passed to mailbox_open() */
    bool monochrome;               /* no colours even if the terminal has them */
    unsigned keepalive_s;          /* NOOP after this much idleness; 0: 60 s */
    const char *warning;           /* shown on the message line at start, or NULL */
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

#endif
