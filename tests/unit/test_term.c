/*
 * test_term — the person-facing terminal helpers: plain marks when the output
 * is not a terminal (and with NO_COLOR), and "did you mean" suggestions.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "term.h"

static void test_nearest(void **state)
{
    static const char *const cmds[] = {"configure", "status", "rekey", "extract",
                                       "send",      "outbox", "doctor"};
    static const char *const keys[] = {"token",   "account",   "email",
                                       "api_key", "client_id", "client_secret"};
    (void)state;
    assert_string_equal(term_nearest("docter", cmds, TH_ARRAY_SIZE(cmds)), "doctor");
    assert_string_equal(term_nearest("stauts", cmds, TH_ARRAY_SIZE(cmds)), "status");
    assert_string_equal(term_nearest("Configur", cmds, TH_ARRAY_SIZE(cmds)), "configure");
    assert_string_equal(term_nearest("acount", keys, TH_ARRAY_SIZE(keys)), "account");
    assert_string_equal(term_nearest("api-key", keys, TH_ARRAY_SIZE(keys)), "api_key");
    assert_null(term_nearest("frobnicate", cmds, TH_ARRAY_SIZE(cmds)));
    assert_null(term_nearest("", cmds, TH_ARRAY_SIZE(cmds)));
    assert_null(term_nearest("xy", cmds, TH_ARRAY_SIZE(cmds)));
}

/* What term_print_mark writes to a file that is not a terminal: the plain word, padded. */
static void test_plain_marks(void **state)
{
    char buf[256] = "";
    FILE *f = fmemopen(buf, sizeof(buf), "w");
    (void)state;
    assert_non_null(f);
    assert_int_equal(term_fancy(f), 0);
    term_print_mark(f, TERM_OK, 10);
    term_print_mark(f, TERM_FAIL, 10);
    term_print_mark(f, TERM_UNCHECKED, 0);
    term_step_begin(f, "TextUs token");
    term_step_end(f);
    fclose(f);
    assert_string_equal(buf, "ok        FAIL      unchecked  ... TextUs token\n");
    assert_null(strchr(buf, '\033'));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nearest),
        cmocka_unit_test(test_plain_marks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
