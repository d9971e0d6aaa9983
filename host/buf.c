/*
 * buf — the one growable byte buffer with a size cap and a secret mode (see
 * buf.h).
 * [core]
 */
#include "buf.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "os.h"

#define buf_block_size(p) os_block_size(p)

#define BUF_FIRST_BLOCK 256

/* Called through a volatile pointer, so the compiler cannot prove the stores dead and drop
 * them (the portable fallback OpenSSH uses where explicit_bzero is missing). */
static void *(*const volatile buf_memset)(void *, int, size_t) = memset;

void buf_wipe(void *p, size_t n)
{
    if (p && n)
        buf_memset(p, 0, n);
}

void buf_heap_free(void *p)
{
    if (!p)
        return;
    buf_wipe(p, buf_block_size(p));
    free(p);
}

void *buf_heap_realloc(void *p, size_t n)
{
    size_t old;
    void *nb;

    if (!p)
        return malloc(n);
    if (n == 0) {
        buf_heap_free(p);
        return NULL;
    }
    old = buf_block_size(p);
    if (n <= old)
        return p; /* it fits: the bytes past n stay in this block, wiped when it is freed */
    nb = malloc(n);
    if (!nb)
        return NULL;
    memcpy(nb, p, old);
    buf_heap_free(p);
    return nb;
}

void buf_init(struct buf *b, size_t max, unsigned flags)
{
    buf_init_alloc(b, max, flags, NULL);
}

void buf_init_alloc(struct buf *b, size_t max, unsigned flags, const struct buf_allocator *a)
{
    memset(b, 0, sizeof(*b));
    b->max = max < SIZE_MAX ? max : SIZE_MAX - 1; /* max + 1 (the NUL) must not wrap */
    b->flags = flags;
    b->alloc = a;
}

static void *buf_block(const struct buf *b, size_t size)
{
    return b->alloc ? b->alloc->alloc(b->alloc->ctx, size) : malloc(size);
}

static void buf_release(const struct buf *b, void *block, size_t size)
{
    if (!block)
        return;
    if (b->flags & BUF_SECRET)
        buf_wipe(block, size);
    if (b->alloc)
        b->alloc->release(b->alloc->ctx, block, size);
    else
        free(block);
}

int buf_reserve(struct buf *b, size_t n)
{
    size_t need, ncap;
    char *nb;

    if (n > b->max - b->len)
        return BUF_E_TOO_LARGE;
    need = b->len + n + 1; /* <= max + 1: no overflow */
    if (b->data && need <= b->cap)
        return BUF_OK;
    ncap = b->cap ? b->cap : BUF_FIRST_BLOCK;
    while (ncap < need)
        ncap = ncap > SIZE_MAX / 2 ? SIZE_MAX : ncap * 2;
    if (ncap > b->max + 1)
        ncap = b->max + 1;
    if (!b->alloc && !(b->flags & BUF_SECRET)) {
        nb = realloc(b->data, ncap);
        if (!nb)
            return BUF_E_NOMEM;
    } else {
        /* a new block, never realloc: the old one is wiped before it goes back */
        nb = buf_block(b, ncap);
        if (!nb)
            return BUF_E_NOMEM;
        if (b->data)
            memcpy(nb, b->data, b->len);
        buf_release(b, b->data, b->cap);
    }
    b->data = nb;
    b->cap = ncap;
    b->data[b->len] = '\0';
    return BUF_OK;
}

int buf_append(struct buf *b, const void *p, size_t n)
{
    int rc = buf_reserve(b, n);

    if (rc != BUF_OK)
        return rc;
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
    return BUF_OK;
}

const char *buf_str(const struct buf *b)
{
    return b->data ? b->data : "";
}

void buf_reset(struct buf *b)
{
    if (!b->data)
        return;
    if (b->flags & BUF_SECRET)
        buf_wipe(b->data, b->cap);
    b->len = 0;
    b->data[0] = '\0';
}

void buf_free(struct buf *b)
{
    buf_release(b, b->data, b->cap);
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
}
