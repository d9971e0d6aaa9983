/*
 * buf — the one growable byte buffer, after OpenSSH's sshbuf: a size cap
 * fixed at init (an append that would pass it is refused and changes
 * nothing), always NUL-terminated once it holds a block (so text can be read
 * in place; binary bytes are fine too, len counts them all), and a "secret"
 * mode for what must not outlive its use (HTTP answers holding OAuth tokens,
 * candidates' personal data): on growth a new block is allocated, the bytes
 * copied and the old block wiped before it is freed (never realloc, which
 * would leave the old copy behind), and buf_reset/buf_free wipe the whole
 * capacity. The wipe is a plain memset the compiler cannot drop (core code
 * links no libsodium).
 *
 * The same wipe, for memory a library allocates: buf_heap_free and buf_heap_realloc
 * are malloc's free and realloc that wipe a block before it goes back
 * (the whole block malloc handed out, as malloc_usable_size tells: no size header, so a
 * block from plain malloc may be given to them and one of theirs to plain free). A
 * long-lived port gives them to cJSON (cJSON_InitHooks: every parsed request, reply and
 * decrypted document) and to libcurl (curl_global_init_mem: header lists, request and
 * connection buffers), so a credential leaves the process's memory when its last user
 * frees it, not when the heap happens to reuse the block.
 *
 * Built into the executable; the engine module and the tests reach it
 * through the executable's exported symbols. Not thread-safe per buffer.
 * [core]
 */
#ifndef TH_BUF_H
#define TH_BUF_H

#include "common.h"

#include <stddef.h>

/* buf_init flags */
#define BUF_SECRET 0x1u /* wipe on growth, reset and free */

/* Results of the fallible calls. */
enum buf_status {
    BUF_OK = 0,
    BUF_E_TOO_LARGE = -1, /* the cap would be passed: nothing changed */
    BUF_E_NOMEM = -2,     /* the allocator failed: nothing changed */
};

/*
 * Where a buffer's blocks come from; NULL in buf_init_alloc means malloc/free.
 * release gets the size alloc was asked for. For engine code that wants
 * another heap, and for tests that look at a block as it is released.
 */
struct buf_allocator {
    void *(*alloc)(void *ctx, size_t size);
    void (*release)(void *ctx, void *block, size_t size);
    void *ctx;
};

struct buf {
    char *data; /* NULL until the first block; then data[len] == '\0' */
    size_t len; /* bytes held, the NUL not counted */
    size_t cap; /* bytes in the block (at most max + 1) */
    size_t max; /* most bytes it may hold */
    unsigned flags;
    const struct buf_allocator *alloc;
};

/* An empty buffer that may hold up to max bytes (no allocation yet). */
void buf_init(struct buf *b, size_t max, unsigned flags);
void buf_init_alloc(struct buf *b, size_t max, unsigned flags, const struct buf_allocator *a);

/* Room for n more bytes and the NUL (n = 0: just make sure a block exists). */
int buf_reserve(struct buf *b, size_t n) TH_WUR;

/* Append p[0..n); BUF_OK, or an error that leaves the buffer as it was. */
int buf_append(struct buf *b, const void *p, size_t n) TH_WUR;

/* The bytes held, NUL-terminated; "" (a static string) before the first block. */
const char *buf_str(const struct buf *b);

/* Empty it and keep its block (wiped first when secret). */
void buf_reset(struct buf *b);

/* Free its block (the whole capacity wiped first when secret); b is then empty and reusable,
 * with the same max and flags. Safe on a zeroed struct. */
void buf_free(struct buf *b);

/* Overwrite p[0..n) with zeros in a way the compiler keeps. */
void buf_wipe(void *p, size_t n);

/* free(p), the whole block wiped first. NULL is ignored. */
void buf_heap_free(void *p);

/* realloc(p, n) that never leaves the old block behind: a new block, the bytes copied, the
 * old one wiped and freed (n = 0: p wiped and freed, NULL returned). On failure p is kept. */
void *buf_heap_realloc(void *p, size_t n);

#endif
