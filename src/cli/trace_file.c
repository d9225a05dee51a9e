/*
 * The --trace file.  The pop3 layer hands over every line with secrets
 * already masked; here they get a direction tag and a UTC time stamp, and
 * control characters become ^X so the file is safe to cat on a terminal.
 * The file is created 0600: even masked, a transcript shows whose mail it is.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <popview/util.h>

#include <popview/pop3.h>

#include <popview/i18n.h>

#include "cli.h"

struct cli_trace {
    FILE *f;
    bool mid_line; /* a DATA line was started and not ended */
};

enum cli_status cli_trace_open(const char *path, struct cli_trace **trace_out, struct pv_error *err)
{
    *trace_out = NULL;
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (!f) {
        pv_error_set(err, _("cannot write the trace file %s: %s"), path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return CLI_ERR_USAGE;
    }
    struct cli_trace *t = pv_xcalloc(1, sizeof *t);
    t->f = f;
    *trace_out = t;
    return CLI_OK;
}

void cli_trace_close(struct cli_trace **tp)
{
    if (!tp || !*tp)
        return;
    if ((*tp)->mid_line)
        fputc('\n', (*tp)->f);
    fclose((*tp)->f);
    free(*tp);
    *tp = NULL;
}

static void write_visible(FILE *f, const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == 0x7f) {
            fputc('^', f);
            fputc(c == 0x7f ? '?' : c + '@', f);
        } else {
            fputc(c, f);
        }
    }
}

static void write_stamp(FILE *f)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    struct tm tm;
    gmtime_r(&tv.tv_sec, &tm);
    char stamp[32];
    strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
    fprintf(f, "%s.%03ldZ ", stamp, (long)(tv.tv_usec / 1000));
}

void cli_trace_hook(void *ctx, const struct pop3_trace *t)
{
    struct cli_trace *tr = ctx;
    if (!tr)
        return;
    if (!tr->mid_line) {
        write_stamp(tr->f);
        switch (t->kind) {
        case POP3_TRACE_SENT:
            fputs("C: ", tr->f);
            break;
        case POP3_TRACE_INFO:
            fputs("*  ", tr->f);
            break;
        default:
            fputs("S: ", tr->f);
            break;
        }
    }
    write_visible(tr->f, t->text, t->len);
    tr->mid_line = t->kind == POP3_TRACE_DATA && !t->line_end;
    if (!tr->mid_line)
        fputc('\n', tr->f);
}
