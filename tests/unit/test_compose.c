/*
 * test_compose — merge fields of saved replies: which fields are filled, which are left as
 * written and listed once as missing, values never re-scanned, braces that are not fields,
 * and how a displayed name is split into first / last / full; {job}, {stage} and {company}.
 * Also the strict parser of a scheduled send's time (UTC only).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "compose.h"
#include "send.h"

static const struct compose_fields FULL = {
    "Jane", "Candidate", "Jane Candidate", "Alice", "Alice Recruiter", NULL, NULL, NULL};

/* Merge content with f; check the body and the missing list ("a,b" or ""). */
static void merge(const char *content, const struct compose_fields *f, const char *want_body,
                  const char *want_missing)
{
    char *body = NULL, got[256] = "";
    cJSON *missing = cJSON_CreateArray(), *it;
    struct err e;

    err_clear(&e);
    assert_non_null(missing);
    assert_int_equal(compose_merge(&body, content, f, missing, &e), 0);
    assert_string_equal(body, want_body);
    cJSON_ArrayForEach(it, missing)
    {
        size_t o = strlen(got);
        snprintf(got + o, sizeof(got) - o, "%s%s", o ? "," : "", it->valuestring);
    }
    assert_string_equal(got, want_missing);
    free(body);
    cJSON_Delete(missing);
}

static void test_every_field_filled(void **state)
{
    (void)state;
    merge("Hi {first_name} {last_name} ({full_name}), this is {recruiter_first_name} "
          "({recruiter_name}).",
          &FULL, "Hi Jane Candidate (Jane Candidate), this is Alice (Alice Recruiter).", "");
    merge("{first_name}{first_name}", &FULL, "JaneJane", "");
    merge("no fields at all", &FULL, "no fields at all", "");
    merge("", &FULL, "", "");
}

static void test_unknown_fields_left_as_written_and_listed_once(void **state)
{
    (void)state;
    merge("Hi {first_name}, the {job_title} role at {company}; {job_title} again", &FULL,
          "Hi Jane, the {job_title} role at {company}; {job_title} again", "job_title,company");
    /* field names are case-sensitive: {First_Name} is another field */
    merge("{First_Name} {first_name}", &FULL, "{First_Name} Jane", "First_Name");
}

static void test_job_stage_and_company(void **state)
{
    struct compose_fields f = FULL;

    (void)state;
    f.job = "Staff Nurse";
    f.stage = "Phone Screen";
    f.company = "Acme Health";
    merge("Hi {first_name}, about the {job} role at {company}: you are at {stage}.", &f,
          "Hi Jane, about the Staff Nurse role at Acme Health: you are at Phone Screen.", "");
    /* not known (several applications, none chosen): left as written, listed */
    f.job = "";
    f.stage = NULL;
    merge("{job} ({stage}) at {company}", &f, "{job} ({stage}) at Acme Health", "job,stage");
}

static void test_fields_without_a_value_are_missing(void **state)
{
    struct compose_fields f = {"Jane", "", NULL, NULL, "", NULL, NULL, NULL};

    (void)state;
    merge("Hi {first_name} {last_name}, {recruiter_first_name} here ({recruiter_name})", &f,
          "Hi Jane {last_name}, {recruiter_first_name} here ({recruiter_name})",
          "last_name,recruiter_first_name,recruiter_name");
}

static void test_values_are_not_scanned_again(void **state)
{
    struct compose_fields f = {"{last_name}", "Smith", "x", "y", "z", NULL, NULL, NULL};

    (void)state;
    merge("{first_name} / {last_name}", &f, "{last_name} / Smith", "");
}

/* Values come from Greenhouse and TextUs: plain text on one line (ESC, BEL, DEL, C1, bidi
 * overrides and zero-width characters dropped; CR LF, LF, tab as one space; a malformed byte
 * as U+FFFD); one that is then empty has no value. The content itself is the recruiter's and
 * stays as written (its own line break and tab). */
static void test_values_are_plain_text_on_one_line(void **state)
{
    struct compose_fields f = {"Jane\xe2\x80\xae",
                               "\x1b[31mDoe\x7f",
                               NULL,
                               NULL,
                               NULL,
                               "Nurse\r\nNight\tshift\xc2\x85",
                               "Screen\n\nTextUs: STOP",
                               "\x07\xe2\x80\x8b"};

    (void)state;
    merge("Hi {first_name} {last_name}\n\t{job} | {stage} | {company}", &f,
          "Hi Jane [31mDoe\n\tNurse Night shift | Screen TextUs: STOP | {company}", "company");
    f.first_name = "J\xffne";
    merge("{first_name}", &f, "J\xef\xbf\xbdne", "");
}

static void test_braces_that_are_not_fields(void **state)
{
    (void)state;
    merge("{{contact.firstName}} { first_name } {} {first-name} {first_name", &FULL,
          "{{contact.firstName}} { first_name } {} {first-name} {first_name", "");
    merge("{{first_name}}", &FULL, "{Jane}", "");
    /* a name of 65 characters is not a field */
    merge("{aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa}", &FULL,
          "{aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa}", "");
    merge("€ {first_name} ✓", &FULL, "€ Jane ✓", "");
}

static void split(const char *name, const char *first, const char *last, const char *full)
{
    char f[COMPOSE_NAME_MAX], l[COMPOSE_NAME_MAX], a[COMPOSE_NAME_MAX];

    compose_split_name(name, f, l, a);
    assert_string_equal(f, first);
    assert_string_equal(l, last);
    assert_string_equal(a, full);
}

static void test_name_split(void **state)
{
    char longname[600];

    (void)state;
    split("Jane Candidate", "Jane", "Candidate", "Jane Candidate");
    split("  Zoë   Ortiz (she/her) ", "Zoë", "Ortiz", "Zoë Ortiz");
    split("Robert (Bob) Smith", "Robert", "Smith", "Robert Smith");
    split("Mary Ann Smith", "Mary", "Smith", "Mary Ann Smith");
    split("Cher", "Cher", "", "Cher");
    split("", "", "", "");
    split(NULL, "", "", "");
    split("(they/them)", "", "", "");
    /* too long: cut on a character boundary, never inside a UTF-8 sequence */
    memset(longname, 0, sizeof(longname));
    for (size_t i = 0; i + 2 < 590; i += 2)
        memcpy(longname + i, "é", 2);
    {
        char f[COMPOSE_NAME_MAX], l[COMPOSE_NAME_MAX], a[COMPOSE_NAME_MAX];
        compose_split_name(longname, f, l, a);
        assert_true(strlen(a) < COMPOSE_NAME_MAX);
        assert_int_equal(strlen(a) % 2, 0);
    }
}

static void test_send_at_is_utc_only(void **state)
{
    (void)state;
    assert_int_equal(send_parse_send_at("2030-01-16T14:00:00Z"), 1894802400LL);
    assert_int_equal(send_parse_send_at("2030-01-16T14:00:00.250Z"), 1894802400LL);
    assert_true(send_parse_send_at("2030-01-16T08:00:00-06:00") < 0);
    assert_true(send_parse_send_at("2030-01-16 14:00:00Z") < 0);
    assert_true(send_parse_send_at("2030-01-16T14:00Z") < 0);
    assert_true(send_parse_send_at("2030-01-16T14:00:00") < 0);
    assert_true(send_parse_send_at("") < 0);
    assert_true(send_parse_send_at(NULL) < 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_field_filled),
        cmocka_unit_test(test_unknown_fields_left_as_written_and_listed_once),
        cmocka_unit_test(test_fields_without_a_value_are_missing),
        cmocka_unit_test(test_job_stage_and_company),
        cmocka_unit_test(test_values_are_not_scanned_again),
        cmocka_unit_test(test_values_are_plain_text_on_one_line),
        cmocka_unit_test(test_braces_that_are_not_fields),
        cmocka_unit_test(test_name_split),
        cmocka_unit_test(test_send_at_is_utc_only),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
