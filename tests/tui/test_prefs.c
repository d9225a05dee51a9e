/*
 * Tests for src/tui/prefs.c and the parts of src/tui/theme.c it uses:
 *   struct tui_prefs *tui_prefs_new(void);
 *   void tui_prefs_free(struct tui_prefs **prefs);
 *   enum tui_prefs_status tui_prefs_set(struct tui_prefs *prefs, const char *name,
 *       const char *value, struct pv_error *err);
 *   bool tui_prefs_name(size_t i, char *out, size_t out_size);
 *   bool theme_parse_style(const char *value, struct theme_style *style_out,
 *       struct pv_error *err);
 *   const char *theme_role_name(enum tui_role role);
 *   bool theme_role_by_name(const char *name, enum tui_role *role_out);
 * (Key overrides are tested with the keymap in test_keymap.c.)
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <popview/util.h>

#include <popview/tui.h>

#include "src/tui/private.h"

static enum tui_prefs_status set(struct tui_prefs *p, const char *name, const char *value,
                                 struct pv_error *err)
{
    pv_error_clear(err);
    return tui_prefs_set(p, name, value, err);
}

/* ---- tui_prefs_new: the defaults ---- */

START_TEST(defaults)
{
    struct tui_prefs *p = tui_prefs_new();
    ck_assert_int_eq(p->colors, TUI_COLORS_AUTO);
    ck_assert_ptr_null(p->date_format);
    ck_assert(!p->sort_set);
    for (int r = 0; r < ROLE_COUNT_; r++)
        ck_assert(!p->style[r].set);
    for (int a = 0; a < ACT_COUNT_; a++)
        ck_assert_uint_eq(p->keys[a].count, 0);
    tui_prefs_free(&p);
    ck_assert_ptr_null(p);
}
END_TEST

/* ---- tui_prefs_set ---- */

START_TEST(set_colors)
{
    struct pv_error err;
    struct tui_prefs *p = tui_prefs_new();
    ck_assert_int_eq(set(p, "colors", "never", &err), TUI_PREFS_OK);
    ck_assert_int_eq(p->colors, TUI_COLORS_NEVER);
    ck_assert_int_eq(set(p, "COLORS", "Always", &err), TUI_PREFS_OK);
    ck_assert_int_eq(p->colors, TUI_COLORS_ALWAYS);
    ck_assert_int_eq(set(p, "colors", "", &err), TUI_PREFS_BAD_VALUE);
    ck_assert_str_eq(err.msg, "expected auto, never or always");
    ck_assert_int_eq(p->colors, TUI_COLORS_ALWAYS);
    ck_assert_int_eq(set(p, "color.marked", "bright-red,default,bold+underline", &err),
                     TUI_PREFS_OK);
    ck_assert(p->style[ROLE_MARKED].set);
    ck_assert_int_eq(p->style[ROLE_MARKED].fg, 9);
    ck_assert_int_eq(p->style[ROLE_MARKED].bg, -1);
    ck_assert_uint_eq(p->style[ROLE_MARKED].attr, A_BOLD | A_UNDERLINE);
    ck_assert_int_eq(set(p, "color.nothing", "red,blue", &err), TUI_PREFS_UNKNOWN);
    ck_assert_int_eq(set(p, "colour", "auto", &err), TUI_PREFS_UNKNOWN);
    tui_prefs_free(&p);
}
END_TEST

START_TEST(set_date_format)
{
    struct pv_error err;
    struct tui_prefs *p = tui_prefs_new();
    ck_assert_int_eq(set(p, "date_format", "%d.%m.%Y", &err), TUI_PREFS_OK);
    ck_assert_str_eq(p->date_format, "%d.%m.%Y");
    ck_assert_int_eq(set(p, "date_format", "auto", &err), TUI_PREFS_OK);
    ck_assert_ptr_null(p->date_format);
    /* Longer than the index can show (each %c is about 24 characters). */
    ck_assert_int_eq(set(p, "date_format", "%c%c%c%c%c%c", &err), TUI_PREFS_BAD_VALUE);
    ck_assert_str_eq(err.msg, "this format gives an empty date, or one too long to show");
    ck_assert_ptr_null(p->date_format);
    tui_prefs_free(&p);
    p = tui_prefs_new();
    ck_assert_int_eq(set(p, "date_format", "a\tb", &err), TUI_PREFS_BAD_VALUE);
    ck_assert_str_eq(err.msg, "the date format contains a control character");
    char longer[TUI_DATE_FORMAT_MAX + 1];
    memset(longer, 'x', sizeof longer - 1);
    longer[sizeof longer - 1] = '\0';
    ck_assert_int_eq(set(p, "date_format", longer, &err), TUI_PREFS_BAD_VALUE);
    ck_assert_str_eq(err.msg, "expected auto or a strftime format of 1 to 63 characters, for "
                              "example %Y-%m-%d %H:%M");
    ck_assert_ptr_null(p->date_format);
    tui_prefs_free(&p);
}
END_TEST

static const struct {
    const char *value;
    enum mailbox_sort key;
    bool reverse;
} good_sorts[] = {
    {"number", MAILBOX_SORT_NUMBER, false},     {"date", MAILBOX_SORT_DATE, false},
    {"From", MAILBOX_SORT_FROM, false},         {"subject,reverse", MAILBOX_SORT_SUBJECT, true},
    {"size, reverse", MAILBOX_SORT_SIZE, true}, {"date reverse", MAILBOX_SORT_DATE, true},
};

START_TEST(set_sort)
{
    struct pv_error err;
    struct tui_prefs *p = tui_prefs_new();
    ck_assert_int_eq(set(p, "sort", good_sorts[_i].value, &err), TUI_PREFS_OK);
    ck_assert(p->sort_set);
    ck_assert_int_eq(p->sort, good_sorts[_i].key);
    ck_assert_int_eq(p->sort_reverse, good_sorts[_i].reverse);
    tui_prefs_free(&p);
}
END_TEST

START_TEST(set_sort_refusals)
{
    static const char *const bad[] = {"", "age", "date,forwards", "date,reverse,again",
                                      "subjectsubjectsubject"};
    struct pv_error err;
    struct tui_prefs *p = tui_prefs_new();
    for (size_t i = 0; i < PV_ARRAY_LEN(bad); i++) {
        ck_assert_int_eq(set(p, "sort", bad[i], &err), TUI_PREFS_BAD_VALUE);
        ck_assert_str_eq(err.msg, "expected number, date, from, subject or size, optionally "
                                  "followed by \",reverse\"");
    }
    ck_assert(!p->sort_set);
    tui_prefs_free(&p);
}
END_TEST

START_TEST(set_keys)
{
    struct pv_error err;
    struct tui_prefs *p = tui_prefs_new();
    ck_assert_int_eq(set(p, "key.quit", "  Q   ^Q ", &err), TUI_PREFS_OK);
    ck_assert_uint_eq(p->keys[ACT_QUIT].count, 2);
    ck_assert_int_eq(p->keys[ACT_QUIT].keys[0], 'Q');
    ck_assert_int_eq(p->keys[ACT_QUIT].keys[1], TUI_CTRL('q'));
    ck_assert_int_eq(set(p, "key.quit", "", &err), TUI_PREFS_BAD_VALUE);
    ck_assert_str_eq(err.msg, "expected one or more key names separated by spaces, for example "
                              "\"d Del\"");
    ck_assert_uint_eq(p->keys[ACT_QUIT].count, 2); /* unchanged by a refusal */
    ck_assert_int_eq(set(p, "key.vanish", "v", &err), TUI_PREFS_UNKNOWN);
    ck_assert_int_eq(set(p, "key.quit", "1 2 3 4 5 6 7 8 9", &err), TUI_PREFS_BAD_VALUE);
    ck_assert_str_eq(err.msg, "too many keys: at most 8");
    /* One key for two actions of the same screen: refused at the second. */
    ck_assert_int_eq(set(p, "key.delete-message", "Q", &err), TUI_PREFS_BAD_VALUE);
    ck_assert_str_eq(err.msg, "Q is already the key of quit (key.quit) on the same screen");
    ck_assert_uint_eq(p->keys[ACT_MARK].count, 0);
    /* Actions that never share a screen may share a key: quit (index) and
     * fold-reply (transcript). */
    ck_assert_int_eq(set(p, "key.fold-reply", "Q", &err), TUI_PREFS_OK);
    tui_prefs_free(&p);
}
END_TEST

/* ---- tui_prefs_name ---- */

START_TEST(names_are_settable)
{
    char name[64];
    size_t n = 0;
    bool saw_marked = false, saw_quit = false;
    while (tui_prefs_name(n, name, sizeof name)) {
        saw_marked |= strcmp(name, "color.marked") == 0;
        saw_quit |= strcmp(name, "key.quit") == 0;
        n++;
    }
    ck_assert(saw_marked && saw_quit);
    ck_assert_uint_eq(n, 3 + ROLE_COUNT_ + ACT_COUNT_ - 1);
    /* Each name is one tui_prefs_set knows (a value may still be refused). */
    struct tui_prefs *p = tui_prefs_new();
    struct pv_error err;
    for (size_t i = 0; i < n; i++) {
        ck_assert(tui_prefs_name(i, name, sizeof name));
        ck_assert_msg(set(p, name, "x", &err) != TUI_PREFS_UNKNOWN, "%s unknown", name);
    }
    tui_prefs_free(&p);
}
END_TEST

/* ---- theme_parse_style, theme_role_by_name ---- */

static const struct {
    const char *value;
    short fg, bg;
    attr_t attr;
} good_styles[] = {
    {"red,default", COLOR_RED, -1, A_NORMAL},
    {",blue", -1, COLOR_BLUE, A_NORMAL},
    {" white , blue , bold ", COLOR_WHITE, COLOR_BLUE, A_BOLD},
    {"208,17,reverse|dim", 208, 17, A_REVERSE | A_DIM},
    {"bright-cyan,black,", 14, COLOR_BLACK, A_NORMAL},
    {"default,default,underline blink", -1, -1, A_UNDERLINE | A_BLINK},
};

START_TEST(style_good)
{
    struct theme_style st;
    struct pv_error err;
    pv_error_clear(&err);
    ck_assert_msg(theme_parse_style(good_styles[_i].value, &st, &err), "%s", err.msg);
    ck_assert(st.set);
    ck_assert_int_eq(st.fg, good_styles[_i].fg);
    ck_assert_int_eq(st.bg, good_styles[_i].bg);
    ck_assert_uint_eq(st.attr, good_styles[_i].attr);
}
END_TEST

START_TEST(style_bad)
{
    static const char *const bad[] = {
        "", "red", "red,blue,bold,extra", "pink,default", "red,256", "red,default,loud",
        "bright-,red",
        /* a colour word too long to be one, whose first 31 octets are a number */
        "0000000000000000000000000000012junk,red"};
    for (size_t i = 0; i < PV_ARRAY_LEN(bad); i++) {
        struct theme_style st = {.set = false};
        struct pv_error err;
        pv_error_clear(&err);
        ck_assert_msg(!theme_parse_style(bad[i], &st, &err), "accepted '%s'", bad[i]);
        ck_assert(!st.set);
        ck_assert(err.msg[0] != '\0');
    }
}
END_TEST

START_TEST(role_names)
{
    enum tui_role r;
    ck_assert(!theme_role_by_name("", &r));
    ck_assert(!theme_role_by_name("mark", &r));
    for (int i = 0; i < ROLE_COUNT_; i++) {
        const char *name = theme_role_name((enum tui_role)i);
        ck_assert_msg(name && *name && strcmp(name, "?") != 0, "role %d has no name", i);
        ck_assert(theme_role_by_name(name, &r));
        ck_assert_int_eq(r, i);
    }
    ck_assert_str_eq(theme_role_name(ROLE_COUNT_), "?");
}
END_TEST

static Suite *prefs_suite(void)
{
    Suite *s = suite_create("prefs");
    TCase *tc = tcase_create("tui_prefs_new");
    tcase_add_test(tc, defaults);
    suite_add_tcase(s, tc);

    tc = tcase_create("tui_prefs_set");
    tcase_add_test(tc, set_colors);
    tcase_add_test(tc, set_date_format);
    tcase_add_loop_test(tc, set_sort, 0, (int)PV_ARRAY_LEN(good_sorts));
    tcase_add_test(tc, set_sort_refusals);
    tcase_add_test(tc, set_keys);
    suite_add_tcase(s, tc);

    tc = tcase_create("tui_prefs_name");
    tcase_add_test(tc, names_are_settable);
    suite_add_tcase(s, tc);

    tc = tcase_create("theme_parse_style");
    tcase_add_loop_test(tc, style_good, 0, (int)PV_ARRAY_LEN(good_styles));
    tcase_add_test(tc, style_bad);
    suite_add_tcase(s, tc);

    tc = tcase_create("theme_role_by_name");
    tcase_add_test(tc, role_names);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(prefs_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
