/*
 * verify — online verification of a configuration before `configure` saves it
 * (see verify.h). Uses the API clients, never libcurl directly.
 * [engine]
 */
#include "verify.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "config.h"
#include "gh_config.h"
#include "greenhouse.h"
#include "hints.h"
#include "log.h"
#include "now.h"
#include "paths.h"
#include "textus.h"

/* Verification is interactive: one retry at most, and a short budget. */
#define VERIFY_RETRIES   1
#define VERIFY_BUDGET_MS 15000L

#define VERIFY_ADD_NOTE_MSG                                                                        \
    "checked at the first note (adding a note cannot be probed without side effects)"

/* What a verification learnt that is worth caching once saved: the Greenhouse client, with
 * the user id it resolved and the v3 token it obtained (gh_config_cache_save). */
struct verify_cache {
    struct gh_client *client;
    char holds[PATHS_MAX]; /* the Retry-After hold file of the http options */
};

/* ---- the checklist ---------------------------------------------------------- */

static struct verify_check *verify_add(struct verify_report *r, const char *check,
                                       enum verify_status st, enum err_code code, const char *msg)
{
    struct verify_check *c;

    if (r->n >= VERIFY_MAX_CHECKS)
        return NULL;
    c = &r->checks[r->n++];
    memset(c, 0, sizeof(*c));
    c->check = check;
    c->status = st;
    c->code = st == VERIFY_FAIL ? code : ERR_OK;
    snprintf(c->message, sizeof(c->message), "%s", msg ? msg : "");
    if (st == VERIFY_FAIL)
        r->failed++;
    return c;
}

/* One line saying what to do about a failure; asked: in the words of configure's questions,
 * for a session that asks them again (VERIFY_ASKED). */
static void verify_fix(struct verify_check *c, int v3, const char *perm, int asked)
{
    const char *fix;
    const char *again = asked ? "" : " and run `textus-host configure` again";

    switch (c->code) {
    case ERR_TEXTUS_AUTH:
        fix = asked ? "create a new API token in TextUs (" TH_HINT_TEXTUS_TOKEN ") and give it "
                      "as the TextUs API token"
                    : "create a new API token in TextUs (" TH_HINT_TEXTUS_TOKEN ") and run "
                      "`textus-host configure` with it";
        break;
    case ERR_TEXTUS_ACCOUNT:
        fix = asked ? "give as the TextUs account slug an account the token's user belongs to "
                      "or reaches through the account tree (the message names its accounts), "
                      "or use a token of a member of that account or of one above it"
                    : "set textus.account to the slug of an account the token's user belongs "
                      "to or reaches through the account tree (the message names its "
                      "accounts), or use a token of a member of that account or of one above it";
        break;
    case ERR_GREENHOUSE_AUTH:
        if (perm && !v3) {
            /* a permission check answered 401 while the key itself was accepted elsewhere:
             * Greenhouse answers 401 for a missing permission too (harvest.html#errors) */
            snprintf(c->fix, sizeof(c->fix),
                     "grant the Harvest API key the permission \"%s\" (Configure > Dev Center > "
                     "API Credential Management > edit the key)",
                     perm);
            return;
        }
        if (asked)
            fix = v3 ? "check the Harvest v3 client id and client secret (Greenhouse: Configure "
                       "> Dev Center > API Credentials)"
                     : "check the Harvest v1 API key and its permissions (Greenhouse: Configure "
                       "> Dev Center > API Credential Management)";
        else
            fix = v3 ? "check greenhouse.client_id and client_secret (Greenhouse: Configure > "
                       "Dev Center > API Credentials) and run `textus-host configure` again"
                     : "check greenhouse.api_key and its permissions (Greenhouse: Configure > "
                       "Dev Center > API Credential Management) and run `textus-host configure` "
                       "again";
        break;
    case ERR_GREENHOUSE_V1_RETIRED:
        fix = asked ? "create Harvest v3 credentials (Configure > Dev Center > API Credentials "
                      "> Harvest V3), answer v3 and give their client id and client secret"
                    : "create Harvest v3 credentials (Configure > Dev Center > API Credentials "
                      "> Harvest V3) and configure greenhouse.client_id + client_secret";
        break;
    case ERR_GREENHOUSE_USER_NOT_FOUND:
        if (asked)
            fix = strstr(c->message, "disabled")
                      ? "ask a Greenhouse admin to re-enable the user, or give the sign-in email "
                        "of an enabled user as your Greenhouse sign-in email"
                      : "give the address you sign in to Greenhouse with as your Greenhouse "
                        "sign-in email";
        else
            fix = strstr(c->message, "disabled")
                      ? "ask a Greenhouse admin to re-enable the user, or configure the sign-in "
                        "email of an enabled user (greenhouse.email)"
                      : "set greenhouse.email to the address you sign in to Greenhouse with";
        break;
    case ERR_GREENHOUSE_PERMISSION:
        /* 403: "You don't have access to that record" (harvest.html#errors) */
        if (v3) {
            char named[64];
            if (gh_forbidden_scope(c->message, named, sizeof(named)))
                snprintf(c->fix, sizeof(c->fix),
                         "grant the scope %s on the Harvest v3 credential (Greenhouse: Configure "
                         "> Dev Center > API Credentials > Manage scopes)%s",
                         named[0] ? named
                         : perm   ? perm
                                  : "Greenhouse named",
                         again);
            else
                snprintf(c->fix, sizeof(c->fix),
                         "check that the scope %s is granted on the Harvest v3 credential "
                         "(Configure > Dev Center > API Credentials > Manage scopes); if it is, "
                         "the cause may be the token's subject, which Greenhouse's "
                         "authentication guide asks to be a Site Admin on list endpoints: send "
                         "`textus-host doctor --report` to TextUs support",
                         perm ? perm : "named above");
        } else {
            snprintf(c->fix, sizeof(c->fix),
                     "Greenhouse refused access to the record (403): ask a Greenhouse admin to "
                     "let the API key access it (\"%s\"), or to check the key's restrictions",
                     perm ? perm : "named above");
        }
        return;
    case ERR_RATE_LIMITED:
        fix = asked ? "the service is rate-limiting these credentials: wait a minute, then check "
                      "again"
                    : "the service is rate-limiting these credentials: wait a minute and run "
                      "`textus-host configure` again";
        break;
    case ERR_UPSTREAM_UNAVAILABLE:
        fix = asked ? "check the network connection (and, if your admin set them, the service "
                      "address and certificate file), then check again"
                    : "check the network connection, the service URL (base_url) and "
                      "settings.ca_file, then run `textus-host configure` again";
        break;
    case ERR_INVALID_CONFIG:
    case ERR_BAD_REQUEST:
        fix = asked ? "correct the answer named in the message"
                    : "correct the value named in the message with `textus-host configure`";
        break;
    default:
        fix = asked ? "check that the service address your admin set is the real service; if "
                      "it persists, report it"
                    : "check that the configured URL is the real service, then run `textus-host "
                      "configure` again; if it persists, report it";
        break;
    }
    snprintf(c->fix, sizeof(c->fix), "%s", fix);
}

static void verify_fail(struct verify_report *r, const char *check, const struct err *why, int v3,
                        const char *perm)
{
    struct verify_check *c;
    char cause[ERR_MESSAGE_MAX];

    /* the check has its own fix line: the message ends at the cause (error.h) */
    snprintf(cause, sizeof(cause), "%.*s", err_cause_len(why), why->message);
    c = verify_add(r, check, VERIFY_FAIL, why->code, cause);

    if (c)
        verify_fix(c, v3, perm, r->asked);
}

/* ---- reading the merged document ---------------------------------------------- */

static const char *verify_str(const cJSON *doc, const char *sec, const char *name)
{
    const cJSON *v =
        cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(doc, sec), name);

    return cJSON_IsString(v) && v->valuestring[0] ? v->valuestring : NULL;
}

static long verify_num(const cJSON *doc, const char *name, long dflt)
{
    const cJSON *v =
        cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(doc, "settings"), name);

    return cJSON_IsNumber(v) && v->valuedouble > 0 ? (long)v->valuedouble : dflt;
}

static void verify_http_opts(const cJSON *doc, struct http_opts *o, struct verify_cache *cache)
{
    memset(o, 0, sizeof(*o));
    /* The rate-limit state shared by the computer's hosts (holds, windows) lives in the state
     * folder: a first configure, which saves nothing until every check passed, shares none of
     * it, so that a refused one leaves nothing behind (issue O item 11). */
    if (paths_store_exists())
        gh_config_hold_file(o, cache->holds, sizeof(cache->holds));
    o->ca_file = verify_str(doc, "settings", "ca_file");
    o->connect_timeout_ms = verify_num(doc, "connect_timeout_ms", STORE_DEFAULT_CONNECT_TIMEOUT_MS);
    o->total_timeout_ms = verify_num(doc, "timeout_ms", STORE_DEFAULT_TIMEOUT_MS);
    o->max_retries = VERIFY_RETRIES;
    o->retry_budget_ms = VERIFY_BUDGET_MS;
}

/* ---- TextUs ------------------------------------------------------------------- */

static void verify_textus(const cJSON *doc, struct verify_report *r, struct verify_cache *cache)
{
    struct textus_config tc;
    struct textus_account acct;
    struct err e;
    char msg[ERR_MESSAGE_MAX];
    cJSON *arr;

    memset(&tc, 0, sizeof(tc));
    tc.base_url = verify_str(doc, "textus", "base_url");
    tc.token = verify_str(doc, "textus", "token");
    tc.account = verify_str(doc, "textus", "account");
    verify_http_opts(doc, &tc.http, cache);
    err_clear(&e);
    if (!tc.token) {
        verify_add(r, "TextUs token", VERIFY_UNCHECKED, ERR_OK,
                   r->asked ? "not given yet" : "not configured yet (textus.token)");
        verify_add(r, "TextUs account", VERIFY_UNCHECKED, ERR_OK,
                   tc.account ? "not checked: no TextUs token is configured"
                   : r->asked ? "not given yet"
                              : "not configured yet (textus.account)");
        return;
    }
    if (!tc.account) {
        /* the token alone can still be checked */
        arr = cJSON_CreateArray();
        if (arr && textus_list_accounts(&tc, arr, &e) == 0) {
            verify_add(r, "TextUs token", VERIFY_OK, ERR_OK, "accepted by TextUs");
        } else {
            if (!arr)
                err_set(&e, ERR_INTERNAL, "out of memory");
            verify_fail(r, "TextUs token", &e, 0, NULL);
        }
        cJSON_Delete(arr);
        verify_add(r, "TextUs account", VERIFY_UNCHECKED, ERR_OK,
                   r->asked ? "not given yet" : "not configured yet (textus.account)");
        return;
    }
    if (textus_verify_account(&tc, &acct, &e) == 0) {
        verify_add(r, "TextUs token", VERIFY_OK, ERR_OK, "accepted by TextUs");
        snprintf(msg, sizeof(msg), "%.64s (%.120s)%s%.64s%s%s", acct.slug, acct.name,
                 acct.via[0] ? ", reached through the membership at " : "", acct.via,
                 acct.via[0] ? " (an account of its tree)" : "",
                 acct.messaging_restricted
                     ? "; note: messaging is restricted on this account (not 10DLC registered), "
                       "TextUs will refuse sends until it is registered"
                     : "");
        verify_add(r, "TextUs account", VERIFY_OK, ERR_OK, msg);
    } else if (e.code == ERR_TEXTUS_ACCOUNT) {
        verify_add(r, "TextUs token", VERIFY_OK, ERR_OK, "accepted by TextUs");
        verify_fail(r, "TextUs account", &e, 0, NULL);
    } else {
        verify_fail(r, "TextUs token", &e, 0, NULL);
        verify_add(r, "TextUs account", VERIFY_UNCHECKED, ERR_OK,
                   "not checked: the token could not be verified");
    }
    sodium_memzero(&tc, sizeof(tc));
}

/* ---- Greenhouse ----------------------------------------------------------------- */

struct verify_perm {
    const char *probe; /* the permission string gh_probe reports */
    const char *label; /* the check's name */
};

static const struct verify_perm verify_perms_v1[] = {
    {"Users: GET: List Users", "Users: List Users"},
    {"Users: GET: Retrieve User", "Users: Retrieve User"},
    {"Candidates: GET: List Candidates", "Candidates: List Candidates"},
    {"Activity Feed", "Activity Feed"},
    {"Candidates: POST: Add Note", "Candidates: Add Note"},
    {NULL, NULL},
};

static const struct verify_perm verify_perms_v3[] = {
    {"harvest:users:list", "Users: List Users (harvest:users:list)"},
    {"harvest:candidates:list", "Candidates: List Candidates (harvest:candidates:list)"},
    {"harvest:notes:list", "Activity Feed (harvest:notes:list)"},
    {"harvest:notes:create", "Candidates: Add Note (harvest:notes:create)"},
    {NULL, NULL},
};

static void verify_gh_unconfigured(struct verify_report *r, const char *why)
{
    verify_add(r, "Greenhouse credentials", VERIFY_UNCHECKED, ERR_OK, why);
    verify_add(r, "Greenhouse user", VERIFY_UNCHECKED, ERR_OK, why);
}

/* Did any request get past authentication? */
static int verify_gh_authenticated(const struct gh_probe *p)
{
    int i;

    for (i = 0; i < p->n; i++) {
        if (p->items[i].state == GH_CHECK_OK)
            return 1;
        if (p->items[i].state == GH_CHECK_FAILED &&
            (p->items[i].err.code == ERR_GREENHOUSE_USER_NOT_FOUND ||
             p->items[i].err.code == ERR_GREENHOUSE_PERMISSION))
            return 1;
    }
    return 0;
}

static void verify_greenhouse(const cJSON *doc, struct verify_report *r, struct verify_cache *cache)
{
    struct gh_config cfg;
    struct gh_client *c = NULL;
    struct gh_probe probe;
    struct err e, fatal;
    const struct verify_perm *perms;
    struct verify_check *notice;
    const char *cred_check, *email;
    char msg[ERR_MESSAGE_MAX];
    int v3, i, j, early = 0, retired = 0;

    memset(&cfg, 0, sizeof(cfg));
    memset(&probe, 0, sizeof(probe));
    err_clear(&e);
    err_clear(&fatal);
    cfg.base_url = verify_str(doc, "greenhouse", "base_url");
    cfg.auth_url = verify_str(doc, "greenhouse", "auth_url");
    cfg.api_key = verify_str(doc, "greenhouse", "api_key");
    cfg.client_id = verify_str(doc, "greenhouse", "client_id");
    cfg.client_secret = verify_str(doc, "greenhouse", "client_secret");
    email = verify_str(doc, "greenhouse", "email");
    cfg.user_email = email;
    verify_http_opts(doc, &cfg.http, cache);
    v3 = cfg.client_id && cfg.client_secret;
    if (!v3 && !cfg.api_key) {
        verify_gh_unconfigured(
            r, r->asked ? "not given yet (the Harvest client id and secret, or a v1 API key)"
                        : "not configured yet (greenhouse.api_key, or client_id + client_secret)");
        goto out;
    }
    if (v3)
        cfg.api_key = NULL;
    cred_check = v3 ? "Greenhouse credentials (Harvest v3 client credentials)"
                    : "Greenhouse credentials (Harvest v1 API key)";
    perms = v3 ? verify_perms_v3 : verify_perms_v1;
    if (gh_client_new(&c, &cfg, &e) != 0) {
        verify_fail(r, cred_check, &e, v3, NULL);
        verify_add(r, "Greenhouse user", VERIFY_UNCHECKED, ERR_OK,
                   "not checked: the credentials are unusable");
        goto out;
    }
    if (gh_probe(c, &probe, &fatal) != 0 && probe.n == 1 &&
        (fatal.code == ERR_GREENHOUSE_AUTH || fatal.code == ERR_GREENHOUSE_V1_RETIRED ||
         fatal.code == ERR_UPSTREAM_UNAVAILABLE))
        early = 1; /* gh_probe stopped: nothing else could work */
    for (i = 0; i < probe.n; i++) {
        if (probe.items[i].state == GH_CHECK_FAILED &&
            probe.items[i].err.code == ERR_GREENHOUSE_V1_RETIRED && !retired) {
            retired = 1;
            fatal = probe.items[i].err;
        }
    }
    /* credentials */
    if (retired) {
        verify_add(r, cred_check, VERIFY_UNCHECKED, ERR_OK,
                   "not checked: Harvest v1 no longer answers");
    } else if (early) {
        verify_fail(r, cred_check, &fatal, v3, NULL);
    } else if (verify_gh_authenticated(&probe)) {
        verify_add(r, cred_check, VERIFY_OK, ERR_OK,
                   v3 ? "a Harvest v3 access token was issued and accepted"
                      : "the Harvest API key was accepted");
    } else {
        verify_add(r, cred_check, VERIFY_UNCHECKED, ERR_OK,
                   "not confirmed: no Greenhouse request got an answer (see below)");
    }
    /* the v1 retirement notice */
    if (!v3) {
        if (retired)
            verify_fail(r, "Harvest v1 retirement", &fatal, 0, NULL);
        else if ((notice = verify_add(r, "Harvest v1 retirement", VERIFY_WARN, ERR_OK,
                                      "Harvest v1 still answers, but " CONFIG_V1_NOTICE)))
            snprintf(notice->fix, sizeof(notice->fix),
                     "create Harvest v3 credentials (Configure > Dev Center > API Credentials > "
                     "Harvest V3) and %s",
                     r->asked ? "answer v3 with their client id and client secret"
                              : "configure greenhouse.client_id + client_secret");
    }
    /* the user */
    if (probe.user_id > 0) {
        snprintf(msg, sizeof(msg), "%s is Greenhouse user %lld (enabled)", email, probe.user_id);
        verify_add(r, "Greenhouse user", VERIFY_OK, ERR_OK, msg);
    } else if (probe.n > 0 && probe.items[0].state == GH_CHECK_FAILED &&
               probe.items[0].err.code == ERR_GREENHOUSE_USER_NOT_FOUND) {
        verify_fail(r, "Greenhouse user", &probe.items[0].err, v3, NULL);
    } else if (!email) {
        verify_add(r, "Greenhouse user", VERIFY_UNCHECKED, ERR_OK,
                   r->asked ? "not given yet" : "not configured yet (greenhouse.email)");
    } else {
        verify_add(r, "Greenhouse user", VERIFY_UNCHECKED, ERR_OK,
                   "not checked: the user list could not be read");
    }
    /* the permissions, in a fixed order */
    for (j = 0; perms[j].probe; j++) {
        const struct err *why = NULL;
        enum gh_check st = GH_CHECK_UNCHECKED;
        int found = 0;
        for (i = 0; i < probe.n; i++) {
            if (strcmp(probe.items[i].permission, perms[j].probe) == 0) {
                st = probe.items[i].state;
                why = &probe.items[i].err;
                found = 1;
                break;
            }
        }
        if (strstr(perms[j].label, "Add Note")) {
            verify_add(r, perms[j].label, VERIFY_UNCHECKED, ERR_OK, VERIFY_ADD_NOTE_MSG);
        } else if (!found) {
            verify_add(r, perms[j].label, VERIFY_UNCHECKED, ERR_OK,
                       retired ? "not checked: Harvest v1 no longer answers"
                               : "not checked: the credentials could not be verified");
        } else if (st == GH_CHECK_OK ||
                   (st == GH_CHECK_FAILED && why->code == ERR_GREENHOUSE_USER_NOT_FOUND)) {
            /* the user list was read; only the user was missing */
            verify_add(r, perms[j].label, VERIFY_OK, ERR_OK, "granted");
        } else if (st == GH_CHECK_FAILED && (why->code == ERR_GREENHOUSE_V1_RETIRED ||
                                             why->code == ERR_NOT_CONFIGURED || early)) {
            verify_add(r, perms[j].label, VERIFY_UNCHECKED, ERR_OK,
                       why->code != ERR_NOT_CONFIGURED ? "not checked: see the credentials check"
                       : r->asked ? "not checked: no Greenhouse sign-in email is given"
                                  : "not checked: no greenhouse.email is configured");
        } else if (st == GH_CHECK_FAILED) {
            verify_fail(r, perms[j].label, why, v3, perms[j].probe);
        } else {
            verify_add(r, perms[j].label, VERIFY_UNCHECKED, ERR_OK, why->message);
        }
    }
    cache->client = c; /* cached once the configuration is saved */
    c = NULL;
out:
    gh_client_free(c);
    sodium_memzero(&cfg, sizeof(cfg));
}

/* ---- the steps, as a person sees them ------------------------------------------- */

/* The host[:port] of a URL ("https://h:1/x" -> "h:1"), for saying what is waited for. */
static void verify_host_of(char *out, size_t outsz, const char *url)
{
    const char *p = strstr(url, "://");
    size_t n;

    p = p ? p + 3 : url;
    n = strcspn(p, "/?#");
    snprintf(out, outsz, "%.*s", (int)(n > 255 ? 255 : n), p);
}

static void verify_step_init(struct verify_step *st, const char *service, const char *what,
                             const cJSON *doc, int online)
{
    char a[260], b[260];

    memset(st, 0, sizeof(*st));
    st->service = service;
    st->what = what;
    st->online = online;
    st->connect_timeout_ms =
        verify_num(doc, "connect_timeout_ms", STORE_DEFAULT_CONNECT_TIMEOUT_MS);
    st->timeout_ms = verify_num(doc, "timeout_ms", STORE_DEFAULT_TIMEOUT_MS);
    if (strcmp(service, "TextUs") == 0) {
        const char *u = verify_str(doc, "textus", "base_url");
        verify_host_of(st->host, sizeof(st->host), u ? u : ENDPOINT_TEXTUS_BASE_URL);
        return;
    }
    {
        const char *u = verify_str(doc, "greenhouse", "base_url");
        verify_host_of(a, sizeof(a), u ? u : ENDPOINT_GH_BASE_URL);
    }
    if (verify_str(doc, "greenhouse", "client_id") &&
        verify_str(doc, "greenhouse", "client_secret")) {
        const char *u = verify_str(doc, "greenhouse", "auth_url");
        verify_host_of(b, sizeof(b), u ? u : ENDPOINT_GH_AUTH_URL);
        if (strcmp(a, b) != 0) {
            snprintf(st->host, sizeof(st->host), "%s (token) and %s", b, a);
            return;
        }
    }
    snprintf(st->host, sizeof(st->host), "%s", a);
}

static void verify_step_begin(const struct verify_progress *p, struct verify_step *st,
                              const struct verify_report *r)
{
    st->first = r->n;
    st->start_ms = now_mono_ms();
    if (st->online && p && p->begin)
        p->begin(p->ctx, st);
}

/* A check that could not reach its service says for how long it waited, and for which host. */
static void verify_step_end(const struct verify_progress *p, struct verify_step *st,
                            struct verify_report *r)
{
    int i;

    st->count = r->n - st->first;
    st->elapsed_ms = now_mono_ms() - st->start_ms;
    for (i = st->first; st->online && i < r->n; i++) {
        struct verify_check *c = &r->checks[i];
        size_t len = strlen(c->message);
        if (c->status != VERIFY_FAIL ||
            (c->code != ERR_UPSTREAM_UNAVAILABLE && c->code != ERR_RATE_LIMITED))
            continue;
        snprintf(c->message + len, sizeof(c->message) - len,
                 "; waited %ld.%ld s in all for %s (timeouts: connect %ld ms, request %ld ms%s)",
                 st->elapsed_ms / 1000, (st->elapsed_ms % 1000) / 100, st->host,
                 st->connect_timeout_ms, st->timeout_ms,
                 r->asked ? "" : "; settings.connect_timeout_ms, settings.timeout_ms");
    }
    if (p && p->end)
        p->end(p->ctx, st, r);
}

/* ---- the flow ------------------------------------------------------------------ */

static void verify_document(const cJSON *doc, struct verify_report *r, struct verify_cache *cache,
                            const struct verify_progress *p)
{
    struct verify_step st;
    int v3 = verify_str(doc, "greenhouse", "client_id") &&
             verify_str(doc, "greenhouse", "client_secret");

    verify_step_init(&st, "TextUs", "the token and the account", doc,
                     verify_str(doc, "textus", "token") != NULL);
    verify_step_begin(p, &st, r);
    verify_textus(doc, r, cache);
    verify_step_end(p, &st, r);
    verify_step_init(&st, "Greenhouse", "the credentials, your user and the permissions", doc,
                     v3 || verify_str(doc, "greenhouse", "api_key"));
    verify_step_begin(p, &st, r);
    verify_greenhouse(doc, r, cache);
    verify_step_end(p, &st, r);
    log_msg("configure: verification done, %d check(s), %d failed", r->n, r->failed);
}

void verify_report_release(struct verify_report *r)
{
    if (r) {
        cJSON_Delete(r->changes);
        r->changes = NULL;
    }
}

int verify_configure(const cJSON *patch, int from_extension, int flags,
                     const struct verify_progress *progress, struct verify_report *report,
                     struct store **out, struct err *e)
{
    struct verify_cache cache;
    cJSON *merged = NULL;
    int rc = -1;

    memset(report, 0, sizeof(*report));
    report->asked = (flags & VERIFY_ASKED) != 0;
    memset(&cache, 0, sizeof(cache));
    if (out)
        *out = NULL;
    if (config_preview(patch, from_extension, &merged, &report->changes, e) != 0)
        return -1;
    verify_document(merged, report, &cache, progress);
    if ((flags & VERIFY_DRY_RUN) || (report->failed > 0 && !(flags & VERIFY_SAVE_ANYWAY))) {
        rc = 0;
        goto done;
    }
    /* what is saved must be what was verified (another process may have written since) */
    cJSON_Delete(report->changes);
    report->changes = NULL;
    if (config_apply_ex(patch, from_extension, merged, out, &report->changes, e) != 0)
        goto done;
    report->saved = 1;
    rc = 0;
    {
        struct err ce;
        int cached = 0;
        err_clear(&ce);
        /* under the store's lock, and only if what was saved is still there */
        if (cache.client) {
            cached = gh_config_cache_save(cache.client, &ce);
            if (cached < 0) {
                report->cache_failed = 1;
                log_msg("configure: could not cache the Greenhouse user id and token: %s",
                        err_code_name(ce.code));
            }
        }
        if (cached > 0 && out && *out) {
            /* hand back a store that shows the cached values */
            struct store *fresh = NULL;
            if (store_load(&fresh, &ce) == 0) {
                store_free(*out);
                *out = fresh;
            }
        }
    }
done:
    gh_client_free(cache.client); /* wipes its tokens */
    if (merged) {
        store_json_wipe(merged);
        cJSON_Delete(merged);
    }
    return rc;
}

/* ---- presenting ------------------------------------------------------------------ */

cJSON *verify_report_json(const struct verify_report *r)
{
    cJSON *arr = cJSON_CreateArray(), *it;
    int i;

    if (!arr)
        return NULL;
    for (i = 0; i < r->n; i++) {
        const struct verify_check *c = &r->checks[i];
        it = cJSON_CreateObject();
        if (!it || !cJSON_AddItemToArray(arr, it)) {
            cJSON_Delete(it);
            cJSON_Delete(arr);
            return NULL;
        }
        cJSON_AddStringToObject(it, "check", c->check);
        cJSON_AddStringToObject(it, "status",
                                c->status == VERIFY_OK     ? "ok"
                                : c->status == VERIFY_FAIL ? "fail"
                                : c->status == VERIFY_WARN ? "warn"
                                                           : "unchecked");
        cJSON_AddStringToObject(it, "message", c->message);
        if (c->status == VERIFY_FAIL) {
            cJSON_AddStringToObject(it, "fix", c->fix);
            cJSON_AddStringToObject(it, "code", err_code_name(c->code));
        } else if (c->status == VERIFY_WARN) {
            cJSON_AddStringToObject(it, "fix", c->fix);
            cJSON_AddNullToObject(it, "code");
        } else {
            cJSON_AddNullToObject(it, "fix");
            cJSON_AddNullToObject(it, "code");
        }
    }
    return arr;
}

void verify_report_summary(char *out, size_t outsz, const struct verify_report *r)
{
    size_t o;
    int i, n, shown = 0;

    n = snprintf(out, outsz, "online verification failed (%d of %d checks)%s:", r->failed, r->n,
                 r->saved ? "; saved anyway" : "; nothing was saved");
    if (n < 0 || (size_t)n >= outsz)
        return;
    o = (size_t)n;
    for (i = 0; i < r->n; i++) {
        const struct verify_check *c = &r->checks[i];
        char item[ERR_MESSAGE_MAX];
        int k;
        if (c->status != VERIFY_FAIL)
            continue;
        k = snprintf(item, sizeof(item), "%s FAIL %s (%s): fix: %s", shown ? ";" : "", c->check,
                     err_code_name(c->code), c->fix);
        /* keep room for the "(+N more)" tail */
        if (k < 0 || o + (size_t)k + 16 >= outsz)
            break;
        memcpy(out + o, item, (size_t)k + 1);
        o += (size_t)k;
        shown++;
    }
    if (shown < r->failed)
        snprintf(out + o, outsz - o, " (+%d more)", r->failed - shown);
}
