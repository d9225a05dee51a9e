/*
 * Tests for src/tui/explain.c, the explanations table and its notes:
 *   struct explain *explain_parse(const char *text, size_t len, struct pv_error *err);
 *   struct explain *explain_builtin(const char *lang, struct pv_error *err);
 *   struct explain *explain_for_locale(char *lang_out, size_t lang_size, struct pv_error *err);
 *   void explain_set_fallback(struct explain *ex, struct explain *fallback);
 *   const char *explain_key(const struct explain *ex, size_t i);
 *   const char *explain_get(const struct explain *ex, const char *key);
 *   void explain_fill(const char *tmpl, const char *const *words, size_t nwords, char *out,
 *                     size_t out_size);
 *   size_t explain_words(const char *text, char *buf, size_t buf_size, const char **words,
 *                        size_t max);
 *   bool explain_tracker_feed(struct explain_tracker *t, enum mailbox_line_kind kind,
 *                             const char *text, struct explain_cmd *answered_out);
 *   bool explain_command_note / explain_reply_note / explain_capability /
 *        explain_mechanism (..., char *out, size_t out_size);
 *   const char *explain_state(const struct explain *ex, enum pop3_state st);
 */
#include <check.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>

#include <popview/util.h>

#include <popview/pop3.h>

#include <popview/mailbox.h>

#include "src/tui/teach.h"

/* ---- explain_parse ------------------------------------------------------ */

START_TEST(parse_null_and_empty)
{
    struct pv_error err;
    pv_error_clear(&err);
    struct explain *ex = explain_parse(NULL, 0, &err);
    ck_assert_ptr_nonnull(ex);
    ck_assert_uint_eq(explain_count(ex), 0);
    ck_assert_ptr_null(explain_get(ex, "command.STAT"));
    explain_free(&ex);
    ck_assert_ptr_null(ex);
    explain_free(&ex); /* NULL is fine */
    ck_assert_ptr_null(explain_get(NULL, "command.STAT"));
    ck_assert_uint_eq(explain_count(NULL), 0);
    ex = explain_parse("# only a comment\n\n   \n", 21, &err);
    ck_assert_ptr_nonnull(ex);
    ck_assert_uint_eq(explain_count(ex), 0);
    explain_free(&ex);
}
END_TEST

START_TEST(parse_entries_trimmed_crlf_and_sorted)
{
    static const char text[] = "# comment\r\n"
                               "  state.UPDATE =  after QUIT  \r\n"
                               "command.STAT=how many\n"
                               "\n"
                               "reply.STAT.+OK = {1} messages = {2} octets\n"
                               "capa.SASL/x_y-z = odd but allowed";
    struct pv_error err;
    pv_error_clear(&err);
    struct explain *ex = explain_parse(text, strlen(text), &err);
    ck_assert_msg(ex != NULL, "%s", err.msg);
    ck_assert_uint_eq(explain_count(ex), 4);
    ck_assert_str_eq(explain_get(ex, "state.UPDATE"), "after QUIT");
    ck_assert_str_eq(explain_get(ex, "command.STAT"), "how many");
    ck_assert_str_eq(explain_get(ex, "reply.STAT.+OK"), "{1} messages = {2} octets");
    ck_assert_str_eq(explain_get(ex, "capa.SASL/x_y-z"), "odd but allowed");
    ck_assert_ptr_null(explain_get(ex, "command.stat")); /* keys are exact */
    explain_free(&ex);
}
END_TEST

static const struct {
    const char *text;
    const char *error; /* a part of the message */
} parse_errors[] = {
    {"command.STAT how many\n", "line 1: no \"=\""},
    {"# c\n = text\n", "line 2: a key must have"},
    {"command.STAT =\n", "line 1: a text must have"},
    {"command STAT = x\n", "the key holds ' '"},
    {"command.STAT = a\tb\n", "control character"},
    {"a = x\nb = y\n\na = z\n", "line 4: the key a was given already on line 1"},
    {"x = y\nbad{key} = z\n", "line 2: the key holds '{'"},
};

START_TEST(parse_errors_name_the_line)
{
    struct pv_error err;
    pv_error_clear(&err);
    struct explain *ex = explain_parse(parse_errors[_i].text, strlen(parse_errors[_i].text), &err);
    ck_assert_ptr_null(ex);
    ck_assert_msg(strstr(err.msg, parse_errors[_i].error) != NULL, "case %d: '%s'", _i, err.msg);
}
END_TEST

START_TEST(parse_caps)
{
    struct pv_error err;
    pv_error_clear(&err);
    /* A key one character too long, a text one octet too long. */
    char line[EXPLAIN_TEXT_MAX + 100];
    memset(line, 'k', EXPLAIN_KEY_MAX + 1);
    snprintf(line + EXPLAIN_KEY_MAX + 1, sizeof line - EXPLAIN_KEY_MAX - 1, " = x\n");
    ck_assert_ptr_null(explain_parse(line, strlen(line), &err));
    ck_assert_ptr_nonnull(strstr(err.msg, "a key must have"));
    memcpy(line, "k = ", 4);
    memset(line + 4, 't', EXPLAIN_TEXT_MAX + 1);
    line[4 + EXPLAIN_TEXT_MAX + 1] = '\0';
    ck_assert_ptr_null(explain_parse(line, strlen(line), &err));
    ck_assert_ptr_nonnull(strstr(err.msg, "a text must have"));
    line[4 + EXPLAIN_TEXT_MAX] = '\0'; /* exactly the cap: fine */
    struct explain *ex = explain_parse(line, strlen(line), &err);
    ck_assert_ptr_nonnull(ex);
    explain_free(&ex);
    /* The file's size is checked before anything is read. */
    ck_assert_ptr_null(explain_parse("k = v\n", EXPLAIN_FILE_MAX + 1, &err));
    ck_assert_ptr_nonnull(strstr(err.msg, "larger than"));
}
END_TEST

START_TEST(parse_too_many_entries)
{
    struct pv_buf b;
    pv_buf_init(&b, 0);
    for (int i = 0; i <= EXPLAIN_ENTRIES_MAX; i++)
        ck_assert(pv_buf_printf(&b, "k%d = v\n", i));
    struct pv_error err;
    pv_error_clear(&err);
    ck_assert_ptr_null(explain_parse(b.data, b.len, &err));
    ck_assert_ptr_nonnull(strstr(err.msg, "more than"));
    pv_buf_free(&b);
}
END_TEST

/* ---- explain_builtin: the embedded English table ----------------------------- */

START_TEST(builtin_unknown_language)
{
    struct pv_error err;
    pv_error_clear(&err);
    ck_assert_ptr_null(explain_builtin(NULL, &err));
    ck_assert_ptr_null(explain_builtin("xx", &err));
    ck_assert_ptr_nonnull(strstr(err.msg, "'xx'"));
}
END_TEST

/* Every key the program looks up must be in the English table, which the
 * others fall back to. */
START_TEST(builtin_english_has_every_key_the_code_uses)
{
    struct pv_error err;
    pv_error_clear(&err);
    struct explain *ex = explain_builtin("en", &err);
    ck_assert_msg(ex != NULL, "%s", err.msg);
    char key[EXPLAIN_KEY_MAX + 1];
    for (int c = 0; c < POP3_CMD_COUNT_; c++) {
        const struct pop3_cmd_info *info = pop3_cmd_info((enum pop3_cmd)c);
        if (!info->name[0])
            continue;
        snprintf(key, sizeof key, "command.%s", info->name);
        ck_assert_msg(explain_get(ex, key) != NULL, "missing %s", key);
        snprintf(key, sizeof key, "usage.%s", info->name);
        ck_assert_msg(explain_get(ex, key) != NULL, "missing %s", key);
    }
    for (int st = POP3_STATE_DISCONNECTED; st <= POP3_STATE_UPDATE; st++)
        ck_assert_msg(explain_state(ex, (enum pop3_state)st) != NULL, "missing state %d", st);
    static const char *const used[] = {
        "reply.+OK",           "reply.-ERR",         "reply.continue",     "reply.greeting.+OK",
        "reply.greeting.-ERR", "capa.unknown",       "capa.per-user",      "mech.unknown",
        "check.unknown",       "check.args",         "check.state",        "check.capa",
        "check.number",        "check.lines",        "check.no-message",   "check.marked",
        "check.popview",       "check.disconnected", "check.ask",          "inspect.no-tls",
        "inspect.idle",        "inspect.no-capa",    "inspect.unverified", "inspect.apop-yes",
        "inspect.apop-no",     "list.title",
    };
    for (size_t i = 0; i < PV_ARRAY_LEN(used); i++)
        ck_assert_msg(explain_get(ex, used[i]) != NULL, "missing %s", used[i]);
    explain_free(&ex);
}
END_TEST

/* ---- explain_fill and explain_words ------------------------------------------- */

static const struct {
    const char *tmpl;
    const char *words[3];
    size_t nwords;
    const char *want;
} fill_cases[] = {
    {"{1} messages, {2} octets", {"2", "320"}, 2, "2 messages, 320 octets"},
    {"{2} before {1}", {"a", "b"}, 2, "b before a"},
    {"missing {3}", {"a"}, 1, "missing ?"},
    {"all: {*}", {"PLAIN", "LOGIN", "X"}, 3, "all: PLAIN LOGIN X"},
    {"all: {*}", {NULL}, 0, "all: "},
    {"every {1:minutes} minutes", {"900"}, 1, "every 15 minutes"},
    {"every {1:minutes} minutes", {"90"}, 1, "every 1.5 minutes"},
    {"every {1:minutes} minutes", {"100"}, 1, "every 1.7 minutes"},
    {"every {1:minutes} minutes", {"soon"}, 1, "every soon minutes"},
    {"{x} and {1 and {} stay", {"w"}, 1, "{x} and {1 and {} stay"},
    {"{0}{10}", {"w"}, 1, "{0}{10}"},
    {"no placeholders", {NULL}, 0, "no placeholders"},
};

START_TEST(fill_table)
{
    char out[128];
    explain_fill(fill_cases[_i].tmpl, fill_cases[_i].words, fill_cases[_i].nwords, out, sizeof out);
    ck_assert_str_eq(out, fill_cases[_i].want);
}
END_TEST

START_TEST(fill_null_and_cut)
{
    char out[8] = "x";
    explain_fill(NULL, NULL, 0, out, sizeof out);
    ck_assert_str_eq(out, "");
    explain_fill("abc", NULL, 0, out, 0); /* no room: untouched, no crash */
    /* "é" is two octets: never cut in half. */
    explain_fill("abcdé", NULL, 0, out, 6);
    ck_assert_str_eq(out, "abcd");
    const char *w[] = {"1234567890"};
    explain_fill("x{1}", w, 1, out, sizeof out);
    ck_assert_str_eq(out, "x123456");
}
END_TEST

START_TEST(words_split)
{
    char buf[64];
    const char *w[4];
    ck_assert_uint_eq(explain_words(NULL, buf, sizeof buf, w, 4), 0);
    ck_assert_uint_eq(explain_words("   ", buf, sizeof buf, w, 4), 0);
    ck_assert_uint_eq(explain_words(" 2  320 ", buf, sizeof buf, w, 4), 2);
    ck_assert_str_eq(w[0], "2");
    ck_assert_str_eq(w[1], "320");
    ck_assert_uint_eq(explain_words("a b c d e f", buf, sizeof buf, w, 4), 4);
    ck_assert_str_eq(w[3], "d");
}
END_TEST

/* ---- explain_tracker_feed -------------------------------------------------------- */

START_TEST(tracker_pairs_replies_with_commands)
{
    struct explain_tracker t;
    explain_tracker_reset(&t);
    struct explain_cmd a;
    ck_assert(!explain_tracker_feed(&t, MAILBOX_LINE_SERVER, NULL, &a));
    /* The greeting answers nothing. */
    ck_assert(explain_tracker_feed(&t, MAILBOX_LINE_SERVER, "+OK ready <1.2@x>", &a));
    ck_assert_ptr_null(a.info);
    /* Pipelined: two commands, then two answers, in order. */
    ck_assert(!explain_tracker_feed(&t, MAILBOX_LINE_CLIENT, "TOP 1 0", &a));
    ck_assert(!explain_tracker_feed(&t, MAILBOX_LINE_CLIENT, "STAT", &a));
    ck_assert(!explain_tracker_feed(&t, MAILBOX_LINE_DATA, "x", &a));
    ck_assert(explain_tracker_feed(&t, MAILBOX_LINE_SERVER, "+OK", &a));
    ck_assert_int_eq(a.info->cmd, POP3_CMD_TOP);
    ck_assert(a.has_args);
    ck_assert(explain_tracker_feed(&t, MAILBOX_LINE_SERVER, "-ERR no", &a));
    ck_assert_int_eq(a.info->cmd, POP3_CMD_STAT);
    ck_assert(!a.has_args);
    /* SASL: the challenge answers AUTH without ending it; the masked
     * response line queues nothing. */
    ck_assert(!explain_tracker_feed(&t, MAILBOX_LINE_CLIENT, "AUTH LOGIN", &a));
    ck_assert(explain_tracker_feed(&t, MAILBOX_LINE_SERVER, "+ VXNlcm5hbWU6", &a));
    ck_assert_int_eq(a.info->cmd, POP3_CMD_AUTH);
    ck_assert(!explain_tracker_feed(&t, MAILBOX_LINE_CLIENT, "****", &a));
    ck_assert(explain_tracker_feed(&t, MAILBOX_LINE_SERVER, "+OK logged in", &a));
    ck_assert_int_eq(a.info->cmd, POP3_CMD_AUTH);
    ck_assert(!explain_tracker_feed(&t, MAILBOX_LINE_INFO, "state: A -> B", &a));
}
END_TEST

START_TEST(tracker_queue_is_bounded)
{
    struct explain_tracker t;
    explain_tracker_reset(&t);
    struct explain_cmd a;
    ck_assert(!explain_tracker_feed(&t, MAILBOX_LINE_CLIENT, "RETR 1", &a));
    for (int i = 0; i < EXPLAIN_TRACK_MAX; i++)
        explain_tracker_feed(&t, MAILBOX_LINE_CLIENT, "NOOP", &a);
    ck_assert_uint_eq(t.count, EXPLAIN_TRACK_MAX);
    ck_assert(explain_tracker_feed(&t, MAILBOX_LINE_SERVER, "+OK", &a));
    ck_assert_int_eq(a.info->cmd, POP3_CMD_NOOP); /* the oldest was dropped */
}
END_TEST

/* ---- the notes ------------------------------------------------------------------------ */

static struct explain *english(void)
{
    struct pv_error err;
    pv_error_clear(&err);
    struct explain *ex = explain_builtin("en", &err);
    ck_assert_msg(ex != NULL, "%s", err.msg);
    return ex;
}

START_TEST(command_note)
{
    struct explain *ex = english();
    char out[EXPLAIN_NOTE_MAX];
    ck_assert(!explain_command_note(ex, NULL, out, sizeof out));
    ck_assert(!explain_command_note(ex, "", out, sizeof out));
    ck_assert(!explain_command_note(ex, "****", out, sizeof out));
    ck_assert(!explain_command_note(ex, "XYZZY 1", out, sizeof out));
    ck_assert(explain_command_note(ex, "dele 4", out, sizeof out));
    ck_assert_ptr_nonnull(strstr(out, "only at QUIT"));
    ck_assert_ptr_nonnull(strstr(out, "RFC 1939 section 5"));
    ck_assert(!explain_command_note(NULL, "STAT", out, sizeof out));
    explain_free(&ex);
}
END_TEST

static const struct {
    enum pop3_cmd cmd; /* POP3_CMD_COUNT_: the greeting */
    bool has_args;
    const char *status;
    const char *want;
} reply_cases[] = {
    {POP3_CMD_STAT, false, "+OK 2 320", "2 messages, 320 octets in all"},
    {POP3_CMD_LIST, true, "+OK 3 1204", "message 3 has 1204 octets"},
    {POP3_CMD_LIST, false, "+OK 28 messages", "one line per message follows"},
    {POP3_CMD_LIST, true, "-ERR no such message", "no such message"},
    {POP3_CMD_NOOP, false, "+OK", "still there"},
    {POP3_CMD_CAPA, false, "-ERR", "no CAPA here"},
    {POP3_CMD_STLS, false, "+OK go", "handshake"},
    {POP3_CMD_PASS, false, "-ERR [IN-USE] locked", "open in another session"},
    {POP3_CMD_PASS, false, "-ERR [auth] bad", "the name, the password"},
    {POP3_CMD_PASS, false, "-ERR [X-OTHER] hmm", "the name or password is wrong"},
    {POP3_CMD_UTF8, false, "-ERR no", "refused"}, /* nothing particular: reply.-ERR */
    {POP3_CMD_COUNT_, false, "+OK hello <1.2@host>", "APOP"},
    {POP3_CMD_COUNT_, false, "+OK hello", "AUTHORIZATION state"},
    {POP3_CMD_AUTH, false, "+ VXNlcm5hbWU6", "SASL challenge"},
};

START_TEST(reply_note_table)
{
    struct explain *ex = english();
    struct explain_cmd a = {0};
    if (reply_cases[_i].cmd != POP3_CMD_COUNT_)
        a.info = pop3_cmd_info(reply_cases[_i].cmd);
    a.has_args = reply_cases[_i].has_args;
    char out[EXPLAIN_NOTE_MAX];
    ck_assert(explain_reply_note(ex, &a, reply_cases[_i].status, out, sizeof out));
    ck_assert_msg(strstr(out, reply_cases[_i].want) != NULL, "case %d: '%s'", _i, out);
    explain_free(&ex);
}
END_TEST

START_TEST(reply_note_not_a_status)
{
    struct explain *ex = english();
    char out[EXPLAIN_NOTE_MAX];
    ck_assert(!explain_reply_note(ex, NULL, NULL, out, sizeof out));
    ck_assert(!explain_reply_note(ex, NULL, "hello", out, sizeof out));
    ck_assert(explain_reply_note(ex, NULL, "+OK", out, sizeof out)); /* NULL: the greeting */
    explain_free(&ex);
}
END_TEST

static const struct {
    const char *line;
    const char *want[2];
} capa_cases[] = {
    {"PIPELINING", {"without waiting", "RFC 2449 section 6.6"}},
    {"pipelining", {"without waiting", NULL}},
    {"EXPIRE NEVER", {"never deletes", NULL}},
    {"EXPIRE 0", {"as soon as", NULL}},
    {"EXPIRE 30", {"may delete retrieved mail after 30 days", NULL}},
    {"EXPIRE 30 USER", {"after 30 days", "the value for your account"}},
    {"LOGIN-DELAY 900", {"you may log in once every 15 minutes", NULL}},
    {"LOGIN-DELAY 900 USER", {"every 15 minutes", "your account"}},
    {"LOGIN-DELAY 0", {"again at once", NULL}},
    {"SASL PLAIN LOGIN", {"mechanisms: PLAIN LOGIN", NULL}},
    {"IMPLEMENTATION Dovecot ready", {"software: Dovecot ready", NULL}},
    {"X-EXPERIMENT 1", {"does not know", NULL}},
};

START_TEST(capability_table)
{
    struct explain *ex = english();
    char out[EXPLAIN_NOTE_MAX];
    ck_assert(explain_capability(ex, capa_cases[_i].line, out, sizeof out));
    for (size_t k = 0; k < 2 && capa_cases[_i].want[k]; k++)
        ck_assert_msg(strstr(out, capa_cases[_i].want[k]) != NULL, "case %d: '%s'", _i, out);
    explain_free(&ex);
}
END_TEST

START_TEST(capability_and_mechanism_edges)
{
    struct explain *ex = english();
    char out[EXPLAIN_NOTE_MAX];
    ck_assert(!explain_capability(ex, NULL, out, sizeof out));
    ck_assert(!explain_capability(ex, "  ", out, sizeof out));
    ck_assert(!explain_capability(NULL, "TOP", out, sizeof out));
    ck_assert(!explain_mechanism(ex, NULL, out, sizeof out));
    ck_assert(!explain_mechanism(ex, "", out, sizeof out));
    ck_assert(explain_mechanism(ex, "scram-sha-256", out, sizeof out));
    ck_assert_ptr_nonnull(strstr(out, "RFC 7677"));
    ck_assert(explain_mechanism(ex, "PLAIN", out, sizeof out));
    ck_assert_ptr_nonnull(strstr(out, "only over TLS"));
    ck_assert(explain_mechanism(ex, "X-MAGIC", out, sizeof out));
    ck_assert_ptr_nonnull(strstr(out, "does not know"));
    ck_assert_ptr_null(explain_state(NULL, POP3_STATE_TRANSACTION));
    ck_assert_ptr_nonnull(strstr(explain_state(ex, POP3_STATE_TRANSACTION), "RETR"));
    explain_free(&ex);
}
END_TEST

/* ---- translations: the same keys as English, and per-key fallback ---------- */

/* Each embedded translation, parsed alone (without its fallback), has
 * exactly the keys of en.txt: none missing, none that English lacks. */
START_TEST(translations_have_exactly_the_english_keys)
{
    struct pv_error err;
    pv_error_clear(&err);
    struct explain *en = NULL;
    for (size_t i = 0; i < tui_explain_assets_count; i++)
        if (strcmp(tui_explain_assets[i].name, EXPLAIN_SOURCE_LANG) == 0)
            en = explain_parse(tui_explain_assets[i].data, tui_explain_assets[i].len, &err);
    ck_assert_msg(en != NULL, "no English table: %s", err.msg);
    size_t translations = 0;
    for (size_t i = 0; i < tui_explain_assets_count; i++) {
        const struct tui_asset *a = &tui_explain_assets[i];
        if (strcmp(a->name, EXPLAIN_SOURCE_LANG) == 0)
            continue;
        translations++;
        struct explain *tr = explain_parse(a->data, a->len, &err);
        ck_assert_msg(tr != NULL, "%s.txt: %s", a->name, err.msg);
        /* Both are sorted by key: walk them side by side. */
        size_t e = 0, t = 0;
        while (e < explain_count(en) || t < explain_count(tr)) {
            const char *ek = explain_key(en, e), *tk = explain_key(tr, t);
            int c = !ek ? 1 : !tk ? -1 : strcmp(ek, tk);
            ck_assert_msg(c >= 0, "%s.txt lacks the key %s", a->name, ek);
            ck_assert_msg(c <= 0, "%s.txt has the key %s, which en.txt has not", a->name, tk);
            e++;
            t++;
        }
        explain_free(&tr);
    }
    ck_assert_uint_ge(translations, 1); /* ru.txt at least */
    explain_free(&en);
}
END_TEST

START_TEST(builtin_russian)
{
    struct pv_error err;
    pv_error_clear(&err);
    struct explain *ex = explain_builtin("ru", &err);
    ck_assert_msg(ex != NULL, "%s", err.msg);
    ck_assert_ptr_nonnull(strstr(explain_get(ex, "command.RETR"), "письмо целиком"));
    ck_assert_ptr_nonnull(strstr(explain_get(ex, "command.RETR"), "RFC 1939"));
    char out[EXPLAIN_NOTE_MAX];
    struct explain_cmd stat = {.info = pop3_cmd_info(POP3_CMD_STAT)};
    ck_assert(explain_reply_note(ex, &stat, "+OK 2 320", out, sizeof out));
    ck_assert_str_eq(out, "писем: 2, всего октетов: 320 (RFC 1939, раздел 5)");
    explain_free(&ex);
}
END_TEST

/* A key the table lacks comes from its fallback, one key at a time; the
 * table's own text wins where it has one. */
START_TEST(fallback_per_key)
{
    struct pv_error err;
    pv_error_clear(&err);
    static const char tr_text[] = "a = A in the translation\n";
    static const char en_text[] = "a = A\nb = B\n";
    struct explain *tr = explain_parse(tr_text, strlen(tr_text), &err);
    struct explain *en = explain_parse(en_text, strlen(en_text), &err);
    ck_assert_ptr_nonnull(tr);
    ck_assert_ptr_nonnull(en);
    ck_assert_ptr_null(explain_get(tr, "b"));
    explain_set_fallback(tr, en); /* tr owns en now */
    ck_assert_str_eq(explain_get(tr, "a"), "A in the translation");
    ck_assert_str_eq(explain_get(tr, "b"), "B");
    ck_assert_ptr_null(explain_get(tr, "c"));
    ck_assert_uint_eq(explain_count(tr), 1); /* its own entries only */
    ck_assert_str_eq(explain_key(tr, 0), "a");
    ck_assert_ptr_null(explain_key(tr, 1));
    ck_assert_ptr_null(explain_key(NULL, 0));
    char out[64];
    ck_assert(explain_format(tr, "b", NULL, 0, out, sizeof out));
    ck_assert_str_eq(out, "B");
    /* An empty table falls back for everything. */
    struct explain *empty = explain_parse("", 0, &err);
    explain_set_fallback(empty, explain_parse(en_text, strlen(en_text), &err));
    ck_assert_str_eq(explain_get(empty, "a"), "A");
    explain_free(&empty);
    /* Replacing a fallback frees the old one; NULL takes none. */
    explain_set_fallback(tr, NULL);
    ck_assert_ptr_null(explain_get(tr, "b"));
    explain_set_fallback(NULL, explain_parse(en_text, strlen(en_text), &err));
    explain_free(&tr);
}
END_TEST

/* The built-in Russian table with a key missing: English answers. */
START_TEST(builtin_fallback_is_english)
{
    struct pv_error err;
    pv_error_clear(&err);
    struct explain *ru = explain_builtin("ru", &err);
    ck_assert_msg(ru != NULL, "%s", err.msg);
    static const char one[] = "command.STAT = только это\n";
    struct explain *partial = explain_parse(one, strlen(one), &err);
    ck_assert_msg(partial != NULL, "%s", err.msg);
    explain_set_fallback(partial, explain_builtin("en", &err));
    ck_assert_str_eq(explain_get(partial, "command.STAT"), "только это");
    ck_assert_ptr_nonnull(strstr(explain_get(partial, "command.RETR"), "asks for a whole message"));
    explain_free(&partial);
    explain_free(&ru);
}
END_TEST

/* LC_MESSAGES picks the table: English in C, Russian in ru_RU.UTF-8 when
 * that locale is installed. */
START_TEST(for_locale_follows_lc_messages)
{
    struct pv_error err;
    pv_error_clear(&err);
    unsetenv("LANGUAGE");
    char lang[8];
    ck_assert_ptr_nonnull(setlocale(LC_MESSAGES, "C"));
    struct explain *ex = explain_for_locale(lang, sizeof lang, &err);
    ck_assert_msg(ex != NULL, "%s", err.msg);
    ck_assert_str_eq(lang, "en");
    ck_assert_ptr_nonnull(strstr(explain_get(ex, "command.RETR"), "whole message"));
    explain_free(&ex);
    if (setlocale(LC_MESSAGES, "ru_RU.UTF-8")) {
        ex = explain_for_locale(lang, sizeof lang, &err);
        ck_assert_msg(ex != NULL, "%s", err.msg);
        ck_assert_str_eq(lang, "ru");
        ck_assert_ptr_nonnull(strstr(explain_get(ex, "command.RETR"), "письмо целиком"));
        explain_free(&ex);
        /* A language without a table: English. */
        setenv("LANGUAGE", "de", 1);
        ex = explain_for_locale(lang, sizeof lang, &err);
        ck_assert_str_eq(lang, "en");
        explain_free(&ex);
        unsetenv("LANGUAGE");
    }
    setlocale(LC_MESSAGES, "C");
}
END_TEST

static Suite *explain_suite(void)
{
    Suite *s = suite_create("tui_explain");
    TCase *tc = tcase_create("explain_parse");
    tcase_add_test(tc, parse_null_and_empty);
    tcase_add_test(tc, parse_entries_trimmed_crlf_and_sorted);
    tcase_add_loop_test(tc, parse_errors_name_the_line, 0, (int)PV_ARRAY_LEN(parse_errors));
    tcase_add_test(tc, parse_caps);
    tcase_add_test(tc, parse_too_many_entries);
    suite_add_tcase(s, tc);
    tc = tcase_create("explain_builtin");
    tcase_add_test(tc, builtin_unknown_language);
    tcase_add_test(tc, builtin_english_has_every_key_the_code_uses);
    tcase_add_test(tc, translations_have_exactly_the_english_keys);
    tcase_add_test(tc, builtin_russian);
    tcase_add_test(tc, builtin_fallback_is_english);
    suite_add_tcase(s, tc);
    tc = tcase_create("explain_set_fallback");
    tcase_add_test(tc, fallback_per_key);
    suite_add_tcase(s, tc);
    tc = tcase_create("explain_for_locale");
    tcase_add_test(tc, for_locale_follows_lc_messages);
    suite_add_tcase(s, tc);
    tc = tcase_create("explain_fill");
    tcase_add_loop_test(tc, fill_table, 0, (int)PV_ARRAY_LEN(fill_cases));
    tcase_add_test(tc, fill_null_and_cut);
    tcase_add_test(tc, words_split);
    suite_add_tcase(s, tc);
    tc = tcase_create("explain_tracker_feed");
    tcase_add_test(tc, tracker_pairs_replies_with_commands);
    tcase_add_test(tc, tracker_queue_is_bounded);
    suite_add_tcase(s, tc);
    tc = tcase_create("explain_notes");
    tcase_add_test(tc, command_note);
    tcase_add_loop_test(tc, reply_note_table, 0, (int)PV_ARRAY_LEN(reply_cases));
    tcase_add_test(tc, reply_note_not_a_status);
    tcase_add_loop_test(tc, capability_table, 0, (int)PV_ARRAY_LEN(capa_cases));
    tcase_add_test(tc, capability_and_mechanism_edges);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(explain_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
