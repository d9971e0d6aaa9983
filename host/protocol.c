/*
 * protocol — envelope, caller check and dispatch (see protocol.h and PROTOCOL.md).
 *
 * Verbs are an append-only table. Verbs whose handlers need libcurl, libsodium
 * or libsqlite3 name a member of the engine's API table (engine_api.h) instead
 * of a function, so that a process that only answers ping never loads those
 * libraries.
 * [core]
 */
#include "protocol.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "allowlist.h"
#include "buf.h"
#include "common.h"
#include "engine.h"
#include "frame.h"
#include "handler.h"
#include "log.h"
#include "os.h"
#include "paths.h"
#include "utf8.h"

#include <errno.h>

/* The engine's handler for a verb (a typed read of one member of its API table). */
typedef handler_fn (*proto_engine_pick)(const struct th_engine_api *api);

#define PROTO_ENGINE_VERB(member)                                                                  \
    static handler_fn proto_engine_##member(const struct th_engine_api *api)                       \
    {                                                                                              \
        return api->member;                                                                        \
    }
PROTO_ENGINE_VERB(status)
PROTO_ENGINE_VERB(configure)
PROTO_ENGINE_VERB(send_sms)
PROTO_ENGINE_VERB(flush_outbox)
PROTO_ENGINE_VERB(message_status)
PROTO_ENGINE_VERB(opt_out)
PROTO_ENGINE_VERB(import_contact)
PROTO_ENGINE_VERB(conversation)
PROTO_ENGINE_VERB(schedule_sms)
PROTO_ENGINE_VERB(local_time)
PROTO_ENGINE_VERB(saved_replies)
PROTO_ENGINE_VERB(prepare_send)
PROTO_ENGINE_VERB(bulk_send)
PROTO_ENGINE_VERB(bulk_status)
PROTO_ENGINE_VERB(bulk_cancel)
PROTO_ENGINE_VERB(inbox)
PROTO_ENGINE_VERB(bulk_preview)

struct proto_verb {
    const char *name;
    handler_fn local;         /* built into the executable */
    proto_engine_pick engine; /* or the engine's, loaded on first use */
};

static const struct proto_verb proto_verbs[] = {
    {"ping", handler_ping, NULL},
    {"status", NULL, proto_engine_status},
    {"configure", NULL, proto_engine_configure},
    {"extract_phone", handler_extract_phone, NULL},
    {"send_sms", NULL, proto_engine_send_sms},
    {"flush_outbox", NULL, proto_engine_flush_outbox},
    {"message_status", NULL, proto_engine_message_status},
    {"opt_out", NULL, proto_engine_opt_out},
    {"import_contact", NULL, proto_engine_import_contact},
    {"conversation", NULL, proto_engine_conversation},
    {"schedule_sms", NULL, proto_engine_schedule_sms},
    {"local_time", NULL, proto_engine_local_time},
    {"saved_replies", NULL, proto_engine_saved_replies},
    {"prepare_send", NULL, proto_engine_prepare_send},
    {"bulk_send", NULL, proto_engine_bulk_send},
    {"bulk_status", NULL, proto_engine_bulk_status},
    {"bulk_cancel", NULL, proto_engine_bulk_cancel},
    {"inbox", NULL, proto_engine_inbox},
    {"bulk_preview", NULL, proto_engine_bulk_preview},
};

/* Work a handler registered to run after its reply (handler_env.after_reply). */
struct proto_job {
    handler_after_fn fn;
    void *ud;
    void (*release)(void *ud);
};

/* What an event frame needs: where to write it and the request's id. */
struct proto_events {
    int out_fd;
    const cJSON *id;
    int st; /* the first failed frame_status, FRAME_OK while the port takes frames */
};

static int proto_after_reply(const struct handler_env *env, handler_after_fn fn, void *ud,
                             void (*release)(void *ud))
{
    struct proto_job *job = env->proto;

    if (!job || job->fn || !fn)
        return -1; /* one job per request */
    job->fn = fn;
    job->ud = ud;
    job->release = release;
    return 0;
}

/* Caller check state for this process: 0 unknown, 1 allowed, -1 forbidden. */
static int proto_origin_state;
static char proto_origin_reason[ERR_MESSAGE_MAX];
/* A caller allowed by the settings file (not the stub): the version of the file it was judged by,
 * compared before every frame so that a revocation takes effect on an open port. */
static int proto_origin_by_settings;
static struct allowlist_stamp proto_origin_stamp;

int proto_parse_origin(char id_out[33], const char *origin)
{
    static const char prefix[] = "chrome-extension://";
    size_t plen = sizeof(prefix) - 1, i;

    if (!origin || strncmp(origin, prefix, plen) != 0)
        return 0;
    origin += plen;
    for (i = 0; i < 32; i++) {
        if (origin[i] < 'a' || origin[i] > 'p')
            return 0;
    }
    if (origin[32] != '/' || origin[33] != '\0')
        return 0;
    memcpy(id_out, origin, 32);
    id_out[32] = '\0';
    return 1;
}

/*
 * The caller check's settings (allowlist.h): the settings file alone, read without the store
 * or its key. 1 the file was read, 0 there is none (nothing beyond the stub is allowed: a
 * store written by an older version still holding the ids is moved into the file by the
 * commands the person runs, configure, status and doctor, never by a caller), -1 refused
 * (nothing beyond the stub either).
 */
static int proto_caller_settings(struct allowlist *out)
{
    struct err e;
    int rc;

    err_clear(&e);
    rc = allowlist_read(out, &e);
    if (rc < 0)
        log_msg("caller check: the settings file is refused (%s)", err_code_name(e.code));
    return rc;
}

/* Decide whether the caller may use the host (once, and again when the settings file changed). */
static int proto_origin_allowed(const char *origin)
{
    char id[33];
    struct allowlist allowed;
    int found;

    if (proto_origin_state != 0)
        return proto_origin_state > 0;
    proto_origin_state = -1;
    if (origin && !proto_parse_origin(id, origin)) {
        snprintf(proto_origin_reason, sizeof(proto_origin_reason),
                 "the caller origin is not a Chrome extension origin");
        return 0;
    }
#ifdef PROTO_STUB_EXTENSION_ID
    if (origin && strcmp(id, PROTO_STUB_EXTENSION_ID) == 0) {
        proto_origin_state = 1;
        return 1;
    }
#else
    /* a release build: the stub's key is public, so its id is refused even when a settings
     * file lists it (written by hand, or by a test build before configure refused it) */
    if (origin && strcmp(id, ALLOWLIST_STUB_ID) == 0) {
        snprintf(proto_origin_reason, sizeof(proto_origin_reason),
                 "extension %s is the development stub, whose private key is public: a release "
                 "build never allows it",
                 id);
        return 0;
    }
#endif
    /* the stamp before the read: a change after it is seen at the next frame */
    allowlist_stamp(&proto_origin_stamp);
    proto_origin_by_settings = 1;
    found = proto_caller_settings(&allowed);
    if (!origin) {
        /* no origin at all (e.g. a sandboxed browser's portal): only when a local setting says so
         */
        if (allowed.allow_no_origin)
            proto_origin_state = 1;
        else
            snprintf(proto_origin_reason, sizeof(proto_origin_reason),
                     "the host was started without a caller origin");
        return proto_origin_state > 0;
    }
    if (allowlist_has(&allowed, id)) {
        proto_origin_state = 1;
        return 1;
    }
    /* what to do, for whoever reads it: the stored ids are not told to a refused caller, so
     * the complete command (the list replaces the stored one) is doctor's to print */
    if (found == 0)
        snprintf(proto_origin_reason, sizeof(proto_origin_reason),
                 "extension %s is not allowed to use this host: no settings file lists the "
                 "allowed ids yet (settings.allowed_extension_ids, in settings.json beside the "
                 "store): run textus-host doctor on this computer; it moves the ids a store from "
                 "an older version holds into that file, and prints the one complete command "
                 "that allows this one",
                 id);
    else
        snprintf(proto_origin_reason, sizeof(proto_origin_reason),
                 "extension %s is not allowed to use this host (settings.allowed_extension_ids): "
                 "run textus-host doctor on this computer; it prints the one complete command "
                 "that allows it",
                 id);
    return 0;
}

/*
 * Before each frame of a caller the settings file allowed: when the file is no longer the
 * version it was judged by (configure wrote it), judge the caller again. 1 when it is now
 * refused: the frame is answered forbidden_origin and the host exits.
 */
static int proto_origin_revoked(const char *origin)
{
    struct allowlist_stamp now;

    if (proto_origin_state <= 0 || !proto_origin_by_settings)
        return 0;
    allowlist_stamp(&now);
    if (allowlist_stamp_same(&now, &proto_origin_stamp))
        return 0;
    proto_origin_state = 0;
    if (proto_origin_allowed(origin))
        return 0;
    log_msg("caller check: the caller is no longer allowed; the port ends");
    return 1;
}

cJSON *proto_error_reply(const cJSON *id, const struct err *e)
{
    cJSON *reply = cJSON_CreateObject();
    cJSON *error;

    if (!reply)
        return NULL;
    cJSON_AddItemToObject(reply, "id", id ? cJSON_Duplicate(id, 1) : cJSON_CreateNull());
    cJSON_AddFalseToObject(reply, "ok");
    error = cJSON_AddObjectToObject(reply, "error");
    if (error) {
        cJSON_AddStringToObject(error, "code", err_code_name(e->code));
        cJSON_AddStringToObject(error, "message", e->message);
        cJSON_AddBoolToObject(error, "retryable", e->retryable);
        if (e->retry_after_ms > 0)
            cJSON_AddNumberToObject(error, "retry_after_ms", (double)e->retry_after_ms);
    }
    return reply;
}

/* Move the members of fields into error, except those the envelope itself defines. */
static void proto_error_fields(cJSON *error, cJSON *fields)
{
    static const char *const own[] = {"code", "message", "retryable", "retry_after_ms", "details"};
    cJSON *it = fields->child;

    while (it) {
        cJSON *next = it->next;
        size_t i;
        int taken = 0;
        for (i = 0; i < TH_ARRAY_SIZE(own); i++)
            taken = taken || (it->string && strcmp(it->string, own[i]) == 0);
        if (it->string && !taken && !cJSON_GetObjectItemCaseSensitive(error, it->string))
            cJSON_AddItemToObject(error, it->string, cJSON_DetachItemViaPointer(fields, it));
        it = next;
    }
}

static const struct proto_verb *proto_find_verb(const char *type)
{
    size_t i;

    for (i = 0; i < TH_ARRAY_SIZE(proto_verbs); i++) {
        if (strcmp(proto_verbs[i].name, type) == 0)
            return &proto_verbs[i];
    }
    return NULL;
}

/*
 * Run a parsed request (body[0..len) is its text); returns the reply document.
 * The caller is checked first; then, before any verb runs, the text itself:
 * cJSON ends a string at U+0000 and accepts raw control bytes, so a field
 * holding either would be validated, journaled or sent cut short.
 */
static cJSON *proto_dispatch(const cJSON *req, const char *origin, const char *body, size_t len,
                             struct proto_job *job)
{
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(req, "id");
    const cJSON *type = cJSON_GetObjectItemCaseSensitive(req, "type");
    const struct proto_verb *verb;
    struct handler_env env = {origin, 0, job ? proto_after_reply : NULL, NULL,
                              job,    0, handler_extract_known,          handler_extract_name};
    struct err e;
    size_t bad_at = 0;
    handler_fn fn;
    cJSON *result, *reply;

    err_clear(&e);
    if (id && cJSON_IsNull(id))
        id = NULL;
    if (id && !cJSON_IsString(id) && !cJSON_IsNumber(id)) {
        err_set(&e, ERR_BAD_REQUEST, "\"id\" must be a string or a number");
        return proto_error_reply(NULL, &e);
    }
    if (!proto_origin_allowed(origin)) {
        err_set(&e, ERR_FORBIDDEN_ORIGIN, "%s", proto_origin_reason);
        return proto_error_reply(id, &e);
    }
    if (!utf8_json_clean(body, len, &bad_at)) {
        /* not even the id is echoed: it may be the string that was cut short */
        err_set(&e, ERR_BAD_REQUEST,
                "the message holds U+0000 or a raw control character (byte %zu); strings "
                "must not contain either",
                bad_at);
        return proto_error_reply(NULL, &e);
    }
    if (!type || !cJSON_IsString(type)) {
        err_set(&e, ERR_BAD_REQUEST, "\"type\" is required and must be a string");
        return proto_error_reply(id, &e);
    }
    verb = proto_find_verb(type->valuestring);
    if (!verb) {
        err_set(&e, ERR_UNKNOWN_TYPE, "unknown request type");
        return proto_error_reply(id, &e);
    }
    fn = verb->local;
    if (!fn) {
        const struct th_engine_api *api = engine_api(&e);
        if (!api)
            return proto_error_reply(id, &e);
        fn = verb->engine(api);
        if (!fn) {
            engine_missing(&e, verb->name);
            return proto_error_reply(id, &e);
        }
    }
    result = cJSON_CreateObject();
    if (!result) {
        err_set(&e, ERR_INTERNAL, "out of memory");
        return proto_error_reply(id, &e);
    }
    log_msg("request type=%s", verb->name);
    if (fn(&env, req, result, &e) != 0) {
        cJSON *details = cJSON_DetachItemFromObjectCaseSensitive(result, HANDLER_ERROR_DETAILS);
        cJSON *fields = cJSON_DetachItemFromObjectCaseSensitive(result, HANDLER_ERROR_FIELDS);
        cJSON *error;
        cJSON_Delete(result);
        if (e.code == ERR_OK)
            err_set(&e, ERR_INTERNAL, "the handler failed without saying why");
        log_msg("reply type=%s error=%s", verb->name, err_code_name(e.code));
        reply = proto_error_reply(id, &e);
        error = reply ? cJSON_GetObjectItemCaseSensitive(reply, "error") : NULL;
        if (error && cJSON_IsObject(details))
            cJSON_AddItemToObject(error, "details", details);
        else
            cJSON_Delete(details);
        if (error && cJSON_IsObject(fields))
            proto_error_fields(error, fields);
        cJSON_Delete(fields);
        return reply;
    }
    reply = cJSON_CreateObject();
    if (!reply) {
        cJSON_Delete(result);
        return NULL;
    }
    cJSON_AddItemToObject(reply, "id", id ? cJSON_Duplicate(id, 1) : cJSON_CreateNull());
    cJSON_AddTrueToObject(reply, "ok");
    cJSON_AddItemToObject(reply, "result", result);
    return reply;
}

/* proto_handle, and where a handler may leave work for after the reply (NULL: nowhere). */
static cJSON *proto_handle_job(const char *body, size_t len, const char *origin,
                               struct proto_job *job)
{
    const char *end = NULL;
    cJSON *req, *reply;
    struct err e;
    size_t i;

    err_clear(&e);
    if (len == 0) {
        err_set(&e, ERR_BAD_REQUEST, "empty message");
        return proto_error_reply(NULL, &e);
    }
    if (!utf8_valid(body, len)) {
        err_set(&e, ERR_BAD_REQUEST, "the message is not valid UTF-8");
        return proto_error_reply(NULL, &e);
    }
    req = cJSON_ParseWithLengthOpts(body, len, &end, 0);
    if (req && end) {
        /* only white space may follow the document */
        for (i = (size_t)(end - body); i < len; i++) {
            char c = body[i];
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                cJSON_Delete(req);
                req = NULL;
                break;
            }
        }
    }
    if (!req) {
        err_set(&e, ERR_BAD_REQUEST, "the message is not a JSON document");
        return proto_error_reply(NULL, &e);
    }
    if (!cJSON_IsObject(req)) {
        cJSON_Delete(req);
        err_set(&e, ERR_BAD_REQUEST, "the message must be a JSON object");
        return proto_error_reply(NULL, &e);
    }
    reply = proto_dispatch(req, origin, body, len, job);
    cJSON_Delete(req);
    return reply;
}

cJSON *proto_handle(const char *body, size_t len, const char *origin)
{
    return proto_handle_job(body, len, origin, NULL);
}

/* handler_env.emit_event inside work after a reply: {"id", "event", ...members}. */
static int proto_emit_event(const struct handler_env *env, const char *event, cJSON *members)
{
    struct proto_events *ev = env->proto;
    cJSON *frame = NULL, *m;
    int st;

    if (ev->st != FRAME_OK) {
        cJSON_Delete(members);
        return -1;
    }
    frame = cJSON_CreateObject();
    if (!frame ||
        !cJSON_AddItemToObject(frame, "id",
                               ev->id ? cJSON_Duplicate(ev->id, 1) : cJSON_CreateNull()) ||
        !cJSON_AddStringToObject(frame, "event", event)) {
        cJSON_Delete(frame);
        cJSON_Delete(members);
        return -1;
    }
    while (members && (m = members->child) != NULL) {
        cJSON_DetachItemViaPointer(members, m);
        if (strcmp(m->string ? m->string : "", "id") == 0 ||
            strcmp(m->string ? m->string : "", "event") == 0)
            cJSON_Delete(m); /* the envelope's own */
        else
            cJSON_AddItemToObject(frame, m->string, m);
    }
    cJSON_Delete(members);
    log_msg("event type=%s", event);
    st = proto_emit(ev->out_fd, frame);
    cJSON_Delete(frame);
    if (st != FRAME_OK)
        ev->st = st;
    return st == FRAME_OK ? 0 : -1;
}

/* Run the work a handler left for after its reply (the reply is out). A frame_status. */
static int proto_run_job(struct proto_job *job, int out_fd, const char *origin, const cJSON *id)
{
    struct proto_events ev = {out_fd, id, FRAME_OK};
    struct handler_env env = {
        origin, 0, NULL, proto_emit_event, &ev, 0, handler_extract_known, handler_extract_name};

    if (!job->fn)
        return FRAME_OK;
    job->fn(&env, job->ud);
    if (job->release)
        job->release(job->ud);
    memset(job, 0, sizeof(*job));
    return ev.st;
}

int proto_emit(int out_fd, const cJSON *reply)
{
    char *text = cJSON_PrintUnformatted(reply);
    size_t len;
    int st;

    if (!text)
        return FRAME_IO;
    len = strlen(text);
    if (len > FRAME_MAX_OUT) {
        struct err e;
        cJSON *small;
        free(text);
        err_set(&e, ERR_REPLY_TOO_LARGE,
                "the reply would exceed Chrome's 1 MiB limit for messages from a host");
        small = proto_error_reply(cJSON_GetObjectItemCaseSensitive(reply, "id"), &e);
        text = small ? cJSON_PrintUnformatted(small) : NULL;
        cJSON_Delete(small);
        if (!text)
            return FRAME_IO;
        len = strlen(text);
        if (len > FRAME_MAX_OUT) { /* an id so long that even the error does not fit */
            free(text);
            small = proto_error_reply(NULL, &e);
            text = small ? cJSON_PrintUnformatted(small) : NULL;
            cJSON_Delete(small);
            if (!text)
                return FRAME_IO;
            len = strlen(text);
        }
    }
    st = frame_write(out_fd, text, len);
    free(text);
    return st;
}

/*
 * The inbound cap: FRAME_DEFAULT_IN_CAP unless a setting says otherwise (read
 * only when needed). The setting is read only for a caller already found
 * allowed: a refused caller never makes the host open the store.
 */
static uint64_t proto_inbound_cap(uint32_t len, const char *origin)
{
    static uint64_t cap;
    const struct th_store_api *store;

    if (cap)
        return cap;
    /* a frame within the smallest cap a setting may choose needs no look-up */
    if (len <= 65536)
        return FRAME_DEFAULT_IN_CAP;
    /* the caller first: a refused one is answered forbidden_origin whatever the size */
    if (!proto_origin_allowed(origin) || !paths_store_exists())
        return FRAME_DEFAULT_IN_CAP;
    store = engine_store_api();
    cap = store && store->settings_inbound_cap ? store->settings_inbound_cap() : 0;
    if (cap == 0)
        cap = FRAME_DEFAULT_IN_CAP;
    return cap;
}

static int proto_reply_error(int out_fd, enum err_code code, const char *msg)
{
    struct err e;
    cJSON *reply;
    int st;

    err_set(&e, code, "%s", msg);
    reply = proto_error_reply(NULL, &e);
    if (!reply)
        return FRAME_IO;
    st = proto_emit(out_fd, reply);
    cJSON_Delete(reply);
    return st;
}

static int proto_exit_for(int st)
{
    switch (st) {
    case FRAME_EOF:
    case FRAME_PIPE:
        return PROTO_EXIT_OK;
    case FRAME_TRUNCATED:
        return PROTO_EXIT_TRUNCATED;
    case FRAME_STALLED:
        log_msg("a started frame did not arrive whole within the stall timeout");
        return PROTO_EXIT_TRUNCATED;
    default:
        return PROTO_EXIT_IO;
    }
}

/*
 * After a process's first reply: when the outbox's pending marker exists (a
 * stat, no library loaded), let the engine retry pending notes and reconcile
 * unknown sends. The first reply is never delayed by this.
 */
static void proto_after_first_reply(void)
{
    static int done;
    struct paths p;
    struct os_stat sb;
    struct err e;
    const struct th_engine_api *api;

    if (done)
        return;
    done = 1;
    err_clear(&e);
    if (proto_origin_state <= 0 || paths_resolve(&p, &e) != 0 || os_stat(&sb, p.pending, 1) != 0)
        return;
    api = engine_api_optional();
    if (api && api->startup_flush)
        api->startup_flush();
}

/*
 * Between two requests of a port. The first time a port stays open and idle after a
 * reply (nothing to read for PROTO_WARM_GRACE_MS: not a one-shot message, whose EOF
 * follows its reply at once), from an allowed caller with a configured store, the
 * engine opens the port's context and warms its connections; from then on, and
 * whenever the engine has background requests under way, they run while the host
 * waits for the next frame. Otherwise nothing is loaded and the host simply reads.
 */
#define PROTO_WARM_GRACE_MS 300

/* 1 when the caller was revoked while the engine waited for held-back work (the port ends). */
static int proto_idle(int in_fd, const char *origin)
{
    static int warmed;
    const struct th_engine_api *api;
    int warm = 0, r;

    if (!warmed && proto_origin_state > 0 && paths_store_exists()) {
        do
            r = os_wait_readable(in_fd, PROTO_WARM_GRACE_MS);
        while (r < 0 && errno == EINTR);
        if (r != 0)
            return 0; /* a frame, or EOF: read it */
        warmed = warm = 1;
    }
    if (!warm && !engine_loaded())
        return 0;
    api = engine_api_optional();
    if (!api || !api->port_idle)
        return 0;
    /* 2: notes the rate limit held back are not due yet; between two slices, the caller
     * check of proto_wait_frame, so that a revoked port ends within a second here too */
    for (r = api->port_idle(in_fd, warm); r == 2; r = api->port_idle(in_fd, 0))
        if (proto_origin_state > 0 && proto_origin_by_settings && proto_origin_revoked(origin))
            return 1;
    return 0;
}

/*
 * Until the next frame starts, for a caller the settings file allowed: every
 * PROTO_RECHECK_MS, one lstat of the file (no store, no key); when configure rewrote it and
 * the caller is now refused, 1: the port ends (exit 5) and proto_serve wipes and closes the
 * port's context, with no frame to answer. The stub's caller, allowed by no file, just reads.
 */
#define PROTO_RECHECK_MS 1000

static int proto_wait_frame(int in_fd, const char *origin)
{
    int r;

    while (proto_origin_state > 0 && proto_origin_by_settings) {
        r = os_wait_readable(in_fd, PROTO_RECHECK_MS); /* EINTR is retried inside */
        if (r != 0)
            return 0; /* a frame, EOF or an error: the read tells which */
        if (proto_origin_revoked(origin))
            return 1;
    }
    return 0;
}

static int proto_serve_frames(int in_fd, int out_fd, const char *origin)
{
    struct proto_job job;

    memset(&job, 0, sizeof(job));
    for (;;) {
        uint32_t len = 0;
        int st = frame_read_len(in_fd, &len), revoked;
        char *body;
        cJSON *reply;

        if (st != FRAME_OK)
            return proto_exit_for(st);
        revoked = proto_origin_revoked(origin);
        if (revoked && (len == 0 || len > FRAME_DEFAULT_IN_CAP)) {
            /* no request to echo the id of: the refusal, then the end */
            st = len ? frame_discard(in_fd, len) : FRAME_OK;
            if (st == FRAME_OK)
                st = proto_reply_error(out_fd, ERR_FORBIDDEN_ORIGIN, proto_origin_reason);
            return st == FRAME_OK ? PROTO_EXIT_REVOKED : proto_exit_for(st);
        }
        if (len == 0) {
            st = proto_reply_error(out_fd, ERR_BAD_REQUEST, "empty message");
            if (st != FRAME_OK)
                return proto_exit_for(st);
            continue;
        }
        if (len > proto_inbound_cap(len, origin)) {
            st = frame_discard(in_fd, len);
            if (st != FRAME_OK)
                return proto_exit_for(st);
            if (proto_origin_allowed(origin))
                st = proto_reply_error(out_fd, ERR_MESSAGE_TOO_LARGE,
                                       "the message is larger than the host accepts");
            else
                st = proto_reply_error(out_fd, ERR_FORBIDDEN_ORIGIN, proto_origin_reason);
            if (st != FRAME_OK)
                return proto_exit_for(st);
            continue;
        }
        body = malloc(len);
        if (!body) {
            st = frame_discard(in_fd, len);
            if (st != FRAME_OK)
                return proto_exit_for(st);
            st = proto_reply_error(out_fd, ERR_INTERNAL, "out of memory");
            if (st != FRAME_OK)
                return proto_exit_for(st);
            continue;
        }
        st = frame_read_body(in_fd, body, len);
        if (st != FRAME_OK) {
            buf_heap_free(body);
            return proto_exit_for(st);
        }
        /* again with the whole frame in: the body may have taken up to the stall timeout to
         * arrive, and what is judged is the caller as the file stands right before dispatch */
        if (!revoked)
            revoked = proto_origin_revoked(origin);
        reply = proto_handle_job(body, len, origin, &job);
        buf_heap_free(body); /* wiped: a configure frame carries credentials */
        if (!reply) {
            if (job.fn && job.release)
                job.release(job.ud);
            return PROTO_EXIT_IO;
        }
        st = proto_emit(out_fd, reply);
        if (job.fn) {
            /* the work the handler left for after its reply, even when the port is gone:
             * it finishes what the reply promised (the journal keeps it if we are killed) */
            int est =
                proto_run_job(&job, out_fd, origin, cJSON_GetObjectItemCaseSensitive(reply, "id"));
            if (st == FRAME_OK)
                st = est;
        }
        cJSON_Delete(reply);
        if (st != FRAME_OK)
            return proto_exit_for(st);
        if (revoked)
            return PROTO_EXIT_REVOKED;
        proto_after_first_reply();
        if (proto_idle(in_fd, origin) || proto_wait_frame(in_fd, origin))
            return PROTO_EXIT_REVOKED;
    }
}

int proto_serve(int in_fd, int out_fd, const char *origin)
{
    /* every cJSON block (the parsed requests, their replies, the decrypted documents of the
     * store) is wiped as it is freed: a port lives on after its secrets' last use (buf.h) */
    cJSON_Hooks hooks = {malloc, buf_heap_free};
    int rc;

    cJSON_InitHooks(&hooks);
    rc = proto_serve_frames(in_fd, out_fd, origin);

    if (engine_loaded()) {
        const struct th_engine_api *api = engine_api_optional();
        if (api && api->port_close)
            api->port_close();
    }
    return rc;
}
