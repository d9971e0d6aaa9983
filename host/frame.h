/*
 * frame — Chrome native-messaging framing: a 32-bit native-endian length, then
 * that many bytes of UTF-8 JSON, in both directions.
 *
 * Reads loop over short reads and EINTR. An oversize inbound body is drained in
 * small chunks, never buffered. Outbound frames are capped at Chrome's limit.
 * Between frames the host waits for the browser as long as it takes; once a
 * frame has started (its first byte arrived), it must be complete within
 * FRAME_STALL_TIMEOUT_MS of that byte, or the read ends with FRAME_STALLED, so
 * a half-written frame, or one trickled a byte at a time, cannot hold the
 * process for ever (nor keep a request undispatched while settings change).
 * [core]
 */
#ifndef TH_FRAME_H
#define TH_FRAME_H

#include "common.h"

#include <stddef.h>
#include <stdint.h>

/* Chrome closes the port on a host->browser message above this many bytes. */
#define FRAME_MAX_OUT 1048576u
/* Default cap on browser->host messages (a setting may change it). */
#define FRAME_DEFAULT_IN_CAP 1048576u
/* How long a started frame may take to arrive whole (from its first byte). */
#define FRAME_STALL_TIMEOUT_MS 30000

enum frame_status {
    FRAME_OK = 0,
    FRAME_EOF = 1,       /* end of input exactly at a frame boundary */
    FRAME_TRUNCATED = 2, /* end of input inside a frame */
    FRAME_IO = 3,        /* read or write error (errno kept) */
    FRAME_PIPE = 4,      /* the browser closed our stdout (EPIPE) */
    FRAME_TOO_LARGE = 5, /* outbound message above FRAME_MAX_OUT: nothing written */
    FRAME_STALLED = 6    /* a started frame did not arrive whole within the stall timeout */
};

/* Change the stall timeout (milliseconds; <= 0 restores FRAME_STALL_TIMEOUT_MS). */
void frame_set_stall_timeout(int ms);

/* Read the 4-byte length header. */
enum frame_status frame_read_len(int fd, uint32_t *len) TH_WUR;

/* Read exactly len bytes into buf. */
enum frame_status frame_read_body(int fd, char *buf, size_t len) TH_WUR;

/* Read and throw away len bytes through a small stack buffer (keeps the stream in sync). */
enum frame_status frame_discard(int fd, uint64_t len) TH_WUR;

/* Write one frame: header + json. Refuses (FRAME_TOO_LARGE) above FRAME_MAX_OUT. */
enum frame_status frame_write(int fd, const char *json, size_t len) TH_WUR;

#endif
