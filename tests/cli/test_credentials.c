/*
 * Tests for src/cli/credentials.c:
 *   enum cli_status cli_credentials_get(const char *user, const char *host,
 *       const struct cli_credential_sources *src, char **user_out, char **password_out,
 *       enum cli_secret_source *source_out, struct pv_error *err);
 *   enum cli_status cli_prompt_tty(const struct cli_credential_sources *src,
 *       const char *prompt, char **secret_out, struct pv_error *err);
 *   void cli_credential_sources_init(struct cli_credential_sources *src,
 *       const char *password_command);
 *   const char *cli_secret_source_name(enum cli_secret_source s);
 *
 * The netrc lives in a fresh temporary directory per test, the terminal is
 * a pseudo-terminal driven by a helper thread, and the prompt of
 * cli_credentials_get is an injected function that records its calls.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <popview/util.h>

#include "cli.h"

#define HOST "mail.example.org"
#define NO_PASSWORD_MSG                                                                            \
    "no password: set POPVIEW_PASSWORD, use --password-command, ~/.netrc, or run on a terminal"

/* ---- fixtures ---- */

struct fake_prompt {
    int calls;
    char last_prompt[128];
    const char *reply;
    enum cli_status status;
};

static enum cli_status fake_prompt_fn(const struct cli_credential_sources *src, const char *prompt,
                                      char **secret_out, struct pv_error *err)
{
    struct fake_prompt *fp = src->prompt_ctx;
    fp->calls++;
    snprintf(fp->last_prompt, sizeof fp->last_prompt, "%s", prompt);
    if (fp->status != CLI_OK) {
        pv_error_set(err, "fake prompt failed");
        return fp->status;
    }
    *secret_out = pv_xstrdup(fp->reply);
    return CLI_OK;
}

static char tmpdir[64];

static void make_tmpdir(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/pv-cred-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void remove_tree(void)
{
    char *cmd = pv_xasprintf("rm -rf '%s'", tmpdir);
    ck_assert_int_eq(system(cmd), 0);
    free(cmd);
}

/* Sources that use nothing of the real environment. */
static void test_sources(struct cli_credential_sources *src, struct fake_prompt *fp)
{
    memset(src, 0, sizeof *src);
    memset(fp, 0, sizeof *fp);
    fp->reply = "typed-secret";
    src->netrc_name = "~/.netrc";
    src->tty_path = "/nonexistent/tty";
    src->prompt = fake_prompt_fn;
    src->prompt_ctx = fp;
}

static void write_netrc(struct cli_credential_sources *src, const char *text, mode_t mode)
{
    snprintf(src->netrc_path, sizeof src->netrc_path, "%s/netrc", tmpdir);
    FILE *f = fopen(src->netrc_path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    ck_assert_int_eq(fclose(f), 0);
    ck_assert_int_eq(chmod(src->netrc_path, mode), 0);
}

/* Every child the code started has been waited for. */
static void assert_no_children_left(void)
{
    errno = 0;
    ck_assert_int_eq(waitpid(-1, NULL, WNOHANG), -1);
    ck_assert_int_eq(errno, ECHILD);
}

struct result {
    enum cli_status st;
    char *user;
    char *password;
    enum cli_secret_source source;
    struct pv_error err;
};

static void get(const char *user, const struct cli_credential_sources *src, struct result *r)
{
    pv_error_clear(&r->err);
    r->source = (enum cli_secret_source)99;
    r->st = cli_credentials_get(user, HOST, src, &r->user, &r->password, &r->source, &r->err);
}

static void result_free(struct result *r)
{
    free(r->user);
    pv_free_secret(&r->password);
}

static void assert_got(struct result *r, const char *user, const char *password,
                       enum cli_secret_source source)
{
    ck_assert_msg(r->st == CLI_OK, "status %d: %s", r->st, r->err.msg);
    ck_assert_str_eq(r->user, user);
    ck_assert_str_eq(r->password, password);
    ck_assert_int_eq(r->source, source);
    result_free(r);
}

static void assert_failed(struct result *r, enum cli_status st, const char *msg_part)
{
    ck_assert_int_eq(r->st, st);
    ck_assert_ptr_null(r->user);
    ck_assert_ptr_null(r->password);
    ck_assert_int_eq(r->source, CLI_SECRET_NONE);
    ck_assert_msg(strstr(r->err.msg, msg_part) != NULL, "got \"%s\", want \"%s\"", r->err.msg,
                  msg_part);
}

/* ---- cli_credentials_get: NULL and empty ---- */

START_TEST(get_null_and_empty)
{
    struct cli_credential_sources src;
    struct fake_prompt fp;
    test_sources(&src, &fp);
    char *user = (char *)&fp, *pw = (char *)&fp;
    struct pv_error err;
    ck_assert_int_eq(cli_credentials_get("a", NULL, &src, &user, &pw, NULL, &err), CLI_ERR_USAGE);
    ck_assert_ptr_null(user);
    ck_assert_ptr_null(pw);
    ck_assert_int_eq(cli_credentials_get("a", "", &src, &user, &pw, NULL, &err), CLI_ERR_USAGE);
    ck_assert_int_eq(cli_credentials_get("a", HOST, NULL, &user, &pw, NULL, &err), CLI_ERR_USAGE);
    ck_assert_int_eq(fp.calls, 0);
}
END_TEST

/* ---- order of the sources ---- */

START_TEST(env_wins)
{
    make_tmpdir();
    struct cli_credential_sources src;
    struct fake_prompt fp;
    test_sources(&src, &fp);
    src.env_password = "from-env";
    char *cmd = pv_xasprintf("touch '%s/ran'; echo from-command", tmpdir);
    src.password_command = cmd;
    write_netrc(&src, "machine " HOST " login alice password from-netrc\n", 0600);
    struct result r;
    get("alice", &src, &r);
    assert_got(&r, "alice", "from-env", CLI_SECRET_ENV);
    ck_assert_int_eq(fp.calls, 0);
    /* The command was not even run. */
    char *ran = pv_xasprintf("%s/ran", tmpdir);
    ck_assert_int_eq(access(ran, F_OK), -1);
    free(ran);
    free(cmd);

    /* An empty POPVIEW_PASSWORD counts as unset. */
    src.env_password = "";
    src.password_command = "echo from-command";
    get("alice", &src, &r);
    assert_got(&r, "alice", "from-command", CLI_SECRET_COMMAND);
    remove_tree();
}
END_TEST

START_TEST(env_with_insecure_netrc_not_read)
{
    /* User and password known: the netrc is not opened, its mode is moot. */
    make_tmpdir();
    struct cli_credential_sources src;
    struct fake_prompt fp;
    test_sources(&src, &fp);
    write_netrc(&src, "machine " HOST " login alice password pw\n", 0644);
    src.env_password = "from-env";
    struct result r;
    get("alice", &src, &r);
    assert_got(&r, "alice", "from-env", CLI_SECRET_ENV);
    /* With no user, the netrc is needed for the login, and refused. */
    get(NULL, &src, &r);
    assert_failed(&r, CLI_ERR_NETRC, "readable by other users");
    remove_tree();
}
END_TEST

/* ---- --password-command ---- */

static const struct {
    const char *cmd;
    const char *password;
} good_commands[] = {
    {"echo s3cret", "s3cret"},
    {"printf 'first\\r\\nsecond\\n'", "first"},
    {"printf 'no-newline'", "no-newline"},
    {"printf 'with space  \\n'", "with space  "},
    {"printf 'crlf\\r\\r\\n'", "crlf"},
    {"echo ignored >&2; echo to-stdout", "to-stdout"},
    {"read x </dev/null; echo \"$0\"", "sh"}, /* runs under /bin/sh -c */
};

START_TEST(command_first_line)
{
    struct cli_credential_sources src;
    struct fake_prompt fp;
    test_sources(&src, &fp);
    src.password_command = good_commands[_i].cmd;
    struct result r;
    get("alice", &src, &r);
    assert_got(&r, "alice", good_commands[_i].password, CLI_SECRET_COMMAND);
    ck_assert_int_eq(fp.calls, 0);
    assert_no_children_left();
}
END_TEST

static const struct {
    const char *cmd;
    const char *msg; /* exact */
} bad_commands[] = {
    {"echo pw; exit 3", "the password command \"echo pw; exit 3\" failed (exit status 3)"},
    {"exit 1", "the password command \"exit 1\" failed (exit status 1)"},
    {"true", "the password command \"true\" printed no password (exit status 0)"},
    {"echo", "the password command \"echo\" printed no password (exit status 0)"},
    {"printf '\\r\\nsecond\\n'",
     "the password command \"printf '\\r\\nsecond\\n'\" printed no password (exit status 0)"},
    {"/nonexistent/pw-helper",
     "the password command \"/nonexistent/pw-helper\" failed (exit status 127, command not "
     "found)"},
    {"kill -9 $$", "the password command \"kill -9 $$\" failed (killed by signal 9 (Killed))"},
    {"yes", "the password command \"yes\" printed more than 64 KiB; it should print the "
            "password on its first line"},
    {"head -c 70000 /dev/zero | tr '\\0' a",
     "the password command \"head -c 70000 /dev/zero | tr '\\0' a\" printed more than 64 KiB; "
     "it should print the password on its first line"},
};

START_TEST(command_failures)
{
    struct cli_credential_sources src;
    struct fake_prompt fp;
    test_sources(&src, &fp);
    src.password_command = bad_commands[_i].cmd;
    struct result r;
    get("alice", &src, &r);
    assert_failed(&r, CLI_ERR_PASSWORD_COMMAND, bad_commands[_i].msg);
    ck_assert_str_eq(r.err.msg, bad_commands[_i].msg);
    /* A failing command is an error, not a reason to ask someone. */
    ck_assert_int_eq(fp.calls, 0);
    assert_no_children_left();
}
END_TEST

START_TEST(command_ends_even_if_we_ignore_sigpipe)
{
    /* Network programs ignore SIGPIPE; the child must not inherit that,
     * or `yes` would never end after we stop reading.  Likewise a blocked
     * signal mask must not be handed on. */
    void (*old_pipe)(int) = signal(SIGPIPE, SIG_IGN);
    sigset_t all, old_mask;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &old_mask);
    struct cli_credential_sources src;
    struct fake_prompt fp;
    test_sources(&src, &fp);
    src.password_command = "yes";
    struct result r;
    get("alice", &src, &r);
    assert_failed(&r, CLI_ERR_PASSWORD_COMMAND, "printed more than 64 KiB");
    src.password_command = "kill -TERM $$; echo not-reached";
    get("alice", &src, &r);
    assert_failed(&r, CLI_ERR_PASSWORD_COMMAND, "killed by signal 15");
    assert_no_children_left();
    /* Leave the process as found (matters with CK_FORK=no). */
    pthread_sigmask(SIG_SETMASK, &old_mask, NULL);
    signal(SIGPIPE, old_pipe);
}
END_TEST

START_TEST(command_gets_secret_only_on_pipe)
{
    /* The command sees its own text and nothing else of ours: its argv is
     * sh -c CMD, its stdout is the pipe (not the test's stdout). */
    struct cli_credential_sources src;
    struct fake_prompt fp;
    test_sources(&src, &fp);
    src.password_command = "test -p /dev/stdout && echo \"$#:$0\"";
    struct result r;
    get("alice", &src, &r);
    assert_got(&r, "alice", "0:sh", CLI_SECRET_COMMAND);
}
END_TEST

/* ---- ~/.netrc ---- */

static const struct {
    const char *netrc;
    const char *user; /* given, or NULL */
    const char *want_user;
    const char *want_password; /* NULL: the prompt is asked */
} netrc_cases[] = {
    /* machine / login / password, user taken from the file */
    {"machine " HOST " login alice password s3cret\n", NULL, "alice", "s3cret"},
    /* host names compare without case */
    {"machine MAIL.Example.ORG login alice password s3cret\n", NULL, "alice", "s3cret"},
    /* other machines are skipped */
    {"machine other.example login bob password bobpw\n"
     "machine " HOST " login alice password alicepw\n",
     NULL, "alice", "alicepw"},
    /* with a user, the entry with that login is chosen */
    {"machine " HOST " login bob password bobpw\n"
     "machine " HOST " login alice password alicepw\n",
     "alice", "alice", "alicepw"},
    /* without one, the first entry for the host */
    {"machine " HOST " login bob password bobpw\n"
     "machine " HOST " login alice password alicepw\n",
     NULL, "bob", "bobpw"},
    /* an entry without login serves any user */
    {"machine " HOST " password anypw\n", "carol", "carol", "anypw"},
    /* login mismatch and no other entry: ask */
    {"machine " HOST " login bob password bobpw\n", "alice", "alice", NULL},
    /* default when no machine matches */
    {"machine other.example login bob password bobpw\n"
     "default login dflt password dfltpw\n",
     NULL, "dflt", "dfltpw"},
    /* a machine entry beats default even when default comes first */
    {"default login dflt password dfltpw\n"
     "machine " HOST " login alice password alicepw\n",
     NULL, "alice", "alicepw"},
    /* default with a different login than the user: ask */
    {"default login dflt password dfltpw\n", "alice", "alice", NULL},
    /* tokens across lines, comments, quotes, account */
    {"# my mail\n"
     "machine\n  " HOST "\n\tlogin \"al ice\"\n  account acct\n"
     "password \"p\\\"w d\\\\\"\n",
     NULL, "al ice", "p\"w d\\"},
    /* a '#' inside a line is part of a token, not a comment */
    {"machine " HOST " login alice password #hash#\n", NULL, "alice", "#hash#"},
    /* macro bodies are skipped up to the empty line */
    {"macdef init\nmachine " HOST " login evil password wrong\nquit\n\n"
     "machine " HOST " login alice password right\n",
     NULL, "alice", "right"},
    /* CRLF line ends */
    {"machine " HOST "\r\nlogin alice\r\npassword crlf\r\n", NULL, "alice", "crlf"},
    /* login only: the user comes from the file, the password from the prompt */
    {"machine " HOST " login alice\n", NULL, "alice", NULL},
    /* unknown words are skipped */
    {"machine " HOST " port 995 login alice password pw\n", NULL, "alice", "pw"},
    /* login and password before any machine belong to nothing */
    {"login ghost password ghostpw\n", "alice", "alice", NULL},
    /* an empty file */
    {"", "alice", "alice", NULL},
};

START_TEST(netrc_matching)
{
    make_tmpdir();
    struct cli_credential_sources src;
    struct fake_prompt fp;
    test_sources(&src, &fp);
    write_netrc(&src, netrc_cases[_i].netrc, 0600);
    struct result r;
    get(netrc_cases[_i].user, &src, &r);
    if (netrc_cases[_i].want_password) {
        assert_got(&r, netrc_cases[_i].want_user, netrc_cases[_i].want_password, CLI_SECRET_NETRC);
        ck_assert_int_eq(fp.calls, 0);
    } else {
        assert_got(&r, netrc_cases[_i].want_user, "typed-secret", CLI_SECRET_PROMPT);
        ck_assert_int_eq(fp.calls, 1);
    }
    remove_tree();
}
END_TEST

START_TEST(netrc_0644_refused)
{
    make_tmpdir();
    struct cli_credential_sources src;
    struct fake_prompt fp;
    test_sources(&src, &fp);
    write_netrc(&src, "machine " HOST " login alice password s3cret\n", 0644);
    struct result r;
    get("alice", &src, &r);
    assert_failed(&r, CLI_ERR_NETRC, "");
    ck_assert_str_eq(r.err.msg,
                     "~/.netrc is readable by other users (mode 0644); run chmod 600 ~/.netrc");
    ck_assert_int_eq(fp.calls, 0);

    ck_assert_int_eq(chmod(src.netrc_path, 0640), 0);
    get("alice", &src, &r);
    ck_assert_str_eq(r.err.msg,
                     "~/.netrc is readable by other users (mode 0640); run chmod 600 ~/.netrc");

    ck_assert_int_eq(chmod(src.netrc_path, 0620), 0);
    get(NULL, &src, &r);
    assert_failed(&r, CLI_ERR_NETRC, "");
    ck_assert_str_eq(r.err.msg,
                     "~/.netrc is writable by other users (mode 0620); run chmod 600 ~/.netrc");

    /* Without a display name the path is shown. */
    ck_assert_int_eq(chmod(src.netrc_path, 0604), 0);
    src.netrc_name = NULL;
    get("alice", &src, &r);
    char *want = pv_xasprintf("%s is readable by other users (mode 0604); run chmod 600 %s",
                              src.netrc_path, src.netrc_path);
    ck_assert_str_eq(r.err.msg, want);
    free(want);

    /* Owner-only bits (0700, 0400) are fine. */
    ck_assert_int_eq(chmod(src.netrc_path, 0400), 0);
    get("alice", &src, &r);
    assert_got(&r, "alice", "s3cret", CLI_SECRET_NETRC);
    remove_tree();
}
END_TEST

START_TEST(netrc_insecure_without_entry_ignored)
{
    /* A world-readable netrc with nothing for this host stays out of the way. */
    make_tmpdir();
    struct cli_credential_sources src;
    struct fake_prompt fp;
    test_sources(&src, &fp);
    write_netrc(&src, "machine other.example login bob password bobpw\n", 0644);
    struct result r;
    get("alice", &src, &r);
    assert_got(&r, "alice", "typed-secret", CLI_SECRET_PROMPT);
    remove_tree();
}
END_TEST

START_TEST(netrc_problems)
{
    make_tmpdir();
    struct cli_credential_sources src;
    struct fake_prompt fp;
    test_sources(&src, &fp);
    struct result r;

    /* Missing file: the next source. */
    snprintf(src.netrc_path, sizeof src.netrc_path, "%s/absent", tmpdir);
    get("alice", &src, &r);
    assert_got(&r, "alice", "typed-secret", CLI_SECRET_PROMPT);

    write_netrc(&src, "machine " HOST " login alice password \"open\n", 0600);
    get("alice", &src, &r);
    assert_failed(&r, CLI_ERR_NETRC, "~/.netrc: a quoted value has no closing '\"'");

    write_netrc(&src, "machine " HOST " login", 0600);
    get("alice", &src, &r);
    assert_failed(&r, CLI_ERR_NETRC, "~/.netrc: \"login\" at the end of the file has no value");

    snprintf(src.netrc_path, sizeof src.netrc_path, "%s", tmpdir);
    get("alice", &src, &r);
    assert_failed(&r, CLI_ERR_NETRC, "~/.netrc is not a regular file");

    /* Over the cap: refused before reading it all. */
    snprintf(src.netrc_path, sizeof src.netrc_path, "%s/big", tmpdir);
    int fd = open(src.netrc_path, O_WRONLY | O_CREAT, 0600);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(ftruncate(fd, CLI_NETRC_MAX + 1), 0);
    close(fd);
    get("alice", &src, &r);
    assert_failed(&r, CLI_ERR_NETRC, "~/.netrc is larger than 1024 KiB");

    /* Unreadable (as root, permissions do not stop us; skip then). */
    write_netrc(&src, "machine " HOST " password x\n", 0000);
    if (geteuid() != 0) {
        get("alice", &src, &r);
        assert_failed(&r, CLI_ERR_NETRC, "cannot open ~/.netrc: Permission denied");
    }
    remove_tree();
}
END_TEST

/* ---- the user name ---- */

START_TEST(no_user_is_an_error)
{
    make_tmpdir();
    struct cli_credential_sources src;
    struct fake_prompt fp;
    test_sources(&src, &fp);
    src.env_password = "pw";
    struct result r;
    get(NULL, &src, &r);
    assert_failed(&r, CLI_ERR_NO_USER, "");
    ck_assert_str_eq(r.err.msg,
                     "no user name: put it in the URL (pop3s://user@host) or use --user");

    /* A netrc entry without login does not give one either. */
    write_netrc(&src, "machine " HOST " password pw\n", 0600);
    get(NULL, &src, &r);
    assert_failed(&r, CLI_ERR_NO_USER, "no user name");
    ck_assert_int_eq(fp.calls, 0);
    remove_tree();
}
END_TEST

/* ---- the prompt through an injected function ---- */

START_TEST(prompt_is_last)
{
    struct cli_credential_sources src;
    struct fake_prompt fp;
    test_sources(&src, &fp);
    struct result r;
    get("alice", &src, &r);
    assert_got(&r, "alice", "typed-secret", CLI_SECRET_PROMPT);
    ck_assert_int_eq(fp.calls, 1);
    ck_assert_str_eq(fp.last_prompt, "Password for alice@" HOST ": ");

    fp.status = CLI_ERR_PROMPT;
    get("alice", &src, &r);
    assert_failed(&r, CLI_ERR_PROMPT, "fake prompt failed");

    /* No prompt function: nobody to ask. */
    src.prompt = NULL;
    get("alice", &src, &r);
    assert_failed(&r, CLI_ERR_NO_PASSWORD, "");
    ck_assert_str_eq(r.err.msg, NO_PASSWORD_MSG);

    /* source_out may be NULL. */
    src.prompt = fake_prompt_fn;
    fp.status = CLI_OK;
    char *user = NULL, *pw = NULL;
    struct pv_error err;
    ck_assert_int_eq(cli_credentials_get("bob", HOST, &src, &user, &pw, NULL, &err), CLI_OK);
    ck_assert_str_eq(pw, "typed-secret");
    free(user);
    pv_free_secret(&pw);
    ck_assert_ptr_null(pw);
}
END_TEST

/* ---- cli_prompt_tty ---- */

START_TEST(tty_absent)
{
    struct cli_credential_sources src;
    struct fake_prompt fp;
    test_sources(&src, &fp);
    struct pv_error err;
    char *secret = (char *)&fp;
    ck_assert_int_eq(cli_prompt_tty(&src, "Password: ", &secret, &err), CLI_ERR_NO_PASSWORD);
    ck_assert_ptr_null(secret);
    ck_assert_str_eq(err.msg, NO_PASSWORD_MSG);

    /* A file that is not a terminal is no terminal either. */
    src.tty_path = "/dev/null";
    ck_assert_int_eq(cli_prompt_tty(&src, "Password: ", &secret, &err), CLI_ERR_NO_PASSWORD);
    ck_assert_str_eq(err.msg, NO_PASSWORD_MSG);

    /* Through cli_credentials_get, with the real prompt and no terminal. */
    src.tty_path = "/nonexistent/tty";
    src.prompt = cli_prompt_tty;
    struct result r;
    get("alice", &src, &r);
    assert_failed(&r, CLI_ERR_NO_PASSWORD, NO_PASSWORD_MSG);
}
END_TEST

/* A pseudo-terminal and a thread playing the person at the keyboard. */
struct pty_person {
    int master;
    int slave_keep; /* held open: with no slave open, reads on the master fail (EIO) */
    char slave_path[128];
    const char *wait_for; /* typed once this much output has appeared */
    const char *types;    /* NULL: send a signal instead */
    pthread_t victim;
    int signal;
    char seen[1024]; /* everything the terminal showed */
    size_t seen_len;
};

static void pty_open(struct pty_person *pp)
{
    memset(pp, 0, sizeof *pp);
    pp->master = posix_openpt(O_RDWR | O_NOCTTY);
    ck_assert_int_ge(pp->master, 0);
    ck_assert_int_eq(grantpt(pp->master), 0);
    ck_assert_int_eq(unlockpt(pp->master), 0);
    ck_assert_int_eq(ptsname_r(pp->master, pp->slave_path, sizeof pp->slave_path), 0);
    pp->slave_keep = open(pp->slave_path, O_RDWR | O_NOCTTY);
    ck_assert_int_ge(pp->slave_keep, 0);
}

static void pty_close(struct pty_person *pp)
{
    close(pp->slave_keep);
    close(pp->master);
}

/* Reads what the terminal shows until `until` appeared or 5 s passed. */
static void pty_read_until(struct pty_person *pp, const char *until, int timeout_ms)
{
    while (!strstr(pp->seen, until)) {
        struct pollfd pfd = {.fd = pp->master, .events = POLLIN};
        if (poll(&pfd, 1, timeout_ms) <= 0)
            return;
        ssize_t n = read(pp->master, pp->seen + pp->seen_len, sizeof pp->seen - 1 - pp->seen_len);
        if (n <= 0)
            return;
        pp->seen_len += (size_t)n;
        pp->seen[pp->seen_len] = '\0';
    }
}

static void *person_main(void *arg)
{
    struct pty_person *pp = arg;
    pty_read_until(pp, pp->wait_for, 5000);
    if (pp->types) {
        ssize_t n = write(pp->master, pp->types, strlen(pp->types));
        (void)n;
    } else {
        pthread_kill(pp->victim, pp->signal);
    }
    return NULL;
}

static bool slave_echo_on(const struct pty_person *pp)
{
    int fd = open(pp->slave_path, O_RDWR | O_NOCTTY);
    ck_assert_int_ge(fd, 0);
    struct termios t;
    ck_assert_int_eq(tcgetattr(fd, &t), 0);
    close(fd);
    return (t.c_lflag & ECHO) != 0;
}

/* Runs cli_prompt_tty on the pty while the person thread does its part. */
static enum cli_status prompt_on_pty(struct pty_person *pp, const char *types, char **secret,
                                     struct pv_error *err)
{
    pp->wait_for = "Password for alice@" HOST ": ";
    pp->types = types;
    pp->victim = pthread_self();
    struct cli_credential_sources src;
    struct fake_prompt fp;
    test_sources(&src, &fp);
    src.tty_path = pp->slave_path;
    pthread_t person;
    ck_assert_int_eq(pthread_create(&person, NULL, person_main, pp), 0);
    enum cli_status st = cli_prompt_tty(&src, "Password for alice@" HOST ": ", secret, err);
    pthread_join(person, NULL);
    pty_read_until(pp, "\n", 200); /* the newline written after the answer */
    return st;
}

START_TEST(tty_reads_without_echo)
{
    struct pty_person pp;
    pty_open(&pp);
    ck_assert(slave_echo_on(&pp));
    char *secret = NULL;
    struct pv_error err;
    ck_assert_int_eq(prompt_on_pty(&pp, "hunter2\n", &secret, &err), CLI_OK);
    ck_assert_str_eq(secret, "hunter2");
    pv_free_secret(&secret);
    ck_assert_ptr_nonnull(strstr(pp.seen, "Password for alice@" HOST ": "));
    ck_assert_ptr_null(strstr(pp.seen, "hunter2")); /* never echoed */
    ck_assert(slave_echo_on(&pp));                  /* and echo is back */
    pty_close(&pp);
}
END_TEST

START_TEST(tty_end_of_input_and_empty_line)
{
    struct pty_person pp;
    pty_open(&pp);
    char *secret = (char *)&pp;
    struct pv_error err;
    ck_assert_int_eq(prompt_on_pty(&pp, "\x04", &secret, &err), CLI_ERR_PROMPT); /* ^D */
    ck_assert_ptr_null(secret);
    ck_assert_str_eq(err.msg, "password prompt: end of input before a password was typed");
    ck_assert(slave_echo_on(&pp));
    pty_close(&pp);

    pty_open(&pp);
    ck_assert_int_eq(prompt_on_pty(&pp, "\r", &secret, &err), CLI_ERR_PROMPT);
    ck_assert_ptr_null(secret);
    ck_assert_str_eq(err.msg, "no password was typed");
    ck_assert(slave_echo_on(&pp));
    pty_close(&pp);
}
END_TEST

static volatile sig_atomic_t sigint_seen;

static void on_sigint(int sig)
{
    (void)sig;
    sigint_seen++;
}

START_TEST(tty_restored_on_signal)
{
    /* A SIGINT during the prompt: echo comes back first, then the signal
     * takes its course (here a handler that counts). */
    struct sigaction sa = {.sa_handler = on_sigint};
    sigemptyset(&sa.sa_mask);
    ck_assert_int_eq(sigaction(SIGINT, &sa, NULL), 0);
    struct pty_person pp;
    pty_open(&pp);
    pp.signal = SIGINT;
    char *secret = (char *)&pp;
    struct pv_error err;
    ck_assert_int_eq(prompt_on_pty(&pp, NULL, &secret, &err), CLI_ERR_PROMPT);
    ck_assert_ptr_null(secret);
    ck_assert_str_eq(err.msg, "password prompt interrupted (Interrupt)");
    ck_assert_int_eq(sigint_seen, 1);
    ck_assert(slave_echo_on(&pp));
    /* The signal mask is as before: SIGINT is not left blocked. */
    sigset_t now;
    pthread_sigmask(SIG_SETMASK, NULL, &now);
    ck_assert(!sigismember(&now, SIGINT));
    pty_close(&pp);
}
END_TEST

/* ---- cli_credential_sources_init ---- */

START_TEST(sources_init_reads_environment)
{
    struct cli_credential_sources src;
    ck_assert_int_eq(setenv("HOME", "/home/alice", 1), 0);
    ck_assert_int_eq(setenv("POPVIEW_PASSWORD", "envpw", 1), 0);
    cli_credential_sources_init(&src, "pass mail");
    ck_assert_str_eq(src.env_password, "envpw");
    ck_assert_str_eq(src.password_command, "pass mail");
    ck_assert_str_eq(src.netrc_path, "/home/alice/.netrc");
    ck_assert_str_eq(src.netrc_name, "~/.netrc");
    ck_assert_str_eq(src.tty_path, "/dev/tty");
    ck_assert(src.prompt == cli_prompt_tty);

    ck_assert_int_eq(unsetenv("HOME"), 0);
    ck_assert_int_eq(unsetenv("POPVIEW_PASSWORD"), 0);
    cli_credential_sources_init(&src, NULL);
    ck_assert_ptr_null(src.env_password);
    ck_assert_ptr_null(src.password_command);
    ck_assert_str_eq(src.netrc_path, "");
}
END_TEST

/* ---- cli_secret_source_name ---- */

static const struct {
    enum cli_secret_source s;
    const char *name;
} source_names[] = {
    {CLI_SECRET_NONE, "none"},
    {CLI_SECRET_ENV, "POPVIEW_PASSWORD"},
    {CLI_SECRET_COMMAND, "--password-command"},
    {CLI_SECRET_NETRC, "~/.netrc"},
    {CLI_SECRET_PROMPT, "the terminal"},
};

START_TEST(source_name)
{
    ck_assert_str_eq(cli_secret_source_name(source_names[_i].s), source_names[_i].name);
}
END_TEST

static Suite *credentials_suite(void)
{
    Suite *s = suite_create("cli_credentials");
    TCase *tc = tcase_create("cli_credentials_get");
    tcase_set_timeout(tc, 20);
    tcase_add_test(tc, get_null_and_empty);
    tcase_add_test(tc, env_wins);
    tcase_add_test(tc, env_with_insecure_netrc_not_read);
    tcase_add_loop_test(tc, command_first_line, 0, (int)PV_ARRAY_LEN(good_commands));
    tcase_add_loop_test(tc, command_failures, 0, (int)PV_ARRAY_LEN(bad_commands));
    tcase_add_test(tc, command_ends_even_if_we_ignore_sigpipe);
    tcase_add_test(tc, command_gets_secret_only_on_pipe);
    tcase_add_loop_test(tc, netrc_matching, 0, (int)PV_ARRAY_LEN(netrc_cases));
    tcase_add_test(tc, netrc_0644_refused);
    tcase_add_test(tc, netrc_insecure_without_entry_ignored);
    tcase_add_test(tc, netrc_problems);
    tcase_add_test(tc, no_user_is_an_error);
    tcase_add_test(tc, prompt_is_last);
    suite_add_tcase(s, tc);
    tc = tcase_create("cli_prompt_tty");
    tcase_set_timeout(tc, 20);
    tcase_add_test(tc, tty_absent);
    tcase_add_test(tc, tty_reads_without_echo);
    tcase_add_test(tc, tty_end_of_input_and_empty_line);
    tcase_add_test(tc, tty_restored_on_signal);
    suite_add_tcase(s, tc);
    tc = tcase_create("cli_credential_sources_init");
    tcase_add_test(tc, sources_init_reads_environment);
    suite_add_tcase(s, tc);
    tc = tcase_create("cli_secret_source_name");
    tcase_add_loop_test(tc, source_name, 0, (int)PV_ARRAY_LEN(source_names));
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(credentials_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
