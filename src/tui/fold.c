/*
 * Transcript lines to the rows the transcript view shows: each line is a
 * row, a reply group whose data runs long is folded to its first lines
 * plus one row that counts the rest, and in explain mode a note row
 * follows each command and status line.
 *
 * A reply group is a status line and what follows it: its data lines
 * (DATA with data_lines 1), the mailbox's INFO line that counts the data
 * lines it did not keep (data_lines > 0), and the "." that ends it (DATA
 * with data_lines 0).  Counting uses those fields, never the words of a
 * line, so folding stays right whatever language the words are in.  A
 * reply still arriving is a group too: its count grows as lines come.
 */
#include <stdlib.h>
#include <string.h>

#include <popview/util.h>

#include <popview/mailbox.h>

#include "teach.h"

static struct tr_row *add_row(struct tr_rows *out, enum tr_row_kind kind, uint64_t seq,
                              uint64_t reply)
{
    if (out->count == out->alloc) {
        out->alloc = out->alloc ? out->alloc * 2 : 256;
        out->rows = pv_xreallocarray(out->rows, out->alloc, sizeof *out->rows);
    }
    struct tr_row *r = &out->rows[out->count++];
    memset(r, 0, sizeof *r);
    r->kind = kind;
    r->seq = seq;
    r->reply = reply;
    return r;
}

static bool is_unfolded(const struct tr_build_opts *o, uint64_t seq)
{
    for (size_t i = 0; i < o->n_unfolded; i++)
        if (o->unfolded[i] == seq)
            return true;
    return false;
}

/* Whether line l belongs to the reply group before it. */
static bool in_group(const struct mailbox_line *l)
{
    return l->kind == MAILBOX_LINE_DATA || (l->kind == MAILBOX_LINE_INFO && l->data_lines > 0);
}

static bool is_end(const struct mailbox_line *l)
{
    return l->kind == MAILBOX_LINE_DATA && l->data_lines == 0;
}

/* One line, with its note row when asked. */
static void add_line(struct tr_rows *out, struct explain_tracker *tk, const struct mailbox_line *l,
                     uint64_t seq, uint64_t reply, bool notes)
{
    struct explain_cmd answered;
    bool status = explain_tracker_feed(tk, l->kind, l->text, &answered);
    add_row(out, TR_ROW_LINE, seq, reply);
    if (!notes || (l->kind != MAILBOX_LINE_CLIENT && !status))
        return;
    struct tr_row *note = add_row(out, TR_ROW_NOTE, seq, reply);
    if (status)
        note->answered = answered;
}

/* The group of the status line at i: lines i+1 .. *end_out - 1 (the
 * terminator included when it came). */
static size_t group_end(tr_line_fn at, void *ctx, size_t count, size_t i)
{
    size_t j = i + 1;
    while (j < count) {
        const struct mailbox_line *l = at(ctx, j);
        if (!in_group(l))
            break;
        j++;
        if (is_end(l))
            break;
    }
    return j;
}

static void add_group(struct tr_rows *out, struct explain_tracker *tk, tr_line_fn at, void *ctx,
                      size_t i, size_t end, uint64_t first_seq, const struct tr_build_opts *o)
{
    uint64_t reply = first_seq + i;
    add_line(out, tk, at(ctx, i), reply, reply, o->notes);
    size_t shown_lines = 0; /* data rows, the terminator not counted */
    for (size_t j = i + 1; j < end; j++)
        if (!is_end(at(ctx, j)))
            shown_lines++;
    if (shown_lines <= o->keep + 1 || is_unfolded(o, reply)) {
        for (size_t j = i + 1; j < end; j++)
            add_row(out, TR_ROW_LINE, first_seq + j, reply);
        return;
    }
    size_t kept = 0;
    uint64_t lines = 0, octets = 0;
    for (size_t j = i + 1; j < end; j++) {
        const struct mailbox_line *l = at(ctx, j);
        if (is_end(l))
            continue;
        if (kept < o->keep && l->kind == MAILBOX_LINE_DATA) {
            add_row(out, TR_ROW_LINE, first_seq + j, reply);
            kept++;
            continue;
        }
        lines += l->data_lines;
        octets += l->data_octets;
    }
    struct tr_row *fold = add_row(out, TR_ROW_FOLD, reply, reply);
    fold->lines = lines;
    fold->octets = octets;
}

void tr_build(struct tr_rows *out, tr_line_fn at, void *ctx, size_t count, uint64_t first_seq,
              const struct tr_build_opts *o)
{
    out->count = 0;
    struct explain_tracker tk;
    explain_tracker_reset(&tk);
    size_t i = 0;
    while (i < count) {
        const struct mailbox_line *l = at(ctx, i);
        if (l->kind == MAILBOX_LINE_SERVER && i + 1 < count && in_group(at(ctx, i + 1))) {
            size_t end = group_end(at, ctx, count, i);
            add_group(out, &tk, at, ctx, i, end, first_seq, o);
            i = end;
            continue;
        }
        add_line(out, &tk, l, first_seq + i, UINT64_MAX, o->notes);
        i++;
    }
}

void tr_rows_free(struct tr_rows *r)
{
    free(r->rows);
    memset(r, 0, sizeof *r);
}
