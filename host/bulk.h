/*
 * bulk — one text to many candidates (verbs bulk_send, bulk_status, bulk_cancel and
 * `textus-host bulk`): a bulk is a list of single sends.
 *
 * bulk_send records the bulk (its body, options and candidates) durably in the outbox
 * (outbox.h, "bulks") before it replies; the candidates are then texted one at a time,
 * each through the single-send flow (send_sms, send.h) under the derived request id
 * "<bulk id>:<candidate id>", so that each inherits its promises: the opt-out and
 * blocked checks, the journal's exactly-once replay, one note. Per candidate, before its
 * text: the number from the Greenhouse record by extract_phone's fallback rule, the body's
 * merge fields filled with the candidate's names, the job and stage of their application
 * (the bulk's job_id, else the only one: gh_candidate_card) and the TextUs account's name
 * (compose.h), and the quiet hours in that number's zones (scheduled for the next allowed
 * time, or skipped, as asked).
 *
 * A crash, a killed host or the same bulk_send again never texts anyone twice: a candidate
 * whose journal row exists is replayed (never a new POST), and a driver that dies leaves
 * the bulk to the next bulk_send with the same request id, which finishes it. A candidate
 * whose replayed text the reconciliation decides was never sent (TextUs has no message of
 * it: a host killed between the journal entry and the POST) is texted once more under the
 * retry id "<bulk id>:<candidate id>:2" (BULK_RETRY_SUFFIX), itself journaled: one retry,
 * never a third id, and never for a scheduled text (its time has passed by then).
 *
 * Pacing: at most one new text per BULK_PACE_MS (1 s: 300 of TextUs's 1,000 per 5 minutes
 * per token), and its TextUs requests are work that can wait (http_request.pace): while the
 * token's shared window is at its last fifth they are held and the bulk waits for the reset,
 * leaving that fifth to the recruiter's own texts; a 429 waits for its Retry-After.
 * [engine]
 */
#ifndef TH_BULK_H
#define TH_BULK_H

#include "common.h"

#include <cjson/cJSON.h>

#include "error.h"
#include "handler.h"

#define BULK_PACE_MS        1000
#define BULK_PREVIEW_BODIES 3    /* texts a confirmation shows */
#define BULK_RETRY_SUFFIX   ":2" /* a candidate's one retry (see above) */
/* Candidates whose opt-out and blocked state a preview reads (2 TextUs requests each: 200, a
 * fifth of the 1,000 per 5 minutes a token may spend; PROTOCOL.md, bulk_preview). */
#define BULK_PREVIEW_CHECKS 100

/* The counts of a bulk (PROTOCOL.md, bulk_send's events). */
struct bulk_counts {
    long total, done, sent, scheduled, skipped, failed, cancelled;
    long sending; /* being texted, or sent with an outcome not known yet */
    int finished; /* every candidate is done */
    int was_cancelled;
};

/* Called after each candidate (final = 0) and once at the end (final = 1); name: the
 * candidate's as Greenhouse has it when this run read it, else NULL. */
typedef void (*bulk_progress_fn)(void *ud, const char *request_id, const struct bulk_counts *k,
                                 const char *candidate_id, const char *name, const char *state,
                                 const char *reason, int final);

/*
 * bulk_send's first half: validate req, record the bulk (or find it: the same request
 * again), fill result {request_id, accepted, skipped, total, replayed, driving}. *drive = 1
 * when this process is to text the candidates now (bulk_run); 0 when the bulk is finished
 * or another live process is driving it. 0, or -1 with *e set.
 */
int bulk_start(const cJSON *req, cJSON *result, int *drive, struct err *e) TH_WUR;

/* Text the bulk's remaining candidates (see above); progress may be NULL. 0, or -1 with *e
 * set (the journal could not be read; what was done is recorded). */
int bulk_run(const char *request_id, bulk_progress_fn progress, void *ud, struct err *e) TH_WUR;

/*
 * bulk_preview: what a bulk_send of req's candidate_ids, body, job_id and quiet_hours would
 * do, by the same rule (one Greenhouse read per candidate: number, merge, quiet hours), then
 * the opt-out and blocked checks at TextUs of the first BULK_PREVIEW_CHECKS it would text,
 * sending and journaling nothing: result {total, will_send, will_schedule, previews (the
 * first BULK_PREVIEW_BODIES texts: candidate_id, name, to, body, send_at), skipped
 * [{candidate_id, reason, detail?}], checked, unchecked [ids], checks_stopped?}. A Greenhouse
 * failure other than a candidate not found fails it; a TextUs one leaves candidates unchecked
 * (and counts toward the BULK_PREVIEW_CHECKS all the same), except the {company} read, whose
 * failure fails it.
 */
int bulk_preview(const cJSON *req, cJSON *result, struct err *e) TH_WUR;

/* bulk_status: the counts and each candidate's state. */
int bulk_status(const char *request_id, cJSON *result, struct err *e) TH_WUR;

/* bulk_cancel: stop what has not been sent; the result says what had (as bulk_status). */
int bulk_cancel(const char *request_id, cJSON *result, struct err *e) TH_WUR;

/* The event members of counts k (and finished when final). */
void bulk_counts_json(cJSON *obj, const char *request_id, const struct bulk_counts *k, int final);

#endif
