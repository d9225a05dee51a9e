/*
 * Tests for src/mail/charset.c:
 *   enum mail_status mail_charset_to_utf8(const char *charset, const char *in,
 *                                         size_t len, struct pv_buf *out);
 *   char *mail_utf8_or_legacy(const char *in, size_t len);
 * and the UTF-8 helpers of src/mail/private.h (mail_utf8_next,
 * mail_utf8_valid), which the other mail tests use to check their outputs.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <popview/util.h>

#include <popview/mail.h>

#include "src/mail/private.h"

#define S(lit) lit, sizeof(lit) - 1

/* ---- mail_utf8_next / mail_utf8_valid ----------------------------------- */

static const struct {
    const char *in;
    size_t len;
    bool valid;
} utf8_cases[] = {
    {S(""), true},
    {S("plain ascii"), true},
    {S("\xc3\xa9"), true},          /* é */
    {S("\xe2\x82\xac"), true},      /* € */
    {S("\xf0\x9f\x98\x80"), true},  /* 😀 */
    {S("\xf4\x8f\xbf\xbf"), true},  /* U+10FFFF */
    {S("a\0b"), true},              /* NUL is a character */
    {S("\xc0\xaf"), false},         /* overlong '/' */
    {S("\xe0\x80\xaf"), false},     /* overlong */
    {S("\xed\xa0\x80"), false},     /* surrogate U+D800 */
    {S("\xf4\x90\x80\x80"), false}, /* above U+10FFFF */
    {S("\xf5\x80\x80\x80"), false},
    {S("\xe2\x82"), false}, /* cut off */
    {S("\x80"), false},     /* lone continuation */
    {S("\xff"), false},
    {S("ok\xc3"), false},
};

START_TEST(utf8_valid_table)
{
    ck_assert_msg(mail_utf8_valid(utf8_cases[_i].in, utf8_cases[_i].len) == utf8_cases[_i].valid,
                  "case %d", _i);
}
END_TEST

START_TEST(utf8_next_maximal_subparts)
{
    uint32_t cp;
    ck_assert_uint_eq(mail_utf8_next(S("\xe2\x82\xac"), &cp), 3);
    ck_assert_uint_eq(cp, 0x20AC);
    /* E2 82 followed by 'x': the two bytes are one maximal subpart */
    ck_assert_uint_eq(mail_utf8_next(S("\xe2\x82x"), &cp), 2);
    ck_assert_uint_eq(cp, MAIL_UTF8_INVALID);
    /* ED A0: A0 cannot follow ED, so ED alone is the subpart */
    ck_assert_uint_eq(mail_utf8_next(S("\xed\xa0\x80"), &cp), 1);
    ck_assert_uint_eq(cp, MAIL_UTF8_INVALID);
    ck_assert_uint_eq(mail_utf8_next(S("\xf0\x9f\x98"), &cp), 3);
    ck_assert_uint_eq(cp, MAIL_UTF8_INVALID);
}
END_TEST

/* ---- mail_charset_to_utf8 ------------------------------------------------ */

START_TEST(charset_null_and_empty)
{
    struct pv_buf out;
    pv_buf_init(&out, 0);
    ck_assert_int_eq(mail_charset_to_utf8(NULL, NULL, 0, &out), MAIL_OK);
    ck_assert_uint_eq(out.len, 0);
    ck_assert_int_eq(mail_charset_to_utf8("", "", 0, &out), MAIL_OK);
    ck_assert_int_eq(mail_charset_to_utf8("utf-8", NULL, 5, &out), MAIL_OK);
    ck_assert_uint_eq(out.len, 0);
    ck_assert_int_eq(mail_charset_to_utf8(NULL, S("abc"), &out), MAIL_OK);
    ck_assert_str_eq(out.data, "abc");
    pv_buf_free(&out);
}
END_TEST

static const struct {
    const char *charset;
    const char *in;
    size_t len;
    const char *want;
    enum mail_status status;
} convert_cases[] = {
    /* US-ASCII and undeclared text that lies: UTF-8 kept, else Windows-1252 */
    {"us-ascii", S("caf\xc3\xa9"), "café", MAIL_OK},
    {"US-ASCII", S("caf\xe9 \x80"), "café €", MAIL_OK},
    {"", S("caf\xe9"), "café", MAIL_OK},
    {"x-unknown", S("\x93hi\x94"), "“hi”", MAIL_OK},
    {"us-ascii*en", S("abc"), "abc", MAIL_OK},
    /* ISO-8859-1 is read as Windows-1252 (WHATWG) */
    {"ISO-8859-1",
     S("Gr\xfc\xdf"
       "e"),
     "Grüße", MAIL_OK},
    {"iso-8859-1", S("\x80 5"), "€ 5", MAIL_OK},
    {"latin1", S("caf\xe9"), "café", MAIL_OK},
    {"\"Latin1\"", S("caf\xe9"), "café", MAIL_OK},
    {"windows-1252", S("\x93quoted\x94 \x85"), "“quoted” …", MAIL_OK},
    {"cp1252", S("\x81"), "\xc2\x81", MAIL_OK}, /* unassigned: the C1 of that value */
    {"ISO-8859-9", S("\xddstanbul"), "İstanbul", MAIL_OK},
    /* Cyrillic */
    {"KOI8-R", S("\xf0\xd2\xc9\xd7\xc5\xd4"), "Привет", MAIL_OK},
    {"koi8-r", S("\xf0\xd2\xc9\xd7\xc5\xd4 \xcd\xc9\xd2"), "Привет мир", MAIL_OK},
    {"windows-1251", S("\xcf\xf0\xe8\xe2\xe5\xf2"), "Привет", MAIL_OK},
    /* Japanese */
    {"ISO-2022-JP", S("\x1b$B$3$s$K$A$O\x1b(B"), "こんにちは", MAIL_OK},
    {"iso-2022-jp", S("a\x1b$B$3\x1b(Bb"), "aこb", MAIL_OK},
    {"Shift_JIS", S("\x82\xb1\x82\xf1\x82\xc9\x82\xbf\x82\xcd"), "こんにちは", MAIL_OK},
    {"shift_jis", S("\x87\x40"), "①", MAIL_OK}, /* CP932 extension, as sent */
    {"EUC-JP", S("\xa4\xb3\xa4\xf3"), "こん", MAIL_OK},
    /* Chinese */
    {"GB2312", S("\xc4\xe3\xba\xc3\xca\xc0\xbd\xe7"), "你好世界", MAIL_OK},
    {"gb2312", S("\x81\x40"), "丂", MAIL_OK}, /* GBK-only: read as GB18030 */
    {"GB18030", S("\x95\x32\x82\x36"), "\xf0\xa0\x80\x80", MAIL_OK},
    {"Big5", S("\xc1\x63\xc5\xe9\xa4\xa4\xa4\xe5"), "繁體中文", MAIL_OK},
    /* Korean: KS_C_5601-1987 is what Outlook calls CP949 */
    {"ks_c_5601-1987", S("\xc7\xd1\xb1\xb9\xbe\xee"), "한국어", MAIL_OK},
    {"EUC-KR", S("\xc7\xd1\xb1\xdb"), "한글", MAIL_OK},
    /* Unicode */
    {"UTF-8", S("\xe6\x97\xa5\xe6\x9c\xac"), "日本", MAIL_OK},
    {"utf8", S("a\xffz"), "a\xef\xbf\xbdz", MAIL_OK},
    {"utf-8", S("\xe2\x82"), "\xef\xbf\xbd", MAIL_OK},
    {"utf-8", S("\xed\xa0\x80"), "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd", MAIL_OK},
    {"utf-8", S("\xc0\xaf"), "\xef\xbf\xbd\xef\xbf\xbd", MAIL_OK},
    {"unicode-1-1-utf-7", S("Hi +ZeVnLIqe-"), "Hi 日本語", MAIL_OK},
    {"UTF-16LE", S("a\0b"), "a\xef\xbf\xbd", MAIL_OK}, /* odd byte at the end */
    /* broken input in a multibyte charset: U+FFFD and go on */
    {"Shift_JIS", S("\x82"), "\xef\xbf\xbd", MAIL_OK},
    {"Shift_JIS",
     S("a\x82\xb1\xff"
       "b"),
     "aこ\xef\xbf\xbd"
     "b",
     MAIL_OK},
    {"GB2312", S("\xc4\xe3\xff\xc4\xe3"), "你\xef\xbf\xbd你", MAIL_OK},
    /* unknown: valid UTF-8 kept, other bytes U+FFFD */
    {"x-bogus", S("ok\xc3\xa9\xff"), "oké\xef\xbf\xbd", MAIL_ERR_CHARSET},
    {"utf-8//IGNORE", S("ok"), "ok", MAIL_ERR_CHARSET}, /* never handed to iconv */
    {"a-name-much-longer-than-any-charset-name-that-iana-ever-registered-x", S("ok"), "ok",
     MAIL_ERR_CHARSET},
};

START_TEST(charset_convert_table)
{
    struct pv_buf out;
    pv_buf_init(&out, 0);
    enum mail_status st = mail_charset_to_utf8(convert_cases[_i].charset, convert_cases[_i].in,
                                               convert_cases[_i].len, &out);
    ck_assert_msg(st == convert_cases[_i].status, "case %d (%s): status %d", _i,
                  convert_cases[_i].charset, st);
    ck_assert_msg(out.data && strcmp(out.data, convert_cases[_i].want) == 0,
                  "case %d (%s): got \"%s\"", _i, convert_cases[_i].charset,
                  out.data ? out.data : "(null)");
    ck_assert(mail_utf8_valid(out.data, out.len));
    pv_buf_free(&out);
}
END_TEST

START_TEST(charset_appends_and_keeps_nul)
{
    struct pv_buf out;
    pv_buf_init(&out, 0);
    ck_assert(pv_buf_append_str(&out, "x:"));
    ck_assert_int_eq(mail_charset_to_utf8("utf-8", S("a\0b"), &out), MAIL_OK);
    ck_assert_uint_eq(out.len, 5);
    ck_assert_mem_eq(out.data, "x:a\0b", 5);
    pv_buf_free(&out);
}
END_TEST

START_TEST(charset_respects_cap_at_char_boundary)
{
    struct pv_buf out;
    pv_buf_init(&out, 5);
    mail_charset_to_utf8("iso-8859-1", S("\xe9\xe9\xe9\xe9"), &out);
    ck_assert_uint_le(out.len, 5);
    ck_assert_str_eq(out.data, "éé");
    pv_buf_reset(&out);
    mail_charset_to_utf8("koi8-r", S("\xf0\xd2\xc9\xd7"), &out);
    ck_assert_str_eq(out.data, "Пр");
    pv_buf_free(&out);
}
END_TEST

/* Whatever the bytes and the charset, the output is valid UTF-8. */
START_TEST(charset_random_bytes_give_valid_utf8)
{
    static const char *const charsets[] = {
        NULL,      "utf-8",  "iso-8859-1",   "koi8-r",         "iso-2022-jp", "shift_jis",
        "gb2312",  "big5",   "euc-kr",       "ks_c_5601-1987", "utf-7",       "utf-16",
        "x-bogus", "euc-jp", "windows-1251", "gb18030",
    };
    uint32_t seed = 12345;
    char in[257];
    for (int round = 0; round < 200; round++) {
        for (size_t i = 0; i < sizeof in; i++) {
            seed = seed * 1103515245u + 12345u;
            in[i] = (char)(seed >> 16);
        }
        struct pv_buf out;
        pv_buf_init(&out, 0);
        const char *cs = charsets[round % PV_ARRAY_LEN(charsets)];
        mail_charset_to_utf8(cs, in, (size_t)round + 1, &out);
        ck_assert_msg(mail_utf8_valid(out.data, out.len), "charset %s round %d", cs ? cs : "(null)",
                      round);
        pv_buf_free(&out);
    }
}
END_TEST

/* ---- mail_utf8_or_legacy ------------------------------------------------- */

START_TEST(legacy_null_and_empty)
{
    char *s = mail_utf8_or_legacy(NULL, 0);
    ck_assert_str_eq(s, "");
    free(s);
    s = mail_utf8_or_legacy("", 0);
    ck_assert_str_eq(s, "");
    free(s);
}
END_TEST

static const struct {
    const char *in;
    size_t len;
    const char *want;
} legacy_cases[] = {
    {S("plain"), "plain"},
    {S("caf\xc3\xa9"), "café"}, /* valid UTF-8 kept */
    {S("caf\xe9"), "café"},     /* Latin-1 byte */
    {S("\x80 \x99"), "€ ™"},    /* Windows-1252 range */
    {S("\xc3\xa9\xe9"), "éé"},  /* mixed */
    {S("\xe2\x82"), "â‚"},      /* broken UTF-8 read as 1252 */
    {S("a\0b"), "a\xef\xbf\xbd"
                "b"}, /* NUL cannot be in a C string */
    {S("\x9b"
       "31m"),
     "›31m"},                /* 8-bit CSI is a quote mark in 1252 */
    {S("\x8d"), "\xc2\x8d"}, /* unassigned: the C1, for the sanitizer */
};

START_TEST(legacy_table)
{
    char *s = mail_utf8_or_legacy(legacy_cases[_i].in, legacy_cases[_i].len);
    ck_assert_msg(strcmp(s, legacy_cases[_i].want) == 0, "case %d: got \"%s\"", _i, s);
    ck_assert(mail_utf8_valid(s, strlen(s)));
    free(s);
}
END_TEST

static Suite *charset_suite(void)
{
    Suite *s = suite_create("charset");
    TCase *tc = tcase_create("utf8_helpers");
    tcase_add_loop_test(tc, utf8_valid_table, 0, (int)PV_ARRAY_LEN(utf8_cases));
    tcase_add_test(tc, utf8_next_maximal_subparts);
    suite_add_tcase(s, tc);

    tc = tcase_create("mail_charset_to_utf8");
    tcase_add_test(tc, charset_null_and_empty);
    tcase_add_loop_test(tc, charset_convert_table, 0, (int)PV_ARRAY_LEN(convert_cases));
    tcase_add_test(tc, charset_appends_and_keeps_nul);
    tcase_add_test(tc, charset_respects_cap_at_char_boundary);
    tcase_add_test(tc, charset_random_bytes_give_valid_utf8);
    suite_add_tcase(s, tc);

    tc = tcase_create("mail_utf8_or_legacy");
    tcase_add_test(tc, legacy_null_and_empty);
    tcase_add_loop_test(tc, legacy_table, 0, (int)PV_ARRAY_LEN(legacy_cases));
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(charset_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
