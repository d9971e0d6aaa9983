/*
 * echo_host — the physical floor for spawn benchmarks: a bare native-messaging
 * host that links nothing but libc, reads frames and answers each with a fixed
 * ping-shaped reply. textus-host's cold start is measured against it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int echo_read(int fd, void *buf, size_t len)
{
    size_t off = 0;

    while (off < len) {
        ssize_t n = read(fd, (char *)buf + off, len - off);
        if (n <= 0)
            return -1;
        off += (size_t)n;
    }
    return 0;
}

int main(void)
{
    static const char reply[] =
        "{\"id\":null,\"ok\":true,\"result\":{\"version\":\"0\",\"protocol\":1}}";
    uint32_t len, rlen = sizeof(reply) - 1;
    char out[4 + sizeof(reply)];

    memcpy(out, &rlen, 4);
    memcpy(out + 4, reply, rlen);
    while (echo_read(0, &len, 4) == 0) {
        char *body = malloc(len ? len : 1);
        if (!body || echo_read(0, body, len) != 0)
            return 1;
        free(body);
        if (write(1, out, 4 + rlen) != (ssize_t)(4 + rlen))
            return 1;
    }
    return 0;
}
