/*
 * test_send — the send flow's pure helpers (send.c): GSM-7 / UCS-2 segment
 * arithmetic at the 3-segment limit (malformed UTF-8 included), number and
 * request-id checks, the note marker. (The timestamp parser reconciliation
 * uses has its own test, test_iso8601.)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "phone.h"
#include "send.h"

static char *repeat(const char *unit, size_t n)
{
    size_t ul = strlen(unit), i;
    char *s = malloc(ul * n + 1);

    assert_non_null(s);
    for (i = 0; i < n; i++)
        memcpy(s + i * ul, unit, ul);
    s[ul * n] = '\0';
    return s;
}

static void seg(const char *unit, size_t n, int want_ucs2, long want_units, int want_segments)
{
    struct send_segments sg;
    char *s = repeat(unit, n);

    send_count_segments(s, &sg);
    assert_int_equal(sg.ucs2, want_ucs2);
    assert_int_equal(sg.units, want_units);
    assert_int_equal(sg.segments, want_segments);
    free(s);
}

static void test_segments(void **state)
{
    seg("a", 160, 0, 160, 1);
    seg("a", 161, 0, 161, 2);
    seg("a", 459, 0, 459, 3);
    seg("a", 460, 0, 460, 4);
    seg("{", 230, 0, 460, 4);            /* extension characters count twice */
    seg("é", 459, 0, 459, 3);            /* é is in the GSM-7 basic set */
    seg("\xe2\x82\xac", 229, 0, 458, 3); /* € is an extension character */
    seg("ç", 70, 1, 70, 1);              /* ç is not GSM-7 (only Ç is) */
    seg("ç", 201, 1, 201, 3);
    seg("ç", 202, 1, 202, 4);
    seg("\xf0\x9f\x98\x80", 100, 1, 200, 3); /* an emoji is two UTF-16 units */
    seg("\xf0\x9f\x98\x80", 101, 1, 202, 4);
    seg("`", 1, 1, 1, 1);
    /* malformed UTF-8 (the protocol refuses it; the counter must not trust that): each
     * offending byte is one U+FFFD, never a character decoded from a forbidden form */
    seg("\xc0\xaf", 1, 1, 2, 1);         /* an overlong "/" is not the GSM-7 "/" */
    seg("\xed\xa0\x80", 1, 1, 3, 1);     /* a UTF-16 surrogate is not a character */
    seg("\xf4\x90\x80\x80", 1, 1, 4, 1); /* above U+10FFFF */
    seg("a\xe2\x82", 1, 1, 3, 1);        /* truncated at the end */
    assert_int_equal(send_segment_capacity(3, 0), 459);
    assert_int_equal(send_segment_capacity(3, 1), 201);
    assert_int_equal(send_segment_capacity(1, 0), 160);
    assert_int_equal(send_segment_capacity(1, 1), 70);
}

static void test_checks(void **state)
{
    char m[64];

    /* the send flow's number rule is extract_phone's (phone_e164_nanp_valid) */
    assert_true(phone_e164_nanp_valid("+13035550123"));
    assert_false(phone_e164_nanp_valid("+10035550123"));
    assert_false(phone_e164_nanp_valid("+13031550123"));
    assert_false(phone_e164_nanp_valid("+4420794600"));
    assert_false(phone_e164_nanp_valid("13035550123"));
    assert_false(phone_e164_nanp_valid("+1303555012a"));
    assert_false(phone_e164_nanp_valid("+19115550123")); /* N11 area code */
    assert_false(phone_e164_nanp_valid("+13034110123")); /* N11 exchange */
    assert_false(phone_e164_nanp_valid("+130355501234"));
    assert_false(phone_e164_nanp_valid(NULL));
    assert_true(phone_gh_id_valid("1001"));
    assert_true(phone_gh_id_valid("999999999999999999")); /* 18 digits */
    assert_false(phone_gh_id_valid("0"));
    assert_false(phone_gh_id_valid("0000"));
    assert_false(phone_gh_id_valid("1000000000000000000")); /* 19 digits */
    assert_false(phone_gh_id_valid("12345678901234567890"));
    assert_false(phone_gh_id_valid(""));
    assert_false(phone_gh_id_valid("12a"));
    assert_false(phone_gh_id_valid("-5"));
    assert_true(send_request_id_ok("a"));
    assert_true(send_request_id_ok("click_7f3a-9"));
    assert_false(send_request_id_ok(""));
    assert_false(send_request_id_ok("has space"));
    assert_false(send_request_id_ok("a/b"));
    assert_true(
        send_request_id_ok("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"));
    assert_false(
        send_request_id_ok("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"));
    assert_int_equal(send_note_marker(m, sizeof(m), "/messages/abc"), 0);
    assert_string_equal(m, "[textus:/messages/abc]");
    assert_int_equal(send_note_marker(m, 8, "/messages/abc"), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_segments),
        cmocka_unit_test(test_checks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
