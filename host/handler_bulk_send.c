/*
 * handler_bulk_send — verb bulk_send: one text to many candidates (bulk.c). The bulk is
 * recorded before the reply; on a port its candidates are then texted after the reply,
 * each announced with a "bulk" event, the last with "finished". Where no port outlives
 * the reply, the candidates are texted first and the reply carries the final counts.
 * [engine]
 */
#include <stdio.h>
#include <stdlib.h>

#include "bulk.h"
#include "engine_entry.h"
#include "handler.h"
#include "log.h"
#include "outbox.h"

struct bulk_job {
    char request_id[OUTBOX_REQUEST_ID_MAX + 1];
};

static void bulk_job_release(void *ud)
{
    free(ud);
}

static void bulk_event(void *ud, const char *request_id, const struct bulk_counts *k,
                       const char *candidate_id, const char *name, const char *state,
                       const char *reason, int final)
{
    const struct handler_env *env = ud;
    cJSON *ev = cJSON_CreateObject(), *last;

    (void)name; /* the extension has the names (its own list) */

    if (!ev)
        return;
    bulk_counts_json(ev, request_id, k, final);
    if (candidate_id && (last = cJSON_AddObjectToObject(ev, "last")) != NULL) {
        cJSON_AddStringToObject(last, "candidate_id", candidate_id);
        cJSON_AddStringToObject(last, "state", state ? state : "pending");
        if (reason)
            cJSON_AddStringToObject(last, "reason", reason);
    }
    if (env->emit_event(env, "bulk", ev) != 0 && final)
        log_msg("bulk %s: the port is closed; the journal has the outcome", request_id);
}

static void bulk_after(const struct handler_env *env, void *ud)
{
    const struct bulk_job *j = ud;
    struct err e;

    err_clear(&e);
    if (bulk_run(j->request_id, bulk_event, (void *)env, &e) != 0)
        log_msg("bulk %s: %s", j->request_id, e.message);
}

int handler_bulk_send(const struct handler_env *env, const cJSON *req, cJSON *result, struct err *e)
{
    const cJSON *rid;
    struct bulk_job *j;
    struct err re;
    int drive;

    if (bulk_start(req, result, &drive, e) != 0)
        return -1;
    if (!drive)
        return 0;
    rid = cJSON_GetObjectItemCaseSensitive(result, "request_id");
    j = calloc(1, sizeof(*j));
    if (!j) {
        err_set(e, ERR_INTERNAL, "out of memory");
        return -1;
    }
    snprintf(j->request_id, sizeof(j->request_id), "%s", rid->valuestring);
    if (env && env->after_reply && env->after_reply(env, bulk_after, j, bulk_job_release) == 0)
        return 0;
    /* no port outlives the reply: the candidates first, then the reply with the counts */
    err_clear(&re);
    if (bulk_run(j->request_id, NULL, NULL, &re) != 0)
        log_msg("bulk %s: %s", j->request_id, re.message);
    free(j);
    err_clear(&re);
    if (bulk_status(rid->valuestring, cJSON_AddObjectToObject(result, "final"), &re) != 0)
        log_msg("bulk: %s", re.message);
    return 0;
}
