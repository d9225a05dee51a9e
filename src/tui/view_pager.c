/*
 * The pager: one message, as mail_render_message() shows it (the same text
 * `popview --show N` prints), or in one of three other modes a key
 * toggles: the full header block (h), the raw source (r), the MIME tree
 * (m).  Every mode's text is sanitized by the mail layer; tabs are
 * expanded here so the text widget only ever measures printable text.
 *
 * Life of a pager: it is pushed while the message is still on its way
 * (state WAITING, a progress bar from mailbox_fetch_progress), gets the
 * bytes from the app (view_pager_deliver) and shows them (SHOWING), or
 * shows why it could not (FAILED).  A preview (TOP) is marked as such and
 * cannot be saved, so a partial message is never written as if complete.
 *
 * s asks what to save: the raw message as an .eml file, the message
 * appended to an mbox (mbox.c), or one of the parts the "Attachments:"
 * list shows, decoded, under a name made safe (tui_safe_filename); files
 * are written by tui_save_file, which never replaces one without asking.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include <popview/util.h>

#include <popview/mail.h>

#include <popview/mailbox.h>

#include <popview/i18n.h>

#include "private.h"

enum pager_mode { PAGER_MESSAGE, PAGER_HEADERS, PAGER_RAW, PAGER_MIME, PAGER_MODE_COUNT_ };
enum pager_state { PAGER_WAITING, PAGER_SHOWING, PAGER_FAILED };

static const char *const MODE_NAMES[PAGER_MODE_COUNT_] = {
    [PAGER_MESSAGE] = N_("message"),
    [PAGER_HEADERS] = N_("full header"),
    [PAGER_RAW] = N_("raw source"),
    [PAGER_MIME] = N_("MIME structure"),
};

/* The most of the raw source (r) the pager turns into text. */
enum { PAGER_RAW_MAX = 2 * 1024 * 1024 };

struct pager_view {
    struct view base;
    struct tui_app *app;
    size_t index;
    unsigned msgno;
    uint64_t size;
    bool preview;
    enum pager_state state;
    char *error;
    struct pv_spool *message; /* owns the bytes raw points to */
    const char *raw;
    size_t raw_len;
    enum pager_mode mode;
    struct pv_buf texts[PAGER_MODE_COUNT_];
    bool built[PAGER_MODE_COUNT_];
    struct text_widget tw;
    struct tui_rect rect;
    char *needle;
    bool has_match;
    size_t match_line;
    bool in_header; /* classifier state while lines are given roles */
    bool in_attachments;
    char *pending_path;     /* save: the path waiting for "overwrite?" */
    struct mail_mime *mime; /* parsed when a save needs the parts */
    size_t *attachments;    /* part indexes of the "Attachments:" list */
    size_t attachment_count;
    bool attachments_known;
    char *pipe_command;
};

static const struct view_ops PAGER_OPS;

bool view_is_pager(const struct view *v)
{
    return v && v->ops == &PAGER_OPS;
}

/* ---- building the texts -------------------------------------------------- */

/* Tabs to spaces at multiples of 8, counting columns as the screen does. */
static void expand_tabs(const char *in, size_t len, struct pv_buf *out)
{
    size_t col = 0;
    for (size_t i = 0; i < len;) {
        if (in[i] == '\t') {
            size_t n = 8 - col % 8;
            tui_buf_append(out, "        ", n);
            col += n;
            i++;
            continue;
        }
        if (in[i] == '\n') {
            tui_buf_append(out, "\n", 1);
            col = 0;
            i++;
            continue;
        }
        uint32_t cp;
        size_t n = tui_utf8_next(in + i, len - i, &cp);
        tui_buf_append(out, in + i, n);
        col += (size_t)tui_cp_columns(cp);
        i += n;
    }
}

/* The rendered text after its header lines and the empty line below them. */
static const char *rendered_body(const struct pv_buf *rendered, size_t *len_out)
{
    const char *blank = rendered->data ? strstr(rendered->data, "\n\n") : NULL;
    if (!blank) {
        *len_out = 0;
        return "";
    }
    *len_out = rendered->len - (size_t)(blank + 2 - rendered->data);
    return blank + 2;
}

/* A large message lives in a mapped temporary file: once a pass over it is
 * done, its pages are handed back, so memory stays bounded by what is
 * shown, whatever the message's size. */
static void release_pages(struct pager_view *pv)
{
    pv_spool_drop_pages(pv->message);
}

static void release_pages_tick(void *pv)
{
    release_pages(pv);
}

/* The MIME tree, parsed once for every mode, the attachment list and
 * saving; the parse reads all of the message, handing pages back as it
 * goes. */
static struct mail_mime *pager_mime(struct pager_view *pv)
{
    if (!pv->mime)
        pv->mime = mail_mime_parse_watched(pv->raw, pv->raw_len, release_pages_tick, pv);
    return pv->mime;
}

/* The raw source, up to PAGER_RAW_MAX (cut at a line end): the whole of a
 * 50 MB message as text would cost several times its size in memory; the
 * rest is a save (s) or a pipe (|) away, and the note says so. */
static void build_raw(struct pager_view *pv, struct pv_buf *out)
{
    size_t len = pv->raw_len;
    if (len > PAGER_RAW_MAX) {
        const char *nl = memrchr(pv->raw, '\n', PAGER_RAW_MAX);
        len = nl ? (size_t)(nl + 1 - pv->raw) : PAGER_RAW_MAX;
    }
    mail_sanitize(pv->raw, len, MAIL_SANITIZE_KEEP_NEWLINES | MAIL_SANITIZE_KEEP_TABS, out);
    if (len == pv->raw_len)
        return;
    char shown[16], whole[16], note[200];
    pv_format_size(len, shown, sizeof shown);
    pv_format_size(pv->raw_len, whole, sizeof whole);
    int n = snprintf(note, sizeof note,
                     _("[popview: the raw source shows its first %s of %s; save it (s) or pipe "
                       "it (|) for the rest]\n"),
                     shown, whole);
    if (n > 0)
        tui_buf_append(out, note, (size_t)n < sizeof note ? (size_t)n : sizeof note - 1);
}

static void build_mode(struct pager_view *pv, enum pager_mode mode)
{
    if (pv->built[mode])
        return;
    struct pv_buf plain;
    pv_buf_init(&plain, 0);
    if (pv->preview) {
        char size[16];
        pv_format_size(pv->size, size, sizeof size);
        char note[160];
        int n = snprintf(note, sizeof note,
                         _("[popview: a preview: the header and the first %d lines of the body; "
                           "the whole message is %s]\n"),
                         TUI_PREVIEW_LINES, size);
        if (n > 0)
            tui_buf_append(&plain, note, (size_t)n < sizeof note ? (size_t)n : sizeof note - 1);
    }
    switch (mode) {
    case PAGER_MESSAGE:
        mail_render(pager_mime(pv), pv->raw, pv->raw_len, &plain);
        break;
    case PAGER_HEADERS: {
        size_t body_off = 0;
        struct mail_headers *h = mail_headers_parse(pv->raw, pv->raw_len, &body_off);
        mail_headers_free(&h);
        mail_sanitize(pv->raw, body_off, MAIL_SANITIZE_KEEP_NEWLINES | MAIL_SANITIZE_KEEP_TABS,
                      &plain);
        struct pv_buf rendered;
        pv_buf_init(&rendered, 0);
        mail_render(pager_mime(pv), pv->raw, pv->raw_len, &rendered);
        size_t blen;
        const char *body = rendered_body(&rendered, &blen);
        if (plain.len && plain.data[plain.len - 1] != '\n')
            tui_buf_append(&plain, "\n", 1);
        tui_buf_append(&plain, body, blen);
        pv_buf_free(&rendered);
        break;
    }
    case PAGER_RAW:
        build_raw(pv, &plain);
        break;
    case PAGER_MIME: {
        mail_render_tree(pager_mime(pv), &plain);
        break;
    }
    case PAGER_MODE_COUNT_:
        break;
    }
    pv_buf_init(&pv->texts[mode], 0);
    expand_tabs(plain.data ? plain.data : "", plain.len, &pv->texts[mode]);
    pv_buf_free(&plain);
    pv->built[mode] = true;
    release_pages(pv);
}

/* Roles: the header block, quotes, popview's notes and the attachment list. */
/* The renderer's "Attachments:" heading, in the language it was rendered
 * in (mail/render.c translates it through the same catalogue). */
static bool is_attachments_heading(const char *line, size_t len)
{
    const char *heading = _("Attachments:");
    return len == strlen(heading) && memcmp(line, heading, len) == 0;
}

static enum tui_role classify(void *ctx, size_t logical, const char *line, size_t len)
{
    struct pager_view *pv = ctx;
    if (logical == 0) {
        pv->in_header = pv->mode != PAGER_MIME;
        pv->in_attachments = false;
    }
    if (len >= 10 && memcmp(line, "[popview: ", 10) == 0)
        return ROLE_NOTE;
    if (pv->in_header) {
        if (len == 0 || (len == 1 && line[0] == '\r'))
            pv->in_header = false;
        else
            return ROLE_HEADER;
    }
    if (pv->mode == PAGER_MIME || pv->mode == PAGER_RAW)
        return ROLE_NORMAL;
    if (is_attachments_heading(line, len)) {
        pv->in_attachments = true;
        return ROLE_NOTE;
    }
    if (pv->in_attachments && len > 0 && line[0] == ' ')
        return ROLE_NOTE;
    pv->in_attachments = false;
    if (len > 0 && line[0] == '>')
        return ROLE_QUOTE;
    return ROLE_NORMAL;
}

static void show_mode(struct pager_view *pv, enum pager_mode mode)
{
    build_mode(pv, mode);
    pv->mode = mode;
    pv->has_match = false;
    const struct pv_buf *b = &pv->texts[mode];
    textw_set_text(&pv->tw, b->data ? b->data : "", b->len, classify, pv);
    textw_resize(&pv->tw, pv->rect.w, pv->rect.h);
}

/* ---- delivery -------------------------------------------------------------- */

bool view_pager_deliver(struct view *v, struct tui_app *app, size_t index,
                        struct pv_spool **message, const char *error)
{
    (void)app;
    if (!view_is_pager(v))
        return false;
    struct pager_view *pv = (struct pager_view *)v;
    if (pv->state != PAGER_WAITING || (message && *message && index != pv->index))
        return false;
    if (!message || !*message) {
        pv->state = PAGER_FAILED;
        pv->error = pv_xstrdup(error ? error : _("the message could not be fetched"));
        return true;
    }
    pv->message = *message;
    *message = NULL;
    pv->raw = pv_spool_data(pv->message);
    pv->raw_len = pv_spool_len(pv->message);
    pv->state = PAGER_SHOWING;
    show_mode(pv, PAGER_MESSAGE);
    return true;
}

/* ---- drawing ---------------------------------------------------------------- */

static void draw_waiting(struct pager_view *pv, WINDOW *w, const struct tui_rect *r)
{
    const struct tui_theme *t = app_theme(pv->app);
    uint64_t done = 0;
    uint64_t total = 0;
    mailbox_fetch_progress(app_mailbox(pv->app), &done, &total);
    if (total == 0)
        total = pv->size;
    char size[16];
    char got[16];
    pv_format_size(total, size, sizeof size);
    pv_format_size(done, got, sizeof got);
    char line[128];
    snprintf(line, sizeof line,
             pv->preview ? _("Fetching a preview of message %u (%s)...")
                         : _("Fetching the whole of message %u (%s)..."),
             pv->msgno, size);
    int y = r->y + r->h / 3;
    theme_apply(t, w, ROLE_NOTICE);
    scr_puts(w, y, r->x + 2, r->w - 4, line, SCR_ELLIPSIS);
    int bar = r->w - 4 < 50 ? r->w - 4 : 50;
    scr_progress(w, t, y + 2, r->x + 2, bar, done, total);
    snprintf(line, sizeof line, "%s of %s", got, size);
    scr_puts(w, y + 3, r->x + 2, r->w - 4, line, SCR_ELLIPSIS);
    theme_apply(t, w, ROLE_NORMAL);
}

static void draw_failed(struct pager_view *pv, WINDOW *w, const struct tui_rect *r)
{
    const struct tui_theme *t = app_theme(pv->app);
    int y = r->y + r->h / 3;
    char line[128];
    snprintf(line, sizeof line, _("Message %u could not be shown:"), pv->msgno);
    theme_apply(t, w, ROLE_ERROR);
    scr_puts(w, y, r->x + 2, r->w - 4, line, SCR_ELLIPSIS);
    scr_puts(w, y + 1, r->x + 2, r->w - 4, pv->error, SCR_ELLIPSIS);
    theme_apply(t, w, ROLE_NORMAL);
    scr_puts(w, y + 3, r->x + 2, r->w - 4, _("Press q to go back."), SCR_ELLIPSIS);
}

static void pager_draw(struct view *v, struct tui_app *app, WINDOW *w, const struct tui_rect *r)
{
    struct pager_view *pv = (struct pager_view *)v;
    switch (pv->state) {
    case PAGER_WAITING:
        draw_waiting(pv, w, r);
        break;
    case PAGER_FAILED:
        draw_failed(pv, w, r);
        break;
    case PAGER_SHOWING:
        textw_draw(&pv->tw, w, app_theme(app), r);
        break;
    }
}

/* ---- search ------------------------------------------------------------------ */

static unsigned find(struct pager_view *pv, size_t start, bool backwards)
{
    char shown[128];
    tui_text_printable(shown, sizeof shown, pv->needle);
    size_t line;
    if (!textw_find(&pv->tw, pv->needle, start, backwards, &line)) {
        app_notice(pv->app, ROLE_ERROR, _("not found: '%s'"), shown);
        return TUI_REDRAW;
    }
    size_t from = pv->has_match ? pv->match_line : pv->tw.top;
    bool wrapped = pv->has_match && (backwards ? line >= from : line <= from);
    pv->has_match = true;
    pv->match_line = line;
    pv->tw.top = line;
    textw_scroll(&pv->tw, 0); /* clamps */
    if (wrapped)
        app_notice(pv->app, ROLE_NOTICE, _("search wrapped around: '%s'"), shown);
    else
        app_notice(pv->app, ROLE_NOTICE, _("found '%s' on line %zu"), shown, line + 1);
    return TUI_REDRAW;
}

static unsigned search_done(struct tui_app *app, void *ctx, size_t arg, int choice,
                            const char *text)
{
    (void)app;
    (void)arg;
    struct pager_view *pv = ctx;
    if (choice != PROMPT_OK || !*text)
        return TUI_REDRAW;
    free(pv->needle);
    pv->needle = pv_xstrdup(text);
    textw_set_highlight(&pv->tw, text);
    pv->has_match = false;
    return find(pv, pv->tw.top, false);
}

static unsigned search_again(struct pager_view *pv, bool backwards)
{
    if (!pv->needle) {
        app_notice(pv->app, ROLE_ERROR, _("nothing searched yet: press / first"));
        return TUI_REDRAW;
    }
    size_t count = pv->tw.line_count;
    if (count == 0)
        return TUI_HANDLED;
    size_t cur = pv->has_match ? pv->match_line : pv->tw.top;
    size_t start = backwards ? (cur + count - 1) % count : (cur + 1) % count;
    return find(pv, start, backwards);
}

/* ---- save ------------------------------------------------------------------------ */

static bool can_export(struct pager_view *pv, const char *what)
{
    if (pv->state != PAGER_SHOWING) {
        app_notice(pv->app, ROLE_ERROR, _("%s: the message is not here yet"), what);
        return false;
    }
    if (pv->preview) {
        app_notice(pv->app, ROLE_ERROR,
                   _("%s: only a preview was fetched; open the message again and fetch it all"),
                   what);
        return false;
    }
    return true;
}

/* What a save writes: the raw message, or else the part of that index,
 * decoded (the prompts carry it in their arg). */
#define SAVE_WHOLE_MESSAGE SIZE_MAX

/* "  [12] name  type  size": the part index of a line of the rendered
 * "Attachments:" list (mail.h documents the form). */
static bool parse_attachment_line(const char *line, size_t len, size_t *index_out)
{
    if (len < 5 || memcmp(line, "  [", 3) != 0)
        return false;
    const char *close = memchr(line + 3, ']', len - 3);
    uint64_t v;
    if (!close || !pv_parse_u64(line + 3, (size_t)(close - line - 3), &v) || v > SIZE_MAX)
        return false;
    *index_out = (size_t)v;
    return true;
}

/* The attachments as the pager lists them: the lines after the last
 * "Attachments:" (the renderer puts its list at the very end, so a list
 * quoted in a body never comes after it), each checked against the MIME
 * tree so that only real single parts can be saved. */
static void find_attachments(struct pager_view *pv)
{
    if (pv->attachments_known)
        return;
    pv->attachments_known = true;
    pager_mime(pv);
    build_mode(pv, PAGER_MESSAGE);
    const char *text = pv->texts[PAGER_MESSAGE].data ? pv->texts[PAGER_MESSAGE].data : "";
    char heading[64];
    snprintf(heading, sizeof heading, "\n%s\n", _("Attachments:"));
    size_t heading_len = strlen(heading);
    const char *line = NULL;
    for (const char *p = strstr(text, heading); p; p = strstr(p + 1, heading))
        line = p + heading_len;
    while (line && *line) {
        const char *nl = strchr(line, '\n');
        size_t len = nl ? (size_t)(nl - line) : strlen(line);
        size_t index;
        if (!parse_attachment_line(line, len, &index))
            break;
        const struct mail_part *part = mail_mime_part(pv->mime, index);
        if (part && !part->is_multipart) {
            pv->attachments = pv_xreallocarray(pv->attachments, pv->attachment_count + 1,
                                               sizeof *pv->attachments);
            pv->attachments[pv->attachment_count++] = index;
        }
        line += nl ? len + 1 : len;
    }
    release_pages(pv);
}

static bool is_attachment(const struct pager_view *pv, size_t index)
{
    for (size_t i = 0; i < pv->attachment_count; i++) {
        if (pv->attachments[i] == index)
            return true;
    }
    return false;
}

/* "2, 3, 4", or the first and last of a long list. */
static void format_attachment_numbers(const struct pager_view *pv, char *out, size_t out_size)
{
    size_t n = pv->attachment_count;
    if (n > 6) {
        snprintf(out, out_size, _("%zu to %zu, as listed"), pv->attachments[0],
                 pv->attachments[n - 1]);
        return;
    }
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < n && used < out_size; i++) {
        int k = snprintf(out + used, out_size - used, "%s%zu", i ? ", " : "", pv->attachments[i]);
        if (k < 0)
            break;
        used += (size_t)k;
    }
}

/* "message 13" or "attachment 2 of message 13", for notices. */
static void describe(const struct pager_view *pv, size_t what, char *out, size_t out_size)
{
    if (what == SAVE_WHOLE_MESSAGE)
        snprintf(out, out_size, _("message %u"), pv->msgno);
    else
        snprintf(out, out_size, _("attachment %zu of message %u"), what, pv->msgno);
}

static unsigned save_to(struct pager_view *pv, const char *path, size_t what, bool overwrite);

static unsigned overwrite_done(struct tui_app *app, void *ctx, size_t arg, int choice,
                               const char *text)
{
    (void)text;
    struct pager_view *pv = ctx;
    char *path = pv->pending_path;
    pv->pending_path = NULL;
    unsigned r = TUI_REDRAW;
    if (choice == 'y')
        r = save_to(pv, path, arg, true);
    else
        app_notice(app, ROLE_NOTICE, _("not saved; the file was left as it was"));
    free(path);
    return r;
}

static void ask_overwrite(struct pager_view *pv, const char *path, const char *shown, size_t what)
{
    free(pv->pending_path);
    pv->pending_path = pv_xstrdup(path);
    char whom[64];
    describe(pv, what, whom, sizeof whom);
    char text[384];
    snprintf(text, sizeof text, _("%s already exists.\nReplace it with %s?"), shown, whom);
    static const struct prompt_choice choices[] = {
        {'y', N_("yes, replace it"), 'y'},
        {'n', "no", 'n'},
    };
    app_open_prompt(
        pv->app, prompt_new_choice(text, choices, PV_ARRAY_LEN(choices), overwrite_done, pv, what));
}

static unsigned save_to(struct pager_view *pv, const char *path, size_t what, bool overwrite)
{
    struct pv_error err;
    pv_error_clear(&err);
    char shown[256];
    tui_text_printable(shown, sizeof shown, path);
    const char *data = pv->raw;
    size_t len = pv->raw_len;
    struct pv_buf decoded;
    pv_buf_init(&decoded, 0);
    enum mail_status decoding = MAIL_OK;
    if (what != SAVE_WHOLE_MESSAGE) {
        decoding = mail_mime_part_decode(pv->mime, what, pv->raw, pv->raw_len, &decoded);
        data = decoded.data ? decoded.data : "";
        len = decoded.len;
    }
    char whom[64];
    describe(pv, what, whom, sizeof whom);
    switch (tui_save_file(path, data, len, overwrite, &err)) {
    case SAVE_OK: {
        char size[16];
        pv_format_size(len, size, sizeof size);
        app_notice(pv->app, ROLE_NOTICE, _("saved %s to %s (%s)%s"), whom, shown, size,
                   decoding == MAIL_OK ? ""
                                       : "; its encoding had errors: what could be read was saved");
        break;
    }
    case SAVE_EXISTS:
        ask_overwrite(pv, path, shown, what);
        break;
    case SAVE_FAILED:
        app_notice(pv->app, ROLE_ERROR, "%s", err.msg);
        break;
    }
    pv_buf_free(&decoded);
    release_pages(pv);
    return TUI_REDRAW;
}

static unsigned save_done(struct tui_app *app, void *ctx, size_t arg, int choice, const char *text)
{
    (void)app;
    if (choice != PROMPT_OK || !*text)
        return TUI_REDRAW;
    char *path = tui_expand_path(text);
    unsigned r = save_to(ctx, path, arg, false);
    free(path);
    return r;
}

static unsigned mbox_done(struct tui_app *app, void *ctx, size_t arg, int choice, const char *text)
{
    (void)arg;
    struct pager_view *pv = ctx;
    if (choice != PROMPT_OK || !*text)
        return TUI_REDRAW;
    free(app->last_mbox);
    app->last_mbox = pv_xstrdup(text);
    char *path = tui_expand_path(text);
    char shown[256];
    tui_text_printable(shown, sizeof shown, path);
    struct pv_error err;
    pv_error_clear(&err);
    enum mbox_result appended = tui_mbox_append(path, pv->raw, pv->raw_len, time(NULL), &err);
    release_pages(pv);
    if (appended == MBOX_OK) {
        char size[16];
        pv_format_size(pv->raw_len, size, sizeof size);
        app_notice(app, ROLE_NOTICE, _("appended message %u to %s (%s)"), pv->msgno, shown, size);
    } else {
        app_notice(app, ROLE_ERROR, "%s", err.msg);
    }
    free(path);
    return TUI_REDRAW;
}

static void ask_attachment_path(struct pager_view *pv, size_t index)
{
    const struct mail_part *part = mail_mime_part(pv->mime, index);
    char *name = tui_safe_filename(part ? part->filename : NULL, index);
    char question[64];
    snprintf(question, sizeof question, _("Save attachment %zu to file: "), index);
    app_open_prompt(pv->app, prompt_new_text(question, name, save_done, pv, index));
    free(name);
}

static unsigned attachment_number_done(struct tui_app *app, void *ctx, size_t arg, int choice,
                                       const char *text)
{
    (void)arg;
    struct pager_view *pv = ctx;
    if (choice != PROMPT_OK)
        return TUI_REDRAW;
    /* "2", " 2 " or "[2]", as the list shows it. */
    size_t start = strspn(text, " [");
    size_t end = strlen(text);
    while (end > start && (text[end - 1] == ' ' || text[end - 1] == ']'))
        end--;
    uint64_t v = 0;
    if (!pv_parse_u64(text + start, end - start, &v) || v > SIZE_MAX ||
        !is_attachment(pv, (size_t)v)) {
        char shown[32];
        tui_text_printable(shown, sizeof shown, text);
        char numbers[96];
        format_attachment_numbers(pv, numbers, sizeof numbers);
        app_notice(app, ROLE_ERROR, _("no attachment '%s' in message %u; its attachments are %s"),
                   shown, pv->msgno, numbers);
        return TUI_REDRAW;
    }
    ask_attachment_path(pv, (size_t)v);
    return TUI_REDRAW;
}

static void ask_attachment(struct pager_view *pv)
{
    if (pv->attachment_count == 1) {
        ask_attachment_path(pv, pv->attachments[0]);
        return;
    }
    char numbers[96];
    format_attachment_numbers(pv, numbers, sizeof numbers);
    char question[160];
    snprintf(question, sizeof question, _("Save attachment number (%s): "), numbers);
    char initial[24];
    snprintf(initial, sizeof initial, "%zu", pv->attachments[0]);
    app_open_prompt(pv->app, prompt_new_text(question, initial, attachment_number_done, pv, 0));
}

enum save_kind { SAVE_EML = 'e', SAVE_MBOX = 'm', SAVE_ATTACHMENT = 'a' };

static unsigned save_kind_done(struct tui_app *app, void *ctx, size_t arg, int choice,
                               const char *text)
{
    (void)arg;
    (void)text;
    struct pager_view *pv = ctx;
    char initial[64];
    switch (choice) {
    case SAVE_EML:
        snprintf(initial, sizeof initial, "message-%u.eml", pv->msgno);
        app_open_prompt(
            app, prompt_new_text(_("Save to file: "), initial, save_done, pv, SAVE_WHOLE_MESSAGE));
        break;
    case SAVE_MBOX:
        /* mutt's default mbox, or the one used last in this run. */
        app_open_prompt(app, prompt_new_text(_("Append to mbox: "),
                                             app->last_mbox ? app->last_mbox : "~/mbox", mbox_done,
                                             pv, 0));
        break;
    case SAVE_ATTACHMENT:
        ask_attachment(pv);
        break;
    default:
        break;
    }
    return TUI_REDRAW;
}

/* s: what to save, in a box that names the keys. */
static void ask_save_kind(struct pager_view *pv)
{
    find_attachments(pv);
    static const struct prompt_choice choices[] = {
        {SAVE_EML, N_("as an .eml file"), SAVE_EML},
        {SAVE_MBOX, N_("append to an mbox"), SAVE_MBOX},
        {SAVE_ATTACHMENT, N_("an attachment"), SAVE_ATTACHMENT},
    };
    char size[16];
    pv_format_size(pv->raw_len, size, sizeof size);
    char text[160];
    size_t n = pv->attachment_count;
    if (n)
        snprintf(text, sizeof text,
                 P_("Save message %u (%s, %zu attachment):\nEsc cancels.",
                    "Save message %u (%s, %zu attachments):\nEsc cancels.", (unsigned long)n),
                 pv->msgno, size, n);
    else
        snprintf(text, sizeof text, _("Save message %u (%s):\nEsc cancels."), pv->msgno, size);
    app_open_prompt(pv->app, prompt_new_choice(text, choices, n ? 3 : 2, save_kind_done, pv, 0));
}

/* ---- pipe ------------------------------------------------------------------------ */

static void run_pipe(struct tui_app *app, void *ctx)
{
    struct pager_view *pv = ctx;
    struct pv_error err;
    pv_error_clear(&err);
    int status = 0;
    bool piped =
        tui_pipe_to_command(pv->pipe_command, pv->raw, pv->raw_len, app->child_mask, &status, &err);
    release_pages(pv);
    if (!piped) {
        printf("\npopview: %s\n", err.msg);
        app_notice(app, ROLE_ERROR, "%s", err.msg);
        return;
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
        app_notice(app, ROLE_NOTICE, _("the command finished"));
    } else if (WIFEXITED(status)) {
        printf(_("\npopview: the command exited with status %d\n"), WEXITSTATUS(status));
        app_notice(app, ROLE_ERROR, _("the command exited with status %d"), WEXITSTATUS(status));
    } else if (WIFSIGNALED(status)) {
        printf(_("\npopview: the command was killed by signal %d\n"), WTERMSIG(status));
        app_notice(app, ROLE_ERROR, _("the command was killed by signal %d"), WTERMSIG(status));
    }
}

static unsigned pipe_done(struct tui_app *app, void *ctx, size_t arg, int choice, const char *text)
{
    (void)arg;
    struct pager_view *pv = ctx;
    if (choice != PROMPT_OK || !*text)
        return TUI_REDRAW;
    free(pv->pipe_command);
    pv->pipe_command = pv_xstrdup(text);
    app_run_outside(app, run_pipe, pv);
    return TUI_RELAYOUT;
}

/* ---- actions ---------------------------------------------------------------- */

static unsigned toggle_mode(struct pager_view *pv, enum pager_mode mode)
{
    if (pv->state != PAGER_SHOWING)
        return TUI_HANDLED;
    show_mode(pv, pv->mode == mode ? PAGER_MESSAGE : mode);
    app_notice(pv->app, ROLE_NOTICE, _("showing the %s"), _(MODE_NAMES[pv->mode]));
    return TUI_REDRAW;
}

static unsigned pager_on_action(struct view *v, struct tui_app *app, enum tui_action a, int key)
{
    (void)key;
    struct pager_view *pv = (struct pager_view *)v;
    struct text_widget *tw = &pv->tw;
    switch (a) {
    case ACT_LINE_DOWN:
        textw_scroll(tw, 1);
        return TUI_REDRAW;
    case ACT_LINE_UP:
        textw_scroll(tw, -1);
        return TUI_REDRAW;
    case ACT_PAGE_DOWN:
        textw_page(tw, 1);
        return TUI_REDRAW;
    case ACT_PAGE_UP:
        textw_page(tw, -1);
        return TUI_REDRAW;
    case ACT_FIRST:
        textw_top(tw);
        return TUI_REDRAW;
    case ACT_LAST:
        textw_bottom(tw);
        return TUI_REDRAW;
    case ACT_BACK:
        app_pop_view(app);
        return TUI_RELAYOUT;
    case ACT_HEADERS:
        return toggle_mode(pv, PAGER_HEADERS);
    case ACT_RAW:
        return toggle_mode(pv, PAGER_RAW);
    case ACT_MIME:
        return toggle_mode(pv, PAGER_MIME);
    case ACT_SEARCH:
        if (pv->state != PAGER_SHOWING)
            return TUI_HANDLED;
        app_open_prompt(app, prompt_new_text(_("Search: "), "", search_done, pv, 0));
        return TUI_REDRAW;
    case ACT_SEARCH_NEXT:
        return search_again(pv, false);
    case ACT_SEARCH_PREV:
        return search_again(pv, true);
    case ACT_SAVE:
        if (!can_export(pv, _("save")))
            return TUI_REDRAW;
        ask_save_kind(pv);
        return TUI_REDRAW;
    case ACT_PIPE:
        if (!can_export(pv, _("pipe")))
            return TUI_REDRAW;
        app_open_prompt(app, prompt_new_text(_("Pipe to command: "), "", pipe_done, pv, 0));
        return TUI_REDRAW;
    default:
        return TUI_HANDLED;
    }
}

static void pager_on_resize(struct view *v, struct tui_app *app, const struct tui_rect *r)
{
    (void)app;
    struct pager_view *pv = (struct pager_view *)v;
    pv->rect = *r;
    textw_resize(&pv->tw, r->w, r->h);
}

static unsigned pager_on_model(struct view *v, struct tui_app *app, unsigned changed)
{
    (void)app;
    struct pager_view *pv = (struct pager_view *)v;
    /* The progress bar moves with every chunk that arrives. */
    if (pv->state == PAGER_WAITING || (changed & MAILBOX_CHANGED_ROWS))
        return TUI_REDRAW;
    return 0;
}

static bool pager_current(const struct view *v, const struct tui_app *app, size_t *index_out)
{
    (void)app;
    const struct pager_view *pv = (const struct pager_view *)v;
    *index_out = pv->index;
    return true;
}

static void pager_status(const struct view *v, const struct tui_app *app, char *out,
                         size_t out_size)
{
    const struct pager_view *pv = (const struct pager_view *)v;
    const struct mailbox_summary *s = mailbox_at(app_mailbox(app), pv->index);
    const char *mark = s && s->marked ? _("  [marked]") : "";
    if (pv->state != PAGER_SHOWING) {
        snprintf(out, out_size, _("msg %u%s"), pv->msgno, mark);
        return;
    }
    size_t total = pv->tw.line_count;
    size_t last = pv->tw.top + (size_t)(pv->tw.height > 0 ? pv->tw.height : 0);
    if (last > total)
        last = total;
    unsigned pct = total ? (unsigned)(last * 100 / total) : 100;
    snprintf(out, out_size, _("msg %u%s  %s  %zu-%zu/%zu %u%%"), pv->msgno, mark,
             _(MODE_NAMES[pv->mode]), total ? pv->tw.top + 1 : 0, last, total, pct);
}

static void pager_free(struct view *v)
{
    struct pager_view *pv = (struct pager_view *)v;
    for (int m = 0; m < PAGER_MODE_COUNT_; m++) {
        if (pv->built[m])
            pv_buf_free(&pv->texts[m]);
    }
    textw_free(&pv->tw);
    pv_spool_free(&pv->message);
    free(pv->error);
    free(pv->needle);
    free(pv->pending_path);
    free(pv->pipe_command);
    mail_mime_free(&pv->mime);
    free(pv->attachments);
    free(pv);
}

static const struct view_ops PAGER_OPS = {
    .name = "pager",
    .keymap = KEYMAP_PAGER,
    .advance_on_mark = false,
    .draw = pager_draw,
    .on_action = pager_on_action,
    .on_resize = pager_on_resize,
    .on_model = pager_on_model,
    .current_message = pager_current,
    .status = pager_status,
    .free = pager_free,
};

struct view *view_pager_new(struct tui_app *app, size_t index, bool preview)
{
    struct pager_view *pv = pv_xcalloc(1, sizeof *pv);
    pv->base.ops = &PAGER_OPS;
    pv->app = app;
    pv->index = index;
    pv->preview = preview;
    const struct mailbox_summary *s = mailbox_at(app_mailbox(app), index);
    pv->msgno = s ? s->msgno : (unsigned)(index + 1);
    pv->size = s ? s->size : 0;
    pv->state = PAGER_WAITING;
    textw_init(&pv->tw);
    return &pv->base;
}
