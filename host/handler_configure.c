/*
 * handler_configure — verb "configure", from the extension's options page.
 * Accepts only textus.token, textus.account, greenhouse.email and
 * greenhouse.api_key or client_id + client_secret: never URLs, CA files,
 * allowed ids or other settings (those are local configuration, set with
 * `textus-host configure`). Replies with the masked summary. ENGINE module.
 */
#include <string.h>

#include "config.h"

int handler_configure(const struct handler_env *env, const cJSON *req, cJSON *result, struct err *e)
{
    cJSON *patch = cJSON_CreateObject(), *st, *it;
    const cJSON *m;
    struct store *s = NULL;
    int rc = -1;

    if (!patch) {
        err_set(e, ERR_INTERNAL, "out of memory");
        return -1;
    }
    cJSON_ArrayForEach(m, req)
    {
        if (strcmp(m->string, "id") == 0 || strcmp(m->string, "type") == 0)
            continue;
        /* shallow reference: the patch is only read */
        if (!cJSON_AddItemReferenceToObject(patch, m->string, (cJSON *)m)) {
            err_set(e, ERR_INTERNAL, "out of memory");
            goto out;
        }
    }
    if (!patch->child) {
        err_set(e, ERR_INVALID_CONFIG,
                "nothing to configure: send \"textus\" and/or \"greenhouse\" members");
        goto out;
    }
    if (config_apply(patch, 1, &s, e) != 0)
        goto out;
    st = config_status(s, NULL);
    if (!st) {
        err_set(e, ERR_INTERNAL, "out of memory");
        goto out;
    }
    for (it = st->child; it; it = st->child) {
        cJSON_DetachItemViaPointer(st, it);
        cJSON_AddItemToObject(result, it->string, it);
    }
    cJSON_Delete(st);
    cJSON_AddStringToObject(result, "verification", CONFIG_NO_VERIFY_NOTICE);
    rc = 0;
out:
    store_free(s);
    cJSON_Delete(patch); /* references only: the request is not freed */
    return rc;
}
