/*
 * unported — what the Windows build has instead of the two core files that do not compile
 * there yet (cmake/windows/CMakeLists.txt): cli_doctor.c (open_memstream, lstat, fchmod)
 * and quiet.c (tm_gmtoff, setenv). Nothing in the engine-less Windows executable calls
 * quiet_*; `textus-host doctor` runs doctor.c's installation checks only (below). Both go
 * away when the files move onto host/os.h (issue P, wave 2).
 */
#include <stdio.h>
#include <string.h>

#include "doctor.h"
#include "protocol.h"

/*
 * `textus-host doctor` on Windows until cli_doctor.c is ported: the installation checks of
 * doctor.c (the registry keys, each manifest, a real ping as each allowed extension id) and
 * the extension-id check, printed one finding a line (--json: the same document as
 * cli_doctor.c's, without the configuration checks, which need the engine). Exit 0 no
 * failure, 1 a failure, 2 a wrong option.
 */
int cli_cmd_doctor(int argc, char **argv)
{
    struct doctor d;
    int i, json = 0, rc;
    const cJSON *c;

    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0) {
            json = 1;
        } else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            printf("usage: textus-host doctor [--json]\n"
                   "\n"
                   "Windows: checks the installation: the browsers' registry keys (HKCU, then\n"
                   "HKLM; 32-bit view, then 64-bit), the manifest each names, and a real ping of\n"
                   "the host as each extension the manifest allows. Every fix it prints is a\n"
                   "PowerShell command. (The configuration checks need the engine: not in this\n"
                   "Windows build yet.)\n"
                   "\n"
                   "exit status: 0 no failure; 1 a check failed; 2 a wrong option.\n");
            return 0;
        } else {
            fprintf(stderr,
                    "textus-host doctor: unknown option '%.64s' (this Windows build "
                    "takes --json and --help)\n",
                    argv[i]);
            return 2;
        }
    }
    if (doctor_init(&d) != 0) {
        fprintf(stderr, "textus-host doctor: out of memory\n");
        return 1;
    }
    d.ping_timeout_ms = 10000;
#ifdef PROTO_STUB_EXTENSION_ID
    d.ids[d.n_ids++] = PROTO_STUB_EXTENSION_ID;
#endif
    doctor_check_install(&d);
    doctor_check_extension_ids(&d);
    if (json) {
        cJSON *doc = cJSON_CreateObject();
        char *s;
        cJSON_AddStringToObject(doc, "version", TH_VERSION);
        cJSON_AddBoolToObject(doc, "ok", d.fails == 0);
        cJSON_AddNumberToObject(doc, "failures", d.fails);
        cJSON_AddNumberToObject(doc, "warnings", d.warns);
        cJSON_AddItemReferenceToObject(doc, "checks", d.checks);
        s = cJSON_Print(doc);
        if (s)
            printf("%s\n", s);
        cJSON_free(s);
        cJSON_Delete(doc);
    } else {
        cJSON_ArrayForEach(c, d.checks)
        {
            const char *fix = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(c, "fix"));
            printf("%-5s %s: %s\n",
                   cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(c, "status")),
                   cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(c, "subject")),
                   cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(c, "message")));
            if (fix)
                printf("      fix: %s\n", fix);
        }
        printf("%d failure(s), %d warning(s)\n", d.fails, d.warns);
    }
    rc = d.fails ? 1 : 0;
    doctor_free(&d);
    return rc;
}

/*
 * allowlist.c's stand-in (issue P, transitional, until allowlist.c moves onto os.h): no
 * settings file is read, as if none existed: the caller check accepts the development
 * stub's id only (a production build: none), and a change of settings is never seen.
 */
#include <string.h>

#include "allowlist.h"

int allowlist_read(struct allowlist *out, struct err *e)
{
    (void)e;
    memset(out, 0, sizeof(*out));
    return 0;
}

int allowlist_has(const struct allowlist *a, const char *ext_id)
{
    size_t i;

    for (i = 0; i < a->n; i++)
        if (strcmp(a->ids[i], ext_id) == 0)
            return 1;
    return 0;
}

void allowlist_stamp(struct allowlist_stamp *out)
{
    memset(out, 0, sizeof(*out));
}

int allowlist_stamp_same(const struct allowlist_stamp *a, const struct allowlist_stamp *b)
{
    return a->exists == b->exists;
}
