/*
 * protocol — the request envelope, the caller check and verb dispatch.
 *
 * Reads frames (frame.h), validates the envelope documented in PROTOCOL.md,
 * checks the calling extension against the allowlist, runs the handler for
 * the verb and writes exactly one reply frame per request, in order.
 * [core]
 */
#ifndef TH_PROTOCOL_H
#define TH_PROTOCOL_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "allowlist.h"
#include "error.h"

#define PROTO_VERSION 1

/*
 * The extension stub's fixed id (derived from the "key" in extension-stub/manifest.json). Its
 * private key is public (the repository), so any unpacked extension can claim this id: a
 * production build (cmake -DTH_PRODUCTION=ON: install.sh --release, the .deb) leaves it out,
 * and the host then allows only the ids of its settings. Test and demo builds keep it.
 */
#ifndef TH_PRODUCTION
#define PROTO_STUB_EXTENSION_ID ALLOWLIST_STUB_ID
#endif

/*
 * The command that allows extension ids besides the stub's (settings.allowed_extension_ids,
 * local configuration only): printf-style, %s the JSON strings of the ids. The list it
 * writes replaces the stored one, so it must name every id to keep.
 */
#define PROTO_ALLOW_IDS_COMMAND                                                                    \
    "echo '{\"settings\":{\"allowed_extension_ids\":[%s]}}' | textus-host configure --no-verify"

/* Process exit codes of the native-messaging mode. */
enum proto_exit {
    PROTO_EXIT_OK = 0,        /* stdin closed at a frame boundary, or the browser went away */
    PROTO_EXIT_TRUNCATED = 3, /* stdin closed inside a frame, or a started frame stalled */
    PROTO_EXIT_IO = 4,        /* unexpected read or write error */
    PROTO_EXIT_REVOKED = 5    /* the caller was removed from the allowed ids while its port was
                                 open: a frame under way was answered forbidden_origin, or
                                 the idle port ended without a frame */
};

/*
 * Validate a caller origin "chrome-extension://<32 letters a-p>/". On success
 * copies the id (33 bytes with NUL) into id_out and returns 1.
 */
int proto_parse_origin(char id_out[33], const char *origin);

/* Serve requests from in_fd, replies to out_fd, until EOF. Returns a proto_exit code. */
int proto_serve(int in_fd, int out_fd, const char *origin);

/*
 * Handle one request body (not NUL-terminated) and return the reply document
 * (never NULL unless out of memory). Exposed for tests and the CLI.
 */
cJSON *proto_handle(const char *body, size_t len, const char *origin);

/* Build an error reply {"id", "ok": false, "error": {...}}; id may be NULL. */
cJSON *proto_error_reply(const cJSON *id, const struct err *e);

/*
 * Serialise reply and write it as one frame; a reply above FRAME_MAX_OUT is
 * replaced by a reply_too_large error with the same id. Returns a frame_status.
 */
int proto_emit(int out_fd, const cJSON *reply);

#endif
