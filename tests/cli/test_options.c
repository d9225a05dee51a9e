/*
 * Tests for src/cli/options.c:
 *   enum cli_status cli_options_parse(int argc, char **argv,
 *                                     struct cli_options **opts_out, struct pv_error *err);
 *   void cli_options_free(struct cli_options **opts);
 *   const char *cli_options_user(const struct cli_options *opts);
 *   const char *cli_usage_text(void);
 *   enum cli_exit cli_status_exit_code(enum cli_status st);
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <popview/util.h>

#include "cli.h"

enum { MAX_ARGS = 16 };

/* A writable argv (getopt_long permutes it), NULL-terminated. */
struct argv_copy {
    int argc;
    char *argv[MAX_ARGS + 2];
};

static void argv_fill(struct argv_copy *a, const char *const *args)
{
    a->argc = 0;
    a->argv[a->argc++] = pv_xstrdup("popview");
    for (; *args && a->argc <= MAX_ARGS; args++)
        a->argv[a->argc++] = pv_xstrdup(*args);
    a->argv[a->argc] = NULL;
}

static void argv_free(struct argv_copy *a)
{
    for (int i = 0; i < a->argc; i++)
        free(a->argv[i]);
}

/* Parses "popview args..."; the options (or NULL) come back, err filled. */
static enum cli_status parse(const char *const *args, struct cli_options **opts,
                             struct pv_error *err)
{
    struct argv_copy a;
    argv_fill(&a, args);
    pv_error_clear(err);
    enum cli_status st = cli_options_parse(a.argc, a.argv, opts, err);
    argv_free(&a);
    return st;
}

#define ARGS(...) ((const char *const[]){__VA_ARGS__, NULL})

/* ---- cli_options_parse: NULL and empty ---- */

START_TEST(parse_null_and_empty)
{
    struct pv_error err;
    struct cli_options *o = NULL;
    pv_error_clear(&err);
    ck_assert_int_eq(cli_options_parse(0, NULL, &o, &err), CLI_ERR_USAGE);
    ck_assert_ptr_null(o);
    ck_assert_str_eq(err.msg, "no command line to parse");

    /* "popview" alone: no URL yet, the account comes from the config file
     * (main's choose_account says when there is none). */
    char prog[] = "popview";
    char *argv[] = {prog, NULL};
    ck_assert_int_eq(cli_options_parse(1, argv, &o, &err), CLI_OK);
    ck_assert_ptr_nonnull(o);
    ck_assert_ptr_null(o->url);
    ck_assert_ptr_null(o->account);
    ck_assert_ptr_null(o->config_path);
    ck_assert(!o->timeout_given);
    cli_options_free(&o);
}
END_TEST

/* ---- cli_options_parse: what good command lines give ---- */

START_TEST(parse_defaults)
{
    struct pv_error err;
    struct cli_options *o = NULL;
    ck_assert_int_eq(parse(ARGS("pop3s://alice@mail.example.org"), &o, &err), CLI_OK);
    ck_assert_int_eq(o->mode, CLI_MODE_TUI);
    ck_assert_int_eq(o->format, CLI_FORMAT_TEXT);
    ck_assert_uint_eq(o->timeout_s, 30);
    ck_assert_uint_eq(o->show_msg, 0);
    ck_assert_ptr_nonnull(o->url);
    ck_assert_int_eq(o->url->tls, CLI_TLS_IMPLICIT);
    ck_assert_str_eq(o->url->host, "mail.example.org");
    ck_assert_str_eq(o->url->port, "995");
    ck_assert_ptr_null(o->user);
    ck_assert_ptr_null(o->password_command);
    ck_assert_ptr_null(o->auth);
    ck_assert_ptr_null(o->cafile);
    ck_assert_ptr_null(o->trace_path);
    ck_assert(!o->insecure && !o->no_tls && !o->no_cache);
    ck_assert_str_eq(cli_options_user(o), "alice");
    cli_options_free(&o);
    ck_assert_ptr_null(o);
}
END_TEST

START_TEST(parse_modes)
{
    struct pv_error err;
    struct cli_options *o = NULL;
    ck_assert_int_eq(parse(ARGS("--capa", "pop3://h"), &o, &err), CLI_OK);
    ck_assert_int_eq(o->mode, CLI_MODE_CAPA);
    cli_options_free(&o);

    /* Options after the URL count too (GNU argument permutation). */
    ck_assert_int_eq(parse(ARGS("pop3://h", "--summary", "--format", "tsv"), &o, &err), CLI_OK);
    ck_assert_int_eq(o->mode, CLI_MODE_SUMMARY);
    ck_assert_int_eq(o->format, CLI_FORMAT_TSV);
    cli_options_free(&o);

    ck_assert_int_eq(parse(ARGS("--summary", "--format=TEXT", "pop3://h"), &o, &err), CLI_OK);
    ck_assert_int_eq(o->format, CLI_FORMAT_TEXT);
    cli_options_free(&o);

    ck_assert_int_eq(parse(ARGS("--show", "42", "pop3://h"), &o, &err), CLI_OK);
    ck_assert_int_eq(o->mode, CLI_MODE_SHOW);
    ck_assert_uint_eq(o->show_msg, 42);
    cli_options_free(&o);

    ck_assert_int_eq(parse(ARGS("--show=1", "pop3://h"), &o, &err), CLI_OK);
    ck_assert_uint_eq(o->show_msg, 1);
    cli_options_free(&o);

    ck_assert_int_eq(parse(ARGS("--demo"), &o, &err), CLI_OK);
    ck_assert_int_eq(o->mode, CLI_MODE_TUI);
    ck_assert(o->demo);
    ck_assert_ptr_null(o->url);
    ck_assert_ptr_null(cli_options_user(o));
    cli_options_free(&o);

    /* The same mode twice is not a conflict; the last N wins. */
    ck_assert_int_eq(parse(ARGS("--summary", "--summary", "pop3://h"), &o, &err), CLI_OK);
    ck_assert_int_eq(o->mode, CLI_MODE_SUMMARY);
    cli_options_free(&o);
    ck_assert_int_eq(parse(ARGS("--show", "2", "--show", "3", "pop3://h"), &o, &err), CLI_OK);
    ck_assert_uint_eq(o->show_msg, 3);
    cli_options_free(&o);
}
END_TEST

START_TEST(parse_all_options_stored)
{
    struct pv_error err;
    struct cli_options *o = NULL;
    ck_assert_int_eq(
        parse(ARGS("--user", "bob", "--password-command", "pass show mail", "--auth", "oauthBearer",
                   "--cafile", "/etc/ca.pem", "--timeout", "3600", "--trace", "/tmp/t.log",
                   "--no-cache", "--capa", "pop3s://alice@h:9995"),
              &o, &err),
        CLI_OK);
    ck_assert_str_eq(o->user, "bob");
    ck_assert_str_eq(cli_options_user(o), "bob"); /* --user overrides the URL */
    ck_assert_str_eq(o->url->user, "alice");
    ck_assert_str_eq(o->password_command, "pass show mail");
    ck_assert_str_eq(o->auth, "OAUTHBEARER");
    ck_assert_str_eq(o->cafile, "/etc/ca.pem");
    ck_assert_uint_eq(o->timeout_s, 3600);
    ck_assert_str_eq(o->trace_path, "/tmp/t.log");
    ck_assert(o->no_cache);
    ck_assert_str_eq(o->url->port, "9995");
    ck_assert(o->timeout_given);
    cli_options_free(&o);

    /* An account and a config file instead of a URL. */
    ck_assert_int_eq(parse(ARGS("-a", "work", "--config", "/etc/pv.conf", "--summary"), &o, &err),
                     CLI_OK);
    ck_assert_str_eq(o->account, "work");
    ck_assert_str_eq(o->config_path, "/etc/pv.conf");
    ck_assert_ptr_null(o->url);
    cli_options_free(&o);
    ck_assert_int_eq(parse(ARGS("--account=home"), &o, &err), CLI_OK);
    ck_assert_str_eq(o->account, "home");
    cli_options_free(&o);

    /* Given twice, the last value wins and the first is freed (ASan). */
    ck_assert_int_eq(
        parse(ARGS("--user=a", "--user=b", "--timeout=1", "--insecure", "pop3s://h"), &o, &err),
        CLI_OK);
    ck_assert_str_eq(o->user, "b");
    ck_assert_uint_eq(o->timeout_s, 1);
    ck_assert(o->insecure);
    cli_options_free(&o);

    ck_assert_int_eq(parse(ARGS("--no-tls", "pop3://h"), &o, &err), CLI_OK);
    ck_assert(o->no_tls);
    ck_assert_int_eq(o->url->tls, CLI_TLS_NONE);
    cli_options_free(&o);

    /* "--" ends the options: what follows is the URL even if it looks odd. */
    ck_assert_int_eq(parse(ARGS("--capa", "--", "pop3://h"), &o, &err), CLI_OK);
    ck_assert_str_eq(o->url->host, "h");
    cli_options_free(&o);
}
END_TEST

static const struct {
    const char *given;
    const char *stored;
} auth_names[] = {
    {"USER", "USER"},
    {"user", "USER"},
    {"Apop", "APOP"},
    {"plain", "PLAIN"},
    {"LOGIN", "LOGIN"},
    {"xoauth2", "XOAUTH2"},
    {"OAUTHBEARER", "OAUTHBEARER"},
};

START_TEST(parse_auth_upper_cased)
{
    struct pv_error err;
    struct cli_options *o = NULL;
    ck_assert_int_eq(parse(ARGS("--auth", auth_names[_i].given, "pop3s://h"), &o, &err), CLI_OK);
    ck_assert_str_eq(o->auth, auth_names[_i].stored);
    cli_options_free(&o);
}
END_TEST

START_TEST(parse_help_and_version)
{
    struct pv_error err;
    struct cli_options *o = NULL;
    ck_assert_int_eq(parse(ARGS("--help"), &o, &err), CLI_OK);
    ck_assert_int_eq(o->mode, CLI_MODE_HELP);
    cli_options_free(&o);
    ck_assert_int_eq(parse(ARGS("-h"), &o, &err), CLI_OK);
    ck_assert_int_eq(o->mode, CLI_MODE_HELP);
    cli_options_free(&o);
    ck_assert_int_eq(parse(ARGS("-V"), &o, &err), CLI_OK);
    ck_assert_int_eq(o->mode, CLI_MODE_VERSION);
    cli_options_free(&o);
    ck_assert_int_eq(parse(ARGS("--version", "--help"), &o, &err), CLI_OK);
    ck_assert_int_eq(o->mode, CLI_MODE_HELP);
    cli_options_free(&o);
    /* --help wins over mistakes in values and modes, and needs no URL... */
    ck_assert_int_eq(parse(ARGS("--capa", "--summary", "--timeout", "x", "--help"), &o, &err),
                     CLI_OK);
    ck_assert_int_eq(o->mode, CLI_MODE_HELP);
    ck_assert_ptr_null(o->url);
    cli_options_free(&o);
    ck_assert_int_eq(parse(ARGS("--demo", "pop3://h", "--version"), &o, &err), CLI_OK);
    ck_assert_int_eq(o->mode, CLI_MODE_VERSION);
    cli_options_free(&o);
    /* ...but not over an option nobody knows. */
    ck_assert_int_eq(parse(ARGS("--help", "--bogus"), &o, &err), CLI_ERR_USAGE);
    ck_assert_ptr_null(o);
}
END_TEST

START_TEST(parse_twice_starts_over)
{
    /* getopt's position is global; a second parse must not continue it. */
    struct pv_error err;
    struct cli_options *o = NULL;
    ck_assert_int_eq(parse(ARGS("--summary", "pop3://one"), &o, &err), CLI_OK);
    cli_options_free(&o);
    ck_assert_int_eq(parse(ARGS("--capa", "pop3://two"), &o, &err), CLI_OK);
    ck_assert_int_eq(o->mode, CLI_MODE_CAPA);
    ck_assert_str_eq(o->url->host, "two");
    cli_options_free(&o);
}
END_TEST

/* ---- cli_options_parse: refused command lines ---- */

static const struct {
    const char *args[6];
    const char *msg; /* exact */
} bad_lines[] = {
    {{"--capa", "--summary", "pop3://h"},
     "--capa and --summary cannot be used together: choose one mode"},
    {{"--show", "2", "--capa", "--demo"},
     "--show and --capa cannot be used together: choose one mode"},
    {{"--timeout", "abc", "pop3://h"},
     "--timeout needs a number of seconds between 1 and 3600, got \"abc\""},
    {{"--timeout", "0", "pop3://h"},
     "--timeout needs a number of seconds between 1 and 3600, got \"0\""},
    {{"--timeout", "3601", "pop3://h"},
     "--timeout needs a number of seconds between 1 and 3600, got \"3601\""},
    {{"--timeout=-5", "pop3://h"},
     "--timeout needs a number of seconds between 1 and 3600, got \"-5\""},
    {{"--timeout=", "pop3://h"},
     "--timeout needs a number of seconds between 1 and 3600, got \"\""},
    {{"--show", "0", "pop3://h"}, "--show needs a message number of 1 or more, got \"0\""},
    {{"--show", "two", "pop3://h"}, "--show needs a message number of 1 or more, got \"two\""},
    {{"--show", "99999999999", "pop3://h"},
     "--show needs a message number of 1 or more, got \"99999999999\""},
    {{"--summary", "--format", "csv", "pop3://h"}, "--format needs text or tsv, got \"csv\""},
    {{"--format", "tsv", "pop3://h"}, "--format applies to --summary only"},
    {{"--show", "1", "--format", "text", "pop3://h"}, "--format applies to --summary only"},
    {{"--auth", "CRAM-MD5", "pop3://h"},
     "--auth needs one of USER, APOP, PLAIN, LOGIN, XOAUTH2, OAUTHBEARER, got \"CRAM-MD5\""},
    {{"--user", "", "pop3://h"}, "--user needs a value that is not empty"},
    {{"--password-command=", "pop3://h"}, "--password-command needs a value that is not empty"},
    {{"--user", "a\nb", "pop3://h"}, "--user needs a value on one line, got \"a?b\""},
    {{"--demo", "pop3s://h"}, "--demo runs its own server and takes no URL, got \"pop3s://h\""},
    {{"-a", "work", "pop3://h"},
     "--account work and the URL \"pop3://h\" both name a server: give one of them"},
    {{"--demo", "--account", "w"},
     "--account and --demo cannot be used together: the demo has its own server"},
    {{"-a"}, "--account needs a value: --account NAME (an [account NAME] of the config file)"},
    {{"--config", ""}, "--config needs a value that is not empty"},
    {{"pop3://a", "pop3://b"}, "one server URL expected, got a second argument \"pop3://b\""},
    {{"imap://h"},
     "unsupported URL scheme \"imap\": use pop3s://[user@]host[:port] (TLS) or "
     "pop3://[user@]host[:port] (STLS)"},
    {{"--bogus", "pop3://h"}, "unknown or ambiguous option \"--bogus\"; see popview --help"},
    {{"--bogus=1", "pop3://h"}, "unknown or ambiguous option \"--bogus\"; see popview --help"},
    {{"--no", "pop3://h"}, "unknown or ambiguous option \"--no\"; see popview --help"},
    {{"-x", "pop3://h"}, "unknown option \"-x\"; see popview --help"},
    {{"pop3://h", "--timeout"}, "--timeout needs a value: --timeout SECS (1 to 3600)"},
    {{"pop3://h", "--show"}, "--show needs a value: --show N (a message number)"},
    {{"--capa=yes", "pop3://h"}, "--capa takes no value, got \"--capa=yes\""},
    {{"--no-tls", "pop3s://h"},
     "--no-tls cannot be used with pop3s:// (TLS from the start); use pop3://host for a plain "
     "connection"},
    {{"--no-tls", "--insecure", "pop3://h"},
     "--no-tls cannot be used with --insecure: without TLS there is no certificate to check"},
    {{"--no-tls", "--cafile", "ca.pem", "pop3://h"},
     "--no-tls cannot be used with --cafile: without TLS there is no certificate to check"},
    {{"--cafile", "ca.pem", "--insecure", "pop3s://h"},
     "--cafile and --insecure contradict each other: --insecure turns the certificate check "
     "off, --cafile says whom to trust"},
    /* The first mistake is the one reported. */
    {{"--timeout", "x", "--show", "0", "pop3://h"},
     "--timeout needs a number of seconds between 1 and 3600, got \"x\""},
};

START_TEST(parse_bad)
{
    struct pv_error err;
    struct cli_options *o = (struct cli_options *)&err; /* must be overwritten */
    ck_assert_int_eq(parse(bad_lines[_i].args, &o, &err), CLI_ERR_USAGE);
    ck_assert_ptr_null(o);
    ck_assert_str_eq(err.msg, bad_lines[_i].msg);
}
END_TEST

/* ---- cli_options_free and cli_options_user ---- */

START_TEST(free_and_user_accept_null)
{
    cli_options_free(NULL);
    struct cli_options *o = NULL;
    cli_options_free(&o);
    ck_assert_ptr_null(o);
    ck_assert_ptr_null(cli_options_user(NULL));
    struct pv_error err;
    ck_assert_int_eq(parse(ARGS("pop3://h"), &o, &err), CLI_OK);
    ck_assert_ptr_null(cli_options_user(o)); /* no user anywhere */
    cli_options_free(&o);
}
END_TEST

/* ---- cli_usage_text ---- */

START_TEST(usage_mentions_everything)
{
    const char *u = cli_usage_text();
    ck_assert_ptr_nonnull(u);
    static const char *const must[] = {
        "--capa",
        "--summary",
        "--format text|tsv",
        "--show N",
        "--demo",
        "--user NAME",
        "--password-command CMD",
        "--auth MECH",
        "--cafile FILE",
        "--insecure",
        "--no-tls",
        "--timeout SECS",
        "--trace FILE",
        "--no-cache",
        "-V, --version",
        "-h, --help",
        "pop3s://[user@]host[:port]",
        "pop3://[user@]host[:port]",
        "995",
        "110",
        "POPVIEW_PASSWORD",
        "~/.netrc",
        "prompt on the terminal",
        "0 ok",
        "1 usage error",
        "2 connection/TLS error",
        "3 authentication error",
        "4 server/protocol error",
        "XOAUTH2",
        "OAUTHBEARER",
    };
    for (size_t i = 0; i < PV_ARRAY_LEN(must); i++)
        ck_assert_msg(strstr(u, must[i]) != NULL, "--help lacks \"%s\"", must[i]);
    /* The password sources are listed in the order they are tried. */
    const char *env = strstr(u, "POPVIEW_PASSWORD");
    const char *cmd = strstr(env, "--password-command");
    const char *netrc = strstr(u, "~/.netrc");
    const char *tty = strstr(u, "prompt on the terminal");
    ck_assert(env && cmd && netrc && tty && env < cmd && cmd < netrc && netrc < tty);
    /* Fits an 80-column terminal. */
    for (const char *line = u; *line;) {
        size_t len = strcspn(line, "\n");
        ck_assert_msg(len < 80, "line too long: %.*s", (int)len, line);
        line += len + (line[len] == '\n');
    }
}
END_TEST

/* ---- cli_status_exit_code ---- */

static const struct {
    enum cli_status st;
    enum cli_exit code;
} exit_codes[] = {
    {CLI_OK, 0},
    {CLI_ERR_USAGE, 1},
    {CLI_ERR_NO_USER, 1},
    {CLI_ERR_NO_PASSWORD, 3},
    {CLI_ERR_PASSWORD_COMMAND, 3},
    {CLI_ERR_NETRC, 3},
    {CLI_ERR_PROMPT, 3},
    {CLI_ERR_CONFIG, 1},
};

START_TEST(exit_code_mapping)
{
    ck_assert_int_eq(cli_status_exit_code(exit_codes[_i].st), exit_codes[_i].code);
}
END_TEST

START_TEST(exit_code_values_are_documented_ones)
{
    ck_assert_int_eq(CLI_EXIT_OK, 0);
    ck_assert_int_eq(CLI_EXIT_USAGE, 1);
    ck_assert_int_eq(CLI_EXIT_CONNECT, 2);
    ck_assert_int_eq(CLI_EXIT_AUTH, 3);
    ck_assert_int_eq(CLI_EXIT_SERVER, 4);
}
END_TEST

static Suite *options_suite(void)
{
    Suite *s = suite_create("cli_options");
    TCase *tc = tcase_create("cli_options_parse");
    tcase_add_test(tc, parse_null_and_empty);
    tcase_add_test(tc, parse_defaults);
    tcase_add_test(tc, parse_modes);
    tcase_add_test(tc, parse_all_options_stored);
    tcase_add_loop_test(tc, parse_auth_upper_cased, 0, (int)PV_ARRAY_LEN(auth_names));
    tcase_add_test(tc, parse_help_and_version);
    tcase_add_test(tc, parse_twice_starts_over);
    tcase_add_loop_test(tc, parse_bad, 0, (int)PV_ARRAY_LEN(bad_lines));
    suite_add_tcase(s, tc);
    tc = tcase_create("cli_options_free");
    tcase_add_test(tc, free_and_user_accept_null);
    suite_add_tcase(s, tc);
    tc = tcase_create("cli_usage_text");
    tcase_add_test(tc, usage_mentions_everything);
    suite_add_tcase(s, tc);
    tc = tcase_create("cli_status_exit_code");
    tcase_add_loop_test(tc, exit_code_mapping, 0, (int)PV_ARRAY_LEN(exit_codes));
    tcase_add_test(tc, exit_code_values_are_documented_ones);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(options_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
