/*
 * fuzz_envelope — libFuzzer target over the whole inbound path: the input is a
 * byte stream of frames fed to proto_serve() exactly as Chrome's pipe would
 * deliver it (framing, UTF-8 check, JSON, envelope, dispatch, reply framing).
 * The same bytes are also handled as one message body (proto_handle), and a
 * success there aborts when the text holds U+0000 or a raw control character,
 * which the host must refuse before any verb runs. That check is written
 * differently from the host's (it counts the backslashes before "u0000"
 * instead of following string state), so the two keep each other honest.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "protocol.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * 1 when the text holds a "\u0000" escape (an odd run of backslashes before
 * "u0000": outside a string a backslash is not JSON at all) or a byte below
 * 0x20 other than tab, LF and CR.
 */
static int fz_has_nul_or_control(const uint8_t *d, size_t n)
{
    size_t i, k;

    for (i = 0; i < n; i++) {
        if (d[i] < 0x20 && d[i] != '\t' && d[i] != '\n' && d[i] != '\r')
            return 1;
        if (i + 5 <= n && memcmp(d + i, "u0000", 5) == 0) {
            for (k = 0; k < i && d[i - 1 - k] == '\\'; k++)
                ;
            if (k % 2 == 1)
                return 1;
        }
    }
    return 0;
}

static void fz_one_body(const uint8_t *data, size_t size, const char *origin)
{
    cJSON *reply = proto_handle((const char *)data, size, origin);
    const cJSON *ok = cJSON_GetObjectItemCaseSensitive(reply, "ok");

    if (!reply)
        abort();
    if (cJSON_IsTrue(ok) && fz_has_nul_or_control(data, size))
        abort(); /* a request holding U+0000 or a raw control character was served */
    cJSON_Delete(reply);
}

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
    fz_one_body(data, size, origin);
    return 0;
}
