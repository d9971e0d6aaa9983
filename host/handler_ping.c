/*
 * handler_ping — verb "ping": proves the host starts and speaks the protocol.
 * Touches nothing on disk and loads no engine: it is the cold-start hot path.
 * [core]
 */
#include "handler.h"
#include "protocol.h"

int handler_ping(const struct handler_env *env, const cJSON *req, cJSON *result, struct err *e)
{
    if (!cJSON_AddStringToObject(result, "version", TH_VERSION) ||
        !cJSON_AddNumberToObject(result, "protocol", PROTO_VERSION)) {
        err_set(e, ERR_INTERNAL, "out of memory");
        return -1;
    }
    return 0;
}
