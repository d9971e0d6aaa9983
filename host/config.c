/*
 * config — validation, merge rules and the masked summary of the credential
 * store (see config.h).
 * [engine]
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "allowlist.h"
#include "common.h"
#include "os.h"
#include "paths.h"
#include "quiet.h"
#include "term.h"

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

/* How a member's value is checked; K_OTHER: by config_validate_settings or the Harvest rules. */
enum config_kind { K_OTHER, K_SECRET, K_SLUG, K_EMAIL, K_URL };

/*
 * Every member a configure document may hold, by section: what is not listed
 * here is refused (a typo must not be saved as silence). "greenhouse.harvest"
 * is a directive ("v1" or "v3": which Harvest generation the document means),
 * never stored. K_SECRET members are shown masked in the list of changes;
 * `verified`: online verification depends on it (config_same_verified).
 */
struct config_member {
    const char *section;
    const char *name;
    enum config_kind kind;
    int from_extension; /* the options page may set it */
    int verified;
};

static const struct config_member config_members[] = {
    {"textus", "token", K_SECRET, 1, 1},
    {"textus", "account", K_SLUG, 1, 1},
    {"textus", "base_url", K_URL, 0, 1},
    {"greenhouse", "email", K_EMAIL, 1, 1},
    {"greenhouse", "harvest", K_OTHER, 1, 0},
    {"greenhouse", "client_id", K_SECRET, 1, 1},
    {"greenhouse", "client_secret", K_SECRET, 1, 1},
    {"greenhouse", "api_key", K_SECRET, 1, 1},
    {"greenhouse", "base_url", K_URL, 0, 1},
    {"greenhouse", "auth_url", K_URL, 0, 1},
    {"settings", "note_enabled", K_OTHER, 0, 0},
    {"settings", "note_visibility", K_OTHER, 0, 0},
    {"settings", "allowed_extension_ids", K_OTHER, 0, 0},
    {"settings", "allow_no_origin", K_OTHER, 0, 0},
    {"settings", "inbound_cap", K_OTHER, 0, 0},
    {"settings", "ca_file", K_OTHER, 0, 1},
    {"settings", "connect_timeout_ms", K_OTHER, 0, 1},
    {"settings", "timeout_ms", K_OTHER, 0, 1},
    {"settings", "segment_limit", K_OTHER, 0, 0},
    {"settings", "note_retry_base_ms", K_OTHER, 0, 0},
    {"settings", "quiet_hours", K_OTHER, 0, 0},
};

static const char *const config_sections[] = {"textus", "greenhouse", "settings"};

static int config_check_field(const struct config_member *f, const cJSON *v, struct err *e)
{
    const char *s;

    if (f->kind == K_OTHER)
        return 0;
    if (!cJSON_IsString(v)) {
        err_set(e, ERR_INVALID_CONFIG, "%s.%s must be a string", f->section, f->name);
        return -1;
    }
    s = v->valuestring;
    switch (f->kind) {
    case K_OTHER:
        break;
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
            /* its private key is in the repository: any unpacked extension can claim it, so
             * a release build allows it nowhere, and a test build already does, built in */
            if (strcmp(it->valuestring, ALLOWLIST_STUB_ID) == 0) {
                err_set(e, ERR_INVALID_CONFIG,
                        "settings.allowed_extension_ids: %s is the development stub's id, whose "
                        "private key is public; no build allows it by a setting (a test build "
                        "allows it built in, a release build never): leave it out of the list",
                        ALLOWLIST_STUB_ID);
                return -1;
            }
        }
        if (cJSON_GetArraySize(v) > ALLOWLIST_MAX_IDS) {
            err_set(e, ERR_INVALID_CONFIG,
                    "settings.allowed_extension_ids holds more than %d extension ids",
                    ALLOWLIST_MAX_IDS);
            return -1;
        }
    }
    if (config_int_setting(set, "inbound_cap", (double)STORE_MIN_INBOUND_CAP,
                           (double)STORE_MAX_INBOUND_CAP, e) ||
        config_int_setting(set, "connect_timeout_ms", 100, 600000, e) ||
        config_int_setting(set, "timeout_ms", 100, 3600000, e) ||
        config_int_setting(set, "segment_limit", 1, 9, e) ||
        config_int_setting(set, "note_retry_base_ms", 0, 3600000, e))
        return -1;
    v = cJSON_GetObjectItemCaseSensitive(set, "ca_file");
    if (v && (!cJSON_IsString(v) || !os_path_is_absolute(v->valuestring) ||
              strlen(v->valuestring) >= PATHS_MAX)) {
        err_set(e, ERR_INVALID_CONFIG, "settings.ca_file must be an absolute path");
        return -1;
    }
    v = cJSON_GetObjectItemCaseSensitive(set, "quiet_hours");
    if (v) {
        struct quiet_window w;
        if (!cJSON_IsString(v)) {
            err_set(e, ERR_INVALID_CONFIG,
                    "settings.quiet_hours must be a string: \"HH:MM-HH:MM\" or \"off\"");
            return -1;
        }
        if (quiet_window_parse(&w, v->valuestring, e) != 0) {
            char why[ERR_MESSAGE_MAX];
            snprintf(why, sizeof(why), "%s", e->message);
            err_set(e, ERR_INVALID_CONFIG, "settings.%s", why);
            return -1;
        }
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
    for (i = 0; i < TH_ARRAY_SIZE(config_members); i++) {
        const struct config_member *m = &config_members[i];
        const cJSON *sec = cJSON_GetObjectItemCaseSensitive(doc, m->section);
        const cJSON *v;
        if (m->kind == K_OTHER)
            continue;
        if (sec && !cJSON_IsObject(sec)) {
            err_set(e, ERR_INVALID_CONFIG, "%s must be an object", m->section);
            return -1;
        }
        v = cJSON_GetObjectItemCaseSensitive(sec, m->name);
        if (v && config_check_field(m, v, e) != 0)
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

/* ---- names and the Harvest generation ------------------------------------------ */

static const struct config_member *config_find_member(const char *section, const char *name)
{
    size_t i;

    for (i = 0; i < TH_ARRAY_SIZE(config_members); i++) {
        if (strcmp(config_members[i].section, section) == 0 &&
            strcmp(config_members[i].name, name) == 0)
            return &config_members[i];
    }
    return NULL;
}

/*
 * The valid member nearest to an unknown one, as "section.name" (or a section
 * name at the top level): the same section first, then any section. "" when
 * nothing is close.
 */
static void config_suggest(char *out, size_t outsz, const char *section, const char *name,
                           int from_extension)
{
    const char *cands[TH_ARRAY_SIZE(config_members)];
    size_t n = 0, i;
    const char *pick;

    out[0] = '\0';
    if (!section) {
        pick = term_nearest(name, config_sections,
                            from_extension ? 2 : TH_ARRAY_SIZE(config_sections));
        if (pick) {
            snprintf(out, outsz, "%s", pick);
            return;
        }
    }
    for (i = 0; section && i < TH_ARRAY_SIZE(config_members); i++) {
        if (strcmp(config_members[i].section, section) == 0 &&
            (!from_extension || config_members[i].from_extension))
            cands[n++] = config_members[i].name;
    }
    pick = n ? term_nearest(name, cands, n) : NULL;
    if (pick) {
        snprintf(out, outsz, "%s.%s", section, pick);
        return;
    }
    for (i = 0, n = 0; i < TH_ARRAY_SIZE(config_members); i++) {
        if (!from_extension || config_members[i].from_extension)
            cands[n++] = config_members[i].name;
    }
    pick = term_nearest(name, cands, n);
    for (i = 0; pick && i < TH_ARRAY_SIZE(config_members); i++) {
        if (config_members[i].name == pick) {
            snprintf(out, outsz, "%s.%s", config_members[i].section, pick);
            return;
        }
    }
}

static void config_unknown(struct err *e, const char *section, const char *name, int from_extension)
{
    char near[96];

    config_suggest(near, sizeof(near), section, name, from_extension);
    err_set(e, ERR_INVALID_CONFIG, "unknown member %s%s%.64s%s%s%s; nothing was saved",
            section ? section : "", section ? "." : "", name, near[0] ? " (did you mean " : "",
            near, near[0] ? "?)" : "");
}

/* Every member known (at any level); sections are objects. */
static int config_check_names(const cJSON *patch, int from_extension, struct err *e)
{
    const cJSON *sec, *m;

    if (!cJSON_IsObject(patch)) {
        err_set(e, ERR_INVALID_CONFIG, "the configuration must be a JSON object");
        return -1;
    }
    cJSON_ArrayForEach(sec, patch)
    {
        if (strcmp(sec->string, "cache") == 0 || strcmp(sec->string, "internal") == 0) {
            err_set(e, ERR_INVALID_CONFIG, "\"%s\" belongs to the store and cannot be configured",
                    sec->string);
            return -1;
        }
        if (strcmp(sec->string, "textus") != 0 && strcmp(sec->string, "greenhouse") != 0 &&
            strcmp(sec->string, "settings") != 0) {
            config_unknown(e, NULL, sec->string, from_extension);
            return -1;
        }
        if (!cJSON_IsObject(sec))
            continue; /* a shape error, reported by config_check_patch */
        cJSON_ArrayForEach(m, sec)
        {
            if (!config_find_member(sec->string, m->string)) {
                config_unknown(e, sec->string, m->string, from_extension);
                return -1;
            }
        }
    }
    return 0;
}

static int config_is(const cJSON *v, const char *s)
{
    return cJSON_IsString(v) && strcmp(v->valuestring, s) == 0;
}

/* What a document gives for Greenhouse: "harvest", and which credentials. */
struct config_gh_intent {
    const cJSON *harvest;
    int key;     /* api_key given (a string) */
    int client;  /* client_id or client_secret given */
    int drop_v3; /* client_id and client_secret both null: removed on purpose */
    int v1, v3;  /* "harvest" says so */
};

static void config_gh_intent(const cJSON *patch, struct config_gh_intent *g)
{
    const cJSON *pgh = cJSON_GetObjectItemCaseSensitive(patch, "greenhouse");

    memset(g, 0, sizeof(*g));
    if (!cJSON_IsObject(pgh))
        return;
    g->harvest = cJSON_GetObjectItemCaseSensitive(pgh, "harvest");
    g->key = cJSON_IsString(cJSON_GetObjectItemCaseSensitive(pgh, "api_key"));
    g->client = cJSON_IsString(cJSON_GetObjectItemCaseSensitive(pgh, "client_id")) ||
                cJSON_IsString(cJSON_GetObjectItemCaseSensitive(pgh, "client_secret"));
    g->drop_v3 = cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(pgh, "client_id")) &&
                 cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(pgh, "client_secret"));
    g->v1 = config_is(g->harvest, "v1");
    g->v3 = config_is(g->harvest, "v3");
}

/* The document itself is consistent about the Harvest generation. */
static int config_check_harvest(const cJSON *patch, struct err *e)
{
    struct config_gh_intent g;

    config_gh_intent(patch, &g);
    if (g.harvest && !g.v1 && !g.v3) {
        err_set(e, ERR_INVALID_CONFIG,
                "greenhouse.harvest must be \"v3\" (client_id + client_secret) or \"v1\" "
                "(api_key)");
        return -1;
    }
    if (g.key && g.client) {
        err_set(e, ERR_INVALID_CONFIG,
                "greenhouse.api_key (Harvest v1) and greenhouse.client_id/client_secret (Harvest "
                "v3) cannot be given together: send one set (Harvest v3 is the one to use)");
        return -1;
    }
    if ((g.v3 && g.key) || (g.v1 && g.client)) {
        err_set(e, ERR_INVALID_CONFIG, "greenhouse.harvest is \"%s\" but the document gives %s",
                g.v3 ? "v3" : "v1",
                g.v3 ? "greenhouse.api_key (Harvest v1)"
                     : "greenhouse.client_id/client_secret (Harvest v3)");
        return -1;
    }
    return 0;
}

/* 3 when Harvest v3 client credentials are in doc (even one half), 1 for an api_key, else 0. */
static int config_doc_generation(const cJSON *doc)
{
    const cJSON *gh = cJSON_GetObjectItemCaseSensitive(doc, "greenhouse");

    if (cJSON_IsString(cJSON_GetObjectItemCaseSensitive(gh, "client_id")) ||
        cJSON_IsString(cJSON_GetObjectItemCaseSensitive(gh, "client_secret")))
        return 3;
    if (cJSON_IsString(cJSON_GetObjectItemCaseSensitive(gh, "api_key")))
        return 1;
    return 0;
}

/*
 * Against what is stored: going from Harvest v3 back to the retired v1 removes
 * the client credentials, so it happens only when the document says so.
 */
static int config_check_switch(const cJSON *patch, int stored_gen, struct err *e)
{
    struct config_gh_intent g;

    config_gh_intent(patch, &g);
    if (g.key && stored_gen == 3 && !g.v1 && !g.drop_v3) {
        err_set(e, ERR_INVALID_CONFIG,
                "greenhouse.api_key (Harvest v1) was given while Harvest v3 client credentials "
                "are stored; nothing was changed. Greenhouse announced Harvest v1's removal for "
                "2026-08-31, a date that has passed: to switch to it anyway (the stored client_id "
                "and client_secret are then removed), add \"harvest\": \"v1\" to \"greenhouse\"");
        return -1;
    }
    if (g.v1 && !g.key && stored_gen != 1) {
        err_set(e, ERR_INVALID_CONFIG,
                "greenhouse.harvest \"v1\" needs greenhouse.api_key (the Harvest v1 API key)");
        return -1;
    }
    if (g.v3 && !g.client && stored_gen != 3) {
        err_set(e, ERR_INVALID_CONFIG,
                "greenhouse.harvest \"v3\" needs greenhouse.client_id and client_secret");
        return -1;
    }
    return 0;
}

int config_check_document(const cJSON *patch, int from_extension, int stored_gen, struct err *e)
{
    if (config_check_names(patch, from_extension, e) != 0 || config_check_harvest(patch, e) != 0)
        return -1;
    return config_check_switch(patch, stored_gen, e);
}

int config_check_patch(const cJSON *patch, int from_extension, struct err *e)
{
    const cJSON *sec, *m;

    if (config_check_names(patch, from_extension, e) != 0)
        return -1;
    cJSON_ArrayForEach(sec, patch)
    {
        int known = strcmp(sec->string, "textus") == 0 || strcmp(sec->string, "greenhouse") == 0;
        if (from_extension && !known) {
            err_set(e, ERR_INVALID_CONFIG,
                    "\"%s\" cannot be configured from the extension; use textus-host configure",
                    sec->string);
            return -1;
        }
        if (!cJSON_IsObject(sec)) {
            err_set(e, ERR_INVALID_CONFIG, "%s must be an object", sec->string);
            return -1;
        }
        if (!known)
            continue;
        cJSON_ArrayForEach(m, sec)
        {
            const struct config_member *f = config_find_member(sec->string, m->string);
            if (from_extension && !f->from_extension) {
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
            if (!cJSON_IsNull(m) && config_check_field(f, m, e) != 0)
                return -1;
        }
    }
    return config_check_harvest(patch, e);
}

int config_check_values(const cJSON *patch, struct err *e)
{
    const cJSON *set = cJSON_GetObjectItemCaseSensitive(patch, "settings");
    const cJSON *m;
    cJSON *given;
    int rc;

    if (config_check_patch(patch, 0, e) != 0)
        return -1;
    if (!set)
        return 0;
    if (!cJSON_IsObject(set)) {
        err_set(e, ERR_INVALID_CONFIG, "settings must be an object");
        return -1;
    }
    /* the settings given a value (null removes one: nothing to check) */
    given = cJSON_CreateObject();
    if (!given) {
        err_set(e, ERR_INTERNAL, "out of memory");
        return -1;
    }
    cJSON_ArrayForEach(m, set)
    {
        if (!cJSON_IsNull(m))
            cJSON_AddItemReferenceToObject(given, m->string, (cJSON *)m);
    }
    rc = config_validate_settings(given, e);
    cJSON_Delete(given);
    return rc;
}

/* ---- applying ---------------------------------------------------------------- */

struct config_apply_ctx {
    const cJSON *patch;
    cJSON *preview;      /* config_preview: a copy of the merged document */
    const cJSON *expect; /* config_apply_ex: these fields must come out the same */
    cJSON **changes;     /* when not NULL: what the merge changed (config_changes) */
};

static const cJSON *config_field_of(const cJSON *doc, const char *sec, const char *name)
{
    return cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(doc, sec), name);
}

/* 1 when a and b agree on every field verification depends on. */
static int config_same_verified(const cJSON *a, const cJSON *b)
{
    size_t i;

    for (i = 0; i < TH_ARRAY_SIZE(config_members); i++) {
        const struct config_member *m = &config_members[i];
        const cJSON *x = config_field_of(a, m->section, m->name);
        const cJSON *y = config_field_of(b, m->section, m->name);
        if (!m->verified || (!x && !y))
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

/* Drop the members of the cache section whose names start with prefix. */
static void config_drop_cache(cJSON *doc, const char *prefix)
{
    cJSON *cache = cJSON_GetObjectItemCaseSensitive(doc, "cache");
    cJSON *it;

    if (!cJSON_IsObject(cache))
        return;
    it = cache->child;
    while (it) {
        cJSON *next = it->next;
        if (it->string && strncmp(it->string, prefix, strlen(prefix)) == 0)
            config_drop(cache, it->string);
        it = next;
    }
}

/* 1 when a patch sets the TextUs token or URL (what the cached TextUs user belongs to). */
static int config_textus_changed(const cJSON *patch)
{
    const cJSON *tx = cJSON_GetObjectItemCaseSensitive(patch, "textus");

    return cJSON_GetObjectItemCaseSensitive(tx, "token") != NULL ||
           cJSON_GetObjectItemCaseSensitive(tx, "base_url") != NULL;
}

/* A member's value as a list of changes shows it: secrets masked, strings as they are. */
static cJSON *config_change_value(const struct config_member *m, const cJSON *v)
{
    char mask[16];

    if (!v)
        return cJSON_CreateNull();
    if (m->kind == K_SECRET && cJSON_IsString(v)) {
        config_mask(mask, sizeof(mask), v->valuestring);
        return cJSON_CreateString(mask);
    }
    return cJSON_Duplicate(v, 1);
}

static int config_add_change(cJSON *list, const char *field, const char *change, cJSON *value,
                             cJSON *was)
{
    cJSON *c = cJSON_CreateObject();

    if (!c || !value || !was || !cJSON_AddItemToArray(list, c)) {
        cJSON_Delete(c);
        cJSON_Delete(value);
        cJSON_Delete(was);
        return -1;
    }
    cJSON_AddStringToObject(c, "field", field);
    cJSON_AddStringToObject(c, "change", change);
    cJSON_AddItemToObject(c, "value", value);
    cJSON_AddItemToObject(c, "was", was);
    return 0;
}

static const char *config_generation_name(int gen)
{
    return gen == 3 ? "v3" : gen == 1 ? "v1" : NULL;
}

cJSON *config_changes(const cJSON *before, const cJSON *after)
{
    cJSON *list = cJSON_CreateArray();
    int gb = config_doc_generation(before), ga = config_doc_generation(after);
    size_t i;

    if (!list)
        return NULL;
    for (i = 0; i < TH_ARRAY_SIZE(config_members); i++) {
        const struct config_member *m = &config_members[i];
        const cJSON *b = config_field_of(before, m->section, m->name);
        const cJSON *a = config_field_of(after, m->section, m->name);
        char field[64];
        if ((!a && !b) || (a && b && cJSON_Compare(a, b, 1)))
            continue;
        snprintf(field, sizeof(field), "%s.%s", m->section, m->name);
        if (config_add_change(list, field,
                              !b   ? "set"
                              : !a ? "removed"
                                   : "changed",
                              config_change_value(m, a), config_change_value(m, b)) != 0)
            goto oom;
    }
    if (gb != ga) {
        const char *nb = config_generation_name(gb), *na = config_generation_name(ga);
        if (config_add_change(list, "greenhouse.harvest",
                              !nb   ? "set"
                              : !na ? "removed"
                                    : "changed",
                              na ? cJSON_CreateString(na) : cJSON_CreateNull(),
                              nb ? cJSON_CreateString(nb) : cJSON_CreateNull()) != 0)
            goto oom;
    }
    return list;
oom:
    cJSON_Delete(list);
    return NULL;
}

/*
 * The caller check's settings live in their own file (allowlist.h): put the file's values
 * into doc's settings, as if they were stored there, so that the patch merges, validates
 * and reports its changes as before. Without a file, doc keeps what a store written by an
 * older version holds (moved into the file by this write). A file that does not parse
 * counts as allowing nothing (never the store's older values); one that cannot be read
 * safely (permissions) stops the configure with its fix.
 */
static int config_overlay_caller(cJSON *doc, struct err *e)
{
    struct allowlist a;
    struct err re;
    cJSON *set, *ids;
    int rc;

    err_clear(&re);
    rc = allowlist_read(&a, &re);
    if (rc == 0)
        return 0;
    if (rc < 0 && re.code != ERR_STORE_CORRUPT) {
        *e = re;
        return -1;
    }
    set = cJSON_GetObjectItemCaseSensitive(doc, "settings");
    if (set && !cJSON_IsObject(set))
        return 0; /* config_validate says what is wrong */
    if (set) {
        cJSON_DeleteItemFromObjectCaseSensitive(set, "allowed_extension_ids");
        cJSON_DeleteItemFromObjectCaseSensitive(set, "allow_no_origin");
    }
    if (rc < 0 || (!a.n && !a.allow_no_origin))
        return 0;
    if (!set)
        set = cJSON_AddObjectToObject(doc, "settings");
    ids = a.n ? allowlist_ids_json(&a) : NULL;
    if (!set || (a.n && (!ids || !cJSON_AddItemToObject(set, "allowed_extension_ids", ids))) ||
        (a.allow_no_origin && !cJSON_AddTrueToObject(set, "allow_no_origin"))) {
        if (ids && !cJSON_GetObjectItemCaseSensitive(set, "allowed_extension_ids"))
            cJSON_Delete(ids);
        err_set(e, ERR_INTERNAL, "out of memory");
        return -1;
    }
    return 0;
}

static int config_apply_edit(cJSON *doc, void *vctx, struct err *e)
{
    const struct config_apply_ctx *ctx = vctx;
    const cJSON *pgh = cJSON_GetObjectItemCaseSensitive(ctx->patch, "greenhouse");
    cJSON *gh, *before = NULL;
    int rc = -1;

    /* checked here, under the store lock, against what is really stored */
    if (config_check_switch(ctx->patch, config_doc_generation(doc), e) != 0)
        return -1;
    if (config_overlay_caller(doc, e) != 0)
        return -1;
    if (ctx->changes) {
        before = cJSON_Duplicate(doc, 1);
        if (!before) {
            err_set(e, ERR_INTERNAL, "out of memory");
            return -1;
        }
    }
    if (store_merge_patch(doc, ctx->patch, e) != 0)
        goto out;
    gh = cJSON_GetObjectItemCaseSensitive(doc, "greenhouse");
    if (cJSON_IsObject(gh))
        config_drop(gh, "harvest"); /* a directive, never stored */
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
        config_drop_cache(doc, "greenhouse_");
    if (config_textus_changed(ctx->patch)) /* another TextUs token: another TextUs user */
        config_drop_cache(doc, "textus_");
    if (config_validate(doc, e) != 0)
        goto out;
    if (ctx->expect && !config_same_verified(doc, ctx->expect)) {
        err_set(e, ERR_INVALID_CONFIG,
                "the stored configuration was changed by another process while it was being "
                "verified; nothing was saved: run textus-host configure again");
        goto out;
    }
    if (ctx->changes) {
        cJSON_Delete(*ctx->changes);
        *ctx->changes = config_changes(before, doc);
        if (!*ctx->changes) {
            err_set(e, ERR_INTERNAL, "out of memory");
            goto out;
        }
    }
    rc = 0;
out:
    if (before) {
        store_json_wipe(before);
        cJSON_Delete(before);
    }
    return rc;
}

/*
 * config_apply_edit, then the caller check's settings into their file (written every time,
 * so that it exists after any configure) and out of the store. The file is written first,
 * under the store's lock: when the store write then fails, configure reports it and the
 * file already holds the new list (a removed id stays removed).
 */
static int config_apply_write(cJSON *doc, void *vctx, struct err *e)
{
    struct allowlist a;
    cJSON *set;

    if (config_apply_edit(doc, vctx, e) != 0)
        return -1;
#ifdef TH_FAILPOINTS
    {
        /* test-only: write the store as a version before the settings file did (the tests
         * of the move into the file make such a store this way) */
        const char *fp = getenv("TH_FAILPOINT");
        if (fp && strcmp(fp, "configure_as_0_1") == 0)
            return 0;
    }
#endif
    set = cJSON_GetObjectItemCaseSensitive(doc, "settings");
    if (allowlist_from_settings(&a, set, e) != 0 || allowlist_write(&a, e) != 0)
        return -1;
    if (cJSON_IsObject(set)) {
        cJSON_DeleteItemFromObjectCaseSensitive(set, "allowed_extension_ids");
        cJSON_DeleteItemFromObjectCaseSensitive(set, "allow_no_origin");
    }
    return 0;
}

int config_apply(const cJSON *patch, int from_extension, struct store **out, struct err *e)
{
    return config_apply_ex(patch, from_extension, NULL, out, NULL, e);
}

int config_apply_ex(const cJSON *patch, int from_extension, const cJSON *expected,
                    struct store **out, cJSON **changes, struct err *e)
{
    struct config_apply_ctx ctx = {patch, NULL, expected, changes};
    int rc;

    if (changes)
        *changes = NULL;
    if (config_check_patch(patch, from_extension, e) != 0)
        return -1;
    rc = store_update(config_apply_write, &ctx, out, e);
    if (rc != 0 && changes) {
        cJSON_Delete(*changes);
        *changes = NULL;
    }
    return rc;
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

int config_preview(const cJSON *patch, int from_extension, cJSON **merged, cJSON **changes,
                   struct err *e)
{
    struct config_apply_ctx ctx = {patch, NULL, NULL, changes};

    *merged = NULL;
    if (changes)
        *changes = NULL;
    if (config_check_patch(patch, from_extension, e) != 0)
        return -1;
    if (store_update(config_preview_edit, &ctx, NULL, e) == 0 || !ctx.preview) {
        if (e->code == ERR_OK) /* not expected: the edit always aborts */
            err_set(e, ERR_INTERNAL, "the configuration preview failed");
        if (ctx.preview) {
            store_json_wipe(ctx.preview);
            cJSON_Delete(ctx.preview);
        }
        if (changes) {
            cJSON_Delete(*changes);
            *changes = NULL;
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
    cJSON_AddStringToObject(paths, "settings", p.settings);
    cJSON_AddStringToObject(paths, "outbox", p.outbox);
    cJSON_AddStringToObject(paths, "log", p.log);
    cJSON_AddStringToObject(paths, "pending", p.pending);
    config_add_perm(perm, "config_dir", p.config_dir, 1, &ok);
    if (strcmp(p.config_dir, p.data_dir) != 0)
        config_add_perm(perm, "data_dir", p.data_dir, 1, &ok);
    config_add_perm(perm, "store", p.store, 0, &ok);
    config_add_perm(perm, "key", p.key, 0, &ok);
    config_add_perm(perm, "lock", p.lock, 0, &ok);
    config_add_perm(perm, "settings", p.settings, 0, &ok);
    cJSON_AddBoolToObject(st, "permissions_ok", ok);
}

cJSON *config_status(const struct store *s, const struct err *load_err)
{
    cJSON *st = cJSON_CreateObject(), *tx, *gh, *set, *ids;
    struct allowlist caller;
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
        /* the caller check's: from the settings file (allowlist.h), as the host reads them */
        if (settings_caller(&caller) != 0)
            memset(&caller, 0, sizeof(caller));
        ids = allowlist_ids_json(&caller);
        if (ids)
            cJSON_AddItemToObject(set, "allowed_extension_ids", ids);
        cJSON_AddBoolToObject(set, "allow_no_origin", caller.allow_no_origin);
        cJSON_AddNumberToObject(set, "inbound_cap", (double)store_inbound_cap(s));
        config_add_str(set, "ca_file", store_ca_file(s));
        cJSON_AddNumberToObject(set, "connect_timeout_ms", (double)store_connect_timeout_ms(s));
        cJSON_AddNumberToObject(set, "timeout_ms", (double)store_timeout_ms(s));
        cJSON_AddNumberToObject(set, "segment_limit", store_segment_limit(s));
        cJSON_AddStringToObject(set, "quiet_hours", store_quiet_hours(s));
    }
    config_add_paths(st);
    return st;
}
