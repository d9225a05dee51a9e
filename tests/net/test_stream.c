/*
 * Tests for src/net/stream.c: the plain stream over a socketpair.
 *
 *   const char *net_status_name(enum net_status st);
 *   struct net_stream *net_stream_from_fd(int fd, int timeout_ms);
 *   void net_stream_free(struct net_stream **stream);
 *   void net_stream_set_timeout(struct net_stream *s, int timeout_ms);
 *   int net_stream_timeout(const struct net_stream *s);
 *   int net_stream_fd(const struct net_stream *s);
 *   bool net_stream_has_buffered(const struct net_stream *s);
 *   enum net_status net_stream_read_some(s, buf, cap, n_out, err);
 *   enum net_status net_stream_write_some(s, buf, len, n_out, err);
 *   enum net_status net_stream_read(s, buf, cap, n_out, err);
 *   enum net_status net_stream_write_all(s, buf, len, err);
 *   enum net_status net_stream_wait(s, want_write, timeout_ms, readable_out, writable_out, err);
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <popview/util.h>

#include <popview/net.h>

enum { SHORT_TIMEOUT_MS = 200, BULK_SIZE = 4 * 1024 * 1024 };

static void make_pair(int sv[2])
{
    ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static unsigned char pattern_byte(size_t i)
{
    return (unsigned char)((i * 7 + i / 251) & 0xff);
}

/* A stream over one end of a socketpair; *peer_out is the other end. */
static struct net_stream *stream_pair(int *peer_out, int timeout_ms)
{
    int sv[2];
    make_pair(sv);
    *peer_out = sv[1];
    struct net_stream *s = net_stream_from_fd(sv[0], timeout_ms);
    ck_assert_ptr_nonnull(s);
    return s;
}

/* --- net_status_name --------------------------------------------------- */

static const struct {
    enum net_status st;
    const char *name;
} status_names[] = {
    {NET_OK, "ok"},
    {NET_WOULD_BLOCK, "would block"},
    {NET_CLOSED, "closed"},
    {NET_ERR_RESOLVE, "resolve"},
    {NET_ERR_CONNECT, "connect"},
    {NET_ERR_TIMEOUT, "timeout"},
    {NET_ERR_IO, "i/o"},
    {NET_ERR_TLS, "tls"},
    {NET_ERR_CERT, "certificate"},
    {NET_ERR_PROTOCOL, "protocol"},
    {(enum net_status)99, "unknown"},
};

START_TEST(status_name_table)
{
    ck_assert_str_eq(net_status_name(status_names[_i].st), status_names[_i].name);
}
END_TEST

/* --- net_stream_from_fd ------------------------------------------------ */

START_TEST(from_fd_rejects_negative)
{
    ck_assert_ptr_null(net_stream_from_fd(-1, 1000));
}
END_TEST

START_TEST(from_fd_makes_nonblocking)
{
    int sv[2];
    make_pair(sv);
    ck_assert_int_eq(fcntl(sv[0], F_GETFL) & O_NONBLOCK, 0);
    struct net_stream *s = net_stream_from_fd(sv[0], 1234);
    ck_assert_int_ne(fcntl(sv[0], F_GETFL) & O_NONBLOCK, 0);
    ck_assert_int_ne(fcntl(sv[0], F_GETFD) & FD_CLOEXEC, 0);
    ck_assert_int_eq(net_stream_fd(s), sv[0]);
    ck_assert_int_eq(net_stream_timeout(s), 1234);
    ck_assert(!net_stream_is_tls(s));
    net_stream_free(&s);
    close(sv[1]);
}
END_TEST

/* --- net_stream_free --------------------------------------------------- */

START_TEST(free_null_is_fine)
{
    net_stream_free(NULL);
    struct net_stream *s = NULL;
    net_stream_free(&s);
    ck_assert_ptr_null(s);
}
END_TEST

START_TEST(free_closes_and_nulls)
{
    int peer;
    struct net_stream *s = stream_pair(&peer, 1000);
    net_stream_free(&s);
    ck_assert_ptr_null(s);
    char c;
    ck_assert_int_eq(recv(peer, &c, 1, 0), 0); /* the peer sees EOF */
    close(peer);
}
END_TEST

/* --- net_stream_set_timeout / net_stream_timeout ----------------------- */

START_TEST(timeout_null_and_set)
{
    net_stream_set_timeout(NULL, 5);
    ck_assert_int_eq(net_stream_timeout(NULL), 0);
    int peer;
    struct net_stream *s = stream_pair(&peer, 1000);
    net_stream_set_timeout(s, 250);
    ck_assert_int_eq(net_stream_timeout(s), 250);
    net_stream_free(&s);
    close(peer);
}
END_TEST

/* --- net_stream_fd ------------------------------------------------------- */

START_TEST(fd_of_null)
{
    ck_assert_int_eq(net_stream_fd(NULL), -1);
}
END_TEST

/* --- net_stream_has_buffered ------------------------------------------- */

START_TEST(has_buffered_plain_is_false)
{
    ck_assert(!net_stream_has_buffered(NULL));
    int peer;
    struct net_stream *s = stream_pair(&peer, 1000);
    ck_assert_int_eq(send(peer, "abc", 3, 0), 3);
    /* Bytes in the kernel are for poll() to see, not "buffered". */
    ck_assert(!net_stream_has_buffered(s));
    net_stream_free(&s);
    close(peer);
}
END_TEST

/* --- net_stream_read_some ---------------------------------------------- */

START_TEST(read_some_null)
{
    struct pv_error err;
    char buf[4];
    size_t n = 9;
    ck_assert_int_eq(net_stream_read_some(NULL, buf, sizeof buf, &n, &err), NET_ERR_IO);
    ck_assert_uint_eq(n, 0);
    ck_assert_str_eq(err.msg, "not connected");
}
END_TEST

START_TEST(read_some_states)
{
    int peer;
    struct net_stream *s = stream_pair(&peer, 1000);
    struct pv_error err;
    char buf[16];
    size_t n = 9;
    ck_assert_int_eq(net_stream_read_some(s, buf, sizeof buf, &n, &err), NET_WOULD_BLOCK);
    ck_assert_uint_eq(n, 0);
    ck_assert_int_eq(send(peer, "+OK hi\r\n", 8, 0), 8);
    ck_assert_int_eq(net_stream_read_some(s, buf, 0, &n, &err), NET_OK);
    ck_assert_uint_eq(n, 0);
    ck_assert_int_eq(net_stream_read_some(s, buf, 3, &n, &err), NET_OK);
    ck_assert_uint_eq(n, 3);
    ck_assert_int_eq(memcmp(buf, "+OK", 3), 0);
    ck_assert_int_eq(net_stream_read_some(s, buf, sizeof buf, &n, &err), NET_OK);
    ck_assert_uint_eq(n, 5);
    ck_assert_int_eq(memcmp(buf, " hi\r\n", 5), 0);
    close(peer);
    ck_assert_int_eq(net_stream_read_some(s, buf, sizeof buf, &n, &err), NET_CLOSED);
    net_stream_free(&s);
}
END_TEST

/* --- net_stream_write_some --------------------------------------------- */

START_TEST(write_some_null_and_empty)
{
    struct pv_error err;
    size_t n = 9;
    ck_assert_int_eq(net_stream_write_some(NULL, "x", 1, &n, &err), NET_ERR_IO);
    ck_assert_uint_eq(n, 0);
    int peer;
    struct net_stream *s = stream_pair(&peer, 1000);
    ck_assert_int_eq(net_stream_write_some(s, "x", 0, &n, &err), NET_OK);
    ck_assert_uint_eq(n, 0);
    net_stream_free(&s);
    close(peer);
}
END_TEST

START_TEST(write_some_until_full)
{
    int peer;
    struct net_stream *s = stream_pair(&peer, 1000);
    struct pv_error err;
    static char chunk[65536];
    size_t total = 0, n = 0;
    enum net_status st;
    /* A peer that never reads: the socket buffer fills and the call must
     * say so instead of waiting. */
    while ((st = net_stream_write_some(s, chunk, sizeof chunk, &n, &err)) == NET_OK) {
        ck_assert_uint_gt(n, 0);
        total += n;
        ck_assert_uint_lt(total, (size_t)256 * 1024 * 1024);
    }
    ck_assert_int_eq(st, NET_WOULD_BLOCK);
    ck_assert_uint_gt(total, 0);
    net_stream_free(&s);
    close(peer);
}
END_TEST

START_TEST(write_some_to_closed_peer_is_error_not_sigpipe)
{
    int peer;
    struct net_stream *s = stream_pair(&peer, 1000);
    close(peer);
    struct pv_error err;
    size_t n = 0;
    /* Without MSG_NOSIGNAL this would kill the (forked) test with SIGPIPE. */
    ck_assert_int_eq(net_stream_write_some(s, "QUIT\r\n", 6, &n, &err), NET_ERR_IO);
    ck_assert_ptr_nonnull(strstr(err.msg, strerror(EPIPE)));
    net_stream_free(&s);
}
END_TEST

/* --- net_stream_read ----------------------------------------------------- */

START_TEST(read_null)
{
    struct pv_error err;
    char buf[4];
    size_t n;
    ck_assert_int_eq(net_stream_read(NULL, buf, sizeof buf, &n, &err), NET_ERR_IO);
}
END_TEST

START_TEST(read_times_out)
{
    int peer;
    struct net_stream *s = stream_pair(&peer, SHORT_TIMEOUT_MS);
    struct pv_error err;
    char buf[16];
    size_t n = 9;
    int64_t t0 = now_ms();
    ck_assert_int_eq(net_stream_read(s, buf, sizeof buf, &n, &err), NET_ERR_TIMEOUT);
    int64_t took = now_ms() - t0;
    ck_assert_int_ge(took, SHORT_TIMEOUT_MS - 10);
    ck_assert_int_lt(took, 2000);
    ck_assert_uint_eq(n, 0);
    ck_assert_ptr_nonnull(strstr(err.msg, "timed out after 200 ms"));
    net_stream_free(&s);
    close(peer);
}
END_TEST

START_TEST(read_eof_is_closed)
{
    int peer;
    struct net_stream *s = stream_pair(&peer, 1000);
    ck_assert_int_eq(send(peer, "x", 1, 0), 1);
    shutdown(peer, SHUT_WR);
    struct pv_error err;
    char buf[16];
    size_t n;
    ck_assert_int_eq(net_stream_read(s, buf, sizeof buf, &n, &err), NET_OK);
    ck_assert_uint_eq(n, 1);
    ck_assert_int_eq(net_stream_read(s, buf, sizeof buf, &n, &err), NET_CLOSED);
    net_stream_free(&s);
    close(peer);
}
END_TEST

struct late_writer {
    int fd;
    int delay_ms;
};

static void *write_late(void *arg)
{
    const struct late_writer *w = arg;
    struct timespec ts = {.tv_sec = 0, .tv_nsec = (long)w->delay_ms * 1000000L};
    nanosleep(&ts, NULL);
    ssize_t r = send(w->fd, "+OK late\r\n", 10, 0);
    (void)r;
    return NULL;
}

START_TEST(read_waits_for_data)
{
    int peer;
    struct net_stream *s = stream_pair(&peer, 5000);
    struct late_writer w = {.fd = peer, .delay_ms = 50};
    pthread_t th;
    ck_assert_int_eq(pthread_create(&th, NULL, write_late, &w), 0);
    struct pv_error err;
    char buf[32];
    size_t n;
    ck_assert_int_eq(net_stream_read(s, buf, sizeof buf, &n, &err), NET_OK);
    ck_assert_uint_eq(n, 10);
    ck_assert_int_eq(memcmp(buf, "+OK late\r\n", 10), 0);
    pthread_join(th, NULL);
    net_stream_free(&s);
    close(peer);
}
END_TEST

/* --- net_stream_write_all ---------------------------------------------- */

struct bulk_reader {
    int fd;
    size_t expected;
    size_t received;
    bool intact;
};

static void *read_bulk(void *arg)
{
    struct bulk_reader *r = arg;
    static char buf[65536];
    r->intact = true;
    for (;;) {
        ssize_t n = recv(r->fd, buf, sizeof buf, 0);
        if (n <= 0)
            break;
        for (ssize_t i = 0; i < n; i++)
            if ((unsigned char)buf[i] != pattern_byte(r->received + (size_t)i))
                r->intact = false;
        r->received += (size_t)n;
    }
    return NULL;
}

START_TEST(write_all_null)
{
    struct pv_error err;
    ck_assert_int_eq(net_stream_write_all(NULL, "x", 1, &err), NET_ERR_IO);
}
END_TEST

START_TEST(write_all_bulk_arrives_intact)
{
    int peer;
    struct net_stream *s = stream_pair(&peer, 5000);
    unsigned char *data = pv_xmalloc(BULK_SIZE);
    for (size_t i = 0; i < BULK_SIZE; i++)
        data[i] = pattern_byte(i);
    struct bulk_reader r = {.fd = peer, .expected = BULK_SIZE};
    pthread_t th;
    ck_assert_int_eq(pthread_create(&th, NULL, read_bulk, &r), 0);
    struct pv_error err;
    ck_assert_int_eq(net_stream_write_all(s, data, BULK_SIZE, &err), NET_OK);
    net_stream_free(&s); /* EOF ends the reader */
    pthread_join(th, NULL);
    ck_assert_uint_eq(r.received, BULK_SIZE);
    ck_assert(r.intact);
    free(data);
    close(peer);
}
END_TEST

struct slow_reader {
    int fd;
    size_t received;
};

/* Reads a chunk every 30 ms: never stuck, but slower than one timeout. */
static void *read_slowly(void *arg)
{
    struct slow_reader *r = arg;
    static char buf[65536];
    struct timespec pause = {.tv_nsec = 30 * 1000000L};
    ssize_t n;
    while (nanosleep(&pause, NULL) == 0 && (n = recv(r->fd, buf, sizeof buf, 0)) > 0)
        r->received += (size_t)n;
    return NULL;
}

START_TEST(write_all_timeout_restarts_on_progress)
{
    int peer;
    struct net_stream *s = stream_pair(&peer, SHORT_TIMEOUT_MS);
    enum { SIZE = 1024 * 1024 };
    char *data = pv_xcalloc(1, SIZE);
    struct slow_reader r = {.fd = peer};
    pthread_t th;
    ck_assert_int_eq(pthread_create(&th, NULL, read_slowly, &r), 0);
    struct pv_error err;
    int64_t t0 = now_ms();
    enum net_status st = net_stream_write_all(s, data, SIZE, &err);
    ck_assert_msg(st == NET_OK, "%s", err.msg);
    ck_assert_int_gt(now_ms() - t0, SHORT_TIMEOUT_MS); /* longer than one timeout */
    net_stream_free(&s);
    pthread_join(th, NULL);
    ck_assert_uint_eq(r.received, SIZE);
    free(data);
    close(peer);
}
END_TEST

START_TEST(write_all_times_out_on_stuck_peer)
{
    int peer;
    struct net_stream *s = stream_pair(&peer, SHORT_TIMEOUT_MS);
    char *data = pv_xcalloc(1, BULK_SIZE);
    struct pv_error err;
    int64_t t0 = now_ms();
    ck_assert_int_eq(net_stream_write_all(s, data, BULK_SIZE, &err), NET_ERR_TIMEOUT);
    ck_assert_int_lt(now_ms() - t0, 3000);
    ck_assert_ptr_nonnull(strstr(err.msg, "sending to the server timed out"));
    free(data);
    net_stream_free(&s);
    close(peer);
}
END_TEST

/* --- net_stream_wait ----------------------------------------------------- */

START_TEST(wait_null)
{
    struct pv_error err;
    bool r = true, w = true;
    ck_assert_int_eq(net_stream_wait(NULL, true, 0, &r, &w, &err), NET_ERR_IO);
    ck_assert(!r && !w);
}
END_TEST

START_TEST(wait_reports_readiness)
{
    int peer;
    struct net_stream *s = stream_pair(&peer, 1000);
    struct pv_error err;
    bool r = true, w = true;
    ck_assert_int_eq(net_stream_wait(s, false, 0, &r, &w, &err), NET_OK);
    ck_assert(!r && !w);
    int64_t t0 = now_ms();
    ck_assert_int_eq(net_stream_wait(s, false, 100, &r, &w, &err), NET_OK);
    ck_assert_int_ge(now_ms() - t0, 90);
    ck_assert(!r && !w);
    ck_assert_int_eq(net_stream_wait(s, true, 0, &r, &w, &err), NET_OK);
    ck_assert(!r && w);
    ck_assert_int_eq(send(peer, "x", 1, 0), 1);
    ck_assert_int_eq(net_stream_wait(s, false, -1, &r, &w, &err), NET_OK);
    ck_assert(r && !w);
    net_stream_free(&s);
    close(peer);
}
END_TEST

START_TEST(wait_reports_eof_as_readable)
{
    int peer;
    struct net_stream *s = stream_pair(&peer, 1000);
    close(peer);
    struct pv_error err;
    bool r = false, w = false;
    ck_assert_int_eq(net_stream_wait(s, false, 1000, &r, &w, &err), NET_OK);
    ck_assert(r);
    net_stream_free(&s);
}
END_TEST

static TCase *add_case(Suite *s, const char *name)
{
    TCase *tc = tcase_create(name);
    suite_add_tcase(s, tc);
    return tc;
}

static Suite *stream_suite(void)
{
    Suite *s = suite_create("net_stream");
    TCase *tc = add_case(s, "net_status_name");
    tcase_add_loop_test(tc, status_name_table, 0, (int)PV_ARRAY_LEN(status_names));
    tc = add_case(s, "net_stream_from_fd");
    tcase_add_test(tc, from_fd_rejects_negative);
    tcase_add_test(tc, from_fd_makes_nonblocking);
    tc = add_case(s, "net_stream_free");
    tcase_add_test(tc, free_null_is_fine);
    tcase_add_test(tc, free_closes_and_nulls);
    tc = add_case(s, "net_stream_timeout");
    tcase_add_test(tc, timeout_null_and_set);
    tc = add_case(s, "net_stream_fd");
    tcase_add_test(tc, fd_of_null);
    tc = add_case(s, "net_stream_has_buffered");
    tcase_add_test(tc, has_buffered_plain_is_false);
    tc = add_case(s, "net_stream_read_some");
    tcase_add_test(tc, read_some_null);
    tcase_add_test(tc, read_some_states);
    tc = add_case(s, "net_stream_write_some");
    tcase_add_test(tc, write_some_null_and_empty);
    tcase_add_test(tc, write_some_until_full);
    tcase_add_test(tc, write_some_to_closed_peer_is_error_not_sigpipe);
    tc = add_case(s, "net_stream_read");
    tcase_add_test(tc, read_null);
    tcase_add_test(tc, read_times_out);
    tcase_add_test(tc, read_eof_is_closed);
    tcase_add_test(tc, read_waits_for_data);
    tc = add_case(s, "net_stream_write_all");
    tcase_add_test(tc, write_all_null);
    tcase_add_test(tc, write_all_bulk_arrives_intact);
    tcase_add_test(tc, write_all_timeout_restarts_on_progress);
    tcase_add_test(tc, write_all_times_out_on_stuck_peer);
    tc = add_case(s, "net_stream_wait");
    tcase_add_test(tc, wait_null);
    tcase_add_test(tc, wait_reports_readiness);
    tcase_add_test(tc, wait_reports_eof_as_readable);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(stream_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
