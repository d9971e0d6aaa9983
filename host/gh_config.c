/*
 * gh_config — Greenhouse configuration from the credential store (see gh_config.h).
 * [engine]
 */
#include "gh_config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "engine_entry.h"
#include "log.h"
#include "paths.h"
#include "store.h"

/* The cached state of a client, copied out of it (tokens in sodium memory). */
struct gh_cache_put {
    const struct gh_config *cfg; /* the credentials the state was obtained with */
    long long user_id;
    const char *first, *last; /* the user's names, NULL when not known */
    char *tok[2];             /* GH_TOKEN_READ, GH_TOKEN_WRITE; "" when none */
    long long exp[2], sub[2];
    int refused; /* set by the edit: the stored credentials are not cfg's any more */
};

static int gh_config_same(const cJSON *doc, const char *name, const char *want)
{
    const cJSON *v =
        cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(doc, "greenhouse"), name);
    const char *have =
        cJSON_IsString(v) && v->valuestring && v->valuestring[0] ? v->valuestring : NULL;

    if (!want || !*want)
        return have == NULL;
    return have && strcmp(have, want) == 0;
}

static void gh_config_member(cJSON *obj, const char *name, cJSON *v)
{
    cJSON *old = cJSON_DetachItemFromObjectCaseSensitive(obj, name);

    if (old) {
        store_json_wipe(old);
        cJSON_Delete(old);
    }
    if (v)
        cJSON_AddItemToObject(obj, name, v);
}

/*
 * Runs under the store's lock on the current document: the state is written only when the
 * stored credentials, email and endpoints are still the ones it was obtained with. A
 * `configure` that replaced them in the meantime (and dropped the cache) wins.
 */
static int gh_config_cache_edit(cJSON *doc, void *ctx, struct err *e)
{
    struct gh_cache_put *p = ctx;
    const struct gh_config *cfg = p->cfg;
    static const char *const names[2][3] = {
        {"greenhouse_access_token", "greenhouse_access_token_expires_at", NULL},
        {"greenhouse_write_token", "greenhouse_write_token_expires_at",
         "greenhouse_write_token_sub"}};
    cJSON *c;
    int k;

    if (!gh_config_same(doc, "api_key", cfg->api_key) ||
        !gh_config_same(doc, "client_id", cfg->client_id) ||
        !gh_config_same(doc, "client_secret", cfg->client_secret) ||
        !gh_config_same(doc, "email", cfg->user_email) ||
        (cfg->base_url && !gh_config_same(doc, "base_url", cfg->base_url) &&
         strcmp(cfg->base_url, ENDPOINT_GH_BASE_URL) != 0) ||
        (cfg->auth_url && !gh_config_same(doc, "auth_url", cfg->auth_url) &&
         strcmp(cfg->auth_url, ENDPOINT_GH_AUTH_URL) != 0)) {
        p->refused = 1;
        err_clear(e);
        return -1; /* nothing is written */
    }
    c = cJSON_GetObjectItemCaseSensitive(doc, "cache");
    if (!cJSON_IsObject(c)) {
        gh_config_member(doc, "cache", NULL);
        c = cJSON_AddObjectToObject(doc, "cache");
        if (!c) {
            err_set(e, ERR_INTERNAL, "out of memory");
            return -1;
        }
    }
    if (p->user_id > 0) {
        gh_config_member(c, "greenhouse_user_id", cJSON_CreateNumber((double)p->user_id));
        gh_config_member(c, "greenhouse_user_email", cJSON_CreateString(cfg->user_email));
        if (p->first && p->last) { /* dropped with the id when the credentials change */
            gh_config_member(c, "greenhouse_user_first_name", cJSON_CreateString(p->first));
            gh_config_member(c, "greenhouse_user_last_name", cJSON_CreateString(p->last));
        }
    }
    for (k = 0; k < 2; k++) {
        if (!p->tok[k] || !p->tok[k][0])
            continue;
        gh_config_member(c, names[k][0], cJSON_CreateString(p->tok[k]));
        gh_config_member(c, names[k][1], cJSON_CreateNumber((double)p->exp[k]));
        if (names[k][2])
            gh_config_member(c, names[k][2], cJSON_CreateNumber((double)p->sub[k]));
    }
    return 0;
}

int gh_config_cache_save(const struct gh_client *c, struct err *e)
{
    struct gh_cache_put p;
    int k, rc;

    memset(&p, 0, sizeof(p));
    p.cfg = gh_client_config(c);
    p.user_id = gh_client_user_id(c);
    (void)gh_client_user_names(c, &p.first, &p.last);
    for (k = 0; k < 2; k++) {
        p.tok[k] = sodium_malloc(GH_TOKEN_MAX);
        if (!p.tok[k]) {
            err_set(e, ERR_INTERNAL, "out of secure memory");
            rc = -1;
            goto out;
        }
        p.tok[k][0] = '\0';
        if (gh_client_backend(c) == GH_V3 &&
            gh_client_token(c, (enum gh_token_kind)k, p.tok[k], GH_TOKEN_MAX, &p.exp[k],
                            &p.sub[k]) != 0)
            p.tok[k][0] = '\0';
    }
    if (p.user_id <= 0 && !p.tok[0][0] && !p.tok[1][0]) {
        rc = 0;
        goto out;
    }
    rc = store_update(gh_config_cache_edit, &p, NULL, e) == 0 ? 1 : -1;
    if (rc < 0 && p.refused) {
        log_msg("gh_config: the Greenhouse credentials changed meanwhile: what the old ones "
                "obtained is not cached");
        rc = 0;
    }
out:
    for (k = 0; k < 2; k++)
        if (p.tok[k])
            sodium_free(p.tok[k]);
    return rc;
}

/* The client's cache changed: persist what differs from the loaded store (never fatal). */
static void gh_config_persist(void *ctx, const struct gh_client *c)
{
    struct gh_config_src *src = ctx;
    char tok[GH_TOKEN_MAX];
    long long exp = 0, sub = 0;
    int changed = 0, k;
    const char *first, *last, *had;
    struct err e;

    err_clear(&e);

    if (gh_client_user_id(c) > 0 && gh_client_user_id(c) != store_gh_user_id(src->st))
        changed = 1;
    if (gh_client_user_id(c) > 0 && gh_client_user_names(c, &first, &last) == 0 &&
        (!(had = store_get(src->st, "cache", "greenhouse_user_first_name")) ||
         strcmp(had, first) != 0 ||
         !(had = store_get(src->st, "cache", "greenhouse_user_last_name")) ||
         strcmp(had, last) != 0))
        changed = 1;
    for (k = 0; k < 2 && !changed; k++) {
        const char *old = k == GH_TOKEN_READ
                              ? store_gh_access_token(src->st, NULL)
                              : store_get(src->st, "cache", "greenhouse_write_token");
        if (gh_client_token(c, (enum gh_token_kind)k, tok, sizeof(tok), &exp, &sub) == 0 &&
            (!old || strcmp(old, tok) != 0))
            changed = 1;
    }
    sodium_memzero(tok, sizeof(tok));
    if (changed && gh_config_cache_save(c, &e) < 0)
        log_msg("gh_config: could not cache the user id or tokens: %s", err_code_name(e.code));
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
    gh_config_hold_file(&cfg->http, src->holds, sizeof(src->holds));
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

/* A number member of the cache section, or 0. */
static long long gh_config_cache_num(const struct store *st, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(store_public_doc(st), "cache"), name);

    return cJSON_IsNumber(v) && v->valuedouble > 0 && v->valuedouble < 9.0e15
               ? (long long)v->valuedouble
               : 0;
}

void gh_config_seed_client(struct gh_client *c, const struct gh_config_src *src)
{
    long long exp = 0;
    const char *tok;

    if (!c || !src->st)
        return;
    if (store_gh_user_id(src->st) > 0) { /* the id and names of the configured email */
        gh_client_set_user_id(c, store_gh_user_id(src->st));
        gh_client_set_user_names(c, store_get(src->st, "cache", "greenhouse_user_first_name"),
                                 store_get(src->st, "cache", "greenhouse_user_last_name"));
    }
    if (gh_client_backend(c) != GH_V3)
        return;
    /* the store holds only what was cached with its current credentials (config.c drops the
     * cache when they change; gh_config_cache_save refuses a late write with old ones) */
    tok = store_gh_access_token(src->st, &exp);
    if (tok && *tok)
        (void)gh_client_set_token(c, GH_TOKEN_READ, tok, exp, 0);
    tok = store_get(src->st, "cache", "greenhouse_write_token");
    if (tok && *tok)
        (void)gh_client_set_token(c, GH_TOKEN_WRITE, tok,
                                  gh_config_cache_num(src->st, "greenhouse_write_token_expires_at"),
                                  gh_config_cache_num(src->st, "greenhouse_write_token_sub"));
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

void gh_config_hold_file(struct http_opts *o, char *buf, size_t bufsz)
{
    struct paths *p = malloc(sizeof(*p));
    struct err ignored;

    if (bufsz)
        buf[0] = '\0';
    o->hold_file = NULL;
    if (p && paths_resolve(p, &ignored) == 0 && strlen(p->holds) < bufsz) {
        memcpy(buf, p->holds, strlen(p->holds) + 1);
        o->hold_file = buf;
    }
    free(p);
}

/* ------------------------------------------------------------------ engine export */

/* extract_phone's Greenhouse fallback (engine_entry.h): the client configured from the store,
 * asked for the candidate's numbers. Here, not in greenhouse.c, so that the API client knows
 * nothing of the store. */
int gh_config_candidate_phones(const struct store *st, const char *candidate_id, cJSON *out_numbers,
                               struct err *e)
{
    struct gh_config cfg;
    struct gh_config_src src;
    struct gh_client *c = NULL;
    int rc = -1;

    if (gh_config_from_loaded(&cfg, &src, st, e) != 0)
        return -1;
    if (gh_client_new(&c, &cfg, e) == 0) {
        gh_config_seed_client(c, &src);
        if (gh_candidate_phones(c, candidate_id, out_numbers, e) == 0)
            rc = 0;
    }
    gh_client_free(c);
    gh_config_release(&cfg, &src);
    return rc;
}

int greenhouse_fallback_phones(const char *candidate_id, cJSON *out_numbers, struct err *e)
{
    struct store *st = NULL;
    int rc;

    if (store_load(&st, e) != 0)
        return -1;
    rc = gh_config_candidate_phones(st, candidate_id, out_numbers, e);
    store_free(st);
    return rc;
}
