/*
 * The POP3 session: the RFC 1939 state machine over the engine.
 *
 * States: AUTHORIZATION (after the greeting) -> TRANSACTION (after a
 * successful login) -> UPDATE (after QUIT from TRANSACTION; the server
 * deletes what was marked) -> DISCONNECTED.  pop3_session_set_state() is the
 * only writer of the state and reports each transition to the transcript.
 * Every public command first checks the command table's allowed states, so
 * a call that the state does not allow is refused here, never sent.
 *
 * Capabilities are not trusted blindly: CAPA may be missing or incomplete,
 * so TOP and UIDL start as "unknown" unless announced and are learnt by
 * trying (RFC 2449 section 6: absence of a tag does not prove absence).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <popview/util.h>

#include <popview/net.h>

#include <popview/pop3.h>

#include <popview/i18n.h>

#include "private.h"
#include "session_private.h"

enum { SCAN_MAX_LINE = 1024 };

void pop3_session_set_state(struct pop3_session *s, enum pop3_state st)
{
    if (s->state == st)
        return;
    if (s->eng)
        pop3_engine_info(s->eng, _("state: %s -> %s"), pop3_state_name(s->state),
                         pop3_state_name(st));
    s->state = st;
}

enum pop3_state pop3_session_state(const struct pop3_session *s)
{
    return s->state;
}

enum pop3_status pop3_session_require(struct pop3_session *s, enum pop3_cmd cmd,
                                      struct pv_error *err)
{
    const struct pop3_cmd_info *info = pop3_cmd_info(cmd);
    if (!s->eng || s->state == POP3_STATE_DISCONNECTED) {
        pv_error_set(err, _("%s: not connected"), info->name);
        return POP3_ERR_STATE;
    }
    if (pop3_engine_broken(s->eng))
        return pop3_engine_status(s->eng, err);
    if (!(info->states & (1u << s->state))) {
        pv_error_set(
            err, _("%s is not allowed in the %s state (%s)"), info->name, pop3_state_name(s->state),
            s->state == POP3_STATE_AUTHORIZATION ? _("log in first") : _("only before logging in"));
        return POP3_ERR_STATE;
    }
    return POP3_OK;
}

/* --- simple single-line commands ----------------------------------------- */

static void simple_on_done(void *ctx, struct pop3_engine *eng, bool ok, const char *text,
                           enum pop3_resp_code code)
{
    (void)eng;
    struct pop3_simple_reply *r = ctx;
    r->done = true;
    r->ok = ok;
    r->code = code;
    snprintf(r->text, sizeof r->text, "%s", text ? text : "");
}

static bool simple_on_event(void *ctx, struct pop3_engine *eng, const struct pop3_event *ev)
{
    (void)eng;
    struct pop3_simple_reply *r = ctx;
    if (ev->kind == POP3_EV_STATUS)
        r->got_status = true;
    return true;
}

enum pop3_status pop3_session_reply_status(const struct pop3_simple_reply *r, const char *what,
                                           struct pv_error *err)
{
    if (r->ok)
        return POP3_OK;
    pv_error_set_server(err, r->text, strlen(r->text));
    const char *advice = pop3_resp_code_advice(r->code);
    if (advice)
        pv_error_set(err, _("%s failed: %s"), what, advice);
    else
        pv_error_set(err, _("%s failed: the server said \"-ERR %s\""), what, err->server);
    return POP3_ERR_SERVER;
}

enum pop3_status pop3_session_simple(struct pop3_session *s, enum pop3_cmd cmd,
                                     const char *const *args, size_t nargs,
                                     struct pop3_simple_reply *r, struct pv_error *err)
{
    memset(r, 0, sizeof *r);
    struct pop3_reply_handler h = {
        .on_event = simple_on_event, .on_done = simple_on_done, .ctx = r};
    enum pop3_status st = pop3_engine_queue(s->eng, cmd, args, nargs, &h, err);
    if (st != POP3_OK)
        return st;
    return pop3_engine_drain(s->eng, err);
}

/* Runs a simple command and turns -ERR into POP3_ERR_SERVER. */
static enum pop3_status session_command(struct pop3_session *s, enum pop3_cmd cmd,
                                        const char *const *args, size_t nargs, struct pv_error *err)
{
    enum pop3_status st = pop3_session_require(s, cmd, err);
    if (st != POP3_OK)
        return st;
    struct pop3_simple_reply r;
    st = pop3_session_simple(s, cmd, args, nargs, &r, err);
    if (st != POP3_OK)
        return st;
    char what[64];
    if (nargs)
        snprintf(what, sizeof what, "%s %s", pop3_cmd_info(cmd)->name, args[0]);
    else
        snprintf(what, sizeof what, "%s", pop3_cmd_info(cmd)->name);
    return pop3_session_reply_status(&r, what, err);
}

/* --- CAPA ---------------------------------------------------------------- */

static bool capa_on_event(void *ctx, struct pop3_engine *eng, const struct pop3_event *ev)
{
    (void)eng;
    struct pop3_session *s = ctx;
    if (ev->kind == POP3_EV_STATUS) {
        s->capa_ok = ev->ok;
        return true;
    }
    if (ev->kind != POP3_EV_DATA)
        return true;
    if (s->capa_line.len < SCAN_MAX_LINE) {
        size_t room = SCAN_MAX_LINE - s->capa_line.len;
        bool fits = pv_buf_append(&s->capa_line, ev->text, ev->len < room ? ev->len : room);
        (void)fits;
    }
    if (ev->line_end) {
        pop3_capa_add_line(&s->capa_next, s->capa_line.data ? s->capa_line.data : "",
                           s->capa_line.len);
        pv_buf_reset(&s->capa_line);
    }
    return true;
}

/* The answer is complete: it becomes the capabilities. */
static void capa_on_done(void *ctx, struct pop3_engine *eng, bool ok, const char *server_text,
                         enum pop3_resp_code code)
{
    (void)eng;
    (void)ok;
    (void)server_text;
    (void)code;
    struct pop3_session *s = ctx;
    if (!s->capa_pending)
        return;
    s->capa_pending = false;
    pv_buf_free(&s->capa_line);
    pop3_capa_clear(&s->capa);
    s->capa = s->capa_next;
    s->capa_next = (struct pop3_capa){0};
    s->capa.known = s->capa_ok;
    if (!s->capa_ok)
        pop3_engine_info(s->eng, _("the server has no CAPA: extensions will be probed by trying"));
    if (pop3_capa_find(&s->capa, "TOP"))
        s->top = POP3_SUPPORT_YES;
    if (pop3_capa_find(&s->capa, "UIDL"))
        s->uidl = POP3_SUPPORT_YES;
    pop3_engine_set_pipelining(s->eng, pop3_capa_find(&s->capa, "PIPELINING") != NULL);
}

enum pop3_status pop3_session_queue_capa(struct pop3_session *s, struct pv_error *err)
{
    pop3_capa_clear(&s->capa_next);
    pv_buf_free(&s->capa_line); /* not init: a CAPA still pending may hold a line */
    s->capa_ok = false;
    s->capa_pending = true;
    struct pop3_reply_handler h = {.on_event = capa_on_event, .on_done = capa_on_done, .ctx = s};
    enum pop3_status st = pop3_engine_queue(s->eng, POP3_CMD_CAPA, NULL, 0, &h, err);
    if (st != POP3_OK)
        s->capa_pending = false;
    return st;
}

enum pop3_status pop3_session_refresh_capa(struct pop3_session *s, struct pv_error *err)
{
    enum pop3_status st = pop3_session_queue_capa(s, err);
    if (st == POP3_OK)
        st = pop3_engine_drain(s->eng, err);
    return st;
}

bool pop3_session_capa_known(const struct pop3_session *s)
{
    return s->capa.known;
}

size_t pop3_session_capa_count(const struct pop3_session *s)
{
    return s->capa.count;
}

const char *pop3_session_capa_line(const struct pop3_session *s, size_t i)
{
    return i < s->capa.count ? s->capa.lines[i] : NULL;
}

const char *pop3_session_capa_get(const struct pop3_session *s, const char *tag)
{
    return pop3_capa_find(&s->capa, tag);
}

bool pop3_session_has_capa(const struct pop3_session *s, const char *tag)
{
    return pop3_capa_find(&s->capa, tag) != NULL;
}

enum pop3_support pop3_session_supports_top(const struct pop3_session *s)
{
    return s->top;
}

enum pop3_support pop3_session_supports_uidl(const struct pop3_session *s)
{
    return s->uidl;
}

bool pop3_session_pipelining(const struct pop3_session *s)
{
    return pop3_capa_find(&s->capa, "PIPELINING") != NULL;
}

bool pop3_session_utf8(const struct pop3_session *s)
{
    return s->utf8;
}

/* --- connecting ---------------------------------------------------------- */

/* RFC 1939 section 7: the APOP timestamp is a msg-id in the greeting. */
static char *greeting_timestamp(const char *text)
{
    const char *lt = strchr(text, '<');
    if (!lt)
        return NULL;
    const char *gt = strchr(lt, '>');
    if (!gt || gt - lt < 3 || gt - lt > 256)
        return NULL;
    for (const char *p = lt + 1; p < gt; p++)
        if ((unsigned char)*p <= ' ' || *p == 0x7f || *p == '<')
            return NULL;
    return pv_xstrndup(lt, (size_t)(gt - lt + 1));
}

static enum pop3_status session_read_greeting(struct pop3_session *s, struct pv_error *err)
{
    struct pop3_simple_reply r = {0};
    struct pop3_reply_handler h = {
        .on_event = simple_on_event, .on_done = simple_on_done, .ctx = &r};
    pop3_engine_expect_greeting(s->eng, &h);
    enum pop3_status st = pop3_engine_drain(s->eng, err);
    if (st != POP3_OK) {
        pv_error_prefix(err, _("no POP3 greeting from %s"), s->host);
        return st;
    }
    if (!r.ok) {
        pv_error_set_server(err, r.text, strlen(r.text));
        const char *advice = pop3_resp_code_advice(r.code);
        pv_error_set(err, _("%s refused the session: %s"), s->host, advice ? advice : err->server);
        return POP3_ERR_SERVER;
    }
    s->greeting = pv_xstrdup(r.text);
    s->apop_ts = greeting_timestamp(r.text);
    pop3_session_set_state(s, POP3_STATE_AUTHORIZATION);
    return POP3_OK;
}

static enum pop3_status tls_status(enum net_status ns)
{
    switch (ns) {
    case NET_ERR_CERT:
    case NET_ERR_TLS:
        return POP3_ERR_TLS;
    case NET_ERR_PROTOCOL:
        return POP3_ERR_PROTOCOL;
    default:
        return POP3_ERR_NET;
    }
}

static void session_trace_tls(struct pop3_session *s)
{
    struct net_tls_info info;
    if (!net_stream_tls_info(pop3_engine_stream(s->eng), &info))
        return;
    pop3_engine_info(s->eng, _("TLS is up: %s, %s"), info.protocol, info.cipher);
    if (!info.verified)
        pop3_engine_info(s->eng, _("WARNING: certificate NOT verified (--insecure): %s"),
                         info.verify_problem[0] ? info.verify_problem : _("not checked"));
}

/* STLS (RFC 2595 section 4), then a fresh CAPA over TLS. */
static enum pop3_status session_stls(struct pop3_session *s, struct pv_error *err)
{
    if (s->capa.known && !pop3_capa_find(&s->capa, "STLS")) {
        pv_error_set(err,
                     _("%s does not offer STLS, so the password would cross the network in "
                       "clear; nothing was sent. Use pop3s:// (port 995) if the server has it, or "
                       "--no-tls to accept a plain connection"),
                     s->host);
        return POP3_ERR_UNSUPPORTED;
    }
    struct pop3_simple_reply r;
    pop3_engine_expect_quiet(s->eng);
    enum pop3_status st = pop3_session_simple(s, POP3_CMD_STLS, NULL, 0, &r, err);
    if (st != POP3_OK)
        return st;
    if (!r.ok) {
        pv_error_set_server(err, r.text, strlen(r.text));
        pv_error_set(err,
                     _("%s refused STLS (\"-ERR %s\"); no credentials were sent. Use pop3s:// or, "
                       "to accept a plain connection, --no-tls"),
                     s->host, err->server);
        return POP3_ERR_UNSUPPORTED;
    }
    st = pop3_engine_check_quiet(s->eng, err);
    if (st != POP3_OK)
        return st;
    struct net_tls_config tls = {
        .servername = s->host, .cafile = s->cafile, .insecure = s->insecure};
    enum net_status ns = net_stream_start_tls(pop3_engine_stream(s->eng), &tls, err);
    if (ns != NET_OK) {
        pop3_engine_fail(s->eng, tls_status(ns), err);
        return tls_status(ns);
    }
    session_trace_tls(s);
    /* RFC 2595 section 4: forget what was learnt before TLS. */
    s->top = s->uidl = POP3_SUPPORT_UNKNOWN;
    return pop3_session_refresh_capa(s, err);
}

static struct pop3_session *session_new(const struct pop3_config *cfg, struct net_stream *stream)
{
    struct pop3_session *s = pv_xcalloc(1, sizeof *s);
    s->host = pv_xstrdup(cfg->host ? cfg->host : "");
    s->cafile = cfg->cafile ? pv_xstrdup(cfg->cafile) : NULL;
    s->insecure = cfg->insecure;
    s->tls_mode = cfg->tls;
    s->state = POP3_STATE_DISCONNECTED;
    net_stream_set_timeout(stream, cfg->timeout_ms > 0 ? cfg->timeout_ms : NET_DEFAULT_TIMEOUT_MS);
    s->eng = pop3_engine_new(stream, cfg->max_status_line, cfg->trace, cfg->trace_ctx);
    return s;
}

enum pop3_status pop3_session_open_stream(const struct pop3_config *cfg, struct net_stream *stream,
                                          struct pop3_session **out, struct pv_error *err)
{
    *out = NULL;
    struct pop3_session *s = session_new(cfg, stream);
    if (net_stream_is_tls(stream))
        session_trace_tls(s);
    enum pop3_status st = session_read_greeting(s, err);
    if (st == POP3_OK)
        st = pop3_session_refresh_capa(s, err);
    if (st == POP3_OK && cfg->tls == POP3_TLS_STLS && !net_stream_is_tls(stream))
        st = session_stls(s, err);
    if (st != POP3_OK) {
        pop3_session_free(&s);
        return st;
    }
    *out = s;
    return POP3_OK;
}

enum pop3_status pop3_session_connect(const struct pop3_config *cfg, struct pop3_session **out,
                                      struct pv_error *err)
{
    *out = NULL;
    int timeout = cfg->timeout_ms > 0 ? cfg->timeout_ms : NET_DEFAULT_TIMEOUT_MS;
    struct net_stream *stream = NULL;
    enum net_status ns = net_tcp_connect(cfg->host, cfg->port, timeout, &stream, err);
    if (ns != NET_OK)
        return POP3_ERR_NET;
    if (cfg->tls == POP3_TLS_IMPLICIT) {
        struct net_tls_config tls = {
            .servername = cfg->host, .cafile = cfg->cafile, .insecure = cfg->insecure};
        ns = net_stream_start_tls(stream, &tls, err);
        if (ns != NET_OK) {
            net_stream_free(&stream);
            return tls_status(ns);
        }
    }
    return pop3_session_open_stream(cfg, stream, out, err);
}

void pop3_session_free(struct pop3_session **sp)
{
    if (!sp || !*sp)
        return;
    struct pop3_session *s = *sp;
    pop3_engine_free(&s->eng);
    pop3_capa_clear(&s->capa);
    pop3_capa_clear(&s->capa_next);
    pv_buf_free(&s->capa_line);
    free(s->host);
    free(s->cafile);
    free(s->greeting);
    free(s->apop_ts);
    free(s->sizes);
    free(s);
    *sp = NULL;
}

const char *pop3_session_greeting(const struct pop3_session *s)
{
    return s->greeting;
}

const char *pop3_session_apop_timestamp(const struct pop3_session *s)
{
    return s->apop_ts;
}

bool pop3_session_tls_info(const struct pop3_session *s, struct net_tls_info *info_out)
{
    return s->eng && net_stream_tls_info(pop3_engine_stream(s->eng), info_out);
}

/* --- TRANSACTION commands ------------------------------------------------ */

static void format_msgno(char *buf, size_t size, unsigned msgno)
{
    snprintf(buf, size, "%u", msgno);
}

static enum pop3_status check_msgno(unsigned msgno, const char *cmd, struct pv_error *err)
{
    if (msgno == 0) {
        pv_error_set(err, _("%s: message numbers start at 1"), cmd);
        return POP3_ERR_ARG;
    }
    return POP3_OK;
}

enum pop3_status pop3_session_dele(struct pop3_session *s, unsigned msgno, struct pv_error *err)
{
    char n[16];
    format_msgno(n, sizeof n, msgno);
    const char *args[] = {n};
    enum pop3_status st = check_msgno(msgno, "DELE", err);
    return st != POP3_OK ? st : session_command(s, POP3_CMD_DELE, args, 1, err);
}

enum pop3_status pop3_session_rset(struct pop3_session *s, struct pv_error *err)
{
    return session_command(s, POP3_CMD_RSET, NULL, 0, err);
}

enum pop3_status pop3_session_noop(struct pop3_session *s, struct pv_error *err)
{
    return session_command(s, POP3_CMD_NOOP, NULL, 0, err);
}

enum pop3_status pop3_session_stat(struct pop3_session *s, unsigned *count_out,
                                   uint64_t *octets_out, struct pv_error *err)
{
    enum pop3_status st = pop3_session_require(s, POP3_CMD_STAT, err);
    if (st != POP3_OK)
        return st;
    struct pop3_simple_reply r;
    st = pop3_session_simple(s, POP3_CMD_STAT, NULL, 0, &r, err);
    if (st == POP3_OK)
        st = pop3_session_reply_status(&r, "STAT", err);
    if (st != POP3_OK)
        return st;
    /* RFC 1939 section 5: "+OK nn mm" */
    const char *sp = strchr(r.text, ' ');
    size_t n1 = sp ? (size_t)(sp - r.text) : strlen(r.text);
    const char *p2 = sp ? sp + 1 : "";
    size_t n2 = strcspn(p2, " ");
    uint64_t count;
    uint64_t octets;
    if (!pv_parse_u64(r.text, n1, &count) || count > UINT32_MAX || !pv_parse_u64(p2, n2, &octets)) {
        pv_error_set_server(err, r.text, strlen(r.text));
        pv_error_set(err, _("the server's STAT answer is not \"count size\": \"%s\""), err->server);
        return POP3_ERR_PROTOCOL;
    }
    *count_out = (unsigned)count;
    *octets_out = octets;
    return POP3_OK;
}

/* "+OK n rest": checks n and returns where rest starts, or NULL. */
static const char *reply_for_msgno(const char *text, unsigned msgno)
{
    const char *sp = strchr(text, ' ');
    unsigned n;
    if (!sp || !pv_parse_uint(text, (size_t)(sp - text), &n) || n != msgno)
        return NULL;
    return sp + 1;
}

static enum pop3_status one_message_query(struct pop3_session *s, enum pop3_cmd cmd, unsigned msgno,
                                          struct pop3_simple_reply *r, struct pv_error *err)
{
    enum pop3_status st = check_msgno(msgno, pop3_cmd_info(cmd)->name, err);
    if (st == POP3_OK)
        st = pop3_session_require(s, cmd, err);
    if (st != POP3_OK)
        return st;
    char n[16];
    format_msgno(n, sizeof n, msgno);
    const char *args[] = {n};
    st = pop3_session_simple(s, cmd, args, 1, r, err);
    if (st != POP3_OK)
        return st;
    char what[32];
    snprintf(what, sizeof what, "%s %u", pop3_cmd_info(cmd)->name, msgno);
    return pop3_session_reply_status(r, what, err);
}

static enum pop3_status bad_one_reply(const struct pop3_simple_reply *r, const char *cmd,
                                      unsigned msgno, struct pv_error *err)
{
    pv_error_set_server(err, r->text, strlen(r->text));
    pv_error_set(err, _("the server's answer to %s %u is not \"%u ...\": \"%s\""), cmd, msgno,
                 msgno, err->server);
    return POP3_ERR_PROTOCOL;
}

enum pop3_status pop3_session_list_one(struct pop3_session *s, unsigned msgno, uint64_t *size_out,
                                       struct pv_error *err)
{
    struct pop3_simple_reply r;
    enum pop3_status st = one_message_query(s, POP3_CMD_LIST, msgno, &r, err);
    if (st != POP3_OK)
        return st;
    const char *rest = reply_for_msgno(r.text, msgno);
    if (!rest || !pv_parse_u64(rest, strcspn(rest, " "), size_out))
        return bad_one_reply(&r, "LIST", msgno, err);
    pop3_session_keep_size(s, msgno, *size_out);
    return POP3_OK;
}

enum pop3_status pop3_session_uidl_one(struct pop3_session *s, unsigned msgno, char **uid_out,
                                       struct pv_error *err)
{
    *uid_out = NULL;
    struct pop3_simple_reply r;
    enum pop3_status st = one_message_query(s, POP3_CMD_UIDL, msgno, &r, err);
    if (st != POP3_OK)
        return st;
    const char *rest = reply_for_msgno(r.text, msgno);
    size_t n = rest ? strlen(rest) : 0;
    if (!pop3_uidl_valid(rest, n))
        return bad_one_reply(&r, "UIDL", msgno, err);
    *uid_out = pv_xstrndup(rest, n);
    return POP3_OK;
}

/* Runs TOP or RETR for one message into a sink. */
struct fetch_ctx {
    pop3_sink_fn sink;
    void *ctx;
    bool aborted;
    struct pop3_simple_reply r;
};

static bool fetch_on_event(void *vctx, struct pop3_engine *eng, const struct pop3_event *ev)
{
    (void)eng;
    struct fetch_ctx *f = vctx;
    if (ev->kind != POP3_EV_DATA)
        return true;
    if (!f->sink(f->ctx, ev->text, ev->len, ev->line_end)) {
        f->aborted = true;
        return false;
    }
    return true;
}

static void fetch_on_done(void *vctx, struct pop3_engine *eng, bool ok, const char *text,
                          enum pop3_resp_code code)
{
    struct fetch_ctx *f = vctx;
    simple_on_done(&f->r, eng, ok, text, code);
}

/* cap: for pop3_engine_cap_last, 0 to leave the engine's own. */
static enum pop3_status session_fetch(struct pop3_session *s, enum pop3_cmd cmd,
                                      const char *const *args, size_t nargs, uint64_t cap,
                                      pop3_sink_fn sink, void *ctx, struct pv_error *err)
{
    enum pop3_status st = pop3_session_require(s, cmd, err);
    if (st != POP3_OK)
        return st;
    struct fetch_ctx f = {.sink = sink, .ctx = ctx};
    struct pop3_reply_handler h = {.on_event = fetch_on_event, .on_done = fetch_on_done, .ctx = &f};
    st = pop3_engine_queue(s->eng, cmd, args, nargs, &h, err);
    if (st == POP3_OK && cap)
        pop3_engine_cap_last(s->eng, cap);
    if (st == POP3_OK)
        st = pop3_engine_drain(s->eng, err);
    if (st != POP3_OK)
        return st;
    char what[64];
    snprintf(what, sizeof what, "%s %s", pop3_cmd_info(cmd)->name, args[0]);
    st = pop3_session_reply_status(&f.r, what, err);
    if (st == POP3_OK && f.aborted) {
        pv_error_set(err, _("%s: stopped while receiving the message"), what);
        return POP3_ERR_ABORTED;
    }
    return st;
}

enum pop3_status pop3_session_top(struct pop3_session *s, unsigned msgno, unsigned lines,
                                  pop3_sink_fn sink, void *ctx, struct pv_error *err)
{
    enum pop3_status st = check_msgno(msgno, "TOP", err);
    if (st != POP3_OK)
        return st;
    if (s->top == POP3_SUPPORT_NO) {
        pv_error_set(err, _("the server does not support TOP"));
        return POP3_ERR_UNSUPPORTED;
    }
    char n[16], l[16];
    format_msgno(n, sizeof n, msgno);
    snprintf(l, sizeof l, "%u", lines);
    const char *args[] = {n, l};
    st = session_fetch(s, POP3_CMD_TOP, args, 2, 0, sink, ctx, err);
    if (st == POP3_ERR_SERVER && s->top == POP3_SUPPORT_UNKNOWN) {
        s->top = POP3_SUPPORT_NO;
        pop3_engine_info(s->eng, _("TOP failed and CAPA did not announce it: assuming no TOP"));
        return POP3_ERR_UNSUPPORTED;
    }
    if (st == POP3_OK)
        s->top = POP3_SUPPORT_YES;
    return st;
}

enum pop3_status pop3_session_retr(struct pop3_session *s, unsigned msgno, pop3_sink_fn sink,
                                   void *ctx, struct pv_error *err)
{
    enum pop3_status st = check_msgno(msgno, "RETR", err);
    if (st != POP3_OK)
        return st;
    char n[16];
    format_msgno(n, sizeof n, msgno);
    const char *args[] = {n};
    return session_fetch(s, POP3_CMD_RETR, args, 1, pop3_session_retr_cap(s, msgno), sink, ctx,
                         err);
}

enum pop3_status pop3_session_quit(struct pop3_session *s, char **server_text_out,
                                   struct pv_error *err)
{
    if (server_text_out)
        *server_text_out = NULL;
    enum pop3_status st = pop3_session_require(s, POP3_CMD_QUIT, err);
    if (st != POP3_OK)
        return st;
    bool committing = s->state == POP3_STATE_TRANSACTION;
    struct pop3_simple_reply r;
    st = pop3_session_simple(s, POP3_CMD_QUIT, NULL, 0, &r, err);
    if (st == POP3_OK && committing)
        pop3_session_set_state(s, POP3_STATE_UPDATE);
    if (st != POP3_OK && committing) {
        pv_error_prefix(err, _("the answer to QUIT was lost, so it is unknown whether the server "
                               "deleted the marked messages"));
    }
    if (st == POP3_OK) {
        if (server_text_out)
            *server_text_out = pv_xstrdup(r.text);
        st = pop3_session_reply_status(&r, "QUIT", err);
        if (st != POP3_OK && committing)
            pv_error_prefix(err, _("the server could not delete every marked message"));
    }
    pop3_session_set_state(s, POP3_STATE_DISCONNECTED);
    pop3_engine_free(&s->eng);
    return st;
}

/* --- LANG (RFC 6856 section 3) -------------------------------------------- */

struct lines_ctx {
    struct pv_buf line;
    char **lines;
    size_t count;
    struct pop3_simple_reply r;
};

static bool lines_on_event(void *vctx, struct pop3_engine *eng, const struct pop3_event *ev)
{
    (void)eng;
    struct lines_ctx *c = vctx;
    if (ev->kind != POP3_EV_DATA)
        return true;
    if (c->line.len < SCAN_MAX_LINE) {
        size_t room = SCAN_MAX_LINE - c->line.len;
        bool fits = pv_buf_append(&c->line, ev->text, ev->len < room ? ev->len : room);
        (void)fits;
    }
    if (ev->line_end) {
        if (c->count < 1000) {
            c->lines = pv_xreallocarray(c->lines, c->count + 1, sizeof *c->lines);
            c->lines[c->count++] = pv_xstrdup(c->line.data ? c->line.data : "");
        }
        pv_buf_reset(&c->line);
    }
    return true;
}

static void lines_on_done(void *vctx, struct pop3_engine *eng, bool ok, const char *text,
                          enum pop3_resp_code code)
{
    struct lines_ctx *c = vctx;
    simple_on_done(&c->r, eng, ok, text, code);
}

enum pop3_status pop3_session_lang_list(struct pop3_session *s, char ***lines_out,
                                        size_t *count_out, struct pv_error *err)
{
    *lines_out = NULL;
    *count_out = 0;
    enum pop3_status st = pop3_session_require(s, POP3_CMD_LANG, err);
    if (st != POP3_OK)
        return st;
    struct lines_ctx c = {0};
    pv_buf_init(&c.line, 0);
    struct pop3_reply_handler h = {.on_event = lines_on_event, .on_done = lines_on_done, .ctx = &c};
    st = pop3_engine_queue(s->eng, POP3_CMD_LANG, NULL, 0, &h, err);
    if (st == POP3_OK)
        st = pop3_engine_drain(s->eng, err);
    if (st == POP3_OK)
        st = pop3_session_reply_status(&c.r, "LANG", err);
    pv_buf_free(&c.line);
    if (st != POP3_OK) {
        for (size_t i = 0; i < c.count; i++)
            free(c.lines[i]);
        free(c.lines);
        return st;
    }
    *lines_out = c.lines;
    *count_out = c.count;
    return POP3_OK;
}

enum pop3_status pop3_session_lang_set(struct pop3_session *s, const char *tag,
                                       struct pv_error *err)
{
    const char *args[] = {tag};
    return session_command(s, POP3_CMD_LANG, args, 1, err);
}

/* --- commands typed by hand (the teaching console) ------------------------ */

/* Commands whose reply starts a longer exchange the session must drive. */
static bool raw_needs_more_than_a_reply(enum pop3_cmd cmd)
{
    return cmd == POP3_CMD_STLS || cmd == POP3_CMD_AUTH || cmd == POP3_CMD_SASL_RESPONSE ||
           cmd == POP3_CMD_QUIT;
}

static bool raw_on_event(void *vctx, struct pop3_engine *eng, const struct pop3_event *ev)
{
    (void)eng;
    struct fetch_ctx *f = vctx;
    if (ev->kind != POP3_EV_DATA || !f->sink)
        return true;
    if (!f->sink(f->ctx, ev->text, ev->len, ev->line_end)) {
        f->aborted = true;
        return false;
    }
    return true;
}

/* What a +OK changes in the session's own view of itself. */
static void raw_follow_ok(struct pop3_session *s, enum pop3_cmd cmd)
{
    if ((cmd == POP3_CMD_PASS || cmd == POP3_CMD_APOP) && s->state == POP3_STATE_AUTHORIZATION)
        pop3_session_set_state(s, POP3_STATE_TRANSACTION);
    else if (cmd == POP3_CMD_UTF8 && s->state == POP3_STATE_AUTHORIZATION)
        s->utf8 = true;
}

enum pop3_status pop3_session_raw(struct pop3_session *s, enum pop3_cmd cmd,
                                  const char *const *args, size_t nargs, bool force,
                                  pop3_sink_fn sink, void *ctx, struct pv_error *err)
{
    const struct pop3_cmd_info *info = pop3_cmd_info(cmd);
    if (!info) {
        pv_error_set(err, _("not a POP3 command popview knows"));
        return POP3_ERR_ARG;
    }
    if (raw_needs_more_than_a_reply(cmd)) {
        pv_error_set(err, _("%s cannot be typed by hand: %s"),
                     info->name[0] ? info->name : "a SASL response",
                     cmd == POP3_CMD_QUIT ? _("ending the session is popview's own step")
                                          : _("what follows its reply is popview's own exchange"));
        return POP3_ERR_UNSUPPORTED;
    }
    enum pop3_status st = pop3_session_require(s, cmd, err);
    if (st == POP3_ERR_STATE && force && s->eng && s->state != POP3_STATE_DISCONNECTED) {
        pop3_engine_info(s->eng, _("%s sent although the %s state does not allow it (forced)"),
                         info->name, pop3_state_name(s->state));
        st = POP3_OK;
    }
    if (st != POP3_OK)
        return st;
    struct fetch_ctx f = {.sink = sink, .ctx = ctx};
    struct pop3_reply_handler h = {.on_event = raw_on_event, .on_done = fetch_on_done, .ctx = &f};
    st = pop3_engine_queue(s->eng, cmd, args, nargs, &h, err);
    unsigned msgno;
    if (st == POP3_OK && cmd == POP3_CMD_RETR && nargs == 1 &&
        pv_parse_uint(args[0], strlen(args[0]), &msgno))
        pop3_engine_cap_last(s->eng, pop3_session_retr_cap(s, msgno));
    if (st == POP3_OK)
        st = pop3_engine_drain(s->eng, err);
    if (st != POP3_OK)
        return st;
    st = pop3_session_reply_status(&f.r, info->name, err);
    if (st == POP3_OK)
        raw_follow_ok(s, cmd);
    if (st == POP3_OK && f.aborted) {
        pv_error_set(err, _("%s: stopped while receiving the reply"), info->name);
        return POP3_ERR_ABORTED;
    }
    return st;
}
