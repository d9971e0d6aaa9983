/*
 * conversation — the conversation verb and the logging of a candidate's
 * replies as Greenhouse notes (see conversation.h).
 * [engine]
 */
#include "conversation.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "failpoint.h"
#include "iso8601.h"
#include "log.h"
#include "notetext.h"
#include "outbox.h"
#include "phone.h"
#include "store.h"
#include "textus.h"

#define CONV_SKEW_MS     5000LL /* clock difference tolerated between this host and TextUs */
#define CONV_REPLIES_MAX 5000   /* inbound messages one read keeps (textus.c stops at 200 pages) */
#define CONV_NOTES_MAX   64     /* reply notes one verb call attempts */
/* Bytes of a message's text kept from a read: twice what a note carries (NOTETEXT_BODY_MAX),
 * so that a read holds at most 5000 x 16 KiB, whatever TextUs sends. */
#define CONV_BODY_KEEP (2 * NOTETEXT_BODY_MAX)
/* Bytes of a message's text the thread shows: 50 of them, each JSON-escaped to at most 6
 * bytes a byte, stay under Chrome's 1 MiB for a host's message (host/frame.h). */
#define CONV_ITEM_BODY_MAX 3000
#define CONV_NAME_MAX      128 /* bytes of the contact's name in a note */

/* One timeline message kept for display or for logging. */
struct conv_msg {
    struct textus_message m;
    char *body;    /* malloc'd copy (its first CONV_BODY_KEEP bytes), NULL when none */
    int cut;       /* body holds only the beginning of the message's text */
    int64_t at_ms; /* -1 when its timestamp cannot be read */
};

/* What one walk of a timeline (newest first) collects. */
struct conv_walk {
    size_t want_items;      /* messages to show (0: none) */
    struct conv_msg *items; /* newest first */
    size_t n_items;
    const struct outbox_thread *th; /* NULL: no replies are looked for */
    int scanning;                   /* 1 until the walk passes the thread's boundary */
    int by_id; /* it stopped at a message it knows: the first text, or the last read's newest */
    struct conv_msg *replies; /* inbound messages newer than the boundary, newest first */
    size_t n_replies, cap_replies;
    char newest_id[TEXTUS_ID_MAX]; /* the timeline's newest message */
    long head_in;                  /* inbound messages in a row at the newest end (the inbox) */
    int64_t head_since_ms;         /* the oldest of them, -1 when its time cannot be read */
    int head_closed;               /* an outgoing message ended that run */
    long head_at_seen; /* head_in when that run reached the last read's newest message, 0 */
};

static void conv_msgs_free(struct conv_msg *v, size_t n)
{
    size_t i;

    for (i = 0; v && i < n; i++) {
        if (v[i].body) {
            sodium_memzero(v[i].body, strlen(v[i].body));
            free(v[i].body);
        }
    }
    free(v);
}

static void conv_walk_free(struct conv_walk *w)
{
    conv_msgs_free(w->items, w->n_items);
    conv_msgs_free(w->replies, w->n_replies);
    memset(w, 0, sizeof(*w));
}

/* 'o' outgoing, 'i' inbound, 0 neither (TextUs examples say out/in, the type page outgoing). */
static int conv_direction(const char *d)
{
    if (strcmp(d, "out") == 0 || strcmp(d, "outgoing") == 0)
        return 'o';
    if (strcmp(d, "in") == 0 || strcmp(d, "incoming") == 0)
        return 'i';
    return 0;
}

static int conv_keep(struct conv_msg *slot, const struct textus_message *m, const char *body,
                     int64_t ts, struct err *e)
{
    size_t len = body ? strlen(body) : 0, keep = notetext_prefix(body, len, CONV_BODY_KEEP);

    slot->m = *m;
    slot->at_ms = ts;
    slot->cut = keep < len;
    slot->body = body ? malloc(keep + 1) : NULL;
    if (body && !slot->body) {
        err_set(e, ERR_INTERNAL, "out of memory");
        return -1;
    }
    if (body) {
        memcpy(slot->body, body, keep);
        slot->body[keep] = '\0';
    }
    return 0;
}

static int conv_member(const struct textus_message *m, const char *body, void *ud, int *stop,
                       struct err *e)
{
    struct conv_walk *w = ud;
    int64_t ts = -1; /* -1: a timestamp iso8601 cannot read */
    int dir = m->id[0] ? conv_direction(m->direction) : 0;

    if (iso8601_parse_ms(&ts, m->timestamp, strlen(m->timestamp)) != 0)
        ts = -1;

    if (m->id[0] && !w->newest_id[0])
        snprintf(w->newest_id, sizeof(w->newest_id), "%s", m->id);
    if (!w->head_closed && dir == 'o') {
        w->head_closed = 1;
    } else if (!w->head_closed && dir == 'i') {
        w->head_in++;
        w->head_since_ms = ts;
        if (w->th && w->th->seen_message_id[0] && strcmp(m->id, w->th->seen_message_id) == 0)
            w->head_at_seen = w->head_in;
    }
    if (w->scanning) {
        const struct outbox_thread *th = w->th;
        if (m->id[0] && ((th->seen_message_id[0] && strcmp(m->id, th->seen_message_id) == 0) ||
                         (th->first_message_id[0] && strcmp(m->id, th->first_message_id) == 0))) {
            w->scanning = 0; /* everything older was read before, or precedes the first text */
            w->by_id = 1;
        } else if (ts >= 0 && ts < th->first_sent_ms - CONV_SKEW_MS) {
            w->scanning = 0; /* newest first: everything further is older than the first text */
        } else if (dir == 'i') {
            if (w->n_replies == w->cap_replies) {
                size_t cap = w->cap_replies ? w->cap_replies * 2 : 16;
                struct conv_msg *v;
                if (cap > CONV_REPLIES_MAX) {
                    err_set(e, ERR_UPSTREAM_INVALID,
                            "TextUs shows more than %d replies since the first text; not logged",
                            CONV_REPLIES_MAX);
                    return -1;
                }
                v = realloc(w->replies, cap * sizeof(*v));
                if (!v) {
                    err_set(e, ERR_INTERNAL, "out of memory");
                    return -1;
                }
                w->replies = v;
                w->cap_replies = cap;
            }
            if (conv_keep(&w->replies[w->n_replies], m, body, ts, e) != 0)
                return -1;
            w->n_replies++;
        }
    }
    if (dir && w->n_items < w->want_items) {
        if (conv_keep(&w->items[w->n_items], m, body, ts, e) != 0)
            return -1;
        w->n_items++;
    }
    if (!w->scanning && w->n_items >= w->want_items)
        *stop = 1;
    return 0;
}

/* Walk the conversation's timeline into *w (set want_items and th first). */
static int conv_walk_run(struct send_ctx *c, const char *conversation_id, struct conv_walk *w,
                         struct err *e)
{
    if (w->want_items) {
        w->items = calloc(w->want_items, sizeof(*w->items));
        if (!w->items) {
            err_set(e, ERR_INTERNAL, "out of memory");
            return -1;
        }
    }
    w->scanning = w->th != NULL;
    return textus_timeline(&c->tx, conversation_id, conv_member, w, e);
}

/* The time for a note; TextUs's own text (made safe: it comes from outside) when unreadable. */
static void conv_fmt_utc(char *out, size_t outsz, int64_t ms, const char *raw)
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    char *safe = NULL;

    if (ms >= 0 && gmtime_r(&t, &tm) && strftime(out, outsz, "%Y-%m-%d %H:%M UTC", &tm))
        return;
    if (raw && *raw &&
        notetext_clean(&safe, NULL, raw, strlen(raw), 48, NOTETEXT_LINE | NOTETEXT_MARKUP, 0) ==
            0 &&
        *safe)
        snprintf(out, outsz, "%s", safe);
    else
        snprintf(out, outsz, "an unknown time");
    free(safe);
}

/*
 * The note of a reply: who replied, from which number, when, what, and the marker on the last
 * line. The contact's name and the text come from outside: made safe by notetext_clean (no
 * control, bidi or zero-width character, markup escaped, the text cut at NOTETEXT_BODY_MAX
 * bytes). malloc'd, NULL when out of memory.
 */
static char *conv_note_text(const char *who, const char *from, int unlisted,
                            const struct conv_msg *r)
{
    char when[64], marker[TEXTUS_ID_MAX + 16];
    char *name = NULL, *body = NULL, *out = NULL;
    const char *text = r->body ? r->body : "";
    size_t len;

    conv_fmt_utc(when, sizeof(when), r->at_ms, r->m.timestamp);
    if (send_note_marker(marker, sizeof(marker), r->m.id) != 0)
        return NULL;
    if (notetext_clean(&name, NULL, who, strlen(who), CONV_NAME_MAX,
                       NOTETEXT_LINE | NOTETEXT_MARKUP, 0) != 0 ||
        notetext_clean(&body, NULL, text, strlen(text), NOTETEXT_BODY_MAX, NOTETEXT_MARKUP,
                       r->cut) != 0)
        goto out;
    len = strlen(name) + strlen(from) + strlen(when) + strlen(body) + strlen(marker) + 256;
    out = malloc(len);
    if (out && unlisted) /* texted knowingly off the record: the reply may not be theirs */
        snprintf(out, len,
                 "Text message reply received via TextUs from %s%s%s (the number texted with "
                 "--to-unlisted or confirmed in the compose box; it is not on the candidate's "
                 "Greenhouse record) on %s:\n\n%s\n\n%s",
                 *name && strcmp(name, "the candidate") != 0 ? name : "",
                 *name && strcmp(name, "the candidate") != 0 ? ", " : "", from, when,
                 *body   ? body
                 : *text ? "(no character of the text can be shown)"
                         : "(no text: a picture or an attachment)",
                 marker);
    else if (out)
        snprintf(out, len, "Text message reply received via TextUs from %s (%s) on %s:\n\n%s\n\n%s",
                 *name ? name : "the candidate", from, when,
                 *body   ? body
                 : *text ? "(no character of the text can be shown)"
                         : "(no text: a picture or an attachment)",
                 marker);
out:
    if (body)
        sodium_memzero(body, strlen(body));
    free(name);
    free(body);
    return out;
}

/* 1 when the reply belongs to the thread's logged part (see conv_member's boundary). */
static int conv_reply_after(const struct conv_walk *w, const struct conv_msg *r)
{
    /* stopped at a known message: everything collected is newer than it; otherwise (stopped by
     * time, or the whole timeline read without meeting the first text) only what TextUs dates
     * after the first text's intent — an undatable message is never logged */
    return w->by_id || (r->at_ms >= 0 && r->at_ms > w->th->first_sent_ms);
}

/*
 * The candidate's messages in a row at the timeline's newest end after walk w of thread th: the
 * walk's own count when it reached an outgoing message; else, when the run reached the last
 * read's newest message, what the walk counted before it and what that read counted from it
 * (the walk stops there: without this an inbox that reads only what is new would count only
 * that, and shrink a candidate's wait); else what the walk counted (closed 0: at least that).
 */
static void conv_head(struct outbox_thread_head *h, const struct conv_walk *w,
                      const struct outbox_thread *th)
{
    h->in = w->head_in;
    h->since_ms = w->head_in > 0 ? w->head_since_ms : -1;
    h->closed = w->head_closed;
    if (!w->head_closed && w->head_at_seen > 0 && th->head.in > 0) {
        h->in = w->head_at_seen - 1 + th->head.in;
        h->since_ms = th->head.since_ms;
        h->closed = th->head.closed;
    }
}

/*
 * Journal the new replies a walk found, oldest first, then record the read
 * (its newest message) on the thread. -1 only when the outbox fails.
 */
static int conv_journal(struct send_ctx *c, const struct outbox_thread *th,
                        const char *conversation_id, const struct conv_walk *w, int by_flush,
                        long *journaled, char *who_out, size_t who_outsz, struct err *e)
{
    struct textus_contact contact;
    struct outbox_reply rep;
    struct outbox_thread_head head;
    char rid[OUTBOX_REQUEST_ID_MAX + 1];
    const char *who = "the candidate";
    size_t i;
    int any_new = 0, found = 0, r;

    for (i = 0; i < w->n_replies && !any_new; i++) {
        struct outbox_entry en;
        if (!conv_reply_after(w, &w->replies[i]) ||
            outbox_reply_id(rid, th->candidate_id, w->replies[i].m.id) != 0)
            continue;
        r = outbox_get(c->ob, rid, &en, e);
        if (r < 0)
            return -1;
        if (r == 1)
            outbox_entry_free(&en);
        else
            any_new = 1;
    }
    if (any_new) {
        /* who replied: the TextUs contact with this number, when there is one */
        struct err te;
        err_clear(&te);
        memset(&contact, 0, sizeof(contact));
        if (textus_find_contact(&c->tx, th->to, &contact, &found, &te) != 0)
            log_msg("replies: the contact's name could not be read: %s", te.message);
        else if (found && contact.name[0])
            who = contact.name;
        if (who_out && !who_out[0] && found && contact.name[0])
            snprintf(who_out, who_outsz, "%s", contact.name);
        /* kept on the thread for the inbox, where Greenhouse gave no name when it was texted
         * (a later inbox then names them without a request) */
        err_clear(&te);
        if (found && contact.name[0] &&
            outbox_thread_name(c->ob, th->candidate_id, th->to, contact.name, 0, &te) < 0)
            log_msg("replies: the contact's name could not be kept: %s", te.message);
    }
    for (i = w->n_replies; any_new && i-- > 0;) {
        const struct conv_msg *m = &w->replies[i];
        char *note;
        if (!conv_reply_after(w, m))
            continue;
        note = conv_note_text(who, th->to, th->to_unlisted, m);
        if (!note) {
            err_set(e, ERR_INTERNAL, "out of memory");
            return -1;
        }
        memset(&rep, 0, sizeof(rep));
        rep.candidate_id = th->candidate_id;
        rep.from = th->to;
        rep.message_id = m->m.id;
        rep.conversation = m->m.conversation[0] ? m->m.conversation : conversation_id;
        rep.body = m->body;
        rep.note_body = note;
        rep.visibility = store_note_visibility(c->store);
        r = outbox_journal_reply(c->ob, &rep, e);
        sodium_memzero(note, strlen(note));
        free(note);
        if (r < 0)
            return -1;
        if (r == 1) {
            (*journaled)++;
            log_msg("reply %s of candidate %s journaled", m->m.id, th->candidate_id);
        }
    }
    FAILPOINT("after_reply_journal");
    /* nothing new since the last read: no write (the compose box asks every minute) */
    if (!by_flush && strcmp(w->newest_id, th->seen_message_id) == 0)
        return 0;
    conv_head(&head, w, th);
    return outbox_thread_read(c->ob, th->candidate_id, th->to, w->newest_id, &head, by_flush, e);
}

/* ---- the verb ---- */

/* "2026-12-01T10:00:00.000Z" from ms, or the raw timestamp when it could not be read. */
static cJSON *conv_at(const struct conv_msg *m)
{
    char buf[40];
    time_t t = (time_t)(m->at_ms / 1000);
    struct tm tm;

    if (m->at_ms < 0 || !gmtime_r(&t, &tm) || !strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm))
        return m->m.timestamp[0] ? cJSON_CreateString(m->m.timestamp) : cJSON_CreateNull();
    snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), ".%03dZ", (int)(m->at_ms % 1000));
    return cJSON_CreateString(buf);
}

static cJSON *conv_item(const struct conv_msg *m)
{
    cJSON *o = cJSON_CreateObject();
    const char *st = m->m.delivery_state;
    const char *body = m->body ? m->body : "";
    int out = conv_direction(m->m.direction) == 'o';
    size_t len = strlen(body), keep = notetext_prefix(body, len, CONV_ITEM_BODY_MAX);

    if (!o)
        return NULL;
    cJSON_AddStringToObject(o, "id", m->m.id);
    cJSON_AddStringToObject(o, "direction", out ? "out" : "in");
    if (keep < len || m->cut) {
        /* a text longer than the thread shows: its beginning, and where the rest is */
        char *b = malloc(keep + sizeof(NOTETEXT_CUT) + 8);
        if (!b) {
            cJSON_Delete(o);
            return NULL;
        }
        snprintf(b, keep + sizeof(NOTETEXT_CUT) + 8, "%.*s\n%s", (int)keep, body, NOTETEXT_CUT);
        cJSON_AddStringToObject(o, "body", b);
        free(b);
        cJSON_AddTrueToObject(o, "cut");
    } else {
        cJSON_AddStringToObject(o, "body", body);
    }
    cJSON_AddStringToObject(o, "delivery_state", st);
    /* the help article's two outcomes, for outgoing texts (as message_status folds them) */
    if (out && strcmp(st, "delivered") == 0)
        cJSON_AddTrueToObject(o, "delivered");
    else if (out && (strcmp(st, "failed") == 0 || strcmp(st, "failed_transient") == 0 ||
                     strcmp(st, "unknown") == 0))
        cJSON_AddFalseToObject(o, "delivered");
    else
        cJSON_AddNullToObject(o, "delivered");
    cJSON_AddItemToObject(o, "at", conv_at(m));
    return o;
}

/* The code at the front of a journaled error ("greenhouse_auth: ...") into out. */
static void conv_error_code(char *out, size_t outsz, const char *last_error)
{
    size_t n = strcspn(last_error, ":");

    if (n >= outsz)
        n = outsz - 1;
    memcpy(out, last_error, n);
    out[n] = '\0';
}

/*
 * Write the candidate's pending reply notes, oldest first; *logged counts the
 * ones this call wrote. A note still not written leaves its journaled error in
 * result's "replies_error". -1 only when the outbox fails.
 */
static int conv_write_notes(struct send_ctx *c, const char *candidate_id, long *logged,
                            cJSON *result, struct err *e)
{
    static char ids[CONV_NOTES_MAX][OUTBOX_REQUEST_ID_MAX + 1];
    char last[256] = "", last_rid[OUTBOX_REQUEST_ID_MAX + 1] = "";
    int last_stopped = 0;
    size_t n = 0, i;

    if (outbox_reply_ids(c->ob, candidate_id, ids, CONV_NOTES_MAX, &n, e) != 0)
        return -1;
    for (i = 0; i < n; i++) {
        struct outbox_entry en;
        int written = 0, r;
        if (send_note_attempt(c, ids[i], 1, 0, &written, e) != 0)
            return -1;
        *logged += written;
        if (written)
            continue;
        r = outbox_get(c->ob, ids[i], &en, e);
        if (r < 0)
            return -1;
        if (r == 1 && en.note_state != OUTBOX_NOTE_WRITTEN && en.last_error[0]) {
            snprintf(last, sizeof(last), "%s", en.last_error);
            snprintf(last_rid, sizeof(last_rid), "%s", en.request_id);
            last_stopped = en.note_state == OUTBOX_NOTE_STOPPED;
        }
        if (r == 1)
            outbox_entry_free(&en);
    }
    if (last[0]) {
        char code[48], fix[SEND_FIX_MAX];
        cJSON *o = cJSON_AddObjectToObject(result, "replies_error");
        conv_error_code(code, sizeof(code), last);
        if (o) {
            cJSON_AddStringToObject(o, "code", code);
            cJSON_AddStringToObject(o, "message", last);
            cJSON_AddBoolToObject(o, "retrying", !last_stopped);
            if (last_stopped) {
                send_stopped_fix(fix, sizeof(fix), last, last_rid);
                cJSON_AddStringToObject(o, "fix", fix);
            }
        }
    }
    return 0;
}

int conversation_read(const struct conv_request *r, cJSON *result, struct err *e)
{
    struct send_ctx c;
    struct textus_conversation *conv = NULL;
    struct outbox_thread th;
    struct conv_walk w;
    cJSON *items, *scheduled;
    long journaled = 0, logged = 0, waiting;
    struct textus_number_check k;
    int have_thread = 0, logging, rc = -1;
    size_t i;

    memset(&w, 0, sizeof(w));
    memset(&th, 0, sizeof(th));
    if (!r->to || !phone_e164_nanp_valid(r->to)) {
        err_set(e, ERR_BAD_REQUEST, SEND_TO_RULE);
        return -1;
    }
    if (r->candidate_id && !phone_gh_id_valid(r->candidate_id)) {
        err_set(e, ERR_BAD_REQUEST, SEND_CANDIDATE_ID_RULE);
        return -1;
    }
    if (send_ctx_open(&c, r->candidate_id != NULL, e) != 0)
        return -1;
    logging = r->candidate_id && c.note_enabled;
    conv = calloc(1, sizeof(*conv));
    if (!conv) {
        err_set(e, ERR_INTERNAL, "out of memory");
        goto out;
    }
    /* https://apidocs.next.textus.com/docs/opt_outs/show and
     * https://apidocs.next.textus.com/docs/accounts/conversation/ (send.c's pre-send checks),
     * the two requests at once */
    if (textus_check_number(&c.tx, r->to, &k, conv, e) != 0)
        goto out;
    if (logging) {
        int got = outbox_thread_get(c.ob, r->candidate_id, r->to, &th, e);
        if (got < 0)
            goto out;
        have_thread = got == 1;
    }
    if (conv->found) {
        w.want_items = CONV_ITEMS_MAX;
        w.th = have_thread ? &th : NULL;
        if (conv_walk_run(&c, conv->id, &w, e) != 0)
            goto out;
        if (have_thread && conv_journal(&c, &th, conv->id, &w, 0, &journaled, NULL, 0, e) != 0)
            goto out;
    }
    if (logging && conv_write_notes(&c, r->candidate_id, &logged, result, e) != 0)
        goto out;
    cJSON_AddStringToObject(result, "to", r->to);
    cJSON_AddBoolToObject(result, "opted_out", k.opted_out || k.unsubscribed);
    cJSON_AddBoolToObject(result, "blocked", conv->found && conv->blocked);
    send_lock_json(result, k.opted_out ? &k.lock : NULL);
    items = cJSON_AddArrayToObject(result, "items");
    for (i = w.n_items; items && i-- > 0;) /* oldest first */
        cJSON_AddItemToArray(items, conv_item(&w.items[i]));
    /* the texts still to go: deliveryState "scheduled" ("will be sent later",
     * https://apidocs.next.textus.com/types/Message/) among the items; TextUs documents no
     * list, cancel or edit of scheduled messages, so they are shown read-only */
    scheduled = cJSON_AddArrayToObject(result, "scheduled");
    for (i = w.n_items; scheduled && i-- > 0;) {
        if (strcmp(w.items[i].m.delivery_state, "scheduled") == 0 &&
            conv_direction(w.items[i].m.direction) == 'o')
            cJSON_AddItemToArray(scheduled, conv_item(&w.items[i]));
    }
    cJSON_AddNumberToObject(result, "replies_logged", (double)logged);
    if (r->candidate_id) {
        char since[ISO8601_UTC_MAX];
        if (have_thread && iso8601_format_utc(since, sizeof(since), th.first_sent_ms / 1000) == 0)
            cJSON_AddStringToObject(result, "logging_since", since);
        else
            cJSON_AddNullToObject(result, "logging_since");
        waiting = logging ? outbox_replies_waiting(c.ob, r->candidate_id, e) : 0;
        if (waiting < 0)
            goto out;
        cJSON_AddNumberToObject(result, "replies_waiting", (double)waiting);
        cJSON_AddBoolToObject(result, "notes_enabled", c.note_enabled);
    }
    if (journaled || logged)
        log_msg("conversation: %ld repl%s journaled, %ld logged", journaled,
                journaled == 1 ? "y" : "ies", logged);
    rc = 0;
out:
    conv_walk_free(&w);
    outbox_thread_free(&th);
    free(conv);
    send_ctx_close(&c);
    return rc;
}

/* ---- flush, and the inbox on the same reads ---- */

/* What a pass saw of one thread whose last message is the candidate's (the inbox). */
struct conv_inbox_row {
    char candidate_id[32];
    char *to; /* malloc'd */
    struct textus_message last;
    char last_body[TEXTUS_BODY_MAX];
    int last_cut;
    int64_t last_ms;  /* -1 unreadable */
    long unanswered;  /* inbound messages in a row at the newest end, as far as read */
    int64_t since_ms; /* the oldest of them, -1 unreadable */
    int counted_all;  /* the read reached the outgoing text before them */
    char name[256];   /* the TextUs contact's name when the reply logging read it, "" */
    long journaled;   /* replies this pass journaled for the thread */
    int waiting;      /* 1: the last message is the candidate's */
};

/*
 * Read one thread for a flush or the inbox: 0 read (or nothing new), 1 TextUs failed (*te),
 * -1 outbox (*e). log: journal its new replies (note_enabled); row (may be NULL) gets what the
 * conversation's latest message and the walk say about who spoke last.
 */
static int conv_flush_thread(struct send_ctx *c, const struct outbox_thread *th, int log,
                             long *journaled, struct conv_inbox_row *row, struct err *te,
                             struct err *e)
{
    struct textus_conversation *conv = calloc(1, sizeof(*conv));
    struct conv_walk w;
    long before = *journaled;
    int rc = 1;

    memset(&w, 0, sizeof(w));
    if (!conv) {
        err_set(e, ERR_INTERNAL, "out of memory");
        return -1;
    }
    /* https://apidocs.next.textus.com/docs/accounts/conversation/ */
    if (textus_get_conversation(&c->tx, th->to, conv, te) != 0)
        goto checked;
    if (row && conv->found && conv->has_latest && conv_direction(conv->latest.direction) == 'i') {
        /* the conversation's latestPreviewableItem: the last message, with no further read */
        row->waiting = 1;
        row->last = conv->latest;
        snprintf(row->last_body, sizeof(row->last_body), "%s", conv->latest_body);
        row->last_cut = conv->latest_body_truncated;
        if (iso8601_parse_ms(&row->last_ms, conv->latest.timestamp,
                             strlen(conv->latest.timestamp)) != 0)
            row->last_ms = -1;
        row->unanswered = 1;
        row->since_ms = row->last_ms;
        if (th->head.in > 0 && th->seen_message_id[0] &&
            strcmp(conv->latest.id, th->seen_message_id) == 0) {
            /* nothing new since the last complete read: its count still holds */
            row->unanswered = th->head.in;
            row->since_ms = th->head.since_ms;
            row->counted_all = th->head.closed;
        }
    }
    if (!log || !conv->found ||
        (conv->has_latest && th->seen_message_id[0] &&
         strcmp(conv->latest.id, th->seen_message_id) == 0)) {
        rc = 0; /* no conversation, or nothing since the last complete read */
        goto checked;
    }
    w.th = th;
    w.head_since_ms = -1;
    /* https://apidocs.next.textus.com/docs/conversations/timeline */
    if (conv_walk_run(c, conv->id, &w, te) != 0)
        goto checked;
    if (row && (w.head_in > 0 || w.head_closed)) {
        /* the timeline is newer than the conversation's preview: it decides (with what the last
         * read counted before the messages new since) */
        struct outbox_thread_head h;
        conv_head(&h, &w, th);
        row->waiting = h.in > 0;
        row->unanswered = h.in;
        row->since_ms = h.since_ms;
        row->counted_all = h.closed;
    }
    rc = conv_journal(c, th, conv->id, &w, 1, journaled, row ? row->name : NULL,
                      row ? sizeof(row->name) : 0, e) != 0
             ? -1
             : 0;
    if (row)
        row->journaled = *journaled - before;
    goto out;
checked:
    /* a flush still moves on to the others next time */
    if (outbox_thread_read(c->ob, th->candidate_id, th->to, NULL, NULL, 1, e) != 0)
        rc = -1;
out:
    conv_walk_free(&w);
    free(conv);
    return rc;
}

/*
 * The flush's pass over the threads due (conversation_flush_replies); rows (may be NULL, else
 * CONV_FLUSH_THREADS of them) get each thread read, *stop the TextUs error that ended it.
 */
static int conv_flush_pass(struct send_ctx *c, int log, struct conv_flush_counts *out,
                           struct conv_inbox_row *rows, size_t *n_rows, struct err *stop,
                           struct err *e)
{
    struct outbox_thread th[CONV_FLUSH_THREADS];
    size_t n = 0, i;
    int rc = 0;

    memset(out, 0, sizeof(*out));
    if (n_rows)
        *n_rows = 0;
    if (outbox_threads_due(c->ob, outbox_now_ms() - CONV_FLUSH_AGE_MS, th, CONV_FLUSH_THREADS, &n,
                           e) != 0)
        return -1;
    /* reading the threads can wait: it never takes the TextUs token's last fifth, kept for the
     * recruiter's own texts (a rate limit stops the loop below, as a 429 would) */
    c->tx.pace = 1;
    for (i = 0; i < n; i++) {
        struct conv_inbox_row *row = rows ? &rows[*n_rows] : NULL;
        struct err te;
        int r;
        err_clear(&te);
        if (row) {
            memset(row, 0, sizeof(*row));
            snprintf(row->candidate_id, sizeof(row->candidate_id), "%s", th[i].candidate_id);
            /* who: the name kept on the thread (outbox_thread_name), no request for it */
            snprintf(row->name, sizeof(row->name), "%s", th[i].name);
            row->to = strdup(th[i].to);
            if (!row->to) {
                err_set(e, ERR_INTERNAL, "out of memory");
                rc = -1;
                break;
            }
            (*n_rows)++;
        }
        r = conv_flush_thread(c, &th[i], log, &out->replies_journaled, row, &te, e);
        if (r < 0) {
            rc = -1;
            break;
        }
        out->threads_read++;
        if (r == 1) {
            log_msg("flush: the replies of candidate %s could not be read: %s", th[i].candidate_id,
                    te.message);
            /* only a refusal of this one conversation lets the others be read now; a rate
             * limit (or a Retry-After hold), an unreachable TextUs or refused credentials
             * would fail them all (and cost a timeout each) */
            if (te.code != ERR_TEXTUS_REJECTED && te.code != ERR_UPSTREAM_INVALID) {
                if (stop)
                    *stop = te;
                break;
            }
        }
    }
    c->tx.pace = 0;
    for (i = 0; i < n; i++)
        outbox_thread_free(&th[i]);
    return rc;
}

int conversation_flush_replies(struct send_ctx *c, struct conv_flush_counts *out, struct err *e)
{
    return conv_flush_pass(c, 1, out, NULL, NULL, NULL, e);
}

/* Newest last message first; one whose time cannot be read last. */
static int conv_row_cmp(const void *a, const void *b)
{
    const struct conv_inbox_row *x = a, *y = b;

    if (x->last_ms != y->last_ms)
        return x->last_ms > y->last_ms ? -1 : 1;
    return 0;
}

/* An ISO 8601 UTC time with milliseconds ("2026-12-01T10:05:40.000Z"), raw when unreadable. */
static cJSON *conv_at_ms(int64_t ms, const char *raw)
{
    struct conv_msg m;

    memset(&m, 0, sizeof(m));
    m.at_ms = ms;
    if (raw)
        snprintf(m.m.timestamp, sizeof(m.m.timestamp), "%s", raw);
    return conv_at(&m);
}

static int conv_inbox_item(cJSON *threads, const struct conv_inbox_row *row)
{
    cJSON *o = cJSON_CreateObject(), *last;
    char *body = NULL;

    if (!o || !cJSON_AddItemToArray(threads, o)) {
        cJSON_Delete(o);
        return -1;
    }
    cJSON_AddStringToObject(o, "to", row->to);
    cJSON_AddStringToObject(o, "candidate_id", row->candidate_id);
    if (row->name[0] &&
        notetext_clean(&body, NULL, row->name, strlen(row->name), CONV_NAME_MAX, NOTETEXT_LINE,
                       0) == 0 &&
        *body)
        cJSON_AddStringToObject(o, "name", body);
    else
        cJSON_AddNullToObject(o, "name");
    free(body);
    body = NULL;
    last = cJSON_AddObjectToObject(o, "last");
    if (!last)
        return -1;
    cJSON_AddStringToObject(last, "direction", "in");
    /* the candidate's text comes from outside: one line, no control, bidi or zero-width
     * character, cut at INBOX_BODY_MAX bytes with "…" */
    if (notetext_clean(&body, NULL, row->last_body, strlen(row->last_body), CONV_INBOX_BODY_MAX,
                       NOTETEXT_LINE, row->last_cut) != 0)
        return -1;
    cJSON_AddStringToObject(last, "body", body);
    sodium_memzero(body, strlen(body));
    free(body);
    cJSON_AddItemToObject(last, "at", conv_at_ms(row->last_ms, row->last.timestamp));
    cJSON_AddNumberToObject(o, "unanswered", (double)row->unanswered);
    cJSON_AddBoolToObject(o, "counted_all", row->counted_all);
    if (row->since_ms >= 0)
        cJSON_AddItemToObject(o, "waiting_since", conv_at_ms(row->since_ms, NULL));
    else
        cJSON_AddItemToObject(o, "waiting_since", conv_at_ms(row->last_ms, row->last.timestamp));
    return 0;
}

int conversation_inbox_ctx(struct send_ctx *c, long limit, int write_notes, cJSON *result,
                           struct conv_flush_counts *cf, struct err *e)
{
    struct conv_inbox_row *rows;
    struct err stop;
    cJSON *threads;
    size_t n = 0, i, shown = 0;
    long logged = 0;
    int rc = -1;

    if (limit < 1 || limit > CONV_FLUSH_THREADS) {
        err_set(e, ERR_BAD_REQUEST, "limit must be a whole number from 1 to %d",
                CONV_FLUSH_THREADS);
        return -1;
    }
    rows = calloc(CONV_FLUSH_THREADS, sizeof(*rows));
    if (!rows) {
        err_set(e, ERR_INTERNAL, "out of memory");
        return -1;
    }
    err_clear(&stop);
    if (conv_flush_pass(c, c->note_enabled, cf, rows, &n, &stop, e) != 0)
        goto out;
    /* the replies journaled now are logged now, as conversation does (a note Greenhouse does
     * not take waits in the journal for the next flush); a flush writes them itself */
    for (i = 0; write_notes && c->note_enabled && i < n; i++) {
        cJSON *scratch;
        if (!rows[i].journaled)
            continue;
        scratch = cJSON_CreateObject();
        if (!scratch) {
            err_set(e, ERR_INTERNAL, "out of memory");
            goto out;
        }
        rc = conv_write_notes(c, rows[i].candidate_id, &logged, scratch, e);
        cJSON_Delete(scratch);
        if (rc != 0)
            goto out;
        rc = -1;
    }
    qsort(rows, n, sizeof(*rows), conv_row_cmp);
    threads = cJSON_AddArrayToObject(result, "threads");
    for (i = 0; threads && i < n && shown < (size_t)limit; i++) {
        if (!rows[i].waiting)
            continue;
        if (conv_inbox_item(threads, &rows[i]) != 0) {
            err_set(e, ERR_INTERNAL, "out of memory");
            goto out;
        }
        shown++;
    }
    cJSON_AddNumberToObject(result, "threads_read", (double)cf->threads_read);
    if (write_notes)
        cJSON_AddNumberToObject(result, "replies_logged", (double)logged);
    cJSON_AddBoolToObject(result, "notes_enabled", c->note_enabled);
    if (stop.code != ERR_OK) {
        cJSON *o = cJSON_AddObjectToObject(result, "stopped");
        if (o) {
            cJSON_AddStringToObject(o, "code", err_code_name(stop.code));
            cJSON_AddStringToObject(o, "message", stop.message);
        }
    }
    log_msg("inbox: %ld thread%s read, %ld repl%s journaled, %ld logged", cf->threads_read,
            cf->threads_read == 1 ? "" : "s", cf->replies_journaled,
            cf->replies_journaled == 1 ? "y" : "ies", logged);
    rc = 0;
out:
    for (i = 0; i < n; i++)
        free(rows[i].to);
    free(rows);
    return rc;
}

int conversation_inbox(long limit, cJSON *result, struct err *e)
{
    struct send_ctx c;
    struct conv_flush_counts cf;
    int rc;

    if (limit < 1 || limit > CONV_FLUSH_THREADS) {
        err_set(e, ERR_BAD_REQUEST, "limit must be a whole number from 1 to %d",
                CONV_FLUSH_THREADS);
        return -1;
    }
    if (send_ctx_open(&c, 1, e) != 0)
        return -1;
    rc = conversation_inbox_ctx(&c, limit, 1, result, &cf, e);
    send_ctx_close(&c);
    return rc;
}
