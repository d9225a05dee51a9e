/* The scripted test server: see fake_server.h. */
#include "fake_server.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <popview/util.h>

struct fake_server {
    const struct fake_step *steps;
    size_t nsteps;
    int fd;
    pthread_t thread;
    struct pv_buf in;       /* bytes received, not yet split into lines */
    struct pv_buf received; /* client lines joined by '\n' */
    char problem[512];
    int gathered;
};

static void sleep_ms(int ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Reads until a full line is buffered; false on EOF or a 5 s silence. */
static bool read_line(struct fake_server *fs, char **line_out)
{
    for (;;) {
        char *nl = fs->in.data ? memchr(fs->in.data, '\n', fs->in.len) : NULL;
        if (nl) {
            size_t n = (size_t)(nl - fs->in.data);
            size_t keep = n && fs->in.data[n - 1] == '\r' ? n - 1 : n;
            *line_out = pv_xstrndup(fs->in.data, keep);
            pv_buf_consume(&fs->in, n + 1);
            return true;
        }
        struct pollfd p = {.fd = fs->fd, .events = POLLIN};
        if (poll(&p, 1, 5000) <= 0)
            return false;
        char buf[4096];
        ssize_t r = read(fs->fd, buf, sizeof buf);
        if (r <= 0)
            return false;
        if (!pv_buf_append(&fs->in, buf, (size_t)r))
            return false;
    }
}

static int count_buffered_lines(struct fake_server *fs)
{
    char buf[65536];
    ssize_t r;
    while ((r = recv(fs->fd, buf, sizeof buf, MSG_DONTWAIT)) > 0)
        if (!pv_buf_append(&fs->in, buf, (size_t)r))
            break;
    int n = 0;
    for (size_t i = 0; i < fs->in.len; i++)
        n += fs->in.data[i] == '\n';
    return n;
}

static void write_all(int fd, const char *s, size_t len)
{
    while (len) {
        ssize_t w = send(fd, s, len, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return;
        s += w;
        len -= (size_t)w;
    }
}

static void *fake_main(void *arg)
{
    struct fake_server *fs = arg;
    for (size_t i = 0; i < fs->nsteps; i++) {
        const struct fake_step *st = &fs->steps[i];
        if (st->expect) {
            char *line = NULL;
            if (!read_line(fs, &line)) {
                snprintf(fs->problem, sizeof fs->problem,
                         "step %zu: client sent nothing, "
                         "expected \"%s\"",
                         i, st->expect == FAKE_ANY ? "(any)" : st->expect);
                break;
            }
            bool ok =
                pv_buf_append_str(&fs->received, line) && pv_buf_append_byte(&fs->received, '\n');
            (void)ok;
            if (st->expect != FAKE_ANY && strcmp(line, st->expect) != 0 && !fs->problem[0])
                snprintf(fs->problem, sizeof fs->problem, "step %zu: expected \"%s\", got \"%s\"",
                         i, st->expect, line);
            free(line);
            if (st->gather_ms) {
                sleep_ms(st->gather_ms);
                fs->gathered = count_buffered_lines(fs);
            }
        }
        if (st->reply == FAKE_CLOSE) {
            shutdown(fs->fd, SHUT_RDWR);
            break;
        }
        if (st->reply)
            write_all(fs->fd, st->reply, strlen(st->reply));
    }
    /* Record whatever else the client sends until it hangs up. */
    char *line = NULL;
    while (read_line(fs, &line)) {
        bool ok = pv_buf_append_str(&fs->received, line) && pv_buf_append_byte(&fs->received, '\n');
        (void)ok;
        free(line);
    }
    return NULL;
}

struct fake_server *fake_server_start(const struct fake_step *steps, size_t nsteps,
                                      int *client_fd_out)
{
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0)
        abort();
    struct fake_server *fs = pv_xcalloc(1, sizeof *fs);
    fs->steps = steps;
    fs->nsteps = nsteps;
    fs->fd = sv[0];
    pv_buf_init(&fs->in, 0);
    pv_buf_init(&fs->received, 0);
    bool ok = pv_buf_append_str(&fs->received, "");
    (void)ok;
    if (pthread_create(&fs->thread, NULL, fake_main, fs) != 0)
        abort();
    *client_fd_out = sv[1];
    return fs;
}

void fake_server_finish(struct fake_server **fsp)
{
    struct fake_server *fs = *fsp;
    pthread_join(fs->thread, NULL);
    close(fs->fd);
    pv_buf_free(&fs->in);
    pv_buf_free(&fs->received);
    free(fs);
    *fsp = NULL;
}

const char *fake_server_received(const struct fake_server *fs)
{
    return fs->received.data;
}

const char *fake_server_problem(const struct fake_server *fs)
{
    return fs->problem;
}

int fake_server_gathered(const struct fake_server *fs)
{
    return fs->gathered;
}
