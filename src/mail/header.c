/*
 * The header block of a message (RFC 5322, section 2.2): field lines up to
 * the first empty line, each "name: value", with continuation lines (those
 * starting with white space) folded into the field above.  Parsing is
 * tolerant because mail in the wild is not: bare LF line ends, garbage
 * lines, a stray mbox "From " line, NUL bytes.  Values stay encoded;
 * rfc2047.c decodes them for display.
 *
 * Glossary: "unfolding" (RFC 5322, section 2.2.3) removes each line break
 * that is followed by white space, keeping the white space.
 */
#include <stdlib.h>
#include <string.h>

#include <popview/util.h>

#include <popview/mail.h>

/* A message with more fields than this is hostile; the rest are skipped
 * (still read, so the body offset stays right). */
enum { MAIL_HEADERS_MAX = 10000 };

struct mail_headers {
    struct mail_header *fields;
    size_t count;
    size_t alloc;
};

/* One physical line: [start, start+len) without its line end. */
struct line {
    const char *start;
    size_t len;
};

/* Reads the line at *pos and moves *pos past its line end (LF or CRLF). */
static struct line next_line(const char *buf, size_t len, size_t *pos)
{
    struct line l = {buf + *pos, 0};
    const char *lf = memchr(buf + *pos, '\n', len - *pos);
    size_t end = lf ? (size_t)(lf - buf) : len;
    l.len = end - *pos;
    *pos = lf ? end + 1 : len;
    if (l.len > 0 && l.start[l.len - 1] == '\r')
        l.len--;
    return l;
}

static bool is_wsp(char c)
{
    return c == ' ' || c == '\t';
}

/*
 * Splits "name: value".  The name must be printable ASCII without spaces
 * (RFC 5322, section 2.2: ftext is %d33-57 / %d59-126); white space before
 * the colon is the obsolete syntax of section 4.5 and is allowed.  Anything
 * else (an mbox "From " line, garbage) is not a field.
 */
static bool split_field(struct line l, size_t *name_len_out, size_t *value_at_out)
{
    const char *colon = memchr(l.start, ':', l.len);
    if (!colon)
        return false;
    size_t name_len = (size_t)(colon - l.start);
    while (name_len > 0 && is_wsp(l.start[name_len - 1]))
        name_len--;
    if (name_len == 0)
        return false;
    for (size_t i = 0; i < name_len; i++) {
        unsigned char c = (unsigned char)l.start[i];
        if (c < 33 || c > 126)
            return false;
    }
    *name_len_out = name_len;
    *value_at_out = (size_t)(colon - l.start) + 1;
    return true;
}

/* Appends bytes to a value, dropping NULs: the value is a C string. */
static void value_append(struct pv_buf *v, const char *p, size_t n)
{
    for (size_t i = 0; i < n;) {
        const char *nul = memchr(p + i, '\0', n - i);
        size_t run = nul ? (size_t)(nul - (p + i)) : n - i;
        if (!pv_buf_append(v, p + i, run))
            return; /* uncapped buffer: cannot happen short of SIZE_MAX */
        i += run + (nul ? 1 : 0);
    }
}

/* Trims white space at both ends and hands the string over. */
static char *value_finish(struct pv_buf *v)
{
    char *s = pv_buf_steal(v, NULL);
    size_t len = strlen(s);
    size_t b = 0;
    while (b < len && is_wsp(s[b]))
        b++;
    while (len > b && is_wsp(s[len - 1]))
        len--;
    memmove(s, s + b, len - b);
    s[len - b] = '\0';
    return s;
}

static void headers_add(struct mail_headers *h, char *name, char *value)
{
    if (h->count == h->alloc) {
        h->alloc = h->alloc ? h->alloc * 2 : 16;
        h->fields = pv_xreallocarray(h->fields, h->alloc, sizeof *h->fields);
    }
    h->fields[h->count].name = name;
    h->fields[h->count].value = value;
    h->count++;
}

struct mail_headers *mail_headers_parse(const char *buf, size_t len, size_t *body_offset_out)
{
    struct mail_headers *h = pv_xcalloc(1, sizeof *h);
    if (!buf)
        len = 0;
    size_t pos = 0;
    size_t body = len;
    char *name = NULL; /* the field being collected, if any */
    struct pv_buf value;
    pv_buf_init(&value, 0);
    while (pos < len) {
        struct line l = next_line(buf, len, &pos);
        if (l.len == 0) {
            body = pos;
            break;
        }
        if (is_wsp(l.start[0])) {
            /* A continuation; without a field above (first line, or after a
             * skipped garbage line) it belongs to nothing and is dropped. */
            if (name)
                value_append(&value, l.start, l.len);
            continue;
        }
        if (name) {
            headers_add(h, name, value_finish(&value));
            name = NULL;
        }
        size_t name_len, value_at;
        if (h->count >= MAIL_HEADERS_MAX || !split_field(l, &name_len, &value_at))
            continue;
        name = pv_xstrndup(l.start, name_len);
        value_append(&value, l.start + value_at, l.len - value_at);
    }
    if (name)
        headers_add(h, name, value_finish(&value));
    pv_buf_free(&value);
    if (body_offset_out)
        *body_offset_out = body;
    return h;
}

void mail_headers_free(struct mail_headers **hp)
{
    if (!hp || !*hp)
        return;
    struct mail_headers *h = *hp;
    for (size_t i = 0; i < h->count; i++) {
        free(h->fields[i].name);
        free(h->fields[i].value);
    }
    free(h->fields);
    free(h);
    *hp = NULL;
}

size_t mail_headers_count(const struct mail_headers *h)
{
    return h ? h->count : 0;
}

const struct mail_header *mail_headers_at(const struct mail_headers *h, size_t i)
{
    if (!h || i >= h->count)
        return NULL;
    return &h->fields[i];
}

const char *mail_headers_get(const struct mail_headers *h, const char *name)
{
    if (!h || !name)
        return NULL;
    for (size_t i = 0; i < h->count; i++)
        if (pv_ascii_ieq(h->fields[i].name, name))
            return h->fields[i].value;
    return NULL;
}
