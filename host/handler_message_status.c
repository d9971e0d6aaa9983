/*
 * handler_message_status — verb message_status: a message's TextUs delivery
 * state, folded into the help article's two outcomes (Delivered / Not
 * Delivered) or pending.
 * [engine]
 */
#include <string.h>

#include "handler.h"
#include "engine_entry.h"
#include "log.h"
#include "send.h"

static int message_status_id_ok(const char *id)
{
    static const char prefix[] = "/messages/";
    size_t i, n = strlen(id), plen = sizeof(prefix) - 1;

    if (n <= plen || n >= TEXTUS_ID_MAX || strncmp(id, prefix, plen) != 0)
        return 0;
    for (i = plen; i < n; i++) {
        char c = id[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-'))
            return 0;
    }
    return 1;
}

int handler_message_status(const struct handler_env *env, const cJSON *req, cJSON *result,
                           struct err *e)
{
    const char *id = handler_string(req, "message_id", 1, ERR_BAD_REQUEST, e);
    const char *st;
    struct textus_message m;
    struct send_ctx *c;
    struct err oe;
    int delivered = -1, rc;

    if (!id)
        return -1;
    if (!message_status_id_ok(id)) {
        err_set(e, ERR_BAD_REQUEST, "\"message_id\" must be a TextUs message id (/messages/...)");
        return -1;
    }
    if (send_port(&c, 1, e) != 0) /* the port's: polled after every send */
        return -1;
    memset(&m, 0, sizeof(m));
    rc = textus_get_message(&c->tx, id, &m, e);
    if (rc != 0)
        return -1;
    st = m.delivery_state;
    if (strcmp(st, "delivered") == 0)
        delivered = 1;
    else if (strcmp(st, "failed") == 0 || strcmp(st, "failed_transient") == 0 ||
             strcmp(st, "unknown") == 0)
        delivered = 0;
    err_clear(&oe);
    if (outbox_set_delivery(c->ob, id, st, &oe) < 0)
        log_msg("caching the delivery state failed: %s", oe.message);
    cJSON_AddStringToObject(result, "delivery_state", st);
    if (delivered < 0)
        cJSON_AddNullToObject(result, "delivered");
    else
        cJSON_AddBoolToObject(result, "delivered", delivered);
    cJSON_AddBoolToObject(result, "final", delivered >= 0);
    cJSON_AddStringToObject(result, "description",
                            delivered > 0    ? "Delivered"
                            : delivered == 0 ? "Not Delivered"
                                             : "Pending");
    return 0;
}
