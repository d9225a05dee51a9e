/*
 * The spool: what is written comes back byte for byte, whether it stayed on
 * the heap or went to the temporary file; the cap holds; the data is
 * NUL-terminated even when the file ends on a page boundary; dropping the
 * pages loses nothing; no file is left behind in TMPDIR.
 */
#include <check.h>
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <popview/util.h>

static char tmpdir[] = "/tmp/popview-spool-test.XXXXXX";

static void setup(void)
{
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
    setenv("TMPDIR", tmpdir, 1);
}

static size_t entries_in_tmpdir(void)
{
    DIR *d = opendir(tmpdir);
    ck_assert_ptr_nonnull(d);
    size_t n = 0;
    for (struct dirent *e; (e = readdir(d));)
        n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    closedir(d);
    return n;
}

static void teardown(void)
{
    ck_assert_uint_eq(entries_in_tmpdir(), 0);
    rmdir(tmpdir);
    strcpy(tmpdir + strlen(tmpdir) - 6, "XXXXXX"); /* NOLINT: fixed-size template */
}

START_TEST(null_and_empty)
{
    pv_spool_free(NULL);
    struct pv_spool *none = NULL;
    pv_spool_free(&none);
    ck_assert_ptr_null(pv_spool_data(NULL));
    ck_assert_uint_eq(pv_spool_len(NULL), 0);

    struct pv_spool *s = pv_spool_new(0);
    ck_assert_ptr_null(pv_spool_data(s)); /* not finished yet */
    struct pv_error err;
    ck_assert(pv_spool_finish(s, &err));
    ck_assert_str_eq(pv_spool_data(s), "");
    ck_assert_uint_eq(pv_spool_len(s), 0);
    ck_assert(!pv_spool_in_file(s));
    pv_spool_free(&s);
    ck_assert_ptr_null(s);
}
END_TEST

/* Sizes around the heap limit and around page boundaries, written in
 * uneven chunks. */
static const size_t sizes[] = {1,
                               4095,
                               4096,
                               PV_SPOOL_MEMORY_MAX - 1,
                               PV_SPOOL_MEMORY_MAX,
                               PV_SPOOL_MEMORY_MAX + 1,
                               3 * PV_SPOOL_MEMORY_MAX,
                               5 * 1024 * 1024 + 7};

START_TEST(round_trip)
{
    size_t size = sizes[_i];
    char *want = pv_xmalloc(size);
    for (size_t i = 0; i < size; i++)
        want[i] = (char)('a' + (i * 7 + i / 4096) % 26);
    struct pv_spool *s = pv_spool_new(0);
    struct pv_error err;
    size_t off = 0, chunk = 1;
    while (off < size) {
        size_t n = chunk < size - off ? chunk : size - off;
        ck_assert_msg(pv_spool_write(s, want + off, n, &err), "%s", err.msg);
        off += n;
        chunk = chunk * 3 + 1; /* 1, 4, 13, ... up to chunks larger than the heap limit */
    }
    ck_assert_msg(pv_spool_finish(s, &err), "%s", err.msg);
    ck_assert(pv_spool_finish(s, &err)); /* twice is harmless */
    ck_assert_uint_eq(pv_spool_len(s), size);
    ck_assert(pv_spool_in_file(s) == (size > PV_SPOOL_MEMORY_MAX));
    const char *got = pv_spool_data(s);
    ck_assert(memcmp(got, want, size) == 0);
    ck_assert_int_eq(got[size], '\0');
    pv_spool_drop_pages(s);
    ck_assert(memcmp(pv_spool_data(s), want, size) == 0);
    ck_assert(!pv_spool_write(s, "x", 1, &err)); /* read-only once finished */
    pv_spool_free(&s);
    free(want);
}
END_TEST

START_TEST(cap_refuses_more)
{
    struct pv_spool *s = pv_spool_new(10);
    struct pv_error err;
    ck_assert(pv_spool_write(s, "0123456789", 10, &err));
    ck_assert(!pv_spool_full(s));
    ck_assert(!pv_spool_write(s, "x", 1, &err));
    ck_assert_str_eq(err.msg, "more than 10B");
    ck_assert(pv_spool_full(s));
    ck_assert(pv_spool_finish(s, &err));
    ck_assert_str_eq(pv_spool_data(s), "0123456789");
    pv_spool_free(&s);
}
END_TEST

START_TEST(unwritable_tmpdir_is_an_error)
{
    if (geteuid() == 0)
        return; /* root writes anywhere: the check below cannot fail as root */
    setenv("TMPDIR", "/proc", 1);
    struct pv_spool *s = pv_spool_new(0);
    struct pv_error err;
    char block[1024] = {0};
    bool ok = true;
    for (size_t i = 0; ok && i <= PV_SPOOL_MEMORY_MAX / sizeof block; i++)
        ok = pv_spool_write(s, block, sizeof block, &err);
    ck_assert(!ok);
    ck_assert_msg(strstr(err.msg, "TMPDIR") != NULL, "%s", err.msg);
    pv_spool_free(&s);
    setenv("TMPDIR", tmpdir, 1);
}
END_TEST

static Suite *spool_suite(void)
{
    Suite *s = suite_create("spool");
    TCase *tc = tcase_create("spool");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, null_and_empty);
    tcase_add_loop_test(tc, round_trip, 0, (int)PV_ARRAY_LEN(sizes));
    tcase_add_test(tc, cap_refuses_more);
    tcase_add_test(tc, unwritable_tmpdir_is_an_error);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(spool_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
