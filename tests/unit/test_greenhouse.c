/*
 * test_greenhouse — the Greenhouse client (v1 and v3 backends) against the local
 * fakes: user resolution (cache, disabled, missing, Link pagination), candidate
 * phones, notes with On-Behalf-Of / v3 body, marker search with cursor-alone
 * pagination, error mappings (401, 403 naming the permission, 404, v1 retired,
 * 429), v3 token caching / expiry (expires_at read as RFC 3339) /
 * refresh-once-on-401 counted at the fake, the
 * probe, and a note POST that drop_after's: outcome_unknown, exactly one request.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "engine_entry.h"
#include "fakes_harness.h"
#include "gh_config.h"
#include "greenhouse.h"
#include "store.h"

static struct fk F;
static int cache_calls;
static char home[256];

static void on_cache(void *ctx, const struct gh_client *c)
{
    (void)ctx;
    (void)c;
    cache_calls++;
}

static void v1_cfg(struct gh_config *g, const char *key, const char *email)
{
    memset(g, 0, sizeof(*g));
    g->base_url = F.harvest;
    g->auth_url = F.auth;
    g->api_key = key;
    g->user_email = email;
    g->http.backoff_base_ms = 20;
    g->cache_changed = on_cache;
}

static void v3_cfg(struct gh_config *g, const char *id, const char *secret, const char *email)
{
    memset(g, 0, sizeof(*g));
    g->base_url = F.harvest;
    g->auth_url = F.auth;
    g->client_id = id;
    g->client_secret = secret;
    g->user_email = email;
    g->http.backoff_base_ms = 20;
    g->cache_changed = on_cache;
}

static struct gh_client *client(const struct gh_config *g)
{
    struct gh_client *c = NULL;
    struct err e;

    err_clear(&e);
    assert_int_equal(gh_client_new(&c, g, &e), 0);
    return c;
}

static int setup(void **state)
{
    (void)state;
    /* all store state in a private directory, never the user's */
    snprintf(home, sizeof(home), "%s/th-gh-home.XXXXXX",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (!mkdtemp(home) || setenv("TEXTUS_HOST_HOME", home, 1) != 0)
        return -1;
    return fk_start(&F, NULL, NULL);
}

static int teardown(void **state)
{
    char cmd[400];

    (void)state;
    http_cleanup();
    fk_stop(&F);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", home);
    return system(cmd) == 0 ? 0 : -1;
}

static int reset(void **state)
{
    (void)state;
    http_hold_reset(); /* each case starts with no Retry-After hold from an earlier one */
    cache_calls = 0;
    return fk_reset(&F) |
           fk_config(&F, "{\"v1_retired\": false, \"v1_retired_status\": 404, "
                         "\"auth_token_expires_in\": 3600, \"auth_token_response_style\": "
                         "\"expires_in\", \"v3_default_per_page\": 100}");
}

static void test_config_choice(void **state)
{
    struct gh_config g;
    struct gh_client *c = NULL;
    struct err e;

    (void)state;
    err_clear(&e);
    v1_cfg(&g, NULL, "alice@acme.example");
    assert_int_equal(gh_client_new(&c, &g, &e), -1);
    assert_int_equal(e.code, ERR_NOT_CONFIGURED);
    g.api_key = "k";
    g.client_id = "id";
    assert_int_equal(gh_client_new(&c, &g, &e), -1);
    assert_int_equal(e.code, ERR_INVALID_CONFIG);
    v3_cfg(&g, "id", NULL, "alice@acme.example");
    assert_int_equal(gh_client_new(&c, &g, &e), -1);
    assert_int_equal(e.code, ERR_INVALID_CONFIG);
    v1_cfg(&g, "hvk_alice_FAKE_0001", "alice@acme.example");
    c = client(&g);
    assert_int_equal(gh_client_backend(c), GH_V1);
    gh_client_free(c);
    v3_cfg(&g, "client_FAKE_0001", "csecret_FAKE_0001", "alice@acme.example");
    c = client(&g);
    assert_int_equal(gh_client_backend(c), GH_V3);
    gh_client_free(c);
    /* the engine export reports the missing store honestly */
    {
        cJSON *arr = cJSON_CreateArray();
        assert_int_equal(greenhouse_fallback_phones("1001", arr, &e), -1);
        assert_int_equal(e.code, ERR_NOT_CONFIGURED);
        assert_int_equal(cJSON_GetArraySize(arr), 0);
        cJSON_Delete(arr);
    }
}

static void test_v1_resolve_user(void **state)
{
    struct gh_config g;
    struct gh_client *c;
    struct err e;
    long long uid = 0;
    int since = fk_last_seq(&F);
    cJSON *recs;

    (void)state;
    err_clear(&e);
    v1_cfg(&g, "hvk_alice_FAKE_0001", "alice@acme.example");
    c = client(&g);
    assert_int_equal(gh_resolve_user(c, &uid, &e), 0);
    assert_int_equal(uid, 101);
    assert_int_equal(gh_resolve_user(c, &uid, &e), 0); /* cached */
    assert_int_equal(gh_client_user_id(c), 101);
    assert_int_equal(cache_calls, 1);
    recs = fk_requests(&F, "harvest", since);
    assert_int_equal(cJSON_GetArraySize(recs), 1);
    assert_string_equal(fk_rec_str(cJSON_GetArrayItem(recs, 0), NULL, "path"), "/v1/users");
    assert_string_equal(fk_rec_str(cJSON_GetArrayItem(recs, 0), "query", "email"),
                        "alice@acme.example");
    assert_string_equal(fk_rec_str(cJSON_GetArrayItem(recs, 0), "headers", "authorization"),
                        "Basic key:alice (valid)");
    cJSON_Delete(recs);
    gh_client_free(c);

    g.user_email = "alice.alt@acme.example"; /* a secondary email */
    c = client(&g);
    assert_int_equal(gh_resolve_user(c, &uid, &e), 0);
    assert_int_equal(uid, 101);
    gh_client_free(c);

    g.user_email = "dee@acme.example";
    c = client(&g);
    assert_int_equal(gh_resolve_user(c, &uid, &e), -1);
    assert_int_equal(e.code, ERR_GREENHOUSE_USER_NOT_FOUND);
    assert_non_null(strstr(e.message, "disabled"));
    gh_client_free(c);

    g.user_email = "nobody@acme.example";
    c = client(&g);
    assert_int_equal(gh_resolve_user(c, &uid, &e), -1);
    assert_int_equal(e.code, ERR_GREENHOUSE_USER_NOT_FOUND);
    gh_client_free(c);
}

static void test_v1_link_pagination(void **state)
{
    struct gh_config g;
    struct gh_client *c;
    struct err e;
    long long uid = 0;
    int since = fk_last_seq(&F);
    cJSON *recs;

    (void)state;
    err_clear(&e);
    /* shared@ is a secondary email of disabled user 104 (page 1) and the primary of 105 */
    v1_cfg(&g, "hvk_alice_FAKE_0001", "shared@acme.example");
    g.page_size = 1;
    c = client(&g);
    assert_int_equal(gh_resolve_user(c, &uid, &e), 0);
    assert_int_equal(uid, 105);
    recs = fk_requests(&F, "harvest", since);
    assert_int_equal(cJSON_GetArraySize(recs), 2);
    assert_string_equal(fk_rec_str(cJSON_GetArrayItem(recs, 0), "query", "per_page"), "1");
    assert_string_equal(fk_rec_str(cJSON_GetArrayItem(recs, 1), "query", "page"), "2");
    assert_string_equal(fk_rec_str(cJSON_GetArrayItem(recs, 1), "query", "email"),
                        "shared@acme.example");
    cJSON_Delete(recs);
    gh_client_free(c);
}

static void test_v1_phones_and_notes(void **state)
{
    struct gh_config g;
    struct gh_client *c;
    struct err e;
    cJSON *arr = cJSON_CreateArray(), *recs;
    const cJSON *r;
    long long nid = 0;
    int found = -1, since;

    (void)state;
    err_clear(&e);
    v1_cfg(&g, "hvk_alice_FAKE_0001", "alice@acme.example");
    c = client(&g);
    assert_int_equal(gh_candidate_phones(c, "1001", arr, &e), 0);
    assert_int_equal(cJSON_GetArraySize(arr), 2);
    assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(arr, 0), "value")->valuestring,
                        "(303) 555-0123");
    assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(arr, 0), "type")->valuestring,
                        "mobile");
    cJSON_Delete(arr);
    arr = cJSON_CreateArray();
    assert_int_equal(gh_candidate_phones(c, "1002", arr, &e), 0);
    assert_int_equal(cJSON_GetArraySize(arr), 0);
    assert_int_equal(gh_candidate_phones(c, "9999", arr, &e), -1);
    assert_int_equal(e.code, ERR_GREENHOUSE_NOT_FOUND);
    since = fk_last_seq(&F);
    assert_int_equal(gh_candidate_phones(c, "10 01", arr, &e), -1);
    assert_int_equal(e.code, ERR_BAD_REQUEST);
    assert_int_equal(fk_count(&F, "harvest", NULL, NULL, since), 0);
    cJSON_Delete(arr);

    since = fk_last_seq(&F);
    assert_int_equal(gh_add_note(c, "1001", "Texted via TextUs\n[th:abc123]", "private", &nid, &e),
                     0);
    assert_true(nid > 0);
    recs = fk_requests(&F, "harvest", since);
    r = cJSON_GetArrayItem(recs, cJSON_GetArraySize(recs) - 1);
    assert_string_equal(fk_rec_str(r, NULL, "path"), "/v1/candidates/1001/activity_feed/notes");
    assert_string_equal(fk_rec_str(r, "headers", "on-behalf-of"), "101");
    assert_int_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(r, "body"), "user_id")->valueint, 101);
    assert_string_equal(fk_rec_str(r, "body", "visibility"), "private");
    assert_int_equal(cJSON_GetObjectItem(r, "status")->valueint, 201);
    cJSON_Delete(recs);
    {
        long long fid = 0;
        assert_int_equal(gh_note_exists(c, "1001", "[th:abc123]", &found, &fid, &e), 0);
        assert_int_equal(found, 1);
        assert_int_equal(fid, nid); /* the note found by its marker has its real id */
        assert_int_equal(gh_note_exists(c, "1001", "[th:zzz999]", &found, &fid, &e), 0);
        assert_int_equal(found, 0);
        assert_int_equal(fid, 0);
    }
    /* 200 instead of 201 is also success */
    assert_int_equal(fk_config(&F, "{\"v1_note_status\": 200}"), 0);
    assert_int_equal(gh_add_note(c, "1001", "second", "public", NULL, &e), 0);
    assert_int_equal(fk_config(&F, "{\"v1_note_status\": 201}"), 0);
    /* unknown candidate on a candidate route: not_found (v1 itself answers) */
    assert_int_equal(gh_add_note(c, "9999", "x", "public", NULL, &e), -1);
    assert_int_equal(e.code, ERR_GREENHOUSE_NOT_FOUND);
    assert_int_equal(gh_add_note(c, "1001", "x", "everyone", NULL, &e), -1);
    assert_int_equal(e.code, ERR_BAD_REQUEST);
    {
        /* a note over 64 KiB (journaled by an older version) is refused for good, never sent:
         * greenhouse_rejected stops its retries (it was bad_request, retried forever) */
        int n0 = fk_last_seq(&F);
        char *big = malloc(65538);
        assert_non_null(big);
        memset(big, 'a', 65537);
        big[65537] = '\0';
        assert_int_equal(gh_add_note(c, "1001", big, "public", NULL, &e), -1);
        assert_int_equal(e.code, ERR_GREENHOUSE_REJECTED);
        assert_non_null(strstr(e.message, "longer than 65536 bytes"));
        assert_int_equal(fk_last_seq(&F), n0);
        free(big);
    }
    gh_client_free(c);
}

static void test_v1_errors(void **state)
{
    struct gh_config g;
    struct gh_client *c;
    struct err e;
    cJSON *arr = cJSON_CreateArray();
    long long uid;
    int found;

    (void)state;
    err_clear(&e);
    v1_cfg(&g, "hvk_wrong_FAKE_0000", "alice@acme.example");
    c = client(&g);
    assert_int_equal(gh_resolve_user(c, &uid, &e), -1);
    assert_int_equal(e.code, ERR_GREENHOUSE_AUTH);
    assert_null(strstr(e.message, "hvk_wrong"));
    gh_client_free(c);

    /* a key without the endpoint's permission: 401, as harvest.html#errors documents it */
    v1_cfg(&g, "hvk_readonly_FAKE_0002", "alice@acme.example");
    c = client(&g);
    assert_int_equal(gh_candidate_phones(c, "1001", arr, &e), -1);
    assert_int_equal(e.code, ERR_GREENHOUSE_AUTH);
    assert_non_null(strstr(e.message, "Candidates: GET: List Candidates"));
    gh_client_free(c);

    v1_cfg(&g, "hvk_nofeed_FAKE_0003", "alice@acme.example");
    c = client(&g);
    assert_int_equal(gh_note_exists(c, "1001", "marker", &found, NULL, &e), -1);
    assert_int_equal(e.code, ERR_GREENHOUSE_AUTH);
    assert_non_null(strstr(e.message, "Activity Feed"));
    gh_client_free(c);

    /* 429 beyond the retry budget -> rate_limited with the wait */
    v1_cfg(&g, "hvk_alice_FAKE_0001", "alice@acme.example");
    c = client(&g);
    assert_int_equal(fk_fault(&F, "{\"server\":\"harvest\",\"path_re\":\"^/v1/candidates$\","
                                  "\"action\":{\"status\":429,\"retry_after\":45}}"),
                     0);
    assert_int_equal(gh_candidate_phones(c, "1001", arr, &e), -1);
    assert_int_equal(e.code, ERR_RATE_LIMITED);
    assert_int_equal(e.retry_after_ms, 45000);
    http_hold_reset(); /* the origin is now held for 45 s: the next scenario starts clean */
    /* 500 storm -> upstream_unavailable */
    assert_int_equal(fk_fault(&F, "{\"server\":\"harvest\",\"path_re\":\"^/v1/candidates$\","
                                  "\"times\":9,\"action\":{\"status\":500}}"),
                     0);
    assert_int_equal(gh_candidate_phones(c, "1001", arr, &e), -1);
    assert_int_equal(e.code, ERR_UPSTREAM_UNAVAILABLE);
    assert_int_equal(fk_reset(&F), 0);
    /* 422 on the note (On-Behalf-Of user that does not exist) -> greenhouse_rejected */
    gh_client_set_user_id(c, 4242);
    assert_int_equal(gh_add_note(c, "1001", "x", "public", NULL, &e), -1);
    assert_int_equal(e.code, ERR_GREENHOUSE_REJECTED);
    assert_non_null(strstr(e.message, "On-Behalf-Of"));
    gh_client_free(c);
    cJSON_Delete(arr);
}

static void test_v1_retired(void **state)
{
    struct gh_config g;
    struct gh_client *c;
    struct err e;
    long long uid;
    int found;
    cJSON *arr = cJSON_CreateArray();

    (void)state;
    err_clear(&e);
    assert_int_equal(fk_config(&F, "{\"v1_retired\": true}"), 0);
    v1_cfg(&g, "hvk_alice_FAKE_0001", "alice@acme.example");
    c = client(&g);
    assert_int_equal(gh_resolve_user(c, &uid, &e), -1);
    assert_int_equal(e.code, ERR_GREENHOUSE_V1_RETIRED);
    assert_non_null(strstr(e.message, "2026-08-31"));
    assert_non_null(strstr(e.message, "client_id"));
    assert_non_null(strstr(e.message, "textus-host configure"));
    assert_int_equal(gh_candidate_phones(c, "1001", arr, &e), -1);
    assert_int_equal(e.code, ERR_GREENHOUSE_V1_RETIRED);
    /* a candidate route's 404 is told apart from "no such candidate" */
    gh_client_set_user_id(c, 101);
    assert_int_equal(gh_add_note(c, "1001", "x", "public", NULL, &e), -1);
    assert_int_equal(e.code, ERR_GREENHOUSE_V1_RETIRED);
    assert_int_equal(gh_note_exists(c, "1001", "x", &found, NULL, &e), -1);
    assert_int_equal(e.code, ERR_GREENHOUSE_V1_RETIRED);
    assert_int_equal(fk_config(&F, "{\"v1_retired_status\": 410}"), 0);
    assert_int_equal(gh_add_note(c, "1001", "x", "public", NULL, &e), -1);
    assert_int_equal(e.code, ERR_GREENHOUSE_V1_RETIRED);
    gh_client_free(c);
    cJSON_Delete(arr);
}

static void test_v1_probe(void **state)
{
    struct gh_config g;
    struct gh_client *c;
    struct gh_probe p;
    struct err e;
    int i;

    (void)state;
    err_clear(&e);
    v1_cfg(&g, "hvk_alice_FAKE_0001", "alice@acme.example");
    c = client(&g);
    assert_int_equal(gh_probe(c, &p, &e), 0);
    assert_int_equal(p.user_id, 101);
    assert_int_equal(p.n, 5);
    for (i = 0; i < 4; i++)
        assert_int_equal(p.items[i].state, GH_CHECK_OK);
    assert_string_equal(p.items[4].permission, "Candidates: POST: Add Note");
    assert_int_equal(p.items[4].state, GH_CHECK_UNCHECKED);
    assert_non_null(strstr(p.items[4].err.message, "checked at the first note"));
    gh_client_free(c);

    v1_cfg(&g, "hvk_readonly_FAKE_0002", "alice@acme.example");
    c = client(&g);
    assert_int_equal(gh_probe(c, &p, &e), -1);
    assert_int_equal(e.code, ERR_GREENHOUSE_AUTH);
    assert_int_equal(p.items[0].state, GH_CHECK_OK); /* List Users */
    assert_string_equal(p.items[1].permission, "Users: GET: Retrieve User");
    assert_int_equal(p.items[1].state, GH_CHECK_FAILED);
    assert_string_equal(p.items[2].permission, "Candidates: GET: List Candidates");
    assert_int_equal(p.items[2].state, GH_CHECK_FAILED);
    gh_client_free(c);
}

static void test_v1_note_drop_after(void **state)
{
    struct gh_config g;
    struct gh_client *c;
    struct err e;
    long long uid;
    int since;
    cJSON *st;
    const cJSON *n;
    int seen = 0;

    (void)state;
    err_clear(&e);
    v1_cfg(&g, "hvk_alice_FAKE_0001", "alice@acme.example");
    c = client(&g);
    assert_int_equal(gh_resolve_user(c, &uid, &e), 0); /* connection now alive */
    assert_int_equal(fk_fault(&F, "{\"server\":\"harvest\",\"method\":\"POST\",\"action\":"
                                  "\"drop_after\"}"),
                     0);
    since = fk_last_seq(&F);
    assert_int_equal(gh_add_note(c, "1001", "dropped note [th:drop1]", "public", NULL, &e), -1);
    assert_int_equal(e.code, ERR_OUTCOME_UNKNOWN);
    assert_int_equal(fk_count(&F, "harvest", "POST", NULL, since), 1);
    st = fk_get(&F, "state");
    cJSON_ArrayForEach(n, cJSON_GetObjectItem(cJSON_GetObjectItem(st, "harvest"), "notes"))
    {
        if (strstr(fk_rec_str(n, NULL, "body"), "[th:drop1]"))
            seen++;
    }
    assert_int_equal(seen, 1); /* it did happen, once */
    cJSON_Delete(st);
    gh_client_free(c);
}

/* ------------------------------------------------------------------ v3 */

static void test_v3_flow_and_token_cache(void **state)
{
    struct gh_config g;
    struct gh_client *c;
    struct err e;
    long long uid = 0, nid = 0, exp = 0;
    int found = 0, t0 = fk_harvest_int(&F, "token_requests"), since = fk_last_seq(&F);
    int subs = 0, notes = 0;
    cJSON *arr = cJSON_CreateArray(), *recs;
    const cJSON *r;
    char tok[GH_TOKEN_MAX];

    (void)state;
    err_clear(&e);
    v3_cfg(&g, "client_FAKE_0001", "csecret_FAKE_0001", "alice@acme.example");
    c = client(&g);
    assert_int_equal(gh_resolve_user(c, &uid, &e), 0);
    assert_int_equal(uid, 101);
    assert_int_equal(gh_candidate_phones(c, "1001", arr, &e), 0);
    assert_int_equal(cJSON_GetArraySize(arr), 2);
    assert_int_equal(gh_add_note(c, "1001", "v3 note\n[th:v3a]", "admin_only", &nid, &e), 0);
    assert_true(nid > 0);
    assert_int_equal(gh_note_exists(c, "1001", "[th:v3a]", &found, NULL, &e), 0);
    assert_int_equal(found, 1);
    /* two tokens for all of it: reads without a subject, the note as the recruiter */
    assert_int_equal(fk_harvest_int(&F, "token_requests") - t0, 2);
    {
        long long sub = -1;
        assert_int_equal(gh_client_token(c, GH_TOKEN_WRITE, tok, sizeof(tok), &exp, &sub), 0);
        assert_int_equal(sub, 101);
        assert_int_equal(gh_client_token(c, GH_TOKEN_READ, tok, sizeof(tok), &exp, &sub), 0);
        assert_int_equal(sub, 0);
    }
    assert_true(exp > (long long)time(NULL) + 3500);
    recs = fk_requests(&F, NULL, since);
    cJSON_ArrayForEach(r, recs)
    {
        if (strcmp(fk_rec_str(r, NULL, "server"), "auth") == 0) {
            assert_string_equal(fk_rec_str(r, "body", "grant_type"), "client_credentials");
            subs += strcmp(fk_rec_str(r, "body", "sub"), "101") == 0;
            assert_string_equal(fk_rec_str(r, "headers", "authorization"),
                                "Basic client:textus-host (valid)");
        } else if (strcmp(fk_rec_str(r, NULL, "method"), "POST") == 0) {
            const cJSON *b = cJSON_GetObjectItem(r, "body");
            assert_string_equal(fk_rec_str(r, NULL, "path"), "/v3/notes");
            assert_true(cJSON_IsNumber(cJSON_GetObjectItem(b, "candidate_id")));
            assert_int_equal(cJSON_GetObjectItem(b, "candidate_id")->valueint, 1001);
            assert_int_equal(cJSON_GetObjectItem(b, "user_id")->valueint, 101);
            assert_string_equal(fk_rec_str(b, NULL, "note_type"), "NOTE");
            assert_string_equal(fk_rec_str(b, NULL, "visibility"), "admin_only");
            assert_int_equal(cJSON_GetObjectItem(r, "status")->valueint, 201);
            notes++;
        } else {
            assert_non_null(strstr(fk_rec_str(r, "headers", "authorization"), "(valid)"));
        }
    }
    cJSON_Delete(recs);
    assert_int_equal(subs, 1);  /* one token request with sub=101 ... */
    assert_int_equal(notes, 1); /* ... for the one note; the fake recorded its subject: */
    {
        cJSON *st = fk_get(&F, "state");
        const cJSON *n, *last = NULL;
        cJSON_ArrayForEach(n, cJSON_GetObjectItem(cJSON_GetObjectItem(st, "harvest"), "notes"))
            last = n;
        assert_non_null(last);
        assert_int_equal(cJSON_GetObjectItem(last, "sub")->valueint, 101);
        cJSON_Delete(st);
    }

    /* a second client seeded with the persisted read token and user id asks for nothing new */
    {
        struct gh_client *c2 = client(&g);
        assert_int_equal(gh_client_set_token(c2, GH_TOKEN_READ, tok, exp, 0), 0);
        gh_client_set_user_id(c2, uid);
        assert_int_equal(gh_note_exists(c2, "1001", "[th:v3a]", &found, NULL, &e), 0);
        assert_int_equal(found, 1);
        assert_int_equal(fk_harvest_int(&F, "token_requests") - t0, 2);
        gh_client_free(c2);
    }
    memset(tok, 0, sizeof(tok));
    assert_true(cache_calls >= 2); /* token + user id changes were announced */
    gh_client_free(c);
    cJSON_Delete(arr);
}

static void test_v3_token_shapes_and_expiry(void **state)
{
    struct gh_config g;
    struct gh_client *c;
    struct err e;
    long long uid, exp;
    char tok[GH_TOKEN_MAX];
    int t0;
    const char *styles[] = {"{\"auth_token_response_style\": \"expires_at\"}",
                            "{\"auth_token_response_style\": \"expires\"}"};
    size_t i;

    (void)state;
    err_clear(&e);
    v3_cfg(&g, "client_FAKE_0001", "csecret_FAKE_0001", "alice@acme.example");
    for (i = 0; i < 2; i++) {
        assert_int_equal(fk_config(&F, styles[i]), 0);
        t0 = fk_harvest_int(&F, "token_requests");
        c = client(&g);
        assert_int_equal(gh_resolve_user(c, &uid, &e), 0);
        gh_client_set_user_id(c, 0);
        assert_int_equal(gh_resolve_user(c, &uid, &e), 0);
        assert_int_equal(fk_harvest_int(&F, "token_requests") - t0, 1);
        assert_int_equal(gh_client_token(c, GH_TOKEN_READ, tok, sizeof(tok), &exp, NULL), 0);
        assert_true(exp > (long long)time(NULL) + 3500 && exp < (long long)time(NULL) + 3700);
        gh_client_free(c);
    }
    /* a short-lived token is refreshed ahead of its expiry */
    assert_int_equal(fk_config(&F, "{\"auth_token_response_style\": \"expires_in\", "
                                   "\"auth_token_expires_in\": 4}"),
                     0);
    t0 = fk_harvest_int(&F, "token_requests");
    c = client(&g);
    assert_int_equal(gh_resolve_user(c, &uid, &e), 0);
    gh_client_set_user_id(c, 0);
    assert_int_equal(gh_resolve_user(c, &uid, &e), 0);
    assert_int_equal(fk_harvest_int(&F, "token_requests") - t0, 1);
    sleep(3);
    gh_client_set_user_id(c, 0);
    assert_int_equal(gh_resolve_user(c, &uid, &e), 0);
    assert_int_equal(fk_harvest_int(&F, "token_requests") - t0, 2);
    gh_client_free(c);
    memset(tok, 0, sizeof(tok));
}

/* expires_at read by the one timestamp parser (iso8601.h, RFC 3339): a time that is not an
 * RFC 3339 instant leaves the expiry unknown, and the token is kept only briefly (300 s). */
static void test_v3_token_expiry_iso(void **state)
{
    static const struct {
        const char *expires_at;
        long long want;
    } cases[] = {
        {"2026-11-27T00:00:00Z", 1795737600LL},     {"2026-11-27T01:00:00.5+01:00", 1795737600LL},
        {"2026-11-27 00:00:00Z", 1795000300LL},     /* space: not RFC 3339 */
        {"2026-11-27T01:00:00+0100", 1795000300LL}, /* offset without its colon */
        {"2026-11-27T00:00:00", 1795000300LL},      /* no zone */
        {"2026-02-30T00:00:00Z", 1795000300LL},     /* no such day */
    };
    char body[256], tok[64];
    long long exp;
    struct err e;
    size_t i;

    (void)state;
    for (i = 0; i < TH_ARRAY_SIZE(cases); i++) {
        int n = snprintf(body, sizeof(body), "{\"access_token\":\"t0k\",\"expires_at\":\"%s\"}",
                         cases[i].expires_at);
        assert_true(n > 0 && (size_t)n < sizeof(body));
        err_clear(&e);
        assert_int_equal(gh_parse_token(body, (size_t)n, 1795000000LL, tok, sizeof(tok), &exp, &e),
                         0);
        if (exp != cases[i].want)
            fail_msg("expires_at \"%s\" -> %lld, want %lld", cases[i].expires_at, exp,
                     cases[i].want);
    }
}

static void test_v3_refresh_on_401(void **state)
{
    struct gh_config g;
    struct gh_client *c;
    struct err e;
    cJSON *arr = cJSON_CreateArray(), *res;
    int t0, since;

    (void)state;
    err_clear(&e);
    v3_cfg(&g, "client_FAKE_0001", "csecret_FAKE_0001", "alice@acme.example");
    c = client(&g);
    t0 = fk_harvest_int(&F, "token_requests");
    assert_int_equal(gh_candidate_phones(c, "1001", arr, &e), 0);
    res = fk_post(&F, "expire-tokens", "{}");
    cJSON_Delete(res);
    since = fk_last_seq(&F);
    assert_int_equal(gh_candidate_phones(c, "1002", arr, &e), 0); /* 401, new token, retry */
    assert_int_equal(fk_harvest_int(&F, "token_requests") - t0, 2);
    assert_int_equal(fk_count(&F, "harvest", "GET", "/v3/candidates", since), 2);
    /* a 401 that persists: one refresh only, then greenhouse_auth */
    assert_int_equal(fk_fault(&F, "{\"server\":\"harvest\",\"path_re\":\"^/v3/candidates$\","
                                  "\"times\":5,\"action\":{\"status\":401}}"),
                     0);
    since = fk_last_seq(&F);
    assert_int_equal(gh_candidate_phones(c, "1001", arr, &e), -1);
    assert_int_equal(e.code, ERR_GREENHOUSE_AUTH);
    assert_int_equal(fk_harvest_int(&F, "token_requests") - t0, 3);
    assert_int_equal(fk_count(&F, "harvest", "GET", "/v3/candidates", since), 2);
    gh_client_free(c);

    /* wrong secret: the token endpoint refuses */
    v3_cfg(&g, "client_FAKE_0001", "wrong_FAKE", "alice@acme.example");
    c = client(&g);
    assert_int_equal(gh_candidate_phones(c, "1001", arr, &e), -1);
    assert_int_equal(e.code, ERR_GREENHOUSE_AUTH);
    assert_null(strstr(e.message, "wrong_FAKE"));
    gh_client_free(c);
    cJSON_Delete(arr);
}

static void test_v3_cursor_pagination(void **state)
{
    struct gh_config g;
    struct gh_client *c;
    struct err e;
    long long nid;
    int found = 0, since, i, cursor_pages = 0;
    char body[64];
    cJSON *recs;
    const cJSON *r;

    (void)state;
    err_clear(&e);
    v3_cfg(&g, "client_FAKE_0001", "csecret_FAKE_0001", "alice@acme.example");
    g.page_size = 2;
    c = client(&g);
    for (i = 0; i < 5; i++) {
        snprintf(body, sizeof(body), "page test note %d\n[th:pg%d]", i, i);
        assert_int_equal(gh_add_note(c, "1002", body, "public", &nid, &e), 0);
    }
    since = fk_last_seq(&F);
    assert_int_equal(gh_note_exists(c, "1002", "[th:pg4]", &found, NULL, &e), 0);
    assert_int_equal(found, 1);
    recs = fk_requests(&F, "harvest", since);
    assert_int_equal(cJSON_GetArraySize(recs), 3);
    cJSON_ArrayForEach(r, recs)
    {
        const cJSON *q = cJSON_GetObjectItem(r, "query");
        assert_string_equal(fk_rec_str(r, NULL, "path"), "/v3/notes");
        assert_int_equal(cJSON_GetObjectItem(r, "status")->valueint, 200);
        if (cJSON_GetObjectItem(q, "cursor")) {
            assert_int_equal(cJSON_GetArraySize(q), 1); /* the cursor alone */
            cursor_pages++;
        } else {
            assert_string_equal(fk_rec_str(r, "query", "candidate_ids"), "1002");
            assert_string_equal(fk_rec_str(r, "query", "per_page"), "2");
        }
    }
    assert_int_equal(cursor_pages, 2);
    cJSON_Delete(recs);
    gh_client_free(c);
}

static void test_v3_permissions_and_probe(void **state)
{
    struct gh_config g;
    struct gh_client *c;
    struct gh_probe p;
    struct err e;

    (void)state;
    err_clear(&e);
    v3_cfg(&g, "client_FAKE_0001", "csecret_FAKE_0001", "alice@acme.example");
    c = client(&g);
    assert_int_equal(gh_probe(c, &p, &e), 0);
    assert_int_equal(p.n, 4);
    assert_string_equal(p.items[3].permission, "harvest:notes:create");
    assert_int_equal(p.items[3].state, GH_CHECK_UNCHECKED);
    gh_probe_merge_fields(c, &p);
    assert_int_equal(p.n, 6);
    /* the {job}/{stage} merge fields' scopes (doctor): probed after, optional (this client
     * lacks them) */
    assert_string_equal(p.items[4].permission, "harvest:applications:list");
    assert_int_equal(p.items[4].state, GH_CHECK_FAILED);
    assert_non_null(strstr(p.items[4].err.message, "harvest:applications:list"));
    assert_true(p.items[4].optional);
    assert_string_equal(p.items[5].permission, "harvest:jobs:list");
    assert_true(p.items[5].optional);
    assert_false(p.items[2].optional);
    gh_client_free(c);

    v3_cfg(&g, "client_FAKE_0002", "csecret_FAKE_0002", "alice@acme.example");
    c = client(&g);
    assert_int_equal(gh_probe(c, &p, &e), -1);
    assert_int_equal(e.code, ERR_GREENHOUSE_PERMISSION);
    assert_string_equal(p.items[0].permission, "harvest:users:list");
    assert_int_equal(p.items[0].state, GH_CHECK_FAILED);
    assert_non_null(strstr(p.items[0].err.message, "harvest:users:list"));
    gh_client_free(c);

    v3_cfg(&g, "client_FAKE_0001", "csecret_FAKE_0001", "dee@acme.example");
    c = client(&g);
    assert_int_equal(gh_probe(c, &p, &e), -1);
    assert_int_equal(e.code, ERR_GREENHOUSE_USER_NOT_FOUND);
    gh_client_free(c);
}

static void test_v3_bad_links_not_followed(void **state)
{
    struct gh_config g;
    struct gh_client *c;
    struct err e;
    char rule[512];
    int found = 0, since;

    (void)state;
    err_clear(&e);
    v3_cfg(&g, "client_FAKE_0001", "csecret_FAKE_0001", "alice@acme.example");
    c = client(&g);
    /* a next link to another site: refused, not followed */
    assert_int_equal(fk_fault(&F,
                              "{\"server\":\"harvest\",\"path_re\":\"^/v3/notes$\",\"action\":"
                              "{\"status\":200,\"body\":[],\"headers\":{\"Link\":"
                              "\"<https://evil.example/v3/notes?cursor=x>; rel=\\\"next\\\"\"}}}"),
                     0);
    since = fk_last_seq(&F);
    assert_int_equal(gh_note_exists(c, "1001", "[th:none]", &found, NULL, &e), -1);
    assert_int_equal(e.code, ERR_UPSTREAM_INVALID);
    assert_int_equal(fk_count(&F, "harvest", "GET", "/v3/notes", since), 1);
    /* a next link pointing at the page itself: stops after following it once */
    snprintf(rule, sizeof(rule),
             "{\"server\":\"harvest\",\"path_re\":\"^/v3/notes$\",\"times\":5,\"action\":"
             "{\"status\":200,\"body\":[],\"headers\":{\"Link\":"
             "\"<%s/v3/notes?cursor=same>; rel=\\\"next\\\"\"}}}",
             F.harvest);
    assert_int_equal(fk_fault(&F, rule), 0);
    since = fk_last_seq(&F);
    assert_int_equal(gh_note_exists(c, "1001", "[th:none]", &found, NULL, &e), -1);
    assert_int_equal(e.code, ERR_UPSTREAM_INVALID);
    assert_int_equal(fk_count(&F, "harvest", "GET", "/v3/notes", since), 2);
    gh_client_free(c);
}

/* ------------------------------------------------------------------ store seam */

static int put_doc(cJSON *doc, void *ctx, struct err *e)
{
    const cJSON *gh = ctx;
    cJSON *dup = cJSON_Duplicate(gh, 1);

    (void)e;
    cJSON_DeleteItemFromObjectCaseSensitive(doc, "greenhouse");
    cJSON_DeleteItemFromObjectCaseSensitive(doc, "cache");
    cJSON_AddItemToObject(doc, "greenhouse", dup);
    return 0;
}

static void store_greenhouse(const char *creds)
{
    char buf[1024];
    cJSON *gh;
    struct err e;

    snprintf(buf, sizeof(buf),
             "{\"email\": \"alice@acme.example\", %s, \"base_url\": \"%s\", \"auth_url\": \"%s\"}",
             creds, F.harvest, F.auth);
    gh = cJSON_Parse(buf);
    assert_non_null(gh);
    err_clear(&e);
    assert_int_equal(store_update(put_doc, gh, NULL, &e), 0);
    cJSON_Delete(gh);
}

static void test_fallback_phones_from_store(void **state)
{
    struct err e;
    cJSON *arr = cJSON_CreateArray();
    struct store *st = NULL;
    long long exp = 0;
    int t0;

    (void)state;
    err_clear(&e);
    store_greenhouse(
        "\"client_id\": \"client_FAKE_0001\", \"client_secret\": \"csecret_FAKE_0001\"");
    t0 = fk_harvest_int(&F, "token_requests");
    assert_int_equal(greenhouse_fallback_phones("1001", arr, &e), 0);
    assert_int_equal(cJSON_GetArraySize(arr), 2);
    assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(arr, 0), "type")->valuestring,
                        "mobile");
    /* the token went to the store's cache ... */
    assert_int_equal(store_load(&st, &e), 0);
    assert_non_null(store_gh_access_token(st, &exp));
    assert_true(exp > (long long)time(NULL) + 3500);
    store_free(st);
    /* ... and the next process-like call uses it instead of asking again */
    assert_int_equal(greenhouse_fallback_phones("1002", arr, &e), 0);
    assert_int_equal(fk_harvest_int(&F, "token_requests") - t0, 1);
    assert_int_equal(greenhouse_fallback_phones("9999", arr, &e), -1);
    assert_int_equal(e.code, ERR_GREENHOUSE_NOT_FOUND);

    store_greenhouse("\"api_key\": \"hvk_alice_FAKE_0001\"");
    cJSON_Delete(arr);
    arr = cJSON_CreateArray();
    assert_int_equal(greenhouse_fallback_phones("1001", arr, &e), 0);
    assert_int_equal(cJSON_GetArraySize(arr), 2);
    cJSON_Delete(arr);

    /* the seam also persists the resolved user id */
    {
        struct gh_config cfg;
        struct gh_config_src src;
        struct gh_client *c = NULL;
        long long uid = 0;
        assert_int_equal(gh_config_from_store(&cfg, &src, &e), 0);
        assert_int_equal(gh_client_new(&c, &cfg, &e), 0);
        gh_config_seed_client(c, &src);
        assert_int_equal(gh_resolve_user(c, &uid, &e), 0);
        gh_client_free(c);
        gh_config_release(&cfg, &src);
        assert_int_equal(store_load(&st, &e), 0);
        assert_int_equal(store_gh_user_id(st), 101);
        store_free(st);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_config_choice, reset),
        cmocka_unit_test_setup(test_v1_resolve_user, reset),
        cmocka_unit_test_setup(test_v1_link_pagination, reset),
        cmocka_unit_test_setup(test_v1_phones_and_notes, reset),
        cmocka_unit_test_setup(test_v1_errors, reset),
        cmocka_unit_test_setup(test_v1_retired, reset),
        cmocka_unit_test_setup(test_v1_probe, reset),
        cmocka_unit_test_setup(test_v1_note_drop_after, reset),
        cmocka_unit_test_setup(test_v3_flow_and_token_cache, reset),
        cmocka_unit_test_setup(test_v3_token_shapes_and_expiry, reset),
        cmocka_unit_test(test_v3_token_expiry_iso),
        cmocka_unit_test_setup(test_v3_refresh_on_401, reset),
        cmocka_unit_test_setup(test_v3_cursor_pagination, reset),
        cmocka_unit_test_setup(test_v3_permissions_and_probe, reset),
        cmocka_unit_test_setup(test_v3_bad_links_not_followed, reset),
        cmocka_unit_test_setup(test_fallback_phones_from_store, reset),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
