/*
 * failpoint — test-only hard stops at named points of the send flow.
 *
 * Built only with -DTH_FAILPOINTS=ON (the CMake option defines TH_FAILPOINTS=1):
 * FAILPOINT("after_send") kills the process with SIGKILL when the environment
 * variable TH_FAILPOINT names that point, so tests can prove that a restart
 * plus a flush never sends twice and never loses or doubles a note. In every
 * other build the macro compiles to nothing and no failpoint code exists.
 *
 * Points: before_send, after_send, after_journal, before_note, after_note (also for a
 * reply's note), after_reply_journal (conversation.c: replies journaled, no note yet).
 *
 * FAILPOINT_CLOCK_OFFSET_MS(): in failpoint builds, the number of milliseconds
 * in the file named by TH_TEST_CLOCK_FILE (0 when unset or unreadable), added
 * to the clock of prepare_send's 60 s reuse so that a test moves time forward
 * without sleeping; 0 in every other build.
 * [engine]
 */
#ifndef TH_FAILPOINT_H
#define TH_FAILPOINT_H

#if defined(TH_FAILPOINTS) && TH_FAILPOINTS

#include <stdlib.h>
#include <string.h>

#include "os.h"

static inline void failpoint_check(const char *name)
{
    const char *want = os_getenv("TH_FAILPOINT");

    if (want && strcmp(want, name) == 0)
        os_kill_self();
}
#define FAILPOINT(name) failpoint_check(name)

#include <stdio.h>

static inline long long failpoint_clock_offset_ms(void)
{
    const char *path = os_getenv("TH_TEST_CLOCK_FILE");
    long long v = 0;
    char buf[32];
    size_t n, i;
    FILE *f;

    if (!path || !*path || !(f = fopen(path, "r")))
        return 0;
    n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = '\0';
    for (i = 0; i < n && buf[i] >= '0' && buf[i] <= '9' && v < 100000000000LL; i++)
        v = v * 10 + (buf[i] - '0');
    return v;
}
#define FAILPOINT_CLOCK_OFFSET_MS() failpoint_clock_offset_ms()

#else
#define FAILPOINT(name)             ((void)0)
#define FAILPOINT_CLOCK_OFFSET_MS() 0LL
#endif

#endif
