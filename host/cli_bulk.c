/*
 * cli_bulk — `textus-host bulk --candidates FILE|- --body TEXT [--job ID]`: one text to
 * many candidates through the same code as the bulk_send verb (bulk.c), a progress bar on
 * a terminal, then the outcome in words (each skipped or failed candidate by name and why;
 * --json: the bulk's final state as JSON); `--status ID` and `--cancel ID` as the verbs
 * bulk_status and bulk_cancel. Every value is checked first, in the options' words (a list
 * with lines that are not candidate ids is refused unless --skip-invalid), so that nothing
 * is sent on a mistyped command.
 * [engine]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "bulk.h"
#include "cli.h"
#include "common.h"
#include "compose.h"
#include "engine_entry.h"
#include "notetext.h"
#include "os.h"
#include "outbox.h"
#include "phone.h"
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
            "                        [--skip-invalid] [--json]\n"
            "       textus-host bulk --status REQUEST_ID [--json]\n"
            "       textus-host bulk --cancel REQUEST_ID [--json]\n"
            "\n"
            "Texts every candidate listed in FILE (or on stdin with -: Greenhouse candidate\n"
            "ids, one per line or separated by spaces or commas; # starts a comment; 1 to 500)\n"
            "exactly like the extension's bulk send: each candidate's number from their\n"
            "Greenhouse record (the first mobile US/Canada number), the body's merge fields\n"
            "({first_name}, {last_name}, {full_name}, {recruiter_first_name},\n"
            "{recruiter_name}) filled for them, opted-out and blocked numbers skipped, quiet\n"
            "hours in their time zone, one note each. At most one text a second. A progress\n"
            "bar on a terminal, then how many were sent, skipped and failed, and each\n"
            "skipped or failed candidate with the reason (--json: the final state as JSON).\n"
            "A merge field it does not know, or a line of the list that is not a candidate\n"
            "id, stops it before anything is sent (--skip-invalid: text the valid ids).\n"
            "Running the same command again (the same --request-id) never texts anyone twice\n"
            "and finishes what was left; without --request-id one is made up and printed.\n"
            "\n"
            "options (--job X and --job=X alike):\n");
    cli_print_options(out, opts);
    fprintf(out, "\n"
                 "exit status: 0 every candidate is done (sent, scheduled, skipped, failed or\n"
                 "cancelled: the output says which); 1 the bulk could not be run or some texts'\n"
                 "outcome is not known yet (run the command again); 2 a wrong or missing option\n"
                 "(a malformed --status or --cancel id too), an unknown merge field, or a list\n"
                 "with lines that are not candidate ids (with --skip-invalid: a list with no\n"
                 "candidate id); nothing is sent.\n");
}

#define CLI_BULK_BAD_SHOWN 5 /* the invalid entries a refusal names */

/* The entries of a list that are not candidate ids (as cli_shown shows them, with their line)
 * and how many repeat an id listed before. */
struct cli_bulk_bad {
    int n, dup;
    char v[OUTBOX_BULK_ITEMS_MAX + 1][80];
};

/* Split the list into ids: each valid one once into arr (at most OUTBOX_BULK_ITEMS_MAX + 1), the
 * entries that are not Greenhouse candidate ids into bad, and a repeat of an id listed before
 * only counted (bad->dup): the bulk is asked about each candidate once. The count of distinct
 * candidate ids (what a bulk's 1 to 500 counts). */
static int cli_bulk_ids(char *text, cJSON *arr, struct cli_bulk_bad *bad)
{
    char *p = text;
    int line = 1, n_ok = 0;

    bad->n = bad->dup = 0;
    while (*p) {
        char *start, c;
        if (*p == '#') {
            while (*p && *p != '\n')
                p++;
            continue;
        }
        if (strchr(" \t\r\n,;", *p)) {
            line += *p == '\n';
            p++;
            continue;
        }
        start = p;
        while (*p && !strchr(" \t\r\n,;#", *p))
            p++;
        c = *p;
        *p = '\0';
        if (!phone_gh_id_valid(start)) {
            if (bad->n <= OUTBOX_BULK_ITEMS_MAX) {
                char shown[64];
                snprintf(bad->v[bad->n], sizeof(bad->v[bad->n]), "%s (line %d)",
                         cli_shown(shown, sizeof(shown), start), line);
            }
            bad->n++;
        } else {
            const cJSON *it;
            int again = 0;
            cJSON_ArrayForEach(it, arr)
            {
                if (strcmp(cJSON_GetStringValue(it), start) == 0) {
                    again = 1;
                    break;
                }
            }
            if (again)
                bad->dup++;
            else if (n_ok++ <= OUTBOX_BULK_ITEMS_MAX)
                cJSON_AddItemToArray(arr, cJSON_CreateString(start));
        }
        *p = c;
    }
    return n_ok;
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

/* What the run showed of each candidate, for the summary: their names (this run read them). */
struct cli_bulk_seen {
    int bar; /* draw the progress bar (stderr is a terminal) */
    size_t n;
    struct {
        char id[32];
        char name[128];
    } v[OUTBOX_BULK_ITEMS_MAX];
};

static void cli_bulk_bar(void *ud, const char *request_id, const struct bulk_counts *k,
                         const char *candidate_id, const char *name, const char *state,
                         const char *reason, int final)
{
    struct cli_bulk_seen *seen = ud;
    int width = 30, fill = k->total > 0 ? (int)(k->done * width / k->total) : width, i;

    (void)request_id;
    (void)state;
    (void)reason;
    if (candidate_id && name && seen->n < OUTBOX_BULK_ITEMS_MAX) {
        snprintf(seen->v[seen->n].id, sizeof(seen->v[seen->n].id), "%s", candidate_id);
        snprintf(seen->v[seen->n].name, sizeof(seen->v[seen->n].name), "%s", name);
        seen->n++;
    }
    if (!seen->bar)
        return;
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

/* A skip reason or a state's reason in words (PROTOCOL.md, bulk_send); NULL: an error code. */
static const char *cli_bulk_reason_words(const char *reason)
{
    static const struct {
        const char *code, *words;
    } words[] = {
        {"invalid_id", "not a Greenhouse candidate id"},
        {"duplicate", "listed more than once (texted once)"},
        {"not_found", "not found in Greenhouse"},
        {"no_number", "no US/Canada number on their Greenhouse record"},
        {"merge_missing", "a merge field has no value for them"},
        {"opted_out", "opted out of texts"},
        {"blocked", "their TextUs conversation is blocked"},
        {"quiet_hours", "outside the hours texts are allowed (--quiet-hours skip)"},
        {"no_time_zone", "their number's time zone is not known"},
        {"outcome_unknown", "whether the text went out is not known yet"},
        {"not_sent", "the text was not sent and cannot be sent again under this bulk"},
    };
    size_t i;

    for (i = 0; reason && i < TH_ARRAY_SIZE(words); i++) {
        if (strcmp(reason, words[i].code) == 0)
            return words[i].words;
    }
    return NULL;
}

/* s escaped for a terminal (notetext_term), malloc'd; NULL when s is NULL or out of memory. */
static char *cli_bulk_term(const char *s)
{
    char *t = NULL;

    if (!s || notetext_term(&t, s, strlen(s)) != 0)
        return NULL;
    return t;
}

/* One line for a skipped, failed or unfinished candidate: id, name when known, why. */
static void cli_bulk_line(const cJSON *c, const struct cli_bulk_seen *seen)
{
    const char *id = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(c, "candidate_id"));
    const char *state = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(c, "state"));
    const char *reason = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(c, "reason"));
    const char *detail = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(c, "detail"));
    const char *words = cli_bulk_reason_words(reason), *name = NULL;
    char *tid, *tname, *tdetail;
    size_t i;

    for (i = 0; seen && id && i < seen->n; i++) {
        if (strcmp(seen->v[i].id, id) == 0 && seen->v[i].name[0])
            name = seen->v[i].name;
    }
    tid = cli_bulk_term(id);
    tname = cli_bulk_term(name);
    tdetail = detail && *detail ? cli_bulk_term(detail) : NULL;
    if (!words)
        words = tdetail                                  ? tdetail
                : reason                                 ? reason
                : state && strcmp(state, "pending") == 0 ? "not texted yet"
                : state && strcmp(state, "sending") == 0 ? "being sent now"
                                                         : "no reason given";
    else if (reason && strcmp(reason, "merge_missing") != 0 && strcmp(reason, "not_sent") != 0) {
        free(tdetail); /* the words say it all */
        tdetail = NULL;
    }
    printf("  %s  candidate %s%s%s%s: %s%s%s\n", state ? state : "?", tid ? tid : "?",
           tname ? " (" : "", tname ? tname : "", tname ? ")" : "", words,
           tdetail && words != tdetail ? ": " : "", tdetail && words != tdetail ? tdetail : "");
    free(tid);
    free(tname);
    free(tdetail);
}

/* The bulk's state in words: the counts, then each candidate not sent. */
static void cli_bulk_human(const cJSON *st, const struct cli_bulk_seen *seen)
{
    const cJSON *cands = cJSON_GetObjectItemCaseSensitive(st, "candidates"), *c;
    long total = (long)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(st, "total"));
    long sched = (long)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(st, "scheduled"));
    long canc = (long)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(st, "cancelled"));
    int fin = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(st, "finished"));

    printf("%s: %ld sent, ", fin ? "Done" : "Not finished",
           (long)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(st, "sent")));
    if (sched)
        printf("%ld scheduled, ", sched);
    printf("%ld skipped, %ld failed, ",
           (long)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(st, "skipped")),
           (long)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(st, "failed")));
    if (canc)
        printf("%ld cancelled, ", canc);
    printf("of %ld candidate%s\n", total, total == 1 ? "" : "s");
    cJSON_ArrayForEach(c, cands)
    {
        const char *state = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(c, "state"));
        if (state && strcmp(state, "sent") != 0 && strcmp(state, "scheduled") != 0 &&
            strcmp(state, "cancelled") != 0)
            cli_bulk_line(c, seen);
    }
    if (!fin && cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(st, "running")))
        printf("A host process is still sending it: textus-host bulk --status %s shows how far "
               "it is.\n",
               cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(st, "request_id")));
    else if (!fin)
        printf("Run the bulk again with --request-id %s (the same list, text and options): the "
               "candidates not done yet are finished then, and nobody is texted twice.\n",
               cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(st, "request_id")));
}

/* An error of the bulk verbs in the command's words: the message, without the code. */
static void cli_bulk_error(const char *what, const struct err *e)
{
    char cmd[32];

    snprintf(cmd, sizeof(cmd), "bulk%s", what);
    cli_verb_error(cmd, e);
}

static int cli_bulk_print(int (*fn)(const char *, cJSON *, struct err *), const char *rid,
                          const char *what, int json, const struct cli_bulk_seen *seen)
{
    cJSON *result = cJSON_CreateObject();
    struct err e;
    char *out;
    int rc = 1;

    err_clear(&e);
    if (result && fn(rid, result, &e) == 0) {
        const cJSON *fin = cJSON_GetObjectItemCaseSensitive(result, "finished");
        if (json) {
            out = cJSON_Print(result);
            if (out)
                printf("%s\n", out);
            free(out);
        } else {
            if (fn == bulk_cancel)
                printf("Cancelled: nothing more is sent for bulk %s.\n", rid);
            else if (what && strcmp(what, " --cancel") == 0)
                printf("Bulk %s had already ended: nothing to cancel.\n", rid);
            cli_bulk_human(result, seen);
        }
        rc = cJSON_IsTrue(fin) ? 0 : 1;
        if (fn == bulk_cancel)
            rc = 0;
    } else {
        cli_bulk_error(what, &e);
    }
    cJSON_Delete(result);
    return rc;
}

/* 1-45 of A-Z a-z 0-9 _ - (bulk.c's rule for a bulk's request id). */
static int cli_bulk_rid_ok(const char *s)
{
    size_t n = strlen(s);

    return n >= 1 && n <= 45 &&
           strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-") == n;
}

/* Every option's value by the verb's rules before the list is read: a usage error (exit 2)
 * in the options' words, or 0. */
static int cli_bulk_check(const char *body, const char *mode, const char *job, const char *rid,
                          const char *vis)
{
    static const char *const visibilities[] = {"private", "public", "admin_only"};
    char shown[96];
    struct err e;

    if (!body[strspn(body, " \t\r\n")])
        return cli_usage_error(CLI_BULK, "--body is empty");
    err_clear(&e);
    if (compose_check_fields(body, &e) != 0)
        return cli_usage_error(CLI_BULK, "--body: %s (nothing was sent)", e.message);
    if (mode && strcmp(mode, "schedule") != 0 && strcmp(mode, "skip") != 0)
        return cli_usage_error(CLI_BULK, "--quiet-hours must be schedule or skip, not %s",
                               cli_shown(shown, sizeof(shown), mode));
    if (job && !phone_gh_id_valid(job))
        return cli_usage_error(CLI_BULK,
                               "--job must be a Greenhouse job id (1-18 digits, not 0), not %s",
                               cli_shown(shown, sizeof(shown), job));
    if (rid && !cli_bulk_rid_ok(rid))
        return cli_usage_error(CLI_BULK,
                               "--request-id must be 1 to 45 of A-Z a-z 0-9 _ - (each "
                               "candidate's text is journaled under it and the candidate id), "
                               "not %s",
                               cli_shown(shown, sizeof(shown), rid));
    if (vis && strcmp(vis, "private") != 0 && strcmp(vis, "public") != 0 &&
        strcmp(vis, "admin_only") != 0) {
        const char *near = term_nearest(vis, visibilities, TH_ARRAY_SIZE(visibilities));
        return cli_usage_error(CLI_BULK,
                               "--visibility must be private, public or admin_only, not "
                               "%s%s%s%s",
                               cli_shown(shown, sizeof(shown), vis), near ? " (did you mean " : "",
                               near ? near : "", near ? "?)" : "");
    }
    return 0;
}

int cli_cmd_bulk(int argc, char **argv)
{
    int code;
    const char *file = NULL, *body = NULL, *job = NULL, *mode = NULL, *rid = NULL, *vis = NULL;
    const char *status = NULL, *cancel = NULL;
    char rid_buf[40], *text = NULL, badlist[CLI_BULK_BAD_SHOWN * 96], shown[256];
    unsigned char rnd[12];
    cJSON *req = NULL, *result = NULL, *arr;
    struct cli_bulk_seen *seen = NULL;
    struct cli_bulk_bad *bad = NULL;
    struct err e;
    int rc = 1, n, drive, json = 0, skip_invalid = 0, i;
    long accepted;

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
        CLI_OPT_BOOL("--skip-invalid", 0,
                     "text the valid ids of a list with lines that are not candidate ids\n(each "
                     "listed as skipped); without it such a list sends nothing",
                     &skip_invalid),
        CLI_OPT_BOOL("--json", 0,
                     "the bulk's state as JSON for programs (host/PROTOCOL.md, "
                     "bulk_status)",
                     &json),
        CLI_OPT_STRING("--status", 0, "ID", "the counts and each candidate's state", &status),
        CLI_OPT_STRING("--cancel", 0, "ID", "stop what has not been sent (prints what had)",
                       &cancel),
        CLI_OPT_END};

    if (!cli_parse(&code, CLI_BULK, opts, cli_bulk_usage, argc, argv, 0, NULL))
        return code; /* 0 after --help, 2 after the usage error (printed) */
    if (status || cancel) {
        if (status && cancel)
            return cli_usage_error(CLI_BULK, "--status and --cancel go alone: give one of them");
        if (file || body || job || mode || rid || vis || skip_invalid)
            return cli_usage_error(CLI_BULK,
                                   "%s takes only a request id (and --json): leave out the "
                                   "options of a new bulk",
                                   status ? "--status" : "--cancel");
        if (!cli_bulk_rid_ok(status ? status : cancel))
            return cli_usage_error(CLI_BULK,
                                   "%s must be a bulk's request id (1 to 45 of A-Z a-z 0-9 _ -, "
                                   "as the bulk printed it), not %s",
                                   status ? "--status" : "--cancel",
                                   cli_shown(shown, sizeof(shown), status ? status : cancel));
        if (cancel) { /* a finished bulk: nothing to cancel, and its outcome as it is */
            cJSON *st = cJSON_CreateObject();
            int fin;
            err_clear(&e);
            fin = st && bulk_status(cancel, st, &e) == 0 &&
                  cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(st, "finished"));
            cJSON_Delete(st);
            if (fin) {
                rc = cli_bulk_print(bulk_status, cancel, " --cancel", json, NULL);
                send_port_close();
                return rc;
            }
        }
        rc = cli_bulk_print(status ? bulk_status : bulk_cancel, status ? status : cancel,
                            status ? " --status" : " --cancel", json, NULL);
        send_port_close();
        return rc;
    }
    if (!file || !body)
        return cli_usage_error(CLI_BULK, "a required option is missing: '%s'",
                               !file ? "--candidates" : "--body");
    if (cli_bulk_check(body, mode, job, rid, vis) != 0)
        return 2;
    text = cli_bulk_read(file);
    if (!text)
        return cli_usage_error(CLI_BULK,
                               "cannot read the candidate list from %s (or it is "
                               "longer than 64 KiB)",
                               cli_shown_path(shown, sizeof(shown), file));
    req = cJSON_CreateObject();
    result = cJSON_CreateObject();
    seen = calloc(1, sizeof(*seen));
    bad = calloc(1, sizeof(*bad));
    arr = req ? cJSON_AddArrayToObject(req, "candidate_ids") : NULL;
    if (!req || !result || !arr || !seen || !bad)
        goto out;
    n = cli_bulk_ids(text, arr, bad);
    badlist[0] = '\0';
    for (i = 0; i < bad->n && i < CLI_BULK_BAD_SHOWN; i++) {
        size_t used = strlen(badlist);
        snprintf(badlist + used, sizeof(badlist) - used, "%s%s", i ? ", " : "", bad->v[i]);
    }
    if (bad->n && (!skip_invalid || n == 0)) {
        rc = cli_usage_error(CLI_BULK,
                             "%d entr%s of the list %s not a Greenhouse candidate id (1-18 "
                             "digits, not 0): %s%s; nothing was sent. %s",
                             bad->n, bad->n == 1 ? "y" : "ies", bad->n == 1 ? "is" : "are", badlist,
                             bad->n > CLI_BULK_BAD_SHOWN ? ", ..." : "",
                             n == 0 ? "No entry of the list is a candidate id: fix the list"
                                    : "Fix the list, or add --skip-invalid to text the "
                                      "others");
        goto out;
    }
    if (n < 1 || n > OUTBOX_BULK_ITEMS_MAX) {
        rc = cli_usage_error(CLI_BULK,
                             "the list holds %d different candidate ids; a bulk takes 1 to %d", n,
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
        if (e.code == ERR_REQUEST_ID_CONFLICT) /* the outbox's words are the verb's */
            err_set(&e, ERR_REQUEST_ID_CONFLICT,
                    "--request-id %s was already used for a different bulk (candidates, text or "
                    "options differ); nothing was sent: leave --request-id out (a new one is "
                    "made up) or choose another",
                    rid);
        cli_bulk_error("", &e);
        rc = e.code == ERR_BAD_REQUEST ? 2 : 1;
        goto out;
    }
    accepted = (long)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(result, "accepted"));
    fprintf(stderr, "bulk %s: %ld candidate%s\n", rid, accepted, accepted == 1 ? "" : "s");
    if (drive) {
        seen->bar = os_isatty(2);
        err_clear(&e);
        if (bulk_run(rid, cli_bulk_bar, seen, &e) != 0)
            cli_bulk_error("", &e);
    } else if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(result, "finished"))) {
        fprintf(stderr,
                "bulk %s is being sent by another host process; textus-host bulk "
                "--status %s shows how far it is\n",
                rid, rid);
    }
    rc = cli_bulk_print(bulk_status, rid, "", json, seen);
    /* what never became a candidate of the bulk, in words (on stderr beside --json) */
    for (i = 0; i < bad->n && i <= OUTBOX_BULK_ITEMS_MAX; i++)
        fprintf(json ? stderr : stdout, "  left out of the list  entry %s: %s (--skip-invalid)\n",
                bad->v[i], cli_bulk_reason_words("invalid_id"));
    if (bad->dup)
        fprintf(json ? stderr : stdout,
                "%d duplicate entr%s of the list ignored (each candidate "
                "is in the bulk once)\n",
                bad->dup, bad->dup == 1 ? "y" : "ies");
out:
    send_port_close();
    cJSON_Delete(req);
    cJSON_Delete(result);
    free(seen);
    free(bad);
    free(text);
    return rc;
}
