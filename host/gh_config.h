/*
 * gh_config — the Greenhouse client's configuration from the credential store
 * (store.h): URLs, credentials, sign-in email, CA file and timeouts, the
 * Retry-After hold file (paths.h), plus the cached user id and v3 access tokens
 * (one without subject for reads, one whose subject is the recruiter for
 * writes), which are seeded into a new client and written back to the store
 * when the client announces a change -- only while the store still holds the
 * credentials they were obtained with. Also extract_phone's Greenhouse
 * fallback (greenhouse_fallback_phones, engine_entry.h), which needs both.
 * This is the seam between the API clients and the store: greenhouse.c and
 * textus.c never read the store themselves.
 * [engine]
 */
#ifndef TH_GH_CONFIG_H
#define TH_GH_CONFIG_H

#include "common.h"

#include <stddef.h>

#include "error.h"
#include "greenhouse.h"
#include "paths.h"

struct store;

/* What a loaded configuration borrows from; release with gh_config_release. */
struct gh_config_src {
    const struct store *st; /* what cfg's strings point into */
    struct store *owned;    /* set when gh_config_from_store loaded it (freed on release) */
    char holds[PATHS_MAX];  /* cfg's http.hold_file points here */
};

/*
 * The candidate's phone numbers in Greenhouse, as greenhouse_fallback_phones gives them
 * ({"value", "type"} appended to out_numbers; List Candidates by id), with a client configured
 * from the loaded store st: extract_phone's fallback and `textus-host send`'s check that --to
 * is one of the candidate's numbers. 0, or -1 with *e (greenhouse_not_found, ...).
 */
int gh_config_candidate_phones(const struct store *st, const char *candidate_id, cJSON *out_numbers,
                               struct err *e) TH_WUR;

/*
 * Fill *cfg from the store (strings borrowed from src->st, secrets in its
 * sodium arena). ERR_NOT_CONFIGURED without a store or without Greenhouse
 * credentials; store errors as store_load reports them.
 */
int gh_config_from_store(struct gh_config *cfg, struct gh_config_src *src, struct err *e) TH_WUR;

/* The same from a store the caller has loaded and keeps alive until gh_config_release. */
int gh_config_from_loaded(struct gh_config *cfg, struct gh_config_src *src, const struct store *st,
                          struct err *e) TH_WUR;

/* Seed a client created from that configuration with the store's cached user id and token. */
void gh_config_seed_client(struct gh_client *c, const struct gh_config_src *src);

/* Free a store handle it loaded (wiping its secrets) and zero cfg. Safe on zeroed structs. */
void gh_config_release(struct gh_config *cfg, struct gh_config_src *src);

/*
 * Cache what client c learnt (its resolved user id and v3 tokens with their subjects) in the
 * store, under the store's lock, and only when the store still holds the credentials, email
 * and URLs of c's configuration: a `configure` that replaced them while a request was under
 * way wins, and nothing obtained with the old ones is kept. 1 cached, 0 nothing to cache or
 * refused (logged), -1 error (store codes).
 */
int gh_config_cache_save(const struct gh_client *c, struct err *e) TH_WUR;

/* Point o->hold_file at the state folder's Retry-After hold file (paths.h holds), copied into
 * buf (PATHS_MAX bytes); left NULL when the paths cannot be resolved. For every API client. */
void gh_config_hold_file(struct http_opts *o, char *buf, size_t bufsz);

#endif
