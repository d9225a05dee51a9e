/*
 * Tests for the session state machine (src/pop3/session.c, auth.c, scan.c,
 * engine.c) against the scripted server in fake_server.c: each test is a
 * dialogue — what the server says, what the client must send — and checks
 * the client's lines, its results and its transcript.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <popview/util.h>

#include <popview/net.h>

#include <popview/pop3.h>

#include "fake_server.h"

#define GREETING "+OK Fake POP3 ready.\r\n"
#define CAPA_USER "+OK\r\nCAPA\r\nTOP\r\nUIDL\r\nRESP-CODES\r\nUSER\r\n.\r\n"
#define CAPA_PIPE "+OK\r\nCAPA\r\nTOP\r\nUIDL\r\nRESP-CODES\r\nPIPELINING\r\nUSER\r\n.\r\n"
#define LOGIN_STEPS                                                                                \
    {"USER alice", "+OK\r\n", 0},                                                                  \
    {                                                                                              \
        "PASS secret", "+OK Logged in.\r\n", 0                                                     \
    }

struct harness {
    struct fake_server *fs;
    struct pop3_session *s;
    struct pv_buf trace;
    struct pv_error err;
    enum pop3_status st;
};

static void collect_trace(void *ctx, const struct pop3_trace *t)
{
    struct pv_buf *b = ctx;
    static const char *const tag[] = {"C", "S", "S+", "D", "E", "*"};
    bool ok = pv_buf_printf(b, "%s: %.*s\n", tag[t->kind], (int)t->len, t->text);
    (void)ok;
}

static void harness_open(struct harness *h, const struct fake_step *steps, size_t n,
                         enum pop3_tls_mode tls)
{
    memset(h, 0, sizeof *h);
    pv_buf_init(&h->trace, 0);
    pv_error_clear(&h->err);
    int fd;
    h->fs = fake_server_start(steps, n, &fd);
    struct pop3_config cfg = {.host = "fake.test",
                              .port = "110",
                              .tls = tls,
                              .timeout_ms = 3000,
                              .trace = collect_trace,
                              .trace_ctx = &h->trace};
    h->st = pop3_session_open_stream(&cfg, net_stream_from_fd(fd, 3000), &h->s, &h->err);
}

static void harness_login(struct harness *h, enum pop3_auth_mech mech)
{
    ck_assert_msg(h->st == POP3_OK, "open failed: %s", h->err.msg);
    struct pop3_credentials cred = {.user = "alice", .secret = "secret", .mech = mech};
    h->st = pop3_session_login(h->s, &cred, &h->err);
}

/* Closes the client, waits for the server, checks the script was followed. */
static void harness_close(struct harness *h)
{
    pop3_session_free(&h->s);
    fake_server_finish(&h->fs);
    pv_buf_free(&h->trace);
}

static void harness_close_checked(struct harness *h)
{
    pop3_session_free(&h->s);
    const char *problem = fake_server_problem(h->fs);
    char copy[512];
    snprintf(copy, sizeof copy, "%s", problem);
    fake_server_finish(&h->fs);
    pv_buf_free(&h->trace);
    ck_assert_msg(copy[0] == '\0', "script: %s", copy);
}

#define OPEN(h, steps, tls) harness_open(&(h), steps, PV_ARRAY_LEN(steps), tls)

START_TEST(login_user_pass_and_mask_in_transcript)
{
    static const struct fake_step steps[] = {
        {NULL, GREETING, 0},    {"CAPA", CAPA_USER, 0},      LOGIN_STEPS,
        {"CAPA", CAPA_USER, 0}, {"QUIT", "+OK Bye.\r\n", 0},
    };
    struct harness h;
    OPEN(h, steps, POP3_TLS_NONE);
    harness_login(&h, POP3_AUTH_AUTO);
    ck_assert_msg(h.st == POP3_OK, "%s", h.err.msg);
    ck_assert_int_eq(pop3_session_state(h.s), POP3_STATE_TRANSACTION);
    ck_assert_int_eq(pop3_session_auth_mech(h.s), POP3_AUTH_USER);
    ck_assert_ptr_nonnull(strstr(h.trace.data, "C: PASS ****\n"));
    ck_assert_ptr_null(strstr(h.trace.data, "secret"));
    ck_assert_ptr_nonnull(strstr(h.trace.data, "AUTHORIZATION -> TRANSACTION"));
    char *bye = NULL;
    ck_assert_int_eq(pop3_session_quit(h.s, &bye, &h.err), POP3_OK);
    ck_assert_str_eq(bye, "Bye.");
    free(bye);
    ck_assert_int_eq(pop3_session_state(h.s), POP3_STATE_DISCONNECTED);
    harness_close_checked(&h);
}
END_TEST

START_TEST(commands_refused_in_wrong_state_are_not_sent)
{
    static const struct fake_step steps[] = {
        {NULL, GREETING, 0},
        {"CAPA", CAPA_USER, 0},
    };
    struct harness h;
    OPEN(h, steps, POP3_TLS_NONE);
    ck_assert_int_eq(h.st, POP3_OK);
    unsigned count;
    uint64_t octets;
    ck_assert_int_eq(pop3_session_stat(h.s, &count, &octets, &h.err), POP3_ERR_STATE);
    ck_assert_ptr_nonnull(strstr(h.err.msg, "AUTHORIZATION"));
    ck_assert_int_eq(pop3_session_dele(h.s, 1, &h.err), POP3_ERR_STATE);
    pop3_session_free(&h.s);
    fake_server_finish(&h.fs);
    pv_buf_free(&h.trace);
}
END_TEST

START_TEST(wrong_password_is_auth_error)
{
    static const struct fake_step steps[] = {
        {NULL, GREETING, 0},
        {"CAPA", CAPA_USER, 0},
        {"USER alice", "+OK\r\n", 0},
        {"PASS secret", "-ERR [AUTH] Authentication failed.\r\n", 0},
    };
    struct harness h;
    OPEN(h, steps, POP3_TLS_NONE);
    harness_login(&h, POP3_AUTH_AUTO);
    ck_assert_int_eq(h.st, POP3_ERR_AUTH);
    ck_assert_ptr_nonnull(strstr(h.err.msg, "alice"));
    ck_assert_ptr_nonnull(strstr(h.err.msg, "user name or password"));
    ck_assert_str_eq(h.err.server, "[AUTH] Authentication failed.");
    ck_assert_int_eq(pop3_session_state(h.s), POP3_STATE_AUTHORIZATION);
    harness_close_checked(&h);
}
END_TEST

START_TEST(in_use_is_explained_not_called_a_bad_password)
{
    static const struct fake_step steps[] = {
        {NULL, GREETING, 0},
        {"CAPA", CAPA_USER, 0},
        {"USER alice", "+OK\r\n", 0},
        {"PASS secret", "-ERR [IN-USE] Mailbox locked.\r\n", 0},
    };
    struct harness h;
    OPEN(h, steps, POP3_TLS_NONE);
    harness_login(&h, POP3_AUTH_AUTO);
    ck_assert_int_eq(h.st, POP3_ERR_SERVER);
    ck_assert_ptr_nonnull(strstr(h.err.msg, "another client"));
    harness_close_checked(&h);
}
END_TEST

START_TEST(greeting_err_gives_advice)
{
    static const struct fake_step steps[] = {
        {NULL, "-ERR [SYS/TEMP] Too many connections\r\n", 0},
    };
    struct harness h;
    OPEN(h, steps, POP3_TLS_NONE);
    ck_assert_int_eq(h.st, POP3_ERR_SERVER);
    ck_assert_ptr_nonnull(strstr(h.err.msg, "temporary"));
    ck_assert_ptr_null(h.s);
    harness_close(&h);
}
END_TEST

START_TEST(stls_not_offered_stops_before_credentials)
{
    static const struct fake_step steps[] = {
        {NULL, GREETING, 0},
        {"CAPA", CAPA_USER, 0},
    };
    struct harness h;
    OPEN(h, steps, POP3_TLS_STLS);
    ck_assert_int_eq(h.st, POP3_ERR_UNSUPPORTED);
    ck_assert_ptr_nonnull(strstr(h.err.msg, "STLS"));
    ck_assert_ptr_nonnull(strstr(h.err.msg, "--no-tls"));
    fake_server_finish(&h.fs);
    ck_assert_ptr_null(strstr(h.trace.data, "C: USER"));
    ck_assert_ptr_null(strstr(h.trace.data, "C: PASS"));
    pv_buf_free(&h.trace);
}
END_TEST

START_TEST(stls_refused_stops_before_credentials)
{
    static const struct fake_step steps[] = {
        {NULL, GREETING, 0},
        {"CAPA", "+OK\r\nSTLS\r\nUSER\r\n.\r\n", 0},
        {"STLS", "-ERR TLS not available now\r\n", 0},
    };
    struct harness h;
    OPEN(h, steps, POP3_TLS_STLS);
    ck_assert_int_eq(h.st, POP3_ERR_UNSUPPORTED);
    ck_assert_ptr_nonnull(strstr(h.err.msg, "refused STLS"));
    fake_server_finish(&h.fs);
    pv_buf_free(&h.trace);
}
END_TEST

START_TEST(bytes_injected_after_stls_ok_abort)
{
    static const struct fake_step steps[] = {
        {NULL, GREETING, 0},
        {"CAPA", "+OK\r\nSTLS\r\nUSER\r\n.\r\n", 0},
        {"STLS", "+OK Begin TLS\r\n+OK injected\r\n", 0},
    };
    struct harness h;
    OPEN(h, steps, POP3_TLS_STLS);
    ck_assert_int_eq(h.st, POP3_ERR_PROTOCOL);
    ck_assert_msg(strstr(h.err.msg, "injection") != NULL, "%s", h.err.msg);
    fake_server_finish(&h.fs);
    pv_buf_free(&h.trace);
}
END_TEST

START_TEST(auth_plain_initial_response)
{
    /* base64("\0alice\0secret") */
    static const struct fake_step steps[] = {
        {NULL, GREETING, 0},
        {"CAPA", "+OK\r\nSASL PLAIN LOGIN\r\nUSER\r\n.\r\n", 0},
        {"AUTH PLAIN AGFsaWNlAHNlY3JldA==", "+OK Logged in.\r\n", 0},
        {"CAPA", "+OK\r\nTOP\r\n.\r\n", 0},
    };
    struct harness h;
    OPEN(h, steps, POP3_TLS_NONE);
    harness_login(&h, POP3_AUTH_AUTO);
    ck_assert_msg(h.st == POP3_OK, "%s", h.err.msg);
    ck_assert_int_eq(pop3_session_auth_mech(h.s), POP3_AUTH_PLAIN);
    ck_assert_ptr_nonnull(strstr(h.trace.data, "C: AUTH PLAIN ****\n"));
    ck_assert_ptr_null(strstr(h.trace.data, "AGFsaWNl"));
    ck_assert_int_eq(pop3_session_supports_top(h.s), POP3_SUPPORT_YES);
    harness_close_checked(&h);
}
END_TEST

START_TEST(auth_login_challenges)
{
    static const struct fake_step steps[] = {
        {NULL, GREETING, 0},
        {"CAPA", "+OK\r\nSASL LOGIN\r\n.\r\n", 0},
        {"AUTH LOGIN", "+ VXNlcm5hbWU6\r\n", 0},
        {"YWxpY2U=", "+ UGFzc3dvcmQ6\r\n", 0},
        {"c2VjcmV0", "+OK Logged in.\r\n", 0},
        {"CAPA", "+OK\r\n.\r\n", 0},
    };
    struct harness h;
    OPEN(h, steps, POP3_TLS_NONE);
    harness_login(&h, POP3_AUTH_LOGIN);
    ck_assert_msg(h.st == POP3_OK, "%s", h.err.msg);
    ck_assert_ptr_null(strstr(h.trace.data, "c2VjcmV0"));
    harness_close_checked(&h);
}
END_TEST

START_TEST(auth_xoauth2_error_is_acknowledged)
{
    /* A token too long for the initial response goes after "+ "; the error
     * challenge that follows is answered with an empty line. */
    static char token[300];
    memset(token, 'T', sizeof token - 1);
    static const struct fake_step steps[] = {
        {NULL, GREETING, 0},
        {"CAPA", "+OK\r\nSASL XOAUTH2\r\n.\r\n", 0},
        {"AUTH XOAUTH2", "+ \r\n", 0},
        {FAKE_ANY, "+ eyJzdGF0dXMiOiI0MDEifQ==\r\n", 0},
        {"", "-ERR [AUTH] Invalid token\r\n", 0},
    };
    struct harness h;
    OPEN(h, steps, POP3_TLS_NONE);
    ck_assert_int_eq(h.st, POP3_OK);
    struct pop3_credentials cred = {.user = "alice", .secret = token, .mech = POP3_AUTH_XOAUTH2};
    h.st = pop3_session_login(h.s, &cred, &h.err);
    ck_assert_int_eq(h.st, POP3_ERR_AUTH);
    /* The decoded JSON error travels with the server's words. */
    ck_assert_ptr_nonnull(strstr(h.err.server, "401"));
    ck_assert_ptr_null(strstr(h.trace.data, "VFRU")); /* base64 of "TTT" */
    harness_close_checked(&h);
}
END_TEST

START_TEST(apop_digest_matches_rfc1939_example)
{
    static const struct fake_step steps[] = {
        {NULL, "+OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>\r\n", 0},
        {"CAPA", "-ERR unknown command\r\n", 0},
        {"APOP mrose c4c9334bac560ecc979e58001b3e22fb", "+OK maildrop has 1 message\r\n", 0},
        {"CAPA", "-ERR unknown command\r\n", 0},
    };
    struct harness h;
    OPEN(h, steps, POP3_TLS_NONE);
    ck_assert_int_eq(h.st, POP3_OK);
    ck_assert_str_eq(pop3_session_apop_timestamp(h.s), "<1896.697170952@dbc.mtview.ca.us>");
    struct pop3_credentials cred = {.user = "mrose", .secret = "tanstaaf"};
    h.st = pop3_session_login(h.s, &cred, &h.err);
    ck_assert_msg(h.st == POP3_OK, "%s", h.err.msg);
    ck_assert_int_eq(pop3_session_auth_mech(h.s), POP3_AUTH_APOP);
    ck_assert_ptr_nonnull(strstr(h.trace.data, "C: APOP mrose ****\n"));
    ck_assert(!pop3_session_capa_known(h.s));
    harness_close_checked(&h);
}
END_TEST

START_TEST(utf8_is_enabled_before_login)
{
    static const struct fake_step steps[] = {
        {NULL, GREETING, 0},
        {"CAPA", "+OK\r\nUSER\r\nUTF8 USER\r\nLANG\r\n.\r\n", 0},
        {"UTF8", "+OK UTF8 enabled\r\n", 0},
        LOGIN_STEPS,
        {"CAPA", "+OK\r\nUSER\r\nLANG\r\n.\r\n", 0},
        {"LANG", "+OK Language listing follows\r\nen English\r\nru Русский\r\n.\r\n", 0},
        {"LANG ru", "+OK ru Язык изменён\r\n", 0},
        {"LANG xx", "-ERR invalid language xx\r\n", 0},
    };
    struct harness h;
    OPEN(h, steps, POP3_TLS_NONE);
    harness_login(&h, POP3_AUTH_AUTO);
    ck_assert_msg(h.st == POP3_OK, "%s", h.err.msg);
    ck_assert(pop3_session_utf8(h.s));
    char **langs = NULL;
    size_t n = 0;
    ck_assert_int_eq(pop3_session_lang_list(h.s, &langs, &n, &h.err), POP3_OK);
    ck_assert_uint_eq(n, 2);
    ck_assert_str_eq(langs[1], "ru Русский");
    for (size_t i = 0; i < n; i++)
        free(langs[i]);
    free(langs);
    ck_assert_int_eq(pop3_session_lang_set(h.s, "ru", &h.err), POP3_OK);
    ck_assert_int_eq(pop3_session_lang_set(h.s, "xx", &h.err), POP3_ERR_SERVER);
    ck_assert_ptr_nonnull(strstr(h.err.server, "invalid language"));
    harness_close_checked(&h);
}
END_TEST

static const struct fake_step scan_steps[] = {
    {NULL, GREETING, 0},
    {"CAPA", CAPA_USER, 0},
    LOGIN_STEPS,
    {"CAPA", CAPA_USER, 0},
    {"STAT", "+OK 3 600\r\n", 0},
    {"LIST", "+OK\r\n1 100\r\n2 200\r\n3 300\r\n.\r\n", 0},
    {"UIDL", "+OK\r\n1 aaa\r\n2 dup\r\n3 dup\r\n.\r\n", 0},
};

START_TEST(scan_lists_and_drops_duplicate_uidls)
{
    struct harness h;
    OPEN(h, scan_steps, POP3_TLS_NONE);
    harness_login(&h, POP3_AUTH_AUTO);
    ck_assert_int_eq(h.st, POP3_OK);
    struct pop3_listing *list = NULL;
    size_t n = 0;
    ck_assert_int_eq(pop3_session_scan(h.s, &list, &n, &h.err), POP3_OK);
    ck_assert_uint_eq(n, 3);
    ck_assert_uint_eq(list[2].msgno, 3);
    ck_assert_uint_eq(list[2].size, 300);
    ck_assert_str_eq(list[0].uid, "aaa");
    ck_assert_ptr_null(list[1].uid);
    ck_assert_ptr_null(list[2].uid);
    pop3_listing_free(&list, n);
    harness_close_checked(&h);
}
END_TEST

START_TEST(scan_list_longer_than_stat_is_protocol_error)
{
    static const struct fake_step steps[] = {
        {NULL, GREETING, 0},
        {"CAPA", CAPA_USER, 0},
        LOGIN_STEPS,
        {"CAPA", CAPA_USER, 0},
        {"STAT", "+OK 1 100\r\n", 0},
        {"LIST", "+OK\r\n1 100\r\n2 200\r\n.\r\n", 0},
        {"UIDL", "+OK\r\n1 a\r\n2 b\r\n.\r\n", 0},
    };
    struct harness h;
    OPEN(h, steps, POP3_TLS_NONE);
    harness_login(&h, POP3_AUTH_AUTO);
    struct pop3_listing *list = NULL;
    size_t n = 0;
    ck_assert_int_eq(pop3_session_scan(h.s, &list, &n, &h.err), POP3_ERR_PROTOCOL);
    ck_assert_ptr_nonnull(strstr(h.err.msg, "STAT"));
    ck_assert_ptr_null(list);
    harness_close_checked(&h);
}
END_TEST

static bool append_sink(void *ctx, const char *data, size_t len, bool line_end)
{
    struct pv_buf *b = ctx;
    bool ok = pv_buf_append(b, data, len) && (!line_end || pv_buf_append_byte(b, '\n'));
    return ok;
}

START_TEST(retr_unstuffs_and_dele_rset)
{
    static const struct fake_step steps[] = {
        {NULL, GREETING, 0},
        {"CAPA", CAPA_USER, 0},
        LOGIN_STEPS,
        {"CAPA", CAPA_USER, 0},
        {"RETR 1", "+OK 20 octets\r\nSubject: x\r\n\r\n..dot\r\n.\r\n", 0},
        {"DELE 1", "+OK marked\r\n", 0},
        {"DELE 1", "-ERR message 1 already deleted\r\n", 0},
        {"RSET", "+OK\r\n", 0},
    };
    struct harness h;
    OPEN(h, steps, POP3_TLS_NONE);
    harness_login(&h, POP3_AUTH_AUTO);
    struct pv_buf msg;
    pv_buf_init(&msg, 0);
    ck_assert_int_eq(pop3_session_retr(h.s, 1, append_sink, &msg, &h.err), POP3_OK);
    ck_assert_str_eq(msg.data, "Subject: x\n\n.dot\n");
    pv_buf_free(&msg);
    ck_assert_int_eq(pop3_session_dele(h.s, 1, &h.err), POP3_OK);
    ck_assert_int_eq(pop3_session_dele(h.s, 1, &h.err), POP3_ERR_SERVER);
    ck_assert_ptr_nonnull(strstr(h.err.msg, "DELE 1"));
    ck_assert_str_eq(h.err.server, "message 1 already deleted");
    ck_assert_int_eq(pop3_session_rset(h.s, &h.err), POP3_OK);
    ck_assert_int_eq(pop3_session_dele(h.s, 0, &h.err), POP3_ERR_ARG);
    harness_close_checked(&h);
}
END_TEST

START_TEST(top_probed_without_capa)
{
    static const struct fake_step steps[] = {
        {NULL, GREETING, 0},
        {"CAPA", "-ERR no\r\n", 0},
        LOGIN_STEPS,
        {"CAPA", "-ERR no\r\n", 0},
        {"TOP 1 0", "-ERR unknown command\r\n", 0},
    };
    struct harness h;
    OPEN(h, steps, POP3_TLS_NONE);
    harness_login(&h, POP3_AUTH_AUTO);
    ck_assert_msg(h.st == POP3_OK, "%s", h.err.msg);
    ck_assert_int_eq(pop3_session_supports_top(h.s), POP3_SUPPORT_UNKNOWN);
    unsigned nums[] = {1, 2};
    struct pop3_batch_handler bh = {0};
    ck_assert_int_eq(pop3_session_top_batch(h.s, nums, 2, 0, &bh, &h.err), POP3_ERR_UNSUPPORTED);
    ck_assert_int_eq(pop3_session_supports_top(h.s), POP3_SUPPORT_NO);
    harness_close_checked(&h);
}
END_TEST

/* A batch of TOP commands: count what the server had received before its
 * first reply.  With PIPELINING all are there; without, only the first. */
enum { BATCH = 20 };

struct batch_seen {
    unsigned begun, done, ok;
    struct pv_buf data;
};

static void seen_begin(void *ctx, unsigned msgno)
{
    struct batch_seen *b = ctx;
    ck_assert_uint_eq(msgno, b->begun + 1);
    b->begun++;
}

static bool seen_data(void *ctx, const char *data, size_t len, bool line_end)
{
    struct batch_seen *b = ctx;
    return append_sink(&b->data, data, len, line_end);
}

static void seen_done(void *ctx, unsigned msgno, bool ok, const char *text)
{
    (void)text;
    struct batch_seen *b = ctx;
    ck_assert_uint_eq(msgno, b->done + 1);
    b->done++;
    b->ok += ok;
}

static void run_batch_test(bool pipelining)
{
    static struct fake_step steps[6 + BATCH];
    static char expects[BATCH][16];
    static char replies[BATCH][64];
    size_t n = 0;
    steps[n++] = (struct fake_step){NULL, GREETING, 0};
    const char *capa = pipelining ? CAPA_PIPE : CAPA_USER;
    steps[n++] = (struct fake_step){"CAPA", capa, 0};
    steps[n++] = (struct fake_step){"USER alice", "+OK\r\n", 0};
    steps[n++] = (struct fake_step){"PASS secret", "+OK\r\n", 0};
    steps[n++] = (struct fake_step){"CAPA", capa, 0};
    for (unsigned i = 0; i < BATCH; i++) {
        snprintf(expects[i], sizeof expects[i], "TOP %u 0", i + 1);
        snprintf(replies[i], sizeof replies[i], "+OK\r\nSubject: m%u\r\n\r\n.\r\n", i + 1);
        steps[n++] = (struct fake_step){expects[i], replies[i], i == 0 ? 300 : 0};
    }
    struct harness h;
    harness_open(&h, steps, n, POP3_TLS_NONE);
    harness_login(&h, POP3_AUTH_AUTO);
    ck_assert_int_eq(h.st, POP3_OK);
    ck_assert(pop3_session_pipelining(h.s) == pipelining);
    unsigned nums[BATCH];
    for (unsigned i = 0; i < BATCH; i++)
        nums[i] = i + 1;
    struct batch_seen seen = {0};
    pv_buf_init(&seen.data, 0);
    struct pop3_batch_handler bh = {
        .begin = seen_begin, .data = seen_data, .done = seen_done, .ctx = &seen};
    ck_assert_int_eq(pop3_session_top_batch(h.s, nums, BATCH, 0, &bh, &h.err), POP3_OK);
    ck_assert_uint_eq(seen.done, BATCH);
    ck_assert_uint_eq(seen.ok, BATCH);
    ck_assert_ptr_nonnull(strstr(seen.data.data, "Subject: m20\n"));
    pv_buf_free(&seen.data);
    int gathered = fake_server_gathered(h.fs);
    if (pipelining)
        ck_assert_int_eq(gathered, BATCH - 1);
    else
        ck_assert_int_eq(gathered, 0);
    harness_close_checked(&h);
}

/* With PIPELINING, the CAPA after login goes out together with the scan's
 * STAT, LIST and UIDL (one round trip); its answer still replaces the
 * capabilities (here: the server offers TOP only after login). */
static void run_capa_after_login(bool pipelining)
{
    const char *before =
        pipelining ? "+OK\r\nUIDL\r\nPIPELINING\r\nUSER\r\n.\r\n" : "+OK\r\nUIDL\r\nUSER\r\n.\r\n";
    const char *after = pipelining ? "+OK\r\nTOP\r\nUIDL\r\nPIPELINING\r\nUSER\r\n.\r\n"
                                   : "+OK\r\nTOP\r\nUIDL\r\nUSER\r\n.\r\n";
    const struct fake_step steps[] = {
        {NULL, GREETING, 0},
        {"CAPA", before, 0},
        {"USER alice", "+OK\r\n", 0},
        {"PASS secret", "+OK\r\n", 0},
        {"CAPA", after, 300},
        {"STAT", "+OK 1 10\r\n", 0},
        {"LIST", "+OK\r\n1 10\r\n.\r\n", 0},
        {"UIDL", "+OK\r\n1 a\r\n.\r\n", 0},
    };
    struct harness h;
    harness_open(&h, steps, PV_ARRAY_LEN(steps), POP3_TLS_NONE);
    harness_login(&h, POP3_AUTH_AUTO);
    ck_assert_msg(h.st == POP3_OK, "%s", h.err.msg);
    struct pop3_listing *list = NULL;
    size_t count = 0;
    ck_assert_int_eq(pop3_session_scan(h.s, &list, &count, &h.err), POP3_OK);
    ck_assert_uint_eq(count, 1);
    ck_assert_str_eq(list[0].uid, "a");
    pop3_listing_free(&list, count);
    ck_assert_int_eq(fake_server_gathered(h.fs), pipelining ? 3 : 0);
    ck_assert(pop3_session_has_capa(h.s, "TOP"));
    ck_assert(pop3_session_capa_known(h.s));
    harness_close_checked(&h);
}

START_TEST(capa_after_login_pipelined_with_scan)
{
    run_capa_after_login(true);
}
END_TEST

START_TEST(capa_after_login_alone_without_pipelining)
{
    run_capa_after_login(false);
}
END_TEST

START_TEST(batch_pipelined_sends_all_at_once)
{
    run_batch_test(true);
}
END_TEST

START_TEST(batch_without_pipelining_waits_for_each)
{
    run_batch_test(false);
}
END_TEST

START_TEST(connection_dropped_mid_reply)
{
    static const struct fake_step steps[] = {
        {NULL, GREETING, 0},
        {"CAPA", CAPA_USER, 0},
        LOGIN_STEPS,
        {"CAPA", CAPA_USER, 0},
        {"RETR 1", "+OK\r\nSubject: half\r\n", 0},
        {NULL, FAKE_CLOSE, 0},
    };
    struct harness h;
    OPEN(h, steps, POP3_TLS_NONE);
    harness_login(&h, POP3_AUTH_AUTO);
    struct pv_buf msg;
    pv_buf_init(&msg, 0);
    ck_assert_int_eq(pop3_session_retr(h.s, 1, append_sink, &msg, &h.err), POP3_ERR_NET);
    /* Regression: this used to say "before it answered". */
    ck_assert_msg(strstr(h.err.msg, "closed the connection in the middle of a reply"), "%s",
                  h.err.msg);
    pv_buf_free(&msg);
    /* Once broken, every later call reports the same and sends nothing. */
    ck_assert_int_eq(pop3_session_noop(h.s, &h.err), POP3_ERR_NET);
    harness_close_checked(&h);
}
END_TEST

/* "+OK\r\n" and header lines of about `octets` bytes, with or without the
 * final ".": a reply that, without it, never ends as far as the client
 * can tell.  A new string. */
static char *endless_reply(size_t octets, bool final_dot)
{
    struct pv_buf b;
    pv_buf_init(&b, 0);
    bool ok = pv_buf_append_str(&b, "+OK\r\n");
    while (ok && b.len < octets)
        ok = pv_buf_append_str(&b, "X-Filler: ffffffffffffffffffffffffffffffffffffffffffffffff"
                                   "ffffffffffffffffffffffffffffffffffffffffffffffffff\r\n");
    ok = ok && (!final_dot || pv_buf_append_str(&b, ".\r\n"));
    ck_assert(ok);
    return pv_buf_steal(&b, NULL);
}

static bool count_sink(void *ctx, const char *data, size_t len, bool line_end)
{
    (void)data;
    *(size_t *)ctx += len + (line_end ? 2 : 0);
    return true;
}

/* Regression (hostile server): a TOP n 0 reply without its final "." used
 * to be read for as long as the server kept sending. */
START_TEST(top_header_reply_without_end_is_capped)
{
    char *endless = endless_reply(17u << 20, false);
    struct fake_step steps[] = {
        {NULL, GREETING, 0},    {"CAPA", CAPA_USER, 0},  LOGIN_STEPS,
        {"CAPA", CAPA_USER, 0}, {"TOP 1 0", endless, 0},
    };
    struct harness h;
    OPEN(h, steps, POP3_TLS_NONE);
    harness_login(&h, POP3_AUTH_AUTO);
    ck_assert_int_eq(h.st, POP3_OK);
    unsigned nums[] = {1, 2};
    size_t got = 0;
    struct pop3_batch_handler bh = {.data = count_sink, .ctx = &got};
    ck_assert_int_eq(pop3_session_top_batch(h.s, nums, 2, 0, &bh, &h.err), POP3_ERR_PROTOCOL);
    ck_assert_msg(strstr(h.err.msg, "TOP reply for message 1 exceeds 16 MiB"), "%s", h.err.msg);
    ck_assert_uint_le(got, (size_t)16 << 20);
    ck_assert_uint_gt(got, (size_t)15 << 20);
    /* The session is over: nothing more is sent. */
    ck_assert_int_eq(pop3_session_noop(h.s, &h.err), POP3_ERR_PROTOCOL);
    harness_close(&h);
    free(endless);
}
END_TEST

START_TEST(capa_reply_without_end_is_capped)
{
    char *endless = endless_reply(2u << 20, false);
    struct fake_step steps[] = {{NULL, GREETING, 0}, {"CAPA", endless, 0}};
    struct harness h;
    OPEN(h, steps, POP3_TLS_NONE);
    ck_assert_int_eq(h.st, POP3_ERR_PROTOCOL);
    ck_assert_msg(strstr(h.err.msg, "CAPA reply exceeds 1 MiB"), "%s", h.err.msg);
    harness_close(&h);
    free(endless);
}
END_TEST

/* The caps are for replies of known small shape: a message may be larger. */
START_TEST(retr_larger_than_any_cap_is_read_whole)
{
    char *big = endless_reply(40u << 20, true);
    size_t want = strlen(big) - strlen("+OK\r\n") - strlen(".\r\n");
    struct fake_step steps[] = {
        {NULL, GREETING, 0},    {"CAPA", CAPA_USER, 0}, LOGIN_STEPS,
        {"CAPA", CAPA_USER, 0}, {"RETR 1", big, 0},     {"QUIT", "+OK\r\n", 0},
    };
    struct harness h;
    OPEN(h, steps, POP3_TLS_NONE);
    harness_login(&h, POP3_AUTH_AUTO);
    size_t got = 0;
    ck_assert_int_eq(pop3_session_retr(h.s, 1, count_sink, &got, &h.err), POP3_OK);
    ck_assert_uint_eq(got, want);
    ck_assert_int_eq(pop3_session_quit(h.s, NULL, &h.err), POP3_OK);
    harness_close_checked(&h);
    free(big);
}
END_TEST

/* Regression (hostile server): after LIST, a RETR reply far longer than the
 * message's size is cut off; one as long as LIST said is read whole. */
START_TEST(retr_far_beyond_its_list_size_is_capped)
{
    char *big = endless_reply(40u << 20, true);
    char *endless = endless_reply(20u << 20, false);
    char list[64];
    snprintf(list, sizeof list, "+OK\r\n1 100\r\n2 %zu\r\n.\r\n", strlen(big));
    struct fake_step steps[] = {
        {NULL, GREETING, 0},
        {"CAPA", CAPA_USER, 0},
        LOGIN_STEPS,
        {"CAPA", CAPA_USER, 0},
        {"STAT", "+OK 2 41943140\r\n", 0},
        {"LIST", list, 0},
        {"UIDL", "+OK\r\n1 a\r\n2 b\r\n.\r\n", 0},
        {"RETR 2", big, 0},
        {"RETR 1", endless, 0},
    };
    struct harness h;
    OPEN(h, steps, POP3_TLS_NONE);
    harness_login(&h, POP3_AUTH_AUTO);
    struct pop3_listing *listing = NULL;
    size_t n = 0;
    ck_assert_int_eq(pop3_session_scan(h.s, &listing, &n, &h.err), POP3_OK);
    pop3_listing_free(&listing, n);
    size_t got = 0;
    ck_assert_int_eq(pop3_session_retr(h.s, 2, count_sink, &got, &h.err), POP3_OK);
    ck_assert_uint_eq(got, strlen(big) - strlen("+OK\r\n") - strlen(".\r\n"));
    /* 2 x 100 octets, rounded up to 1 MiB, + 16 MiB */
    ck_assert_int_eq(pop3_session_retr(h.s, 1, count_sink, &got, &h.err), POP3_ERR_PROTOCOL);
    ck_assert_msg(strstr(h.err.msg, "RETR reply for message 1 exceeds 17 MiB"), "%s", h.err.msg);
    harness_close(&h);
    free(big);
    free(endless);
}
END_TEST

/* Regression (hostile server): a reply that stops half way used to be
 * reported as no answer at all. */
START_TEST(reply_stalled_mid_line_says_so)
{
    static const struct fake_step steps[] = {{NULL, "+OK Fake POP3 rea", 0}};
    struct harness h;
    OPEN(h, steps, POP3_TLS_NONE);
    ck_assert_int_eq(h.st, POP3_ERR_NET);
    ck_assert_msg(strstr(h.err.msg, "stopped in the middle of a reply and sent nothing more within "
                                    "3 s"),
                  "%s", h.err.msg);
    harness_close(&h);
}
END_TEST

START_TEST(silence_is_no_answer)
{
    static const struct fake_step steps[] = {{NULL, GREETING, 0}, {"CAPA", "", 0}};
    struct harness h;
    OPEN(h, steps, POP3_TLS_NONE);
    ck_assert_int_eq(h.st, POP3_ERR_NET);
    ck_assert_msg(strstr(h.err.msg, "did not answer within 3 s"), "%s", h.err.msg);
    harness_close(&h);
}
END_TEST

START_TEST(quit_answer_lost_says_outcome_unknown)
{
    static const struct fake_step steps[] = {
        {NULL, GREETING, 0},    {"CAPA", CAPA_USER, 0},   LOGIN_STEPS,
        {"CAPA", CAPA_USER, 0}, {"DELE 2", "+OK\r\n", 0}, {"QUIT", FAKE_CLOSE, 0},
    };
    struct harness h;
    OPEN(h, steps, POP3_TLS_NONE);
    harness_login(&h, POP3_AUTH_AUTO);
    ck_assert_int_eq(pop3_session_dele(h.s, 2, &h.err), POP3_OK);
    ck_assert_int_eq(pop3_session_quit(h.s, NULL, &h.err), POP3_ERR_NET);
    ck_assert_ptr_nonnull(strstr(h.err.msg, "unknown whether"));
    harness_close_checked(&h);
}
END_TEST

START_TEST(list_and_uidl_for_one_message)
{
    static const struct fake_step steps[] = {
        {NULL, GREETING, 0},
        {"CAPA", CAPA_USER, 0},
        LOGIN_STEPS,
        {"CAPA", CAPA_USER, 0},
        {"LIST 2", "+OK 2 4711\r\n", 0},
        {"UIDL 2", "+OK 2 QhdPYR:00WBw1Ph7x7\r\n", 0},
        {"LIST 3", "+OK 4 100\r\n", 0},
        {"UIDL 9", "-ERR no such message\r\n", 0},
    };
    struct harness h;
    OPEN(h, steps, POP3_TLS_NONE);
    harness_login(&h, POP3_AUTH_AUTO);
    uint64_t size = 0;
    ck_assert_int_eq(pop3_session_list_one(h.s, 2, &size, &h.err), POP3_OK);
    ck_assert_uint_eq(size, 4711);
    char *uid = NULL;
    ck_assert_int_eq(pop3_session_uidl_one(h.s, 2, &uid, &h.err), POP3_OK);
    ck_assert_str_eq(uid, "QhdPYR:00WBw1Ph7x7");
    free(uid);
    /* An answer about another message is not believed. */
    ck_assert_int_eq(pop3_session_list_one(h.s, 3, &size, &h.err), POP3_ERR_PROTOCOL);
    ck_assert_int_eq(pop3_session_uidl_one(h.s, 9, &uid, &h.err), POP3_ERR_SERVER);
    ck_assert_ptr_null(uid);
    ck_assert_int_eq(pop3_session_list_one(h.s, 0, &size, &h.err), POP3_ERR_ARG);
    harness_close_checked(&h);
}
END_TEST

START_TEST(auth_oauthbearer_rfc7628)
{
    /* base64("n,a=alice,\x01host=fake.test\x01auth=Bearer tok\x01\x01") */
    static const struct fake_step steps[] = {
        {NULL, GREETING, 0},
        {"CAPA", "+OK\r\nSASL OAUTHBEARER\r\n.\r\n", 0},
        {"AUTH OAUTHBEARER bixhPWFsaWNlLAFob3N0PWZha2UudGVzdAFhdXRoPUJlYXJlciB0b2sBAQ==",
         "+ eyJzdGF0dXMiOiJpbnZhbGlkX3Rva2VuIn0=\r\n", 0},
        {"AQ==", "-ERR [AUTH] Authentication failed\r\n", 0},
    };
    struct harness h;
    OPEN(h, steps, POP3_TLS_NONE);
    ck_assert_int_eq(h.st, POP3_OK);
    struct pop3_credentials cred = {
        .user = "alice", .secret = "tok", .mech = POP3_AUTH_OAUTHBEARER};
    h.st = pop3_session_login(h.s, &cred, &h.err);
    ck_assert_int_eq(h.st, POP3_ERR_AUTH);
    ck_assert_ptr_nonnull(strstr(h.err.server, "invalid_token"));
    ck_assert_ptr_nonnull(strstr(h.trace.data, "C: AUTH OAUTHBEARER ****\n"));
    harness_close_checked(&h);
}
END_TEST

START_TEST(forced_mechanism_not_offered_is_refused_before_sending)
{
    static const struct fake_step steps[] = {
        {NULL, GREETING, 0},
        {"CAPA", "+OK\r\nSASL PLAIN\r\nUSER\r\n.\r\n", 0},
    };
    struct harness h;
    OPEN(h, steps, POP3_TLS_NONE);
    harness_login(&h, POP3_AUTH_XOAUTH2);
    ck_assert_int_eq(h.st, POP3_ERR_UNSUPPORTED);
    ck_assert_ptr_nonnull(strstr(h.err.msg, "PLAIN"));
    h.st = POP3_OK;
    harness_login(&h, POP3_AUTH_APOP);
    ck_assert_int_eq(h.st, POP3_ERR_UNSUPPORTED);
    ck_assert_ptr_nonnull(strstr(h.err.msg, "timestamp"));
    harness_close_checked(&h);
}
END_TEST

/*
 * enum pop3_status pop3_session_raw(struct pop3_session *s, enum pop3_cmd cmd,
 *                                   const char *const *args, size_t nargs, bool force,
 *                                   pop3_sink_fn sink, void *ctx, struct pv_error *err);
 */
START_TEST(raw_refuses_what_needs_more_than_a_reply)
{
    static const struct fake_step steps[] = {
        {NULL, GREETING, 0},
        {"CAPA", CAPA_USER, 0},
    };
    struct harness h;
    OPEN(h, steps, POP3_TLS_NONE);
    ck_assert_int_eq(h.st, POP3_OK);
    static const enum pop3_cmd refused[] = {POP3_CMD_STLS, POP3_CMD_AUTH, POP3_CMD_SASL_RESPONSE,
                                            POP3_CMD_QUIT};
    const char *arg[] = {"PLAIN"};
    for (size_t i = 0; i < PV_ARRAY_LEN(refused); i++)
        ck_assert_int_eq(pop3_session_raw(h.s, refused[i], arg, refused[i] == POP3_CMD_AUTH ? 1 : 0,
                                          true, NULL, NULL, &h.err),
                         POP3_ERR_UNSUPPORTED);
    ck_assert_ptr_nonnull(strstr(h.err.msg, "QUIT"));
    /* Not allowed before login and not forced: refused, never sent. */
    ck_assert_int_eq(pop3_session_raw(h.s, POP3_CMD_STAT, NULL, 0, false, NULL, NULL, &h.err),
                     POP3_ERR_STATE);
    ck_assert_ptr_nonnull(strstr(h.err.msg, "AUTHORIZATION"));
    /* The encoder's refusals stand even when forced. */
    ck_assert_int_eq(pop3_session_raw(h.s, POP3_CMD_USER, NULL, 0, true, NULL, NULL, &h.err),
                     POP3_ERR_ARG);
    ck_assert_ptr_null(strstr(h.trace.data, "C: STAT"));
    ck_assert_ptr_null(strstr(h.trace.data, "C: STLS"));
    ck_assert_ptr_null(strstr(h.trace.data, "C: QUIT"));
    harness_close_checked(&h);
}
END_TEST

START_TEST(raw_login_forced_command_and_multi_line_reply)
{
    static const struct fake_step steps[] = {
        {NULL, GREETING, 0},
        {"CAPA", CAPA_USER, 0},
        {"USER alice", "+OK\r\n", 0},
        {"PASS my secret", "+OK Logged in.\r\n", 0},
        {"USER x", "-ERR [AUTH] already logged in\r\n", 0},
        {"LIST", "+OK 2 messages\r\n1 120\r\n2 200\r\n.\r\n", 0},
        {"UIDL", "+OK\r\n1 a\r\n2 b\r\n.\r\n", 0},
        {"NOOP", "+OK\r\n", 0},
    };
    struct harness h;
    OPEN(h, steps, POP3_TLS_NONE);
    ck_assert_int_eq(h.st, POP3_OK);
    const char *user[] = {"alice"};
    const char *pass[] = {"my secret"};
    ck_assert_int_eq(pop3_session_raw(h.s, POP3_CMD_USER, user, 1, false, NULL, NULL, &h.err),
                     POP3_OK);
    ck_assert_int_eq(pop3_session_state(h.s), POP3_STATE_AUTHORIZATION);
    ck_assert_int_eq(pop3_session_raw(h.s, POP3_CMD_PASS, pass, 1, false, NULL, NULL, &h.err),
                     POP3_OK);
    ck_assert_int_eq(pop3_session_state(h.s), POP3_STATE_TRANSACTION);
    ck_assert_ptr_nonnull(strstr(h.trace.data, "C: PASS ****\n"));
    ck_assert_ptr_null(strstr(h.trace.data, "my secret"));
    /* USER after login: refused unless forced; forced, the server's -ERR comes back. */
    const char *x[] = {"x"};
    ck_assert_int_eq(pop3_session_raw(h.s, POP3_CMD_USER, x, 1, false, NULL, NULL, &h.err),
                     POP3_ERR_STATE);
    ck_assert_ptr_nonnull(strstr(h.err.msg, "TRANSACTION"));
    ck_assert_int_eq(pop3_session_raw(h.s, POP3_CMD_USER, x, 1, true, NULL, NULL, &h.err),
                     POP3_ERR_SERVER);
    ck_assert_str_eq(h.err.server, "[AUTH] already logged in");
    ck_assert_ptr_nonnull(strstr(h.trace.data, "(forced)"));
    ck_assert_int_eq(pop3_session_state(h.s), POP3_STATE_TRANSACTION);
    /* A multi-line reply: data lines to the sink, or dropped without one. */
    struct pv_buf got;
    pv_buf_init(&got, 0);
    ck_assert_int_eq(
        pop3_session_raw(h.s, POP3_CMD_LIST, NULL, 0, false, append_sink, &got, &h.err), POP3_OK);
    ck_assert_str_eq(got.data, "1 120\n2 200\n");
    pv_buf_free(&got);
    ck_assert_int_eq(pop3_session_raw(h.s, POP3_CMD_UIDL, NULL, 0, false, NULL, NULL, &h.err),
                     POP3_OK);
    ck_assert_ptr_nonnull(strstr(h.trace.data, "D: 2 b\n"));
    /* The session is still in step: the next command gets its own reply. */
    ck_assert_int_eq(pop3_session_raw(h.s, POP3_CMD_NOOP, NULL, 0, false, NULL, NULL, &h.err),
                     POP3_OK);
    harness_close_checked(&h);
}
END_TEST

static Suite *session_suite(void)
{
    Suite *s = suite_create("pop3_session");
    TCase *tc = tcase_create("session");
    tcase_set_timeout(tc, 20);
    tcase_add_test(tc, login_user_pass_and_mask_in_transcript);
    tcase_add_test(tc, commands_refused_in_wrong_state_are_not_sent);
    tcase_add_test(tc, wrong_password_is_auth_error);
    tcase_add_test(tc, in_use_is_explained_not_called_a_bad_password);
    tcase_add_test(tc, greeting_err_gives_advice);
    tcase_add_test(tc, stls_not_offered_stops_before_credentials);
    tcase_add_test(tc, stls_refused_stops_before_credentials);
    tcase_add_test(tc, bytes_injected_after_stls_ok_abort);
    tcase_add_test(tc, auth_plain_initial_response);
    tcase_add_test(tc, auth_login_challenges);
    tcase_add_test(tc, auth_xoauth2_error_is_acknowledged);
    tcase_add_test(tc, apop_digest_matches_rfc1939_example);
    tcase_add_test(tc, utf8_is_enabled_before_login);
    tcase_add_test(tc, scan_lists_and_drops_duplicate_uidls);
    tcase_add_test(tc, scan_list_longer_than_stat_is_protocol_error);
    tcase_add_test(tc, retr_unstuffs_and_dele_rset);
    tcase_add_test(tc, top_probed_without_capa);
    tcase_add_test(tc, batch_pipelined_sends_all_at_once);
    tcase_add_test(tc, capa_after_login_pipelined_with_scan);
    tcase_add_test(tc, capa_after_login_alone_without_pipelining);
    tcase_add_test(tc, batch_without_pipelining_waits_for_each);
    tcase_add_test(tc, connection_dropped_mid_reply);
    tcase_add_test(tc, top_header_reply_without_end_is_capped);
    tcase_add_test(tc, capa_reply_without_end_is_capped);
    tcase_add_test(tc, retr_larger_than_any_cap_is_read_whole);
    tcase_add_test(tc, retr_far_beyond_its_list_size_is_capped);
    tcase_add_test(tc, reply_stalled_mid_line_says_so);
    tcase_add_test(tc, silence_is_no_answer);
    tcase_add_test(tc, quit_answer_lost_says_outcome_unknown);
    tcase_add_test(tc, list_and_uidl_for_one_message);
    tcase_add_test(tc, auth_oauthbearer_rfc7628);
    tcase_add_test(tc, forced_mechanism_not_offered_is_refused_before_sending);
    suite_add_tcase(s, tc);
    TCase *raw = tcase_create("pop3_session_raw");
    tcase_set_timeout(raw, 20);
    tcase_add_test(raw, raw_refuses_what_needs_more_than_a_reply);
    tcase_add_test(raw, raw_login_forced_command_and_multi_line_reply);
    suite_add_tcase(s, raw);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(session_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
