/*
 * Tests for src/pop3/reply_parser.c, the pure POP3 response parser:
 *
 *   struct pop3_parser *pop3_parser_new(size_t max_status_line);
 *   void pop3_parser_free(struct pop3_parser **p);
 *   void pop3_parser_expect(struct pop3_parser *p, enum pop3_reply_kind kind);
 *   size_t pop3_parser_pending(const struct pop3_parser *p);
 *   bool pop3_parser_in_reply(const struct pop3_parser *p);
 *   enum pop3_parse_status pop3_parser_feed(struct pop3_parser *p, const char *buf,
 *       size_t len, size_t *consumed_out, pop3_event_fn fn, void *ctx, struct pv_error *err);
 *   enum pop3_resp_code pop3_resp_code_from_text(const char *text, size_t len);
 *
 * Most cases are dialogues (the files in tests/pop3/data, format in its README.md,
 * and the inline table below): events are rendered as text lines, DATA
 * chunks joined per line, and every dialogue is fed in one piece, one byte
 * at a time and split in two at every position; all must give exactly the
 * expected lines.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <popview/util.h>

#include <popview/pop3.h>

/* ---- a list of strings ----------------------------------------------- */

struct strlist {
    char **v;
    size_t n, alloc;
};

static void strlist_push(struct strlist *l, char *s)
{
    if (l->n == l->alloc) {
        l->alloc = l->alloc ? l->alloc * 2 : 16;
        l->v = pv_xreallocarray(l->v, l->alloc, sizeof *l->v);
    }
    l->v[l->n++] = s;
}

static void strlist_free(struct strlist *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
    l->v = NULL;
    l->n = l->alloc = 0;
}

static void assert_same_events(const struct strlist *want, const struct strlist *got,
                               const char *what)
{
    size_t n = want->n < got->n ? want->n : got->n;
    for (size_t i = 0; i < n; i++)
        ck_assert_msg(strcmp(want->v[i], got->v[i]) == 0, "%s: event %zu:\n want %s\n got  %s",
                      what, i + 1, want->v[i], got->v[i]);
    ck_assert_msg(want->n == got->n, "%s: want %zu events, got %zu; first missing/extra: %s", what,
                  want->n, got->n, want->n > got->n ? want->v[got->n] : got->v[want->n]);
}

/* ---- escapes (see data/README.md) -------------------------------------- */

static void append_escaped(struct pv_buf *b, const char *s, size_t len)
{
    bool ok = pv_buf_append_byte(b, '"');
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\\' || c == '"')
            ok = ok && pv_buf_printf(b, "\\%c", c);
        else if (c == '\r')
            ok = ok && pv_buf_append_str(b, "\\r");
        else if (c == '\n')
            ok = ok && pv_buf_append_str(b, "\\n");
        else if (c == '\t')
            ok = ok && pv_buf_append_str(b, "\\t");
        else if (c < 0x20 || c >= 0x7f)
            ok = ok && pv_buf_printf(b, "\\x%02x", c);
        else
            ok = ok && pv_buf_append_byte(b, (char)c);
    }
    ck_assert(ok && pv_buf_append_byte(b, '"'));
}

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static void append_unescaped(struct pv_buf *b, const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (c == '\\') {
            ck_assert_msg(i + 1 < len, "dangling backslash in %.*s", (int)len, s);
            char e = s[++i];
            if (e == 'r') {
                c = '\r';
            } else if (e == 'n') {
                c = '\n';
            } else if (e == 't') {
                c = '\t';
            } else if (e == 'x') {
                ck_assert_msg(i + 2 < len && hex_digit(s[i + 1]) >= 0 && hex_digit(s[i + 2]) >= 0,
                              "bad \\x escape in %.*s", (int)len, s);
                c = (char)(hex_digit(s[i + 1]) * 16 + hex_digit(s[i + 2]));
                i += 2;
            } else {
                ck_assert_msg(e == '\\' || e == '"', "unknown escape \\%c", e);
                c = e;
            }
        }
        ck_assert(pv_buf_append_byte(b, c));
    }
}

/* ---- collecting events -------------------------------------------------- */

static const char *code_name(enum pop3_resp_code code)
{
    switch (code) {
    case POP3_CODE_NONE:
        return "NONE";
    case POP3_CODE_IN_USE:
        return "IN_USE";
    case POP3_CODE_LOGIN_DELAY:
        return "LOGIN_DELAY";
    case POP3_CODE_SYS_TEMP:
        return "SYS_TEMP";
    case POP3_CODE_SYS_PERM:
        return "SYS_PERM";
    case POP3_CODE_AUTH:
        return "AUTH";
    case POP3_CODE_UTF8:
        return "UTF8";
    case POP3_CODE_OTHER:
        return "OTHER";
    }
    return "?";
}

struct collector {
    struct strlist events;
    struct pv_buf line; /* DATA chunks of the current data line */
    bool in_line;       /* a chunk without line_end was seen */
    size_t abort_at;    /* return false on this event (1-based); 0: never */
    size_t nevents;
    struct pop3_parser *p;  /* for checks made during the callback */
    size_t expect_on_greet; /* expectations to queue from inside the callback */
};

static bool within(const char *part, size_t part_len, const char *whole, size_t whole_len)
{
    return part >= whole && part + part_len <= whole + whole_len;
}

static void check_line_event(const struct pop3_event *ev)
{
    ck_assert_ptr_nonnull(ev->raw);
    ck_assert_ptr_nonnull(ev->text);
    ck_assert(within(ev->text, ev->len, ev->raw, ev->raw_len));
    ck_assert_msg(!memchr(ev->raw, '\n', ev->raw_len), "raw holds its line end");
    if (ev->raw_len > 0)
        ck_assert_msg(ev->raw[ev->raw_len - 1] != '\r' ||
                          ev->text + ev->len == ev->raw + ev->raw_len,
                      "raw ends in CR that is not text");
    if (ev->kind == POP3_EV_CONTINUE) {
        ck_assert(ev->raw[0] == '+');
        return;
    }
    ck_assert(ev->ok ? ev->raw_len >= 3 && memcmp(ev->raw, "+OK", 3) == 0
                     : ev->raw_len >= 4 && memcmp(ev->raw, "-ERR", 4) == 0);
    if (ev->code == POP3_CODE_NONE) {
        ck_assert_ptr_null(ev->code_text);
        ck_assert_uint_eq(ev->code_len, 0);
    } else {
        ck_assert_ptr_nonnull(ev->code_text);
        ck_assert(within(ev->code_text - 1, ev->code_len + 2, ev->raw, ev->raw_len));
        ck_assert(ev->code_text[-1] == '[' && ev->code_text[ev->code_len] == ']');
    }
}

static char *render_line_event(const struct pop3_event *ev)
{
    struct pv_buf b;
    pv_buf_init(&b, 0);
    bool ok = true;
    if (ev->kind == POP3_EV_CONTINUE) {
        ok = pv_buf_append_str(&b, "CONTINUE ");
    } else {
        ok = pv_buf_append_str(&b, ev->ok ? "STATUS +OK " : "STATUS -ERR ");
        if (ev->code != POP3_CODE_NONE)
            ok = ok && pv_buf_printf(&b, "[%.*s] %s ", (int)ev->code_len, ev->code_text,
                                     code_name(ev->code));
    }
    ck_assert(ok);
    append_escaped(&b, ev->text, ev->len);
    return pv_buf_steal(&b, NULL);
}

static bool collect(void *ctx, const struct pop3_event *ev)
{
    struct collector *c = ctx;
    c->nevents++;
    switch (ev->kind) {
    case POP3_EV_STATUS:
    case POP3_EV_CONTINUE:
        ck_assert_msg(!c->in_line, "status in the middle of a data line");
        check_line_event(ev);
        strlist_push(&c->events, render_line_event(ev));
        break;
    case POP3_EV_DATA:
        ck_assert_uint_le(ev->len, POP3_DATA_CHUNK_MAX);
        ck_assert(ev->len == 0 || ev->text != NULL);
        ck_assert(pv_buf_append(&c->line, ev->text, ev->len));
        c->in_line = !ev->line_end;
        if (ev->line_end) {
            struct pv_buf b;
            pv_buf_init(&b, 0);
            ck_assert(pv_buf_append_str(&b, "DATA "));
            append_escaped(&b, c->line.data, c->line.len);
            strlist_push(&c->events, pv_buf_steal(&b, NULL));
            pv_buf_reset(&c->line);
        }
        break;
    case POP3_EV_END:
        ck_assert_msg(!c->in_line, "END in the middle of a data line");
        strlist_push(&c->events, pv_xstrdup("END"));
        break;
    }
    if (c->p && ev->kind == POP3_EV_STATUS && c->expect_on_greet) {
        for (size_t i = 0; i < c->expect_on_greet; i++)
            pop3_parser_expect(c->p, POP3_REPLY_SINGLE);
        c->expect_on_greet = 0;
    }
    return c->nevents != c->abort_at;
}

static void collector_init(struct collector *c)
{
    memset(c, 0, sizeof *c);
    pv_buf_init(&c->line, 0);
}

static void collector_free(struct collector *c)
{
    strlist_free(&c->events);
    pv_buf_free(&c->line);
}

static void push_error(struct strlist *l, const struct pv_error *err)
{
    struct pv_buf b;
    pv_buf_init(&b, 0);
    ck_assert(pv_buf_append_str(&b, "ERROR "));
    append_escaped(&b, err->msg, strlen(err->msg));
    strlist_push(l, pv_buf_steal(&b, NULL));
}

static void push_unsolicited(struct strlist *l, const char *s, size_t len)
{
    struct pv_buf b;
    pv_buf_init(&b, 0);
    ck_assert(pv_buf_append_str(&b, "UNSOLICITED "));
    append_escaped(&b, s, len);
    strlist_push(l, pv_buf_steal(&b, NULL));
}

/* ---- dialogues ---------------------------------------------------------- */

enum { MAX_KINDS = 256 };

struct dialogue {
    char name[128];
    struct pv_buf input;
    enum pop3_reply_kind kinds[MAX_KINDS];
    size_t nkinds;
    struct strlist expected;
    size_t max_status_line;
};

static void dialogue_init(struct dialogue *d, const char *name)
{
    memset(d, 0, sizeof *d);
    snprintf(d->name, sizeof d->name, "%s", name);
    pv_buf_init(&d->input, 0);
}

static void dialogue_free(struct dialogue *d)
{
    pv_buf_free(&d->input);
    strlist_free(&d->expected);
}

static void dialogue_expect(struct dialogue *d, enum pop3_reply_kind kind)
{
    ck_assert_uint_lt(d->nkinds, MAX_KINDS);
    d->kinds[d->nkinds++] = kind;
}

/* "C: NAME arg..." -> the reply kind the command table gives. */
static enum pop3_reply_kind kind_of_command(const char *line)
{
    char word[16];
    size_t n = strcspn(line, " ");
    ck_assert_msg(n > 0 && n < sizeof word, "bad command line %s", line);
    memcpy(word, line, n);
    word[n] = '\0';
    const struct pop3_cmd_info *info = pop3_cmd_lookup(word);
    ck_assert_msg(info != NULL, "unknown command in %s", line);
    size_t nargs = 0;
    for (const char *s = line + n; *s; s++) {
        if (*s == ' ' && s[1] && s[1] != ' ')
            nargs++;
    }
    return pop3_cmd_reply_kind(info->cmd, nargs);
}

static enum pop3_reply_kind kind_from_name(const char *s)
{
    if (strcmp(s, "SINGLE") == 0)
        return POP3_REPLY_SINGLE;
    if (strcmp(s, "MULTI") == 0)
        return POP3_REPLY_MULTI;
    ck_assert_msg(strcmp(s, "SASL") == 0, "unknown reply kind %s", s);
    return POP3_REPLY_SASL;
}

static bool starts_with(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

static void dialogue_parse_line(struct dialogue *d, char *line)
{
    if (line[0] == '\0' || line[0] == '#')
        return;
    if (starts_with(line, "X: ")) {
        dialogue_expect(d, kind_from_name(line + 3));
    } else if (starts_with(line, "C: ")) {
        dialogue_expect(d, kind_of_command(line + 3));
    } else if (starts_with(line, "C*: ")) {
        /* A SASL response: the AUTH expectation is still at the head. */
    } else if (starts_with(line, "S:")) {
        const char *text = line[2] == ' ' ? line + 3 : line + 2;
        ck_assert(pv_buf_append_str(&d->input, text) && pv_buf_append_str(&d->input, "\r\n"));
    } else if (starts_with(line, "R: ")) {
        append_unescaped(&d->input, line + 3, strlen(line + 3));
    } else if (starts_with(line, "E: ")) {
        strlist_push(&d->expected, pv_xstrdup(line + 3));
    } else {
        ck_abort_msg("%s: cannot read line: %s", d->name, line);
    }
}

static void dialogue_load(struct dialogue *d, const char *file)
{
    const char *root = getenv("POPVIEW_SOURCE_ROOT");
    ck_assert_msg(root != NULL, "POPVIEW_SOURCE_ROOT is not set (run through meson test)");
    char path[4096];
    snprintf(path, sizeof path, "%s/tests/pop3/data/%s", root, file);
    FILE *f = fopen(path, "r");
    ck_assert_msg(f != NULL, "cannot open %s", path);
    dialogue_init(d, file);
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    while ((n = getline(&line, &cap, f)) >= 0) {
        if (n > 0 && line[n - 1] == '\n')
            line[--n] = '\0';
        dialogue_parse_line(d, line);
    }
    free(line);
    fclose(f);
    ck_assert_msg(d->expected.n > 0, "%s has no expected events", file);
}

/* Feeds the input cut at the given ascending offsets and renders what the
 * parser did, the way the E: lines say it. */
static void run_pieces(const struct dialogue *d, const size_t *cuts, size_t ncuts,
                       struct strlist *out)
{
    struct pop3_parser *p = pop3_parser_new(d->max_status_line);
    for (size_t i = 0; i < d->nkinds; i++)
        pop3_parser_expect(p, d->kinds[i]);
    struct collector c;
    collector_init(&c);
    size_t start = 0;
    for (size_t piece = 0; piece <= ncuts; piece++) {
        size_t end = piece < ncuts ? cuts[piece] : d->input.len;
        size_t consumed = (size_t)-1;
        struct pv_error err;
        pv_error_clear(&err);
        enum pop3_parse_status st =
            pop3_parser_feed(p, d->input.data + start, end - start, &consumed, collect, &c, &err);
        ck_assert_uint_le(consumed, end - start);
        if (st == POP3_PARSE_ERROR) {
            ck_assert(err.msg[0] != '\0');
            push_error(&c.events, &err);
            break;
        }
        ck_assert_int_eq(st, POP3_PARSE_OK);
        if (consumed < end - start) {
            ck_assert_uint_eq(pop3_parser_pending(p), 0);
            ck_assert(!pop3_parser_in_reply(p));
            push_unsolicited(&c.events, d->input.data + start + consumed,
                             d->input.len - start - consumed);
            break;
        }
        start = end;
    }
    *out = c.events;
    c.events = (struct strlist){0};
    collector_free(&c);
    pop3_parser_free(&p);
}

/* The whole input, one byte at a time, and splits into two pieces (at
 * every position, or at the given ones) must all give the expected events. */
static void check_dialogue_at(const struct dialogue *d, const size_t *splits, size_t nsplits)
{
    struct strlist got;
    char what[256];

    run_pieces(d, NULL, 0, &got);
    snprintf(what, sizeof what, "%s in one piece", d->name);
    assert_same_events(&d->expected, &got, what);
    strlist_free(&got);

    size_t n = d->input.len;
    size_t *cuts = pv_xcalloc(n ? n : 1, sizeof *cuts);
    for (size_t i = 1; i < n; i++)
        cuts[i - 1] = i;
    run_pieces(d, cuts, n ? n - 1 : 0, &got);
    snprintf(what, sizeof what, "%s one byte at a time", d->name);
    assert_same_events(&d->expected, &got, what);
    strlist_free(&got);
    if (!splits) {
        splits = cuts;
        nsplits = n ? n - 1 : 0;
    }
    for (size_t i = 0; i < nsplits; i++) {
        run_pieces(d, &splits[i], 1, &got);
        snprintf(what, sizeof what, "%s split at byte %zu", d->name, splits[i]);
        assert_same_events(&d->expected, &got, what);
        strlist_free(&got);
    }
    free(cuts);
}

static void check_dialogue(const struct dialogue *d)
{
    check_dialogue_at(d, NULL, 0);
}

/* ---- recorded dialogues --------------------------------------------------- */

static const char *const dialogue_files[] = {
    "dovecot_session.txt",
    "dovecot_sasl.txt",
    "dovecot_auth_failures.txt",
    "resp_codes.txt",
    "dot_stuffing.txt",
    "line_ends.txt",
    "pipelined.txt",
    "not_pop3_http.txt",
    "not_pop3_tls.txt",
    "not_pop3_binary.txt",
    "not_pop3_long_garbage.txt",
    "not_pop3_lowercase.txt",
    "not_pop3_continuation.txt",
    "not_pop3_sasl_garbage.txt",
    "unsolicited_after_stls.txt",
};

START_TEST(feed_recorded_dialogue)
{
    struct dialogue d;
    dialogue_load(&d, dialogue_files[_i]);
    check_dialogue(&d);
    dialogue_free(&d);
}
END_TEST

/* ---- inline dialogues ------------------------------------------------------ */

struct inline_case {
    const char *name;
    const char *kinds; /* one letter per expectation: S single, M multi, A SASL */
    const char *input;
    size_t input_len; /* 0: strlen(input) */
    size_t max_status_line;
    const char *events[8];
};

#define BYTES(s) s, sizeof(s) - 1

static const struct inline_case inline_cases[] = {
    {"nothing expected, nothing sent", "", "", 0, 0, {NULL}},
    {"nothing expected", "", "+OK hi\r\n", 0, 0, {"UNSOLICITED \"+OK hi\\r\\n\""}},
    {"dot-unstuffing",
     "M",
     "+OK\r\n..foo\r\n..\r\n.\r\n",
     0,
     0,
     {"STATUS +OK \"\"", "DATA \".foo\"", "DATA \".\"", "END"}},
    {"a lone dot ends the reply", "M", "+OK\r\n.\r\n", 0, 0, {"STATUS +OK \"\"", "END"}},
    {"bare LF everywhere",
     "MS",
     "+OK x\n.a\nb\n.\n-ERR y\n",
     0,
     0,
     {"STATUS +OK \"x\"", "DATA \"a\"", "DATA \"b\"", "END", "STATUS -ERR \"y\""}},
    {"CR inside a data line",
     "M",
     "+OK\r\na\rb\r\n\r\r\r\n.\r\n",
     0,
     0,
     {"STATUS +OK \"\"", "DATA \"a\\rb\"", "DATA \"\\r\\r\"", "END"}},
    {"NUL bytes",
     "M",
     BYTES("+OK\r\n\0a\0\r\n.\r\n"),
     0,
     {"STATUS +OK \"\"", "DATA \"\\x00a\\x00\"", "END"}},
    {"-ERR to a multi-line command has no data",
     "MS",
     "-ERR no such message\r\n+OK\r\n",
     0,
     0,
     {"STATUS -ERR \"no such message\"", "STATUS +OK \"\""}},
    {"stops after the last expected reply",
     "M",
     "+OK\r\n.\r\n+OK more\r\n",
     0,
     0,
     {"STATUS +OK \"\"", "END", "UNSOLICITED \"+OK more\\r\\n\""}},
    {"SASL exchange",
     "A",
     "+ dGVzdA==\r\n+\r\n+ \r\n-ERR [AUTH] no\r\n",
     0,
     0,
     {"CONTINUE \"dGVzdA==\"", "CONTINUE \"\"", "CONTINUE \"\"", "STATUS -ERR [AUTH] AUTH \"no\""}},
    {"status line of exactly the maximum",
     "S",
     "+OK 12345678901\r\n",
     0,
     15,
     {"STATUS +OK \"12345678901\""}},
    {"status line over the maximum",
     "S",
     "+OK 123456789012\r\n",
     0,
     15,
     {"ERROR \"the server sent a reply line longer than 15 bytes\""}},
    {"status line at the maximum, then CR not followed by LF",
     "S",
     "+OK 12345678901\rx\r\n",
     0,
     15,
     {"ERROR \"the server sent a reply line longer than 15 bytes\""}},
    {"status line over the maximum with a bare LF",
     "S",
     "+OK 123456789012\n",
     0,
     15,
     {"ERROR \"the server sent a reply line longer than 15 bytes\""}},
    {"continuation line over the maximum",
     "A",
     "+ 12345678901234\r\n",
     0,
     15,
     {"ERROR \"the server sent a reply line longer than 15 bytes\""}},
    {"tiny maximum",
     "S",
     "+OK\r\n",
     0,
     2,
     {"ERROR \"the server sent a reply line longer than 2 bytes\""}},
    {"garbage in the middle of a session",
     "SS",
     "+OK\r\n250 mail.example.org ESMTP\r\n",
     0,
     0,
     {"STATUS +OK \"\"",
      "ERROR \"the server's reply is not POP3: expected +OK or -ERR, got \\\"250 "
      "mail.example.org ESMTP\\\"\""}},
    {"an empty line is not a status",
     "S",
     "\r\n",
     0,
     0,
     {"ERROR \"the server's reply is not POP3: expected +OK or -ERR, got \\\"\\\"\""}},
    {"+OK glued to text is not a status",
     "S",
     "+OKAY\r\n",
     0,
     0,
     {"ERROR \"the server's reply is not POP3: expected +OK or -ERR, got \\\"+OKAY\\\"\""}},
    {"+OK then CR and more is not a status",
     "S",
     "+OK\rx\r\n",
     0,
     0,
     {"ERROR \"the server's reply is not POP3: expected +OK or -ERR, got \\\"+OK?x\\\"\""}},
    {"a TAB is not the separator",
     "S",
     "-ERR\tno\r\n",
     0,
     0,
     {"ERROR \"the server's reply is not POP3: expected +OK or -ERR, got \\\"-ERR?no\\\"\""}},
};

static void dialogue_from_case(struct dialogue *d, const struct inline_case *ic)
{
    dialogue_init(d, ic->name);
    for (const char *k = ic->kinds; *k; k++)
        dialogue_expect(d, *k == 'S'   ? POP3_REPLY_SINGLE
                           : *k == 'M' ? POP3_REPLY_MULTI
                                       : POP3_REPLY_SASL);
    size_t len = ic->input_len ? ic->input_len : strlen(ic->input);
    ck_assert(pv_buf_append(&d->input, ic->input, len));
    d->max_status_line = ic->max_status_line;
    for (size_t i = 0; i < PV_ARRAY_LEN(ic->events) && ic->events[i]; i++)
        strlist_push(&d->expected, pv_xstrdup(ic->events[i]));
}

START_TEST(feed_inline_dialogue)
{
    struct dialogue d;
    dialogue_from_case(&d, &inline_cases[_i]);
    check_dialogue(&d);
    dialogue_free(&d);
}
END_TEST

/* ---- pop3_parser_new / pop3_parser_free ---------------------------------- */

START_TEST(free_accepts_null)
{
    pop3_parser_free(NULL);
    struct pop3_parser *p = NULL;
    pop3_parser_free(&p);
    ck_assert_ptr_null(p);
    p = pop3_parser_new(0);
    ck_assert_ptr_nonnull(p);
    pop3_parser_free(&p);
    ck_assert_ptr_null(p);
}
END_TEST

/* 0 means POP3_DEFAULT_MAX_STATUS_LINE. */
START_TEST(new_default_maximum)
{
    for (size_t extra = 0; extra < 2; extra++) {
        struct dialogue d;
        dialogue_init(&d, "default maximum");
        dialogue_expect(&d, POP3_REPLY_SINGLE);
        ck_assert(pv_buf_append_str(&d.input, "-ERR "));
        while (d.input.len < POP3_DEFAULT_MAX_STATUS_LINE + extra)
            ck_assert(pv_buf_append_byte(&d.input, 'x'));
        ck_assert(pv_buf_append_str(&d.input, "\r\n"));
        struct strlist got;
        run_pieces(&d, NULL, 0, &got);
        ck_assert_uint_eq(got.n, 1);
        if (extra)
            ck_assert_str_eq(got.v[0],
                             "ERROR \"the server sent a reply line longer than 8192 bytes\"");
        else
            ck_assert(starts_with(got.v[0], "STATUS -ERR \"xxx"));
        strlist_free(&got);
        dialogue_free(&d);
    }
}
END_TEST

/* A huge maximum must not overflow the internal sums. */
START_TEST(new_huge_maximum)
{
    struct dialogue d;
    dialogue_init(&d, "huge maximum");
    dialogue_expect(&d, POP3_REPLY_SINGLE);
    d.max_status_line = SIZE_MAX;
    ck_assert(pv_buf_append_str(&d.input, "+OK fine\r\n"));
    strlist_push(&d.expected, pv_xstrdup("STATUS +OK \"fine\""));
    check_dialogue(&d);
    dialogue_free(&d);
}
END_TEST

/* ---- pop3_parser_expect / pending / in_reply ----------------------------- */

static enum pop3_parse_status feed_str(struct pop3_parser *p, const char *s, size_t *consumed,
                                       struct collector *c, struct pv_error *err)
{
    return pop3_parser_feed(p, s, strlen(s), consumed, collect, c, err);
}

START_TEST(expect_pending_and_in_reply)
{
    struct pop3_parser *p = pop3_parser_new(0);
    struct collector c;
    collector_init(&c);
    size_t consumed;
    ck_assert_uint_eq(pop3_parser_pending(p), 0);
    ck_assert(!pop3_parser_in_reply(p));
    pop3_parser_expect(p, POP3_REPLY_SINGLE);
    pop3_parser_expect(p, POP3_REPLY_MULTI);
    pop3_parser_expect(p, POP3_REPLY_SASL);
    ck_assert_uint_eq(pop3_parser_pending(p), 3);
    ck_assert(!pop3_parser_in_reply(p));

    ck_assert_int_eq(feed_str(p, "+O", &consumed, &c, NULL), POP3_PARSE_OK);
    ck_assert(pop3_parser_in_reply(p));
    ck_assert_int_eq(feed_str(p, "K\r\n", &consumed, &c, NULL), POP3_PARSE_OK);
    ck_assert(!pop3_parser_in_reply(p));
    ck_assert_uint_eq(pop3_parser_pending(p), 2);

    ck_assert_int_eq(feed_str(p, "+OK\r\n", &consumed, &c, NULL), POP3_PARSE_OK);
    ck_assert(pop3_parser_in_reply(p)); /* data lines follow */
    ck_assert_uint_eq(pop3_parser_pending(p), 2);
    ck_assert_int_eq(feed_str(p, "x\r\n.\r", &consumed, &c, NULL), POP3_PARSE_OK);
    ck_assert(pop3_parser_in_reply(p));
    ck_assert_int_eq(feed_str(p, "\n", &consumed, &c, NULL), POP3_PARSE_OK);
    ck_assert(!pop3_parser_in_reply(p));
    ck_assert_uint_eq(pop3_parser_pending(p), 1);

    /* A continuation leaves the SASL expectation at the head. */
    ck_assert_int_eq(feed_str(p, "+ abc\r\n", &consumed, &c, NULL), POP3_PARSE_OK);
    ck_assert(!pop3_parser_in_reply(p));
    ck_assert_uint_eq(pop3_parser_pending(p), 1);
    ck_assert_int_eq(feed_str(p, "+OK\r\n", &consumed, &c, NULL), POP3_PARSE_OK);
    ck_assert_uint_eq(pop3_parser_pending(p), 0);
    ck_assert_uint_eq(c.events.n, 6);
    ck_assert_str_eq(c.events.v[4], "CONTINUE \"abc\"");
    collector_free(&c);
    pop3_parser_free(&p);
}
END_TEST

/* 100 pipelined commands, alternately single and multi-line, answered in
 * one stream; pending counts down reply by reply. */
struct pipeline {
    struct pop3_parser *p;
    size_t done; /* replies completed */
};

static bool count_down(void *ctx, const struct pop3_event *ev)
{
    struct pipeline *pl = ctx;
    bool multi = pl->done % 2 == 1; /* reply i is multi-line when i is odd */
    bool completes = ev->kind == POP3_EV_END || (ev->kind == POP3_EV_STATUS && (!multi || !ev->ok));
    if (completes)
        pl->done++;
    /* The callback sees the parser after the event. */
    ck_assert_uint_eq(pop3_parser_pending(pl->p), 100 - pl->done);
    return true;
}

START_TEST(expect_pipelined_100)
{
    struct pipeline pl = {.p = pop3_parser_new(0)};
    struct pv_buf in;
    pv_buf_init(&in, 0);
    for (int i = 0; i < 100; i++) {
        bool multi = i % 2 == 1;
        pop3_parser_expect(pl.p, multi ? POP3_REPLY_MULTI : POP3_REPLY_SINGLE);
        if (!multi)
            ck_assert(pv_buf_printf(&in, "+OK reply %d\r\n", i));
        else if (i % 10 == 3)
            ck_assert(pv_buf_printf(&in, "-ERR reply %d\r\n", i));
        else
            ck_assert(pv_buf_printf(&in, "+OK reply %d\r\nline %d\r\n..%d\r\n.\r\n", i, i, i));
    }
    ck_assert_uint_eq(pop3_parser_pending(pl.p), 100);
    size_t consumed;
    ck_assert_int_eq(pop3_parser_feed(pl.p, in.data, in.len, &consumed, count_down, &pl, NULL),
                     POP3_PARSE_OK);
    ck_assert_uint_eq(consumed, in.len);
    ck_assert_uint_eq(pl.done, 100);
    ck_assert_uint_eq(pop3_parser_pending(pl.p), 0);
    ck_assert(!pop3_parser_in_reply(pl.p));
    /* Nothing more is expected: the next byte is left to the caller. */
    ck_assert_int_eq(pop3_parser_feed(pl.p, "+", 1, &consumed, count_down, &pl, NULL),
                     POP3_PARSE_OK);
    ck_assert_uint_eq(consumed, 0);
    pv_buf_free(&in);
    pop3_parser_free(&pl.p);
}
END_TEST

/* The engine queues the next command's expectation from inside the
 * callback; 40 of them grow the queue while it is in use. */
START_TEST(expect_from_callback)
{
    struct pop3_parser *p = pop3_parser_new(0);
    pop3_parser_expect(p, POP3_REPLY_SINGLE);
    struct collector c;
    collector_init(&c);
    c.p = p;
    c.expect_on_greet = 40;
    struct pv_buf in;
    pv_buf_init(&in, 0);
    for (int i = 0; i < 41; i++)
        ck_assert(pv_buf_printf(&in, "+OK %d\r\n", i));
    size_t consumed;
    ck_assert_int_eq(pop3_parser_feed(p, in.data, in.len, &consumed, collect, &c, NULL),
                     POP3_PARSE_OK);
    ck_assert_uint_eq(consumed, in.len);
    ck_assert_uint_eq(c.events.n, 41);
    ck_assert_str_eq(c.events.v[40], "STATUS +OK \"40\"");
    ck_assert_uint_eq(pop3_parser_pending(p), 0);
    pv_buf_free(&in);
    collector_free(&c);
    pop3_parser_free(&p);
}
END_TEST

/* ---- pop3_parser_feed ----------------------------------------------------- */

START_TEST(feed_empty_and_null_callback)
{
    struct pop3_parser *p = pop3_parser_new(0);
    size_t consumed = 99;
    ck_assert_int_eq(pop3_parser_feed(p, NULL, 0, &consumed, collect, NULL, NULL), POP3_PARSE_OK);
    ck_assert_uint_eq(consumed, 0);
    /* Without a callback the events are dropped but parsing goes on. */
    pop3_parser_expect(p, POP3_REPLY_MULTI);
    ck_assert_int_eq(pop3_parser_feed(p, "+OK\r\na\r\n.\r\n", 11, NULL, NULL, NULL, NULL),
                     POP3_PARSE_OK);
    ck_assert_uint_eq(pop3_parser_pending(p), 0);
    pop3_parser_free(&p);
}
END_TEST

/* After an error the parser is dead: every feed repeats the error. */
START_TEST(feed_error_is_final)
{
    struct pop3_parser *p = pop3_parser_new(0);
    pop3_parser_expect(p, POP3_REPLY_SINGLE);
    pop3_parser_expect(p, POP3_REPLY_SINGLE);
    struct pv_error err;
    pv_error_clear(&err);
    size_t consumed;
    ck_assert_int_eq(pop3_parser_feed(p, "* OK IMAP4rev1\r\n", 16, &consumed, NULL, NULL, &err),
                     POP3_PARSE_ERROR);
    ck_assert_str_eq(
        err.msg, "the server's reply is not POP3: expected +OK or -ERR, got \"* OK IMAP4rev1\"");
    ck_assert_str_eq(err.server, "* OK IMAP4rev1");
    ck_assert(!pop3_parser_in_reply(p));
    struct pv_error again;
    pv_error_clear(&again);
    ck_assert_int_eq(pop3_parser_feed(p, "+OK\r\n", 5, &consumed, NULL, NULL, &again),
                     POP3_PARSE_ERROR);
    ck_assert_uint_eq(consumed, 0);
    ck_assert_str_eq(again.msg, err.msg);
    /* err may be NULL. */
    ck_assert_int_eq(pop3_parser_feed(p, "+OK\r\n", 5, &consumed, NULL, NULL, NULL),
                     POP3_PARSE_ERROR);
    pop3_parser_free(&p);
}
END_TEST

/* Server text in the error is sanitized: a hostile line cannot put control
 * characters on the terminal.  The quote in msg is ASCII only; the server
 * text keeps UTF-8 (util's rule). */
START_TEST(feed_error_sanitizes_server_text)
{
    struct pop3_parser *p = pop3_parser_new(0);
    pop3_parser_expect(p, POP3_REPLY_SINGLE);
    struct pv_error err;
    pv_error_clear(&err);
    static const char hostile[] = "-ERX \x7f\xc3\xa9 \"text\"\r\n";
    ck_assert_int_eq(pop3_parser_feed(p, hostile, sizeof hostile - 1, NULL, NULL, NULL, &err),
                     POP3_PARSE_ERROR);
    ck_assert_str_eq(err.msg, "the server's reply is not POP3: expected +OK or -ERR, got "
                              "\"-ERX ??? ?text?\"");
    ck_assert_str_eq(err.server, "-ERX ?\xc3\xa9 \"text\"");
    pop3_parser_free(&p);
}
END_TEST

/* A binary byte ends a line that cannot be a status at once: the ESC of
 * an escape sequence is not waited past. */
START_TEST(feed_binary_fails_at_once)
{
    struct pop3_parser *p = pop3_parser_new(0);
    pop3_parser_expect(p, POP3_REPLY_SINGLE);
    struct pv_error err;
    pv_error_clear(&err);
    size_t consumed;
    ck_assert_int_eq(pop3_parser_feed(p, "OK\x1b]0;x", 7, &consumed, NULL, NULL, &err),
                     POP3_PARSE_ERROR);
    ck_assert_str_eq(err.msg, "the server's reply is not POP3: expected +OK or -ERR, got "
                              "\"OK?...\"");
    pop3_parser_free(&p);
}
END_TEST

/* Stopping at any event and feeding the rest later gives the same events. */
START_TEST(feed_abort_and_resume)
{
    static const char in[] = "+OK greeting\r\n+OK 2 messages\r\n1 100\r\n..2 200\r\n.\r\n"
                             "+ challenge\r\n-ERR [AUTH] no\r\n";
    static const enum pop3_reply_kind kinds[] = {POP3_REPLY_SINGLE, POP3_REPLY_MULTI,
                                                 POP3_REPLY_SASL};
    struct collector ref;
    collector_init(&ref);
    struct pop3_parser *p = pop3_parser_new(0);
    for (size_t i = 0; i < PV_ARRAY_LEN(kinds); i++)
        pop3_parser_expect(p, kinds[i]);
    ck_assert_int_eq(pop3_parser_feed(p, in, sizeof in - 1, NULL, collect, &ref, NULL),
                     POP3_PARSE_OK);
    pop3_parser_free(&p);
    ck_assert_uint_eq(ref.events.n, 7);

    for (size_t stop = 1; stop <= ref.nevents; stop++) {
        struct collector c;
        collector_init(&c);
        c.abort_at = stop;
        p = pop3_parser_new(0);
        for (size_t i = 0; i < PV_ARRAY_LEN(kinds); i++)
            pop3_parser_expect(p, kinds[i]);
        size_t consumed;
        ck_assert_int_eq(pop3_parser_feed(p, in, sizeof in - 1, &consumed, collect, &c, NULL),
                         POP3_PARSE_ABORTED);
        ck_assert_uint_eq(c.nevents, stop);
        ck_assert_uint_le(consumed, sizeof in - 1);
        size_t rest = 0;
        ck_assert_int_eq(
            pop3_parser_feed(p, in + consumed, sizeof in - 1 - consumed, &rest, collect, &c, NULL),
            POP3_PARSE_OK);
        ck_assert_uint_eq(consumed + rest, sizeof in - 1);
        assert_same_events(&ref.events, &c.events, "abort and resume");
        collector_free(&c);
        pop3_parser_free(&p);
    }
    collector_free(&ref);
}
END_TEST

/* Stopping on the status of a reply consumes exactly that line. */
START_TEST(feed_abort_consumes_the_line)
{
    struct pop3_parser *p = pop3_parser_new(0);
    pop3_parser_expect(p, POP3_REPLY_SINGLE);
    pop3_parser_expect(p, POP3_REPLY_SINGLE);
    struct collector c;
    collector_init(&c);
    c.abort_at = 1;
    size_t consumed;
    ck_assert_int_eq(feed_str(p, "+OK one\r\n+OK two\r\n", &consumed, &c, NULL),
                     POP3_PARSE_ABORTED);
    ck_assert_uint_eq(consumed, 9);
    ck_assert_uint_eq(pop3_parser_pending(p), 1);
    collector_free(&c);
    pop3_parser_free(&p);
}
END_TEST

/* A 10 MB data line is streamed: DATA chunks come while it is still being
 * fed, none longer than POP3_DATA_CHUNK_MAX, so the parser holds no more
 * than that. */
struct big_line {
    size_t data_bytes;
    size_t chunks;
    size_t line_ends;
    bool end_seen;
    bool bad_byte;
};

static bool big_line_event(void *ctx, const struct pop3_event *ev)
{
    struct big_line *b = ctx;
    if (ev->kind == POP3_EV_DATA) {
        ck_assert_uint_le(ev->len, POP3_DATA_CHUNK_MAX);
        for (size_t i = 0; i < ev->len; i++) {
            if (ev->text[i] != (char)('a' + (b->data_bytes + i) % 26))
                b->bad_byte = true;
        }
        b->data_bytes += ev->len;
        b->chunks++;
        b->line_ends += ev->line_end;
    } else if (ev->kind == POP3_EV_END) {
        b->end_seen = true;
    }
    return true;
}

START_TEST(feed_10mb_data_line)
{
    enum { LINE = 10 * 1024 * 1024, PIECE = 65536 };
    struct pop3_parser *p = pop3_parser_new(0);
    pop3_parser_expect(p, POP3_REPLY_MULTI);
    struct big_line b = {0};
    size_t consumed;
    ck_assert_int_eq(pop3_parser_feed(p, "+OK\r\n", 5, &consumed, big_line_event, &b, NULL),
                     POP3_PARSE_OK);
    char *piece = pv_xmalloc(PIECE);
    size_t fed = 0;
    while (fed < LINE) {
        for (size_t i = 0; i < PIECE; i++)
            piece[i] = (char)('a' + (fed + i) % 26);
        ck_assert_int_eq(pop3_parser_feed(p, piece, PIECE, &consumed, big_line_event, &b, NULL),
                         POP3_PARSE_OK);
        ck_assert_uint_eq(consumed, PIECE);
        fed += PIECE;
        /* Streaming: at most one chunk of the line is held back. */
        ck_assert_uint_ge(b.data_bytes + POP3_DATA_CHUNK_MAX, fed);
        ck_assert_uint_eq(b.line_ends, 0);
    }
    free(piece);
    ck_assert_int_eq(pop3_parser_feed(p, "\r\n.\r\n", 5, &consumed, big_line_event, &b, NULL),
                     POP3_PARSE_OK);
    ck_assert_uint_eq(b.data_bytes, LINE);
    ck_assert_uint_eq(b.line_ends, 1);
    ck_assert_uint_ge(b.chunks, LINE / POP3_DATA_CHUNK_MAX);
    ck_assert(b.end_seen);
    ck_assert(!b.bad_byte);
    pop3_parser_free(&p);
}
END_TEST

/* Data lines around the chunk size, with CR and dots at the boundaries:
 * compared per line (the chunking may differ), at every split. */
START_TEST(feed_lines_around_chunk_size)
{
    struct dialogue d;
    dialogue_init(&d, "lines around the chunk size");
    dialogue_expect(&d, POP3_REPLY_MULTI);
    ck_assert(pv_buf_append_str(&d.input, "+OK\r\n"));
    strlist_push(&d.expected, pv_xstrdup("STATUS +OK \"\""));
    static const size_t lens[] = {POP3_DATA_CHUNK_MAX - 1, POP3_DATA_CHUNK_MAX,
                                  POP3_DATA_CHUNK_MAX + 1, 2 * POP3_DATA_CHUNK_MAX};
    for (size_t i = 0; i < PV_ARRAY_LEN(lens); i++) {
        for (int variant = 0; variant < 3; variant++) {
            /* variant 0: plain; 1: a CR as the last byte of the line's data;
             * 2: dot-stuffed. */
            struct pv_buf line;
            pv_buf_init(&line, 0);
            for (size_t k = 0; k < lens[i]; k++)
                ck_assert(pv_buf_append_byte(&line, (char)('0' + k % 10)));
            if (variant == 1)
                line.data[lens[i] - 1] = '\r';
            if (variant == 2)
                line.data[0] = '.';
            if (variant == 2)
                ck_assert(pv_buf_append_byte(&d.input, '.'));
            ck_assert(pv_buf_append(&d.input, line.data, line.len) &&
                      pv_buf_append_str(&d.input, "\r\n"));
            struct pv_buf ev;
            pv_buf_init(&ev, 0);
            ck_assert(pv_buf_append_str(&ev, "DATA "));
            append_escaped(&ev, line.data, line.len);
            strlist_push(&d.expected, pv_buf_steal(&ev, NULL));
            pv_buf_free(&line);
        }
    }
    ck_assert(pv_buf_append_str(&d.input, ".\r\n"));
    strlist_push(&d.expected, pv_xstrdup("END"));
    /* Every split of 60 KB would take long: split near each line start,
     * line end and chunk boundary instead. */
    enum { MAX_SPLITS = 4096 };
    size_t *splits = pv_xcalloc(MAX_SPLITS, sizeof *splits);
    size_t nsplits = 0;
    for (size_t pos = 0; pos < d.input.len; pos++) {
        if (pos > 0 && d.input.data[pos - 1] != '\n')
            continue;
        static const size_t offsets[] = {0, POP3_DATA_CHUNK_MAX, 2 * POP3_DATA_CHUNK_MAX};
        for (size_t o = 0; o < PV_ARRAY_LEN(offsets); o++) {
            for (size_t delta = 0; delta < 7; delta++) {
                size_t k = pos + offsets[o] + delta;
                if (k >= 3 && k - 3 > 0 && k - 3 < d.input.len && nsplits < MAX_SPLITS)
                    splits[nsplits++] = k - 3;
            }
        }
    }
    check_dialogue_at(&d, splits, nsplits);
    free(splits);
    dialogue_free(&d);
}
END_TEST

/* ---- pop3_resp_code_from_text ------------------------------------------- */

static const struct {
    const char *text;
    enum pop3_resp_code code;
} code_cases[] = {
    {"", POP3_CODE_NONE},
    {"IN-USE", POP3_CODE_IN_USE},
    {"[IN-USE]", POP3_CODE_IN_USE},
    {"in-use", POP3_CODE_IN_USE},
    {"LOGIN-DELAY", POP3_CODE_LOGIN_DELAY},
    {"SYS/TEMP", POP3_CODE_SYS_TEMP},
    {"sys/temp", POP3_CODE_SYS_TEMP},
    {"SYS/PERM", POP3_CODE_SYS_PERM},
    {"[SYS/PERM]", POP3_CODE_SYS_PERM},
    {"AUTH", POP3_CODE_AUTH},
    {"UTF8", POP3_CODE_UTF8},
    /* RFC 2449 section 8: unknown hierarchical detail is ignored. */
    {"SYS/TEMP/QUOTA", POP3_CODE_SYS_TEMP},
    {"AUTH/EXPIRED", POP3_CODE_AUTH},
    {"SYS", POP3_CODE_OTHER},
    {"SYS/OTHER", POP3_CODE_OTHER},
    {"SYS/TEMPORARY", POP3_CODE_OTHER},
    {"AUTHX", POP3_CODE_OTHER},
    {"IN-USE-X", POP3_CODE_OTHER},
    {"X-FOO", POP3_CODE_OTHER},
    {"[]", POP3_CODE_OTHER},
};

START_TEST(resp_code_from_text)
{
    ck_assert_int_eq(pop3_resp_code_from_text(NULL, 0), POP3_CODE_NONE);
    const char *t = code_cases[_i].text;
    ck_assert_msg(pop3_resp_code_from_text(t, strlen(t)) == code_cases[_i].code, "%s -> %d", t,
                  (int)pop3_resp_code_from_text(t, strlen(t)));
}
END_TEST

/* Length-based: the bytes after len are not looked at. */
START_TEST(resp_code_uses_len)
{
    ck_assert_int_eq(pop3_resp_code_from_text("AUTHENTIC", 4), POP3_CODE_AUTH);
    ck_assert_int_eq(pop3_resp_code_from_text("SYS/TEMPX", 8), POP3_CODE_SYS_TEMP);
}
END_TEST

static Suite *reply_parser_suite(void)
{
    Suite *s = suite_create("reply_parser");

    TCase *tc = tcase_create("pop3_parser_new/free");
    tcase_add_test(tc, free_accepts_null);
    tcase_add_test(tc, new_default_maximum);
    tcase_add_test(tc, new_huge_maximum);
    suite_add_tcase(s, tc);

    tc = tcase_create("pop3_parser_expect/pending/in_reply");
    tcase_add_test(tc, expect_pending_and_in_reply);
    tcase_add_test(tc, expect_pipelined_100);
    tcase_add_test(tc, expect_from_callback);
    suite_add_tcase(s, tc);

    tc = tcase_create("pop3_parser_feed");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, feed_empty_and_null_callback);
    tcase_add_loop_test(tc, feed_recorded_dialogue, 0, (int)PV_ARRAY_LEN(dialogue_files));
    tcase_add_loop_test(tc, feed_inline_dialogue, 0, (int)PV_ARRAY_LEN(inline_cases));
    tcase_add_test(tc, feed_error_is_final);
    tcase_add_test(tc, feed_error_sanitizes_server_text);
    tcase_add_test(tc, feed_binary_fails_at_once);
    tcase_add_test(tc, feed_abort_and_resume);
    tcase_add_test(tc, feed_abort_consumes_the_line);
    tcase_add_test(tc, feed_10mb_data_line);
    tcase_add_test(tc, feed_lines_around_chunk_size);
    suite_add_tcase(s, tc);

    tc = tcase_create("pop3_resp_code_from_text");
    tcase_add_loop_test(tc, resp_code_from_text, 0, (int)PV_ARRAY_LEN(code_cases));
    tcase_add_test(tc, resp_code_uses_len);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(reply_parser_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
