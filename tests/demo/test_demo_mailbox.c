/*
 * Tests of the demo mailbox (src/demo/mailbox.c) and of the bundled sample
 * (assets/demo, embedded at build time).
 *
 *   struct demo_mailbox *demo_mailbox_new(void);
 *   void demo_mailbox_free(struct demo_mailbox **mb);
 *   enum demo_status demo_mailbox_add(struct demo_mailbox *mb, const void *data, size_t len,
 *                                     const char *uidl, struct pv_error *err);
 *   enum demo_status demo_mailbox_load_sample(struct demo_mailbox *mb, struct pv_error *err);
 *   enum demo_status demo_mailbox_load_dir(struct demo_mailbox *mb, const char *dir,
 *                                          struct pv_error *err);
 *   size_t demo_mailbox_count(const struct demo_mailbox *mb);
 *   uint64_t demo_mailbox_size(const struct demo_mailbox *mb);
 *   bool demo_mailbox_copy_message(const struct demo_mailbox *mb, size_t index,
 *                                  char **data_out, size_t *len_out, char *uidl_out);
 *   long demo_mailbox_find_uidl(const struct demo_mailbox *mb, const char *uidl);
 *   bool demo_mailbox_is_locked(const struct demo_mailbox *mb);
 */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <popview/util.h>

#include "demo.h"

static struct pv_error err;

static char *message(const struct demo_mailbox *mb, size_t i, size_t *len, char *uidl)
{
    char *data = NULL;
    ck_assert(demo_mailbox_copy_message(mb, i, &data, len, uidl));
    return data;
}

/* The header section (up to the empty line), as a NUL-terminated copy. */
static char *header_section(const char *data, size_t len)
{
    const char *end = memmem(data, len, "\r\n\r\n", 4);
    ck_assert_ptr_nonnull(end);
    return pv_xstrndup(data, (size_t)(end - data) + 2);
}

static bool has_header(const char *headers, const char *name)
{
    size_t n = strlen(name);
    if (pv_ascii_nieq(headers, name, n) && headers[n] == ':')
        return true;
    for (const char *p = strstr(headers, "\r\n"); p; p = strstr(p + 2, "\r\n"))
        if (pv_ascii_nieq(p + 2, name, n) && p[2 + n] == ':')
            return true;
    return false;
}

static char *make_temp_dir(void)
{
    char *dir = pv_xstrdup("/tmp/popview-demo-test-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    return dir;
}

static void write_file(const char *dir, const char *name, const char *text)
{
    char *path = pv_xasprintf("%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(text, 1, strlen(text), f), strlen(text));
    ck_assert_int_eq(fclose(f), 0);
    free(path);
}

static void remove_tree(const char *dir)
{
    DIR *d = opendir(dir);
    ck_assert_ptr_nonnull(d);
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        char *path = pv_xasprintf("%s/%s", dir, e->d_name);
        struct stat st;
        if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode))
            remove_tree(path);
        else
            unlink(path);
        free(path);
    }
    closedir(d);
    rmdir(dir);
}

/* ---- demo_mailbox_new / demo_mailbox_free ---- */

START_TEST(test_new_free)
{
    demo_mailbox_free(NULL);
    struct demo_mailbox *mb = NULL;
    demo_mailbox_free(&mb);
    mb = demo_mailbox_new();
    ck_assert_ptr_nonnull(mb);
    ck_assert_uint_eq(demo_mailbox_count(mb), 0);
    ck_assert_uint_eq(demo_mailbox_size(mb), 0);
    ck_assert(!demo_mailbox_is_locked(mb));
    demo_mailbox_free(&mb);
    ck_assert_ptr_null(mb);
}
END_TEST

/* ---- demo_mailbox_add ---- */

START_TEST(test_add_null)
{
    pv_error_clear(&err);
    ck_assert_int_eq(demo_mailbox_add(NULL, "x", 1, NULL, &err), DEMO_ERR_ARG);
    ck_assert_str_ne(err.msg, "");
    struct demo_mailbox *mb = demo_mailbox_new();
    ck_assert_int_eq(demo_mailbox_add(mb, NULL, 5, NULL, &err), DEMO_ERR_ARG);
    /* an empty message is a message */
    ck_assert_int_eq(demo_mailbox_add(mb, NULL, 0, NULL, &err), DEMO_OK);
    ck_assert_uint_eq(demo_mailbox_count(mb), 1);
    size_t len = 99;
    char *data = message(mb, 0, &len, NULL);
    ck_assert_uint_eq(len, 0);
    ck_assert_str_eq(data, "");
    free(data);
    demo_mailbox_free(&mb);
}
END_TEST

/* Line ends become CRLF and a final CRLF is added (RFC 1939 §11 sizes). */
static const struct {
    const char *in;
    const char *out;
} crlf_cases[] = {
    {"x", "x\r\n"},           {"a\nb", "a\r\nb\r\n"},         {"a\r\nb\r\n", "a\r\nb\r\n"},
    {"a\rb\r", "a\r\nb\r\n"}, {"a\n\nb\n", "a\r\n\r\nb\r\n"}, {"a\r\r\nb", "a\r\n\r\nb\r\n"},
    {"\n", "\r\n"},           {".\n..\n", ".\r\n..\r\n"},
};

START_TEST(test_add_crlf)
{
    struct demo_mailbox *mb = demo_mailbox_new();
    const char *in = crlf_cases[_i].in;
    ck_assert_int_eq(demo_mailbox_add(mb, in, strlen(in), "m", &err), DEMO_OK);
    size_t len;
    char uidl[DEMO_UIDL_MAX + 1];
    char *data = message(mb, 0, &len, uidl);
    ck_assert_str_eq(data, crlf_cases[_i].out);
    ck_assert_uint_eq(len, strlen(crlf_cases[_i].out));
    ck_assert_uint_eq(demo_mailbox_size(mb), len);
    ck_assert_str_eq(uidl, "m");
    free(data);
    demo_mailbox_free(&mb);
}
END_TEST

static const char *const bad_uidls[] = {
    "",
    "with space",
    "tab\there",
    "caf\xc3\xa9",
    "0123456789012345678901234567890123456789012345678901234567890123456789x", /* 71 */
};

START_TEST(test_add_bad_uidl)
{
    struct demo_mailbox *mb = demo_mailbox_new();
    pv_error_clear(&err);
    ck_assert_int_eq(demo_mailbox_add(mb, "x", 1, bad_uidls[_i], &err), DEMO_ERR_ARG);
    ck_assert_str_ne(err.msg, "");
    ck_assert_uint_eq(demo_mailbox_count(mb), 0);
    demo_mailbox_free(&mb);
}
END_TEST

START_TEST(test_add_uidls)
{
    struct demo_mailbox *mb = demo_mailbox_new();
    const char *max = "0123456789012345678901234567890123456789012345678901234567890123456789";
    ck_assert_uint_eq(strlen(max), DEMO_UIDL_MAX);
    ck_assert_int_eq(demo_mailbox_add(mb, "a", 1, max, &err), DEMO_OK);
    ck_assert_int_eq(demo_mailbox_add(mb, "b", 1, "!~", &err), DEMO_OK);
    /* duplicates are refused */
    ck_assert_int_eq(demo_mailbox_add(mb, "c", 1, "!~", &err), DEMO_ERR_ARG);
    /* generated ones are valid and unique, even for identical messages */
    ck_assert_int_eq(demo_mailbox_add(mb, "same", 4, NULL, &err), DEMO_OK);
    ck_assert_int_eq(demo_mailbox_add(mb, "same", 4, NULL, &err), DEMO_OK);
    ck_assert_uint_eq(demo_mailbox_count(mb), 4);
    char u2[DEMO_UIDL_MAX + 1], u3[DEMO_UIDL_MAX + 1];
    free(message(mb, 2, NULL, u2));
    free(message(mb, 3, NULL, u3));
    ck_assert_str_ne(u2, u3);
    for (const char *p = u2; *p; p++)
        ck_assert(*p > 0x20 && *p < 0x7f);
    ck_assert_uint_ge(strlen(u2), 1);
    ck_assert_uint_le(strlen(u2), DEMO_UIDL_MAX);
    ck_assert_int_eq(demo_mailbox_find_uidl(mb, u3), 3);
    ck_assert_int_eq(demo_mailbox_find_uidl(mb, max), 0);
    demo_mailbox_free(&mb);
}
END_TEST

START_TEST(test_add_fill)
{
    const char *msg = "Subject: big\nx-popview-demo-fill:  5000 \n\nIntro.\n";
    struct demo_mailbox *mb = demo_mailbox_new();
    ck_assert_int_eq(demo_mailbox_add(mb, msg, strlen(msg), NULL, &err), DEMO_OK);
    ck_assert_int_eq(demo_mailbox_add(mb, msg, strlen(msg), NULL, &err), DEMO_OK);
    size_t a_len, b_len;
    char *a = message(mb, 0, &a_len, NULL);
    char *b = message(mb, 1, &b_len, NULL);
    ck_assert_uint_le(a_len, 5000);
    ck_assert_uint_gt(a_len, 4800);
    /* deterministic */
    ck_assert_uint_eq(a_len, b_len);
    ck_assert(memcmp(a, b, a_len) == 0);
    ck_assert(strncmp(a, "Subject: big\r\n", 14) == 0);
    ck_assert_ptr_nonnull(strstr(a, "\r\nIntro.\r\n000001  "));
    ck_assert(a_len >= 2 && a[a_len - 2] == '\r' && a[a_len - 1] == '\n');
    ck_assert_ptr_null(strstr(a, "\n\n"));
    free(a);
    free(b);
    demo_mailbox_free(&mb);
}
END_TEST

static const struct {
    const char *msg;
    enum demo_status status;
    size_t len; /* expected length when DEMO_OK */
} fill_cases[] = {
    /* the header only counts in the header section */
    {"Subject: s\n\nX-Popview-Demo-Fill: 5000\n", DEMO_OK, 41},
    {"X-Popview-Demo-Fill: lots\n\nbody\n", DEMO_ERR_ARG, 0},
    {"X-Popview-Demo-Fill: -1\n\nbody\n", DEMO_ERR_ARG, 0},
    {"X-Popview-Demo-Fill: 99999999999\n\nbody\n", DEMO_ERR_LIMIT, 0},
    /* smaller than the message: nothing added */
    {"X-Popview-Demo-Fill: 10\n\nbody\n", DEMO_OK, 33},
};

START_TEST(test_add_fill_cases)
{
    struct demo_mailbox *mb = demo_mailbox_new();
    const char *m = fill_cases[_i].msg;
    pv_error_clear(&err);
    ck_assert_int_eq(demo_mailbox_add(mb, m, strlen(m), NULL, &err), fill_cases[_i].status);
    if (fill_cases[_i].status == DEMO_OK) {
        ck_assert_uint_eq(demo_mailbox_size(mb), fill_cases[_i].len);
    } else {
        ck_assert_uint_eq(demo_mailbox_count(mb), 0);
        ck_assert_str_ne(err.msg, "");
    }
    demo_mailbox_free(&mb);
}
END_TEST

/* ---- demo_mailbox_load_sample ---- */

START_TEST(test_load_sample_null)
{
    pv_error_clear(&err);
    ck_assert_int_eq(demo_mailbox_load_sample(NULL, &err), DEMO_ERR_ARG);
    ck_assert_str_ne(err.msg, "");
}
END_TEST

START_TEST(test_load_sample)
{
    struct demo_mailbox *mb = demo_mailbox_new();
    ck_assert_int_eq(demo_mailbox_load_sample(mb, &err), DEMO_OK);
    size_t n = demo_mailbox_count(mb);
    ck_assert_uint_ge(n, 22);
    uint64_t total = 0;
    for (size_t i = 0; i < n; i++) {
        size_t len;
        char uidl[DEMO_UIDL_MAX + 1];
        char *data = message(mb, i, &len, uidl);
        total += len;
        /* in file-name order, UIDL = name without .eml */
        char prefix[24];
        snprintf(prefix, sizeof(prefix), "%02zu-", i + 1);
        ck_assert_msg(strncmp(uidl, prefix, 3) == 0, "message %zu has UIDL %s", i + 1, uidl);
        ck_assert_int_eq(demo_mailbox_find_uidl(mb, uidl), (long)i);
        /* CRLF only */
        for (size_t k = 0; k < len; k++) {
            if (data[k] == '\n')
                ck_assert_msg(k > 0 && data[k - 1] == '\r', "%s: bare LF", uidl);
            if (data[k] == '\r')
                ck_assert_msg(k + 1 < len && data[k + 1] == '\n', "%s: bare CR", uidl);
        }
        /* realistic headers (RFC 5322 §3.6, RFC 2045 §4) */
        char *h = header_section(data, len);
        static const char *const need[] = {"Date",    "From",       "To",
                                           "Subject", "Message-ID", "MIME-Version"};
        for (size_t k = 0; k < PV_ARRAY_LEN(need); k++)
            ck_assert_msg(has_header(h, need[k]), "%s lacks %s", uidl, need[k]);
        free(h);
        free(data);
    }
    ck_assert_uint_eq(demo_mailbox_size(mb), total);
    demo_mailbox_free(&mb);
}
END_TEST

/* Properties the demo promises: each is a substring of one sample message. */
static const struct {
    const char *uidl;
    const char *needle;
} sample_features[] = {
    {"05-german-latin1", "charset=ISO-8859-1"},
    {"05-german-latin1", "Content-Transfer-Encoding: quoted-printable"},
    {"05-german-latin1", "=?ISO-8859-1?Q?"},
    {"06-russian-koi8r", "charset=KOI8-R"},
    {"06-russian-koi8r", "=?koi8-r?b?"},
    {"07-russian-utf8", "=?UTF-8?Q?"},
    {"08-japanese-iso2022jp", "charset=ISO-2022-JP"},
    {"08-japanese-iso2022jp", "\x1b$B"},
    {"09-chinese-gb2312", "charset=GB2312"},
    {"09-chinese-gb2312", "Subject: =?GB2312?B?"},
    {"10-greek-iso8859-7", "charset=ISO-8859-7"},
    {"11-arabic-utf8", "=?UTF-8?B?"},
    {"12-emoji", "=?UTF-8?Q?=F0=9F=8E=89"},
    {"13-attachments", "multipart/mixed"},
    {"13-attachments", "Content-Type: image/png"},
    {"13-attachments", "Content-Type: application/pdf"},
    {"13-attachments", "filename=\"budget-notes.txt\""},
    {"14-alternative", "multipart/alternative"},
    {"14-alternative", "Content-Type: text/html"},
    {"23-newsletter-html", "Content-Type: text/html"},
    {"21-garden-thread", "In-Reply-To: <tb-5-fence@example.org>"},
    {"21-garden-thread", "References: <workday-1@example.net>"},
    {"22-dot-lines", "\r\n.\r\n..\r\n...\r\n"},
    {"24-terminal-escapes", "Subject: Your invoice \x1b]0;"},
    {"24-terminal-escapes", "\x1b]52;c;"},
    {"25-forward-rfc822", "Content-Type: message/rfc822"},
    {"01-welcome", "Subject: Welcome to popview: what POP3 is"},
    {"02-pop3-dele", "Subject: What DELE really does (nothing until QUIT)"},
    {"03-pop3-uidl", "Subject: UIDL vs message numbers"},
};

START_TEST(test_sample_features)
{
    struct demo_mailbox *mb = demo_mailbox_new();
    ck_assert_int_eq(demo_mailbox_load_sample(mb, &err), DEMO_OK);
    long i = demo_mailbox_find_uidl(mb, sample_features[_i].uidl);
    ck_assert_msg(i >= 0, "no sample message %s", sample_features[_i].uidl);
    size_t len;
    char *data = message(mb, (size_t)i, &len, NULL);
    ck_assert_msg(
        memmem(data, len, sample_features[_i].needle, strlen(sample_features[_i].needle)) != NULL,
        "%s lacks \"%s\"", sample_features[_i].uidl, sample_features[_i].needle);
    free(data);
    demo_mailbox_free(&mb);
}
END_TEST

START_TEST(test_sample_thread_and_large)
{
    struct demo_mailbox *mb = demo_mailbox_new();
    ck_assert_int_eq(demo_mailbox_load_sample(mb, &err), DEMO_OK);
    /* a thread of 6+ messages: one start, replies with Re: and references */
    int replies = 0;
    for (size_t i = 0; i < demo_mailbox_count(mb); i++) {
        size_t len;
        char *data = message(mb, i, &len, NULL);
        char *h = header_section(data, len);
        if (strstr(h, "Subject: Re: Community garden workday") && has_header(h, "In-Reply-To") &&
            has_header(h, "References"))
            replies++;
        free(h);
        free(data);
    }
    ck_assert_int_ge(replies, 5);
    /* the large message is generated to about 1.5 MB */
    long big = demo_mailbox_find_uidl(mb, "15-weather-log-large");
    ck_assert_int_ge(big, 0);
    size_t len;
    char *data = message(mb, (size_t)big, &len, NULL);
    ck_assert_uint_gt(len, 1500000);
    ck_assert_uint_le(len, 1572864);
    free(data);
    /* the two mailboxes of two loads are identical */
    struct demo_mailbox *again = demo_mailbox_new();
    ck_assert_int_eq(demo_mailbox_load_sample(again, &err), DEMO_OK);
    ck_assert_uint_eq(demo_mailbox_size(again), demo_mailbox_size(mb));
    demo_mailbox_free(&again);
    demo_mailbox_free(&mb);
}
END_TEST

/* ---- demo_mailbox_load_dir ---- */

START_TEST(test_load_dir_errors)
{
    pv_error_clear(&err);
    ck_assert_int_eq(demo_mailbox_load_dir(NULL, "/tmp", &err), DEMO_ERR_ARG);
    struct demo_mailbox *mb = demo_mailbox_new();
    ck_assert_int_eq(demo_mailbox_load_dir(mb, NULL, &err), DEMO_ERR_ARG);
    pv_error_clear(&err);
    ck_assert_int_eq(demo_mailbox_load_dir(mb, "/nonexistent/popview-demo", &err), DEMO_ERR_IO);
    ck_assert_ptr_nonnull(strstr(err.msg, "/nonexistent/popview-demo"));
    demo_mailbox_free(&mb);
}
END_TEST

START_TEST(test_load_dir)
{
    char *dir = make_temp_dir();
    write_file(dir, "b.eml", "Subject: b\n\nB\n");
    write_file(dir, "a.eml", "Subject: a\n\nA\n");
    write_file(dir, "notes.txt", "not a message\n");
    write_file(dir, ".hidden.eml", "Subject: hidden\n\n");
    write_file(dir, "has space.eml", "Subject: space\n\n");
    /* neither a directory nor a FIFO named like a message is one (nor blocks) */
    char *sub = pv_xasprintf("%s/sub.eml", dir);
    ck_assert_int_eq(mkdir(sub, 0700), 0);
    free(sub);
    char *fifo = pv_xasprintf("%s/fifo.eml", dir);
    ck_assert_int_eq(mkfifo(fifo, 0600), 0);
    free(fifo);

    struct demo_mailbox *mb = demo_mailbox_new();
    ck_assert_int_eq(demo_mailbox_load_dir(mb, dir, &err), DEMO_OK);
    ck_assert_uint_eq(demo_mailbox_count(mb), 3);
    char uidl[DEMO_UIDL_MAX + 1];
    size_t len;
    char *data = message(mb, 0, &len, uidl);
    ck_assert_str_eq(uidl, "a");
    ck_assert_str_eq(data, "Subject: a\r\n\r\nA\r\n");
    free(data);
    data = message(mb, 1, &len, uidl);
    ck_assert_str_eq(uidl, "b");
    free(data);
    /* a name that is no valid UIDL gets a generated one */
    data = message(mb, 2, &len, uidl);
    ck_assert_str_eq(data, "Subject: space\r\n\r\n");
    ck_assert_ptr_null(strchr(uidl, ' '));
    free(data);
    /* loading again: the names are taken, so the new copies get new UIDLs */
    ck_assert_int_eq(demo_mailbox_load_dir(mb, dir, &err), DEMO_OK);
    ck_assert_uint_eq(demo_mailbox_count(mb), 6);
    free(message(mb, 3, &len, uidl));
    ck_assert_str_ne(uidl, "a");
    demo_mailbox_free(&mb);
    remove_tree(dir);
    free(dir);
}
END_TEST

/* The embedded sample is exactly assets/demo: the meson list is complete. */
START_TEST(test_load_dir_matches_sample)
{
    const char *root = getenv("POPVIEW_SOURCE_ROOT");
    ck_assert_msg(root != NULL, "POPVIEW_SOURCE_ROOT is not set (run through meson test)");
    char *dir = pv_xasprintf("%s/assets/demo", root);
    struct demo_mailbox *from_dir = demo_mailbox_new();
    struct demo_mailbox *sample = demo_mailbox_new();
    ck_assert_msg(demo_mailbox_load_dir(from_dir, dir, &err) == DEMO_OK, "%s", err.msg);
    ck_assert_int_eq(demo_mailbox_load_sample(sample, &err), DEMO_OK);
    ck_assert_uint_eq(demo_mailbox_count(from_dir), demo_mailbox_count(sample));
    for (size_t i = 0; i < demo_mailbox_count(sample); i++) {
        size_t a_len, b_len;
        char a_uidl[DEMO_UIDL_MAX + 1], b_uidl[DEMO_UIDL_MAX + 1];
        char *a = message(from_dir, i, &a_len, a_uidl);
        char *b = message(sample, i, &b_len, b_uidl);
        ck_assert_str_eq(a_uidl, b_uidl);
        ck_assert_uint_eq(a_len, b_len);
        ck_assert_msg(memcmp(a, b, a_len) == 0, "%s differs from its embedded copy", a_uidl);
        free(a);
        free(b);
    }
    demo_mailbox_free(&from_dir);
    demo_mailbox_free(&sample);
    free(dir);
}
END_TEST

/* ---- queries ---- */

START_TEST(test_queries_null)
{
    ck_assert_uint_eq(demo_mailbox_count(NULL), 0);
    ck_assert_uint_eq(demo_mailbox_size(NULL), 0);
    ck_assert(!demo_mailbox_copy_message(NULL, 0, NULL, NULL, NULL));
    ck_assert_int_eq(demo_mailbox_find_uidl(NULL, "x"), -1);
    ck_assert(!demo_mailbox_is_locked(NULL));
    struct demo_mailbox *mb = demo_mailbox_new();
    ck_assert_int_eq(demo_mailbox_find_uidl(mb, NULL), -1);
    ck_assert_int_eq(demo_mailbox_find_uidl(mb, "x"), -1);
    ck_assert(!demo_mailbox_copy_message(mb, 0, NULL, NULL, NULL));
    ck_assert_int_eq(demo_mailbox_add(mb, "abc", 3, "x", &err), DEMO_OK);
    ck_assert(demo_mailbox_copy_message(mb, 0, NULL, NULL, NULL));
    ck_assert(!demo_mailbox_copy_message(mb, 1, NULL, NULL, NULL));
    ck_assert_int_eq(demo_mailbox_find_uidl(mb, "x"), 0);
    ck_assert_uint_eq(demo_mailbox_size(mb), 5);
    demo_mailbox_free(&mb);
}
END_TEST

static Suite *mailbox_suite(void)
{
    Suite *s = suite_create("demo_mailbox");
    TCase *tc = tcase_create("demo_mailbox_new");
    tcase_add_test(tc, test_new_free);
    suite_add_tcase(s, tc);

    tc = tcase_create("demo_mailbox_add");
    tcase_add_test(tc, test_add_null);
    tcase_add_loop_test(tc, test_add_crlf, 0, (int)PV_ARRAY_LEN(crlf_cases));
    tcase_add_loop_test(tc, test_add_bad_uidl, 0, (int)PV_ARRAY_LEN(bad_uidls));
    tcase_add_test(tc, test_add_uidls);
    tcase_add_test(tc, test_add_fill);
    tcase_add_loop_test(tc, test_add_fill_cases, 0, (int)PV_ARRAY_LEN(fill_cases));
    suite_add_tcase(s, tc);

    tc = tcase_create("demo_mailbox_load_sample");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_load_sample_null);
    tcase_add_test(tc, test_load_sample);
    tcase_add_loop_test(tc, test_sample_features, 0, (int)PV_ARRAY_LEN(sample_features));
    tcase_add_test(tc, test_sample_thread_and_large);
    suite_add_tcase(s, tc);

    tc = tcase_create("demo_mailbox_load_dir");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_load_dir_errors);
    tcase_add_test(tc, test_load_dir);
    tcase_add_test(tc, test_load_dir_matches_sample);
    suite_add_tcase(s, tc);

    tc = tcase_create("demo_mailbox_queries");
    tcase_add_test(tc, test_queries_null);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(mailbox_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
