/*
 * The string pool: equal strings come back as one pointer, different ones
 * as different copies; lengths, NUL bytes inside and long strings are
 * kept exactly; the index keeps working as it grows; storage grows far less
 * than the strings put in when they repeat; copies are never shared.
 * Also pv_fnv1a64, the hash behind the pool's index.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <popview/util.h>

START_TEST(null_and_empty)
{
    pv_strpool_free(NULL);
    struct pv_strpool *none = NULL;
    pv_strpool_free(&none);
    ck_assert_uint_eq(pv_strpool_count(NULL), 0);

    struct pv_strpool *p = pv_strpool_new();
    ck_assert_ptr_null(pv_strpool_intern(p, NULL, 0));
    ck_assert_ptr_null(pv_strpool_intern_str(p, NULL));
    const char *e = pv_strpool_intern(p, "", 0);
    ck_assert_str_eq(e, "");
    ck_assert_ptr_eq(pv_strpool_intern_str(p, ""), e);
    ck_assert_uint_eq(pv_strpool_count(p), 1);
    pv_strpool_free(&p);
    ck_assert_ptr_null(p);
}
END_TEST

START_TEST(equal_strings_share_one_copy)
{
    struct pv_strpool *p = pv_strpool_new();
    char a[] = "Alice <alice@example.org>";
    const char *x = pv_strpool_intern_str(p, a);
    ck_assert_ptr_ne(x, a); /* a copy, not the caller's buffer */
    a[0] = 'B';             /* changing the caller's buffer changes nothing */
    ck_assert_str_eq(x, "Alice <alice@example.org>");
    ck_assert_ptr_eq(pv_strpool_intern_str(p, "Alice <alice@example.org>"), x);
    const char *y = pv_strpool_intern_str(p, a);
    ck_assert_ptr_ne(y, x);
    ck_assert_str_eq(y, "Blice <alice@example.org>");
    /* a prefix is another string */
    /* a copy is never shared, and never found by intern */
    const char *c = pv_strpool_copy(p, "Alice <alice@example.org>", 25);
    ck_assert_ptr_ne(c, x);
    ck_assert_str_eq(c, x);
    ck_assert_ptr_eq(pv_strpool_intern_str(p, "Alice <alice@example.org>"), x);
    const char *z = pv_strpool_intern(p, "Alice", 5);
    ck_assert_ptr_ne(z, x);
    ck_assert_str_eq(z, "Alice");
    ck_assert_uint_eq(pv_strpool_count(p), 3);
    pv_strpool_free(&p);
}
END_TEST

START_TEST(embedded_nul_and_long_strings)
{
    struct pv_strpool *p = pv_strpool_new();
    const char *n1 = pv_strpool_intern(p, "a\0b", 3);
    const char *n2 = pv_strpool_intern(p, "a\0c", 3);
    ck_assert_ptr_ne(n1, n2);
    ck_assert(memcmp(n1, "a\0b", 4) == 0);
    size_t big = 200 * 1024; /* larger than a block */
    char *s = pv_xmalloc(big);
    memset(s, 'x', big);
    const char *b1 = pv_strpool_intern(p, s, big);
    ck_assert_uint_eq(strlen(b1), big);
    ck_assert_ptr_eq(pv_strpool_intern(p, s, big), b1);
    /* a small string after the big one still lands in a shared block */
    const char *after = pv_strpool_intern_str(p, "small");
    ck_assert_str_eq(after, "small");
    ck_assert_str_eq(n1, "a"); /* earlier strings untouched */
    free(s);
    pv_strpool_free(&p);
}
END_TEST

/* 100,000 rows with 500 distinct senders (interned) and unique UIDLs
 * (copied): every intern of the same text gives the same pointer across
 * index growth, and the pool holds far less than separate copies would. */
START_TEST(many_rows_few_senders)
{
    struct pv_strpool *p = pv_strpool_new();
    enum { ROWS = 100000, SENDERS = 500 };
    const char **first = pv_xcalloc(SENDERS, sizeof *first);
    size_t input = 0;
    for (unsigned i = 0; i < ROWS; i++) {
        char from[64], uid[32];
        snprintf(from, sizeof from, "Sender number %u <s%u@example.org>", i % SENDERS, i % SENDERS);
        snprintf(uid, sizeof uid, "uid-%08u", i);
        input += strlen(from) + 1 + strlen(uid) + 1;
        const char *f = pv_strpool_intern_str(p, from);
        ck_assert_str_eq(f, from);
        if (!first[i % SENDERS])
            first[i % SENDERS] = f;
        ck_assert_ptr_eq(f, first[i % SENDERS]);
        const char *u = pv_strpool_copy(p, uid, strlen(uid));
        ck_assert_str_eq(u, uid);
    }
    ck_assert_uint_eq(pv_strpool_count(p), SENDERS);
    /* each sender once, each UIDL once, a small index: well under
     * half of what separate copies of everything would take */
    ck_assert_uint_lt(pv_strpool_bytes(p), input / 2);
    free(first);
    pv_strpool_free(&p);
}
END_TEST

/* --- pv_fnv1a64: the published FNV-1a 64 test vectors ----------------------- */

START_TEST(fnv_empty_is_the_offset_basis)
{
    ck_assert_uint_eq(pv_fnv1a64(PV_FNV1A64_START, NULL, 0), UINT64_C(0xcbf29ce484222325));
    ck_assert_uint_eq(pv_fnv1a64(PV_FNV1A64_START, "", 0), UINT64_C(0xcbf29ce484222325));
}
END_TEST

static const struct {
    const char *text;
    uint64_t hash;
} fnv_cases[] = {
    {"a", UINT64_C(0xaf63dc4c8601ec8c)},
    {"foobar", UINT64_C(0x85944171f73967e8)},
};

START_TEST(fnv_known_values)
{
    const char *t = fnv_cases[_i].text;
    ck_assert_uint_eq(pv_fnv1a64(PV_FNV1A64_START, t, strlen(t)), fnv_cases[_i].hash);
}
END_TEST

START_TEST(fnv_continues_over_pieces)
{
    uint64_t h = pv_fnv1a64(PV_FNV1A64_START, "foo", 3);
    ck_assert_uint_eq(pv_fnv1a64(h, "bar", 3), UINT64_C(0x85944171f73967e8));
}
END_TEST

static Suite *strpool_suite(void)
{
    Suite *s = suite_create("strpool");
    TCase *tc = tcase_create("strpool");
    tcase_add_test(tc, null_and_empty);
    tcase_add_test(tc, equal_strings_share_one_copy);
    tcase_add_test(tc, embedded_nul_and_long_strings);
    tcase_add_test(tc, many_rows_few_senders);
    suite_add_tcase(s, tc);
    tc = tcase_create("pv_fnv1a64");
    tcase_add_test(tc, fnv_empty_is_the_offset_basis);
    tcase_add_loop_test(tc, fnv_known_values, 0, (int)PV_ARRAY_LEN(fnv_cases));
    tcase_add_test(tc, fnv_continues_over_pieces);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(strpool_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
