/*
 * engine — on-demand loader for textus-host-engine.so (see engine.h).
 */
#include "engine.h"

#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#ifdef __APPLE__
#include <mach-o/dyld.h>
#endif

/* CMake names both modules .so on every platform (host/CMakeLists.txt). */
#define ENGINE_SUFFIX ".so"

/* One dlopen()ed module next to the executable. */
struct engine_module {
    const char *file;
    void *handle;
    int tried;
    char error[256];
};

static struct engine_module engine_full = {"textus-host-engine" ENGINE_SUFFIX, NULL, 0, ""};
static struct engine_module engine_store = {"textus-host-store" ENGINE_SUFFIX, NULL, 0, ""};

/* Directory of the running executable, without trailing slash. */
static int engine_exe_dir(char *out, size_t outsz)
{
    char path[PATH_MAX];
    char *slash;
#ifdef __APPLE__
    char raw[PATH_MAX];
    uint32_t sz = sizeof(raw);
    if (_NSGetExecutablePath(raw, &sz) != 0 || !realpath(raw, path))
        return -1;
#else
    ssize_t n = readlink("/proc/self/exe", path, sizeof(path) - 1);
    if (n <= 0)
        return -1;
    path[n] = '\0';
#endif
    slash = strrchr(path, '/');
    if (!slash)
        return -1;
    *slash = '\0';
    if (snprintf(out, outsz, "%s", path) >= (int)outsz)
        return -1;
    return 0;
}

static void engine_load(struct engine_module *m)
{
    char dir[PATH_MAX], path[PATH_MAX + 64];

    if (m->tried)
        return;
    m->tried = 1;
    if (engine_exe_dir(dir, sizeof(dir)) != 0) {
        snprintf(m->error, sizeof(m->error), "cannot locate the host executable");
        return;
    }
    snprintf(path, sizeof(path), "%s/%s", dir, m->file);
    m->handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!m->handle) {
        const char *why = dlerror();
        snprintf(m->error, sizeof(m->error), "cannot load %s: %s", m->file,
                 why ? why : "unknown error");
    }
}

static void *engine_module_sym(struct engine_module *m, const char *name)
{
    engine_load(m);
    if (!m->handle)
        return NULL;
    return dlsym(m->handle, name);
}

void *engine_store_sym_optional(const char *name)
{
    /* once the whole engine is loaded, its store half is loaded too */
    if (engine_full.handle)
        return engine_module_sym(&engine_full, name);
    return engine_module_sym(&engine_store, name);
}

void *engine_sym_optional(const char *name)
{
    return engine_module_sym(&engine_full, name);
}

void *engine_sym(const char *name, struct err *e)
{
    void *p = engine_sym_optional(name);

    if (!p) {
        if (!engine_full.handle)
            err_set(e, ERR_INTERNAL, "the host installation is incomplete (%s); reinstall it",
                    engine_full.error);
        else
            err_set(e, ERR_INTERNAL, "the host engine lacks %s; reinstall the host", name);
    }
    return p;
}

int engine_loaded(void)
{
    return engine_full.handle != NULL;
}
