/*
 * Tests for src/net/tcp.c against listening sockets on the loopback
 * interface (127.0.0.1 and, where the machine has it, ::1).
 *
 *   enum net_status net_tcp_connect(const char *host, const char *port, int timeout_ms,
 *                                   struct net_stream **stream_out, struct pv_error *err);
 */
#include <arpa/inet.h>
#include <check.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <popview/util.h>

#include <popview/net.h>

enum { SHORT_TIMEOUT_MS = 200, FILL_MAX = 16 };

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A TCP socket bound to port (0: an ephemeral one) of addr; listening
 * when backlog >= 0.  Returns -1 when that cannot be had. */
static int bound_socket_at(int family, const char *addr, uint16_t want_port, int backlog,
                           char *port_out, size_t port_size)
{
    struct sockaddr_storage ss = {0};
    socklen_t len;
    if (family == AF_INET) {
        struct sockaddr_in *a = (struct sockaddr_in *)&ss;
        a->sin_family = AF_INET;
        a->sin_port = htons(want_port);
        ck_assert_int_eq(inet_pton(AF_INET, addr, &a->sin_addr), 1);
        len = sizeof *a;
    } else {
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
        a->sin6_family = AF_INET6;
        a->sin6_port = htons(want_port);
        ck_assert_int_eq(inet_pton(AF_INET6, addr, &a->sin6_addr), 1);
        len = sizeof *a;
    }
    int fd = socket(family, SOCK_STREAM, 0);
    if (fd < 0)
        return -1;
    if (bind(fd, (struct sockaddr *)&ss, len) < 0 || (backlog >= 0 && listen(fd, backlog) < 0)) {
        close(fd);
        return -1;
    }
    len = sizeof ss;
    ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&ss, &len), 0);
    unsigned port = ntohs(family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
                                            : ((struct sockaddr_in6 *)&ss)->sin6_port);
    snprintf(port_out, port_size, "%u", port);
    return fd;
}

static int bound_socket(int family, const char *addr, int backlog, char *port_out, size_t port_size)
{
    return bound_socket_at(family, addr, 0, backlog, port_out, port_size);
}

static uint16_t port_of(int fd)
{
    struct sockaddr_in a;
    socklen_t len = sizeof a;
    ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&a, &len), 0);
    return ntohs(a.sin_port);
}

/* Connects to a listener, then checks bytes travel both ways. */
static void check_connect_and_talk(int family, const char *listen_addr, const char *host)
{
    char port[16];
    int lfd = bound_socket(family, listen_addr, 4, port, sizeof port);
    ck_assert_int_ge(lfd, 0);
    struct net_stream *s = NULL;
    struct pv_error err;
    enum net_status st = net_tcp_connect(host, port, 2000, &s, &err);
    ck_assert_msg(st == NET_OK, "%s: %s", host, err.msg);
    ck_assert_ptr_nonnull(s);
    ck_assert_int_eq(net_stream_timeout(s), 2000);
    int afd = accept(lfd, NULL, NULL);
    ck_assert_int_ge(afd, 0);
    ck_assert_int_eq(send(afd, "+OK ready\r\n", 11, 0), 11);
    char buf[32];
    size_t n;
    ck_assert_int_eq(net_stream_read(s, buf, sizeof buf, &n, &err), NET_OK);
    ck_assert_uint_eq(n, 11);
    ck_assert_int_eq(memcmp(buf, "+OK ready\r\n", 11), 0);
    ck_assert_int_eq(net_stream_write_all(s, "QUIT\r\n", 6, &err), NET_OK);
    ck_assert_int_eq(recv(afd, buf, 6, MSG_WAITALL), 6);
    ck_assert_int_eq(memcmp(buf, "QUIT\r\n", 6), 0);
    net_stream_free(&s);
    close(afd);
    close(lfd);
}

START_TEST(connect_rejects_empty_arguments)
{
    struct net_stream *s = (struct net_stream *)&s; /* must be reset to NULL */
    struct pv_error err;
    ck_assert_int_eq(net_tcp_connect(NULL, "110", 100, &s, &err), NET_ERR_RESOLVE);
    ck_assert_ptr_null(s);
    ck_assert_int_eq(net_tcp_connect("", "110", 100, &s, &err), NET_ERR_RESOLVE);
    ck_assert_int_eq(net_tcp_connect("127.0.0.1", "", 100, &s, &err), NET_ERR_RESOLVE);
    ck_assert_str_eq(err.msg, "no port given for 127.0.0.1");
    ck_assert_int_eq(net_tcp_connect("127.0.0.1", NULL, 100, &s, &err), NET_ERR_RESOLVE);
    ck_assert_ptr_null(s);
}
END_TEST

START_TEST(connect_ipv4_literal)
{
    check_connect_and_talk(AF_INET, "127.0.0.1", "127.0.0.1");
}
END_TEST

START_TEST(connect_localhost_name)
{
    check_connect_and_talk(AF_INET, "127.0.0.1", "localhost");
}
END_TEST

static const char *const ipv6_hosts[] = {"::1", "[::1]"};

START_TEST(connect_ipv6_literal)
{
    char port[16];
    int probe = bound_socket(AF_INET6, "::1", 1, port, sizeof port);
    if (probe < 0)
        return; /* no IPv6 loopback on this machine: nothing to test */
    close(probe);
    check_connect_and_talk(AF_INET6, "::1", ipv6_hosts[_i]);
}
END_TEST

START_TEST(connect_refused_names_host_and_port)
{
    char port[16];
    /* Bound but not listening: the port stays ours and refuses. */
    int fd = bound_socket(AF_INET, "127.0.0.1", -1, port, sizeof port);
    ck_assert_int_ge(fd, 0);
    struct net_stream *s = NULL;
    struct pv_error err;
    ck_assert_int_eq(net_tcp_connect("127.0.0.1", port, 2000, &s, &err), NET_ERR_CONNECT);
    ck_assert_ptr_null(s);
    char expected[96];
    snprintf(expected, sizeof expected, "cannot connect to 127.0.0.1 port %s: Connection refused",
             port);
    ck_assert_str_eq(err.msg, expected);
    close(fd);
}
END_TEST

static unsigned count_addresses(const char *host)
{
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
    struct addrinfo *res = NULL;
    ck_assert_int_eq(getaddrinfo(host, "110", &hints, &res), 0);
    unsigned n = 0;
    for (struct addrinfo *ai = res; ai; ai = ai->ai_next)
        n++;
    freeaddrinfo(res);
    return n;
}

START_TEST(connect_refused_counts_addresses)
{
    char port[16];
    int fd4 = bound_socket(AF_INET, "127.0.0.1", -1, port, sizeof port);
    ck_assert_int_ge(fd4, 0);
    /* "localhost" may also be ::1: hold that port too where we can. */
    char port6[16];
    int fd6 = bound_socket_at(AF_INET6, "::1", port_of(fd4), -1, port6, sizeof port6);
    struct net_stream *s = NULL;
    struct pv_error err;
    ck_assert_int_eq(net_tcp_connect("localhost", port, 2000, &s, &err), NET_ERR_CONNECT);
    ck_assert_ptr_nonnull(strstr(err.msg, "cannot connect to localhost port "));
    unsigned n = count_addresses("localhost");
    char tried[40];
    snprintf(tried, sizeof tried, "(tried %u addresses)", n);
    if (n > 1)
        ck_assert_ptr_nonnull(strstr(err.msg, tried));
    else
        ck_assert_ptr_null(strstr(err.msg, "tried"));
    close(fd4);
    if (fd6 >= 0)
        close(fd6);
}
END_TEST

START_TEST(connect_unresolvable_name)
{
    struct net_stream *s = NULL;
    struct pv_error err;
    /* RFC 2606: .invalid never resolves. */
    ck_assert_int_eq(net_tcp_connect("no-such-host.invalid", "110", 2000, &s, &err),
                     NET_ERR_RESOLVE);
    ck_assert_ptr_null(s);
    ck_assert_ptr_nonnull(strstr(err.msg, "cannot resolve no-such-host.invalid: "));
}
END_TEST

START_TEST(connect_unknown_service)
{
    struct net_stream *s = NULL;
    struct pv_error err;
    ck_assert_int_eq(net_tcp_connect("127.0.0.1", "no-such-service", 2000, &s, &err),
                     NET_ERR_RESOLVE);
    ck_assert_ptr_nonnull(strstr(err.msg, "no-such-service"));
}
END_TEST

/* Opens connections until the listener's accept queue is full; the kernel
 * then ignores further SYNs, which is a peer that never answers. */
static int fill_backlog(int lfd, int fds[FILL_MAX])
{
    int n = 0;
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port_of(lfd))};
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    while (n < FILL_MAX) {
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
        ck_assert_int_ge(fd, 0);
        fds[n++] = fd;
        if (connect(fd, (struct sockaddr *)&a, sizeof a) == 0)
            continue;
        struct pollfd p = {.fd = fd, .events = POLLOUT};
        if (poll(&p, 1, 100) == 0)
            return n; /* this one hangs: the queue is full */
    }
    return -1;
}

START_TEST(connect_times_out)
{
    char port[16];
    int lfd = bound_socket(AF_INET, "127.0.0.1", 0, port, sizeof port);
    ck_assert_int_ge(lfd, 0);
    int fds[FILL_MAX];
    int n = fill_backlog(lfd, fds);
    ck_assert_msg(n > 0, "the kernel accepted %d connections without accept()", FILL_MAX);
    struct net_stream *s = NULL;
    struct pv_error err;
    int64_t t0 = now_ms();
    ck_assert_int_eq(net_tcp_connect("127.0.0.1", port, SHORT_TIMEOUT_MS, &s, &err),
                     NET_ERR_TIMEOUT);
    int64_t took = now_ms() - t0;
    ck_assert_int_ge(took, SHORT_TIMEOUT_MS - 10);
    ck_assert_int_lt(took, 3000);
    ck_assert_ptr_null(s);
    char expected[96];
    snprintf(expected, sizeof expected, "connection to 127.0.0.1 port %s timed out after 200 ms",
             port);
    ck_assert_str_eq(err.msg, expected);
    for (int i = 0; i < n; i++)
        close(fds[i]);
    close(lfd);
}
END_TEST

static Suite *tcp_suite(void)
{
    Suite *s = suite_create("net_tcp");
    TCase *tc = tcase_create("net_tcp_connect");
    tcase_add_test(tc, connect_rejects_empty_arguments);
    tcase_add_test(tc, connect_ipv4_literal);
    tcase_add_test(tc, connect_localhost_name);
    tcase_add_loop_test(tc, connect_ipv6_literal, 0, (int)PV_ARRAY_LEN(ipv6_hosts));
    tcase_add_test(tc, connect_refused_names_host_and_port);
    tcase_add_test(tc, connect_refused_counts_addresses);
    tcase_add_test(tc, connect_unresolvable_name);
    tcase_add_test(tc, connect_unknown_service);
    tcase_add_test(tc, connect_times_out);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(tcp_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
