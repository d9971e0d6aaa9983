/*
 * spawn_ping — measures what Chrome pays per port: spawn a host with the stub
 * origin, send one ping frame, wait for the reply, close stdin, reap. Prints
 * the median and p90 wall time over N runs in microseconds.
 *
 * usage: spawn_ping N HOST [ARG...]
 */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double spawn_now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int spawn_cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static int spawn_read(int fd, void *buf, size_t len)
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

static double spawn_once(char **argv)
{
    static const char req[] = "{\"type\":\"ping\",\"id\":1}";
    int in[2], out[2], status;
    uint32_t len = sizeof(req) - 1;
    char frame[4 + sizeof(req)], reply[4096];
    double t0 = spawn_now_us(), t1;
    pid_t pid;

    if (pipe(in) != 0 || pipe(out) != 0)
        exit(1);
    pid = fork();
    if (pid < 0)
        exit(1);
    if (pid == 0) {
        dup2(in[0], 0);
        dup2(out[1], 1);
        close(in[0]);
        close(in[1]);
        close(out[0]);
        close(out[1]);
        execv(argv[0], argv);
        _exit(127);
    }
    close(in[0]);
    close(out[1]);
    memcpy(frame, &len, 4);
    memcpy(frame + 4, req, len);
    if (write(in[1], frame, 4 + len) != (ssize_t)(4 + len))
        exit(1);
    if (spawn_read(out[0], &len, 4) != 0 || len >= sizeof(reply) ||
        spawn_read(out[0], reply, len) != 0) {
        fprintf(stderr, "spawn_ping: no reply from %s\n", argv[0]);
        exit(1);
    }
    t1 = spawn_now_us();
    close(in[1]);
    close(out[0]);
    waitpid(pid, &status, 0);
    return t1 - t0;
}

int main(int argc, char **argv)
{
    int n, i;
    double *t;
    char *end = NULL;

    if (argc < 3) {
        fprintf(stderr, "usage: spawn_ping N HOST [ARG...]\n");
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    n = (int)strtol(argv[1], &end, 10);
    if (n <= 0 || !end || *end)
        return 2;
    t = calloc((size_t)n, sizeof(*t));
    if (!t)
        return 1;
    for (i = 0; i < 5; i++) /* warm the page cache */
        (void)spawn_once(argv + 2);
    for (i = 0; i < n; i++)
        t[i] = spawn_once(argv + 2);
    qsort(t, (size_t)n, sizeof(*t), spawn_cmp);
    printf("%.1f %.1f\n", t[n / 2], t[(n * 9) / 10]);
    free(t);
    return 0;
}
