/*
 * error — the stable error codes of the extension <-> host protocol.
 *
 * The table is append-only: a code, once shipped, keeps its name and number
 * forever (the extension and support scripts match on the name). Every code has
 * a row in PROTOCOL.md. Handlers report failure by filling a struct err.
 * [core]
 */
#ifndef TH_ERROR_H
#define TH_ERROR_H

#include "common.h"

#include <stddef.h>

enum err_code {
    ERR_OK = 0,
    /* 1: foundation */
    ERR_BAD_REQUEST,
    ERR_UNKNOWN_TYPE,
    ERR_MESSAGE_TOO_LARGE,
    ERR_REPLY_TOO_LARGE,
    ERR_FORBIDDEN_ORIGIN,
    ERR_INTERNAL,
    /* 7: credential store */
    ERR_NOT_CONFIGURED,
    ERR_INVALID_CONFIG,
    ERR_STORE_CORRUPT,
    ERR_STORE_KEY_MISMATCH,
    ERR_STORE_PERMISSIONS,
    ERR_STORE_IO,
    /* 13: phone extraction */
    ERR_INVALID_PROFILE,
    ERR_NO_PHONE_FOUND,
    ERR_UNSUPPORTED_NUMBER,
    /* 16: API clients */
    ERR_TEXTUS_AUTH,
    ERR_TEXTUS_ACCOUNT,
    ERR_TEXTUS_REJECTED,
    ERR_RATE_LIMITED,
    ERR_UPSTREAM_UNAVAILABLE,
    ERR_UPSTREAM_INVALID,
    ERR_GREENHOUSE_AUTH,
    ERR_GREENHOUSE_PERMISSION,
    ERR_GREENHOUSE_USER_NOT_FOUND,
    ERR_GREENHOUSE_NOT_FOUND,
    ERR_GREENHOUSE_V1_RETIRED,
    ERR_VERIFICATION_FAILED,
    /* 28: send flow */
    ERR_BODY_TOO_LONG,
    ERR_REQUEST_ID_CONFLICT,
    ERR_OPTED_OUT,
    ERR_BLOCKED,
    ERR_OUTCOME_UNKNOWN,
    ERR_NOT_FOUND,
    /* 34: API clients (Greenhouse) */
    ERR_GREENHOUSE_REJECTED,
    /* 35: send flow */
    ERR_NOT_SENT,
    /* 36: composing (quiet hours, scheduled sends, saved replies) */
    ERR_QUIET_HOURS,
    ERR_SCHEDULE_OUT_OF_RANGE,
    ERR_TEXTUS_USER_UNKNOWN,
    /* 39: whose number */
    ERR_NOT_CANDIDATES_NUMBER,
    /* append new codes here, never in between */
    ERR__COUNT
};

#define ERR_MESSAGE_MAX 512

/*
 * A message is read in two places. An error reply (and a command's error line) has no
 * separate fix, so its message says what to do as well: the cause, then the fix
 * (err_add_fix). A checklist — configure's verification, doctor's findings, a stopped
 * note's reason — shows its own fix line, so it shows only the cause: the first cause_len
 * bytes (err_cause_len), never the same fix twice.
 */
struct err {
    enum err_code code;
    int retryable;       /* 1 when the same request may succeed later */
    long retry_after_ms; /* > 0 when the server said how long to wait */
    size_t cause_len;    /* > 0: message[0, cause_len) is the cause alone (err_add_fix) */
    char message[ERR_MESSAGE_MAX];
};

/* The snake_case wire name of a code ("bad_request"); "internal" for out-of-range values. */
const char *err_code_name(enum err_code code);

/* Whether a code is retryable by default. */
int err_code_retryable(enum err_code code);

/* Fill *e with code, its default retryability and a printf-style message for a person. */
void err_set(struct err *e, enum err_code code, const char *fmt, ...) TH_PRINTF(3, 4);

/*
 * Append what to do to the message set by err_set (printf-style, the separator included,
 * e.g. ". Create a new token ..."), remembering where the cause ends. Once per error.
 */
void err_add_fix(struct err *e, const char *fmt, ...) TH_PRINTF(2, 3);

/* The length of the message's cause: up to the fix err_add_fix appended, else all of it. */
int err_cause_len(const struct err *e);

/* Reset *e to ERR_OK with an empty message. */
void err_clear(struct err *e);

#endif
