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
#include <stdint.h>
#include <string.h>

#include "os.h"

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
    for (;;) {
        int64_t left = frame_deadline_ms - now_mono_ms();
        int r;
        if (left <= 0)
            return FRAME_STALLED;
        r = os_wait_readable(fd, left > frame_stall_ms ? frame_stall_ms : (int)left);
        if (r > 0)
            return FRAME_OK; /* readable, hung up or in error: the read tells which */
        if (r < 0)
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
        long n;
        if (started || off > 0) {
            enum frame_status w = frame_wait(fd);
            if (w != FRAME_OK) {
                *got = off;
                return w;
            }
        }
        n = os_read(fd, buf + off, len - off); /* EINTR retried there */
        if (n < 0) {
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

    if (len > FRAME_MAX_OUT)
        return FRAME_TOO_LARGE;
    hdr = (uint32_t)len;
    /* header and body in one gathered write where the platform has one (os_write2) */
    if (os_write2(fd, &hdr, sizeof(hdr), json, len) != 0)
        return errno == EPIPE ? FRAME_PIPE : FRAME_IO;
    return FRAME_OK;
}
