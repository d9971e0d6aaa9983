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

/* Run the command line; returns the process exit code (2 for usage errors). */
int cli_main(int argc, char **argv);

#endif
