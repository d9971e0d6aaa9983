/*
 * poll.h for the Windows build's wave-2 files only (protocol.c, until it moves onto host/os.h):
 * one descriptor, POLLIN, over os_wait_readable. Not a general poll().
 */
#ifndef TH_COMPAT_POLL_H
#define TH_COMPAT_POLL_H

#include <errno.h>

#include "os.h"

struct pollfd {
    int fd;
    short events;
    short revents;
};

#define POLLIN  0x0001
#define POLLERR 0x0008
#define POLLHUP 0x0010

static inline int poll(struct pollfd *p, unsigned long n, int timeout_ms)
{
    int r;

    if (n != 1) {
        errno = EINVAL;
        return -1;
    }
    r = os_wait_readable(p->fd, timeout_ms);
    p->revents = r > 0 ? POLLIN : 0;
    return r;
}

#endif
