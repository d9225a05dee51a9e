/*
 * mail — messages as bytes in, text for a person out: RFC 5322 header
 * fields, RFC 2047 encoded words, addresses, dates, charsets to UTF-8
 * (iconv), MIME structure and transfer encodings, HTML to text, and the
 * sanitizer that makes untrusted text safe for a terminal.
 * Pure functions over bytes: no I/O, no globals, no locale dependence.
 */
#ifndef POPVIEW_MAIL_H
#define POPVIEW_MAIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <popview/util.h>

enum mail_status {
    MAIL_OK = 0,
    MAIL_ERR_CHARSET,   /* unknown or unsupported charset: a best-effort
                           conversion was still produced */
    MAIL_ERR_MALFORMED, /* input did not follow the format; best effort produced */
};

/* ======================================================================
 * Header fields, RFC 2047, addresses, dates, charsets, sanitizing
 * (src/mail/header.c, rfc2047.c, address.c, date.c, charset.c, sanitize.c)
 * ====================================================================== */

struct mail_header {
    char *name;  /* as written, without the colon */
    char *value; /* unfolded (line breaks before white space removed), leading
                    white space trimmed, still encoded (RFC 2047 not applied) */
};

struct mail_headers;

/*
 * Parses the header block at the start of buf (up to the first empty line,
 * or the end of buf).  Tolerant: CRLF or bare LF, continuation lines,
 * lines without a colon are skipped, NUL bytes kept out of names.
 * *body_offset_out (may be NULL) is where the body starts (len if none).
 */
struct mail_headers *mail_headers_parse(const char *buf, size_t len, size_t *body_offset_out);
void mail_headers_free(struct mail_headers **h);
size_t mail_headers_count(const struct mail_headers *h);
const struct mail_header *mail_headers_at(const struct mail_headers *h, size_t i);
/* First field with that name (ASCII case-insensitive), or NULL. */
const char *mail_headers_get(const struct mail_headers *h, const char *name);

/*
 * Converts len bytes in charset to UTF-8, appended to out.  NULL or empty
 * charset means US-ASCII.  Invalid sequences become U+FFFD.  An unknown
 * charset gives MAIL_ERR_CHARSET and a best effort (valid UTF-8 kept, other
 * bytes as U+FFFD).  The output is always valid UTF-8.
 */
enum mail_status mail_charset_to_utf8(const char *charset, const char *in, size_t len,
                                      struct pv_buf *out);

/* Valid UTF-8 kept; anything else decoded as Windows-1252, the usual truth
 * behind undeclared 8-bit header bytes.  Returns a new string. */
char *mail_utf8_or_legacy(const char *in, size_t len);

/*
 * Decodes an unstructured header value (Subject, or a display name) for a
 * person: RFC 2047 encoded words (B and Q, any charset iconv knows,
 * RFC 2231 language suffix), white space between adjacent encoded words
 * dropped, undeclared 8-bit bytes as mail_utf8_or_legacy.  Returns a new
 * UTF-8 string; never fails.
 */
char *mail_decode_header_text(const char *raw);

/* The first mailbox of an address list (From:), decoded. */
struct mail_address {
    char *display; /* decoded display name, or NULL */
    char *addr;    /* local@domain, or NULL when none could be found */
};
bool mail_address_parse_first(const char *raw, struct mail_address *out);
void mail_address_clear(struct mail_address *a);
/* What a person wants to see for From: the display name, else the address,
 * else the raw text decoded. Returns a new string. */
char *mail_address_display(const char *raw);

/*
 * Parses an RFC 5322 date (and the obsolete forms of section 4.3: two-digit
 * years, alphabetic zones, missing seconds or weekday).  *when_out is UTC
 * seconds since the epoch; *tz_offset_min_out (may be NULL) the zone in minutes.
 * Returns false when nothing sensible can be read.
 */
bool mail_date_parse(const char *raw, int64_t *when_out, int *tz_offset_min_out);
/* "2025-03-02T14:05:00+01:00" (ISO 8601, in the message's own zone). */
void mail_date_format_iso(int64_t when, int tz_offset_min, char *out, size_t out_size);

/*
 * Makes untrusted text safe to show on a terminal, appending UTF-8 to out:
 * C0 controls as ^X (ESC as ^[), DEL as ^?, C1 controls and bidi overrides/
 * isolates (U+202A..202E, U+2066..2069) and zero-width characters as <U+XXXX>,
 * invalid UTF-8 as U+FFFD.  flags choose how TAB and newlines are treated.
 */
enum {
    MAIL_SANITIZE_KEEP_NEWLINES = 1u << 0, /* keep LF (CRLF -> LF) */
    MAIL_SANITIZE_KEEP_TABS = 1u << 1,     /* keep TAB */
    MAIL_SANITIZE_ONE_LINE = 1u << 2,      /* TAB, CR and LF become one space each */
};
void mail_sanitize(const char *in, size_t len, unsigned flags, struct pv_buf *out);

/* ======================================================================
 * MIME (src/mail/mime.c, transfer.c, params.c, html.c, render.c)
 * ====================================================================== */

/* MIME-SECTION-BEGIN (owned by the MIME work; the declarations follow) */

/*
 * Parameterised header values (RFC 2045 section 5.1, RFC 2183, RFC 2231):
 * "type/subtype; name=value; ...", "attachment; filename=...".
 * Tolerant: comments, missing quotes, a missing ';', garbage between
 * parameters.  Parameter names are lower-cased; for a name given twice the
 * first wins, except that an RFC 2231 form (name*, name*0...) beats a plain
 * one.  RFC 2231 values (charset'language'%XX, continuations) are converted
 * to UTF-8; plain values are kept as written (quotes and backslashes
 * removed), which is what a boundary needs.
 */
struct mail_params;

enum {
    MAIL_PARAMS_MAX = 64,          /* distinct parameters kept per field */
    MAIL_PARAMS_SECTIONS_MAX = 64, /* RFC 2231 sections per parameter */
};

/* Any field: the value before the first ';' is lower-cased and trimmed
 * ("" when there is none).  raw may be NULL (len then ignored).  Never NULL. */
struct mail_params *mail_params_parse(const char *raw, size_t len);
/* Content-Type: the value is "type/subtype", lower-cased; NULL raw, or a
 * value that is not type/subtype, gives "text/plain" (RFC 2045 section 5.2);
 * the parameters are kept either way.  Never NULL. */
struct mail_params *mail_content_type_parse(const char *raw, size_t len);
void mail_params_free(struct mail_params **p);
const char *mail_params_value(const struct mail_params *p);
/* True when the type was missing or invalid and "text/plain" was assumed. */
bool mail_params_defaulted(const struct mail_params *p);
size_t mail_params_count(const struct mail_params *p);
/* The i-th parameter in order of first appearance; false when i is out of range. */
bool mail_params_at(const struct mail_params *p, size_t i, const char **name_out,
                    const char **value_out);
/* Value of a parameter (name compared ASCII case-insensitively), or NULL. */
const char *mail_params_get(const struct mail_params *p, const char *name);
/* Value for a person (filename=, name=): RFC 2231 values as UTF-8, plain
 * values through mail_decode_header_text (many mailers put RFC 2047 encoded
 * words in filename=).  A new string, or NULL when the parameter is absent. */
char *mail_params_get_text(const struct mail_params *p, const char *name);

/*
 * Content-Transfer-Encoding (RFC 2045 section 6).  Decoding never fails: it
 * reads what it can, skips or keeps garbage, and says so.  Decoded output is
 * never longer than the input, so a caller can size a buffer from it.
 */
enum mail_transfer_encoding {
    MAIL_TE_7BIT = 0, /* also what a missing field means */
    MAIL_TE_8BIT,
    MAIL_TE_BINARY,
    MAIL_TE_QUOTED_PRINTABLE,
    MAIL_TE_BASE64,
    MAIL_TE_UNKNOWN, /* passed through as it is */
};

/* The field value (comments and case ignored); NULL or empty gives 7bit. */
enum mail_transfer_encoding mail_transfer_encoding_parse(const char *raw, size_t len);
/* "7bit", "quoted-printable", ... ("unknown" for MAIL_TE_UNKNOWN). */
const char *mail_transfer_encoding_name(enum mail_transfer_encoding te);

/*
 * A streaming decoder: feed the encoded body in pieces of any size, then
 * finish; the result is the same for any split.  base64 ignores white space
 * and characters outside its alphabet and tolerates missing padding;
 * quoted-printable removes soft line breaks (CRLF or LF, with white space
 * after the '='), keeps invalid "=XY" literally and drops white space at
 * the end of lines (RFC 2045 section 6.7); the others pass bytes through.
 */
struct mail_decoder;

struct mail_decoder *mail_decoder_new(enum mail_transfer_encoding te);
void mail_decoder_free(struct mail_decoder **d);
/* Both return false when out's cap was reached (out then holds what fit). */
PV_NODISCARD bool mail_decoder_feed(struct mail_decoder *d, const char *in, size_t len,
                                    struct pv_buf *out);
PV_NODISCARD bool mail_decoder_finish(struct mail_decoder *d, struct pv_buf *out);
/* MAIL_OK, or MAIL_ERR_MALFORMED when something was skipped or kept as
 * written (also for MAIL_TE_UNKNOWN). */
enum mail_status mail_decoder_status(const struct mail_decoder *d);

/* One-shot decoding of a whole body, appended to out.  Returns
 * MAIL_OK or MAIL_ERR_MALFORMED as mail_decoder_status(); *fits_out (may be
 * NULL) is false when out's cap cut the output short. */
enum mail_status mail_transfer_decode(enum mail_transfer_encoding te, const char *in, size_t len,
                                      struct pv_buf *out, bool *fits_out);
/* Size of the decoded body without keeping it. */
uint64_t mail_transfer_decoded_size(enum mail_transfer_encoding te, const char *in, size_t len);

/*
 * The MIME structure of a message (RFC 2045, RFC 2046): a tree of parts,
 * kept in a flat array in document order (a part's children follow it).
 * The tree points into nothing: offsets refer to the message bytes the
 * caller passed to mail_mime_parse() and passes again to decode a part.
 */
enum {
    MAIL_MIME_DEPTH_MAX = 32,    /* deeper multipart/message nesting: one opaque part */
    MAIL_MIME_PARTS_MAX = 10000, /* the rest of the message after that: one opaque part */
};

enum mail_disposition {
    MAIL_DISPOSITION_NONE = 0, /* no Content-Disposition field */
    MAIL_DISPOSITION_INLINE,
    MAIL_DISPOSITION_ATTACHMENT, /* also any value we do not know (RFC 2183 section 2.8) */
};

/*
 * One node of the tree.  The tree owns it; callers read it through const
 * pointers.  Offsets are into the message given to mail_mime_parse().
 */
struct mail_part {
    size_t index;                /* position in document order, 0 for the root */
    char *section;               /* "1", "1.2", "1.2.1": the path in the tree */
    unsigned depth;              /* 0 for the root */
    struct mail_part *parent;    /* NULL for the root */
    struct mail_part **children; /* child_count entries */
    size_t child_count;

    struct mail_headers *headers;     /* this part's header fields */
    struct mail_params *content_type; /* the Content-Type field as read, with parameters */
    char *type;                       /* "type/subtype"; "text/plain" when a multipart
                                         could not be split (note says why) */
    enum mail_transfer_encoding encoding;
    char *encoding_name;   /* "base64", ..., or the unknown name as written */
    char *charset;         /* lower-cased charset= value; "us-ascii" for text
                              without one; NULL otherwise */
    bool charset_explicit; /* charset came from the Content-Type field */
    enum mail_disposition disposition;
    char *filename;    /* UTF-8, from Content-Disposition filename= or Content-Type
                          name=, or NULL; may hold any character (check before saving) */
    char *content_id;  /* Content-ID without the angle brackets, or NULL */
    char *description; /* Content-Description decoded, or NULL */

    size_t header_offset;  /* where the part's header fields start */
    size_t body_offset;    /* where its raw (still encoded) body starts */
    size_t body_len;       /* its length */
    uint64_t decoded_size; /* after the transfer encoding (raw size for containers) */

    bool is_multipart; /* the children are its body parts */
    bool is_message;   /* message/rfc822 or message/global: one child, the message */
    const char *note;  /* why the part was read in a way other than its fields say, or NULL */
};

struct mail_mime;

/* Parses the message [msg, msg+len).  Bare LF or CRLF.  Never NULL. */
struct mail_mime *mail_mime_parse(const char *msg, size_t len);

/* The same, calling tick(ctx) after each MAIL_SCAN_TICK octets the parse
 * reads (it reads the whole message: boundaries, decoded sizes), so a
 * caller whose message is a mapped file can hand the pages read so far
 * back to the kernel: memory then stays bounded whatever the size. */
enum { MAIL_SCAN_TICK = 4 * 1024 * 1024 };
typedef void (*mail_scan_tick_fn)(void *ctx);
struct mail_mime *mail_mime_parse_watched(const char *msg, size_t len, mail_scan_tick_fn tick,
                                          void *ctx);
void mail_mime_free(struct mail_mime **m);
size_t mail_mime_count(const struct mail_mime *m);
/* The part with that index (0 is the root), or NULL. */
const struct mail_part *mail_mime_part(const struct mail_mime *m, size_t index);
/* The part whose section is e.g. "1.2", or NULL. */
const struct mail_part *mail_mime_find_section(const struct mail_mime *m, const char *section);
/* Predicates on part->type. */
bool mail_part_is_text(const struct mail_part *p);
bool mail_part_is_type(const struct mail_part *p, const char *type); /* "text/html" or "text" */

/*
 * Appends the decoded body of part index (transfer encoding undone, charset
 * untouched: the bytes to save) to out, reading the same message bytes that
 * were parsed.  Returns MAIL_OK, or MAIL_ERR_MALFORMED when something was
 * skipped, the encoding is unknown or out's cap cut it short; also, with
 * nothing appended, when there is no such part or msg is shorter than it.
 */
enum mail_status mail_mime_part_decode(const struct mail_mime *m, size_t index, const char *msg,
                                       size_t len, struct pv_buf *out);

/*
 * HTML to readable text (html.c).  Input is UTF-8 (convert the charset
 * first).  Tags removed; script, style, head and title dropped; block
 * elements become line breaks, <li> "• ", <pre> keeps its white space,
 * other white space collapses; entities decoded (invalid ones as U+FFFD);
 * links become "text [N]" with a "Links:" list at the end; images their
 * alt text.  Any input terminates in linear time.  Returns false when out's
 * cap was reached.
 */
PV_NODISCARD bool mail_html_to_text(const char *html, size_t len, struct pv_buf *out);
/* The charset a <meta charset=...> or <meta http-equiv="Content-Type"
 * content="...; charset=..."> names, lower-cased, or NULL.  Reads raw bytes,
 * so it works before the charset is known. */
char *mail_html_meta_charset(const char *html, size_t len);

/*
 * What the pager shows and `popview --show N` prints (render.c): the
 * From, To, Cc, Date and Subject lines decoded, an empty line, the body
 * (text parts decoded to UTF-8; multipart/alternative prefers text/plain,
 * then text/html; attached messages framed by "----- Forwarded message
 * -----"), then "Attachments:" with one line per part not shown,
 * "  [N] name  type  size", N being the index for mail_mime_part_decode().  Notes
 * about what could not be read exactly are lines starting "[popview: ".
 * Everything passes through mail_sanitize (newlines and tabs kept), so no
 * control character reaches the terminal.  Returns MAIL_OK,
 * MAIL_ERR_CHARSET (a charset was unknown) or MAIL_ERR_MALFORMED.
 */
enum mail_status mail_render(const struct mail_mime *m, const char *msg, size_t len,
                             struct pv_buf *out);
/* Parse + render in one call. */
enum mail_status mail_render_message(const char *msg, size_t len, struct pv_buf *out);
/* The MIME tree for the `m` key, one line per part in document order
 * (line i is part i), indented two spaces per level:
 * "1.2  text/html; charset=utf-8  quoted-printable  3.2K  name=x.html". */
void mail_render_tree(const struct mail_mime *m, struct pv_buf *out);

/* MIME-SECTION-END */

#endif
