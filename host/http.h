/*
 * http — the only module that touches libcurl: one connection pool for the life
 * of the process (keep-alive), our own write and header callbacks, a response
 * size cap, timeouts, TLS verification always on, a URL policy (https://, or
 * http:// to loopback only), Retry-After / X-RateLimit-* / Link parsing, and
 * bounded retries of idempotent requests.
 *
 * A request that changes state (idempotent = 0) is sent at most once per call:
 * libcurl's own "connection died, retrying" re-send is blocked (prereq
 * callback), and when such a request fails after it may have reached the
 * server the error is ERR_OUTCOME_UNKNOWN with resp->outcome HTTP_MAYBE_SENT.
 *
 * Retry-After is honoured per origin (scheme://host:port): after a 429 or 503
 * with Retry-After, no later request to that origin (any route) is sent before
 * that time; waits up to 2 s are slept, longer ones are answered locally as a
 * 429 with retry_after_ms = the time left (nothing sent). The hold lives in the
 * process and, when the options name a hold file, in that file too, so that
 * every later host process honours it (Chrome starts a host per click, and
 * Harvest's limit is per key, shared by a whole company). The file is one line
 * per origin, "<until, ms since the epoch> <origin>", replaced atomically under
 * an flock of "<file>.lock", mode 0600; damaged lines and holds beyond a day are
 * ignored.
 *
 * Rate-limit windows: every answer's X-RateLimit-Limit / -Remaining / -Reset is remembered per
 * origin, in the process and (with a hold file) in "<hold file>-windows", so that every host
 * process of the computer sees it; requests marked `pace` (work that can wait) are held back
 * while the window is nearly spent, and every hold's wake-up gets a per-process jitter. A 429
 * without Retry-After holds until its X-RateLimit-Reset.
 *
 * Connections: one libcurl multi handle owns the pool for the life of the
 * process, so one request, several at once (http_request_all) and background
 * requests (http_background) all reuse the same kept-alive connections; none
 * idle longer than HTTP_IDLE_MS is reused.
 *
 * Not thread-safe (the host is single-threaded).
 * [engine]
 */
#ifndef TH_HTTP_H
#define TH_HTTP_H

#include "common.h"

#include <stddef.h>

#include "buf.h"
#include "error.h"

#define HTTP_BODY_MAX           (8u * 1024u * 1024u)
#define HTTP_DEFAULT_CONNECT_MS 5000L
#define HTTP_DEFAULT_TOTAL_MS   20000L
#define HTTP_DEFAULT_RETRIES    3
#define HTTP_DEFAULT_BUDGET_MS  30000L
#define HTTP_DEFAULT_BACKOFF_MS 500L
#define HTTP_URL_MAX            4096
/*
 * How long a kept-alive connection may sit idle and still be reused. Servers and
 * load balancers close idle keep-alive connections (AWS's load balancers after 60 s,
 * nginx after 75 s by default); a connection closed just as a request leaves on it
 * would make a write's outcome unknown, so an older one is never reused (libcurl's
 * CURLOPT_MAXAGE_CONN) and callers re-open it ahead of use (http_origin_warm,
 * http_background). A server that closes sooner (Apache's and Node's 5 s) closes
 * cleanly, and libcurl sees that before it reuses the connection.
 */
#define HTTP_IDLE_MS        45000L
#define HTTP_ALL_MAX        4 /* requests http_request_all runs at once */
#define HTTP_BG_HEADERS_MAX 8 /* headers of a background request */

/* Transport settings; zero fields take the defaults above. */
struct http_opts {
    long connect_timeout_ms; /* 0: 5 s */
    long total_timeout_ms;   /* 0: 20 s, per attempt */
    const char *ca_file;     /* NULL: the system trust store; never disables verification */
    int max_retries;         /* 0: 3; < 0: no retries */
    long retry_budget_ms;    /* 0: 30 s, wall time from the first attempt */
    long backoff_base_ms;    /* 0: 500 ms (doubles per retry, full jitter) */
    const char *hold_file;   /* Retry-After holds shared by every process; NULL: this one only */
};

enum http_method { HTTP_GET, HTTP_POST, HTTP_PUT, HTTP_PATCH, HTTP_DELETE };

/* What the caller can know about whether the server saw the request. */
enum http_outcome {
    HTTP_RESPONDED = 0, /* a complete response (any status) was received */
    HTTP_NOT_SENT,      /* certainly not sent: refused URL, DNS, connect or TLS failure */
    HTTP_MAYBE_SENT,    /* may have reached the server: timeout/drop after sending, oversize */
};

struct http_request {
    enum http_method method;
    const char *url;
    const char *const *headers; /* "Name: value" strings, NULL-terminated; may be NULL */
    const char *body;           /* may be NULL */
    size_t body_len;
    const char *basic_user; /* with basic_pass: HTTP Basic auth (secret; never logged) */
    const char *basic_pass;
    int idempotent; /* 1: retried on 429/5xx/connection errors */
    /* 1: work that can wait (a note after the reply, a flush, reply logging, a warm-up): never
     * sleeps for a hold and is not retried after a 429, and while the origin's rate-limit
     * window (X-RateLimit-*, shared by the host processes) has a fifth of its limit or less
     * left it is answered here as a 429 until the window resets (plus jitter): nothing sent,
     * and http_paced_wake_ms says when to try again. 0: a person waits for it (the SMS). */
    int pace;
    const struct http_opts *opts;
};

struct http_response {
    long status; /* 0 when no response */
    enum http_outcome outcome;
    char *body; /* NUL-terminated, never NULL after http_request (points into body_buf) */
    size_t body_len;
    char content_type[128];
    char link_next[HTTP_URL_MAX];               /* Link: <...>; rel="next", "" when absent */
    long retry_after_ms;                        /* from Retry-After, -1 when absent */
    long long rl_limit, rl_remaining, rl_reset; /* X-RateLimit-*, -1 when absent */
    int attempts;
    struct buf body_buf; /* owns body: secret mode, wiped on free (it may hold tokens) */
};

/*
 * Perform a request. Returns 0 when a response was received (any status: the
 * caller maps it), or -1 with *e set: ERR_BAD_REQUEST/ERR_INVALID_CONFIG for a
 * refused URL, ERR_UPSTREAM_UNAVAILABLE (retryable) for a network failure,
 * ERR_UPSTREAM_INVALID for an oversized body, ERR_OUTCOME_UNKNOWN when a
 * non-idempotent request may have reached the server. resp must be freed
 * with http_response_free in every case.
 */
int http_request(const struct http_request *req, struct http_response *resp, struct err *e) TH_WUR;
void http_response_free(struct http_response *resp);

/* How long a rate-limited answer asks the caller to wait, in ms: its Retry-After, else its
 * X-RateLimit-Reset (epoch seconds) less now (epoch seconds) when within a day, else 0. */
long http_response_wait_ms(const struct http_response *r, long long now);

/*
 * Perform reqs[0..n) at once (each over its own connection, or a kept one to its
 * origin): resps[i], errs[i] and rcs[i] are what http_request would give for
 * reqs[i]. Every response must be freed with http_response_free.
 */
void http_request_all(const struct http_request *reqs, struct http_response *resps,
                      struct err *errs, int *rcs, size_t n);

/*
 * A request in the background: it starts now and progresses whenever the process waits
 * on the network (any http_* call, http_wait_readable); a later request to the same
 * origin waits for it and then reuses its connection. For side-effect-free requests
 * (GET, a token request) that open a connection ahead of use; never retried. The request (URL,
 * headers, credentials, body, options' strings) is copied; done (may be NULL) is called
 * with the result once it ends (from inside some other http_* call: it must not wait on
 * the network itself, but may start background requests). 0 started, -1 not.
 */
typedef void (*http_done_fn)(void *ud, int rc, const struct http_response *resp,
                             const struct err *e);
int http_background(const struct http_request *req, http_done_fn done, void *ud) TH_WUR;

/* Background requests started with callback data ud call nothing any more (their callback
 * runs once now with rc -1 and resp NULL, so that it can free what it holds): for an
 * owner about to be freed. */
void http_background_detach(void *ud);

/* Run requests until no background request started with callback data ud is left (its
 * answer may be what the caller needs: a token, a user id). */
void http_background_wait(void *ud);

/* 1 when url's origin has a connection used less than HTTP_IDLE_MS ago, or a background
 * request under way to it (nothing to re-open); 0 otherwise. */
int http_origin_warm(const char *url);

/* Run background requests until fd is readable (1) or none is left (0). */
int http_wait_readable(int fd);
/* The same, and then wait for fd until ms have passed: 1 readable, 0 the time has come. */
int http_wait_readable_for(int fd, long ms);

/* When the earliest request that can wait (pace) and was held or paced may be tried again,
 * wall-clock ms since the epoch (0: none); http_paced_clear forgets it. */
long long http_paced_wake_ms(void);
void http_paced_clear(void);

/* A hold's jitter: 0..max(250 ms, min(wait/4, 5 s)), drawn per process so that hosts told the
 * same wait do not all wake at once. http_jitter_seed makes the draws repeatable (tests). */
long http_jitter_ms(long wait_ms);
void http_jitter_seed(unsigned long long seed);

/* Pure parser (the rate-limit windows file, "<hold file>-windows"): the latest observation of
 * origin (its seen time, ms since the epoch, 0 when none) and its reset (ms), remaining and
 * limit. */
long long http_parse_window(const char *text, size_t len, const char *origin, long long *reset_ms,
                            long long *remaining, long long *limit);

/* Close the pool (connections included), drop background requests and forget every
 * Retry-After hold (http_hold_reset). Safe to call more than once. */
void http_cleanup(void);

/* Close the pool (connections, kept easy handles, TLS sessions) and drop background requests,
 * keeping the Retry-After holds: what a store reload does when the credentials changed, so that
 * no buffer of a kept connection still holds an old Authorization header (their blocks are
 * wiped as libcurl frees them). Never while a request of this process is under way. */
void http_drop_connections(void);

/* Forget every per-origin Retry-After hold of this process, and what it learnt of the
 * rate-limit windows (not the files' holds and windows). For tests
 * (each case starts clean) and for a fresh configuration (new endpoints or credentials); not
 * for normal use. */
void http_hold_reset(void);

/* Pure parser (also used on the file's content): the hold of origin in a hold file's text,
 * as ms since the epoch, 0 when none. Lines that do not parse are skipped. */
long long http_parse_holds(const char *text, size_t len, const char *origin);

/* 0 when url is acceptable (https://, or http:// to 127.0.0.0/8, ::1, localhost). */
int http_url_allowed(const char *url, struct err *e) TH_WUR;

/*
 * Resolve ref (an absolute URL or a path starting with "/") against base into
 * out. Refuses (-1, ERR_UPSTREAM_INVALID) anything that is not on base's
 * scheme, host and port, so pagination links never lead elsewhere.
 */
int http_url_same_origin(const char *base, const char *ref, char *out, size_t outsz,
                         struct err *e) TH_WUR;

/* Percent-encode everything but RFC 3986 unreserved characters. -1 when out is too small. */
int http_escape(const char *in, char *out, size_t outsz) TH_WUR;

/* Pure parsers (also fuzzed). */
/* The rel="next" target of a Link header value into out; 0 found, -1 not found. */
int http_parse_link_next(const char *value, size_t len, char *out, size_t outsz);
/* Retry-After (delta-seconds or HTTP-date) in ms relative to now_epoch; -1 when unparseable. */
long http_parse_retry_after(const char *value, size_t len, long long now_epoch);

#endif
