/*
 * Appending a message to an mbox file, the way mutt's "save to mailbox"
 * does, in the mboxrd flavour.
 *
 * Glossary:
 *  - separator: the "From SENDER DATE" line in front of each message
 *    (RFC 4155 appendix A); DATE is in asctime() form, here always in UTC.
 *  - mboxrd: a message line matching ^>*From  gets one more '>', so a
 *    reader takes exactly one off again and every message comes back as it
 *    was (mboxo quotes only "From ", and cannot tell ">From " apart).
 *
 * An mbox holds other mail, so an append must never damage it: a file
 * that does not look like an mbox is refused, the file is locked with a
 * non-blocking fcntl() lock (a locked file is reported, not waited for),
 * and when writing or fsync() fails the file is cut back to the size it
 * had (ftruncate), so no half message is ever left at its end.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <popview/util.h>

#include <popview/mail.h>

#include <popview/i18n.h>

#include "private.h"

/* Longer senders are not worth keeping in a separator line. */
enum { SENDER_MAX = 254 };

static bool emit_to_buf(void *b, const char *s, size_t n)
{
    tui_buf_append(b, s, n);
    return true;
}

/* ---- the entry ------------------------------------------------------------ */

void tui_mbox_quote(const char *msg, size_t len, struct pv_buf *out)
{
    tui_each_line_lf(msg, len, true, emit_to_buf, out);
}

/* Printable ASCII without spaces: what a separator's one word may hold. */
static bool usable_sender(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > SENDER_MAX)
        return false;
    for (size_t i = 0; i < n; i++) {
        if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f)
            return false;
    }
    return true;
}

/* The envelope sender as well as a message can tell it: Return-Path (the
 * one the delivering server wrote, RFC 5321 section 4.4), else From. */
static char *sender_of(const char *msg, size_t len)
{
    struct mail_headers *h = mail_headers_parse(msg, len, NULL);
    static const char *const fields[] = {"Return-Path", "From"};
    char *sender = NULL;
    for (size_t i = 0; i < PV_ARRAY_LEN(fields) && !sender; i++) {
        struct mail_address a;
        if (mail_address_parse_first(mail_headers_get(h, fields[i]), &a) && usable_sender(a.addr))
            sender = pv_xstrdup(a.addr);
        mail_address_clear(&a);
    }
    mail_headers_free(&h);
    return sender ? sender : pv_xstrdup("MAILER-DAEMON");
}

/* "Thu Nov 23 12:00:00 2026" as asctime() writes it, whatever the locale. */
static void format_asctime_utc(time_t when, char *out, size_t out_size)
{
    static const char *const days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    struct tm tm;
    if (!gmtime_r(&when, &tm) || tm.tm_wday < 0 || tm.tm_wday > 6 || tm.tm_mon < 0 ||
        tm.tm_mon > 11) {
        snprintf(out, out_size, "Thu Jan  1 00:00:00 1970");
        return;
    }
    snprintf(out, out_size, "%s %s %2d %02d:%02d:%02d %d", days[tm.tm_wday], months[tm.tm_mon],
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, tm.tm_year + 1900);
}

/* "From SENDER DATE\n": the separator line in front of an entry. */
static char *from_line(const char *msg, size_t len, time_t when)
{
    char *sender = sender_of(msg, len);
    char date[64];
    format_asctime_utc(when, date, sizeof date);
    char *line = pv_xasprintf("From %s %s\n", sender, date);
    free(sender);
    return line;
}

void tui_mbox_entry(const char *msg, size_t len, time_t when, struct pv_buf *out)
{
    char *line = from_line(msg, len, when);
    tui_buf_append(out, line, strlen(line));
    free(line);
    tui_mbox_quote(msg, len, out);
    tui_buf_append(out, "\n", 1);
}

/* The entry (after gap, the line end the file lacks, or "") written to fd
 * in blocks: the same bytes as tui_mbox_entry, without a copy of them. */
static bool write_entry(int fd, const char *gap, const char *msg, size_t len, time_t when)
{
    struct tui_fd_writer *w = pv_xmalloc(sizeof *w);
    tui_fd_writer_init(w, fd);
    char *line = from_line(msg, len, when);
    bool ok = tui_fd_writer_put(w, gap, strlen(gap)) && tui_fd_writer_put(w, line, strlen(line)) &&
              tui_each_line_lf(msg, len, true, tui_fd_writer_put, w) &&
              tui_fd_writer_put(w, "\n", 1) && tui_fd_writer_flush(w);
    int e = errno;
    free(line);
    free(w);
    errno = e;
    return ok;
}

/* ---- the file ---------------------------------------------------------------- */

/* Opens path for appending, creating it when missing; *created_out says
 * whether this call made it (and so may remove it again). */
static int open_mbox(const char *path, bool *created_out)
{
    *created_out = false;
    for (int attempt = 0; attempt < 2; attempt++) {
        int fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_EXCL | O_CLOEXEC | O_NOCTTY, 0600);
        if (fd >= 0) {
            *created_out = true;
            return fd;
        }
        if (errno != EEXIST)
            return -1;
        /* O_NONBLOCK: a FIFO must be refused below, not wait for a reader. */
        fd = open(path, O_RDWR | O_APPEND | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        if (fd >= 0 || errno != ENOENT)
            return fd;
        /* Removed between the two calls: try again, once. */
    }
    return -1;
}

static bool lock_whole_file(int fd)
{
    struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0};
    while (fcntl(fd, F_SETLK, &fl) != 0) {
        if (errno != EINTR)
            return false;
    }
    return true;
}

/* Reads exactly len bytes at off: 0, or the errno (EIO for a short read:
 * the file shrank under a program that does not lock). */
static int read_at(int fd, char *buf, size_t len, off_t off)
{
    ssize_t n;
    do
        n = pread(fd, buf, len, off);
    while (n < 0 && errno == EINTR);
    if (n < 0)
        return errno;
    return n == (ssize_t)len ? 0 : EIO;
}

/* Checks that a file that is not empty starts like an mbox, and says what
 * must come before the separator so that an empty line precedes it. */
static enum mbox_result check_existing(int fd, off_t size, const char **gap_out, int *errno_out)
{
    *gap_out = "";
    if (size == 0)
        return MBOX_OK;
    if (size < 5)
        return MBOX_NOT_MBOX;
    char head[5];
    if ((*errno_out = read_at(fd, head, sizeof head, 0)) != 0)
        return MBOX_FAILED;
    if (memcmp(head, "From ", 5) != 0)
        return MBOX_NOT_MBOX;
    char tail[2];
    if ((*errno_out = read_at(fd, tail, sizeof tail, size - 2)) != 0)
        return MBOX_FAILED;
    if (tail[1] != '\n')
        *gap_out = "\n\n";
    else if (tail[0] != '\n')
        *gap_out = "\n";
    return MBOX_OK;
}

/* Undoes a failed append; false (errno set) when even that failed. */
static bool roll_back(int fd, const char *path, off_t size, bool created)
{
    if (created) {
        /* Nothing of value was in it: leave no empty or partial file. */
        return unlink(path) == 0;
    }
    if (ftruncate(fd, size) != 0)
        return false;
    return fsync(fd) == 0;
}

static enum mbox_result write_failed(int fd, const char *path, off_t size, bool created, int e,
                                     struct pv_error *err)
{
    if (!roll_back(fd, path, size, created)) {
        /* strerror() may share one buffer between calls: one at a time. */
        char undo[128];
        snprintf(undo, sizeof undo, "%s", strerror(errno));
        pv_error_set(err,
                     _("could not append to %s: %s, and undoing it failed too (%s): the mbox may "
                       "end with part of the message"),
                     path, strerror(e), undo);
    } else if (created) {
        pv_error_set(err, _("could not append to %s: %s; the new file was removed"), path,
                     strerror(e));
    } else {
        pv_error_set(err, _("could not append to %s: %s; the mbox was left as it was"), path,
                     strerror(e));
    }
    return MBOX_FAILED;
}

static enum mbox_result not_regular(const char *path, struct pv_error *err)
{
    pv_error_set(err,
                 _("cannot append to %s: it is not a regular file (a device, pipe or socket); "
                   "nothing was written"),
                 path);
    return MBOX_FAILED;
}

/* The part of tui_mbox_append() that runs with the file open. */
static enum mbox_result append_open(int fd, const char *path, bool created, const char *msg,
                                    size_t len, time_t when, struct pv_error *err)
{
    struct stat st;
    if (fstat(fd, &st) != 0) {
        pv_error_set(err, _("cannot append to %s: %s; nothing was written"), path, strerror(errno));
        return MBOX_FAILED;
    }
    if (!S_ISREG(st.st_mode))
        return not_regular(path, err);
    if (!lock_whole_file(fd)) {
        if (errno == EACCES || errno == EAGAIN) {
            pv_error_set(err,
                         _("%s is locked by another program; nothing was written (try again "
                           "when it is done)"),
                         path);
            return MBOX_LOCKED;
        }
        pv_error_set(err, _("cannot lock %s: %s; nothing was written"), path, strerror(errno));
        return MBOX_FAILED;
    }
    /* The size that counts is the one under the lock. */
    if (fstat(fd, &st) != 0) {
        pv_error_set(err, _("cannot append to %s: %s; nothing was written"), path, strerror(errno));
        return MBOX_FAILED;
    }
    const char *gap = "";
    int e = 0;
    switch (check_existing(fd, st.st_size, &gap, &e)) {
    case MBOX_OK:
        break;
    case MBOX_NOT_MBOX:
        pv_error_set(err,
                     _("%s is not an mbox (it does not start with \"From \"); nothing was written"),
                     path);
        return MBOX_NOT_MBOX;
    default:
        pv_error_set(err, _("cannot read %s: %s; nothing was written"), path, strerror(e));
        return MBOX_FAILED;
    }
    bool ok = write_entry(fd, gap, msg, len, when) && fsync(fd) == 0;
    e = errno;
    if (!ok)
        return write_failed(fd, path, st.st_size, created, e, err);
    if (created)
        tui_sync_parent_dir(path);
    return MBOX_OK;
}

enum mbox_result tui_mbox_append(const char *path, const char *msg, size_t len, time_t when,
                                 struct pv_error *err)
{
    if (!path || !*path) {
        pv_error_set(err, _("no file name given; nothing was saved"));
        return MBOX_FAILED;
    }
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        pv_error_set(err, _("cannot append to %s: it is a directory; give a file name"), path);
        return MBOX_FAILED;
    }
    /* Refused before opening: opening some devices already does something. */
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode))
        return not_regular(path, err);
    bool created = false;
    int fd = open_mbox(path, &created);
    if (fd < 0) {
        pv_error_set(err, _("cannot open %s: %s; nothing was written"), path, strerror(errno));
        return MBOX_FAILED;
    }
    enum mbox_result rc = append_open(fd, path, created, msg ? msg : "", msg ? len : 0, when, err);
    /* Closing releases the lock; the data is already on disk (fsync). */
    close(fd);
    return rc;
}
