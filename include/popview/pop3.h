/*
 * pop3 — the protocol: a pure response parser (bytes in, events out, no
 * I/O), the command table and encoder, the engine that moves commands and
 * replies over a net_stream (send queue, pipelining, timeouts), and the
 * session state machine (AUTHORIZATION -> TRANSACTION -> UPDATE) on top.
 *
 * Glossary: a *reply* is everything the server says to one command: a
 * status line ("+OK ..." / "-ERR ...") and, for multi-line commands after
 * +OK, data lines ended by a line holding a single ".".  A *response code*
 * is the bracketed token after the status (RFC 2449 section 8, RFC 3206).
 */
#ifndef POPVIEW_POP3_H
#define POPVIEW_POP3_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <popview/util.h>

#include <popview/net.h>

/* ======================================================================
 * Response parser (src/pop3/reply_parser.c)
 * ====================================================================== */

/* What the next reply looks like; the caller knows from the command. */
enum pop3_reply_kind {
    POP3_REPLY_SINGLE, /* one status line */
    POP3_REPLY_MULTI,  /* status line; after +OK, data lines up to "." */
    POP3_REPLY_SASL,   /* status line, or a "+ <base64>" continuation (RFC 5034) */
};
/* A SASL exchange is one expectation: after a continuation it stays at the
 * head of the queue until +OK or -ERR, so the client's response lines
 * (POP3_CMD_SASL_RESPONSE) queue nothing. */

enum pop3_resp_code {
    POP3_CODE_NONE = 0,
    POP3_CODE_IN_USE,      /* [IN-USE]      RFC 2449 8.1.1 */
    POP3_CODE_LOGIN_DELAY, /* [LOGIN-DELAY] RFC 2449 8.1.2 */
    POP3_CODE_SYS_TEMP,    /* [SYS/TEMP]    RFC 3206 4 */
    POP3_CODE_SYS_PERM,    /* [SYS/PERM]    RFC 3206 4 */
    POP3_CODE_AUTH,        /* [AUTH]        RFC 3206 5 */
    POP3_CODE_UTF8,        /* [UTF8]        RFC 6856 */
    POP3_CODE_OTHER,       /* any other bracketed code; see code_text */
};

enum pop3_event_kind {
    POP3_EV_STATUS,   /* +OK / -ERR line */
    POP3_EV_CONTINUE, /* "+ ..." SASL continuation (only when SASL was expected) */
    POP3_EV_DATA,     /* bytes of one data line, dot-unstuffed, without the line end */
    POP3_EV_END,      /* the "." that ends a multi-line reply */
};

struct pop3_event {
    enum pop3_event_kind kind;
    bool ok;                  /* STATUS: +OK (true) or -ERR (false) */
    enum pop3_resp_code code; /* STATUS */
    const char *code_text;    /* STATUS: text inside the brackets, e.g. "SYS/TEMP" */
    size_t code_len;
    const char *text; /* STATUS: text after status and code; CONTINUE:
                         the payload; DATA: the bytes */
    size_t len;
    bool line_end;   /* DATA: true on the chunk that ends the line.  A
                        long line arrives as several chunks. */
    const char *raw; /* STATUS/CONTINUE: the whole line without CRLF */
    size_t raw_len;
};

/* Return false to stop parsing (feed then returns POP3_PARSE_ABORTED). */
typedef bool (*pop3_event_fn)(void *ctx, const struct pop3_event *ev);

enum pop3_parse_status {
    POP3_PARSE_OK,
    POP3_PARSE_ERROR,   /* protocol violation; err says what; the parser is dead */
    POP3_PARSE_ABORTED, /* the callback returned false */
};

struct pop3_parser;

enum { POP3_DEFAULT_MAX_STATUS_LINE = 8192 };

/* The parser holds at most this much of a data line: a longer line arrives
 * as several DATA chunks, none longer than this. */
enum { POP3_DATA_CHUNK_MAX = 4096 };

/* max_status_line caps status/continuation lines (data lines are streamed
 * in chunks and have no cap).  0 means the default. */
struct pop3_parser *pop3_parser_new(size_t max_status_line);
void pop3_parser_free(struct pop3_parser **p);

/* Queues the kind of the next expected reply (one call per command sent,
 * in order: pipelining puts several in the queue). */
void pop3_parser_expect(struct pop3_parser *p, enum pop3_reply_kind kind);
/* Replies still expected (queued and not yet completed). */
size_t pop3_parser_pending(const struct pop3_parser *p);
/* True between the first and the last byte of a reply. */
bool pop3_parser_in_reply(const struct pop3_parser *p);

/*
 * Feeds bytes.  Any split of the same input gives the same events.  Lines
 * end in CRLF; a bare LF is accepted as a line end too (the CR is then
 * absent, not an error).  When no reply is expected, parsing stops and
 * *consumed_out < len tells the caller that the server sent bytes nobody
 * asked for (an unsolicited line before a close, or an injection attack
 * after STLS); nothing of them is consumed.
 */
enum pop3_parse_status pop3_parser_feed(struct pop3_parser *p, const char *buf, size_t len,
                                        size_t *consumed_out, pop3_event_fn fn, void *ctx,
                                        struct pv_error *err);

/* "[IN-USE]" etc. -> enum; unknown -> POP3_CODE_OTHER. */
enum pop3_resp_code pop3_resp_code_from_text(const char *text, size_t len);

/* ======================================================================
 * Commands (src/pop3/commands.c): the table and the encoder
 * ====================================================================== */

enum pop3_state {
    POP3_STATE_DISCONNECTED,
    POP3_STATE_AUTHORIZATION,
    POP3_STATE_TRANSACTION,
    POP3_STATE_UPDATE,
};
const char *pop3_state_name(enum pop3_state st); /* "AUTHORIZATION" ... */

enum pop3_cmd {
    POP3_CMD_USER,
    POP3_CMD_PASS,
    POP3_CMD_APOP,
    POP3_CMD_AUTH,
    POP3_CMD_SASL_RESPONSE, /* a bare client line during AUTH (RFC 5034 4) */
    POP3_CMD_STLS,
    POP3_CMD_CAPA,
    POP3_CMD_UTF8,
    POP3_CMD_LANG,
    POP3_CMD_STAT,
    POP3_CMD_LIST,
    POP3_CMD_UIDL,
    POP3_CMD_TOP,
    POP3_CMD_RETR,
    POP3_CMD_DELE,
    POP3_CMD_RSET,
    POP3_CMD_NOOP,
    POP3_CMD_QUIT,
    POP3_CMD_COUNT_,
};

/* Bits of pop3_cmd_info.states */
enum {
    POP3_IN_AUTHORIZATION = 1u << POP3_STATE_AUTHORIZATION,
    POP3_IN_TRANSACTION = 1u << POP3_STATE_TRANSACTION,
};

/* How the arguments are masked for the transcript. */
enum pop3_secret {
    POP3_SECRET_NONE,
    POP3_SECRET_ALL_ARGS, /* PASS ****, SASL response line -> **** */
    POP3_SECRET_LAST_ARG, /* APOP user ****, AUTH MECH **** (initial response) */
};

struct pop3_cmd_info {
    enum pop3_cmd cmd;
    const char *name; /* wire name, "" for SASL_RESPONSE */
    unsigned states;  /* POP3_IN_* bits where RFC allows it */
    unsigned min_args, max_args;
    enum pop3_secret secret;
    /* Multi-line after +OK when called with this many arguments?  LIST and
     * UIDL are multi-line without an argument, single with one; LANG the
     * same; TOP, RETR, CAPA always. */
    bool multi_without_arg, multi_with_arg;
    const char *capability; /* CAPA tag that announces it, or NULL (core) */
    const char *rfc;        /* "RFC 1939 section 5" style, for explanations */
};

const struct pop3_cmd_info *pop3_cmd_info(enum pop3_cmd cmd);
/* Case-insensitive lookup by wire name; NULL if not a POP3 command we know. */
const struct pop3_cmd_info *pop3_cmd_lookup(const char *name);

enum pop3_reply_kind pop3_cmd_reply_kind(enum pop3_cmd cmd, size_t nargs);

/* RFC 2449 section 4: a command line is at most 255 octets with CRLF. */
enum { POP3_MAX_COMMAND_LINE = 255 };

/*
 * Encodes "NAME arg1 arg2\r\n" into line_out and the transcript form
 * (secrets replaced by "****", no CRLF) into masked_out.  Refuses CR, LF and
 * NUL in arguments, wrong argument counts, empty arguments, spaces inside
 * arguments (except PASS, whose argument may contain spaces, RFC 1939 7),
 * and lines over POP3_MAX_COMMAND_LINE (except SASL responses, which
 * RFC 5034 section 4 exempts).  Both buffers are reset first.
 * Returns false with err set on refusal.
 */
bool pop3_encode(enum pop3_cmd cmd, const char *const *args, size_t nargs, struct pv_buf *line_out,
                 struct pv_buf *masked_out, struct pv_error *err);

/* RFC 1939 section 7: a unique-id is 1 to 70 characters from 0x21 to 0x7E.
 * Whether [uid, uid+len) is one (false for NULL). */
enum { POP3_UIDL_MAX = 70 };
bool pop3_uidl_valid(const char *uid, size_t len);

/* ======================================================================
 * Transcript hook (reported by src/pop3/engine.c)
 * ====================================================================== */

enum pop3_trace_kind {
    POP3_TRACE_SENT,     /* a command line we sent (secrets already "****") */
    POP3_TRACE_STATUS,   /* a +OK / -ERR line */
    POP3_TRACE_CONTINUE, /* a "+ ..." SASL challenge */
    POP3_TRACE_DATA,     /* (a chunk of) one data line of a multi-line reply */
    POP3_TRACE_END,      /* the "." that ended a multi-line reply */
    POP3_TRACE_INFO,     /* what popview did on its own and why (TLS up, ...) */
};

struct pop3_trace {
    enum pop3_trace_kind kind;
    const char *text; /* without line end; may hold any byte: sanitize to show */
    size_t len;
    bool line_end; /* DATA: last chunk of the line */
};

/* Called for every line in both directions, in wire order.  Secrets are
 * masked before the hook sees them (from the command table, in one place). */
typedef void (*pop3_trace_fn)(void *ctx, const struct pop3_trace *t);

/* ======================================================================
 * Session (src/pop3/session.c, auth.c, capa.c, engine.c)
 * ====================================================================== */

enum pop3_status {
    POP3_OK = 0,
    POP3_ERR_NET,         /* connect, read, write, timeout, connection lost */
    POP3_ERR_TLS,         /* TLS failed or the certificate was rejected */
    POP3_ERR_PROTOCOL,    /* the server broke the protocol */
    POP3_ERR_SERVER,      /* the server answered -ERR (see err->server) */
    POP3_ERR_AUTH,        /* authentication was refused */
    POP3_ERR_STATE,       /* not allowed in the session's current state */
    POP3_ERR_UNSUPPORTED, /* the server lacks what this needs (STLS, a mechanism) */
    POP3_ERR_ABORTED,     /* a sink asked to stop */
    POP3_ERR_ARG,         /* an argument is invalid (message number 0, CR in a name) */
};

const char *pop3_status_name(enum pop3_status st);

/*
 * A sentence a person can act on for a response code, e.g. for IN-USE
 * "the mailbox is open in another client (or a previous session is still
 * being closed); close it and retry".  NULL for POP3_CODE_NONE/OTHER.
 */
const char *pop3_resp_code_advice(enum pop3_resp_code code);

enum pop3_tls_mode {
    POP3_TLS_IMPLICIT, /* pop3s://, port 995: TLS from the first byte */
    POP3_TLS_STLS,     /* pop3://, port 110: STLS required before credentials */
    POP3_TLS_NONE,     /* pop3:// with --no-tls: plain, STLS not attempted */
};

struct pop3_config {
    const char *host;
    const char *port;
    enum pop3_tls_mode tls;
    const char *cafile;     /* NULL: system trust store */
    bool insecure;          /* skip certificate verification */
    int timeout_ms;         /* 0: NET_DEFAULT_TIMEOUT_MS */
    size_t max_status_line; /* 0: default */
    pop3_trace_fn trace;
    void *trace_ctx;
};

struct pop3_session;

/*
 * Connects, reads the greeting, asks CAPA, and for POP3_TLS_STLS upgrades
 * with STLS and asks CAPA again.  On return the session is in
 * AUTHORIZATION state, ready for pop3_session_login().
 * Errors: POP3_ERR_NET, POP3_ERR_TLS, POP3_ERR_PROTOCOL, POP3_ERR_SERVER
 * (greeting was -ERR), POP3_ERR_UNSUPPORTED (STLS required but not offered
 * or refused: no credential has been sent).
 */
enum pop3_status pop3_session_connect(const struct pop3_config *cfg, struct pop3_session **out,
                                      struct pv_error *err);
/* The same over an already connected stream (socketpair, --demo); takes
 * ownership of stream.  cfg->host is still used for TLS name checks. */
enum pop3_status pop3_session_open_stream(const struct pop3_config *cfg, struct net_stream *stream,
                                          struct pop3_session **out, struct pv_error *err);
/* Closes without QUIT (nothing marked is deleted: RFC 1939 section 6) and frees. */
void pop3_session_free(struct pop3_session **s);

enum pop3_state pop3_session_state(const struct pop3_session *s);
/* The greeting's text (after "+OK "), and its APOP timestamp or NULL. */
const char *pop3_session_greeting(const struct pop3_session *s);
const char *pop3_session_apop_timestamp(const struct pop3_session *s);
/* TLS details, false on a plain connection. */
bool pop3_session_tls_info(const struct pop3_session *s, struct net_tls_info *info_out);

/* Capabilities (RFC 2449), as last announced: they are re-read after STLS
 * and after login, since servers may announce more once they know you. */
bool pop3_session_capa_known(const struct pop3_session *s); /* false: no CAPA */
size_t pop3_session_capa_count(const struct pop3_session *s);
const char *pop3_session_capa_line(const struct pop3_session *s, size_t i);
/* The arguments of a capability ("" when it has none), NULL when absent. */
const char *pop3_session_capa_get(const struct pop3_session *s, const char *tag);
bool pop3_session_has_capa(const struct pop3_session *s, const char *tag);

/* What the server turned out to support, learnt from CAPA or by trying. */
enum pop3_support { POP3_SUPPORT_UNKNOWN, POP3_SUPPORT_YES, POP3_SUPPORT_NO };
enum pop3_support pop3_session_supports_top(const struct pop3_session *s);
enum pop3_support pop3_session_supports_uidl(const struct pop3_session *s);
bool pop3_session_pipelining(const struct pop3_session *s);
bool pop3_session_utf8(const struct pop3_session *s); /* UTF8 mode is on */

enum pop3_auth_mech {
    POP3_AUTH_AUTO = 0,
    POP3_AUTH_USER,  /* USER/PASS, RFC 1939 7 */
    POP3_AUTH_APOP,  /* RFC 1939 7 */
    POP3_AUTH_PLAIN, /* RFC 5034 + RFC 4616 */
    POP3_AUTH_LOGIN,
    POP3_AUTH_XOAUTH2,
    POP3_AUTH_OAUTHBEARER, /* RFC 7628 */
};
const char *pop3_auth_mech_name(enum pop3_auth_mech m);
/* "PLAIN" -> POP3_AUTH_PLAIN (case-insensitive); false if unknown. */
bool pop3_auth_mech_parse(const char *name, enum pop3_auth_mech *mech_out);

struct pop3_credentials {
    const char *user;
    const char *secret; /* password, or the OAuth2 token for XOAUTH2/OAUTHBEARER */
    enum pop3_auth_mech mech;
};

/*
 * Authenticates (with mech, or the best the server offers: AUTH PLAIN, then
 * USER/PASS, then APOP, then AUTH LOGIN; over a plain connection APOP first),
 * enters TRANSACTION, asks CAPA again, and turns on UTF8 (RFC 6856) when
 * the server offers it (that happens before authentication, as the RFC
 * requires).  Every copy of the secret that popview made is wiped.
 * Errors: POP3_ERR_AUTH (err names the mechanism and the server's words;
 * a response code adds advice), POP3_ERR_UNSUPPORTED (the forced or any
 * usable mechanism is not offered), POP3_ERR_NET, POP3_ERR_PROTOCOL.
 */
enum pop3_status pop3_session_login(struct pop3_session *s, const struct pop3_credentials *cred,
                                    struct pv_error *err);
/* The mechanism that succeeded. */
enum pop3_auth_mech pop3_session_auth_mech(const struct pop3_session *s);

/* Languages (RFC 6856 section 3): list and choose.  Lines are "tag description". */
enum pop3_status pop3_session_lang_list(struct pop3_session *s, char ***lines_out,
                                        size_t *count_out, struct pv_error *err);
enum pop3_status pop3_session_lang_set(struct pop3_session *s, const char *tag,
                                       struct pv_error *err);

/* --- TRANSACTION commands (blocking, bounded by the timeout) --------------- */

enum pop3_status pop3_session_stat(struct pop3_session *s, unsigned *count_out,
                                   uint64_t *octets_out, struct pv_error *err);

struct pop3_listing {
    unsigned msgno;
    uint64_t size;
    char *uid; /* UIDL, NULL when unknown */
};

/* LIST (and UIDL when supported) for every message, in message-number order.
 * A LIST that contradicts STAT (more messages, numbers out of order or
 * repeated, a size that is not a number) is POP3_ERR_PROTOCOL with a
 * message.  UIDL problems do not stop the scan: a UIDL that is invalid
 * (RFC 1939: 1-70 printable characters), repeated, or names a message
 * LIST did not give leaves those messages' uid NULL, noted in the
 * transcript; a UIDL that fails altogether leaves every uid NULL. */
enum pop3_status pop3_session_scan(struct pop3_session *s, struct pop3_listing **list_out,
                                   size_t *count_out, struct pv_error *err);
void pop3_listing_free(struct pop3_listing **list, size_t count);

/* LIST n and UIDL n (single-line forms, RFC 1939 section 5 and 7): the
 * size, or the unique-id (a copy to free), of one message.
 * Errors: POP3_ERR_SERVER (no such message), POP3_ERR_PROTOCOL (the answer
 * is not "n size" / "n uid" for that n), POP3_ERR_STATE, POP3_ERR_NET. */
enum pop3_status pop3_session_list_one(struct pop3_session *s, unsigned msgno, uint64_t *size_out,
                                       struct pv_error *err);
enum pop3_status pop3_session_uidl_one(struct pop3_session *s, unsigned msgno, char **uid_out,
                                       struct pv_error *err);

/* A sink receives a message's bytes line by line (dot-unstuffed, without
 * line ends; a long line in several chunks, line_end on its last).  Return
 * false to abort (the rest of the reply is still read and discarded). */
typedef bool (*pop3_sink_fn)(void *ctx, const char *data, size_t len, bool line_end);

enum pop3_status pop3_session_top(struct pop3_session *s, unsigned msgno, unsigned lines,
                                  pop3_sink_fn sink, void *ctx, struct pv_error *err);
enum pop3_status pop3_session_retr(struct pop3_session *s, unsigned msgno, pop3_sink_fn sink,
                                   void *ctx, struct pv_error *err);

/*
 * TOP n lines for each message in msgnos, pipelined when the server offers
 * PIPELINING (all commands flow while replies are read in one poll loop),
 * one at a time otherwise.  begin(ctx, msgno) precedes each message's data;
 * done(ctx, msgno, ok, server_text) follows it.  Without TOP support
 * (learnt by trying), returns POP3_ERR_UNSUPPORTED before calling anything.
 */
struct pop3_batch_handler {
    void (*begin)(void *ctx, unsigned msgno);
    pop3_sink_fn data;
    void (*done)(void *ctx, unsigned msgno, bool ok, const char *server_text);
    void *ctx;
};
enum pop3_status pop3_session_top_batch(struct pop3_session *s, const unsigned *msgnos,
                                        size_t count, unsigned lines,
                                        const struct pop3_batch_handler *h, struct pv_error *err);
/* The same with RETR (the fallback when the server has no TOP). */
enum pop3_status pop3_session_retr_batch(struct pop3_session *s, const unsigned *msgnos,
                                         size_t count, const struct pop3_batch_handler *h,
                                         struct pv_error *err);

enum pop3_status pop3_session_dele(struct pop3_session *s, unsigned msgno, struct pv_error *err);
enum pop3_status pop3_session_rset(struct pop3_session *s, struct pv_error *err);
enum pop3_status pop3_session_noop(struct pop3_session *s, struct pv_error *err);
/*
 * QUIT.  From TRANSACTION this enters UPDATE: the server deletes the
 * messages marked with DELE (RFC 1939 section 6); *server_text_out (may be
 * NULL) receives the server's words (a copy to free).  From AUTHORIZATION
 * it just ends the session.  The connection is closed either way.
 * Errors: POP3_ERR_SERVER (-ERR: some deletions may have failed — the
 * server's text says which), POP3_ERR_NET (the answer was lost: whether the
 * deletions happened is unknown, and err says so).
 */
enum pop3_status pop3_session_quit(struct pop3_session *s, char **server_text_out,
                                   struct pv_error *err);

/*
 * One command as a person typed it (the teaching console), with its whole
 * reply read: the data lines of a multi-line reply go to sink (NULL: read
 * and dropped), and every line reaches the trace hook as usual, secrets
 * masked.  The command table's states are checked first, as for every
 * other call, unless force is true: then the command goes out where
 * RFC 1939 does not allow it, so a learner sees the server's own -ERR.
 * STLS, AUTH, a SASL response and QUIT are refused either way: each needs
 * more than one reply to follow (a TLS handshake, a SASL exchange, the
 * end of the session), which the session's own calls do.  A +OK to PASS
 * or APOP in the AUTHORIZATION state enters TRANSACTION (RFC 1939
 * section 7), and a +OK to UTF8 turns UTF8 mode on (RFC 6856 section 2).
 * Errors: POP3_ERR_STATE (not allowed now and not forced, or not
 * connected), POP3_ERR_UNSUPPORTED (STLS, AUTH, SASL response, QUIT),
 * POP3_ERR_ARG (pop3_encode refused the arguments), POP3_ERR_SERVER (-ERR;
 * err->server holds the words), POP3_ERR_ABORTED (the sink stopped),
 * POP3_ERR_NET, POP3_ERR_PROTOCOL.
 */
enum pop3_status pop3_session_raw(struct pop3_session *s, enum pop3_cmd cmd,
                                  const char *const *args, size_t nargs, bool force,
                                  pop3_sink_fn sink, void *ctx, struct pv_error *err);

#endif
