/*
 * config — what may go into the credential store and how it is shown
 * (on top of store.h): shape validation of the configure
 * document, the merge rules of `configure` (CLI and protocol verb), and the
 * masked status summary shared by `textus-host status`, the `status` verb and
 * the replies of `configure`.
 *
 * Configure document (CLI: everything; extension: only the members marked *):
 *   {"textus": {"token"*, "account"*, "base_url"},
 *    "greenhouse": {"email"*, "harvest"*, "api_key"* | "client_id"* + "client_secret"*,
 *                   "base_url", "auth_url"},
 *    "settings": {"note_enabled", "note_visibility", "allowed_extension_ids",
 *                 "allow_no_origin", "inbound_cap", "ca_file",
 *                 "connect_timeout_ms", "timeout_ms", "segment_limit",
 *                 "note_retry_base_ms"}}
 * It is merged into the stored document (RFC 7386: null deletes a member).
 * Setting api_key removes client_id/client_secret and vice versa; any change
 * under "greenhouse" drops the cached user id and access token. A member not
 * listed above (at any level) is refused, naming the nearest valid one;
 * "cache" and "internal" are the store's own and refused too (members a
 * newer version stored are kept as they are).
 *
 * "greenhouse.harvest" ("v3" | "v1", extension too) says which Harvest
 * generation the document means; it is never stored. It is required to go
 * back from stored v3 client credentials to a v1 api_key (v1 was scheduled
 * for removal): without it such a document is refused and nothing changes.
 * api_key and client_id/client_secret in one document are refused.
 * [engine]
 */
#ifndef TH_CONFIG_H
#define TH_CONFIG_H

#include "common.h"

#include <stddef.h>

#include <cjson/cJSON.h>

#include "error.h"
#include "handler.h"
#include "store.h"

#define CONFIG_V1_NOTICE                                                                           \
    "Greenhouse announced the removal of Harvest v1/v2 for 2026-08-31; that date has passed, "     \
    "and a v1 key that still answers may stop at any time: use Harvest v3 client credentials "     \
    "(client_id + client_secret)"

/* Validate a whole document (ERR_INVALID_CONFIG with the dotted field name). */
int config_validate(const cJSON *doc, struct err *e) TH_WUR;

/* Check a configure document before merging; from_extension restricts it (see above). */
int config_check_patch(const cJSON *patch, int from_extension, struct err *e) TH_WUR;

/*
 * The checks that mean "the document was not understood": unknown members
 * (the message names the nearest valid one), the Harvest directive, and the
 * switch from v3 back to v1 without "harvest": "v1" given what is stored
 * (stored_gen: store_gh_generation(), 0 when nothing is stored). Shapes are
 * not checked here. ERR_INVALID_CONFIG with the reason.
 */
int config_check_document(const cJSON *patch, int from_extension, int stored_gen,
                          struct err *e) TH_WUR;

/*
 * Every value the document gives, by itself (no store is read or written):
 * config_check_patch for the local command line (from_extension 0), and the
 * shape of each setting given (null, which removes one, is not checked). What
 * only the merge with the stored document can tell (client_id without its
 * secret) is left to config_apply. ERR_INVALID_CONFIG naming the member.
 */
int config_check_values(const cJSON *patch, struct err *e) TH_WUR;

/* Check, merge under the store lock, validate, write. *out (may be NULL) gets the new store. */
int config_apply(const cJSON *patch, int from_extension, struct store **out, struct err *e) TH_WUR;

/*
 * config_apply, refused (ERR_INVALID_CONFIG, nothing written) when the merged
 * document differs from `expected` (a config_preview result, may be NULL) in a
 * field online verification depends on: the store changed in between.
 * *changes (may be NULL) gets the config_changes() list of what was saved.
 */
int config_apply_ex(const cJSON *patch, int from_extension, const cJSON *expected,
                    struct store **out, cJSON **changes, struct err *e) TH_WUR;

/*
 * What differs between two configuration documents, for a person and for the
 * options page: an array of {"field": "textus.token", "change": "set" |
 * "changed" | "removed", "value", "was"} (secrets and client ids masked as in
 * the status summary, null when absent), and "greenhouse.harvest" ("v3" /
 * "v1") when the Harvest generation changes. NULL when out of memory.
 */
cJSON *config_changes(const cJSON *before, const cJSON *after);

/*
 * The document config_apply would write (patch merged into the current store
 * under the lock, the merge rules applied, validated), without writing it.
 * *merged holds secrets: release it with store_json_wipe + cJSON_Delete. On
 * first use the directories and the key file are created (store_update), but
 * no store is written. *changes (may be NULL) gets what the merge would
 * change (config_changes). Errors as config_apply.
 */
int config_preview(const cJSON *patch, int from_extension, cJSON **merged, cJSON **changes,
                   struct err *e) TH_WUR;

/* Shape checks, exposed for tests. Each returns 1 when acceptable. */
int config_url_ok(const char *url);
int config_email_ok(const char *email);
int config_slug_ok(const char *slug);

/* Mask a secret to its last 4 characters ("****abcd"); short secrets become "****". */
void config_mask(char *out, size_t outsz, const char *secret);

/*
 * The masked summary: {"configured", "textus", "greenhouse", "settings",
 * "key_id", "paths", "permissions", "error"?}. s may be NULL (then load_err,
 * if not NULL and not ERR_OK, is reported under "error"). NULL when out of memory.
 */
cJSON *config_status(const struct store *s, const struct err *load_err);

/* Print a config_status() document for a person (cli_status.c). */
void cli_status_print(const cJSON *status);

/* Settings the executable reads through the store module's API table (engine_api.h,
 * protocol.c); quiet when nothing is configured. */
struct allowlist;
/* The caller check's settings: the file alone (allowlist.h); 0, or -1 none or refused. */
int settings_caller(struct allowlist *out);
/* While no settings file exists: move an older store's caller-check settings into it, under
 * the store's lock (configure, status, doctor; never the caller check). 0 moved or nothing to
 * move (*moved, when not NULL: the number of ids moved, or (size_t)-1 when nothing was), -1
 * not (the opt-in log says why). */
int settings_migrate(size_t *moved);
int settings_origin_allowed(const char *ext_id);
int settings_allow_no_origin(void);
unsigned long long settings_inbound_cap(void);
size_t settings_allowed_ids(char (*out)[33], size_t max);

#endif
