/*
 * The worker thread: the only owner of the POP3 session.  It opens the
 * session (connect, log in, scan), then loads summaries in short batches
 * (load.c); before every step it serves what the UI asked for, so marks,
 * fetches and quitting come before loading.  Everything it learns goes to
 * the UI thread as results through the channel, in order.
 *
 * Deletion safety (RFC 1939 section 6): the server deletes only when QUIT
 * moves the session into UPDATE.  So every way out that is not the user's
 * "commit" closes without QUIT (pop3_session_free), and mailbox_quit(false)
 * sends RSET first and, should RSET fail, closes without QUIT as well.
 *
 * Waiting: when idle, the worker polls the channel's wake eventfd beside
 * the session's socket, so a server that closes an idle session (the
 * RFC 1939 section 3 autologout timer) shows as FAILED at once rather than
 * at the next key press.
 */
#include "worker.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <popview/util.h>

#include <popview/net.h>

#include <popview/pop3.h>

#include <popview/mailbox.h>

#include <popview/i18n.h>

#include "private.h"

/* After the idle socket woke us without news, do not watch it for this long. */
enum { MB_WATCH_QUIET_MS = 2000 };

static char *dup_or_null(const char *s)
{
    return s ? pv_xstrdup(s) : NULL;
}

struct mb_worker *mb_worker_new(const struct mailbox_config *cfg, struct mb_channel *ch)
{
    struct mb_worker *w = pv_xcalloc(1, sizeof *w);
    w->ch = ch;
    mb_tracer_init(&w->tracer, ch);
    w->host = dup_or_null(cfg->pop3.host);
    w->port = dup_or_null(cfg->pop3.port);
    w->cafile = dup_or_null(cfg->pop3.cafile);
    w->pcfg = cfg->pop3;
    w->pcfg.host = w->host;
    w->pcfg.port = w->port;
    w->pcfg.cafile = w->cafile;
    w->tracer.next = cfg->pop3.trace;
    w->tracer.next_ctx = cfg->pop3.trace_ctx;
    w->pcfg.trace = mb_tracer_hook;
    w->pcfg.trace_ctx = &w->tracer;
    if (cfg->pop3.host && *cfg->pop3.host)
        w->where = pv_xstrdup(cfg->pop3.host);
    else
        w->where = pv_xstrdup(cfg->demo_fd >= 0 ? _("the demo server") : _("the server"));
    w->demo_fd = cfg->demo_fd;
    w->demo = cfg->demo_fd >= 0;
    w->user = pv_xstrdup(cfg->user ? cfg->user : "");
    w->secret = pv_xstrdup(cfg->secret ? cfg->secret : "");
    w->mech = cfg->mech;
    w->reconnect_fd = cfg->reconnect_fd;
    w->reconnect_secret = cfg->reconnect_secret;
    w->reconnect_ctx = cfg->reconnect_ctx;
    w->cache_dir = dup_or_null(cfg->cache_dir);
    w->sock = -1;
    w->task = MB_TASK_CONNECT;
    return w;
}

static void close_session(struct mb_worker *w)
{
    pop3_session_free(&w->s); /* no QUIT: nothing marked is deleted */
    w->sock = -1;
    mb_channel_set_socket(w->ch, -1);
}

void mb_worker_free(struct mb_worker **wp)
{
    if (!wp || !*wp)
        return;
    struct mb_worker *w = *wp;
    close_session(w);
    if (w->demo_fd >= 0)
        close(w->demo_fd);
    pv_free_secret(&w->secret);
    free(w->user);
    free(w->host);
    free(w->port);
    free(w->cafile);
    free(w->where);
    pop3_listing_free(&w->list, w->count);
    free(w->marked);
    mb_load_save_cache(w); /* at close: what loaded so far is kept */
    mailbox_cache_free(&w->cache);
    free(w->cache_dir);
    mb_load_clear(&w->load);
    mb_tracer_clear(&w->tracer);
    free(w);
    *wp = NULL;
}

/* --- telling the UI ------------------------------------------------------- */

void mb_worker_post_phase(struct mb_worker *w, enum mailbox_phase phase, char *text)
{
    struct mb_result *r = mb_result_new(MB_RES_PHASE);
    r->phase = phase;
    r->text = text;
    mb_channel_post(w->ch, r);
}

void mb_worker_notice(struct mb_worker *w, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    struct pv_error tmp;
    pv_error_vset(&tmp, fmt, ap);
    va_end(ap);
    struct mb_result *r = mb_result_new(MB_RES_NOTICE);
    r->text = pv_xstrdup(tmp.msg);
    mb_channel_post(w->ch, r);
}

static void report_state(struct mb_worker *w)
{
    enum pop3_state st = w->s ? pop3_session_state(w->s) : POP3_STATE_DISCONNECTED;
    if (w->reported_state_valid && st == w->reported_state)
        return;
    w->reported_state_valid = true;
    w->reported_state = st;
    struct mb_result *r = mb_result_new(MB_RES_POP3_STATE);
    r->pop3_state = st;
    mb_channel_post(w->ch, r);
}

/* What the inspector shows (mailbox_server_info). */
static void post_server(struct mb_worker *w, bool logged_in)
{
    struct mb_result *r = mb_result_new(MB_RES_SERVER);
    r->server = mb_server_snap_take(w->s, logged_in);
    mb_channel_post(w->ch, r);
}

static void post_marks(struct mb_worker *w, struct mb_request *req)
{
    struct mb_result *r = mb_result_new(MB_RES_MARKS);
    r->count = w->count;
    r->marked = pv_xcalloc(w->count ? w->count : 1, sizeof *r->marked);
    if (w->marked)
        memcpy(r->marked, w->marked, w->count * sizeof *r->marked);
    if (req) {
        r->settle = req->settle;
        r->settle_n = req->settle_n;
        r->settle_gen = req->gen;
        req->settle = NULL;
        req->settle_n = 0;
    }
    r->gen = w->gen;
    mb_channel_post(w->ch, r);
}

bool mb_status_breaks(enum pop3_status st)
{
    return st == POP3_ERR_NET || st == POP3_ERR_TLS || st == POP3_ERR_PROTOCOL;
}

size_t mb_worker_index_of(const struct mb_worker *w, unsigned msgno)
{
    size_t lo = 0, hi = w->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (w->list[mid].msgno == msgno)
            return mid;
        if (w->list[mid].msgno < msgno)
            lo = mid + 1;
        else
            hi = mid;
    }
    return (size_t)-1;
}

static void fail_with(struct mb_worker *w, char *sentence)
{
    mb_load_requeue(w);
    close_session(w);
    w->lost = true;
    w->task = MB_TASK_IDLE;
    report_state(w);
    mb_worker_post_phase(w, MAILBOX_FAILED, sentence);
}

void mb_worker_lost(struct mb_worker *w, const struct pv_error *err)
{
    fail_with(w, pv_xasprintf(_("the connection to %s was lost: %s; nothing was deleted (the "
                                "server deletes marked messages only at QUIT)"),
                              w->where, err && err->msg[0] ? err->msg : _("no reason given")));
}

/* --- opening a session ------------------------------------------------------ */

/* A step of opening the session (login, scan) failed: a broken connection
 * is "lost" (R reconnects), a refusal ends the session with its sentence. */
static void step_failed(struct mb_worker *w, enum pop3_status st, const struct pv_error *err)
{
    if (mb_status_breaks(st))
        mb_worker_lost(w, err);
    else
        fail_with(w, pv_xstrdup(err->msg));
}

/* The stream for a new session.  The connection is made here rather than
 * by pop3_session_connect so that its socket is known to the channel from
 * the TLS handshake on: mailbox_free can then interrupt any wait. */
static struct net_stream *open_stream(struct mb_worker *w, bool first, struct pv_error *err)
{
    int timeout = w->pcfg.timeout_ms > 0 ? w->pcfg.timeout_ms : NET_DEFAULT_TIMEOUT_MS;
    int fd = -1;
    if (first && w->demo_fd >= 0) {
        fd = w->demo_fd;
        w->demo_fd = -1;
    } else if (!first && w->reconnect_fd) {
        fd = w->reconnect_fd(w->reconnect_ctx);
        if (fd < 0) {
            pv_error_set(err, _("could not open a new connection to %s"), w->where);
            return NULL;
        }
    } else if (w->demo) {
        pv_error_set(err,
                     _("cannot connect to %s again: it was reached through a socket that no "
                       "longer exists"),
                     w->where);
        return NULL;
    }
    if (fd >= 0) {
        if (!mb_channel_set_socket(w->ch, fd)) {
            close(fd);
            pv_error_set(err, "%s", _("stopped"));
            return NULL;
        }
        w->sock = fd;
        return net_stream_from_fd(fd, timeout);
    }
    if (!w->host || !*w->host) {
        pv_error_set(err, _("no server to connect to"));
        return NULL;
    }
    struct net_stream *stream = NULL;
    if (net_tcp_connect(w->host, w->port, timeout, &stream, err) != NET_OK)
        return NULL;
    w->sock = net_stream_fd(stream);
    if (!mb_channel_set_socket(w->ch, w->sock)) {
        net_stream_free(&stream);
        w->sock = -1;
        pv_error_set(err, "%s", _("stopped"));
        return NULL;
    }
    if (w->pcfg.tls == POP3_TLS_IMPLICIT) {
        struct net_tls_config tls = {
            .servername = w->host, .cafile = w->cafile, .insecure = w->pcfg.insecure};
        if (net_stream_start_tls(stream, &tls, err) != NET_OK) {
            net_stream_free(&stream);
            w->sock = -1;
            mb_channel_set_socket(w->ch, -1);
            return NULL;
        }
    }
    return stream;
}

static void step_connect(struct mb_worker *w)
{
    bool first = w->gen == 0 && !w->lost && !w->closed;
    mb_worker_post_phase(w, MAILBOX_CONNECTING, NULL);
    struct pv_error err;
    pv_error_clear(&err);
    struct net_stream *stream = open_stream(w, first, &err);
    enum pop3_status st = POP3_ERR_NET;
    if (stream)
        st = pop3_session_open_stream(&w->pcfg, stream, &w->s, &err);
    if (st != POP3_OK) {
        fail_with(w, pv_xstrdup(err.msg[0] ? err.msg : _("the connection failed")));
        return;
    }
    report_state(w);
    post_server(w, false);
    w->task = MB_TASK_LOGIN;
}

static void step_login(struct mb_worker *w)
{
    mb_worker_post_phase(w, MAILBOX_LOGGING_IN, NULL);
    char *secret = w->secret;
    w->secret = NULL;
    if (!secret && w->reconnect_secret)
        secret = w->reconnect_secret(w->reconnect_ctx);
    if (!secret) {
        fail_with(w,
                  pv_xasprintf(_("cannot log in to %s again: the password was wiped from memory "
                                 "after the first login and there is no way to ask for it again"),
                               w->where));
        return;
    }
    struct pop3_credentials cred = {.user = w->user, .secret = secret, .mech = w->mech};
    struct pv_error err;
    pv_error_clear(&err);
    enum pop3_status st = pop3_session_login(w->s, &cred, &err);
    pv_free_secret(&secret); /* no copy outlives the login */
    report_state(w);
    if (st != POP3_OK) {
        step_failed(w, st, &err);
        return;
    }
    post_server(w, true);
    w->task = MB_TASK_SCAN;
}

static struct pop3_listing *listing_copy(const struct pop3_listing *list, size_t n)
{
    struct pop3_listing *c = pv_xcalloc(n ? n : 1, sizeof *c);
    for (size_t i = 0; i < n; i++) {
        c[i] = list[i];
        c[i].uid = dup_or_null(list[i].uid);
    }
    return c;
}

/* DELE again, under the new numbers, every message marked in the last
 * session whose UIDL still exists; never by an old number. */
static void restore_marks(struct mb_worker *w, const struct pop3_listing *old_list,
                          size_t old_count, const bool *old_marked)
{
    size_t wanted = 0, no_uid = 0, gone = 0, refused = 0;
    for (size_t i = 0; old_marked && i < old_count; i++)
        if (old_marked[i])
            wanted++;
    if (wanted == 0)
        return;
    mb_tracer_info(&w->tracer,
                   P_("restoring %zu mark by UIDL: message numbers may have changed",
                      "restoring %zu marks by UIDL: message numbers may have changed", wanted),
                   wanted);
    /* The new indices first, so that a break half-way keeps the intent of
     * the rest for the next reconnect. */
    size_t *targets = pv_xcalloc(wanted, sizeof *targets);
    size_t nt = 0;
    struct mb_uid_map *now = mb_uid_map_new(w->list, w->count);
    for (size_t i = 0; i < old_count; i++) {
        if (!old_marked[i])
            continue;
        size_t j = old_list[i].uid ? mb_uid_map_find(now, old_list[i].uid) : (size_t)-1;
        if (!old_list[i].uid)
            no_uid++;
        else if (j == (size_t)-1)
            gone++;
        else
            targets[nt++] = j;
    }
    mb_uid_map_free(&now);
    for (size_t k = 0; k < nt; k++) {
        struct pv_error err;
        pv_error_clear(&err);
        enum pop3_status st = pop3_session_dele(w->s, w->list[targets[k]].msgno, &err);
        if (st == POP3_OK) {
            w->marked[targets[k]] = true;
        } else if (mb_status_breaks(st)) {
            for (size_t rest = k; rest < nt; rest++)
                w->marked[targets[rest]] = true; /* still wanted next time */
            free(targets);
            mb_worker_lost(w, &err);
            return;
        } else {
            refused++;
        }
    }
    free(targets);
    if (no_uid)
        mb_worker_notice(w,
                         P_("%zu mark was dropped: the server gives no UIDL, so popview cannot "
                            "tell which messages they were",
                            "%zu marks were dropped: the server gives no UIDL, so popview cannot "
                            "tell which messages they were",
                            no_uid),
                         no_uid);
    if (gone)
        mb_worker_notice(w,
                         P_("%zu marked message is no longer on the server",
                            "%zu marked messages are no longer on the server", gone),
                         gone);
    if (refused)
        mb_worker_notice(w,
                         P_("the server refused to mark %zu message again",
                            "the server refused to mark %zu messages again", refused),
                         refused);
    post_marks(w, NULL);
}

static void step_scan(struct mb_worker *w)
{
    mb_worker_post_phase(w, MAILBOX_SCANNING, NULL);
    struct pop3_listing *list = NULL;
    size_t count = 0;
    struct pv_error err;
    pv_error_clear(&err);
    enum pop3_status st = pop3_session_scan(w->s, &list, &count, &err);
    if (st != POP3_OK) {
        step_failed(w, st, &err);
        return;
    }
    /* With PIPELINING the CAPA after login is answered only now (it went
     * out with STAT, LIST and UIDL): show the capabilities it gave. */
    post_server(w, true);
    /* The previous session, if any, to carry summaries and marks over. */
    struct pop3_listing *old_list = w->list;
    size_t old_count = w->count;
    bool *old_marked = w->marked;
    uint8_t *old_state = w->load.state;
    w->load.state = NULL;
    w->list = list;
    w->count = count;
    w->marked = pv_xcalloc(count ? count : 1, sizeof *w->marked);
    w->gen++;
    w->lost = w->closed = false;
    mb_load_open_cache(w);
    mb_load_start(w, old_list, old_count, old_state);

    bool from_cache = w->load.cached_n > 0;
    struct mb_result *r = mb_result_new(MB_RES_SCAN);
    r->list = listing_copy(list, count);
    r->count = count;
    r->gen = w->gen;
    r->phase = w->load.remaining || from_cache ? MAILBOX_LOADING : MAILBOX_READY;
    mb_channel_post(w->ch, r);
    mb_load_post_cached(w);
    w->task = w->load.remaining ? MB_TASK_LOAD : MB_TASK_IDLE;
    if (!w->load.remaining) {
        if (from_cache)
            mb_worker_post_phase(w, MAILBOX_READY, NULL);
        mb_load_save_cache(w); /* drops the messages no longer there */
    }

    restore_marks(w, old_list, old_count, old_marked);
    pop3_listing_free(&old_list, old_count);
    free(old_marked);
    free(old_state);
}

/* --- requests --------------------------------------------------------------- */

/* Whether a request about messages can be served now; if not, why. */
static const char *not_ready(const struct mb_worker *w, const struct mb_request *r)
{
    if (w->closed)
        return _("the session is closed");
    if (w->lost || !w->s)
        return _("not connected");
    if (pop3_session_state(w->s) != POP3_STATE_TRANSACTION)
        return _("not logged in yet");
    if (r->gen != w->gen)
        return _("the mailbox was reopened since");
    if (r->kind != MB_REQ_UNMARK_ALL && r->index >= w->count)
        return _("no such message");
    return NULL;
}

static void do_mark(struct mb_worker *w, struct mb_request *r)
{
    const char *why = not_ready(w, r);
    if (why) {
        mb_worker_notice(w, _("message %zu was not marked: %s"), r->index + 1, why);
        post_marks(w, r);
        return;
    }
    unsigned msgno = w->list[r->index].msgno;
    if (w->marked[r->index]) {
        post_marks(w, r);
        return;
    }
    struct pv_error err;
    pv_error_clear(&err);
    enum pop3_status st = pop3_session_dele(w->s, msgno, &err);
    if (st == POP3_OK) {
        w->marked[r->index] = true;
        mb_worker_notice(w, _("message %u marked for deletion (deleted at QUIT)"), msgno);
    } else if (!mb_status_breaks(st)) {
        mb_worker_notice(w, _("message %u was not marked: %s"), msgno, err.msg);
    }
    post_marks(w, r);
    if (mb_status_breaks(st))
        mb_worker_lost(w, &err);
}

static void clear_marks(struct mb_worker *w)
{
    if (w->marked)
        memset(w->marked, 0, w->count * sizeof *w->marked);
}

/* RSET; on success nothing is marked at the server any more. */
static enum pop3_status send_rset(struct mb_worker *w, struct pv_error *err)
{
    enum pop3_status st = pop3_session_rset(w->s, err);
    if (st == POP3_OK)
        clear_marks(w);
    return st;
}

static void do_unmark(struct mb_worker *w, struct mb_request *r)
{
    const char *why = not_ready(w, r);
    if (why || !w->marked[r->index]) {
        if (why)
            mb_worker_notice(w, _("message %zu was not unmarked: %s"), r->index + 1, why);
        post_marks(w, r);
        return;
    }
    mb_tracer_info(&w->tracer, _("POP3 has no undelete: RSET, then DELE again for the others"));
    bool *was = pv_xcalloc(w->count, sizeof *was);
    memcpy(was, w->marked, w->count * sizeof *was);
    struct pv_error err;
    pv_error_clear(&err);
    enum pop3_status st = send_rset(w, &err);
    size_t refused = 0;
    for (size_t i = 0; st == POP3_OK && i < w->count; i++) {
        if (!was[i] || i == r->index)
            continue;
        enum pop3_status d = pop3_session_dele(w->s, w->list[i].msgno, &err);
        if (d == POP3_OK)
            w->marked[i] = true;
        else if (mb_status_breaks(d))
            st = d;
        else
            refused++;
    }
    if (mb_status_breaks(st)) {
        /* The session is gone and with it every mark; what the user still
         * wants marked is restored on reconnect. */
        for (size_t i = 0; i < w->count; i++)
            w->marked[i] = was[i] && i != r->index;
    }
    free(was);
    if (st == POP3_OK && refused == 0)
        mb_worker_notice(w, _("message %u unmarked"), w->list[r->index].msgno);
    else if (st == POP3_OK)
        mb_worker_notice(w,
                         P_("message %u unmarked, but the server refused to mark %zu other "
                            "again: %s",
                            "message %u unmarked, but the server refused to mark %zu others "
                            "again: %s",
                            refused),
                         w->list[r->index].msgno, refused, err.msg);
    else if (!mb_status_breaks(st))
        mb_worker_notice(w, _("message %u is still marked: %s"), w->list[r->index].msgno, err.msg);
    post_marks(w, r);
    if (mb_status_breaks(st))
        mb_worker_lost(w, &err);
}

static void do_unmark_all(struct mb_worker *w, struct mb_request *r)
{
    const char *why = not_ready(w, r);
    if (why) {
        mb_worker_notice(w, _("nothing was unmarked: %s"), why);
        post_marks(w, r);
        return;
    }
    struct pv_error err;
    pv_error_clear(&err);
    enum pop3_status st = send_rset(w, &err);
    if (st == POP3_OK)
        mb_worker_notice(w, _("all marks removed (RSET)"));
    else if (!mb_status_breaks(st))
        mb_worker_notice(w, _("the marks stay: %s"), err.msg);
    else
        clear_marks(w); /* not to be restored */
    post_marks(w, r);
    if (mb_status_breaks(st))
        mb_worker_lost(w, &err);
}

/* Receives a message into memory for the UI. */
struct fetch_sink {
    struct mb_worker *w;
    uint64_t id;
    struct pv_spool *spool; /* heap while small, a temporary file beyond */
    uint64_t done;
    uint64_t next_report;
    bool too_big;
    bool spool_failed; /* the temporary file could not be written */
    struct pv_error spool_err;
    bool superseded;
};

static bool fetch_data(void *ctx, const char *data, size_t len, bool line_end)
{
    struct fetch_sink *f = ctx;
    if (!pv_spool_write(f->spool, data, len, &f->spool_err) ||
        (line_end && !pv_spool_write(f->spool, "\r\n", 2, &f->spool_err))) {
        if (pv_spool_full(f->spool))
            f->too_big = true;
        else
            f->spool_failed = true;
        return false;
    }
    f->done += len + (line_end ? 2 : 0);
    if (f->done >= f->next_report) {
        f->next_report = f->done + MB_PROGRESS_STEP;
        mb_channel_post_progress(f->w->ch, f->id, f->done);
        if (mb_channel_latest_fetch(f->w->ch) != f->id) {
            f->superseded = true; /* the UI asked for another message meanwhile */
            return false;
        }
    }
    return true;
}

static void post_message(struct mb_worker *w, struct mb_request *r, struct pv_spool *message,
                         char *error)
{
    struct mb_result *res = mb_result_new(MB_RES_MESSAGE);
    res->fetch_id = r->fetch_id;
    res->index = r->index;
    res->message = message;
    res->text = error;
    mb_channel_post(w->ch, res);
}

/* The sentence for a fetch that failed; NULL when nobody waits for it. */
static char *fetch_failure(const struct fetch_sink *f, unsigned msgno, enum pop3_status st,
                           const struct pv_error *err)
{
    if (f->superseded)
        return NULL;
    if (f->too_big) {
        char cap[16];
        pv_format_size(MB_MESSAGE_CAP, cap, sizeof cap);
        return pv_xasprintf(_("message %u is larger than the %s popview reads (its LIST size was "
                              "smaller)"),
                            msgno, cap);
    }
    if (f->spool_failed)
        return pv_xasprintf(_("message %u could not be kept while reading it: %s"), msgno,
                            f->spool_err.msg);
    if (st == POP3_ERR_UNSUPPORTED)
        return pv_xasprintf(_("the server does not support TOP, so there is no preview of message "
                              "%u; read the whole message instead"),
                            msgno);
    return pv_xasprintf(_("message %u could not be read: %s"), msgno, err->msg);
}

static void do_fetch(struct mb_worker *w, struct mb_request *r)
{
    if (mb_channel_latest_fetch(w->ch) != r->fetch_id)
        return; /* another message was asked for since: nobody waits for this one */
    const char *why = not_ready(w, r);
    if (why) {
        post_message(w, r, NULL,
                     pv_xasprintf(_("message %zu cannot be read: %s"), r->index + 1, why));
        return;
    }
    unsigned msgno = w->list[r->index].msgno;
    uint64_t size = w->list[r->index].size;
    bool preview = r->kind == MB_REQ_PREVIEW;
    if (!preview && size > MB_MESSAGE_CAP) {
        char have[16], cap[16];
        pv_format_size(size, have, sizeof have);
        pv_format_size(MB_MESSAGE_CAP, cap, sizeof cap);
        post_message(
            w, r, NULL,
            pv_xasprintf(_("message %u is %s, more than the %s popview reads"), msgno, have, cap));
        return;
    }
    struct fetch_sink f = {.w = w, .id = r->fetch_id, .next_report = MB_PROGRESS_STEP};
    f.spool = pv_spool_new(MB_MESSAGE_CAP);
    pv_error_clear(&f.spool_err);
    struct pv_error err;
    pv_error_clear(&err);
    enum pop3_status st = preview ? pop3_session_top(w->s, msgno, r->lines, fetch_data, &f, &err)
                                  : pop3_session_retr(w->s, msgno, fetch_data, &f, &err);
    if (st == POP3_OK && pv_spool_finish(f.spool, &f.spool_err)) {
        post_message(w, r, f.spool, NULL);
        return;
    }
    if (st == POP3_OK)
        f.spool_failed = true;
    pv_spool_free(&f.spool);
    char *error = fetch_failure(&f, msgno, st, &err);
    if (error) /* NULL when superseded: nobody waits for this message */
        post_message(w, r, NULL, error);
    /* Even superseded: the connection may have broken while the rest of
     * the reply was read and thrown away. */
    if (mb_status_breaks(st))
        mb_worker_lost(w, &err);
}

/* Ends a session that did not reach TRANSACTION, or cannot QUIT. */
static void close_without_quit(struct mb_worker *w, char *error)
{
    close_session(w);
    w->closed = true;
    w->task = MB_TASK_IDLE;
    mb_load_requeue(w);
    report_state(w);
    mb_worker_post_phase(w, MAILBOX_CLOSED, error);
}

static void post_quit_reply(struct mb_worker *w, char *text)
{
    struct mb_result *r = mb_result_new(MB_RES_QUIT_REPLY);
    r->text = text;
    mb_channel_post(w->ch, r);
}

static void do_quit(struct mb_worker *w, struct mb_request *r)
{
    if (w->closed)
        return;
    mb_worker_post_phase(w, MAILBOX_QUITTING, NULL);
    if (!w->s && !w->lost) {
        close_without_quit(w, NULL); /* not connected yet: nothing could be marked */
        return;
    }
    if (w->lost || !w->s) {
        close_without_quit(
            w, pv_xasprintf(_("the connection to %s was lost before QUIT, so nothing was deleted "
                              "(the server deletes marked messages only at QUIT)"),
                            w->where));
        return;
    }
    if (pop3_session_state(w->s) != POP3_STATE_TRANSACTION) {
        close_without_quit(w, NULL); /* not logged in: nothing could be marked */
        return;
    }
    struct pv_error err;
    pv_error_clear(&err);
    if (!r->commit) {
        mb_tracer_info(&w->tracer, _("leaving without deleting: RSET, then QUIT"));
        enum pop3_status st = send_rset(w, &err);
        if (st != POP3_OK) {
            /* QUIT now would delete what is still marked: close without it. */
            close_without_quit(w,
                               pv_xasprintf(_("%s; popview closed the connection without QUIT, so "
                                              "nothing was deleted"),
                                            err.msg));
            return;
        }
    }
    w->tracer.quit_sent = false;
    char *reply = NULL;
    enum pop3_status st = pop3_session_quit(w->s, &reply, &err);
    bool sent = w->tracer.quit_sent;
    report_state(w);
    close_session(w);
    w->closed = true;
    w->task = MB_TASK_IDLE;
    mb_load_requeue(w);
    if (st == POP3_OK && r->commit)
        clear_marks(w); /* they are gone */
    if (reply)
        post_quit_reply(w, mb_one_line(reply, strlen(reply)));
    free(reply);
    char *error = NULL;
    if (st != POP3_OK && !sent)
        error = pv_xasprintf(_("the connection to %s was lost before QUIT, so nothing was deleted "
                               "(the server deletes marked messages only at QUIT): %s"),
                             w->where, err.msg);
    else if (st != POP3_OK)
        error = pv_xstrdup(err.msg);
    report_state(w);
    mb_worker_post_phase(w, MAILBOX_CLOSED, error);
}

/* A command typed by hand: sent as it is (the UI explained a mistake
 * first); its data lines reach the transcript only.  The marks follow a
 * DELE or RSET the server accepted, so the screen still shows exactly what
 * QUIT would delete. */
static bool discard_data(void *ctx, const char *data, size_t len, bool line_end)
{
    (void)ctx;
    (void)data;
    (void)len;
    (void)line_end;
    return true;
}

static void follow_raw(struct mb_worker *w, const struct mb_raw *raw)
{
    unsigned msgno;
    if (raw->info->cmd == POP3_CMD_RSET) {
        clear_marks(w);
    } else if (raw->info->cmd == POP3_CMD_DELE && raw->nargs == 1 &&
               pv_parse_uint(raw->args[0], strlen(raw->args[0]), &msgno)) {
        size_t index = mb_worker_index_of(w, msgno);
        if (index != (size_t)-1)
            w->marked[index] = true;
    } else {
        return;
    }
    post_marks(w, NULL);
}

static void do_raw(struct mb_worker *w, struct mb_request *r)
{
    struct pv_error err;
    pv_error_clear(&err);
    struct mb_raw raw;
    if (!mb_raw_parse(r->line, &raw, &err)) {
        mb_worker_notice(w, _("nothing was sent: %s"), err.msg);
        return;
    }
    const char *name = raw.info->name;
    if (w->closed || w->lost || !w->s) {
        mb_worker_notice(w, _("%s was not sent: %s"), name,
                         w->closed ? _("the session is closed") : _("not connected"));
        mb_raw_clear(&raw);
        return;
    }
    enum pop3_status st =
        pop3_session_raw(w->s, raw.info->cmd, raw.args, raw.nargs, true, discard_data, NULL, &err);
    if (st == POP3_OK) {
        follow_raw(w, &raw);
        mb_worker_notice(w, _("%s: the server said +OK (the transcript shows the whole answer)"),
                         name);
    } else if (st == POP3_ERR_SERVER) {
        mb_worker_notice(w, _("%s: the server said -ERR %s"), name, err.server);
    } else if (!mb_status_breaks(st)) {
        mb_worker_notice(w, "%s", err.msg);
    }
    mb_raw_clear(&raw);
    if (mb_status_breaks(st))
        mb_worker_lost(w, &err);
}

static void do_reconnect(struct mb_worker *w)
{
    mb_channel_post(w->ch, mb_result_new(MB_RES_RECONNECT_DONE));
    if (!(w->lost || w->closed) || w->task != MB_TASK_IDLE)
        return;
    mb_tracer_info(&w->tracer, _("reconnecting to %s"), w->where);
    w->task = MB_TASK_CONNECT;
}

static void do_keepalive(struct mb_worker *w, struct mb_request *r)
{
    int64_t idle = mb_monotonic_ms() - w->tracer.last_sent_ms;
    bool due = idle >= (int64_t)r->idle_seconds * 1000;
    if (due && w->s && !w->lost && pop3_session_state(w->s) == POP3_STATE_TRANSACTION) {
        struct pv_error err;
        pv_error_clear(&err);
        mb_tracer_info(&w->tracer, _("idle for %lld s: NOOP keeps the session alive"),
                       (long long)(idle / 1000));
        enum pop3_status st = pop3_session_noop(w->s, &err);
        if (st == POP3_OK)
            mb_worker_notice(w, _("NOOP sent to keep the session alive"));
        else if (mb_status_breaks(st))
            mb_worker_lost(w, &err);
        else
            mb_worker_notice(w, _("NOOP failed: %s"), err.msg);
    }
    mb_channel_post(w->ch, mb_result_new(MB_RES_KEEPALIVE_DONE));
}

static void serve(struct mb_worker *w, struct mb_request *r)
{
    switch (r->kind) {
    case MB_REQ_MARK:
        do_mark(w, r);
        break;
    case MB_REQ_UNMARK:
        do_unmark(w, r);
        break;
    case MB_REQ_UNMARK_ALL:
        do_unmark_all(w, r);
        break;
    case MB_REQ_FETCH:
    case MB_REQ_PREVIEW:
        do_fetch(w, r);
        break;
    case MB_REQ_PRIORITIZE:
        mb_load_prioritize(w, r);
        break;
    case MB_REQ_QUIT:
        do_quit(w, r);
        break;
    case MB_REQ_RECONNECT:
        do_reconnect(w);
        break;
    case MB_REQ_KEEPALIVE:
        do_keepalive(w, r);
        break;
    case MB_REQ_RAW:
        do_raw(w, r);
        break;
    }
    if (w->s)
        report_state(w);
}

/* --- idle ----------------------------------------------------------------- */

/* The idle session's socket became readable: the server closed it, or said
 * something on its own (an autologout "-ERR" before closing). */
static void on_idle_socket(struct mb_worker *w)
{
    char c;
    ssize_t n = recv(w->sock, &c, 1, MSG_PEEK | MSG_DONTWAIT);
    struct pv_error err;
    pv_error_clear(&err);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
        char why[160] = "", buf[128];
        if (n < 0)
            snprintf(why, sizeof why, ": %s", strerror_r(errno, buf, sizeof buf));
        pv_error_set(&err, _("the server closed the connection%s"), why);
        mb_tracer_info(&w->tracer, _("%s while popview was idle"), err.msg);
        mb_worker_lost(w, &err);
        return;
    }
    if (n < 0)
        return;
    mb_tracer_info(&w->tracer, _("the server sent something while popview was idle: NOOP to see "
                                 "whether the session is still alive"));
    enum pop3_status st = pop3_session_noop(w->s, &err);
    if (mb_status_breaks(st))
        mb_worker_lost(w, &err);
    else
        w->watch_quiet_until = mb_monotonic_ms() + MB_WATCH_QUIET_MS;
}

static void idle_wait(struct mb_worker *w)
{
    bool alive = w->s && !w->lost && !w->closed && w->sock >= 0;
    int64_t now = mb_monotonic_ms();
    int watch = alive && now >= w->watch_quiet_until ? w->sock : -1;
    int timeout = alive && watch < 0 ? (int)(w->watch_quiet_until - now) : -1;
    if (mb_channel_wait(w->ch, watch, timeout) == MB_WAKE_SOCKET)
        on_idle_socket(w);
}

/* --- the loop ------------------------------------------------------------- */

void *mb_worker_main(void *arg)
{
    struct mb_worker *w = arg;
    struct mb_channel *ch = w->ch;
    for (;;) {
        struct mb_request *r;
        while (!mb_channel_stopping(ch) && (r = mb_channel_next_request(ch))) {
            serve(w, r);
            mb_request_free(r);
        }
        if (mb_channel_stopping(ch))
            break;
        switch (w->task) {
        case MB_TASK_CONNECT:
            step_connect(w);
            break;
        case MB_TASK_LOGIN:
            step_login(w);
            break;
        case MB_TASK_SCAN:
            step_scan(w);
            break;
        case MB_TASK_LOAD:
            mb_load_chunk(w);
            break;
        case MB_TASK_IDLE:
            idle_wait(w);
            break;
        }
    }
    /* mailbox_free: close without QUIT, so nothing marked is deleted. */
    mb_worker_free(&w);
    mb_channel_worker_exited(ch);
    mb_channel_unref(&ch);
    return NULL;
}
