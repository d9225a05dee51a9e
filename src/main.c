/*
 * popview's entry point: parse the command line, set up the locale and the
 * trace file, start the demo server when asked, and hand over to the mode.
 * Every failure ends here as one line on stderr and the documented exit code.
 */
#include <curses.h>
#include <langinfo.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>

#include <popview/util.h>

#include <popview/net.h>

#include <popview/pop3.h>

#include <popview/tui.h>

#include <popview/i18n.h>

#include "cli.h"
#include "config.h"
#include "demo.h"

/* Width computations (wcwidth) need a UTF-8 LC_CTYPE; output is UTF-8 whatever
 * the locale says. */
static void setup_locale(void)
{
    setlocale(LC_ALL, "");
    const char *cs = nl_langinfo(CODESET);
    if (!cs || strcmp(cs, "UTF-8") != 0)
        setlocale(LC_CTYPE, "C.UTF-8");
    pv_i18n_init();
}

/* The browser keeps the password in memory for reconnecting: a core dump
 * (or another process of the same user attaching with ptrace) must not be
 * able to read it. */
static void keep_secrets_out_of_core_dumps(void)
{
    struct rlimit none = {0, 0};
    setrlimit(RLIMIT_CORE, &none);
    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}

static void print_version(void)
{
    printf("popview %s\n", POPVIEW_VERSION);
    printf("GnuTLS %s, %s\n", net_tls_library_version(), curses_version());
}

struct demo {
    struct demo_mailbox *mailbox;
    struct demo_server *server;
    int fd;
};

static enum cli_exit demo_start(struct demo *d)
{
    struct pv_error err;
    pv_error_clear(&err);
    d->fd = -1;
    d->mailbox = demo_mailbox_new();
    d->server = NULL;
    struct demo_server_options o;
    demo_server_options_init(&o);
    if (demo_mailbox_load_sample(d->mailbox, &err) != DEMO_OK ||
        demo_server_start(d->mailbox, &o, &d->server, &d->fd, &err) != DEMO_OK) {
        fprintf(stderr, _("popview: cannot start the demo server: %s\n"), err.msg);
        demo_mailbox_free(&d->mailbox);
        return CLI_EXIT_SERVER;
    }
    return CLI_EXIT_OK;
}

static void demo_stop(struct demo *d)
{
    demo_server_free(&d->server);
    demo_mailbox_free(&d->mailbox);
}

static enum cli_exit exit_for_tui(enum tui_status st)
{
    switch (st) {
    case TUI_OK:
        return CLI_EXIT_OK;
    case TUI_ERR_TERMINAL:
        return CLI_EXIT_USAGE;
    case TUI_ERR_CONNECT:
        return CLI_EXIT_CONNECT;
    case TUI_ERR_AUTH:
        return CLI_EXIT_AUTH;
    case TUI_ERR_START:
    case TUI_ERR_SERVER:
        break;
    }
    return CLI_EXIT_SERVER;
}

/* What the person reads after the screen is gone: what QUIT did. */
static void print_farewell(const struct tui_outcome *o)
{
    if (!o->quit_sent)
        return;
    if (o->committed && o->deleted)
        printf(P_("popview: %zu message deleted; the server said: %s\n",
                  "popview: %zu messages deleted; the server said: %s\n", o->deleted),
               o->deleted, o->farewell);
    else
        printf(_("popview: nothing was deleted; the server said: %s\n"), o->farewell);
}

/* What the mailbox worker may ask for again when it reconnects. */
struct tui_reconnect {
    struct demo *demo;             /* NULL unless --demo */
    struct demo_server **sessions; /* extra demo sessions, freed at the end */
    size_t session_count;
    const char *secret;
};

/* A new demo session for a reconnect (on the worker thread; the demo
 * mailbox locks itself). */
static int tui_reconnect_fd(void *ctx)
{
    struct tui_reconnect *r = ctx;
    if (!r->demo)
        return -1;
    struct pv_error err;
    pv_error_clear(&err);
    struct demo_server *server = NULL;
    int fd = -1;
    if (demo_server_start(r->demo->mailbox, NULL, &server, &fd, &err) != DEMO_OK)
        return -1;
    r->sessions = pv_xreallocarray(r->sessions, r->session_count + 1, sizeof *r->sessions);
    r->sessions[r->session_count++] = server;
    return fd;
}

static char *tui_reconnect_secret(void *ctx)
{
    struct tui_reconnect *r = ctx;
    return pv_xstrdup(r->secret);
}

static void tui_reconnect_free(struct tui_reconnect *r)
{
    for (size_t i = 0; i < r->session_count; i++)
        demo_server_free(&r->sessions[i]);
    free(r->sessions);
    r->sessions = NULL;
    r->session_count = 0;
}

/*
 * The interactive browser.  Credentials are found before curses takes the
 * terminal, since finding them may prompt on it.  The --no-tls and
 * --insecure warnings go to stderr (seen after the screen is restored) and
 * to the message line.
 */
static enum cli_exit run_tui(const struct cli_options *opts, struct cli_trace *trace,
                             struct demo *d, const struct tui_prefs *prefs)
{
    int demo_fd = opts->demo ? d->fd : -1;
    struct pv_error err;
    pv_error_clear(&err);
    char *user = NULL;
    char *password = NULL;
    if (demo_fd >= 0) {
        user = pv_xstrdup("demo");
        password = pv_xstrdup("demo");
    } else {
        struct cli_credential_sources src;
        cli_credential_sources_init(&src, opts->password_command);
        if (opts->no_netrc)
            src.netrc_path[0] = '\0';
        enum cli_status cst = cli_credentials_get(cli_options_user(opts), opts->url->host, &src,
                                                  &user, &password, NULL, &err);
        if (cst != CLI_OK) {
            cli_print_error(err.msg);
            return cli_status_exit_code(cst);
        }
    }
    enum pop3_auth_mech mech = POP3_AUTH_AUTO;
    if (opts->auth && !pop3_auth_mech_parse(opts->auth, &mech)) {
        fprintf(stderr, _("popview: --auth %s is not a mechanism popview knows\n"), opts->auth);
        free(user);
        pv_free_secret(&password);
        return CLI_EXIT_USAGE;
    }
    bool demo = demo_fd >= 0;
    char *label = demo ? pv_xstrdup("demo@popview --demo")
                  : opts->account_name
                      ? pv_xasprintf("%s@%s (%s)", user, opts->url->host, opts->account_name)
                      : pv_xasprintf("%s@%s", user, opts->url->host);
    const char *warning = NULL;
    /* An account's tls = none says the same as --no-tls, without the option. */
    if (!demo && opts->no_tls && opts->account_name)
        warning = _("WARNING: no TLS (tls = none or --no-tls): this connection is not encrypted; "
                    "the password and your mail cross the network in clear");
    else if (!demo && opts->no_tls)
        warning = _("WARNING: --no-tls: this connection is not encrypted; the password and your "
                    "mail cross the network in clear");
    else if (!demo && opts->insecure)
        warning = _("WARNING: --insecure: the server's certificate is NOT verified");
    if (warning)
        fprintf(stderr, "popview: %s\n", warning);
    /* The password stays for the session, so that R can log in again. */
    struct tui_reconnect reconnect = {.demo = demo ? d : NULL, .secret = password};
    /* The demo mailbox is built in: nothing to keep in a cache. */
    char *cache_dir = demo || opts->no_cache ? NULL : mailbox_cache_dir_default();
    struct tui_options t = {
        .mailbox =
            {
                .pop3 =
                    {
                        .host = demo ? "demo" : opts->url->host,
                        .port = demo ? "0" : opts->url->port,
                        .tls = demo || opts->no_tls                 ? POP3_TLS_NONE
                               : opts->url->tls == CLI_TLS_IMPLICIT ? POP3_TLS_IMPLICIT
                                                                    : POP3_TLS_STLS,
                        .cafile = opts->cafile,
                        .insecure = opts->insecure,
                        .timeout_ms = (int)opts->timeout_s * 1000,
                        .trace = trace ? cli_trace_hook : NULL,
                        .trace_ctx = trace,
                    },
                .demo_fd = demo_fd,
                .user = user,
                .secret = password,
                .mech = mech,
                .label = label,
                .cache_dir = cache_dir,
                .reconnect_fd = demo ? tui_reconnect_fd : NULL,
                .reconnect_secret = tui_reconnect_secret,
                .reconnect_ctx = &reconnect,
            },
        .prefs = prefs,
        .save_folder = opts->save_folder,
        .warning = warning,
    };
    struct tui_outcome outcome;
    enum tui_status st = tui_run(&t, &outcome, &err);
    tui_reconnect_free(&reconnect);
    free(user);
    pv_free_secret(&password);
    free(label);
    free(cache_dir);
    if (st != TUI_OK) {
        cli_print_error(err.msg);
        return exit_for_tui(st);
    }
    print_farewell(&outcome);
    return CLI_EXIT_OK;
}

static enum cli_exit run_mode(const struct cli_options *opts, struct cli_trace *trace,
                              const struct tui_prefs *prefs)
{
    struct demo d = {.fd = -1};
    if (opts->demo) {
        enum cli_exit rc = demo_start(&d);
        if (rc != CLI_EXIT_OK)
            return rc;
    }
    enum cli_exit rc = CLI_EXIT_USAGE;
    switch (opts->mode) {
    case CLI_MODE_CAPA:
        rc = cli_run_capa(opts, trace, d.fd, stdout);
        break;
    case CLI_MODE_SUMMARY:
        rc = cli_run_summary(opts, trace, d.fd, stdout);
        break;
    case CLI_MODE_TUI:
        rc = run_tui(opts, trace, &d, prefs);
        break;
    case CLI_MODE_SHOW:
        rc = cli_run_show(opts, trace, d.fd, stdout);
        break;
    case CLI_MODE_HELP:
    case CLI_MODE_VERSION:
        break;
    }
    if (opts->demo)
        demo_stop(&d);
    return rc;
}

/* The accounts' names for a message: "work, home, old" (cut when long). */
static void account_names(const struct cli_config *c, char *out, size_t out_size)
{
    size_t len = 0;
    out[0] = '\0';
    for (size_t i = 0; i < c->account_count && len + 1 < out_size; i++) {
        int n = snprintf(out + len, out_size - len, "%s%s", i ? ", " : "", c->accounts[i].name);
        if (n < 0)
            break;
        len += (size_t)n;
    }
}

/* The account list on the picker, with the cursor on default_account. */
static enum cli_exit pick_account(const struct cli_config *c, const struct cli_account **acct_out,
                                  bool *leave_out)
{
    struct tui_account_entry *entries = pv_xcalloc(c->account_count, sizeof *entries);
    char(*servers)[CLI_HOST_MAX + 96] = pv_xcalloc(c->account_count, sizeof *servers);
    size_t initial = 0;
    for (size_t i = 0; i < c->account_count; i++) {
        const struct cli_account *a = &c->accounts[i];
        cli_account_server_text(a, servers[i], sizeof servers[i]);
        entries[i] = (struct tui_account_entry){a->name, servers[i], cli_tls_mode_text(a->tls)};
        if (c->default_account && strcmp(a->name, c->default_account) == 0)
            initial = i;
    }
    struct pv_error err;
    pv_error_clear(&err);
    size_t chosen = 0;
    enum tui_pick_result r =
        tui_pick_account(entries, c->account_count, initial, c->ui, &chosen, &err);
    free(entries);
    free(servers);
    if (r == TUI_PICK_ERROR) {
        cli_print_error(err.msg);
        return CLI_EXIT_USAGE;
    }
    if (r == TUI_PICK_CANCELLED) {
        *leave_out = true;
        return CLI_EXIT_OK;
    }
    *acct_out = &c->accounts[chosen];
    return CLI_EXIT_OK;
}

/*
 * Reads the config file (--config FILE, else the default place, which may
 * be missing) and, when the command line names no server, takes the
 * account from it: -a NAME, the only one, the picker (the browser) or
 * default_account (the printing modes).  *leave_out: the person left the
 * picker, nothing more to do.
 */
static enum cli_exit choose_account(struct cli_options *opts, struct cli_config **config_out,
                                    bool *leave_out)
{
    struct pv_error err;
    pv_error_clear(&err);
    char path[PATH_MAX];
    const char *file = opts->config_path;
    if (!file && cli_config_default_path(path, sizeof path))
        file = path;
    enum cli_status st = CLI_OK;
    if (file)
        st = cli_config_load(file, opts->config_path != NULL, config_out, &err);
    else
        st = cli_config_parse("(no config file)", "", 0, config_out, &err);
    if (st != CLI_OK) {
        cli_print_error(err.msg);
        return cli_status_exit_code(st);
    }
    const struct cli_config *c = *config_out;
    if (opts->demo || opts->url)
        return CLI_EXIT_OK;
    const struct cli_account *acct = NULL;
    char names[256];
    account_names(c, names, sizeof names);
    if (opts->account) {
        acct = cli_config_account(c, opts->account);
        if (!acct) {
            char shown[80];
            cli_printable(shown, sizeof shown, opts->account, strlen(opts->account));
            if (c->account_count)
                fprintf(stderr, _("popview: %s has no [account %s]; its accounts: %s\n"),
                        c->display_path, shown, names);
            else
                fprintf(stderr, _("popview: --account %s: %s has no accounts\n"), shown,
                        c->display_path);
            return CLI_EXIT_USAGE;
        }
    } else if (c->account_count == 0) {
        fprintf(stderr,
                _("popview: no server URL given: popview [options] pop3s://[user@]host[:port], "
                  "or an [account NAME] in %s (or --demo; see popview --help)\n"),
                c->display_path);
        return CLI_EXIT_USAGE;
    } else if (c->account_count == 1) {
        acct = &c->accounts[0];
    } else if (opts->mode == CLI_MODE_TUI) {
        enum cli_exit rc = pick_account(c, &acct, leave_out);
        if (rc != CLI_EXIT_OK || *leave_out)
            return rc;
    } else if (c->default_account) {
        acct = cli_config_account(c, c->default_account);
    } else {
        fprintf(stderr,
                P_("popview: %s has %zu account and no default_account: choose one with -a "
                   "NAME (%s)\n",
                   "popview: %s has %zu accounts and no default_account: choose one with -a "
                   "NAME (%s)\n",
                   c->account_count),
                c->display_path, c->account_count, names);
        return CLI_EXIT_USAGE;
    }
    st = cli_config_apply(acct, opts, &err);
    if (st != CLI_OK) {
        cli_print_error(err.msg);
        return cli_status_exit_code(st);
    }
    return CLI_EXIT_OK;
}

int main(int argc, char **argv)
{
    setup_locale();
    /* Writes to a closed socket must fail with EPIPE, not kill the program. */
    signal(SIGPIPE, SIG_IGN);
    keep_secrets_out_of_core_dumps();

    struct pv_error err;
    pv_error_clear(&err);
    struct cli_options *opts = NULL;
    enum cli_status cst = cli_options_parse(argc, argv, &opts, &err);
    if (cst != CLI_OK) {
        cli_print_error(err.msg);
        return cli_status_exit_code(cst);
    }
    if (opts->mode == CLI_MODE_HELP) {
        fputs(cli_usage_text(), stdout);
        cli_options_free(&opts);
        return CLI_EXIT_OK;
    }
    if (opts->mode == CLI_MODE_VERSION) {
        print_version();
        cli_options_free(&opts);
        return CLI_EXIT_OK;
    }
    struct cli_config *config = NULL;
    bool leave = false;
    enum cli_exit rc = choose_account(opts, &config, &leave);
    if (rc != CLI_EXIT_OK || leave) {
        cli_config_free(&config);
        cli_options_free(&opts);
        return rc;
    }
    struct cli_trace *trace = NULL;
    if (opts->trace_path && cli_trace_open(opts->trace_path, &trace, &err) != CLI_OK) {
        cli_print_error(err.msg);
        cli_config_free(&config);
        cli_options_free(&opts);
        return CLI_EXIT_USAGE;
    }
    rc = run_mode(opts, trace, config->ui);
    cli_trace_close(&trace);
    cli_config_free(&config);
    cli_options_free(&opts);
    return rc;
}
