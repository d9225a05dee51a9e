/*
 * A growable buffer with an optional hard cap: the cap is how every size a
 * server controls stays bounded (curl's dynbuf "toobig").
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <popview/util.h>

void pv_buf_init(struct pv_buf *b, size_t cap)
{
    b->data = NULL;
    b->len = 0;
    b->alloc = 0;
    b->cap = cap;
}

static bool buf_reserve(struct pv_buf *b, size_t extra)
{
    if (extra > SIZE_MAX - b->len - 1)
        return false;
    size_t need = b->len + extra + 1;
    if (b->cap && need - 1 > b->cap)
        return false;
    if (need <= b->alloc)
        return true;
    size_t n = b->alloc ? b->alloc : 64;
    while (n < need)
        n = n > SIZE_MAX / 2 ? need : n * 2;
    b->data = pv_xrealloc(b->data, n);
    b->alloc = n;
    return true;
}

bool pv_buf_append(struct pv_buf *b, const void *data, size_t len)
{
    if (!buf_reserve(b, len))
        return false;
    if (len)
        memcpy(b->data + b->len, data, len);
    b->len += len;
    b->data[b->len] = '\0';
    return true;
}

bool pv_buf_append_str(struct pv_buf *b, const char *s)
{
    return pv_buf_append(b, s, strlen(s));
}

bool pv_buf_append_byte(struct pv_buf *b, char c)
{
    return pv_buf_append(b, &c, 1);
}

bool pv_buf_printf(struct pv_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = NULL;
    int n = vasprintf(&s, fmt, ap);
    va_end(ap);
    if (n < 0)
        return false;
    bool ok = pv_buf_append(b, s, (size_t)n);
    free(s);
    return ok;
}

void pv_buf_consume(struct pv_buf *b, size_t n)
{
    if (n >= b->len) {
        b->len = 0;
    } else {
        memmove(b->data, b->data + n, b->len - n);
        b->len -= n;
    }
    if (b->data)
        b->data[b->len] = '\0';
}

void pv_buf_reset(struct pv_buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

void pv_buf_free(struct pv_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->alloc = 0;
}

void pv_buf_free_secret(struct pv_buf *b)
{
    pv_wipe(b->data, b->alloc);
    pv_buf_free(b);
}

char *pv_buf_steal(struct pv_buf *b, size_t *len_out)
{
    char *p = b->data ? b->data : pv_xstrdup("");
    if (len_out)
        *len_out = b->len;
    b->data = NULL;
    b->len = b->alloc = 0;
    return p;
}
