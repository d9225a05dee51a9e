/*
 * libFuzzer harness for the header side of the mail layer: the header block
 * parser, RFC 2047 decoding, the first address, dates, charset conversion
 * and the sanitizer, fed the same bytes a hostile server could send.  After
 * each input it checks the promises the callers rely on (valid UTF-8 out,
 * nothing a terminal would act on after mail_sanitize, offsets in range),
 * so a wrong answer is a crash, not just memory errors.  No global state.
 *
 * Built by meson with -Dfuzz=true (tests/fuzz/meson.build, README.md):
 *   build-fuzz/tests/fuzz/fuzz_header -dict=tests/fuzz/header.dict \
 *     -max_len=4096 -max_total_time=60 CORPUS-COPY tests/fuzz/corpus/fuzz_header
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <popview/util.h>

#include <popview/mail.h>

#include "src/mail/private.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond))                                                                               \
            __builtin_trap();                                                                      \
    } while (0)

static void check_utf8_string(const char *s)
{
    CHECK(s != NULL);
    CHECK(mail_utf8_valid(s, strlen(s)));
}

/* The sanitizer's promise: no C0 (except kept TAB/LF), DEL or C1 out. */
static void check_sanitized(const char *in, size_t len, unsigned flags)
{
    struct pv_buf out;
    pv_buf_init(&out, 0);
    mail_sanitize(in, len, flags, &out);
    CHECK(mail_utf8_valid(out.data, out.len));
    bool one = flags & MAIL_SANITIZE_ONE_LINE;
    for (size_t i = 0; i < out.len;) {
        uint32_t cp;
        size_t n = mail_utf8_next(out.data + i, out.len - i, &cp);
        bool kept = !one && ((cp == '\t' && (flags & MAIL_SANITIZE_KEEP_TABS)) ||
                             (cp == '\n' && (flags & MAIL_SANITIZE_KEEP_NEWLINES)));
        CHECK(kept || (cp >= 0x20 && cp != 0x7F && !(cp >= 0x80 && cp <= 0x9F)));
        CHECK(!(cp >= 0x202A && cp <= 0x202E) && !(cp >= 0x2066 && cp <= 0x2069));
        i += n;
    }
    pv_buf_free(&out);
}

static void check_date(const char *s)
{
    int64_t when;
    int tz;
    if (!mail_date_parse(s, &when, &tz))
        return;
    CHECK(tz >= -99 * 60 - 59 && tz <= 99 * 60 + 59);
    char iso[64];
    mail_date_format_iso(when, tz, iso, sizeof iso);
    CHECK(strlen(iso) == 25); /* years 1900..9999 only */
}

/* Everything a display of this header value would do. */
static void check_value(const char *value)
{
    char *text = mail_decode_header_text(value);
    check_utf8_string(text);
    check_sanitized(text, strlen(text), MAIL_SANITIZE_ONE_LINE);
    free(text);

    char *who = mail_address_display(value);
    check_utf8_string(who);
    free(who);

    struct mail_address a;
    if (mail_address_parse_first(value, &a)) {
        CHECK(a.display || a.addr);
        if (a.display)
            check_utf8_string(a.display);
        if (a.addr)
            check_utf8_string(a.addr);
    } else {
        CHECK(!a.display && !a.addr);
    }
    mail_address_clear(&a);

    check_date(value);
}

static void check_headers(const char *buf, size_t len)
{
    size_t body;
    struct mail_headers *h = mail_headers_parse(buf, len, &body);
    CHECK(h != NULL);
    CHECK(body <= len);
    size_t n = mail_headers_count(h);
    CHECK(n <= len);
    for (size_t i = 0; i < n; i++) {
        const struct mail_header *f = mail_headers_at(h, i);
        CHECK(f && f->name && f->value);
        size_t nl = strlen(f->name);
        CHECK(nl > 0);
        for (size_t j = 0; j < nl; j++)
            CHECK(f->name[j] > ' ' && f->name[j] < 0x7f && f->name[j] != ':');
        CHECK(mail_headers_get(h, f->name) != NULL);
        /* only the first few: the per-value checks dominate the time */
        if (i < 8)
            check_value(f->value);
    }
    CHECK(mail_headers_at(h, n) == NULL);
    mail_headers_free(&h);
    CHECK(h == NULL);
}

/* The first byte picks a charset, the rest is converted. */
static void check_charset(const char *buf, size_t len)
{
    static const char *const charsets[] = {
        NULL,        "utf-8",    "iso-8859-1",    "koi8-r", "iso-2022-jp",
        "shift_jis", "gb2312",   "big5",          "euc-kr", "ks_c_5601-1987",
        "utf-7",     "utf-16",   "x-bogus",       "euc-jp", "windows-1251",
        "gb18030",   "us-ascii", "iso-2022-jp-3", "utf-32", "",
    };
    if (len == 0)
        return;
    const char *cs = charsets[(unsigned char)buf[0] % PV_ARRAY_LEN(charsets)];
    struct pv_buf out;
    pv_buf_init(&out, 0);
    enum mail_status st = mail_charset_to_utf8(cs, buf + 1, len - 1, &out);
    CHECK(st == MAIL_OK || st == MAIL_ERR_CHARSET);
    CHECK(mail_utf8_valid(out.data, out.len));
    pv_buf_free(&out);

    char *legacy = mail_utf8_or_legacy(buf, len);
    check_utf8_string(legacy);
    free(legacy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *buf = (const char *)data;
    check_headers(buf, size);
    check_charset(buf, size);

    /* The input as one raw value (up to its first NUL). */
    char *s = pv_xstrndup(buf, size);
    check_value(s);
    free(s);

    check_sanitized(buf, size, 0);
    check_sanitized(buf, size, MAIL_SANITIZE_KEEP_NEWLINES | MAIL_SANITIZE_KEEP_TABS);
    return 0;
}
