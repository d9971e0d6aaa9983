/*
 * paths — state locations and their permission rules (see paths.h).
 * [core]
 */
#include "paths.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "os.h"

static const char *paths_home(void)
{
    static char home[PATHS_MAX];

    if (os_home_dir(home, sizeof(home)) == 0 && os_path_is_absolute(home))
        return home;
    return NULL;
}

static int paths_join(char *out, const char *dir, const char *name, struct err *e)
{
    /* the system's own separator: Windows paths read C:\...\textus-host, never .../x */
    int n = snprintf(out, PATHS_MAX, "%s%c%s", dir, os_path_sep(), name);

    if (n < 0 || n >= PATHS_MAX) {
        err_set(e, ERR_INVALID_CONFIG, "the path %s%c%s is too long", dir, os_path_sep(), name);
        return -1;
    }
    return 0;
}

int paths_resolve(struct paths *out, struct err *e)
{
    const char *root = os_getenv("TEXTUS_HOST_HOME");
    const char *home;
    char base[PATHS_MAX], data[PATHS_MAX];

    memset(out, 0, sizeof(*out));
    if (root && *root) {
        size_t n = strlen(root);
        if (!os_path_is_absolute(root)) {
            err_set(e, ERR_INVALID_CONFIG, "TEXTUS_HOST_HOME must be an absolute path (it is '%s')",
                    root);
            return -1;
        }
        while (n > 1 && (root[n - 1] == '/' || root[n - 1] == os_path_sep()))
            n--;
        if (n >= PATHS_MAX - 32) {
            err_set(e, ERR_INVALID_CONFIG, "TEXTUS_HOST_HOME is too long");
            return -1;
        }
        memcpy(out->config_dir, root, n);
        out->config_dir[n] = '\0';
        memcpy(out->data_dir, root, n + 1);
    } else {
        home = paths_home();
        if (!home) {
            err_set(e, ERR_INVALID_CONFIG,
                    "cannot find the home directory: set HOME or TEXTUS_HOST_HOME");
            return -1;
        }
        if (os_config_dir(base, sizeof(base)) != 0 || os_data_dir(data, sizeof(data)) != 0) {
            err_set(e, ERR_INVALID_CONFIG, "$XDG_CONFIG_HOME, $XDG_DATA_HOME or $HOME is too long");
            return -1;
        }
        /* one folder for both (macOS, Windows): the data gets a name of its own */
        if (paths_join(out->config_dir, base, "textus-host", e) ||
            paths_join(out->data_dir, data, os_dirs_shared() ? "textus-host-data" : "textus-host",
                       e))
            return -1;
    }
    if (paths_join(out->store, out->config_dir, "credentials.store", e) ||
        paths_join(out->lock, out->config_dir, "credentials.lock", e) ||
        paths_join(out->key, out->data_dir, "store.key", e) ||
        paths_join(out->key_new, out->data_dir, "store.key.new", e) ||
        paths_join(out->generation, out->data_dir, "store.generation", e) ||
        paths_join(out->outbox, out->data_dir, "outbox.sqlite", e) ||
        paths_join(out->log, out->data_dir, "host.log", e) ||
        paths_join(out->pending, out->data_dir, "pending", e) ||
        paths_join(out->holds, out->data_dir, "holds", e) ||
        paths_join(out->settings, out->config_dir, "settings.json", e))
        return -1;
    return 0;
}

/* The rule shared by paths_check_*: st describes path; want_dir selects the kind. */
static int paths_check_stat(const struct os_stat *st, const char *path, int want_dir, struct err *e)
{
    if (want_dir ? st->kind != OS_KIND_DIR : st->kind != OS_KIND_FILE) {
        err_set(e, ERR_STORE_PERMISSIONS, "%s is not a %s; move it away", path,
                want_dir ? "directory" : "regular file");
        return -1;
    }
    if (!st->is_owner || !st->is_private) { /* in the platform's words: chmod, or icacls */
        char why[128], fix[PATHS_MAX + 160];
        os_perm_text(why, sizeof(why), fix, sizeof(fix),
                     !st->is_owner ? OS_PERM_NOT_OWNER : OS_PERM_SHARED, st, path, want_dir);
        err_set(e, ERR_STORE_PERMISSIONS, "%s %s", path, why);
        err_add_fix(e, "; fix it with: %s", fix);
        return -1;
    }
    return 0;
}

static int paths_check(const char *path, int want_dir, int *exists, struct err *e)
{
    struct os_stat st;

    if (exists)
        *exists = 0;
    if (os_stat(&st, path, 0) != 0) {
        if (errno == ENOENT)
            return 0;
        err_set(e, ERR_STORE_IO, "cannot examine %s: %s", path, strerror(errno));
        return -1;
    }
    if (exists)
        *exists = 1;
    return paths_check_stat(&st, path, want_dir, e);
}

int paths_check_dir(const char *dir, int *exists, struct err *e)
{
    return paths_check(dir, 1, exists, e);
}

int paths_check_file(const char *path, int *exists, struct err *e)
{
    return paths_check(path, 0, exists, e);
}

int paths_check_fd(int fd, const char *path, struct err *e)
{
    struct os_stat st;

    if (os_fstat(&st, fd) != 0) {
        err_set(e, ERR_STORE_IO, "cannot examine %s: %s", path, strerror(errno));
        return -1;
    }
    return paths_check_stat(&st, path, 0, e);
}

/* 1 when path is a folder (a drive's root, "C:", refuses mkdir with another error). */
static int paths_is_dir(const char *path)
{
    struct os_stat st;

    return os_stat(&st, path, 1) == 0 && st.kind == OS_KIND_DIR;
}

int paths_ensure_dir(const char *dir, struct err *e)
{
    char tmp[PATHS_MAX];
    size_t n = strlen(dir), i;
    int exists;

    if (n == 0 || n >= sizeof(tmp)) {
        err_set(e, ERR_INVALID_CONFIG, "invalid directory path");
        return -1;
    }
    memcpy(tmp, dir, n + 1);
    /* parents first; an existing parent is left as it is (it is not ours to judge) */
    for (i = 1; i < n; i++) {
        char sep = tmp[i];
        if (sep != '/' && sep != os_path_sep())
            continue;
        tmp[i] = '\0';
        if (os_mkdir_private(tmp) != 0 && errno != EEXIST && !paths_is_dir(tmp)) {
            err_set(e, ERR_STORE_IO, "cannot create %s: %s", tmp, strerror(errno));
            return -1;
        }
        tmp[i] = sep;
    }
    if (os_mkdir_private(dir) != 0 && errno != EEXIST) {
        err_set(e, ERR_STORE_IO, "cannot create %s: %s", dir, strerror(errno));
        return -1;
    }
    if (paths_check_dir(dir, &exists, e) != 0)
        return -1;
    if (!exists) {
        err_set(e, ERR_STORE_IO, "cannot create %s", dir);
        return -1;
    }
    return 0;
}

int paths_ensure_dirs(const struct paths *p, struct err *e)
{
    if (paths_ensure_dir(p->config_dir, e) != 0)
        return -1;
    if (strcmp(p->config_dir, p->data_dir) != 0 && paths_ensure_dir(p->data_dir, e) != 0)
        return -1;
    return 0;
}

void paths_describe(const char *path, int is_dir, char *out, size_t outsz, int *ok)
{
    struct os_stat st;
    struct err e;

    if (ok)
        *ok = 1;
    if (os_stat(&st, path, 0) != 0) {
        if (errno == ENOENT)
            snprintf(out, outsz, "missing");
        else
            snprintf(out, outsz, "cannot examine: %s", strerror(errno));
        if (errno != ENOENT && ok)
            *ok = 0;
        return;
    }
    err_clear(&e);
    if (paths_check_stat(&st, path, is_dir, &e) != 0) {
        if (ok)
            *ok = 0;
        snprintf(out, outsz, "refused: %s", e.message); /* the message names the mode, if any */
        return;
    }
    {
        char words[64];
        os_perm_ok_text(words, sizeof(words), &st);
        snprintf(out, outsz, "ok (%s)", words);
    }
}

int paths_store_exists(void)
{
    struct paths *p = malloc(sizeof(*p)); /* PATHS_MAX-sized members: keep them off the stack */
    struct err ignored;
    struct os_stat st;
    int exists = 0;

    if (p && paths_resolve(p, &ignored) == 0)
        exists = os_stat(&st, p->store, 1) == 0;
    free(p);
    return exists;
}
