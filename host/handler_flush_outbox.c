/*
 * handler_flush_outbox — verb flush_outbox: read the new replies of recently
 * texted numbers, reconcile unknown sends and write pending notes now
 * (flush.c) → counts written / pending / unknown / replies_logged; with
 * "include_inbox": true, also the inbox verb's answer from the same reads.
 * [engine]
 */
#include "handler.h"
#include "engine_entry.h"
#include "flush.h"

int handler_flush_outbox(const struct handler_env *env, const cJSON *req, cJSON *result,
                         struct err *e)
{
    const cJSON *want = cJSON_GetObjectItemCaseSensitive(req, "include_inbox");
    struct send_flush_counts k;
    cJSON *inbox = NULL;

    (void)env;
    if (want && !cJSON_IsNull(want) && !cJSON_IsBool(want)) {
        err_set(e, ERR_BAD_REQUEST, "\"include_inbox\" must be true or false");
        return -1;
    }
    if (cJSON_IsTrue(want)) {
        /* the inbox from this flush's own reads (PROTOCOL.md, flush_outbox) */
        inbox = cJSON_AddObjectToObject(result, "inbox");
        if (!inbox) {
            err_set(e, ERR_INTERNAL, "out of memory");
            return -1;
        }
    }
    if (flush_outbox_inbox(1, 0, &k, inbox, e) != 0)
        return -1;
    cJSON_AddNumberToObject(result, "written", (double)k.written);
    cJSON_AddNumberToObject(result, "pending", (double)k.pending);
    cJSON_AddNumberToObject(result, "unknown", (double)k.unknown);
    cJSON_AddNumberToObject(result, "reconciled_sent", (double)k.reconciled_sent);
    cJSON_AddNumberToObject(result, "reconciled_not_sent", (double)k.reconciled_not_sent);
    cJSON_AddNumberToObject(result, "stopped", (double)k.stopped);
    cJSON_AddNumberToObject(result, "replies_logged", (double)k.replies_logged);
    cJSON_AddNumberToObject(result, "replies_pending", (double)k.replies_pending);
    cJSON_AddNumberToObject(result, "replies_stopped", (double)k.replies_stopped);
    return 0;
}
