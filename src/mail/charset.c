/*
 * Charsets to UTF-8.  Declared charset names are normalised first, because
 * real mail names them loosely and often wrongly: labels are matched without
 * case, and a few are replaced by the superset that the sender really used
 * (the WHATWG Encoding Standard's rule: ISO-8859-1 and US-ASCII text is read
 * as Windows-1252, GB2312 as GB18030, KS_C_5601-1987 as CP949, Shift_JIS as
 * Windows-31J).  UTF-8 and Windows-1252 are decoded here; everything else
 * goes through iconv(3).  Whatever the input, the output is valid UTF-8:
 * bytes that do not decode become U+FFFD and the conversion goes on.
 *
 * Glossary: "label" is the charset name as written in the message;
 * "legacy" is the Windows-1252 reading of undeclared 8-bit bytes.
 */
#include <errno.h>
#include <iconv.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <popview/util.h>

#include <popview/mail.h>

#include "private.h"

/* Longer labels are not charset names (IANA names are at most 40 chars). */
enum { CHARSET_LABEL_MAX = 64 };

/* ---- UTF-8 ---------------------------------------------------------- */

static bool is_cont(unsigned char c)
{
    return (c & 0xC0) == 0x80;
}

size_t mail_utf8_next(const char *s, size_t len, uint32_t *cp_out)
{
    const unsigned char *u = (const unsigned char *)s;
    unsigned char c = u[0];
    if (c < 0x80) {
        *cp_out = c;
        return 1;
    }
    size_t need;
    uint32_t cp;
    /* The second byte's range excludes overlongs, surrogates and values
     * above U+10FFFF (Unicode, table 3-7 "well-formed byte sequences"). */
    unsigned char lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) {
        need = 1;
        cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        need = 2;
        cp = c & 0x0F;
        if (c == 0xE0)
            lo = 0xA0;
        else if (c == 0xED)
            hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        need = 3;
        cp = c & 0x07;
        if (c == 0xF0)
            lo = 0x90;
        else if (c == 0xF4)
            hi = 0x8F;
    } else {
        *cp_out = MAIL_UTF8_INVALID;
        return 1;
    }
    size_t i = 1;
    for (; i <= need; i++) {
        if (i >= len) {
            *cp_out = MAIL_UTF8_INVALID;
            return i;
        }
        unsigned char b = u[i];
        bool ok = i == 1 ? (b >= lo && b <= hi) : is_cont(b);
        if (!ok) {
            *cp_out = MAIL_UTF8_INVALID;
            return i;
        }
        cp = (cp << 6) | (b & 0x3F);
    }
    *cp_out = cp;
    return i;
}

bool mail_utf8_valid(const char *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        uint32_t cp;
        i += mail_utf8_next(s + i, len - i, &cp);
        if (cp == MAIL_UTF8_INVALID)
            return false;
    }
    return true;
}

bool mail_utf8_put(struct pv_buf *out, uint32_t cp)
{
    char b[4];
    size_t n;
    if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        cp = MAIL_REPLACEMENT_CHAR;
    if (cp < 0x80) {
        b[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        b[0] = (char)(0xC0 | (cp >> 6));
        b[1] = (char)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        b[0] = (char)(0xE0 | (cp >> 12));
        b[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        b[2] = (char)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        b[0] = (char)(0xF0 | (cp >> 18));
        b[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        b[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        b[3] = (char)(0x80 | (cp & 0x3F));
        n = 4;
    }
    return pv_buf_append(out, b, n);
}

/* ---- Windows-1252 --------------------------------------------------- */

/* 0x80..0x9F; the rest of the upper half is ISO-8859-1, i.e. the byte. */
static const uint16_t cp1252_upper_c1[32] = {
    0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0x008D, 0x017D, 0x008F, 0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
};

uint32_t mail_cp1252_char(unsigned char byte)
{
    if (byte >= 0x80 && byte <= 0x9F)
        return cp1252_upper_c1[byte - 0x80];
    return byte;
}

static bool append_cp1252(struct pv_buf *out, const char *in, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (!mail_utf8_put(out, mail_cp1252_char((unsigned char)in[i])))
            return false;
    return true;
}

/* Appends valid UTF-8; near the cap, as many whole characters as fit. */
static bool append_valid(struct pv_buf *out, const char *s, size_t len)
{
    if (pv_buf_append(out, s, len))
        return true;
    size_t i = 0;
    while (i < len) {
        uint32_t cp;
        size_t n = mail_utf8_next(s + i, len - i, &cp);
        if (!pv_buf_append(out, s + i, n))
            return false;
        i += n;
    }
    return true;
}

bool mail_utf8_append_lenient(struct pv_buf *out, const char *in, size_t len, bool legacy)
{
    size_t i = 0;
    while (i < len) {
        /* Copy the longest valid run at once. */
        size_t start = i;
        uint32_t cp = 0;
        size_t n = 0;
        while (i < len) {
            n = mail_utf8_next(in + i, len - i, &cp);
            if (cp == MAIL_UTF8_INVALID)
                break;
            i += n;
        }
        if (i > start && !append_valid(out, in + start, i - start))
            return false;
        if (i >= len)
            break;
        bool ok =
            legacy ? append_cp1252(out, in + i, n) : mail_utf8_put(out, MAIL_REPLACEMENT_CHAR);
        if (!ok)
            return false;
        i += n;
    }
    return true;
}

char *mail_utf8_or_legacy(const char *in, size_t len)
{
    struct pv_buf out;
    pv_buf_init(&out, 0);
    size_t i = 0;
    /* The result is a C string, so a NUL byte becomes U+FFFD. */
    while (in && i < len) {
        const char *nul = memchr(in + i, '\0', len - i);
        size_t run = nul ? (size_t)(nul - (in + i)) : len - i;
        if (!mail_utf8_append_lenient(&out, in + i, run, true))
            break;
        i += run;
        if (i < len) {
            if (!mail_utf8_put(&out, MAIL_REPLACEMENT_CHAR))
                break;
            i++;
        }
    }
    return pv_buf_steal(&out, NULL);
}

/* ---- Labels ----------------------------------------------------------- */

enum charset_kind {
    CHARSET_ASCII,   /* US-ASCII or undeclared: 8-bit read leniently as legacy */
    CHARSET_UTF8,    /* decoded here, broken sequences as U+FFFD */
    CHARSET_CP1252,  /* decoded here from the table */
    CHARSET_ICONV,   /* iconv with the name in .iconv_name */
    CHARSET_UNKNOWN, /* not a name iconv knows */
};

struct charset_alias {
    const char *label;
    enum charset_kind kind;
    const char *iconv_name;
};

/* Labels are compared after lower-casing.  Replacements follow the WHATWG
 * Encoding Standard, section 4.2 "Names and labels". */
static const struct charset_alias charset_aliases[] = {
    {"us-ascii", CHARSET_ASCII, NULL},
    {"ascii", CHARSET_ASCII, NULL},
    {"us", CHARSET_ASCII, NULL},
    {"ansi_x3.4-1968", CHARSET_ASCII, NULL},
    {"iso646-us", CHARSET_ASCII, NULL},
    {"x-unknown", CHARSET_ASCII, NULL},
    {"unknown", CHARSET_ASCII, NULL},
    {"unknown-8bit", CHARSET_ASCII, NULL},
    {"x-user-defined", CHARSET_ASCII, NULL},
    {"default", CHARSET_ASCII, NULL},
    {"utf-8", CHARSET_UTF8, NULL},
    {"utf8", CHARSET_UTF8, NULL},
    {"x-utf8", CHARSET_UTF8, NULL},
    {"x-utf-8", CHARSET_UTF8, NULL},
    {"unicode-1-1-utf-8", CHARSET_UTF8, NULL},
    {"iso-8859-1", CHARSET_CP1252, NULL},
    {"iso8859-1", CHARSET_CP1252, NULL},
    {"iso_8859-1", CHARSET_CP1252, NULL},
    {"iso-ir-100", CHARSET_CP1252, NULL},
    {"latin1", CHARSET_CP1252, NULL},
    {"latin-1", CHARSET_CP1252, NULL},
    {"l1", CHARSET_CP1252, NULL},
    {"cp819", CHARSET_CP1252, NULL},
    {"ibm819", CHARSET_CP1252, NULL},
    {"windows-1252", CHARSET_CP1252, NULL},
    {"cp1252", CHARSET_CP1252, NULL},
    {"x-cp1252", CHARSET_CP1252, NULL},
    {"iso-8859-9", CHARSET_ICONV, "CP1254"},
    {"latin5", CHARSET_ICONV, "CP1254"},
    {"iso-8859-11", CHARSET_ICONV, "CP874"},
    {"tis-620", CHARSET_ICONV, "CP874"},
    {"windows-874", CHARSET_ICONV, "CP874"},
    {"gb2312", CHARSET_ICONV, "GB18030"},
    {"csgb2312", CHARSET_ICONV, "GB18030"},
    {"gbk", CHARSET_ICONV, "GB18030"},
    {"x-gbk", CHARSET_ICONV, "GB18030"},
    {"cp936", CHARSET_ICONV, "GB18030"},
    {"euc-cn", CHARSET_ICONV, "GB18030"},
    {"chinese", CHARSET_ICONV, "GB18030"},
    {"gb18030", CHARSET_ICONV, "GB18030"},
    {"ks_c_5601-1987", CHARSET_ICONV, "CP949"},
    {"ks_c_5601-1989", CHARSET_ICONV, "CP949"},
    {"ks_c_5601", CHARSET_ICONV, "CP949"},
    {"ksc5601", CHARSET_ICONV, "CP949"},
    {"ksc_5601", CHARSET_ICONV, "CP949"},
    {"csksc56011987", CHARSET_ICONV, "CP949"},
    {"euc-kr", CHARSET_ICONV, "CP949"},
    {"korean", CHARSET_ICONV, "CP949"},
    {"windows-949", CHARSET_ICONV, "CP949"},
    {"shift_jis", CHARSET_ICONV, "WINDOWS-31J"},
    {"shift-jis", CHARSET_ICONV, "WINDOWS-31J"},
    {"sjis", CHARSET_ICONV, "WINDOWS-31J"},
    {"x-sjis", CHARSET_ICONV, "WINDOWS-31J"},
    {"ms_kanji", CHARSET_ICONV, "WINDOWS-31J"},
    {"csshiftjis", CHARSET_ICONV, "WINDOWS-31J"},
    {"windows-31j", CHARSET_ICONV, "WINDOWS-31J"},
    {"cp932", CHARSET_ICONV, "WINDOWS-31J"},
    /* ISO-2022-JP-2 reads everything ISO-2022-JP does, plus the escapes
     * some mailers emit without saying so. */
    {"iso-2022-jp", CHARSET_ICONV, "ISO-2022-JP-2"},
    {"csiso2022jp", CHARSET_ICONV, "ISO-2022-JP-2"},
    {"big5", CHARSET_ICONV, "BIG5-HKSCS"},
    {"big5-hkscs", CHARSET_ICONV, "BIG5-HKSCS"},
    {"cn-big5", CHARSET_ICONV, "BIG5-HKSCS"},
    {"x-x-big5", CHARSET_ICONV, "BIG5-HKSCS"},
    {"utf-7", CHARSET_ICONV, "UTF-7"},
    {"unicode-1-1-utf-7", CHARSET_ICONV, "UTF-7"},
    {"x-mac-roman", CHARSET_ICONV, "MACINTOSH"},
    {"macintosh", CHARSET_ICONV, "MACINTOSH"},
};

/*
 * Lower-cases the label into dst, dropping surrounding white space and
 * quotes and an RFC 2231 language suffix ("us-ascii*en").  False when what
 * remains cannot be a charset name: empty is "no label", and names with
 * characters outside the IANA charset-name set (RFC 2978, section 2.3) are
 * never passed to iconv, which gives "//" suffixes a meaning of its own.
 */
static bool label_normalise(const char *label, char *dst, size_t dst_size)
{
    size_t len = strlen(label);
    size_t b = 0;
    while (b < len && (label[b] == ' ' || label[b] == '\t' || label[b] == '"' || label[b] == '\''))
        b++;
    while (len > b && (label[len - 1] == ' ' || label[len - 1] == '\t' || label[len - 1] == '"' ||
                       label[len - 1] == '\''))
        len--;
    const char *star = memchr(label + b, '*', len - b);
    if (star)
        len = (size_t)(star - label);
    if (len - b >= dst_size)
        return false;
    size_t n = 0;
    for (size_t i = b; i < len; i++) {
        char c = pv_ascii_lower(label[i]);
        bool name_char = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                         strchr("!#$%&+-^_`{}~.:", c) != NULL;
        if (!name_char || c == '\0')
            return false;
        dst[n++] = c;
    }
    dst[n] = '\0';
    return true;
}

/* name (CHARSET_LABEL_MAX bytes) receives the normalised label, which is
 * what iconv gets when no alias names a replacement. */
static enum charset_kind charset_lookup(const char *charset, char *name,
                                        const char **iconv_name_out)
{
    *iconv_name_out = name;
    name[0] = '\0';
    if (!charset)
        return CHARSET_ASCII;
    if (!label_normalise(charset, name, CHARSET_LABEL_MAX))
        return CHARSET_UNKNOWN;
    if (name[0] == '\0')
        return CHARSET_ASCII;
    for (size_t i = 0; i < PV_ARRAY_LEN(charset_aliases); i++) {
        if (strcmp(charset_aliases[i].label, name) == 0) {
            if (charset_aliases[i].iconv_name)
                *iconv_name_out = charset_aliases[i].iconv_name;
            return charset_aliases[i].kind;
        }
    }
    return CHARSET_ICONV;
}

/* ---- iconv -------------------------------------------------------------- */

/* Appends iconv output, checking it: a converter bug must not let invalid
 * UTF-8 out either. */
static bool flush_converted(struct pv_buf *out, const char *chunk, size_t len)
{
    return mail_utf8_append_lenient(out, chunk, len, false);
}

/*
 * Runs the converter over the whole input.  A byte iconv rejects (EILSEQ)
 * or a sequence cut off at the end (EINVAL) becomes U+FFFD and the byte is
 * skipped, so one bad byte costs one character, not the rest of the text.
 */
static void iconv_run(iconv_t cd, const char *in, size_t len, struct pv_buf *out)
{
    char *src = (char *)in; /* iconv's prototype is not const-correct */
    size_t left = len;
    char chunk[1024];
    bool flushing = false;
    for (;;) {
        char *dst = chunk;
        size_t room = sizeof chunk;
        size_t r =
            flushing ? iconv(cd, NULL, NULL, &dst, &room) : iconv(cd, &src, &left, &dst, &room);
        int e = errno;
        if (!flush_converted(out, chunk, (size_t)(dst - chunk)))
            return;
        if (r != (size_t)-1) {
            if (flushing)
                return;
            if (left == 0)
                flushing = true; /* emit what a stateful decoder holds back */
            continue;
        }
        if (e == E2BIG)
            continue;
        if (flushing)
            return;
        if ((e == EILSEQ || e == EINVAL) && left > 0) {
            if (!mail_utf8_put(out, MAIL_REPLACEMENT_CHAR))
                return;
            src++;
            left--;
            if (left == 0)
                flushing = true;
            continue;
        }
        return;
    }
}

/*
 * Opening a converter loads a gconv module, and closing the last one
 * unloads it again: per encoded header that was most of --summary's time on
 * large mailboxes (thousands of openat/mmap calls per 10,000 messages).  So
 * each thread keeps its last few converters open.  Per thread, because the
 * mailbox worker and the UI thread both convert and an iconv_t carries
 * state; a key destructor closes them when the thread ends.
 */
enum { CONVERTERS_KEPT = 8, CONVERTER_NAME_MAX = 64 };

struct converter {
    char name[CONVERTER_NAME_MAX];
    iconv_t cd;
    unsigned long last_use;
};

struct converter_cache {
    struct converter slot[CONVERTERS_KEPT];
    unsigned long clock;
};

static pthread_key_t converter_key;
static pthread_once_t converter_once = PTHREAD_ONCE_INIT;

static void converter_cache_free(void *p)
{
    struct converter_cache *c = p;
    for (size_t i = 0; i < CONVERTERS_KEPT; i++)
        if (c->slot[i].name[0])
            iconv_close(c->slot[i].cd);
    free(c);
}

static void converter_key_create(void)
{
    if (pthread_key_create(&converter_key, converter_cache_free) != 0)
        abort();
}

/* An open converter from iconv_name to UTF-8, reset to its initial state,
 * owned by the cache; (iconv_t)-1 when iconv does not know the name. */
static iconv_t converter_get(const char *iconv_name)
{
    pthread_once(&converter_once, converter_key_create);
    struct converter_cache *c = pthread_getspecific(converter_key);
    if (!c) {
        c = pv_xcalloc(1, sizeof *c);
        if (pthread_setspecific(converter_key, c) != 0)
            abort();
    }
    if (strlen(iconv_name) >= CONVERTER_NAME_MAX)
        return (iconv_t)-1; /* labels are normalised shorter than this */
    struct converter *victim = &c->slot[0];
    for (size_t i = 0; i < CONVERTERS_KEPT; i++) {
        struct converter *s = &c->slot[i];
        if (s->name[0] && strcmp(s->name, iconv_name) == 0) {
            s->last_use = ++c->clock;
            iconv(s->cd, NULL, NULL, NULL, NULL);
            return s->cd;
        }
        if (!s->name[0] || (victim->name[0] && s->last_use < victim->last_use))
            victim = s;
    }
    iconv_t cd = iconv_open("UTF-8", iconv_name);
    if (cd == (iconv_t)-1)
        return cd;
    if (victim->name[0])
        iconv_close(victim->cd);
    snprintf(victim->name, sizeof victim->name, "%s", iconv_name);
    victim->cd = cd;
    victim->last_use = ++c->clock;
    return cd;
}

enum mail_status mail_charset_to_utf8(const char *charset, const char *in, size_t len,
                                      struct pv_buf *out)
{
    if (!in)
        len = 0;
    char name[CHARSET_LABEL_MAX];
    const char *iconv_name;
    enum charset_kind kind = charset_lookup(charset, name, &iconv_name);
    if (kind == CHARSET_ICONV) {
        iconv_t cd = converter_get(iconv_name);
        if (cd == (iconv_t)-1) {
            kind = CHARSET_UNKNOWN;
        } else {
            iconv_run(cd, in, len, out);
            return MAIL_OK;
        }
    }
    switch (kind) {
    case CHARSET_ASCII:
        /* Mail that says US-ASCII (or nothing) yet carries 8-bit bytes was
         * written in UTF-8 or a Windows code page; keep UTF-8, read the
         * rest as Windows-1252. */
        (void)mail_utf8_append_lenient(out, in, len, true);
        return MAIL_OK;
    case CHARSET_UTF8:
        (void)mail_utf8_append_lenient(out, in, len, false);
        return MAIL_OK;
    case CHARSET_CP1252:
        (void)append_cp1252(out, in, len);
        return MAIL_OK;
    case CHARSET_ICONV:
    case CHARSET_UNKNOWN:
        break;
    }
    (void)mail_utf8_append_lenient(out, in, len, false);
    return MAIL_ERR_CHARSET;
}
