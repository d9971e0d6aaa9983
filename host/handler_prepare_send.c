/*
 * handler_prepare_send — verb prepare_send: the checks before a send (opt-out and
 * conversation, at once), asked when the compose box opens, so that a locked or
 * blocked number shows before the recruiter types and the send that follows on
 * the same port skips them (send.c).
 * [engine]
 */
#include "handler.h"
#include "engine_entry.h"
#include "send.h"

int handler_prepare_send(const struct handler_env *env, const cJSON *req, cJSON *result,
                         struct err *e)
{
    const char *candidate_id, *to;

    (void)env;
    candidate_id = handler_string(req, "candidate_id", 1, ERR_BAD_REQUEST, e);
    if (!candidate_id)
        return -1;
    to = handler_string(req, "to", 1, ERR_BAD_REQUEST, e);
    if (!to)
        return -1;
    return send_prepare(candidate_id, to, result, e);
}
