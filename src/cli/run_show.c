/*
 * --show N: message N exactly as the pager renders it — the main headers,
 * the decoded body, the attachment list — sanitized, on stdout.  Never sends
 * DELE; ends with QUIT.
 *
 * The server is asked for the size first (LIST N, RFC 1939 section 5) and
 * that answer bounds everything after it: a size above what --show reads is
 * refused before a byte of the message is fetched, and RETR may not run far
 * past the size announced.  A server that lies about the size, or never ends
 * the message, is stopped instead of filling the disk.  The message is
 * spooled (a temporary file when large) and the parse hands its pages back
 * as it goes, so a 50 MB message costs a few MiB of memory, like the pager.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <popview/util.h>

#include <popview/pop3.h>

#include <popview/mail.h>

#include <popview/i18n.h>

#include "cli.h"

/* RETR may exceed LIST's size: a server that stores LF line ends counts one
 * octet per line end but sends CRLF (RFC 1939 section 11 allows the size to
 * be approximate), hence twice the size, plus a little for tiny messages. */
enum { SHOW_SLACK = 64 * 1024 };

static size_t show_cap(uint64_t listed)
{
    uint64_t cap = 2 * listed + SHOW_SLACK; /* listed <= CLI_SHOW_MAX: no overflow */
    return cap < CLI_SHOW_MAX ? (size_t)cap : (size_t)CLI_SHOW_MAX;
}

struct collect {
    struct pv_spool *spool;
    struct pv_error err; /* why the spool refused, when it did */
    bool over_cap;
};

/* RETR keeps CRLF line ends, as the message is on the server. */
static bool collect_line(void *ctx, const char *data, size_t len, bool line_end)
{
    struct collect *c = ctx;
    if (pv_spool_write(c->spool, data, len, &c->err) &&
        (!line_end || pv_spool_write(c->spool, "\r\n", 2, &c->err)))
        return true;
    c->over_cap = pv_spool_full(c->spool);
    return false;
}

/* LIST N: the size, refused when --show could not hold it. */
static enum pop3_status listed_size(struct pop3_session *s, unsigned msgno, uint64_t *size_out,
                                    struct pv_error *err)
{
    enum pop3_status st = pop3_session_list_one(s, msgno, size_out, err);
    if (st != POP3_OK)
        return st;
    if (*size_out > CLI_SHOW_MAX) {
        char size[16];
        pv_format_size(*size_out, size, sizeof size);
        pv_error_set(err,
                     _("message %u is %s according to the server's LIST, more than the %u MiB "
                       "--show reads; nothing was downloaded"),
                     msgno, size, (unsigned)(CLI_SHOW_MAX >> 20));
        return POP3_ERR_ABORTED;
    }
    return POP3_OK;
}

static void drop_pages(void *spool)
{
    pv_spool_drop_pages(spool);
}

static void print_rendered(struct pv_spool *msg, FILE *out)
{
    struct pv_buf text;
    pv_buf_init(&text, 0);
    struct mail_mime *m =
        mail_mime_parse_watched(pv_spool_data(msg), pv_spool_len(msg), drop_pages, msg);
    mail_render(m, pv_spool_data(msg), pv_spool_len(msg), &text);
    mail_mime_free(&m);
    fwrite(text.data ? text.data : "", 1, text.len, out);
    if (text.len && text.data[text.len - 1] != '\n')
        fputc('\n', out);
    pv_buf_free(&text);
}

/* LIST N, then RETR N into a new spool (*msg_out) under the cap LIST's
 * size sets. */
static enum pop3_status fetch_message(struct pop3_session *s, unsigned msgno,
                                      struct pv_spool **msg_out, struct pv_error *err)
{
    uint64_t listed = 0;
    enum pop3_status st = listed_size(s, msgno, &listed, err);
    if (st != POP3_OK)
        return st;
    size_t cap = show_cap(listed);
    struct collect c = {.spool = pv_spool_new(cap)};
    pv_error_clear(&c.err);
    st = pop3_session_retr(s, msgno, collect_line, &c, err);
    if (st == POP3_OK && !pv_spool_finish(c.spool, &c.err)) {
        pv_error_set(err, _("message %u could not be kept while reading it: %s"), msgno, c.err.msg);
        st = POP3_ERR_ABORTED;
    } else if (st == POP3_ERR_ABORTED && c.err.msg[0] && !c.over_cap) {
        pv_error_set(err, _("message %u could not be kept while reading it: %s"), msgno, c.err.msg);
    } else if (st == POP3_ERR_ABORTED) {
        char size[16], limit[16];
        pv_format_size(listed, size, sizeof size);
        pv_format_size(cap, limit, sizeof limit);
        pv_error_set(err,
                     _("the server sent more than %s for message %u, which its LIST gave as %s; "
                       "popview stopped reading it"),
                     limit, msgno, size);
    }
    if (st == POP3_OK)
        *msg_out = c.spool;
    else
        pv_spool_free(&c.spool);
    return st;
}

enum cli_exit cli_run_show(const struct cli_options *opts, struct cli_trace *trace, int demo_fd,
                           FILE *out)
{
    struct pv_error err;
    pv_error_clear(&err);
    struct pop3_session *s = NULL;
    enum cli_exit rc = cli_session_open(opts, trace, demo_fd, &s, &err);
    if (rc != CLI_EXIT_OK) {
        cli_print_error(err.msg);
        return rc;
    }
    struct pv_spool *msg = NULL;
    enum pop3_status st = fetch_message(s, opts->show_msg, &msg, &err);
    if (st == POP3_OK)
        print_rendered(msg, out);
    pv_spool_free(&msg);
    if (st != POP3_OK) {
        cli_print_error(err.msg);
        pop3_session_quit(s, NULL, NULL);
        pop3_session_free(&s);
        return cli_exit_for_pop3(st);
    }
    st = pop3_session_quit(s, NULL, &err);
    pop3_session_free(&s);
    if (st != POP3_OK) {
        cli_print_error(err.msg);
        return cli_exit_for_pop3(st);
    }
    return CLI_EXIT_OK;
}
