/*
 * paths — state locations and their permission rules (see paths.h).
 * [core]
 */
#include "paths.h"

#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *paths_home(void)
{
    const char *home = getenv("HOME");
    struct passwd *pw;

    if (home && home[0] == '/')
        return home;
    pw = getpwuid(getuid());
    if (pw && pw->pw_dir && pw->pw_dir[0] == '/')
        return pw->pw_dir;
    return NULL;
}

static int paths_join(char *out, const char *dir, const char *name, struct err *e)
{
    int n = snprintf(out, PATHS_MAX, "%s/%s", dir, name);

    if (n < 0 || n >= PATHS_MAX) {
        err_set(e, ERR_INVALID_CONFIG, "the path %s/%s is too long", dir, name);
        return -1;
    }
    return 0;
}

#ifndef __APPLE__
/* An XDG base directory: $var when absolute (relative values are ignored, as the spec says). */
static int paths_xdg(char *out, const char *var, const char *home, const char *fallback,
                     struct err *e)
{
    const char *v = getenv(var);
    char base[PATHS_MAX];
    int n;

    if (v && v[0] == '/')
        n = snprintf(base, sizeof(base), "%s", v);
    else
        n = snprintf(base, sizeof(base), "%s/%s", home, fallback);
    if (n < 0 || (size_t)n >= sizeof(base)) {
        err_set(e, ERR_INVALID_CONFIG, "$%s or $HOME is too long", var);
        return -1;
    }
    return paths_join(out, base, "textus-host", e);
}
#endif

int paths_resolve(struct paths *out, struct err *e)
{
    const char *root = getenv("TEXTUS_HOST_HOME");
    const char *home;

    memset(out, 0, sizeof(*out));
    if (root && *root) {
        size_t n = strlen(root);
        if (root[0] != '/') {
            err_set(e, ERR_INVALID_CONFIG, "TEXTUS_HOST_HOME must be an absolute path (it is '%s')",
                    root);
            return -1;
        }
        while (n > 1 && root[n - 1] == '/')
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
#ifdef __APPLE__
        {
            int n1 = snprintf(out->config_dir, PATHS_MAX,
                              "%s/Library/Application Support/textus-host", home);
            int n2 = snprintf(out->data_dir, PATHS_MAX,
                              "%s/Library/Application Support/textus-host-data", home);
            if (n1 < 0 || n1 >= PATHS_MAX || n2 < 0 || n2 >= PATHS_MAX) {
                err_set(e, ERR_INVALID_CONFIG, "$HOME is too long");
                return -1;
            }
        }
#else
        if (paths_xdg(out->config_dir, "XDG_CONFIG_HOME", home, ".config", e) ||
            paths_xdg(out->data_dir, "XDG_DATA_HOME", home, ".local/share", e))
            return -1;
#endif
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
static int paths_check_stat(const struct stat *st, const char *path, int want_dir, struct err *e)
{
    if (want_dir ? !S_ISDIR(st->st_mode) : !S_ISREG(st->st_mode)) {
        err_set(e, ERR_STORE_PERMISSIONS, "%s is not a %s; move it away", path,
                want_dir ? "directory" : "regular file");
        return -1;
    }
    if (st->st_uid != geteuid()) {
        err_set(e, ERR_STORE_PERMISSIONS, "%s belongs to another user (uid %ld)", path,
                (long)st->st_uid);
        err_add_fix(e, "; fix it with: chown %ld '%s'", (long)geteuid(), path);
        return -1;
    }
    if (st->st_mode & 077) {
        err_set(e, ERR_STORE_PERMISSIONS, "%s is accessible by group or others (mode %04o)", path,
                (unsigned)(st->st_mode & 07777));
        err_add_fix(e, "; fix it with: chmod %s '%s'", want_dir ? "700" : "600", path);
        return -1;
    }
    return 0;
}

static int paths_check(const char *path, int want_dir, int *exists, struct err *e)
{
    struct stat st;

    if (exists)
        *exists = 0;
    if (lstat(path, &st) != 0) {
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
    struct stat st;

    if (fstat(fd, &st) != 0) {
        err_set(e, ERR_STORE_IO, "cannot examine %s: %s", path, strerror(errno));
        return -1;
    }
    return paths_check_stat(&st, path, 0, e);
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
        if (tmp[i] != '/')
            continue;
        tmp[i] = '\0';
        if (mkdir(tmp, 0700) != 0 && errno != EEXIST) {
            err_set(e, ERR_STORE_IO, "cannot create %s: %s", tmp, strerror(errno));
            return -1;
        }
        tmp[i] = '/';
    }
    if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
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
    struct stat st;
    struct err e;

    if (ok)
        *ok = 1;
    if (lstat(path, &st) != 0) {
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
        snprintf(out, outsz, "refused (%04o): %s", (unsigned)(st.st_mode & 07777), e.message);
        return;
    }
    snprintf(out, outsz, "ok (%04o)", (unsigned)(st.st_mode & 07777));
}

int paths_store_exists(void)
{
    struct paths *p = malloc(sizeof(*p)); /* PATHS_MAX-sized members: keep them off the stack */
    struct err ignored;
    struct stat st;
    int exists = 0;

    if (p && paths_resolve(p, &ignored) == 0)
        exists = stat(p->store, &st) == 0;
    free(p);
    return exists;
}
