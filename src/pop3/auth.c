/*
 * Logging in: USER/PASS and APOP (RFC 1939 section 7), and SASL through
 * AUTH (RFC 5034) with PLAIN (RFC 4616), LOGIN, XOAUTH2 and OAUTHBEARER
 * (RFC 7628).  A mechanism is a small step function: it is given each
 * server challenge and answers with the next client response.
 *
 * Every copy of the secret made here (base64 strings, the APOP digest, the
 * SASL message) is wiped before it is freed; the engine wipes the command
 * lines once they are written.  The transcript only ever sees "****".
 */
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <popview/util.h>

#include <popview/pop3.h>

#include <popview/i18n.h>

#include "private.h"
#include "session_private.h"

static const char *const mech_names[] = {
    [POP3_AUTH_AUTO] = "AUTO",
    [POP3_AUTH_USER] = "USER",
    [POP3_AUTH_APOP] = "APOP",
    [POP3_AUTH_PLAIN] = "PLAIN",
    [POP3_AUTH_LOGIN] = "LOGIN",
    [POP3_AUTH_XOAUTH2] = "XOAUTH2",
    [POP3_AUTH_OAUTHBEARER] = "OAUTHBEARER",
};

const char *pop3_auth_mech_name(enum pop3_auth_mech m)
{
    return (size_t)m < PV_ARRAY_LEN(mech_names) ? mech_names[m] : "?";
}

bool pop3_auth_mech_parse(const char *name, enum pop3_auth_mech *mech_out)
{
    for (size_t i = 0; i < PV_ARRAY_LEN(mech_names); i++) {
        if (pv_ascii_ieq(name, mech_names[i])) {
            *mech_out = (enum pop3_auth_mech)i;
            return true;
        }
    }
    return false;
}

enum pop3_auth_mech pop3_session_auth_mech(const struct pop3_session *s)
{
    return s->mech_used;
}

/* --- the SASL message of each mechanism ---------------------------------- */

/* Builds the first client message of a SASL mechanism into msg (secret). */
static void sasl_initial_message(struct pop3_session *s, const struct pop3_credentials *cred,
                                 enum pop3_auth_mech mech, struct pv_buf *msg)
{
    bool ok = true;
    switch (mech) {
    case POP3_AUTH_PLAIN: /* RFC 4616: authzid NUL authcid NUL passwd */
        ok = pv_buf_append_byte(msg, '\0') && pv_buf_append_str(msg, cred->user) &&
             pv_buf_append_byte(msg, '\0') && pv_buf_append_str(msg, cred->secret);
        break;
    case POP3_AUTH_XOAUTH2: /* Google's and Microsoft's documented format */
        ok = pv_buf_printf(msg, "user=%s\001auth=Bearer %s\001\001", cred->user, cred->secret);
        break;
    case POP3_AUTH_OAUTHBEARER: /* RFC 7628 section 3.1 */
        ok = pv_buf_printf(msg, "n,a=%s,\001host=%s\001auth=Bearer %s\001\001", cred->user, s->host,
                           cred->secret);
        break;
    default:
        break;
    }
    (void)ok; /* the buffer has no cap */
}

struct sasl_run {
    struct pop3_session *s;
    const struct pop3_credentials *cred;
    enum pop3_auth_mech mech;
    unsigned step;           /* client responses sent so far */
    bool sent_initial;       /* the message went with the AUTH command */
    bool cancelled;          /* we answered a challenge with "*" or an error ack */
    struct pv_buf challenge; /* the server's last decoded challenge (for errors) */
    struct pop3_simple_reply r;
    struct pv_error err;
    enum pop3_status status;
};

static void sasl_send(struct sasl_run *a, struct pop3_engine *eng, const void *data, size_t len)
{
    char *b64 = pop3_base64_encode(data, len);
    if (pop3_engine_sasl_respond(eng, b64, &a->err) != POP3_OK)
        a->status = POP3_ERR_PROTOCOL;
    pv_free_secret(&b64);
}

static void sasl_cancel(struct sasl_run *a, struct pop3_engine *eng, const char *line)
{
    a->cancelled = true;
    if (pop3_engine_sasl_respond(eng, line, &a->err) != POP3_OK)
        a->status = POP3_ERR_PROTOCOL;
}

/* One server challenge: decide the next client response. */
static void sasl_on_challenge(struct sasl_run *a, struct pop3_engine *eng,
                              const struct pop3_event *ev)
{
    pv_buf_reset(&a->challenge);
    if (!pop3_base64_decode(ev->text, ev->len, &a->challenge))
        pv_buf_reset(&a->challenge);
    unsigned step = a->step++;
    switch (a->mech) {
    case POP3_AUTH_LOGIN: /* "Username:" then "Password:" */
        if (step == 0)
            sasl_send(a, eng, a->cred->user, strlen(a->cred->user));
        else if (step == 1)
            sasl_send(a, eng, a->cred->secret, strlen(a->cred->secret));
        else
            sasl_cancel(a, eng, "*");
        return;
    case POP3_AUTH_PLAIN:
    case POP3_AUTH_XOAUTH2:
    case POP3_AUTH_OAUTHBEARER:
        if (step == 0 && !a->sent_initial) {
            struct pv_buf msg;
            pv_buf_init(&msg, 0);
            sasl_initial_message(a->s, a->cred, a->mech, &msg);
            sasl_send(a, eng, msg.data, msg.len);
            pv_buf_free_secret(&msg);
        } else if (a->mech == POP3_AUTH_XOAUTH2) {
            /* A challenge after the token carries a JSON error; an empty
             * response makes the server finish with -ERR. */
            sasl_cancel(a, eng, "");
        } else if (a->mech == POP3_AUTH_OAUTHBEARER) {
            /* RFC 7628 section 3.2.3: acknowledge the error with %x01. */
            sasl_cancel(a, eng, "AQ==");
        } else {
            sasl_cancel(a, eng, "*");
        }
        return;
    default:
        sasl_cancel(a, eng, "*");
        return;
    }
}

static bool sasl_on_event(void *ctx, struct pop3_engine *eng, const struct pop3_event *ev)
{
    struct sasl_run *a = ctx;
    if (ev->kind == POP3_EV_CONTINUE)
        sasl_on_challenge(a, eng, ev);
    return true;
}

static void sasl_on_done(void *ctx, struct pop3_engine *eng, bool ok, const char *text,
                         enum pop3_resp_code code)
{
    (void)eng;
    struct sasl_run *a = ctx;
    a->r.done = true;
    a->r.ok = ok;
    a->r.code = code;
    snprintf(a->r.text, sizeof a->r.text, "%s", text ? text : "");
}

/* RFC 5034 section 4: the AUTH line with its initial response must fit in
 * 255 octets, or the response waits for the first (empty) challenge. */
static bool initial_response_fits(const char *mech, size_t b64_len)
{
    return strlen("AUTH ") + strlen(mech) + 1 + b64_len + 2 <= POP3_MAX_COMMAND_LINE;
}

static enum pop3_status auth_sasl(struct pop3_session *s, const struct pop3_credentials *cred,
                                  enum pop3_auth_mech mech, struct pop3_simple_reply *r,
                                  struct pv_error *err)
{
    struct sasl_run a = {.s = s, .cred = cred, .mech = mech, .status = POP3_OK};
    pv_buf_init(&a.challenge, 4096);
    pv_error_clear(&a.err);
    const char *name = pop3_auth_mech_name(mech);
    char *b64 = NULL;
    if (mech != POP3_AUTH_LOGIN) {
        struct pv_buf msg;
        pv_buf_init(&msg, 0);
        sasl_initial_message(s, cred, mech, &msg);
        b64 = pop3_base64_encode(msg.data, msg.len);
        pv_buf_free_secret(&msg);
        if (!initial_response_fits(name, strlen(b64)))
            pv_free_secret(&b64);
    }
    a.sent_initial = b64 != NULL;
    const char *args[] = {name, b64};
    struct pop3_reply_handler h = {.on_event = sasl_on_event, .on_done = sasl_on_done, .ctx = &a};
    enum pop3_status st = pop3_engine_queue(s->eng, POP3_CMD_AUTH, args, b64 ? 2 : 1, &h, err);
    pv_free_secret(&b64);
    if (st == POP3_OK)
        st = pop3_engine_drain(s->eng, err);
    if (st == POP3_OK && a.status != POP3_OK) {
        if (err)
            *err = a.err;
        st = a.status;
    }
    *r = a.r;
    if (st == POP3_OK && !r->ok && a.challenge.len && mech != POP3_AUTH_LOGIN) {
        /* OAuth errors come as a JSON challenge: worth showing. */
        size_t used = strlen(r->text);
        if (used + 4 < sizeof r->text)
            snprintf(r->text + used, sizeof r->text - used, " (%.*s)",
                     (int)(sizeof r->text - used - 4), a.challenge.data);
    }
    pv_buf_free(&a.challenge);
    return st;
}

/* --- USER/PASS and APOP --------------------------------------------------- */

static enum pop3_status auth_user_pass(struct pop3_session *s, const struct pop3_credentials *cred,
                                       struct pop3_simple_reply *r, struct pv_error *err)
{
    const char *uargs[] = {cred->user};
    enum pop3_status st = pop3_session_simple(s, POP3_CMD_USER, uargs, 1, r, err);
    if (st != POP3_OK || !r->ok)
        return st;
    const char *pargs[] = {cred->secret};
    return pop3_session_simple(s, POP3_CMD_PASS, pargs, 1, r, err);
}

static enum pop3_status auth_apop(struct pop3_session *s, const struct pop3_credentials *cred,
                                  struct pop3_simple_reply *r, struct pv_error *err)
{
    /* RFC 1939 section 7: MD5 of timestamp followed by the shared secret. */
    struct pv_buf in;
    pv_buf_init(&in, 0);
    bool ok = pv_buf_append_str(&in, s->apop_ts) && pv_buf_append_str(&in, cred->secret);
    (void)ok;
    unsigned char md5[16];
    int rc = gnutls_hash_fast(GNUTLS_DIG_MD5, in.data, in.len, md5);
    pv_buf_free_secret(&in);
    if (rc < 0) {
        pv_error_set(err, _("APOP needs MD5, which this GnuTLS refuses (%s)"), gnutls_strerror(rc));
        return POP3_ERR_UNSUPPORTED;
    }
    char hex[33];
    for (size_t i = 0; i < sizeof md5; i++)
        snprintf(hex + 2 * i, 3, "%02x", md5[i]);
    const char *args[] = {cred->user, hex};
    enum pop3_status st = pop3_session_simple(s, POP3_CMD_APOP, args, 2, r, err);
    pv_wipe(hex, sizeof hex);
    pv_wipe(md5, sizeof md5);
    return st;
}

/* --- choosing ------------------------------------------------------------- */

static bool sasl_offered(const struct pop3_session *s, enum pop3_auth_mech m)
{
    return pop3_capa_has_word(&s->capa, "SASL", pop3_auth_mech_name(m));
}

/* Is a forced mechanism usable?  Fills err when it is certainly not. */
static enum pop3_status check_forced(struct pop3_session *s, enum pop3_auth_mech m,
                                     struct pv_error *err)
{
    switch (m) {
    case POP3_AUTH_USER:
        return POP3_OK; /* core command: try even if CAPA is silent about USER */
    case POP3_AUTH_APOP:
        if (s->apop_ts)
            return POP3_OK;
        pv_error_set(err, _("--auth APOP: the server's greeting has no APOP timestamp, so it does "
                            "not support APOP"));
        return POP3_ERR_UNSUPPORTED;
    default:
        if (!s->capa.known || sasl_offered(s, m))
            return POP3_OK;
        {
            const char *offer = pop3_capa_find(&s->capa, "SASL");
            pv_error_set(err, _("--auth %s: the server does not offer it (it offers %s%s)"),
                         pop3_auth_mech_name(m), offer && *offer ? "SASL " : "",
                         offer && *offer ? offer : "no SASL mechanisms");
        }
        return POP3_ERR_UNSUPPORTED;
    }
}

static enum pop3_auth_mech choose_mech(const struct pop3_session *s)
{
    bool encrypted = s->eng && net_stream_is_tls(pop3_engine_stream(s->eng));
    /* In clear, APOP at least keeps the password off the wire. */
    if (!encrypted && s->apop_ts)
        return POP3_AUTH_APOP;
    if (sasl_offered(s, POP3_AUTH_PLAIN))
        return POP3_AUTH_PLAIN;
    if (!s->capa.known || pop3_capa_find(&s->capa, "USER"))
        return POP3_AUTH_USER;
    if (s->apop_ts)
        return POP3_AUTH_APOP;
    if (sasl_offered(s, POP3_AUTH_LOGIN))
        return POP3_AUTH_LOGIN;
    return POP3_AUTH_USER;
}

/* RFC 6856 section 2: UTF8 is only valid before authentication. */
static enum pop3_status enable_utf8(struct pop3_session *s, struct pv_error *err)
{
    if (!pop3_capa_find(&s->capa, "UTF8"))
        return POP3_OK;
    struct pop3_simple_reply r;
    enum pop3_status st = pop3_session_simple(s, POP3_CMD_UTF8, NULL, 0, &r, err);
    if (st != POP3_OK)
        return st;
    s->utf8 = r.ok;
    if (!r.ok)
        pop3_engine_info(s->eng, _("the server offered UTF8 but refused it; continuing in ASCII"));
    return POP3_OK;
}

static enum pop3_status login_failed(struct pop3_session *s, const struct pop3_credentials *cred,
                                     enum pop3_auth_mech m, const struct pop3_simple_reply *r,
                                     struct pv_error *err)
{
    (void)s;
    pv_error_set_server(err, r->text, strlen(r->text));
    const char *advice = pop3_resp_code_advice(r->code);
    switch (r->code) {
    case POP3_CODE_IN_USE:
    case POP3_CODE_LOGIN_DELAY:
    case POP3_CODE_SYS_TEMP:
    case POP3_CODE_SYS_PERM:
        /* Not a wrong password: the server says why it cannot let us in. */
        pv_error_set(err, _("login as %s refused: %s (server: \"%s\")"), cred->user, advice,
                     err->server);
        return POP3_ERR_SERVER;
    default:
        pv_error_set(err,
                     _("login as %s failed (%s): the server rejected the user name or password "
                       "(server: \"%s\")"),
                     cred->user, pop3_auth_mech_name(m), err->server);
        return POP3_ERR_AUTH;
    }
}

enum pop3_status pop3_session_login(struct pop3_session *s, const struct pop3_credentials *cred,
                                    struct pv_error *err)
{
    enum pop3_status st = pop3_session_require(s, POP3_CMD_USER, err);
    if (st != POP3_OK)
        return st;
    if (!cred->user || !*cred->user || !cred->secret) {
        pv_error_set(err, _("login needs a user name and a password"));
        return POP3_ERR_ARG;
    }
    st = enable_utf8(s, err);
    if (st != POP3_OK)
        return st;
    enum pop3_auth_mech m = cred->mech;
    if (m != POP3_AUTH_AUTO) {
        st = check_forced(s, m, err);
        if (st != POP3_OK)
            return st;
    } else {
        m = choose_mech(s);
    }
    pop3_engine_info(s->eng, _("logging in as %s with %s"), cred->user, pop3_auth_mech_name(m));

    struct pop3_simple_reply r = {0};
    if (m == POP3_AUTH_USER)
        st = auth_user_pass(s, cred, &r, err);
    else if (m == POP3_AUTH_APOP)
        st = auth_apop(s, cred, &r, err);
    else
        st = auth_sasl(s, cred, m, &r, err);
    if (st != POP3_OK)
        return st;
    if (!r.ok)
        return login_failed(s, cred, m, &r, err);

    s->mech_used = m;
    pop3_session_set_state(s, POP3_STATE_TRANSACTION);
    /* Some servers announce TOP, UIDL or PIPELINING only after login.  With
     * PIPELINING the CAPA goes out with the commands that follow (STAT,
     * LIST, UIDL): a round trip less before the index. */
    if (pop3_session_pipelining(s))
        return pop3_session_queue_capa(s, err);
    return pop3_session_refresh_capa(s, err);
}
