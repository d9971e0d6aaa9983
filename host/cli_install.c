/*
 * cli_install — `textus-host install`: register this textus-host.exe with Chrome, Edge,
 * Chromium and Brave for the current user on Windows, for a plain zip (the .msi does the same
 * through Windows Installer; README.md, "Windows"). Nothing is copied: the executable stays
 * in the folder it was unpacked to, and the steps are
 *   1. write com.textus.greenhouse.json beside the executable (its "path" relative, which
 *      Chrome accepts on Windows: the manifest and the host are one folder), allowing the
 *      development stub's extension id (not in a production build, TH_PRODUCTION), every id
 *      the manifest already allowed (so the production id given once is kept across
 *      re-installs), and --extension-id; --remove-extension-id drops one;
 *   2. set the default value of HKCU\Software\<browser>\NativeMessagingHosts\
 *      com.textus.greenhouse to that manifest's full path, for each browser (--browser
 *      picks some); no admin rights are needed;
 *   3. append the executable's folder to the user's PATH (HKCU\Environment, Path: the
 *      existing entries and the value's type kept, nothing added when it is there already),
 *      then tell running programs (WM_SETTINGCHANGE), so that `textus-host <command>`, which
 *      every message of the host names, runs in a new terminal; os_user_path_add;
 *   4. record every file, key and PATH entry it added in the install receipt
 *      (install-receipt.txt in the state folder: %TEXTUS_HOST_HOME%, else
 *      %LOCALAPPDATA%\textus-host), the format of scripts/install.sh's with 'regkey' and
 *      'path' kinds, which `textus-host uninstall` reads.
 * --dry-run prints what it would write and writes nothing. Machine-wide (HKLM) installs are
 * the per-machine .msi's job (it also puts the files where users cannot change them).
 * On Linux and macOS scripts/install.sh (or the .deb) installs: this command says so and
 * exits 2. Exit status: 0 installed (or shown); 1 failed (the message says why); 2 a wrong
 * option or argument, or not Windows. Registry access goes through os.h (os_reg_*).
 * [core]
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "common.h"
#include "os.h"
#include "protocol.h"
#include "term.h"

#include <cjson/cJSON.h>

#define CI_HOST_NAME    "com.textus.greenhouse"
#define CI_MAX_IDS      16
#define CI_PATH_MAX     1024
#define CI_MANIFEST_MAX (64 * 1024)

const struct cli_install_browser cli_install_browsers[] = {
    {"chrome", "Software\\Google\\Chrome\\NativeMessagingHosts\\" CI_HOST_NAME},
    {"edge", "Software\\Microsoft\\Edge\\NativeMessagingHosts\\" CI_HOST_NAME},
    {"chromium", "Software\\Chromium\\NativeMessagingHosts\\" CI_HOST_NAME},
    {"brave", "Software\\BraveSoftware\\Brave-Browser\\NativeMessagingHosts\\" CI_HOST_NAME},
    {NULL, NULL}};

int cli_install_is_windows(void)
{
    return strcmp(os_name(), "Windows") == 0;
}

int cli_install_receipt_path(char *out, size_t outsz)
{
    const char *th = os_getenv("TEXTUS_HOST_HOME");
    char data[CI_PATH_MAX];
    int n;

    if (th && *th)
        n = snprintf(out, outsz, "%s\\install-receipt.txt", th);
    else if (os_data_dir(data, sizeof(data)) == 0)
        n = snprintf(out, outsz, "%s\\textus-host\\install-receipt.txt", data);
    else
        return -1;
    return n > 0 && (size_t)n < outsz ? 0 : -1;
}

int cli_install_read_file(const char *path, char **out, size_t max)
{
    char *buf;
    size_t len = 0;
    long n;
    int fd = os_open_file(path, OS_OPEN_READ);

    *out = NULL;
    if (fd < 0)
        return -1;
    buf = malloc(max + 1);
    if (!buf) {
        os_close(fd);
        errno = ENOMEM;
        return -1;
    }
    while ((n = os_read(fd, buf + len, max - len)) > 0)
        len += (size_t)n;
    os_close(fd);
    if (n < 0 || len == max) {
        free(buf);
        errno = n < 0 ? errno : EFBIG;
        return -1;
    }
    buf[len] = '\0';
    *out = buf;
    return 0;
}

/* Write text to path through path.tmp and os_replace (the file is owner-only, os.h). */
int cli_install_write_file(const char *path, const char *text)
{
    char tmp[CI_PATH_MAX + 8];
    int fd, ok;

    if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp)) {
        errno = ENAMETOOLONG;
        return -1;
    }
    fd = os_open_file(tmp, OS_OPEN_WRITE | OS_OPEN_CREATE | OS_OPEN_TRUNC);
    if (fd < 0)
        return -1;
    ok = os_write(fd, text, strlen(text)) == (long)strlen(text) && os_fsync(fd) == 0;
    os_close(fd);
    if (!ok || os_replace(tmp, path) != 0) {
        int e = errno;
        if (os_unlink(tmp) != 0) {
            /* nothing more to do: the error said is the first one */
        }
        errno = e;
        return -1;
    }
    return 0;
}

static int ci_id_ok(const char *s)
{
    size_t i;

    for (i = 0; s[i]; i++)
        if (s[i] < 'a' || s[i] > 'p')
            return 0;
    return i == 32;
}

struct ci_ids {
    char id[CI_MAX_IDS][33];
    size_t n;
};

static int ci_ids_has(const struct ci_ids *ids, const char *id)
{
    size_t i;

    for (i = 0; i < ids->n; i++)
        if (strcmp(ids->id[i], id) == 0)
            return 1;
    return 0;
}

static int ci_ids_add(struct ci_ids *ids, const char *id)
{
    if (ci_ids_has(ids, id))
        return 0;
    if (ids->n == CI_MAX_IDS)
        return -1;
    memcpy(ids->id[ids->n++], id, 33);
    return 0;
}

/* The extension ids an existing manifest allows ("chrome-extension://<id>/"), into ids. */
static void ci_manifest_ids(struct ci_ids *kept, const char *manifest)
{
    char *text = NULL, id[33];
    cJSON *doc, *o;

    if (cli_install_read_file(manifest, &text, CI_MANIFEST_MAX) != 0)
        return;
    doc = cJSON_Parse(text);
    free(text);
    cJSON_ArrayForEach(o, cJSON_GetObjectItemCaseSensitive(doc, "allowed_origins"))
    {
        const char *s = cJSON_GetStringValue(o);
        if (s && strlen(s) == 52 && strncmp(s, "chrome-extension://", 19) == 0 && s[51] == '/') {
            memcpy(id, s + 19, 32);
            id[32] = '\0';
            if (ci_id_ok(id) && ci_ids_add(kept, id) != 0)
                break;
        }
    }
    cJSON_Delete(doc);
}

static char *ci_manifest_text(const struct ci_ids *ids)
{
    cJSON *doc = cJSON_CreateObject(), *origins = cJSON_CreateArray();
    char origin[64], *text = NULL;
    size_t i;

    if (!doc || !origins) {
        cJSON_Delete(doc);
        cJSON_Delete(origins);
        return NULL;
    }
    cJSON_AddStringToObject(doc, "name", CI_HOST_NAME);
    cJSON_AddStringToObject(doc, "description",
                            "TextUs for Greenhouse Recruiting: texts candidates through TextUs and "
                            "logs a note in Greenhouse");
    /* relative to the manifest's folder: allowed on Windows (Chrome's native messaging docs) */
    cJSON_AddStringToObject(doc, "path", "textus-host.exe");
    cJSON_AddStringToObject(doc, "type", "stdio");
    for (i = 0; i < ids->n; i++) {
        snprintf(origin, sizeof(origin), "chrome-extension://%s/", ids->id[i]);
        cJSON_AddItemToArray(origins, cJSON_CreateString(origin));
    }
    cJSON_AddItemToObject(doc, "allowed_origins", origins);
    text = cJSON_Print(doc);
    cJSON_Delete(doc);
    return text;
}

/* The receipt: the lines of an earlier one (kept) and this install's, each once. */
static int ci_receipt_add(char **rec, size_t *len, const char *line)
{
    size_t n = strlen(line);
    char *p;

    if (*rec) {
        const char *at = *rec;
        while ((at = strstr(at, line)) != NULL) {
            if ((at == *rec || at[-1] == '\n') && at[n] == '\n')
                return 0;
            at += n;
        }
    }
    p = realloc(*rec, *len + n + 2);
    if (!p)
        return -1;
    memcpy(p + *len, line, n);
    p[*len + n] = '\n';
    p[*len + n + 1] = '\0';
    *rec = p;
    *len += n + 1;
    return 0;
}

static void ci_usage(FILE *out, const struct cli_opt *opts)
{
    fprintf(out,
            "usage: textus-host install [--extension-id ID]... [--remove-extension-id ID]...\n"
            "                           [--browser NAME]... [--dry-run]\n"
            "\n"
            "Windows, from the zip: registers this textus-host.exe, where it is, with Chrome,\n"
            "Edge, Chromium and Brave for you (no admin rights): writes " CI_HOST_NAME ".json\n"
            "beside it and sets HKCU\\Software\\<browser>\\NativeMessagingHosts\\" CI_HOST_NAME "\n"
            "to that file. Every extension id the manifest already allows is kept. Its folder\n"
            "goes on your PATH (new terminals then run `textus-host`). What it wrote goes\n"
            "into the install receipt, which `textus-host uninstall` reads.\n"
            "Keep the folder where it is (moving it breaks the registration: run install\n"
            "again). Machine-wide: the per-machine .msi. Linux and macOS: scripts/install.sh.\n"
            "\n"
            "options:\n");
    cli_print_options(out, opts);
    fprintf(out, "\n"
                 "exit status: 0 installed (or shown, with --dry-run); 1 it failed (the message\n"
                 "says why); 2 a wrong option or argument, or not Windows.\n");
}

/*
 * What a terminal opened now runs as `textus-host` (os_which_new_terminal: the PATH settings,
 * not this process's PATH), said truthfully: this copy (after a change: open a new terminal),
 * another copy found first (which, and the fix for the setting that holds it), or that it
 * could not be told.
 */
static void ci_new_terminal(const char *exe, int added)
{
    char next[CI_PATH_MAX * 4], fix[CI_PATH_MAX * 8];

    if (os_which_new_terminal(next, sizeof(next), "textus-host") != 0) {
        char q[CI_PATH_MAX * 2 + 8];
        int err = errno;
        if (os_shell_quote(q, sizeof(q), exe) != 0)
            snprintf(q, sizeof(q), "'.\\textus-host.exe'");
        if (err == ENOENT)
            printf("install: a new terminal will not find `textus-host` (no folder of the PATH "
                   "settings has it); run this copy by its full path: & %s doctor\n",
                   q);
        else
            printf("install: could not tell what `textus-host` runs in a new terminal (%s); "
                   "there, & %s doctor says it.\n",
                   err == E2BIG ? "the machine's PATH and yours together are longer than the "
                                  "32767 characters a variable holds"
                                : strerror(err),
                   q);
        return;
    }
    if (os_same_file(next, exe) == 1) {
        if (added)
            printf("install: open a new terminal: `textus-host` runs there, as the host's "
                   "messages say it (this one started before the PATH change).\n");
        return;
    }
    term_other_copy_fix(fix, sizeof(fix), next);
    printf("install: a new terminal runs %s as `textus-host`, not this copy: it is found on "
           "PATH first. Fix: %s.\n",
           next, fix);
}

int cli_cmd_install(int argc, char **argv)
{
    int code;
    struct ci_ids add = {.n = 0}, removed = {.n = 0}, ids = {.n = 0}, kept = {.n = 0};
    int dry = 0, failed = 0, on_path = -1, added_path = 0;
    unsigned browsers = 0, all = 0;
    size_t b, k, rlen = 0, n_add = 0, n_rm = 0, n_br = 0, used;
    char dir[CI_PATH_MAX], manifest[CI_PATH_MAX + 64], exe[CI_PATH_MAX + 64];
    char receipt[CI_PATH_MAX + 64], line[3 * CI_PATH_MAX], *text, *rec = NULL, *old = NULL;
    char bhelp[160];
    const char *add_v[CI_MAX_IDS], *rm_v[CI_MAX_IDS], *br_v[16], *names[8];

    used = (size_t)snprintf(bhelp, sizeof(bhelp), "only this browser (repeatable):");
    for (b = 0; cli_install_browsers[b].name; b++) {
        all |= 1u << b;
        names[b] = cli_install_browsers[b].name;
        used += (size_t)snprintf(bhelp + used, sizeof(bhelp) - used, " %s", names[b]);
    }
    {
        const struct cli_opt opts[] = {
            CLI_OPT_LIST("--extension-id", "ID", "an extension id (32 letters a-p)",
                         "also allow this extension (32 letters a-p; repeatable)", add_v, &n_add),
            CLI_OPT_LIST("--remove-extension-id", "ID", "an extension id (32 letters a-p)",
                         "stop allowing this extension (repeatable)", rm_v, &n_rm),
            CLI_OPT_LIST("--browser", "NAME", "one of chrome, edge, chromium, brave", bhelp, br_v,
                         &n_br),
            CLI_OPT_BOOL("--dry-run", 'n', "print what it would write, write nothing", &dry),
            CLI_OPT_END};
        if (!cli_parse(&code, "install", opts, ci_usage, argc, argv, 0, NULL))
            return code; /* 0 after --help, 2 after the usage error (printed) */
    }
    for (k = 0; k < n_add + n_rm; k++) {
        int rm = k >= n_add;
        const char *v = rm ? rm_v[k - n_add] : add_v[k];
        if (!ci_id_ok(v)) {
            char shown[96];
            return cli_usage_error("install", "%s needs an extension id (32 letters a-p), not %s",
                                   rm ? "--remove-extension-id" : "--extension-id",
                                   cli_shown(shown, sizeof(shown), v));
        }
        if (ci_ids_add(rm ? &removed : &add, v) != 0)
            return cli_usage_error("install", "too many extension ids (at most %d)", CI_MAX_IDS);
    }
    for (k = 0; k < n_br; k++) {
        for (b = 0; cli_install_browsers[b].name && strcmp(br_v[k], names[b]) != 0; b++)
            ;
        if (!cli_install_browsers[b].name) {
            const char *near = term_nearest(br_v[k], names, b);
            return cli_usage_error(
                "install", "--browser needs one of chrome, edge, chromium, brave%s%s%s",
                near ? " (did you mean " : "", near ? near : "", near ? "?)" : "");
        }
        browsers |= 1u << b;
    }
    if (!cli_install_is_windows()) {
        fprintf(stderr,
                "textus-host install: this command installs on Windows; on %s, "
                "scripts/install.sh (or the .deb) installs textus-host\n",
                os_name());
        return 2;
    }
    if (!browsers)
        browsers = all;
    if (os_exe_dir(dir, sizeof(dir)) != 0 || cli_install_receipt_path(receipt, sizeof(receipt)))
        return fprintf(stderr, "textus-host install: cannot find this executable's folder or "
                               "the state folder\n"),
               1;
    snprintf(manifest, sizeof(manifest), "%s\\" CI_HOST_NAME ".json", dir);
    snprintf(exe, sizeof(exe), "%s\\textus-host.exe", dir);
    if (os_access(exe, OS_ACCESS_EXEC) != 0) {
        fprintf(stderr,
                "textus-host install: %s is missing: the manifest names textus-host.exe "
                "(keep the executable's name)\n",
                exe);
        return 1;
    }

    /* the ids: the stub's (development builds), those already allowed, --extension-id */
#ifdef PROTO_STUB_EXTENSION_ID
    if (ci_ids_add(&ids, PROTO_STUB_EXTENSION_ID) != 0)
        return 1;
#endif
    ci_manifest_ids(&kept, manifest);
    for (k = 0; k < kept.n; k++)
        if (!ci_ids_has(&removed, kept.id[k])) {
            if (!ci_ids_has(&add, kept.id[k]) && !ci_ids_has(&ids, kept.id[k]))
                printf("install: keeping extension id %s, already allowed in %s "
                       "(--remove-extension-id drops it)\n",
                       kept.id[k], manifest);
            (void)ci_ids_add(&ids, kept.id[k]);
        }
    for (k = 0; k < add.n; k++)
        if (ci_ids_add(&ids, add.id[k]) != 0)
            return cli_usage_error("install", "too many extension ids (at most %d)", CI_MAX_IDS);
    for (k = 0; k < ids.n; k++)
        if (ci_ids_has(&removed, ids.id[k])) {
            memmove(ids.id[k], ids.id[k + 1], (ids.n - k - 1) * sizeof(ids.id[0]));
            ids.n--;
            k--;
        }
    if (ids.n == 0) {
        fprintf(stderr, "textus-host install: no extension would be allowed: name the TextUs "
                        "extension with --extension-id ID (this production build leaves out "
                        "the development stub's id)\n");
        return 1;
    }

    text = ci_manifest_text(&ids);
    if (!text)
        return fprintf(stderr, "textus-host install: out of memory\n"), 1;
    if (dry) {
        printf("install: would write %s allowing", manifest);
        for (k = 0; k < ids.n; k++)
            printf(" %s", ids.id[k]);
        printf("\n");
    } else if (cli_install_write_file(manifest, text) != 0) {
        fprintf(stderr, "textus-host install: cannot write %s: %s\n", manifest, strerror(errno));
        cJSON_free(text);
        return 1;
    } else {
        printf("  wrote %s\n", manifest);
    }
    cJSON_free(text);

    if (cli_install_read_file(receipt, &old, CI_MANIFEST_MAX) == 0) {
        /* an earlier install's entries stay (uninstall removes them too) */
        char *save = old, *nl;
        while (*save) {
            nl = strchr(save, '\n');
            if (nl)
                *nl = '\0';
            if (*save && *save != '#' && ci_receipt_add(&rec, &rlen, save) != 0)
                failed = 1;
            if (!nl)
                break;
            save = nl + 1;
        }
        free(old);
    }
    snprintf(line, sizeof(line), "file\t%s", manifest);
    if (ci_receipt_add(&rec, &rlen, line) != 0)
        failed = 1;
    for (b = 0; cli_install_browsers[b].name; b++) {
        if (!(browsers & (1u << b)))
            continue;
        if (dry) {
            printf("install: would set HKCU\\%s (default) = %s\n", cli_install_browsers[b].key,
                   manifest);
        } else if (os_reg_set_default(OS_REG_USER, cli_install_browsers[b].key, manifest) != 0) {
            fprintf(stderr, "textus-host install: cannot set HKCU\\%s: %s\n",
                    cli_install_browsers[b].key, strerror(errno));
            failed = 1;
            continue;
        } else {
            printf("  set HKCU\\%s = %s (%s)\n", cli_install_browsers[b].key, manifest,
                   cli_install_browsers[b].name);
        }
        snprintf(line, sizeof(line), "regkey\tHKCU\\%s\t%s", cli_install_browsers[b].key, manifest);
        if (ci_receipt_add(&rec, &rlen, line) != 0)
            failed = 1;
    }

    /* the folder on the user's PATH: recorded only when this install added it */
    on_path = os_user_path_has(dir); /* a quoted "...\x;y" the user wrote counts */
    if (on_path == 0 && (strchr(dir, ';') || strchr(dir, '"'))) {
        /* PATH separates folders with ';': written, it would be two wrong entries */
        fprintf(stderr,
                "textus-host install: %s is not put on your PATH: its name has a ';', which "
                "PATH reads as the end of a folder. Move the folder (e.g. to %%LOCALAPPDATA%%"
                "\\Programs\\textus-host) and run install there; until then run this copy by "
                "its full path\n",
                dir);
        on_path = -2;
    } else if (on_path < 0) {
        fprintf(stderr,
                "textus-host install: cannot read your PATH setting (HKCU\\Environment): %s\n",
                strerror(errno));
        failed = 1;
    } else if (on_path == 1) {
        printf("%s%s is on your PATH already\n", dry ? "install: " : "  ", dir);
    } else if (dry) {
        printf("install: would add %s to your PATH (HKCU\\Environment, Path)\n", dir);
    } else if (os_user_path_add(dir) < 0) {
        if (errno == E2BIG) /* refused, nothing changed: PATH as long as a variable can be */
            fprintf(stderr,
                    "textus-host install: %s is not put on your PATH: your PATH setting would "
                    "be longer than Windows allows (32767 characters). Take folders you no "
                    "longer use out of it (Start menu: Edit environment variables for your "
                    "account) and run install again; until then run this copy by its full "
                    "path\n",
                    dir);
        else
            fprintf(stderr,
                    "textus-host install: cannot add %s to your PATH (HKCU\\Environment): %s\n",
                    dir, strerror(errno));
        if (errno == E2BIG)
            on_path = -2;
        else
            failed = 1;
    } else {
        printf("  added %s to your PATH (HKCU\\Environment, Path)\n", dir);
        added_path = 1;
    }
    if (on_path == 0) {
        snprintf(line, sizeof(line), "path\tHKCU\\Environment\\Path\t%s", dir);
        if ((dry || added_path) && ci_receipt_add(&rec, &rlen, line) != 0)
            failed = 1;
    }

    if (dry) {
        printf("install: would write %s (the install receipt)\n"
               "install: dry run: nothing written\n",
               receipt);
    } else {
        char folder[CI_PATH_MAX + 64], *slash;
        size_t hlen;
        const char *head = "# textus-host install receipt v1: `textus-host uninstall` removes "
                           "exactly these\n"
                           "# kind<TAB>path; 'regkey' entries are registry keys it set "
                           "(<TAB>the default value it wrote: removed only while it still "
                           "says so); 'path' the folder it added to the user's PATH "
                           "(<TAB>the folder)\n";
        char *all_text;
        snprintf(folder, sizeof(folder), "%s", receipt);
        slash = strrchr(folder, '\\');
        if (slash) {
            *slash = '\0';
            if (os_access(folder, OS_ACCESS_EXISTS) != 0 && os_mkdir_private(folder) != 0)
                failed = 1;
        }
        hlen = strlen(head);
        all_text = malloc(hlen + rlen + 1);
        if (!all_text) {
            failed = 1;
        } else {
            memcpy(all_text, head, hlen);
            memcpy(all_text + hlen, rec ? rec : "", rlen + 1);
            if (cli_install_write_file(receipt, all_text) != 0) {
                fprintf(stderr, "textus-host install: cannot write the receipt %s: %s\n", receipt,
                        strerror(errno));
                failed = 1;
            } else {
                printf("  wrote %s\n", receipt);
            }
            free(all_text);
        }
    }
    free(rec);
    if (failed)
        return 1;
    if (!dry) {
        char doc[2 * CI_PATH_MAX + 32], unin[2 * CI_PATH_MAX + 32], conf[2 * CI_PATH_MAX + 32];
        term_self_command(doc, sizeof(doc), "doctor");
        term_self_command(unin, sizeof(unin), "uninstall");
        term_self_command(conf, sizeof(conf), "configure");
        printf("install: textus-host is registered; %s checks it, %s removes it. The host's own "
               "settings must allow the extension too (settings.allowed_extension_ids, %s).\n",
               doc, unin, conf);
        if (on_path >= 0)
            ci_new_terminal(exe, added_path);
    }
    return 0;
}
