/*
 * doctor_online — the checks of `textus-host doctor` that call TextUs and
 * Greenhouse (skipped with --offline): the TextUs token, the
 * account and its right to send; the Greenhouse credentials, the recruiter's
 * user found by email, and each permission that can be probed without side
 * effects. A service that cannot be reached is a failure (texts or notes
 * cannot work), and the finding says what doctor waited for and how long.
 * Each request is shown as a step while it runs (doctor_step_begin).
 * Called from doctor_config.c.
 * [engine]
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "doctor.h"
#include "doctor_engine.h"
#include "gh_config.h"
#include "greenhouse.h"
#include "hints.h"
#include "now.h"
#include "store.h"
#include "textus.h"

/* "waited 1.2 s for TextUs at <url> (connect timeout 10 s, whole request 30 s)" into out. */
static void doctor_online_waited(char *out, size_t outsz, const char *service, const char *url,
                                 long elapsed_ms, long connect_ms, long total_ms)
{
    snprintf(out, outsz,
             "doctor waited %ld.%ld s for %s at %s (connect timeout %ld.%ld s, whole request "
             "%ld.%ld s: settings.connect_timeout_ms, settings.timeout_ms)",
             elapsed_ms / 1000, (elapsed_ms % 1000) / 100, service, url ? url : "?",
             connect_ms / 1000, (connect_ms % 1000) / 100, total_ms / 1000,
             (total_ms % 1000) / 100);
}

static void doctor_online_textus(struct doctor *d, const struct store *s)
{
    struct textus_config tx;
    struct textus_account acct;
    struct err e;
    char holds[PATHS_MAX];

    memset(&tx, 0, sizeof(tx));
    tx.base_url = store_textus_base_url(s);
    tx.token = store_textus_token(s);
    tx.account = store_textus_account(s);
    tx.http.connect_timeout_ms = store_connect_timeout_ms(s);
    tx.http.total_timeout_ms = store_timeout_ms(s);
    tx.http.ca_file = store_ca_file(s);
    tx.http.max_retries = -1;
    long start;
    int r;
    char waited[512];

    gh_config_hold_file(&tx.http, holds, sizeof(holds));
    if (!tx.token || !tx.account)
        return; /* already reported by doctor_config */
    err_clear(&e);
    doctor_step_begin(d, "TextUs: checking the token and account \"%s\" at %s", tx.account,
                      tx.base_url);
    start = now_mono_ms();
    r = textus_verify_account(&tx, &acct, &e);
    if (r != 0) {
        const char *fix = "check your network and textus.base_url (textus-host status), then run "
                          "textus-host doctor again";
        if (e.code == ERR_TEXTUS_AUTH)
            fix = "create a new API token in TextUs (" TH_HINT_TEXTUS_TOKEN
                  "), then run textus-host configure";
        else if (e.code == ERR_TEXTUS_ACCOUNT)
            fix = "run textus-host configure with the slug of an account you belong to or "
                  "reach through the account tree (the message lists them)";
        else if (e.code == ERR_RATE_LIMITED)
            fix = "wait a minute, then run textus-host doctor again";
        if (e.code == ERR_UPSTREAM_UNAVAILABLE) {
            /* unreachable: no text can be sent, so it is a failure; say what was waited for */
            doctor_online_waited(waited, sizeof(waited), "TextUs", tx.base_url,
                                 now_mono_ms() - start, store_connect_timeout_ms(s),
                                 store_timeout_ms(s));
            doctor_add(d, "textus", DOCTOR_FAIL, DOCTOR_FAQ_SENDING, "TextUs API", fix,
                       "TextUs cannot be reached: %s; %s", e.message, waited);
        } else {
            doctor_add(d, "textus", e.code == ERR_RATE_LIMITED ? DOCTOR_WARN : DOCTOR_FAIL,
                       DOCTOR_FAQ_SENDING, "TextUs API", fix, "%.*s", err_cause_len(&e), e.message);
        }
        doctor_step_end(d);
        return;
    }
    if (acct.messaging_restricted) {
        doctor_add(d, "textus", DOCTOR_FAIL, DOCTOR_FAQ_SENDING, "TextUs account",
                   "ask your TextUs admin to complete the account's 10DLC registration",
                   "account \"%s\" is restricted from messaging: texts are refused", acct.slug);
        doctor_step_end(d);
        return;
    }
    doctor_add(d, "textus", DOCTOR_OK, 0, "TextUs API", NULL,
               "the token works and account \"%s\" (%s) can send%s%s", acct.slug, acct.name,
               acct.via[0] ? "; reached through the membership at " : "", acct.via);
    doctor_step_end(d);
}

/*
 * permission: the check is one permission (not the credentials as a whole); message: the
 * error's (a 403 that names a scope says so). No pointer to a README: a .deb install has none.
 */
static const char *doctor_online_gh_fix(enum err_code code, int permission, const char *message,
                                        char *buf, size_t bufsz)
{
    char scope[64];

    switch (code) {
    case ERR_GREENHOUSE_AUTH:
        if (permission) /* a v1 401 while other requests with the key succeed */
            return "ask your Greenhouse admin to grant the key this permission (Configure > "
                   "Dev Center > API Credential Management > edit the key)";
        return "ask your Greenhouse admin for a valid key (or client credentials) that may "
               "list and retrieve users, list candidates, read activity feeds and add notes, "
               "then run textus-host configure";
    case ERR_GREENHOUSE_USER_NOT_FOUND:
        return "run textus-host configure with the email you sign in to Greenhouse with (an "
               "active user)";
    case ERR_GREENHOUSE_V1_RETIRED:
        return "ask your Greenhouse admin for Harvest v3 client credentials (Configure > Dev "
               "Center > API Credentials > Harvest V3), then run textus-host configure";
    case ERR_GREENHOUSE_PERMISSION:
        if (message && gh_forbidden_scope(message, scope, sizeof(scope))) {
            snprintf(buf, bufsz,
                     "ask your Greenhouse admin to grant the scope %s on the Harvest v3 "
                     "credential (Configure > Dev Center > API Credentials > Manage scopes), "
                     "then run textus-host doctor again",
                     scope[0] ? scope : "named above");
            return buf;
        }
        if (message && strstr(message, "API key")) /* v1: the key may not see the record */
            return "ask your Greenhouse admin to let the API key access the record (its "
                   "permissions and the On-Behalf-Of user's access)";
        return "check that the scope is granted on the Harvest v3 credential (Configure > Dev "
               "Center > API Credentials > Manage scopes); if it is, the cause may be the "
               "token's subject, which Greenhouse's authentication guide asks to be a Site "
               "Admin on list endpoints: send textus-host doctor --report to TextUs support";
    case ERR_RATE_LIMITED:
        return "wait a minute, then run textus-host doctor again";
    default:
        return "check your network and greenhouse.base_url / greenhouse.auth_url (textus-host "
               "status), then run textus-host doctor again";
    }
}

static void doctor_online_greenhouse(struct doctor *d, const struct store *s)
{
    struct gh_config cfg;
    struct gh_config_src src;
    struct gh_client *c = NULL;
    struct gh_probe probe;
    struct err e, first;
    int i, r;
    long start;
    char waited[512], fixbuf[512];

    memset(&cfg, 0, sizeof(cfg));
    memset(&src, 0, sizeof(src));
    memset(&probe, 0, sizeof(probe));
    err_clear(&e);
    if (gh_config_from_store(&cfg, &src, &e) != 0)
        goto out; /* missing credentials are reported by doctor_config */
    cfg.http.max_retries = -1;
    if (gh_client_new(&c, &cfg, &e) != 0) {
        doctor_add(d, "greenhouse", DOCTOR_FAIL, DOCTOR_FAQ_TRACKING, "Greenhouse credentials",
                   "run textus-host configure with either the API key or the client id + secret",
                   "%s", e.message);
        goto out;
    }
    gh_config_seed_client(c, &src);
    err_clear(&first);
    doctor_step_begin(d, "Greenhouse: checking the credentials, %s's user and permissions at %s",
                      cfg.user_email ? cfg.user_email : "the recruiter", store_gh_base_url(s));
    start = now_mono_ms();
    r = gh_probe(c, &probe, &first);
    if (r != 0 && (first.code == ERR_GREENHOUSE_AUTH || first.code == ERR_GREENHOUSE_V1_RETIRED ||
                   first.code == ERR_UPSTREAM_UNAVAILABLE || first.code == ERR_RATE_LIMITED)) {
        int authed = 0;
        for (i = 0; i < probe.n; i++)
            authed |= probe.items[i].state == GH_CHECK_OK;
        if (!authed && first.code == ERR_UPSTREAM_UNAVAILABLE) {
            /* unreachable: no note can be written, so it is a failure; say what was waited for */
            doctor_online_waited(waited, sizeof(waited), "Greenhouse",
                                 store_gh_generation(s) == 3 && strstr(first.message, "/token")
                                     ? store_gh_auth_url(s)
                                     : store_gh_base_url(s),
                                 now_mono_ms() - start, store_connect_timeout_ms(s),
                                 store_timeout_ms(s));
            doctor_add(d, "greenhouse", DOCTOR_FAIL, DOCTOR_FAQ_TRACKING, "Greenhouse API",
                       doctor_online_gh_fix(first.code, 0, NULL, fixbuf, sizeof(fixbuf)),
                       "Greenhouse cannot be reached: %s; %s", first.message, waited);
            doctor_step_end(d);
            goto out;
        }
        if (!authed) {
            /* nothing else could be checked */
            doctor_add(d, "greenhouse", first.code == ERR_RATE_LIMITED ? DOCTOR_WARN : DOCTOR_FAIL,
                       DOCTOR_FAQ_TRACKING, "Greenhouse API",
                       doctor_online_gh_fix(first.code, 0, NULL, fixbuf, sizeof(fixbuf)), "%.*s",
                       err_cause_len(&first), first.message);
            doctor_step_end(d);
            goto out;
        }
    }
    gh_probe_merge_fields(c, &probe); /* optional: a warning at most */
    if (probe.user_id > 0)
        doctor_add(d, "greenhouse", DOCTOR_OK, 0, "Greenhouse user", NULL,
                   "%s is Greenhouse user %lld", cfg.user_email ? cfg.user_email : "the user",
                   probe.user_id);
    for (i = 0; i < probe.n; i++) {
        const char *perm = probe.items[i].permission;
        const struct err *pe = &probe.items[i].err;
        if (probe.items[i].state == GH_CHECK_OK)
            doctor_add(d, "greenhouse", DOCTOR_OK, 0, perm, NULL, "granted");
        else if (probe.items[i].state == GH_CHECK_UNCHECKED)
            doctor_add(d, "greenhouse", DOCTOR_INFO, 0, perm, NULL, "%s", pe->message);
        else if (probe.items[i].optional) /* only the {job}/{stage} merge fields need it */
            doctor_add(d, "greenhouse", DOCTOR_WARN, 0, perm,
                       doctor_online_gh_fix(pe->code, 1, pe->message, fixbuf, sizeof(fixbuf)),
                       "%.*s (saved replies leave {job} and {stage} as written without it)",
                       err_cause_len(pe), pe->message);
        else
            doctor_add(d, "greenhouse", DOCTOR_FAIL, DOCTOR_FAQ_TRACKING,
                       pe->code == ERR_GREENHOUSE_USER_NOT_FOUND ? "Greenhouse user" : perm,
                       doctor_online_gh_fix(pe->code, 1, pe->message, fixbuf, sizeof(fixbuf)),
                       "%.*s", err_cause_len(pe), pe->message);
    }
    doctor_step_end(d);
out:
    gh_client_free(c);
    gh_config_release(&cfg, &src);
}

void doctor_online_checks(struct doctor *d, const struct store *s)
{
    doctor_online_textus(d, s);
    doctor_online_greenhouse(d, s);
}
