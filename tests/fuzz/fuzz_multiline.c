/*
 * libFuzzer harness for the multi-line path of the POP3 response parser
 * (src/pop3/reply_parser.c): dot-stuffing undone (RFC 1939 section 3),
 * the terminating ".", CRLF or bare LF line ends, long lines in chunks.
 * It is a round trip with an exact oracle: the fuzzer's bytes are a
 * message; the harness dot-stuffs it as a server would, wraps it in
 * "+OK" ... "." and a following single-line reply, feeds that to the
 * parser split at points the fuzzer chooses, and checks that the data
 * lines that come out are exactly the message's lines, that the reply
 * ends once, and that the next reply is parsed as a reply.
 *
 * Glossary: a *line* of the message is what lies between two LFs; it may
 * hold any other byte, CR and NUL included.  With bare LF line ends a CR
 * just before the LF is read as part of the line end (pop3.h: the CR is
 * then absent), so the oracle drops one trailing CR in that mode.
 *
 * Input layout: byte 0 bit 0 picks bare LF line ends, bits 1-5 the number
 * of cut points (0-31); then two bytes per cut point (little endian,
 * modulo the wire length); the rest is the message.  No global state.
 *
 * Built by meson with -Dfuzz=true (tests/fuzz/meson.build, README.md):
 *   build-fuzz/tests/fuzz/fuzz_multiline -dict=tests/fuzz/reply_parser.dict \
 *     -max_len=65536 -max_total_time=60 CORPUS-COPY tests/fuzz/corpus/fuzz_multiline
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <popview/util.h>

#include <popview/pop3.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond))                                                                               \
            __builtin_trap();                                                                      \
    } while (0)

enum { MAX_CUTS = 31, BYTEWISE_MAX = 8192 };

static const char STATUS_LINE[] = "+OK message follows";
static const char NEXT_LINE[] = "+OK next reply";

/* What the parser should report, and what it did: one byte string each,
 * a tag byte and the length before every event's bytes. */
static void log_event(struct pv_buf *log, char tag, const char *s, size_t len)
{
    CHECK(pv_buf_append_byte(log, tag));
    CHECK(pv_buf_append(log, &len, sizeof len));
    CHECK(pv_buf_append(log, s, len));
}

/* The wire form of msg and, in want, the events it must give. */
static void encode(const char *msg, size_t len, bool bare_lf, struct pv_buf *wire,
                   struct pv_buf *want)
{
    const char *eol = bare_lf ? "\n" : "\r\n";
    CHECK(pv_buf_printf(wire, "%s%s", STATUS_LINE, eol));
    log_event(want, 'S', STATUS_LINE, strlen(STATUS_LINE));
    size_t pos = 0;
    while (pos < len) {
        const char *lf = memchr(msg + pos, '\n', len - pos);
        size_t n = lf ? (size_t)(lf - (msg + pos)) : len - pos;
        const char *line = msg + pos;
        if (n > 0 && line[0] == '.')
            CHECK(pv_buf_append_byte(wire, '.'));
        CHECK(pv_buf_append(wire, line, n));
        CHECK(pv_buf_append_str(wire, eol));
        size_t keep = bare_lf && n > 0 && line[n - 1] == '\r' ? n - 1 : n;
        log_event(want, 'D', line, keep);
        pos += n + (lf != NULL);
    }
    CHECK(pv_buf_printf(wire, ".%s%s%s", eol, NEXT_LINE, eol));
    log_event(want, '.', "", 0);
    log_event(want, 'S', NEXT_LINE, strlen(NEXT_LINE));
}

struct run {
    struct pop3_parser *p;
    struct pv_buf got;
    struct pv_buf line; /* DATA chunks of the current line */
    bool in_line;
};

static bool on_event(void *ctx, const struct pop3_event *ev)
{
    struct run *r = ctx;
    switch (ev->kind) {
    case POP3_EV_STATUS:
        CHECK(!r->in_line && ev->ok);
        log_event(&r->got, 'S', ev->raw, ev->raw_len);
        break;
    case POP3_EV_CONTINUE:
        CHECK(false); /* no SASL reply is expected */
        break;
    case POP3_EV_DATA:
        CHECK(ev->len <= POP3_DATA_CHUNK_MAX);
        CHECK(ev->len == 0 || ev->text != NULL);
        CHECK(pv_buf_append(&r->line, ev->text, ev->len));
        r->in_line = !ev->line_end;
        if (ev->line_end) {
            log_event(&r->got, 'D', r->line.data, r->line.len);
            pv_buf_reset(&r->line);
        }
        break;
    case POP3_EV_END:
        CHECK(!r->in_line);
        log_event(&r->got, '.', "", 0);
        break;
    }
    return true;
}

/* Feeds wire in the pieces that end at ends[0..n-1] (the last is its
 * length) and checks the events against want. */
static void run_check(const struct pv_buf *wire, const size_t *ends, size_t n,
                      const struct pv_buf *want)
{
    struct run r = {.p = pop3_parser_new(0)};
    pv_buf_init(&r.got, 0);
    pv_buf_init(&r.line, 0);
    pop3_parser_expect(r.p, POP3_REPLY_MULTI);
    pop3_parser_expect(r.p, POP3_REPLY_SINGLE);
    size_t pos = 0;
    for (size_t i = 0; i < n; i++) {
        if (ends[i] <= pos)
            continue;
        size_t consumed = 0;
        struct pv_error err;
        pv_error_clear(&err);
        enum pop3_parse_status st =
            pop3_parser_feed(r.p, wire->data + pos, ends[i] - pos, &consumed, on_event, &r, &err);
        CHECK(st == POP3_PARSE_OK);
        CHECK(consumed == ends[i] - pos);
        pos = ends[i];
    }
    CHECK(pos == wire->len);
    CHECK(pop3_parser_pending(r.p) == 0 && !pop3_parser_in_reply(r.p));
    CHECK(r.got.len == want->len && memcmp(r.got.data, want->data, want->len) == 0);
    pop3_parser_free(&r.p);
    pv_buf_free(&r.got);
    pv_buf_free(&r.line);
}

static int size_cmp(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return x < y ? -1 : x > y;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    bool bare_lf = data[0] & 1;
    size_t ncuts = (data[0] >> 1) & MAX_CUTS;
    if (size - 1 < 2 * ncuts)
        return 0;
    const uint8_t *cut = data + 1;
    const char *msg = (const char *)data + 1 + 2 * ncuts;
    size_t len = size - 1 - 2 * ncuts;

    struct pv_buf wire, want;
    pv_buf_init(&wire, 0);
    pv_buf_init(&want, 0);
    encode(msg, len, bare_lf, &wire, &want);

    run_check(&wire, &wire.len, 1, &want);

    size_t ends[MAX_CUTS + 1];
    for (size_t i = 0; i < ncuts; i++)
        ends[i] = ((size_t)cut[2 * i] | (size_t)cut[2 * i + 1] << 8) % (wire.len + 1);
    ends[ncuts] = wire.len;
    qsort(ends, ncuts + 1, sizeof ends[0], size_cmp);
    run_check(&wire, ends, ncuts + 1, &want);

    if (wire.len <= BYTEWISE_MAX) {
        size_t *each = pv_xcalloc(wire.len, sizeof *each);
        for (size_t i = 0; i < wire.len; i++)
            each[i] = i + 1;
        run_check(&wire, each, wire.len, &want);
        free(each);
    }
    pv_buf_free(&wire);
    pv_buf_free(&want);
    return 0;
}
