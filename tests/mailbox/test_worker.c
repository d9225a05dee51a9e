/*
 * Tests of the worker's answers to a server that says no (src/mailbox/
 * worker.c, load.c): what the demo server cannot be made to do on demand
 * is played by the scripted server of tests/pop3/fake_server.c, and the
 * model is driven through the public API as the UI drives it.
 *
 *   - TOP refused for one message: that summary is failed, the rest loads;
 *   - DELE refused: a notice with the server's words, not marked;
 *   - RSET refused before leaving without deleting: no QUIT is sent;
 *   - QUIT refused or lost: the sentence says what is known.
 */
#include <check.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <popview/util.h>

#include <popview/pop3.h>

#include <popview/mailbox.h>

#include "fake_server.h"

enum { WAIT_MS = 20000 };

/* The session up to READY: USER/PASS, no pipelining, two messages, the
 * second one's header refused.  Each test appends its own ending. */
static const struct fake_step opening[] = {
    {NULL, "+OK fake ready\r\n", 0},
    {"CAPA", "+OK\r\nUSER\r\nTOP\r\nUIDL\r\n.\r\n", 0},
    {"USER demo", "+OK\r\n", 0},
    {"PASS fake-secret", "+OK logged in\r\n", 0},
    {"CAPA", "+OK\r\nTOP\r\nUIDL\r\n.\r\n", 0},
    {"STAT", "+OK 2 300\r\n", 0},
    {"LIST", "+OK\r\n1 100\r\n2 200\r\n.\r\n", 0},
    {"UIDL", "+OK\r\n1 uid-one\r\n2 uid-two\r\n.\r\n", 0},
    {"TOP 1 0", "+OK\r\nFrom: Ann <ann@example.org>\r\nSubject: one\r\n\r\n.\r\n", 0},
    {"TOP 2 0", "-ERR header unavailable\r\n", 0},
};

/* opening + ending, in one array that outlives the server (the test frees it). */
static struct fake_step *script(const struct fake_step *ending, size_t n, size_t *total_out)
{
    size_t total = PV_ARRAY_LEN(opening) + n;
    struct fake_step *steps = pv_xcalloc(total, sizeof *steps);
    memcpy(steps, opening, sizeof opening);
    memcpy(steps + PV_ARRAY_LEN(opening), ending, n * sizeof *ending);
    *total_out = total;
    return steps;
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static struct mailbox *open_fake(const struct fake_step *ending, size_t n,
                                 struct fake_step **steps_out, size_t *nsteps_out,
                                 struct fake_server **fs)
{
    int fd = -1;
    size_t total = 0;
    *steps_out = script(ending, n, &total);
    *nsteps_out = total;
    *fs = fake_server_start(*steps_out, total, &fd);
    struct mailbox_config cfg = {
        .pop3 = {.host = "fake.example.org", .tls = POP3_TLS_NONE, .timeout_ms = 10000},
        .demo_fd = fd,
        .user = "demo",
        .secret = "fake-secret",
        .mech = POP3_AUTH_USER,
    };
    struct pv_error err;
    struct mailbox *mb = mailbox_open(&cfg, &err);
    ck_assert_msg(mb != NULL, "%s", err.msg);
    return mb;
}

/* Runs the UI loop until the phase is ph and nothing is pending. */
static void wait_quiet_in(struct mailbox *mb, enum mailbox_phase ph)
{
    int64_t end = now_ms() + WAIT_MS;
    for (;;) {
        bool pending = false;
        for (size_t i = 0; i < mailbox_count(mb); i++)
            pending |= mailbox_at(mb, i)->mark_pending;
        if (mailbox_phase(mb) == ph && !pending)
            return;
        ck_assert_msg(now_ms() < end, "still %s (error: %s)", mailbox_phase_name(mailbox_phase(mb)),
                      mailbox_error(mb) ? mailbox_error(mb) : "none");
        struct pollfd p = {.fd = mailbox_event_fd(mb), .events = POLLIN};
        poll(&p, 1, 100);
        mailbox_process(mb);
    }
}

/* The commands in the transcript are exactly the script's, in order (the
 * password masked): nothing more, so in particular no QUIT the script does
 * not end with.  The transcript is read rather than the fake server's
 * record, which its thread writes without a lock. */
static void finish(struct mailbox **mb, struct fake_server **fs, struct fake_step *steps,
                   size_t nsteps)
{
    size_t line = 0, count = mailbox_transcript_count(*mb);
    for (size_t k = 0; k < nsteps; k++) {
        if (!steps[k].expect)
            continue;
        const char *want = strncmp(steps[k].expect, "PASS ", 5) ? steps[k].expect : "PASS ****";
        while (line < count && mailbox_transcript_at(*mb, line)->kind != MAILBOX_LINE_CLIENT)
            line++;
        ck_assert_msg(line < count, "step %zu: \"%s\" was never sent", k, want);
        ck_assert_str_eq(mailbox_transcript_at(*mb, line)->text, want);
        line++;
    }
    for (; line < count; line++)
        ck_assert_msg(mailbox_transcript_at(*mb, line)->kind != MAILBOX_LINE_CLIENT,
                      "sent after the script: %s", mailbox_transcript_at(*mb, line)->text);
    mailbox_free(mb);
    fake_server_finish(fs);
    free(steps);
}

START_TEST(test_refusals)
{
    static const struct fake_step ending[] = {
        {"DELE 1", "-ERR message is locked by the archiver\r\n", 0},
        {"DELE 2", "+OK\r\n", 0},
        {"RSET", "-ERR cannot reset now\r\n", 0},
    };
    struct fake_server *fs = NULL;
    struct fake_step *steps = NULL;
    size_t nsteps = 0;
    struct mailbox *mb = open_fake(ending, PV_ARRAY_LEN(ending), &steps, &nsteps, &fs);
    wait_quiet_in(mb, MAILBOX_READY);
    ck_assert_uint_eq(mailbox_count(mb), 2);
    ck_assert(mailbox_at(mb, 0)->loaded);
    ck_assert_str_eq(mailbox_at(mb, 0)->subject, "one");
    ck_assert_str_eq(mailbox_at(mb, 0)->from, "Ann");
    ck_assert(!mailbox_at(mb, 1)->loaded);
    ck_assert(mailbox_at(mb, 1)->failed);
    ck_assert_str_eq(mailbox_at(mb, 1)->subject, "");
    ck_assert_uint_eq(mailbox_loaded_count(mb), 2); /* refused counts as done */
    ck_assert_ptr_nonnull(strstr(mailbox_notice(mb), "header unavailable"));

    mailbox_mark(mb, 0);
    wait_quiet_in(mb, MAILBOX_READY);
    ck_assert(!mailbox_at(mb, 0)->marked);
    ck_assert_ptr_nonnull(strstr(mailbox_notice(mb), "message is locked by the archiver"));
    mailbox_mark(mb, 1);
    wait_quiet_in(mb, MAILBOX_READY);
    ck_assert(mailbox_at(mb, 1)->marked);
    ck_assert_uint_eq(mailbox_marked_count(mb), 1);

    /* Leaving without deleting, but RSET fails: QUIT would delete message 2. */
    mailbox_quit(mb, false);
    wait_quiet_in(mb, MAILBOX_CLOSED);
    ck_assert_ptr_nonnull(strstr(mailbox_error(mb), "cannot reset now"));
    ck_assert_ptr_nonnull(strstr(mailbox_error(mb), "nothing was deleted"));
    ck_assert_ptr_null(mailbox_quit_reply(mb));
    finish(&mb, &fs, steps, nsteps);
}
END_TEST

/* QUIT after a mark: the server's -ERR, or no answer at all. */
static const struct fake_step quit_refused[] = {
    {"DELE 1", "+OK\r\n", 0},
    {"QUIT", "-ERR some deletions failed\r\n", 0},
};
static const struct fake_step quit_lost[] = {
    {"DELE 1", "+OK\r\n", 0},
    {"QUIT", FAKE_CLOSE, 0},
};

START_TEST(test_quit_answers)
{
    static const struct {
        const struct fake_step *steps;
        size_t n;
        const char *error;
        const char *reply;
    } cases[] = {
        {quit_refused, PV_ARRAY_LEN(quit_refused), "could not delete every marked message",
         "some deletions failed"},
        {quit_lost, PV_ARRAY_LEN(quit_lost), "unknown whether the server deleted", NULL},
    };
    struct fake_server *fs = NULL;
    struct fake_step *steps = NULL;
    size_t nsteps = 0;
    struct mailbox *mb = open_fake(cases[_i].steps, cases[_i].n, &steps, &nsteps, &fs);
    wait_quiet_in(mb, MAILBOX_READY);
    mailbox_mark(mb, 0);
    wait_quiet_in(mb, MAILBOX_READY);
    ck_assert(mailbox_at(mb, 0)->marked);
    mailbox_quit(mb, true);
    wait_quiet_in(mb, MAILBOX_CLOSED);
    ck_assert_ptr_nonnull(mailbox_error(mb));
    ck_assert_msg(strstr(mailbox_error(mb), cases[_i].error), "%s", mailbox_error(mb));
    if (cases[_i].reply)
        ck_assert_str_eq(mailbox_quit_reply(mb), cases[_i].reply);
    else
        ck_assert_ptr_null(mailbox_quit_reply(mb));
    finish(&mb, &fs, steps, nsteps);
}
END_TEST

static Suite *worker_suite(void)
{
    Suite *s = suite_create("worker");
    TCase *tc = tcase_create("refusals");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_refusals);
    suite_add_tcase(s, tc);
    tc = tcase_create("quit");
    tcase_set_timeout(tc, 60);
    tcase_add_loop_test(tc, test_quit_answers, 0, 2);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(worker_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
