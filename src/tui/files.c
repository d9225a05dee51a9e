/*
 * Where messages leave popview: saving the raw message (or a decoded
 * attachment) to a file, naming an attachment's file safely, and piping
 * the message to a shell command.  Appending to an mbox is in mbox.c.
 *
 * Saving never leaves a half-written file under the chosen name and never
 * replaces one without being told to: the bytes go to a temporary file in
 * the same directory, are fsync()ed, and the file is then moved into place
 * with renameat2(RENAME_NOREPLACE) (or link(), where the file system lacks
 * it), which fail when the name exists; only an explicit overwrite uses a
 * plain rename().  The directory is fsync()ed afterwards so the new name
 * survives a crash.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <popview/util.h>

#include <popview/i18n.h>

#include "private.h"

char *tui_expand_path(const char *path)
{
    const char *home = getenv("HOME");
    if (home && *home && path[0] == '~' && (path[1] == '/' || path[1] == '\0'))
        return pv_xasprintf("%s%s", home, path + 1);
    return pv_xstrdup(path);
}

void tui_fd_writer_init(struct tui_fd_writer *w, int fd)
{
    w->fd = fd;
    w->failed = false;
    w->used = 0;
}

bool tui_fd_writer_flush(struct tui_fd_writer *w)
{
    if (!w->failed && w->used && !pv_write_all(w->fd, w->buf, w->used))
        w->failed = true;
    w->used = 0;
    return !w->failed;
}

bool tui_fd_writer_put(void *vw, const char *data, size_t len)
{
    struct tui_fd_writer *w = vw;
    if (w->failed)
        return false;
    if (len > sizeof w->buf - w->used && !tui_fd_writer_flush(w))
        return false;
    if (len >= sizeof w->buf) {
        if (!pv_write_all(w->fd, data, len))
            w->failed = true;
        return !w->failed;
    }
    memcpy(w->buf + w->used, data, len);
    w->used += len;
    return true;
}

static bool is_from_line(const char *line, size_t len)
{
    size_t i = 0;
    while (i < len && line[i] == '>')
        i++;
    return len - i >= 5 && memcmp(line + i, "From ", 5) == 0;
}

bool tui_each_line_lf(const char *msg, size_t len, bool mboxrd, tui_emit_fn emit, void *ctx)
{
    size_t i = 0;
    while (i < len) {
        const char *nl = memchr(msg + i, '\n', len - i);
        size_t end = nl ? (size_t)(nl - msg) : len;
        size_t line_len = end - i;
        if (nl && line_len > 0 && msg[end - 1] == '\r')
            line_len--;
        if (mboxrd && is_from_line(msg + i, line_len) && !emit(ctx, ">", 1))
            return false;
        if (!emit(ctx, msg + i, line_len) || !emit(ctx, "\n", 1))
            return false;
        i = nl ? end + 1 : len;
    }
    return true;
}

/* The directory part of path ("." when it has none). */
static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return pv_xstrdup(".");
    if (slash == path)
        return pv_xstrdup("/");
    return pv_xstrndup(path, (size_t)(slash - path));
}

void tui_sync_parent_dir(const char *path)
{
    char *dir = dir_of(path);
    (void)pv_sync_dir(dir); /* best effort */
    free(dir);
}

/* Moves tmp to path without replacing anything; EEXIST when path exists. */
static int move_no_replace(const char *tmp, const char *path)
{
#ifdef RENAME_NOREPLACE
    if (renameat2(AT_FDCWD, tmp, AT_FDCWD, path, RENAME_NOREPLACE) == 0)
        return 0;
    if (errno != EINVAL && errno != ENOSYS)
        return -1;
#endif
    if (link(tmp, path) != 0)
        return -1;
    unlink(tmp);
    return 0;
}

static enum save_result save_failed(struct pv_error *err, const char *what, const char *path, int e)
{
    pv_error_set(err, _("cannot save to %s: %s: %s"), path, what, strerror(e));
    return SAVE_FAILED;
}

enum save_result tui_save_file(const char *path, const char *data, size_t len, bool overwrite,
                               struct pv_error *err)
{
    if (!path || !*path) {
        pv_error_set(err, _("no file name given; nothing was saved"));
        return SAVE_FAILED;
    }
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        pv_error_set(err, _("cannot save to %s: it is a directory; give a file name"), path);
        return SAVE_FAILED;
    }
    /* Replacing /dev/null or a FIFO by a file is never what was meant. */
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
        pv_error_set(
            err, _("cannot save to %s: it is not a regular file (a device, pipe or socket)"), path);
        return SAVE_FAILED;
    }
    if (!overwrite && lstat(path, &st) == 0)
        return SAVE_EXISTS;
    char *dir = dir_of(path);
    char *tmp = pv_xasprintf("%s/.popview-save-XXXXXX", dir);
    enum save_result rc = SAVE_OK;
    int fd = mkostemp(tmp, O_CLOEXEC);
    if (fd < 0) {
        rc = save_failed(err, _("cannot create a file in its directory"), path, errno);
        goto out;
    }
    if (!pv_write_all(fd, data, len) || fsync(fd) != 0) {
        rc = save_failed(err, _("writing failed"), path, errno);
        close(fd);
        unlink(tmp);
        goto out;
    }
    if (close(fd) != 0) {
        rc = save_failed(err, _("writing failed"), path, errno);
        unlink(tmp);
        goto out;
    }
    int moved = overwrite ? rename(tmp, path) : move_no_replace(tmp, path);
    if (moved != 0) {
        int e = errno;
        unlink(tmp);
        if (e == EEXIST && !overwrite)
            rc = SAVE_EXISTS;
        else
            rc = save_failed(err, _("cannot give the file its name"), path, e);
        goto out;
    }
    (void)pv_sync_dir(dir); /* best effort: some file systems refuse it */
out:
    free(tmp);
    free(dir);
    return rc;
}

/* ---- attachment names ---------------------------------------------------- */

/* Characters that change how the rest of a name is shown (bidi overrides
 * and isolates turn "evil\u202Etxt.exe" into "evilexe.txt") or that cannot
 * be seen at all: a file name is no place for them. */
static bool is_invisible_format(uint32_t cp)
{
    return (cp >= 0x200b && cp <= 0x200f) || (cp >= 0x202a && cp <= 0x202e) ||
           (cp >= 0x2060 && cp <= 0x2069) || cp == 0xfeff;
}

/* The last path component, for '/' and for the backslash of Windows names. */
static const char *last_component(const char *name)
{
    const char *base = name;
    for (const char *p = name; *p; p++) {
        if (*p == '/' || *p == '\\')
            base = p + 1;
    }
    return base;
}

/* Cuts s to at most max bytes at a character boundary, keeping a short
 * extension (".pdf") so the cut name still opens with the right program. */
static void cut_keeping_extension(struct pv_buf *s, size_t max)
{
    if (s->len <= max)
        return;
    const char *dot = strrchr(s->data, '.');
    size_t ext =
        dot && s->len - (size_t)(dot - s->data) <= 16 ? s->len - (size_t)(dot - s->data) : 0;
    /* The longest prefix of whole characters that leaves room for it. */
    size_t keep = 0;
    while (keep < s->len) {
        uint32_t cp;
        size_t n = tui_utf8_next(s->data + keep, s->len - keep, &cp);
        if (keep + n > max - ext)
            break;
        keep += n;
    }
    if (ext)
        memmove(s->data + keep, s->data + s->len - ext, ext);
    s->len = keep + ext;
    s->data[s->len] = '\0';
}

char *tui_safe_filename(const char *name, size_t index)
{
    struct pv_buf b;
    pv_buf_init(&b, 0);
    const char *base = name ? last_component(name) : "";
    size_t len = strlen(base);
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        size_t n = tui_utf8_next(base + i, len - i, &cp);
        bool invalid = cp == 0xfffd && n == 1;
        if (invalid) {
            if (!pv_buf_append_byte(&b, '_'))
                abort();
        } else if (!tui_cp_is_control(cp) && !is_invisible_format(cp)) {
            if (!pv_buf_append(&b, base + i, n))
                abort();
        }
        i += n;
    }
    /* No hidden files, no "~" that the path prompt would expand, no
     * spaces nobody sees at either end. */
    size_t skip = 0;
    while (skip < b.len && (b.data[skip] == '.' || b.data[skip] == ' ' || b.data[skip] == '~'))
        skip++;
    pv_buf_consume(&b, skip);
    while (b.len > 0 && b.data[b.len - 1] == ' ')
        b.data[--b.len] = '\0';
    cut_keeping_extension(&b, TUI_FILENAME_MAX);
    if (b.len == 0) {
        pv_buf_free(&b);
        return pv_xasprintf("attachment-%zu", index);
    }
    size_t out_len;
    return pv_buf_steal(&b, &out_len);
}

bool tui_pipe_to_command(const char *command, const char *data, size_t len, const void *child_mask,
                         int *status_out, struct pv_error *err)
{
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) {
        pv_error_set(err, _("cannot create a pipe: %s"), strerror(errno));
        return false;
    }
    pid_t pid = fork();
    if (pid < 0) {
        pv_error_set(err, _("cannot start the command: %s"), strerror(errno));
        close(fds[0]);
        close(fds[1]);
        return false;
    }
    if (pid == 0) {
        /* The child: the message on stdin, the signals a shell expects. */
        if (dup2(fds[0], STDIN_FILENO) < 0)
            _exit(127);
        signal(SIGPIPE, SIG_DFL);
        if (child_mask)
            sigprocmask(SIG_SETMASK, (const sigset_t *)child_mask, NULL);
        execl("/bin/sh", "sh", "-c", command, (char *)NULL);
        _exit(127);
    }
    close(fds[0]);
    /* A command that stops reading early is fine: EPIPE ends the writing
     * (SIGPIPE is ignored by main). */
    (void)pv_write_all(fds[1], data, len);
    close(fds[1]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) {
            pv_error_set(err, _("cannot wait for the command: %s"), strerror(errno));
            return false;
        }
    }
    *status_out = status;
    return true;
}
