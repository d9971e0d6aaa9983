/*
 * cli_doctor — `textus-host doctor [--json] [--report [FILE]] [--extension-id ID]...
 * [--user-data-dir DIR]... [--offline]`: runs the checklist (doctor.h) — the
 * installation in every browser folder, then the configuration through the
 * engine's "doctor_config_checks" — prints each finding with a one-line fix,
 * answers the help article's FAQ, and exits 1 when anything failed.
 * --report writes a support report (versions, checklist, recent messages with
 * Delivered / Not Delivered and the numbers concerned) with every secret removed.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "common.h"
#include "doctor.h"
#include "engine.h"
#include "protocol.h"

static void doctor_usage(FILE *out)
{
    fprintf(out, "usage: textus-host doctor [--json] [--report [FILE]] [--offline]\n"
                 "                          [--extension-id ID]... [--user-data-dir DIR]...\n"
                 "\n"
                 "Checks the installation (every browser's host manifest, and a real ping of the\n"
                 "host it names) and the configuration (credential store, TextUs, Greenhouse,\n"
                 "pending notes). Each problem comes with a one-line fix. Exit status 1 when\n"
                 "anything failed.\n"
                 "\n"
                 "  --json              print the checklist as JSON\n"
                 "  --report [FILE]     also write a support report for TextUs support (secrets\n"
                 "                      removed); default textus-host-report-<time>.txt here\n"
                 "  --offline           skip the checks that call TextUs and Greenhouse\n"
                 "  --extension-id ID   the extension that must be allowed (default: the stub's)\n"
                 "  --user-data-dir DIR also check a custom browser profile folder\n");
}

static const char *cli_doctor_area_title(const char *area)
{
    if (strcmp(area, "install") == 0)
        return "Installation";
    if (strcmp(area, "config") == 0)
        return "Configuration";
    if (strcmp(area, "textus") == 0)
        return "TextUs";
    if (strcmp(area, "greenhouse") == 0)
        return "Greenhouse";
    if (strcmp(area, "outbox") == 0)
        return "Messages and notes";
    return area;
}

static void cli_doctor_print(FILE *out, const struct doctor *d, const cJSON *faq)
{
    static const char *const areas[] = {"install", "config", "textus", "greenhouse", "outbox"};
    size_t a;
    const cJSON *c;

    fprintf(out, "textus-host doctor %s\n", TH_VERSION);
    for (a = 0; a < TH_ARRAY_SIZE(areas); a++) {
        int title = 0;
        cJSON_ArrayForEach(c, d->checks)
        {
            const char *st = cJSON_GetObjectItemCaseSensitive(c, "status")->valuestring;
            const cJSON *fix = cJSON_GetObjectItemCaseSensitive(c, "fix");
            const char *tag = strcmp(st, "fail") == 0   ? "FAIL"
                              : strcmp(st, "warn") == 0 ? "warn"
                              : strcmp(st, "info") == 0 ? "info"
                                                        : "ok";
            if (strcmp(cJSON_GetObjectItemCaseSensitive(c, "area")->valuestring, areas[a]) != 0)
                continue;
            if (!title) {
                fprintf(out, "\n%s\n", cli_doctor_area_title(areas[a]));
                title = 1;
            }
            fprintf(out, "  %-4s  %s\n        %s\n", tag,
                    cJSON_GetObjectItemCaseSensitive(c, "subject")->valuestring,
                    cJSON_GetObjectItemCaseSensitive(c, "message")->valuestring);
            if (cJSON_IsString(fix))
                fprintf(out, "        fix: %s\n", fix->valuestring);
        }
    }
    fprintf(out, "\nWhy are my texts not sending?\n  %s\n",
            cJSON_GetObjectItemCaseSensitive(faq, "not_sending")->valuestring);
    fprintf(out, "Why are my texts not tracking in Greenhouse?\n  %s\n",
            cJSON_GetObjectItemCaseSensitive(faq, "not_tracking")->valuestring);
    fprintf(out, "\n%s: %d problem%s, %d warning%s\n", d->fails ? "NOT OK" : "OK", d->fails,
            d->fails == 1 ? "" : "s", d->warns, d->warns == 1 ? "" : "s");
}

static void cli_doctor_config(struct doctor *d, int online)
{
    struct err e;
    const struct th_engine_api *api;

    err_clear(&e);
    api = engine_api(&e);
    if (!api)
        doctor_add(d, "config", DOCTOR_FAIL, DOCTOR_FAQ_SENDING | DOCTOR_FAQ_TRACKING,
                   "engine module", "run scripts/install.sh again", "%s", e.message);
    else if (!api->doctor_config_checks)
        doctor_add(d, "config", DOCTOR_INFO, 0, "configuration", NULL,
                   "this build has no configuration checks");
    else
        api->doctor_config_checks(d, online);
}

static void cli_doctor_report_messages(FILE *f)
{
    const struct th_engine_api *api = engine_api_optional();
    cJSON *list = api && api->doctor_recent_messages ? api->doctor_recent_messages(50) : NULL;
    const cJSON *m;

    fprintf(f, "\n== Recent messages (Delivered / Not Delivered, and the numbers concerned)\n");
    if (!list) {
        fprintf(f, "(no message history available)\n");
        return;
    }
    if (!cJSON_GetArraySize(list))
        fprintf(f, "(none)\n");
    cJSON_ArrayForEach(m, list)
    {
        const cJSON *line = cJSON_GetObjectItemCaseSensitive(m, "line");
        if (cJSON_IsString(line))
            fprintf(f, "%s\n", line->valuestring);
    }
    cJSON_Delete(list);
}

static int cli_doctor_report(const char *path, const struct doctor *d, const cJSON *faq,
                             char *written, size_t wsz)
{
    char def[128], *text = NULL;
    size_t len = 0;
    FILE *mem = NULL, *f = NULL;
    struct utsname u;
    time_t now = time(NULL);
    struct tm tm;
    const struct th_engine_api *api;
    int fd, rc = -1;

    gmtime_r(&now, &tm);
    if (!path) {
        strftime(def, sizeof(def), "textus-host-report-%Y%m%d-%H%M%S.txt", &tm);
        path = def;
    }
    snprintf(written, wsz, "%s", path);
    mem = open_memstream(&text, &len);
    if (!mem)
        goto err;
    fprintf(mem, "textus-host support report\n");
    strftime(def, sizeof(def), "%Y-%m-%dT%H:%M:%SZ", &tm);
    fprintf(mem, "generated: %s\n", def);
    fprintf(mem, "host: textus-host %s (protocol %d)\n", TH_VERSION, 1);
    if (uname(&u) == 0)
        fprintf(mem, "system: %s %s %s\n", u.sysname, u.release, u.machine);
    fprintf(mem, "secrets: removed (tokens, keys and client secrets never appear here)\n\n");
    cli_doctor_print(mem, d, faq);
    cli_doctor_report_messages(mem);
    if (fclose(mem) != 0) {
        mem = NULL;
        goto err;
    }
    mem = NULL;
    /* a last pass: any configured secret value that slipped in is blanked */
    api = engine_api_optional();
    if (api && api->doctor_scrub)
        api->doctor_scrub(text, len);
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        goto err;
    f = fdopen(fd, "w");
    if (!f) {
        close(fd);
        goto err;
    }
    if (fwrite(text, 1, len, f) != len)
        goto err;
    rc = 0;
err:
    if (mem)
        fclose(mem);
    if (f && fclose(f) != 0)
        rc = -1;
    free(text);
    return rc;
}

static int cli_doctor_id_ok(const char *id)
{
    size_t i;

    for (i = 0; id[i]; i++) {
        if (id[i] < 'a' || id[i] > 'p')
            return 0;
    }
    return i == 32;
}

int cli_cmd_doctor(int argc, char **argv)
{
    struct doctor d;
    int i, json = 0, report = 0, online = 1, rc;
    const char *report_path = NULL;
    char written[1024];
    cJSON *faq = NULL;

    if (doctor_init(&d) != 0) {
        fprintf(stderr, "textus-host doctor: out of memory\n");
        return 1;
    }
    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0) {
            json = 1;
        } else if (strcmp(argv[i], "--offline") == 0) {
            online = 0;
        } else if (strcmp(argv[i], "--report") == 0) {
            report = 1;
            if (i + 1 < argc && argv[i + 1][0] != '-')
                report_path = argv[++i];
        } else if (strcmp(argv[i], "--extension-id") == 0 && i + 1 < argc &&
                   d.n_ids < DOCTOR_MAX_IDS) {
            if (!cli_doctor_id_ok(argv[i + 1])) {
                fprintf(stderr,
                        "textus-host doctor: '%s' is not an extension id (32 letters a-p)\n",
                        argv[i + 1]);
                doctor_free(&d);
                return 2;
            }
            d.ids[d.n_ids++] = argv[++i];
        } else if (strcmp(argv[i], "--user-data-dir") == 0 && i + 1 < argc &&
                   d.n_udds < DOCTOR_MAX_IDS) {
            d.udds[d.n_udds++] = argv[++i];
        } else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            doctor_usage(stdout);
            doctor_free(&d);
            return 0;
        } else {
            doctor_usage(stderr);
            doctor_free(&d);
            return 2;
        }
    }
    if (!d.n_ids)
        d.ids[d.n_ids++] = PROTO_STUB_EXTENSION_ID;

    doctor_check_install(&d);
    cli_doctor_config(&d, online);
    faq = doctor_faq(&d);
    if (!faq) {
        doctor_free(&d);
        return 1;
    }
    if (json) {
        cJSON *doc = cJSON_CreateObject();
        char *s;
        cJSON_AddStringToObject(doc, "version", TH_VERSION);
        cJSON_AddBoolToObject(doc, "ok", d.fails == 0);
        cJSON_AddNumberToObject(doc, "failures", d.fails);
        cJSON_AddNumberToObject(doc, "warnings", d.warns);
        cJSON_AddItemReferenceToObject(doc, "checks", d.checks);
        cJSON_AddItemReferenceToObject(doc, "faq", faq);
        s = cJSON_Print(doc);
        if (s)
            printf("%s\n", s);
        free(s);
        cJSON_Delete(doc);
    } else {
        cli_doctor_print(stdout, &d, faq);
    }
    if (report) {
        if (cli_doctor_report(report_path, &d, faq, written, sizeof(written)) != 0) {
            fprintf(stderr, "textus-host doctor: cannot write the report %s: %s\n", written,
                    strerror(errno));
            cJSON_Delete(faq);
            doctor_free(&d);
            return 1;
        }
        fprintf(json ? stderr : stdout,
                "\nSupport report written to %s (secrets removed; it lists recent messages and "
                "their numbers). Mail it to nextsupport@textus.com.\n",
                written);
    }
    rc = d.fails ? 1 : 0;
    cJSON_Delete(faq);
    doctor_free(&d);
    return rc;
}
