/*
 * cli_outbox — `textus-host outbox list [--json] | flush | dismiss REQUEST_ID`:
 * what the send journal holds (ids and states only, numbers masked), a flush
 * that reconciles unknown sends and writes pending notes now (including notes
 * stopped by a configuration problem once a person has fixed it), and the
 * way out for a note that can never be written: dismiss journals a person's
 * decision, after which no flush retries it and no count of waiting work
 * includes it.
 * [engine]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "common.h"
#include "engine_entry.h"
#include "flush.h"
#include "iso8601.h"
#include "quiet.h"
#include "send.h"
#include "term.h"

#define CLI_OUTBOX_LIST_MAX 200

static void cli_outbox_usage(FILE *out, const struct cli_opt *opts)
{
    fprintf(out,
            "usage: textus-host outbox list [--json]\n"
            "       textus-host outbox flush\n"
            "       textus-host outbox dismiss REQUEST_ID\n"
            "\n"
            "The send journal: one entry per text (request id), with the text's state and\n"
            "its Greenhouse note's state, and one per candidate's reply logged as a note\n"
            "(request id reply:<candidate>:<message>).\n"
            "\n"
            "  list      the newest 200 texts and the newest 200 replies (numbers masked);\n"
            "            --json for programs, with the fix for each note that waits for a\n"
            "            person\n"
            "  flush     read the replies of the numbers texted in the last 30 days, ask\n"
            "            TextUs about texts whose outcome is unknown, and write every note\n"
            "            still to be written now, including stopped ones (after you fixed\n"
            "            what stopped them)\n"
            "  dismiss   give up on the note of REQUEST_ID (e.g. the candidate was deleted\n"
            "            in Greenhouse): it is journaled as dismissed, never retried, and no\n"
            "            longer counted by flush, status or doctor\n"
            "\n"
            "exit status:\n"
            "  list      0 listed; 1 the journal cannot be read; 2 wrong arguments\n"
            "  flush     0 nothing waits any more; 3 something still waits (notes of texts\n"
            "            or replies pending or stopped, texts with an unknown outcome: the\n"
            "            output says which);\n"
            "            1 the journal or the configuration cannot be read; 2 wrong arguments\n"
            "  dismiss   0 dismissed (or it already was); 1 nothing to dismiss for that id\n"
            "            (unknown id, note written, text not sent or its outcome unknown,\n"
            "            another host working on it) or an error; 2 wrong arguments\n"
            "\n"
            "options%s:\n",
            opts[0].name ? " of outbox list" : "");
    cli_print_options(out, opts);
}

static int cli_outbox_bad(const char *what, const char *arg, const char *near)
{
    char shown[96];

    return cli_usage_error("outbox", "%s %s%s%s%s", what, cli_shown(shown, sizeof(shown), arg),
                           near ? " (did you mean " : "", near ? near : "", near ? "?)" : "");
}

/* A text's state for a person (--json keeps the journal's names: send_unknown, not_sent). */
static const char *cli_outbox_send_word(enum outbox_send s)
{
    switch (s) {
    case OUTBOX_SEND_SENT:
        return "sent";
    case OUTBOX_SEND_NOT_SENT:
        return "not sent";
    default:
        return "unknown"; /* journaled before TextUs answered: flush asks what happened */
    }
}

/* name: s, or null when s is "" (nothing to say). */
static void cli_outbox_text(cJSON *o, const char *name, const char *s)
{
    if (s[0])
        cJSON_AddStringToObject(o, name, s);
    else
        cJSON_AddNullToObject(o, name);
}

/* The fix for an entry's note, or "" when its note needs nobody. */
static void cli_outbox_fix(char *out, size_t outsz, const struct outbox_entry *en)
{
    out[0] = '\0';
    if (en->send_state == OUTBOX_SEND_SENT && en->note_state == OUTBOX_NOTE_STOPPED)
        send_stopped_fix(out, outsz, en->last_error, en->request_id);
}

/* "scheduled_at": when a scheduled send is due (UTC), null for a send. */
static void cli_outbox_scheduled(cJSON *o, const struct outbox_entry *en)
{
    char iso[QUIET_ISO_MAX];

    if (en->schedule && iso8601_format_utc(iso, sizeof(iso), en->send_at_ms / 1000) == 0)
        cJSON_AddStringToObject(o, "scheduled_at", iso);
    else
        cJSON_AddNullToObject(o, "scheduled_at");
}

static cJSON *cli_outbox_json_entry(const struct outbox_entry *en)
{
    cJSON *o = cJSON_CreateObject();
    char masked[16], fix[SEND_FIX_MAX];
    size_t tl = en->to ? strlen(en->to) : 0;

    if (!o)
        return NULL;
    snprintf(masked, sizeof(masked), "...%s", tl >= 2 ? en->to + tl - 2 : "");
    cli_outbox_fix(fix, sizeof(fix), en);
    cJSON_AddStringToObject(o, "request_id", en->request_id);
    cJSON_AddStringToObject(o, "kind", en->is_reply ? "reply" : "send");
    cJSON_AddNumberToObject(o, "journaled_ms", (double)en->created_ms);
    cJSON_AddNumberToObject(o, "updated_ms", (double)en->updated_ms);
    cJSON_AddStringToObject(o, "candidate_id", en->candidate_id);
    cJSON_AddStringToObject(o, "to", masked);
    cJSON_AddStringToObject(o, "send", outbox_send_name(en->send_state));
    if (en->send_state == OUTBOX_SEND_SENT)
        cJSON_AddStringToObject(o, "note", outbox_note_name(en->note_state));
    else
        cJSON_AddNullToObject(o, "note");
    cli_outbox_text(o, "message_id", en->message_id);
    cli_outbox_text(o, "note_id", en->note_id);
    cli_outbox_text(o, "delivery_state", en->delivery_state);
    cli_outbox_text(o, "last_error", en->last_error);
    cli_outbox_text(o, "fix", fix);
    cli_outbox_scheduled(o, en);
    return o;
}

/* Print (or add to arr) the entries of ids; the header line first when there are any. */
static void cli_outbox_rows(struct send_ctx *c, char (*ids)[OUTBOX_REQUEST_ID_MAX + 1], size_t n,
                            int replies, cJSON *arr)
{
    char when[32], fix[SEND_FIX_MAX];
    struct err e;
    size_t i;
    int w = replies ? 34 : 24; /* the id column: as wide as the longest id listed */

    err_clear(&e);
    for (i = 0; i < n; i++) {
        if ((int)strlen(ids[i]) > w)
            w = (int)strlen(ids[i]);
    }
    if (!arr && replies && n)
        printf("\nreplies logged as notes (newest first):\n%-*s %-17s %-10s %-7s %-9s %-22s "
               "%-10s %s\n",
               w, "reply id", "journaled (local)", "candidate", "from", "note", "message",
               "note id", "last error");
    else if (!arr && !replies)
        printf("%-*s %-17s %-10s %-7s %-12s %-9s %-22s %-10s %s\n", w, "request id",
               "journaled (local)", "candidate", "to", "send", "note", "message", "note id",
               "last error");
    for (i = 0; i < n; i++) {
        struct outbox_entry en;
        size_t tl;
        if (outbox_get(c->ob, ids[i], &en, &e) != 1) {
            if (arr) {
                cJSON *o = cJSON_CreateObject();
                cJSON_AddStringToObject(o, "request_id", ids[i]);
                cJSON_AddStringToObject(o, "unreadable", e.message);
                cJSON_AddItemToArray(arr, o);
            } else {
                printf("%-*s (unreadable: %s)\n", w, ids[i], e.message);
            }
            continue;
        }
        if (arr) {
            cJSON_AddItemToArray(arr, cli_outbox_json_entry(&en));
            outbox_entry_free(&en);
            continue;
        }
        if (term_local_time(when, sizeof(when), en.created_ms / 1000) != 0)
            snprintf(when, sizeof(when), "?");
        tl = en.to ? strlen(en.to) : 0;
        if (replies)
            printf("%-*s %-17s %-10s ...%-4s %-9s %-22s %-10s %s\n", w, en.request_id, when,
                   en.candidate_id, tl >= 2 ? en.to + tl - 2 : "", outbox_note_name(en.note_state),
                   en.message_id[0] ? en.message_id : "-", en.note_id[0] ? en.note_id : "-",
                   en.last_error);
        else
            printf("%-*s %-17s %-10s ...%-4s %-12s %-9s %-22s %-10s %s\n", w, en.request_id, when,
                   en.candidate_id, tl >= 2 ? en.to + tl - 2 : "",
                   cli_outbox_send_word(en.send_state),
                   en.send_state == OUTBOX_SEND_SENT ? outbox_note_name(en.note_state) : "-",
                   en.message_id[0] ? en.message_id : "-", en.note_id[0] ? en.note_id : "-",
                   en.last_error);
        cli_outbox_fix(fix, sizeof(fix), &en);
        if (en.schedule && term_local_time(when, sizeof(when), en.send_at_ms / 1000) == 0)
            printf("    scheduled for: %s (your time)\n", when);
        if (fix[0])
            printf("    fix: %s\n", fix);
        outbox_entry_free(&en);
    }
}

static int cli_outbox_list(int json)
{
    static char ids[CLI_OUTBOX_LIST_MAX][OUTBOX_REQUEST_ID_MAX + 1];
    static char rids[CLI_OUTBOX_LIST_MAX][OUTBOX_REQUEST_ID_MAX + 1];
    struct send_ctx c;
    struct err e;
    size_t n = 0, nr = 0;
    cJSON *doc = NULL, *arr = NULL, *rarr = NULL;

    err_clear(&e);
    if (send_ctx_open(&c, 1, &e) != 0 ||
        outbox_ids(c.ob, OUTBOX_SELECT_ALL, ids, CLI_OUTBOX_LIST_MAX, &n, &e) != 0 ||
        outbox_ids(c.ob, OUTBOX_SELECT_REPLIES, rids, CLI_OUTBOX_LIST_MAX, &nr, &e) != 0) {
        if (e.code == ERR_NOT_CONFIGURED)
            cli_verb_error("outbox", &e); /* names this program as it is run */
        else
            fprintf(stderr, "textus-host outbox: %s: %s\n", err_code_name(e.code), e.message);
        send_ctx_close(&c);
        return 1;
    }
    if (json) {
        doc = cJSON_CreateObject();
        arr = doc ? cJSON_AddArrayToObject(doc, "entries") : NULL;
        rarr = doc ? cJSON_AddArrayToObject(doc, "replies") : NULL;
        if (!arr || !rarr) {
            fprintf(stderr, "textus-host outbox: out of memory\n");
            cJSON_Delete(doc);
            send_ctx_close(&c);
            return 1;
        }
    }
    cli_outbox_rows(&c, ids, n, 0, arr);
    if (!json)
        printf("%zu entr%s\n", n, n == 1 ? "y" : "ies");
    cli_outbox_rows(&c, rids, nr, 1, rarr);
    if (json) {
        char *s = cJSON_Print(doc);
        if (s)
            printf("%s\n", s);
        free(s);
        cJSON_Delete(doc);
    } else if (nr) {
        printf("%zu repl%s\n", nr, nr == 1 ? "y" : "ies");
    }
    send_ctx_close(&c);
    return 0;
}

#define CLI_OUTBOX_WAITING_SHOWN 20

/* After a flush: each entry that still waits, with its state in the journal's words (pending:
 * retried on its own; stopped: waits for a person) and why, and the fix of a stopped note. */
static void cli_outbox_waiting(struct send_ctx *c)
{
    static char ids[CLI_OUTBOX_WAITING_SHOWN][OUTBOX_REQUEST_ID_MAX + 1];
    char fix[SEND_FIX_MAX], when[32];
    size_t n = 0, i;
    struct err e;

    err_clear(&e);
    if (outbox_ids(c->ob, OUTBOX_SELECT_WORK_STOPPED, ids, CLI_OUTBOX_WAITING_SHOWN, &n, &e) != 0) {
        printf("what still waits could not be read: %s\n", e.message);
        return;
    }
    if (n)
        printf("\nstill waiting:\n");
    for (i = 0; i < n; i++) {
        struct outbox_entry en;
        memset(&en, 0, sizeof(en));
        if (outbox_get(c->ob, ids[i], &en, &e) != 1)
            continue;
        printf("  %s %s (candidate %s): ", en.is_reply ? "reply" : "request", en.request_id,
               en.candidate_id);
        if (en.send_state != OUTBOX_SEND_SENT) {
            printf("text outcome unknown: TextUs has not said whether it was sent (never sent "
                   "again; asked at every flush)\n");
        } else if (en.note_state == OUTBOX_NOTE_STOPPED) {
            send_stopped_fix(fix, sizeof(fix), en.last_error, en.request_id);
            printf("note stopped, waits for you: %s\n    fix: %s\n",
                   en.last_error[0] ? en.last_error : "no reason journaled", fix);
        } else {
            printf("note pending, retried on its own: %s",
                   en.last_error[0] ? en.last_error : "not attempted yet");
            if (en.next_attempt_ms > 0 &&
                term_local_time(when, sizeof(when), en.next_attempt_ms / 1000) == 0)
                printf(" (next try %s)", when);
            printf("\n");
        }
        outbox_entry_free(&en);
    }
    if (n == CLI_OUTBOX_WAITING_SHOWN)
        printf("  (the first %d; textus-host outbox list shows every one)\n",
               CLI_OUTBOX_WAITING_SHOWN);
}

static int cli_outbox_flush(void)
{
    struct send_flush_counts k;
    struct send_ctx c;
    struct err e;
    int waiting;

    err_clear(&e);
    if (flush_outbox(1, 1, &k, &e) != 0) {
        if (e.code == ERR_NOT_CONFIGURED)
            cli_verb_error("outbox flush", &e); /* names this program as it is run */
        else
            fprintf(stderr, "textus-host outbox flush: %s: %s\n", err_code_name(e.code), e.message);
        return 1;
    }
    printf("notes written: %ld\nnotes still pending: %ld\nsends unknown: %ld\n"
           "reconciled as sent: %ld\nreconciled as not sent: %ld\nnotes stopped: %ld\n"
           "replies logged: %ld\nreply notes still pending: %ld\nreply notes stopped: %ld\n",
           k.written, k.pending, k.unknown, k.reconciled_sent, k.reconciled_not_sent, k.stopped,
           k.replies_logged, k.replies_pending, k.replies_stopped);
    waiting = k.pending || k.unknown || k.stopped || k.replies_pending || k.replies_stopped;
    if (waiting && send_ctx_open(&c, 1, &e) == 0) {
        cli_outbox_waiting(&c);
        send_ctx_close(&c);
    } else if (waiting) {
        printf("what still waits could not be read: %s\n", e.message);
    }
    return waiting ? 3 : 0;
}

static int cli_outbox_dismiss(const char *rid)
{
    struct send_ctx c;
    struct outbox_entry en;
    struct err e;
    int r, busy = 0;

    if (!send_request_id_ok(rid) && !outbox_reply_id_ok(rid))
        return cli_outbox_bad("dismiss: not a request id (1-64 of A-Z a-z 0-9 _ -, or a reply's "
                              "reply:<candidate>:<message>):",
                              rid, NULL);
    err_clear(&e);
    if (send_ctx_open(&c, 1, &e) != 0) {
        if (e.code == ERR_NOT_CONFIGURED)
            cli_verb_error("outbox dismiss", &e); /* names this program as it is run */
        else
            fprintf(stderr, "textus-host outbox dismiss: %s: %s\n", err_code_name(e.code),
                    e.message);
        return 1;
    }
    r = outbox_note_dismiss(c.ob, rid, &busy, &e);
    if (r < 0) {
        if (e.code == ERR_NOT_CONFIGURED)
            cli_verb_error("outbox dismiss", &e); /* names this program as it is run */
        else
            fprintf(stderr, "textus-host outbox dismiss: %s: %s\n", err_code_name(e.code),
                    e.message);
        send_ctx_close(&c);
        return 1;
    }
    memset(&en, 0, sizeof(en));
    if (outbox_get(c.ob, rid, &en, &e) != 1) {
        fprintf(stderr,
                "textus-host outbox dismiss: no request %s in the send journal (textus-host "
                "outbox list shows the ids)\n",
                rid);
        send_ctx_close(&c);
        return 1;
    }
    if (r == 1) {
        printf("dismissed: the note of %s %s (candidate %s) will not be written and is "
               "no longer retried or counted\n(it failed with: %s)\n",
               en.is_reply ? "reply" : "request", rid, en.candidate_id,
               en.last_error[0] ? en.last_error : "not attempted yet");
    } else if (busy) {
        fprintf(stderr,
                "textus-host outbox dismiss: another textus-host process is working on request "
                "%s right now; try again in a minute\n",
                rid);
    } else if (en.send_state == OUTBOX_SEND_SENT && en.note_state == OUTBOX_NOTE_DISMISSED) {
        printf("already dismissed: the note of request %s\n", rid);
        r = 1;
    } else if (en.send_state == OUTBOX_SEND_SENT) {
        fprintf(
            stderr,
            "textus-host outbox dismiss: nothing to dismiss: the note of request %s is %s%s%s\n",
            rid, outbox_note_name(en.note_state), en.note_id[0] ? ", Greenhouse note id " : "",
            en.note_id);
    } else if (en.send_state == OUTBOX_SEND_NOT_SENT) {
        fprintf(stderr,
                "textus-host outbox dismiss: nothing to dismiss: no text was sent for request "
                "%s, so it has no note\n",
                rid);
    } else {
        fprintf(stderr,
                "textus-host outbox dismiss: the outcome of the text of request %s is not known "
                "yet; run textus-host outbox flush first (it asks TextUs what happened)\n",
                rid);
    }
    outbox_entry_free(&en);
    send_ctx_close(&c);
    return r == 1 ? 0 : 1;
}

int cli_cmd_outbox(int argc, char **argv)
{
    int code;
    static const char *const subs[] = {"list", "flush", "dismiss"};
    static const struct cli_opt none[] = {CLI_OPT_END};
    const char *sub = argc > 1 ? argv[1] : NULL;
    int json = 0, pos = argc;
    const struct cli_opt list[] = {
        CLI_OPT_BOOL("--json", 0, "for programs, with the fix of each note that waits", &json),
        CLI_OPT_END};

    if (!sub)
        return cli_usage_error("outbox", "which one: list, flush or dismiss?");
    /* options before a subcommand: --help, or a wrong one; then the subcommand's own */
    if (sub[0] == '-') {
        if (!cli_parse(&code, "outbox", none, cli_outbox_usage, argc, argv, argc, NULL))
            return code;
        return cli_usage_error("outbox", "which one: list, flush or dismiss?");
    }
    if (strcmp(sub, "list") == 0 || strcmp(sub, "flush") == 0 || strcmp(sub, "dismiss") == 0) {
        int dismiss = sub[0] == 'd';
        if (!cli_parse(&code, "outbox", sub[0] == 'l' ? list : none, cli_outbox_usage, argc - 1,
                       argv + 1, dismiss, &pos))
            return code; /* 0 after --help, 2 after the usage error (printed) */
        if (sub[0] == 'l')
            return cli_outbox_list(json);
        if (sub[0] == 'f')
            return cli_outbox_flush();
        if (pos + 1 >= argc)
            return cli_usage_error("outbox", "dismiss: which request? textus-host outbox dismiss "
                                             "REQUEST_ID (textus-host outbox list shows the ids)");
        return cli_outbox_dismiss(argv[pos + 1]);
    }
    return cli_outbox_bad("unknown subcommand", sub, term_nearest(sub, subs, TH_ARRAY_SIZE(subs)));
}

/* The "outbox" member of a status document, for a person (textus-host status). */
void cli_outbox_status_print(const cJSON *status)
{
    const cJSON *o = cJSON_GetObjectItemCaseSensitive(status, "outbox");
    const cJSON *err = cJSON_GetObjectItemCaseSensitive(o, "error");
    const cJSON *fix = cJSON_GetObjectItemCaseSensitive(o, "stopped_fix");
    const cJSON *why = cJSON_GetObjectItemCaseSensitive(o, "stopped_error");
    static const char *const keys[] = {
        "sent",           "unknown",         "not_sent",        "notes_written",
        "notes_pending",  "notes_disabled",  "notes_stopped",   "notes_dismissed",
        "replies_logged", "replies_pending", "replies_stopped", "replies_dismissed"};
    /* the same, for a person: the journal's words (pending: retried on its own; stopped:
     * waits for a person), never a member name */
    static const char *const words[] = {"texts sent",
                                        "texts with an unknown outcome",
                                        "texts not sent",
                                        "notes written",
                                        "notes pending (retried on their own)",
                                        "texts sent while notes were off",
                                        "notes stopped (wait for you)",
                                        "notes dismissed",
                                        "replies logged as notes",
                                        "reply notes pending (retried on their own)",
                                        "reply notes stopped (wait for you)",
                                        "reply notes dismissed"};
    size_t i;

    if (!o)
        return;
    printf("\ntexts and their Greenhouse notes:\n");
    if (cJSON_IsString(err)) {
        printf("  unavailable: %s\n", err->valuestring);
        return;
    }
    for (i = 0; i < TH_ARRAY_SIZE(keys); i++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, keys[i]);
        if (cJSON_IsNumber(v))
            printf("  %-43s %.0f\n", words[i], v->valuedouble);
    }
    if (cJSON_IsString(why))
        printf("  the latest stopped note failed with: %s\n", why->valuestring);
    if (cJSON_IsString(fix))
        printf("  fix: %s\n", fix->valuestring);
}
