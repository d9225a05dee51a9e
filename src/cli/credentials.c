/*
 * Credentials: the user name and the password for one server, from the
 * first source that has them — POPVIEW_PASSWORD, --password-command,
 * ~/.netrc, a prompt on the terminal.  The sources sit in a struct so that
 * tests can point them at a temporary netrc, a pseudo-terminal or a
 * function of their own.
 *
 * Secrets never go through argv (the command gets only its own text; the
 * password comes back on a pipe) and every buffer that held one is wiped
 * before it is freed (pv_buf_free_secret, pv_free_secret).
 *
 * netrc: the format of ftp(1) and curl: whitespace-separated tokens, lines
 * do not matter; "machine NAME", "default", "login", "password",
 * "account" and "macdef NAME" (a macro body up to an empty line, skipped).
 * Extensions that curl also accepts: "#" comment lines and "..." quoted
 * values with \" and \\ inside.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <popview/util.h>

#include <popview/i18n.h>

#include "cli.h"

/* Canonical-mode terminals hold at most 4095 characters per line (Linux
 * N_TTY), so a longer typed password cannot exist. */
enum { PROMPT_MAX = 4096, QUOTE_MAX = 80, READ_CHUNK = 4096 };

const char *cli_secret_source_name(enum cli_secret_source s)
{
    switch (s) {
    case CLI_SECRET_NONE:
        return "none";
    case CLI_SECRET_ENV:
        return "POPVIEW_PASSWORD";
    case CLI_SECRET_COMMAND:
        return "--password-command";
    case CLI_SECRET_NETRC:
        return "~/.netrc";
    case CLI_SECRET_PROMPT:
        return _("the terminal");
    }
    return "none";
}

void cli_credential_sources_init(struct cli_credential_sources *src, const char *password_command)
{
    memset(src, 0, sizeof *src);
    src->env_password = getenv("POPVIEW_PASSWORD");
    src->password_command = password_command;
    const char *home = getenv("HOME");
    if (home && *home) {
        int n = snprintf(src->netrc_path, sizeof src->netrc_path, "%s/.netrc", home);
        if (n < 0 || (size_t)n >= sizeof src->netrc_path)
            src->netrc_path[0] = '\0'; /* a HOME that long has no usable netrc */
    }
    src->netrc_name = "~/.netrc";
    src->tty_path = "/dev/tty";
    src->prompt = cli_prompt_tty;
}

/* ----------------------------------------------------------------------
 * --password-command
 * ---------------------------------------------------------------------- */

static void describe_wait_status(int status, char *out, size_t out_size)
{
    if (WIFEXITED(status)) {
        int code = WEXITSTATUS(status);
        snprintf(out, out_size, _("exit status %d%s"), code,
                 code == 127 ? _(", command not found") : "");
    } else if (WIFSIGNALED(status)) {
        snprintf(out, out_size, _("killed by signal %d (%s)"), WTERMSIG(status),
                 strsignal(WTERMSIG(status)));
    } else {
        snprintf(out, out_size, _("wait status %d"), status);
    }
}

/*
 * Starts /bin/sh -c cmd with stdout on a pipe (our read end is close-on-exec,
 * so the child does not hold it open).  The child gets default
 * SIGPIPE and an empty signal mask even if the caller ignores or blocks
 * signals: a command like `yes` must die when we stop reading.
 */
static bool spawn_shell(const char *cmd, int stdout_fd, pid_t *pid_out, int *errno_out)
{
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t attr;
    sigset_t none, def;
    sigemptyset(&none);
    sigemptyset(&def);
    sigaddset(&def, SIGPIPE);
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, stdout_fd, STDOUT_FILENO);
    posix_spawnattr_init(&attr);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &def);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    char sh[] = "sh";
    char dash_c[] = "-c";
    char *cmd_copy = pv_xstrdup(cmd);
    char *argv[] = {sh, dash_c, cmd_copy, NULL};
    int rc = posix_spawn(pid_out, "/bin/sh", &fa, &attr, argv, environ);
    free(cmd_copy);
    posix_spawnattr_destroy(&attr);
    posix_spawn_file_actions_destroy(&fa);
    *errno_out = rc;
    return rc == 0;
}

/* Reads fd to EOF into out (capped); false when the cap was hit. */
static bool read_all_capped(int fd, struct pv_buf *out)
{
    char chunk[READ_CHUNK];
    bool fits = true;
    for (;;) {
        ssize_t n = read(fd, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        if (!pv_buf_append(out, chunk, (size_t)n)) {
            fits = false;
            break;
        }
    }
    pv_wipe(chunk, sizeof chunk);
    return fits;
}

/*
 * Grows b to hold n bytes before any secret goes in: a realloc later would
 * leave an unwiped copy of the secret behind in freed memory.
 */
static bool reserve_for_secret(struct pv_buf *b, size_t n)
{
    static const char zeros[READ_CHUNK];
    while (b->len < n) {
        size_t step = n - b->len < sizeof zeros ? n - b->len : sizeof zeros;
        if (!pv_buf_append(b, zeros, step))
            return false;
    }
    pv_buf_reset(b);
    return true;
}

static int wait_child(pid_t pid)
{
    int status = 0;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR)
            return -1;
    }
    return status;
}

/* The first line of out, without its CR/LF, as a new secret string. */
static char *first_line(const struct pv_buf *out)
{
    size_t len = strcspn(out->data, "\n");
    while (len > 0 && (out->data[len - 1] == '\r' || out->data[len - 1] == '\n'))
        len--;
    return pv_xstrndup(out->data, len);
}

static enum cli_status run_password_command(const char *cmd, char **secret_out,
                                            struct pv_error *err)
{
    char quoted[QUOTE_MAX];
    cli_printable(quoted, sizeof quoted, cmd, strlen(cmd));
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) {
        pv_error_set(err, _("cannot run the password command \"%s\": pipe: %s"), quoted,
                     strerror(errno));
        return CLI_ERR_PASSWORD_COMMAND;
    }
    pid_t pid;
    int spawn_errno = 0;
    bool spawned = spawn_shell(cmd, fds[1], &pid, &spawn_errno);
    close(fds[1]);
    if (!spawned) {
        close(fds[0]);
        pv_error_set(err, _("cannot run the password command \"%s\": %s"), quoted,
                     strerror(spawn_errno));
        return CLI_ERR_PASSWORD_COMMAND;
    }
    struct pv_buf out;
    pv_buf_init(&out, CLI_SECRET_MAX);
    /* An empty append allocates, so out.data is a string even if nothing comes. */
    bool fits = pv_buf_append(&out, "", 0) && read_all_capped(fds[0], &out);
    close(fds[0]);
    if (!fits)
        kill(pid, SIGTERM); /* our own child, not yet reaped: the pid is still ours */
    int status = wait_child(pid);
    char how[96];
    describe_wait_status(status, how, sizeof how);
    enum cli_status st = CLI_OK;
    if (!fits) {
        pv_error_set(err,
                     _("the password command \"%s\" printed more than %d KiB; it should print "
                       "the password on its first line"),
                     quoted, CLI_SECRET_MAX / 1024);
        st = CLI_ERR_PASSWORD_COMMAND;
    } else if (status < 0) {
        pv_error_set(err, _("the password command \"%s\" ran, but its exit status is unknown: %s"),
                     quoted, strerror(errno));
        st = CLI_ERR_PASSWORD_COMMAND;
    } else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        pv_error_set(err, _("the password command \"%s\" failed (%s)"), quoted, how);
        st = CLI_ERR_PASSWORD_COMMAND;
    } else {
        char *line = first_line(&out);
        if (!*line) {
            pv_free_secret(&line);
            pv_error_set(err, _("the password command \"%s\" printed no password (%s)"), quoted,
                         how);
            st = CLI_ERR_PASSWORD_COMMAND;
        } else {
            *secret_out = line;
        }
    }
    pv_buf_free_secret(&out);
    return st;
}

/* ----------------------------------------------------------------------
 * ~/.netrc
 * ---------------------------------------------------------------------- */

struct netrc_lexer {
    const char *p;
    const char *end;
    bool line_start; /* only spaces so far on this line: '#' starts a comment */
    const char *name;
};

struct netrc_entry {
    bool used;
    bool is_default;
    bool host_matches;
    char *login;
    char *password;
};

static void entry_clear(struct netrc_entry *e)
{
    free(e->login);
    pv_free_secret(&e->password);
    memset(e, 0, sizeof *e);
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static void skip_space_and_comments(struct netrc_lexer *lx)
{
    while (lx->p < lx->end) {
        char c = *lx->p;
        if (c == '\n') {
            lx->line_start = true;
            lx->p++;
        } else if (is_space(c)) {
            lx->p++;
        } else if (c == '#' && lx->line_start) {
            while (lx->p < lx->end && *lx->p != '\n')
                lx->p++;
        } else {
            return;
        }
    }
}

/* 1: a token in tok; 0: end of file; -1: error (an unclosed quote). */
static int next_token(struct netrc_lexer *lx, struct pv_buf *tok, struct pv_error *err)
{
    pv_buf_reset(tok);
    /* An empty append allocates, so tok->data is a string even for "". */
    if (!pv_buf_append(tok, "", 0))
        return -1;
    skip_space_and_comments(lx);
    if (lx->p == lx->end)
        return 0;
    lx->line_start = false;
    bool ok = true;
    if (*lx->p == '"') {
        lx->p++;
        while (ok && lx->p < lx->end && *lx->p != '"') {
            char c = *lx->p++;
            if (c == '\\' && lx->p < lx->end)
                c = *lx->p++;
            ok = pv_buf_append_byte(tok, c);
        }
        if (lx->p == lx->end) {
            pv_error_set(err, _("%s: a quoted value has no closing '\"'"), lx->name);
            return -1;
        }
        lx->p++;
    } else {
        while (ok && lx->p < lx->end && !is_space(*lx->p))
            ok = pv_buf_append_byte(tok, *lx->p++);
    }
    if (!ok) {
        pv_error_set(err, _("%s: a token is too long"), lx->name);
        return -1;
    }
    return 1;
}

/* A macdef body runs from the next line to the first empty line. */
static void skip_macro_body(struct netrc_lexer *lx)
{
    while (lx->p < lx->end && *lx->p != '\n')
        lx->p++;
    while (lx->p < lx->end) {
        lx->p++; /* the '\n' ending the previous line */
        const char *line = lx->p;
        while (lx->p < lx->end && *lx->p != '\n')
            lx->p++;
        size_t len = (size_t)(lx->p - line);
        if (len == 0 || (len == 1 && line[0] == '\r'))
            break;
    }
    lx->line_start = true;
}

static bool entry_matches(const struct netrc_entry *e, const char *user)
{
    if (!e->used || !(e->is_default || e->host_matches))
        return false;
    return !user || !e->login || strcmp(e->login, user) == 0;
}

/* What one pass over the file found: the first matching machine entry, and
 * the first matching default entry as the fallback. */
struct netrc_search {
    const char *host;
    const char *user;
    struct netrc_entry cur;
    struct netrc_entry machine;
    struct netrc_entry fallback;
};

/* The current entry ends (a new one starts, or the file ends). */
static void finish_entry(struct netrc_search *s)
{
    if (entry_matches(&s->cur, s->user)) {
        struct netrc_entry *slot = s->cur.is_default ? &s->fallback : &s->machine;
        if (!slot->used) {
            *slot = s->cur;
            memset(&s->cur, 0, sizeof s->cur);
            return;
        }
    }
    entry_clear(&s->cur);
}

/* Reads the value token after keyword; a keyword at the end is an error. */
static int keyword_value(struct netrc_lexer *lx, const char *keyword, struct pv_buf *tok,
                         struct pv_error *err)
{
    int r = next_token(lx, tok, err);
    if (r == 0) {
        pv_error_set(err, _("%s: \"%s\" at the end of the file has no value"), lx->name, keyword);
        return -1;
    }
    return r;
}

static enum cli_status netrc_apply_token(struct netrc_search *s, struct netrc_lexer *lx,
                                         struct pv_buf *tok, struct pv_error *err)
{
    const bool is_machine = strcmp(tok->data, "machine") == 0;
    if (is_machine || strcmp(tok->data, "default") == 0) {
        finish_entry(s);
        s->cur.used = true;
        s->cur.is_default = !is_machine;
        if (is_machine) {
            if (keyword_value(lx, "machine", tok, err) < 0)
                return CLI_ERR_NETRC;
            s->cur.host_matches = pv_ascii_ieq(tok->data, s->host);
        }
        return CLI_OK;
    }
    static const char *const valued[] = {"login", "password", "account", "macdef"};
    for (size_t i = 0; i < PV_ARRAY_LEN(valued); i++) {
        if (strcmp(tok->data, valued[i]) != 0)
            continue;
        if (keyword_value(lx, valued[i], tok, err) < 0)
            return CLI_ERR_NETRC;
        if (i == 0 && s->cur.used) {
            free(s->cur.login);
            s->cur.login = pv_xstrdup(tok->data);
        } else if (i == 1 && s->cur.used) {
            pv_free_secret(&s->cur.password);
            s->cur.password = pv_xstrdup(tok->data);
        } else if (i == 3) {
            skip_macro_body(lx);
        }
        return CLI_OK;
    }
    /* Unknown words are skipped, as ftp and curl do. */
    return CLI_OK;
}

/* Parses text; on CLI_OK *found_out holds the chosen entry (used == false:
 * none matched).  The caller clears it. */
static enum cli_status netrc_search(const char *text, size_t len, const char *name,
                                    const char *host, const char *user,
                                    struct netrc_entry *found_out, struct pv_error *err)
{
    struct netrc_lexer lx = {.p = text, .end = text + len, .line_start = true, .name = name};
    struct netrc_search s = {.host = host, .user = user};
    struct pv_buf tok;
    pv_buf_init(&tok, CLI_NETRC_MAX);
    /* No token is longer than the text it comes from. */
    if (!reserve_for_secret(&tok, len)) {
        pv_buf_free(&tok);
        pv_error_set(err, _("%s is larger than %d KiB"), name, CLI_NETRC_MAX / 1024);
        return CLI_ERR_NETRC;
    }
    enum cli_status st = CLI_OK;
    while (st == CLI_OK && !s.machine.used) {
        int r = next_token(&lx, &tok, err);
        if (r < 0)
            st = CLI_ERR_NETRC;
        if (r <= 0)
            break;
        st = netrc_apply_token(&s, &lx, &tok, err);
    }
    finish_entry(&s);
    pv_buf_free_secret(&tok);
    if (st == CLI_OK && s.machine.used) {
        *found_out = s.machine;
        entry_clear(&s.fallback);
    } else if (st == CLI_OK) {
        *found_out = s.fallback;
        entry_clear(&s.machine);
    } else {
        entry_clear(&s.machine);
        entry_clear(&s.fallback);
    }
    return st;
}

/* A file that holds passwords must be ours and private (the rule of ftp's
 * netrc handling): anyone who can read it has the password, anyone who can
 * write it decides where we log in. */
static enum cli_status netrc_check_private(const struct stat *st, const char *name,
                                           struct pv_error *err)
{
    unsigned mode = (unsigned)(st->st_mode & 07777);
    const char *problem = NULL;
    if (st->st_mode & (S_IRGRP | S_IROTH))
        problem = _("readable");
    else if (st->st_mode & (S_IWGRP | S_IWOTH))
        problem = _("writable");
    if (problem) {
        pv_error_set(err, _("%s is %s by other users (mode %04o); run chmod 600 %s"), name, problem,
                     mode, name);
        return CLI_ERR_NETRC;
    }
    if (st->st_uid != geteuid()) {
        pv_error_set(err, _("%s belongs to another user (uid %u); it must be your own file"), name,
                     (unsigned)st->st_uid);
        return CLI_ERR_NETRC;
    }
    return CLI_OK;
}

/* Opens and reads the file; a missing file is CLI_OK with *missing_out. */
static enum cli_status netrc_load(const char *path, const char *name, struct pv_buf *text,
                                  struct stat *st_out, bool *missing_out, struct pv_error *err)
{
    *missing_out = false;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        if (errno == ENOENT || errno == ENOTDIR) {
            *missing_out = true;
            return CLI_OK;
        }
        pv_error_set(err, _("cannot open %s: %s"), name, strerror(errno));
        return CLI_ERR_NETRC;
    }
    enum cli_status st = CLI_OK;
    if (fstat(fd, st_out) != 0) {
        pv_error_set(err, _("cannot read %s: %s"), name, strerror(errno));
        st = CLI_ERR_NETRC;
    } else if (!S_ISREG(st_out->st_mode)) {
        pv_error_set(err, _("%s is not a regular file"), name);
        st = CLI_ERR_NETRC;
    } else if (st_out->st_size > CLI_NETRC_MAX ||
               !reserve_for_secret(text, (size_t)st_out->st_size) || !read_all_capped(fd, text)) {
        pv_error_set(err, _("%s is larger than %d KiB"), name, CLI_NETRC_MAX / 1024);
        st = CLI_ERR_NETRC;
    }
    close(fd);
    return st;
}

/*
 * The entry for host (and user, when known).  The file's permissions are
 * checked only when an entry would be used: a world-readable netrc with
 * nothing for this host is not our business.
 */
static enum cli_status netrc_find(const struct cli_credential_sources *src, const char *host,
                                  const char *user, struct netrc_entry *found_out,
                                  struct pv_error *err)
{
    memset(found_out, 0, sizeof *found_out);
    const char *name = src->netrc_name ? src->netrc_name : src->netrc_path;
    struct pv_buf text;
    pv_buf_init(&text, CLI_NETRC_MAX);
    struct stat st;
    bool missing = false;
    enum cli_status rc = netrc_load(src->netrc_path, name, &text, &st, &missing, err);
    if (rc == CLI_OK && !missing)
        rc = netrc_search(text.data ? text.data : "", text.len, name, host, user, found_out, err);
    pv_buf_free_secret(&text);
    if (rc == CLI_OK && found_out->used)
        rc = netrc_check_private(&st, name, err);
    if (rc != CLI_OK)
        entry_clear(found_out);
    return rc;
}

/* ----------------------------------------------------------------------
 * The prompt on the terminal
 * ---------------------------------------------------------------------- */

/*
 * One prompt in progress.  While echo is off, the signals a person uses to
 * leave (SIGINT, SIGTERM, SIGHUP, SIGQUIT) and to suspend (SIGTSTP) are
 * blocked and read from a signalfd, so the terminal is restored before
 * they take effect; no handler and no global state are needed.
 */
struct tty_prompt {
    int fd;
    int sig_fd;
    struct termios saved;
    sigset_t signals;
    sigset_t old_mask;
    const char *prompt;
};

static void write_all_fd(int fd, const char *s, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, s, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return; /* a prompt that cannot be shown is still answered */
        s += n;
        len -= (size_t)n;
    }
}

static bool echo_off(struct tty_prompt *tp)
{
    struct termios t = tp->saved;
    t.c_lflag &= ~(tcflag_t)(ECHO | ECHOE | ECHOK | ECHONL);
    t.c_lflag |= ICANON;
    /* TCSAFLUSH: what was typed ahead was echoed, so it must not become
     * part of the password. */
    if (tcsetattr(tp->fd, TCSAFLUSH, &t) != 0)
        return false;
    write_all_fd(tp->fd, tp->prompt, strlen(tp->prompt));
    return true;
}

static void echo_restore(struct tty_prompt *tp)
{
    while (tcsetattr(tp->fd, TCSANOW, &tp->saved) != 0 && errno == EINTR) {
    }
    /* The Enter the person typed was not echoed. */
    write_all_fd(tp->fd, "\n", 1);
}

/* Suspends like an unhandled SIGTSTP would, with the terminal as it was. */
static bool suspend_and_resume(struct tty_prompt *tp)
{
    echo_restore(tp);
    pthread_sigmask(SIG_SETMASK, &tp->old_mask, NULL);
    raise(SIGTSTP);
    pthread_sigmask(SIG_BLOCK, &tp->signals, NULL);
    return echo_off(tp);
}

/*
 * Reads up to the end of the line.  Returns CLI_OK with the line in line;
 * *signal_out is set when a signal ended the prompt.
 */
static enum cli_status read_line_no_echo(struct tty_prompt *tp, struct pv_buf *line,
                                         int *signal_out, struct pv_error *err)
{
    for (;;) {
        struct pollfd pfd[2] = {{.fd = tp->fd, .events = POLLIN},
                                {.fd = tp->sig_fd, .events = POLLIN}};
        if (poll(pfd, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            pv_error_set(err, _("password prompt: %s"), strerror(errno));
            return CLI_ERR_PROMPT;
        }
        if (pfd[1].revents & POLLIN) {
            struct signalfd_siginfo si;
            if (read(tp->sig_fd, &si, sizeof si) != (ssize_t)sizeof si)
                continue;
            if (si.ssi_signo == SIGTSTP) {
                if (suspend_and_resume(tp))
                    continue;
                pv_error_set(err, _("password prompt: cannot switch terminal echo off"));
                return CLI_ERR_PROMPT;
            }
            *signal_out = (int)si.ssi_signo;
            pv_error_set(err, _("password prompt interrupted (%s)"), strsignal((int)si.ssi_signo));
            return CLI_ERR_PROMPT;
        }
        if (!(pfd[0].revents & (POLLIN | POLLHUP | POLLERR)))
            continue;
        char chunk[256];
        ssize_t n = read(tp->fd, chunk, sizeof chunk);
        if (n < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (n <= 0) {
            pv_error_set(err, _("password prompt: end of input before a password was typed"));
            return CLI_ERR_PROMPT;
        }
        bool fits = pv_buf_append(line, chunk, (size_t)n);
        pv_wipe(chunk, sizeof chunk);
        if (!fits) {
            pv_error_set(err, _("password prompt: the line is longer than %d bytes"), PROMPT_MAX);
            return CLI_ERR_PROMPT;
        }
        if (memchr(line->data, '\n', line->len))
            return CLI_OK;
    }
}

static enum cli_status no_terminal(struct pv_error *err)
{
    pv_error_set(err, "%s",
                 _("no password: set POPVIEW_PASSWORD, use --password-command, ~/.netrc, or run "
                   "on a terminal"));
    return CLI_ERR_NO_PASSWORD;
}

enum cli_status cli_prompt_tty(const struct cli_credential_sources *src, const char *prompt,
                               char **secret_out, struct pv_error *err)
{
    *secret_out = NULL;
    const char *path = src && src->tty_path ? src->tty_path : "/dev/tty";
    struct tty_prompt tp = {.prompt = prompt ? prompt : _("Password: ")};
    tp.fd = open(path, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (tp.fd < 0)
        return no_terminal(err);
    if (!isatty(tp.fd) || tcgetattr(tp.fd, &tp.saved) != 0) {
        close(tp.fd);
        return no_terminal(err);
    }
    sigemptyset(&tp.signals);
    static const int caught[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGTSTP};
    for (size_t i = 0; i < PV_ARRAY_LEN(caught); i++)
        sigaddset(&tp.signals, caught[i]);
    pthread_sigmask(SIG_BLOCK, &tp.signals, &tp.old_mask);
    tp.sig_fd = signalfd(-1, &tp.signals, SFD_CLOEXEC | SFD_NONBLOCK);

    struct pv_buf line;
    pv_buf_init(&line, PROMPT_MAX);
    int signal_seen = 0;
    enum cli_status st = CLI_OK;
    if (tp.sig_fd < 0) {
        pv_error_set(err, _("password prompt: signalfd: %s"), strerror(errno));
        st = CLI_ERR_PROMPT;
    } else if (!echo_off(&tp)) {
        pv_error_set(err, _("password prompt: cannot switch terminal echo off: %s"),
                     strerror(errno));
        st = CLI_ERR_PROMPT;
    } else {
        st = read_line_no_echo(&tp, &line, &signal_seen, err);
        echo_restore(&tp);
    }
    if (tp.sig_fd >= 0)
        close(tp.sig_fd);
    close(tp.fd);
    pthread_sigmask(SIG_SETMASK, &tp.old_mask, NULL);
    if (signal_seen)
        raise(signal_seen); /* now that the terminal is restored, let it act */
    if (st == CLI_OK) {
        char *secret = first_line(&line);
        if (!*secret) {
            pv_free_secret(&secret);
            pv_error_set(err, _("no password was typed"));
            st = CLI_ERR_PROMPT;
        }
        *secret_out = secret;
    }
    pv_buf_free_secret(&line);
    return st;
}

/* ----------------------------------------------------------------------
 * Putting it together
 * ---------------------------------------------------------------------- */

static enum cli_status password_from_sources(const struct cli_credential_sources *src,
                                             const char *user, const char *host,
                                             struct netrc_entry *entry, char **password_out,
                                             enum cli_secret_source *source_out,
                                             struct pv_error *err)
{
    if (src->env_password && *src->env_password) {
        *source_out = CLI_SECRET_ENV;
        *password_out = pv_xstrdup(src->env_password);
        return CLI_OK;
    }
    if (src->password_command) {
        *source_out = CLI_SECRET_COMMAND;
        return run_password_command(src->password_command, password_out, err);
    }
    if (entry->password) {
        *source_out = CLI_SECRET_NETRC;
        *password_out = entry->password;
        entry->password = NULL;
        return CLI_OK;
    }
    if (!src->prompt)
        return no_terminal(err);
    *source_out = CLI_SECRET_PROMPT;
    char *prompt = pv_xasprintf(_("Password for %s@%s: "), user, host);
    enum cli_status st = src->prompt(src, prompt, password_out, err);
    free(prompt);
    if (st == CLI_OK && !*password_out) {
        pv_error_set(err, _("the password prompt returned no password"));
        st = CLI_ERR_PROMPT;
    }
    return st;
}

enum cli_status cli_credentials_get(const char *user, const char *host,
                                    const struct cli_credential_sources *src, char **user_out,
                                    char **password_out, enum cli_secret_source *source_out,
                                    struct pv_error *err)
{
    *user_out = NULL;
    *password_out = NULL;
    enum cli_secret_source source = CLI_SECRET_NONE;
    if (source_out)
        *source_out = CLI_SECRET_NONE;
    if (!host || !*host || !src) {
        pv_error_set(err, _("internal error: credentials asked for without a host"));
        return CLI_ERR_USAGE;
    }
    bool have_env = src->env_password && *src->env_password;
    /* The netrc is read only when it can contribute: for the login, or for
     * a password no earlier source gives. */
    bool need_netrc = src->netrc_path[0] && (!user || (!have_env && !src->password_command));
    struct netrc_entry entry = {0};
    if (need_netrc) {
        enum cli_status st = netrc_find(src, host, user, &entry, err);
        if (st != CLI_OK)
            return st;
    }
    const char *login = user ? user : entry.login;
    if (!login || !*login) {
        entry_clear(&entry);
        pv_error_set(err, _("no user name: put it in the URL (pop3s://user@host) or use --user"));
        return CLI_ERR_NO_USER;
    }
    enum cli_status st =
        password_from_sources(src, login, host, &entry, password_out, &source, err);
    if (st == CLI_OK) {
        *user_out = pv_xstrdup(login);
        if (source_out)
            *source_out = source;
    } else {
        pv_free_secret(password_out);
    }
    entry_clear(&entry);
    return st;
}
