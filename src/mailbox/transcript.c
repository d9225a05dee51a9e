/*
 * The worker's side of the transcript: the pop3 trace hook turned into
 * whole, sanitized, one-line entries for the model.
 *
 * The pop3 layer reports a long data line as several chunks; they are
 * joined here, the first MB_TRACE_LINE_MAX bytes kept.  Of each multi-line
 * reply only the first MB_TRACE_DATA_PER_REPLY data lines are kept, then
 * one INFO line counts the rest: a 20 MB RETR would otherwise push every
 * command out of the few thousand lines the transcript keeps, and the
 * pager shows the message anyway.  Each DATA line, and that INFO line,
 * carries the data lines and octets it stands for, so the UI can fold a
 * reply without parsing words meant for people.  Secrets never reach this file: the
 * pop3 layer masks them before calling the hook.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <popview/util.h>

#include <popview/pop3.h>

#include <popview/mailbox.h>

#include <popview/i18n.h>

#include "private.h"

int64_t mb_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t mb_monotonic_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void mb_tracer_init(struct mb_tracer *t, struct mb_channel *ch)
{
    memset(t, 0, sizeof *t);
    t->ch = ch;
    pv_buf_init(&t->line, MB_TRACE_LINE_MAX);
    t->last_sent_ms = mb_monotonic_ms();
}

void mb_tracer_clear(struct mb_tracer *t)
{
    pv_buf_free(&t->line);
}

/* data_lines and data_octets: what the line stands for in a multi-line
 * reply (struct mailbox_line), so the UI can fold a reply. */
static void emit_counted(struct mb_tracer *t, enum mailbox_line_kind kind, const char *text,
                         size_t len, bool cut, uint64_t data_lines, uint64_t data_octets)
{
    char *shown = mb_one_line(text, len);
    if (cut) {
        char *longer = pv_xasprintf("%s\xe2\x80\xa6", shown); /* U+2026 */
        free(shown);
        shown = longer;
    }
    mb_channel_line(t->ch, kind, shown, data_lines, data_octets);
}

static void emit(struct mb_tracer *t, enum mailbox_line_kind kind, const char *text, size_t len,
                 bool cut)
{
    emit_counted(t, kind, text, len, cut, 0, 0);
}

void mb_tracer_info(struct mb_tracer *t, const char *fmt, ...)
{
    char line[MB_TRACE_LINE_MAX];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    emit(t, MAILBOX_LINE_INFO, line, strlen(line), false);
}

/* A reply starts or ends: the data-line budget starts over. */
static void reply_boundary(struct mb_tracer *t)
{
    if (t->hidden_lines) {
        char size[16];
        pv_format_size(t->hidden_bytes, size, sizeof size);
        char line[MB_TRACE_LINE_MAX];
        /* ngettext takes an unsigned long; the last digits choose the form. */
        snprintf(line, sizeof line,
                 P_("(%llu more data line, %s, not shown here)",
                    "(%llu more data lines, %s, not shown here)",
                    (unsigned long)(t->hidden_lines % 1000000)),
                 (unsigned long long)t->hidden_lines, size);
        emit_counted(t, MAILBOX_LINE_INFO, line, strlen(line), false, t->hidden_lines,
                     t->hidden_bytes);
    }
    t->data_lines = 0;
    t->hidden_lines = 0;
    t->hidden_bytes = 0;
    pv_buf_reset(&t->line);
    t->cut = false;
    t->line_octets = 0;
}

static void on_data(struct mb_tracer *t, const struct pop3_trace *tr)
{
    if (t->data_lines >= MB_TRACE_DATA_PER_REPLY) {
        t->hidden_bytes += tr->len + (tr->line_end ? 2 : 0);
        if (tr->line_end)
            t->hidden_lines++;
        return;
    }
    if (!t->cut) {
        size_t room = MB_TRACE_LINE_MAX - t->line.len;
        size_t n = tr->len < room ? tr->len : room;
        bool fits = pv_buf_append(&t->line, tr->text, n);
        (void)fits; /* n fits by construction */
        if (n < tr->len)
            t->cut = true;
    }
    t->line_octets += tr->len;
    if (!tr->line_end)
        return;
    emit_counted(t, MAILBOX_LINE_DATA, t->line.data ? t->line.data : "", t->line.len, t->cut, 1,
                 t->line_octets + 2);
    pv_buf_reset(&t->line);
    t->cut = false;
    t->line_octets = 0;
    t->data_lines++;
}

void mb_tracer_hook(void *ctx, const struct pop3_trace *tr)
{
    struct mb_tracer *t = ctx;
    if (t->next)
        t->next(t->next_ctx, tr); /* every line, uncut, for --trace */
    const char *text = tr->text ? tr->text : "";
    size_t len = tr->text ? tr->len : 0;
    size_t shown = len > MB_TRACE_LINE_MAX ? MB_TRACE_LINE_MAX : len;
    switch (tr->kind) {
    case POP3_TRACE_SENT:
        t->last_sent_ms = mb_monotonic_ms();
        if (len >= 4 && pv_ascii_nieq(text, "QUIT", 4))
            t->quit_sent = true;
        emit(t, MAILBOX_LINE_CLIENT, text, shown, shown < len);
        break;
    case POP3_TRACE_STATUS:
        reply_boundary(t);
        emit(t, MAILBOX_LINE_SERVER, text, shown, shown < len);
        break;
    case POP3_TRACE_CONTINUE:
        emit(t, MAILBOX_LINE_SERVER, text, shown, shown < len);
        break;
    case POP3_TRACE_DATA:
        on_data(t, tr);
        break;
    case POP3_TRACE_END:
        reply_boundary(t);
        emit(t, MAILBOX_LINE_DATA, text, shown, false);
        break;
    case POP3_TRACE_INFO:
        emit(t, MAILBOX_LINE_INFO, text, shown, shown < len);
        break;
    }
}
