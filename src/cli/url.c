/*
 * The server URL: pop3s://[user@]host[:port] (implicit TLS, RFC 8314) and
 * pop3://[user@]host[:port] (plain, upgraded with STLS, RFC 2595), the
 * generic syntax of RFC 3986 section 3.2 narrowed to what a POP3 client
 * needs.  RFC 2384's ";AUTH=" is refused in favour of --auth, a password in
 * the URL is refused because it would end up in shell history and ps.
 *
 * Leniency where people type URLs by hand: the scheme is case-insensitive,
 * a raw '@' in the user name is fine (the last '@' ends the user part, as
 * in alice@example.com@mail.example.com), one trailing '/' is ignored, an
 * empty port means the default (RFC 3986 3.2.3).
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <popview/util.h>

#include <popview/i18n.h>

#include "cli.h"

/* What every URL error ends with. */
static const char *expected_form(void)
{
    return _("use pop3s://[user@]host[:port] (TLS) or pop3://[user@]host[:port] (STLS)");
}

enum { QUOTE_MAX = 80, IPV6_ADDR_MAX = 64 };

void cli_printable(char *out, size_t out_size, const char *s, size_t len)
{
    size_t o = 0;
    size_t i = 0;
    for (; i < len && o + 1 < out_size; i++) {
        unsigned char c = (unsigned char)s[i];
        out[o++] = (c < 0x20 || c == 0x7f) ? '?' : (char)c;
    }
    if (i < len && out_size >= 4) {
        /* Cut: mark it, so a person does not take the rest for the whole. */
        o = out_size - 4;
        memcpy(out + o, "...", 3);
        o += 3;
    }
    out[o] = '\0';
}

static void url_fail(struct pv_error *err, const char *what, const char *text, size_t len)
{
    char quoted[QUOTE_MAX];
    cli_printable(quoted, sizeof quoted, text, len);
    pv_error_set(err, _("%s \"%s\": %s"), what, quoted, expected_form());
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = pv_ascii_lower(c);
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/*
 * Percent-decodes [s, s+len) (RFC 3986 2.1).  NUL and other control
 * characters are refused: the name goes into a USER command line.
 */
static enum cli_status decode_user(const char *s, size_t len, char **user_out, struct pv_error *err)
{
    char *user = pv_xmalloc(len + 1);
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '%') {
            int hi = i + 2 < len ? hex_value(s[i + 1]) : -1;
            int lo = i + 2 < len ? hex_value(s[i + 2]) : -1;
            if (hi < 0 || lo < 0) {
                free(user);
                url_fail(err, _("bad percent escape in the user name"), s, len);
                return CLI_ERR_USAGE;
            }
            c = (unsigned char)(hi * 16 + lo);
            i += 2;
        }
        if (c < 0x20 || c == 0x7f) {
            free(user);
            pv_error_set(err, _("the user name in the URL contains a control character"));
            return CLI_ERR_USAGE;
        }
        user[o++] = (char)c;
    }
    user[o] = '\0';
    *user_out = user;
    return CLI_OK;
}

/* RFC 3986 2.3 unreserved, the characters an IPv6 zone may use (RFC 6874 2). */
static bool is_unreserved(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_' || c == '~';
}

/* Letters, digits, '-', '.', '_' of DNS names and IPv4 addresses; bytes of
 * 0x80 and above pass so that a UTF-8 (IDN) name reaches the resolver. */
static bool is_host_char(char c)
{
    if ((unsigned char)c >= 0x80)
        return true;
    return is_unreserved(c) && c != '~';
}

/*
 * "[v6addr]" or "[v6addr%25zone]" (RFC 3986 3.2.2, RFC 6874): stores the
 * address (zone as "%zone", the form getaddrinfo takes) and how much of s
 * it used.
 */
static enum cli_status parse_ipv6_host(const char *s, size_t len, struct cli_url *url,
                                       size_t *used_out, struct pv_error *err)
{
    const char *close = memchr(s, ']', len);
    if (!close) {
        url_fail(err, _("missing ']' after the IPv6 address"), s, len);
        return CLI_ERR_USAGE;
    }
    size_t inner_len = (size_t)(close - s) - 1;
    const char *inner = s + 1;
    size_t addr_len = inner_len;
    const char *zone = NULL;
    size_t zone_len = 0;
    const char *pct = memchr(inner, '%', inner_len);
    if (pct) {
        addr_len = (size_t)(pct - inner);
        size_t rest = inner_len - addr_len;
        if (rest < 4 || memcmp(pct, "%25", 3) != 0) {
            url_fail(err, _("an IPv6 zone is written %25zone, as in [fe80::1%25eth0], got"), inner,
                     inner_len);
            return CLI_ERR_USAGE;
        }
        zone = pct + 3;
        zone_len = rest - 3;
        for (size_t i = 0; i < zone_len; i++) {
            if (!is_unreserved(zone[i])) {
                url_fail(err, _("bad character in the IPv6 zone"), inner, inner_len);
                return CLI_ERR_USAGE;
            }
        }
    }
    char addr[IPV6_ADDR_MAX];
    struct in6_addr bin;
    if (addr_len == 0 || addr_len >= sizeof addr) {
        url_fail(err, _("not an IPv6 address"), inner, inner_len);
        return CLI_ERR_USAGE;
    }
    memcpy(addr, inner, addr_len);
    addr[addr_len] = '\0';
    if (inet_pton(AF_INET6, addr, &bin) != 1) {
        url_fail(err, _("not an IPv6 address"), inner, inner_len);
        return CLI_ERR_USAGE;
    }
    url->host = zone ? pv_xasprintf("%s%%%.*s", addr, (int)zone_len, zone) : pv_xstrdup(addr);
    url->ipv6_literal = true;
    *used_out = (size_t)(close - s) + 1;
    return CLI_OK;
}

static enum cli_status parse_name_host(const char *s, size_t len, struct cli_url *url,
                                       size_t *used_out, struct pv_error *err)
{
    const char *colon = memchr(s, ':', len);
    size_t host_len = colon ? (size_t)(colon - s) : len;
    if (colon && memchr(colon + 1, ':', len - host_len - 1)) {
        url_fail(err, _("an IPv6 address goes in brackets, as in pop3s://[::1]:995, got"), s, len);
        return CLI_ERR_USAGE;
    }
    if (host_len == 0) {
        pv_error_set(err, _("the URL has no host name: %s"), expected_form());
        return CLI_ERR_USAGE;
    }
    if (host_len > CLI_HOST_MAX) {
        pv_error_set(err, _("the host name in the URL is longer than %d bytes"), CLI_HOST_MAX);
        return CLI_ERR_USAGE;
    }
    for (size_t i = 0; i < host_len; i++) {
        if (!is_host_char(s[i])) {
            url_fail(err, _("bad character in the host name"), s, host_len);
            return CLI_ERR_USAGE;
        }
    }
    url->host = pv_xstrndup(s, host_len);
    *used_out = host_len;
    return CLI_OK;
}

/* [s, s+len) is what follows the host: "" or ":" or ":port". */
static enum cli_status parse_port(const char *s, size_t len, struct cli_url *url,
                                  struct pv_error *err)
{
    unsigned port = url->tls == CLI_TLS_IMPLICIT ? CLI_PORT_POP3S : CLI_PORT_POP3;
    if (len > 0 && s[0] != ':') {
        url_fail(err, _("unexpected text after the host"), s, len);
        return CLI_ERR_USAGE;
    }
    if (len > 1) {
        /* Strict digits: "+995", " 995" and "995x" are typos, not ports. */
        if (!pv_parse_uint(s + 1, len - 1, &port) || port < 1 || port > 65535) {
            char quoted[QUOTE_MAX];
            cli_printable(quoted, sizeof quoted, s + 1, len - 1);
            pv_error_set(err, _("the port must be a number from 1 to 65535, got \"%s\""), quoted);
            return CLI_ERR_USAGE;
        }
    }
    snprintf(url->port, sizeof url->port, "%u", port);
    return CLI_OK;
}

static enum cli_status parse_user(const char *s, size_t len, struct cli_url *url,
                                  struct pv_error *err)
{
    if (len == 0) {
        pv_error_set(err, _("the URL has an empty user name before '@': %s"), expected_form());
        return CLI_ERR_USAGE;
    }
    if (memchr(s, ':', len)) {
        pv_error_set(err, _("a password does not belong in the URL (it would show in ps and the "
                            "shell history); use POPVIEW_PASSWORD, --password-command or "
                            "~/.netrc"));
        return CLI_ERR_USAGE;
    }
    if (memchr(s, ';', len)) {
        pv_error_set(err, _("\";AUTH=\" in the URL is not supported; use --auth MECH (a ';' in "
                            "the user name is written %%3B)"));
        return CLI_ERR_USAGE;
    }
    return decode_user(s, len, &url->user, err);
}

/* Splits off the scheme; *rest_out points after "://". */
static enum cli_status parse_scheme(const char *text, struct cli_url *url, const char **rest_out,
                                    struct pv_error *err)
{
    const char *sep = strstr(text, "://");
    if (!sep) {
        char quoted[QUOTE_MAX];
        cli_printable(quoted, sizeof quoted, text, strlen(text));
        pv_error_set(err, _("\"%s\" is not a URL: %s"), quoted, expected_form());
        return CLI_ERR_USAGE;
    }
    size_t scheme_len = (size_t)(sep - text);
    if (scheme_len == 5 && pv_ascii_nieq(text, "pop3s", 5)) {
        url->tls = CLI_TLS_IMPLICIT;
    } else if (scheme_len == 4 && pv_ascii_nieq(text, "pop3", 4)) {
        url->tls = CLI_TLS_STLS;
    } else {
        url_fail(err, _("unsupported URL scheme"), text, scheme_len);
        return CLI_ERR_USAGE;
    }
    *rest_out = sep + 3;
    return CLI_OK;
}

/* The authority ends at the first '/', '?' or '#'; only one '/' may follow. */
static enum cli_status authority_length(const char *rest, size_t *len_out, struct pv_error *err)
{
    size_t len = strcspn(rest, "/?#");
    const char *tail = rest + len;
    if (*tail != '\0' && strcmp(tail, "/") != 0) {
        url_fail(err, _("a POP3 URL has no path, query or fragment, got"), tail, strlen(tail));
        return CLI_ERR_USAGE;
    }
    *len_out = len;
    return CLI_OK;
}

static enum cli_status parse_authority(const char *s, size_t len, struct cli_url *url,
                                       struct pv_error *err)
{
    /* The last '@': a user name may hold a raw '@', a host never does. */
    const char *at = NULL;
    for (const char *p = s; p < s + len; p++) {
        if (*p == '@')
            at = p;
    }
    if (at) {
        enum cli_status st = parse_user(s, (size_t)(at - s), url, err);
        if (st != CLI_OK)
            return st;
        len -= (size_t)(at + 1 - s);
        s = at + 1;
    }
    size_t used = 0;
    enum cli_status st = len > 0 && s[0] == '[' ? parse_ipv6_host(s, len, url, &used, err)
                                                : parse_name_host(s, len, url, &used, err);
    if (st != CLI_OK)
        return st;
    return parse_port(s + used, len - used, url, err);
}

enum cli_status cli_url_parse(const char *text, struct cli_url **url_out, struct pv_error *err)
{
    *url_out = NULL;
    if (!text || !*text) {
        pv_error_set(err, _("no server URL given: %s"), expected_form());
        return CLI_ERR_USAGE;
    }
    if (strlen(text) > CLI_URL_MAX) {
        pv_error_set(err, _("the URL is longer than %d bytes"), CLI_URL_MAX);
        return CLI_ERR_USAGE;
    }
    struct cli_url *url = pv_xcalloc(1, sizeof *url);
    const char *rest = NULL;
    size_t auth_len = 0;
    enum cli_status st = parse_scheme(text, url, &rest, err);
    if (st == CLI_OK)
        st = authority_length(rest, &auth_len, err);
    if (st == CLI_OK)
        st = parse_authority(rest, auth_len, url, err);
    if (st != CLI_OK) {
        cli_url_free(&url);
        return st;
    }
    *url_out = url;
    return CLI_OK;
}

void cli_url_free(struct cli_url **url)
{
    if (!url || !*url)
        return;
    free((*url)->user);
    free((*url)->host);
    free(*url);
    *url = NULL;
}
