/*
 * cli_configure — `textus-host configure [--no-verify] [--save-anyway]`.
 * Reads a JSON configure document (config.h) from stdin when stdin is not a
 * terminal, or asks on the terminal (secrets without echo); merges it in
 * memory, verifies it online (verify.h: a checklist, one line per check, each
 * failure with its fix), saves it only when no check failed or with
 * --save-anyway (--no-verify: saves without contacting anything), and prints
 * the masked summary. Exit 0 saved and verified; 1 a check failed (saved only
 * with --save-anyway) or an error; 2 usage. Secrets are never taken from the
 * command line (ps and shell history would keep them). ENGINE module.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <sodium.h>

#include "config.h"
#include "engine_entry.h"
#include "verify.h"

#define CLI_CONFIGURE_MAX_INPUT (1u << 20)
#define CLI_LINE_MAX            4200

/* The checklist, one line per check; each failure followed by its fix. */
static void cli_configure_checklist(const struct verify_report *r)
{
    int i;

    if (r->n == 0)
        return;
    printf("online verification:\n");
    for (i = 0; i < r->n; i++) {
        const struct verify_check *c = &r->checks[i];
        if (c->status == VERIFY_FAIL) {
            printf("  %-9s %s: %s: %s\n", verify_status_word(c->status), c->check,
                   err_code_name(c->code), c->message);
            printf("  %-9s fix: %s\n", "", c->fix);
        } else {
            printf("  %-9s %s: %s\n", verify_status_word(c->status), c->check, c->message);
        }
    }
}

static void cli_configure_usage(FILE *out)
{
    fprintf(out, "usage: textus-host configure [--no-verify] [--save-anyway] < config.json\n"
                 "       textus-host configure            (on a terminal: asks)\n"
                 "\n"
                 "The document: {\"textus\": {\"token\", \"account\", \"base_url\"},\n"
                 "  \"greenhouse\": {\"email\", \"api_key\" | \"client_id\" + \"client_secret\",\n"
                 "                 \"base_url\", \"auth_url\"}, \"settings\": {...}}\n"
                 "It is merged into the current configuration (null removes a member),\n"
                 "verified online, and saved only when every check passed\n"
                 "(--save-anyway saves regardless; --no-verify skips the checks).\n"
                 "Secrets are never accepted as command-line arguments.\n");
}

/* Does an argument look like an attempt to pass a value on the command line? */
static int cli_configure_secretish(const char *arg)
{
    static const char *const words[] = {"token",  "key",    "secret", "password",
                                        "passwd", "client", "email",  "account",
                                        "auth",   "api",    "bearer", NULL};
    char low[64];
    size_t i, n = strlen(arg);

    if (arg[0] != '-' || strchr(arg, '='))
        return 1;
    if (n >= sizeof(low))
        n = sizeof(low) - 1;
    for (i = 0; i < n; i++)
        low[i] = (char)tolower((unsigned char)arg[i]);
    low[n] = '\0';
    for (i = 0; words[i]; i++) {
        if (strstr(low, words[i]))
            return 1;
    }
    return 0;
}

/* Read all of stdin into a sodium buffer (NUL-terminated). */
static char *cli_configure_read_stdin(size_t *len_out)
{
    char *buf = sodium_malloc(CLI_CONFIGURE_MAX_INPUT + 1);
    size_t len = 0;

    if (!buf)
        return NULL;
    for (;;) {
        ssize_t r = read(STDIN_FILENO, buf + len, CLI_CONFIGURE_MAX_INPUT - len);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            sodium_free(buf);
            return NULL;
        }
        if (r == 0)
            break;
        len += (size_t)r;
        if (len == CLI_CONFIGURE_MAX_INPUT) {
            sodium_free(buf);
            errno = EFBIG;
            return NULL;
        }
    }
    buf[len] = '\0';
    *len_out = len;
    return buf;
}

/* Ask one question on the terminal; the answer goes to buf (sodium memory). 0 on success. */
static int cli_configure_ask(const char *question, const char *current, int secret, char *buf,
                             size_t bufsz)
{
    struct termios old, quiet;
    int restore = 0;
    size_t n = 0;
    int c;

    /* echo goes off before the prompt shows, so nothing typed after it can echo */
    if (secret && tcgetattr(STDIN_FILENO, &old) == 0) {
        quiet = old;
        quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
        quiet.c_lflag |= ICANON;
        if (tcsetattr(STDIN_FILENO, TCSADRAIN, &quiet) == 0)
            restore = 1;
    }
    if (current)
        printf("%s [%s; Enter keeps it]: ", question, current);
    else
        printf("%s: ", question);
    fflush(stdout);
    for (;;) {
        char ch;
        ssize_t r = read(STDIN_FILENO, &ch, 1);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            c = EOF;
            break;
        }
        c = (unsigned char)ch;
        if (c == '\n')
            break;
        if (n + 1 < bufsz)
            buf[n++] = (char)c;
    }
    buf[n] = '\0';
    sodium_memzero(&c, sizeof(c));
    if (restore) {
        tcsetattr(STDIN_FILENO, TCSADRAIN, &old);
        printf("\n");
    }
    /* trim surrounding white space */
    while (n > 0 && isspace((unsigned char)buf[n - 1]))
        buf[--n] = '\0';
    if (n > 0 && isspace((unsigned char)buf[0])) {
        size_t skip = 0;
        while (isspace((unsigned char)buf[skip]))
            skip++;
        memmove(buf, buf + skip, n - skip + 1);
    }
    return c == EOF && n == 0 ? -1 : 0;
}

static int cli_configure_put(cJSON *patch, const char *section, const char *name, const char *value)
{
    cJSON *sec = cJSON_GetObjectItemCaseSensitive(patch, section);

    if (!value || !*value)
        return 0;
    if (!sec)
        sec = cJSON_AddObjectToObject(patch, section);
    return sec && cJSON_AddStringToObject(sec, name, value) ? 0 : -1;
}

/* Ask on the terminal; returns the patch (NULL on EOF or out of memory). */
static cJSON *cli_configure_interactive(void)
{
    struct store *cur = NULL;
    struct err e;
    char *line = sodium_malloc(CLI_LINE_MAX);
    char mask[16];
    cJSON *patch = cJSON_CreateObject();
    const char *v;
    int v3;

    if (!line || !patch)
        goto fail;
    err_clear(&e);
    if (store_load(&cur, &e) != 0 && e.code != ERR_NOT_CONFIGURED) {
        fprintf(stderr, "textus-host: %s: %s\n", err_code_name(e.code), e.message);
        goto fail;
    }
    printf("Configure textus-host (Enter keeps the current value).\n");
#define ASK_SECRET(q, getter, sec, name)                                                           \
    do {                                                                                           \
        v = cur ? getter(cur) : NULL;                                                              \
        if (v)                                                                                     \
            config_mask(mask, sizeof(mask), v);                                                    \
        if (cli_configure_ask(q, v ? mask : NULL, 1, line, CLI_LINE_MAX) != 0 ||                   \
            cli_configure_put(patch, sec, name, line) != 0)                                        \
            goto fail;                                                                             \
    } while (0)
#define ASK_PLAIN(q, getter, sec, name)                                                            \
    do {                                                                                           \
        v = cur ? getter(cur) : NULL;                                                              \
        if (cli_configure_ask(q, v, 0, line, CLI_LINE_MAX) != 0 ||                                 \
            cli_configure_put(patch, sec, name, line) != 0)                                        \
            goto fail;                                                                             \
    } while (0)
    ASK_SECRET("TextUs API token (not shown)", store_textus_token, "textus", "token");
    ASK_PLAIN("TextUs account slug", store_textus_account, "textus", "account");
    ASK_PLAIN("Greenhouse sign-in email", store_gh_email, "greenhouse", "email");
    v3 = !cur || store_gh_generation(cur) != 1;
    if (cli_configure_ask("Harvest API: v3 (OAuth client credentials) or v1 (API key, removal "
                          "scheduled 2026-08-31)",
                          v3 ? "v3" : "v1", 0, line, CLI_LINE_MAX) != 0)
        goto fail;
    if (strcmp(line, "v1") == 0 || strcmp(line, "1") == 0)
        v3 = 0;
    else if (strcmp(line, "v3") == 0 || strcmp(line, "3") == 0)
        v3 = 1;
    if (v3) {
        ASK_PLAIN("Harvest v3 client id", store_gh_client_id, "greenhouse", "client_id");
        ASK_SECRET("Harvest v3 client secret (not shown)", store_gh_client_secret, "greenhouse",
                   "client_secret");
    } else {
        ASK_SECRET("Harvest v1 API key (not shown)", store_gh_api_key, "greenhouse", "api_key");
    }
#undef ASK_SECRET
#undef ASK_PLAIN
    sodium_free(line);
    store_free(cur);
    return patch;
fail:
    if (line)
        sodium_free(line);
    store_free(cur);
    if (patch) {
        store_json_wipe(patch);
        cJSON_Delete(patch);
    }
    return NULL;
}

int cli_cmd_configure(int argc, char **argv)
{
    int no_verify = 0, save_anyway = 0, i, rc = 1;
    struct verify_report *report = NULL;
    char *text = NULL;
    size_t len = 0;
    cJSON *patch = NULL, *st;
    struct store *s = NULL;
    struct err e;

    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--no-verify") == 0) {
            no_verify = 1;
        } else if (strcmp(argv[i], "--save-anyway") == 0) {
            save_anyway = 1;
        } else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            cli_configure_usage(stdout);
            return 0;
        } else if (cli_configure_secretish(argv[i])) {
            /* never echo the argument: it may be the secret */
            fprintf(stderr,
                    "textus-host configure: secrets and other values are never accepted as "
                    "command-line arguments (they would stay visible in the process list and "
                    "shell history); pipe a JSON document on stdin, or run the command on a "
                    "terminal to be asked\n");
            return 2;
        } else {
            fprintf(stderr, "textus-host configure: unknown option\n");
            cli_configure_usage(stderr);
            return 2;
        }
    }
    if (sodium_init() < 0) {
        fprintf(stderr, "textus-host: internal: libsodium could not be initialised\n");
        return 1;
    }
    err_clear(&e);
    if (isatty(STDIN_FILENO)) {
        patch = cli_configure_interactive();
        if (!patch) {
            fprintf(stderr, "textus-host configure: nothing was saved\n");
            return 1;
        }
    } else {
        text = cli_configure_read_stdin(&len);
        if (!text) {
            fprintf(stderr, "textus-host: invalid_config: cannot read the document on stdin: %s\n",
                    strerror(errno));
            return 1;
        }
        patch = cJSON_ParseWithLength(text, len);
        sodium_free(text);
        if (!patch || !cJSON_IsObject(patch)) {
            fprintf(stderr, "textus-host: invalid_config: stdin must hold one JSON object (the "
                            "configure document); nothing was saved\n");
            goto out;
        }
    }
    if (no_verify) {
        if (config_apply(patch, 0, &s, &e) != 0)
            goto fail;
        printf("saved.\n");
        printf("online verification: skipped (--no-verify)\n");
        rc = 0;
    } else {
        report = sodium_malloc(sizeof(*report));
        if (!report) {
            err_set(&e, ERR_INTERNAL, "out of memory");
            goto fail;
        }
        printf("verifying online...\n");
        fflush(stdout);
        if (verify_configure(patch, 0, save_anyway, report, &s, &e) != 0) {
            cli_configure_checklist(report);
            goto fail;
        }
        cli_configure_checklist(report);
        if (!report->saved) {
            fprintf(stderr,
                    "textus-host configure: %d check(s) failed; nothing was saved (fix them and "
                    "run configure again, or add --save-anyway to keep the values regardless)\n",
                    report->failed);
            goto out;
        }
        if (report->failed > 0) {
            printf("saved anyway (--save-anyway), although %d check(s) failed.\n", report->failed);
            fprintf(stderr, "textus-host configure: saved, but %d check(s) failed\n",
                    report->failed);
        } else {
            printf("saved.\n");
            rc = 0;
        }
    }
    st = config_status(s, NULL);
    if (st) {
        cli_status_print(st);
        cJSON_Delete(st);
    }
    goto out;
fail:
    fprintf(stderr, "textus-host: %s: %s\n", err_code_name(e.code), e.message);
    fprintf(stderr, "textus-host configure: nothing was saved\n");
out:
    if (report)
        sodium_free(report);
    store_free(s);
    if (patch) {
        store_json_wipe(patch);
        cJSON_Delete(patch);
    }
    return rc;
}
