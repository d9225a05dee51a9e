/*
 * RFC 2047 encoded words in unstructured header text ("Subject: =?UTF-8?Q?
 * Gr=C3=BC=C3=9Fe?=") decoded to UTF-8 for a person.  Real mailers bend the
 * rules, so decoding is lenient the way common clients are: encoded words
 * are recognised anywhere, even glued to other text; B and Q may be lower
 * case; a word that does not decode is shown as written.
 *
 * Glossary: an "encoded word" is =?charset[*lang]?encoding?text?=
 * (RFC 2047, section 2; the *lang suffix is RFC 2231, section 5); a "run" is
 * a sequence of encoded words in the same charset separated only by linear
 * white space.  The bytes of a run are joined before charset conversion:
 * senders split long text into words at byte boundaries, so one multibyte
 * character may start in one word and end in the next.
 */
#include <stdlib.h>
#include <string.h>

#include <popview/util.h>

#include <popview/mail.h>

#include "private.h"

struct encoded_word {
    const char *charset; /* not NUL-terminated, may carry *lang */
    size_t charset_len;
    char encoding; /* 'B' or 'Q' */
    const char *text;
    size_t text_len;
    size_t total_len; /* from "=?" to "?=" inclusive */
};

static bool is_lws(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Printable ASCII without space: charset and encoded text never contain
 * anything else (RFC 2047, section 2: token and encoded-text). */
static bool is_word_char(char c)
{
    return c > ' ' && c < 0x7f;
}

/* Recognises an encoded word at s; the syntax only, not its content. */
static bool encoded_word_scan(const char *s, struct encoded_word *w)
{
    if (s[0] != '=' || s[1] != '?')
        return false;
    const char *p = s + 2;
    w->charset = p;
    while (is_word_char(*p) && *p != '?')
        p++;
    w->charset_len = (size_t)(p - w->charset);
    if (w->charset_len == 0 || *p != '?')
        return false;
    p++;
    char e = pv_ascii_lower(*p);
    if ((e != 'b' && e != 'q') || p[1] != '?')
        return false;
    w->encoding = e == 'b' ? 'B' : 'Q';
    p += 2;
    w->text = p;
    while (is_word_char(*p) && *p != '?')
        p++;
    if (p[0] != '?' || p[1] != '=')
        return false;
    w->text_len = (size_t)(p - w->text);
    w->total_len = (size_t)(p + 2 - s);
    return true;
}

size_t mail_encoded_word_len(const char *s)
{
    struct encoded_word w;
    return s && encoded_word_scan(s, &w) ? w.total_len : 0;
}

/*
 * Base64 (RFC 2045, section 6.8) as the B encoding uses it.  Missing
 * padding is forgiven, as clients do; a character outside the alphabet,
 * padding in the middle, or a dangling sixth of a byte makes the word
 * invalid, and it is then shown as written.
 */
static bool decode_b(const char *t, size_t len, struct pv_buf *bytes)
{
    while (len > 0 && t[len - 1] == '=')
        len--;
    if (len % 4 == 1)
        return false;
    uint32_t acc = 0;
    int bits = 0;
    for (size_t i = 0; i < len; i++) {
        int v = pv_base64_value(t[i]);
        if (v < 0)
            return false;
        acc = (acc << 6) | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            if (!pv_buf_append_byte(bytes, (char)((acc >> bits) & 0xFF)))
                return false;
        }
    }
    return true;
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = pv_ascii_lower(c);
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/* The Q encoding (RFC 2047, section 4.2): "_" is a space, =XX a byte.  A
 * "=" without two hex digits stays literal. */
static bool decode_q(const char *t, size_t len, struct pv_buf *bytes)
{
    for (size_t i = 0; i < len; i++) {
        char c = t[i];
        if (c == '_') {
            c = ' ';
        } else if (c == '=' && i + 2 < len && hex_value(t[i + 1]) >= 0 &&
                   hex_value(t[i + 2]) >= 0) {
            c = (char)(hex_value(t[i + 1]) * 16 + hex_value(t[i + 2]));
            i += 2;
        }
        if (!pv_buf_append_byte(bytes, c))
            return false;
    }
    return true;
}

static bool same_charset(const char *a, size_t alen, const char *b, size_t blen)
{
    const char *star = memchr(a, '*', alen);
    if (star)
        alen = (size_t)(star - a);
    star = memchr(b, '*', blen);
    if (star)
        blen = (size_t)(star - b);
    return alen == blen && pv_ascii_nieq(a, b, alen);
}

/* The decoder's state: the output and the run not yet converted. */
struct decoder {
    struct pv_buf out;
    struct pv_buf run;       /* decoded bytes of the current run */
    const char *run_charset; /* NULL when no run is open */
    size_t run_charset_len;
};

/* Appends UTF-8, with U+FFFD for NUL: the result is a C string. */
static void put_text(struct decoder *d, const char *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        const char *nul = memchr(s + i, '\0', len - i);
        size_t n = nul ? (size_t)(nul - (s + i)) : len - i;
        if (!pv_buf_append(&d->out, s + i, n))
            return;
        i += n;
        if (i < len) {
            if (!mail_utf8_put(&d->out, MAIL_REPLACEMENT_CHAR))
                return;
            i++;
        }
    }
}

static void run_flush(struct decoder *d)
{
    if (!d->run_charset)
        return;
    char *charset = pv_xstrndup(d->run_charset, d->run_charset_len);
    struct pv_buf utf8;
    pv_buf_init(&utf8, 0);
    (void)mail_charset_to_utf8(charset, d->run.data, d->run.len, &utf8);
    put_text(d, utf8.data, utf8.len);
    pv_buf_free(&utf8);
    free(charset);
    pv_buf_reset(&d->run);
    d->run_charset = NULL;
}

/* Plain text between encoded words: line breaks of folding removed
 * (RFC 5322, section 2.2.3), undeclared 8-bit bytes read leniently. */
static void put_plain(struct decoder *d, const char *s, size_t len)
{
    struct pv_buf unfolded;
    pv_buf_init(&unfolded, 0);
    for (size_t i = 0; i < len; i++) {
        bool folding = (s[i] == '\n' && i + 1 < len && (s[i + 1] == ' ' || s[i + 1] == '\t')) ||
                       (s[i] == '\r' && i + 2 < len && s[i + 1] == '\n' &&
                        (s[i + 2] == ' ' || s[i + 2] == '\t'));
        if (folding) {
            if (s[i] == '\r')
                i++;
            continue;
        }
        if (!pv_buf_append_byte(&unfolded, s[i]))
            break;
    }
    char *text = mail_utf8_or_legacy(unfolded.data, unfolded.len);
    put_text(d, text, strlen(text));
    free(text);
    pv_buf_free(&unfolded);
}

static bool all_lws(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (!is_lws(s[i]))
            return false;
    return true;
}

/* Decodes the word's text onto the open run, starting a new run when the
 * charset changes.  False (run untouched) when the text does not decode. */
static bool run_add_word(struct decoder *d, const struct encoded_word *w)
{
    struct pv_buf bytes;
    pv_buf_init(&bytes, 0);
    bool ok = w->encoding == 'B' ? decode_b(w->text, w->text_len, &bytes)
                                 : decode_q(w->text, w->text_len, &bytes);
    if (ok) {
        if (d->run_charset &&
            !same_charset(d->run_charset, d->run_charset_len, w->charset, w->charset_len))
            run_flush(d);
        d->run_charset = w->charset;
        d->run_charset_len = w->charset_len;
        ok = pv_buf_append(&d->run, bytes.data, bytes.len);
    }
    pv_buf_free(&bytes);
    return ok;
}

char *mail_decode_header_text(const char *raw)
{
    struct decoder d = {.run_charset = NULL};
    pv_buf_init(&d.out, 0);
    pv_buf_init(&d.run, 0);
    if (!raw)
        raw = "";
    const char *plain = raw; /* start of text not yet emitted */
    const char *p = raw;
    while (*p) {
        struct encoded_word w;
        if (!encoded_word_scan(p, &w)) {
            p++;
            continue;
        }
        size_t gap = (size_t)(p - plain);
        /* RFC 2047, section 6.2: white space between adjacent encoded
         * words is not displayed. */
        bool joins = d.run_charset && all_lws(plain, gap);
        if (!joins) {
            run_flush(&d);
            put_plain(&d, plain, gap);
        }
        if (run_add_word(&d, &w)) {
            plain = p + w.total_len;
        } else {
            /* Shown as written, gap included, after what came before. */
            run_flush(&d);
            if (joins)
                put_plain(&d, plain, gap);
            put_plain(&d, p, w.total_len);
            plain = p + w.total_len;
        }
        p += w.total_len;
    }
    run_flush(&d);
    put_plain(&d, plain, (size_t)(p - plain));
    pv_buf_free(&d.run);
    return pv_buf_steal(&d.out, NULL);
}
