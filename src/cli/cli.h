/*
 * cli — private header of the scriptable front end (src/cli): what the
 * command line says (options, the server URL), where the password comes
 * from, the exit codes the whole program uses, and the run modes that act
 * on all of it.
 *
 * Glossary: a *mode* is what one run of popview does (the interactive
 * browser, --capa, --summary, --show N, --demo); a *source* is one place a
 * password can come from (POPVIEW_PASSWORD, --password-command, ~/.netrc,
 * a prompt on the terminal), tried in that order.
 *
 * Messages in struct pv_error carry no "popview: " prefix; whoever prints
 * them to stderr puts it in front ("popview: %s\n"), as for every layer.
 */
#ifndef POPVIEW_CLI_H
#define POPVIEW_CLI_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <popview/util.h>

/* ======================================================================
 * Command line, URL and credentials
 * (src/cli/options.c, src/cli/url.c, src/cli/credentials.c)
 * ====================================================================== */

/* The exit status of the program, documented in --help. */
enum cli_exit {
    CLI_EXIT_OK = 0,
    CLI_EXIT_USAGE = 1,   /* bad option, option value, URL, or no user name */
    CLI_EXIT_CONNECT = 2, /* connection or TLS error */
    CLI_EXIT_AUTH = 3,    /* authentication error, or no password to try */
    CLI_EXIT_SERVER = 4,  /* server or protocol error */
};

enum cli_status {
    CLI_OK = 0,
    CLI_ERR_USAGE,            /* bad option, option value or URL */
    CLI_ERR_NO_USER,          /* no user name in --user, the URL or ~/.netrc */
    CLI_ERR_NO_PASSWORD,      /* no source had a password and there is no terminal */
    CLI_ERR_PASSWORD_COMMAND, /* --password-command failed or printed nothing */
    CLI_ERR_NETRC,            /* ~/.netrc unsafe, unreadable or malformed */
    CLI_ERR_PROMPT,           /* the terminal prompt failed or was interrupted */
    CLI_ERR_CONFIG,           /* the config file is unsafe, unreadable or wrong, or has no
                                 such account */
};

/* CLI_OK -> 0; usage, no-user and config -> CLI_EXIT_USAGE; the password
 * errors -> CLI_EXIT_AUTH. */
enum cli_exit cli_status_exit_code(enum cli_status st);

/* --- URL (url.c) -------------------------------------------------------- */

enum cli_tls_mode {
    CLI_TLS_IMPLICIT, /* pop3s://: TLS from the first byte (RFC 8314 3.3) */
    CLI_TLS_STLS,     /* pop3://: plain, upgraded with STLS (RFC 2595 4) */
    CLI_TLS_NONE,     /* pop3:// with --no-tls; never produced by cli_url_parse */
};

enum { CLI_PORT_POP3S = 995, CLI_PORT_POP3 = 110, CLI_URL_MAX = 2048, CLI_HOST_MAX = 255 };

struct cli_url {
    enum cli_tls_mode tls;
    char *user;        /* percent-decoded, or NULL when the URL has none */
    char *host;        /* without brackets; an IPv6 zone is kept as "%eth0" */
    char port[6];      /* decimal 1..65535, the scheme's default when absent */
    bool ipv6_literal; /* host was written as [v6 address] */
};

/*
 * Parses pop3s://[user@]host[:port][/] or pop3://[user@]host[:port][/].
 * The scheme is case-insensitive; host may be [IPv6]; the user part is
 * percent-decoded, and a raw '@' in it is accepted because the last '@'
 * ends it.  Refused, with a message showing the expected form: other
 * schemes, a password ("user:pw@"), RFC 2384 ";AUTH=" (use --auth), a path,
 * query or fragment, an empty host, a bad port, control characters.
 * Errors: CLI_ERR_USAGE.
 */
enum cli_status cli_url_parse(const char *text, struct cli_url **url_out, struct pv_error *err);
void cli_url_free(struct cli_url **url);

/* --- Options (options.c) ------------------------------------------------ */

enum cli_mode {
    CLI_MODE_TUI,     /* the default: the interactive browser */
    CLI_MODE_CAPA,    /* --capa */
    CLI_MODE_SUMMARY, /* --summary */
    CLI_MODE_SHOW,    /* --show N */
    CLI_MODE_HELP,    /* --help: print cli_usage_text(), exit 0 */
    CLI_MODE_VERSION, /* --version */
};

enum cli_format { CLI_FORMAT_TEXT, CLI_FORMAT_TSV };

enum { CLI_TIMEOUT_DEFAULT_S = 30, CLI_TIMEOUT_MAX_S = 3600 };

struct cli_options {
    enum cli_mode mode;
    enum cli_format format; /* --format, only with --summary; default text */
    unsigned show_msg;      /* --show N: N >= 1 */
    bool demo;              /* --demo: the built-in demo server instead of a URL */
    struct cli_url *url;    /* NULL for --demo, --help and --version */
    char *user;             /* --user, or NULL */
    char *password_command; /* --password-command, or NULL */
    char *auth;             /* --auth, upper-case ("PLAIN"), or NULL: automatic */
    char *cafile;           /* --cafile, or NULL: the system's trust store */
    char *trace_path;       /* --trace, or NULL */
    bool insecure;          /* --insecure */
    bool no_tls;            /* --no-tls; url->tls is then CLI_TLS_NONE */
    bool no_cache;          /* --no-cache, or the account's cache = no */
    unsigned timeout_s;     /* --timeout, 1..3600, default 30 */
    bool timeout_given;     /* --timeout was on the command line */
    char *account;          /* -a/--account NAME, or NULL */
    char *config_path;      /* --config FILE, or NULL: the default place */
    /* Set from the chosen account (cli_config_apply), never by an option: */
    bool no_netrc;      /* netrc = no: ~/.netrc is not read */
    char *save_folder;  /* save_folder, ~ expanded, or NULL */
    char *account_name; /* the account's name, for the status line */
};

/*
 * Parses argv (GNU getopt_long: options may follow the URL, "--" ends
 * them; argv's order may be permuted).  --help wins over everything but an
 * unknown option, then --version; otherwise the modes are mutually
 * exclusive, at most one URL is given and none with --demo or -a NAME (with
 * neither, url stays NULL: the account comes from the config file), and
 * contradictions are refused: --no-tls with pop3:// only and not with
 * --cafile/--insecure, --cafile with --insecure, --format without
 * --summary.  Nothing is printed.
 * Errors: CLI_ERR_USAGE.
 */
enum cli_status cli_options_parse(int argc, char **argv, struct cli_options **opts_out,
                                  struct pv_error *err);
void cli_options_free(struct cli_options **opts);

/* The TLS rules that need the URL (from the command line or an account):
 * --no-tls makes a pop3:// URL plain and is refused with pop3s://.
 * Errors: CLI_ERR_USAGE. */
enum cli_status cli_options_check_url(struct cli_options *opts, struct pv_error *err);

/* The canonical name of a SASL mechanism popview speaks ("plain" ->
 * "PLAIN"), or NULL. */
const char *cli_auth_mechanism(const char *name);

/* The user name to log in as when one was given: --user, else the URL's. */
const char *cli_options_user(const struct cli_options *opts);

/* The --help text: usage, URL forms, every option, password sources, exit codes. */
const char *cli_usage_text(void);

/* Copies s for quoting in a message: control bytes become '?', and text
 * longer than out can hold ends in "...".  out_size >= 4. */
void cli_printable(char *out, size_t out_size, const char *s, size_t len);

/* --- Credentials (credentials.c) ---------------------------------------- */

enum { CLI_SECRET_MAX = 64 * 1024, CLI_NETRC_MAX = 1024 * 1024 };

enum cli_secret_source {
    CLI_SECRET_NONE,
    CLI_SECRET_ENV,     /* POPVIEW_PASSWORD */
    CLI_SECRET_COMMAND, /* --password-command */
    CLI_SECRET_NETRC,   /* ~/.netrc */
    CLI_SECRET_PROMPT,  /* typed on the terminal */
};

/* "POPVIEW_PASSWORD", "--password-command", "~/.netrc", "the terminal", "none" */
const char *cli_secret_source_name(enum cli_secret_source s);

struct cli_credential_sources;

/*
 * Asks a person for the password.  prompt is "Password for user@host: ".
 * On CLI_OK *secret_out is a heap string (free with pv_free_secret).
 * CLI_ERR_NO_PASSWORD means there is no one to ask (no terminal).
 */
typedef enum cli_status (*cli_prompt_fn)(const struct cli_credential_sources *src,
                                         const char *prompt, char **secret_out,
                                         struct pv_error *err);

/* Where passwords come from; tests fill it themselves instead of using HOME
 * and a real terminal.  Plain data: copying it is fine. */
struct cli_credential_sources {
    const char *env_password;     /* POPVIEW_PASSWORD's value; NULL or "" = unset */
    const char *password_command; /* run with /bin/sh -c; NULL = none */
    char netrc_path[PATH_MAX];    /* "" = no netrc file */
    const char *netrc_name;       /* how messages name it ("~/.netrc"); NULL: the path */
    const char *tty_path;         /* terminal cli_prompt_tty opens ("/dev/tty") */
    cli_prompt_fn prompt;         /* NULL = no prompt possible */
    void *prompt_ctx;             /* for an injected prompt function */
};

/*
 * The real sources: getenv("POPVIEW_PASSWORD"), password_command (may be
 * NULL), $HOME/.netrc (none when HOME is unset or empty), /dev/tty with
 * cli_prompt_tty.
 */
void cli_credential_sources_init(struct cli_credential_sources *src, const char *password_command);

/*
 * Reads a line from src->tty_path with echo switched off (termios), writing
 * the prompt to the same terminal, so stdin and stdout stay free for
 * scripts.  The terminal's settings are restored on every path; SIGINT,
 * SIGTERM, SIGHUP and SIGQUIT restore them and then take their usual
 * course, SIGTSTP restores them while stopped.
 * Errors: CLI_ERR_NO_PASSWORD (no terminal), CLI_ERR_PROMPT (end of input,
 * interrupted, line too long).
 */
enum cli_status cli_prompt_tty(const struct cli_credential_sources *src, const char *prompt,
                               char **secret_out, struct pv_error *err);

/*
 * Finds the user name and password for host.
 * User: user (--user or the URL's, may be NULL), else the login of the
 * ~/.netrc entry for host.  No user at all is an error: the local account
 * name is not assumed.
 * Password, first found: src->env_password; src->password_command (first
 * line of its stdout, CR/LF removed; a failure or empty output is an
 * error, not a reason to go on); the netrc entry for host and this user
 * ("machine", else "default"; an entry without login matches any user);
 * src->prompt.  A netrc entry that would be used is refused when the file
 * is readable or writable by group or others, or not owned by us.
 * On CLI_OK: *user_out (free) and *password_out (pv_free_secret) are heap
 * strings; source_out (may be NULL) says where the password came from.
 * Errors: CLI_ERR_NO_USER, CLI_ERR_NO_PASSWORD, CLI_ERR_PASSWORD_COMMAND,
 * CLI_ERR_NETRC, CLI_ERR_PROMPT.
 */
enum cli_status cli_credentials_get(const char *user, const char *host,
                                    const struct cli_credential_sources *src, char **user_out,
                                    char **password_out, enum cli_secret_source *source_out,
                                    struct pv_error *err);

/* ======================================================================
 * Run modes (src/cli/session_open.c, trace_file.c, run_capa.c, run_summary.c)
 * ====================================================================== */

struct pop3_session;
struct pop3_trace;

/* The --trace file: every transcript line with a UTC time stamp, secrets
 * already masked by the pop3 layer, control characters made visible. */
struct cli_trace;
/* Creates (mode 0600, truncating) the file.  Errors: CLI_ERR_USAGE with the
 * path and the system's reason. */
enum cli_status cli_trace_open(const char *path, struct cli_trace **trace_out,
                               struct pv_error *err);
void cli_trace_close(struct cli_trace **trace);
/* A pop3_trace_fn: ctx is the struct cli_trace. */
void cli_trace_hook(void *ctx, const struct pop3_trace *t);

/*
 * Connects as the options say (TLS mode, CA file, timeout, trace) without
 * logging in; warns on stderr about --insecure and --no-tls.  demo_fd >= 0
 * connects to the demo server on that socket instead of the URL.
 */
enum cli_exit cli_session_connect(const struct cli_options *opts, struct cli_trace *trace,
                                  int demo_fd, struct pop3_session **session_out,
                                  struct pv_error *err);
/*
 * Connects as the options say (TLS mode, CA file, timeout, trace), finds
 * the credentials and logs in.  Warnings a person must see (--insecure,
 * --no-tls) go to stderr on every connect.  demo_fd >= 0 connects to the
 * demo server on that socket instead of the URL.
 * Returns the exit code to use; err says what went wrong.
 */
enum cli_exit cli_session_open(const struct cli_options *opts, struct cli_trace *trace, int demo_fd,
                               struct pop3_session **session_out, struct pv_error *err);
/* The same, and the user name that logged in (from --user, the URL or
 * ~/.netrc; a new string) in *user_out: it names the header cache. */
enum cli_exit cli_session_open_as(const struct cli_options *opts, struct cli_trace *trace,
                                  int demo_fd, struct pop3_session **session_out, char **user_out,
                                  struct pv_error *err);
/* Maps a pop3 status to the program's exit code. */
enum cli_exit cli_exit_for_pop3(int pop3_status);

/* Prints "popview: MSG" and a line end on stderr.  MSG may quote the server,
 * so it is made safe for a terminal first (mail_sanitize, one line): escape
 * sequences, C1 controls, bidi overrides and broken UTF-8 are shown, never
 * obeyed. */
void cli_print_error(const char *msg);

/* --capa: greeting, capabilities, TLS details, then QUIT.  Output to out
 *  Returns the exit code. */
enum cli_exit cli_run_capa(const struct cli_options *opts, struct cli_trace *trace, int demo_fd,
                           FILE *out);

/* --summary: one row per message (number, UIDL, size, date, from, subject),
 * as text or TSV, then QUIT.  Never sends DELE. */
enum cli_exit cli_run_summary(const struct cli_options *opts, struct cli_trace *trace, int demo_fd,
                              FILE *out);

/* --show N: message N rendered as the pager shows it, then QUIT.  Messages
 * up to CLI_SHOW_MAX are read (into a temporary file beyond a few hundred
 * KiB, so memory stays small whatever the size). */
enum { CLI_SHOW_MAX = 1024 * 1024 * 1024 };
enum cli_exit cli_run_show(const struct cli_options *opts, struct cli_trace *trace, int demo_fd,
                           FILE *out);

/* Display helpers for the text outputs (text_width.c): the number of
 * terminal columns of UTF-8 text, and a copy cut to at most cols columns
 * (with an ellipsis when cut) padded with spaces to exactly cols. */
size_t cli_text_columns(const char *utf8);
void cli_text_fit(const char *utf8, size_t cols, struct pv_buf *out);

/* ======================================================================
 * Config file (src/cli/config.c)
 * ====================================================================== */

/*
 * $XDG_CONFIG_HOME/popview/config (else ~/.config/popview/config), an
 * INI-like text file (assets/popview.conf.example documents it):
 *
 *   default_account = work          before any section
 *   [account work]                  one section per account
 *   host = pop.example.org
 *   [ui]                            colours, date format, sort, keys
 *   color.marked = red,default,bold
 *
 * Lines are "name = value" (spaces around '=' and at the ends ignored),
 * "[section]", or comments starting with '#' or ';' as their first
 * non-blank character ('#' later on a line is part of the value, so
 * commands can contain it).  Every mistake is an error naming the file
 * (with ~ for the home directory), the line and the problem, with a
 * suggestion for a misspelt name.
 */
enum {
    CLI_CONFIG_FILE_MAX = 256 * 1024, /* bytes */
    CLI_CONFIG_LINE_MAX = 4096,       /* bytes, without the line end */
    CLI_CONFIG_ACCOUNTS_MAX = 100,
    CLI_ACCOUNT_NAME_MAX = 64,
};

struct tui_prefs;

struct cli_account {
    char *name;
    unsigned line;          /* of its [account NAME] */
    char *host;             /* required */
    char port[6];           /* "" when not set: the TLS mode's default */
    enum cli_tls_mode tls;  /* default CLI_TLS_IMPLICIT */
    char *user;             /* or NULL */
    char *auth;             /* canonical mechanism, or NULL: automatic */
    char *password_command; /* or NULL */
    bool netrc;             /* default true */
    char *cafile;           /* ~ expanded, or NULL */
    unsigned timeout_s;     /* 0: not set */
    bool cache;             /* default true */
    char *save_folder;      /* ~ expanded, or NULL */
};

struct cli_config {
    char *display_path; /* how messages name the file: "~/.config/popview/config" */
    struct cli_account *accounts;
    size_t account_count;
    char *default_account; /* or NULL */
    struct tui_prefs *ui;  /* the [ui] settings (never NULL) */
};

/* Where the config file is when --config does not say: the path in out
 * (false when neither XDG_CONFIG_HOME nor HOME is set to an absolute path). */
bool cli_config_default_path(char *out, size_t out_size);

/*
 * Reads and checks the config file at path.  When it does not exist and
 * must_exist is false (the default place), *config_out is an empty config.
 * Refused: a file group or others can write to (someone else could add a
 * password_command), one owned by another user (root aside), anything but
 * a regular file, over CLI_CONFIG_FILE_MAX bytes or a line over
 * CLI_CONFIG_LINE_MAX.  Errors are "FILE:LINE: problem" where a line is at
 * fault.  Errors: CLI_ERR_CONFIG.
 */
enum cli_status cli_config_load(const char *path, bool must_exist, struct cli_config **config_out,
                                struct pv_error *err);
/* The same from text in memory (tests; name is what messages call it). */
enum cli_status cli_config_parse(const char *name, const char *text, size_t len,
                                 struct cli_config **config_out, struct pv_error *err);
void cli_config_free(struct cli_config **config);

/* The account called name (exact match), or NULL. */
const struct cli_account *cli_config_account(const struct cli_config *config, const char *name);

/*
 * Fills what the command line left open from the account: the server
 * (host, port, TLS mode: a URL of its own), user, auth, password_command,
 * cafile (not with --insecure), timeout, cache, netrc, save_folder.  The
 * command line always wins; --no-tls makes a starttls account plain and is
 * refused for an implicit one.  Errors: CLI_ERR_USAGE.
 */
enum cli_status cli_config_apply(const struct cli_account *account, struct cli_options *opts,
                                 struct pv_error *err);

/* "alice@pop.example.org:995" and "TLS" / "STARTTLS" / "no TLS", for the
 * picker; out_size >= 16. */
void cli_account_server_text(const struct cli_account *account, char *out, size_t out_size);
const char *cli_tls_mode_text(enum cli_tls_mode tls);

#endif
