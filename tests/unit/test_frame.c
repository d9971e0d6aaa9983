/*
 * test_frame — native-messaging framing (frame.c): short reads, EINTR, both EOF
 * cases, zero length, oversize drain, the 1 MiB write limit, a closed pipe.
 * (The envelope and the reply limit of protocol.c are test_protocol.)
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "frame.h"

/* A child that writes buf to fd in pieces of `step` bytes with a pause, then exits. */
static pid_t dribble(int fd, const char *buf, size_t len, size_t step, int pause_us)
{
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        size_t off = 0;
        while (off < len) {
            size_t n = len - off < step ? len - off : step;
            ssize_t w = write(fd, buf + off, n);
            if (w <= 0)
                _exit(1);
            off += (size_t)w;
            if (pause_us)
                usleep((useconds_t)pause_us);
        }
        _exit(0);
    }
    return pid;
}

static void reap(pid_t pid)
{
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
}

static size_t put_frame(char *dst, const char *json, uint32_t len)
{
    memcpy(dst, &len, 4);
    memcpy(dst + 4, json, len);
    return 4 + len;
}

static void test_whole_frame(void **state)
{
    int p[2];
    char buf[64], body[64];
    uint32_t len = 0;
    size_t n;

    assert_int_equal(pipe(p), 0);
    n = put_frame(buf, "{\"type\":\"ping\"}", 15);
    assert_int_equal(write(p[1], buf, n), (ssize_t)n);
    close(p[1]);
    assert_int_equal(frame_read_len(p[0], &len), FRAME_OK);
    assert_int_equal(len, 15);
    assert_int_equal(frame_read_body(p[0], body, len), FRAME_OK);
    assert_memory_equal(body, "{\"type\":\"ping\"}", 15);
    assert_int_equal(frame_read_len(p[0], &len), FRAME_EOF);
    close(p[0]);
}

static volatile sig_atomic_t alarms;
static void on_alarm(int sig)
{
    (void)sig;
    alarms++;
}

static void test_short_reads_and_eintr(void **state)
{
    int p[2];
    char buf[256], body[256];
    uint32_t len = 0;
    size_t n;
    pid_t pid;
    struct sigaction sa;
    struct itimerval it = {{0, 500}, {0, 500}};

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_alarm; /* no SA_RESTART: reads return EINTR */
    assert_int_equal(sigaction(SIGALRM, &sa, NULL), 0);
    assert_int_equal(pipe(p), 0);
    n = put_frame(buf, "{\"type\":\"ping\",\"id\":\"abcdefghijklmnopqrstuvwxyz\"}", 47);
    pid = dribble(p[1], buf, n, 1, 2000);
    close(p[1]);
    alarms = 0;
    setitimer(ITIMER_REAL, &it, NULL);
    assert_int_equal(frame_read_len(p[0], &len), FRAME_OK);
    assert_int_equal(len, 47);
    assert_int_equal(frame_read_body(p[0], body, len), FRAME_OK);
    memset(&it, 0, sizeof(it));
    setitimer(ITIMER_REAL, &it, NULL);
    assert_memory_equal(body, buf + 4, 47);
    assert_true(alarms > 0); /* the signals did interrupt the reads */
    assert_int_equal(frame_read_len(p[0], &len), FRAME_EOF);
    reap(pid);
    close(p[0]);
}

static void test_eof_inside_header(void **state)
{
    int p[2];
    uint32_t len = 0;

    assert_int_equal(pipe(p), 0);
    assert_int_equal(write(p[1], "\x05\x00", 2), 2);
    close(p[1]);
    assert_int_equal(frame_read_len(p[0], &len), FRAME_TRUNCATED);
    close(p[0]);
}

static void test_eof_inside_body(void **state)
{
    int p[2];
    uint32_t len = 10;
    char body[10];

    assert_int_equal(pipe(p), 0);
    assert_int_equal(write(p[1], &len, 4), 4);
    assert_int_equal(write(p[1], "{\"ty", 4), 4);
    close(p[1]);
    assert_int_equal(frame_read_len(p[0], &len), FRAME_OK);
    assert_int_equal(frame_read_body(p[0], body, len), FRAME_TRUNCATED);
    close(p[0]);
}

static void test_discard_keeps_sync(void **state)
{
    int p[2];
    const size_t big = 3u << 20; /* 3 MiB, far beyond the pipe buffer */
    char *buf = malloc(big + 64);
    uint32_t len = (uint32_t)big, next = 0;
    char body[32];
    pid_t pid;
    size_t n;

    assert_non_null(buf);
    memcpy(buf, &len, 4);
    memset(buf + 4, 'x', big);
    n = 4 + big + put_frame(buf + 4 + big, "{\"a\":1}", 7);
    assert_int_equal(pipe(p), 0);
    pid = dribble(p[1], buf, n, 65536, 0);
    close(p[1]);
    assert_int_equal(frame_read_len(p[0], &len), FRAME_OK);
    assert_int_equal(len, big);
    assert_int_equal(frame_discard(p[0], len), FRAME_OK);
    assert_int_equal(frame_read_len(p[0], &next), FRAME_OK);
    assert_int_equal(next, 7);
    assert_int_equal(frame_read_body(p[0], body, next), FRAME_OK);
    assert_memory_equal(body, "{\"a\":1}", 7);
    reap(pid);
    close(p[0]);
    free(buf);
}

static void test_discard_truncated(void **state)
{
    int p[2];

    assert_int_equal(pipe(p), 0);
    assert_int_equal(write(p[1], "xxxx", 4), 4);
    close(p[1]);
    assert_int_equal(frame_discard(p[0], 100), FRAME_TRUNCATED);
    close(p[0]);
}

/* Read one whole frame from fd into a malloc'd buffer. */
static char *read_frame(int fd, uint32_t *len)
{
    char *body;
    assert_int_equal(frame_read_len(fd, len), FRAME_OK);
    body = malloc(*len + 1);
    assert_non_null(body);
    assert_int_equal(frame_read_body(fd, body, *len), FRAME_OK);
    body[*len] = '\0';
    return body;
}

static void test_write_limit(void **state)
{
    int p[2];
    char *json = malloc(FRAME_MAX_OUT + 1), *got;
    uint32_t len = 0;
    pid_t pid;

    assert_non_null(json);
    memset(json, ' ', FRAME_MAX_OUT + 1);
    json[0] = '"';
    json[FRAME_MAX_OUT - 1] = '"';
    assert_int_equal(pipe(p), 0);
    assert_int_equal(frame_write(p[1], json, FRAME_MAX_OUT + 1), FRAME_TOO_LARGE);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(p[0]);
        _exit(frame_write(p[1], json, FRAME_MAX_OUT) == FRAME_OK ? 0 : 1);
    }
    close(p[1]);
    got = read_frame(p[0], &len);
    assert_int_equal(len, FRAME_MAX_OUT); /* exactly 1 MiB passes, and nothing came before it */
    assert_memory_equal(got, json, FRAME_MAX_OUT);
    reap(pid);
    close(p[0]);
    free(got);
    free(json);
}

static void test_write_epipe(void **state)
{
    int p[2];

    signal(SIGPIPE, SIG_IGN);
    assert_int_equal(pipe(p), 0);
    close(p[0]);
    assert_int_equal(frame_write(p[1], "{}", 2), FRAME_PIPE);
    close(p[1]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_whole_frame),        cmocka_unit_test(test_short_reads_and_eintr),
        cmocka_unit_test(test_eof_inside_header),  cmocka_unit_test(test_eof_inside_body),
        cmocka_unit_test(test_discard_keeps_sync), cmocka_unit_test(test_discard_truncated),
        cmocka_unit_test(test_write_limit),        cmocka_unit_test(test_write_epipe),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
