/*
 * Tests for src/tui/text.c, the column arithmetic every drawn string goes
 * through:
 *   size_t tui_utf8_next(const char *s, size_t len, uint32_t *cp_out);
 *   size_t tui_utf8_put(uint32_t cp, char out[4]);
 *   void tui_buf_append(struct pv_buf *b, const char *s, size_t n);
 *   int tui_cp_columns(uint32_t cp);
 *   bool tui_cp_is_control(uint32_t cp);
 *   size_t tui_text_columns(const char *s, size_t len);
 *   size_t tui_text_prefix(const char *s, size_t len, size_t cols, size_t *cols_out);
 *   void tui_text_fit(const char *s, size_t len, size_t cols, struct pv_buf *out);
 *   bool tui_text_find(const char *hay, size_t hay_len, const char *needle,
 *                      size_t needle_len, size_t *pos_out);
 *   void tui_text_printable(char *out, size_t out_size, const char *s);
 * wcwidth needs a UTF-8 LC_CTYPE, as main sets it.
 */
#include <check.h>
#include <locale.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include <popview/util.h>

#include "src/tui/private.h"

#define S(lit) lit, sizeof(lit) - 1

START_TEST(utf8_next_cases)
{
    static const struct {
        const char *in;
        size_t len;
        uint32_t cp;
        size_t used;
    } cases[] = {
        {S("a"), 'a', 1},
        {S("\xc3\xa9"), 0xe9, 2},            /* é */
        {S("\xe5\xb1\xb1"), 0x5c71, 3},      /* 山 */
        {S("\xf0\x9f\x8e\x89"), 0x1f389, 4}, /* 🎉 */
        {S("\xc3"), 0xfffd, 1},              /* cut short */
        {S("\xc0\xaf"), 0xfffd, 1},          /* overlong */
        {S("\xed\xa0\x80"), 0xfffd, 1},      /* surrogate */
        {S("\xff"), 0xfffd, 1},
        {S("\x80"), 0xfffd, 1}, /* lone continuation byte */
    };
    for (size_t i = 0; i < PV_ARRAY_LEN(cases); i++) {
        uint32_t cp = 0;
        size_t n = tui_utf8_next(cases[i].in, cases[i].len, &cp);
        ck_assert_msg(cp == cases[i].cp && n == cases[i].used, "case %zu: U+%04X in %zu bytes", i,
                      (unsigned)cp, n);
    }
}
END_TEST

START_TEST(utf8_put_cases)
{
    static const struct {
        uint32_t cp;
        const char *out;
        size_t len;
    } cases[] = {
        {0, S("\0")},
        {'a', S("a")},
        {0x7f, S("\x7f")},
        {0x80, S("\xc2\x80")},
        {0xe9, S("\xc3\xa9")}, /* é */
        {0x7ff, S("\xdf\xbf")},
        {0x800, S("\xe0\xa0\x80")},
        {0x5c71, S("\xe5\xb1\xb1")}, /* 山 */
        {0xffff, S("\xef\xbf\xbf")},
        {0x1f389, S("\xf0\x9f\x8e\x89")}, /* 🎉 */
        {0x10ffff, S("\xf4\x8f\xbf\xbf")},
        {0xd800, S("")}, /* surrogates are not characters */
        {0xdfff, S("")},
        {0x110000, S("")},
    };
    for (size_t i = 0; i < PV_ARRAY_LEN(cases); i++) {
        char out[4] = {0};
        size_t n = tui_utf8_put(cases[i].cp, out);
        ck_assert_msg(n == cases[i].len && memcmp(out, cases[i].out, n) == 0,
                      "case %zu: U+%04X gave %zu bytes", i, (unsigned)cases[i].cp, n);
        /* What it writes reads back as the same character. */
        uint32_t back = 0;
        if (n > 0)
            ck_assert_uint_eq(tui_utf8_next(out, n, &back), n);
        if (n > 0)
            ck_assert_uint_eq(back, cases[i].cp);
    }
}
END_TEST

START_TEST(controls_and_columns)
{
    ck_assert(tui_cp_is_control(0));
    ck_assert(tui_cp_is_control(0x1b));
    ck_assert(tui_cp_is_control(0x7f));
    ck_assert(tui_cp_is_control(0x9b));
    ck_assert(!tui_cp_is_control(' '));
    ck_assert(!tui_cp_is_control(0xa0));
    ck_assert_int_eq(tui_cp_columns(0x1b), 1); /* shown as '?' */
    ck_assert_int_eq(tui_cp_columns('a'), 1);
    ck_assert_int_eq(tui_cp_columns(0x5c71), 2);
    ck_assert_int_eq(tui_cp_columns(0x301), 0); /* combining acute */
}
END_TEST

START_TEST(columns_empty_and_mixed)
{
    ck_assert_uint_eq(tui_text_columns("", 0), 0);
    ck_assert_uint_eq(tui_text_columns(S("abc")), 3);
    ck_assert_uint_eq(tui_text_columns(S("山田 太郎")), 9);
    ck_assert_uint_eq(tui_text_columns(S("e\xcc\x81")), 1); /* e + combining acute */
    ck_assert_uint_eq(tui_text_columns(S("Шахматный")), 9);
}
END_TEST

START_TEST(prefix_never_splits_a_wide_character)
{
    size_t cols = 99;
    ck_assert_uint_eq(tui_text_prefix("", 0, 5, &cols), 0);
    ck_assert_uint_eq(cols, 0);
    /* "山田" is 4 columns: 3 columns hold only the first. */
    ck_assert_uint_eq(tui_text_prefix(S("山田"), 3, &cols), 3);
    ck_assert_uint_eq(cols, 2);
    ck_assert_uint_eq(tui_text_prefix(S("山田"), 4, &cols), 6);
    ck_assert_uint_eq(cols, 4);
    /* A combining mark stays with its base character. */
    ck_assert_uint_eq(tui_text_prefix(S("e\xcc\x81x"), 1, &cols), 3);
    ck_assert_uint_eq(cols, 1);
}
END_TEST

START_TEST(fit_pads_or_cuts_to_exact_columns)
{
    static const struct {
        const char *in;
        size_t cols;
        const char *want;
    } cases[] = {
        {"", 3, "   "},
        {"abc", 0, ""},
        {"abc", 5, "abc  "},
        {"abcdef", 4, "abc\xe2\x80\xa6"},
        {"山田太郎", 5, "山田\xe2\x80\xa6"},
        {"山田太郎", 4, "山\xe2\x80\xa6 "}, /* the cut leaves one column: padded */
        {"山田", 4, "山田"},
    };
    for (size_t i = 0; i < PV_ARRAY_LEN(cases); i++) {
        struct pv_buf out;
        pv_buf_init(&out, 0);
        tui_text_fit(cases[i].in, strlen(cases[i].in), cases[i].cols, &out);
        ck_assert_str_eq(out.data ? out.data : "", cases[i].want);
        ck_assert_uint_eq(tui_text_columns(out.data ? out.data : "", out.len), cases[i].cols);
        pv_buf_free(&out);
    }
}
END_TEST

START_TEST(find_ascii_case_insensitive)
{
    size_t pos = 99;
    ck_assert(!tui_text_find("", 0, "a", 1, &pos));
    ck_assert(!tui_text_find(S("abc"), "", 0, &pos));
    ck_assert(tui_text_find(S("Community Garden workday"), S("garden"), &pos));
    ck_assert_uint_eq(pos, 10);
    ck_assert(!tui_text_find(S("abc"), S("abcd"), &pos));
    ck_assert(tui_text_find(S("Grüße"), S("grüße"), &pos)); /* ASCII folds, ü as it is */
    ck_assert(!tui_text_find(S("GRÜSSE"), S("grüße"), &pos));
}
END_TEST

START_TEST(printable_replaces_controls_and_cuts_whole_characters)
{
    char out[8];
    tui_text_printable(out, sizeof out, "");
    ck_assert_str_eq(out, "");
    tui_text_printable(out, sizeof out, "a\x1b[2Jb");
    ck_assert_str_eq(out, "a?[2Jb");
    tui_text_printable(out, sizeof out, "山田太郎"); /* 7 bytes of room: two characters */
    ck_assert_str_eq(out, "山田");
    tui_text_printable(out, sizeof out,
                       "\xc2\x9b"
                       "x"); /* C1 CSI */
    ck_assert_str_eq(out, "?x");
}
END_TEST

START_TEST(buf_append_grows_without_cap)
{
    struct pv_buf b;
    pv_buf_init(&b, 0);
    tui_buf_append(&b, "", 0);
    ck_assert_uint_eq(b.len, 0);
    tui_buf_append(&b, "ab", 2);
    tui_buf_append(&b, "cd", 1);
    ck_assert_uint_eq(b.len, 3);
    ck_assert_str_eq(b.data, "abc");
    pv_buf_free(&b);
}
END_TEST

START_TEST(buf_append_past_a_cap_aborts)
{
    /* A capped buffer is a caller's bug here: stop, never cut silently. */
    struct pv_buf b;
    pv_buf_init(&b, 2);
    tui_buf_append(&b, "abc", 3);
    pv_buf_free(&b);
}
END_TEST

static Suite *text_suite(void)
{
    Suite *s = suite_create("tui_text");
    struct {
        const char *name;
        const TTest *test;
    } tests[] = {
        {"tui_utf8_next", utf8_next_cases},
        {"tui_utf8_put", utf8_put_cases},
        {"tui_cp_columns", controls_and_columns},
        {"tui_text_columns", columns_empty_and_mixed},
        {"tui_text_prefix", prefix_never_splits_a_wide_character},
        {"tui_text_fit", fit_pads_or_cuts_to_exact_columns},
        {"tui_text_find", find_ascii_case_insensitive},
        {"tui_text_printable", printable_replaces_controls_and_cuts_whole_characters},
    };
    for (size_t i = 0; i < PV_ARRAY_LEN(tests); i++) {
        TCase *tc = tcase_create(tests[i].name);
        tcase_add_test(tc, tests[i].test);
        suite_add_tcase(s, tc);
    }
    TCase *tc = tcase_create("tui_buf_append");
    tcase_add_test(tc, buf_append_grows_without_cap);
    tcase_add_test_raise_signal(tc, buf_append_past_a_cap_aborts, SIGABRT);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    if (!setlocale(LC_CTYPE, "C.UTF-8"))
        return 77;
    SRunner *sr = srunner_create(text_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
