/*
 * A message as a person reads it: the few header lines that matter, the
 * body parts a mail reader would show, and a list of the rest.  This is
 * where MIME structure becomes choices: which alternative to show
 * (RFC 2046 section 5.1.4: we prefer text/plain), which parts are inline
 * (RFC 2183), how an attached message is framed.  Every byte that leaves
 * goes through mail_sanitize(), so a message can never drive the terminal.
 *
 * Glossary: a part is "shown" when its text is in the body, "skipped" when
 * it is an alternative we did not choose (not listed anywhere), and an
 * "attachment" otherwise.  A "note" is a line "[popview: ...]" saying what
 * could not be read exactly.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <popview/util.h>

#include <popview/mail.h>

#include <popview/i18n.h>

#include "private.h"

/* The body text before sanitizing; a bigger rendering is cut with a note. */
enum { RENDER_MAX = 64u * 1024 * 1024 };

/* The encoded bytes of one text part decoded for showing: a 50 MB log
 * would otherwise cost several copies of itself in memory; the note says
 * how much is left out, and saving or piping gives all of it. */
enum { RENDER_PART_MAX = 2u * 1024 * 1024 };

enum part_fate { FATE_ATTACHMENT = 0, FATE_SHOWN, FATE_SKIPPED };

struct render {
    const struct mail_mime *m;
    const char *msg;
    size_t len;
    struct pv_buf text;
    enum part_fate *fate; /* per part index */
    enum mail_status status;
    bool full;
};

static const char *const header_lines[] = {"From", "To", "Cc", "Date", "Subject"};

/* Text types that read badly inline; they are listed as attachments. */
static const char *const text_as_attachment[] = {
    "text/calendar",
    "text/vcard",
    "text/x-vcard",
    "text/directory",
};

/* Machine-readable report parts that are plain text in fact (RFC 3464, RFC 8098). */
static const char *const message_as_text[] = {
    "message/delivery-status",
    "message/disposition-notification",
    "message/global-delivery-status",
};

/* ---- output helpers ------------------------------------------------------ */

static void emit(struct render *r, const char *p, size_t n)
{
    if (r->full)
        return;
    if (!pv_buf_append(&r->text, p, n)) {
        r->full = true;
        r->status = MAIL_ERR_MALFORMED;
    }
}

static void emit_str(struct render *r, const char *s)
{
    emit(r, s, strlen(s));
}

/* Text from the message for one line: control characters defused here so
 * that a header value cannot start a line of its own. */
static void emit_one_line(struct render *r, const char *s, size_t n)
{
    struct pv_buf line;
    pv_buf_init(&line, 0);
    mail_sanitize(s, n, MAIL_SANITIZE_ONE_LINE, &line);
    emit(r, line.data ? line.data : "", line.len);
    pv_buf_free(&line);
}

static void emit_note(struct render *r, const char *fmt, const char *arg)
{
    emit_str(r, "[popview: ");
    const char *at = strstr(fmt, "%s");
    if (at && arg) {
        emit(r, fmt, (size_t)(at - fmt));
        emit_one_line(r, arg, strlen(arg));
        emit_str(r, at + 2);
    } else {
        emit_str(r, fmt);
    }
    emit_str(r, "]\n");
}

static void end_line(struct render *r)
{
    if (r->text.len && r->text.data[r->text.len - 1] != '\n')
        emit(r, "\n", 1);
}

/* An empty line between two blocks of body text. */
static void begin_block(struct render *r, size_t body_start)
{
    if (r->text.len <= body_start)
        return;
    end_line(r);
    if (r->text.len >= 2 && r->text.data[r->text.len - 2] != '\n')
        emit(r, "\n", 1);
}

static void worse(struct render *r, enum mail_status st)
{
    if (st == MAIL_ERR_CHARSET || (st == MAIL_ERR_MALFORMED && r->status == MAIL_OK))
        r->status = st;
}

/* ---- headers -------------------------------------------------------- */

static void render_headers(struct render *r, const struct mail_headers *h)
{
    for (size_t i = 0; i < PV_ARRAY_LEN(header_lines); i++) {
        const char *raw = mail_headers_get(h, header_lines[i]);
        if (!raw)
            continue;
        char *decoded = mail_decode_header_text(raw);
        emit_str(r, header_lines[i]);
        emit_str(r, ": ");
        emit_one_line(r, decoded, strlen(decoded));
        emit(r, "\n", 1);
        free(decoded);
    }
}

/* ---- which parts are shown ------------------------------------------- */

static bool name_in(const char *type, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (strcmp(type, list[i]) == 0)
            return true;
    }
    return false;
}

static bool is_text_leaf(const struct mail_part *p)
{
    if (p->is_multipart || p->is_message)
        return false;
    if (name_in(p->type, message_as_text, PV_ARRAY_LEN(message_as_text)))
        return true;
    return mail_part_is_text(p) &&
           !name_in(p->type, text_as_attachment, PV_ARRAY_LEN(text_as_attachment));
}

/* Could this part put text on the screen inline? */
static bool can_show(const struct mail_part *p)
{
    if (p->is_message)
        return true;
    if (p->is_multipart) {
        for (size_t i = 0; i < p->child_count; i++) {
            if (can_show(p->children[i]))
                return true;
        }
        return false;
    }
    return is_text_leaf(p) && p->disposition != MAIL_DISPOSITION_ATTACHMENT;
}

/* Does the part or a part inside it carry a note worth showing? */
static bool has_note(const struct mail_part *p)
{
    if (p->note)
        return true;
    for (size_t i = 0; i < p->child_count; i++) {
        if (has_note(p->children[i]))
            return true;
    }
    return false;
}

static void mark_skipped(struct render *r, const struct mail_part *p)
{
    r->fate[p->index] = FATE_SKIPPED;
    for (size_t i = 0; i < p->child_count; i++)
        mark_skipped(r, p->children[i]);
}

/* RFC 2046 section 5.1.4 orders alternatives by faithfulness; a terminal
 * shows text/plain best, then text/html as text, then whatever else. */
static const struct mail_part *choose_alternative(const struct mail_part *p)
{
    const struct mail_part *plain = NULL, *html = NULL, *last = NULL;
    for (size_t i = 0; i < p->child_count; i++) {
        const struct mail_part *c = p->children[i];
        if (!can_show(c))
            continue;
        if (!plain && mail_part_is_type(c, "text/plain") && c->decoded_size > 0)
            plain = c;
        else if (!html && mail_part_is_type(c, "text/html"))
            html = c;
        last = c;
    }
    return plain ? plain : html ? html : last;
}

/* RFC 2387: the root is named by start= (a Content-ID), else the first part. */
static const struct mail_part *related_root(const struct mail_part *p)
{
    const char *start = mail_params_get(p->content_type, "start");
    if (start) {
        size_t n = strlen(start);
        const char *s = start;
        if (n >= 2 && s[0] == '<' && s[n - 1] == '>') {
            s++;
            n -= 2;
        }
        for (size_t i = 0; i < p->child_count; i++) {
            const char *cid = p->children[i]->content_id;
            if (cid && strlen(cid) == n && memcmp(cid, s, n) == 0)
                return p->children[i];
        }
    }
    return p->child_count ? p->children[0] : NULL;
}

/* ---- body text --------------------------------------------------------- */

static bool is_ascii_label(const char *cs)
{
    return pv_ascii_ieq(cs, "us-ascii") || pv_ascii_ieq(cs, "ascii");
}

/* Bytes in the part's charset to UTF-8.  Without a real declaration
 * (none, or US-ASCII, which 8-bit mail often claims wrongly) valid UTF-8
 * is kept and other bytes read as Windows-1252. */
static void to_utf8(struct render *r, const char *charset, const struct pv_buf *raw,
                    struct pv_buf *utf8)
{
    const char *data = raw->data ? raw->data : "";
    if (!charset || is_ascii_label(charset)) {
        if (!mail_utf8_append_lenient(utf8, data, raw->len, true))
            r->full = true;
        return;
    }
    if (mail_charset_to_utf8(charset, data, raw->len, utf8) == MAIL_ERR_CHARSET) {
        worse(r, MAIL_ERR_CHARSET);
        emit_note(r, _("unknown charset \"%s\", shown as best effort"), charset);
    }
}

/* How many encoded bytes of a text part to decode: all of it, or up to
 * RENDER_PART_MAX cut at a line end (so no quoted-printable or base64
 * sequence is split). */
static size_t text_part_shown(const struct render *r, const struct mail_part *p)
{
    if (p->body_len <= RENDER_PART_MAX || p->body_offset > r->len ||
        p->body_len > r->len - p->body_offset)
        return p->body_len;
    const char *body = r->msg + p->body_offset;
    const char *nl = memrchr(body, '\n', RENDER_PART_MAX);
    return nl ? (size_t)(nl + 1 - body) : RENDER_PART_MAX;
}

static void render_text_leaf(struct render *r, const struct mail_part *p, size_t body_start)
{
    r->fate[p->index] = FATE_SHOWN;
    begin_block(r, body_start);
    if (p->encoding == MAIL_TE_UNKNOWN)
        emit_note(r, _("unknown transfer encoding \"%s\", shown as is"), p->encoding_name);
    struct pv_buf raw, utf8;
    pv_buf_init(&raw, 0);
    pv_buf_init(&utf8, 0);
    size_t shown = text_part_shown(r, p);
    if (shown < p->body_len)
        worse(r, mail_transfer_decode(p->encoding, r->msg + p->body_offset, shown, &raw, NULL));
    else
        worse(r, mail_mime_part_decode(r->m, p->index, r->msg, r->len, &raw));

    const char *charset = p->charset_explicit ? p->charset : NULL;
    char *meta = NULL;
    bool html = mail_part_is_type(p, "text/html");
    if (html && !charset) {
        /* HTML may name its charset itself when the field does not. */
        meta = mail_html_meta_charset(raw.data, raw.len);
        charset = meta;
    }
    to_utf8(r, charset, &raw, &utf8);
    if (html) {
        if (!r->full && !mail_html_to_text(utf8.data, utf8.len, &r->text)) {
            r->full = true;
            worse(r, MAIL_ERR_MALFORMED);
        }
    } else {
        emit(r, utf8.data ? utf8.data : "", utf8.len);
    }
    end_line(r);
    if (shown < p->body_len) {
        char size[16];
        pv_format_size(p->body_len - shown, size, sizeof size);
        emit_note(r,
                  _("the text goes on for another %s, not shown here; save the message to read all "
                    "of it"),
                  size);
    }
    free(meta);
    pv_buf_free(&raw);
    pv_buf_free(&utf8);
}

static void render_part(struct render *r, const struct mail_part *p, size_t body_start);

static void render_message(struct render *r, const struct mail_part *p, size_t body_start)
{
    r->fate[p->index] = FATE_SHOWN;
    if (!p->child_count)
        return;
    const struct mail_part *inner = p->children[0];
    begin_block(r, body_start);
    emit_str(r, _("----- Forwarded message -----\n"));
    render_headers(r, inner->headers);
    emit(r, "\n", 1);
    size_t inner_start = r->text.len;
    render_part(r, inner, inner_start);
    end_line(r);
    emit_str(r, _("----- End of forwarded message -----\n"));
    /* The attached message stays in the list too: it can be saved whole. */
    r->fate[p->index] = FATE_ATTACHMENT;
}

static void render_multipart(struct render *r, const struct mail_part *p, size_t body_start)
{
    r->fate[p->index] = FATE_SHOWN;
    if (mail_part_is_type(p, "multipart/alternative")) {
        const struct mail_part *pick = choose_alternative(p);
        for (size_t i = 0; i < p->child_count; i++) {
            if (p->children[i] != pick)
                mark_skipped(r, p->children[i]);
        }
        if (pick)
            render_part(r, pick, body_start);
        return;
    }
    if (mail_part_is_type(p, "multipart/related")) {
        const struct mail_part *root = related_root(p);
        if (root && can_show(root))
            render_part(r, root, body_start);
        return;
    }
    /* mixed, digest, signed and any unknown subtype (RFC 2046 section 5.1.7). */
    for (size_t i = 0; i < p->child_count; i++) {
        const struct mail_part *c = p->children[i];
        /* A part we cannot show still says why it was read oddly. */
        if (can_show(c) || has_note(c))
            render_part(r, c, body_start);
    }
}

static void render_part(struct render *r, const struct mail_part *p, size_t body_start)
{
    if (r->full)
        return;
    if (p->note) {
        begin_block(r, body_start);
        emit_note(r, _(p->note), NULL);
        worse(r, MAIL_ERR_MALFORMED);
    }
    if (p->is_multipart)
        render_multipart(r, p, body_start);
    else if (p->is_message)
        render_message(r, p, body_start);
    else if (can_show(p))
        render_text_leaf(r, p, body_start);
}

/* ---- attachments ---------------------------------------------------------- */

static void render_attachments(struct render *r)
{
    bool any = false;
    for (size_t i = 0; i < mail_mime_count(r->m); i++) {
        const struct mail_part *p = mail_mime_part(r->m, i);
        if (r->fate[i] != FATE_ATTACHMENT || p->is_multipart)
            continue;
        if (!any) {
            end_line(r);
            /* tui/view_pager.c finds the list by this heading, translated
             * the same way. */
            emit_str(r, "\n");
            emit_str(r, _("Attachments:"));
            emit_str(r, "\n");
            any = true;
        }
        char head[32], size[16];
        snprintf(head, sizeof head, "  [%zu] ", i);
        pv_format_size(p->decoded_size, size, sizeof size);
        emit_str(r, head);
        const char *name = p->filename     ? p->filename
                           : p->is_message ? _("(attached message)")
                                           : _("(no name)");
        emit_one_line(r, name, strlen(name));
        emit_str(r, "  ");
        emit_one_line(r, p->type, strlen(p->type));
        emit_str(r, "  ");
        emit_str(r, size);
        emit(r, "\n", 1);
    }
}

/* ---- public ---------------------------------------------------------------- */

static void finish(struct render *r, struct pv_buf *out)
{
    if (r->full) {
        r->full = false;
        r->text.cap = 0;
        end_line(r);
        emit_str(r, "[popview: ");
        emit_str(r, _("message too long to show whole"));
        emit_str(r, "]\n");
    }
    mail_sanitize(r->text.data ? r->text.data : "", r->text.len,
                  MAIL_SANITIZE_KEEP_NEWLINES | MAIL_SANITIZE_KEEP_TABS, out);
}

enum mail_status mail_render(const struct mail_mime *m, const char *msg, size_t len,
                             struct pv_buf *out)
{
    const struct mail_part *root = mail_mime_part(m, 0);
    if (!root || !out)
        return MAIL_ERR_MALFORMED;
    struct render r = {.m = m, .msg = msg ? msg : "", .len = msg ? len : 0};
    pv_buf_init(&r.text, RENDER_MAX);
    r.fate = pv_xcalloc(mail_mime_count(m), sizeof *r.fate);
    render_headers(&r, root->headers);
    emit(&r, "\n", 1);
    render_part(&r, root, r.text.len);
    render_attachments(&r);
    finish(&r, out);
    enum mail_status st = r.status;
    free(r.fate);
    pv_buf_free(&r.text);
    return st;
}

enum mail_status mail_render_message(const char *msg, size_t len, struct pv_buf *out)
{
    struct mail_mime *m = mail_mime_parse(msg, len);
    enum mail_status st = mail_render(m, msg, len, out);
    mail_mime_free(&m);
    return st;
}

/* t is uncapped, so its appends cannot fail: their results are dropped. */
static void tree_line(struct pv_buf *t, const struct mail_part *p)
{
    char size[16];
    pv_format_size(p->decoded_size, size, sizeof size);
    for (unsigned d = 0; d < p->depth; d++)
        (void)!pv_buf_append(t, "  ", 2);
    (void)!pv_buf_printf(t, "%s  %s", p->section, p->type);
    if (p->charset && p->charset_explicit)
        (void)!pv_buf_printf(t, "; charset=%s", p->charset);
    (void)!pv_buf_printf(t, "  %s  %s", p->encoding_name, size);
    if (p->filename)
        (void)!pv_buf_printf(t, "  name=%s", p->filename);
    if (p->note)
        (void)!pv_buf_printf(t, "  (%s)", _(p->note));
}

void mail_render_tree(const struct mail_mime *m, struct pv_buf *out)
{
    if (!out)
        return;
    struct pv_buf line;
    pv_buf_init(&line, 0);
    for (size_t i = 0; i < mail_mime_count(m); i++) {
        pv_buf_reset(&line);
        tree_line(&line, mail_mime_part(m, i));
        /* One line per part whatever a filename holds. */
        mail_sanitize(line.data, line.len, MAIL_SANITIZE_ONE_LINE, out);
        if (!pv_buf_append_byte(out, '\n'))
            break;
    }
    pv_buf_free(&line);
}
