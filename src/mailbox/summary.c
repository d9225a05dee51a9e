/*
 * One index row from a message's header block: who it is from, its
 * subject, its date and whether it carries attachments.  Runs on the
 * worker thread, so the UI thread only ever receives finished strings.
 * In two steps: the decoded headline (what the header cache keeps, and
 * --summary prints), then the sanitized row.
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

void mailbox_headline_from_header(const char *header, size_t len, struct mailbox_headline *out)
{
    memset(out, 0, sizeof *out);
    struct mail_headers *h = mail_headers_parse(header ? header : "", header ? len : 0, NULL);
    const char *from = mail_headers_get(h, "From");
    const char *subject = mail_headers_get(h, "Subject");
    const char *date = mail_headers_get(h, "Date");
    out->from = from ? mail_address_display(from) : pv_xstrdup("");
    out->subject = subject ? mail_decode_header_text(subject) : pv_xstrdup("");
    out->has_date = date && mail_date_parse(date, &out->date, &out->tz_offset_min);
    if (!out->has_date) {
        out->date = 0;
        out->tz_offset_min = 0;
    }
    out->multipart_mixed = is_multipart_mixed(mail_headers_get(h, "Content-Type"));
    mail_headers_free(&h);
}

void mailbox_headline_clear(struct mailbox_headline *hl)
{
    if (!hl)
        return;
    free(hl->from);
    free(hl->subject);
    memset(hl, 0, sizeof *hl);
}

void mb_parsed_from_headline(const struct mailbox_headline *hl, struct mb_parsed *out)
{
    memset(out, 0, sizeof *out);
    const char *from = hl->from ? hl->from : "";
    const char *subject = hl->subject ? hl->subject : "";
    out->from = mb_one_line(from, strlen(from));
    out->subject = mb_one_line(subject, strlen(subject));
    out->has_date = hl->has_date;
    out->date = hl->date;
    out->tz_offset_min = hl->tz_offset_min;
    out->multipart_mixed = hl->multipart_mixed;
}

void mb_parsed_from_header(const char *header, size_t len, struct mb_parsed *out)
{
    struct mailbox_headline hl;
    mailbox_headline_from_header(header, len, &hl);
    mb_parsed_from_headline(&hl, out);
    mailbox_headline_clear(&hl);
}

void mb_parsed_clear(struct mb_parsed *p)
{
    free(p->from);
    free(p->subject);
    memset(p, 0, sizeof *p);
}
