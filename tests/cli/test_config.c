/*
 * Tests for src/cli/config.c:
 *   bool cli_config_default_path(char *out, size_t out_size);
 *   enum cli_status cli_config_parse(const char *name, const char *text, size_t len,
 *       struct cli_config **config_out, struct pv_error *err);
 *   enum cli_status cli_config_load(const char *path, bool must_exist,
 *       struct cli_config **config_out, struct pv_error *err);
 *   const struct cli_account *cli_config_account(const struct cli_config *config,
 *       const char *name);
 *   enum cli_status cli_config_apply(const struct cli_account *account,
 *       struct cli_options *opts, struct pv_error *err);
 *   void cli_account_server_text(const struct cli_account *account, char *out, size_t size);
 *   const char *cli_tls_mode_text(enum cli_tls_mode tls);
 *
 * Files live in a fresh temporary directory that is also HOME, so ~
 * expansion and the "~/..." names in messages are predictable.  The
 * commented example, assets/popview.conf.example, must load and mention
 * every setting there is.
 */
#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <popview/util.h>

#include <popview/tui.h>

#include "cli.h"

static char home[PATH_MAX];

static void make_home(void)
{
    snprintf(home, sizeof home, "/tmp/popview-config-test.XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(home));
    setenv("HOME", home, 1);
    unsetenv("XDG_CONFIG_HOME");
}

static void remove_home(void)
{
    char cmd[PATH_MAX + 16];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", home);
    ck_assert_int_eq(system(cmd), 0);
}

/* Writes text to HOME/name with mode; returns the path (static). */
static const char *write_file(const char *name, const char *text, mode_t mode)
{
    static char path[PATH_MAX + 64];
    snprintf(path, sizeof path, "%s/%s", home, name);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ck_assert_int_ge(fd, 0);
    size_t len = strlen(text);
    ck_assert_int_eq(write(fd, text, len), (ssize_t)len);
    close(fd);
    ck_assert_int_eq(chmod(path, mode), 0);
    return path;
}

static enum cli_status parse(const char *text, struct cli_config **c, struct pv_error *err)
{
    pv_error_clear(err);
    return cli_config_parse("~/.config/popview/config", text, strlen(text), c, err);
}

/* ---- cli_config_default_path ---- */

START_TEST(default_path_forms)
{
    char out[PATH_MAX];
    setenv("HOME", "/home/alice", 1);
    unsetenv("XDG_CONFIG_HOME");
    ck_assert(cli_config_default_path(out, sizeof out));
    ck_assert_str_eq(out, "/home/alice/.config/popview/config");
    setenv("XDG_CONFIG_HOME", "/xdg", 1);
    ck_assert(cli_config_default_path(out, sizeof out));
    ck_assert_str_eq(out, "/xdg/popview/config");
    /* A relative XDG_CONFIG_HOME is invalid (XDG base directory spec). */
    setenv("XDG_CONFIG_HOME", "rel", 1);
    ck_assert(cli_config_default_path(out, sizeof out));
    ck_assert_str_eq(out, "/home/alice/.config/popview/config");
    unsetenv("XDG_CONFIG_HOME");
    unsetenv("HOME");
    ck_assert(!cli_config_default_path(out, sizeof out));
    setenv("HOME", "/home/alice", 1);
    char tiny[8];
    ck_assert(!cli_config_default_path(tiny, sizeof tiny));
}
END_TEST

/* ---- cli_config_parse: empty and good files ---- */

START_TEST(parse_empty)
{
    struct pv_error err;
    struct cli_config *c = NULL;
    ck_assert_int_eq(parse("", &c, &err), CLI_OK);
    ck_assert_ptr_nonnull(c);
    ck_assert_uint_eq(c->account_count, 0);
    ck_assert_ptr_null(c->default_account);
    ck_assert_ptr_nonnull(c->ui);
    ck_assert_str_eq(c->display_path, "~/.config/popview/config");
    cli_config_free(&c);
    ck_assert_ptr_null(c);
    cli_config_free(&c);
    cli_config_free(NULL);
    /* Only comments and blank lines, CRLF, a byte order mark. */
    ck_assert_int_eq(parse("\xef\xbb\xbf# a comment\r\n\r\n   ; another\n\t\n", &c, &err), CLI_OK);
    ck_assert_uint_eq(c->account_count, 0);
    cli_config_free(&c);
}
END_TEST

static const char GOOD[] = "# popview config\n"
                           "default_account = home\n"
                           "\n"
                           "[account work]\n"
                           "host = pop.example.org\n"
                           "port = 1995\n"
                           "tls = implicit\n"
                           "user = alice@example.org\n"
                           "auth = xoauth2\n"
                           "password_command = oauth2-token --account work # a # is kept\n"
                           "netrc = no\n"
                           "cafile = ~/ca.pem\n"
                           "timeout = 90\n"
                           "cache = off\n"
                           "save_folder = ~/Mail/saved\n"
                           "\n"
                           "[account home]\n"
                           "  host=mail.example.net  \n"
                           "TLS = StartTLS\n"
                           "\n"
                           "[ui]\n"
                           "colors = always\n"
                           "color.marked = red,default,bold+underline\n"
                           "date_format = %Y-%m-%d %H:%M\n"
                           "sort = date,reverse\n"
                           "key.delete-message = d Del\n";

START_TEST(parse_good_file)
{
    make_home();
    struct pv_error err;
    struct cli_config *c = NULL;
    ck_assert_msg(parse(GOOD, &c, &err) == CLI_OK, "%s", err.msg);
    ck_assert_uint_eq(c->account_count, 2);
    ck_assert_str_eq(c->default_account, "home");

    const struct cli_account *w = cli_config_account(c, "work");
    ck_assert_ptr_nonnull(w);
    ck_assert_uint_eq(w->line, 4);
    ck_assert_str_eq(w->host, "pop.example.org");
    ck_assert_str_eq(w->port, "1995");
    ck_assert_int_eq(w->tls, CLI_TLS_IMPLICIT);
    ck_assert_str_eq(w->user, "alice@example.org");
    ck_assert_str_eq(w->auth, "XOAUTH2");
    ck_assert_str_eq(w->password_command, "oauth2-token --account work # a # is kept");
    ck_assert(!w->netrc);
    ck_assert(!w->cache);
    ck_assert_uint_eq(w->timeout_s, 90);
    char want[PATH_MAX + 32];
    snprintf(want, sizeof want, "%s/ca.pem", home);
    ck_assert_str_eq(w->cafile, want);
    snprintf(want, sizeof want, "%s/Mail/saved", home);
    ck_assert_str_eq(w->save_folder, want);

    const struct cli_account *h = cli_config_account(c, "home");
    ck_assert_ptr_nonnull(h);
    ck_assert_str_eq(h->host, "mail.example.net");
    ck_assert_str_eq(h->port, "");
    ck_assert_int_eq(h->tls, CLI_TLS_STLS);
    ck_assert_ptr_null(h->user);
    ck_assert_ptr_null(h->auth);
    ck_assert(h->netrc);
    ck_assert(h->cache);
    ck_assert_uint_eq(h->timeout_s, 0);
    cli_config_free(&c);
    remove_home();
}
END_TEST

/* ---- cli_config_parse: every kind of mistake, with file and line ---- */

static const struct {
    const char *text;
    const char *msg;
} bad_files[] = {
    {"[account work]\nhost = h\nprot = 995\n",
     "~/.config/popview/config:3: unknown setting 'prot' in [account work] (did you mean "
     "'port'?)"},
    {"[account work]\nhost = h\nfrobnicate = 1\n",
     "~/.config/popview/config:3: unknown setting 'frobnicate' in [account work]"},
    {"[account work]\nhost = h\ncolors = never\n",
     "~/.config/popview/config:3: 'colors' belongs in the [ui] section, not in [account work]"},
    {"[ui]\nhost = h\n",
     "~/.config/popview/config:2: 'host' belongs in an [account NAME] section, not in [ui]"},
    {"host = h\n", "~/.config/popview/config:1: 'host' belongs in an [account NAME] section, not "
                   "in the top of the file (before any section)"},
    {"[ui]\ncolour = auto\n",
     "~/.config/popview/config:2: unknown setting 'colour' in [ui] (did you mean 'colors'?)"},
    {"[ui]\ncolor.markd = red,default\n",
     "~/.config/popview/config:2: unknown setting 'color.markd' in [ui] (did you mean "
     "'color.marked'?)"},
    {"[ui]\nkey.delete-mesage = d\n",
     "~/.config/popview/config:2: unknown setting 'key.delete-mesage' in [ui] (did you mean "
     "'key.delete-message'?)"},
    {"defualt_account = x\n", "~/.config/popview/config:1: unknown setting 'defualt_account' in "
                              "the top of the file (before any section) (did you mean "
                              "'default_account'?)"},
    {"[account work]\nhost = h\npassword = hunter2\n",
     "~/.config/popview/config:3: there is no password setting: a password written in a file is "
     "too easy to leak; use password_command (for example pass show mail), ~/.netrc or the "
     "prompt"},
    {"[acount work]\n",
     "~/.config/popview/config:1: unknown section [acount work] (did you mean [account work]?)"},
    {"[mailboxes]\n", "~/.config/popview/config:1: unknown section [mailboxes]: sections are "
                      "[account NAME] and [ui]"},
    {"[account]\n", "~/.config/popview/config:1: [account] needs a name: [account NAME]"},
    {"[account a b]\n", "~/.config/popview/config:1: account name 'a b' is not valid: use 1 to 64 "
                        "letters, digits and . _ - @ +"},
    {"[account work\n", "~/.config/popview/config:1: a section header must end with ']'"},
    {"[account w]\nhost = h\n[account w]\nhost = h\n",
     "~/.config/popview/config:3: [account w] appears twice (first on line 1)"},
    {"[ui]\n[ui]\n", "~/.config/popview/config:2: [ui] appears twice: put all interface settings "
                     "in one [ui] section"},
    {"[account w]\nhost = a\n\nhost = b\n",
     "~/.config/popview/config:4: host is set twice in [account w] (first on line 2)"},
    {"[ui]\nsort = date\nSORT = size\n",
     "~/.config/popview/config:3: SORT is set twice in [ui] (first on line 2)"},
    {"default_account = a\ndefault_account = b\n",
     "~/.config/popview/config:2: default_account is set twice (first on line 1)"},
    {"[account w]\nport = 995\n",
     "~/.config/popview/config:1: [account w] has no host (add a line like host = "
     "pop.example.org)"},
    {"[account w]\nport = 995\n[ui]\n",
     "~/.config/popview/config:1: [account w] has no host (add a line like host = "
     "pop.example.org)"},
    {"[account w]\nhost = h\nport = 99999\n",
     "~/.config/popview/config:3: port = 99999: expected a port number from 1 to 65535"},
    {"[account w]\nhost = h\ntls = ssl3\n",
     "~/.config/popview/config:3: tls = ssl3: expected implicit (TLS from the start, port 995), "
     "starttls (STLS, port 110) or none (no encryption)"},
    {"[account w]\nhost = h\nauth = CRAM-MD5\n", "~/.config/popview/config:3: auth = CRAM-MD5: "
                                                 "expected USER, APOP, PLAIN, LOGIN, XOAUTH2 or "
                                                 "OAUTHBEARER"},
    {"[account w]\nhost = h\nnetrc = maybe\n",
     "~/.config/popview/config:3: netrc = maybe: expected yes or no"},
    {"[account w]\nhost = h\ntimeout = 0\n",
     "~/.config/popview/config:3: timeout = 0: expected a number of seconds from 1 to 3600"},
    {"[account w]\nhost = h\ncafile = ~bob/ca.pem\n", "~/.config/popview/config:3: cafile = "
                                                      "~bob/ca.pem: only ~/ (your own home) is "
                                                      "expanded, not ~user"},
    {"[account w]\nhost = h\ntls = none\ncafile = /ca.pem\n",
     "~/.config/popview/config:4: cafile in [account w] cannot be used with tls = none: without "
     "TLS there is no certificate to check"},
    {"[account w]\nhost = pop example org\n", "~/.config/popview/config:2: host = pop example "
                                              "org: expected a host name or address, like "
                                              "pop.example.org"},
    {"[account w]\nhost =\n",
     "~/.config/popview/config:2: host has no value (write host = VALUE, or leave the line out)"},
    {"[account w]\nhost = h\nuser = a\x1b[31m\n",
     "~/.config/popview/config:3: the value of user contains a control character"},
    {"[account w]\nhost = h\njust some words\n",
     "~/.config/popview/config:3: expected 'name = value', a [section] or a # comment, got "
     "\"just some words\""},
    {"[account w]\nhost = h\n a b = c\n",
     "~/.config/popview/config:3: 'a b' is not a setting name (letters, digits, _ . -)"},
    {"default_account = wrok\n[account work]\nhost = h\n",
     "~/.config/popview/config:1: default_account 'wrok' names no account (did you mean "
     "'work'?)"},
    {"default_account = other\n[account work]\nhost = h\n",
     "~/.config/popview/config:1: default_account 'other' names no [account other] section"},
    {"[ui]\ncolors = sometimes\n",
     "~/.config/popview/config:2: colors = sometimes: expected auto, never or always"},
    {"[ui]\ncolor.marked = red\n", "~/.config/popview/config:2: color.marked = red: expected "
                                   "fg,bg[,attributes], for example red,default,bold"},
    {"[ui]\ncolor.marked = red,default,shiny\n",
     "~/.config/popview/config:2: color.marked = red,default,shiny: unknown attribute 'shiny': "
     "use normal, bold, dim, italic, underline, reverse or blink, joined with +"},
    {"[ui]\ncolor.status = 300,blue\n",
     "~/.config/popview/config:2: color.status = 300,blue: unknown foreground colour '300': use "
     "default, black, red, green, yellow, blue, magenta, cyan, white, bright-NAME or a number "
     "0-255"},
    {"[ui]\nsort = age\n", "~/.config/popview/config:2: sort = age: expected number, date, from, "
                           "subject or size, optionally followed by \",reverse\""},
    {"[ui]\nsort = date backwards\n",
     "~/.config/popview/config:2: sort = date backwards: expected number, date, from, subject or "
     "size, optionally followed by \",reverse\""},
    {"[ui]\nkey.quit = Q Shift-Q\n",
     "~/.config/popview/config:2: key.quit = Q Shift-Q: unknown key 'Shift-Q': use a character, "
     "^X for Ctrl-X, Space, Enter, Tab, Esc, Up, Down, Left, Right, PgUp, PgDn, Home, End, "
     "F1-F12"},
    {"[ui]\nkey.quit = a b c d e f g h i\n",
     "~/.config/popview/config:2: key.quit = a b c d e f g h i: too many keys: at most 8"},
};

START_TEST(parse_errors)
{
    struct pv_error err;
    struct cli_config *c = (struct cli_config *)&err; /* must be reset to NULL */
    ck_assert_int_eq(parse(bad_files[_i].text, &c, &err), CLI_ERR_CONFIG);
    ck_assert_ptr_null(c);
    ck_assert_str_eq(err.msg, bad_files[_i].msg);
}
END_TEST

START_TEST(parse_line_caps)
{
    struct pv_error err;
    struct cli_config *c = NULL;
    struct pv_buf b;
    pv_buf_init(&b, 0);
    ck_assert(pv_buf_append_str(&b, "[account w]\nhost = h\nuser = "));
    for (int i = 0; i < CLI_CONFIG_LINE_MAX; i++)
        ck_assert(pv_buf_append_byte(&b, 'u'));
    ck_assert_int_eq(parse(b.data, &c, &err), CLI_ERR_CONFIG);
    ck_assert_str_eq(err.msg, "~/.config/popview/config:3: the line is longer than 4096 bytes");
    pv_buf_free(&b);

    /* A NUL byte in the middle of a line. */
    static const char nul[] = "[account w]\nhost = h\0x\n";
    pv_error_clear(&err);
    ck_assert_int_eq(cli_config_parse("f", nul, sizeof nul - 1, &c, &err), CLI_ERR_CONFIG);
    ck_assert_str_eq(err.msg, "f:2: the line contains a NUL byte: is this a text file?");

    /* At most CLI_CONFIG_ACCOUNTS_MAX accounts. */
    pv_buf_init(&b, 0);
    for (int i = 0; i <= CLI_CONFIG_ACCOUNTS_MAX; i++)
        ck_assert(pv_buf_printf(&b, "[account a%d]\nhost = h\n", i));
    ck_assert_int_eq(parse(b.data, &c, &err), CLI_ERR_CONFIG);
    ck_assert_str_eq(err.msg, "~/.config/popview/config:201: too many accounts: at most 100");
    pv_buf_free(&b);
}
END_TEST

/* ---- cli_config_load: missing, permissions, size ---- */

START_TEST(load_missing)
{
    make_home();
    struct pv_error err;
    pv_error_clear(&err);
    struct cli_config *c = NULL;
    char path[PATH_MAX + 32];
    snprintf(path, sizeof path, "%s/.config/popview/config", home);
    /* The default place may be empty: no accounts, default settings. */
    ck_assert_int_eq(cli_config_load(path, false, &c, &err), CLI_OK);
    ck_assert_ptr_nonnull(c);
    ck_assert_uint_eq(c->account_count, 0);
    ck_assert_str_eq(c->display_path, "~/.config/popview/config");
    cli_config_free(&c);
    /* --config FILE must exist. */
    ck_assert_int_eq(cli_config_load(path, true, &c, &err), CLI_ERR_CONFIG);
    ck_assert_ptr_null(c);
    ck_assert_str_eq(err.msg,
                     "~/.config/popview/config: cannot open it: No such file or directory");
    remove_home();
}
END_TEST

START_TEST(load_good_and_readable)
{
    make_home();
    struct pv_error err;
    pv_error_clear(&err);
    struct cli_config *c = NULL;
    /* Readable by others is fine: there is no secret in it, only commands. */
    const char *path = write_file("config", GOOD, 0644);
    ck_assert_msg(cli_config_load(path, true, &c, &err) == CLI_OK, "%s", err.msg);
    ck_assert_uint_eq(c->account_count, 2);
    ck_assert_str_eq(c->display_path, "~/config");
    cli_config_free(&c);
    remove_home();
}
END_TEST

static const struct {
    mode_t mode;
    const char *msg;
} unsafe_modes[] = {
    {0620, "~/config: refused: its group can write to it, and could make popview run any "
           "command as password_command; run: chmod go-w ~/config"},
    {0602, "~/config: refused: everyone can write to it, and could make popview run any command "
           "as password_command; run: chmod go-w ~/config"},
    {0666, "~/config: refused: everyone can write to it, and could make popview run any command "
           "as password_command; run: chmod go-w ~/config"},
};

START_TEST(load_refuses_writable_by_others)
{
    make_home();
    struct pv_error err;
    pv_error_clear(&err);
    struct cli_config *c = NULL;
    const char *path = write_file("config", GOOD, unsafe_modes[_i].mode);
    ck_assert_int_eq(cli_config_load(path, true, &c, &err), CLI_ERR_CONFIG);
    ck_assert_ptr_null(c);
    ck_assert_str_eq(err.msg, unsafe_modes[_i].msg);
    remove_home();
}
END_TEST

START_TEST(load_refuses_others_and_odd_files)
{
    make_home();
    struct pv_error err;
    pv_error_clear(&err);
    struct cli_config *c = NULL;
    /* A directory is not a config file. */
    ck_assert_int_eq(cli_config_load(home, true, &c, &err), CLI_ERR_CONFIG);
    ck_assert_str_eq(err.msg, "~: not a regular file");
    /* Too large, before reading it. */
    const char *path = write_file("big", "", 0600);
    ck_assert_int_eq(truncate(path, CLI_CONFIG_FILE_MAX + 1), 0);
    ck_assert_int_eq(cli_config_load(path, true, &c, &err), CLI_ERR_CONFIG);
    ck_assert_str_eq(err.msg, "~/big: too large (262145 bytes; a config file has at most 262144)");
    /* A file of another user (only testable as root, who can chown). */
    if (geteuid() == 0) {
        path = write_file("theirs", GOOD, 0600);
        ck_assert_int_eq(chown(path, 12345, 12345), 0);
        ck_assert_int_eq(cli_config_load(path, true, &c, &err), CLI_ERR_CONFIG);
        ck_assert_str_eq(err.msg, "~/theirs: refused: it belongs to another user (uid 12345), "
                                  "who could make popview run any command as password_command");
    }
    /* An error in the file names the file as the person knows it. */
    path = write_file("bad", "[account w]\nhost = h\nprot = 1\n", 0600);
    ck_assert_int_eq(cli_config_load(path, true, &c, &err), CLI_ERR_CONFIG);
    ck_assert_str_eq(err.msg, "~/bad:3: unknown setting 'prot' in [account w] (did you mean "
                              "'port'?)");
    remove_home();
}
END_TEST

/* ---- the example file: valid, and every setting is in it ---- */

START_TEST(example_is_complete)
{
    make_home();
    const char *root = getenv("POPVIEW_SOURCE_ROOT");
    ck_assert_msg(root != NULL, "POPVIEW_SOURCE_ROOT is not set");
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/assets/popview.conf.example", root);
    FILE *f = fopen(path, "r");
    ck_assert_ptr_nonnull(f);
    static char text[64 * 1024];
    size_t len = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[len] = '\0';
    /* Loaded from a copy with mode 0600: a checkout's mode depends on the umask. */
    struct pv_error err;
    pv_error_clear(&err);
    struct cli_config *c = NULL;
    ck_assert_msg(cli_config_load(write_file("example", text, 0600), true, &c, &err) == CLI_OK,
                  "%s", err.msg);
    ck_assert_str_eq(c->default_account, "gmail");
    ck_assert_ptr_nonnull(cli_config_account(c, "outlook"));
    ck_assert_str_eq(cli_config_account(c, "outlook")->host, "outlook.office365.com");
    ck_assert_str_eq(cli_config_account(c, "outlook")->auth, "XOAUTH2");
    ck_assert_str_eq(cli_config_account(c, "fastmail")->host, "pop.fastmail.com");
    ck_assert_str_eq(cli_config_account(c, "gmail")->port, "995");

    /* Every account setting and every [ui] name is set on a line of its
     * own (key.ACTION: the action's name is listed). */
    static const char *const account_settings[] = {
        "host",  "port",   "tls",     "user",  "auth",        "password_command",
        "netrc", "cafile", "timeout", "cache", "save_folder", "default_account"};
    char line[96];
    for (size_t i = 0; i < PV_ARRAY_LEN(account_settings); i++) {
        snprintf(line, sizeof line, "\n%s = ", account_settings[i]);
        ck_assert_msg(strstr(text, line), "the example does not show %s", account_settings[i]);
    }
    char name[64];
    for (size_t i = 0; tui_prefs_name(i, name, sizeof name); i++) {
        if (strncmp(name, "key.", 4) == 0) {
            snprintf(line, sizeof line, " %s", name + 4);
            ck_assert_msg(strstr(text, line), "the example does not list the action %s", name + 4);
        } else {
            snprintf(line, sizeof line, "\n%s = ", name);
            ck_assert_msg(strstr(text, line), "the example does not show %s", name);
        }
    }
    cli_config_free(&c);
    remove_home();
}
END_TEST

/* ---- cli_config_account ---- */

START_TEST(account_lookup)
{
    ck_assert_ptr_null(cli_config_account(NULL, "x"));
    struct pv_error err;
    struct cli_config *c = NULL;
    ck_assert_int_eq(parse("[account Work]\nhost = h\n", &c, &err), CLI_OK);
    ck_assert_ptr_null(cli_config_account(c, NULL));
    ck_assert_ptr_null(cli_config_account(c, "work")); /* names are exact */
    ck_assert_ptr_nonnull(cli_config_account(c, "Work"));
    cli_config_free(&c);
}
END_TEST

/* ---- cli_config_apply: the account fills in, the command line wins ---- */

static struct cli_options *options(int argc, char **argv)
{
    struct pv_error err;
    pv_error_clear(&err);
    struct cli_options *o = NULL;
    ck_assert_msg(cli_options_parse(argc, argv, &o, &err) == CLI_OK, "%s", err.msg);
    return o;
}

START_TEST(apply_fills_from_account)
{
    make_home();
    struct pv_error err;
    struct cli_config *c = NULL;
    ck_assert_int_eq(parse(GOOD, &c, &err), CLI_OK);
    char prog[] = "popview";
    char *argv[] = {prog, NULL};
    struct cli_options *o = options(1, argv);
    ck_assert_ptr_null(o->url);
    ck_assert_int_eq(cli_config_apply(NULL, o, &err), CLI_ERR_USAGE);
    ck_assert_int_eq(cli_config_apply(cli_config_account(c, "work"), o, &err), CLI_OK);
    ck_assert_ptr_nonnull(o->url);
    ck_assert_str_eq(o->url->host, "pop.example.org");
    ck_assert_str_eq(o->url->port, "1995");
    ck_assert_int_eq(o->url->tls, CLI_TLS_IMPLICIT);
    ck_assert_str_eq(cli_options_user(o), "alice@example.org");
    ck_assert_str_eq(o->auth, "XOAUTH2");
    ck_assert_str_eq(o->password_command, "oauth2-token --account work # a # is kept");
    ck_assert_uint_eq(o->timeout_s, 90);
    ck_assert(o->no_cache);
    ck_assert(o->no_netrc);
    ck_assert_str_eq(o->account_name, "work");
    ck_assert_ptr_nonnull(strstr(o->cafile, "/ca.pem"));
    ck_assert_ptr_nonnull(strstr(o->save_folder, "/Mail/saved"));
    cli_options_free(&o);

    /* A starttls account without a port: 110. */
    o = options(1, argv);
    ck_assert_int_eq(cli_config_apply(cli_config_account(c, "home"), o, &err), CLI_OK);
    ck_assert_str_eq(o->url->port, "110");
    ck_assert_int_eq(o->url->tls, CLI_TLS_STLS);
    ck_assert_ptr_null(cli_options_user(o));
    ck_assert_uint_eq(o->timeout_s, CLI_TIMEOUT_DEFAULT_S);
    ck_assert(!o->no_cache);
    ck_assert(!o->no_netrc);
    cli_options_free(&o);
    cli_config_free(&c);
    remove_home();
}
END_TEST

START_TEST(apply_command_line_wins)
{
    make_home();
    struct pv_error err;
    struct cli_config *c = NULL;
    ck_assert_int_eq(parse(GOOD, &c, &err), CLI_OK);
    char a0[] = "popview", a1[] = "--user", a2[] = "bob", a3[] = "--timeout", a4[] = "5",
         a5[] = "--auth", a6[] = "plain", a7[] = "--password-command", a8[] = "echo x",
         a9[] = "--insecure", a10[] = "-a", a11[] = "work";
    char *argv[] = {a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, NULL};
    struct cli_options *o = options(12, argv);
    ck_assert_str_eq(o->account, "work");
    ck_assert_int_eq(cli_config_apply(cli_config_account(c, "work"), o, &err), CLI_OK);
    ck_assert_str_eq(cli_options_user(o), "bob");
    ck_assert_uint_eq(o->timeout_s, 5);
    ck_assert_str_eq(o->auth, "PLAIN");
    ck_assert_str_eq(o->password_command, "echo x");
    /* --insecure turns the check off: the account's CA file is not used. */
    ck_assert_ptr_null(o->cafile);
    ck_assert(o->insecure);
    cli_options_free(&o);
    cli_config_free(&c);
    remove_home();
}
END_TEST

START_TEST(apply_tls_rules)
{
    struct pv_error err;
    struct cli_config *c = NULL;
    ck_assert_int_eq(parse("[account imp]\nhost = h\n"
                           "[account stls]\nhost = h\ntls = starttls\n"
                           "[account none]\nhost = h\ntls = none\n",
                           &c, &err),
                     CLI_OK);
    char a0[] = "popview", a1[] = "--no-tls", a2[] = "--insecure";
    char *no_tls[] = {a0, a1, NULL};
    char *insecure[] = {a0, a2, NULL};
    char *plain[] = {a0, NULL};

    struct cli_options *o = options(2, no_tls);
    ck_assert_int_eq(cli_config_apply(cli_config_account(c, "imp"), o, &err), CLI_ERR_USAGE);
    ck_assert_str_eq(err.msg, "--no-tls cannot be used with account imp: it has TLS from the "
                              "start (tls = implicit)");
    cli_options_free(&o);

    o = options(2, no_tls);
    ck_assert_int_eq(cli_config_apply(cli_config_account(c, "stls"), o, &err), CLI_OK);
    ck_assert_int_eq(o->url->tls, CLI_TLS_NONE);
    cli_options_free(&o);

    o = options(1, plain);
    ck_assert_int_eq(cli_config_apply(cli_config_account(c, "none"), o, &err), CLI_OK);
    ck_assert_int_eq(o->url->tls, CLI_TLS_NONE);
    ck_assert(o->no_tls); /* so the warnings about clear text are given */
    cli_options_free(&o);

    o = options(2, insecure);
    ck_assert_int_eq(cli_config_apply(cli_config_account(c, "none"), o, &err), CLI_ERR_USAGE);
    ck_assert_str_eq(err.msg, "--insecure cannot be used with account none: it has no TLS "
                              "(tls = none), so there is no certificate to check");
    cli_options_free(&o);
    cli_config_free(&c);
}
END_TEST

/* ---- cli_account_server_text, cli_tls_mode_text ---- */

START_TEST(server_text)
{
    struct pv_error err;
    struct cli_config *c = NULL;
    ck_assert_int_eq(parse("[account a]\nhost = pop.example.org\nuser = alice\n"
                           "[account b]\nhost = [2001:db8::1]\ntls = starttls\n",
                           &c, &err),
                     CLI_OK);
    char out[128];
    cli_account_server_text(&c->accounts[0], out, sizeof out);
    ck_assert_str_eq(out, "alice@pop.example.org:995");
    cli_account_server_text(&c->accounts[1], out, sizeof out);
    ck_assert_str_eq(out, "[2001:db8::1]:110");
    ck_assert_str_eq(cli_tls_mode_text(CLI_TLS_IMPLICIT), "TLS");
    ck_assert_str_eq(cli_tls_mode_text(CLI_TLS_STLS), "STARTTLS");
    ck_assert_str_eq(cli_tls_mode_text(CLI_TLS_NONE), "no TLS");
    cli_config_free(&c);
}
END_TEST

static Suite *config_suite(void)
{
    Suite *s = suite_create("config");
    TCase *tc = tcase_create("cli_config_default_path");
    tcase_add_test(tc, default_path_forms);
    suite_add_tcase(s, tc);

    tc = tcase_create("cli_config_parse");
    tcase_add_test(tc, parse_empty);
    tcase_add_test(tc, parse_good_file);
    tcase_add_loop_test(tc, parse_errors, 0, (int)PV_ARRAY_LEN(bad_files));
    tcase_add_test(tc, parse_line_caps);
    suite_add_tcase(s, tc);

    tc = tcase_create("cli_config_load");
    tcase_add_test(tc, load_missing);
    tcase_add_test(tc, load_good_and_readable);
    tcase_add_loop_test(tc, load_refuses_writable_by_others, 0, (int)PV_ARRAY_LEN(unsafe_modes));
    tcase_add_test(tc, load_refuses_others_and_odd_files);
    tcase_add_test(tc, example_is_complete);
    suite_add_tcase(s, tc);

    tc = tcase_create("cli_config_account");
    tcase_add_test(tc, account_lookup);
    suite_add_tcase(s, tc);

    tc = tcase_create("cli_config_apply");
    tcase_add_test(tc, apply_fills_from_account);
    tcase_add_test(tc, apply_command_line_wins);
    tcase_add_test(tc, apply_tls_rules);
    suite_add_tcase(s, tc);

    tc = tcase_create("cli_account_server_text");
    tcase_add_test(tc, server_text);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(config_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
