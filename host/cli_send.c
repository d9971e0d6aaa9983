/*
 * cli_send — `textus-host send --candidate <id> --to <number>`: the body is
 * read from stdin (on a terminal, after a prompt on stderr: stdout is for the
 * result) and sent through the same code path as the send_sms verb
 * (handler_send_sms), or scheduled like schedule_sms with --schedule-at,
 * printing its result. With notes on, --to must be one of the candidate's
 * numbers in Greenhouse (the command has no page to read one from) unless
 * --to-unlisted says it is knowingly not (the note then says so).
 * [engine]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "cli.h"
#include "notetext.h"
#include "iso8601.h"
#include "common.h"
#include "engine_entry.h"
#include "gh_config.h"
#include "handler.h"
#include "hints.h"
#include "phone.h"
#include "send.h"
#include "term.h"

#define CLI_SEND_BODY_MAX 65536

static void cli_send_usage(FILE *out, const struct cli_opt *opts)
{
    char hint[256];

    term_stdin_hint(hint, sizeof(hint),
                    "textus-host send --candidate ID --to +1NXXNXXXXXX < body.txt");
    fprintf(
        out,
        "usage: textus-host send --candidate ID --to +1NXXNXXXXXX [--request-id ID]\n"
        "                        [--visibility private|public|admin_only]\n"
        "                        [--schedule-at YYYY-MM-DDTHH:MM:SSZ | --override-quiet-hours]\n"
        "                        [--to-unlisted] < body.txt\n"
        "%s"
        "\n"
        "Sends one text through TextUs (the body on stdin) and logs it as a note on the\n"
        "Greenhouse candidate, exactly like the extension's send; prints the result as\n"
        "JSON (message id, note state, and for a note that waits for a person, the fix).\n"
        "Before anything is sent, the candidate is looked up in Greenhouse (when notes are\n"
        "on): one that is not there is refused (greenhouse_not_found), and the result\n"
        "names the candidate the note went to (\"candidate\": {\"id\", \"name\"}).\n"
        "A request id is made up when none is given; sending the same request id again\n"
        "never sends twice. A request id is printed once the text is journaled\n"
        "(textus-host outbox list shows it).\n"
        "\n"
        "Quiet hours: a text is refused when it is outside the allowed window in the\n"
        "candidate's local time (settings.quiet_hours, default 08:00-21:00; the time zone\n"
        "comes from the number); the message says their time and when texts are allowed\n"
        "again (--schedule-at and --override-quiet-hours below).\n"
        "\n"
        "options (--to X and --to=X alike):\n",
        hint);
    cli_print_options(out, opts);
    fprintf(out,
            "\n"
            "exit status: 0 the text was sent, or scheduled with --schedule-at (the note's\n"
            "state is in the output); 1 it was not sent (quiet hours included, a candidate\n"
            "Greenhouse does not have, or --to not among the candidate's numbers there without\n"
            "--to-unlisted), or its outcome is unknown (the message says which and what to\n"
            "do); 2 a wrong or missing option or value, or no text on stdin (nothing was\n"
            "looked up or sent).\n");
}

#define CLI_SEND "send"

/* --to refused (cli.h): send's rule, which conversation shares. */
int cli_bad_to(const char *cmd, const char *to)
{
    struct phone_number n;
    char shown[96];

    (void)cli_shown(shown, sizeof(shown), to);
    if (phone_parse_value(&n, to, strlen(to)) && n.supported && !n.ext[0])
        return cli_usage_error(cmd, TH_HINT_CLI_TO ", not %s (did you mean %s?)", shown, n.e164);
    return cli_usage_error(cmd, TH_HINT_CLI_TO ", not %s", shown);
}

/* A message's time for people (cli.h). */
void cli_show_when(char *out, size_t outsz, const cJSON *at, const char *unknown)
{
    const char *s = cJSON_IsString(at) ? at->valuestring : "";
    char *t = NULL;
    int64_t ms;

    if (*s && iso8601_parse_ms(&ms, s, strlen(s)) == 0 &&
        term_local_time(out, outsz, ms >= 0 ? ms / 1000 : (ms - 999) / 1000) == 0)
        ; /* the local time */
    else if (*s && notetext_term(&t, s, strlen(s)) == 0)
        snprintf(out, outsz, "%.*s", (int)notetext_prefix(t, strlen(t), 40),
                 t); /* the service's own text, escaped */
    else
        snprintf(out, outsz, "%s", unknown);
    free(t);
}

/* A verb's result, as JSON or for people (cli.h). */
int cli_show_result(const cJSON *result, int json, void (*human)(const cJSON *result))
{
    char *s;

    if (!json) {
        human(result);
        return 0;
    }
    s = cJSON_Print(result);
    if (!s)
        return -1;
    printf("%s\n", s);
    free(s);
    return 0;
}

/*
 * Every option's value by the verb's own rules, before anything is read, looked up or
 * journaled: a wrong value is a usage error (exit 2), said in the options' words.
 */
static int cli_send_check(const char *cand, const char *to, const char *rid, const char *vis,
                          const char *at, int override)
{
    static const char *const visibilities[] = {"private", "public", "admin_only"};
    char shown[96];

    if (!phone_gh_id_valid(cand))
        return cli_usage_error(CLI_SEND, TH_HINT_CLI_CANDIDATE ", not %s",
                               cli_shown(shown, sizeof(shown), cand));
    if (!phone_e164_nanp_valid(to))
        return cli_bad_to(CLI_SEND, to);
    if (rid && !send_request_id_ok(rid))
        return cli_usage_error(CLI_SEND, "--request-id must be 1 to 64 of A-Z a-z 0-9 _ -, not %s",
                               cli_shown(shown, sizeof(shown), rid));
    if (vis && strcmp(vis, "private") != 0 && strcmp(vis, "public") != 0 &&
        strcmp(vis, "admin_only") != 0) {
        const char *near = term_nearest(vis, visibilities, TH_ARRAY_SIZE(visibilities));
        return cli_usage_error(CLI_SEND,
                               "--visibility must be private, public or admin_only, not "
                               "%s%s%s%s",
                               cli_shown(shown, sizeof(shown), vis), near ? " (did you mean " : "",
                               near ? near : "", near ? "?)" : "");
    }
    if (at && override)
        return cli_usage_error(CLI_SEND, "--schedule-at and --override-quiet-hours do not go "
                                         "together (a scheduled text must be due inside the "
                                         "hours texts are allowed)");
    if (at && send_parse_send_at(at) <= 0)
        return cli_usage_error(CLI_SEND,
                               "--schedule-at must be a UTC time written YYYY-MM-DDTHH:MM:SSZ, "
                               "e.g. 2026-12-02T15:00:00Z, not %s",
                               cli_shown(shown, sizeof(shown), at));
    return 0;
}

/* 1 when the outbox holds request rid (its text was journaled: outbox list shows it). */
static int cli_send_journaled(const char *rid)
{
    struct send_ctx *c;
    struct outbox_entry en;
    struct err e;
    int r;

    err_clear(&e);
    if (send_port(&c, 1, &e) != 0)
        return 0;
    memset(&en, 0, sizeof(en));
    r = outbox_get(c->ob, rid, &en, &e);
    if (r == 1)
        outbox_entry_free(&en);
    return r == 1;
}

/*
 * With notes on, --to must be one of the candidate's numbers in Greenhouse (List Candidates by
 * id, the lookup extract_phone's fallback makes), any of the numbers a record value holds, and
 * written there without an extension (one with an extension is a desk line, refused as not
 * listed): a mistyped --to or --candidate would text
 * someone and log it on a candidate whose record lacks the number. 0 when it is (or notes are
 * off: no note names the candidate), also when it is not but unlisted_ok (--to-unlisted) —
 * *unlisted is then set, so that the note says so; 1 when refused or the look-up failed (said
 * on stderr).
 */
static int cli_send_to_listed(const char *cand, const char *to, int unlisted_ok, int *unlisted)
{
    struct send_ctx *c;
    cJSON *arr, *item;
    struct err e;
    size_t count = 0;
    int listed = 0, desk = 0;

    err_clear(&e);
    if (send_port(&c, 1, &e) != 0)
        return 0; /* the send itself says what is missing (not_configured, the store) */
    if (!c->note_enabled)
        return 0;
    arr = cJSON_CreateArray();
    if (!arr)
        return 1;
    if (gh_config_candidate_phones(c->store, cand, arr, &e) != 0) {
        cJSON_Delete(arr);
        if (e.code == ERR_GREENHOUSE_NOT_FOUND)
            fprintf(stderr,
                    "textus-host send: greenhouse_not_found: Greenhouse has no candidate %s "
                    "visible to these credentials; nothing was sent: check --candidate (the "
                    "number after /people/ in the candidate's Greenhouse address)\n",
                    cand);
        else
            fprintf(stderr,
                    "textus-host send: %s: candidate %s's numbers could not be read from "
                    "Greenhouse to check --to, so nothing was sent: %s\n",
                    err_code_name(e.code), cand, e.message);
        return 1;
    }
    cJSON_ArrayForEach(item, arr)
    {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(item, "value");
        struct phone_number n;
        int has;
        if (!cJSON_IsString(v) || !phone_parse_value(&n, v->valuestring, strlen(v->valuestring)))
            continue;
        count++;
        /* every number of the value ("303-555-0124 / 720-555-0199"); one written with an
         * extension only is a desk line, not the person's number to text */
        has = phone_value_has(v->valuestring, strlen(v->valuestring), to);
        listed |= has == 1;
        desk |= has == 2;
    }
    cJSON_Delete(arr);
    if (listed)
        return 0;
    if (unlisted_ok) { /* --to-unlisted: sent, and the note says it is not on the record */
        *unlisted = 1;
        return 0;
    }
    if (desk) {
        fprintf(stderr,
                "textus-host send: --to is on candidate %s's Greenhouse record only with an "
                "extension: a desk line (a text reaches the switchboard, not the person); "
                "nothing was sent and no note was written. Check --to, or add --to-unlisted to "
                "text it anyway (the note on candidate %s then says the number is not on their "
                "record)\n",
                cand, cand);
        return 1;
    }
    fprintf(stderr,
            "textus-host send: --to is not one of candidate %s's numbers in Greenhouse (the "
            "record has %zu number%s); nothing was sent and no note was written. Check --to "
            "and --candidate, or add --to-unlisted to text it anyway (the note on candidate %s "
            "then says the number is not on their record)\n",
            cand, count, count == 1 ? "" : "s", cand);
    return 1;
}

int cli_cmd_send(int argc, char **argv)
{
    int code;
    const char *cand = NULL, *to = NULL, *rid = NULL, *vis = NULL, *at = NULL;
    int override = 0, unlisted = 0;
    char rid_buf[40], *body = NULL, *out = NULL;
    unsigned char rnd[12];
    size_t len = 0;
    cJSON *req = NULL, *result = NULL, *note;
    struct handler_env env = {.origin = NULL, .from_cli = 1};
    struct err e;
    int rc = 1;
    const struct cli_opt opts[] = {
        CLI_OPT_STRING(
            "--candidate", 0, "ID",
            "the Greenhouse candidate id (the number after /people/ in\nthe candidate's Greenhouse "
            "address)",
            &cand),
        CLI_OPT_STRING("--to", 0, "+1NXXNXXXXXX", "a US/Canada number, e.g. +13035550123", &to),
        CLI_OPT_STRING("--request-id", 0, "ID", "1 to 64 of A-Z a-z 0-9 _ -", &rid),
        CLI_OPT_STRING(
            "--visibility", 0, "V",
            "the note's: private, public or admin_only (default:\nsettings.note_visibility)", &vis),
        CLI_OPT_BOOL(
            "--to-unlisted", 0,
            "text a number that is not one of the candidate's numbers\nin Greenhouse; the note "
            "says so. Without it (notes on),\nsuch a number is refused before anything is sent",
            &unlisted),
        CLI_OPT_STRING(
            "--schedule-at", 0, "TIME",
            "schedule the text in TextUs for TIME (ISO-8601 UTC,\nat least a minute and at most 90 "
            "days ahead, inside\nthe window in the candidate's time); the note says\nwhen it is "
            "due, in their time",
            &at),
        CLI_OPT_BOOL("--override-quiet-hours", 0,
                     "send now even outside the window (the note says so)", &override),
        CLI_OPT_END};

    if (!cli_parse(&code, CLI_SEND, opts, cli_send_usage, argc, argv, 0, NULL))
        return code; /* 0 after --help, 2 after the usage error (printed) */
    if (!cand || !to)
        return cli_usage_error(CLI_SEND, "a required option is missing: '%s'",
                               !cand ? "--candidate" : "--to");
    if (cli_send_check(cand, to, rid, vis, at, override) != 0)
        return 2;
    body = malloc(CLI_SEND_BODY_MAX + 1);
    if (!body)
        return 1;
    if (term_stdin_is_tty()) { /* a person at a terminal, not a pipe: say what is awaited */
        fprintf(stderr, "Type the text, then press Enter and Ctrl-D (Ctrl-C cancels; nothing is "
                        "sent before Ctrl-D).\n");
        fflush(stderr);
    }
    len = fread(body, 1, CLI_SEND_BODY_MAX + 1, stdin);
    if (len > CLI_SEND_BODY_MAX) {
        rc = cli_usage_error(CLI_SEND, "the text on stdin is longer than %d bytes",
                             CLI_SEND_BODY_MAX);
        goto out;
    }
    while (len > 0 && (body[len - 1] == '\n' || body[len - 1] == '\r'))
        len--;
    body[len] = '\0';
    if (strspn(body, " \t\r\n\v\f") == len) {
        rc = cli_usage_error(CLI_SEND, "the text to send is read from stdin, and it is empty");
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
    /* env.to_unlisted only when the number really is not on the record (the note says so) */
    if (cli_send_to_listed(cand, to, unlisted, &env.to_unlisted) != 0)
        goto out; /* exit 1: nothing was sent */
    req = cJSON_CreateObject();
    result = cJSON_CreateObject();
    if (!req || !result ||
        !cJSON_AddStringToObject(req, "type", at ? "schedule_sms" : "send_sms") ||
        !cJSON_AddStringToObject(req, "request_id", rid) ||
        !cJSON_AddStringToObject(req, "candidate_id", cand) ||
        !cJSON_AddStringToObject(req, "to", to) || !cJSON_AddStringToObject(req, "body", body))
        goto out;
    if (vis) {
        note = cJSON_AddObjectToObject(req, "note");
        if (!note || !cJSON_AddStringToObject(note, "visibility", vis))
            goto out;
    }
    if ((at && !cJSON_AddStringToObject(req, "send_at", at)) ||
        (override && !cJSON_AddTrueToObject(req, "override_quiet_hours")))
        goto out;
    err_clear(&e);
    if ((at ? handler_schedule_sms : handler_send_sms)(&env, req, result, &e) != 0) {
        if (e.code == ERR_REQUEST_ID_CONFLICT) /* the outbox's words are the verb's */
            err_set(&e, ERR_REQUEST_ID_CONFLICT,
                    "--request-id %s was already used for a different text (candidate, number, "
                    "text or visibility differ); nothing was sent: leave --request-id out (a "
                    "new one is made up) or choose another",
                    rid);
        if (e.code == ERR_NOT_CONFIGURED)
            cli_verb_error("send", &e); /* names this program as it is run */
        else
            fprintf(stderr, "textus-host send: %s: %s\n", err_code_name(e.code), e.message);
        /* a request id means something to a person only once the journal holds it */
        if (e.code != ERR_REQUEST_ID_CONFLICT && cli_send_journaled(rid))
            fprintf(stderr,
                    "request id %s is journaled (textus-host outbox list shows it); sending "
                    "again with --request-id %s never sends it twice\n",
                    rid, rid);
        goto out;
    }
    cJSON_AddStringToObject(result, "request_id", rid);
    out = cJSON_Print(result);
    if (out)
        printf("%s\n", out);
    rc = 0;
out:
    send_port_close(); /* the store and outbox handler_send_sms opened (send.c) */
    free(out);
    cJSON_Delete(req);
    cJSON_Delete(result);
    if (body) {
        sodium_memzero(body, CLI_SEND_BODY_MAX + 1);
        free(body);
    }
    return rc;
}
