/*
 * handler_flush_outbox — verb flush_outbox: read the new replies of recently
 * texted numbers, reconcile unknown sends and write pending notes now
 * (flush.c) → counts written / pending / unknown / replies_logged.
 * [engine]
 */
#include "handler.h"
#include "engine_entry.h"
#include "flush.h"

int handler_flush_outbox(const struct handler_env *env, const cJSON *req, cJSON *result,
                         struct err *e)
{
    struct send_flush_counts k;

    if (flush_outbox(1, 0, &k, e) != 0)
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
