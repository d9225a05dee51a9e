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
    const char *text;         /* STATUS: text after status and code; CONTINUE:
                                 the payload; DATA: the bytes */
    size_t len;
    bool line_end;            /* DATA: true on the chunk that ends the line.  A
                                 long line arrives as several chunks. */
    const char *raw;          /* STATUS/CONTINUE: the whole line without CRLF */
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
    POP3_SECRET_ALL_ARGS,  /* PASS ****, SASL response line -> **** */
    POP3_SECRET_LAST_ARG,  /* APOP user ****, AUTH MECH **** (initial response) */
};

struct pop3_cmd_info {
    enum pop3_cmd cmd;
    const char *name;         /* wire name, "" for SASL_RESPONSE */
    unsigned states;          /* POP3_IN_* bits where RFC allows it */
    unsigned min_args, max_args;
    enum pop3_secret secret;
    /* Multi-line after +OK when called with this many arguments?  LIST and
     * UIDL are multi-line without an argument, single with one; LANG the
     * same; TOP, RETR, CAPA always. */
    bool multi_without_arg, multi_with_arg;
    const char *capability;   /* CAPA tag that announces it, or NULL (core) */
    const char *rfc;          /* "RFC 1939 section 5" style, for explanations */
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
bool pop3_encode(enum pop3_cmd cmd, const char *const *args, size_t nargs,
                 struct pv_buf *line_out, struct pv_buf *masked_out, struct pv_error *err);

#endif
