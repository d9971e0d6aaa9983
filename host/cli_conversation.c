/*
 * cli_conversation — `textus-host conversation --to +1... [--candidate ID]
 * [--json]`: the thread with a number, through the same code as the
 * conversation verb (handler_conversation), for a person (each outgoing text
 * with Delivered / Not Delivered) or as JSON. What came from outside (a text,
 * TextUs's time when it cannot be read, an error's words) is printed with every
 * control, bidi and zero-width character escaped (notetext_term): a text cannot
 * move the cursor, ring the bell, retitle the terminal or reorder a line.
 * [engine]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "common.h"
#include "engine_entry.h"
#include "handler.h"
#include "hints.h"
#include "iso8601.h"
#include "notetext.h"
#include "phone.h"
#include "send.h"
#include "term.h"

static void cli_conversation_usage(FILE *out, const struct cli_opt *opts)
{
    fprintf(out, "usage: textus-host conversation --to +1NXXNXXXXXX [--candidate ID] [--json]\n"
                 "\n"
                 "Shows the TextUs conversation with a number: its latest 50 messages, oldest\n"
                 "first, at your computer's local time, each text you sent marked Delivered,\n"
                 "Not Delivered or Pending. With\n"
                 "--candidate ID (the Greenhouse candidate id), the candidate's replies since the\n"
                 "first text this host sent them at that number are logged as notes on their\n"
                 "Greenhouse activity feed, once each, as when the extension shows the thread;\n"
                 "earlier messages are shown, never logged.\n"
                 "\n"
                 "options (--to X and --to=X alike):\n");
    cli_print_options(out, opts);
    fprintf(out, "\n"
                 "exit status: 0 the conversation was shown (a reply whose note could not be\n"
                 "written yet is listed with the reason, stays journaled and is retried by\n"
                 "textus-host outbox flush); 1 it could not be read (the message says why);\n"
                 "2 a wrong or missing option.\n");
}

#define CLI_CONV "conversation"

/* s as notetext_term escapes it, each line after `indent` (the first after first_indent). */
static void cli_conversation_text(const char *first_indent, const char *indent, const char *s)
{
    char *t = NULL;
    const char *p;

    if (notetext_term(&t, s, strlen(s)) != 0) {
        printf("%s(not shown: out of memory)\n", first_indent);
        return;
    }
    for (p = t; *p;) {
        size_t len = strcspn(p, "\n");
        printf("%s%.*s\n", p == t ? first_indent : indent, (int)len, p);
        p += len;
        if (*p == '\n')
            p++;
    }
    free(t);
}

static void cli_conversation_print(const cJSON *res)
{
    const cJSON *items = cJSON_GetObjectItemCaseSensitive(res, "items");
    const cJSON *it, *v;
    const cJSON *to = cJSON_GetObjectItemCaseSensitive(res, "to");
    const cJSON *err = cJSON_GetObjectItemCaseSensitive(res, "replies_error");
    char when[48];
    int n = cJSON_GetArraySize(items);

    printf("conversation with %s: %d message%s%s%s\n", cJSON_IsString(to) ? to->valuestring : "?",
           n, n == 1 ? "" : "s", n >= 50 ? " (the latest 50)" : "",
           n == 0 ? " (TextUs has no conversation with this number yet)" : "");
    if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(res, "opted_out")))
        printf("this number has opted out of texts (locked in TextUs)\n");
    if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(res, "blocked")))
        printf("this number is blocked in TextUs\n");
    cJSON_ArrayForEach(it, items)
    {
        const cJSON *dir = cJSON_GetObjectItemCaseSensitive(it, "direction");
        const cJSON *body = cJSON_GetObjectItemCaseSensitive(it, "body");
        const cJSON *del = cJSON_GetObjectItemCaseSensitive(it, "delivered");
        int out = cJSON_IsString(dir) && strcmp(dir->valuestring, "out") == 0;
        const char *p = cJSON_IsString(body) ? body->valuestring : "";
        cli_show_when(when, sizeof(when), cJSON_GetObjectItemCaseSensitive(it, "at"),
                      "time unknown");
        printf("\n[%s] %s%s\n", when, out ? "sent" : "reply",
               !out                 ? ""
               : cJSON_IsTrue(del)  ? " · Delivered"
               : cJSON_IsFalse(del) ? " · Not Delivered"
                                    : " · Pending");
        /* the body, indented, line by line, escaped */
        cli_conversation_text("    ", "    ", p);
    }
    v = cJSON_GetObjectItemCaseSensitive(res, "replies_waiting");
    if (cJSON_IsNumber(v)) {
        const cJSON *since = cJSON_GetObjectItemCaseSensitive(res, "logging_since");
        const cJSON *logged = cJSON_GetObjectItemCaseSensitive(res, "replies_logged");
        printf("\nGreenhouse: ");
        if (cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(res, "notes_enabled")))
            printf("notes are off in this host's settings, so replies are not logged\n");
        else if (cJSON_IsString(since)) {
            cli_show_when(when, sizeof(when), since, "time unknown");
            printf("replies since %s are logged as notes; %.0f logged now, %.0f waiting\n", when,
                   cJSON_IsNumber(logged) ? logged->valuedouble : 0, v->valuedouble);
        } else
            printf("this host has not texted this number for this candidate, so no reply is "
                   "logged\n");
    }
    if (cJSON_IsObject(err)) {
        const cJSON *m = cJSON_GetObjectItemCaseSensitive(err, "message");
        const cJSON *fix = cJSON_GetObjectItemCaseSensitive(err, "fix");
        cli_conversation_text("a reply's note could not be written: ", "  ",
                              cJSON_IsString(m) ? m->valuestring : "?");
        if (cJSON_IsString(fix))
            printf("fix: %s\n", fix->valuestring);
        else
            printf("it is retried (textus-host outbox flush tries it now)\n");
    }
}

int cli_cmd_conversation(int argc, char **argv)
{
    int code;
    const char *to = NULL, *cand = NULL;
    cJSON *req = NULL, *result = NULL;
    struct handler_env env = {.origin = NULL, .from_cli = 1};
    struct err e;
    int json = 0, rc = 1;

    const struct cli_opt opts[] = {
        CLI_OPT_STRING("--to", 0, "+1NXXNXXXXXX", "the number, e.g. +13035550123", &to),
        CLI_OPT_STRING("--candidate", 0, "ID",
                       "the Greenhouse candidate id: log their replies as notes", &cand),
        CLI_OPT_BOOL("--json", 0,
                     "the result as JSON for programs (host/PROTOCOL.md, conversation)", &json),
        CLI_OPT_END};

    if (!cli_parse(&code, CLI_CONV, opts, cli_conversation_usage, argc, argv, 0, NULL))
        return code; /* 0 after --help, 2 after the usage error (printed) */
    if (!to)
        return cli_usage_error(CLI_CONV, "a required option is missing: '--to'");
    /* the verb's own rules, checked here so that a wrong value is a usage error (exit 2) */
    if (!phone_e164_nanp_valid(to))
        return cli_bad_to(CLI_CONV, to);
    if (cand && !phone_gh_id_valid(cand)) {
        char shown[96];
        return cli_usage_error(CLI_CONV, TH_HINT_CLI_CANDIDATE ", not %s",
                               cli_shown(shown, sizeof(shown), cand));
    }
    req = cJSON_CreateObject();
    result = cJSON_CreateObject();
    if (!req || !result || !cJSON_AddStringToObject(req, "type", "conversation") ||
        !cJSON_AddStringToObject(req, "to", to) ||
        (cand && !cJSON_AddStringToObject(req, "candidate_id", cand)))
        goto out;
    err_clear(&e);
    if (handler_conversation(&env, req, result, &e) != 0) {
        cli_verb_error(CLI_CONV, &e);
        goto out;
    }
    if (cli_show_result(result, json, cli_conversation_print) != 0)
        goto out;
    rc = 0;
out:
    cJSON_Delete(req);
    cJSON_Delete(result);
    return rc;
}
