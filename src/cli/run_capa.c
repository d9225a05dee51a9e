/*
 * --capa: what the server is, without logging in: the greeting, the
 * capabilities it announces before authentication (RFC 2449), the
 * languages it offers (RFC 6856), and the TLS session with its certificate.
 * Everything the server sent is sanitized before it reaches the terminal.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <popview/util.h>

#include <popview/net.h>

#include <popview/pop3.h>

#include <popview/mail.h>

#include <popview/i18n.h>

#include "cli.h"

enum { LABEL_COLS = 13 };

/* The label, padded to LABEL_COLS terminal columns (a translated label may
 * hold characters of several octets), and the space after it. */
static void print_label(FILE *out, const char *label)
{
    fputs(label, out);
    for (size_t cols = cli_text_columns(label); cols < LABEL_COLS; cols++)
        fputc(' ', out);
    fputc(' ', out);
}

static void print_field(FILE *out, const char *label, const char *fmt, ...) PV_PRINTF(3, 4);

static void print_field(FILE *out, const char *label, const char *fmt, ...)
{
    print_label(out, label);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(out, fmt, ap);
    va_end(ap);
    fputc('\n', out);
}

static void print_safe(FILE *out, const char *label, const char *text)
{
    struct pv_buf b;
    pv_buf_init(&b, 0);
    mail_sanitize(text, strlen(text), MAIL_SANITIZE_ONE_LINE, &b);
    print_field(out, label, "%s", b.data ? b.data : "");
    pv_buf_free(&b);
}

static void format_day(int64_t when, char *buf, size_t size)
{
    time_t t = (time_t)when;
    struct tm tm;
    if (!gmtime_r(&t, &tm) || strftime(buf, size, "%Y-%m-%d %H:%M UTC", &tm) == 0)
        snprintf(buf, size, "?");
}

static void print_tls(FILE *out, const struct pop3_session *s, bool demo)
{
    struct net_tls_info info;
    if (demo) {
        print_field(out, "TLS:", "%s",
                    _("none (an in-process demo server: nothing leaves this machine)"));
        return;
    }
    if (!pop3_session_tls_info(s, &info)) {
        print_field(out, "TLS:", "%s", _("none (plain connection: the password crosses in clear)"));
        return;
    }
    char from[40], until[40];
    format_day(info.not_before, from, sizeof from);
    format_day(info.not_after, until, sizeof until);
    print_field(out, "TLS:", "%s, %s", info.protocol, info.cipher);
    print_safe(out, _("Subject:"), info.subject);
    print_safe(out, _("Issuer:"), info.issuer);
    print_field(out, _("Valid:"), _("%s to %s"), from, until);
    print_field(out, "SHA-256:", "%s", info.fingerprint);
    print_field(out, _("Chain:"), P_("%u certificate", "%u certificates", info.chain_length),
                info.chain_length);
    if (info.verified)
        print_field(out, _("Verified:"), "%s", _("yes"));
    else
        print_safe(out, _("Verified:"),
                   info.verify_problem[0] ? info.verify_problem : _("NO (--insecure)"));
}

static void print_capabilities(FILE *out, const struct pop3_session *s)
{
    if (!pop3_session_capa_known(s)) {
        fputs(_("Capabilities: the server does not answer CAPA (RFC 2449); popview will find TOP "
                "and UIDL by trying them\n"),
              out);
        return;
    }
    fputs(_("Capabilities (before login; servers may announce more after it):\n"), out);
    for (size_t i = 0; i < pop3_session_capa_count(s); i++)
        print_safe(out, "", pop3_session_capa_line(s, i));
}

static void print_languages(FILE *out, struct pop3_session *s)
{
    if (!pop3_session_has_capa(s, "LANG"))
        return;
    char **langs = NULL;
    size_t n = 0;
    struct pv_error err;
    pv_error_clear(&err);
    if (pop3_session_lang_list(s, &langs, &n, &err) != POP3_OK) {
        print_safe(out, _("Languages:"), err.msg);
        return;
    }
    fputs(_("Languages (RFC 6856 LANG):\n"), out);
    for (size_t i = 0; i < n; i++) {
        print_safe(out, "", langs[i]);
        free(langs[i]);
    }
    free(langs);
}

enum cli_exit cli_run_capa(const struct cli_options *opts, struct cli_trace *trace, int demo_fd,
                           FILE *out)
{
    struct pv_error err;
    pv_error_clear(&err);
    struct pop3_session *s = NULL;
    enum cli_exit rc = cli_session_connect(opts, trace, demo_fd, &s, &err);
    if (rc != CLI_EXIT_OK) {
        cli_print_error(err.msg);
        return rc;
    }
    const char *how = demo_fd >= 0 || opts->no_tls         ? _("no TLS")
                      : opts->url->tls == CLI_TLS_IMPLICIT ? _("implicit TLS")
                                                           : "STLS";
    if (demo_fd >= 0)
        print_field(out, _("Server:"), "%s", _("the built-in demo server"));
    else
        print_field(out, _("Server:"), _("%s port %s (%s)"), opts->url->host, opts->url->port, how);
    print_safe(out, _("Greeting:"), pop3_session_greeting(s));
    print_field(out, "APOP:", "%s",
                pop3_session_apop_timestamp(s) ? _("offered (the greeting has a timestamp)")
                                               : _("not offered"));
    print_tls(out, s, demo_fd >= 0);
    print_capabilities(out, s);
    print_languages(out, s);
    enum pop3_status st = pop3_session_quit(s, NULL, &err);
    pop3_session_free(&s);
    if (st != POP3_OK) {
        cli_print_error(err.msg);
        return cli_exit_for_pop3(st);
    }
    return CLI_EXIT_OK;
}
