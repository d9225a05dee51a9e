/*
 * The stream: one type over a vtable (private.h), the plain-socket
 * implementation, and the waiting calls built on the non-blocking ones.
 *
 * Every wait goes through poll() with a deadline from CLOCK_MONOTONIC, so
 * a changed wall clock cannot stretch or cut a timeout, and a signal
 * (EINTR) only restarts the wait with the time that is left.  Writes use
 * send(MSG_NOSIGNAL): a peer that vanished gives EPIPE as a value instead
 * of a SIGPIPE that would kill the program.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <popview/util.h>

#include <popview/net.h>

#include <popview/i18n.h>

#include "private.h"

static const char *const status_names[] = {
    [NET_OK] = "ok",
    [NET_WOULD_BLOCK] = "would block",
    [NET_CLOSED] = "closed",
    [NET_ERR_RESOLVE] = "resolve",
    [NET_ERR_CONNECT] = "connect",
    [NET_ERR_TIMEOUT] = "timeout",
    [NET_ERR_IO] = "i/o",
    [NET_ERR_TLS] = "tls",
    [NET_ERR_CERT] = "certificate",
    [NET_ERR_PROTOCOL] = "protocol",
};

const char *net_status_name(enum net_status st)
{
    if ((unsigned)st >= PV_ARRAY_LEN(status_names) || !status_names[st])
        return "unknown";
    return status_names[st];
}

/* --- time and poll --------------------------------------------------- */

int64_t net_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t net_deadline_after(int timeout_ms)
{
    if (timeout_ms < 0)
        return NET_NO_DEADLINE;
    return net_now_ms() + timeout_ms;
}

int net_remaining_ms(int64_t deadline)
{
    if (deadline == NET_NO_DEADLINE)
        return -1;
    int64_t left = deadline - net_now_ms();
    if (left < 0)
        return 0;
    return left > INT_MAX ? INT_MAX : (int)left;
}

int net_poll_until(int fd, short events, int64_t deadline, short *revents_out)
{
    for (;;) {
        struct pollfd p = {.fd = fd, .events = events};
        int r = poll(&p, 1, net_remaining_ms(deadline));
        if (r > 0) {
            *revents_out = p.revents;
            return 1;
        }
        if (r == 0)
            return 0;
        if (errno != EINTR)
            return -1;
    }
}

void net_format_duration(int timeout_ms, char *out, size_t out_size)
{
    if (timeout_ms >= 1000 && timeout_ms % 1000 == 0)
        snprintf(out, out_size, "%d s", timeout_ms / 1000);
    else if (timeout_ms >= 1000)
        snprintf(out, out_size, "%.1f s", timeout_ms / 1000.0);
    else
        snprintf(out, out_size, "%d ms", timeout_ms);
}

bool net_fd_prepare(int fd)
{
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
        return false;
    int fdfl = fcntl(fd, F_GETFD);
    return fdfl >= 0 && fcntl(fd, F_SETFD, fdfl | FD_CLOEXEC) >= 0;
}

/* --- the plain socket -------------------------------------------------- */

static enum net_status plain_read_some(struct net_stream *s, void *buf, size_t cap, size_t *n_out,
                                       struct pv_error *err)
{
    for (;;) {
        ssize_t r = recv(s->fd, buf, cap, 0);
        if (r > 0) {
            *n_out = (size_t)r;
            return NET_OK;
        }
        if (r == 0)
            return NET_CLOSED;
        if (errno == EINTR)
            continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
            s->read_wait_events = POLLIN;
            return NET_WOULD_BLOCK;
        }
        pv_error_set(err, _("reading from the connection failed: %s"), strerror(errno));
        return NET_ERR_IO;
    }
}

static enum net_status plain_write_some(struct net_stream *s, const void *buf, size_t len,
                                        size_t *n_out, struct pv_error *err)
{
    for (;;) {
        ssize_t r = send(s->fd, buf, len, MSG_NOSIGNAL);
        if (r >= 0) {
            *n_out = (size_t)r;
            return NET_OK;
        }
        if (errno == EINTR)
            continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
            s->write_wait_events = POLLOUT;
            return NET_WOULD_BLOCK;
        }
        pv_error_set(err, _("writing to the connection failed: %s"), strerror(errno));
        return NET_ERR_IO;
    }
}

static bool plain_has_buffered(const struct net_stream *s)
{
    (void)s;
    return false; /* the kernel's buffer is what poll() sees */
}

static void plain_close(struct net_stream *s)
{
    (void)s;
}

const struct net_stream_ops net_plain_ops = {
    .read_some = plain_read_some,
    .write_some = plain_write_some,
    .has_buffered = plain_has_buffered,
    .close = plain_close,
};

/* --- after a failed TLS handshake ---------------------------------------- */

static enum net_status broken_read_some(struct net_stream *s, void *buf, size_t cap, size_t *n_out,
                                        struct pv_error *err)
{
    (void)s, (void)buf, (void)cap, (void)n_out;
    pv_error_set(err, _("the connection is unusable after the failed TLS handshake"));
    return NET_ERR_TLS;
}

static enum net_status broken_write_some(struct net_stream *s, const void *buf, size_t len,
                                         size_t *n_out, struct pv_error *err)
{
    (void)s, (void)buf, (void)len, (void)n_out;
    pv_error_set(err, _("the connection is unusable after the failed TLS handshake"));
    return NET_ERR_TLS;
}

const struct net_stream_ops net_broken_ops = {
    .read_some = broken_read_some,
    .write_some = broken_write_some,
    .has_buffered = plain_has_buffered,
    .close = plain_close,
};

/* --- the public stream ------------------------------------------------- */

struct net_stream *net_stream_from_fd(int fd, int timeout_ms)
{
    if (fd < 0)
        return NULL;
    /* Only fails for a descriptor that is not open; the stream then reports
     * EBADF on first use, which names the problem better than NULL would. */
    (void)net_fd_prepare(fd);
    struct net_stream *s = pv_xcalloc(1, sizeof *s);
    s->fd = fd;
    s->timeout_ms = timeout_ms;
    s->ops = &net_plain_ops;
    s->read_wait_events = POLLIN;
    s->write_wait_events = POLLOUT;
    return s;
}

void net_stream_free(struct net_stream **stream)
{
    if (!stream || !*stream)
        return;
    struct net_stream *s = *stream;
    s->ops->close(s);
    close(s->fd);
    free(s);
    *stream = NULL;
}

void net_stream_set_timeout(struct net_stream *s, int timeout_ms)
{
    if (s)
        s->timeout_ms = timeout_ms;
}

int net_stream_timeout(const struct net_stream *s)
{
    return s ? s->timeout_ms : 0;
}

int net_stream_fd(const struct net_stream *s)
{
    return s ? s->fd : -1;
}

bool net_stream_has_buffered(const struct net_stream *s)
{
    return s && s->ops->has_buffered(s);
}

bool net_stream_is_tls(const struct net_stream *s)
{
    return s && s->tls;
}

static enum net_status not_connected(struct pv_error *err)
{
    pv_error_set(err, _("not connected"));
    return NET_ERR_IO;
}

enum net_status net_stream_read_some(struct net_stream *s, void *buf, size_t cap, size_t *n_out,
                                     struct pv_error *err)
{
    *n_out = 0;
    if (!s)
        return not_connected(err);
    if (cap == 0)
        return NET_OK; /* nothing asked for; recv() would report 0 as EOF */
    return s->ops->read_some(s, buf, cap, n_out, err);
}

enum net_status net_stream_write_some(struct net_stream *s, const void *buf, size_t len,
                                      size_t *n_out, struct pv_error *err)
{
    *n_out = 0;
    if (!s)
        return not_connected(err);
    if (len == 0)
        return NET_OK;
    return s->ops->write_some(s, buf, len, n_out, err);
}

/* Waits for the events a NET_WOULD_BLOCK asked for; NET_OK means "retry". */
static enum net_status wait_for_retry(struct net_stream *s, short events, int64_t deadline,
                                      const char *what, struct pv_error *err)
{
    short revents = 0;
    int r = net_poll_until(s->fd, events, deadline, &revents);
    if (r < 0) {
        pv_error_set(err, _("waiting for the connection failed: %s"), strerror(errno));
        return NET_ERR_IO;
    }
    if (r == 0) {
        char d[32];
        net_format_duration(s->timeout_ms, d, sizeof d);
        pv_error_set(err, _("%s timed out after %s"), what, d);
        return NET_ERR_TIMEOUT;
    }
    if (revents & POLLNVAL) {
        pv_error_set(err, _("the connection's descriptor is not open"));
        return NET_ERR_IO;
    }
    /* POLLERR and POLLHUP: the retried call reports the actual error/EOF. */
    return NET_OK;
}

enum net_status net_stream_read(struct net_stream *s, void *buf, size_t cap, size_t *n_out,
                                struct pv_error *err)
{
    *n_out = 0;
    if (!s)
        return not_connected(err);
    int64_t deadline = net_deadline_after(s->timeout_ms);
    for (;;) {
        enum net_status st = net_stream_read_some(s, buf, cap, n_out, err);
        if (st != NET_WOULD_BLOCK)
            return st;
        st = wait_for_retry(s, s->read_wait_events, deadline, _("waiting for data from the server"),
                            err);
        if (st != NET_OK)
            return st;
    }
}

enum net_status net_stream_write_all(struct net_stream *s, const void *buf, size_t len,
                                     struct pv_error *err)
{
    if (!s)
        return not_connected(err);
    const char *p = buf;
    size_t done = 0;
    int64_t deadline = net_deadline_after(s->timeout_ms);
    while (done < len) {
        size_t n = 0;
        /* After NET_WOULD_BLOCK the loop comes back with the same p + done
         * and len - done: exactly the retry GnuTLS requires. */
        enum net_status st = net_stream_write_some(s, p + done, len - done, &n, err);
        if (st == NET_OK) {
            done += n;
            deadline = net_deadline_after(s->timeout_ms);
            continue;
        }
        if (st != NET_WOULD_BLOCK)
            return st;
        st = wait_for_retry(s, s->write_wait_events, deadline, _("sending to the server"), err);
        if (st != NET_OK)
            return st;
    }
    return NET_OK;
}

enum net_status net_stream_wait(struct net_stream *s, bool want_write, int timeout_ms,
                                bool *readable_out, bool *writable_out, struct pv_error *err)
{
    *readable_out = false;
    *writable_out = false;
    if (!s)
        return not_connected(err);
    bool buffered = s->ops->has_buffered(s);
    short events = (short)(POLLIN | s->read_wait_events | (want_write ? POLLOUT : 0));
    /* Decrypted bytes already wait in memory: only look, do not sleep. */
    int64_t deadline = net_deadline_after(buffered ? 0 : timeout_ms);
    short revents = 0;
    int r = net_poll_until(s->fd, events, deadline, &revents);
    if (r < 0) {
        pv_error_set(err, _("waiting for the connection failed: %s"), strerror(errno));
        return NET_ERR_IO;
    }
    if (revents & POLLNVAL) {
        pv_error_set(err, _("the connection's descriptor is not open"));
        return NET_ERR_IO;
    }
    short broken = POLLERR | POLLHUP;
    *readable_out = buffered || (revents & (s->read_wait_events | POLLIN | broken));
    *writable_out = want_write && (revents & (POLLOUT | broken));
    return NET_OK;
}
