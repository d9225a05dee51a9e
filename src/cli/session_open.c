/*
 * From the command line to a logged-in session: TLS mode and trust from the
 * options, credentials from their sources, the warnings a person must see,
 * the exit code for each way it can fail, and errors printed so that the
 * server text they quote cannot act on the terminal.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <popview/util.h>

#include <popview/net.h>

#include <popview/pop3.h>

#include <popview/mail.h>

#include <popview/i18n.h>

#include "cli.h"

enum cli_exit cli_exit_for_pop3(int st)
{
    switch ((enum pop3_status)st) {
    case POP3_OK:
        return CLI_EXIT_OK;
    case POP3_ERR_NET:
    case POP3_ERR_TLS:
        return CLI_EXIT_CONNECT;
    case POP3_ERR_AUTH:
        return CLI_EXIT_AUTH;
    case POP3_ERR_UNSUPPORTED:
    case POP3_ERR_PROTOCOL:
    case POP3_ERR_SERVER:
    case POP3_ERR_STATE:
    case POP3_ERR_ABORTED:
    case POP3_ERR_ARG:
        break;
    }
    return CLI_EXIT_SERVER;
}

void cli_print_error(const char *msg)
{
    struct pv_buf safe;
    pv_buf_init(&safe, 0);
    mail_sanitize(msg, strlen(msg), MAIL_SANITIZE_ONE_LINE, &safe);
    fprintf(stderr, _("popview: %s\n"), safe.data ? safe.data : "");
    pv_buf_free(&safe);
}

static enum pop3_tls_mode tls_mode(const struct cli_options *opts)
{
    if (opts->no_tls)
        return POP3_TLS_NONE;
    return opts->url->tls == CLI_TLS_IMPLICIT ? POP3_TLS_IMPLICIT : POP3_TLS_STLS;
}

static void warn_connection(const struct cli_options *opts, struct pop3_session *s)
{
    struct net_tls_info info;
    if (opts->insecure && pop3_session_tls_info(s, &info)) {
        fprintf(stderr,
                _("popview: WARNING: --insecure: the certificate of %s was NOT verified%s%s%s; "
                  "anyone on the path could read your mail and password\n"),
                opts->url->host, info.verify_problem[0] ? " (" : "", info.verify_problem,
                info.verify_problem[0] ? ")" : "");
    }
    if (opts->no_tls)
        fprintf(stderr, _("popview: WARNING: --no-tls: this connection is not encrypted; the "
                          "password and your mail cross the network in clear\n"));
}

enum cli_exit cli_session_connect(const struct cli_options *opts, struct cli_trace *trace,
                                  int demo_fd, struct pop3_session **s, struct pv_error *err)
{
    *s = NULL;
    struct pop3_config cfg = {
        .host = demo_fd >= 0 ? "demo" : opts->url->host,
        .port = demo_fd >= 0 ? "0" : opts->url->port,
        .tls = demo_fd >= 0 ? POP3_TLS_NONE : tls_mode(opts),
        .cafile = opts->cafile,
        .insecure = opts->insecure,
        .timeout_ms = (int)opts->timeout_s * 1000,
        .trace = trace ? cli_trace_hook : NULL,
        .trace_ctx = trace,
    };
    enum pop3_status st;
    if (demo_fd >= 0)
        st = pop3_session_open_stream(&cfg, net_stream_from_fd(demo_fd, cfg.timeout_ms), s, err);
    else
        st = pop3_session_connect(&cfg, s, err);
    if (st == POP3_ERR_UNSUPPORTED)
        return CLI_EXIT_CONNECT; /* STLS missing or refused: a transport problem */
    if (st != POP3_OK)
        return cli_exit_for_pop3(st);
    if (demo_fd < 0)
        warn_connection(opts, *s);
    return CLI_EXIT_OK;
}

enum cli_exit cli_session_open_as(const struct cli_options *opts, struct cli_trace *trace,
                                  int demo_fd, struct pop3_session **session_out, char **user_out,
                                  struct pv_error *err)
{
    *session_out = NULL;
    if (user_out)
        *user_out = NULL;
    struct pop3_session *s = NULL;
    enum cli_exit rc = cli_session_connect(opts, trace, demo_fd, &s, err);
    if (rc != CLI_EXIT_OK)
        return rc;

    char *user = NULL;
    char *password = NULL;
    if (demo_fd >= 0) {
        user = pv_xstrdup("demo");
        password = pv_xstrdup("demo");
    } else {
        struct cli_credential_sources src;
        cli_credential_sources_init(&src, opts->password_command);
        if (opts->no_netrc) /* the account says netrc = no */
            src.netrc_path[0] = '\0';
        enum cli_status cst = cli_credentials_get(cli_options_user(opts), opts->url->host, &src,
                                                  &user, &password, NULL, err);
        if (cst != CLI_OK) {
            pop3_session_free(&s);
            return cli_status_exit_code(cst);
        }
    }
    struct pop3_credentials cred = {.user = user, .secret = password, .mech = POP3_AUTH_AUTO};
    if (opts->auth && !pop3_auth_mech_parse(opts->auth, &cred.mech)) {
        pv_error_set(err, _("--auth %s is not a mechanism popview knows"), opts->auth);
        rc = CLI_EXIT_USAGE;
    } else {
        enum pop3_status st = pop3_session_login(s, &cred, err);
        rc = st == POP3_ERR_UNSUPPORTED ? CLI_EXIT_AUTH : cli_exit_for_pop3(st);
    }
    pv_free_secret(&password);
    if (rc != CLI_EXIT_OK) {
        free(user);
        /* Say goodbye politely when the connection still works. */
        if (pop3_session_state(s) == POP3_STATE_AUTHORIZATION)
            pop3_session_quit(s, NULL, NULL);
        pop3_session_free(&s);
        return rc;
    }
    *session_out = s;
    if (user_out)
        *user_out = user;
    else
        free(user);
    return CLI_EXIT_OK;
}

enum cli_exit cli_session_open(const struct cli_options *opts, struct cli_trace *trace, int demo_fd,
                               struct pop3_session **session_out, struct pv_error *err)
{
    return cli_session_open_as(opts, trace, demo_fd, session_out, NULL, err);
}
