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
