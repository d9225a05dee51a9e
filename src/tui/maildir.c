/*
 * Delivering a message into a maildir, and the save folder of "save and
 * mark" (S), which is either a maildir or an mbox file (mbox.c).
 *
 * Glossary (maildir(5), https://cr.yp.to/proto/maildir.html):
 *  - a maildir is a directory holding tmp/, new/ and cur/; a message is one
 *    file, written under tmp/ and then moved into new/, so a reader never
 *    sees half a message;
 *  - its file name must be unique for ever: here
 *    "SECONDS.MUSECSPPID_RRANDOM.HOST", the time with microseconds, our
 *    process id, 64 random bits and the host name ('/' written as \057 and
 *    ':' as \072, the two characters a name may not hold).
 *
 * Line ends are stored as LF, as every maildir reader expects.  The file is
 * fsync()ed before it is linked into new/ (link(2) fails rather than replace
 * a file of the same name: then another name is tried), and new/ itself is
 * fsync()ed afterwards so the new entry survives a crash.  Only then does
 * the caller learn that the message is safe.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <popview/util.h>

#include <popview/i18n.h>

#include "private.h"

/* Host names are at most 255 bytes; each byte may grow to 4 when escaped. */
enum { HOST_MAX = 255, NAME_ATTEMPTS = 8 };

static bool is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static bool has_subdir(const char *dir, const char *sub)
{
    char *p = pv_xasprintf("%s/%s", dir, sub);
    bool ok = is_dir(p);
    free(p);
    return ok;
}

bool tui_maildir_is(const char *path)
{
    return path && *path && is_dir(path) && has_subdir(path, "tmp") && has_subdir(path, "new") &&
           has_subdir(path, "cur");
}

char *tui_maildir_name(int64_t seconds, long usec, long pid, uint64_t random, const char *host)
{
    struct pv_buf b;
    pv_buf_init(&b, 0);
    char head[96];
    snprintf(head, sizeof head, "%lld.M%06ldP%ld_R%016llx.", (long long)seconds, usec, pid,
             (unsigned long long)random);
    tui_buf_append(&b, head, strlen(head));
    size_t n = host ? strnlen(host, HOST_MAX) : 0;
    if (n == 0)
        tui_buf_append(&b, "localhost", 9);
    for (size_t i = 0; i < n; i++) {
        if (host[i] == '/')
            tui_buf_append(&b, "\\057", 4);
        else if (host[i] == ':')
            tui_buf_append(&b, "\\072", 4);
        else
            tui_buf_append(&b, host + i, 1);
    }
    size_t len;
    return pv_buf_steal(&b, &len);
}

/* 64 bits from the kernel; a mix of time and address when it has none. */
static uint64_t random_bits(void)
{
    uint64_t r = 0;
    if (getrandom(&r, sizeof r, GRND_NONBLOCK) == (ssize_t)sizeof r)
        return r;
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return ((uint64_t)tv.tv_usec << 32) ^ (uint64_t)tv.tv_sec ^ (uint64_t)(uintptr_t)&r;
}

static char *fresh_name(void)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    char host[HOST_MAX + 1] = "";
    if (gethostname(host, sizeof host) != 0)
        host[0] = '\0';
    host[HOST_MAX] = '\0';
    return tui_maildir_name(tv.tv_sec, (long)tv.tv_usec, (long)getpid(), random_bits(), host);
}

/* Writes the message, CRLF turned into LF and ending in a line end, to a
 * new file at path (O_EXCL, 0600) in blocks, and fsync()s it; false with
 * errno set, and no file left behind. */
static bool write_new_file(const char *path, const char *msg, size_t len)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOCTTY, 0600);
    if (fd < 0)
        return false;
    struct tui_fd_writer *w = pv_xmalloc(sizeof *w);
    tui_fd_writer_init(w, fd);
    bool written =
        tui_each_line_lf(msg, len, false, tui_fd_writer_put, w) && tui_fd_writer_flush(w);
    int we = errno;
    free(w);
    errno = we;
    if (!written || fsync(fd) != 0) {
        int e = errno;
        close(fd);
        unlink(path);
        errno = e;
        return false;
    }
    if (close(fd) != 0) {
        int e = errno;
        unlink(path);
        errno = e;
        return false;
    }
    return true;
}

static bool maildir_failed(struct pv_error *err, const char *dir, const char *what, int e)
{
    pv_error_set(err, _("cannot deliver to the maildir %s: %s: %s"), dir, what, strerror(e));
    return false;
}

bool tui_maildir_deliver(const char *dir, const char *msg, size_t len, char **file_out,
                         struct pv_error *err)
{
    if (file_out)
        *file_out = NULL;
    if (!tui_maildir_is(dir)) {
        pv_error_set(err, _("%s is not a maildir (a directory with tmp/, new/ and cur/)"),
                     dir && *dir ? dir : "\"\"");
        return false;
    }
    bool ok = false;
    int e = EEXIST;
    for (int attempt = 0; attempt < NAME_ATTEMPTS && !ok && e == EEXIST; attempt++) {
        char *name = fresh_name();
        char *tmp = pv_xasprintf("%s/tmp/%s", dir, name);
        char *dest = pv_xasprintf("%s/new/%s", dir, name);
        if (!write_new_file(tmp, msg ? msg : "", msg ? len : 0)) {
            e = errno;
            if (e != EEXIST)
                maildir_failed(err, dir, _("writing the message under tmp/ failed"), e);
        } else if (link(tmp, dest) != 0) {
            e = errno;
            unlink(tmp);
            if (e != EEXIST)
                maildir_failed(err, dir, _("cannot move the message into new/"), e);
        } else {
            unlink(tmp);
            char *new_dir = pv_xasprintf("%s/new", dir);
            (void)pv_sync_dir(new_dir); /* best effort: some file systems refuse it */
            free(new_dir);
            if (file_out)
                *file_out = pv_xstrdup(dest);
            ok = true;
        }
        free(dest);
        free(tmp);
        free(name);
    }
    if (!ok && e == EEXIST)
        pv_error_set(err, _("cannot deliver to the maildir %s: no unused file name found"), dir);
    return ok;
}

bool tui_maildir_create(const char *dir, struct pv_error *err)
{
    static const char *const subs[] = {"tmp", "new", "cur"};
    if (mkdir(dir, 0700) != 0 && errno != EEXIST)
        return maildir_failed(err, dir, _("cannot create the directory"), errno);
    for (size_t i = 0; i < PV_ARRAY_LEN(subs); i++) {
        char *p = pv_xasprintf("%s/%s", dir, subs[i]);
        int rc = mkdir(p, 0700);
        int e = errno;
        free(p);
        if (rc != 0 && e != EEXIST)
            return maildir_failed(err, dir, _("cannot create its subdirectories"), e);
    }
    tui_sync_parent_dir(dir);
    return true;
}

/* "dir/" -> "dir" (but "/" stays). */
static char *without_trailing_slashes(const char *path)
{
    size_t n = strlen(path);
    while (n > 1 && path[n - 1] == '/')
        n--;
    return pv_xstrndup(path, n);
}

bool tui_save_to_folder(const char *folder, const char *msg, size_t len, time_t when,
                        enum tui_folder_kind *kind_out, struct pv_error *err)
{
    if (kind_out)
        *kind_out = TUI_FOLDER_MBOX;
    if (!folder || !*folder) {
        pv_error_set(err, _("no save folder given; nothing was saved"));
        return false;
    }
    size_t n = strlen(folder);
    bool wants_dir = folder[n - 1] == '/';
    if (!wants_dir && !is_dir(folder))
        return tui_mbox_append(folder, msg, len, when, err) == MBOX_OK;
    if (kind_out)
        *kind_out = TUI_FOLDER_MAILDIR;
    char *dir = without_trailing_slashes(folder);
    bool ok = true;
    struct stat st;
    if (wants_dir && stat(dir, &st) != 0 && errno == ENOENT)
        ok = tui_maildir_create(dir, err);
    if (ok)
        ok = tui_maildir_deliver(dir, msg, len, NULL, err);
    free(dir);
    return ok;
}
