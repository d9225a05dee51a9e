/*
 * The command line: getopt_long over popview's options into a struct
 * cli_options (what the command line leaves open may come from an account
 * of the config file later, see config.c), every mistake returned as a value with a sentence that
 * says what was wrong and what would be right, and the --help text.
 *
 * Nothing here prints or exits: main decides, so the same parser serves the
 * program and the tests.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <popview/util.h>

#include <popview/i18n.h>

#include "cli.h"

enum { QUOTE_MAX = 80 };

/* Long-only options get ids above any character. */
enum opt_id {
    OPT_HELP = 'h',
    OPT_VERSION = 'V',
    OPT_ACCOUNT = 'a',
    OPT_CAPA = 256,
    OPT_SUMMARY,
    OPT_FORMAT,
    OPT_SHOW,
    OPT_DEMO,
    OPT_USER,
    OPT_PASSWORD_COMMAND,
    OPT_AUTH,
    OPT_CAFILE,
    OPT_INSECURE,
    OPT_NO_TLS,
    OPT_TIMEOUT,
    OPT_TRACE,
    OPT_NO_CACHE,
    OPT_CONFIG,
};

static const struct option long_options[] = {
    {"capa", no_argument, NULL, OPT_CAPA},
    {"summary", no_argument, NULL, OPT_SUMMARY},
    {"format", required_argument, NULL, OPT_FORMAT},
    {"show", required_argument, NULL, OPT_SHOW},
    {"demo", no_argument, NULL, OPT_DEMO},
    {"user", required_argument, NULL, OPT_USER},
    {"password-command", required_argument, NULL, OPT_PASSWORD_COMMAND},
    {"auth", required_argument, NULL, OPT_AUTH},
    {"cafile", required_argument, NULL, OPT_CAFILE},
    {"insecure", no_argument, NULL, OPT_INSECURE},
    {"no-tls", no_argument, NULL, OPT_NO_TLS},
    {"timeout", required_argument, NULL, OPT_TIMEOUT},
    {"trace", required_argument, NULL, OPT_TRACE},
    {"no-cache", no_argument, NULL, OPT_NO_CACHE},
    {"account", required_argument, NULL, OPT_ACCOUNT},
    {"config", required_argument, NULL, OPT_CONFIG},
    {"version", no_argument, NULL, OPT_VERSION},
    {"help", no_argument, NULL, OPT_HELP},
    {NULL, 0, NULL, 0},
};

/* What each option's value looks like, for "--x needs a value" messages. */
static const struct {
    int id;
    const char *form;
} value_forms[] = {
    {OPT_FORMAT, "--format text|tsv"},
    {OPT_SHOW, N_("--show N (a message number)")},
    {OPT_USER, "--user NAME"},
    {OPT_PASSWORD_COMMAND, "--password-command CMD"},
    {OPT_AUTH, "--auth USER|APOP|PLAIN|LOGIN|XOAUTH2|OAUTHBEARER"},
    {OPT_CAFILE, "--cafile FILE"},
    {OPT_TIMEOUT, N_("--timeout SECS (1 to 3600)")},
    {OPT_TRACE, "--trace FILE"},
    {OPT_ACCOUNT, N_("--account NAME (an [account NAME] of the config file)")},
    {OPT_CONFIG, "--config FILE"},
};

/* The mechanisms the pop3 layer can speak (RFC 1939 7, RFC 5034, RFC 4616,
 * draft-murchison-sasl-login, Google's XOAUTH2, RFC 7628). */
static const char *const auth_mechanisms[] = {
    "USER", "APOP", "PLAIN", "LOGIN", "XOAUTH2", "OAUTHBEARER",
};

/* Translated as a whole (the option names stay as they are). */
/* xgettext:no-c-format */
static const char usage_text[] =
    N_("Usage: popview [options] pop3s://[user@]host[:port]\n"
       "       popview [options] pop3://[user@]host[:port]\n"
       "       popview [options] [-a NAME]    an account of the config file\n"
       "       popview --demo [--capa | --summary | --show N]\n"
       "Browse a POP3 mailbox; --capa, --summary and --show print and exit instead.\n"
       "Without a URL: the account named by -a, else the only account of the config\n"
       "file, else a list to choose from (default_account for --capa/--summary/--show).\n"
       "\n"
       "URL:\n"
       "  pop3s://[user@]host[:port]  TLS from the start (default port 995)\n"
       "  pop3://[user@]host[:port]   plain, upgraded with STLS (default port 110)\n"
       "  IPv6 in brackets: pop3s://[::1]:9995; an '@' in the user may be written %40\n"
       "\n"
       "Modes (at most one; without one: the interactive browser):\n"
       "      --capa              print the server's capabilities and exit\n"
       "      --summary           print one line per message and exit\n"
       "      --show N            print message N and exit\n"
       "      --demo              use the built-in demo server instead of a URL\n"
       "\n"
       "Options:\n"
       "      --format text|tsv   output of --summary (default text)\n"
       "      --user NAME         log in as NAME (overrides the URL's user)\n"
       "      --password-command CMD  password = first line CMD prints (run by /bin/sh)\n"
       "      --auth MECH         USER, APOP, PLAIN, LOGIN, XOAUTH2 or OAUTHBEARER\n"
       "      --cafile FILE       trust the CA certificates in FILE, not the system's\n"
       "      --insecure          do not verify the server's certificate (dangerous)\n"
       "      --no-tls            with pop3://: no STLS, all in clear text (dangerous)\n"
       "      --timeout SECS      network timeout, 1 to 3600 seconds (default 30)\n"
       "      --trace FILE        write the POP3 dialogue to FILE (passwords masked)\n"
       "      --no-cache          do not read or write the local cache\n"
       "  -a, --account NAME      use [account NAME] of the config file\n"
       "      --config FILE       read FILE instead of $XDG_CONFIG_HOME/popview/config\n"
       "                          (~/.config/popview/config); options given here win\n"
       "  -V, --version           print the version and exit\n"
       "  -h, --help              print this help and exit\n"
       "\n"
       "Password, from the first of: the POPVIEW_PASSWORD environment variable,\n"
       "--password-command, ~/.netrc (must be chmod 600), a prompt on the terminal.\n"
       "\n"
       "Exit status: 0 ok, 1 usage error, 2 connection/TLS error,\n"
       "3 authentication error, 4 server/protocol error.\n");

const char *cli_usage_text(void)
{
    return _(usage_text);
}

enum cli_exit cli_status_exit_code(enum cli_status st)
{
    switch (st) {
    case CLI_OK:
        return CLI_EXIT_OK;
    case CLI_ERR_USAGE:
    case CLI_ERR_NO_USER:
    case CLI_ERR_CONFIG:
        return CLI_EXIT_USAGE;
    case CLI_ERR_NO_PASSWORD:
    case CLI_ERR_PASSWORD_COMMAND:
    case CLI_ERR_NETRC:
    case CLI_ERR_PROMPT:
        return CLI_EXIT_AUTH;
    }
    return CLI_EXIT_USAGE;
}

/* The state of one parse: the options being filled and what only matters
 * once all of argv has been seen. */
struct parse {
    struct cli_options *o;
    const char *mode_option; /* "summary": the option that chose the mode */
    bool help, version, format_given;
    /* A bad value or a mode conflict is held back until the end, because
     * --help or --version later on the line still wins. */
    enum cli_status first_failure;
    struct pv_error first_err;
    struct pv_error *err; /* where the current option's message goes */
};

static const char *option_name(int id)
{
    for (const struct option *lo = long_options; lo->name; lo++) {
        if (lo->val == id)
            return lo->name;
    }
    return "?";
}

static enum cli_status set_mode(struct parse *p, enum cli_mode mode, int id)
{
    if (p->mode_option && p->o->mode != mode) {
        pv_error_set(p->err, _("--%s and --%s cannot be used together: choose one mode"),
                     p->mode_option, option_name(id));
        return CLI_ERR_USAGE;
    }
    p->o->mode = mode;
    p->mode_option = option_name(id);
    return CLI_OK;
}

static enum cli_status bad_value(struct parse *p, const char *what, const char *value)
{
    char quoted[QUOTE_MAX];
    cli_printable(quoted, sizeof quoted, value, strlen(value));
    pv_error_set(p->err, _("%s, got \"%s\""), what, quoted);
    return CLI_ERR_USAGE;
}

/* A value that is a name (user, command, file): non-empty, one line. */
static enum cli_status set_text(struct parse *p, int id, const char *value, char **field)
{
    if (!*value) {
        pv_error_set(p->err, _("--%s needs a value that is not empty"), option_name(id));
        return CLI_ERR_USAGE;
    }
    if (value[strcspn(value, "\r\n")] != '\0') {
        char what[64];
        snprintf(what, sizeof what, _("--%s needs a value on one line"), option_name(id));
        return bad_value(p, what, value);
    }
    free(*field);
    *field = pv_xstrdup(value);
    return CLI_OK;
}

static enum cli_status set_format(struct parse *p, const char *value)
{
    if (pv_ascii_ieq(value, "text")) {
        p->o->format = CLI_FORMAT_TEXT;
    } else if (pv_ascii_ieq(value, "tsv")) {
        p->o->format = CLI_FORMAT_TSV;
    } else {
        return bad_value(p, _("--format needs text or tsv"), value);
    }
    p->format_given = true;
    return CLI_OK;
}

static enum cli_status set_show(struct parse *p, const char *value)
{
    unsigned n = 0;
    if (!pv_parse_uint(value, strlen(value), &n) || n < 1)
        return bad_value(p, _("--show needs a message number of 1 or more"), value);
    p->o->show_msg = n;
    return set_mode(p, CLI_MODE_SHOW, OPT_SHOW);
}

static enum cli_status set_timeout(struct parse *p, const char *value)
{
    unsigned n = 0;
    if (!pv_parse_uint(value, strlen(value), &n) || n < 1 || n > CLI_TIMEOUT_MAX_S)
        return bad_value(p, _("--timeout needs a number of seconds between 1 and 3600"), value);
    p->o->timeout_s = n;
    p->o->timeout_given = true;
    return CLI_OK;
}

const char *cli_auth_mechanism(const char *name)
{
    for (size_t i = 0; name && i < PV_ARRAY_LEN(auth_mechanisms); i++) {
        if (pv_ascii_ieq(name, auth_mechanisms[i]))
            return auth_mechanisms[i];
    }
    return NULL;
}

static enum cli_status set_auth(struct parse *p, const char *value)
{
    const char *mech = cli_auth_mechanism(value);
    if (mech) {
        free(p->o->auth);
        p->o->auth = pv_xstrdup(mech);
        return CLI_OK;
    }
    return bad_value(p, _("--auth needs one of USER, APOP, PLAIN, LOGIN, XOAUTH2, OAUTHBEARER"),
                     value);
}

static enum cli_status apply_option(struct parse *p, int id, const char *value)
{
    struct cli_options *o = p->o;
    switch (id) {
    case OPT_HELP:
        p->help = true;
        return CLI_OK;
    case OPT_VERSION:
        p->version = true;
        return CLI_OK;
    case OPT_CAPA:
        return set_mode(p, CLI_MODE_CAPA, id);
    case OPT_SUMMARY:
        return set_mode(p, CLI_MODE_SUMMARY, id);
    case OPT_DEMO:
        p->o->demo = true;
        return CLI_OK;
    case OPT_SHOW:
        return set_show(p, value);
    case OPT_FORMAT:
        return set_format(p, value);
    case OPT_USER:
        return set_text(p, id, value, &o->user);
    case OPT_PASSWORD_COMMAND:
        return set_text(p, id, value, &o->password_command);
    case OPT_AUTH:
        return set_auth(p, value);
    case OPT_CAFILE:
        return set_text(p, id, value, &o->cafile);
    case OPT_TRACE:
        return set_text(p, id, value, &o->trace_path);
    case OPT_ACCOUNT:
        return set_text(p, id, value, &o->account);
    case OPT_CONFIG:
        return set_text(p, id, value, &o->config_path);
    case OPT_TIMEOUT:
        return set_timeout(p, value);
    case OPT_INSECURE:
        o->insecure = true;
        return CLI_OK;
    case OPT_NO_TLS:
        o->no_tls = true;
        return CLI_OK;
    case OPT_NO_CACHE:
        o->no_cache = true;
        return CLI_OK;
    default:
        pv_error_set(p->err, _("internal error: option %d has no handler"), id);
        return CLI_ERR_USAGE;
    }
}

/* getopt_long returned ':' (a value is missing) or '?' (unknown option). */
static enum cli_status getopt_failure(struct parse *p, int ret, int argc, char **argv)
{
    if (ret == ':') {
        for (size_t i = 0; i < PV_ARRAY_LEN(value_forms); i++) {
            if (value_forms[i].id == optopt) {
                pv_error_set(p->err, _("--%s needs a value: %s"), option_name(optopt),
                             _(value_forms[i].form));
                return CLI_ERR_USAGE;
            }
        }
        pv_error_set(p->err, _("an option needs a value; see popview --help"));
        return CLI_ERR_USAGE;
    }
    const char *arg = optind > 0 && optind <= argc ? argv[optind - 1] : "";
    char quoted[QUOTE_MAX];
    if (strncmp(arg, "--", 2) == 0) {
        cli_printable(quoted, sizeof quoted, arg, strcspn(arg, "="));
        if (optopt != 0) {
            /* GNU getopt's '?' with optopt set: "--capa=x", a value given
             * to an option that takes none. */
            char whole[QUOTE_MAX];
            cli_printable(whole, sizeof whole, arg, strlen(arg));
            pv_error_set(p->err, _("--%s takes no value, got \"%s\""), option_name(optopt), whole);
            return CLI_ERR_USAGE;
        }
        pv_error_set(p->err, _("unknown or ambiguous option \"%s\"; see popview --help"), quoted);
        return CLI_ERR_USAGE;
    }
    char shortopt[2] = {(char)optopt, '\0'};
    cli_printable(quoted, sizeof quoted, shortopt, 1);
    pv_error_set(p->err, _("unknown option \"-%s\"; see popview --help"), quoted);
    return CLI_ERR_USAGE;
}

/* Rules that need all of argv: one URL or --demo, and no contradictions. */
static enum cli_status check_url_and_combinations(struct parse *p, int npos, char **pos)
{
    struct cli_options *o = p->o;
    char quoted[QUOTE_MAX];
    if (o->demo && npos > 0) {
        cli_printable(quoted, sizeof quoted, pos[0], strlen(pos[0]));
        pv_error_set(p->err, _("--demo runs its own server and takes no URL, got \"%s\""), quoted);
        return CLI_ERR_USAGE;
    }
    if (o->account && o->demo) {
        pv_error_set(p->err, _("--account and --demo cannot be used together: the demo has its "
                               "own server"));
        return CLI_ERR_USAGE;
    }
    if (o->account && npos > 0) {
        cli_printable(quoted, sizeof quoted, pos[0], strlen(pos[0]));
        pv_error_set(p->err,
                     _("--account %s and the URL \"%s\" both name a server: give one of them"),
                     o->account, quoted);
        return CLI_ERR_USAGE;
    }
    if (npos > 1) {
        cli_printable(quoted, sizeof quoted, pos[1], strlen(pos[1]));
        pv_error_set(p->err, _("one server URL expected, got a second argument \"%s\""), quoted);
        return CLI_ERR_USAGE;
    }
    if (npos == 1) {
        enum cli_status st = cli_url_parse(pos[0], &o->url, p->err);
        if (st != CLI_OK)
            return st;
    }
    if (p->format_given && o->mode != CLI_MODE_SUMMARY) {
        pv_error_set(p->err, _("--format applies to --summary only"));
        return CLI_ERR_USAGE;
    }
    if (o->cafile && o->insecure) {
        pv_error_set(p->err, _("--cafile and --insecure contradict each other: --insecure turns "
                               "the certificate check off, --cafile says whom to trust"));
        return CLI_ERR_USAGE;
    }
    if (o->no_tls && (o->cafile || o->insecure)) {
        pv_error_set(p->err,
                     _("--no-tls cannot be used with %s: without TLS there is no "
                       "certificate to check"),
                     o->cafile ? "--cafile" : "--insecure");
        return CLI_ERR_USAGE;
    }
    return cli_options_check_url(o, p->err);
}

enum cli_status cli_options_check_url(struct cli_options *o, struct pv_error *err)
{
    if (o->no_tls && o->url) {
        if (o->url->tls == CLI_TLS_IMPLICIT) {
            pv_error_set(err, _("--no-tls cannot be used with pop3s:// (TLS from the start); "
                                "use pop3://host for a plain connection"));
            return CLI_ERR_USAGE;
        }
        o->url->tls = CLI_TLS_NONE;
    }
    return CLI_OK;
}

static enum cli_status parse_argv(struct parse *p, int argc, char **argv)
{
    /* getopt keeps its position in globals: optind = 0 makes GNU getopt
     * start over completely, so the parser can run more than once. */
    optind = 0;
    opterr = 0;
    struct pv_error *final_err = p->err;
    struct pv_error scratch;
    pv_error_clear(&scratch);
    p->err = &scratch;
    for (;;) {
        int id = getopt_long(argc, argv, ":hVa:", long_options, NULL);
        if (id == -1)
            break;
        if (id == '?' || id == ':') {
            p->err = final_err;
            return getopt_failure(p, id, argc, argv);
        }
        enum cli_status st = apply_option(p, id, optarg);
        if (st != CLI_OK && p->first_failure == CLI_OK) {
            p->first_failure = st;
            p->first_err = scratch;
        }
    }
    p->err = final_err;
    if (p->help) {
        p->o->mode = CLI_MODE_HELP;
        return CLI_OK;
    }
    if (p->version) {
        p->o->mode = CLI_MODE_VERSION;
        return CLI_OK;
    }
    if (p->first_failure != CLI_OK) {
        if (p->err)
            *p->err = p->first_err;
        return p->first_failure;
    }
    return check_url_and_combinations(p, argc - optind, argv + optind);
}

enum cli_status cli_options_parse(int argc, char **argv, struct cli_options **opts_out,
                                  struct pv_error *err)
{
    *opts_out = NULL;
    struct cli_options *o = pv_xcalloc(1, sizeof *o);
    o->mode = CLI_MODE_TUI;
    o->format = CLI_FORMAT_TEXT;
    o->timeout_s = CLI_TIMEOUT_DEFAULT_S;
    struct parse p = {.o = o, .err = err};
    enum cli_status st = argc < 1 || !argv ? CLI_ERR_USAGE : parse_argv(&p, argc, argv);
    if (st != CLI_OK) {
        if (argc < 1 || !argv)
            pv_error_set(err, _("no command line to parse"));
        cli_options_free(&o);
        return st;
    }
    *opts_out = o;
    return CLI_OK;
}

void cli_options_free(struct cli_options **opts)
{
    if (!opts || !*opts)
        return;
    struct cli_options *o = *opts;
    cli_url_free(&o->url);
    free(o->user);
    free(o->password_command);
    free(o->auth);
    free(o->cafile);
    free(o->trace_path);
    free(o->account);
    free(o->config_path);
    free(o->save_folder);
    free(o->account_name);
    free(o);
    *opts = NULL;
}

const char *cli_options_user(const struct cli_options *opts)
{
    if (!opts)
        return NULL;
    if (opts->user)
        return opts->user;
    return opts->url ? opts->url->user : NULL;
}
