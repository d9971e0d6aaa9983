/*
 * cli — command-line mode: usage, --version and subcommand dispatch, and cli_parse, the
 * one option parser every command uses (getopt_long over the command's table; see cli.h).
 * [core]
 */
#include "cli.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "doctor.h"
#include "engine.h"
#include "error.h"
#include "notetext.h"
#include "term.h"
#include "utf8.h"

/*
 * A test build (cmake -DTH_FAILPOINTS=ON) says so in --version; the words are
 * also the marker scripts/install.sh looks for to refuse installing it.
 */
#if defined(TH_FAILPOINTS) && TH_FAILPOINTS
#define CLI_BUILD_NOTE " [test build with TH_FAILPOINTS: never install it]"
#else
#define CLI_BUILD_NOTE ""
#endif

/* The engine's function for a command (a typed read of one member of its API table). */
typedef cli_cmd_fn (*cli_engine_pick)(const struct th_engine_api *api);

#define CLI_ENGINE_CMD(member)                                                                     \
    static cli_cmd_fn cli_engine_##member(const struct th_engine_api *api)                         \
    {                                                                                              \
        return api->member;                                                                        \
    }
CLI_ENGINE_CMD(cmd_configure)
CLI_ENGINE_CMD(cmd_status)
CLI_ENGINE_CMD(cmd_rekey)
CLI_ENGINE_CMD(cmd_send)
CLI_ENGINE_CMD(cmd_outbox)
CLI_ENGINE_CMD(cmd_conversation)
CLI_ENGINE_CMD(cmd_bulk)
CLI_ENGINE_CMD(cmd_inbox)

struct cli_cmd {
    const char *name;
    cli_cmd_fn local;       /* built into the executable */
    cli_engine_pick engine; /* or the engine's, loaded on first use */
    const char *summary;
};

static const struct cli_cmd cli_cmds[] = {
    {"configure", NULL, cli_engine_cmd_configure,
     "store credentials and settings (asks on a terminal, or JSON on stdin)"},
    {"status", NULL, cli_engine_cmd_status, "show what is configured (secrets masked)"},
    {"rekey", NULL, cli_engine_cmd_rekey, "re-encrypt the credential store under a new key"},
    {"extract", cli_cmd_extract, NULL,
     "show the phone number the host would pick from a profile (JSON on stdin)"},
    {"send", NULL, cli_engine_cmd_send,
     "send one SMS (body on stdin) and log it as a Greenhouse note"},
    {"outbox", NULL, cli_engine_cmd_outbox, "the send journal: list, flush, dismiss a note"},
    {"conversation", NULL, cli_engine_cmd_conversation,
     "show the thread with a number; log the candidate's replies (--candidate)"},
    {"bulk", NULL, cli_engine_cmd_bulk,
     "text many candidates (ids in a file or on stdin) and log a note for each"},
    {"inbox", NULL, cli_engine_cmd_inbox,
     "the conversations waiting for an answer; log their new replies"},
    {"doctor", cli_cmd_doctor, NULL, "check the installation and configuration (--report)"},
    {"install", cli_cmd_install, NULL, "Windows: register this textus-host.exe with the browsers"},
    {"uninstall", cli_cmd_uninstall, NULL, "Windows: remove what install registered (receipt)"},
    {NULL, NULL, NULL, NULL}};

static void cli_usage(FILE *out)
{
    size_t i;

    fprintf(out, "usage: textus-host [--version | --help | <command> [options]]\n"
                 "\n"
                 "textus-host is the native-messaging host of the TextUs extension for Greenhouse\n"
                 "Recruiting. Chrome starts it with the extension origin as its only argument;\n"
                 "people and scripts use the commands below.\n"
                 "\n"
                 "commands:\n");
    for (i = 0; cli_cmds[i].name; i++)
        fprintf(out, "  %-12s %s\n", cli_cmds[i].name, cli_cmds[i].summary);
    fprintf(out, "  --version    print the version and exit\n"
                 "  --help       print this help and exit\n"
                 "\n"
                 "textus-host <command> --help (or textus-host help <command>) explains a command\n"
                 "and its exit status. Exit status: 0 success; 1 the command failed (the message\n"
                 "says why); 2 a wrong command, option or argument; outbox flush also uses 3\n"
                 "(something still waits).\n");
}

static const char *cli_nearest_command(const char *word)
{
    const char *names[TH_ARRAY_SIZE(cli_cmds) + 2];
    size_t i, n = 0;

    for (i = 0; cli_cmds[i].name; i++)
        names[n++] = cli_cmds[i].name;
    names[n++] = "help";
    return term_nearest(word, names, n);
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
    char raw[4096], msg[2048], see[4200];
    va_list ap;
    size_t i;

    va_start(ap, fmt);
    if (vsnprintf(raw, sizeof(raw), fmt, ap) < 0)
        raw[0] = '\0';
    va_end(ap);
    (void)utf8_clip(msg, sizeof(msg), raw, strlen(raw)); /* never a character cut */
    /* the last guard: no control byte of a word a caller forgot to pass through cli_shown
     * reaches the terminal (an escape sequence would clear it or rewrite what it shows) */
    for (i = 0; msg[i]; i++) {
        if ((unsigned char)msg[i] < 0x20 || msg[i] == 0x7f)
            msg[i] = '?';
    }
    term_self_command(see, sizeof(see), cmd ? cmd : "");
    i = strlen(see);
    snprintf(see + i, sizeof(see) - i, "%s--help", cmd ? " " : "");
    fprintf(stderr, "textus-host%s%s: %s\nsee %s\n", cmd ? " " : "", cmd ? cmd : "", msg, see);
    return 2;
}

/*
 * A word from argv as an error message may show it: quoted, never a terminal control sequence
 * (a byte below 0x20, DEL or invalid UTF-8 becomes '?') and never cut mid-character; a run of
 * 20 or more token characters (log_redact's rule for a secret) is not shown at all, as a
 * pasted API token must not land on a terminal or in a captured stderr.
 */
static const char *cli_quote(char *out, size_t outsz, const char *arg, int token_rule)
{
    char clean[256];
    size_t i = 0, n = strlen(arg), tok = 0, k;

    for (k = 0; token_rule && k < n; k++) {
        char c = arg[k];
        tok = ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
               strchr("_+/=.-", c))
                  ? tok + 1
                  : 0;
        if (tok >= 20) {
            snprintf(out, outsz, "(not shown: %zu characters that may be a secret)", n);
            return out;
        }
    }
    for (k = 0; k < n && i + 1 < sizeof(clean);) {
        uint32_t cp;
        size_t used = utf8_decode(&cp, arg + k, n - k);

        if (used == 0 || cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0)) {
            clean[i++] = '?';
            k += used ? used : 1;
        } else if (i + used < sizeof(clean)) {
            memcpy(clean + i, arg + k, used);
            i += used;
            k += used;
        } else {
            break;
        }
    }
    clean[i] = '\0';
    out[0] = '\'';
    (void)utf8_clip(out + 1, outsz > 2 ? outsz - 2 : 0, clean, i);
    n = strlen(out);
    if (n + 1 < outsz) {
        out[n] = '\'';
        out[n + 1] = '\0';
    }
    return out;
}

const char *cli_shown(char *out, size_t outsz, const char *arg)
{
    return cli_quote(out, outsz, arg, 1);
}

const char *cli_shown_path(char *out, size_t outsz, const char *path)
{
    return cli_quote(out, outsz, path, 0);
}

void cli_verb_error(const char *cmd, const struct err *e)
{
    char *t = NULL;

    if (e->code == ERR_NOT_CONFIGURED) { /* store.c's words name the bare program */
        char self[4200];
        term_self_command(self, sizeof(self), "configure");
        fprintf(stderr, "textus-host %s: nothing is configured yet: run %s\n", cmd, self);
        return;
    }
    if (notetext_term(&t, e->message, strlen(e->message)) == 0)
        fprintf(stderr, "textus-host %s: %s\n", cmd, t);
    else
        fprintf(stderr, "textus-host %s: the command failed (out of memory)\n", cmd);
    free(t);
}

/* "<what> '<word>' (did you mean <near>?)", the word as cli_shown shows it. */
static int cli_word_error(const char *cmd, const char *what, const char *word, const char *near)
{
    char shown[80];

    return cli_usage_error(cmd, "%s %s%s%s%s", what, cli_shown(shown, sizeof(shown), word),
                           near ? " (did you mean " : "", near ? near : "", near ? "?)" : "");
}

int cli_bad_argument(const char *cmd, const char *arg, const char *near)
{
    return cli_word_error(cmd, arg[0] == '-' ? "unknown option" : "unexpected argument", arg, near);
}

/* ---- options declared once (cli.h): a table, getopt_long ----------------------------- */

#define CLI_OPTS_MAX 24 /* options in one command's table (--help added) */

static const struct cli_opt cli_help_opt =
    CLI_OPT_BOOL("--help", 'h', "print this help and exit", NULL);

/* "--name ARG" or "-x, --name ARG" into out (for --help): its length. */
static size_t cli_opt_left(char *out, size_t outsz, const struct cli_opt *o)
{
    int n;

    if (o->letter)
        n = snprintf(out, outsz, "-%c, %s%s%s", o->letter, o->name, o->arg ? " " : "",
                     o->arg ? o->arg : "");
    else
        n = snprintf(out, outsz, "%s%s%s", o->name, o->arg ? " " : "", o->arg ? o->arg : "");
    return n < 0 ? 0 : (size_t)n < outsz ? (size_t)n : outsz - 1;
}

static void cli_print_one(FILE *out, const struct cli_opt *o, size_t col)
{
    char left[80];
    size_t n = cli_opt_left(left, sizeof(left), o);
    const char *p = o->help;

    fprintf(out, "  %s%*s", left, (int)(col - n), "");
    for (;;) {
        size_t len = strcspn(p, "\n");
        fprintf(out, "%.*s\n", (int)len, p);
        if (!p[len])
            break;
        p += len + 1;
        fprintf(out, "  %*s", (int)col, "");
    }
}

void cli_print_options(FILE *out, const struct cli_opt *opts)
{
    char left[80];
    size_t i, col = cli_opt_left(left, sizeof(left), &cli_help_opt);

    for (i = 0; opts[i].name; i++) {
        size_t n = cli_opt_left(left, sizeof(left), &opts[i]);
        col = n > col ? n : col;
    }
    col += 2;
    for (i = 0; opts[i].name; i++)
        cli_print_one(out, &opts[i], col);
    cli_print_one(out, &cli_help_opt, col);
}

/* The entry of opts (or --help, index n) whose name is arg up to '=' or its end; -1 if none. */
static int cli_opt_find(const struct cli_opt *opts, size_t n, const char *arg)
{
    size_t len = strcspn(arg, "="), i;

    for (i = 0; i <= n; i++) {
        const char *name = i < n ? opts[i].name : cli_help_opt.name;
        if (strlen(name) == len && strncmp(name, arg, len) == 0)
            return (int)i;
    }
    return -1;
}

/* The usage error for argv element arg that getopt_long did not take as one of opts. */
static int cli_parse_refused(const char *cmd, const struct cli_opt *opts, size_t n,
                             const char *const *names, const char *arg, int c, int optch)
{
    char word[65];
    size_t len = strcspn(arg, "=");
    int j = cli_opt_find(opts, n, arg);

    if (arg[0] == '-' && arg[1] == '-' && j >= 0) {
        const struct cli_opt *o = (size_t)j < n ? &opts[j] : &cli_help_opt;
        if (o->arg && !arg[len] && o->what)
            return cli_usage_error(cmd, "%s needs %s", o->name, o->what);
        if (o->arg && !arg[len])
            return cli_usage_error(cmd, "a value is missing after '%s'", o->name);
        if (!o->arg && arg[len])
            return cli_usage_error(cmd, "%s takes no value", o->name);
    }
    if (arg[0] == '-' && arg[1] != '-' && c == ':' && optch)
        return cli_usage_error(cmd, "a value is missing after '-%c'", optch);
    if (arg[0] == '-' && arg[1] != '-' && arg[1] && arg[1] != optch && optch) /* -nx: x */
        return cli_usage_error(cmd, "unknown option '-%c'", optch);
    /* unknown (an abbreviation too): named as typed, up to '=' (a value is not echoed) */
    if (len >= sizeof(word))
        len = sizeof(word) - 1;
    memcpy(word, arg, len);
    word[len] = '\0';
    return cli_bad_argument(cmd, word, term_nearest(word, names, n + 1));
}

/* cli_parse's work: 0 (go on), 1 (--help printed) or 2 (the usage error printed) */
static int cli_parse_opts(const char *cmd, const struct cli_opt *opts,
                          void (*usage)(FILE *out, const struct cli_opt *opts), int argc,
                          char **argv, int max_pos, int *pos)
{
    struct option lo[CLI_OPTS_MAX + 2];
    const char *names[CLI_OPTS_MAX + 1];
    char shorts[4 + 2 * CLI_OPTS_MAX + 2];
    unsigned char seen[CLI_OPTS_MAX];
    size_t n, k = 0, i;
    int c, idx, prev;

    /* "+": options stop at the first argument (nothing permuted); ":": ':' for a missing value */
    shorts[k++] = '+';
    shorts[k++] = ':';
    for (n = 0; opts[n].name; n++) {
        if (n >= CLI_OPTS_MAX) {
            fprintf(stderr, "textus-host %s: internal: more than %d options\n", cmd, CLI_OPTS_MAX);
            return 2;
        }
        lo[n].name = opts[n].name + 2;
        lo[n].has_arg = !opts[n].arg            ? no_argument
                        : opts[n].arg[0] == '[' ? optional_argument
                                                : required_argument;
        lo[n].flag = NULL;
        lo[n].val = opts[n].letter ? opts[n].letter : 256 + (int)n;
        names[n] = opts[n].name;
        if (opts[n].letter) {
            shorts[k++] = opts[n].letter;
            if (opts[n].arg)
                shorts[k++] = ':';
        }
    }
    lo[n].name = cli_help_opt.name + 2;
    lo[n].has_arg = no_argument;
    lo[n].flag = NULL;
    lo[n].val = 'h';
    memset(&lo[n + 1], 0, sizeof(lo[n + 1]));
    names[n] = cli_help_opt.name;
    shorts[k++] = 'h';
    shorts[k] = '\0';
    memset(seen, 0, sizeof(seen));

    opterr = 0; /* the messages are ours */
    optind = 0; /* 0: start again at argv[1] (glibc and mingw-w64 both reset on it) */
    for (;;) {
        const struct cli_opt *o = NULL;
        const char *val;
        idx = -1;
        prev = optind > 0 ? optind : 1;
        c = getopt_long(argc, argv, shorts, lo, &idx);
        if (c == -1)
            break;
        if (c == '?' || c == ':' || prev >= argc)
            return cli_parse_refused(cmd, opts, n, names, argv[prev < argc ? prev : argc - 1], c,
                                     optopt > 0 && optopt < 256 ? optopt : 0);
        if (idx >= 0) { /* a long option: as written, never an abbreviation of one */
            const char *a = argv[prev];
            size_t len = strlen(lo[idx].name);
            if (strncmp(a, "--", 2) != 0 || strncmp(a + 2, lo[idx].name, len) != 0 ||
                (a[2 + len] != '\0' && a[2 + len] != '='))
                return cli_parse_refused(cmd, opts, n, names, a, '?', 0);
            i = (size_t)idx;
        } else {
            for (i = 0; i < n && opts[i].letter != c; i++)
                ;
        }
        if (i >= n) { /* --help, -h */
            usage(stdout, opts);
            return 1;
        }
        o = &opts[i];
        val = optarg;
        /* "--candidate --to=+1...": the value taken is another of this command's options
         * (named alone: what follows its '=' may be anything) */
        if (val && o->arg && o->arg[0] != '[' && val[0] == '-' && val[1] == '-' && val[2] &&
            cli_opt_find(opts, n, val) >= 0) {
            char word[80], shown[96];
            snprintf(word, sizeof(word), "%.*s", (int)strcspn(val, "="), val);
            return cli_usage_error(cmd, "%s needs %s (got the option %s)", o->name,
                                   o->what ? o->what : "a value",
                                   cli_shown(shown, sizeof(shown), word));
        }
        if (o->arg && o->arg[0] == '[' && !val && optind < argc && argv[optind][0] != '-')
            val = argv[optind++]; /* --report FILE: the next argument, when not an option */
        if (o->count) {
            if (*o->count >= o->max) {
                char shown[96];
                return cli_usage_error(cmd, "too many %s (at most %zu): %s", o->name, o->max,
                                       cli_shown(shown, sizeof(shown), val));
            }
            o->value[(*o->count)++] = val;
        } else if (o->arg) {
            if (seen[i])
                return cli_usage_error(cmd, "%s is given twice", o->name);
            if (val)
                *o->value = val;
        }
        if (o->flag)
            *o->flag = 1;
        seen[i] = 1;
    }
    if (argc - optind > max_pos)
        return cli_word_error(cmd, "unexpected argument", argv[optind + max_pos], NULL);
    if (pos)
        *pos = optind;
    return 0;
}

int cli_parse(int *exit_code, const char *cmd, const struct cli_opt *opts,
              void (*usage)(FILE *out, const struct cli_opt *opts), int argc, char **argv,
              int max_pos, int *pos)
{
    int r = cli_parse_opts(cmd, opts, usage, argc, argv, max_pos, pos);

    *exit_code = r == 1 ? 0 : 2; /* --help printed: success; else the usage error's 2 */
    return r == 0;
}

int cli_main(int argc, char **argv)
{
    size_t i;
    const char *name = argc > 1 ? argv[1] : NULL;

    if (!name) {
        cli_usage(stderr);
        return 2;
    }
    if (strcmp(name, "--version") == 0 || strcmp(name, "version") == 0) {
        printf("textus-host %s (protocol 1)%s\n", TH_VERSION, CLI_BUILD_NOTE);
        return 0;
    }
    if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0 ||
        (strcmp(name, "help") == 0 && argc <= 2)) {
        cli_usage(stdout);
        return 0;
    }
    if (strcmp(name, "help") == 0) {
        /* help <command>: that command's own --help */
        static char help_flag[] = "--help";
        for (i = 0; cli_cmds[i].name; i++) {
            if (strcmp(cli_cmds[i].name, argv[2]) == 0) {
                char *sub[4] = {argv[0], argv[2], help_flag, NULL};
                return cli_main(3, sub);
            }
        }
        return cli_word_error(NULL, "unknown command", argv[2], cli_nearest_command(argv[2]));
    }
    for (i = 0; cli_cmds[i].name; i++) {
        if (strcmp(cli_cmds[i].name, name) == 0) {
            struct err e;
            cli_cmd_fn fn = cli_cmds[i].local;
            if (!fn) {
                const struct th_engine_api *api = engine_api(&e);
                fn = api ? cli_cmds[i].engine(api) : NULL;
                if (api && !fn)
                    engine_missing(&e, name);
            }
            if (!fn) {
                fprintf(stderr, "textus-host: %s\n", e.message);
                return 1;
            }
            return fn(argc - 1, argv + 1);
        }
    }
    if (name[0] == '-') {
        static const char *const opts[] = {"--version", "--help"};
        return cli_word_error(NULL, "unknown option", name,
                              term_nearest(name, opts, TH_ARRAY_SIZE(opts)));
    }
    return cli_word_error(NULL, "unknown command", name, cli_nearest_command(name));
}
