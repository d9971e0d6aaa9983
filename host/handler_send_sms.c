/*
 * handler_send_sms — verb send_sms: one SMS through TextUs and one note in
 * Greenhouse per request id (engine; the flow is in send.c).
 */
#include "handler.h"
#include "engine_entry.h"
#include "send.h"

int handler_send_sms(const struct handler_env *env, const cJSON *req, cJSON *result, struct err *e)
{
    struct send_request r = {0};
    const cJSON *note, *flag;

    r.request_id = handler_string(req, "request_id", 1, ERR_BAD_REQUEST, e);
    if (!r.request_id)
        return -1;
    r.candidate_id = handler_string(req, "candidate_id", 1, ERR_BAD_REQUEST, e);
    if (!r.candidate_id)
        return -1;
    r.to = handler_string(req, "to", 1, ERR_BAD_REQUEST, e);
    if (!r.to)
        return -1;
    r.body = handler_string(req, "body", 1, ERR_BAD_REQUEST, e);
    if (!r.body)
        return -1;
    note = handler_object(req, "note", 0, ERR_BAD_REQUEST, e);
    if (!note && e->code != ERR_OK)
        return -1;
    if (note) {
        r.visibility = handler_string(note, "visibility", 0, ERR_BAD_REQUEST, e);
        if (!r.visibility && e->code != ERR_OK)
            return -1;
    }
    flag = cJSON_GetObjectItemCaseSensitive(req, "reply_before_note");
    if (flag && !cJSON_IsNull(flag) && !cJSON_IsBool(flag)) {
        err_set(e, ERR_BAD_REQUEST, "\"reply_before_note\" must be true or false");
        return -1;
    }
    r.reply_before_note = cJSON_IsTrue(flag);
    r.env = env;
    return send_sms(&r, result, e);
}
