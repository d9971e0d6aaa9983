/*
 * cli_doctor — `textus-host doctor [--json] [--report [FILE]] [--force]
 * [--extension-id ID]... [--user-data-dir DIR]... [--offline]`: runs the
 * checklist (doctor.h) — the installation in every browser folder, then the
 * configuration through the engine's "doctor_config_checks" — printing each
 * slow step as it starts and ends (stderr), then each finding with a one-line
 * fix, the answers to the help article's FAQ, and exits 1 when anything failed.
 * --report writes a support report (versions, checklist, recent messages with
 * Delivered / Not Delivered and the numbers concerned) with every secret
 * removed: a new file, mode 0600, never through a symlink, never over an
 * existing file unless --force.
 * [core]
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "common.h"
#include "doctor.h"
#include "engine.h"
#include "iso8601.h"
#include "os.h"
#include "paths.h"
#include "protocol.h"
#include "term.h"

#define CLI_DOCTOR_PATH_MAX 4096

static void doctor_usage(FILE *out, const struct cli_opt *opts)
{
    fprintf(out,
            "usage: textus-host doctor [--json] [--report [FILE]] [--force] [--offline]\n"
            "                          [--extension-id ID]... [--user-data-dir DIR]...\n"
            "\n"
            "Checks the installation (every browser's host manifest, and a real ping of the\n"
            "host it names as each extension the manifest allows) and the configuration\n"
            "(credential store, TextUs, Greenhouse, notes waiting). Each problem comes with a\n"
            "one-line fix. Slow steps are shown on stderr as they start and end.\n"
            "\n"
            "options:\n");
    cli_print_options(out, opts);
    fprintf(out, "\n"
                 "exit status: 0 nothing failed (warnings allowed); 1 a check failed, or the\n"
                 "report could not be written; 2 a wrong option or argument (nothing checked),\n"
                 "including a --report FILE that exists without --force.\n");
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

static enum term_mark cli_doctor_mark(const char *status)
{
    if (strcmp(status, "fail") == 0)
        return TERM_FAIL;
    if (strcmp(status, "warn") == 0)
        return TERM_WARN;
    if (strcmp(status, "info") == 0)
        return TERM_INFO;
    return TERM_OK;
}

/* The checklist for a person: ✓/✗ and colour only when out is a terminal (term.h). */
static void cli_doctor_print(FILE *out, const struct doctor *d, const cJSON *faq)
{
    static const char *const areas[] = {"install", "config", "textus", "greenhouse", "outbox"};
    size_t a;
    const cJSON *c;
    int fancy = term_fancy(out);

    fprintf(out, "textus-host doctor %s\n", TH_VERSION);
    for (a = 0; a < TH_ARRAY_SIZE(areas); a++) {
        int title = 0;
        cJSON_ArrayForEach(c, d->checks)
        {
            const char *st = cJSON_GetObjectItemCaseSensitive(c, "status")->valuestring;
            const cJSON *fix = cJSON_GetObjectItemCaseSensitive(c, "fix");
            if (strcmp(cJSON_GetObjectItemCaseSensitive(c, "area")->valuestring, areas[a]) != 0)
                continue;
            if (!title) {
                fprintf(out, "\n%s\n", cli_doctor_area_title(areas[a]));
                title = 1;
            }
            fputs("  ", out);
            term_print_mark(out, cli_doctor_mark(st), fancy ? 6 : 4);
            fprintf(out, "  %s\n        %s\n",
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
    fprintf(out, "\n%s%s%s: %d problem%s, %d warning%s%s\n",
            term_sgr(out, d->fails ? "\033[1;31m" : "\033[32m"), /* bold red, green */
            !fancy     ? ""
            : d->fails ? "\xe2\x9c\x97 "
                       : "\xe2\x9c\x93 ", /* ✗, ✓ */
            d->fails ? "NOT OK" : "OK", d->fails, d->fails == 1 ? "" : "s", d->warns,
            d->warns == 1 ? "" : "s", term_sgr(out, "\033[0m"));
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

static void cli_doctor_report_messages(FILE *f, int online)
{
    const struct th_engine_api *api = engine_api_optional();
    cJSON *list =
        api && api->doctor_recent_messages ? api->doctor_recent_messages(50, online) : NULL;
    const cJSON *m;

    time_t now = time(NULL);
    struct tm tm;
    char zone[16] = "";

    fprintf(f, "\n== Recent messages (Delivered / Not Delivered, and the numbers concerned)\n");
    tzset();
    if (localtime_r(&now, &tm))
        strftime(zone, sizeof(zone), "%z", &tm);
    fprintf(f, "(times are this computer's local time%s%s%s; states still in flight %s)\n",
            zone[0] ? ", offset " : "", zone, zone[0] ? " from UTC" : "",
            online ? "were asked of TextUs for this report"
                   : "were not asked of TextUs again (--offline)");
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

/* The report's text (checklist, recent messages), secrets scrubbed; malloc'd, or NULL. */
static char *cli_doctor_report_text(const struct doctor *d, const cJSON *faq, int online,
                                    size_t *len_out)
{
    char when[ISO8601_UTC_MAX], local[32];
    char *text = NULL;
    size_t len = 0;
    FILE *mem = os_memstream_open(&text, &len);
    char sys[256];
    const struct th_engine_api *api;
    int64_t now = (int64_t)time(NULL);

    if (!mem)
        return NULL;
    if (iso8601_format_utc(when, sizeof(when), now) != 0)
        when[0] = '\0';
    fprintf(mem, "textus-host support report\n");
    if (term_local_time(local, sizeof(local), now) == 0)
        fprintf(mem, "generated: %s (%s on this computer)\n", when, local);
    else
        fprintf(mem, "generated: %s\n", when);
    fprintf(mem, "host: textus-host %s (protocol %d)\n", TH_VERSION, 1);
    if (os_system_desc(sys, sizeof(sys)) == 0)
        fprintf(mem, "system: %s\n", sys);
    fprintf(mem, "secrets: removed (tokens, keys and client secrets never appear here)\n\n");
    cli_doctor_print(mem, d, faq);
    cli_doctor_report_messages(mem, online);
    if (os_memstream_close(mem) != 0) {
        free(text);
        return NULL;
    }
    /* a last pass: any configured secret value that slipped in is blanked */
    api = engine_api_optional();
    if (api && api->doctor_scrub)
        api->doctor_scrub(text, len);
    *len_out = len;
    return text;
}

/* out = path made absolute ("~/" expanded); 0, or -1 when it does not fit. */
static int cli_doctor_abs(char *out, size_t outsz, const char *path)
{
    const char *home = os_getenv("HOME");
    char cwd[CLI_DOCTOR_PATH_MAX];
    int n;

    if (strncmp(path, "~/", 2) == 0 && home && *home)
        n = snprintf(out, outsz, "%s%c%s", home, os_path_sep(), path + 2);
    else if (os_path_is_absolute(path))
        n = snprintf(out, outsz, "%s", path);
    else if (os_getcwd(cwd, sizeof(cwd)) == 0)
        n = snprintf(out, outsz, "%s%c%s", cwd, os_path_sep(), path);
    else
        return -1;
    return n > 0 && (size_t)n < outsz ? 0 : -1;
}

/*
 * Decide where the report goes, before anything is checked: the FILE given
 * (absolute), else a new name in the data folder. Refuses an existing path —
 * a symlink too, even a dangling one — unless force (a folder always).
 * *in_data_dir is set when the data folder may need creating. 0, or -1 with why.
 */
static int cli_doctor_report_target(char *out, size_t outsz, const char *arg, int force,
                                    int *in_data_dir, char *why, size_t whysz)
{
    struct os_stat st;
    char dir[CLI_DOCTOR_PATH_MAX], name[64];
    struct paths p;
    struct err e;
    time_t now = time(NULL);
    struct tm tm;
    const char *slash;
    int i;

    *in_data_dir = 0;
    if (arg) {
        if (!arg[0] || cli_doctor_abs(out, outsz, arg) != 0) {
            char shown[96];
            snprintf(why, whysz, "--report: %s is not a usable file name",
                     cli_shown_path(shown, sizeof(shown), arg));
            return -1;
        }
        slash = os_path_last_sep(out);
        snprintf(dir, sizeof(dir), "%.*s", slash == out ? 1 : (int)(slash - out), out);
        if (!slash[1] || os_stat(&st, dir, 1) != 0 || st.kind != OS_KIND_DIR) {
            snprintf(why, whysz, "--report: %s is not a file in an existing folder", out);
            return -1;
        }
        if (os_stat(&st, out, 0) == 0) {
            if (st.kind == OS_KIND_DIR) {
                snprintf(why, whysz, "--report: %s is a folder; name a file", out);
                return -1;
            }
            if (!force) {
                snprintf(why, whysz,
                         "--report: %s already exists%s; name a new file, or add --force to "
                         "replace it",
                         out, st.kind == OS_KIND_LINK ? " (a symlink, never followed)" : "");
                return -1;
            }
        }
        return 0;
    }
    err_clear(&e);
    if (paths_resolve(&p, &e) != 0) {
        snprintf(why, whysz, "--report: no data folder (%s); name a FILE", e.message);
        return -1;
    }
    gmtime_r(&now, &tm);
    strftime(name, sizeof(name), "textus-host-report-%Y%m%d-%H%M%S", &tm);
    for (i = 1; i < 100; i++) {
        int n = i == 1 ? snprintf(out, outsz, "%s%c%s.txt", p.data_dir, os_path_sep(), name)
                       : snprintf(out, outsz, "%s%c%s-%d.txt", p.data_dir, os_path_sep(), name, i);
        if (n <= 0 || (size_t)n >= outsz) {
            snprintf(why, whysz, "--report: the data folder's path is too long; name a FILE");
            return -1;
        }
        if (os_stat(&st, out, 0) != 0)
            break;
    }
    *in_data_dir = 1;
    return 0;
}

/* Write the report to a new file at path (0600, never through a symlink). 0, or -1 with why. */
static int cli_doctor_report_write(const char *path, int force, int in_data_dir,
                                   const struct doctor *d, const cJSON *faq, int online, char *why,
                                   size_t whysz)
{
    char dir[CLI_DOCTOR_PATH_MAX];
    const char *slash = os_path_last_sep(path);
    char *text = NULL;
    size_t len = 0, off = 0;
    struct os_stat st;
    struct err e;
    int fd, rc = -1;

    if (in_data_dir && slash) {
        snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
        err_clear(&e);
        if (paths_ensure_dir(dir, &e) != 0) {
            snprintf(why, whysz, "%s", e.message);
            return -1;
        }
    }
    text = cli_doctor_report_text(d, faq, online, &len);
    if (!text) {
        snprintf(why, whysz, "out of memory");
        return -1;
    }
    /* --force replaces what is there: the name itself goes (a symlink's target is untouched) */
    if (force && os_stat(&st, path, 0) == 0 && st.kind != OS_KIND_DIR && os_unlink(path) != 0) {
        snprintf(why, whysz, "cannot replace %s: %s", path, strerror(errno));
        goto out;
    }
    fd = os_open_file(path, OS_OPEN_WRITE | OS_OPEN_CREATE | OS_OPEN_EXCL);
    if (fd < 0) {
        snprintf(why, whysz, "cannot create %s: %s%s", path, strerror(errno),
                 errno == EEXIST ? " (it appeared while doctor ran; nothing was written to it)"
                                 : "");
        goto out;
    }
    if (os_fchmod_private(fd) != 0) {
        snprintf(why, whysz, "cannot set the mode of %s: %s", path, strerror(errno));
        os_close(fd);
        goto out;
    }
    while (off < len) {
        long w = os_write(fd, text + off, len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            snprintf(why, whysz, "cannot write %s: %s", path, strerror(errno));
            os_close(fd);
            goto out;
        }
        off += (size_t)w;
    }
    if (os_close(fd) != 0) {
        snprintf(why, whysz, "cannot write %s: %s", path, strerror(errno));
        goto out;
    }
    rc = 0;
out:
    if (text) {
        memset(text, 0, len);
        free(text);
    }
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

static int cli_doctor_bad(struct doctor *d, const char *fmt, ...) TH_PRINTF(2, 3);
static int cli_doctor_bad(struct doctor *d, const char *fmt, ...)
{
    va_list ap;

    char what[CLI_DOCTOR_PATH_MAX + 512];

    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    doctor_free(d);
    return cli_usage_error("doctor", "%s", what);
}

int cli_cmd_doctor(int argc, char **argv)
{
    int code;
    static char udd_abs[DOCTOR_MAX_IDS][CLI_DOCTOR_PATH_MAX];
    struct doctor d;
    int json = 0, report = 0, force = 0, offline = 0, online, rc, in_data_dir = 0;
    const char *report_arg = NULL, *udd_arg[DOCTOR_MAX_IDS];
    char report_path[CLI_DOCTOR_PATH_MAX], why[CLI_DOCTOR_PATH_MAX + 256];
    size_t i, n_udd = 0;
    cJSON *faq = NULL;

    if (doctor_init(&d) != 0) {
        fprintf(stderr, "textus-host doctor: out of memory\n");
        return 1;
    }
    {
        const struct cli_opt opts[] = {
            CLI_OPT_BOOL("--json", 0, "print the checklist as JSON (nothing else on stdout)",
                         &json),
            CLI_OPT_OPTIONAL("--report", "[FILE]",
                             "also write a support report for TextUs support (secrets\n"
                             "removed; it lists recent messages and their numbers),\n"
                             "readable by you alone; default: textus-host-report-<time>.txt\n"
                             "in the data folder. The full path is printed.",
                             &report_arg, &report),
            CLI_OPT_BOOL("--force", 0,
                         "let --report replace an existing FILE (a symlink is\n"
                         "replaced, never followed)",
                         &force),
            CLI_OPT_BOOL("--offline", 0, "skip the checks that call TextUs and Greenhouse",
                         &offline),
            CLI_OPT_LIST("--extension-id", "ID", "an extension id (32 letters a-p)",
                         "the extension that every manifest must allow (repeatable;\n"
                         "default: the stub's and those in\n"
                         "settings.allowed_extension_ids)",
                         d.ids, &d.n_ids),
            CLI_OPT_LIST("--user-data-dir", "DIR", "a folder",
                         "also check a custom browser profile folder (repeatable)", udd_arg,
                         &n_udd),
            CLI_OPT_END};
        if (!cli_parse(&code, "doctor", opts, doctor_usage, argc, argv, 0, NULL)) {
            doctor_free(&d);
            return code; /* 0 after --help, 2 after the usage error */
        }
    }
    online = !offline;
    for (i = 0; i < d.n_ids; i++) {
        if (!cli_doctor_id_ok(d.ids[i])) {
            char shown[96];
            return cli_doctor_bad(&d, "%s is not an extension id (32 letters a-p)",
                                  cli_shown(shown, sizeof(shown), d.ids[i]));
        }
    }
    d.ids_explicit = d.n_ids > 0;
    for (i = 0; i < n_udd; i++) {
        if (!udd_arg[i][0])
            return cli_doctor_bad(&d, "%s needs a folder", "--user-data-dir");
        if (cli_doctor_abs(udd_abs[d.n_udds], sizeof(udd_abs[0]), udd_arg[i]) != 0) {
            char shown[96];
            return cli_doctor_bad(&d, "--user-data-dir: %s is too long",
                                  cli_shown_path(shown, sizeof(shown), udd_arg[i]));
        }
        d.udds[d.n_udds] = udd_abs[d.n_udds];
        d.n_udds++;
    }
    if (force && !report)
        return cli_doctor_bad(&d, "%s only goes with --report", "--force");
    if (report && cli_doctor_report_target(report_path, sizeof(report_path), report_arg, force,
                                           &in_data_dir, why, sizeof(why)) != 0)
        return cli_doctor_bad(&d, "%s", why);
#ifdef PROTO_STUB_EXTENSION_ID
    if (!d.n_ids) /* a production build has no stub: the ids of the settings are checked */
        d.ids[d.n_ids++] = PROTO_STUB_EXTENSION_ID;
#endif
    /* progress on stderr; with --json only as a live line on a terminal (stdout stays JSON) */
    d.progress = !json || term_fancy(stderr) ? stderr : NULL;

    doctor_check_install(&d);
    doctor_check_extension_ids(&d);
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
    rc = d.fails ? 1 : 0;
    if (report) {
        if (cli_doctor_report_write(report_path, force, in_data_dir, &d, faq, online, why,
                                    sizeof(why)) != 0) {
            fprintf(stderr, "textus-host doctor: the report was not written: %s\n", why);
            rc = 1;
        } else {
            /* the address Greenhouse's TextUs article gives for troubleshooting the integration:
             * https://support.greenhouse.io/hc/en-us/articles/360017515752-TextUs-integration */
            fprintf(json ? stderr : stdout,
                    "\nSupport report written to %s (secrets removed; it lists recent messages "
                    "and their numbers). Mail it to TextUs support, nextsupport@textus.com (the "
                    "address Greenhouse's TextUs integration article gives).\n",
                    report_path);
        }
    }
    cJSON_Delete(faq);
    doctor_free(&d);
    return rc;
}
