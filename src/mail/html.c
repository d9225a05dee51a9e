/*
 * HTML to readable text, for mail that comes only as text/html.  Not a
 * browser: a single forward pass over the bytes that keeps just enough
 * state to lay text out in lines (paragraphs, list items, quotes, <pre>)
 * and to collect links.  Every step consumes input, so any byte sequence
 * ends in linear time; unclosed tags, comments and quotes run to the end
 * of the input and are dropped.
 *
 * Glossary: a "break" is a pending line break that is written only when
 * more visible text follows, so block elements never leave trailing blank
 * lines; the "prefix" is what starts every line inside quotes and lists.
 * Entities follow the HTML Living Standard section 13.2.5.72-80 (named and
 * numeric character references) closely enough for mail.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <popview/util.h>

#include <popview/mail.h>

enum {
    HTML_LINKS_MAX = 500, /* more links are left as plain text */
    HTML_URL_MAX = 2048,  /* longer URLs are not listed */
    HTML_NEST_MAX = 16,   /* lists and quotes deeper than this stop indenting */
    HTML_ENTITY_NAME_MAX = 32,
    HTML_TAG_NAME_MAX = 16,
};

struct entity {
    const char *name;
    uint32_t cp;
};

static const struct entity entities[] = {
    {"AElig", 0x00C6},   {"Aacute", 0x00C1}, {"Acirc", 0x00C2},   {"Agrave", 0x00C0},
    {"Alpha", 0x0391},   {"Aring", 0x00C5},  {"Atilde", 0x00C3},  {"Auml", 0x00C4},
    {"Beta", 0x0392},    {"Ccedil", 0x00C7}, {"Dagger", 0x2021},  {"Delta", 0x0394},
    {"ETH", 0x00D0},     {"Eacute", 0x00C9}, {"Ecirc", 0x00CA},   {"Egrave", 0x00C8},
    {"Epsilon", 0x0395}, {"Euml", 0x00CB},   {"Gamma", 0x0393},   {"Iacute", 0x00CD},
    {"Icirc", 0x00CE},   {"Igrave", 0x00CC}, {"Iuml", 0x00CF},    {"Lambda", 0x039B},
    {"NewLine", 0x000A}, {"Ntilde", 0x00D1}, {"OElig", 0x0152},   {"Oacute", 0x00D3},
    {"Ocirc", 0x00D4},   {"Ograve", 0x00D2}, {"Omega", 0x03A9},   {"Oslash", 0x00D8},
    {"Otilde", 0x00D5},  {"Ouml", 0x00D6},   {"Phi", 0x03A6},     {"Pi", 0x03A0},
    {"Prime", 0x2033},   {"Psi", 0x03A8},    {"Scaron", 0x0160},  {"Sigma", 0x03A3},
    {"THORN", 0x00DE},   {"Tab", 0x0009},    {"Theta", 0x0398},   {"Uacute", 0x00DA},
    {"Ucirc", 0x00DB},   {"Ugrave", 0x00D9}, {"Uuml", 0x00DC},    {"Yacute", 0x00DD},
    {"Yuml", 0x0178},    {"aacute", 0x00E1}, {"acirc", 0x00E2},   {"acute", 0x00B4},
    {"aelig", 0x00E6},   {"agrave", 0x00E0}, {"alpha", 0x03B1},   {"amp", 0x0026},
    {"and", 0x2227},     {"apos", 0x0027},   {"aring", 0x00E5},   {"asymp", 0x2248},
    {"atilde", 0x00E3},  {"auml", 0x00E4},   {"bdquo", 0x201E},   {"beta", 0x03B2},
    {"brvbar", 0x00A6},  {"bull", 0x2022},   {"cap", 0x2229},     {"ccedil", 0x00E7},
    {"cedil", 0x00B8},   {"cent", 0x00A2},   {"check", 0x2713},   {"chi", 0x03C7},
    {"circ", 0x02C6},    {"clubs", 0x2663},  {"cong", 0x2245},    {"copy", 0x00A9},
    {"cross", 0x2717},   {"cup", 0x222A},    {"curren", 0x00A4},  {"dagger", 0x2020},
    {"darr", 0x2193},    {"dash", 0x2010},   {"deg", 0x00B0},     {"delta", 0x03B4},
    {"diams", 0x2666},   {"divide", 0x00F7}, {"eacute", 0x00E9},  {"ecirc", 0x00EA},
    {"egrave", 0x00E8},  {"empty", 0x2205},  {"emsp", 0x2003},    {"ensp", 0x2002},
    {"epsilon", 0x03B5}, {"equiv", 0x2261},  {"eta", 0x03B7},     {"eth", 0x00F0},
    {"euml", 0x00EB},    {"euro", 0x20AC},   {"fnof", 0x0192},    {"frac12", 0x00BD},
    {"frac14", 0x00BC},  {"frac34", 0x00BE}, {"frasl", 0x2044},   {"gamma", 0x03B3},
    {"ge", 0x2265},      {"gt", 0x003E},     {"hArr", 0x21D4},    {"harr", 0x2194},
    {"hearts", 0x2665},  {"hellip", 0x2026}, {"hyphen", 0x2010},  {"iacute", 0x00ED},
    {"icirc", 0x00EE},   {"iexcl", 0x00A1},  {"igrave", 0x00EC},  {"infin", 0x221E},
    {"int", 0x222B},     {"iota", 0x03B9},   {"iquest", 0x00BF},  {"isin", 0x2208},
    {"iuml", 0x00EF},    {"kappa", 0x03BA},  {"lArr", 0x21D0},    {"lambda", 0x03BB},
    {"laquo", 0x00AB},   {"larr", 0x2190},   {"ldquo", 0x201C},   {"le", 0x2264},
    {"lowast", 0x2217},  {"loz", 0x25CA},    {"lrm", 0x200E},     {"lsaquo", 0x2039},
    {"lsquo", 0x2018},   {"lt", 0x003C},     {"macr", 0x00AF},    {"mdash", 0x2014},
    {"micro", 0x00B5},   {"middot", 0x00B7}, {"minus", 0x2212},   {"mu", 0x03BC},
    {"nabla", 0x2207},   {"nbsp", 0x00A0},   {"ndash", 0x2013},   {"ne", 0x2260},
    {"not", 0x00AC},     {"notin", 0x2209},  {"ntilde", 0x00F1},  {"nu", 0x03BD},
    {"oacute", 0x00F3},  {"ocirc", 0x00F4},  {"oelig", 0x0153},   {"ograve", 0x00F2},
    {"oline", 0x203E},   {"omega", 0x03C9},  {"omicron", 0x03BF}, {"or", 0x2228},
    {"ordf", 0x00AA},    {"ordm", 0x00BA},   {"oslash", 0x00F8},  {"otilde", 0x00F5},
    {"ouml", 0x00F6},    {"para", 0x00B6},   {"part", 0x2202},    {"permil", 0x2030},
    {"phi", 0x03C6},     {"pi", 0x03C0},     {"plusmn", 0x00B1},  {"pound", 0x00A3},
    {"prime", 0x2032},   {"prod", 0x220F},   {"psi", 0x03C8},     {"quot", 0x0022},
    {"rArr", 0x21D2},    {"radic", 0x221A},  {"raquo", 0x00BB},   {"rarr", 0x2192},
    {"rdquo", 0x201D},   {"reg", 0x00AE},    {"rho", 0x03C1},     {"rlm", 0x200F},
    {"rsaquo", 0x203A},  {"rsquo", 0x2019},  {"sbquo", 0x201A},   {"scaron", 0x0161},
    {"sect", 0x00A7},    {"shy", 0x00AD},    {"sigma", 0x03C3},   {"sigmaf", 0x03C2},
    {"sim", 0x223C},     {"spades", 0x2660}, {"star", 0x2606},    {"starf", 0x2605},
    {"sub", 0x2282},     {"sube", 0x2286},   {"sum", 0x2211},     {"sup", 0x2283},
    {"sup1", 0x00B9},    {"sup2", 0x00B2},   {"sup3", 0x00B3},    {"supe", 0x2287},
    {"szlig", 0x00DF},   {"tau", 0x03C4},    {"there4", 0x2234},  {"theta", 0x03B8},
    {"thinsp", 0x2009},  {"thorn", 0x00FE},  {"tilde", 0x02DC},   {"times", 0x00D7},
    {"trade", 0x2122},   {"uacute", 0x00FA}, {"uarr", 0x2191},    {"ucirc", 0x00FB},
    {"ugrave", 0x00F9},  {"uml", 0x00A8},    {"upsilon", 0x03C5}, {"uuml", 0x00FC},
    {"xi", 0x03BE},      {"yacute", 0x00FD}, {"yen", 0x00A5},     {"yuml", 0x00FF},
    {"zeta", 0x03B6},    {"zwj", 0x200D},    {"zwnj", 0x200C},
};

/* Numeric references 0x80-0x9F mean Windows-1252 (HTML section 13.2.5.80). */
static const uint16_t cp1252_c1[32] = {
    0x20AC, 0xFFFD, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0xFFFD, 0x017D, 0xFFFD, 0xFFFD, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0xFFFD, 0x017E, 0x0178,
};

/* Named references browsers accept without the ';' (the common subset). */
static const char *const legacy_no_semicolon[] = {"amp", "lt", "gt", "quot", "nbsp", "copy", "reg"};

struct span {
    const char *p;
    size_t len;
    bool present;
};

struct tag {
    char name[HTML_TAG_NAME_MAX]; /* lower-cased, "" when unnamed */
    bool end;                     /* </name> */
    bool complete;                /* its '>' was found before the end of input */
    struct span href, alt, charset, http_equiv, content;
};

struct list_level {
    bool ordered;
    unsigned counter;
};

struct html {
    struct pv_buf *out;
    bool full; /* out's cap reached: stop */
    /* layout */
    unsigned breaks; /* line breaks wanted before the next text */
    bool started;    /* some text written by this call */
    bool line_start; /* nothing written on the current line yet */
    bool space;      /* collapsed white space wanted before the next text */
    unsigned pre;    /* inside <pre> */
    unsigned quote;  /* <blockquote> depth */
    unsigned list;   /* list depth */
    struct list_level lists[HTML_NEST_MAX];
    bool bullet; /* an <li> waits for its marker */
    bool in_head;
    /* links */
    char **urls;
    size_t nurls;
    size_t link;      /* number of the open link, 0 when none */
    size_t link_text; /* visible bytes written inside it */
};

/* ---- small helpers ---------------------------------------------------- */

static bool is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool is_html_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

static size_t utf8_encode(uint32_t cp, char out[4])
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | cp >> 6);
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | cp >> 12);
        out[1] = (char)(0x80 | (cp >> 6 & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | cp >> 18);
    out[1] = (char)(0x80 | (cp >> 12 & 0x3F));
    out[2] = (char)(0x80 | (cp >> 6 & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

static int entity_cmp(const void *key, const void *elem)
{
    return strcmp(key, ((const struct entity *)elem)->name);
}

static bool entity_lookup(const char *name, uint32_t *cp_out)
{
    const struct entity *e =
        bsearch(name, entities, PV_ARRAY_LEN(entities), sizeof entities[0], entity_cmp);
    if (!e)
        return false;
    *cp_out = e->cp;
    return true;
}

static uint32_t numeric_reference_value(uint32_t v, bool overflow)
{
    if (overflow || v == 0 || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        return 0xFFFD;
    if (v >= 0x80 && v <= 0x9F)
        return cp1252_c1[v - 0x80];
    return v;
}

/* s[0] is '#': "&#123;" or "&#x1F600;".  Returns the bytes used after the
 * '&', 0 when this is not a reference (then the '&' is literal text). */
static size_t decode_numeric(const char *s, size_t len, uint32_t *cp_out)
{
    size_t i = 1;
    bool hex = i < len && (s[i] == 'x' || s[i] == 'X');
    if (hex)
        i++;
    size_t digits_start = i;
    uint32_t v = 0;
    bool overflow = false;
    for (; i < len; i++) {
        int d;
        if (is_digit(s[i]))
            d = s[i] - '0';
        else if (hex && s[i] >= 'a' && s[i] <= 'f')
            d = s[i] - 'a' + 10;
        else if (hex && s[i] >= 'A' && s[i] <= 'F')
            d = s[i] - 'A' + 10;
        else
            break;
        if (v > 0x10FFFF)
            overflow = true; /* keep consuming digits, the value is invalid */
        else
            v = v * (hex ? 16 : 10) + (uint32_t)d;
    }
    if (i == digits_start)
        return 0;
    if (i < len && s[i] == ';')
        i++;
    *cp_out = numeric_reference_value(v, overflow);
    return i;
}

/* s points just after '&'. */
static size_t decode_entity(const char *s, size_t len, uint32_t *cp_out)
{
    if (len && s[0] == '#')
        return decode_numeric(s, len, cp_out);
    char name[HTML_ENTITY_NAME_MAX + 1];
    size_t n = 0;
    while (n < len && n < HTML_ENTITY_NAME_MAX && (is_alpha(s[n]) || is_digit(s[n]))) {
        name[n] = s[n];
        n++;
    }
    name[n] = '\0';
    if (n == 0)
        return 0;
    if (n < len && s[n] == ';')
        return entity_lookup(name, cp_out) ? n + 1 : 0;
    for (size_t k = 0; k < PV_ARRAY_LEN(legacy_no_semicolon); k++) {
        if (strcmp(name, legacy_no_semicolon[k]) == 0)
            return entity_lookup(name, cp_out) ? n : 0;
    }
    return 0;
}

/* Appends the text of a span with entities decoded (attribute values). */
static void decode_span(const struct span *sp, struct pv_buf *dst)
{
    for (size_t i = 0; i < sp->len; i++) {
        if (sp->p[i] == '&') {
            uint32_t cp;
            size_t used = decode_entity(sp->p + i + 1, sp->len - i - 1, &cp);
            if (used) {
                char u[4];
                if (!pv_buf_append(dst, u, utf8_encode(cp, u)))
                    return;
                i += used;
                continue;
            }
        }
        if (!pv_buf_append_byte(dst, sp->p[i]))
            return;
    }
}

/* ---- tags -------------------------------------------------------------- */

static void tag_keep_attr(struct tag *t, const char *name, size_t nlen, struct span value)
{
    static const struct {
        const char *name;
        size_t off;
    } wanted[] = {
        {"href", offsetof(struct tag, href)},
        {"alt", offsetof(struct tag, alt)},
        {"charset", offsetof(struct tag, charset)},
        {"http-equiv", offsetof(struct tag, http_equiv)},
        {"content", offsetof(struct tag, content)},
    };
    for (size_t i = 0; i < PV_ARRAY_LEN(wanted); i++) {
        if (strlen(wanted[i].name) == nlen && pv_ascii_nieq(name, wanted[i].name, nlen)) {
            struct span *dst = (struct span *)((char *)t + wanted[i].off);
            if (!dst->present) /* the first of duplicate attributes wins */
                *dst = value;
            return;
        }
    }
}

/* Reads one attribute starting at s[j] (not space, '/' or '>'); returns
 * the index after it.  Always consumes at least one byte. */
static size_t parse_attribute(const char *s, size_t len, size_t j, struct tag *t)
{
    size_t name = j++;
    while (j < len && !is_html_space(s[j]) && s[j] != '=' && s[j] != '>' && s[j] != '/')
        j++;
    size_t nlen = j - name;
    size_t k = j;
    while (k < len && is_html_space(s[k]))
        k++;
    struct span v = {s + k, 0, true};
    if (k >= len || s[k] != '=') {
        tag_keep_attr(t, s + name, nlen, v);
        return j;
    }
    k++;
    while (k < len && is_html_space(s[k]))
        k++;
    if (k < len && (s[k] == '"' || s[k] == '\'')) {
        const char *close = memchr(s + k + 1, s[k], len - k - 1);
        size_t vend = close ? (size_t)(close - s) : len;
        v.p = s + k + 1;
        v.len = vend - k - 1;
        j = close ? vend + 1 : len;
    } else {
        size_t vs = k;
        while (k < len && !is_html_space(s[k]) && s[k] != '>')
            k++;
        v.p = s + vs;
        v.len = k - vs;
        j = k;
    }
    tag_keep_attr(t, s + name, nlen, v);
    return j;
}

/* s[i] is '<' followed by a letter or "/"; returns the index after '>'. */
static size_t parse_tag(const char *s, size_t len, size_t i, struct tag *t)
{
    memset(t, 0, sizeof *t);
    size_t j = i + 1;
    if (j < len && s[j] == '/') {
        t->end = true;
        j++;
    }
    size_t n = 0;
    while (j < len && (is_alpha(s[j]) || is_digit(s[j]) || s[j] == '-' || s[j] == ':')) {
        if (n + 1 < sizeof t->name)
            t->name[n++] = pv_ascii_lower(s[j]);
        j++;
    }
    t->name[n] = '\0';
    for (;;) {
        while (j < len && (is_html_space(s[j]) || s[j] == '/'))
            j++;
        if (j >= len)
            return len;
        if (s[j] == '>') {
            t->complete = true;
            return j + 1;
        }
        j = parse_attribute(s, len, j, t);
    }
}

/* Index after a comment or other markup declaration starting at s[i]. */
static size_t skip_declaration(const char *s, size_t len, size_t i)
{
    if (len - i >= 4 && memcmp(s + i, "<!--", 4) == 0) {
        /* Searching from the second '-' accepts "<!-->" as the standard does. */
        const char *end = memmem(s + i + 2, len - i - 2, "-->", 3);
        return end ? (size_t)(end - s) + 3 : len;
    }
    const char *gt = memchr(s + i, '>', len - i);
    return gt ? (size_t)(gt - s) + 1 : len;
}

/* After <script> and friends: the index after the matching end tag. */
static size_t skip_raw_text(const char *s, size_t len, size_t j, const char *name)
{
    size_t nlen = strlen(name);
    while (j < len) {
        const char *lt = memchr(s + j, '<', len - j);
        if (!lt)
            return len;
        size_t k = (size_t)(lt - s);
        if (len - k >= nlen + 2 && s[k + 1] == '/' && pv_ascii_nieq(s + k + 2, name, nlen) &&
            (k + 2 + nlen == len || !(is_alpha(s[k + 2 + nlen]) || is_digit(s[k + 2 + nlen])))) {
            struct tag end;
            return parse_tag(s, len, k, &end);
        }
        j = k + 1;
    }
    return len;
}

static bool name_in(const char *name, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (strcmp(name, list[i]) == 0)
            return true;
    }
    return false;
}

/* ---- output -------------------------------------------------------------- */

static void put(struct html *h, const char *p, size_t n)
{
    if (!h->full && !pv_buf_append(h->out, p, n))
        h->full = true;
}

static void put_str(struct html *h, const char *s)
{
    put(h, s, strlen(s));
}

/* Called before any visible byte: writes pending breaks, the line prefix
 * and a collapsed space, in that order. */
static void begin_visible(struct html *h)
{
    if (h->breaks && h->started) {
        for (unsigned k = 0; k < h->breaks; k++)
            put(h, "\n", 1);
        h->line_start = true;
    }
    h->breaks = 0;
    if (h->line_start) {
        unsigned q = h->quote < HTML_NEST_MAX ? h->quote : HTML_NEST_MAX;
        for (unsigned k = 0; k < q; k++)
            put(h, "> ", 2);
        unsigned l = h->list < HTML_NEST_MAX ? h->list : HTML_NEST_MAX;
        for (unsigned k = 1; k < l; k++)
            put(h, "  ", 2);
        h->line_start = false;
        h->space = false;
    } else if (h->space) {
        put(h, " ", 1);
        h->space = false;
    }
    if (h->bullet) {
        h->bullet = false;
        struct list_level *lv = h->list && h->list <= HTML_NEST_MAX ? &h->lists[h->list - 1] : NULL;
        if (lv && lv->ordered) {
            char num[24];
            int n = snprintf(num, sizeof num, "%u. ", lv->counter);
            put(h, num, (size_t)n);
        } else {
            put_str(h, "\u2022 ");
        }
    }
    h->started = true;
}

static void visible(struct html *h, const char *p, size_t n)
{
    if (!n)
        return;
    begin_visible(h);
    put(h, p, n);
    if (h->link)
        h->link_text += n;
}

static void want_breaks(struct html *h, unsigned n)
{
    if (h->breaks < n)
        h->breaks = n;
    h->space = false;
}

/* <br> adds a line break where blocks only ask for one. */
static void hard_break(struct html *h)
{
    if (!h->started)
        return;
    if (h->breaks < 2)
        h->breaks++;
    h->space = false;
}

/* Text between tags: white space collapses outside <pre>. */
static void text_run(struct html *h, const char *s, size_t n)
{
    size_t i = 0;
    while (i < n && !h->full) {
        if (h->in_head) {
            /* Text that is not white space ends the head (HTML 13.2.6.4.4). */
            if (is_html_space(s[i])) {
                i++;
                continue;
            }
            h->in_head = false;
        }
        if (h->pre) {
            if (s[i] == '\r') {
                i++;
            } else if (s[i] == '\n') {
                if (h->started) {
                    begin_visible(h);
                    put(h, "\n", 1);
                    h->line_start = true;
                }
                i++;
            } else {
                size_t k = i;
                while (k < n && s[k] != '\r' && s[k] != '\n')
                    k++;
                visible(h, s + i, k - i);
                i = k;
            }
        } else if (is_html_space(s[i])) {
            h->space = true;
            i++;
        } else {
            size_t k = i;
            while (k < n && !is_html_space(s[k]))
                k++;
            visible(h, s + i, k - i);
            i = k;
        }
    }
}

static void text_with_entities(struct html *h, const char *s, size_t n)
{
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] != '&')
            continue;
        uint32_t cp;
        size_t used = decode_entity(s + i + 1, n - i - 1, &cp);
        if (!used)
            continue;
        text_run(h, s + run, i - run);
        if (cp == 0xA0) {
            visible(h, " ", 1); /* a space that does not collapse */
        } else {
            char u[4];
            visible(h, u, utf8_encode(cp, u));
        }
        i += used;
        run = i + 1;
    }
    if (run < n)
        text_run(h, s + run, n - run);
}

/* ---- links ---------------------------------------------------------- */

static bool url_is_listed(const char *url)
{
    return url[0] && url[0] != '#' && !pv_ascii_nieq(url, "javascript:", 11);
}

static size_t link_number(struct html *h, const char *url)
{
    for (size_t i = 0; i < h->nurls; i++) {
        if (strcmp(h->urls[i], url) == 0)
            return i + 1;
    }
    if (h->nurls == HTML_LINKS_MAX)
        return 0;
    h->urls = pv_xreallocarray(h->urls, h->nurls + 1, sizeof *h->urls);
    h->urls[h->nurls++] = pv_xstrdup(url);
    return h->nurls;
}

static void link_open(struct html *h, const struct tag *t)
{
    h->link = 0;
    if (!t->href.present || t->href.len > HTML_URL_MAX)
        return;
    struct pv_buf url;
    pv_buf_init(&url, HTML_URL_MAX * 4);
    decode_span(&t->href, &url);
    /* White space in an href is noise from wrapping; drop it. */
    size_t w = 0;
    for (size_t r = 0; r < url.len; r++) {
        if (!is_html_space(url.data[r]) && url.data[r] != '\0')
            url.data[w++] = url.data[r];
    }
    if (url.data)
        url.data[w] = '\0';
    if (url.data && url_is_listed(url.data))
        h->link = link_number(h, url.data);
    pv_buf_free(&url);
    h->link_text = 0;
}

static void link_close(struct html *h)
{
    if (!h->link)
        return;
    size_t n = h->link;
    bool had_text = h->link_text > 0;
    h->link = 0;
    char ref[32];
    int len = snprintf(ref, sizeof ref, "%s[%zu]", had_text ? " " : "", n);
    if (had_text) {
        /* Attach the reference to the text, not after a pending space. */
        h->space = false;
        put(h, ref, (size_t)len);
    } else {
        visible(h, ref, (size_t)len);
    }
}

static void links_list(struct html *h)
{
    if (!h->nurls)
        return;
    put_str(h, h->started ? "\nLinks:\n" : "Links:\n");
    for (size_t i = 0; i < h->nurls; i++) {
        char num[32];
        int n = snprintf(num, sizeof num, "[%zu] ", i + 1);
        put(h, num, (size_t)n);
        put_str(h, h->urls[i]);
        put(h, "\n", 1);
    }
}

/* ---- elements ------------------------------------------------------- */

static const char *const paragraph_blocks[] = {
    "p", "h1", "h2", "h3", "h4", "h5", "h6", "table", "dl", "ul", "ol", "blockquote", "pre", "hr",
};
static const char *const line_blocks[] = {
    "div",    "li",       "tr",     "dt",    "dd",      "section", "article",
    "header", "footer",   "nav",    "aside", "address", "figure",  "figcaption",
    "form",   "fieldset", "center", "main",  "details", "summary", "caption",
    "legend", "body",     "html",   "thead", "tbody",   "tfoot",
};
static const char *const head_elements[] = {
    "head", "meta", "link", "title", "style", "script", "base", "noscript", "template",
};
static const char *const raw_text_elements[] = {"script", "style", "title", "template"};

static void list_start(struct html *h, bool ordered)
{
    if (h->list < HTML_NEST_MAX) {
        h->lists[h->list].ordered = ordered;
        h->lists[h->list].counter = 0;
    }
    h->list++;
}

static void list_item(struct html *h)
{
    want_breaks(h, 1);
    if (h->list && h->list <= HTML_NEST_MAX)
        h->lists[h->list - 1].counter++;
    h->bullet = true;
}

static void start_tag(struct html *h, const struct tag *t)
{
    const char *n = t->name;
    if (strcmp(n, "head") == 0) {
        h->in_head = true;
        return;
    }
    if (h->in_head && !name_in(n, head_elements, PV_ARRAY_LEN(head_elements)))
        h->in_head = false;
    if (strcmp(n, "br") == 0) {
        hard_break(h);
    } else if (strcmp(n, "li") == 0) {
        list_item(h);
    } else if (strcmp(n, "ul") == 0 || strcmp(n, "ol") == 0) {
        want_breaks(h, h->list ? 1 : 2);
        list_start(h, n[0] == 'o');
    } else if (strcmp(n, "blockquote") == 0) {
        want_breaks(h, 2);
        h->quote++;
    } else if (strcmp(n, "pre") == 0) {
        want_breaks(h, 2);
        h->pre++;
    } else if (strcmp(n, "hr") == 0) {
        want_breaks(h, 1);
        visible(h, "----------", 10);
        want_breaks(h, 1);
    } else if (strcmp(n, "td") == 0 || strcmp(n, "th") == 0) {
        h->space = true;
    } else if (strcmp(n, "a") == 0) {
        link_close(h);
        link_open(h, t);
    } else if (strcmp(n, "img") == 0) {
        if (t->alt.present && t->alt.len) {
            struct pv_buf alt;
            pv_buf_init(&alt, 0);
            decode_span(&t->alt, &alt);
            text_run(h, alt.data, alt.len);
            pv_buf_free(&alt);
        }
    } else if (name_in(n, paragraph_blocks, PV_ARRAY_LEN(paragraph_blocks))) {
        want_breaks(h, 2);
    } else if (name_in(n, line_blocks, PV_ARRAY_LEN(line_blocks))) {
        want_breaks(h, 1);
    }
}

static void end_tag(struct html *h, const struct tag *t)
{
    const char *n = t->name;
    if (strcmp(n, "head") == 0) {
        h->in_head = false;
    } else if (strcmp(n, "a") == 0) {
        link_close(h);
    } else if (strcmp(n, "ul") == 0 || strcmp(n, "ol") == 0) {
        if (h->list)
            h->list--;
        want_breaks(h, h->list ? 1 : 2);
    } else if (strcmp(n, "blockquote") == 0) {
        if (h->quote)
            h->quote--;
        want_breaks(h, 2);
    } else if (strcmp(n, "pre") == 0) {
        if (h->pre)
            h->pre--;
        want_breaks(h, 2);
    } else if (strcmp(n, "br") == 0) {
        hard_break(h); /* "</br>" is read as <br> by browsers */
    } else if (name_in(n, paragraph_blocks, PV_ARRAY_LEN(paragraph_blocks))) {
        want_breaks(h, 2);
    } else if (name_in(n, line_blocks, PV_ARRAY_LEN(line_blocks))) {
        want_breaks(h, 1);
    }
}

/* Handles the markup at s[i] == '<'; returns the index after it. */
static size_t markup(struct html *h, const char *s, size_t len, size_t i)
{
    char next = i + 1 < len ? s[i + 1] : '\0';
    if (next == '!' || next == '?')
        return skip_declaration(s, len, i);
    if (next == '/' && !(i + 2 < len && is_alpha(s[i + 2])))
        return skip_declaration(s, len, i); /* "</ x>" is a bogus comment */
    if (next != '/' && !is_alpha(next)) {
        text_run(h, "<", 1); /* a lone '<' is text */
        return i + 1;
    }
    struct tag t;
    size_t j = parse_tag(s, len, i, &t);
    if (!t.complete)
        return j; /* cut off at the end of input: not a tag anyone wrote */
    if (t.end) {
        end_tag(h, &t);
        return j;
    }
    start_tag(h, &t);
    if (strcmp(t.name, "pre") == 0) {
        /* A line break right after <pre> is not content (HTML 13.2.6.4.7). */
        if (j < len && s[j] == '\r')
            j++;
        if (j < len && s[j] == '\n')
            j++;
    }
    if (name_in(t.name, raw_text_elements, PV_ARRAY_LEN(raw_text_elements)))
        return skip_raw_text(s, len, j, t.name);
    return j;
}

bool mail_html_to_text(const char *html, size_t len, struct pv_buf *out)
{
    struct html h = {.out = out, .line_start = true};
    if (!html)
        len = 0;
    size_t i = 0;
    while (i < len && !h.full) {
        const char *lt = memchr(html + i, '<', len - i);
        size_t k = lt ? (size_t)(lt - html) : len;
        text_with_entities(&h, html + i, k - i);
        i = k < len ? markup(&h, html, len, k) : len;
    }
    link_close(&h);
    if (h.started)
        put(&h, "\n", 1);
    links_list(&h);
    for (size_t u = 0; u < h.nurls; u++)
        free(h.urls[u]);
    free(h.urls);
    return !h.full;
}

/* ---- <meta charset> ------------------------------------------------------ */

/* Lower-cased charset name from [p, p+n), or NULL when it is not a plain
 * token (a charset name never needs more than these characters). */
static char *charset_token(const char *p, size_t n)
{
    while (n && is_html_space(*p)) {
        p++;
        n--;
    }
    size_t k = 0;
    while (k < n && (is_alpha(p[k]) || is_digit(p[k]) || strchr("-_.:", p[k])) && p[k])
        k++;
    if (k == 0 || k > 40)
        return NULL;
    char *cs = pv_xstrndup(p, k);
    for (char *c = cs; *c; c++)
        *c = pv_ascii_lower(*c);
    return cs;
}

/* "text/html; charset=iso-8859-1" -> "iso-8859-1" */
static char *charset_from_content(const struct span *content)
{
    const char *p = content->p;
    size_t n = content->len;
    for (size_t i = 0; i + 7 <= n; i++) {
        if (!pv_ascii_nieq(p + i, "charset", 7))
            continue;
        size_t k = i + 7;
        while (k < n && is_html_space(p[k]))
            k++;
        if (k < n && p[k] == '=') {
            k++;
            while (k < n && (is_html_space(p[k]) || p[k] == '"' || p[k] == '\''))
                k++;
            return charset_token(p + k, n - k);
        }
    }
    return NULL;
}

char *mail_html_meta_charset(const char *html, size_t len)
{
    if (!html)
        return NULL;
    size_t i = 0;
    while (i < len) {
        const char *lt = memchr(html + i, '<', len - i);
        if (!lt)
            break;
        i = (size_t)(lt - html);
        char next = i + 1 < len ? html[i + 1] : '\0';
        if (next == '!' || next == '?') {
            i = skip_declaration(html, len, i);
            continue;
        }
        if (!is_alpha(next)) {
            i++;
            continue;
        }
        struct tag t;
        i = parse_tag(html, len, i, &t);
        if (strcmp(t.name, "meta") != 0)
            continue;
        if (t.charset.present)
            return charset_token(t.charset.p, t.charset.len);
        if (t.http_equiv.present && t.content.present && t.http_equiv.len == 12 &&
            pv_ascii_nieq(t.http_equiv.p, "content-type", 12)) {
            char *cs = charset_from_content(&t.content);
            if (cs)
                return cs;
        }
    }
    return NULL;
}
