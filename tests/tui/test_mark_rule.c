/*
 * Tests for src/tui/mark_rule.c, the rule typed after D:
 *   bool mark_rule_parse(const char *input, struct mark_rule *rule_out, struct pv_error *err);
 *   bool mark_rule_matches(const struct mark_rule *rule, const struct mailbox_summary *s,
 *                          bool *unknown_out);
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <popview/util.h>

#include <popview/mailbox.h>

#include "src/tui/private.h"

START_TEST(parse_null_and_empty)
{
    struct mark_rule r;
    struct pv_error err;
    pv_error_clear(&err);
    ck_assert(!mark_rule_parse(NULL, &r, &err));
    ck_assert(strstr(err.msg, "no rule given") != NULL);
    ck_assert(!mark_rule_parse("   ", &r, &err));
}
END_TEST

static const struct {
    const char *in;
    bool ok;
    enum mark_rule_kind kind;
    uint64_t octets;
    const char *text;
} parse_cases[] = {
    {">2M", true, MARK_RULE_LARGER, 2 * 1024 * 1024, ""},
    {"> 500k", true, MARK_RULE_LARGER, 500 * 1024, ""},
    {">1.5K", true, MARK_RULE_LARGER, 1536, ""},
    {">12000", true, MARK_RULE_LARGER, 12000, ""},
    {">300B", true, MARK_RULE_LARGER, 300, ""},
    {">1G", true, MARK_RULE_LARGER, 1024ull * 1024 * 1024, ""},
    {">", false, MARK_RULE_LARGER, 0, ""},
    {">2Q", false, MARK_RULE_LARGER, 0, ""},
    {">-1", false, MARK_RULE_LARGER, 0, ""},
    {">1.", false, MARK_RULE_LARGER, 0, ""},
    {"<2024-01-01", true, MARK_RULE_OLDER, 0, ""},
    {"<2024-02-31", false, MARK_RULE_OLDER, 0, ""},
    {"<2024-13-01", false, MARK_RULE_OLDER, 0, ""},
    {"<yesterday", false, MARK_RULE_OLDER, 0, ""},
    {"<2024-01-01x", false, MARK_RULE_OLDER, 0, ""},
    {"  garden  ", true, MARK_RULE_TEXT, 0, "garden"},
    {"Re: Community", true, MARK_RULE_TEXT, 0, "Re: Community"},
};

START_TEST(parse_table)
{
    struct mark_rule r;
    struct pv_error err;
    pv_error_clear(&err);
    bool ok = mark_rule_parse(parse_cases[_i].in, &r, &err);
    ck_assert_msg(ok == parse_cases[_i].ok, "'%s': %s", parse_cases[_i].in, err.msg);
    if (!ok) {
        ck_assert(err.msg[0] != '\0');
        return;
    }
    ck_assert_int_eq(r.kind, parse_cases[_i].kind);
    ck_assert_uint_eq(r.octets, parse_cases[_i].octets);
    ck_assert_str_eq(r.text, parse_cases[_i].text);
}
END_TEST

START_TEST(parse_date_is_local_midnight)
{
    struct mark_rule r;
    ck_assert(mark_rule_parse("<2024-01-01", &r, NULL));
    ck_assert_int_eq(r.before, 1704067200); /* TZ=UTC */
}
END_TEST

START_TEST(parse_text_too_long)
{
    char in[MARK_RULE_TEXT_MAX + 8];
    memset(in, 'a', sizeof in - 1);
    in[sizeof in - 1] = '\0';
    struct mark_rule r;
    struct pv_error err;
    pv_error_clear(&err);
    ck_assert(!mark_rule_parse(in, &r, &err));
    ck_assert(strstr(err.msg, "longer") != NULL);
}
END_TEST

static struct mailbox_summary summary(bool loaded, uint64_t size, int64_t date, const char *from,
                                      const char *subject)
{
    struct mailbox_summary s = {.msgno = 1,
                                .size = size,
                                .loaded = loaded,
                                .has_date = loaded,
                                .date = date,
                                .from = from,
                                .subject = subject};
    return s;
}

START_TEST(matches_by_kind)
{
    struct mark_rule r;
    bool unknown;
    struct mailbox_summary big = summary(false, 3 * 1024 * 1024, 0, "", "");
    struct mailbox_summary small = summary(true, 100, 1704067199, "Priya Raman", "Garden budget");

    ck_assert(mark_rule_parse(">2M", &r, NULL));
    ck_assert(mark_rule_matches(&r, &big, &unknown));
    ck_assert(!unknown); /* the size is known from LIST before the header */
    ck_assert(!mark_rule_matches(&r, &small, &unknown));

    ck_assert(mark_rule_parse("<2024-01-01", &r, NULL));
    ck_assert(mark_rule_matches(&r, &small, &unknown)); /* one second before */
    ck_assert(!mark_rule_matches(&r, &big, &unknown));
    ck_assert(unknown);
    small.date = 1704067200;
    ck_assert(!mark_rule_matches(&r, &small, &unknown));
    small.has_date = false;
    ck_assert(!mark_rule_matches(&r, &small, &unknown));
    ck_assert(unknown);

    ck_assert(mark_rule_parse("GARDEN", &r, NULL));
    ck_assert(mark_rule_matches(&r, &small, &unknown)); /* Subject */
    ck_assert(mark_rule_parse("raman", &r, NULL));
    ck_assert(mark_rule_matches(&r, &small, &unknown)); /* From */
    ck_assert(mark_rule_parse("invoice", &r, NULL));
    ck_assert(!mark_rule_matches(&r, &small, &unknown));
    ck_assert(!unknown);
    ck_assert(!mark_rule_matches(&r, &big, &unknown));
    ck_assert(unknown);
}
END_TEST

static Suite *rule_suite(void)
{
    Suite *s = suite_create("tui_mark_rule");
    TCase *tc = tcase_create("mark_rule_parse");
    tcase_add_test(tc, parse_null_and_empty);
    tcase_add_loop_test(tc, parse_table, 0, (int)PV_ARRAY_LEN(parse_cases));
    tcase_add_test(tc, parse_date_is_local_midnight);
    tcase_add_test(tc, parse_text_too_long);
    suite_add_tcase(s, tc);
    tc = tcase_create("mark_rule_matches");
    tcase_add_test(tc, matches_by_kind);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    setenv("TZ", "UTC", 1);
    tzset();
    SRunner *sr = srunner_create(rule_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
