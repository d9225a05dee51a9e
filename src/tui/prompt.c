/*
 * The modal prompt: either a line of text typed on the message line
 * ("Search: ", "Save to file: ") or a box with a question and a few
 * one-key choices ("[y] yes, delete and quit").  While a prompt is open
 * every key goes to it.  It ends by calling its done function once, after
 * the app detached it, so a done function may open the next prompt (save
 * asks "overwrite?" that way).
 *
 * Text editing is deliberately small: typing appends, Backspace removes
 * the last character, Ctrl-U clears, Ctrl-W removes the last word, Enter
 * accepts, Escape or Ctrl-G cancels.
 */
#include <stdlib.h>
#include <string.h>

#include <popview/util.h>

#include <popview/i18n.h>

#include "private.h"

enum prompt_kind { PROMPT_KIND_TEXT, PROMPT_KIND_CHOICE };

struct prompt {
    enum prompt_kind kind;
    char *question; /* the text prompt's label, or the box's text */
    char text[PROMPT_TEXT_MAX];
    size_t len;
    struct prompt_choice choices[PROMPT_CHOICES_MAX];
    size_t choice_count;
    int result;
    prompt_done_fn done;
    void *ctx;
    size_t arg;
};

static struct prompt *prompt_alloc(enum prompt_kind kind, const char *question, prompt_done_fn fn,
                                   void *ctx, size_t arg)
{
    struct prompt *p = pv_xcalloc(1, sizeof *p);
    p->kind = kind;
    p->question = pv_xstrdup(question);
    p->done = fn;
    p->ctx = ctx;
    p->arg = arg;
    p->result = PROMPT_CANCEL;
    return p;
}

struct prompt *prompt_new_text(const char *question, const char *initial, prompt_done_fn fn,
                               void *ctx, size_t arg)
{
    struct prompt *p = prompt_alloc(PROMPT_KIND_TEXT, question, fn, ctx, arg);
    if (initial) {
        size_t n = strlen(initial);
        if (n >= sizeof p->text)
            n = 0;
        memcpy(p->text, initial, n);
        p->len = n;
    }
    return p;
}

struct prompt *prompt_new_choice(const char *text, const struct prompt_choice *choices,
                                 size_t count, prompt_done_fn fn, void *ctx, size_t arg)
{
    struct prompt *p = prompt_alloc(PROMPT_KIND_CHOICE, text, fn, ctx, arg);
    if (count > PROMPT_CHOICES_MAX)
        count = PROMPT_CHOICES_MAX;
    memcpy(p->choices, choices, count * sizeof *choices);
    p->choice_count = count;
    return p;
}

void prompt_free(struct prompt **pp)
{
    if (!pp || !*pp)
        return;
    free((*pp)->question);
    free(*pp);
    *pp = NULL;
}

/* Removes the last UTF-8 character. */
static void erase_char(struct prompt *p)
{
    while (p->len > 0) {
        p->len--;
        if (((unsigned char)p->text[p->len] & 0xc0) != 0x80)
            break;
    }
}

static void erase_word(struct prompt *p)
{
    while (p->len > 0 && p->text[p->len - 1] == ' ')
        p->len--;
    while (p->len > 0 && p->text[p->len - 1] != ' ')
        erase_char(p);
}

static void append_cp(struct prompt *p, uint32_t cp)
{
    char u[4];
    size_t n = tui_utf8_put(cp, u);
    if (p->len + n < sizeof p->text) {
        memcpy(p->text + p->len, u, n);
        p->len += n;
    }
}

static bool text_key(struct prompt *p, int key)
{
    switch (key) {
    case '\n':
    case '\r':
    case TUI_KEY_FN(KEY_ENTER):
        p->result = PROMPT_OK;
        return true;
    case TUI_KEY_ESC:
    case TUI_CTRL('g'):
    case TUI_CTRL('c'):
        p->result = PROMPT_CANCEL;
        return true;
    case TUI_KEY_FN(KEY_BACKSPACE):
    case TUI_KEY_DEL:
    case TUI_CTRL('h'):
        erase_char(p);
        return false;
    case TUI_CTRL('u'):
        p->len = 0;
        return false;
    case TUI_CTRL('w'):
        erase_word(p);
        return false;
    default:
        break;
    }
    /* Typed characters only: no controls, no function keys, no surrogates. */
    if (key >= 0x20 && key < TUI_KEY_FN(0) && !tui_cp_is_control((uint32_t)key) &&
        !(key >= 0xd800 && key <= 0xdfff))
        append_cp(p, (uint32_t)key);
    return false;
}

static bool choice_key(struct prompt *p, int key)
{
    if (key == TUI_KEY_ESC || key == TUI_CTRL('g') || key == TUI_CTRL('c')) {
        p->result = PROMPT_CANCEL;
        return true;
    }
    for (size_t i = 0; i < p->choice_count; i++) {
        if (key < 0x80 && pv_ascii_lower((char)key) == pv_ascii_lower((char)p->choices[i].key)) {
            p->result = p->choices[i].value;
            return true;
        }
    }
    return false;
}

bool prompt_on_key(struct prompt *p, int key)
{
    return p->kind == PROMPT_KIND_TEXT ? text_key(p, key) : choice_key(p, key);
}

unsigned prompt_finish(struct prompt *p, struct tui_app *app)
{
    p->text[p->len] = '\0';
    if (!p->done)
        return TUI_REDRAW;
    return p->done(app, p->ctx, p->arg, p->result, p->kind == PROMPT_KIND_TEXT ? p->text : "") |
           TUI_REDRAW;
}

/* The text prompt on the last line; the end of long input stays visible. */
static void draw_text(const struct prompt *p, WINDOW *w, const struct tui_theme *t, int rows,
                      int cols)
{
    int y = rows - 1;
    theme_apply(t, w, ROLE_NORMAL);
    scr_blank(w, y, 0, cols);
    int qcols = scr_puts(w, y, 0, cols * 2 / 3, p->question, SCR_ELLIPSIS);
    int room = cols - qcols - 1;
    size_t off = 0;
    while (room > 0 && tui_text_columns(p->text + off, p->len - off) > (size_t)room) {
        uint32_t cp;
        off += tui_utf8_next(p->text + off, p->len - off, &cp);
    }
    int used = scr_put(w, y, qcols, room, p->text + off, p->len - off, 0);
    wmove(w, y, qcols + used);
}

/* Splits the box text into lines; returns the number of lines. */
static size_t box_lines(const char *text, const char **starts, size_t *lens, size_t max)
{
    size_t n = 0;
    const char *s = text;
    while (n < max) {
        const char *nl = strchr(s, '\n');
        starts[n] = s;
        lens[n] = nl ? (size_t)(nl - s) : strlen(s);
        n++;
        if (!nl)
            break;
        s = nl + 1;
    }
    return n;
}

static void draw_choice(const struct prompt *p, WINDOW *w, const struct tui_theme *t, int rows,
                        int cols)
{
    enum { LINES_MAX = 8 };
    const char *starts[LINES_MAX];
    size_t lens[LINES_MAX];
    size_t n = box_lines(p->question, starts, lens, LINES_MAX);
    char choices[256] = "";
    size_t cl = 0;
    for (size_t i = 0; i < p->choice_count && cl < sizeof choices; i++) {
        int k = snprintf(choices + cl, sizeof choices - cl, "%s[%c] %s", i ? "   " : "",
                         (char)p->choices[i].key, _(p->choices[i].label));
        if (k < 0)
            break;
        cl += (size_t)k;
    }
    if (cl >= sizeof choices)
        cl = sizeof choices - 1;
    size_t inner = tui_text_columns(choices, cl);
    for (size_t i = 0; i < n; i++) {
        size_t c = tui_text_columns(starts[i], lens[i]);
        if (c > inner)
            inner = c;
    }
    int bw = (int)inner + 4;
    if (bw > cols - 2)
        bw = cols - 2;
    int bh = (int)n + 4;
    if (bh > rows - 2)
        bh = rows - 2;
    int by = (rows - bh) / 2;
    int bx = (cols - bw) / 2;
    theme_apply(t, w, ROLE_DIALOG);
    for (int y = 0; y < bh; y++)
        scr_blank(w, by + y, bx, bw);
    /* The frame with curses' own line drawing: no bytes of ours to check. */
    mvwhline(w, by, bx + 1, ACS_HLINE, bw - 2);
    mvwhline(w, by + bh - 1, bx + 1, ACS_HLINE, bw - 2);
    mvwvline(w, by + 1, bx, ACS_VLINE, bh - 2);
    mvwvline(w, by + 1, bx + bw - 1, ACS_VLINE, bh - 2);
    mvwaddch(w, by, bx, ACS_ULCORNER);
    mvwaddch(w, by, bx + bw - 1, ACS_URCORNER);
    mvwaddch(w, by + bh - 1, bx, ACS_LLCORNER);
    mvwaddch(w, by + bh - 1, bx + bw - 1, ACS_LRCORNER);
    for (size_t i = 0; i < n && (int)i < bh - 4; i++)
        scr_put(w, by + 1 + (int)i, bx + 2, bw - 4, starts[i], lens[i], SCR_ELLIPSIS);
    scr_put(w, by + bh - 2, bx + 2, bw - 4, choices, cl, SCR_ELLIPSIS);
    theme_apply(t, w, ROLE_NORMAL);
}

void prompt_draw(const struct prompt *p, WINDOW *w, const struct tui_theme *t, int rows, int cols)
{
    if (p->kind == PROMPT_KIND_TEXT)
        draw_text(p, w, t, rows, cols);
    else
        draw_choice(p, w, t, rows, cols);
}

bool prompt_is_text(const struct prompt *p)
{
    return p->kind == PROMPT_KIND_TEXT;
}
