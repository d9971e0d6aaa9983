/*
 * handler_bulk_cancel — verb bulk_cancel: stop what a bulk has not sent yet, from any
 * process (the bulk's driver reads the cancel before each candidate), and say what had
 * been sent (bulk.c).
 * [engine]
 */
#include "bulk.h"
#include "engine_entry.h"
#include "handler.h"

int handler_bulk_cancel(const struct handler_env *env, const cJSON *req, cJSON *result,
                        struct err *e)
{
    const char *rid = handler_string(req, "request_id", 1, ERR_BAD_REQUEST, e);

    (void)env;
    if (!rid)
        return -1;
    return bulk_cancel(rid, result, e);
}
