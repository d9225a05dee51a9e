/*
 * The MIME structure of a message (RFC 2045, RFC 2046): one pass that
 * splits multipart bodies at their boundary delimiters and descends into
 * attached messages, recording for each part its header fields, what they
 * say (type, encoding, charset, filename, disposition) and where its raw
 * body lies in the message.  Nothing is decoded except to measure sizes;
 * render.c and mail_mime_part_decode() read the bytes when they need them.
 *
 * Glossary (RFC 2046 section 5.1.1): a "delimiter" is a line "--boundary"
 * (the line break before it belongs to it, not to the part above); the
 * "close delimiter" is "--boundary--"; "transport padding" is white space a
 * gateway may have added after either.  Text before the first delimiter
 * (the preamble) and after the close delimiter (the epilogue) is not part of
 * any body part.  A "section" is a part's path in the tree: "1", "1.2", ...
 */
#include <stdlib.h>
#include <string.h>

#include <popview/util.h>

#include <popview/mail.h>

#include <popview/i18n.h>

#include "private.h"

/* RFC 2046 allows 70 characters; some generators write longer ones. */
enum { BOUNDARY_MAX = 200 };

struct mail_mime {
    struct mail_part **parts;
    size_t count;
    bool full; /* MAIL_MIME_PARTS_MAX reached */
};

struct parser {
    struct mail_mime *m;
    const char *msg;
    size_t len;
    mail_scan_tick_fn tick; /* or NULL */
    void *tick_ctx;
    size_t unticked; /* octets scanned since the last tick */
};

/* Counts octets the parse has read and ticks every MAIL_SCAN_TICK. */
static void scanned(struct parser *P, size_t n)
{
    P->unticked += n;
    if (P->unticked >= MAIL_SCAN_TICK) {
        P->unticked = 0;
        if (P->tick)
            P->tick(P->tick_ctx);
    }
}

static const char *const note_depth = N_("nested deeper than 32 levels: not taken apart");
static const char *const note_parts =
    N_("more than 10000 parts: the rest of the message is one part");
static const char *const note_no_boundary =
    N_("multipart without a usable boundary: shown as text");
static const char *const note_boundary_missing = N_("boundary never found: shown as text");
static const char *const note_no_close = N_("no closing boundary: the last part runs to the end");
static const char *const note_encoded_message = N_("encoded attached message: not taken apart");
static const char *const note_bad_type = N_("unreadable Content-Type: read as text/plain");

/* ---- parts --------------------------------------------------------------- */

static struct mail_part *part_new(struct parser *P, struct mail_part *parent)
{
    struct mail_mime *m = P->m;
    struct mail_part *p = pv_xcalloc(1, sizeof *p);
    p->index = m->count;
    p->parent = parent;
    if (parent) {
        p->depth = parent->depth + 1;
        parent->children =
            pv_xreallocarray(parent->children, parent->child_count + 1, sizeof *parent->children);
        parent->children[parent->child_count++] = p;
        p->section = pv_xasprintf("%s.%zu", parent->section, parent->child_count);
    } else {
        p->section = pv_xstrdup("1");
    }
    m->parts = pv_xreallocarray(m->parts, m->count + 1, sizeof *m->parts);
    m->parts[m->count++] = p;
    return p;
}

static void part_free(struct mail_part *p)
{
    free(p->section);
    free(p->children);
    mail_headers_free(&p->headers);
    mail_params_free(&p->content_type);
    free(p->type);
    free(p->encoding_name);
    free(p->charset);
    free(p->filename);
    free(p->content_id);
    free(p->description);
    free(p);
}

static bool starts_with(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

static char *trimmed_lower(const char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    char *d = pv_xstrndup(s, n);
    for (char *c = d; *c; c++)
        *c = pv_ascii_lower(*c);
    return d;
}

static void set_type(struct mail_part *p, const char *type)
{
    free(p->type);
    p->type = pv_xstrdup(type);
    p->is_multipart = starts_with(type, "multipart/");
    p->is_message = strcmp(type, "message/rfc822") == 0 || strcmp(type, "message/global") == 0;
}

/* "<abc@x>" -> "abc@x" */
static char *content_id(const char *raw)
{
    while (*raw == ' ' || *raw == '\t' || *raw == '<')
        raw++;
    size_t n = strlen(raw);
    while (n && (raw[n - 1] == ' ' || raw[n - 1] == '\t' || raw[n - 1] == '>'))
        n--;
    return n ? pv_xstrndup(raw, n) : NULL;
}

static enum mail_disposition disposition_of(const char *value)
{
    if (!value[0])
        return MAIL_DISPOSITION_NONE;
    if (strcmp(value, "inline") == 0)
        return MAIL_DISPOSITION_INLINE;
    /* RFC 2183 section 2.8: unknown dispositions are treated as attachment. */
    return MAIL_DISPOSITION_ATTACHMENT;
}

static void set_charset(struct mail_part *p)
{
    free(p->charset);
    p->charset = NULL;
    const char *cs = mail_params_get(p->content_type, "charset");
    if (cs && cs[0]) {
        p->charset = trimmed_lower(cs);
        p->charset_explicit = p->charset[0] != '\0';
    }
    if (!p->charset_explicit) {
        free(p->charset);
        /* RFC 2046 section 4.1.2: text without a charset is US-ASCII. */
        p->charset = starts_with(p->type, "text/") ? pv_xstrdup("us-ascii") : NULL;
    }
}

/* Reads what the part's header fields say about it. */
static void read_fields(struct mail_part *p, bool in_digest)
{
    const struct mail_headers *h = p->headers;
    const char *ct = mail_headers_get(h, "Content-Type");
    if (ct) {
        p->content_type = mail_content_type_parse(ct, strlen(ct));
        if (mail_params_defaulted(p->content_type))
            p->note = note_bad_type;
    } else {
        /* RFC 2046 section 5.1.5: in a digest the default is a message. */
        const char *def = in_digest ? "message/rfc822" : NULL;
        p->content_type = mail_content_type_parse(def, def ? strlen(def) : 0);
    }
    set_type(p, mail_params_value(p->content_type));

    const char *te = mail_headers_get(h, "Content-Transfer-Encoding");
    p->encoding = mail_transfer_encoding_parse(te, te ? strlen(te) : 0);
    if (p->encoding == MAIL_TE_UNKNOWN)
        p->encoding_name = trimmed_lower(te);
    else
        p->encoding_name = pv_xstrdup(mail_transfer_encoding_name(p->encoding));

    set_charset(p);

    const char *cd = mail_headers_get(h, "Content-Disposition");
    struct mail_params *disp = cd ? mail_params_parse(cd, strlen(cd)) : NULL;
    if (disp)
        p->disposition = disposition_of(mail_params_value(disp));
    p->filename = mail_params_get_text(disp, "filename");
    if (!p->filename || !p->filename[0]) {
        free(p->filename);
        p->filename = mail_params_get_text(p->content_type, "name");
    }
    if (p->filename && !p->filename[0]) {
        free(p->filename);
        p->filename = NULL;
    }
    mail_params_free(&disp);

    const char *cid = mail_headers_get(h, "Content-ID");
    p->content_id = cid ? content_id(cid) : NULL;
    const char *desc = mail_headers_get(h, "Content-Description");
    p->description = desc ? mail_decode_header_text(desc) : NULL;
}

/* Gives the part a plain reading when its structure cannot be used. */
static void demote_to_text(struct mail_part *p, const char *note)
{
    set_type(p, "text/plain");
    set_charset(p);
    p->note = note;
}

/* ---- boundaries ------------------------------------------------------------ */

struct delimiter {
    size_t start; /* the line start of "--boundary" */
    size_t next;  /* the start of the line after it */
    bool close;   /* "--boundary--" */
};

/* Is the line at ls, up to end, a delimiter for boundary? */
static bool is_delimiter(const struct parser *P, size_t ls, size_t end, const char *b, size_t blen,
                         struct delimiter *d)
{
    const char *s = P->msg;
    if (end - ls < 2 + blen || s[ls] != '-' || s[ls + 1] != '-' || memcmp(s + ls + 2, b, blen) != 0)
        return false;
    size_t k = ls + 2 + blen;
    d->close = end - k >= 2 && s[k] == '-' && s[k + 1] == '-';
    if (d->close)
        k += 2;
    while (k < end && (s[k] == ' ' || s[k] == '\t'))
        k++;
    if (k < end && s[k] == '\r')
        k++;
    if (k < end && s[k] != '\n')
        return false; /* "--boundaryX": text that merely starts like one */
    d->start = ls;
    d->next = k < end ? k + 1 : end;
    return true;
}

/* The next delimiter whose line starts at or after from (a line start). */
static bool find_delimiter(struct parser *P, size_t from, size_t end, const char *b, size_t blen,
                           struct delimiter *d)
{
    size_t ls = from;
    while (ls < end) {
        if (is_delimiter(P, ls, end, b, blen, d))
            return true;
        const char *lf = memchr(P->msg + ls, '\n', end - ls);
        if (!lf)
            break;
        scanned(P, (size_t)(lf - P->msg) + 1 - ls);
        ls = (size_t)(lf - P->msg) + 1;
    }
    return false;
}

/* Where the part before a delimiter ends: its line break belongs to the
 * delimiter (RFC 2046 section 5.1.1). */
static size_t end_before(const struct parser *P, size_t part_start, size_t delim_start)
{
    size_t e = delim_start;
    if (e > part_start && P->msg[e - 1] == '\n')
        e--;
    if (e > part_start && P->msg[e - 1] == '\r')
        e--;
    return e;
}

static bool usable_boundary(const char *b)
{
    size_t n = b ? strlen(b) : 0;
    if (n == 0 || n > BOUNDARY_MAX)
        return false;
    return strpbrk(b, "\r\n") == NULL;
}

/* ---- the tree ---------------------------------------------------------- */

static struct mail_part *parse_entity(struct parser *P, struct mail_part *parent, size_t start,
                                      size_t end, bool in_digest);

/* The part that stands for everything after the parts cap. */
static void add_rest_part(struct parser *P, struct mail_part *parent, size_t start)
{
    struct mail_part *p = part_new(P, parent);
    p->headers = mail_headers_parse("", 0, NULL);
    static const char type[] = "application/octet-stream";
    p->content_type = mail_content_type_parse(type, sizeof type - 1);
    set_type(p, type);
    p->encoding_name = pv_xstrdup("7bit");
    p->header_offset = p->body_offset = start;
    p->body_len = P->len - start;
    p->decoded_size = p->body_len;
    p->note = note_parts;
    P->m->full = true;
}

static void parse_multipart(struct parser *P, struct mail_part *p, size_t end)
{
    const char *b = mail_params_get(p->content_type, "boundary");
    if (!usable_boundary(b)) {
        demote_to_text(p, note_no_boundary);
        return;
    }
    size_t blen = strlen(b);
    struct delimiter d;
    if (!find_delimiter(P, p->body_offset, end, b, blen, &d)) {
        demote_to_text(p, note_boundary_missing);
        return;
    }
    bool digest = strcmp(p->type, "multipart/digest") == 0;
    size_t pos = d.next;
    bool close = d.close;
    while (!close && !P->m->full) {
        bool found = find_delimiter(P, pos, end, b, blen, &d);
        size_t part_end = found ? end_before(P, pos, d.start) : end;
        if (!found && !p->note)
            p->note = note_no_close;
        parse_entity(P, p, pos, part_end, digest);
        if (!found)
            break;
        pos = d.next;
        close = d.close;
    }
}

static struct mail_part *parse_entity(struct parser *P, struct mail_part *parent, size_t start,
                                      size_t end, bool in_digest)
{
    if (P->m->full)
        return NULL;
    if (P->m->count == MAIL_MIME_PARTS_MAX - 1) {
        add_rest_part(P, parent, start);
        return NULL;
    }
    struct mail_part *p = part_new(P, parent);
    size_t body = 0;
    p->header_offset = start;
    p->headers = mail_headers_parse(P->msg + start, end - start, &body);
    /* A part that has no header fields and no empty line is all body
     * (a broken generator left the empty line out). */
    if (mail_headers_count(p->headers) == 0 && body == end - start)
        body = 0;
    p->body_offset = start + body;
    p->body_len = end - p->body_offset;
    read_fields(p, in_digest);

    bool container = p->is_multipart || p->is_message;
    if (container && p->depth >= MAIL_MIME_DEPTH_MAX) {
        p->note = note_depth;
        p->is_multipart = p->is_message = false;
    } else if (p->is_multipart) {
        parse_multipart(P, p, end);
    } else if (p->is_message) {
        bool identity = p->encoding == MAIL_TE_7BIT || p->encoding == MAIL_TE_8BIT ||
                        p->encoding == MAIL_TE_BINARY;
        if (identity) {
            parse_entity(P, p, p->body_offset, end, false);
        } else {
            p->is_message = false;
            p->note = note_encoded_message;
        }
    }
    if (p->is_multipart || p->is_message)
        p->decoded_size = p->body_len;
    else
        p->decoded_size = mail_transfer_decoded_size_ticked(p->encoding, P->msg + p->body_offset,
                                                            p->body_len, P->tick, P->tick_ctx);
    return p;
}

/* ---- public ---------------------------------------------------------------- */

struct mail_mime *mail_mime_parse(const char *msg, size_t len)
{
    return mail_mime_parse_watched(msg, len, NULL, NULL);
}

struct mail_mime *mail_mime_parse_watched(const char *msg, size_t len, mail_scan_tick_fn tick,
                                          void *ctx)
{
    struct parser P = {.m = pv_xcalloc(1, sizeof(struct mail_mime)),
                       .msg = msg ? msg : "",
                       .len = msg ? len : 0,
                       .tick = tick,
                       .tick_ctx = ctx};
    parse_entity(&P, NULL, 0, P.len, false);
    return P.m;
}

void mail_mime_free(struct mail_mime **m)
{
    if (!m || !*m)
        return;
    for (size_t i = 0; i < (*m)->count; i++)
        part_free((*m)->parts[i]);
    free((*m)->parts);
    free(*m);
    *m = NULL;
}

size_t mail_mime_count(const struct mail_mime *m)
{
    return m ? m->count : 0;
}

const struct mail_part *mail_mime_part(const struct mail_mime *m, size_t index)
{
    return m && index < m->count ? m->parts[index] : NULL;
}

const struct mail_part *mail_mime_find_section(const struct mail_mime *m, const char *section)
{
    if (!m || !section)
        return NULL;
    for (size_t i = 0; i < m->count; i++) {
        if (strcmp(m->parts[i]->section, section) == 0)
            return m->parts[i];
    }
    return NULL;
}

bool mail_part_is_type(const struct mail_part *p, const char *type)
{
    if (!p || !type)
        return false;
    if (strchr(type, '/'))
        return strcmp(p->type, type) == 0;
    size_t n = strlen(type);
    return strncmp(p->type, type, n) == 0 && p->type[n] == '/';
}

bool mail_part_is_text(const struct mail_part *p)
{
    return mail_part_is_type(p, "text");
}

enum mail_status mail_mime_part_decode(const struct mail_mime *m, size_t index, const char *msg,
                                       size_t len, struct pv_buf *out)
{
    const struct mail_part *p = mail_mime_part(m, index);
    if (!p || !msg || p->body_offset > len || p->body_len > len - p->body_offset)
        return MAIL_ERR_MALFORMED;
    bool fits = true;
    enum mail_status st =
        mail_transfer_decode(p->encoding, msg + p->body_offset, p->body_len, out, &fits);
    return fits ? st : MAIL_ERR_MALFORMED;
}
