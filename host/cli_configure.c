/*
 * cli_configure — `textus-host configure [--no-verify] [--save-anyway]`.
 * Reads a JSON configure document (config.h) from stdin when stdin is not a
 * terminal, or asks on the terminal (secrets without echo, each answer
 * checked as it is given, an unrecognised one asked again); merges it in
 * memory, verifies it online (verify.h: each service's step shown as it
 * starts and ends, one line per check, each failure with its fix), saves it
 * only when no check failed or with --save-anyway (--no-verify: saves without
 * contacting anything), then says what changed and what to do next. On a
 * terminal, a failed check offers to ask again only the questions behind it,
 * keeping every other answer (secrets included) in guarded memory, wiped at
 * the end. A state folder that cannot be written is reported before any
 * question. Exit 0 saved and verified (or nothing changed and the stored
 * configuration passed its checks); 1 a check failed (saved only with
 * --save-anyway), nothing was configured on a fresh install, or the store
 * cannot be read or written; 2 the input is wrong, found before anything is
 * contacted or saved: an unknown option, a value on the command line, stdin
 * that is not one JSON object, a member that was not understood (an unknown
 * member, Harvest v1 over stored v3 without "harvest": "v1"), or a value of
 * the wrong shape (config_check_values, or the merge with what is stored).
 * The checklist's header is printed when the first check starts. Secrets are
 * never taken from the command line (ps and shell history would keep them).
 * [engine]
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "cli.h"
#include "config.h"
#include "engine_entry.h"
#include "hints.h"
#include "os.h"
#include "paths.h"
#include "term.h"
#include "verify.h"

#define CLI_CONFIGURE_MAX_INPUT (1u << 20)
#define CLI_LINE_MAX            4200
#define CLI_MARK_WIDTH          11

/* ---- printing the verification ------------------------------------------------- */

static enum term_mark cli_configure_mark(enum verify_status st)
{
    return st == VERIFY_OK     ? TERM_OK
           : st == VERIFY_FAIL ? TERM_FAIL
           : st == VERIFY_WARN ? TERM_WARN
                               : TERM_UNCHECKED;
}

/* One check: "  ok          TextUs token: accepted by TextUs"; a failure is followed by its fix. */
static void cli_configure_check_line(const struct verify_check *c)
{
    printf("  ");
    term_print_mark(stdout, cli_configure_mark(c->status), CLI_MARK_WIDTH);
    if (c->status == VERIFY_FAIL) {
        printf(" %s: %s: %s\n", c->check, err_code_name(c->code), c->message);
        printf("  %-*s fix: %s\n", CLI_MARK_WIDTH, "", c->fix);
    } else if (c->status == VERIFY_WARN && c->fix[0]) {
        printf(" %s: %s\n", c->check, c->message);
        printf("  %-*s fix: %s\n", CLI_MARK_WIDTH, "", c->fix);
    } else {
        printf(" %s: %s\n", c->check, c->message);
    }
}

/* The checklist's header, printed when the first check starts (never before: a document
 * refused before any check has no checklist). */
struct cli_configure_header {
    const char *text;
    int shown;
};

static void cli_configure_header(void *ctx)
{
    struct cli_configure_header *h = ctx;

    if (h && !h->shown) {
        printf("%s\n", h->text);
        h->shown = 1;
    }
}

static void cli_configure_step_begin(void *ctx, const struct verify_step *st)
{
    char what[800];

    cli_configure_header(ctx);
    snprintf(what, sizeof(what), "%s at %s: %s", st->service, st->host, st->what);
    term_step_begin(stdout, what);
}

static void cli_configure_step_end(void *ctx, const struct verify_step *st,
                                   const struct verify_report *r)
{
    int i;

    cli_configure_header(ctx);
    if (st->online)
        term_step_end(stdout);
    for (i = st->first; i < st->first + st->count && i < r->n; i++)
        cli_configure_check_line(&r->checks[i]);
    fflush(stdout);
}

/* The document's keys as the questions on a terminal name them: a person who was asked never
 * reads a key. */
static const struct {
    const char *field, *label;
} cli_configure_labels[] = {
    {"textus.token", "TextUs API token"},
    {"textus.account", "TextUs account slug"},
    {"greenhouse.email", "Greenhouse sign-in email"},
    {"greenhouse.harvest", "Harvest API"},
    {"greenhouse.client_id", "Harvest v3 client id"},
    {"greenhouse.client_secret", "Harvest v3 client secret"},
    {"greenhouse.api_key", "Harvest v1 API key"},
};

/* The question's words for the key that text starts with (then *keylen is its length), or
 * NULL. */
static const char *cli_configure_label(const char *text, size_t *keylen)
{
    size_t i, n;

    for (i = 0; i < TH_ARRAY_SIZE(cli_configure_labels); i++) {
        n = strlen(cli_configure_labels[i].field);
        if (strncmp(text, cli_configure_labels[i].field, n) == 0 &&
            (text[n] == '\0' || text[n] == ' ')) {
            *keylen = n;
            return cli_configure_labels[i].label;
        }
    }
    return NULL;
}

/* A value of the list of changes, for a person. */
static void cli_configure_value(char *out, size_t outsz, const char *field, const cJSON *v)
{
    char *t;

    if (strcmp(field, "greenhouse.harvest") == 0 && cJSON_IsString(v)) {
        snprintf(out, outsz, "%s",
                 strcmp(v->valuestring, "v3") == 0 ? "v3 (OAuth client credentials)"
                                                   : "v1 (API key; Greenhouse announced its "
                                                     "removal for 2026-08-31, which has passed)");
        return;
    }
    if (cJSON_IsString(v)) {
        snprintf(out, outsz, "%s", v->valuestring);
        return;
    }
    t = cJSON_PrintUnformatted(v);
    snprintf(out, outsz, "%s", t ? t : "?");
    free(t);
}

/* What the save changed, one line each (secrets masked), or "nothing changed". */
static void cli_configure_changes(const cJSON *changes, int asked)
{
    const cJSON *c;

    if (!cJSON_IsArray(changes) || cJSON_GetArraySize(changes) == 0) {
        printf("nothing changed.\n");
        return;
    }
    printf("what changed:\n");
    cJSON_ArrayForEach(c, changes)
    {
        const cJSON *f = cJSON_GetObjectItemCaseSensitive(c, "field");
        const cJSON *kind = cJSON_GetObjectItemCaseSensitive(c, "change");
        const char *field = cJSON_IsString(f) ? f->valuestring : "?";
        const char *shown = field;
        char now[600], was[600];
        size_t klen;
        cli_configure_value(now, sizeof(now), field, cJSON_GetObjectItemCaseSensitive(c, "value"));
        cli_configure_value(was, sizeof(was), field, cJSON_GetObjectItemCaseSensitive(c, "was"));
        if (asked && cli_configure_label(field, &klen) && !field[klen])
            shown = cli_configure_label(field, &klen);
        if (cJSON_IsString(kind) && strcmp(kind->valuestring, "set") == 0)
            printf("  %-34s set: %s\n", shown, now);
        else if (cJSON_IsString(kind) && strcmp(kind->valuestring, "removed") == 0)
            printf("  %-34s removed (was %s)\n", shown, was);
        else
            printf("  %-34s changed: %s (was %s)\n", shown, now, was);
    }
}

/* The one line on what to do next. */
static void cli_configure_next(const struct store *s, int failed)
{
    const char *missing[4];
    char self[PATHS_MAX + 32];
    int n = 0, i;

    if (failed) {
        term_self_command(self, sizeof(self), "configure");
        printf("Next: fix the failed checks above (each has its fix), then run `%s` again.\n",
               self);
        return;
    }
    if (!s || !store_textus_token(s))
        missing[n++] = "the TextUs token";
    if (!s || !store_textus_account(s))
        missing[n++] = "the TextUs account";
    if (!s || !store_gh_email(s))
        missing[n++] = "your Greenhouse sign-in email";
    if (!s || store_gh_generation(s) == 0)
        missing[n++] = "the Harvest credentials";
    if (n == 0) {
        term_self_command(self, sizeof(self), "doctor");
        printf("Next: run `%s` to check the browsers and this setup end to end, then open a "
               "candidate's profile in Greenhouse.\n",
               self);
        return;
    }
    printf("Next: still missing ");
    for (i = 0; i < n; i++)
        printf("%s%s", i == 0 ? "" : i == n - 1 ? " and " : ", ", missing[i]);
    term_self_command(self, sizeof(self), "configure");
    printf(": run `%s` again to add %s.\n", self, n == 1 ? "it" : "them");
}

static void cli_configure_usage(FILE *out, const struct cli_opt *opts)
{
    char hint[256];

    term_stdin_hint(hint, sizeof(hint), "textus-host configure < config.json");
    fprintf(
        out,
        "usage: textus-host configure [--no-verify] [--save-anyway] < config.json\n"
        "       textus-host configure            (on a terminal: asks)\n"
        "%s"
        "\n"
        "On a terminal it asks for the TextUs API token (" TH_HINT_TEXTUS_TOKEN "),\n"
        "the TextUs account slug, your Greenhouse sign-in email and the Harvest\n"
        "credentials (v3 client id + secret; or a v1 API key), secrets without echo.\n"
        "When a check fails it offers to ask again only what the failure concerns.\n"
        "\n"
        "The document (every member optional; any other member is refused):\n"
        "  {\"textus\": {\"token\", \"account\", \"base_url\"},\n"
        "   \"greenhouse\": {\"email\", \"client_id\" + \"client_secret\" | \"api_key\",\n"
        "                  \"harvest\": \"v3\" | \"v1\", \"base_url\", \"auth_url\"},\n"
        "   \"settings\": {\"quiet_hours\", \"note_enabled\", \"note_visibility\",\n"
        "                \"allowed_extension_ids\", \"allow_no_origin\", \"inbound_cap\",\n"
        "                \"ca_file\", \"connect_timeout_ms\", \"timeout_ms\", \"segment_limit\"}}\n"
        "It is merged into the current configuration (null removes a member).\n"
        "  settings.quiet_hours   when texts may go out, in the candidate's time:\n"
        "                         \"HH:MM-HH:MM\" (default \"08:00-21:00\") or \"off\"\n"
        "  settings.allowed_extension_ids   extension ids besides the stub's that may use\n"
        "                         the host; the list given replaces the stored one, so\n"
        "                         list every id to keep (textus-host status shows them).\n"
        "                         Kept with allow_no_origin in settings.json beside the\n"
        "                         store (no secret): the caller check decrypts nothing\n"
        "(settings.note_retry_base_ms is for the tests only: the first wait before a\n"
        "failed note is tried again.)\n"
        "Going back from stored Harvest v3 client credentials to a v1 api_key (Greenhouse\n"
        "announced v1's removal for 2026-08-31, which has passed) needs \"harvest\": \"v1\"\n"
        "in \"greenhouse\".\n"
        "\n"
        "options:\n",
        hint);
    cli_print_options(out, opts);
    fprintf(out, "\n"

                 "Exit status: 0 saved and every check passed (or nothing changed and the stored\n"
                 "configuration passed); 1 a check failed (nothing saved unless --save-anyway),\n"
                 "nothing configured on a fresh install, or the store cannot be read or written;\n"
                 "2 the input is wrong and nothing was contacted or saved: an unknown option, a\n"
                 "value on the command line, stdin that is not one JSON object, a member that\n"
                 "was not understood, or a value of the wrong shape.\n"
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
        long r = os_read(0, buf + len, CLI_CONFIGURE_MAX_INPUT - len);
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

/* ---- before anything is asked -------------------------------------------------- */

/* The folder dir, or the nearest existing folder above it, can be written; else which, and why. */
static int cli_configure_writable(const char *dir, char *which, size_t whichsz, const char **why)
{
    char *slash;

    snprintf(which, whichsz, "%s", dir);
    while (os_access(which, OS_ACCESS_EXISTS) != 0) {
        slash = (char *)os_path_last_sep(which);
        if (!slash)
            return 0; /* a relative path: paths_resolve refuses those */
        if (slash == which) {
            which[1] = '\0';
            break;
        }
        *slash = '\0';
    }
    if (os_access(which, OS_ACCESS_WRITE_DIR) == 0)
        return 0;
    *why = strerror(errno);
    return -1;
}

/* Can the store be written at all? Checked before the first question. */
static int cli_configure_preflight(void)
{
    struct paths p;
    struct err e;
    char which[PATHS_MAX], why_perm[160], fix[PATHS_MAX + 256];
    const char *why = "";

    err_clear(&e);
    if (paths_resolve(&p, &e) != 0) {
        fprintf(stderr, "textus-host configure: %s: %s\n", err_code_name(e.code), e.message);
        return -1;
    }
    if (cli_configure_writable(p.config_dir, which, sizeof(which), &why) == 0 &&
        cli_configure_writable(p.data_dir, which, sizeof(which), &why) == 0)
        return 0;
    /* the platform's own fix (chmod on POSIX, icacls in PowerShell on Windows) */
    os_perm_text(why_perm, sizeof(why_perm), fix, sizeof(fix), OS_PERM_UNREADABLE, NULL, which, 1);
    fprintf(stderr,
            "textus-host configure: store_io: the state folder %s cannot be written (%s), so "
            "nothing could be saved: give yourself write access to it (%s) or set "
            "TEXTUS_HOST_HOME to a folder you can write; nothing was asked and nothing was "
            "saved\n",
            which, why, fix);
    return -1;
}

/* No member with a value at all (an empty document, or empty sections). */
static int cli_configure_patch_empty(const cJSON *patch)
{
    const cJSON *sec;

    cJSON_ArrayForEach(sec, patch)
    {
        if (!cJSON_IsObject(sec) || sec->child)
            return 0;
    }
    return 1;
}

/* ---- one pass: verify (or not), save, report ------------------------------------ */

struct cli_configure_opts {
    int no_verify;
    int save_anyway;
    int asked; /* the values were typed on a terminal: VERIFY_ASKED, the questions' words */
};

/*
 * Check, verify and save one document; print what happened. Returns the exit
 * status; *retry (may be NULL) is set to 1 when checks failed and nothing was
 * saved (the interactive session may then fix the answers).
 */
static int cli_configure_once(const struct cli_configure_opts *o, const cJSON *patch,
                              const struct store *cur, struct verify_report *report, int *retry)
{
    struct store *s = NULL;
    struct err e;
    int rc = 1, empty = cli_configure_patch_empty(patch);
    struct cli_configure_header header = {NULL, 0};
    const struct verify_progress progress = {cli_configure_step_begin, cli_configure_step_end,
                                             &header};

    if (retry)
        *retry = 0;
    err_clear(&e);
    /* what the document says and each value's shape, before anything is contacted or
     * saved: a document that is not understood or a value of the wrong shape is the input's
     * fault (exit 2), whatever the services would say */
    if (config_check_document(patch, 0, cur ? store_gh_generation(cur) : 0, &e) != 0 ||
        config_check_values(patch, &e) != 0) {
        /* said once: some messages already end with it */
        fprintf(stderr, "textus-host configure: %s: %s%s\n", err_code_name(e.code), e.message,
                strstr(e.message, "nothing was saved") ? "" : "; nothing was saved");
        return e.code == ERR_INVALID_CONFIG ? 2 : 1;
    }
    if (empty && !cur) {
        fprintf(stderr, "textus-host configure: nothing configured: no value was given, so "
                        "nothing was saved (answer the questions, or pipe a JSON document; see "
                        "textus-host configure --help)\n");
        return 1;
    }
    if (o->no_verify) {
        cJSON *changes = NULL;
        if (empty) {
            printf("nothing changed (no value was given).\nonline verification: skipped "
                   "(--no-verify)\n");
            return 0;
        }
        if (config_apply_ex(patch, 0, NULL, &s, &changes, &e) != 0) {
            if (e.code == ERR_INVALID_CONFIG) /* the document merged with what is stored */
                rc = 2;
            goto fail;
        }
        if (cJSON_GetArraySize(changes) == 0) {
            printf("nothing changed: the stored configuration already holds these values.\n"
                   "online verification: skipped (--no-verify)\n");
        } else {
            printf("saved.\n");
            printf("online verification: skipped (--no-verify)\n");
            cli_configure_changes(changes, o->asked);
        }
        cJSON_Delete(changes);
        cli_configure_next(s, 0);
        store_free(s);
        return 0;
    }
    header.text = empty ? "online verification of the stored configuration (nothing changed):"
                        : "online verification:";
    if (verify_configure(patch, 0,
                         (o->save_anyway ? VERIFY_SAVE_ANYWAY : 0) | (empty ? VERIFY_DRY_RUN : 0) |
                             (o->asked ? VERIFY_ASKED : 0),
                         &progress, report, &s, &e) != 0) {
        /* refused before any check: the merged document itself (exit 2, like a shape) */
        if (e.code == ERR_INVALID_CONFIG && report->n == 0)
            rc = 2;
        goto fail;
    }
    if (empty) {
        if (report->failed > 0) {
            fprintf(stderr,
                    "textus-host configure: %d check(s) of the stored configuration "
                    "failed; nothing was changed\n",
                    report->failed);
            if (retry) /* the session offers to fix them: no "run configure again" */
                *retry = 1;
            else
                cli_configure_next(cur, 1);
        } else {
            printf("nothing changed; the stored configuration passed every check.\n");
            cli_configure_next(cur, 0);
            rc = 0;
        }
        goto out;
    }
    if (!report->saved) {
        if (retry) { /* the session offers to fix them */
            *retry = 1;
            goto out;
        }
        fprintf(stderr,
                "textus-host configure: %d check(s) failed; nothing was saved (fix them and "
                "run configure again, or add --save-anyway to keep the values regardless)\n",
                report->failed);
        goto out;
    }
    if (cJSON_GetArraySize(report->changes) == 0) {
        /* the values given are those stored: "saved." would say something happened */
        if (report->failed > 0)
            fprintf(stderr,
                    "textus-host configure: nothing changed, and %d check(s) of the stored "
                    "configuration failed\n",
                    report->failed);
        else
            printf("nothing changed; the stored configuration passed every check.\n");
        rc = report->failed > 0 ? 1 : 0;
        cli_configure_next(s, report->failed > 0);
        goto out;
    }
    if (report->failed > 0) {
        printf("saved anyway, although %d check(s) failed.\n", report->failed);
        fprintf(stderr, "textus-host configure: saved, but %d check(s) failed\n", report->failed);
    } else {
        printf("saved.\n");
        rc = 0;
    }
    cli_configure_changes(report->changes, o->asked);
    cli_configure_next(s, report->failed > 0);
    goto out;
fail:
    fprintf(stderr, "textus-host configure: %s: %s\n", err_code_name(e.code), e.message);
    fprintf(stderr, "textus-host configure: nothing was saved\n");
out:
    store_free(s);
    return rc;
}

/* ---- asking on a terminal ------------------------------------------------------ */

/* Read one line from the terminal into buf (echo off for secrets). 0, or -1 on EOF. */
static int cli_configure_read_line(int secret, char *buf, size_t bufsz)
{
    int restore = 0, eof = 0;
    size_t n = 0;

    /* echo goes off before the prompt shows, so nothing typed after it can echo */
    if (secret && os_term_echo(0, 0) == 0)
        restore = 1;
    fflush(stdout);
    for (;;) {
        char ch;
        long r = os_read(0, &ch, 1);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            eof = 1;
            break;
        }
        if (ch == '\n')
            break;
        if (n + 1 < bufsz)
            buf[n++] = ch;
        ch = 0;
    }
    buf[n] = '\0';
    if (restore) {
        (void)os_term_echo(0, 1);
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
        sodium_memzero(buf + n - skip + 1, skip);
    }
    return eof && n == 0 ? -1 : 0;
}

enum cli_field {
    CF_TOKEN,
    CF_ACCOUNT,
    CF_EMAIL,
    CF_HARVEST,
    CF_CLIENT_ID,
    CF_CLIENT_SECRET,
    CF_API_KEY,
    CF_N
};

struct cli_question {
    const char *section, *name;
    const char *question;
    int secret; /* read without echo, shown masked */
    int masked; /* shown masked (secrets and the client id, as in `status`) */
};

static const struct cli_question cli_questions[CF_N] = {
    {"textus", "token", "TextUs API token (" TH_HINT_TEXTUS_TOKEN "; not shown)", 1, 1},
    {"textus", "account",
     "TextUs account slug (the part after next.textus.com/ in the address, e.g. "
     "acme-recruiting)",
     0, 0},
    {"greenhouse", "email", "Greenhouse sign-in email", 0, 0},
    {"greenhouse", "harvest",
     "Harvest API: v3 (OAuth client credentials, recommended) or v1 (API key; Greenhouse "
     "announced its removal for 2026-08-31, which has passed)",
     0, 0},
    {"greenhouse", "client_id", "Harvest v3 client id (from your Greenhouse admin)", 0, 1},
    {"greenhouse", "client_secret", "Harvest v3 client secret (not shown)", 1, 1},
    {"greenhouse", "api_key", "Harvest v1 API key (from your Greenhouse admin; not shown)", 1, 1},
};

/* An interactive session: what is stored, and every answer so far (guarded memory). */
struct cli_session {
    const struct store *cur;
    int stored_gen;
    char *ans[CF_N]; /* "" = not answered (keeps what is stored) */
    char *line;
};

static const char *cli_session_stored(const struct cli_session *ss, int f)
{
    if (!ss->cur)
        return NULL;
    switch (f) {
    case CF_TOKEN:
        return store_textus_token(ss->cur);
    case CF_ACCOUNT:
        return store_textus_account(ss->cur);
    case CF_EMAIL:
        return store_gh_email(ss->cur);
    case CF_CLIENT_ID:
        return store_gh_client_id(ss->cur);
    case CF_CLIENT_SECRET:
        return store_gh_client_secret(ss->cur);
    case CF_API_KEY:
        return store_gh_api_key(ss->cur);
    default:
        return NULL;
    }
}

/* The Harvest generation the answers mean: the one chosen, else the stored one, else v3. */
static int cli_session_gen(const struct cli_session *ss)
{
    if (strcmp(ss->ans[CF_HARVEST], "v1") == 0)
        return 1;
    if (strcmp(ss->ans[CF_HARVEST], "v3") == 0)
        return 3;
    return ss->stored_gen == 1 ? 1 : 3;
}

/* A plain answer's shape, checked at once (the message names the problem). */
static int cli_session_valid(int f, const char *value, struct err *e)
{
    const struct cli_question *q = &cli_questions[f];
    cJSON *p, *sec;
    int rc = -1;

    p = cJSON_CreateObject();
    sec = p ? cJSON_AddObjectToObject(p, q->section) : NULL;
    if (!sec || !cJSON_AddStringToObject(sec, q->name, value)) {
        err_set(e, ERR_INTERNAL, "out of memory");
    } else {
        rc = config_check_patch(p, 0, e);
    }
    if (p) {
        store_json_wipe(p);
        cJSON_Delete(p);
    }
    return rc;
}

/*
 * Ask question f until the answer is usable. Enter keeps what is shown in
 * brackets; `required` refuses an empty answer (say why). 0, or -1 on EOF.
 */
static int cli_session_ask(struct cli_session *ss, int f, const char *required)
{
    const struct cli_question *q = &cli_questions[f];
    const char *given = ss->ans[f][0] ? ss->ans[f] : NULL;
    const char *stored = cli_session_stored(ss, f);
    char shown[CLI_LINE_MAX + 64], mask[16];
    struct err e;

    shown[0] = '\0';
    if (f == CF_HARVEST) {
        snprintf(shown, sizeof(shown), "%s", cli_session_gen(ss) == 1 ? "v1" : "v3");
    } else if (given || stored) {
        const char *v = given ? given : stored;
        if (q->masked)
            config_mask(mask, sizeof(mask), v);
        snprintf(shown, sizeof(shown), "%s%s", q->masked ? mask : v, given ? ", as typed" : "");
    }
    for (;;) {
        if (shown[0])
            printf("%s [%s; Enter keeps it]: ", q->question, shown);
        else
            printf("%s: ", q->question);
        if (cli_configure_read_line(q->secret, ss->line, CLI_LINE_MAX) != 0)
            return -1;
        if (!ss->line[0]) {
            if (required && !given) {
                printf("  required: %s\n", required);
                continue;
            }
            if (f == CF_HARVEST && !given)
                snprintf(ss->ans[f], CLI_LINE_MAX, "%s", shown);
            return 0;
        }
        if (f == CF_HARVEST) {
            if (strcasecmp(ss->line, "v3") == 0 || strcmp(ss->line, "3") == 0) {
                snprintf(ss->ans[f], CLI_LINE_MAX, "v3");
            } else if (strcasecmp(ss->line, "v1") == 0 || strcmp(ss->line, "1") == 0) {
                snprintf(ss->ans[f], CLI_LINE_MAX, "v1");
                if (ss->stored_gen == 3)
                    printf(
                        "  note: Greenhouse announced Harvest v1's removal for 2026-08-31, which "
                        "has passed; saving a v1 API key removes the stored v3 client "
                        "credentials.\n");
            } else {
                printf("  please answer v3 or v1 (\"%.40s\" is neither)\n", ss->line);
                continue;
            }
            sodium_memzero(ss->line, CLI_LINE_MAX);
            return 0;
        }
        err_clear(&e);
        if (cli_session_valid(f, ss->line, &e) != 0) {
            /* the message names the field (in the question's words), never the value */
            size_t klen = 0;
            const char *label = cli_configure_label(e.message, &klen);
            if (label)
                printf("  %s:%s; please type it again\n", label, e.message + klen);
            else
                printf("  %s; please type it again\n", e.message);
            sodium_memzero(ss->line, CLI_LINE_MAX);
            continue;
        }
        snprintf(ss->ans[f], CLI_LINE_MAX, "%s", ss->line);
        sodium_memzero(ss->line, CLI_LINE_MAX);
        return 0;
    }
}

/* Ask for the credentials of the generation the answers mean (required when switching). */
static int cli_session_ask_creds(struct cli_session *ss)
{
    int gen = cli_session_gen(ss);
    int switching = ss->stored_gen != 0 && ss->stored_gen != gen;

    if (gen == 1)
        return cli_session_ask(ss, CF_API_KEY,
                               switching ? "the Harvest v1 API key (or answer v3 to keep the "
                                           "client credentials)"
                                         : NULL);
    if (cli_session_ask(ss, CF_CLIENT_ID,
                        switching ? "the Harvest v3 client id (from your Greenhouse admin)"
                                  : NULL) != 0)
        return -1;
    if (ss->stored_gen != 3 && !ss->ans[CF_CLIENT_ID][0])
        return 0; /* no v3 client yet: nothing to pair a secret with */
    return cli_session_ask(ss, CF_CLIENT_SECRET,
                           ss->stored_gen != 3 ? "the client secret goes with the client id"
                                               : NULL);
}

static int cli_session_put(cJSON *patch, int f, const char *value)
{
    const struct cli_question *q = &cli_questions[f];
    cJSON *sec = cJSON_GetObjectItemCaseSensitive(patch, q->section);

    if (!value || !*value)
        return 0;
    if (!sec)
        sec = cJSON_AddObjectToObject(patch, q->section);
    return sec && cJSON_AddStringToObject(sec, q->name, value) ? 0 : -1;
}

/* The configure document the answers make (NULL when out of memory). */
static cJSON *cli_session_patch(const struct cli_session *ss)
{
    cJSON *patch = cJSON_CreateObject();
    int gen = cli_session_gen(ss), ok;

    if (!patch)
        return NULL;
    ok = cli_session_put(patch, CF_TOKEN, ss->ans[CF_TOKEN]) == 0 &&
         cli_session_put(patch, CF_ACCOUNT, ss->ans[CF_ACCOUNT]) == 0 &&
         cli_session_put(patch, CF_EMAIL, ss->ans[CF_EMAIL]) == 0;
    if (ok && gen == 3)
        ok = cli_session_put(patch, CF_CLIENT_ID, ss->ans[CF_CLIENT_ID]) == 0 &&
             cli_session_put(patch, CF_CLIENT_SECRET, ss->ans[CF_CLIENT_SECRET]) == 0;
    else if (ok)
        ok = cli_session_put(patch, CF_API_KEY, ss->ans[CF_API_KEY]) == 0;
    /* a switch chosen on the terminal is explicit: say so in the document */
    if (ok && ss->stored_gen != 0 && gen != ss->stored_gen)
        ok = cli_session_put(patch, CF_HARVEST, gen == 3 ? "v3" : "v1") == 0;
    if (!ok) {
        store_json_wipe(patch);
        cJSON_Delete(patch);
        return NULL;
    }
    return patch;
}

/* Which questions can fix the failed checks (a bit per enum cli_field). */
static unsigned cli_session_fixable(const struct cli_session *ss, const struct verify_report *r)
{
    unsigned m = 0, creds = cli_session_gen(ss) == 3
                                ? (1u << CF_CLIENT_ID) | (1u << CF_CLIENT_SECRET)
                                : 1u << CF_API_KEY;
    int i;

    for (i = 0; i < r->n; i++) {
        const struct verify_check *c = &r->checks[i];
        if (c->status != VERIFY_FAIL)
            continue;
        if (c->code == ERR_UPSTREAM_UNAVAILABLE || c->code == ERR_RATE_LIMITED ||
            c->code == ERR_UPSTREAM_INVALID)
            continue; /* the service, not an answer */
        if (strcmp(c->check, "TextUs token") == 0)
            m |= 1u << CF_TOKEN;
        else if (strcmp(c->check, "TextUs account") == 0)
            m |= 1u << CF_ACCOUNT;
        else if (strcmp(c->check, "Greenhouse user") == 0)
            m |= 1u << CF_EMAIL;
        else if (strcmp(c->check, "Harvest v1 retirement") == 0)
            m |= (1u << CF_HARVEST) | (1u << CF_CLIENT_ID) | (1u << CF_CLIENT_SECRET);
        else
            m |= creds; /* the credentials, or a permission they lack */
    }
    return m;
}

/* Ask a yes/no question until the answer is one; Enter means dflt. 1 yes, 0 no, -1 EOF. */
static int cli_session_ask_yn(struct cli_session *ss, const char *question, int dflt)
{
    for (;;) {
        printf("%s %s: ", question, dflt ? "[Y/n]" : "[y/N]");
        if (cli_configure_read_line(0, ss->line, CLI_LINE_MAX) != 0)
            return -1;
        if (!ss->line[0])
            return dflt;
        if (strcasecmp(ss->line, "y") == 0 || strcasecmp(ss->line, "yes") == 0)
            return 1;
        if (strcasecmp(ss->line, "n") == 0 || strcasecmp(ss->line, "no") == 0)
            return 0;
        printf("  please answer y or n\n");
    }
}

static int cli_session_yes(struct cli_session *ss, const char *question)
{
    return cli_session_ask_yn(ss, question, 1);
}

/* Ask again the questions in mask, in order. 0, or -1 on EOF. */
static int cli_session_reask(struct cli_session *ss, unsigned mask)
{
    int f;

    if ((mask & (1u << CF_HARVEST)) && cli_session_gen(ss) == 1)
        snprintf(ss->ans[CF_HARVEST], CLI_LINE_MAX, "v3"); /* v1 is gone: offer v3 */
    for (f = CF_TOKEN; f <= CF_HARVEST; f++) {
        if ((mask & (1u << f)) && cli_session_ask(ss, f, NULL) != 0)
            return -1;
    }
    if (mask & ((1u << CF_CLIENT_ID) | (1u << CF_CLIENT_SECRET) | (1u << CF_API_KEY)))
        return cli_session_ask_creds(ss);
    return 0;
}

static int cli_configure_interactive(const struct cli_configure_opts *o, const struct store *cur)
{
    struct cli_session ss;
    struct verify_report *report = sodium_malloc(sizeof(*report));
    cJSON *patch = NULL;
    int f, rc = 1, retry = 0;

    memset(&ss, 0, sizeof(ss));
    ss.cur = cur;
    ss.stored_gen = cur ? store_gh_generation(cur) : 0;
    ss.line = sodium_malloc(CLI_LINE_MAX);
    for (f = 0; f < CF_N; f++) {
        ss.ans[f] = sodium_malloc(CLI_LINE_MAX);
        if (ss.ans[f])
            ss.ans[f][0] = '\0';
    }
    for (f = 0; f < CF_N && ss.ans[f]; f++)
        ;
    if (!report || !ss.line || f < CF_N) {
        fprintf(stderr, "textus-host configure: internal: out of secure memory\n");
        goto out;
    }
    memset(report, 0, sizeof(*report));
    printf("Configure textus-host. Enter keeps the value in brackets; secrets are not shown "
           "as you type.\n");
    for (f = CF_TOKEN; f <= CF_HARVEST; f++) {
        if (cli_session_ask(&ss, f, NULL) != 0)
            goto eof;
    }
    if (cli_session_ask_creds(&ss) != 0)
        goto eof;
    for (;;) {
        unsigned mask;
        int yes;
        patch = cli_session_patch(&ss);
        if (!patch) {
            fprintf(stderr, "textus-host configure: internal: out of memory\n");
            goto out;
        }
        verify_report_release(report);
        rc = cli_configure_once(o, patch, cur, report, &retry);
        if (!retry)
            break;
        mask = cli_session_fixable(&ss, report);
        if (mask) {
            printf("%d check(s) failed. ", report->failed);
            yes = cli_session_yes(&ss, "Fix them now? Only the questions behind the failed "
                                       "checks are asked again; every other answer is kept");
        } else {
            printf("%d check(s) failed, and no answer here can fix them (see each fix "
                   "above). ",
                   report->failed);
            yes = cli_session_yes(&ss, "Check again with the same answers");
        }
        if (yes < 0)
            goto eof;
        if (!yes && !cli_configure_patch_empty(patch)) {
            /* the answers need not be lost: keep them as --save-anyway would (exit 1) */
            char self[PATHS_MAX + 32], question[PATHS_MAX + 96];
            term_self_command(self, sizeof(self), "doctor");
            snprintf(question, sizeof(question),
                     "Save anyway (a failed check stays failed; run %s later)?", self);
            yes = cli_session_ask_yn(&ss, question, 0);
            if (yes < 0)
                goto eof;
            if (yes) {
                struct cli_configure_opts anyway = *o;
                anyway.save_anyway = 1;
                verify_report_release(report);
                rc = cli_configure_once(&anyway, patch, cur, report, NULL);
                break;
            }
            term_self_command(self, sizeof(self), "configure --save-anyway");
            fprintf(stderr,
                    "textus-host configure: nothing was saved (%s keeps the values "
                    "regardless)\n",
                    self);
            break;
        }
        if (!yes) {
            fprintf(stderr, "textus-host configure: nothing was saved\n");
            break;
        }
        store_json_wipe(patch);
        cJSON_Delete(patch);
        patch = NULL;
        if (mask && cli_session_reask(&ss, mask) != 0)
            goto eof;
    }
    goto out;
eof:
    printf("\n");
    fprintf(stderr, "textus-host configure: input ended; nothing was saved\n");
    rc = 1;
out:
    if (patch) {
        store_json_wipe(patch);
        cJSON_Delete(patch);
    }
    if (report) {
        verify_report_release(report);
        sodium_free(report);
    }
    for (f = 0; f < CF_N; f++) {
        if (ss.ans[f])
            sodium_free(ss.ans[f]); /* zeroed by sodium_free */
    }
    if (ss.line)
        sodium_free(ss.line);
    return rc;
}

/* ---- the command ----------------------------------------------------------------- */

int cli_cmd_configure(int argc, char **argv)
{
    int code;
    struct cli_configure_opts o = {0, 0, 0};
    struct verify_report *report = NULL;
    struct store *cur = NULL;
    cJSON *patch = NULL;
    char *text = NULL;
    size_t len = 0;
    struct err e;
    int i, rc = 1;
    const struct cli_opt opts[] = {
        CLI_OPT_BOOL("--no-verify", 0, "save without contacting TextUs or Greenhouse",
                     &o.no_verify),
        CLI_OPT_BOOL("--save-anyway", 0, "save even when a check fails (still exits 1)",
                     &o.save_anyway),
        CLI_OPT_END};

    /* before any option is read or named: an argument that may be a secret is refused
     * without being echoed (a value, "--x=...", a word like token or key) */
    for (i = 1; i < argc; i++) {
        if (cli_configure_secretish(argv[i]))
            return cli_usage_error(
                "configure",
                "secrets and other values are never accepted as command-line arguments (they "
                "would stay visible in the process list and shell history); pipe a JSON "
                "document on stdin, or run the command on a terminal to be asked");
    }
    if (!cli_parse(&code, "configure", opts, cli_configure_usage, argc, argv, 0, NULL))
        return code; /* 0 after --help, 2 after the usage error (printed) */
    if (sodium_init() < 0) {
        fprintf(stderr, "textus-host configure: internal: libsodium could not be initialised\n");
        return 1;
    }
    /* what is stored, and whether anything can be saved, before any question */
    err_clear(&e);
    if (store_load(&cur, &e) != 0 && e.code != ERR_NOT_CONFIGURED) {
        fprintf(stderr, "textus-host configure: %s: %s\n", err_code_name(e.code), e.message);
        fprintf(stderr, "textus-host configure: nothing was saved\n");
        return 1;
    }
    if (cli_configure_preflight() != 0)
        goto out;
    if (os_isatty(0)) {
        o.asked = 1;
        rc = cli_configure_interactive(&o, cur);
        goto out;
    }
    text = cli_configure_read_stdin(&len);
    if (!text) {
        /* the input, not the store: nothing was contacted or saved (exit 2) */
        fprintf(stderr,
                "textus-host configure: invalid_config: cannot read the document on stdin (%s); "
                "nothing was saved\n",
                errno == EFBIG ? "larger than 1 MiB" : strerror(errno));
        rc = 2;
        goto out;
    }
    patch = cJSON_ParseWithLength(text, len);
    sodium_free(text);
    if (!patch || !cJSON_IsObject(patch)) {
        fprintf(
            stderr,
            "textus-host configure: invalid_config: stdin must hold one JSON object, the configure "
            "document (textus-host configure --help shows it), or run textus-host "
            "configure on a terminal to be asked; nothing was saved\n");
        rc = 2;
        goto out;
    }
    report = sodium_malloc(sizeof(*report));
    if (!report) {
        fprintf(stderr, "textus-host configure: internal: out of secure memory\n");
        goto out;
    }
    memset(report, 0, sizeof(*report));
    rc = cli_configure_once(&o, patch, cur, report, NULL);
out:
    if (report) {
        verify_report_release(report);
        sodium_free(report);
    }
    store_free(cur);
    if (patch) {
        store_json_wipe(patch);
        cJSON_Delete(patch);
    }
    return rc;
}
