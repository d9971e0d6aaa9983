/*
 * cli_status — `textus-host status [--json]`: what is configured (secrets
 * masked to their last 4 characters), which Harvest generation is in use, the
 * paths and the permission state of each file; it first moves the caller check's
 * settings out of a store written by an older version into settings.json
 * (settings_migrate). Exit 0 when a configuration is
 * stored and reads (the output says what is still missing), 1 when nothing is
 * configured yet or the store cannot be read, 2 on a wrong option.
 * [engine]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "common.h"
#include "config.h"
#include "engine_entry.h"
#include "send.h"
#include "term.h"

static void cli_status_usage(FILE *out, const struct cli_opt *opts)
{
    fprintf(out, "usage: textus-host status [--json]\n"
                 "\n"
                 "Shows what is configured (secrets masked to their last 4 characters), the\n"
                 "Harvest generation in use, the state folders and their permissions, and the\n"
                 "send journal's counts (asking TextUs about texts whose outcome is unknown).\n"
                 "\n"
                 "options:\n");
    cli_print_options(out, opts);
    fprintf(out, "\n"
                 "exit status: 0 a configuration is stored and readable (it may still lack a\n"
                 "part: see \"configured\"); 1 nothing is configured yet, or the store cannot be\n"
                 "read (the message says why and how to fix it); 2 a wrong option.\n");
}

static const char *cli_status_str(const cJSON *obj, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);

    if (cJSON_IsString(v))
        return v->valuestring;
    return "(not set)";
}

static void cli_status_members(const cJSON *obj, const char *title)
{
    const cJSON *m;
    int w = 20; /* the names' column: as wide as the longest (allowed_extension_ids is 21) */

    if (!obj)
        return;
    printf("%s\n", title);
    cJSON_ArrayForEach(m, obj)
    {
        if (m->string && strlen(m->string) > (size_t)w && strlen(m->string) < 64)
            w = (int)strlen(m->string);
    }
    cJSON_ArrayForEach(m, obj)
    {
        if (cJSON_IsString(m) && strcmp(m->string, "quiet_hours") == 0) {
            /* the value is when texts may go out, not when they may not */
            printf("  %-*s %s (settings.quiet_hours)\n", w, "texting hours", m->valuestring);
        } else if (cJSON_IsString(m)) {
            printf("  %-*s %s\n", w, m->string, m->valuestring);
        } else if (cJSON_IsNull(m)) {
            printf("  %-*s (not set)\n", w, m->string);
        } else {
            char *t = cJSON_PrintUnformatted(m);
            printf("  %-*s %s\n", w, m->string, t ? t : "?");
            free(t);
        }
    }
}

void cli_status_print(const cJSON *st)
{
    const cJSON *gh = cJSON_GetObjectItemCaseSensitive(st, "greenhouse");
    const cJSON *err = cJSON_GetObjectItemCaseSensitive(st, "error");
    const cJSON *perm_ok = cJSON_GetObjectItemCaseSensitive(st, "permissions_ok");
    const cJSON *harvest = cJSON_GetObjectItemCaseSensitive(gh, "harvest");

    printf("configured: %s\n",
           cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(st, "configured")) ? "yes" : "no");
    if (err)
        printf("error: %s: %s\n", cli_status_str(err, "code"), cli_status_str(err, "message"));
    if (cJSON_GetObjectItemCaseSensitive(st, "key_id"))
        printf("key id: %s\n", cli_status_str(st, "key_id"));
    if (gh) {
        if (cJSON_IsString(harvest))
            printf("harvest: %s\n", strcmp(harvest->valuestring, "v3") == 0
                                        ? "v3 (OAuth client credentials)"
                                        : "v1 (API key)");
        else
            printf("harvest: (no Greenhouse credentials)\n");
        if (cJSON_GetObjectItemCaseSensitive(gh, "notice"))
            printf("NOTICE: %s\n", cli_status_str(gh, "notice"));
    }
    cli_status_members(cJSON_GetObjectItemCaseSensitive(st, "textus"), "textus:");
    cli_status_members(gh, "greenhouse:");
    cli_status_members(cJSON_GetObjectItemCaseSensitive(st, "settings"), "settings:");
    cli_status_members(cJSON_GetObjectItemCaseSensitive(st, "paths"), "paths:");
    cli_status_members(cJSON_GetObjectItemCaseSensitive(st, "permissions"), "permissions:");
    if (cJSON_IsFalse(perm_ok))
        printf("WARNING: some files are refused because of their permissions (see above)\n");
}

int cli_cmd_status(int argc, char **argv)
{
    int code;
    struct store *s = NULL;
    struct err e;
    int json = 0, rc, stored, unmoved;
    cJSON *st;

    const struct cli_opt opts[] = {
        CLI_OPT_BOOL("--json", 0, "the same as a JSON document (the status verb's result)", &json),
        CLI_OPT_END};

    if (!cli_parse(&code, "status", opts, cli_status_usage, argc, argv, 0, NULL))
        return code; /* 0 after --help, 2 after the usage error (printed) */
    /* a store from an older version still holding the caller check's settings: moved into
     * the settings file now (install.sh runs this on every install and upgrade), so that
     * what is shown is what the host reads; the caller check never moves them itself */
    unmoved = settings_migrate(NULL) != 0;
    err_clear(&e);
    rc = store_load(&s, &e) != 0 && e.code != ERR_NOT_CONFIGURED ? 1 : 0;
    if (unmoved && !rc) /* (a store that cannot be read: its own error below says why) */
        fprintf(stderr, "textus-host status: the allowed extension ids could not be moved out "
                        "of the store into settings.json (run textus-host doctor)\n");
    stored = s != NULL;
    st = config_status(s, &e);
    if (st && s)
        send_status_outbox(st, 1); /* outbox counts; reconciles unknown sends */
    store_free(s);
    if (!st) {
        fprintf(stderr, "textus-host status: out of memory\n");
        return 1;
    }
    if (json) {
        char *t = cJSON_Print(st);
        if (t)
            printf("%s\n", t);
        free(t);
    } else {
        cli_status_print(st);
        cli_outbox_status_print(st);
    }
    cJSON_Delete(st);
    if (rc) {
        if (e.code == ERR_NOT_CONFIGURED)
            cli_verb_error("status", &e); /* names this program as it is run */
        else
            fprintf(stderr, "textus-host status: %s: %s\n", err_code_name(e.code), e.message);
    } else if (!stored) {
        char self[4200];
        term_self_command(self, sizeof(self), "configure");
        fprintf(stderr,
                "textus-host status: nothing is configured yet: run %s (or use the extension's "
                "options page)\n",
                self);
        rc = 1;
    }
    return rc;
}
