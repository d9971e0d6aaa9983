/*
 * greenhouse — client of Greenhouse Harvest: one interface, two backends chosen by the
 * configured credentials:
 *   api_key                    -> Harvest v1 (https://developers.greenhouse.io/harvest.html:
 *                                 Basic key:, On-Behalf-Of on writes, Link pagination)
 *   client_id + client_secret  -> Harvest v3 (https://harvestdocs.greenhouse.io: OAuth
 *                                 client-credentials tokens, one per subject, cached and
 *                                 refreshed ahead of expiry or once on 401; cursor pagination)
 * v3 subjects: a write (the note) is made with a token whose `sub` is the recruiter's user id,
 * the counterpart of v1's On-Behalf-Of, so Greenhouse audits it as the recruiter; reads use a
 * token without `sub` (the credential's integration service user), since v3 reads need a Site
 * Admin subject the recruiter need not be.
 * Operations: resolve the sign-in email to a user id (and the user's names), a candidate's
 * phone numbers and names, add a
 * note on behalf of that user, look for a marker in the candidate's notes, probe the
 * permissions. Configuration is passed in; the resolved user id and the v3 tokens are
 * exposed (getters/setters + a change callback) so that the store can persist them.
 * [engine]
 */
#ifndef TH_GREENHOUSE_H
#define TH_GREENHOUSE_H

#include "common.h"

#include <stddef.h>

#include <cjson/cJSON.h>

#include "endpoints.h"
#include "error.h"
#include "http.h"

#define GH_TOKEN_MAX 4096

enum gh_backend { GH_V1 = 1, GH_V3 = 3 };

struct gh_client;

struct gh_config {
    const char *base_url;      /* NULL: ENDPOINT_GH_BASE_URL */
    const char *auth_url;      /* v3 token endpoint base (POST <auth_url>/token); NULL: default */
    const char *api_key;       /* v1 (secret) */
    const char *client_id;     /* v3 */
    const char *client_secret; /* v3 (secret) */
    const char *sub;           /* v3: the subject of read tokens (numeric user id); NULL: none */
    const char *user_email;    /* the recruiter's Greenhouse sign-in email */
    int page_size;             /* 0: server default; else per_page on a list's first request */
    struct http_opts http;
    /* Called after the cached user id or v3 token changed (for the store to persist). */
    void (*cache_changed)(void *ctx, const struct gh_client *c);
    void *cache_ctx;
};

/*
 * Create a client. The config's strings are borrowed and must outlive the client.
 * ERR_NOT_CONFIGURED without credentials, ERR_INVALID_CONFIG with both kinds or half of v3.
 */
int gh_client_new(struct gh_client **out, const struct gh_config *cfg, struct err *e) TH_WUR;
void gh_client_free(struct gh_client *c); /* wipes the cached token */
enum gh_backend gh_client_backend(const struct gh_client *c);

/* The configuration the client was created with (its strings are borrowed). */
const struct gh_config *gh_client_config(const struct gh_client *c);

/* The two v3 token slots: reads (no subject) and writes (subject = the recruiter). */
enum gh_token_kind { GH_TOKEN_READ = 0, GH_TOKEN_WRITE = 1 };

/* Cached state, for persistence. user id 0 = unknown; token "" = none. */
long long gh_client_user_id(const struct gh_client *c);
void gh_client_set_user_id(struct gh_client *c, long long user_id);
/* The user's names, cached with the user id (from the lookup by the sign-in email): 0 and
 * both set when known, -1 and both NULL when not. */
int gh_client_user_names(const struct gh_client *c, const char **first, const char **last);
/* Seed them (both NULL: unknown). */
void gh_client_set_user_names(struct gh_client *c, const char *first, const char *last);
/* Copies the v3 token of slot k into out (sodium-wiped by the caller), *sub (may be NULL) its
 * subject (0: none); -1 when none or out too small. */
int gh_client_token(const struct gh_client *c, enum gh_token_kind k, char *out, size_t outsz,
                    long long *expires_at, long long *sub);
/* Seed slot k; a token is used only for requests made as its subject. */
int gh_client_set_token(struct gh_client *c, enum gh_token_kind k, const char *token,
                        long long expires_at, long long sub);

/*
 * Open what a note will need ahead of use, in the background, and return at once: a
 * connection to Harvest unless one was used recently -- when the user id is cached, a GET
 * of the base URL's root without credentials (it spends none of the credential's rate
 * limit), else the user lookup by the sign-in email (a read that changes nothing; its
 * answer fills in the user id and names) -- and for v3 the note's token (subject: the recruiter)
 * when it is not fresh, plus the read token the lookup needs. What the answers teach the client is
 * saved to the store by gh_client_save_cache, never from inside another request.
 */
void gh_warm(struct gh_client *c);

/* Save the user id and tokens learnt in the background (the cache_changed callback). */
void gh_client_save_cache(struct gh_client *c);

/* The user id for cfg->user_email (cached): greenhouse_user_not_found if missing/disabled. */
int gh_resolve_user(struct gh_client *c, long long *user_id, struct err *e) TH_WUR;

/* The configured user's first and last names (the user looked up by the sign-in email, as
 * gh_resolve_user does; cached with the id, so asked for once per credential and email); ""
 * for a name Greenhouse does not give. */
int gh_user_names(struct gh_client *c, char *first, size_t first_sz, char *last, size_t last_sz,
                  struct err *e) TH_WUR;

/* The candidate's first and last names (List Candidates by id, as gh_candidate_phones). */
int gh_candidate_names(struct gh_client *c, const char *candidate_id, char *first, size_t first_sz,
                       char *last, size_t last_sz, struct err *e) TH_WUR;

/* The v3 scopes of the job and stage merge fields (https://harvestdocs.greenhouse.io/docs/
 * authentication: scopes are harvest:<resource>:<action>). */
#define GH_SCOPE_APPLICATIONS "harvest:applications:list"
#define GH_SCOPE_JOBS         "harvest:jobs:list"

#define GH_JOB_MAX 256

/* A candidate's names and the job and stage of one of their applications. */
struct gh_candidate_details {
    char first[GH_JOB_MAX], last[GH_JOB_MAX]; /* "" when Greenhouse gives none */
    int applications;                         /* how many the candidate has */
    int picked;                               /* 1: job/stage are those of the chosen one */
    long long application_id;                 /* the chosen application's id, 0: none */
    char job[GH_JOB_MAX];                     /* its job's name, "" when not known */
    char stage[GH_JOB_MAX];                   /* its current stage's name, "" when not known */
    struct err job_err; /* v3: why the job or stage could not be read (ERR_OK: it could) */
};

/*
 * The candidate's names and the job and current stage of the application chosen: the one
 * whose id is application_id (> 0), else the one for job_id (> 0), else the only one; none
 * when the candidate has several and neither picks one. v1: all from the candidate record of
 * List Candidates (applications[].jobs[].name, current_stage.name: one request); v3:
 * GET /v3/candidates?ids= (only with names set), GET /v3/applications?candidate_ids=
 * (stage_name, job_id; scope harvest:applications:list) and GET /v3/jobs?ids= (name; scope
 * harvest:jobs:list). A v3 applications or jobs error goes to out->job_err, not *e (the names
 * still count). -1 with *e when the candidate itself cannot be read.
 */
int gh_candidate_details(struct gh_client *c, const char *candidate_id, long long application_id,
                         long long job_id, int names, struct gh_candidate_details *out,
                         struct err *e) TH_WUR;

/* One page of candidates (v1) or of v3 applications (v3: cand_id unused, the page is the
 * candidate's applications): count the applications into out and pick as above. */
int gh_page_applications(const char *buf, size_t len, enum gh_backend b, long long cand_id,
                         long long application_id, long long job_id,
                         struct gh_candidate_details *out, long long *picked_job_id, struct err *e);

/* Append the candidate's phone_numbers as {"value","type"} to out_numbers (an array).
 * greenhouse_not_found when the candidate is not visible. */
int gh_candidate_phones(struct gh_client *c, const char *candidate_id, cJSON *out_numbers,
                        struct err *e) TH_WUR;

/* Add a note by the resolved user (v1: On-Behalf-Of; v3: a token with sub = that user, and
 * user_id in the body). visibility: "public", "private" or "admin_only".
 * *note_id (may be NULL) gets the new note's id when the server returns it, else 0.
 * outcome_unknown when the POST may have reached Greenhouse. */
int gh_add_note(struct gh_client *c, const char *candidate_id, const char *body,
                const char *visibility, long long *note_id, struct err *e) TH_WUR;

/* *found = 1 when one of the candidate's notes ends with marker as its whole last line
 * (notetext_last_line_is); *note_id (may be NULL) gets that note's id (0 when the feed gives
 * none). */
int gh_note_exists(struct gh_client *c, const char *candidate_id, const char *marker, int *found,
                   long long *note_id, struct err *e) TH_WUR;

enum gh_check { GH_CHECK_OK, GH_CHECK_FAILED, GH_CHECK_UNCHECKED };

#define GH_PROBE_MAX 6
struct gh_probe {
    int n;
    long long user_id; /* resolved user, 0 if that failed */
    struct {
        const char *permission; /* help-article permission (v1) or scope (v3) */
        enum gh_check state;
        struct err err; /* FAILED: why, with its fix; UNCHECKED: why not */
        int optional;   /* only the job and stage merge fields need it: never a failure */
    } items[GH_PROBE_MAX];
};

/* Probe each permission that can be checked without side effects (Add Note cannot:
 * UNCHECKED, "checked at the first note"). 0 when no check failed (an optional one does not
 * count), else -1 with *e = the first failure. */
int gh_probe(struct gh_client *c, struct gh_probe *out, struct err *e) TH_WUR;

/* After gh_probe (doctor): append the optional v3 scopes of the {job} and {stage} merge fields
 * (harvest:applications:list, harvest:jobs:list; one GET each), marked optional. v1: nothing
 * (the candidate record List Candidates returns embeds the applications). */
void gh_probe_merge_fields(struct gh_client *c, struct gh_probe *out);

/*
 * 1 when message (a greenhouse_permission error's) says Greenhouse's 403 named a scope, e.g.
 * "Missing required scope: harvest:users:list"; scope gets the harvest:... name when the
 * answer gives one, else "". 0 when the 403 named none (record, subject or undocumented).
 */
int gh_forbidden_scope(const char *message, char *scope, size_t scope_sz);

/* ------------------------------------------------------------------ pure parsers (fuzzed) */

struct gh_user_match {
    long long id;       /* first enabled user whose email matches, 0 if none yet */
    int disabled_match; /* a matching user exists but is disabled/deactivated */
    char first_name[128], last_name[128]; /* that user's names ("" when not given) */
};
/* One page of users (a JSON array; v1 or v3 field names). */
int gh_page_users(const char *buf, size_t len, enum gh_backend b, const char *email,
                  struct gh_user_match *m, struct err *e);
/* One page of candidates: append the phones of candidate cand_id, *found = 1 if present. */
int gh_page_candidates(const char *buf, size_t len, long long cand_id, cJSON *out_numbers,
                       int *found, struct err *e);
/* One page of candidates: the names of candidate cand_id, *found = 1 if present. */
int gh_page_candidate_name(const char *buf, size_t len, long long cand_id, char *first,
                           size_t first_sz, char *last, size_t last_sz, int *found, struct err *e);
/* v1: the activity feed object; v3: one page of notes. *found = 1 when a body's last line is
 * marker, whole;
 * *note_id (may be NULL) gets the first such note's id. */
int gh_page_notes(const char *buf, size_t len, enum gh_backend b, const char *marker, int *found,
                  long long *note_id, struct err *e);
/* A token response: access_token + expiry from expires_in, expires_at or expires. */
int gh_parse_token(const char *buf, size_t len, long long now, char *token, size_t tokensz,
                   long long *expires_at, struct err *e);

/* bulk_send: the candidate's phone numbers (as gh_candidate_phones) and names (as
 * gh_candidate_names) from one read of List Candidates by id. det (may be NULL): also the job
 * and current stage of the application for job_id (> 0), else of the only one, as
 * gh_candidate_details picks it — v1 from that same record (no other request), v3 by
 * gh_candidate_details's two reads (its errors in det->job_err). */
int gh_candidate_card(struct gh_client *c, const char *candidate_id, cJSON *out_numbers,
                      char *first, size_t first_sz, char *last, size_t last_sz, long long job_id,
                      struct gh_candidate_details *det, struct err *e) TH_WUR;

#endif
