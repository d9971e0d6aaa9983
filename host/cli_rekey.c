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

int cli_cmd_rekey(int argc, char **argv)
{
    char old_id[STORE_KEY_ID_HEX], new_id[STORE_KEY_ID_HEX];
    struct err e;

    if (argc > 1) {
        if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
            printf("usage: textus-host rekey\n"
                   "\n"
                   "Re-encrypts the credential store under a new random key (the old key file\n"
                   "is replaced; the send journal stays readable).\n"
                   "\n"
                   "exit status: 0 rekeyed; 1 it failed, nothing changed (the message says why);\n"
                   "2 a wrong option or argument.\n");
            return 0;
        }
        return cli_usage_error("rekey", "%s '%.64s' (rekey takes none)",
                               argv[1][0] == '-' ? "unknown option" : "unexpected argument",
                               argv[1]);
    }
    err_clear(&e);
    if (store_rekey(old_id, new_id, &e) != 0) {
        fprintf(stderr, "textus-host rekey: %s: %s\n", err_code_name(e.code), e.message);
        return 1;
    }
    printf("rekeyed: key %s replaced by key %s\n", old_id, new_id);
    return 0;
}
