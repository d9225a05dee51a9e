/*
 * The engine: one owner for the send queue, partial writes, reading, the
 * reply parser and the order of replies (curl's pingpong.c plays this part).
 * session.c only says "send STAT" and hears "reply arrived".
 *
 * Pipelining (RFC 2449 section 6.6): with it, every queued command goes into
 * the output buffer at once and the loop writes what the socket accepts
 * while it reads replies, so neither side's buffers can deadlock; without
 * it, the next command waits until the previous reply is complete.
 *
 * Once broken (connection lost, protocol violation) the engine stays broken
 * and every later call returns the stored error: a POP3 session cannot be
 * resynchronised, and guessing would risk acting on the wrong message.
 */
#include <errno.h>
#include <gnutls/gnutls.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <popview/util.h>

#include <popview/net.h>

#include <popview/pop3.h>

#include <popview/i18n.h>

#include "private.h"

enum { ENGINE_READ_CHUNK = 16384, ENGINE_MAX_UNSOLICITED = 1024 };

/*
 * A multi-line reply ends only when the server sends its final ".", so a
 * broken or hostile server could stream one forever and popview would read
 * it forever.  These caps on a reply's data end it with a protocol error
 * instead; each is far above what a real reply needs.  RETR gets its cap
 * from the session (pop3_engine_cap_last), which knows the message's size
 * from LIST; TOP with body lines has none.
 */
enum {
    REPLY_CAP_SMALL = 1 << 20,   /* CAPA, LANG: a few dozen short lines */
    REPLY_CAP_LIST = 32 << 20,   /* LIST: ~15 bytes a message, 2 million messages */
    REPLY_CAP_UIDL = 128 << 20,  /* UIDL: up to 82 bytes a message */
    REPLY_CAP_HEADER = 16 << 20, /* TOP n 0: one header block */
};

struct pending {
    enum pop3_cmd cmd;
    char *line; /* encoded line, until it is moved to the output buffer */
    size_t line_len;
    bool secret; /* line holds a secret: wipe every copy */
    enum pop3_reply_kind kind;
    struct pop3_reply_handler h;
    bool listening;     /* on_event still wants events */
    uint64_t data_len;  /* data received so far, line ends counted as CRLF */
    uint64_t data_cap;  /* 0: no cap */
    char first_arg[16]; /* for the message when the cap is reached */
};

struct pop3_engine {
    struct net_stream *stream;
    struct pop3_parser *parser;
    pop3_trace_fn trace;
    void *trace_ctx;
    bool pipelining;

    struct pv_buf out;   /* bytes handed to the socket in order */
    size_t out_attempt;  /* TLS: size of the write that returned WOULD_BLOCK */
    bool out_had_secret; /* wipe the buffer's spare room after writing */

    struct pending *q; /* ring of pending commands */
    size_t q_head, q_len, q_alloc;
    size_t q_released; /* how many from the head were put on the wire */

    struct pv_buf in; /* bytes read but not consumed by the parser */

    bool quiet_next; /* STLS: after the replies now awaited, silence */

    bool broken;
    enum pop3_status broken_status;
    struct pv_error broken_err;
};

static struct pending *q_at(struct pop3_engine *e, size_t i)
{
    return &e->q[(e->q_head + i) % e->q_alloc];
}

static void q_grow(struct pop3_engine *e)
{
    size_t n = e->q_alloc ? e->q_alloc * 2 : 16;
    struct pending *q = pv_xcalloc(n, sizeof *q);
    for (size_t i = 0; i < e->q_len; i++)
        q[i] = *q_at(e, i);
    free(e->q);
    e->q = q;
    e->q_head = 0;
    e->q_alloc = n;
}

static void pending_release_line(struct pending *p)
{
    if (p->line && p->secret)
        pv_wipe(p->line, p->line_len);
    free(p->line);
    p->line = NULL;
}

static void trace_emit(struct pop3_engine *e, enum pop3_trace_kind kind, const char *text,
                       size_t len, bool line_end)
{
    if (!e->trace)
        return;
    struct pop3_trace t = {.kind = kind, .text = text, .len = len, .line_end = line_end};
    e->trace(e->trace_ctx, &t);
}

void pop3_engine_info(struct pop3_engine *e, const char *fmt, ...)
{
    if (!e->trace)
        return;
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    size_t len = (size_t)n < sizeof line ? (size_t)n : sizeof line - 1;
    trace_emit(e, POP3_TRACE_INFO, line, len, true);
}

struct pop3_engine *pop3_engine_new(struct net_stream *stream, size_t max_status_line,
                                    pop3_trace_fn trace, void *trace_ctx)
{
    struct pop3_engine *e = pv_xcalloc(1, sizeof *e);
    e->stream = stream;
    e->parser = pop3_parser_new(max_status_line);
    e->trace = trace;
    e->trace_ctx = trace_ctx;
    pv_buf_init(&e->out, 0);
    pv_buf_init(&e->in, 0);
    pv_error_clear(&e->broken_err);
    return e;
}

void pop3_engine_free(struct pop3_engine **engp)
{
    if (!engp || !*engp)
        return;
    struct pop3_engine *e = *engp;
    for (size_t i = 0; i < e->q_len; i++)
        pending_release_line(q_at(e, i));
    free(e->q);
    pv_buf_free_secret(&e->out);
    pv_buf_free(&e->in);
    pop3_parser_free(&e->parser);
    net_stream_free(&e->stream);
    free(e);
    *engp = NULL;
}

struct net_stream *pop3_engine_stream(struct pop3_engine *e)
{
    return e->stream;
}

void pop3_engine_set_pipelining(struct pop3_engine *e, bool on)
{
    e->pipelining = on;
}

size_t pop3_engine_pending(const struct pop3_engine *e)
{
    return e->q_len;
}

bool pop3_engine_broken(const struct pop3_engine *e)
{
    return e->broken;
}

static enum pop3_status engine_error(const struct pop3_engine *e, struct pv_error *err)
{
    if (err)
        *err = e->broken_err;
    return e->broken_status;
}

enum pop3_status pop3_engine_status(const struct pop3_engine *e, struct pv_error *err)
{
    return e->broken ? engine_error(e, err) : POP3_OK;
}

/* Tells every pending command that its reply will never come, oldest first. */
static void engine_abandon_pending(struct pop3_engine *e)
{
    while (e->q_len) {
        struct pending p = *q_at(e, 0);
        e->q_head = (e->q_head + 1) % e->q_alloc;
        e->q_len--;
        if (e->q_released)
            e->q_released--;
        pending_release_line(&p);
        if (p.h.on_done)
            p.h.on_done(p.h.ctx, e, false, NULL, POP3_CODE_NONE);
    }
}

void pop3_engine_fail(struct pop3_engine *e, enum pop3_status st, const struct pv_error *err)
{
    if (e->broken)
        return;
    e->broken = true;
    e->broken_status = st;
    if (err)
        e->broken_err = *err;
    trace_emit(e, POP3_TRACE_INFO, e->broken_err.msg, strlen(e->broken_err.msg), true);
    engine_abandon_pending(e);
}

static enum pop3_status engine_fail_msg(struct pop3_engine *e, enum pop3_status st,
                                        struct pv_error *err, const char *fmt, ...) PV_PRINTF(4, 5);

static enum pop3_status engine_fail_msg(struct pop3_engine *e, enum pop3_status st,
                                        struct pv_error *err, const char *fmt, ...)
{
    struct pv_error tmp;
    pv_error_clear(&tmp);
    va_list ap;
    va_start(ap, fmt);
    pv_error_vset(&tmp, fmt, ap);
    va_end(ap);
    pop3_engine_fail(e, st, &tmp);
    return engine_error(e, err);
}

/* Moves queued lines to the output buffer as far as pipelining allows. */
static void engine_release(struct pop3_engine *e)
{
    while (e->q_released < e->q_len) {
        if (!e->pipelining && e->q_released > 0)
            return;
        struct pending *p = q_at(e, e->q_released);
        if (!pv_buf_append(&e->out, p->line, p->line_len))
            abort(); /* the output buffer has no cap: cannot happen */
        if (p->secret)
            e->out_had_secret = true;
        pending_release_line(p);
        pop3_parser_expect(e->parser, p->kind);
        e->q_released++;
    }
}

static void engine_push(struct pop3_engine *e, const struct pending *p)
{
    if (e->q_len == e->q_alloc)
        q_grow(e);
    *q_at(e, e->q_len) = *p;
    e->q_len++;
}

void pop3_engine_expect_greeting(struct pop3_engine *e, const struct pop3_reply_handler *h)
{
    struct pending p = {
        .cmd = POP3_CMD_COUNT_,
        .line = pv_xstrdup(""),
        .line_len = 0,
        .kind = POP3_REPLY_SINGLE,
        .h = *h,
        .listening = true,
    };
    engine_push(e, &p);
    engine_release(e);
}

/* The cap on the data of cmd's multi-line reply, 0 for none. */
static uint64_t reply_data_cap(enum pop3_cmd cmd, const char *const *args, size_t nargs)
{
    switch (cmd) {
    case POP3_CMD_CAPA:
    case POP3_CMD_LANG:
        return REPLY_CAP_SMALL;
    case POP3_CMD_LIST:
        return REPLY_CAP_LIST;
    case POP3_CMD_UIDL:
        return REPLY_CAP_UIDL;
    case POP3_CMD_TOP:
        return nargs == 2 && strcmp(args[1], "0") == 0 ? REPLY_CAP_HEADER : 0;
    default:
        return 0;
    }
}

enum pop3_status pop3_engine_queue(struct pop3_engine *e, enum pop3_cmd cmd,
                                   const char *const *args, size_t nargs,
                                   const struct pop3_reply_handler *h, struct pv_error *err)
{
    if (e->broken)
        return engine_error(e, err);
    struct pv_buf line, masked;
    pv_buf_init(&line, 0);
    pv_buf_init(&masked, 0);
    if (!pop3_encode(cmd, args, nargs, &line, &masked, err)) {
        pv_buf_free_secret(&line);
        pv_buf_free(&masked);
        return POP3_ERR_ARG;
    }
    trace_emit(e, POP3_TRACE_SENT, masked.data, masked.len, true);
    pv_buf_free(&masked);

    struct pending p = {
        .cmd = cmd,
        .secret = pop3_cmd_info(cmd)->secret != POP3_SECRET_NONE,
        .kind = pop3_cmd_reply_kind(cmd, nargs),
        .h = *h,
        .listening = true,
        .data_cap = reply_data_cap(cmd, args, nargs),
    };
    if (nargs)
        snprintf(p.first_arg, sizeof p.first_arg, "%s", args[0]);
    p.line = pv_buf_steal(&line, &p.line_len);
    engine_push(e, &p);
    engine_release(e);
    return POP3_OK;
}

void pop3_engine_cap_last(struct pop3_engine *e, uint64_t max_octets)
{
    if (e->q_len)
        q_at(e, e->q_len - 1)->data_cap = max_octets;
}

enum pop3_status pop3_engine_sasl_respond(struct pop3_engine *e, const char *text,
                                          struct pv_error *err)
{
    if (e->broken)
        return engine_error(e, err);
    struct pv_buf line, masked;
    pv_buf_init(&line, 0);
    pv_buf_init(&masked, 0);
    const char *args[] = {text};
    if (!pop3_encode(POP3_CMD_SASL_RESPONSE, args, 1, &line, &masked, err)) {
        pv_buf_free_secret(&line);
        pv_buf_free(&masked);
        return POP3_ERR_ARG;
    }
    trace_emit(e, POP3_TRACE_SENT, masked.data, masked.len, true);
    pv_buf_free(&masked);
    /* The AUTH exchange at the head owns this line; it expects no new reply. */
    bool ok = pv_buf_append(&e->out, line.data, line.len);
    (void)ok;
    e->out_had_secret = true;
    pv_buf_free_secret(&line);
    return POP3_OK;
}

/* --- reading ------------------------------------------------------------ */

static void engine_complete_head(struct pop3_engine *e, bool ok, const struct pop3_event *status)
{
    struct pending p = *q_at(e, 0);
    e->q_head = (e->q_head + 1) % e->q_alloc;
    e->q_len--;
    e->q_released--;
    pending_release_line(&p);
    engine_release(e); /* without pipelining, the next command may go now */
    if (p.h.on_done) {
        char text[PV_ERROR_SERVER_MAX];
        size_t n = 0;
        if (status) {
            /* The server's words: the line after "+OK "/"-ERR ", code included. */
            const char *t = status->raw;
            size_t len = status->raw_len;
            size_t skip = len >= 4 && t[0] == '-' ? 4 : (len >= 3 ? 3 : len);
            t += skip;
            len -= skip;
            if (len && *t == ' ')
                t++, len--;
            n = len < sizeof text - 1 ? len : sizeof text - 1;
            memcpy(text, t, n);
        }
        text[n] = '\0';
        p.h.on_done(p.h.ctx, e, ok, text, status ? status->code : POP3_CODE_NONE);
    }
}

/* The head's reply passed its cap: the session cannot go on. */
static bool engine_reply_too_long(struct pop3_engine *e, const struct pending *head)
{
    const char *name = pop3_cmd_info(head->cmd)->name;
    unsigned mib = (unsigned)(head->data_cap >> 20);
    if (head->cmd == POP3_CMD_TOP || head->cmd == POP3_CMD_RETR)
        engine_fail_msg(e, POP3_ERR_PROTOCOL, NULL,
                        _("the server's %s reply for message %s exceeds %u MiB without its final "
                          "\".\" (%s); popview stopped reading it"),
                        name, head->first_arg, mib,
                        head->cmd == POP3_CMD_TOP ? _("a message header is never that large")
                                                  : _("far more than the size LIST gave"));
    else
        engine_fail_msg(e, POP3_ERR_PROTOCOL, NULL,
                        _("the server's %s reply exceeds %u MiB without its final \".\"; popview "
                          "stopped reading it"),
                        name, mib);
    return false;
}

static bool engine_on_event(void *ctx, const struct pop3_event *ev)
{
    struct pop3_engine *e = ctx;
    if (e->q_len == 0 || e->q_released == 0)
        return false; /* cannot happen: the parser only runs on expectations */
    struct pending *head = q_at(e, 0);

    switch (ev->kind) {
    case POP3_EV_STATUS:
        trace_emit(e, POP3_TRACE_STATUS, ev->raw, ev->raw_len, true);
        break;
    case POP3_EV_CONTINUE:
        trace_emit(e, POP3_TRACE_CONTINUE, ev->raw, ev->raw_len, true);
        break;
    case POP3_EV_DATA:
        trace_emit(e, POP3_TRACE_DATA, ev->text, ev->len, ev->line_end);
        head->data_len += ev->len + (ev->line_end ? 2 : 0);
        if (head->data_cap && head->data_len > head->data_cap)
            return engine_reply_too_long(e, head);
        break;
    case POP3_EV_END:
        trace_emit(e, POP3_TRACE_END, ".", 1, true);
        break;
    }

    if (head->listening && head->h.on_event && !head->h.on_event(head->h.ctx, e, ev))
        head->listening = false;
    if (e->broken)
        return false;

    bool complete = false;
    if (ev->kind == POP3_EV_STATUS)
        complete = !ev->ok || head->kind != POP3_REPLY_MULTI;
    else if (ev->kind == POP3_EV_END)
        complete = true;
    if (!complete)
        return true;
    /* A multi-line reply is complete at its END; report the status then as
     * +OK (a -ERR never has data). */
    if (ev->kind == POP3_EV_END)
        engine_complete_head(e, true, NULL);
    else
        engine_complete_head(e, ev->ok, ev);
    return !e->broken;
}

static enum pop3_status engine_injection(struct pop3_engine *e, struct pv_error *err)
{
    return engine_fail_msg(e, POP3_ERR_PROTOCOL, err,
                           _("the server sent %zu unexpected bytes right after agreeing to start "
                             "TLS; this is how command-injection attacks work, so popview stops "
                             "here (no credentials were sent)"),
                           e->in.len);
}

void pop3_engine_expect_quiet(struct pop3_engine *e)
{
    e->quiet_next = true;
}

/* Bytes arrived while no reply was expected. */
static enum pop3_status engine_unsolicited(struct pop3_engine *e, bool closed, struct pv_error *err)
{
    if (e->quiet_next)
        return engine_injection(e, err);
    const char *nl = memchr(e->in.data, '\n', e->in.len);
    if (!nl && !closed && e->in.len < ENGINE_MAX_UNSOLICITED)
        return POP3_OK; /* wait for the whole line before judging it */
    size_t n = nl ? (size_t)(nl - e->in.data) : e->in.len;
    if (n && e->in.data[n - 1] == '\r')
        n--;
    struct pv_error tmp;
    pv_error_clear(&tmp);
    pv_error_set_server(&tmp, e->in.data, n > 200 ? 200 : n);
    trace_emit(e, POP3_TRACE_STATUS, e->in.data, n, true);
    if (n >= 4 && memcmp(e->in.data, "-ERR", 4) == 0)
        pv_error_set(&tmp, _("the server ended the session on its own (often an idle timeout): %s"),
                     tmp.server);
    else
        pv_error_set(&tmp, _("the server sent a line that no command asked for: \"%s\""),
                     tmp.server);
    pop3_engine_fail(
        e, n >= 4 && memcmp(e->in.data, "-ERR", 4) == 0 ? POP3_ERR_NET : POP3_ERR_PROTOCOL, &tmp);
    return engine_error(e, err);
}

static enum pop3_status engine_parse_input(struct pop3_engine *e, struct pv_error *err)
{
    while (e->in.len > 0 && !e->broken) {
        if (pop3_parser_pending(e->parser) == 0)
            return engine_unsolicited(e, false, err);
        size_t used = 0;
        struct pv_error perr;
        pv_error_clear(&perr);
        enum pop3_parse_status ps =
            pop3_parser_feed(e->parser, e->in.data, e->in.len, &used, engine_on_event, e, &perr);
        pv_buf_consume(&e->in, used);
        if (e->broken)
            return engine_error(e, err);
        if (ps == POP3_PARSE_ERROR) {
            pop3_engine_fail(e, POP3_ERR_PROTOCOL, &perr);
            return engine_error(e, err);
        }
        if (used == 0)
            break;
    }
    return POP3_OK;
}

static enum pop3_status engine_read(struct pop3_engine *e, bool *progress, struct pv_error *err)
{
    char buf[ENGINE_READ_CHUNK];
    for (int rounds = 0; rounds < 64; rounds++) {
        size_t n = 0;
        struct pv_error nerr;
        pv_error_clear(&nerr);
        enum net_status st = net_stream_read_some(e->stream, buf, sizeof buf, &n, &nerr);
        if (st == NET_WOULD_BLOCK)
            return POP3_OK;
        if (st == NET_CLOSED) {
            if (e->in.len && pop3_parser_pending(e->parser) == 0)
                return engine_unsolicited(e, true, err);
            if (e->q_len == 0) {
                /* Nothing was awaited (after QUIT, or while idle): not this
                 * call's failure, but the session is over. */
                struct pv_error closed;
                pv_error_clear(&closed);
                pv_error_set(&closed, _("the server closed the connection"));
                pop3_engine_fail(e, POP3_ERR_NET, &closed);
                return POP3_OK;
            }
            return engine_fail_msg(e, POP3_ERR_NET, err, _("the server closed the connection %s"),
                                   pop3_parser_in_reply(e->parser) ? _("in the middle of a reply")
                                                                   : _("before it answered"));
        }
        if (st != NET_OK) {
            pop3_engine_fail(e, st == NET_ERR_TLS ? POP3_ERR_TLS : POP3_ERR_NET, &nerr);
            return engine_error(e, err);
        }
        *progress = true;
        if (!pv_buf_append(&e->in, buf, n))
            abort(); /* no cap on this buffer: the parser bounds what stays */
        enum pop3_status ps = engine_parse_input(e, err);
        if (ps != POP3_OK)
            return ps;
        /* Unconsumed bytes stay only while a line is incomplete or unsolicited. */
    }
    return POP3_OK;
}

static enum pop3_status engine_write(struct pop3_engine *e, bool *progress, struct pv_error *err)
{
    while (e->out.len > 0) {
        /* GnuTLS wants a write that would block repeated with the same data. */
        size_t len = e->out_attempt ? e->out_attempt : e->out.len;
        if (len > 65536 && !e->out_attempt)
            len = 65536;
        size_t n = 0;
        struct pv_error nerr;
        pv_error_clear(&nerr);
        enum net_status st = net_stream_write_some(e->stream, e->out.data, len, &n, &nerr);
        if (st == NET_WOULD_BLOCK) {
            e->out_attempt = len;
            return POP3_OK;
        }
        e->out_attempt = 0;
        if (st != NET_OK) {
            pop3_engine_fail(e, st == NET_ERR_TLS ? POP3_ERR_TLS : POP3_ERR_NET, &nerr);
            return engine_error(e, err);
        }
        *progress = true;
        pv_buf_consume(&e->out, n);
        if (e->out_had_secret) {
            /* pv_buf_consume moves bytes down; wipe what it left behind. */
            pv_wipe(e->out.data + e->out.len, e->out.alloc - e->out.len);
            if (e->out.len == 0)
                e->out_had_secret = false;
        }
    }
    return POP3_OK;
}

enum pop3_status pop3_engine_pump(struct pop3_engine *e, int timeout_ms, bool *progress_out,
                                  struct pv_error *err)
{
    bool progress = false;
    if (progress_out)
        *progress_out = false;
    if (e->broken)
        return engine_error(e, err);

    enum pop3_status st = engine_write(e, &progress, err);
    if (st != POP3_OK)
        return st;

    bool readable = net_stream_has_buffered(e->stream);
    bool writable = false;
    if (!readable) {
        struct pv_error nerr;
        pv_error_clear(&nerr);
        enum net_status ns = net_stream_wait(e->stream, e->out.len > 0, progress ? 0 : timeout_ms,
                                             &readable, &writable, &nerr);
        if (ns != NET_OK) {
            pop3_engine_fail(e, POP3_ERR_NET, &nerr);
            return engine_error(e, err);
        }
    }
    if (writable) {
        st = engine_write(e, &progress, err);
        if (st != POP3_OK)
            return st;
    }
    if (readable) {
        st = engine_read(e, &progress, err);
        if (st != POP3_OK)
            return st;
    }
    if (progress_out)
        *progress_out = progress;
    return POP3_OK;
}

static int64_t monotonic_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

enum pop3_status pop3_engine_drain(struct pop3_engine *e, struct pv_error *err)
{
    int timeout = net_stream_timeout(e->stream);
    /* A wake-up without application bytes (a TLS 1.3 session ticket, a
     * partial record) is not silence: only a whole timeout without progress
     * is. */
    int64_t deadline = monotonic_ms() + timeout;
    while (e->q_len > 0) {
        int64_t left = deadline - monotonic_ms();
        if (left <= 0) {
            /* A reply cut short (a line without its line end, a
             * multi-line reply without its final ".") is not silence. */
            return engine_fail_msg(e, POP3_ERR_NET, err, _("the server %s within %d s; giving up"),
                                   pop3_parser_in_reply(e->parser)
                                       ? _("stopped in the middle of a reply and sent nothing more")
                                       : _("did not answer"),
                                   (timeout + 999) / 1000);
        }
        bool progress = false;
        enum pop3_status st = pop3_engine_pump(e, (int)left, &progress, err);
        if (st != POP3_OK)
            return st;
        if (progress)
            deadline = monotonic_ms() + timeout;
    }
    return POP3_OK;
}

enum pop3_status pop3_engine_check_quiet(struct pop3_engine *e, struct pv_error *err)
{
    if (e->broken)
        return engine_error(e, err);
    e->quiet_next = false;
    if (e->in.len == 0)
        return POP3_OK;
    return engine_injection(e, err);
}

/* --- base64 for SASL ---------------------------------------------------- */

char *pop3_base64_encode(const void *data, size_t len)
{
    gnutls_datum_t in = {.data = (unsigned char *)(uintptr_t)data, .size = (unsigned)len};
    gnutls_datum_t out = {NULL, 0};
    if (len == 0)
        return pv_xstrdup("");
    if (gnutls_base64_encode2(&in, &out) < 0)
        abort(); /* only fails on allocation failure */
    char *s = pv_xstrndup((const char *)out.data, out.size);
    pv_wipe(out.data, out.size);
    gnutls_free(out.data);
    return s;
}

bool pop3_base64_decode(const char *text, size_t len, struct pv_buf *out)
{
    if (len == 0)
        return true;
    gnutls_datum_t in = {.data = (unsigned char *)(uintptr_t)text, .size = (unsigned)len};
    gnutls_datum_t res = {NULL, 0};
    if (gnutls_base64_decode2(&in, &res) < 0)
        return false;
    bool ok = pv_buf_append(out, res.data, res.size);
    gnutls_free(res.data);
    return ok;
}
