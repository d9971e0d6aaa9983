/*
 * engine_api — the one typed, versioned interface between the executable and
 * the modules it loads on demand (after OpenSSH's sk-api.h).
 *
 * The executable links only libcjson, so that a process that answers `ping`
 * costs what a bare host costs. Everything needing libcurl, libsodium or
 * libsqlite3 lives in two modules next to it:
 *
 *   textus-host-store.so   libsodium only: the settings the executable needs
 *                          for the caller check and the inbound cap;
 *   textus-host-engine.so  the rest (API clients, outbox, send flow, configure,
 *                          doctor's configuration checks).
 *
 * Each module exports exactly one symbol, a constant table of typed function
 * pointers (TH_STORE_API_SYMBOL, TH_ENGINE_API_SYMBOL), which engine.c checks
 * before use: `version` must equal the executable's and `size` must equal the
 * executable's sizeof of the table, so a module from another build is a clear
 * `internal` error ("reinstall the host"), never a call through a wrong
 * pointer. No other code looks anything up by name.
 *
 * Rules for changing a table: add members at the end only, and bump the
 * version whenever a member's meaning or signature changes. A member may be
 * NULL (a module built without that part); callers treat NULL as "this
 * module cannot do that" (engine.c's engine_require() says so).
 *
 * The other direction — engine code calling core functions such as err_set,
 * log_msg, handler_string or the phone scanner — uses the executable's exported
 * symbols (ENABLE_EXPORTS), resolved by the dynamic linker at load time.
 * [core, engine, store]
 */
#ifndef TH_ENGINE_API_H
#define TH_ENGINE_API_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "cli.h"
#include "error.h"
#include "handler.h"

/* 2 and 3: struct err, which both directions pass, gained cause_len; engine 4: the report's
 * recent messages take online (they may ask TextUs for fresh delivery states) */
#define TH_STORE_API_VERSION  2
#define TH_ENGINE_API_VERSION 4
#define TH_STORE_API_SYMBOL   "textus_host_store_api"
#define TH_ENGINE_API_SYMBOL  "textus_host_engine_api"

struct doctor;

/* textus-host-store.so: the local settings the executable reads before it loads the engine. */
struct th_store_api {
    uint32_t version; /* TH_STORE_API_VERSION */
    uint32_t size;    /* sizeof(struct th_store_api) */
    /* 1 when settings.allowed_extension_ids lists ext_id (32 letters a-p). These three read
     * the settings file (allowlist.h) alone, never the store. */
    int (*settings_origin_allowed)(const char *ext_id);
    /* 1 when settings.allow_no_origin is true. */
    int (*settings_allow_no_origin)(void);
    /* settings.inbound_cap in bytes, or 0 for the default. */
    unsigned long long (*settings_inbound_cap)(void);
    /* settings.allowed_extension_ids into out (at most max); the count (doctor's fix). */
    size_t (*settings_allowed_ids)(char (*out)[33], size_t max);
    /* Move a store's allowed_extension_ids and allow_no_origin into the settings file
     * (allowlist.h) while none exists: 0 moved or nothing to move, -1 not. For the commands
     * the person runs only: the caller check never calls it (it would decrypt the store). */
    int (*settings_migrate)(void);
};

/* textus-host-engine.so: verbs, commands and the engine halves of extract and doctor. */
struct th_engine_api {
    uint32_t version; /* TH_ENGINE_API_VERSION */
    uint32_t size;    /* sizeof(struct th_engine_api) */

    /* Verbs (PROTOCOL.md), called by protocol.c. */
    handler_fn status;
    handler_fn configure;
    handler_fn send_sms;
    handler_fn flush_outbox;
    handler_fn message_status;
    handler_fn opt_out;
    handler_fn import_contact;

    /* Commands (`textus-host <command>`), called by cli.c; argv[0] is the command. */
    cli_cmd_fn cmd_configure;
    cli_cmd_fn cmd_status;
    cli_cmd_fn cmd_rekey;
    cli_cmd_fn cmd_send;
    cli_cmd_fn cmd_outbox;

    /* After a process's first reply, when the outbox's pending marker exists. */
    void (*startup_flush)(void);

    /* extract_phone's fallback: the candidate's Greenhouse numbers as {"value","type"}
     * appended to out_numbers. 0, or -1 with *e set. */
    int (*greenhouse_fallback_phones)(const char *candidate_id, cJSON *out_numbers, struct err *e);

    /* doctor: the configuration checks (online=0: no network), the support report's recent
     * messages (an array of {"line"}, caller frees; online=1: states still in flight are
     * asked of TextUs again), and a last pass blanking every
     * configured secret found in a report's text. */
    void (*doctor_config_checks)(struct doctor *d, int online);
    cJSON *(*doctor_recent_messages)(int limit, int online);
    void (*doctor_scrub)(char *text, size_t len);

    /* The conversation verb and `textus-host conversation` (conversation.c). */
    handler_fn conversation;
    cli_cmd_fn cmd_conversation;
    /* Composing (PROTOCOL.md): a scheduled send, the candidate's local time, saved replies. */
    handler_fn schedule_sms;
    handler_fn local_time;
    handler_fn saved_replies;
    /* Version 2: handler_env may let a handler work after its reply and send events. */

    /* Verb prepare_send (PROTOCOL.md). */
    handler_fn prepare_send;

    /* Between two requests of a port (protocol.c): wait until in_fd is readable (a frame
     * or EOF) while the engine's background requests run; warm: first open the port's
     * context and its connections to TextUs and Greenhouse. 1 readable, 0 nothing left
     * to run (the caller reads as usual). */
    int (*port_idle)(int in_fd, int warm);

    /* At the end of a native-messaging process: wipe and close what the port kept open. */
    void (*port_close)(void);

    /* One text to many candidates (PROTOCOL.md: bulk_send, bulk_status, bulk_cancel), and
     * `textus-host bulk`. */
    handler_fn bulk_send;
    handler_fn bulk_status;
    handler_fn bulk_cancel;
    cli_cmd_fn cmd_bulk;

    /* Verb inbox (PROTOCOL.md): the threads waiting for the recruiter, on the flush's reads. */
    handler_fn inbox;
    /* Verb bulk_preview (PROTOCOL.md): a bulk_send's confirmation, nothing sent. */
    handler_fn bulk_preview;
    /* `textus-host inbox` (cli_inbox.c). */
    cli_cmd_fn cmd_inbox;
};

#endif
