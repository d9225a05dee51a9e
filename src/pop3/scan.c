/*
 * Reading the mailbox's shape: STAT + LIST + UIDL in one go (pipelined when
 * the server allows), and batches of TOP or RETR for many messages.
 *
 * A server's numbers are checked against each other before anything is
 * believed: LIST may not list more messages than STAT counted, numbers must
 * rise, and a UIDL that is malformed or repeated is dropped rather than
 * used — a wrong UIDL would attach a mark or a cached header to the wrong
 * message.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <popview/util.h>

#include <popview/pop3.h>

#include <popview/i18n.h>

#include "private.h"
#include "session_private.h"

/* A RETR reply is cut off past twice its LIST size (a server that stores
 * LF line ends may count each line end as one octet), rounded up to whole
 * MiB, plus RETR_SLACK. */
enum { SCAN_LINE_MAX = 1024, RETR_SLACK = 16 << 20, MIB = 1 << 20 };

struct scan_ctx {
    struct pop3_session *s;
    /* STAT */
    struct pop3_simple_reply stat_reply;
    bool stat_known;
    unsigned stat_count;
    /* LIST */
    struct pop3_listing *list;
    size_t count, alloc;
    struct pv_buf line;
    bool list_ok;
    bool list_done;
    struct pv_error list_err;
    bool list_bad;
    /* UIDL */
    bool uidl_queued;
    bool uidl_ok;
    bool uidl_done;
    unsigned uidl_dropped;
};

/* Collects a data line up to SCAN_LINE_MAX; true when the line is complete. */
static bool scan_collect(struct scan_ctx *c, const struct pop3_event *ev)
{
    if (c->line.len < SCAN_LINE_MAX) {
        size_t room = SCAN_LINE_MAX - c->line.len;
        bool fits = pv_buf_append(&c->line, ev->text, ev->len < room ? ev->len : room);
        (void)fits;
    }
    return ev->line_end;
}

static bool stat_on_event(void *vctx, struct pop3_engine *eng, const struct pop3_event *ev)
{
    (void)eng;
    struct scan_ctx *c = vctx;
    if (ev->kind != POP3_EV_STATUS || !ev->ok)
        return true;
    const char *sp = memchr(ev->text, ' ', ev->len);
    size_t n = sp ? (size_t)(sp - ev->text) : ev->len;
    c->stat_known = pv_parse_uint(ev->text, n, &c->stat_count);
    return true;
}

static void stat_on_done(void *vctx, struct pop3_engine *eng, bool ok, const char *text,
                         enum pop3_resp_code code)
{
    (void)eng;
    struct scan_ctx *c = vctx;
    c->stat_reply.done = true;
    c->stat_reply.ok = ok;
    c->stat_reply.code = code;
    snprintf(c->stat_reply.text, sizeof c->stat_reply.text, "%s", text ? text : "");
}

/* Records the first LIST problem: why, and the (sanitized) line. */
static void list_fail(struct scan_ctx *c, const char *why, const char *line)
{
    if (c->list_bad)
        return;
    c->list_bad = true;
    struct pv_error tmp;
    pv_error_clear(&tmp);
    pv_error_set_server(&tmp, line, strlen(line) > 80 ? 80 : strlen(line));
    pv_error_set(&c->list_err, _("the server's LIST %s: \"%s\""), why, tmp.server);
}

static void list_take_line(struct scan_ctx *c, const char *line, size_t len)
{
    const char *sp = memchr(line, ' ', len);
    unsigned msgno;
    uint64_t size;
    size_t n2 = 0;
    if (sp) {
        const char *p2 = sp + 1;
        n2 = strcspn(p2, " ");
    }
    if (!sp || !pv_parse_uint(line, (size_t)(sp - line), &msgno) || msgno == 0 ||
        !pv_parse_u64(sp + 1, n2, &size)) {
        list_fail(c, _("line is not \"number size\""), line);
        return;
    }
    if (c->count > 0 && msgno <= c->list[c->count - 1].msgno) {
        list_fail(c, _("repeats or reorders message numbers at"), line);
        return;
    }
    if (c->stat_known && (c->count >= c->stat_count || msgno > c->stat_count)) {
        list_fail(c, _("disagrees with STAT (more messages, or a number out of range) at"), line);
        return;
    }
    if (c->count == c->alloc) {
        c->alloc = c->alloc ? c->alloc * 2 : 256;
        c->list = pv_xreallocarray(c->list, c->alloc, sizeof *c->list);
    }
    c->list[c->count++] = (struct pop3_listing){.msgno = msgno, .size = size, .uid = NULL};
}

static bool list_on_event(void *vctx, struct pop3_engine *eng, const struct pop3_event *ev)
{
    (void)eng;
    struct scan_ctx *c = vctx;
    if (ev->kind == POP3_EV_STATUS) {
        c->list_ok = ev->ok;
        return true;
    }
    if (ev->kind != POP3_EV_DATA || c->list_bad)
        return true;
    if (scan_collect(c, ev)) {
        list_take_line(c, c->line.data ? c->line.data : "", c->line.len);
        pv_buf_reset(&c->line);
    }
    return true;
}

static void list_on_done(void *vctx, struct pop3_engine *eng, bool ok, const char *text,
                         enum pop3_resp_code code)
{
    (void)eng, (void)text, (void)code;
    struct scan_ctx *c = vctx;
    c->list_done = true;
    c->list_ok = ok;
    if (!ok && !c->list_bad) {
        struct pv_error tmp;
        pv_error_clear(&tmp);
        pv_error_set_server(&tmp, text ? text : "", text ? strlen(text) : 0);
        pv_error_set(&c->list_err, _("LIST failed: the server said \"-ERR %s\""), tmp.server);
    }
}

static struct pop3_listing *scan_find(struct scan_ctx *c, unsigned msgno)
{
    size_t lo = 0, hi = c->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (c->list[mid].msgno == msgno)
            return &c->list[mid];
        if (c->list[mid].msgno < msgno)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

static void uidl_take_line(struct scan_ctx *c, struct pop3_engine *eng, const char *line,
                           size_t len)
{
    const char *sp = memchr(line, ' ', len);
    unsigned msgno;
    if (!sp || !pv_parse_uint(line, (size_t)(sp - line), &msgno)) {
        c->uidl_dropped++;
        return;
    }
    const char *uid = sp + 1;
    size_t ulen = len - (size_t)(uid - line);
    struct pop3_listing *m = scan_find(c, msgno);
    if (!m || !pop3_uidl_valid(uid, ulen)) {
        c->uidl_dropped++;
        pop3_engine_info(eng, _("ignoring UIDL line for message %u: %s"), msgno,
                         m ? _("not a valid unique-id") : _("LIST did not list it"));
        return;
    }
    if (m->uid) {
        c->uidl_dropped++;
        return;
    }
    m->uid = pv_xstrndup(uid, ulen);
}

static bool uidl_on_event(void *vctx, struct pop3_engine *eng, const struct pop3_event *ev)
{
    struct scan_ctx *c = vctx;
    if (ev->kind != POP3_EV_DATA)
        return true;
    if (scan_collect(c, ev)) {
        uidl_take_line(c, eng, c->line.data ? c->line.data : "", c->line.len);
        pv_buf_reset(&c->line);
    }
    return true;
}

static void uidl_on_done(void *vctx, struct pop3_engine *eng, bool ok, const char *text,
                         enum pop3_resp_code code)
{
    (void)eng, (void)text, (void)code;
    struct scan_ctx *c = vctx;
    c->uidl_done = true;
    c->uidl_ok = ok;
}

static int uid_cmp(const void *a, const void *b)
{
    const struct pop3_listing *const *x = a;
    const struct pop3_listing *const *y = b;
    return strcmp((*x)->uid, (*y)->uid);
}

/* A repeated UIDL identifies nothing: drop it from every message that has it. */
static unsigned scan_drop_duplicate_uids(struct scan_ctx *c)
{
    size_t n = 0;
    struct pop3_listing **byuid = pv_xcalloc(c->count ? c->count : 1, sizeof *byuid);
    for (size_t i = 0; i < c->count; i++)
        if (c->list[i].uid)
            byuid[n++] = &c->list[i];
    qsort(byuid, n, sizeof *byuid, uid_cmp);
    unsigned dropped = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i + 1;
        while (j < n && strcmp(byuid[i]->uid, byuid[j]->uid) == 0)
            j++;
        if (j - i > 1) {
            for (size_t k = i; k < j; k++) {
                free(byuid[k]->uid);
                byuid[k]->uid = NULL;
                dropped++;
            }
        }
        i = j;
    }
    free(byuid);
    return dropped;
}

void pop3_listing_free(struct pop3_listing **list, size_t count)
{
    if (!list || !*list)
        return;
    for (size_t i = 0; i < count; i++)
        free((*list)[i].uid);
    free(*list);
    *list = NULL;
}

/* Keeps the sizes LIST gave for pop3_session_retr_cap. */
static void scan_keep_sizes(struct pop3_session *s, const struct scan_ctx *c)
{
    free(s->sizes);
    s->sizes = pv_xcalloc(c->count ? c->count : 1, sizeof *s->sizes);
    for (size_t i = 0; i < c->count; i++)
        s->sizes[i] = (struct pop3_msg_size){.msgno = c->list[i].msgno, .size = c->list[i].size};
    s->nsizes = c->count;
}

/* Where msgno is in s->sizes (sorted by msgno), or where it would go. */
static size_t sizes_position(const struct pop3_session *s, unsigned msgno)
{
    size_t lo = 0, hi = s->nsizes;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->sizes[mid].msgno < msgno)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

void pop3_session_keep_size(struct pop3_session *s, unsigned msgno, uint64_t size)
{
    size_t at = sizes_position(s, msgno);
    if (at < s->nsizes && s->sizes[at].msgno == msgno) {
        s->sizes[at].size = size;
        return;
    }
    s->sizes = pv_xreallocarray(s->sizes, s->nsizes + 1, sizeof *s->sizes);
    memmove(s->sizes + at + 1, s->sizes + at, (s->nsizes - at) * sizeof *s->sizes);
    s->sizes[at] = (struct pop3_msg_size){.msgno = msgno, .size = size};
    s->nsizes++;
}

uint64_t pop3_session_retr_cap(const struct pop3_session *s, unsigned msgno)
{
    size_t at = sizes_position(s, msgno);
    if (at == s->nsizes || s->sizes[at].msgno != msgno)
        return 0;
    uint64_t size = s->sizes[at].size;
    if (size > (UINT64_MAX - RETR_SLACK - MIB) / 2)
        return 0; /* an absurd size caps nothing */
    return (2 * size + MIB - 1) / MIB * MIB + RETR_SLACK;
}

static enum pop3_status scan_finish(struct pop3_session *s, struct scan_ctx *c,
                                    struct pv_error *err)
{
    if (!c->stat_reply.ok)
        return pop3_session_reply_status(&c->stat_reply, "STAT", err);
    if (!c->stat_known) {
        pv_error_set_server(err, c->stat_reply.text, strlen(c->stat_reply.text));
        pv_error_set(err, _("the server's STAT answer is not \"count size\": \"%s\""), err->server);
        return POP3_ERR_PROTOCOL;
    }
    if (c->list_bad || !c->list_ok) {
        if (err)
            memcpy(err->msg, c->list_err.msg, sizeof err->msg);
        return c->list_bad ? POP3_ERR_PROTOCOL : POP3_ERR_SERVER;
    }
    if (c->count != c->stat_count)
        pop3_engine_info(s->eng, _("STAT counted %u messages but LIST listed %zu; using LIST"),
                         c->stat_count, c->count);
    scan_keep_sizes(s, c);
    if (c->uidl_queued) {
        if (c->uidl_ok) {
            s->uidl = POP3_SUPPORT_YES;
            unsigned dup = scan_drop_duplicate_uids(c);
            if (dup)
                pop3_engine_info(s->eng,
                                 /* English says "messages" even for one. */
                                 P_("%u messages share a UIDL with another; their marks "
                                    "and cache entries will not be kept by UIDL",
                                    "%u messages share a UIDL with another; their marks "
                                    "and cache entries will not be kept by UIDL",
                                    dup),
                                 dup);
        } else {
            for (size_t i = 0; i < c->count; i++) {
                free(c->list[i].uid);
                c->list[i].uid = NULL;
            }
            s->uidl = POP3_SUPPORT_NO;
            pop3_engine_info(s->eng, _("UIDL failed: marks will last only for this session"));
        }
    }
    return POP3_OK;
}

enum pop3_status pop3_session_scan(struct pop3_session *s, struct pop3_listing **list_out,
                                   size_t *count_out, struct pv_error *err)
{
    *list_out = NULL;
    *count_out = 0;
    enum pop3_status st = pop3_session_require(s, POP3_CMD_LIST, err);
    if (st != POP3_OK)
        return st;
    struct scan_ctx c = {.s = s};
    pv_buf_init(&c.line, 0);
    pv_error_clear(&c.list_err);
    struct pop3_reply_handler hs = {.on_event = stat_on_event, .on_done = stat_on_done, .ctx = &c};
    struct pop3_reply_handler hl = {.on_event = list_on_event, .on_done = list_on_done, .ctx = &c};
    struct pop3_reply_handler hu = {.on_event = uidl_on_event, .on_done = uidl_on_done, .ctx = &c};
    st = pop3_engine_queue(s->eng, POP3_CMD_STAT, NULL, 0, &hs, err);
    if (st == POP3_OK)
        st = pop3_engine_queue(s->eng, POP3_CMD_LIST, NULL, 0, &hl, err);
    if (st == POP3_OK && s->uidl != POP3_SUPPORT_NO) {
        c.uidl_queued = true;
        st = pop3_engine_queue(s->eng, POP3_CMD_UIDL, NULL, 0, &hu, err);
    }
    if (st == POP3_OK)
        st = pop3_engine_drain(s->eng, err);
    pv_buf_free(&c.line);
    if (st == POP3_OK)
        st = scan_finish(s, &c, err);
    if (st != POP3_OK) {
        pop3_listing_free(&c.list, c.count);
        return st;
    }
    *list_out = c.list;
    *count_out = c.count;
    return POP3_OK;
}

/* --- batches of TOP / RETR ---------------------------------------------- */

struct batch_ctx {
    const struct pop3_batch_handler *h;
};

struct batch_item {
    struct batch_ctx *batch;
    unsigned msgno;
};

static bool batch_on_event(void *vctx, struct pop3_engine *eng, const struct pop3_event *ev)
{
    (void)eng;
    struct batch_item *it = vctx;
    const struct pop3_batch_handler *h = it->batch->h;
    if (ev->kind == POP3_EV_STATUS) {
        if (h->begin)
            h->begin(h->ctx, it->msgno);
        return true;
    }
    if (ev->kind == POP3_EV_DATA && h->data && !h->data(h->ctx, ev->text, ev->len, ev->line_end))
        return false;
    return true;
}

static void batch_on_done(void *vctx, struct pop3_engine *eng, bool ok, const char *text,
                          enum pop3_resp_code code)
{
    (void)eng, (void)code;
    struct batch_item *it = vctx;
    const struct pop3_batch_handler *h = it->batch->h;
    if (h->done)
        h->done(h->ctx, it->msgno, ok, text ? text : "");
}

static bool discard_sink(void *ctx, const char *data, size_t len, bool line_end)
{
    (void)ctx, (void)data, (void)len, (void)line_end;
    return true;
}

static enum pop3_status run_batch(struct pop3_session *s, enum pop3_cmd cmd, const unsigned *msgnos,
                                  size_t count, unsigned lines, const struct pop3_batch_handler *h,
                                  struct pv_error *err)
{
    enum pop3_status st = pop3_session_require(s, cmd, err);
    if (st != POP3_OK || count == 0)
        return st;
    struct batch_ctx b = {.h = h};
    struct batch_item *items = pv_xcalloc(count, sizeof *items);
    char lines_arg[16];
    snprintf(lines_arg, sizeof lines_arg, "%u", lines);
    /* English says "messages" even for one. */
    pop3_engine_info(s->eng,
                     P_("fetching %zu messages with %s, %s", "fetching %zu messages with %s, %s",
                        (unsigned long)count),
                     count, pop3_cmd_info(cmd)->name,
                     pop3_session_pipelining(s) ? _("pipelined") : _("one at a time"));
    for (size_t i = 0; i < count && st == POP3_OK; i++) {
        items[i] = (struct batch_item){.batch = &b, .msgno = msgnos[i]};
        char n[16];
        snprintf(n, sizeof n, "%u", msgnos[i]);
        const char *args[] = {n, lines_arg};
        struct pop3_reply_handler rh = {
            .on_event = batch_on_event, .on_done = batch_on_done, .ctx = &items[i]};
        st = pop3_engine_queue(s->eng, cmd, args, cmd == POP3_CMD_TOP ? 2 : 1, &rh, err);
        if (st == POP3_OK && cmd == POP3_CMD_RETR)
            pop3_engine_cap_last(s->eng, pop3_session_retr_cap(s, msgnos[i]));
    }
    if (st == POP3_OK)
        st = pop3_engine_drain(s->eng, err);
    free(items);
    return st;
}

enum pop3_status pop3_session_top_batch(struct pop3_session *s, const unsigned *msgnos,
                                        size_t count, unsigned lines,
                                        const struct pop3_batch_handler *h, struct pv_error *err)
{
    enum pop3_status st = pop3_session_require(s, POP3_CMD_TOP, err);
    if (st != POP3_OK || count == 0)
        return st;
    if (s->top == POP3_SUPPORT_UNKNOWN) {
        /* Learn by trying, on the first message, before promising anything. */
        st = pop3_session_top(s, msgnos[0], 0, discard_sink, NULL, err);
        if (st != POP3_OK && st != POP3_ERR_SERVER)
            return st;
    }
    if (s->top == POP3_SUPPORT_NO) {
        pv_error_set(err, _("the server does not support TOP"));
        return POP3_ERR_UNSUPPORTED;
    }
    return run_batch(s, POP3_CMD_TOP, msgnos, count, lines, h, err);
}

enum pop3_status pop3_session_retr_batch(struct pop3_session *s, const unsigned *msgnos,
                                         size_t count, const struct pop3_batch_handler *h,
                                         struct pv_error *err)
{
    return run_batch(s, POP3_CMD_RETR, msgnos, count, 0, h, err);
}
