/*
 * The error value.  Server text is sanitized on the way in: it is shown on a
 * terminal and written to logs, and a hostile server must not be able to
 * smuggle escape sequences through an -ERR line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <popview/util.h>

void pv_error_clear(struct pv_error *err)
{
    if (!err)
        return;
    err->msg[0] = '\0';
    err->server[0] = '\0';
}

void pv_error_vset(struct pv_error *err, const char *fmt, va_list ap)
{
    if (!err)
        return;
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
}

void pv_error_set(struct pv_error *err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    pv_error_vset(err, fmt, ap);
    va_end(ap);
}

void pv_error_prefix(struct pv_error *err, const char *fmt, ...)
{
    if (!err)
        return;
    char prefix[PV_ERROR_MSG_MAX];
    char old[PV_ERROR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof prefix, fmt, ap);
    va_end(ap);
    memcpy(old, err->msg, sizeof old);
    /* Truncation is acceptable here: a long message keeps its beginning. */
    char *joined = old[0] ? pv_xasprintf("%s: %s", prefix, old) : pv_xstrdup(prefix);
    size_t n = strlen(joined);
    if (n >= sizeof err->msg)
        n = sizeof err->msg - 1;
    memcpy(err->msg, joined, n);
    err->msg[n] = '\0';
    free(joined);
}

void pv_error_set_server(struct pv_error *err, const char *text, size_t len)
{
    if (!err)
        return;
    size_t o = 0;
    for (size_t i = 0; i < len && o + 1 < sizeof err->server; i++) {
        unsigned char c = (unsigned char)text[i];
        /* C0 controls and DEL become '?'; UTF-8 passes (the mail layer's
         * sanitizer handles C1 and bidi controls where text is rendered). */
        if (c < 0x20 || c == 0x7f)
            c = '?';
        err->server[o++] = (char)c;
    }
    err->server[o] = '\0';
}
