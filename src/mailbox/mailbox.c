/*
 * The model the UI reads, and the UI's side of every action.  Everything
 * here runs on the UI thread: actions become requests for the worker
 * (worker.c), and mailbox_process() applies the worker's results, in the
 * order they were produced, to the rows, marks, transcript and message.
 * So the getters need no lock, and the model never changes behind the
 * UI's back.
 *
 * A row is *marked* only when a MARKS result (the server's answer to DELE)
 * says so; while a request is on its way the row is mark_pending.  Each
 * request lists the rows it made pending (its settle list) and the result
 * echoes the list back, so several requests in flight settle correctly.
 */
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <popview/util.h>

#include <popview/pop3.h>

#include <popview/mailbox.h>

#include <popview/i18n.h>

#include "private.h"

/* While summaries arrive, a sort that depends on them is redone at most
 * this often (and once more when loading is complete). */
enum { MB_RESORT_MS = 200 };

struct mailbox {
    struct mb_channel *ch;
    pthread_t thread;
    bool thread_started;
    char *label;

    enum mailbox_phase phase;
    enum mailbox_phase failed_in; /* the phase FAILED came from */
    enum pop3_state pop3_state;
    char *error;
    char *notice;
    char *quit_reply;
    unsigned gen; /* session whose listing the rows show */

    struct mb_row *rows;
    struct pv_strpool *strings; /* the rows' strings, for the mailbox's life */
    size_t count;
    uint64_t total_size;
    size_t loaded; /* summaries arrived or refused */
    size_t marked;
    uint64_t marked_size;
    size_t arrived; /* summaries received from this session (for the rate) */
    int64_t load_start_ms, load_last_ms;

    size_t *row_index; /* row -> index */
    size_t *index_row; /* index -> row */
    enum mailbox_sort key;
    bool reverse;
    bool order_stale;
    int64_t order_sorted_ms;
    bool order_unsent; /* the worker has not seen the current row order */
    bool prio_valid;   /* the last prioritize request, to skip repeats */
    size_t prio_first, prio_count;
    unsigned prio_gen;

    struct mailbox_line *lines; /* ring of MB_TRANSCRIPT_KEEP */
    char **line_text;           /* the strings lines[] point to */
    size_t line_head, line_count;
    uint64_t line_total;

    uint64_t fetch_id;
    bool fetching;
    uint64_t fetch_done, fetch_total;
    bool msg_ready;
    size_t msg_index;
    struct pv_spool *msg;
    char *msg_error;
    bool msg_error_new;

    bool quit_requested;
    bool reconnect_pending;
    bool keepalive_pending;
    int64_t last_activity_ms; /* monotonic: last command line seen, or open */

    struct mb_server_snap *server; /* the latest snapshot, or NULL */
};

/* Shown on the status line, so in the person's language. */
const char *mailbox_phase_name(enum mailbox_phase p)
{
    switch (p) {
    case MAILBOX_CONNECTING:
        return _("connecting");
    case MAILBOX_LOGGING_IN:
        return _("logging in");
    case MAILBOX_SCANNING:
        return _("scanning");
    case MAILBOX_LOADING:
        return _("loading");
    case MAILBOX_READY:
        return _("ready");
    case MAILBOX_QUITTING:
        return _("quitting");
    case MAILBOX_CLOSED:
        return _("closed");
    case MAILBOX_FAILED:
        return _("failed");
    }
    return _("unknown");
}

/* --- open and free ---------------------------------------------------------- */

struct mailbox *mailbox_open(const struct mailbox_config *cfg, struct pv_error *err)
{
    pv_error_clear(err);
    if (!cfg) {
        pv_error_set(err, _("mailbox_open: no configuration"));
        return NULL;
    }
    struct mb_channel *ch = mb_channel_new(err);
    if (!ch) {
        if (cfg->demo_fd >= 0)
            close(cfg->demo_fd);
        return NULL;
    }
    struct mailbox *mb = pv_xcalloc(1, sizeof *mb);
    mb->strings = pv_strpool_new();
    mb->ch = ch;
    mb->label = pv_xstrdup(cfg->label ? cfg->label : (cfg->pop3.host ? cfg->pop3.host : ""));
    mb->phase = MAILBOX_CONNECTING;
    mb->pop3_state = POP3_STATE_DISCONNECTED;
    mb->lines = pv_xcalloc(MB_TRANSCRIPT_KEEP, sizeof *mb->lines);
    mb->line_text = pv_xcalloc(MB_TRANSCRIPT_KEEP, sizeof *mb->line_text);
    mb->last_activity_ms = mb_monotonic_ms();

    struct mb_worker *w = mb_worker_new(cfg, ch);
    /* Signals belong to the UI thread (SIGWINCH, SIGINT): the worker
     * starts with all of them blocked. */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    int rc = pthread_create(&mb->thread, NULL, mb_worker_main, w);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc != 0) {
        pv_error_set(err, _("cannot start the mailbox thread: %s"), strerror(rc));
        mb_worker_free(&w);
        mb_channel_unref(&ch); /* the worker's reference */
        mailbox_free(&mb);
        return NULL;
    }
    mb->thread_started = true;
    return mb;
}

void mailbox_free(struct mailbox **mbp)
{
    if (!mbp || !*mbp)
        return;
    struct mailbox *mb = *mbp;
    if (mb->thread_started) {
        /* The worker closes the session without QUIT.  A network wait ends
         * at once (the socket is shut down); only a connect(2) in progress
         * has no socket to shut down yet, and then the worker is left to
         * finish on its own rather than holding the UI. */
        mb_channel_stop(mb->ch);
        if (mb_channel_wait_exit(mb->ch, MB_FREE_WAIT_MS))
            pthread_join(mb->thread, NULL);
        else
            pthread_detach(mb->thread);
    }
    mb_channel_unref(&mb->ch);
    free(mb->rows);
    pv_strpool_free(&mb->strings);
    free(mb->row_index);
    free(mb->index_row);
    for (size_t i = 0; i < mb->line_count; i++)
        free(mb->line_text[(mb->line_head + i) % MB_TRANSCRIPT_KEEP]);
    free(mb->lines);
    free(mb->line_text);
    free(mb->label);
    free(mb->error);
    free(mb->notice);
    free(mb->quit_reply);
    pv_spool_free(&mb->msg);
    free(mb->msg_error);
    mb_server_snap_free(&mb->server);
    free(mb);
    *mbp = NULL;
}

int mailbox_event_fd(const struct mailbox *mb)
{
    return mb ? mb_channel_event_fd(mb->ch) : -1;
}

/* --- order ------------------------------------------------------------------ */

static void resort(struct mailbox *mb)
{
    mb_order_sort(mb->rows, mb->count, mb->key, mb->reverse, mb->row_index);
    for (size_t r = 0; r < mb->count; r++)
        mb->index_row[mb->row_index[r]] = r;
    mb->order_stale = false;
    mb->order_sorted_ms = mb_monotonic_ms();
    mb->order_unsent = true;
}

static bool key_needs_summary(enum mailbox_sort key)
{
    return key == MAILBOX_SORT_DATE || key == MAILBOX_SORT_FROM || key == MAILBOX_SORT_SUBJECT;
}

void mailbox_sort(struct mailbox *mb, enum mailbox_sort key, bool reverse)
{
    mb->key = key;
    mb->reverse = reverse;
    resort(mb);
}

enum mailbox_sort mailbox_sort_key(const struct mailbox *mb, bool *reverse_out)
{
    if (reverse_out)
        *reverse_out = mb->reverse;
    return mb->key;
}

size_t mailbox_row_index(const struct mailbox *mb, size_t row)
{
    return row < mb->count ? mb->row_index[row] : (size_t)-1;
}

size_t mailbox_index_row(const struct mailbox *mb, size_t index)
{
    return index < mb->count ? mb->index_row[index] : (size_t)-1;
}

static bool row_matches(const struct mailbox *mb, size_t row, const char *needle)
{
    const struct mailbox_summary *s = &mb->rows[mb->row_index[row]].pub;
    return mb_contains_ascii_nocase(s->from, needle) ||
           mb_contains_ascii_nocase(s->subject, needle);
}

bool mailbox_search(const struct mailbox *mb, const char *needle, size_t from, bool backwards,
                    size_t *row_out)
{
    if (!needle || !*needle || mb->count == 0)
        return false;
    size_t n = mb->count;
    size_t row = from < n ? from : (backwards ? n - 1 : 0);
    for (size_t k = 0; k < n; k++) {
        if (row_matches(mb, row, needle)) {
            if (row_out)
                *row_out = row;
            return true;
        }
        row = backwards ? (row + n - 1) % n : (row + 1) % n;
    }
    return false;
}

/* --- applying results --------------------------------------------------------- */

static void set_text(char **slot, char *text)
{
    free(*slot);
    *slot = text;
}

static void add_line(struct mailbox *mb, struct mb_tline *t)
{
    if (mb->line_count == MB_TRANSCRIPT_KEEP) {
        free(mb->line_text[mb->line_head]);
        mb->line_head = (mb->line_head + 1) % MB_TRANSCRIPT_KEEP;
        mb->line_count--;
    }
    size_t slot = (mb->line_head + mb->line_count) % MB_TRANSCRIPT_KEEP;
    mb->line_text[slot] = t->text;
    mb->lines[slot] = (struct mailbox_line){.kind = t->kind,
                                            .when_ms = t->when_ms,
                                            .text = t->text,
                                            .data_lines = t->data_lines,
                                            .data_octets = t->data_octets};
    mb->line_count++;
    mb->line_total++;
    if (t->kind == MAILBOX_LINE_CLIENT)
        mb->last_activity_ms = mb_monotonic_ms();
}

static void apply_phase(struct mailbox *mb, struct mb_result *r)
{
    /* Results are applied one by one, in order, so the phase before FAILED
     * is exact even when connect, login and failure arrive together. */
    if (r->phase == MAILBOX_FAILED && mb->phase != MAILBOX_FAILED)
        mb->failed_in = mb->phase;
    mb->phase = r->phase;
    if (r->phase == MAILBOX_FAILED || r->phase == MAILBOX_CLOSED) {
        set_text(&mb->error, r->text);
        r->text = NULL;
    } else if (r->phase == MAILBOX_CONNECTING) {
        set_text(&mb->error, NULL);
    }
    if (r->phase == MAILBOX_READY && mb->order_stale)
        resort(mb);
}

/* Summaries of the last session that the new one still has (same UIDL)
 * are kept; the worker made the same choice and will not load them. */
static void carry_summaries(struct mailbox *mb, struct mb_row *old, size_t old_count)
{
    struct pop3_listing *as_list = pv_xcalloc(old_count ? old_count : 1, sizeof *as_list);
    for (size_t i = 0; i < old_count; i++)
        as_list[i].uid = (char *)old[i].pub.uid; /* only read: the map keeps pointers */
    struct mb_uid_map *map = mb_uid_map_new(as_list, old_count);
    for (size_t j = 0; j < mb->count; j++) {
        size_t i = mb_uid_map_find(map, mb->rows[j].pub.uid);
        if (i == (size_t)-1 || !old[i].pub.loaded)
            continue;
        struct mb_row *n = &mb->rows[j], *o = &old[i];
        /* the pool outlives both listings: the strings stay where they are */
        n->pub.from = o->pub.from;
        n->pub.subject = o->pub.subject;
        n->pub.loaded = true;
        n->pub.has_date = o->pub.has_date;
        n->pub.date = o->pub.date;
        n->pub.tz_offset_min = o->pub.tz_offset_min;
        n->pub.multipart_mixed = o->pub.multipart_mixed;
        mb->loaded++;
    }
    mb_uid_map_free(&map);
    free(as_list);
}

static void apply_scan(struct mailbox *mb, struct mb_result *r)
{
    struct mb_row *old = mb->rows;
    size_t old_count = mb->count;
    mb->count = r->count;
    mb->rows = pv_xcalloc(r->count ? r->count : 1, sizeof *mb->rows);
    mb->total_size = 0;
    for (size_t i = 0; i < r->count; i++) {
        struct mb_row *row = &mb->rows[i];
        const char *uid = r->list[i].uid;
        row->pub.uid = uid ? pv_strpool_copy(mb->strings, uid, strlen(uid)) : NULL;
        row->pub.msgno = r->list[i].msgno;
        row->pub.size = r->list[i].size;
        row->pub.from = "";
        row->pub.subject = "";
        mb->total_size += r->list[i].size;
    }
    mb->loaded = 0;
    mb->marked = 0;
    mb->marked_size = 0;
    carry_summaries(mb, old, old_count);
    free(old);
    mb->gen = r->gen;
    mb->phase = r->phase;
    set_text(&mb->error, NULL);
    mb->arrived = 0;
    mb->load_start_ms = mb->load_last_ms = mb_monotonic_ms();
    free(mb->row_index);
    free(mb->index_row);
    mb->row_index = pv_xcalloc(mb->count ? mb->count : 1, sizeof *mb->row_index);
    mb->index_row = pv_xcalloc(mb->count ? mb->count : 1, sizeof *mb->index_row);
    resort(mb);
    mb->prio_valid = false;
    /* A message asked for in the last session has another number now. */
    mb->fetching = false;
    mb->msg_ready = false;
    pv_spool_free(&mb->msg);
}

static void apply_summary(struct mailbox *mb, struct mb_result *r)
{
    if (r->index >= mb->count)
        return;
    struct mb_row *row = &mb->rows[r->index];
    if (row->pub.loaded || row->pub.failed)
        return;
    if (r->failed) {
        row->pub.failed = true;
    } else {
        row->pub.from = pv_strpool_intern_str(mb->strings, r->parsed.from);
        row->pub.subject =
            pv_strpool_copy(mb->strings, r->parsed.subject, strlen(r->parsed.subject));
        row->pub.has_date = r->parsed.has_date;
        row->pub.date = r->parsed.date;
        row->pub.tz_offset_min = r->parsed.tz_offset_min;
        row->pub.multipart_mixed = r->parsed.multipart_mixed;
        row->pub.loaded = true;
    }
    mb->loaded++;
    mb->arrived++;
    mb->load_last_ms = mb_monotonic_ms();
    if (key_needs_summary(mb->key))
        mb->order_stale = true;
}

static void apply_marks(struct mailbox *mb, struct mb_result *r)
{
    if (r->settle_gen == mb->gen) {
        for (size_t k = 0; k < r->settle_n; k++) {
            size_t i = r->settle[k];
            if (i < mb->count && mb->rows[i].pending)
                mb->rows[i].pending--;
        }
    }
    bool same = r->gen == mb->gen && r->count == mb->count;
    mb->marked = 0;
    mb->marked_size = 0;
    for (size_t i = 0; i < mb->count; i++) {
        struct mb_row *row = &mb->rows[i];
        if (same)
            row->pub.marked = r->marked[i];
        row->pub.mark_pending = row->pending > 0;
        if (row->pub.marked) {
            mb->marked++;
            mb->marked_size += row->pub.size;
        }
    }
}

static void apply_message(struct mailbox *mb, struct mb_result *r)
{
    if (r->fetch_id != mb->fetch_id || !mb->fetching)
        return; /* superseded by a later request */
    mb->fetching = false;
    if (r->text) {
        set_text(&mb->msg_error, r->text);
        r->text = NULL;
        mb->msg_error_new = true;
        return;
    }
    pv_spool_free(&mb->msg);
    mb->msg = r->message;
    r->message = NULL;
    mb->msg_index = r->index;
    mb->msg_ready = true;
    mb->fetch_done = pv_spool_len(mb->msg);
}

static unsigned apply(struct mailbox *mb, struct mb_result *r)
{
    switch (r->kind) {
    case MB_RES_PHASE:
        apply_phase(mb, r);
        return MAILBOX_CHANGED_PHASE | MAILBOX_CHANGED_ROWS;
    case MB_RES_POP3_STATE:
        mb->pop3_state = r->pop3_state;
        return MAILBOX_CHANGED_PHASE;
    case MB_RES_SCAN:
        apply_scan(mb, r);
        return MAILBOX_CHANGED_PHASE | MAILBOX_CHANGED_ROWS;
    case MB_RES_SUMMARY:
        apply_summary(mb, r);
        return MAILBOX_CHANGED_ROWS;
    case MB_RES_MARKS:
        apply_marks(mb, r);
        return MAILBOX_CHANGED_ROWS;
    case MB_RES_NOTICE:
        set_text(&mb->notice, r->text);
        r->text = NULL;
        return MAILBOX_CHANGED_NOTICE;
    case MB_RES_PROGRESS:
        if (r->fetch_id != mb->fetch_id || !mb->fetching)
            return 0;
        mb->fetch_done = r->done;
        return MAILBOX_CHANGED_PROGRESS;
    case MB_RES_MESSAGE:
        apply_message(mb, r);
        return MAILBOX_CHANGED_MESSAGE | MAILBOX_CHANGED_PROGRESS;
    case MB_RES_QUIT_REPLY:
        set_text(&mb->quit_reply, r->text);
        r->text = NULL;
        return MAILBOX_CHANGED_PHASE;
    case MB_RES_KEEPALIVE_DONE:
        mb->keepalive_pending = false;
        return 0;
    case MB_RES_RECONNECT_DONE:
        mb->reconnect_pending = false;
        return 0;
    case MB_RES_SERVER:
        mb_server_snap_free(&mb->server);
        mb->server = r->server;
        r->server = NULL;
        return MAILBOX_CHANGED_SERVER;
    }
    return 0;
}

unsigned mailbox_process(struct mailbox *mb)
{
    struct mb_tline *lines = NULL;
    size_t nlines = 0;
    uint64_t dropped = 0;
    struct mb_result *list = mb_channel_take(mb->ch, &lines, &nlines, &dropped);
    unsigned changed = 0;
    /* Lines the channel dropped were older than every line that follows:
     * count them as if they had passed through the ring. */
    mb->line_total += dropped;
    for (size_t i = 0; i < nlines; i++)
        add_line(mb, &lines[i]);
    free(lines);
    if (nlines || dropped)
        changed |= MAILBOX_CHANGED_TRANSCRIPT;
    while (list) {
        struct mb_result *r = list;
        list = r->next;
        changed |= apply(mb, r);
        mb_result_free(r);
    }
    if (mb->order_stale && mb_monotonic_ms() - mb->order_sorted_ms >= MB_RESORT_MS) {
        resort(mb);
        changed |= MAILBOX_CHANGED_ROWS;
    }
    return changed;
}

/* --- getters ---------------------------------------------------------------- */

enum mailbox_phase mailbox_phase(const struct mailbox *mb)
{
    return mb->phase;
}

enum pop3_state mailbox_pop3_state(const struct mailbox *mb)
{
    return mb->pop3_state;
}

const char *mailbox_label(const struct mailbox *mb)
{
    return mb->label;
}

const char *mailbox_error(const struct mailbox *mb)
{
    return mb->error;
}

const char *mailbox_notice(const struct mailbox *mb)
{
    return mb->notice;
}

size_t mailbox_count(const struct mailbox *mb)
{
    return mb->count;
}

uint64_t mailbox_total_size(const struct mailbox *mb)
{
    return mb->total_size;
}

size_t mailbox_loaded_count(const struct mailbox *mb)
{
    return mb->loaded;
}

double mailbox_load_rate(const struct mailbox *mb)
{
    /* Summaries kept from before a reconnect did not cross the network. */
    if (mb->arrived == 0)
        return 0.0;
    int64_t ms = mb->load_last_ms - mb->load_start_ms;
    return (double)mb->arrived * 1000.0 / (double)(ms > 0 ? ms : 1);
}

size_t mailbox_marked_count(const struct mailbox *mb)
{
    return mb->marked;
}

uint64_t mailbox_marked_size(const struct mailbox *mb)
{
    return mb->marked_size;
}

const struct mailbox_summary *mailbox_at(const struct mailbox *mb, size_t index)
{
    return index < mb->count ? &mb->rows[index].pub : NULL;
}

size_t mailbox_transcript_count(const struct mailbox *mb)
{
    return mb->line_count;
}

const struct mailbox_line *mailbox_transcript_at(const struct mailbox *mb, size_t i)
{
    return i < mb->line_count ? &mb->lines[(mb->line_head + i) % MB_TRANSCRIPT_KEEP] : NULL;
}

uint64_t mailbox_transcript_first(const struct mailbox *mb)
{
    return mb->line_total - mb->line_count;
}

const char *mailbox_quit_reply(const struct mailbox *mb)
{
    return mb->quit_reply;
}

const struct mailbox_server_info *mailbox_server_info(const struct mailbox *mb)
{
    static const struct mailbox_server_info none = {.known = false};
    return mb->server ? &mb->server->pub : &none;
}

int64_t mailbox_idle_ms(const struct mailbox *mb)
{
    return mb_monotonic_ms() - mb->last_activity_ms;
}

/* --- actions ------------------------------------------------------------------ */

static struct mb_request *request_new(struct mailbox *mb, enum mb_req_kind kind)
{
    struct mb_request *r = pv_xcalloc(1, sizeof *r);
    r->kind = kind;
    r->gen = mb->gen;
    return r;
}

/* Whether the session can take a request about messages. */
static bool can_act(const struct mailbox *mb)
{
    return (mb->phase == MAILBOX_LOADING || mb->phase == MAILBOX_READY) && !mb->quit_requested &&
           !mb->reconnect_pending;
}

/* Makes rows pending and records them in the request's settle list. */
static void settle_add(struct mailbox *mb, struct mb_request *r, size_t index)
{
    r->settle = pv_xreallocarray(r->settle, r->settle_n + 1, sizeof *r->settle);
    r->settle[r->settle_n++] = index;
    mb->rows[index].pending++;
    mb->rows[index].pub.mark_pending = true;
}

void mailbox_mark(struct mailbox *mb, size_t index)
{
    if (!can_act(mb) || index >= mb->count || mb->rows[index].pub.marked || mb->rows[index].pending)
        return;
    struct mb_request *r = request_new(mb, MB_REQ_MARK);
    r->index = index;
    settle_add(mb, r, index);
    mb_channel_request(mb->ch, r);
}

void mailbox_unmark(struct mailbox *mb, size_t index)
{
    if (!can_act(mb) || index >= mb->count || !mb->rows[index].pub.marked ||
        mb->rows[index].pending)
        return;
    struct mb_request *r = request_new(mb, MB_REQ_UNMARK);
    r->index = index;
    /* RSET touches every mark, and the others are sent again. */
    for (size_t i = 0; i < mb->count; i++)
        if (mb->rows[i].pub.marked)
            settle_add(mb, r, i);
    mb_channel_request(mb->ch, r);
}

void mailbox_unmark_all(struct mailbox *mb)
{
    if (!can_act(mb))
        return;
    struct mb_request *r = request_new(mb, MB_REQ_UNMARK_ALL);
    for (size_t i = 0; i < mb->count; i++)
        if (mb->rows[i].pub.marked)
            settle_add(mb, r, i);
    mb_channel_request(mb->ch, r);
}

/* Refuses a fetch at once, through the channel, so the answer arrives like
 * any other: MAILBOX_CHANGED_MESSAGE from mailbox_process(). */
static void refuse_fetch(struct mailbox *mb, const char *why)
{
    struct mb_result *res = mb_result_new(MB_RES_MESSAGE);
    res->fetch_id = mb->fetch_id;
    res->text = pv_xstrdup(why);
    mb_channel_post(mb->ch, res);
}

static void start_fetch(struct mailbox *mb, enum mb_req_kind kind, size_t index, unsigned lines)
{
    mb->fetch_id++;
    mb_channel_set_latest_fetch(mb->ch, mb->fetch_id);
    mb->fetching = true;
    mb->fetch_done = 0;
    mb->fetch_total = index < mb->count ? mb->rows[index].pub.size : 0;
    mb->msg_ready = false;
    pv_spool_free(&mb->msg);
    set_text(&mb->msg_error, NULL);
    mb->msg_error_new = false;
    if (index >= mb->count) {
        refuse_fetch(mb, _("no such message"));
        return;
    }
    if (!can_act(mb)) {
        refuse_fetch(mb, mb->phase == MAILBOX_FAILED || mb->phase == MAILBOX_CLOSED
                             ? _("not connected: the message cannot be read")
                             : _("the session is not ready: the message cannot be read now"));
        return;
    }
    struct mb_request *r = request_new(mb, kind);
    r->index = index;
    r->lines = lines;
    r->fetch_id = mb->fetch_id;
    mb_channel_request(mb->ch, r);
}

void mailbox_fetch(struct mailbox *mb, size_t index)
{
    start_fetch(mb, MB_REQ_FETCH, index, 0);
}

void mailbox_fetch_preview(struct mailbox *mb, size_t index, unsigned lines)
{
    start_fetch(mb, MB_REQ_PREVIEW, index, lines);
}

bool mailbox_take_message(struct mailbox *mb, size_t *index_out, struct pv_spool **msg_out,
                          const char **error_out)
{
    if (error_out)
        *error_out = NULL;
    if (mb->msg_ready) {
        mb->msg_ready = false;
        if (index_out)
            *index_out = mb->msg_index;
        if (msg_out) {
            *msg_out = mb->msg;
            mb->msg = NULL;
        }
        pv_spool_free(&mb->msg);
        return true;
    }
    if (mb->msg_error_new) {
        /* The sentence stays valid until the next fetch. */
        mb->msg_error_new = false;
        if (error_out)
            *error_out = mb->msg_error;
    }
    return false;
}

void mailbox_fetch_progress(const struct mailbox *mb, uint64_t *done_out, uint64_t *total_out)
{
    uint64_t done = mb->fetching ? mb->fetch_done : 0;
    uint64_t total = mb->fetching ? mb->fetch_total : 0;
    if (done_out)
        *done_out = done;
    if (total_out)
        *total_out = total;
}

void mailbox_prioritize(struct mailbox *mb, size_t first_row, size_t count)
{
    if (mb->phase > MAILBOX_LOADING || mb->quit_requested)
        return; /* nothing left to load */
    if (mb->prio_valid && mb->prio_first == first_row && mb->prio_count == count &&
        mb->prio_gen == mb->gen && !mb->order_unsent)
        return;
    struct mb_request *r = request_new(mb, MB_REQ_PRIORITIZE);
    r->first_row = first_row;
    r->row_count = count;
    if (mb->order_unsent && mb->count) {
        r->perm = pv_xcalloc(mb->count, sizeof *r->perm);
        memcpy(r->perm, mb->row_index, mb->count * sizeof *r->perm);
        r->perm_n = mb->count;
        mb->order_unsent = false;
    }
    mb->prio_valid = true;
    mb->prio_first = first_row;
    mb->prio_count = count;
    mb->prio_gen = mb->gen;
    mb_channel_request(mb->ch, r);
}

void mailbox_quit(struct mailbox *mb, bool commit)
{
    if (mb->quit_requested || mb->phase == MAILBOX_CLOSED)
        return;
    mb->quit_requested = true;
    struct mb_request *r = request_new(mb, MB_REQ_QUIT);
    r->commit = commit;
    mb_channel_request(mb->ch, r);
}

void mailbox_reconnect(struct mailbox *mb)
{
    if ((mb->phase != MAILBOX_FAILED && mb->phase != MAILBOX_CLOSED) || mb->reconnect_pending)
        return;
    mb->reconnect_pending = true;
    mb->quit_requested = false;
    mb_channel_request(mb->ch, request_new(mb, MB_REQ_RECONNECT));
}

void mailbox_keepalive(struct mailbox *mb, unsigned idle_seconds)
{
    if (!can_act(mb) || mb->keepalive_pending)
        return;
    if (mb_monotonic_ms() - mb->last_activity_ms < (int64_t)idle_seconds * 1000)
        return;
    mb->keepalive_pending = true;
    struct mb_request *r = request_new(mb, MB_REQ_KEEPALIVE);
    r->idle_seconds = idle_seconds;
    mb_channel_request(mb->ch, r);
}

/* Says why a typed command was not sent, through the channel, so the
 * notice arrives like any other: MAILBOX_CHANGED_NOTICE. */
static void refuse_raw(struct mailbox *mb, const char *why)
{
    struct mb_result *res = mb_result_new(MB_RES_NOTICE);
    res->text = pv_xstrdup(why);
    mb_channel_post(mb->ch, res);
}

void mailbox_raw_command(struct mailbox *mb, const char *line)
{
    if (!line || !*line)
        return;
    if (mb->quit_requested || mb->phase == MAILBOX_QUITTING) {
        refuse_raw(mb, _("nothing was sent: the session is ending"));
        return;
    }
    if (mb->phase == MAILBOX_FAILED || mb->phase == MAILBOX_CLOSED || mb->reconnect_pending) {
        refuse_raw(mb, _("nothing was sent: not connected"));
        return;
    }
    /* While popview logs in by itself, a typed command would cut into
     * that exchange. */
    if (!can_act(mb)) {
        refuse_raw(mb, _("nothing was sent: popview is still logging in"));
        return;
    }
    struct mb_request *r = request_new(mb, MB_REQ_RAW);
    r->line = pv_xstrdup(line);
    mb_channel_request(mb->ch, r);
}

enum mailbox_phase mailbox_failed_in(const struct mailbox *mb)
{
    return mb->failed_in;
}
