/*
 * Words for people: status names for logs, and what each RFC 2449 / RFC 3206
 * / RFC 6856 response code means in terms of what the user can do.
 */
#include <popview/util.h>

#include <popview/pop3.h>

#include <popview/i18n.h>

static const char *const status_names[] = {
    [POP3_OK] = "ok",
    [POP3_ERR_NET] = "network",
    [POP3_ERR_TLS] = "tls",
    [POP3_ERR_PROTOCOL] = "protocol",
    [POP3_ERR_SERVER] = "server",
    [POP3_ERR_AUTH] = "authentication",
    [POP3_ERR_STATE] = "state",
    [POP3_ERR_UNSUPPORTED] = "unsupported",
    [POP3_ERR_ABORTED] = "aborted",
    [POP3_ERR_ARG] = "argument",
};

const char *pop3_status_name(enum pop3_status st)
{
    if ((size_t)st < PV_ARRAY_LEN(status_names) && status_names[st])
        return status_names[st];
    return "unknown";
}

const char *pop3_resp_code_advice(enum pop3_resp_code code)
{
    switch (code) {
    case POP3_CODE_IN_USE: /* RFC 2449 section 8.1.1 */
        return _("the mailbox is open in another client (or an earlier session is still being "
                 "closed); close that client and retry");
    case POP3_CODE_LOGIN_DELAY: /* RFC 2449 section 8.1.2 */
        return _("the server allows only one login every few minutes (see LOGIN-DELAY in "
                 "--capa); wait and retry");
    case POP3_CODE_SYS_TEMP: /* RFC 3206 section 4 */
        return _("the server has a temporary problem (not your password); retry later");
    case POP3_CODE_SYS_PERM: /* RFC 3206 section 4 */
        return _("the server has a lasting problem with this mailbox (not your password); "
                 "contact the mail provider");
    case POP3_CODE_AUTH: /* RFC 3206 section 5 */
        return _("the server rejected the credentials; check the user name and password (many "
                 "providers need an app password for POP3)");
    case POP3_CODE_UTF8: /* RFC 6856 section 2 */
        return _("the server needs UTF-8 mode for this mailbox, and it could not be used");
    case POP3_CODE_NONE:
    case POP3_CODE_OTHER:
        break;
    }
    return NULL;
}
