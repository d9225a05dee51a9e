/*
 * The index's order: a stable sort of the rows by one key, and the search
 * that walks rows in that order.  Pure functions over the model's rows, run
 * on the UI thread.
 *
 * Ties keep server order, so sorting twice gives the same screen and a
 * reverse sort is the mirror image of the forward one except for ties.
 * Rows whose summary has not arrived yet have no date, sender or subject to
 * compare: they come last in either direction, so what is known stays at
 * the top while loading goes on.
 */
#include <stdlib.h>
#include <string.h>

#include <popview/util.h>

#include <popview/mailbox.h>

#include "private.h"

struct sort_ctx {
    const struct mb_row *rows;
    enum mailbox_sort key;
    bool reverse;
};

/* ASCII letters without case; other bytes (UTF-8) by value. */
static int text_cmp(const char *a, const char *b)
{
    for (;; a++, b++) {
        unsigned char x = (unsigned char)pv_ascii_lower(*a);
        unsigned char y = (unsigned char)pv_ascii_lower(*b);
        if (x != y || !x)
            return (x > y) - (x < y);
    }
}

static bool needs_summary(enum mailbox_sort key)
{
    return key == MAILBOX_SORT_DATE || key == MAILBOX_SORT_FROM || key == MAILBOX_SORT_SUBJECT;
}

/* The key comparison alone, before reversing. */
static int key_cmp(const struct sort_ctx *c, const struct mailbox_summary *a,
                   const struct mailbox_summary *b)
{
    switch (c->key) {
    case MAILBOX_SORT_NUMBER:
        return 0; /* the tie-break on the index does it */
    case MAILBOX_SORT_SIZE:
        return (a->size > b->size) - (a->size < b->size);
    case MAILBOX_SORT_DATE:
        if (a->has_date != b->has_date)
            return a->has_date ? -1 : 1; /* undated after dated, either way */
        return (a->date > b->date) - (a->date < b->date);
    case MAILBOX_SORT_FROM:
        return text_cmp(a->from, b->from);
    case MAILBOX_SORT_SUBJECT:
        return text_cmp(a->subject, b->subject);
    }
    return 0;
}

/* qsort is not stable, so the index breaks ties: the order is total. */
static int row_cmp(const void *pa, const void *pb, void *vctx)
{
    const struct sort_ctx *c = vctx;
    size_t ia = *(const size_t *)pa, ib = *(const size_t *)pb;
    const struct mailbox_summary *a = &c->rows[ia].pub, *b = &c->rows[ib].pub;
    if (needs_summary(c->key)) {
        bool ka = a->loaded, kb = b->loaded;
        if (ka != kb)
            return ka ? -1 : 1; /* not loaded yet: last in both directions */
        if (!ka)
            return (ia > ib) - (ia < ib);
    }
    int r = key_cmp(c, a, b);
    if (c->key == MAILBOX_SORT_DATE && a->has_date != b->has_date)
        return r; /* undated stays last when reversed too */
    if (c->reverse)
        r = -r;
    if (r == 0 && c->key == MAILBOX_SORT_NUMBER && c->reverse)
        return (ia < ib) - (ia > ib);
    return r ? r : (ia > ib) - (ia < ib);
}

void mb_order_sort(const struct mb_row *rows, size_t count, enum mailbox_sort key, bool reverse,
                   size_t *row_index)
{
    if (count == 0)
        return;
    for (size_t i = 0; i < count; i++)
        row_index[i] = i;
    struct sort_ctx c = {.rows = rows, .key = key, .reverse = reverse};
    qsort_r(row_index, count, sizeof *row_index, row_cmp, &c);
}

bool mb_contains_ascii_nocase(const char *haystack, const char *needle)
{
    size_t n = strlen(needle);
    if (n == 0)
        return false;
    for (const char *h = haystack; *h; h++)
        if (pv_ascii_nieq(h, needle, n))
            return true;
    return false;
}
