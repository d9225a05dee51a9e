/*
 * A spool: bytes written once, then read through a read-only view.  Small
 * contents stay in a heap buffer; past PV_SPOOL_MEMORY_MAX they go to an
 * unlinked temporary file (mode 0600) that is mapped when writing ends, so
 * a 50 MB message costs disk and page cache, not heap, and
 * pv_spool_drop_pages() can give its pages back to the kernel once a pass
 * over them is done (they are read from the file again when touched).
 *
 * The view is NUL-terminated like struct pv_buf: the file gets one extra
 * zero byte that is mapped but not counted, because a mapping that ends on
 * a page boundary has no readable byte after it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <popview/util.h>

#include <popview/i18n.h>

struct pv_spool {
    uint64_t cap;      /* most bytes it accepts; 0: no cap */
    struct pv_buf mem; /* the bytes while they fit, then the unwritten tail */
    int fd;            /* the temporary file, or -1 while in memory */
    uint64_t len;      /* bytes accepted */
    bool finished;     /* pv_spool_finish succeeded: reading only */
    bool full;         /* a write was refused for the cap */
    char *map;         /* the file's mapping (len + 1 bytes), or NULL */
};

/* strerror(3) is not thread-safe, and spools are written by the mailbox's
 * worker thread while the interface thread runs (GNU strerror_r). */
static const char *why(int e, char *buf, size_t size)
{
    return strerror_r(e, buf, size);
}

static const char *spool_dir(void)
{
    const char *dir = getenv("TMPDIR");
    return dir && dir[0] == '/' ? dir : "/tmp";
}

/* O_TMPFILE gives a file that never has a name, so nothing is left behind
 * by a crash; where the file system lacks it, a named file unlinked at once
 * does the same after a moment. */
static int open_unlinked(struct pv_error *err)
{
    const char *dir = spool_dir();
    int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (fd >= 0)
        return fd;
    char *path = pv_xasprintf("%s/popview-spool.XXXXXX", dir);
    char reason[128];
    fd = mkostemp(path, O_CLOEXEC);
    if (fd >= 0)
        unlink(path);
    else
        pv_error_set(
            err, _("cannot create a temporary file in %s: %s (set TMPDIR to a writable folder)"),
            dir, why(errno, reason, sizeof reason));
    free(path);
    return fd;
}

static bool write_all(int fd, const char *data, size_t len, struct pv_error *err)
{
    if (pv_write_all(fd, data, len))
        return true;
    char reason[128];
    pv_error_set(err, _("cannot write to a temporary file in %s: %s"), spool_dir(),
                 why(errno, reason, sizeof reason));
    return false;
}

struct pv_spool *pv_spool_new(uint64_t cap)
{
    struct pv_spool *s = pv_xcalloc(1, sizeof *s);
    s->cap = cap;
    s->fd = -1;
    pv_buf_init(&s->mem, 0);
    return s;
}

static bool flush_to_file(struct pv_spool *s, struct pv_error *err)
{
    if (s->fd < 0) {
        s->fd = open_unlinked(err);
        if (s->fd < 0)
            return false;
    }
    bool ok = write_all(s->fd, s->mem.data, s->mem.len, err);
    pv_buf_reset(&s->mem);
    return ok;
}

bool pv_spool_write(struct pv_spool *s, const void *data, size_t len, struct pv_error *err)
{
    if (s->finished) {
        pv_error_set(err, _("internal error: writing to a finished spool"));
        return false;
    }
    if (s->cap && (len > s->cap || s->len > s->cap - len)) {
        char cap[16];
        pv_format_size(s->cap, cap, sizeof cap);
        pv_error_set(err, _("more than %s"), cap);
        s->full = true;
        return false;
    }
    if (s->mem.len + len > PV_SPOOL_MEMORY_MAX && !flush_to_file(s, err))
        return false;
    if (len > PV_SPOOL_MEMORY_MAX) {
        if (!write_all(s->fd, data, len, err))
            return false;
    } else if (!pv_buf_append(&s->mem, data, len)) {
        abort(); /* mem has no cap (the spool's cap is checked above): cannot happen */
    }
    s->len += len;
    return true;
}

bool pv_spool_finish(struct pv_spool *s, struct pv_error *err)
{
    if (s->finished)
        return true;
    if (s->fd < 0) {
        s->finished = true;
        return true;
    }
    if (!pv_buf_append_byte(&s->mem, '\0') || !flush_to_file(s, err))
        return false;
    if (s->len + 1 > SIZE_MAX) {
        pv_error_set(err, _("a temporary file too large to map"));
        return false;
    }
    void *map = mmap(NULL, (size_t)s->len + 1, PROT_READ, MAP_PRIVATE, s->fd, 0);
    if (map == MAP_FAILED) {
        char reason[128];
        pv_error_set(err, _("cannot map a temporary file of %llu bytes: %s"),
                     (unsigned long long)s->len, why(errno, reason, sizeof reason));
        return false;
    }
    s->map = map;
    pv_buf_free(&s->mem);
    s->finished = true;
    return true;
}

const char *pv_spool_data(const struct pv_spool *s)
{
    if (!s || !s->finished)
        return NULL;
    if (s->map)
        return s->map;
    return s->mem.data ? s->mem.data : "";
}

size_t pv_spool_len(const struct pv_spool *s)
{
    return s && s->finished ? (size_t)s->len : 0;
}

bool pv_spool_full(const struct pv_spool *s)
{
    return s && s->full;
}

bool pv_spool_in_file(const struct pv_spool *s)
{
    return s && s->fd >= 0;
}

void pv_spool_drop_pages(struct pv_spool *s)
{
    /* For a read-only private file mapping, MADV_DONTNEED only drops the
     * page table entries: the bytes stay in the file and come back on the
     * next touch, so this can never lose data. */
    if (s && s->map)
        (void)madvise(s->map, (size_t)s->len + 1, MADV_DONTNEED);
}

void pv_spool_free(struct pv_spool **sp)
{
    if (!sp || !*sp)
        return;
    struct pv_spool *s = *sp;
    if (s->map)
        munmap(s->map, (size_t)s->len + 1);
    if (s->fd >= 0)
        close(s->fd);
    pv_buf_free(&s->mem);
    free(s);
    *sp = NULL;
}
