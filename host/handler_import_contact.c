/*
 * handler_import_contact — verb import_contact: the candidate as a TextUs
 * contact (name, the chosen number with its type, the Greenhouse candidate id
 * and profile URL as contact data); a contact that already has that number
 * (found through the number's conversation, textus_find_contact) is updated
 * with PUT, keeping its other numbers and data, instead of creating a
 * duplicate. The number comes from "to" or is read from "profile" by
 * the extract_phone rules (handler_extract_phone).
 * [engine]
 */
#include <stdio.h>
#include <string.h>

#include "handler.h"
#include "engine_entry.h"
#include "phone.h"
#include "send.h"

#define IMPORT_PROFILE_BASE "https://app.greenhouse.io/people/"

/*
 * The TextUs phone type for an extract_phone label (TextUs's examples use "Mobile" and "Work",
 * https://apidocs.next.textus.com/docs/contacts/create-contact/): mobile, work and home keep
 * their name, any other label (fax, other) is "Other"; a number without a label, or given as
 * "to", is imported to be texted: "Mobile".
 */
static const char *import_phone_type(const char *label)
{
    if (!label || !*label || strcmp(label, "mobile") == 0)
        return "Mobile";
    if (strcmp(label, "work") == 0)
        return "Work";
    if (strcmp(label, "home") == 0)
        return "Home";
    return "Other";
}

/* The number to import from the profile: e164 and label into out / type. */
static int import_from_profile(const struct handler_env *env, const cJSON *profile, char *to,
                               size_t tosz, char *type, size_t typesz, struct err *e)
{
    cJSON *req = cJSON_CreateObject(), *res = cJSON_CreateObject();
    const cJSON *phone, *v;
    int rc = -1;

    if (!req || !res || !cJSON_AddItemReferenceToObject(req, "profile", (cJSON *)profile)) {
        err_set(e, ERR_INTERNAL, "out of memory");
        goto out;
    }
    if (handler_extract_phone(env, req, res, e) != 0)
        goto out;
    phone = cJSON_GetObjectItemCaseSensitive(res, "phone");
    v = cJSON_GetObjectItemCaseSensitive(phone, "e164");
    if (!cJSON_IsString(v)) {
        err_set(e, ERR_NO_PHONE_FOUND, "no phone number was found on the candidate's profile");
        goto out;
    }
    snprintf(to, tosz, "%s", v->valuestring);
    v = cJSON_GetObjectItemCaseSensitive(phone, "label");
    snprintf(type, typesz, "%s", import_phone_type(cJSON_IsString(v) ? v->valuestring : NULL));
    rc = 0;
out:
    cJSON_Delete(req);
    cJSON_Delete(res);
    return rc;
}

int handler_import_contact(const struct handler_env *env, const cJSON *req, cJSON *result,
                           struct err *e)
{
    const char *cand = handler_string(req, "candidate_id", 1, ERR_BAD_REQUEST, e);
    const cJSON *profile, *contact_out;
    const char *to_in, *name, *url = NULL;
    char to[32] = "", type[16] = "Mobile", url_buf[128];
    struct textus_contact ct;
    struct send_ctx c;
    cJSON *data = NULL;
    int found = 0, rc = -1;

    if (!cand)
        return -1;
    if (!phone_gh_id_valid(cand)) {
        err_set(e, ERR_BAD_REQUEST, SEND_CANDIDATE_ID_RULE);
        return -1;
    }
    name = handler_string(req, "name", 0, ERR_BAD_REQUEST, e);
    if (!name && e->code != ERR_OK)
        return -1;
    to_in = handler_string(req, "to", 0, ERR_BAD_REQUEST, e);
    if (!to_in && e->code != ERR_OK)
        return -1;
    profile = handler_object(req, "profile", 0, ERR_BAD_REQUEST, e);
    if (!profile && e->code != ERR_OK)
        return -1;
    if (to_in) {
        snprintf(to, sizeof(to), "%s", to_in);
    } else if (profile) {
        if (import_from_profile(env, profile, to, sizeof(to), type, sizeof(type), e) != 0)
            return -1;
    } else {
        err_set(e, ERR_BAD_REQUEST, "give \"to\" or \"profile\"");
        return -1;
    }
    if (!phone_e164_nanp_valid(to)) {
        err_set(e, ERR_BAD_REQUEST, SEND_TO_RULE);
        return -1;
    }
    if (profile) {
        const cJSON *u = cJSON_GetObjectItemCaseSensitive(profile, "url");
        const cJSON *n = cJSON_GetObjectItemCaseSensitive(profile, "name");
        if (cJSON_IsString(u))
            url = u->valuestring;
        if (!name && cJSON_IsString(n))
            name = n->valuestring;
    }
    if (!url) {
        snprintf(url_buf, sizeof(url_buf), "%s%s", IMPORT_PROFILE_BASE, cand);
        url = url_buf;
    }
    if (!name || !name[0]) {
        err_set(e, ERR_BAD_REQUEST, "\"name\" is required (or a profile with a name)");
        return -1;
    }
    data = cJSON_CreateObject();
    if (!data || !cJSON_AddStringToObject(data, "greenhouse_candidate_id", cand) ||
        !cJSON_AddStringToObject(data, "greenhouse_profile_url", url)) {
        cJSON_Delete(data);
        err_set(e, ERR_INTERNAL, "out of memory");
        return -1;
    }
    if (send_ctx_open(&c, 0, e) != 0) {
        cJSON_Delete(data);
        return -1;
    }
    memset(&ct, 0, sizeof(ct));
    if (textus_find_contact(&c.tx, to, &ct, &found, e) != 0)
        goto out;
    if (found) {
        char id[TEXTUS_ID_MAX];
        snprintf(id, sizeof(id), "%s", ct.id);
        if (textus_update_contact(&c.tx, id, name, to, type, data, &ct, e) != 0)
            goto out;
    } else if (textus_create_contact(&c.tx, name, to, type, data, &ct, e) != 0) {
        goto out;
    }
    contact_out = cJSON_AddObjectToObject(result, "contact");
    if (!contact_out) {
        err_set(e, ERR_INTERNAL, "out of memory");
        goto out;
    }
    cJSON_AddStringToObject((cJSON *)contact_out, "id", ct.id);
    cJSON_AddBoolToObject((cJSON *)contact_out, "created", !found);
    rc = 0;
out:
    cJSON_Delete(data);
    send_ctx_close(&c);
    return rc;
}
