/*
 * handler_flush_outbox — verb flush_outbox: reconcile unknown sends and write
 * pending notes now (engine; send.c) → counts written / pending / unknown.
 */
#include "handler.h"
#include "engine_entry.h"
#include "send.h"

int handler_flush_outbox(const struct handler_env *env, const cJSON *req, cJSON *result,
                         struct err *e)
{
    struct send_flush_counts k;

    if (send_flush(1, 0, &k, e) != 0)
        return -1;
    cJSON_AddNumberToObject(result, "written", (double)k.written);
    cJSON_AddNumberToObject(result, "pending", (double)k.pending);
    cJSON_AddNumberToObject(result, "unknown", (double)k.unknown);
    cJSON_AddNumberToObject(result, "reconciled_sent", (double)k.reconciled_sent);
    cJSON_AddNumberToObject(result, "reconciled_not_sent", (double)k.reconciled_not_sent);
    cJSON_AddNumberToObject(result, "stopped", (double)k.stopped);
    return 0;
}
