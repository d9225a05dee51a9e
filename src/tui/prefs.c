/*
 * The interface settings of the config file's [ui] section, checked as
 * they are set so that a mistake is reported with the file's line number
 * (by the caller) instead of surfacing as a wrong colour later.
 *
 *   colors        auto | never | always
 *   color.ROLE    fg,bg[,attr]     (theme.c: the roles' names and colours)
 *   date_format   auto | a strftime format
 *   sort          KEY[,reverse]    (format.c: number date from subject size)
 *   key.ACTION    keys             (keymap.c: key names; actions.c: names)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <popview/util.h>

#include <popview/tui.h>

#include <popview/i18n.h>

#include "private.h"

enum { KEYS_TEXT_MAX = 256, KEY_NAME_MAX = 32 };

struct tui_prefs *tui_prefs_new(void)
{
    struct tui_prefs *p = pv_xcalloc(1, sizeof *p);
    p->colors = TUI_COLORS_AUTO;
    p->sort = MAILBOX_SORT_NUMBER;
    return p;
}

void tui_prefs_free(struct tui_prefs **prefs)
{
    if (!prefs || !*prefs)
        return;
    free((*prefs)->date_format);
    free(*prefs);
    *prefs = NULL;
}

static enum tui_prefs_status set_colors(struct tui_prefs *p, const char *value,
                                        struct pv_error *err)
{
    static const struct {
        const char *name;
        enum tui_colors mode;
    } modes[] = {
        {"auto", TUI_COLORS_AUTO},
        {"never", TUI_COLORS_NEVER},
        {"always", TUI_COLORS_ALWAYS},
    };
    for (size_t i = 0; i < PV_ARRAY_LEN(modes); i++) {
        if (pv_ascii_ieq(value, modes[i].name)) {
            p->colors = modes[i].mode;
            return TUI_PREFS_OK;
        }
    }
    pv_error_set(err, _("expected auto, never or always"));
    return TUI_PREFS_BAD_VALUE;
}

/* A format must say something and fit the index: one sample date is
 * formatted to find out. */
static enum tui_prefs_status set_date_format(struct tui_prefs *p, const char *value,
                                             struct pv_error *err)
{
    if (pv_ascii_ieq(value, "auto")) {
        free(p->date_format);
        p->date_format = NULL;
        return TUI_PREFS_OK;
    }
    if (!*value || strlen(value) >= TUI_DATE_FORMAT_MAX) {
        pv_error_set(err,
                     _("expected auto or a strftime format of 1 to %d characters, "
                       "for example %%Y-%%m-%%d %%H:%%M"),
                     TUI_DATE_FORMAT_MAX - 1);
        return TUI_PREFS_BAD_VALUE;
    }
    for (const char *c = value; *c; c++) {
        if ((unsigned char)*c < 0x20 || *c == 0x7f) {
            pv_error_set(err, _("the date format contains a control character"));
            return TUI_PREFS_BAD_VALUE;
        }
    }
    free(p->date_format);
    p->date_format = pv_xstrdup(value);
    if (tui_index_date_columns(p) < 1) {
        free(p->date_format);
        p->date_format = NULL;
        pv_error_set(err, _("this format gives an empty date, or one too long to show"));
        return TUI_PREFS_BAD_VALUE;
    }
    return TUI_PREFS_OK;
}

/* "date", "date,reverse", "date reverse". */
static enum tui_prefs_status set_sort(struct tui_prefs *p, const char *value, struct pv_error *err)
{
    char key[16];
    size_t len = strcspn(value, ", \t");
    const char *rest = value + len;
    rest += strspn(rest, ", \t");
    enum mailbox_sort sort;
    bool ok = len < sizeof key;
    if (ok) {
        memcpy(key, value, len);
        key[len] = '\0';
        ok = tui_sort_by_name(key, &sort);
    }
    bool reverse = pv_ascii_ieq(rest, "reverse");
    if (!ok || (*rest && !reverse)) {
        pv_error_set(err, _("expected number, date, from, subject or size, optionally followed "
                            "by \",reverse\""));
        return TUI_PREFS_BAD_VALUE;
    }
    p->sort_set = true;
    p->sort = sort;
    p->sort_reverse = reverse;
    return TUI_PREFS_OK;
}

static enum tui_prefs_status set_color(struct tui_prefs *p, const char *role_name,
                                       const char *value, struct pv_error *err)
{
    enum tui_role role;
    if (!theme_role_by_name(role_name, &role))
        return TUI_PREFS_UNKNOWN;
    struct theme_style st;
    if (!theme_parse_style(value, &st, err))
        return TUI_PREFS_BAD_VALUE;
    p->style[role] = st;
    return TUI_PREFS_OK;
}

/* Has another override given key to an action that shares a screen with
 * action?  Then one key would mean two things there. */
static bool key_given_elsewhere(const struct tui_prefs *p, enum tui_action action, int key,
                                enum tui_action *other_out)
{
    for (int a = 1; a < ACT_COUNT_; a++) {
        if (a == (int)action || !keymap_actions_meet(action, (enum tui_action)a))
            continue;
        for (size_t k = 0; k < p->keys[a].count; k++) {
            if (p->keys[a].keys[k] == key) {
                *other_out = (enum tui_action)a;
                return true;
            }
        }
    }
    return false;
}

static enum tui_prefs_status set_keys(struct tui_prefs *p, const char *action_name,
                                      const char *value, struct pv_error *err)
{
    enum tui_action action;
    if (!keymap_action_by_name(action_name, &action))
        return TUI_PREFS_UNKNOWN;
    if (strlen(value) > KEYS_TEXT_MAX) {
        pv_error_set(err, _("too long: at most %d characters of key names"), KEYS_TEXT_MAX);
        return TUI_PREFS_BAD_VALUE;
    }
    struct key_override o = {0};
    const char *c = value;
    for (;;) {
        c += strspn(c, " \t");
        size_t len = strcspn(c, " \t");
        if (len == 0)
            break;
        char name[KEY_NAME_MAX];
        snprintf(name, sizeof name, "%.*s", (int)(len < KEY_NAME_MAX - 1 ? len : KEY_NAME_MAX - 1),
                 c);
        int key;
        if (len >= KEY_NAME_MAX || !keymap_parse_key(name, &key)) {
            char shown[KEY_NAME_MAX];
            tui_text_printable(shown, sizeof shown, name);
            pv_error_set(err,
                         _("unknown key '%s': use a character, ^X for Ctrl-X, Space, Enter, "
                           "Tab, Esc, Up, Down, Left, Right, PgUp, PgDn, Home, End, F1-F12"),
                         shown);
            return TUI_PREFS_BAD_VALUE;
        }
        if (o.count == TUI_KEYS_PER_ACTION_MAX) {
            pv_error_set(err, _("too many keys: at most %d"), TUI_KEYS_PER_ACTION_MAX);
            return TUI_PREFS_BAD_VALUE;
        }
        o.keys[o.count++] = key;
        c += len;
    }
    if (o.count == 0) {
        pv_error_set(err, _("expected one or more key names separated by spaces, for example "
                            "\"d Del\""));
        return TUI_PREFS_BAD_VALUE;
    }
    for (size_t k = 0; k < o.count; k++) {
        enum tui_action other;
        if (key_given_elsewhere(p, action, o.keys[k], &other)) {
            char name[KEY_NAME_MAX];
            keymap_key_name(o.keys[k], name, sizeof name);
            pv_error_set(err, _("%s is already the key of %s (key.%s) on the same screen"), name,
                         action_info(other)->name, action_info(other)->name);
            return TUI_PREFS_BAD_VALUE;
        }
    }
    p->keys[action] = o;
    return TUI_PREFS_OK;
}

enum tui_prefs_status tui_prefs_set(struct tui_prefs *prefs, const char *name, const char *value,
                                    struct pv_error *err)
{
    if (pv_ascii_ieq(name, "colors"))
        return set_colors(prefs, value, err);
    if (pv_ascii_ieq(name, "date_format"))
        return set_date_format(prefs, value, err);
    if (pv_ascii_ieq(name, "sort"))
        return set_sort(prefs, value, err);
    if (pv_ascii_nieq(name, "color.", 6))
        return set_color(prefs, name + 6, value, err);
    if (pv_ascii_nieq(name, "key.", 4))
        return set_keys(prefs, name + 4, value, err);
    return TUI_PREFS_UNKNOWN;
}

bool tui_prefs_name(size_t i, char *out, size_t out_size)
{
    static const char *const plain[] = {"colors", "date_format", "sort"};
    if (i < PV_ARRAY_LEN(plain)) {
        snprintf(out, out_size, "%s", plain[i]);
        return true;
    }
    i -= PV_ARRAY_LEN(plain);
    if (i < ROLE_COUNT_) {
        snprintf(out, out_size, "color.%s", theme_role_name((enum tui_role)i));
        return true;
    }
    i -= ROLE_COUNT_;
    /* Actions count from 1 (ACT_NONE is no action). */
    if (i + 1 < ACT_COUNT_) {
        const struct action_info *info = action_info((enum tui_action)(i + 1));
        snprintf(out, out_size, "key.%s", info && info->name ? info->name : "?");
        return true;
    }
    return false;
}
