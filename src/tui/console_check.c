/*
 * The console's pure parts: the checker that looks at a typed command
 * before anything is sent, the masking of secrets while they are typed,
 * Tab completion and the history.  No curses, no mailbox: tests drive
 * them with a made-up session (struct console_session).
 *
 * The checker follows the order a server would: is it a command at all,
 * are its arguments well formed (the encoder would refuse otherwise), is
 * it allowed in this state (RFC 1939 section 3), did CAPA announce it
 * (RFC 2449 section 6; without CAPA nothing is known, so nothing is
 * assumed), and does the message it names exist and is it still
 * unmarked.  The first mistake found is explained with a text of the
 * explanations table.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <popview/util.h>

#include <popview/pop3.h>

#include <popview/mailbox.h>

#include "teach.h"

enum { MASK_TEXT_MAX = CONSOLE_TEXT_MAX + 8 };

static const char MASK[] = "****";

/* ---- splitting --------------------------------------------------------- */

struct typed {
    const struct pop3_cmd_info *info;
    char name[16]; /* the first word as typed (cut) */
    char buf[CONSOLE_TEXT_MAX];
    const char *args[4];
    size_t nargs;
    bool too_many;
};

/* Splits like mailbox_raw_command does: PASS takes the rest of the line. */
static void split(const char *line, struct typed *t)
{
    memset(t, 0, sizeof *t);
    snprintf(t->buf, sizeof t->buf, "%s", line ? line : "");
    char *p = t->buf + strspn(t->buf, " ");
    size_t n = strcspn(p, " ");
    snprintf(t->name, sizeof t->name, "%.*s", (int)n, p);
    t->info = n ? pop3_cmd_lookup(t->name) : NULL;
    if (t->info && !t->info->name[0])
        t->info = NULL;
    p += n;
    if (*p)
        *p++ = '\0';
    if (t->info && t->info->cmd == POP3_CMD_PASS) {
        p += strspn(p, " ");
        if (*p)
            t->args[t->nargs++] = p;
        return;
    }
    while (*p) {
        p += strspn(p, " ");
        if (!*p)
            break;
        if (t->nargs == PV_ARRAY_LEN(t->args)) {
            t->too_many = true;
            return;
        }
        t->args[t->nargs++] = p;
        p += strcspn(p, " ");
        if (*p)
            *p++ = '\0';
    }
}

/* ---- masking ------------------------------------------------------------- */

/* Index of the first secret argument of info, or SIZE_MAX. */
static size_t first_secret(const struct pop3_cmd_info *info)
{
    if (!info)
        return SIZE_MAX;
    switch (info->secret) {
    case POP3_SECRET_ALL_ARGS:
        return 0;
    case POP3_SECRET_LAST_ARG:
        return info->max_args ? info->max_args - 1 : SIZE_MAX;
    case POP3_SECRET_NONE:
        break;
    }
    return SIZE_MAX;
}

void console_mask(const char *line, char *out, size_t out_size)
{
    if (!out || out_size == 0)
        return;
    const char *s = line ? line : "";
    /* The command name must be complete (a space after it) to know. */
    size_t lead = strspn(s, " ");
    size_t n = strcspn(s + lead, " ");
    char name[16];
    snprintf(name, sizeof name, "%.*s", (int)(n < sizeof name ? n : 0), s + lead);
    const struct pop3_cmd_info *info = s[lead + n] == ' ' ? pop3_cmd_lookup(name) : NULL;
    size_t secret = first_secret(info);
    if (secret == SIZE_MAX) {
        snprintf(out, out_size, "%s", s);
        return;
    }
    /* Copy up to the start of argument number `secret`, then the mask. */
    const char *p = s + lead + n;
    size_t arg = 0;
    while (*p) {
        const char *start = p + strspn(p, " ");
        if (!*start)
            break;
        if (arg == secret) {
            snprintf(out, out_size, "%.*s%s", (int)(start - s), s, MASK);
            return;
        }
        p = start + strcspn(start, " ");
        arg++;
    }
    snprintf(out, out_size, "%s", s);
}

bool console_has_secret(const char *line)
{
    char masked[MASK_TEXT_MAX];
    console_mask(line, masked, sizeof masked);
    return strcmp(masked, line ? line : "") != 0;
}

/* ---- the checker ---------------------------------------------------------- */

static bool capa_has(const struct console_session *cs, const char *tag)
{
    size_t n = strlen(tag);
    for (size_t i = 0; i < cs->capa_count; i++) {
        const char *l = cs->capa[i];
        if (l && pv_ascii_nieq(l, tag, n) && (l[n] == '\0' || l[n] == ' '))
            return true;
    }
    return false;
}

static void verdict(struct console_result *out, enum console_verdict v, const struct explain *ex,
                    const char *key, const char *const *words, size_t nwords)
{
    out->verdict = v;
    if (!explain_format(ex, key, words, nwords, out->why, sizeof out->why))
        snprintf(out->why, sizeof out->why, "%s", key); /* the table is missing: say which */
}

/* Whether the command takes a message number as its first argument. */
static bool takes_msgno(enum pop3_cmd cmd)
{
    return cmd == POP3_CMD_DELE || cmd == POP3_CMD_RETR || cmd == POP3_CMD_TOP ||
           cmd == POP3_CMD_LIST || cmd == POP3_CMD_UIDL;
}

/* The message arguments; false when the verdict is set. */
static bool check_numbers(const struct explain *ex, const struct console_session *cs,
                          const struct typed *t, struct console_result *out)
{
    enum pop3_cmd cmd = t->info->cmd;
    if (!takes_msgno(cmd) || t->nargs == 0)
        return true;
    unsigned msgno;
    if (!pv_parse_uint(t->args[0], strlen(t->args[0]), &msgno)) {
        verdict(out, CONSOLE_ASK, ex, "check.number", t->args, 1);
        return false;
    }
    if (msgno == 0 || msgno > cs->messages) {
        char count[24];
        snprintf(count, sizeof count, "%zu", cs->messages);
        const char *words[] = {t->args[0], count};
        verdict(out, CONSOLE_ASK, ex, "check.no-message", words, 2);
        return false;
    }
    unsigned lines;
    if (cmd == POP3_CMD_TOP && !pv_parse_uint(t->args[1], strlen(t->args[1]), &lines)) {
        verdict(out, CONSOLE_ASK, ex, "check.lines", t->args + 1, 1);
        return false;
    }
    /* RFC 1939 section 5: a message marked as deleted is no longer
     * there for RETR, DELE, TOP, LIST and UIDL. */
    if (cs->is_marked && cs->is_marked(cs->ctx, msgno)) {
        verdict(out, CONSOLE_ASK, ex, "check.marked", t->args, 1);
        return false;
    }
    out->msgno = msgno;
    return true;
}

static enum console_action action_of(enum pop3_cmd cmd)
{
    switch (cmd) {
    case POP3_CMD_QUIT:
        return CONSOLE_ACT_QUIT;
    case POP3_CMD_DELE:
        return CONSOLE_ACT_MARK;
    case POP3_CMD_RSET:
        return CONSOLE_ACT_UNMARK_ALL;
    default:
        return CONSOLE_ACT_RAW;
    }
}

static void check_typed(const struct explain *ex, const struct console_session *cs,
                        const struct typed *t, struct console_result *out);

void console_check(const struct explain *ex, const struct console_session *cs, const char *line,
                   struct console_result *out)
{
    memset(out, 0, sizeof *out);
    out->action = CONSOLE_ACT_RAW;
    console_mask(line, out->masked, sizeof out->masked);
    struct typed t;
    split(line, &t);
    check_typed(ex, cs, &t, out);
    pv_wipe(&t, sizeof t); /* it may hold a password */
}

static void check_typed(const struct explain *ex, const struct console_session *cs,
                        const struct typed *t, struct console_result *out)
{
    if (!t->name[0]) {
        out->verdict = CONSOLE_EMPTY;
        return;
    }
    out->info = t->info;
    if (!t->info) {
        const char *words[] = {t->name};
        verdict(out, CONSOLE_REFUSE, ex, "check.unknown", words, 1);
        return;
    }
    const char *name = t->info->name;
    enum pop3_cmd cmd = t->info->cmd;
    if (cmd == POP3_CMD_STLS || cmd == POP3_CMD_AUTH) {
        verdict(out, CONSOLE_REFUSE, ex, "check.popview", &name, 1);
        return;
    }
    if (t->too_many || t->nargs < t->info->min_args || t->nargs > t->info->max_args) {
        char key[EXPLAIN_KEY_MAX + 1];
        snprintf(key, sizeof key, "usage.%s", name);
        const char *usage = explain_get(ex, key);
        const char *words[] = {usage ? usage : name};
        verdict(out, CONSOLE_REFUSE, ex, "check.args", words, 1);
        return;
    }
    if (cs->state == POP3_STATE_DISCONNECTED || cs->state == POP3_STATE_UPDATE) {
        verdict(out, CONSOLE_REFUSE, ex, "check.disconnected", NULL, 0);
        return;
    }
    if (!(t->info->states & (1u << cs->state))) {
        const char *allows = explain_state(ex, cs->state);
        const char *words[] = {name, pop3_state_name(cs->state), allows ? allows : ""};
        verdict(out, CONSOLE_ASK, ex, "check.state", words, 3);
        return;
    }
    if (t->info->capability && cs->capa_known && !capa_has(cs, t->info->capability)) {
        const char *words[] = {name, t->info->capability};
        verdict(out, CONSOLE_ASK, ex, "check.capa", words, 2);
        return;
    }
    if (!check_numbers(ex, cs, t, out))
        return;
    out->verdict = CONSOLE_SEND;
    out->action = action_of(cmd);
}

/* ---- completion and the list of commands ------------------------------------ */

size_t console_complete(const char *line, char *out, size_t out_size, char *names,
                        size_t names_size)
{
    const char *s = line ? line : "";
    if (names && names_size)
        names[0] = '\0';
    snprintf(out, out_size, "%s", s);
    size_t lead = strspn(s, " ");
    const char *word = s + lead;
    size_t n = strlen(word);
    if (strchr(word, ' '))
        return 0; /* past the command name: nothing to complete */
    const char *first = NULL;
    size_t common = 0, matches = 0, names_len = 0;
    for (int c = 0; c < POP3_CMD_COUNT_; c++) {
        const struct pop3_cmd_info *info = pop3_cmd_info((enum pop3_cmd)c);
        if (!info || !info->name[0] || !pv_ascii_nieq(info->name, word, n) ||
            strlen(info->name) < n)
            continue;
        if (!first) {
            first = info->name;
            common = strlen(first);
        } else {
            size_t k = 0;
            while (k < common && info->name[k] == first[k])
                k++;
            common = k;
        }
        if (names && names_len + strlen(info->name) + 2 < names_size) {
            int w = snprintf(names + names_len, names_size - names_len, "%s%s",
                             names_len ? " " : "", info->name);
            names_len += w > 0 ? (size_t)w : 0;
        }
        matches++;
    }
    if (matches == 1)
        snprintf(out, out_size, "%.*s%s ", (int)lead, s, first);
    else if (matches > 1 && common > n)
        snprintf(out, out_size, "%.*s%.*s", (int)lead, s, (int)common, first);
    return matches;
}

size_t console_valid_commands(const struct console_session *cs, const struct pop3_cmd_info **out,
                              size_t max)
{
    size_t n = 0;
    for (int c = 0; c < POP3_CMD_COUNT_ && n < max; c++) {
        const struct pop3_cmd_info *info = pop3_cmd_info((enum pop3_cmd)c);
        if (!info || !info->name[0] || info->cmd == POP3_CMD_STLS || info->cmd == POP3_CMD_AUTH)
            continue;
        if (cs->state == POP3_STATE_DISCONNECTED || cs->state == POP3_STATE_UPDATE ||
            !(info->states & (1u << cs->state)))
            continue;
        if (info->capability && cs->capa_known && !capa_has(cs, info->capability))
            continue;
        out[n++] = info;
    }
    return n;
}

/* ---- history ------------------------------------------------------------------ */

void console_history_add(struct console_history *h, const char *line)
{
    h->pos = h->count;
    if (!line || !line[strspn(line, " ")] || console_has_secret(line))
        return;
    if (h->count && strcmp(h->items[h->count - 1], line) == 0)
        return;
    if (h->count == CONSOLE_HISTORY_MAX) {
        free(h->items[0]);
        memmove(h->items, h->items + 1, (CONSOLE_HISTORY_MAX - 1) * sizeof *h->items);
        h->count--;
    }
    h->items[h->count++] = pv_xstrdup(line);
    h->pos = h->count;
}

const char *console_history_move(struct console_history *h, bool up)
{
    if (up) {
        if (h->pos == 0)
            return NULL;
        return h->items[--h->pos];
    }
    if (h->pos >= h->count)
        return NULL;
    h->pos++;
    return h->pos < h->count ? h->items[h->pos] : NULL;
}

void console_history_clear(struct console_history *h)
{
    for (size_t i = 0; i < h->count; i++)
        free(h->items[i]);
    memset(h, 0, sizeof *h);
}
