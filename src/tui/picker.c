/*
 * The account picker: what `popview` with no URL shows when the config
 * file has several accounts.  One screen of its own, before any session
 * exists (the password prompt comes after it, on the plain terminal):
 *
 *    popview: choose an account              Enter:Open  q:Quit
 *     1  work   alice@pop.example.org:995    TLS
 *     2  home   bob@mail.example.net:110     STARTTLS
 *    account 1 of 2; Enter opens it, q leaves
 *
 * It shares the theme and the safe writer (scr_put) with the browser, so
 * names from the config file cannot send escape sequences either.  A
 * screen too small for the list shows only the account under the cursor.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <popview/util.h>

#include <popview/tui.h>

#include <popview/i18n.h>

#include "private.h"

enum { NUMBER_MAX_DIGITS = 6 };

struct picker {
    const struct tui_account_entry *entries;
    size_t count;
    size_t cursor;
    size_t top;
    struct tui_theme theme;
    unsigned typed; /* a number being typed, 0: none */
};

static size_t text_cols(const char *s)
{
    return s ? tui_text_columns(s, strlen(s)) : 0;
}

/* One account on row y: number, name, server, TLS mode in columns. */
static void draw_entry(const struct picker *p, int y, int cols, size_t i, int name_w, int server_w)
{
    const struct tui_account_entry *e = &p->entries[i];
    enum tui_role role = i == p->cursor ? ROLE_CURSOR : ROLE_NORMAL;
    theme_apply(&p->theme, stdscr, role);
    scr_blank(stdscr, y, 0, cols);
    char num[16];
    snprintf(num, sizeof num, "%3zu  ", i + 1);
    int x = scr_puts(stdscr, y, 0, cols, num, 0);
    if (x < cols)
        x += scr_puts(stdscr, y, x, name_w < cols - x ? name_w : cols - x, e->name, SCR_ELLIPSIS);
    x = 5 + name_w + 2;
    if (x < cols)
        scr_puts(stdscr, y, x, server_w < cols - x ? server_w : cols - x, e->server, SCR_ELLIPSIS);
    x += server_w + 2;
    if (x < cols)
        scr_puts(stdscr, y, x, cols - x, e->tls, SCR_ELLIPSIS);
    theme_apply(&p->theme, stdscr, ROLE_NORMAL);
}

static void draw(struct picker *p)
{
    int rows = getmaxy(stdscr);
    int cols = getmaxx(stdscr);
    erase();
    if (rows < 1 || cols < 1)
        return;
    if (rows < 3) {
        /* Only the current account fits: its number and name say enough. */
        draw_entry(p, 0, cols, p->cursor, cols, 0);
        refresh();
        return;
    }
    theme_apply(&p->theme, stdscr, ROLE_TITLE);
    scr_blank(stdscr, 0, 0, cols);
    int x = scr_puts(stdscr, 0, 0, cols, _("popview: choose an account"), 0);
    const char *hints = _("Enter:Open  q:Quit");
    int hint_w = (int)text_cols(hints);
    if (cols - x >= hint_w + 2)
        scr_puts(stdscr, 0, cols - hint_w, hint_w, hints, 0);

    int list_h = rows - 2;
    if (p->cursor < p->top)
        p->top = p->cursor;
    if (p->cursor >= p->top + (size_t)list_h)
        p->top = p->cursor - (size_t)list_h + 1;
    int name_w = 4;
    int server_w = 6;
    for (size_t i = 0; i < p->count; i++) {
        int nw = (int)text_cols(p->entries[i].name);
        int sw = (int)text_cols(p->entries[i].server);
        name_w = nw > name_w ? nw : name_w;
        server_w = sw > server_w ? sw : server_w;
    }
    /* The name never takes more than a third of a narrow screen. */
    if (name_w > cols / 3)
        name_w = cols / 3 > 4 ? cols / 3 : 4;
    for (int r = 0; r < list_h && p->top + (size_t)r < p->count; r++)
        draw_entry(p, 1 + r, cols, p->top + (size_t)r, name_w, server_w);

    theme_apply(&p->theme, stdscr, ROLE_STATUS);
    scr_blank(stdscr, rows - 1, 0, cols);
    char status[128];
    snprintf(status, sizeof status, _("account %zu of %zu; Enter opens it, q leaves"),
             p->cursor + 1, p->count);
    scr_puts(stdscr, rows - 1, 0, cols, status, SCR_ELLIPSIS);
    theme_apply(&p->theme, stdscr, ROLE_NORMAL);
    refresh();
}

static void move_by(struct picker *p, long delta)
{
    long target = (long)p->cursor + delta;
    if (target < 0)
        target = 0;
    if (target >= (long)p->count)
        target = (long)p->count - 1;
    p->cursor = (size_t)target;
}

/* A digit: the number typed so far chooses the account it names. */
static void type_digit(struct picker *p, int digit)
{
    unsigned n = p->typed * 10 + (unsigned)digit;
    if (n == 0 || n > p->count)
        n = (unsigned)digit;
    if (n >= 1 && n <= p->count) {
        p->typed = n;
        p->cursor = n - 1;
    } else {
        p->typed = 0;
    }
}

enum step { STEP_GO_ON, STEP_CHOSEN, STEP_CANCELLED };

static enum step on_key(struct picker *p, int key)
{
    long page = getmaxy(stdscr) > 3 ? getmaxy(stdscr) - 2 : 1;
    if (key >= '0' && key <= '9') {
        type_digit(p, key - '0');
        return STEP_GO_ON;
    }
    p->typed = 0;
    switch (key) {
    case '\n':
    case '\r':
    case TUI_KEY_FN(KEY_ENTER):
    case TUI_KEY_FN(KEY_RIGHT):
        return STEP_CHOSEN;
    case 'q':
    case TUI_KEY_ESC:
    case TUI_CTRL('c'):
    case TUI_CTRL('g'):
        return STEP_CANCELLED;
    case 'j':
    case TUI_KEY_FN(KEY_DOWN):
        move_by(p, 1);
        break;
    case 'k':
    case TUI_KEY_FN(KEY_UP):
        move_by(p, -1);
        break;
    case 'g':
    case TUI_KEY_FN(KEY_HOME):
        p->cursor = 0;
        break;
    case 'G':
    case TUI_KEY_FN(KEY_END):
        p->cursor = p->count - 1;
        break;
    case ' ':
    case TUI_KEY_FN(KEY_NPAGE):
        move_by(p, page);
        break;
    case '-':
    case TUI_KEY_FN(KEY_PPAGE):
        move_by(p, -page);
        break;
    default:
        break;
    }
    return STEP_GO_ON;
}

/* The next key as a Unicode code point or TUI_KEY_FN(curses key); -1 on
 * end of input. */
static int read_key(void)
{
    wint_t wc;
    int r = get_wch(&wc);
    if (r == ERR)
        return -1;
    if (r == KEY_CODE_YES)
        return TUI_KEY_FN((int)wc);
    return (int)wc;
}

enum tui_pick_result tui_pick_account(const struct tui_account_entry *entries, size_t count,
                                      size_t initial, const struct tui_prefs *prefs,
                                      size_t *chosen_out, struct pv_error *err)
{
    if (!entries || count == 0) {
        pv_error_set(err, _("there is no account to choose from"));
        return TUI_PICK_ERROR;
    }
    if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
        pv_error_set(err, _("choosing an account needs a terminal; name one with -a NAME"));
        return TUI_PICK_ERROR;
    }
    SCREEN *screen = newterm(NULL, stdout, stdin);
    if (!screen) {
        const char *term = getenv("TERM");
        pv_error_set(err, _("cannot start the account picker for TERM=%s; name one with -a NAME"),
                     term ? term : _("(unset)"));
        return TUI_PICK_ERROR;
    }
    set_term(screen);
    /* raw: Ctrl-C is a key that leaves the picker, like q. */
    raw();
    noecho();
    keypad(stdscr, TRUE);
    set_escdelay(25);
    curs_set(0);
    struct picker p = {.entries = entries, .count = count, .cursor = initial < count ? initial : 0};
    theme_init(&p.theme, false, prefs);
    enum step step = STEP_GO_ON;
    while (step == STEP_GO_ON) {
        draw(&p);
        int key = read_key();
        if (key == -1) {
            step = STEP_CANCELLED;
            break;
        }
        if (key == TUI_KEY_FN(KEY_RESIZE))
            continue;
        step = on_key(&p, key);
    }
    curs_set(1);
    endwin();
    delscreen(screen);
    if (step != STEP_CHOSEN)
        return TUI_PICK_CANCELLED;
    *chosen_out = p.cursor;
    return TUI_PICK_CHOSEN;
}
