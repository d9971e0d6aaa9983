/*
 * cli_send — `textus-host send --candidate <id> --to <number>`: the body is
 * read from stdin and sent through the same code path as the send_sms verb
 * (handler_send_sms), printing its result (engine).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "handler.h"
#include "engine_entry.h"
#include "send.h"

#define CLI_SEND_BODY_MAX 65536

static void cli_send_usage(void)
{
    fprintf(stderr, "usage: textus-host send --candidate <id> --to <+1NXXNXXXXXX> "
                    "[--request-id <id>] [--visibility private|public|admin_only] < body.txt\n");
}

int cli_cmd_send(int argc, char **argv)
{
    const char *cand = NULL, *to = NULL, *rid = NULL, *vis = NULL;
    char rid_buf[40], *body = NULL, *out = NULL;
    unsigned char rnd[12];
    size_t len = 0, i;
    cJSON *req = NULL, *result = NULL, *note;
    struct handler_env env = {NULL, 1};
    struct err e;
    int argi, rc = 1;

    for (argi = 1; argi < argc; argi++) {
        const char **slot = NULL;
        if (strcmp(argv[argi], "--candidate") == 0)
            slot = &cand;
        else if (strcmp(argv[argi], "--to") == 0)
            slot = &to;
        else if (strcmp(argv[argi], "--request-id") == 0)
            slot = &rid;
        else if (strcmp(argv[argi], "--visibility") == 0)
            slot = &vis;
        if (!slot || argi + 1 >= argc) {
            cli_send_usage();
            return 2;
        }
        *slot = argv[++argi];
    }
    if (!cand || !to) {
        cli_send_usage();
        return 2;
    }
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
        for (i = 0; i < sizeof(rnd); i++)
            snprintf(rid_buf + 4 + 2 * i, 3, "%02x", rnd[i]);
        rid = rid_buf;
    }
    req = cJSON_CreateObject();
    result = cJSON_CreateObject();
    if (!req || !result || !cJSON_AddStringToObject(req, "type", "send_sms") ||
        !cJSON_AddStringToObject(req, "request_id", rid) ||
        !cJSON_AddStringToObject(req, "candidate_id", cand) ||
        !cJSON_AddStringToObject(req, "to", to) || !cJSON_AddStringToObject(req, "body", body))
        goto out;
    if (vis) {
        note = cJSON_AddObjectToObject(req, "note");
        if (!note || !cJSON_AddStringToObject(note, "visibility", vis))
            goto out;
    }
    err_clear(&e);
    if (handler_send_sms(&env, req, result, &e) != 0) {
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
    free(out);
    cJSON_Delete(req);
    cJSON_Delete(result);
    if (body) {
        sodium_memzero(body, CLI_SEND_BODY_MAX + 1);
        free(body);
    }
    return rc;
}
