/*
 * handler_saved_replies — verb saved_replies: the recruiter's TextUs saved replies (their
 * own and those shared on the account), each with its merge fields filled for the
 * candidate (compose.c) — what the compose box's template picker shows.
 *
 * The TextUs user the saved replies belong to is the sender of the texts this host sent with
 * the configured token (cached in the store by the send flow), else the user with the
 * Greenhouse sign-in email among those GET /users lists (documented for account admins);
 * until either is known the verb answers textus_user_unknown. The candidate's names come from
 * the request's profile (the name the page shows), else from Greenhouse; the recruiter's from
 * the Greenhouse user of the sign-in email. {job} and {stage}: the candidate's application that
 * the request's application_id (the page's) or job_id (a bulk's) names, else the only one
 * (gh_candidate_details); {company}: the TextUs account's name (Greenhouse documents no
 * organisation name). A name that cannot be had leaves its fields as
 * written (in `missing`) and says why in `warnings`: the replies are still listed. Sizes are
 * counted as the reply's JSON with its fields filled: one reply over SAVED_REPLY_MAX is left
 * out and named in `warnings` (the first SAVED_LEFT_OUT_NAMED; the others in one "and K more"
 * warning), the list stops (`truncated`) before SAVED_REPLIES_BUDGET, which counts the
 * warnings and fields too: the answer stays under Chrome's 1 MiB whatever TextUs holds.
 * Greenhouse is asked at most once per profile: the recruiter's names are cached in the store
 * with the user id, the candidate's for the process (the port of the profile's tab).
 * [engine]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compose.h"
#include "engine_entry.h"
#include "gh_config.h"
#include "greenhouse.h"
#include "handler.h"
#include "log.h"
#include "notetext.h"
#include "phone.h"
#include "send.h"
#include "store.h"
#include "textus.h"

#define SAVED_REPLIES_MAX    200      /* replies listed at most */
#define SAVED_REPLIES_BUDGET 800000UL /* bytes of the replies' JSON, well under Chrome's 1 MiB */
#define SAVED_REPLY_MAX      65536UL  /* bytes of one reply's JSON (its fields filled) */
#define SAVED_QUERY_MAX      200
#define SAVED_LEFT_OUT_NAMED 5   /* left-out replies named one by one; the rest are counted */
#define SAVED_LEFT_OUT_TAIL  256 /* bytes kept in the budget for the "and K more" warning */

struct saved_ud {
    const struct compose_fields *f;
    cJSON *replies, *warnings;
    size_t bytes;    /* the JSON of the result so far: fields, warnings, replies */
    size_t left_out; /* replies left out for their size */
    size_t named;    /* of them, named one by one in a warning */
    int truncated;
};

/* The bytes an item takes in the reply (escaped as it will be sent, and its comma). */
static size_t saved_json_size(const cJSON *item)
{
    char *js = cJSON_PrintUnformatted(item);
    size_t n = js ? strlen(js) + 1 : 0;

    free(js);
    return n;
}

/*
 * A reply too large to show: left out, and a warning names it (the others are listed). A
 * template of a few kB grows ~23 times when every word is a field whose value is a long name,
 * so the size that counts is the reply's JSON with its fields filled.
 */
static void saved_left_out(struct saved_ud *u, const char *title, const char *id, size_t bytes)
{
    char buf[512];
    cJSON *w;
    size_t cost;

    log_msg("saved_replies: a reply of %zu bytes left out", bytes);
    /* the first few are named; the others only counted ("and K more", saved_left_out_tail),
     * so that however many there are the warnings stay small and inside the budget */
    u->left_out++;
    if (u->named >= SAVED_LEFT_OUT_NAMED)
        return;
    snprintf(buf, sizeof(buf),
             "the saved reply \"%.*s\" (%s) is left out: with its fields filled it takes %zu "
             "bytes, more than the %lu one reply may (shorten it in TextUs)",
             (int)notetext_prefix(title, strlen(title), 80), title, id, bytes, SAVED_REPLY_MAX);
    w = cJSON_CreateString(buf);
    cost = w ? saved_json_size(w) : 0;
    if (!w || u->bytes + cost + SAVED_LEFT_OUT_TAIL > SAVED_REPLIES_BUDGET) {
        cJSON_Delete(w); /* not named after all: counted in the tail instead */
        return;
    }
    cJSON_AddItemToArray(u->warnings, w);
    u->named++;
    u->bytes += cost;
}

/* After the list: one warning for the left-out replies that were not named one by one. */
static void saved_left_out_tail(struct saved_ud *u)
{
    char buf[SAVED_LEFT_OUT_TAIL];
    size_t more = u->left_out - u->named;

    if (!more)
        return;
    snprintf(buf, sizeof(buf),
             "and %zu more saved repl%s left out for the same reason: with the fields filled, "
             "each takes more than the %lu bytes one reply may",
             more, more == 1 ? "y is" : "ies are", SAVED_REPLY_MAX);
    cJSON_AddItemToArray(u->warnings, cJSON_CreateString(buf));
}

static int saved_member(const char *id, const char *title, const char *content, int shared,
                        void *vud, int *stop, struct err *e)
{
    struct saved_ud *u = vud;
    cJSON *o, *missing;
    char *body = NULL, *js;
    size_t cost;

    if (cJSON_GetArraySize(u->replies) >= SAVED_REPLIES_MAX) {
        u->truncated = 1;
        *stop = 1;
        return 0;
    }
    if (strlen(content) > SAVED_REPLY_MAX) { /* too large before any field is filled */
        saved_left_out(u, title, id, strlen(content));
        return 0;
    }
    o = cJSON_CreateObject();
    missing = cJSON_CreateArray();
    if (!o || !missing || compose_merge(&body, content, u->f, missing, e) != 0) {
        cJSON_Delete(o);
        cJSON_Delete(missing);
        if (e->code == ERR_OK)
            err_set(e, ERR_INTERNAL, "out of memory");
        return -1;
    }
    cJSON_AddStringToObject(o, "id", id);
    cJSON_AddStringToObject(o, "title", title);
    cJSON_AddStringToObject(o, "content", content);
    cJSON_AddStringToObject(o, "body", body);
    cJSON_AddItemToObject(o, "missing", missing);
    cJSON_AddBoolToObject(o, "shared", shared);
    free(body);
    js = cJSON_PrintUnformatted(o);
    if (!js) {
        cJSON_Delete(o);
        err_set(e, ERR_INTERNAL, "out of memory");
        return -1;
    }
    cost = strlen(js) + 1; /* and its comma */
    free(js);
    if (cost > SAVED_REPLY_MAX) {
        cJSON_Delete(o);
        saved_left_out(u, title, id, cost);
        return 0;
    }
    if (u->bytes + cost + SAVED_LEFT_OUT_TAIL > SAVED_REPLIES_BUDGET) {
        cJSON_Delete(o);
        u->truncated = 1;
        *stop = 1;
        return 0;
    }
    cJSON_AddItemToArray(u->replies, o);
    u->bytes += cost;
    return 0;
}

/*
 * The last candidate whose details Greenhouse gave (names, application, job, stage), for the
 * life of the process (a port serves one profile tab): the template searches that follow on
 * that profile spend no Greenhouse request. In process memory only, never written anywhere;
 * an answer that carried an error (v3's job or stage unreadable) is not kept.
 */
static struct {
    char id[32];
    long long app_id, job_id;
    int names;
    struct gh_candidate_details det;
} saved_cand;

/* The candidate's details: the cached ones for the same question, else Greenhouse's. */
static int saved_candidate_details(struct gh_client *gh, const char *cand, long long app_id,
                                   long long job_id, int names, struct gh_candidate_details *out,
                                   struct err *e)
{
    if (saved_cand.id[0] && strcmp(saved_cand.id, cand) == 0 && saved_cand.app_id == app_id &&
        saved_cand.job_id == job_id && (saved_cand.names || !names)) {
        *out = saved_cand.det;
        return 0;
    }
    if (gh_candidate_details(gh, cand, app_id, job_id, names, out, e) != 0)
        return -1;
    if (out->job_err.code == ERR_OK && strlen(cand) < sizeof(saved_cand.id)) {
        snprintf(saved_cand.id, sizeof(saved_cand.id), "%s", cand);
        saved_cand.app_id = app_id;
        saved_cand.job_id = job_id;
        saved_cand.names = names;
        saved_cand.det = *out;
    }
    return 0;
}

/* A warning for a person: "<what>: <code>: <message>". */
static void saved_warn(cJSON *warnings, const char *what, const struct err *ge)
{
    char buf[ERR_MESSAGE_MAX + 128];

    snprintf(buf, sizeof(buf), "%s: %s: %s", what, err_code_name(ge->code), ge->message);
    cJSON_AddItemToArray(warnings, cJSON_CreateString(buf));
    log_msg("saved_replies: %s: %s", what, err_code_name(ge->code));
}

/* An optional Greenhouse id member (application_id, job_id): *out 0 when absent. 0, or -1. */
static int saved_gh_id(const cJSON *req, const char *name, long long *out, struct err *e)
{
    const char *v = handler_string(req, name, 0, ERR_BAD_REQUEST, e);

    *out = 0;
    if (!v)
        return e->code != ERR_OK ? -1 : 0;
    if (!phone_gh_id_valid(v)) {
        err_set(e, ERR_BAD_REQUEST, "\"%s\" is not a Greenhouse id (1-18 digits, not 0)", name);
        return -1;
    }
    *out = strtoll(v, NULL, 10);
    return 0;
}

/* The TextUs user: cached, else found by the Greenhouse sign-in email. 0, or -1 with *e. */
static int saved_user(struct send_ctx *c, char *out, size_t outsz, struct err *e)
{
    const char *cached = store_textus_user(c->store);
    const char *email = store_gh_email(c->store);
    int found = 0;
    struct err ce;

    if (cached) {
        snprintf(out, outsz, "%s", cached);
        return 0;
    }
    if (email && textus_find_user(&c->tx, email, out, outsz, &found, e) != 0)
        return -1;
    if (!found) {
        err_set(e, ERR_TEXTUS_USER_UNKNOWN,
                "TextUs has not said yet which user the API token belongs to, so its saved "
                "replies cannot be listed: send one text (from the extension or `textus-host "
                "send`), and the saved replies appear from then on%s",
                email ? " (looking the user up by email needs a TextUs account admin)" : "");
        return -1;
    }
    err_clear(&ce);
    if (store_cache_set_textus_user(out, c->tx.token, &ce) < 0)
        log_msg("saved_replies: caching the TextUs user failed: %s", ce.message);
    return 0;
}

int handler_saved_replies(const struct handler_env *env, const cJSON *req, cJSON *result,
                          struct err *e)
{
    const char *cand, *q, *name = NULL;
    const cJSON *profile;
    char user[TEXTUS_ID_MAX];
    char first[COMPOSE_NAME_MAX], last[COMPOSE_NAME_MAX], full[2 * COMPOSE_NAME_MAX + 1];
    char rfirst[COMPOSE_NAME_MAX], rlast[COMPOSE_NAME_MAX], rfull[2 * COMPOSE_NAME_MAX + 1];
    struct compose_fields f;
    struct send_ctx c;
    struct gh_config cfg;
    struct gh_config_src src;
    struct gh_client *gh = NULL;
    struct gh_candidate_details det;
    struct textus_account acct;
    long long app_id, job_id;
    struct saved_ud ud;
    struct err ge;
    cJSON *warnings, *fields;
    int rc = -1;

    (void)env;
    cand = handler_string(req, "candidate_id", 1, ERR_BAD_REQUEST, e);
    if (!cand)
        return -1;
    if (!phone_gh_id_valid(cand)) {
        err_set(e, ERR_BAD_REQUEST, SEND_CANDIDATE_ID_RULE);
        return -1;
    }
    profile = handler_object(req, "profile", 0, ERR_BAD_REQUEST, e);
    if (!profile && e->code != ERR_OK)
        return -1;
    if (profile) {
        name = handler_string(profile, "name", 0, ERR_BAD_REQUEST, e);
        if (!name && e->code != ERR_OK)
            return -1;
    }
    q = handler_string(req, "q", 0, ERR_BAD_REQUEST, e);
    if (!q && e->code != ERR_OK)
        return -1;
    if (q && strlen(q) > SAVED_QUERY_MAX) {
        err_set(e, ERR_BAD_REQUEST, "\"q\" is longer than %d bytes", SAVED_QUERY_MAX);
        return -1;
    }
    if (saved_gh_id(req, "application_id", &app_id, e) != 0 ||
        saved_gh_id(req, "job_id", &job_id, e) != 0)
        return -1;
    memset(&det, 0, sizeof(det));
    memset(&acct, 0, sizeof(acct));
    if (send_ctx_open(&c, 0, e) != 0)
        return -1;
    memset(&cfg, 0, sizeof(cfg));
    memset(&src, 0, sizeof(src));
    if (saved_user(&c, user, sizeof(user), e) != 0)
        goto out;
    warnings = cJSON_AddArrayToObject(result, "warnings");
    ud.replies = cJSON_AddArrayToObject(result, "replies");
    if (!warnings || !ud.replies) {
        err_set(e, ERR_INTERNAL, "out of memory");
        goto out;
    }

    /* the names: the candidate's from the page, else Greenhouse; the recruiter's from Greenhouse */
    compose_split_name(name, first, last, full);
    rfirst[0] = rlast[0] = rfull[0] = '\0';
    err_clear(&ge);
    if (gh_config_from_loaded(&cfg, &src, c.store, &ge) == 0 && gh_client_new(&gh, &cfg, &ge) == 0)
        gh_config_seed_client(gh, &src);
    if (!gh) {
        saved_warn(warnings, "Greenhouse (the recruiter's name)", &ge);
    } else {
        /* the names (unless the page gave them), the job and the stage: one read for v1 */
        if (saved_candidate_details(gh, cand, app_id, job_id, !full[0], &det, &ge) != 0) {
            saved_warn(warnings, full[0] ? "the candidate's job and stage" : "the candidate's name",
                       &ge);
        } else {
            if (!full[0]) {
                snprintf(first, sizeof(first), "%s", det.first);
                snprintf(last, sizeof(last), "%s", det.last);
                snprintf(full, sizeof(full), "%s%s%s", first, first[0] && last[0] ? " " : "", last);
            }
            if (det.job_err.code != ERR_OK)
                saved_warn(warnings, "the candidate's job and stage", &det.job_err);
        }
        err_clear(&ge);
        /* cached in the store with the user id (dropped when the credentials change) */
        if (gh_user_names(gh, rfirst, sizeof(rfirst), rlast, sizeof(rlast), &ge) == 0)
            snprintf(rfull, sizeof(rfull), "%s%s%s", rfirst, rfirst[0] && rlast[0] ? " " : "",
                     rlast);
        else
            saved_warn(warnings, "the recruiter's name", &ge);
    }
    f.first_name = first;
    f.last_name = last;
    f.full_name = full;
    f.recruiter_first_name = rfirst;
    f.recruiter_name = rfull;
    f.job = det.job;
    f.stage = det.stage;
    /* {company}: the account's name (GET /accounts, https://apidocs.next.textus.com/docs/
     * accounts/index: `name`) */
    err_clear(&ge);
    if (textus_verify_account(&c.tx, &acct, &ge) != 0) {
        acct.name[0] = '\0';
        saved_warn(warnings, "the TextUs account's name", &ge);
    }
    f.company = acct.name;
    fields = cJSON_AddObjectToObject(result, "fields");
    if (fields) {
        /* the values as the merge puts them in a text (compose_clean): the local template the
         * extension fills with them says the same as the replies' bodies */
        const char *const names[] = {
            "first_name",     "last_name", "full_name", "recruiter_first_name",
            "recruiter_name", "job",       "stage",     "company"};
        struct compose_fields shown;
        char *owned[COMPOSE_FIELDS];
        size_t i;
        if (compose_clean(&shown, owned, &f) != 0) {
            compose_clean_free(owned);
            err_set(e, ERR_INTERNAL, "out of memory");
            goto out;
        }
        {
            const char *const vals[] = {
                shown.first_name,     shown.last_name, shown.full_name, shown.recruiter_first_name,
                shown.recruiter_name, shown.job,       shown.stage,     shown.company};
            for (i = 0; i < TH_ARRAY_SIZE(names); i++) {
                if (vals[i] && vals[i][0])
                    cJSON_AddStringToObject(fields, names[i], vals[i]);
                else
                    cJSON_AddNullToObject(fields, names[i]);
            }
        }
        compose_clean_free(owned);
    }

    ud.f = &f;
    ud.warnings = warnings;
    ud.bytes = saved_json_size(result) + 64; /* the fields and warnings so far, "user" */
    ud.left_out = ud.named = 0;
    ud.truncated = 0;
    if (textus_saved_replies(&c.tx, user, q, saved_member, &ud, e) != 0)
        goto out;
    saved_left_out_tail(&ud);
    cJSON_AddStringToObject(result, "user", user);
    cJSON_AddNumberToObject(result, "applications", det.applications);
    if (det.application_id > 0) {
        char idbuf[32];
        snprintf(idbuf, sizeof(idbuf), "%lld", det.application_id);
        cJSON_AddStringToObject(result, "application_id", idbuf);
    } else {
        cJSON_AddNullToObject(result, "application_id");
    }
    if (ud.truncated)
        cJSON_AddTrueToObject(result, "truncated");
    rc = 0;
out:
    gh_client_free(gh);
    gh_config_release(&cfg, &src);
    send_ctx_close(&c);
    return rc;
}
