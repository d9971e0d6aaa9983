/*
 * doctor_config — the configuration half of `textus-host doctor`
 * (reached through the engine's API table from cli_doctor.c): permissions of the
 * state folders and files, the credential store, the TextUs and Greenhouse credentials and
 * settings; plus the secret scrubber of the support report. Findings go
 * through doctor_add() (core). Secrets are only ever compared, never printed.
 * [engine]
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "allowlist.h"
#include "common.h"
#include "config.h"
#include "doctor.h"
#include "doctor_engine.h"
#include "engine_entry.h"
#include "hints.h"
#include "os.h"
#include "paths.h"
#include "store.h"
#include "term.h"

/* One state folder whose permissions passed: owner-only, or not created yet. */
static void doctor_config_folder(struct doctor *d, const char *subject, const char *dir)
{
    struct os_stat st;

    if (os_stat(&st, dir, 1) != 0 && errno == ENOENT) {
        char self[PATHS_MAX + 32];
        term_self_command(self, sizeof(self), "configure");
        doctor_add(d, "config", DOCTOR_INFO, 0, subject, NULL,
                   "%s: not created yet (%s creates it)", dir, self);
    } else
        doctor_add(d, "config", DOCTOR_OK, 0, subject, NULL, "%s: owner-only permissions", dir);
}

static void doctor_config_perms(struct doctor *d, const struct paths *p)
{
    const struct {
        const char *path;
        int is_dir;
    } items[] = {{p->config_dir, 1}, {p->data_dir, 1}, {p->store, 0}, {p->key, 0},
                 {p->settings, 0},   {p->outbox, 0},   {p->log, 0}};
    char desc[PATHS_MAX + 128];
    size_t i;
    int ok, bad = 0;

    for (i = 0; i < TH_ARRAY_SIZE(items); i++) {
        paths_describe(items[i].path, items[i].is_dir, desc, sizeof(desc), &ok);
        if (ok)
            continue;
        bad++;
        doctor_add(d, "config", DOCTOR_FAIL, DOCTOR_FAQ_SENDING | DOCTOR_FAQ_TRACKING,
                   items[i].path,
                   strstr(desc, "fix it with: ") ? strstr(desc, "fix it with: ") + 13 : desc,
                   "%s: the host refuses state that other users can read", desc);
    }
    if (bad)
        return;
    /* a folder that is not there has no permissions to praise: say so instead */
    if (strcmp(p->config_dir, p->data_dir) == 0) {
        doctor_config_folder(d, "state folder", p->config_dir);
        return;
    }
    doctor_config_folder(d, "config folder", p->config_dir);
    doctor_config_folder(d, "data folder", p->data_dir);
}

static void doctor_config_store_error(struct doctor *d, const struct paths *p, const struct err *e)
{
    char fix[2 * PATHS_MAX + 160];
    const char *fixed;
    const int faq = DOCTOR_FAQ_SENDING | DOCTOR_FAQ_TRACKING;

    switch (e->code) {
    case ERR_NOT_CONFIGURED:
        doctor_add(d, "config", DOCTOR_FAIL, faq, "credentials",
                   "run textus-host configure (or use the extension's options page)",
                   "nothing is configured yet: no TextUs token, no Greenhouse credentials");
        return;
    case ERR_STORE_CORRUPT:
        snprintf(fix, sizeof(fix), "move %s aside, then run textus-host configure again", p->store);
        doctor_add(d, "config", DOCTOR_FAIL, faq, p->store, fix, "%.*s", err_cause_len(e),
                   e->message);
        return;
    case ERR_STORE_KEY_MISMATCH:
        snprintf(fix, sizeof(fix),
                 "restore %s from a backup, or move %s aside and run textus-host configure", p->key,
                 p->store);
        doctor_add(d, "config", DOCTOR_FAIL, faq, p->store, fix, "%.*s", err_cause_len(e),
                   e->message);
        return;
    case ERR_STORE_PERMISSIONS:
        /* the command the message ends with is the fix line; the message, the cause */
        fixed = strstr(e->message + err_cause_len(e), "fix it with: ");
        doctor_add(d, "config", DOCTOR_FAIL, faq, p->store,
                   fixed ? fixed + strlen("fix it with: ") : "make the file readable by you only",
                   "%.*s", err_cause_len(e), e->message);
        return;
    default:
        doctor_add(d, "config", DOCTOR_FAIL, faq, p->store,
                   "check the disk and the folder, then run textus-host doctor again", "%s",
                   e->message);
        return;
    }
}

static void doctor_config_credentials(struct doctor *d, const struct store *s)
{
    const char *tok = store_textus_token(s), *acct = store_textus_account(s);
    const char *email = store_gh_email(s);
    int gen = store_gh_generation(s);

    if (!tok || !*tok || !acct || !*acct)
        doctor_add(d, "textus", DOCTOR_FAIL, DOCTOR_FAQ_SENDING, "TextUs credentials",
                   "create a TextUs API token (" TH_HINT_TEXTUS_TOKEN
                   "), then run textus-host configure with it and your account slug",
                   "the TextUs %s%s%s missing: no text can be sent", (!tok || !*tok) ? "token" : "",
                   (!tok || !*tok) && (!acct || !*acct) ? " and account are" : "",
                   (!tok || !*tok) && (!acct || !*acct) ? "" : " is");
    else
        doctor_add(d, "textus", DOCTOR_OK, 0, "TextUs credentials", NULL,
                   "token set, account \"%s\", API %s", acct, store_textus_base_url(s));

    if (!email || !*email || gen == 0) {
        doctor_add(d, "greenhouse", DOCTOR_FAIL, DOCTOR_FAQ_TRACKING, "Greenhouse credentials",
                   "run textus-host configure with your Greenhouse sign-in email and the API key "
                   "(or v3 client id + secret) from your Greenhouse admin",
                   "the Greenhouse %s missing: texts are sent but not logged in Greenhouse",
                   (!email || !*email) ? (gen == 0 ? "email and credentials are" : "email is")
                                       : "credentials are");
    } else {
        doctor_add(d, "greenhouse", DOCTOR_OK, 0, "Greenhouse credentials", NULL,
                   "%s for %s, API %s",
                   gen == 3 ? "Harvest v3 client credentials" : "Harvest v1 API key", email,
                   store_gh_base_url(s));
        if (gen == 1)
            doctor_add(d, "greenhouse", DOCTOR_WARN, DOCTOR_FAQ_TRACKING, "Harvest v1 retirement",
                       "ask your Greenhouse admin for Harvest v3 client credentials (Configure > "
                       "Dev Center > API Credentials > Harvest V3), then run textus-host "
                       "configure",
                       "%s", CONFIG_V1_NOTICE);
    }
    if (!store_note_enabled(s))
        doctor_add(d, "greenhouse", DOCTOR_WARN, DOCTOR_FAQ_TRACKING, "settings.note_enabled",
                   "if nothing else logs your texts, set settings.note_enabled to true with "
                   "textus-host configure",
                   "notes are turned off: this host logs no text in Greenhouse (right only when "
                   "TextUs's own Greenhouse integration already does)");
}

/*
 * Every extension the host's settings allow must also be allowed by every
 * manifest doctor read (doctor.c): otherwise Chrome refuses to start the host
 * for it. Skipped when the person named the ids to check (--extension-id).
 */
static void doctor_config_extension_ids(struct doctor *d, const struct store *s)
{
    struct allowlist caller;
    const cJSON *m;
    const char *id;
    char fix[160];
    size_t i;

    (void)s; /* the caller check's settings are in their own file (allowlist.h) */
    if (d->ids_explicit || settings_caller(&caller) != 0)
        return;
    for (i = 0; i < caller.n; i++) {
        id = caller.ids[i];
        snprintf(fix, sizeof(fix), "scripts/install.sh --extension-id %.32s", id);
        cJSON_ArrayForEach(m, d->manifests)
        {
            const cJSON *label = cJSON_GetObjectItemCaseSensitive(m, "label");
            const cJSON *file = cJSON_GetObjectItemCaseSensitive(m, "file");
            char subject[PATHS_MAX + 96];
            if (doctor_manifest_allows(m, id))
                continue;
            snprintf(subject, sizeof(subject), "%s: %s",
                     cJSON_IsString(label) ? label->valuestring : "?",
                     cJSON_IsString(file) ? file->valuestring : "?");
            doctor_add(d, "install", DOCTOR_FAIL, DOCTOR_FAQ_SENDING, subject, fix,
                       "extension %s is allowed in the host's settings "
                       "(settings.allowed_extension_ids) but not in this manifest's "
                       "\"allowed_origins\" (Chrome: \"Access to the specified native messaging "
                       "host is forbidden.\")",
                       id);
        }
    }
}

/*
 * The caller check's settings file (allowlist.h). A store written by an older version still
 * holds the allowed ids: the host reads only the file, so doctor moves them into it (as
 * configure and status do) and says so. No file at all: nothing beyond the built-in id (a
 * test build's stub; a release build has none, so there it is a failure).
 */
static void doctor_config_settings_file(struct doctor *d, const struct paths *p)
{
    struct allowlist a;
    struct err e;
    size_t moved = (size_t)-1;

    if (settings_migrate(&moved) != 0) {
        doctor_add(d, "config", DOCTOR_FAIL, DOCTOR_FAQ_SENDING, p->settings,
                   "run textus-host configure --no-verify with the allowed ids (it writes the "
                   "file), then textus-host doctor again",
                   "the allowed extension ids of a store written by an older version could not "
                   "be moved into %s: the host allows no extension but its built-in one",
                   p->settings);
        return;
    }
    if (moved != (size_t)-1)
        doctor_add(d, "config", DOCTOR_INFO, 0, p->settings, NULL,
                   "moved %zu allowed extension id%s and allow_no_origin out of the store (written "
                   "by an older version) into %s, where the host reads them",
                   moved, moved == 1 ? "" : "s", p->settings);
    err_clear(&e);
    if (allowlist_read(&a, &e) != 0)
        return;
#ifdef TH_PRODUCTION
    /* a release build has no built-in id: without the file no extension can use the host */
    doctor_add(d, "config", DOCTOR_FAIL, DOCTOR_FAQ_SENDING, p->settings,
               "allow the TextUs extension: echo '{\"settings\":{\"allowed_extension_ids\":"
               "[\"<its id>\"]}}' | textus-host configure --no-verify",
               "%s does not exist yet: the host allows no extension at all (forbidden_origin)",
               p->settings);
#else
    doctor_add(d, "config", DOCTOR_INFO, 0, p->settings,
               "to allow an extension: echo '{\"settings\":{\"allowed_extension_ids\":"
               "[\"<its id>\"]}}' | textus-host configure --no-verify",
               "%s does not exist yet: the host allows no extension but the development stub "
               "(built in); textus-host configure writes it",
               p->settings);
#endif
}

void doctor_config_checks(struct doctor *d, int online)
{
    struct paths p;
    struct store *s = NULL;
    struct err e;

    err_clear(&e);
    if (paths_resolve(&p, &e) != 0) {
        doctor_add(d, "config", DOCTOR_FAIL, DOCTOR_FAQ_SENDING | DOCTOR_FAQ_TRACKING,
                   "state folders", "set HOME (or TEXTUS_HOST_HOME) to a usable folder", "%s",
                   e.message);
        return;
    }
    doctor_config_perms(d, &p);
    if (store_load(&s, &e) != 0) {
        doctor_config_store_error(d, &p, &e);
        return;
    }
    doctor_add(d, "config", DOCTOR_OK, 0, "credential store", NULL,
               "%s opens with the key in %s (key id %s)", p.store, p.key, store_key_id(s));
    doctor_config_settings_file(d, &p);
    doctor_config_extension_ids(d, s);
    doctor_config_credentials(d, s);
    if (online)
        doctor_online_checks(d, s);
    else
        doctor_add(d, "config", DOCTOR_INFO, 0, "online checks", NULL,
                   "skipped (--offline): TextUs and Greenhouse were not contacted");
    doctor_outbox_checks(d);
    store_free(s);
}

/* Blank every occurrence of one secret value in text (same length, so offsets hold). */
static void doctor_scrub_one(char *text, size_t len, const char *secret)
{
    size_t n = secret ? strlen(secret) : 0, i;

    if (n < 4)
        return;
    for (i = 0; i + n <= len; i++) {
        if (memcmp(text + i, secret, n) == 0) {
            memset(text + i, '*', n);
            i += n - 1;
        }
    }
}

void doctor_scrub(char *text, size_t len)
{
    struct store *s = NULL;
    struct err e;
    long long exp = 0;

    if (store_load(&s, &e) != 0)
        return;
    doctor_scrub_one(text, len, store_textus_token(s));
    doctor_scrub_one(text, len, store_gh_api_key(s));
    doctor_scrub_one(text, len, store_gh_client_secret(s));
    doctor_scrub_one(text, len, store_gh_access_token(s, &exp));
    store_free(s);
}
