/*
 * handler_bulk_preview — verb bulk_preview: the confirmation before a bulk_send (the
 * count, the first three texts, what will be skipped), by the bulk's own rule, sending
 * and journaling nothing (bulk.c).
 * [engine]
 */
#include "bulk.h"
#include "engine_entry.h"
#include "handler.h"

int handler_bulk_preview(const struct handler_env *env, const cJSON *req, cJSON *result,
                         struct err *e)
{
    (void)env;
    return bulk_preview(req, result, e);
}
