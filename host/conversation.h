/*
 * conversation — the two-way thread: the `conversation` verb
 * (a number's TextUs conversation, the latest CONV_ITEMS_MAX messages, oldest
 * first) and the logging of a candidate's replies as Greenhouse notes.
 *
 * Which replies are logged: with a candidate id, every inbound message that
 * TextUs shows after the first text this host sent to that number for that
 * candidate (the outbox's thread of the pair, outbox.h); earlier history is
 * shown, never logged. Each reply becomes one note, oldest first, exactly once
 * across processes, crashes and hosts: it is journaled under a key of its own
 * (outbox_reply_id, inserted once), its note is claimed with a lease, the
 * candidate's notes are searched for its marker "[textus:<message id>]" (the
 * note's whole last line only) before every post, and the note's id is
 * journaled (send_note_attempt, send.c). A reply's text and the contact's name
 * come from outside: a note carries them as notetext_clean makes them (no
 * control, bidi or zero-width character, markup escaped, cut), and the thread
 * shows at most the first 3000 bytes of each text.
 *
 * A flush reads the replies of the threads texted in the last 30 days, at most
 * CONV_FLUSH_THREADS per flush (half the newest by their latest text, half
 * those read longest ago), one conversation request each when nothing is new.
 *
 * The inbox (conversation_inbox) is that same pass: it reads what a flush reads,
 * journals and logs the new replies as a flush does, and lists the threads whose
 * last message is the candidate's (the conversation's latest message, and the
 * timeline when the pass walked it anyway), newest first.
 * [engine]
 */
#ifndef TH_CONVERSATION_H
#define TH_CONVERSATION_H

#include "common.h"

#include <cjson/cJSON.h>

#include "error.h"
#include "send.h"

#define CONV_ITEMS_MAX      50
#define CONV_FLUSH_THREADS  20
#define CONV_FLUSH_AGE_MS   (30LL * 24 * 3600 * 1000)
#define CONV_INBOX_BODY_MAX 300 /* bytes of a last message the inbox shows (one line) */

/* A conversation request; strings NUL-terminated. */
struct conv_request {
    const char *to;           /* +1NXXNXXXXXX */
    const char *candidate_id; /* NULL: show the thread, log nothing */
};

/*
 * The verb: validate (no network), read the opt-out, the conversation and its
 * timeline, journal and log the candidate's new replies, fill result with
 * {"to", "opted_out", "blocked", "items", "replies_logged", ...} (PROTOCOL.md).
 */
int conversation_read(const struct conv_request *r, cJSON *result, struct err *e) TH_WUR;

struct conv_flush_counts {
    long threads_read;      /* conversations read by this flush */
    long replies_journaled; /* new replies journaled (their notes are written by the flush) */
};

/*
 * A flush's share: journal the new replies of the threads due (see above). A
 * TextUs error on one thread is logged and the next is read; a rate limit (or
 * a Retry-After hold) ends the pass. -1 only when the outbox fails.
 */
int conversation_flush_replies(struct send_ctx *c, struct conv_flush_counts *out,
                               struct err *e) TH_WUR;

/*
 * Verb inbox: the flush's pass over the threads due (at most CONV_FLUSH_THREADS, the same
 * reads), their new replies journaled and their notes written, then result gets
 * {"threads": [{"to", "candidate_id", "name", "last", "unanswered", "counted_all",
 * "waiting_since"}], "threads_read", "replies_logged", "notes_enabled", "stopped"?}, at
 * most limit threads (1..CONV_FLUSH_THREADS), newest last message first (PROTOCOL.md).
 */
int conversation_inbox(long limit, cJSON *result, struct err *e) TH_WUR;

/*
 * The inbox on an open context c: the same pass and result; write_notes 0 leaves the new
 * replies' notes to the caller (flush_outbox with include_inbox, whose journaled work writes
 * them: one pass, one set of reads) and adds no "replies_logged". *cf gets the pass's counts.
 */
int conversation_inbox_ctx(struct send_ctx *c, long limit, int write_notes, cJSON *result,
                           struct conv_flush_counts *cf, struct err *e) TH_WUR;

#endif
