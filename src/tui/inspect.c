/*
 * The server inspector (i): what the server is, in words.  The greeting
 * and the software that sent it, how popview logged in, every capability
 * CAPA announced with what it means and its RFC, the SASL mechanisms, the
 * TLS session and certificate, and how long the session has been idle
 * against the autologout timer of RFC 1939 section 3.  Everything comes
 * from the model's snapshot (mailbox_server_info) and the explanations
 * table; this file only arranges it.  Also the console's list of the
 * commands valid now.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <popview/util.h>

#include <popview/net.h>

#include <popview/mailbox.h>

#include <popview/i18n.h>

#include "teach.h"

static const char NOTE_MARK[] = "\xe2\x86\xb3"; /* U+21B3, as in the transcript */

enum { KEEPALIVE_DEFAULT_S = 60 };

enum { LABEL_COLS = 16 };

/* "  Label           value": the label padded to LABEL_COLS columns (a
 * translated label may have characters of several octets). */
static void field(struct info_page *page, enum tui_role role, const char *label, const char *value)
{
    size_t cols = tui_text_columns(label, strlen(label));
    int pad = cols < LABEL_COLS ? (int)(LABEL_COLS - cols) : 0;
    info_add(page, role, "  %s%*s %s", label, pad, "", value);
}

static void note(struct info_page *page, const char *text)
{
    if (text && *text)
        info_add(page, ROLE_TR_NOTE, "  %-16s %s %s", "", NOTE_MARK, text);
}

/* The word after a capability's tag, or NULL. */
static const char *capa_args(const struct mailbox_server_info *info, const char *tag)
{
    size_t n = strlen(tag);
    for (size_t i = 0; i < info->capa_count; i++) {
        const char *l = info->capa[i];
        if (pv_ascii_nieq(l, tag, n) && (l[n] == ' ' || l[n] == '\0'))
            return l[n] ? l + n + 1 : "";
    }
    return NULL;
}

static void server_part(const struct explain *ex, const struct mailbox_server_info *info,
                        struct info_page *page)
{
    char text[EXPLAIN_NOTE_MAX];
    info_add(page, ROLE_HEADER, _("Server"));
    char greeting[1024];
    snprintf(greeting, sizeof greeting, "+OK %s", info->greeting ? info->greeting : "");
    field(page, ROLE_NORMAL, _("Greeting"), greeting);
    struct explain_cmd none = {0};
    if (explain_reply_note(ex, &none, greeting, text, sizeof text))
        note(page, text);
    if (explain_format(ex, info->apop ? "inspect.apop-yes" : "inspect.apop-no", NULL, 0, text,
                       sizeof text))
        field(page, ROLE_NORMAL, _("APOP"), text);
    const char *impl = capa_args(info, "IMPLEMENTATION");
    field(page, ROLE_NORMAL, _("Software"), impl && *impl ? impl : "(not announced)");
    if (info->auth_mech) {
        field(page, ROLE_NORMAL, _("Logged in with"), info->auth_mech);
        /* APOP and USER/PASS are commands, not SASL mechanisms. */
        bool have = pv_ascii_ieq(info->auth_mech, "APOP")
                        ? explain_command_note(ex, "APOP", text, sizeof text)
                    : pv_ascii_ieq(info->auth_mech, "USER")
                        ? explain_command_note(ex, "PASS", text, sizeof text)
                        : explain_mechanism(ex, info->auth_mech, text, sizeof text);
        if (have)
            note(page, text);
    }
}

static void capa_part(const struct explain *ex, const struct mailbox_server_info *info,
                      struct info_page *page)
{
    char text[EXPLAIN_NOTE_MAX];
    info_add(page, ROLE_NORMAL, "%s", "");
    info_add(page, ROLE_HEADER, _("Capabilities (CAPA, RFC 2449)"));
    if (!info->capa_known) {
        if (explain_format(ex, "inspect.no-capa", NULL, 0, text, sizeof text))
            info_add(page, ROLE_TR_NOTE, "  %s", text);
        return;
    }
    for (size_t i = 0; i < info->capa_count; i++) {
        info_add(page, ROLE_HELP_KEY, "  %s", info->capa[i]);
        if (explain_capability(ex, info->capa[i], text, sizeof text))
            info_add(page, ROLE_TR_NOTE, "      %s %s", NOTE_MARK, text);
    }
    const char *sasl = capa_args(info, "SASL");
    if (!sasl || !*sasl)
        return;
    info_add(page, ROLE_NORMAL, "%s", "");
    info_add(page, ROLE_HEADER, _("SASL mechanisms (RFC 5034)"));
    char buf[512];
    const char *words[16];
    size_t n = explain_words(sasl, buf, sizeof buf, words, PV_ARRAY_LEN(words));
    for (size_t i = 0; i < n; i++) {
        if (explain_mechanism(ex, words[i], text, sizeof text))
            info_add(page, ROLE_NORMAL, "  %-16s %s", words[i], text);
    }
}

/* when <= 0: GnuTLS could not read the date (it gives -1). */
static void date_text(int64_t when, char *out, size_t out_size)
{
    time_t t = (time_t)when;
    struct tm tm;
    if (when <= 0 || !gmtime_r(&t, &tm) || !strftime(out, out_size, "%Y-%m-%d %H:%M UTC", &tm))
        snprintf(out, out_size, "?");
}

/* "AB:CD:..." of SHA-256 is 95 columns: two lines of 16 octets each. */
static void fingerprint(struct info_page *page, const char *fp)
{
    enum { HALF = 16 * 3 }; /* "AB:" per octet */
    size_t n = strlen(fp);
    if (n <= HALF) {
        field(page, ROLE_NORMAL, "SHA-256", fp);
        return;
    }
    char first[HALF];
    snprintf(first, sizeof first, "%.*s", HALF - 1, fp);
    field(page, ROLE_NORMAL, "SHA-256", first);
    field(page, ROLE_NORMAL, "", fp + HALF);
}

static void validity_text(int64_t not_before, int64_t not_after, char *out, size_t out_size)
{
    char from[32], to[32];
    date_text(not_before, from, sizeof from);
    date_text(not_after, to, sizeof to);
    snprintf(out, out_size, _("%s to %s"), from, to);
}

/* Every certificate the server sent, in its order (RFC 8446 section
 * 4.4.2: its own, then each one certifying the one before), under the
 * Chain line: who it is for, who issued it, when it is valid, its SHA-256
 * in two lines. */
static void chain_part(const struct net_tls_info *t, struct info_page *page)
{
    enum { HALF = 16 * 3 };
    time_t now = time(NULL);
    for (unsigned i = 0; i < t->chain_kept && i < NET_TLS_CHAIN_MAX; i++) {
        const struct net_tls_cert *c = &t->chain[i];
        info_add(page, ROLE_NORMAL, "  %-16s %u. %s", "", i + 1, c->subject);
        info_add(page, ROLE_NORMAL, "  %-16s    %s %s", "", _("issued by"), c->issuer);
        char valid[96];
        validity_text(c->not_before, c->not_after, valid, sizeof valid);
        bool expired = c->not_after > 0 && now > c->not_after; /* unreadable is not expired */
        info_add(page, expired ? ROLE_TR_ERR : ROLE_NORMAL, "  %-16s    %s %s", "", _("valid"),
                 valid);
        info_add(page, ROLE_NORMAL, "  %-16s    SHA-256 %.*s", "", HALF - 1, c->fingerprint);
        if (strlen(c->fingerprint) > HALF)
            info_add(page, ROLE_NORMAL, "  %-16s            %s", "", c->fingerprint + HALF);
    }
    if (t->chain_length > t->chain_kept) {
        unsigned more = t->chain_length - t->chain_kept;
        char text[96];
        snprintf(text, sizeof text,
                 P_("(%u more certificate not shown)", "(%u more certificates not shown)", more),
                 more);
        info_add(page, ROLE_NORMAL, "  %-16s %s", "", text);
    }
}

static void tls_part(const struct explain *ex, const struct mailbox_server_info *info,
                     struct info_page *page)
{
    char text[EXPLAIN_NOTE_MAX];
    info_add(page, ROLE_NORMAL, "%s", "");
    info_add(page, ROLE_HEADER, _("Security"));
    if (!info->tls) {
        field(page, ROLE_TR_ERR, "TLS", _("none"));
        if (explain_format(ex, "inspect.no-tls", NULL, 0, text, sizeof text))
            note(page, text);
        return;
    }
    const struct net_tls_info *t = &info->tls_info;
    field(page, ROLE_NORMAL, _("TLS version"), t->protocol);
    field(page, ROLE_NORMAL, _("Cipher"), t->cipher);
    field(page, ROLE_NORMAL, _("Certificate"), t->subject);
    field(page, ROLE_NORMAL, _("Issued by"), t->issuer);
    char chain[64];
    snprintf(chain, sizeof chain,
             P_("%u certificate sent by the server", "%u certificates sent by the server",
                t->chain_length),
             t->chain_length);
    field(page, ROLE_NORMAL, _("Chain"), chain);
    chain_part(t, page);
    char valid[96];
    validity_text(t->not_before, t->not_after, valid, sizeof valid);
    field(page, time(NULL) > t->not_after ? ROLE_TR_ERR : ROLE_NORMAL, _("Valid"), valid);
    fingerprint(page, t->fingerprint);
    if (t->verified) {
        field(page, ROLE_NORMAL, _("Verified"), _("yes"));
    } else {
        char why[300];
        snprintf(why, sizeof why, _("NO: %s"),
                 t->verify_problem[0] ? t->verify_problem : _("not checked"));
        field(page, ROLE_TR_ERR, _("Verified"), why);
        if (explain_format(ex, "inspect.unverified", NULL, 0, text, sizeof text))
            note(page, text);
    }
}

static void session_part(const struct explain *ex, enum pop3_state st, int64_t idle_ms,
                         unsigned keepalive_s, struct info_page *page)
{
    char text[EXPLAIN_NOTE_MAX];
    info_add(page, ROLE_NORMAL, "%s", "");
    info_add(page, ROLE_HEADER, _("Session"));
    field(page, ROLE_NORMAL, _("State"), pop3_state_name(st));
    note(page, explain_state(ex, st));
    long long s = idle_ms > 0 ? (long long)(idle_ms / 1000) : 0;
    char idle[32];
    snprintf(idle, sizeof idle, "%lld:%02lld", s / 60, s % 60);
    field(page, ROLE_NORMAL, _("Idle"), idle);
    char keep[16];
    snprintf(keep, sizeof keep, "%u", keepalive_s);
    const char *words[] = {keep};
    if (explain_format(ex, "inspect.idle", words, 1, text, sizeof text))
        note(page, text);
}

void inspect_server_lines(const struct explain *ex, const struct mailbox_server_info *info,
                          enum pop3_state st, int64_t idle_ms, unsigned keepalive_s,
                          struct info_page *page)
{
    if (!info->known) {
        info_add(page, ROLE_UNLOADED,
                 _("Nothing is known of the server yet: the session has not "
                   "got past its greeting."));
        session_part(ex, st, idle_ms, keepalive_s, page);
        return;
    }
    server_part(ex, info, page); /* the greeting's note tells about APOP's timestamp */
    capa_part(ex, info, page);
    tls_part(ex, info, page);
    session_part(ex, st, idle_ms, keepalive_s, page);
}

void inspect_build(struct tui_app *app, struct info_page *page)
{
    struct mailbox *mb = app_mailbox(app);
    unsigned keepalive = app->opts->keepalive_s ? app->opts->keepalive_s : KEEPALIVE_DEFAULT_S;
    inspect_server_lines(app_explain(app), mailbox_server_info(mb), mailbox_pop3_state(mb),
                         mailbox_idle_ms(mb), keepalive, page);
}

void inspect_commands_build(struct tui_app *app, struct info_page *page)
{
    struct console_session cs;
    teach_console_session(app, &cs);
    const struct explain *ex = app_explain(app);
    const struct pop3_cmd_info *cmds[POP3_CMD_COUNT_];
    size_t n = console_valid_commands(&cs, cmds, PV_ARRAY_LEN(cmds));
    char text[EXPLAIN_NOTE_MAX];
    const char *state = pop3_state_name(cs.state);
    if (explain_format(ex, "list.title", &state, 1, text, sizeof text))
        info_add(page, ROLE_NOTICE, "%s", text);
    info_add(page, ROLE_NORMAL, "%s", "");
    if (n == 0)
        info_add(page, ROLE_UNLOADED, _("(none)"));
    for (size_t i = 0; i < n; i++) {
        char key[EXPLAIN_KEY_MAX + 1];
        snprintf(key, sizeof key, "usage.%s", cmds[i]->name);
        const char *usage = explain_get(ex, key);
        info_add(page, ROLE_HELP_KEY, "  %s", usage ? usage : cmds[i]->name);
        if (explain_command_note(ex, cmds[i]->name, text, sizeof text))
            info_add(page, ROLE_TR_NOTE, "      %s %s", NOTE_MARK, text);
    }
}
