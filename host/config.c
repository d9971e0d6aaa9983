/*
 * config — validation, merge rules and the masked summary of the credential
 * store (see config.h). ENGINE module.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "common.h"
#include "paths.h"

/* ---- shapes ----------------------------------------------------------------- */

static int config_is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* A dotted IPv4 address whose first octet is 127. */
static int config_is_ipv4_loopback(const char *h, size_t n)
{
    size_t i = 0;
    int part = 0;

    while (part < 4) {
        long v = 0;
        size_t start = i;
        while (i < n && config_is_digit(h[i]) && i - start < 3)
            v = v * 10 + (h[i++] - '0');
        if (i == start || v > 255 || (part == 0 && v != 127))
            return 0;
        part++;
        if (part < 4) {
            if (i >= n || h[i] != '.')
                return 0;
            i++;
        }
    }
    return i == n;
}

int config_url_ok(const char *url)
{
    const char *auth, *end, *host, *host_end, *p;
    int https;
    size_t n;

    if (!url)
        return 0;
    for (p = url; *p; p++) {
        if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f)
            return 0;
    }
    if (strncmp(url, "https://", 8) == 0) {
        https = 1;
        auth = url + 8;
    } else if (strncmp(url, "http://", 7) == 0) {
        https = 0;
        auth = url + 7;
    } else {
        return 0;
    }
    end = auth + strcspn(auth, "/?#");
    if (memchr(auth, '@', (size_t)(end - auth))) /* no credentials inside URLs */
        return 0;
    host = auth;
    if (*host == '[') {
        host_end = memchr(host, ']', (size_t)(end - host));
        if (!host_end)
            return 0;
        p = host_end + 1;
        host++;
    } else {
        host_end = memchr(host, ':', (size_t)(end - host));
        if (!host_end)
            host_end = end;
        p = host_end;
    }
    n = (size_t)(host_end - host);
    if (n == 0)
        return 0;
    if (p < end) { /* a port */
        long port = 0;
        if (*p != ':' || p + 1 == end)
            return 0;
        for (p++; p < end; p++) {
            if (!config_is_digit(*p) || (port = port * 10 + (*p - '0')) > 65535)
                return 0;
        }
        if (port == 0)
            return 0;
    }
    if (https)
        return 1;
    /* plain http only to this machine */
    if (n == 9 && strncasecmp(host, "localhost", 9) == 0)
        return 1;
    if (n == 3 && host[-1] == '[' && strncmp(host, "::1", 3) == 0)
        return 1;
    return config_is_ipv4_loopback(host, n);
}

int config_email_ok(const char *email)
{
    const char *at, *p;
    size_t n;

    if (!email)
        return 0;
    n = strlen(email);
    at = strchr(email, '@');
    if (n < 3 || n > 254 || !at || at == email || strchr(at + 1, '@') || at - email > 64)
        return 0;
    for (p = email; p < at; p++) {
        if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f || strchr("()<>[]\\,;:\"", *p))
            return 0;
    }
    p = at + 1;
    if (!*p || *p == '.' || email[n - 1] == '.' || !strchr(p, '.') || strstr(p, ".."))
        return 0;
    for (; *p; p++) {
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || config_is_digit(*p) ||
              *p == '.' || *p == '-'))
            return 0;
    }
    return 1;
}

int config_slug_ok(const char *slug)
{
    size_t n = slug ? strlen(slug) : 0, i;

    if (n == 0 || n > 128)
        return 0;
    for (i = 0; i < n; i++) {
        char c = slug[i];
        if (!((c >= 'a' && c <= 'z') || config_is_digit(c) || c == '_' || c == '-'))
            return 0;
    }
    return 1;
}

/* A credential: 1..4096 printable ASCII characters without spaces. */
static int config_secret_ok(const char *s)
{
    size_t n = s ? strlen(s) : 0, i;

    if (n == 0 || n > 4096)
        return 0;
    for (i = 0; i < n; i++) {
        if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f)
            return 0;
    }
    return 1;
}

static int config_ext_id_ok(const char *id)
{
    size_t i;

    if (!id || strlen(id) != 32)
        return 0;
    for (i = 0; i < 32; i++) {
        if (id[i] < 'a' || id[i] > 'p')
            return 0;
    }
    return 1;
}

/* ---- validation --------------------------------------------------------------- */

enum config_kind { K_SECRET, K_SLUG, K_EMAIL, K_URL };

struct config_field {
    const char *section;
    const char *name;
    enum config_kind kind;
    int from_extension; /* the options page may set it */
};

static const struct config_field config_fields[] = {
    {"textus", "token", K_SECRET, 1},
    {"textus", "account", K_SLUG, 1},
    {"textus", "base_url", K_URL, 0},
    {"greenhouse", "email", K_EMAIL, 1},
    {"greenhouse", "api_key", K_SECRET, 1},
    {"greenhouse", "client_id", K_SECRET, 1},
    {"greenhouse", "client_secret", K_SECRET, 1},
    {"greenhouse", "base_url", K_URL, 0},
    {"greenhouse", "auth_url", K_URL, 0},
};
#define CONFIG_NFIELDS (TH_ARRAY_SIZE(config_fields))

static int config_check_field(const struct config_field *f, const cJSON *v, struct err *e)
{
    const char *s;

    if (!cJSON_IsString(v)) {
        err_set(e, ERR_INVALID_CONFIG, "%s.%s must be a string", f->section, f->name);
        return -1;
    }
    s = v->valuestring;
    switch (f->kind) {
    case K_SECRET:
        if (!config_secret_ok(s)) {
            err_set(e, ERR_INVALID_CONFIG,
                    "%s.%s must be 1 to 4096 printable characters without spaces", f->section,
                    f->name);
            return -1;
        }
        break;
    case K_SLUG:
        if (!config_slug_ok(s)) {
            err_set(e, ERR_INVALID_CONFIG,
                    "%s.%s must be an account slug: lower-case letters, digits, '_' and '-'",
                    f->section, f->name);
            return -1;
        }
        break;
    case K_EMAIL:
        if (!config_email_ok(s)) {
            err_set(e, ERR_INVALID_CONFIG, "%s.%s must be an email address (name@example.com)",
                    f->section, f->name);
            return -1;
        }
        break;
    case K_URL:
        if (!config_url_ok(s)) {
            err_set(e, ERR_INVALID_CONFIG,
                    "%s.%s must be an https:// URL (http:// only to 127.0.0.0/8, [::1] or "
                    "localhost), without user name or password",
                    f->section, f->name);
            return -1;
        }
        break;
    }
    return 0;
}

static int config_int_setting(const cJSON *set, const char *name, double lo, double hi,
                              struct err *e)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(set, name);

    if (!v)
        return 0;
    if (!cJSON_IsNumber(v) || v->valuedouble != floor(v->valuedouble) || v->valuedouble < lo ||
        v->valuedouble > hi) {
        err_set(e, ERR_INVALID_CONFIG, "settings.%s must be a whole number from %.0f to %.0f", name,
                lo, hi);
        return -1;
    }
    return 0;
}

static int config_bool_setting(const cJSON *set, const char *name, struct err *e)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(set, name);

    if (v && !cJSON_IsBool(v)) {
        err_set(e, ERR_INVALID_CONFIG, "settings.%s must be true or false", name);
        return -1;
    }
    return 0;
}

static int config_validate_settings(const cJSON *set, struct err *e)
{
    const cJSON *v, *it;

    if (!set)
        return 0;
    if (!cJSON_IsObject(set)) {
        err_set(e, ERR_INVALID_CONFIG, "settings must be an object");
        return -1;
    }
    if (config_bool_setting(set, "note_enabled", e) ||
        config_bool_setting(set, "allow_no_origin", e))
        return -1;
    v = cJSON_GetObjectItemCaseSensitive(set, "note_visibility");
    if (v && (!cJSON_IsString(v) ||
              (strcmp(v->valuestring, "private") != 0 && strcmp(v->valuestring, "public") != 0 &&
               strcmp(v->valuestring, "admin_only") != 0))) {
        err_set(e, ERR_INVALID_CONFIG,
                "settings.note_visibility must be \"private\", \"public\" or \"admin_only\"");
        return -1;
    }
    v = cJSON_GetObjectItemCaseSensitive(set, "allowed_extension_ids");
    if (v) {
        if (!cJSON_IsArray(v)) {
            err_set(e, ERR_INVALID_CONFIG, "settings.allowed_extension_ids must be an array");
            return -1;
        }
        cJSON_ArrayForEach(it, v)
        {
            if (!cJSON_IsString(it) || !config_ext_id_ok(it->valuestring)) {
                err_set(e, ERR_INVALID_CONFIG,
                        "settings.allowed_extension_ids must hold extension ids (32 letters a-p)");
                return -1;
            }
        }
    }
    if (config_int_setting(set, "inbound_cap", (double)STORE_MIN_INBOUND_CAP,
                           (double)STORE_MAX_INBOUND_CAP, e) ||
        config_int_setting(set, "connect_timeout_ms", 100, 600000, e) ||
        config_int_setting(set, "timeout_ms", 100, 3600000, e) ||
        config_int_setting(set, "segment_limit", 1, 9, e))
        return -1;
    v = cJSON_GetObjectItemCaseSensitive(set, "ca_file");
    if (v &&
        (!cJSON_IsString(v) || v->valuestring[0] != '/' || strlen(v->valuestring) >= PATHS_MAX)) {
        err_set(e, ERR_INVALID_CONFIG, "settings.ca_file must be an absolute path");
        return -1;
    }
    return 0;
}

int config_validate(const cJSON *doc, struct err *e)
{
    const cJSON *gh;
    size_t i;

    if (!cJSON_IsObject(doc)) {
        err_set(e, ERR_INVALID_CONFIG, "the configuration must be a JSON object");
        return -1;
    }
    for (i = 0; i < CONFIG_NFIELDS; i++) {
        const cJSON *sec = cJSON_GetObjectItemCaseSensitive(doc, config_fields[i].section);
        const cJSON *v;
        if (sec && !cJSON_IsObject(sec)) {
            err_set(e, ERR_INVALID_CONFIG, "%s must be an object", config_fields[i].section);
            return -1;
        }
        v = cJSON_GetObjectItemCaseSensitive(sec, config_fields[i].name);
        if (v && config_check_field(&config_fields[i], v, e) != 0)
            return -1;
    }
    gh = cJSON_GetObjectItemCaseSensitive(doc, "greenhouse");
    if (!cJSON_GetObjectItemCaseSensitive(gh, "client_id") !=
        !cJSON_GetObjectItemCaseSensitive(gh, "client_secret")) {
        err_set(e, ERR_INVALID_CONFIG,
                "greenhouse.client_id and greenhouse.client_secret go together (Harvest v3)");
        return -1;
    }
    return config_validate_settings(cJSON_GetObjectItemCaseSensitive(doc, "settings"), e);
}

static const struct config_field *config_find_field(const char *section, const char *name)
{
    size_t i;

    for (i = 0; i < CONFIG_NFIELDS; i++) {
        if (strcmp(config_fields[i].section, section) == 0 &&
            strcmp(config_fields[i].name, name) == 0)
            return &config_fields[i];
    }
    return NULL;
}

int config_check_patch(const cJSON *patch, int from_extension, struct err *e)
{
    const cJSON *sec, *m;

    if (!cJSON_IsObject(patch)) {
        err_set(e, ERR_INVALID_CONFIG, "the configuration must be a JSON object");
        return -1;
    }
    cJSON_ArrayForEach(sec, patch)
    {
        int known = strcmp(sec->string, "textus") == 0 || strcmp(sec->string, "greenhouse") == 0;
        if (strcmp(sec->string, "cache") == 0 || strcmp(sec->string, "internal") == 0) {
            err_set(e, ERR_INVALID_CONFIG, "\"%s\" belongs to the store and cannot be configured",
                    sec->string);
            return -1;
        }
        if (from_extension && !known) {
            err_set(e, ERR_INVALID_CONFIG,
                    "\"%s\" cannot be configured from the extension; use textus-host configure",
                    sec->string);
            return -1;
        }
        if (!known)
            continue;
        if (!cJSON_IsObject(sec)) {
            err_set(e, ERR_INVALID_CONFIG, "%s must be an object", sec->string);
            return -1;
        }
        cJSON_ArrayForEach(m, sec)
        {
            const struct config_field *f = config_find_field(sec->string, m->string);
            if (from_extension && (!f || !f->from_extension)) {
                err_set(e, ERR_INVALID_CONFIG,
                        "%s.%s cannot be configured from the extension; use textus-host "
                        "configure",
                        sec->string, m->string);
                return -1;
            }
            if (from_extension && !cJSON_IsString(m)) {
                err_set(e, ERR_INVALID_CONFIG, "%s.%s must be a string", sec->string, m->string);
                return -1;
            }
            if (f && !cJSON_IsNull(m) && config_check_field(f, m, e) != 0)
                return -1;
        }
    }
    return 0;
}

/* ---- applying ---------------------------------------------------------------- */

struct config_apply_ctx {
    const cJSON *patch;
    cJSON *preview;      /* config_preview: a copy of the merged document */
    const cJSON *expect; /* config_apply_expect: these fields must come out the same */
};

/* The fields online verification depends on. */
static const char *const config_verified_fields[][2] = {
    {"textus", "token"},
    {"textus", "account"},
    {"textus", "base_url"},
    {"greenhouse", "email"},
    {"greenhouse", "api_key"},
    {"greenhouse", "client_id"},
    {"greenhouse", "client_secret"},
    {"greenhouse", "base_url"},
    {"greenhouse", "auth_url"},
    {"settings", "ca_file"},
    {"settings", "connect_timeout_ms"},
    {"settings", "timeout_ms"},
};

static const cJSON *config_field_of(const cJSON *doc, const char *sec, const char *name)
{
    return cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(doc, sec), name);
}

/* 1 when a and b agree on every field verification depends on. */
static int config_same_verified(const cJSON *a, const cJSON *b)
{
    size_t i;

    for (i = 0; i < TH_ARRAY_SIZE(config_verified_fields); i++) {
        const cJSON *x =
            config_field_of(a, config_verified_fields[i][0], config_verified_fields[i][1]);
        const cJSON *y =
            config_field_of(b, config_verified_fields[i][0], config_verified_fields[i][1]);
        if (!x && !y)
            continue;
        if (!x || !y || !cJSON_Compare(x, y, 1))
            return 0;
    }
    return 1;
}

static void config_drop(cJSON *obj, const char *name)
{
    cJSON *v = cJSON_DetachItemFromObjectCaseSensitive(obj, name);

    if (v) {
        store_json_wipe(v); /* detached: no siblings */
        cJSON_Delete(v);
    }
}

static int config_apply_edit(cJSON *doc, void *vctx, struct err *e)
{
    const struct config_apply_ctx *ctx = vctx;
    const cJSON *pgh = cJSON_GetObjectItemCaseSensitive(ctx->patch, "greenhouse");
    cJSON *gh;

    if (store_merge_patch(doc, ctx->patch, e) != 0)
        return -1;
    gh = cJSON_GetObjectItemCaseSensitive(doc, "greenhouse");
    if (cJSON_IsObject(pgh) && cJSON_IsObject(gh)) {
        /* one Harvest generation at a time: the one just given wins */
        if (cJSON_IsString(cJSON_GetObjectItemCaseSensitive(pgh, "api_key"))) {
            config_drop(gh, "client_id");
            config_drop(gh, "client_secret");
        } else if (cJSON_IsString(cJSON_GetObjectItemCaseSensitive(pgh, "client_id")) ||
                   cJSON_IsString(cJSON_GetObjectItemCaseSensitive(pgh, "client_secret"))) {
            config_drop(gh, "api_key");
        }
    }
    if (pgh) /* new Greenhouse credentials or email: the cached user id and token are stale */
        config_drop(doc, "cache");
    if (config_validate(doc, e) != 0)
        return -1;
    if (ctx->expect && !config_same_verified(doc, ctx->expect)) {
        err_set(e, ERR_INVALID_CONFIG,
                "the stored configuration was changed by another process while it was being "
                "verified; nothing was saved: run textus-host configure again");
        return -1;
    }
    return 0;
}

int config_apply(const cJSON *patch, int from_extension, struct store **out, struct err *e)
{
    return config_apply_expect(patch, from_extension, NULL, out, e);
}

int config_apply_expect(const cJSON *patch, int from_extension, const cJSON *expected,
                        struct store **out, struct err *e)
{
    struct config_apply_ctx ctx = {patch, NULL, expected};

    if (config_check_patch(patch, from_extension, e) != 0)
        return -1;
    return store_update(config_apply_edit, &ctx, out, e);
}

/* Merge as config_apply would, keep a copy, then abort the update so nothing is written. */
static int config_preview_edit(cJSON *doc, void *vctx, struct err *e)
{
    struct config_apply_ctx *ctx = vctx;

    if (config_apply_edit(doc, vctx, e) != 0)
        return -1;
    ctx->preview = cJSON_Duplicate(doc, 1);
    if (!ctx->preview) {
        err_set(e, ERR_INTERNAL, "out of memory");
        return -1;
    }
    err_set(e, ERR_OK, "preview only");
    return -1; /* store_update writes nothing */
}

int config_preview(const cJSON *patch, int from_extension, cJSON **merged, struct err *e)
{
    struct config_apply_ctx ctx = {patch, NULL, NULL};

    *merged = NULL;
    if (config_check_patch(patch, from_extension, e) != 0)
        return -1;
    if (store_update(config_preview_edit, &ctx, NULL, e) == 0 || !ctx.preview) {
        if (e->code == ERR_OK) /* not expected: the edit always aborts */
            err_set(e, ERR_INTERNAL, "the configuration preview failed");
        if (ctx.preview) {
            store_json_wipe(ctx.preview);
            cJSON_Delete(ctx.preview);
        }
        return -1;
    }
    err_clear(e);
    *merged = ctx.preview;
    return 0;
}

/* ---- the summary -------------------------------------------------------------- */

void config_mask(char *out, size_t outsz, const char *secret)
{
    size_t n = secret ? strlen(secret) : 0;

    if (n >= 8)
        snprintf(out, outsz, "****%s", secret + n - 4);
    else
        snprintf(out, outsz, "****");
}

static void config_add_str(cJSON *obj, const char *name, const char *v)
{
    if (v)
        cJSON_AddStringToObject(obj, name, v);
    else
        cJSON_AddNullToObject(obj, name);
}

static void config_add_masked(cJSON *obj, const char *name, const char *secret)
{
    char m[16];

    if (!secret) {
        cJSON_AddNullToObject(obj, name);
        return;
    }
    config_mask(m, sizeof(m), secret);
    cJSON_AddStringToObject(obj, name, m);
}

static void config_add_perm(cJSON *perm, const char *name, const char *path, int is_dir,
                            int *all_ok)
{
    char d[PATHS_MAX + 200];
    int ok = 1;

    paths_describe(path, is_dir, d, sizeof(d), &ok);
    cJSON_AddStringToObject(perm, name, d);
    if (!ok)
        *all_ok = 0;
}

static void config_add_paths(cJSON *st)
{
    struct paths p;
    struct err e;
    cJSON *paths, *perm;
    int ok = 1;

    err_clear(&e);
    if (paths_resolve(&p, &e) != 0) {
        cJSON_AddStringToObject(st, "paths_error", e.message);
        return;
    }
    paths = cJSON_AddObjectToObject(st, "paths");
    perm = cJSON_AddObjectToObject(st, "permissions");
    if (!paths || !perm)
        return;
    cJSON_AddStringToObject(paths, "config_dir", p.config_dir);
    cJSON_AddStringToObject(paths, "data_dir", p.data_dir);
    cJSON_AddStringToObject(paths, "store", p.store);
    cJSON_AddStringToObject(paths, "key", p.key);
    cJSON_AddStringToObject(paths, "lock", p.lock);
    cJSON_AddStringToObject(paths, "outbox", p.outbox);
    cJSON_AddStringToObject(paths, "log", p.log);
    cJSON_AddStringToObject(paths, "pending", p.pending);
    config_add_perm(perm, "config_dir", p.config_dir, 1, &ok);
    if (strcmp(p.config_dir, p.data_dir) != 0)
        config_add_perm(perm, "data_dir", p.data_dir, 1, &ok);
    config_add_perm(perm, "store", p.store, 0, &ok);
    config_add_perm(perm, "key", p.key, 0, &ok);
    config_add_perm(perm, "lock", p.lock, 0, &ok);
    cJSON_AddBoolToObject(st, "permissions_ok", ok);
}

cJSON *config_status(const struct store *s, const struct err *load_err)
{
    cJSON *st = cJSON_CreateObject(), *tx, *gh, *set, *ids;
    const cJSON *pub_ids;
    int gen, configured;
    long long uid;

    if (!st)
        return NULL;
    gen = s ? store_gh_generation(s) : 0;
    configured =
        s && store_textus_token(s) && store_textus_account(s) && store_gh_email(s) && gen != 0;
    cJSON_AddBoolToObject(st, "configured", configured);
    if (!s) {
        if (load_err && load_err->code != ERR_OK && load_err->code != ERR_NOT_CONFIGURED) {
            cJSON *err = cJSON_AddObjectToObject(st, "error");
            if (err) {
                cJSON_AddStringToObject(err, "code", err_code_name(load_err->code));
                cJSON_AddStringToObject(err, "message", load_err->message);
            }
        }
        config_add_paths(st);
        return st;
    }
    cJSON_AddStringToObject(st, "key_id", store_key_id(s));
    tx = cJSON_AddObjectToObject(st, "textus");
    if (tx) {
        config_add_str(tx, "account", store_textus_account(s));
        config_add_masked(tx, "token", store_textus_token(s));
        config_add_str(tx, "base_url", store_textus_base_url(s));
    }
    gh = cJSON_AddObjectToObject(st, "greenhouse");
    if (gh) {
        config_add_str(gh, "email", store_gh_email(s));
        config_add_str(gh, "harvest", gen == 3 ? "v3" : gen == 1 ? "v1" : NULL);
        config_add_masked(gh, "api_key", store_gh_api_key(s));
        config_add_masked(gh, "client_id", store_gh_client_id(s));
        config_add_masked(gh, "client_secret", store_gh_client_secret(s));
        config_add_str(gh, "base_url", store_gh_base_url(s));
        config_add_str(gh, "auth_url", store_gh_auth_url(s));
        uid = store_gh_user_id(s);
        if (uid)
            cJSON_AddNumberToObject(gh, "user_id", (double)uid);
        else
            cJSON_AddNullToObject(gh, "user_id");
        if (gen == 1)
            cJSON_AddStringToObject(gh, "notice", CONFIG_V1_NOTICE);
    }
    set = cJSON_AddObjectToObject(st, "settings");
    if (set) {
        cJSON_AddBoolToObject(set, "note_enabled", store_note_enabled(s));
        cJSON_AddStringToObject(set, "note_visibility", store_note_visibility(s));
        pub_ids = cJSON_GetObjectItemCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(store_public_doc(s), "settings"),
            "allowed_extension_ids");
        ids = cJSON_IsArray(pub_ids) ? cJSON_Duplicate(pub_ids, 1) : cJSON_CreateArray();
        if (ids)
            cJSON_AddItemToObject(set, "allowed_extension_ids", ids);
        cJSON_AddBoolToObject(set, "allow_no_origin", store_allow_no_origin(s));
        cJSON_AddNumberToObject(set, "inbound_cap", (double)store_inbound_cap(s));
        config_add_str(set, "ca_file", store_ca_file(s));
        cJSON_AddNumberToObject(set, "connect_timeout_ms", (double)store_connect_timeout_ms(s));
        cJSON_AddNumberToObject(set, "timeout_ms", (double)store_timeout_ms(s));
        cJSON_AddNumberToObject(set, "segment_limit", store_segment_limit(s));
    }
    config_add_paths(st);
    return st;
}
