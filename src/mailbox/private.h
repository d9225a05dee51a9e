/*
 * Internals of the mailbox layer, shared by mailbox.c (the model, UI
 * thread), channel.c (the only state both threads touch), worker.c and
 * load.c (the worker thread that owns the POP3 session), transcript.c and
 * summary.c (pure helpers), order.c (sorting and search).
 *
 * Glossary: a *request* goes from the UI thread to the worker (mark,
 * fetch, quit, ...); a *result* goes back (a summary arrived, the marks
 * changed, the phase changed).  Both travel through the *channel*, a pair
 * of mutex-protected FIFO queues with an eventfd each way, so results are
 * applied in the order the worker produced them.  A *generation* numbers
 * the sessions: a request made for generation 1 is refused by generation 2,
 * whose message numbers may differ.
 */
#ifndef POPVIEW_MAILBOX_PRIVATE_H
#define POPVIEW_MAILBOX_PRIVATE_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <popview/util.h>

#include <popview/pop3.h>

#include <popview/mailbox.h>

enum {
    MB_HEADER_CAP = 256 * 1024,          /* header block kept per summary */
    MB_MESSAGE_CAP = 1024 * 1024 * 1024, /* one fetched message (spooled to disk) */
    MB_TRANSCRIPT_KEEP = 5000,           /* transcript lines kept (each side) */
    MB_TRACE_LINE_MAX = 512,             /* raw bytes kept of one transcript line */
    MB_TRACE_DATA_PER_REPLY = 100,       /* data lines shown per multi-line reply */
    MB_PROGRESS_STEP = 64 * 1024,        /* fetch progress reported this often */
    MB_CHUNK_FIRST = 50,                 /* summaries in the first TOP batch */
    MB_CHUNK_MIN = 8,
    MB_CHUNK_MAX = 200,
    MB_CHUNK_TARGET_MS = 300, /* a batch should take about this long */
    MB_FREE_WAIT_MS = 2000,   /* mailbox_free waits this long, then detaches */
};

/* --- summaries (summary.c) ------------------------------------------------ */

/* What the index shows of one message, built from its header block. */
struct mb_parsed {
    char *from;    /* sanitized, one line, never NULL once parsed */
    char *subject; /* sanitized, one line, never NULL once parsed */
    bool has_date;
    int64_t date;
    int tz_offset_min;
    bool multipart_mixed;
};

/* Parses a header block (CRLF or LF lines, maybe cut at MB_HEADER_CAP). */
void mb_parsed_from_header(const char *header, size_t len, struct mb_parsed *out);
/* The row from a decoded headline (a header block's, or the cache's). */
void mb_parsed_from_headline(const struct mailbox_headline *hl, struct mb_parsed *out);
void mb_parsed_clear(struct mb_parsed *p);
/* The sanitized one-line form of any bytes, trimmed; a new string. */
char *mb_one_line(const char *text, size_t len);

/* --- requests and results ------------------------------------------------- */

enum mb_req_kind {
    MB_REQ_MARK,
    MB_REQ_UNMARK,
    MB_REQ_UNMARK_ALL,
    MB_REQ_FETCH,
    MB_REQ_PREVIEW,
    MB_REQ_PRIORITIZE,
    MB_REQ_QUIT,
    MB_REQ_RECONNECT,
    MB_REQ_KEEPALIVE,
    MB_REQ_RAW,
};

struct mb_request {
    struct mb_request *next;
    enum mb_req_kind kind;
    unsigned gen;                /* the session the UI saw when it asked */
    size_t index;                /* MARK, UNMARK, FETCH, PREVIEW */
    unsigned lines;              /* PREVIEW */
    uint64_t fetch_id;           /* FETCH, PREVIEW */
    bool commit;                 /* QUIT */
    unsigned idle_seconds;       /* KEEPALIVE */
    size_t first_row, row_count; /* PRIORITIZE */
    size_t *perm;                /* PRIORITIZE: row -> index, perm_n entries, or NULL (unchanged) */
    size_t perm_n;
    size_t *settle; /* MARK*: indices whose mark_pending this request set */
    size_t settle_n;
    char *line; /* RAW: as typed (may hold a password: wiped when freed) */
};

void mb_request_free(struct mb_request *r);

enum mb_res_kind {
    MB_RES_PHASE,      /* phase (+ error text for FAILED/CLOSED, or NULL) */
    MB_RES_POP3_STATE, /* pop3_state */
    MB_RES_SCAN,       /* a new session's listing: rows start over */
    MB_RES_SUMMARY,    /* index, parsed / failed */
    MB_RES_MARKS,      /* the marks as the server has them, settle list */
    MB_RES_NOTICE,     /* text */
    MB_RES_PROGRESS,   /* fetch_id, done */
    MB_RES_MESSAGE,    /* fetch_id, index, message or text (the error) */
    MB_RES_QUIT_REPLY, /* text */
    MB_RES_KEEPALIVE_DONE,
    MB_RES_RECONNECT_DONE,
    MB_RES_SERVER, /* server: a new snapshot of the server */
};

struct mb_result {
    struct mb_result *next;
    enum mb_res_kind kind;
    enum mailbox_phase phase;
    enum pop3_state pop3_state;
    char *text;
    /* SCAN */
    struct pop3_listing *list;
    size_t count;
    unsigned gen;
    /* SUMMARY */
    size_t index;
    struct mb_parsed parsed;
    bool failed;
    /* MARKS */
    bool *marked; /* count entries, for session gen */
    size_t *settle;
    size_t settle_n;
    unsigned settle_gen; /* the session the settled indices belong to */
    /* PROGRESS, MESSAGE */
    uint64_t fetch_id;
    uint64_t done;
    struct pv_spool *message;
    /* SERVER */
    struct mb_server_snap *server;
};

struct mb_result *mb_result_new(enum mb_res_kind kind);
void mb_result_free(struct mb_result *r);

/* One transcript line on its way to the model. */
struct mb_tline {
    enum mailbox_line_kind kind;
    int64_t when_ms;
    char *text;
    uint64_t data_lines, data_octets; /* as in struct mailbox_line */
};

/* --- the channel (channel.c): the only state both threads share ------------ */

struct mb_channel;

/* A channel with two references (UI and worker) and its eventfds; NULL
 * with err set when the eventfds cannot be made. */
struct mb_channel *mb_channel_new(struct pv_error *err);
/* Drops one reference; the last one frees everything left in the queues. */
void mb_channel_unref(struct mb_channel **ch);

int mb_channel_event_fd(const struct mb_channel *ch);

/* UI side. */
void mb_channel_request(struct mb_channel *ch, struct mb_request *req);
/* Takes every queued result (a list, oldest first) and every queued
 * transcript line; *dropped_out counts lines dropped since the last take
 * because the queue was full.  Resets the event fd. */
struct mb_result *mb_channel_take(struct mb_channel *ch, struct mb_tline **lines_out,
                                  size_t *nlines_out, uint64_t *dropped_out);
/* Asks the worker to stop and interrupts its network wait (shutdown(2) on
 * the session's socket). */
void mb_channel_stop(struct mb_channel *ch);
/* Waits up to timeout_ms for the worker to say it is done; true if it is. */
bool mb_channel_wait_exit(struct mb_channel *ch, int timeout_ms);
void mb_channel_set_latest_fetch(struct mb_channel *ch, uint64_t id);

/* Worker side. */
void mb_channel_post(struct mb_channel *ch, struct mb_result *res);
/* Replaces the pending PROGRESS result of the same fetch, or queues one. */
void mb_channel_post_progress(struct mb_channel *ch, uint64_t fetch_id, uint64_t done);
/* data_lines and data_octets as in struct mailbox_line. */
void mb_channel_line(struct mb_channel *ch, enum mailbox_line_kind kind, char *text,
                     uint64_t data_lines, uint64_t data_octets);
/* The oldest request, or NULL. */
struct mb_request *mb_channel_next_request(struct mb_channel *ch);
bool mb_channel_stopping(struct mb_channel *ch);
uint64_t mb_channel_latest_fetch(struct mb_channel *ch);
/* Registers the session's socket so mb_channel_stop can interrupt it: the
 * channel keeps its own dup() (so the number cannot be reused under it);
 * fd < 0 closes that dup.  Returns false when stopping was requested. */
bool mb_channel_set_socket(struct mb_channel *ch, int fd);
enum mb_wake { MB_WAKE_REQUEST, MB_WAKE_SOCKET, MB_WAKE_TIMEOUT };
/* Waits for a request or stop, or for watch_fd (>= 0) to become readable,
 * at most timeout_ms (< 0: no limit). */
enum mb_wake mb_channel_wait(struct mb_channel *ch, int watch_fd, int timeout_ms);
/* Tells the UI thread the worker is done (mb_channel_wait_exit). */
void mb_channel_worker_exited(struct mb_channel *ch);

/* --- transcript lines (transcript.c) ------------------------------------- */

/* Joins the trace hook's chunks into lines, keeps at most
 * MB_TRACE_DATA_PER_REPLY data lines of each reply (an INFO line says how
 * many more there were) and sends them to the channel. */
struct mb_tracer {
    struct mb_channel *ch;
    struct pv_buf line;    /* a DATA line being joined */
    bool cut;              /* line longer than MB_TRACE_LINE_MAX */
    unsigned data_lines;   /* of the current reply */
    uint64_t hidden_lines; /* of the current reply */
    uint64_t hidden_bytes;
    uint64_t line_octets; /* of the DATA line being joined, uncut, with CRLF */
    int64_t last_sent_ms; /* monotonic: when the last command went out */
    bool quit_sent;       /* a QUIT line was queued */
    pop3_trace_fn next;   /* the caller's own hook (--trace), or NULL */
    void *next_ctx;
};

void mb_tracer_init(struct mb_tracer *t, struct mb_channel *ch);
void mb_tracer_clear(struct mb_tracer *t);
/* The pop3_trace_fn (ctx is the tracer). */
void mb_tracer_hook(void *ctx, const struct pop3_trace *tr);
/* An INFO line of our own (printf-style). */
void mb_tracer_info(struct mb_tracer *t, const char *fmt, ...) PV_PRINTF(2, 3);

int64_t mb_now_ms(void); /* wall clock */
int64_t mb_monotonic_ms(void);

/* Maps the UIDLs of a listing to indices (a sorted copy of the pointers:
 * the listing must outlive the map).  In load.c. */
struct mb_uid_map;
struct mb_uid_map *mb_uid_map_new(const struct pop3_listing *list, size_t count);
/* Index of the message with this UIDL, or (size_t)-1 (also for NULL). */
size_t mb_uid_map_find(const struct mb_uid_map *m, const char *uid);
void mb_uid_map_free(struct mb_uid_map **m);

/* --- the worker (worker.c, load.c) ------------------------------------------ */

struct mb_worker;

/* Copies what it needs from cfg (the secret too). */
struct mb_worker *mb_worker_new(const struct mailbox_config *cfg, struct mb_channel *ch);
/* The thread function; frees the worker and drops its channel reference. */
void *mb_worker_main(void *worker);
/* Frees a worker whose thread never started (closes demo_fd). */
void mb_worker_free(struct mb_worker **w);

/* --- the server snapshot (server_info.c) ------------------------------------ */

/* struct mailbox_server_info with the strings it points to. */
struct mb_server_snap {
    struct mailbox_server_info pub;
    char *greeting;
    char **capa;
    char *auth_mech;
};

/* Taken from the session on the worker thread (logged_in: after login). */
struct mb_server_snap *mb_server_snap_take(const struct pop3_session *s, bool logged_in);
void mb_server_snap_free(struct mb_server_snap **snap);

/* --- commands typed by hand (raw.c) ----------------------------------------- */

enum { MB_RAW_ARGS_MAX = 4 };

/* A typed line split into its command and arguments: the pointers go into
 * buf, a copy of the line (wiped by mb_raw_clear). */
struct mb_raw {
    const struct pop3_cmd_info *info;
    const char *args[MB_RAW_ARGS_MAX];
    size_t nargs;
    char buf[POP3_MAX_COMMAND_LINE + 1];
};

/* Splits line: the first word names the command (any case), the rest are
 * arguments split at spaces, except PASS, whose one argument is the rest
 * of the line (RFC 1939 section 7).  Errors (false, err set): an empty
 * line, a line too long for POP3 (RFC 2449 section 4), a command popview
 * does not know, more arguments than any command takes. */
bool mb_raw_parse(const char *line, struct mb_raw *out, struct pv_error *err);
void mb_raw_clear(struct mb_raw *r);

/* --- the model's rows (mailbox.c), sorting and search (order.c) ----------- */

/* One message as the model keeps it: the public summary points into the
 * strings the row owns. */
/* A row of the model; its strings (pub.from, pub.subject, pub.uid) live
 * in the mailbox's string pool: senders interned (one copy however many
 * messages they wrote), subjects and UIDLs copied into its blocks. */
struct mb_row {
    struct mailbox_summary pub;
    unsigned pending; /* requests in flight that set mark_pending */
};

/* Fills row_index (count entries) with the stable order of rows for key:
 * ties keep server order; for date, from and subject the rows not loaded
 * yet come last, in either direction. */
void mb_order_sort(const struct mb_row *rows, size_t count, enum mailbox_sort key, bool reverse,
                   size_t *row_index);
/* Whether haystack contains needle, ASCII letters compared without case. */
bool mb_contains_ascii_nocase(const char *haystack, const char *needle);

#endif
