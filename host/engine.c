/*
 * engine — on-demand loader for the modules behind engine_api.h (see engine.h).
 * [core]
 */
#include "engine.h"

#include <stdio.h>
#include <string.h>

#include "os.h"

/* Room for the executable's folder (Windows paths may be longer than POSIX's PATH_MAX). */
#define ENGINE_PATH_MAX 4096

/*
 * A build made without the engine modules (the Windows build so far: cmake/windows/) names
 * why at compile time; every engine verb then answers that, never "reinstall".
 */
#ifndef TH_ENGINE_ABSENT
#define TH_ENGINE_ABSENT NULL
#endif
static const char *const engine_absent = TH_ENGINE_ABSENT;

/*
 * A build that links the engine and the store INTO the executable (the Windows build,
 * cmake/windows/: one static .exe, no module to load) defines TH_ENGINE_LINKED: the tables
 * are then taken from the linked-in code, with the same checks, on first use as before.
 */
#ifdef TH_ENGINE_LINKED
extern const struct th_engine_api textus_host_engine_api;
extern const struct th_store_api textus_host_store_api;
#define ENGINE_LINKED_FULL  ((const void *)&textus_host_engine_api)
#define ENGINE_LINKED_STORE ((const void *)&textus_host_store_api)
#else
#define ENGINE_LINKED_FULL  NULL
#define ENGINE_LINKED_STORE NULL
#endif

/* CMake names both modules .so on every platform (host/CMakeLists.txt). */
#define ENGINE_SUFFIX ".so"

/* One dlopen()ed module next to the executable, and its checked API table. */
struct engine_module {
    const char *file;
    const char *symbol;
    uint32_t version; /* what this executable was built with */
    uint32_t size;
    void *handle;
    const void *api;    /* set once the table passed the checks */
    const void *linked; /* the table linked into the executable (TH_ENGINE_LINKED), or NULL */
    int tried;
    char error[320];
};

static struct engine_module engine_full = {"textus-host-engine" ENGINE_SUFFIX,
                                           TH_ENGINE_API_SYMBOL,
                                           TH_ENGINE_API_VERSION,
                                           sizeof(struct th_engine_api),
                                           NULL,
                                           NULL,
                                           ENGINE_LINKED_FULL,
                                           0,
                                           ""};
static struct engine_module engine_store = {"textus-host-store" ENGINE_SUFFIX,
                                            TH_STORE_API_SYMBOL,
                                            TH_STORE_API_VERSION,
                                            sizeof(struct th_store_api),
                                            NULL,
                                            NULL,
                                            ENGINE_LINKED_STORE,
                                            0,
                                            ""};

/* Both tables start with these two members. */
struct engine_api_head {
    uint32_t version;
    uint32_t size;
};

/* Load the module once and check its table; m->api stays NULL (with m->error) on any failure. */
static void engine_load(struct engine_module *m)
{
    char dir[ENGINE_PATH_MAX], path[ENGINE_PATH_MAX + 64], why[256];
    const struct engine_api_head *head;

    if (m->tried)
        return;
    m->tried = 1;
    if (engine_absent) {
        snprintf(m->error, sizeof(m->error), "%s", engine_absent);
        return;
    }
    if (m->linked) {
        m->handle = m; /* "loaded": in use from now on (engine_loaded) */
        head = m->linked;
        goto check;
    }
    if (os_exe_dir(dir, sizeof(dir)) != 0) {
        snprintf(m->error, sizeof(m->error), "cannot locate the host executable");
        return;
    }
    snprintf(path, sizeof(path), "%s/%s", dir, m->file);
    m->handle = os_module_open(path, why, sizeof(why));
    if (!m->handle) {
        snprintf(m->error, sizeof(m->error), "cannot load %s: %s", m->file, why);
        return;
    }
    head = os_module_symbol(m->handle, m->symbol);
    if (!head) {
        snprintf(m->error, sizeof(m->error), "%s has no %s table (a module from another build)",
                 m->file, m->symbol);
        return;
    }
check:
    if (head->version != m->version || head->size != m->size) {
        snprintf(m->error, sizeof(m->error),
                 "%s is from another build (interface version %u, %u bytes; this host needs "
                 "version %u, %u bytes)",
                 m->file, (unsigned)head->version, (unsigned)head->size, (unsigned)m->version,
                 (unsigned)m->size);
        return;
    }
    m->api = head;
}

const struct th_engine_api *engine_api_optional(void)
{
    engine_load(&engine_full);
    return engine_full.api;
}

const struct th_engine_api *engine_api(struct err *e)
{
    const struct th_engine_api *api = engine_api_optional();

    if (!api && engine_absent)
        err_set(e, ERR_INTERNAL, "this build of the host has no engine: %s", engine_absent);
    else if (!api)
        err_set(e, ERR_INTERNAL, "the host installation is incomplete (%s); reinstall it",
                engine_full.error);
    return api;
}

const struct th_store_api *engine_store_api(void)
{
    engine_load(&engine_store);
    return engine_store.api;
}

void engine_missing(struct err *e, const char *what)
{
    err_set(e, ERR_INTERNAL, "the host engine lacks %s; reinstall the host", what);
}

int engine_loaded(void)
{
    return engine_full.handle != NULL;
}
