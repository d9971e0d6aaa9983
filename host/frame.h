/*
 * frame — Chrome native-messaging framing: a 32-bit native-endian length, then
 * that many bytes of UTF-8 JSON, in both directions.
 *
 * Reads loop over short reads and EINTR. An oversize inbound body is drained in
 * small chunks, never buffered. Outbound frames are capped at Chrome's limit.
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

enum frame_status {
    FRAME_OK = 0,
    FRAME_EOF = 1,       /* end of input exactly at a frame boundary */
    FRAME_TRUNCATED = 2, /* end of input inside a frame */
    FRAME_IO = 3,        /* read or write error (errno kept) */
    FRAME_PIPE = 4,      /* the browser closed our stdout (EPIPE) */
    FRAME_TOO_LARGE = 5  /* outbound message above FRAME_MAX_OUT: nothing written */
};

/* Read the 4-byte length header. */
enum frame_status frame_read_len(int fd, uint32_t *len) TH_WUR;

/* Read exactly len bytes into buf. */
enum frame_status frame_read_body(int fd, char *buf, size_t len) TH_WUR;

/* Read and throw away len bytes through a small stack buffer (keeps the stream in sync). */
enum frame_status frame_discard(int fd, uint64_t len) TH_WUR;

/* Write one frame: header + json. Refuses (FRAME_TOO_LARGE) above FRAME_MAX_OUT. */
enum frame_status frame_write(int fd, const char *json, size_t len) TH_WUR;

#endif
