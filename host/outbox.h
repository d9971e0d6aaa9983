/*
 * outbox — the durable journal of the send flow (the only code that touches
 * SQLite).
 *
 * One row per request_id records what the host promised and what it has done:
 * the intent to send (journaled durably before the POST), the TextUs message
 * id once known, the note's state, attempts and id. Phone numbers, bodies and
 * note texts are sealed (XChaCha20-Poly1305) with a key the caller passes in;
 * ids and states are in clear so that status and flush need no decryption.
 *
 * The database is shared by every host process (one per browser port): WAL,
 * a busy timeout, and every read-modify-write in a BEGIN IMMEDIATE transaction.
 * The commits exactly once needs (the intent, the message id with the note's
 * first claim, a later note claim, the note id, a decision) are durable
 * (synchronous=FULL: one fdatasync each); the others (a stored reply, a cached
 * delivery state, a failed attempt, an unknown outcome, a claim's renewal,
 * pruning) are not
 * (NORMAL), and become durable with the next durable commit. A host closing the
 * outbox does not checkpoint it. Rows that a process is working on carry its pid
 * and a lease, so another process never re-drives work that is in flight.
 *
 * Leases: a claim lasts the handle's lease (outbox_set_lease_ms: the caller sizes it
 * from the worst case of the longest step a claim covers, never under
 * OUTBOX_LEASE_MS). Another process takes a claim over only when its owner is gone
 * or its lease has run out, and then looks for what the owner may have done (a
 * note's marker in the feed) before doing it again. The owner re-takes its claim
 * right before each POST (outbox_note_renew: still its own and unexpired, extended
 * in the same statement) and posts only when that succeeded; so a POST under way
 * when a lease runs out has ended before anyone else can take over, and an owner
 * whose claim was taken over never posts.
 *
 * A marker file next to the database ("pending" in the same directory, which
 * is paths.pending for paths.outbox) exists exactly when some
 * row needs more work (a pending note, an unknown send, a stale intent), so
 * that a fresh host can tell without loading SQLite whether to flush.
 *
 * Replies (schema 3): a candidate's answer to a text is a row of its own
 * (kind "reply", request id "reply:<candidate id>:<message>", see
 * outbox_reply_id), inserted once whatever the number of processes that see
 * it, whose note goes through the same claim / lease / note states as a
 * send's. The "threads" table remembers each (candidate, number) this host has
 * texted: when first and last (the first text is where replies start to be
 * logged), how far its replies were read (the newest message of the last
 * complete read), (schema 4) the candidate's name, sealed, for the inbox, and
 * (schema 5) the candidate's messages in a row at the newest end as of that read
 * (how many, since when, whether counted to the outgoing text before them), so that
 * the inbox's count does not shrink when a later pass reads only what is new. It
 * outlives the pruning of the rows it came from.
 * [engine]
 */
#ifndef TH_OUTBOX_H
#define TH_OUTBOX_H

#include "common.h"

#include <stddef.h>
#include <stdint.h>

#include "error.h"

#define OUTBOX_KEY_BYTES      32
#define OUTBOX_SCHEMA_VERSION 5
#define OUTBOX_REQUEST_ID_MAX 64
#define OUTBOX_PRUNE_AGE_MS   (30LL * 24 * 3600 * 1000)
#define OUTBOX_THREAD_AGE_MS  (180LL * 24 * 3600 * 1000) /* threads last texted before: pruned */
#define OUTBOX_LEASE_MS       (120LL * 1000) /* the shortest lease (outbox_set_lease_ms) */
#define OUTBOX_MARKER_NAME    "pending"

struct outbox;

enum outbox_send {
    OUTBOX_SEND_INTENT = 0, /* journaled; the POST may or may not have happened */
    OUTBOX_SEND_SENT,       /* TextUs accepted it; message_id known */
    OUTBOX_SEND_UNKNOWN,    /* the POST may have reached TextUs; reconcile before anything */
    OUTBOX_SEND_NOT_SENT    /* decided: no message went out for this request id */
};

enum outbox_note {
    OUTBOX_NOTE_PENDING = 0, /* to be written (after the send) */
    OUTBOX_NOTE_WRITTEN,     /* note_id known */
    OUTBOX_NOTE_DISABLED,    /* notes are off in settings */
    OUTBOX_NOTE_STOPPED,     /* needs a person: retries stopped until fixed (or dismissed) */
    OUTBOX_NOTE_DISMISSED    /* a person decided it will never be written (outbox dismiss) */
};

/* What a send request promises; all strings NUL-terminated. */
struct outbox_req {
    const char *request_id;   /* 1-64 of [A-Za-z0-9_-] */
    const char *candidate_id; /* digits */
    const char *to;           /* E.164 */
    const char *body;
    const char *visibility; /* private | public | admin_only */
    int note_enabled;
    int schedule;       /* 1: a scheduled send (POST .../messages/schedule) */
    int64_t send_at_ms; /* schedule: the time asked for (part of the content) */
    int quiet_override; /* sent outside the quiet-hours window on the recruiter's word */
    int to_unlisted;    /* `to` is not on the candidate's record; sent on the person's word */
};

/* One journal row. to/body/note_body are opened copies (malloc'd, wiped by outbox_entry_free). */
struct outbox_entry {
    char request_id[OUTBOX_REQUEST_ID_MAX + 1];
    char candidate_id[32];
    char visibility[16];
    enum outbox_send send_state;
    enum outbox_note note_state;
    char message_id[128];
    char conversation[128];
    char delivery_state[32];
    char note_id[64];
    int note_attempts;
    int64_t next_attempt_ms;
    char last_error[256];
    char send_error_code[32];
    int64_t created_ms; /* when the intent was journaled */
    int64_t updated_ms;
    int64_t owner_pid;
    int64_t lease_until_ms;
    int is_reply; /* a candidate's reply (to: their number, body: their text), not a send */
    char *to;
    char *body;
    char *note_body; /* NULL until the message id is journaled */
    char *reply;     /* the first reply's JSON result, NULL until set */
    int schedule;    /* a scheduled send */
    int64_t send_at_ms;
    int quiet_override;
    int to_unlisted;
};

struct outbox_counts {
    long total;
    long intent; /* journaled, not yet resolved */
    long sent;
    long unknown; /* send_unknown */
    long not_sent;
    long note_pending; /* sent, note still to be written */
    long note_written;
    long note_disabled;
    long note_stopped;   /* needs a person: permission or auth */
    long note_dismissed; /* a person gave up on them: counted nowhere else */
    /* reply notes (rows of kind "reply"; none of the counts above includes them) */
    long reply_pending;
    long reply_written;
    long reply_stopped;
    long reply_dismissed;
    char stopped_error[256]; /* the latest stopped note's error (send or reply), "" when none */
    char stopped_request_id[OUTBOX_REQUEST_ID_MAX + 1]; /* and its request id */
};

/* Which rows outbox_ids returns. */
enum outbox_select {
    OUTBOX_SELECT_ALL = 0, /* sends, newest first */
    OUTBOX_SELECT_WORK,    /* anything flush may act on (unknown, stale intent, pending notes) */
    OUTBOX_SELECT_WORK_STOPPED, /* WORK plus stopped notes (a person asked to retry them) */
    OUTBOX_SELECT_STOPPED,      /* stopped notes (sends and replies), newest first */
    OUTBOX_SELECT_REPLIES       /* reply rows, newest first */
};

/* Wall clock in milliseconds (overridable in tests with outbox_set_clock). */
int64_t outbox_now_ms(void);
void outbox_set_clock(int64_t (*clock_fn)(void));

/*
 * Open (creating with mode 0600, parent directory 0700) and migrate the
 * database at path. key: 32 bytes; sub-keys for sealing and content hashing are
 * derived from it. A database from a newer host version is refused.
 */
int outbox_open(struct outbox **out, const char *path, const unsigned char key[OUTBOX_KEY_BYTES],
                struct err *e) TH_WUR;
void outbox_close(struct outbox *ob);

/* The database path this outbox was opened with. */
const char *outbox_path(const struct outbox *ob);

/*
 * How long the claims this handle makes last (journal_intent, mark_sent_claim,
 * claim_send, note_claim, note_renew): lease_ms, or OUTBOX_LEASE_MS when that is
 * longer (the default). It must outlast the longest step a claim covers without
 * being renewed (see the top comment).
 */
void outbox_set_lease_ms(struct outbox *ob, int64_t lease_ms);
int64_t outbox_lease_ms(const struct outbox *ob);

/* The marker path for a database path: "<dir of db>/pending". 0, or -1 when it does not fit. */
int outbox_marker_path(char *out, size_t outsz, const char *db_path) TH_WUR;

/*
 * Look up req->request_id. Returns 1 and fills *out when a row exists with the
 * same content, 0 when there is none, -1 on error — ERR_REQUEST_ID_CONFLICT
 * when the id exists with different content (candidate, number, body or
 * visibility).
 */
int outbox_lookup(struct outbox *ob, const struct outbox_req *req, struct outbox_entry *out,
                  struct err *e) TH_WUR;

/* Read a row by id: 1 found, 0 none, -1 error. */
int outbox_get(struct outbox *ob, const char *request_id, struct outbox_entry *out,
               struct err *e) TH_WUR;

/*
 * Journal the intent durably (committed with synchronous=FULL before this
 * returns), owned by this process with a lease. Returns 1 when inserted, 0 when
 * another process journaled the same id first, -1 on error.
 */
int outbox_journal_intent(struct outbox *ob, const struct outbox_req *req, struct err *e) TH_WUR;

/*
 * Record the outcome of the send. Each applies only from INTENT or UNKNOWN and
 * returns 1 when applied, 0 when the row was already resolved, -1 on error.
 * mark_sent also seals note_body (the exact text every note attempt will post).
 */
int outbox_mark_sent(struct outbox *ob, const char *request_id, const char *message_id,
                     const char *conversation, const char *delivery_state, const char *note_body,
                     struct err *e) TH_WUR;
/*
 * outbox_mark_sent for the process that made the POST, claiming the note's first
 * attempt in the same durable commit (note_attempts + 1, this process's lease) when
 * the note is pending: the note can then be posted at once (send_note_post) or after
 * the reply, one commit sooner, and a crash in between leaves an attempt on record,
 * so the next one looks for the note before posting.
 */
int outbox_mark_sent_claim(struct outbox *ob, const char *request_id, const char *message_id,
                           const char *conversation, const char *delivery_state,
                           const char *note_body, struct err *e) TH_WUR;
int outbox_mark_unknown(struct outbox *ob, const char *request_id, const char *why,
                        struct err *e) TH_WUR;
int outbox_mark_not_sent(struct outbox *ob, const char *request_id, const char *code,
                         const char *why, struct err *e) TH_WUR;

/* Forget a row whose POST certainly never reached TextUs (so the same id may try again). */
int outbox_forget(struct outbox *ob, const char *request_id, struct err *e) TH_WUR;

/* Take over an INTENT/UNKNOWN row for reconciliation or a stale intent: 1 claimed, 0 busy. */
int outbox_claim_send(struct outbox *ob, const char *request_id, struct err *e) TH_WUR;

/*
 * Claim the note of a SENT row for one attempt: 1 claimed (note_attempts was
 * incremented and *prior_attempts holds its value before — at least 1 when the
 * claim was taken over from another process, whose attempt may have landed), 0
 * when there is nothing to do now (written, disabled, stopped unless
 * include_stopped, not due yet unless force, or another live process holds it
 * with an unexpired lease), -1 on error.
 */
int outbox_note_claim(struct outbox *ob, const char *request_id, int force, int include_stopped,
                      int *prior_attempts, struct err *e) TH_WUR;
/*
 * Re-take this process's claim on a note right before its POST: 1 when the claim is
 * still this process's and its lease has not run out (the lease then starts again
 * from now), 0 when it is not (taken over, released, or expired: do not post; the
 * journal is left to whoever holds it, or to the next flush), -1 on error. One
 * statement under the write lock, so no other process can claim in between.
 */
int outbox_note_renew(struct outbox *ob, const char *request_id, struct err *e) TH_WUR;
int outbox_note_written(struct outbox *ob, const char *request_id, const char *note_id,
                        struct err *e) TH_WUR;
/* A failed attempt: stop=1 for permission/auth (no more automatic retries). Applies only
 * while this process holds the claim (returns 0 otherwise: another process took it over). */
int outbox_note_failed(struct outbox *ob, const char *request_id, int stop, const char *why,
                       int64_t next_attempt_ms, struct err *e) TH_WUR;

/*
 * A person's decision that the note of a sent row will never be written (the
 * candidate was deleted, Greenhouse refuses it for good): the row's note state
 * becomes "dismissed" (updated_ms records when; last_error keeps why it
 * failed), no flush tries it again, and no count of work waiting includes it.
 * Applies to a pending or stopped note of a SENT row that no live process is
 * working on: returns 1 dismissed, 0 when the row is not in that state (or is
 * busy: *busy set), -1 on error.
 */
int outbox_note_dismiss(struct outbox *ob, const char *request_id, int *busy, struct err *e) TH_WUR;

/* Update the delivery state cached for a message (message_status). */
int outbox_set_delivery(struct outbox *ob, const char *message_id, const char *delivery_state,
                        struct err *e) TH_WUR;

/* 1 when another row (not except_request_id) already holds message_id, 0 when none, -1 error. */
int outbox_message_known(struct outbox *ob, const char *message_id, const char *except_request_id,
                         struct err *e) TH_WUR;

/* Store the JSON of the first reply (for replays and `outbox list`). */
int outbox_set_reply(struct outbox *ob, const char *request_id, const char *reply_json,
                     struct err *e) TH_WUR;

/* Up to max request ids (each OUTBOX_REQUEST_ID_MAX+1 bytes) into ids; *n gets the count. */
int outbox_ids(struct outbox *ob, enum outbox_select which, char (*ids)[OUTBOX_REQUEST_ID_MAX + 1],
               size_t max, size_t *n, struct err *e) TH_WUR;

int outbox_counts(struct outbox *ob, struct outbox_counts *c, struct err *e) TH_WUR;

/* Delete finished rows last updated before now_ms - OUTBOX_PRUNE_AGE_MS; returns the count or -1.
 */
long outbox_prune(struct outbox *ob, int64_t now_ms, struct err *e) TH_WUR;

/* 1 when the row's owner is another live process whose lease has not expired. */
int outbox_entry_busy(const struct outbox_entry *en);

/* Wipe and free the opened fields of an entry (safe on a zeroed entry). */
void outbox_entry_free(struct outbox_entry *en);

const char *outbox_send_name(enum outbox_send s);
const char *outbox_note_name(enum outbox_note n);

/* ---- replies and threads (schema 3) ---- */

#define OUTBOX_REPLY_PREFIX "reply:"

/*
 * The request id of a candidate's reply: "reply:<candidate id>:<message>" where
 * <message> is the message id's last segment ("/messages/QNDkpL" -> QNDkpL)
 * when it is 1-39 of [A-Za-z0-9_-], else "h" + 32 hex of its BLAKE2b hash.
 * The same reply always gets the same id (no key involved), and no send's
 * request id can be one (':' is not allowed in those). 0, or -1 when it does
 * not fit.
 */
int outbox_reply_id(char out[OUTBOX_REQUEST_ID_MAX + 1], const char *candidate_id,
                    const char *message_id) TH_WUR;
/* 1 when s has the shape outbox_reply_id makes. */
int outbox_reply_id_ok(const char *s);

/* A reply to journal; all strings NUL-terminated. */
struct outbox_reply {
    const char *candidate_id;
    const char *from;         /* the candidate's number (E.164), sealed */
    const char *message_id;   /* "/messages/..." */
    const char *conversation; /* "/conversations/..." or NULL */
    const char *body;         /* the reply's text, sealed */
    const char *note_body;    /* the exact note every attempt will post, sealed */
    const char *visibility;
};

/*
 * Journal a reply whose note is to be written (note state pending), once: the
 * row's key is outbox_reply_id, so a reply seen by several processes (or twice)
 * is inserted once. 1 inserted, 0 already journaled, -1 error.
 */
int outbox_journal_reply(struct outbox *ob, const struct outbox_reply *r, struct err *e) TH_WUR;

/* Request ids of the candidate's replies whose note is pending, oldest first. */
int outbox_reply_ids(struct outbox *ob, const char *candidate_id,
                     char (*ids)[OUTBOX_REQUEST_ID_MAX + 1], size_t max, size_t *n,
                     struct err *e) TH_WUR;

/* How many of the candidate's replies have a note not written yet (pending or stopped), or -1. */
long outbox_replies_waiting(struct outbox *ob, const char *candidate_id, struct err *e);

/* A (candidate, number) this host has texted (a row of "threads"). */
struct outbox_thread {
    char candidate_id[32];
    char *to;                   /* opened copy (malloc'd; outbox_thread_free) */
    int64_t first_sent_ms;      /* the intent time of the first text that went out */
    char first_message_id[128]; /* its TextUs message id */
    int64_t last_sent_ms;       /* the intent time of the latest */
    char seen_message_id[128];  /* newest timeline message of the last complete read, "" */
    int64_t checked_ms;         /* when a flush last read it, 0 never */
    int to_unlisted;            /* its first text went out with to_unlisted (not on the record) */
    char name[256];             /* the candidate's name (schema 4, opened), "" when not known */
    struct outbox_thread_head {
        long in;          /* the candidate's messages in a row at the newest end (schema 5) */
        int64_t since_ms; /* the oldest of them, -1 unreadable */
        int closed;       /* counted back to an outgoing message; in == 0 && !closed: unknown */
    } head;               /* as of seen_message_id */
};

/* The thread of (candidate, number): 1 found, 0 none (never texted by this host), -1 error. */
int outbox_thread_get(struct outbox *ob, const char *candidate_id, const char *to,
                      struct outbox_thread *out, struct err *e) TH_WUR;

/*
 * Threads texted since since_ms for a flush to read, at most max: first the
 * newest by their latest text (half of max), then the ones a flush read longest
 * ago, so that every thread is read within a few flushes. *n gets the count;
 * free each with outbox_thread_free.
 */
int outbox_threads_due(struct outbox *ob, int64_t since_ms, struct outbox_thread *out, size_t max,
                       size_t *n, struct err *e) TH_WUR;

/*
 * Record a read of the thread's replies: seen_message_id (NULL: unchanged) is
 * the newest timeline message of a complete read; by_flush sets checked_ms;
 * head (NULL: unchanged) the candidate's messages in a row as of seen_message_id.
 */
int outbox_thread_read(struct outbox *ob, const char *candidate_id, const char *to,
                       const char *seen_message_id, const struct outbox_thread_head *head,
                       int by_flush, struct err *e) TH_WUR;

void outbox_thread_free(struct outbox_thread *t);

/*
 * The candidate's name on the thread of (candidate, number), sealed like its number (schema
 * 4): the name Greenhouse gave when the host texted them (replace: 1), or the TextUs
 * contact's, kept only where none is known (replace: 0). An empty name changes nothing. 1
 * recorded, 0 not (no such thread, or a name kept), -1 error.
 */
int outbox_thread_name(struct outbox *ob, const char *candidate_id, const char *to,
                       const char *name, int replace, struct err *e) TH_WUR;

/* Recompute the pending-work marker file (also done after every state change). */
int outbox_refresh_marker(struct outbox *ob, struct err *e) TH_WUR;

/* ---- bulks (bulk_send, host/bulk.h) ----
 *
 * A bulk is a list of single sends: its own row ("bulks": the body, sealed, the options, the
 * candidate list's keyed hash, cancelled / finished times and the process driving it with a
 * lease) and one row per candidate ("bulk_items": its state, why it was skipped or failed,
 * and once resolved the number and merged body it is texted with, sealed, and a scheduled
 * time). Each candidate's text is an ordinary journal row under the derived request id
 * "<request id>:<candidate id>" (outbox_bulk_item_id), so the journal alone decides whether
 * it was sent. The tables are created on first use (no schema version change: a host that
 * does not know them leaves them alone).
 */

#define OUTBOX_BULK_ID_MAX    45 /* a bulk's request id: the derived ids then fit in 64 */
#define OUTBOX_BULK_ITEMS_MAX 500

/* What bulk_send asked for; strings NUL-terminated; job_id may be NULL. */
struct outbox_bulk_req {
    const char *request_id;
    const char *body;
    const char *job_id;
    const char *quiet_mode; /* "schedule" | "skip" */
    const char *visibility;
    const char *const *candidate_ids; /* valid, distinct, in the order given */
    size_t n;
    const unsigned char *list_hash; /* 32 bytes: outbox_bulk_list_hash of the request as sent */
};

struct outbox_bulk {
    char request_id[OUTBOX_REQUEST_ID_MAX + 1];
    char *body; /* opened copy: outbox_bulk_free */
    char job_id[32];
    char quiet_mode[16];
    char visibility[16];
    long total;
    int64_t created_ms, cancelled_ms, finished_ms;
    int64_t owner_pid, lease_until_ms;
};

struct outbox_bulk_item {
    char candidate_id[32];
    char state[16];  /* pending ready unknown sent scheduled skipped failed cancelled */
    char reason[32]; /* skipped / failed: a word (PROTOCOL.md, bulk_send) */
    char detail[256];
    char *to;   /* resolved number, opened (NULL before) */
    char *body; /* merged body, opened (NULL before) */
    int64_t send_at_ms;
};

/* "<request id>:<candidate id>": 0, or -1 when it does not fit. */
int outbox_bulk_item_id(char out[OUTBOX_REQUEST_ID_MAX + 1], const char *request_id,
                        const char *candidate_id) TH_WUR;

/* A keyed hash (the outbox's hash key) of what a bulk_send asked for, every field and the
 * candidate list as sent (out: 32 bytes), for outbox_bulk_begin's comparison. */
void outbox_bulk_list_hash(struct outbox *ob, unsigned char out[32], const char *body,
                           const char *job_id, const char *quiet_mode, const char *visibility,
                           const char *const *raw_ids, size_t n_raw);

/*
 * Record a bulk and its candidates (state pending) durably. 1 recorded, 0 already there with
 * the same content, -1 error (ERR_REQUEST_ID_CONFLICT when the id holds another bulk).
 */
int outbox_bulk_begin(struct outbox *ob, const struct outbox_bulk_req *req, struct err *e) TH_WUR;

/* Read a bulk: 1 found, 0 none, -1 error. */
int outbox_bulk_get(struct outbox *ob, const char *request_id, struct outbox_bulk *out,
                    struct err *e) TH_WUR;
void outbox_bulk_free(struct outbox_bulk *b);

/* Its candidates in the order given (*out malloc'd, *n rows; open: also open to/body). */
int outbox_bulk_items(struct outbox *ob, const char *request_id, int open,
                      struct outbox_bulk_item **out, size_t *n, struct err *e) TH_WUR;
void outbox_bulk_items_free(struct outbox_bulk_item *items, size_t n);

/*
 * A pending candidate resolved and about to be texted: state ready with its number, body and
 * scheduled time (0: now). Applies only while the item is pending and the bulk not
 * cancelled: 1 applied, 0 not (cancelled), -1 error.
 */
int outbox_bulk_item_ready(struct outbox *ob, const char *request_id, const char *candidate_id,
                           const char *to, const char *body, int64_t send_at_ms,
                           struct err *e) TH_WUR;
/* Set a candidate's state (reason, detail may be NULL). 1 applied, 0 no such item, -1 error. */
int outbox_bulk_item_set(struct outbox *ob, const char *request_id, const char *candidate_id,
                         const char *state, const char *reason, const char *detail,
                         struct err *e) TH_WUR;

/* Cancel (durable): the bulk is marked cancelled and its pending candidates too. 1 done (or
 * cancelled before), 0 no such bulk, -1 error. */
int outbox_bulk_cancel(struct outbox *ob, const char *request_id, struct err *e) TH_WUR;

/* Drive the bulk: take or renew its lease for this process. 1 ours, 0 another live process
 * drives it, -1 error. */
int outbox_bulk_claim(struct outbox *ob, const char *request_id, struct err *e) TH_WUR;
/* Every candidate is final: record when, and let go of the lease. */
int outbox_bulk_finish(struct outbox *ob, const char *request_id, struct err *e) TH_WUR;
/* Let go of the lease (the bulk is not finished). */
int outbox_bulk_release(struct outbox *ob, const char *request_id, struct err *e) TH_WUR;

#endif
