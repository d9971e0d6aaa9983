/*
 * store — the encrypted credential store (the only code that touches key
 * material). The engine's code (API clients, send flow, outbox, doctor,
 * configure) reads credentials and settings through this API.
 *
 * Files (paths.h): the store `credentials.store` in the config dir, its key
 * `store.key` in the data dir, an advisory lock `credentials.lock` next to the
 * store, and the generation record `store.generation` next to the key.
 *
 * Rollback: the document carries a generation (internal.generation), one
 * more on every write, and after each write the record beside the key is set
 * to it ("<decimal>\n", mode 0600). A store whose generation is below the
 * record is an older copy put back (a restored backup or sync of the config
 * folder): opened under the same key it would bring back a replaced credential
 * or setting, so it is refused as ERR_STORE_CORRUPT and never overwritten.
 * The store is written before the record, so a crash between the two leaves a
 * store newer than the record, which is accepted; a missing record accepts any
 * store (deleting it is how a person keeps an older copy on purpose). With
 * TEXTUS_HOST_HOME both live in one folder and a copy of the whole folder
 * rolls both back: the protection needs the key's folder to be kept apart, as
 * the default locations are.
 *
 * Store file format, version 1 (all integers single bytes):
 *
 *   offset size
 *        0    8  magic "TXHSTORE"
 *        8    1  format version (1)
 *        9    1  algorithm (1 = XChaCha20-Poly1305-IETF, libsodium
 *                crypto_aead_xchacha20poly1305_ietf)
 *       10    2  reserved, zero
 *       12    8  key id: the first 8 bytes of BLAKE2b-256(key)
 *       20   24  random nonce
 *       44    n  ciphertext of a UTF-8 JSON document, followed by the 16-byte tag
 *
 * The 20-byte header is the AEAD's associated data, so a change to any byte of
 * header, nonce, ciphertext or tag fails authentication. A failure is reported
 * as ERR_STORE_KEY_MISMATCH when the header names another key id and the
 * ciphertext does not open under our key id either (a different key), and as
 * ERR_STORE_CORRUPT otherwise (truncation, bit flips, an altered key id). A
 * corrupt or mismatched store is never overwritten: every update fails until
 * a person moves the file away.
 *
 * Key file format: magic "TXHK", version 1, 3 zero bytes, 32 random key bytes
 * (40 bytes, mode 0600). Created by the first store_update() that writes a store.
 * Version 2, where os_protect_key wraps keys for the user (Windows: DPAPI, user scope):
 * magic "TXHK", 2, 3 zero bytes, then the wrapped blob (up to 4 KB), owner-only too; read
 * with os_unprotect_key (a blob of another user or machine: ERR_STORE_KEY_MISMATCH). Each
 * platform reads version 1; POSIX writes it, Windows writes version 2 (rekey included).
 *
 * Rekey (crash safety): under the lock, (1) the new key is written to
 * store.key.new (temp + fsync + rename + fsync dir), (2) the store is
 * re-encrypted under it and atomically replaced, (3) store.key.new is renamed
 * over store.key. The old key stays in place until the new store is on disk.
 * Whoever next opens the store and finds store.key.new finishes the job by the
 * store's key id: if the store names the new key, step 3 is redone; if it
 * names the old key, store.key.new is a leftover of an interrupted step 1-2
 * and is deleted.
 *
 * Concurrency: every read-modify-write holds an exclusive flock() on the lock
 * file and re-reads the store under it, so concurrent processes updating
 * different fields all survive. Writes are atomic (temp file in the same
 * directory, fsync, rename, fsync of the directory); a failed write (full
 * disk, I/O error → ERR_STORE_IO) leaves the previous store intact. Plain reads
 * (store_load) take no lock: each file is always seen whole, old or new; when
 * the store and key read do not match (a rekey ran between the two reads) the
 * read is repeated under the lock before store_key_mismatch is reported.
 *
 * Memory: the decrypted document is held in sodium_malloc() memory (guarded,
 * mlock()ed where allowed); secret values (textus.token, greenhouse.api_key,
 * greenhouse.client_secret, the cached access tokens) are copied into a
 * sodium_malloc() arena owned by the handle and wiped by store_free(). cJSON's
 * transient copies of the document are wiped before they are freed.
 *
 * Document (JSON names are also those of the `configure` input, see
 * config.h):
 *   {"textus": {"token", "account", "base_url"},
 *    "greenhouse": {"email", "api_key" | "client_id" + "client_secret",
 *                   "base_url", "auth_url"},
 *    "settings": {"note_enabled", "note_visibility", "allowed_extension_ids",
 *                 "allow_no_origin", "inbound_cap", "ca_file",
 *                 "connect_timeout_ms", "timeout_ms", "segment_limit",
 *                 "quiet_hours", ...},
 *    "cache": {"textus_user", "greenhouse_user_id", "greenhouse_user_email",
 *              "greenhouse_user_first_name", "greenhouse_user_last_name",
 *              "greenhouse_access_token", "greenhouse_access_token_expires_at",
 *              "greenhouse_write_token", "greenhouse_write_token_expires_at",
 *              "greenhouse_write_token_sub"},
 *    "internal": {"kdf_root", "generation"}}
 * Unknown members are kept as they are.
 * [store]
 */
#ifndef TH_STORE_H
#define TH_STORE_H

#include "common.h"

#include <stddef.h>

#include <cjson/cJSON.h>

#include "endpoints.h"
#include "error.h"

/* Defaults applied by the accessors when a field is absent (the URLs: endpoints.h). */
#define STORE_DEFAULT_NOTE_VISIBILITY    "private"
#define STORE_DEFAULT_INBOUND_CAP        1048576ULL
#define STORE_MIN_INBOUND_CAP            65536ULL
#define STORE_MAX_INBOUND_CAP            67108864ULL
#define STORE_DEFAULT_CONNECT_TIMEOUT_MS 10000L
#define STORE_DEFAULT_TIMEOUT_MS         30000L
#define STORE_DEFAULT_SEGMENT_LIMIT      3
#define STORE_DEFAULT_QUIET_HOURS        "08:00-21:00"

#define STORE_KEY_ID_HEX 17 /* 16 hex digits + NUL */

struct store;

/* ---- reading ---------------------------------------------------------- */

/*
 * Open and decrypt the store. On success *out is a handle to free with
 * store_free(). Errors: ERR_NOT_CONFIGURED (no store yet), ERR_STORE_CORRUPT,
 * ERR_STORE_KEY_MISMATCH (including a missing key file), ERR_STORE_PERMISSIONS,
 * ERR_STORE_IO, ERR_INVALID_CONFIG (unusable paths), ERR_INTERNAL (libsodium).
 * Never creates or changes anything, except finishing an interrupted rekey.
 */
int store_load(struct store **out, struct err *e) TH_WUR;

/*
 * 1 when the store file is no longer the one s was read from (another process --
 * `configure`, a send caching a token -- wrote it, or it is gone), 0 when it is
 * the same. One lstat: for a process that keeps a handle across requests.
 */
int store_changed(const struct store *s);

/* Wipe and free a handle (NULL is fine). */
void store_free(struct store *s);

/* The id of the key the store is encrypted with, as 16 hex digits. */
const char *store_key_id(const struct store *s);

/*
 * The document without its secret values (secret members are absent), for
 * status output and for settings nobody has an accessor for yet. Owned by s.
 */
const cJSON *store_public_doc(const struct store *s);

/*
 * Field accessors. Strings point into the handle (secrets into its sodium
 * arena) and live until store_free(); NULL when absent unless a default is
 * documented. Never free them.
 */
const char *store_textus_token(const struct store *s);    /* secret */
const char *store_textus_account(const struct store *s);  /* account slug */
const char *store_textus_base_url(const struct store *s); /* default applied */

const char *store_gh_email(const struct store *s);         /* Greenhouse sign-in email */
const char *store_gh_api_key(const struct store *s);       /* secret; Harvest v1 */
const char *store_gh_client_id(const struct store *s);     /* Harvest v3 */
const char *store_gh_client_secret(const struct store *s); /* secret; Harvest v3 */
const char *store_gh_base_url(const struct store *s);      /* default applied */
const char *store_gh_auth_url(const struct store *s);      /* default applied */
/* 3 when client_id + client_secret are set, 1 when api_key is, 0 when neither. */
int store_gh_generation(const struct store *s);

/* Settings, defaults applied. */
int store_note_enabled(const struct store *s);            /* default 1 */
const char *store_note_visibility(const struct store *s); /* private|public|admin_only */
int store_extension_allowed(const struct store *s, const char *ext_id); /* in allowed ids */
/* settings.allowed_extension_ids into out (at most max, each 32 letters + NUL); the count. */
size_t store_extension_ids(const struct store *s, char (*out)[33], size_t max);
int store_allow_no_origin(const struct store *s);            /* default 0 */
unsigned long long store_inbound_cap(const struct store *s); /* default 1 MiB */
const char *store_ca_file(const struct store *s);            /* absolute path or NULL */
long store_connect_timeout_ms(const struct store *s);
long store_timeout_ms(const struct store *s);
int store_segment_limit(const struct store *s); /* 1..9, default 3 */
/* The quiet-hours window setting: "HH:MM-HH:MM" or "off" (validated when saved). */
const char *store_quiet_hours(const struct store *s); /* default "08:00-21:00" */

/* Generic string lookup: doc[section][name], secrets included; NULL when absent. */
const char *store_get(const struct store *s, const char *section, const char *name);

/* ---- cache (written by the API clients) --------------------------------- */

/*
 * The cached Greenhouse user id for the configured email, or 0. The cache is
 * dropped whenever the Greenhouse credentials or email change (config.c).
 */
long long store_gh_user_id(const struct store *s);
/* The cached v3 access token (secret) or NULL; *expires_at (unix seconds) may be NULL. */
const char *store_gh_access_token(const struct store *s, long long *expires_at);

/* The cached TextUs user ("/users/..."): the sender of a message this host sent with the
 * stored token (dropped when the token or the TextUs URL changes, config.c), or NULL. */
const char *store_textus_user(const struct store *s);
/* Cache the TextUs user, under the lock, only while the store still holds `token` (the one
 * the user was learnt with): 1 cached, 0 refused (the token was replaced), -1 error. */
int store_cache_set_textus_user(const char *user, const char *token, struct err *e) TH_WUR;

/* Cache the user id resolved for `email` (under the lock). */
int store_cache_set_gh_user(long long user_id, const char *email, struct err *e) TH_WUR;
/* Cache a v3 access token (NULL clears it) and its expiry, unix seconds. */
int store_cache_set_access_token(const char *token, long long expires_at, struct err *e) TH_WUR;

/* ---- writing ------------------------------------------------------------ */

/*
 * Read-modify-write under the lock. fn receives the current document (an
 * empty object when there is no store yet; secrets included — wipe nothing,
 * free nothing) and edits it in place; returning non-zero aborts with *e as
 * fn set it. The edited document is then encrypted and written atomically.
 * Creates the directories, the lock file and the key on first use, and only
 * when something is written: with no store yet, fn is first run on an empty
 * document without the lock, and an edit that refuses (a configure whose
 * verification failed, a preview) returns before anything exists; when it
 * accepts, the lock is taken and the store read again: still none, its result
 * is written; one written meanwhile by another process, fn runs again on it
 * (so fn may run twice and must not depend on running once). When out is not
 * NULL it receives a handle on the written document.
 */
typedef int (*store_edit_fn)(cJSON *doc, void *ctx, struct err *e);
int store_update(store_edit_fn fn, void *ctx, struct store **out, struct err *e) TH_WUR;

/*
 * RFC 7386 JSON merge patch of `patch` into doc (objects merge, null deletes,
 * anything else replaces), wiping replaced values. No validation: callers
 * validate (config_validate) in their store_edit_fn.
 */
int store_merge_patch(cJSON *doc, const cJSON *patch, struct err *e) TH_WUR;

/* Wipe every string of a cJSON tree (call before cJSON_Delete on secret-bearing trees). */
void store_json_wipe(cJSON *item);

/*
 * Rotate the key: re-encrypt the store under a new random key (see the top of
 * this file for the crash-safe order). old_id/new_id (may be NULL) receive the
 * key ids.
 */
int store_rekey(char old_id[STORE_KEY_ID_HEX], char new_id[STORE_KEY_ID_HEX], struct err *e) TH_WUR;

/*
 * Derive a 32-byte subkey for `context` (any string, e.g. "outbox-seal") with
 * crypto_kdf from a random root secret kept inside the encrypted store
 * (internal.kdf_root, created with the store). Rooting it in the store rather
 * than in the file key means `rekey` does not change derived keys, so data
 * sealed with them (the outbox) stays readable. Same store + same context →
 * same key. ERR_NOT_CONFIGURED without a store. Wipe out with sodium_memzero.
 */
int store_derive_key(unsigned char out[32], const char *context, struct err *e) TH_WUR;

/* The same, from a store the caller has already loaded (no second read of the files). */
int store_derive_key_from(unsigned char out[32], const struct store *s, const char *context,
                          struct err *e) TH_WUR;

#endif
