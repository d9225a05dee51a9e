/*
 * The capability list (RFC 2449 section 6): kept as the server sent it,
 * looked up by tag.  Servers may change it after STLS and after login, so
 * the session replaces it wholesale each time it asks.
 */
#include <stdlib.h>
#include <string.h>

#include <popview/util.h>

#include "private.h"

/* A sane server announces a few dozen capabilities; cap what we keep. */
enum { CAPA_MAX_LINES = 256, CAPA_MAX_LINE = 1024 };

void pop3_capa_clear(struct pop3_capa *c)
{
    for (size_t i = 0; i < c->count; i++)
        free(c->lines[i]);
    free(c->lines);
    c->lines = NULL;
    c->count = 0;
    c->known = false;
}

void pop3_capa_add_line(struct pop3_capa *c, const char *line, size_t len)
{
    if (c->count >= CAPA_MAX_LINES)
        return;
    if (len > CAPA_MAX_LINE)
        len = CAPA_MAX_LINE;
    c->lines = pv_xreallocarray(c->lines, c->count + 1, sizeof *c->lines);
    char *copy = pv_xstrndup(line, len);
    /* NUL bytes would cut the line short later; make them visible instead. */
    for (size_t i = 0; i < len; i++)
        if (line[i] == '\0')
            copy[i] = '?';
    c->lines[c->count++] = copy;
}

const char *pop3_capa_find(const struct pop3_capa *c, const char *tag)
{
    size_t n = strlen(tag);
    for (size_t i = 0; i < c->count; i++) {
        const char *l = c->lines[i];
        if (pv_ascii_nieq(l, tag, n) && (l[n] == '\0' || l[n] == ' ')) {
            const char *args = l + n;
            while (*args == ' ')
                args++;
            return args;
        }
    }
    return NULL;
}

bool pop3_capa_has_word(const struct pop3_capa *c, const char *tag, const char *word)
{
    const char *args = pop3_capa_find(c, tag);
    if (!args)
        return false;
    size_t wn = strlen(word);
    while (*args) {
        while (*args == ' ')
            args++;
        size_t n = strcspn(args, " ");
        if (n == wn && pv_ascii_nieq(args, word, n))
            return true;
        args += n;
    }
    return false;
}
