/*
 * cli_send — `textus-host send --candidate <id> --to <number>`: the body is
 * read from stdin and sent through the same code path as the send_sms verb
 * (handler_send_sms), or scheduled like schedule_sms with --schedule-at,
 * printing its result.
 * [engine]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "common.h"
#include "handler.h"
#include "engine_entry.h"
#include "send.h"
#include "term.h"

#define CLI_SEND_BODY_MAX 65536

static void cli_send_usage(FILE *out)
{
    fprintf(
        out,
        "usage: textus-host send --candidate ID --to +1NXXNXXXXXX [--request-id ID]\n"
        "                        [--visibility private|public|admin_only]\n"
        "                        [--schedule-at YYYY-MM-DDTHH:MM:SSZ | --override-quiet-hours]\n"
        "                        < body.txt\n"
        "\n"
        "Sends one text through TextUs (the body on stdin) and logs it as a note on the\n"
        "Greenhouse candidate, exactly like the extension's send; prints the result as\n"
        "JSON (message id, note state, and for a note that waits for a person, the fix).\n"
        "A request id is made up when none is given; sending the same request id again\n"
        "never sends twice.\n"
        "\n"
        "Quiet hours: a text is refused when it is outside the allowed window in the\n"
        "candidate's local time (settings.quiet_hours, default 08:00-21:00; the time zone\n"
        "comes from the number); the message says their time and when texts are allowed\n"
        "again.\n"
        "  --schedule-at TIME        schedule the text in TextUs for TIME (ISO-8601 UTC,\n"
        "                            at least a minute and at most 90 days ahead, inside\n"
        "                            the window in the candidate's time); the note says\n"
        "                            when it is due, in their time\n"
        "  --override-quiet-hours    send now even outside the window (the note says so)\n"
        "\n"
        "exit status: 0 the text was sent, or scheduled with --schedule-at (the note's\n"
        "state is in the output); 1 it was not sent (quiet hours included), or its outcome\n"
        "is unknown (the message says which and what to do); 2 a wrong or missing option.\n");
}

static int cli_send_bad(const char *what, const char *arg, const char *near)
{
    fprintf(stderr, "textus-host send: %s '%s'", what, arg);
    if (near)
        fprintf(stderr, " (did you mean %s?)", near);
    fputs("\n(textus-host send --help shows the usage)\n", stderr);
    return 2;
}

int cli_cmd_send(int argc, char **argv)
{
    const char *cand = NULL, *to = NULL, *rid = NULL, *vis = NULL, *at = NULL;
    int override = 0;
    char rid_buf[40], *body = NULL, *out = NULL;
    unsigned char rnd[12];
    size_t len = 0;
    cJSON *req = NULL, *result = NULL, *note;
    struct handler_env env = {.origin = NULL, .from_cli = 1};
    struct err e;
    int argi, rc = 1;

    for (argi = 1; argi < argc; argi++) {
        static const char *const opts[] = {"--candidate",   "--to",
                                           "--request-id",  "--visibility",
                                           "--schedule-at", "--override-quiet-hours",
                                           "--help"};
        const char **slot = NULL;
        if (strcmp(argv[argi], "--help") == 0 || strcmp(argv[argi], "-h") == 0) {
            cli_send_usage(stdout);
            return 0;
        }
        if (strcmp(argv[argi], "--override-quiet-hours") == 0) {
            override = 1;
            continue;
        }
        if (strcmp(argv[argi], "--candidate") == 0)
            slot = &cand;
        else if (strcmp(argv[argi], "--to") == 0)
            slot = &to;
        else if (strcmp(argv[argi], "--request-id") == 0)
            slot = &rid;
        else if (strcmp(argv[argi], "--visibility") == 0)
            slot = &vis;
        else if (strcmp(argv[argi], "--schedule-at") == 0)
            slot = &at;
        if (!slot)
            return cli_send_bad(
                argv[argi][0] == '-' ? "unknown option" : "unexpected argument", argv[argi],
                argv[argi][0] == '-' ? term_nearest(argv[argi], opts, TH_ARRAY_SIZE(opts)) : NULL);
        if (argi + 1 >= argc)
            return cli_send_bad("a value is missing after", argv[argi], NULL);
        *slot = argv[++argi];
    }
    if (!cand || !to)
        return cli_send_bad("a required option is missing:", !cand ? "--candidate" : "--to", NULL);
    if (at && override) {
        fputs("textus-host send: --schedule-at and --override-quiet-hours do not go together (a "
              "scheduled text must be due inside the quiet-hours window)\n(textus-host send "
              "--help shows the usage)\n",
              stderr);
        return 2;
    }
    if (at && send_parse_send_at(at) <= 0)
        return cli_send_bad("--schedule-at wants an ISO-8601 UTC time (YYYY-MM-DDTHH:MM:SSZ), not",
                            at, NULL);
    body = malloc(CLI_SEND_BODY_MAX + 1);
    if (!body)
        return 1;
    len = fread(body, 1, CLI_SEND_BODY_MAX + 1, stdin);
    if (len > CLI_SEND_BODY_MAX) {
        fprintf(stderr, "textus-host send: the body on stdin is too long\n");
        goto out;
    }
    while (len > 0 && (body[len - 1] == '\n' || body[len - 1] == '\r'))
        len--;
    body[len] = '\0';
    if (!rid) {
        if (sodium_init() < 0)
            goto out;
        randombytes_buf(rnd, sizeof(rnd));
        memcpy(rid_buf, "cli-", 4);
        sodium_bin2hex(rid_buf + 4, sizeof(rid_buf) - 4, rnd, sizeof(rnd));
        rid = rid_buf;
    }
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
        fprintf(stderr, "textus-host send: %s: %s (request id %s)\n", err_code_name(e.code),
                e.message, rid);
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
