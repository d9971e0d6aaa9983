/*
 * test_textus — the TextUs client against the local fake (tests/fakes): headers on
 * every call, view.next pagination (both collection spellings), send / get / opt-outs /
 * conversations / contacts, every error mapping, GET retries with Retry-After
 * honoured (fake timestamps), POSTs never retried, drop_after -> outcome_unknown with
 * exactly one request recorded, keep-alive (fake connection count), and the
 * per-origin Retry-After hold (another route waits; a long hold sends nothing; the
 * other API's origin is not held).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fakes_harness.h"
#include "textus.h"
#include "apijson.h"
#include "utf8.h"

static struct fk F;

static void cfg_init(struct textus_config *c, const char *token, const char *account)
{
    memset(c, 0, sizeof(*c));
    c->base_url = F.textus;
    c->token = token;
    c->account = account;
    c->http.backoff_base_ms = 20;
    c->http.total_timeout_ms = 10000;
}

static int setup(void **state)
{
    (void)state;
    return fk_start(&F, NULL, NULL);
}

static int teardown(void **state)
{
    (void)state;
    http_cleanup();
    fk_stop(&F);
    return 0;
}

static int reset(void **state)
{
    (void)state;
    http_hold_reset(); /* each case starts with no Retry-After hold from an earlier one */
    return fk_reset(&F) |
           fk_config(&F, "{\"textus_page_size\": 25, \"textus_collection_key\": \"members\"}");
}

static void test_accounts_pagination_and_headers(void **state)
{
    struct textus_config c;
    struct err e;
    cJSON *arr = cJSON_CreateArray(), *recs;
    const cJSON *r;
    int since = fk_last_seq(&F), n = 0;

    (void)state;
    cfg_init(&c, "tok_alice_FAKE_0001", "acme");
    assert_int_equal(fk_config(&F, "{\"textus_page_size\": 1}"), 0);
    err_clear(&e);
    assert_int_equal(textus_list_accounts(&c, arr, &e), 0);
    assert_int_equal(cJSON_GetArraySize(arr), 3);
    assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(arr, 2), "slug")->valuestring,
                        "acme-west");
    assert_true(
        cJSON_IsTrue(cJSON_GetObjectItem(cJSON_GetArrayItem(arr, 2), "messagingRestricted")));
    recs = fk_requests(&F, "textus", since);
    cJSON_ArrayForEach(r, recs)
    {
        char page[16];
        assert_string_equal(fk_rec_str(r, NULL, "path"), "/accounts");
        assert_string_equal(fk_rec_str(r, "headers", "authorization"), "Bearer token#1 (valid)");
        assert_string_equal(fk_rec_str(r, "headers", "accept"), "application/vnd.textus+jsonld");
        assert_string_equal(fk_rec_str(r, "headers", "content-type"),
                            "application/vnd.textus+jsonld");
        assert_string_equal(fk_rec_str(r, "headers", "user-agent"), "textus-host/" TH_VERSION);
        snprintf(page, sizeof(page), "%d", n + 1);
        if (n > 0)
            assert_string_equal(fk_rec_str(r, "query", "page"), page);
        n++;
    }
    assert_int_equal(n, 3); /* followed view.next twice, then stopped at null */
    cJSON_Delete(recs);
    cJSON_Delete(arr);

    /* the Nango spelling: hydra:member / hydra:view */
    assert_int_equal(fk_config(&F, "{\"textus_collection_key\": \"hydra:member\"}"), 0);
    arr = cJSON_CreateArray();
    assert_int_equal(textus_list_accounts(&c, arr, &e), 0);
    assert_int_equal(cJSON_GetArraySize(arr), 3);
    cJSON_Delete(arr);
}

static void test_verify_account(void **state)
{
    struct textus_config c;
    struct textus_account a;
    struct err e;

    (void)state;
    cfg_init(&c, "tok_alice_FAKE_0001", "acme-east");
    err_clear(&e);
    assert_int_equal(textus_verify_account(&c, &a, &e), 0);
    assert_string_equal(a.name, "Acme East");
    assert_int_equal(a.messaging_restricted, 0);

    assert_string_equal(a.via, "");

    /* a child of a membership, absent from GET /accounts, reached through the tree */
    cfg_init(&c, "tok_alice_FAKE_0001", "acme-north");
    assert_int_equal(textus_verify_account(&c, &a, &e), 0);
    assert_string_equal(a.name, "Acme North");
    assert_string_equal(a.via, "acme");

    cfg_init(&c, "tok_alice_FAKE_0001", "other-org"); /* exists, but not alice's */
    assert_int_equal(textus_verify_account(&c, &a, &e), -1);
    assert_int_equal(e.code, ERR_TEXTUS_ACCOUNT);
    assert_non_null(strstr(e.message, "acme-east"));
    assert_non_null(strstr(e.message, "acme-north")); /* what the memberships reach */

    cfg_init(&c, "tok_bob_FAKE_0002", "acme"); /* a child's member does not reach the parent */
    assert_int_equal(textus_verify_account(&c, &a, &e), -1);
    assert_int_equal(e.code, ERR_TEXTUS_ACCOUNT);

    cfg_init(&c, "tok_wrong_FAKE_9999", "acme");
    assert_int_equal(textus_verify_account(&c, &a, &e), -1);
    assert_int_equal(e.code, ERR_TEXTUS_AUTH);
    assert_false(e.retryable);
    assert_null(strstr(e.message, "tok_wrong"));
}

static void test_send_get_message(void **state)
{
    struct textus_config c;
    struct textus_message m, g;
    struct err e;
    char adv[256];
    cJSON *recs, *res;
    const cJSON *r;
    int since = fk_last_seq(&F);

    (void)state;
    cfg_init(&c, "tok_alice_FAKE_0001", "acme");
    err_clear(&e);
    assert_int_equal(textus_send_message(&c, "+13035550188", "Hi from the test", &m, &e), 0);
    assert_true(strncmp(m.id, "/messages/", 10) == 0);
    assert_string_equal(m.delivery_state, "queued");
    assert_true(strncmp(m.conversation, "/conversations/", 15) == 0);
    recs = fk_requests(&F, "textus", since);
    assert_int_equal(cJSON_GetArraySize(recs), 1);
    r = cJSON_GetArrayItem(recs, 0);
    assert_string_equal(fk_rec_str(r, NULL, "method"), "POST");
    assert_string_equal(fk_rec_str(r, NULL, "path"), "/acme/messages");
    assert_string_equal(fk_rec_str(r, "body", "to"), "+13035550188");
    assert_string_equal(fk_rec_str(r, "body", "body"), "Hi from the test");
    assert_int_equal(cJSON_GetObjectItem(r, "status")->valueint, 201);
    cJSON_Delete(recs);

    assert_int_equal(textus_get_message(&c, m.id, &g, &e), 0);
    assert_string_equal(g.id, m.id);
    assert_string_equal(g.direction, "out");
    snprintf(adv, sizeof(adv), "{\"message_id\": \"%s\", \"state\": \"delivered\"}", m.id);
    res = fk_post(&F, "advance", adv);
    assert_non_null(res);
    cJSON_Delete(res);
    assert_int_equal(textus_get_message(&c, m.id, &g, &e), 0);
    assert_string_equal(g.delivery_state, "delivered");

    /* not an id of ours: refused before any request */
    since = fk_last_seq(&F);
    assert_int_equal(textus_get_message(&c, "/messages/../accounts", &g, &e), -1);
    assert_int_equal(e.code, ERR_BAD_REQUEST);
    assert_int_equal(fk_count(&F, "textus", NULL, NULL, since), 0);
    /* unknown message: a 404 on a non-slug route is a rejection, not textus_account */
    assert_int_equal(textus_get_message(&c, "/messages/NOPE42", &g, &e), -1);
    assert_int_equal(e.code, ERR_TEXTUS_REJECTED);
}

static void test_send_errors(void **state)
{
    struct textus_config c;
    struct textus_message m;
    struct err e;
    int since;

    (void)state;
    cfg_init(&c, "tok_alice_FAKE_0001", "acme");
    err_clear(&e);
    /* opted out: 422 with the server's message */
    assert_int_equal(textus_send_message(&c, "+13035550177", "Hi", &m, &e), -1);
    assert_int_equal(e.code, ERR_TEXTUS_REJECTED);
    assert_non_null(strstr(e.message, "opted out"));
    assert_non_null(strstr(e.message, "422"));
    /* unknown slug */
    cfg_init(&c, "tok_alice_FAKE_0001", "nope");
    assert_int_equal(textus_send_message(&c, "+13035550188", "Hi", &m, &e), -1);
    assert_int_equal(e.code, ERR_TEXTUS_ACCOUNT);
    /* restricted account (10DLC) */
    cfg_init(&c, "tok_alice_FAKE_0001", "acme-west");
    assert_int_equal(textus_send_message(&c, "+13035550188", "Hi", &m, &e), -1);
    assert_int_equal(e.code, ERR_TEXTUS_REJECTED);
    /* bad token */
    cfg_init(&c, "tok_nobody_FAKE", "acme");
    assert_int_equal(textus_send_message(&c, "+13035550188", "Hi", &m, &e), -1);
    assert_int_equal(e.code, ERR_TEXTUS_AUTH);
    /* not E.164: refused locally */
    cfg_init(&c, "tok_alice_FAKE_0001", "acme");
    since = fk_last_seq(&F);
    assert_int_equal(textus_send_message(&c, "303-555-0188", "Hi", &m, &e), -1);
    assert_int_equal(e.code, ERR_BAD_REQUEST);
    assert_int_equal(fk_count(&F, "textus", NULL, NULL, since), 0);

    /* 503 on the POST: upstream_unavailable, retryable, and NOT retried */
    assert_int_equal(fk_fault(&F, "{\"server\":\"textus\",\"method\":\"POST\",\"path_re\":"
                                  "\"^/acme/messages$\",\"times\":3,\"action\":{\"status\":503}}"),
                     0);
    since = fk_last_seq(&F);
    assert_int_equal(textus_send_message(&c, "+13035550188", "Hi", &m, &e), -1);
    assert_int_equal(e.code, ERR_UPSTREAM_UNAVAILABLE);
    assert_true(e.retryable);
    assert_int_equal(fk_count(&F, "textus", "POST", "/acme/messages", since), 1);
    assert_int_equal(fk_reset(&F), 0);

    /* 502/504 from a gateway may follow a send that went through: outcome_unknown */
    assert_int_equal(fk_fault(&F, "{\"server\":\"textus\",\"method\":\"POST\",\"path_re\":"
                                  "\"^/acme/messages$\",\"times\":2,\"action\":{\"status\":504}}"),
                     0);
    since = fk_last_seq(&F);
    assert_int_equal(textus_send_message(&c, "+13035550188", "Hi", &m, &e), -1);
    assert_int_equal(e.code, ERR_OUTCOME_UNKNOWN);
    assert_int_equal(fk_count(&F, "textus", "POST", "/acme/messages", since), 1);
    assert_int_equal(fk_reset(&F), 0);

    /* 429 on the POST: rate_limited with the wait, not retried */
    assert_int_equal(
        fk_fault(&F, "{\"server\":\"textus\",\"method\":\"POST\",\"path_re\":\"^/acme/messages$\","
                     "\"action\":{\"status\":429,\"retry_after\":7}}"),
        0);
    since = fk_last_seq(&F);
    assert_int_equal(textus_send_message(&c, "+13035550188", "Hi", &m, &e), -1);
    assert_int_equal(e.code, ERR_RATE_LIMITED);
    assert_true(e.retryable);
    /* Retry-After plus this process's jitter (at most max(250 ms, 7 s / 4)) */
    assert_true(e.retry_after_ms >= 7000 && e.retry_after_ms <= 7000 + 1750);
    assert_int_equal(fk_count(&F, "textus", "POST", "/acme/messages", since), 1);
}

static void test_drop_after_outcome_unknown(void **state)
{
    struct textus_config c;
    struct textus_message m;
    struct err e;
    cJSON *arr = cJSON_CreateArray();
    int since, i;

    (void)state;
    cfg_init(&c, "tok_alice_FAKE_0001", "acme");
    err_clear(&e);
    /* twice: once on a connection kept alive by a previous GET (libcurl would re-send on a
     * dead reused connection), once on a fresh connection */
    for (i = 0; i < 2; i++) {
        if (i == 0)
            assert_int_equal(textus_list_accounts(&c, arr, &e), 0);
        else
            http_cleanup(); /* no connection to reuse */
        assert_int_equal(fk_fault(&F, "{\"server\":\"textus\",\"method\":\"POST\",\"path_re\":"
                                      "\"^/acme/messages$\",\"action\":\"drop_after\"}"),
                         0);
        since = fk_last_seq(&F);
        assert_int_equal(textus_send_message(&c, "+13035550189", "Dropped", &m, &e), -1);
        assert_int_equal(e.code, ERR_OUTCOME_UNKNOWN);
        assert_false(e.retryable);
        assert_non_null(strstr(e.message, "may have reached"));
        assert_int_equal(fk_count(&F, "textus", "POST", "/acme/messages", since), 1);
    }
    cJSON_Delete(arr);
}

static void test_opt_outs(void **state)
{
    struct textus_config c;
    struct err e;
    int opted = -1, since = fk_last_seq(&F);
    cJSON *recs;

    (void)state;
    cfg_init(&c, "tok_alice_FAKE_0001", "acme");
    err_clear(&e);
    assert_int_equal(textus_get_opt_out(&c, "+13035550177", &opted, &e), 0);
    assert_int_equal(opted, 1);
    recs = fk_requests(&F, "textus", since);
    assert_string_equal(fk_rec_str(cJSON_GetArrayItem(recs, 0), NULL, "path"),
                        "/acme/opt_outs/3035550177"); /* bare 10 digits, as documented */
    cJSON_Delete(recs);
    assert_int_equal(textus_get_opt_out(&c, "+13035550155", &opted, &e), 0);
    assert_int_equal(opted, 0); /* 404 */
    assert_int_equal(textus_create_opt_out(&c, "+13035550155", NULL, &e), 0);
    assert_int_equal(textus_get_opt_out(&c, "+13035550155", &opted, &e), 0);
    assert_int_equal(opted, 1);
    assert_int_equal(fk_count(&F, "textus", "PUT", "/acme/opt_outs/3035550155", since), 1);
    cfg_init(&c, "tok_nobody_FAKE", "acme");
    assert_int_equal(textus_get_opt_out(&c, "+13035550177", &opted, &e), -1);
    assert_int_equal(e.code, ERR_TEXTUS_AUTH);
}

static void test_conversation(void **state)
{
    struct textus_config c;
    struct textus_conversation *cv = malloc(sizeof(*cv));
    struct err e;
    int since = fk_last_seq(&F);
    cJSON *recs;

    (void)state;
    assert_non_null(cv);
    cfg_init(&c, "tok_alice_FAKE_0001", "acme");
    err_clear(&e);
    assert_int_equal(textus_get_conversation(&c, "+13035550123", cv, &e), 0);
    assert_int_equal(cv->found, 1);
    assert_int_equal(cv->blocked, 0);
    assert_string_equal(cv->current_state, "open");
    assert_int_equal(cv->has_latest, 1);
    assert_string_equal(cv->latest_body, "Hello Jane");
    assert_string_equal(cv->latest.direction, "out");
    assert_true(cv->latest.timestamp[0] != '\0');
    recs = fk_requests(&F, "textus", since);
    assert_string_equal(fk_rec_str(cJSON_GetArrayItem(recs, 0), NULL, "path"),
                        "/acme/conversations/+13035550123");
    cJSON_Delete(recs);
    assert_int_equal(textus_get_conversation(&c, "+13035550166", cv, &e), 0);
    assert_int_equal(cv->found, 1);
    assert_int_equal(cv->blocked, 1);
    assert_int_equal(textus_get_conversation(&c, "+13035550111", cv, &e), 0);
    assert_int_equal(cv->found, 0);
    /* garbage from a proxy: upstream_invalid */
    assert_int_equal(fk_fault(&F, "{\"server\":\"textus\",\"path_re\":\"^/acme/conversations/\","
                                  "\"action\":\"garbage\"}"),
                     0);
    assert_int_equal(textus_get_conversation(&c, "+13035550123", cv, &e), -1);
    assert_int_equal(e.code, ERR_UPSTREAM_INVALID);
    free(cv);
}

static void test_contacts(void **state)
{
    struct textus_config c;
    struct textus_contact ct, ct2;
    struct err e;
    int found = -1, since;
    cJSON *data = cJSON_Parse("{\"greenhouse_id\": \"1003\"}"), *recs;
    const cJSON *r;

    (void)state;
    cfg_init(&c, "tok_alice_FAKE_0001", "acme");
    err_clear(&e);
    assert_int_equal(textus_find_contact(&c, "+13035550123", &ct, &found, &e), 0);
    assert_int_equal(found, 1);
    assert_string_equal(ct.name, "Jane Candidate");
    assert_int_equal(textus_find_contact(&c, "+13035550144", &ct, &found, &e), 0);
    assert_int_equal(found, 0);
    since = fk_last_seq(&F);
    assert_int_equal(
        textus_create_contact(&c, "Bob Builder", "+13035550144", "Work", data, &ct, &e), 0);
    assert_true(strncmp(ct.id, "/contacts/", 10) == 0);
    recs = fk_requests(&F, "textus", since);
    r = cJSON_GetArrayItem(recs, 0);
    assert_string_equal(fk_rec_str(r, NULL, "path"), "/acme/contacts");
    assert_string_equal(fk_rec_str(cJSON_GetObjectItem(r, "body"), "data", "greenhouse_id"),
                        "1003");
    cJSON_Delete(recs);
    assert_int_equal(textus_find_contact(&c, "+13035550144", &ct2, &found, &e), 0);
    assert_int_equal(found, 1);
    assert_string_equal(ct2.id, ct.id);
    /* PUT with the full phone list: the existing number stays, the new one is added */
    since = fk_last_seq(&F);
    assert_int_equal(
        textus_update_contact(&c, ct.id, "Robert Builder", "+13035550145", "Home", NULL, &ct2, &e),
        0);
    assert_string_equal(ct2.name, "Robert Builder");
    recs = fk_requests(&F, "textus", since);
    r = cJSON_GetArrayItem(recs, 1); /* after the GET of the contact */
    assert_string_equal(fk_rec_str(r, NULL, "method"), "PUT");
    assert_string_equal(fk_rec_str(r, NULL, "path"), ct.id);
    {
        const cJSON *ph = cJSON_GetObjectItem(cJSON_GetObjectItem(r, "body"), "phones");
        assert_int_equal(cJSON_GetArraySize(ph), 2);
        assert_string_equal(fk_rec_str(cJSON_GetArrayItem(ph, 0), NULL, "number"), "+13035550144");
        assert_string_equal(fk_rec_str(cJSON_GetArrayItem(ph, 0), NULL, "type"), "Work");
        assert_string_equal(fk_rec_str(cJSON_GetArrayItem(ph, 1), NULL, "number"), "+13035550145");
        assert_string_equal(fk_rec_str(cJSON_GetArrayItem(ph, 1), NULL, "type"), "Home");
    }
    assert_string_equal(fk_rec_str(cJSON_GetObjectItem(r, "body"), "data", "greenhouse_id"),
                        "1003");
    cJSON_Delete(recs);
    assert_int_equal(textus_create_contact(&c, "No Phone", "12", NULL, NULL, &ct, &e), -1);
    assert_int_equal(e.code, ERR_BAD_REQUEST);
    cJSON_Delete(data);
}

static void test_get_retries_5xx(void **state)
{
    struct textus_config c;
    struct err e;
    int opted = -1, since;

    (void)state;
    cfg_init(&c, "tok_alice_FAKE_0001", "acme");
    err_clear(&e);
    assert_int_equal(fk_fault(&F, "{\"server\":\"textus\",\"method\":\"GET\",\"path_re\":"
                                  "\"^/acme/opt_outs/\",\"times\":2,\"action\":{\"status\":503}}"),
                     0);
    since = fk_last_seq(&F);
    assert_int_equal(textus_get_opt_out(&c, "+13035550177", &opted, &e), 0);
    assert_int_equal(opted, 1);
    assert_int_equal(fk_count(&F, "textus", "GET", "/acme/opt_outs/", since), 3);

    /* a storm longer than the retry count: upstream_unavailable after 1 + 3 attempts */
    assert_int_equal(fk_fault(&F, "{\"server\":\"textus\",\"method\":\"GET\",\"path_re\":"
                                  "\"^/acme/opt_outs/\",\"times\":9,\"action\":{\"status\":502}}"),
                     0);
    since = fk_last_seq(&F);
    assert_int_equal(textus_get_opt_out(&c, "+13035550177", &opted, &e), -1);
    assert_int_equal(e.code, ERR_UPSTREAM_UNAVAILABLE);
    assert_int_equal(fk_count(&F, "textus", "GET", "/acme/opt_outs/", since), 4);
}

static double rec_t(const cJSON *r)
{
    return cJSON_GetObjectItem(r, "t")->valuedouble;
}

static void test_retry_after_honoured(void **state)
{
    struct textus_config c;
    struct err e;
    int opted = -1, since;
    cJSON *recs;

    (void)state;
    cfg_init(&c, "tok_alice_FAKE_0001", "acme");
    err_clear(&e);
    assert_int_equal(fk_fault(&F, "{\"server\":\"textus\",\"method\":\"GET\",\"path_re\":"
                                  "\"^/acme/opt_outs/\",\"action\":{\"status\":429,"
                                  "\"retry_after\":1}}"),
                     0);
    since = fk_last_seq(&F);
    assert_int_equal(textus_get_opt_out(&c, "+13035550177", &opted, &e), 0);
    recs = fk_requests(&F, "textus", since);
    assert_int_equal(cJSON_GetArraySize(recs), 2);
    assert_int_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(recs, 0), "status")->valueint, 429);
    /* the retry came no earlier than Retry-After allowed (fake timestamps, ms precision) */
    assert_true(rec_t(cJSON_GetArrayItem(recs, 1)) - rec_t(cJSON_GetArrayItem(recs, 0)) >= 0.995);
    cJSON_Delete(recs);

    /* a Retry-After beyond the retry budget: give up at once, report the wait */
    assert_int_equal(fk_fault(&F, "{\"server\":\"textus\",\"method\":\"GET\",\"path_re\":"
                                  "\"^/acme/opt_outs/\",\"action\":{\"status\":429,"
                                  "\"retry_after\":120}}"),
                     0);
    since = fk_last_seq(&F);
    assert_int_equal(textus_get_opt_out(&c, "+13035550177", &opted, &e), -1);
    assert_int_equal(e.code, ERR_RATE_LIMITED);
    assert_int_equal(e.retry_after_ms, 120000);
    assert_int_equal(fk_count(&F, "textus", "GET", "/acme/opt_outs/", since), 1);
}

static void test_hold_per_origin(void **state)
{
    struct textus_config c;
    struct textus_message m;
    struct err e;
    int opted = -1, since;
    cJSON *recs;
    char url[256];
    struct http_request req;
    struct http_response resp;

    (void)state;
    cfg_init(&c, "tok_alice_FAKE_0001", "acme");
    err_clear(&e);

    /* (a) a 429 + Retry-After: 1 on the send route; a GET on another route of the same
     * origin goes out no earlier than 1 s after it (fake timestamps) */
    assert_int_equal(fk_fault(&F, "{\"server\":\"textus\",\"method\":\"POST\",\"path_re\":"
                                  "\"^/acme/messages$\",\"action\":{\"status\":429,"
                                  "\"retry_after\":1}}"),
                     0);
    since = fk_last_seq(&F);
    assert_int_equal(textus_send_message(&c, "+13035550123", "hold a", &m, &e), -1);
    assert_int_equal(e.code, ERR_RATE_LIMITED);
    err_clear(&e);
    assert_int_equal(textus_get_opt_out(&c, "+13035550177", &opted, &e), 0);
    recs = fk_requests(&F, "textus", since);
    assert_int_equal(cJSON_GetArraySize(recs), 2);
    assert_int_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(recs, 0), "status")->valueint, 429);
    assert_string_equal(fk_rec_str(cJSON_GetArrayItem(recs, 1), NULL, "method"), "GET");
    assert_true(rec_t(cJSON_GetArrayItem(recs, 1)) - rec_t(cJSON_GetArrayItem(recs, 0)) >= 0.995);
    cJSON_Delete(recs);

    /* the same for a 503 + Retry-After */
    assert_int_equal(fk_fault(&F, "{\"server\":\"textus\",\"method\":\"POST\",\"path_re\":"
                                  "\"^/acme/messages$\",\"action\":{\"status\":503,"
                                  "\"headers\":{\"Retry-After\":\"1\"}}}"),
                     0);
    since = fk_last_seq(&F);
    assert_int_equal(textus_send_message(&c, "+13035550123", "hold b", &m, &e), -1);
    err_clear(&e);
    assert_int_equal(textus_get_opt_out(&c, "+13035550177", &opted, &e), 0);
    recs = fk_requests(&F, "textus", since);
    assert_int_equal(cJSON_GetArraySize(recs), 2);
    assert_int_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(recs, 0), "status")->valueint, 503);
    assert_true(rec_t(cJSON_GetArrayItem(recs, 1)) - rec_t(cJSON_GetArrayItem(recs, 0)) >= 0.995);
    cJSON_Delete(recs);

    /* (b) a long Retry-After: the next request to the origin is answered at once as
     * rate_limited with the time left, and nothing reaches the server */
    assert_int_equal(fk_fault(&F, "{\"server\":\"textus\",\"method\":\"POST\",\"path_re\":"
                                  "\"^/acme/messages$\",\"action\":{\"status\":429,"
                                  "\"retry_after\":30}}"),
                     0);
    assert_int_equal(textus_send_message(&c, "+13035550123", "hold c", &m, &e), -1);
    assert_int_equal(e.code, ERR_RATE_LIMITED);
    err_clear(&e);
    since = fk_last_seq(&F);
    assert_int_equal(textus_get_opt_out(&c, "+13035550177", &opted, &e), -1);
    assert_int_equal(e.code, ERR_RATE_LIMITED);
    assert_true(e.retry_after_ms > 25000 && e.retry_after_ms <= 35000); /* + jitter */
    assert_int_equal(fk_count(&F, "textus", NULL, NULL, since), 0);

    /* (c) another origin (the Harvest fake) is not held */
    snprintf(url, sizeof(url), "%s/v1/users", F.harvest);
    memset(&req, 0, sizeof(req));
    req.method = HTTP_GET;
    req.url = url;
    req.idempotent = 1;
    err_clear(&e);
    assert_int_equal(http_request(&req, &resp, &e), 0);
    assert_true(resp.status != 429);
    assert_true(resp.attempts >= 1);
    http_response_free(&resp);
    assert_int_equal(fk_count(&F, "harvest", "GET", "/v1/users", since), 1);

    /* http_hold_reset forgets the hold: the textus origin is reached again */
    http_hold_reset();
    err_clear(&e);
    assert_int_equal(textus_get_opt_out(&c, "+13035550177", &opted, &e), 0);
    assert_int_equal(fk_count(&F, "textus", "GET", "/acme/opt_outs/", since), 1);
}

static void test_keepalive_one_connection(void **state)
{
    struct textus_config c;
    struct err e;
    int before, after, i, opted;
    struct textus_message m;

    (void)state;
    cfg_init(&c, "tok_alice_FAKE_0001", "acme");
    err_clear(&e);
    http_cleanup(); /* start from no connection */
    before = fk_conn(&F, "textus", "api");
    for (i = 0; i < 15; i++)
        assert_int_equal(textus_get_opt_out(&c, "+13035550177", &opted, &e), 0);
    assert_int_equal(textus_send_message(&c, "+13035550190", "keep-alive", &m, &e), 0);
    for (i = 0; i < 5; i++)
        assert_int_equal(textus_get_message(&c, m.id, &m, &e), 0);
    after = fk_conn(&F, "textus", "api");
    assert_int_equal(after - before, 1); /* 21 requests, one TCP connection */
}

static void test_next_link_to_other_site(void **state)
{
    struct textus_config c;
    struct err e;
    cJSON *arr = cJSON_CreateArray();
    int since;

    (void)state;
    cfg_init(&c, "tok_alice_FAKE_0001", "acme");
    err_clear(&e);
    assert_int_equal(fk_fault(&F, "{\"server\":\"textus\",\"path_re\":\"^/accounts$\",\"action\":"
                                  "{\"status\":200,\"body\":{\"members\":[],\"view\":{\"next\":"
                                  "\"https://evil.example/accounts?page=2\"}}}}"),
                     0);
    since = fk_last_seq(&F);
    assert_int_equal(textus_list_accounts(&c, arr, &e), -1);
    assert_int_equal(e.code, ERR_UPSTREAM_INVALID);
    assert_int_equal(fk_count(&F, "textus", NULL, NULL, since), 1);
    cJSON_Delete(arr);
}

/* A service's error message longer than the buffer it is quoted in (apijson_error_message,
 * 300 bytes in textus_map and gh_map) is shortened at a word with "…", never mid-word and
 * never inside a UTF-8 character. */
static void test_long_service_message_cut_at_word(void **state)
{
    char body[1200], out[300];
    size_t o = 0, n;
    int i;

    (void)state;
    o += (size_t)snprintf(body + o, sizeof(body) - o, "{\"message\": \"");
    for (i = 0; i < 40; i++) /* "résumé " is 9 bytes: 360 bytes of words with 2-byte letters */
        o += (size_t)snprintf(body + o, sizeof(body) - o, "r\xc3\xa9sum\xc3\xa9 ");
    o += (size_t)snprintf(body + o, sizeof(body) - o, "end\"}");
    apijson_error_message(body, o, NULL, 0, out, sizeof(out));
    n = strlen(out);
    assert_true(n > 200 && n < sizeof(out));
    assert_memory_equal(out + n - 3, "\xe2\x80\xa6", 3);
    assert_true(utf8_valid(out, n));
    /* whole words only: "résumé" repeated, separated by spaces */
    assert_memory_equal(out + n - 3 - 8, "r\xc3\xa9sum\xc3\xa9", 8);
    assert_true(out[n - 3 - 9] == ' ');
}

/* A server that echoes what it was sent: the credentials given (each occurrence, wherever it
 * stands) and any run log_redact takes for a secret leave as "[redacted]"; the rest of the
 * message, its digits included, stays (apijson_error_message, the one place a server's text
 * becomes an error message). */
static void test_service_message_without_secrets(void **state)
{
    const char *secrets[] = {NULL, "tok_short_01", "ab", "csecret_xyz"};
    const char *body = "{\"message\": \"bad token tok_short_01 (tok_short_01x) for client "
                       "csecret_xyz; session AbCdEfGhIjKlMnOpQrStUvWx at 8005550123\", "
                       "\"errors\": [\"ab ok\"]}";
    char out[300];

    (void)state;
    apijson_error_message(body, strlen(body), secrets, 4, out, sizeof(out));
    assert_string_equal(out, "bad token [redacted] ([redacted]x) for client [redacted]; session "
                             "[redacted] at 8005550123 (ab ok)");
}

/* The OptOut examples of https://apidocs.next.textus.com/docs/opt_outs/show (user null) and
 * .../opt_outs/update (the User embedded): who locked the number and when. */
static void test_parse_opt_out(void **state)
{
    struct textus_opt_out o;
    struct err e;
    const char *show =
        "{\"@type\":\"OptOut\",\"id\":\"/textus/opt_outs/+15553031234\",\"createdAt\":"
        "\"2020-07-30T15:18:52.133Z\",\"formattedPhoneNumber\":\"5553031234\",\"user\":null,"
        "\"createdVia\":\"User\",\"originatingAccount\":{\"@type\":\"Account\",\"id\":"
        "\"/accounts/my_account\",\"name\":\"My Account\"}}";
    const char *update =
        "{\"@type\":\"OptOut\",\"createdAt\":\"2022-09-01T16:47:10.028439Z\",\"createdVia\":"
        "\"User\",\"user\":{\"@type\":\"User\",\"id\":\"/users/wqyODPA\",\"name\":"
        "\"Chuck Norris\"}}";

    (void)state;
    err_clear(&e);
    assert_int_equal(textus_parse_opt_out(show, strlen(show), &o, &e), 0);
    assert_string_equal(o.created_at, "2020-07-30T15:18:52.133Z");
    assert_string_equal(o.created_via, "User");
    assert_string_equal(o.user, "");
    assert_string_equal(o.account, "/accounts/my_account");
    assert_string_equal(o.account_name, "My Account");
    assert_int_equal(textus_parse_opt_out(update, strlen(update), &o, &e), 0);
    assert_string_equal(o.user, "/users/wqyODPA");
    assert_string_equal(o.user_name, "Chuck Norris");
    assert_string_equal(o.account, "");
    assert_int_equal(textus_parse_opt_out("[1]", 3, &o, &e), -1);
    assert_int_equal(e.code, ERR_UPSTREAM_INVALID);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_opt_out),
        cmocka_unit_test_setup(test_accounts_pagination_and_headers, reset),
        cmocka_unit_test_setup(test_verify_account, reset),
        cmocka_unit_test_setup(test_send_get_message, reset),
        cmocka_unit_test_setup(test_send_errors, reset),
        cmocka_unit_test_setup(test_drop_after_outcome_unknown, reset),
        cmocka_unit_test_setup(test_opt_outs, reset),
        cmocka_unit_test_setup(test_conversation, reset),
        cmocka_unit_test_setup(test_contacts, reset),
        cmocka_unit_test_setup(test_get_retries_5xx, reset),
        cmocka_unit_test_setup(test_retry_after_honoured, reset),
        cmocka_unit_test_setup(test_hold_per_origin, reset),
        cmocka_unit_test_setup(test_keepalive_one_connection, reset),
        cmocka_unit_test_setup(test_next_link_to_other_site, reset),
        cmocka_unit_test(test_long_service_message_cut_at_word),
        cmocka_unit_test(test_service_message_without_secrets),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
