/*
 * apijson — small JSON helpers shared by the API clients (textus, greenhouse):
 * bounded parsing of a response body, copying string fields into fixed
 * buffers, reading ids that arrive as numbers or strings, and extracting a
 * person-readable message from an API error body. No network.
 * [engine]
 */
#ifndef TH_APIJSON_H
#define TH_APIJSON_H

#include <stddef.h>

#include <cjson/cJSON.h>

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
 * Empty string when nothing usable.
 */
void apijson_error_message(const char *buf, size_t len, char *out, size_t outsz);

#endif
