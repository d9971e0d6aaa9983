/*
 * handler — what every request handler (one file per verb: handler_<verb>.c)
 * sees, plus small helpers for reading typed request fields.
 *
 * A handler fills `result` (an empty JSON object) and returns 0, or fills *e
 * and returns -1. It never writes to stdout and never frees req or result; work
 * after its reply and event frames go through its handler_env.
 * Handlers whose work needs libcurl, libsodium or libsqlite3 live in the
 * engine module and are reached through its API table (engine_api.h).
 * [core]
 */
#ifndef TH_HANDLER_H
#define TH_HANDLER_H

#include <cjson/cJSON.h>

#include "error.h"

struct handler_env;

/* Work a handler asked to run after its reply (handler_env.after_reply). */
typedef void (*handler_after_fn)(const struct handler_env *env, void *ud);

struct handler_env {
    const char *origin; /* "chrome-extension://<id>/" or NULL (CLI) */
    int from_cli;       /* 1 when called by a textus-host subcommand */
    /*
     * Work after the reply (PROTOCOL.md, "Work after the reply, and events"): the
     * handler's reply is written first, then fn(env, ud) runs with an env whose
     * emit_event may send event frames on the same port, then release(ud) (may be
     * NULL). One job per request. NULL where no port outlives the reply (the CLI,
     * proto_handle): the handler then does the work before replying. 0 registered, -1 not.
     */
    int (*after_reply)(const struct handler_env *env, handler_after_fn fn, void *ud,
                       void (*release)(void *ud));
    /*
     * Only inside such work (NULL elsewhere): send the frame {"id": <the request's id>,
     * "event": event, ...members} on the port. Takes members (an object) over. 0 sent,
     * -1 not (the port is closed).
     */
    int (*emit_event)(const struct handler_env *env, const char *event, cJSON *members);
    void *proto;     /* the protocol layer's own */
    int to_unlisted; /* `textus-host send --to-unlisted`: the number is knowingly not the
                        candidate's (send_request.to_unlisted); 0 everywhere else */
    /* On a port: handler_extract_known (what this port's extract_phone read); NULL in the CLI. */
    int (*candidate_number)(const char *candidate_id, const char *to);
    /* On a port: handler_extract_name (the profile's name it read); NULL in the CLI. */
    const char *(*candidate_name)(const char *candidate_id);
};

/*
 * A failing handler may leave one object under this key in `result`; the
 * dispatcher sends it as the error's "details" (PROTOCOL.md, Envelope).
 * Anything else left in `result` on failure is discarded.
 */
#define HANDLER_ERROR_DETAILS "error_details"

/*
 * A failing handler may also leave one object under this key: its members are
 * added to the error object itself, beside code/message/retryable (the extra
 * fields a verb documents for one error, e.g. quiet_hours' local_time). A
 * member named like one of the envelope's own (code, message, retryable,
 * retry_after_ms, details) is dropped.
 */
#define HANDLER_ERROR_FIELDS "error_fields"

typedef int (*handler_fn)(const struct handler_env *env, const cJSON *req, cJSON *result,
                          struct err *e);

/*
 * Typed field access. Each returns the field, or NULL when absent (no error if
 * optional) or of the wrong type (sets ERR_BAD_REQUEST, or `code` for the
 * handler's own validation error, with a message naming the field).
 */
const char *handler_string(const cJSON *obj, const char *name, int required, enum err_code code,
                           struct err *e);
const cJSON *handler_object(const cJSON *obj, const char *name, int required, enum err_code code,
                            struct err *e);
const cJSON *handler_array(const cJSON *obj, const char *name, int required, enum err_code code,
                           struct err *e);

/* Move every member of the object src into result, then free src: a handler answering with
 * a document built elsewhere (config_status). */
void handler_result_take(cJSON *result, cJSON *src);

/* The built-in verbs that need no engine. */
int handler_ping(const struct handler_env *env, const cJSON *req, cJSON *result, struct err *e);
/*
 * Whether `to` is one of the candidate's numbers as this process's extract_phone read them:
 * 1 yes, 0 no, -1 extract_phone never ran for the candidate here (PROTOCOL.md, send_sms).
 */
int handler_extract_known(const char *candidate_id, const char *to);
/* The candidate's name as the profile this process's extract_phone read showed it, or NULL. */
const char *handler_extract_name(const char *candidate_id);
int handler_extract_phone(const struct handler_env *env, const cJSON *req, cJSON *result,
                          struct err *e);

#endif
