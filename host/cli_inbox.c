/*
 * cli_inbox — `textus-host inbox [--limit N] [--json]`: the conversations waiting for
 * the recruiter (the candidate spoke last), newest first, through the same code as the
 * inbox verb (handler_inbox): the flush's reads, their new replies logged once. What
 * came from outside (a text, a name, an error's words) is printed with every control,
 * bidi and zero-width character escaped (notetext_term); times at the computer's local
 * time as `conversation` prints them (--json keeps UTC).
 * [engine]
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "common.h"
#include "conversation.h"
#include "engine_entry.h"
#include "handler.h"
#include "iso8601.h"
#include "notetext.h"
#include "term.h"

#define CLI_INBOX "inbox"

static void cli_inbox_usage(FILE *out, const struct cli_opt *opts)
{
    fprintf(out, "usage: textus-host inbox [--limit N] [--json]\n"
                 "\n"
                 "Lists the TextUs conversations this host texted in the last 30 days whose last\n"
                 "message is the candidate's, newest first, with how many of their messages\n"
                 "wait for an answer. It reads what textus-host outbox flush reads (at most 20\n"
                 "conversations, the rest on later runs) and logs the new replies it finds as\n"
                 "Greenhouse notes, once each.\n"
                 "\n"
                 "options:\n");
    cli_print_options(out, opts);
    fprintf(out, "\n"
                 "exit status: 0 the inbox was shown; 1 it could not be read (the message says\n"
                 "why); 2 a wrong or missing option.\n");
}

/* s escaped for a terminal (notetext_term), after prefix, on one line. */
static void cli_inbox_text(const char *prefix, const char *s)
{
    char *t = NULL;

    if (notetext_term(&t, s, strlen(s)) != 0) {
        printf("%s(not shown: out of memory)\n", prefix);
        return;
    }
    printf("%s%s\n", prefix, t);
    free(t);
}

static void cli_inbox_print(const cJSON *result)
{
    const cJSON *threads = cJSON_GetObjectItemCaseSensitive(result, "threads"), *t, *stop;
    int n = cJSON_GetArraySize(threads);

    if (n == 0)
        printf("No conversation waits for an answer.\n");
    cJSON_ArrayForEach(t, threads)
    {
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(t, "name");
        const cJSON *last = cJSON_GetObjectItemCaseSensitive(t, "last");
        const cJSON *body = cJSON_GetObjectItemCaseSensitive(last, "body");
        const cJSON *since = cJSON_GetObjectItemCaseSensitive(t, "waiting_since");
        const cJSON *un = cJSON_GetObjectItemCaseSensitive(t, "unanswered");
        const cJSON *all = cJSON_GetObjectItemCaseSensitive(t, "counted_all");
        printf("%s  candidate %s", cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(t, "to")),
               cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(t, "candidate_id")));
        if (cJSON_IsString(name))
            cli_inbox_text("  ", name->valuestring);
        else
            printf("\n");
        char when[64], last_at[64];
        int count = cJSON_IsNumber(un) ? un->valueint : 0;
        cli_show_when(when, sizeof(when), since, "an unknown time");
        cli_show_when(last_at, sizeof(last_at), cJSON_GetObjectItemCaseSensitive(last, "at"),
                      "an unknown time");
        if (cJSON_IsTrue(all))
            printf("  %d unanswered since %s\n", count, when);
        else if (count > 1) /* counted as far as read: the wait began then or earlier */
            printf("  at least %d unanswered, waiting since %s or earlier\n", count, when);
        else /* only the latest message was read: how many wait is not known */
            printf("  new replies (how many is not known), the last at %s\n", last_at);
        cli_inbox_text("  last: ", cJSON_IsString(body) ? body->valuestring : "");
    }
    stop = cJSON_GetObjectItemCaseSensitive(result, "stopped");
    if (stop)
        cli_inbox_text("Not every conversation could be read: ",
                       cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(stop, "message")));
    printf("replies logged: %d\n",
           cJSON_GetObjectItemCaseSensitive(result, "replies_logged")
               ? cJSON_GetObjectItemCaseSensitive(result, "replies_logged")->valueint
               : 0);
}

int cli_cmd_inbox(int argc, char **argv)
{
    int code;
    const char *limit_s = NULL;
    cJSON *req = NULL, *result = NULL;
    struct handler_env env = {.origin = NULL, .from_cli = 1};
    struct err e;
    long limit = CONV_FLUSH_THREADS;
    int json = 0, rc = 1;

    const struct cli_opt opts[] = {
        CLI_OPT_STRING("--limit", 0, "N", "at most N conversations (1-20, default 20)", &limit_s),
        CLI_OPT_BOOL("--json", 0, "the result as JSON for programs (host/PROTOCOL.md, inbox)",
                     &json),
        CLI_OPT_END};

    if (!cli_parse(&code, CLI_INBOX, opts, cli_inbox_usage, argc, argv, 0, NULL))
        return code; /* 0 after --help, 2 after the usage error (printed) */
    if (limit_s) {
        char *end = NULL;
        errno = 0;
        limit = strtol(limit_s, &end, 10);
        if (errno || !end || *end || end == limit_s || limit < 1 || limit > CONV_FLUSH_THREADS)
            return cli_usage_error(CLI_INBOX, "--limit must be a whole number from 1 to %d",
                                   CONV_FLUSH_THREADS);
    }
    req = cJSON_CreateObject();
    result = cJSON_CreateObject();
    if (!req || !result || !cJSON_AddStringToObject(req, "type", "inbox") ||
        !cJSON_AddNumberToObject(req, "limit", (double)limit))
        goto out;
    err_clear(&e);
    if (handler_inbox(&env, req, result, &e) != 0) {
        cli_verb_error(CLI_INBOX, &e);
        goto out;
    }
    if (cli_show_result(result, json, cli_inbox_print) != 0)
        goto out;
    rc = 0;
out:
    cJSON_Delete(req);
    cJSON_Delete(result);
    return rc;
}
