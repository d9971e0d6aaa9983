/*
 * handler_configure — verb "configure", from the extension's options page.
 * Accepts only textus.token, textus.account, greenhouse.email,
 * greenhouse.harvest ("v3" | "v1") and greenhouse.api_key or client_id +
 * client_secret: never URLs, CA files, allowed ids or other settings (those
 * are local configuration, set with `textus-host configure`), plus
 * "save_anyway" and "dry_run" (booleans). Unknown members and a silent switch
 * from Harvest v3 back to v1 are refused (config.h). The merged values are
 * verified online first (verify.h) and saved only when every check passed or
 * save_anyway is true; dry_run verifies and saves nothing (the options page
 * shows the checklist of what is stored). Replies with the masked summary, the
 * checklist and the list of changes; a failed check with nothing saved is
 * error verification_failed, the checklist in error.details.verification.
 * After a save, what the port kept for the old configuration is closed
 * (send_port_close: the decrypted store, the clients, the kept connections).
 * [engine]
 */
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "engine_entry.h"
#include "send.h"
#include "verify.h"

/*
 * The reply of a configure that was verified: the masked summary of what s holds (its
 * members moved into result), the checklist (list, which result takes), whether every check
 * passed, whether it was saved, and what changed (moved from the report; [] when nothing
 * did). 0, or -1 with *e set (out of memory).
 */
static int handler_configure_reply(cJSON *result, const struct store *s, cJSON *list,
                                   struct verify_report *r, int saved, struct err *e)
{
    cJSON *st = config_status(s, NULL), *c;

    if (!st) {
        cJSON_Delete(list);
        err_set(e, ERR_INTERNAL, "out of memory");
        return -1;
    }
    handler_result_take(result, st);
    cJSON_AddItemToObject(result, "verification", list);
    cJSON_AddBoolToObject(result, "verified", r->failed == 0);
    cJSON_AddBoolToObject(result, "saved", saved);
    c = r->changes ? r->changes : cJSON_CreateArray();
    r->changes = NULL;
    if (c)
        cJSON_AddItemToObject(result, "changes", c);
    return 0;
}

int handler_configure(const struct handler_env *env, const cJSON *req, cJSON *result, struct err *e)
{
    cJSON *patch = cJSON_CreateObject(), *list = NULL, *details;
    const cJSON *m, *sa = cJSON_GetObjectItemCaseSensitive(req, "save_anyway");
    const cJSON *dry = cJSON_GetObjectItemCaseSensitive(req, "dry_run");
    struct verify_report *report = calloc(1, sizeof(*report));
    struct store *s = NULL;
    struct err le;
    int rc = -1;

    (void)env;
    if (!patch || !report) {
        err_set(e, ERR_INTERNAL, "out of memory");
        goto out;
    }
    if ((sa && !cJSON_IsBool(sa)) || (dry && !cJSON_IsBool(dry))) {
        err_set(e, ERR_BAD_REQUEST, "\"%s\" must be true or false",
                sa && !cJSON_IsBool(sa) ? "save_anyway" : "dry_run");
        goto out;
    }
    cJSON_ArrayForEach(m, req)
    {
        if (strcmp(m->string, "id") == 0 || strcmp(m->string, "type") == 0 ||
            strcmp(m->string, "save_anyway") == 0 || strcmp(m->string, "dry_run") == 0)
            continue;
        /* shallow reference: the patch is only read */
        if (!cJSON_AddItemReferenceToObject(patch, m->string, (cJSON *)m)) {
            err_set(e, ERR_INTERNAL, "out of memory");
            goto out;
        }
    }
    if (!patch->child && !cJSON_IsTrue(dry)) {
        err_set(e, ERR_INVALID_CONFIG,
                "nothing to configure: send \"textus\" and/or \"greenhouse\" members");
        goto out;
    }
    /* unknown members and the Harvest rules first, named in the reply */
    err_clear(&le);
    if (store_load(&s, &le) != 0 && le.code != ERR_NOT_CONFIGURED) {
        *e = le;
        goto out;
    }
    if (config_check_document(patch, 1, s ? store_gh_generation(s) : 0, e) != 0)
        goto out;
    store_free(s);
    s = NULL;
    if (verify_configure(patch, 1,
                         (cJSON_IsTrue(sa) ? VERIFY_SAVE_ANYWAY : 0) |
                             (cJSON_IsTrue(dry) ? VERIFY_DRY_RUN : 0),
                         NULL, report, &s, e) != 0)
        goto out;
    list = verify_report_json(report);
    if (!list) {
        err_set(e, ERR_INTERNAL, "out of memory");
        goto out;
    }
    if (cJSON_IsTrue(dry)) {
        /* what is stored (with this document merged in), checked; nothing written */
        err_clear(&le);
        if (store_load(&s, &le) != 0 && le.code != ERR_NOT_CONFIGURED) {
            *e = le;
            goto out;
        }
        rc = handler_configure_reply(result, s, list, report, 0, e);
        list = NULL;
        goto out;
    }
    if (!report->saved) {
        /* the checklist travels in error.details (protocol.c, HANDLER_ERROR_DETAILS) */
        details = cJSON_AddObjectToObject(result, HANDLER_ERROR_DETAILS);
        if (details)
            cJSON_AddItemToObject(details, "verification", list);
        else
            cJSON_Delete(list);
        list = NULL;
        verify_report_summary(e->message, sizeof(e->message), report);
        {
            char msg[ERR_MESSAGE_MAX];
            memcpy(msg, e->message, sizeof(msg));
            err_set(e, ERR_VERIFICATION_FAILED, "%s", msg);
        }
        goto out;
    }
    rc = handler_configure_reply(result, s, list, report, 1, e);
    list = NULL;
    /* saved: what this port kept for the old configuration (its store, clients, kept
     * connections with their Authorization headers) goes now, not at the next send */
    send_port_close();
out:
    cJSON_Delete(list);
    verify_report_release(report);
    free(report);
    store_free(s);
    cJSON_Delete(patch); /* references only: the request is not freed */
    return rc;
}
