/*
 * error — names and default retryability of the protocol's stable error codes.
 * See error.h; the wire names are documented in PROTOCOL.md.
 * [core]
 */
#include "error.h"

#include "utf8.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const struct {
    const char *name;
    int retryable;
} err_table[ERR__COUNT] = {
    [ERR_OK] = {"ok", 0},
    [ERR_BAD_REQUEST] = {"bad_request", 0},
    [ERR_UNKNOWN_TYPE] = {"unknown_type", 0},
    [ERR_MESSAGE_TOO_LARGE] = {"message_too_large", 0},
    [ERR_REPLY_TOO_LARGE] = {"reply_too_large", 0},
    [ERR_FORBIDDEN_ORIGIN] = {"forbidden_origin", 0},
    [ERR_INTERNAL] = {"internal", 0},
    [ERR_NOT_CONFIGURED] = {"not_configured", 0},
    [ERR_INVALID_CONFIG] = {"invalid_config", 0},
    [ERR_STORE_CORRUPT] = {"store_corrupt", 0},
    [ERR_STORE_KEY_MISMATCH] = {"store_key_mismatch", 0},
    [ERR_STORE_PERMISSIONS] = {"store_permissions", 0},
    [ERR_STORE_IO] = {"store_io", 1},
    [ERR_INVALID_PROFILE] = {"invalid_profile", 0},
    [ERR_NO_PHONE_FOUND] = {"no_phone_found", 0},
    [ERR_UNSUPPORTED_NUMBER] = {"unsupported_number", 0},
    [ERR_TEXTUS_AUTH] = {"textus_auth", 0},
    [ERR_TEXTUS_ACCOUNT] = {"textus_account", 0},
    [ERR_TEXTUS_REJECTED] = {"textus_rejected", 0},
    [ERR_RATE_LIMITED] = {"rate_limited", 1},
    [ERR_UPSTREAM_UNAVAILABLE] = {"upstream_unavailable", 1},
    [ERR_UPSTREAM_INVALID] = {"upstream_invalid", 1},
    [ERR_GREENHOUSE_AUTH] = {"greenhouse_auth", 0},
    [ERR_GREENHOUSE_PERMISSION] = {"greenhouse_permission", 0},
    [ERR_GREENHOUSE_USER_NOT_FOUND] = {"greenhouse_user_not_found", 0},
    [ERR_GREENHOUSE_NOT_FOUND] = {"greenhouse_not_found", 0},
    [ERR_GREENHOUSE_V1_RETIRED] = {"greenhouse_v1_retired", 0},
    [ERR_VERIFICATION_FAILED] = {"verification_failed", 0},
    [ERR_BODY_TOO_LONG] = {"body_too_long", 0},
    [ERR_REQUEST_ID_CONFLICT] = {"request_id_conflict", 0},
    [ERR_OPTED_OUT] = {"opted_out", 0},
    [ERR_BLOCKED] = {"blocked", 0},
    [ERR_OUTCOME_UNKNOWN] = {"outcome_unknown", 0},
    [ERR_NOT_FOUND] = {"not_found", 0},
    [ERR_GREENHOUSE_REJECTED] = {"greenhouse_rejected", 0},
    [ERR_NOT_SENT] = {"not_sent", 0},
    [ERR_QUIET_HOURS] = {"quiet_hours", 0},
    [ERR_SCHEDULE_OUT_OF_RANGE] = {"schedule_out_of_range", 0},
    [ERR_TEXTUS_USER_UNKNOWN] = {"textus_user_unknown", 0},
    [ERR_NOT_CANDIDATES_NUMBER] = {"not_candidates_number", 0},
};

const char *err_code_name(enum err_code code)
{
    if ((int)code < 0 || code >= ERR__COUNT || !err_table[code].name)
        return "internal";
    return err_table[code].name;
}

int err_code_retryable(enum err_code code)
{
    if ((int)code < 0 || code >= ERR__COUNT)
        return 0;
    return err_table[code].retryable;
}

void err_set(struct err *e, enum err_code code, const char *fmt, ...)
{
    char full[ERR_MESSAGE_MAX * 4];
    va_list ap;

    if (!e)
        return;
    e->code = code;
    e->retryable = err_code_retryable(code);
    e->retry_after_ms = 0;
    e->cause_len = 0;
    va_start(ap, fmt);
    vsnprintf(full, sizeof(full), fmt, ap);
    va_end(ap);
    /* too long: cut at a word, with "…" (never mid-word, never inside a character) */
    (void)utf8_clip(e->message, sizeof(e->message), full, sizeof(full));
}

void err_add_fix(struct err *e, const char *fmt, ...)
{
    char full[ERR_MESSAGE_MAX * 4];
    va_list ap;
    size_t len;

    if (!e)
        return;
    len = strnlen(e->message, sizeof(e->message));
    if (!e->cause_len)
        e->cause_len = len;
    if (len + 1 >= sizeof(e->message))
        return;
    va_start(ap, fmt);
    vsnprintf(full, sizeof(full), fmt, ap);
    va_end(ap);
    (void)utf8_clip(e->message + len, sizeof(e->message) - len, full, sizeof(full));
}

int err_cause_len(const struct err *e)
{
    size_t len = strnlen(e->message, sizeof(e->message));

    return (int)(e->cause_len && e->cause_len < len ? e->cause_len : len);
}

void err_clear(struct err *e)
{
    if (!e)
        return;
    memset(e, 0, sizeof(*e));
}
