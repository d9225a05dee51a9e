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

#include <popview/util.h>

#include <popview/net.h>

#include <popview/pop3.h>

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
        fprintf(stderr, "popview: cannot start the demo server: %s\n", err.msg);
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

static enum cli_exit run_mode(const struct cli_options *opts, struct cli_trace *trace)
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
        if (opts->demo) {
            /* Until the full-screen browser exists, the demo shows its summary. */
            rc = cli_run_summary(opts, trace, d.fd, stdout);
            break;
        }
        fprintf(stderr, "popview: this build has no full-screen browser yet; use --summary or "
                        "--capa\n");
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

int main(int argc, char **argv)
{
    setup_locale();
    /* Writes to a closed socket must fail with EPIPE, not kill the program. */
    signal(SIGPIPE, SIG_IGN);

    struct pv_error err;
    pv_error_clear(&err);
    struct cli_options *opts = NULL;
    enum cli_status cst = cli_options_parse(argc, argv, &opts, &err);
    if (cst != CLI_OK) {
        fprintf(stderr, "popview: %s\n", err.msg);
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
    struct cli_trace *trace = NULL;
    if (opts->trace_path && cli_trace_open(opts->trace_path, &trace, &err) != CLI_OK) {
        fprintf(stderr, "popview: %s\n", err.msg);
        cli_options_free(&opts);
        return CLI_EXIT_USAGE;
    }
    enum cli_exit rc = run_mode(opts, trace);
    cli_trace_close(&trace);
    cli_options_free(&opts);
    return rc;
}
