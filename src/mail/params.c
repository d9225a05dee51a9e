/*
 * Parameterised header values: Content-Type (RFC 2045 section 5.1) and
 * Content-Disposition (RFC 2183), with RFC 2231 extensions.  Real mail is
 * untidy here, so the reader is lenient: comments anywhere, missing or
 * unclosed quotes, a missing ';', duplicates (the first wins), and RFC 2047
 * encoded words inside quoted filenames, which the standard forbids but
 * many mailers send (left for mail_params_get_text to decode).
 *
 * Glossary (RFC 2231): an "extended" parameter has a '*' after its name and
 * a value in the form charset'language'percent-encoded-octets; a
 * "section" is one piece of a long value, name*0, name*1, ..., where each
 * section may itself be extended (name*1*) or not.
 */
#include <stdlib.h>
#include <string.h>

#include <popview/util.h>

#include <popview/mail.h>

/* Raw name=value pieces read from one field before they are assembled;
 * RFC 2231 sections make this larger than the number of parameters. */
enum { PARAMS_PIECES_MAX = 256 };

struct param {
    char *name;   /* lower-cased */
    char *value;  /* plain: as written; extended: UTF-8 */
    bool decoded; /* value came from RFC 2231 and is already UTF-8 */
};

struct mail_params {
    char *value;
    bool defaulted;
    struct param *items;
    size_t count;
};

/* One name=value as read: name without its RFC 2231 suffix. */
struct piece {
    char *name;
    int section;   /* -1 when none */
    bool extended; /* the name ended in '*' */
    struct pv_buf value;
};

struct reader {
    const char *s;
    size_t len;
    size_t i;
};

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* RFC 2045 section 5.1 tspecials, plus space and controls: not in a token. */
static bool is_token_char(char c)
{
    unsigned char u = (unsigned char)c;
    return u > 0x20 && u != 0x7f && !strchr("()<>@,;:\\\"/[]?=", c);
}

static void skip_comment(struct reader *r)
{
    unsigned level = 0;
    for (; r->i < r->len; r->i++) {
        char c = r->s[r->i];
        if (c == '\\' && r->i + 1 < r->len) {
            r->i++;
        } else if (c == '(') {
            level++;
        } else if (c == ')' && --level == 0) {
            r->i++;
            return;
        }
    }
}

static void skip_cfws(struct reader *r)
{
    while (r->i < r->len) {
        if (is_space(r->s[r->i]))
            r->i++;
        else if (r->s[r->i] == '(')
            skip_comment(r);
        else
            return;
    }
}

static void skip_to_semicolon(struct reader *r)
{
    while (r->i < r->len && r->s[r->i] != ';')
        r->i++;
}

static char *lower_dup(const char *s, size_t n)
{
    char *d = pv_xmalloc(n + 1);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] != '\0')
            d[k++] = pv_ascii_lower(s[i]);
    }
    d[k] = '\0';
    return d;
}

/* The value before the first ';': one run without white space, so that
 * "text/plain charset=x" (a ';' forgotten) still gives the type. */
static char *read_main_value(struct reader *r)
{
    skip_cfws(r);
    size_t start = r->i;
    while (r->i < r->len && !is_space(r->s[r->i]) && r->s[r->i] != ';' && r->s[r->i] != '(')
        r->i++;
    return lower_dup(r->s + start, r->i - start);
}

/* A quoted-string: backslash escapes resolved; a missing closing quote
 * runs to the end of the field. */
static void read_quoted(struct reader *r, struct pv_buf *v)
{
    r->i++; /* the opening quote */
    while (r->i < r->len && r->s[r->i] != '"') {
        if (r->s[r->i] == '\\' && r->i + 1 < r->len)
            r->i++;
        if (r->s[r->i] != '\0' && !pv_buf_append_byte(v, r->s[r->i]))
            break;
        r->i++;
    }
    if (r->i < r->len)
        r->i++;
}

/* Length of [s, s+n) without trailing white space and trailing comments
 * written after white space: "us-ascii (Plain text)" (RFC 2045 section
 * 5.1 example) gives "us-ascii", "report (1).pdf" stays whole. */
static size_t trim_trailing_comments(const char *s, size_t n)
{
    for (;;) {
        while (n && is_space(s[n - 1]))
            n--;
        if (!n || s[n - 1] != ')')
            return n;
        /* find the '(' that opens this trailing comment */
        size_t k = n - 1;
        unsigned level = 0;
        for (;;) {
            if (s[k] == ')')
                level++;
            else if (s[k] == '(' && --level == 0)
                break;
            if (k == 0)
                return n; /* unbalanced: not a comment */
            k--;
        }
        if (k > 0 && !is_space(s[k - 1]))
            return n;
        n = k;
    }
}

static void read_unquoted(struct reader *r, struct pv_buf *v)
{
    size_t start = r->i;
    skip_to_semicolon(r);
    size_t n = trim_trailing_comments(r->s + start, r->i - start);
    for (size_t k = 0; k < n; k++) {
        if (r->s[start + k] != '\0' && !pv_buf_append_byte(v, r->s[start + k]))
            break;
    }
}

/* Splits "name*3*" into "name", 3, extended.  Sections above the cap or
 * not made of digits make the piece unusable (false). */
static bool split_name(char *name, int *section_out, bool *extended_out)
{
    *section_out = -1;
    *extended_out = false;
    size_t n = strlen(name);
    if (n && name[n - 1] == '*') {
        *extended_out = true;
        name[--n] = '\0';
    }
    char *star = strchr(name, '*');
    if (!star)
        return n > 0;
    unsigned sec;
    if (!pv_parse_uint(star + 1, strlen(star + 1), &sec) || sec >= MAIL_PARAMS_SECTIONS_MAX)
        return false;
    *star = '\0';
    *section_out = (int)sec;
    return star != name;
}

/* Reads one "name=value"; returns false when the field is used up. */
static bool read_piece(struct reader *r, struct piece *p)
{
    for (;;) {
        skip_cfws(r);
        while (r->i < r->len && r->s[r->i] == ';') {
            r->i++;
            skip_cfws(r);
        }
        if (r->i >= r->len)
            return false;
        size_t start = r->i;
        while (r->i < r->len && (is_token_char(r->s[r->i]) || r->s[r->i] == '\0'))
            r->i++;
        size_t name_end = r->i;
        skip_cfws(r);
        if (name_end == start || r->i >= r->len || r->s[r->i] != '=') {
            /* Garbage: drop it up to the next ';' (at least one byte). */
            if (r->i == start)
                r->i++;
            skip_to_semicolon(r);
            continue;
        }
        r->i++;
        skip_cfws(r);
        p->name = lower_dup(r->s + start, name_end - start);
        pv_buf_init(&p->value, 0);
        if (r->i < r->len && r->s[r->i] == '"') {
            read_quoted(r, &p->value);
            skip_to_semicolon(r); /* anything after the closing quote is noise */
        } else {
            read_unquoted(r, &p->value);
        }
        if (split_name(p->name, &p->section, &p->extended))
            return true;
        free(p->name);
        pv_buf_free(&p->value);
    }
}

/* ---- RFC 2231 assembly ------------------------------------------------ */

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/* %XY to octets; a '%' not followed by two hex digits stays as it is. */
static void percent_decode(const char *s, size_t n, struct pv_buf *out)
{
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '%' && i + 2 < n) {
            int hi = hex_value(s[i + 1]), lo = hex_value(s[i + 2]);
            if (hi >= 0 && lo >= 0) {
                c = (char)(hi << 4 | lo);
                i += 2;
            }
        }
        if (!pv_buf_append_byte(out, c))
            return;
    }
}

/* "charset'language'rest": stores the charset (may be "") and returns where
 * rest starts.  Without the two quotes the whole value is rest. */
static size_t split_charset(const char *v, size_t n, char **charset_out)
{
    const char *q1 = memchr(v, '\'', n);
    const char *q2 = q1 ? memchr(q1 + 1, '\'', n - (size_t)(q1 + 1 - v)) : NULL;
    if (!q2) {
        *charset_out = NULL;
        return 0;
    }
    *charset_out = lower_dup(v, (size_t)(q1 - v));
    return (size_t)(q2 + 1 - v);
}

/* Octets in a named charset to UTF-8; no charset: UTF-8 when valid, else
 * Windows-1252 (what unlabelled 8-bit text usually is). */
static char *octets_to_utf8(const char *charset, const struct pv_buf *octets)
{
    const char *data = octets->data ? octets->data : "";
    if (!charset || !charset[0])
        return mail_utf8_or_legacy(data, octets->len);
    struct pv_buf out;
    pv_buf_init(&out, 0);
    (void)mail_charset_to_utf8(charset, data, octets->len, &out); /* best effort either way */
    return pv_buf_steal(&out, NULL);
}

/* Joins the sections of name in section order (first of a duplicate wins;
 * missing sections are skipped rather than losing the rest).  One pass to
 * find each section's piece keeps this linear in the number of pieces. */
static char *assemble_sections(const struct piece *pieces, size_t n, const char *name)
{
    const struct piece *by_section[MAIL_PARAMS_SECTIONS_MAX] = {NULL};
    for (size_t k = 0; k < n; k++) {
        const struct piece *p = &pieces[k];
        if (p->section >= 0 && !by_section[p->section] && strcmp(p->name, name) == 0)
            by_section[p->section] = p;
    }
    struct pv_buf octets;
    pv_buf_init(&octets, 0);
    char *charset = NULL;
    for (int sec = 0; sec < MAIL_PARAMS_SECTIONS_MAX; sec++) {
        const struct piece *p = by_section[sec];
        if (!p)
            continue;
        const char *v = p->value.data ? p->value.data : "";
        size_t vlen = p->value.len;
        if (p->extended) {
            /* Only the first section carries charset'language' (RFC 2231 section 4.1). */
            size_t rest = sec == 0 ? split_charset(v, vlen, &charset) : 0;
            percent_decode(v + rest, vlen - rest, &octets);
        } else if (!pv_buf_append(&octets, v, vlen)) {
            break; /* uncapped: cannot happen */
        }
    }
    char *utf8 = octets_to_utf8(charset, &octets);
    free(charset);
    pv_buf_free(&octets);
    return utf8;
}

static char *assemble_extended(const struct piece *p)
{
    const char *v = p->value.data ? p->value.data : "";
    char *charset = NULL;
    size_t rest = split_charset(v, p->value.len, &charset);
    struct pv_buf octets;
    pv_buf_init(&octets, 0);
    percent_decode(v + rest, p->value.len - rest, &octets);
    char *utf8 = octets_to_utf8(charset, &octets);
    free(charset);
    pv_buf_free(&octets);
    return utf8;
}

static bool have_param(const struct mail_params *mp, const char *name)
{
    for (size_t i = 0; i < mp->count; i++) {
        if (strcmp(mp->items[i].name, name) == 0)
            return true;
    }
    return false;
}

/* The parameter called name from all its pieces: RFC 2231 sections, else
 * an extended value, else the first plain value. */
static void add_param(struct mail_params *mp, const struct piece *pieces, size_t n,
                      const char *name)
{
    const struct piece *extended = NULL, *plain = NULL;
    bool sections = false;
    for (size_t k = 0; k < n; k++) {
        if (strcmp(pieces[k].name, name) != 0)
            continue;
        if (pieces[k].section >= 0)
            sections = true;
        else if (pieces[k].extended && !extended)
            extended = &pieces[k];
        else if (!pieces[k].extended && !plain)
            plain = &pieces[k];
    }
    struct param prm = {.name = pv_xstrdup(name)};
    if (sections) {
        prm.value = assemble_sections(pieces, n, name);
        prm.decoded = true;
    } else if (extended) {
        prm.value = assemble_extended(extended);
        prm.decoded = true;
    } else {
        prm.value = pv_xstrdup(plain && plain->value.data ? plain->value.data : "");
    }
    mp->items = pv_xreallocarray(mp->items, mp->count + 1, sizeof *mp->items);
    mp->items[mp->count++] = prm;
}

static void read_params(struct mail_params *mp, struct reader *r)
{
    struct piece *pieces = NULL;
    size_t n = 0;
    struct piece p;
    while (n < PARAMS_PIECES_MAX && read_piece(r, &p)) {
        pieces = pv_xreallocarray(pieces, n + 1, sizeof *pieces);
        pieces[n++] = p;
    }
    for (size_t k = 0; k < n && mp->count < MAIL_PARAMS_MAX; k++) {
        if (!have_param(mp, pieces[k].name))
            add_param(mp, pieces, n, pieces[k].name);
    }
    for (size_t k = 0; k < n; k++) {
        free(pieces[k].name);
        pv_buf_free(&pieces[k].value);
    }
    free(pieces);
}

/* ---- public ------------------------------------------------------------ */

struct mail_params *mail_params_parse(const char *raw, size_t len)
{
    struct mail_params *mp = pv_xcalloc(1, sizeof *mp);
    struct reader r = {raw ? raw : "", raw ? len : 0, 0};
    mp->value = read_main_value(&r);
    read_params(mp, &r);
    return mp;
}

/* RFC 2045 section 5.1: type "/" subtype, both tokens. */
static bool is_type_subtype(const char *v)
{
    const char *slash = strchr(v, '/');
    if (!slash || slash == v || !slash[1])
        return false;
    for (const char *c = v; *c; c++) {
        if (c != slash && !is_token_char(*c))
            return false;
    }
    return true;
}

struct mail_params *mail_content_type_parse(const char *raw, size_t len)
{
    struct mail_params *mp = mail_params_parse(raw, len);
    if (!is_type_subtype(mp->value)) {
        free(mp->value);
        mp->value = pv_xstrdup("text/plain");
        mp->defaulted = true;
    }
    return mp;
}

void mail_params_free(struct mail_params **p)
{
    if (!p || !*p)
        return;
    struct mail_params *mp = *p;
    for (size_t i = 0; i < mp->count; i++) {
        free(mp->items[i].name);
        free(mp->items[i].value);
    }
    free(mp->items);
    free(mp->value);
    free(mp);
    *p = NULL;
}

const char *mail_params_value(const struct mail_params *p)
{
    return p ? p->value : "";
}

bool mail_params_defaulted(const struct mail_params *p)
{
    return p && p->defaulted;
}

size_t mail_params_count(const struct mail_params *p)
{
    return p ? p->count : 0;
}

bool mail_params_at(const struct mail_params *p, size_t i, const char **name_out,
                    const char **value_out)
{
    if (!p || i >= p->count)
        return false;
    if (name_out)
        *name_out = p->items[i].name;
    if (value_out)
        *value_out = p->items[i].value;
    return true;
}

static const struct param *find(const struct mail_params *p, const char *name)
{
    if (!p || !name)
        return NULL;
    for (size_t i = 0; i < p->count; i++) {
        if (pv_ascii_ieq(p->items[i].name, name))
            return &p->items[i];
    }
    return NULL;
}

const char *mail_params_get(const struct mail_params *p, const char *name)
{
    const struct param *prm = find(p, name);
    return prm ? prm->value : NULL;
}

char *mail_params_get_text(const struct mail_params *p, const char *name)
{
    const struct param *prm = find(p, name);
    if (!prm)
        return NULL;
    if (prm->decoded)
        return pv_xstrdup(prm->value);
    return mail_decode_header_text(prm->value);
}
