/*
 * cli_extract — `textus-host extract [FILE] < profile.json`: run the
 * extract_phone verb on a profile and print its result as pretty JSON, for
 * support and debugging. Input: the bare profile object {"url", "name",
 * "lines"} or a whole {"type": "extract_phone", "profile": {...}} request.
 * Exit 0 with the result on stdout; 1 with {"error": {...}} on stdout when
 * the verb fails; 2 on a usage or input error (message on stderr). Like the
 * verb, it asks Greenhouse (through the engine) only when the page has no +1
 * number, the URL names a candidate and a credential store exists.
 * [core]
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cli.h"
#include "os.h"
#include "handler.h"
#include "utf8.h"

#define CLI_EXTRACT_MAX_INPUT (20u * 1024u * 1024u)

/* Read all of f (at most CLI_EXTRACT_MAX_INPUT bytes) into out; 0, or -1 (said on stderr). */
static int cli_extract_read(struct buf *out, FILE *f)
{
    char chunk[16384];

    buf_init(out, CLI_EXTRACT_MAX_INPUT, 0);
    for (;;) {
        size_t n = fread(chunk, 1, sizeof(chunk), f);
        int rc = buf_append(out, chunk, n);

        if (rc == BUF_E_TOO_LARGE) {
            fprintf(stderr, "textus-host extract: input larger than %u bytes\n",
                    CLI_EXTRACT_MAX_INPUT);
            return -1;
        }
        if (rc != BUF_OK) {
            fprintf(stderr, "textus-host extract: out of memory\n");
            return -1;
        }
        if (n == 0) {
            if (ferror(f)) {
                fprintf(stderr, "textus-host extract: read error: %s\n", strerror(errno));
                return -1;
            }
            return 0;
        }
    }
}

static void cli_extract_usage(FILE *out, const struct cli_opt *opts)
{
    fprintf(out, "usage: textus-host extract [FILE] < profile.json\n"
                 "\n"
                 "Shows the number the extract_phone verb picks for a profile.\n"
                 "  FILE or stdin: {\"url\", \"name\", \"lines\": [...]} or a whole\n"
                 "  {\"type\": \"extract_phone\", \"profile\": {...}} request\n"
                 "\n"
                 "options:\n");
    cli_print_options(out, opts);
    fprintf(out, "\n"
                 "exit status: 0 the result is on stdout; 1 the verb failed ({\"error\"} on\n"
                 "stdout: no number, only international ones, a bad profile); 2 a wrong option,\n"
                 "or input that cannot be read or is not a JSON object.\n");
}

static int cli_extract_print(const cJSON *doc)
{
    char *text = cJSON_Print(doc);

    if (!text)
        return -1;
    printf("%s\n", text);
    free(text);
    return fflush(stdout) == 0 ? 0 : -1;
}

int cli_cmd_extract(int argc, char **argv)
{
    int code;
    struct handler_env env = {.origin = NULL, .from_cli = 1};
    const cJSON *type;
    cJSON *doc = NULL, *req = NULL, *result = NULL, *out = NULL, *error, *details;
    FILE *in = stdin;
    struct buf input;
    const char *text;
    size_t len;
    struct err e;
    int rc = 2, pos = argc;
    static const struct cli_opt opts[] = {CLI_OPT_END};

    err_clear(&e);
    if (!cli_parse(&code, "extract", opts, cli_extract_usage, argc, argv, 1, &pos))
        return code; /* 0 after --help, 2 after the usage error (printed) */
    if (pos < argc && strcmp(argv[pos], "-") != 0) {
        in = os_fopen(argv[pos], "rb");
        if (!in) {
            fprintf(stderr, "textus-host extract: %s: %s\n", argv[pos], strerror(errno));
            return 2;
        }
    }
    if (cli_extract_read(&input, in) != 0) {
        if (in != stdin)
            fclose(in);
        buf_free(&input);
        return 2;
    }
    if (in != stdin)
        fclose(in);
    text = buf_str(&input);
    len = input.len;
    if (!utf8_valid(text, len)) {
        fprintf(stderr, "textus-host extract: the input is not valid UTF-8\n");
        goto out;
    }
    doc = cJSON_ParseWithLength(text, len);
    if (!cJSON_IsObject(doc)) {
        fprintf(stderr, "textus-host extract: the input is not a JSON object\n");
        goto out;
    }
    type = cJSON_GetObjectItemCaseSensitive(doc, "type");
    if (type) {
        if (!cJSON_IsString(type) || strcmp(type->valuestring, "extract_phone") != 0) {
            fprintf(stderr, "textus-host extract: \"type\" must be \"extract_phone\"\n");
            goto out;
        }
        req = doc; /* a whole request */
        doc = NULL;
    } else {
        req = cJSON_CreateObject(); /* a bare profile */
        if (!req)
            goto out;
        cJSON_AddItemToObject(req, "profile", doc);
        doc = NULL;
    }
    result = cJSON_CreateObject();
    if (!result)
        goto out;
    if (handler_extract_phone(&env, req, result, &e) == 0) {
        rc = cli_extract_print(result) == 0 ? 0 : 1;
        goto out;
    }
    details = cJSON_DetachItemFromObjectCaseSensitive(result, HANDLER_ERROR_DETAILS);
    out = cJSON_CreateObject();
    error = out ? cJSON_AddObjectToObject(out, "error") : NULL;
    if (error) {
        cJSON_AddStringToObject(error, "code", err_code_name(e.code));
        cJSON_AddStringToObject(error, "message", e.message);
        if (details) {
            cJSON_AddItemToObject(error, "details", details);
            details = NULL;
        }
        (void)cli_extract_print(out);
    }
    cJSON_Delete(details);
    fprintf(stderr, "textus-host extract: %s: %s\n", err_code_name(e.code), e.message);
    rc = 1;
out:
    cJSON_Delete(out);
    cJSON_Delete(result);
    cJSON_Delete(req);
    cJSON_Delete(doc);
    buf_free(&input);
    return rc;
}
