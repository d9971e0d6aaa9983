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

#ifdef __APPLE__
#define ENGINE_FILE "textus-host-engine.dylib"
#else
#define ENGINE_FILE "textus-host-engine.so"
#endif

static void *engine_handle;
static int engine_tried;
static char engine_error[256];

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

static void engine_load(void)
{
    char dir[PATH_MAX], path[PATH_MAX + 64];

    if (engine_tried)
        return;
    engine_tried = 1;
    if (engine_exe_dir(dir, sizeof(dir)) != 0) {
        snprintf(engine_error, sizeof(engine_error), "cannot locate the host executable");
        return;
    }
    snprintf(path, sizeof(path), "%s/%s", dir, ENGINE_FILE);
    engine_handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!engine_handle) {
        const char *why = dlerror();
        snprintf(engine_error, sizeof(engine_error), "cannot load %s: %s", ENGINE_FILE,
                 why ? why : "unknown error");
    }
}

void *engine_sym_optional(const char *name)
{
    engine_load();
    if (!engine_handle)
        return NULL;
    return dlsym(engine_handle, name);
}

void *engine_sym(const char *name, struct err *e)
{
    void *p = engine_sym_optional(name);

    if (!p) {
        if (!engine_handle)
            err_set(e, ERR_INTERNAL, "the host installation is incomplete (%s); reinstall it",
                    engine_error);
        else
            err_set(e, ERR_INTERNAL, "the host engine lacks %s; reinstall the host", name);
    }
    return p;
}

int engine_loaded(void)
{
    return engine_handle != NULL;
}
