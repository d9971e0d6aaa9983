/*
 * cli_outbox — `textus-host outbox list|flush`: what the send journal holds
 * (ids and states only, numbers masked), and a flush that reconciles unknown
 * sends and writes pending notes now, including notes stopped by a
 * permission or auth failure once a person has fixed it (engine).
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "send.h"
#include "common.h"
#include "engine_entry.h"

#define CLI_OUTBOX_LIST_MAX 200

static void cli_outbox_usage(void)
{
    fprintf(stderr, "usage: textus-host outbox list | flush\n");
}

static int cli_outbox_list(void)
{
    static char ids[CLI_OUTBOX_LIST_MAX][OUTBOX_REQUEST_ID_MAX + 1];
    struct send_ctx c;
    struct err e;
    size_t n = 0, i;
    char when[32];

    err_clear(&e);
    if (send_ctx_open(&c, 1, &e) != 0 ||
        outbox_ids(c.ob, OUTBOX_SELECT_ALL, ids, CLI_OUTBOX_LIST_MAX, &n, &e) != 0) {
        fprintf(stderr, "textus-host outbox: %s: %s\n", err_code_name(e.code), e.message);
        send_ctx_close(&c);
        return 1;
    }
    printf("%-24s %-17s %-10s %-7s %-12s %-8s %-22s %-10s %s\n", "request id", "journaled (UTC)",
           "candidate", "to", "send", "note", "message", "note id", "last error");
    for (i = 0; i < n; i++) {
        struct outbox_entry en;
        struct tm tm;
        time_t t;
        size_t tl;
        if (outbox_get(c.ob, ids[i], &en, &e) != 1) {
            printf("%-24s (unreadable: %s)\n", ids[i], e.message);
            continue;
        }
        t = (time_t)(en.created_ms / 1000);
        gmtime_r(&t, &tm);
        if (!strftime(when, sizeof(when), "%Y-%m-%d %H:%M", &tm))
            when[0] = '\0';
        tl = en.to ? strlen(en.to) : 0;
        printf("%-24s %-17s %-10s ...%-4s %-12s %-8s %-22s %-10s %s\n", en.request_id, when,
               en.candidate_id, tl >= 2 ? en.to + tl - 2 : "", outbox_send_name(en.send_state),
               en.send_state == OUTBOX_SEND_SENT ? outbox_note_name(en.note_state) : "-",
               en.message_id[0] ? en.message_id : "-", en.note_id[0] ? en.note_id : "-",
               en.last_error);
        outbox_entry_free(&en);
    }
    printf("%zu entr%s\n", n, n == 1 ? "y" : "ies");
    send_ctx_close(&c);
    return 0;
}

static int cli_outbox_flush(void)
{
    struct send_flush_counts k;
    struct err e;

    err_clear(&e);
    if (send_flush(1, 1, &k, &e) != 0) {
        fprintf(stderr, "textus-host outbox flush: %s: %s\n", err_code_name(e.code), e.message);
        return 1;
    }
    printf("notes written: %ld\nnotes still pending: %ld\nsends unknown: %ld\n"
           "reconciled as sent: %ld\nreconciled as not sent: %ld\nnotes stopped: %ld\n",
           k.written, k.pending, k.unknown, k.reconciled_sent, k.reconciled_not_sent, k.stopped);
    return (k.pending || k.unknown || k.stopped) ? 3 : 0;
}

int cli_cmd_outbox(int argc, char **argv)
{
    if (argc != 2) {
        cli_outbox_usage();
        return 2;
    }
    if (strcmp(argv[1], "list") == 0)
        return cli_outbox_list();
    if (strcmp(argv[1], "flush") == 0)
        return cli_outbox_flush();
    cli_outbox_usage();
    return 2;
}

/* The "outbox" member of a status document, for a person (textus-host status). */
void cli_outbox_status_print(const cJSON *status)
{
    const cJSON *o = cJSON_GetObjectItemCaseSensitive(status, "outbox");
    const cJSON *err = cJSON_GetObjectItemCaseSensitive(o, "error");
    const cJSON *fix = cJSON_GetObjectItemCaseSensitive(o, "stopped_fix");
    const cJSON *why = cJSON_GetObjectItemCaseSensitive(o, "stopped_error");
    static const char *const keys[] = {"sent",          "unknown",       "not_sent",
                                       "notes_written", "notes_pending", "notes_disabled",
                                       "notes_stopped"};
    size_t i;

    if (!o)
        return;
    printf("\noutbox:\n");
    if (cJSON_IsString(err)) {
        printf("  unavailable: %s\n", err->valuestring);
        return;
    }
    for (i = 0; i < TH_ARRAY_SIZE(keys); i++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, keys[i]);
        if (cJSON_IsNumber(v))
            printf("  %-15s %.0f\n", keys[i], v->valuedouble);
    }
    if (cJSON_IsString(why))
        printf("  notes stopped by: %s\n", why->valuestring);
    if (cJSON_IsString(fix))
        printf("  fix: %s\n", fix->valuestring);
}
