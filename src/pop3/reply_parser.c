/*
 * The POP3 response parser: bytes in, events out, no I/O.  It keeps its own
 * position in an explicit state (enum parser_state), so any split of the
 * input gives the same events.  Data lines pass through a fixed buffer of
 * POP3_DATA_CHUNK_MAX bytes, so even DATA chunks are cut at the same places
 * (every POP3_DATA_CHUNK_MAX bytes of a line) whatever the split; callers
 * should still not rely on that.
 *
 * Glossary:
 *  - expectation: the kind of reply the next command will get (single,
 *    multi-line, SASL); the caller queues one per command sent, so
 *    pipelined commands queue several (RFC 2449 section 6.6).
 *  - status line: "+OK ..." or "-ERR ...", collected whole (capped) so the
 *    callback sees it in one piece.
 *  - data line: a line of a multi-line reply after +OK; streamed through a
 *    fixed buffer, dot-unstuffed (RFC 1939 section 3).
 *  - bad line: a line where a status was expected that cannot be one; we
 *    keep its first BAD_LINE_QUOTE_MAX bytes only, to quote them.
 *  - binary byte: a C0 control other than CR and TAB; no status holds one.
 *
 * Event pointers (text, code_text, raw) point into the parser and are valid
 * only during the callback.  The callback may call pop3_parser_expect.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <popview/util.h>

#include <popview/pop3.h>

#include <popview/i18n.h>

enum parser_state {
    PS_IDLE,        /* between replies: the next byte starts a status line */
    PS_STATUS,      /* inside a status or continuation line */
    PS_DATA_BOL,    /* at the beginning of a data line */
    PS_DATA_DOT,    /* a data line began with "." */
    PS_DATA_DOT_CR, /* "." then CR: the terminator if LF follows */
    PS_DATA,        /* inside a data line */
    PS_DATA_CR,     /* a CR inside a data line: data unless LF follows */
    PS_FAILED,      /* a protocol violation was seen; nothing more is parsed */
};

/* How many bytes decide whether a line can be a status: "-ERR" followed by a
 * space, or by CR which must then be followed by LF. */
enum { STATUS_PREFIX_DECIDED = 6, BAD_LINE_QUOTE_MAX = 64 };

struct pop3_parser {
    enum parser_state state;
    size_t max_status_line;
    struct pv_buf line; /* the status line so far (its CR included) */
    bool line_bad;      /* the line cannot be a status or continuation */
    /* FIFO of enum pop3_reply_kind, a ring buffer. */
    unsigned char *queue;
    size_t q_head, q_count, q_alloc;
    char chunk[POP3_DATA_CHUNK_MAX];
    size_t chunk_len;
    struct pv_error failure; /* repeated by every feed after a failure */
};

/* One call of pop3_parser_feed: the input and where the events go. */
struct feed {
    const char *buf;
    size_t len;
    size_t pos;
    pop3_event_fn fn;
    void *ctx;
    struct pv_error *err;
};

enum step { STEP_GO, STEP_ABORT, STEP_FAIL };

struct pop3_parser *pop3_parser_new(size_t max_status_line)
{
    struct pop3_parser *p = pv_xcalloc(1, sizeof *p);
    p->state = PS_IDLE;
    p->max_status_line = max_status_line ? max_status_line : POP3_DEFAULT_MAX_STATUS_LINE;
    /* Keeps max + 2 (the CR, one byte past the limit) from overflowing. */
    if (p->max_status_line > SIZE_MAX / 2)
        p->max_status_line = SIZE_MAX / 2;
    /* line_limit() bounds the line; the buffer's own cap is a safety net. */
    size_t cap = p->max_status_line + 2;
    pv_buf_init(&p->line, cap > BAD_LINE_QUOTE_MAX + 1 ? cap : BAD_LINE_QUOTE_MAX + 1);
    pv_error_clear(&p->failure);
    return p;
}

void pop3_parser_free(struct pop3_parser **pp)
{
    if (!pp || !*pp)
        return;
    struct pop3_parser *p = *pp;
    /* Status lines and data may carry credentials (SASL challenges) or mail. */
    pv_buf_free_secret(&p->line);
    pv_wipe(p->chunk, sizeof p->chunk);
    free(p->queue);
    free(p);
    *pp = NULL;
}

/* ---- the expectation queue ------------------------------------------- */

void pop3_parser_expect(struct pop3_parser *p, enum pop3_reply_kind kind)
{
    if (p->q_count == p->q_alloc) {
        size_t n = p->q_alloc ? p->q_alloc * 2 : 16;
        unsigned char *q = pv_xmalloc(n);
        for (size_t i = 0; i < p->q_count; i++)
            q[i] = p->queue[(p->q_head + i) % p->q_alloc];
        free(p->queue);
        p->queue = q;
        p->q_head = 0;
        p->q_alloc = n;
    }
    p->queue[(p->q_head + p->q_count) % p->q_alloc] = (unsigned char)kind;
    p->q_count++;
}

size_t pop3_parser_pending(const struct pop3_parser *p)
{
    return p->q_count;
}

/* Between a SASL continuation and the client's answer no reply bytes are
 * outstanding, so that counts as outside a reply. */
bool pop3_parser_in_reply(const struct pop3_parser *p)
{
    return p->state != PS_IDLE && p->state != PS_FAILED;
}

static enum pop3_reply_kind queue_head(const struct pop3_parser *p)
{
    return (enum pop3_reply_kind)p->queue[p->q_head];
}

static void queue_pop(struct pop3_parser *p)
{
    p->q_head = (p->q_head + 1) % p->q_alloc;
    p->q_count--;
}

/* ---- response codes (RFC 2449 section 8) ------------------------------ */

static const struct {
    const char *name;
    enum pop3_resp_code code;
} known_codes[] = {
    {"IN-USE", POP3_CODE_IN_USE},     {"LOGIN-DELAY", POP3_CODE_LOGIN_DELAY},
    {"SYS/TEMP", POP3_CODE_SYS_TEMP}, {"SYS/PERM", POP3_CODE_SYS_PERM},
    {"AUTH", POP3_CODE_AUTH},         {"UTF8", POP3_CODE_UTF8},
};

/* Accepts the code with or without its brackets.  RFC 2449 section 8:
 * "Clients MUST ignore unknown hierarchical detail about the response
 * code", so "SYS/TEMP/QUOTA" is SYS/TEMP. */
enum pop3_resp_code pop3_resp_code_from_text(const char *text, size_t len)
{
    if (!text || len == 0)
        return POP3_CODE_NONE;
    if (len >= 2 && text[0] == '[' && text[len - 1] == ']') {
        text++;
        len -= 2;
    }
    for (size_t i = 0; i < PV_ARRAY_LEN(known_codes); i++) {
        size_t n = strlen(known_codes[i].name);
        if (len >= n && pv_ascii_nieq(text, known_codes[i].name, n) && (len == n || text[n] == '/'))
            return known_codes[i].code;
    }
    return POP3_CODE_OTHER;
}

/* resp-code = resp-level *("/" resp-level); resp-level = 1*rchar;
 * rchar = %x21-2E / %x30-5C / %x5E-7F (RFC 2449 section 9). */
static bool is_resp_code(const char *s, size_t len)
{
    size_t level_len = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '/') {
            if (level_len == 0)
                return false;
            level_len = 0;
        } else if (c >= 0x21 && c <= 0x7f && c != ']') {
            level_len++;
        } else {
            return false;
        }
    }
    return level_len > 0;
}

/* Splits the text after "+OK " / "-ERR " into an optional "[code]" and the
 * rest.  A "[" without a well-formed code and "]" stays text. */
static void split_resp_code(struct pop3_event *ev)
{
    const char *t = ev->text;
    if (ev->len < 2 || t[0] != '[')
        return;
    const char *close = memchr(t, ']', ev->len);
    if (!close || !is_resp_code(t + 1, (size_t)(close - t) - 1))
        return;
    ev->code_text = t + 1;
    ev->code_len = (size_t)(close - t) - 1;
    ev->code = pop3_resp_code_from_text(ev->code_text, ev->code_len);
    size_t rest = (size_t)(close - t) + 1;
    if (rest < ev->len && t[rest] == ' ')
        rest++;
    ev->text = t + rest;
    ev->len -= rest;
}

/* ---- failures --------------------------------------------------------- */

static enum step fail(struct pop3_parser *p, struct feed *f, const char *server, size_t server_len,
                      const char *fmt, ...) PV_PRINTF(5, 6);

static enum step fail(struct pop3_parser *p, struct feed *f, const char *server, size_t server_len,
                      const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    pv_error_vset(&p->failure, fmt, ap);
    va_end(ap);
    pv_error_set_server(&p->failure, server, server_len);
    p->state = PS_FAILED;
    if (f->err)
        *f->err = p->failure;
    return STEP_FAIL;
}

/* A short printable excerpt for a message: controls and non-ASCII become
 * '?' so a hostile server cannot put escape sequences on the terminal. */
static void quote_excerpt(char *out, size_t out_size, const char *s, size_t len, bool cut)
{
    size_t o = 0;
    size_t i = 0;
    for (; i < len && o + 4 < out_size; i++) {
        unsigned char c = (unsigned char)s[i];
        out[o++] = (c < 0x20 || c >= 0x7f || c == '"') ? '?' : (char)c;
    }
    if ((cut || i < len) && o + 4 <= out_size) {
        memcpy(out + o, "...", 3);
        o += 3;
    }
    out[o] = '\0';
}

static enum step fail_not_pop3(struct pop3_parser *p, struct feed *f, const char *line, size_t len,
                               bool cut)
{
    /* A TLS record starts with its content type: 0x15 alert, 0x16
     * handshake.  The usual cause is plain POP3 to a POP3S port. */
    if (len > 0 && (line[0] == 0x15 || line[0] == 0x16))
        return fail(p, f, line, len,
                    _("the server's reply is not POP3 but TLS (it starts with byte 0x%02x): this "
                      "port expects TLS from the first byte (POP3S, usually port 995); connect "
                      "with TLS instead"),
                    (unsigned)(unsigned char)line[0]);
    char quoted[BAD_LINE_QUOTE_MAX + 4];
    quote_excerpt(quoted, sizeof quoted, line, len, cut);
    const char *wanted = queue_head(p) == POP3_REPLY_SASL
                             ? "+OK, -ERR or a SASL continuation \"+ \""
                             : "+OK or -ERR";
    return fail(p, f, line, len, _("the server's reply is not POP3: expected %s, got \"%s\""),
                wanted, quoted);
}

/* ---- status and continuation lines ------------------------------------ */

static bool emit(struct feed *f, const struct pop3_event *ev)
{
    return !f->fn || f->fn(f->ctx, ev);
}

/* Can a line starting with these bytes (no LF among them) still be word
 * followed by end of line or a space?  A CR right after the word may be the
 * start of CRLF. */
static bool could_be(const char *s, size_t len, const char *word)
{
    size_t wl = strlen(word);
    if (memcmp(s, word, len < wl ? len : wl) != 0)
        return false;
    if (len <= wl)
        return true;
    return s[wl] == ' ' || (s[wl] == '\r' && len == wl + 1);
}

static bool could_be_status(const struct pop3_parser *p)
{
    const char *s = p->line.data;
    size_t len = p->line.len;
    return could_be(s, len, "+OK") || could_be(s, len, "-ERR") ||
           (queue_head(p) == POP3_REPLY_SASL && could_be(s, len, "+"));
}

/* RFC 1939 section 3: status indicators are upper case, and RFC 2449
 * section 3 gives them exactly; we accept exactly "+OK" and "-ERR". */
static bool is_word_line(const char *s, size_t len, const char *word)
{
    size_t wl = strlen(word);
    return len >= wl && memcmp(s, word, wl) == 0 && (len == wl || s[wl] == ' ');
}

/* The text after the word and its space. */
static void set_text_after(struct pop3_event *ev, const char *s, size_t len, size_t wl)
{
    size_t skip = len > wl ? wl + 1 : wl;
    ev->text = s + skip;
    ev->len = len - skip;
}

/* A whole line (without its line end) where a status was expected. */
static enum step finish_status_line(struct pop3_parser *p, struct feed *f, const char *s,
                                    size_t len)
{
    struct pop3_event ev = {.raw = s, .raw_len = len};
    enum pop3_reply_kind kind = queue_head(p);
    if (is_word_line(s, len, "+OK") || is_word_line(s, len, "-ERR")) {
        ev.kind = POP3_EV_STATUS;
        ev.ok = s[0] == '+';
        set_text_after(&ev, s, len, ev.ok ? 3 : 4);
        split_resp_code(&ev);
        if (ev.ok && kind == POP3_REPLY_MULTI) {
            p->state = PS_DATA_BOL;
        } else {
            p->state = PS_IDLE;
            queue_pop(p);
        }
    } else if (kind == POP3_REPLY_SASL && is_word_line(s, len, "+")) {
        /* RFC 5034 section 4: continue-req = "+" SP [base64] CRLF; a bare
         * "+" is accepted too.  The exchange goes on until +OK or -ERR. */
        ev.kind = POP3_EV_CONTINUE;
        set_text_after(&ev, s, len, 1);
        p->state = PS_IDLE;
    } else {
        return fail_not_pop3(p, f, s, len, false);
    }
    return emit(f, &ev) ? STEP_GO : STEP_ABORT;
}

/* Bytes of the current line up to (not including) the next LF, or all. */
static size_t span_to_lf(const struct feed *f)
{
    const char *lf = memchr(f->buf + f->pos, '\n', f->len - f->pos);
    return lf ? (size_t)(lf - (f->buf + f->pos)) : f->len - f->pos;
}

static enum step status_line_too_long(struct pop3_parser *p, struct feed *f)
{
    return fail(p, f, p->line.data, p->line.len,
                _("the server sent a reply line longer than %zu bytes"), p->max_status_line);
}

/* How many bytes the line may hold: a status line its maximum plus the CR
 * of its CRLF, a bad line what we quote. */
static size_t line_limit(const struct pop3_parser *p)
{
    return p->line_bad ? BAD_LINE_QUOTE_MAX : p->max_status_line + 1;
}

static enum step check_line_limit(struct pop3_parser *p, struct feed *f)
{
    size_t len = p->line.len;
    size_t limit = line_limit(p);
    if (p->line_bad)
        return len > limit ? fail_not_pop3(p, f, p->line.data, limit, true) : STEP_GO;
    /* A full buffer is fine only if its last byte is the CR of CRLF. */
    if (len > limit || (len == limit && p->line.data[len - 1] != '\r'))
        return status_line_too_long(p, f);
    return STEP_GO;
}

/* A byte no text line holds: where a status was expected it means binary
 * data, and waiting for a line end would only delay the error. */
static bool is_binary_byte(char c)
{
    unsigned char u = (unsigned char)c;
    return u < 0x20 && u != '\r' && u != '\t';
}

static size_t span_to_binary(const char *s, size_t len)
{
    size_t i = 0;
    while (i < len && !is_binary_byte(s[i]))
        i++;
    return i;
}

/*
 * Collects a status line.  The first bytes go one at a time until they
 * decide whether this can be a status at all.  A line that cannot is kept
 * only up to BAD_LINE_QUOTE_MAX bytes and fails at its line end, there, or
 * at its first binary byte, so a binary blob (a TLS alert on a plain
 * connection) fails at once.  Every check is made as if bytes came one at a
 * time, so it triggers at the same byte whatever the split.
 */
static enum step step_status(struct pop3_parser *p, struct feed *f)
{
    size_t span = span_to_lf(f);
    if (span == 0) {
        f->pos++; /* the LF */
        size_t n = p->line.len;
        if (n > 0 && p->line.data[n - 1] == '\r')
            n--;
        enum step r = finish_status_line(p, f, p->line.data, n);
        if (r != STEP_FAIL)
            pv_buf_reset(&p->line);
        return r;
    }
    bool deciding = !p->line_bad && p->line.len < STATUS_PREFIX_DECIDED;
    size_t take = span;
    if (deciding) {
        take = 1;
    } else {
        /* One byte past the limit is enough to know it is exceeded. */
        size_t room = line_limit(p) + 1 - p->line.len;
        if (take > room)
            take = room;
        if (p->line_bad) {
            size_t b = span_to_binary(f->buf + f->pos, take);
            if (b < take)
                take = b + 1;
        }
    }
    if (!pv_buf_append(&p->line, f->buf + f->pos, take))
        return status_line_too_long(p, f); /* the cap is a safety net only */
    f->pos += take;
    if (deciding && !could_be_status(p))
        p->line_bad = true;
    /* Bytes that could start a status are never binary, so a binary byte
     * is always the last one taken. */
    if (p->line_bad && is_binary_byte(p->line.data[p->line.len - 1]))
        return fail_not_pop3(p, f, p->line.data, p->line.len, true);
    return check_line_limit(p, f);
}

static void begin_status_line(struct pop3_parser *p)
{
    pv_buf_reset(&p->line);
    p->line_bad = false;
    p->state = PS_STATUS;
}

/* ---- data lines (RFC 1939 section 3) ---------------------------------- */

static enum step emit_data(struct pop3_parser *p, struct feed *f, bool line_end)
{
    struct pop3_event ev = {
        .kind = POP3_EV_DATA, .text = p->chunk, .len = p->chunk_len, .line_end = line_end};
    if (line_end)
        p->state = PS_DATA_BOL;
    bool go = emit(f, &ev);
    p->chunk_len = 0;
    return go ? STEP_GO : STEP_ABORT;
}

static enum step end_multi_line(struct pop3_parser *p, struct feed *f)
{
    struct pop3_event ev = {.kind = POP3_EV_END};
    p->state = PS_IDLE;
    queue_pop(p);
    return emit(f, &ev) ? STEP_GO : STEP_ABORT;
}

static size_t span_to_line_char(const char *s, size_t len)
{
    size_t i = 0;
    while (i < len && s[i] != '\r' && s[i] != '\n')
        i++;
    return i;
}

/* Inside a data line: copy a run of ordinary bytes, or handle CR / LF.  A
 * full chunk is delivered before the next byte is taken, so a line of
 * exactly POP3_DATA_CHUNK_MAX bytes arrives as one chunk. */
static enum step step_data(struct pop3_parser *p, struct feed *f)
{
    char c = f->buf[f->pos];
    if (c == '\r') {
        f->pos++;
        p->state = PS_DATA_CR;
        return STEP_GO;
    }
    if (c == '\n') {
        f->pos++;
        return emit_data(p, f, true);
    }
    if (p->chunk_len == sizeof p->chunk)
        return emit_data(p, f, false);
    size_t run = span_to_line_char(f->buf + f->pos, f->len - f->pos);
    size_t room = sizeof p->chunk - p->chunk_len;
    size_t take = run < room ? run : room;
    memcpy(p->chunk + p->chunk_len, f->buf + f->pos, take);
    p->chunk_len += take;
    f->pos += take;
    return STEP_GO;
}

/* After a CR in a data line: LF ends the line; anything else makes the CR
 * data, and that byte is looked at again as part of the line. */
static enum step step_data_cr(struct pop3_parser *p, struct feed *f)
{
    if (f->buf[f->pos] == '\n') {
        f->pos++;
        return emit_data(p, f, true);
    }
    if (p->chunk_len == sizeof p->chunk)
        return emit_data(p, f, false);
    p->chunk[p->chunk_len++] = '\r';
    p->state = PS_DATA;
    return STEP_GO;
}

/* A data line that starts with "." either is the terminator "." or has the
 * dot removed (byte-stuffing, RFC 1939 section 3). */
static enum step step_data_dot(struct pop3_parser *p, struct feed *f)
{
    char c = f->buf[f->pos];
    if (c == '\n') {
        f->pos++;
        return end_multi_line(p, f);
    }
    if (c == '\r') {
        f->pos++;
        p->state = PS_DATA_DOT_CR;
        return STEP_GO;
    }
    p->state = PS_DATA;
    return STEP_GO;
}

static enum step step_data_dot_cr(struct pop3_parser *p, struct feed *f)
{
    if (f->buf[f->pos] == '\n') {
        f->pos++;
        return end_multi_line(p, f);
    }
    /* ".\rX": the dot was stuffing and the CR is data. */
    return step_data_cr(p, f);
}

static enum step step_data_bol(struct pop3_parser *p, struct feed *f)
{
    if (f->buf[f->pos] == '.') {
        f->pos++;
        p->state = PS_DATA_DOT;
    } else {
        p->state = PS_DATA;
    }
    return STEP_GO;
}

/* ---- feeding ---------------------------------------------------------- */

static enum step step(struct pop3_parser *p, struct feed *f)
{
    switch (p->state) {
    case PS_IDLE:
        begin_status_line(p);
        return STEP_GO;
    case PS_STATUS:
        return step_status(p, f);
    case PS_DATA_BOL:
        return step_data_bol(p, f);
    case PS_DATA_DOT:
        return step_data_dot(p, f);
    case PS_DATA_DOT_CR:
        return step_data_dot_cr(p, f);
    case PS_DATA:
        return step_data(p, f);
    case PS_DATA_CR:
        return step_data_cr(p, f);
    case PS_FAILED:
        break;
    }
    return STEP_FAIL;
}

enum pop3_parse_status pop3_parser_feed(struct pop3_parser *p, const char *buf, size_t len,
                                        size_t *consumed_out, pop3_event_fn fn, void *ctx,
                                        struct pv_error *err)
{
    struct feed f = {.buf = buf, .len = len, .pos = 0, .fn = fn, .ctx = ctx, .err = err};
    enum step r = STEP_GO;
    if (p->state == PS_FAILED) {
        if (err)
            *err = p->failure;
        r = STEP_FAIL;
    }
    while (r == STEP_GO && f.pos < f.len) {
        /* Nobody asked: leave the bytes to the caller (see pop3.h). */
        if (p->state == PS_IDLE && p->q_count == 0)
            break;
        r = step(p, &f);
    }
    if (consumed_out)
        *consumed_out = f.pos;
    switch (r) {
    case STEP_GO:
        return POP3_PARSE_OK;
    case STEP_ABORT:
        return POP3_PARSE_ABORTED;
    case STEP_FAIL:
        break;
    }
    return POP3_PARSE_ERROR;
}
