/*
 * gh_config — Greenhouse configuration from the credential store (see gh_config.h).
 *
 * INTEGRATOR: the store (branch `store`) is not merged yet, so this reports
 * not_configured. Wire it to the store's getters: base_url / auth_url / CA file /
 * timeouts from settings; api_key or client_id + client_secret (+ optional sub) and
 * user_email from the encrypted store (secrets stay in sodium_malloc'd memory and are
 * wiped in gh_config_release); and set cfg->cache_changed to a callback that persists
 * gh_client_user_id() and gh_client_token() (see greenhouse.h), seeding a new client
 * with gh_client_set_user_id / gh_client_set_token. Never return invented data.
 */
#include "gh_config.h"

#include <string.h>

int gh_config_from_store(struct gh_config *cfg, struct err *e)
{
    memset(cfg, 0, sizeof(*cfg));
    err_set(e, ERR_NOT_CONFIGURED,
            "Greenhouse is not configured (the credential store is not connected to the "
            "Greenhouse client in this build)");
    return -1;
}

void gh_config_release(struct gh_config *cfg)
{
    if (cfg)
        memset(cfg, 0, sizeof(*cfg));
}
