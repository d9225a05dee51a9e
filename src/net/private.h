/*
 * Internals of the net layer, shared by stream.c, tcp.c and tls.c only.
 *
 * Glossary:
 *  - ops: the vtable of a stream.  plain_ops talk to the socket directly;
 *    tls.c installs its own ops in place when a handshake succeeds, so a
 *    caller's pointer stays valid across STLS; broken_ops replace either
 *    after a failed handshake, so a failed STLS can never fall back to
 *    plaintext by accident.
 *  - deadline: an absolute CLOCK_MONOTONIC time in ms, or NET_NO_DEADLINE.
 *  - timeout: as in poll(): < 0 waits without limit, 0 does not wait.
 */
#ifndef POPVIEW_NET_PRIVATE_H
#define POPVIEW_NET_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <popview/util.h>

#include <popview/net.h>

struct net_tls;

struct net_stream_ops {
    /* Never wait.  Same contract as net_stream_read_some/_write_some; cap
     * and len are > 0 (stream.c answers the empty cases). */
    enum net_status (*read_some)(struct net_stream *s, void *buf, size_t cap, size_t *n_out,
                                 struct pv_error *err);
    enum net_status (*write_some)(struct net_stream *s, const void *buf, size_t len, size_t *n_out,
                                  struct pv_error *err);
    bool (*has_buffered)(const struct net_stream *s);
    /* Releases what the implementation owns (not the fd, not s itself). */
    void (*close)(struct net_stream *s);
};

struct net_stream {
    int fd;
    int timeout_ms;
    const struct net_stream_ops *ops;
    struct net_tls *tls; /* NULL unless ops is the TLS implementation */
    /* poll() events the last NET_WOULD_BLOCK was waiting for: a TLS read may
     * need the socket writable (and a write readable) during a key update. */
    short read_wait_events;
    short write_wait_events;
};

extern const struct net_stream_ops net_plain_ops;
extern const struct net_stream_ops net_broken_ops;

/* Makes fd non-blocking and close-on-exec; false (errno set) on failure. */
bool net_fd_prepare(int fd);

enum { NET_NO_DEADLINE = -1 };
int64_t net_now_ms(void);
/* now + timeout_ms, or NET_NO_DEADLINE for a negative timeout. */
int64_t net_deadline_after(int timeout_ms);
/* What is left until deadline for poll(): -1 without deadline, >= 0 else. */
int net_remaining_ms(int64_t deadline);

/*
 * poll() on one fd until it reports one of events or deadline passes,
 * restarting after EINTR with the time that is left.  Returns 1 with
 * *revents_out set, 0 on timeout, -1 with errno set.
 */
int net_poll_until(int fd, short events, int64_t deadline, short *revents_out);

/* "30 s" or "200 ms", for timeout messages. */
void net_format_duration(int timeout_ms, char *out, size_t out_size);

/* A host as the user typed it, without IPv6 brackets ("[::1]" -> "::1");
 * caller frees. */
char *net_host_unbracket(const char *host);
bool net_host_is_ip_literal(const char *host);

#endif
