/*
 * The explanations: the table of teaching texts (assets/explain/en.txt,
 * embedded by src/tools/embed_files.c), and the notes built from it for commands,
 * replies, capabilities, mechanisms and states.
 *
 * The file format is documented at the top of assets/explain/en.txt; this
 * parser is strict (a mistake names its line) so a broken translation is
 * found when it is built and tested, not by a learner.  Keys are looked up
 * exactly; the program builds them from the protocol ("command.STAT",
 * "reply.LIST.arg.+OK", "capa.EXPIRE.NEVER") and falls back from the
 * particular to the general, so a text may be added for any case without
 * touching the code.
 *
 * Glossary: a *template* is a text with placeholders ({1}, {*},
 * {1:minutes}); *words* are what fills them, usually the words after a
 * status or a capability's tag.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <popview/util.h>

#include <popview/pop3.h>

#include <popview/mailbox.h>

#include <popview/i18n.h>

#include "teach.h"

struct explain_entry {
    char *key;
    char *text;
    size_t line; /* where it was defined, for the duplicate message */
};

struct explain {
    struct explain_entry *entries; /* sorted by key */
    size_t count;
    struct explain *fallback; /* owned; asked for the keys this table lacks */
};

/* ---- parsing ----------------------------------------------------------- */

static bool key_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '-' || c == '+' || c == '/';
}

static bool is_blank(char c)
{
    return c == ' ' || c == '\t';
}

/* [*s, *e) without blanks at either end. */
static void trim(const char **s, const char **e)
{
    while (*s < *e && is_blank(**s))
        (*s)++;
    while (*e > *s && is_blank((*e)[-1]))
        (*e)--;
}

static int compare_entries(const void *a, const void *b)
{
    return strcmp(((const struct explain_entry *)a)->key, ((const struct explain_entry *)b)->key);
}

static int compare_key(const void *key, const void *entry)
{
    return strcmp(key, ((const struct explain_entry *)entry)->key);
}

/* Checks one "key = text" line; false with err set. */
static bool parse_entry(const char *s, const char *e, size_t lineno, struct explain_entry *out,
                        struct pv_error *err)
{
    const char *eq = memchr(s, '=', (size_t)(e - s));
    if (!eq) {
        pv_error_set(err, _("line %zu: no \"=\" between a key and its text"), lineno);
        return false;
    }
    const char *ks = s, *ke = eq;
    const char *ts = eq + 1, *te = e;
    trim(&ks, &ke);
    trim(&ts, &te);
    size_t klen = (size_t)(ke - ks);
    size_t tlen = (size_t)(te - ts);
    if (klen == 0 || klen > EXPLAIN_KEY_MAX) {
        pv_error_set(err, _("line %zu: a key must have 1 to %d characters"), lineno,
                     EXPLAIN_KEY_MAX);
        return false;
    }
    for (size_t i = 0; i < klen; i++) {
        if (!key_char(ks[i])) {
            pv_error_set(err,
                         _("line %zu: the key holds '%c'; keys are letters, digits and . _ - + /"),
                         lineno, (unsigned char)ks[i] >= 0x20 && ks[i] != 0x7f ? ks[i] : '?');
            return false;
        }
    }
    if (tlen == 0 || tlen > EXPLAIN_TEXT_MAX) {
        pv_error_set(err, _("line %zu: a text must have 1 to %d octets"), lineno, EXPLAIN_TEXT_MAX);
        return false;
    }
    for (size_t i = 0; i < tlen; i++) {
        unsigned char c = (unsigned char)ts[i];
        if (c < 0x20 || c == 0x7f) {
            pv_error_set(err, _("line %zu: the text holds a control character (a tab?)"), lineno);
            return false;
        }
    }
    out->key = pv_xstrndup(ks, klen);
    out->text = pv_xstrndup(ts, tlen);
    out->line = lineno;
    return true;
}

static bool sort_and_check(struct explain *ex, struct pv_error *err)
{
    if (ex->count > 1)
        qsort(ex->entries, ex->count, sizeof *ex->entries, compare_entries);
    for (size_t i = 1; i < ex->count; i++) {
        if (strcmp(ex->entries[i - 1].key, ex->entries[i].key) == 0) {
            size_t a = ex->entries[i - 1].line, b = ex->entries[i].line;
            pv_error_set(err, _("line %zu: the key %s was given already on line %zu"),
                         a > b ? a : b, ex->entries[i].key, a < b ? a : b);
            return false;
        }
    }
    return true;
}

struct explain *explain_parse(const char *text, size_t len, struct pv_error *err)
{
    if (!text)
        len = 0;
    if (len > EXPLAIN_FILE_MAX) {
        pv_error_set(err, _("the explanations are larger than %d octets"), EXPLAIN_FILE_MAX);
        return NULL;
    }
    struct explain *ex = pv_xcalloc(1, sizeof *ex);
    size_t lineno = 0;
    for (size_t off = 0; off < len;) {
        const char *s = text + off;
        const char *nl = memchr(s, '\n', len - off);
        const char *e = nl ? nl : text + len;
        off = (size_t)(e - text) + (nl ? 1 : 0);
        lineno++;
        if (e > s && e[-1] == '\r')
            e--;
        const char *first = s;
        while (first < e && is_blank(*first))
            first++;
        if (first == e || *first == '#')
            continue;
        if (ex->count == EXPLAIN_ENTRIES_MAX) {
            pv_error_set(err, _("line %zu: more than %d entries"), lineno, EXPLAIN_ENTRIES_MAX);
            explain_free(&ex);
            return NULL;
        }
        if (ex->count % 64 == 0)
            ex->entries = pv_xreallocarray(ex->entries, ex->count + 64, sizeof *ex->entries);
        if (!parse_entry(s, e, lineno, &ex->entries[ex->count], err)) {
            explain_free(&ex);
            return NULL;
        }
        ex->count++;
    }
    if (!sort_and_check(ex, err)) {
        explain_free(&ex);
        return NULL;
    }
    return ex;
}

static const struct tui_asset *builtin_asset(const char *lang)
{
    for (size_t i = 0; lang && i < tui_explain_assets_count; i++) {
        if (strcmp(tui_explain_assets[i].name, lang) == 0)
            return &tui_explain_assets[i];
    }
    return NULL;
}

static struct explain *parse_builtin(const struct tui_asset *a, struct pv_error *err)
{
    struct explain *ex = explain_parse(a->data, a->len, err);
    if (!ex)
        pv_error_prefix(err, _("the built-in explanations (%s) are broken"), a->name);
    return ex;
}

/* English is the source: every other table falls back to it key by key
 * (assets/explain/en.txt's header promises it). */
struct explain *explain_builtin(const char *lang, struct pv_error *err)
{
    const struct tui_asset *a = builtin_asset(lang);
    if (!a) {
        pv_error_set(err, _("no built-in explanations for the language '%s'"), lang ? lang : "");
        return NULL;
    }
    struct explain *ex = parse_builtin(a, err);
    if (!ex || strcmp(lang, EXPLAIN_SOURCE_LANG) == 0)
        return ex;
    const struct tui_asset *source = builtin_asset(EXPLAIN_SOURCE_LANG);
    struct explain *fallback = source ? parse_builtin(source, err) : NULL;
    if (!fallback && source) {
        explain_free(&ex);
        return NULL;
    }
    explain_set_fallback(ex, fallback);
    return ex;
}

struct explain *explain_for_locale(char *lang_out, size_t lang_size, struct pv_error *err)
{
    char lang[8];
    pv_i18n_language(lang, sizeof lang);
    if (!builtin_asset(lang))
        snprintf(lang, sizeof lang, "%s", EXPLAIN_SOURCE_LANG);
    if (lang_out && lang_size)
        snprintf(lang_out, lang_size, "%s", lang);
    return explain_builtin(lang, err);
}

void explain_set_fallback(struct explain *ex, struct explain *fallback)
{
    if (!ex) {
        explain_free(&fallback);
        return;
    }
    explain_free(&ex->fallback);
    ex->fallback = fallback;
}

const char *explain_key(const struct explain *ex, size_t i)
{
    return ex && i < ex->count ? ex->entries[i].key : NULL;
}

void explain_free(struct explain **exp)
{
    if (!exp || !*exp)
        return;
    struct explain *ex = *exp;
    for (size_t i = 0; i < ex->count; i++) {
        free(ex->entries[i].key);
        free(ex->entries[i].text);
    }
    free(ex->entries);
    explain_free(&ex->fallback);
    free(ex);
    *exp = NULL;
}

size_t explain_count(const struct explain *ex)
{
    return ex ? ex->count : 0;
}

const char *explain_get(const struct explain *ex, const char *key)
{
    if (!ex || !key)
        return NULL;
    /* bsearch may not be given a NULL array, even an empty one. */
    const struct explain_entry *e =
        ex->count ? bsearch(key, ex->entries, ex->count, sizeof *ex->entries, compare_key) : NULL;
    return e ? e->text : explain_get(ex->fallback, key);
}

/* ---- templates ----------------------------------------------------------- */

struct out_text {
    char *p;
    size_t size, len;
};

/* Appends what fits, never half a UTF-8 character. */
static void out_add(struct out_text *o, const char *s, size_t n)
{
    size_t room = o->size - 1 - o->len;
    if (n > room) {
        n = room;
        while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
            n--;
    }
    memcpy(o->p + o->len, s, n);
    o->len += n;
    o->p[o->len] = '\0';
}

static void out_str(struct out_text *o, const char *s)
{
    out_add(o, s, strlen(s));
}

/* Seconds in minutes: "15" for 900, "1.5" for 90; the word itself when it
 * is not a number. */
static void out_minutes(struct out_text *o, const char *word)
{
    uint64_t s;
    if (!pv_parse_u64(word, strlen(word), &s) || s > UINT64_MAX / 10 - 30) {
        out_str(o, word);
        return;
    }
    char num[32];
    if (s % 60 == 0) {
        snprintf(num, sizeof num, "%llu", (unsigned long long)(s / 60));
    } else {
        uint64_t tenths = (s * 10 + 30) / 60;
        snprintf(num, sizeof num, "%llu.%llu", (unsigned long long)(tenths / 10),
                 (unsigned long long)(tenths % 10));
    }
    out_str(o, num);
}

/* One placeholder's inside ("1", "*", "2:minutes"); false if it is none. */
static bool out_placeholder(struct out_text *o, const char *in, size_t n, const char *const *words,
                            size_t nwords)
{
    if (n == 1 && in[0] == '*') {
        for (size_t i = 0; i < nwords; i++) {
            if (i)
                out_str(o, " ");
            out_str(o, words[i]);
        }
        return true;
    }
    if (n < 1 || in[0] < '1' || in[0] > '9')
        return false;
    size_t k = (size_t)(in[0] - '1');
    const char *w = k < nwords && words[k] ? words[k] : "?";
    if (n == 1) {
        out_str(o, w);
        return true;
    }
    if (n == 9 && memcmp(in + 1, ":minutes", 8) == 0) {
        out_minutes(o, w);
        return true;
    }
    return false;
}

void explain_fill(const char *tmpl, const char *const *words, size_t nwords, char *out,
                  size_t out_size)
{
    if (!out || out_size == 0)
        return;
    struct out_text o = {.p = out, .size = out_size};
    out[0] = '\0';
    const char *s = tmpl ? tmpl : "";
    while (*s) {
        const char *brace = strchr(s, '{');
        if (!brace) {
            out_str(&o, s);
            return;
        }
        out_add(&o, s, (size_t)(brace - s));
        const char *close = strchr(brace, '}');
        if (close && close - brace <= 16 &&
            out_placeholder(&o, brace + 1, (size_t)(close - brace - 1), words, nwords)) {
            s = close + 1;
        } else {
            out_add(&o, brace, 1);
            s = brace + 1;
        }
    }
}

size_t explain_words(const char *text, char *buf, size_t buf_size, const char **words, size_t max)
{
    if (!buf || buf_size == 0)
        return 0;
    snprintf(buf, buf_size, "%s", text ? text : "");
    size_t n = 0;
    char *p = buf;
    while (*p && n < max) {
        while (*p == ' ')
            p++;
        if (!*p)
            break;
        words[n++] = p;
        while (*p && *p != ' ')
            p++;
        if (*p)
            *p++ = '\0';
    }
    return n;
}

bool explain_format(const struct explain *ex, const char *key, const char *const *words,
                    size_t nwords, char *out, size_t out_size)
{
    const char *tmpl = explain_get(ex, key);
    if (!tmpl)
        return false;
    explain_fill(tmpl, words, nwords, out, out_size);
    return true;
}

/* ---- which command a reply answers ---------------------------------------- */

void explain_tracker_reset(struct explain_tracker *t)
{
    memset(t, 0, sizeof *t);
}

/* The command named by the first word of a line, or NULL. */
static const struct pop3_cmd_info *line_command(const char *text, bool *has_args_out)
{
    char name[16];
    size_t n = strcspn(text, " ");
    if (has_args_out)
        *has_args_out = text[n] == ' ' && text[n + strspn(text + n, " ")] != '\0';
    if (n == 0 || n >= sizeof name)
        return NULL;
    memcpy(name, text, n);
    name[n] = '\0';
    const struct pop3_cmd_info *info = pop3_cmd_lookup(name);
    return info && info->name[0] ? info : NULL;
}

static bool is_continuation(const char *text)
{
    return text[0] == '+' && (text[1] == ' ' || text[1] == '\0');
}

bool explain_tracker_feed(struct explain_tracker *t, enum mailbox_line_kind kind, const char *text,
                          struct explain_cmd *answered_out)
{
    if (!text)
        return false;
    if (kind == MAILBOX_LINE_CLIENT) {
        bool has_args;
        const struct pop3_cmd_info *info = line_command(text, &has_args);
        if (!info)
            return false; /* a SASL response line belongs to the AUTH in the queue */
        if (t->count == EXPLAIN_TRACK_MAX) {
            t->head = (t->head + 1) % EXPLAIN_TRACK_MAX;
            t->count--;
        }
        t->queue[(t->head + t->count) % EXPLAIN_TRACK_MAX] =
            (struct explain_cmd){.info = info, .has_args = has_args};
        t->count++;
        return false;
    }
    if (kind != MAILBOX_LINE_SERVER)
        return false;
    struct explain_cmd none = {0};
    struct explain_cmd head = t->count ? t->queue[t->head] : none;
    if (!is_continuation(text) && t->count) {
        t->head = (t->head + 1) % EXPLAIN_TRACK_MAX;
        t->count--;
    }
    if (answered_out)
        *answered_out = head;
    return true;
}

/* ---- notes ------------------------------------------------------------------ */

bool explain_command_note(const struct explain *ex, const char *line, char *out, size_t out_size)
{
    const struct pop3_cmd_info *info = line ? line_command(line, NULL) : NULL;
    if (!info)
        return false;
    char key[EXPLAIN_KEY_MAX + 1];
    snprintf(key, sizeof key, "command.%s", info->name);
    return explain_format(ex, key, NULL, 0, out, out_size);
}

/* "[IN-USE] text": the code's note, if the table has one. */
static bool code_note(const struct explain *ex, const char *rest, char *out, size_t out_size)
{
    if (rest[0] != '[')
        return false;
    size_t n = strcspn(rest + 1, "]");
    if (rest[1 + n] != ']' || n == 0 || n > 32)
        return false;
    char key[EXPLAIN_KEY_MAX + 1];
    snprintf(key, sizeof key, "code.%.*s", (int)n, rest + 1);
    for (char *p = key + 5; *p; p++)
        *p = (*p >= 'a' && *p <= 'z') ? (char)(*p - 'a' + 'A') : *p;
    return explain_format(ex, key, NULL, 0, out, out_size);
}

bool explain_reply_note(const struct explain *ex, const struct explain_cmd *answered,
                        const char *status_line, char *out, size_t out_size)
{
    if (!status_line)
        return false;
    if (is_continuation(status_line))
        return explain_format(ex, "reply.continue", NULL, 0, out, out_size);
    const char *status;
    if (strncmp(status_line, "+OK", 3) == 0)
        status = "+OK";
    else if (strncmp(status_line, "-ERR", 4) == 0)
        status = "-ERR";
    else
        return false;
    const char *rest = status_line + strlen(status);
    rest += strspn(rest, " ");
    if (code_note(ex, rest, out, out_size))
        return true;
    char buf[EXPLAIN_NOTE_MAX];
    const char *words[EXPLAIN_WORDS_MAX];
    size_t n = explain_words(rest, buf, sizeof buf, words, EXPLAIN_WORDS_MAX);
    char key[EXPLAIN_KEY_MAX + 1];
    const struct pop3_cmd_info *info = answered ? answered->info : NULL;
    if (!info) {
        if (strchr(rest, '<')) {
            snprintf(key, sizeof key, "reply.greeting.%s.apop", status);
            if (explain_format(ex, key, words, n, out, out_size))
                return true;
        }
        snprintf(key, sizeof key, "reply.greeting.%s", status);
        return explain_format(ex, key, words, n, out, out_size);
    }
    if (answered->has_args) {
        snprintf(key, sizeof key, "reply.%s.arg.%s", info->name, status);
        if (explain_format(ex, key, words, n, out, out_size))
            return true;
    }
    snprintf(key, sizeof key, "reply.%s.%s", info->name, status);
    if (explain_format(ex, key, words, n, out, out_size))
        return true;
    snprintf(key, sizeof key, "reply.%s", status);
    return explain_format(ex, key, words, n, out, out_size);
}

static void upper(char *s)
{
    for (; *s; s++)
        if (*s >= 'a' && *s <= 'z')
            *s = (char)(*s - 'a' + 'A');
}

bool explain_capability(const struct explain *ex, const char *capa_line, char *out, size_t out_size)
{
    char buf[EXPLAIN_NOTE_MAX];
    const char *words[EXPLAIN_WORDS_MAX + 1];
    size_t n = explain_words(capa_line, buf, sizeof buf, words, EXPLAIN_WORDS_MAX + 1);
    if (n == 0)
        return false;
    char tag[EXPLAIN_KEY_MAX];
    snprintf(tag, sizeof tag, "%s", words[0]);
    upper(tag);
    const char *const *args = words + 1;
    size_t nargs = n - 1;
    /* RFC 2449 sections 6.5 and 6.7: "USER" after the value means it may
     * differ per user (and the value after login is the account's own). */
    bool per_user = nargs >= 2 && pv_ascii_ieq(args[nargs - 1], "USER") &&
                    (strcmp(tag, "EXPIRE") == 0 || strcmp(tag, "LOGIN-DELAY") == 0);
    if (per_user)
        nargs--;
    char key[EXPLAIN_KEY_MAX * 3]; /* room for both words: a long one just finds nothing */
    bool found = false;
    if (nargs) {
        char arg[EXPLAIN_KEY_MAX];
        snprintf(arg, sizeof arg, "%s", args[0]);
        upper(arg);
        snprintf(key, sizeof key, "capa.%s.%s", tag, arg);
        found = explain_format(ex, key, args, nargs, out, out_size);
    }
    if (!found) {
        snprintf(key, sizeof key, "capa.%s", tag);
        found = explain_format(ex, key, args, nargs, out, out_size);
    }
    if (!found)
        found = explain_format(ex, "capa.unknown", args, nargs, out, out_size);
    const char *extra = per_user ? explain_get(ex, "capa.per-user") : NULL;
    if (found && extra) {
        size_t len = strlen(out);
        snprintf(out + len, out_size - len, " %s", extra);
    }
    return found;
}

bool explain_mechanism(const struct explain *ex, const char *name, char *out, size_t out_size)
{
    if (!name || !*name)
        return false;
    char key[EXPLAIN_KEY_MAX + 1];
    snprintf(key, sizeof key, "mech.%s", name);
    upper(key + 5);
    return explain_format(ex, key, NULL, 0, out, out_size) ||
           explain_format(ex, "mech.unknown", NULL, 0, out, out_size);
}

const char *explain_state(const struct explain *ex, enum pop3_state st)
{
    char key[EXPLAIN_KEY_MAX + 1];
    snprintf(key, sizeof key, "state.%s", pop3_state_name(st));
    return explain_get(ex, key);
}
