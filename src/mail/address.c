/*
 * The first mailbox of an address list (RFC 5322, section 3.4), read the
 * lenient way mail clients read From: lines: name-addr ("Name" <a@b>),
 * addr-spec with the old comment form (a@b (Name)), groups (Team: a@b;),
 * a missing '>', words before an addr-spec without angle brackets.  The
 * display name is decoded with RFC 2047, also inside quoted strings, which
 * the RFC forbids (section 5, rule 3) but many mailers write.
 *
 * Glossary: "phrase" is the display name as written (quotes and
 * quoted-pairs removed, words joined by one space); "spec" is the
 * addr-spec as written, white space removed; a "word group" is the run of
 * tokens since the last white space, the candidate addr-spec.
 */
#include <stdlib.h>
#include <string.h>

#include <popview/util.h>

#include <popview/mail.h>

#include "private.h"

struct mailbox {
    struct pv_buf phrase;
    struct pv_buf spec;
    struct pv_buf comment; /* the first comment's text */
    bool has_comment;
    bool has_at;
    size_t phrase_before_spec; /* phrase length before the current word group */
    char *angle;               /* inside <...>, or NULL */
    bool space_pending;
};

static bool is_lws(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* RFC 5322, section 3.2.3: specials, which end an atom. */
static bool is_special(char c)
{
    return strchr("()<>[]:;@\\,.\"", c) != NULL;
}

static void mailbox_init(struct mailbox *m)
{
    memset(m, 0, sizeof *m);
    pv_buf_init(&m->phrase, 0);
    pv_buf_init(&m->spec, 0);
    pv_buf_init(&m->comment, 0);
}

static void mailbox_free(struct mailbox *m)
{
    pv_buf_free(&m->phrase);
    pv_buf_free(&m->spec);
    pv_buf_free(&m->comment);
    free(m->angle);
    m->angle = NULL;
}

static void mailbox_reset(struct mailbox *m)
{
    mailbox_free(m);
    mailbox_init(m);
}

/* A comment alone is not a mailbox. */
static bool mailbox_has_content(const struct mailbox *m)
{
    return m->angle || m->phrase.len > 0 || m->spec.len > 0;
}

/* The buffers have no cap: appending fails only past SIZE_MAX. */
static void put(struct pv_buf *b, const char *s, size_t n)
{
    if (!pv_buf_append(b, s, n))
        abort();
}

/* A phrase word or special: a space first when white space preceded it.
 * A word after white space begins a new word group until '@' is seen;
 * '@' and '.' continue the group (obsolete "local @ domain", section 4.4). */
static void add_token(struct mailbox *m, const char *text, size_t n, const char *raw, size_t raw_n)
{
    if (m->space_pending && m->phrase.len > 0) {
        put(&m->phrase, " ", 1);
        bool joins_group = raw_n == 1 && (raw[0] == '@' || raw[0] == '.');
        if (!m->has_at && !joins_group) {
            pv_buf_reset(&m->spec);
            m->phrase_before_spec = m->phrase.len - 1;
        }
    }
    m->space_pending = false;
    put(&m->phrase, text, n);
    put(&m->spec, raw, raw_n);
}

/* Reads a quoted string (p at '"') into b, quoted-pairs resolved (RFC 5322,
 * section 3.2.4).  A missing closing quote ends at the end of the text. */
static const char *read_quoted(const char *p, struct pv_buf *b)
{
    p++;
    while (*p && *p != '"') {
        if (*p == '\\' && p[1])
            p++;
        put(b, p, 1);
        p++;
    }
    return *p ? p + 1 : p;
}

/* Reads a comment (p at '('), nested comments included (section 3.2.2). */
static const char *read_comment(const char *p, struct pv_buf *b)
{
    size_t depth = 0;
    for (; *p; p++) {
        if (*p == '\\' && p[1]) {
            p++;
        } else if (*p == '(') {
            if (depth++ == 0)
                continue;
        } else if (*p == ')') {
            if (--depth == 0)
                return p + 1;
        }
        put(b, p, 1);
    }
    return p;
}

/* Reads <...> (p at '<').  A missing '>' (none before the next '<') ends
 * at a comma or the end. */
static const char *read_angle(const char *p, char **angle_out)
{
    const char *start = ++p;
    size_t span = strcspn(start, "<>");
    if (start[span] == '>')
        p = start + span;
    else
        p = start + strcspn(start, ",");
    const char *end = p;
    while (start < end && is_lws(*start))
        start++;
    while (end > start && is_lws(end[-1]))
        end--;
    /* Obsolete source route "@a,@b:local@domain" (section 4.4). */
    if (start < end && *start == '@') {
        const char *colon = memchr(start, ':', (size_t)(end - start));
        if (colon)
            start = colon + 1;
    }
    free(*angle_out);
    *angle_out = start < end ? pv_xstrndup(start, (size_t)(end - start)) : pv_xstrdup("");
    return *p == '>' ? p + 1 : p;
}

static size_t atom_len(const char *p)
{
    size_t n = mail_encoded_word_len(p);
    if (n > 0)
        return n; /* may hold specials a sloppy encoder left unencoded */
    while (p[n] && !is_lws(p[n]) && !is_special(p[n]))
        n++;
    return n;
}

/* Decoded and trimmed; NULL when nothing is left. */
static char *decode_name(const char *s, size_t len)
{
    char *raw = pv_xstrndup(s, len);
    char *text = mail_decode_header_text(raw);
    free(raw);
    size_t n = strlen(text);
    size_t b = 0;
    while (b < n && is_lws(text[b]))
        b++;
    while (n > b && is_lws(text[n - 1]))
        n--;
    char *name = n > b ? pv_xstrndup(text + b, n - b) : NULL;
    free(text);
    return name;
}

/* Both parts come out as UTF-8: addresses may be UTF-8 (RFC 6532), and
 * stray 8-bit bytes are read as Windows-1252 like other header text. */
static void mailbox_result(struct mailbox *m, struct mail_address *out)
{
    const char *name = m->phrase.data;
    size_t name_len = m->phrase.len;
    if (m->angle) {
        out->addr = m->angle[0] ? mail_utf8_or_legacy(m->angle, strlen(m->angle)) : NULL;
    } else if (m->has_at) {
        out->addr = mail_utf8_or_legacy(m->spec.data, m->spec.len);
        name_len = m->phrase_before_spec; /* words before the addr-spec */
    }
    if (name_len == 0 && m->has_comment) {
        name = m->comment.data;
        name_len = m->comment.len;
    }
    out->display = name_len > 0 ? decode_name(name, name_len) : NULL;
}

/* Handles one token at p; returns where the next starts, or NULL when the
 * first mailbox is complete. */
static const char *step(struct mailbox *m, const char *p)
{
    char c = *p;
    if (is_lws(c)) {
        m->space_pending = true;
        return p + 1;
    }
    if (c == '(') {
        struct pv_buf *b = &m->comment;
        struct pv_buf scratch;
        pv_buf_init(&scratch, 0);
        if (m->has_comment)
            b = &scratch;
        p = read_comment(p, b);
        m->has_comment = true;
        pv_buf_free(&scratch);
        m->space_pending = true;
        return p;
    }
    if (c == ',' || c == ';') {
        if (mailbox_has_content(m))
            return NULL;
        mailbox_reset(m); /* an empty list element */
        return p + 1;
    }
    if (m->angle)
        return p + 1; /* after <...> only comments still count */
    if (c == '<')
        return read_angle(p, &m->angle);
    if (c == ':' && !m->has_at) {
        mailbox_reset(m); /* a group's name is not a display name */
        return p + 1;
    }
    if (c == '"') {
        struct pv_buf q;
        pv_buf_init(&q, 0);
        const char *end = read_quoted(p, &q);
        add_token(m, q.data ? q.data : "", q.len, p, (size_t)(end - p));
        pv_buf_free(&q);
        return end;
    }
    if (c == '[') {
        const char *end = strchr(p, ']');
        end = end ? end + 1 : p + strlen(p);
        add_token(m, p, (size_t)(end - p), p, (size_t)(end - p));
        return end;
    }
    size_t n = is_special(c) ? 1 : atom_len(p);
    add_token(m, p, n, p, n);
    if (c == '@')
        m->has_at = true;
    return p + n;
}

bool mail_address_parse_first(const char *raw, struct mail_address *out)
{
    if (!out)
        return false;
    out->display = NULL;
    out->addr = NULL;
    if (!raw)
        return false;
    struct mailbox m;
    mailbox_init(&m);
    const char *p = raw;
    while (*p) {
        const char *next = step(&m, p);
        if (!next)
            break;
        p = next;
    }
    if (mailbox_has_content(&m))
        mailbox_result(&m, out);
    mailbox_free(&m);
    return out->display || out->addr;
}

void mail_address_clear(struct mail_address *a)
{
    if (!a)
        return;
    free(a->display);
    free(a->addr);
    a->display = NULL;
    a->addr = NULL;
}

char *mail_address_display(const char *raw)
{
    struct mail_address a;
    char *shown = NULL;
    if (mail_address_parse_first(raw, &a)) {
        shown = a.display ? a.display : a.addr;
        if (shown == a.display)
            a.display = NULL;
        else
            a.addr = NULL;
    }
    mail_address_clear(&a);
    if (!shown)
        shown = decode_name(raw ? raw : "", raw ? strlen(raw) : 0);
    return shown ? shown : pv_xstrdup("");
}
