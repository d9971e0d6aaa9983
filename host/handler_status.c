/*
 * handler_status — verb "status": the masked summary of what is configured
 * (config_status), the same information as `textus-host status --json`.
 * Not configured is a successful answer ("configured": false); a store that
 * cannot be read answers its error code (store_corrupt, ...).
 * [engine]
 */
#include "config.h"
#include "engine_entry.h"
#include "send.h"

int handler_status(const struct handler_env *env, const cJSON *req, cJSON *result, struct err *e)
{
    struct store *s = NULL;
    struct err le;
    cJSON *st;

    err_clear(&le);
    if (store_load(&s, &le) != 0 && le.code != ERR_NOT_CONFIGURED) {
        *e = le;
        return -1;
    }
    st = config_status(s, &le);
    if (st && s)
        send_status_outbox(st, 1); /* outbox counts; reconciles unknown sends */
    store_free(s);
    if (!st) {
        err_set(e, ERR_INTERNAL, "out of memory");
        return -1;
    }
    handler_result_take(result, st);
    return 0;
}
