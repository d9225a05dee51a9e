/*
 * Where messages leave popview: saving the raw message to a file and
 * piping it to a shell command.
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

#include "private.h"

char *tui_expand_path(const char *path)
{
    const char *home = getenv("HOME");
    if (home && *home && path[0] == '~' && (path[1] == '/' || path[1] == '\0'))
        return pv_xasprintf("%s%s", home, path + 1);
    return pv_xstrdup(path);
}

static bool write_all(int fd, const char *data, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, data, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return false;
        }
        data += n;
        len -= (size_t)n;
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

static void sync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        /* Best effort: some file systems refuse fsync on a directory. */
        (void)fsync(fd);
        close(fd);
    }
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
    pv_error_set(err, "cannot save to %s: %s: %s", path, what, strerror(e));
    return SAVE_FAILED;
}

enum save_result tui_save_file(const char *path, const char *data, size_t len, bool overwrite,
                               struct pv_error *err)
{
    if (!path || !*path) {
        pv_error_set(err, "no file name given; nothing was saved");
        return SAVE_FAILED;
    }
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        pv_error_set(err, "cannot save to %s: it is a directory; give a file name", path);
        return SAVE_FAILED;
    }
    if (!overwrite && lstat(path, &st) == 0)
        return SAVE_EXISTS;
    char *dir = dir_of(path);
    char *tmp = pv_xasprintf("%s/.popview-save-XXXXXX", dir);
    enum save_result rc = SAVE_OK;
    int fd = mkostemp(tmp, O_CLOEXEC);
    if (fd < 0) {
        rc = save_failed(err, "cannot create a file in its directory", path, errno);
        goto out;
    }
    if (!write_all(fd, data, len) || fsync(fd) != 0) {
        rc = save_failed(err, "writing failed", path, errno);
        close(fd);
        unlink(tmp);
        goto out;
    }
    if (close(fd) != 0) {
        rc = save_failed(err, "writing failed", path, errno);
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
            rc = save_failed(err, "cannot give the file its name", path, e);
        goto out;
    }
    sync_dir(dir);
out:
    free(tmp);
    free(dir);
    return rc;
}

bool tui_pipe_to_command(const char *command, const char *data, size_t len, const void *child_mask,
                         int *status_out, struct pv_error *err)
{
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) {
        pv_error_set(err, "cannot create a pipe: %s", strerror(errno));
        return false;
    }
    pid_t pid = fork();
    if (pid < 0) {
        pv_error_set(err, "cannot start the command: %s", strerror(errno));
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
    (void)write_all(fds[1], data, len);
    close(fds[1]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) {
            pv_error_set(err, "cannot wait for the command: %s", strerror(errno));
            return false;
        }
    }
    *status_out = status;
    return true;
}
