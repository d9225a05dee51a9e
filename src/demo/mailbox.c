/*
 * The demo mailbox: messages in memory, shared by the sessions of one
 * process, guarded by a mutex.  Loading converts line ends to CRLF (the form
 * POP3 sizes count, RFC 1939 §11), expands the fill header into a generated
 * body, and gives each message a UIDL (RFC 1939 §7: unique, 1..70 characters
 * in 0x21..0x7E, stable for the life of the mailbox).
 *
 * The maildrop lock (RFC 1939 §4) lets one session at a time see and change
 * the messages; a session works on a snapshot of the pointer array, so the
 * messages themselves never move or change while it reads them.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <popview/util.h>

#include "private.h"

static const char fill_header[] = "X-Popview-Demo-Fill";

struct demo_mailbox {
    /* mutable: the const accessors lock it too */
    pthread_mutex_t mutex;
    struct demo_message **messages;
    size_t count;
    size_t alloc;
    uint64_t total;
    bool locked;
    unsigned long connections;
    unsigned long generated_uidls;
};

static void mailbox_enter(const struct demo_mailbox *mb)
{
    pthread_mutex_lock((pthread_mutex_t *)&mb->mutex);
}

static void mailbox_leave(const struct demo_mailbox *mb)
{
    pthread_mutex_unlock((pthread_mutex_t *)&mb->mutex);
}

struct demo_mailbox *demo_mailbox_new(void)
{
    struct demo_mailbox *mb = pv_xcalloc(1, sizeof(*mb));
    pthread_mutex_init(&mb->mutex, NULL);
    return mb;
}

static void message_free(struct demo_message *m)
{
    if (!m)
        return;
    free(m->data);
    free(m);
}

void demo_mailbox_free(struct demo_mailbox **mbp)
{
    if (!mbp || !*mbp)
        return;
    struct demo_mailbox *mb = *mbp;
    for (size_t i = 0; i < mb->count; i++)
        message_free(mb->messages[i]);
    free(mb->messages);
    pthread_mutex_destroy(&mb->mutex);
    free(mb);
    *mbp = NULL;
}

/* ---- building one message ---- */

/* Size after turning every lone CR or LF into CRLF and adding a final CRLF. */
static uint64_t crlf_size(const char *s, size_t len)
{
    uint64_t n = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '\r') {
            n += 2;
            if (i + 1 < len && s[i + 1] == '\n')
                i++;
        } else if (s[i] == '\n') {
            n += 2;
        } else {
            n++;
        }
    }
    if (len > 0 && s[len - 1] != '\n' && s[len - 1] != '\r')
        n += 2;
    return n;
}

static void append_crlf_normalized(struct pv_buf *b, const char *s, size_t len)
{
    size_t start = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] != '\r' && s[i] != '\n')
            continue;
        bool ok = pv_buf_append(b, s + start, i - start) && pv_buf_append(b, "\r\n", 2);
        if (!ok)
            abort(); /* the caller reserved the exact size under the cap */
        if (s[i] == '\r' && i + 1 < len && s[i + 1] == '\n')
            i++;
        start = i + 1;
    }
    if (start < len && !(pv_buf_append(b, s + start, len - start) && pv_buf_append(b, "\r\n", 2)))
        abort();
}

/*
 * Looks for the fill header in the header section (up to the first empty
 * line) of a CRLF message.  Returns false on a malformed value; *octets_out
 * is 0 when there is no such header.
 */
static bool find_fill_header(const char *msg, size_t len, uint64_t *octets_out,
                             struct pv_error *err)
{
    *octets_out = 0;
    size_t name_len = sizeof(fill_header) - 1;
    size_t pos = 0;
    while (pos < len) {
        const char *eol = memmem(msg + pos, len - pos, "\r\n", 2);
        size_t line_len = eol ? (size_t)(eol - (msg + pos)) : len - pos;
        const char *line = msg + pos;
        if (line_len == 0)
            break; /* end of the header section */
        if (line_len > name_len && line[name_len] == ':' &&
            pv_ascii_nieq(line, fill_header, name_len)) {
            size_t a = name_len + 1, b = line_len;
            while (a < b && (line[a] == ' ' || line[a] == '\t'))
                a++;
            while (b > a && (line[b - 1] == ' ' || line[b - 1] == '\t'))
                b--;
            if (!pv_parse_u64(line + a, b - a, octets_out)) {
                pv_error_set(err, "%s: the value must be a number of octets", fill_header);
                return false;
            }
            return true;
        }
        pos += line_len + 2;
    }
    return true;
}

/*
 * The generated body: an export of a weather station's log, one reading a
 * minute from a fixed start.  Each value takes a small step of a fixed
 * linear congruential sequence, so the log looks like weather rather than
 * noise, and every load produces the same bytes.
 */
struct weather {
    int temp;           /* tenths of a degree Celsius */
    int humidity;       /* percent */
    int wind;           /* km/h */
    int pressure;       /* tenths of a hectopascal */
    unsigned direction; /* index into the compass points */
};

static int clamp_step(int value, int step, int lo, int hi)
{
    value += step;
    return value < lo ? lo : value > hi ? hi : value;
}

/* One minute later: small random steps, warmer by day and cooler by night. */
static void weather_step(struct weather *w, uint32_t r, int hour)
{
    int daily = hour >= 7 && hour <= 16 ? 1 : hour >= 19 || hour <= 4 ? -1 : 0;
    int temp_step = (int)(r % 5) - 2 + ((r >> 24) % 8 == 0 ? daily : 0);
    w->temp = clamp_step(w->temp, temp_step, -120, 220);
    w->humidity = clamp_step(w->humidity, (int)(r >> 4 & 3) - (int)(r >> 6 & 3), 30, 98);
    w->wind = clamp_step(w->wind, (int)((r >> 8) % 5) - 2, 0, 60);
    w->pressure = clamp_step(w->pressure, (int)(r >> 12 & 3) - (int)(r >> 14 & 3), 9800, 10400);
    if ((r >> 16 & 63) == 0) /* now and then the wind turns */
        w->direction = (w->direction + ((r >> 22 & 1) ? 1 : 7)) % 8;
}

static void append_fill(struct pv_buf *b, uint64_t target)
{
    static const char *const points[] = {"N", "NE", "E", "SE", "S", "SW", "W", "NW"};
    struct weather w = {.temp = 41, .humidity = 72, .wind = 12, .pressure = 10132, .direction = 5};
    uint32_t state = 20240301u;
    time_t t = 1709251200; /* 2024-03-01 00:00 UTC */
    for (unsigned long n = 1;; n++, t += 60) {
        state = state * 1664525u + 1013904223u;
        struct tm tm;
        gmtime_r(&t, &tm);
        weather_step(&w, state >> 4, tm.tm_hour);
        char stamp[32];
        strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M", &tm);
        char line[160];
        int len =
            snprintf(line, sizeof(line),
                     "%06lu  %s UTC  station KE-07  temp %c%d.%d C  humidity %2d %%  "
                     "wind %2d km/h %-2s  pressure %d.%d hPa\r\n",
                     n, stamp, w.temp < 0 ? '-' : '+', abs(w.temp) / 10, abs(w.temp) % 10,
                     w.humidity, w.wind, points[w.direction], w.pressure / 10, w.pressure % 10);
        if (len < 0 || (size_t)len >= sizeof(line) || b->len + (size_t)len > target)
            return;
        if (!pv_buf_append(b, line, (size_t)len))
            return; /* the buffer's cap: the message is as large as it may be */
    }
}

static bool uidl_valid(const char *uidl)
{
    size_t n = strlen(uidl);
    if (n == 0 || n > DEMO_UIDL_MAX)
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)uidl[i];
        if (c < 0x21 || c > 0x7e)
            return false;
    }
    return true;
}

static long find_uidl_locked(const struct demo_mailbox *mb, const char *uidl)
{
    for (size_t i = 0; i < mb->count; i++)
        if (strcmp(mb->messages[i]->uidl, uidl) == 0)
            return (long)i;
    return -1;
}

/* "gen-<n>-<md5 prefix>": the counter makes it unique, the digest recognisable. */
static void generate_uidl(struct demo_mailbox *mb, const struct demo_message *m, char *out)
{
    unsigned char digest[16] = {0};
    if (gnutls_hash_fast(GNUTLS_DIG_MD5, m->data, m->len, digest) != 0)
        memset(digest, 0, sizeof(digest));
    do {
        mb->generated_uidls++;
        snprintf(out, DEMO_UIDL_MAX + 1, "gen-%lu-%02x%02x%02x%02x%02x%02x%02x%02x",
                 mb->generated_uidls, digest[0], digest[1], digest[2], digest[3], digest[4],
                 digest[5], digest[6], digest[7]);
    } while (find_uidl_locked(mb, out) >= 0);
}

static enum demo_status build_message(const char *data, size_t len, struct demo_message **msg_out,
                                      struct pv_error *err)
{
    uint64_t size = crlf_size(data, len);
    if (size > DEMO_MESSAGE_MAX) {
        pv_error_set(err, "message of %llu octets exceeds the limit of %d",
                     (unsigned long long)size, DEMO_MESSAGE_MAX);
        return DEMO_ERR_LIMIT;
    }
    struct pv_buf b;
    pv_buf_init(&b, DEMO_MESSAGE_MAX);
    if (!pv_buf_append(&b, "", 0))
        abort();
    append_crlf_normalized(&b, data, len);

    uint64_t fill = 0;
    if (!find_fill_header(b.data, b.len, &fill, err)) {
        pv_buf_free(&b);
        return DEMO_ERR_ARG;
    }
    if (fill > DEMO_FILL_MAX) {
        pv_error_set(err, "%s: %llu octets exceeds the limit of %d", fill_header,
                     (unsigned long long)fill, DEMO_FILL_MAX);
        pv_buf_free(&b);
        return DEMO_ERR_LIMIT;
    }
    if (fill > b.len)
        append_fill(&b, fill);

    struct demo_message *m = pv_xcalloc(1, sizeof(*m));
    m->data = pv_buf_steal(&b, &m->len);
    *msg_out = m;
    return DEMO_OK;
}

enum demo_status demo_mailbox_add(struct demo_mailbox *mb, const void *data, size_t len,
                                  const char *uidl, struct pv_error *err)
{
    if (!mb || (!data && len > 0)) {
        pv_error_set(err, "no mailbox or no message data");
        return DEMO_ERR_ARG;
    }
    if (uidl && !uidl_valid(uidl)) {
        pv_error_set(err, "UIDL must be 1 to %d characters from '!' to '~'", DEMO_UIDL_MAX);
        return DEMO_ERR_ARG;
    }
    struct demo_message *m = NULL;
    enum demo_status st = build_message(data ? data : "", len, &m, err);
    if (st != DEMO_OK)
        return st;

    mailbox_enter(mb);
    if (mb->count >= DEMO_MESSAGES_MAX) {
        mailbox_leave(mb);
        message_free(m);
        pv_error_set(err, "the mailbox already holds %d messages", DEMO_MESSAGES_MAX);
        return DEMO_ERR_LIMIT;
    }
    if (uidl && find_uidl_locked(mb, uidl) >= 0) {
        mailbox_leave(mb);
        message_free(m);
        pv_error_set(err, "UIDL \"%s\" is already in use", uidl);
        return DEMO_ERR_ARG;
    }
    if (uidl)
        snprintf(m->uidl, sizeof(m->uidl), "%s", uidl);
    else
        generate_uidl(mb, m, m->uidl);
    if (mb->count == mb->alloc) {
        mb->alloc = mb->alloc ? mb->alloc * 2 : 32;
        mb->messages = pv_xreallocarray(mb->messages, mb->alloc, sizeof(*mb->messages));
    }
    mb->messages[mb->count++] = m;
    mb->total += m->len;
    mailbox_leave(mb);
    return DEMO_OK;
}

/* ---- loading ---- */

/* The UIDL for a file: its name without ".eml" if usable, else NULL (generate). */
static const char *uidl_from_name(const struct demo_mailbox *mb, const char *name, char *buf,
                                  size_t size)
{
    size_t n = strlen(name);
    if (n > 4 && pv_ascii_ieq(name + n - 4, ".eml"))
        n -= 4;
    if (n == 0 || n >= size)
        return NULL;
    memcpy(buf, name, n);
    buf[n] = '\0';
    if (!uidl_valid(buf))
        return NULL;
    mailbox_enter(mb);
    long found = find_uidl_locked(mb, buf);
    mailbox_leave(mb);
    return found >= 0 ? NULL : buf;
}

enum demo_status demo_mailbox_load_sample(struct demo_mailbox *mb, struct pv_error *err)
{
    if (!mb) {
        pv_error_set(err, "no mailbox");
        return DEMO_ERR_ARG;
    }
    for (size_t i = 0; i < demo_sample_files_count; i++) {
        const struct demo_sample_file *f = &demo_sample_files[i];
        char buf[DEMO_UIDL_MAX + 1];
        const char *uidl = uidl_from_name(mb, f->name, buf, sizeof(buf));
        enum demo_status st = demo_mailbox_add(mb, f->data, f->len, uidl, err);
        if (st != DEMO_OK) {
            pv_error_prefix(err, "sample message %s", f->name);
            return st;
        }
    }
    return DEMO_OK;
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool has_eml_suffix(const char *name)
{
    size_t n = strlen(name);
    return n > 4 && pv_ascii_ieq(name + n - 4, ".eml") && name[0] != '.';
}

/* Reads a whole regular file, refusing one larger than DEMO_MESSAGE_MAX. */
static enum demo_status read_file(int dirfd, const char *name, char **data_out, size_t *len_out,
                                  bool *regular_out, struct pv_error *err)
{
    *regular_out = false;
    /* O_NONBLOCK: a FIFO named like a message must not hang the load */
    int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) {
        pv_error_set(err, "cannot open %s: %s", name, strerror(errno));
        return DEMO_ERR_IO;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return DEMO_OK; /* a directory or device named like a message is not a message */
    }
    *regular_out = true;
    if (st.st_size > DEMO_MESSAGE_MAX) {
        close(fd);
        pv_error_set(err, "%s is larger than %d octets", name, DEMO_MESSAGE_MAX);
        return DEMO_ERR_LIMIT;
    }
    struct pv_buf b;
    pv_buf_init(&b, DEMO_MESSAGE_MAX);
    char chunk[65536];
    for (;;) {
        ssize_t n = read(fd, chunk, sizeof(chunk));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            pv_error_set(err, "cannot read %s: %s", name, strerror(errno));
            close(fd);
            pv_buf_free(&b);
            return DEMO_ERR_IO;
        }
        if (n == 0)
            break;
        if (!pv_buf_append(&b, chunk, (size_t)n)) {
            pv_error_set(err, "%s grew past %d octets while being read", name, DEMO_MESSAGE_MAX);
            close(fd);
            pv_buf_free(&b);
            return DEMO_ERR_LIMIT;
        }
    }
    close(fd);
    *data_out = pv_buf_steal(&b, len_out);
    return DEMO_OK;
}

static enum demo_status collect_names(DIR *d, const char *dir, char ***names_out, size_t *count_out,
                                      struct pv_error *err)
{
    char **names = NULL;
    size_t count = 0, alloc = 0;
    struct dirent *e;
    errno = 0;
    while ((e = readdir(d)) != NULL) {
        if (!has_eml_suffix(e->d_name))
            continue;
        if (count >= DEMO_MESSAGES_MAX) {
            pv_error_set(err, "%s holds more than %d .eml files", dir, DEMO_MESSAGES_MAX);
            for (size_t i = 0; i < count; i++)
                free(names[i]);
            free(names);
            return DEMO_ERR_LIMIT;
        }
        if (count == alloc) {
            alloc = alloc ? alloc * 2 : 64;
            names = pv_xreallocarray(names, alloc, sizeof(*names));
        }
        names[count++] = pv_xstrdup(e->d_name);
        errno = 0;
    }
    if (errno != 0) {
        pv_error_set(err, "cannot list the directory %s: %s", dir, strerror(errno));
        for (size_t i = 0; i < count; i++)
            free(names[i]);
        free(names);
        return DEMO_ERR_IO;
    }
    if (count > 0)
        qsort(names, count, sizeof(*names), compare_names);
    *names_out = names;
    *count_out = count;
    return DEMO_OK;
}

enum demo_status demo_mailbox_load_dir(struct demo_mailbox *mb, const char *dir,
                                       struct pv_error *err)
{
    if (!mb || !dir) {
        pv_error_set(err, "no mailbox or no directory");
        return DEMO_ERR_ARG;
    }
    DIR *d = opendir(dir);
    if (!d) {
        pv_error_set(err, "cannot open the directory %s: %s", dir, strerror(errno));
        return DEMO_ERR_IO;
    }
    char **names = NULL;
    size_t count = 0;
    enum demo_status st = collect_names(d, dir, &names, &count, err);
    for (size_t i = 0; st == DEMO_OK && i < count; i++) {
        char *data = NULL;
        size_t len = 0;
        bool regular = false;
        st = read_file(dirfd(d), names[i], &data, &len, &regular, err);
        if (st != DEMO_OK || !regular)
            continue;
        char buf[DEMO_UIDL_MAX + 1];
        st = demo_mailbox_add(mb, data, len, uidl_from_name(mb, names[i], buf, sizeof(buf)), err);
        free(data);
        if (st != DEMO_OK)
            pv_error_prefix(err, "%s/%s", dir, names[i]);
    }
    for (size_t i = 0; i < count; i++)
        free(names[i]);
    free(names);
    closedir(d);
    return st;
}

/* ---- queries ---- */

size_t demo_mailbox_count(const struct demo_mailbox *mb)
{
    if (!mb)
        return 0;
    mailbox_enter(mb);
    size_t n = mb->count;
    mailbox_leave(mb);
    return n;
}

uint64_t demo_mailbox_size(const struct demo_mailbox *mb)
{
    if (!mb)
        return 0;
    mailbox_enter(mb);
    uint64_t n = mb->total;
    mailbox_leave(mb);
    return n;
}

bool demo_mailbox_copy_message(const struct demo_mailbox *mb, size_t index, char **data_out,
                               size_t *len_out, char *uidl_out)
{
    if (!mb)
        return false;
    mailbox_enter(mb);
    if (index >= mb->count) {
        mailbox_leave(mb);
        return false;
    }
    const struct demo_message *m = mb->messages[index];
    if (data_out)
        *data_out = pv_xstrndup(m->data, m->len);
    if (len_out)
        *len_out = m->len;
    if (uidl_out)
        memcpy(uidl_out, m->uidl, sizeof(m->uidl));
    mailbox_leave(mb);
    return true;
}

long demo_mailbox_find_uidl(const struct demo_mailbox *mb, const char *uidl)
{
    if (!mb || !uidl)
        return -1;
    mailbox_enter(mb);
    long i = find_uidl_locked(mb, uidl);
    mailbox_leave(mb);
    return i;
}

bool demo_mailbox_is_locked(const struct demo_mailbox *mb)
{
    if (!mb)
        return false;
    mailbox_enter(mb);
    bool locked = mb->locked;
    mailbox_leave(mb);
    return locked;
}

/* ---- the maildrop lock ---- */

bool demo_mailbox_lock(struct demo_mailbox *mb, struct demo_message ***snapshot_out,
                       size_t *count_out)
{
    mailbox_enter(mb);
    if (mb->locked) {
        mailbox_leave(mb);
        return false;
    }
    mb->locked = true;
    size_t n = mb->count;
    struct demo_message **snap = pv_xcalloc(n ? n : 1, sizeof(*snap));
    if (n)
        memcpy(snap, mb->messages, n * sizeof(*snap));
    mailbox_leave(mb);
    *snapshot_out = snap;
    *count_out = n;
    return true;
}

static void remove_message_locked(struct demo_mailbox *mb, struct demo_message *m)
{
    for (size_t i = 0; i < mb->count; i++) {
        if (mb->messages[i] != m)
            continue;
        mb->total -= m->len;
        memmove(mb->messages + i, mb->messages + i + 1,
                (mb->count - i - 1) * sizeof(*mb->messages));
        mb->count--;
        message_free(m);
        return;
    }
}

void demo_mailbox_unlock(struct demo_mailbox *mb, struct demo_message **snapshot, size_t count,
                         const bool *deleted)
{
    mailbox_enter(mb);
    for (size_t i = 0; deleted && i < count; i++)
        if (deleted[i])
            remove_message_locked(mb, snapshot[i]);
    mb->locked = false;
    mailbox_leave(mb);
    free(snapshot);
}

unsigned long demo_mailbox_next_connection(struct demo_mailbox *mb)
{
    mailbox_enter(mb);
    unsigned long n = ++mb->connections;
    mailbox_leave(mb);
    return n;
}
