/*
 * bulk — one text to many candidates, as a list of single sends (see bulk.h).
 * [engine]
 */
#include "bulk.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "compose.h"
#include "gh_config.h"
#include "greenhouse.h"
#include "http.h"
#include "iso8601.h"
#include "log.h"
#include "now.h"
#include "os.h"
#include "outbox.h"
#include "phone.h"
#include "quiet.h"
#include "send.h"
#include "store.h"
#include "textus.h"

#define BULK_RATE_RETRIES 3        /* a text refused with 429 is tried again this often */
#define BULK_WAIT_MAX_MS  120000LL /* the longest Retry-After a bulk waits for */
#define BULK_PACED_MAX_MS 900000LL /* the longest a candidate waits for TextUs's window */

#define BULK_ID_RULE                                                                               \
    "\"request_id\" of a bulk must be 1-45 characters of A-Z a-z 0-9 _ - (each candidate's "       \
    "text is journaled as \"<request_id>:<candidate_id>\", at most 64)"

static void bulk_sleep_ms(int64_t ms)
{
    while (ms > 0) { /* os_sleep_ms takes an int: a day at most per call */
        int step = ms > 86400000 ? 86400000 : (int)ms;
        os_sleep_ms(step);
        ms -= step;
    }
}

/* The pace between two new texts (a test build may shorten it: TH_TEST_BULK_PACE_MS). */
static int64_t bulk_pace_ms(void)
{
#if defined(TH_FAILPOINTS) && TH_FAILPOINTS
    const char *v = os_getenv("TH_TEST_BULK_PACE_MS");
    if (v && *v) {
        char *end = NULL;
        long long n = strtoll(v, &end, 10);
        if (end && *end == '\0' && n >= 0 && n <= 60000)
            return n;
    }
#endif
    return BULK_PACE_MS;
}

static int bulk_id_ok(const char *s)
{
    return send_request_id_ok(s) && strlen(s) <= OUTBOX_BULK_ID_MAX;
}

/* 1 for a state after which nothing more happens to a candidate. */
static int bulk_state_final(const char *s)
{
    return strcmp(s, "sent") == 0 || strcmp(s, "scheduled") == 0 || strcmp(s, "skipped") == 0 ||
           strcmp(s, "failed") == 0 || strcmp(s, "cancelled") == 0;
}

/* ---- the request ---- */

/* Validate and split the candidate list: valid distinct ids (pointers into req) in order, and
 * the rest as {candidate_id, reason} in skipped. 0, or -1 with *e set. */
static int bulk_candidates(const cJSON *arr, const char **ids, size_t *n, const char **raw,
                           size_t *n_raw, cJSON *skipped, struct err *e)
{
    const cJSON *it;
    size_t i, count = 0;

    *n = *n_raw = 0;
    if (!cJSON_IsArray(arr)) {
        err_set(e, ERR_BAD_REQUEST, "\"candidate_ids\" must be an array of 1-%d candidate ids",
                OUTBOX_BULK_ITEMS_MAX);
        return -1;
    }
    count = (size_t)cJSON_GetArraySize(arr);
    if (count < 1 || count > OUTBOX_BULK_ITEMS_MAX) {
        err_set(e, ERR_BAD_REQUEST, "\"candidate_ids\" must hold 1-%d candidate ids (it holds %zu)",
                OUTBOX_BULK_ITEMS_MAX, count);
        return -1;
    }
    cJSON_ArrayForEach(it, arr)
    {
        const char *id = cJSON_IsString(it) ? it->valuestring : NULL;
        const char *reason = NULL;
        if (!id) {
            err_set(e, ERR_BAD_REQUEST,
                    "\"candidate_ids\"[%zu] must be a string (a Greenhouse candidate id)", *n_raw);
            return -1;
        }
        raw[(*n_raw)++] = id;
        if (!phone_gh_id_valid(id))
            reason = "invalid_id";
        for (i = 0; !reason && i < *n; i++) {
            if (strcmp(ids[i], id) == 0)
                reason = "duplicate";
        }
        if (reason) {
            cJSON *s = cJSON_CreateObject();
            char shown[40];
            if (!s) {
                err_set(e, ERR_INTERNAL, "out of memory");
                return -1;
            }
            /* an invalid id is shown cut to a length a person can read */
            snprintf(shown, sizeof(shown), "%s", id);
            cJSON_AddStringToObject(s, "candidate_id", shown);
            cJSON_AddStringToObject(s, "reason", reason);
            cJSON_AddItemToArray(skipped, s);
            continue;
        }
        ids[(*n)++] = id;
    }
    return 0;
}

static int bulk_counts_of(struct outbox *ob, const char *request_id, struct bulk_counts *k,
                          struct outbox_bulk_item **items_out, size_t *n_out, struct err *e)
{
    struct outbox_bulk_item *items = NULL;
    struct outbox_bulk b;
    size_t n = 0, i;
    int found;

    memset(k, 0, sizeof(*k));
    found = outbox_bulk_get(ob, request_id, &b, e);
    if (found <= 0) {
        if (found == 0)
            err_set(e, ERR_NOT_FOUND,
                    "no bulk with request id %s is known to this host (a bulk is kept for 30 "
                    "days)",
                    request_id);
        return -1;
    }
    k->was_cancelled = b.cancelled_ms != 0;
    outbox_bulk_free(&b);
    if (outbox_bulk_items(ob, request_id, 0, &items, &n, e) != 0)
        return -1;
    k->total = (long)n;
    for (i = 0; i < n; i++) {
        const char *s = items[i].state;
        if (strcmp(s, "sent") == 0)
            k->sent++;
        else if (strcmp(s, "scheduled") == 0)
            k->scheduled++;
        else if (strcmp(s, "skipped") == 0)
            k->skipped++;
        else if (strcmp(s, "failed") == 0)
            k->failed++;
        else if (strcmp(s, "cancelled") == 0)
            k->cancelled++;
        else if (strcmp(s, "ready") == 0 || strcmp(s, "unknown") == 0)
            k->sending++;
    }
    k->done = k->sent + k->scheduled + k->skipped + k->failed + k->cancelled;
    k->finished = k->done == k->total;
    if (items_out) {
        *items_out = items;
        *n_out = n;
    } else {
        outbox_bulk_items_free(items, n);
    }
    return 0;
}

void bulk_counts_json(cJSON *obj, const char *request_id, const struct bulk_counts *k, int final)
{
    cJSON_AddStringToObject(obj, "request_id", request_id);
    cJSON_AddNumberToObject(obj, "done", (double)k->done);
    cJSON_AddNumberToObject(obj, "total", (double)k->total);
    cJSON_AddNumberToObject(obj, "sent", (double)k->sent);
    cJSON_AddNumberToObject(obj, "scheduled", (double)k->scheduled);
    cJSON_AddNumberToObject(obj, "skipped", (double)k->skipped);
    cJSON_AddNumberToObject(obj, "failed", (double)k->failed);
    cJSON_AddNumberToObject(obj, "cancelled", (double)k->cancelled);
    if (final)
        cJSON_AddBoolToObject(obj, "finished", k->finished);
}

/* The request's "body": a string that is not only blanks; NULL (e set) otherwise. */
static const char *bulk_body(const cJSON *req, struct err *e)
{
    const char *body = handler_string(req, "body", 1, ERR_BAD_REQUEST, e), *p;

    if (!body)
        return NULL;
    for (p = body; *p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'; p++)
        ;
    if (!*p) {
        err_set(e, ERR_BAD_REQUEST, "\"body\" is empty");
        return NULL;
    }
    /* a field no candidate can have would skip them all (merge_missing): refused up front */
    if (compose_check_fields(body, e) != 0)
        return NULL;
    return body;
}

/* The request's optional "job_id" ({job} and {stage} are that job's application): *job NULL
 * when absent. 0, or -1 with *e set. */
static int bulk_job(const cJSON *req, const char **job, struct err *e)
{
    const cJSON *jv = cJSON_GetObjectItemCaseSensitive(req, "job_id");

    *job = NULL;
    if (jv && !cJSON_IsNull(jv)) {
        if (!cJSON_IsString(jv) || !phone_gh_id_valid(jv->valuestring)) {
            err_set(e, ERR_BAD_REQUEST,
                    "\"job_id\" must be a Greenhouse job id: 1-18 digits, not 0");
            return -1;
        }
        *job = jv->valuestring;
    }
    return 0;
}

int bulk_start(const cJSON *req, cJSON *result, int *drive, struct err *e)
{
    const char *rid, *body, *job = NULL, *mode, *vis = NULL;
    const cJSON *arr, *note;
    const char **ids = NULL, **raw = NULL;
    size_t n = 0, n_raw = 0;
    struct outbox_bulk_req br;
    struct bulk_counts k;
    unsigned char hash[32];
    struct send_ctx *c;
    cJSON *skipped;
    int rc = -1, rec, claimed;

    *drive = 0;
    rid = handler_string(req, "request_id", 1, ERR_BAD_REQUEST, e);
    if (!rid)
        return -1;
    if (!bulk_id_ok(rid)) {
        err_set(e, ERR_BAD_REQUEST, BULK_ID_RULE);
        return -1;
    }
    body = bulk_body(req, e);
    if (!body)
        return -1;
    mode = handler_string(req, "quiet_hours", 1, ERR_BAD_REQUEST, e);
    if (!mode)
        return -1;
    if (strcmp(mode, "schedule") != 0 && strcmp(mode, "skip") != 0) {
        err_set(e, ERR_BAD_REQUEST,
                "\"quiet_hours\" must be \"schedule\" (a candidate outside the hours texts are "
                "allowed is texted at the next allowed time) or \"skip\"");
        return -1;
    }
    if (bulk_job(req, &job, e) != 0)
        return -1;
    note = handler_object(req, "note", 0, ERR_BAD_REQUEST, e);
    if (!note && e->code != ERR_OK)
        return -1;
    if (note) {
        vis = handler_string(note, "visibility", 0, ERR_BAD_REQUEST, e);
        if (!vis && e->code != ERR_OK)
            return -1;
        if (vis && strcmp(vis, "private") != 0 && strcmp(vis, "public") != 0 &&
            strcmp(vis, "admin_only") != 0) {
            err_set(e, ERR_BAD_REQUEST,
                    "\"note.visibility\" must be private, public or admin_only");
            return -1;
        }
    }
    arr = cJSON_GetObjectItemCaseSensitive(req, "candidate_ids");
    ids = calloc(OUTBOX_BULK_ITEMS_MAX, sizeof(*ids));
    raw = calloc(OUTBOX_BULK_ITEMS_MAX, sizeof(*raw));
    skipped = cJSON_CreateArray();
    if (!ids || !raw || !skipped) {
        err_set(e, ERR_INTERNAL, "out of memory");
        goto out;
    }
    if (bulk_candidates(arr, ids, &n, raw, &n_raw, skipped, e) != 0)
        goto out;
    if (send_port(&c, 1, e) != 0)
        goto out;
    if (!vis)
        vis = store_note_visibility(c->store);
    outbox_bulk_list_hash(c->ob, hash, body, job, mode, vis, raw, n_raw);
    memset(&br, 0, sizeof(br));
    br.request_id = rid;
    br.body = body;
    br.job_id = job;
    br.quiet_mode = mode;
    br.visibility = vis;
    br.candidate_ids = ids;
    br.n = n;
    br.list_hash = hash;
    rec = outbox_bulk_begin(c->ob, &br, e);
    if (rec < 0)
        goto out;
    if (bulk_counts_of(c->ob, rid, &k, NULL, NULL, e) != 0)
        goto out;
    claimed = 0;
    if (!k.finished) {
        claimed = outbox_bulk_claim(c->ob, rid, e);
        if (claimed < 0)
            goto out;
    }
    cJSON_AddStringToObject(result, "request_id", rid);
    cJSON_AddNumberToObject(result, "accepted", (double)n);
    cJSON_AddItemToObject(result, "skipped", skipped);
    skipped = NULL;
    cJSON_AddNumberToObject(result, "total", (double)n);
    cJSON_AddBoolToObject(result, "replayed", rec == 0);
    cJSON_AddBoolToObject(result, "finished", k.finished);
    cJSON_AddBoolToObject(result, "driving", claimed == 1);
    if (rec == 0)
        log_msg("bulk %s: the same request again (%ld of %ld done)", rid, k.done, k.total);
    *drive = claimed == 1;
    rc = 0;
out:
    cJSON_Delete(skipped);
    free(ids);
    free(raw);
    return rc;
}

/* ---- one candidate ---- */

/* The number to text among the Greenhouse numbers, by extract_phone's Greenhouse fallback rule
 * (phone_gh_rank, the one copy): 1 found (out), 0 none. */
static int bulk_pick(const cJSON *numbers, char *out, size_t outsz)
{
    const cJSON *item;
    int best = 99;

    out[0] = '\0';
    cJSON_ArrayForEach(item, numbers)
    {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(item, "value");
        const cJSON *t = cJSON_GetObjectItemCaseSensitive(item, "type");
        struct phone_number n;
        int r;
        if (!cJSON_IsString(v) || !phone_parse_value(&n, v->valuestring, strlen(v->valuestring)))
            continue;
        n.label = phone_label_from_type(cJSON_IsString(t) ? t->valuestring : NULL);
        r = phone_gh_rank(&n);
        if (r < best) {
            best = r;
            snprintf(out, outsz, "%s", n.e164);
        }
    }
    return best < 99;
}

/* What a run keeps between candidates. */
struct bulk_run {
    const char *request_id;
    struct send_ctx *c;
    struct outbox_bulk b;
    struct gh_config cfg;
    struct gh_config_src src;
    struct gh_client *gh;
    int gh_tried;
    char rfirst[COMPOSE_NAME_MAX], rfull[2 * COMPOSE_NAME_MAX];
    int64_t last_post_ms;
    int64_t pace_ms;
    long long job_id;                    /* the bulk's job_id, 0: none */
    int company_tried;                   /* {company}: the account's name was read (once per run) */
    char company[256];                   /* the name; "" when the account has none */
    char name[2 * COMPOSE_NAME_MAX + 2]; /* the candidate's being planned, "" not read */
};

/* 1 when the bulk's body holds the merge field "{name}" (compose.h: exactly that spelling). */
static int bulk_uses(const struct bulk_run *R, const char *field)
{
    return R->b.body && strstr(R->b.body, field) != NULL;
}

/* {company}: the TextUs account's name, as saved_replies fills it (GET /accounts,
 * https://apidocs.next.textus.com/docs/accounts/index: `name`), read only for a body that has
 * the field, and once per run once read. A read that fails is not a missing value: the
 * candidate fails with its error code (as a text whose POST fails) and the next candidate asks
 * again, so a brief outage fails only the candidates of its span (each read is retried as any
 * idempotent request is: http.c); a 429 still after those is waited for as a text's is. 0
 * (*out the name, "" when the account has none), or -1 with *e set. */
static int bulk_company(struct bulk_run *R, const char **out, struct err *e)
{
    struct textus_account acct;
    int tries, rc = -1;

    *out = R->company;
    if (R->company_tried)
        return 0;
    for (tries = 0;; tries++) {
        memset(&acct, 0, sizeof(acct));
        err_clear(e);
        rc = textus_verify_account(&R->c->tx, &acct, e);
        if (rc == 0 || e->code != ERR_RATE_LIMITED || tries >= BULK_RATE_RETRIES)
            break;
        bulk_sleep_ms(e->retry_after_ms > 0 && e->retry_after_ms < BULK_WAIT_MAX_MS
                          ? e->retry_after_ms
                          : 5000);
    }
    if (rc != 0) {
        log_msg("bulk %s: the TextUs account's name: %s", R->request_id, e->message);
        return -1;
    }
    R->company_tried = 1;
    snprintf(R->company, sizeof(R->company), "%s", acct.name);
    return 0;
}

/* The Greenhouse client for the candidates' reads, and the recruiter's names (once). */
static int bulk_gh(struct bulk_run *R, struct err *e)
{
    char rlast[COMPOSE_NAME_MAX];
    struct err ge;

    if (R->gh)
        return 0;
    if (R->gh_tried) {
        err_set(e, ERR_NOT_CONFIGURED, "Greenhouse is not configured");
        return -1;
    }
    R->gh_tried = 1;
    /* a store of its own: the port's may be reloaded by the sends in between (send_port) */
    if (gh_config_from_store(&R->cfg, &R->src, e) != 0 || gh_client_new(&R->gh, &R->cfg, e) != 0)
        return -1;
    gh_config_seed_client(R->gh, &R->src);
    err_clear(&ge);
    if (gh_user_names(R->gh, R->rfirst, sizeof(R->rfirst), rlast, sizeof(rlast), &ge) == 0)
        snprintf(R->rfull, sizeof(R->rfull), "%s%s%s", R->rfirst,
                 R->rfirst[0] && rlast[0] ? " " : "", rlast);
    else
        log_msg("bulk %s: the recruiter's name: %s", R->request_id, ge.message);
    return 0;
}

/* A candidate's outcome, recorded. */
static void bulk_set(struct bulk_run *R, const char *cid, const char *state, const char *reason,
                     const char *detail, const char **st_out, const char **re_out)
{
    struct err e;

    err_clear(&e);
    if (outbox_bulk_item_set(R->c->ob, R->request_id, cid, state, reason, detail, &e) < 0)
        log_msg("bulk %s: recording candidate %s: %s", R->request_id, cid, e.message);
    *st_out = state;
    *re_out = reason;
}

/* Wait for the pace (or a 429's Retry-After) before a new text. */
static void bulk_pace(struct bulk_run *R)
{
    int64_t now = now_mono_ms(), wait;

    if (R->last_post_ms) {
        wait = R->last_post_ms + R->pace_ms - now;
        bulk_sleep_ms(wait);
    }
    R->last_post_ms = now_mono_ms();
}

/* The one retry of a candidate's text: "<request_id>:<candidate_id>:2" (bulk.h). 0, or -1 when
 * it would not fit the journal's 64 bytes (then there is no retry). */
static int bulk_retry_id(char out[OUTBOX_REQUEST_ID_MAX + 1], const char *rid_item)
{
    int n = snprintf(out, OUTBOX_REQUEST_ID_MAX + 1, "%s" BULK_RETRY_SUFFIX, rid_item);

    return (n < 0 || n > OUTBOX_REQUEST_ID_MAX) ? -1 : 0;
}

/* 1 when rid's journal entry was decided not sent by a reconciliation (TextUs's conversation
 * has no message of it: a host killed between the journal entry and the POST). */
static int bulk_reconciled_not_sent(struct bulk_run *R, const char *rid)
{
    struct outbox_entry en;
    struct err e;
    int r;

    err_clear(&e);
    if (outbox_get(R->c->ob, rid, &en, &e) != 1)
        return 0;
    r = en.send_state == OUTBOX_SEND_NOT_SENT && strcmp(en.send_error_code, "not_sent") == 0;
    outbox_entry_free(&en);
    return r;
}

/* 1 when rid is journaled. */
static int bulk_journaled(struct bulk_run *R, const char *rid)
{
    struct outbox_entry en;
    struct err e;

    err_clear(&e);
    if (outbox_get(R->c->ob, rid, &en, &e) != 1)
        return 0;
    outbox_entry_free(&en);
    return 1;
}

/*
 * Send (or replay) candidate cid's text: to, body, send_at (epoch s, 0 now) are what the
 * item holds. Fills *state / *reason.
 */
static void bulk_text(struct bulk_run *R, const char *cid, const char *rid_item, const char *to,
                      const char *body, int64_t send_at, int fresh, const char **state,
                      const char **reason)
{
    struct send_request r;
    struct err e;
    cJSON *res;
    int tries, rc;
    int64_t paced = 0;

    for (tries = 0;; tries++) {
        memset(&r, 0, sizeof(r));
        r.request_id = rid_item;
        r.candidate_id = cid;
        r.to = to;
        r.body = body;
        r.visibility = R->b.visibility[0] ? R->b.visibility : NULL;
        r.schedule = send_at > 0;
        r.send_at = send_at;
        r.bulk_item = 1;
        res = cJSON_CreateObject();
        err_clear(&e);
        if (fresh || tries > 0)
            bulk_pace(R); /* a replay makes no new POST */
        /* work that can wait (http_request.pace): while the TextUs token's shared window
         * (X-RateLimit-*, every host process of the computer) is down to its last fifth, its
         * requests are not sent and answered here as a 429, so the bulk slows down and the rest
         * is left to the recruiter's own texts, which are never held back by it */
        R->c->tx.pace = 1;
        rc = res ? send_sms(&r, res, &e) : -1;
        R->c->tx.pace = 0;
        if (!res)
            err_set(&e, ERR_INTERNAL, "out of memory");
        cJSON_Delete(res);
        if (rc == 0) {
            bulk_set(R, cid, send_at > 0 ? "scheduled" : "sent", NULL, NULL, state, reason);
            return;
        }
        if (e.code == ERR_RATE_LIMITED && paced < BULK_PACED_MAX_MS) {
            /* held back here (the window nearly spent, or a Retry-After hold) or refused with a
             * 429: nothing was sent, so it is not one of the tries; wait for the window's reset
             * (with this process's jitter: http_paced_wake_ms) or the Retry-After */
            int64_t w = e.retry_after_ms > 0 ? e.retry_after_ms
                                             : (int64_t)(http_paced_wake_ms() - now_wall_ms());
            if (w <= 0)
                w = 5000;
            w += 50;
            if (w > BULK_WAIT_MAX_MS)
                w = BULK_WAIT_MAX_MS;
            log_msg("bulk %s: TextUs's window is nearly spent; waiting %lld ms", R->request_id,
                    (long long)w);
            bulk_sleep_ms(w);
            paced += w;
            tries--;
            continue;
        }
        if (e.code == ERR_RATE_LIMITED && tries < BULK_RATE_RETRIES) {
            int64_t w = e.retry_after_ms > 0 ? e.retry_after_ms : 5000;
            log_msg("bulk %s: TextUs asks to slow down; waiting %lld ms", R->request_id,
                    (long long)w);
            bulk_sleep_ms(w < BULK_WAIT_MAX_MS ? w : BULK_WAIT_MAX_MS);
            continue;
        }
        break;
    }
    log_msg("bulk %s: candidate %s: %s: %s", R->request_id, cid, err_code_name(e.code), e.message);
    if (e.code == ERR_NOT_SENT && !fresh && send_at == 0) {
        /* replayed, and the reconciliation says that text never went out (a host killed
         * between its journal entry and its POST): once more, under the retry id — itself
         * journaled, so replays of the retry never text twice either. A scheduled text is not
         * retried: its time has passed by the time it is known not sent. */
        char rid2[OUTBOX_REQUEST_ID_MAX + 1];
        size_t rl = strlen(rid_item), sl = strlen(BULK_RETRY_SUFFIX);
        int is_retry = rl > sl && strcmp(rid_item + rl - sl, BULK_RETRY_SUFFIX) == 0;
        if (!is_retry && bulk_retry_id(rid2, rid_item) == 0 &&
            bulk_reconciled_not_sent(R, rid_item)) {
            log_msg("bulk %s: candidate %s was not texted; texting them once more as %s",
                    R->request_id, cid, rid2);
            bulk_text(R, cid, rid2, to, body, send_at, !bulk_journaled(R, rid2), state, reason);
            return;
        }
    }
    switch (e.code) {
    case ERR_OPTED_OUT:
        bulk_set(R, cid, "skipped", "opted_out", e.message, state, reason);
        break;
    case ERR_BLOCKED:
        bulk_set(R, cid, "skipped", "blocked", e.message, state, reason);
        break;
    case ERR_QUIET_HOURS:
        bulk_set(R, cid, "skipped", "quiet_hours", e.message, state, reason);
        break;
    case ERR_OUTCOME_UNKNOWN:
        /* the journal holds it: reconciled on the next pass or the next bulk_send */
        bulk_set(R, cid, "unknown", "outcome_unknown", e.message, state, reason);
        break;
    default:
        bulk_set(R, cid, "failed", err_code_name(e.code), e.message, state, reason);
        break;
    }
}

/* What a candidate's text will be (number, merge, quiet hours), before anything is journaled:
 * the one rule of bulk_send and bulk_preview. */
struct bulk_plan {
    char to[32];
    char *body;                                           /* merged (malloc'd), NULL unless ready */
    int64_t send_at;                                      /* epoch s, 0: now */
    char first[COMPOSE_NAME_MAX], last[COMPOSE_NAME_MAX]; /* as Greenhouse has them */
    const char *state;                                    /* NULL: ready; "skipped", "failed" */
    const char *reason;                                   /* a skip reason, or an error code */
    char detail[ERR_MESSAGE_MAX];
    struct err fail; /* state "failed": the error */
};

static void bulk_plan_free(struct bulk_plan *p)
{
    if (p->body) {
        sodium_memzero(p->body, strlen(p->body));
        free(p->body);
    }
    p->body = NULL;
}

static void bulk_plan_skip(struct bulk_plan *p, const char *reason, const char *detail)
{
    p->state = "skipped";
    p->reason = reason;
    snprintf(p->detail, sizeof(p->detail), "%s", detail ? detail : "");
}

static void bulk_plan_fail(struct bulk_plan *p, const struct err *e)
{
    p->state = "failed";
    p->fail = *e;
    p->reason = err_code_name(e->code);
    snprintf(p->detail, sizeof(p->detail), "%s", e->message);
}

/* Candidate cid's plan: one Greenhouse read (List Candidates by id), then no I/O. */
static void bulk_plan_make(struct bulk_run *R, const char *cid, struct bulk_plan *p)
{
    char first[COMPOSE_NAME_MAX], last[COMPOSE_NAME_MAX], full[COMPOSE_NAME_MAX];
    char joined[2 * COMPOSE_NAME_MAX + 2], detail[256];
    struct gh_candidate_details *det = NULL;
    struct compose_fields f;
    struct quiet_window w;
    struct quiet_result q;
    cJSON *numbers = NULL, *missing = NULL;
    struct err e;
    int64_t now;
    int tries, rc;

    memset(p, 0, sizeof(*p));
    err_clear(&e);
    if (bulk_gh(R, &e) != 0) {
        bulk_plan_fail(p, &e);
        return;
    }
    /* {job} and {stage}: the application of the bulk's job_id, else the only one — v1 from the
     * same record (no other request), v3 as saved_replies reads them (gh_candidate_card) */
    if (bulk_uses(R, "{job}") || bulk_uses(R, "{stage}")) {
        det = calloc(1, sizeof(*det));
        if (!det) {
            err_set(&e, ERR_INTERNAL, "out of memory");
            bulk_plan_fail(p, &e);
            return;
        }
    }
    for (tries = 0;; tries++) {
        long wait;
        cJSON_Delete(numbers);
        numbers = cJSON_CreateArray();
        err_clear(&e);
        rc = numbers ? gh_candidate_card(R->gh, cid, numbers, p->first, sizeof(p->first), p->last,
                                         sizeof(p->last), R->job_id, det, &e)
                     : -1;
        /* a 429 on the record, or on v3's application or job read (det->job_err), is waited
         * for and the whole card read again */
        if (rc != 0 && e.code == ERR_RATE_LIMITED)
            wait = e.retry_after_ms;
        else if (rc == 0 && det && det->job_err.code == ERR_RATE_LIMITED)
            wait = det->job_err.retry_after_ms;
        else
            break;
        if (tries >= BULK_RATE_RETRIES)
            break;
        bulk_sleep_ms(wait > 0 && wait < BULK_WAIT_MAX_MS ? wait : 5000);
    }
    if (rc != 0) {
        if (!numbers)
            err_set(&e, ERR_INTERNAL, "out of memory");
        if (e.code == ERR_GREENHOUSE_NOT_FOUND)
            bulk_plan_skip(p, "not_found", e.message);
        else
            bulk_plan_fail(p, &e);
        goto out;
    }
    if (!bulk_pick(numbers, p->to, sizeof(p->to))) {
        bulk_plan_skip(p, "no_number", "Greenhouse has no US/Canada number for this candidate");
        goto out;
    }
    if (det && det->job_err.code != ERR_OK && det->job_err.code != ERR_GREENHOUSE_PERMISSION &&
        det->job_err.code != ERR_GREENHOUSE_NOT_FOUND) {
        /* the job or stage could not be read (an outage, a 429 still after the waits, refused
         * credentials): not a missing value — the candidate fails with the error's code, as
         * when the record itself cannot be read. A scope missing (403) is the configuration's
         * answer: the fields have no value (merge_missing, below), as in saved_replies. */
        bulk_plan_fail(p, &det->job_err);
        goto out;
    }
    /* merge: the candidate's names as Greenhouse has them */
    snprintf(joined, sizeof(joined), "%s %s", p->first, p->last);
    compose_split_name(joined, first, last, full);
    memset(&f, 0, sizeof(f));
    f.first_name = p->first; /* as Greenhouse has them: an empty one is missing */
    f.last_name = p->last;
    f.full_name = full;
    f.recruiter_first_name = R->rfirst;
    f.recruiter_name = R->rfull;
    if (det && det->job_err.code != ERR_OK)
        log_msg("bulk %s: candidate %s: the job and stage: %s", R->request_id, cid,
                det->job_err.message);
    f.job = det && det->picked ? det->job : NULL;
    f.stage = det && det->picked ? det->stage : NULL;
    if (bulk_uses(R, "{company}") && bulk_company(R, &f.company, &e) != 0) {
        bulk_plan_fail(p, &e);
        goto out;
    }
    missing = cJSON_CreateArray();
    if (!missing || compose_merge(&p->body, R->b.body, &f, missing, &e) != 0) {
        err_set(&e, ERR_INTERNAL, "out of memory");
        bulk_plan_fail(p, &e);
        goto out;
    }
    if (cJSON_GetArraySize(missing) > 0) {
        /* a text never goes out with a field left as written */
        const cJSON *m;
        size_t o = 0;
        detail[0] = '\0';
        cJSON_ArrayForEach(m, missing)
        {
            if (cJSON_IsString(m) && o < sizeof(detail)) {
                int k = snprintf(detail + o, sizeof(detail) - o, "%s{%s}", o ? ", " : "",
                                 m->valuestring);
                o += k > 0 ? (size_t)k : 0;
            }
        }
        if (det && !det->picked && det->job_err.code == ERR_OK &&
            strlen(detail) + 64 < sizeof(detail))
            snprintf(detail + strlen(detail), sizeof(detail) - strlen(detail), " (%s)",
                     det->applications == 0 ? "no application"
                     : R->job_id            ? "no application for the bulk's job"
                                            : "several applications and no job_id");
        else if (det && det->job_err.code != ERR_OK && strlen(detail) + 64 < sizeof(detail))
            snprintf(detail + strlen(detail), sizeof(detail) - strlen(detail),
                     " (Greenhouse would not give the job or stage: %s)",
                     err_code_name(det->job_err.code));
        bulk_plan_skip(p, "merge_missing", detail);
        goto out;
    }
    /* quiet hours in this number's zones */
    now = (int64_t)time(NULL);
    if (quiet_window_parse(&w, store_quiet_hours(R->c->store), &e) != 0 ||
        quiet_check(&q, &w, p->to, now, &e) != 0) {
        bulk_plan_fail(p, &e);
        goto out;
    }
    if (q.verdict == QUIET_UNKNOWN_ZONE) {
        bulk_plan_skip(p, "no_time_zone",
                       "no time zone is known for the number, so the quiet hours cannot be "
                       "checked");
        goto out;
    }
    if (q.verdict == QUIET_QUIET) {
        if (strcmp(R->b.quiet_mode, "schedule") != 0 || !q.has_next) {
            snprintf(detail, sizeof(detail), "outside the hours texts are allowed (%s)",
                     q.has_next ? q.next_allowed_iso : "no allowed time ahead");
            bulk_plan_skip(p, "quiet_hours", detail);
            goto out;
        }
        p->send_at = q.next_allowed;
        if (p->send_at < now + SEND_SCHEDULE_MIN_S + 5)
            p->send_at = now + SEND_SCHEDULE_MIN_S + 5;
    }
out:
    if (p->state)
        bulk_plan_free(p);
    free(det);
    cJSON_Delete(numbers);
    cJSON_Delete(missing);
}

/* A pending candidate: its plan, then its text. */
static void bulk_resolve(struct bulk_run *R, const char *cid, const char *rid_item,
                         const char **state, const char **reason)
{
    struct bulk_plan p;
    struct err e;
    int ready;

    bulk_plan_make(R, cid, &p);
    snprintf(R->name, sizeof(R->name), "%s%s%s", p.first, p.first[0] && p.last[0] ? " " : "",
             p.last);
    if (p.state) {
        bulk_set(R, cid, p.state, p.reason, p.detail, state, reason);
        return;
    }
    err_clear(&e);
    ready =
        outbox_bulk_item_ready(R->c->ob, R->request_id, cid, p.to, p.body, p.send_at * 1000, &e);
    if (ready < 0) {
        bulk_set(R, cid, "failed", err_code_name(e.code), e.message, state, reason);
    } else if (ready == 0) { /* cancelled meanwhile */
        *state = "cancelled";
        *reason = NULL;
    } else {
        bulk_text(R, cid, rid_item, p.to, p.body, p.send_at, 1, state, reason);
        if (strcmp(*state, "sent") == 0 || strcmp(*state, "scheduled") == 0) {
            /* the name Greenhouse gave, kept on the thread: the inbox names who replied */
            char name[2 * COMPOSE_NAME_MAX + 2];
            snprintf(name, sizeof(name), "%s%s%s", p.first, p.first[0] && p.last[0] ? " " : "",
                     p.last);
            err_clear(&e);
            if (outbox_thread_name(R->c->ob, cid, p.to, name, 1, &e) < 0)
                log_msg("bulk %s: candidate %s's name: %s", R->request_id, cid, e.message);
        }
    }
    bulk_plan_free(&p);
}

/* One candidate by its recorded state. */
static void bulk_one(struct bulk_run *R, struct outbox_bulk_item *it, int cancelled,
                     const char **state, const char **reason)
{
    char rid_item[OUTBOX_REQUEST_ID_MAX + 1];
    struct outbox_entry en;
    struct err e;
    int found;

    *state = it->state;
    *reason = it->reason[0] ? it->reason : NULL;
    if (bulk_state_final(it->state))
        return;
    if (outbox_bulk_item_id(rid_item, R->request_id, it->candidate_id) != 0) {
        bulk_set(R, it->candidate_id, "failed", "internal", "the request id does not fit", state,
                 reason);
        return;
    }
    if (strcmp(it->state, "pending") != 0) {
        /* ready or unknown: the journal decides */
        err_clear(&e);
        found = outbox_get(R->c->ob, rid_item, &en, &e);
        if (found < 0) {
            log_msg("bulk %s: %s", R->request_id, e.message);
            return;
        }
        if (found) {
            outbox_entry_free(&en);
            if (it->to && it->body) {
                bulk_text(R, it->candidate_id, rid_item, it->to, it->body, it->send_at_ms / 1000, 0,
                          state, reason);
                return;
            }
        }
        /* nothing journaled: nothing went out; start it again unless cancelled */
        if (cancelled) {
            bulk_set(R, it->candidate_id, "cancelled", NULL, NULL, state, reason);
            return;
        }
        bulk_set(R, it->candidate_id, "pending", NULL, NULL, state, reason);
    }
    if (cancelled) {
        bulk_set(R, it->candidate_id, "cancelled", NULL, NULL, state, reason);
        return;
    }
    bulk_resolve(R, it->candidate_id, rid_item, state, reason);
}

int bulk_run(const char *request_id, bulk_progress_fn progress, void *ud, struct err *e)
{
    struct bulk_run R;
    struct outbox_bulk_item *items = NULL;
    struct outbox_bulk cur;
    struct bulk_counts k;
    size_t n = 0, i;
    int pass, rc = -1, cancelled;

    memset(&R, 0, sizeof(R));
    R.request_id = request_id;
    R.pace_ms = bulk_pace_ms();
    if (send_port(&R.c, 1, e) != 0)
        return -1;
    if (outbox_bulk_get(R.c->ob, request_id, &R.b, e) != 1) {
        if (e->code == ERR_OK)
            err_set(e, ERR_NOT_FOUND, "no bulk with request id %s", request_id);
        return -1;
    }
    R.job_id = R.b.job_id[0] ? strtoll(R.b.job_id, NULL, 10) : 0;
    /* a second pass settles the texts whose outcome was not known on the first */
    for (pass = 0; pass < 2; pass++) {
        if (outbox_bulk_items(R.c->ob, request_id, 1, &items, &n, e) != 0)
            goto out;
        for (i = 0; i < n; i++) {
            const char *state, *reason;
            if (bulk_state_final(items[i].state))
                continue;
            if (pass == 1 && strcmp(items[i].state, "unknown") != 0)
                continue;
            /* the lease, renewed; and a cancel from any process, read before each candidate */
            if (outbox_bulk_claim(R.c->ob, request_id, e) != 1) {
                if (e->code == ERR_OK)
                    err_set(e, ERR_OUTCOME_UNKNOWN,
                            "another host process took this bulk over; ask bulk_status");
                goto out;
            }
            if (outbox_bulk_get(R.c->ob, request_id, &cur, e) != 1)
                goto out;
            cancelled = cur.cancelled_ms != 0;
            outbox_bulk_free(&cur);
            R.name[0] = '\0';
            bulk_one(&R, &items[i], cancelled, &state, &reason);
            if (progress && bulk_counts_of(R.c->ob, request_id, &k, NULL, NULL, e) == 0)
                progress(ud, request_id, &k, items[i].candidate_id, R.name[0] ? R.name : NULL,
                         state, reason, 0);
        }
        outbox_bulk_items_free(items, n);
        items = NULL;
        n = 0;
        if (bulk_counts_of(R.c->ob, request_id, &k, NULL, NULL, e) != 0)
            goto out;
        if (k.finished || k.sending == 0)
            break;
        bulk_sleep_ms(R.pace_ms);
    }
    rc = 0;
out:
    outbox_bulk_items_free(items, n);
    {
        struct err fe;
        err_clear(&fe);
        if (bulk_counts_of(R.c->ob, request_id, &k, NULL, NULL, &fe) == 0) {
            if (k.finished ? outbox_bulk_finish(R.c->ob, request_id, &fe) != 0
                           : outbox_bulk_release(R.c->ob, request_id, &fe) != 0)
                log_msg("bulk %s: %s", request_id, fe.message);
            if (progress)
                progress(ud, request_id, &k, NULL, NULL, NULL, NULL, 1);
        }
    }
    if (R.gh) {
        gh_client_save_cache(R.gh);
        gh_client_free(R.gh);
    }
    if (R.gh_tried)
        gh_config_release(&R.cfg, &R.src);
    if (R.c->gh)
        send_gh_save_cache(R.c->gh);
    outbox_bulk_free(&R.b);
    return rc;
}

/* ---- the confirmation's preview ---- */

/*
 * The TextUs checks of a candidate the preview would text (send.c's pre-send checks: GET
 * /{slug}/opt_outs/{phone}, https://apidocs.next.textus.com/docs/opt_outs/show, and GET
 * /{slug}/conversations/{phone}, https://apidocs.next.textus.com/docs/accounts/conversation/,
 * the two at once): 1 skipped (reason, detail set), 0 may be texted, -1 not checked (*te).
 */
static int bulk_preview_check(struct bulk_run *R, const char *to, const char **reason, char *detail,
                              size_t detail_sz, struct err *te)
{
    struct textus_number_check k;
    int r;

    memset(&k, 0, sizeof(k));
    R->c->tx.pace = 1; /* work that can wait: never the token's last fifth */
    r = textus_check_number(&R->c->tx, to, &k, NULL, te);
    R->c->tx.pace = 0;
    if (r != 0)
        return -1;
    if (k.opted_out || k.unsubscribed) {
        *reason = "opted_out";
        snprintf(detail, detail_sz, "%s",
                 k.opted_out ? "this number has opted out of texts (locked in TextUs)"
                             : "this number has unsubscribed in TextUs");
        return 1;
    }
    if (k.blocked) {
        *reason = "blocked";
        snprintf(detail, detail_sz, "this number is blocked in TextUs");
        return 1;
    }
    return 0;
}

int bulk_preview(const cJSON *req, cJSON *result, struct err *e)
{
    const char *body, *mode, *job;
    const cJSON *arr;
    const char **ids = NULL, **raw = NULL;
    size_t n = 0, n_raw = 0, i;
    struct bulk_run R;
    struct err stop;
    cJSON *skipped, *previews, *unchecked;
    long will = 0, sched = 0, checked = 0, asked = 0;
    int rc = -1;

    memset(&R, 0, sizeof(R));
    err_clear(&stop);
    body = bulk_body(req, e);
    if (!body)
        return -1;
    mode = handler_string(req, "quiet_hours", 1, ERR_BAD_REQUEST, e);
    if (!mode)
        return -1;
    if (strcmp(mode, "schedule") != 0 && strcmp(mode, "skip") != 0) {
        err_set(e, ERR_BAD_REQUEST, "\"quiet_hours\" must be \"schedule\" or \"skip\"");
        return -1;
    }
    if (bulk_job(req, &job, e) != 0)
        return -1;
    arr = cJSON_GetObjectItemCaseSensitive(req, "candidate_ids");
    ids = calloc(OUTBOX_BULK_ITEMS_MAX, sizeof(*ids));
    raw = calloc(OUTBOX_BULK_ITEMS_MAX, sizeof(*raw));
    skipped = cJSON_AddArrayToObject(result, "skipped");
    if (!ids || !raw || !skipped) {
        err_set(e, ERR_INTERNAL, "out of memory");
        goto out;
    }
    if (bulk_candidates(arr, ids, &n, raw, &n_raw, skipped, e) != 0)
        goto out;
    if (send_port(&R.c, 1, e) != 0)
        goto out;
    R.request_id = "(preview)";
    R.b.body = (char *)(uintptr_t)body; /* read only: R.b is never freed here */
    snprintf(R.b.quiet_mode, sizeof(R.b.quiet_mode), "%s", mode);
    R.job_id = job ? strtoll(job, NULL, 10) : 0;
    previews = cJSON_AddArrayToObject(result, "previews");
    unchecked = cJSON_AddArrayToObject(result, "unchecked");
    if (!previews || !unchecked) {
        err_set(e, ERR_INTERNAL, "out of memory");
        goto out;
    }
    for (i = 0; i < n; i++) {
        struct bulk_plan pl;
        cJSON *o;
        bulk_plan_make(&R, ids[i], &pl);
        if (pl.state && strcmp(pl.state, "failed") == 0) {
            /* Greenhouse (or the settings) failed: no confirmation can be shown */
            *e = pl.fail;
            goto out;
        }
        if (!pl.state) {
            /* opted out or blocked: the first BULK_PREVIEW_CHECKS that would be texted, while
             * TextUs answers (a rate limit or an outage stops the checks: the rest unchecked) */
            struct err te;
            const char *why = NULL;
            int k = -1;
            err_clear(&te);
            if (asked < BULK_PREVIEW_CHECKS && stop.code == ERR_OK) {
                /* the budget counts the checks asked, whatever TextUs answered: at most
                 * BULK_PREVIEW_CHECKS candidates' two reads per preview */
                asked++;
                k = bulk_preview_check(&R, pl.to, &why, pl.detail, sizeof(pl.detail), &te);
                if (k >= 0)
                    checked++;
                else if (te.code != ERR_TEXTUS_REJECTED && te.code != ERR_UPSTREAM_INVALID)
                    stop = te; /* the others would fail alike: not asked */
            }
            if (k == 1) {
                bulk_plan_free(&pl);
                pl.state = "skipped";
                pl.reason = why;
            } else if (k < 0) {
                cJSON_AddItemToArray(unchecked, cJSON_CreateString(ids[i]));
            }
        }
        if (!pl.state) {
            will++;
            sched += pl.send_at > 0;
        }
        if (!pl.state && will > BULK_PREVIEW_BODIES) {
            bulk_plan_free(&pl);
            continue;
        }
        o = cJSON_CreateObject();
        if (!o || !cJSON_AddItemToArray(pl.state ? skipped : previews, o)) {
            cJSON_Delete(o);
            bulk_plan_free(&pl);
            err_set(e, ERR_INTERNAL, "out of memory");
            goto out;
        }
        cJSON_AddStringToObject(o, "candidate_id", ids[i]);
        if (pl.state) {
            cJSON_AddStringToObject(o, "reason", pl.reason);
            if (pl.detail[0])
                cJSON_AddStringToObject(o, "detail", pl.detail);
        } else {
            char name[2 * COMPOSE_NAME_MAX + 2], at[ISO8601_UTC_MAX];
            snprintf(name, sizeof(name), "%s%s%s", pl.first, pl.first[0] && pl.last[0] ? " " : "",
                     pl.last);
            cJSON_AddStringToObject(o, "name", name);
            cJSON_AddStringToObject(o, "to", pl.to);
            cJSON_AddStringToObject(o, "body", pl.body);
            if (pl.send_at > 0 && iso8601_format_utc(at, sizeof(at), pl.send_at) == 0)
                cJSON_AddStringToObject(o, "send_at", at);
            else
                cJSON_AddNullToObject(o, "send_at");
        }
        bulk_plan_free(&pl);
    }
    cJSON_AddNumberToObject(result, "total", (double)n);
    cJSON_AddNumberToObject(result, "will_send", (double)will);
    cJSON_AddNumberToObject(result, "will_schedule", (double)sched);
    cJSON_AddNumberToObject(result, "checked", (double)checked);
    if (stop.code != ERR_OK) {
        cJSON *o = cJSON_AddObjectToObject(result, "checks_stopped");
        if (o) {
            cJSON_AddStringToObject(o, "code", err_code_name(stop.code));
            cJSON_AddStringToObject(o, "message", stop.message);
        }
    }
    rc = 0;
out:
    if (R.gh) {
        gh_client_save_cache(R.gh);
        gh_client_free(R.gh);
    }
    if (R.gh_tried)
        gh_config_release(&R.cfg, &R.src);
    free(ids);
    free(raw);
    return rc;
}

/* ---- status and cancel ---- */

static const char *bulk_state_shown(const char *s)
{
    return strcmp(s, "ready") == 0 ? "sending" : s;
}

static int bulk_report(struct send_ctx *c, const char *request_id, cJSON *result, struct err *e)
{
    struct outbox_bulk_item *items = NULL;
    struct outbox_bulk b;
    struct outbox_entry probe;
    struct bulk_counts k;
    cJSON *arr;
    size_t n = 0, i;
    char rid_item[OUTBOX_REQUEST_ID_MAX + 1];

    if (bulk_counts_of(c->ob, request_id, &k, &items, &n, e) != 0)
        return -1;
    if (outbox_bulk_get(c->ob, request_id, &b, e) != 1) {
        outbox_bulk_items_free(items, n);
        return -1;
    }
    bulk_counts_json(result, request_id, &k, 0);
    cJSON_AddBoolToObject(result, "finished", k.finished);
    cJSON_AddBoolToObject(result, "cancelled_by_request", b.cancelled_ms != 0);
    memset(&probe, 0, sizeof(probe));
    probe.owner_pid = b.owner_pid;
    probe.lease_until_ms = b.lease_until_ms;
    cJSON_AddBoolToObject(result, "running",
                          b.owner_pid > 0 &&
                              (outbox_entry_busy(&probe) || b.owner_pid == (int64_t)os_getpid()));
    if (b.job_id[0])
        cJSON_AddStringToObject(result, "job_id", b.job_id);
    else
        cJSON_AddNullToObject(result, "job_id");
    cJSON_AddStringToObject(result, "quiet_hours", b.quiet_mode);
    outbox_bulk_free(&b);
    arr = cJSON_AddArrayToObject(result, "candidates");
    for (i = 0; arr && i < n; i++) {
        cJSON *o = cJSON_CreateObject();
        struct outbox_entry en;
        struct err ge;
        if (!o)
            break;
        cJSON_AddStringToObject(o, "candidate_id", items[i].candidate_id);
        cJSON_AddStringToObject(o, "state", bulk_state_shown(items[i].state));
        if (items[i].reason[0])
            cJSON_AddStringToObject(o, "reason", items[i].reason);
        if (items[i].detail[0])
            cJSON_AddStringToObject(o, "detail", items[i].detail);
        err_clear(&ge);
        if ((strcmp(items[i].state, "sent") == 0 || strcmp(items[i].state, "scheduled") == 0) &&
            outbox_bulk_item_id(rid_item, request_id, items[i].candidate_id) == 0 &&
            outbox_get(c->ob, rid_item, &en, &ge) == 1) {
            char rid2[OUTBOX_REQUEST_ID_MAX + 1];
            if (en.send_state == OUTBOX_SEND_NOT_SENT &&
                bulk_retry_id(rid2, rid_item) == 0) { /* sent by its retry */
                outbox_entry_free(&en);
                if (outbox_get(c->ob, rid2, &en, &ge) != 1) {
                    cJSON_AddItemToArray(arr, o);
                    continue;
                }
            }
            cJSON_AddStringToObject(o, "message_id", en.message_id);
            cJSON_AddStringToObject(o, "note", outbox_note_name(en.note_state));
            outbox_entry_free(&en);
        }
        cJSON_AddItemToArray(arr, o);
    }
    outbox_bulk_items_free(items, n);
    return 0;
}

static int bulk_rid(const char *request_id, struct err *e)
{
    if (!request_id || !bulk_id_ok(request_id)) {
        err_set(e, ERR_BAD_REQUEST, BULK_ID_RULE);
        return -1;
    }
    return 0;
}

int bulk_status(const char *request_id, cJSON *result, struct err *e)
{
    struct send_ctx *c;

    if (bulk_rid(request_id, e) != 0 || send_port(&c, 1, e) != 0)
        return -1;
    return bulk_report(c, request_id, result, e);
}

int bulk_cancel(const char *request_id, cJSON *result, struct err *e)
{
    struct send_ctx *c;
    int r;

    if (bulk_rid(request_id, e) != 0 || send_port(&c, 1, e) != 0)
        return -1;
    r = outbox_bulk_cancel(c->ob, request_id, e);
    if (r < 0)
        return -1;
    if (r == 0) {
        err_set(e, ERR_NOT_FOUND,
                "no bulk with request id %s is known to this host (a bulk is kept for 30 days)",
                request_id);
        return -1;
    }
    return bulk_report(c, request_id, result, e);
}
