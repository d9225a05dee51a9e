/*
 * The header cache: what the index shows of each message (From, Subject,
 * Date, the attachment marker), kept on disk by UIDL, so that a second
 * open needs only LIST and UIDL for the messages already seen and TOP for
 * the new ones.  RFC 1939 section 7 lets a client rely on the unique-id
 * staying the same for a message across sessions.
 *
 * One file per account and server, under $XDG_CACHE_HOME/popview/ (mode
 * 0600, directory 0700), named from user@host:port made safe for a file
 * name plus a 64-bit hash of the whole key.  Nothing secret is stored: the
 * key, and per message its UIDL, size and decoded header fields.
 *
 * Glossary: a *headline* is the decoded (not yet sanitized) From, Subject,
 * Date and attachment marker of a message; an *entry* is a headline with
 * the UIDL and size it belongs to.  The entries' strings are where the file
 * was read into memory (used where they are, no copy), or copies in a
 * string pool (pv_strpool_copy: a 100,000-message cache is some 300,000
 * short strings); both are freed all at once with the cache.
 *
 * The file (all numbers little-endian):
 *   header  "PVHCACHE", u32 version, u32 0, u64 entries, u64 body length,
 *           u64 FNV-1a of the body
 *   body    u16 key length, key; then per entry: u8 UIDL length, UIDL,
 *           u64 size, u8 flags (1 has date, 2 multipart/mixed), i64 date,
 *           i32 tz offset in minutes, u16 From length, From, u16 Subject
 *           length, Subject; every text is followed by a NUL byte that its
 *           length does not count (and holds no NUL itself)
 * A file that is not exactly this (another version, a length that does not
 * add up, a checksum that does not match, a field out of range) is not
 * trusted at all: the cache starts empty and the next save replaces it.
 *
 * Writing is crash-safe: a temporary file in the same directory, fsync,
 * rename over the old file, fsync of the directory; a reader sees the old
 * file or the new one, never half of one.  A temporary file left by a
 * writer that was killed is never read, and removed once it is old.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <popview/util.h>

#include <popview/pop3.h>

#include <popview/mailbox.h>

#include <popview/i18n.h>

#include "private.h"

enum {
    CACHE_VERSION = 2, /* 2: texts end in NUL */
    CACHE_HEADER_LEN = 40,
    CACHE_NAME_MAX = 64,
    CACHE_KEY_MAX = 4096,
    CACHE_TMP_STALE_S = 600, /* a temporary file this old belongs to no writer */
    CACHE_TZ_MAX = 24 * 60,
};

static const char CACHE_MAGIC[8] = {'P', 'V', 'H', 'C', 'A', 'C', 'H', 'E'};

struct cache_entry {
    char *uid;
    uint64_t size;
    uint64_t seq; /* order of puts: the newest of two equal UIDLs wins */
    struct mailbox_headline hl;
    bool keep; /* chosen for the file being written */
};

struct mailbox_cache {
    unsigned char *file;        /* the file as read: the loaded entries' strings */
    struct pv_strpool *strings; /* the strings of entries put since, or NULL */
    char *dir;
    char *path;
    char *key; /* user@host:port */
    enum mailbox_cache_state state;
    struct cache_entry *e;
    size_t n, alloc;
    bool sorted;
    uint64_t seq;
    size_t loaded; /* entries in the file as it is on disk */
    bool dirty;    /* entries added or dropped since then */
    size_t max_bytes;
};

/* --- small helpers ---------------------------------------------------------- */

/* The checksum and the file name's hash are FNV-1a (pv_fnv1a64): enough to
 * notice a damaged file, not a defence against someone who can write the
 * file (they could write any headline anyway). */
enum { CACHE_WRITE_BUF = 64 * 1024 };

static uint64_t fnv1a64(const void *data, size_t len)
{
    return pv_fnv1a64(PV_FNV1A64_START, data, len);
}

/* A copy of s that lives as long as the cache's entries; it never moves. */
static char *keep_string(struct mailbox_cache *c, const char *s)
{
    if (!c->strings)
        c->strings = pv_strpool_new();
    /* The pool hands out const strings; the headline's fields are not. */
    return (char *)pv_strpool_copy(c->strings, s, strlen(s));
}

static bool uid_valid(const char *uid)
{
    return uid && pop3_uidl_valid(uid, strlen(uid));
}

static int entry_cmp(const void *a, const void *b)
{
    const struct cache_entry *x = a, *y = b;
    int c = strcmp(x->uid, y->uid);
    if (c)
        return c;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Sorts by UIDL and keeps only the newest entry of each. */
static void entries_sort(struct mailbox_cache *c)
{
    if (c->sorted)
        return;
    qsort(c->e, c->n, sizeof *c->e, entry_cmp);
    size_t out = 0;
    for (size_t i = 0; i < c->n; i++) {
        if (i + 1 < c->n && strcmp(c->e[i].uid, c->e[i + 1].uid) == 0)
            continue; /* its strings stay: a headline handed out stays valid */
        c->e[out++] = c->e[i];
    }
    c->n = out;
    c->sorted = true;
}

static struct cache_entry *entry_find(struct mailbox_cache *c, const char *uid)
{
    entries_sort(c);
    struct cache_entry key = {.uid = (char *)uid, .seq = 0};
    /* Equal UIDLs are gone after entries_sort, so compare by UIDL alone. */
    size_t lo = 0, hi = c->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int cmp = strcmp(c->e[mid].uid, key.uid);
        if (cmp == 0)
            return &c->e[mid];
        if (cmp < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* uid and hl's strings are the cache's already (keep_string, the file). */
static void entry_append(struct mailbox_cache *c, char *uid, uint64_t size,
                         const struct mailbox_headline *hl)
{
    if (c->n == c->alloc) {
        c->alloc = c->alloc ? c->alloc * 2 : 64;
        c->e = pv_xreallocarray(c->e, c->alloc, sizeof *c->e);
    }
    c->e[c->n++] = (struct cache_entry){.uid = uid, .size = size, .seq = c->seq++, .hl = *hl};
    c->sorted = false;
}

/* --- the file name ---------------------------------------------------------- */

/* "alice_mail.example.org_995-0123456789abcdef.cache": readable, and the
 * hash keeps apart keys that only differ in the characters replaced. */
static char *file_name(const char *key)
{
    char safe[CACHE_NAME_MAX + 1];
    size_t n = 0;
    for (const char *p = key; *p && n < CACHE_NAME_MAX; p++) {
        char ch = *p;
        bool keep = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                    (ch >= '0' && ch <= '9') || ch == '.' || ch == '-';
        safe[n++] = keep ? ch : '_';
    }
    safe[n] = '\0';
    if (safe[0] == '.')
        safe[0] = '_'; /* never a hidden file, never ".." */
    return pv_xasprintf("%s-%016llx.cache", safe, (unsigned long long)fnv1a64(key, strlen(key)));
}

/* Makes the cache directory and, if missing, its parent ($XDG_CACHE_HOME
 * or ~/.cache), mode 0700; never more: a home directory that does not
 * exist (HOME=/nonexistent, as for system users and some tests) means no
 * cache, not a new directory tree.  The directory must end up ours, and
 * nobody else may read it (it says what our mail is about): it is made
 * 0700 if it was not. */
static bool make_dir(const char *dir)
{
    if (mkdir(dir, 0700) != 0 && errno == ENOENT) {
        char *parent = pv_xstrdup(dir);
        char *slash = strrchr(parent, '/');
        bool made = false;
        if (slash && slash != parent) {
            *slash = '\0';
            made = mkdir(parent, 0700) == 0 || errno == EEXIST;
        }
        free(parent);
        if (!made || (mkdir(dir, 0700) != 0 && errno != EEXIST))
            return false;
    }
    struct stat st;
    if (lstat(dir, &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != geteuid())
        return false;
    if ((st.st_mode & 077) && chmod(dir, 0700) != 0)
        return false;
    return true;
}

/* --- reading ---------------------------------------------------------------- */

struct reader {
    const unsigned char *p;
    size_t left;
    bool ok;
};

static const unsigned char *take(struct reader *r, size_t n)
{
    if (!r->ok || r->left < n) {
        r->ok = false;
        return NULL;
    }
    const unsigned char *at = r->p;
    r->p += n;
    r->left -= n;
    return at;
}

static uint64_t get_le(struct reader *r, size_t n)
{
    const unsigned char *p = take(r, n);
    uint64_t v = 0;
    for (size_t i = 0; p && i < n; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

/* A text field of at most max bytes, NUL after it and none in it: a
 * string where it is, in the file's buffer. */
static char *get_text(struct reader *r, size_t len_bytes, size_t max)
{
    size_t n = (size_t)get_le(r, len_bytes);
    if (n > max) {
        r->ok = false;
        return NULL;
    }
    const unsigned char *p = take(r, n + 1);
    if (!p || p[n] != '\0' || memchr(p, '\0', n)) {
        r->ok = false;
        return NULL;
    }
    return (char *)p;
}

static bool read_entry(struct mailbox_cache *c, struct reader *r)
{
    char *uid = get_text(r, 1, POP3_UIDL_MAX);
    struct mailbox_headline hl = {0};
    uint64_t size = get_le(r, 8);
    unsigned flags = (unsigned)get_le(r, 1);
    hl.date = (int64_t)get_le(r, 8);
    hl.tz_offset_min = (int)(int32_t)(uint32_t)get_le(r, 4);
    hl.from = get_text(r, 2, MAILBOX_CACHE_FIELD_MAX);
    hl.subject = get_text(r, 2, MAILBOX_CACHE_FIELD_MAX);
    hl.has_date = flags & 1u;
    hl.multipart_mixed = flags & 2u;
    if (!r->ok || !uid_valid(uid) || (flags & ~3u) || hl.tz_offset_min < -CACHE_TZ_MAX ||
        hl.tz_offset_min > CACHE_TZ_MAX || (!hl.has_date && (hl.date || hl.tz_offset_min)))
        return false;
    entry_append(c, uid, size, &hl);
    return true;
}

/* Forgets every entry and frees their strings: only while no headline
 * was handed out (a file that failed its checks, mailbox_cache_free). */
static void drop_all(struct mailbox_cache *c)
{
    c->n = 0;
    c->sorted = true;
    pv_strpool_free(&c->strings);
    free(c->file);
    c->file = NULL;
}

/* The whole file, checked; the state says what was found.  The entries'
 * strings point into data; load_file drops them when the file fails. */
static enum mailbox_cache_state parse_file(struct mailbox_cache *c, unsigned char *data, size_t len)
{
    struct reader r = {.p = data, .left = len, .ok = true};
    const unsigned char *magic = take(&r, sizeof CACHE_MAGIC);
    if (!magic || memcmp(magic, CACHE_MAGIC, sizeof CACHE_MAGIC) != 0)
        return MAILBOX_CACHE_DAMAGED;
    uint64_t version = get_le(&r, 4);
    uint64_t reserved = get_le(&r, 4);
    if (!r.ok)
        return MAILBOX_CACHE_DAMAGED;
    if (version != CACHE_VERSION)
        return MAILBOX_CACHE_OTHER_VERSION;
    uint64_t count = get_le(&r, 8);
    uint64_t body_len = get_le(&r, 8);
    uint64_t sum = get_le(&r, 8);
    if (!r.ok || reserved != 0 || body_len != r.left || fnv1a64(r.p, r.left) != sum)
        return MAILBOX_CACHE_DAMAGED;
    /* The smallest entry takes 29 bytes: a cap on count before allocating. */
    if (count > body_len / 29)
        return MAILBOX_CACHE_DAMAGED;
    const char *key = get_text(&r, 2, UINT16_MAX);
    bool ours = key && strcmp(key, c->key) == 0;
    if (!r.ok)
        return MAILBOX_CACHE_DAMAGED;
    if (!ours)
        return MAILBOX_CACHE_DAMAGED; /* a hash collision, or a file copied over */
    for (uint64_t i = 0; i < count; i++)
        if (!read_entry(c, &r))
            return MAILBOX_CACHE_DAMAGED;
    if (r.left != 0)
        return MAILBOX_CACHE_DAMAGED;
    /* Files are written in UIDL order: then no sort is needed to look up. */
    c->sorted = true;
    for (size_t i = 1; i < c->n && c->sorted; i++)
        c->sorted = strcmp(c->e[i - 1].uid, c->e[i].uid) < 0;
    return MAILBOX_CACHE_LOADED;
}

static enum mailbox_cache_state load_file(struct mailbox_cache *c)
{
    int fd = open(c->path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return errno == ENOENT ? MAILBOX_CACHE_EMPTY : MAILBOX_CACHE_DAMAGED;
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid() ||
        (uint64_t)st.st_size > c->max_bytes || st.st_size < CACHE_HEADER_LEN) {
        close(fd);
        return MAILBOX_CACHE_DAMAGED;
    }
    /* Kept while the cache lives: the strings stay where they are. */
    size_t len = (size_t)st.st_size;
    unsigned char *data = c->file = pv_xmalloc(len);
    size_t got = 0;
    while (got < len) {
        ssize_t k = read(fd, data + got, len - got);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            break;
        got += (size_t)k;
    }
    close(fd);
    enum mailbox_cache_state s = got == len ? parse_file(c, data, len) : MAILBOX_CACHE_DAMAGED;
    if (s != MAILBOX_CACHE_LOADED)
        drop_all(c); /* nothing of it was handed out */
    return s;
}

/* --- the public part: open, look up, put ------------------------------------ */

char *mailbox_cache_dir_default(void)
{
    /* XDG Base Directory: a relative $XDG_CACHE_HOME is invalid and ignored. */
    const char *xdg = getenv("XDG_CACHE_HOME");
    if (xdg && xdg[0] == '/')
        return pv_xasprintf("%s/popview", xdg);
    const char *home = getenv("HOME");
    if (home && home[0] == '/')
        return pv_xasprintf("%s/.cache/popview", home);
    return NULL;
}

struct mailbox_cache *mailbox_cache_open(const char *dir, const char *user, const char *host,
                                         const char *port)
{
    if (!dir || !*dir)
        return NULL;
    struct mailbox_cache *c = pv_xcalloc(1, sizeof *c);
    c->dir = pv_xstrdup(dir);
    c->key = pv_xasprintf("%s@%s:%s", user ? user : "", host ? host : "", port ? port : "");
    char *name = file_name(c->key);
    c->path = pv_xasprintf("%s/%s", dir, name);
    free(name);
    c->sorted = true;
    c->max_bytes = MAILBOX_CACHE_MAX_BYTES;
    /* The key's length is a u16 in the file; real ones are far shorter. */
    if (strlen(c->key) > CACHE_KEY_MAX || !make_dir(dir)) {
        c->state = MAILBOX_CACHE_UNUSABLE;
        return c;
    }
    c->state = load_file(c);
    c->loaded = c->n;
    c->dirty = c->state != MAILBOX_CACHE_LOADED && c->state != MAILBOX_CACHE_EMPTY;
    return c;
}

void mailbox_cache_free(struct mailbox_cache **cp)
{
    if (!cp || !*cp)
        return;
    struct mailbox_cache *c = *cp;
    drop_all(c);
    free(c->e);
    free(c->dir);
    free(c->path);
    free(c->key);
    free(c);
    *cp = NULL;
}

enum mailbox_cache_state mailbox_cache_state(const struct mailbox_cache *c)
{
    return c ? c->state : MAILBOX_CACHE_UNUSABLE;
}

const char *mailbox_cache_path(const struct mailbox_cache *c)
{
    return c ? c->path : NULL;
}

size_t mailbox_cache_count(const struct mailbox_cache *c)
{
    return c ? c->n : 0;
}

void mailbox_cache_set_max_bytes(struct mailbox_cache *c, size_t max_bytes)
{
    if (c)
        c->max_bytes = max_bytes;
}

const struct mailbox_headline *mailbox_cache_lookup(struct mailbox_cache *c, const char *uid,
                                                    uint64_t size)
{
    if (!c || !uid_valid(uid))
        return NULL;
    struct cache_entry *e = entry_find(c, uid);
    if (!e)
        return NULL;
    /* RFC 1939 section 7 says a unique-id is never reused for another
     * message, but servers do reuse them (a rebuilt index, a migrated
     * mailbox).  A message's size never changes on the server, so another
     * size under the same UIDL is another message: drop the entry, and
     * the caller fetches its header again. */
    if (e->size != size) {
        size_t at = (size_t)(e - c->e);
        memmove(e, e + 1, (c->n - at - 1) * sizeof *e);
        c->n--;
        c->dirty = true;
        return NULL;
    }
    return &e->hl;
}

void mailbox_cache_put(struct mailbox_cache *c, const char *uid, uint64_t size,
                       const struct mailbox_headline *hl)
{
    if (!c || !hl || !uid_valid(uid))
        return;
    const char *from = hl->from ? hl->from : "";
    const char *subject = hl->subject ? hl->subject : "";
    /* Longer than any header a person reads: not kept, fetched each time. */
    if (strlen(from) > MAILBOX_CACHE_FIELD_MAX || strlen(subject) > MAILBOX_CACHE_FIELD_MAX)
        return;
    struct mailbox_headline copy = *hl;
    if (!copy.has_date)
        copy.date = copy.tz_offset_min = 0;
    if (copy.tz_offset_min < -CACHE_TZ_MAX || copy.tz_offset_min > CACHE_TZ_MAX)
        return;
    copy.from = keep_string(c, from);
    copy.subject = keep_string(c, subject);
    entry_append(c, keep_string(c, uid), size, &copy);
    c->dirty = true;
}

/* --- writing ---------------------------------------------------------------- */

/* The body on its way to the file, through a small buffer: a 100,000-
 * message cache is some 10 MB, never all in memory at once.  The checksum
 * is taken as it goes; the first error stops the writing. */
struct writer {
    int fd;
    bool ok;
    int err; /* errno of the first error */
    uint64_t hash;
    uint64_t written; /* body bytes */
    size_t n;
    char buf[CACHE_WRITE_BUF];
};

static void flush(struct writer *w)
{
    if (w->ok && !pv_write_all(w->fd, w->buf, w->n)) {
        w->ok = false;
        w->err = errno ? errno : EIO;
    }
    w->hash = pv_fnv1a64(w->hash, w->buf, w->n);
    w->written += w->n;
    w->n = 0;
}

static void put_bytes(struct writer *w, const void *data, size_t len)
{
    const char *p = data;
    while (len > 0) {
        if (w->n == sizeof w->buf)
            flush(w);
        size_t k = sizeof w->buf - w->n < len ? sizeof w->buf - w->n : len;
        memcpy(w->buf + w->n, p, k);
        w->n += k;
        p += k;
        len -= k;
    }
}

static void put_le(struct writer *w, uint64_t v, size_t n)
{
    unsigned char bytes[8];
    for (size_t i = 0; i < n; i++)
        bytes[i] = (unsigned char)(v >> (8 * i));
    put_bytes(w, bytes, n);
}

static void put_text(struct writer *w, const char *s, size_t len_bytes)
{
    size_t n = strlen(s);
    put_le(w, n, len_bytes);
    put_bytes(w, s, n + 1); /* with its NUL */
}

/* What put_entry writes for e. */
static size_t entry_bytes(const struct cache_entry *e)
{
    return 1 + strlen(e->uid) + 1 + 8 + 1 + 8 + 4 + 2 + strlen(e->hl.from) + 1 + 2 +
           strlen(e->hl.subject) + 1;
}

static void put_entry(struct writer *w, const struct cache_entry *e)
{
    unsigned flags = (e->hl.has_date ? 1u : 0u) | (e->hl.multipart_mixed ? 2u : 0u);
    put_text(w, e->uid, 1);
    put_le(w, e->size, 8);
    put_le(w, flags, 1);
    put_le(w, (uint64_t)e->hl.date, 8);
    put_le(w, (uint64_t)(uint32_t)(int32_t)e->hl.tz_offset_min, 4);
    put_text(w, e->hl.from, 2);
    put_text(w, e->hl.subject, 2);
}

/* Removes temporary files of this cache that a killed writer left. */
static void remove_stale_temps(const struct mailbox_cache *c)
{
    const char *base = strrchr(c->path, '/') + 1;
    size_t base_len = strlen(base);
    DIR *d = opendir(c->dir);
    if (!d)
        return;
    time_t now = time(NULL);
    struct dirent *de;
    while ((de = readdir(d))) {
        if (strncmp(de->d_name, base, base_len) != 0 ||
            strncmp(de->d_name + base_len, ".tmp.", 5) != 0)
            continue;
        struct stat st;
        if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
            now - st.st_mtime > CACHE_TMP_STALE_S)
            unlinkat(dirfd(d), de->d_name, 0);
    }
    closedir(d);
}

/* Streams the kept entries to fd behind room for the header, then writes
 * the header (which holds the body's length and checksum) in front. */
static bool write_body_and_header(const struct mailbox_cache *c, int fd, size_t count,
                                  size_t body_len)
{
    struct writer *w = pv_xcalloc(1, sizeof *w);
    w->fd = fd;
    w->ok = lseek(fd, CACHE_HEADER_LEN, SEEK_SET) == CACHE_HEADER_LEN;
    w->err = w->ok ? 0 : errno;
    w->hash = PV_FNV1A64_START;
    put_text(w, c->key, 2);
    for (size_t i = 0; i < c->n; i++)
        if (c->e[i].keep)
            put_entry(w, &c->e[i]);
    flush(w);
    if (w->written != body_len)
        abort(); /* entry_bytes and put_entry disagree: a bug, not an input */
    uint64_t hash = w->hash;
    bool ok = w->ok;
    int saved = w->err;
    /* The header, through the same writer at the file's start. */
    memset(w, 0, sizeof *w);
    w->fd = fd;
    w->ok = ok && lseek(fd, 0, SEEK_SET) == 0;
    w->err = w->ok ? saved : (saved ? saved : errno);
    put_bytes(w, CACHE_MAGIC, sizeof CACHE_MAGIC);
    put_le(w, CACHE_VERSION, 4);
    put_le(w, 0, 4);
    put_le(w, count, 8);
    put_le(w, body_len, 8);
    put_le(w, hash, 8);
    flush(w);
    ok = w->ok;
    errno = w->err;
    free(w);
    return ok;
}

/* Writes the kept entries (choose_entries) into a new file that replaces
 * the old one in one rename. */
static bool write_file(const struct mailbox_cache *c, size_t count, size_t len,
                       struct pv_error *err)
{
    char *tmp = pv_xasprintf("%s.tmp.XXXXXX", c->path);
    int fd = mkstemp(tmp); /* mode 0600 */
    /* TRANSLATORS: the verbs fill "could not %s the header cache". */
    const char *step = N_("create");
    if (fd >= 0) {
        step = N_("write");
        bool done = write_body_and_header(c, fd, count, len - CACHE_HEADER_LEN);
        if (done) {
            step = N_("sync");
            done = fsync(fd) == 0;
        }
        if (close(fd) != 0)
            done = false;
        if (done) {
            step = N_("rename");
            done = rename(tmp, c->path) == 0;
        }
        if (!done) {
            int saved = errno;
            unlink(tmp);
            errno = saved;
            fd = -1;
        }
    }
    if (fd < 0) {
        char why[128];
        /* The cache's own name, not the temporary one (removed by now). */
        pv_error_set(err,
                     _("could not %s the header cache %s: %s; nothing is lost, the next start "
                       "fetches the headers again"),
                     _(step), c->path, strerror_r(errno, why, sizeof why));
        free(tmp);
        return false;
    }
    free(tmp);
    /* The rename is durable once the directory is; where the file system
     * refuses that, a crash may bring back the previous file, valid too. */
    (void)pv_sync_dir(c->dir);
    return true;
}

/* Marks the entries of the messages in list (same UIDL, same size) that fit
 * under the cap, newest messages first (the end of the listing), so past
 * the cap the oldest are the ones left out.  Returns how many; the file's
 * size in *bytes_out. */
static size_t choose_entries(struct mailbox_cache *c, const struct pop3_listing *list, size_t count,
                             bool *any_uid_out, size_t *bytes_out)
{
    entries_sort(c);
    for (size_t i = 0; i < c->n; i++)
        c->e[i].keep = false;
    size_t total = CACHE_HEADER_LEN + 2 + strlen(c->key) + 1, kept = 0;
    *any_uid_out = false;
    for (size_t k = count; k-- > 0;) {
        if (list[k].uid)
            *any_uid_out = true;
        struct cache_entry *e = uid_valid(list[k].uid) ? entry_find(c, list[k].uid) : NULL;
        if (!e || e->size != list[k].size || e->keep)
            continue;
        size_t need = entry_bytes(e);
        if (total + need > c->max_bytes)
            break; /* this one and the older ones do not fit */
        total += need;
        e->keep = true;
        kept++;
    }
    *bytes_out = total;
    return kept;
}

bool mailbox_cache_save(struct mailbox_cache *c, const struct pop3_listing *list, size_t count,
                        struct pv_error *err)
{
    if (!c || c->state == MAILBOX_CACHE_UNUSABLE)
        return true; /* nothing to do: no cache wanted, or nowhere to keep it */
    bool any_uid;
    size_t len;
    size_t kept = choose_entries(c, list, count, &any_uid, &len);
    /* Without UIDL (RFC 1939 makes it optional) nothing can be recognised
     * next time: no file at all.  Unchanged: nothing to write. */
    if (!any_uid || (!c->dirty && kept == c->loaded))
        return true;
    bool written = write_file(c, kept, len, err);
    if (written) {
        c->loaded = kept;
        c->dirty = false;
        c->state = MAILBOX_CACHE_LOADED;
    }
    remove_stale_temps(c);
    return written;
}
