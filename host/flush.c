/*
 * flush — the whole outbox flush: new replies, then the journaled work (see flush.h).
 * [engine]
 */
#include "flush.h"

#include "conversation.h"

int flush_outbox(int force, int include_stopped, struct send_flush_counts *out, struct err *e)
{
    struct conv_flush_counts cf;
    struct send_ctx c;
    int r = -1;

    if (send_ctx_open(&c, 1, e) != 0)
        return -1;
    /* new replies first, so that this flush writes their notes too */
    if (!c.note_enabled || conversation_flush_replies(&c, &cf, e) == 0)
        r = send_flush_ctx(&c, force, include_stopped, out, e);
    send_ctx_close(&c);
    return r;
}
