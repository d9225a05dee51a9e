/*
 * Helpers shared inside the mail layer (header side and MIME side): UTF-8
 * decoding and validation, and the Windows-1252 table that stands in for
 * undeclared 8-bit text.  Not part of the public API; tests include it to
 * check that every output is valid UTF-8.
 *
 * Glossary: "maximal subpart" is the longest prefix of a broken UTF-8
 * sequence that could still have started a valid one (Unicode 15, section
 * 3.9, U+FFFD substitution); each one becomes a single U+FFFD.
 */
#ifndef POPVIEW_MAIL_PRIVATE_H
#define POPVIEW_MAIL_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <popview/util.h>

/* What mail_utf8_next() reports for a broken sequence. */
#define MAIL_UTF8_INVALID UINT32_MAX
#define MAIL_REPLACEMENT_CHAR 0xFFFDu

/*
 * Decodes the UTF-8 sequence at the start of s (len > 0).  Returns how many
 * bytes it used (always >= 1) and stores the code point, or MAIL_UTF8_INVALID
 * when those bytes are a maximal subpart of a broken sequence.  Overlong
 * forms, surrogates and values above U+10FFFF are broken.
 */
/* mail_transfer_decoded_size that calls tick(ctx) after each MAIL_SCAN_TICK
 * octets it reads (tick may be NULL). */
uint64_t mail_transfer_decoded_size_ticked(enum mail_transfer_encoding te, const char *in,
                                           size_t len, mail_scan_tick_fn tick, void *ctx);

size_t mail_utf8_next(const char *s, size_t len, uint32_t *cp_out);

/* True when [s, s+len) is entirely valid UTF-8 (NUL bytes count as valid). */
bool mail_utf8_valid(const char *s, size_t len);

/* Appends the UTF-8 encoding of cp (a scalar value).  False when the
 * buffer's cap is reached (nothing is appended then). */
bool mail_utf8_put(struct pv_buf *out, uint32_t cp);

/* The Unicode character for one Windows-1252 byte (WHATWG index: the five
 * unassigned bytes map to the C1 controls of the same value). */
uint32_t mail_cp1252_char(unsigned char byte);

/*
 * Appends valid UTF-8 from [in, in+len): valid sequences copied, each broken
 * one replaced by U+FFFD, or (legacy == true) each byte of it decoded as
 * Windows-1252.  False when the buffer's cap stopped it.
 */
bool mail_utf8_append_lenient(struct pv_buf *out, const char *in, size_t len, bool legacy);

/* Length of the RFC 2047 encoded word (its syntax) starting at s, or 0. */
size_t mail_encoded_word_len(const char *s);

#endif
