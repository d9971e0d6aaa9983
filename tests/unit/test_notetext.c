/*
 * test_notetext — outside text for a note: controls dropped but the newline, bidi and
 * zero-width characters dropped, malformed bytes replaced, markup escaped and nothing else,
 * the cut (at a character, never inside an escape) with its line; for a terminal: every
 * such character escaped; and the marker matched only as the whole last line.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "notetext.h"
#include "utf8.h"

/* in cleaned with max and flags; checks the text and the cut flag. */
static void clean(const char *in, size_t max, unsigned flags, const char *want, int want_cut)
{
    char *out = NULL;
    int cut = -1;

    assert_int_equal(notetext_clean(&out, &cut, in, strlen(in), max, flags, 0), 0);
    assert_non_null(out);
    assert_string_equal(out, want);
    assert_int_equal(cut, want_cut);
    assert_true(utf8_valid(out, strlen(out)));
    free(out);
}

static void test_controls_dropped_but_the_newline(void **state)
{
    (void)state;
    clean("a\x1b[31mred\x07\x08\x7f!", 100, 0, "a[31mred!", 0);
    clean("one\r\ntwo\rthree\nfour", 100, 0, "one\ntwo\nthree\nfour", 0);
    clean("tab\there", 100, 0, "tab here", 0);
    /* C1: CSI (U+009B) dropped, NEL (U+0085) and U+2028 are line breaks */
    clean("x\xc2\x9b"
          "2Jy\xc2\x85z\xe2\x80\xa8w",
          100, 0, "x2Jy\nz\nw", 0);
    clean("", 100, 0, "", 0);
}

static void test_bidi_and_zero_width_dropped(void **state)
{
    (void)state;
    /* RLO, PDF, LRI, PDI, RLM, ALM */
    clean("abc\xe2\x80\xae"
          "fdp.exe\xe2\x80\xac\xe2\x81\xa6x\xe2\x81\xa9\xe2\x80\x8f\xd8\x9c",
          100, 0, "abcfdp.exex", 0);
    /* ZWSP, ZWNJ, ZWJ, WJ, BOM, a tag character */
    clean("[te\xe2\x80\x8bxt\xe2\x80\x8cus\xe2\x80\x8d:\xe2\x81\xa0\xef\xbb\xbf\xf3\xa0\x81\x81]",
          100, 0, "[textus:]", 0);
    /* what stays: accents, CJK, emoji */
    clean("Zo\xc3\xab \xe4\xbd\xa0\xe5\xa5\xbd \xf0\x9f\x98\x80", 100, 0,
          "Zo\xc3\xab \xe4\xbd\xa0\xe5\xa5\xbd \xf0\x9f\x98\x80", 0);
}

static void test_malformed_bytes_replaced(void **state)
{
    (void)state;
    clean("a\xff"
          "b\xc0\xaf"
          "c\xed\xa0\x80"
          "d\xe2\x82",
          100, 0,
          "a\xef\xbf\xbd"
          "b\xef\xbf\xbd\xef\xbf\xbd"
          "c\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"
          "d\xef\xbf\xbd\xef\xbf\xbd",
          0);
}

static void test_markup_escaped_and_nothing_else(void **state)
{
    (void)state;
    clean("<b>hi</b> <!-- x --> <?php <img src=x onerror=alert(1)>", 200, NOTETEXT_MARKUP,
          "&lt;b>hi&lt;/b> &lt;!-- x --> &lt;?php &lt;img src=x onerror=alert(1)>", 0);
    clean("&lt;script&gt; &#60; &#x3c; &amp &LT &copy;", 200, NOTETEXT_MARKUP,
          "&amp;lt;script&amp;gt; &amp;#60; &amp;#x3c; &amp;amp &amp;LT &amp;copy;", 0);
    /* what HTML reads as text stays as written */
    clean("I <3 you, a < b > c, Q&A, AT&T, fish & chips, & ; &#; <", 200, NOTETEXT_MARKUP,
          "I <3 you, a < b > c, Q&A, AT&T, fish & chips, & ; &#; <", 0);
    /* a tag hidden behind a zero-width space is still a tag once the space is gone */
    clean("<\xe2\x80\x8bscript>", 200, NOTETEXT_MARKUP, "&lt;script>", 0);
    /* without the flag nothing is escaped */
    clean("<b>&amp;", 200, 0, "<b>&amp;", 0);
}

static void test_cut_at_a_character_with_its_line(void **state)
{
    (void)state;
    clean("abcdefghij", 10, 0, "abcdefghij", 0);
    clean("abcdefghijk", 10, 0, "abcdefghij\n" NOTETEXT_CUT, 1);
    /* never inside a character: "é" is 2 bytes */
    clean("abcdefghi\xc3\xa9", 10, 0, "abcdefghi\n" NOTETEXT_CUT, 1);
    /* never inside an escape */
    clean("abcdefgh<b", 10, NOTETEXT_MARKUP, "abcdefgh\n" NOTETEXT_CUT, 1);
    /* trailing blank lines before the cut line go */
    clean("abc\n\n\n\nxxxxxxxxxxxx", 6, 0, "abc\n" NOTETEXT_CUT, 1);
    clean("xyz", 0, 0, NOTETEXT_CUT, 1);
    /* the caller's own cut */
    {
        char *out = NULL;
        int cut = 0;
        assert_int_equal(notetext_clean(&out, &cut, "short", 5, 100, 0, 1), 0);
        assert_string_equal(out, "short\n" NOTETEXT_CUT);
        assert_int_equal(cut, 1);
        free(out);
    }
}

static void test_a_huge_text_is_read_only_up_to_the_cut(void **state)
{
    size_t n = 2u * 1024u * 1024u, i;
    char *in = malloc(n + 1), *out = NULL;
    int cut = 0;

    (void)state;
    assert_non_null(in);
    for (i = 0; i < n; i++)
        in[i] = (char)(i % 7 == 0 ? '<'
                                  : "\x1b"
                                    "ab"[i % 3]);
    in[n] = '\0';
    assert_int_equal(notetext_clean(&out, &cut, in, n, NOTETEXT_BODY_MAX, NOTETEXT_MARKUP, 0), 0);
    assert_int_equal(cut, 1);
    assert_true(strlen(out) <= NOTETEXT_BODY_MAX + strlen(NOTETEXT_CUT) + 1);
    assert_null(strchr(out, 0x1b));
    free(out);
    free(in);
}

static void test_one_line(void **state)
{
    (void)state;
    clean("  Jane\n\tCandidate\r\n ", 100, NOTETEXT_LINE, "Jane Candidate", 0);
    clean("Jane\x1b]0;pwned\x07 Candidate", 100, NOTETEXT_LINE, "Jane]0;pwned Candidate", 0);
    clean("Alexandra Longname", 9, NOTETEXT_LINE, "Alexandra\xe2\x80\xa6", 1);
    clean("Ann <b>", 100, NOTETEXT_LINE | NOTETEXT_MARKUP, "Ann &lt;b>", 0);
}

static void term(const char *in, const char *want)
{
    char *out = NULL;

    assert_int_equal(notetext_term(&out, in, strlen(in)), 0);
    assert_string_equal(out, want);
    free(out);
}

static void test_terminal_escapes(void **state)
{
    (void)state;
    term("hi\x1b[2J\x07\rthere\n", "hi\\x1b[2J\\x07\\x0dthere\n");
    term("a\xe2\x80\xae"
         "b\xc2\x9b"
         "c\xff"
         "d\xf3\xa0\x81\x81",
         "a\\u202eb\\u009bc\\xffd\\U000e0041");
    term("Zo\xc3\xab <b> \xf0\x9f\x98\x80\ttab", "Zo\xc3\xab <b> \xf0\x9f\x98\x80\\x09tab");
    term("", "");
}

static void test_marker_only_as_the_whole_last_line(void **state)
{
    const char *m = "[textus:/messages/B]";

    (void)state;
    assert_true(notetext_last_line_is("Reply\n\nhello\n\n[textus:/messages/B]", m));
    assert_true(notetext_last_line_is("[textus:/messages/B]", m));
    assert_true(notetext_last_line_is("x\r\n[textus:/messages/B]\r\n \n", m));
    /* quoted in the body of another note */
    assert_false(
        notetext_last_line_is("Reply\n\nsee [textus:/messages/B]\n\n[textus:/messages/A]", m));
    assert_false(notetext_last_line_is("Reply\n\n[textus:/messages/B]\n\n[textus:/messages/A]", m));
    /* part of a line, or a longer id */
    assert_false(notetext_last_line_is("x\nsee [textus:/messages/B]", m));
    assert_false(notetext_last_line_is("x\n[textus:/messages/B]x", m));
    assert_false(notetext_last_line_is("x\n[textus:/messages/BB]", m));
    assert_false(notetext_last_line_is("x\n [textus:/messages/B]", m));
    assert_false(notetext_last_line_is("", m));
    assert_false(notetext_last_line_is(NULL, m));
}

static void test_prefix_ends_at_a_character(void **state)
{
    (void)state;
    assert_int_equal(notetext_prefix("abc", 3, 10), 3);
    assert_int_equal(notetext_prefix("ab\xc3\xa9", 4, 3), 2);
    assert_int_equal(notetext_prefix("ab\xf0\x9f\x98\x80", 6, 5), 2);
    assert_int_equal(notetext_prefix("ab\xff\xff", 4, 3), 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_controls_dropped_but_the_newline),
        cmocka_unit_test(test_bidi_and_zero_width_dropped),
        cmocka_unit_test(test_malformed_bytes_replaced),
        cmocka_unit_test(test_markup_escaped_and_nothing_else),
        cmocka_unit_test(test_cut_at_a_character_with_its_line),
        cmocka_unit_test(test_a_huge_text_is_read_only_up_to_the_cut),
        cmocka_unit_test(test_one_line),
        cmocka_unit_test(test_terminal_escapes),
        cmocka_unit_test(test_marker_only_as_the_whole_last_line),
        cmocka_unit_test(test_prefix_ends_at_a_character),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
