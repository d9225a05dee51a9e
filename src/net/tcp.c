/*
 * TCP connect: resolve with getaddrinfo (IPv6 and IPv4, in the order the
 * resolver prefers, RFC 6724), then try each address with a non-blocking
 * connect bounded by the timeout, so one dead address (a broken IPv6 route,
 * a firewall that drops SYNs) costs one timeout and not the connection.
 * Also the host-name helpers the TLS code shares: "[::1]" brackets, as in a
 * URL (RFC 3986 section 3.2.2), are accepted around IPv6 literals.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <popview/util.h>

#include <popview/net.h>

#include <popview/i18n.h>

#include "private.h"

char *net_host_unbracket(const char *host)
{
    size_t len = strlen(host);
    if (len >= 2 && host[0] == '[' && host[len - 1] == ']')
        return pv_xstrndup(host + 1, len - 2);
    return pv_xstrdup(host);
}

bool net_host_is_ip_literal(const char *host)
{
    char *h = net_host_unbracket(host);
    struct in_addr a4;
    /* No DNS name contains ':'; this also covers scoped "fe80::1%eth0". */
    bool literal = strchr(h, ':') != NULL || inet_pton(AF_INET, h, &a4) == 1;
    free(h);
    return literal;
}

/* The outcome of one address: 0 and a connected fd, or an errno value
 * (ETIMEDOUT when our own timeout ran out). */
static int try_address(const struct addrinfo *ai, int timeout_ms, int *fd_out)
{
    int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0)
        return errno;
    int e = 0;
    if (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
        e = errno;
        /* EINTR: the connect goes on in the background, like EINPROGRESS. */
        if (e == EINPROGRESS || e == EINTR) {
            short revents = 0;
            int r = net_poll_until(fd, POLLOUT, net_deadline_after(timeout_ms), &revents);
            socklen_t elen = sizeof e;
            if (r < 0)
                e = errno;
            else if (r == 0)
                e = ETIMEDOUT;
            else if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &elen) < 0)
                e = errno;
        }
    }
    if (e != 0) {
        close(fd);
        return e;
    }
    /* POP3 is request/response with small commands, pipelined: Nagle's
     * delay would only slow each round trip. */
    int one = 1;
    (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    *fd_out = fd;
    return 0;
}

static enum net_status resolve(const char *host, const char *name, const char *port,
                               struct addrinfo **res_out, struct pv_error *err)
{
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
    int r = getaddrinfo(name, port, &hints, res_out);
    if (r == 0)
        return NET_OK;
    const char *why = r == EAI_SYSTEM ? strerror(errno) : gai_strerror(r);
    if (r == EAI_SERVICE)
        pv_error_set(err, _("cannot use port %s for %s: %s"), port, host, why);
    else
        pv_error_set(err, _("cannot resolve %s: %s"), host, why);
    return NET_ERR_RESOLVE;
}

static enum net_status connect_error(const char *host, const char *port, int last_errno,
                                     unsigned tried, int timeout_ms, struct pv_error *err)
{
    char tried_text[48] = "";
    if (tried > 1)
        snprintf(tried_text, sizeof tried_text, " (tried %u addresses)", tried);
    if (last_errno == ETIMEDOUT) {
        char d[32];
        net_format_duration(timeout_ms, d, sizeof d);
        pv_error_set(err, _("connection to %s port %s timed out after %s%s"), host, port, d,
                     tried_text);
        return NET_ERR_TIMEOUT;
    }
    pv_error_set(err, _("cannot connect to %s port %s: %s%s"), host, port, strerror(last_errno),
                 tried_text);
    return NET_ERR_CONNECT;
}

enum net_status net_tcp_connect(const char *host, const char *port, int timeout_ms,
                                struct net_stream **stream_out, struct pv_error *err)
{
    *stream_out = NULL;
    if (!host || !*host) {
        pv_error_set(err, _("no server name given"));
        return NET_ERR_RESOLVE;
    }
    if (!port || !*port) {
        pv_error_set(err, _("no port given for %s"), host);
        return NET_ERR_RESOLVE;
    }
    char *name = net_host_unbracket(host);
    struct addrinfo *res = NULL;
    enum net_status st = resolve(host, name, port, &res, err);
    free(name);
    if (st != NET_OK)
        return st;

    unsigned tried = 0;
    int last_errno = ECONNREFUSED;
    int fd = -1;
    for (const struct addrinfo *ai = res; ai; ai = ai->ai_next) {
        tried++;
        last_errno = try_address(ai, timeout_ms, &fd);
        if (last_errno == 0)
            break;
    }
    freeaddrinfo(res);
    if (fd < 0)
        return connect_error(host, port, last_errno, tried, timeout_ms, err);
    *stream_out = net_stream_from_fd(fd, timeout_ms);
    return NET_OK;
}
