/*
 * engine — loads the modules behind engine_api.h (textus-host-store.so,
 * textus-host-engine.so) next to the executable, on first use and only then,
 * and checks each one's API table before handing it out.
 *
 * Chrome spawns a host per port or message, so start-up is a hot path: a verb
 * such as ping must not pay for loading TLS, crypto and SQL libraries.
 * [core]
 */
#ifndef TH_ENGINE_H
#define TH_ENGINE_H

#include "engine_api.h"
#include "error.h"

/*
 * The engine's API table, loading the module if needed. NULL with *e set
 * (ERR_INTERNAL: the module is missing, cannot be loaded, or is from another
 * build — the message says which and to reinstall).
 */
const struct th_engine_api *engine_api(struct err *e) TH_WUR;

/* The same, without an error: NULL when the engine is missing or unusable. */
const struct th_engine_api *engine_api_optional(void);

/*
 * The store module's API table (libsodium only, no libcurl or libsqlite3),
 * or NULL when it is missing or unusable. Once the engine is loaded this is
 * the same module the engine itself uses.
 */
const struct th_store_api *engine_store_api(void);

/* Set ERR_INTERNAL: the loaded engine has no `what` (a module built without it). */
void engine_missing(struct err *e, const char *what);

/* 1 once the engine has been loaded by this process. */
int engine_loaded(void);

#endif
