/*
 * Internals of the pop3 layer shared by engine.c, session.c, auth.c and
 * capa.c.  Glossary: the *engine* moves command lines out and reply events
 * in over one net_stream (curl's pingpong); a *pending* command is one that
 * was queued and whose reply has not completed yet; the *head* is the
 * oldest pending command, the one the next reply event belongs to.
 */
#ifndef POPVIEW_POP3_PRIVATE_H
#define POPVIEW_POP3_PRIVATE_H

#include <popview/util.h>

#include <popview/net.h>

#include <popview/pop3.h>

struct pop3_engine;

/*
 * What the caller of a command wants to hear about its reply.  on_event gets
 * every parser event of the reply (STATUS, CONTINUE, DATA, END) and returns
 * false to stop caring (the rest of the reply is read and dropped).
 * on_done runs once when the reply is complete: ok is the status, ev the
 * status event (NULL when the engine broke before the reply arrived).
 */
struct pop3_reply_handler {
    bool (*on_event)(void *ctx, struct pop3_engine *eng, const struct pop3_event *ev);
    void (*on_done)(void *ctx, struct pop3_engine *eng, bool ok, const char *server_text,
                    enum pop3_resp_code code);
    void *ctx;
};

struct pop3_engine *pop3_engine_new(struct net_stream *stream, size_t max_status_line,
                                    pop3_trace_fn trace, void *trace_ctx);
void pop3_engine_free(struct pop3_engine **eng);

struct net_stream *pop3_engine_stream(struct pop3_engine *eng);
void pop3_engine_set_pipelining(struct pop3_engine *eng, bool on);

/* Expects the greeting (a single-line reply with no command). */
void pop3_engine_expect_greeting(struct pop3_engine *eng, const struct pop3_reply_handler *h);

/*
 * Encodes and queues a command.  Without pipelining it goes out when every
 * earlier reply is complete; with pipelining at once.  Returns POP3_ERR_ARG
 * (err says why) if the command cannot be encoded, or the engine's stored
 * error if it is broken.
 */
enum pop3_status pop3_engine_queue(struct pop3_engine *eng, enum pop3_cmd cmd,
                                   const char *const *args, size_t nargs,
                                   const struct pop3_reply_handler *h, struct pv_error *err);

/* Caps the data of the reply to the command queued last, in octets (0: no
 * cap); past it the engine fails with a protocol error.  The engine caps
 * CAPA, LANG, LIST, UIDL and TOP n 0 by itself; this is for a reply whose
 * sane size only the session knows (RETR, from LIST). */
void pop3_engine_cap_last(struct pop3_engine *eng, uint64_t max_octets);

/* Sends one SASL client response line (RFC 5034 section 4) for the AUTH
 * exchange at the head; masked in the transcript. */
enum pop3_status pop3_engine_sasl_respond(struct pop3_engine *eng, const char *line,
                                          struct pv_error *err);

/* Replies still awaited. */
size_t pop3_engine_pending(const struct pop3_engine *eng);

/*
 * One step of I/O: writes what the socket takes, waits up to timeout_ms for
 * the socket, reads what arrived and dispatches the events.  timeout_ms 0
 * polls.  Sets *progress_out (may be NULL) when any byte moved.
 */
enum pop3_status pop3_engine_pump(struct pop3_engine *eng, int timeout_ms, bool *progress_out,
                                  struct pv_error *err);

/* Pumps until no reply is awaited; fails when the server is silent for the
 * stream's timeout. */
enum pop3_status pop3_engine_drain(struct pop3_engine *eng, struct pv_error *err);

/* Declares that once the replies awaited now are complete the server must
 * be silent (STLS, RFC 2595 section 4): any further byte fails the engine
 * as an injection attempt. */
void pop3_engine_expect_quiet(struct pop3_engine *eng);

/*
 * After a reply that must be the last thing the server says before a TLS
 * handshake: fails (POP3_ERR_PROTOCOL) if any byte beyond it was received.
 */
enum pop3_status pop3_engine_check_quiet(struct pop3_engine *eng, struct pv_error *err);

/* The engine stopped for good (connection lost, protocol violation)? */
bool pop3_engine_broken(const struct pop3_engine *eng);
/* POP3_OK, or the stored error of a broken engine (err filled). */
enum pop3_status pop3_engine_status(const struct pop3_engine *eng, struct pv_error *err);
/* Marks the engine broken with a status/message (e.g. a sink failure). */
void pop3_engine_fail(struct pop3_engine *eng, enum pop3_status st, const struct pv_error *err);

/* Reports an INFO line to the transcript (printf-style). */
void pop3_engine_info(struct pop3_engine *eng, const char *fmt, ...) PV_PRINTF(2, 3);

/* Base64 for SASL, via GnuTLS (the pop3 layer sits below mail). */
char *pop3_base64_encode(const void *data, size_t len);
bool pop3_base64_decode(const char *text, size_t len, struct pv_buf *out);

/* --- capabilities (capa.c) --- */

struct pop3_capa {
    bool known;   /* CAPA answered +OK */
    char **lines; /* as sent, sanitized of nothing: callers sanitize to show */
    size_t count;
};

void pop3_capa_clear(struct pop3_capa *c);
/* Adds one CAPA data line (capped, see capa.c). */
void pop3_capa_add_line(struct pop3_capa *c, const char *line, size_t len);
/* Arguments of tag ("" if none), NULL if absent.  Case-insensitive tag. */
const char *pop3_capa_find(const struct pop3_capa *c, const char *tag);
/* Whether the space-separated argument list of tag holds word. */
bool pop3_capa_has_word(const struct pop3_capa *c, const char *tag, const char *word);

#endif
