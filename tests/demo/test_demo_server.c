/*
 * Tests of the demo POP3 server (src/demo/server.c, session.c) spoken to by
 * hand over its socketpair: the test writes command bytes and reads reply
 * bytes, so what is checked is exactly what a client would see on the wire.
 *
 *   enum demo_status demo_server_start(struct demo_mailbox *mb,
 *       const struct demo_server_options *opts, struct demo_server **server_out,
 *       int *client_fd_out, struct pv_error *err);
 *   void demo_server_free(struct demo_server **server);
 *   bool demo_server_finished(struct demo_server *server);
 *   void demo_server_options_init(struct demo_server_options *opts);
 *   enum demo_status demo_serve_fd(struct demo_mailbox *mb,
 *       const struct demo_server_options *opts, int fd, int stop_fd, struct pv_error *err);
 */
#include <check.h>
#include <errno.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <popview/util.h>

#include "demo.h"

enum { READ_TIMEOUT_MS = 20000 };

/* ---- a hand-driven client ---- */

struct conn {
    struct demo_mailbox *mb;
    bool owns_mb;
    struct demo_server *srv;
    int fd;
    struct pv_buf in; /* received, not yet consumed */
    char *greeting;
};

static struct demo_mailbox *sample_mailbox(void)
{
    struct demo_mailbox *mb = demo_mailbox_new();
    struct pv_error err;
    pv_error_clear(&err);
    ck_assert_msg(demo_mailbox_load_sample(mb, &err) == DEMO_OK, "%s", err.msg);
    return mb;
}

static char *read_line(struct conn *c);

/* Starts a server on mb (NULL: a fresh sample mailbox the conn owns). */
static struct conn *conn_open(struct demo_mailbox *mb, const struct demo_server_options *opts)
{
    struct conn *c = pv_xcalloc(1, sizeof(*c));
    c->owns_mb = mb == NULL;
    c->mb = mb ? mb : sample_mailbox();
    pv_buf_init(&c->in, 0);
    struct pv_error err;
    pv_error_clear(&err);
    ck_assert_msg(demo_server_start(c->mb, opts, &c->srv, &c->fd, &err) == DEMO_OK, "%s", err.msg);
    c->greeting = read_line(c);
    return c;
}

static void conn_close(struct conn **cp)
{
    struct conn *c = *cp;
    if (c->fd >= 0)
        close(c->fd);
    demo_server_free(&c->srv);
    ck_assert_ptr_null(c->srv);
    if (c->owns_mb)
        demo_mailbox_free(&c->mb);
    pv_buf_free(&c->in);
    free(c->greeting);
    free(c);
    *cp = NULL;
}

static void send_raw(struct conn *c, const char *data, size_t len)
{
    while (len > 0) {
        ssize_t n = send(c->fd, data, len, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        ck_assert_msg(n > 0, "send: %s", strerror(errno));
        data += n;
        len -= (size_t)n;
    }
}

static void send_line(struct conn *c, const char *line)
{
    send_raw(c, line, strlen(line));
    send_raw(c, "\r\n", 2);
}

/* Reads more bytes; false at end of file. */
static bool receive(struct conn *c)
{
    struct pollfd p = {.fd = c->fd, .events = POLLIN};
    int r = poll(&p, 1, READ_TIMEOUT_MS);
    ck_assert_msg(r == 1, "no reply within %d ms", READ_TIMEOUT_MS);
    char chunk[65536];
    ssize_t n = recv(c->fd, chunk, sizeof(chunk), 0);
    ck_assert_msg(n >= 0, "recv: %s", strerror(errno));
    if (n == 0)
        return false;
    ck_assert(pv_buf_append(&c->in, chunk, (size_t)n));
    return true;
}

/* One reply line without its CRLF (caller frees); every line must end in CRLF. */
static char *read_line(struct conn *c)
{
    for (;;) {
        char *lf = c->in.len ? memchr(c->in.data, '\n', c->in.len) : NULL;
        if (lf) {
            size_t n = (size_t)(lf - c->in.data);
            ck_assert_msg(n > 0 && c->in.data[n - 1] == '\r', "reply line without CR before LF");
            char *line = pv_xstrndup(c->in.data, n - 1);
            pv_buf_consume(&c->in, n + 1);
            return line;
        }
        ck_assert_msg(receive(c), "connection closed while a line was expected");
    }
}

/* The lines of a multi-line reply up to (not including) ".", still dot-stuffed. */
struct lines {
    char **v;
    size_t n;
};

static struct lines read_multi(struct conn *c)
{
    struct lines l = {NULL, 0};
    for (;;) {
        char *line = read_line(c);
        if (strcmp(line, ".") == 0) {
            free(line);
            return l;
        }
        l.v = pv_xreallocarray(l.v, l.n + 1, sizeof(*l.v));
        l.v[l.n++] = line;
    }
}

static void lines_free(struct lines *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
    l->v = NULL;
    l->n = 0;
}

static bool lines_have(const struct lines *l, const char *text)
{
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->v[i], text) == 0)
            return true;
    return false;
}

/* Sends a command, returns the status line (caller frees). */
static char *cmd(struct conn *c, const char *command)
{
    send_line(c, command);
    return read_line(c);
}

static char *PV_PRINTF(2, 3) cmdf(struct conn *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *command = NULL;
    ck_assert(vasprintf(&command, fmt, ap) >= 0);
    va_end(ap);
    char *reply = cmd(c, command);
    free(command);
    return reply;
}

static bool starts_with(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

#define expect_prefix(reply_expr, prefix)                                                          \
    do {                                                                                           \
        char *r_ = (reply_expr);                                                                   \
        ck_assert_msg(starts_with(r_, prefix), "expected \"%s...\", got \"%s\"", prefix, r_);      \
        free(r_);                                                                                  \
    } while (0)

#define expect_reply(reply_expr, text)                                                             \
    do {                                                                                           \
        char *r_ = (reply_expr);                                                                   \
        ck_assert_str_eq(r_, text);                                                                \
        free(r_);                                                                                  \
    } while (0)

static void login(struct conn *c)
{
    expect_prefix(cmd(c, "USER demo"), "+OK");
    expect_prefix(cmd(c, "PASS demo"), "+OK");
}

static struct conn *open_logged_in(void)
{
    struct conn *c = conn_open(NULL, NULL);
    login(c);
    return c;
}

/* Message index i (0-based) of the mailbox, copied. */
struct msg {
    char *data;
    size_t len;
    char uidl[DEMO_UIDL_MAX + 1];
};

static struct msg get_msg(struct demo_mailbox *mb, size_t i)
{
    struct msg m;
    ck_assert(demo_mailbox_copy_message(mb, i, &m.data, &m.len, m.uidl));
    return m;
}

/* Joins multi-line reply lines back into message bytes, removing the stuffing. */
static char *unstuff(const struct lines *l, size_t *len_out)
{
    struct pv_buf b;
    pv_buf_init(&b, 0);
    ck_assert(pv_buf_append(&b, "", 0));
    for (size_t i = 0; i < l->n; i++) {
        const char *s = l->v[i];
        if (s[0] == '.') {
            ck_assert_msg(s[1] == '.', "line starting with a single dot was not stuffed: %s", s);
            s++;
        }
        ck_assert(pv_buf_append_str(&b, s));
        ck_assert(pv_buf_append(&b, "\r\n", 2));
    }
    return pv_buf_steal(&b, len_out);
}

static char *timestamp_of(const char *greeting)
{
    const char *lt = strchr(greeting, '<');
    const char *gt = lt ? strchr(lt, '>') : NULL;
    ck_assert_msg(lt && gt, "no <timestamp> in greeting \"%s\"", greeting);
    return pv_xstrndup(lt, (size_t)(gt - lt + 1));
}

static void md5_hex(const char *text, char out[33])
{
    unsigned char d[16];
    ck_assert_int_eq(gnutls_hash_fast(GNUTLS_DIG_MD5, text, strlen(text), d), 0);
    for (size_t i = 0; i < 16; i++)
        snprintf(out + 2 * i, 3, "%02x", d[i]);
}

/* ---- demo_server_start / greeting ---- */

START_TEST(test_start_null)
{
    struct demo_server *srv = NULL;
    int fd = -1;
    struct pv_error err;
    pv_error_clear(&err);
    ck_assert_int_eq(demo_server_start(NULL, NULL, &srv, &fd, &err), DEMO_ERR_ARG);
    ck_assert_ptr_null(srv);
    ck_assert_int_eq(fd, -1);
    ck_assert_str_ne(err.msg, "");
}
END_TEST

START_TEST(test_greeting_timestamp)
{
    struct conn *c = conn_open(NULL, NULL);
    ck_assert_msg(starts_with(c->greeting, "+OK "), "%s", c->greeting);
    char *ts = timestamp_of(c->greeting);
    /* RFC 1939 §7 (APOP) wants a msg-id-like <process-ID.clock@hostname>. */
    unsigned long a, b;
    long long t;
    char host[64];
    ck_assert_msg(sscanf(ts, "<%lu.%lu.%lld@%63[^>]>", &a, &b, &t, host) == 4, "%s", ts);
    ck_assert_str_eq(host, "demo.popview.invalid");
    ck_assert_int_eq(ts[strlen(ts) - 1], '>');

    /* A second connection gets a different timestamp. */
    struct conn *c2 = conn_open(c->mb, NULL);
    char *ts2 = timestamp_of(c2->greeting);
    ck_assert_str_ne(ts, ts2);
    free(ts);
    free(ts2);
    conn_close(&c2);
    conn_close(&c);
}
END_TEST

START_TEST(test_greeting_without_apop)
{
    struct demo_server_options o;
    demo_server_options_init(&o);
    o.apop = false;
    o.hostname = "ignored.example";
    struct conn *c = conn_open(NULL, &o);
    ck_assert_ptr_null(strchr(c->greeting, '<'));
    expect_reply(cmd(c, "APOP demo 0123456789abcdef0123456789abcdef"), "-ERR unknown command");
    conn_close(&c);
}
END_TEST

/* ---- CAPA (RFC 2449 §5) ---- */

START_TEST(test_capa_before_and_after_login)
{
    struct conn *c = conn_open(NULL, NULL);
    expect_reply(cmd(c, "CAPA"), "+OK capability list follows");
    struct lines l = read_multi(c);
    static const char *const want[] = {
        "TOP",          "UIDL",           "USER",       "SASL PLAIN LOGIN",
        "RESP-CODES",   "AUTH-RESP-CODE", "PIPELINING", "EXPIRE NEVER",
        "LOGIN-DELAY 0"};
    for (size_t i = 0; i < PV_ARRAY_LEN(want); i++)
        ck_assert_msg(lines_have(&l, want[i]), "CAPA lacks %s", want[i]);
    bool impl = false;
    for (size_t i = 0; i < l.n; i++)
        impl = impl || starts_with(l.v[i], "IMPLEMENTATION popview-demo");
    ck_assert(impl);
    lines_free(&l);

    login(c);
    expect_reply(cmd(c, "CAPA"), "+OK capability list follows");
    l = read_multi(c);
    ck_assert(lines_have(&l, "TOP"));
    ck_assert(lines_have(&l, "UIDL"));
    ck_assert(lines_have(&l, "PIPELINING"));
    ck_assert(!lines_have(&l, "USER"));
    ck_assert(!lines_have(&l, "SASL PLAIN LOGIN"));
    lines_free(&l);
    conn_close(&c);
}
END_TEST

/* Each switch drops the capability and makes the command unknown. */
static const struct {
    const char *option;
    const char *capability;
    const char *command; /* sent after login; NULL: none */
} switches[] = {
    {"top", "TOP", "TOP 1 0"},          {"uidl", "UIDL", "UIDL"},
    {"pipelining", "PIPELINING", NULL}, {"user_login", "USER", NULL},
    {"sasl", "SASL PLAIN LOGIN", NULL}, {"resp_codes", "RESP-CODES", NULL},
};

START_TEST(test_capa_switches)
{
    struct demo_server_options o;
    demo_server_options_init(&o);
    const char *opt = switches[_i].option;
    if (strcmp(opt, "top") == 0)
        o.top = false;
    else if (strcmp(opt, "uidl") == 0)
        o.uidl = false;
    else if (strcmp(opt, "pipelining") == 0)
        o.pipelining = false;
    else if (strcmp(opt, "user_login") == 0)
        o.user_login = false;
    else if (strcmp(opt, "sasl") == 0)
        o.sasl_plain = o.sasl_login = false;
    else if (strcmp(opt, "resp_codes") == 0)
        o.resp_codes = false;
    struct conn *c = conn_open(NULL, &o);
    expect_reply(cmd(c, "CAPA"), "+OK capability list follows");
    struct lines l = read_multi(c);
    ck_assert_msg(!lines_have(&l, switches[_i].capability), "%s still announced",
                  switches[_i].capability);
    ck_assert(lines_have(&l, "EXPIRE NEVER"));
    lines_free(&l);
    if (strcmp(opt, "user_login") == 0) {
        expect_reply(cmd(c, "USER demo"), "-ERR unknown command");
        expect_prefix(cmd(c, "AUTH PLAIN AGRlbW8AZGVtbw=="), "+OK");
    } else if (strcmp(opt, "sasl") == 0) {
        expect_reply(cmd(c, "AUTH PLAIN AGRlbW8AZGVtbw=="), "-ERR unknown command");
        login(c);
    } else if (strcmp(opt, "resp_codes") == 0) {
        expect_prefix(cmd(c, "USER demo"), "+OK");
        expect_reply(cmd(c, "PASS wrong"), "-ERR invalid user name or password");
        login(c);
    } else {
        login(c);
    }
    if (switches[_i].command)
        expect_reply(cmd(c, switches[_i].command), "-ERR unknown command");
    conn_close(&c);
}
END_TEST

START_TEST(test_capa_off)
{
    struct demo_server_options o;
    demo_server_options_init(&o);
    o.capa = false;
    struct conn *c = conn_open(NULL, &o);
    expect_reply(cmd(c, "CAPA"), "-ERR unknown command");
    login(c);
    expect_prefix(cmd(c, "STAT"), "+OK");
    conn_close(&c);
}
END_TEST

/* ---- USER/PASS (RFC 1939 §7) ---- */

static const struct {
    const char *user;
    const char *pass;
} bad_logins[] = {
    {"demo", "wrong"}, {"demo", "demo "}, {"demo", "DEMO"}, {"nobody", "demo"}, {"Demo", "demo"},
};

START_TEST(test_user_pass_wrong)
{
    struct conn *c = conn_open(NULL, NULL);
    expect_prefix(cmdf(c, "USER %s", bad_logins[_i].user), "+OK");
    expect_prefix(cmdf(c, "PASS %s", bad_logins[_i].pass), "-ERR [AUTH] ");
    ck_assert(!demo_mailbox_is_locked(c->mb));
    /* still in AUTHORIZATION: transaction commands are refused, login works */
    expect_prefix(cmd(c, "STAT"), "-ERR");
    login(c);
    conn_close(&c);
}
END_TEST

START_TEST(test_user_pass_ok)
{
    struct conn *c = conn_open(NULL, NULL);
    expect_reply(cmd(c, "USER demo"), "+OK send PASS");
    char *reply = cmd(c, "PASS demo");
    char want[128];
    snprintf(want, sizeof(want), "+OK demo's maildrop has %zu messages (%llu octets)",
             demo_mailbox_count(c->mb), (unsigned long long)demo_mailbox_size(c->mb));
    ck_assert_str_eq(reply, want);
    free(reply);
    ck_assert(demo_mailbox_is_locked(c->mb));
    conn_close(&c);
}
END_TEST

START_TEST(test_custom_credentials)
{
    struct demo_server_options o;
    demo_server_options_init(&o);
    o.user = "alice";
    /* RFC 1939 §7: spaces may be part of the password, however many */
    o.password = "open  sesame, says the one with  a password of many words ";
    struct conn *c = conn_open(NULL, &o);
    expect_prefix(cmd(c, "USER demo"), "+OK");
    expect_prefix(cmd(c, "PASS demo"), "-ERR [AUTH]");
    expect_prefix(cmd(c, "USER alice"), "+OK");
    expect_prefix(cmd(c, "PASS open sesame, says the one with a password of many words"),
                  "-ERR [AUTH]");
    expect_prefix(cmd(c, "USER alice"), "+OK");
    expect_prefix(cmd(c, "PASS open  sesame, says the one with  a password of many words "),
                  "+OK alice's maildrop");
    conn_close(&c);
}
END_TEST

START_TEST(test_pass_without_user)
{
    struct conn *c = conn_open(NULL, NULL);
    expect_reply(cmd(c, "PASS demo"), "-ERR send USER first");
    /* A failed PASS forgets the user name: USER is needed again. */
    expect_prefix(cmd(c, "USER demo"), "+OK");
    expect_prefix(cmd(c, "PASS nope"), "-ERR [AUTH]");
    expect_reply(cmd(c, "PASS demo"), "-ERR send USER first");
    conn_close(&c);
}
END_TEST

/* ---- APOP (RFC 1939 §7) ---- */

START_TEST(test_apop)
{
    struct conn *c = conn_open(NULL, NULL);
    char *ts = timestamp_of(c->greeting);
    char *good_in = pv_xasprintf("%sdemo", ts);
    char *bad_in = pv_xasprintf("%sdemox", ts);
    char good[33], bad[33];
    md5_hex(good_in, good);
    md5_hex(bad_in, bad);

    expect_prefix(cmdf(c, "APOP demo %s", bad), "-ERR [AUTH]");
    expect_prefix(cmdf(c, "APOP nobody %s", good), "-ERR [AUTH]");
    expect_prefix(cmd(c, "APOP demo short"), "-ERR [AUTH]");
    expect_prefix(cmd(c, "APOP demo"), "-ERR APOP needs 2 arguments");
    expect_prefix(cmdf(c, "APOP demo %s", good), "+OK demo's maildrop has");
    free(ts);
    free(good_in);
    free(bad_in);
    conn_close(&c);
}
END_TEST

START_TEST(test_apop_digest_of_other_connection)
{
    struct demo_mailbox *mb = sample_mailbox();
    struct conn *first = conn_open(mb, NULL);
    char *ts = timestamp_of(first->greeting);
    char *in = pv_xasprintf("%sdemo", ts);
    char digest[33];
    md5_hex(in, digest);
    conn_close(&first);
    /* A replayed digest does not work: the new greeting has a new timestamp. */
    struct conn *c = conn_open(mb, NULL);
    expect_prefix(cmdf(c, "APOP demo %s", digest), "-ERR [AUTH]");
    free(ts);
    free(in);
    conn_close(&c);
    demo_mailbox_free(&mb);
}
END_TEST

/* ---- AUTH (RFC 5034, PLAIN RFC 4616) ---- */

START_TEST(test_auth_plain_initial_response)
{
    struct conn *c = conn_open(NULL, NULL);
    /* base64("\0demo\0demo") */
    expect_prefix(cmd(c, "AUTH PLAIN AGRlbW8AZGVtbw=="), "+OK demo's maildrop");
    conn_close(&c);
    c = conn_open(NULL, NULL);
    /* base64("demo\0demo\0demo"): authzid equal to the user is fine */
    expect_prefix(cmd(c, "auth plain ZGVtbwBkZW1vAGRlbW8="), "+OK");
    conn_close(&c);
}
END_TEST

START_TEST(test_auth_plain_continuation)
{
    struct conn *c = conn_open(NULL, NULL);
    expect_reply(cmd(c, "AUTH PLAIN"), "+ ");
    expect_prefix(cmd(c, "AGRlbW8AZGVtbw=="), "+OK");
    conn_close(&c);
}
END_TEST

static const struct {
    const char *line; /* after "AUTH PLAIN" with "+ " */
    const char *reply;
} plain_failures[] = {
    {"*", "-ERR AUTH cancelled by the client"},
    {"AGRlbW8Ad3Jvbmc=", "-ERR [AUTH] invalid user name or password"}, /* \0demo\0wrong */
    {"AGRlbW8AZGVtbw", "-ERR the SASL response is not valid base64; AUTH cancelled"},
    {"AGRl!W8AZGVtbw==", "-ERR the SASL response is not valid base64; AUTH cancelled"},
    {"ZGVtbw==", "-ERR malformed PLAIN response: expected authzid NUL user NUL password"},
    {"", "-ERR malformed PLAIN response: expected authzid NUL user NUL password"},
    /* base64("root\0demo\0demo"): acting as another user */
    {"cm9vdABkZW1vAGRlbW8=", "-ERR [AUTH] this demo does not let one user act as another"},
};

START_TEST(test_auth_plain_failures)
{
    struct conn *c = conn_open(NULL, NULL);
    expect_reply(cmd(c, "AUTH PLAIN"), "+ ");
    expect_reply(cmd(c, plain_failures[_i].line), plain_failures[_i].reply);
    /* back in AUTHORIZATION: a normal login works */
    expect_prefix(cmd(c, "STAT"), "-ERR");
    expect_prefix(cmd(c, "AUTH PLAIN AGRlbW8AZGVtbw=="), "+OK");
    conn_close(&c);
}
END_TEST

START_TEST(test_auth_other)
{
    struct conn *c = conn_open(NULL, NULL);
    expect_prefix(cmd(c, "AUTH"), "-ERR AUTH needs a SASL mechanism");
    expect_prefix(cmd(c, "AUTH CRAM-MD5"), "-ERR unsupported SASL mechanism");
    /* "=" is an empty initial response (RFC 5034 §4): PLAIN rejects it */
    expect_prefix(cmd(c, "AUTH PLAIN ="), "-ERR malformed PLAIN response");
    /* LOGIN: "Username:" and "Password:" challenges */
    expect_reply(cmd(c, "AUTH LOGIN"), "+ VXNlcm5hbWU6");
    expect_reply(cmd(c, "ZGVtbw=="), "+ UGFzc3dvcmQ6");
    expect_prefix(cmd(c, "ZGVtbw=="), "+OK demo's maildrop");
    expect_prefix(cmd(c, "AUTH PLAIN AGRlbW8AZGVtbw=="), "-ERR AUTH is only valid before");
    conn_close(&c);

    c = conn_open(NULL, NULL);
    expect_reply(cmd(c, "AUTH LOGIN ZGVtbw=="), "+ UGFzc3dvcmQ6");
    expect_prefix(cmd(c, "d3Jvbmc="), "-ERR [AUTH]");
    expect_reply(cmd(c, "AUTH LOGIN"), "+ VXNlcm5hbWU6");
    expect_reply(cmd(c, "*"), "-ERR AUTH cancelled by the client");
    conn_close(&c);
}
END_TEST

/* ---- TRANSACTION: STAT, LIST, UIDL (RFC 1939 §5, §7) ---- */

START_TEST(test_stat)
{
    struct conn *c = open_logged_in();
    char *reply = cmd(c, "STAT");
    char want[64];
    snprintf(want, sizeof(want), "+OK %zu %llu", demo_mailbox_count(c->mb),
             (unsigned long long)demo_mailbox_size(c->mb));
    ck_assert_str_eq(reply, want);
    free(reply);
    ck_assert_uint_ge(demo_mailbox_count(c->mb), 22);
    conn_close(&c);
}
END_TEST

START_TEST(test_list_and_uidl)
{
    struct conn *c = open_logged_in();
    size_t n = demo_mailbox_count(c->mb);
    char want[128];
    snprintf(want, sizeof(want), "+OK %zu messages (%llu octets)", n,
             (unsigned long long)demo_mailbox_size(c->mb));
    expect_reply(cmd(c, "LIST"), want);
    struct lines list = read_multi(c);
    expect_reply(cmd(c, "UIDL"), "+OK unique-id listing follows");
    struct lines uidl = read_multi(c);
    ck_assert_uint_eq(list.n, n);
    ck_assert_uint_eq(uidl.n, n);
    for (size_t i = 0; i < n; i++) {
        struct msg m = get_msg(c->mb, i);
        snprintf(want, sizeof(want), "%zu %zu", i + 1, m.len);
        ck_assert_str_eq(list.v[i], want);
        snprintf(want, sizeof(want), "%zu %s", i + 1, m.uidl);
        ck_assert_str_eq(uidl.v[i], want);
        free(m.data);
    }
    struct msg m3 = get_msg(c->mb, 2);
    snprintf(want, sizeof(want), "+OK 3 %zu", m3.len);
    expect_reply(cmd(c, "LIST 3"), want);
    snprintf(want, sizeof(want), "+OK 3 %s", m3.uidl);
    expect_reply(cmd(c, "UIDL 3"), want);
    free(m3.data);
    lines_free(&list);
    lines_free(&uidl);
    conn_close(&c);
}
END_TEST

/* Bad message-number arguments, each answered with one -ERR line. */
static const char *const bad_numbers[] = {
    "LIST 0", "LIST 9999", "LIST -1",  "LIST 1x", "LIST +1", "LIST 99999999999999999999",
    "UIDL 0", "RETR 0",    "DELE 0",   "TOP 0 1", "TOP 1 x", "TOP 1 -1",
    "TOP 1",  "RETR",      "LIST 1 2",
};

START_TEST(test_bad_arguments)
{
    struct conn *c = open_logged_in();
    expect_prefix(cmd(c, bad_numbers[_i]), "-ERR ");
    /* the session goes on */
    expect_reply(cmd(c, "NOOP"), "+OK");
    conn_close(&c);
}
END_TEST

/* ---- TOP and RETR ---- */

/* The header section of a CRLF message, with its terminating empty line. */
static size_t header_len(const char *data, size_t len)
{
    const char *end = memmem(data, len, "\r\n\r\n", 4);
    ck_assert_ptr_nonnull(end);
    return (size_t)(end - data) + 4;
}

START_TEST(test_top_zero_lines)
{
    struct conn *c = open_logged_in();
    size_t n = demo_mailbox_count(c->mb);
    for (size_t i = 0; i < n; i++) {
        struct msg m = get_msg(c->mb, i);
        expect_reply(cmdf(c, "TOP %zu 0", i + 1), "+OK top of message follows");
        struct lines l = read_multi(c);
        ck_assert_msg(l.n > 0 && l.v[l.n - 1][0] == '\0', "TOP %zu 0 lacks the empty line", i + 1);
        size_t len;
        char *got = unstuff(&l, &len);
        ck_assert_uint_eq(len, header_len(m.data, m.len));
        ck_assert(memcmp(got, m.data, len) == 0);
        free(got);
        lines_free(&l);
        free(m.data);
    }
    conn_close(&c);
}
END_TEST

START_TEST(test_top_some_lines)
{
    struct conn *c = open_logged_in();
    struct msg m = get_msg(c->mb, 0);
    size_t h = header_len(m.data, m.len);
    expect_reply(cmd(c, "TOP 1 3"), "+OK top of message follows");
    struct lines l = read_multi(c);
    size_t len;
    char *got = unstuff(&l, &len);
    /* headers, the empty line, then exactly three body lines */
    const char *p = m.data + h;
    for (int k = 0; k < 3; k++)
        p = strstr(p, "\r\n") + 2;
    ck_assert_uint_eq(len, (size_t)(p - m.data));
    ck_assert(memcmp(got, m.data, len) == 0);
    free(got);
    lines_free(&l);
    /* More lines than the body has: the whole message. */
    expect_reply(cmd(c, "TOP 1 100000"), "+OK top of message follows");
    l = read_multi(c);
    got = unstuff(&l, &len);
    ck_assert_uint_eq(len, m.len);
    free(got);
    lines_free(&l);
    free(m.data);
    conn_close(&c);
}
END_TEST

START_TEST(test_retr_dot_stuffed)
{
    struct conn *c = open_logged_in();
    long idx = demo_mailbox_find_uidl(c->mb, "22-dot-lines");
    ck_assert_int_ge(idx, 0);
    struct msg m = get_msg(c->mb, (size_t)idx);
    char want[64];
    snprintf(want, sizeof(want), "+OK %zu octets", m.len);
    expect_reply(cmdf(c, "RETR %ld", idx + 1), want);
    struct lines l = read_multi(c);
    /* The message's own "." and ".." lines arrive as ".." and "...". */
    ck_assert(lines_have(&l, ".."));
    ck_assert(lines_have(&l, "..."));
    ck_assert(lines_have(&l, "..hidden"));
    ck_assert(!lines_have(&l, ".hidden"));
    ck_assert_str_eq(l.v[l.n - 1], "..");
    size_t len;
    char *got = unstuff(&l, &len);
    ck_assert_uint_eq(len, m.len);
    ck_assert(memcmp(got, m.data, len) == 0);
    free(got);
    lines_free(&l);
    free(m.data);
    conn_close(&c);
}
END_TEST

START_TEST(test_retr_every_message)
{
    struct conn *c = open_logged_in();
    size_t n = demo_mailbox_count(c->mb);
    for (size_t i = 0; i < n; i++) {
        struct msg m = get_msg(c->mb, i);
        char want[64];
        snprintf(want, sizeof(want), "+OK %zu octets", m.len);
        expect_reply(cmdf(c, "RETR %zu", i + 1), want);
        struct lines l = read_multi(c);
        size_t len;
        char *got = unstuff(&l, &len);
        ck_assert_uint_eq(len, m.len);
        ck_assert_msg(memcmp(got, m.data, len) == 0, "RETR %zu differs", i + 1);
        free(got);
        lines_free(&l);
        free(m.data);
    }
    conn_close(&c);
}
END_TEST

/* ---- DELE, RSET, QUIT (RFC 1939 §5, §6) ---- */

START_TEST(test_dele_rset)
{
    struct conn *c = open_logged_in();
    size_t n = demo_mailbox_count(c->mb);
    uint64_t size = demo_mailbox_size(c->mb);
    struct msg m2 = get_msg(c->mb, 1);
    char want[128];

    expect_reply(cmd(c, "DELE 2"), "+OK message 2 deleted");
    snprintf(want, sizeof(want), "+OK %zu %llu", n - 1, (unsigned long long)(size - m2.len));
    expect_reply(cmd(c, "STAT"), want);
    expect_reply(cmd(c, "DELE 2"), "-ERR message 2 already deleted");
    expect_reply(cmd(c, "RETR 2"), "-ERR message 2 already deleted");
    expect_reply(cmd(c, "TOP 2 0"), "-ERR message 2 already deleted");
    expect_reply(cmd(c, "LIST 2"), "-ERR message 2 already deleted");
    /* numbers do not shift: message 3 is still 3 */
    struct msg m3 = get_msg(c->mb, 2);
    snprintf(want, sizeof(want), "+OK 3 %s", m3.uidl);
    expect_reply(cmd(c, "UIDL 3"), want);
    expect_prefix(cmd(c, "LIST"), "+OK");
    struct lines l = read_multi(c);
    ck_assert_uint_eq(l.n, n - 1);
    ck_assert(starts_with(l.v[1], "3 "));
    lines_free(&l);

    snprintf(want, sizeof(want), "+OK maildrop has %zu messages (%llu octets)", n,
             (unsigned long long)size);
    expect_reply(cmd(c, "RSET"), want);
    snprintf(want, sizeof(want), "+OK %zu %llu", n, (unsigned long long)size);
    expect_reply(cmd(c, "STAT"), want);
    /* RSET touched only the marks: the mailbox never lost anything */
    ck_assert_uint_eq(demo_mailbox_count(c->mb), n);
    free(m2.data);
    free(m3.data);
    conn_close(&c);
}
END_TEST

START_TEST(test_quit_applies_deletions)
{
    struct demo_mailbox *mb = sample_mailbox();
    size_t n = demo_mailbox_count(mb);
    struct conn *c = conn_open(mb, NULL);
    login(c);
    expect_prefix(cmd(c, "DELE 1"), "+OK");
    expect_prefix(cmd(c, "DELE 3"), "+OK");
    ck_assert_uint_eq(demo_mailbox_count(mb), n); /* nothing until QUIT */
    char want[96];
    snprintf(want, sizeof(want), "+OK popview demo server signing off (%zu messages left)", n - 2);
    expect_reply(cmd(c, "QUIT"), want);
    /* the server closes the connection after QUIT */
    ck_assert(!receive(c));
    ck_assert_uint_eq(demo_mailbox_count(mb), n - 2);
    ck_assert_int_eq(demo_mailbox_find_uidl(mb, "01-welcome"), -1);
    ck_assert_int_eq(demo_mailbox_find_uidl(mb, "03-pop3-uidl"), -1);
    ck_assert_int_eq(demo_mailbox_find_uidl(mb, "02-pop3-dele"), 0);
    ck_assert(!demo_mailbox_is_locked(mb));
    conn_close(&c);

    /* a reconnect in the same process sees them gone, renumbered */
    c = conn_open(mb, NULL);
    login(c);
    snprintf(want, sizeof(want), "+OK 1 02-pop3-dele");
    expect_reply(cmd(c, "UIDL 1"), want);
    snprintf(want, sizeof(want), "+OK %zu %llu", n - 2, (unsigned long long)demo_mailbox_size(mb));
    expect_reply(cmd(c, "STAT"), want);
    conn_close(&c);
    demo_mailbox_free(&mb);
}
END_TEST

START_TEST(test_broken_connection_deletes_nothing)
{
    struct demo_mailbox *mb = sample_mailbox();
    size_t n = demo_mailbox_count(mb);
    struct conn *c = conn_open(mb, NULL);
    login(c);
    expect_prefix(cmd(c, "DELE 1"), "+OK");
    close(c->fd); /* no QUIT: no UPDATE state */
    c->fd = -1;
    for (int i = 0; i < 2000 && !demo_server_finished(c->srv); i++)
        usleep(1000);
    ck_assert(demo_server_finished(c->srv));
    conn_close(&c);
    ck_assert_uint_eq(demo_mailbox_count(mb), n);
    ck_assert(!demo_mailbox_is_locked(mb));
    demo_mailbox_free(&mb);
}
END_TEST

START_TEST(test_quit_before_login)
{
    struct conn *c = conn_open(NULL, NULL);
    expect_reply(cmd(c, "quit"), "+OK popview demo server signing off");
    ck_assert(!receive(c));
    for (int i = 0; i < 2000 && !demo_server_finished(c->srv); i++)
        usleep(1000);
    ck_assert(demo_server_finished(c->srv));
    conn_close(&c);
}
END_TEST

START_TEST(test_in_use)
{
    struct demo_mailbox *mb = sample_mailbox();
    struct conn *a = conn_open(mb, NULL);
    struct conn *b = conn_open(mb, NULL);
    login(a);
    expect_prefix(cmd(b, "USER demo"), "+OK");
    expect_prefix(cmd(b, "PASS demo"), "-ERR [IN-USE] ");
    expect_prefix(cmd(a, "QUIT"), "+OK");
    expect_prefix(cmd(b, "USER demo"), "+OK");
    expect_prefix(cmd(b, "PASS demo"), "+OK");
    conn_close(&a);
    conn_close(&b);
    demo_mailbox_free(&mb);
}
END_TEST

/* ---- pipelining (RFC 2449 §6.6) ---- */

START_TEST(test_pipelined_burst)
{
    struct conn *c = open_logged_in();
    size_t n = demo_mailbox_count(c->mb);
    struct pv_buf burst;
    pv_buf_init(&burst, 0);
    enum { COMMANDS = 50 };
    for (int i = 0; i < COMMANDS; i++) {
        size_t k = (size_t)i % (n + 2) + 1; /* includes numbers past the end */
        switch (i % 5) {
        case 0:
            ck_assert(pv_buf_printf(&burst, "LIST %zu\r\n", k));
            break;
        case 1:
            ck_assert(pv_buf_printf(&burst, "UIDL %zu\r\n", k));
            break;
        case 2:
            ck_assert(pv_buf_printf(&burst, "TOP %zu 0\r\n", k <= n ? k : 1));
            break;
        case 3:
            ck_assert(pv_buf_printf(&burst, "NOOP\r\n"));
            break;
        default:
            ck_assert(pv_buf_printf(&burst, "STAT\r\n"));
            break;
        }
    }
    send_raw(c, burst.data, burst.len); /* one write */
    pv_buf_free(&burst);

    for (int i = 0; i < COMMANDS; i++) {
        size_t k = (size_t)i % (n + 2) + 1;
        char want[128];
        char *reply = read_line(c);
        if (i % 5 == 0 || i % 5 == 1) {
            if (k > n) {
                ck_assert_msg(starts_with(reply, "-ERR no such message"), "%d: %s", i, reply);
            } else {
                struct msg m = get_msg(c->mb, k - 1);
                if (i % 5 == 0)
                    snprintf(want, sizeof(want), "+OK %zu %zu", k, m.len);
                else
                    snprintf(want, sizeof(want), "+OK %zu %s", k, m.uidl);
                ck_assert_str_eq(reply, want);
                free(m.data);
            }
        } else if (i % 5 == 2) {
            ck_assert_str_eq(reply, "+OK top of message follows");
            struct lines l = read_multi(c);
            struct msg m = get_msg(c->mb, (k <= n ? k : 1) - 1);
            size_t len;
            char *got = unstuff(&l, &len);
            ck_assert_uint_eq(len, header_len(m.data, m.len));
            free(got);
            free(m.data);
            lines_free(&l);
        } else if (i % 5 == 3) {
            ck_assert_str_eq(reply, "+OK");
        } else {
            snprintf(want, sizeof(want), "+OK %zu %llu", n,
                     (unsigned long long)demo_mailbox_size(c->mb));
            ck_assert_str_eq(reply, want);
        }
        free(reply);
    }
    conn_close(&c);
}
END_TEST

START_TEST(test_pipelined_login_byte_by_byte)
{
    /* however the bytes are split, the same replies come in the same order */
    struct conn *c = conn_open(NULL, NULL);
    const char *script = "USER demo\r\nPASS demo\nNOOP\r\nQUIT\r\n";
    for (const char *p = script; *p; p++)
        send_raw(c, p, 1);
    expect_prefix(read_line(c), "+OK send PASS");
    expect_prefix(read_line(c), "+OK demo's maildrop");
    expect_reply(read_line(c), "+OK");
    expect_prefix(read_line(c), "+OK popview demo server signing off");
    conn_close(&c);
}
END_TEST

/* ---- line length (RFC 2449 §4) and wrong states ---- */

START_TEST(test_overlong_line)
{
    struct conn *c = conn_open(NULL, NULL);
    char line[400];
    memset(line, 'A', sizeof(line) - 1);
    line[sizeof(line) - 1] = '\0';
    memcpy(line, "USER ", 5);
    expect_prefix(cmd(c, line), "-ERR command line longer than 255 octets");
    /* exactly 255 octets with CRLF is allowed: "NOOP" padded is an unknown
       argument count, but it is parsed, not refused for length */
    char ok[254];
    memset(ok, 'x', sizeof(ok) - 1);
    ok[sizeof(ok) - 1] = '\0';
    memcpy(ok, "USER ", 5);
    ck_assert_uint_eq(strlen(ok) + 2, 255);
    expect_reply(cmd(c, ok), "+OK send PASS");
    /* 256 octets is too long */
    char bad[255];
    memset(bad, 'x', sizeof(bad) - 1);
    bad[sizeof(bad) - 1] = '\0';
    memcpy(bad, "USER ", 5);
    expect_prefix(cmd(c, bad), "-ERR command line longer");
    /* a long line arriving without its LF is refused at once, the rest dropped */
    send_raw(c, line, strlen(line));
    expect_prefix(read_line(c), "-ERR command line longer");
    send_raw(c, line, strlen(line));
    send_raw(c, "\r\nUSER demo\r\n", 13);
    expect_reply(read_line(c), "+OK send PASS");
    expect_prefix(cmd(c, "PASS demo"), "+OK");
    conn_close(&c);
}
END_TEST

static const struct {
    bool logged_in;
    const char *command;
    const char *reply;
} wrong_state[] = {
    {false, "STAT", "-ERR STAT is only valid after logging in"},
    {false, "LIST", "-ERR LIST is only valid after logging in"},
    {false, "RETR 1", "-ERR RETR is only valid after logging in"},
    {false, "DELE 1", "-ERR DELE is only valid after logging in"},
    {false, "NOOP", "-ERR NOOP is only valid after logging in"},
    {false, "RSET", "-ERR RSET is only valid after logging in"},
    {false, "TOP 1 0", "-ERR TOP is only valid after logging in"},
    {false, "UIDL", "-ERR UIDL is only valid after logging in"},
    {true, "USER demo", "-ERR USER is only valid before logging in"},
    {true, "PASS demo", "-ERR PASS is only valid before logging in"},
    {true, "APOP demo 0123456789abcdef0123456789abcdef",
     "-ERR APOP is only valid before logging in"},
    {true, "AUTH PLAIN", "-ERR AUTH is only valid before logging in"},
    {false, "STLS", "-ERR unknown command"},
    {true, "XYZZY", "-ERR unknown command"},
    {true, "", "-ERR empty command line"},
    {true, "   ", "-ERR empty command line"},
    {true, "NOOP extra", "-ERR NOOP takes at most 0 arguments"},
    {true, "LIST 1 2 3 4 5 6 7 8 9", "-ERR too many arguments"},
};

START_TEST(test_wrong_state)
{
    struct conn *c = conn_open(NULL, NULL);
    if (wrong_state[_i].logged_in)
        login(c);
    expect_reply(cmd(c, wrong_state[_i].command), wrong_state[_i].reply);
    conn_close(&c);
}
END_TEST

START_TEST(test_nul_in_command)
{
    struct conn *c = conn_open(NULL, NULL);
    send_raw(c, "USER de\0mo\r\n", 12);
    expect_prefix(read_line(c), "-ERR a command line may not contain NUL");
    conn_close(&c);
}
END_TEST

/* ---- options: reply delay ---- */

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

START_TEST(test_reply_delay)
{
    struct demo_server_options o;
    demo_server_options_init(&o);
    ck_assert_uint_eq(o.reply_delay_ms, 0);
    o.reply_delay_ms = 150;
    struct conn *c = conn_open(NULL, &o);
    double t0 = now_ms();
    expect_prefix(cmd(c, "CAPA"), "+OK");
    struct lines l = read_multi(c);
    lines_free(&l);
    ck_assert_double_ge(now_ms() - t0, 140.0);
    conn_close(&c);
}
END_TEST

START_TEST(test_options_init)
{
    struct demo_server_options o;
    memset(&o, 0xff, sizeof(o));
    demo_server_options_init(&o);
    ck_assert_ptr_null(o.user);
    ck_assert_ptr_null(o.password);
    ck_assert_ptr_null(o.hostname);
    ck_assert(o.capa && o.pipelining && o.top && o.uidl && o.user_login && o.apop);
    ck_assert(o.sasl_plain && o.sasl_login && o.resp_codes);
    ck_assert_uint_eq(o.reply_delay_ms, 0);
}
END_TEST

/* ---- demo_server_free ---- */

START_TEST(test_free_null)
{
    demo_server_free(NULL);
    struct demo_server *s = NULL;
    demo_server_free(&s);
    ck_assert_ptr_null(s);
    ck_assert(!demo_server_finished(NULL));
}
END_TEST

START_TEST(test_free_while_sending_large_reply)
{
    /* The client asks for the 1.5 MB message and never reads: free must still
       stop the thread (blocked in a write) and join it. */
    struct demo_mailbox *mb = sample_mailbox();
    struct conn *c = conn_open(mb, NULL);
    login(c);
    long idx = demo_mailbox_find_uidl(mb, "15-weather-log-large");
    ck_assert_int_ge(idx, 0);
    char line[32];
    snprintf(line, sizeof(line), "RETR %ld", idx + 1);
    send_line(c, line);
    usleep(50000);
    ck_assert(!demo_server_finished(c->srv));
    demo_server_free(&c->srv);
    ck_assert(!demo_mailbox_is_locked(mb)); /* the session was ended, lock released */
    conn_close(&c);
    demo_mailbox_free(&mb);
}
END_TEST

START_TEST(test_free_after_client_closed)
{
    struct conn *c = open_logged_in();
    close(c->fd);
    c->fd = -1;
    conn_close(&c); /* joins without hanging */
    ck_assert_ptr_null(c);
}
END_TEST

/* ---- demo_serve_fd ---- */

struct serve_args {
    struct demo_mailbox *mb;
    int fd;
    int stop_fd;
    enum demo_status result;
};

static void *serve_thread(void *arg)
{
    struct serve_args *a = arg;
    a->result = demo_serve_fd(a->mb, NULL, a->fd, a->stop_fd, NULL);
    return NULL;
}

START_TEST(test_serve_fd)
{
    struct pv_error err;
    pv_error_clear(&err);
    ck_assert_int_eq(demo_serve_fd(NULL, NULL, 0, -1, &err), DEMO_ERR_ARG);
    struct demo_mailbox *mb = sample_mailbox();
    ck_assert_int_eq(demo_serve_fd(mb, NULL, -1, -1, &err), DEMO_ERR_ARG);

    int sv[2], stop[2];
    ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    ck_assert_int_eq(pipe(stop), 0);
    struct serve_args a = {.mb = mb, .fd = sv[0], .stop_fd = stop[0], .result = DEMO_ERR_ARG};
    pthread_t t;
    ck_assert_int_eq(pthread_create(&t, NULL, serve_thread, &a), 0);
    struct conn c = {.mb = mb, .fd = sv[1]};
    pv_buf_init(&c.in, 0);
    expect_prefix(read_line(&c), "+OK popview demo POP3 server ready");
    login(&c);
    ck_assert(demo_mailbox_is_locked(mb));
    /* the stop pipe ends the session at once, without UPDATE */
    ck_assert_int_eq(write(stop[1], "x", 1), 1);
    pthread_join(t, NULL);
    ck_assert_int_eq(a.result, DEMO_OK);
    ck_assert(!demo_mailbox_is_locked(mb));
    close(sv[0]);
    close(sv[1]);
    close(stop[0]);
    close(stop[1]);
    pv_buf_free(&c.in);
    demo_mailbox_free(&mb);
}
END_TEST

static TCase *tcase(Suite *s, const char *name)
{
    TCase *tc = tcase_create(name);
    tcase_set_timeout(tc, 120);
    suite_add_tcase(s, tc);
    return tc;
}

static Suite *server_suite(void)
{
    Suite *s = suite_create("demo_server");
    TCase *tc = tcase(s, "demo_server_start");
    tcase_add_test(tc, test_start_null);
    tcase_add_test(tc, test_greeting_timestamp);
    tcase_add_test(tc, test_greeting_without_apop);
    tcase_add_test(tc, test_capa_before_and_after_login);
    tcase_add_loop_test(tc, test_capa_switches, 0, (int)PV_ARRAY_LEN(switches));
    tcase_add_test(tc, test_capa_off);
    tcase_add_loop_test(tc, test_user_pass_wrong, 0, (int)PV_ARRAY_LEN(bad_logins));
    tcase_add_test(tc, test_user_pass_ok);
    tcase_add_test(tc, test_custom_credentials);
    tcase_add_test(tc, test_pass_without_user);
    tcase_add_test(tc, test_apop);
    tcase_add_test(tc, test_apop_digest_of_other_connection);
    tcase_add_test(tc, test_auth_plain_initial_response);
    tcase_add_test(tc, test_auth_plain_continuation);
    tcase_add_loop_test(tc, test_auth_plain_failures, 0, (int)PV_ARRAY_LEN(plain_failures));
    tcase_add_test(tc, test_auth_other);
    tcase_add_test(tc, test_stat);
    tcase_add_test(tc, test_list_and_uidl);
    tcase_add_loop_test(tc, test_bad_arguments, 0, (int)PV_ARRAY_LEN(bad_numbers));
    tcase_add_test(tc, test_top_zero_lines);
    tcase_add_test(tc, test_top_some_lines);
    tcase_add_test(tc, test_retr_dot_stuffed);
    tcase_add_test(tc, test_retr_every_message);
    tcase_add_test(tc, test_dele_rset);
    tcase_add_test(tc, test_quit_applies_deletions);
    tcase_add_test(tc, test_broken_connection_deletes_nothing);
    tcase_add_test(tc, test_quit_before_login);
    tcase_add_test(tc, test_in_use);
    tcase_add_test(tc, test_pipelined_burst);
    tcase_add_test(tc, test_pipelined_login_byte_by_byte);
    tcase_add_test(tc, test_overlong_line);
    tcase_add_loop_test(tc, test_wrong_state, 0, (int)PV_ARRAY_LEN(wrong_state));
    tcase_add_test(tc, test_nul_in_command);
    tcase_add_test(tc, test_reply_delay);

    tc = tcase(s, "demo_server_options_init");
    tcase_add_test(tc, test_options_init);

    tc = tcase(s, "demo_server_free");
    tcase_add_test(tc, test_free_null);
    tcase_add_test(tc, test_free_while_sending_large_reply);
    tcase_add_test(tc, test_free_after_client_closed);

    tc = tcase(s, "demo_serve_fd");
    tcase_add_test(tc, test_serve_fd);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(server_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
