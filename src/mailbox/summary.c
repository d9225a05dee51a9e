/*
 * One index row from a message's header block: who it is from, its
 * subject, its date and whether it carries attachments.  Runs on the
 * worker thread, so the UI thread only ever receives finished strings.
 *
 * Everything shown is decoded first (RFC 2047, charsets) and then
 * sanitized to one line: a Subject may hold ESC sequences meant for the
 * terminal, and they must arrive as "^[" text, never as the byte.
 */
#include <stdlib.h>
#include <string.h>

#include <popview/util.h>

#include <popview/mail.h>

#include "private.h"

char *mb_one_line(const char *text, size_t len)
{
    struct pv_buf b;
    pv_buf_init(&b, 0);
    mail_sanitize(text, len, MAIL_SANITIZE_ONE_LINE, &b);
    char *s = pv_buf_steal(&b, NULL);
    /* Folding and tabs leave spaces at the ends; they only shift columns. */
    size_t n = strlen(s);
    while (n > 0 && s[n - 1] == ' ')
        s[--n] = '\0';
    size_t lead = strspn(s, " ");
    if (lead)
        memmove(s, s + lead, n - lead + 1);
    return s;
}

/* Decoded text (a new string, freed here) -> sanitized one line. */
static char *shown(char *decoded)
{
    char *s = mb_one_line(decoded, strlen(decoded));
    free(decoded);
    return s;
}

/* RFC 2046 section 5.1.3: multipart/mixed is how attachments travel. */
static bool is_multipart_mixed(const char *content_type)
{
    if (!content_type)
        return false;
    struct mail_params *p = mail_content_type_parse(content_type, strlen(content_type));
    bool mixed = strcmp(mail_params_value(p), "multipart/mixed") == 0;
    mail_params_free(&p);
    return mixed;
}

void mb_parsed_from_header(const char *header, size_t len, struct mb_parsed *out)
{
    memset(out, 0, sizeof *out);
    struct mail_headers *h = mail_headers_parse(header ? header : "", header ? len : 0, NULL);
    const char *from = mail_headers_get(h, "From");
    const char *subject = mail_headers_get(h, "Subject");
    const char *date = mail_headers_get(h, "Date");
    out->from = shown(from ? mail_address_display(from) : pv_xstrdup(""));
    out->subject = shown(subject ? mail_decode_header_text(subject) : pv_xstrdup(""));
    out->has_date = date && mail_date_parse(date, &out->date, &out->tz_offset_min);
    if (!out->has_date) {
        out->date = 0;
        out->tz_offset_min = 0;
    }
    out->multipart_mixed = is_multipart_mixed(mail_headers_get(h, "Content-Type"));
    mail_headers_free(&h);
}

void mb_parsed_clear(struct mb_parsed *p)
{
    free(p->from);
    free(p->subject);
    memset(p, 0, sizeof *p);
}
