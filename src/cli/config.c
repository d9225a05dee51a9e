/*
 * The config file: named accounts and the interface settings, read once at
 * start.  The format (cli.h, assets/popview.conf.example) is INI-like and
 * strict: an unknown or repeated setting, a bad value or a section that
 * does not exist is an error naming the file, the line and the problem,
 * with the nearest known name when it looks misspelt, because a setting
 * silently ignored is worse than one refused.
 *
 * The [ui] settings are checked by the tui layer (tui_prefs_set), which
 * knows the theme's elements and the actions' names; this file knows the
 * accounts.
 *
 * Safety: the file can run commands (password_command), so one that group
 * or others can write to, or that belongs to someone else, is refused
 * before it is read, like ~/.netrc in credentials.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <popview/util.h>

#include <popview/tui.h>

#include <popview/i18n.h>

#include "cli.h"

enum { QUOTE_MAX = 64, SUGGEST_NAME_MAX = 64 };

/* ---- names of the account settings ----------------------------------------------- */

enum account_key {
    K_HOST,
    K_PORT,
    K_TLS,
    K_USER,
    K_AUTH,
    K_PASSWORD_COMMAND,
    K_NETRC,
    K_CAFILE,
    K_TIMEOUT,
    K_CACHE,
    K_SAVE_FOLDER,
    K_COUNT_
};

static const char *const ACCOUNT_KEYS[K_COUNT_] = {
    [K_HOST] = "host",
    [K_PORT] = "port",
    [K_TLS] = "tls",
    [K_USER] = "user",
    [K_AUTH] = "auth",
    [K_PASSWORD_COMMAND] = "password_command",
    [K_NETRC] = "netrc",
    [K_CAFILE] = "cafile",
    [K_TIMEOUT] = "timeout",
    [K_CACHE] = "cache",
    [K_SAVE_FOLDER] = "save_folder",
};

static const char TOP_KEY_DEFAULT[] = "default_account";

/* ---- small helpers ----------------------------------------------------------------- */

/* Edit distance (insertions, deletions, substitutions, and swapping two
 * neighbours: "prot" is one step from "port"), ASCII case-insensitive, for
 * "did you mean"; names are short. */
static size_t edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a);
    size_t lb = strlen(b);
    if (la > SUGGEST_NAME_MAX || lb > SUGGEST_NAME_MAX)
        return SIZE_MAX;
    size_t rows[3][SUGGEST_NAME_MAX + 1];
    size_t *before = rows[0]; /* row i-2 */
    size_t *prev = rows[1];   /* row i-1 */
    size_t *cur = rows[2];
    for (size_t j = 0; j <= lb; j++)
        prev[j] = j;
    for (size_t i = 1; i <= la; i++) {
        cur[0] = i;
        char ca = pv_ascii_lower(a[i - 1]);
        for (size_t j = 1; j <= lb; j++) {
            char cb = pv_ascii_lower(b[j - 1]);
            size_t best = prev[j - 1] + (ca == cb ? 0 : 1);
            if (prev[j] + 1 < best)
                best = prev[j] + 1;
            if (cur[j - 1] + 1 < best)
                best = cur[j - 1] + 1;
            if (i > 1 && j > 1 && ca == pv_ascii_lower(b[j - 2]) &&
                pv_ascii_lower(a[i - 2]) == cb && before[j - 2] + 1 < best)
                best = before[j - 2] + 1;
            cur[j] = best;
        }
        size_t *t = before;
        before = prev;
        prev = cur;
        cur = t;
    }
    return prev[lb];
}

/* Keeps the closest candidate so far in best (size SUGGEST_NAME_MAX). */
struct suggestion {
    char best[SUGGEST_NAME_MAX];
    size_t distance;
};

static void suggest_consider(struct suggestion *s, const char *typed, const char *candidate)
{
    size_t d = edit_distance(typed, candidate);
    /* Close enough to be a typo: a third of the name, at least 1, at most 3. */
    size_t len = strlen(candidate);
    size_t limit = len / 3 < 1 ? 1 : len / 3 > 3 ? 3 : len / 3;
    if (d <= limit && d < s->distance) {
        s->distance = d;
        snprintf(s->best, sizeof s->best, "%s", candidate);
    }
}

static bool is_blank(char c)
{
    return c == ' ' || c == '\t';
}

/* Trims blanks at both ends of [*s, *s+*len). */
static void trim(const char **s, size_t *len)
{
    while (*len && is_blank(**s)) {
        (*s)++;
        (*len)--;
    }
    while (*len && is_blank((*s)[*len - 1]))
        (*len)--;
}

static bool has_control(const char *s)
{
    for (; *s; s++) {
        if (((unsigned char)*s < 0x20 && *s != '\t') || *s == 0x7f)
            return true;
    }
    return false;
}

static bool parse_yes_no(const char *v, bool *out)
{
    static const char *const yes[] = {"yes", "true", "on", "1"};
    static const char *const no[] = {"no", "false", "off", "0"};
    for (size_t i = 0; i < PV_ARRAY_LEN(yes); i++) {
        if (pv_ascii_ieq(v, yes[i])) {
            *out = true;
            return true;
        }
        if (pv_ascii_ieq(v, no[i])) {
            *out = false;
            return true;
        }
    }
    return false;
}

/* "~" and "~/x" -> $HOME, $HOME/x; other paths are kept.  NULL when the
 * path says ~ and HOME is not an absolute path, or says ~user. */
static char *expand_home(const char *path, const char **problem_out)
{
    if (path[0] != '~')
        return pv_xstrdup(path);
    if (path[1] != '\0' && path[1] != '/') {
        *problem_out = _("only ~/ (your own home) is expanded, not ~user");
        return NULL;
    }
    const char *home = getenv("HOME");
    if (!home || home[0] != '/') {
        *problem_out = _("~ cannot be expanded: HOME is not set to an absolute path");
        return NULL;
    }
    return pv_xasprintf("%s%s", home, path + 1);
}

/* The path with the home directory written as ~, for messages. */
static char *display_path(const char *path)
{
    const char *home = getenv("HOME");
    size_t hl = home ? strlen(home) : 0;
    while (hl > 1 && home[hl - 1] == '/')
        hl--;
    if (hl > 1 && strncmp(path, home, hl) == 0 && (path[hl] == '/' || path[hl] == '\0'))
        return pv_xasprintf("~%s", path + hl);
    return pv_xstrdup(path);
}

/* ---- the parser ---------------------------------------------------------------------- */

enum section { SEC_TOP, SEC_ACCOUNT, SEC_UI };

struct seen_name {
    char *name;
    unsigned line;
};

struct parser {
    const char *file; /* for messages */
    unsigned line;
    struct cli_config *c;
    enum section sec;
    struct cli_account *acct; /* in SEC_ACCOUNT */
    unsigned acct_seen[K_COUNT_];
    struct seen_name *ui_seen; /* [ui] names already set, for duplicates */
    size_t ui_seen_count;
    bool ui_started;
    unsigned default_line;
    struct pv_error *err;
};

static enum cli_status fail(struct parser *p, const char *fmt, ...) PV_PRINTF(2, 3);

static enum cli_status fail(struct parser *p, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    pv_error_vset(p->err, fmt, ap);
    va_end(ap);
    pv_error_prefix(p->err, "%s:%u", p->file, p->line);
    return CLI_ERR_CONFIG;
}

static enum cli_status fail_at(struct parser *p, unsigned line, const char *fmt, ...)
    PV_PRINTF(3, 4);

static enum cli_status fail_at(struct parser *p, unsigned line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    pv_error_vset(p->err, fmt, ap);
    va_end(ap);
    pv_error_prefix(p->err, "%s:%u", p->file, line);
    return CLI_ERR_CONFIG;
}

/* "[account work]" or "[ui]", for messages. */
static void section_label(const struct parser *p, char *out, size_t out_size)
{
    if (p->sec == SEC_ACCOUNT)
        snprintf(out, out_size, "[account %s]", p->acct->name);
    else if (p->sec == SEC_UI)
        snprintf(out, out_size, "[ui]");
    else
        /* TRANSLATORS: it follows "in" (unknown setting '%s' in %s). */
        snprintf(out, out_size, "%s", _("the top of the file (before any section)"));
}

static void account_init(struct cli_account *a, const char *name, unsigned line)
{
    memset(a, 0, sizeof *a);
    a->name = pv_xstrdup(name);
    a->line = line;
    a->tls = CLI_TLS_IMPLICIT;
    a->netrc = true;
    a->cache = true;
}

static void account_clear(struct cli_account *a)
{
    free(a->name);
    free(a->host);
    free(a->user);
    free(a->auth);
    free(a->password_command);
    free(a->cafile);
    free(a->save_folder);
    memset(a, 0, sizeof *a);
}

/* What an account needs once its section is over. */
static enum cli_status finish_account(struct parser *p)
{
    if (p->sec != SEC_ACCOUNT)
        return CLI_OK;
    struct cli_account *a = p->acct;
    if (!a->host)
        return fail_at(p, a->line,
                       _("[account %s] has no host (add a line like host = pop.example.org)"),
                       a->name);
    if (a->tls == CLI_TLS_NONE && a->cafile)
        return fail_at(p, p->acct_seen[K_CAFILE],
                       _("cafile in [account %s] cannot be used with tls = none: without TLS there "
                         "is no certificate to check"),
                       a->name);
    return CLI_OK;
}

static bool valid_account_name(const char *name)
{
    size_t len = strlen(name);
    if (len == 0 || len > CLI_ACCOUNT_NAME_MAX)
        return false;
    for (const char *c = name; *c; c++) {
        bool ok = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
                  (*c >= '0' && *c <= '9') || strchr("._-@+", *c) != NULL;
        if (!ok)
            return false;
    }
    return true;
}

static enum cli_status start_account(struct parser *p, const char *name)
{
    if (!valid_account_name(name))
        return fail(p,
                    _("account name '%s' is not valid: use 1 to %d letters, digits and . _ - @ +"),
                    name, CLI_ACCOUNT_NAME_MAX);
    const struct cli_account *old = cli_config_account(p->c, name);
    if (old)
        return fail(p, _("[account %s] appears twice (first on line %u)"), name, old->line);
    if (p->c->account_count == CLI_CONFIG_ACCOUNTS_MAX)
        return fail(p, _("too many accounts: at most %d"), CLI_CONFIG_ACCOUNTS_MAX);
    p->c->accounts =
        pv_xreallocarray(p->c->accounts, p->c->account_count + 1, sizeof *p->c->accounts);
    p->acct = &p->c->accounts[p->c->account_count++];
    account_init(p->acct, name, p->line);
    memset(p->acct_seen, 0, sizeof p->acct_seen);
    p->sec = SEC_ACCOUNT;
    return CLI_OK;
}

/* "[account NAME]" or "[ui]"; text is what is between the brackets. */
static enum cli_status on_section(struct parser *p, const char *text, size_t len)
{
    enum cli_status st = finish_account(p);
    if (st != CLI_OK)
        return st;
    trim(&text, &len);
    char inner[CLI_CONFIG_LINE_MAX + 1];
    memcpy(inner, text, len);
    inner[len] = '\0';
    size_t word = strcspn(inner, " \t");
    const char *rest = inner + word;
    rest += strspn(rest, " \t");
    if (word == 7 && pv_ascii_nieq(inner, "account", 7)) {
        if (!*rest)
            return fail(p, _("[account] needs a name: [account NAME]"));
        return start_account(p, rest);
    }
    if (pv_ascii_ieq(inner, "ui")) {
        if (p->ui_started)
            return fail(p, _("[ui] appears twice: put all interface settings in one [ui] section"));
        p->ui_started = true;
        p->sec = SEC_UI;
        p->acct = NULL;
        return CLI_OK;
    }
    char shown[QUOTE_MAX];
    cli_printable(shown, sizeof shown, inner, strlen(inner));
    char first[QUOTE_MAX];
    snprintf(first, sizeof first, "%.*s", (int)(word < QUOTE_MAX - 1 ? word : QUOTE_MAX - 1),
             inner);
    struct suggestion s = {.distance = SIZE_MAX};
    suggest_consider(&s, first, "account");
    suggest_consider(&s, first, "ui");
    if (s.distance != SIZE_MAX)
        return fail(p, _("unknown section [%s] (did you mean [%s%s%s]?)"), shown, s.best,
                    *rest ? " " : "", strcmp(s.best, "account") == 0 ? rest : "");
    return fail(p, _("unknown section [%s]: sections are [account NAME] and [ui]"), shown);
}

/* A setting in the wrong place: say where it belongs. */
static const char *home_of(const char *name)
{
    for (size_t i = 0; i < K_COUNT_; i++) {
        if (pv_ascii_ieq(name, ACCOUNT_KEYS[i]))
            /* TRANSLATORS: these three follow "in" ('%s' belongs in %s). */
            return _("an [account NAME] section");
    }
    char known[SUGGEST_NAME_MAX];
    for (size_t i = 0; tui_prefs_name(i, known, sizeof known); i++) {
        if (pv_ascii_ieq(name, known))
            return _("the [ui] section");
    }
    if (pv_ascii_ieq(name, TOP_KEY_DEFAULT))
        return _("the top of the file, before any section");
    return NULL;
}

static enum cli_status unknown_setting(struct parser *p, const char *name)
{
    char where[CLI_ACCOUNT_NAME_MAX + 32];
    section_label(p, where, sizeof where);
    char shown[QUOTE_MAX];
    cli_printable(shown, sizeof shown, name, strlen(name));
    const char *home = home_of(name);
    if (home)
        return fail(p, _("'%s' belongs in %s, not in %s"), shown, home, where);
    if (p->sec == SEC_ACCOUNT && pv_ascii_ieq(name, "password"))
        return fail(p, _("there is no password setting: a password written in a file is too easy "
                         "to leak; use password_command (for example pass show mail), ~/.netrc or "
                         "the prompt"));
    struct suggestion s = {.distance = SIZE_MAX};
    if (p->sec == SEC_ACCOUNT) {
        for (size_t i = 0; i < K_COUNT_; i++)
            suggest_consider(&s, name, ACCOUNT_KEYS[i]);
    } else if (p->sec == SEC_UI) {
        char known[SUGGEST_NAME_MAX];
        for (size_t i = 0; tui_prefs_name(i, known, sizeof known); i++)
            suggest_consider(&s, name, known);
    } else {
        suggest_consider(&s, name, TOP_KEY_DEFAULT);
    }
    if (s.distance != SIZE_MAX)
        return fail(p, _("unknown setting '%s' in %s (did you mean '%s'?)"), shown, where, s.best);
    return fail(p, _("unknown setting '%s' in %s"), shown, where);
}

static enum cli_status bad_value(struct parser *p, const char *name, const char *value,
                                 const char *expected)
{
    char shown[QUOTE_MAX];
    cli_printable(shown, sizeof shown, value, strlen(value));
    return fail(p, "%s = %s: %s", name, shown, expected);
}

static enum cli_status set_path(struct parser *p, const char *name, const char *value, char **field)
{
    const char *problem = NULL;
    char *path = expand_home(value, &problem);
    if (!path)
        return bad_value(p, name, value, problem);
    free(*field);
    *field = path;
    return CLI_OK;
}

static enum cli_status set_host(struct parser *p, const char *value)
{
    size_t len = strlen(value);
    /* An IPv6 address may be written in brackets, as in a URL. */
    if (len >= 2 && value[0] == '[' && value[len - 1] == ']') {
        value++;
        len -= 2;
    }
    if (len == 0 || len > CLI_HOST_MAX || strcspn(value, " /?#@") < len)
        return bad_value(p, "host", value,
                         _("expected a host name or address, like pop.example.org"));
    free(p->acct->host);
    p->acct->host = pv_xstrndup(value, len);
    return CLI_OK;
}

static enum cli_status set_tls(struct parser *p, const char *value)
{
    static const struct {
        const char *name;
        enum cli_tls_mode tls;
    } modes[] = {
        {"implicit", CLI_TLS_IMPLICIT},
        {"starttls", CLI_TLS_STLS},
        {"stls", CLI_TLS_STLS},
        {"none", CLI_TLS_NONE},
    };
    for (size_t i = 0; i < PV_ARRAY_LEN(modes); i++) {
        if (pv_ascii_ieq(value, modes[i].name)) {
            p->acct->tls = modes[i].tls;
            return CLI_OK;
        }
    }
    return bad_value(p, "tls", value,
                     _("expected implicit (TLS from the start, port 995), starttls (STLS, port "
                       "110) or none (no encryption)"));
}

static enum cli_status set_account_value(struct parser *p, enum account_key k, const char *value)
{
    struct cli_account *a = p->acct;
    const char *name = ACCOUNT_KEYS[k];
    unsigned n;
    switch (k) {
    case K_HOST:
        return set_host(p, value);
    case K_PORT:
        if (!pv_parse_uint(value, strlen(value), &n) || n < 1 || n > 65535)
            return bad_value(p, name, value, _("expected a port number from 1 to 65535"));
        snprintf(a->port, sizeof a->port, "%u", n);
        return CLI_OK;
    case K_TLS:
        return set_tls(p, value);
    case K_USER:
        free(a->user);
        a->user = pv_xstrdup(value);
        return CLI_OK;
    case K_AUTH: {
        const char *mech = cli_auth_mechanism(value);
        if (!mech)
            return bad_value(p, name, value,
                             _("expected USER, APOP, PLAIN, LOGIN, XOAUTH2 or OAUTHBEARER"));
        free(a->auth);
        a->auth = pv_xstrdup(mech);
        return CLI_OK;
    }
    case K_PASSWORD_COMMAND:
        free(a->password_command);
        a->password_command = pv_xstrdup(value);
        return CLI_OK;
    case K_NETRC:
        if (!parse_yes_no(value, &a->netrc))
            return bad_value(p, name, value, _("expected yes or no"));
        return CLI_OK;
    case K_CACHE:
        if (!parse_yes_no(value, &a->cache))
            return bad_value(p, name, value, _("expected yes or no"));
        return CLI_OK;
    case K_TIMEOUT:
        if (!pv_parse_uint(value, strlen(value), &n) || n < 1 || n > CLI_TIMEOUT_MAX_S)
            return bad_value(p, name, value, _("expected a number of seconds from 1 to 3600"));
        a->timeout_s = n;
        return CLI_OK;
    case K_CAFILE:
        return set_path(p, name, value, &a->cafile);
    case K_SAVE_FOLDER:
        return set_path(p, name, value, &a->save_folder);
    case K_COUNT_:
        break;
    }
    return unknown_setting(p, name);
}

static enum cli_status on_account_setting(struct parser *p, const char *name, const char *value)
{
    for (size_t k = 0; k < K_COUNT_; k++) {
        if (!pv_ascii_ieq(name, ACCOUNT_KEYS[k]))
            continue;
        if (p->acct_seen[k])
            return fail(p, _("%s is set twice in [account %s] (first on line %u)"), ACCOUNT_KEYS[k],
                        p->acct->name, p->acct_seen[k]);
        p->acct_seen[k] = p->line;
        return set_account_value(p, (enum account_key)k, value);
    }
    return unknown_setting(p, name);
}

static enum cli_status on_ui_setting(struct parser *p, const char *name, const char *value)
{
    for (size_t i = 0; i < p->ui_seen_count; i++) {
        if (pv_ascii_ieq(p->ui_seen[i].name, name))
            return fail(p, _("%s is set twice in [ui] (first on line %u)"), name,
                        p->ui_seen[i].line);
    }
    struct pv_error why;
    pv_error_clear(&why);
    switch (tui_prefs_set(p->c->ui, name, value, &why)) {
    case TUI_PREFS_OK:
        break;
    case TUI_PREFS_UNKNOWN:
        return unknown_setting(p, name);
    case TUI_PREFS_BAD_VALUE:
        return bad_value(p, name, value, why.msg);
    }
    p->ui_seen = pv_xreallocarray(p->ui_seen, p->ui_seen_count + 1, sizeof *p->ui_seen);
    p->ui_seen[p->ui_seen_count++] = (struct seen_name){pv_xstrdup(name), p->line};
    return CLI_OK;
}

static enum cli_status on_top_setting(struct parser *p, const char *name, const char *value)
{
    if (!pv_ascii_ieq(name, TOP_KEY_DEFAULT))
        return unknown_setting(p, name);
    if (p->default_line)
        return fail(p, _("default_account is set twice (first on line %u)"), p->default_line);
    p->default_line = p->line;
    p->c->default_account = pv_xstrdup(value);
    return CLI_OK;
}

static bool valid_setting_name(const char *name)
{
    if (!*name)
        return false;
    for (const char *c = name; *c; c++) {
        bool ok = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
                  (*c >= '0' && *c <= '9') || *c == '_' || *c == '.' || *c == '-';
        if (!ok)
            return false;
    }
    return true;
}

static enum cli_status on_setting(struct parser *p, const char *text, size_t len)
{
    const char *eq = memchr(text, '=', len);
    if (!eq) {
        char shown[QUOTE_MAX];
        cli_printable(shown, sizeof shown, text, len);
        return fail(p, _("expected 'name = value', a [section] or a # comment, got \"%s\""), shown);
    }
    const char *name_start = text;
    size_t name_len = (size_t)(eq - text);
    trim(&name_start, &name_len);
    const char *value_start = eq + 1;
    size_t value_len = (size_t)(text + len - value_start);
    trim(&value_start, &value_len);
    char name[CLI_CONFIG_LINE_MAX + 1];
    char value[CLI_CONFIG_LINE_MAX + 1];
    memcpy(name, name_start, name_len);
    name[name_len] = '\0';
    memcpy(value, value_start, value_len);
    value[value_len] = '\0';
    if (!valid_setting_name(name)) {
        char shown[QUOTE_MAX];
        cli_printable(shown, sizeof shown, name, name_len);
        return fail(p, _("'%s' is not a setting name (letters, digits, _ . -)"), shown);
    }
    if (has_control(value))
        return fail(p, _("the value of %s contains a control character"), name);
    if (!*value)
        return fail(p, _("%s has no value (write %s = VALUE, or leave the line out)"), name, name);
    switch (p->sec) {
    case SEC_ACCOUNT:
        return on_account_setting(p, name, value);
    case SEC_UI:
        return on_ui_setting(p, name, value);
    case SEC_TOP:
        break;
    }
    return on_top_setting(p, name, value);
}

static enum cli_status on_line(struct parser *p, const char *text, size_t len)
{
    if (len > 0 && text[len - 1] == '\r')
        len--;
    if (len > CLI_CONFIG_LINE_MAX)
        return fail(p, _("the line is longer than %d bytes"), CLI_CONFIG_LINE_MAX);
    if (memchr(text, '\0', len))
        return fail(p, _("the line contains a NUL byte: is this a text file?"));
    trim(&text, &len);
    if (len == 0 || text[0] == '#' || text[0] == ';')
        return CLI_OK;
    if (text[0] == '[') {
        if (text[len - 1] != ']')
            return fail(p, _("a section header must end with ']'"));
        return on_section(p, text + 1, len - 2);
    }
    return on_setting(p, text, len);
}

/* After the last line: what only the whole file can tell. */
static enum cli_status finish(struct parser *p)
{
    enum cli_status st = finish_account(p);
    if (st != CLI_OK)
        return st;
    const char *def = p->c->default_account;
    if (def && !cli_config_account(p->c, def)) {
        struct suggestion s = {.distance = SIZE_MAX};
        for (size_t i = 0; i < p->c->account_count; i++)
            suggest_consider(&s, def, p->c->accounts[i].name);
        char shown[QUOTE_MAX];
        cli_printable(shown, sizeof shown, def, strlen(def));
        if (s.distance != SIZE_MAX)
            return fail_at(p, p->default_line,
                           _("default_account '%s' names no account (did you mean '%s'?)"), shown,
                           s.best);
        return fail_at(p, p->default_line, _("default_account '%s' names no [account %s] section"),
                       shown, shown);
    }
    return CLI_OK;
}

static struct cli_config *config_new(const char *name)
{
    struct cli_config *c = pv_xcalloc(1, sizeof *c);
    c->display_path = pv_xstrdup(name);
    c->ui = tui_prefs_new();
    return c;
}

enum cli_status cli_config_parse(const char *name, const char *text, size_t len,
                                 struct cli_config **config_out, struct pv_error *err)
{
    *config_out = NULL;
    struct cli_config *c = config_new(name);
    struct parser p = {.file = c->display_path, .c = c, .sec = SEC_TOP, .err = err};
    /* A UTF-8 byte order mark some editors write is not part of the first line. */
    if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0) {
        text += 3;
        len -= 3;
    }
    enum cli_status st = CLI_OK;
    size_t pos = 0;
    while (st == CLI_OK && pos < len) {
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t line_len = nl ? (size_t)(nl - (text + pos)) : len - pos;
        p.line++;
        st = on_line(&p, text + pos, line_len);
        pos += line_len + 1;
    }
    if (st == CLI_OK)
        st = finish(&p);
    for (size_t i = 0; i < p.ui_seen_count; i++)
        free(p.ui_seen[i].name);
    free(p.ui_seen);
    if (st != CLI_OK) {
        cli_config_free(&c);
        return st;
    }
    *config_out = c;
    return CLI_OK;
}

/* ---- the file ------------------------------------------------------------------------ */

bool cli_config_default_path(char *out, size_t out_size)
{
    const char *xdg = getenv("XDG_CONFIG_HOME");
    int n;
    /* The XDG base directory spec: a relative XDG_CONFIG_HOME is invalid
     * and ignored. */
    if (xdg && xdg[0] == '/') {
        n = snprintf(out, out_size, "%s/popview/config", xdg);
    } else {
        const char *home = getenv("HOME");
        if (!home || home[0] != '/')
            return false;
        n = snprintf(out, out_size, "%s/.config/popview/config", home);
    }
    return n > 0 && (size_t)n < out_size;
}

/* Who may change the file decides what commands popview runs. */
static enum cli_status check_file(int fd, const char *shown, struct pv_error *err)
{
    struct stat st;
    if (fstat(fd, &st) != 0) {
        pv_error_set(err, _("%s: cannot check it: %s"), shown, strerror(errno));
        return CLI_ERR_CONFIG;
    }
    if (!S_ISREG(st.st_mode)) {
        pv_error_set(err, _("%s: not a regular file"), shown);
        return CLI_ERR_CONFIG;
    }
    if (st.st_uid != getuid() && st.st_uid != 0) {
        pv_error_set(err,
                     _("%s: refused: it belongs to another user (uid %u), who could make popview "
                       "run any command as password_command"),
                     shown, (unsigned)st.st_uid);
        return CLI_ERR_CONFIG;
    }
    if (st.st_mode & (S_IWGRP | S_IWOTH)) {
        pv_error_set(err,
                     (st.st_mode & S_IWOTH)
                         ? _("%s: refused: everyone can write to it, and could make popview run "
                             "any command as password_command; run: chmod go-w %s")
                         : _("%s: refused: its group can write to it, and could make popview run "
                             "any command as password_command; run: chmod go-w %s"),
                     shown, shown);
        return CLI_ERR_CONFIG;
    }
    if (st.st_size > CLI_CONFIG_FILE_MAX) {
        pv_error_set(err, _("%s: too large (%lld bytes; a config file has at most %d)"), shown,
                     (long long)st.st_size, CLI_CONFIG_FILE_MAX);
        return CLI_ERR_CONFIG;
    }
    return CLI_OK;
}

/* Reads the whole file, at most CLI_CONFIG_FILE_MAX bytes (it may grow
 * between fstat and read). */
static enum cli_status read_all(int fd, const char *shown, struct pv_buf *out, struct pv_error *err)
{
    char chunk[8192];
    for (;;) {
        ssize_t n = read(fd, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            pv_error_set(err, _("%s: cannot read it: %s"), shown, strerror(errno));
            return CLI_ERR_CONFIG;
        }
        if (n == 0)
            return CLI_OK;
        if (!pv_buf_append(out, chunk, (size_t)n)) {
            pv_error_set(err, _("%s: too large (a config file has at most %d bytes)"), shown,
                         CLI_CONFIG_FILE_MAX);
            return CLI_ERR_CONFIG;
        }
    }
}

enum cli_status cli_config_load(const char *path, bool must_exist, struct cli_config **config_out,
                                struct pv_error *err)
{
    *config_out = NULL;
    char *shown = display_path(path);
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        enum cli_status st = CLI_ERR_CONFIG;
        if (errno == ENOENT && !must_exist) {
            *config_out = config_new(shown);
            st = CLI_OK;
        } else {
            pv_error_set(err, _("%s: cannot open it: %s"), shown, strerror(errno));
        }
        free(shown);
        return st;
    }
    struct pv_buf text;
    pv_buf_init(&text, CLI_CONFIG_FILE_MAX);
    enum cli_status st = check_file(fd, shown, err);
    if (st == CLI_OK)
        st = read_all(fd, shown, &text, err);
    close(fd);
    if (st == CLI_OK)
        st = cli_config_parse(shown, text.data ? text.data : "", text.len, config_out, err);
    pv_buf_free(&text);
    free(shown);
    return st;
}

void cli_config_free(struct cli_config **config)
{
    if (!config || !*config)
        return;
    struct cli_config *c = *config;
    for (size_t i = 0; i < c->account_count; i++)
        account_clear(&c->accounts[i]);
    free(c->accounts);
    free(c->default_account);
    free(c->display_path);
    tui_prefs_free(&c->ui);
    free(c);
    *config = NULL;
}

const struct cli_account *cli_config_account(const struct cli_config *config, const char *name)
{
    if (!config || !name)
        return NULL;
    for (size_t i = 0; i < config->account_count; i++) {
        if (strcmp(config->accounts[i].name, name) == 0)
            return &config->accounts[i];
    }
    return NULL;
}

/* ---- from an account to the options ---------------------------------------------------- */

static const char *account_port(const struct cli_account *a)
{
    if (a->port[0])
        return a->port;
    return a->tls == CLI_TLS_IMPLICIT ? "995" : "110";
}

static struct cli_url *account_url(const struct cli_account *a)
{
    struct cli_url *u = pv_xcalloc(1, sizeof *u);
    u->tls = a->tls;
    u->host = pv_xstrdup(a->host);
    u->user = a->user ? pv_xstrdup(a->user) : NULL;
    snprintf(u->port, sizeof u->port, "%s", account_port(a));
    u->ipv6_literal = strchr(a->host, ':') != NULL;
    return u;
}

static void take_text(char **field, const char *value)
{
    if (!*field && value)
        *field = pv_xstrdup(value);
}

enum cli_status cli_config_apply(const struct cli_account *account, struct cli_options *opts,
                                 struct pv_error *err)
{
    if (!account || !opts) {
        pv_error_set(err, _("no account to use"));
        return CLI_ERR_USAGE;
    }
    if (opts->no_tls && account->tls == CLI_TLS_IMPLICIT) {
        pv_error_set(err,
                     _("--no-tls cannot be used with account %s: it has TLS from the start "
                       "(tls = implicit)"),
                     account->name);
        return CLI_ERR_USAGE;
    }
    if (!opts->url)
        opts->url = account_url(account);
    take_text(&opts->auth, account->auth);
    take_text(&opts->password_command, account->password_command);
    if (!opts->insecure && !opts->no_tls)
        take_text(&opts->cafile, account->cafile);
    if (!opts->timeout_given && account->timeout_s)
        opts->timeout_s = account->timeout_s;
    if (!account->cache)
        opts->no_cache = true;
    opts->no_netrc = !account->netrc;
    take_text(&opts->save_folder, account->save_folder);
    free(opts->account_name);
    opts->account_name = pv_xstrdup(account->name);
    if (account->tls == CLI_TLS_NONE) {
        if (opts->insecure) {
            pv_error_set(err,
                         _("--insecure cannot be used with account %s: it has no TLS "
                           "(tls = none), so there is no certificate to check"),
                         account->name);
            return CLI_ERR_USAGE;
        }
        opts->no_tls = true;
    }
    return cli_options_check_url(opts, err);
}

const char *cli_tls_mode_text(enum cli_tls_mode tls)
{
    switch (tls) {
    case CLI_TLS_IMPLICIT:
        return "TLS";
    case CLI_TLS_STLS:
        return "STARTTLS";
    case CLI_TLS_NONE:
        break;
    }
    return _("no TLS");
}

void cli_account_server_text(const struct cli_account *account, char *out, size_t out_size)
{
    bool v6 = strchr(account->host, ':') != NULL;
    snprintf(out, out_size, "%s%s%s%s%s:%s", account->user ? account->user : "",
             account->user ? "@" : "", v6 ? "[" : "", account->host, v6 ? "]" : "",
             account_port(account));
}
