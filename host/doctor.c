/*
 * doctor — installation checks and findings for `textus-host doctor` (see doctor.h).
 *
 * The browser table is the one scripts/install.sh uses (keep them in step):
 * per-user folders under $CHROME_CONFIG_HOME, else $XDG_CONFIG_HOME, else
 * ~/.config (Linux) or ~/Library/Application Support (macOS), plus the
 * machine-wide folders. Test hooks, same as the installer's: TH_INSTALL_OS
 * picks the table, TH_INSTALL_ROOT prefixes machine-wide paths.
 * [core]
 */
#include "doctor.h"
#include "utf8.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "engine.h"
#include "engine_api.h"
#include "now.h"
#include "os.h"
#include "paths.h"
#include "protocol.h"
#include "term.h"

#define DOCTOR_MANIFEST_MAX (64 * 1024)
#define DOCTOR_REPLY_MAX    (1024 * 1024)

struct doctor_browser {
    const char *name;
    const char *linux_dir; /* under the config home */
    const char *mac_dir;   /* under ~/Library/Application Support */
    const char *linux_system;
    const char *mac_system;
};

static const struct doctor_browser doctor_browsers[] = {
    {"chrome", "google-chrome", "Google/Chrome", "/etc/opt/chrome/native-messaging-hosts",
     "/Library/Google/Chrome/NativeMessagingHosts"},
    {"chrome-beta", "google-chrome-beta", "Google/Chrome Beta", NULL, NULL},
    {"chrome-dev", "google-chrome-unstable", "Google/Chrome Dev", NULL, NULL},
    {"chrome-canary", "google-chrome-canary", "Google/Chrome Canary", NULL, NULL},
    {"chromium", "chromium", "Chromium", "/etc/chromium/native-messaging-hosts",
     "/Library/Application Support/Chromium/NativeMessagingHosts"},
    {"edge", "microsoft-edge", "Microsoft Edge", "/etc/opt/edge/native-messaging-hosts",
     "/Library/Microsoft/Edge/NativeMessagingHosts"},
    {"edge-beta", "microsoft-edge-beta", "Microsoft Edge Beta", NULL, NULL},
    {"edge-dev", "microsoft-edge-dev", "Microsoft Edge Dev", NULL, NULL},
    {"brave", "BraveSoftware/Brave-Browser", "BraveSoftware/Brave-Browser", NULL,
     "/Library/Application Support/BraveSoftware/Brave-Browser/NativeMessagingHosts"},
    {"vivaldi", "vivaldi", "Vivaldi", "/etc/opt/vivaldi/native-messaging-hosts",
     "/Library/Application Support/Vivaldi/NativeMessagingHosts"},
};

/* Windows (issue P item 4), defined in the block at the end of this file. */
static int doctor_is_windows(void);
static const char *doctor_fix_packaged(char *out, size_t outsz, const char *fix);
static const char *doctor_last_sep(const char *p);
static const char *doctor_fix_windows(char *out, size_t outsz, const char *fix);
static void doctor_check_install_windows(struct doctor *d);
static void doctor_check_on_path(struct doctor *d);

/* ---- findings ------------------------------------------------------------------- */

int doctor_init(struct doctor *d)
{
    memset(d, 0, sizeof(*d));
    d->checks = cJSON_CreateArray();
    d->manifests = cJSON_CreateArray();
    d->ping_timeout_ms = 5000;
    if (!d->checks || !d->manifests) {
        doctor_free(d);
        return -1;
    }
    return 0;
}

void doctor_free(struct doctor *d)
{
    cJSON_Delete(d->checks);
    cJSON_Delete(d->manifests);
    d->checks = NULL;
    d->manifests = NULL;
}

const char *doctor_status_name(enum doctor_status st)
{
    switch (st) {
    case DOCTOR_OK:
        return "ok";
    case DOCTOR_INFO:
        return "info";
    case DOCTOR_WARN:
        return "warn";
    case DOCTOR_FAIL:
        return "fail";
    }
    return "fail";
}

void doctor_add(struct doctor *d, const char *area, enum doctor_status st, int faq,
                const char *subject, const char *fix, const char *fmt, ...)
{
    char msg[1024], full[4096], winfix[6144], pkgfix[3584];
    va_list ap;
    cJSON *c;

    if (fix && doctor_is_windows())
        fix = doctor_fix_windows(winfix, sizeof(winfix), fix);
    else if (fix)
        fix = doctor_fix_packaged(pkgfix, sizeof(pkgfix), fix);
    va_start(ap, fmt);
    vsnprintf(full, sizeof(full), fmt, ap);
    va_end(ap);
    (void)utf8_clip(msg, sizeof(msg), full, sizeof(full)); /* at a word, with "…" */
    if (st == DOCTOR_FAIL)
        d->fails++;
    else if (st == DOCTOR_WARN)
        d->warns++;
    c = cJSON_CreateObject();
    if (!c)
        return;
    cJSON_AddStringToObject(c, "area", area);
    cJSON_AddStringToObject(c, "status", doctor_status_name(st));
    cJSON_AddStringToObject(c, "subject", subject ? subject : "");
    cJSON_AddStringToObject(c, "message", msg);
    if (fix && st != DOCTOR_OK)
        cJSON_AddStringToObject(c, "fix", fix);
    if (faq & DOCTOR_FAQ_SENDING)
        cJSON_AddTrueToObject(c, "faq_not_sending");
    if (faq & DOCTOR_FAQ_TRACKING)
        cJSON_AddTrueToObject(c, "faq_not_tracking");
    cJSON_AddItemToArray(d->checks, c);
}

void doctor_step_begin(struct doctor *d, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(d->step_what, sizeof(d->step_what), fmt, ap);
    va_end(ap);
    d->step_start_ms = now_mono_ms();
    d->step_fails = d->fails;
    d->step_warns = d->warns;
    if (!d->progress)
        return;
    if (term_fancy(d->progress)) {
        /* a live line must fit on one row, or erasing it would leave the wrapped part */
        char line[sizeof(d->step_what)];
        size_t cols = 80, n;
        int width = os_term_width(fileno(d->progress));
        if (width > 20)
            cols = (size_t)width;
        snprintf(line, sizeof(line), "%s", d->step_what);
        n = strlen(line);
        if (n + 5 > cols) {
            n = cols - 8;
            while (n > 0 && ((unsigned char)line[n] & 0xC0) == 0x80)
                n--; /* never cut a UTF-8 character */
            snprintf(line + n, sizeof(line) - n, "...");
        }
        term_step_begin(d->progress, line);
        return;
    }
    term_step_begin(d->progress, d->step_what);
}

void doctor_step_end(struct doctor *d)
{
    long ms = now_mono_ms() - d->step_start_ms;
    enum term_mark m = d->fails > d->step_fails   ? TERM_FAIL
                       : d->warns > d->step_warns ? TERM_WARN
                                                  : TERM_OK;

    if (!d->progress)
        return;
    if (term_fancy(d->progress)) {
        term_step_end(d->progress); /* the live line goes; the checklist follows */
        return;
    }
    fputs("  ", d->progress);
    term_print_mark(d->progress, m, 4);
    fprintf(d->progress, "  %s (%ld.%ld s)\n", d->step_what, ms / 1000, (ms % 1000) / 100);
    fflush(d->progress);
}

int doctor_manifest_allows(const cJSON *m, const char *ext_id)
{
    const cJSON *id;

    cJSON_ArrayForEach(id, cJSON_GetObjectItemCaseSensitive(m, "ids"))
    {
        if (cJSON_IsString(id) && strcmp(id->valuestring, ext_id) == 0)
            return 1;
    }
    return 0;
}

/* ---- locations ------------------------------------------------------------------ */

static int doctor_is_mac(void)
{
    const char *os = os_getenv("TH_INSTALL_OS");

    if (os && *os)
        return strcmp(os, "Darwin") == 0;
    return strcmp(os_name(), "Darwin") == 0;
}

static const char *doctor_root(void)
{
    const char *r = os_getenv("TH_INSTALL_ROOT");
    return r ? r : "";
}

static const char *doctor_home(void)
{
    const char *h = os_getenv("HOME");
    return h && *h ? h : "/";
}

/* Linux: Chromium's config home rule (chrome_paths_linux.cc). */
static void doctor_config_home(char *out, size_t outsz)
{
    const char *c = os_getenv("CHROME_CONFIG_HOME");
    const char *x = os_getenv("XDG_CONFIG_HOME");

    if (c && *c)
        snprintf(out, outsz, "%s", c);
    else if (x && *x)
        snprintf(out, outsz, "%s", x);
    else
        snprintf(out, outsz, "%s/.config", doctor_home());
}

int doctor_receipt_path(char *out, size_t outsz)
{
    const char *th = os_getenv("TEXTUS_HOST_HOME");
    const char *xdg = os_getenv("XDG_DATA_HOME");
    int n;

    if (th && *th)
        n = snprintf(out, outsz, "%s/install-receipt.txt", th);
    else if (doctor_is_mac())
        n = snprintf(out, outsz, "%s/Library/Application Support/textus-host/install-receipt.txt",
                     doctor_home());
    else if (xdg && *xdg)
        n = snprintf(out, outsz, "%s/textus-host/install-receipt.txt", xdg);
    else
        n = snprintf(out, outsz, "%s/.local/share/textus-host/install-receipt.txt", doctor_home());
    return n > 0 && (size_t)n < outsz ? 0 : -1;
}

static int doctor_is_dir(const char *p)
{
    struct os_stat st;
    return os_stat(&st, p, 1) == 0 && st.kind == OS_KIND_DIR;
}

/* ---- one manifest ---------------------------------------------------------------- */

static int doctor_read_file(const char *path, char **out, size_t *len)
{
    FILE *f = os_fopen(path, "rb");
    char *buf = NULL;
    size_t n;

    *out = NULL;
    if (!f)
        return -1;
    buf = malloc(DOCTOR_MANIFEST_MAX + 1);
    if (!buf)
        goto err;
    n = fread(buf, 1, DOCTOR_MANIFEST_MAX + 1, f);
    if (ferror(f) || n > DOCTOR_MANIFEST_MAX)
        goto err;
    buf[n] = '\0';
    fclose(f);
    *out = buf;
    *len = n;
    return 0;
err:
    free(buf);
    fclose(f);
    return -1;
}

static int doctor_origin_ok(const char *o, char id_out[33])
{
    return proto_parse_origin(id_out, o);
}

/* Reply to a ping: 0 when it is a good pong, else why is filled. */
static int doctor_check_pong(const cJSON *reply, char *version, size_t vsz, char *why, size_t whysz)
{
    const cJSON *ok = cJSON_GetObjectItemCaseSensitive(reply, "ok");
    const cJSON *res = cJSON_GetObjectItemCaseSensitive(reply, "result");
    const cJSON *err = cJSON_GetObjectItemCaseSensitive(reply, "error");
    const cJSON *v;

    if (cJSON_IsTrue(ok) && cJSON_IsObject(res)) {
        v = cJSON_GetObjectItemCaseSensitive(res, "version");
        snprintf(version, vsz, "%s", cJSON_IsString(v) ? v->valuestring : "?");
        return 0;
    }
    if (cJSON_IsObject(err)) {
        const cJSON *c = cJSON_GetObjectItemCaseSensitive(err, "code");
        const cJSON *m = cJSON_GetObjectItemCaseSensitive(err, "message");
        snprintf(why, whysz, "%s: %s", cJSON_IsString(c) ? c->valuestring : "error",
                 cJSON_IsString(m) ? m->valuestring : "");
        return -1;
    }
    snprintf(why, whysz, "the reply is not a protocol reply");
    return -1;
}

/*
 * The command that allows ext_id in the host's settings, complete: the ids already allowed
 * follow it, since the list the command writes replaces the stored one.
 */
static void doctor_allow_command(char *out, size_t outsz, const char *ext_id)
{
    const struct th_store_api *store = engine_store_api();
    char ids[64][33], list[64 * 36];
    size_t n = 0, i, used;

    if (store && store->settings_allowed_ids)
        n = store->settings_allowed_ids(ids, TH_ARRAY_SIZE(ids));
    used = (size_t)snprintf(list, sizeof(list), "\"%.32s\"", ext_id);
    for (i = 0; i < n && used < sizeof(list); i++) {
        if (strcmp(ids[i], ext_id) != 0)
            used += (size_t)snprintf(list + used, sizeof(list) - used, ",\"%s\"", ids[i]);
    }
    snprintf(out, outsz, PROTO_ALLOW_IDS_COMMAND, list);
}

/* 1 when the host's own check accepts ext_id: the stub's, or in the settings' list. */
static int doctor_host_allows(const char *ext_id)
{
    const struct th_store_api *store;

#ifdef PROTO_STUB_EXTENSION_ID
    if (strcmp(ext_id, PROTO_STUB_EXTENSION_ID) == 0)
        return 1;
#endif
    store = engine_store_api();
    return store && store->settings_origin_allowed && store->settings_origin_allowed(ext_id) > 0;
}

/*
 * Ping the host at path as extension ping_id would start it. 1 when it
 * answered with a pong (version filled); otherwise the finding that says why
 * not is added and the result is 0 when the host refused that extension
 * (forbidden_origin), -1 when the host itself did not work.
 */
static int doctor_ping_as(struct doctor *d, const char *subject, const char *path,
                          const char *ping_id, const char *label, char *version, size_t vsz)
{
    char origin[64], why[512], fix[3072 + 2 * PATH_MAX], cmd[2600], qpath[2 * PATH_MAX + 8];
    cJSON *reply = NULL;
    int rc;

    snprintf(origin, sizeof(origin), "chrome-extension://%.32s/", ping_id);
    doctor_step_begin(d, "%s: pinging %s as extension %.32s (waits up to %d s)", label, path,
                      ping_id, d->ping_timeout_ms / 1000);
    rc = doctor_ping(path, origin, d->ping_timeout_ms, &reply, why, sizeof(why));
    if (rc != 0) {
        doctor_add(d, "install", DOCTOR_FAIL, DOCTOR_FAQ_SENDING, subject,
                   "run scripts/install.sh again; if it persists, send textus-host doctor "
                   "--report to support",
                   "the host did not answer a ping: %s", why);
        doctor_step_end(d);
        return -1;
    }
    if (doctor_check_pong(reply, version, vsz, why, sizeof(why)) != 0) {
        cJSON_Delete(reply);
        if (strstr(why, "forbidden_origin")) {
            /* one complete command, runnable by the person who reads it (the settings are
             * theirs); IT only for a machine-wide manifest, which needs root to change */
            int machine_wide = strstr(label, "(machine-wide)") != NULL;
            doctor_allow_command(cmd, sizeof(cmd), ping_id);
            if (doctor_is_windows() && os_shell_quote(qpath, sizeof(qpath), path) != 0)
                snprintf(qpath, sizeof(qpath), "'.\\textus-host.exe'");
            if (doctor_is_windows()) /* the install beside the .exe this manifest starts */
                snprintf(fix, sizeof(fix),
                         "allow it in the host's settings (settings.allowed_extension_ids) with: "
                         "%s (the list replaces the stored one; this is the complete list to "
                         "paste), or remove it from the manifest: & %s install "
                         "--remove-extension-id %.32s (an .msi install instead needs an .msi "
                         "built without that id in TH_EXTENSION_IDS)",
                         cmd, qpath, ping_id);
            else
                snprintf(
                    fix, sizeof(fix),
                    "allow it in the host's settings (settings.allowed_extension_ids) with: %s "
                    "(the list replaces the stored one; this is the complete list to paste), or "
                    "%s: %sscripts/install.sh%s --remove-extension-id %.32s",
                    cmd,
                    machine_wide ? "have IT remove it from the machine-wide manifest"
                                 : "remove it from the manifest",
                    machine_wide ? "sudo " : "", machine_wide ? " --system" : "", ping_id);
            doctor_add(d, "install", DOCTOR_FAIL, DOCTOR_FAQ_SENDING, subject, fix,
                       "the manifest allows extension %s but the host refuses it: it answered "
                       "the ping with forbidden_origin (the id is not in "
                       "settings.allowed_extension_ids)",
                       ping_id);
            doctor_step_end(d);
            return 0;
        }
        doctor_add(d, "install", DOCTOR_FAIL, DOCTOR_FAQ_SENDING, subject,
                   "run scripts/install.sh again", "the host answered the ping with an error (%s)",
                   why);
        doctor_step_end(d);
        return -1;
    }
    cJSON_Delete(reply);
    if (strcmp(version, TH_VERSION) != 0)
        doctor_add(d, "install", DOCTOR_WARN, 0, subject,
                   "run scripts/install.sh from this version to update the installed host",
                   "the installed host is version %s, this textus-host is %s", version, TH_VERSION);
    doctor_step_end(d);
    return 1;
}

/*
 * Check the binary a manifest names, and ping it once as each extension the
 * manifest allows (each must be one the host accepts); 1 when every ping
 * answered well.
 */
static int doctor_check_binary(struct doctor *d, const char *subject, const char *label,
                               const char *path, const char (*ids)[33], size_t n_ids)
{
    static const char *const modules[] = {"textus-host-engine", "textus-host-store"};
    char dir[PATH_MAX], engine[PATH_MAX + 32], answered[DOCTOR_MAX_IDS * 34 + 8] = "";
    char version[64] = "?";
    size_t m, k, used = 0;
    const char *slash;
    struct os_stat st;
    int has_engine, good = 1;

    if (os_stat(&st, path, 1) != 0) {
        doctor_add(d, "install", DOCTOR_FAIL, DOCTOR_FAQ_SENDING, subject,
                   "run scripts/install.sh again (it installs the host and rewrites the manifest)",
                   "the host named in the manifest does not exist: %s (Chrome says \"Specified "
                   "native messaging host not found.\")",
                   path);
        return 0;
    }
    if (st.kind != OS_KIND_FILE || os_access(path, OS_ACCESS_EXEC) != 0) {
        doctor_add(d, "install", DOCTOR_FAIL, DOCTOR_FAQ_SENDING, subject,
                   "chmod 755 the file, or run scripts/install.sh again",
                   "the host %s is not an executable file (Chrome says \"Native host has "
                   "exited.\")",
                   path);
        return 0;
    }
    if (strstr(path, "/build/") || strstr(path, "/build-san/") || strstr(path, "/build-test/") ||
        ((strncmp(path, "/tmp/", 5) == 0 || strncmp(path, "/var/tmp/", 9) == 0) &&
         strncmp(path, doctor_home(), strlen(doctor_home())) != 0)) {
        doctor_add(d, "install", DOCTOR_WARN, 0, subject,
                   "install to a stable folder with scripts/install.sh",
                   "the host runs from a temporary or build folder (%s): it breaks when that "
                   "folder is cleaned, and security software may block it",
                   path);
    }
    slash = doctor_last_sep(path);
    snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
    /* Windows: one .exe, nothing loaded beside it */
    for (m = 0; m < TH_ARRAY_SIZE(modules) && !doctor_is_windows(); m++) {
        snprintf(engine, sizeof(engine), "%s/%s.so", dir, modules[m]);
        has_engine = os_access(engine, OS_ACCESS_READ) == 0;
        if (!has_engine) {
            snprintf(engine, sizeof(engine), "%s/%s.dylib", dir, modules[m]);
            has_engine = os_access(engine, OS_ACCESS_READ) == 0;
        }
        if (!has_engine)
            doctor_add(d, "install", DOCTOR_FAIL, DOCTOR_FAQ_SENDING | DOCTOR_FAQ_TRACKING, subject,
                       "run scripts/install.sh again (it copies the modules beside the host)",
                       "the module %s is missing beside %s: only ping can work, every other "
                       "request fails",
                       modules[m], path);
    }
    for (k = 0; k < n_ids; k++) {
        int r = doctor_ping_as(d, subject, path, ids[k], label, version, sizeof(version));
        if (r < 0)
            return 0; /* the host itself does not work: one finding is enough */
        if (r == 0) {
            good = 0; /* this extension is refused; the others are still tried */
            continue;
        }
        used += (size_t)snprintf(answered + used, sizeof(answered) - used, "%s%s", used ? ", " : "",
                                 ids[k]);
    }
    if (good)
        doctor_add(d, "install", DOCTOR_OK, 0, subject, NULL,
                   "manifest valid; %s answers ping (version %s) for extension%s %s", path, version,
                   n_ids == 1 ? "" : "s", answered);
    return good;
}

/* Check one manifest file; label names the browser or folder. */
static void doctor_check_manifest(struct doctor *d, const char *label, const char *file)
{
    char subject[PATH_MAX + 64], id[33], allowed[DOCTOR_MAX_IDS][33], exe[PATH_MAX] = "";
    char *text = NULL;
    size_t len = 0, bad_origins = 0, n_allowed = 0, j;
    cJSON *m = NULL, *rec, *rec_ids;
    const cJSON *name, *desc, *type, *path, *origins, *o;
    int found[DOCTOR_MAX_IDS] = {0}, fail = 0;
    size_t k;

    snprintf(subject, sizeof(subject), "%s: %s", label, file);
    if (doctor_read_file(file, &text, &len) != 0) {
        doctor_add(d, "install", DOCTOR_FAIL, DOCTOR_FAQ_SENDING, subject,
                   "run scripts/install.sh again", "cannot read the manifest (%s)",
                   strerror(errno));
        return;
    }
    m = cJSON_ParseWithLength(text, len);
    free(text);
    if (!cJSON_IsObject(m)) {
        doctor_add(d, "install", DOCTOR_FAIL, DOCTOR_FAQ_SENDING, subject,
                   "run scripts/install.sh again (it rewrites the manifest)",
                   "the manifest is not valid JSON (Chrome ignores it: \"Specified native "
                   "messaging host not found.\")");
        goto out;
    }
    name = cJSON_GetObjectItemCaseSensitive(m, "name");
    desc = cJSON_GetObjectItemCaseSensitive(m, "description");
    type = cJSON_GetObjectItemCaseSensitive(m, "type");
    path = cJSON_GetObjectItemCaseSensitive(m, "path");
    origins = cJSON_GetObjectItemCaseSensitive(m, "allowed_origins");
    if (!cJSON_IsString(name) || strcmp(name->valuestring, DOCTOR_HOST_NAME) != 0) {
        doctor_add(
            d, "install", DOCTOR_FAIL, DOCTOR_FAQ_SENDING, subject, "run scripts/install.sh again",
            "\"name\" is %s%s%s, it must be \"" DOCTOR_HOST_NAME
            "\" like the file name (Chrome ignores the manifest)",
            cJSON_IsString(name) ? "\"" : "", cJSON_IsString(name) ? name->valuestring : "missing",
            cJSON_IsString(name) ? "\"" : "");
        fail = 1;
    }
    if (!cJSON_IsString(desc) || !desc->valuestring[0]) {
        doctor_add(d, "install", DOCTOR_FAIL, DOCTOR_FAQ_SENDING, subject,
                   "run scripts/install.sh again",
                   "\"description\" is missing (Chrome ignores the manifest)");
        fail = 1;
    }
    if (!cJSON_IsString(type) || strcmp(type->valuestring, "stdio") != 0) {
        doctor_add(d, "install", DOCTOR_FAIL, DOCTOR_FAQ_SENDING, subject,
                   "run scripts/install.sh again",
                   "\"type\" must be \"stdio\" (Chrome ignores the manifest)");
        fail = 1;
    }
    if (cJSON_IsString(path) && doctor_is_windows()) {
        /* Windows: absolute (X:\... or \\server\...) or relative to the manifest's folder
         * (Chrome's native-messaging docs allow both there) */
        const char *p = path->valuestring, *sep = doctor_last_sep(file);
        if ((p[0] && p[1] == ':' && (p[2] == '\\' || p[2] == '/')) ||
            (p[0] == '\\' && p[1] == '\\'))
            snprintf(exe, sizeof(exe), "%s", p);
        else if (sep)
            snprintf(exe, sizeof(exe), "%.*s\\%s", (int)(sep - file), file, p);
    } else if (cJSON_IsString(path)) {
        snprintf(exe, sizeof(exe), "%s", path->valuestring[0] == '/' ? path->valuestring : "");
    }
    if (!exe[0]) {
        doctor_add(d, "install", DOCTOR_FAIL, DOCTOR_FAQ_SENDING, subject,
                   "run scripts/install.sh again (it writes an absolute path)",
                   "\"path\" must be an absolute path (Chrome: \"Native messaging host path "
                   "must be absolute\")");
        fail = 1;
    }
    if (!cJSON_IsArray(origins) || cJSON_GetArraySize(origins) == 0) {
        doctor_add(d, "install", DOCTOR_FAIL, DOCTOR_FAQ_SENDING, subject,
                   "run scripts/install.sh again",
                   "\"allowed_origins\" is missing or empty (Chrome: \"Access to the specified "
                   "native messaging host is forbidden.\")");
        fail = 1;
    } else {
        cJSON_ArrayForEach(o, origins)
        {
            if (!cJSON_IsString(o) || !doctor_origin_ok(o->valuestring, id)) {
                bad_origins++;
                continue;
            }
            for (j = 0; j < n_allowed && strcmp(allowed[j], id) != 0; j++)
                ;
            if (j == n_allowed && n_allowed < DOCTOR_MAX_IDS)
                memcpy(allowed[n_allowed++], id, sizeof(id));
            for (k = 0; k < d->n_ids; k++) {
                if (strcmp(d->ids[k], id) == 0)
                    found[k] = 1;
            }
        }
        if (bad_origins) {
            doctor_add(d, "install", DOCTOR_FAIL, DOCTOR_FAQ_SENDING, subject,
                       "run scripts/install.sh again",
                       "%zu entr%s of \"allowed_origins\" %s not an exact "
                       "\"chrome-extension://<32 letters a-p>/\" (no wildcard, trailing /); "
                       "Chrome rejects the whole manifest",
                       bad_origins, bad_origins == 1 ? "y" : "ies",
                       bad_origins == 1 ? "is" : "are");
            fail = 1;
        }
        for (k = 0; k < d->n_ids; k++) {
            if (!found[k]) {
                char fix[3072], cmd[2600];
                /* two steps for an id the host's settings do not allow either */
                if (doctor_host_allows(d->ids[k])) {
                    snprintf(fix, sizeof(fix),
                             "reinstall with scripts/install.sh --extension-id %s", d->ids[k]);
                } else {
                    doctor_allow_command(cmd, sizeof(cmd), d->ids[k]);
                    snprintf(fix, sizeof(fix),
                             "reinstall with scripts/install.sh --extension-id %s, then allow it "
                             "in the host's settings with: %s (the list replaces the stored "
                             "one; this is the complete list to paste)",
                             d->ids[k], cmd);
                }
                doctor_add(d, "install", DOCTOR_FAIL, DOCTOR_FAQ_SENDING, subject, fix,
                           "extension %s is not in \"allowed_origins\" (Chrome: \"Access to the "
                           "specified native messaging host is forbidden.\")",
                           d->ids[k]);
                fail = 1;
            }
        }
    }
    /* what the engine's checks compare with settings.allowed_extension_ids */
    rec = cJSON_CreateObject();
    rec_ids = rec ? cJSON_AddArrayToObject(rec, "ids") : NULL;
    if (rec_ids) {
        cJSON_AddStringToObject(rec, "label", label);
        cJSON_AddStringToObject(rec, "file", file);
        for (j = 0; j < n_allowed; j++)
            cJSON_AddItemToArray(rec_ids, cJSON_CreateString(allowed[j]));
        cJSON_AddItemToArray(d->manifests, rec);
    } else {
        cJSON_Delete(rec);
    }
    if (exe[0]) {
        /* the binary is checked even when another field is wrong: it helps to know */
#ifdef PROTO_STUB_EXTENSION_ID
        if (!n_allowed) /* no usable origin (reported above): still see whether the host runs */
            memcpy(allowed[n_allowed++], PROTO_STUB_EXTENSION_ID, 33);
#endif
        if (n_allowed &&
            doctor_check_binary(d, subject, label, exe, (const char(*)[33])allowed, n_allowed) &&
            !fail)
            d->manifests_ok++;
    }
out:
    cJSON_Delete(m);
}

/* ---- all manifests ---------------------------------------------------------------- */

struct doctor_seen {
    char paths[64][PATH_MAX];
    size_t n;
};

static int doctor_seen_add(struct doctor_seen *s, const char *p)
{
    size_t i;

    for (i = 0; i < s->n; i++) {
        if (strcmp(s->paths[i], p) == 0)
            return 0;
    }
    if (s->n == sizeof(s->paths) / sizeof(s->paths[0]))
        return 0;
    snprintf(s->paths[s->n++], PATH_MAX, "%s", p);
    return 1;
}

/*
 * Check <dir>/com.textus.greenhouse.json; missing_is_fail: the browser exists but lacks it;
 * udd: the --user-data-dir folder it is in (the fix names it), or NULL.
 */
static int doctor_check_dir(struct doctor *d, struct doctor_seen *seen, const char *label,
                            const char *nmh_dir, int missing_is_fail, const char *udd)
{
    char file[PATH_MAX], fix[PATH_MAX + 64];

    if (snprintf(file, sizeof(file), "%s/" DOCTOR_HOST_NAME ".json", nmh_dir) >= (int)sizeof(file))
        return 0;
    if (!doctor_seen_add(seen, file))
        return 0;
    if (os_access(file, OS_ACCESS_EXISTS) != 0) {
        if (udd)
            snprintf(fix, sizeof(fix), "run scripts/install.sh --user-data-dir %s", udd);
        else
            snprintf(fix, sizeof(fix),
                     "run scripts/install.sh (add --user-data-dir DIR for a custom profile)");
        if (missing_is_fail)
            doctor_add(d, "install", DOCTOR_FAIL, DOCTOR_FAQ_SENDING, label, fix,
                       "not installed for this browser: no %s (Chrome says \"Specified native "
                       "messaging host not found.\")",
                       file);
        return 0;
    }
    doctor_check_manifest(d, label, file);
    return 1;
}

static void doctor_check_receipt(struct doctor *d, struct doctor_seen *seen, int *manifests)
{
    char receipt[PATH_MAX], line[PATH_MAX + 16];
    FILE *f;
    const char *tab, *p;

    if (doctor_receipt_path(receipt, sizeof(receipt)) != 0)
        return;
    f = os_fopen(receipt, "r");
    if (!f) {
        doctor_add(d, "install", DOCTOR_INFO, 0, "install receipt", NULL,
                   "no install receipt at %s (not installed with scripts/install.sh, or "
                   "installed machine-wide)",
                   receipt);
        return;
    }
    while (fgets(line, sizeof(line), f)) {
        size_t n = strlen(line);
        char dir[PATH_MAX];
        const char *slash;
        if (n && line[n - 1] == '\n')
            line[--n] = '\0';
        if (line[0] == '#' || strncmp(line, "file\t", 5) != 0)
            continue;
        tab = strchr(line, '\t');
        p = tab + 1;
        n = strlen(p);
        if (n < sizeof(DOCTOR_HOST_NAME ".json") ||
            strcmp(p + n - strlen(DOCTOR_HOST_NAME ".json"), DOCTOR_HOST_NAME ".json") != 0)
            continue;
        slash = strrchr(p, '/');
        snprintf(dir, sizeof(dir), "%.*s", (int)(slash - p), p);
        if (os_access(p, OS_ACCESS_EXISTS) != 0) {
            doctor_add(d, "install", DOCTOR_FAIL, DOCTOR_FAQ_SENDING, p,
                       "run scripts/install.sh again",
                       "this manifest was installed (install receipt) but is gone");
            doctor_seen_add(seen, p);
            continue;
        }
        *manifests += doctor_check_dir(d, seen, "installed (receipt)", dir, 0, NULL);
    }
    fclose(f);
}

static void doctor_check_sandboxes(struct doctor *d)
{
    static const char *const snaps[] = {"chromium", "brave", "vivaldi"};
    static const char *const flatpaks[] = {"com.google.Chrome",     "com.google.ChromeDev",
                                           "org.chromium.Chromium", "com.microsoft.Edge",
                                           "com.brave.Browser",     "com.vivaldi.Vivaldi"};
    char p[PATH_MAX];
    size_t i;

    if (doctor_is_mac())
        return;
    for (i = 0; i < TH_ARRAY_SIZE(snaps); i++) {
        snprintf(p, sizeof(p), "%s/snap/%s", doctor_home(), snaps[i]);
        if (doctor_is_dir(p))
            doctor_add(d, "install", DOCTOR_WARN, DOCTOR_FAQ_SENDING, p,
                       "use Greenhouse in a browser installed from a .deb/.rpm (Google Chrome, "
                       "Microsoft Edge, Debian's chromium)",
                       "a Snap %s: its sandbox cannot start programs outside the snap, so the "
                       "host cannot run from it",
                       snaps[i]);
    }
    for (i = 0; i < TH_ARRAY_SIZE(flatpaks); i++) {
        snprintf(p, sizeof(p), "%s/.var/app/%s", doctor_home(), flatpaks[i]);
        if (doctor_is_dir(p))
            doctor_add(d, "install", DOCTOR_WARN, DOCTOR_FAQ_SENDING, p,
                       "use Greenhouse in a browser installed from a .deb/.rpm (Google Chrome, "
                       "Microsoft Edge, Debian's chromium)",
                       "a Flatpak browser (%s): it reads manifests only inside its sandbox and "
                       "cannot run the host installed outside it",
                       flatpaks[i]);
    }
}

/* NativeMessagingUserLevelHosts=false or a blocklist of "*" in managed policy files. */
static void doctor_check_policies(struct doctor *d)
{
    static const char *const dirs[] = {
        "/etc/opt/chrome/policies/managed", "/etc/chromium/policies/managed",
        "/etc/opt/edge/policies/managed", "/etc/brave/policies/managed"};
    char dir[PATH_MAX], file[PATH_MAX * 2];
    size_t i, len;
    struct os_dir *dh;
    const char *name;

    for (i = 0; i < TH_ARRAY_SIZE(dirs); i++) {
        snprintf(dir, sizeof(dir), "%s%s", doctor_root(), dirs[i]);
        if (os_dir_open(&dh, dir) != 0)
            continue;
        while ((name = os_dir_next(dh)) != NULL) {
            char *text = NULL;
            cJSON *pol, *v;
            len = strlen(name);
            if (len < 6 || strcmp(name + len - 5, ".json") != 0)
                continue;
            snprintf(file, sizeof(file), "%s/%s", dir, name);
            if (doctor_read_file(file, &text, &len) != 0)
                continue;
            pol = cJSON_ParseWithLength(text, len);
            free(text);
            v = cJSON_GetObjectItemCaseSensitive(pol, "NativeMessagingUserLevelHosts");
            if (cJSON_IsFalse(v))
                doctor_add(d, "install", DOCTOR_FAIL, DOCTOR_FAQ_SENDING, file,
                           "ask IT to allow per-user hosts, or to run sudo scripts/install.sh "
                           "--system",
                           "an enterprise policy sets NativeMessagingUserLevelHosts to false: "
                           "the browser ignores per-user hosts");
            v = cJSON_GetObjectItemCaseSensitive(pol, "NativeMessagingBlocklist");
            if (cJSON_IsArray(v)) {
                const cJSON *b,
                    *allow = cJSON_GetObjectItemCaseSensitive(pol, "NativeMessagingAllowlist");
                int blocked = 0, allowed = 0;
                cJSON_ArrayForEach(b, v)
                {
                    if (cJSON_IsString(b) && (strcmp(b->valuestring, "*") == 0 ||
                                              strcmp(b->valuestring, DOCTOR_HOST_NAME) == 0))
                        blocked = 1;
                }
                cJSON_ArrayForEach(b, allow)
                {
                    if (cJSON_IsString(b) && strcmp(b->valuestring, DOCTOR_HOST_NAME) == 0)
                        allowed = 1;
                }
                if (blocked && !allowed)
                    doctor_add(d, "install", DOCTOR_FAIL, DOCTOR_FAQ_SENDING, file,
                               "ask IT to add " DOCTOR_HOST_NAME " to NativeMessagingAllowlist",
                               "an enterprise policy blocks native messaging hosts "
                               "(NativeMessagingBlocklist) and does not allow this one");
            }
            cJSON_Delete(pol);
        }
        os_dir_close(dh);
    }
}

void doctor_check_install(struct doctor *d)
{
    static struct doctor_seen seen; /* large: not on the stack */
    char base[PATH_MAX], udd[PATH_MAX], nmh[PATH_MAX + 32], label[64];
    size_t i;
    int mac = doctor_is_mac(), manifests = 0, browsers = 0;

    if (doctor_is_windows()) {
        doctor_check_install_windows(d);
        doctor_check_on_path(d);
        return;
    }
    memset(&seen, 0, sizeof(seen));
    if (mac)
        snprintf(base, sizeof(base), "%s/Library/Application Support", doctor_home());
    else
        doctor_config_home(base, sizeof(base));

    for (i = 0; i < d->n_udds; i++) {
        if (!doctor_is_dir(d->udds[i])) {
            char fix[2 * PATH_MAX + 160];
            snprintf(fix, sizeof(fix),
                     "check the folder (chrome://version shows the Profile Path: the user data "
                     "folder is the one above it); if it is right, start the browser once with "
                     "--user-data-dir=%s, then run: scripts/install.sh --user-data-dir %s",
                     d->udds[i], d->udds[i]);
            doctor_add(d, "install", DOCTOR_FAIL, DOCTOR_FAQ_SENDING, d->udds[i], fix,
                       "the folder %s given with --user-data-dir does not exist: no browser has "
                       "used it, and nothing is installed there",
                       d->udds[i]);
            continue;
        }
        snprintf(nmh, sizeof(nmh), "%s/NativeMessagingHosts", d->udds[i]);
        manifests += doctor_check_dir(d, &seen, d->udds[i], nmh, 1, d->udds[i]);
    }
    for (i = 0; i < TH_ARRAY_SIZE(doctor_browsers); i++) {
        const struct doctor_browser *b = &doctor_browsers[i];
        if (snprintf(udd, sizeof(udd), "%s/%s", base, mac ? b->mac_dir : b->linux_dir) >=
                (int)sizeof(udd) ||
            !doctor_is_dir(udd))
            continue;
        browsers++;
        snprintf(nmh, sizeof(nmh), "%s/NativeMessagingHosts", udd);
        snprintf(label, sizeof(label), "%s", b->name);
        manifests += doctor_check_dir(d, &seen, label, nmh, 1, NULL);
    }
    doctor_check_receipt(d, &seen, &manifests);
    for (i = 0; i < TH_ARRAY_SIZE(doctor_browsers); i++) {
        const char *sys = mac ? doctor_browsers[i].mac_system : doctor_browsers[i].linux_system;
        if (!sys)
            continue;
        snprintf(nmh, sizeof(nmh), "%s%s", doctor_root(), sys);
        snprintf(label, sizeof(label), "%s (machine-wide)", doctor_browsers[i].name);
        manifests += doctor_check_dir(d, &seen, label, nmh, 0, NULL);
    }
    if (manifests == 0 && browsers == 0 && d->n_udds == 0)
        doctor_add(d, "install", DOCTOR_FAIL, DOCTOR_FAQ_SENDING, "browsers",
                   "start Chrome once, then run scripts/install.sh (or --user-data-dir DIR)",
                   "no browser folder and no installed manifest found: the extension cannot "
                   "reach the host (\"Specified native messaging host not found.\")");
    doctor_check_sandboxes(d);
    doctor_check_policies(d);
    doctor_check_on_path(d);
}

/* ---- which extensions ------------------------------------------------------------- */

static int doctor_ids_has(const char (*ids)[33], size_t n, const char *id)
{
    size_t i;

    for (i = 0; i < n; i++) {
        if (strcmp(ids[i], id) == 0)
            return 1;
    }
    return 0;
}

/* 1 for the development stub's id (never, in a production build: it has none). */
static int doctor_is_stub(const char *id)
{
#ifdef PROTO_STUB_EXTENSION_ID
    return strcmp(id, PROTO_STUB_EXTENSION_ID) == 0;
#else
    (void)id;
    return 0;
#endif
}

/* 1 when the settings file, or the folder it is in, exists but is refused for its permissions
 * (the caller check reads no ids then): which, into out. */
static int doctor_settings_refused(char *out, size_t outsz)
{
    struct paths p;
    struct err e;
    int exists = 0;

    err_clear(&e);
    if (paths_resolve(&p, &e) != 0)
        return 0;
    if (paths_check_dir(p.config_dir, &exists, &e) != 0 && exists) {
        snprintf(out, outsz, "the config folder %s", p.config_dir);
        return 1;
    }
    exists = 0;
    if (paths_check_file(p.settings, &exists, &e) != 0 && exists) {
        snprintf(out, outsz, "the settings file %s", p.settings);
        return 1;
    }
    return 0;
}

void doctor_check_extension_ids(struct doctor *d)
{
    const struct th_store_api *store = engine_store_api();
    char set[64][33], all[DOCTOR_MAX_IDS * 4][33], list[DOCTOR_MAX_IDS * 4 * 72];
    char refused[PATHS_MAX + 32];
    size_t n_set = 0, n_all = 0, i, used = 0;
    const cJSON *m, *id;

    if (d->ids_explicit) {
        for (i = 0; i < d->n_ids; i++)
            used += (size_t)snprintf(list + used, sizeof(list) - used, "%s%s", i ? ", " : "",
                                     d->ids[i]);
        doctor_add(d, "install", DOCTOR_INFO, 0, "extension ids", NULL,
                   "checked only the extension id%s given with --extension-id: %s",
                   d->n_ids == 1 ? "" : "s", list);
        return;
    }
    if (store && store->settings_allowed_ids)
        n_set = store->settings_allowed_ids(set, TH_ARRAY_SIZE(set));
    /* every id a manifest allows, then those of the settings */
    cJSON_ArrayForEach(m, d->manifests)
    {
        cJSON_ArrayForEach(id, cJSON_GetObjectItemCaseSensitive(m, "ids"))
        {
            if (cJSON_IsString(id) && n_all < TH_ARRAY_SIZE(all) &&
                !doctor_ids_has((const char(*)[33])all, n_all, id->valuestring))
                snprintf(all[n_all++], sizeof(all[0]), "%.32s", id->valuestring);
        }
    }
    for (i = 0; i < n_set && n_all < TH_ARRAY_SIZE(all); i++) {
        if (!doctor_ids_has((const char(*)[33])all, n_all, set[i]))
            snprintf(all[n_all++], sizeof(all[0]), "%.32s", set[i]);
    }
    if (!n_all)
        return; /* no manifest read: the findings above say why */
    for (i = 0; i < n_all && used < sizeof(list); i++)
        used +=
            (size_t)snprintf(list + used, sizeof(list) - used, "%s%s (%s)", i ? ", " : "", all[i],
                             doctor_is_stub(all[i]) ? "the development stub's"
                             : doctor_ids_has((const char(*)[33])set, n_set, all[i])
                                 ? "settings.allowed_extension_ids"
                                 : "a manifest only");
    if (n_all == 1 && doctor_is_stub(all[0]) && doctor_settings_refused(refused, sizeof(refused))) {
        /* the ids were not read: never "only the stub's is allowed" */
        doctor_add(d, "install", DOCTOR_WARN, DOCTOR_FAQ_SENDING, "extension ids", NULL,
                   "checked extension ids: %s; the host's settings (settings.allowed_extension_ids)"
                   " could not be read: %s is refused for its permissions (its fix is under "
                   "Configuration), so the other ids it allows are unknown",
                   list, refused);
        return;
    }
    if (n_all == 1 && doctor_is_stub(all[0])) {
        doctor_add(d, "install", DOCTOR_WARN, DOCTOR_FAQ_SENDING, "extension ids",
                   "scripts/install.sh --extension-id <its id> (chrome://extensions shows the "
                   "id with Developer mode on; the installer then prints the one command that "
                   "allows it in the host's settings)",
                   "checked extension ids: %s; only the development stub's extension id is "
                   "allowed; the TextUs extension will be refused until its id is added",
                   list);
        return;
    }
    doctor_add(d, "install", DOCTOR_INFO, 0, "extension ids", NULL, "checked extension ids: %s",
               list);
}

/* ---- the ping ----------------------------------------------------------------------- */

/* Read exactly n bytes before the deadline; 0, or -1 with why. */
static int doctor_read_exact(int fd, unsigned char *buf, size_t n, long deadline, int timeout_ms,
                             char *why, size_t whysz)
{
    size_t got = 0;

    while (got < n) {
        long left = deadline - now_mono_ms();
        long r;
        int pr;
        if (left <= 0) {
            snprintf(why, whysz,
                     "no reply within %d.%d s: waited for the host to answer a framed ping on "
                     "its stdout (%s)",
                     timeout_ms / 1000, (timeout_ms % 1000) / 100,
                     got ? "a reply started but never finished" : "not a byte came back");
            return -1;
        }
        pr = os_wait_readable(fd, (int)left); /* EINTR retried there */
        if (pr <= 0)
            continue;
        r = os_read(fd, buf + got, n - got);
        if (r <= 0) {
            snprintf(why, whysz, "the host closed its output %s", got ? "inside a frame" : "");
            return -1;
        }
        got += (size_t)r;
    }
    return 0;
}

static void doctor_describe_exit(const struct os_exit *ex, char *out, size_t outsz)
{
    if (ex->code == 127)
        snprintf(out, outsz, "; it could not be started (exit 127)");
    else if (ex->code >= 0)
        snprintf(out, outsz, "; it exited with code %d", ex->code);
    else if (ex->signal > 0)
        snprintf(out, outsz, "; it was killed by signal %d", ex->signal);
    else
        out[0] = '\0';
}

int doctor_ping(const char *exe, const char *origin, int timeout_ms, cJSON **reply, char *why,
                size_t whysz)
{
    static const char req[] = "{\"type\":\"ping\",\"id\":\"doctor\"}";
    int killed, rc = -1;
    unsigned char hdr[4], *body = NULL;
    uint32_t n = (uint32_t)(sizeof(req) - 1);
    char dir[PATH_MAX], tail[96];
    const char *slash = doctor_last_sep(exe);
    long deadline;
    struct os_child child;
    struct os_exit ex;

    *reply = NULL;
    why[0] = '\0';
    if (!slash) {
        snprintf(why, whysz, "cannot set up pipes");
        return -1;
    }
    snprintf(dir, sizeof(dir), "%.*s", (int)(slash - exe), exe);
    if (os_child_start(&child, exe, origin, dir) != 0) {
        snprintf(why, whysz, "cannot start the host (%s)", strerror(errno));
        return -1;
    }
    memcpy(hdr, &n, 4); /* native byte order, as Chrome sends it */
    if (os_child_send(&child, hdr, 4, req, n) != 0)
        snprintf(why, whysz, "the host did not read its input");
    deadline = now_mono_ms() + timeout_ms;
    if (!why[0] && doctor_read_exact(child.out_fd, hdr, 4, deadline, timeout_ms, why, whysz) == 0) {
        memcpy(&n, hdr, 4);
        if (n == 0 || n > DOCTOR_REPLY_MAX) {
            snprintf(why, whysz, "the reply frame has a bad length (%u)", (unsigned)n);
        } else {
            body = malloc(n);
            if (body &&
                doctor_read_exact(child.out_fd, body, n, deadline, timeout_ms, why, whysz) == 0) {
                *reply = cJSON_ParseWithLength((const char *)body, n);
                if (!*reply)
                    snprintf(why, whysz,
                             "the reply is not JSON (something else writes to "
                             "stdout?)");
            }
        }
    }
    /* closes its stdin first: EOF, the host must exit promptly, as Chrome expects */
    os_child_wait(&ex, &child, 2000, &killed);
    if (!*reply) {
        doctor_describe_exit(&ex, tail, sizeof(tail));
        if (strlen(why) + strlen(tail) < whysz)
            memcpy(why + strlen(why), tail, strlen(tail) + 1);
        goto err;
    }
    if (killed) {
        snprintf(why, whysz, "the host answered but did not exit when its input closed");
        cJSON_Delete(*reply);
        *reply = NULL;
        goto err;
    }
    rc = 0;
err:
    free(body);
    return rc;
}

/* ---- FAQ ------------------------------------------------------------------------------ */

static void doctor_faq_answer(const struct doctor *d, const char *flag, const char *fine, char *out,
                              size_t outsz)
{
    const cJSON *c;
    size_t used = 0;
    int n = 0;

    out[0] = '\0';
    cJSON_ArrayForEach(c, d->checks)
    {
        const cJSON *st = cJSON_GetObjectItemCaseSensitive(c, "status");
        const cJSON *msg = cJSON_GetObjectItemCaseSensitive(c, "message");
        const cJSON *fix = cJSON_GetObjectItemCaseSensitive(c, "fix");
        int w;
        if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(c, flag)) ||
            strcmp(st->valuestring, "ok") == 0 || strcmp(st->valuestring, "info") == 0)
            continue;
        n++;
        if (n > 3)
            continue; /* counted, not repeated: the checklist above has them all */
        w = snprintf(out + used, outsz - used, "%s%s%s%s", n > 1 ? "; " : "", msg->valuestring,
                     cJSON_IsString(fix) ? " -> " : "",
                     cJSON_IsString(fix) ? fix->valuestring : "");
        if (w < 0 || (size_t)w >= outsz - used) {
            out[used] = '\0';
            continue;
        }
        used += (size_t)w;
    }
    if (n > 3)
        snprintf(out + used, outsz - used, "; and %d more above", n - 3);
    if (!n)
        snprintf(out, outsz, "%s", fine);
}

cJSON *doctor_faq(const struct doctor *d)
{
    char buf[4096];
    cJSON *faq = cJSON_CreateObject();

    if (!faq)
        return NULL;
    doctor_faq_answer(d, "faq_not_sending",
                      "nothing found on this computer: the host is installed and answers, and the "
                      "TextUs checks passed. If texts still show \"Not Delivered\", send the "
                      "report (textus-host doctor --report) to TextUs support: it lists the "
                      "messages and numbers concerned.",
                      buf, sizeof(buf));
    cJSON_AddStringToObject(faq, "not_sending", buf);
    doctor_faq_answer(d, "faq_not_tracking",
                      "nothing found on this computer: the Greenhouse checks passed and no note "
                      "is waiting. This host writes each text's note itself, through the "
                      "Harvest API: it is on the candidate's Activity Feed, written as you, "
                      "private unless settings.note_visibility says otherwise. If one is "
                      "missing, send the report (textus-host doctor --report) to TextUs "
                      "support.",
                      buf, sizeof(buf));
    cJSON_AddStringToObject(faq, "not_tracking", buf);
    return faq;
}

/* ==== Windows (issue P item 4) — appended block ============================================ */

/*
 * On Windows the browsers find the host through the registry, not a folder: the default
 * value of Software\<browser>\NativeMessagingHosts\com.textus.greenhouse names the manifest.
 * Chrome reads HKCU first, then HKLM, each in the 32-bit view first, then the 64-bit one
 * (native_process_launcher_win.cc); doctor does the same through os_reg_get_default, then
 * checks the manifest and pings the host as each allowed extension, as on Linux. The
 * findings' fixes are Windows commands (PowerShell): the checks shared with Linux name
 * scripts/install.sh, and doctor_add rewrites such a fix with doctor_fix_windows, so no POSIX
 * command or path reaches a Windows user. TH_INSTALL_OS=Windows is not a test hook here:
 * the registry is only there on Windows.
 */

static int doctor_is_windows(void)
{
    return strcmp(os_name(), "Windows") == 0;
}

static const char *doctor_last_sep(const char *p)
{
    const char *s = strrchr(p, '/'), *b = doctor_is_windows() ? strrchr(p, '\\') : NULL;
    return b && (!s || b > s) ? b : s;
}

#define DOCTOR_WIN_REINSTALL                                                                       \
    "reinstall (PowerShell): msiexec /i textus-host-" TH_VERSION "-per-user.msi, or in the "       \
    "folder of the zip: .\\textus-host.exe install"

/* `& 'C:\...\textus-host.exe'`: the running executable, as PowerShell runs it when PATH does
 * not (a zip never installed, an older copy first); `textus-host` when PATH runs this one. */
static void doctor_win_exe(char *out, size_t outsz)
{
    char exe[PATH_MAX], q[2 * PATH_MAX + 8];

    if (term_self_on_path(exe, sizeof(exe)) == 1) { /* PATH runs this .exe: its name will do */
        snprintf(out, outsz, "textus-host");
        return;
    }
    if (os_exe_path(exe, sizeof(exe)) != 0)
        snprintf(exe, sizeof(exe), ".\\textus-host.exe");
    if (os_shell_quote(q, sizeof(q), exe) != 0) /* single quotes: a$(calc) stays text */
        snprintf(q, sizeof(q), "'.\\textus-host.exe'");
    snprintf(out, outsz, "& %s", q);
}

/*
 * The Windows form of a fix written for Linux (see above): a PowerShell command, whole. A
 * chmod fix, or a plain install.sh one, becomes a reinstall; the placeholder fix for a missing
 * extension id (<its id>) a sentence of its own; otherwise each command in it is rewritten in place
 * (scripts/install.sh as `& "<exe>" install`, textus-host as `& "<exe>"`, sudo dropped), the rest
 * of the text kept. out, or fix when it names no command.
 */
static const char *doctor_fix_windows(char *out, size_t outsz, const char *fix)
{
    char exe[2 * PATH_MAX + 16], inst[2 * PATH_MAX + 32];
    const char *ext = strstr(fix, "--extension-id "), *p;
    size_t used;
    int n;

    /* written for Windows already (icacls, reg, the PATH check's): as it is; rewritten, the
     * "textus-host " inside a path (a folder "my textus-host stuff") would become a command */
    if (strstr(fix, "PowerShell"))
        return fix;
    /* a file to set right again (chmod), the whole install again: the .msi or the zip's */
    if (strstr(fix, "chmod") ||
        (strstr(fix, "install.sh") && !ext && !strstr(fix, "--remove-extension-id ")))
        return DOCTOR_WIN_REINSTALL;
    doctor_win_exe(exe, sizeof(exe));
    if (ext && strncmp(ext + 15, "<its id>", 8) == 0) {
        n = snprintf(out, outsz,
                     "in PowerShell, with the extension's id in place of ID (chrome://extensions "
                     "shows it with Developer mode on): %s install --extension-id ID, then allow "
                     "it in the host's settings: echo '{\"settings\":{\"allowed_extension_ids\":"
                     "[\"ID\"]}}' | %s configure --no-verify (an .msi install instead needs an "
                     ".msi built with that id: TH_EXTENSION_IDS=ID)",
                     exe, exe);
        return n > 0 && (size_t)n < outsz ? out : DOCTOR_WIN_REINSTALL;
    }
    snprintf(inst, sizeof(inst), "%s install", exe);
    used = 0;
    n = 0;
    for (p = fix; *p && used + 1 < outsz;) {
        const char *rep = NULL;
        size_t skip = 0, len;
        if (strncmp(p, "sudo ", 5) == 0) {
            rep = "";
            skip = 5;
        } else if (strncmp(p, "scripts/install.sh --system", 27) == 0) {
            rep = inst;
            skip = 27;
        } else if (strncmp(p, "scripts/install.sh", 18) == 0) {
            rep = inst;
            skip = 18;
        } else if (strncmp(p, "textus-host ", 12) == 0 && (p == fix || strchr(" (|`", p[-1])) &&
                   p[12] >= 'a' && p[12] <= 'z') {
            rep = exe;
            skip = 11; /* the space after it is kept */
        }
        if (!rep) {
            out[used++] = *p++;
            continue;
        }
        len = strlen(rep);
        if (n != -1 && (used == 0 || (used >= 4 && strncmp(out + used - 4, "run ", 4) == 0))) {
            /* "in PowerShell: " goes with the first command, never before advice ("ask your
             * Greenhouse admin ..."): "..., then in PowerShell: run textus-host doctor"; a
             * command inside a sentence ("... with textus-host configure") keeps its words */
            static const char ps[] = "in PowerShell: ";
            size_t at = used >= 4 ? used - 4 : 0;
            if (used + sizeof(ps) - 1 + len >= outsz)
                break;
            memmove(out + at + sizeof(ps) - 1, out + at, used - at);
            memcpy(out + at, ps, sizeof(ps) - 1);
            used += sizeof(ps) - 1;
        }
        if (used + len >= outsz)
            break;
        memcpy(out + used, rep, len);
        used += len;
        p += skip;
        n = -1; /* a command was rewritten */
    }
    if (*p) /* not whole: never a cut sentence */
        return DOCTOR_WIN_REINSTALL;
    out[used] = '\0';
    if (n != -1) /* nothing to run: the fix as it is */
        return fix;
    if (ext && !strstr(fix, "--remove-extension-id ")) {
        size_t idn = strcspn(ext + 15, " ,;()");
        n = snprintf(out + used, outsz - used,
                     " (an .msi install instead needs an .msi built with that id: "
                     "TH_EXTENSION_IDS=%.*s)",
                     (int)(idn > 40 ? 40 : idn), ext + 15);
        if (n < 0 || (size_t)n >= outsz - used)
            return DOCTOR_WIN_REINSTALL;
    }
    return out;
}

/*
 * A host installed from a package (the .deb, or `cmake --install`: the executable in
 * <prefix>/lib.../textus-host/, CMakeLists.txt's TH_INSTALL_PKGDIR) has no checkout beside
 * it, and its manifests are the package's, which allow the ids it was built with: a fix that
 * says `scripts/install.sh --extension-id ID` says instead to ask IT for a package built with
 * that id; the rest of the fix (allowing it in the host's settings) stays. scripts/install.sh
 * copies the host to .../textus-host/bin/, a build runs from host/: both keep the fix.
 */
static int doctor_is_packaged(void)
{
    char dir[PATH_MAX];
    const char *last, *parent;

    if (os_exe_dir(dir, sizeof(dir)) != 0)
        return 0;
    last = strrchr(dir, '/');
    if (!last || strcmp(last, "/textus-host") != 0)
        return 0;
    for (parent = last; parent > dir && parent[-1] != '/';)
        parent--;
    return (size_t)(last - parent) >= 3 && strncmp(parent, "lib", 3) == 0;
}

static const char *doctor_fix_packaged(char *out, size_t outsz, const char *fix)
{
    static const char cmd[] = "scripts/install.sh --extension-id ";
    const char *at = strstr(fix, cmd), *id, *rest;
    int n;

    if (!at || !doctor_is_packaged())
        return fix;
    id = at + sizeof(cmd) - 1;
    if (*id == '<') { /* "<its id> (… the installer then prints …)": no installer here */
        snprintf(out, outsz,
                 "this host was installed from a package (the .deb), whose browser manifests "
                 "allow only the extension ids it was built with: ask IT for a package built "
                 "with TH_EXTENSION_IDS=<its id> (chrome://extensions shows the id with "
                 "Developer mode on), and allow it in your own settings: echo "
                 "'{\"settings\":{\"allowed_extension_ids\":[\"<its id>\"]}}' | textus-host "
                 "configure --no-verify");
        return out;
    }
    n = (int)strcspn(id, " ,;()");
    rest = id + n;
    snprintf(out, outsz,
             "this host was installed from a package (the .deb), whose browser manifests allow "
             "only the extension ids it was built with: ask IT for a package built with "
             "TH_EXTENSION_IDS=%.*s%s",
             n > 40 ? 40 : n, id, rest);
    return out;
}

/*
 * The HKLM key of browser_key (32-bit view first, as Chrome reads it) when it names a manifest
 * that exists: 1, the path in out. A failing HKCU key then hides a good machine-wide install.
 */
static int doctor_win_machine_ok(char *out, size_t outsz, const char *browser_key)
{
    static const enum os_reg_view views[] = {OS_REG_VIEW_32, OS_REG_VIEW_64};
    struct os_stat st;
    size_t v;

    for (v = 0; v < TH_ARRAY_SIZE(views); v++)
        if (os_reg_get_default(out, outsz, OS_REG_MACHINE, views[v], browser_key) == 0)
            return os_stat(&st, out, 1) == 0 && st.kind == OS_KIND_FILE;
    return 0;
}

static void doctor_check_install_windows(struct doctor *d)
{
    static const struct {
        const char *name;
        const char *key;
    } browsers[] = {
        {"chrome", "Software\\Google\\Chrome\\NativeMessagingHosts\\" DOCTOR_HOST_NAME},
        {"edge", "Software\\Microsoft\\Edge\\NativeMessagingHosts\\" DOCTOR_HOST_NAME},
        {"chromium", "Software\\Chromium\\NativeMessagingHosts\\" DOCTOR_HOST_NAME},
        {"brave",
         "Software\\BraveSoftware\\Brave-Browser\\NativeMessagingHosts\\" DOCTOR_HOST_NAME},
    };
    static const enum os_reg_view views[] = {OS_REG_VIEW_32, OS_REG_VIEW_64};
    char files[TH_ARRAY_SIZE(browsers)][PATH_MAX], label[96], subject[PATH_MAX + 128];
    char fix[3 * PATH_MAX + 256], good[PATH_MAX], qfirst[2 * PATH_MAX + 8];
    /* per browser: its own manifest check failed (or the shared one did), and the first failure */
    int failed[TH_ARRAY_SIZE(browsers)];
    char why[TH_ARRAY_SIZE(browsers)][512], whyfix[TH_ARRAY_SIZE(browsers)][1024];
    unsigned missing = 0;
    const char *first = NULL;
    size_t i, j, v, registered = 0;

    for (i = 0; i < TH_ARRAY_SIZE(browsers); i++) {
        int found = 0, r, fails0, n0, k;
        const char *hive = "HKCU";
        files[i][0] = '\0';
        failed[i] = 0;
        why[i][0] = whyfix[i][0] = '\0';
        for (r = 0; r < 2 && !found; r++) {
            for (v = 0; v < TH_ARRAY_SIZE(views) && !found; v++)
                found =
                    os_reg_get_default(files[i], sizeof(files[i]), r ? OS_REG_MACHINE : OS_REG_USER,
                                       views[v], browsers[i].key) == 0;
            if (found)
                hive = r ? "HKLM" : "HKCU";
        }
        if (!found) {
            files[i][0] = '\0';
            missing |= 1u << i;
            continue;
        }
        registered++;
        if (!first)
            first = files[i];
        snprintf(label, sizeof(label), "%s (%s%s)", browsers[i].name, hive,
                 hive[2] == 'L' ? ", machine-wide" : "");
        for (j = 0; j < i && strcmp(files[j], files[i]) != 0; j++)
            ;
        if (j < i) { /* the same manifest as a browser above: checked and pinged once */
            snprintf(subject, sizeof(subject), "%s: %s\\%s", label, hive, browsers[i].key);
            failed[i] = failed[j];
            if (failed[j]) /* its result, not an "ok": the extension fails here too */
                doctor_add(d, "install", DOCTOR_FAIL, DOCTOR_FAQ_SENDING, subject,
                           whyfix[j][0] ? whyfix[j] : NULL,
                           "names %s, the same manifest as %s, which failed: %s", files[i],
                           browsers[j].name, why[j]);
            else
                doctor_add(d, "install", DOCTOR_OK, 0, subject, NULL,
                           "names %s, the manifest checked for %s", files[i], browsers[j].name);
            continue;
        }
        fails0 = d->fails;
        n0 = cJSON_GetArraySize(d->checks);
        doctor_check_manifest(d, label, files[i]);
        if (d->fails == fails0)
            continue;
        failed[i] = 1;
        for (k = n0; k < cJSON_GetArraySize(d->checks); k++) {
            cJSON *c = cJSON_GetArrayItem(d->checks, k);
            const char *st = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(c, "status"));
            const char *m = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(c, "message"));
            const char *f = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(c, "fix"));
            if (!st || strcmp(st, "fail") != 0)
                continue;
            if (hive[2] == 'C' && doctor_win_machine_ok(good, sizeof(good), browsers[i].key)) {
                /* a stale per-user key hides a machine-wide install: delete the key */
                char del[PATH_MAX + 512];
                snprintf(del, sizeof(del),
                         "(PowerShell) reg delete \"HKCU\\%s\" /f (a per-user key hides the "
                         "machine-wide install, whose HKLM key names %.2048s)",
                         browsers[i].key, good);
                cJSON_DeleteItemFromObjectCaseSensitive(c, "fix");
                cJSON_AddStringToObject(c, "fix", del);
                f = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(c, "fix"));
            }
            if (!why[i][0]) {
                snprintf(why[i], sizeof(why[i]), "%s", m ? m : "see above");
                snprintf(whyfix[i], sizeof(whyfix[i]), "%s", f ? f : "");
            }
        }
    }
    if (!registered) {
        doctor_add(d, "install", DOCTOR_FAIL, DOCTOR_FAQ_SENDING, "registry",
                   "install (PowerShell): msiexec /i textus-host-" TH_VERSION
                   "-per-user.msi, or in the folder of the zip: .\\textus-host.exe install (IT, "
                   "for every user of the machine, from a PowerShell run as administrator: "
                   "msiexec /i textus-host-" TH_VERSION "-per-machine.msi)",
                   "no browser's registry key names a manifest for " DOCTOR_HOST_NAME
                   " (HKCU and HKLM\\Software\\<browser>\\NativeMessagingHosts, 32- and 64-bit "
                   "views): the extension cannot reach the host (\"Specified native messaging "
                   "host not found.\")");
        return;
    }
    /* the manifest to offer: one that checked ok, else the one beside this .exe */
    first = NULL;
    for (i = 0; i < TH_ARRAY_SIZE(browsers) && !first; i++)
        if (files[i][0] && !failed[i])
            first = files[i];
    if (!first && os_exe_dir(good, sizeof(good)) == 0 &&
        strlen(good) + sizeof("\\" DOCTOR_HOST_NAME ".json") <= sizeof(good)) {
        memcpy(good + strlen(good), "\\" DOCTOR_HOST_NAME ".json",
               sizeof("\\" DOCTOR_HOST_NAME ".json"));
        first = good;
    }
    for (i = 0; i < TH_ARRAY_SIZE(browsers) && first; i++) {
        if (!(missing & (1u << i)))
            continue;
        if (os_shell_quote(qfirst, sizeof(qfirst), first) != 0) /* a$(calc) stays text */
            continue;
        snprintf(fix, sizeof(fix),
                 "if you use %s (PowerShell): reg add \"HKCU\\%s\" /ve /t REG_SZ /d %s /f",
                 browsers[i].name, browsers[i].key, qfirst);
        doctor_add(d, "install", DOCTOR_INFO, 0, browsers[i].name, fix,
                   "not registered with %s: no HKCU or HKLM key %s", browsers[i].name,
                   browsers[i].key);
    }
}

/* ==== end of the Windows block =============================================================== */

/* ==== textus-host on PATH (issue P: every `textus-host <command>` a message names) ========== */

/*
 * The host's messages, the CLI's and the extension's alike, name commands as `textus-host
 * <command>`: they are true only where typing textus-host in a terminal runs this executable.
 * term_self_on_path says whether it does (os_which: the shell's own search, PATH and, on
 * Windows, PATHEXT). ok when it runs this one; a warning naming what it runs instead (an older
 * copy) or that it runs nothing, with the fix in the platform's words; a check that could not
 * be made is said as such, never ok.
 */
static void doctor_check_on_path(struct doctor *d)
{
    static const char subject[] = "textus-host on PATH";
    char exe[PATH_MAX], dir[PATH_MAX], found[PATH_MAX], link[2 * PATH_MAX + 32];
    char fix[4 * PATH_MAX + 512];
    const char *home = doctor_home(), *at = dir;
    int win = doctor_is_windows(), r = term_self_on_path(found, sizeof(found));

    if (os_exe_path(exe, sizeof(exe)) != 0 || os_exe_dir(dir, sizeof(dir)) != 0)
        r = -1;
    if (r == 1) {
        doctor_add(d, "install", DOCTOR_OK, 0, subject, NULL,
                   "textus-host typed in a terminal runs this one (%s), as the commands in the "
                   "host's messages expect",
                   found);
        return;
    }
    if (r < 0) {
        doctor_add(d, "install", DOCTOR_INFO, 0, subject, NULL,
                   "unchecked: could not tell which textus-host a terminal runs (%s)",
                   errno ? strerror(errno) : "this executable's own path is unknown");
        return;
    }
    if (win) {
        int mine = os_user_path_has(dir);
        char next[PATH_MAX];
        /* what a new terminal runs, from the PATH settings as Windows expands them */
        if (mine == 1 && (os_which_new_terminal(next, sizeof(next), "textus-host") != 0 ||
                          os_same_file(next, exe) != 1))
            mine = 0;
        if (!found[0] && mine == 1) {
            doctor_add(d, "install", DOCTOR_WARN, 0, subject,
                       /* quoted: the bare name is right in the new terminal */
                       "open a new terminal (PowerShell): \"textus-host doctor\" runs there",
                       "this terminal's PATH does not have %s, your PATH setting does: it was "
                       "set after this terminal started, and a new one will find textus-host",
                       dir);
            return;
        }
        if (os_shell_quote(link, sizeof(link), exe) != 0) /* a$(calc) stays text */
            snprintf(link, sizeof(link), "'.\\textus-host.exe'");
        if (found[0]) /* this folder may be on PATH already: the other copy is the matter */
            term_other_copy_fix(fix, sizeof(fix), found);
        else
            snprintf(fix, sizeof(fix),
                     "from the zip, in PowerShell: & %s install (it adds %s to your PATH); "
                     "from an .msi: msiexec /i textus-host-" TH_VERSION "-per-user.msi again "
                     "(it does the same); then open a new terminal",
                     link, dir);
    } else {
        char line[2 * PATH_MAX + 32], q[2 * PATH_MAX + 8];
        /* scripts/install.sh links ~/.local/bin/textus-host (or /usr/local/bin's) to this */
        if (home &&
            snprintf(link, sizeof(link), "%s/.local/bin/textus-host", home) < (int)sizeof(link) &&
            os_same_file(link, exe) == 1) {
            link[strlen(link) - strlen("/textus-host")] = '\0';
            at = link;
        } else if (os_same_file("/usr/local/bin/textus-host", exe) == 1) {
            at = "/usr/local/bin";
        }
        /* a folder sh would expand something in ($, `, \, "): single-quoted, kept as text */
        if (strpbrk(at, "$`\\\"!") && os_shell_quote(q, sizeof(q), at) == 0)
            snprintf(line, sizeof(line), "export PATH=%s:\"$PATH\"", q);
        else
            snprintf(line, sizeof(line), "export PATH=\"%s:$PATH\"", at);
        snprintf(fix, sizeof(fix),
                 "%sput %s on PATH%s: add the line %s to your shell's "
                 "start-up file (~/.profile, ~/.bashrc or ~/.zshrc), then open a new terminal",
                 found[0] ? "remove the other copy, or " : "", at,
                 found[0] ? " before its folder" : "", line);
    }
    if (found[0])
        doctor_add(d, "install", DOCTOR_WARN, 0, subject, fix,
                   "textus-host typed in a terminal runs %s, not this one (%s): the commands "
                   "in the host's messages (textus-host configure, textus-host outbox flush, "
                   "...) would run that copy",
                   found, exe);
    else
        doctor_add(d, "install", DOCTOR_WARN, 0, subject, fix,
                   "textus-host typed in a terminal runs nothing: no folder of PATH has it, so "
                   "the commands in the host's messages (textus-host configure, textus-host "
                   "outbox flush, ...) are not found until %s is on PATH",
                   at);
}

/* ==== end of the PATH block ================================================================== */
