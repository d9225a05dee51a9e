/*
 * TLS over a stream with GnuTLS: the second stream implementation, put in
 * place of the plain one when net_stream_start_tls's handshake succeeds
 * (implicit TLS right after connect, or STLS, RFC 2595 section 4).
 *
 * Policy: TLS 1.2 or newer; trust from the system store or one PEM file;
 * the host name (or IP address) is checked by GnuTLS during the handshake
 * (RFC 6125 rules, RFC 2595 section 2.4 for POP3); SNI (RFC 6066 section 3)
 * is sent for names only, since IP literals are not allowed there.
 *
 * GnuTLS reaches the socket through our own push/pull functions: send()
 * with MSG_NOSIGNAL so a vanished peer cannot raise SIGPIPE, and the errno
 * of a failure kept for the message.
 *
 * Glossary: "record" is a TLS record (RFC 8446 section 5); "pending write"
 * is a record GnuTLS encrypted but could not send yet (GNUTLS_E_AGAIN): the
 * next write must offer the same data, which GnuTLS then ignores and only
 * flushes the record it holds.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <popview/util.h>

#include <popview/net.h>

#include <popview/i18n.h>

#include "private.h"

/* TLS 1.2 (RFC 5246) and 1.3 (RFC 8446); older versions are broken (RFC 8996). */
static const char tls_priority[] = "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2";

/* Enough names from a certificate to show why it does not match. */
enum { CERT_NAMES_MAX = 120, CERT_NAMES_SCAN = 32 };

struct net_tls {
    gnutls_session_t session;
    gnutls_certificate_credentials_t cred;
    int fd;
    int last_errno;       /* of the last failed send/recv, for messages */
    size_t pending_write; /* len of a write that got GNUTLS_E_AGAIN, or 0 */
    bool peer_vanished;   /* TCP closed without close_notify: session is over */
    struct net_tls_info info;
};

/* --- transport --------------------------------------------------------- */

static ssize_t tls_push(gnutls_transport_ptr_t ptr, const void *data, size_t len)
{
    struct net_tls *t = ptr;
    for (;;) {
        ssize_t r = send(t->fd, data, len, MSG_NOSIGNAL);
        if (r >= 0)
            return r;
        if (errno == EINTR)
            continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK)
            t->last_errno = errno;
        gnutls_transport_set_errno(t->session, errno);
        return -1;
    }
}

static ssize_t tls_pull(gnutls_transport_ptr_t ptr, void *data, size_t len)
{
    struct net_tls *t = ptr;
    for (;;) {
        ssize_t r = recv(t->fd, data, len, 0);
        if (r >= 0)
            return r;
        if (errno == EINTR)
            continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK)
            t->last_errno = errno;
        gnutls_transport_set_errno(t->session, errno);
        return -1;
    }
}

/* GnuTLS asks this only when it wants to wait itself; we disabled its
 * handshake timeout, but it must be correct anyway. */
static int tls_pull_timeout(gnutls_transport_ptr_t ptr, unsigned int ms)
{
    struct net_tls *t = ptr;
    int timeout = ms == GNUTLS_INDEFINITE_TIMEOUT ? -1 : (int)ms;
    short revents = 0;
    int r = net_poll_until(t->fd, POLLIN, net_deadline_after(timeout), &revents);
    if (r < 0)
        gnutls_transport_set_errno(t->session, errno);
    return r;
}

/* --- small helpers ------------------------------------------------------- */

/* Certificate text comes from the server: no control characters may reach
 * a terminal or a log through it. */
static void copy_sanitized(char *out, size_t out_size, const void *data, size_t len)
{
    const unsigned char *p = data;
    size_t o = 0;
    for (size_t i = 0; i < len && o + 1 < out_size; i++)
        out[o++] = (p[i] < 0x20 || p[i] == 0x7f) ? '?' : (char)p[i];
    out[o] = '\0';
}

static void format_fingerprint(const gnutls_datum_t *der, char *out, size_t out_size)
{
    unsigned char digest[32];
    size_t dlen = sizeof digest;
    out[0] = '\0';
    if (gnutls_fingerprint(GNUTLS_DIG_SHA256, der, digest, &dlen) < 0)
        return;
    size_t o = 0;
    for (size_t i = 0; i < dlen && o + 4 <= out_size; i++)
        o += (size_t)snprintf(out + o, out_size - o, i ? ":%02X" : "%02X", digest[i]);
}

/* The server's own certificate, DER, or NULL when it sent none. */
static const gnutls_datum_t *peer_certificate(gnutls_session_t session, unsigned *count_out)
{
    unsigned n = 0;
    const gnutls_datum_t *chain = gnutls_certificate_get_peers(session, &n);
    *count_out = chain ? n : 0;
    return chain && n > 0 ? &chain[0] : NULL;
}

static void verification_text(unsigned status, char *out, size_t out_size)
{
    gnutls_datum_t text = {NULL, 0};
    out[0] = '\0';
    if (gnutls_certificate_verification_status_print(status, GNUTLS_CRT_X509, &text, 0) < 0)
        return;
    size_t len = text.size;
    while (len > 0 && text.data[len - 1] == ' ')
        len--;
    copy_sanitized(out, out_size, text.data, len);
    gnutls_free(text.data);
}

/* Appends ", name" while it fits, else ", ..." once. */
static void append_name(char *out, size_t out_size, const char *name)
{
    size_t used = strlen(out);
    size_t len = strlen(name);
    const char *sep = used ? ", " : "";
    if (used + strlen(sep) + len + sizeof ", ..." > out_size) {
        if (!strstr(out, "...") && used + sizeof ", ..." <= out_size)
            memcpy(out + used, ", ...", sizeof ", ...");
        return;
    }
    memcpy(out + used, sep, strlen(sep));
    used += strlen(sep);
    memcpy(out + used, name, len + 1);
}

/* The DNS names and addresses a certificate is for (else its common name),
 * so "does not match" can show what the certificate does match. */
static void certificate_names(const gnutls_datum_t *der, char *out, size_t out_size)
{
    gnutls_x509_crt_t crt;
    out[0] = '\0';
    if (gnutls_x509_crt_init(&crt) < 0)
        return;
    if (gnutls_x509_crt_import(crt, der, GNUTLS_X509_FMT_DER) < 0) {
        gnutls_x509_crt_deinit(crt);
        return;
    }
    for (unsigned i = 0; i < CERT_NAMES_SCAN; i++) {
        char raw[256], name[256];
        size_t len = sizeof raw;
        unsigned critical = 0;
        int type = gnutls_x509_crt_get_subject_alt_name(crt, i, raw, &len, &critical);
        if (type == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
            break;
        if (type == GNUTLS_SAN_DNSNAME)
            copy_sanitized(name, sizeof name, raw, len);
        else if (type != GNUTLS_SAN_IPADDRESS ||
                 !inet_ntop(len == 4 ? AF_INET : AF_INET6, raw, name, sizeof name))
            continue;
        append_name(out, out_size, name);
    }
    if (!out[0]) {
        char raw[256];
        size_t len = sizeof raw;
        if (gnutls_x509_crt_get_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME, 0, 0, raw, &len) == 0)
            copy_sanitized(out, out_size, raw, len);
    }
    gnutls_x509_crt_deinit(crt);
}

/* --- session set-up ------------------------------------------------------ */

static void tls_free(struct net_tls **tp)
{
    struct net_tls *t = *tp;
    if (!t)
        return;
    if (t->session)
        gnutls_deinit(t->session);
    if (t->cred)
        gnutls_certificate_free_credentials(t->cred);
    free(t);
    *tp = NULL;
}

static enum net_status load_trust(struct net_tls *t, const struct net_tls_config *cfg,
                                  struct pv_error *err)
{
    int r;
    if (cfg->cafile) {
        r = gnutls_certificate_set_x509_trust_file(t->cred, cfg->cafile, GNUTLS_X509_FMT_PEM);
        if (r < 0) {
            pv_error_set(err, _("cannot read the CA file %s: %s"), cfg->cafile, gnutls_strerror(r));
            return NET_ERR_TLS;
        }
        if (r == 0) {
            pv_error_set(err, _("the CA file %s holds no PEM certificate"), cfg->cafile);
            return NET_ERR_TLS;
        }
        return NET_OK;
    }
    r = gnutls_certificate_set_x509_system_trust(t->cred);
    /* With insecure the trust store only feeds the verify_problem text. */
    if (r < 0 && !cfg->insecure) {
        pv_error_set(err, _("cannot load the system's trusted certificates (%s); give a CA file"),
                     gnutls_strerror(r));
        return NET_ERR_TLS;
    }
    return NET_OK;
}

static enum net_status setup_session(struct net_tls *t, const struct net_tls_config *cfg,
                                     const char *host, struct pv_error *err)
{
    int r = gnutls_init(&t->session, GNUTLS_CLIENT | GNUTLS_NONBLOCK);
    if (r < 0) {
        t->session = NULL;
        pv_error_set(err, _("cannot start TLS: %s"), gnutls_strerror(r));
        return NET_ERR_TLS;
    }
    const char *errpos = NULL;
    r = gnutls_priority_set_direct(t->session, tls_priority, &errpos);
    if (r >= 0)
        r = gnutls_credentials_set(t->session, GNUTLS_CRD_CERTIFICATE, t->cred);
    if (r >= 0 && !net_host_is_ip_literal(host))
        r = gnutls_server_name_set(t->session, GNUTLS_NAME_DNS, host, strlen(host));
    if (r < 0) {
        pv_error_set(err, _("cannot set up TLS for %s: %s"), host, gnutls_strerror(r));
        return NET_ERR_TLS;
    }
    if (!cfg->insecure)
        gnutls_session_set_verify_cert(t->session, host, 0);
    /* Our poll loop bounds the handshake; GnuTLS must never wait itself. */
    gnutls_handshake_set_timeout(t->session, 0);
    gnutls_transport_set_ptr(t->session, t);
    gnutls_transport_set_push_function(t->session, tls_push);
    gnutls_transport_set_pull_function(t->session, tls_pull);
    gnutls_transport_set_pull_timeout_function(t->session, tls_pull_timeout);
    return NET_OK;
}

static enum net_status tls_new(int fd, const struct net_tls_config *cfg, const char *host,
                               struct net_tls **t_out, struct pv_error *err)
{
    struct net_tls *t = pv_xcalloc(1, sizeof *t);
    t->fd = fd;
    *t_out = t;
    int r = gnutls_certificate_allocate_credentials(&t->cred);
    if (r < 0) {
        t->cred = NULL;
        pv_error_set(err, _("cannot start TLS: %s"), gnutls_strerror(r));
        return NET_ERR_TLS;
    }
    enum net_status st = load_trust(t, cfg, err);
    return st != NET_OK ? st : setup_session(t, cfg, host, err);
}

/* --- handshake ------------------------------------------------------------ */

/*
 * An attacker on the path can append plaintext to the server's "+OK" to
 * STLS; a client that later reads it would take it for the server's words
 * under TLS (CVE-2021-22947, CVE-2011-0411).  Nothing may wait here.
 */
static enum net_status check_nothing_waiting(int fd, struct pv_error *err)
{
    char c;
    ssize_t r;
    do
        r = recv(fd, &c, 1, MSG_PEEK | MSG_DONTWAIT);
    while (r < 0 && errno == EINTR);
    if (r > 0) {
        pv_error_set(err, _("the server sent data before the TLS handshake (possible injection "
                            "attack); aborting"));
        return NET_ERR_PROTOCOL;
    }
    if (r == 0) {
        pv_error_set(err, _("the server closed the connection before the TLS handshake"));
        return NET_ERR_TLS;
    }
    if (errno != EAGAIN && errno != EWOULDBLOCK) {
        pv_error_set(err, _("cannot start TLS: %s"), strerror(errno));
        return NET_ERR_IO;
    }
    return NET_OK;
}

static enum net_status certificate_error(struct net_tls *t, const char *host, struct pv_error *err)
{
    unsigned status = gnutls_session_get_verify_cert_status(t->session);
    unsigned count = 0;
    const gnutls_datum_t *der = peer_certificate(t->session, &count);
    if (!der) {
        pv_error_set(err, _("%s sent no certificate"), host);
        return NET_ERR_CERT;
    }
    char reason[256], fingerprint[100], names[CERT_NAMES_MAX] = "";
    verification_text(status, reason, sizeof reason);
    if (!reason[0])
        snprintf(reason, sizeof reason, "%s", gnutls_strerror(GNUTLS_E_CERTIFICATE_ERROR));
    format_fingerprint(der, fingerprint, sizeof fingerprint);
    if (status & GNUTLS_CERT_UNEXPECTED_OWNER)
        certificate_names(der, names, sizeof names);
    pv_error_set(err, _("certificate of %s rejected: %s SHA-256 fingerprint %s%s%s%s"), host,
                 reason, fingerprint, names[0] ? _(". The certificate is for: ") : "", names,
                 names[0] ? "." : "");
    return NET_ERR_CERT;
}

static enum net_status handshake_error(struct net_tls *t, int r, const char *host,
                                       struct pv_error *err)
{
    switch (r) {
    case GNUTLS_E_CERTIFICATE_VERIFICATION_ERROR:
        return certificate_error(t, host, err);
    case GNUTLS_E_PUSH_ERROR:
    case GNUTLS_E_PULL_ERROR:
        pv_error_set(err, _("TLS handshake with %s failed: %s"), host,
                     t->last_errno ? strerror(t->last_errno) : gnutls_strerror(r));
        return NET_ERR_IO;
    case GNUTLS_E_PREMATURE_TERMINATION:
        pv_error_set(err, _("TLS handshake with %s failed: the server closed the connection"),
                     host);
        return NET_ERR_TLS;
    case GNUTLS_E_FATAL_ALERT_RECEIVED:
        pv_error_set(err, _("TLS handshake with %s failed: the server sent the alert \"%s\""), host,
                     gnutls_alert_get_name(gnutls_alert_get(t->session)));
        return NET_ERR_TLS;
    case GNUTLS_E_UNEXPECTED_PACKET:
    case GNUTLS_E_UNEXPECTED_PACKET_LENGTH:
        /* What a plaintext "+OK" greeting looks like to a TLS client. */
        pv_error_set(
            err, _("TLS handshake with %s failed: %s (does the server speak TLS on this port?)"),
            host, gnutls_strerror(r));
        return NET_ERR_TLS;
    case GNUTLS_E_UNSUPPORTED_VERSION_PACKET:
        pv_error_set(err, _("TLS handshake with %s failed: %s (popview needs TLS 1.2 or newer)"),
                     host, gnutls_strerror(r));
        return NET_ERR_TLS;
    default:
        pv_error_set(err, _("TLS handshake with %s failed: %s"), host, gnutls_strerror(r));
        return NET_ERR_TLS;
    }
}

static enum net_status handshake_timeout(int timeout_ms, const char *host, struct pv_error *err)
{
    char d[32];
    net_format_duration(timeout_ms, d, sizeof d);
    pv_error_set(err, _("TLS handshake with %s timed out after %s"), host, d);
    return NET_ERR_TIMEOUT;
}

static enum net_status run_handshake(struct net_tls *t, int timeout_ms, const char *host,
                                     struct pv_error *err)
{
    int64_t deadline = net_deadline_after(timeout_ms);
    for (;;) {
        int r = gnutls_handshake(t->session);
        if (r == GNUTLS_E_SUCCESS)
            return NET_OK;
        if (r != GNUTLS_E_AGAIN && r != GNUTLS_E_INTERRUPTED && gnutls_error_is_fatal(r))
            return handshake_error(t, r, host, err);
        if (r != GNUTLS_E_AGAIN && r != GNUTLS_E_INTERRUPTED) {
            /* A warning alert: go on, but not past the deadline. */
            if (net_remaining_ms(deadline) == 0)
                return handshake_timeout(timeout_ms, host, err);
            continue;
        }
        short events = gnutls_record_get_direction(t->session) ? POLLOUT : POLLIN;
        short revents = 0;
        int p = net_poll_until(t->fd, events, deadline, &revents);
        if (p == 0)
            return handshake_timeout(timeout_ms, host, err);
        if (p < 0) {
            pv_error_set(err, _("TLS handshake with %s failed: %s"), host, strerror(errno));
            return NET_ERR_IO;
        }
    }
}

/* --- after the handshake: what we learnt about the server ------------------ */

static void copy_dn(gnutls_x509_crt_t crt, bool issuer, char *out, size_t out_size)
{
    gnutls_datum_t dn = {NULL, 0};
    int r =
        issuer ? gnutls_x509_crt_get_issuer_dn3(crt, &dn, 0) : gnutls_x509_crt_get_dn3(crt, &dn, 0);
    out[0] = '\0';
    if (r < 0)
        return;
    copy_sanitized(out, out_size, dn.data, dn.size);
    gnutls_free(dn.data);
}

static void fill_cipher(gnutls_session_t session, char *out, size_t out_size)
{
    const char *name = NULL;
#if GNUTLS_VERSION_NUMBER >= 0x030704
    name = gnutls_ciphersuite_get(session); /* the IANA name */
#endif
    if (name) {
        snprintf(out, out_size, "%s", name);
        return;
    }
    char *desc = gnutls_session_get_desc(session);
    snprintf(out, out_size, "%s", desc ? desc : "");
    gnutls_free(desc);
}

/* One certificate in words; what cannot be read stays empty (0 dates). */
static void describe_certificate(struct net_tls_cert *c, const gnutls_datum_t *der)
{
    memset(c, 0, sizeof *c);
    format_fingerprint(der, c->fingerprint, sizeof c->fingerprint);
    gnutls_x509_crt_t crt;
    if (gnutls_x509_crt_init(&crt) < 0)
        return;
    if (gnutls_x509_crt_import(crt, der, GNUTLS_X509_FMT_DER) == 0) {
        copy_dn(crt, false, c->subject, sizeof c->subject);
        copy_dn(crt, true, c->issuer, sizeof c->issuer);
        c->not_before = (int64_t)gnutls_x509_crt_get_activation_time(crt);
        c->not_after = (int64_t)gnutls_x509_crt_get_expiration_time(crt);
    }
    gnutls_x509_crt_deinit(crt);
}

/* The chain as sent, the server's own certificate also in the fields of
 * info itself. */
static void fill_chain(struct net_tls_info *info, gnutls_session_t session)
{
    unsigned n = 0;
    const gnutls_datum_t *chain = gnutls_certificate_get_peers(session, &n);
    info->chain_length = chain ? n : 0;
    info->chain_kept = 0;
    for (unsigned i = 0; i < info->chain_length && i < NET_TLS_CHAIN_MAX; i++)
        describe_certificate(&info->chain[info->chain_kept++], &chain[i]);
    if (info->chain_kept == 0)
        return;
    const struct net_tls_cert *own = &info->chain[0];
    snprintf(info->subject, sizeof info->subject, "%s", own->subject);
    snprintf(info->issuer, sizeof info->issuer, "%s", own->issuer);
    snprintf(info->fingerprint, sizeof info->fingerprint, "%s", own->fingerprint);
    info->not_before = own->not_before;
    info->not_after = own->not_after;
}

/* With insecure, nothing was checked during the handshake: run the same
 * verification now so the user can be told what it would have said. */
static void record_verification(struct net_tls *t, const struct net_tls_config *cfg,
                                const char *host)
{
    struct net_tls_info *info = &t->info;
    if (!cfg->insecure) {
        info->verified = true;
        return;
    }
    unsigned status = 0;
    int r = gnutls_certificate_verify_peers3(t->session, host, &status);
    if (r < 0)
        snprintf(info->verify_problem, sizeof info->verify_problem, "%s", gnutls_strerror(r));
    else if (status != 0)
        verification_text(status, info->verify_problem, sizeof info->verify_problem);
    info->verified = r >= 0 && status == 0;
}

static void fill_info(struct net_tls *t, const struct net_tls_config *cfg, const char *host)
{
    struct net_tls_info *info = &t->info;
    const char *proto = gnutls_protocol_get_name(gnutls_protocol_get_version(t->session));
    snprintf(info->protocol, sizeof info->protocol, "%s", proto ? proto : "unknown");
    fill_cipher(t->session, info->cipher, sizeof info->cipher);
    fill_chain(info, t->session);
    record_verification(t, cfg, host);
}

/* --- the TLS stream implementation ----------------------------------------- */

/* Errors of an established session; the push/pull ones carry errno. */
static enum net_status record_error(struct net_tls *t, ssize_t r, const char *doing,
                                    struct pv_error *err)
{
    if ((r == GNUTLS_E_PULL_ERROR || r == GNUTLS_E_PUSH_ERROR) && t->last_errno) {
        pv_error_set(err, _("%s the connection failed: %s"), doing, strerror(t->last_errno));
        return NET_ERR_IO;
    }
    pv_error_set(err, _("%s the connection failed: TLS error: %s"), doing, gnutls_strerror((int)r));
    return NET_ERR_TLS;
}

static enum net_status tls_read_some(struct net_stream *s, void *buf, size_t cap, size_t *n_out,
                                     struct pv_error *err)
{
    struct net_tls *t = s->tls;
    for (;;) {
        ssize_t r = gnutls_record_recv(t->session, buf, cap);
        if (r > 0) {
            *n_out = (size_t)r;
            s->read_wait_events = POLLIN;
            return NET_OK;
        }
        if (r == 0)
            return NET_CLOSED;
        if (r == GNUTLS_E_AGAIN) {
            s->read_wait_events = gnutls_record_get_direction(t->session) ? POLLOUT : POLLIN;
            return NET_WOULD_BLOCK;
        }
        /*
         * A TCP close without close_notify.  Many POP3 servers close that
         * way after QUIT, and a truncation cannot hide in POP3: a reply
         * ends with its CRLF and a multi-line one with "." (RFC 1939
         * section 3), which the pop3 layer checks.  So this is an EOF.
         */
        if (r == GNUTLS_E_PREMATURE_TERMINATION) {
            t->peer_vanished = true;
            return NET_CLOSED;
        }
        /* Interrupted, a warning alert, or a TLS 1.2 renegotiation request
         * we decline by ignoring it (RFC 5246 section 7.4.1.1). */
        if (r == GNUTLS_E_INTERRUPTED || !gnutls_error_is_fatal((int)r))
            continue;
        return record_error(t, r, _("reading from"), err);
    }
}

static enum net_status tls_write_some(struct net_stream *s, const void *buf, size_t len,
                                      size_t *n_out, struct pv_error *err)
{
    struct net_tls *t = s->tls;
    if (t->peer_vanished) {
        /* GnuTLS would only say "session invalidated". */
        pv_error_set(err, _("writing to the connection failed: the server closed it"));
        return NET_ERR_IO;
    }
    if (len < t->pending_write) {
        pv_error_set(err, _("internal error: a TLS write was retried with less data"));
        return NET_ERR_TLS;
    }
    for (;;) {
        ssize_t r = gnutls_record_send(t->session, buf, len);
        if (r >= 0) {
            t->pending_write = 0;
            *n_out = (size_t)r;
            return NET_OK;
        }
        if (r == GNUTLS_E_AGAIN) {
            if (!t->pending_write)
                t->pending_write = len;
            s->write_wait_events = gnutls_record_get_direction(t->session) ? POLLOUT : POLLIN;
            return NET_WOULD_BLOCK;
        }
        if (r == GNUTLS_E_INTERRUPTED)
            continue; /* the same data again, as the rule wants */
        return record_error(t, r, _("writing to"), err);
    }
}

static bool tls_has_buffered(const struct net_stream *s)
{
    return gnutls_record_check_pending(s->tls->session) > 0;
}

static void tls_close(struct net_stream *s)
{
    /* close_notify (RFC 8446 section 6.1), best effort: the socket is
     * non-blocking, so a full send buffer just skips it. */
    if (!s->tls->peer_vanished)
        (void)gnutls_bye(s->tls->session, GNUTLS_SHUT_WR);
    tls_free(&s->tls);
}

static const struct net_stream_ops tls_ops = {
    .read_some = tls_read_some,
    .write_some = tls_write_some,
    .has_buffered = tls_has_buffered,
    .close = tls_close,
};

/* --- public ---------------------------------------------------------------- */

static enum net_status check_start_args(const struct net_stream *s,
                                        const struct net_tls_config *cfg, struct pv_error *err)
{
    if (!s) {
        pv_error_set(err, _("not connected"));
        return NET_ERR_IO;
    }
    if (!cfg || !cfg->servername || !cfg->servername[0]) {
        pv_error_set(err, _("TLS needs the server's name to check its certificate"));
        return NET_ERR_TLS;
    }
    if (s->ops != &net_plain_ops) {
        pv_error_set(err, s->tls ? _("TLS is already active on this connection")
                                 : _("the connection is unusable after the failed TLS handshake"));
        return NET_ERR_TLS;
    }
    return NET_OK;
}

enum net_status net_stream_start_tls(struct net_stream *s, const struct net_tls_config *cfg,
                                     struct pv_error *err)
{
    enum net_status st = check_start_args(s, cfg, err);
    if (st != NET_OK)
        return st;
    char *host = net_host_unbracket(cfg->servername);
    struct net_tls *t = NULL;
    st = check_nothing_waiting(s->fd, err);
    if (st == NET_OK)
        st = tls_new(s->fd, cfg, host, &t, err);
    if (st == NET_OK)
        st = run_handshake(t, s->timeout_ms, host, err);
    if (st == NET_OK)
        fill_info(t, cfg, host);
    free(host);
    if (st != NET_OK) {
        /* Whatever went wrong, never carry on in plaintext. */
        tls_free(&t);
        s->ops = &net_broken_ops;
        return st;
    }
    s->tls = t;
    s->ops = &tls_ops;
    s->read_wait_events = POLLIN;
    s->write_wait_events = POLLOUT;
    return NET_OK;
}

bool net_stream_tls_info(const struct net_stream *s, struct net_tls_info *info_out)
{
    if (!s || !s->tls)
        return false;
    *info_out = s->tls->info;
    return true;
}

size_t net_stream_tls_chain(const struct net_stream *s, struct net_tls_cert *certs, size_t max)
{
    if (!s || !s->tls || !certs)
        return 0;
    const struct net_tls_info *info = &s->tls->info;
    size_t n = info->chain_kept < max ? info->chain_kept : max;
    memcpy(certs, info->chain, n * sizeof *certs);
    return n;
}

const char *net_tls_library_version(void)
{
    return gnutls_check_version(NULL);
}
