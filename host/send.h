/*
 * send — the send flow: validate → outbox look-up (replay /
 * conflict) → TextUs opt-out and conversation checks → journal the intent →
 * POST the SMS → journal the message id → write the Greenhouse note → journal
 * the note id. Plus the reconciliation of ambiguous sends, the note retries
 * (flush), and the small verbs around it (message_status, opt_out,
 * import_contact). Handlers and CLI commands are thin wrappers around this.
 *
 * Exactly once: TextUs has no idempotency key, so a POST is made only after
 * the intent is durable, is never repeated by the host on its own, and an
 * ambiguous outcome is resolved by reading the conversation's timeline (one
 * outgoing message with the body, in a window after the intent; never a guess
 * between two). Notes are written as the recruiter. A note carries
 * the marker "[textus:<message id>]" and, when an earlier attempt may have
 * landed, the candidate's notes are searched for it before posting again.
 * [engine]
 */
#ifndef TH_SEND_H
#define TH_SEND_H

#include "common.h"

#include <stdint.h>

#include <cjson/cJSON.h>

#include "error.h"
#include "outbox.h"
#include "paths.h"
#include "store.h"
#include "textus.h"

#define SEND_KDF_CONTEXT "outbox-seal"

struct send_gh; /* the Greenhouse client behind send_gh_* (send_gh.c) */
struct handler_env;

/* What a send flow needs: the store, the TextUs config, the Greenhouse client, the outbox. */
struct send_ctx {
    struct store *store;
    struct textus_config tx;
    struct send_gh *gh; /* opened on first need */
    struct outbox *ob;  /* NULL unless asked for */
    int note_enabled;
    int segment_limit;
    int64_t note_retry_base_ms; /* first note back-off (setting note_retry_base_ms, 30 s) */
    char holds[PATHS_MAX];      /* tx.http.hold_file: Retry-After holds shared by every process */
};

/* Load the store (and open the outbox when need_outbox). ERR_NOT_CONFIGURED without TextUs. */
int send_ctx_open(struct send_ctx *c, int need_outbox, struct err *e) TH_WUR;
void send_ctx_close(struct send_ctx *c);

/*
 * The port's context: opened on first need and kept for the life of the process (one
 * browser port), so that the requests of a port share one decrypted store, one outbox
 * connection and the API clients' kept-alive connections and tokens. Reloaded when the
 * store file changed (another process ran `configure`, or cached a token); the outbox
 * stays open when the reloaded store derives the same key. *out is owned by the port:
 * never close it. send_port_close() wipes and closes it (at the end of the process).
 */
int send_port(struct send_ctx **out, int need_outbox, struct err *e) TH_WUR;
void send_port_close(void);

/*
 * Between two requests of a port: wait until in_fd is readable (a frame, or EOF) while
 * background requests (connections opened ahead of use) run. warm: first open the port's
 * context and warm the connections to TextUs and Greenhouse (once). 1 when in_fd is
 * readable, 0 when nothing was left to run (the caller then reads as usual), 2 after waiting
 * SEND_IDLE_SLICE_MS for notes the rate limit held back that are not due yet: the caller
 * does its own checks between two frames (the caller's revocation), then calls again.
 */
#define SEND_IDLE_SLICE_MS 1000
int send_port_idle(int in_fd, int warm);

/* How long a prepare_send result is reused by a send_sms to the same number on the same port
 * (PROTOCOL.md, prepare_send: TextUs itself refuses an opted-out number). */
#define SEND_PREP_REUSE_MS 60000

/*
 * prepare_send: the opt-out and the conversation of `to`, checked at once while the
 * connection to Greenhouse (and a v3 token) gets ready; fills result ({"to", "opted_out",
 * "blocked", "checked_at"}) and keeps it for send_sms on this port.
 */
int send_prepare(const char *candidate_id, const char *to, cJSON *result, struct err *e) TH_WUR;

/*
 * result's "lock": who locked the number and when, as TextUs's OptOut says ({created_at,
 * created_via, user, user_name, account, account_name}, null for what it leaves out), or null
 * when there is no OptOut (o NULL). PROTOCOL.md, prepare_send.
 */
void send_lock_json(cJSON *result, const struct textus_opt_out *o);

/* Forget the prepare_send result of `to` (NULL: of every number), e.g. after an opt_out. */
void send_prep_forget(const char *to);

/* Greenhouse, as the send flow needs it (send_gh.c adapts the greenhouse client). */
int send_gh_open(struct send_gh **out, const struct store *s, struct err *e) TH_WUR;
void send_gh_close(struct send_gh *g);
/* Add a note by the configured user; note_id receives its id. */
int send_gh_add_note(struct send_gh *g, const char *candidate_id, const char *body,
                     const char *visibility, char *note_id, size_t note_id_sz,
                     struct err *e) TH_WUR;
/* What a note's POST needs before it is sent: the user id (cached after the first look-up;
 * waits for the warm-up's look-up), so that the POST step is only the POST (send.c's lease). */
int send_gh_ready(struct send_gh *g, struct err *e) TH_WUR;
/* Search the candidate's notes for one containing needle: *found, note_id. */
int send_gh_find_note(struct send_gh *g, const char *candidate_id, const char *needle,
                      char *note_id, size_t note_id_sz, int *found, struct err *e) TH_WUR;
/* The candidate's name as Greenhouse has it ("First Last"; List Candidates by id), or
 * greenhouse_not_found when no candidate with that id is visible to the credentials. */
int send_gh_candidate_name(struct send_gh *g, const char *candidate_id, char *name, size_t name_sz,
                           struct err *e) TH_WUR;
/* Get Greenhouse's connection and tokens ready in the background (gh_warm). */
void send_gh_warm(struct send_gh *g);
/* Save what the client learnt in the background (user id, tokens) to the store. */
void send_gh_save_cache(struct send_gh *g);

/* GSM-7 and UCS-2 segment arithmetic (TextUs's segment limit, default 3). */
struct send_segments {
    int ucs2;     /* 1 when some character is outside GSM-7 */
    long units;   /* GSM-7 septets or UTF-16 code units */
    int segments; /* SMS segments the body needs */
};
void send_count_segments(const char *body, struct send_segments *out);
/* Largest body (in units) that fits in `limit` segments. */
long send_segment_capacity(int limit, int ucs2);

/*
 * What every verb taking a candidate id or a number says when it is refused
 * (the rules themselves: phone_gh_id_valid and phone_e164_nanp_valid, phone.h).
 */
#define SEND_CANDIDATE_ID_RULE                                                                     \
    "\"candidate_id\" must be a Greenhouse candidate id: 1-18 digits, not 0"
#define SEND_TO_RULE                                                                               \
    "\"to\" must be a US/Canada number as +1NXXNXXXXXX (area code and exchange 2-9XX, not N11)"
/* 1 when s is 1-64 of [A-Za-z0-9_-]. */
int send_request_id_ok(const char *s);

/* The marker every note carries: "[textus:<message id>]". */
int send_note_marker(char *out, size_t outsz, const char *message_id);

struct send_flush_counts {
    long written; /* notes of sends written by this flush */
    long pending; /* notes still pending afterwards */
    long unknown; /* sends still unresolved */
    long reconciled_sent;
    long reconciled_not_sent;
    long stopped;         /* notes stopped (permission / auth) */
    long replies_logged;  /* reply notes written by this flush */
    long replies_pending; /* reply notes still to be written afterwards */
    long replies_stopped; /* reply notes stopped, waiting for a person */
};

/*
 * One note attempt for a sent row or a reply (claim, look for the marker — always for a
 * reply, after an earlier attempt for a send —, post, journal). *written (may be NULL) is
 * set to 1 when this attempt wrote the note (posted it, or found it in the feed).
 */
int send_note_attempt(struct send_ctx *c, const char *request_id, int force, int include_stopped,
                      int *written, struct err *e) TH_WUR;

/* The rest of an attempt this process has claimed (prior: attempts before it; > 0 looks for
 * the marker first): post, journal the note id or the failure. The claim is re-taken
 * (outbox_note_renew) before the search and right before the POST; once it is no longer this
 * process's, nothing more is posted or journaled (0). *written (may be NULL) is set to 1 when
 * this call journaled the note as written. */
int send_note_post(struct send_ctx *c, const char *request_id, int prior, int *written,
                   struct err *e) TH_WUR;

/* Resolve an INTENT/UNKNOWN row from the conversation: 1 sent, 0 not sent, 2 unknown, -1 error. */
int send_reconcile(struct send_ctx *c, const char *request_id, struct err *e) TH_WUR;

/*
 * The journaled work of a flush, with an open context: reconcile unknown sends and stale
 * intents, write due notes (sends' and replies'), prune. force: ignore next-attempt times;
 * include_stopped: retry stopped notes too (a person asked). Reading new replies is not
 * part of it: flush_outbox (flush.h) does that first, then calls this.
 */
int send_flush_ctx(struct send_ctx *c, int force, int include_stopped,
                   struct send_flush_counts *out, struct err *e) TH_WUR;

#define SEND_FIX_MAX 512

/*
 * What a person should do about a stopped note, from its last error: fix the
 * configuration then `textus-host outbox flush`, or — for a note Greenhouse
 * will never take (send_note_never) — `textus-host outbox dismiss <request_id>`
 * (request_id NULL: the command names REQUEST_ID and where to find it).
 */
void send_stopped_fix(char *out, size_t outsz, const char *last_error, const char *request_id);

/* 1 when a note that failed with last_error can never be written as it is (404 candidate, 4xx). */
int send_note_never(const char *last_error);

/* A send request (all strings NUL-terminated; visibility NULL = settings default). */
struct send_request {
    const char *request_id;
    const char *candidate_id;
    const char *to;
    const char *body;
    const char *visibility;
    int override_quiet_hours; /* send even outside the quiet-hours window (the note says so) */
    int schedule;             /* schedule_sms: POST .../messages/schedule for send_at */
    int64_t send_at;          /* schedule: epoch seconds (send_parse_send_at) */
    /* reply once the SMS is accepted and journaled, and write the note after the reply (an
     * event on the port): only when env->after_reply lets the handler work after it */
    int reply_before_note;
    /* `textus-host send` (the extension takes the id from the page's address): before
     * anything is sent, look the candidate up in Greenhouse (when notes are on) and refuse
     * one that is not there; the result then has "candidate": {"id", "name"} */
    int check_candidate;
    /* `textus-host send --to-unlisted`: `to` is not one of the candidate's Greenhouse
     * numbers and the person sent it anyway (journaled; the note says so) */
    int to_unlisted;
    const struct handler_env *env;
    /* one candidate of a bulk (bulk.h): request_id is the derived "<bulk id>:<candidate id>"
     * (outbox_bulk_item_id), which no request from the extension can be */
    int bulk_item;
    /* the candidate's name when the caller knows it (the profile's, handler_extract_name):
     * kept on the thread once sent, for the inbox (outbox_thread_name); NULL: not known */
    const char *name;
};

/* A scheduled time is at least this far ahead, and at most this many days. */
#define SEND_SCHEDULE_MIN_S    60
#define SEND_SCHEDULE_MAX_DAYS 90
#define SEND_AT_RULE                                                                               \
    "\"send_at\" must be an ISO-8601 UTC time: YYYY-MM-DDTHH:MM:SSZ (a fraction allowed)"

/* "YYYY-MM-DDTHH:MM:SS[.fff]Z" to epoch seconds; -1 when it is not that (a local time is). */
int64_t send_parse_send_at(const char *s);

/*
 * The whole send flow (send_sms, and schedule_sms when r->schedule) on the port's context;
 * fills result ({"message", "note", "replayed"}, and for a schedule "scheduled_at",
 * "scheduled_local"). A new request
 * outside the quiet-hours window is refused with quiet_hours and its fields left in result
 * under HANDLER_ERROR_FIELDS (handler.h) unless override_quiet_hours (sends only).
 */
int send_sms(const struct send_request *r, cJSON *result, struct err *e) TH_WUR;

struct quiet_result;

/* Add name: [{"zone", "local_time", "allowed"}, ...] for each of q's zones to obj (the shape
 * PROTOCOL.md gives local_time's time_zones and quiet_hours' error fields). */
void send_quiet_zones_json(cJSON *obj, const char *name, const struct quiet_result *q);

/*
 * Add {"outbox": {...counts..., "stopped_fix"}} to a status document, after
 * reconciling unknown sends when reconcile is set. Quiet (adds an "error"
 * member) when the outbox cannot be read. For handler_status / cli status.
 */
int send_status_outbox(cJSON *status, int reconcile);

/* Print the "outbox" member that send_status_outbox added to a status document. */
void cli_outbox_status_print(const cJSON *status);

#endif
