/*
 * cli_uninstall — `textus-host uninstall`: remove exactly what `textus-host install`
 * recorded in the install receipt on Windows (cli_install.c): each registry key whose default
 * value still names the manifest it wrote (a key another install rewrote since is kept, and
 * said), each file, the folder it added to the user's PATH (that entry alone), then the
 * receipt itself. The executable, the credential store and the
 * send journal are not touched (they are the user's: it says where they are). --dry-run says
 * what the real run would do. The .msi is removed with msiexec /x or Settings > Apps, not
 * here. On Linux and macOS scripts/uninstall.sh does this job: the command says so, exit 2.
 * Exit status: 0 removed (or nothing to remove, or shown); 1 something could not be removed
 * (the receipt is then kept, with what is left); 2 a wrong option or argument, or not Windows.
 * [core]
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "common.h"
#include "os.h"
#include "paths.h"
#include "term.h"

#define CU_PATH_MAX 1024
#define CU_MAX      (64 * 1024)

static void cu_usage(FILE *out, const struct cli_opt *opts)
{
    fprintf(out, "usage: textus-host uninstall [--dry-run]\n"
                 "\n"
                 "Windows, from the zip: removes exactly what `textus-host install` recorded in\n"
                 "its install receipt: the browsers' registry keys (each only while it still\n"
                 "names the manifest install wrote), the manifest beside textus-host.exe and the\n"
                 "folder's entry in your PATH (when install added it), then the receipt. The\n"
                 "executable's folder, your credentials and the send journal are kept (it says\n"
                 "where). The .msi is removed with msiexec /x or Settings > Apps.\n"
                 "Linux and macOS: scripts/uninstall.sh.\n"
                 "\n"
                 "options:\n");
    cli_print_options(out, opts);
    fprintf(out, "\n"
                 "exit status: 0 removed (or nothing to remove, or shown); 1 something could not\n"
                 "be removed (the message says what); 2 a wrong option or argument, or not\n"
                 "Windows.\n");
}

/* Remove one receipt entry: 0 removed or already gone, -1 failed (said on stderr). */
static int cu_entry(char *entry, int dry)
{
    char *kind = entry, *path = strchr(entry, '\t'), *value, now[CU_PATH_MAX + 64];
    enum os_reg_root root;

    if (!path)
        return 0;
    *path++ = '\0';
    if (strcmp(kind, "file") == 0) {
        if (os_access(path, OS_ACCESS_EXISTS) != 0) {
            printf("  %s: already gone\n", path);
        } else if (dry) {
            printf("  would remove %s\n", path);
        } else if (os_unlink(path) != 0) {
            fprintf(stderr, "textus-host uninstall: cannot remove %s: %s\n", path, strerror(errno));
            return -1;
        } else {
            printf("  removed %s\n", path);
        }
        return 0;
    }
    if (strcmp(kind, "path") == 0) { /* path<TAB>HKCU\Environment\Path<TAB>the folder */
        int r;
        value = strchr(path, '\t');
        if (!value || !value[1])
            return 0;
        value++;
        r = os_user_path_has(value);
        if (r == 0 && strchr(value, ';') && !dry)       /* written unquoted by an older install: */
            r = os_user_path_remove(value) > 0 ? 2 : 0; /* its two halves go */
        if (r == 2) {
            printf("  removed %s from your PATH (HKCU\\Environment, Path)\n", value);
        } else if (r == 0) {
            printf("  %s: no longer on your PATH\n", value);
        } else if (r > 0 && dry) {
            printf("  would remove %s from your PATH (HKCU\\Environment, Path)\n", value);
        } else if (r < 0 || os_user_path_remove(value) < 0) {
            fprintf(stderr, "textus-host uninstall: cannot remove %s from your PATH: %s\n", value,
                    strerror(errno));
            return -1;
        } else {
            printf("  removed %s from your PATH (HKCU\\Environment, Path)\n", value);
        }
        return 0;
    }
    if (strcmp(kind, "regkey") != 0) {
        printf("  %s %s: not an entry this version removes (kept)\n", kind, path);
        return 0;
    }
    value = strchr(path, '\t');
    if (value)
        *value++ = '\0';
    if (strncmp(path, "HKCU\\", 5) == 0)
        root = OS_REG_USER;
    else if (strncmp(path, "HKLM\\", 5) == 0)
        root = OS_REG_MACHINE;
    else
        return 0;
    if (os_reg_get_default(now, sizeof(now), root, OS_REG_VIEW_DEFAULT, path + 5) != 0) {
        if (errno == ENOENT) {
            printf("  %s: already gone\n", path);
            return 0;
        }
        fprintf(stderr, "textus-host uninstall: cannot read %s: %s\n", path, strerror(errno));
        return -1;
    }
    if (value && strcmp(now, value) != 0) {
        printf("  %s: kept (it now names %s, not the manifest install wrote)\n", path, now);
        return 0;
    }
    if (dry) {
        printf("  would remove %s\n", path);
    } else if (os_reg_delete(root, path + 5) != 0 && errno != ENOENT) {
        fprintf(stderr, "textus-host uninstall: cannot remove %s: %s\n", path, strerror(errno));
        return -1;
    } else {
        printf("  removed %s\n", path);
    }
    return 0;
}

int cli_cmd_uninstall(int argc, char **argv)
{
    int code;
    char receipt[CU_PATH_MAX + 64], *text = NULL, *line, *nl, *left = NULL;
    size_t left_len = 0;
    int dry = 0, failed = 0;
    const struct cli_opt opts[] = {
        CLI_OPT_BOOL("--dry-run", 'n', "say what it would remove, remove nothing", &dry),
        CLI_OPT_END};

    if (!cli_parse(&code, "uninstall", opts, cu_usage, argc, argv, 0, NULL))
        return code; /* 0 after --help, 2 after the usage error (printed) */
    if (!cli_install_is_windows()) {
        fprintf(stderr,
                "textus-host uninstall: this command uninstalls on Windows; on %s, "
                "scripts/uninstall.sh removes what scripts/install.sh installed\n",
                os_name());
        return 2;
    }
    if (cli_install_receipt_path(receipt, sizeof(receipt)) != 0) {
        fprintf(stderr, "textus-host uninstall: cannot find the state folder\n");
        return 1;
    }
    if (cli_install_read_file(receipt, &text, CU_MAX) != 0) {
        if (errno == ENOENT) {
            printf("uninstall: nothing to remove (no install receipt at %s)\n", receipt);
            return 0;
        }
        fprintf(stderr, "textus-host uninstall: cannot read %s: %s\n", receipt, strerror(errno));
        return 1;
    }
    for (line = text; *line; line = nl + 1) {
        char copy[3 * CU_PATH_MAX];
        nl = strchr(line, '\n');
        if (nl)
            *nl = '\0';
        if (*line && *line != '#') {
            snprintf(copy, sizeof(copy), "%s", line);
            if (cu_entry(copy, dry) != 0) {
                /* what could not be removed stays in the receipt */
                size_t n = strlen(line);
                char *p = realloc(left, left_len + n + 2);
                if (p) {
                    left = p;
                    memcpy(left + left_len, line, n);
                    left[left_len + n] = '\n';
                    left[left_len + n + 1] = '\0';
                    left_len += n + 1;
                }
                failed = 1;
            }
        }
        if (!nl)
            break;
    }
    free(text);
    if (dry) {
        printf("  would remove %s (the install receipt)\nuninstall: dry run: nothing removed\n",
               receipt);
    } else if (failed) {
        if (left && cli_install_write_file(receipt, left) == 0)
            fprintf(stderr, "textus-host uninstall: what is left is still listed in %s\n", receipt);
    } else if (os_unlink(receipt) != 0) {
        fprintf(stderr, "textus-host uninstall: cannot remove %s: %s\n", receipt, strerror(errno));
        failed = 1;
    } else {
        char *sep = strrchr(receipt, '\\');
        printf("  removed %s\n", receipt);
        if (sep)
            *sep = '\0';
        struct paths *p = malloc(sizeof(*p)); /* PATHS_MAX-sized members: off the stack */
        struct err e;
        if (p && paths_resolve(p, &e) == 0 && strcmp(p->data_dir, p->config_dir) != 0)
            /* the credentials in one folder, the key and the send journal in the other */
            printf("uninstall: done. textus-host.exe, your credentials and the send journal are "
                   "kept: delete the program's folder, %s and %s to remove them too.\n",
                   p->config_dir, p->data_dir);
        else
            printf("uninstall: done. textus-host.exe, your credentials and the send journal are "
                   "kept: delete the program's folder and %s to remove them too.\n",
                   p ? p->config_dir : receipt);
        free(p);
    }
    free(left);
    return failed ? 1 : 0;
}
