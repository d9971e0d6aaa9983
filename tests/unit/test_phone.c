/*
 * test_phone — the phone extractor: every profile of tests/fixtures/profiles
 * through handler_extract_phone (table-driven corpus), plus the phone_ API
 * directly (NANP validity, candidate id, single values, truncation, streaming).
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "handler.h"
#include "phone.h"

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    long len;

    assert_non_null(f);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    len = ftell(f);
    assert_true(len >= 0);
    rewind(f);
    buf = malloc((size_t)len + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)len, f), (size_t)len);
    buf[len] = '\0';
    fclose(f);
    return buf;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Run one fixture; returns 0 when the handler's answer is the expected one. */
static int run_fixture(const char *dir, const char *file)
{
    char path[4096];
    char *text, *got = NULL, *want = NULL;
    cJSON *doc, *req, *result, *expect, *exp_result, *exp_error, *exp_details, *details;
    struct handler_env env = {.origin = NULL, .from_cli = 0};
    struct err e;
    int rc, ok;

    if (snprintf(path, sizeof(path), "%s/%s", dir, file) >= (int)sizeof(path))
        fail_msg("path too long: %s", file);
    text = read_file(path);
    doc = cJSON_Parse(text);
    free(text);
    assert_non_null(doc);
    expect = cJSON_GetObjectItemCaseSensitive(doc, "expect");
    assert_non_null(expect);
    req = cJSON_CreateObject();
    cJSON_AddStringToObject(req, "type", "extract_phone");
    cJSON_AddItemReferenceToObject(req, "profile",
                                   cJSON_GetObjectItemCaseSensitive(doc, "profile"));
    result = cJSON_CreateObject();
    err_clear(&e);
    rc = handler_extract_phone(&env, req, result, &e);
    exp_result = cJSON_GetObjectItemCaseSensitive(expect, "result");
    exp_error = cJSON_GetObjectItemCaseSensitive(expect, "error");
    exp_details = cJSON_GetObjectItemCaseSensitive(expect, "details");
    if (exp_result) {
        ok = rc == 0 && cJSON_Compare(result, exp_result, 1);
        if (!ok) {
            got = rc == 0 ? cJSON_PrintUnformatted(result) : NULL;
            want = cJSON_PrintUnformatted(exp_result);
            print_message("%s: got %s (%s)\n  want %s\n", file, got ? got : err_code_name(e.code),
                          e.message, want);
        }
    } else {
        assert_non_null(exp_error);
        details = cJSON_GetObjectItemCaseSensitive(result, HANDLER_ERROR_DETAILS);
        ok = rc == -1 && strcmp(err_code_name(e.code), exp_error->valuestring) == 0 &&
             e.message[0] != '\0' && (!exp_details || cJSON_Compare(details, exp_details, 1));
        if (!ok) {
            got = details ? cJSON_PrintUnformatted(details) : NULL;
            print_message("%s: rc %d code %s (%s) details %s, want %s\n", file, rc,
                          err_code_name(e.code), e.message, got ? got : "-",
                          exp_error->valuestring);
        }
    }
    free(got);
    free(want);
    cJSON_Delete(result);
    cJSON_Delete(req);
    cJSON_Delete(doc);
    return ok ? 0 : -1;
}

static void test_corpus(void **state)
{
    const char *src = getenv("TH_SOURCE_DIR");
    char dir[4096];
    char *names[1024];
    size_t count = 0, i, failed = 0;
    DIR *d;
    struct dirent *de;

    (void)state;
    assert_non_null(src);
    if (snprintf(dir, sizeof(dir), "%s/tests/fixtures/profiles", src) >= (int)sizeof(dir))
        fail_msg("TH_SOURCE_DIR too long");
    d = opendir(dir);
    assert_non_null(d);
    while ((de = readdir(d)) != NULL) {
        size_t len = strlen(de->d_name);
        if (len > 5 && strcmp(de->d_name + len - 5, ".json") == 0 && count < 1024)
            names[count++] = strdup(de->d_name);
    }
    closedir(d);
    qsort(names, count, sizeof(names[0]), cmp_names);
    assert_true(count >= 80);
    for (i = 0; i < count; i++) {
        if (run_fixture(dir, names[i]) != 0)
            failed++;
        free(names[i]);
    }
    print_message("corpus: %zu profiles, %zu failed\n", count, failed);
    assert_int_equal(failed, 0);
}

static void test_nanp_valid(void **state)
{
    (void)state;
    assert_true(phone_nanp_valid("3125550142"));
    assert_true(phone_nanp_valid("2002000000"));
    assert_true(phone_nanp_valid("8005550100")); /* toll-free */
    assert_true(phone_nanp_valid("5555555555"));
    assert_true(phone_nanp_valid("3723456789"));  /* reserved code, deliberately accepted */
    assert_false(phone_nanp_valid("1125550142")); /* NPA starting with 1 */
    assert_false(phone_nanp_valid("0125550142"));
    assert_false(phone_nanp_valid("9115550142")); /* N11 NPA */
    assert_false(phone_nanp_valid("2115550142"));
    assert_false(phone_nanp_valid("3121550142")); /* NXX starting with 1 */
    assert_false(phone_nanp_valid("3120550142"));
    assert_false(phone_nanp_valid("3124110142")); /* N11 NXX */
    assert_false(phone_nanp_valid("312555014a"));
}

static void test_candidate_id(void **state)
{
    char id[24];

    (void)state;
    assert_true(phone_candidate_id(id, sizeof(id), "https://app.greenhouse.io/people/123"));
    assert_string_equal(id, "123");
    assert_true(phone_candidate_id(id, sizeof(id),
                                   "https://x.greenhouse.io/people/456/applications/789?x=1"));
    assert_string_equal(id, "456");
    assert_true(phone_candidate_id(id, sizeof(id), "https://a.io/people/abc/people/42#d"));
    assert_string_equal(id, "42");
    assert_false(phone_candidate_id(id, sizeof(id), "https://a.io/people/12x"));
    assert_false(phone_candidate_id(id, sizeof(id), "https://a.io/people/"));
    assert_false(phone_candidate_id(id, sizeof(id), "https://a.io/people/123456789012345678901"));
    /* the Greenhouse id rule: 1-18 digits, above 0 */
    assert_false(phone_candidate_id(id, sizeof(id), "https://a.io/people/0"));
    assert_false(phone_candidate_id(id, sizeof(id), "https://a.io/people/0000?x=1"));
    assert_false(phone_candidate_id(id, sizeof(id), "https://a.io/people/1234567890123456789"));
    assert_true(phone_candidate_id(id, sizeof(id), "https://a.io/people/123456789012345678"));
    assert_string_equal(id, "123456789012345678");
    assert_true(phone_candidate_id(id, sizeof(id), "https://a.io/people/0/people/7"));
    assert_string_equal(id, "7");
    assert_false(phone_candidate_id(id, 3, "https://a.io/people/123"));
    assert_false(phone_candidate_id(id, sizeof(id), NULL));
}

static void test_parse_value(void **state)
{
    struct phone_number n;

    (void)state;
    assert_true(phone_parse_value(&n, "555-555-5555", 12));
    assert_string_equal(n.e164, "+15555555555");
    assert_true(n.supported);
    assert_true(phone_parse_value(&n, "(518) 555-1212 x3", 17));
    assert_string_equal(n.e164, "+15185551212");
    assert_string_equal(n.ext, "3");
    assert_true(phone_parse_value(&n, "+44 20 7946 0958", 16));
    assert_string_equal(n.e164, "+442079460958");
    assert_false(n.supported);
    assert_false(phone_parse_value(&n, "zoe.ortiz", 9));
    assert_false(phone_parse_value(&n, "2024-03-15", 10));
    assert_int_equal(phone_label_from_type("mobile"), PHONE_LABEL_MOBILE);
    assert_int_equal(phone_label_from_type("skype"), PHONE_LABEL_OTHER);
    assert_int_equal(phone_label_from_type("work"), PHONE_LABEL_WORK);
    assert_int_equal(phone_label_from_type("pager"), PHONE_LABEL_NONE);
    assert_null(phone_label_name(PHONE_LABEL_NONE));
    assert_string_equal(phone_label_name(PHONE_LABEL_FAX), "fax");
}

/*
 * Every marker of phone.c's phone_markers (issue O item 2), written as a person would with
 * ':' after it, labels the number after it as someone else's: none is lost to the scanner's
 * quick first-two-letters filter (phone_marker_second). Keep in step with that list.
 */
static void test_every_marker(void **state)
{
    static const char *const markers[] = {"referredby",
                                          "referred",
                                          "referral",
                                          "referrer",
                                          "referer",
                                          "referring",
                                          "referee",
                                          "reference",
                                          "emergency contact",
                                          "emergency",
                                          "next of kin",
                                          "point of contact",
                                          "points of contact",
                                          "hiring team",
                                          "agency recruiter",
                                          "agency",
                                          "agent",
                                          "submitted by",
                                          "sourced",
                                          "sourcer",
                                          "source",
                                          "credited",
                                          "empfohlen",
                                          "empfehlung",
                                          "R\u00e9f\u00e9r\u00e9e",
                                          "R\u00e9f\u00e9r\u00e9",
                                          "r\u00e9f\u00e9rent",
                                          "recomendado",
                                          "recomendada",
                                          "referido",
                                          "referida",
                                          "recruiter",
                                          "recruiting",
                                          "recruteur",
                                          "reclutador",
                                          "coordinator",
                                          "co-ordinator",
                                          "coordinador",
                                          "coordinadora",
                                          "interviewer",
                                          "manager",
                                          "owner",
                                          "scheduler",
                                          "contact",
                                          "kontakt",
                                          "contacto",
                                          "supervisor",
                                          "guardian",
                                          "spouse",
                                          "assistant",
                                          "parent",
                                          "partner",
                                          "husband",
                                          "wife",
                                          "mother",
                                          "father",
                                          "relative"};
    struct phone_scan *s = malloc(sizeof(*s));
    struct phone_result *r = malloc(sizeof(*r));
    char line[128];
    size_t i;
    int len;

    (void)state;
    assert_non_null(s);
    assert_non_null(r);
    for (i = 0; i < sizeof(markers) / sizeof(markers[0]); i++) {
        len = snprintf(line, sizeof(line), "%s: Sam Admin 312-555-0100", markers[i]);
        assert_int_equal(phone_scan_init(s, "Jane Doe", 8, NULL), 0);
        assert_int_equal(phone_scan_line(s, "Jane Doe", 8), 0);
        assert_int_equal(phone_scan_line(s, line, (size_t)len), 0);
        phone_scan_finish(s, r);
        phone_scan_free(s);
        if (r->found)
            fail_msg("\"%s\" did not mark the number as someone else's", line);
        assert_int_equal(r->alternatives_count, 1);
        assert_int_equal(r->alternatives[0].source, PHONE_SOURCE_OTHER);
    }
    free(s);
    free(r);
}

/* The Greenhouse fallback rule, one copy for extract_phone and bulk_send (phone_gh_rank). */
static void test_gh_rank(void **state)
{
    struct phone_number m, o, h, mx, intl;

    (void)state;
    assert_true(phone_parse_value(&m, "303-555-0101", 12));
    m.label = phone_label_from_type("mobile");
    assert_true(phone_parse_value(&o, "303-555-0102", 12));
    o.label = phone_label_from_type("skype");
    assert_true(phone_parse_value(&h, "303-555-0103", 12));
    h.label = phone_label_from_type("home");
    assert_true(phone_parse_value(&mx, "303-555-0104 x7", 15));
    mx.label = phone_label_from_type("mobile");
    assert_true(phone_parse_value(&intl, "+44 20 7946 0958", 16));
    intl.label = phone_label_from_type("mobile");
    assert_true(phone_gh_rank(&m) < phone_gh_rank(&o));
    assert_true(phone_gh_rank(&o) < phone_gh_rank(&h));
    assert_true(phone_gh_rank(&h) < phone_gh_rank(&mx)); /* any plain number before an ext */
    assert_int_equal(phone_gh_rank(&intl), 99);          /* TextUs cannot text it */
}

/* More distinct numbers than the list holds: truncated, and a better default after the list
 * filled up (the first one after the name line) is still chosen. */
static void test_truncation(void **state)
{
    struct phone_scan *s = malloc(sizeof(*s));
    struct phone_result *r = malloc(sizeof(*r));
    char line[64];
    int i, len;

    (void)state;
    assert_non_null(s);
    assert_non_null(r);
    assert_int_equal(phone_scan_init(s, "Zoe Ortiz", 9, NULL), 0);
    for (i = 0; i < 100; i++) {
        len = snprintf(line, sizeof(line), "(312) 555-%04d", 1000 + i);
        assert_int_equal(phone_scan_line(s, line, (size_t)len), 0);
    }
    assert_int_equal(phone_scan_line(s, "Zoe Ortiz", 9), 0);
    assert_int_equal(phone_scan_line(s, "Mobile: 773-555-0100", 20), 0);
    phone_scan_finish(s, r);
    phone_scan_free(s);
    assert_true(r->found);
    assert_true(r->truncated);
    assert_int_equal(r->name_line, 100);
    assert_string_equal(r->phone.e164, "+17735550100");
    assert_int_equal(r->phone.label, PHONE_LABEL_MOBILE);
    assert_int_equal(r->alternatives_count, PHONE_MAX_NUMBERS);
    assert_string_equal(r->alternatives[0].e164, "+13125551000");
    free(s);
    free(r);
}

/*
 * A breadcrumb holding the name, 100 numbers (more than are kept), then the heading: every
 * number, the overflow's best too, is above the heading now and none is the default.
 */
static void test_name_line_moves_past_overflow(void **state)
{
    struct phone_scan *s = malloc(sizeof(*s));
    struct phone_result *r = malloc(sizeof(*r));
    char line[64];
    size_t i;
    int len;

    (void)state;
    assert_non_null(s);
    assert_non_null(r);
    assert_int_equal(phone_scan_init(s, "Zoe Ortiz", 9, NULL), 0);
    assert_int_equal(phone_scan_line(s, "Candidates > Zoe Ortiz", 22), 0);
    for (i = 0; i < 100; i++) {
        len = snprintf(line, sizeof(line), "(312) 555-%04zu", 1000 + i);
        assert_int_equal(phone_scan_line(s, line, (size_t)len), 0);
    }
    assert_int_equal(phone_scan_line(s, "Zoe Ortiz (she/her)", 19), 0);
    assert_int_equal(phone_scan_line(s, "Software Engineer", 17), 0);
    phone_scan_finish(s, r);
    phone_scan_free(s);
    assert_false(r->found);
    assert_true(r->truncated);
    assert_int_equal(r->name_line, 101);
    assert_int_equal(r->alternatives_count, PHONE_MAX_NUMBERS);
    for (i = 0; i < r->alternatives_count; i++)
        assert_int_equal(r->alternatives[i].source, PHONE_SOURCE_OTHER);
    free(s);
    free(r);
}

/* Lines need not be NUL-terminated nor valid UTF-8; offsets point into the line. */
static void test_raw_lines(void **state)
{
    struct phone_scan *s = malloc(sizeof(*s));
    struct phone_result *r = malloc(sizeof(*r));
    const char raw[] = "\xff\xfe (312) 555-0142 \xc3";
    const char name[] = {'Z', 'o', 'e', '\xff'}; /* the name line: no NUL, not UTF-8 */

    (void)state;
    assert_int_equal(phone_scan_init(s, "Zoe", 3, NULL), 0);
    assert_int_equal(phone_scan_line(s, name, sizeof(name)), 0);
    assert_int_equal(phone_scan_line(s, raw, sizeof(raw) - 1), 0);
    phone_scan_finish(s, r);
    phone_scan_free(s);
    assert_true(r->found);
    assert_int_equal(r->phone.line, 1);
    assert_int_equal(r->phone.offset, 3);
    assert_memory_equal(raw + r->phone.offset, r->phone.display, strlen(r->phone.display));
    assert_int_equal(r->name_line, 0);
    free(s);
    free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_corpus),
        cmocka_unit_test(test_nanp_valid),
        cmocka_unit_test(test_candidate_id),
        cmocka_unit_test(test_parse_value),
        cmocka_unit_test(test_truncation),
        cmocka_unit_test(test_every_marker),
        cmocka_unit_test(test_gh_rank),
        cmocka_unit_test(test_raw_lines),
        cmocka_unit_test(test_name_line_moves_past_overflow),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
