/*
 * Tests of the header cache (src/mailbox/cache.c): the file on its own
 * (round trip, every kind of damage, the size cap, UIDLs that vanished or
 * were reused, a writer killed half-way), then the model using it against
 * the demo server: a second open sends no TOP for the messages it has
 * seen, and exactly one for a new message.
 *
 *   char *mailbox_cache_dir_default(void);
 *   struct mailbox_cache *mailbox_cache_open(const char *dir, const char *user,
 *                                            const char *host, const char *port);
 *   enum mailbox_cache_state mailbox_cache_state(const struct mailbox_cache *c);
 *   const struct mailbox_headline *mailbox_cache_lookup(struct mailbox_cache *c,
 *                                                       const char *uid, uint64_t size);
 *   void mailbox_cache_put(struct mailbox_cache *c, const char *uid, uint64_t size,
 *                          const struct mailbox_headline *hl);
 *   bool mailbox_cache_save(struct mailbox_cache *c, const struct pop3_listing *list,
 *                           size_t count, struct pv_error *err);
 *   void mailbox_headline_from_header(const char *header, size_t len,
 *                                     struct mailbox_headline *out);
 */
#include <check.h>
#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <popview/util.h>

#include <popview/pop3.h>

#include <popview/mailbox.h>

#include "demo.h"

enum { WAIT_MS = 30000, LISTING_MAX = 64 };

/* --- fixture: a fresh directory per test ------------------------------------ */

static char tmpdir[256];

static void setup(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/popview-cache-test.XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void remove_tree(const char *path)
{
    DIR *d = opendir(path);
    if (!d) {
        unlink(path);
        return;
    }
    struct dirent *de;
    while ((de = readdir(d))) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
            continue;
        char *sub = pv_xasprintf("%s/%s", path, de->d_name);
        struct stat st;
        if (lstat(sub, &st) == 0 && S_ISDIR(st.st_mode))
            remove_tree(sub);
        else
            unlink(sub);
        free(sub);
    }
    closedir(d);
    rmdir(path);
}

static void teardown(void)
{
    remove_tree(tmpdir);
}

static char *cache_dir(void)
{
    return pv_xasprintf("%s/cache/popview", tmpdir);
}

static struct mailbox_cache *open_alice(void)
{
    char *dir = cache_dir();
    struct mailbox_cache *c = mailbox_cache_open(dir, "alice", "mail.example.org", "995");
    free(dir);
    ck_assert_ptr_nonnull(c);
    return c;
}

/* A listing of n messages "uid-<i>" of size 1000 + i. */
struct listing {
    struct pop3_listing m[LISTING_MAX];
    char uid[LISTING_MAX][16];
    size_t n;
};

static void listing_make(struct listing *l, size_t n)
{
    ck_assert_uint_le(n, LISTING_MAX);
    memset(l, 0, sizeof *l);
    l->n = n;
    for (size_t i = 0; i < n; i++) {
        snprintf(l->uid[i], sizeof l->uid[i], "uid-%zu", i);
        l->m[i] =
            (struct pop3_listing){.msgno = (unsigned)i + 1, .size = 1000 + i, .uid = l->uid[i]};
    }
}

static void put_all(struct mailbox_cache *c, const struct listing *l)
{
    for (size_t i = 0; i < l->n; i++) {
        char from[64], subject[64];
        snprintf(from, sizeof from, "Sender %zu", i);
        snprintf(subject, sizeof subject, "Subject \xc3\xa9t\xc3\xa9 %zu", i);
        struct mailbox_headline hl = {.from = from,
                                      .subject = subject,
                                      .has_date = i % 2 == 0,
                                      .date = i % 2 == 0 ? 1700000000 + (int64_t)i : 0,
                                      .tz_offset_min = i % 2 == 0 ? -330 : 0,
                                      .multipart_mixed = i % 3 == 0};
        mailbox_cache_put(c, l->m[i].uid, l->m[i].size, &hl);
    }
}

static void check_entry(struct mailbox_cache *c, const struct listing *l, size_t i)
{
    const struct mailbox_headline *hl = mailbox_cache_lookup(c, l->m[i].uid, l->m[i].size);
    ck_assert_msg(hl != NULL, "entry %zu missing", i);
    char want[64];
    snprintf(want, sizeof want, "Sender %zu", i);
    ck_assert_str_eq(hl->from, want);
    snprintf(want, sizeof want, "Subject \xc3\xa9t\xc3\xa9 %zu", i);
    ck_assert_str_eq(hl->subject, want);
    ck_assert(hl->has_date == (i % 2 == 0));
    ck_assert_int_eq(hl->date, i % 2 == 0 ? 1700000000 + (int64_t)i : 0);
    ck_assert_int_eq(hl->tz_offset_min, i % 2 == 0 ? -330 : 0);
    ck_assert(hl->multipart_mixed == (i % 3 == 0));
}

/* A saved cache of n entries; returns its path (a new string). */
static char *saved_cache(size_t n)
{
    struct listing l;
    listing_make(&l, n);
    struct mailbox_cache *c = open_alice();
    put_all(c, &l);
    struct pv_error err;
    pv_error_clear(&err);
    ck_assert_msg(mailbox_cache_save(c, l.m, l.n, &err), "%s", err.msg);
    char *path = pv_xstrdup(mailbox_cache_path(c));
    mailbox_cache_free(&c);
    return path;
}

static char *read_file(const char *path, size_t *len_out)
{
    FILE *f = fopen(path, "rb");
    ck_assert_ptr_nonnull(f);
    char *data = pv_xmalloc(1 << 20);
    *len_out = fread(data, 1, 1 << 20, f);
    fclose(f);
    return data;
}

static void write_file(const char *path, const char *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(data, 1, len, f), len);
    fclose(f);
}

static bool exists(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0;
}

/* --- mailbox_cache_dir_default ---------------------------------------------- */

START_TEST(test_dir_default)
{
    setenv("XDG_CACHE_HOME", "/x/cache", 1);
    setenv("HOME", "/home/alice", 1);
    char *d = mailbox_cache_dir_default();
    ck_assert_str_eq(d, "/x/cache/popview");
    free(d);
    /* XDG Base Directory: a relative path is invalid and ignored. */
    setenv("XDG_CACHE_HOME", "relative", 1);
    d = mailbox_cache_dir_default();
    ck_assert_str_eq(d, "/home/alice/.cache/popview");
    free(d);
    unsetenv("XDG_CACHE_HOME");
    d = mailbox_cache_dir_default();
    ck_assert_str_eq(d, "/home/alice/.cache/popview");
    free(d);
    unsetenv("HOME");
    ck_assert_ptr_null(mailbox_cache_dir_default());
}
END_TEST

/* --- mailbox_cache_open ------------------------------------------------------ */

START_TEST(test_open_null)
{
    ck_assert_ptr_null(mailbox_cache_open(NULL, "alice", "h", "995"));
    ck_assert_ptr_null(mailbox_cache_open("", "alice", "h", "995"));
    /* A NULL cache is "no cache" everywhere. */
    ck_assert_int_eq(mailbox_cache_state(NULL), MAILBOX_CACHE_UNUSABLE);
    ck_assert_ptr_null(mailbox_cache_lookup(NULL, "u", 1));
    ck_assert_uint_eq(mailbox_cache_count(NULL), 0);
    mailbox_cache_put(NULL, "u", 1, NULL);
    ck_assert(mailbox_cache_save(NULL, NULL, 0, NULL));
    mailbox_cache_free(NULL);
}
END_TEST

START_TEST(test_open_makes_private_dir)
{
    struct mailbox_cache *c = open_alice();
    ck_assert_int_eq(mailbox_cache_state(c), MAILBOX_CACHE_EMPTY);
    ck_assert_uint_eq(mailbox_cache_count(c), 0);
    char *dir = cache_dir();
    struct stat st;
    ck_assert_int_eq(stat(dir, &st), 0);
    ck_assert(S_ISDIR(st.st_mode));
    ck_assert_int_eq(st.st_mode & 0777, 0700);
    /* The name says whose it is, and stays inside the directory. */
    const char *path = mailbox_cache_path(c);
    ck_assert_int_eq(strncmp(path, dir, strlen(dir)), 0);
    ck_assert_ptr_nonnull(strstr(path, "/alice_mail.example.org_995-"));
    mailbox_cache_free(&c);
    ck_assert_ptr_null(c);
    /* A directory others could read is made private. */
    ck_assert_int_eq(chmod(dir, 0755), 0);
    c = open_alice();
    ck_assert_int_ne(mailbox_cache_state(c), MAILBOX_CACHE_UNUSABLE);
    ck_assert_int_eq(stat(dir, &st), 0);
    ck_assert_int_eq(st.st_mode & 0777, 0700);
    mailbox_cache_free(&c);
    free(dir);
}
END_TEST

START_TEST(test_open_names)
{
    char *dir = cache_dir();
    struct mailbox_cache *a = mailbox_cache_open(dir, "alice", "h", "995");
    struct mailbox_cache *b = mailbox_cache_open(dir, "bob", "h", "995");
    struct mailbox_cache *p = mailbox_cache_open(dir, "alice", "h", "110");
    /* Characters that would leave the directory or hide the file are replaced;
     * the hash keeps "a/b" and "a_b" apart. */
    struct mailbox_cache *x = mailbox_cache_open(dir, "../a/b", "h", "1");
    struct mailbox_cache *y = mailbox_cache_open(dir, "___a_b", "h", "1");
    ck_assert_str_ne(mailbox_cache_path(a), mailbox_cache_path(b));
    ck_assert_str_ne(mailbox_cache_path(a), mailbox_cache_path(p));
    ck_assert_str_ne(mailbox_cache_path(x), mailbox_cache_path(y));
    const char *name = strrchr(mailbox_cache_path(x), '/') + 1;
    ck_assert_int_eq(name[0], '_');
    ck_assert_ptr_null(strstr(mailbox_cache_path(x) + strlen(dir), ".."));
    mailbox_cache_free(&a);
    mailbox_cache_free(&b);
    mailbox_cache_free(&p);
    mailbox_cache_free(&x);
    mailbox_cache_free(&y);
    free(dir);
}
END_TEST

START_TEST(test_open_unusable_dir)
{
    /* A file where the directory should be: no cache, and save does nothing. */
    char *parent = pv_xasprintf("%s/cache", tmpdir);
    write_file(parent, "x", 1);
    struct mailbox_cache *c = open_alice();
    ck_assert_int_eq(mailbox_cache_state(c), MAILBOX_CACHE_UNUSABLE);
    struct listing l;
    listing_make(&l, 2);
    put_all(c, &l);
    ck_assert(mailbox_cache_save(c, l.m, l.n, NULL));
    mailbox_cache_free(&c);
    free(parent);

    /* A home directory that does not exist is not made (HOME=/nonexistent):
     * at most the cache directory and its parent are. */
    char *dir = pv_xasprintf("%s/nohome/.cache/popview", tmpdir);
    c = mailbox_cache_open(dir, "alice", "h", "995");
    ck_assert_int_eq(mailbox_cache_state(c), MAILBOX_CACHE_UNUSABLE);
    mailbox_cache_free(&c);
    free(dir);
    char *home = pv_xasprintf("%s/nohome", tmpdir);
    ck_assert(!exists(home));
    free(home);
}
END_TEST

/* --- mailbox_headline_from_header --------------------------------------------- */

START_TEST(test_headline)
{
    struct mailbox_headline hl;
    mailbox_headline_from_header(NULL, 0, &hl);
    ck_assert_str_eq(hl.from, "");
    ck_assert_str_eq(hl.subject, "");
    ck_assert(!hl.has_date && !hl.multipart_mixed);
    mailbox_headline_clear(&hl);
    ck_assert_ptr_null(hl.from);
    mailbox_headline_clear(NULL);

    static const char h[] = "From: =?UTF-8?Q?Ren=C3=A9?= <rene@example.org>\r\n"
                            "Subject: =?ISO-8859-1?Q?caf=E9?= \x1b[31m\r\n"
                            "Date: Tue, 4 Mar 2025 10:00:00 +0100\r\n"
                            "Content-Type: multipart/mixed; boundary=x\r\n";
    mailbox_headline_from_header(h, strlen(h), &hl);
    ck_assert_str_eq(hl.from, "Ren\xc3\xa9");
    /* Decoded, not sanitized: the escape is still there for whoever shows it. */
    ck_assert_ptr_nonnull(strstr(hl.subject, "caf\xc3\xa9"));
    ck_assert_ptr_nonnull(strchr(hl.subject, '\x1b'));
    ck_assert(hl.has_date);
    ck_assert_int_eq(hl.date, 1741078800);
    ck_assert_int_eq(hl.tz_offset_min, 60);
    ck_assert(hl.multipart_mixed);
    mailbox_headline_clear(&hl);
}
END_TEST

/* --- mailbox_cache_put / mailbox_cache_lookup -------------------------------- */

START_TEST(test_put_refuses)
{
    struct mailbox_cache *c = open_alice();
    char f[] = "x";
    struct mailbox_headline hl = {.from = f, .subject = f};
    mailbox_cache_put(c, NULL, 1, &hl);
    mailbox_cache_put(c, "", 1, &hl);
    mailbox_cache_put(c, "has space", 1, &hl);
    mailbox_cache_put(c, "ctl\x01", 1, &hl);
    char long_uid[72];
    memset(long_uid, 'u', 71);
    long_uid[71] = '\0';
    mailbox_cache_put(c, long_uid, 1, &hl); /* RFC 1939: at most 70 */
    mailbox_cache_put(c, "ok", 1, NULL);
    char *big = pv_xmalloc(MAILBOX_CACHE_FIELD_MAX + 2);
    memset(big, 'a', MAILBOX_CACHE_FIELD_MAX + 1);
    big[MAILBOX_CACHE_FIELD_MAX + 1] = '\0';
    struct mailbox_headline huge = {.from = f, .subject = big};
    mailbox_cache_put(c, "huge", 1, &huge);
    ck_assert_uint_eq(mailbox_cache_count(c), 0);
    long_uid[70] = '\0';
    mailbox_cache_put(c, long_uid, 1, &hl);
    ck_assert_uint_eq(mailbox_cache_count(c), 1);
    free(big);
    mailbox_cache_free(&c);
}
END_TEST

START_TEST(test_lookup_hit_miss_replace)
{
    struct mailbox_cache *c = open_alice();
    ck_assert_ptr_null(mailbox_cache_lookup(c, NULL, 1));
    ck_assert_ptr_null(mailbox_cache_lookup(c, "nothing", 1));
    char a[] = "first", b[] = "second";
    struct mailbox_headline h1 = {.from = a, .subject = a};
    struct mailbox_headline h2 = {.from = b, .subject = b};
    mailbox_cache_put(c, "u1", 10, &h1);
    mailbox_cache_put(c, "u1", 10, &h2); /* the newer one wins */
    const struct mailbox_headline *hl = mailbox_cache_lookup(c, "u1", 10);
    ck_assert_ptr_nonnull(hl);
    ck_assert_str_eq(hl->subject, "second");
    ck_assert_uint_eq(mailbox_cache_count(c), 1);
    ck_assert_ptr_null(mailbox_cache_lookup(c, "U1", 10)); /* UIDLs are case-sensitive */
    mailbox_cache_free(&c);
}
END_TEST

START_TEST(test_lookup_reused_uidl)
{
    char *path = saved_cache(3);
    free(path);
    struct listing l;
    listing_make(&l, 3);
    struct mailbox_cache *c = open_alice();
    ck_assert_int_eq(mailbox_cache_state(c), MAILBOX_CACHE_LOADED);
    /* The server gave uid-1 to a message of another size: another message. */
    ck_assert_ptr_null(mailbox_cache_lookup(c, "uid-1", l.m[1].size + 1));
    /* ... and the old entry is gone, even for its own size. */
    ck_assert_ptr_null(mailbox_cache_lookup(c, "uid-1", l.m[1].size));
    ck_assert_uint_eq(mailbox_cache_count(c), 2);
    check_entry(c, &l, 0);
    check_entry(c, &l, 2);
    mailbox_cache_free(&c);
}
END_TEST

/* --- mailbox_cache_save ------------------------------------------------------- */

START_TEST(test_save_round_trip)
{
    char *path = saved_cache(40);
    struct stat st;
    ck_assert_int_eq(stat(path, &st), 0);
    ck_assert_int_eq(st.st_mode & 0777, 0600);
    struct listing l;
    listing_make(&l, 40);
    struct mailbox_cache *c = open_alice();
    ck_assert_int_eq(mailbox_cache_state(c), MAILBOX_CACHE_LOADED);
    ck_assert_uint_eq(mailbox_cache_count(c), 40);
    for (size_t i = 0; i < 40; i++)
        check_entry(c, &l, i);
    /* Nothing changed: the file is not written again. */
    struct pv_error err;
    ck_assert(mailbox_cache_save(c, l.m, l.n, &err));
    struct stat again;
    ck_assert_int_eq(stat(path, &again), 0);
    ck_assert_uint_eq(again.st_ino, st.st_ino);
    mailbox_cache_free(&c);
    /* Another account does not see alice's entries. */
    char *dir = cache_dir();
    c = mailbox_cache_open(dir, "bob", "mail.example.org", "995");
    ck_assert_int_eq(mailbox_cache_state(c), MAILBOX_CACHE_EMPTY);
    ck_assert_ptr_null(mailbox_cache_lookup(c, "uid-0", 1000));
    mailbox_cache_free(&c);
    free(dir);
    free(path);
}
END_TEST

START_TEST(test_save_drops_vanished)
{
    free(saved_cache(10));
    struct listing l;
    listing_make(&l, 10);
    struct mailbox_cache *c = open_alice();
    /* Messages 0 and 5 were deleted on the server: the listing lacks them. */
    struct pop3_listing now[8];
    size_t n = 0;
    for (size_t i = 0; i < 10; i++)
        if (i != 0 && i != 5)
            now[n++] = l.m[i];
    struct pv_error err;
    pv_error_clear(&err);
    ck_assert_msg(mailbox_cache_save(c, now, n, &err), "%s", err.msg);
    mailbox_cache_free(&c);
    c = open_alice();
    ck_assert_uint_eq(mailbox_cache_count(c), 8);
    ck_assert_ptr_null(mailbox_cache_lookup(c, "uid-0", 1000));
    ck_assert_ptr_null(mailbox_cache_lookup(c, "uid-5", 1005));
    check_entry(c, &l, 9);
    mailbox_cache_free(&c);
}
END_TEST

START_TEST(test_save_without_uidl)
{
    struct listing l;
    listing_make(&l, 5);
    struct mailbox_cache *c = open_alice();
    put_all(c, &l);
    for (size_t i = 0; i < l.n; i++)
        l.m[i].uid = NULL; /* the server has no UIDL */
    ck_assert(mailbox_cache_save(c, l.m, l.n, NULL));
    ck_assert(!exists(mailbox_cache_path(c)));
    mailbox_cache_free(&c);
}
END_TEST

START_TEST(test_save_size_cap)
{
    struct listing l;
    listing_make(&l, 60);
    struct mailbox_cache *c = open_alice();
    put_all(c, &l);
    mailbox_cache_set_max_bytes(c, 1500);
    struct pv_error err;
    pv_error_clear(&err);
    ck_assert_msg(mailbox_cache_save(c, l.m, l.n, &err), "%s", err.msg);
    struct stat st;
    ck_assert_int_eq(stat(mailbox_cache_path(c), &st), 0);
    ck_assert_int_le(st.st_size, 1500);
    mailbox_cache_free(&c);
    c = open_alice();
    size_t kept = mailbox_cache_count(c);
    ck_assert_uint_gt(kept, 10);
    ck_assert_uint_lt(kept, 60);
    /* The newest messages (the end of the listing) are the ones kept. */
    check_entry(c, &l, 59);
    ck_assert_ptr_null(mailbox_cache_lookup(c, "uid-0", 1000));
    mailbox_cache_free(&c);
}
END_TEST

/* --- damage: every kind is ignored, then rebuilt ------------------------------- */

enum damage { TRUNCATE, FLIP, VERSION, MAGIC, TRAILING, OTHER_KEY, EMPTY_FILE, SYMLINK };

static const struct {
    enum damage kind;
    long at; /* byte position, negative from the end; or the length kept */
    enum mailbox_cache_state want;
} damages[] = {
    {TRUNCATE, 0, MAILBOX_CACHE_DAMAGED},      {TRUNCATE, 20, MAILBOX_CACHE_DAMAGED},
    {TRUNCATE, 40, MAILBOX_CACHE_DAMAGED},     {TRUNCATE, -1, MAILBOX_CACHE_DAMAGED},
    {TRUNCATE, -30, MAILBOX_CACHE_DAMAGED},    {FLIP, 3, MAILBOX_CACHE_DAMAGED},
    {FLIP, 17, MAILBOX_CACHE_DAMAGED},         {FLIP, 25, MAILBOX_CACHE_DAMAGED},
    {FLIP, 33, MAILBOX_CACHE_DAMAGED},         {FLIP, 60, MAILBOX_CACHE_DAMAGED},
    {FLIP, -1, MAILBOX_CACHE_DAMAGED},         {FLIP, -40, MAILBOX_CACHE_DAMAGED},
    {VERSION, 8, MAILBOX_CACHE_OTHER_VERSION}, {MAGIC, 0, MAILBOX_CACHE_DAMAGED},
    {TRAILING, 0, MAILBOX_CACHE_DAMAGED},      {OTHER_KEY, 0, MAILBOX_CACHE_DAMAGED},
    {EMPTY_FILE, 0, MAILBOX_CACHE_DAMAGED},    {SYMLINK, 0, MAILBOX_CACHE_DAMAGED},
};

static void damage_file(const char *path, int i)
{
    size_t len;
    char *data = read_file(path, &len);
    long at = damages[i].at < 0 ? (long)len + damages[i].at : damages[i].at;
    switch (damages[i].kind) {
    case TRUNCATE:
        write_file(path, data, (size_t)at);
        break;
    case FLIP:
        data[at] ^= 0x20;
        write_file(path, data, len);
        break;
    case VERSION:
        data[at] = 1; /* an older popview's file */
        write_file(path, data, len);
        break;
    case MAGIC:
        data[0] = 'X';
        write_file(path, data, len);
        break;
    case TRAILING:
        data[len] = 'x';
        write_file(path, data, len + 1);
        break;
    case OTHER_KEY: {
        /* bob's valid file, copied over alice's name */
        char *dir = cache_dir();
        struct mailbox_cache *b = mailbox_cache_open(dir, "bob", "mail.example.org", "995");
        struct listing l;
        listing_make(&l, 3);
        put_all(b, &l);
        ck_assert(mailbox_cache_save(b, l.m, l.n, NULL));
        ck_assert_int_eq(rename(mailbox_cache_path(b), path), 0);
        mailbox_cache_free(&b);
        free(dir);
        break;
    }
    case EMPTY_FILE:
        write_file(path, "", 0);
        break;
    case SYMLINK: {
        char *target = pv_xasprintf("%s/target", tmpdir);
        write_file(target, data, len);
        unlink(path);
        ck_assert_int_eq(symlink(target, path), 0);
        free(target);
        break;
    }
    }
    free(data);
}

START_TEST(test_damaged_is_ignored_and_rebuilt)
{
    char *path = saved_cache(5);
    damage_file(path, _i);
    struct listing l;
    listing_make(&l, 5);
    struct mailbox_cache *c = open_alice();
    ck_assert_int_eq(mailbox_cache_state(c), damages[_i].want);
    /* Never trusted, not even in part. */
    ck_assert_uint_eq(mailbox_cache_count(c), 0);
    for (size_t i = 0; i < l.n; i++)
        ck_assert_ptr_null(mailbox_cache_lookup(c, l.m[i].uid, l.m[i].size));
    /* The next save writes a good file (a symlink is replaced, its target
     * left alone). */
    put_all(c, &l);
    struct pv_error err;
    pv_error_clear(&err);
    ck_assert_msg(mailbox_cache_save(c, l.m, l.n, &err), "%s", err.msg);
    mailbox_cache_free(&c);
    struct stat st;
    ck_assert_int_eq(lstat(path, &st), 0);
    ck_assert(S_ISREG(st.st_mode));
    c = open_alice();
    ck_assert_int_eq(mailbox_cache_state(c), MAILBOX_CACHE_LOADED);
    for (size_t i = 0; i < l.n; i++)
        check_entry(c, &l, i);
    mailbox_cache_free(&c);
    free(path);
}
END_TEST

START_TEST(test_killed_writer)
{
    /* A writer killed before its rename leaves a temporary file: it is never
     * read, and removed by a later save once it is old.  A recent one (maybe
     * another popview writing right now) is left alone. */
    char *path = saved_cache(4);
    char *old_tmp = pv_xasprintf("%s.tmp.AbC123", path);
    char *new_tmp = pv_xasprintf("%s.tmp.XyZ789", path);
    write_file(old_tmp, "PVHCACHE half a fi", 18);
    write_file(new_tmp, "PVHCACHE", 8);
    struct timeval old[2] = {{.tv_sec = time(NULL) - 7200}, {.tv_sec = time(NULL) - 7200}};
    ck_assert_int_eq(utimes(old_tmp, old), 0);
    struct listing l;
    listing_make(&l, 5);
    struct mailbox_cache *c = open_alice();
    ck_assert_int_eq(mailbox_cache_state(c), MAILBOX_CACHE_LOADED);
    for (size_t i = 0; i < 4; i++)
        check_entry(c, &l, i);
    put_all(c, &l); /* one new message */
    struct pv_error err;
    pv_error_clear(&err);
    ck_assert_msg(mailbox_cache_save(c, l.m, l.n, &err), "%s", err.msg);
    mailbox_cache_free(&c);
    ck_assert(!exists(old_tmp));
    ck_assert(exists(new_tmp));
    c = open_alice();
    ck_assert_uint_eq(mailbox_cache_count(c), 5);
    mailbox_cache_free(&c);
    /* No temporary file of our own is left behind. */
    char *dir = cache_dir();
    DIR *d = opendir(dir);
    free(dir);
    ck_assert_ptr_nonnull(d);
    struct dirent *de;
    size_t temps = 0;
    while ((de = readdir(d)))
        if (strstr(de->d_name, ".tmp."))
            temps++;
    closedir(d);
    ck_assert_uint_eq(temps, 1);
    free(old_tmp);
    free(new_tmp);
    free(path);
}
END_TEST

/* --- the model with a cache, against the demo server -------------------------- */

struct fx {
    struct demo_mailbox *dm;
    struct demo_server_options opts;
    struct demo_server *srv;
    struct mailbox *mb;
    char *dir;
};

static void fx_init(struct fx *f, size_t n, bool uidl)
{
    memset(f, 0, sizeof *f);
    f->dm = demo_mailbox_new();
    demo_server_options_init(&f->opts);
    f->opts.uidl = uidl;
    f->dir = cache_dir();
    for (size_t i = 0; i < n; i++) {
        char msg[256], uid[16];
        int len = snprintf(msg, sizeof msg,
                           "From: Sender %zu <s%zu@example.org>\r\nSubject: Message %zu\r\n"
                           "Date: Mon, 3 Mar 2025 10:%02zu:00 +0000\r\n\r\nBody %zu\r\n",
                           i, i, i, i % 60, i);
        snprintf(uid, sizeof uid, "m%zu", i);
        ck_assert(demo_mailbox_add(f->dm, msg, (size_t)len, uid, NULL) == DEMO_OK);
    }
}

static void fx_open(struct fx *f, const char *dir)
{
    int fd = -1;
    struct pv_error err;
    pv_error_clear(&err);
    ck_assert_msg(demo_server_start(f->dm, &f->opts, &f->srv, &fd, &err) == DEMO_OK, "%s", err.msg);
    struct mailbox_config cfg = {
        .pop3 = {.host = "demo.popview.invalid",
                 .port = "110",
                 .tls = POP3_TLS_NONE,
                 .timeout_ms = 20000},
        .demo_fd = fd,
        .user = "demo",
        .secret = "demo",
        .label = "demo",
        .cache_dir = dir,
    };
    f->mb = mailbox_open(&cfg, &err);
    ck_assert_msg(f->mb != NULL, "%s", err.msg);
}

static void fx_close(struct fx *f)
{
    mailbox_free(&f->mb); /* writes the cache on the worker, and waits for it */
    demo_server_free(&f->srv);
}

static void fx_done(struct fx *f)
{
    if (f->mb)
        fx_close(f);
    demo_mailbox_free(&f->dm);
    free(f->dir);
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void wait_ready(struct fx *f)
{
    int64_t end = now_ms() + WAIT_MS;
    while (mailbox_phase(f->mb) != MAILBOX_READY) {
        ck_assert_msg(mailbox_phase(f->mb) != MAILBOX_FAILED, "failed: %s",
                      mailbox_error(f->mb) ? mailbox_error(f->mb) : "?");
        ck_assert_msg(now_ms() < end, "not ready");
        struct pollfd p = {.fd = mailbox_event_fd(f->mb), .events = POLLIN};
        poll(&p, 1, 100);
        mailbox_process(f->mb);
    }
    mailbox_process(f->mb);
}

/* How many commands named word the transcript shows. */
static size_t sent(struct fx *f, const char *word)
{
    size_t n = 0, len = strlen(word);
    for (size_t i = 0; i < mailbox_transcript_count(f->mb); i++) {
        const struct mailbox_line *l = mailbox_transcript_at(f->mb, i);
        if (l->kind == MAILBOX_LINE_CLIENT && strncmp(l->text, word, len) == 0 &&
            (l->text[len] == ' ' || l->text[len] == '\0'))
            n++;
    }
    return n;
}

static bool transcript_has(struct fx *f, const char *needle)
{
    for (size_t i = 0; i < mailbox_transcript_count(f->mb); i++)
        if (strstr(mailbox_transcript_at(f->mb, i)->text, needle))
            return true;
    return false;
}

static void check_rows(struct fx *f, size_t n)
{
    ck_assert_uint_eq(mailbox_count(f->mb), n);
    ck_assert_uint_eq(mailbox_loaded_count(f->mb), n);
    for (size_t i = 0; i < n; i++) {
        const struct mailbox_summary *s = mailbox_at(f->mb, i);
        char want[64];
        snprintf(want, sizeof want, "Message %zu", i);
        ck_assert(s->loaded);
        ck_assert_str_eq(s->subject, want);
        snprintf(want, sizeof want, "Sender %zu", i);
        ck_assert_str_eq(s->from, want);
        ck_assert(s->has_date);
        ck_assert_int_eq(s->date, 1740996000 + (int64_t)(i % 60) * 60);
    }
}

START_TEST(test_model_second_open_sends_no_top)
{
    struct fx f;
    fx_init(&f, 30, true);
    fx_open(&f, f.dir);
    wait_ready(&f);
    ck_assert_uint_eq(sent(&f, "TOP"), 30);
    check_rows(&f, 30);
    fx_close(&f);

    fx_open(&f, f.dir);
    wait_ready(&f);
    ck_assert_uint_eq(sent(&f, "TOP"), 0);
    ck_assert_uint_eq(sent(&f, "LIST"), 1); /* what still crosses the wire */
    ck_assert_uint_eq(sent(&f, "UIDL"), 1);
    check_rows(&f, 30);
    ck_assert(transcript_has(&f, "summaries of 30 messages from the header cache"));
    ck_assert_ptr_nonnull(mailbox_notice(f.mb));
    ck_assert_ptr_nonnull(strstr(mailbox_notice(f.mb), "from the cache"));
    fx_close(&f);

    /* A new message: exactly that one is fetched. */
    static const char msg[] = "From: Sender 30 <s30@example.org>\r\nSubject: Message 30\r\n"
                              "Date: Mon, 3 Mar 2025 10:30:00 +0000\r\n\r\nBody\r\n";
    ck_assert(demo_mailbox_add(f.dm, msg, strlen(msg), "m30", NULL) == DEMO_OK);
    fx_open(&f, f.dir);
    wait_ready(&f);
    ck_assert_uint_eq(sent(&f, "TOP"), 1);
    ck_assert(transcript_has(&f, "TOP 31 0"));
    check_rows(&f, 31);
    fx_done(&f);
}
END_TEST

START_TEST(test_model_no_cache_dir)
{
    struct fx f;
    fx_init(&f, 5, true);
    fx_open(&f, NULL);
    wait_ready(&f);
    fx_close(&f);
    fx_open(&f, NULL);
    wait_ready(&f);
    ck_assert_uint_eq(sent(&f, "TOP"), 5);
    check_rows(&f, 5);
    ck_assert(!exists(f.dir));
    fx_done(&f);
}
END_TEST

START_TEST(test_model_without_uidl)
{
    struct fx f;
    fx_init(&f, 6, false);
    fx_open(&f, f.dir);
    wait_ready(&f);
    check_rows(&f, 6);
    fx_close(&f);
    fx_open(&f, f.dir);
    wait_ready(&f);
    ck_assert_uint_eq(sent(&f, "TOP"), 6);
    check_rows(&f, 6);
    fx_close(&f);
    /* No file was written. */
    DIR *d = opendir(f.dir);
    ck_assert_ptr_nonnull(d);
    struct dirent *de;
    size_t files = 0;
    while ((de = readdir(d)))
        files += de->d_name[0] != '.';
    closedir(d);
    ck_assert_uint_eq(files, 0);
    fx_done(&f);
}
END_TEST

START_TEST(test_model_reused_uidl_and_damage)
{
    struct fx f;
    fx_init(&f, 4, true);
    fx_open(&f, f.dir);
    wait_ready(&f);
    fx_close(&f);
    /* The same UIDLs on a rebuilt mailbox where m2 is another message with
     * another size: that one is fetched again and shows its own subject. */
    demo_mailbox_free(&f.dm);
    f.dm = demo_mailbox_new();
    for (size_t i = 0; i < 4; i++) {
        char msg[256], uid[16];
        int len = snprintf(msg, sizeof msg,
                           "From: Sender %zu <s%zu@example.org>\r\nSubject: %s %zu\r\n"
                           "Date: Mon, 3 Mar 2025 10:%02zu:00 +0000\r\n\r\nBody %zu\r\n",
                           i, i, i == 2 ? "A different message" : "Message", i, i % 60, i);
        snprintf(uid, sizeof uid, "m%zu", i);
        ck_assert(demo_mailbox_add(f.dm, msg, (size_t)len, uid, NULL) == DEMO_OK);
    }
    fx_open(&f, f.dir);
    wait_ready(&f);
    ck_assert_uint_eq(sent(&f, "TOP"), 1);
    ck_assert(transcript_has(&f, "TOP 3 0"));
    ck_assert_str_eq(mailbox_at(f.mb, 2)->subject, "A different message 2");
    ck_assert_str_eq(mailbox_at(f.mb, 1)->subject, "Message 1");
    fx_close(&f);

    /* A damaged file: said in the transcript, every header fetched, rebuilt. */
    struct mailbox_cache *c = mailbox_cache_open(f.dir, "demo", "demo.popview.invalid", "110");
    char *path = pv_xstrdup(mailbox_cache_path(c));
    mailbox_cache_free(&c);
    size_t len;
    char *data = read_file(path, &len);
    data[len - 3] ^= 1;
    write_file(path, data, len);
    free(data);
    fx_open(&f, f.dir);
    wait_ready(&f);
    ck_assert_uint_eq(sent(&f, "TOP"), 4);
    ck_assert(transcript_has(&f, "failed its checks"));
    ck_assert_str_eq(mailbox_at(f.mb, 2)->subject, "A different message 2");
    fx_close(&f);
    c = mailbox_cache_open(f.dir, "demo", "demo.popview.invalid", "110");
    ck_assert_int_eq(mailbox_cache_state(c), MAILBOX_CACHE_LOADED);
    ck_assert_uint_eq(mailbox_cache_count(c), 4);
    mailbox_cache_free(&c);
    free(path);
    fx_done(&f);
}
END_TEST

static Suite *cache_suite(void)
{
    Suite *s = suite_create("cache");
    struct {
        const char *name;
        const TTest *test;
    } plain[] = {
        {"dir_default", test_dir_default},
        {"open", test_open_null},
        {"open_dir", test_open_makes_private_dir},
        {"open_names", test_open_names},
        {"open_unusable", test_open_unusable_dir},
        {"headline", test_headline},
        {"put", test_put_refuses},
        {"lookup", test_lookup_hit_miss_replace},
        {"lookup_reused", test_lookup_reused_uidl},
        {"save", test_save_round_trip},
        {"save_vanished", test_save_drops_vanished},
        {"save_no_uidl", test_save_without_uidl},
        {"save_cap", test_save_size_cap},
        {"killed_writer", test_killed_writer},
        {"model", test_model_second_open_sends_no_top},
        {"model_no_dir", test_model_no_cache_dir},
        {"model_no_uidl", test_model_without_uidl},
        {"model_reused_damaged", test_model_reused_uidl_and_damage},
    };
    for (size_t i = 0; i < PV_ARRAY_LEN(plain); i++) {
        TCase *tc = tcase_create(plain[i].name);
        tcase_add_checked_fixture(tc, setup, teardown);
        tcase_add_test(tc, plain[i].test);
        tcase_set_timeout(tc, 60);
        suite_add_tcase(s, tc);
    }
    TCase *tc = tcase_create("damaged");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_loop_test(tc, test_damaged_is_ignored_and_rebuilt, 0, (int)PV_ARRAY_LEN(damages));
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(cache_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
