/*
 * cli — command-line mode: usage, --version and subcommand dispatch (see cli.h).
 * [core]
 */
#include "cli.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "common.h"
#include "doctor.h"
#include "engine.h"
#include "term.h"

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
    va_list ap;

    fprintf(stderr, "textus-host%s%s: ", cmd ? " " : "", cmd ? cmd : "");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nsee textus-host%s%s --help\n", cmd ? " " : "", cmd ? cmd : "");
    return 2;
}

int cli_bad_argument(const char *cmd, const char *arg, const char *near)
{
    return cli_usage_error(cmd, "%s '%.64s'%s%s%s",
                           arg[0] == '-' ? "unknown option" : "unexpected argument", arg,
                           near ? " (did you mean " : "", near ? near : "", near ? "?)" : "");
}

int cli_option_value(const char *cmd, int argc, char **argv, int *argi, const char **slot,
                     const char *const *opts, size_t nopts)
{
    const char *arg = argv[*argi];

    if (!slot)
        return cli_bad_argument(cmd, arg, arg[0] == '-' ? term_nearest(arg, opts, nopts) : NULL);
    if (*argi + 1 >= argc)
        return cli_usage_error(cmd, "a value is missing after '%s'", arg);
    if (*slot)
        return cli_usage_error(cmd, "%s is given twice", arg);
    *slot = argv[++*argi];
    return 0;
}

static int cli_unknown(const char *what, const char *name, const char *near)
{
    return cli_usage_error(NULL, "unknown %s '%s'%s%s%s", what, name,
                           near ? " -- did you mean " : "", near ? near : "", near ? "?" : "");
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
        return cli_unknown("command", argv[2], cli_nearest_command(argv[2]));
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
        return cli_unknown("option", name, term_nearest(name, opts, TH_ARRAY_SIZE(opts)));
    }
    return cli_unknown("command", name, cli_nearest_command(name));
}
