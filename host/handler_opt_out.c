/*
 * handler_opt_out — verb opt_out: lock a number in TextUs (an organisation-wide
 * opt-out; idempotent), answering who locked it and when as TextUs's OptOut says.
 * [engine]
 */
#include "handler.h"
#include "engine_entry.h"
#include "phone.h"
#include "send.h"

int handler_opt_out(const struct handler_env *env, const cJSON *req, cJSON *result, struct err *e)
{
    const char *to = handler_string(req, "to", 1, ERR_BAD_REQUEST, e);
    struct textus_opt_out lock;
    struct send_ctx c;
    int rc;

    if (!to)
        return -1;
    if (!phone_e164_nanp_valid(to)) {
        err_set(e, ERR_BAD_REQUEST, SEND_TO_RULE);
        return -1;
    }
    if (send_ctx_open(&c, 0, e) != 0)
        return -1;
    rc = textus_create_opt_out(&c.tx, to, &lock, e);
    send_ctx_close(&c);
    if (rc != 0)
        return -1;
    send_prep_forget(to); /* a send on this port must not reuse an earlier "not opted out" */
    cJSON_AddTrueToObject(result, "opted_out");
    send_lock_json(result, &lock); /* who and when, as TextUs's answer says */
    return 0;
}
