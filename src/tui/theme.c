/*
 * Colour roles: every piece of text says what it is (enum tui_role) and a
 * scheme says how that looks.  One colour scheme on the terminal's own
 * background, and a monochrome one made of attributes only, used when
 * NO_COLOR is set to anything non-empty (https://no-color.org), when the
 * caller asks, or when the terminal has fewer than 8 colours.  The two
 * schemes keep the same distinctions: a marked row is red in colour and
 * bold in monochrome, the cursor is reversed in both.
 */
#include <stdlib.h>

#include <popview/util.h>

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
    [ROLE_CURSOR] = {COLOR_BLACK, COLOR_WHITE, A_NORMAL, A_REVERSE},
    [ROLE_MARKED] = {COLOR_RED, -1, A_BOLD, A_BOLD},
    [ROLE_PENDING] = {COLOR_YELLOW, -1, A_NORMAL, A_UNDERLINE},
    [ROLE_UNLOADED] = {-1, -1, A_DIM, A_DIM},
    [ROLE_ERROR] = {COLOR_RED, -1, A_BOLD, A_BOLD},
    [ROLE_NOTICE] = {-1, -1, A_NORMAL, A_NORMAL},
    [ROLE_PROGRESS] = {COLOR_BLACK, COLOR_GREEN, A_NORMAL, A_REVERSE},
    [ROLE_MATCH] = {COLOR_BLACK, COLOR_YELLOW, A_NORMAL, A_REVERSE},
    [ROLE_HEADER] = {COLOR_CYAN, -1, A_BOLD, A_BOLD},
    [ROLE_QUOTE] = {COLOR_GREEN, -1, A_NORMAL, A_DIM},
    [ROLE_NOTE] = {COLOR_MAGENTA, -1, A_NORMAL, A_UNDERLINE},
    [ROLE_DIALOG] = {COLOR_WHITE, COLOR_BLUE, A_NORMAL, A_REVERSE},
    [ROLE_HELP_KEY] = {COLOR_YELLOW, -1, A_BOLD, A_BOLD},
    /* The transcript: commands stand out, -ERR more than +OK, data recedes. */
    [ROLE_TR_COMMAND] = {COLOR_CYAN, -1, A_BOLD, A_BOLD},
    [ROLE_TR_OK] = {COLOR_GREEN, -1, A_NORMAL, A_NORMAL},
    [ROLE_TR_ERR] = {COLOR_RED, -1, A_BOLD, A_BOLD | A_UNDERLINE},
    [ROLE_TR_DATA] = {-1, -1, A_NORMAL, A_DIM},
    [ROLE_TR_INFO] = {COLOR_YELLOW, -1, A_NORMAL, A_UNDERLINE},
    [ROLE_TR_NOTE] = {COLOR_MAGENTA, -1, A_NORMAL, NOTE_MONO},
    [ROLE_TR_FOLD] = {COLOR_BLUE, -1, A_BOLD, A_DIM | A_UNDERLINE},
};

static bool no_color_requested(void)
{
    const char *v = getenv("NO_COLOR");
    return v && *v;
}

void theme_init(struct tui_theme *t, bool monochrome)
{
    t->color = !monochrome && !no_color_requested() && has_colors() && start_color() == OK &&
               COLORS >= 8 && COLOR_PAIRS > ROLE_COUNT_;
    if (t->color && use_default_colors() != OK)
        t->color = false;
    for (int r = 0; r < ROLE_COUNT_; r++) {
        t->pair[r] = 0;
        if (!t->color) {
            t->attr[r] = SCHEME[r].mono;
            continue;
        }
        t->attr[r] = SCHEME[r].attr;
        if (SCHEME[r].fg != -1 || SCHEME[r].bg != -1) {
            if (init_pair((short)(r + 1), SCHEME[r].fg, SCHEME[r].bg) == OK)
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
