/*
 * handler_conversation — verb conversation: a number's TextUs thread (the
 * latest 50 messages, oldest first) and, with a candidate id, the candidate's
 * new replies logged as Greenhouse notes (conversation.c).
 * [engine]
 */
#include "conversation.h"
#include "engine_entry.h"
#include "handler.h"

int handler_conversation(const struct handler_env *env, const cJSON *req, cJSON *result,
                         struct err *e)
{
    struct conv_request r = {0};

    r.to = handler_string(req, "to", 1, ERR_BAD_REQUEST, e);
    if (!r.to)
        return -1;
    r.candidate_id = handler_string(req, "candidate_id", 0, ERR_BAD_REQUEST, e);
    if (!r.candidate_id && e->code != ERR_OK)
        return -1;
    return conversation_read(&r, result, e);
}
