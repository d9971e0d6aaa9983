/*
 * cli — command-line mode: usage, --version and subcommand dispatch (see cli.h).
 */
#include "cli.h"

#include <stdio.h>
#include <string.h>

#include "doctor.h"
#include "engine.h"

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

struct cli_cmd {
    const char *name;
    cli_cmd_fn local;       /* built into the executable */
    cli_engine_pick engine; /* or the engine's, loaded on first use */
    const char *summary;
};

static const struct cli_cmd cli_cmds[] = {
    {"configure", NULL, cli_engine_cmd_configure, "store credentials and settings (JSON on stdin)"},
    {"status", NULL, cli_engine_cmd_status, "show what is configured (secrets masked)"},
    {"rekey", NULL, cli_engine_cmd_rekey, "re-encrypt the credential store under a new key"},
    {"extract", cli_cmd_extract, NULL, "show the number extract_phone picks (profile on stdin)"},
    {"send", NULL, cli_engine_cmd_send,
     "send one SMS (body on stdin) and log it as a Greenhouse note"},
    {"outbox", NULL, cli_engine_cmd_outbox, "list the send journal, or flush it (notes, unknowns)"},
    {"doctor", cli_cmd_doctor, NULL, "check the installation and configuration (--report)"},
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
                 "  --help       print this help and exit\n");
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
        printf("textus-host %s (protocol 1)\n", TH_VERSION);
        return 0;
    }
    if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0 || strcmp(name, "help") == 0) {
        cli_usage(stdout);
        return 0;
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
    fprintf(stderr, "textus-host: unknown command '%s'\n\n", name);
    cli_usage(stderr);
    return 2;
}
