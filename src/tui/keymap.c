/*
 * Which key means which action in each view.  Keys follow mutt where mutt
 * has one (d, u, D, q, x, /, n, o, O, s, |, h, ?) and vi for movement
 * (j, k, g, G); the arrows and paging keys work everywhere.  The
 * teaching keys (t T Tab : e i) mean the same wherever they appear, except
 * that i in the pager stays mutt's "back to the index".  The help view and
 * the hint line at the top are generated from these tables, so what they
 * say is what the keys do.
 *
 * The config file may give an action other keys (key.ACTION = keys):
 * keymap_new() builds the tables in effect from the defaults and those
 * overrides, once per run.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <popview/util.h>

#include <popview/i18n.h>

#include "private.h"

#define FN(k) TUI_KEY_FN(k)

/* Movement shared by every list-like view. */
#define MOVEMENT_KEYS                                                                              \
    {'j', ACT_LINE_DOWN, false}, {FN(KEY_DOWN), ACT_LINE_DOWN, false}, {'k', ACT_LINE_UP, false},  \
        {FN(KEY_UP), ACT_LINE_UP, false}, {FN(KEY_NPAGE), ACT_PAGE_DOWN, false},                   \
        {' ', ACT_PAGE_DOWN, false}, {TUI_CTRL('f'), ACT_PAGE_DOWN, false},                        \
        {FN(KEY_PPAGE), ACT_PAGE_UP, false}, {'-', ACT_PAGE_UP, false},                            \
        {TUI_CTRL('b'), ACT_PAGE_UP, false}, {'g', ACT_FIRST, false},                              \
        {FN(KEY_HOME), ACT_FIRST, false}, {'G', ACT_LAST, false},                                  \
    {                                                                                              \
        FN(KEY_END), ACT_LAST, false                                                               \
    }

/* The teaching keys of the views the transcript pane shares the screen
 * with (t opens the pane with the keys in it; Tab moves them). */
#define TEACH_KEYS                                                                                 \
    {'t', ACT_TRANSCRIPT, true}, {'T', ACT_TRANSCRIPT_FULL, false}, {'\t', ACT_PANE_FOCUS, false}, \
        {':', ACT_CONSOLE, false},                                                                 \
    {                                                                                              \
        'e', ACT_EXPLAIN, false                                                                    \
    }

static const struct keybinding INDEX_KEYS[] = {
    {'q', ACT_QUIT, true},
    {'x', ACT_EXIT, false},
    {TUI_CTRL('c'), ACT_EXIT, false},
    {'\n', ACT_OPEN, true},
    {FN(KEY_ENTER), ACT_OPEN, false},
    {FN(KEY_RIGHT), ACT_OPEN, false},
    {'d', ACT_MARK, true},
    {'u', ACT_UNMARK, true},
    {'U', ACT_UNMARK_ALL, false},
    {'D', ACT_MARK_RULE, false},
    {'S', ACT_SAVE_MARK, false},
    {'/', ACT_SEARCH, true},
    {'n', ACT_SEARCH_NEXT, false},
    {'N', ACT_SEARCH_PREV, false},
    {'o', ACT_SORT_NEXT, true},
    {'O', ACT_SORT_REVERSE, false},
    MOVEMENT_KEYS,
    {'1', ACT_JUMP, false},
    {'2', ACT_JUMP, false},
    {'3', ACT_JUMP, false},
    {'4', ACT_JUMP, false},
    {'5', ACT_JUMP, false},
    {'6', ACT_JUMP, false},
    {'7', ACT_JUMP, false},
    {'8', ACT_JUMP, false},
    {'9', ACT_JUMP, false},
    {'R', ACT_RECONNECT, false},
    {TUI_CTRL('l'), ACT_REDRAW, false},
    {'?', ACT_HELP, true},
    TEACH_KEYS,
    {'i', ACT_INSPECT, false},
};

static const struct keybinding PAGER_KEYS[] = {
    {'q', ACT_BACK, true},
    {FN(KEY_LEFT), ACT_BACK, false},
    {'i', ACT_BACK, false},
    {'\n', ACT_LINE_DOWN, false},
    MOVEMENT_KEYS,
    {'h', ACT_HEADERS, true},
    {'r', ACT_RAW, true},
    {'m', ACT_MIME, true},
    {'/', ACT_SEARCH, true},
    {'n', ACT_SEARCH_NEXT, false},
    {'N', ACT_SEARCH_PREV, false},
    {'s', ACT_SAVE, true},
    {'|', ACT_PIPE, true},
    {'S', ACT_SAVE_MARK, false},
    {'d', ACT_MARK, false},
    {'u', ACT_UNMARK, false},
    {'x', ACT_EXIT, false},
    {TUI_CTRL('c'), ACT_EXIT, false},
    {'R', ACT_RECONNECT, false},
    {TUI_CTRL('l'), ACT_REDRAW, false},
    {'?', ACT_HELP, true},
    TEACH_KEYS,
};

static const struct keybinding HELP_KEYS[] = {
    {'q', ACT_BACK, true},
    {'?', ACT_BACK, false},
    {TUI_KEY_ESC, ACT_BACK, false},
    {FN(KEY_LEFT), ACT_BACK, false},
    MOVEMENT_KEYS,
    {TUI_CTRL('c'), ACT_EXIT, false},
    {TUI_CTRL('l'), ACT_REDRAW, false},
};

/* The transcript, as pane or full screen.  No '-' for previous-page here:
 * it shrinks the pane. */
static const struct keybinding TRANSCRIPT_KEYS[] = {
    {'q', ACT_BACK, true},
    {TUI_KEY_ESC, ACT_BACK, false},
    {'\n', ACT_FOLD, true},
    {FN(KEY_ENTER), ACT_FOLD, false},
    {'\t', ACT_PANE_FOCUS, true},
    {'+', ACT_PANE_GROW, true},
    {'-', ACT_PANE_SHRINK, true},
    {'j', ACT_LINE_DOWN, false},
    {FN(KEY_DOWN), ACT_LINE_DOWN, false},
    {'k', ACT_LINE_UP, false},
    {FN(KEY_UP), ACT_LINE_UP, false},
    {FN(KEY_NPAGE), ACT_PAGE_DOWN, false},
    {' ', ACT_PAGE_DOWN, false},
    {TUI_CTRL('f'), ACT_PAGE_DOWN, false},
    {FN(KEY_PPAGE), ACT_PAGE_UP, false},
    {TUI_CTRL('b'), ACT_PAGE_UP, false},
    {'g', ACT_FIRST, false},
    {FN(KEY_HOME), ACT_FIRST, false},
    {'G', ACT_LAST, false},
    {FN(KEY_END), ACT_LAST, false},
    {'t', ACT_TRANSCRIPT, false},
    {'T', ACT_TRANSCRIPT_FULL, false},
    {':', ACT_CONSOLE, true},
    {'e', ACT_EXPLAIN, true},
    {'i', ACT_INSPECT, false},
    {'x', ACT_EXIT, false},
    {TUI_CTRL('c'), ACT_EXIT, false},
    {'R', ACT_RECONNECT, false},
    {TUI_CTRL('l'), ACT_REDRAW, false},
    {'?', ACT_HELP, true},
};

/* The server inspector and the console's list of commands. */
static const struct keybinding INFO_KEYS[] = {
    {'q', ACT_BACK, true},
    {TUI_KEY_ESC, ACT_BACK, false},
    {FN(KEY_LEFT), ACT_BACK, false},
    {'i', ACT_INSPECT, false},
    MOVEMENT_KEYS,
    {':', ACT_CONSOLE, true},
    {'e', ACT_EXPLAIN, false},
    {TUI_CTRL('c'), ACT_EXIT, false},
    {TUI_CTRL('l'), ACT_REDRAW, false},
    {'?', ACT_HELP, true},
};

static const struct {
    const struct keybinding *keys;
    size_t count;
    const char *title;
} MAPS[KEYMAP_COUNT_] = {
    [KEYMAP_INDEX] = {INDEX_KEYS, PV_ARRAY_LEN(INDEX_KEYS), N_("index")},
    [KEYMAP_PAGER] = {PAGER_KEYS, PV_ARRAY_LEN(PAGER_KEYS), N_("pager")},
    [KEYMAP_HELP] = {HELP_KEYS, PV_ARRAY_LEN(HELP_KEYS), N_("help")},
    [KEYMAP_TRANSCRIPT] = {TRANSCRIPT_KEYS, PV_ARRAY_LEN(TRANSCRIPT_KEYS), N_("transcript")},
    [KEYMAP_INFO] = {INFO_KEYS, PV_ARRAY_LEN(INFO_KEYS), N_("server inspector")},
};

/* ---- the keys in effect: defaults with the config's overrides ---------------- */

struct keymap {
    struct keybinding *keys[KEYMAP_COUNT_];
    size_t count[KEYMAP_COUNT_];
};

static bool map_has_action(enum keymap_id map, enum tui_action a)
{
    for (size_t i = 0; i < MAPS[map].count; i++) {
        if (MAPS[map].keys[i].action == a)
            return true;
    }
    return false;
}

/* Is key given to an action of this map by an override? */
static bool key_taken(const struct tui_prefs *prefs, const bool *overridden, int key)
{
    for (int a = 1; a < ACT_COUNT_; a++) {
        if (!overridden[a])
            continue;
        for (size_t k = 0; k < prefs->keys[a].count; k++) {
            if (prefs->keys[a].keys[k] == key)
                return true;
        }
    }
    return false;
}

/* The map's defaults in order; an overridden action's keys are replaced,
 * where its first key was, by the override's (the hint, if it had one,
 * goes to the first of them), and keys an override takes leave the action
 * that had them. */
static void build_map(struct keymap *km, enum keymap_id map, const struct tui_prefs *prefs)
{
    bool overridden[ACT_COUNT_] = {false};
    size_t extra = 0;
    for (int a = 1; prefs && a < ACT_COUNT_; a++) {
        overridden[a] = prefs->keys[a].count > 0 && map_has_action(map, (enum tui_action)a);
        extra += overridden[a] ? prefs->keys[a].count : 0;
    }
    struct keybinding *out = pv_xcalloc(MAPS[map].count + extra + 1, sizeof *out);
    size_t n = 0;
    bool emitted[ACT_COUNT_] = {false};
    for (size_t i = 0; i < MAPS[map].count; i++) {
        struct keybinding b = MAPS[map].keys[i];
        if ((int)b.action > 0 && b.action < ACT_COUNT_ && overridden[b.action]) {
            if (emitted[b.action])
                continue;
            emitted[b.action] = true;
            bool hint = false;
            for (size_t j = i; j < MAPS[map].count; j++)
                hint |= MAPS[map].keys[j].action == b.action && MAPS[map].keys[j].hint;
            const struct key_override *o = &prefs->keys[b.action];
            for (size_t k = 0; k < o->count; k++)
                out[n++] = (struct keybinding){o->keys[k], b.action, hint && k == 0};
            continue;
        }
        if (prefs && key_taken(prefs, overridden, b.key))
            continue;
        out[n++] = b;
    }
    km->keys[map] = out;
    km->count[map] = n;
}

struct keymap *keymap_new(const struct tui_prefs *prefs)
{
    struct keymap *km = pv_xcalloc(1, sizeof *km);
    for (int m = 0; m < KEYMAP_COUNT_; m++)
        build_map(km, (enum keymap_id)m, prefs);
    return km;
}

void keymap_free(struct keymap **km)
{
    if (!km || !*km)
        return;
    for (int m = 0; m < KEYMAP_COUNT_; m++)
        free((*km)->keys[m]);
    free(*km);
    *km = NULL;
}

enum tui_action keymap_lookup(const struct keymap *km, enum keymap_id map, int key)
{
    if (!km || (int)map < 0 || map >= KEYMAP_COUNT_)
        return ACT_NONE;
    for (size_t i = 0; i < km->count[map]; i++) {
        if (km->keys[map][i].key == key)
            return km->keys[map][i].action;
    }
    return ACT_NONE;
}

const struct keybinding *keymap_bindings(const struct keymap *km, enum keymap_id map,
                                         size_t *count_out)
{
    if (!km || (int)map < 0 || map >= KEYMAP_COUNT_) {
        *count_out = 0;
        return NULL;
    }
    *count_out = km->count[map];
    return km->keys[map];
}

bool keymap_actions_meet(enum tui_action a, enum tui_action b)
{
    for (int m = 0; m < KEYMAP_COUNT_; m++) {
        if (map_has_action((enum keymap_id)m, a) && map_has_action((enum keymap_id)m, b))
            return true;
    }
    return false;
}

bool keymap_action_by_name(const char *name, enum tui_action *action_out)
{
    for (int a = 1; a < ACT_COUNT_; a++) {
        const struct action_info *info = action_info((enum tui_action)a);
        if (info && info->name && pv_ascii_ieq(name, info->name)) {
            *action_out = (enum tui_action)a;
            return true;
        }
    }
    return false;
}

const char *keymap_title(enum keymap_id map)
{
    if ((int)map < 0 || map >= KEYMAP_COUNT_)
        return "?";
    return MAPS[map].title;
}

/* The names are not translated: the help and the hint line show them so
 * that they can be copied into key.ACTION, which reads only these (a
 * keyboard's caps say Enter, Esc and PgDn in Russia too). */
static const struct {
    int key;
    const char *name;
} KEY_NAMES[] = {
    {FN(KEY_DOWN), "Down"},
    {FN(KEY_UP), "Up"},
    {FN(KEY_LEFT), "Left"},
    {FN(KEY_RIGHT), "Right"},
    {FN(KEY_NPAGE), "PgDn"},
    {FN(KEY_PPAGE), "PgUp"},
    {FN(KEY_HOME), "Home"},
    {FN(KEY_END), "End"},
    {FN(KEY_ENTER), "KPEnter"},
    {'\n', "Enter"},
    {' ', "Space"},
    {TUI_KEY_ESC, "Esc"},
    {'\t', "Tab"},
    {TUI_KEY_DEL, "Del"},
};

/* Writes cp as UTF-8 with a NUL; false when it does not fit or is not a
 * character. */
static bool utf8_string(uint32_t cp, char *out, size_t out_size)
{
    char u[4];
    size_t n = tui_utf8_put(cp, u);
    if (n == 0 || n + 1 > out_size)
        return false;
    memcpy(out, u, n);
    out[n] = '\0';
    return true;
}

void keymap_key_name(int key, char *out, size_t out_size)
{
    for (size_t i = 0; i < PV_ARRAY_LEN(KEY_NAMES); i++) {
        if (KEY_NAMES[i].key == key) {
            snprintf(out, out_size, "%s", KEY_NAMES[i].name);
            return;
        }
    }
    if (key >= 0 && key < 0x20) {
        snprintf(out, out_size, "^%c", (char)(key + '@'));
        return;
    }
    if (key > 0x20 && key < 0x7f) {
        snprintf(out, out_size, "%c", (char)key);
        return;
    }
    if (key >= FN(KEY_F(1)) && key <= FN(KEY_F(12))) {
        snprintf(out, out_size, "F%d", key - FN(KEY_F(0)));
        return;
    }
    if (key >= TUI_KEY_FN(0)) {
        const char *name = keyname(key - TUI_KEY_FN(0));
        snprintf(out, out_size, "%s", name ? name : "?");
        return;
    }
    /* A printable character beyond ASCII is shown as itself, as the
     * config file writes it ("key.quit = ä"). */
    if (key > 0x7f && key < 0x110000 && !tui_cp_is_control((uint32_t)key) &&
        tui_cp_columns((uint32_t)key) > 0 && utf8_string((uint32_t)key, out, out_size))
        return;
    snprintf(out, out_size, "U+%04X", (unsigned)key);
}

/* Other names people write for keys, besides KEY_NAMES. */
static const struct {
    int key;
    const char *name;
} KEY_ALIASES[] = {
    {'\n', "Return"},        {FN(KEY_NPAGE), "PageDown"},      {FN(KEY_PPAGE), "PageUp"},
    {TUI_KEY_ESC, "Escape"}, {FN(KEY_BACKSPACE), "Backspace"}, {FN(KEY_DC), "Delete"},
    {FN(KEY_IC), "Insert"},
};

/* "^X", "^x", "C-x": a control character. */
static bool parse_ctrl(const char *name, int *key_out)
{
    const char *c = NULL;
    if (name[0] == '^' && name[1] && !name[2])
        c = name + 1;
    else if ((name[0] == 'C' || name[0] == 'c') && name[1] == '-' && name[2] && !name[3])
        c = name + 2;
    if (!c)
        return false;
    char u = *c >= 'a' && *c <= 'z' ? (char)(*c - 'a' + 'A') : *c;
    if (u < '@' || u > '_')
        return false;
    *key_out = u - '@';
    return true;
}

bool keymap_parse_key(const char *name, int *key_out)
{
    size_t len = strlen(name);
    if (len == 0)
        return false;
    for (size_t i = 0; i < PV_ARRAY_LEN(KEY_NAMES); i++) {
        if (pv_ascii_ieq(name, KEY_NAMES[i].name)) {
            *key_out = KEY_NAMES[i].key;
            return true;
        }
    }
    for (size_t i = 0; i < PV_ARRAY_LEN(KEY_ALIASES); i++) {
        if (pv_ascii_ieq(name, KEY_ALIASES[i].name)) {
            *key_out = KEY_ALIASES[i].key;
            return true;
        }
    }
    if ((name[0] == 'F' || name[0] == 'f') && len >= 2 && len <= 3) {
        unsigned n;
        if (pv_parse_uint(name + 1, len - 1, &n) && n >= 1 && n <= 12) {
            *key_out = FN(KEY_F((int)n));
            return true;
        }
    }
    if (parse_ctrl(name, key_out))
        return true;
    /* One character, typed as itself (UTF-8). */
    uint32_t cp;
    size_t used = tui_utf8_next(name, len, &cp);
    if (used != len || cp == 0xFFFD || tui_cp_is_control(cp) || cp == ' ')
        return false;
    *key_out = (int)cp;
    return true;
}
