/*
 * Tests for src/pop3/commands.c, the command table and the encoder:
 *
 *   const char *pop3_state_name(enum pop3_state st);
 *   const struct pop3_cmd_info *pop3_cmd_info(enum pop3_cmd cmd);
 *   const struct pop3_cmd_info *pop3_cmd_lookup(const char *name);
 *   enum pop3_reply_kind pop3_cmd_reply_kind(enum pop3_cmd cmd, size_t nargs);
 *   bool pop3_encode(enum pop3_cmd cmd, const char *const *args, size_t nargs,
 *                    struct pv_buf *line_out, struct pv_buf *masked_out,
 *                    struct pv_error *err);
 *   bool pop3_uidl_valid(const char *uid, size_t len);
 *
 * The expected table below is written from the RFCs (1939, 2449, 2595,
 * 5034, 6856), not copied from the implementation.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <popview/util.h>

#include <popview/pop3.h>

/* ---- pop3_state_name ---------------------------------------------------- */

START_TEST(state_name)
{
    ck_assert_str_eq(pop3_state_name((enum pop3_state)99), "UNKNOWN");
    ck_assert_str_eq(pop3_state_name((enum pop3_state) - 1), "UNKNOWN");
    ck_assert_str_eq(pop3_state_name(POP3_STATE_DISCONNECTED), "DISCONNECTED");
    ck_assert_str_eq(pop3_state_name(POP3_STATE_AUTHORIZATION), "AUTHORIZATION");
    ck_assert_str_eq(pop3_state_name(POP3_STATE_TRANSACTION), "TRANSACTION");
    ck_assert_str_eq(pop3_state_name(POP3_STATE_UPDATE), "UPDATE");
}
END_TEST

/* ---- pop3_cmd_info -------------------------------------------------------- */

enum { A = POP3_IN_AUTHORIZATION, T = POP3_IN_TRANSACTION, AT = A | T };

static const struct pop3_cmd_info want_info[] = {
    {POP3_CMD_USER, "USER", A, 1, 1, POP3_SECRET_NONE, false, false, "USER", "RFC 1939 section 7"},
    {POP3_CMD_PASS, "PASS", A, 1, 1, POP3_SECRET_ALL_ARGS, false, false, "USER",
     "RFC 1939 section 7"},
    {POP3_CMD_APOP, "APOP", A, 2, 2, POP3_SECRET_LAST_ARG, false, false, NULL,
     "RFC 1939 section 7"},
    {POP3_CMD_AUTH, "AUTH", A, 1, 2, POP3_SECRET_LAST_ARG, false, false, "SASL",
     "RFC 5034 section 4"},
    {POP3_CMD_SASL_RESPONSE, "", A, 1, 1, POP3_SECRET_ALL_ARGS, false, false, "SASL",
     "RFC 5034 section 4"},
    {POP3_CMD_STLS, "STLS", A, 0, 0, POP3_SECRET_NONE, false, false, "STLS", "RFC 2595 section 4"},
    {POP3_CMD_CAPA, "CAPA", AT, 0, 0, POP3_SECRET_NONE, true, true, NULL, "RFC 2449 section 5"},
    {POP3_CMD_UTF8, "UTF8", A, 0, 0, POP3_SECRET_NONE, false, false, "UTF8", "RFC 6856 section 2"},
    {POP3_CMD_LANG, "LANG", AT, 0, 1, POP3_SECRET_NONE, true, false, "LANG", "RFC 6856 section 3"},
    {POP3_CMD_STAT, "STAT", T, 0, 0, POP3_SECRET_NONE, false, false, NULL, "RFC 1939 section 5"},
    {POP3_CMD_LIST, "LIST", T, 0, 1, POP3_SECRET_NONE, true, false, NULL, "RFC 1939 section 5"},
    {POP3_CMD_UIDL, "UIDL", T, 0, 1, POP3_SECRET_NONE, true, false, "UIDL", "RFC 1939 section 7"},
    {POP3_CMD_TOP, "TOP", T, 2, 2, POP3_SECRET_NONE, true, true, "TOP", "RFC 1939 section 7"},
    {POP3_CMD_RETR, "RETR", T, 1, 1, POP3_SECRET_NONE, true, true, NULL, "RFC 1939 section 5"},
    {POP3_CMD_DELE, "DELE", T, 1, 1, POP3_SECRET_NONE, false, false, NULL, "RFC 1939 section 5"},
    {POP3_CMD_RSET, "RSET", T, 0, 0, POP3_SECRET_NONE, false, false, NULL, "RFC 1939 section 5"},
    {POP3_CMD_NOOP, "NOOP", T, 0, 0, POP3_SECRET_NONE, false, false, NULL, "RFC 1939 section 5"},
    {POP3_CMD_QUIT, "QUIT", AT, 0, 0, POP3_SECRET_NONE, false, false, NULL,
     "RFC 1939 sections 4 and 6"},
};

static void assert_opt_str_eq(const char *want, const char *got, const char *what)
{
    if (!want)
        ck_assert_msg(got == NULL, "%s: want NULL, got %s", what, got);
    else
        ck_assert_msg(got && strcmp(want, got) == 0, "%s: want %s, got %s", what, want,
                      got ? got : "NULL");
}

START_TEST(cmd_info_out_of_range)
{
    ck_assert_ptr_null(pop3_cmd_info(POP3_CMD_COUNT_));
    ck_assert_ptr_null(pop3_cmd_info((enum pop3_cmd) - 1));
    ck_assert_uint_eq(PV_ARRAY_LEN(want_info), POP3_CMD_COUNT_);
}
END_TEST

START_TEST(cmd_info_entry)
{
    const struct pop3_cmd_info *w = &want_info[_i];
    const struct pop3_cmd_info *g = pop3_cmd_info(w->cmd);
    ck_assert_ptr_nonnull(g);
    ck_assert_int_eq(g->cmd, w->cmd);
    ck_assert_str_eq(g->name, w->name);
    ck_assert_msg(g->states == w->states, "%s: states %u, want %u", w->name, g->states, w->states);
    ck_assert_uint_eq(g->min_args, w->min_args);
    ck_assert_uint_eq(g->max_args, w->max_args);
    ck_assert_int_eq(g->secret, w->secret);
    ck_assert_int_eq(g->multi_without_arg, w->multi_without_arg);
    ck_assert_int_eq(g->multi_with_arg, w->multi_with_arg);
    assert_opt_str_eq(w->capability, g->capability, "capability");
    assert_opt_str_eq(w->rfc, g->rfc, "rfc");
    /* Nothing is allowed in UPDATE or DISCONNECTED. */
    ck_assert_uint_eq(g->states & ~(unsigned)AT, 0);
}
END_TEST

/* ---- pop3_cmd_lookup ------------------------------------------------------ */

START_TEST(cmd_lookup_not_found)
{
    ck_assert_ptr_null(pop3_cmd_lookup(NULL));
    ck_assert_ptr_null(pop3_cmd_lookup(""));
    ck_assert_ptr_null(pop3_cmd_lookup("XYZZY"));
    ck_assert_ptr_null(pop3_cmd_lookup("USER "));
    ck_assert_ptr_null(pop3_cmd_lookup("USE"));
    ck_assert_ptr_null(pop3_cmd_lookup("USERS"));
    ck_assert_ptr_null(pop3_cmd_lookup("SASL"));
    ck_assert_ptr_null(pop3_cmd_lookup("SASL_RESPONSE"));
}
END_TEST

START_TEST(cmd_lookup_case_insensitive)
{
    ck_assert_ptr_eq(pop3_cmd_lookup("user"), pop3_cmd_info(POP3_CMD_USER));
    ck_assert_ptr_eq(pop3_cmd_lookup("Top"), pop3_cmd_info(POP3_CMD_TOP));
    ck_assert_ptr_eq(pop3_cmd_lookup("uIdL"), pop3_cmd_info(POP3_CMD_UIDL));
    ck_assert_ptr_eq(pop3_cmd_lookup("utf8"), pop3_cmd_info(POP3_CMD_UTF8));
}
END_TEST

/* Every command but SASL_RESPONSE is found by its own name. */
START_TEST(cmd_lookup_round_trip)
{
    const struct pop3_cmd_info *info = pop3_cmd_info((enum pop3_cmd)_i);
    if (_i == POP3_CMD_SASL_RESPONSE) {
        ck_assert_str_eq(info->name, "");
        return;
    }
    ck_assert_ptr_eq(pop3_cmd_lookup(info->name), info);
}
END_TEST

/* ---- pop3_cmd_reply_kind -------------------------------------------------- */

static const struct {
    enum pop3_cmd cmd;
    size_t nargs;
    enum pop3_reply_kind kind;
} kind_cases[] = {
    {POP3_CMD_COUNT_, 0, POP3_REPLY_SINGLE},      {POP3_CMD_LIST, 0, POP3_REPLY_MULTI},
    {POP3_CMD_LIST, 1, POP3_REPLY_SINGLE},        {POP3_CMD_UIDL, 0, POP3_REPLY_MULTI},
    {POP3_CMD_UIDL, 1, POP3_REPLY_SINGLE},        {POP3_CMD_LANG, 0, POP3_REPLY_MULTI},
    {POP3_CMD_LANG, 1, POP3_REPLY_SINGLE},        {POP3_CMD_TOP, 2, POP3_REPLY_MULTI},
    {POP3_CMD_RETR, 1, POP3_REPLY_MULTI},         {POP3_CMD_CAPA, 0, POP3_REPLY_MULTI},
    {POP3_CMD_AUTH, 1, POP3_REPLY_SASL},          {POP3_CMD_AUTH, 2, POP3_REPLY_SASL},
    {POP3_CMD_SASL_RESPONSE, 1, POP3_REPLY_SASL}, {POP3_CMD_USER, 1, POP3_REPLY_SINGLE},
    {POP3_CMD_PASS, 1, POP3_REPLY_SINGLE},        {POP3_CMD_APOP, 2, POP3_REPLY_SINGLE},
    {POP3_CMD_STLS, 0, POP3_REPLY_SINGLE},        {POP3_CMD_UTF8, 0, POP3_REPLY_SINGLE},
    {POP3_CMD_STAT, 0, POP3_REPLY_SINGLE},        {POP3_CMD_DELE, 1, POP3_REPLY_SINGLE},
    {POP3_CMD_RSET, 0, POP3_REPLY_SINGLE},        {POP3_CMD_NOOP, 0, POP3_REPLY_SINGLE},
    {POP3_CMD_QUIT, 0, POP3_REPLY_SINGLE},
};

START_TEST(cmd_reply_kind)
{
    ck_assert_msg(pop3_cmd_reply_kind(kind_cases[_i].cmd, kind_cases[_i].nargs) ==
                      kind_cases[_i].kind,
                  "case %d", _i);
}
END_TEST

/* ---- pop3_encode ---------------------------------------------------------- */

#define X62 "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
/* 248 and 245 bytes: with "USER " or "AUTH XY " and CRLF, 255 octets. */
#define LONG_248 X62 X62 X62 X62
#define LONG_245 X62 X62 X62 "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"

struct encode_case {
    enum pop3_cmd cmd;
    const char *args[3];
    size_t nargs;
    const char *line;   /* NULL: refused */
    const char *masked; /* refused: a part of the error message */
};

static const struct encode_case encode_cases[] = {
    /* every command */
    {POP3_CMD_USER, {"alice"}, 1, "USER alice\r\n", "USER alice"},
    {POP3_CMD_PASS, {"tanstaaf"}, 1, "PASS tanstaaf\r\n", "PASS ****"},
    {POP3_CMD_APOP,
     {"mrose", "c4c9334bac560ecc979e58001b3e22fb"},
     2,
     "APOP mrose c4c9334bac560ecc979e58001b3e22fb\r\n",
     "APOP mrose ****"},
    {POP3_CMD_AUTH, {"PLAIN"}, 1, "AUTH PLAIN\r\n", "AUTH PLAIN"},
    {POP3_CMD_AUTH,
     {"PLAIN", "AGFsaWNlAHNlY3JldA=="},
     2,
     "AUTH PLAIN AGFsaWNlAHNlY3JldA==\r\n",
     "AUTH PLAIN ****"},
    /* RFC 5034 section 4: "=" is an empty initial response. */
    {POP3_CMD_AUTH, {"EXTERNAL", "="}, 2, "AUTH EXTERNAL =\r\n", "AUTH EXTERNAL ****"},
    {POP3_CMD_SASL_RESPONSE, {"dXNlcg=="}, 1, "dXNlcg==\r\n", "****"},
    /* An empty response is an empty line; "*" cancels (RFC 5034 section 4). */
    {POP3_CMD_SASL_RESPONSE, {""}, 1, "\r\n", "****"},
    {POP3_CMD_SASL_RESPONSE, {"*"}, 1, "*\r\n", "****"},
    {POP3_CMD_STLS, {NULL}, 0, "STLS\r\n", "STLS"},
    {POP3_CMD_CAPA, {NULL}, 0, "CAPA\r\n", "CAPA"},
    {POP3_CMD_UTF8, {NULL}, 0, "UTF8\r\n", "UTF8"},
    {POP3_CMD_LANG, {NULL}, 0, "LANG\r\n", "LANG"},
    {POP3_CMD_LANG, {"de"}, 1, "LANG de\r\n", "LANG de"},
    {POP3_CMD_STAT, {NULL}, 0, "STAT\r\n", "STAT"},
    {POP3_CMD_LIST, {NULL}, 0, "LIST\r\n", "LIST"},
    {POP3_CMD_LIST, {"2"}, 1, "LIST 2\r\n", "LIST 2"},
    {POP3_CMD_UIDL, {NULL}, 0, "UIDL\r\n", "UIDL"},
    {POP3_CMD_UIDL, {"1"}, 1, "UIDL 1\r\n", "UIDL 1"},
    {POP3_CMD_TOP, {"1", "10"}, 2, "TOP 1 10\r\n", "TOP 1 10"},
    {POP3_CMD_RETR, {"1"}, 1, "RETR 1\r\n", "RETR 1"},
    {POP3_CMD_DELE, {"1"}, 1, "DELE 1\r\n", "DELE 1"},
    {POP3_CMD_RSET, {NULL}, 0, "RSET\r\n", "RSET"},
    {POP3_CMD_NOOP, {NULL}, 0, "NOOP\r\n", "NOOP"},
    {POP3_CMD_QUIT, {NULL}, 0, "QUIT\r\n", "QUIT"},
    /* PASS may hold spaces (RFC 1939 section 7) and UTF-8 (RFC 6856). */
    {POP3_CMD_PASS, {"correct horse battery"}, 1, "PASS correct horse battery\r\n", "PASS ****"},
    {POP3_CMD_PASS, {"p\xc3\xa4sswort"}, 1, "PASS p\xc3\xa4sswort\r\n", "PASS ****"},
    /* Numbers are only checked for being one non-empty word. */
    {POP3_CMD_RETR, {"abc"}, 1, "RETR abc\r\n", "RETR abc"},
    /* 255 octets with CRLF is allowed, 256 is not (RFC 2449 section 4). */
    {POP3_CMD_USER, {LONG_248}, 1, "USER " LONG_248 "\r\n", "USER " LONG_248},
    {POP3_CMD_USER, {LONG_248 "x"}, 1, NULL, "would be 256 octets, more than the 255 allowed"},
    {POP3_CMD_AUTH,
     {"XY", LONG_248 "x"},
     2,
     NULL,
     "AUTH with this initial response would be 259 octets"},
    {POP3_CMD_AUTH, {"XY", LONG_245}, 2, "AUTH XY " LONG_245 "\r\n", "AUTH XY ****"},

    /* injection: CR, LF anywhere in any argument */
    {POP3_CMD_USER, {"a\r\nDELE 1"}, 1, NULL, "line break"},
    {POP3_CMD_USER, {"a\nDELE 1"}, 1, NULL, "line break"},
    {POP3_CMD_PASS, {"secret\r"}, 1, NULL, "line break"},
    {POP3_CMD_APOP, {"mrose", "abc\r\nQUIT"}, 2, NULL, "line break"},
    {POP3_CMD_SASL_RESPONSE, {"dXNl\r\nDELE 1"}, 1, NULL, "line break"},
    {POP3_CMD_AUTH, {"PLAIN", "abc\n"}, 2, NULL, "line break"},
    {POP3_CMD_TOP, {"1", "0\r\nDELE 1"}, 2, NULL, "line break"},
    {POP3_CMD_USER, {"a\tb"}, 1, NULL, "control character (0x09)"},
    {POP3_CMD_PASS, {"a\x1b[2Jb"}, 1, NULL, "control character (0x1b)"},
    /* spaces, empty arguments */
    {POP3_CMD_USER, {"alice smith"}, 1, NULL, "USER: argument 1 contains a space"},
    {POP3_CMD_RETR, {"1 2"}, 1, NULL, "contains a space"},
    {POP3_CMD_SASL_RESPONSE, {"ab cd"}, 1, NULL, "SASL response: argument 1 contains a space"},
    {POP3_CMD_USER, {""}, 1, NULL, "USER: argument 1 is empty"},
    {POP3_CMD_PASS, {""}, 1, NULL, "PASS: argument 1 is empty"},
    {POP3_CMD_TOP, {"1", ""}, 2, NULL, "TOP: argument 2 is empty"},
    /* argument counts */
    {POP3_CMD_USER, {NULL}, 0, NULL, "USER takes 1 argument, not 0"},
    {POP3_CMD_USER, {"a", "b"}, 2, NULL, "USER takes 1 argument, not 2"},
    {POP3_CMD_TOP, {"1"}, 1, NULL, "TOP takes 2 arguments, not 1 (RFC 1939 section 7)"},
    {POP3_CMD_RETR, {NULL}, 0, NULL, "RETR takes 1 argument, not 0"},
    {POP3_CMD_DELE, {"1", "2"}, 2, NULL, "DELE takes 1 argument, not 2"},
    {POP3_CMD_STAT, {"1"}, 1, NULL, "STAT takes 0 arguments, not 1"},
    {POP3_CMD_LIST, {"1", "2"}, 2, NULL, "LIST takes 0 to 1 arguments, not 2"},
    {POP3_CMD_APOP, {"mrose"}, 1, NULL, "APOP takes 2 arguments, not 1"},
    {POP3_CMD_AUTH, {NULL}, 0, NULL, "AUTH takes 1 to 2 arguments, not 0"},
    {POP3_CMD_AUTH, {"A", "B", "C"}, 3, NULL, "AUTH takes 1 to 2 arguments, not 3"},
    {POP3_CMD_SASL_RESPONSE, {NULL}, 0, NULL, "SASL response takes 1 argument, not 0"},
    {POP3_CMD_QUIT, {"now"}, 1, NULL, "QUIT takes 0 arguments, not 1"},
    {POP3_CMD_USER, {NULL}, 1, NULL, "USER: argument 1 is missing"},
    {POP3_CMD_COUNT_, {NULL}, 0, NULL, "unknown POP3 command"},
};

START_TEST(encode_case)
{
    const struct encode_case *c = &encode_cases[_i];
    struct pv_buf line, masked;
    pv_buf_init(&line, 0);
    pv_buf_init(&masked, 0);
    /* Both buffers are reset first. */
    ck_assert(pv_buf_append_str(&line, "stale") && pv_buf_append_str(&masked, "stale"));
    struct pv_error err;
    pv_error_clear(&err);
    bool ok = pop3_encode(c->cmd, c->args, c->nargs, &line, &masked, &err);
    if (c->line) {
        ck_assert_msg(ok, "case %d refused: %s", _i, err.msg);
        ck_assert_uint_eq(line.len, strlen(c->line));
        ck_assert_str_eq(line.data, c->line);
        ck_assert_str_eq(masked.data, c->masked);
        ck_assert_uint_le(strlen(c->masked) + 2,
                          c->cmd == POP3_CMD_SASL_RESPONSE ? 6 : POP3_MAX_COMMAND_LINE);
    } else {
        ck_assert_msg(!ok, "case %d accepted: %s", _i, line.data ? line.data : "");
        ck_assert_msg(strstr(err.msg, c->masked) != NULL, "case %d: message \"%s\" lacks \"%s\"",
                      _i, err.msg, c->masked);
        ck_assert_uint_eq(line.len, 0);
        ck_assert_uint_eq(masked.len, 0);
    }
    pv_buf_free(&line);
    pv_buf_free(&masked);
}
END_TEST

/* RFC 5034 section 4 exempts client responses from the 255-octet limit. */
START_TEST(encode_long_sasl_response)
{
    char big[4001];
    memset(big, 'A', 4000);
    big[4000] = '\0';
    const char *args[] = {big};
    struct pv_buf line, masked;
    pv_buf_init(&line, 0);
    pv_buf_init(&masked, 0);
    ck_assert(pop3_encode(POP3_CMD_SASL_RESPONSE, args, 1, &line, &masked, NULL));
    ck_assert_uint_eq(line.len, 4002);
    ck_assert_str_eq(masked.data, "****");
    /* The same bytes as AUTH's initial response are refused. */
    const char *auth_args[] = {"GSSAPI", big};
    ck_assert(!pop3_encode(POP3_CMD_AUTH, auth_args, 2, &line, &masked, NULL));
    ck_assert_uint_eq(line.len, 0);
    pv_buf_free(&line);
    pv_buf_free(&masked);
}
END_TEST

/* A refused call leaves no trace of the previous call's password in the
 * reused buffer. */
START_TEST(encode_wipes_previous_secret)
{
    struct pv_buf line;
    pv_buf_init(&line, 0);
    const char *pass[] = {"hunter2-very-secret"};
    ck_assert(pop3_encode(POP3_CMD_PASS, pass, 1, &line, NULL, NULL));
    ck_assert(line.alloc > line.len);
    const char *bad[] = {"a\r\nb"};
    ck_assert(!pop3_encode(POP3_CMD_USER, bad, 1, &line, NULL, NULL));
    ck_assert_uint_eq(line.len, 0);
    ck_assert_ptr_null(memmem(line.data, line.alloc, "hunter2", 7));
    pv_buf_free(&line);
}
END_TEST

/* Either output may be NULL; an output buffer with too small a cap is a
 * refusal, not a truncated command. */
START_TEST(encode_outputs_optional_and_capped)
{
    const char *args[] = {"alice"};
    struct pv_buf line, small;
    pv_buf_init(&line, 0);
    ck_assert(pop3_encode(POP3_CMD_USER, args, 1, &line, NULL, NULL));
    ck_assert_str_eq(line.data, "USER alice\r\n");
    ck_assert(pop3_encode(POP3_CMD_USER, args, 1, NULL, NULL, NULL));
    pv_buf_init(&small, 8);
    struct pv_error err;
    pv_error_clear(&err);
    ck_assert(!pop3_encode(POP3_CMD_USER, args, 1, &small, NULL, &err));
    ck_assert_uint_eq(small.len, 0);
    ck_assert(strstr(err.msg, "does not fit") != NULL);
    ck_assert(!pop3_encode(POP3_CMD_USER, args, 1, &line, &small, &err));
    ck_assert_uint_eq(line.len, 0);
    pv_buf_free(&line);
    pv_buf_free(&small);
}
END_TEST

/* The message never quotes the refused argument: it may be a password. */
START_TEST(encode_error_hides_argument)
{
    const char *args[] = {"s3cr3t\r\nDELE 1"};
    struct pv_buf line;
    pv_buf_init(&line, 0);
    struct pv_error err;
    pv_error_clear(&err);
    ck_assert(!pop3_encode(POP3_CMD_PASS, args, 1, &line, NULL, &err));
    ck_assert(strstr(err.msg, "s3cr3t") == NULL);
    ck_assert(strstr(err.msg, "PASS") != NULL);
    pv_buf_free(&line);
}
END_TEST

/* --- pop3_uidl_valid (RFC 1939 section 7) --------------------------------- */

START_TEST(uidl_valid_null_and_empty)
{
    ck_assert(!pop3_uidl_valid(NULL, 0));
    ck_assert(!pop3_uidl_valid(NULL, 5));
    ck_assert(!pop3_uidl_valid("", 0));
}
END_TEST

static const struct {
    const char *uid;
    bool valid;
} uidl_cases[] = {
    {"a", true},
    {"whqtswO00WBw418f9t5JxYwZ", true},
    {"!~", true}, /* 0x21 and 0x7E, the ends of the range */
    {"a b", false},
    {"a\tb", false},
    {"\x7f", false},
    {"caf\xc3\xa9", false},
    {"1234567890123456789012345678901234567890123456789012345678901234567890", true}, /* 70 */
    {"12345678901234567890123456789012345678901234567890123456789012345678901", false},
};

START_TEST(uidl_valid_case)
{
    const char *uid = uidl_cases[_i].uid;
    ck_assert_msg(pop3_uidl_valid(uid, strlen(uid)) == uidl_cases[_i].valid, "case %d: %s", _i,
                  uid);
}
END_TEST

START_TEST(uidl_valid_counts_len_not_nul)
{
    /* Only [uid, uid+len) is looked at: a space after it does not matter. */
    ck_assert(pop3_uidl_valid("abc def", 3));
    ck_assert(!pop3_uidl_valid("abc def", 4));
}
END_TEST

static Suite *commands_suite(void)
{
    Suite *s = suite_create("commands");
    TCase *tc = tcase_create("pop3_state_name");
    tcase_add_test(tc, state_name);
    suite_add_tcase(s, tc);

    tc = tcase_create("pop3_cmd_info");
    tcase_add_test(tc, cmd_info_out_of_range);
    tcase_add_loop_test(tc, cmd_info_entry, 0, (int)PV_ARRAY_LEN(want_info));
    suite_add_tcase(s, tc);

    tc = tcase_create("pop3_cmd_lookup");
    tcase_add_test(tc, cmd_lookup_not_found);
    tcase_add_test(tc, cmd_lookup_case_insensitive);
    tcase_add_loop_test(tc, cmd_lookup_round_trip, 0, POP3_CMD_COUNT_);
    suite_add_tcase(s, tc);

    tc = tcase_create("pop3_cmd_reply_kind");
    tcase_add_loop_test(tc, cmd_reply_kind, 0, (int)PV_ARRAY_LEN(kind_cases));
    suite_add_tcase(s, tc);

    tc = tcase_create("pop3_encode");
    tcase_add_loop_test(tc, encode_case, 0, (int)PV_ARRAY_LEN(encode_cases));
    tcase_add_test(tc, encode_long_sasl_response);
    tcase_add_test(tc, encode_wipes_previous_secret);
    tcase_add_test(tc, encode_outputs_optional_and_capped);
    tcase_add_test(tc, encode_error_hides_argument);
    suite_add_tcase(s, tc);

    tc = tcase_create("pop3_uidl_valid");
    tcase_add_test(tc, uidl_valid_null_and_empty);
    tcase_add_loop_test(tc, uidl_valid_case, 0, (int)PV_ARRAY_LEN(uidl_cases));
    tcase_add_test(tc, uidl_valid_counts_len_not_nul);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(commands_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
