/*
 * now — the monotonic and wall clocks in milliseconds (see now.h).
 * [core]
 */
#include "now.h"

#include <time.h>

static int64_t now_ms(clockid_t id)
{
    struct timespec ts;

    if (clock_gettime(id, &ts) != 0)
        return 0; /* not for these two clocks on a POSIX system */
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t now_mono_ms(void)
{
    return now_ms(CLOCK_MONOTONIC);
}

int64_t now_wall_ms(void)
{
    return now_ms(CLOCK_REALTIME);
}
