/*
 * fuzz_envelope — libFuzzer target over the whole inbound path: the input is a
 * byte stream of frames fed to proto_serve() exactly as Chrome's pipe would
 * deliver it (framing, UTF-8 check, JSON, envelope, dispatch, reply framing).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "protocol.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int out = -1;
    int in = memfd_create("fuzz-in", MFD_CLOEXEC);
    const char *origin = "chrome-extension://" PROTO_STUB_EXTENSION_ID "/";

    if (out < 0)
        out = open("/dev/null", O_WRONLY | O_CLOEXEC);
    if (in < 0 || out < 0)
        abort();
    if (size && write(in, data, size) != (ssize_t)size)
        abort();
    lseek(in, 0, SEEK_SET);
    (void)proto_serve(in, out, origin);
    close(in);
    return 0;
}
