/*
 * Tests for src/tui/fold.c, transcript lines to the rows on screen:
 *   void tr_build(struct tr_rows *out, tr_line_fn at, void *ctx, size_t count,
 *                 uint64_t first_seq, const struct tr_build_opts *o);
 * Transcripts are written as tables of struct mailbox_line, with the
 * data_lines/data_octets fields the mailbox sets.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <popview/util.h>

#include <popview/mailbox.h>

#include "src/tui/teach.h"

#define C(t)                                                                                       \
    {                                                                                              \
        MAILBOX_LINE_CLIENT, 0, t, 0, 0                                                            \
    }
#define S(t)                                                                                       \
    {                                                                                              \
        MAILBOX_LINE_SERVER, 0, t, 0, 0                                                            \
    }
#define D(t)                                                                                       \
    {                                                                                              \
        MAILBOX_LINE_DATA, 0, t, 1, sizeof(t) - 1 + 2                                              \
    }
#define END                                                                                        \
    {                                                                                              \
        MAILBOX_LINE_DATA, 0, ".", 0, 0                                                            \
    }
#define I(t)                                                                                       \
    {                                                                                              \
        MAILBOX_LINE_INFO, 0, t, 0, 0                                                              \
    }

enum { FIRST = 1000 }; /* the sequence number of line 0 */

struct script {
    const struct mailbox_line *lines;
    size_t count;
};

static const struct mailbox_line *at(void *ctx, size_t i)
{
    const struct script *s = ctx;
    return i < s->count ? &s->lines[i] : NULL;
}

/* "L1001 F1002 N1003" style: kind and sequence number of each row. */
static void describe(const struct tr_rows *rows, char *out, size_t out_size)
{
    size_t len = 0;
    out[0] = '\0';
    for (size_t i = 0; i < rows->count && len + 16 < out_size; i++) {
        const struct tr_row *r = &rows->rows[i];
        char k = r->kind == TR_ROW_LINE ? 'L' : r->kind == TR_ROW_FOLD ? 'F' : 'N';
        int n = snprintf(out + len, out_size - len, "%s%c%llu", i ? " " : "", k,
                         (unsigned long long)(r->seq - FIRST));
        len += n > 0 ? (size_t)n : 0;
    }
}

static const struct mailbox_line LIST_SESSION[] = {
    S("+OK ready"),      /* 0 */
    C("LIST"),           /* 1 */
    S("+OK 6 messages"), /* 2 */
    D("1 100"),
    D("2 200"),
    D("3 300"),
    D("4 400"), /* 3-6 */
    D("5 500"),
    D("6 600"), /* 7-8 */
    END,        /* 9 */
    C("NOOP"),  /* 10 */
    S("+OK"),   /* 11 */
};

START_TEST(build_empty)
{
    struct tr_rows rows = {0};
    struct script s = {NULL, 0};
    struct tr_build_opts o = {.keep = 2};
    tr_build(&rows, at, &s, 0, FIRST, &o);
    ck_assert_uint_eq(rows.count, 0);
    tr_rows_free(&rows);
    tr_rows_free(&rows); /* twice is fine */
}
END_TEST

START_TEST(build_folds_a_long_reply)
{
    struct tr_rows rows = {0};
    struct script s = {LIST_SESSION, PV_ARRAY_LEN(LIST_SESSION)};
    struct tr_build_opts o = {.keep = 2};
    tr_build(&rows, at, &s, s.count, FIRST, &o);
    char got[512];
    describe(&rows, got, sizeof got);
    /* The status line, two data lines, the fold (its seq is the status line's). */
    ck_assert_str_eq(got, "L0 L1 L2 L3 L4 F2 L10 L11");
    const struct tr_row *fold = &rows.rows[5];
    ck_assert_uint_eq(fold->lines, 4);
    ck_assert_uint_eq(fold->octets, 4 * 7);
    ck_assert_uint_eq(fold->reply, FIRST + 2);
    ck_assert_uint_eq(rows.rows[3].reply, FIRST + 2);
    ck_assert_uint_eq(rows.rows[0].reply, UINT64_MAX);
    ck_assert_uint_eq(rows.rows[6].reply, UINT64_MAX);
    tr_rows_free(&rows);
}
END_TEST

START_TEST(build_unfolded_shows_everything)
{
    struct tr_rows rows = {0};
    struct script s = {LIST_SESSION, PV_ARRAY_LEN(LIST_SESSION)};
    const uint64_t unfolded[] = {FIRST + 2};
    struct tr_build_opts o = {.keep = 2, .unfolded = unfolded, .n_unfolded = 1};
    tr_build(&rows, at, &s, s.count, FIRST, &o);
    char got[512];
    describe(&rows, got, sizeof got);
    ck_assert_str_eq(got, "L0 L1 L2 L3 L4 L5 L6 L7 L8 L9 L10 L11");
    tr_rows_free(&rows);
}
END_TEST

START_TEST(build_notes_follow_commands_and_status_lines)
{
    struct tr_rows rows = {0};
    struct script s = {LIST_SESSION, PV_ARRAY_LEN(LIST_SESSION)};
    struct tr_build_opts o = {.keep = 2, .notes = true};
    tr_build(&rows, at, &s, s.count, FIRST, &o);
    char got[512];
    describe(&rows, got, sizeof got);
    ck_assert_str_eq(got, "L0 N0 L1 N1 L2 N2 L3 L4 F2 L10 N10 L11 N11");
    ck_assert_ptr_null(rows.rows[1].answered.info); /* the greeting */
    ck_assert_int_eq(rows.rows[5].answered.info->cmd, POP3_CMD_LIST);
    ck_assert_int_eq(rows.rows[12].answered.info->cmd, POP3_CMD_NOOP);
    tr_rows_free(&rows);
}
END_TEST

START_TEST(build_short_reply_is_not_folded)
{
    static const struct mailbox_line lines[] = {
        C("UIDL"), S("+OK"), D("1 a"), D("2 b"), D("3 c"), END,
    };
    struct tr_rows rows = {0};
    struct script s = {lines, PV_ARRAY_LEN(lines)};
    struct tr_build_opts o = {.keep = 2};
    tr_build(&rows, at, &s, s.count, FIRST, &o);
    char got[256];
    describe(&rows, got, sizeof got);
    ck_assert_str_eq(got, "L0 L1 L2 L3 L4 L5"); /* one line folded would save nothing */
    tr_rows_free(&rows);
}
END_TEST

START_TEST(build_counts_the_lines_the_mailbox_did_not_keep)
{
    /* 4 kept data lines, then the mailbox's INFO line for 500 more. */
    static const struct mailbox_line lines[] = {
        C("RETR 15"),
        S("+OK 1500000 octets"),
        D("a"),
        D("b"),
        D("c"),
        D("d"),
        {MAILBOX_LINE_INFO, 0, "(500 more data lines, 9.0K, not shown here)", 500, 9000},
        END,
        I("state: nothing"),
    };
    struct tr_rows rows = {0};
    struct script s = {lines, PV_ARRAY_LEN(lines)};
    struct tr_build_opts o = {.keep = 2};
    tr_build(&rows, at, &s, s.count, FIRST, &o);
    char got[256];
    describe(&rows, got, sizeof got);
    ck_assert_str_eq(got, "L0 L1 L2 L3 F1 L8");
    ck_assert_uint_eq(rows.rows[4].lines, 2 + 500);
    ck_assert_uint_eq(rows.rows[4].octets, 2 * 3 + 9000);
    tr_rows_free(&rows);
}
END_TEST

START_TEST(build_reply_still_arriving_and_orphans)
{
    /* The ring dropped the start of a reply: its rest shows as it is;
     * a reply still arriving (no ".") is folded as far as it came. */
    static const struct mailbox_line lines[] = {
        D("x"), D("y"), END, C("LIST"), S("+OK"), D("1 1"), D("2 2"), D("3 3"), D("4 4"),
    };
    struct tr_rows rows = {0};
    struct script s = {lines, PV_ARRAY_LEN(lines)};
    struct tr_build_opts o = {.keep = 2};
    tr_build(&rows, at, &s, s.count, FIRST, &o);
    char got[256];
    describe(&rows, got, sizeof got);
    ck_assert_str_eq(got, "L0 L1 L2 L3 L4 L5 L6 F4");
    ck_assert_uint_eq(rows.rows[0].reply, UINT64_MAX);
    ck_assert_uint_eq(rows.rows[7].lines, 2);
    tr_rows_free(&rows);
}
END_TEST

static Suite *fold_suite(void)
{
    Suite *s = suite_create("tui_fold");
    TCase *tc = tcase_create("tr_build");
    tcase_add_test(tc, build_empty);
    tcase_add_test(tc, build_folds_a_long_reply);
    tcase_add_test(tc, build_unfolded_shows_everything);
    tcase_add_test(tc, build_notes_follow_commands_and_status_lines);
    tcase_add_test(tc, build_short_reply_is_not_folded);
    tcase_add_test(tc, build_counts_the_lines_the_mailbox_did_not_keep);
    tcase_add_test(tc, build_reply_still_arriving_and_orphans);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(fold_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
