/*
 * greenhouse — Greenhouse Harvest v1 + v3 client behind one interface (see greenhouse.h).
 * Next to each request: the page that documents it (v1: https://developers.greenhouse.io/
 * harvest.html, by section; v3: https://harvestdocs.greenhouse.io).
 * [engine]
 */
#include "greenhouse.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <sodium.h>

#include "apijson.h"
#include "common.h"
#include "iso8601.h"
#include "log.h"
#include "notetext.h"
#include "phone.h"

#define GH_MAX_PAGES     100
#define GH_NOTE_BODY_MAX 65536
#define GH_CRED_MAX      1024

/* A v3 access token for one subject. */
struct gh_token {
    char *token; /* sodium_malloc'd, GH_TOKEN_MAX */
    long long expires;
    long long lifetime;
    long long sub; /* the token's subject (a Greenhouse user id), 0: none */
};

struct gh_client {
    struct gh_config cfg; /* borrowed strings */
    enum gh_backend backend;
    long long user_id;
    long long read_sub;     /* cfg->sub as a number, 0: none (the integration service user) */
    struct gh_token tok[2]; /* GH_TOKEN_READ, GH_TOKEN_WRITE */
    int cache_dirty;        /* a background answer changed the cache: gh_client_save_cache */
    int warming;            /* background requests of this client under way */
    long long warm_sub[2];  /* the subject and time of a token asked for in the background */
    long long warm_at[2];
    int names_known; /* user_first/user_last hold the user's names (cached with the id) */
    int pacing;      /* > 0: requests are work that can wait (http_request.pace) */
    char user_first[128], user_last[128];
};

/* The operations, for error messages and permission names. */
enum gh_op {
    GH_OP_USERS_LIST,
    GH_OP_USER_GET,
    GH_OP_CANDIDATES,
    GH_OP_NOTES_READ,
    GH_OP_NOTE_ADD,
    GH_OP_APPLICATIONS,
    GH_OP_JOBS
};

static const char *gh_permission(enum gh_backend b, enum gh_op op)
{
    static const char *const v1[] = {
        "Users: GET: List Users", "Users: GET: Retrieve User", "Candidates: GET: List Candidates",
        "Activity Feed", "Candidates: POST: Add Note",
        /* v1: embedded in the candidate (List Candidates) */
        "Candidates: GET: List Candidates", "Candidates: GET: List Candidates"};
    static const char *const v3[] = {
        "harvest:users:list", "harvest:users:list",   "harvest:candidates:list",
        "harvest:notes:list", "harvest:notes:create", GH_SCOPE_APPLICATIONS,
        GH_SCOPE_JOBS};
    return b == GH_V1 ? v1[op] : v3[op];
}

static const char *gh_base(const struct gh_client *c)
{
    return c->cfg.base_url && *c->cfg.base_url ? c->cfg.base_url : ENDPOINT_GH_BASE_URL;
}

static int gh_vurl(const char *base, char *out, size_t outsz, struct err *e, const char *fmt,
                   va_list ap) TH_PRINTF(5, 0);
static int gh_vurl(const char *base, char *out, size_t outsz, struct err *e, const char *fmt,
                   va_list ap)
{
    size_t bl = strlen(base);
    int n;

    while (bl > 0 && base[bl - 1] == '/')
        bl--;
    if (bl + 1 >= outsz) {
        err_set(e, ERR_INVALID_CONFIG, "the Greenhouse URL is too long");
        return -1;
    }
    memcpy(out, base, bl);
    n = vsnprintf(out + bl, outsz - bl, fmt, ap);
    if (n < 0 || (size_t)n >= outsz - bl) {
        err_set(e, ERR_BAD_REQUEST, "a Greenhouse request URL would be too long");
        return -1;
    }
    return 0;
}

static int gh_url(const struct gh_client *c, char *out, size_t outsz, struct err *e,
                  const char *fmt, ...) TH_PRINTF(5, 6);
static int gh_url(const struct gh_client *c, char *out, size_t outsz, struct err *e,
                  const char *fmt, ...)
{
    va_list ap;
    int rc;

    va_start(ap, fmt);
    rc = gh_vurl(gh_base(c), out, outsz, e, fmt, ap);
    va_end(ap);
    return rc;
}

static int gh_auth_url(const struct gh_client *c, char *out, size_t outsz, struct err *e,
                       const char *fmt, ...) TH_PRINTF(5, 6);
static int gh_auth_url(const struct gh_client *c, char *out, size_t outsz, struct err *e,
                       const char *fmt, ...)
{
    va_list ap;
    int rc;

    va_start(ap, fmt);
    rc = gh_vurl(c->cfg.auth_url && *c->cfg.auth_url ? c->cfg.auth_url : ENDPOINT_GH_AUTH_URL, out,
                 outsz, e, fmt, ap);
    va_end(ap);
    return rc;
}

/* A candidate id, by the one Greenhouse id rule (phone_gh_id_valid: 1-18 digits, not 0). */
static long long gh_candidate_id(const char *s, struct err *e)
{
    if (!phone_gh_id_valid(s)) {
        err_set(e, ERR_BAD_REQUEST, "not a Greenhouse candidate id (1-18 digits, not 0)");
        return -1;
    }
    return strtoll(s, NULL, 10);
}

static int gh_bad_cred(const char *s)
{
    return !s || !*s || strlen(s) > GH_CRED_MAX || strpbrk(s, "\r\n") != NULL;
}

/* ------------------------------------------------------------------ client */

int gh_client_new(struct gh_client **out, const struct gh_config *cfg, struct err *e)
{
    struct gh_client *c;
    int has_key = cfg->api_key && *cfg->api_key;
    int has_id = cfg->client_id && *cfg->client_id;
    int has_secret = cfg->client_secret && *cfg->client_secret;

    *out = NULL;
    if (!has_key && !has_id && !has_secret) {
        err_set(e, ERR_NOT_CONFIGURED,
                "no Greenhouse credentials are configured (Harvest v3 client_id + "
                "client_secret, or a Harvest v1 API key); run `textus-host configure`");
        return -1;
    }
    if (has_key && (has_id || has_secret)) {
        err_set(e, ERR_INVALID_CONFIG,
                "both a Harvest v1 API key and Harvest v3 client credentials are configured; "
                "keep only one");
        return -1;
    }
    if (!has_key && !(has_id && has_secret)) {
        err_set(e, ERR_INVALID_CONFIG,
                "Harvest v3 needs both client_id and client_secret; run `textus-host "
                "configure`");
        return -1;
    }
    if (has_key ? gh_bad_cred(cfg->api_key)
                : (gh_bad_cred(cfg->client_id) || gh_bad_cred(cfg->client_secret) ||
                   strchr(cfg->client_id, ':'))) {
        err_set(e, ERR_INVALID_CONFIG, "the Greenhouse credentials are malformed");
        return -1;
    }
    if (cfg->sub && *cfg->sub && strspn(cfg->sub, "0123456789") != strlen(cfg->sub)) {
        err_set(e, ERR_INVALID_CONFIG, "the Harvest v3 token subject must be a numeric user id");
        return -1;
    }
    c = calloc(1, sizeof(*c));
    if (!c) {
        err_set(e, ERR_INTERNAL, "out of memory");
        return -1;
    }
    c->cfg = *cfg;
    c->backend = has_key ? GH_V1 : GH_V3;
    c->read_sub = cfg->sub && *cfg->sub ? strtoll(cfg->sub, NULL, 10) : 0;
    *out = c;
    return 0;
}

void gh_client_free(struct gh_client *c)
{
    int i;

    if (!c)
        return;
    http_background_detach(c); /* no answer of its warm-up may reach a freed client */
    for (i = 0; i < 2; i++)
        if (c->tok[i].token)
            sodium_free(c->tok[i].token); /* sodium_free wipes */
    free(c);
}

const struct gh_config *gh_client_config(const struct gh_client *c)
{
    return &c->cfg;
}

enum gh_backend gh_client_backend(const struct gh_client *c)
{
    return c->backend;
}

long long gh_client_user_id(const struct gh_client *c)
{
    return c->user_id;
}

void gh_client_set_user_id(struct gh_client *c, long long user_id)
{
    c->user_id = user_id > 0 ? user_id : 0;
}

int gh_client_user_names(const struct gh_client *c, const char **first, const char **last)
{
    *first = c->names_known ? c->user_first : NULL;
    *last = c->names_known ? c->user_last : NULL;
    return c->names_known ? 0 : -1;
}

void gh_client_set_user_names(struct gh_client *c, const char *first, const char *last)
{
    c->names_known = first != NULL && last != NULL;
    snprintf(c->user_first, sizeof(c->user_first), "%s", first ? first : "");
    snprintf(c->user_last, sizeof(c->user_last), "%s", last ? last : "");
}

int gh_client_token(const struct gh_client *c, enum gh_token_kind k, char *out, size_t outsz,
                    long long *expires_at, long long *sub)
{
    const struct gh_token *t = &c->tok[k == GH_TOKEN_WRITE];
    size_t n;

    if (!t->token || !t->token[0])
        return -1;
    n = strlen(t->token);
    if (n + 1 > outsz)
        return -1;
    memcpy(out, t->token, n + 1);
    if (expires_at)
        *expires_at = t->expires;
    if (sub)
        *sub = t->sub;
    return 0;
}

int gh_client_set_token(struct gh_client *c, enum gh_token_kind k, const char *token,
                        long long expires_at, long long sub)
{
    struct gh_token *t = &c->tok[k == GH_TOKEN_WRITE];
    size_t n = token ? strlen(token) : 0;

    if (n + 1 > GH_TOKEN_MAX)
        return -1;
    if (!t->token) {
        t->token = sodium_malloc(GH_TOKEN_MAX);
        if (!t->token)
            return -1;
    }
    sodium_memzero(t->token, GH_TOKEN_MAX);
    if (n)
        memcpy(t->token, token, n + 1);
    t->expires = n ? expires_at : 0;
    t->lifetime = n ? expires_at - (long long)time(NULL) : 0;
    t->sub = n ? sub : 0;
    return 0;
}

static void gh_cache_changed(struct gh_client *c)
{
    if (c->cfg.cache_changed)
        c->cfg.cache_changed(c->cfg.cache_ctx, c);
}

/* ------------------------------------------------------------------ error mapping */

static void gh_v1_retired(struct err *e, long status, const char *path)
{
    err_set(e, ERR_GREENHOUSE_V1_RETIRED,
            "Greenhouse Harvest v1 answered HTTP %ld for %s: Greenhouse announced the removal "
            "of Harvest v1/v2 for 2026-08-31, and it appears to be gone",
            status, path);
    err_add_fix(e, ". Create Harvest v3 (OAuth) credentials in Greenhouse (Configure > Dev "
                   "Center > API Credentials > Harvest V3) and run `textus-host configure` with "
                   "the client_id and client_secret");
}

/* A server's error message (apijson_error_message) with this client's credentials taken out:
 * the v1 key, the v3 client id and secret, and the v3 tokens it holds. */
static void gh_error_message(const struct gh_client *c, const struct http_response *r, char *msg,
                             size_t msgsz)
{
    const char *secrets[5];

    secrets[0] = c->cfg.api_key;
    secrets[1] = c->cfg.client_id;
    secrets[2] = c->cfg.client_secret;
    secrets[3] = c->tok[GH_TOKEN_READ].token;
    secrets[4] = c->tok[GH_TOKEN_WRITE].token;
    apijson_error_message(r->body, r->body_len, secrets, TH_ARRAY_SIZE(secrets), msg, msgsz);
}

/* Map a non-2xx answer; 0 for 2xx. Does not handle v1 404 (callers decide). */
static int gh_map(const struct gh_client *c, const struct http_response *r, enum gh_op op,
                  const char *what, struct err *e)
{
    char msg[300];
    const char *perm = gh_permission(c->backend, op);

    if (r->status >= 200 && r->status < 300)
        return 0;
    gh_error_message(c, r, msg, sizeof(msg));
    /* https://developers.greenhouse.io/harvest.html#errors: 401 "Ensure you're using a valid
     * Harvest API key with the correct permissions"; 403 "You don't have access to that
     * record. Or, ensure that you're not supplying body information in your GET calls." */
    if (r->status == 401 && c->backend == GH_V1) {
        err_set(e, ERR_GREENHOUSE_AUTH,
                "Greenhouse refused the Harvest API key while %s (HTTP 401%s%s): the key is "
                "wrong, or it lacks the permission \"%s\" (Greenhouse answers 401 for both)",
                what, msg[0] ? ": " : "", msg, perm);
        err_add_fix(e, ". Check the key and its permissions in Configure > Dev Center > API "
                       "Credential Management");
    } else if (r->status == 401) {
        err_set(e, ERR_GREENHOUSE_AUTH,
                "Greenhouse refused the Harvest v3 access token while %s (HTTP 401%s%s), even "
                "after a new token",
                what, msg[0] ? ": " : "", msg);
        err_add_fix(e, "; check the client credentials with `textus-host configure`");
    } else if (r->status == 403 && c->backend == GH_V1) {
        err_set(e, ERR_GREENHOUSE_PERMISSION,
                "Greenhouse refused access to this record while %s (HTTP 403%s%s): the API key "
                "is valid but may not access it (for example a private candidate, or a job the "
                "On-Behalf-Of user cannot see)",
                what, msg[0] ? ": " : "", msg);
    } else if (r->status == 403 && c->backend == GH_V3 &&
               (strstr(msg, "scope") || strstr(msg, "Scope"))) {
        /* the answer names a scope: that is the cause (gh_forbidden_scope reads it back) */
        err_set(e, ERR_GREENHOUSE_PERMISSION,
                "Greenhouse refused %s (HTTP 403: %s): the Harvest v3 credential lacks that scope",
                what, msg);
    } else if (r->status == 403) {
        /* https://harvestdocs.greenhouse.io/docs/authentication ("About sub"): "Use a user
         * with the permissions your integration needs", its example being that list endpoints
         * need a Site Admin subject */
        err_set(e, ERR_GREENHOUSE_PERMISSION,
                "Greenhouse refused %s (HTTP 403%s%s): the record is not accessible to the "
                "token's user, or the Harvest v3 credential lacks the scope \"%s\", or the "
                "token's subject is not a Site Admin (Greenhouse's authentication guide asks "
                "for one on list endpoints)",
                what, msg[0] ? ": " : "", msg, perm);
    } else if (r->status == 404 && c->backend == GH_V3) {
        err_set(e, ERR_UPSTREAM_INVALID,
                "Harvest v3 has no such route (HTTP 404 while %s); check the Greenhouse API URL",
                what);
    } else {
        return apijson_map_status(r, "Greenhouse", "while", what, msg, ERR_GREENHOUSE_REJECTED, e);
    }
    log_msg("greenhouse: %s -> HTTP %ld (%s)", what, r->status, err_code_name(e->code));
    return -1;
}

static void gh_invalid(struct err *e, const char *what)
{
    err_set(e, ERR_UPSTREAM_INVALID, "Greenhouse sent an unusable answer (%s)", what);
}

/* ------------------------------------------------------------------ parsers */

/* An expiry field: a number (epoch seconds for expires_at/expires when large, else a
 * lifetime) or an ISO-8601 string or a numeric string. */
static int gh_expiry_field(const cJSON *v, long long now, int is_lifetime, long long *out)
{
    if (cJSON_IsNumber(v)) {
        double d = v->valuedouble;
        if (!(d > 0 && d < 1e12))
            return -1;
        *out = (is_lifetime || d < 1e9) ? now + (long long)d : (long long)d;
        return 0;
    }
    if (cJSON_IsString(v) && v->valuestring) {
        long long x = apijson_id(v);
        int64_t ms;
        if (x > 0 && x < 1000000000000LL) {
            *out = (is_lifetime || x < 1000000000LL) ? now + x : x;
            return 0;
        }
        if (iso8601_parse_ms(&ms, v->valuestring, strlen(v->valuestring)) != 0)
            return -1;
        *out = (long long)(ms >= 0 ? ms / 1000 : -((999 - ms) / 1000)); /* floor */
        return 0;
    }
    return -1;
}

int gh_parse_token(const char *buf, size_t len, long long now, char *token, size_t tokensz,
                   long long *expires_at, struct err *e)
{
    cJSON *doc = apijson_parse(buf, len);
    const cJSON *tt;
    long long exp = 0;
    int rc = -1;

    if (tokensz)
        token[0] = '\0';
    *expires_at = 0;
    if (!cJSON_IsObject(doc) || apijson_copy(doc, "access_token", token, tokensz) != 0 ||
        !token[0] || strpbrk(token, "\r\n ")) {
        gh_invalid(e, "a token response without a usable access_token");
        goto out;
    }
    tt = cJSON_GetObjectItemCaseSensitive(doc, "token_type");
    if (tt && (!cJSON_IsString(tt) || strcasecmp(tt->valuestring, "bearer") != 0)) {
        gh_invalid(e, "a token that is not a Bearer token");
        goto out;
    }
    if (gh_expiry_field(cJSON_GetObjectItemCaseSensitive(doc, "expires_in"), now, 1, &exp) != 0 &&
        gh_expiry_field(cJSON_GetObjectItemCaseSensitive(doc, "expires_at"), now, 0, &exp) != 0 &&
        gh_expiry_field(cJSON_GetObjectItemCaseSensitive(doc, "expires"), now, 0, &exp) != 0)
        exp = now + 300; /* no expiry given: keep it briefly; a 401 refreshes anyway */
    *expires_at = exp;
    rc = 0;
out:
    if (rc != 0 && tokensz)
        sodium_memzero(token, tokensz);
    cJSON_Delete(doc);
    return rc;
}

/* A name member (first_name, last_name) of a user or candidate: "" when absent or null. */
static void gh_copy_name(char *out, size_t outsz, const cJSON *o, const char *member)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, member);

    snprintf(out, outsz, "%s", cJSON_IsString(v) && v->valuestring ? v->valuestring : "");
}

static int gh_email_eq(const cJSON *v, const char *email)
{
    return cJSON_IsString(v) && v->valuestring && strcasecmp(v->valuestring, email) == 0;
}

int gh_page_users(const char *buf, size_t len, enum gh_backend b, const char *email,
                  struct gh_user_match *m, struct err *e)
{
    cJSON *doc = apijson_parse(buf, len);
    const cJSON *u;

    if (!cJSON_IsArray(doc)) {
        cJSON_Delete(doc);
        gh_invalid(e, "a user list that is not an array");
        return -1;
    }
    cJSON_ArrayForEach(u, doc)
    {
        int match = 0, disabled;
        long long id;
        if (!cJSON_IsObject(u))
            continue;
        id = apijson_id(cJSON_GetObjectItemCaseSensitive(u, "id"));
        if (id <= 0)
            continue;
        if (b == GH_V1) {
            const cJSON *em, *emails = cJSON_GetObjectItemCaseSensitive(u, "emails");
            match =
                gh_email_eq(cJSON_GetObjectItemCaseSensitive(u, "primary_email_address"), email);
            if (cJSON_IsArray(emails)) {
                cJSON_ArrayForEach(em, emails)
                {
                    if (gh_email_eq(em, email))
                        match = 1;
                }
            }
            disabled = apijson_true(u, "disabled");
        } else {
            match = gh_email_eq(cJSON_GetObjectItemCaseSensitive(u, "primary_email"), email);
            disabled = apijson_true(u, "deactivated");
        }
        if (!match)
            continue;
        if (disabled) {
            m->disabled_match = 1;
        } else if (!m->id) {
            m->id = id;
            gh_copy_name(m->first_name, sizeof(m->first_name), u, "first_name");
            gh_copy_name(m->last_name, sizeof(m->last_name), u, "last_name");
        }
    }
    cJSON_Delete(doc);
    return 0;
}

int gh_page_candidates(const char *buf, size_t len, long long cand_id, cJSON *out_numbers,
                       int *found, struct err *e)
{
    cJSON *doc = apijson_parse(buf, len);
    const cJSON *c;
    int rc = 0;

    if (!cJSON_IsArray(doc)) {
        cJSON_Delete(doc);
        gh_invalid(e, "a candidate list that is not an array");
        return -1;
    }
    cJSON_ArrayForEach(c, doc)
    {
        const cJSON *phones, *p;
        if (!cJSON_IsObject(c) || apijson_id(cJSON_GetObjectItemCaseSensitive(c, "id")) != cand_id)
            continue;
        *found = 1;
        phones = cJSON_GetObjectItemCaseSensitive(c, "phone_numbers");
        if (phones && !cJSON_IsArray(phones) && !cJSON_IsNull(phones)) {
            gh_invalid(e, "phone_numbers is not an array");
            rc = -1;
            break;
        }
        cJSON_ArrayForEach(p, phones)
        {
            const cJSON *v = cJSON_GetObjectItemCaseSensitive(p, "value");
            const cJSON *t = cJSON_GetObjectItemCaseSensitive(p, "type");
            cJSON *o;
            if (!cJSON_IsString(v) || !v->valuestring || !*v->valuestring)
                continue;
            o = cJSON_CreateObject();
            if (!o || !cJSON_AddStringToObject(o, "value", v->valuestring) ||
                !cJSON_AddStringToObject(o, "type",
                                         cJSON_IsString(t) && t->valuestring && *t->valuestring
                                             ? t->valuestring
                                             : "other")) {
                cJSON_Delete(o);
                err_set(e, ERR_INTERNAL, "out of memory");
                rc = -1;
                break;
            }
            cJSON_AddItemToArray(out_numbers, o);
        }
        break;
    }
    cJSON_Delete(doc);
    return rc;
}

int gh_page_candidate_name(const char *buf, size_t len, long long cand_id, char *first,
                           size_t first_sz, char *last, size_t last_sz, int *found, struct err *e)
{
    cJSON *doc = apijson_parse(buf, len);
    const cJSON *c;

    if (!cJSON_IsArray(doc)) {
        cJSON_Delete(doc);
        gh_invalid(e, "a candidate list that is not an array");
        return -1;
    }
    cJSON_ArrayForEach(c, doc)
    {
        if (!cJSON_IsObject(c) || apijson_id(cJSON_GetObjectItemCaseSensitive(c, "id")) != cand_id)
            continue;
        *found = 1;
        gh_copy_name(first, first_sz, c, "first_name");
        gh_copy_name(last, last_sz, c, "last_name");
        break;
    }
    cJSON_Delete(doc);
    return 0;
}

static int gh_notes_scan(const cJSON *notes, const char *marker, int *found, long long *note_id)
{
    const cJSON *n;

    cJSON_ArrayForEach(n, notes)
    {
        const cJSON *b = cJSON_GetObjectItemCaseSensitive(n, "body");
        /* the marker is the note's last line, whole: a note quoting another's marker in its
         * text (a reply can say anything) is not that note (notetext.h). Newlines are stored
         * verbatim (greenhouse-harvest.md, section 4: the note body) */
        if (cJSON_IsString(b) && b->valuestring && notetext_last_line_is(b->valuestring, marker)) {
            long long id = apijson_id(cJSON_GetObjectItemCaseSensitive(n, "id"));
            if (!*found && note_id)
                *note_id = id > 0 ? id : 0;
            *found = 1;
        }
    }
    return 0;
}

int gh_page_notes(const char *buf, size_t len, enum gh_backend b, const char *marker, int *found,
                  long long *note_id, struct err *e)
{
    cJSON *doc = apijson_parse(buf, len);
    const cJSON *notes = doc;
    int rc = 0;

    if (!marker || !*marker) {
        cJSON_Delete(doc);
        err_set(e, ERR_BAD_REQUEST, "empty note marker");
        return -1;
    }
    if (b == GH_V1)
        notes = cJSON_IsObject(doc) ? cJSON_GetObjectItemCaseSensitive(doc, "notes") : NULL;
    if (!cJSON_IsArray(notes)) {
        gh_invalid(e,
                   b == GH_V1 ? "an activity feed without notes" : "notes that are not an array");
        rc = -1;
    } else {
        gh_notes_scan(notes, marker, found, note_id);
    }
    cJSON_Delete(doc);
    return rc;
}

/* ------------------------------------------------------------------ v3 token */

/* The token request: POST <auth_url>/token with its form (see gh_fetch_token). */
struct gh_token_rq {
    char url[HTTP_URL_MAX], form[512];
    const char *hdrs[3];
    struct http_request rq;
};

static int gh_token_rq_init(struct gh_client *c, struct gh_token_rq *t, long long subject,
                            struct err *e)
{
    memset(t, 0, sizeof(*t));
    if (gh_auth_url(c, t->url, sizeof(t->url), e, "/token") != 0)
        return -1;
    if (subject > 0)
        snprintf(t->form, sizeof(t->form), "grant_type=client_credentials&sub=%lld", subject);
    else
        snprintf(t->form, sizeof(t->form), "grant_type=client_credentials");
    t->hdrs[0] = "Accept: application/json";
    t->hdrs[1] = "Content-Type: application/x-www-form-urlencoded";
    t->hdrs[2] = NULL;
    t->rq.method = HTTP_POST;
    t->rq.url = t->url;
    t->rq.headers = t->hdrs;
    t->rq.body = t->form;
    t->rq.body_len = strlen(t->form);
    t->rq.basic_user = c->cfg.client_id;
    t->rq.basic_pass = c->cfg.client_secret;
    t->rq.idempotent = 1; /* a token request changes nothing the user can see */
    t->rq.pace = c->pacing > 0;
    t->rq.opts = &c->cfg.http;
    return 0;
}

/* The token endpoint's answer: the token into slot k (no cache write), or -1 with *e. */
static int gh_token_answer(struct gh_client *c, enum gh_token_kind k, long long subject,
                           const struct http_response *r, long long now, struct err *e)
{
    char *tok = NULL;
    long long exp = 0;
    int rc = -1;

    if (r->status == 400 || r->status == 401) {
        char msg[300];
        gh_error_message(c, r, msg, sizeof(msg));
        if (subject > 0) {
            err_set(e, ERR_GREENHOUSE_AUTH,
                    "Greenhouse refused a Harvest v3 token for user %lld (HTTP %ld%s%s)", subject,
                    r->status, msg[0] ? ": " : "", msg);
            err_add_fix(e, ": check client_id and client_secret with `textus-host configure`, "
                           "and that this Greenhouse user is active");
        } else {
            err_set(e, ERR_GREENHOUSE_AUTH,
                    "Greenhouse refused the Harvest v3 client credentials (HTTP %ld%s%s)",
                    r->status, msg[0] ? ": " : "", msg);
            err_add_fix(e, "; check client_id and client_secret with `textus-host configure`");
        }
        return -1;
    }
    if (r->status == 429) {
        long w = http_response_wait_ms(r, (long long)time(NULL));
        err_set(e, ERR_RATE_LIMITED, "Greenhouse token rate limit reached; retry in %ld s",
                (w + 999) / 1000);
        e->retry_after_ms = w;
        return -1;
    }
    if (r->status >= 500) {
        err_set(e, ERR_UPSTREAM_UNAVAILABLE,
                "the Greenhouse token service is unavailable "
                "(HTTP %ld)",
                r->status);
        return -1;
    }
    if (r->status < 200 || r->status >= 300) {
        err_set(e, ERR_GREENHOUSE_AUTH, "the Greenhouse token request failed (HTTP %ld)",
                r->status);
        return -1;
    }
    tok = sodium_malloc(GH_TOKEN_MAX);
    if (!tok) {
        err_set(e, ERR_INTERNAL, "out of memory");
        return -1;
    }
    if (gh_parse_token(r->body, r->body_len, now, tok, GH_TOKEN_MAX, &exp, e) != 0)
        goto out;
    if (gh_client_set_token(c, k, tok, exp, subject) != 0) {
        err_set(e, ERR_INTERNAL, "out of memory");
        goto out;
    }
    if (subject > 0)
        log_msg("greenhouse: new v3 token for user %lld, expires in %lld s", subject, exp - now);
    else
        log_msg("greenhouse: new v3 token, expires in %lld s", exp - now);
    rc = 0;
out:
    sodium_free(tok);
    return rc;
}

/*
 * POST <auth_url>/token (https://harvestdocs.greenhouse.io/docs/authentication): HTTP Basic
 * client_id:client_secret, form grant_type=client_credentials and, for a subject, sub=<user
 * id> ("a Greenhouse user_id to identify the authorizing user"; without it the calls act as
 * the credential's integration service user). Fills the token slot k.
 */
static int gh_fetch_token(struct gh_client *c, enum gh_token_kind k, long long subject,
                          struct err *e)
{
    struct gh_token_rq t;
    struct http_response r;
    long long now = (long long)time(NULL);
    int rc = -1;

    memset(&r, 0, sizeof(r));
    if (gh_token_rq_init(c, &t, subject, e) != 0)
        return -1;
    if (http_request(&t.rq, &r, e) != 0)
        goto out;
    if (gh_token_answer(c, k, subject, &r, now, e) != 0)
        goto out;
    gh_cache_changed(c);
    c->cache_dirty = 0;
    rc = 0;
out:
    http_response_free(&r); /* wipes the token answer (secret buffer) */
    return rc;
}

/* 1 when slot t holds a token for subject that is not about to expire. */
static int gh_token_fresh(const struct gh_token *t, long long subject)
{
    long long now = (long long)time(NULL);
    long long margin = 60;

    if (!t->token || !t->token[0] || t->sub != subject)
        return 0;
    if (t->lifetime > 0 && t->lifetime < 120)
        margin = t->lifetime / 2; /* short-lived tokens: refresh at half-life */
    return now < t->expires - margin;
}

/* ------------------------------------------------------------------ requests */

/* One prepared API request: its headers (the Authorization line is a secret) live here. */
struct gh_rq {
    char auth[GH_TOKEN_MAX + 32], obo[64];
    const char *hdrs[5];
    struct http_request rq;
};

/* Fill t: v1 authenticates with the API key (and On-Behalf-Of when on_behalf_of > 0), v3 with
 * token slot k (which the caller has made fresh). */
static void gh_rq_init(const struct gh_client *c, struct gh_rq *t, enum http_method m,
                       const char *url, const char *body, int idempotent, enum gh_token_kind k,
                       long long on_behalf_of)
{
    int n = 0;

    memset(t, 0, sizeof(*t));
    t->hdrs[n++] = "Accept: application/json";
    if (body)
        t->hdrs[n++] = "Content-Type: application/json";
    if (c->backend == GH_V1) {
        t->rq.basic_user = c->cfg.api_key;
        t->rq.basic_pass = "";
        if (on_behalf_of > 0) {
            snprintf(t->obo, sizeof(t->obo), "On-Behalf-Of: %lld", on_behalf_of);
            t->hdrs[n++] = t->obo;
        }
    } else {
        snprintf(t->auth, sizeof(t->auth), "Authorization: Bearer %s", c->tok[k].token);
        t->hdrs[n++] = t->auth;
    }
    t->hdrs[n] = NULL;
    t->rq.method = m;
    t->rq.url = url;
    t->rq.headers = t->hdrs;
    t->rq.body = body;
    t->rq.body_len = body ? strlen(body) : 0;
    t->rq.idempotent = idempotent;
    t->rq.pace = c->pacing > 0;
    t->rq.opts = &c->cfg.http;
}

static void gh_rq_wipe(struct gh_rq *t)
{
    sodium_memzero(t->auth, sizeof(t->auth));
}

/*
 * One request. on_behalf_of > 0: a write made as that user -- v1 sends On-Behalf-Of
 * (https://developers.greenhouse.io/harvest.html#post-add-note: "Required for auditing
 * purposes"), v3 uses a token whose sub is that user (its v3 counterpart,
 * https://harvestdocs.greenhouse.io/docs/authentication). Otherwise v3 uses the token
 * without sub (cfg->sub when set): reads need a Site Admin subject, which the recruiter
 * need not be.
 */
static int gh_do(struct gh_client *c, enum http_method m, const char *url, const char *body,
                 int idempotent, long long on_behalf_of, struct http_response *r, struct err *e)
{
    struct gh_rq t;
    enum gh_token_kind k = on_behalf_of > 0 ? GH_TOKEN_WRITE : GH_TOKEN_READ;
    long long subject = on_behalf_of > 0 ? on_behalf_of : c->read_sub;
    int attempt, rc = -1;

    memset(r, 0, sizeof(*r));
    if (c->warming > 0)
        http_background_wait(c); /* a token it fetches may be the one this request needs */
    for (attempt = 0; attempt < 2; attempt++) {
        if (c->backend == GH_V3 && !gh_token_fresh(&c->tok[k], subject) &&
            gh_fetch_token(c, k, subject, e) != 0)
            return -1;
        gh_rq_init(c, &t, m, url, body, idempotent, k, on_behalf_of);
        if (attempt)
            http_response_free(r);
        rc = http_request(&t.rq, r, e);
        gh_rq_wipe(&t);
        if (rc != 0)
            return -1;
        /* v3: a 401 means the token was refused before anything happened: refresh once */
        if (c->backend == GH_V3 && r->status == 401 && attempt == 0) {
            log_msg("greenhouse: v3 token refused, requesting a new one");
            (void)gh_client_set_token(c, k, "", 0, 0);
            continue;
        }
        break;
    }
    return 0;
}

typedef int (*gh_page_fn)(const char *buf, size_t len, void *ud, int *stop, struct err *e);

/* GET url and every Link rel="next" page (used verbatim: v3 cursors must stand alone). */
static int gh_list(struct gh_client *c, const char *first_url, enum gh_op op, const char *what,
                   gh_page_fn fn, void *ud, int *status404, struct err *e)
{
    char url[HTTP_URL_MAX];
    int pages = 0, stop = 0;

    if (status404)
        *status404 = 0;
    if (strlen(first_url) + 1 > sizeof(url)) {
        err_set(e, ERR_BAD_REQUEST, "request URL too long");
        return -1;
    }
    memcpy(url, first_url, strlen(first_url) + 1);
    for (;;) {
        struct http_response r;
        int rc;

        if (++pages > GH_MAX_PAGES) {
            err_set(e, ERR_UPSTREAM_INVALID, "Greenhouse returned more than %d pages while %s",
                    GH_MAX_PAGES, what);
            return -1;
        }
        if (gh_do(c, HTTP_GET, url, NULL, 1, 0, &r, e) != 0) {
            http_response_free(&r);
            return -1;
        }
        if (status404 && (r.status == 404 || r.status == 410)) {
            *status404 = (int)r.status;
            http_response_free(&r);
            return -1;
        }
        rc = gh_map(c, &r, op, what, e);
        if (rc == 0)
            rc = fn(r.body, r.body_len, ud, &stop, e);
        if (rc == 0 && !stop && r.link_next[0]) {
            char prev[HTTP_URL_MAX];
            memcpy(prev, url, sizeof(prev));
            rc = http_url_same_origin(gh_base(c), r.link_next, url, sizeof(url), e);
            if (rc == 0 && strcmp(prev, url) == 0) {
                err_set(e, ERR_UPSTREAM_INVALID, "Greenhouse pointed the next page at itself");
                rc = -1;
            }
        } else if (rc == 0) {
            stop = 1;
        }
        http_response_free(&r);
        if (rc != 0)
            return -1;
        if (stop)
            return 0;
    }
}

/* After a v1 404 on a candidate route: is v1 itself gone? */
static void gh_v1_404(struct gh_client *c, int status, const char *what, const char *cand,
                      struct err *e)
{
    char url[HTTP_URL_MAX];
    struct http_response r;
    struct err tmp;

    memset(&r, 0, sizeof(r));
    err_clear(&tmp);
    if (status == 410) {
        gh_v1_retired(e, status, "a candidate route");
        return;
    }
    /* https://developers.greenhouse.io/harvest.html#get-list-users */
    if (gh_url(c, url, sizeof(url), &tmp, "/v1/users?per_page=1") == 0 &&
        gh_do(c, HTTP_GET, url, NULL, 1, 0, &r, &tmp) == 0 &&
        (r.status == 404 || r.status == 410)) {
        http_response_free(&r);
        gh_v1_retired(e, status, "/v1/users");
        return;
    }
    http_response_free(&r);
    err_set(e, ERR_GREENHOUSE_NOT_FOUND,
            "Greenhouse has no candidate %s visible to this API key (HTTP 404 while %s)", cand,
            what);
}

static void gh_per_page(const struct gh_client *c, char *out, size_t outsz, const char *sep)
{
    if (c->cfg.page_size > 0)
        snprintf(out, outsz, "%sper_page=%d", sep, c->cfg.page_size > 500 ? 500 : c->cfg.page_size);
    else
        out[0] = '\0';
}

/* ------------------------------------------------------------------ resolve user */

struct gh_users_ud {
    enum gh_backend b;
    const char *email;
    struct gh_user_match m;
};

static int gh_users_page(const char *buf, size_t len, void *ud, int *stop, struct err *e)
{
    struct gh_users_ud *u = ud;

    if (gh_page_users(buf, len, u->b, u->email, &u->m, e) != 0)
        return -1;
    if (u->m.id)
        *stop = 1;
    return 0;
}

/* The user list filtered by the configured sign-in email (the first page's URL). */
static int gh_users_url(const struct gh_client *c, char *url, size_t urlsz, struct err *e)
{
    char email[512], pp[32];

    if (!c->cfg.user_email || !*c->cfg.user_email || !strchr(c->cfg.user_email, '@')) {
        err_set(e, ERR_NOT_CONFIGURED,
                "no Greenhouse sign-in email is configured; run `textus-host configure`");
        return -1;
    }
    if (http_escape(c->cfg.user_email, email, sizeof(email)) != 0) {
        err_set(e, ERR_INVALID_CONFIG, "the Greenhouse sign-in email is too long");
        return -1;
    }
    gh_per_page(c, pp, sizeof(pp), "&");
    /* v1: https://developers.greenhouse.io/harvest.html#get-list-users (?email= matches a
     * primary or secondary address); v3: https://harvestdocs.greenhouse.io/reference/get_v3-users
     * (?primary_email=) */
    return gh_url(c, url, urlsz, e,
                  c->backend == GH_V1 ? "/v1/users?email=%s%s" : "/v3/users?primary_email=%s%s",
                  email, pp);
}

/* List the users with the configured sign-in email (the cached id is not consulted). */
static int gh_find_user(struct gh_client *c, struct gh_users_ud *u, struct err *e)
{
    char url[HTTP_URL_MAX];
    int s404 = 0;

    if (gh_users_url(c, url, sizeof(url), e) != 0)
        return -1;
    memset(u, 0, sizeof(*u));
    u->b = c->backend;
    u->email = c->cfg.user_email;
    if (gh_list(c, url, GH_OP_USERS_LIST, "looking up the Greenhouse user", gh_users_page, u,
                c->backend == GH_V1 ? &s404 : NULL, e) != 0) {
        if (s404)
            gh_v1_retired(e, s404, "/v1/users");
        return -1;
    }
    if (!u->m.id) {
        if (u->m.disabled_match) {
            err_set(e, ERR_GREENHOUSE_USER_NOT_FOUND, "the Greenhouse user %s is disabled",
                    c->cfg.user_email);
            err_add_fix(e, "; ask a Greenhouse admin to enable it or configure another sign-in "
                           "email");
        } else {
            err_set(e, ERR_GREENHOUSE_USER_NOT_FOUND,
                    "Greenhouse has no user with the sign-in email %s", c->cfg.user_email);
            err_add_fix(e, "; check it with `textus-host configure`");
        }
        return -1;
    }
    return 0;
}

int gh_resolve_user(struct gh_client *c, long long *user_id, struct err *e)
{
    struct gh_users_ud u;

    *user_id = 0;
    if (c->user_id == 0 && c->warming > 0)
        http_background_wait(c); /* the warm-up's lookup may answer this */
    if (c->user_id > 0) {
        *user_id = c->user_id;
        return 0;
    }
    if (gh_find_user(c, &u, e) != 0)
        return -1;
    c->user_id = u.m.id;
    *user_id = u.m.id;
    gh_client_set_user_names(c, u.m.first_name, u.m.last_name);
    log_msg("greenhouse: user resolved to %lld", u.m.id);
    gh_cache_changed(c);
    c->cache_dirty = 0;
    return 0;
}

int gh_user_names(struct gh_client *c, char *first, size_t first_sz, char *last, size_t last_sz,
                  struct err *e)
{
    struct gh_users_ud u;

    first[0] = last[0] = '\0';
    if (!c->names_known && c->warming > 0)
        http_background_wait(c); /* the warm-up's lookup may answer this */
    if (!c->names_known || c->user_id <= 0) {
        if (gh_find_user(c, &u, e) != 0)
            return -1;
        c->user_id = u.m.id;
        gh_client_set_user_names(c, u.m.first_name, u.m.last_name);
        gh_cache_changed(c); /* the names are cached with the id: the next search asks nothing */
        c->cache_dirty = 0;
    }
    snprintf(first, first_sz, "%s", c->user_first);
    snprintf(last, last_sz, "%s", c->user_last);
    return 0;
}

/* ------------------------------------------------------------------ warm-up */

/* 1 when slot t holds a token for subject that lasts at least `secs` more (a warm-up renews
 * one that would expire while the recruiter types). */
static int gh_token_lasts(const struct gh_token *t, long long subject, long long secs)
{
    return gh_token_fresh(t, subject) && (long long)time(NULL) + secs < t->expires;
}

#define GH_WARM_TOKEN_SECS 300

static void gh_warm_token(struct gh_client *c, enum gh_token_kind k, long long subject);

/* The user lookup's answer in the background: learn the user id if it was not known. */
static void gh_warm_users_done(void *ud, int rc, const struct http_response *r, const struct err *e)
{
    struct gh_client *c = ud;
    struct gh_user_match m;
    struct err pe;

    c->warming--;
    if (rc != 0) {
        log_msg("greenhouse: warm-up: %s", e->message);
        return;
    }
    if (r->status < 200 || r->status >= 300) {
        log_msg("greenhouse: warm-up: the user lookup answered HTTP %ld", r->status);
        return;
    }
    memset(&m, 0, sizeof(m));
    err_clear(&pe);
    if (c->user_id == 0 &&
        gh_page_users(r->body, r->body_len, c->backend, c->cfg.user_email, &m, &pe) == 0 &&
        m.id > 0) {
        c->user_id = m.id;
        gh_client_set_user_names(c, m.first_name, m.last_name);
        c->cache_dirty = 1;
        log_msg("greenhouse: user resolved to %lld (warm-up)", m.id);
        /* v3: now the note's token can be asked for (its subject is that user) */
        if (c->backend == GH_V3 &&
            !gh_token_lasts(&c->tok[GH_TOKEN_WRITE], c->user_id, GH_WARM_TOKEN_SECS))
            gh_warm_token(c, GH_TOKEN_WRITE, c->user_id);
    }
}

/* Start the user lookup in the background (v3: with the read token, which must be fresh). */
static void gh_warm_users(struct gh_client *c)
{
    char url[HTTP_URL_MAX];
    struct gh_rq t;
    struct err e;

    err_clear(&e);
    if (gh_users_url(c, url, sizeof(url), &e) != 0)
        return;
    gh_rq_init(c, &t, HTTP_GET, url, NULL, 1, GH_TOKEN_READ, 0);
    t.rq.pace = 1; /* a warm-up can wait */
    if (http_background(&t.rq, gh_warm_users_done, c) == 0)
        c->warming++;
    gh_rq_wipe(&t);
}

/* A token fetched in the background: kept in its slot (and saved by gh_client_save_cache). */
static void gh_warm_token_done(struct gh_client *c, enum gh_token_kind k, int rc,
                               const struct http_response *r, const struct err *e)
{
    struct err te;

    c->warming--;
    err_clear(&te);
    if (rc != 0)
        log_msg("greenhouse: warm-up token: %s", e->message);
    else if (gh_token_answer(c, k, c->warm_sub[k], r, c->warm_at[k], &te) != 0)
        log_msg("greenhouse: warm-up token: %s", te.message);
    else {
        c->cache_dirty = 1;
        if (k == GH_TOKEN_READ && !http_origin_warm(gh_base(c)))
            gh_warm_users(c); /* the read token was what the lookup was waiting for */
    }
    if (r && r->body)
        sodium_memzero(r->body, r->body_len);
}

static void gh_warm_read_done(void *ud, int rc, const struct http_response *r, const struct err *e)
{
    gh_warm_token_done(ud, GH_TOKEN_READ, rc, r, e);
}

static void gh_warm_write_done(void *ud, int rc, const struct http_response *r, const struct err *e)
{
    gh_warm_token_done(ud, GH_TOKEN_WRITE, rc, r, e);
}

static void gh_warm_token(struct gh_client *c, enum gh_token_kind k, long long subject)
{
    struct gh_token_rq t;
    struct err e;

    err_clear(&e);
    if (gh_token_rq_init(c, &t, subject, &e) != 0)
        return;
    t.rq.pace = 1; /* a warm-up can wait */
    c->warm_sub[k] = subject;
    c->warm_at[k] = (long long)time(NULL);
    if (http_background(&t.rq, k == GH_TOKEN_READ ? gh_warm_read_done : gh_warm_write_done, c) == 0)
        c->warming++;
}

static void gh_warm_connect_done(void *ud, int rc, const struct http_response *r,
                                 const struct err *e)
{
    struct gh_client *c = ud;

    (void)r;
    c->warming--;
    if (rc != 0)
        log_msg("greenhouse: warm-up connection: %s", e->message);
}

/*
 * Open the connection to Harvest without spending the credential's budget: GET of the base
 * URL's root without credentials, whose answer (any status) is discarded. Harvest's limit is
 * counted per credential (https://developers.greenhouse.io/harvest.html#rate-limiting: "per
 * API key"; v3: per OAuth client, https://harvestdocs.greenhouse.io/docs/api-rate-limiting);
 * how a request without one is counted is not documented, and one that carries none cannot be
 * charged to the company's credential (the safe reading). TLS and the kept connection are what
 * the note reuses.
 */
static void gh_warm_connect(struct gh_client *c)
{
    char url[HTTP_URL_MAX];
    const char *hdrs[] = {"Accept: application/json", NULL};
    struct http_request rq;
    struct err e;

    err_clear(&e);
    if (gh_url(c, url, sizeof(url), &e, "/") != 0)
        return;
    memset(&rq, 0, sizeof(rq));
    rq.method = HTTP_GET;
    rq.url = url;
    rq.headers = hdrs;
    rq.idempotent = 1;
    rq.opts = &c->cfg.http;
    if (http_background(&rq, gh_warm_connect_done, c) == 0)
        c->warming++;
}

void gh_warm(struct gh_client *c)
{
    if (c->warming > 0)
        return; /* under way */
    if (c->backend == GH_V1) {
        if (http_origin_warm(gh_base(c)))
            return;
        if (c->user_id > 0)
            gh_warm_connect(c); /* the user id is cached: no lookup */
        else
            gh_warm_users(c);
        return;
    }
    /* the note's token (subject: the recruiter), when the user is known and it is not fresh */
    if (c->user_id > 0 && !gh_token_lasts(&c->tok[GH_TOKEN_WRITE], c->user_id, GH_WARM_TOKEN_SECS))
        gh_warm_token(c, GH_TOKEN_WRITE, c->user_id);
    if (http_origin_warm(gh_base(c)))
        return;
    if (c->user_id > 0)
        gh_warm_connect(c); /* the user id is cached: no lookup, no read token */
    else if (gh_token_fresh(&c->tok[GH_TOKEN_READ], c->read_sub))
        gh_warm_users(c);
    else
        gh_warm_token(c, GH_TOKEN_READ, c->read_sub); /* then the lookup, in its callback */
}

void gh_client_save_cache(struct gh_client *c)
{
    if (c && c->cache_dirty) {
        c->cache_dirty = 0;
        gh_cache_changed(c);
    }
}

/* ------------------------------------------------------------------ candidates */

/*
 * Read candidate `id` (candidate_id as the caller wrote it, for the message): its page(s) go to
 * page(ud), which sets *found when it has seen the candidate and stops the listing. v1:
 * https://developers.greenhouse.io/harvest.html#get-list-candidates (candidate_ids; the List
 * Candidates permission, not Retrieve Candidate); v3: GET /v3/candidates?ids=
 * (https://harvestdocs.greenhouse.io/docs/step-by-step-migration-instructions).
 */
static int gh_read_candidate(struct gh_client *c, const char *candidate_id, long long id,
                             gh_page_fn page, void *ud, const int *found, struct err *e)
{
    char url[HTTP_URL_MAX];
    int s404 = 0;

    if (gh_url(c, url, sizeof(url), e,
               c->backend == GH_V1 ? "/v1/candidates?candidate_ids=%lld"
                                   : "/v3/candidates?ids=%lld",
               id) != 0)
        return -1;
    if (gh_list(c, url, GH_OP_CANDIDATES, "reading the candidate", page, ud,
                c->backend == GH_V1 ? &s404 : NULL, e) != 0) {
        if (s404)
            gh_v1_retired(e, s404, "/v1/candidates");
        return -1;
    }
    if (!*found) {
        err_set(e, ERR_GREENHOUSE_NOT_FOUND,
                "Greenhouse has no candidate %s visible to these credentials", candidate_id);
        return -1;
    }
    return 0;
}

struct gh_cand_ud {
    long long id;
    cJSON *out;
    int found;
};

static int gh_cand_page(const char *buf, size_t len, void *ud, int *stop, struct err *e)
{
    struct gh_cand_ud *u = ud;

    if (gh_page_candidates(buf, len, u->id, u->out, &u->found, e) != 0)
        return -1;
    if (u->found)
        *stop = 1;
    return 0;
}

int gh_candidate_phones(struct gh_client *c, const char *candidate_id, cJSON *out_numbers,
                        struct err *e)
{
    struct gh_cand_ud u;
    long long id = gh_candidate_id(candidate_id, e);

    if (id < 0)
        return -1;
    if (!cJSON_IsArray(out_numbers)) {
        err_set(e, ERR_INTERNAL, "gh_candidate_phones needs an array");
        return -1;
    }
    memset(&u, 0, sizeof(u));
    u.id = id;
    u.out = out_numbers;
    return gh_read_candidate(c, candidate_id, id, gh_cand_page, &u, &u.found, e);
}

struct gh_cand_name_ud {
    long long id;
    char *first, *last;
    size_t first_sz, last_sz;
    int found;
};

static int gh_cand_name_page(const char *buf, size_t len, void *ud, int *stop, struct err *e)
{
    struct gh_cand_name_ud *u = ud;

    if (gh_page_candidate_name(buf, len, u->id, u->first, u->first_sz, u->last, u->last_sz,
                               &u->found, e) != 0)
        return -1;
    if (u->found)
        *stop = 1;
    return 0;
}

int gh_candidate_names(struct gh_client *c, const char *candidate_id, char *first, size_t first_sz,
                       char *last, size_t last_sz, struct err *e)
{
    struct gh_cand_name_ud u;
    long long id = gh_candidate_id(candidate_id, e);

    first[0] = last[0] = '\0';
    if (id < 0)
        return -1;
    memset(&u, 0, sizeof(u));
    u.id = id;
    u.first = first;
    u.last = last;
    u.first_sz = first_sz;
    u.last_sz = last_sz;
    return gh_read_candidate(c, candidate_id, id, gh_cand_name_page, &u, &u.found, e);
}

/* ------------------------------------------------------------------ job and stage */

/* One application seen: count it, and pick it when it is the one asked for. */
static void gh_app_seen(struct gh_candidate_details *out, long long application_id,
                        long long job_id, long long app_id, long long app_job, const char *job,
                        const char *stage, long long *picked_job_id)
{
    int match;

    out->applications++;
    if (application_id > 0)
        match = app_id == application_id;
    else if (job_id > 0)
        match = app_job == job_id;
    else
        match = out->applications == 1; /* the only one, undone below when a second comes */
    if (!application_id && !job_id && out->applications == 2) {
        out->picked = 0; /* several and nothing to choose by: none */
        out->application_id = 0;
        out->job[0] = out->stage[0] = '\0';
        *picked_job_id = 0;
    }
    if (!match || out->picked)
        return;
    out->picked = 1;
    out->application_id = app_id;
    *picked_job_id = app_job;
    snprintf(out->job, sizeof(out->job), "%s", job ? job : "");
    snprintf(out->stage, sizeof(out->stage), "%s", stage ? stage : "");
}

static const char *gh_str(const cJSON *o, const char *member)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, member);

    return cJSON_IsString(v) && v->valuestring ? v->valuestring : NULL;
}

/* v1 https://developers.greenhouse.io/harvest.html#the-candidate-object: applications[] with
 * jobs[] ({id, name}; empty for a prospect) and current_stage ({id, name} or null). */
static void gh_v1_applications(const cJSON *apps, long long application_id, long long job_id,
                               struct gh_candidate_details *out, long long *picked_job_id)
{
    const cJSON *a;

    cJSON_ArrayForEach(a, apps)
    {
        const cJSON *jobs, *job, *st;
        long long jid = 0;
        const char *jname = NULL;
        if (!cJSON_IsObject(a))
            continue;
        jobs = cJSON_GetObjectItemCaseSensitive(a, "jobs");
        if (cJSON_IsArray(jobs)) {
            cJSON_ArrayForEach(job, jobs)
            {
                long long id = apijson_id(cJSON_GetObjectItemCaseSensitive(job, "id"));
                if (!jname || (job_id > 0 && id == job_id)) {
                    jid = id;
                    jname = gh_str(job, "name");
                }
            }
        }
        st = cJSON_GetObjectItemCaseSensitive(a, "current_stage");
        gh_app_seen(out, application_id, job_id,
                    apijson_id(cJSON_GetObjectItemCaseSensitive(a, "id")), jid, jname,
                    cJSON_IsObject(st) ? gh_str(st, "name") : NULL, picked_job_id);
    }
}

int gh_page_applications(const char *buf, size_t len, enum gh_backend b, long long cand_id,
                         long long application_id, long long job_id,
                         struct gh_candidate_details *out, long long *picked_job_id, struct err *e)
{
    cJSON *doc = apijson_parse(buf, len);
    const cJSON *it;

    if (!cJSON_IsArray(doc)) {
        cJSON_Delete(doc);
        gh_invalid(e, b == GH_V1 ? "a candidate list that is not an array"
                                 : "an application list that is not an array");
        return -1;
    }
    cJSON_ArrayForEach(it, doc)
    {
        if (!cJSON_IsObject(it))
            continue;
        if (b == GH_V1) {
            if (apijson_id(cJSON_GetObjectItemCaseSensitive(it, "id")) != cand_id)
                continue;
            gh_copy_name(out->first, sizeof(out->first), it, "first_name");
            gh_copy_name(out->last, sizeof(out->last), it, "last_name");
            gh_v1_applications(cJSON_GetObjectItemCaseSensitive(it, "applications"), application_id,
                               job_id, out, picked_job_id);
            break;
        }
        /* v3 https://harvestdocs.greenhouse.io/reference/get_v3-applications: job_id,
         * stage_name (the job's name is a GET /v3/jobs away) */
        gh_app_seen(out, application_id, job_id,
                    apijson_id(cJSON_GetObjectItemCaseSensitive(it, "id")),
                    apijson_id(cJSON_GetObjectItemCaseSensitive(it, "job_id")), NULL,
                    gh_str(it, "stage_name"), picked_job_id);
    }
    cJSON_Delete(doc);
    return 0;
}

struct gh_details_ud {
    long long id, application_id, job_id, picked_job;
    enum gh_backend b;
    struct gh_candidate_details *out;
    int found;
};

static int gh_details_page(const char *buf, size_t len, void *ud, int *stop, struct err *e)
{
    struct gh_details_ud *u = ud;
    int before = u->found;

    if (u->b == GH_V1) {
        cJSON *doc = apijson_parse(buf, len);
        const cJSON *it, *list = cJSON_IsArray(doc) ? doc : NULL;
        cJSON_ArrayForEach(it, list)
        {
            if (apijson_id(cJSON_GetObjectItemCaseSensitive(it, "id")) == u->id)
                u->found = 1;
        }
        cJSON_Delete(doc);
    }
    if (gh_page_applications(buf, len, u->b, u->id, u->application_id, u->job_id, u->out,
                             &u->picked_job, e) != 0)
        return -1;
    if (u->b == GH_V1 && u->found && !before)
        *stop = 1;
    return 0;
}

/* v3 https://harvestdocs.greenhouse.io/reference/get_v3-jobs: GET /v3/jobs?ids= -> name. */
static int gh_job_name_page(const char *buf, size_t len, void *ud, int *stop, struct err *e)
{
    struct gh_details_ud *u = ud;
    cJSON *doc = apijson_parse(buf, len);
    const cJSON *it;

    if (!cJSON_IsArray(doc)) {
        cJSON_Delete(doc);
        gh_invalid(e, "a job list that is not an array");
        return -1;
    }
    cJSON_ArrayForEach(it, doc)
    {
        if (apijson_id(cJSON_GetObjectItemCaseSensitive(it, "id")) == u->picked_job) {
            snprintf(u->out->job, sizeof(u->out->job), "%s",
                     gh_str(it, "name") ? gh_str(it, "name") : "");
            *stop = 1;
        }
    }
    cJSON_Delete(doc);
    return 0;
}

int gh_candidate_details(struct gh_client *c, const char *candidate_id, long long application_id,
                         long long job_id, int names, struct gh_candidate_details *out,
                         struct err *e)
{
    struct gh_details_ud u;
    char url[HTTP_URL_MAX];
    long long id = gh_candidate_id(candidate_id, e);

    memset(out, 0, sizeof(*out));
    err_clear(&out->job_err);
    if (id < 0)
        return -1;
    memset(&u, 0, sizeof(u));
    u.id = id;
    u.application_id = application_id;
    u.job_id = job_id;
    u.b = c->backend;
    u.out = out;
    if (c->backend == GH_V1) /* the record List Candidates gives embeds the applications */
        return gh_read_candidate(c, candidate_id, id, gh_details_page, &u, &u.found, e);
    if (names && gh_candidate_names(c, candidate_id, out->first, sizeof(out->first), out->last,
                                    sizeof(out->last), e) != 0)
        return -1;
    /* https://harvestdocs.greenhouse.io/reference/get_v3-applications */
    if (gh_url(c, url, sizeof(url), &out->job_err, "/v3/applications?candidate_ids=%lld", id) !=
            0 ||
        gh_list(c, url, GH_OP_APPLICATIONS, "reading the candidate's applications", gh_details_page,
                &u, NULL, &out->job_err) != 0) {
        out->picked = 0;
        out->stage[0] = '\0';
        return 0;
    }
    if (out->picked && u.picked_job > 0 &&
        (gh_url(c, url, sizeof(url), &out->job_err, "/v3/jobs?ids=%lld", u.picked_job) != 0 ||
         gh_list(c, url, GH_OP_JOBS, "reading the application's job", gh_job_name_page, &u, NULL,
                 &out->job_err) != 0))
        out->job[0] = '\0';
    return 0;
}

/* ------------------------------------------------------------------ notes */

static int gh_add_note_run(struct gh_client *c, const char *candidate_id, const char *body,
                           const char *visibility, long long *note_id, struct err *e)
{
    char url[HTTP_URL_MAX];
    long long id = gh_candidate_id(candidate_id, e), uid = 0;
    cJSON *req = NULL, *doc = NULL;
    char *json = NULL;
    struct http_response r;
    int rc = -1;

    memset(&r, 0, sizeof(r));
    if (note_id)
        *note_id = 0;
    if (id < 0)
        return -1;
    if (!body || !*body || strlen(body) > GH_NOTE_BODY_MAX) {
        /* never cured by waiting: a note stopped with a reason, not retried (send.c). New notes
         * are cut well below (notetext.h); a longer one was journaled by an older version */
        err_set(e, ERR_GREENHOUSE_REJECTED,
                "the note is %s, so it is not sent to Greenhouse (the whole text is in TextUs)",
                body && *body ? "longer than 65536 bytes" : "empty");
        return -1;
    }
    if (!visibility || (strcmp(visibility, "public") != 0 && strcmp(visibility, "private") != 0 &&
                        strcmp(visibility, "admin_only") != 0)) {
        err_set(e, ERR_BAD_REQUEST, "note visibility must be public, private or admin_only");
        return -1;
    }
    if (gh_resolve_user(c, &uid, e) != 0)
        return -1;
    req = cJSON_CreateObject();
    if (!req) {
        err_set(e, ERR_INTERNAL, "out of memory");
        return -1;
    }
    if (c->backend == GH_V1) {
        /* https://developers.greenhouse.io/harvest.html#post-add-note: {user_id, body,
         * visibility} and On-Behalf-Of */
        if (gh_url(c, url, sizeof(url), e, "/v1/candidates/%lld/activity_feed/notes", id) != 0)
            goto out;
        if (!cJSON_AddNumberToObject(req, "user_id", (double)uid) ||
            !cJSON_AddStringToObject(req, "body", body) ||
            !cJSON_AddStringToObject(req, "visibility", visibility))
            goto oom;
    } else {
        /* https://harvestdocs.greenhouse.io/docs/write-endpoint-migration-guide: POST /v3/notes
         * {candidate_id, body, note_type, visibility, user_id} (the field list is from a
         * third-party client checked against Greenhouse's OpenAPI document) */
        if (gh_url(c, url, sizeof(url), e, "/v3/notes") != 0)
            goto out;
        if (!cJSON_AddNumberToObject(req, "candidate_id", (double)id) ||
            !cJSON_AddStringToObject(req, "body", body) ||
            !cJSON_AddStringToObject(req, "note_type", "NOTE") ||
            !cJSON_AddStringToObject(req, "visibility", visibility) ||
            !cJSON_AddNumberToObject(req, "user_id", (double)uid))
            goto oom;
    }
    json = cJSON_PrintUnformatted(req);
    if (!json)
        goto oom;
    /* v1: On-Behalf-Of the recruiter; v3: a token whose sub is the recruiter (user_id is
     * kept in the body too: the author the note shows) */
    if (gh_do(c, HTTP_POST, url, json, 0, uid, &r, e) != 0)
        goto out;
    if (c->backend == GH_V1 && (r.status == 404 || r.status == 410)) {
        gh_v1_404(c, (int)r.status, "adding the note", candidate_id, e);
        goto out;
    }
    if (gh_map(c, &r, GH_OP_NOTE_ADD, "adding the note", e) != 0)
        goto out;
    doc = apijson_parse(r.body, r.body_len);
    if (note_id && cJSON_IsObject(doc))
        *note_id = apijson_id(cJSON_GetObjectItemCaseSensitive(doc, "id")) > 0
                       ? apijson_id(cJSON_GetObjectItemCaseSensitive(doc, "id"))
                       : 0;
    log_msg("greenhouse: note added to candidate %lld", id);
    rc = 0;
    goto out;
oom:
    err_set(e, ERR_INTERNAL, "out of memory");
out:
    cJSON_Delete(doc);
    cJSON_free(json);
    cJSON_Delete(req);
    http_response_free(&r);
    return rc;
}

struct gh_notes_ud {
    enum gh_backend b;
    const char *marker;
    int found;
    long long note_id;
};

static int gh_notes_page(const char *buf, size_t len, void *ud, int *stop, struct err *e)
{
    struct gh_notes_ud *u = ud;

    if (gh_page_notes(buf, len, u->b, u->marker, &u->found, &u->note_id, e) != 0)
        return -1;
    if (u->found)
        *stop = 1;
    return 0;
}

static int gh_note_exists_run(struct gh_client *c, const char *candidate_id, const char *marker,
                              int *found, long long *note_id, struct err *e)
{
    char url[HTTP_URL_MAX], pp[32];
    long long id = gh_candidate_id(candidate_id, e);
    struct gh_notes_ud u;
    int s404 = 0;

    *found = 0;
    if (note_id)
        *note_id = 0;
    if (id < 0)
        return -1;
    if (!marker || !*marker) {
        err_set(e, ERR_BAD_REQUEST, "empty note marker");
        return -1;
    }
    gh_per_page(c, pp, sizeof(pp), "&");
    /* v1: https://developers.greenhouse.io/harvest.html#get-retrieve-activity-feed; v3: GET
     * /v3/notes?candidate_ids= (https://harvestdocs.greenhouse.io/docs/step-by-step-migration-
     * instructions) */
    if (c->backend == GH_V1) {
        if (gh_url(c, url, sizeof(url), e, "/v1/candidates/%lld/activity_feed", id) != 0)
            return -1;
    } else if (gh_url(c, url, sizeof(url), e, "/v3/notes?candidate_ids=%lld%s", id, pp) != 0) {
        return -1;
    }
    memset(&u, 0, sizeof(u));
    u.b = c->backend;
    u.marker = marker;
    if (gh_list(c, url, GH_OP_NOTES_READ, "reading the candidate's notes", gh_notes_page, &u,
                c->backend == GH_V1 ? &s404 : NULL, e) != 0) {
        if (s404)
            gh_v1_404(c, s404, "reading the activity feed", candidate_id, e);
        return -1;
    }
    *found = u.found;
    if (note_id)
        *note_id = u.note_id;
    return 0;
}

/*
 * A note and the look for it are work that can wait (the recruiter's SMS has gone, the outbox
 * keeps the note): their requests are paced (http_request.pace), so that while the company
 * credential's window is nearly spent they wait for its reset instead of taking the last
 * requests, and a 429 is answered at once as rate_limited with its time (plus jitter).
 */
int gh_add_note(struct gh_client *c, const char *candidate_id, const char *body,
                const char *visibility, long long *note_id, struct err *e)
{
    int rc;

    c->pacing++;
    rc = gh_add_note_run(c, candidate_id, body, visibility, note_id, e);
    c->pacing--;
    return rc;
}

int gh_note_exists(struct gh_client *c, const char *candidate_id, const char *marker, int *found,
                   long long *note_id, struct err *e)
{
    int rc;

    c->pacing++;
    rc = gh_note_exists_run(c, candidate_id, marker, found, note_id, e);
    c->pacing--;
    return rc;
}

/* ------------------------------------------------------------------ probe */

struct gh_first_ud {
    long long first_id;
};

static int gh_first_page(const char *buf, size_t len, void *ud, int *stop, struct err *e)
{
    struct gh_first_ud *u = ud;
    cJSON *doc = apijson_parse(buf, len);

    *stop = 1; /* one page is enough for a probe */
    if (cJSON_IsObject(doc) && cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(doc, "notes"))) {
        cJSON_Delete(doc); /* a v1 activity feed */
        return 0;
    }
    if (!cJSON_IsArray(doc)) {
        cJSON_Delete(doc);
        gh_invalid(e, "a list that is not an array");
        return -1;
    }
    if (cJSON_GetArraySize(doc) > 0)
        u->first_id =
            apijson_id(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(doc, 0), "id"));
    cJSON_Delete(doc);
    return 0;
}

static void gh_probe_item(struct gh_probe *p, const char *perm, enum gh_check st,
                          const struct err *why)
{
    if (p->n >= GH_PROBE_MAX)
        return;
    p->items[p->n].permission = perm;
    p->items[p->n].state = st;
    if (why)
        p->items[p->n].err = *why;
    else
        err_clear(&p->items[p->n].err);
    p->n++;
}

static void gh_probe_get(struct gh_client *c, struct gh_probe *p, enum gh_op op, const char *url,
                         long long *first_id)
{
    struct gh_first_ud u = {0};
    struct err e2;
    int s404 = 0;

    err_clear(&e2);
    if (gh_list(c, url, op, "checking a permission", gh_first_page, &u,
                c->backend == GH_V1 ? &s404 : NULL, &e2) != 0) {
        if (s404 && op == GH_OP_NOTES_READ)
            gh_v1_404(c, s404, "reading the activity feed", "(probe)", &e2);
        else if (s404)
            gh_v1_retired(&e2, s404, url);
        gh_probe_item(p, gh_permission(c->backend, op), GH_CHECK_FAILED, &e2);
        return;
    }
    if (first_id)
        *first_id = u.first_id;
    gh_probe_item(p, gh_permission(c->backend, op), GH_CHECK_OK, NULL);
}

int gh_probe(struct gh_client *c, struct gh_probe *out, struct err *e)
{
    char url[HTTP_URL_MAX];
    struct err e2;
    long long uid = 0, cand = 0;
    int i;

    memset(out, 0, sizeof(*out));
    err_clear(&e2);
    /* List Users (v1) / harvest:users:list (v3): resolving the email needs it */
    c->user_id = 0;
    if (gh_resolve_user(c, &uid, &e2) == 0) {
        out->user_id = uid;
        gh_probe_item(out, gh_permission(c->backend, GH_OP_USERS_LIST), GH_CHECK_OK, NULL);
    } else {
        gh_probe_item(out, gh_permission(c->backend, GH_OP_USERS_LIST), GH_CHECK_FAILED, &e2);
        /* a v1 401 may be this one permission (Greenhouse answers 401 for a key without
         * it): the other probes tell a missing permission from a wrong key */
        if ((e2.code == ERR_GREENHOUSE_AUTH && c->backend != GH_V1) ||
            e2.code == ERR_GREENHOUSE_V1_RETIRED || e2.code == ERR_UPSTREAM_UNAVAILABLE) {
            *e = e2; /* nothing else can work */
            return -1;
        }
    }
    if (c->backend == GH_V1) {
        /* https://developers.greenhouse.io/harvest.html#get-retrieve-user */
        if (uid > 0 && gh_url(c, url, sizeof(url), &e2, "/v1/users/%lld", uid) == 0) {
            struct http_response r;
            err_clear(&e2);
            if (gh_do(c, HTTP_GET, url, NULL, 1, 0, &r, &e2) == 0 &&
                gh_map(c, &r, GH_OP_USER_GET, "checking a permission", &e2) == 0)
                gh_probe_item(out, gh_permission(c->backend, GH_OP_USER_GET), GH_CHECK_OK, NULL);
            else
                gh_probe_item(out, gh_permission(c->backend, GH_OP_USER_GET), GH_CHECK_FAILED, &e2);
            http_response_free(&r);
        } else {
            err_set(&e2, ERR_GREENHOUSE_USER_NOT_FOUND, "not checked: the user was not found");
            gh_probe_item(out, gh_permission(c->backend, GH_OP_USER_GET), GH_CHECK_UNCHECKED, &e2);
        }
    }
    /* the List Candidates permission / harvest:candidates:list (see gh_candidate_phones) */
    if (gh_url(c, url, sizeof(url), &e2, "/%s/candidates?per_page=1",
               c->backend == GH_V1 ? "v1" : "v3") == 0)
        gh_probe_get(c, out, GH_OP_CANDIDATES, url, &cand);
    if (c->backend == GH_V1) {
        /* https://developers.greenhouse.io/harvest.html#get-retrieve-activity-feed */
        if (cand > 0 &&
            gh_url(c, url, sizeof(url), &e2, "/v1/candidates/%lld/activity_feed", cand) == 0) {
            gh_probe_get(c, out, GH_OP_NOTES_READ, url, NULL);
        } else {
            err_set(&e2, ERR_GREENHOUSE_NOT_FOUND,
                    "not checked: no candidate is visible to read an activity feed from");
            gh_probe_item(out, gh_permission(c->backend, GH_OP_NOTES_READ), GH_CHECK_UNCHECKED,
                          &e2);
        }
    } else if (gh_url(c, url, sizeof(url), &e2, "/v3/notes?per_page=1") == 0) { /* as above */
        gh_probe_get(c, out, GH_OP_NOTES_READ, url, NULL);
    }
    err_set(&e2, ERR_OK,
            "checked at the first note (adding a note cannot be probed without "
            "side effects)");
    gh_probe_item(out, gh_permission(c->backend, GH_OP_NOTE_ADD), GH_CHECK_UNCHECKED, &e2);
    if (c->backend == GH_V1 && out->items[0].state == GH_CHECK_FAILED &&
        out->items[0].err.code == ERR_GREENHOUSE_AUTH) {
        int authed = 0;
        for (i = 1; i < out->n; i++)
            authed |= out->items[i].state == GH_CHECK_OK;
        if (!authed) {
            *e = out->items[0].err; /* every request refused: the key itself */
            out->n = 1;
            return -1;
        }
        err_set(&out->items[0].err, ERR_GREENHOUSE_AUTH,
                "the Harvest API key lacks the permission \"%s\": Greenhouse answered 401 for "
                "it while other requests with the same key succeed",
                gh_permission(c->backend, GH_OP_USERS_LIST));
    }
    for (i = 0; i < out->n; i++) {
        if (out->items[i].state == GH_CHECK_FAILED && !out->items[i].optional) {
            *e = out->items[i].err;
            return -1;
        }
    }
    return 0;
}

void gh_probe_merge_fields(struct gh_client *c, struct gh_probe *out)
{
    static const struct {
        enum gh_op op;
        const char *path;
    } opt[] = {{GH_OP_APPLICATIONS, "/v3/applications?per_page=1"},
               {GH_OP_JOBS, "/v3/jobs?per_page=1"}};
    char url[HTTP_URL_MAX];
    struct err e2;
    size_t k;
    int i;

    if (c->backend != GH_V3) /* v1: in the candidate record (List Candidates, probed) */
        return;
    for (k = 0; k < TH_ARRAY_SIZE(opt); k++) {
        err_clear(&e2);
        if (gh_url(c, url, sizeof(url), &e2, "%s", opt[k].path) != 0)
            continue;
        i = out->n;
        gh_probe_get(c, out, opt[k].op, url, NULL);
        if (out->n > i)
            out->items[i].optional = 1;
    }
}

int gh_forbidden_scope(const char *message, char *scope, size_t scope_sz)
{
    const char *http = strstr(message, "(HTTP 403: ");
    const char *end, *sc, *h;
    size_t n = 0;

    if (scope_sz)
        scope[0] = '\0';
    if (!http)
        return 0;
    http += strlen("(HTTP 403: ");
    end = strstr(http, "): ");
    sc = strstr(http, "scope");
    if (!sc)
        sc = strstr(http, "Scope");
    if (!sc || (end && sc > end))
        return 0;
    h = strstr(sc, "harvest:");
    if (h && (!end || h < end)) {
        while (h[n] && (h[n] == ':' || h[n] == '_' || (h[n] >= 'a' && h[n] <= 'z')))
            n++;
        if (n < scope_sz)
            snprintf(scope, scope_sz, "%.*s", (int)n, h);
    }
    return 1;
}

/* ------------------------------------------------------------------ bulk_send's read */

struct gh_card_ud {
    long long id;
    cJSON *out;
    char *first, *last;
    size_t first_sz, last_sz;
    int found, named;
    long long job_id, picked_job;     /* the applications (det): the bulk's job, 0: none */
    struct gh_candidate_details *det; /* NULL: not asked for */
};

static int gh_card_page(const char *buf, size_t len, void *ud, int *stop, struct err *e)
{
    struct gh_card_ud *u = ud;

    if (gh_page_candidates(buf, len, u->id, u->out, &u->found, e) != 0 ||
        gh_page_candidate_name(buf, len, u->id, u->first, u->first_sz, u->last, u->last_sz,
                               &u->named, e) != 0)
        return -1;
    /* v1: the same record embeds applications[].jobs and current_stage
     * (https://developers.greenhouse.io/harvest.html#the-candidate-object): no other request */
    if (u->det && !u->det->picked && !u->det->applications &&
        gh_page_applications(buf, len, GH_V1, u->id, 0, u->job_id, u->det, &u->picked_job, e) != 0)
        return -1;
    if (u->found)
        *stop = 1;
    return 0;
}

int gh_candidate_card(struct gh_client *c, const char *candidate_id, cJSON *out_numbers,
                      char *first, size_t first_sz, char *last, size_t last_sz, long long job_id,
                      struct gh_candidate_details *det, struct err *e)
{
    struct gh_card_ud u;
    long long id = gh_candidate_id(candidate_id, e);

    first[0] = last[0] = '\0';
    if (det) {
        memset(det, 0, sizeof(*det));
        err_clear(&det->job_err);
    }
    if (id < 0)
        return -1;
    if (!cJSON_IsArray(out_numbers)) {
        err_set(e, ERR_INTERNAL, "gh_candidate_card needs an array");
        return -1;
    }
    memset(&u, 0, sizeof(u));
    u.id = id;
    u.out = out_numbers;
    u.first = first;
    u.last = last;
    u.first_sz = first_sz;
    u.last_sz = last_sz;
    u.job_id = job_id;
    u.det = c->backend == GH_V1 ? det : NULL;
    if (gh_read_candidate(c, candidate_id, id, gh_card_page, &u, &u.found, e) != 0)
        return -1;
    /* v3: the applications and the job are reads of their own, as for saved_replies */
    if (det && c->backend != GH_V1)
        return gh_candidate_details(c, candidate_id, 0, job_id, 0, det, e);
    return 0;
}
