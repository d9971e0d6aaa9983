/*
 * doctor — the checklist behind `textus-host doctor`: findings, the
 * installation checks (browser folders, host manifests, a real framed ping of
 * the binary each manifest names, sandboxed browsers, enterprise policies) and
 * the FAQ answers. Core module: it must work when the engine module is missing,
 * since that is one of the things it diagnoses. Configuration checks (store,
 * credentials, upstream APIs, outbox) live in the engine (doctor_config_checks
 * in its API table, engine_api.h) and report through doctor_add().
 * [core]
 */
#ifndef TH_DOCTOR_H
#define TH_DOCTOR_H

#include "common.h"

#include <stddef.h>
#include <stdio.h>

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
    /*
     * Extension ids every manifest must allow: the --extension-id arguments
     * (ids_explicit), else the stub's — and then the engine's checks add the
     * ones in settings.allowed_extension_ids (doctor_config.c).
     */
    const char *ids[DOCTOR_MAX_IDS];
    size_t n_ids;
    int ids_explicit;
    const char *udds[DOCTOR_MAX_IDS]; /* extra user data dirs to check */
    size_t n_udds;
    int ping_timeout_ms;
    int manifests_ok; /* manifests that passed every check including the ping */
    /* every manifest read: [{"label", "file", "ids": ["<32 letters>", ...]}] */
    cJSON *manifests;
    /* progress of slow steps (doctor_step_begin/end): NULL prints nothing */
    FILE *progress;
    long step_start_ms;
    int step_fails, step_warns;
    char step_what[512];
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

/*
 * A slow step (a ping, a request to TextUs or Greenhouse) on d->progress:
 * begin says what is being waited for (a live line on a terminal, a plain
 * "  ... <what>" line otherwise); end erases the live line, or on a plain
 * stream prints "  <ok|FAIL|warn> <what> (<seconds> s)" from the findings the
 * step added. Steps do not nest.
 */
void doctor_step_begin(struct doctor *d, const char *fmt, ...) TH_PRINTF(2, 3);
void doctor_step_end(struct doctor *d);

/* 1 when the manifest entry m (of d->manifests) allows ext_id. */
int doctor_manifest_allows(const cJSON *m, const char *ext_id);

/* Run every installation check. */
void doctor_check_install(struct doctor *d);

/*
 * Say which extension ids were checked (those every manifest allows and those of
 * settings.allowed_extension_ids, or the --extension-id ones), and warn when the
 * development stub's is the only one: the real extension would be refused. Run after
 * doctor_check_install (it reads d->manifests).
 */
void doctor_check_extension_ids(struct doctor *d);

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
