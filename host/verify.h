/*
 * verify — online verification of a configuration before `configure` saves it
 * (used by cli_configure.c and handler_configure.c). The patch
 * is merged in memory (config_preview), then checked against the services
 * with the API clients (textus.h, greenhouse.h):
 *   TextUs token; TextUs account (the token's user is a member of the slug);
 *   Greenhouse credentials (v1 key, or a v3 token request); Harvest v1
 *   retirement (v1 only: a notice, or greenhouse_v1_retired when it is gone);
 *   the Greenhouse user (found by email, not disabled); each permission that
 *   can be probed without side effects (Users: List Users / Retrieve User,
 *   Candidates: List Candidates, Activity Feed); Candidates: Add Note is never
 *   probed ("checked at the first note").
 * A section that is not configured yet is "unchecked", not a failure. The new
 * values are saved (config_apply) only when no check failed or when the
 * caller asks (save_anyway); then the resolved Greenhouse user id and the v3
 * access token are cached in the store. A dry run verifies and saves nothing.
 *
 * The checks run in two steps, one per service; a caller that talks to a
 * person is told when each starts (what it waits for: the service, its host,
 * the timeouts) and when it ends (the checks it added, how long it took). A
 * check that failed because a service could not be reached in time says how
 * long it waited for which host.
 * [engine]
 */
#ifndef TH_VERIFY_H
#define TH_VERIFY_H

#include "common.h"

#include <stddef.h>

#include <cjson/cJSON.h>

#include "error.h"
#include "store.h"

/* VERIFY_WARN: passed, but with a caveat the person must know (it does not fail verification) */
enum verify_status { VERIFY_OK, VERIFY_FAIL, VERIFY_UNCHECKED, VERIFY_WARN };

#define VERIFY_MAX_CHECKS 12
#define VERIFY_FIX_MAX    480

struct verify_check {
    const char *check; /* "TextUs token", "Users: List Users", ... (static) */
    enum verify_status status;
    enum err_code code; /* FAIL: why (a stable code); otherwise ERR_OK */
    char message[ERR_MESSAGE_MAX];
    char fix[VERIFY_FIX_MAX]; /* FAIL, WARN: one line saying what to do; otherwise "" */
};

struct verify_report {
    int n;
    int failed; /* number of VERIFY_FAIL checks */
    struct verify_check checks[VERIFY_MAX_CHECKS];
    int saved;        /* the new values were written to the store */
    int cache_failed; /* saved, but caching the user id / token failed (logged) */
    cJSON *changes;   /* config_changes(): what was saved (or, not saved, would change); no
                         secrets. Owned: release with verify_report_release(). */
    int asked;        /* VERIFY_ASKED: messages and fixes speak of configure's questions */
};

/* One step of the verification: the checks of one service. */
struct verify_step {
    const char *service; /* "TextUs", "Greenhouse" */
    const char *what;    /* "the token and the account", ... */
    char host[600];      /* where its requests go: "next.textus.com", "127.0.0.1:8080" */
    long connect_timeout_ms, timeout_ms;
    int online;      /* it contacts the service (begin is called only then) */
    int first;       /* its checks are report->checks[first .. first + count) */
    int count;       /* (at the end) */
    long elapsed_ms; /* (at the end) how long it took */
    long start_ms;
};

/* Told about each step; either function may be NULL. */
struct verify_progress {
    void (*begin)(void *ctx, const struct verify_step *step);
    void (*end)(void *ctx, const struct verify_step *step, const struct verify_report *r);
    void *ctx;
};

#define VERIFY_SAVE_ANYWAY 1 /* save even when a check failed */
#define VERIFY_DRY_RUN     2 /* verify what would be saved; save nothing */
/* The answers were typed on a terminal, in a session that offers to ask again: fixes name
 * the questions ("the TextUs account slug"), never a document's keys (textus.account), and
 * never say "run configure again" (the session asks). */
#define VERIFY_ASKED 4

/*
 * The whole configure flow: check and merge `patch` in memory, verify it
 * online, save it when every check passed or VERIFY_SAVE_ANYWAY is set, cache
 * the resolved user id and v3 token. Returns 0 when the flow ran (see
 * report->saved and report->failed; *out, may be NULL, gets the saved store),
 * -1 with *e for errors that stop it before verification or while saving
 * (invalid_config, store_*). A verification failure is not an error here.
 * progress may be NULL. Release the report with verify_report_release().
 */
int verify_configure(const cJSON *patch, int from_extension, int flags,
                     const struct verify_progress *progress, struct verify_report *report,
                     struct store **out, struct err *e) TH_WUR;

/* Free what a report owns (its list of changes). */
void verify_report_release(struct verify_report *r);

/* The checklist as a JSON array of {"check","status","message","fix","code"}
 * (status "ok" | "fail" | "unchecked"; fix and code null unless failed). NULL when out of memory.
 */
cJSON *verify_report_json(const struct verify_report *r);

/* A one-paragraph summary of the failed checks for an error message (fits ERR_MESSAGE_MAX). */
void verify_report_summary(char *out, size_t outsz, const struct verify_report *r);

#endif
