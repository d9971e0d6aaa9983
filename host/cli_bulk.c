/*
 * cli_bulk — `textus-host bulk --candidates FILE|- --body TEXT [--job ID]`: one text to
 * many candidates through the same code as the bulk_send verb (bulk.c), a progress bar on
 * a terminal, the bulk's final state as JSON; `--status ID` and `--cancel ID` as the
 * verbs bulk_status and bulk_cancel.
 * [engine]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "bulk.h"
#include "cli.h"
#include "common.h"
#include "engine_entry.h"
#include "os.h"
#include "outbox.h"
#include "send.h"
#include "term.h"

#define CLI_BULK          "bulk"
#define CLI_BULK_FILE_MAX (64 * 1024)

static void cli_bulk_usage(FILE *out, const struct cli_opt *opts)
{
    fprintf(out,
            "usage: textus-host bulk --candidates FILE|- --body TEXT [--job ID]\n"
            "                        [--quiet-hours schedule|skip] [--request-id ID]\n"
            "                        [--visibility private|public|admin_only]\n"
            "       textus-host bulk --status REQUEST_ID\n"
            "       textus-host bulk --cancel REQUEST_ID\n"
            "\n"
            "Texts every candidate listed in FILE (or on stdin with -: Greenhouse candidate\n"
            "ids, one per line or separated by spaces or commas; # starts a comment; 1 to 500)\n"
            "exactly like the extension's bulk send: each candidate's number from their\n"
            "Greenhouse record (the first mobile US/Canada number), the body's merge fields\n"
            "({first_name}, {last_name}, {full_name}, {recruiter_first_name},\n"
            "{recruiter_name}) filled for them, opted-out and blocked numbers skipped, quiet\n"
            "hours in their time zone, one note each. At most one text a second. Prints the\n"
            "bulk's final state as JSON; a progress bar on a terminal.\n"
            "Running the same command again (the same --request-id) never texts anyone twice\n"
            "and finishes what was left; without --request-id one is made up and printed.\n"
            "\n"
            "options (--job X and --job=X alike):\n");
    cli_print_options(out, opts);
    fprintf(out,
            "\n"
            "exit status: 0 every candidate is done (sent, scheduled, skipped, failed or\n"
            "cancelled: the output says which); 1 the bulk could not be run or some texts'\n"
            "outcome is not known yet (run the command again); 2 a wrong or missing option.\n");
}

/* Split the list into ids (at most OUTBOX_BULK_ITEMS_MAX + 1 kept): 0, or -1 (usage). */
static int cli_bulk_ids(char *text, cJSON *arr)
{
    char *p = text;
    int n = 0;

    while (*p) {
        char *start;
        if (*p == '#') {
            while (*p && *p != '\n')
                p++;
            continue;
        }
        if (strchr(" \t\r\n,;", *p)) {
            p++;
            continue;
        }
        start = p;
        while (*p && !strchr(" \t\r\n,;#", *p))
            p++;
        if (*p) {
            char c = *p;
            *p = '\0';
            if (n <= OUTBOX_BULK_ITEMS_MAX)
                cJSON_AddItemToArray(arr, cJSON_CreateString(start));
            *p = c;
        } else if (n <= OUTBOX_BULK_ITEMS_MAX) {
            cJSON_AddItemToArray(arr, cJSON_CreateString(start));
        }
        n++;
    }
    return n;
}

static char *cli_bulk_read(const char *path)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : os_fopen(path, "r");
    char *buf;
    size_t len;

    if (!f)
        return NULL;
    buf = malloc(CLI_BULK_FILE_MAX + 1);
    if (!buf) {
        if (f != stdin)
            fclose(f);
        return NULL;
    }
    len = fread(buf, 1, CLI_BULK_FILE_MAX + 1, f);
    if (f != stdin)
        fclose(f);
    if (len > CLI_BULK_FILE_MAX) {
        free(buf);
        return NULL;
    }
    buf[len] = '\0';
    return buf;
}

static void cli_bulk_bar(void *ud, const char *request_id, const struct bulk_counts *k,
                         const char *candidate_id, const char *state, const char *reason, int final)
{
    int width = 30, fill = k->total > 0 ? (int)(k->done * width / k->total) : width, i;

    (void)ud;
    (void)request_id;
    (void)candidate_id;
    (void)state;
    (void)reason;
    fputc('\r', stderr);
    fputc('[', stderr);
    for (i = 0; i < width; i++)
        fputc(i < fill ? '#' : '.', stderr);
    fprintf(stderr, "] %ld/%ld  sent %ld  scheduled %ld  skipped %ld  failed %ld", k->done,
            k->total, k->sent, k->scheduled, k->skipped, k->failed);
    if (final)
        fputc('\n', stderr);
    fflush(stderr);
}

static int cli_bulk_print(int (*fn)(const char *, cJSON *, struct err *), const char *rid,
                          const char *what)
{
    cJSON *result = cJSON_CreateObject();
    struct err e;
    char *out;
    int rc = 1;

    err_clear(&e);
    if (result && fn(rid, result, &e) == 0) {
        const cJSON *fin = cJSON_GetObjectItemCaseSensitive(result, "finished");
        out = cJSON_Print(result);
        if (out)
            printf("%s\n", out);
        free(out);
        rc = cJSON_IsTrue(fin) ? 0 : 1;
        if (fn == bulk_cancel)
            rc = 0;
    } else {
        fprintf(stderr, "textus-host bulk%s: %s: %s\n", what, err_code_name(e.code), e.message);
    }
    cJSON_Delete(result);
    return rc;
}

int cli_cmd_bulk(int argc, char **argv)
{
    const char *file = NULL, *body = NULL, *job = NULL, *mode = NULL, *rid = NULL, *vis = NULL;
    const char *status = NULL, *cancel = NULL;
    char rid_buf[40], *text = NULL;
    unsigned char rnd[12];
    cJSON *req = NULL, *result = NULL, *arr, *sk;
    struct err e;
    int rc = 1, n, drive;

    const struct cli_opt opts[] = {
        CLI_OPT_STRING("--candidates", 0, "FILE", "the candidate ids: a file, or - for stdin",
                       &file),
        CLI_OPT_STRING("--body", 0, "TEXT", "the text, with its merge fields", &body),
        CLI_OPT_STRING(
            "--quiet-hours", 0, "M",
            "schedule (default): a candidate outside the hours texts are\nallowed is texted at "
            "the next allowed time; skip: not texted",
            &mode),
        CLI_OPT_STRING("--job", 0, "ID", "the Greenhouse job the bulk is for (kept with the bulk)",
                       &job),
        CLI_OPT_STRING("--request-id", 0, "ID", "1 to 45 of A-Z a-z 0-9 _ -", &rid),
        CLI_OPT_STRING("--visibility", 0, "V", "the notes': private, public or admin_only", &vis),
        CLI_OPT_STRING("--status", 0, "ID", "the counts and each candidate's state", &status),
        CLI_OPT_STRING("--cancel", 0, "ID", "stop what has not been sent (prints what had)",
                       &cancel),
        CLI_OPT_END};

    switch (cli_parse(CLI_BULK, opts, cli_bulk_usage, argc, argv, 0, NULL)) {
    case 0:
        break;
    case 1:
        return 0; /* --help */
    default:
        return 2; /* the usage error is printed */
    }
    if (status || cancel) {
        if (file || body || job || mode || rid || vis || (status && cancel))
            return cli_usage_error(CLI_BULK, "--status and --cancel take only a request id");
        rc = cli_bulk_print(status ? bulk_status : bulk_cancel, status ? status : cancel,
                            status ? " --status" : " --cancel");
        send_port_close();
        return rc;
    }
    if (!file || !body)
        return cli_usage_error(CLI_BULK, "a required option is missing: '%s'",
                               !file ? "--candidates" : "--body");
    if (mode && strcmp(mode, "schedule") != 0 && strcmp(mode, "skip") != 0)
        return cli_usage_error(CLI_BULK, "--quiet-hours must be schedule or skip, not '%.64s'",
                               mode);
    text = cli_bulk_read(file);
    if (!text)
        return cli_usage_error(CLI_BULK,
                               "cannot read the candidate list from '%.200s' (or it is "
                               "longer than 64 KiB)",
                               file);
    req = cJSON_CreateObject();
    result = cJSON_CreateObject();
    arr = req ? cJSON_AddArrayToObject(req, "candidate_ids") : NULL;
    if (!req || !result || !arr)
        goto out;
    n = cli_bulk_ids(text, arr);
    if (n < 1 || n > OUTBOX_BULK_ITEMS_MAX) {
        rc = cli_usage_error(CLI_BULK, "the list holds %d candidate ids; a bulk takes 1 to %d", n,
                             OUTBOX_BULK_ITEMS_MAX);
        goto out;
    }
    if (!rid) {
        if (sodium_init() < 0)
            goto out;
        randombytes_buf(rnd, sizeof(rnd));
        memcpy(rid_buf, "cli-", 4);
        sodium_bin2hex(rid_buf + 4, sizeof(rid_buf) - 4, rnd, sizeof(rnd));
        rid = rid_buf;
    }
    cJSON_AddStringToObject(req, "request_id", rid);
    cJSON_AddStringToObject(req, "body", body);
    cJSON_AddStringToObject(req, "quiet_hours", mode ? mode : "schedule");
    if (job)
        cJSON_AddStringToObject(req, "job_id", job);
    if (vis)
        cJSON_AddStringToObject(cJSON_AddObjectToObject(req, "note"), "visibility", vis);
    err_clear(&e);
    if (bulk_start(req, result, &drive, &e) != 0) {
        fprintf(stderr, "textus-host bulk: %s: %s\n", err_code_name(e.code), e.message);
        rc = e.code == ERR_BAD_REQUEST ? 2 : 1;
        goto out;
    }
    fprintf(stderr, "bulk %s: %ld candidates\n", rid,
            (long)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(result, "accepted")));
    sk = cJSON_GetObjectItemCaseSensitive(result, "skipped");
    {
        const cJSON *s;
        cJSON_ArrayForEach(s, sk)
        {
            fprintf(stderr, "  skipped %s: %s\n",
                    cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(s, "candidate_id")),
                    cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(s, "reason")));
        }
    }
    if (drive) {
        err_clear(&e);
        if (bulk_run(rid, os_isatty(2) ? cli_bulk_bar : NULL, NULL, &e) != 0)
            fprintf(stderr, "textus-host bulk: %s: %s\n", err_code_name(e.code), e.message);
    } else if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(result, "finished"))) {
        fprintf(stderr,
                "bulk %s is being sent by another host process; textus-host bulk "
                "--status %s shows how far it is\n",
                rid, rid);
    }
    rc = cli_bulk_print(bulk_status, rid, "");
out:
    send_port_close();
    cJSON_Delete(req);
    cJSON_Delete(result);
    free(text);
    return rc;
}
