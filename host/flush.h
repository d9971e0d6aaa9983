/*
 * flush — the whole outbox flush (verb flush_outbox, `textus-host outbox flush`):
 * first the new replies of the numbers texted recently (conversation.h), so that
 * their notes are written by the same flush, then the journaled work — unknown
 * sends reconciled, due notes of sends and replies written, old rows pruned
 * (send.h). It calls both, so that neither calls the other: conversation uses
 * send, never the reverse. A host's start-up flush (send.c) finishes only what is
 * journaled: it never reads TextUs on a port a browser opens.
 * [engine]
 */
#ifndef TH_FLUSH_H
#define TH_FLUSH_H

#include "common.h"

#include <cjson/cJSON.h>

#include "error.h"
#include "send.h"

/*
 * Open the store and the outbox, read the new replies (when notes are enabled), then
 * send_flush_ctx. force: ignore next-attempt times; include_stopped: retry stopped notes
 * too (a person asked). Counts in *out; -1 with *e when the store or the outbox fails.
 */
int flush_outbox(int force, int include_stopped, struct send_flush_counts *out,
                 struct err *e) TH_WUR;

/*
 * flush_outbox, and when inbox (an object) is given, the inbox verb's answer in it
 * (conversation_inbox_ctx) from the same pass over the conversations: the replies are read
 * once for both, and their notes written by the flush ("replies_logged" in inbox is the
 * flush's). TextUs is read even while notes are off (the inbox's conversation reads only).
 */
int flush_outbox_inbox(int force, int include_stopped, struct send_flush_counts *out, cJSON *inbox,
                       struct err *e) TH_WUR;

#endif
