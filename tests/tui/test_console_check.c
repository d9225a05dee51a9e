/*
 * Tests for src/tui/console_check.c, the console's pure parts:
 *   void console_check(const struct explain *ex, const struct console_session *cs,
 *                      const char *line, struct console_result *out);
 *   void console_mask(const char *line, char *out, size_t out_size);
 *   bool console_has_secret(const char *line);
 *   size_t console_complete(const char *line, char *out, size_t out_size, char *names,
 *                           size_t names_size);
 *   size_t console_valid_commands(const struct console_session *cs,
 *                                 const struct pop3_cmd_info **out, size_t max);
 *   void console_history_add(struct console_history *h, const char *line);
 *   const char *console_history_move(struct console_history *h, bool up);
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <popview/util.h>

#include <popview/pop3.h>

#include <popview/mailbox.h>

#include "src/tui/teach.h"

static struct explain *ex;

static void setup(void)
{
    struct pv_error err;
    pv_error_clear(&err);
    ex = explain_builtin("en", &err);
    ck_assert_msg(ex != NULL, "%s", err.msg);
}

static void teardown(void)
{
    explain_free(&ex);
}

/* The demo after login: 28 messages, message 3 marked. */
static const char *const CAPA_AFTER_LOGIN[] = {"TOP", "UIDL", "RESP-CODES", "PIPELINING",
                                               "EXPIRE NEVER"};
static const char *const CAPA_BEFORE_LOGIN[] = {"TOP", "UIDL", "USER", "SASL PLAIN"};

static bool third_is_marked(void *ctx, unsigned msgno)
{
    (void)ctx;
    return msgno == 3;
}

static struct console_session session(enum pop3_state st, bool capa_known)
{
    bool before = st == POP3_STATE_AUTHORIZATION;
    return (struct console_session){
        .state = st,
        .capa_known = capa_known,
        .capa = before ? CAPA_BEFORE_LOGIN : CAPA_AFTER_LOGIN,
        .capa_count = before ? PV_ARRAY_LEN(CAPA_BEFORE_LOGIN) : PV_ARRAY_LEN(CAPA_AFTER_LOGIN),
        .messages = before ? 0 : 28,
        .is_marked = third_is_marked,
    };
}

/* ---- console_check ------------------------------------------------------ */

START_TEST(check_null_and_empty)
{
    struct console_session cs = session(POP3_STATE_TRANSACTION, true);
    struct console_result r;
    console_check(ex, &cs, NULL, &r);
    ck_assert_int_eq(r.verdict, CONSOLE_EMPTY);
    console_check(ex, &cs, "   ", &r);
    ck_assert_int_eq(r.verdict, CONSOLE_EMPTY);
    /* Without explanations the checker still decides, and says which text is missing. */
    console_check(NULL, &cs, "USER x", &r);
    ck_assert_int_eq(r.verdict, CONSOLE_ASK);
    ck_assert_str_eq(r.why, "check.state");
}
END_TEST

static const struct {
    enum pop3_state state;
    bool capa_known;
    const char *line;
    enum console_verdict verdict;
    enum console_action action;
    const char *why; /* a part of the explanation, or NULL */
} check_cases[] = {
    /* fine */
    {POP3_STATE_TRANSACTION, true, "NOOP", CONSOLE_SEND, CONSOLE_ACT_RAW, NULL},
    {POP3_STATE_TRANSACTION, true, "stat", CONSOLE_SEND, CONSOLE_ACT_RAW, NULL},
    {POP3_STATE_TRANSACTION, true, "  LIST 4", CONSOLE_SEND, CONSOLE_ACT_RAW, NULL},
    {POP3_STATE_TRANSACTION, true, "TOP 2 5", CONSOLE_SEND, CONSOLE_ACT_RAW, NULL},
    {POP3_STATE_TRANSACTION, true, "UIDL", CONSOLE_SEND, CONSOLE_ACT_RAW, NULL},
    {POP3_STATE_TRANSACTION, true, "CAPA", CONSOLE_SEND, CONSOLE_ACT_RAW, NULL},
    {POP3_STATE_TRANSACTION, true, "DELE 4", CONSOLE_SEND, CONSOLE_ACT_MARK, NULL},
    {POP3_STATE_TRANSACTION, true, "rset", CONSOLE_SEND, CONSOLE_ACT_UNMARK_ALL, NULL},
    {POP3_STATE_TRANSACTION, true, "QUIT", CONSOLE_SEND, CONSOLE_ACT_QUIT, NULL},
    {POP3_STATE_AUTHORIZATION, true, "USER bob", CONSOLE_SEND, CONSOLE_ACT_RAW, NULL},
    {POP3_STATE_AUTHORIZATION, true, "QUIT", CONSOLE_SEND, CONSOLE_ACT_QUIT, NULL},
    /* without CAPA nothing is assumed */
    {POP3_STATE_TRANSACTION, false, "LANG", CONSOLE_SEND, CONSOLE_ACT_RAW, NULL},
    /* the server would refuse: ask */
    {POP3_STATE_TRANSACTION, true, "USER x", CONSOLE_ASK, CONSOLE_ACT_RAW,
     "USER is not allowed in the TRANSACTION state"},
    {POP3_STATE_TRANSACTION, true, "APOP demo 0123", CONSOLE_ASK, CONSOLE_ACT_RAW,
     "not allowed in the TRANSACTION state"},
    {POP3_STATE_AUTHORIZATION, true, "STAT", CONSOLE_ASK, CONSOLE_ACT_RAW,
     "STAT is not allowed in the AUTHORIZATION state"},
    {POP3_STATE_TRANSACTION, true, "LANG", CONSOLE_ASK, CONSOLE_ACT_RAW, "did not announce LANG"},
    {POP3_STATE_AUTHORIZATION, true, "UTF8", CONSOLE_ASK, CONSOLE_ACT_RAW, "announce UTF8"},
    {POP3_STATE_TRANSACTION, true, "DELE 3", CONSOLE_ASK, CONSOLE_ACT_RAW,
     "message 3 is marked for deletion already"},
    {POP3_STATE_TRANSACTION, true, "RETR 3", CONSOLE_ASK, CONSOLE_ACT_RAW, "marked"},
    {POP3_STATE_TRANSACTION, true, "DELE 99", CONSOLE_ASK, CONSOLE_ACT_RAW,
     "no message 99: this session numbers them from 1 to 28"},
    {POP3_STATE_TRANSACTION, true, "RETR 0", CONSOLE_ASK, CONSOLE_ACT_RAW, "no message 0"},
    {POP3_STATE_TRANSACTION, true, "DELE two", CONSOLE_ASK, CONSOLE_ACT_RAW,
     "\"two\" is not a message number"},
    {POP3_STATE_TRANSACTION, true, "TOP 1 x", CONSOLE_ASK, CONSOLE_ACT_RAW,
     "\"x\" is not a number of lines"},
    /* cannot be sent */
    {POP3_STATE_TRANSACTION, true, "XYZZY 1", CONSOLE_REFUSE, CONSOLE_ACT_RAW,
     "\"XYZZY\" is not a POP3 command"},
    {POP3_STATE_TRANSACTION, true, "DELE", CONSOLE_REFUSE, CONSOLE_ACT_RAW,
     "write it as: DELE message-number"},
    {POP3_STATE_TRANSACTION, true, "NOOP now", CONSOLE_REFUSE, CONSOLE_ACT_RAW, "NOOP"},
    {POP3_STATE_TRANSACTION, true, "TOP 1", CONSOLE_REFUSE, CONSOLE_ACT_RAW,
     "TOP message-number lines"},
    {POP3_STATE_TRANSACTION, true, "LIST 1 2 3 4 5", CONSOLE_REFUSE, CONSOLE_ACT_RAW, "LIST"},
    {POP3_STATE_AUTHORIZATION, true, "STLS", CONSOLE_REFUSE, CONSOLE_ACT_RAW,
     "STLS cannot be typed here"},
    {POP3_STATE_AUTHORIZATION, true, "AUTH PLAIN", CONSOLE_REFUSE, CONSOLE_ACT_RAW,
     "AUTH cannot be typed here"},
    {POP3_STATE_DISCONNECTED, true, "NOOP", CONSOLE_REFUSE, CONSOLE_ACT_RAW, "no session"},
    {POP3_STATE_UPDATE, true, "NOOP", CONSOLE_REFUSE, CONSOLE_ACT_RAW, "no session"},
};

START_TEST(check_table)
{
    struct console_session cs = session(check_cases[_i].state, check_cases[_i].capa_known);
    struct console_result r;
    console_check(ex, &cs, check_cases[_i].line, &r);
    ck_assert_msg(r.verdict == check_cases[_i].verdict, "case %d (%s): verdict %d, why '%s'", _i,
                  check_cases[_i].line, r.verdict, r.why);
    ck_assert_msg(r.action == check_cases[_i].action, "case %d: action %d", _i, r.action);
    if (check_cases[_i].why)
        ck_assert_msg(strstr(r.why, check_cases[_i].why) != NULL, "case %d: '%s'", _i, r.why);
    else
        ck_assert_str_eq(r.why, "");
}
END_TEST

START_TEST(check_dele_names_the_message)
{
    struct console_session cs = session(POP3_STATE_TRANSACTION, true);
    struct console_result r;
    console_check(ex, &cs, "DELE 28", &r);
    ck_assert_int_eq(r.action, CONSOLE_ACT_MARK);
    ck_assert_uint_eq(r.msgno, 28);
    ck_assert_int_eq(r.info->cmd, POP3_CMD_DELE);
}
END_TEST

START_TEST(check_never_shows_a_password)
{
    struct console_session cs = session(POP3_STATE_TRANSACTION, true);
    struct console_result r;
    console_check(ex, &cs, "PASS my secret", &r);
    ck_assert_int_eq(r.verdict, CONSOLE_ASK); /* not after login */
    ck_assert_str_eq(r.masked, "PASS ****");
    ck_assert_ptr_null(strstr(r.why, "secret"));
    cs = session(POP3_STATE_AUTHORIZATION, true);
    console_check(ex, &cs, "pass my secret", &r);
    ck_assert_int_eq(r.verdict, CONSOLE_SEND);
    ck_assert_str_eq(r.masked, "pass ****");
}
END_TEST

/* ---- console_mask and console_has_secret ------------------------------------- */

static const struct {
    const char *line;
    const char *masked;
} mask_cases[] = {
    {"", ""},
    {"PASS", "PASS"},
    {"PASS ", "PASS "},
    {"PASS x", "PASS ****"},
    {"pass  my long secret", "pass  ****"},
    {"APOP demo", "APOP demo"},
    {"APOP demo c4c9334bac560ecc979e58001b3e22fb", "APOP demo ****"},
    {"AUTH PLAIN", "AUTH PLAIN"},
    {"AUTH PLAIN AGRlbW8AZGVtbw==", "AUTH PLAIN ****"},
    {"USER demo", "USER demo"},
    {"PASSWORD x", "PASSWORD x"},
    {"  PASS x", "  PASS ****"},
    {"DELE 2", "DELE 2"},
};

START_TEST(mask_table)
{
    char out[CONSOLE_TEXT_MAX + 8];
    console_mask(mask_cases[_i].line, out, sizeof out);
    ck_assert_str_eq(out, mask_cases[_i].masked);
    ck_assert(console_has_secret(mask_cases[_i].line) ==
              (strcmp(mask_cases[_i].line, mask_cases[_i].masked) != 0));
}
END_TEST

START_TEST(mask_null)
{
    char out[8] = "x";
    console_mask(NULL, out, sizeof out);
    ck_assert_str_eq(out, "");
    ck_assert(!console_has_secret(NULL));
}
END_TEST

/* ---- console_complete ----------------------------------------------------------- */

START_TEST(complete_names)
{
    char out[CONSOLE_TEXT_MAX];
    char names[256];
    ck_assert_uint_eq(console_complete("", out, sizeof out, names, sizeof names), 17);
    ck_assert_uint_eq(console_complete("q", out, sizeof out, names, sizeof names), 1);
    ck_assert_str_eq(out, "QUIT ");
    ck_assert_str_eq(names, "QUIT");
    ck_assert_uint_eq(console_complete("  no", out, sizeof out, names, sizeof names), 1);
    ck_assert_str_eq(out, "  NOOP ");
    ck_assert_uint_eq(console_complete("S", out, sizeof out, names, sizeof names), 2);
    ck_assert_str_eq(out, "ST"); /* STLS and STAT share "ST" */
    ck_assert_str_eq(names, "STLS STAT");
    ck_assert_uint_eq(console_complete("R", out, sizeof out, names, sizeof names), 2);
    ck_assert_str_eq(out, "R"); /* RETR, RSET: nothing more in common */
    ck_assert_uint_eq(console_complete("xyz", out, sizeof out, names, sizeof names), 0);
    ck_assert_str_eq(out, "xyz");
    ck_assert_uint_eq(console_complete("DELE 1", out, sizeof out, NULL, 0), 0);
    ck_assert_str_eq(out, "DELE 1");
    ck_assert_uint_eq(console_complete(NULL, out, sizeof out, NULL, 0), 17);
}
END_TEST

/* ---- console_valid_commands -------------------------------------------------------- */

static bool listed(const struct pop3_cmd_info **cmds, size_t n, enum pop3_cmd cmd)
{
    for (size_t i = 0; i < n; i++)
        if (cmds[i]->cmd == cmd)
            return true;
    return false;
}

START_TEST(valid_commands_follow_state_and_capa)
{
    const struct pop3_cmd_info *cmds[POP3_CMD_COUNT_];
    struct console_session cs = session(POP3_STATE_DISCONNECTED, true);
    ck_assert_uint_eq(console_valid_commands(&cs, cmds, PV_ARRAY_LEN(cmds)), 0);
    cs = session(POP3_STATE_TRANSACTION, true);
    size_t n = console_valid_commands(&cs, cmds, PV_ARRAY_LEN(cmds));
    ck_assert(listed(cmds, n, POP3_CMD_STAT) && listed(cmds, n, POP3_CMD_DELE));
    ck_assert(listed(cmds, n, POP3_CMD_TOP) && listed(cmds, n, POP3_CMD_QUIT));
    ck_assert(!listed(cmds, n, POP3_CMD_USER));
    ck_assert(!listed(cmds, n, POP3_CMD_LANG)); /* not announced */
    cs.capa_known = false;
    n = console_valid_commands(&cs, cmds, PV_ARRAY_LEN(cmds));
    ck_assert(listed(cmds, n, POP3_CMD_LANG)); /* nothing known, nothing assumed */
    cs = session(POP3_STATE_AUTHORIZATION, true);
    n = console_valid_commands(&cs, cmds, PV_ARRAY_LEN(cmds));
    ck_assert(listed(cmds, n, POP3_CMD_USER) && listed(cmds, n, POP3_CMD_APOP));
    ck_assert(!listed(cmds, n, POP3_CMD_STLS) && !listed(cmds, n, POP3_CMD_AUTH));
    ck_assert(!listed(cmds, n, POP3_CMD_STAT));
    ck_assert_uint_eq(console_valid_commands(&cs, cmds, 2), 2);
}
END_TEST

/* ---- history ------------------------------------------------------------------------ */

START_TEST(history_recall_and_secrets)
{
    struct console_history h = {0};
    ck_assert_ptr_null(console_history_move(&h, true));
    ck_assert_ptr_null(console_history_move(&h, false));
    console_history_add(&h, NULL);
    console_history_add(&h, "  ");
    console_history_add(&h, "STAT");
    console_history_add(&h, "PASS secret"); /* never kept */
    console_history_add(&h, "LIST 2");
    console_history_add(&h, "LIST 2"); /* a repeat is kept once */
    ck_assert_uint_eq(h.count, 2);
    ck_assert_str_eq(console_history_move(&h, true), "LIST 2");
    ck_assert_str_eq(console_history_move(&h, true), "STAT");
    ck_assert_ptr_null(console_history_move(&h, true));
    ck_assert_str_eq(console_history_move(&h, false), "LIST 2");
    ck_assert_ptr_null(console_history_move(&h, false)); /* back to the draft */
    ck_assert_ptr_null(console_history_move(&h, false));
    console_history_clear(&h);
    ck_assert_uint_eq(h.count, 0);
}
END_TEST

START_TEST(history_is_bounded)
{
    struct console_history h = {0};
    char line[32];
    for (int i = 0; i < CONSOLE_HISTORY_MAX + 5; i++) {
        snprintf(line, sizeof line, "LIST %d", i + 1);
        console_history_add(&h, line);
    }
    ck_assert_uint_eq(h.count, CONSOLE_HISTORY_MAX);
    ck_assert_str_eq(h.items[0], "LIST 6"); /* the oldest went first */
    snprintf(line, sizeof line, "LIST %d", CONSOLE_HISTORY_MAX + 5);
    ck_assert_str_eq(console_history_move(&h, true), line);
    console_history_clear(&h);
}
END_TEST

static Suite *console_suite(void)
{
    Suite *s = suite_create("tui_console_check");
    TCase *tc = tcase_create("console_check");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, check_null_and_empty);
    tcase_add_loop_test(tc, check_table, 0, (int)PV_ARRAY_LEN(check_cases));
    tcase_add_test(tc, check_dele_names_the_message);
    tcase_add_test(tc, check_never_shows_a_password);
    suite_add_tcase(s, tc);
    tc = tcase_create("console_mask");
    tcase_add_test(tc, mask_null);
    tcase_add_loop_test(tc, mask_table, 0, (int)PV_ARRAY_LEN(mask_cases));
    suite_add_tcase(s, tc);
    tc = tcase_create("console_complete");
    tcase_add_test(tc, complete_names);
    suite_add_tcase(s, tc);
    tc = tcase_create("console_valid_commands");
    tcase_add_test(tc, valid_commands_follow_state_and_capa);
    suite_add_tcase(s, tc);
    tc = tcase_create("console_history");
    tcase_add_test(tc, history_recall_and_secrets);
    tcase_add_test(tc, history_is_bounded);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(console_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
