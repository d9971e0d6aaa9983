/*
 * cli_rekey — `textus-host rekey`: re-encrypt the store under a new random
 * key (crash-safe order documented in store.h).
 * [engine]
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "config.h"
#include "engine_entry.h"

static void cli_rekey_usage(FILE *out, const struct cli_opt *opts)
{
    fprintf(out, "usage: textus-host rekey\n"
                 "\n"
                 "Re-encrypts the credential store under a new random key (the old key file\n"
                 "is replaced; the send journal stays readable).\n"
                 "\n"
                 "options:\n");
    cli_print_options(out, opts);
    fprintf(out, "\n"
                 "exit status: 0 rekeyed; 1 it failed, nothing changed (the message says why);\n"
                 "2 a wrong option or argument.\n");
}

int cli_cmd_rekey(int argc, char **argv)
{
    int code;
    static const struct cli_opt opts[] = {CLI_OPT_END};
    char old_id[STORE_KEY_ID_HEX], new_id[STORE_KEY_ID_HEX];
    struct err e;

    if (!cli_parse(&code, "rekey", opts, cli_rekey_usage, argc, argv, 0, NULL))
        return code; /* 0 after --help, 2 after the usage error (printed) */
    err_clear(&e);
    if (store_rekey(old_id, new_id, &e) != 0) {
        if (e.code == ERR_NOT_CONFIGURED)
            cli_verb_error("rekey", &e); /* names this program as it is run */
        else
            fprintf(stderr, "textus-host rekey: %s: %s\n", err_code_name(e.code), e.message);
        return 1;
    }
    printf("rekeyed: key %s replaced by key %s\n", old_id, new_id);
    return 0;
}
