/*
 * handler_bulk_status — verb bulk_status: a bulk's counts and each candidate's state
 * (bulk.c).
 * [engine]
 */
#include "bulk.h"
#include "engine_entry.h"
#include "handler.h"

int handler_bulk_status(const struct handler_env *env, const cJSON *req, cJSON *result,
                        struct err *e)
{
    const char *rid = handler_string(req, "request_id", 1, ERR_BAD_REQUEST, e);

    (void)env;
    if (!rid)
        return -1;
    return bulk_status(rid, result, e);
}
