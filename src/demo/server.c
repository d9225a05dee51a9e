/*
 * The demo server's transport: moves bytes between a connected socket and a
 * sans-I/O session (session.c).  Input is split into lines at LF (a CR
 * before it is dropped), each line answered in order before the next is
 * read, so pipelined commands (RFC 2449 §6.6) get their replies in order
 * whatever way they arrive.  A line longer than the session allows is
 * answered once with -ERR and then discarded up to its LF.
 *
 * demo_server_start() runs this on a thread over a socketpair for
 * `popview --demo`; stopping uses a pipe the thread polls beside the socket,
 * so the thread ends promptly even in the middle of a large reply to a
 * client that stopped reading.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <popview/util.h>

#include "private.h"

/* How much one read takes; the input buffer holds at most a line plus this. */
enum { READ_CHUNK = 4096 };

struct demo_server {
    pthread_t thread;
    int fd; /* the server's end; the thread closes it when the session ends */
    int stop_pipe[2];
    struct demo_mailbox *mb;
    struct demo_server_options opts; /* its strings point to the copies below */
    char *user;
    char *password;
    char *hostname;
    atomic_bool finished;
};

void demo_server_options_init(struct demo_server_options *opts)
{
    memset(opts, 0, sizeof(*opts));
    opts->capa = true;
    opts->pipelining = true;
    opts->top = true;
    opts->uidl = true;
    opts->user_login = true;
    opts->apop = true;
    opts->sasl_plain = true;
    opts->sasl_login = true;
    opts->resp_codes = true;
    opts->reply_delay_ms = 0;
}

/* ---- waiting and writing ---- */

enum wait_result { WAIT_READY, WAIT_STOP, WAIT_ERROR };

/* Waits for fd to allow events, or stop_fd to become readable, or timeout. */
static enum wait_result wait_fd(int fd, short events, int stop_fd, int timeout_ms)
{
    for (;;) {
        struct pollfd p[2] = {{.fd = fd, .events = events}, {.fd = stop_fd, .events = POLLIN}};
        int n = poll(p, 2, timeout_ms);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return WAIT_ERROR;
        if (p[1].revents)
            return WAIT_STOP;
        return WAIT_READY; /* readable, writable, hung up, or timed out */
    }
}

static bool peer_gone(int e)
{
    return e == EPIPE || e == ECONNRESET || e == ENOTCONN || e == ESHUTDOWN;
}

enum io_result { IO_OK, IO_END, IO_ERROR };

static enum io_result write_all(int fd, const char *data, size_t len, int stop_fd,
                                struct pv_error *err)
{
    while (len > 0) {
        ssize_t n = send(fd, data, len, MSG_NOSIGNAL);
        if (n > 0) {
            data += n;
            len -= (size_t)n;
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            enum wait_result w = wait_fd(fd, POLLOUT, stop_fd, -1);
            if (w == WAIT_STOP)
                return IO_END;
            if (w == WAIT_ERROR) {
                pv_error_set(err, "demo server: poll: %s", strerror(errno));
                return IO_ERROR;
            }
            continue;
        }
        if (n < 0 && peer_gone(errno))
            return IO_END;
        pv_error_set(err, "demo server: send: %s", n < 0 ? strerror(errno) : "no progress");
        return IO_ERROR;
    }
    return IO_OK;
}

/* Waits the configured delay (stoppable), sends out, empties it. */
static enum io_result send_reply(int fd, struct pv_buf *out, const struct demo_server_options *o,
                                 int stop_fd, struct pv_error *err)
{
    if (o->reply_delay_ms > 0) {
        int ms = o->reply_delay_ms > 600000 ? 600000 : (int)o->reply_delay_ms;
        if (stop_fd >= 0 && wait_fd(-1, 0, stop_fd, ms) == WAIT_STOP)
            return IO_END;
        if (stop_fd < 0)
            poll(NULL, 0, ms);
    }
    enum io_result r = write_all(fd, out->data ? out->data : "", out->len, stop_fd, err);
    pv_buf_reset(out);
    return r;
}

/* ---- the session loop ---- */

struct conn {
    int fd;
    int stop_fd;
    const struct demo_server_options *opts;
    struct demo_session *session;
    struct pv_buf in;
    struct pv_buf out;
    bool discarding; /* inside an over-long line, dropping bytes up to its LF */
};

/*
 * Answers every complete line in the input buffer.  Returns IO_END when the
 * session is over.
 */
static enum io_result answer_lines(struct conn *c, struct pv_error *err)
{
    char *lf;
    while (c->in.len > 0 && (lf = memchr(c->in.data, '\n', c->in.len)) != NULL) {
        size_t total = (size_t)(lf - c->in.data) + 1;
        size_t len = total - 1;
        if (len > 0 && c->in.data[len - 1] == '\r')
            len--;
        bool alive = true;
        if (c->discarding) {
            c->discarding = false;
            pv_buf_consume(&c->in, total);
            continue;
        }
        if (len + 2 > demo_session_line_max(c->session))
            demo_session_line_too_long(c->session, &c->out);
        else
            alive = demo_session_line(c->session, c->in.data, len, &c->out);
        pv_wipe(c->in.data, total); /* the line may have carried a password */
        pv_buf_consume(&c->in, total);
        enum io_result r = send_reply(c->fd, &c->out, c->opts, c->stop_fd, err);
        if (r != IO_OK)
            return r;
        if (!alive)
            return IO_END;
    }
    /* No LF yet: a partial line already too long is refused now. */
    if (!c->discarding && c->in.len + 1 > demo_session_line_max(c->session)) {
        demo_session_line_too_long(c->session, &c->out);
        c->discarding = true;
        enum io_result r = send_reply(c->fd, &c->out, c->opts, c->stop_fd, err);
        if (r != IO_OK)
            return r;
    }
    if (c->discarding)
        pv_buf_reset(&c->in);
    return IO_OK;
}

static enum io_result read_more(struct conn *c, struct pv_error *err)
{
    for (;;) {
        char chunk[READ_CHUNK];
        ssize_t n = recv(c->fd, chunk, sizeof(chunk), 0);
        if (n > 0) {
            if (!pv_buf_append(&c->in, chunk, (size_t)n))
                abort(); /* the cap leaves room for a line plus one chunk */
            return IO_OK;
        }
        if (n == 0)
            return IO_END;
        if (errno == EINTR)
            continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
            enum wait_result w = wait_fd(c->fd, POLLIN, c->stop_fd, -1);
            if (w == WAIT_STOP)
                return IO_END;
            if (w == WAIT_ERROR) {
                pv_error_set(err, "demo server: poll: %s", strerror(errno));
                return IO_ERROR;
            }
            continue;
        }
        if (peer_gone(errno))
            return IO_END;
        pv_error_set(err, "demo server: recv: %s", strerror(errno));
        return IO_ERROR;
    }
}

enum demo_status demo_serve_fd(struct demo_mailbox *mb, const struct demo_server_options *opts,
                               int fd, int stop_fd, struct pv_error *err)
{
    struct demo_server_options defaults;
    if (!opts) {
        demo_server_options_init(&defaults);
        opts = &defaults;
    }
    if (!mb || fd < 0) {
        pv_error_set(err, "demo server: no mailbox or no socket");
        return DEMO_ERR_ARG;
    }
    int flags = fcntl(fd, F_GETFL);
    if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) {
        pv_error_set(err, "demo server: cannot make the socket non-blocking: %s", strerror(errno));
        return DEMO_ERR_SYSTEM;
    }
    struct conn c = {.fd = fd, .stop_fd = stop_fd, .opts = opts};
    c.session = demo_session_new(mb, opts, demo_mailbox_next_connection(mb));
    pv_buf_init(&c.in, DEMO_SASL_LINE_MAX + READ_CHUNK);
    pv_buf_init(&c.out, 0);

    demo_session_greeting(c.session, &c.out);
    enum io_result r = send_reply(fd, &c.out, opts, stop_fd, err);
    while (r == IO_OK) {
        r = read_more(&c, err);
        if (r == IO_OK)
            r = answer_lines(&c, err);
    }
    demo_session_free(&c.session);
    pv_buf_free_secret(&c.in);
    pv_buf_free(&c.out);
    return r == IO_ERROR ? DEMO_ERR_SYSTEM : DEMO_OK;
}

/* ---- the thread over a socketpair ---- */

static void *server_thread(void *arg)
{
    struct demo_server *s = arg;
    demo_serve_fd(s->mb, &s->opts, s->fd, s->stop_pipe[0], NULL);
    /* POP3 servers close the connection when the session ends (RFC 1939 §6). */
    shutdown(s->fd, SHUT_RDWR);
    close(s->fd);
    s->fd = -1;
    atomic_store(&s->finished, true);
    return NULL;
}

static void copy_options(struct demo_server *s, const struct demo_server_options *opts)
{
    if (opts)
        s->opts = *opts;
    else
        demo_server_options_init(&s->opts);
    s->user = s->opts.user ? pv_xstrdup(s->opts.user) : NULL;
    s->password = s->opts.password ? pv_xstrdup(s->opts.password) : NULL;
    s->hostname = s->opts.hostname ? pv_xstrdup(s->opts.hostname) : NULL;
    s->opts.user = s->user;
    s->opts.password = s->password;
    s->opts.hostname = s->hostname;
}

static void server_release(struct demo_server *s)
{
    if (s->stop_pipe[0] >= 0)
        close(s->stop_pipe[0]);
    if (s->stop_pipe[1] >= 0)
        close(s->stop_pipe[1]);
    free(s->user);
    pv_free_secret(&s->password);
    free(s->hostname);
    free(s);
}

enum demo_status demo_server_start(struct demo_mailbox *mb, const struct demo_server_options *opts,
                                   struct demo_server **server_out, int *client_fd_out,
                                   struct pv_error *err)
{
    if (!mb || !server_out || !client_fd_out) {
        pv_error_set(err, "demo server: no mailbox or nowhere to put the result");
        return DEMO_ERR_ARG;
    }
    struct demo_server *s = pv_xcalloc(1, sizeof(*s));
    s->mb = mb;
    s->stop_pipe[0] = s->stop_pipe[1] = -1;
    atomic_init(&s->finished, false);
    copy_options(s, opts);

    int sv[2];
    if (pipe2(s->stop_pipe, O_CLOEXEC) != 0) {
        pv_error_set(err, "demo server: pipe: %s", strerror(errno));
        server_release(s);
        return DEMO_ERR_SYSTEM;
    }
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
        pv_error_set(err, "demo server: socketpair: %s", strerror(errno));
        server_release(s);
        return DEMO_ERR_SYSTEM;
    }
    s->fd = sv[0];

    /* The thread takes no signals: they belong to the program's main loop. */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    int rc = pthread_create(&s->thread, NULL, server_thread, s);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc != 0) {
        pv_error_set(err, "demo server: cannot start a thread: %s", strerror(rc));
        close(sv[0]);
        close(sv[1]);
        server_release(s);
        return DEMO_ERR_SYSTEM;
    }
    *server_out = s;
    *client_fd_out = sv[1];
    return DEMO_OK;
}

bool demo_server_finished(struct demo_server *server)
{
    return server && atomic_load(&server->finished);
}

void demo_server_free(struct demo_server **serverp)
{
    if (!serverp || !*serverp)
        return;
    struct demo_server *s = *serverp;
    ssize_t n;
    do {
        n = write(s->stop_pipe[1], "x", 1);
    } while (n < 0 && errno == EINTR);
    pthread_join(s->thread, NULL);
    server_release(s);
    *serverp = NULL;
}
