/*
 * fake_engine_abi — a textus-host-engine.so "from another build" for
 * test_engine: its API table has the right symbol but another interface
 * version, so the executable must refuse it with a clear error, never call it.
 */
#include <stdint.h>

#include "engine_api.h"

struct th_engine_api_old {
    uint32_t version;
    uint32_t size;
    void (*only)(void);
};

const struct th_engine_api_old textus_host_engine_api = {TH_ENGINE_API_VERSION + 1,
                                                         sizeof(struct th_engine_api_old), 0};
