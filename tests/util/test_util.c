/* Tests for src/util: the error value, pv_buf, strict parsing,
 * pv_write_all and pv_sync_dir. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <popview/util.h>

START_TEST(buf_respects_cap)
{
    struct pv_buf b;
    pv_buf_init(&b, 8);
    ck_assert(pv_buf_append_str(&b, "12345678"));
    ck_assert(!pv_buf_append_byte(&b, '9'));
    ck_assert_uint_eq(b.len, 8);
    ck_assert_str_eq(b.data, "12345678");
    pv_buf_consume(&b, 3);
    ck_assert_str_eq(b.data, "45678");
    ck_assert(pv_buf_printf(&b, "%d", 12));
    ck_assert_str_eq(b.data, "4567812");
    pv_buf_free(&b);
    ck_assert_ptr_null(b.data);
}
END_TEST

START_TEST(buf_steal_empty_gives_string)
{
    struct pv_buf b;
    pv_buf_init(&b, 0);
    size_t n = 99;
    char *s = pv_buf_steal(&b, &n);
    ck_assert_str_eq(s, "");
    ck_assert_uint_eq(n, 0);
    free(s);
}
END_TEST

START_TEST(parse_u64_is_strict)
{
    uint64_t v;
    ck_assert(pv_parse_u64("0", 1, &v) && v == 0);
    ck_assert(pv_parse_u64("18446744073709551615", 20, &v) && v == UINT64_MAX);
    ck_assert(!pv_parse_u64("18446744073709551616", 20, &v));
    ck_assert(!pv_parse_u64("", 0, &v));
    ck_assert(!pv_parse_u64("-1", 2, &v));
    ck_assert(!pv_parse_u64(" 1", 2, &v));
    ck_assert(!pv_parse_u64("1x", 2, &v));
    unsigned u;
    ck_assert(!pv_parse_uint("4294967296", 10, &u));
    ck_assert(pv_parse_uint("4294967295", 10, &u) && u == 4294967295u);
}
END_TEST

START_TEST(error_prefix_and_server_text_sanitized)
{
    struct pv_error e;
    pv_error_clear(&e);
    pv_error_set(&e, "connection refused");
    pv_error_prefix(&e, "cannot connect to %s", "example.org");
    ck_assert_str_eq(e.msg, "cannot connect to example.org: connection refused");
    static const char hostile[] = "bad\x1b]0;pwned\x07";
    pv_error_set_server(&e, hostile, sizeof hostile - 1);
    ck_assert_str_eq(e.server, "bad?]0;pwned?");
    pv_error_set(NULL, "ignored"); /* must not crash */
}
END_TEST

START_TEST(ascii_case_compare)
{
    ck_assert(pv_ascii_ieq("PiPeLiNiNg", "PIPELINING"));
    ck_assert(!pv_ascii_ieq("TOP", "TOPS"));
    ck_assert(pv_ascii_nieq("UIDL 1", "uidl", 4));
}
END_TEST

static const struct {
    uint64_t size;
    const char *text;
} size_cases[] = {
    {0, "0B"},
    {1023, "1023B"},
    {1024, "1.0K"},
    {2150, "2.1K"},
    {126362, "123.4K"},
    {1048524, "1023.9K"},
    {1048575, "1.0M"},
    {3565158, "3.4M"},
    {5 * 1024 * 1024, "5.0M"},
    {UINT64_C(1288490189), "1.2G"},
    {UINT64_MAX, "16384.0P"},
};

START_TEST(format_size_table)
{
    char out[16];
    pv_format_size(size_cases[_i].size, out, sizeof out);
    ck_assert_str_eq(out, size_cases[_i].text);
}
END_TEST

START_TEST(format_size_small_buffer)
{
    char out[4] = "xxx";
    pv_format_size(123456, out, sizeof out);
    ck_assert_str_eq(out, "120");
    pv_format_size(1, NULL, 0); /* must not crash */
}
END_TEST

START_TEST(write_all_nothing_to_write)
{
    ck_assert(pv_write_all(-1, NULL, 0)); /* no write(2) at all */
}
END_TEST

START_TEST(write_all_writes_every_byte)
{
    /* More than a pipe holds at once (64 KiB on Linux), so the writer
     * waits for the reader: every byte must arrive, in order. */
    enum { LEN = 200 * 1000 };
    char *data = pv_xmalloc(LEN);
    for (size_t i = 0; i < LEN; i++)
        data[i] = (char)('a' + i % 26);
    int fds[2];
    ck_assert_int_eq(pipe(fds), 0);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        close(fds[0]);
        _exit(pv_write_all(fds[1], data, LEN) ? 0 : 1);
    }
    close(fds[1]);
    char *got = pv_xmalloc(LEN + 1);
    size_t n = 0;
    ssize_t k;
    while ((k = read(fds[0], got + n, LEN + 1 - n)) > 0)
        n += (size_t)k;
    close(fds[0]);
    int status = 0;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    ck_assert_uint_eq(n, LEN);
    ck_assert(memcmp(got, data, LEN) == 0);
    free(got);
    free(data);
}
END_TEST

START_TEST(write_all_error_sets_errno)
{
    int fds[2];
    ck_assert_int_eq(pipe(fds), 0);
    close(fds[1]);
    errno = 0;
    ck_assert(!pv_write_all(fds[1], "x", 1));
    ck_assert_int_eq(errno, EBADF);
    close(fds[0]);
}
END_TEST

START_TEST(sync_dir_needs_a_directory)
{
    ck_assert(!pv_sync_dir("/nonexistent-popview-test-dir"));
    char dir[] = "/tmp/popview-sync-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char *file = pv_xasprintf("%s/f", dir);
    int fd = open(file, O_WRONLY | O_CREAT | O_EXCL, 0600);
    ck_assert_int_ge(fd, 0);
    close(fd);
    ck_assert(pv_sync_dir(dir));
    ck_assert(!pv_sync_dir(file)); /* a file is not a directory */
    unlink(file);
    rmdir(dir);
    free(file);
}
END_TEST

static Suite *util_suite(void)
{
    Suite *s = suite_create("util");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, buf_respects_cap);
    tcase_add_test(tc, buf_steal_empty_gives_string);
    tcase_add_test(tc, parse_u64_is_strict);
    tcase_add_test(tc, error_prefix_and_server_text_sanitized);
    tcase_add_test(tc, ascii_case_compare);
    tcase_add_loop_test(tc, format_size_table, 0, (int)PV_ARRAY_LEN(size_cases));
    tcase_add_test(tc, format_size_small_buffer);
    suite_add_tcase(s, tc);

    tc = tcase_create("pv_write_all");
    tcase_add_test(tc, write_all_nothing_to_write);
    tcase_add_test(tc, write_all_writes_every_byte);
    tcase_add_test(tc, write_all_error_sets_errno);
    suite_add_tcase(s, tc);

    tc = tcase_create("pv_sync_dir");
    tcase_add_test(tc, sync_dir_needs_a_directory);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(util_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
