/*
 * util — the base every layer stands on: the error value, the allocation
 * policy, a growable byte buffer with a cap, and strict number parsing.
 *
 * Ownership rules, written once for the whole project:
 *  - every opaque type T has T_new()/T_free(T **p); _free NULLs the caller's
 *    pointer and accepts NULL;
 *  - output parameters end in _out;
 *  - small internal allocations go through pv_xmalloc() and friends, which
 *    abort on out-of-memory (tmux, htop); every size a server controls is
 *    checked against an explicit cap *before* allocating.
 */
#ifndef POPVIEW_UTIL_H
#define POPVIEW_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#if defined(__GNUC__)
#define PV_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#define PV_NODISCARD __attribute__((warn_unused_result))
#else
#define PV_PRINTF(fmt, args)
#define PV_NODISCARD
#endif

#define PV_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/*
 * An error travels as a value: the failing function returns its layer's
 * status enum and fills a struct pv_error for the person.  Our explanation
 * (msg) and the server's own words (server) are kept apart, so the UI can
 * show "the mailbox is locked by another client" and, below it, what the
 * server actually said.
 */
enum { PV_ERROR_MSG_MAX = 512, PV_ERROR_SERVER_MAX = 512 };

struct pv_error {
    char msg[PV_ERROR_MSG_MAX];       /* our sentence, for a person */
    char server[PV_ERROR_SERVER_MAX]; /* server text (sanitized), or "" */
};

/* Clears both texts.  err may be NULL. */
void pv_error_clear(struct pv_error *err);
/* Sets msg (printf-style).  err may be NULL: the call then does nothing. */
void pv_error_set(struct pv_error *err, const char *fmt, ...) PV_PRINTF(2, 3);
void pv_error_vset(struct pv_error *err, const char *fmt, va_list ap) PV_PRINTF(2, 0);
/* Puts "context: " in front of the current msg. */
void pv_error_prefix(struct pv_error *err, const char *fmt, ...) PV_PRINTF(2, 3);
/* Stores server text, with control characters replaced so it is safe to print. */
void pv_error_set_server(struct pv_error *err, const char *text, size_t len);

/* Allocation: abort with a message on out-of-memory, never return NULL. */
void *pv_xmalloc(size_t size);
void *pv_xcalloc(size_t nmemb, size_t size);
void *pv_xrealloc(void *ptr, size_t size);
void *pv_xreallocarray(void *ptr, size_t nmemb, size_t size);
char *pv_xstrdup(const char *s);
char *pv_xstrndup(const char *s, size_t n);
char *pv_xasprintf(const char *fmt, ...) PV_PRINTF(1, 2);

/* Overwrites memory in a way the compiler may not optimise away. */
void pv_wipe(void *p, size_t len);
/* Wipes a NUL-terminated secret, frees it and NULLs the pointer. */
void pv_free_secret(char **secret);

/*
 * A growable byte buffer.  Always NUL-terminated (data[len] == 0) so text can
 * be used as a C string; may also hold binary bytes.  cap == 0 means no cap.
 */
struct pv_buf {
    char *data;
    size_t len;
    size_t alloc;
    size_t cap;
};

void pv_buf_init(struct pv_buf *b, size_t cap);
/* Returns false (and leaves b unchanged) if the cap would be exceeded. */
PV_NODISCARD bool pv_buf_append(struct pv_buf *b, const void *data, size_t len);
PV_NODISCARD bool pv_buf_append_str(struct pv_buf *b, const char *s);
PV_NODISCARD bool pv_buf_append_byte(struct pv_buf *b, char c);
PV_NODISCARD bool pv_buf_printf(struct pv_buf *b, const char *fmt, ...) PV_PRINTF(2, 3);
/* Removes the first n bytes. */
void pv_buf_consume(struct pv_buf *b, size_t n);
void pv_buf_reset(struct pv_buf *b);
/* Frees the storage (wiping it first when secret is true). */
void pv_buf_free(struct pv_buf *b);
void pv_buf_free_secret(struct pv_buf *b);
/* Hands the storage to the caller (NUL-terminated) and resets b. */
char *pv_buf_steal(struct pv_buf *b, size_t *len_out);

/*
 * Strict decimal parsing of exactly [s, s+len): digits only, no sign, no
 * spaces, no overflow.  Returns false on anything else.
 */
PV_NODISCARD bool pv_parse_u64(const char *s, size_t len, uint64_t *value_out);
PV_NODISCARD bool pv_parse_uint(const char *s, size_t len, unsigned *value_out);

/* A size for people: "512B", "123.4K", "5.0M", "1.2G" (powers of 1024).
 * Fits in 16 bytes; a smaller out is filled as far as it goes. */
void pv_format_size(uint64_t octets, char *out, size_t out_size);

/* The value of a base64 digit (RFC 4648 section 4), or -1 for anything else. */
int pv_base64_value(unsigned char c);

/* write(2) until all of [data, data+len) is written, again after EINTR and
 * short writes (io.c); false with errno set (EIO when write wrote nothing). */
bool pv_write_all(int fd, const void *data, size_t len);
/* fsync(2) of a directory, so that a file just created or renamed in it
 * survives a crash (io.c).  Best effort for most callers: some file
 * systems refuse it; false then, or when dir is not a directory. */
bool pv_sync_dir(const char *dir);

/*
 * A spool (spool.c): bytes written once, then read in place.  Up to
 * PV_SPOOL_MEMORY_MAX they stay on the heap; beyond, they go to an unlinked
 * temporary file in $TMPDIR (or /tmp), mode 0600, mapped read-only by
 * pv_spool_finish, so the size of what is spooled (a 50 MB message) costs
 * disk and page cache instead of heap.  The data is NUL-terminated like a
 * struct pv_buf's.
 */
enum { PV_SPOOL_MEMORY_MAX = 256 * 1024 };
struct pv_spool;
/* cap: the most bytes it accepts (0: no cap).  Never NULL. */
struct pv_spool *pv_spool_new(uint64_t cap);
/* Appends; false with err set past the cap ("more than 2.0G") or when the
 * temporary file cannot be created or written (disk full). */
PV_NODISCARD bool pv_spool_write(struct pv_spool *s, const void *data, size_t len,
                                 struct pv_error *err);
/* Ends writing and makes the bytes readable. */
PV_NODISCARD bool pv_spool_finish(struct pv_spool *s, struct pv_error *err);
/* The bytes (NULL before pv_spool_finish, or for a NULL spool) and their count. */
const char *pv_spool_data(const struct pv_spool *s);
size_t pv_spool_len(const struct pv_spool *s);
/* True once a write was refused because of the cap. */
bool pv_spool_full(const struct pv_spool *s);
/* True when the bytes went to a temporary file rather than the heap. */
bool pv_spool_in_file(const struct pv_spool *s);
/* Lets the kernel take back the memory of a file-backed spool's pages after
 * a pass over them (they are read from the file again when touched). */
void pv_spool_drop_pages(struct pv_spool *s);
void pv_spool_free(struct pv_spool **s);

/*
 * A string pool (strpool.c): strings copied into large blocks and interned,
 * so equal strings are stored once and share one pointer.  They live until
 * the pool is freed.  For the many short strings of a big mailbox (senders,
 * subjects, UIDLs).
 */
struct pv_strpool;
struct pv_strpool *pv_strpool_new(void);
/* The pool's copy of [s, s+len) (NUL-terminated; may hold NUL bytes): the
 * same pointer for equal strings.  NULL s gives NULL. */
const char *pv_strpool_intern(struct pv_strpool *p, const char *s, size_t len);
const char *pv_strpool_intern_str(struct pv_strpool *p, const char *s);
/* A copy of [s, s+len) in the pool, not interned (for strings that rarely
 * repeat: no index slot).  NULL s gives NULL. */
const char *pv_strpool_copy(struct pv_strpool *p, const char *s, size_t len);
/* Distinct strings interned, and octets of storage (blocks and index). */
size_t pv_strpool_count(const struct pv_strpool *p);
size_t pv_strpool_bytes(const struct pv_strpool *p);
void pv_strpool_free(struct pv_strpool **p);

/* FNV-1a, 64 bits (strpool.c; the pool's index and the header cache's
 * checksum): h continued over [data, data+len); start from PV_FNV1A64_START.
 * Spots damage and spreads keys; no defence against a chosen input. */
#define PV_FNV1A64_START UINT64_C(0xcbf29ce484222325)
uint64_t pv_fnv1a64(uint64_t h, const void *data, size_t len);

/* ASCII-only helpers, independent of the locale. */
bool pv_ascii_ieq(const char *a, const char *b);
bool pv_ascii_nieq(const char *a, const char *b, size_t n);
char pv_ascii_lower(char c);

#endif
