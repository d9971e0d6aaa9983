/*
 * test_handler_extract_phone — the extract_phone verb's Greenhouse fallback
 * (handler_extract_phone.c) through a fake engine module
 * (tests/unit/fake_gh_engine.c, built next to this binary as
 * textus-host-engine.so): the common path and a host without a credential
 * store never load the engine; the fallback's numbers are normalised, marked
 * "greenhouse" and ranked mobile, other, home/work; its errors pass through; a number
 * above the name (a referrer's) is never the default, Greenhouse's is.
 * (The extractor itself, phone.c, is test_phone.)
 */
#include <dlfcn.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "engine.h"
#include "handler.h"
#include "paths.h"

/* The fake engine's path: next to this test binary (where engine.c looks). */
static const char *engine_module_path(void)
{
    static char path[PATH_MAX + 32];
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    char *slash;

    assert_true(n > 0);
    exe[n] = '\0';
    slash = strrchr(exe, '/');
    assert_non_null(slash);
    *slash = '\0';
    snprintf(path, sizeof(path), "%s/textus-host-engine.so", exe);
    return path;
}

static cJSON *request(const char *id, const char *line)
{
    char url[128];
    cJSON *req = cJSON_CreateObject(), *prof, *lines;

    snprintf(url, sizeof(url), "https://app.greenhouse.io/people/%s", id);
    cJSON_AddStringToObject(req, "type", "extract_phone");
    prof = cJSON_AddObjectToObject(req, "profile");
    cJSON_AddStringToObject(prof, "url", url);
    cJSON_AddStringToObject(prof, "name", "Zoe Ortiz");
    lines = cJSON_AddArrayToObject(prof, "lines");
    cJSON_AddItemToArray(lines, cJSON_CreateString("Zoe Ortiz"));
    cJSON_AddItemToArray(lines, cJSON_CreateString(line));
    return req;
}

/* Run the handler; returns rc and leaves the result in *out (caller frees). */
static int run(const char *id, const char *line, cJSON **out, struct err *e)
{
    struct handler_env env = {.origin = NULL, .from_cli = 0};
    cJSON *req = request(id, line);
    int rc;

    *out = cJSON_CreateObject();
    err_clear(e);
    rc = handler_extract_phone(&env, req, *out, e);
    cJSON_Delete(req);
    return rc;
}

static const char *str_at(const cJSON *o, const char *a, const char *b)
{
    const cJSON *x = cJSON_GetObjectItemCaseSensitive(o, a);
    x = cJSON_GetObjectItemCaseSensitive(x, b);
    return cJSON_IsString(x) ? x->valuestring : NULL;
}

static char home[] = "/tmp/th-phone-fb.XXXXXX";

static void test_page_number_needs_no_engine(void **state)
{
    cJSON *r;
    struct err e;

    (void)state;
    assert_int_equal(run("111", "Mobile: 312-555-0142", &r, &e), 0);
    assert_string_equal(str_at(r, "phone", "source"), "profile");
    assert_false(engine_loaded());
    cJSON_Delete(r);
}

/* No credential store: no_phone_found without loading the engine. */
static void test_no_store_no_engine(void **state)
{
    cJSON *r;
    struct err e;

    (void)state;
    assert_int_equal(run("111", "Chicago", &r, &e), -1);
    assert_int_equal(e.code, ERR_NO_PHONE_FOUND);
    assert_false(engine_loaded());
    cJSON_Delete(r);
}

/* From here on a store exists (its content is the engine's business). */
static void test_make_store(void **state)
{
    struct paths p;
    struct err e;
    FILE *f;

    (void)state;
    assert_int_equal(paths_resolve(&p, &e), 0);
    f = fopen(p.store, "w");
    assert_non_null(f);
    fclose(f);
}

static void test_fallback_prefers_mobile(void **state)
{
    cJSON *r, *alts;
    struct err e;

    (void)state;
    assert_int_equal(run("111", "Applied 2024-03-15", &r, &e), 0);
    assert_true(engine_loaded());
    assert_string_equal(str_at(r, "phone", "e164"), "+13125550142");
    assert_string_equal(str_at(r, "phone", "display"), "312.555.0142");
    assert_string_equal(str_at(r, "phone", "label"), "mobile");
    assert_string_equal(str_at(r, "phone", "source"), "greenhouse");
    alts = cJSON_GetObjectItemCaseSensitive(r, "alternatives");
    assert_int_equal(cJSON_GetArraySize(alts), 2); /* "not a number" is dropped */
    assert_string_equal(
        cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(alts, 0), "e164")->valuestring,
        "+17735550100");
    assert_true(
        cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(alts, 1), "supported")));
    cJSON_Delete(r);
}

static void test_fallback_other_before_work(void **state)
{
    cJSON *r;
    struct err e;

    (void)state;
    assert_int_equal(run("555", "Chicago", &r, &e), 0);
    assert_string_equal(str_at(r, "phone", "e164"), "+13125550199");
    assert_string_equal(str_at(r, "phone", "label"), "other");
    cJSON_Delete(r);
}

static void test_fallback_international_only(void **state)
{
    cJSON *r;
    struct err e;

    (void)state;
    assert_int_equal(run("222", "Chicago", &r, &e), -1);
    assert_int_equal(e.code, ERR_UNSUPPORTED_NUMBER);
    assert_string_equal(
        cJSON_GetObjectItemCaseSensitive(
            cJSON_GetArrayItem(
                cJSON_GetObjectItemCaseSensitive(
                    cJSON_GetObjectItemCaseSensitive(r, HANDLER_ERROR_DETAILS), "alternatives"),
                0),
            "source")
            ->valuestring,
        "greenhouse");
    cJSON_Delete(r);
}

/* The fallback's failure never hides the page's own answer: it travels in the details. */
static void test_fallback_error_in_the_details(void **state)
{
    cJSON *r;
    const cJSON *d;
    struct err e;

    (void)state;
    assert_int_equal(run("333", "Chicago", &r, &e), -1);
    assert_int_equal(e.code, ERR_NO_PHONE_FOUND);
    assert_false(e.retryable);
    d = cJSON_GetObjectItemCaseSensitive(r, HANDLER_ERROR_DETAILS);
    assert_true(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(d, "phone")));
    assert_string_equal(str_at(d, "greenhouse_error", "code"), "upstream_unavailable");
    assert_non_null(str_at(d, "greenhouse_error", "message"));
    cJSON_Delete(r);
    /* an international number on the page: unsupported_number, with it, and the failure */
    assert_int_equal(run("333", "+44 20 7946 0958", &r, &e), -1);
    assert_int_equal(e.code, ERR_UNSUPPORTED_NUMBER);
    d = cJSON_GetObjectItemCaseSensitive(r, HANDLER_ERROR_DETAILS);
    assert_string_equal(
        cJSON_GetObjectItemCaseSensitive(
            cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(d, "alternatives"), 0), "e164")
            ->valuestring,
        "+442079460958");
    assert_string_equal(str_at(d, "greenhouse_error", "code"), "upstream_unavailable");
    cJSON_Delete(r);
}

/*
 * A number above the name (the referral line) is never the candidate's default: with nothing
 * beneath the name, Greenhouse is asked and its number is the default; the referrer's stays an
 * alternative marked other_on_page. Without Greenhouse numbers: no_phone_found, listing it.
 */
static void test_fallback_referrer_above_the_name(void **state)
{
    static const char *const lines[] = {
        "Referred by Sam Admin \xc2\xb7 312-555-0100 \xc2\xb7 Source: Referral",
        "Zoe Ortiz (she/her)", "Senior Software Engineer at Acme Corp", "zoe@example.com"};
    struct handler_env env = {.origin = NULL, .from_cli = 0};
    cJSON *req = request("111", "x"), *r, *alts, *a;
    cJSON *l =
        cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(req, "profile"), "lines");
    const cJSON *d;
    struct err e;
    size_t i;

    (void)state;
    while (cJSON_GetArraySize(l) > 0)
        cJSON_DeleteItemFromArray(l, 0);
    for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
        cJSON_AddItemToArray(l, cJSON_CreateString(lines[i]));
    r = cJSON_CreateObject();
    err_clear(&e);
    assert_int_equal(handler_extract_phone(&env, req, r, &e), 0);
    assert_string_equal(str_at(r, "phone", "e164"), "+13125550142"); /* Greenhouse's mobile */
    assert_string_equal(str_at(r, "phone", "source"), "greenhouse");
    alts = cJSON_GetObjectItemCaseSensitive(r, "alternatives");
    a = cJSON_GetArrayItem(alts, 0);
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(a, "e164")->valuestring, "+13125550100");
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(a, "source")->valuestring,
                        "other_on_page");
    cJSON_Delete(r);
    /* candidate 444: Greenhouse has no number; the referrer's is listed, not chosen */
    cJSON_ReplaceItemInObjectCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(req, "profile"), "url",
        cJSON_CreateString("https://app.greenhouse.io/people/444"));
    r = cJSON_CreateObject();
    err_clear(&e);
    assert_int_equal(handler_extract_phone(&env, req, r, &e), -1);
    assert_int_equal(e.code, ERR_NO_PHONE_FOUND);
    assert_non_null(strstr(e.message, "beneath the candidate's name"));
    d = cJSON_GetObjectItemCaseSensitive(r, HANDLER_ERROR_DETAILS);
    assert_true(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(d, "phone")));
    a = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(d, "alternatives"), 0);
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(a, "e164")->valuestring, "+13125550100");
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(a, "source")->valuestring,
                        "other_on_page");
    cJSON_Delete(r);
    cJSON_Delete(req);
}

static void test_fallback_nothing(void **state)
{
    cJSON *r;
    struct err e;
    int *calls;

    (void)state;
    assert_int_equal(run("444", "Chicago", &r, &e), -1);
    assert_int_equal(e.code, ERR_NO_PHONE_FOUND);
    cJSON_Delete(r);
    /* no candidate id: the fallback is not asked */
    /* the fake's counter, read directly: a test may look inside its own fake module */
    {
        void *h = dlopen(engine_module_path(), RTLD_NOW | RTLD_NOLOAD);
        assert_non_null(h);
        calls = dlsym(h, "fake_gh_calls");
        dlclose(h);
    }
    assert_non_null(calls);
    *calls = 0;
    {
        struct handler_env env = {.origin = NULL, .from_cli = 0};
        cJSON *req = request("x", "Chicago");
        r = cJSON_CreateObject();
        assert_int_equal(handler_extract_phone(&env, req, r, &e), -1);
        assert_int_equal(e.code, ERR_NO_PHONE_FOUND);
        cJSON_Delete(req);
        cJSON_Delete(r);
    }
    assert_int_equal(*calls, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        /* in order: the engine must not be loaded before the store exists */
        cmocka_unit_test(test_page_number_needs_no_engine),
        cmocka_unit_test(test_no_store_no_engine),
        cmocka_unit_test(test_make_store),
        cmocka_unit_test(test_fallback_prefers_mobile),
        cmocka_unit_test(test_fallback_other_before_work),
        cmocka_unit_test(test_fallback_international_only),
        cmocka_unit_test(test_fallback_error_in_the_details),
        cmocka_unit_test(test_fallback_referrer_above_the_name),
        cmocka_unit_test(test_fallback_nothing),
    };
    struct paths p;
    struct err e;
    int rc;

    if (!mkdtemp(home) || setenv("TEXTUS_HOST_HOME", home, 1) != 0)
        return 1;
    rc = cmocka_run_group_tests(tests, NULL, NULL);
    if (paths_resolve(&p, &e) == 0)
        unlink(p.store);
    rmdir(home);
    return rc;
}
