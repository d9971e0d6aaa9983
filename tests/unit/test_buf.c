/*
 * test_buf — the growable buffer directly: the size cap (an append that would
 * pass it is refused and changes nothing, blocks never larger than the cap
 * and its NUL), growth against a reference copy, the NUL-termination contract
 * (binary bytes included), a failing allocator, and the secret mode seen
 * through a tracking allocator that fills every block with a pattern and
 * looks at each block as it is handed back: a secret buffer returns every
 * block wiped (on growth and on free), a plain one does not; and the heap hooks
 * (buf_heap_realloc, buf_heap_free) a port gives cJSON and libcurl.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "buf.h"

/* ---- a tracking allocator ---- */

#define PATTERN 0xA5

struct track {
    int allocs, releases;
    int unwiped;    /* blocks released with a byte that is not zero */
    int fail_next;  /* the next alloc fails */
    size_t biggest; /* largest block asked for */
};

static void *t_alloc(void *ctx, size_t size)
{
    struct track *t = ctx;
    void *p;

    if (t->fail_next) {
        t->fail_next = 0;
        return NULL;
    }
    p = malloc(size);
    if (p) {
        memset(p, PATTERN, size); /* whatever the heap held before, made visible */
        t->allocs++;
        if (size > t->biggest)
            t->biggest = size;
    }
    return p;
}

static void t_release(void *ctx, void *block, size_t size)
{
    struct track *t = ctx;
    const unsigned char *b = block;
    size_t i;

    t->releases++;
    for (i = 0; i < size; i++) {
        if (b[i]) {
            t->unwiped++;
            break;
        }
    }
    free(block);
}

static int all_zero(const char *p, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        if (p[i])
            return 0;
    }
    return 1;
}

/* ---- the cap ---- */

static void test_cap_refused(void **state)
{
    struct track t = {0};
    struct buf_allocator a = {t_alloc, t_release, &t};
    struct buf b;
    (void)state;

    buf_init_alloc(&b, 8, 0, &a);
    assert_int_equal(buf_append(&b, "12345", 5), BUF_OK);
    assert_int_equal(buf_append(&b, "678", 3), BUF_OK); /* exactly the cap */
    assert_int_equal(buf_append(&b, "9", 1), BUF_E_TOO_LARGE);
    assert_int_equal(b.len, 8);
    assert_string_equal(buf_str(&b), "12345678"); /* unchanged by the refusal */
    assert_int_equal(buf_append(&b, "", 0), BUF_OK);
    assert_int_equal(buf_append(&b, "x", SIZE_MAX), BUF_E_TOO_LARGE); /* no wrap-around */
    assert_int_equal(buf_reserve(&b, 1), BUF_E_TOO_LARGE);
    assert_true(t.biggest <= 9); /* never a block beyond the cap and its NUL */
    buf_free(&b);

    buf_init(&b, 0, BUF_SECRET); /* a zero cap holds only "" */
    assert_int_equal(buf_append(&b, "", 0), BUF_OK);
    assert_string_equal(buf_str(&b), "");
    assert_int_equal(buf_append(&b, "x", 1), BUF_E_TOO_LARGE);
    buf_free(&b);

    buf_init(&b, SIZE_MAX, 0); /* the largest cap cannot overflow max + 1 */
    assert_int_equal(buf_append(&b, "abc", 3), BUF_OK);
    assert_int_equal(buf_append(&b, "x", SIZE_MAX), BUF_E_TOO_LARGE);
    assert_string_equal(buf_str(&b), "abc");
    buf_free(&b);
}

/* ---- growth ---- */

static void grow_against_reference(unsigned flags, int tracked)
{
    static char ref[200000];
    struct track t = {0};
    struct buf_allocator a = {t_alloc, t_release, &t};
    struct buf b;
    size_t used = 0, step = 1;
    unsigned seed = 7;

    buf_init_alloc(&b, sizeof(ref), flags, tracked ? &a : NULL); /* NULL: malloc/realloc */
    while (used < sizeof(ref)) {
        char chunk[4096];
        size_t i, n = step < sizeof(chunk) ? step : sizeof(chunk);
        if (n > sizeof(ref) - used)
            n = sizeof(ref) - used;
        for (i = 0; i < n; i++) {
            seed = seed * 1103515245u + 12345u;
            chunk[i] = (char)(seed >> 16); /* NUL bytes included */
        }
        assert_int_equal(buf_append(&b, chunk, n), BUF_OK);
        memcpy(ref + used, chunk, n);
        used += n;
        assert_int_equal(b.len, used);
        assert_memory_equal(b.data, ref, used);
        assert_int_equal(b.data[b.len], '\0');
        assert_true(b.cap >= b.len + 1 && b.cap <= sizeof(ref) + 1);
        step = step * 3 + 1;
    }
    assert_int_equal(buf_append(&b, "x", 1), BUF_E_TOO_LARGE);
    buf_free(&b);
    if (tracked) {
        assert_true(t.allocs >= 5);             /* it did grow, block by block */
        assert_int_equal(t.releases, t.allocs); /* every block handed back */
    }
}

static void test_growth(void **state)
{
    (void)state;
    grow_against_reference(0, 0);
    grow_against_reference(0, 1);
    grow_against_reference(BUF_SECRET, 0);
    grow_against_reference(BUF_SECRET, 1);
}

/* ---- NUL termination ---- */

static void test_nul_contract(void **state)
{
    struct buf b, zero;
    (void)state;

    buf_init(&b, 64, 0);
    assert_null(b.data);
    assert_string_equal(buf_str(&b), ""); /* readable before any block */
    assert_int_equal(buf_reserve(&b, 0), BUF_OK);
    assert_non_null(b.data); /* a block, holding "" */
    assert_string_equal(b.data, "");
    assert_int_equal(buf_append(&b, "a\0b", 3), BUF_OK);
    assert_int_equal(b.len, 3); /* binary: len counts the embedded NUL */
    assert_int_equal(b.data[1], '\0');
    assert_int_equal(b.data[3], '\0');
    assert_int_equal(buf_append(&b, "cd", 2), BUF_OK);
    assert_memory_equal(b.data, "a\0bcd", 6); /* NUL after the last byte */
    buf_reset(&b);
    assert_int_equal(b.len, 0);
    assert_string_equal(buf_str(&b), "");
    assert_int_equal(buf_append(&b, "again", 5), BUF_OK);
    assert_string_equal(buf_str(&b), "again");
    buf_free(&b);
    assert_null(b.data);
    assert_string_equal(buf_str(&b), "");
    assert_int_equal(buf_append(&b, "reused", 6), BUF_OK); /* same max and flags after free */
    assert_string_equal(buf_str(&b), "reused");
    buf_free(&b);
    buf_free(&b); /* twice is harmless */

    memset(&zero, 0, sizeof(zero));
    buf_free(&zero); /* a zeroed struct too */
    buf_reset(&zero);
}

/* ---- out of memory ---- */

static void test_nomem(void **state)
{
    struct track t = {0};
    struct buf_allocator a = {t_alloc, t_release, &t};
    struct buf b;
    char big[1000];
    (void)state;

    memset(big, 'z', sizeof(big));
    buf_init_alloc(&b, 1 << 20, BUF_SECRET, &a);
    t.fail_next = 1;
    assert_int_equal(buf_append(&b, "first", 5), BUF_E_NOMEM);
    assert_null(b.data);
    assert_int_equal(buf_append(&b, "first", 5), BUF_OK);
    t.fail_next = 1;
    assert_int_equal(buf_append(&b, big, sizeof(big)), BUF_E_NOMEM); /* needs a new block */
    assert_int_equal(b.len, 5);
    assert_string_equal(buf_str(&b), "first"); /* unchanged */
    assert_int_equal(buf_append(&b, big, sizeof(big)), BUF_OK);
    assert_int_equal(b.len, 5 + sizeof(big));
    buf_free(&b);
    assert_int_equal(t.releases, t.allocs);
}

/* ---- the secret mode ---- */

static const char token_answer[] = "{\"access_token\":\"canary-9f8e7d6c5b4a\",\"expires_in\":3600}";

/* Fill a buffer with copies of a token answer well past its first block. */
static void fill(struct buf *b)
{
    int i;

    for (i = 0; i < 40; i++)
        assert_int_equal(buf_append(b, token_answer, sizeof(token_answer) - 1), BUF_OK);
}

static void test_secret_wiped_on_grow_and_free(void **state)
{
    struct track t = {0};
    struct buf_allocator a = {t_alloc, t_release, &t};
    struct buf b;
    int grown;
    (void)state;

    buf_init_alloc(&b, 1 << 20, BUF_SECRET, &a);
    fill(&b);
    grown = t.releases;
    assert_true(grown >= 2);        /* blocks were replaced while it grew... */
    assert_int_equal(t.unwiped, 0); /* ...and each went back wiped */
    assert_non_null(strstr(b.data, "canary-9f8e7d6c5b4a")); /* the bytes moved intact */
    buf_reset(&b);
    assert_true(all_zero(b.data, b.cap)); /* reset wipes the whole capacity */
    fill(&b);
    buf_free(&b);
    assert_int_equal(t.releases, grown + 1);
    assert_int_equal(t.unwiped, 0); /* the last block, whole capacity, wiped on free */
}

static void test_plain_not_wiped(void **state)
{
    struct track t = {0};
    struct buf_allocator a = {t_alloc, t_release, &t};
    struct buf b;
    (void)state;

    /* the same with a plain buffer: the allocator sees what was left, so the secret test's
     * zero count means something */
    buf_init_alloc(&b, 1 << 20, 0, &a);
    fill(&b);
    buf_free(&b);
    assert_true(t.releases >= 3);
    assert_int_equal(t.unwiped, t.releases);
}

static void test_wipe(void **state)
{
    char s[32];
    (void)state;

    memset(s, 'k', sizeof(s));
    buf_wipe(s + 4, 20);
    assert_int_equal(s[3], 'k');
    assert_true(all_zero(s + 4, 20));
    assert_int_equal(s[24], 'k');
    buf_wipe(NULL, 10); /* nothing to do */
    buf_wipe(s, 0);
}

/* buf_heap_realloc: the bytes move intact, a block that must grow is a new one (the old one
 * wiped and freed, never realloc'd in place), NULL is malloc and 0 is free; buf_heap_free takes
 * blocks from plain malloc too (no size header). The wipe itself is seen through the process's
 * memory: tests/reliability/memory_audit.py. */
static void test_heap_hooks(void **state)
{
    char *p, *q, *r;
    size_t i;
    (void)state;

    p = buf_heap_realloc(NULL, 16);
    assert_non_null(p);
    memcpy(p, "canary-0123456", 15);
    q = buf_heap_realloc(p, 8); /* smaller: kept */
    assert_ptr_equal(q, p);
    r = buf_heap_realloc(q, 1 << 16); /* far larger: moved */
    assert_non_null(r);
    assert_ptr_not_equal(r, q);
    assert_string_equal(r, "canary-0123456");
    for (i = 15; i < (1u << 16); i++)
        r[i] = 'x';                      /* the whole new block is usable */
    assert_null(buf_heap_realloc(r, 0)); /* freed */
    buf_heap_free(NULL);
    buf_heap_free(malloc(40));
    buf_heap_free(strdup("a copy from the C library"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cap_refused),
        cmocka_unit_test(test_growth),
        cmocka_unit_test(test_nul_contract),
        cmocka_unit_test(test_nomem),
        cmocka_unit_test(test_secret_wiped_on_grow_and_free),
        cmocka_unit_test(test_plain_not_wiped),
        cmocka_unit_test(test_wipe),
        cmocka_unit_test(test_heap_hooks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
