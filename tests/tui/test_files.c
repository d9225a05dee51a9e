/*
 * Tests for src/tui/files.c:
 *   char *tui_expand_path(const char *path);
 *   enum save_result tui_save_file(const char *path, const char *data, size_t len,
 *                                  bool overwrite, struct pv_error *err);
 *   bool tui_pipe_to_command(const char *command, const char *data, size_t len,
 *                            const void *child_mask, int *status_out, struct pv_error *err);
 * Each test works in a fresh temporary directory.
 */
#include <check.h>
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <popview/util.h>

#include "src/tui/private.h"

static char dir[64];

static void make_dir(void)
{
    snprintf(dir, sizeof dir, "/tmp/popview-tui-files.XXXXXX");
    ck_assert(mkdtemp(dir) != NULL);
}

static void remove_dir(void)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
            char *p = pv_xasprintf("%s/%s", dir, e->d_name);
            unlink(p);
            free(p);
        }
    }
    closedir(d);
    rmdir(dir);
}

static char *slurp(const char *path, size_t *len_out)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = pv_xmalloc(4096);
    *len_out = fread(buf, 1, 4095, f);
    buf[*len_out] = '\0';
    fclose(f);
    return buf;
}

static size_t entries(void)
{
    size_t n = 0;
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d)))
        n += e->d_name[0] != '.' || strncmp(e->d_name, ".popview-save-", 14) == 0;
    if (d)
        closedir(d);
    return n;
}

START_TEST(expand_home)
{
    setenv("HOME", "/home/x", 1);
    char *p = tui_expand_path("~/a.eml");
    ck_assert_str_eq(p, "/home/x/a.eml");
    free(p);
    p = tui_expand_path("~");
    ck_assert_str_eq(p, "/home/x");
    free(p);
    p = tui_expand_path("~bob/a"); /* other users' homes are not guessed */
    ck_assert_str_eq(p, "~bob/a");
    free(p);
    p = tui_expand_path("");
    ck_assert_str_eq(p, "");
    free(p);
}
END_TEST

START_TEST(save_empty_name)
{
    struct pv_error err;
    pv_error_clear(&err);
    ck_assert_int_eq(tui_save_file("", "x", 1, false, &err), SAVE_FAILED);
    ck_assert(strstr(err.msg, "no file name") != NULL);
}
END_TEST

START_TEST(save_new_file_then_refuse_then_overwrite)
{
    make_dir();
    char *path = pv_xasprintf("%s/m.eml", dir);
    struct pv_error err;
    pv_error_clear(&err);
    static const char msg[] = "Subject: x\r\n\r\nbody\r\n";
    ck_assert_int_eq(tui_save_file(path, msg, sizeof msg - 1, false, &err), SAVE_OK);
    size_t len;
    char *got = slurp(path, &len);
    ck_assert_uint_eq(len, sizeof msg - 1);
    ck_assert_mem_eq(got, msg, len);
    free(got);
    struct stat st;
    ck_assert_int_eq(stat(path, &st), 0);
    ck_assert_int_eq(st.st_mode & 0777, 0600); /* mail is private */

    ck_assert_int_eq(tui_save_file(path, "other", 5, false, &err), SAVE_EXISTS);
    got = slurp(path, &len);
    ck_assert_mem_eq(got, msg, len); /* untouched */
    free(got);

    ck_assert_int_eq(tui_save_file(path, "other", 5, true, &err), SAVE_OK);
    got = slurp(path, &len);
    ck_assert_str_eq(got, "other");
    free(got);
    ck_assert_uint_eq(entries(), 1); /* no temporary file left */
    free(path);
    remove_dir();
}
END_TEST

START_TEST(save_failures_say_why)
{
    make_dir();
    struct pv_error err;
    pv_error_clear(&err);
    ck_assert_int_eq(tui_save_file(dir, "x", 1, true, &err), SAVE_FAILED);
    ck_assert(strstr(err.msg, "is a directory") != NULL);
    char *path = pv_xasprintf("%s/missing/m.eml", dir);
    ck_assert_int_eq(tui_save_file(path, "x", 1, false, &err), SAVE_FAILED);
    ck_assert(strstr(err.msg, "cannot save to") != NULL);
    ck_assert(strstr(err.msg, "No such file") != NULL);
    free(path);
    ck_assert_uint_eq(entries(), 0);
    remove_dir();
}
END_TEST

START_TEST(pipe_feeds_stdin_and_reports_status)
{
    make_dir();
    char *cmd = pv_xasprintf("cat > %s/out; exit 4", dir);
    struct pv_error err;
    pv_error_clear(&err);
    int status = 0;
    ck_assert(tui_pipe_to_command(cmd, "hello\n", 6, NULL, &status, &err));
    ck_assert(WIFEXITED(status));
    ck_assert_int_eq(WEXITSTATUS(status), 4);
    char *out = pv_xasprintf("%s/out", dir);
    size_t len;
    char *got = slurp(out, &len);
    ck_assert_str_eq(got, "hello\n");
    free(got);
    free(out);
    free(cmd);
    /* A command that reads nothing does not hang the writer on a big message. */
    size_t big = 1024 * 1024;
    char *data = pv_xcalloc(1, big);
    ck_assert(tui_pipe_to_command("exit 0", data, big, NULL, &status, &err));
    ck_assert_int_eq(WEXITSTATUS(status), 0);
    free(data);
    remove_dir();
}
END_TEST

static Suite *files_suite(void)
{
    Suite *s = suite_create("tui_files");
    TCase *tc = tcase_create("tui_expand_path");
    tcase_add_test(tc, expand_home);
    suite_add_tcase(s, tc);
    tc = tcase_create("tui_save_file");
    tcase_add_test(tc, save_empty_name);
    tcase_add_test(tc, save_new_file_then_refuse_then_overwrite);
    tcase_add_test(tc, save_failures_say_why);
    suite_add_tcase(s, tc);
    tc = tcase_create("tui_pipe_to_command");
    tcase_add_test(tc, pipe_feeds_stdin_and_reports_status);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    /* Writing to a command that exited must fail with EPIPE, as in popview. */
    signal(SIGPIPE, SIG_IGN);
    SRunner *sr = srunner_create(files_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
