/*
 * settings — the settings the executable itself needs (caller check, inbound
 * cap, and the allowed ids doctor prints in its fix), and the store module's
 * API table that hands them to protocol.c and doctor.c (engine_api.h). Each is
 * quiet when nothing is configured or the store cannot be read: it answers the
 * default (refuse the extra origin, refuse no-origin, 0 = default cap, no ids)
 * and leaves a line in the opt-in log.
 * [store]
 */
#include "common.h"
#include "config.h"
#include "engine_api.h"
#include "log.h"
#include "store.h"

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

int settings_origin_allowed(const char *ext_id)
{
    struct store *s = settings_open();
    int ok = s ? store_extension_allowed(s, ext_id) : 0;

    store_free(s);
    return ok;
}

int settings_allow_no_origin(void)
{
    struct store *s = settings_open();
    int ok = s ? store_allow_no_origin(s) : 0;

    store_free(s);
    return ok;
}

size_t settings_allowed_ids(char (*out)[33], size_t max)
{
    struct store *s = settings_open();
    size_t n = s ? store_extension_ids(s, out, max) : 0;

    store_free(s);
    return n;
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
};
