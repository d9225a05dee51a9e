/*
 * Tests of the mailbox model (src/mailbox) against the in-process demo
 * server: the model is driven the way the UI drives it, polling
 * mailbox_event_fd() and calling mailbox_process(), and what the server
 * holds afterwards is read from the demo mailbox object, which outlives
 * every connection.
 *
 *   struct mailbox *mailbox_open(const struct mailbox_config *cfg, struct pv_error *err);
 *   void mailbox_free(struct mailbox **mb);
 *   int mailbox_event_fd(const struct mailbox *mb);
 *   unsigned mailbox_process(struct mailbox *mb);
 *   void mailbox_prioritize(struct mailbox *mb, size_t first_row, size_t count);
 *   void mailbox_mark / mailbox_unmark(struct mailbox *mb, size_t index);
 *   void mailbox_unmark_all(struct mailbox *mb);
 *   void mailbox_fetch(struct mailbox *mb, size_t index);
 *   void mailbox_fetch_preview(struct mailbox *mb, size_t index, unsigned lines);
 *   bool mailbox_take_message(struct mailbox *mb, size_t *index_out, struct pv_spool **msg_out,
 *                             const char **error_out);
 *   void mailbox_quit(struct mailbox *mb, bool commit);
 *   void mailbox_reconnect(struct mailbox *mb);
 *   void mailbox_keepalive(struct mailbox *mb, unsigned idle_seconds);
 *   void mailbox_sort(struct mailbox *mb, enum mailbox_sort key, bool reverse);
 *   bool mailbox_search(const struct mailbox *mb, const char *needle, size_t from,
 *                       bool backwards, size_t *row_out);
 *   mailbox_transcript_count / _at / _first
 */
#include <arpa/inet.h>
#include <check.h>
#include <fcntl.h>
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

#include <popview/pop3.h>

#include <popview/mailbox.h>

#include "demo.h"

enum { WAIT_MS = 30000, SAMPLE_COUNT = 28, MAX_SERVERS = 8, MAX_PHASES = 64 };

static const char PASSWORD[] = "Wh1sper-Secret_42";

/* --- fixture: a demo mailbox, its servers and one model --------------------- */

struct fx {
    struct demo_mailbox *dm;
    struct demo_server_options opts;
    struct demo_server *srv[MAX_SERVERS];
    size_t nsrv;
    struct mailbox *mb;
    bool give_secret; /* reconnect_secret answers */
    enum mailbox_phase seen[MAX_PHASES];
    size_t nseen;
    unsigned changed; /* every bit mailbox_process returned */
};

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void fx_init(struct fx *f)
{
    memset(f, 0, sizeof *f);
    f->dm = demo_mailbox_new();
    demo_server_options_init(&f->opts);
    f->opts.password = PASSWORD;
    f->give_secret = true;
}

static void fx_init_sample(struct fx *f)
{
    fx_init(f);
    struct pv_error err;
    pv_error_clear(&err);
    ck_assert_msg(demo_mailbox_load_sample(f->dm, &err) == DEMO_OK, "%s", err.msg);
}

/* A mailbox of n small hand-made messages, "Message <i>" as subject. */
static void fx_init_many(struct fx *f, size_t n)
{
    fx_init(f);
    for (size_t i = 0; i < n; i++) {
        char msg[256];
        int len = snprintf(msg, sizeof msg,
                           "From: Sender %zu <s%zu@example.org>\r\nSubject: Message %zu\r\n"
                           "Date: Mon, 3 Mar 2025 10:%02zu:00 +0000\r\n\r\nBody %zu\r\n",
                           i, i, i, i % 60, i);
        struct pv_error err;
        pv_error_clear(&err);
        ck_assert(demo_mailbox_add(f->dm, msg, (size_t)len, NULL, &err) == DEMO_OK);
    }
}

static int fx_connect(void *ctx)
{
    struct fx *f = ctx;
    if (f->nsrv == MAX_SERVERS)
        return -1;
    int fd = -1;
    struct pv_error err;
    pv_error_clear(&err);
    if (demo_server_start(f->dm, &f->opts, &f->srv[f->nsrv], &fd, &err) != DEMO_OK)
        return -1;
    f->nsrv++;
    return fd;
}

static char *fx_secret(void *ctx)
{
    struct fx *f = ctx;
    return f->give_secret ? pv_xstrdup(PASSWORD) : NULL;
}

static void fx_open_mech(struct fx *f, enum pop3_auth_mech mech)
{
    struct mailbox_config cfg = {
        .pop3 = {.host = "demo.popview.invalid",
                 .port = "110",
                 .tls = POP3_TLS_NONE,
                 .timeout_ms = 20000},
        .demo_fd = fx_connect(f),
        .user = "demo",
        .secret = PASSWORD,
        .mech = mech,
        .label = "demo@demo.popview.invalid",
        .reconnect_fd = fx_connect,
        .reconnect_secret = fx_secret,
        .reconnect_ctx = f,
    };
    ck_assert_int_ge(cfg.demo_fd, 0);
    struct pv_error err;
    f->mb = mailbox_open(&cfg, &err);
    ck_assert_msg(f->mb != NULL, "%s", err.msg);
    f->seen[f->nseen++] = mailbox_phase(f->mb);
}

static void fx_open(struct fx *f)
{
    fx_open_mech(f, POP3_AUTH_AUTO);
}

/* Ends the server sessions (as a broken connection would), keeps the mailbox. */
static void fx_drop_servers(struct fx *f)
{
    for (size_t i = 0; i < f->nsrv; i++)
        demo_server_free(&f->srv[i]);
}

static void fx_done(struct fx *f)
{
    mailbox_free(&f->mb);
    fx_drop_servers(f);
    demo_mailbox_free(&f->dm);
}

/* One round of the UI loop: wait for the event fd, then apply. */
static void pump(struct fx *f, int timeout_ms)
{
    struct pollfd p = {.fd = mailbox_event_fd(f->mb), .events = POLLIN};
    int n = poll(&p, 1, timeout_ms);
    ck_assert_int_ge(n, 0);
    f->changed |= mailbox_process(f->mb);
    enum mailbox_phase ph = mailbox_phase(f->mb);
    if (f->nseen < MAX_PHASES && f->seen[f->nseen - 1] != ph)
        f->seen[f->nseen++] = ph;
}

typedef bool (*cond_fn)(struct fx *f, const void *arg);

static bool wait_for(struct fx *f, cond_fn cond, const void *arg, int timeout_ms)
{
    int64_t end = now_ms() + timeout_ms;
    while (!cond(f, arg)) {
        int64_t left = end - now_ms();
        if (left <= 0)
            return false;
        pump(f, left > 100 ? 100 : (int)left);
    }
    return true;
}

static bool phase_is(struct fx *f, const void *arg)
{
    return mailbox_phase(f->mb) == *(const enum mailbox_phase *)arg;
}

static void wait_phase(struct fx *f, enum mailbox_phase ph)
{
    bool ok = wait_for(f, phase_is, &ph, WAIT_MS);
    ck_assert_msg(ok, "waited for phase %s, still %s (error: %s)", mailbox_phase_name(ph),
                  mailbox_phase_name(mailbox_phase(f->mb)),
                  mailbox_error(f->mb) ? mailbox_error(f->mb) : "none");
}

static bool nothing_pending(struct fx *f, const void *arg)
{
    (void)arg;
    for (size_t i = 0; i < mailbox_count(f->mb); i++)
        if (mailbox_at(f->mb, i)->mark_pending)
            return false;
    return true;
}

static void wait_settled(struct fx *f)
{
    ck_assert(wait_for(f, nothing_pending, NULL, WAIT_MS));
}

static bool message_arrived(struct fx *f, const void *arg)
{
    (void)arg;
    return (f->changed & MAILBOX_CHANGED_MESSAGE) != 0;
}

/* Sequence number of the first transcript line at or after seq holding
 * needle, or -1. */
static long long find_line(const struct mailbox *mb, uint64_t seq, const char *needle)
{
    uint64_t first = mailbox_transcript_first(mb);
    size_t n = mailbox_transcript_count(mb);
    for (size_t i = seq > first ? (size_t)(seq - first) : 0; i < n; i++)
        if (strstr(mailbox_transcript_at(mb, i)->text, needle))
            return (long long)(first + i);
    return -1;
}

/* The same for a command line we sent, matched whole. */
static long long find_command(const struct mailbox *mb, uint64_t seq, const char *command)
{
    uint64_t first = mailbox_transcript_first(mb);
    size_t n = mailbox_transcript_count(mb);
    for (size_t i = seq > first ? (size_t)(seq - first) : 0; i < n; i++) {
        const struct mailbox_line *l = mailbox_transcript_at(mb, i);
        if (l->kind == MAILBOX_LINE_CLIENT && strcmp(l->text, command) == 0)
            return (long long)(first + i);
    }
    return -1;
}

static uint64_t transcript_end(const struct mailbox *mb)
{
    return mailbox_transcript_first(mb) + mailbox_transcript_count(mb);
}

static void mark_and_wait(struct fx *f, size_t index)
{
    mailbox_mark(f->mb, index);
    ck_assert(mailbox_at(f->mb, index)->mark_pending);
    wait_settled(f);
    ck_assert_msg(mailbox_at(f->mb, index)->marked, "message %zu not marked: %s", index + 1,
                  mailbox_notice(f->mb) ? mailbox_notice(f->mb) : "");
}

/* ======================================================================== */

START_TEST(test_open_null_config)
{
    struct pv_error err;
    ck_assert_ptr_null(mailbox_open(NULL, &err));
    ck_assert(strlen(err.msg) > 0);
    struct mailbox *none = NULL;
    mailbox_free(&none); /* NULL is fine */
    mailbox_free(NULL);
}
END_TEST

START_TEST(test_open_phases_and_summaries)
{
    struct fx f;
    fx_init_sample(&f);
    f.opts.reply_delay_ms = 25; /* each step long enough to be seen */
    fx_open(&f);
    ck_assert_int_eq(mailbox_phase(f.mb), MAILBOX_CONNECTING);
    ck_assert_str_eq(mailbox_label(f.mb), "demo@demo.popview.invalid");
    wait_phase(&f, MAILBOX_READY);
    static const enum mailbox_phase want[] = {MAILBOX_CONNECTING, MAILBOX_LOGGING_IN,
                                              MAILBOX_SCANNING, MAILBOX_LOADING, MAILBOX_READY};
    ck_assert_uint_eq(f.nseen, PV_ARRAY_LEN(want));
    for (size_t i = 0; i < PV_ARRAY_LEN(want); i++)
        ck_assert_msg(f.seen[i] == want[i], "phase %zu: %s, expected %s", i,
                      mailbox_phase_name(f.seen[i]), mailbox_phase_name(want[i]));
    ck_assert_int_eq(mailbox_pop3_state(f.mb), POP3_STATE_TRANSACTION);
    ck_assert_ptr_null(mailbox_error(f.mb));
    ck_assert_uint_eq(mailbox_count(f.mb), SAMPLE_COUNT);
    ck_assert_uint_eq(mailbox_loaded_count(f.mb), SAMPLE_COUNT);
    ck_assert_uint_eq(mailbox_total_size(f.mb), demo_mailbox_size(f.dm));
    ck_assert(mailbox_load_rate(f.mb) > 0.0);
    for (size_t i = 0; i < SAMPLE_COUNT; i++) {
        const struct mailbox_summary *s = mailbox_at(f.mb, i);
        ck_assert(s->loaded);
        ck_assert(!s->failed);
        ck_assert_uint_eq(s->msgno, i + 1);
        ck_assert_ptr_nonnull(s->uid);
        ck_assert(strlen(s->from) > 0);
        ck_assert(strlen(s->subject) > 0);
        ck_assert_msg(s->has_date, "message %zu has no date", i + 1);
        ck_assert(!strchr(s->subject, '\x1b') && !strchr(s->from, '\x1b'));
    }
    ck_assert_ptr_null(mailbox_at(f.mb, SAMPLE_COUNT));
    ck_assert_str_eq(mailbox_at(f.mb, 0)->uid, "01-welcome");
    /* RFC 2047 in ISO-2022-JP, decoded to UTF-8 */
    ck_assert_str_eq(mailbox_at(f.mb, 7)->subject,
                     "\xe3\x81\x8a\xe8\x8a\xb1\xe8\xa6\x8b\xe3\x81\xae\xe3\x81\x94\xe6\xa1\x88"
                     "\xe5\x86\x85\xef\xbc\x88\xe5\x9b\x9b\xe6\x9c\x88\xe5\x85\xab\xe6\x97\xa5"
                     "\xef\xbc\x89");
    /* ESC sequences arrive as text, never as the byte */
    ck_assert_ptr_nonnull(strstr(mailbox_at(f.mb, 23)->subject, "^["));
    ck_assert_str_eq(mailbox_at(f.mb, 15)->from, "Amara Okafor");
    ck_assert(mailbox_at(f.mb, 12)->multipart_mixed);
    ck_assert(!mailbox_at(f.mb, 0)->multipart_mixed);
    fx_done(&f);
}
END_TEST

START_TEST(test_open_bad_password)
{
    struct fx f;
    fx_init_sample(&f);
    f.opts.password = "something else";
    fx_open(&f);
    wait_phase(&f, MAILBOX_FAILED);
    ck_assert_ptr_nonnull(mailbox_error(f.mb));
    ck_assert_uint_eq(mailbox_count(f.mb), 0);
    /* The UI tells a refused login (exit 3) from an unreachable server. */
    ck_assert_int_eq(mailbox_failed_in(f.mb), MAILBOX_LOGGING_IN);
    fx_done(&f);
}
END_TEST

START_TEST(test_event_fd)
{
    ck_assert_int_eq(mailbox_event_fd(NULL), -1);
    struct fx f;
    fx_init_sample(&f);
    fx_open(&f);
    int fd = mailbox_event_fd(f.mb);
    ck_assert_int_ge(fd, 0);
    ck_assert(fcntl(fd, F_GETFL) & O_NONBLOCK);
    ck_assert(fcntl(fd, F_GETFD) & FD_CLOEXEC);
    wait_phase(&f, MAILBOX_READY);
    /* Once everything is applied the fd is quiet again. */
    mailbox_process(f.mb);
    struct pollfd p = {.fd = fd, .events = POLLIN};
    ck_assert_int_eq(poll(&p, 1, 0), 0);
    ck_assert_uint_eq(mailbox_process(f.mb), 0);
    fx_done(&f);
}
END_TEST

START_TEST(test_phase_name)
{
    ck_assert_str_eq(mailbox_phase_name(MAILBOX_CONNECTING), "connecting");
    ck_assert_str_eq(mailbox_phase_name(MAILBOX_READY), "ready");
    ck_assert_str_eq(mailbox_phase_name(MAILBOX_FAILED), "failed");
    ck_assert_str_eq(mailbox_phase_name((enum mailbox_phase)99), "unknown");
}
END_TEST

/* --- prioritize -------------------------------------------------------------- */

struct range {
    size_t first, count;
};

static bool range_loaded(struct fx *f, const void *arg)
{
    const struct range *r = arg;
    if (mailbox_count(f->mb) < r->first + r->count)
        return false;
    for (size_t i = r->first; i < r->first + r->count; i++)
        if (!mailbox_at(f->mb, mailbox_row_index(f->mb, i))->loaded)
            return false;
    return true;
}

START_TEST(test_prioritize_loads_screen_first)
{
    struct fx f;
    fx_init_many(&f, 600);
    f.opts.reply_delay_ms = 3;
    fx_open(&f);
    /* Before the listing exists, rows are server order. */
    mailbox_prioritize(f.mb, 500, 20);
    struct range r = {500, 20};
    ck_assert(wait_for(&f, range_loaded, &r, WAIT_MS));
    size_t loaded = mailbox_loaded_count(f.mb);
    ck_assert_msg(loaded < 300, "%zu summaries loaded before the 20 on screen", loaded);
    ck_assert(!mailbox_at(f.mb, 300)->loaded);
    ck_assert_int_eq(mailbox_phase(f.mb), MAILBOX_LOADING);

    /* Once loading runs, the screen jumps elsewhere: those rows come next. */
    mailbox_prioritize(f.mb, 350, 10);
    struct range r2 = {350, 10};
    ck_assert(wait_for(&f, range_loaded, &r2, WAIT_MS));
    ck_assert(!mailbox_at(f.mb, 250)->loaded);
    ck_assert_str_eq(mailbox_at(f.mb, 355)->subject, "Message 355");
    ck_assert_str_eq(mailbox_at(f.mb, 355)->from, "Sender 355");
    fx_done(&f);
}
END_TEST

START_TEST(test_prioritize_follows_sort_order)
{
    struct fx f;
    fx_init_many(&f, 400);
    f.opts.reply_delay_ms = 3;
    fx_open(&f);
    enum mailbox_phase loading = MAILBOX_LOADING;
    ck_assert(wait_for(&f, phase_is, &loading, WAIT_MS));
    /* Reverse server order: rows 0..9 are messages 400..391. */
    mailbox_sort(f.mb, MAILBOX_SORT_NUMBER, true);
    mailbox_prioritize(f.mb, 0, 10);
    struct range r = {0, 10};
    ck_assert(wait_for(&f, range_loaded, &r, WAIT_MS));
    ck_assert(mailbox_at(f.mb, 399)->loaded);
    ck_assert(!mailbox_at(f.mb, 200)->loaded);
    fx_done(&f);
}
END_TEST

/* --- marks -------------------------------------------------------------------- */

START_TEST(test_mark)
{
    struct fx f;
    fx_init_sample(&f);
    fx_open(&f);
    mailbox_mark(f.mb, 0); /* before the listing: ignored */
    wait_phase(&f, MAILBOX_READY);
    ck_assert_uint_eq(mailbox_marked_count(f.mb), 0);
    mailbox_mark(f.mb, SAMPLE_COUNT); /* no such message: ignored */
    uint64_t seq = transcript_end(f.mb);
    mark_and_wait(&f, 2);
    ck_assert_uint_eq(mailbox_marked_count(f.mb), 1);
    ck_assert_uint_eq(mailbox_marked_size(f.mb), mailbox_at(f.mb, 2)->size);
    ck_assert_int_ge(find_command(f.mb, seq, "DELE 3"), 0);
    ck_assert_ptr_nonnull(strstr(mailbox_notice(f.mb), "marked"));
    mark_and_wait(&f, 5);
    ck_assert_uint_eq(mailbox_marked_count(f.mb), 2);
    ck_assert_uint_eq(mailbox_marked_size(f.mb),
                      mailbox_at(f.mb, 2)->size + mailbox_at(f.mb, 5)->size);
    fx_done(&f);
}
END_TEST

START_TEST(test_unmark_one_of_three)
{
    struct fx f;
    fx_init_sample(&f);
    fx_open(&f);
    wait_phase(&f, MAILBOX_READY);
    mailbox_unmark(f.mb, 1); /* not marked: nothing happens */
    mark_and_wait(&f, 0);
    mark_and_wait(&f, 3);
    mark_and_wait(&f, 6);
    uint64_t seq = transcript_end(f.mb);
    mailbox_unmark(f.mb, 3);
    ck_assert(mailbox_at(f.mb, 3)->mark_pending);
    wait_settled(&f);
    ck_assert(mailbox_at(f.mb, 0)->marked);
    ck_assert(!mailbox_at(f.mb, 3)->marked);
    ck_assert(mailbox_at(f.mb, 6)->marked);
    ck_assert_uint_eq(mailbox_marked_count(f.mb), 2);
    long long why = find_line(f.mb, seq, "POP3 has no undelete");
    long long rset = find_command(f.mb, seq, "RSET");
    long long d1 = find_command(f.mb, seq, "DELE 1");
    long long d7 = find_command(f.mb, seq, "DELE 7");
    ck_assert(why >= 0 && rset > why && d1 > rset && d7 > d1);
    ck_assert_int_lt(find_command(f.mb, seq, "DELE 4"), 0);
    ck_assert_int_eq(
        mailbox_transcript_at(f.mb, (size_t)(why - (long long)mailbox_transcript_first(f.mb)))
            ->kind,
        MAILBOX_LINE_INFO);
    fx_done(&f);
}
END_TEST

START_TEST(test_unmark_all)
{
    struct fx f;
    fx_init_sample(&f);
    fx_open(&f);
    wait_phase(&f, MAILBOX_READY);
    mark_and_wait(&f, 1);
    mark_and_wait(&f, 2);
    uint64_t seq = transcript_end(f.mb);
    mailbox_unmark_all(f.mb);
    ck_assert(mailbox_at(f.mb, 1)->mark_pending && mailbox_at(f.mb, 2)->mark_pending);
    wait_settled(&f);
    ck_assert_uint_eq(mailbox_marked_count(f.mb), 0);
    ck_assert_uint_eq(mailbox_marked_size(f.mb), 0);
    ck_assert(!mailbox_at(f.mb, 1)->marked && !mailbox_at(f.mb, 2)->marked);
    ck_assert_int_ge(find_command(f.mb, seq, "RSET"), 0);
    fx_done(&f);
}
END_TEST

/* --- fetching ------------------------------------------------------------------ */

static void fetch_and_compare(struct fx *f, size_t index)
{
    f->changed = 0;
    mailbox_fetch(f->mb, index);
    uint64_t done, total;
    mailbox_fetch_progress(f->mb, &done, &total);
    ck_assert_uint_eq(total, mailbox_at(f->mb, index)->size);
    ck_assert(wait_for(f, message_arrived, NULL, WAIT_MS));
    size_t got_index = 99;
    struct pv_spool *msg = NULL;
    const char *error = NULL;
    ck_assert_msg(mailbox_take_message(f->mb, &got_index, &msg, &error), "%s",
                  error ? error : "no message");
    const char *data = pv_spool_data(msg);
    size_t len = pv_spool_len(msg);
    ck_assert_uint_eq(got_index, index);
    char *want = NULL;
    size_t want_len = 0;
    ck_assert(demo_mailbox_copy_message(f->dm, index, &want, &want_len, NULL));
    ck_assert_uint_eq(len, want_len);
    ck_assert_uint_eq(len, mailbox_at(f->mb, index)->size);
    ck_assert(memcmp(data, want, len) == 0);
    /* Large messages go to a temporary file, small ones stay on the heap. */
    ck_assert(pv_spool_in_file(msg) == (len > PV_SPOOL_MEMORY_MAX));
    free(want);
    pv_spool_free(&msg);
    /* Taken: nothing more to take. */
    ck_assert(!mailbox_take_message(f->mb, NULL, &msg, &error));
    ck_assert_ptr_null(error);
}

START_TEST(test_fetch)
{
    struct fx f;
    fx_init_sample(&f);
    fx_open(&f);
    wait_phase(&f, MAILBOX_READY);
    const char *error = "x";
    struct pv_spool *msg = NULL;
    ck_assert(!mailbox_take_message(f.mb, NULL, &msg, &error));
    ck_assert_ptr_null(error);
    fetch_and_compare(&f, 0);
    fetch_and_compare(&f, 21);                                  /* dot-stuffed lines */
    fetch_and_compare(&f, 14);                                  /* 1.5 MB */
    ck_assert_int_ge(find_line(f.mb, 0, "more data lines"), 0); /* not all in the transcript */
    /* no such message: an error, through the same path */
    f.changed = 0;
    mailbox_fetch(f.mb, 1000);
    ck_assert(wait_for(&f, message_arrived, NULL, WAIT_MS));
    ck_assert(!mailbox_take_message(f.mb, NULL, &msg, &error));
    ck_assert_ptr_nonnull(error);
    ck_assert_ptr_null(msg);
    fx_done(&f);
}
END_TEST

START_TEST(test_fetch_superseded)
{
    struct fx f;
    fx_init_sample(&f);
    fx_open(&f);
    wait_phase(&f, MAILBOX_READY);
    /* The large one first, then the reader changes its mind: only the
     * last one asked for is handed over. */
    mailbox_fetch(f.mb, 14);
    fetch_and_compare(&f, 1);
    fx_done(&f);
}
END_TEST

START_TEST(test_fetch_preview)
{
    struct fx f;
    fx_init_sample(&f);
    fx_open(&f);
    wait_phase(&f, MAILBOX_READY);
    f.changed = 0;
    uint64_t seq = transcript_end(f.mb);
    mailbox_fetch_preview(f.mb, 14, 3);
    ck_assert(wait_for(&f, message_arrived, NULL, WAIT_MS));
    size_t index = 0;
    struct pv_spool *msg = NULL;
    ck_assert(mailbox_take_message(f.mb, &index, &msg, NULL));
    const char *data = pv_spool_data(msg);
    size_t len = pv_spool_len(msg);
    ck_assert_uint_eq(index, 14);
    char *full = NULL;
    size_t full_len = 0;
    ck_assert(demo_mailbox_copy_message(f.dm, 14, &full, &full_len, NULL));
    ck_assert(len < full_len);
    ck_assert(memcmp(data, full, len) == 0); /* the header and 3 lines: a prefix */
    ck_assert_ptr_nonnull(strstr(data, "\r\n\r\n"));
    ck_assert_int_ge(find_command(f.mb, seq, "TOP 15 3"), 0);
    free(full);
    pv_spool_free(&msg);
    fx_done(&f);
}
END_TEST

/* --- quitting ------------------------------------------------------------------ */

START_TEST(test_quit_commit_deletes_marked)
{
    struct fx f;
    fx_init_sample(&f);
    f.opts.reply_delay_ms = 40; /* QUITTING lasts long enough to be seen */
    fx_open(&f);
    wait_phase(&f, MAILBOX_READY);
    mark_and_wait(&f, 1);
    mark_and_wait(&f, 4);
    ck_assert_uint_eq(demo_mailbox_count(f.dm), SAMPLE_COUNT);
    mailbox_quit(f.mb, true);
    wait_phase(&f, MAILBOX_CLOSED);
    ck_assert_int_eq(f.seen[f.nseen - 2], MAILBOX_QUITTING);
    ck_assert_ptr_null(mailbox_error(f.mb));
    ck_assert_ptr_nonnull(mailbox_quit_reply(f.mb));
    ck_assert_ptr_nonnull(strstr(mailbox_quit_reply(f.mb), "26 messages left"));
    ck_assert_int_eq(mailbox_pop3_state(f.mb), POP3_STATE_DISCONNECTED);
    ck_assert_uint_eq(demo_mailbox_count(f.dm), SAMPLE_COUNT - 2);
    ck_assert_int_eq(demo_mailbox_find_uidl(f.dm, "02-pop3-dele"), -1);
    ck_assert_int_eq(demo_mailbox_find_uidl(f.dm, "05-german-latin1"), -1);
    ck_assert_int_ge(demo_mailbox_find_uidl(f.dm, "03-pop3-uidl"), 0);
    /* Closed: actions are refused, a second quit changes nothing. */
    mailbox_mark(f.mb, 0);
    ck_assert(!mailbox_at(f.mb, 0)->mark_pending);
    mailbox_quit(f.mb, true);
    fx_done(&f);
}
END_TEST

START_TEST(test_quit_without_commit_deletes_nothing)
{
    struct fx f;
    fx_init_sample(&f);
    fx_open(&f);
    wait_phase(&f, MAILBOX_READY);
    mark_and_wait(&f, 1);
    mark_and_wait(&f, 4);
    uint64_t seq = transcript_end(f.mb);
    mailbox_quit(f.mb, false);
    wait_phase(&f, MAILBOX_CLOSED);
    ck_assert_ptr_null(mailbox_error(f.mb));
    long long rset = find_command(f.mb, seq, "RSET");
    long long quit = find_command(f.mb, seq, "QUIT");
    ck_assert(rset >= 0 && quit > rset);
    ck_assert_uint_eq(demo_mailbox_count(f.dm), SAMPLE_COUNT);
    fx_done(&f);
}
END_TEST

START_TEST(test_free_without_quit_deletes_nothing)
{
    struct fx f;
    fx_init_sample(&f);
    fx_open(&f);
    wait_phase(&f, MAILBOX_READY);
    mark_and_wait(&f, 1);
    mark_and_wait(&f, 2);
    mailbox_free(&f.mb);
    ck_assert_ptr_null(f.mb);
    fx_drop_servers(&f);
    ck_assert_uint_eq(demo_mailbox_count(f.dm), SAMPLE_COUNT);
    ck_assert(!demo_mailbox_is_locked(f.dm));
    fx_done(&f);
}
END_TEST

START_TEST(test_free_is_prompt_while_loading)
{
    struct fx f;
    fx_init_many(&f, 200);
    f.opts.reply_delay_ms = 400; /* a server slower than anyone waits for */
    fx_open(&f);
    enum mailbox_phase loading = MAILBOX_LOADING;
    ck_assert(wait_for(&f, phase_is, &loading, WAIT_MS));
    int64_t start = now_ms();
    mailbox_free(&f.mb);
    int64_t took = now_ms() - start;
    ck_assert_msg(took < 1000, "mailbox_free took %lld ms", (long long)took);
    fx_done(&f);
}
END_TEST

/* A listener whose queue is full: connect(2) to it waits for its timeout
 * (the kernel drops the SYN), a wait with no socket to shut down. */
START_TEST(test_free_is_prompt_while_connecting)
{
    int lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    ck_assert_int_eq(bind(lfd, (struct sockaddr *)&sa, sizeof sa), 0);
    ck_assert_int_eq(listen(lfd, 0), 0);
    socklen_t sl = sizeof sa;
    ck_assert_int_eq(getsockname(lfd, (struct sockaddr *)&sa, &sl), 0);
    int filler = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    ck_assert_int_eq(connect(filler, (struct sockaddr *)&sa, sizeof sa), 0);
    char port[16];
    snprintf(port, sizeof port, "%u", (unsigned)ntohs(sa.sin_port));
    struct mailbox_config cfg = {
        .pop3 = {.host = "127.0.0.1", .port = port, .tls = POP3_TLS_NONE, .timeout_ms = 4000},
        .demo_fd = -1,
        .user = "demo",
        .secret = PASSWORD,
    };
    struct pv_error err;
    struct mailbox *mb = mailbox_open(&cfg, &err);
    ck_assert_ptr_nonnull(mb);
    usleep(200 * 1000);
    mailbox_process(mb);
    ck_assert_int_eq(mailbox_phase(mb), MAILBOX_CONNECTING);
    int64_t start = now_ms();
    mailbox_free(&mb);
    int64_t took = now_ms() - start;
    ck_assert_msg(took < 3000, "mailbox_free took %lld ms", (long long)took);
    close(filler);
    close(lfd);
}
END_TEST

/* --- transcript --------------------------------------------------------------- */

static bool transcript_has_password(const struct mailbox *mb)
{
    for (size_t i = 0; i < mailbox_transcript_count(mb); i++)
        if (strstr(mailbox_transcript_at(mb, i)->text, PASSWORD) ||
            strstr(mailbox_transcript_at(mb, i)->text, "V2gxc3Blci1TZWNyZXRfNDI") || /* base64 */
            strstr(mailbox_transcript_at(mb, i)->text, "AGRlbW8AV2gxc3Blci1TZWNyZXRfNDI"))
            return true;
    return false;
}

START_TEST(test_transcript_masks_secret)
{
    static const enum pop3_auth_mech mechs[] = {POP3_AUTH_AUTO, POP3_AUTH_USER, POP3_AUTH_PLAIN};
    /* AUTO over a plain connection: APOP first (RFC 1939 section 7) */
    static const char *const masked[] = {"APOP demo ****", "PASS ****", "AUTH PLAIN ****"};
    struct fx f;
    fx_init_sample(&f);
    fx_open_mech(&f, mechs[_i]);
    wait_phase(&f, MAILBOX_READY);
    ck_assert_int_ge(find_command(f.mb, 0, masked[_i]), 0);
    ck_assert(!transcript_has_password(f.mb));
    const struct mailbox_line *l = mailbox_transcript_at(f.mb, 0);
    ck_assert_ptr_nonnull(l);
    ck_assert(l->when_ms > 0);
    ck_assert_ptr_null(mailbox_transcript_at(f.mb, mailbox_transcript_count(f.mb)));
    fx_done(&f);
}
END_TEST

START_TEST(test_transcript_sanitized_and_cut)
{
    struct fx f;
    fx_init_sample(&f);
    char subject[2001];
    memset(subject, 'x', 2000);
    subject[2000] = '\0';
    char msg[3000];
    int len =
        snprintf(msg, sizeof msg, "From: a@example.org\r\nSubject: %s\r\n\r\nbody\r\n", subject);
    struct pv_error err;
    ck_assert(demo_mailbox_add(f.dm, msg, (size_t)len, "long-subject", &err) == DEMO_OK);
    fx_open(&f);
    wait_phase(&f, MAILBOX_READY);
    /* message 24's header holds ESC sequences: no control byte gets through */
    for (size_t i = 0; i < mailbox_transcript_count(f.mb); i++)
        for (const char *p = mailbox_transcript_at(f.mb, i)->text; *p; p++)
            ck_assert_msg((unsigned char)*p >= 0x20 && *p != 0x7f, "line %zu: byte %#x", i,
                          (unsigned char)*p);
    /* a long line is cut (with an ellipsis), the summary is not */
    long long at = find_line(f.mb, 0, "Subject: xxxxxxxx");
    ck_assert_int_ge(at, 0);
    const char *line =
        mailbox_transcript_at(f.mb, (size_t)(at - (long long)mailbox_transcript_first(f.mb)))->text;
    ck_assert_uint_le(strlen(line), 512 + 3);
    ck_assert_str_eq(line + strlen(line) - 3, "\xe2\x80\xa6");
    ck_assert_uint_eq(strlen(mailbox_at(f.mb, SAMPLE_COUNT)->subject), 2000);
    fx_done(&f);
}
END_TEST

START_TEST(test_transcript_bounded)
{
    struct fx f;
    fx_init_many(&f, 1500);
    fx_open(&f);
    wait_phase(&f, MAILBOX_READY);
    ck_assert_uint_eq(mailbox_transcript_count(f.mb), 5000);
    ck_assert(mailbox_transcript_first(f.mb) > 0);
    /* The newest lines are kept: the last TOP reply ends the transcript. */
    const struct mailbox_line *last =
        mailbox_transcript_at(f.mb, mailbox_transcript_count(f.mb) - 1);
    ck_assert_ptr_nonnull(last);
    fx_done(&f);
}
END_TEST

/* --- servers without TOP or UIDL ---------------------------------------------- */

START_TEST(test_without_top)
{
    struct fx f;
    fx_init_sample(&f);
    f.opts.top = false;
    fx_open(&f);
    wait_phase(&f, MAILBOX_READY);
    ck_assert_uint_eq(mailbox_loaded_count(f.mb), SAMPLE_COUNT);
    for (size_t i = 0; i < SAMPLE_COUNT; i++)
        ck_assert(mailbox_at(f.mb, i)->loaded);
    ck_assert_ptr_nonnull(strstr(mailbox_at(f.mb, 23)->subject, "^["));
    ck_assert_ptr_nonnull(strstr(mailbox_notice(f.mb), "TOP"));
    ck_assert_int_ge(find_command(f.mb, 0, "RETR 28"), 0);
    /* and no preview without TOP */
    f.changed = 0;
    mailbox_fetch_preview(f.mb, 0, 5);
    ck_assert(wait_for(&f, message_arrived, NULL, WAIT_MS));
    const char *error = NULL;
    ck_assert(!mailbox_take_message(f.mb, NULL, NULL, &error));
    ck_assert_ptr_nonnull(error);
    ck_assert_ptr_nonnull(strstr(error, "TOP"));
    fx_done(&f);
}
END_TEST

START_TEST(test_without_uidl)
{
    struct fx f;
    fx_init_sample(&f);
    f.opts.uidl = false;
    fx_open(&f);
    wait_phase(&f, MAILBOX_READY);
    for (size_t i = 0; i < SAMPLE_COUNT; i++) {
        ck_assert_ptr_null(mailbox_at(f.mb, i)->uid);
        ck_assert(mailbox_at(f.mb, i)->loaded);
    }
    fx_done(&f);
}
END_TEST

/* --- connection loss and reconnecting ------------------------------------------ */

START_TEST(test_connection_lost_while_idle)
{
    struct fx f;
    fx_init_sample(&f);
    fx_open(&f);
    wait_phase(&f, MAILBOX_READY);
    mark_and_wait(&f, 0);
    fx_drop_servers(&f); /* the server goes away; nobody presses a key */
    wait_phase(&f, MAILBOX_FAILED);
    const char *e = mailbox_error(f.mb);
    ck_assert_ptr_nonnull(e);
    ck_assert_ptr_nonnull(strstr(e, "demo.popview.invalid"));
    ck_assert_ptr_nonnull(strstr(e, "nothing was deleted"));
    ck_assert_int_eq(mailbox_failed_in(f.mb), MAILBOX_READY);
    ck_assert_int_eq(mailbox_pop3_state(f.mb), POP3_STATE_DISCONNECTED);
    ck_assert_uint_eq(demo_mailbox_count(f.dm), SAMPLE_COUNT);
    /* Quitting now: closed, and it says nothing was deleted. */
    mailbox_quit(f.mb, true);
    wait_phase(&f, MAILBOX_CLOSED);
    ck_assert_ptr_nonnull(strstr(mailbox_error(f.mb), "nothing was deleted"));
    ck_assert_uint_eq(demo_mailbox_count(f.dm), SAMPLE_COUNT);
    fx_done(&f);
}
END_TEST

START_TEST(test_connection_lost_while_loading)
{
    struct fx f;
    fx_init_many(&f, 300);
    f.opts.reply_delay_ms = 5;
    fx_open(&f);
    enum mailbox_phase loading = MAILBOX_LOADING;
    ck_assert(wait_for(&f, phase_is, &loading, WAIT_MS));
    fx_drop_servers(&f);
    wait_phase(&f, MAILBOX_FAILED);
    ck_assert_ptr_nonnull(strstr(mailbox_error(f.mb), "nothing was deleted"));
    ck_assert(mailbox_loaded_count(f.mb) < 300);
    /* A fetch now is refused with a sentence. */
    f.changed = 0;
    mailbox_fetch(f.mb, 0);
    ck_assert(wait_for(&f, message_arrived, NULL, WAIT_MS));
    const char *error = NULL;
    ck_assert(!mailbox_take_message(f.mb, NULL, NULL, &error));
    ck_assert_ptr_nonnull(error);
    /* Reconnecting loads the rest. */
    mailbox_reconnect(f.mb);
    wait_phase(&f, MAILBOX_READY);
    ck_assert_uint_eq(mailbox_loaded_count(f.mb), 300);
    ck_assert_ptr_null(mailbox_error(f.mb));
    fx_done(&f);
}
END_TEST

/* Deletes message 1 in a session of its own, so numbers shift by one. */
static void delete_first_message(struct fx *f)
{
    int fd = fx_connect(f);
    ck_assert_int_ge(fd, 0);
    struct pop3_config cfg = {.host = "demo.popview.invalid", .tls = POP3_TLS_NONE};
    struct pop3_session *s = NULL;
    struct pv_error err;
    pv_error_clear(&err);
    ck_assert_int_eq(pop3_session_open_stream(&cfg, net_stream_from_fd(fd, 10000), &s, &err),
                     POP3_OK);
    struct pop3_credentials cred = {.user = "demo", .secret = PASSWORD};
    ck_assert_msg(pop3_session_login(s, &cred, &err) == POP3_OK, "%s", err.msg);
    ck_assert_int_eq(pop3_session_dele(s, 1, &err), POP3_OK);
    ck_assert_int_eq(pop3_session_quit(s, NULL, &err), POP3_OK);
    pop3_session_free(&s);
}

START_TEST(test_reconnect_restores_marks_by_uidl)
{
    struct fx f;
    fx_init_sample(&f);
    fx_open(&f);
    wait_phase(&f, MAILBOX_READY);
    mailbox_reconnect(f.mb); /* connected: ignored */
    mark_and_wait(&f, 2);    /* 03-pop3-uidl */
    mark_and_wait(&f, 4);    /* 05-german-latin1 */
    fx_drop_servers(&f);
    wait_phase(&f, MAILBOX_FAILED);
    delete_first_message(&f);
    ck_assert_uint_eq(demo_mailbox_count(f.dm), SAMPLE_COUNT - 1);

    uint64_t seq = transcript_end(f.mb);
    f.nseen = 1;
    f.seen[0] = MAILBOX_FAILED;
    mailbox_reconnect(f.mb);
    wait_phase(&f, MAILBOX_READY);
    ck_assert_int_eq(f.seen[1], MAILBOX_CONNECTING);
    ck_assert_uint_eq(mailbox_count(f.mb), SAMPLE_COUNT - 1);
    /* every summary kept by UIDL: nothing loaded again */
    ck_assert_uint_eq(mailbox_loaded_count(f.mb), SAMPLE_COUNT - 1);
    ck_assert_int_lt(find_line(f.mb, seq, "TOP "), 0);
    ck_assert(mailbox_load_rate(f.mb) == 0.0); /* nothing crossed the network */
    ck_assert_str_eq(mailbox_at(f.mb, 6)->uid, "08-japanese-iso2022jp");
    ck_assert(strlen(mailbox_at(f.mb, 6)->subject) > 0);
    /* marks wait for the server's answers */
    wait_settled(&f);
    for (size_t i = 0; i < 30 && mailbox_marked_count(f.mb) < 2; i++)
        pump(&f, 100);
    ck_assert_uint_eq(mailbox_marked_count(f.mb), 2);
    ck_assert_str_eq(mailbox_at(f.mb, 1)->uid, "03-pop3-uidl");
    ck_assert(mailbox_at(f.mb, 1)->marked);
    ck_assert_str_eq(mailbox_at(f.mb, 3)->uid, "05-german-latin1");
    ck_assert(mailbox_at(f.mb, 3)->marked);
    /* under the new numbers, never the old ones */
    ck_assert_int_ge(find_command(f.mb, seq, "DELE 2"), 0);
    ck_assert_int_ge(find_command(f.mb, seq, "DELE 4"), 0);
    ck_assert_int_lt(find_command(f.mb, seq, "DELE 3"), 0);
    ck_assert_int_lt(find_command(f.mb, seq, "DELE 5"), 0);
    /* and they are real: QUIT deletes exactly those */
    mailbox_quit(f.mb, true);
    wait_phase(&f, MAILBOX_CLOSED);
    ck_assert_uint_eq(demo_mailbox_count(f.dm), SAMPLE_COUNT - 3);
    ck_assert_int_eq(demo_mailbox_find_uidl(f.dm, "03-pop3-uidl"), -1);
    ck_assert_int_eq(demo_mailbox_find_uidl(f.dm, "05-german-latin1"), -1);
    fx_done(&f);
}
END_TEST

static bool notice_has(struct fx *f, const void *arg)
{
    const char *n = mailbox_notice(f->mb);
    return n && strstr(n, arg);
}

START_TEST(test_reconnect_without_uidl_drops_marks)
{
    struct fx f;
    fx_init_sample(&f);
    f.opts.uidl = false;
    fx_open(&f);
    wait_phase(&f, MAILBOX_READY);
    mark_and_wait(&f, 2);
    fx_drop_servers(&f);
    wait_phase(&f, MAILBOX_FAILED);
    mailbox_reconnect(f.mb);
    ck_assert(wait_for(&f, notice_has, "dropped", WAIT_MS));
    wait_phase(&f, MAILBOX_READY);
    ck_assert_uint_eq(mailbox_marked_count(f.mb), 0);
    ck_assert_uint_eq(mailbox_loaded_count(f.mb), SAMPLE_COUNT); /* loaded again */
    fx_done(&f);
}
END_TEST

START_TEST(test_reconnect_needs_secret)
{
    struct fx f;
    fx_init_sample(&f);
    fx_open(&f);
    wait_phase(&f, MAILBOX_READY);
    f.give_secret = false;
    fx_drop_servers(&f);
    wait_phase(&f, MAILBOX_FAILED);
    mailbox_reconnect(f.mb);
    enum mailbox_phase connecting = MAILBOX_CONNECTING;
    ck_assert(wait_for(&f, phase_is, &connecting, WAIT_MS));
    wait_phase(&f, MAILBOX_FAILED);
    ck_assert_ptr_nonnull(strstr(mailbox_error(f.mb), "cannot log in"));
    fx_done(&f);
}
END_TEST

/* --- keep-alive ------------------------------------------------------------------ */

START_TEST(test_keepalive)
{
    struct fx f;
    fx_init_sample(&f);
    fx_open(&f);
    wait_phase(&f, MAILBOX_READY);
    uint64_t seq = transcript_end(f.mb);
    mailbox_keepalive(f.mb, 3600); /* not idle that long */
    for (int i = 0; i < 3; i++)
        pump(&f, 50);
    ck_assert_int_lt(find_command(f.mb, seq, "NOOP"), 0);
    usleep(1100 * 1000);
    mailbox_keepalive(f.mb, 1);
    ck_assert(wait_for(&f, notice_has, "NOOP", WAIT_MS));
    ck_assert_int_ge(find_command(f.mb, seq, "NOOP"), 0);
    fx_done(&f);
}
END_TEST

/* --- sorting and search ------------------------------------------------------------ */

START_TEST(test_sort)
{
    struct fx f;
    fx_init_sample(&f);
    fx_open(&f);
    mailbox_sort(f.mb, MAILBOX_SORT_DATE, false); /* no rows yet */
    ck_assert_uint_eq(mailbox_row_index(f.mb, 0), (size_t)-1);
    mailbox_sort(f.mb, MAILBOX_SORT_NUMBER, false);
    wait_phase(&f, MAILBOX_READY);
    bool rev = true;
    ck_assert_int_eq(mailbox_sort_key(f.mb, &rev), MAILBOX_SORT_NUMBER);
    ck_assert(!rev);
    ck_assert_uint_eq(mailbox_row_index(f.mb, SAMPLE_COUNT), (size_t)-1);
    mailbox_sort(f.mb, MAILBOX_SORT_SIZE, false);
    for (size_t r = 1; r < SAMPLE_COUNT; r++)
        ck_assert(mailbox_at(f.mb, mailbox_row_index(f.mb, r - 1))->size <=
                  mailbox_at(f.mb, mailbox_row_index(f.mb, r))->size);
    ck_assert_uint_eq(mailbox_row_index(f.mb, SAMPLE_COUNT - 1), 14); /* the 1.5 MB one */
    mailbox_sort(f.mb, MAILBOX_SORT_DATE, true);
    ck_assert_int_eq(mailbox_sort_key(f.mb, &rev), MAILBOX_SORT_DATE);
    ck_assert(rev);
    for (size_t r = 1; r < SAMPLE_COUNT; r++)
        ck_assert(mailbox_at(f.mb, mailbox_row_index(f.mb, r - 1))->date >=
                  mailbox_at(f.mb, mailbox_row_index(f.mb, r))->date);
    mailbox_sort(f.mb, MAILBOX_SORT_NUMBER, true);
    ck_assert_uint_eq(mailbox_row_index(f.mb, 0), SAMPLE_COUNT - 1);
    for (size_t i = 0; i < SAMPLE_COUNT; i++)
        ck_assert_uint_eq(mailbox_row_index(f.mb, mailbox_index_row(f.mb, i)), i);
    /* stable: equal subjects (the garden thread's replies) keep server order */
    mailbox_sort(f.mb, MAILBOX_SORT_SUBJECT, false);
    size_t prev = 0;
    bool seen = false;
    for (size_t r = 0; r < SAMPLE_COUNT; r++) {
        size_t i = mailbox_row_index(f.mb, r);
        if (strcmp(mailbox_at(f.mb, i)->subject, "Re: Community garden workday on 20 April"))
            continue;
        ck_assert(!seen || i > prev);
        prev = i;
        seen = true;
    }
    ck_assert(seen);
    fx_done(&f);
}
END_TEST

static bool some_loaded(struct fx *f, const void *arg)
{
    (void)arg;
    return mailbox_loaded_count(f->mb) >= 5;
}

START_TEST(test_sort_unloaded_last)
{
    struct fx f;
    fx_init_many(&f, 100);
    f.opts.reply_delay_ms = 20;
    fx_open(&f);
    ck_assert(wait_for(&f, some_loaded, NULL, WAIT_MS));
    static const enum mailbox_sort keys[] = {MAILBOX_SORT_DATE, MAILBOX_SORT_FROM,
                                             MAILBOX_SORT_SUBJECT};
    for (size_t k = 0; k < PV_ARRAY_LEN(keys); k++) {
        for (int rev = 0; rev < 2; rev++) {
            mailbox_sort(f.mb, keys[k], rev);
            bool unloaded_seen = false;
            for (size_t r = 0; r < mailbox_count(f.mb); r++) {
                bool loaded = mailbox_at(f.mb, mailbox_row_index(f.mb, r))->loaded;
                ck_assert_msg(!(loaded && unloaded_seen), "loaded row %zu after unloaded", r);
                unloaded_seen |= !loaded;
            }
            ck_assert(unloaded_seen);
        }
    }
    fx_done(&f);
}
END_TEST

START_TEST(test_search)
{
    struct fx f;
    fx_init_sample(&f);
    fx_open(&f);
    ck_assert(!mailbox_search(f.mb, "workday", 0, false, NULL)); /* no rows yet */
    wait_phase(&f, MAILBOX_READY);
    size_t row = 99;
    ck_assert(!mailbox_search(f.mb, NULL, 0, false, &row));
    ck_assert(!mailbox_search(f.mb, "", 0, false, &row));
    ck_assert(!mailbox_search(f.mb, "no such text anywhere", 0, false, &row));
    ck_assert(mailbox_search(f.mb, "GARDEN", 0, false, &row));
    ck_assert_uint_eq(row, 12); /* "Garden budget" */
    ck_assert(mailbox_search(f.mb, "WorkDay", 0, false, &row));
    ck_assert_uint_eq(row, 15);
    ck_assert(mailbox_search(f.mb, "workday", 16, false, &row));
    ck_assert_uint_eq(row, 16);
    ck_assert(mailbox_search(f.mb, "workday", 21, false, &row)); /* wraps */
    ck_assert_uint_eq(row, 15);
    ck_assert(mailbox_search(f.mb, "workday", 14, true, &row)); /* wraps backwards */
    ck_assert_uint_eq(row, 20);
    ck_assert(mailbox_search(f.mb, "workday", 1000, true, &row)); /* past the end */
    ck_assert_uint_eq(row, 20);
    ck_assert(mailbox_search(f.mb, "amara okafor", 0, false, &row)); /* From too */
    ck_assert_uint_eq(row, 15);
    /* UTF-8 compared exactly */
    ck_assert(mailbox_search(f.mb, "\xe3\x81\x8a\xe8\x8a\xb1", 0, false, &row));
    ck_assert_uint_eq(row, 7);
    fx_done(&f);
}
END_TEST

/* --- commands typed by hand, the server snapshot, folding counts ------------------- */
/*
 *   void mailbox_raw_command(struct mailbox *mb, const char *line);
 *   const struct mailbox_server_info *mailbox_server_info(const struct mailbox *mb);
 *   struct mailbox_line: data_lines, data_octets
 */

/* Whether a command line was sent at or after seq. */
static bool client_line_after(const struct mailbox *mb, uint64_t seq)
{
    uint64_t first = mailbox_transcript_first(mb);
    for (size_t i = seq > first ? (size_t)(seq - first) : 0; i < mailbox_transcript_count(mb); i++)
        if (mailbox_transcript_at(mb, i)->kind == MAILBOX_LINE_CLIENT)
            return true;
    return false;
}

static void raw_and_wait(struct fx *f, const char *line, const char *notice)
{
    mailbox_raw_command(f->mb, line);
    ck_assert_msg(wait_for(f, notice_has, notice, WAIT_MS), "no notice '%s' after '%s' (last: %s)",
                  notice, line, mailbox_notice(f->mb) ? mailbox_notice(f->mb) : "none");
}

START_TEST(test_raw_command_refusals)
{
    struct fx f;
    fx_init_sample(&f);
    fx_open(&f);
    raw_and_wait(&f, "USER x", "popview is still logging in"); /* CONNECTING */
    wait_phase(&f, MAILBOX_READY);
    ck_assert_int_lt(find_command(f.mb, 0, "USER x"), 0);
    uint64_t seq = transcript_end(f.mb);
    mailbox_raw_command(f.mb, NULL);
    mailbox_raw_command(f.mb, "");
    raw_and_wait(&f, "xyzzy 1", "not a POP3 command");
    raw_and_wait(&f, "quit", "QUIT cannot be typed by hand");
    raw_and_wait(&f, "STLS", "STLS cannot be typed by hand");
    ck_assert(!client_line_after(f.mb, seq));
    ck_assert_int_eq(mailbox_phase(f.mb), MAILBOX_READY);
    mailbox_quit(f.mb, false);
    raw_and_wait(&f, "NOOP", "the session is ending");
    ck_assert_int_lt(find_command(f.mb, seq, "NOOP"), 0);
    fx_done(&f);
}
END_TEST

static bool message_marked(struct fx *f, const void *arg)
{
    return mailbox_at(f->mb, *(const size_t *)arg)->marked;
}

START_TEST(test_raw_command_reply_and_marks)
{
    struct fx f;
    fx_init_sample(&f);
    fx_open(&f);
    wait_phase(&f, MAILBOX_READY);
    uint64_t seq = transcript_end(f.mb);
    raw_and_wait(&f, "noop", "NOOP: the server said +OK");
    long long noop = find_command(f.mb, seq, "NOOP");
    ck_assert_int_ge(noop, 0);
    ck_assert_int_gt(find_line(f.mb, (uint64_t)noop, "+OK"), noop);
    /* Not allowed after login: sent all the same, the server refuses. */
    raw_and_wait(&f, "user x", "USER: the server said -ERR");
    ck_assert_int_ge(find_command(f.mb, seq, "USER x"), 0);
    ck_assert_int_eq(mailbox_phase(f.mb), MAILBOX_READY);
    /* A multi-line reply: each data line counts itself, the "." nothing. */
    uint64_t before_list = transcript_end(f.mb);
    raw_and_wait(&f, "LIST", "LIST: the server said +OK");
    long long list = find_command(f.mb, before_list, "LIST");
    ck_assert_int_ge(list, 0);
    size_t at = (size_t)(list - (long long)mailbox_transcript_first(f.mb));
    const struct mailbox_line *status = mailbox_transcript_at(f.mb, at + 1);
    ck_assert_int_eq(status->kind, MAILBOX_LINE_SERVER);
    ck_assert_uint_eq(status->data_lines, 0);
    const struct mailbox_line *first = mailbox_transcript_at(f.mb, at + 2);
    ck_assert_int_eq(first->kind, MAILBOX_LINE_DATA);
    ck_assert_msg(strncmp(first->text, "1 ", 2) == 0, "first LIST line: %s", first->text);
    ck_assert_uint_eq(first->data_lines, 1);
    ck_assert_uint_eq(first->data_octets, strlen(first->text) + 2);
    const struct mailbox_line *end = mailbox_transcript_at(f.mb, at + 2 + SAMPLE_COUNT);
    ck_assert_str_eq(end->text, ".");
    ck_assert_uint_eq(end->data_lines, 0);
    ck_assert_uint_eq(end->data_octets, 0);
    /* DELE and RSET typed by hand: the marks follow the server. */
    raw_and_wait(&f, "DELE 2", "DELE: the server said +OK");
    size_t second = 1;
    ck_assert(wait_for(&f, message_marked, &second, WAIT_MS));
    ck_assert_uint_eq(mailbox_marked_count(f.mb), 1);
    raw_and_wait(&f, "rset", "RSET: the server said +OK");
    ck_assert_uint_eq(mailbox_marked_count(f.mb), 0);
    ck_assert(!mailbox_at(f.mb, 1)->marked);
    /* A password typed by hand is never shown, and never kept. */
    char pass[128];
    snprintf(pass, sizeof pass, "PASS %s", PASSWORD);
    raw_and_wait(&f, pass, "PASS: the server said -ERR");
    ck_assert_int_ge(find_command(f.mb, seq, "PASS ****"), 0);
    ck_assert(!transcript_has_password(f.mb));
    ck_assert_ptr_null(strstr(mailbox_notice(f.mb), PASSWORD));
    fx_done(&f);
}
END_TEST

START_TEST(test_server_info)
{
    struct fx f;
    fx_init_sample(&f);
    fx_open(&f);
    const struct mailbox_server_info *info = mailbox_server_info(f.mb);
    ck_assert_ptr_nonnull(info);
    ck_assert(!info->known);
    wait_phase(&f, MAILBOX_READY);
    ck_assert(f.changed & MAILBOX_CHANGED_SERVER);
    info = mailbox_server_info(f.mb);
    ck_assert(info->known && info->logged_in);
    ck_assert_ptr_nonnull(strchr(info->greeting, '<')); /* the APOP timestamp */
    ck_assert(info->apop);
    ck_assert(info->capa_known);
    bool pipelining = false, implementation = false;
    for (size_t i = 0; i < info->capa_count; i++) {
        pipelining |= strcmp(info->capa[i], "PIPELINING") == 0;
        implementation |= strncmp(info->capa[i], "IMPLEMENTATION popview-demo", 27) == 0;
    }
    ck_assert(pipelining && implementation);
    ck_assert_str_eq(info->auth_mech, "APOP"); /* AUTO over a plain connection */
    ck_assert(!info->tls);
    ck_assert_int_ge(mailbox_idle_ms(f.mb), 0);
    fx_done(&f);
}
END_TEST

START_TEST(test_transcript_counts_for_folding)
{
    struct fx f;
    fx_init_sample(&f);
    fx_open(&f);
    wait_phase(&f, MAILBOX_READY);
    uint64_t seq = transcript_end(f.mb);
    f.changed = 0;
    mailbox_fetch(f.mb, 14); /* 1.5 MB: most of its lines are not kept */
    ck_assert(wait_for(&f, message_arrived, NULL, WAIT_MS));
    struct pv_spool *msg = NULL;
    ck_assert(mailbox_take_message(f.mb, NULL, &msg, NULL));
    const char *data = pv_spool_data(msg);
    size_t len = pv_spool_len(msg);
    size_t want_lines = 0;
    for (size_t i = 0; i + 1 < len; i++)
        if (data[i] == '\r' && data[i + 1] == '\n')
            want_lines++;
    pv_spool_free(&msg);
    long long retr = find_command(f.mb, seq, "RETR 15");
    ck_assert_int_ge(retr, 0);
    uint64_t lines = 0, octets = 0;
    bool info_seen = false, ended = false;
    size_t i = (size_t)(retr - (long long)mailbox_transcript_first(f.mb)) + 2;
    for (; i < mailbox_transcript_count(f.mb) && !ended; i++) {
        const struct mailbox_line *l = mailbox_transcript_at(f.mb, i);
        if (l->kind == MAILBOX_LINE_INFO && l->data_lines)
            info_seen = true;
        ended = l->kind == MAILBOX_LINE_DATA && l->data_lines == 0;
        lines += l->data_lines;
        octets += l->data_octets;
    }
    ck_assert(ended && info_seen);
    ck_assert_uint_eq(lines, want_lines);
    ck_assert_uint_eq(octets, len);
    fx_done(&f);
}
END_TEST

static Suite *mailbox_suite(void)
{
    Suite *s = suite_create("mailbox");
    struct {
        const char *name;
        const TTest *test;
        int loops;
    } cases[] = {
        {"open", test_open_null_config, 0},
        {"open", test_open_phases_and_summaries, 0},
        {"open", test_open_bad_password, 0},
        {"event_fd", test_event_fd, 0},
        {"phase_name", test_phase_name, 0},
        {"prioritize", test_prioritize_loads_screen_first, 0},
        {"prioritize", test_prioritize_follows_sort_order, 0},
        {"mark", test_mark, 0},
        {"unmark", test_unmark_one_of_three, 0},
        {"unmark_all", test_unmark_all, 0},
        {"fetch", test_fetch, 0},
        {"fetch", test_fetch_superseded, 0},
        {"fetch_preview", test_fetch_preview, 0},
        {"quit", test_quit_commit_deletes_marked, 0},
        {"quit", test_quit_without_commit_deletes_nothing, 0},
        {"free", test_free_without_quit_deletes_nothing, 0},
        {"free", test_free_is_prompt_while_loading, 0},
        {"free", test_free_is_prompt_while_connecting, 0},
        {"transcript", test_transcript_masks_secret, 3},
        {"transcript", test_transcript_sanitized_and_cut, 0},
        {"transcript", test_transcript_bounded, 0},
        {"fallbacks", test_without_top, 0},
        {"fallbacks", test_without_uidl, 0},
        {"lost", test_connection_lost_while_idle, 0},
        {"lost", test_connection_lost_while_loading, 0},
        {"reconnect", test_reconnect_restores_marks_by_uidl, 0},
        {"reconnect", test_reconnect_without_uidl_drops_marks, 0},
        {"reconnect", test_reconnect_needs_secret, 0},
        {"keepalive", test_keepalive, 0},
        {"sort", test_sort, 0},
        {"sort", test_sort_unloaded_last, 0},
        {"search", test_search, 0},
        {"raw_command", test_raw_command_refusals, 0},
        {"raw_command", test_raw_command_reply_and_marks, 0},
        {"server_info", test_server_info, 0},
        {"transcript_counts", test_transcript_counts_for_folding, 0},
    };
    TCase *tc = NULL;
    const char *current = "";
    for (size_t i = 0; i < PV_ARRAY_LEN(cases); i++) {
        if (strcmp(cases[i].name, current) != 0) {
            tc = tcase_create(cases[i].name);
            tcase_set_timeout(tc, 120);
            suite_add_tcase(s, tc);
            current = cases[i].name;
        }
        if (cases[i].loops)
            tcase_add_loop_test(tc, cases[i].test, 0, cases[i].loops);
        else
            tcase_add_test(tc, cases[i].test);
    }
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(mailbox_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
