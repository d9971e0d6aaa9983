/*
 * frame — Chrome native-messaging framing (see frame.h).
 *
 * The only code that reads the browser's stdin or writes frames to the
 * browser's stdout. It knows nothing of JSON.
 * [core]
 */
#include "frame.h"

#include "buf.h"
#include "now.h"

#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

static int frame_stall_ms = FRAME_STALL_TIMEOUT_MS;
/* CLOCK_MONOTONIC milliseconds by which the frame under way must be complete. */
static int64_t frame_deadline_ms;

void frame_set_stall_timeout(int ms)
{
    frame_stall_ms = ms > 0 ? ms : FRAME_STALL_TIMEOUT_MS;
}

/* Wait until fd has input (or EOF): FRAME_OK, or FRAME_STALLED once the frame's deadline passed. */
static enum frame_status frame_wait(int fd)
{
    struct pollfd pfd;

    for (;;) {
        int64_t left = frame_deadline_ms - now_mono_ms();
        int r;
        if (left <= 0)
            return FRAME_STALLED;
        pfd.fd = fd;
        pfd.events = POLLIN;
        pfd.revents = 0;
        r = poll(&pfd, 1, left > frame_stall_ms ? frame_stall_ms : (int)left);
        if (r > 0)
            return FRAME_OK; /* readable, hung up or in error: read() tells which */
        if (r < 0 && errno != EINTR)
            return FRAME_IO;
    }
}

/*
 * Read up to len bytes; *got says how many arrived before EOF. When started
 * (a frame is under way), every read waits at most until the frame's deadline
 * (frame_stall_ms after its first byte: a frame trickled a byte at a time ends
 * there too); otherwise the wait for the first byte is unlimited, and that byte
 * sets the deadline.
 */
static enum frame_status frame_read_full(int fd, char *buf, size_t len, size_t *got, int started)
{
    size_t off = 0;

    while (off < len) {
        ssize_t n;
        if (started || off > 0) {
            enum frame_status w = frame_wait(fd);
            if (w != FRAME_OK) {
                *got = off;
                return w;
            }
        }
        n = read(fd, buf + off, len - off);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            *got = off;
            return FRAME_IO;
        }
        if (n == 0)
            break;
        if (!started && off == 0)
            frame_deadline_ms = now_mono_ms() + frame_stall_ms;
        off += (size_t)n;
    }
    *got = off;
    return FRAME_OK;
}

enum frame_status frame_read_len(int fd, uint32_t *len)
{
    char hdr[4];
    size_t got = 0;
    enum frame_status st = frame_read_full(fd, hdr, sizeof(hdr), &got, 0);

    if (st != FRAME_OK)
        return st;
    if (got == 0)
        return FRAME_EOF;
    if (got < sizeof(hdr))
        return FRAME_TRUNCATED;
    memcpy(len, hdr, sizeof(*len)); /* native byte order, as Chrome writes it */
    return FRAME_OK;
}

enum frame_status frame_read_body(int fd, char *buf, size_t len)
{
    size_t got = 0;
    enum frame_status st = frame_read_full(fd, buf, len, &got, 1);

    if (st != FRAME_OK)
        return st;
    return got == len ? FRAME_OK : FRAME_TRUNCATED;
}

enum frame_status frame_discard(int fd, uint64_t len)
{
    char chunk[16384];
    enum frame_status st = FRAME_OK;

    while (len > 0) {
        size_t want = len < sizeof(chunk) ? (size_t)len : sizeof(chunk);
        size_t got = 0;
        st = frame_read_full(fd, chunk, want, &got, 1);
        if (st == FRAME_OK && got < want)
            st = FRAME_TRUNCATED;
        if (st != FRAME_OK)
            break;
        len -= got;
    }
    buf_wipe(chunk, sizeof(chunk)); /* what passed through may have been a secret */
    return st;
}

enum frame_status frame_write(int fd, const char *json, size_t len)
{
    uint32_t hdr;
    struct iovec iov[2];
    size_t total, done = 0;

    if (len > FRAME_MAX_OUT)
        return FRAME_TOO_LARGE;
    hdr = (uint32_t)len;
    total = sizeof(hdr) + len;
    while (done < total) {
        ssize_t n;
        int cnt = 0;
        if (done < sizeof(hdr)) {
            iov[cnt].iov_base = (char *)&hdr + done;
            iov[cnt].iov_len = sizeof(hdr) - done;
            cnt++;
            iov[cnt].iov_base = (void *)json;
            iov[cnt].iov_len = len;
            cnt++;
        } else {
            iov[cnt].iov_base = (void *)(json + (done - sizeof(hdr)));
            iov[cnt].iov_len = total - done;
            cnt++;
        }
        n = writev(fd, iov, cnt);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return errno == EPIPE ? FRAME_PIPE : FRAME_IO;
        }
        done += (size_t)n;
    }
    return FRAME_OK;
}
