/*
 * test_protocol — the envelope and the reply of protocol.c directly: what
 * proto_handle accepts and refuses (JSON shape, id and type, invalid UTF-8, a
 * NUL in the frame) and proto_emit's 1 MiB reply limit (exactly 1 MiB passes,
 * one byte more becomes reply_too_large). The framing underneath is test_frame;
 * the real binary through pipes is the ctest `protocol` (tests/protocol/).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include <cjson/cJSON.h>

#include "frame.h"
#include "protocol.h"

/* A reply whose serialisation is exactly `size` bytes: {"id":"x","ok":true,"result":{"p":"..."}} */
static cJSON *reply_of_size(size_t size)
{
    const size_t overhead = strlen("{\"id\":\"x\",\"ok\":true,\"result\":{\"p\":\"\"}}");
    char *pad = malloc(size - overhead + 1);
    cJSON *reply = cJSON_CreateObject(), *result;

    memset(pad, 'a', size - overhead);
    pad[size - overhead] = '\0';
    cJSON_AddStringToObject(reply, "id", "x");
    cJSON_AddTrueToObject(reply, "ok");
    result = cJSON_AddObjectToObject(reply, "result");
    cJSON_AddStringToObject(result, "p", pad);
    free(pad);
    return reply;
}

/* Everything the child wrote to fd until it closed it, in a malloc'd buffer. */
static char *read_all(int fd, size_t *len)
{
    size_t cap = FRAME_MAX_OUT + 4096, n = 0;
    char *buf = malloc(cap + 1);
    ssize_t r;

    assert_non_null(buf);
    while ((r = read(fd, buf + n, cap - n)) > 0)
        n += (size_t)r;
    assert_int_equal(r, 0);
    buf[n] = '\0';
    *len = n;
    return buf;
}

/* proto_emit of a reply of `size` bytes: exactly one frame on the wire, the reply itself or
 * (over the limit) reply_too_large for the same id. */
static void emit_and_check(size_t size, int expect_ok)
{
    int p[2], status;
    cJSON *reply = reply_of_size(size), *got;
    uint32_t len;
    size_t n;
    char *wire;
    pid_t pid;

    assert_int_equal(pipe(p), 0);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(p[0]);
        _exit(proto_emit(p[1], reply) == FRAME_OK ? 0 : 1);
    }
    close(p[1]);
    wire = read_all(p[0], &n);
    close(p[0]);
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    assert_true(n >= 4);
    memcpy(&len, wire, 4);
    assert_int_equal(n, 4 + (size_t)len); /* one frame, nothing before or after it */
    got = cJSON_ParseWithLength(wire + 4, len);
    assert_non_null(got);
    assert_string_equal(cJSON_GetObjectItem(got, "id")->valuestring, "x");
    if (expect_ok) {
        assert_int_equal(len, size);
        assert_true(cJSON_IsTrue(cJSON_GetObjectItem(got, "ok")));
    } else {
        cJSON *error = cJSON_GetObjectItem(got, "error");
        assert_true(cJSON_IsFalse(cJSON_GetObjectItem(got, "ok")));
        assert_string_equal(cJSON_GetObjectItem(error, "code")->valuestring, "reply_too_large");
    }
    cJSON_Delete(got);
    cJSON_Delete(reply);
    free(wire);
}

static void test_reply_exactly_1mib(void **state)
{
    emit_and_check(FRAME_MAX_OUT, 1);
}

static void test_reply_1mib_plus_one(void **state)
{
    emit_and_check(FRAME_MAX_OUT + 1, 0);
}

static const char *error_code_of(cJSON *reply)
{
    cJSON *error = cJSON_GetObjectItem(reply, "error");
    assert_true(cJSON_IsFalse(cJSON_GetObjectItem(reply, "ok")));
    return cJSON_GetObjectItem(error, "code")->valuestring;
}

static void check_handle(const char *body, size_t len, const char *code)
{
    cJSON *reply = proto_handle(body, len, "chrome-extension://" PROTO_STUB_EXTENSION_ID "/");
    assert_non_null(reply);
    if (code)
        assert_string_equal(error_code_of(reply), code);
    else
        assert_true(cJSON_IsTrue(cJSON_GetObjectItem(reply, "ok")));
    cJSON_Delete(reply);
}

static void test_envelope_rules(void **state)
{
    check_handle("{\"type\":\"ping\"}", 15, NULL);
    check_handle("{\"type\":\"ping\"} \n", 17, NULL);
    check_handle("", 0, "bad_request");
    check_handle("{\"type\":\"ping\"}x", 16, "bad_request");
    check_handle("[1,2]", 5, "bad_request");
    check_handle("\"ping\"", 6, "bad_request");
    check_handle("{\"type\":7}", 10, "bad_request");
    check_handle("{\"id\":1}", 8, "bad_request");
    check_handle("{\"id\":true,\"type\":\"ping\"}", 25, "bad_request");
    check_handle("{\"type\":\"nope\"}", 15, "unknown_type");
    /* invalid UTF-8: a lone continuation byte, an overlong slash, a surrogate */
    check_handle("{\"type\":\"ping\",\"x\":\"\x80\"}", 23, "bad_request");
    check_handle("{\"type\":\"ping\",\"x\":\"\xc0\xaf\"}", 24, "bad_request");
    check_handle("{\"type\":\"ping\",\"x\":\"\xed\xa0\x80\"}", 25, "bad_request");
    check_handle("{\"type\":\"ping\",\"x\":\"\xf0\x9f\x98\x80\"}", 26, NULL);
    /* a NUL inside the frame is not JSON */
    check_handle("{\"type\":\"ping\"}\0", 16, "bad_request");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reply_exactly_1mib),
        cmocka_unit_test(test_reply_1mib_plus_one),
        cmocka_unit_test(test_envelope_rules),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
