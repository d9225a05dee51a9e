/*
 * Loading summaries: TOP n 0 (RFC 1939 section 7) for a batch of messages
 * at a time, pipelined by the session when the server offers PIPELINING
 * (RFC 2449 section 6.6), in the order the screen needs them: the rows on
 * screen first, then onward from there, then the rest.
 *
 * A batch cannot be interrupted half-way through the pop3 API, so batches
 * are kept short (about MB_CHUNK_TARGET_MS on this server, measured as we
 * go): between two batches the worker serves the UI's requests, so a mark
 * or a fetch waits at most one short batch.  Without TOP, the headers are
 * cut from RETR (the rest of each message is read and dropped).
 *
 * After a reconnect, summaries already loaded are kept by UIDL: the same
 * UIDL is the same message (RFC 1939 section 7), whatever its new number.
 * For the same reason the header cache (cache.c) answers for the messages
 * seen in earlier sessions: only the others are asked for with TOP.
 */
#include <stdlib.h>
#include <string.h>

#include <popview/util.h>

#include <popview/pop3.h>

#include <popview/mailbox.h>

#include <popview/i18n.h>

#include "private.h"
#include "worker.h"

/* --- UIDL map -------------------------------------------------------------- */

struct uid_entry {
    const char *uid;
    size_t index;
};

struct mb_uid_map {
    struct uid_entry *e;
    size_t n;
};

static int uid_entry_cmp(const void *a, const void *b)
{
    const struct uid_entry *x = a, *y = b;
    return strcmp(x->uid, y->uid);
}

struct mb_uid_map *mb_uid_map_new(const struct pop3_listing *list, size_t count)
{
    struct mb_uid_map *m = pv_xcalloc(1, sizeof *m);
    m->e = pv_xcalloc(count ? count : 1, sizeof *m->e);
    for (size_t i = 0; i < count; i++)
        if (list[i].uid)
            m->e[m->n++] = (struct uid_entry){.uid = list[i].uid, .index = i};
    qsort(m->e, m->n, sizeof *m->e, uid_entry_cmp);
    return m;
}

size_t mb_uid_map_find(const struct mb_uid_map *m, const char *uid)
{
    if (!uid)
        return (size_t)-1;
    struct uid_entry key = {.uid = uid};
    const struct uid_entry *hit = bsearch(&key, m->e, m->n, sizeof *m->e, uid_entry_cmp);
    return hit ? hit->index : (size_t)-1;
}

void mb_uid_map_free(struct mb_uid_map **mp)
{
    if (!mp || !*mp)
        return;
    free((*mp)->e);
    free(*mp);
    *mp = NULL;
}

/* --- order ---------------------------------------------------------------- */

static void drop_cached(struct mb_load *l)
{
    for (size_t k = 0; k < l->cached_n; k++)
        mb_result_free(l->cached[k]);
    free(l->cached);
    l->cached = NULL;
    l->cached_n = 0;
}

void mb_load_clear(struct mb_load *l)
{
    drop_cached(l);
    free(l->state);
    free(l->perm);
    free(l->front);
    free(l->refused);
    free(l->refused_text);
    pv_buf_free(&l->header);
    memset(l, 0, sizeof *l);
}

static size_t row_to_index(const struct mb_worker *w, size_t row)
{
    return w->load.perm ? w->load.perm[row] : row;
}

static void put_on_screen(struct mb_worker *w, size_t first_row, size_t row_count)
{
    struct mb_load *l = &w->load;
    if (w->count == 0)
        return;
    size_t first = first_row < w->count ? first_row : w->count - 1;
    size_t n = row_count < w->count - first ? row_count : w->count - first;
    free(l->front);
    l->front = pv_xcalloc(n ? n : 1, sizeof *l->front);
    l->front_n = n;
    l->front_pos = 0;
    for (size_t i = 0; i < n; i++)
        l->front[i] = row_to_index(w, first + i);
    l->cursor = (first + n) % w->count;
    l->visited = 0;
}

/* Marks the messages the header cache knows (same UIDL, same size) as
 * done and keeps their summaries for mb_load_post_cached.  Messages
 * without a UIDL are never looked up: without one nothing says it is the
 * message cached before. */
static void take_from_cache(struct mb_worker *w)
{
    struct mb_load *l = &w->load;
    if (!w->cache)
        return;
    for (size_t i = 0; i < w->count; i++) {
        if (l->state[i] != MB_LOAD_NEED)
            continue;
        const struct mailbox_headline *hl =
            mailbox_cache_lookup(w->cache, w->list[i].uid, w->list[i].size);
        if (!hl)
            continue;
        if (!l->cached)
            l->cached = pv_xcalloc(w->count, sizeof *l->cached);
        struct mb_result *r = mb_result_new(MB_RES_SUMMARY);
        r->index = i;
        mb_parsed_from_headline(hl, &r->parsed);
        l->cached[l->cached_n++] = r;
        l->state[i] = MB_LOAD_DONE;
        l->remaining--;
    }
}

void mb_load_open_cache(struct mb_worker *w)
{
    if (!w->cache_dir || w->cache)
        return;
    w->cache = mailbox_cache_open(w->cache_dir, w->user, w->host, w->port);
    const char *path = mailbox_cache_path(w->cache);
    switch (mailbox_cache_state(w->cache)) {
    case MAILBOX_CACHE_EMPTY:
    case MAILBOX_CACHE_LOADED:
        break;
    case MAILBOX_CACHE_DAMAGED:
        mb_tracer_info(&w->tracer,
                       _("the header cache %s failed its checks and is not used; it "
                         "is written anew"),
                       path);
        break;
    case MAILBOX_CACHE_OTHER_VERSION:
        mb_tracer_info(&w->tracer,
                       _("the header cache %s is from another version of popview; "
                         "it is written anew"),
                       path);
        break;
    case MAILBOX_CACHE_UNUSABLE:
        mb_tracer_info(&w->tracer,
                       _("no header cache: %s cannot be made, or is not a directory of "
                         "yours with mode 0700 (make it so, or use --no-cache)"),
                       w->cache_dir);
        break;
    }
}

void mb_load_post_cached(struct mb_worker *w)
{
    struct mb_load *l = &w->load;
    size_t n = l->cached_n;
    if (n == 0)
        return;
    for (size_t k = 0; k < n; k++)
        mb_channel_post(w->ch, l->cached[k]);
    free(l->cached);
    l->cached = NULL;
    l->cached_n = 0;
    mb_tracer_info(&w->tracer,
                   P_("summaries of %zu message from the header cache (by UIDL and size); %zu "
                      "to fetch with TOP",
                      "summaries of %zu messages from the header cache (by UIDL and size); %zu "
                      "to fetch with TOP",
                      n),
                   n, l->remaining);
    mb_worker_notice(w,
                     P_("summaries of %zu message from the cache, %zu to fetch",
                        "summaries of %zu messages from the cache, %zu to fetch", n),
                     n, l->remaining);
}

void mb_load_save_cache(struct mb_worker *w)
{
    if (!w->cache)
        return;
    struct pv_error err;
    pv_error_clear(&err);
    if (w->list && !mailbox_cache_save(w->cache, w->list, w->count, &err))
        mb_tracer_info(&w->tracer, _("the header cache was not saved: %s"), err.msg);
    /* Every summary is in the model now: the entries would only take
     * memory until a reconnect, which reads the file again. */
    mailbox_cache_free(&w->cache);
}

void mb_load_start(struct mb_worker *w, const struct pop3_listing *old_list, size_t old_count,
                   const uint8_t *old_state)
{
    struct mb_load *l = &w->load;
    bool retr = l->use_retr;
    size_t chunk = l->chunk;
    mb_load_clear(l);
    l->use_retr = retr;
    l->chunk = chunk ? chunk : MB_CHUNK_FIRST;
    pv_buf_init(&l->header, MB_HEADER_CAP);
    l->state = pv_xcalloc(w->count ? w->count : 1, sizeof *l->state);
    struct mb_uid_map *old = old_state ? mb_uid_map_new(old_list, old_count) : NULL;
    for (size_t i = 0; i < w->count; i++) {
        size_t o = old ? mb_uid_map_find(old, w->list[i].uid) : (size_t)-1;
        if (o != (size_t)-1 && old_state[o] == MB_LOAD_DONE)
            l->state[i] = MB_LOAD_DONE;
        else
            l->remaining++;
    }
    mb_uid_map_free(&old);
    take_from_cache(w);
    if (w->early_valid) {
        w->early_valid = false;
        put_on_screen(w, w->early_first, w->early_count);
    }
}

void mb_load_prioritize(struct mb_worker *w, struct mb_request *r)
{
    struct mb_load *l = &w->load;
    if (!l->state && w->gen == 0 && r->gen == 0) {
        /* Before the first listing, rows are messages in server order. */
        w->early_valid = true;
        w->early_first = r->first_row;
        w->early_count = r->row_count;
        return;
    }
    if (r->gen != w->gen || !l->state)
        return; /* rows of another session */
    if (r->perm && r->perm_n == w->count) {
        free(l->perm);
        l->perm = r->perm;
        r->perm = NULL;
    }
    put_on_screen(w, r->first_row, r->row_count);
}

/* Up to max indices still needed, in priority order; marked in flight. */
static size_t pick_batch(struct mb_worker *w, unsigned *msgnos, size_t max)
{
    struct mb_load *l = &w->load;
    size_t n = 0;
    while (n < max && l->front_pos < l->front_n) {
        size_t i = l->front[l->front_pos++];
        if (l->state[i] == MB_LOAD_NEED) {
            l->state[i] = MB_LOAD_INFLIGHT;
            msgnos[n++] = w->list[i].msgno;
        }
    }
    for (int pass = 0; pass < 2 && n < max; pass++) {
        while (n < max && l->visited < w->count) {
            size_t i = row_to_index(w, l->cursor);
            l->cursor = (l->cursor + 1) % w->count;
            l->visited++;
            if (l->state[i] == MB_LOAD_NEED) {
                l->state[i] = MB_LOAD_INFLIGHT;
                msgnos[n++] = w->list[i].msgno;
            }
        }
        if (n == 0)
            l->visited = 0; /* something became needed again: one more round */
    }
    return n;
}

void mb_load_requeue(struct mb_worker *w)
{
    struct mb_load *l = &w->load;
    if (!l->state)
        return;
    for (size_t i = 0; i < w->count; i++)
        if (l->state[i] == MB_LOAD_INFLIGHT)
            l->state[i] = MB_LOAD_NEED;
    l->visited = 0;
    l->refused_n = 0;
}

/* --- the batch handler ------------------------------------------------------- */

static void on_begin(void *ctx, unsigned msgno)
{
    struct mb_worker *w = ctx;
    (void)msgno;
    pv_buf_reset(&w->load.header);
    w->load.header_done = false;
    w->load.line_start = true;
}

static bool on_data(void *ctx, const char *data, size_t len, bool line_end)
{
    struct mb_load *l = &((struct mb_worker *)ctx)->load;
    if (l->header_done)
        return false; /* RETR fallback: the body is not needed */
    if (l->line_start && len == 0 && line_end) {
        l->header_done = true;
        return false;
    }
    /* Past MB_HEADER_CAP the rest of a huge header is dropped. */
    if (pv_buf_append(&l->header, data, len) && line_end) {
        bool ok = pv_buf_append(&l->header, "\r\n", 2);
        (void)ok;
    }
    l->line_start = line_end;
    return true;
}

static void on_done(void *ctx, unsigned msgno, bool ok, const char *server_text)
{
    struct mb_worker *w = ctx;
    struct mb_load *l = &w->load;
    size_t i = mb_worker_index_of(w, msgno);
    if (i == (size_t)-1 || l->state[i] != MB_LOAD_INFLIGHT)
        return;
    if (!ok) {
        /* Also how the engine reports replies lost with the connection, so
         * the verdict waits until the batch returns. */
        l->refused[l->refused_n++] = i;
        if (!l->refused_text && server_text && *server_text)
            l->refused_text = mb_one_line(server_text, strlen(server_text));
        return;
    }
    struct mb_result *r = mb_result_new(MB_RES_SUMMARY);
    r->index = i;
    struct mailbox_headline hl;
    mailbox_headline_from_header(l->header.data ? l->header.data : "", l->header.len, &hl);
    mailbox_cache_put(w->cache, w->list[i].uid, w->list[i].size, &hl);
    mb_parsed_from_headline(&hl, &r->parsed);
    mailbox_headline_clear(&hl);
    mb_channel_post(w->ch, r);
    l->state[i] = MB_LOAD_DONE;
    l->remaining--;
}

static void settle_refused(struct mb_worker *w)
{
    struct mb_load *l = &w->load;
    for (size_t k = 0; k < l->refused_n; k++) {
        size_t i = l->refused[k];
        struct mb_result *r = mb_result_new(MB_RES_SUMMARY);
        r->index = i;
        r->failed = true;
        mb_channel_post(w->ch, r);
        l->state[i] = MB_LOAD_FAILED;
        l->remaining--;
    }
    if (l->refused_n)
        mb_worker_notice(w,
                         P_("the server refused the header of %zu message (-ERR %s)",
                            "the server refused the header of %zu messages (-ERR %s)",
                            l->refused_n),
                         l->refused_n, l->refused_text ? l->refused_text : "");
    l->refused_n = 0;
    free(l->refused_text);
    l->refused_text = NULL;
}

/* Keeps a batch near MB_CHUNK_TARGET_MS at the rate just measured. */
static void adapt_chunk(struct mb_load *l, size_t done, int64_t elapsed_ms)
{
    if (elapsed_ms < 1)
        elapsed_ms = 1;
    uint64_t next = (uint64_t)done * MB_CHUNK_TARGET_MS / (uint64_t)elapsed_ms;
    if (next < MB_CHUNK_MIN)
        next = MB_CHUNK_MIN;
    if (next > MB_CHUNK_MAX)
        next = MB_CHUNK_MAX;
    l->chunk = (size_t)next;
}

static void finish_if_done(struct mb_worker *w)
{
    if (w->load.remaining == 0) {
        w->task = MB_TASK_IDLE;
        mb_worker_post_phase(w, MAILBOX_READY, NULL);
        mb_load_save_cache(w);
    }
}

void mb_load_chunk(struct mb_worker *w)
{
    struct mb_load *l = &w->load;
    if (!w->s) {
        w->task = MB_TASK_IDLE; /* nothing to load from */
        return;
    }
    if (l->remaining == 0) {
        finish_if_done(w);
        return;
    }
    unsigned *msgnos = pv_xcalloc(l->chunk, sizeof *msgnos);
    size_t n = pick_batch(w, msgnos, l->chunk);
    if (n == 0) {
        free(msgnos);
        l->remaining = 0; /* nothing left that can be asked for */
        finish_if_done(w);
        return;
    }
    free(l->refused);
    l->refused = pv_xcalloc(n, sizeof *l->refused);
    l->refused_n = 0;
    struct pop3_batch_handler h = {.begin = on_begin, .data = on_data, .done = on_done, .ctx = w};
    struct pv_error err;
    pv_error_clear(&err);
    int64_t start = mb_monotonic_ms();
    enum pop3_status st;
    if (l->use_retr) {
        st = pop3_session_retr_batch(w->s, msgnos, n, &h, &err);
    } else {
        st = pop3_session_top_batch(w->s, msgnos, n, 0, &h, &err);
        if (st == POP3_ERR_UNSUPPORTED) {
            l->use_retr = true;
            mb_worker_notice(w, _("the server does not support TOP; reading whole messages to get "
                                  "their headers (slower, nothing is deleted)"));
            mb_tracer_info(&w->tracer, _("no TOP: summaries come from RETR, bodies are dropped"));
            mb_load_requeue(w);
            free(msgnos);
            return;
        }
    }
    free(msgnos);
    if (st == POP3_OK) {
        settle_refused(w);
        adapt_chunk(l, n, mb_monotonic_ms() - start);
        finish_if_done(w);
        return;
    }
    mb_load_requeue(w);
    if (mb_status_breaks(st))
        mb_worker_lost(w, &err);
    else {
        /* Not a broken connection (a state or argument refusal): loading
         * cannot go on, but the session can still serve the UI. */
        mb_worker_notice(w, _("loading summaries stopped: %s"), err.msg);
        w->task = MB_TASK_IDLE;
    }
}
