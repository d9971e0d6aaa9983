/*
 * unported — what the Windows build has instead of the two core files that do not compile
 * there yet (cmake/windows/CMakeLists.txt): cli_doctor.c (open_memstream, lstat, fchmod)
 * and quiet.c (tm_gmtoff, setenv). Nothing in the engine-less Windows executable calls
 * quiet_*; `textus-host doctor` says plainly that it is not there. Both go away when the
 * files move onto host/os.h (issue P, wave 2).
 */
#include <stdio.h>

#include "doctor.h"

int cli_cmd_doctor(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "textus-host: doctor is not ported to Windows yet (issue P); this build "
                    "answers ping and extract_phone only\n");
    return 1;
}

/*
 * allowlist.c's stand-in (issue P, transitional, until allowlist.c moves onto os.h): no
 * settings file is read, as if none existed: the caller check accepts the development
 * stub's id only (a production build: none), and a change of settings is never seen.
 */
#include <string.h>

#include "allowlist.h"

int allowlist_read(struct allowlist *out, struct err *e)
{
    (void)e;
    memset(out, 0, sizeof(*out));
    return 0;
}

int allowlist_has(const struct allowlist *a, const char *ext_id)
{
    size_t i;

    for (i = 0; i < a->n; i++)
        if (strcmp(a->ids[i], ext_id) == 0)
            return 1;
    return 0;
}

void allowlist_stamp(struct allowlist_stamp *out)
{
    memset(out, 0, sizeof(*out));
}

int allowlist_stamp_same(const struct allowlist_stamp *a, const struct allowlist_stamp *b)
{
    return a->exists == b->exists;
}
