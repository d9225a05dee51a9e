/*
 * Content-Transfer-Encoding (RFC 2045 section 6): naming the encoding and
 * undoing it.  The decoder is a byte-at-a-time state machine so that a body
 * can be fed in pieces of any size (a message arriving over POP3, or a
 * part read in chunks) and give the same bytes as a one-shot decode.
 *
 * Glossary: a "sextet" is the 6-bit value of one base64 character; a
 * "quantum" is four sextets, three octets (RFC 2045 section 6.8).  A "soft
 * line break" is a quoted-printable '=' at the end of an encoded line, which
 * the encoder inserted and the decoder removes (section 6.7 rule 5).
 */
#include <stdlib.h>
#include <string.h>

#include <popview/util.h>

#include <popview/mail.h>

#include "private.h"

/* White space we hold back in quoted-printable until we know whether the
 * line ends (trailing white space is removed, rule 3).  Encoded lines are at
 * most 76 characters, so a longer run is not trailing padding: it is flushed. */
enum { QP_PENDING_MAX = 128 };

enum qp_state {
    QP_TEXT,     /* ordinary characters */
    QP_CR,       /* a CR seen, waiting for LF */
    QP_EQ,       /* '=' seen */
    QP_EQ_HEX,   /* '=' and one hex digit seen (in hex1) */
    QP_EQ_SPACE, /* '=' followed by white space: a soft break padded by transport? */
    QP_EQ_CR,    /* "=" [white space] CR: a soft break unless more follows */
};

struct mail_decoder {
    enum mail_transfer_encoding te;
    bool malformed;
    /* base64 */
    uint32_t quantum;
    unsigned sextets;
    /* quoted-printable */
    enum qp_state qp;
    char hex1;
    char pending[QP_PENDING_MAX];
    size_t pending_len;
};

struct te_name {
    const char *name;
    enum mail_transfer_encoding te;
};

static const struct te_name te_names[] = {
    {"7bit", MAIL_TE_7BIT},
    {"8bit", MAIL_TE_8BIT},
    {"binary", MAIL_TE_BINARY},
    {"quoted-printable", MAIL_TE_QUOTED_PRINTABLE},
    {"base64", MAIL_TE_BASE64},
    /* Seen in the wild from old mailers; harmless to understand. */
    {"8-bit", MAIL_TE_8BIT},
    {"7-bit", MAIL_TE_7BIT},
    {"quoted_printable", MAIL_TE_QUOTED_PRINTABLE},
};

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Skips white space and RFC 822 comments, which RFC 2045 allows around the
 * token: "Content-Transfer-Encoding: base64 (because)". */
static size_t skip_cfws(const char *s, size_t len, size_t i)
{
    while (i < len) {
        if (is_space(s[i])) {
            i++;
        } else if (s[i] == '(') {
            unsigned level = 0;
            for (; i < len; i++) {
                if (s[i] == '\\' && i + 1 < len) {
                    i++;
                } else if (s[i] == '(') {
                    level++;
                } else if (s[i] == ')' && --level == 0) {
                    i++;
                    break;
                }
            }
        } else {
            break;
        }
    }
    return i;
}

enum mail_transfer_encoding mail_transfer_encoding_parse(const char *raw, size_t len)
{
    if (!raw)
        return MAIL_TE_7BIT;
    size_t start = skip_cfws(raw, len, 0);
    size_t end = start;
    while (end < len && !is_space(raw[end]) && raw[end] != '(' && raw[end] != ';')
        end++;
    if (end == start)
        return MAIL_TE_7BIT;
    for (size_t i = 0; i < PV_ARRAY_LEN(te_names); i++) {
        size_t n = strlen(te_names[i].name);
        if (n == end - start && pv_ascii_nieq(raw + start, te_names[i].name, n))
            return te_names[i].te;
    }
    return MAIL_TE_UNKNOWN;
}

const char *mail_transfer_encoding_name(enum mail_transfer_encoding te)
{
    switch (te) {
    case MAIL_TE_7BIT:
        return "7bit";
    case MAIL_TE_8BIT:
        return "8bit";
    case MAIL_TE_BINARY:
        return "binary";
    case MAIL_TE_QUOTED_PRINTABLE:
        return "quoted-printable";
    case MAIL_TE_BASE64:
        return "base64";
    case MAIL_TE_UNKNOWN:
        break;
    }
    return "unknown";
}

struct mail_decoder *mail_decoder_new(enum mail_transfer_encoding te)
{
    struct mail_decoder *d = pv_xcalloc(1, sizeof *d);
    d->te = te;
    d->qp = QP_TEXT;
    /* RFC 2045 section 6.4: an unknown encoding must not be interpreted;
     * we show it as is, and that is worth a note. */
    d->malformed = te == MAIL_TE_UNKNOWN;
    return d;
}

void mail_decoder_free(struct mail_decoder **d)
{
    if (!d || !*d)
        return;
    free(*d);
    *d = NULL;
}

enum mail_status mail_decoder_status(const struct mail_decoder *d)
{
    return d && d->malformed ? MAIL_ERR_MALFORMED : MAIL_OK;
}

/* ---- base64 (RFC 2045 section 6.8) ---------------------------------- */

/* Emits the octets of a partial quantum: two sextets give one octet,
 * three give two; a single sextet carries no whole octet. */
static bool base64_flush(struct mail_decoder *d, struct pv_buf *out)
{
    unsigned n = d->sextets;
    uint32_t q = d->quantum << (6 * (4 - n));
    d->quantum = 0;
    d->sextets = 0;
    char bytes[3] = {(char)(q >> 16), (char)(q >> 8), (char)q};
    switch (n) {
    case 0:
        return true;
    case 1:
        d->malformed = true;
        return true;
    default:
        return pv_buf_append(out, bytes, n - 1);
    }
}

static bool base64_feed(struct mail_decoder *d, const char *in, size_t len, struct pv_buf *out)
{
    char chunk[768];
    size_t used = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)in[i];
        int v = pv_base64_value(c);
        if (v < 0) {
            if (c == '=') {
                /* Padding ends a quantum.  Text after it is taken as a new
                 * base64 run (some mailers concatenate encoded blocks). */
                if (!pv_buf_append(out, chunk, used))
                    return false;
                used = 0;
                if (!base64_flush(d, out))
                    return false;
            } else if (!is_space((char)c)) {
                d->malformed = true; /* RFC 2045: ignore, but it was there */
            }
            continue;
        }
        d->quantum = (d->quantum << 6) | (uint32_t)v;
        if (++d->sextets == 4) {
            chunk[used++] = (char)(d->quantum >> 16);
            chunk[used++] = (char)(d->quantum >> 8);
            chunk[used++] = (char)d->quantum;
            d->quantum = 0;
            d->sextets = 0;
            if (used == sizeof chunk) {
                if (!pv_buf_append(out, chunk, used))
                    return false;
                used = 0;
            }
        }
    }
    return pv_buf_append(out, chunk, used);
}

/* ---- quoted-printable (RFC 2045 section 6.7) ------------------------- */

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    /* Lower case is not allowed by rule 1 but written by some encoders. */
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

static bool qp_emit_pending(struct mail_decoder *d, struct pv_buf *out)
{
    bool ok = pv_buf_append(out, d->pending, d->pending_len);
    d->pending_len = 0;
    return ok;
}

static bool qp_hold_space(struct mail_decoder *d, char c, struct pv_buf *out)
{
    if (d->pending_len == sizeof d->pending && !qp_emit_pending(d, out))
        return false;
    d->pending[d->pending_len++] = c;
    return true;
}

/* One character in QP_TEXT. */
static bool qp_text(struct mail_decoder *d, char c, struct pv_buf *out)
{
    switch (c) {
    case ' ':
    case '\t':
        return qp_hold_space(d, c, out);
    case '\r':
        d->qp = QP_CR;
        return true;
    case '\n':
        /* A hard line break: the white space before it was padding. */
        d->pending_len = 0;
        return pv_buf_append_byte(out, '\n');
    case '=':
        if (!qp_emit_pending(d, out))
            return false;
        d->qp = QP_EQ;
        return true;
    default:
        if (!qp_emit_pending(d, out))
            return false;
        return pv_buf_append_byte(out, c);
    }
}

/* Returns true when c was consumed, false in *reprocess when it must be
 * looked at again in QP_TEXT; the function result is "out still fits". */
static bool qp_step(struct mail_decoder *d, char c, bool *reprocess, struct pv_buf *out)
{
    *reprocess = false;
    switch (d->qp) {
    case QP_TEXT:
        return qp_text(d, c, out);
    case QP_CR:
        d->qp = QP_TEXT;
        if (c == '\n') {
            d->pending_len = 0;
            return pv_buf_append(out, "\r\n", 2);
        }
        /* A lone CR is not a line break; keep it as data. */
        if (!qp_emit_pending(d, out) || !pv_buf_append_byte(out, '\r'))
            return false;
        *reprocess = true;
        return true;
    case QP_EQ:
        if (hex_value(c) >= 0) {
            d->hex1 = c;
            d->qp = QP_EQ_HEX;
        } else if (c == '\n') {
            d->qp = QP_TEXT; /* soft line break with a bare LF */
        } else if (c == '\r') {
            d->qp = QP_EQ_CR;
        } else if (c == ' ' || c == '\t') {
            d->qp = QP_EQ_SPACE;
            return qp_hold_space(d, c, out);
        } else {
            d->malformed = true;
            d->qp = QP_TEXT;
            *reprocess = true;
            return pv_buf_append_byte(out, '=');
        }
        return true;
    case QP_EQ_HEX: {
        d->qp = QP_TEXT;
        int lo = hex_value(c);
        if (lo >= 0)
            return pv_buf_append_byte(out, (char)(hex_value(d->hex1) << 4 | lo));
        /* Rule 1 allows keeping an invalid "=X" as it is. */
        d->malformed = true;
        *reprocess = true;
        char lit[2] = {'=', d->hex1};
        return pv_buf_append(out, lit, 2);
    }
    case QP_EQ_SPACE:
        if (c == ' ' || c == '\t')
            return qp_hold_space(d, c, out);
        if (c == '\n' || c == '\r') {
            /* "=" + transport padding + line break: still a soft break. */
            d->pending_len = 0;
            d->qp = c == '\r' ? QP_EQ_CR : QP_TEXT;
            return true;
        }
        d->malformed = true;
        d->qp = QP_TEXT;
        *reprocess = true;
        return pv_buf_append_byte(out, '=') && qp_emit_pending(d, out);
    case QP_EQ_CR:
        d->qp = QP_TEXT;
        if (c == '\n')
            return true;
        *reprocess = true; /* "=" CR without LF: take it as a soft break */
        return true;
    }
    return true;
}

static bool qp_feed(struct mail_decoder *d, const char *in, size_t len, struct pv_buf *out)
{
    for (size_t i = 0; i < len; i++) {
        bool again = true;
        while (again) {
            if (!qp_step(d, in[i], &again, out))
                return false;
        }
    }
    return true;
}

static bool qp_finish(struct mail_decoder *d, struct pv_buf *out)
{
    bool ok = true;
    switch (d->qp) {
    case QP_TEXT:
    case QP_EQ_CR:
        break;
    case QP_CR:
        ok = qp_emit_pending(d, out) && pv_buf_append_byte(out, '\r');
        break;
    case QP_EQ:
    case QP_EQ_SPACE:
        /* A final "=" soft-breaks into nothing: the body ends without a
         * line break, which is what encoders mean by it. */
        break;
    case QP_EQ_HEX: {
        d->malformed = true;
        char lit[2] = {'=', d->hex1};
        ok = pv_buf_append(out, lit, 2);
        break;
    }
    }
    /* White space at the very end is trailing white space too. */
    d->pending_len = 0;
    d->qp = QP_TEXT;
    return ok;
}

/* ---- the interface --------------------------------------------------- */

bool mail_decoder_feed(struct mail_decoder *d, const char *in, size_t len, struct pv_buf *out)
{
    if (!d || !in || !len)
        return true;
    switch (d->te) {
    case MAIL_TE_BASE64:
        return base64_feed(d, in, len, out);
    case MAIL_TE_QUOTED_PRINTABLE:
        return qp_feed(d, in, len, out);
    case MAIL_TE_7BIT:
    case MAIL_TE_8BIT:
    case MAIL_TE_BINARY:
    case MAIL_TE_UNKNOWN:
        break;
    }
    return pv_buf_append(out, in, len);
}

bool mail_decoder_finish(struct mail_decoder *d, struct pv_buf *out)
{
    if (!d)
        return true;
    if (d->te == MAIL_TE_BASE64)
        return base64_flush(d, out);
    if (d->te == MAIL_TE_QUOTED_PRINTABLE)
        return qp_finish(d, out);
    return true;
}

enum mail_status mail_transfer_decode(enum mail_transfer_encoding te, const char *in, size_t len,
                                      struct pv_buf *out, bool *fits_out)
{
    struct mail_decoder *d = mail_decoder_new(te);
    bool fits = mail_decoder_feed(d, in, len, out) && mail_decoder_finish(d, out);
    enum mail_status st = mail_decoder_status(d);
    mail_decoder_free(&d);
    if (fits_out)
        *fits_out = fits;
    return st;
}

uint64_t mail_transfer_decoded_size(enum mail_transfer_encoding te, const char *in, size_t len)
{
    return mail_transfer_decoded_size_ticked(te, in, len, NULL, NULL);
}

uint64_t mail_transfer_decoded_size_ticked(enum mail_transfer_encoding te, const char *in,
                                           size_t len, mail_scan_tick_fn tick, void *ctx)
{
    if (te != MAIL_TE_BASE64 && te != MAIL_TE_QUOTED_PRINTABLE)
        return len;
    /* Decode in slices through a small buffer: memory stays constant. */
    enum { SLICE = 16384 };
    struct mail_decoder *d = mail_decoder_new(te);
    struct pv_buf scratch;
    pv_buf_init(&scratch, 0);
    uint64_t total = 0;
    for (size_t off = 0; off < len; off += SLICE) {
        size_t n = len - off < SLICE ? len - off : SLICE;
        if (!mail_decoder_feed(d, in + off, n, &scratch))
            break; /* uncapped: cannot happen */
        total += scratch.len;
        pv_buf_reset(&scratch);
        if (tick && (off + n) / MAIL_SCAN_TICK != off / MAIL_SCAN_TICK)
            tick(ctx);
    }
    if (mail_decoder_finish(d, &scratch))
        total += scratch.len;
    pv_buf_free(&scratch);
    mail_decoder_free(&d);
    return total;
}
