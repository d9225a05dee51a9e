/*
 * Colour roles: every piece of text says what it is (enum tui_role) and a
 * scheme says how that looks.  One colour scheme on the terminal's own
 * background, and a monochrome one made of attributes only, used when
 * NO_COLOR is set to anything non-empty (https://no-color.org) unless the
 * config says colors = always, when the caller or the config asks, or when
 * the terminal has fewer than 8 colours.  The two schemes keep the same
 * distinctions: a marked row is red in colour and bold in monochrome, the
 * cursor is reversed in both.
 *
 * Light and dark terminals: text on the terminal's own background (-1,
 * use_default_colors) uses only colours that read on both (red, green,
 * magenta, cyan and blue in bold); yellow and white appear only on a
 * background of their own, and the cursor row is reverse video of the
 * terminal's own colours.  Each element can be overridden in the config
 * (color.ELEMENT = fg,bg[,attr]).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <popview/util.h>

#include <popview/i18n.h>

#include "private.h"

/* Notes read as asides: italic where curses has it, else dim. */
#ifdef A_ITALIC
#define NOTE_MONO A_ITALIC
#else
#define NOTE_MONO A_DIM
#endif

struct role_style {
    short fg, bg; /* -1: the terminal's default */
    attr_t attr;  /* with colours */
    attr_t mono;  /* without */
};

static const struct role_style SCHEME[ROLE_COUNT_] = {
    [ROLE_NORMAL] = {-1, -1, A_NORMAL, A_NORMAL},
    [ROLE_TITLE] = {COLOR_BLACK, COLOR_CYAN, A_NORMAL, A_REVERSE},
    [ROLE_STATUS] = {COLOR_WHITE, COLOR_BLUE, A_BOLD, A_REVERSE},
    [ROLE_CURSOR] = {-1, -1, A_REVERSE, A_REVERSE},
    [ROLE_MARKED] = {COLOR_RED, -1, A_BOLD, A_BOLD},
    [ROLE_PENDING] = {COLOR_MAGENTA, -1, A_NORMAL, A_UNDERLINE},
    [ROLE_UNLOADED] = {-1, -1, A_DIM, A_DIM},
    [ROLE_ERROR] = {COLOR_RED, -1, A_BOLD, A_BOLD},
    [ROLE_NOTICE] = {-1, -1, A_NORMAL, A_NORMAL},
    [ROLE_PROGRESS] = {COLOR_BLACK, COLOR_GREEN, A_NORMAL, A_REVERSE},
    [ROLE_MATCH] = {COLOR_BLACK, COLOR_YELLOW, A_NORMAL, A_REVERSE},
    [ROLE_HEADER] = {COLOR_BLUE, -1, A_BOLD, A_BOLD},
    [ROLE_QUOTE] = {COLOR_GREEN, -1, A_NORMAL, A_DIM},
    [ROLE_NOTE] = {COLOR_MAGENTA, -1, A_NORMAL, A_UNDERLINE},
    [ROLE_DIALOG] = {COLOR_WHITE, COLOR_BLUE, A_NORMAL, A_REVERSE},
    [ROLE_HELP_KEY] = {COLOR_BLUE, -1, A_BOLD, A_BOLD},
    /* The transcript: commands stand out, -ERR more than +OK, data recedes. */
    [ROLE_TR_COMMAND] = {COLOR_CYAN, -1, A_BOLD, A_BOLD},
    [ROLE_TR_OK] = {COLOR_GREEN, -1, A_NORMAL, A_NORMAL},
    [ROLE_TR_ERR] = {COLOR_RED, -1, A_BOLD, A_BOLD | A_UNDERLINE},
    [ROLE_TR_DATA] = {-1, -1, A_NORMAL, A_DIM},
    [ROLE_TR_INFO] = {COLOR_MAGENTA, -1, A_NORMAL, A_UNDERLINE},
    [ROLE_TR_NOTE] = {-1, -1, NOTE_MONO, NOTE_MONO},
    [ROLE_TR_FOLD] = {COLOR_BLUE, -1, A_BOLD, A_DIM | A_UNDERLINE},
};

/* The names the config file uses for the roles. */
static const char *const ROLE_NAMES[ROLE_COUNT_] = {
    [ROLE_NORMAL] = "normal",
    [ROLE_TITLE] = "title",
    [ROLE_STATUS] = "status",
    [ROLE_CURSOR] = "cursor",
    [ROLE_MARKED] = "marked",
    [ROLE_PENDING] = "pending",
    [ROLE_UNLOADED] = "loading",
    [ROLE_ERROR] = "error",
    [ROLE_NOTICE] = "notice",
    [ROLE_PROGRESS] = "progress",
    [ROLE_MATCH] = "match",
    [ROLE_HEADER] = "header",
    [ROLE_QUOTE] = "quote",
    [ROLE_NOTE] = "note",
    [ROLE_DIALOG] = "dialog",
    [ROLE_HELP_KEY] = "help-key",
    [ROLE_TR_COMMAND] = "transcript-command",
    [ROLE_TR_OK] = "transcript-ok",
    [ROLE_TR_ERR] = "transcript-err",
    [ROLE_TR_DATA] = "transcript-data",
    [ROLE_TR_INFO] = "transcript-info",
    [ROLE_TR_NOTE] = "transcript-note",
    [ROLE_TR_FOLD] = "transcript-fold",
};

const char *theme_role_name(enum tui_role role)
{
    if ((int)role < 0 || role >= ROLE_COUNT_)
        return "?";
    return ROLE_NAMES[role];
}

bool theme_role_by_name(const char *name, enum tui_role *role_out)
{
    for (int r = 0; r < ROLE_COUNT_; r++) {
        if (pv_ascii_ieq(name, ROLE_NAMES[r])) {
            *role_out = (enum tui_role)r;
            return true;
        }
    }
    return false;
}

static const char *const COLOR_NAMES[8] = {"black", "red",     "green", "yellow",
                                           "blue",  "magenta", "cyan",  "white"};

enum { STYLE_TEXT_MAX = 128, STYLE_WORD_MAX = 32 };

/* "default", a colour name, "bright-NAME" (8-15) or a number 0..255. */
static bool parse_color(const char *word, short *out)
{
    if (!*word || pv_ascii_ieq(word, "default")) {
        *out = -1;
        return true;
    }
    unsigned n;
    if (pv_parse_uint(word, strlen(word), &n)) {
        if (n > 255)
            return false;
        *out = (short)n;
        return true;
    }
    short base = 0;
    if (pv_ascii_nieq(word, "bright-", 7)) {
        base = 8;
        word += 7;
    }
    for (short i = 0; i < 8; i++) {
        if (pv_ascii_ieq(word, COLOR_NAMES[i])) {
            *out = (short)(base + i);
            return true;
        }
    }
    return false;
}

static const struct {
    const char *name;
    attr_t attr;
} ATTR_NAMES[] = {
    {"normal", A_NORMAL},       {"bold", A_BOLD},       {"dim", A_DIM},
    {"underline", A_UNDERLINE}, {"reverse", A_REVERSE}, {"blink", A_BLINK},
#ifdef A_ITALIC
    {"italic", A_ITALIC},
#else
    {"italic", A_DIM},
#endif
};

/* "bold+underline" (also with spaces or '|'). */
static bool parse_attrs(const char *text, attr_t *out, char *bad, size_t bad_size)
{
    *out = A_NORMAL;
    const char *p = text;
    while (*p) {
        size_t skip = strspn(p, "+| \t");
        p += skip;
        size_t len = strcspn(p, "+| \t");
        if (len == 0)
            break;
        bool found = false;
        for (size_t i = 0; i < PV_ARRAY_LEN(ATTR_NAMES); i++) {
            if (strlen(ATTR_NAMES[i].name) == len && pv_ascii_nieq(p, ATTR_NAMES[i].name, len)) {
                *out |= ATTR_NAMES[i].attr;
                found = true;
            }
        }
        if (!found) {
            snprintf(bad, bad_size, "%.*s", (int)(len < 31 ? len : 31), p);
            return false;
        }
        p += len;
    }
    return true;
}

/* The n-th comma-separated field of value, spaces trimmed, in out; false
 * when there is none or it is longer than out holds (out then has its
 * start, for a message). */
static bool style_field(const char *value, int n, char *out, size_t out_size)
{
    const char *p = value;
    for (int i = 0; i < n; i++) {
        p = strchr(p, ',');
        if (!p)
            return false;
        p++;
    }
    size_t len = strcspn(p, ",");
    while (len && (*p == ' ' || *p == '\t')) {
        p++;
        len--;
    }
    while (len && (p[len - 1] == ' ' || p[len - 1] == '\t'))
        len--;
    bool fits = len < out_size;
    if (!fits)
        len = out_size - 1;
    memcpy(out, p, len);
    out[len] = '\0';
    return fits;
}

bool theme_parse_style(const char *value, struct theme_style *style_out, struct pv_error *err)
{
    size_t commas = 0;
    for (const char *p = value; *p; p++)
        commas += *p == ',';
    if (strlen(value) > STYLE_TEXT_MAX || commas < 1 || commas > 2) {
        pv_error_set(err, "%s", _("expected fg,bg[,attributes], for example red,default,bold"));
        return false;
    }
    char word[STYLE_WORD_MAX];
    struct theme_style st = {.set = true, .fg = -1, .bg = -1, .attr = A_NORMAL};
    short *targets[2] = {&st.fg, &st.bg};
    for (int i = 0; i < 2; i++) {
        /* A colour word too long to be one is refused, not cut to a valid one. */
        if (!style_field(value, i, word, sizeof word) || !parse_color(word, targets[i])) {
            pv_error_set(err,
                         i == 0 ? _("unknown foreground colour '%s': use default, black, red, "
                                    "green, yellow, blue, magenta, cyan, white, bright-NAME or "
                                    "a number 0-255")
                                : _("unknown background colour '%s': use default, black, red, "
                                    "green, yellow, blue, magenta, cyan, white, bright-NAME or "
                                    "a number 0-255"),
                         word);
            return false;
        }
    }
    if (commas == 2) {
        char attrs[STYLE_TEXT_MAX + 1];
        style_field(value, 2, attrs, sizeof attrs);
        char bad[32];
        if (!parse_attrs(attrs, &st.attr, bad, sizeof bad)) {
            pv_error_set(err,
                         _("unknown attribute '%s': use normal, bold, dim, italic, underline, "
                           "reverse or blink, joined with +"),
                         bad);
            return false;
        }
    }
    *style_out = st;
    return true;
}

static bool no_color_requested(void)
{
    const char *v = getenv("NO_COLOR");
    return v && *v;
}

static bool want_color(bool monochrome, const struct tui_prefs *prefs)
{
    enum tui_colors mode = prefs ? prefs->colors : TUI_COLORS_AUTO;
    if (monochrome || mode == TUI_COLORS_NEVER)
        return false;
    if (mode == TUI_COLORS_AUTO && no_color_requested())
        return false;
    return has_colors() && start_color() == OK && COLORS >= 8 && COLOR_PAIRS > ROLE_COUNT_;
}

void theme_init(struct tui_theme *t, bool monochrome, const struct tui_prefs *prefs)
{
    t->color = want_color(monochrome, prefs);
    if (t->color && use_default_colors() != OK)
        t->color = false;
    for (int r = 0; r < ROLE_COUNT_; r++) {
        t->pair[r] = 0;
        if (!t->color) {
            t->attr[r] = SCHEME[r].mono;
            continue;
        }
        struct role_style s = SCHEME[r];
        const struct theme_style *o = prefs ? &prefs->style[r] : NULL;
        /* A colour the terminal does not have keeps the default look. */
        if (o && o->set && o->fg < COLORS && o->bg < COLORS) {
            s.fg = o->fg;
            s.bg = o->bg;
            s.attr = o->attr;
        }
        t->attr[r] = s.attr;
        if (s.fg != -1 || s.bg != -1) {
            if (init_pair((short)(r + 1), s.fg, s.bg) == OK)
                t->pair[r] = (short)(r + 1);
        }
    }
}

void theme_apply(const struct tui_theme *t, WINDOW *w, enum tui_role role)
{
    if ((int)role < 0 || role >= ROLE_COUNT_)
        role = ROLE_NORMAL;
    wattr_set(w, t->attr[role], t->pair[role], NULL);
}
