/*
 * Tests for src/mail/rfc2047.c:
 *   char *mail_decode_header_text(const char *raw);
 * Inputs are what real mailers send, including the ways they break
 * RFC 2047.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <popview/util.h>

#include <popview/mail.h>

#include "src/mail/private.h"

START_TEST(decode_null_and_empty)
{
    char *s = mail_decode_header_text(NULL);
    ck_assert_str_eq(s, "");
    free(s);
    s = mail_decode_header_text("");
    ck_assert_str_eq(s, "");
    free(s);
}
END_TEST

static const struct {
    const char *raw;
    const char *want;
} decode_cases[] = {
    /* plain text passes; white space outside encoded words is kept */
    {"Hello  world", "Hello  world"},
    {"Re: =?UTF-8?B?w6k=?=", "Re: é"},
    /* B and Q, upper and lower case */
    {"=?UTF-8?B?8J+YgA==?= smile", "😀 smile"},
    {"=?utf-8?b?w6k=?=", "é"},
    {"=?utf-8?q?Gr=C3=BC=c3=9Fe?=", "Grüße"},
    {"=?UTF-8?Q?a_b_c?=", "a b c"},
    {"=?utf-8?Q?100=25_sure?=", "100% sure"},
    /* adjacent encoded words: the white space between them is dropped */
    {"=?utf-8?q?Gr=C3=BC=C3=9Fe?= =?utf-8?q?_aus_Berlin?=", "Grüße aus Berlin"},
    {"=?UTF-8?Q?a?=\r\n =?UTF-8?Q?b?=\t=?UTF-8?Q?c?=", "abc"},
    {"=?ISO-8859-1?Q?a?= =?UTF-8?Q?b?=", "ab"}, /* also across charsets */
    /* but kept next to plain text */
    {"a =?utf-8?q?x?= b", "a x b"},
    {"=?utf-8?q?x?= - =?utf-8?q?y?=", "x - y"},
    /* glued to other text, as many mailers write it */
    {"Re:=?UTF-8?B?w6k=?=abc", "Re:éabc"},
    {"foo=?utf-8?q?bar?=baz", "foobarbaz"},
    /* a multibyte character split across two words */
    {"=?UTF-8?B?4oI=?= =?UTF-8?B?rA==?=", "€"},
    {"=?utf-8?Q?=E2=82?= =?UTF-8?q?=AC_ok?=", "€ ok"},
    {"=?Shift_JIS?B?gg==?= =?shift_jis?B?sYLx?=", "こん"},
    {"=?UTF-8?B?5pel5pys6Kqe44OG?= =?UTF-8?B?44Kt44K544OI?=", "日本語テキスト"},
    /* RFC 2231 language suffix */
    {"=?US-ASCII*EN?Q?Keith_Moore?=", "Keith Moore"},
    {"=?utf-8*de?q?a?= =?UTF-8?Q?b?=", "ab"},
    /* legacy charsets */
    {"=?ISO-8859-1?Q?Andr=E9?= Pirard", "André Pirard"},
    {"=?iso-8859-1?q?=80?=", "€"},
    {"=?KOI8-R?B?8NLJ18XUIM3J0g==?=", "Привет мир"},
    {"=?windows-1251?Q?=CF=F0=E8=E2=E5=F2?=", "Привет"},
    {"=?ISO-2022-JP?B?GyRCJDMkcyRLJEEkTxsoQg==?=", "こんにちは"},
    {"=?Shift_JIS?B?grGC8YLJgr+CzQ==?=", "こんにちは"},
    {"=?GB2312?B?xOO6ww==?=", "你好"},
    {"=?gb18030?B?xOO6ww==?=", "你好"},
    {"=?Big5?B?wWPF6aSkpOU=?=", "繁體中文"},
    {"=?ks_c_5601-1987?B?x9Gxub7u?=", "한국어"},
    /* malformed words stay as written */
    {"=?utf-8?B?!!!?= x", "=?utf-8?B?!!!?= x"},
    {"=?utf-8?B?w6k?=", "é"},           /* missing padding is forgiven */
    {"=?utf-8?B?w?=", "=?utf-8?B?w?="}, /* a dangling sixth of a byte is not */
    {"=?utf-8?B?w6=k?=", "=?utf-8?B?w6=k?="},
    {"=?utf-8?x?abc?=", "=?utf-8?x?abc?="},
    {"=?utf-8?q?unterminated", "=?utf-8?q?unterminated"},
    {"=??q?abc?=", "=??q?abc?="},
    {"=?utf-8?q?a b?=", "=?utf-8?q?a b?="},
    {"=?utf-8?q?=ZZ=4?=", "=ZZ=4"},
    {"=?utf-8?q?"
     "?=",
     ""}, /* split: "??=" is a trigraph */
    /* a bad word between good ones keeps its spaces */
    {"=?utf-8?q?a?= =?utf-8?B?*?= =?utf-8?q?b?=", "a =?utf-8?B?*?= b"},
    /* unknown charset: best effort */
    {"=?x-bogus?q?abc=FF?=", "abc\xef\xbf\xbd"},
    /* raw 8-bit: UTF-8 kept, else Windows-1252 */
    {"caf\xc3\xa9", "café"},
    {"caf\xe9 =?utf-8?q?=C3=A9?=", "café é"},
    /* folding removed from plain text */
    {"a\r\n b", "a b"},
    /* NUL cannot travel in a C string */
    {"=?utf-8?q?a=00b?=", "a\xef\xbf\xbd"
                          "b"},
    /* decoded controls are left for the sanitizer */
    {"=?utf-8?q?=1B]0;x=07?=", "\x1b]0;x\x07"},
};

START_TEST(decode_table)
{
    char *s = mail_decode_header_text(decode_cases[_i].raw);
    ck_assert_msg(strcmp(s, decode_cases[_i].want) == 0, "case %d \"%s\": got \"%s\"", _i,
                  decode_cases[_i].raw, s);
    ck_assert(mail_utf8_valid(s, strlen(s)));
    free(s);
}
END_TEST

/* A subject made of many words splits multibyte characters anywhere. */
START_TEST(decode_long_split_run)
{
    /* "ÄÖÜ" * 20 in UTF-8 is 120 bytes; cut into words of 7 bytes each */
    struct pv_buf raw, want;
    pv_buf_init(&raw, 0);
    pv_buf_init(&want, 0);
    for (int i = 0; i < 20; i++)
        ck_assert(pv_buf_append_str(&want, "ÄÖÜ"));
    for (size_t at = 0; at < want.len; at += 7) {
        ck_assert(pv_buf_append_str(&raw, at ? "\r\n =?UTF-8?Q?" : "=?UTF-8?Q?"));
        for (size_t j = at; j < at + 7 && j < want.len; j++)
            ck_assert(pv_buf_printf(&raw, "=%02X", (unsigned char)want.data[j]));
        ck_assert(pv_buf_append_str(&raw, "?="));
    }
    char *s = mail_decode_header_text(raw.data);
    ck_assert_str_eq(s, want.data);
    free(s);
    pv_buf_free(&raw);
    pv_buf_free(&want);
}
END_TEST

static Suite *rfc2047_suite(void)
{
    Suite *s = suite_create("rfc2047");
    TCase *tc = tcase_create("mail_decode_header_text");
    tcase_add_test(tc, decode_null_and_empty);
    tcase_add_loop_test(tc, decode_table, 0, (int)PV_ARRAY_LEN(decode_cases));
    tcase_add_test(tc, decode_long_split_run);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(rfc2047_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
