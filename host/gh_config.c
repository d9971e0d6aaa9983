/*
 * gh_config — Greenhouse configuration from the credential store (see gh_config.h).
 */
#include "gh_config.h"

#include <string.h>

#include <sodium.h>

#include "log.h"
#include "store.h"

/* The client's cache changed: persist it (failures are logged, never fatal). */
static void gh_config_persist(void *ctx, const struct gh_client *c)
{
    struct gh_config_src *src = ctx;
    char tok[GH_TOKEN_MAX];
    long long exp = 0, uid = gh_client_user_id(c);
    const char *email = store_gh_email(src->st);
    struct err e;

    err_clear(&e);
    if (uid > 0 && uid != store_gh_user_id(src->st) && email &&
        store_cache_set_gh_user(uid, email, &e) != 0)
        log_msg("gh_config: could not cache the user id: %s", err_code_name(e.code));
    if (gh_client_token(c, tok, sizeof(tok), &exp) == 0) {
        const char *old = store_gh_access_token(src->st, NULL);
        if ((!old || strcmp(old, tok) != 0) && store_cache_set_access_token(tok, exp, &e) != 0)
            log_msg("gh_config: could not cache the access token: %s", err_code_name(e.code));
    }
    sodium_memzero(tok, sizeof(tok));
}

int gh_config_from_loaded(struct gh_config *cfg, struct gh_config_src *src, const struct store *st,
                          struct err *e)
{
    memset(cfg, 0, sizeof(*cfg));
    memset(src, 0, sizeof(*src));
    if (store_gh_generation(st) == 0) {
        err_set(e, ERR_NOT_CONFIGURED,
                "no Greenhouse credentials are configured; run `textus-host configure`");
        return -1;
    }
    src->st = st;
    cfg->base_url = store_gh_base_url(st);
    cfg->auth_url = store_gh_auth_url(st);
    if (store_gh_generation(st) == 3) {
        cfg->client_id = store_gh_client_id(st);
        cfg->client_secret = store_gh_client_secret(st);
    } else {
        cfg->api_key = store_gh_api_key(st);
    }
    cfg->user_email = store_gh_email(st);
    cfg->http.ca_file = store_ca_file(st);
    cfg->http.connect_timeout_ms = store_connect_timeout_ms(st);
    cfg->http.total_timeout_ms = store_timeout_ms(st);
    cfg->cache_changed = gh_config_persist;
    cfg->cache_ctx = src;
    return 0;
}

int gh_config_from_store(struct gh_config *cfg, struct gh_config_src *src, struct err *e)
{
    struct store *st = NULL;

    if (store_load(&st, e) != 0) {
        memset(cfg, 0, sizeof(*cfg));
        memset(src, 0, sizeof(*src));
        return -1;
    }
    if (gh_config_from_loaded(cfg, src, st, e) != 0) {
        store_free(st);
        return -1;
    }
    src->owned = st;
    return 0;
}

void gh_config_seed_client(struct gh_client *c, const struct gh_config_src *src)
{
    long long exp = 0;
    const char *tok;

    if (!c || !src->st)
        return;
    if (store_gh_user_id(src->st) > 0)
        gh_client_set_user_id(c, store_gh_user_id(src->st));
    tok = store_gh_access_token(src->st, &exp);
    if (gh_client_backend(c) == GH_V3 && tok && *tok)
        (void)gh_client_set_token(c, tok, exp);
}

void gh_config_release(struct gh_config *cfg, struct gh_config_src *src)
{
    if (src) {
        store_free(src->owned);
        src->owned = NULL;
        src->st = NULL;
    }
    if (cfg)
        memset(cfg, 0, sizeof(*cfg));
}
