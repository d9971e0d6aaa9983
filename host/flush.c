/*
 * flush — the whole outbox flush: new replies, then the journaled work (see flush.h).
 * [engine]
 */
#include "flush.h"

#include "conversation.h"

int flush_outbox_inbox(int force, int include_stopped, struct send_flush_counts *out, cJSON *inbox,
                       struct err *e)
{
    struct conv_flush_counts cf;
    struct send_ctx c;
    int r = -1, read;

    if (send_ctx_open(&c, 1, e) != 0)
        return -1;
    /* new replies first, so that this flush writes their notes too; with the inbox, its pass
     * is the flush's (the same reads, once) */
    if (inbox)
        read = conversation_inbox_ctx(&c, CONV_FLUSH_THREADS, 0, inbox, &cf, e);
    else
        read = c.note_enabled ? conversation_flush_replies(&c, &cf, e) : 0;
    if (read == 0)
        r = send_flush_ctx(&c, force, include_stopped, out, e);
    if (r == 0 && inbox)
        cJSON_AddNumberToObject(inbox, "replies_logged", (double)out->replies_logged);
    send_ctx_close(&c);
    return r;
}

int flush_outbox(int force, int include_stopped, struct send_flush_counts *out, struct err *e)
{
    return flush_outbox_inbox(force, include_stopped, out, NULL, e);
}
