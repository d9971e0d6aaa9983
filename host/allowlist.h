/*
 * allowlist — the caller check's settings, kept where no secret is.
 *
 * settings.allowed_extension_ids and settings.allow_no_origin decide who may
 * use the host. They live in a plain JSON file beside the store (paths.h:
 * config_dir/settings.json, mode 0600, owned by the user), not in the
 * encrypted store, so that judging a caller decrypts nothing: a refused
 * caller makes the host open neither the store nor its key. The file holds no
 * secret, and whoever can write it can already replace the store itself.
 *
 *   {"allowed_extension_ids": ["<32 letters a-p>", ...], "allow_no_origin": false}
 *
 * `textus-host configure` writes it (config.c, under the store's lock), every
 * time, even with no extra id. A store written by an older version still holds
 * the two settings inside: while no file exists, the commands the person runs
 * (configure, status, doctor) move them, under the store's lock, into the file
 * (the same values, never more) and out of the store (settings.c,
 * settings_migrate). The caller check reads the file alone and never opens the
 * store: with no file, nothing beyond the built-in stub is allowed. A file that is not ours, grants
 * anything to group or others, or does not parse is refused: nothing beyond the stub is allowed.
 * [core]
 */
#ifndef TH_ALLOWLIST_H
#define TH_ALLOWLIST_H

#include "common.h"

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "error.h"

/* The development stub's id (extension-stub/manifest.json's key, which is public): a test
 * build allows it built in (protocol.h), a release build never; configure refuses it. */
#define ALLOWLIST_STUB_ID "hfboccpnppdfmcdbjjgmobnhljkkmjji"

#define ALLOWLIST_MAX_IDS  64
#define ALLOWLIST_MAX_SIZE 16384 /* bytes of the file: 64 ids fit many times over */

struct allowlist {
    size_t n;
    char ids[ALLOWLIST_MAX_IDS][33];
    int allow_no_origin;
};

/* What identifies one version of the file (one lstat): a rename by configure changes it. */
struct allowlist_stamp {
    int exists;
    uint64_t dev;
    uint64_t ino;
    uint64_t size;
    int64_t mtime_ns;
};

/*
 * Read the file into *out. 1 read; 0 no file (*out empty); -1 refused or unreadable
 * (*out empty, *e says why: ERR_STORE_PERMISSIONS, ERR_STORE_CORRUPT, ERR_STORE_IO).
 */
int allowlist_read(struct allowlist *out, struct err *e) TH_WUR;

/*
 * Fill *out from a settings object holding "allowed_extension_ids" and/or
 * "allow_no_origin" (either may be absent; NULL settings: empty). 0, or -1 with
 * ERR_INVALID_CONFIG when a value is not valid.
 */
int allowlist_from_settings(struct allowlist *out, const cJSON *settings, struct err *e) TH_WUR;

/* Write *a as the file: temp file 0600, fsync, rename, fsync of the folder (created 0700). */
int allowlist_write(const struct allowlist *a, struct err *e) TH_WUR;

/* The ids as a JSON array of strings (NULL when out of memory). */
cJSON *allowlist_ids_json(const struct allowlist *a);

/* 1 when ext_id is in the list. */
int allowlist_has(const struct allowlist *a, const char *ext_id);

/* The file's stamp now (exists 0 when missing or unreadable). */
void allowlist_stamp(struct allowlist_stamp *out);

/* 1 when the two stamps name the same version of the file. */
int allowlist_stamp_same(const struct allowlist_stamp *a, const struct allowlist_stamp *b);

#endif
