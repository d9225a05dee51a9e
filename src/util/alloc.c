/*
 * The project's out-of-memory policy in one place: small internal
 * allocations abort with a message instead of returning NULL, so no caller
 * carries an untested error path for them.  Sizes that a server controls are
 * capped by their callers before they get here.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <popview/util.h>

static void die_oom(size_t size)
{
    fprintf(stderr, "popview: out of memory (asked for %zu bytes)\n", size);
    abort();
}

void *pv_xmalloc(size_t size)
{
    void *p = malloc(size ? size : 1);
    if (!p)
        die_oom(size);
    return p;
}

void *pv_xcalloc(size_t nmemb, size_t size)
{
    void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);
    if (!p)
        die_oom(nmemb * size);
    return p;
}

void *pv_xrealloc(void *ptr, size_t size)
{
    void *p = realloc(ptr, size ? size : 1);
    if (!p)
        die_oom(size);
    return p;
}

void *pv_xreallocarray(void *ptr, size_t nmemb, size_t size)
{
    if (size && nmemb > SIZE_MAX / size)
        die_oom(SIZE_MAX);
    return pv_xrealloc(ptr, nmemb * size);
}

char *pv_xstrdup(const char *s)
{
    return pv_xstrndup(s, strlen(s));
}

char *pv_xstrndup(const char *s, size_t n)
{
    size_t len = strnlen(s, n);
    char *p = pv_xmalloc(len + 1);
    memcpy(p, s, len);
    p[len] = '\0';
    return p;
}

char *pv_xasprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = NULL;
    int n = vasprintf(&s, fmt, ap);
    va_end(ap);
    if (n < 0)
        die_oom(0);
    return s;
}

void pv_wipe(void *p, size_t len)
{
    if (p && len)
        explicit_bzero(p, len);
}

void pv_free_secret(char **secret)
{
    if (!secret || !*secret)
        return;
    pv_wipe(*secret, strlen(*secret));
    free(*secret);
    *secret = NULL;
}
