/*
 * Tests for src/tui/maildir.c:
 *   bool tui_maildir_is(const char *path);
 *   char *tui_maildir_name(int64_t seconds, long usec, long pid, uint64_t random,
 *                          const char *host);
 *   bool tui_maildir_deliver(const char *dir, const char *msg, size_t len, char **file_out,
 *                            struct pv_error *err);
 *   bool tui_maildir_create(const char *dir, struct pv_error *err);
 *   bool tui_save_to_folder(const char *folder, const char *msg, size_t len, time_t when,
 *                           enum tui_folder_kind *kind_out, struct pv_error *err);
 * Each test works in a fresh temporary directory.  A failing write is a
 * real one (RLIMIT_FSIZE makes write(2) fail with EFBIG), since the tests
 * may run as root, where permissions refuse nothing.
 */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <popview/util.h>

#include "src/tui/private.h"

static char dir[64];

static void make_dir(void)
{
    snprintf(dir, sizeof dir, "/tmp/popview-tui-maildir.XXXXXX");
    ck_assert(mkdtemp(dir) != NULL);
}

/* rm -r of what the tests create (two levels of directories at most). */
static void remove_tree(const char *path)
{
    DIR *d = opendir(path);
    if (!d) {
        unlink(path);
        return;
    }
    struct dirent *e;
    while ((e = readdir(d))) {
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
            char *p = pv_xasprintf("%s/%s", path, e->d_name);
            remove_tree(p);
            free(p);
        }
    }
    closedir(d);
    rmdir(path);
}

/* The names in path (not . and ..), counted; the last one in *name_out. */
static size_t list_dir(const char *path, char **name_out)
{
    if (name_out)
        *name_out = NULL;
    DIR *d = opendir(path);
    ck_assert_msg(d != NULL, "cannot open %s", path);
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        n++;
        if (name_out) {
            free(*name_out);
            *name_out = pv_xstrdup(e->d_name);
        }
    }
    closedir(d);
    return n;
}

static size_t count_in(const char *maildir, const char *sub)
{
    char *p = pv_xasprintf("%s/%s", maildir, sub);
    size_t n = list_dir(p, NULL);
    free(p);
    return n;
}

static char *slurp(const char *path, size_t *len_out)
{
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "cannot open %s", path);
    struct pv_buf b;
    pv_buf_init(&b, 0);
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        ck_assert(pv_buf_append(&b, chunk, n));
    fclose(f);
    return pv_buf_steal(&b, len_out);
}

static char *make_maildir(const char *name)
{
    char *md = pv_xasprintf("%s/%s", dir, name);
    struct pv_error err;
    pv_error_clear(&err);
    ck_assert_msg(tui_maildir_create(md, &err), "%s", err.msg);
    return md;
}

static const char MSG[] = "From: a@example.org\r\nSubject: hi\r\n\r\nline one\r\n.dot line\r\nlast";
static const char MSG_LF[] = "From: a@example.org\nSubject: hi\n\nline one\n.dot line\nlast\n";

/* ---- tui_maildir_is ---------------------------------------------------- */

START_TEST(is_null_and_empty)
{
    ck_assert(!tui_maildir_is(NULL));
    ck_assert(!tui_maildir_is(""));
}
END_TEST

START_TEST(is_only_with_all_three_subdirs)
{
    make_dir();
    ck_assert(!tui_maildir_is(dir));
    char *p = pv_xasprintf("%s/tmp", dir);
    ck_assert_int_eq(mkdir(p, 0700), 0);
    free(p);
    p = pv_xasprintf("%s/new", dir);
    ck_assert_int_eq(mkdir(p, 0700), 0);
    free(p);
    ck_assert(!tui_maildir_is(dir));
    /* cur as a file is not enough */
    p = pv_xasprintf("%s/cur", dir);
    FILE *f = fopen(p, "w");
    ck_assert(f != NULL);
    fclose(f);
    ck_assert(!tui_maildir_is(dir));
    unlink(p);
    ck_assert_int_eq(mkdir(p, 0700), 0);
    free(p);
    ck_assert(tui_maildir_is(dir));
    p = pv_xasprintf("%s/cur/file", dir);
    ck_assert(!tui_maildir_is(p)); /* does not exist */
    free(p);
    remove_tree(dir);
}
END_TEST

/* ---- tui_maildir_name --------------------------------------------------- */

static const struct {
    int64_t seconds;
    long usec, pid;
    uint64_t random;
    const char *host;
    const char *want;
} NAMES[] = {
    {0, 0, 1, 0, NULL, "0.M000000P1_R0000000000000000.localhost"},
    {0, 0, 1, 0, "", "0.M000000P1_R0000000000000000.localhost"},
    {1700000000, 42, 4242, 0xdeadbeefcafe0001ULL, "mail.example.org",
     "1700000000.M000042P4242_Rdeadbeefcafe0001.mail.example.org"},
    {5, 999999, 7, 1, "a/b:c", "5.M999999P7_R0000000000000001.a\\057b\\072c"},
};

START_TEST(name_table)
{
    char *got = tui_maildir_name(NAMES[_i].seconds, NAMES[_i].usec, NAMES[_i].pid, NAMES[_i].random,
                                 NAMES[_i].host);
    ck_assert_str_eq(got, NAMES[_i].want);
    ck_assert(strchr(got, '/') == NULL && strchr(got, ':') == NULL);
    free(got);
}
END_TEST

/* ---- tui_maildir_deliver ------------------------------------------------- */

START_TEST(deliver_refuses_what_is_not_a_maildir)
{
    struct pv_error err;
    pv_error_clear(&err);
    ck_assert(!tui_maildir_deliver(NULL, MSG, strlen(MSG), NULL, &err));
    ck_assert_ptr_nonnull(strstr(err.msg, "is not a maildir"));
    make_dir();
    char *file = (char *)"untouched";
    ck_assert(!tui_maildir_deliver(dir, MSG, strlen(MSG), &file, &err));
    ck_assert_ptr_null(file);
    ck_assert_ptr_nonnull(strstr(err.msg, dir));
    ck_assert_ptr_nonnull(strstr(err.msg, "tmp/, new/ and cur/"));
    remove_tree(dir);
}
END_TEST

START_TEST(deliver_writes_new_with_lf_and_leaves_tmp_empty)
{
    make_dir();
    char *md = make_maildir("Mail");
    struct pv_error err;
    pv_error_clear(&err);
    char *file = NULL;
    ck_assert_msg(tui_maildir_deliver(md, MSG, strlen(MSG), &file, &err), "%s", err.msg);
    ck_assert_ptr_nonnull(file);
    char *prefix = pv_xasprintf("%s/new/", md);
    ck_assert_int_eq(strncmp(file, prefix, strlen(prefix)), 0);
    free(prefix);
    ck_assert_uint_eq(count_in(md, "new"), 1);
    ck_assert_uint_eq(count_in(md, "tmp"), 0);
    ck_assert_uint_eq(count_in(md, "cur"), 0);
    size_t len;
    char *got = slurp(file, &len);
    ck_assert_str_eq(got, MSG_LF);
    free(got);
    struct stat st;
    ck_assert_int_eq(stat(file, &st), 0);
    ck_assert_int_eq(st.st_mode & 0777, 0600);
    /* A second delivery gets a name of its own. */
    char *second = NULL;
    ck_assert(tui_maildir_deliver(md, MSG, strlen(MSG), &second, &err));
    ck_assert_str_ne(file, second);
    ck_assert_uint_eq(count_in(md, "new"), 2);
    free(second);
    free(file);
    free(md);
    remove_tree(dir);
}
END_TEST

START_TEST(deliver_empty_message)
{
    make_dir();
    char *md = make_maildir("m");
    struct pv_error err;
    pv_error_clear(&err);
    char *file = NULL;
    ck_assert(tui_maildir_deliver(md, "", 0, &file, &err));
    size_t len = 99;
    char *got = slurp(file, &len);
    ck_assert_uint_eq(len, 0);
    free(got);
    free(file);
    free(md);
    remove_tree(dir);
}
END_TEST

/* write(2) fails past limit bytes (EFBIG), as on a full disk. */
static bool deliver_with_file_limit(const char *md, rlim_t limit, struct pv_error *err)
{
    struct rlimit old;
    ck_assert_int_eq(getrlimit(RLIMIT_FSIZE, &old), 0);
    struct rlimit small = {.rlim_cur = limit, .rlim_max = old.rlim_max};
    void (*old_handler)(int) = signal(SIGXFSZ, SIG_IGN);
    ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &small), 0);
    bool ok = tui_maildir_deliver(md, MSG, strlen(MSG), NULL, err);
    ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &old), 0);
    signal(SIGXFSZ, old_handler);
    return ok;
}

START_TEST(deliver_failure_leaves_nothing)
{
    make_dir();
    char *md = make_maildir("m");
    struct pv_error err;
    pv_error_clear(&err);
    ck_assert(!deliver_with_file_limit(md, 10, &err));
    ck_assert_ptr_nonnull(strstr(err.msg, "cannot deliver to the maildir"));
    ck_assert_ptr_nonnull(strstr(err.msg, "tmp/"));
    ck_assert_uint_eq(count_in(md, "new"), 0);
    ck_assert_uint_eq(count_in(md, "tmp"), 0);
    free(md);
    remove_tree(dir);
}
END_TEST

/* ---- tui_maildir_create --------------------------------------------------- */

START_TEST(create_makes_the_three_and_accepts_an_existing_one)
{
    make_dir();
    char *md = pv_xasprintf("%s/new-box", dir);
    struct pv_error err;
    pv_error_clear(&err);
    ck_assert(!tui_maildir_is(md));
    ck_assert(tui_maildir_create(md, &err));
    ck_assert(tui_maildir_is(md));
    struct stat st;
    ck_assert_int_eq(stat(md, &st), 0);
    ck_assert_int_eq(st.st_mode & 0777, 0700);
    ck_assert(tui_maildir_create(md, &err));
    char *deep = pv_xasprintf("%s/no/such/parent", dir);
    ck_assert(!tui_maildir_create(deep, &err));
    ck_assert_ptr_nonnull(strstr(err.msg, "cannot create the directory"));
    free(deep);
    free(md);
    remove_tree(dir);
}
END_TEST

/* ---- tui_save_to_folder ----------------------------------------------------- */

START_TEST(folder_empty_is_refused)
{
    struct pv_error err;
    pv_error_clear(&err);
    ck_assert(!tui_save_to_folder(NULL, MSG, strlen(MSG), 0, NULL, &err));
    ck_assert(!tui_save_to_folder("", MSG, strlen(MSG), 0, NULL, &err));
    ck_assert_ptr_nonnull(strstr(err.msg, "no save folder"));
}
END_TEST

START_TEST(folder_kinds)
{
    make_dir();
    struct pv_error err;
    pv_error_clear(&err);
    enum tui_folder_kind kind;
    /* A plain name: an mbox, created. */
    char *mbox = pv_xasprintf("%s/saved", dir);
    ck_assert_msg(tui_save_to_folder(mbox, MSG, strlen(MSG), 0, &kind, &err), "%s", err.msg);
    ck_assert_int_eq(kind, TUI_FOLDER_MBOX);
    size_t len;
    char *got = slurp(mbox, &len);
    ck_assert_int_eq(strncmp(got, "From a@example.org ", 19), 0);
    free(got);
    /* A name ending in '/': a maildir, created when missing. */
    char *md = pv_xasprintf("%s/Maildir/", dir);
    ck_assert_msg(tui_save_to_folder(md, MSG, strlen(MSG), 0, &kind, &err), "%s", err.msg);
    ck_assert_int_eq(kind, TUI_FOLDER_MAILDIR);
    ck_assert(tui_maildir_is(md));
    ck_assert_uint_eq(count_in(md, "new"), 1);
    /* An existing maildir named without the slash. */
    md[strlen(md) - 1] = '\0';
    ck_assert(tui_save_to_folder(md, MSG, strlen(MSG), 0, &kind, &err));
    ck_assert_int_eq(kind, TUI_FOLDER_MAILDIR);
    ck_assert_uint_eq(count_in(md, "new"), 2);
    /* A directory that is not a maildir is refused, not filled. */
    char *plain = pv_xasprintf("%s/plain", dir);
    ck_assert_int_eq(mkdir(plain, 0700), 0);
    ck_assert(!tui_save_to_folder(plain, MSG, strlen(MSG), 0, &kind, &err));
    ck_assert_ptr_nonnull(strstr(err.msg, "is not a maildir"));
    ck_assert_uint_eq(list_dir(plain, NULL), 0);
    free(plain);
    free(md);
    free(mbox);
    remove_tree(dir);
}
END_TEST

static Suite *maildir_suite(void)
{
    Suite *s = suite_create("tui_maildir");
    TCase *tc = tcase_create("maildir_is");
    tcase_add_test(tc, is_null_and_empty);
    tcase_add_test(tc, is_only_with_all_three_subdirs);
    suite_add_tcase(s, tc);
    tc = tcase_create("maildir_name");
    tcase_add_loop_test(tc, name_table, 0, (int)PV_ARRAY_LEN(NAMES));
    suite_add_tcase(s, tc);
    tc = tcase_create("maildir_deliver");
    tcase_add_test(tc, deliver_refuses_what_is_not_a_maildir);
    tcase_add_test(tc, deliver_writes_new_with_lf_and_leaves_tmp_empty);
    tcase_add_test(tc, deliver_empty_message);
    tcase_add_test(tc, deliver_failure_leaves_nothing);
    suite_add_tcase(s, tc);
    tc = tcase_create("maildir_create");
    tcase_add_test(tc, create_makes_the_three_and_accepts_an_existing_one);
    suite_add_tcase(s, tc);
    tc = tcase_create("save_to_folder");
    tcase_add_test(tc, folder_empty_is_refused);
    tcase_add_test(tc, folder_kinds);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(maildir_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
