/*
 * paths — where textus-host keeps its state, and the permission rules for it.
 *
 * Core module (no libsodium): the store, the outbox, the log and doctor all
 * need to know the same locations.
 *
 *   $TEXTUS_HOST_HOME set   -> everything directly under that one directory
 *                              (tests and portable installs use this).
 *   otherwise (Linux, BSD)  -> config dir $XDG_CONFIG_HOME/textus-host (~/.config/...):
 *                                credentials.store, credentials.lock, settings.json
 *                              data dir   $XDG_DATA_HOME/textus-host (~/.local/share/...):
 *                                store.key, store.generation, outbox.sqlite, host.log,
 *                                pending, holds
 *   otherwise (macOS)       -> config dir ~/Library/Application Support/textus-host
 *                              data dir   ~/Library/Application Support/textus-host-data
 *
 * The store and its key are deliberately in different directories, so that
 * syncing or backing up one folder never carries both.
 *
 * Directories are created 0700 and files 0600, and only when something is
 * written there (store_update creates the store's folders, lock file and key
 * with the first store it writes). A textus-host directory or
 * file that grants anything to group/others, or that belongs to another user,
 * is refused with ERR_STORE_PERMISSIONS and a message naming the file and the
 * chmod that fixes it.
 * [core]
 */
#ifndef TH_PATHS_H
#define TH_PATHS_H

#include "common.h"

#include <stddef.h>

#include "error.h"

#define PATHS_MAX 1024

struct paths {
    char config_dir[PATHS_MAX]; /* holds the store and its lock file */
    char data_dir[PATHS_MAX];   /* holds the key, the outbox, the log, the pending marker */
    char store[PATHS_MAX];      /* config_dir/credentials.store (encrypted) */
    char lock[PATHS_MAX];       /* config_dir/credentials.lock (advisory lock, empty) */
    char key[PATHS_MAX];        /* data_dir/store.key */
    char key_new[PATHS_MAX];    /* data_dir/store.key.new (only during a rekey) */
    char generation[PATHS_MAX]; /* data_dir/store.generation (the newest store's generation) */
    char outbox[PATHS_MAX];     /* data_dir/outbox.sqlite */
    char log[PATHS_MAX];        /* data_dir/host.log */
    char pending[PATHS_MAX];    /* data_dir/pending (marker: the outbox has work) */
    char holds[PATHS_MAX];      /* data_dir/holds (Retry-After holds per API origin, http.h) */
    char settings[PATHS_MAX];   /* config_dir/settings.json (the caller check's, allowlist.h) */
};

/* Fill *out from the environment. Creates nothing. ERR_INVALID_CONFIG when a location is unusable.
 */
int paths_resolve(struct paths *out, struct err *e) TH_WUR;

/*
 * 1 when a credential store file exists (one stat, no crypto): lets the
 * executable skip loading the engine when nothing is configured.
 */
int paths_store_exists(void);

/*
 * Create dir (and missing parents) with mode 0700, then check it with
 * paths_check_dir. Returns 0, or -1 with ERR_STORE_IO / ERR_STORE_PERMISSIONS.
 */
int paths_ensure_dir(const char *dir, struct err *e) TH_WUR;

/* Create both directories of *p (paths_ensure_dir). */
int paths_ensure_dirs(const struct paths *p, struct err *e) TH_WUR;

/*
 * Check an existing directory: ours, a directory, no group/other bits.
 * *exists (may be NULL) is set to 0 and 0 is returned when it does not exist.
 */
int paths_check_dir(const char *dir, int *exists, struct err *e) TH_WUR;

/*
 * Check a file: a regular file (not a symlink), ours, no group/other bits.
 * *exists (may be NULL) is set to 0 and 0 is returned when it does not exist.
 */
int paths_check_file(const char *path, int *exists, struct err *e) TH_WUR;

/* Same rule on an open descriptor (what was actually opened); path is for the message. */
int paths_check_fd(int fd, const char *path, struct err *e) TH_WUR;

/*
 * A one-line description of a file or directory's permission state for status output:
 * "missing", "ok (0600)", or "too open (0644): chmod 600 '<path>'" and similar.
 * Sets *ok (may be NULL) to 1 when the state is acceptable (missing counts as ok).
 */
void paths_describe(const char *path, int is_dir, char *out, size_t outsz, int *ok);

#endif
