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
 */
#ifndef TH_FAILPOINT_H
#define TH_FAILPOINT_H

#if defined(TH_FAILPOINTS) && TH_FAILPOINTS

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static inline void failpoint_check(const char *name)
{
    const char *want = getenv("TH_FAILPOINT");

    if (want && strcmp(want, name) == 0) {
        raise(SIGKILL);
        _exit(137);
    }
}
#define FAILPOINT(name) failpoint_check(name)

#else
#define FAILPOINT(name) ((void)0)
#endif

#endif
