/*
 * cli — textus-host run by a person (or a script) rather than by Chrome:
 * --version, --help and the subcommands (configure, status, doctor, ...).
 * Subcommands that need the engine are members of its API table
 * (engine_api.h), so that the executable links no heavy library.
 * [core]
 */
#ifndef TH_CLI_H
#define TH_CLI_H

#include "common.h"

/* Signature of a subcommand: argv[0] is the subcommand name. Returns the exit code. */
typedef int (*cli_cmd_fn)(int argc, char **argv);

/* Core subcommands (cli_<cmd>.c). */
int cli_cmd_extract(int argc, char **argv);

/*
 * A usage error, in the one style every command uses: "textus-host <cmd>: <message>" and
 * then "see textus-host <cmd> --help" on stderr (cmd NULL: textus-host itself). Returns 2,
 * the exit status of a wrong option or argument.
 */
int cli_usage_error(const char *cmd, const char *fmt, ...) TH_PRINTF(2, 3);

/*
 * The usage error for an argument cmd does not take: "unknown option '<arg>'" when it
 * starts with '-', else "unexpected argument '<arg>'" (at most 64 bytes of it), then
 * " (did you mean <near>?)" when near (term_nearest's pick) is not NULL. Returns 2.
 */
int cli_bad_argument(const char *cmd, const char *arg, const char *near);

/*
 * The usage error for a --to value that is not +1NXXNXXXXXX (TH_HINT_CLI_TO), naming the
 * number it was meant to be when the extract_phone rules read one +1 number in what was
 * typed ("(303) 555-0123"). Returns 2. In the engine (cli_send.c), for send and
 * conversation.
 */
int cli_bad_to(const char *cmd, const char *to);

/* Run the command line; returns the process exit code (2 for usage errors). */
int cli_main(int argc, char **argv);

#endif
