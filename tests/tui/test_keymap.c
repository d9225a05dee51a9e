/*
 * Tests for src/tui/keymap.c:
 *   struct keymap *keymap_new(const struct tui_prefs *prefs);
 *   void keymap_free(struct keymap **km);
 *   enum tui_action keymap_lookup(const struct keymap *km, enum keymap_id map, int key);
 *   const struct keybinding *keymap_bindings(const struct keymap *km, enum keymap_id map,
 *       size_t *count_out);
 *   bool keymap_parse_key(const char *name, int *key_out);
 *   bool keymap_action_by_name(const char *name, enum tui_action *action_out);
 *   void keymap_key_name(int key, char *out, size_t out_size);
 * Overrides come in through tui_prefs_set, as from the config file.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <popview/util.h>

#include <popview/tui.h>

#include "src/tui/private.h"

#define FN(k) TUI_KEY_FN(k)

static struct tui_prefs *prefs_with(const char *name, const char *value)
{
    struct tui_prefs *p = tui_prefs_new();
    struct pv_error err;
    pv_error_clear(&err);
    ck_assert_msg(tui_prefs_set(p, name, value, &err) == TUI_PREFS_OK, "%s", err.msg);
    return p;
}

static size_t count_action(const struct keymap *km, enum keymap_id map, enum tui_action a)
{
    size_t n;
    const struct keybinding *b = keymap_bindings(km, map, &n);
    size_t found = 0;
    for (size_t i = 0; i < n; i++)
        found += b[i].action == a;
    return found;
}

/* ---- keymap_new and keymap_lookup ---- */

START_TEST(null_and_defaults)
{
    ck_assert_int_eq(keymap_lookup(NULL, KEYMAP_INDEX, 'q'), ACT_NONE);
    size_t n = 99;
    ck_assert_ptr_null(keymap_bindings(NULL, KEYMAP_INDEX, &n));
    ck_assert_uint_eq(n, 0);
    keymap_free(NULL);

    struct keymap *km = keymap_new(NULL);
    ck_assert_int_eq(keymap_lookup(km, KEYMAP_INDEX, 'q'), ACT_QUIT);
    ck_assert_int_eq(keymap_lookup(km, KEYMAP_INDEX, 'd'), ACT_MARK);
    ck_assert_int_eq(keymap_lookup(km, KEYMAP_INDEX, FN(KEY_DOWN)), ACT_LINE_DOWN);
    ck_assert_int_eq(keymap_lookup(km, KEYMAP_PAGER, 'q'), ACT_BACK);
    ck_assert_int_eq(keymap_lookup(km, KEYMAP_INDEX, 'Z'), ACT_NONE);
    ck_assert_int_eq(keymap_lookup(km, KEYMAP_COUNT_, 'q'), ACT_NONE);
    ck_assert_ptr_nonnull(keymap_bindings(km, KEYMAP_HELP, &n));
    ck_assert_uint_gt(n, 0);
    keymap_free(&km);
    ck_assert_ptr_null(km);

    /* Empty prefs are the defaults too. */
    struct tui_prefs *p = tui_prefs_new();
    km = keymap_new(p);
    ck_assert_int_eq(keymap_lookup(km, KEYMAP_INDEX, 'q'), ACT_QUIT);
    keymap_free(&km);
    tui_prefs_free(&p);
    ck_assert_ptr_null(p);
    tui_prefs_free(&p);
    tui_prefs_free(NULL);
}
END_TEST

START_TEST(override_replaces_keys)
{
    struct tui_prefs *p = prefs_with("key.quit", "Q F10");
    struct keymap *km = keymap_new(p);
    /* In the index, q no longer quits; Q and F10 do. */
    ck_assert_int_eq(keymap_lookup(km, KEYMAP_INDEX, 'q'), ACT_NONE);
    ck_assert_int_eq(keymap_lookup(km, KEYMAP_INDEX, 'Q'), ACT_QUIT);
    ck_assert_int_eq(keymap_lookup(km, KEYMAP_INDEX, FN(KEY_F(10))), ACT_QUIT);
    ck_assert_uint_eq(count_action(km, KEYMAP_INDEX, ACT_QUIT), 2);
    /* The pager has no quit action: its q (back) is untouched. */
    ck_assert_int_eq(keymap_lookup(km, KEYMAP_PAGER, 'q'), ACT_BACK);
    ck_assert_int_eq(keymap_lookup(km, KEYMAP_PAGER, 'Q'), ACT_NONE);
    /* The hint on the top line follows the action to its first new key. */
    size_t n;
    const struct keybinding *b = keymap_bindings(km, KEYMAP_INDEX, &n);
    bool hinted = false;
    for (size_t i = 0; i < n; i++) {
        if (b[i].action == ACT_QUIT && b[i].hint) {
            ck_assert_int_eq(b[i].key, 'Q');
            hinted = true;
        }
    }
    ck_assert(hinted);
    keymap_free(&km);
    tui_prefs_free(&p);
}
END_TEST

START_TEST(override_takes_key_from_other_action)
{
    /* x is "exit without deleting" by default; given to delete-message it
     * leaves exit in every view that has delete-message. */
    struct tui_prefs *p = prefs_with("key.delete-message", "x Del");
    struct keymap *km = keymap_new(p);
    ck_assert_int_eq(keymap_lookup(km, KEYMAP_INDEX, 'x'), ACT_MARK);
    ck_assert_int_eq(keymap_lookup(km, KEYMAP_INDEX, TUI_KEY_DEL), ACT_MARK);
    ck_assert_int_eq(keymap_lookup(km, KEYMAP_INDEX, 'd'), ACT_NONE);
    ck_assert_int_eq(keymap_lookup(km, KEYMAP_PAGER, 'x'), ACT_MARK);
    ck_assert_int_eq(keymap_lookup(km, KEYMAP_PAGER, 'd'), ACT_NONE);
    /* Ctrl-C still leaves without deleting. */
    ck_assert_int_eq(keymap_lookup(km, KEYMAP_INDEX, TUI_CTRL('c')), ACT_EXIT);
    /* The help has no delete-message: its x is not there to take, nor given. */
    ck_assert_int_eq(keymap_lookup(km, KEYMAP_HELP, 'x'), ACT_NONE);
    ck_assert_uint_eq(count_action(km, KEYMAP_HELP, ACT_MARK), 0);
    /* The transcript keeps its own x (exit): it has no delete-message. */
    ck_assert_int_eq(keymap_lookup(km, KEYMAP_TRANSCRIPT, 'x'), ACT_EXIT);
    keymap_free(&km);
    tui_prefs_free(&p);
}
END_TEST

START_TEST(override_movement_everywhere)
{
    struct tui_prefs *p = prefs_with("key.next-line", "j n ^N");
    struct keymap *km = keymap_new(p);
    for (int m = 0; m < KEYMAP_COUNT_; m++) {
        ck_assert_int_eq(keymap_lookup(km, (enum keymap_id)m, TUI_CTRL('n')), ACT_LINE_DOWN);
        ck_assert_int_eq(keymap_lookup(km, (enum keymap_id)m, FN(KEY_DOWN)), ACT_NONE);
    }
    /* n was search-next in the index: now it moves. */
    ck_assert_int_eq(keymap_lookup(km, KEYMAP_INDEX, 'n'), ACT_LINE_DOWN);
    keymap_free(&km);
    tui_prefs_free(&p);
}
END_TEST

/* ---- keymap_parse_key and keymap_key_name ---- */

static const struct {
    const char *name;
    int key;
} key_names[] = {
    {"j", 'j'},
    {"?", '?'},
    {"#", '#'},
    {"Down", FN(KEY_DOWN)},
    {"down", FN(KEY_DOWN)},
    {"PgDn", FN(KEY_NPAGE)},
    {"PageDown", FN(KEY_NPAGE)},
    {"PgUp", FN(KEY_PPAGE)},
    {"Home", FN(KEY_HOME)},
    {"End", FN(KEY_END)},
    {"Left", FN(KEY_LEFT)},
    {"Right", FN(KEY_RIGHT)},
    {"Enter", '\n'},
    {"Return", '\n'},
    {"Space", ' '},
    {"Tab", '\t'},
    {"Esc", TUI_KEY_ESC},
    {"Escape", TUI_KEY_ESC},
    {"Del", TUI_KEY_DEL},
    {"^L", TUI_CTRL('l')},
    {"^l", TUI_CTRL('l')},
    {"C-x", TUI_CTRL('x')},
    {"F1", FN(KEY_F(1))},
    {"f12", FN(KEY_F(12))},
    {"\xc3\xa4", 0xe4}, /* ä */
};

START_TEST(parse_key_names)
{
    int key = -1;
    ck_assert_msg(keymap_parse_key(key_names[_i].name, &key), "%s", key_names[_i].name);
    ck_assert_int_eq(key, key_names[_i].key);
}
END_TEST

START_TEST(parse_key_refusals)
{
    static const char *const bad[] = {"",        "jj",   "F0", "F13",  "^1",
                                      "Shift-Q", "\x01", " ",  "\xff", "C-"};
    for (size_t i = 0; i < PV_ARRAY_LEN(bad); i++) {
        int key = -7;
        ck_assert_msg(!keymap_parse_key(bad[i], &key), "accepted case %zu", i);
        ck_assert_int_eq(key, -7);
    }
}
END_TEST

START_TEST(key_names_round_trip)
{
    /* What the help shows can be written back in the config. */
    /* 0xe4 is a-umlaut and 0x4e2d a CJK character: shown as themselves. */
    static const int keys[] = {'j',          FN(KEY_DOWN), FN(KEY_NPAGE), ' ',
                               '\n',         '\t',         TUI_KEY_ESC,   TUI_CTRL('l'),
                               FN(KEY_F(5)), FN(KEY_END),  0xe4,          0x4e2d};
    for (size_t i = 0; i < PV_ARRAY_LEN(keys); i++) {
        char name[24];
        keymap_key_name(keys[i], name, sizeof name);
        int back = -1;
        ck_assert_msg(keymap_parse_key(name, &back), "cannot read back '%s'", name);
        ck_assert_int_eq(back, keys[i]);
    }
}
END_TEST

/* ---- keymap_action_by_name ---- */

START_TEST(action_names)
{
    enum tui_action a = ACT_NONE;
    ck_assert(keymap_action_by_name("delete-message", &a));
    ck_assert_int_eq(a, ACT_MARK);
    ck_assert(keymap_action_by_name("QUIT", &a));
    ck_assert_int_eq(a, ACT_QUIT);
    ck_assert(!keymap_action_by_name("", &a));
    ck_assert(!keymap_action_by_name("delete", &a));
    /* Every action's name finds that action. */
    for (int i = 1; i < ACT_COUNT_; i++) {
        const struct action_info *info = action_info((enum tui_action)i);
        if (!info || !info->name)
            continue;
        ck_assert(keymap_action_by_name(info->name, &a));
        ck_assert_int_eq(a, i);
    }
}
END_TEST

static Suite *keymap_suite(void)
{
    Suite *s = suite_create("keymap");
    TCase *tc = tcase_create("keymap_new");
    tcase_add_test(tc, null_and_defaults);
    tcase_add_test(tc, override_replaces_keys);
    tcase_add_test(tc, override_takes_key_from_other_action);
    tcase_add_test(tc, override_movement_everywhere);
    suite_add_tcase(s, tc);

    tc = tcase_create("keymap_parse_key");
    tcase_add_loop_test(tc, parse_key_names, 0, (int)PV_ARRAY_LEN(key_names));
    tcase_add_test(tc, parse_key_refusals);
    tcase_add_test(tc, key_names_round_trip);
    suite_add_tcase(s, tc);

    tc = tcase_create("keymap_action_by_name");
    tcase_add_test(tc, action_names);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(keymap_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
