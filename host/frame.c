/*
 * frame — Chrome native-messaging framing (see frame.h).
 *
 * The only code that reads the browser's stdin or writes frames to the
 * browser's stdout. It knows nothing of JSON.
 */
#include "frame.h"

#include <errno.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

/* Read up to len bytes; *got says how many arrived before EOF. */
static enum frame_status frame_read_full(int fd, char *buf, size_t len, size_t *got)
{
    size_t off = 0;

    while (off < len) {
        ssize_t n = read(fd, buf + off, len - off);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            *got = off;
            return FRAME_IO;
        }
        if (n == 0)
            break;
        off += (size_t)n;
    }
    *got = off;
    return FRAME_OK;
}

enum frame_status frame_read_len(int fd, uint32_t *len)
{
    char hdr[4];
    size_t got = 0;
    enum frame_status st = frame_read_full(fd, hdr, sizeof(hdr), &got);

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
    enum frame_status st = frame_read_full(fd, buf, len, &got);

    if (st != FRAME_OK)
        return st;
    return got == len ? FRAME_OK : FRAME_TRUNCATED;
}

enum frame_status frame_discard(int fd, uint64_t len)
{
    char chunk[16384];

    while (len > 0) {
        size_t want = len < sizeof(chunk) ? (size_t)len : sizeof(chunk);
        size_t got = 0;
        enum frame_status st = frame_read_full(fd, chunk, want, &got);
        if (st != FRAME_OK)
            return st;
        if (got < want)
            return FRAME_TRUNCATED;
        len -= got;
    }
    return FRAME_OK;
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
