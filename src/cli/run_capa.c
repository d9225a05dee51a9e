/*
 * --capa: what the server is, without logging in: the greeting, the
 * capabilities it announces before authentication (RFC 2449), the
 * languages it offers (RFC 6856), and the TLS session with its certificate.
 * Everything the server sent is sanitized before it reaches the terminal.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <popview/util.h>

#include <popview/net.h>

#include <popview/pop3.h>

#include <popview/mail.h>

#include "cli.h"

static void print_safe(FILE *out, const char *label, const char *text)
{
    struct pv_buf b;
    pv_buf_init(&b, 0);
    mail_sanitize(text, strlen(text), MAIL_SANITIZE_ONE_LINE, &b);
    fprintf(out, "%-13s %s\n", label, b.data ? b.data : "");
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
        fprintf(out, "%-13s none (an in-process demo server: nothing leaves this machine)\n",
                "TLS:");
        return;
    }
    if (!pop3_session_tls_info(s, &info)) {
        fprintf(out, "%-13s none (plain connection: the password crosses in clear)\n", "TLS:");
        return;
    }
    char from[40], until[40];
    format_day(info.not_before, from, sizeof from);
    format_day(info.not_after, until, sizeof until);
    fprintf(out, "%-13s %s, %s\n", "TLS:", info.protocol, info.cipher);
    print_safe(out, "Subject:", info.subject);
    print_safe(out, "Issuer:", info.issuer);
    fprintf(out, "%-13s %s to %s\n", "Valid:", from, until);
    fprintf(out, "%-13s %s\n", "SHA-256:", info.fingerprint);
    fprintf(out, "%-13s %u certificate%s\n", "Chain:", info.chain_length,
            info.chain_length == 1 ? "" : "s");
    if (info.verified)
        fprintf(out, "%-13s yes\n", "Verified:");
    else
        print_safe(out,
                   "Verified:", info.verify_problem[0] ? info.verify_problem : "NO (--insecure)");
}

static void print_capabilities(FILE *out, const struct pop3_session *s)
{
    if (!pop3_session_capa_known(s)) {
        fprintf(out, "Capabilities: the server does not answer CAPA (RFC 2449); popview "
                     "will find TOP and UIDL by trying them\n");
        return;
    }
    fprintf(out, "Capabilities (before login; servers may announce more after it):\n");
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
        print_safe(out, "Languages:", err.msg);
        return;
    }
    fprintf(out, "Languages (RFC 6856 LANG):\n");
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
    const char *how = demo_fd >= 0 || opts->no_tls         ? "no TLS"
                      : opts->url->tls == CLI_TLS_IMPLICIT ? "implicit TLS"
                                                           : "STLS";
    if (demo_fd >= 0)
        fprintf(out, "%-13s the built-in demo server\n", "Server:");
    else
        fprintf(out, "%-13s %s port %s (%s)\n", "Server:", opts->url->host, opts->url->port, how);
    print_safe(out, "Greeting:", pop3_session_greeting(s));
    fprintf(out, "%-13s %s\n", "APOP:",
            pop3_session_apop_timestamp(s) ? "offered (the greeting has a timestamp)"
                                           : "not offered");
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
