/*
 * send_gh — the Greenhouse side of the send flow: a greenhouse client built
 * from the credential store (v1 or v3 by the configured credentials), with
 * the resolved user id and the v3 token persisted back into the store's cache,
 * and the two operations the flow needs (add a note, look for a marker).
 * Engine code; key material stays in the store's sodium memory.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "greenhouse.h"
#include "log.h"
#include "send.h"

struct send_gh {
    struct gh_client *client;
    struct gh_config cfg;
    long long cached_user;
    long long cached_token_exp;
};

static void send_gh_cache_changed(void *ctx, const struct gh_client *c)
{
    struct send_gh *g = ctx;
    long long uid = gh_client_user_id(c), exp = 0;
    char *tok;
    struct err e;

    err_clear(&e);
    if (uid > 0 && uid != g->cached_user && g->cfg.user_email) {
        if (store_cache_set_gh_user(uid, g->cfg.user_email, &e) != 0)
            log_msg("caching the Greenhouse user id failed: %s", e.message);
        else
            g->cached_user = uid;
    }
    tok = sodium_malloc(GH_TOKEN_MAX);
    if (!tok)
        return;
    if (gh_client_token(c, tok, GH_TOKEN_MAX, &exp) == 0 && exp != g->cached_token_exp) {
        if (store_cache_set_access_token(tok, exp, &e) != 0)
            log_msg("caching the Greenhouse token failed: %s", e.message);
        else
            g->cached_token_exp = exp;
    }
    sodium_memzero(tok, GH_TOKEN_MAX);
    sodium_free(tok);
}

int send_gh_open(struct send_gh **out, const struct store *s, struct err *e)
{
    struct send_gh *g = calloc(1, sizeof(*g));
    const char *tok;
    long long exp = 0;

    *out = NULL;
    if (!g) {
        err_set(e, ERR_INTERNAL, "out of memory");
        return -1;
    }
    g->cfg.base_url = store_gh_base_url(s);
    g->cfg.auth_url = store_gh_auth_url(s);
    g->cfg.user_email = store_gh_email(s);
    if (store_gh_generation(s) == 3) {
        g->cfg.client_id = store_gh_client_id(s);
        g->cfg.client_secret = store_gh_client_secret(s);
        g->cfg.sub = store_get(s, "greenhouse", "sub");
    } else {
        g->cfg.api_key = store_gh_api_key(s);
    }
    g->cfg.http.connect_timeout_ms = store_connect_timeout_ms(s);
    g->cfg.http.total_timeout_ms = store_timeout_ms(s);
    g->cfg.http.ca_file = store_ca_file(s);
    g->cfg.cache_changed = send_gh_cache_changed;
    g->cfg.cache_ctx = g;
    if (!g->cfg.user_email) {
        err_set(e, ERR_NOT_CONFIGURED,
                "the Greenhouse sign-in email is not configured; run textus-host configure");
        goto err;
    }
    if (gh_client_new(&g->client, &g->cfg, e) != 0)
        goto err;
    g->cached_user = store_gh_user_id(s);
    if (g->cached_user > 0)
        gh_client_set_user_id(g->client, g->cached_user);
    tok = store_gh_access_token(s, &exp);
    if (tok && tok[0] && gh_client_set_token(g->client, tok, exp) == 0)
        g->cached_token_exp = exp;
    *out = g;
    return 0;
err:
    send_gh_close(g);
    return -1;
}

void send_gh_close(struct send_gh *g)
{
    if (!g)
        return;
    if (g->client)
        gh_client_free(g->client);
    free(g);
}

int send_gh_add_note(struct send_gh *g, const char *candidate_id, const char *body,
                     const char *visibility, char *note_id, size_t note_id_sz, struct err *e)
{
    long long id = 0;

    if (gh_add_note(g->client, candidate_id, body, visibility, &id, e) != 0)
        return -1;
    if (id > 0)
        snprintf(note_id, note_id_sz, "%lld", id);
    else
        note_id[0] = '\0';
    return 0;
}

int send_gh_find_note(struct send_gh *g, const char *candidate_id, const char *needle,
                      char *note_id, size_t note_id_sz, int *found, struct err *e)
{
    /* the client reports presence only; the id of a note found this way stays unknown */
    if (note_id_sz)
        note_id[0] = '\0';
    return gh_note_exists(g->client, candidate_id, needle, found, e);
}
