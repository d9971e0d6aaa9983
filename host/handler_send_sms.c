/*
 * handler_send_sms — verbs send_sms and schedule_sms: one SMS through TextUs (now, or
 * scheduled for send_at) and one note in Greenhouse per request id (the flow is in
 * send.c).
 * [engine]
 */
#include "handler.h"
#include "engine_entry.h"
#include "phone.h"
#include "send.h"

/*
 * Whose number (PROTOCOL.md, send_sms): on a port whose extract_phone read the candidate's
 * numbers, `to` must be one of them unless the request says "to_unlisted": true (the compose
 * box's confirmation); the note then says the number is not on the record. No Greenhouse read
 * here: a warm send stays one round trip. 0, or -1 with *e set (nothing sent or journaled).
 */
static int handler_send_whose(const struct handler_env *env, const cJSON *req,
                              struct send_request *r, struct err *e)
{
    const cJSON *flag = cJSON_GetObjectItemCaseSensitive(req, "to_unlisted");
    int known;

    if (flag && !cJSON_IsNull(flag) && !cJSON_IsBool(flag)) {
        err_set(e, ERR_BAD_REQUEST, "\"to_unlisted\" must be true or false");
        return -1;
    }
    if (!env || env->from_cli || !phone_gh_id_valid(r->candidate_id) ||
        !phone_e164_nanp_valid(r->to))
        return 0; /* the CLI checks the record itself; a bad value is send_sms's to refuse */
    known = env->candidate_number ? env->candidate_number(r->candidate_id, r->to) : -1;
    if (known == 1)
        return 0;
    if (cJSON_IsTrue(flag)) {
        r->to_unlisted = 1; /* knowingly: the note says the number is not on the record */
        return 0;
    }
    if (known == 0) {
        err_set(e, ERR_NOT_CANDIDATES_NUMBER,
                "this number is not one of candidate %s's numbers (on the Greenhouse record, "
                "or beneath the name on the page when the record could not be read); nothing "
                "was sent. Send it again with \"to_unlisted\": true once the person has "
                "confirmed it (the note then says it is not on the record)",
                r->candidate_id);
        return -1;
    }
    return 0; /* -1: this port never read the candidate's numbers (a restarted host) */
}

/* The members both verbs share (the port's env for a note after the reply); 0, or -1 with
 * *e set. */
static int handler_send_fields(const struct handler_env *env, const cJSON *req,
                               struct send_request *r, struct err *e)
{
    const cJSON *note, *flag;

    r->request_id = handler_string(req, "request_id", 1, ERR_BAD_REQUEST, e);
    if (!r->request_id)
        return -1;
    r->candidate_id = handler_string(req, "candidate_id", 1, ERR_BAD_REQUEST, e);
    if (!r->candidate_id)
        return -1;
    r->to = handler_string(req, "to", 1, ERR_BAD_REQUEST, e);
    if (!r->to)
        return -1;
    r->body = handler_string(req, "body", 1, ERR_BAD_REQUEST, e);
    if (!r->body)
        return -1;
    note = handler_object(req, "note", 0, ERR_BAD_REQUEST, e);
    if (!note && e->code != ERR_OK)
        return -1;
    if (note) {
        r->visibility = handler_string(note, "visibility", 0, ERR_BAD_REQUEST, e);
        if (!r->visibility && e->code != ERR_OK)
            return -1;
    }
    flag = cJSON_GetObjectItemCaseSensitive(req, "reply_before_note");
    if (flag && !cJSON_IsNull(flag) && !cJSON_IsBool(flag)) {
        err_set(e, ERR_BAD_REQUEST, "\"reply_before_note\" must be true or false");
        return -1;
    }
    r->reply_before_note = cJSON_IsTrue(flag);
    r->check_candidate = env && env->from_cli; /* the page's address gives the extension's */
    r->to_unlisted = env && env->from_cli && env->to_unlisted;
    r->env = env;
    r->name = env && env->candidate_name ? env->candidate_name(r->candidate_id) : NULL;
    return handler_send_whose(env, req, r, e);
}

int handler_send_sms(const struct handler_env *env, const cJSON *req, cJSON *result, struct err *e)
{
    struct send_request r = {0};
    const cJSON *over = cJSON_GetObjectItemCaseSensitive(req, "override_quiet_hours");

    if (handler_send_fields(env, req, &r, e) != 0)
        return -1;
    if (over && !cJSON_IsBool(over)) {
        err_set(e, ERR_BAD_REQUEST, "\"override_quiet_hours\" must be true or false");
        return -1;
    }
    r.override_quiet_hours = cJSON_IsTrue(over);
    return send_sms(&r, result, e);
}

int handler_schedule_sms(const struct handler_env *env, const cJSON *req, cJSON *result,
                         struct err *e)
{
    struct send_request r = {0};
    const char *at;

    if (handler_send_fields(env, req, &r, e) != 0)
        return -1;
    if (cJSON_GetObjectItemCaseSensitive(req, "override_quiet_hours")) {
        err_set(e, ERR_BAD_REQUEST,
                "\"override_quiet_hours\" is for send_sms only: a scheduled text must be due "
                "inside the hours texts are allowed (settings.quiet_hours)");
        return -1;
    }
    at = handler_string(req, "send_at", 1, ERR_BAD_REQUEST, e);
    if (!at)
        return -1;
    r.schedule = 1;
    r.send_at = send_parse_send_at(at);
    if (r.send_at <= 0) {
        err_set(e, ERR_BAD_REQUEST, SEND_AT_RULE);
        return -1;
    }
    return send_sms(&r, result, e);
}
