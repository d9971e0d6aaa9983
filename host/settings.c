/*
 * settings — the settings the executable itself needs (caller check, inbound
 * cap, and the allowed ids doctor prints in its fix), and the store module's
 * API table that hands them to protocol.c and doctor.c (engine_api.h). Each is
 * quiet when nothing is configured or the store cannot be read: it answers the
 * default (refuse the extra origin, refuse no-origin, 0 = default cap, no ids)
 * and leaves a line in the opt-in log. The caller check's two settings come
 * from the settings file (allowlist.h) alone; settings_migrate moves them there
 * out of a store written by an older version, for the commands the person runs
 * (configure, status, doctor), never for a caller.
 * [store]
 */
#include "allowlist.h"
#include "common.h"
#include "config.h"
#include "engine_api.h"
#include "log.h"
#include "paths.h"
#include "store.h"

#include <string.h>

static struct store *settings_open(void)
{
    struct store *s = NULL;
    struct err e;

    err_clear(&e);
    if (store_load(&s, &e) != 0) {
        if (e.code != ERR_NOT_CONFIGURED)
            log_msg("settings: store unreadable (%s)", err_code_name(e.code));
        return NULL;
    }
    return s;
}

/*
 * The caller check's settings (allowlist.h), as the host reads them: the settings file alone.
 * 0, or -1 (*out empty: nothing beyond the stub) when it does not exist or cannot be read. A
 * store written by an older version that still holds them is moved into the file by
 * settings_migrate (configure, status, doctor), never read here: the caller check decrypts
 * nothing.
 */
int settings_caller(struct allowlist *out)
{
    struct err e;
    int rc;

    err_clear(&e);
    rc = allowlist_read(out, &e);
    if (rc > 0)
        return 0;
    if (rc < 0)
        log_msg("settings: the settings file is refused (%s)", err_code_name(e.code));
    return -1;
}

int settings_origin_allowed(const char *ext_id)
{
    struct allowlist a;

    return settings_caller(&a) == 0 && allowlist_has(&a, ext_id);
}

int settings_allow_no_origin(void)
{
    struct allowlist a;

    return settings_caller(&a) == 0 && a.allow_no_origin;
}

size_t settings_allowed_ids(char (*out)[33], size_t max)
{
    struct allowlist a;
    size_t i;

    if (settings_caller(&a) != 0)
        return 0;
    for (i = 0; i < a.n && i < max; i++)
        memcpy(out[i], a.ids[i], 33);
    return i;
}

/* Under the store's lock: the store's two settings into the file, then out of the store. */
static int settings_migrate_edit(cJSON *doc, void *ctx, struct err *e)
{
    cJSON *set = cJSON_GetObjectItemCaseSensitive(doc, "settings");
    struct allowlist a;
    struct err ignored;

    err_clear(&ignored);
    if (!doc->child || allowlist_read(&a, &ignored) != 0 || !cJSON_IsObject(set) ||
        (!cJSON_GetObjectItemCaseSensitive(set, "allowed_extension_ids") &&
         !cJSON_GetObjectItemCaseSensitive(set, "allow_no_origin"))) {
        /* no store after all, the file exists now (another process moved them) or is refused
         * (never replaced by the store's older values), or the store holds nothing to move:
         * nothing is written */
        err_set(e, ERR_OK, "nothing to move");
        return -1;
    }
    if (allowlist_from_settings(&a, set, e) != 0 || allowlist_write(&a, e) != 0)
        return -1;
    if (ctx)
        *(size_t *)ctx = a.n;
    if (cJSON_IsObject(set)) {
        cJSON_DeleteItemFromObjectCaseSensitive(set, "allowed_extension_ids");
        cJSON_DeleteItemFromObjectCaseSensitive(set, "allow_no_origin");
    }
    return 0;
}

int settings_migrate(size_t *moved)
{
    struct allowlist a;
    struct err e;
    size_t n = (size_t)-1;

    err_clear(&e);
    if (moved)
        *moved = (size_t)-1;
    /* the file exists (or is refused): nothing to move, and the store is not even opened */
    if (!paths_store_exists() || allowlist_read(&a, &e) != 0)
        return 0;
    err_clear(&e);
    if (store_update(settings_migrate_edit, &n, NULL, &e) != 0 && e.code != ERR_OK) {
        log_msg("settings: the caller check's settings were not moved out of the store (%s)",
                err_code_name(e.code));
        return -1;
    }
    if (moved)
        *moved = n;
    if (n != (size_t)-1)
        log_msg("settings: the caller check's settings moved out of the store into the file");
    return 0;
}

static int settings_migrate_quiet(void)
{
    return settings_migrate(NULL);
}

unsigned long long settings_inbound_cap(void)
{
    struct store *s = settings_open();
    unsigned long long cap = s ? store_inbound_cap(s) : 0;

    store_free(s);
    return cap;
}

TH_EXPORT extern const struct th_store_api textus_host_store_api;

const struct th_store_api textus_host_store_api = {
    .version = TH_STORE_API_VERSION,
    .size = sizeof(struct th_store_api),
    .settings_origin_allowed = settings_origin_allowed,
    .settings_allow_no_origin = settings_allow_no_origin,
    .settings_inbound_cap = settings_inbound_cap,
    .settings_allowed_ids = settings_allowed_ids,
    .settings_migrate = settings_migrate_quiet,
};
