/*
 * handler_inbox — verb inbox: the conversations this host texted in the last 30
 * days whose last message is the candidate's, newest first, on the flush's own
 * reads (their new replies logged once, as a flush logs them) (conversation.c).
 * [engine]
 */
#include <math.h>

#include "conversation.h"
#include "engine_entry.h"
#include "handler.h"

int handler_inbox(const struct handler_env *env, const cJSON *req, cJSON *result, struct err *e)
{
    const cJSON *l = cJSON_GetObjectItemCaseSensitive(req, "limit");
    long limit = CONV_FLUSH_THREADS;

    (void)env;
    if (l && !cJSON_IsNull(l)) {
        if (!cJSON_IsNumber(l) || l->valuedouble != floor(l->valuedouble) || l->valuedouble < 1 ||
            l->valuedouble > CONV_FLUSH_THREADS) {
            err_set(e, ERR_BAD_REQUEST, "limit must be a whole number from 1 to %d",
                    CONV_FLUSH_THREADS);
            return -1;
        }
        limit = (long)l->valuedouble;
    }
    return conversation_inbox(limit, result, e);
}
