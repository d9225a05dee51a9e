/*
 * demo — the small POP3 server behind `popview --demo`, apart from the
 * client: it never includes the pop3 layer, so the client is tested against
 * an independent implementation that puts real POP3 bytes on the wire.
 *
 * Glossary:
 *  - mailbox: the messages the server offers (struct demo_mailbox).  It lives
 *    in memory, outlives every connection and is shared by them: deletions a
 *    session commits with QUIT (RFC 1939 §6, UPDATE state) are gone for the
 *    next connection in the same process.  Only one session at a time holds
 *    the maildrop lock (RFC 1939 §4); another gets "-ERR [IN-USE]".
 *  - sample: the bundled messages of assets/demo (the .eml files), embedded in the binary
 *    at build time, so --demo needs no files at run time.
 *  - fill header: a message whose header section holds
 *    "X-Popview-Demo-Fill: <octets>" gets a generated, deterministic body
 *    appended until it is about that size, so the repository stores the
 *    1.5 MB sample message as a few hundred bytes.
 *  - server: one POP3 session over one file descriptor, either on a thread
 *    over a socketpair (demo_server_start) or run by the caller on any
 *    connected socket (demo_serve_fd, used by tests/tools/demo_pop3d.c).
 *
 * Thread safety: a mailbox may be used by several threads; its functions
 * lock it.  The mailbox must outlive every server that serves it.
 */
#ifndef POPVIEW_DEMO_H
#define POPVIEW_DEMO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <popview/util.h>

enum demo_status {
    DEMO_OK = 0,
    DEMO_ERR_ARG,    /* a caller's value is unacceptable (bad UIDL, NULL) */
    DEMO_ERR_IO,     /* a file or directory could not be read */
    DEMO_ERR_LIMIT,  /* a message or the mailbox would exceed a cap */
    DEMO_ERR_SYSTEM, /* socketpair, thread or poll failed */
};

/* RFC 1939 §7: a unique-id is 1 to 70 characters in the range 0x21..0x7E. */
enum { DEMO_UIDL_MAX = 70 };
/* Caps on what a mailbox accepts, checked before allocating. */
enum {
    DEMO_MESSAGE_MAX = 64 * 1024 * 1024, /* one message, after CRLF conversion */
    DEMO_FILL_MAX = 16 * 1024 * 1024,    /* the largest X-Popview-Demo-Fill */
    DEMO_MESSAGES_MAX = 100000,
};

struct demo_mailbox;

/* An empty mailbox. */
struct demo_mailbox *demo_mailbox_new(void);
/* Frees the mailbox and its messages; NULLs *mb; accepts NULL. */
void demo_mailbox_free(struct demo_mailbox **mb);

/*
 * Appends one message.  Line ends are converted to CRLF (a lone LF or CR
 * becomes CRLF) and a final CRLF is added if missing, so the size the server
 * announces is the exact size RETR sends before dot-stuffing (RFC 1939 §11).
 * A header "X-Popview-Demo-Fill: N" (N <= DEMO_FILL_MAX) makes the body grow
 * to about N octets with generated text.
 * uidl: NULL to generate one, else 1..70 printable ASCII characters not used
 * by another message of this mailbox.
 * Errors: DEMO_ERR_ARG (NULL mailbox, bad or duplicate UIDL),
 *         DEMO_ERR_LIMIT (message too large, mailbox full).
 */
enum demo_status demo_mailbox_add(struct demo_mailbox *mb, const void *data, size_t len,
                                  const char *uidl, struct pv_error *err);

/*
 * Appends the bundled sample messages, in file-name order; each one's UIDL is
 * its file name without ".eml" (e.g. "01-welcome"), stable across runs.
 * Errors: as demo_mailbox_add.
 */
enum demo_status demo_mailbox_load_sample(struct demo_mailbox *mb, struct pv_error *err);

/*
 * Appends every regular file whose name ends in ".eml" in dir, sorted by name (strcmp).
 * The UIDL is the name without ".eml" when that is a valid unused UIDL, else a
 * generated one.
 * Errors: DEMO_ERR_IO (dir or a file unreadable), DEMO_ERR_LIMIT, DEMO_ERR_ARG.
 */
enum demo_status demo_mailbox_load_dir(struct demo_mailbox *mb, const char *dir,
                                       struct pv_error *err);

/* Number of messages and their total size in octets (0 for NULL). */
size_t demo_mailbox_count(const struct demo_mailbox *mb);
uint64_t demo_mailbox_size(const struct demo_mailbox *mb);

/*
 * Copies message index (0-based, in mailbox order) for the caller: *data_out
 * is a NUL-terminated copy (free() it), *len_out its length; uidl_out, if not
 * NULL, receives the UIDL (DEMO_UIDL_MAX + 1 bytes).  Returns false when index
 * is out of range.
 */
bool demo_mailbox_copy_message(const struct demo_mailbox *mb, size_t index, char **data_out,
                               size_t *len_out, char *uidl_out);

/* Index of the message with this UIDL, or -1. */
long demo_mailbox_find_uidl(const struct demo_mailbox *mb, const char *uidl);

/* True while a session holds the maildrop lock (between login and its end). */
bool demo_mailbox_is_locked(const struct demo_mailbox *mb);

/*
 * What the server accepts and announces.  demo_server_options_init() sets
 * every feature on; switching one off both drops it from CAPA and makes the
 * command fail the way a server without it would ("-ERR unknown command"),
 * so clients' fallbacks can be tested.
 */
struct demo_server_options {
    const char *user;        /* NULL: "demo" */
    const char *password;    /* NULL: "demo" */
    const char *hostname;    /* in the APOP timestamp; NULL: "demo.popview.invalid" */
    bool capa;               /* RFC 2449 CAPA command */
    bool pipelining;         /* announce PIPELINING (commands are always answered in order) */
    bool top;                /* TOP command and capability */
    bool uidl;               /* UIDL command and capability */
    bool user_login;         /* USER/PASS (RFC 1939 §7) and the USER capability */
    bool apop;               /* APOP, and the <timestamp> in the greeting (RFC 1939 §7) */
    bool sasl_plain;         /* AUTH PLAIN (RFC 5034, RFC 4616) */
    bool sasl_login;         /* AUTH LOGIN (the common non-standard mechanism) */
    bool resp_codes;         /* RFC 2449 RESP-CODES and RFC 3206 AUTH-RESP-CODE */
    unsigned reply_delay_ms; /* wait this long before each reply (tests of slowness) */
};

void demo_server_options_init(struct demo_server_options *opts);

struct demo_server;

/*
 * Starts a session on a new thread over a socketpair: the server speaks POP3
 * on one end (the greeting is sent at once), the caller gets the other end in
 * *client_fd_out (blocking, close-on-exec; the caller closes it).  opts may
 * be NULL (defaults); its strings are copied.
 * Errors: DEMO_ERR_ARG (NULL mailbox), DEMO_ERR_SYSTEM.
 */
enum demo_status demo_server_start(struct demo_mailbox *mb, const struct demo_server_options *opts,
                                   struct demo_server **server_out, int *client_fd_out,
                                   struct pv_error *err);

/* True once the session has ended (QUIT, client gone, or error). */
bool demo_server_finished(struct demo_server *server);

/*
 * Stops the session if still running (without UPDATE: deletions of an
 * unfinished session are dropped, as after a broken connection), joins the
 * thread, closes the server's end.  NULLs *server; accepts NULL.  Works
 * whether or not the client end was closed first.
 */
void demo_server_free(struct demo_server **server);

/*
 * Runs one POP3 session on the connected socket fd until QUIT, end of file,
 * an error, or stop_fd (if >= 0) becomes readable.  fd is set non-blocking
 * and is not closed.  Used by demo_server_start's thread and by demo-pop3d.
 * Errors: DEMO_ERR_SYSTEM (poll/read/write failed other than the peer going
 *         away, which is a normal end).
 */
enum demo_status demo_serve_fd(struct demo_mailbox *mb, const struct demo_server_options *opts,
                               int fd, int stop_fd, struct pv_error *err);

#endif
