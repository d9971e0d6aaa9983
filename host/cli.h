/*
 * cli — textus-host run by a person (or a script) rather than by Chrome:
 * --version, --help and the subcommands (configure, status, doctor, ...).
 * Subcommands that need the engine are members of its API table
 * (engine_api.h), so that the executable links no heavy library. Every command declares
 * its options once, in a CLI_OPT_* table that cli_parse reads and --help prints.
 * [core]
 */
#ifndef TH_CLI_H
#define TH_CLI_H

#include <stddef.h>
#include <stdio.h>

#include "common.h"

/* Signature of a subcommand: argv[0] is the subcommand name. Returns the exit code. */
typedef int (*cli_cmd_fn)(int argc, char **argv);

/* Core subcommands (cli_<cmd>.c). */
int cli_cmd_extract(int argc, char **argv);
int cli_cmd_install(int argc, char **argv);   /* Windows: register this .exe (cli_install.c) */
int cli_cmd_uninstall(int argc, char **argv); /* Windows: undo it from the receipt */

/* cli_install.c, for cli_uninstall.c: the browsers' registry keys (HKCU\<key>), ... */
struct cli_install_browser {
    const char *name; /* chrome, edge, chromium, brave */
    const char *key;  /* Software\...\NativeMessagingHosts\com.textus.greenhouse */
};
extern const struct cli_install_browser cli_install_browsers[]; /* ends with {NULL, NULL} */
/* 1 on Windows (the only platform these two commands install on). */
int cli_install_is_windows(void);
/* the install receipt: %TEXTUS_HOST_HOME%\, else %LOCALAPPDATA%\textus-host\install-receipt.txt */
int cli_install_receipt_path(char *out, size_t outsz) TH_WUR;
/* A whole file (at most max bytes) into *out, NUL-terminated (free() it): 0, or -1 (errno). */
int cli_install_read_file(const char *path, char **out, size_t max) TH_WUR;
/* Write text to path atomically (path.tmp, then os_replace): 0, or -1 (errno). */
int cli_install_write_file(const char *path, const char *text) TH_WUR;

/*
 * A usage error, in the one style every command uses: "textus-host <cmd>: <message>" and
 * then "see textus-host <cmd> --help" on stderr (cmd NULL: textus-host itself). Returns 2,
 * the exit status of a wrong option or argument.
 */
int cli_usage_error(const char *cmd, const char *fmt, ...) TH_PRINTF(2, 3);

/*
 * A word from argv or a file as an error message may show it, into out: quoted ('word'),
 * a control byte, DEL or invalid UTF-8 as '?', never cut mid-character (utf8_clip); a run
 * of 20 or more token characters (a pasted secret) is not shown at all. Returns out. Every
 * word of the person's an error message quotes goes through it.
 */
const char *cli_shown(char *out, size_t outsz, const char *arg);

/*
 * A file or folder name the person gave, as cli_shown shows a word but without the token
 * rule: "job_4012_candidates.csv" is 23 token characters, and a person must see which file
 * failed. A name is not where a secret is typed (it stays in the shell's history anyway).
 */
const char *cli_shown_path(char *out, size_t outsz, const char *path);

/*
 * An error of a verb the command ran, on stderr: "textus-host <cmd>: <message>", the message
 * escaped for a terminal and without the error code; not_configured names the command to run
 * as term_self_command says it (on Windows a full path unless PATH runs this .exe).
 */
struct err;
void cli_verb_error(const char *cmd, const struct err *e);

/*
 * The usage error for an argument cmd does not take: "unknown option '<arg>'" when it
 * starts with '-', else "unexpected argument '<arg>'" (at most 64 bytes of it), then
 * " (did you mean <near>?)" when near (term_nearest's pick) is not NULL. Returns 2.
 */
int cli_bad_argument(const char *cmd, const char *arg, const char *near);

/*
 * A command's options, declared once (git's parse-options, curl's tool_getparam): one
 * table per command, written with the CLI_OPT_* macros below and ending with CLI_OPT_END,
 * that cli_parse reads with getopt_long and cli_print_options prints in --help.
 */
struct cli_opt {
    const char *name;   /* "--long" */
    char letter;        /* its short form, or 0 */
    const char *arg;    /* the value's name in --help ("ID"); "[FILE]": optional (--x=FILE, or
                           the next argument unless it starts with '-'); NULL: no value */
    const char *what;   /* a missing value: "--x needs <what>" (NULL: "a value is missing") */
    const char *help;   /* '\n' starts a continuation line */
    const char **value; /* the value (given twice is refused); with count, max of them */
    int *flag;          /* set to 1 when given */
    size_t *count;      /* a repeatable option: how many of value[] are filled */
    size_t max;
};

/* an option with a value; a flag; a repeatable value (into an array); an optional value */
#define CLI_OPT_STRING(name, letter, arg, help, value)                                             \
    {                                                                                              \
        name, letter, arg, NULL, help, value, NULL, NULL, 0                                        \
    }
#define CLI_OPT_BOOL(name, letter, help, flag)                                                     \
    {                                                                                              \
        name, letter, NULL, NULL, help, NULL, flag, NULL, 0                                        \
    }
#define CLI_OPT_LIST(name, arg, what, help, array, count)                                          \
    {                                                                                              \
        name, 0, arg, what, help, array, NULL, count, TH_ARRAY_SIZE(array)                         \
    }
#define CLI_OPT_OPTIONAL(name, arg, help, value, flag)                                             \
    {                                                                                              \
        name, 0, arg, NULL, help, value, flag, NULL, 0                                             \
    }
#define CLI_OPT_END                                                                                \
    {                                                                                              \
        NULL, 0, NULL, NULL, NULL, NULL, NULL, NULL, 0                                             \
    }

/* The table's options, one per line, aligned, for --help (after an "options:" line). */
void cli_print_options(FILE *out, const struct cli_opt *opts);

/*
 * Parse argv[1..] against opts with getopt_long ("--to=X" and "--to X" alike; "--"
 * ends the options; no abbreviation: "--cand" is unknown). --help / -h (every table
 * has it, added here) prints the usage on stdout through usage; a positional
 * argument (argument not starting with '-', or any after "--") stops the options:
 * more than max_pos of them is an "unexpected argument". *pos (may be NULL) is the
 * index of the first one. Returns 1 when the command goes on, 0 when it must end now with
 * *exit_code: 0 after the help, 2 after the usage error, which is printed: an unknown option with
 * the nearest known name, a missing value (also one of the command's own options where the value
 * belongs: "--candidate --to=X" is "--candidate needs a value (got the option '--to')", never
 * echoing what follows '='), a value after an option that takes none, a value given twice (a
 * repeatable one more than max).
 */
int cli_parse(int *exit_code, const char *cmd, const struct cli_opt *opts,
              void (*usage)(FILE *out, const struct cli_opt *opts), int argc, char **argv,
              int max_pos, int *pos) TH_WUR;

/*
 * The usage error for a --to value that is not +1NXXNXXXXXX (TH_HINT_CLI_TO), naming the
 * number it was meant to be when the extract_phone rules read one +1 number in what was
 * typed ("(303) 555-0123"). Returns 2. In the engine (cli_send.c), for send and
 * conversation.
 */
int cli_bad_to(const char *cmd, const char *to);

/*
 * A verb's result on stdout: as indented JSON with --json (json nonzero), else through human.
 * Returns 0, or -1 when the JSON could not be made (out of memory; nothing printed). In the
 * engine (cli_send.c), for conversation and inbox.
 */
struct cJSON;
int cli_show_result(const struct cJSON *result, int json,
                    void (*human)(const struct cJSON *result)) TH_WUR;

/*
 * An ISO 8601 UTC time from a verb's result (at: a cJSON string) as the person's own time,
 * "2026-12-01 10:05" in Denver, into out (--json keeps the service's UTC); any other text as it
 * is, escaped and at most 40 characters; unknown when at is absent or empty. In the engine
 * (cli_send.c), for conversation and inbox.
 */
void cli_show_when(char *out, size_t outsz, const struct cJSON *at, const char *unknown);

/* Run the command line; returns the process exit code (2 for usage errors). */
int cli_main(int argc, char **argv);

#endif
