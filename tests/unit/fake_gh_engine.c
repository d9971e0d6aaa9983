/*
 * fake_gh_engine — a stand-in textus-host-engine module for test_handler_extract_phone:
 * an API table (host/engine_api.h) with only greenhouse_fallback_phones (the
 * contract documented in host/handler_extract_phone.c), canned answers per
 * candidate id, and a call counter the test reads through dlsym.
 */
#include <cjson/cJSON.h>
#include <string.h>

#include "engine_api.h"
#include "error.h"

int greenhouse_fallback_phones(const char *candidate_id, cJSON *out_numbers, struct err *e);
int fake_gh_calls;

const struct th_engine_api textus_host_engine_api = {
    .version = TH_ENGINE_API_VERSION,
    .size = sizeof(struct th_engine_api),
    .greenhouse_fallback_phones = greenhouse_fallback_phones,
};

static void add(cJSON *arr, const char *value, const char *type)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "value", value);
    cJSON_AddStringToObject(o, "type", type);
    cJSON_AddItemToArray(arr, o);
}

int greenhouse_fallback_phones(const char *candidate_id, cJSON *out_numbers, struct err *e)
{
    fake_gh_calls++;
    if (strcmp(candidate_id, "111") == 0) { /* mobile preferred over an earlier home */
        add(out_numbers, "(773) 555-0100", "home");
        add(out_numbers, "312.555.0142", "mobile");
        add(out_numbers, "+44 20 7946 0958", "work");
        add(out_numbers, "not a number", "other");
    } else if (strcmp(candidate_id, "222") == 0) { /* only international */
        add(out_numbers, "+44 20 7946 0958", "mobile");
    } else if (strcmp(candidate_id, "333") == 0) {
        err_set(e, ERR_UPSTREAM_UNAVAILABLE, "Greenhouse did not answer");
        return -1;
    } else if (strcmp(candidate_id, "555") == 0) { /* other preferred over work */
        add(out_numbers, "773-555-0100", "work");
        add(out_numbers, "312-555-0199", "other");
    }
    return 0; /* "444" and anything else: configured, no numbers */
}
