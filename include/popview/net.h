/*
 * net — a byte stream to a server: TCP (getaddrinfo, IPv6 and IPv4, each
 * address tried in turn, connect and I/O timeouts) and TLS over it with
 * GnuTLS (system trust or a CA file, host name check, TLS 1.2+), including
 * an in-place upgrade for STLS.  Knows nothing of POP3.
 *
 * The stream is a small vtable (plain socket, TLS session); callers see one
 * type.  The file descriptor is always non-blocking: the *_some calls never
 * wait and return NET_WOULD_BLOCK, so a caller can drive reads and writes
 * from one poll loop (pipelining, a TUI that never freezes).  The plain
 * net_stream_read / net_stream_write_all wait, bounded by the stream's
 * timeout.
 */
#ifndef POPVIEW_NET_H
#define POPVIEW_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <popview/util.h>

enum net_status {
    NET_OK = 0,
    NET_WOULD_BLOCK,  /* nothing could be done now; poll and retry */
    NET_CLOSED,       /* the peer closed the connection (EOF) */
    NET_ERR_RESOLVE,  /* host name did not resolve */
    NET_ERR_CONNECT,  /* no address accepted the connection */
    NET_ERR_TIMEOUT,  /* connect, read, write or handshake took too long */
    NET_ERR_IO,       /* the connection broke (reset, ...) */
    NET_ERR_TLS,      /* TLS handshake or record layer failed */
    NET_ERR_CERT,     /* the server's certificate was not accepted */
    NET_ERR_PROTOCOL, /* the peer sent bytes where none were allowed */
};

/* A short English name for logs and tests ("timeout", "certificate"...). */
const char *net_status_name(enum net_status st);

struct net_stream;

enum { NET_DEFAULT_TIMEOUT_MS = 30000 };

/*
 * Resolves host (name, IPv4 or IPv6 literal, brackets allowed) and connects to
 * port, trying every address getaddrinfo returns until one answers within
 * timeout_ms (per address).  On failure err says which host/port and why
 * (for several addresses: the last error).
 * Errors: NET_ERR_RESOLVE, NET_ERR_CONNECT, NET_ERR_TIMEOUT.
 */
enum net_status net_tcp_connect(const char *host, const char *port, int timeout_ms,
                                struct net_stream **stream_out, struct pv_error *err);

/* Wraps a connected socket (socketpair in tests and --demo).  Takes
 * ownership of fd and makes it non-blocking.  NULL for a negative fd. */
struct net_stream *net_stream_from_fd(int fd, int timeout_ms);

/* Closes (sending TLS close_notify when possible) and frees.  NULL is fine. */
void net_stream_free(struct net_stream **stream);

/* The timeout bounds each wait of net_stream_read, net_stream_write_all
 * (restarting on progress) and the whole TLS handshake.  As in poll():
 * < 0 waits without limit, 0 does not wait. */
void net_stream_set_timeout(struct net_stream *s, int timeout_ms);
int net_stream_timeout(const struct net_stream *s);

/* The descriptor to poll.  Before polling for input, check
 * net_stream_has_buffered(): TLS may hold decrypted bytes already. */
int net_stream_fd(const struct net_stream *s);
bool net_stream_has_buffered(const struct net_stream *s);

/*
 * Non-blocking I/O.  read_some stores 1..cap bytes and NET_OK, or returns
 * NET_WOULD_BLOCK, NET_CLOSED or an error.  write_some stores how many bytes
 * were taken (maybe fewer than len).  With TLS, a write that returned
 * NET_WOULD_BLOCK must be repeated with the same data (GnuTLS rule).
 */
enum net_status net_stream_read_some(struct net_stream *s, void *buf, size_t cap, size_t *n_out,
                                     struct pv_error *err);
enum net_status net_stream_write_some(struct net_stream *s, const void *buf, size_t len,
                                      size_t *n_out, struct pv_error *err);

/* Waits (bounded by the timeout) until at least one byte arrived.
 * Errors: NET_CLOSED, NET_ERR_TIMEOUT, NET_ERR_IO, NET_ERR_TLS. */
enum net_status net_stream_read(struct net_stream *s, void *buf, size_t cap, size_t *n_out,
                                struct pv_error *err);
/* Writes everything, waiting as needed (timeout restarts on progress). */
enum net_status net_stream_write_all(struct net_stream *s, const void *buf, size_t len,
                                     struct pv_error *err);

/*
 * Waits for readiness: *readable_out when a read would make progress (bytes,
 * EOF or error), *writable_out when a write would.  want_write asks to wake
 * on writability too.  timeout_ms < 0 waits forever; 0 polls.
 * Returns NET_OK (possibly with both false when the time ran out) or an error.
 */
enum net_status net_stream_wait(struct net_stream *s, bool want_write, int timeout_ms,
                                bool *readable_out, bool *writable_out, struct pv_error *err);

/* --- TLS ---------------------------------------------------------------- */

struct net_tls_config {
    const char *servername; /* name to verify and to send as SNI; required */
    const char *cafile;     /* PEM bundle to trust instead of the system store */
    bool insecure;          /* accept any certificate (still recorded in info) */
};

/*
 * Runs a TLS handshake on the stream (blocking, bounded by the timeout) and
 * from then on the stream carries TLS.  Used right after connect for
 * implicit TLS and after "+OK" to STLS.  Refuses (NET_ERR_PROTOCOL) if the
 * peer already sent bytes that are waiting on the socket: before the
 * handshake nothing may arrive (the CVE-2021-22947 class).
 * A rejected certificate gives NET_ERR_CERT and an err->msg that names the
 * reason (unknown issuer, name mismatch, expired, not yet valid, ...) and
 * the certificate's SHA-256 fingerprint.
 * On any failure but a missing servername or TLS already active, the
 * stream then refuses all I/O (it never falls back to plaintext): free it.
 * Errors: NET_ERR_CERT, NET_ERR_TLS, NET_ERR_TIMEOUT, NET_ERR_PROTOCOL, NET_ERR_IO.
 */
enum net_status net_stream_start_tls(struct net_stream *s, const struct net_tls_config *cfg,
                                     struct pv_error *err);

bool net_stream_is_tls(const struct net_stream *s);

/* One certificate the server sent (RFC 8446 section 4.4.2: its own first,
 * then each one certifying the one before). */
struct net_tls_cert {
    char subject[512]; /* RFC 4514 DN, control characters replaced */
    char issuer[512];
    char fingerprint[100]; /* SHA-256, "AB:CD:..." */
    int64_t not_before;    /* seconds since the epoch */
    int64_t not_after;
};

/* The most certificates of a chain that are kept (a server sends two or
 * three; the rest are only counted in chain_length). */
enum { NET_TLS_CHAIN_MAX = 6 };

struct net_tls_info {
    char protocol[32]; /* "TLS1.3" */
    char cipher[128];  /* "TLS_AES_256_GCM_SHA384" style, from GnuTLS */
    char subject[512]; /* of the server certificate, RFC 4514 DN */
    char issuer[512];
    char fingerprint[100]; /* SHA-256, "AB:CD:..." */
    int64_t not_before;    /* seconds since the epoch */
    int64_t not_after;
    unsigned chain_length;    /* certificates the server sent */
    bool verified;            /* false only with insecure */
    char verify_problem[256]; /* with insecure: what verification would have said */
    /* The first chain_kept of them (at most NET_TLS_CHAIN_MAX), in the
     * order sent: chain[0] is the server's own (subject..not_after above). */
    struct net_tls_cert chain[NET_TLS_CHAIN_MAX];
    unsigned chain_kept;
};

/* Fills info for a TLS stream; false for a plain one. */
bool net_stream_tls_info(const struct net_stream *s, struct net_tls_info *info_out);

/* The certificate chain the server sent, in its order, at most max
 * certificates (and at most NET_TLS_CHAIN_MAX) into certs; returns how many
 * were written: 0 for NULL, a plain stream or max 0. */
size_t net_stream_tls_chain(const struct net_stream *s, struct net_tls_cert *certs, size_t max);

/* GnuTLS version string in use at run time (for --version). */
const char *net_tls_library_version(void);

#endif
