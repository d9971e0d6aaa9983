/*
 * test_utf8 — utf8_decode and utf8_valid directly, against RFC 3629 and the
 * Unicode Standard's table 3-7 (well-formed byte sequences): the boundaries of
 * every length, every malformed form (overlongs, surrogates, above U+10FFFF,
 * truncated sequences, lone continuation bytes, bytes that never occur), and
 * an exhaustive comparison with a reference that re-encodes what it decodes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "utf8.h"

/* The shortest encoding of cp (surrogates included, as a generalized encoder would). */
static size_t ref_encode(unsigned char *out, uint32_t cp)
{
    if (cp < 0x80) {
        out[0] = (unsigned char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (unsigned char)(0xC0 | (cp >> 6));
        out[1] = (unsigned char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (unsigned char)(0xE0 | (cp >> 12));
        out[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (unsigned char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (unsigned char)(0xF0 | (cp >> 18));
    out[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (unsigned char)(0x80 | (cp & 0x3F));
    return 4;
}

/*
 * The reference decoder: s[0..m) is a character when it is exactly the shortest
 * encoding of a Unicode scalar value (not a surrogate, at most U+10FFFF). UTF-8
 * is prefix-free, so at most one m fits. Returns m and sets *cp, or 0.
 */
static size_t ref_decode(uint32_t *cp, const unsigned char *s, size_t len)
{
    static const unsigned char lead_mask[5] = {0, 0x7F, 0x1F, 0x0F, 0x07};
    size_t m, k;

    for (m = 1; m <= 4 && m <= len; m++) {
        unsigned char enc[4];
        uint32_t c = s[0] & lead_mask[m];
        for (k = 1; k < m; k++)
            c = (c << 6) | (s[k] & 0x3F);
        if (c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
            continue;
        if (ref_encode(enc, c) == m && memcmp(enc, s, m) == 0) {
            *cp = c;
            return m;
        }
    }
    return 0;
}

static void expect_invalid(const char *bytes, size_t len)
{
    uint32_t cp = 0;
    if (utf8_decode(&cp, bytes, len) != 0)
        fail_msg("decoded a malformed sequence of %zu bytes (first 0x%02X) as U+%04X", len,
                 (unsigned char)bytes[0], (unsigned)cp);
    assert_int_equal(utf8_valid(bytes, len), 0);
}

/* The first and last code point of every length, and the edges of the surrogate gap. */
static void test_valid_boundaries(void **state)
{
    static const struct {
        const char *bytes;
        size_t len;
        uint32_t cp;
    } v[] = {
        {"\x00", 1, 0x0},
        {"\x7F", 1, 0x7F},
        {"\xC2\x80", 2, 0x80},
        {"\xDF\xBF", 2, 0x7FF},
        {"\xE0\xA0\x80", 3, 0x800},
        {"\xE0\xBF\xBF", 3, 0xFFF},
        {"\xE1\x80\x80", 3, 0x1000},
        {"\xEC\xBF\xBF", 3, 0xCFFF},
        {"\xED\x80\x80", 3, 0xD000},
        {"\xED\x9F\xBF", 3, 0xD7FF}, /* last before the surrogates */
        {"\xEE\x80\x80", 3, 0xE000}, /* first after them */
        {"\xEF\xBF\xBD", 3, 0xFFFD},
        {"\xEF\xBF\xBE", 3, 0xFFFE}, /* noncharacters are well-formed */
        {"\xEF\xBF\xBF", 3, 0xFFFF},
        {"\xF0\x90\x80\x80", 4, 0x10000},
        {"\xF0\xBF\xBF\xBF", 4, 0x3FFFF},
        {"\xF1\x80\x80\x80", 4, 0x40000},
        {"\xF3\xBF\xBF\xBF", 4, 0xFFFFF},
        {"\xF4\x80\x80\x80", 4, 0x100000},
        {"\xF4\x8F\xBF\xBF", 4, 0x10FFFF},
    };
    size_t k;
    (void)state;
    for (k = 0; k < TH_ARRAY_SIZE(v); k++) {
        char buf[8];
        uint32_t cp = 0xFFFFFFFF;
        memcpy(buf, v[k].bytes, v[k].len);
        memcpy(buf + v[k].len, "A\x80", 2); /* what follows is not part of the character */
        assert_int_equal(utf8_decode(&cp, buf, v[k].len + 2), v[k].len);
        assert_int_equal(cp, v[k].cp);
        assert_int_equal(utf8_decode(&cp, buf, v[k].len), v[k].len);
        assert_int_equal(cp, v[k].cp);
        assert_int_equal(utf8_valid(buf, v[k].len), 1);
        assert_int_equal(utf8_valid(buf, v[k].len + 1), 1);
        assert_int_equal(utf8_valid(buf, v[k].len + 2), 0);
    }
}

/* A code point written with more bytes than it needs. */
static void test_overlongs(void **state)
{
    (void)state;
    expect_invalid("\xC0\x80", 2);                 /* U+0000 in two bytes (modified UTF-8) */
    expect_invalid("\xC0\xAF", 2);                 /* '/' in two bytes */
    expect_invalid("\xC1\xBF", 2);                 /* U+007F in two bytes */
    expect_invalid("\xE0\x80\x80", 3);             /* U+0000 in three */
    expect_invalid("\xE0\x80\xAF", 3);             /* '/' in three */
    expect_invalid("\xE0\x9F\xBF", 3);             /* U+07FF in three */
    expect_invalid("\xF0\x80\x80\x80", 4);         /* U+0000 in four */
    expect_invalid("\xF0\x80\x80\xAF", 4);         /* '/' in four */
    expect_invalid("\xF0\x8F\xBF\xBF", 4);         /* U+FFFF in four */
    expect_invalid("\xF8\x80\x80\x80\xAF", 5);     /* five-byte form */
    expect_invalid("\xFC\x80\x80\x80\x80\xAF", 6); /* six-byte form */
}

/* UTF-16 surrogates encoded as if they were characters (CESU-8, WTF-8). */
static void test_surrogates(void **state)
{
    (void)state;
    expect_invalid("\xED\xA0\x80", 3);             /* U+D800 */
    expect_invalid("\xED\xAD\xBF", 3);             /* U+DB7F */
    expect_invalid("\xED\xAE\x80", 3);             /* U+DB80 */
    expect_invalid("\xED\xAF\xBF", 3);             /* U+DBFF */
    expect_invalid("\xED\xB0\x80", 3);             /* U+DC00 */
    expect_invalid("\xED\xBE\x80", 3);             /* U+DF80 */
    expect_invalid("\xED\xBF\xBF", 3);             /* U+DFFF */
    expect_invalid("\xED\xA0\xBD\xED\xB8\x80", 6); /* U+1F600 as a CESU-8 pair */
}

/* Above U+10FFFF, and lead bytes that never occur. */
static void test_above_max(void **state)
{
    unsigned b;
    (void)state;
    expect_invalid("\xF4\x90\x80\x80", 4); /* U+110000 */
    expect_invalid("\xF4\xBF\xBF\xBF", 4); /* U+13FFFF */
    expect_invalid("\xF5\x80\x80\x80", 4);
    expect_invalid("\xF7\xBF\xBF\xBF", 4); /* U+1FFFFF */
    expect_invalid("\xF8\x88\x80\x80\x80", 5);
    for (b = 0xF5; b <= 0xFF; b++) {
        char s[4] = {(char)b, (char)0x80, (char)0x80, (char)0x80};
        expect_invalid(s, 4);
        expect_invalid(s, 1);
    }
}

/* A sequence cut short, by the end of the input or by a byte that is not a continuation. */
static void test_truncated(void **state)
{
    static const char *const whole[] = {"\xC2\x80",        "\xDF\xBF",     "\xE0\xA0\x80",
                                        "\xE2\x82\xAC",    "\xED\x9F\xBF", "\xF0\x90\x80\x80",
                                        "\xF4\x8F\xBF\xBF"};
    size_t k, cut;
    (void)state;
    for (k = 0; k < TH_ARRAY_SIZE(whole); k++) {
        size_t n = strlen(whole[k]);
        for (cut = 1; cut < n; cut++) {
            char buf[8];
            /* the bytes are there, but len ends before them: nothing past len is read */
            memcpy(buf, whole[k], n);
            expect_invalid(buf, cut);
            /* an ASCII byte where a continuation should be */
            buf[cut] = 'A';
            expect_invalid(buf, n);
            /* a new lead byte where a continuation should be */
            buf[cut] = (char)0xC3;
            expect_invalid(buf, n);
        }
    }
    /* valid text that ends in a cut sequence */
    assert_int_equal(utf8_valid("caf\xC3\xA9 \xE2\x82", 8), 0);
    assert_int_equal(utf8_valid("caf\xC3\xA9 \xE2\x82\xAC", 9), 1);
}

/* Continuation bytes with no lead byte: alone, after ASCII, after a whole character. */
static void test_lone_continuations(void **state)
{
    unsigned b;
    (void)state;
    for (b = 0x80; b <= 0xBF; b++) {
        char s[1] = {(char)b};
        char t[3] = {'A', (char)b, 'B'};
        char u[3] = {(char)0xC3, (char)0xA9, (char)b};
        expect_invalid(s, 1);
        assert_int_equal(utf8_valid(t, 3), 0);
        assert_int_equal(utf8_valid(u, 3), 0);
    }
}

/* utf8_valid over longer text: the ASCII fast path, and an error at either end. */
static void test_valid_text(void **state)
{
    static const char ok[] = "h\xC3\xA9llo \xE2\x9C\x93 \xF0\x9F\x98\x80 \xE4\xB8\xAD\xE6\x96\x87";
    char buf[64];
    uint32_t cp;
    (void)state;
    assert_int_equal(utf8_decode(&cp, "", 0), 0);
    assert_int_equal(utf8_valid("", 0), 1);
    assert_int_equal(utf8_valid("a\0b", 3), 1); /* NUL is U+0000, well-formed */
    assert_int_equal(utf8_valid(ok, sizeof(ok) - 1), 1);
    memcpy(buf, ok, sizeof(ok));
    buf[0] = (char)0x80;
    assert_int_equal(utf8_valid(buf, sizeof(ok) - 1), 0);
    memcpy(buf, ok, sizeof(ok));
    buf[sizeof(ok) - 2] = 'x'; /* the last continuation byte replaced */
    assert_int_equal(utf8_valid(buf, sizeof(ok) - 1), 0);
    assert_int_equal(utf8_valid(ok, sizeof(ok) - 2), 0); /* ends one byte early */
}

/* Every scalar value round-trips; every surrogate is refused. */
static void test_every_code_point(void **state)
{
    uint32_t c;
    (void)state;
    for (c = 0; c <= 0x10FFFF; c++) {
        unsigned char enc[4];
        uint32_t cp = 0xFFFFFFFF;
        size_t n = ref_encode(enc, c), got = utf8_decode(&cp, (const char *)enc, n);
        if (c >= 0xD800 && c <= 0xDFFF) {
            if (got != 0)
                fail_msg("surrogate U+%04X accepted", (unsigned)c);
            continue;
        }
        if (got != n || cp != c)
            fail_msg("U+%04X: decoded %zu bytes as U+%04X", (unsigned)c, got, (unsigned)cp);
        if (!utf8_valid((const char *)enc, n))
            fail_msg("U+%04X: utf8_valid refused it", (unsigned)c);
    }
}

static void check_against_ref(const unsigned char *s, size_t len)
{
    uint32_t cp = 0, rcp = 0;
    size_t got = utf8_decode(&cp, (const char *)s, len), want = ref_decode(&rcp, s, len);
    if (got != want || (want && cp != rcp))
        fail_msg("%02X %02X %02X %02X (len %zu): decoded %zu bytes as U+%04X, want %zu as U+%04X",
                 s[0], len > 1 ? s[1] : 0, len > 2 ? s[2] : 0, len > 3 ? s[3] : 0, len, got,
                 (unsigned)cp, want, (unsigned)rcp);
}

/*
 * Every one- and two-byte input, every three-byte input whose last byte is one
 * of the edge values, and every four-byte input with a lead F0..F7 and edge
 * values in its last two bytes, each compared with the reference decoder.
 */
static void test_exhaustive(void **state)
{
    static const unsigned char edge[] = {0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90,
                                         0x9F, 0xA0, 0xBF, 0xC0, 0xFF};
    unsigned a, b, c, d;
    unsigned char s[4];
    (void)state;
    for (a = 0; a < 256; a++) {
        s[0] = (unsigned char)a;
        check_against_ref(s, 1);
        for (b = 0; b < 256; b++) {
            s[1] = (unsigned char)b;
            check_against_ref(s, 2);
            for (c = 0; c < TH_ARRAY_SIZE(edge); c++) {
                s[2] = edge[c];
                check_against_ref(s, 3);
            }
        }
    }
    for (a = 0xF0; a <= 0xF7; a++) {
        s[0] = (unsigned char)a;
        for (b = 0; b < 256; b++) {
            s[1] = (unsigned char)b;
            for (c = 0; c < TH_ARRAY_SIZE(edge); c++) {
                s[2] = edge[c];
                for (d = 0; d < TH_ARRAY_SIZE(edge); d++) {
                    s[3] = edge[d];
                    check_against_ref(s, 4);
                }
            }
        }
    }
}

/* utf8_clip: a text that fits is copied; one that does not ends at a whole word with "…",
 * a dangling separator dropped; one long word is cut at a character boundary; a multi-byte
 * character at the limit is never split. */
static void test_clip(void **state)
{
    static const char ell[] = "\xe2\x80\xa6";
    char out[32], tiny[3], big[64];
    size_t k;

    (void)state;
    assert_int_equal(utf8_clip(out, sizeof(out), "fits as it is", 100), 0);
    assert_string_equal(out, "fits as it is");
    /* exactly 31 bytes fit */
    assert_int_equal(utf8_clip(out, sizeof(out), "0123456789012345678901234567890", 100), 0);
    /* too long: "…" after the last whole word that fits in 28 bytes */
    assert_int_equal(utf8_clip(out, sizeof(out), "the note could not be written because th", 100),
                     1);
    assert_string_equal(out, "the note could not be\xe2\x80\xa6");
    /* a dangling separator before the cut goes too */
    assert_int_equal(utf8_clip(out, sizeof(out), "refused (a third-party client, reports it)", 100),
                     1);
    assert_string_equal(out, "refused (a third-party\xe2\x80\xa6");
    /* inlen bounds the input */
    assert_int_equal(utf8_clip(out, sizeof(out), "abc def", 3), 0);
    assert_string_equal(out, "abc");
    /* one word longer than the buffer: cut at a character boundary (é is 2 bytes) */
    assert_int_equal(
        utf8_clip(out, sizeof(out),
                  "aé\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
                  "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9",
                  100),
        1);
    assert_true(utf8_valid(out, strlen(out)));
    assert_memory_equal(out + strlen(out) - 3, ell, 3);
    /* every buffer size over a text with multi-byte characters: valid UTF-8, never longer */
    for (k = 1; k <= sizeof(big); k++) {
        const char *t = "Café — “quoted” naïve text: 日本語 and more words";
        int cut = utf8_clip(big, k, t, strlen(t));
        assert_true(strlen(big) < k);
        assert_true(utf8_valid(big, strlen(big)));
        assert_int_equal(cut, strlen(t) >= k);
        if (cut && k >= 4)
            assert_memory_equal(big + strlen(big) - 3, ell, 3);
    }
    /* too small for "…": what fits, whole characters only */
    assert_int_equal(utf8_clip(tiny, sizeof(tiny), "\xc3\xa9\xc3\xa9", 4), 1);
    assert_string_equal(tiny, "\xc3\xa9");
    assert_int_equal(utf8_clip(tiny, sizeof(tiny), "a\xc3\xa9", 3), 1);
    assert_string_equal(tiny, "a");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_boundaries), cmocka_unit_test(test_overlongs),
        cmocka_unit_test(test_surrogates),       cmocka_unit_test(test_above_max),
        cmocka_unit_test(test_truncated),        cmocka_unit_test(test_lone_continuations),
        cmocka_unit_test(test_valid_text),       cmocka_unit_test(test_every_code_point),
        cmocka_unit_test(test_exhaustive),       cmocka_unit_test(test_clip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
