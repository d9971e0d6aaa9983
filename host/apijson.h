/*
 * apijson — small helpers shared by the API clients (textus, greenhouse):
 * bounded parsing of a response body, copying string fields into fixed
 * buffers, reading ids that arrive as numbers or strings, extracting a
 * person-readable message from an API error body, and the error codes of the
 * answers both map alike. No network.
 * [engine]
 */
#ifndef TH_APIJSON_H
#define TH_APIJSON_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "error.h"

struct http_response;

/* Parse exactly len bytes (no NUL needed); NULL when not JSON. */
cJSON *apijson_parse(const char *buf, size_t len);

/* Copy obj[name] (a string) into out; 0 on success, -1 absent/not a string/too long. */
int apijson_copy(const cJSON *obj, const char *name, char *out, size_t outsz);

/* A positive integer id given as a JSON number or a string of digits; -1 otherwise. */
long long apijson_id(const cJSON *v);

/* 1 when obj[name] is JSON true. */
int apijson_true(const cJSON *obj, const char *name);

/*
 * The server's message from an error body, tried in order: message, error
 * (string or {message}), hydra:description, hydra:title, title, detail,
 * error_description; then up to three entries of an "errors" array (strings,
 * {field, message} or {field: message}). Control characters become spaces.
 * Secrets never pass: every occurrence of each of secrets[0..n_secrets) (the credentials the
 * client sent: NULL entries and those under APIJSON_SECRET_MIN bytes are skipped) becomes
 * "[redacted]", then so does every run log_redact_tokens takes for a secret. This is the one
 * place a server's text becomes an error message. Empty string when nothing usable.
 */
#define APIJSON_SECRET_MIN 4
void apijson_error_message(const char *buf, size_t len, const char *const *secrets,
                           size_t n_secrets, char *out, size_t outsz);

/*
 * A non-2xx answer r that the client did not map itself (its 401, 403, 404...), mapped as
 * every API client does: 429 rate_limited (retry_after_ms: the wait the answer asks for),
 * 5xx upstream_unavailable, another 4xx `refused`, anything else upstream_invalid. The
 * message names the service ("TextUs"), the step ("<prep> <what>", e.g. "during sending the
 * message") and the server's own message msg (may be empty); the mapping is logged under the
 * service's name in lower case. Returns -1.
 */
int apijson_map_status(const struct http_response *r, const char *service, const char *prep,
                       const char *what, const char *msg, enum err_code refused, struct err *e);

#endif
