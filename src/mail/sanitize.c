/*
 * The last step before untrusted text reaches the terminal.  A mail can
 * carry escape sequences that retitle the window, write the clipboard
 * (OSC 52), move the cursor or redefine keys, and Unicode controls that
 * make text read differently from what it is (bidi overrides, "Trojan
 * Source", CVE-2021-42574; zero-width characters).  Every such character
 * is made visible instead: C0 controls in caret notation (^[ for ESC, ^?
 * for DEL), the rest as <U+XXXX>.  Broken UTF-8 becomes U+FFFD, so the
 * 8-bit C1 bytes (0x9B is CSI on some terminals) never pass either.
 *
 * Glossary: C0 = U+0000..U+001F, C1 = U+0080..U+009F (ECMA-48, section 5).
 */
#include <stdio.h>

#include <popview/util.h>

#include <popview/mail.h>

#include "private.h"

/* Format characters shown by code: bidi embeddings, overrides, isolates
 * and marks (UAX #9), and zero-width characters. */
static bool is_invisible_format(uint32_t cp)
{
    return (cp >= 0x200B && cp <= 0x200F) || (cp >= 0x202A && cp <= 0x202E) || cp == 0x2060 ||
           (cp >= 0x2066 && cp <= 0x2069) || cp == 0x061C || cp == 0xFEFF;
}

static bool put_caret(struct pv_buf *out, uint32_t cp)
{
    char s[2] = {'^', cp == 0x7F ? '?' : (char)(cp + 0x40)};
    return pv_buf_append(out, s, sizeof s);
}

static bool put_code(struct pv_buf *out, uint32_t cp)
{
    char s[16];
    int n = snprintf(s, sizeof s, "<U+%04X>", (unsigned)cp);
    return n > 0 && pv_buf_append(out, s, (size_t)n);
}

/* TAB, CR and LF by the flags; false only when out's cap is reached. */
static bool put_space_control(struct pv_buf *out, const char *in, size_t len, size_t i,
                              unsigned flags)
{
    char c = in[i];
    if (flags & MAIL_SANITIZE_ONE_LINE)
        return pv_buf_append_byte(out, ' ');
    if (c == '\t' && (flags & MAIL_SANITIZE_KEEP_TABS))
        return pv_buf_append_byte(out, '\t');
    if (c == '\n' && (flags & MAIL_SANITIZE_KEEP_NEWLINES))
        return pv_buf_append_byte(out, '\n');
    if (c == '\r' && (flags & MAIL_SANITIZE_KEEP_NEWLINES) && i + 1 < len && in[i + 1] == '\n')
        return true; /* CRLF becomes LF: the LF comes next */
    /* A bare CR would send the cursor back to overwrite the line. */
    return put_caret(out, (unsigned char)c);
}

void mail_sanitize(const char *in, size_t len, unsigned flags, struct pv_buf *out)
{
    if (!in || !out)
        return;
    size_t i = 0;
    while (i < len) {
        uint32_t cp;
        size_t n = mail_utf8_next(in + i, len - i, &cp);
        bool ok;
        if (cp == MAIL_UTF8_INVALID)
            ok = mail_utf8_put(out, MAIL_REPLACEMENT_CHAR);
        else if (cp == '\t' || cp == '\n' || cp == '\r')
            ok = put_space_control(out, in, len, i, flags);
        else if (cp < 0x20 || cp == 0x7F)
            ok = put_caret(out, cp);
        else if ((cp >= 0x80 && cp <= 0x9F) || is_invisible_format(cp))
            ok = put_code(out, cp);
        else
            ok = pv_buf_append(out, in + i, n);
        if (!ok)
            return; /* the cap: stop at a character boundary */
        i += n;
    }
}
