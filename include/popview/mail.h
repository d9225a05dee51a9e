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
/* MIME-SECTION-END */

#endif
