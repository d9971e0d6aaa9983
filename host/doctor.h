/*
 * doctor — the checklist behind `textus-host doctor`: findings, the
 * installation checks (browser folders, host manifests, a real framed ping of
 * the binary each manifest names, sandboxed browsers, enterprise policies) and
 * the FAQ answers. Core module: it must work when the engine module is missing,
 * since that is one of the things it diagnoses. Configuration checks (store,
 * credentials, upstream APIs, outbox) live in the engine (doctor_config_checks
 * in its API table, engine_api.h) and report through doctor_add().
 */
#ifndef TH_DOCTOR_H
#define TH_DOCTOR_H

#include "common.h"

#include <stddef.h>

#include <cjson/cJSON.h>

#define DOCTOR_HOST_NAME "com.textus.greenhouse"
#define DOCTOR_MAX_IDS   16

enum doctor_status { DOCTOR_OK, DOCTOR_INFO, DOCTOR_WARN, DOCTOR_FAIL };

/* Which FAQ a finding explains (bit set). */
#define DOCTOR_FAQ_SENDING  1 /* "Why are my texts not sending?" */
#define DOCTOR_FAQ_TRACKING 2 /* "Why are my texts not tracking in Greenhouse?" */

struct doctor {
    cJSON *checks; /* array of {"area","status","subject","message","fix"?,"faq"?} */
    int fails;
    int warns;
    const char *ids[DOCTOR_MAX_IDS]; /* extension ids that must be allowed */
    size_t n_ids;
    const char *udds[DOCTOR_MAX_IDS]; /* extra user data dirs to check */
    size_t n_udds;
    int ping_timeout_ms;
    int manifests_ok; /* manifests that passed every check including the ping */
};

/* Start a checklist (d->checks allocated). Returns 0 or -1 (out of memory). */
int doctor_init(struct doctor *d) TH_WUR;
void doctor_free(struct doctor *d);

/*
 * Add a finding. area: "install", "config", "textus", "greenhouse", "outbox";
 * subject: what was checked (a browser, a file, a credential); message: what
 * was found; fix (may be NULL): one line telling a person what to do.
 * faq: DOCTOR_FAQ_* bits this finding answers (0 for none).
 */
void doctor_add(struct doctor *d, const char *area, enum doctor_status st, int faq,
                const char *subject, const char *fix, const char *fmt, ...) TH_PRINTF(7, 8);

const char *doctor_status_name(enum doctor_status st);

/* Run every installation check. */
void doctor_check_install(struct doctor *d);

/*
 * Start `exe` as Chrome does (argv[1] = origin, cwd = its folder), send one
 * framed ping and read the reply within timeout_ms. Returns 0 with *reply set
 * (free with cJSON_Delete), or -1 with why filled.
 */
int doctor_ping(const char *exe, const char *origin, int timeout_ms, cJSON **reply, char *why,
                size_t whysz) TH_WUR;

/* The install receipt written by scripts/install.sh (same rules as the script). */
int doctor_receipt_path(char *out, size_t outsz) TH_WUR;

/* `textus-host doctor` (cli_doctor.c). */
int cli_cmd_doctor(int argc, char **argv);

/* The FAQ answers derived from the findings: {"not_sending": "...", "not_tracking": "..."}. */
cJSON *doctor_faq(const struct doctor *d);

#endif
