/*
 * mailbox — the model the UI shows: one summary per message, the marks,
 * loading progress, the transcript, and the message being read.
 *
 * The POP3 session runs in a worker thread that owns it; the UI thread
 * never touches the network.  The UI posts requests (mark, unmark, read a
 * message, quit) and polls mailbox_event_fd() next to the keyboard; when it
 * is readable, mailbox_process() applies what the worker finished to the
 * model, in order, and says what changed.  So the interface never freezes
 * on the network, and the model is only ever changed on the UI thread.
 *
 * Glossary: an *index* is a message's position in server order (0-based;
 * its POP3 number is index + 1 for this session); a *row* is a position in
 * the current sort order (what the index view shows).  A message is
 * *marked* once the server acknowledged its DELE: the screen shows what the
 * server will delete at QUIT, never more.
 */
#ifndef POPVIEW_MAILBOX_H
#define POPVIEW_MAILBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <popview/util.h>

#include <popview/net.h>

#include <popview/pop3.h>

struct mailbox_config {
    /* Where and how to connect.  The mailbox records the transcript itself;
     * pop3.trace, when set, also gets every line (on the worker thread: the
     * --trace file).  With demo_fd >= 0 the session runs over that socket
     * (the --demo server) instead of connecting to pop3.host. */
    struct pop3_config pop3;
    int demo_fd;
    const char *user;
    const char *secret; /* copied, and the copy wiped after login */
    enum pop3_auth_mech mech;
    const char *label; /* "alice@mail.example.org", for the status line */
    /* The header cache's directory (mailbox_cache_dir_default()), or NULL:
     * no cache.  Summaries of messages seen before come from there by UIDL
     * instead of TOP; the file is written when all summaries are in and at
     * mailbox_free, on the worker thread. */
    const char *cache_dir;
    /* For mailbox_reconnect; each may be NULL.  Both are called on the
     * worker thread.  reconnect_fd returns a new connected socket (which the
     * mailbox then owns) when the session ran over demo_fd (the --demo
     * server, tests), or -1.  reconnect_secret returns the secret again as a
     * malloc'd string that the mailbox wipes and frees after logging in:
     * the copy of secret is wiped right after the first login, so without
     * this callback a reconnect cannot log in (the phase becomes FAILED
     * with a sentence saying so). */
    int (*reconnect_fd)(void *ctx);
    char *(*reconnect_secret)(void *ctx);
    void *reconnect_ctx;
};

enum mailbox_phase {
    MAILBOX_CONNECTING,
    MAILBOX_LOGGING_IN,
    MAILBOX_SCANNING, /* STAT, LIST, UIDL */
    MAILBOX_LOADING,  /* summaries arriving (rows can already be used) */
    MAILBOX_READY,    /* every summary loaded */
    MAILBOX_QUITTING,
    MAILBOX_CLOSED, /* QUIT answered, or closed without QUIT */
    MAILBOX_FAILED, /* the connection or login failed; see mailbox_error() */
};
const char *mailbox_phase_name(enum mailbox_phase p);

struct mailbox_summary {
    unsigned msgno;  /* POP3 message number in this session */
    uint64_t size;   /* octets, from LIST */
    const char *uid; /* UIDL, or NULL */
    bool loaded;     /* the header arrived and was parsed */
    bool failed;     /* the server refused its header */
    bool has_date;
    int64_t date; /* UTC seconds */
    int tz_offset_min;
    const char *from;     /* decoded and sanitized, one line ("" until loaded) */
    const char *subject;  /* decoded and sanitized, one line */
    bool multipart_mixed; /* attachment marker: Content-Type multipart/mixed */
    bool marked;          /* DELE acknowledged by the server */
    bool mark_pending;    /* DELE (or the undo of one) is on its way */
};

struct mailbox;

/* Starts the worker (connect, login, scan, load summaries, visible rows
 * first) and returns at once.  Errors: only when the thread cannot start. */
struct mailbox *mailbox_open(const struct mailbox_config *cfg, struct pv_error *err);
/* Stops the worker and closes the connection WITHOUT QUIT if it is still
 * open, so nothing is deleted (RFC 1939 section 6), and frees. */
void mailbox_free(struct mailbox **mb);

/* Readable when mailbox_process() has something to apply. */
int mailbox_event_fd(const struct mailbox *mb);

/* What mailbox_process() changed, as bits. */
enum {
    MAILBOX_CHANGED_PHASE = 1u << 0,      /* phase, POP3 state, error */
    MAILBOX_CHANGED_ROWS = 1u << 1,       /* summaries, marks, count */
    MAILBOX_CHANGED_TRANSCRIPT = 1u << 2, /* new transcript lines */
    MAILBOX_CHANGED_MESSAGE = 1u << 3,    /* a requested message arrived or failed */
    MAILBOX_CHANGED_NOTICE = 1u << 4,     /* a new notice for the status line */
    MAILBOX_CHANGED_PROGRESS = 1u << 5,   /* mailbox_fetch_progress() moved */
    MAILBOX_CHANGED_SERVER = 1u << 6,     /* mailbox_server_info() was taken again */
};
/* Applies finished work; never blocks. */
unsigned mailbox_process(struct mailbox *mb);

enum mailbox_phase mailbox_phase(const struct mailbox *mb);
/* When the phase is FAILED: the phase the session was in when it failed
 * (CONNECTING: the server could not be reached or TLS failed; LOGGING_IN:
 * the login was refused; later: the connection was lost). */
enum mailbox_phase mailbox_failed_in(const struct mailbox *mb);
enum pop3_state mailbox_pop3_state(const struct mailbox *mb);
const char *mailbox_label(const struct mailbox *mb);
/* The last failure as a sentence a person can act on, or NULL. */
const char *mailbox_error(const struct mailbox *mb);
/* The last notice ("message 4 marked for deletion", "NOOP sent to keep the
 * session alive", an action's failure), or NULL. */
const char *mailbox_notice(const struct mailbox *mb);

/* --- rows ------------------------------------------------------------------ */

size_t mailbox_count(const struct mailbox *mb);
uint64_t mailbox_total_size(const struct mailbox *mb);
size_t mailbox_loaded_count(const struct mailbox *mb);
/* Summaries per second over the load so far (0 before the first). */
double mailbox_load_rate(const struct mailbox *mb);
size_t mailbox_marked_count(const struct mailbox *mb);
uint64_t mailbox_marked_size(const struct mailbox *mb);

const struct mailbox_summary *mailbox_at(const struct mailbox *mb, size_t index);

enum mailbox_sort {
    MAILBOX_SORT_NUMBER,
    MAILBOX_SORT_DATE,
    MAILBOX_SORT_FROM,
    MAILBOX_SORT_SUBJECT,
    MAILBOX_SORT_SIZE
};
void mailbox_sort(struct mailbox *mb, enum mailbox_sort key, bool reverse);
enum mailbox_sort mailbox_sort_key(const struct mailbox *mb, bool *reverse_out);
/* Index of the message shown at row (rows follow the sort order). */
size_t mailbox_row_index(const struct mailbox *mb, size_t row);
size_t mailbox_index_row(const struct mailbox *mb, size_t index);

/* Next row at or after from (or before, with backwards) whose From or
 * Subject contains needle (case-insensitive for ASCII, exact otherwise);
 * wraps around.  false if none. */
bool mailbox_search(const struct mailbox *mb, const char *needle, size_t from, bool backwards,
                    size_t *row_out);

/* Rows [first, first+count) are on screen: load their summaries next. */
void mailbox_prioritize(struct mailbox *mb, size_t first_row, size_t count);

/* --- actions (asynchronous; results arrive through mailbox_process) ------- */

/* DELE the message; it shows as marked when the server agrees. */
void mailbox_mark(struct mailbox *mb, size_t index);
/* POP3 has no undelete for one message: RSET, then DELE again for every
 * other marked message (the transcript shows it). */
void mailbox_unmark(struct mailbox *mb, size_t index);
/* RSET. */
void mailbox_unmark_all(struct mailbox *mb);

/* RETR the message; MAILBOX_CHANGED_MESSAGE tells when it arrived. */
void mailbox_fetch(struct mailbox *mb, size_t index);
/* TOP index lines (a preview of a large message). */
void mailbox_fetch_preview(struct mailbox *mb, size_t index, unsigned lines);
/* The fetched message (raw bytes, CRLF line ends), once arrived: the caller
 * takes ownership of *msg_out (pv_spool_free).  A large message is in a
 * temporary file, mapped, so reading it costs page cache, not heap.  false
 * while none is ready; a failure gives false with *error_out (may be NULL)
 * set to a sentence. */
bool mailbox_take_message(struct mailbox *mb, size_t *index_out, struct pv_spool **msg_out,
                          const char **error_out);
/* Bytes of the message being fetched so far, and its size from LIST. */
void mailbox_fetch_progress(const struct mailbox *mb, uint64_t *done_out, uint64_t *total_out);

/* Ends the session: commit true sends QUIT (the server deletes the marked
 * messages, UPDATE state); false sends RSET then QUIT, deleting nothing.
 * The phase becomes CLOSED when the server answered; mailbox_quit_reply()
 * then holds its words. */
void mailbox_quit(struct mailbox *mb, bool commit);
const char *mailbox_quit_reply(const struct mailbox *mb);

/* After the connection dropped (phase FAILED or CLOSED without QUIT):
 * connects and logs in again, rescans, and restores the marks by UIDL where
 * those messages still exist (numbers may have changed, so a DELE is never
 * re-sent by an old number; without UIDL the marks are dropped and the
 * notice says so). */
void mailbox_reconnect(struct mailbox *mb);

/* Sends NOOP when the session was idle for idle_seconds (keep-alive, before
 * the server's autologout timer: RFC 1939 says at least 10 minutes). */
void mailbox_keepalive(struct mailbox *mb, unsigned idle_seconds);
/* Milliseconds since the last command went to the server (or since open). */
int64_t mailbox_idle_ms(const struct mailbox *mb);

/*
 * Sends one command line as a person typed it ("LIST 3", "PASS x"): the
 * teaching console.  The first word names the command (any case); the
 * arguments are split at spaces, except PASS, whose argument is the rest
 * of the line (RFC 1939 section 7).  The caller has already checked the
 * line against the POP3 state and CAPA and explained a mistake, so the
 * command is sent even where the state does not allow it: the server's
 * own -ERR is the lesson.  The reply reaches the transcript, a notice says
 * how it ended, and the model follows a DELE or RSET the server accepted
 * (marks).  Refused with a notice: before popview has logged in (the
 * command would cut into its own exchange), after the session ended, and
 * STLS, AUTH and QUIT (mailbox_quit ends the session).  The line is wiped
 * once sent: it may hold a password.
 */
void mailbox_raw_command(struct mailbox *mb, const char *line);

/* --- the server, as the session last saw it -------------------------------- */

/* Taken by the worker after connecting (greeting, CAPA, after STLS when
 * used) and again after logging in (CAPA may grow, RFC 2449 section 4).
 * Strings are sanitized; all of it stays valid until the next
 * mailbox_process(). */
struct mailbox_server_info {
    bool known;              /* a session got past the greeting */
    bool logged_in;          /* taken after the login */
    const char *greeting;    /* the greeting's text after "+OK" */
    bool apop;               /* the greeting holds an APOP timestamp */
    bool capa_known;         /* CAPA answered +OK */
    size_t capa_count;       /* CAPA lines, as announced */
    const char *const *capa; /* capa_count lines */
    const char *auth_mech;   /* the mechanism that logged in ("APOP"), or NULL */
    bool tls;
    struct net_tls_info tls_info; /* when tls */
};
/* Never NULL; known is false until a session got that far. */
const struct mailbox_server_info *mailbox_server_info(const struct mailbox *mb);

/* --- transcript --------------------------------------------------------- */

enum mailbox_line_kind {
    MAILBOX_LINE_CLIENT, /* C: a command (secrets already "****") */
    MAILBOX_LINE_SERVER, /* S: a status line or SASL challenge */
    MAILBOX_LINE_DATA,   /* S: a line of a multi-line reply */
    MAILBOX_LINE_INFO,   /* what popview did on its own and why */
};

struct mailbox_line {
    enum mailbox_line_kind kind;
    int64_t when_ms;  /* wall clock, milliseconds since the epoch */
    const char *text; /* sanitized, one line */
    /* What a line stands for in a multi-line reply, for folding it: a DATA
     * line is 1 line of data_octets on the wire (dot-unstuffed, with its
     * CRLF, however much of it text kept); the INFO line after the data
     * lines kept of a reply counts those not kept.  The "." that ends the
     * reply is a DATA line with 0 and 0; every other line has 0 and 0. */
    uint64_t data_lines, data_octets;
};

/* The most recent lines are kept (a few thousand); older ones are dropped
 * and counted.  first_out is the sequence number of line 0. */
size_t mailbox_transcript_count(const struct mailbox *mb);
const struct mailbox_line *mailbox_transcript_at(const struct mailbox *mb, size_t i);
uint64_t mailbox_transcript_first(const struct mailbox *mb);

/* --- the header cache (cache.c, summary.c) ----------------------------------
 *
 * What the index shows of each message, kept on disk by UIDL (one file per
 * user@host:port, crash-safe, versioned, checksummed, bounded), so that a
 * second open needs TOP only for messages not seen before.  Used by the
 * worker (mailbox_config.cache_dir) and by --summary.  A cache is owned by
 * one thread at a time. */

/* The decoded header fields of one message, NOT sanitized yet: whoever
 * shows them sanitizes them (mail_sanitize), as for any server text. */
struct mailbox_headline {
    char *from;    /* display form of From (RFC 2047, charsets), never NULL once set */
    char *subject; /* decoded Subject, never NULL once set */
    bool has_date;
    int64_t date; /* UTC seconds */
    int tz_offset_min;
    bool multipart_mixed; /* Content-Type multipart/mixed: attachments */
};

/* Decodes a header block (CRLF or LF lines). */
void mailbox_headline_from_header(const char *header, size_t len, struct mailbox_headline *out);
void mailbox_headline_clear(struct mailbox_headline *hl);

enum {
    MAILBOX_CACHE_MAX_BYTES = 64 * 1024 * 1024, /* one cache file, at most */
    MAILBOX_CACHE_FIELD_MAX = 4096,             /* a From or Subject longer is not kept */
};

enum mailbox_cache_state {
    MAILBOX_CACHE_EMPTY,         /* no file yet */
    MAILBOX_CACHE_LOADED,        /* the file was read and checked */
    MAILBOX_CACHE_DAMAGED,       /* a file that failed a check: ignored, rewritten on save */
    MAILBOX_CACHE_OTHER_VERSION, /* written by another popview version: ignored, rewritten */
    MAILBOX_CACHE_UNUSABLE,      /* the directory cannot be made or is not ours: no cache */
};

/* $XDG_CACHE_HOME/popview, else $HOME/.cache/popview (absolute paths only),
 * or NULL.  A new string. */
char *mailbox_cache_dir_default(void);

struct mailbox_cache;

/* Makes dir (0700) if needed and reads the cache of user@host:port from it.
 * Never fails for a damaged or missing file (the cache is then empty, and
 * mailbox_cache_state says why); NULL only when dir is NULL or "". */
struct mailbox_cache *mailbox_cache_open(const char *dir, const char *user, const char *host,
                                         const char *port);
void mailbox_cache_free(struct mailbox_cache **c);
enum mailbox_cache_state mailbox_cache_state(const struct mailbox_cache *c);
/* The file's path (for messages), or NULL. */
const char *mailbox_cache_path(const struct mailbox_cache *c);
/* Entries held now. */
size_t mailbox_cache_count(const struct mailbox_cache *c);
/* Lowers the file size cap (MAILBOX_CACHE_MAX_BYTES): for tests, small disks. */
void mailbox_cache_set_max_bytes(struct mailbox_cache *c, size_t max_bytes);

/* The headline of the message with this UIDL and LIST size, or NULL (a
 * miss; also for a NULL or invalid uid).  An entry whose size differs is a
 * reused UIDL: it is dropped.  The struct is valid until the next call on
 * c, its strings until mailbox_cache_free (so a copy of the struct is
 * enough). */
const struct mailbox_headline *mailbox_cache_lookup(struct mailbox_cache *c, const char *uid,
                                                    uint64_t size);
/* Keeps a copy (replacing an older entry of the same UIDL); ignored for an
 * invalid uid and for fields over MAILBOX_CACHE_FIELD_MAX. */
void mailbox_cache_put(struct mailbox_cache *c, const char *uid, uint64_t size,
                       const struct mailbox_headline *hl);
/* Writes the entries of the messages in list (UIDL and size match) when
 * something changed: entries of messages no longer on the server are
 * dropped, the newest kept when the size cap is reached.  Writes nothing
 * when no message in list has a UIDL, or c is NULL or UNUSABLE.  false
 * with err set when the file could not be written. */
bool mailbox_cache_save(struct mailbox_cache *c, const struct pop3_listing *list, size_t count,
                        struct pv_error *err);

#endif
