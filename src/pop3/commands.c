/*
 * The POP3 command table and the encoder.  The table says, for every
 * command, where the RFCs allow it, how many arguments it takes, which of
 * them are secret, whether the reply is multi-line, which CAPA tag
 * announces it and where it is specified; the engine, the session and the
 * help text all read it instead of repeating that knowledge.
 *
 * The encoder is the one place where a command line is built, so it is the
 * one place that refuses line injection ("USER a\r\nDELE 1") and the one
 * place that masks secrets for the transcript.
 *
 * Glossary: the *masked* form is the line as the transcript shows it, with
 * secrets replaced by "****" and without CRLF.
 */
#include <stdlib.h>
#include <string.h>

#include <popview/util.h>

#include <popview/pop3.h>

#include <popview/i18n.h>

static const char *const state_names[] = {
    [POP3_STATE_DISCONNECTED] = "DISCONNECTED",
    [POP3_STATE_AUTHORIZATION] = "AUTHORIZATION",
    [POP3_STATE_TRANSACTION] = "TRANSACTION",
    [POP3_STATE_UPDATE] = "UPDATE",
};

const char *pop3_state_name(enum pop3_state st)
{
    if ((unsigned)st >= PV_ARRAY_LEN(state_names))
        return "UNKNOWN";
    return state_names[st];
}

enum { IN_BOTH = POP3_IN_AUTHORIZATION | POP3_IN_TRANSACTION };

/* RFC 1939 section 4 (AUTHORIZATION), 5 (TRANSACTION), 6 (UPDATE), 7
 * (optional commands); extensions as cited. */
static const struct pop3_cmd_info cmd_table[POP3_CMD_COUNT_] = {
    [POP3_CMD_USER] = {.cmd = POP3_CMD_USER,
                       .name = "USER",
                       .states = POP3_IN_AUTHORIZATION,
                       .min_args = 1,
                       .max_args = 1,
                       .capability = "USER",
                       .rfc = "RFC 1939 section 7"},
    [POP3_CMD_PASS] = {.cmd = POP3_CMD_PASS,
                       .name = "PASS",
                       .states = POP3_IN_AUTHORIZATION,
                       .min_args = 1,
                       .max_args = 1,
                       .secret = POP3_SECRET_ALL_ARGS,
                       .capability = "USER",
                       .rfc = "RFC 1939 section 7"},
    /* APOP is announced by the timestamp in the greeting, not by CAPA. */
    [POP3_CMD_APOP] = {.cmd = POP3_CMD_APOP,
                       .name = "APOP",
                       .states = POP3_IN_AUTHORIZATION,
                       .min_args = 2,
                       .max_args = 2,
                       .secret = POP3_SECRET_LAST_ARG,
                       .rfc = "RFC 1939 section 7"},
    /* Second argument: the optional initial response (RFC 5034 section 4). */
    [POP3_CMD_AUTH] = {.cmd = POP3_CMD_AUTH,
                       .name = "AUTH",
                       .states = POP3_IN_AUTHORIZATION,
                       .min_args = 1,
                       .max_args = 2,
                       .secret = POP3_SECRET_LAST_ARG,
                       .capability = "SASL",
                       .rfc = "RFC 5034 section 4"},
    [POP3_CMD_SASL_RESPONSE] = {.cmd = POP3_CMD_SASL_RESPONSE,
                                .name = "",
                                .states = POP3_IN_AUTHORIZATION,
                                .min_args = 1,
                                .max_args = 1,
                                .secret = POP3_SECRET_ALL_ARGS,
                                .capability = "SASL",
                                .rfc = "RFC 5034 section 4"},
    [POP3_CMD_STLS] = {.cmd = POP3_CMD_STLS,
                       .name = "STLS",
                       .states = POP3_IN_AUTHORIZATION,
                       .capability = "STLS",
                       .rfc = "RFC 2595 section 4"},
    [POP3_CMD_CAPA] = {.cmd = POP3_CMD_CAPA,
                       .name = "CAPA",
                       .states = IN_BOTH,
                       .multi_without_arg = true,
                       .multi_with_arg = true,
                       .rfc = "RFC 2449 section 5"},
    [POP3_CMD_UTF8] = {.cmd = POP3_CMD_UTF8,
                       .name = "UTF8",
                       .states = POP3_IN_AUTHORIZATION,
                       .capability = "UTF8",
                       .rfc = "RFC 6856 section 2"},
    /* Without an argument LANG lists the languages (multi-line); with one
     * it selects a language. */
    [POP3_CMD_LANG] = {.cmd = POP3_CMD_LANG,
                       .name = "LANG",
                       .states = IN_BOTH,
                       .max_args = 1,
                       .multi_without_arg = true,
                       .capability = "LANG",
                       .rfc = "RFC 6856 section 3"},
    [POP3_CMD_STAT] = {.cmd = POP3_CMD_STAT,
                       .name = "STAT",
                       .states = POP3_IN_TRANSACTION,
                       .rfc = "RFC 1939 section 5"},
    [POP3_CMD_LIST] = {.cmd = POP3_CMD_LIST,
                       .name = "LIST",
                       .states = POP3_IN_TRANSACTION,
                       .max_args = 1,
                       .multi_without_arg = true,
                       .rfc = "RFC 1939 section 5"},
    [POP3_CMD_UIDL] = {.cmd = POP3_CMD_UIDL,
                       .name = "UIDL",
                       .states = POP3_IN_TRANSACTION,
                       .max_args = 1,
                       .multi_without_arg = true,
                       .capability = "UIDL",
                       .rfc = "RFC 1939 section 7"},
    [POP3_CMD_TOP] = {.cmd = POP3_CMD_TOP,
                      .name = "TOP",
                      .states = POP3_IN_TRANSACTION,
                      .min_args = 2,
                      .max_args = 2,
                      .multi_without_arg = true,
                      .multi_with_arg = true,
                      .capability = "TOP",
                      .rfc = "RFC 1939 section 7"},
    [POP3_CMD_RETR] = {.cmd = POP3_CMD_RETR,
                       .name = "RETR",
                       .states = POP3_IN_TRANSACTION,
                       .min_args = 1,
                       .max_args = 1,
                       .multi_without_arg = true,
                       .multi_with_arg = true,
                       .rfc = "RFC 1939 section 5"},
    [POP3_CMD_DELE] = {.cmd = POP3_CMD_DELE,
                       .name = "DELE",
                       .states = POP3_IN_TRANSACTION,
                       .min_args = 1,
                       .max_args = 1,
                       .rfc = "RFC 1939 section 5"},
    [POP3_CMD_RSET] = {.cmd = POP3_CMD_RSET,
                       .name = "RSET",
                       .states = POP3_IN_TRANSACTION,
                       .rfc = "RFC 1939 section 5"},
    [POP3_CMD_NOOP] = {.cmd = POP3_CMD_NOOP,
                       .name = "NOOP",
                       .states = POP3_IN_TRANSACTION,
                       .rfc = "RFC 1939 section 5"},
    /* In AUTHORIZATION QUIT just closes (section 4); in TRANSACTION it
     * enters UPDATE and removes the deleted messages (section 6). */
    [POP3_CMD_QUIT] = {.cmd = POP3_CMD_QUIT,
                       .name = "QUIT",
                       .states = IN_BOTH,
                       .rfc = "RFC 1939 sections 4 and 6"},
};

const struct pop3_cmd_info *pop3_cmd_info(enum pop3_cmd cmd)
{
    if ((unsigned)cmd >= POP3_CMD_COUNT_)
        return NULL;
    return &cmd_table[cmd];
}

/* SASL_RESPONSE has no wire name ("") and so is never found. */
const struct pop3_cmd_info *pop3_cmd_lookup(const char *name)
{
    if (!name || !name[0])
        return NULL;
    for (size_t i = 0; i < PV_ARRAY_LEN(cmd_table); i++) {
        if (cmd_table[i].name[0] && pv_ascii_ieq(name, cmd_table[i].name))
            return &cmd_table[i];
    }
    return NULL;
}

enum pop3_reply_kind pop3_cmd_reply_kind(enum pop3_cmd cmd, size_t nargs)
{
    const struct pop3_cmd_info *info = pop3_cmd_info(cmd);
    if (!info)
        return POP3_REPLY_SINGLE;
    /* RFC 5034 section 4: AUTH and each client response may be answered
     * by a "+ " continuation as well as by a status. */
    if (cmd == POP3_CMD_AUTH || cmd == POP3_CMD_SASL_RESPONSE)
        return POP3_REPLY_SASL;
    bool multi = nargs == 0 ? info->multi_without_arg : info->multi_with_arg;
    return multi ? POP3_REPLY_MULTI : POP3_REPLY_SINGLE;
}

/* ---- the encoder ------------------------------------------------------- */

static bool arg_is_secret(const struct pop3_cmd_info *info, size_t i)
{
    switch (info->secret) {
    case POP3_SECRET_NONE:
        return false;
    case POP3_SECRET_ALL_ARGS:
        return true;
    case POP3_SECRET_LAST_ARG:
        /* The argument in the last position the command has, if given:
         * the APOP digest, AUTH's initial response (not the mechanism). */
        return i + 1 == info->max_args;
    }
    return false;
}

/*
 * RFC 1939 section 3: arguments are printable ASCII separated by single
 * spaces.  CR and LF would end the line early and smuggle a second command
 * in; other control characters have no business in a command either.
 * Bytes >= 0x80 pass: RFC 6856 allows UTF-8 user names and passwords.
 * The argument itself is never quoted in the message: it may be a secret.
 */
static bool check_arg(const struct pop3_cmd_info *info, size_t i, const char *arg,
                      struct pv_error *err)
{
    const char *name = info->cmd == POP3_CMD_SASL_RESPONSE ? "SASL response" : info->name;
    if (!arg) {
        pv_error_set(err, _("%s: argument %zu is missing"), name, i + 1);
        return false;
    }
    /* RFC 5034 section 4: a client response may be empty (an empty line). */
    if (!arg[0] && info->cmd != POP3_CMD_SASL_RESPONSE) {
        pv_error_set(err, _("%s: argument %zu is empty"), name, i + 1);
        return false;
    }
    for (const char *s = arg; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '\r' || c == '\n') {
            pv_error_set(err,
                         _("%s: argument %zu contains a line break, which would end the "
                           "command early (refused to prevent command injection)"),
                         name, i + 1);
            return false;
        }
        if (c < 0x20 || c == 0x7f) {
            pv_error_set(err, _("%s: argument %zu contains a control character (0x%02x)"), name,
                         i + 1, c);
            return false;
        }
        /* RFC 1939 section 7: only PASS may carry spaces in its argument. */
        if (c == ' ' && info->cmd != POP3_CMD_PASS) {
            pv_error_set(err, _("%s: argument %zu contains a space"), name, i + 1);
            return false;
        }
    }
    return true;
}

static bool check_args(const struct pop3_cmd_info *info, const char *const *args, size_t nargs,
                       struct pv_error *err)
{
    const char *name = info->cmd == POP3_CMD_SASL_RESPONSE ? "SASL response" : info->name;
    if (nargs < info->min_args || nargs > info->max_args) {
        if (info->min_args == info->max_args)
            pv_error_set(err,
                         P_("%s takes %u argument, not %zu (%s)",
                            "%s takes %u arguments, not %zu (%s)", info->min_args),
                         name, info->min_args, nargs, info->rfc);
        else
            pv_error_set(err, _("%s takes %u to %u arguments, not %zu (%s)"), name, info->min_args,
                         info->max_args, nargs, info->rfc);
        return false;
    }
    if (nargs > 0 && !args) {
        pv_error_set(err, _("%s: the arguments are missing"), name);
        return false;
    }
    for (size_t i = 0; i < nargs; i++) {
        if (!check_arg(info, i, args[i], err))
            return false;
    }
    return true;
}

/* Length of the line with CRLF; SIZE_MAX on overflow (cannot happen with
 * real strings, but the sum is checked anyway). */
static size_t line_length(const struct pop3_cmd_info *info, const char *const *args, size_t nargs)
{
    size_t n = strlen(info->name) + 2;
    for (size_t i = 0; i < nargs; i++) {
        size_t a = strlen(args[i]);
        size_t sep = info->name[0] || i > 0 ? 1 : 0;
        if (a > SIZE_MAX - n - sep)
            return SIZE_MAX;
        n += a + sep;
    }
    return n;
}

/* Builds the line in one exact-size block, so growing line_out never leaves
 * copies of a password behind in freed memory. */
static bool write_line(const struct pop3_cmd_info *info, const char *const *args, size_t nargs,
                       size_t total, struct pv_buf *line_out, struct pv_error *err)
{
    char *tmp = pv_xmalloc(total);
    size_t o = 0;
    size_t n = strlen(info->name);
    memcpy(tmp, info->name, n);
    o += n;
    for (size_t i = 0; i < nargs; i++) {
        if (info->name[0] || i > 0)
            tmp[o++] = ' ';
        n = strlen(args[i]);
        memcpy(tmp + o, args[i], n);
        o += n;
    }
    tmp[o++] = '\r';
    tmp[o++] = '\n';
    bool ok = pv_buf_append(line_out, tmp, o);
    pv_wipe(tmp, total);
    free(tmp);
    if (!ok)
        pv_error_set(err, _("the %zu-octet command line does not fit the output buffer"), total);
    return ok;
}

static bool write_masked(const struct pop3_cmd_info *info, const char *const *args, size_t nargs,
                         struct pv_buf *masked_out, struct pv_error *err)
{
    bool ok = true;
    if (info->cmd == POP3_CMD_SASL_RESPONSE) {
        ok = pv_buf_append_str(masked_out, "****");
    } else {
        ok = pv_buf_append_str(masked_out, info->name);
        for (size_t i = 0; ok && i < nargs; i++) {
            ok = pv_buf_append_byte(masked_out, ' ') &&
                 pv_buf_append_str(masked_out, arg_is_secret(info, i) ? "****" : args[i]);
        }
    }
    if (!ok)
        pv_error_set(err, _("the masked command line does not fit the output buffer"));
    return ok;
}

/* Empties a buffer that may hold the previous call's secret. */
static void wipe_and_reset(struct pv_buf *b)
{
    if (!b)
        return;
    pv_wipe(b->data, b->alloc);
    pv_buf_reset(b);
}

bool pop3_encode(enum pop3_cmd cmd, const char *const *args, size_t nargs, struct pv_buf *line_out,
                 struct pv_buf *masked_out, struct pv_error *err)
{
    wipe_and_reset(line_out);
    wipe_and_reset(masked_out);
    const struct pop3_cmd_info *info = pop3_cmd_info(cmd);
    if (!info) {
        pv_error_set(err, _("unknown POP3 command number %d"), (int)cmd);
        return false;
    }
    if (!check_args(info, args, nargs, err))
        return false;
    size_t total = line_length(info, args, nargs);
    /* RFC 2449 section 4 caps command lines at 255 octets; RFC 5034
     * section 4 exempts client responses but not AUTH itself: a caller
     * whose initial response makes AUTH too long sends AUTH without it
     * and answers the server's "+" instead. */
    if (cmd != POP3_CMD_SASL_RESPONSE && total > POP3_MAX_COMMAND_LINE) {
        if (cmd == POP3_CMD_AUTH && nargs == 2)
            pv_error_set(err,
                         _("AUTH with this initial response would be %zu octets, more than the "
                           "%d allowed; send the response after the server's \"+\" instead "
                           "(RFC 5034 section 4)"),
                         total, POP3_MAX_COMMAND_LINE);
        else
            pv_error_set(err,
                         _("the %s command line would be %zu octets, more than the %d allowed "
                           "(RFC 2449 section 4)"),
                         info->name, total, POP3_MAX_COMMAND_LINE);
        return false;
    }
    if (line_out && !write_line(info, args, nargs, total, line_out, err))
        return false;
    if (masked_out && !write_masked(info, args, nargs, masked_out, err)) {
        wipe_and_reset(line_out);
        return false;
    }
    return true;
}

bool pop3_uidl_valid(const char *uid, size_t len)
{
    if (!uid || len == 0 || len > POP3_UIDL_MAX)
        return false;
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)uid[i] < 0x21 || (unsigned char)uid[i] > 0x7e)
            return false;
    return true;
}
