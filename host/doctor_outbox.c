/*
 * doctor_outbox — the send journal's part of `textus-host doctor`: notes
 * pending or stopped, texts whose outcome is unknown, recent texts Not Delivered with
 * their numbers; and the recent-messages list of the support report
 * (doctor_recent_messages, reached through the engine's API table from cli_doctor.c):
 * what support reads to answer "Delivered or Not Delivered?", so the states still
 * in flight are asked of TextUs again (a bounded number of reads) and every line says
 * whether its state is fresh or when the journal last had news of it. Times are the
 * person's local time.
 * [engine]
 */
#include <stdio.h>
#include <string.h>

#include "doctor.h"
#include "doctor_engine.h"
#include "engine_entry.h"
#include "outbox.h"
#include "send.h"
#include "term.h"
#include "textus.h"

#define DOCTOR_RECENT_MAX 200
/* At most this many GET /messages/:message per report (a few seconds on a slow network). */
#define DOCTOR_REFRESH_MAX 20

/* The help article's two states: Delivered, Not Delivered (failed, failed_transient, unknown). */
static const char *doctor_delivery_word(const char *state)
{
    if (!state || !*state)
        return "pending";
    if (strcmp(state, "delivered") == 0)
        return "Delivered";
    if (strcmp(state, "failed") == 0 || strcmp(state, "failed_transient") == 0 ||
        strcmp(state, "unknown") == 0)
        return "Not Delivered";
    return "pending";
}

/* 1 when TextUs will not change the state any more (the message_status verb's "final"). */
static int doctor_delivery_final(const char *state)
{
    return strcmp(doctor_delivery_word(state), "pending") != 0;
}

/* Recent texts the help article would call Not Delivered, with their numbers (the FAQ asks). */
static void doctor_not_delivered(struct doctor *d, struct send_ctx *c)
{
    static char ids[50][OUTBOX_REQUEST_ID_MAX + 1];
    char numbers[256] = "";
    size_t n = 0, i, used = 0;
    int bad = 0;
    struct err e;

    err_clear(&e);
    if (outbox_ids(c->ob, OUTBOX_SELECT_ALL, ids, 50, &n, &e) != 0)
        return;
    for (i = 0; i < n; i++) {
        struct outbox_entry en;
        memset(&en, 0, sizeof(en));
        if (outbox_get(c->ob, ids[i], &en, &e) != 1)
            continue;
        if (en.send_state == OUTBOX_SEND_SENT &&
            strcmp(doctor_delivery_word(en.delivery_state), "Not Delivered") == 0) {
            bad++;
            if (en.to && used + strlen(en.to) + 3 < sizeof(numbers) && !strstr(numbers, en.to)) {
                int w = snprintf(numbers + used, sizeof(numbers) - used, "%s%s", used ? ", " : "",
                                 en.to);
                if (w > 0)
                    used += (size_t)w;
            }
        }
        outbox_entry_free(&en);
    }
    if (bad)
        doctor_add(d, "outbox", DOCTOR_WARN, DOCTOR_FAQ_SENDING, "delivery",
                   "send textus-host doctor --report to nextsupport@textus.com (it lists them)",
                   "%d of the last %zu texts show Not Delivered (to %s)", bad, n, numbers);
}

#define DOCTOR_STOPPED_SHOWN 5

/* One finding per stopped note (the newest few), each with the fix its own error calls for. */
static void doctor_stopped_notes(struct doctor *d, struct send_ctx *c, long total)
{
    static char ids[DOCTOR_STOPPED_SHOWN][OUTBOX_REQUEST_ID_MAX + 1];
    char subject[OUTBOX_REQUEST_ID_MAX + 64], fix[SEND_FIX_MAX];
    size_t n = 0, i;
    struct err e;

    err_clear(&e);
    if (outbox_ids(c->ob, OUTBOX_SELECT_STOPPED, ids, DOCTOR_STOPPED_SHOWN, &n, &e) != 0)
        n = 0;
    for (i = 0; i < n; i++) {
        struct outbox_entry en;
        memset(&en, 0, sizeof(en));
        if (outbox_get(c->ob, ids[i], &en, &e) != 1)
            continue;
        snprintf(subject, sizeof(subject), "Greenhouse note of request %s", en.request_id);
        send_stopped_fix(fix, sizeof(fix), en.last_error, en.request_id);
        doctor_add(d, "outbox", DOCTOR_FAIL, DOCTOR_FAQ_TRACKING, subject, fix,
                   "the note for candidate %s %s (%s)", en.candidate_id,
                   send_note_never(en.last_error)
                       ? "is stopped: it can never be written as it is and waits for you"
                       : "is stopped: it could not be written and waits for you",
                   en.last_error);
        outbox_entry_free(&en);
    }
    if (total > (long)n)
        doctor_add(d, "outbox", DOCTOR_FAIL, DOCTOR_FAQ_TRACKING, "Greenhouse notes",
                   "textus-host outbox list shows each one; fix the cause, then textus-host "
                   "outbox flush, or textus-host outbox dismiss REQUEST_ID for the ones that can "
                   "never be written",
                   "%ld more note%s stopped: not written, waiting for you", total - (long)n,
                   total - (long)n == 1 ? "" : "s");
}

void doctor_outbox_checks(struct doctor *d)
{
    struct send_ctx c;
    struct outbox_counts n;
    struct err e;

    err_clear(&e);
    memset(&n, 0, sizeof(n));
    if (send_ctx_open(&c, 1, &e) != 0) {
        if (e.code != ERR_NOT_CONFIGURED)
            doctor_add(d, "outbox", DOCTOR_FAIL, DOCTOR_FAQ_SENDING | DOCTOR_FAQ_TRACKING,
                       "send journal", "check the disk, then run textus-host doctor again", "%s",
                       e.message);
        return;
    }
    if (outbox_counts(c.ob, &n, &e) != 0) {
        doctor_add(d, "outbox", DOCTOR_FAIL, DOCTOR_FAQ_SENDING | DOCTOR_FAQ_TRACKING,
                   outbox_path(c.ob), "move the file aside (it is rebuilt) and run doctor again",
                   "%s", e.message);
        send_ctx_close(&c);
        return;
    }
    /* notes of texts and of candidates' replies alike */
    n.note_stopped += n.reply_stopped;
    n.note_pending += n.reply_pending;
    n.note_dismissed += n.reply_dismissed;
    if (n.note_stopped)
        doctor_stopped_notes(d, &c, n.note_stopped);
    if (n.note_pending)
        doctor_add(d, "outbox", DOCTOR_WARN, DOCTOR_FAQ_TRACKING, "Greenhouse notes",
                   "textus-host outbox flush (the host also retries on its own)",
                   "%ld note%s pending: still to be written in Greenhouse, retried on %s own",
                   n.note_pending, n.note_pending == 1 ? " is" : "s are",
                   n.note_pending == 1 ? "its" : "their");
    if (n.unknown || n.intent)
        doctor_add(d, "outbox", DOCTOR_WARN, DOCTOR_FAQ_SENDING, "texts",
                   "textus-host outbox flush (it asks TextUs what happened; never resends)",
                   "%ld text%s an unknown outcome (the connection dropped while sending)",
                   n.unknown + n.intent, n.unknown + n.intent == 1 ? " has" : "s have");
    if (!n.note_stopped && !n.note_pending && !n.unknown && !n.intent)
        doctor_add(d, "outbox", DOCTOR_OK, 0, "send journal", NULL,
                   "%ld text%s journaled, nothing waiting (%ld note%s written)", n.total,
                   n.total == 1 ? "" : "s", n.note_written, n.note_written == 1 ? "" : "s");
    if (n.note_dismissed)
        doctor_add(d, "outbox", DOCTOR_INFO, 0, "dismissed notes", NULL,
                   "%ld note%s dismissed with textus-host outbox dismiss (never written, no "
                   "longer retried; textus-host outbox list shows them)",
                   n.note_dismissed, n.note_dismissed == 1 ? " was" : "s were");
    doctor_not_delivered(d, &c);
    send_ctx_close(&c);
}

/*
 * The state of a sent text for the report, fresh from TextUs when it was still in flight and
 * a read is allowed (*reads left; online), else as journaled and when the journal last changed.
 * The read: https://apidocs.next.textus.com/docs/messages/get/ (GET /messages/:message).
 */
static void doctor_recent_state(char *out, size_t outsz, struct send_ctx *c,
                                struct outbox_entry *en, int online, int *reads, char *why,
                                size_t whysz)
{
    struct textus_message m;
    struct err e;
    char when[32];

    if (doctor_delivery_final(en->delivery_state)) {
        snprintf(out, outsz, "%s (%s)", doctor_delivery_word(en->delivery_state),
                 en->delivery_state);
        return;
    }
    if (online && *reads > 0 && en->message_id[0] && !why[0]) {
        (*reads)--;
        err_clear(&e);
        memset(&m, 0, sizeof(m));
        if (textus_get_message(&c->tx, en->message_id, &m, &e) == 0 && m.delivery_state[0]) {
            if (outbox_set_delivery(c->ob, en->message_id, m.delivery_state, &e) < 0)
                err_clear(&e); /* the report still says what TextUs said */
            snprintf(out, outsz, "%s (%s, asked TextUs now)",
                     doctor_delivery_word(m.delivery_state), m.delivery_state);
            return;
        }
        /* one failed read says enough about the network: the rest are not asked */
        snprintf(why, whysz, "TextUs could not be asked (%s: %s)", err_code_name(e.code),
                 e.code == ERR_OK ? "no state in the answer" : e.message);
    }
    if (term_local_time(when, sizeof(when), en->updated_ms / 1000) != 0)
        snprintf(when, sizeof(when), "?");
    snprintf(out, outsz, "%s (%s when last known; the journal last changed %s; %s)",
             doctor_delivery_word(en->delivery_state),
             en->delivery_state[0] ? en->delivery_state : "no state yet", when,
             why[0]       ? why
             : !online    ? "not asked again: --offline"
             : *reads > 0 ? "no message id to ask about"
                          : "not asked again: only the newest texts are asked");
}

cJSON *doctor_recent_messages(int limit, int online)
{
    static char ids[DOCTOR_RECENT_MAX][OUTBOX_REQUEST_ID_MAX + 1];
    struct send_ctx c;
    struct err e;
    size_t n = 0, i;
    cJSON *list = NULL;
    int reads = DOCTOR_REFRESH_MAX;
    char why[ERR_MESSAGE_MAX + 64] = ""; /* the whole message: never cut */

    err_clear(&e);
    if (limit <= 0 || limit > DOCTOR_RECENT_MAX)
        limit = DOCTOR_RECENT_MAX;
    if (send_ctx_open(&c, 1, &e) != 0)
        return NULL;
    if (outbox_ids(c.ob, OUTBOX_SELECT_ALL, ids, (size_t)limit, &n, &e) != 0)
        goto out;
    list = cJSON_CreateArray();
    for (i = 0; list && i < n; i++) {
        struct outbox_entry en;
        char line[2 * ERR_MESSAGE_MAX + 512], when[32], state[ERR_MESSAGE_MAX + 256];
        cJSON *o;
        memset(&en, 0, sizeof(en));
        if (outbox_get(c.ob, ids[i], &en, &e) != 1)
            continue;
        if (term_local_time(when, sizeof(when), en.created_ms / 1000) != 0)
            snprintf(when, sizeof(when), "?");
        if (en.send_state == OUTBOX_SEND_SENT)
            doctor_recent_state(state, sizeof(state), &c, &en, online, &reads, why, sizeof(why));
        else
            snprintf(state, sizeof(state), "%s",
                     en.send_state == OUTBOX_SEND_NOT_SENT ? "not sent" : "outcome unknown");
        snprintf(line, sizeof(line), "%s  to %s  %s  candidate %s  note %s%s%s", when,
                 en.to ? en.to : "?", state, en.candidate_id, outbox_note_name(en.note_state),
                 en.last_error[0] ? ": " : "", en.last_error);
        o = cJSON_CreateObject();
        if (o) {
            cJSON_AddStringToObject(o, "line", line);
            cJSON_AddItemToArray(list, o);
        }
        outbox_entry_free(&en);
    }
out:
    send_ctx_close(&c);
    return list;
}
