/*
 * One POP3 session of the demo server, without I/O: it takes command lines
 * and appends reply bytes, so the transport (server.c) decides how bytes
 * move and the protocol can be read in one place.
 *
 * States (RFC 1939 §3): AUTHORIZATION, with sub-states while a SASL exchange
 * (RFC 5034 §4) waits for the client's next response line; TRANSACTION once
 * the maildrop lock is taken; UPDATE happens inside QUIT and ends the session
 * (CLOSED).  Message numbers stay fixed for the whole session (§5), so
 * deleted messages keep their numbers and only answer "-ERR ... deleted".
 *
 * Commands come from one table: which states allow them, how many arguments
 * they take, and which option can switch them off.  A switched-off command
 * answers exactly like an unknown one, the way a server without it would.
 */
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <popview/util.h>

#include "config.h"
#include "private.h"

enum session_state {
    ST_AUTHORIZATION,
    ST_SASL_PLAIN,      /* AUTH PLAIN sent "+ ", waiting for the response */
    ST_SASL_LOGIN_USER, /* AUTH LOGIN asked for the user name */
    ST_SASL_LOGIN_PASS, /* AUTH LOGIN asked for the password */
    ST_TRANSACTION,
    ST_CLOSED,
};

struct demo_session {
    struct demo_mailbox *mb;
    const struct demo_server_options *opts;
    enum session_state state;
    char timestamp[160];
    char *pending_user; /* from USER, or the AUTH LOGIN user name */
    /* TRANSACTION: the snapshot taken with the lock, and the DELE marks */
    struct demo_message **msgs;
    size_t count;
    bool *deleted;
    bool locked;
};

enum { ARGS_MAX = 8, REST = -1 };

struct args {
    char *v[ARGS_MAX];
    size_t n;
    bool too_many;
    /* everything after "KEYWORD ", spaces kept, for PASS (RFC 1939 §7) */
    char rest[DEMO_COMMAND_LINE_MAX + 1];
};

enum feature {
    FEAT_BASE,
    FEAT_CAPA,
    FEAT_TOP,
    FEAT_UIDL,
    FEAT_USER,
    FEAT_APOP,
    FEAT_SASL,
};

enum { IN_AUTH = 1, IN_TRANS = 2, IN_BOTH = IN_AUTH | IN_TRANS };

struct command {
    const char *name;
    unsigned states;
    int min;
    int max; /* REST: the rest of the line is one argument */
    enum feature needs;
    void (*run)(struct demo_session *s, const struct args *a, struct pv_buf *out);
};

/* ---- replies ---- */

static void emit(struct pv_buf *out, const char *p, size_t n)
{
    /* out has no cap; failing here would mean a size_t overflow */
    if (!pv_buf_append(out, p, n))
        abort();
}

static void emit_line(struct pv_buf *out, const char *text)
{
    emit(out, text, strlen(text));
    emit(out, "\r\n", 2);
}

/* status is "+OK" or "-ERR" (with a response code); the text follows a space. */
static void PV_PRINTF(3, 0)
    vreply(struct pv_buf *out, const char *status, const char *fmt, va_list ap)
{
    char text[512];
    int n = vsnprintf(text, sizeof(text), fmt, ap);
    if (n < 0)
        text[0] = '\0';
    emit(out, status, strlen(status));
    if (text[0]) {
        emit(out, " ", 1);
        emit(out, text, strlen(text));
    }
    emit(out, "\r\n", 2);
}

static void PV_PRINTF(2, 3) reply_ok(struct pv_buf *out, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreply(out, "+OK", fmt, ap);
    va_end(ap);
}

/* code: an RFC 2449 §8 response code ("AUTH", "IN-USE") or NULL. */
static void PV_PRINTF(4, 5) reply_err(const struct demo_session *s, struct pv_buf *out,
                                      const char *code, const char *fmt, ...)
{
    char status[32] = "-ERR";
    if (code && s->opts->resp_codes)
        snprintf(status, sizeof(status), "-ERR [%s]", code);
    va_list ap;
    va_start(ap, fmt);
    vreply(out, status, fmt, ap);
    va_end(ap);
}

/*
 * Sends message lines, dot-stuffed (RFC 1939 §3: a line beginning with "."
 * gets another "."), then the terminating ".".  With top set, only the header
 * section, the empty line, and body_lines lines of the body (§7 TOP).
 */
static void emit_message(struct pv_buf *out, const struct demo_message *m, bool top,
                         uint64_t body_lines)
{
    bool in_body = false;
    uint64_t sent = 0;
    size_t pos = 0;
    while (pos < m->len) {
        if (top && in_body && sent >= body_lines)
            break;
        const char *line = m->data + pos;
        const char *eol = memmem(line, m->len - pos, "\r\n", 2);
        size_t n = eol ? (size_t)(eol - line) : m->len - pos;
        if (n > 0 && line[0] == '.')
            emit(out, ".", 1);
        emit(out, line, n);
        emit(out, "\r\n", 2);
        if (in_body)
            sent++;
        else if (n == 0)
            in_body = true;
        pos += n + 2;
    }
    emit(out, ".\r\n", 3);
}

/* ---- helpers ---- */

static const char *opt_user(const struct demo_session *s)
{
    return s->opts->user ? s->opts->user : "demo";
}

static const char *opt_password(const struct demo_session *s)
{
    return s->opts->password ? s->opts->password : "demo";
}

static bool feature_on(const struct demo_server_options *o, enum feature f)
{
    switch (f) {
    case FEAT_BASE:
        return true;
    case FEAT_CAPA:
        return o->capa;
    case FEAT_TOP:
        return o->top;
    case FEAT_UIDL:
        return o->uidl;
    case FEAT_USER:
        return o->user_login;
    case FEAT_APOP:
        return o->apop;
    case FEAT_SASL:
        return o->sasl_plain || o->sasl_login;
    }
    return false;
}

/* Compares without stopping at the first difference (the length still shows). */
static bool secret_equal(const char *a, const char *b)
{
    size_t n = strlen(a);
    if (n != strlen(b))
        return false;
    unsigned char diff = 0;
    for (size_t i = 0; i < n; i++)
        diff |= (unsigned char)(a[i] ^ b[i]);
    return diff == 0;
}

static bool credentials_ok(const struct demo_session *s, const char *user, const char *password)
{
    bool user_ok = strcmp(user, opt_user(s)) == 0;
    bool password_ok = secret_equal(password, opt_password(s));
    return user_ok && password_ok;
}

static uint64_t live_size(const struct demo_session *s, size_t *count_out)
{
    uint64_t size = 0;
    size_t count = 0;
    for (size_t i = 0; i < s->count; i++) {
        if (s->deleted[i])
            continue;
        count++;
        size += s->msgs[i]->len;
    }
    *count_out = count;
    return size;
}

/*
 * Takes the maildrop lock and enters TRANSACTION (RFC 1939 §4), or answers
 * [IN-USE] (RFC 2449 §8.1.1) when another session has it.
 */
static void log_in(struct demo_session *s, struct pv_buf *out)
{
    if (!demo_mailbox_lock(s->mb, &s->msgs, &s->count)) {
        reply_err(s, out, "IN-USE",
                  "the demo mailbox is open in another session; try again once it quits");
        s->state = ST_AUTHORIZATION;
        return;
    }
    s->locked = true;
    s->deleted = pv_xcalloc(s->count ? s->count : 1, sizeof(*s->deleted));
    s->state = ST_TRANSACTION;
    size_t count;
    uint64_t size = live_size(s, &count);
    reply_ok(out, "%s's maildrop has %zu messages (%llu octets)", opt_user(s), count,
             (unsigned long long)size);
}

static void refuse_login(struct demo_session *s, struct pv_buf *out)
{
    s->state = ST_AUTHORIZATION;
    reply_err(s, out, "AUTH", "invalid user name or password");
}

static void clear_pending_user(struct demo_session *s)
{
    pv_free_secret(&s->pending_user);
}

/*
 * The message a number argument names (RFC 1939 §5: 1-based, fixed for the
 * session), or NULL after answering -ERR.
 */
static struct demo_message *message_arg(struct demo_session *s, const char *arg, size_t *index_out,
                                        struct pv_buf *out)
{
    unsigned n = 0;
    if (!pv_parse_uint(arg, strlen(arg), &n)) {
        reply_err(s, out, NULL, "a message number must be a decimal number");
        return NULL;
    }
    if (n == 0 || n > s->count) {
        reply_err(s, out, NULL, "no such message, only %zu messages in maildrop", s->count);
        return NULL;
    }
    if (s->deleted[n - 1]) {
        reply_err(s, out, NULL, "message %u already deleted", n);
        return NULL;
    }
    *index_out = n - 1;
    return s->msgs[n - 1];
}

/* ---- base64 (RFC 4648 §4), strict: what SASL responses use (RFC 5034 §4) ---- */

/* Decodes into out (NUL-terminated, may hold NULs).  False on malformed input. */
static bool base64_decode(const char *in, size_t len, struct pv_buf *out)
{
    if (len % 4 != 0)
        return false;
    for (size_t i = 0; i < len; i += 4) {
        int v[4];
        size_t pad = 0;
        for (size_t j = 0; j < 4; j++) {
            char c = in[i + j];
            if (c == '=' && i + 4 == len && j >= 2) {
                v[j] = 0;
                pad++;
                continue;
            }
            if (pad > 0) /* data after '=' */
                return false;
            v[j] = pv_base64_value(c);
            if (v[j] < 0)
                return false;
        }
        unsigned long group = (unsigned long)v[0] << 18 | (unsigned long)v[1] << 12 |
                              (unsigned long)v[2] << 6 | (unsigned long)v[3];
        char bytes[3] = {(char)(group >> 16), (char)(group >> 8 & 0xff), (char)(group & 0xff)};
        if (!pv_buf_append(out, bytes, 3 - pad))
            return false;
    }
    return true;
}

/* ---- AUTHORIZATION commands ---- */

static void cmd_user(struct demo_session *s, const struct args *a, struct pv_buf *out)
{
    clear_pending_user(s);
    s->pending_user = pv_xstrdup(a->v[1]);
    reply_ok(out, "send PASS");
}

static void cmd_pass(struct demo_session *s, const struct args *a, struct pv_buf *out)
{
    if (!s->pending_user) {
        reply_err(s, out, NULL, "send USER first");
        return;
    }
    bool ok = credentials_ok(s, s->pending_user, a->rest);
    clear_pending_user(s);
    if (ok)
        log_in(s, out);
    else
        refuse_login(s, out);
}

/* RFC 1939 §7: digest = lowercase hex MD5(timestamp + password). */
static void cmd_apop(struct demo_session *s, const struct args *a, struct pv_buf *out)
{
    clear_pending_user(s);
    char *input = pv_xasprintf("%s%s", s->timestamp, opt_password(s));
    unsigned char md5[16];
    int rc = gnutls_hash_fast(GNUTLS_DIG_MD5, input, strlen(input), md5);
    pv_free_secret(&input);
    if (rc != 0) {
        reply_err(s, out, "SYS/TEMP", "MD5 is not available here: %s", gnutls_strerror(rc));
        return;
    }
    char expected[33];
    for (size_t i = 0; i < sizeof(md5); i++)
        snprintf(expected + 2 * i, 3, "%02x", md5[i]);
    char given[33] = "";
    if (strlen(a->v[2]) == 32)
        for (size_t i = 0; i < 32; i++)
            given[i] = pv_ascii_lower(a->v[2][i]);
    given[32] = '\0';
    bool ok = strcmp(a->v[1], opt_user(s)) == 0 && secret_equal(given, expected);
    if (ok)
        log_in(s, out);
    else
        refuse_login(s, out);
}

/* RFC 4616 §2: message = [authzid] NUL authcid NUL passwd. */
static void sasl_plain_response(struct demo_session *s, const char *data, size_t len,
                                struct pv_buf *out)
{
    const char *nul1 = memchr(data, '\0', len);
    const char *nul2 = nul1 ? memchr(nul1 + 1, '\0', len - (size_t)(nul1 + 1 - data)) : NULL;
    if (!nul1 || !nul2 || memchr(nul2 + 1, '\0', len - (size_t)(nul2 + 1 - data))) {
        s->state = ST_AUTHORIZATION;
        reply_err(s, out, NULL, "malformed PLAIN response: expected authzid NUL user NUL password");
        return;
    }
    const char *authzid = data, *authcid = nul1 + 1, *password = nul2 + 1;
    if (*authzid && strcmp(authzid, authcid) != 0) {
        s->state = ST_AUTHORIZATION;
        reply_err(s, out, "AUTH", "this demo does not let one user act as another");
        return;
    }
    if (credentials_ok(s, authcid, password))
        log_in(s, out);
    else
        refuse_login(s, out);
}

/*
 * One client response line of a SASL exchange: "*" cancels (RFC 5034 §4),
 * "=" as an initial response means an empty one, anything else is base64.
 */
static void sasl_response(struct demo_session *s, const char *line, size_t len, bool initial,
                          struct pv_buf *out)
{
    if (!initial && len == 1 && line[0] == '*') {
        clear_pending_user(s);
        s->state = ST_AUTHORIZATION;
        reply_err(s, out, NULL, "AUTH cancelled by the client");
        return;
    }
    struct pv_buf decoded;
    pv_buf_init(&decoded, DEMO_SASL_LINE_MAX);
    bool empty = initial && len == 1 && line[0] == '=';
    if (!pv_buf_append(&decoded, "", 0) || (!empty && !base64_decode(line, len, &decoded))) {
        pv_buf_free_secret(&decoded);
        clear_pending_user(s);
        s->state = ST_AUTHORIZATION;
        reply_err(s, out, NULL, "the SASL response is not valid base64; AUTH cancelled");
        return;
    }
    switch (s->state) {
    case ST_SASL_PLAIN:
        sasl_plain_response(s, decoded.data, decoded.len, out);
        break;
    case ST_SASL_LOGIN_USER:
        clear_pending_user(s);
        s->pending_user = pv_xstrndup(decoded.data, decoded.len);
        s->state = ST_SASL_LOGIN_PASS;
        emit_line(out, "+ UGFzc3dvcmQ6"); /* "Password:" */
        break;
    case ST_SASL_LOGIN_PASS: {
        bool ok = s->pending_user && memchr(decoded.data, '\0', decoded.len) == NULL &&
                  credentials_ok(s, s->pending_user, decoded.data);
        clear_pending_user(s);
        if (ok)
            log_in(s, out);
        else
            refuse_login(s, out);
        break;
    }
    case ST_AUTHORIZATION:
    case ST_TRANSACTION:
    case ST_CLOSED:
        break;
    }
    pv_buf_free_secret(&decoded);
}

static void cmd_auth(struct demo_session *s, const struct args *a, struct pv_buf *out)
{
    clear_pending_user(s);
    if (a->n < 2) {
        reply_err(s, out, NULL, "AUTH needs a SASL mechanism; CAPA lists them");
        return;
    }
    const char *mech = a->v[1];
    if (pv_ascii_ieq(mech, "PLAIN") && s->opts->sasl_plain) {
        s->state = ST_SASL_PLAIN;
        if (a->n == 3)
            sasl_response(s, a->v[2], strlen(a->v[2]), true, out);
        else
            emit_line(out, "+ ");
        return;
    }
    if (pv_ascii_ieq(mech, "LOGIN") && s->opts->sasl_login) {
        s->state = ST_SASL_LOGIN_USER;
        if (a->n == 3)
            sasl_response(s, a->v[2], strlen(a->v[2]), true, out);
        else
            emit_line(out, "+ VXNlcm5hbWU6"); /* "Username:" */
        return;
    }
    reply_err(s, out, NULL, "unsupported SASL mechanism; CAPA lists the ones offered");
}

/* RFC 2449 §5; USER and SASL only matter before login, so only then listed. */
static void cmd_capa(struct demo_session *s, const struct args *a, struct pv_buf *out)
{
    (void)a;
    const struct demo_server_options *o = s->opts;
    bool before_login = s->state != ST_TRANSACTION;
    reply_ok(out, "capability list follows");
    if (o->top)
        emit_line(out, "TOP");
    if (o->uidl)
        emit_line(out, "UIDL");
    if (before_login && o->user_login)
        emit_line(out, "USER");
    if (before_login && (o->sasl_plain || o->sasl_login)) {
        emit_line(out, o->sasl_plain && o->sasl_login ? "SASL PLAIN LOGIN"
                       : o->sasl_plain                ? "SASL PLAIN"
                                                      : "SASL LOGIN");
    }
    if (o->resp_codes) {
        emit_line(out, "RESP-CODES");
        emit_line(out, "AUTH-RESP-CODE");
    }
    if (o->pipelining)
        emit_line(out, "PIPELINING");
    /* Honest values: nothing expires, and logins may follow each other at once. */
    emit_line(out, "EXPIRE NEVER");
    emit_line(out, "LOGIN-DELAY 0");
    emit_line(out, "IMPLEMENTATION popview-demo-" POPVIEW_VERSION);
    emit(out, ".\r\n", 3);
}

/* RFC 1939 §6: QUIT in TRANSACTION enters UPDATE and removes the DELE'd messages. */
static void cmd_quit(struct demo_session *s, const struct args *a, struct pv_buf *out)
{
    (void)a;
    if (s->state != ST_TRANSACTION) {
        s->state = ST_CLOSED;
        reply_ok(out, "popview demo server signing off");
        return;
    }
    size_t left;
    live_size(s, &left);
    demo_mailbox_unlock(s->mb, s->msgs, s->count, s->deleted);
    s->msgs = NULL;
    s->count = 0;
    s->locked = false;
    s->state = ST_CLOSED;
    if (left == 0)
        reply_ok(out, "popview demo server signing off (maildrop empty)");
    else
        reply_ok(out, "popview demo server signing off (%zu messages left)", left);
}

/* ---- TRANSACTION commands (RFC 1939 §5) ---- */

static void cmd_stat(struct demo_session *s, const struct args *a, struct pv_buf *out)
{
    (void)a;
    size_t count;
    uint64_t size = live_size(s, &count);
    reply_ok(out, "%zu %llu", count, (unsigned long long)size);
}

/* LIST and UIDL share their shape: one line, or a multi-line scan listing. */
static void scan_listing(struct demo_session *s, const struct args *a, bool uidl,
                         struct pv_buf *out)
{
    if (a->n == 2) {
        size_t i;
        const struct demo_message *m = message_arg(s, a->v[1], &i, out);
        if (!m)
            return;
        if (uidl)
            reply_ok(out, "%zu %s", i + 1, m->uidl);
        else
            reply_ok(out, "%zu %zu", i + 1, m->len);
        return;
    }
    size_t count;
    uint64_t size = live_size(s, &count);
    if (uidl)
        reply_ok(out, "unique-id listing follows");
    else
        reply_ok(out, "%zu messages (%llu octets)", count, (unsigned long long)size);
    for (size_t i = 0; i < s->count; i++) {
        if (s->deleted[i])
            continue;
        char line[128];
        if (uidl)
            snprintf(line, sizeof(line), "%zu %s", i + 1, s->msgs[i]->uidl);
        else
            snprintf(line, sizeof(line), "%zu %zu", i + 1, s->msgs[i]->len);
        emit_line(out, line);
    }
    emit(out, ".\r\n", 3);
}

static void cmd_list(struct demo_session *s, const struct args *a, struct pv_buf *out)
{
    scan_listing(s, a, false, out);
}

static void cmd_uidl(struct demo_session *s, const struct args *a, struct pv_buf *out)
{
    scan_listing(s, a, true, out);
}

static void cmd_retr(struct demo_session *s, const struct args *a, struct pv_buf *out)
{
    size_t i;
    const struct demo_message *m = message_arg(s, a->v[1], &i, out);
    if (!m)
        return;
    reply_ok(out, "%zu octets", m->len);
    emit_message(out, m, false, 0);
}

static void cmd_top(struct demo_session *s, const struct args *a, struct pv_buf *out)
{
    size_t i;
    const struct demo_message *m = message_arg(s, a->v[1], &i, out);
    if (!m)
        return;
    uint64_t lines;
    if (!pv_parse_u64(a->v[2], strlen(a->v[2]), &lines)) {
        reply_err(s, out, NULL, "the number of lines must be a non-negative decimal number");
        return;
    }
    reply_ok(out, "top of message follows");
    emit_message(out, m, true, lines);
}

static void cmd_dele(struct demo_session *s, const struct args *a, struct pv_buf *out)
{
    size_t i;
    if (!message_arg(s, a->v[1], &i, out))
        return;
    s->deleted[i] = true;
    reply_ok(out, "message %zu deleted", i + 1);
}

static void cmd_rset(struct demo_session *s, const struct args *a, struct pv_buf *out)
{
    (void)a;
    memset(s->deleted, 0, s->count * sizeof(*s->deleted));
    size_t count;
    uint64_t size = live_size(s, &count);
    reply_ok(out, "maildrop has %zu messages (%llu octets)", count, (unsigned long long)size);
}

static void cmd_noop(struct demo_session *s, const struct args *a, struct pv_buf *out)
{
    (void)s;
    (void)a;
    reply_ok(out, "%s", "");
}

/* The commands of RFC 1939 §5-7, RFC 2449 §5 (CAPA) and RFC 5034 §4 (AUTH). */
// clang-format off
static const struct command commands[] = {
    {.name = "USER", .states = IN_AUTH, .min = 1, .max = 1, .needs = FEAT_USER, .run = cmd_user},
    {.name = "PASS", .states = IN_AUTH, .min = 1, .max = REST, .needs = FEAT_USER, .run = cmd_pass},
    {.name = "APOP", .states = IN_AUTH, .min = 2, .max = 2, .needs = FEAT_APOP, .run = cmd_apop},
    {.name = "AUTH", .states = IN_AUTH, .min = 0, .max = 2, .needs = FEAT_SASL, .run = cmd_auth},
    {.name = "CAPA", .states = IN_BOTH, .min = 0, .max = 0, .needs = FEAT_CAPA, .run = cmd_capa},
    {.name = "QUIT", .states = IN_BOTH, .min = 0, .max = 0, .needs = FEAT_BASE, .run = cmd_quit},
    {.name = "STAT", .states = IN_TRANS, .min = 0, .max = 0, .needs = FEAT_BASE, .run = cmd_stat},
    {.name = "LIST", .states = IN_TRANS, .min = 0, .max = 1, .needs = FEAT_BASE, .run = cmd_list},
    {.name = "UIDL", .states = IN_TRANS, .min = 0, .max = 1, .needs = FEAT_UIDL, .run = cmd_uidl},
    {.name = "RETR", .states = IN_TRANS, .min = 1, .max = 1, .needs = FEAT_BASE, .run = cmd_retr},
    {.name = "TOP", .states = IN_TRANS, .min = 2, .max = 2, .needs = FEAT_TOP, .run = cmd_top},
    {.name = "DELE", .states = IN_TRANS, .min = 1, .max = 1, .needs = FEAT_BASE, .run = cmd_dele},
    {.name = "RSET", .states = IN_TRANS, .min = 0, .max = 0, .needs = FEAT_BASE, .run = cmd_rset},
    {.name = "NOOP", .states = IN_TRANS, .min = 0, .max = 0, .needs = FEAT_BASE, .run = cmd_noop},
};
// clang-format on

/* ---- dispatch ---- */

static const struct command *find_command(const struct demo_session *s, const char *keyword)
{
    for (size_t i = 0; i < PV_ARRAY_LEN(commands); i++)
        if (pv_ascii_ieq(keyword, commands[i].name))
            return feature_on(s->opts, commands[i].needs) ? &commands[i] : NULL;
    return NULL;
}

/*
 * Splits line at runs of spaces into a->v (v[0] is the keyword), keeping an
 * untouched copy of what follows the keyword in a->rest.
 */
static void split_args(char *line, struct args *a)
{
    a->n = 0;
    a->too_many = false;
    a->rest[0] = '\0';
    char *p = line;
    while (*p == ' ')
        p++;
    const char *space = strchr(p, ' ');
    if (space)
        snprintf(a->rest, sizeof(a->rest), "%s", space + 1);
    while (*p) {
        if (a->n == ARGS_MAX) {
            a->too_many = true;
            return;
        }
        a->v[a->n++] = p;
        while (*p && *p != ' ')
            p++;
        while (*p == ' ')
            *p++ = '\0';
    }
}

static void run_command(struct demo_session *s, char *line, struct pv_buf *out)
{
    struct args a;
    char keyword[8] = "";
    split_args(line, &a);
    if (a.n == 0) {
        reply_err(s, out, NULL, "empty command line");
        return;
    }
    const struct command *c = find_command(s, a.v[0]);
    if (!c) {
        reply_err(s, out, NULL, "unknown command");
        return;
    }
    snprintf(keyword, sizeof(keyword), "%s", c->name);
    unsigned state = s->state == ST_TRANSACTION ? IN_TRANS : IN_AUTH;
    if (!(c->states & state)) {
        reply_err(s, out, NULL, "%s is only valid %s", keyword,
                  state == IN_AUTH ? "after logging in" : "before logging in");
        return;
    }
    if (a.too_many && c->max != REST) {
        reply_err(s, out, NULL, "too many arguments");
        return;
    }
    int nargs = (int)a.n - 1;
    if (nargs < c->min) {
        reply_err(s, out, NULL, "%s needs %d argument%s", keyword, c->min, c->min == 1 ? "" : "s");
        return;
    }
    if (c->max != REST && nargs > c->max) {
        reply_err(s, out, NULL, "%s takes at most %d argument%s", keyword, c->max,
                  c->max == 1 ? "" : "s");
        return;
    }
    c->run(s, &a, out);
    pv_wipe(&a, sizeof(a)); /* the arguments may have held a password */
}

bool demo_session_line(struct demo_session *s, const char *line, size_t len, struct pv_buf *out)
{
    if (s->state == ST_CLOSED)
        return false;
    if (len + 2 > demo_session_line_max(s)) {
        demo_session_line_too_long(s, out);
        return true;
    }
    if (s->state == ST_SASL_PLAIN || s->state == ST_SASL_LOGIN_USER ||
        s->state == ST_SASL_LOGIN_PASS) {
        sasl_response(s, line, len, false, out);
        return true;
    }
    if (memchr(line, '\0', len)) {
        reply_err(s, out, NULL, "a command line may not contain NUL");
        return true;
    }
    char buf[DEMO_COMMAND_LINE_MAX + 1];
    memcpy(buf, line, len);
    buf[len] = '\0';
    run_command(s, buf, out);
    pv_wipe(buf, sizeof(buf)); /* it may have held a password */
    return s->state != ST_CLOSED;
}

size_t demo_session_line_max(const struct demo_session *s)
{
    switch (s->state) {
    case ST_SASL_PLAIN:
    case ST_SASL_LOGIN_USER:
    case ST_SASL_LOGIN_PASS:
        return DEMO_SASL_LINE_MAX;
    case ST_AUTHORIZATION:
    case ST_TRANSACTION:
    case ST_CLOSED:
        break;
    }
    return DEMO_COMMAND_LINE_MAX;
}

void demo_session_line_too_long(struct demo_session *s, struct pv_buf *out)
{
    if (s->state == ST_AUTHORIZATION || s->state == ST_TRANSACTION) {
        reply_err(s, out, NULL, "command line longer than %d octets (RFC 2449)",
                  DEMO_COMMAND_LINE_MAX);
        return;
    }
    clear_pending_user(s);
    s->state = ST_AUTHORIZATION;
    reply_err(s, out, NULL, "SASL response longer than %d octets; AUTH cancelled",
              DEMO_SASL_LINE_MAX);
}

/* ---- life cycle ---- */

struct demo_session *demo_session_new(struct demo_mailbox *mb,
                                      const struct demo_server_options *opts,
                                      unsigned long connection)
{
    struct demo_session *s = pv_xcalloc(1, sizeof(*s));
    s->mb = mb;
    s->opts = opts;
    s->state = ST_AUTHORIZATION;
    /* RFC 1939 §7: the timestamp must differ for every greeting. */
    snprintf(s->timestamp, sizeof(s->timestamp), "<%ld.%lu.%lld@%.100s>", (long)getpid(),
             connection, (long long)time(NULL),
             opts->hostname ? opts->hostname : "demo.popview.invalid");
    return s;
}

void demo_session_free(struct demo_session **sp)
{
    if (!sp || !*sp)
        return;
    struct demo_session *s = *sp;
    if (s->locked)
        demo_mailbox_unlock(s->mb, s->msgs, s->count, NULL);
    free(s->deleted);
    clear_pending_user(s);
    free(s);
    *sp = NULL;
}

void demo_session_greeting(struct demo_session *s, struct pv_buf *out)
{
    if (s->opts->apop)
        reply_ok(out, "popview demo POP3 server ready %s", s->timestamp);
    else
        reply_ok(out, "popview demo POP3 server ready");
}
