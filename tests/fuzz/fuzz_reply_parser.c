/*
 * libFuzzer harness for the POP3 response parser (src/pop3/reply_parser.c).
 * Beyond memory errors it checks the parser's promises, so a wrong answer
 * is a crash too:
 *  - the same bytes give the same events fed in one piece, in pieces of a
 *    fuzzed size, and with the callback stopping every few events and the
 *    rest fed again (DATA compared per line, as the chunking may differ);
 *  - no DATA chunk is longer than POP3_DATA_CHUNK_MAX, no status line longer
 *    than the maximum, text and code lie inside raw, no status arrives in
 *    the middle of a data line;
 *  - consumed never exceeds the input; an error repeats on the next feed.
 *
 * Input layout: byte 0 picks max_status_line (default, or 1..128 to reach
 * the limit), bytes 1-4 give up to 16 expectations (2 bits each; 3 ends
 * the list), byte 5 the piece size (0: one byte at a time), byte 6 how
 * often the callback stops; the rest is what the server sends.  When the
 * queue runs dry with bytes left, the harness queues one more expectation
 * (as an engine would after sending the next command), up to a limit.
 * No global state.
 *
 * Not built by meson.  Build and run (from the source root):
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE -Iinclude \
 *     tests/fuzz/fuzz_reply_parser.c src/pop3/reply_parser.c src/util/alloc.c \
 *     src/util/buf.c src/util/error.c src/util/parse.c -o fuzz_reply_parser
 *   mkdir -p corpus && ./fuzz_reply_parser -dict=tests/fuzz/reply_parser.dict \
 *     -max_len=65536 -max_total_time=60 corpus
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

enum { HEADER = 7, MAX_EXTRA_EXPECTATIONS = 64 };

struct setup {
    size_t max_status_line; /* as given to pop3_parser_new */
    size_t effective_max;
    enum pop3_reply_kind kinds[16];
    size_t nkinds;
    size_t piece; /* 0: one byte at a time */
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

static void run_all(struct run *r, size_t piece)
{
    size_t pos = 0;
    while (pos < r->s->len) {
        size_t n = piece ? piece : 1;
        if (n > r->s->len - pos)
            n = r->s->len - pos;
        if (!feed_piece(r, r->s->input + pos, n))
            break;
        pos += n;
    }
    /* What is still held at the end (a partial line) is part of the result. */
    CHECK(pv_buf_printf(&r->log, "end pending=%zu in_reply=%d line=%zu", pop3_parser_pending(r->p),
                        pop3_parser_in_reply(r->p), r->line.len));
}

static void run_free(struct run *r)
{
    pop3_parser_free(&r->p);
    CHECK(r->p == NULL);
    pv_buf_free(&r->log);
    pv_buf_free(&r->line);
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
    s->piece = data[5];
    s->stop_every = data[6] % 8;
    s->input = (const char *)data + HEADER;
    s->len = size - HEADER;
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

    struct run whole, pieces, stopped;
    run_init(&whole, &s, 0);
    run_all(&whole, s.len ? s.len : 1);
    run_init(&pieces, &s, 0);
    run_all(&pieces, s.piece);
    check_same(&whole, &pieces);
    if (s.stop_every) {
        run_init(&stopped, &s, s.stop_every);
        run_all(&stopped, s.len ? s.len : 1);
        check_same(&whole, &stopped);
        run_free(&stopped);
    }
    run_free(&whole);
    run_free(&pieces);
    return 0;
}
