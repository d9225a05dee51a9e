/*
 * Tests for src/mail/sanitize.c:
 *   void mail_sanitize(const char *in, size_t len, unsigned flags, struct pv_buf *out);
 * The hostile inputs are the terminal attacks a mail can carry: OSC 52
 * clipboard writes, CSI sequences (7-bit, 8-bit and UTF-8 encoded), window
 * title changes, bidi overrides ("Trojan Source") and zero-width text.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <popview/util.h>

#include <popview/mail.h>

#include "src/mail/private.h"

#define S(lit) lit, sizeof(lit) - 1

enum {
    NL = MAIL_SANITIZE_KEEP_NEWLINES,
    TAB = MAIL_SANITIZE_KEEP_TABS,
    ONE = MAIL_SANITIZE_ONE_LINE,
};

/* The promise: no raw byte < 0x20 (except kept TAB/LF), no 0x7F, no C1
 * character, nothing invalid. */
static void assert_terminal_safe(const struct pv_buf *b, unsigned flags)
{
    ck_assert(mail_utf8_valid(b->data, b->len));
    for (size_t i = 0; i < b->len;) {
        uint32_t cp;
        size_t n = mail_utf8_next(b->data + i, b->len - i, &cp);
        bool kept = (cp == '\t' && (flags & TAB) && !(flags & ONE)) ||
                    (cp == '\n' && (flags & NL) && !(flags & ONE));
        ck_assert_msg(kept || (cp >= 0x20 && cp != 0x7F && !(cp >= 0x80 && cp <= 0x9F)),
                      "U+%04X at %zu in \"%s\"", (unsigned)cp, i, b->data);
        i += n;
    }
}

START_TEST(sanitize_null_and_empty)
{
    struct pv_buf out;
    pv_buf_init(&out, 0);
    mail_sanitize(NULL, 5, 0, &out);
    ck_assert_uint_eq(out.len, 0);
    mail_sanitize("", 0, 0, &out);
    ck_assert_uint_eq(out.len, 0);
    mail_sanitize("abc", 3, 0, NULL); /* no buffer: nothing happens */
    pv_buf_free(&out);
}
END_TEST

static const struct {
    const char *in;
    size_t len;
    unsigned flags;
    const char *want;
} cases[] = {
    {S("plain text, ünïcödé, 日本語 😀"), 0, "plain text, ünïcödé, 日本語 😀"},
    /* C0 controls in caret notation */
    {S("a\x01z"), 0, "a^Az"},
    {S("\x00"), 0, "^@"},
    {S("bell\x07"), 0, "bell^G"},
    {S("\x1f"), 0, "^_"},
    {S("del\x7f"), 0, "del^?"},
    /* OSC 52 clipboard write, ended by BEL and by ST */
    {S("a\x1b]52;c;aGVsbG8=\x07z"), 0, "a^[]52;c;aGVsbG8=^Gz"},
    {S("\x1b]52;c;ZWNobyBwd25lZA==\x1b\\"), 0, "^[]52;c;ZWNobyBwd25lZA==^[\\"},
    /* window title, CSI colour and cursor movement */
    {S("\x1b]0;pwned\x07"), 0, "^[]0;pwned^G"},
    {S("\x1b[31mred\x1b[0m"), 0, "^[[31mred^[[0m"},
    {S("\x1b[2J\x1b[H"), 0, "^[[2J^[[H"},
    /* 8-bit C1: a lone 0x9B is broken UTF-8; U+009B encoded is shown by code */
    {S("\x9b"
       "31m"),
     0,
     "\xef\xbf\xbd"
     "31m"},
    {S("\xc2\x9b"
       "31m"),
     0, "<U+009B>31m"},
    {S("\xc2\x9d"
       "0;x\xc2\x9c"),
     0, "<U+009D>0;x<U+009C>"}, /* 8-bit OSC ... ST */
    {S("\xc2\x80\xc2\x9f"), 0, "<U+0080><U+009F>"},
    {S("\xc2\xa0"), 0, "\xc2\xa0"}, /* U+00A0 is not C1 */
    /* bidi: the RLO "Trojan Source" override, marks and isolates */
    {S("abc\xe2\x80\xaetxt.exe"), 0, "abc<U+202E>txt.exe"},
    {S("\xe2\x80\xaa\xe2\x80\xab\xe2\x80\xac\xe2\x80\xad"), 0, "<U+202A><U+202B><U+202C><U+202D>"},
    {S("\xe2\x81\xa6\xe2\x81\xa7\xe2\x81\xa8\xe2\x81\xa9"), 0, "<U+2066><U+2067><U+2068><U+2069>"},
    {S("\xe2\x80\x8e\xe2\x80\x8f\xd8\x9c"), 0, "<U+200E><U+200F><U+061C>"},
    /* zero-width characters */
    {S("pay\xe2\x80\x8bpal"), 0, "pay<U+200B>pal"},
    {S("\xe2\x80\x8c\xe2\x80\x8d\xe2\x81\xa0\xef\xbb\xbf"), 0, "<U+200C><U+200D><U+2060><U+FEFF>"},
    /* invalid UTF-8: one U+FFFD per maximal subpart */
    {S("a\xffz"), 0, "a\xef\xbf\xbdz"},
    {S("\xe2\x82"), 0, "\xef\xbf\xbd"},
    {S("\xc0\x9b"), 0, "\xef\xbf\xbd\xef\xbf\xbd"}, /* overlong CSI */
    {S("\xed\xa0\x80"), 0, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"},
    /* TAB, CR, LF by the flags */
    {S("a\tb\r\nc\nd"), 0, "a^Ib^M^Jc^Jd"},
    {S("a\tb\r\nc\nd"), TAB, "a\tb^M^Jc^Jd"},
    {S("a\tb\r\nc\nd"), NL, "a^Ib\nc\nd"},
    {S("a\tb\r\nc\nd"), NL | TAB, "a\tb\nc\nd"},
    {S("over\rwrite"), NL, "over^Mwrite"}, /* a bare CR could overwrite the line */
    {S("a\tb\r\nc"), ONE, "a b  c"},
    {S("a\tb\r\nc"), ONE | NL | TAB, "a b  c"},
    {S("x\x1b\ny"), ONE, "x^[ y"},
};

START_TEST(sanitize_table)
{
    struct pv_buf out;
    pv_buf_init(&out, 0);
    mail_sanitize(cases[_i].in, cases[_i].len, cases[_i].flags, &out);
    ck_assert_msg(out.data && strcmp(out.data, cases[_i].want) == 0, "case %d: got \"%s\"", _i,
                  out.data ? out.data : "(null)");
    assert_terminal_safe(&out, cases[_i].flags);
    pv_buf_free(&out);
}
END_TEST

START_TEST(sanitize_appends)
{
    struct pv_buf out;
    pv_buf_init(&out, 0);
    ck_assert(pv_buf_append_str(&out, "Subject: "));
    mail_sanitize(S("\x1b[1mhi"), 0, &out);
    ck_assert_str_eq(out.data, "Subject: ^[[1mhi");
    pv_buf_free(&out);
}
END_TEST

START_TEST(sanitize_stops_at_cap_on_boundary)
{
    struct pv_buf out;
    pv_buf_init(&out, 4);
    mail_sanitize(S("ab\xe2\x82\xac"), 0, &out); /* "ab€" is 5 bytes */
    ck_assert_str_eq(out.data, "ab");
    pv_buf_reset(&out);
    mail_sanitize(S("abc\x1b"), 0, &out); /* "^[" does not fit whole */
    ck_assert_str_eq(out.data, "abc");
    pv_buf_free(&out);
}
END_TEST

/* Every byte value, alone and in random strings, comes out safe. */
START_TEST(sanitize_random_bytes_are_safe)
{
    static const unsigned flag_sets[] = {0, NL, TAB, NL | TAB, ONE};
    for (int c = 0; c < 256; c++) {
        char b = (char)c;
        struct pv_buf out;
        pv_buf_init(&out, 0);
        mail_sanitize(&b, 1, 0, &out);
        assert_terminal_safe(&out, 0);
        pv_buf_free(&out);
    }
    uint32_t seed = 777;
    char in[300];
    for (int round = 0; round < 500; round++) {
        for (size_t i = 0; i < sizeof in; i++) {
            seed = seed * 1103515245u + 12345u;
            unsigned r = seed >> 16;
            /* bias towards the interesting bytes */
            static const char pick[] = {'\x1b', '\x07', '\x9b', '\xc2', '\xe2', '\x80',
                                        '\xae', '\n',   '\r',   '\t',   '\x7f', 'a'};
            in[i] = r % 3 ? pick[r % sizeof pick] : (char)r;
        }
        unsigned flags = flag_sets[round % PV_ARRAY_LEN(flag_sets)];
        struct pv_buf out;
        pv_buf_init(&out, 0);
        mail_sanitize(in, sizeof in, flags, &out);
        assert_terminal_safe(&out, flags);
        pv_buf_free(&out);
    }
}
END_TEST

static Suite *sanitize_suite(void)
{
    Suite *s = suite_create("sanitize");
    TCase *tc = tcase_create("mail_sanitize");
    tcase_add_test(tc, sanitize_null_and_empty);
    tcase_add_loop_test(tc, sanitize_table, 0, (int)PV_ARRAY_LEN(cases));
    tcase_add_test(tc, sanitize_appends);
    tcase_add_test(tc, sanitize_stops_at_cap_on_boundary);
    tcase_add_test(tc, sanitize_random_bytes_are_safe);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(sanitize_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
