/*
 * A string pool: strings copied into large blocks and interned, so a
 * mailbox of 100,000 rows holds each sender once (most senders write many
 * messages) and pays no allocator overhead per string.  Strings live as
 * long as the pool; nothing is freed one by one.
 *
 * The index is an open-addressing hash table of pointers into the blocks,
 * with the hash kept beside each so a probe rarely touches the string.
 * Strings that rarely repeat (subjects, UIDLs) are better copied than
 * interned: an index slot costs as much as a short string.
 */
#include <stdlib.h>
#include <string.h>

#include <popview/util.h>

enum {
    POOL_BLOCK = 64 * 1024,          /* octets per block */
    POOL_OWN_BLOCK = POOL_BLOCK / 4, /* a longer string gets a block of its own */
    POOL_SLOTS_MIN = 1024,
};

struct pool_block {
    struct pool_block *next;
    size_t used, size;
    char data[];
};

struct pool_slot {
    const char *s; /* NULL: empty slot */
    uint32_t hash; /* the low bits of the string's hash */
    uint32_t len;  /* strings of 4 GiB and more are copied, never interned */
};

struct pv_strpool {
    struct pool_block *blocks; /* the current block first */
    struct pool_slot *slots;
    size_t nslots; /* a power of two */
    size_t count;
    size_t bytes; /* block storage allocated */
};

uint64_t pv_fnv1a64(uint64_t h, const void *data, size_t len)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < len; i++) {
        h ^= p[i];
        h *= UINT64_C(0x100000001b3);
    }
    return h;
}

struct pv_strpool *pv_strpool_new(void)
{
    struct pv_strpool *p = pv_xcalloc(1, sizeof *p);
    p->nslots = POOL_SLOTS_MIN;
    p->slots = pv_xcalloc(p->nslots, sizeof *p->slots);
    return p;
}

static struct pool_slot *find_slot(struct pool_slot *slots, size_t nslots, uint32_t hash,
                                   const char *s, size_t len)
{
    size_t mask = nslots - 1;
    for (size_t i = (size_t)hash & mask;; i = (i + 1) & mask) {
        struct pool_slot *slot = &slots[i];
        if (!slot->s || (slot->hash == hash && slot->len == len && memcmp(slot->s, s, len) == 0))
            return slot;
    }
}

static void grow_index(struct pv_strpool *p)
{
    size_t n = p->nslots * 2;
    struct pool_slot *slots = pv_xcalloc(n, sizeof *slots);
    for (size_t i = 0; i < p->nslots; i++) {
        const struct pool_slot *old = &p->slots[i];
        if (old->s)
            *find_slot(slots, n, old->hash, old->s, old->len) = *old;
    }
    free(p->slots);
    p->slots = slots;
    p->nslots = n;
}

static char *store(struct pv_strpool *p, const char *s, size_t len)
{
    struct pool_block *b = p->blocks;
    if (len + 1 > POOL_OWN_BLOCK || !b || b->size - b->used < len + 1) {
        size_t size = len + 1 > POOL_OWN_BLOCK ? len + 1 : POOL_BLOCK;
        b = pv_xmalloc(sizeof *b + size);
        b->used = 0;
        b->size = size;
        p->bytes += size;
        if (size == POOL_BLOCK || !p->blocks) {
            b->next = p->blocks;
            p->blocks = b;
        } else {
            /* A big string's block goes second, so the current block,
             * still with room, stays first. */
            b->next = p->blocks->next;
            p->blocks->next = b;
        }
    }
    char *out = b->data + b->used;
    memcpy(out, s, len);
    out[len] = '\0';
    b->used += len + 1;
    return out;
}

const char *pv_strpool_copy(struct pv_strpool *p, const char *s, size_t len)
{
    return s ? store(p, s, len) : NULL;
}

const char *pv_strpool_intern(struct pv_strpool *p, const char *s, size_t len)
{
    if (!s)
        return NULL;
    if (len > UINT32_MAX)
        return store(p, s, len);
    uint32_t hash = (uint32_t)pv_fnv1a64(PV_FNV1A64_START, s, len);
    struct pool_slot *slot = find_slot(p->slots, p->nslots, hash, s, len);
    if (slot->s)
        return slot->s;
    if ((p->count + 1) * 10 > p->nslots * 7) {
        grow_index(p);
        slot = find_slot(p->slots, p->nslots, hash, s, len);
    }
    slot->hash = hash;
    slot->len = (uint32_t)len;
    slot->s = store(p, s, len);
    p->count++;
    return slot->s;
}

const char *pv_strpool_intern_str(struct pv_strpool *p, const char *s)
{
    return s ? pv_strpool_intern(p, s, strlen(s)) : NULL;
}

size_t pv_strpool_count(const struct pv_strpool *p)
{
    return p ? p->count : 0;
}

size_t pv_strpool_bytes(const struct pv_strpool *p)
{
    return p ? p->bytes + p->nslots * sizeof *p->slots : 0;
}

void pv_strpool_free(struct pv_strpool **pp)
{
    if (!pp || !*pp)
        return;
    struct pv_strpool *p = *pp;
    for (struct pool_block *b = p->blocks, *next; b; b = next) {
        next = b->next;
        free(b);
    }
    free(p->slots);
    free(p);
    *pp = NULL;
}
