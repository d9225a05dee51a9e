/*
 * Writing to a file descriptor until everything is written: write(2) may
 * write less than asked (a pipe, a signal) and may be interrupted (EINTR).
 * The header cache, the spool and the save commands all need exactly this;
 * the header cache and the save commands also make a new name in a
 * directory durable the same way (pv_sync_dir).
 */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include <popview/util.h>

bool pv_write_all(int fd, const void *data, size_t len)
{
    const char *p = data;
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return false;
        if (n == 0) {
            /* Not an error by errno, but nothing moves: do not spin. */
            errno = EIO;
            return false;
        }
        p += n;
        len -= (size_t)n;
    }
    return true;
}

bool pv_sync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return false;
    bool ok = fsync(fd) == 0;
    close(fd);
    return ok;
}
