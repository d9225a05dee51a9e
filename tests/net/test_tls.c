/*
 * Tests for src/net/tls.c: a GnuTLS server in a thread on the other end of
 * a socketpair, with certificates made here at start-up (EC P-256, fast):
 * a CA, a good server certificate (localhost + 127.0.0.1), an expired one,
 * one for the wrong name and a self-signed one.
 *
 *   enum net_status net_stream_start_tls(struct net_stream *s,
 *                                        const struct net_tls_config *cfg, struct pv_error *err);
 *   bool net_stream_is_tls(const struct net_stream *s);
 *   bool net_stream_tls_info(const struct net_stream *s, struct net_tls_info *info_out);
 *   size_t net_stream_tls_chain(const struct net_stream *s, struct net_tls_cert *certs,
 *                               size_t max);
 *   const char *net_tls_library_version(void);
 *
 * Glossary: "peer" is the test's server thread; "pki" the certificates.
 */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <popview/util.h>

#include <popview/net.h>

enum { DAY = 24 * 60 * 60, SHORT_TIMEOUT_MS = 200, PEER_TIMEOUT_MS = 5000 };
enum { BULK_SIZE = 1024 * 1024, RECORD_SIZE = 100 };

struct cert {
    gnutls_x509_crt_t crt;
    gnutls_x509_privkey_t key;
};

/* Made once in main() before the forked tests run; read-only afterwards. */
static struct {
    char dir[64];
    char cafile[96];
    struct cert ca, good, expired, wrong_name, self_signed;
} pki;

/* --- certificates -------------------------------------------------------- */

/* Set-up runs outside any test, where Check's assertions cannot report. */
#define MUST(cond) must_hold((cond) != 0, #cond, __LINE__)
#define MUST_OK(call, zero) must_hold((call) == (zero), #call, __LINE__)

static void must_hold(bool ok, const char *what, int line)
{
    if (ok)
        return;
    fprintf(stderr, "test_tls.c:%d: set-up failed: %s\n", line, what);
    exit(EXIT_FAILURE);
}

struct cert_spec {
    const char *cn;
    const char *dns;  /* subjectAltName dNSName, or NULL */
    const char *ipv4; /* subjectAltName iPAddress, or NULL */
    time_t not_before, not_after;
    const struct cert *issuer; /* NULL: self-signed */
    bool is_ca;
    unsigned char serial;
};

static void make_key(gnutls_x509_privkey_t *key)
{
    MUST_OK(gnutls_x509_privkey_init(key), 0);
    MUST_OK(gnutls_x509_privkey_generate(*key, GNUTLS_PK_ECDSA,
                                         GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1), 0),
            0);
}

static void set_names(gnutls_x509_crt_t crt, const struct cert_spec *sp)
{
    char dn[128];
    snprintf(dn, sizeof dn, "CN=%s,O=popview tests", sp->cn);
    const char *errpos = NULL;
    MUST_OK(gnutls_x509_crt_set_dn(crt, dn, &errpos), 0);
    if (sp->dns)
        MUST_OK(gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_DNSNAME, sp->dns,
                                                     (unsigned)strlen(sp->dns), GNUTLS_FSAN_APPEND),
                0);
    if (sp->ipv4) {
        unsigned char ip[4];
        MUST_OK(inet_pton(AF_INET, sp->ipv4, ip), 1);
        MUST_OK(gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_IPADDRESS, ip, sizeof ip,
                                                     GNUTLS_FSAN_APPEND),
                0);
    }
}

static void make_cert(struct cert *c, const struct cert_spec *sp)
{
    make_key(&c->key);
    gnutls_x509_crt_t crt;
    MUST_OK(gnutls_x509_crt_init(&crt), 0);
    MUST_OK(gnutls_x509_crt_set_version(crt, 3), 0);
    MUST_OK(gnutls_x509_crt_set_serial(crt, &sp->serial, 1), 0);
    MUST_OK(gnutls_x509_crt_set_activation_time(crt, sp->not_before), 0);
    MUST_OK(gnutls_x509_crt_set_expiration_time(crt, sp->not_after), 0);
    MUST_OK(gnutls_x509_crt_set_key(crt, c->key), 0);
    set_names(crt, sp);
    MUST_OK(gnutls_x509_crt_set_basic_constraints(crt, sp->is_ca, -1), 0);
    if (sp->is_ca) {
        MUST_OK(gnutls_x509_crt_set_key_usage(crt, GNUTLS_KEY_KEY_CERT_SIGN | GNUTLS_KEY_CRL_SIGN),
                0);
    } else {
        MUST_OK(gnutls_x509_crt_set_key_usage(crt, GNUTLS_KEY_DIGITAL_SIGNATURE), 0);
        MUST_OK(gnutls_x509_crt_set_key_purpose_oid(crt, GNUTLS_KP_TLS_WWW_SERVER, 0), 0);
    }
    unsigned char id[64];
    size_t idlen = sizeof id;
    MUST_OK(gnutls_x509_crt_get_key_id(crt, 0, id, &idlen), 0);
    MUST_OK(gnutls_x509_crt_set_subject_key_id(crt, id, idlen), 0);
    gnutls_x509_crt_t issuer_crt = sp->issuer ? sp->issuer->crt : crt;
    gnutls_x509_privkey_t issuer_key = sp->issuer ? sp->issuer->key : c->key;
    if (sp->issuer) {
        idlen = sizeof id;
        MUST_OK(gnutls_x509_crt_get_key_id(issuer_crt, 0, id, &idlen), 0);
        MUST_OK(gnutls_x509_crt_set_authority_key_id(crt, id, idlen), 0);
    }
    MUST_OK(gnutls_x509_crt_sign2(crt, issuer_crt, issuer_key, GNUTLS_DIG_SHA256, 0), 0);
    c->crt = crt;
}

static void write_pem(const char *path, gnutls_x509_crt_t crt)
{
    gnutls_datum_t pem;
    MUST_OK(gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_PEM, &pem), 0);
    FILE *f = fopen(path, "w");
    MUST(f);
    MUST(fwrite(pem.data, 1, pem.size, f) == pem.size);
    MUST_OK(fclose(f), 0);
    gnutls_free(pem.data);
}

static void make_pki(void)
{
    time_t now = time(NULL);
    snprintf(pki.dir, sizeof pki.dir, "/tmp/popview-net-test-XXXXXX");
    MUST(mkdtemp(pki.dir));
    snprintf(pki.cafile, sizeof pki.cafile, "%s/ca.pem", pki.dir);
    make_cert(&pki.ca, &(struct cert_spec){.cn = "popview test CA",
                                           .not_before = now - DAY,
                                           .not_after = now + 30 * DAY,
                                           .is_ca = true,
                                           .serial = 1});
    write_pem(pki.cafile, pki.ca.crt);
    make_cert(&pki.good, &(struct cert_spec){.cn = "localhost",
                                             .dns = "localhost",
                                             .ipv4 = "127.0.0.1",
                                             .not_before = now - DAY,
                                             .not_after = now + 30 * DAY,
                                             .issuer = &pki.ca,
                                             .serial = 2});
    make_cert(&pki.expired, &(struct cert_spec){.cn = "localhost",
                                                .dns = "localhost",
                                                .not_before = now - 10 * DAY,
                                                .not_after = now - DAY,
                                                .issuer = &pki.ca,
                                                .serial = 3});
    make_cert(&pki.wrong_name, &(struct cert_spec){.cn = "wrong.example",
                                                   .dns = "wrong.example",
                                                   .not_before = now - DAY,
                                                   .not_after = now + 30 * DAY,
                                                   .issuer = &pki.ca,
                                                   .serial = 4});
    make_cert(&pki.self_signed, &(struct cert_spec){.cn = "localhost",
                                                    .dns = "localhost",
                                                    .not_before = now - DAY,
                                                    .not_after = now + 30 * DAY,
                                                    .serial = 5});
}

static void free_cert(struct cert *c)
{
    gnutls_x509_crt_deinit(c->crt);
    gnutls_x509_privkey_deinit(c->key);
}

static void free_pki(void)
{
    free_cert(&pki.ca);
    free_cert(&pki.good);
    free_cert(&pki.expired);
    free_cert(&pki.wrong_name);
    free_cert(&pki.self_signed);
    unlink(pki.cafile);
    rmdir(pki.dir);
}

static void expected_fingerprint(gnutls_x509_crt_t crt, char *out, size_t out_size)
{
    unsigned char d[32];
    size_t dlen = sizeof d;
    MUST_OK(gnutls_x509_crt_get_fingerprint(crt, GNUTLS_DIG_SHA256, d, &dlen), 0);
    MUST(dlen == 32);
    size_t o = 0;
    for (size_t i = 0; i < dlen; i++)
        o += (size_t)snprintf(out + o, out_size - o, "%s%02X", i ? ":" : "", d[i]);
}

/* --- the peer ------------------------------------------------------------ */

enum peer_mode {
    PEER_ECHO,       /* TLS; answers one line with "+OK <line>", then close_notify */
    PEER_BULK,       /* TLS; reads BULK_SIZE pattern bytes, answers "+OK" */
    PEER_RECORD,     /* TLS; sends RECORD_SIZE bytes in one record, waits for release */
    PEER_STALL,      /* TLS; reads nothing until released */
    PEER_ABRUPT,     /* TLS; sends "+OK\r\n" and closes without close_notify */
    PEER_STLS,       /* plain greeting and STLS exchange, then PEER_ECHO */
    PEER_HANG_UP,    /* reads the ClientHello and closes */
    PEER_PLAINTEXT,  /* answers the ClientHello with a POP3 greeting */
    PEER_SILENT,     /* reads the ClientHello and says nothing until EOF */
    PEER_FIRST_BYTES /* sends plaintext at once, then waits for EOF */
};

struct peer {
    int fd;
    enum peer_mode mode;
    const struct cert *cert;
    bool send_chain;      /* the CA certificate after the server's */
    const char *priority; /* NULL: "NORMAL" */
    int hold[2];          /* a pipe: the peer waits until the test closes hold[1] */
    bool joined;
    /* results, read after pthread_join */
    int handshake;
    char sni[256];
    char line[128];
    bool bulk_intact;
    pthread_t thread;
};

static unsigned char pattern_byte(size_t i)
{
    return (unsigned char)((i * 13 + i / 509) & 0xff);
}

/* Reads until EOF or an error (the client closed its end). */
static void drain_raw(int fd)
{
    char buf[4096];
    while (recv(fd, buf, sizeof buf, 0) > 0)
        ;
}

static void read_plain_line(int fd, char *out, size_t size)
{
    size_t n = 0;
    char c;
    while (n + 1 < size && recv(fd, &c, 1, 0) == 1) {
        out[n++] = c;
        if (c == '\n')
            break;
    }
    out[n] = '\0';
}

static void send_plain(int fd, const char *text)
{
    ssize_t r = send(fd, text, strlen(text), MSG_NOSIGNAL);
    (void)r;
}

static void tls_send_all(gnutls_session_t ss, const void *data, size_t len)
{
    const char *p = data;
    while (len > 0) {
        ssize_t r = gnutls_record_send(ss, p, len);
        if (r < 0 && !gnutls_error_is_fatal((int)r))
            continue;
        if (r < 0)
            return;
        p += r;
        len -= (size_t)r;
    }
}

static void peer_read_bulk(struct peer *p, gnutls_session_t ss)
{
    static unsigned char buf[65536];
    size_t got = 0;
    p->bulk_intact = true;
    while (got < BULK_SIZE) {
        ssize_t r = gnutls_record_recv(ss, buf, sizeof buf);
        if (r <= 0) {
            p->bulk_intact = false;
            return;
        }
        for (ssize_t i = 0; i < r; i++)
            if (buf[i] != pattern_byte(got + (size_t)i))
                p->bulk_intact = false;
        got += (size_t)r;
    }
    p->bulk_intact = p->bulk_intact && got == BULK_SIZE;
}

static void wait_for_release(struct peer *p)
{
    char c;
    (void)!read(p->hold[0], &c, 1);
}

static void peer_after_handshake(struct peer *p, gnutls_session_t ss)
{
    size_t len = sizeof p->sni;
    unsigned type;
    if (gnutls_server_name_get(ss, p->sni, &len, &type, 0) < 0)
        p->sni[0] = '\0';
    switch (p->mode) {
    case PEER_BULK:
        peer_read_bulk(p, ss);
        tls_send_all(ss, "+OK\r\n", 5);
        break;
    case PEER_RECORD: {
        char rec[RECORD_SIZE];
        memset(rec, 'r', sizeof rec);
        tls_send_all(ss, rec, sizeof rec);
        wait_for_release(p);
        break;
    }
    case PEER_STALL:
        wait_for_release(p);
        drain_raw(p->fd);
        break;
    case PEER_ABRUPT:
        tls_send_all(ss, "+OK\r\n", 5);
        shutdown(p->fd, SHUT_RDWR);
        return;
    default: {
        ssize_t r = gnutls_record_recv(ss, p->line, sizeof p->line - 1);
        p->line[r > 0 ? r : 0] = '\0';
        char reply[160];
        snprintf(reply, sizeof reply, "+OK %s", p->line);
        tls_send_all(ss, reply, strlen(reply));
        break;
    }
    }
    gnutls_bye(ss, GNUTLS_SHUT_WR);
    drain_raw(p->fd);
}

/* GnuTLS's own push for an int transport is plain send(): a client that
 * already closed would kill the test with SIGPIPE. */
static ssize_t peer_push(gnutls_transport_ptr_t ptr, const void *data, size_t len)
{
    return send((int)(intptr_t)ptr, data, len, MSG_NOSIGNAL);
}

static void peer_run_tls(struct peer *p)
{
    gnutls_certificate_credentials_t cred;
    gnutls_session_t ss;
    gnutls_x509_crt_t chain[2] = {p->cert->crt, pki.ca.crt};
    ck_assert_int_eq(gnutls_certificate_allocate_credentials(&cred), 0);
    ck_assert_int_eq(
        gnutls_certificate_set_x509_key(cred, chain, p->send_chain ? 2 : 1, p->cert->key), 0);
    ck_assert_int_eq(gnutls_init(&ss, GNUTLS_SERVER), 0);
    ck_assert_int_eq(gnutls_priority_set_direct(ss, p->priority ? p->priority : "NORMAL", NULL), 0);
    ck_assert_int_eq(gnutls_credentials_set(ss, GNUTLS_CRD_CERTIFICATE, cred), 0);
    gnutls_transport_set_int(ss, p->fd);
    gnutls_transport_set_push_function(ss, peer_push);
    gnutls_handshake_set_timeout(ss, PEER_TIMEOUT_MS);
    gnutls_record_set_timeout(ss, PEER_TIMEOUT_MS);
    int r;
    do
        r = gnutls_handshake(ss);
    while (r < 0 && !gnutls_error_is_fatal(r));
    p->handshake = r;
    if (r == 0)
        peer_after_handshake(p, ss);
    else
        drain_raw(p->fd);
    gnutls_deinit(ss);
    gnutls_certificate_free_credentials(cred);
}

static void *peer_main(void *arg)
{
    struct peer *p = arg;
    char buf[4096];
    switch (p->mode) {
    case PEER_HANG_UP:
        (void)!recv(p->fd, buf, sizeof buf, 0);
        break;
    case PEER_PLAINTEXT:
        (void)!recv(p->fd, buf, sizeof buf, 0);
        send_plain(p->fd, "+OK POP3 ready\r\n");
        drain_raw(p->fd);
        break;
    case PEER_SILENT:
    case PEER_FIRST_BYTES:
        drain_raw(p->fd);
        break;
    case PEER_STLS:
        send_plain(p->fd, "+OK POP3 ready\r\n");
        read_plain_line(p->fd, buf, sizeof buf);
        if (strcmp(buf, "STLS\r\n") != 0)
            break;
        send_plain(p->fd, "+OK begin TLS negotiation\r\n");
        peer_run_tls(p);
        break;
    default:
        peer_run_tls(p);
        break;
    }
    close(p->fd);
    return NULL;
}

/* Starts a peer in mode; returns the client's stream over the pair. */
static struct net_stream *start_peer(struct peer *p, enum peer_mode mode, const struct cert *c,
                                     int timeout_ms)
{
    int sv[2];
    ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    /* Rarely, a peer blocked in a write would outlive the test; this bounds it. */
    struct timeval tv = {.tv_sec = PEER_TIMEOUT_MS / 1000};
    setsockopt(sv[1], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(sv[1], SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    p->fd = sv[1];
    p->mode = mode;
    p->cert = c;
    p->handshake = 1;
    ck_assert_int_eq(pipe(p->hold), 0);
    if (mode == PEER_FIRST_BYTES)
        send_plain(sv[1], "+OK injected\r\n");
    ck_assert_int_eq(pthread_create(&p->thread, NULL, peer_main, p), 0);
    return net_stream_from_fd(sv[0], timeout_ms);
}

static void release(struct peer *p)
{
    if (p->hold[1] >= 0)
        close(p->hold[1]);
    p->hold[1] = -1;
}

static void join_peer(struct peer *p)
{
    release(p);
    if (p->joined)
        return;
    pthread_join(p->thread, NULL);
    close(p->hold[0]);
    p->joined = true;
}

static void finish(struct net_stream **s, struct peer *p)
{
    net_stream_free(s);
    join_peer(p);
}

static const struct net_tls_config trust_ca = {.servername = "localhost", .cafile = pki.cafile};

/* --- net_stream_start_tls ---------------------------------------------------- */

START_TEST(start_tls_rejects_missing_arguments)
{
    struct pv_error err;
    ck_assert_int_eq(net_stream_start_tls(NULL, &trust_ca, &err), NET_ERR_IO);
    int sv[2];
    ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    struct net_stream *s = net_stream_from_fd(sv[0], 1000);
    ck_assert_int_eq(net_stream_start_tls(s, NULL, &err), NET_ERR_TLS);
    struct net_tls_config cfg = {.servername = ""};
    ck_assert_int_eq(net_stream_start_tls(s, &cfg, &err), NET_ERR_TLS);
    ck_assert_str_eq(err.msg, "TLS needs the server's name to check its certificate");
    ck_assert(!net_stream_is_tls(s));
    net_stream_free(&s);
    close(sv[1]);
}
END_TEST

START_TEST(start_tls_good_certificate_carries_data)
{
    struct peer p = {0};
    struct net_stream *s = start_peer(&p, PEER_ECHO, &pki.good, 5000);
    struct pv_error err;
    enum net_status st = net_stream_start_tls(s, &trust_ca, &err);
    ck_assert_msg(st == NET_OK, "%s", err.msg);
    ck_assert(net_stream_is_tls(s));
    ck_assert_int_eq(net_stream_write_all(s, "CAPA\r\n", 6, &err), NET_OK);
    char buf[64];
    size_t got = 0, n = 0;
    while ((st = net_stream_read(s, buf + got, sizeof buf - 1 - got, &n, &err)) == NET_OK)
        got += n;
    ck_assert_int_eq(st, NET_CLOSED); /* close_notify */
    buf[got] = '\0';
    ck_assert_str_eq(buf, "+OK CAPA\r\n");
    finish(&s, &p);
    ck_assert_int_eq(p.handshake, 0);
    ck_assert_str_eq(p.line, "CAPA\r\n");
    ck_assert_str_eq(p.sni, "localhost");
}
END_TEST

START_TEST(start_tls_ip_address_checked_without_sni)
{
    struct peer p = {0};
    struct net_stream *s = start_peer(&p, PEER_ECHO, &pki.good, 5000);
    struct pv_error err;
    struct net_tls_config cfg = {.servername = "127.0.0.1", .cafile = pki.cafile};
    enum net_status st = net_stream_start_tls(s, &cfg, &err);
    ck_assert_msg(st == NET_OK, "%s", err.msg);
    ck_assert_int_eq(net_stream_write_all(s, "x\r\n", 3, &err), NET_OK);
    finish(&s, &p);
    ck_assert_str_eq(p.sni, ""); /* RFC 6066: no IP literals in SNI */
}
END_TEST

START_TEST(start_tls_upgrades_plain_stream)
{
    struct peer p = {0};
    struct net_stream *s = start_peer(&p, PEER_STLS, &pki.good, 5000);
    struct pv_error err;
    char buf[64];
    size_t n;
    ck_assert_int_eq(net_stream_read(s, buf, sizeof buf, &n, &err), NET_OK);
    ck_assert_int_eq(memcmp(buf, "+OK POP3 ready\r\n", n), 0);
    ck_assert_int_eq(net_stream_write_all(s, "STLS\r\n", 6, &err), NET_OK);
    ck_assert_int_eq(net_stream_read(s, buf, sizeof buf, &n, &err), NET_OK);
    ck_assert_uint_eq(n, 27);
    enum net_status st = net_stream_start_tls(s, &trust_ca, &err);
    ck_assert_msg(st == NET_OK, "%s", err.msg);
    ck_assert_int_eq(net_stream_write_all(s, "USER me\r\n", 9, &err), NET_OK);
    ck_assert_int_eq(net_stream_read(s, buf, sizeof buf - 1, &n, &err), NET_OK);
    buf[n] = '\0';
    ck_assert_str_eq(buf, "+OK USER me\r\n");
    finish(&s, &p);
}
END_TEST

struct rejection {
    const char *what;
    const struct cert *cert;
    bool use_cafile;
    const char *expect[3];
};

static const struct rejection rejections[] = {
    {"unknown issuer", &pki.good, false, {"issuer", "is unknown", NULL}},
    {"wrong name",
     &pki.wrong_name,
     true,
     {"name in the certificate does not match", "The certificate is for: wrong.example.", NULL}},
    {"expired", &pki.expired, true, {"expired", NULL, NULL}},
    {"self-signed", &pki.self_signed, true, {"NOT trusted", NULL, NULL}},
};

START_TEST(start_tls_rejects_bad_certificates)
{
    const struct rejection *rj = &rejections[_i];
    struct peer p = {0};
    struct net_stream *s = start_peer(&p, PEER_ECHO, rj->cert, 5000);
    struct pv_error err;
    struct net_tls_config cfg = {.servername = "localhost",
                                 .cafile = rj->use_cafile ? pki.cafile : NULL};
    ck_assert_int_eq(net_stream_start_tls(s, &cfg, &err), NET_ERR_CERT);
    ck_assert_msg(strncmp(err.msg, "certificate of localhost rejected: ", 35) == 0, "%s: %s",
                  rj->what, err.msg);
    char fp[100], with_fp[140];
    expected_fingerprint(rj->cert->crt, fp, sizeof fp);
    snprintf(with_fp, sizeof with_fp, "SHA-256 fingerprint %s", fp);
    ck_assert_msg(strstr(err.msg, with_fp), "%s: %s", rj->what, err.msg);
    for (size_t i = 0; i < PV_ARRAY_LEN(rj->expect) && rj->expect[i]; i++)
        ck_assert_msg(strstr(err.msg, rj->expect[i]), "%s: no \"%s\" in: %s", rj->what,
                      rj->expect[i], err.msg);
    ck_assert(!net_stream_is_tls(s));
    /* No plaintext after a failed upgrade. */
    char buf[8];
    size_t n;
    ck_assert_int_eq(net_stream_read_some(s, buf, sizeof buf, &n, &err), NET_ERR_TLS);
    ck_assert_int_eq(net_stream_start_tls(s, &trust_ca, &err), NET_ERR_TLS);
    ck_assert_str_eq(err.msg, "the connection is unusable after the failed TLS handshake");
    finish(&s, &p);
    ck_assert_int_ne(p.handshake, 0);
}
END_TEST

START_TEST(start_tls_refuses_bytes_before_handshake)
{
    struct peer p = {0};
    struct net_stream *s = start_peer(&p, PEER_FIRST_BYTES, &pki.good, 5000);
    struct pv_error err;
    ck_assert_int_eq(net_stream_start_tls(s, &trust_ca, &err), NET_ERR_PROTOCOL);
    ck_assert_str_eq(err.msg, "the server sent data before the TLS handshake (possible "
                              "injection attack); aborting");
    char buf[32];
    size_t n;
    ck_assert_int_eq(net_stream_read_some(s, buf, sizeof buf, &n, &err), NET_ERR_TLS);
    finish(&s, &p);
}
END_TEST

START_TEST(start_tls_peer_hangs_up_mid_handshake)
{
    struct peer p = {0};
    struct net_stream *s = start_peer(&p, PEER_HANG_UP, &pki.good, 5000);
    struct pv_error err;
    enum net_status st = net_stream_start_tls(s, &trust_ca, &err);
    ck_assert_msg(st == NET_ERR_TLS || st == NET_ERR_IO, "%s: %s", net_status_name(st), err.msg);
    ck_assert_ptr_nonnull(strstr(err.msg, "TLS handshake with localhost failed"));
    finish(&s, &p);
}
END_TEST

START_TEST(start_tls_plaintext_server)
{
    struct peer p = {0};
    struct net_stream *s = start_peer(&p, PEER_PLAINTEXT, &pki.good, 5000);
    struct pv_error err;
    ck_assert_int_eq(net_stream_start_tls(s, &trust_ca, &err), NET_ERR_TLS);
    ck_assert_ptr_nonnull(strstr(err.msg, "(does the server speak TLS on this port?)"));
    finish(&s, &p);
}
END_TEST

START_TEST(start_tls_silent_peer_times_out)
{
    struct peer p = {0};
    struct net_stream *s = start_peer(&p, PEER_SILENT, &pki.good, SHORT_TIMEOUT_MS);
    struct pv_error err;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    ck_assert_int_eq(net_stream_start_tls(s, &trust_ca, &err), NET_ERR_TIMEOUT);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    long ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
    ck_assert_int_ge(ms, SHORT_TIMEOUT_MS - 10);
    ck_assert_int_lt(ms, 3000);
    ck_assert_str_eq(err.msg, "TLS handshake with localhost timed out after 200 ms");
    finish(&s, &p);
}
END_TEST

START_TEST(start_tls_refuses_tls11)
{
    struct peer p = {.priority = "NORMAL:-VERS-ALL:+VERS-TLS1.1"};
    struct net_stream *s = start_peer(&p, PEER_ECHO, &pki.good, 5000);
    struct pv_error err;
    ck_assert_int_eq(net_stream_start_tls(s, &trust_ca, &err), NET_ERR_TLS);
    ck_assert_ptr_nonnull(strstr(err.msg, "TLS 1.2 or newer"));
    finish(&s, &p);
    ck_assert_int_ne(p.handshake, 0);
}
END_TEST

START_TEST(start_tls_unreadable_cafile)
{
    struct peer p = {0};
    struct net_stream *s = start_peer(&p, PEER_SILENT, &pki.good, 5000);
    struct pv_error err;
    struct net_tls_config cfg = {.servername = "localhost", .cafile = "/nonexistent/ca.pem"};
    ck_assert_int_eq(net_stream_start_tls(s, &cfg, &err), NET_ERR_TLS);
    ck_assert_ptr_nonnull(strstr(err.msg, "cannot read the CA file /nonexistent/ca.pem"));
    finish(&s, &p);
}
END_TEST

START_TEST(start_tls_twice_is_refused)
{
    struct peer p = {0};
    struct net_stream *s = start_peer(&p, PEER_ECHO, &pki.good, 5000);
    struct pv_error err;
    ck_assert_int_eq(net_stream_start_tls(s, &trust_ca, &err), NET_OK);
    ck_assert_int_eq(net_stream_start_tls(s, &trust_ca, &err), NET_ERR_TLS);
    ck_assert_str_eq(err.msg, "TLS is already active on this connection");
    ck_assert(net_stream_is_tls(s)); /* still usable */
    ck_assert_int_eq(net_stream_write_all(s, "x\r\n", 3, &err), NET_OK);
    finish(&s, &p);
}
END_TEST

/* --- TLS stream I/O (the vtable behind the stream calls) --------------------- */

START_TEST(tls_bulk_write_arrives_intact)
{
    struct peer p = {0};
    struct net_stream *s = start_peer(&p, PEER_BULK, &pki.good, 5000);
    struct pv_error err;
    ck_assert_int_eq(net_stream_start_tls(s, &trust_ca, &err), NET_OK);
    unsigned char *data = pv_xmalloc(BULK_SIZE);
    for (size_t i = 0; i < BULK_SIZE; i++)
        data[i] = pattern_byte(i);
    ck_assert_int_eq(net_stream_write_all(s, data, BULK_SIZE, &err), NET_OK);
    char buf[16];
    size_t n;
    ck_assert_int_eq(net_stream_read(s, buf, sizeof buf, &n, &err), NET_OK);
    ck_assert_int_eq(memcmp(buf, "+OK\r\n", 5), 0);
    finish(&s, &p);
    ck_assert(p.bulk_intact);
    free(data);
}
END_TEST

START_TEST(tls_has_buffered_after_partial_read)
{
    struct peer p = {0};
    struct net_stream *s = start_peer(&p, PEER_RECORD, &pki.good, 5000);
    struct pv_error err;
    ck_assert_int_eq(net_stream_start_tls(s, &trust_ca, &err), NET_OK);
    ck_assert(!net_stream_has_buffered(s));
    char buf[RECORD_SIZE];
    size_t n;
    ck_assert_int_eq(net_stream_read(s, buf, 10, &n, &err), NET_OK);
    ck_assert_uint_eq(n, 10);
    ck_assert(net_stream_has_buffered(s));
    /* The socket is empty now; wait must still say "readable". */
    bool r = false, w = true;
    ck_assert_int_eq(net_stream_wait(s, false, 1000, &r, &w, &err), NET_OK);
    ck_assert(r && !w);
    ck_assert_int_eq(net_stream_read_some(s, buf, sizeof buf, &n, &err), NET_OK);
    ck_assert_uint_eq(n, RECORD_SIZE - 10);
    ck_assert(!net_stream_has_buffered(s));
    ck_assert_int_eq(net_stream_read_some(s, buf, sizeof buf, &n, &err), NET_WOULD_BLOCK);
    release(&p); /* the peer sends close_notify */
    ck_assert_int_eq(net_stream_read(s, buf, sizeof buf, &n, &err), NET_CLOSED);
    finish(&s, &p);
}
END_TEST

START_TEST(tls_write_would_block_then_retry)
{
    struct peer p = {0};
    struct net_stream *s = start_peer(&p, PEER_STALL, &pki.good, 5000);
    struct pv_error err;
    ck_assert_int_eq(net_stream_start_tls(s, &trust_ca, &err), NET_OK);
    static char chunk[16384];
    size_t n = 0, total = 0;
    enum net_status st;
    while ((st = net_stream_write_some(s, chunk, sizeof chunk, &n, &err)) == NET_OK) {
        total += n;
        ck_assert_uint_lt(total, (size_t)256 * 1024 * 1024);
    }
    ck_assert_int_eq(st, NET_WOULD_BLOCK);
    /* GnuTLS holds an encrypted record: less data than before is refused. */
    ck_assert_int_eq(net_stream_write_some(s, chunk, 10, &n, &err), NET_ERR_TLS);
    ck_assert_str_eq(err.msg, "internal error: a TLS write was retried with less data");
    release(&p); /* the peer reads again */
    ck_assert_int_eq(net_stream_write_all(s, chunk, sizeof chunk, &err), NET_OK);
    finish(&s, &p);
}
END_TEST

START_TEST(tls_peer_gone_without_close_notify)
{
    struct peer p = {0};
    struct net_stream *s = start_peer(&p, PEER_ABRUPT, &pki.good, 5000);
    struct pv_error err;
    ck_assert_int_eq(net_stream_start_tls(s, &trust_ca, &err), NET_OK);
    char buf[16];
    size_t n;
    ck_assert_int_eq(net_stream_read(s, buf, sizeof buf, &n, &err), NET_OK);
    ck_assert_int_eq(memcmp(buf, "+OK\r\n", 5), 0);
    ck_assert_int_eq(net_stream_read(s, buf, sizeof buf, &n, &err), NET_CLOSED);
    ck_assert_int_eq(net_stream_write_all(s, "QUIT\r\n", 6, &err), NET_ERR_IO);
    ck_assert_str_eq(err.msg, "writing to the connection failed: the server closed it");
    finish(&s, &p);
}
END_TEST

START_TEST(tls_write_to_vanished_peer_is_error_not_sigpipe)
{
    struct peer p = {0};
    struct net_stream *s = start_peer(&p, PEER_ABRUPT, &pki.good, 5000);
    struct pv_error err;
    ck_assert_int_eq(net_stream_start_tls(s, &trust_ca, &err), NET_OK);
    char buf[16];
    size_t n;
    ck_assert_int_eq(net_stream_read(s, buf, sizeof buf, &n, &err), NET_OK);
    join_peer(&p); /* the peer's socket is closed now */
    enum net_status st = net_stream_write_all(s, "QUIT\r\n", 6, &err);
    ck_assert_msg(st == NET_ERR_IO, "%s: %s", net_status_name(st), err.msg);
    ck_assert_ptr_nonnull(strstr(err.msg, strerror(EPIPE)));
    finish(&s, &p);
}
END_TEST

/* --- net_stream_is_tls ------------------------------------------------------- */

START_TEST(is_tls_null_and_plain)
{
    ck_assert(!net_stream_is_tls(NULL));
    int sv[2];
    ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    struct net_stream *s = net_stream_from_fd(sv[0], 1000);
    ck_assert(!net_stream_is_tls(s));
    net_stream_free(&s);
    close(sv[1]);
}
END_TEST

/* --- net_stream_tls_info ----------------------------------------------------- */

START_TEST(tls_info_null_and_plain)
{
    struct net_tls_info info;
    ck_assert(!net_stream_tls_info(NULL, &info));
    int sv[2];
    ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    struct net_stream *s = net_stream_from_fd(sv[0], 1000);
    ck_assert(!net_stream_tls_info(s, &info));
    net_stream_free(&s);
    close(sv[1]);
}
END_TEST

static const struct {
    const char *priority;
    const char *protocol;
} versions[] = {
    {"NORMAL", "TLS1.3"},
    {"NORMAL:-VERS-ALL:+VERS-TLS1.2", "TLS1.2"},
};

START_TEST(tls_info_describes_session)
{
    struct peer p = {.priority = versions[_i].priority, .send_chain = true};
    struct net_stream *s = start_peer(&p, PEER_ECHO, &pki.good, 5000);
    struct pv_error err;
    enum net_status st = net_stream_start_tls(s, &trust_ca, &err);
    ck_assert_msg(st == NET_OK, "%s", err.msg);
    struct net_tls_info info;
    ck_assert(net_stream_tls_info(s, &info));
    ck_assert_str_eq(info.protocol, versions[_i].protocol);
    ck_assert_uint_gt(strlen(info.cipher), 4);
    ck_assert_ptr_nonnull(strstr(info.subject, "CN=localhost"));
    ck_assert_ptr_nonnull(strstr(info.issuer, "CN=popview test CA"));
    char fp[100];
    expected_fingerprint(pki.good.crt, fp, sizeof fp);
    ck_assert_str_eq(info.fingerprint, fp);
    ck_assert_uint_eq(strlen(info.fingerprint), 32 * 3 - 1);
    ck_assert_int_eq(info.not_before, (int64_t)gnutls_x509_crt_get_activation_time(pki.good.crt));
    ck_assert_int_eq(info.not_after, (int64_t)gnutls_x509_crt_get_expiration_time(pki.good.crt));
    ck_assert_uint_eq(info.chain_length, 2);
    ck_assert(info.verified);
    ck_assert_str_eq(info.verify_problem, "");
    finish(&s, &p);
}
END_TEST

START_TEST(tls_info_insecure_records_problem)
{
    struct peer p = {0};
    struct net_stream *s = start_peer(&p, PEER_ECHO, &pki.self_signed, 5000);
    struct pv_error err;
    struct net_tls_config cfg = {.servername = "localhost", .cafile = pki.cafile, .insecure = true};
    enum net_status st = net_stream_start_tls(s, &cfg, &err);
    ck_assert_msg(st == NET_OK, "%s", err.msg);
    struct net_tls_info info;
    ck_assert(net_stream_tls_info(s, &info));
    ck_assert(!info.verified);
    ck_assert_ptr_nonnull(strstr(info.verify_problem, "NOT trusted"));
    ck_assert_uint_eq(info.chain_length, 1);
    ck_assert_int_eq(net_stream_write_all(s, "x\r\n", 3, &err), NET_OK);
    finish(&s, &p);
}
END_TEST

START_TEST(tls_info_insecure_with_good_certificate)
{
    struct peer p = {0};
    struct net_stream *s = start_peer(&p, PEER_ECHO, &pki.good, 5000);
    struct pv_error err;
    struct net_tls_config cfg = {.servername = "localhost", .cafile = pki.cafile, .insecure = true};
    ck_assert_int_eq(net_stream_start_tls(s, &cfg, &err), NET_OK);
    struct net_tls_info info;
    ck_assert(net_stream_tls_info(s, &info));
    ck_assert(info.verified);
    ck_assert_str_eq(info.verify_problem, "");
    finish(&s, &p);
}
END_TEST

/* --- net_tls_library_version ------------------------------------------------- */

/* --- net_stream_tls_chain ---------------------------------------------------- */

START_TEST(tls_chain_null_and_plain)
{
    struct net_tls_cert certs[2];
    ck_assert_uint_eq(net_stream_tls_chain(NULL, certs, 2), 0);
    int sv[2];
    ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    struct net_stream *s = net_stream_from_fd(sv[0], 1000);
    ck_assert_uint_eq(net_stream_tls_chain(s, certs, 2), 0);
    net_stream_free(&s);
    close(sv[1]);
}
END_TEST

static void assert_cert(const struct net_tls_cert *c, gnutls_x509_crt_t crt, const char *subject,
                        const char *issuer)
{
    char fp[100];
    expected_fingerprint(crt, fp, sizeof fp);
    ck_assert_str_eq(c->fingerprint, fp);
    ck_assert_ptr_nonnull(strstr(c->subject, subject));
    ck_assert_ptr_nonnull(strstr(c->issuer, issuer));
    ck_assert_int_eq(c->not_before, (int64_t)gnutls_x509_crt_get_activation_time(crt));
    ck_assert_int_eq(c->not_after, (int64_t)gnutls_x509_crt_get_expiration_time(crt));
}

/* The server's certificate, then the CA's, as sent; also in the info. */
START_TEST(tls_chain_as_sent)
{
    struct peer p = {.send_chain = true};
    struct net_stream *s = start_peer(&p, PEER_ECHO, &pki.good, 5000);
    struct pv_error err;
    enum net_status st = net_stream_start_tls(s, &trust_ca, &err);
    ck_assert_msg(st == NET_OK, "%s", err.msg);
    struct net_tls_cert certs[NET_TLS_CHAIN_MAX];
    ck_assert_uint_eq(net_stream_tls_chain(s, certs, NET_TLS_CHAIN_MAX), 2);
    assert_cert(&certs[0], pki.good.crt, "CN=localhost", "CN=popview test CA");
    assert_cert(&certs[1], pki.ca.crt, "CN=popview test CA", "CN=popview test CA");
    struct net_tls_info info;
    ck_assert(net_stream_tls_info(s, &info));
    ck_assert_uint_eq(info.chain_kept, 2);
    ck_assert_str_eq(info.chain[1].fingerprint, certs[1].fingerprint);
    ck_assert_str_eq(info.chain[0].subject, info.subject);
    /* A smaller array gets the first ones only. */
    ck_assert_uint_eq(net_stream_tls_chain(s, certs, 1), 1);
    assert_cert(&certs[0], pki.good.crt, "CN=localhost", "CN=popview test CA");
    ck_assert_uint_eq(net_stream_tls_chain(s, certs, 0), 0);
    finish(&s, &p);
}
END_TEST

/* A server that sends its own certificate alone: a chain of one. */
START_TEST(tls_chain_of_one)
{
    struct peer p = {0};
    struct net_stream *s = start_peer(&p, PEER_ECHO, &pki.good, 5000);
    struct pv_error err;
    enum net_status st = net_stream_start_tls(s, &trust_ca, &err);
    ck_assert_msg(st == NET_OK, "%s", err.msg);
    struct net_tls_cert certs[NET_TLS_CHAIN_MAX];
    ck_assert_uint_eq(net_stream_tls_chain(s, certs, NET_TLS_CHAIN_MAX), 1);
    assert_cert(&certs[0], pki.good.crt, "CN=localhost", "CN=popview test CA");
    finish(&s, &p);
}
END_TEST

START_TEST(library_version_is_gnutls)
{
    const char *v = net_tls_library_version();
    ck_assert_ptr_nonnull(v);
    ck_assert_str_eq(v, gnutls_check_version(NULL));
    ck_assert_ptr_nonnull(gnutls_check_version("3.6.5")); /* the minimum meson asks for */
}
END_TEST

static TCase *add_case(Suite *s, const char *name)
{
    TCase *tc = tcase_create(name);
    suite_add_tcase(s, tc);
    return tc;
}

static Suite *tls_suite(void)
{
    Suite *s = suite_create("net_tls");
    TCase *tc = add_case(s, "net_stream_start_tls");
    tcase_add_test(tc, start_tls_rejects_missing_arguments);
    tcase_add_test(tc, start_tls_good_certificate_carries_data);
    tcase_add_test(tc, start_tls_ip_address_checked_without_sni);
    tcase_add_test(tc, start_tls_upgrades_plain_stream);
    tcase_add_loop_test(tc, start_tls_rejects_bad_certificates, 0, (int)PV_ARRAY_LEN(rejections));
    tcase_add_test(tc, start_tls_refuses_bytes_before_handshake);
    tcase_add_test(tc, start_tls_peer_hangs_up_mid_handshake);
    tcase_add_test(tc, start_tls_plaintext_server);
    tcase_add_test(tc, start_tls_silent_peer_times_out);
    tcase_add_test(tc, start_tls_refuses_tls11);
    tcase_add_test(tc, start_tls_unreadable_cafile);
    tcase_add_test(tc, start_tls_twice_is_refused);
    tc = add_case(s, "tls_stream_io");
    tcase_add_test(tc, tls_bulk_write_arrives_intact);
    tcase_add_test(tc, tls_has_buffered_after_partial_read);
    tcase_add_test(tc, tls_write_would_block_then_retry);
    tcase_add_test(tc, tls_peer_gone_without_close_notify);
    tcase_add_test(tc, tls_write_to_vanished_peer_is_error_not_sigpipe);
    tc = add_case(s, "net_stream_is_tls");
    tcase_add_test(tc, is_tls_null_and_plain);
    tc = add_case(s, "net_stream_tls_info");
    tcase_add_test(tc, tls_info_null_and_plain);
    tcase_add_loop_test(tc, tls_info_describes_session, 0, (int)PV_ARRAY_LEN(versions));
    tcase_add_test(tc, tls_info_insecure_records_problem);
    tcase_add_test(tc, tls_info_insecure_with_good_certificate);
    tc = add_case(s, "net_stream_tls_chain");
    tcase_add_test(tc, tls_chain_null_and_plain);
    tcase_add_test(tc, tls_chain_as_sent);
    tcase_add_test(tc, tls_chain_of_one);
    tc = add_case(s, "net_tls_library_version");
    tcase_add_test(tc, library_version_is_gnutls);
    return s;
}

int main(void)
{
    make_pki();
    SRunner *sr = srunner_create(tls_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    free_pki();
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
