/*
 * The channel between the UI thread and the worker: the only memory both
 * touch, all of it behind one mutex.
 *
 *  - requests: a FIFO the UI appends to; the worker is woken through
 *    wake_fd (an eventfd it polls beside the session's socket);
 *  - results: a FIFO the worker appends to; event_fd (the eventfd the UI
 *    polls) is readable while any wait;
 *  - transcript lines: a bounded ring beside the results.  When the UI does
 *    not keep up, the oldest lines are dropped and counted: the model keeps
 *    only the last MB_TRANSCRIPT_KEEP lines anyway, so the outcome is the
 *    same and memory stays bounded however fast the server talks;
 *  - the session's socket (a dup the channel owns), so that mailbox_free
 *    can shutdown(2) it and end a network wait at once, instead of waiting
 *    for the session's timeout.  Only the worker opens or closes the dup,
 *    always under the lock, so the number never names another file.
 *
 * The channel is reference-counted: the UI thread and the worker each hold
 * one, so mailbox_free may return while a worker stuck in connect(2) (the
 * one wait without a socket to shut down) finishes on its own.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <popview/util.h>

#include <popview/pop3.h>

#include <popview/mailbox.h>

#include <popview/i18n.h>

#include "private.h"

struct mb_channel {
    pthread_mutex_t lock;
    pthread_cond_t exited_cond;
    unsigned refs;
    bool worker_exited;
    bool stop;

    int event_fd; /* worker -> UI */
    bool event_signalled;
    int wake_fd; /* UI -> worker */
    int sock_fd; /* dup of the session's socket, or -1 */

    struct mb_request *req_head, *req_tail;
    struct mb_result *res_head, *res_tail;

    struct mb_tline *lines; /* ring of MB_TRANSCRIPT_KEEP */
    size_t line_head, line_count;
    uint64_t lines_dropped;

    uint64_t latest_fetch;
};

void mb_request_free(struct mb_request *r)
{
    if (!r)
        return;
    free(r->perm);
    free(r->settle);
    pv_free_secret(&r->line);
    free(r);
}

struct mb_result *mb_result_new(enum mb_res_kind kind)
{
    struct mb_result *r = pv_xcalloc(1, sizeof *r);
    r->kind = kind;
    return r;
}

void mb_result_free(struct mb_result *r)
{
    if (!r)
        return;
    free(r->text);
    pop3_listing_free(&r->list, r->count);
    mb_parsed_clear(&r->parsed);
    free(r->marked);
    free(r->settle);
    pv_spool_free(&r->message);
    mb_server_snap_free(&r->server);
    free(r);
}

struct mb_channel *mb_channel_new(struct pv_error *err)
{
    int ev = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    int wake = ev >= 0 ? eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC) : -1;
    if (ev < 0 || wake < 0) {
        pv_error_set(err, _("cannot create an eventfd for the mailbox: %s"), strerror(errno));
        if (ev >= 0)
            close(ev);
        return NULL;
    }
    struct mb_channel *ch = pv_xcalloc(1, sizeof *ch);
    pthread_mutex_init(&ch->lock, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&ch->exited_cond, &ca);
    pthread_condattr_destroy(&ca);
    ch->refs = 2;
    ch->event_fd = ev;
    ch->wake_fd = wake;
    ch->sock_fd = -1;
    ch->lines = pv_xcalloc(MB_TRANSCRIPT_KEEP, sizeof *ch->lines);
    return ch;
}

static void channel_destroy(struct mb_channel *ch)
{
    while (ch->req_head) {
        struct mb_request *r = ch->req_head;
        ch->req_head = r->next;
        mb_request_free(r);
    }
    while (ch->res_head) {
        struct mb_result *r = ch->res_head;
        ch->res_head = r->next;
        mb_result_free(r);
    }
    for (size_t i = 0; i < ch->line_count; i++)
        free(ch->lines[(ch->line_head + i) % MB_TRANSCRIPT_KEEP].text);
    free(ch->lines);
    if (ch->sock_fd >= 0)
        close(ch->sock_fd);
    close(ch->event_fd);
    close(ch->wake_fd);
    pthread_cond_destroy(&ch->exited_cond);
    pthread_mutex_destroy(&ch->lock);
    free(ch);
}

void mb_channel_unref(struct mb_channel **chp)
{
    if (!chp || !*chp)
        return;
    struct mb_channel *ch = *chp;
    *chp = NULL;
    pthread_mutex_lock(&ch->lock);
    bool last = --ch->refs == 0;
    pthread_mutex_unlock(&ch->lock);
    if (last)
        channel_destroy(ch);
}

int mb_channel_event_fd(const struct mb_channel *ch)
{
    return ch->event_fd; /* set once before the worker starts */
}

static void eventfd_signal(int fd)
{
    uint64_t one = 1;
    ssize_t n = write(fd, &one, sizeof one);
    (void)n; /* EAGAIN means the counter is already non-zero: still readable */
}

static void eventfd_reset(int fd)
{
    uint64_t v;
    ssize_t n = read(fd, &v, sizeof v);
    (void)n; /* EAGAIN: nothing was signalled */
}

/* --- UI side -------------------------------------------------------------- */

void mb_channel_request(struct mb_channel *ch, struct mb_request *req)
{
    req->next = NULL;
    pthread_mutex_lock(&ch->lock);
    if (ch->req_tail)
        ch->req_tail->next = req;
    else
        ch->req_head = req;
    ch->req_tail = req;
    pthread_mutex_unlock(&ch->lock);
    eventfd_signal(ch->wake_fd);
}

struct mb_result *mb_channel_take(struct mb_channel *ch, struct mb_tline **lines_out,
                                  size_t *nlines_out, uint64_t *dropped_out)
{
    pthread_mutex_lock(&ch->lock);
    struct mb_result *list = ch->res_head;
    ch->res_head = ch->res_tail = NULL;
    size_t n = ch->line_count;
    struct mb_tline *lines = NULL;
    if (n) {
        lines = pv_xcalloc(n, sizeof *lines);
        for (size_t i = 0; i < n; i++)
            lines[i] = ch->lines[(ch->line_head + i) % MB_TRANSCRIPT_KEEP];
    }
    ch->line_head = ch->line_count = 0;
    *dropped_out = ch->lines_dropped;
    ch->lines_dropped = 0;
    ch->event_signalled = false;
    eventfd_reset(ch->event_fd);
    pthread_mutex_unlock(&ch->lock);
    *lines_out = lines;
    *nlines_out = n;
    return list;
}

void mb_channel_stop(struct mb_channel *ch)
{
    pthread_mutex_lock(&ch->lock);
    ch->stop = true;
    /* Ends a blocked read or write of the session at once: the worker then
     * sees a lost connection, notices the stop and closes without QUIT. */
    if (ch->sock_fd >= 0)
        shutdown(ch->sock_fd, SHUT_RDWR);
    pthread_mutex_unlock(&ch->lock);
    eventfd_signal(ch->wake_fd);
}

bool mb_channel_wait_exit(struct mb_channel *ch, int timeout_ms)
{
    struct timespec deadline;
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    deadline.tv_sec += timeout_ms / 1000;
    deadline.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
    if (deadline.tv_nsec >= 1000000000L) {
        deadline.tv_sec++;
        deadline.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&ch->lock);
    while (!ch->worker_exited) {
        if (pthread_cond_timedwait(&ch->exited_cond, &ch->lock, &deadline) == ETIMEDOUT)
            break;
    }
    bool done = ch->worker_exited;
    pthread_mutex_unlock(&ch->lock);
    return done;
}

void mb_channel_set_latest_fetch(struct mb_channel *ch, uint64_t id)
{
    pthread_mutex_lock(&ch->lock);
    ch->latest_fetch = id;
    pthread_mutex_unlock(&ch->lock);
}

/* --- worker side ---------------------------------------------------------- */

/* With the lock held: makes event_fd readable if it is not already. */
static void signal_ui_locked(struct mb_channel *ch)
{
    if (!ch->event_signalled) {
        ch->event_signalled = true;
        eventfd_signal(ch->event_fd);
    }
}

void mb_channel_post(struct mb_channel *ch, struct mb_result *res)
{
    res->next = NULL;
    pthread_mutex_lock(&ch->lock);
    if (ch->res_tail)
        ch->res_tail->next = res;
    else
        ch->res_head = res;
    ch->res_tail = res;
    signal_ui_locked(ch);
    pthread_mutex_unlock(&ch->lock);
}

void mb_channel_post_progress(struct mb_channel *ch, uint64_t fetch_id, uint64_t done)
{
    pthread_mutex_lock(&ch->lock);
    struct mb_result *t = ch->res_tail;
    if (t && t->kind == MB_RES_PROGRESS && t->fetch_id == fetch_id) {
        t->done = done; /* the UI draws the latest figure only */
        pthread_mutex_unlock(&ch->lock);
        return;
    }
    pthread_mutex_unlock(&ch->lock);
    struct mb_result *r = mb_result_new(MB_RES_PROGRESS);
    r->fetch_id = fetch_id;
    r->done = done;
    mb_channel_post(ch, r);
}

void mb_channel_line(struct mb_channel *ch, enum mailbox_line_kind kind, char *text,
                     uint64_t data_lines, uint64_t data_octets)
{
    struct mb_tline line = {.kind = kind,
                            .when_ms = mb_now_ms(),
                            .text = text,
                            .data_lines = data_lines,
                            .data_octets = data_octets};
    pthread_mutex_lock(&ch->lock);
    if (ch->line_count == MB_TRANSCRIPT_KEEP) {
        free(ch->lines[ch->line_head].text);
        ch->line_head = (ch->line_head + 1) % MB_TRANSCRIPT_KEEP;
        ch->line_count--;
        ch->lines_dropped++;
    }
    ch->lines[(ch->line_head + ch->line_count) % MB_TRANSCRIPT_KEEP] = line;
    ch->line_count++;
    signal_ui_locked(ch);
    pthread_mutex_unlock(&ch->lock);
}

struct mb_request *mb_channel_next_request(struct mb_channel *ch)
{
    pthread_mutex_lock(&ch->lock);
    struct mb_request *r = ch->req_head;
    if (r) {
        ch->req_head = r->next;
        if (!ch->req_head)
            ch->req_tail = NULL;
        r->next = NULL;
    }
    pthread_mutex_unlock(&ch->lock);
    return r;
}

bool mb_channel_stopping(struct mb_channel *ch)
{
    pthread_mutex_lock(&ch->lock);
    bool stop = ch->stop;
    pthread_mutex_unlock(&ch->lock);
    return stop;
}

uint64_t mb_channel_latest_fetch(struct mb_channel *ch)
{
    pthread_mutex_lock(&ch->lock);
    uint64_t id = ch->latest_fetch;
    pthread_mutex_unlock(&ch->lock);
    return id;
}

bool mb_channel_set_socket(struct mb_channel *ch, int fd)
{
    int copy = fd >= 0 ? fcntl(fd, F_DUPFD_CLOEXEC, 0) : -1;
    pthread_mutex_lock(&ch->lock);
    if (ch->sock_fd >= 0)
        close(ch->sock_fd);
    ch->sock_fd = copy;
    bool stop = ch->stop;
    if (stop && copy >= 0)
        shutdown(copy, SHUT_RDWR);
    pthread_mutex_unlock(&ch->lock);
    return !stop;
}

enum mb_wake mb_channel_wait(struct mb_channel *ch, int watch_fd, int timeout_ms)
{
    for (;;) {
        pthread_mutex_lock(&ch->lock);
        bool ready = ch->stop || ch->req_head;
        pthread_mutex_unlock(&ch->lock);
        if (ready)
            return MB_WAKE_REQUEST;
        struct pollfd p[2] = {{.fd = ch->wake_fd, .events = POLLIN},
                              {.fd = watch_fd, .events = POLLIN}};
        int n = poll(p, watch_fd >= 0 ? 2 : 1, timeout_ms);
        if (n < 0 && errno == EINTR)
            continue;
        if (n == 0)
            return MB_WAKE_TIMEOUT;
        if (n > 0 && p[0].revents)
            eventfd_reset(ch->wake_fd);
        if (n > 0 && watch_fd >= 0 && p[1].revents)
            return MB_WAKE_SOCKET;
        if (n < 0)
            return MB_WAKE_TIMEOUT; /* poll itself failed: let the caller look again */
    }
}

void mb_channel_worker_exited(struct mb_channel *ch)
{
    pthread_mutex_lock(&ch->lock);
    ch->worker_exited = true;
    pthread_cond_broadcast(&ch->exited_cond);
    pthread_mutex_unlock(&ch->lock);
}
