/*
 * engine — loads textus-host-engine.so, the half of the host that links
 * libcurl, libsodium and libsqlite3, on first use and only then.
 *
 * Chrome spawns a host per port or message, so start-up is a hot path: a verb
 * such as ping must not pay for loading TLS, crypto and SQL libraries. The
 * engine sits next to the executable; symbols are looked up by name. Its
 * store half (textus-host-store, libsodium only) can be loaded alone.
 */
#ifndef TH_ENGINE_H
#define TH_ENGINE_H

#include "error.h"

/*
 * The symbol `name` from the store module alone (textus-host-store: libsodium,
 * no libcurl or libsqlite3), for settings the executable needs on its own
 * (caller check, inbound cap). NULL when the module or symbol is missing.
 */
void *engine_store_sym_optional(const char *name);

/* The symbol `name` from the engine, loading it if needed; NULL with *e set (ERR_INTERNAL). */
void *engine_sym(const char *name, struct err *e);

/* Like engine_sym, but NULL without an error when the engine or symbol is missing. */
void *engine_sym_optional(const char *name);

/* 1 once the engine has been loaded by this process. */
int engine_loaded(void);

#endif
