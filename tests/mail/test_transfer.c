/*
 * Tests for src/mail/transfer.c:
 *   enum mail_transfer_encoding mail_transfer_encoding_parse(const char *raw, size_t len);
 *   const char *mail_transfer_encoding_name(enum mail_transfer_encoding te);
 *   struct mail_decoder *mail_decoder_new(enum mail_transfer_encoding te);  + feed/finish/status
 *   enum mail_status mail_transfer_decode(te, in, len, out, fits_out);
 *   uint64_t mail_transfer_decoded_size(te, in, len);
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <popview/util.h>

#include <popview/mail.h>

/* ---- mail_transfer_encoding_parse / _name ---- */

static const struct {
    const char *raw;
    enum mail_transfer_encoding te;
} te_cases[] = {
    {"", MAIL_TE_7BIT},          {"   ", MAIL_TE_7BIT},
    {"7bit", MAIL_TE_7BIT},      {"8BIT", MAIL_TE_8BIT},
    {"Binary", MAIL_TE_BINARY},  {" Quoted-Printable ", MAIL_TE_QUOTED_PRINTABLE},
    {"base64", MAIL_TE_BASE64},  {"(comment) BASE64 (another)", MAIL_TE_BASE64},
    {"base64;", MAIL_TE_BASE64}, {"x-uuencode", MAIL_TE_UNKNOWN},
    {"base65", MAIL_TE_UNKNOWN}, {"base6", MAIL_TE_UNKNOWN},
};

START_TEST(encoding_parse_null)
{
    ck_assert_int_eq(mail_transfer_encoding_parse(NULL, 0), MAIL_TE_7BIT);
}
END_TEST

START_TEST(encoding_parse_table)
{
    const char *raw = te_cases[_i].raw;
    ck_assert_msg(mail_transfer_encoding_parse(raw, strlen(raw)) == te_cases[_i].te, "case \"%s\"",
                  raw);
}
END_TEST

START_TEST(encoding_names)
{
    ck_assert_str_eq(mail_transfer_encoding_name(MAIL_TE_7BIT), "7bit");
    ck_assert_str_eq(mail_transfer_encoding_name(MAIL_TE_8BIT), "8bit");
    ck_assert_str_eq(mail_transfer_encoding_name(MAIL_TE_BINARY), "binary");
    ck_assert_str_eq(mail_transfer_encoding_name(MAIL_TE_QUOTED_PRINTABLE), "quoted-printable");
    ck_assert_str_eq(mail_transfer_encoding_name(MAIL_TE_BASE64), "base64");
    ck_assert_str_eq(mail_transfer_encoding_name(MAIL_TE_UNKNOWN), "unknown");
}
END_TEST

/* ---- mail_transfer_decode ---- */

struct decode_case {
    enum mail_transfer_encoding te;
    const char *in;
    const char *out;
    size_t out_len; /* 0: strlen(out) */
    enum mail_status status;
};

static const struct decode_case decode_cases[] = {
    /* base64 */
    {MAIL_TE_BASE64, "", "", 0, MAIL_OK},
    {MAIL_TE_BASE64, "aGVsbG8=", "hello", 0, MAIL_OK},
    {MAIL_TE_BASE64, "aGVsbG8", "hello", 0, MAIL_OK}, /* missing padding */
    {MAIL_TE_BASE64, "aGVsbA==", "hell", 0, MAIL_OK},
    {MAIL_TE_BASE64, "aGVsbA", "hell", 0, MAIL_OK},
    {MAIL_TE_BASE64, "aGVs\r\nbG8g\n d29y bGQ=\r\n", "hello world", 0, MAIL_OK},
    {MAIL_TE_BASE64, "aGV!sbG8=", "hello", 0, MAIL_ERR_MALFORMED}, /* garbage ignored */
    {MAIL_TE_BASE64, "aGVsbA==aGk=", "hellhi", 0, MAIL_OK},        /* concatenated blocks */
    {MAIL_TE_BASE64, "aGVsbG8=a", "hello", 0, MAIL_ERR_MALFORMED}, /* lone sextet */
    {MAIL_TE_BASE64, "AP8A", "\0\xff\0", 3, MAIL_OK},
    {MAIL_TE_BASE64, "====", "", 0, MAIL_OK},
    /* quoted-printable */
    {MAIL_TE_QUOTED_PRINTABLE, "", "", 0, MAIL_OK},
    {MAIL_TE_QUOTED_PRINTABLE, "caf=E9", "caf\xe9", 0, MAIL_OK},
    {MAIL_TE_QUOTED_PRINTABLE, "caf=e9", "caf\xe9", 0, MAIL_OK}, /* lower-case hex */
    {MAIL_TE_QUOTED_PRINTABLE, "soft=\r\nbreak", "softbreak", 0, MAIL_OK},
    {MAIL_TE_QUOTED_PRINTABLE, "soft=\nbreak", "softbreak", 0, MAIL_OK},
    {MAIL_TE_QUOTED_PRINTABLE, "soft= \t\r\nbreak", "softbreak", 0, MAIL_OK},
    {MAIL_TE_QUOTED_PRINTABLE, "hard  \r\nline\t\n", "hard\r\nline\n", 0, MAIL_OK},
    {MAIL_TE_QUOTED_PRINTABLE, "a =3D b", "a = b", 0, MAIL_OK},
    {MAIL_TE_QUOTED_PRINTABLE, "bad =XY ok", "bad =XY ok", 0, MAIL_ERR_MALFORMED},
    {MAIL_TE_QUOTED_PRINTABLE, "bad =4G", "bad =4G", 0, MAIL_ERR_MALFORMED},
    {MAIL_TE_QUOTED_PRINTABLE, "end =4", "end =4", 0, MAIL_ERR_MALFORMED},
    {MAIL_TE_QUOTED_PRINTABLE, "end=", "end", 0, MAIL_OK},
    {MAIL_TE_QUOTED_PRINTABLE, "trailing   ", "trailing", 0, MAIL_OK},
    {MAIL_TE_QUOTED_PRINTABLE, "= x", "= x", 0, MAIL_ERR_MALFORMED},
    {MAIL_TE_QUOTED_PRINTABLE, "lone\rcr", "lone\rcr", 0, MAIL_OK},
    {MAIL_TE_QUOTED_PRINTABLE, "a=\rb", "ab", 0, MAIL_OK},
    {MAIL_TE_QUOTED_PRINTABLE, "x=00y", "x\0y", 3, MAIL_OK},
    /* pass-through */
    {MAIL_TE_7BIT, "as =3D is\r\n", "as =3D is\r\n", 0, MAIL_OK},
    {MAIL_TE_8BIT, "\xc3\xa9", "\xc3\xa9", 0, MAIL_OK},
    {MAIL_TE_BINARY, "a\0b", "a\0b", 3, MAIL_OK},
    {MAIL_TE_UNKNOWN, "begin 644 x", "begin 644 x", 0, MAIL_ERR_MALFORMED},
};

static size_t in_len(const char *s)
{
    /* The binary case holds a NUL: its input is three bytes. */
    return strcmp(s, "a") == 0 ? 3 : strlen(s);
}

START_TEST(decode_null)
{
    struct pv_buf out;
    pv_buf_init(&out, 0);
    bool fits = false;
    ck_assert_int_eq(mail_transfer_decode(MAIL_TE_BASE64, NULL, 0, &out, &fits), MAIL_OK);
    ck_assert(fits);
    ck_assert_uint_eq(out.len, 0);
    pv_buf_free(&out);
}
END_TEST

START_TEST(decode_table)
{
    const struct decode_case *c = &decode_cases[_i];
    size_t want = c->out_len ? c->out_len : strlen(c->out);
    struct pv_buf out;
    pv_buf_init(&out, 0);
    bool fits = false;
    enum mail_status st = mail_transfer_decode(c->te, c->in, in_len(c->in), &out, &fits);
    ck_assert(fits);
    ck_assert_msg(out.len == want && memcmp(out.data ? out.data : "", c->out, want) == 0,
                  "case %d \"%s\": got \"%s\"", _i, c->in, out.data ? out.data : "");
    ck_assert_msg(st == c->status, "case %d: status %d", _i, st);
    ck_assert_uint_eq(mail_transfer_decoded_size(c->te, c->in, in_len(c->in)), want);
    pv_buf_free(&out);
}
END_TEST

/* Every split of the input into two feeds gives the one-shot result. */
START_TEST(decode_any_split)
{
    const struct decode_case *c = &decode_cases[_i];
    size_t n = in_len(c->in);
    size_t want = c->out_len ? c->out_len : strlen(c->out);
    for (size_t cut = 0; cut <= n; cut++) {
        for (size_t cut2 = cut; cut2 <= n; cut2++) {
            struct mail_decoder *d = mail_decoder_new(c->te);
            struct pv_buf out;
            pv_buf_init(&out, 0);
            ck_assert(mail_decoder_feed(d, c->in, cut, &out));
            ck_assert(mail_decoder_feed(d, c->in + cut, cut2 - cut, &out));
            ck_assert(mail_decoder_feed(d, c->in + cut2, n - cut2, &out));
            ck_assert(mail_decoder_finish(d, &out));
            ck_assert_msg(out.len == want && memcmp(out.data ? out.data : "", c->out, want) == 0,
                          "case %d split %zu/%zu", _i, cut, cut2);
            ck_assert_int_eq(mail_decoder_status(d), c->status);
            mail_decoder_free(&d);
            ck_assert_ptr_null(d);
            pv_buf_free(&out);
        }
    }
}
END_TEST

START_TEST(decode_respects_cap)
{
    struct pv_buf out;
    pv_buf_init(&out, 4);
    bool fits = true;
    mail_transfer_decode(MAIL_TE_BASE64, "aGVsbG8gd29ybGQ=", 16, &out, &fits);
    ck_assert(!fits);
    ck_assert_uint_le(out.len, 4);
    pv_buf_free(&out);

    pv_buf_init(&out, 3);
    mail_transfer_decode(MAIL_TE_QUOTED_PRINTABLE, "abcdef", 6, &out, &fits);
    ck_assert(!fits);
    ck_assert_str_eq(out.data, "abc");
    pv_buf_free(&out);
}
END_TEST

START_TEST(decoder_free_null)
{
    mail_decoder_free(NULL);
    struct mail_decoder *d = NULL;
    mail_decoder_free(&d);
    ck_assert_int_eq(mail_decoder_status(NULL), MAIL_OK);
}
END_TEST

/* A long base64 body crosses the decoder's internal chunk size. */
START_TEST(decode_long_base64)
{
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    struct pv_buf enc;
    pv_buf_init(&enc, 0);
    for (int i = 0; i < 4000; i++) {
        ck_assert(pv_buf_append(&enc, alphabet, 64));
        ck_assert(pv_buf_append(&enc, "\r\n", 2));
    }
    struct pv_buf out;
    pv_buf_init(&out, 0);
    ck_assert_int_eq(mail_transfer_decode(MAIL_TE_BASE64, enc.data, enc.len, &out, NULL), MAIL_OK);
    ck_assert_uint_eq(out.len, 4000u * 48u);
    ck_assert_uint_eq((unsigned char)out.data[0], 0x00);
    ck_assert_uint_eq((unsigned char)out.data[47], 0xbf); /* "89+/" */
    ck_assert_uint_eq(mail_transfer_decoded_size(MAIL_TE_BASE64, enc.data, enc.len), 4000u * 48u);
    pv_buf_free(&out);
    pv_buf_free(&enc);
}
END_TEST

static Suite *transfer_suite(void)
{
    Suite *s = suite_create("mail_transfer");
    TCase *tc = tcase_create("mail_transfer_encoding_parse");
    tcase_add_test(tc, encoding_parse_null);
    tcase_add_loop_test(tc, encoding_parse_table, 0, (int)PV_ARRAY_LEN(te_cases));
    suite_add_tcase(s, tc);
    tc = tcase_create("mail_transfer_encoding_name");
    tcase_add_test(tc, encoding_names);
    suite_add_tcase(s, tc);
    tc = tcase_create("mail_transfer_decode");
    tcase_add_test(tc, decode_null);
    tcase_add_loop_test(tc, decode_table, 0, (int)PV_ARRAY_LEN(decode_cases));
    tcase_add_test(tc, decode_respects_cap);
    tcase_add_test(tc, decode_long_base64);
    suite_add_tcase(s, tc);
    tc = tcase_create("mail_decoder");
    tcase_add_test(tc, decoder_free_null);
    tcase_add_loop_test(tc, decode_any_split, 0, (int)PV_ARRAY_LEN(decode_cases));
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(transfer_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
