/*
 * libFuzzer harness for the last steps before server text reaches a
 * screen: mail_sanitize (src/mail/sanitize.c) with every combination of
 * its flags, pv_error_set_server (src/util/error.c, the server's words in
 * an error message), and the column fitting of the text summary
 * (cli_text_fit in src/cli/text_width.c).  Checked per input:
 *  - sanitized output is valid UTF-8 and holds no C0 control (but the TAB
 *    and LF its flags keep), no DEL, no C1 control, no bidi override or
 *    isolate and no zero-width character;
 *  - sanitizing is idempotent: the output sanitized again is unchanged;
 *  - with a capped buffer the output is a prefix of the uncapped one, cut
 *    at a character boundary;
 *  - pv_error_set_server keeps no C0 control or DEL;
 *  - a one-line field fitted to N columns takes exactly N columns.
 *
 * Input layout: byte 0 picks the column count (0-63) and the cap; the
 * rest is the text.  The only global state is LC_CTYPE, set once to
 * C.UTF-8 so that wcwidth() measures as popview does.
 *
 * Built by meson with -Dfuzz=true (tests/fuzz/meson.build, README.md):
 *   build-fuzz/tests/fuzz/fuzz_sanitize -dict=tests/fuzz/sanitize.dict \
 *     -max_len=4096 -max_total_time=60 CORPUS-COPY tests/fuzz/corpus/fuzz_sanitize
 */
#include <locale.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <popview/util.h>

#include <popview/mail.h>

#include "cli.h"
#include "src/mail/private.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond))                                                                               \
            __builtin_trap();                                                                      \
    } while (0)

enum { FLAG_COMBINATIONS = 8 };

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    CHECK(setlocale(LC_CTYPE, "C.UTF-8") != NULL);
    return 0;
}

static bool is_unsafe(uint32_t cp, unsigned flags)
{
    bool one = flags & MAIL_SANITIZE_ONE_LINE;
    if (cp == '\t')
        return one || !(flags & MAIL_SANITIZE_KEEP_TABS);
    if (cp == '\n')
        return one || !(flags & MAIL_SANITIZE_KEEP_NEWLINES);
    return cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f) ||
           (cp >= 0x200b && cp <= 0x200f) || (cp >= 0x202a && cp <= 0x202e) || cp == 0x2060 ||
           (cp >= 0x2066 && cp <= 0x2069) || cp == 0x061c || cp == 0xfeff;
}

static void check_safe(const struct pv_buf *out, unsigned flags)
{
    CHECK(mail_utf8_valid(out->data, out->len));
    for (size_t i = 0; i < out->len;) {
        uint32_t cp;
        size_t n = mail_utf8_next(out->data + i, out->len - i, &cp);
        CHECK(cp != MAIL_UTF8_INVALID && !is_unsafe(cp, flags));
        i += n;
    }
}

static void check_sanitize(const char *in, size_t len, unsigned flags, size_t cap)
{
    struct pv_buf out, again, capped;
    pv_buf_init(&out, 0);
    pv_buf_init(&again, 0);
    pv_buf_init(&capped, cap);
    mail_sanitize(in, len, flags, &out);
    check_safe(&out, flags);

    mail_sanitize(out.data, out.len, flags, &again);
    CHECK(again.len == out.len && (out.len == 0 || memcmp(again.data, out.data, out.len) == 0));

    mail_sanitize(in, len, flags, &capped);
    CHECK(capped.len <= cap && capped.len <= out.len);
    CHECK(capped.len == 0 || memcmp(capped.data, out.data, capped.len) == 0);
    CHECK(mail_utf8_valid(capped.data, capped.len));

    pv_buf_free(&out);
    pv_buf_free(&again);
    pv_buf_free(&capped);
}

static void check_error_server(const char *in, size_t len)
{
    struct pv_error err;
    pv_error_clear(&err);
    pv_error_set_server(&err, in, len);
    size_t n = strlen(err.server);
    CHECK(n < sizeof err.server && n <= len);
    for (size_t i = 0; i < n; i++)
        CHECK((unsigned char)err.server[i] >= 0x20 && err.server[i] != 0x7f);
}

/* The text summary's From column: sanitized to one line, then fitted. */
static void check_fit(const char *in, size_t len, size_t cols)
{
    struct pv_buf line, fitted;
    pv_buf_init(&line, 0);
    pv_buf_init(&fitted, 0);
    mail_sanitize(in, len, MAIL_SANITIZE_ONE_LINE, &line);
    /* A NUL became "^@", so the line is one C string. */
    CHECK(strlen(line.data ? line.data : "") == line.len);
    cli_text_fit(line.data ? line.data : "", cols, &fitted);
    CHECK(mail_utf8_valid(fitted.data, fitted.len));
    CHECK(cli_text_columns(fitted.data ? fitted.data : "") == cols);
    pv_buf_free(&line);
    pv_buf_free(&fitted);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    size_t cols = data[0] & 63;
    size_t cap = (size_t)data[0] * 3 + 1;
    const char *in = (const char *)data + 1;
    size_t len = size - 1;
    for (unsigned flags = 0; flags < FLAG_COMBINATIONS; flags++)
        check_sanitize(in, len, flags, cap);
    check_error_server(in, len);
    check_fit(in, len, cols);
    return 0;
}
