/*
 * --summary: one row per message from LIST, UIDL and TOP n 0 — number,
 * UIDL, size, date, from, subject — decoded for a person and sanitized,
 * printed as each header arrives (pipelined replies come in order, so rows
 * stream out in message order).  Without TOP the headers are cut from RETR,
 * with a warning.  Never sends DELE; ends with QUIT.
 *
 * The header cache (the mailbox layer's, shared with the browser) answers
 * for messages seen before, by UIDL and size: only the others are asked
 * for with TOP, and their rows still come out in message order.
 * --no-cache (and --demo) leave it alone.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <popview/util.h>

#include <popview/pop3.h>

#include <popview/mail.h>

#include <popview/mailbox.h>

#include <popview/i18n.h>

#include "cli.h"

/* Header blocks larger than this are cut: enough for any real message. */
enum { HEADER_CAP = 256 * 1024, TEXT_FROM_COLS = 24, TEXT_UIDL_COLS = 16 };

/*
 * A message whose TOP (or RETR) was answered -ERR.  Its row waits until a
 * later reply arrives or the batch ends well: the engine reports the
 * replies lost with a broken connection in the same way, and those were
 * not refused by the server (the batch's own error says what happened).
 */
struct refusal {
    const struct pop3_listing *m;
    char *server_text;
};

struct summary {
    const struct cli_options *opts;
    FILE *out;
    const struct pop3_listing *list;
    size_t count;
    size_t next; /* index in list of the message being received */
    struct pv_buf header;
    bool header_done; /* the empty line after the header was seen */
    bool line_start;
    unsigned failed;
    struct refusal *refused; /* in message order, not yet printed */
    size_t refused_n;
    struct mailbox_cache *cache;     /* or NULL */
    struct mailbox_headline *cached; /* per index: from != NULL when the cache knew it */
    size_t flushed;                  /* indices below this had their turn to print */
};

static const struct pop3_listing *find_listing(const struct summary *sm, unsigned msgno)
{
    /* Replies come in the order asked, so the next one is almost always it. */
    if (sm->next < sm->count && sm->list[sm->next].msgno == msgno)
        return &sm->list[sm->next];
    for (size_t i = 0; i < sm->count; i++)
        if (sm->list[i].msgno == msgno)
            return &sm->list[i];
    return NULL;
}

static void summary_begin(void *ctx, unsigned msgno)
{
    struct summary *sm = ctx;
    (void)msgno;
    pv_buf_reset(&sm->header);
    sm->header_done = false;
    sm->line_start = true;
}

static bool summary_data(void *ctx, const char *data, size_t len, bool line_end)
{
    struct summary *sm = ctx;
    if (sm->header_done)
        return false; /* RETR fallback: the body is not needed */
    if (sm->line_start && len == 0 && line_end) {
        sm->header_done = true;
        return false;
    }
    bool ok = pv_buf_append(&sm->header, data, len) &&
              (!line_end || pv_buf_append(&sm->header, "\r\n", 2));
    (void)ok; /* past HEADER_CAP the rest of a huge header is dropped */
    sm->line_start = line_end;
    return true;
}

/* Decoded, sanitized, one line: a field ready to print. */
static char *field_text(char *decoded)
{
    struct pv_buf b;
    pv_buf_init(&b, 0);
    mail_sanitize(decoded, strlen(decoded), MAIL_SANITIZE_ONE_LINE, &b);
    free(decoded);
    return pv_buf_steal(&b, NULL);
}

struct row {
    char *from;
    char *subject;
    char iso_date[40];
    char short_date[20];
};

/* From a decoded headline, fresh or cached: the same row either way. */
static void row_from_headline(struct row *r, const struct mailbox_headline *hl)
{
    r->from = field_text(pv_xstrdup(hl->from ? hl->from : ""));
    r->subject = field_text(pv_xstrdup(hl->subject ? hl->subject : ""));
    r->iso_date[0] = r->short_date[0] = '\0';
    if (hl->has_date) {
        mail_date_format_iso(hl->date, hl->tz_offset_min, r->iso_date, sizeof r->iso_date);
        /* "2025-03-02T14:05:00+01:00" -> "2025-03-02 14:05" */
        snprintf(r->short_date, sizeof r->short_date, "%.10s %.5s", r->iso_date, r->iso_date + 11);
    }
}

static void print_row_tsv(FILE *out, const struct pop3_listing *m, const struct row *r)
{
    fprintf(out, "%u\t%s\t%llu\t%s\t%s\t%s\n", m->msgno, m->uid ? m->uid : "",
            (unsigned long long)m->size, r->iso_date, r->from, r->subject);
}

static void print_row_text(FILE *out, const struct pop3_listing *m, const struct row *r)
{
    char size[16];
    pv_format_size(m->size, size, sizeof size);
    struct pv_buf uid, from;
    pv_buf_init(&uid, 0);
    pv_buf_init(&from, 0);
    cli_text_fit(m->uid ? m->uid : "-", TEXT_UIDL_COLS, &uid);
    cli_text_fit(r->from, TEXT_FROM_COLS, &from);
    fprintf(out, "%5u  %s  %8s  %-16s  %s  %s\n", m->msgno, uid.data, size,
            r->short_date[0] ? r->short_date : "-", from.data, r->subject);
    pv_buf_free(&uid);
    pv_buf_free(&from);
}

static void print_row(struct summary *sm, const struct pop3_listing *m,
                      const struct mailbox_headline *hl)
{
    struct row r;
    row_from_headline(&r, hl);
    if (sm->opts->format == CLI_FORMAT_TSV)
        print_row_tsv(sm->out, m, &r);
    else
        print_row_text(sm->out, m, &r);
    free(r.from);
    free(r.subject);
}

/* "message 2: the server refused its header: <advice> (server: "-ERR ...")"
 * when the reply has a response code (RFC 2449 section 8), else the
 * server's words alone. */
static void print_refusal(const struct refusal *f)
{
    const char *t = f->server_text;
    const char *close = t[0] == '[' ? strchr(t, ']') : NULL;
    const char *advice =
        close ? pop3_resp_code_advice(pop3_resp_code_from_text(t, (size_t)(close - t) + 1)) : NULL;
    char *line = advice ? pv_xasprintf(_("message %u: the server refused its header: %s (server: "
                                         "\"-ERR %s\")"),
                                       f->m->msgno, advice, t)
                        : pv_xasprintf(_("message %u: the server refused its header: -ERR %s"),
                                       f->m->msgno, t);
    cli_print_error(line);
    free(line);
}

/* Prints the rows the cache knew of the messages before index end (the
 * others before it were printed as their replies came). */
static void print_cached_until(struct summary *sm, size_t end)
{
    for (; sm->flushed < end && sm->flushed < sm->count; sm->flushed++)
        if (sm->cached && sm->cached[sm->flushed].from)
            print_row(sm, &sm->list[sm->flushed], &sm->cached[sm->flushed]);
}

/* Prints the refused messages' rows (empty but for LIST's and UIDL's
 * columns) with one line on stderr each, or (print false) forgets them. */
static void settle_refusals(struct summary *sm, bool print)
{
    for (size_t i = 0; i < sm->refused_n; i++) {
        if (print) {
            print_cached_until(sm, (size_t)(sm->refused[i].m - sm->list));
            print_refusal(&sm->refused[i]);
            sm->failed++;
            char none[] = "";
            struct mailbox_headline empty = {.from = none, .subject = none};
            print_row(sm, sm->refused[i].m, &empty);
        }
        free(sm->refused[i].server_text);
    }
    free(sm->refused);
    sm->refused = NULL;
    sm->refused_n = 0;
}

static void summary_done(void *ctx, unsigned msgno, bool ok, const char *server_text)
{
    struct summary *sm = ctx;
    const struct pop3_listing *m = find_listing(sm, msgno);
    if (m)
        sm->next = (size_t)(m - sm->list) + 1;
    if (!m)
        return;
    if (!ok) {
        sm->refused = pv_xreallocarray(sm->refused, sm->refused_n + 1, sizeof *sm->refused);
        sm->refused[sm->refused_n++] =
            (struct refusal){.m = m, .server_text = pv_xstrdup(server_text)};
        return;
    }
    /* A reply came after them, so those -ERR were the server's answers. */
    settle_refusals(sm, true);
    print_cached_until(sm, (size_t)(m - sm->list));
    struct mailbox_headline hl;
    mailbox_headline_from_header(sm->header.data ? sm->header.data : "", sm->header.len, &hl);
    mailbox_cache_put(sm->cache, m->uid, m->size, &hl);
    print_row(sm, m, &hl);
    mailbox_headline_clear(&hl);
}

/* The headlines the cache knows (copies of the structs: the cache may move
 * its array, but not the strings). */
static void take_from_cache(struct summary *sm)
{
    if (!sm->cache)
        return;
    sm->cached = pv_xcalloc(sm->count ? sm->count : 1, sizeof *sm->cached);
    for (size_t i = 0; i < sm->count; i++) {
        const struct mailbox_headline *hl =
            mailbox_cache_lookup(sm->cache, sm->list[i].uid, sm->list[i].size);
        if (!hl)
            continue;
        sm->cached[i] = *hl;
    }
}

/* Writes the cache when it changed; a failure is worth a line, not the
 * run's exit code.  Frees the cache. */
static void save_cache(struct summary *sm)
{
    struct pv_error err;
    pv_error_clear(&err);
    if (!mailbox_cache_save(sm->cache, sm->list, sm->count, &err))
        cli_print_error(err.msg);
    mailbox_cache_free(&sm->cache);
    free(sm->cached);
    sm->cached = NULL;
}

static enum pop3_status fetch_headers(struct pop3_session *s, struct summary *sm,
                                      struct pv_error *err)
{
    unsigned *nums = pv_xcalloc(sm->count ? sm->count : 1, sizeof *nums);
    size_t n = 0;
    for (size_t i = 0; i < sm->count; i++)
        if (!sm->cached || !sm->cached[i].from)
            nums[n++] = sm->list[i].msgno;
    if (n == 0) {
        free(nums);
        return POP3_OK; /* every header came from the cache */
    }
    struct pop3_batch_handler h = {
        .begin = summary_begin, .data = summary_data, .done = summary_done, .ctx = sm};
    enum pop3_status st = pop3_session_top_batch(s, nums, n, 0, &h, err);
    if (st == POP3_ERR_UNSUPPORTED) {
        fprintf(stderr, _("popview: the server does not support TOP; reading whole messages to "
                          "get their headers (slower, nothing is deleted)\n"));
        st = pop3_session_retr_batch(s, nums, n, &h, err);
    }
    free(nums);
    return st;
}

enum cli_exit cli_run_summary(const struct cli_options *opts, struct cli_trace *trace, int demo_fd,
                              FILE *out)
{
    struct pv_error err;
    pv_error_clear(&err);
    struct pop3_session *s = NULL;
    char *user = NULL;
    enum cli_exit rc = cli_session_open_as(opts, trace, demo_fd, &s, &user, &err);
    if (rc != CLI_EXIT_OK) {
        cli_print_error(err.msg);
        return rc;
    }
    struct summary sm = {.opts = opts, .out = out};
    /* The demo mailbox is built in: nothing to keep. */
    if (!opts->no_cache && demo_fd < 0) {
        char *dir = mailbox_cache_dir_default();
        sm.cache = mailbox_cache_open(dir, user, opts->url->host, opts->url->port);
        free(dir);
    }
    free(user);
    pv_buf_init(&sm.header, HEADER_CAP);
    struct pop3_listing *list = NULL;
    enum pop3_status st = pop3_session_scan(s, &list, &sm.count, &err);
    sm.list = list;
    if (st == POP3_OK && opts->format == CLI_FORMAT_TEXT)
        fprintf(out, "%5s  %-*s  %8s  %-16s  %-*s  %s\n", "#", TEXT_UIDL_COLS, "UIDL", "Size",
                "Date", TEXT_FROM_COLS, "From", "Subject");
    if (st == POP3_OK)
        take_from_cache(&sm);
    if (st == POP3_OK)
        st = fetch_headers(s, &sm, &err);
    settle_refusals(&sm, st == POP3_OK);
    if (st == POP3_OK)
        print_cached_until(&sm, sm.count);
    save_cache(&sm);
    pv_buf_free(&sm.header);
    pop3_listing_free(&list, sm.count);
    if (st != POP3_OK) {
        cli_print_error(err.msg);
        pop3_session_free(&s);
        return cli_exit_for_pop3(st);
    }
    st = pop3_session_quit(s, NULL, &err);
    pop3_session_free(&s);
    if (st != POP3_OK) {
        cli_print_error(err.msg);
        return cli_exit_for_pop3(st);
    }
    return sm.failed ? CLI_EXIT_SERVER : CLI_EXIT_OK;
}
