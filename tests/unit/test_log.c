/*
 * test_log — log_redact directly: every kind of number and secret it must hide
 * (phone numbers in their usual spellings, API tokens, Basic and Bearer
 * credentials, JWTs, OAuth client secrets), what it must leave alone (the
 * host's ordinary log lines), and its edges: output buffer ends, a number glued
 * to a token, long inputs, bytes that are not UTF-8.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "log.h"

#define BIG (1u << 20)

struct pair {
    const char *in;
    const char *out;
};

static char *redact(const char *in, size_t outsz)
{
    static char out[BIG];
    assert_true(outsz <= sizeof(out));
    memset(out, 0x5A, sizeof(out));
    log_redact(out, outsz, in);
    return out;
}

static void check_pairs(const struct pair *p, size_t n)
{
    size_t k;
    for (k = 0; k < n; k++) {
        const char *got = redact(p[k].in, 4096);
        if (strcmp(got, p[k].out) != 0)
            fail_msg("log_redact(\"%s\")\n  got  \"%s\"\n  want \"%s\"", p[k].in, got, p[k].out);
    }
}

static int is_token(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '+' || c == '/' || c == '=' || c == '.' || c == '-';
}

/* What log.h promises of any output: no 7 digits in a row, no 20 token characters in a row. */
static void check_promise(const char *out)
{
    size_t digits = 0, token = 0;
    const char *p;
    for (p = out; *p; p++) {
        digits = (*p >= '0' && *p <= '9') ? digits + 1 : 0;
        token = is_token(*p) ? token + 1 : 0;
        if (digits >= 7)
            fail_msg("7 digits in a row survived at offset %zu", (size_t)(p - out));
        if (token >= 20)
            fail_msg("20 token characters in a row survived at offset %zu", (size_t)(p - out));
    }
}

/* Phone numbers in every usual spelling: all digits masked but the last two. */
static void test_numbers_masked(void **state)
{
    static const struct pair p[] = {
        {"+15551234567", "+*********67"},
        {"(555) 123-4567", "(***) ***-**67"},
        {"555.123.4567", "***.***.**67"},
        {"555-123-4567", "***-***-**67"},
        {"1-555-123-4567", "*-***-***-**67"},
        {"+1 (555) 123-4567", "+* (***) ***-**67"},
        {"+44 20 7946 0958", "+** ** **** **58"},
        {"555-1234", "***-**34"}, /* seven digits: the shortest number masked */
        {"to +15551234567.", "to +*********67."},
        {"call 555 123 4567 now", "call *** *** **67 now"},
        {"phone=+15551234567&x", "phone=+*********67&x"},
        {"%2B15551234567", "%2B*********67"},               /* URL-encoded '+' */
        {"5551234567,5559876543", "********67,********43"}, /* two numbers */
        {"abc1234567def", "abc*****67def"}, /* inside a short token, still a number */
        {"candidate 4012345678 done", "candidate ********78 done"},
    };
    (void)state;
    check_pairs(p, TH_ARRAY_SIZE(p));
}

/* Secret-looking tokens (20 or more token characters): replaced as a whole. */
static void test_secrets_replaced(void **state)
{
    static const struct pair p[] = {
        /* a TextUs API token sent as Bearer */
        {"Authorization: Bearer 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b",
         "Authorization: Bearer [redacted]"},
        /* Harvest v1: Basic with base64("<key>:") */
        {"Authorization: Basic YTFiMmMzZDRlNWY2YTdiOGM5ZDBlMWYyYTNiNGM1ZDY6",
         "Authorization: Basic [redacted]"},
        /* base64 with '+', '/' and '=' padding */
        {"key Zm9v+YmFy/YmF6cXV4cXV1eA== end", "key [redacted] end"},
        /* a Harvest v3 access token (JWT: base64url parts joined by '.') */
        {"token eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxMjMifQ.c2lnbmF0dXJl", "token [redacted]"},
        /* an OAuth client secret with '-' and '_' */
        {"secret=s3cr3t_Xy-Zz_q9w8e7r6t5y4", "[redacted]"},
        {"{\"token\":\"abcdefghijklmnopqrstuvwxyz\"}", "{\"token\":\"[redacted]\"}"},
        {"abcdefghijklmnopqrst", "[redacted]"},         /* exactly 20 */
        {"x abcdefghijklmnopqrst", "x [redacted]"},     /* at the end */
        {"abcdefghijklmnopqrst x", "[redacted] x"},     /* at the start */
        {"a:abcdefghijklmnopqrst:b", "a:[redacted]:b"}, /* between non-token characters */
        {"abcdefghijklmnopqrst abcdefghijklmnopqrst", "[redacted] [redacted]"},
    };
    (void)state;
    check_pairs(p, TH_ARRAY_SIZE(p));
}

/* The host's ordinary log lines and short values pass unchanged. */
static void test_left_alone(void **state)
{
    static const char *const same[] = {
        "",
        "request type=send_sms",
        "reply type=send_sms error=rate_limited",
        "http: POST 127.0.0.1:8080/acme/messages -> 201 (attempt 1)",
        "http: GET 127.0.0.1:8080/v1/users: retry budget exhausted",
        "greenhouse: new v3 token, expires in 3599 s",
        "store: finished an interrupted rekey",
        "start-up flush: 3 written, 0 pending, 1 unknown",
        "candidate 123456",                  /* six digits are not a number */
        "12-34-56",                          /* six digits with separators */
        "abcdefghijklmnopqrs",               /* 19 token characters */
        "abcdefghij klmnopqrst",             /* split by a space */
        "version 0.1.0, protocol 1",         /* few digits */
        "Zo\xc3\xab \xc3\x85ngstr\xc3\xb6m", /* UTF-8 text */
        "-- () ++ ..",                       /* separators alone */
        "[redacted]",
    };
    size_t k;
    (void)state;
    for (k = 0; k < TH_ARRAY_SIZE(same); k++)
        assert_string_equal(redact(same[k], 4096), same[k]);
}

/*
 * A number glued to a token: the token is a secret as a whole, so none of it
 * may survive, whatever the number in front of it.
 */
static void test_number_glued_to_token(void **state)
{
    static const struct pair p[] = {
        /* a 20-character token that starts with ten digits */
        {"1234567890abcdefghij", "[redacted]"},
        {"key 123456789ABCDEFGHIJKLMNO end", "key [redacted] end"},
        /* the phone run starts outside the token (at '('), the token is its tail */
        {"(555) 1234567ABCDEFGHIJKLMN", "(555) [redacted]"},
        {"tel +1 555 1234567-abcdefghijkl", "tel +1 555 [redacted]"},
        /* a number right after a secret, split by a separator that is not a token character */
        {"abcdefghijklmnopqrstuv (555) 123-4567", "[redacted] (***) ***-**67"},
        /* a short token after a number is not a secret */
        {"+1 555 123 4567 abc", "+* *** *** **67 abc"},
        {"555-123-4567x", "***-***-**67x"},
    };
    const char *out;
    (void)state;
    check_pairs(p, TH_ARRAY_SIZE(p));
    /* a digit run of 20 or more: both rules apply; at most the last two digits survive */
    out = redact("id 123456789012345678901234 end", 4096);
    check_promise(out);
    assert_null(strstr(out, "123"));
    assert_non_null(strstr(out, " end"));
}

/*
 * Output buffer ends: never a byte written past outsz, always terminated, and a
 * shorter buffer receives a prefix of the whole redaction: a secret cut by the
 * end of the buffer is dropped with the rest of the line, never skipped over.
 */
static void test_buffer_ends(void **state)
{
    static const char *const in[] = {
        "+15551234567",
        "call (555) 123-4567 now",
        "a abcdefghijklmnopqrstuvwxyz b",
        "Bearer 9f86d081884c7d659a2feaa0c55ad015 then more text after it",
        "1234567890abcdefghij tail",
        "x 555-1234 abcdefghijklmnopqrst 555-1234 y",
    };
    char full[4096], *out;
    size_t k, sz, len;
    (void)state;

    out = redact("secret", 0); /* nothing at all is written */
    assert_int_equal((unsigned char)out[0], 0x5A);
    out = redact("secret", 1);
    assert_string_equal(out, "");
    assert_int_equal((unsigned char)out[1], 0x5A);

    for (k = 0; k < TH_ARRAY_SIZE(in); k++) {
        out = redact(in[k], sizeof(full));
        assert_true(strlen(out) < sizeof(full));
        memcpy(full, out, strlen(out) + 1);
        check_promise(full);
        len = strlen(full);
        for (sz = 1; sz <= len + 2; sz++) {
            out = redact(in[k], sz);
            assert_true(strlen(out) < sz);
            assert_int_equal((unsigned char)out[sz], 0x5A); /* not one byte past outsz */
            if (strncmp(out, full, strlen(out)) != 0)
                fail_msg("outsz %zu: \"%s\" is not a prefix of \"%s\"", sz, out, full);
            check_promise(out);
        }
    }
    /* a number cut by the end of the buffer shows none of its digits */
    assert_string_equal(redact("+15551234567", 8), "+******");
    /* a marker that does not fit ends the output */
    assert_string_equal(redact("a abcdefghijklmnopqrstuvwxyz b", 8), "a ");
}

/* Long inputs, into a log line's buffer and into a large one. */
static void test_long_inputs(void **state)
{
    static const char unit[] = "call +1 (555) 123-4567 token=abcdefghijklmnopqrstuvwxyz0123 ok; ";
    static const char unit_out[] = "call +* (***) ***-**67 [redacted] ok; ";
    size_t reps = 1000, k, ul = sizeof(unit) - 1, uol = sizeof(unit_out) - 1;
    char *in = malloc(BIG), *want = malloc(BIG), *out;
    (void)state;
    assert_non_null(in);
    assert_non_null(want);

    for (k = 0; k < reps; k++) {
        memcpy(in + k * ul, unit, ul);
        memcpy(want + k * uol, unit_out, uol);
    }
    in[reps * ul] = '\0';
    want[reps * uol] = '\0';
    out = redact(in, BIG);
    assert_string_equal(out, want);
    out = redact(in, 2048); /* log_msg's buffer */
    assert_int_equal(strlen(out), 2047);
    assert_memory_equal(out, want, 2047);
    check_promise(out);

    /* one token of 100000 characters, one digit run of 100000 */
    memset(in, 'k', 100000);
    in[100000] = '\0';
    assert_string_equal(redact(in, BIG), "[redacted]");
    memset(in, '7', 100000);
    out = redact(in, BIG);
    check_promise(out);
    assert_true(strlen(out) <= 100000);

    /* separators only, then a number at the very end */
    memset(in, ' ', 100000);
    memcpy(in + 100000, "5551234567", 11);
    out = redact(in, BIG);
    assert_int_equal(strlen(out), 100010);
    assert_string_equal(out + 100000, "********67");
    free(in);
    free(want);
}

/* Bytes that are not UTF-8 pass through; numbers and secrets next to them are still seen. */
static void test_invalid_utf8(void **state)
{
    static const struct pair p[] = {
        {"\xff\xfe+15551234567\xc3", "\xff\xfe+*********67\xc3"},
        {"\xc0\xaf"
         "abcdefghijklmnopqrstuvwxyz\xed\xa0\x80",
         "\xc0\xaf[redacted]\xed\xa0\x80"},
        {"\x80\x80\x80 555-123-4567 \xf8\x88\x80\x80\x80",
         "\x80\x80\x80 ***-***-**67 \xf8\x88\x80\x80\x80"},
        /* a byte that is not a token character splits a token */
        {"abcdefghij\x80klmnopqrst", "abcdefghij\x80klmnopqrst"},
    };
    (void)state;
    check_pairs(p, TH_ARRAY_SIZE(p));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_numbers_masked), cmocka_unit_test(test_secrets_replaced),
        cmocka_unit_test(test_left_alone),     cmocka_unit_test(test_number_glued_to_token),
        cmocka_unit_test(test_buffer_ends),    cmocka_unit_test(test_long_inputs),
        cmocka_unit_test(test_invalid_utf8),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
