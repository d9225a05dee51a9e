/*
 * libFuzzer harness for the POP3 response parser (src/pop3/reply_parser.c).
 * Beyond memory errors it checks the parser's promises, so a wrong answer
 * is a crash too:
 *  - the same bytes give the same events fed in one piece, one byte at a
 *    time, split at points the fuzzer chooses, and with the callback
 *    stopping every few events and the rest fed again (DATA compared per
 *    line, as the chunking may differ);
 *  - no DATA chunk is longer than POP3_DATA_CHUNK_MAX, no status line longer
 *    than the maximum, text and code lie inside raw, no status arrives in
 *    the middle of a data line;
 *  - consumed never exceeds the input; an error repeats on the next feed.
 *
 * Input layout: byte 0 picks max_status_line (default, or 1..128 to reach
 * the limit), bytes 1-4 give up to 16 expectations (2 bits each; 3 ends
 * the list), byte 5 the number of cut points (low 5 bits, 0-31), byte 6
 * how often the callback stops; then two bytes (little endian, taken
 * modulo the length) per cut point, where the server's bytes are split
 * into separate feeds, as reads from a socket would split them; the rest
 * is what the server sends.  Each input is fed whole, one byte at a time
 * (inputs up to BYTEWISE_MAX), cut at the chosen points, and whole with a
 * stopping callback; all four must agree.  When the queue runs dry with
 * bytes left, the harness queues one more expectation (as an engine would
 * after sending the next command), up to a limit.  No global state.
 *
 * Built by meson with -Dfuzz=true (tests/fuzz/meson.build, README.md):
 *   CC=clang meson setup build-fuzz -Dfuzz=true && ninja -C build-fuzz fuzz
 *   build-fuzz/tests/fuzz/fuzz_reply_parser -dict=tests/fuzz/reply_parser.dict \
 *     -max_len=65536 -max_total_time=60 CORPUS-COPY tests/fuzz/corpus/fuzz_reply_parser
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

enum { HEADER = 7, MAX_CUTS = 31, BYTEWISE_MAX = 16384, MAX_EXTRA_EXPECTATIONS = 64 };

struct setup {
    size_t max_status_line; /* as given to pop3_parser_new */
    size_t effective_max;
    enum pop3_reply_kind kinds[16];
    size_t nkinds;
    size_t cuts[MAX_CUTS + 1]; /* rising offsets into input, the last is len */
    size_t ncuts;
    size_t stop_every;
    const char *input;
    size_t len;
};

/* Everything one run observed, as bytes, so two runs compare with memcmp. */
struct run {
    const struct setup *s;
    struct pop3_parser *p;
    struct pv_buf log;
    struct pv_buf line; /* DATA of the current line */
    bool in_line;
    size_t events;
    size_t stop_every; /* 0: never stop */
    size_t extra;      /* expectations the harness added */
};

static void log_bytes(struct run *r, char tag, const char *s, size_t len)
{
    CHECK(pv_buf_append_byte(&r->log, tag));
    CHECK(pv_buf_append(&r->log, &len, sizeof len));
    CHECK(pv_buf_append(&r->log, s, len));
}

static bool inside(const char *part, size_t part_len, const char *whole, size_t whole_len)
{
    return part >= whole && part_len <= whole_len &&
           part - whole <= (ptrdiff_t)(whole_len - part_len);
}

static void on_line_event(struct run *r, const struct pop3_event *ev)
{
    CHECK(!r->in_line);
    CHECK(ev->raw != NULL && ev->text != NULL);
    CHECK(ev->raw_len <= r->s->effective_max);
    CHECK(inside(ev->text, ev->len, ev->raw, ev->raw_len));
    CHECK(memchr(ev->raw, '\n', ev->raw_len) == NULL);
    if (ev->kind == POP3_EV_CONTINUE) {
        CHECK(ev->raw[0] == '+');
        log_bytes(r, 'C', ev->raw, ev->raw_len);
        log_bytes(r, 'c', ev->text, ev->len);
        return;
    }
    CHECK(ev->ok ? memcmp(ev->raw, "+OK", 3) == 0 : memcmp(ev->raw, "-ERR", 4) == 0);
    if (ev->code != POP3_CODE_NONE) {
        CHECK(ev->code_text != NULL && ev->code_len > 0);
        CHECK(inside(ev->code_text - 1, ev->code_len + 2, ev->raw, ev->raw_len));
        CHECK(ev->code_text[-1] == '[' && ev->code_text[ev->code_len] == ']');
        CHECK(pop3_resp_code_from_text(ev->code_text, ev->code_len) == ev->code);
        log_bytes(r, 'K', ev->code_text, ev->code_len);
    } else {
        CHECK(ev->code_text == NULL && ev->code_len == 0);
    }
    log_bytes(r, ev->ok ? 'O' : 'E', ev->raw, ev->raw_len);
    log_bytes(r, 't', ev->text, ev->len);
}

static bool on_event(void *ctx, const struct pop3_event *ev)
{
    struct run *r = ctx;
    r->events++;
    switch (ev->kind) {
    case POP3_EV_STATUS:
    case POP3_EV_CONTINUE:
        on_line_event(r, ev);
        break;
    case POP3_EV_DATA:
        CHECK(ev->len <= POP3_DATA_CHUNK_MAX);
        CHECK(ev->len == 0 || ev->text != NULL);
        CHECK(pv_buf_append(&r->line, ev->text, ev->len));
        r->in_line = !ev->line_end;
        if (ev->line_end) {
            log_bytes(r, 'D', r->line.data, r->line.len);
            pv_buf_reset(&r->line);
        }
        break;
    case POP3_EV_END:
        CHECK(!r->in_line);
        log_bytes(r, '.', "", 0);
        break;
    }
    return !(r->stop_every && r->events % r->stop_every == 0);
}

/* Feeds one piece to the end, handling stops and a dry queue the same way
 * in every run.  Returns false once the parser failed. */
static bool feed_piece(struct run *r, const char *buf, size_t len)
{
    while (true) {
        size_t consumed = (size_t)-1;
        struct pv_error err;
        pv_error_clear(&err);
        enum pop3_parse_status st = pop3_parser_feed(r->p, buf, len, &consumed, on_event, r, &err);
        CHECK(consumed <= len);
        if (st == POP3_PARSE_ERROR) {
            CHECK(err.msg[0] != '\0');
            log_bytes(r, 'X', err.msg, strlen(err.msg));
            /* The parser is dead: the same error again, nothing consumed. */
            struct pv_error again;
            pv_error_clear(&again);
            CHECK(pop3_parser_feed(r->p, "+OK\r\n", 5, &consumed, on_event, r, &again) ==
                  POP3_PARSE_ERROR);
            CHECK(consumed == 0 && strcmp(again.msg, err.msg) == 0);
            return false;
        }
        buf += consumed;
        len -= consumed;
        if (len == 0)
            return true;
        if (st == POP3_PARSE_ABORTED)
            continue;
        CHECK(st == POP3_PARSE_OK);
        CHECK(pop3_parser_pending(r->p) == 0 && !pop3_parser_in_reply(r->p));
        if (r->extra == MAX_EXTRA_EXPECTATIONS) {
            /* Where it stopped, not what is left of this piece. */
            size_t at = (size_t)(buf - r->s->input);
            log_bytes(r, 'U', (const char *)&at, sizeof at);
            return false;
        }
        enum pop3_reply_kind kind = (enum pop3_reply_kind)(r->extra++ % 3);
        pop3_parser_expect(r->p, kind);
        log_bytes(r, 'Q', "", 0);
    }
}

static void run_init(struct run *r, const struct setup *s, size_t stop_every)
{
    memset(r, 0, sizeof *r);
    r->s = s;
    r->stop_every = stop_every;
    r->p = pop3_parser_new(s->max_status_line);
    for (size_t i = 0; i < s->nkinds; i++)
        pop3_parser_expect(r->p, s->kinds[i]);
    pv_buf_init(&r->log, 0);
    pv_buf_init(&r->line, 0);
}

/* What is still held at the end (a partial line) is part of the result. */
static void run_finish(struct run *r)
{
    CHECK(pv_buf_printf(&r->log, "end pending=%zu in_reply=%d line=%zu", pop3_parser_pending(r->p),
                        pop3_parser_in_reply(r->p), r->line.len));
}

/* Feeds [0, ends[0]), [ends[0], ends[1]), ... up to the last end, which is
 * the input's length; stops early when the parser failed. */
static void run_ends(struct run *r, const size_t *ends, size_t nends)
{
    size_t pos = 0;
    for (size_t i = 0; i < nends && pos < r->s->len; i++) {
        if (ends[i] <= pos)
            continue;
        if (!feed_piece(r, r->s->input + pos, ends[i] - pos))
            break;
        pos = ends[i];
    }
    run_finish(r);
}

static void run_bytewise(struct run *r)
{
    for (size_t pos = 0; pos < r->s->len; pos++)
        if (!feed_piece(r, r->s->input + pos, 1))
            break;
    run_finish(r);
}

static void run_free(struct run *r)
{
    pop3_parser_free(&r->p);
    CHECK(r->p == NULL);
    pv_buf_free(&r->log);
    pv_buf_free(&r->line);
}

static int size_cmp(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return x < y ? -1 : x > y;
}

static bool read_setup(struct setup *s, const uint8_t *data, size_t size)
{
    if (size < HEADER)
        return false;
    memset(s, 0, sizeof *s);
    s->max_status_line = data[0] < 128 ? 0 : (size_t)(data[0] - 127);
    s->effective_max = s->max_status_line ? s->max_status_line : POP3_DEFAULT_MAX_STATUS_LINE;
    for (size_t i = 0; i < 16; i++) {
        unsigned k = (data[1 + i / 4] >> (2 * (i % 4))) & 3;
        if (k == 3)
            break;
        s->kinds[s->nkinds++] = (enum pop3_reply_kind)k;
    }
    size_t ncuts = data[5] & MAX_CUTS;
    s->stop_every = data[6] % 8;
    if (size - HEADER < 2 * ncuts)
        return false;
    const uint8_t *cut = data + HEADER;
    s->input = (const char *)cut + 2 * ncuts;
    s->len = size - HEADER - 2 * ncuts;
    for (size_t i = 0; i < ncuts; i++)
        s->cuts[i] = ((size_t)cut[2 * i] | (size_t)cut[2 * i + 1] << 8) % (s->len + 1);
    s->cuts[ncuts] = s->len;
    s->ncuts = ncuts + 1;
    qsort(s->cuts, s->ncuts, sizeof s->cuts[0], size_cmp);
    return true;
}

static void check_same(const struct run *a, const struct run *b)
{
    CHECK(a->log.len == b->log.len);
    CHECK(a->log.len == 0 || memcmp(a->log.data, b->log.data, a->log.len) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct setup s;
    if (!read_setup(&s, data, size))
        return 0;
    CHECK(pop3_resp_code_from_text(s.input, s.len) <= POP3_CODE_OTHER);

    struct run whole, other;
    run_init(&whole, &s, 0);
    run_ends(&whole, &s.len, 1);
    if (s.len <= BYTEWISE_MAX) {
        run_init(&other, &s, 0);
        run_bytewise(&other);
        check_same(&whole, &other);
        run_free(&other);
    }
    if (s.ncuts > 1) {
        run_init(&other, &s, 0);
        run_ends(&other, s.cuts, s.ncuts);
        check_same(&whole, &other);
        run_free(&other);
    }
    if (s.stop_every) {
        run_init(&other, &s, s.stop_every);
        run_ends(&other, &s.len, 1);
        check_same(&whole, &other);
        run_free(&other);
    }
    run_free(&whole);
    return 0;
}
