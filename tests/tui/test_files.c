/*
 * Tests for src/tui/files.c:
 *   char *tui_expand_path(const char *path);
 *   enum save_result tui_save_file(const char *path, const char *data, size_t len,
 *                                  bool overwrite, struct pv_error *err);
 *   bool tui_pipe_to_command(const char *command, const char *data, size_t len,
 *                            const void *child_mask, int *status_out, struct pv_error *err);
 *   char *tui_safe_filename(const char *name, size_t index);
 * and src/tui/mbox.c:
 *   void tui_mbox_quote(const char *msg, size_t len, struct pv_buf *out);
 *   void tui_mbox_entry(const char *msg, size_t len, time_t when, struct pv_buf *out);
 *   enum mbox_result tui_mbox_append(const char *path, const char *msg, size_t len,
 *                                    time_t when, struct pv_error *err);
 * Each test works in a fresh temporary directory.  A failing write is a
 * real one: RLIMIT_FSIZE makes write(2) stop short and then fail with
 * EFBIG, so the rollback is checked without mocking the system.
 */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
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

/* The whole file, NUL-terminated. */
static char *slurp(const char *path, size_t *len_out)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    struct pv_buf b;
    pv_buf_init(&b, 0);
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        ck_assert(pv_buf_append(&b, chunk, n));
    fclose(f);
    ck_assert(pv_buf_append(&b, "", 0)); /* NUL-terminated even when empty */
    return pv_buf_steal(&b, len_out);
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

START_TEST(save_never_replaces_a_device)
{
    struct pv_error err;
    pv_error_clear(&err);
    ck_assert_int_eq(tui_save_file("/dev/null", "x", 1, true, &err), SAVE_FAILED);
    ck_assert(strstr(err.msg, "not a regular file") != NULL);
    struct stat st;
    ck_assert_int_eq(stat("/dev/null", &st), 0);
    ck_assert(S_ISCHR(st.st_mode));
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

/* ---- tui_safe_filename ---------------------------------------------------------- */

static const struct {
    const char *name;
    const char *want;
} SAFE_NAMES[] = {
    {NULL, "attachment-7"},
    {"", "attachment-7"},
    {"report.pdf", "report.pdf"},
    {"../../etc/passwd", "passwd"},
    {"/etc/shadow", "shadow"},
    {"C:\\Users\\x\\doc.txt", "doc.txt"},
    {"dir/", "attachment-7"},
    {".bashrc", "bashrc"},
    {"...", "attachment-7"},
    {"..", "attachment-7"},
    {"~", "attachment-7"},
    {"~/.ssh/authorized_keys", "authorized_keys"},
    {"  name.txt  ", "name.txt"},
    {"a\x1b[31mb.txt", "a[31mb.txt"},
    {"line\nbreak\r.txt", "linebreak.txt"},
    {"tab\there", "tabhere"},
    {"c1\xc2\x9b.txt", "c1.txt"},               /* U+009B, a C1 control */
    {"evil\xe2\x80\xaetxt.exe", "eviltxt.exe"}, /* U+202E reverses the rest */
    {"zero\xe2\x80\x8bwidth", "zerowidth"},     /* U+200B */
    {"Gr\xc3\xbc\xc3\x9f"
     "e.txt",
     "Gr\xc3\xbc\xc3\x9f"
     "e.txt"},                          /* kept: UTF-8 letters */
    {"\xff\xfename.txt", "__name.txt"}, /* invalid bytes */
    {"\x01\x02", "attachment-7"},
};

START_TEST(safe_filename_table)
{
    char *got = tui_safe_filename(SAFE_NAMES[_i].name, 7);
    ck_assert_msg(strcmp(got, SAFE_NAMES[_i].want) == 0, "case %d: got '%s', want '%s'", _i, got,
                  SAFE_NAMES[_i].want);
    free(got);
}
END_TEST

START_TEST(safe_filename_cut_keeps_extension)
{
    char name[400];
    memset(name, 'a', 300);
    memcpy(name + 300, ".pdf", 5);
    char *got = tui_safe_filename(name, 1);
    ck_assert_uint_eq(strlen(got), TUI_FILENAME_MAX);
    ck_assert_str_eq(got + TUI_FILENAME_MAX - 4, ".pdf");
    free(got);
    /* A cut never splits a character: 150 two-byte letters. */
    size_t n = 0;
    for (int i = 0; i < 150; i++) {
        name[n++] = '\xc3';
        name[n++] = '\xa9';
    }
    name[n] = '\0';
    got = tui_safe_filename(name, 1);
    ck_assert_uint_eq(strlen(got), TUI_FILENAME_MAX);
    ck_assert((unsigned char)got[TUI_FILENAME_MAX - 1] == 0xa9);
    free(got);
}
END_TEST

/* ---- tui_mbox_quote ---------------------------------------------------------------- */

static const struct {
    const char *in;
    const char *want;
} QUOTES[] = {
    {"", ""},
    {"a", "a\n"},
    {"a\r\nb\r\n", "a\nb\n"},
    {"From x\n", ">From x\n"},
    {">From x\n", ">>From x\n"},
    {">>From x", ">>>From x\n"},
    {"From: x\nFromage\n From x\n>From\nfrom x\n", "From: x\nFromage\n From x\n>From\nfrom x\n"},
    {"a\rb\r\r\n", "a\rb\r\n"}, /* only the CR of a CRLF goes */
    {"x\r\n\r\nFrom y\r\n", "x\n\n>From y\n"},
    {"From x\r\nFrom y", ">From x\n>From y\n"},
    {"body\n>From the start\n", "body\n>>From the start\n"},
};

START_TEST(mbox_quote_table)
{
    struct pv_buf out;
    pv_buf_init(&out, 0);
    tui_mbox_quote(QUOTES[_i].in, strlen(QUOTES[_i].in), &out);
    ck_assert_msg(strcmp(out.data ? out.data : "", QUOTES[_i].want) == 0,
                  "case %d: got '%s', want '%s'", _i, out.data ? out.data : "", QUOTES[_i].want);
    pv_buf_free(&out);
}
END_TEST

/* ---- tui_mbox_entry ---------------------------------------------------------------- */

static const struct {
    const char *msg;
    time_t when;
    const char *want;
} ENTRIES[] = {
    {"", 0, "From MAILER-DAEMON Thu Jan  1 00:00:00 1970\n\n"},
    {"Subject: no sender\n\nhi\n", 1704067200,
     "From MAILER-DAEMON Mon Jan  1 00:00:00 2024\nSubject: no sender\n\nhi\n\n"},
    {"Return-Path: <bounce@list.example>\r\nFrom: A <a@x.example>\r\n\r\nFrom me\r\n", 1795435200,
     "From bounce@list.example Mon Nov 23 12:00:00 2026\nReturn-Path: "
     "<bounce@list.example>\nFrom: A <a@x.example>\n\n>From me\n\n"},
    {"Return-Path: <>\nFrom: A <a@x.example>\n\nx\n", 1700000000,
     "From a@x.example Tue Nov 14 22:13:20 2023\nReturn-Path: <>\nFrom: A <a@x.example>\n\nx\n\n"},
};

START_TEST(mbox_entry_table)
{
    struct pv_buf out;
    pv_buf_init(&out, 0);
    tui_mbox_entry(ENTRIES[_i].msg, strlen(ENTRIES[_i].msg), ENTRIES[_i].when, &out);
    ck_assert_msg(strcmp(out.data, ENTRIES[_i].want) == 0, "case %d: got '%s', want '%s'", _i,
                  out.data, ENTRIES[_i].want);
    pv_buf_free(&out);
}
END_TEST

/* ---- tui_mbox_append ----------------------------------------------------------------- */

static const char OLD_MBOX[] = "From a@b.example Thu Jan  1 00:00:00 1970\nSubject: old\n\nold\n\n";
static const char MSG[] = "From: c@d.example\r\nSubject: new\r\n\r\nFrom here on\r\n";
static const char MSG_ENTRY[] = "From c@d.example Thu Jan  1 00:00:00 1970\nFrom: c@d.example\n"
                                "Subject: new\n\n>From here on\n\n";

static void write_file(const char *path, const char *data)
{
    FILE *f = fopen(path, "wb");
    ck_assert(f != NULL);
    ck_assert_uint_eq(fwrite(data, 1, strlen(data), f), strlen(data));
    ck_assert_int_eq(fclose(f), 0);
}

static void assert_file_is(const char *path, const char *want)
{
    size_t len = 0;
    char *got = slurp(path, &len);
    ck_assert_msg(got != NULL, "%s is missing", path);
    ck_assert_msg(len == strlen(want) && memcmp(got, want, len) == 0, "%s holds '%s', want '%s'",
                  path, got, want);
    free(got);
}

START_TEST(mbox_append_empty_name)
{
    struct pv_error err;
    pv_error_clear(&err);
    ck_assert_int_eq(tui_mbox_append("", MSG, strlen(MSG), 0, &err), MBOX_FAILED);
    ck_assert(strstr(err.msg, "no file name") != NULL);
}
END_TEST

START_TEST(mbox_append_creates_then_appends)
{
    make_dir();
    char *path = pv_xasprintf("%s/box", dir);
    struct pv_error err;
    pv_error_clear(&err);
    ck_assert_int_eq(tui_mbox_append(path, MSG, strlen(MSG), 0, &err), MBOX_OK);
    assert_file_is(path, MSG_ENTRY);
    struct stat st;
    ck_assert_int_eq(stat(path, &st), 0);
    ck_assert_int_eq(st.st_mode & 0777, 0600);
    ck_assert_int_eq(tui_mbox_append(path, MSG, strlen(MSG), 0, &err), MBOX_OK);
    char *twice = pv_xasprintf("%s%s", MSG_ENTRY, MSG_ENTRY);
    assert_file_is(path, twice);
    free(twice);
    free(path);
    remove_dir();
}
END_TEST

/* A message of several write blocks, with "From " lines, CRLF and LF
 * line ends and a last line without one: the streamed append writes the
 * same bytes tui_mbox_entry builds in memory. */
START_TEST(mbox_append_streams_a_large_message)
{
    make_dir();
    char *path = pv_xasprintf("%s/box", dir);
    struct pv_buf msg, want;
    pv_buf_init(&msg, 0);
    pv_buf_init(&want, 0);
    ck_assert(pv_buf_append_str(&msg, "From: big@example.org\r\nSubject: big\r\n\r\n"));
    for (unsigned i = 0; msg.len < 3u * TUI_WRITE_BLOCK + 17; i++)
        ck_assert(
            pv_buf_printf(&msg, i % 7 == 0 ? ">From line %u\n" : "line %u of the body\r\n", i));
    ck_assert(pv_buf_append_str(&msg, "no line end at the end"));
    struct pv_error err;
    pv_error_clear(&err);
    ck_assert_int_eq(tui_mbox_append(path, msg.data, msg.len, 0, &err), MBOX_OK);
    tui_mbox_entry(msg.data, msg.len, 0, &want);
    size_t len = 0;
    char *got = slurp(path, &len);
    ck_assert_uint_eq(len, want.len);
    ck_assert(memcmp(got, want.data, len) == 0);
    free(got);
    pv_buf_free(&msg);
    pv_buf_free(&want);
    free(path);
    remove_dir();
}
END_TEST

/* The block writer: a failed write (a full disk) is reported by the put
 * that hit it or by the flush, with errno, and nothing after it is tried. */
START_TEST(fd_writer_reports_a_full_disk)
{
    int fd = open("/dev/full", O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return; /* no /dev/full here: nothing to check against */
    struct tui_fd_writer *w = pv_xmalloc(sizeof *w);
    tui_fd_writer_init(w, fd);
    ck_assert(tui_fd_writer_put(w, "small", 5)); /* only buffered */
    errno = 0;
    ck_assert(!tui_fd_writer_flush(w));
    ck_assert_int_eq(errno, ENOSPC);
    ck_assert(w->failed);
    ck_assert(!tui_fd_writer_put(w, "more", 4));
    free(w);
    close(fd);
}
END_TEST

START_TEST(mbox_append_separates_from_an_unfinished_end)
{
    make_dir();
    char *path = pv_xasprintf("%s/box", dir);
    struct pv_error err;
    pv_error_clear(&err);
    static const char *const ends[] = {"From a@b Thu Jan  1 00:00:00 1970\n\nx",
                                       "From a@b Thu Jan  1 00:00:00 1970\n\nx\n"};
    for (size_t i = 0; i < PV_ARRAY_LEN(ends); i++) {
        write_file(path, ends[i]);
        ck_assert_int_eq(tui_mbox_append(path, MSG, strlen(MSG), 0, &err), MBOX_OK);
        char *want = pv_xasprintf("From a@b Thu Jan  1 00:00:00 1970\n\nx\n\n%s", MSG_ENTRY);
        assert_file_is(path, want);
        free(want);
    }
    free(path);
    remove_dir();
}
END_TEST

START_TEST(mbox_append_refuses_what_is_not_an_mbox)
{
    make_dir();
    char *path = pv_xasprintf("%s/notes.txt", dir);
    struct pv_error err;
    pv_error_clear(&err);
    static const char *const others[] = {"hello\n", "From", "from x\n", ">From x\n"};
    for (size_t i = 0; i < PV_ARRAY_LEN(others); i++) {
        write_file(path, others[i]);
        ck_assert_int_eq(tui_mbox_append(path, MSG, strlen(MSG), 0, &err), MBOX_NOT_MBOX);
        ck_assert(strstr(err.msg, "is not an mbox") != NULL);
        ck_assert(strstr(err.msg, "nothing was written") != NULL);
        assert_file_is(path, others[i]);
    }
    free(path);
    ck_assert_int_eq(tui_mbox_append(dir, MSG, strlen(MSG), 0, &err), MBOX_FAILED);
    ck_assert(strstr(err.msg, "is a directory") != NULL);
    ck_assert_int_eq(tui_mbox_append("/dev/null", MSG, strlen(MSG), 0, &err), MBOX_FAILED);
    ck_assert(strstr(err.msg, "not a regular file") != NULL);
    char *missing = pv_xasprintf("%s/no/box", dir);
    ck_assert_int_eq(tui_mbox_append(missing, MSG, strlen(MSG), 0, &err), MBOX_FAILED);
    ck_assert(strstr(err.msg, "No such file") != NULL);
    free(missing);
    remove_dir();
}
END_TEST

START_TEST(mbox_append_refuses_a_locked_mbox)
{
    make_dir();
    char *path = pv_xasprintf("%s/box", dir);
    write_file(path, OLD_MBOX);
    int ready[2];
    int finish[2];
    ck_assert_int_eq(pipe(ready), 0);
    ck_assert_int_eq(pipe(finish), 0);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        /* Another mail program: holds the lock until told to stop (the
         * parent closing its end of finish). */
        close(finish[1]);
        int fd = open(path, O_RDWR);
        struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
        char c = fd >= 0 && fcntl(fd, F_SETLKW, &fl) == 0 ? 'L' : 'E';
        if (write(ready[1], &c, 1) != 1 || read(finish[0], &c, 1) < 0)
            _exit(1);
        _exit(0);
    }
    char c = 0;
    ck_assert_int_eq(read(ready[0], &c, 1), 1);
    ck_assert_int_eq(c, 'L');
    struct pv_error err;
    pv_error_clear(&err);
    enum mbox_result rc = tui_mbox_append(path, MSG, strlen(MSG), 0, &err);
    close(finish[1]);
    int status;
    waitpid(pid, &status, 0);
    ck_assert_int_eq(rc, MBOX_LOCKED);
    ck_assert(strstr(err.msg, "is locked by another program") != NULL);
    assert_file_is(path, OLD_MBOX);
    /* Once the other program is done, the append goes through. */
    ck_assert_int_eq(tui_mbox_append(path, MSG, strlen(MSG), 0, &err), MBOX_OK);
    close(ready[0]);
    close(ready[1]);
    close(finish[0]);
    ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    free(path);
    remove_dir();
}
END_TEST

/* Runs an append with the file size limited to limit bytes, as a full disk
 * would stop it: the first write stops short, the next fails. */
static enum mbox_result append_with_size_limit(const char *path, const char *msg, rlim_t limit,
                                               struct pv_error *err)
{
    struct rlimit old;
    ck_assert_int_eq(getrlimit(RLIMIT_FSIZE, &old), 0);
    struct rlimit small = {.rlim_cur = limit, .rlim_max = old.rlim_max};
    void (*old_handler)(int) = signal(SIGXFSZ, SIG_IGN);
    ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &small), 0);
    enum mbox_result rc = tui_mbox_append(path, msg, strlen(msg), 0, err);
    ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &old), 0);
    signal(SIGXFSZ, old_handler);
    return rc;
}

START_TEST(mbox_append_rolls_back_a_failed_write)
{
    make_dir();
    char *path = pv_xasprintf("%s/box", dir);
    write_file(path, OLD_MBOX);
    char big[2048];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    struct pv_error err;
    pv_error_clear(&err);
    ck_assert_int_eq(append_with_size_limit(path, big, sizeof OLD_MBOX + 100, &err), MBOX_FAILED);
    ck_assert_msg(strstr(err.msg, "could not append to ") != NULL, "%s", err.msg);
    ck_assert_msg(strstr(err.msg, strerror(EFBIG)) != NULL, "%s", err.msg);
    ck_assert_msg(strstr(err.msg, "the mbox was left as it was") != NULL, "%s", err.msg);
    assert_file_is(path, OLD_MBOX);
    ck_assert_uint_eq(entries(), 1);
    free(path);
    remove_dir();
}
END_TEST

START_TEST(mbox_append_removes_a_new_file_it_could_not_fill)
{
    make_dir();
    char *path = pv_xasprintf("%s/box", dir);
    struct pv_error err;
    pv_error_clear(&err);
    ck_assert_int_eq(append_with_size_limit(path, MSG, 20, &err), MBOX_FAILED);
    ck_assert_msg(strstr(err.msg, "the new file was removed") != NULL, "%s", err.msg);
    struct stat st;
    ck_assert_int_ne(lstat(path, &st), 0);
    ck_assert_uint_eq(entries(), 0);
    free(path);
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
    tcase_add_test(tc, save_never_replaces_a_device);
    suite_add_tcase(s, tc);
    tc = tcase_create("tui_pipe_to_command");
    tcase_add_test(tc, pipe_feeds_stdin_and_reports_status);
    suite_add_tcase(s, tc);
    tc = tcase_create("tui_safe_filename");
    tcase_add_loop_test(tc, safe_filename_table, 0, (int)PV_ARRAY_LEN(SAFE_NAMES));
    tcase_add_test(tc, safe_filename_cut_keeps_extension);
    suite_add_tcase(s, tc);
    tc = tcase_create("tui_mbox_quote");
    tcase_add_loop_test(tc, mbox_quote_table, 0, (int)PV_ARRAY_LEN(QUOTES));
    suite_add_tcase(s, tc);
    tc = tcase_create("tui_mbox_entry");
    tcase_add_loop_test(tc, mbox_entry_table, 0, (int)PV_ARRAY_LEN(ENTRIES));
    suite_add_tcase(s, tc);
    tc = tcase_create("tui_mbox_append");
    tcase_add_test(tc, mbox_append_empty_name);
    tcase_add_test(tc, mbox_append_creates_then_appends);
    tcase_add_test(tc, mbox_append_streams_a_large_message);
    tcase_add_test(tc, fd_writer_reports_a_full_disk);
    tcase_add_test(tc, mbox_append_separates_from_an_unfinished_end);
    tcase_add_test(tc, mbox_append_refuses_what_is_not_an_mbox);
    tcase_add_test(tc, mbox_append_refuses_a_locked_mbox);
    tcase_add_test(tc, mbox_append_rolls_back_a_failed_write);
    tcase_add_test(tc, mbox_append_removes_a_new_file_it_could_not_fill);
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
