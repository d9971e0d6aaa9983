/*
 * allowlist — the caller check's settings file (see allowlist.h).
 * [core]
 */
#include "allowlist.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "os.h"
#include "paths.h"

static int allowlist_id_ok(const char *id)
{
    size_t i;

    for (i = 0; i < 32; i++) {
        if (id[i] < 'a' || id[i] > 'p')
            return 0;
    }
    return id[32] == '\0';
}

int allowlist_has(const struct allowlist *a, const char *ext_id)
{
    size_t i;

    for (i = 0; a && ext_id && i < a->n; i++) {
        if (strcmp(a->ids[i], ext_id) == 0)
            return 1;
    }
    return 0;
}

int allowlist_from_settings(struct allowlist *out, const cJSON *settings, struct err *e)
{
    const cJSON *ids = cJSON_GetObjectItemCaseSensitive(settings, "allowed_extension_ids");
    const cJSON *nor = cJSON_GetObjectItemCaseSensitive(settings, "allow_no_origin");
    const cJSON *it;

    memset(out, 0, sizeof(*out));
    if (nor && !cJSON_IsBool(nor)) {
        err_set(e, ERR_INVALID_CONFIG, "settings.allow_no_origin must be true or false");
        return -1;
    }
    out->allow_no_origin = cJSON_IsTrue(nor);
    if (!ids)
        return 0;
    if (!cJSON_IsArray(ids)) {
        err_set(e, ERR_INVALID_CONFIG, "settings.allowed_extension_ids must be an array");
        return -1;
    }
    cJSON_ArrayForEach(it, ids)
    {
        if (!cJSON_IsString(it) || !allowlist_id_ok(it->valuestring)) {
            memset(out, 0, sizeof(*out));
            err_set(e, ERR_INVALID_CONFIG,
                    "settings.allowed_extension_ids must hold extension ids (32 letters a-p)");
            return -1;
        }
        if (allowlist_has(out, it->valuestring))
            continue;
        if (out->n == ALLOWLIST_MAX_IDS) {
            memset(out, 0, sizeof(*out));
            err_set(e, ERR_INVALID_CONFIG,
                    "settings.allowed_extension_ids holds more than %d extension ids",
                    ALLOWLIST_MAX_IDS);
            return -1;
        }
        memcpy(out->ids[out->n++], it->valuestring, 33);
    }
    return 0;
}

int allowlist_read(struct allowlist *out, struct err *e)
{
    struct paths p;
    char buf[ALLOWLIST_MAX_SIZE + 1];
    size_t len = 0;
    cJSON *doc;
    int fd, exists = 0, rc;

    memset(out, 0, sizeof(*out));
    if (paths_resolve(&p, e) != 0)
        return -1;
    /* the folder first: whoever may write it may swap the file */
    if (paths_check_dir(p.config_dir, &exists, e) != 0)
        return -1;
    if (!exists)
        return 0;
    fd = os_open_file(p.settings, OS_OPEN_READ | OS_OPEN_NONBLOCK);
    if (fd < 0) {
        if (errno == ENOENT)
            return 0;
        if (errno == ELOOP)
            err_set(e, ERR_STORE_PERMISSIONS, "%s is a symbolic link; move it away", p.settings);
        else
            err_set(e, ERR_STORE_IO, "cannot open %s: %s", p.settings, strerror(errno));
        return -1;
    }
    if (paths_check_fd(fd, p.settings, e) != 0) {
        os_close(fd);
        return -1;
    }
    for (;;) {
        long r = os_read(fd, buf + len, sizeof(buf) - len);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            err_set(e, ERR_STORE_IO, "cannot read %s: %s", p.settings, strerror(errno));
            os_close(fd);
            return -1;
        }
        if (r == 0)
            break;
        len += (size_t)r;
        if (len == sizeof(buf))
            break;
    }
    os_close(fd);
    if (len > ALLOWLIST_MAX_SIZE) {
        err_set(e, ERR_STORE_CORRUPT, "%s is larger than %d bytes", p.settings, ALLOWLIST_MAX_SIZE);
        return -1;
    }
    doc = cJSON_ParseWithLength(buf, len);
    if (!cJSON_IsObject(doc)) {
        cJSON_Delete(doc);
        err_set(e, ERR_STORE_CORRUPT,
                "%s is not a JSON object; run textus-host configure with the allowed ids to "
                "write it again",
                p.settings);
        return -1;
    }
    rc = allowlist_from_settings(out, doc, e);
    cJSON_Delete(doc);
    if (rc != 0) {
        char why[ERR_MESSAGE_MAX];
        snprintf(why, sizeof(why), "%s", e->message);
        err_set(e, ERR_STORE_CORRUPT, "%s: %s", p.settings, why);
        return -1;
    }
    return 1;
}

cJSON *allowlist_ids_json(const struct allowlist *a)
{
    cJSON *ids = cJSON_CreateArray();
    size_t i;

    for (i = 0; ids && i < a->n; i++) {
        cJSON *s = cJSON_CreateString(a->ids[i]);
        if (!s || !cJSON_AddItemToArray(ids, s)) {
            cJSON_Delete(s);
            cJSON_Delete(ids);
            return NULL;
        }
    }
    return ids;
}

static int allowlist_sync_dir(const char *dir, struct err *e)
{
    if (os_fsync_dir(dir) != 0 && errno != EINVAL) {
        err_set(e, ERR_STORE_IO, "cannot sync %s: %s", dir, strerror(errno));
        return -1;
    }
    return 0;
}

int allowlist_write(const struct allowlist *a, struct err *e)
{
    struct paths p;
    char tmp[PATHS_MAX + 32];
    cJSON *doc = cJSON_CreateObject(), *ids = allowlist_ids_json(a);
    char *text = NULL;
    size_t len, off = 0;
    int fd = -1, n;

    if (!doc || !ids || !cJSON_AddItemToObject(doc, "allowed_extension_ids", ids) ||
        !cJSON_AddBoolToObject(doc, "allow_no_origin", a->allow_no_origin) ||
        !(text = cJSON_PrintUnformatted(doc))) {
        if (!cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(doc, "allowed_extension_ids")))
            cJSON_Delete(ids);
        cJSON_Delete(doc);
        err_set(e, ERR_INTERNAL, "out of memory");
        return -1;
    }
    cJSON_Delete(doc);
    len = strlen(text);
    if (paths_resolve(&p, e) != 0 || paths_ensure_dir(p.config_dir, e) != 0)
        goto fail;
    n = snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", p.settings, os_getpid());
    if (n < 0 || (size_t)n >= sizeof(tmp)) {
        err_set(e, ERR_STORE_IO, "the path %s is too long", p.settings);
        goto fail;
    }
    fd = os_open_file(tmp, OS_OPEN_WRITE | OS_OPEN_CREATE | OS_OPEN_EXCL);
    if (fd < 0 && errno == EEXIST) { /* left by a crashed process that had our pid */
        (void)os_unlink(tmp);
        fd = os_open_file(tmp, OS_OPEN_WRITE | OS_OPEN_CREATE | OS_OPEN_EXCL);
    }
    if (fd < 0) {
        err_set(e, ERR_STORE_IO, "cannot create %s: %s", tmp, strerror(errno));
        goto fail;
    }
    while (off < len) {
        long w = os_write(fd, text + off, len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            goto io;
        off += (size_t)w;
    }
    if (os_fsync(fd) != 0)
        goto io;
    if (os_close(fd) != 0) {
        fd = -1;
        goto io;
    }
    fd = -1;
    if (os_replace(tmp, p.settings) != 0)
        goto io;
    free(text);
    return allowlist_sync_dir(p.config_dir, e);
io:
    err_set(e, ERR_STORE_IO, "cannot write %s: %s (the previous file is unchanged)", p.settings,
            strerror(errno ? errno : EIO));
    if (fd >= 0)
        os_close(fd);
    (void)os_unlink(tmp);
fail:
    free(text);
    return -1;
}

void allowlist_stamp(struct allowlist_stamp *out)
{
    struct paths *p = malloc(sizeof(*p)); /* PATHS_MAX-sized members: keep them off the stack */
    struct err ignored;
    struct os_stat st;

    memset(out, 0, sizeof(*out));
    if (p && paths_resolve(p, &ignored) == 0 && os_stat(&st, p->settings, 0) == 0) {
        out->exists = 1;
        out->dev = st.dev;
        out->ino = st.ino;
        out->size = st.size;
        out->mtime_ns = st.mtime_ns;
    }
    free(p);
}

int allowlist_stamp_same(const struct allowlist_stamp *a, const struct allowlist_stamp *b)
{
    if (a->exists != b->exists)
        return 0;
    if (!a->exists)
        return 1;
    return a->dev == b->dev && a->ino == b->ino && a->size == b->size && a->mtime_ns == b->mtime_ns;
}
