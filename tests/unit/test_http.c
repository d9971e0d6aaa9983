/*
 * test_http — the http module: header parsers (Link, Retry-After), the wait a
 * rate-limited answer asks for (Retry-After, else X-RateLimit-Reset), the URL policy
 * (refused before any network), same-origin pagination links, the 8 MiB body cap,
 * retries of GETs on dropped connections, "not sent" vs "may have reached the
 * server", TLS (untrusted CA refused, configured CA accepted, wrong host name
 * refused), one connection per API across many calls, nothing from a response
 * body on stdout (a child whose fd 1 is a pipe), and the Retry-After hold file
 * (a hold written by one process is honoured by the next; damage is ignored), and
 * http_drop_connections (the next request connects anew).
 */
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "fakes_harness.h"
#include "greenhouse.h"
#include "http.h"
#include "log.h"
#include "textus.h"

static struct fk F;

static int setup(void **state)
{
    (void)state;
    return fk_start(&F, NULL, NULL);
}

static int teardown(void **state)
{
    (void)state;
    http_cleanup();
    fk_stop(&F);
    return 0;
}

static int reset(void **state)
{
    (void)state;
    http_hold_reset(); /* each case starts with no Retry-After hold from an earlier one */
    return fk_reset(&F);
}

static void test_holds_parser(void **state)
{
    static const char text[] = "garbage\n"
                               "1795000000000 http://127.0.0.1:1\n"
                               "1795000009000 http://127.0.0.1:1\n"
                               " 1795000099000 http://127.0.0.1:1\n" /* not a line */
                               "1795000005000 http://127.0.0.1:2\n"
                               "1795000001000 http://127.0.0.1:10\n"
                               "17950000010009999999 http://127.0.0.1:3\n"
                               "1795000001000 https://x:1";
    (void)state;
    assert_true(http_parse_holds(text, sizeof(text) - 1, "http://127.0.0.1:1") == 1795000009000LL);
    assert_true(http_parse_holds(text, sizeof(text) - 1, "http://127.0.0.1:2") == 1795000005000LL);
    assert_true(http_parse_holds(text, sizeof(text) - 1, "http://127.0.0.1:3") == 0);
    assert_true(http_parse_holds(text, sizeof(text) - 1, "https://x:1") == 1795000001000LL);
    assert_true(http_parse_holds(text, sizeof(text) - 1, "http://127.0.0.1") == 0);
    assert_true(http_parse_holds("", 0, "http://127.0.0.1:1") == 0);
}

static void test_windows_parser(void **state)
{
    static const char text[] = "garbage\n"
                               "1795000000000 1795000010000 40 50 http://127.0.0.1:1\n"
                               "1795000002000 1795000010000 3 50 http://127.0.0.1:1\n"
                               "1795000001000 1795000010000 45 50 http://127.0.0.1:1\n"
                               "1795000003000 1795000010000 3 http://127.0.0.1:1\n" /* short */
                               " 1795000004000 1795000010000 1 50 http://127.0.0.1:1\n"
                               "1795000000500 1795000300000 900 1000 https://x:1";
    long long reset = 0, rem = 0, lim = 0;

    (void)state;
    /* the latest observation wins, damaged lines are skipped */
    assert_true(http_parse_window(text, sizeof(text) - 1, "http://127.0.0.1:1", &reset, &rem,
                                  &lim) == 1795000002000LL);
    assert_true(reset == 1795000010000LL && rem == 3 && lim == 50);
    assert_true(http_parse_window(text, sizeof(text) - 1, "https://x:1", &reset, &rem, &lim) ==
                1795000000500LL);
    assert_true(reset == 1795000300000LL && rem == 900 && lim == 1000);
    assert_true(
        http_parse_window(text, sizeof(text) - 1, "http://127.0.0.1:2", &reset, &rem, &lim) == 0);
    assert_true(http_parse_window("", 0, "http://127.0.0.1:1", &reset, &rem, &lim) == 0);
}

static void test_link_parser(void **state)
{
    char out[256];
    const char *v1 = "<https://h/v1/users?page=2&per_page=1>; rel=\"next\", "
                     "<https://h/v1/users?page=1&per_page=1>; rel=\"prev\", "
                     "<https://h/v1/users?page=9&per_page=1>; rel=\"last\"";
    const char *rev = "<https://h/a?x=1,2>; rel=\"last\", <https://h/b?c=a,b>; rel=next";
    const char *multi = "<https://h/c>; title=\"a, b; c\"; rel=\"prev next\"";

    (void)state;
    assert_int_equal(http_parse_link_next(v1, strlen(v1), out, sizeof(out)), 0);
    assert_string_equal(out, "https://h/v1/users?page=2&per_page=1");
    assert_int_equal(http_parse_link_next(rev, strlen(rev), out, sizeof(out)), 0);
    assert_string_equal(out, "https://h/b?c=a,b");
    assert_int_equal(http_parse_link_next(multi, strlen(multi), out, sizeof(out)), 0);
    assert_string_equal(out, "https://h/c");
    assert_int_equal(http_parse_link_next("<https://h/p>; rel=\"prev\"", 25, out, sizeof(out)), -1);
    assert_int_equal(http_parse_link_next("garbage", 7, out, sizeof(out)), -1);
    assert_int_equal(http_parse_link_next("<x", 2, out, sizeof(out)), -1);
    assert_int_equal(http_parse_link_next(v1, strlen(v1), out, 8), -1); /* too small */
}

static void test_retry_after_parser(void **state)
{
    long long now = 1795000000LL;

    (void)state;
    assert_int_equal(http_parse_retry_after("7", 1, now), 7000);
    assert_int_equal(http_parse_retry_after(" 0 ", 3, now), 0);
    assert_int_equal(http_parse_retry_after("99999999999999", 14, now), 86400000L);
    assert_int_equal(http_parse_retry_after("soon", 4, now), -1);
    assert_int_equal(http_parse_retry_after("", 0, now), -1);
    /* HTTP-date 30 s after 'now' (1795000000 = Wed, 18 Nov 2026 11:06:40 GMT) */
    assert_int_equal(http_parse_retry_after("Wed, 18 Nov 2026 11:07:10 GMT", 29, now), 30000);
    assert_int_equal(http_parse_retry_after("Wed, 18 Nov 2026 11:00:00 GMT", 29, now), 0);
}

/* How long a rate-limited answer asks to wait: Retry-After first, then X-RateLimit-Reset. */
static void test_response_wait(void **state)
{
    long long now = 1795000000LL;
    struct http_response r;

    (void)state;
    memset(&r, 0, sizeof(r));
    r.retry_after_ms = 1500;
    r.rl_reset = now + 9;
    assert_int_equal(http_response_wait_ms(&r, now), 1500);
    r.retry_after_ms = -1;
    assert_int_equal(http_response_wait_ms(&r, now), 9000);
    r.rl_reset = now + 86400; /* a day or more away: not believed */
    assert_int_equal(http_response_wait_ms(&r, now), 0);
    r.rl_reset = now - 1; /* already past */
    assert_int_equal(http_response_wait_ms(&r, now), 0);
    r.rl_reset = -1;
    assert_int_equal(http_response_wait_ms(&r, now), 0);
}

static void test_url_policy(void **state)
{
    struct err e;
    char out[HTTP_URL_MAX], esc[64];
    struct http_request rq;
    struct http_response r;

    (void)state;
    err_clear(&e);
    assert_int_equal(http_url_allowed("https://next.textus.com", &e), 0);
    assert_int_equal(http_url_allowed("http://127.0.0.1:8080/x", &e), 0);
    assert_int_equal(http_url_allowed("http://127.9.9.9/", &e), 0);
    assert_int_equal(http_url_allowed("http://localhost:1/", &e), 0);
    assert_int_equal(http_url_allowed("http://[::1]:8080/", &e), 0);
    assert_int_equal(http_url_allowed("http://example.com/", &e), -1);
    assert_int_equal(e.code, ERR_INVALID_CONFIG);
    assert_int_equal(http_url_allowed("http://127.0.0.1.evil.example/", &e), -1);
    assert_int_equal(http_url_allowed("http://128.0.0.1/", &e), -1);
    assert_int_equal(http_url_allowed("ftp://127.0.0.1/", &e), -1);
    assert_int_equal(http_url_allowed("file:///etc/passwd", &e), -1);
    assert_int_equal(http_url_allowed("https://user:pw@next.textus.com/", &e), -1);
    assert_int_equal(http_url_allowed("https://next.textus.com/a b", &e), -1);

    /* refused before any network: no attempt at all */
    memset(&rq, 0, sizeof(rq));
    rq.method = HTTP_POST;
    rq.url = "http://203.0.113.7/messages";
    rq.body = "{}";
    rq.body_len = 2;
    assert_int_equal(http_request(&rq, &r, &e), -1);
    assert_int_equal(e.code, ERR_INVALID_CONFIG);
    assert_int_equal(r.attempts, 0);
    http_response_free(&r);

    assert_int_equal(http_url_same_origin("https://h:1", "/v1/x?page=2", out, sizeof(out), &e), 0);
    assert_string_equal(out, "https://h:1/v1/x?page=2");
    assert_int_equal(
        http_url_same_origin("https://h:1/base", "https://h:1/v3/x?cursor=Q", out, sizeof(out), &e),
        0);
    assert_string_equal(out, "https://h:1/v3/x?cursor=Q");
    assert_int_equal(http_url_same_origin("https://h:1", "https://h:2/x", out, sizeof(out), &e),
                     -1);
    assert_int_equal(e.code, ERR_UPSTREAM_INVALID);
    assert_int_equal(http_url_same_origin("https://h", "http://h/x", out, sizeof(out), &e), -1);
    assert_int_equal(http_url_same_origin("https://h", "https://evil/x", out, sizeof(out), &e), -1);
    assert_int_equal(http_url_same_origin("https://h", "//evil/x", out, sizeof(out), &e), -1);
    assert_int_equal(http_url_same_origin("https://h", "/x\r\nHost: evil", out, sizeof(out), &e),
                     -1);

    assert_int_equal(http_escape("+1 303/a@b.c~_-", esc, sizeof(esc)), 0);
    assert_string_equal(esc, "%2B1%20303%2Fa%40b.c~_-");
    assert_int_equal(http_escape("abcdef", esc, 4), -1);
}

static void get(const char *path, struct http_response *r, struct err *e, int expect)
{
    char url[256];
    struct http_request rq;
    struct http_opts o;

    memset(&o, 0, sizeof(o));
    o.backoff_base_ms = 20;
    snprintf(url, sizeof(url), "%s%s", F.textus, path);
    memset(&rq, 0, sizeof(rq));
    rq.method = HTTP_GET;
    rq.url = url;
    rq.idempotent = 1;
    rq.opts = &o;
    assert_int_equal(http_request(&rq, r, e), expect);
}

/* A one-shot local server (child process) answering every request with n bytes of 'a',
 * with a Content-Length or chunked; exits with the number of requests it saw once idle 1 s. */
static pid_t big_server(size_t n, int chunked, int *port)
{
    struct sockaddr_in a;
    socklen_t al = sizeof(a);
    int s = socket(AF_INET, SOCK_STREAM, 0);
    pid_t pid;

    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(s, (struct sockaddr *)&a, sizeof(a)), 0);
    assert_int_equal(listen(s, 8), 0);
    assert_int_equal(getsockname(s, (struct sockaddr *)&a, &al), 0);
    *port = ntohs(a.sin_port);
    fflush(NULL);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        static char chunk[65536];
        int served = 0;
        signal(SIGPIPE, SIG_IGN);
        memset(chunk, 'a', sizeof(chunk));
        for (;;) {
            struct pollfd pf = {s, POLLIN, 0};
            char req[4096], hdr[128];
            size_t left = n;
            int c;
            if (poll(&pf, 1, 1000) <= 0)
                _exit(served);
            c = accept(s, NULL, NULL);
            if (c < 0)
                _exit(100);
            if (read(c, req, sizeof(req)) <= 0) {
                close(c);
                continue;
            }
            served++;
            if (chunked)
                snprintf(hdr, sizeof(hdr),
                         "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
                         "Connection: close\r\n\r\n");
            else
                snprintf(hdr, sizeof(hdr),
                         "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n"
                         "Connection: close\r\n\r\n",
                         n);
            if (write(c, hdr, strlen(hdr)) < 0)
                left = 0;
            while (left > 0) {
                size_t k = left < sizeof(chunk) ? left : sizeof(chunk);
                if (chunked) {
                    snprintf(hdr, sizeof(hdr), "%zx\r\n", k);
                    if (write(c, hdr, strlen(hdr)) < 0)
                        break;
                }
                if (write(c, chunk, k) < 0 || (chunked && write(c, "\r\n", 2) < 0))
                    break;
                left -= k;
            }
            if (chunked && left == 0 && write(c, "0\r\n\r\n", 5) < 0)
                left = 1;
            close(c);
        }
    }
    close(s);
    return pid;
}

static void cap_case(size_t n, int chunked, int expect_ok)
{
    char url[128];
    struct http_request rq;
    struct http_response r;
    struct http_opts o;
    struct err e;
    int port, st = 0;
    pid_t pid = big_server(n, chunked, &port);

    err_clear(&e);
    snprintf(url, sizeof(url), "http://127.0.0.1:%d/big", port);
    memset(&o, 0, sizeof(o));
    o.backoff_base_ms = 20;
    memset(&rq, 0, sizeof(rq));
    rq.method = HTTP_GET;
    rq.url = url;
    rq.idempotent = 1;
    rq.opts = &o;
    if (expect_ok) {
        assert_int_equal(http_request(&rq, &r, &e), 0);
        assert_int_equal(r.status, 200);
        assert_int_equal(r.body_len, n);
        assert_int_equal(r.body[n], '\0');
        assert_true(r.body[0] == 'a' && r.body[n - 1] == 'a');
        /* answers may hold tokens: kept in a secret buffer (wiped as it grows and when freed) */
        assert_true(r.body == r.body_buf.data && (r.body_buf.flags & BUF_SECRET));
    } else {
        assert_int_equal(http_request(&rq, &r, &e), -1);
        assert_int_equal(e.code, ERR_UPSTREAM_INVALID);
        assert_non_null(strstr(e.message, "larger than"));
    }
    http_response_free(&r);
    http_cleanup(); /* the server closes anyway */
    assert_int_equal(waitpid(pid, &st, 0), pid);
    assert_true(WIFEXITED(st));
    assert_int_equal(WEXITSTATUS(st), 1); /* one request: an oversized body is not retried */
}

static void test_body_cap(void **state)
{
    (void)state;
    cap_case(1024u * 1024u, 0, 1);
    cap_case(HTTP_BODY_MAX, 1, 1);        /* exactly the cap is fine */
    cap_case(HTTP_BODY_MAX + 1, 0, 0);    /* refused from Content-Length */
    cap_case(HTTP_BODY_MAX + 4096, 1, 0); /* refused while streaming (no length) */
}

static void test_dropped_get_is_retried(void **state)
{
    struct http_response r;
    struct err e;
    int since = fk_last_seq(&F);

    (void)state;
    err_clear(&e);
    assert_int_equal(fk_fault(&F,
                              "{\"server\":\"textus\",\"method\":\"GET\",\"path_re\":\"^/ping$\","
                              "\"action\":\"drop_before\"}"),
                     0);
    get("/ping", &r, &e, 0);
    assert_int_equal(r.status, 401); /* the fake's answer to the unauthenticated retry */
    assert_int_equal(r.attempts, 2);
    assert_true(r.retry_after_ms == -1);
    assert_true(r.rl_limit > 0 && r.rl_remaining >= 0 && r.rl_reset > 0); /* X-RateLimit-* */
    assert_int_equal(fk_count(&F, "textus", "GET", "/ping", since), 2);
    http_response_free(&r);
}

static void test_not_sent_vs_maybe_sent(void **state)
{
    struct sockaddr_in a;
    socklen_t al = sizeof(a);
    int s = socket(AF_INET, SOCK_STREAM, 0), since;
    char url[128];
    struct http_request rq;
    struct http_response r;
    struct http_opts o;
    struct err e;

    (void)state;
    err_clear(&e);
    /* a port nobody listens on: connection refused -> certainly not sent */
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(s, (struct sockaddr *)&a, sizeof(a)), 0);
    assert_int_equal(getsockname(s, (struct sockaddr *)&a, &al), 0);
    close(s);
    snprintf(url, sizeof(url), "http://127.0.0.1:%d/acme/messages", ntohs(a.sin_port));
    memset(&o, 0, sizeof(o));
    memset(&rq, 0, sizeof(rq));
    rq.method = HTTP_POST;
    rq.url = url;
    rq.body = "{}";
    rq.body_len = 2;
    rq.opts = &o;
    assert_int_equal(http_request(&rq, &r, &e), -1);
    assert_int_equal(e.code, ERR_UPSTREAM_UNAVAILABLE);
    assert_true(e.retryable);
    assert_int_equal(r.outcome, HTTP_NOT_SENT);
    assert_non_null(strstr(e.message, "not sent"));
    http_response_free(&r);

    /* a server slower than the total timeout after the POST went out -> maybe sent */
    assert_int_equal(fk_fault(&F, "{\"server\":\"textus\",\"method\":\"POST\",\"path_re\":"
                                  "\"^/slow$\",\"action\":{\"delay_ms\":1500}}"),
                     0);
    snprintf(url, sizeof(url), "%s/slow", F.textus);
    o.total_timeout_ms = 400;
    since = fk_last_seq(&F);
    assert_int_equal(http_request(&rq, &r, &e), -1);
    assert_int_equal(e.code, ERR_OUTCOME_UNKNOWN);
    assert_int_equal(r.outcome, HTTP_MAYBE_SENT);
    http_response_free(&r);
    sleep(2); /* let the fake finish and record it */
    assert_int_equal(fk_count(&F, "textus", "POST", "/slow", since), 1);
}

static void tls_case(const char *tls_dir, const char *cert, int with_ca, int expect_ok,
                     int handshake_fails)
{
    struct fk T;
    struct textus_config c;
    cJSON *arr = cJSON_CreateArray();
    char ca[600];
    struct err e;
    int rc;

    fk_cert_name = cert;
    assert_int_equal(fk_start(&T, tls_dir, NULL), 0);
    fk_cert_name = "server";
    assert_string_equal(T.scheme, "https");
    snprintf(ca, sizeof(ca), "%s/ca.pem", tls_dir);
    memset(&c, 0, sizeof(c));
    c.base_url = T.textus;
    c.token = "tok_alice_FAKE_0001";
    c.account = "acme";
    c.http.ca_file = with_ca ? ca : NULL;
    c.http.backoff_base_ms = 20;
    err_clear(&e);
    rc = textus_list_accounts(&c, arr, &e);
    if (expect_ok) {
        assert_int_equal(rc, 0);
        assert_int_equal(cJSON_GetArraySize(arr), 3);
        assert_int_equal(fk_conn(&T, "textus", "tls_failures"), 0);
    } else {
        assert_int_equal(rc, -1);
        assert_int_equal(e.code, ERR_UPSTREAM_UNAVAILABLE);
        assert_false(e.retryable);
        assert_non_null(strstr(e.message, "not trusted"));
        if (handshake_fails) {
            int i, fails = 0; /* the fake counts the failed handshake in its own thread */
            for (i = 0; i < 40 && fails < 1; i++) {
                struct timespec ts = {0, 50000000L};
                fails = fk_conn(&T, "textus", "tls_failures");
                if (fails < 1)
                    nanosleep(&ts, NULL);
            }
            assert_true(fails >= 1);
        }
        assert_int_equal(fk_count(&T, "textus", NULL, NULL, 0), 0); /* nothing got through */
    }
    cJSON_Delete(arr);
    fk_stop(&T);
}

static void test_tls(void **state)
{
    char dir[256], cmd[1024];

    (void)state;
    snprintf(dir, sizeof(dir), "%s/th-certs.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    assert_non_null(mkdtemp(dir));
    snprintf(cmd, sizeof(cmd), "sh '%s/mkcerts.sh' '%s' >/dev/null", fk_fakes_dir(), dir);
    assert_int_equal(system(cmd), 0);
    tls_case(dir, "server", 0, 0, 1); /* unknown CA: refused in the handshake */
    tls_case(dir, "server", 1, 1, 0); /* the configured CA file: accepted */
    /* trusted CA, wrong name: libcurl checks the name after the handshake, then hangs up */
    tls_case(dir, "wronghost", 1, 0, 0);
    tls_case(dir, "selfsigned", 1, 0, 1);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

static void test_one_connection_per_api(void **state)
{
    struct textus_config t;
    struct gh_config g;
    struct gh_client *c = NULL;
    struct err e;
    int b_t, b_h, b_a, i, opted;
    cJSON *arr = cJSON_CreateArray();

    (void)state;
    err_clear(&e);
    memset(&t, 0, sizeof(t));
    t.base_url = F.textus;
    t.token = "tok_alice_FAKE_0001";
    t.account = "acme";
    memset(&g, 0, sizeof(g));
    g.base_url = F.harvest;
    g.auth_url = F.auth;
    g.client_id = "client_FAKE_0001";
    g.client_secret = "csecret_FAKE_0001";
    g.user_email = "alice@acme.example";
    assert_int_equal(gh_client_new(&c, &g, &e), 0);
    http_cleanup();
    b_t = fk_conn(&F, "textus", "api");
    b_h = fk_conn(&F, "harvest", "api");
    b_a = fk_conn(&F, "auth", "api");
    for (i = 0; i < 10; i++) {
        assert_int_equal(textus_get_opt_out(&t, "+13035550177", &opted, &e), 0);
        assert_int_equal(gh_candidate_phones(c, "1001", arr, &e), 0);
    }
    assert_int_equal(fk_conn(&F, "textus", "api") - b_t, 1);
    assert_int_equal(fk_conn(&F, "harvest", "api") - b_h, 1);
    assert_int_equal(fk_conn(&F, "auth", "api") - b_a, 1);
    gh_client_free(c);
    cJSON_Delete(arr);
}

/* http_drop_connections (a store reload with new credentials): the kept connection is closed,
 * so the next request to the same API opens a new one; without it the connection is reused. */
static void test_drop_connections(void **state)
{
    struct textus_config t;
    struct err e;
    int b, opted;

    (void)state;
    err_clear(&e);
    memset(&t, 0, sizeof(t));
    t.base_url = F.textus;
    t.token = "tok_alice_FAKE_0001";
    t.account = "acme";
    http_cleanup();
    b = fk_conn(&F, "textus", "api");
    assert_int_equal(textus_get_opt_out(&t, "+13035550177", &opted, &e), 0);
    assert_int_equal(textus_get_opt_out(&t, "+13035550177", &opted, &e), 0);
    assert_int_equal(fk_conn(&F, "textus", "api") - b, 1); /* kept and reused */
    http_drop_connections();
    assert_int_equal(textus_get_opt_out(&t, "+13035550177", &opted, &e), 0);
    assert_int_equal(fk_conn(&F, "textus", "api") - b, 2); /* a new one after the drop */
    http_drop_connections();
    http_drop_connections(); /* nothing left: safe again */
    assert_int_equal(textus_get_opt_out(&t, "+13035550177", &opted, &e), 0);
    assert_int_equal(fk_conn(&F, "textus", "api") - b, 3);
}

/* The child's work: many calls whose answers carry bodies; 0 when all went as expected. */
static int child_calls(void)
{
    struct textus_config t;
    struct gh_config g;
    struct gh_client *c = NULL;
    struct textus_conversation *cv = malloc(sizeof(*cv));
    struct textus_message m;
    struct err e;
    cJSON *arr = cJSON_CreateArray();
    int bad = 0, found;

    http_cleanup(); /* never share the parent's sockets */
    memset(&t, 0, sizeof(t));
    t.base_url = F.textus;
    t.token = "tok_alice_FAKE_0001";
    t.account = "acme";
    memset(&g, 0, sizeof(g));
    g.base_url = F.harvest;
    g.api_key = "hvk_alice_FAKE_0001";
    g.user_email = "alice@acme.example";
    bad |= !cv || !arr;
    bad |= textus_list_accounts(&t, arr, &e) != 0;
    bad |= textus_get_conversation(&t, "+13035550123", cv, &e) != 0;
    bad |= textus_send_message(&t, "+13035550191", "stdout check", &m, &e) != 0;
    bad |= textus_get_message(&t, "/messages/NOPE42", &m, &e) != -1; /* a 404 body */
    bad |= gh_client_new(&c, &g, &e) != 0;
    bad |= gh_candidate_phones(c, "1001", arr, &e) != 0;
    bad |= gh_note_exists(c, "1001", "nothing", &found, NULL, &e) != 0;
    bad |= gh_add_note(c, "1001", "stdout check", "public", NULL, &e) != 0;
    gh_client_free(c);
    cJSON_Delete(arr);
    free(cv);
    http_cleanup();
    return bad;
}

static void test_nothing_on_stdout(void **state)
{
    int p[2], st = 0;
    pid_t pid;
    char buf[4096];
    size_t total = 0;
    ssize_t n;

    (void)state;
    assert_int_equal(pipe(p), 0);
    fflush(NULL);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int rc;
        close(p[0]);
        if (dup2(p[1], 1) < 0)
            _exit(99);
        close(p[1]);
        rc = child_calls();
        fflush(stdout);
        _exit(rc ? 1 : 0);
    }
    close(p[1]);
    while ((n = read(p[0], buf, sizeof(buf))) > 0)
        total += (size_t)n;
    close(p[0]);
    assert_int_equal(waitpid(pid, &st, 0), pid);
    assert_true(WIFEXITED(st));
    assert_int_equal(WEXITSTATUS(st), 0); /* the calls really happened */
    assert_int_equal(total, 0);           /* and wrote nothing to fd 1 */
}

/* GET path on the TextUs fake with a hold file, as a new process would (no hold in memory). */
static void held_get(const char *path, const char *hold_file, struct http_response *r)
{
    char url[256];
    struct http_request rq;
    struct http_opts o;
    struct err e;

    err_clear(&e);
    http_hold_reset();
    memset(&o, 0, sizeof(o));
    o.backoff_base_ms = 20;
    o.max_retries = -1;
    o.hold_file = hold_file;
    snprintf(url, sizeof(url), "%s%s", F.textus, path);
    memset(&rq, 0, sizeof(rq));
    rq.method = HTTP_GET;
    rq.url = url;
    rq.idempotent = 1;
    rq.opts = &o;
    assert_int_equal(http_request(&rq, r, &e), 0);
}

static void test_hold_file(void **state)
{
    char dir[] = "/tmp/th-holds-XXXXXX", file[128], buf[512];
    struct http_response r;
    struct stat st;
    FILE *fp;
    size_t n;
    int since;

    (void)state;
    assert_non_null(mkdtemp(dir));
    snprintf(file, sizeof(file), "%s/holds", dir);
    /* a 429 with Retry-After: 30 is written to the hold file, mode 0600 */
    assert_int_equal(fk_fault(&F, "{\"server\":\"textus\",\"path_re\":\"^/held1$\","
                                  "\"action\":{\"status\":429,\"retry_after\":30}}"),
                     0);
    held_get("/held1", file, &r);
    assert_int_equal(r.status, 429);
    assert_int_equal(r.attempts, 1);
    http_response_free(&r);
    assert_int_equal(stat(file, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    fp = fopen(file, "r");
    assert_non_null(fp);
    n = fread(buf, 1, sizeof(buf) - 1, fp);
    buf[n] = '\0';
    fclose(fp);
    assert_non_null(strstr(buf, " http://127.0.0.1:"));
    /* the next process: any route of that origin is answered here, nothing is sent */
    since = fk_last_seq(&F);
    held_get("/another-route", file, &r);
    assert_int_equal(r.status, 429);
    assert_int_equal(r.attempts, 0);
    assert_true(r.retry_after_ms > 25000 && r.retry_after_ms <= 35000); /* + up to 5 s jitter */
    http_response_free(&r);
    assert_int_equal(fk_count(&F, "textus", NULL, NULL, since), 0);
    /* the other API's origin is not held */
    {
        struct http_request rq;
        struct http_opts o;
        struct err e;
        char url[256];
        err_clear(&e);
        memset(&o, 0, sizeof(o));
        o.hold_file = file;
        snprintf(url, sizeof(url), "%s/v1/users", F.harvest);
        memset(&rq, 0, sizeof(rq));
        rq.method = HTTP_GET;
        rq.url = url;
        rq.idempotent = 1;
        rq.opts = &o;
        assert_int_equal(http_request(&rq, &r, &e), 0);
        assert_int_equal(r.status, 401);
        http_response_free(&r);
    }
    /* a damaged file (garbage, a hold of centuries) holds nothing: the request goes out */
    fp = fopen(file, "w");
    assert_non_null(fp);
    fprintf(fp, "\x01\x02 nonsense\n99999999999999 %s\n", F.textus);
    fclose(fp);
    chmod(file, 0600);
    since = fk_last_seq(&F);
    held_get("/after-damage", file, &r);
    assert_int_equal(r.attempts, 1);
    http_response_free(&r);
    assert_int_equal(fk_count(&F, "textus", NULL, NULL, since), 1);
    /* a hold file others may write is not trusted */
    fp = fopen(file, "w");
    assert_non_null(fp);
    fprintf(fp, "%lld %s\n", (long long)time(NULL) * 1000LL + 60000LL, F.textus);
    fclose(fp);
    chmod(file, 0666);
    held_get("/world-writable", file, &r);
    assert_int_equal(r.attempts, 1);
    http_response_free(&r);
    chmod(file, 0600);
    held_get("/own-file", file, &r);
    assert_int_equal(r.attempts, 0); /* the same hold in a file of ours is honoured */
    http_response_free(&r);
    http_hold_reset();
    unlink(file);
    snprintf(buf, sizeof(buf), "%s.lock", file);
    unlink(buf);
    rmdir(dir);
}

/* A GET of path on the TextUs fake as a new process of the computer would (no memory, the
 * state folder's files), paced (work that can wait) or not. */
static void fresh_get(const char *path, const char *hold_file, int pace, unsigned long long seed,
                      struct http_response *r)
{
    char url[256];
    struct http_request rq;
    struct http_opts o;
    struct err e;

    err_clear(&e);
    http_hold_reset();
    http_jitter_seed(seed);
    memset(&o, 0, sizeof(o));
    o.max_retries = -1;
    o.hold_file = hold_file;
    snprintf(url, sizeof(url), "%s%s", F.textus, path);
    memset(&rq, 0, sizeof(rq));
    rq.method = HTTP_GET;
    rq.url = url;
    rq.idempotent = 1;
    rq.pace = pace;
    rq.opts = &o;
    assert_int_equal(http_request(&rq, r, &e), 0);
}

static void test_pacing_and_jitter(void **state)
{
    char dir[] = "/tmp/th-pace-XXXXXX", file[128], buf[512];
    struct http_response r;
    long a, b;
    long long now = (long long)time(NULL);
    int since, i;

    (void)state;
    assert_non_null(mkdtemp(dir));
    snprintf(file, sizeof(file), "%s/holds", dir);

    /* the same Retry-After hold seen by two hosts: each wakes at its own time */
    assert_int_equal(fk_fault(&F, "{\"server\":\"textus\",\"path_re\":\"^/held-j$\","
                                  "\"action\":{\"status\":429,\"retry_after\":20}}"),
                     0);
    fresh_get("/held-j", file, 0, 1, &r);
    assert_int_equal(r.status, 429);
    http_response_free(&r);
    fresh_get("/next", file, 1, 1, &r);
    a = r.retry_after_ms;
    assert_int_equal(r.attempts, 0);
    http_response_free(&r);
    fresh_get("/next", file, 1, 2, &r);
    b = r.retry_after_ms;
    assert_int_equal(r.attempts, 0);
    http_response_free(&r);
    assert_true(a > 15000 && a <= 25000);
    assert_true(b > 15000 && b <= 25000);
    assert_true(a != b);                   /* the two hosts' wake times differ */
    assert_true(http_paced_wake_ms() > 0); /* a paced request says when to come back */
    unlink(file);
    fk_reset(&F);

    /* a 429 without Retry-After holds until its X-RateLimit-Reset */
    snprintf(buf, sizeof(buf),
             "{\"server\":\"textus\",\"path_re\":\"^/reset-only$\",\"action\":{\"status\":429,"
             "\"headers\":{\"X-RateLimit-Limit\":\"10\",\"X-RateLimit-Remaining\":\"0\","
             "\"X-RateLimit-Reset\":\"%lld\"}}}",
             now + 12);
    assert_int_equal(fk_fault(&F, buf), 0);
    fresh_get("/reset-only", file, 0, 3, &r);
    assert_int_equal(r.status, 429);
    http_response_free(&r);
    since = fk_last_seq(&F);
    fresh_get("/any", file, 0, 3, &r); /* another process: held, nothing sent */
    assert_int_equal(r.attempts, 0);
    assert_true(r.retry_after_ms > 9000 && r.retry_after_ms <= 12000 + 3000 + 250);
    http_response_free(&r);
    assert_int_equal(fk_count(&F, "textus", NULL, NULL, since), 0);
    unlink(file);
    fk_reset(&F);

    /* X-RateLimit-Remaining read from every answer and shared through the state folder:
     * with a fifth of the window left, work that can wait is not sent; the rest goes */
    assert_int_equal(fk_config(&F, "{\"textus_rate_limit\":10}"), 0);
    for (i = 0; i < 8; i++) {
        fresh_get("/spend", file, 0, 4, &r);
        assert_int_equal(r.attempts, 1);
        http_response_free(&r);
    }
    since = fk_last_seq(&F);
    fresh_get("/can-wait", file, 1, 5, &r); /* a new process: the window is in the file */
    assert_int_equal(r.status, 429);
    assert_int_equal(r.attempts, 0);
    assert_true(r.retry_after_ms > 0 && r.retry_after_ms <= 300000 + 5000);
    http_response_free(&r);
    assert_int_equal(fk_count(&F, "textus", NULL, NULL, since), 0);
    fresh_get("/a-person-waits", file, 0, 5, &r); /* not paced: sent (the window has 2 left) */
    assert_int_equal(r.attempts, 1);
    assert_true(r.status != 429);
    http_response_free(&r);
    assert_int_equal(fk_count(&F, "textus", NULL, NULL, since), 1);
    assert_int_equal(fk_config(&F, "{\"textus_rate_limit\":1000}"), 0);
    fk_reset(&F);
    http_hold_reset();
    unlink(file);
    snprintf(buf, sizeof(buf), "%s-windows", file);
    unlink(buf);
    snprintf(buf, sizeof(buf), "%s-windows.lock", file);
    unlink(buf);
    snprintf(buf, sizeof(buf), "%s.lock", file);
    unlink(buf);
    rmdir(dir);
}

static void test_log_has_no_secrets(void **state)
{
    char path[256], buf[65536];
    struct textus_config t;
    struct gh_config g;
    struct gh_client *c = NULL;
    struct textus_message m;
    struct err e;
    cJSON *arr = cJSON_CreateArray();
    long long uid;
    FILE *fp;
    size_t n;
    int fd;

    (void)state;
    snprintf(path, sizeof(path), "%s/th-log.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    assert_int_equal(log_open(path), 0);
    memset(&t, 0, sizeof(t));
    t.base_url = F.textus;
    t.token = "tok_alice_FAKE_0001";
    t.account = "acme";
    assert_int_equal(textus_send_message(&t, "+13035550192", "log check", &m, &e), 0);
    t.token = "tok_bad_FAKE_0003";
    assert_int_equal(textus_list_accounts(&t, arr, &e), -1);
    memset(&g, 0, sizeof(g));
    g.base_url = F.harvest;
    g.auth_url = F.auth;
    g.client_id = "client_FAKE_0001";
    g.client_secret = "csecret_FAKE_0001";
    g.user_email = "alice@acme.example";
    assert_int_equal(gh_client_new(&c, &g, &e), 0);
    assert_int_equal(gh_resolve_user(c, &uid, &e), 0);
    gh_client_free(c);
    g.client_id = NULL;
    g.client_secret = NULL;
    g.api_key = "hvk_alice_FAKE_0001";
    assert_int_equal(gh_client_new(&c, &g, &e), 0);
    assert_int_equal(gh_candidate_phones(c, "1001", arr, &e), 0);
    gh_client_free(c);
    log_close();
    fp = fopen(path, "r");
    assert_non_null(fp);
    n = fread(buf, 1, sizeof(buf) - 1, fp);
    buf[n] = '\0';
    fclose(fp);
    unlink(path);
    assert_non_null(strstr(buf, "http: POST 127.0.0.1:")); /* method, host, path, status */
    assert_non_null(strstr(buf, "/acme/messages -> 201"));
    assert_null(strstr(buf, "tok_alice"));
    assert_null(strstr(buf, "tok_bad"));
    assert_null(strstr(buf, "csecret"));
    assert_null(strstr(buf, "hvk_alice"));
    assert_null(strstr(buf, "alice@acme.example")); /* queries are not logged */
    assert_null(strstr(buf, "Bearer"));
    assert_null(strstr(buf, "Basic"));
    assert_null(strstr(buf, "log check")); /* nor bodies */
    cJSON_Delete(arr);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_link_parser),
        cmocka_unit_test(test_retry_after_parser),
        cmocka_unit_test(test_response_wait),
        cmocka_unit_test(test_holds_parser),
        cmocka_unit_test(test_windows_parser),
        cmocka_unit_test(test_url_policy),
        cmocka_unit_test(test_body_cap),
        cmocka_unit_test_setup(test_dropped_get_is_retried, reset),
        cmocka_unit_test_setup(test_not_sent_vs_maybe_sent, reset),
        cmocka_unit_test_setup(test_tls, reset),
        cmocka_unit_test_setup(test_one_connection_per_api, reset),
        cmocka_unit_test_setup(test_drop_connections, reset),
        cmocka_unit_test_setup(test_nothing_on_stdout, reset),
        cmocka_unit_test_setup(test_log_has_no_secrets, reset),
        cmocka_unit_test_setup(test_hold_file, reset),
        cmocka_unit_test_setup(test_pacing_and_jitter, reset),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
