/*
 * now — the monotonic and wall clocks in milliseconds (see now.h), read through the
 * operating-system layer (os.h).
 * [core]
 */
#include "now.h"

#include "os.h"

int64_t now_mono_ms(void)
{
    return os_mono_ms();
}

int64_t now_wall_ms(void)
{
    return os_wall_ms();
}
