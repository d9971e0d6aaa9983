/*
 * test_engine — engine.c checks a module's API table before using it: an
 * engine from another build (another interface version or table size) is an
 * `internal` error naming the module and both versions, and the executable
 * keeps working without it (the CLI says to reinstall; nothing is called).
 * The binary lives in its own folder with tests/unit/fake_engine_abi.c built
 * next to it as textus-host-engine.so.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "engine.h"

static void test_other_build_refused(void **state)
{
    struct err e;
    const struct th_engine_api *api;

    (void)state;
    err_clear(&e);
    api = engine_api(&e);
    assert_null(api);
    assert_int_equal(e.code, ERR_INTERNAL);
    assert_non_null(strstr(e.message, "textus-host-engine.so is from another build"));
    assert_non_null(strstr(e.message, "reinstall"));
    assert_null(engine_api_optional());
}

static void test_store_module_missing(void **state)
{
    (void)state;
    /* no textus-host-store.so next to this binary: NULL, no crash */
    assert_null(engine_store_api());
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_other_build_refused),
        cmocka_unit_test(test_store_module_missing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
