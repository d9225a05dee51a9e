/*
 * --show N: message N exactly as the pager renders it — the main headers,
 * the decoded body, the attachment list — sanitized, on stdout.  Never sends
 * DELE; ends with QUIT.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <popview/util.h>

#include <popview/pop3.h>

#include <popview/mail.h>

#include "cli.h"

/* RETR into memory keeps CRLF line ends, as the message is on the server. */
static bool collect_line(void *ctx, const char *data, size_t len, bool line_end)
{
    struct pv_buf *b = ctx;
    return pv_buf_append(b, data, len) && (!line_end || pv_buf_append(b, "\r\n", 2));
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
    struct pv_buf msg;
    pv_buf_init(&msg, CLI_SHOW_MAX);
    enum pop3_status st = pop3_session_retr(s, opts->show_msg, collect_line, &msg, &err);
    if (st == POP3_ERR_ABORTED)
        pv_error_set(&err, "message %u is larger than %u MiB, more than --show holds in memory",
                     opts->show_msg, (unsigned)(CLI_SHOW_MAX >> 20));
    if (st == POP3_OK) {
        struct pv_buf text;
        pv_buf_init(&text, 0);
        mail_render_message(msg.data ? msg.data : "", msg.len, &text);
        fwrite(text.data ? text.data : "", 1, text.len, out);
        if (text.len && text.data[text.len - 1] != '\n')
            fputc('\n', out);
        pv_buf_free(&text);
    }
    pv_buf_free(&msg);
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
