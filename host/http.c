/*
 * http — the host's only libcurl user (see http.h): one multi handle and its
 * connection pool, transfers run one by one, at once or in the background, URL policy, caps,
 * retries with backoff, and the "may have reached the server" distinction for requests that change
 * state.
 * [engine]
 */
#include "http.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>
#include <sodium.h>

#include "log.h"
#include "now.h"
#include "os.h"

#ifndef TH_VERSION
#define TH_VERSION "0"
#endif

#define HTTP_POOL_MAX  8 /* connections kept (two APIs, the token endpoint, two at once each) */
#define HTTP_SPARE_MAX 4 /* easy handles kept for the next transfers */
#define HTTP_USED_MAX  8 /* origins whose last use is remembered */

static CURLM *http_multi;
static CURLSH *http_share;
static int http_global_done;
static CURL *http_spare[HTTP_SPARE_MAX];
static int http_nspare;

/* When a transfer to each origin last ended with an answer (CLOCK_MONOTONIC ms). */
static struct {
    char origin[300];
    long at_ms;
} http_used[HTTP_USED_MAX];

/*
 * Retry-After is honoured per origin for the life of the process: after a 429
 * (or 503) carrying Retry-After, no request goes to that origin before the
 * time it named (the rate limits are per token or key, not per route). A wait
 * of up to HTTP_HOLD_WAIT_MS is slept; a longer one is answered locally as a
 * 429 without sending anything, so the caller reports rate_limited with the
 * time that is left. Times are CLOCK_MONOTONIC ms (now_mono_ms); an HTTP-date
 * Retry-After is turned into a delay against the wall clock when its header
 * arrives (http_parse_retry_after), so a later wall-clock jump does not move it.
 * http_hold_reset() forgets every hold of the process. With opts->hold_file the
 * hold is also written there (wall-clock ms since the epoch, the only clock other
 * processes share) and every request reads it, so a later host process -- a new
 * click -- honours it too.
 */
#define HTTP_HOLD_SLOTS     8
#define HTTP_HOLD_WAIT_MS   2000L
#define HTTP_HOLD_FILE_MAX  16384                /* bytes read from the hold file */
#define HTTP_HOLD_MAX_MS    (24LL * 3600 * 1000) /* a longer hold is taken as damage */
#define HTTP_HOLD_LINES_MAX 64
static struct {
    char origin[300];
    long until_ms;
} http_hold[HTTP_HOLD_SLOTS];

/* Per-attempt state shared with the libcurl callbacks. */
struct http_ctx {
    struct buf body; /* secret: answers carry tokens and personal data */
    int too_large;
    int prereq_calls;
    int idempotent;
    struct http_response *resp;
};

static void http_sleep_ms(long ms)
{
    if (ms <= 0)
        return;
    os_sleep_ms(ms > INT_MAX ? INT_MAX : (int)ms);
}

static const char *http_method_name(enum http_method m)
{
    switch (m) {
    case HTTP_GET:
        return "GET";
    case HTTP_POST:
        return "POST";
    case HTTP_PUT:
        return "PUT";
    case HTTP_PATCH:
        return "PATCH";
    case HTTP_DELETE:
        return "DELETE";
    }
    return "GET";
}

/*
 * One multi handle for the life of the process: it owns the connection pool
 * (kept alive between requests, and reused by every transfer to the same
 * origin), so requests can run at once (http_request_all), in the background
 * (http_background), and one by one (http_request) over the same connections.
 * The share handle keeps TLS sessions and DNS answers for every transfer.
 */
static int http_global_init(struct err *e)
{
    if (!http_global_done) {
        /* libcurl's own blocks (header lists, the request it writes, a connection's send and
         * receive buffers) are wiped as they are freed: they hold Authorization headers */
        if (curl_global_init_mem(CURL_GLOBAL_DEFAULT, malloc, buf_heap_free, buf_heap_realloc,
                                 strdup, calloc) != CURLE_OK) {
            err_set(e, ERR_INTERNAL, "libcurl could not be initialised");
            return -1;
        }
        if (sodium_init() < 0) {
            err_set(e, ERR_INTERNAL, "libsodium could not be initialised");
            return -1;
        }
        http_global_done = 1;
    }
    if (!http_multi) {
        http_multi = curl_multi_init();
        if (!http_multi) {
            err_set(e, ERR_INTERNAL, "libcurl could not create a multi handle");
            return -1;
        }
        (void)curl_multi_setopt(http_multi, CURLMOPT_MAXCONNECTS, (long)HTTP_POOL_MAX);
    }
    if (!http_share) {
        http_share = curl_share_init();
        if (http_share) {
            (void)curl_share_setopt(http_share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
            (void)curl_share_setopt(http_share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
        }
    }
    return 0;
}

static void http_xfer_abandon_all(void);

void http_drop_connections(void)
{
    int i;

    http_xfer_abandon_all();
    for (i = 0; i < http_nspare; i++)
        curl_easy_cleanup(http_spare[i]);
    http_nspare = 0;
    if (http_multi)
        curl_multi_cleanup(http_multi);
    http_multi = NULL;
    if (http_share)
        curl_share_cleanup(http_share);
    http_share = NULL;
    memset(http_used, 0, sizeof(http_used));
}

void http_cleanup(void)
{
    http_drop_connections();
    http_hold_reset();
}

void http_response_free(struct http_response *resp)
{
    if (!resp)
        return;
    buf_free(&resp->body_buf);
    resp->body = NULL;
    resp->body_len = 0;
}

long http_response_wait_ms(const struct http_response *r, long long now)
{
    if (r->retry_after_ms >= 0)
        return r->retry_after_ms;
    if (r->rl_reset > now && r->rl_reset - now < 86400)
        return (long)((r->rl_reset - now) * 1000);
    return 0;
}

/* ------------------------------------------------------------------ URL policy */

static int http_host_is_loopback(const char *host)
{
    char buf[64];
    size_t n = strlen(host);
    unsigned char a[16];
    static const unsigned char loopback6[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};

    if (strcasecmp(host, "localhost") == 0 || strcasecmp(host, "localhost.") == 0)
        return 1;
    if (os_inet_pton(0, host, a) == 1)
        return a[0] == 127;
    if (n >= 2 && host[0] == '[' && host[n - 1] == ']' && n - 2 < sizeof(buf)) {
        memcpy(buf, host + 1, n - 2);
        buf[n - 2] = '\0';
        if (os_inet_pton(1, buf, a) == 1)
            return memcmp(a, loopback6, sizeof(a)) == 0;
    }
    return 0;
}

/* Split url into lower-case scheme, host and effective port. */
static int http_url_parts(const char *url, char *scheme, size_t ssz, char *host, size_t hsz,
                          long *port, int *has_user)
{
    CURLU *u = curl_url();
    char *s = NULL, *h = NULL, *p = NULL, *usr = NULL;
    int rc = -1;
    size_t i;

    if (!u)
        return -1;
    if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK)
        goto out;
    if (curl_url_get(u, CURLUPART_SCHEME, &s, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_HOST, &h, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_PORT, &p, CURLU_DEFAULT_PORT) != CURLUE_OK)
        goto out;
    *has_user = curl_url_get(u, CURLUPART_USER, &usr, 0) == CURLUE_OK;
    if (strlen(s) >= ssz || strlen(h) >= hsz)
        goto out;
    for (i = 0; s[i]; i++)
        scheme[i] = (char)tolower((unsigned char)s[i]);
    scheme[i] = '\0';
    for (i = 0; h[i]; i++)
        host[i] = (char)tolower((unsigned char)h[i]);
    host[i] = '\0';
    *port = strtol(p, NULL, 10);
    rc = 0;
out:
    curl_free(s);
    curl_free(h);
    curl_free(p);
    curl_free(usr);
    curl_url_cleanup(u);
    return rc;
}

static int http_has_bad_bytes(const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c <= 0x20 || c >= 0x7f)
            return 1;
    }
    return 0;
}

int http_url_allowed(const char *url, struct err *e)
{
    char scheme[16], host[256];
    long port;
    int has_user = 0;

    if (!url || !*url || strlen(url) >= HTTP_URL_MAX || http_has_bad_bytes(url)) {
        err_set(e, ERR_INVALID_CONFIG, "the API URL is empty, too long or contains spaces");
        return -1;
    }
    if (http_url_parts(url, scheme, sizeof(scheme), host, sizeof(host), &port, &has_user) != 0) {
        err_set(e, ERR_INVALID_CONFIG, "the API URL could not be parsed");
        return -1;
    }
    if (has_user) {
        err_set(e, ERR_INVALID_CONFIG, "the API URL must not contain a user name or password");
        return -1;
    }
    if (strcmp(scheme, "https") == 0)
        return 0;
    if (strcmp(scheme, "http") == 0 && http_host_is_loopback(host))
        return 0;
    err_set(e, ERR_INVALID_CONFIG,
            "refusing %s://%s: API URLs must use https:// (plain http:// only to a loopback "
            "address)",
            scheme, host);
    return -1;
}

int http_url_same_origin(const char *base, const char *ref, char *out, size_t outsz, struct err *e)
{
    char bs[16], bh[256], rs[16], rh[256];
    long bp, rp;
    int bu = 0, ru = 0;
    size_t n;

    if (!ref || !*ref || http_has_bad_bytes(ref)) {
        err_set(e, ERR_UPSTREAM_INVALID, "the server sent an unusable pagination link");
        return -1;
    }
    if (ref[0] == '/' && ref[1] != '/') {
        const char *p = strstr(base, "://");
        const char *end;
        if (!p) {
            err_set(e, ERR_INVALID_CONFIG, "the API URL has no scheme");
            return -1;
        }
        end = strchr(p + 3, '/');
        n = end ? (size_t)(end - base) : strlen(base);
        if (n + strlen(ref) + 1 > outsz) {
            err_set(e, ERR_UPSTREAM_INVALID, "the server sent an over-long pagination link");
            return -1;
        }
        memcpy(out, base, n);
        memcpy(out + n, ref, strlen(ref) + 1);
        return 0;
    }
    if (http_url_parts(base, bs, sizeof(bs), bh, sizeof(bh), &bp, &bu) != 0 ||
        http_url_parts(ref, rs, sizeof(rs), rh, sizeof(rh), &rp, &ru) != 0 || strcmp(bs, rs) != 0 ||
        strcmp(bh, rh) != 0 || bp != rp || ru) {
        err_set(e, ERR_UPSTREAM_INVALID,
                "the server sent a pagination link to another site; not followed");
        return -1;
    }
    if (strlen(ref) + 1 > outsz) {
        err_set(e, ERR_UPSTREAM_INVALID, "the server sent an over-long pagination link");
        return -1;
    }
    memcpy(out, ref, strlen(ref) + 1);
    return 0;
}

int http_escape(const char *in, char *out, size_t outsz)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t o = 0;

    for (; *in; in++) {
        unsigned char c = (unsigned char)*in;
        if (isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
            if (o + 1 >= outsz)
                return -1;
            out[o++] = (char)c;
        } else {
            if (o + 3 >= outsz)
                return -1;
            out[o++] = '%';
            out[o++] = hex[c >> 4];
            out[o++] = hex[c & 15];
        }
    }
    if (o >= outsz)
        return -1;
    out[o] = '\0';
    return 0;
}

/* ------------------------------------------------------------------ header parsers */

static int http_is_ws(char c)
{
    return c == ' ' || c == '\t';
}

int http_parse_link_next(const char *v, size_t len, char *out, size_t outsz)
{
    size_t i = 0;

    while (i < len) {
        size_t us, ue, pe;
        int is_next = 0;

        while (i < len && (http_is_ws(v[i]) || v[i] == ','))
            i++;
        if (i >= len || v[i] != '<')
            return -1;
        us = ++i;
        while (i < len && v[i] != '>')
            i++;
        if (i >= len)
            return -1;
        ue = i++;
        /* parameters up to the next ',' outside quotes */
        while (i < len && v[i] != ',') {
            size_t ns, ne, vs, ve;
            while (i < len && (http_is_ws(v[i]) || v[i] == ';'))
                i++;
            ns = i;
            while (i < len && v[i] != '=' && v[i] != ';' && v[i] != ',' && !http_is_ws(v[i]))
                i++;
            ne = i;
            while (i < len && http_is_ws(v[i]))
                i++;
            vs = ve = i;
            if (i < len && v[i] == '=') {
                i++;
                while (i < len && http_is_ws(v[i]))
                    i++;
                if (i < len && v[i] == '"') {
                    vs = ++i;
                    while (i < len && v[i] != '"')
                        i++;
                    ve = i;
                    if (i < len)
                        i++;
                } else {
                    vs = i;
                    while (i < len && v[i] != ';' && v[i] != ',' && !http_is_ws(v[i]))
                        i++;
                    ve = i;
                }
            }
            if (ne - ns == 3 && strncasecmp(v + ns, "rel", 3) == 0) {
                size_t k = vs;
                while (k < ve) {
                    size_t ts;
                    while (k < ve && http_is_ws(v[k]))
                        k++;
                    ts = k;
                    while (k < ve && !http_is_ws(v[k]))
                        k++;
                    if (k - ts == 4 && strncasecmp(v + ts, "next", 4) == 0)
                        is_next = 1;
                }
            }
            if (ns == i && i < len && v[i] != ',' && v[i] != ';')
                i++; /* stray byte: make progress */
        }
        pe = ue - us;
        if (is_next) {
            if (pe == 0 || pe + 1 > outsz)
                return -1;
            memcpy(out, v + us, pe);
            out[pe] = '\0';
            return 0;
        }
    }
    return -1;
}

long http_parse_retry_after(const char *value, size_t len, long long now_epoch)
{
    char buf[128];
    size_t s = 0, e = len, i;
    int digits = 1;
    time_t t;

    while (s < e && http_is_ws(value[s]))
        s++;
    while (e > s && (http_is_ws(value[e - 1]) || value[e - 1] == '\r' || value[e - 1] == '\n'))
        e--;
    if (s == e || e - s >= sizeof(buf))
        return -1;
    for (i = s; i < e; i++) {
        if (value[i] < '0' || value[i] > '9')
            digits = 0;
    }
    if (digits) {
        long long secs = 0;
        for (i = s; i < e && secs < 86400; i++)
            secs = secs * 10 + (value[i] - '0');
        if (secs > 86400)
            secs = 86400;
        return (long)(secs * 1000);
    }
    memcpy(buf, value + s, e - s);
    buf[e - s] = '\0';
    t = curl_getdate(buf, NULL);
    if (t == (time_t)-1)
        return -1;
    if ((long long)t <= now_epoch)
        return 0;
    if ((long long)t - now_epoch > 86400)
        return 86400L * 1000L;
    return (long)(((long long)t - now_epoch) * 1000);
}

static long long http_parse_ll(const char *v, size_t len)
{
    long long x = 0;
    size_t i = 0;

    while (i < len && http_is_ws(v[i]))
        i++;
    if (i >= len || v[i] < '0' || v[i] > '9')
        return -1;
    for (; i < len && v[i] >= '0' && v[i] <= '9'; i++) {
        if (x > 1000000000000000LL)
            return -1;
        x = x * 10 + (v[i] - '0');
    }
    return x;
}

/* ------------------------------------------------------------------ callbacks */

static size_t http_write_cb(char *ptr, size_t size, size_t nmemb, void *ud)
{
    struct http_ctx *c = ud;
    size_t n = size * nmemb;

    int rc = buf_append(&c->body, ptr, n);

    if (rc == BUF_E_TOO_LARGE)
        c->too_large = 1;
    return rc == BUF_OK ? n : 0;
}

static void http_reset_headers(struct http_response *r)
{
    r->content_type[0] = '\0';
    r->link_next[0] = '\0';
    r->retry_after_ms = -1;
    r->rl_limit = r->rl_remaining = r->rl_reset = -1;
}

static size_t http_header_cb(char *buf, size_t size, size_t nitems, void *ud)
{
    struct http_ctx *c = ud;
    struct http_response *r = c->resp;
    size_t n = size * nitems, nl, vs;
    const char *colon;

    if (n >= 5 && memcmp(buf, "HTTP/", 5) == 0) {
        http_reset_headers(r); /* a new (possibly interim) response */
        return n;
    }
    colon = memchr(buf, ':', n);
    if (!colon)
        return n;
    nl = (size_t)(colon - buf);
    vs = nl + 1;
    while (vs < n && http_is_ws(buf[vs]))
        vs++;
    {
        size_t ve = n;
        const char *val = buf + vs;
        size_t vl;
        while (ve > vs && (buf[ve - 1] == '\r' || buf[ve - 1] == '\n' || http_is_ws(buf[ve - 1])))
            ve--;
        vl = ve - vs;
#define HDR_IS(name) (nl == sizeof(name) - 1 && strncasecmp(buf, name, nl) == 0)
        if (HDR_IS("Retry-After")) {
            r->retry_after_ms = http_parse_retry_after(val, vl, (long long)time(NULL));
        } else if (HDR_IS("X-RateLimit-Limit")) {
            r->rl_limit = http_parse_ll(val, vl);
        } else if (HDR_IS("X-RateLimit-Remaining")) {
            r->rl_remaining = http_parse_ll(val, vl);
        } else if (HDR_IS("X-RateLimit-Reset")) {
            r->rl_reset = http_parse_ll(val, vl);
        } else if (HDR_IS("Link")) {
            if (!r->link_next[0] &&
                http_parse_link_next(val, vl, r->link_next, sizeof(r->link_next)) != 0)
                r->link_next[0] = '\0';
        } else if (HDR_IS("Content-Type")) {
            size_t k = vl < sizeof(r->content_type) - 1 ? vl : sizeof(r->content_type) - 1;
            memcpy(r->content_type, val, k);
            r->content_type[k] = '\0';
        }
#undef HDR_IS
    }
    return n;
}

static int http_prereq_cb(void *ud, char *primary_ip, char *local_ip, int primary_port,
                          int local_port)
{
    struct http_ctx *c = ud;

    (void)primary_ip;
    (void)local_ip;
    (void)primary_port;
    (void)local_port;
    c->prereq_calls++;
    /* libcurl re-sends on a fresh connection when a reused one died: never for a write */
    if (c->prereq_calls > 1 && !c->idempotent)
        return CURL_PREREQFUNC_ABORT;
    return CURL_PREREQFUNC_OK;
}

/* ------------------------------------------------------------------ request */

/* "host/path" of url for the log (no scheme, no query: queries may carry emails). */
static void http_log_target(const char *url, char *out, size_t outsz)
{
    const char *p = strstr(url, "://");
    size_t n;

    p = p ? p + 3 : url;
    n = strcspn(p, "?#");
    if (n >= outsz)
        n = outsz - 1;
    memcpy(out, p, n);
    out[n] = '\0';
}

/* "scheme://host:port" of url; "" when it cannot be split. */
static void http_origin(const char *url, char *out, size_t outsz)
{
    char scheme[16], host[256];
    long port = 0;
    int has_user = 0;

    out[0] = '\0';
    if (http_url_parts(url, scheme, sizeof(scheme), host, sizeof(host), &port, &has_user) == 0)
        snprintf(out, outsz, "%s://%s:%ld", scheme, host, port);
}

/* Milliseconds the origin is still held by an earlier Retry-After (0: none). */
static long http_hold_left(const char *origin)
{
    long now = now_mono_ms();
    int i;

    for (i = 0; i < HTTP_HOLD_SLOTS; i++)
        if (http_hold[i].origin[0] && strcmp(http_hold[i].origin, origin) == 0)
            return http_hold[i].until_ms > now ? http_hold[i].until_ms - now : 0;
    return 0;
}

/* 1 when slot i holds nothing now (empty, or its time has passed). */
static int http_hold_free(int i, long now)
{
    return !http_hold[i].origin[0] || http_hold[i].until_ms <= now;
}

/*
 * Hold origin until retry_after_ms from now (never shortens a hold). The slot is
 * the origin's own, else the first free one, else the one whose hold ends first
 * (that origin then loses its hold early: more than HTTP_HOLD_SLOTS held origins
 * do not occur with two APIs).
 */
static void http_hold_set(const char *origin, long retry_after_ms)
{
    long now = now_mono_ms();
    int i, slot = -1;

    if (!origin[0] || retry_after_ms <= 0)
        return;
    for (i = 0; i < HTTP_HOLD_SLOTS; i++) {
        if (http_hold[i].origin[0] && strcmp(http_hold[i].origin, origin) == 0) {
            if (http_hold[i].until_ms < now + retry_after_ms)
                http_hold[i].until_ms = now + retry_after_ms;
            return;
        }
    }
    for (i = 0; i < HTTP_HOLD_SLOTS; i++) {
        if (http_hold_free(i, now)) {
            slot = i;
            break;
        }
        if (slot < 0 || http_hold[i].until_ms < http_hold[slot].until_ms)
            slot = i;
    }
    snprintf(http_hold[slot].origin, sizeof(http_hold[slot].origin), "%s", origin);
    http_hold[slot].until_ms = now + retry_after_ms;
}

static void http_rl_reset(void);

void http_hold_reset(void)
{
    memset(http_hold, 0, sizeof(http_hold));
    http_rl_reset(); /* and what the process learnt of the windows */
}

/* ------------------------------------------------------------------ the hold file */

/* One line "<until ms> <origin>": 0 and the parts, or -1 when it does not parse. */
static int http_hold_line(const char *line, size_t len, long long *until, const char **origin,
                          size_t *olen)
{
    size_t i = 0;
    long long v = 0;

    while (i < len && line[i] >= '0' && line[i] <= '9' && i < 16)
        v = v * 10 + (line[i++] - '0');
    if (i == 0 || i >= len || line[i] != ' ')
        return -1;
    i++;
    if (len - i == 0 || len - i >= 300)
        return -1;
    *until = v;
    *origin = line + i;
    *olen = len - i;
    return 0;
}

long long http_parse_holds(const char *text, size_t len, const char *origin)
{
    size_t p = 0, ol = strlen(origin);
    long long best = 0;

    while (p < len) {
        const char *nl = memchr(text + p, '\n', len - p);
        size_t ll = nl ? (size_t)(nl - (text + p)) : len - p;
        const char *o;
        size_t olen;
        long long until;

        if (http_hold_line(text + p, ll, &until, &o, &olen) == 0 && olen == ol &&
            memcmp(o, origin, ol) == 0 && until > best)
            best = until;
        p += ll + (nl ? 1 : 0);
    }
    return best;
}

/* The hold file's text into buf (NUL-terminated); its length, or -1 when it cannot be read
 * or is not a regular file of ours (a hold file anyone else could write is not trusted). */
static long http_hold_read(const char *file, char *buf, size_t bufsz)
{
    int fd = os_open_file(file, OS_OPEN_READ);
    struct os_stat st;
    long n, got = 0;

    if (fd < 0)
        return -1;
    if (os_fstat(&st, fd) != 0 || st.kind != OS_KIND_FILE || !st.is_owner || (st.mode & 022)) {
        os_close(fd);
        return -1;
    }
    while ((size_t)got < bufsz - 1 && (n = os_read(fd, buf + got, bufsz - 1 - (size_t)got)) != 0) {
        if (n < 0) {
            if (errno == EINTR)
                continue;
            os_close(fd);
            return -1;
        }
        got += n;
    }
    os_close(fd);
    buf[got] = '\0';
    return got;
}

/* Milliseconds the hold file still holds origin ("scheme://host:port") for; 0 when none. */
static long http_hold_file_left(const char *hold_file, const char *origin)
{
    char *buf;
    long n;
    long long until, now;
    long left = 0;

    if (!hold_file || !*hold_file || !origin[0])
        return 0;
    buf = malloc(HTTP_HOLD_FILE_MAX);
    if (!buf)
        return 0;
    n = http_hold_read(hold_file, buf, HTTP_HOLD_FILE_MAX);
    if (n > 0) {
        until = http_parse_holds(buf, (size_t)n, origin);
        now = now_wall_ms();
        if (until > now && until - now <= HTTP_HOLD_MAX_MS)
            left = (long)(until - now);
    }
    free(buf);
    return left;
}

/*
 * Rewrite a small state file shared by the host processes (the hold file, the windows file):
 * under an exclusive flock of "<file>.lock", each line of the current file that keep()
 * accepts (1: copied, 0: dropped, -1: leave the file as it is; at most HTTP_HOLD_LINES_MAX - 1
 * lines are looked at) and then the line last() prints are written to a temporary file (0600)
 * that replaces the file, fsynced first when do_fsync. Paths of pathmax bytes or more are not
 * tried. Failures are logged with what (the file's name in the log), never fatal.
 */
static void http_state_file_rewrite(const char *file, size_t pathmax, const char *what,
                                    int (*keep)(void *ctx, const char *line, size_t len),
                                    int (*last)(void *ctx, char *out, size_t room), void *ctx,
                                    int do_fsync)
{
    char lock[1120], tmp[1120], *old = NULL, *out = NULL;
    size_t o = 0, p = 0, lines = 0;
    long n;
    int lfd = -1, tfd = -1, k;

    if (pathmax > sizeof(lock) || snprintf(lock, pathmax, "%s.lock", file) >= (int)pathmax ||
        snprintf(tmp, pathmax, "%s.tmp.%ld", file, os_getpid()) >= (int)pathmax)
        return;
    old = malloc(HTTP_HOLD_FILE_MAX);
    out = malloc(HTTP_HOLD_FILE_MAX);
    if (!old || !out)
        goto out;
    lfd = os_open_file(lock, OS_OPEN_READ | OS_OPEN_WRITE | OS_OPEN_CREATE);
    if (lfd < 0 || os_lock_wait(lfd) != 0) {
        log_msg("http: cannot lock the %s: %s", what, strerror(errno));
        goto out;
    }
    n = http_hold_read(file, old, HTTP_HOLD_FILE_MAX);
    while (n > 0 && p < (size_t)n) {
        const char *nl = memchr(old + p, '\n', (size_t)n - p);
        size_t ll = nl ? (size_t)(nl - (old + p)) : (size_t)n - p;

        if (lines < HTTP_HOLD_LINES_MAX - 1) {
            k = keep(ctx, old + p, ll);
            if (k < 0)
                goto out;
            if (k > 0 && o + ll + 2 < HTTP_HOLD_FILE_MAX) {
                memcpy(out + o, old + p, ll);
                o += ll;
                out[o++] = '\n';
                lines++;
            }
        }
        p += ll + (nl ? 1 : 0);
    }
    n = last(ctx, out + o, HTTP_HOLD_FILE_MAX - o);
    if (n < 0 || (size_t)n >= HTTP_HOLD_FILE_MAX - o)
        goto out;
    o += (size_t)n;
    (void)os_unlink(tmp);
    tfd = os_open_file(tmp, OS_OPEN_WRITE | OS_OPEN_CREATE | OS_OPEN_EXCL);
    if (tfd < 0 || os_write(tfd, out, o) != (long)o || (do_fsync && os_fsync(tfd) != 0) ||
        os_replace(tmp, file) != 0) {
        log_msg("http: cannot write the %s: %s", what, strerror(errno));
        if (tfd >= 0)
            (void)os_unlink(tmp);
    }
out:
    if (tfd >= 0)
        os_close(tfd);
    if (lfd >= 0)
        os_close(lfd); /* releases the lock */
    free(old);
    free(out);
}

struct http_hold_set {
    const char *origin;
    long long now, until;
};

/* A hold file line is kept when it has not ended and is another origin's; this origin's
 * longer hold lengthens the one being set (a hold is never shortened). */
static int http_hold_keep(void *ctx, const char *line, size_t len)
{
    struct http_hold_set *h = ctx;
    const char *og;
    size_t olen;
    long long u;

    if (http_hold_line(line, len, &u, &og, &olen) != 0 || u <= h->now ||
        u - h->now > HTTP_HOLD_MAX_MS)
        return 0;
    if (olen == strlen(h->origin) && memcmp(og, h->origin, olen) == 0) {
        if (u > h->until)
            h->until = u; /* never shortens a hold */
        return 0;
    }
    return 1;
}

static int http_hold_last(void *ctx, char *out, size_t room)
{
    const struct http_hold_set *h = ctx;

    return snprintf(out, room, "%lld %s\n", h->until, h->origin);
}

/*
 * Record origin's hold in the hold file: under an exclusive flock of "<file>.lock", the
 * current holds that have not ended (other origins', and this one's if longer) and this one
 * are written to a temporary file (0600) that replaces the file. Failures are logged, never
 * fatal: the process's own hold still applies.
 */
static void http_hold_file_set(const char *file, const char *origin, long retry_after_ms)
{
    struct http_hold_set h;

    if (!file || !*file || !origin[0] || retry_after_ms <= 0)
        return;
    h.origin = origin;
    h.now = now_wall_ms();
    h.until = h.now + retry_after_ms;
    http_state_file_rewrite(file, 1100, "Retry-After hold file", http_hold_keep, http_hold_last, &h,
                            1);
}

/* ------------------------------------------------------------------ rate-limit windows */

/*
 * The rate-limit window of each origin, as its answers' X-RateLimit-Limit / -Remaining /
 * -Reset last told it (the most recent observation wins: within a window Remaining only goes
 * down, and a later window replaces an earlier one). Kept in the process and, with a hold
 * file, in "<hold file>-windows" (one line per origin, "<seen ms> <reset ms> <remaining>
 * <limit> <origin>", wall-clock ms; replaced under an flock of its ".lock", mode 0600, not
 * fsynced: it is advice, and a lost one only means a host learns the window from its next
 * answer), so that every host process of the computer paces on what any of them saw. The
 * company's hosts on other computers share the same window through the service's headers.
 */
#define HTTP_RL_SLOTS     8
#define HTTP_RL_WINDOW_MS 10000LL /* no X-RateLimit-Reset: Harvest v1's documented 10 s window */
struct http_rl {
    long long seen_ms, reset_ms, remaining, limit;
};
static struct {
    char origin[300];
    struct http_rl w;
} http_rl_slot[HTTP_RL_SLOTS];

/* Paced requests answered here (or by a 429) wait until this wall-clock ms; 0: none. */
static long long http_paced_until;

/* The jitter's generator (xorshift64*): seeded from libsodium unless http_jitter_seed was
 * called, so that hosts told the same wait wake at different times. */
static unsigned long long http_jitter_state;

void http_jitter_seed(unsigned long long seed)
{
    http_jitter_state = seed ? seed : 0x9E3779B97F4A7C15ULL;
}

long http_jitter_ms(long wait_ms)
{
    unsigned long long x;
    long span = wait_ms / 4;

    if (span < 250)
        span = 250;
    if (span > 5000)
        span = 5000;
    if (!http_jitter_state) {
        randombytes_buf(&http_jitter_state, sizeof(http_jitter_state));
        if (!http_jitter_state)
            http_jitter_state = 1;
    }
    x = http_jitter_state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    http_jitter_state = x;
    return (long)(((x * 0x2545F4914F6CDD1DULL) >> 33) % (unsigned long long)(span + 1));
}

static int http_rl_line(const char *line, size_t len, struct http_rl *w, const char **origin,
                        size_t *olen)
{
    long long v[4];
    size_t i = 0;
    int k;

    for (k = 0; k < 4; k++) {
        size_t s = i;
        v[k] = 0;
        while (i < len && line[i] >= '0' && line[i] <= '9' && i - s < 16)
            v[k] = v[k] * 10 + (line[i++] - '0');
        if (i == s || i >= len || line[i] != ' ')
            return -1;
        i++;
    }
    if (len - i == 0 || len - i >= 300)
        return -1;
    w->seen_ms = v[0];
    w->reset_ms = v[1];
    w->remaining = v[2];
    w->limit = v[3];
    *origin = line + i;
    *olen = len - i;
    return 0;
}

long long http_parse_window(const char *text, size_t len, const char *origin, long long *reset_ms,
                            long long *remaining, long long *limit)
{
    size_t p = 0, ol = strlen(origin);
    struct http_rl best;

    memset(&best, 0, sizeof(best));
    while (p < len) {
        const char *nl = memchr(text + p, '\n', len - p);
        size_t ll = nl ? (size_t)(nl - (text + p)) : len - p;
        const char *o;
        size_t olen;
        struct http_rl w;

        if (http_rl_line(text + p, ll, &w, &o, &olen) == 0 && olen == ol &&
            memcmp(o, origin, ol) == 0 && w.seen_ms > best.seen_ms)
            best = w;
        p += ll + (nl ? 1 : 0);
    }
    if (best.seen_ms > 0) {
        *reset_ms = best.reset_ms;
        *remaining = best.remaining;
        *limit = best.limit;
    }
    return best.seen_ms;
}

static int http_rl_file(const char *hold_file, char *out, size_t outsz)
{
    return hold_file && *hold_file && snprintf(out, outsz, "%s-windows", hold_file) < (int)outsz
               ? 0
               : -1;
}

struct http_rl_set {
    const char *origin;
    const struct http_rl *w;
    long long now;
};

/* A windows file line is kept when its window ended less than a minute ago and is another
 * origin's; this origin's later observation by another process leaves the file as it is. */
static int http_rl_keep(void *ctx, const char *line, size_t len)
{
    const struct http_rl_set *r = ctx;
    const char *og;
    size_t olen;
    struct http_rl u;

    if (http_rl_line(line, len, &u, &og, &olen) != 0 || u.reset_ms <= r->now - 60000 ||
        u.reset_ms - r->now > HTTP_HOLD_MAX_MS)
        return 0;
    if (olen == strlen(r->origin) && memcmp(og, r->origin, olen) == 0)
        return u.seen_ms > r->w->seen_ms ? -1 : 0; /* another process saw a later answer */
    return 1;
}

static int http_rl_last(void *ctx, char *out, size_t room)
{
    const struct http_rl_set *r = ctx;

    return snprintf(out, room, "%lld %lld %lld %lld %s\n", r->w->seen_ms, r->w->reset_ms,
                    r->w->remaining, r->w->limit, r->origin);
}

/* Record an observation in the windows file (see above); failures are logged, never fatal. */
static void http_rl_file_set(const char *hold_file, const char *origin, const struct http_rl *w)
{
    char file[1100];
    struct http_rl_set r;

    if (http_rl_file(hold_file, file, sizeof(file)) != 0)
        return;
    r.origin = origin;
    r.w = w;
    r.now = now_wall_ms();
    http_state_file_rewrite(file, 1120, "rate-limit windows file", http_rl_keep, http_rl_last, &r,
                            0);
}

/* An answer's X-RateLimit-* headers: remembered for its origin, here and in the file. */
static void http_rl_note(const char *origin, const struct http_response *r, const char *hold_file)
{
    struct http_rl w;
    long long now = now_wall_ms();
    int i, slot = 0;

    if (!origin[0] || r->rl_limit <= 0 || r->rl_remaining < 0)
        return;
    w.seen_ms = now;
    w.limit = r->rl_limit;
    w.remaining = r->rl_remaining;
    if (r->rl_reset > 0 && r->rl_reset * 1000 > now - 1000 &&
        r->rl_reset * 1000 - now <= HTTP_HOLD_MAX_MS)
        w.reset_ms = r->rl_reset * 1000;
    else
        w.reset_ms = now + HTTP_RL_WINDOW_MS; /* the latest the window can end */
    for (i = 0; i < HTTP_RL_SLOTS; i++) {
        if (strcmp(http_rl_slot[i].origin, origin) == 0) {
            slot = i;
            break;
        }
        if (http_rl_slot[i].w.seen_ms < http_rl_slot[slot].w.seen_ms)
            slot = i;
    }
    snprintf(http_rl_slot[slot].origin, sizeof(http_rl_slot[slot].origin), "%s", origin);
    http_rl_slot[slot].w = w;
    http_rl_file_set(hold_file, origin, &w);
}

/* The latest observation of origin's window (this process's or the file's); 0 when known. */
static int http_rl_get(const char *origin, const char *hold_file, struct http_rl *w)
{
    char file[1100], *buf;
    ssize_t n;
    int i;

    memset(w, 0, sizeof(*w));
    for (i = 0; i < HTTP_RL_SLOTS; i++)
        if (http_rl_slot[i].origin[0] && strcmp(http_rl_slot[i].origin, origin) == 0)
            *w = http_rl_slot[i].w;
    if (http_rl_file(hold_file, file, sizeof(file)) == 0 &&
        (buf = malloc(HTTP_HOLD_FILE_MAX)) != NULL) {
        struct http_rl f;
        memset(&f, 0, sizeof(f));
        n = http_hold_read(file, buf, HTTP_HOLD_FILE_MAX);
        if (n > 0 && (f.seen_ms = http_parse_window(buf, (size_t)n, origin, &f.reset_ms,
                                                    &f.remaining, &f.limit)) > w->seen_ms)
            *w = f;
        free(buf);
    }
    return w->seen_ms > 0 ? 0 : -1;
}

/*
 * How long a request that can wait (req->pace) should: while the origin's window has no more
 * than a fifth of its limit left (at least 1: kept for the work a person waits for), until
 * the window resets; 0 to go now.
 */
static long http_pace_wait(const char *origin, const char *hold_file)
{
    struct http_rl w;
    long long now = now_wall_ms(), reserve;

    if (http_rl_get(origin, hold_file, &w) != 0 || w.reset_ms <= now)
        return 0;
    reserve = w.limit / 5 > 1 ? w.limit / 5 : 1;
    if (w.remaining > reserve)
        return 0;
    return (long)(w.reset_ms - now);
}

static void http_rl_reset(void)
{
    memset(http_rl_slot, 0, sizeof(http_rl_slot));
    http_paced_until = 0;
}

long long http_paced_wake_ms(void)
{
    return http_paced_until;
}

void http_paced_clear(void)
{
    http_paced_until = 0;
}

static void http_paced_defer(long wait_ms)
{
    long long until = now_wall_ms() + wait_ms;

    if (!http_paced_until || until < http_paced_until)
        http_paced_until = until;
}

static long http_opt(long v, long def)
{
    return v > 0 ? v : def;
}

/* Errors that another attempt cannot fix. */
static int http_permanent(CURLcode rc)
{
    switch (rc) {
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_FILESIZE_EXCEEDED:
    case CURLE_WRITE_ERROR:
    case CURLE_OUT_OF_MEMORY:
    case CURLE_BAD_FUNCTION_ARGUMENT:
    case CURLE_ABORTED_BY_CALLBACK:
        return 1;
    default:
        return 0;
    }
}

static int http_tls_trust_error(CURLcode rc)
{
    return rc == CURLE_PEER_FAILED_VERIFICATION || rc == CURLE_SSL_CACERT_BADFILE ||
           rc == CURLE_SSL_ISSUER_ERROR || rc == CURLE_SSL_CERTPROBLEM;
}

/* Free a header list, wiping each line first (they carry credentials). */
static void http_slist_free(struct curl_slist *l)
{
    struct curl_slist *n;

    for (n = l; n; n = n->next) {
        if (n->data)
            sodium_memzero(n->data, strlen(n->data));
    }
    curl_slist_free_all(l);
}

/* Append "Authorization: Basic base64(user:pass)", built in guarded memory. */
static int http_append_basic(struct curl_slist **l, const char *user, const char *pass)
{
    static const char prefix[] = "Authorization: Basic ";
    size_t ul = strlen(user), pl = strlen(pass), rl = ul + 1 + pl;
    size_t bl = sodium_base64_ENCODED_LEN(rl, sodium_base64_VARIANT_ORIGINAL);
    char *raw, *hdr;
    struct curl_slist *t = NULL;

    if (rl > 8192)
        return -1;
    raw = sodium_malloc(rl);
    hdr = sodium_malloc(sizeof(prefix) + bl);
    if (raw && hdr) {
        memcpy(raw, user, ul);
        raw[ul] = ':';
        memcpy(raw + ul + 1, pass, pl);
        memcpy(hdr, prefix, sizeof(prefix) - 1);
        sodium_bin2base64(hdr + sizeof(prefix) - 1, bl, (const unsigned char *)raw, rl,
                          sodium_base64_VARIANT_ORIGINAL);
        t = curl_slist_append(*l, hdr);
    }
    if (raw)
        sodium_free(raw);
    if (hdr)
        sodium_free(hdr);
    if (!t)
        return -1;
    *l = t;
    return 0;
}

/*
 * 1 when libcurl's TLS backend is Schannel (the Windows build). Schannel checks revocation
 * and fails closed when the CRL/OCSP responder cannot be reached (a private CA without one,
 * a company proxy that re-signs TLS or blocks CRL downloads: curl issues 12239, 3727, 7664),
 * so there CURLSSLOPT_REVOKE_BEST_EFFORT keeps the check wherever it can be made. Asked of
 * curl's own feature report, not of the platform.
 */
static int http_tls_is_schannel(void)
{
    static int known = -1;

    if (known < 0) {
        const curl_version_info_data *v = curl_version_info(CURLVERSION_NOW);
        known = v && v->ssl_version && strstr(v->ssl_version, "Schannel") != NULL;
    }
    return known;
}

static int http_setup(CURL *h, const struct http_request *req, struct http_ctx *ctx,
                      struct curl_slist **hdrs, char *errbuf)
{
    const struct http_opts *o = req->opts;
    struct curl_slist *l = NULL, *t;
    size_t i;
    int bad = 0;

#define SET(opt, val) bad |= curl_easy_setopt(h, opt, val) != CURLE_OK
    curl_easy_reset(h); /* keeps live connections */
    SET(CURLOPT_URL, req->url);
    SET(CURLOPT_PROTOCOLS_STR, "http,https");
    SET(CURLOPT_REDIR_PROTOCOLS_STR, "https");
    SET(CURLOPT_FOLLOWLOCATION, 0L);
    SET(CURLOPT_NOSIGNAL, 1L);
    SET(CURLOPT_ERRORBUFFER, errbuf);
    SET(CURLOPT_CONNECTTIMEOUT_MS,
        http_opt(o ? o->connect_timeout_ms : 0, HTTP_DEFAULT_CONNECT_MS));
    SET(CURLOPT_TIMEOUT_MS, http_opt(o ? o->total_timeout_ms : 0, HTTP_DEFAULT_TOTAL_MS));
    SET(CURLOPT_SSL_VERIFYPEER, 1L);
    SET(CURLOPT_SSL_VERIFYHOST, 2L);
    if (o && o->ca_file && *o->ca_file)
        SET(CURLOPT_CAINFO, o->ca_file);
    if (http_tls_is_schannel())
        SET(CURLOPT_SSL_OPTIONS, (long)CURLSSLOPT_REVOKE_BEST_EFFORT);
    SET(CURLOPT_USERAGENT, "textus-host/" TH_VERSION);
    SET(CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)HTTP_BODY_MAX);
    SET(CURLOPT_TCP_KEEPALIVE, 1L);
    /* a connection idle longer than this is never reused: servers close idle keep-alive
     * connections, and one closed as a request leaves would make a write's outcome unknown */
    SET(CURLOPT_MAXAGE_CONN, (long)(HTTP_IDLE_MS / 1000));
    SET(CURLOPT_WRITEFUNCTION, http_write_cb);
    SET(CURLOPT_WRITEDATA, ctx);
    SET(CURLOPT_HEADERFUNCTION, http_header_cb);
    SET(CURLOPT_HEADERDATA, ctx);
    SET(CURLOPT_PREREQFUNCTION, http_prereq_cb);
    SET(CURLOPT_PREREQDATA, ctx);
    switch (req->method) {
    case HTTP_GET:
        SET(CURLOPT_HTTPGET, 1L);
        break;
    case HTTP_DELETE:
        SET(CURLOPT_CUSTOMREQUEST, "DELETE");
        break;
    default:
        SET(CURLOPT_POST, 1L);
        SET(CURLOPT_POSTFIELDS, req->body ? req->body : "");
        SET(CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)(req->body ? req->body_len : 0));
        if (req->method != HTTP_POST)
            SET(CURLOPT_CUSTOMREQUEST, http_method_name(req->method));
        break;
    }
#undef SET
    /* no "Expect: 100-continue" round trip */
    t = curl_slist_append(l, "Expect:");
    if (!t)
        bad = 1;
    else
        l = t;
    if (req->basic_user &&
        http_append_basic(&l, req->basic_user, req->basic_pass ? req->basic_pass : "") != 0)
        bad = 1;
    for (i = 0; req->headers && req->headers[i]; i++) {
        t = curl_slist_append(l, req->headers[i]);
        if (!t) {
            bad = 1;
            break;
        }
        l = t;
    }
    *hdrs = l;
    if (!bad && curl_easy_setopt(h, CURLOPT_HTTPHEADER, l) != CURLE_OK)
        bad = 1;
    return bad ? -1 : 0;
}

static long http_backoff(const struct http_opts *o, int retry)
{
    long base = http_opt(o ? o->backoff_base_ms : 0, HTTP_DEFAULT_BACKOFF_MS);
    long cap = base;
    int i;

    for (i = 1; i < retry && cap < 60000; i++)
        cap *= 2;
    /* equal jitter: half fixed, half random */
    return cap / 2 + (long)randombytes_uniform((uint32_t)(cap / 2 + 1));
}

/* ------------------------------------------------------------------ transfers */

/*
 * One request, from its first attempt to its result. A foreground transfer
 * lives on its caller's stack and the caller waits for it (http_request,
 * http_request_all); a background one (http_background) owns copies of its
 * request and ends in its callback. Every active transfer is on http_xfers;
 * whoever waits on the network runs them all (http_run).
 */
struct http_bg;

struct http_xfer {
    const struct http_request *req;
    struct http_response *resp;
    struct err *e;
    int rc;   /* the result once done: 0 or -1 (*e set) */
    int done; /* 1 once finished */
    int max_retries;
    long budget, start;
    long not_before; /* waiting (Retry-After, back-off) until this CLOCK_MONOTONIC ms */
    long jitter;     /* added to a hold's wait (-1: not drawn yet), see http_jitter_ms */
    char target[256], origin[300];
    const char *mname;
    CURL *h; /* set while an attempt is in the multi handle */
    struct http_ctx ctx;
    struct curl_slist *hdrs;
    char errbuf[CURL_ERROR_SIZE];
    struct http_bg *bg; /* background transfers only */
    struct http_xfer *next;
};

/* What a background transfer owns: copies of the request (secrets in guarded memory). */
struct http_bg {
    struct http_xfer x;
    struct http_request req;
    struct http_opts opts;
    struct http_response resp;
    struct err e;
    http_done_fn done;
    void *ud;
    char *strings; /* url, body, ca file, hold file (malloc) */
    size_t strings_len;
    char *secrets; /* headers and basic credentials (sodium_malloc) */
    size_t secrets_len;
    const char *headers[HTTP_BG_HEADERS_MAX + 1];
};

static struct http_xfer *http_xfers;

static void http_used_set(const char *origin)
{
    long now = now_mono_ms();
    int i, slot = 0;

    if (!origin[0])
        return;
    for (i = 0; i < HTTP_USED_MAX; i++) {
        if (strcmp(http_used[i].origin, origin) == 0) {
            http_used[i].at_ms = now;
            return;
        }
        if (http_used[i].at_ms < http_used[slot].at_ms)
            slot = i; /* an empty slot has at_ms 0: the oldest */
    }
    snprintf(http_used[slot].origin, sizeof(http_used[slot].origin), "%s", origin);
    http_used[slot].at_ms = now;
}

/* 1 when a background transfer to origin has not finished yet. */
static int http_bg_busy(const char *origin)
{
    const struct http_xfer *x;

    for (x = http_xfers; x; x = x->next)
        if (x->bg && !x->done && strcmp(x->origin, origin) == 0)
            return 1;
    return 0;
}

int http_origin_warm(const char *url)
{
    char origin[300];
    long now = now_mono_ms();
    int i;

    http_origin(url, origin, sizeof(origin));
    if (!origin[0])
        return 0;
    if (http_bg_busy(origin))
        return 1;
    for (i = 0; i < HTTP_USED_MAX; i++)
        if (http_used[i].at_ms > 0 && strcmp(http_used[i].origin, origin) == 0)
            return now - http_used[i].at_ms < HTTP_IDLE_MS;
    return 0;
}

static CURL *http_easy_get(void)
{
    if (http_nspare > 0)
        return http_spare[--http_nspare];
    return curl_easy_init();
}

static void http_easy_put(CURL *h)
{
    if (http_nspare < HTTP_SPARE_MAX) {
        curl_easy_reset(h);
        http_spare[http_nspare++] = h;
    } else {
        curl_easy_cleanup(h);
    }
}

/* Fill a transfer for req (resp, e: where its result goes); 0, or -1 when it cannot start. */
static int http_xfer_init(struct http_xfer *x, const struct http_request *req,
                          struct http_response *resp, struct err *e)
{
    const struct http_opts *o = req->opts;

    memset(x, 0, sizeof(*x));
    x->req = req;
    x->resp = resp;
    x->e = e;
    x->max_retries = o && o->max_retries < 0
                         ? 0
                         : (o && o->max_retries > 0 ? o->max_retries : HTTP_DEFAULT_RETRIES);
    x->budget = http_opt(o ? o->retry_budget_ms : 0, HTTP_DEFAULT_BUDGET_MS);
    x->start = now_mono_ms();
    x->jitter = -1;
    x->mname = http_method_name(req->method);
    memset(resp, 0, sizeof(*resp));
    http_reset_headers(resp);
    buf_init(&resp->body_buf, HTTP_BODY_MAX, BUF_SECRET);
    if (buf_reserve(&resp->body_buf, 0) != BUF_OK) {
        err_set(e, ERR_INTERNAL, "out of memory");
        return -1;
    }
    resp->body = resp->body_buf.data;
    if (http_url_allowed(req->url, e) != 0)
        return -1;
    if (http_global_init(e) != 0)
        return -1;
    http_log_target(req->url, x->target, sizeof(x->target));
    http_origin(req->url, x->origin, sizeof(x->origin));
    return 0;
}

static void http_xfer_finish(struct http_xfer *x, int rc)
{
    x->rc = rc;
    x->done = 1;
}

/* Begin one attempt (or answer it here: a Retry-After hold, an option refused). */
static void http_attempt_begin(struct http_xfer *x)
{
    const struct http_request *req = x->req;
    const struct http_opts *o = req->opts;
    struct http_response *resp = x->resp;
    long held = http_hold_left(x->origin);
    long shared = http_hold_file_left(o ? o->hold_file : NULL, x->origin);

    if (shared > held)
        held = shared; /* another host process was told to wait */
    if (held > 0) {
        /* every host told the same wait wakes at its own time, not all at once */
        if (x->jitter < 0)
            x->jitter = http_jitter_ms(held);
        held += x->jitter;
    }
    if (held <= 0 && req->pace && (held = http_pace_wait(x->origin, o ? o->hold_file : NULL)) > 0) {
        /* work that can wait, and the window is nearly spent: after its reset, with jitter */
        if (x->jitter < 0)
            x->jitter = http_jitter_ms(held);
        held += x->jitter;
        log_msg("http: %s %s paced: the rate-limit window is nearly spent; not sent for %ld ms",
                x->mname, x->target, held);
        http_reset_headers(resp);
        resp->status = 429;
        resp->retry_after_ms = held;
        resp->outcome = HTTP_RESPONDED;
        http_paced_defer(held);
        http_xfer_finish(x, 0);
        return;
    }
    if (held > 0 &&
        (req->pace || held > HTTP_HOLD_WAIT_MS || now_mono_ms() - x->start + held > x->budget)) {
        /* answered here, as the server would: nothing is sent before Retry-After (work that
         * can wait never sleeps: the port goes on reading, and it is tried again later) */
        log_msg("http: %s %s held by Retry-After for %ld ms more: not sent", x->mname, x->target,
                held);
        http_reset_headers(resp);
        resp->status = 429;
        resp->retry_after_ms = held;
        resp->outcome = HTTP_RESPONDED;
        if (req->pace)
            http_paced_defer(held);
        http_xfer_finish(x, 0);
        return;
    }
    if (held > 0) {
        log_msg("http: %s %s waits %ld ms (Retry-After)", x->mname, x->target, held);
        x->not_before = now_mono_ms() + held;
        return;
    }
    x->not_before = 0;
    memset(&x->ctx, 0, sizeof(x->ctx));
    buf_init(&x->ctx.body, HTTP_BODY_MAX, BUF_SECRET);
    x->ctx.idempotent = req->idempotent;
    x->ctx.resp = resp;
    x->errbuf[0] = '\0';
    http_reset_headers(resp);
    resp->status = 0;
    resp->attempts++;
    x->h = http_easy_get();
    if (!x->h) {
        err_set(x->e, ERR_INTERNAL, "libcurl could not create a handle");
        http_xfer_finish(x, -1);
        return;
    }
    if (http_setup(x->h, req, &x->ctx, &x->hdrs, x->errbuf) != 0 ||
        curl_easy_setopt(x->h, CURLOPT_PRIVATE, (void *)x) != CURLE_OK ||
        (http_share && curl_easy_setopt(x->h, CURLOPT_SHARE, http_share) != CURLE_OK) ||
        curl_multi_add_handle(http_multi, x->h) != CURLM_OK) {
        http_slist_free(x->hdrs);
        x->hdrs = NULL;
        buf_free(&x->ctx.body);
        err_set(x->e, ERR_INTERNAL, "libcurl rejected an option (%s)", x->errbuf);
        http_easy_put(x->h);
        x->h = NULL;
        http_xfer_finish(x, -1);
    }
}

/* An attempt ended with rc: finish the transfer, or schedule the next attempt. */
static void http_attempt_end(struct http_xfer *x, CURLcode rc)
{
    const struct http_request *req = x->req;
    const struct http_opts *o = req->opts;
    struct http_response *resp = x->resp;
    struct err *e = x->e;
    long wait = -1;

    (void)curl_multi_remove_handle(http_multi, x->h);
    curl_easy_setopt(x->h, CURLOPT_HTTPHEADER, NULL);
    curl_easy_setopt(x->h, CURLOPT_ERRORBUFFER, NULL);
    http_slist_free(x->hdrs);
    x->hdrs = NULL;
    if (rc == CURLE_OK) {
        curl_easy_getinfo(x->h, CURLINFO_RESPONSE_CODE, &resp->status);
        http_easy_put(x->h);
        x->h = NULL;
        if (buf_reserve(&x->ctx.body, 0) != BUF_OK) { /* an empty answer still gets "" */
            buf_free(&x->ctx.body);
            err_set(e, ERR_INTERNAL, "out of memory");
            http_xfer_finish(x, -1);
            return;
        }
        buf_free(&resp->body_buf);
        resp->body_buf = x->ctx.body; /* the answer's block moves to the response */
        memset(&x->ctx.body, 0, sizeof(x->ctx.body));
        resp->body = resp->body_buf.data;
        resp->body_len = resp->body_buf.len;
        resp->outcome = HTTP_RESPONDED;
        http_used_set(x->origin);
        log_msg("http: %s %s -> %ld (attempt %d)", x->mname, x->target, resp->status,
                resp->attempts);
        http_rl_note(x->origin, resp, o ? o->hold_file : NULL);
        if (resp->status == 429 && resp->retry_after_ms <= 0) {
            /* no Retry-After: hold until X-RateLimit-Reset when the answer gives it */
            long w = http_response_wait_ms(resp, (long long)time(NULL));
            if (w > 0)
                resp->retry_after_ms = w;
        }
        if ((resp->status == 429 || resp->status == 503) && resp->retry_after_ms > 0) {
            http_hold_set(x->origin, resp->retry_after_ms);
            http_hold_file_set(o ? o->hold_file : NULL, x->origin, resp->retry_after_ms);
            if (x->jitter < 0)
                x->jitter = http_jitter_ms(resp->retry_after_ms);
            if (req->pace || !req->idempotent) {
                resp->retry_after_ms += x->jitter; /* the caller's next try, with jitter */
                if (req->pace)
                    http_paced_defer(resp->retry_after_ms);
            }
        }
        if (req->idempotent && !req->pace && (resp->status == 429 || resp->status >= 500) &&
            resp->attempts <= x->max_retries) {
            wait = http_backoff(o, resp->attempts);
            long j = x->jitter > 0 ? x->jitter : 0;
            if (resp->retry_after_ms > 0 && resp->retry_after_ms + j > wait)
                wait = resp->retry_after_ms + j;
        }
    } else {
        int sent = x->ctx.prereq_calls > 0;
        buf_free(&x->ctx.body);
        http_easy_put(x->h);
        x->h = NULL;
        resp->outcome = sent ? HTTP_MAYBE_SENT : HTTP_NOT_SENT;
        log_msg("http: %s %s failed: curl %d %s (attempt %d, %s)", x->mname, x->target, (int)rc,
                curl_easy_strerror(rc), resp->attempts, sent ? "maybe sent" : "not sent");
        if (x->ctx.too_large || rc == CURLE_FILESIZE_EXCEEDED) {
            resp->outcome = HTTP_MAYBE_SENT;
            if (!req->idempotent)
                err_set(e, ERR_OUTCOME_UNKNOWN,
                        "the %s to %s reached the server but its answer was larger than "
                        "%u bytes; whether it took effect is unknown",
                        x->mname, x->target, HTTP_BODY_MAX);
            else
                err_set(e, ERR_UPSTREAM_INVALID,
                        "the answer from %s was larger than %u bytes and was refused", x->target,
                        HTTP_BODY_MAX);
            http_xfer_finish(x, -1);
            return;
        }
        if (!req->idempotent && sent) {
            err_set(e, ERR_OUTCOME_UNKNOWN,
                    "the connection failed after the %s to %s was sent (%s); it may have "
                    "reached the server, so it was not retried",
                    x->mname, x->target, x->errbuf[0] ? x->errbuf : curl_easy_strerror(rc));
            http_xfer_finish(x, -1);
            return;
        }
        if (req->idempotent && !http_permanent(rc) && resp->attempts <= x->max_retries)
            wait = http_backoff(o, resp->attempts);
        if (wait < 0) {
            if (http_tls_trust_error(rc)) {
                err_set(e, ERR_UPSTREAM_UNAVAILABLE,
                        "the TLS certificate of %s is not trusted (%s); check the "
                        "configured CA file",
                        x->target, x->errbuf[0] ? x->errbuf : curl_easy_strerror(rc));
                e->retryable = 0;
            } else {
                err_set(e, ERR_UPSTREAM_UNAVAILABLE, "could not reach %s: %s%s", x->target,
                        x->errbuf[0] ? x->errbuf : curl_easy_strerror(rc),
                        sent ? " (may have reached the server)" : " (not sent)");
            }
            http_xfer_finish(x, -1);
            return;
        }
    }
    if (wait < 0) {
        http_xfer_finish(x, 0);
        return;
    }
    if (now_mono_ms() - x->start + wait > x->budget) {
        log_msg("http: %s %s: retry budget exhausted", x->mname, x->target);
        if (resp->outcome == HTTP_RESPONDED) {
            http_xfer_finish(x, 0); /* the caller maps the 429/5xx */
            return;
        }
        err_set(e, ERR_UPSTREAM_UNAVAILABLE, "could not reach %s within the retry budget",
                x->target);
        http_xfer_finish(x, -1);
        return;
    }
    x->not_before = now_mono_ms() + wait;
}

static void http_bg_free(struct http_bg *b)
{
    if (!b)
        return;
    http_response_free(&b->resp);
    if (b->strings) {
        sodium_memzero(b->strings, b->strings_len);
        free(b->strings);
    }
    if (b->secrets)
        sodium_free(b->secrets); /* wipes */
    free(b);
}

/*
 * Take finished transfers off the list; a background one ends in its callback
 * (which may start new background transfers) and is freed. Foreground ones
 * stay with their callers.
 */
static void http_sweep(void)
{
    struct http_xfer **pp = &http_xfers;

    while (*pp) {
        struct http_xfer *x = *pp;
        if (!x->done) {
            pp = &x->next;
            continue;
        }
        *pp = x->next;
        x->next = NULL;
        if (x->bg) {
            struct http_bg *b = x->bg;
            if (b->done)
                b->done(b->ud, x->rc, &b->resp, &b->e);
            else if (x->rc != 0)
                log_msg("http: background %s %s: %s", x->mname, x->target, b->e.message);
            http_bg_free(b);
            pp = &http_xfers; /* the callback may have changed the list */
        }
    }
}

/* Start every waiting transfer whose time has come (a foreground one waits for a warm-up of
 * its origin to end, so that it reuses that connection instead of opening another). */
static void http_kick(void)
{
    struct http_xfer *x;
    long now = now_mono_ms();

    for (x = http_xfers; x; x = x->next) {
        if (x->done || x->h || x->not_before > now)
            continue;
        if (!x->bg && http_bg_busy(x->origin))
            continue;
        http_attempt_begin(x);
    }
}

/* Milliseconds until the next waiting transfer may start; -1 when none waits. */
static long http_next_wait(void)
{
    const struct http_xfer *x;
    long now = now_mono_ms(), best = -1;

    for (x = http_xfers; x; x = x->next) {
        long w;
        if (x->done || x->h)
            continue;
        w = x->not_before > now ? x->not_before - now : 0;
        if (!x->bg && http_bg_busy(x->origin))
            w = 50; /* re-checked as the warm-up progresses */
        if (best < 0 || w < best)
            best = w;
    }
    return best;
}

static int http_all_done(struct http_xfer *const *xs, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (!xs[i]->done)
            return 0;
    return 1;
}

static int http_running(void)
{
    const struct http_xfer *x;

    for (x = http_xfers; x; x = x->next)
        if (!x->done)
            return 1;
    return 0;
}

/*
 * Run every active transfer until those in xs[0..n) are done; with n == 0 until
 * no transfer is left, or fd (when >= 0) is readable, or the CLOCK_MONOTONIC time
 * until_ms (when > 0) has come. Returns 1 when fd is readable, else 0. A
 * foreground transfer's caller is always waiting here, so no transfer stalls.
 */
static int http_run(struct http_xfer *const *xs, size_t n, int fd, long until_ms)
{
    for (;;) {
        struct curl_waitfd wfd;
        struct CURLMsg *m;
        int still = 0, q = 0, nfds = 0;
        long wait;

        http_kick();
        if (http_multi)
            (void)curl_multi_perform(http_multi, &still);
        while (http_multi && (m = curl_multi_info_read(http_multi, &q)) != NULL) {
            struct http_xfer *x = NULL;
            if (m->msg != CURLMSG_DONE)
                continue;
            curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&x);
            if (x)
                http_attempt_end(x, m->data.result);
        }
        http_kick();
        http_sweep();
        if (n > 0 && http_all_done(xs, n))
            return 0;
        if (n == 0 && !http_running())
            return 0;
        if (n == 0 && until_ms > 0 && now_mono_ms() >= until_ms)
            return 0;
        wait = http_next_wait();
        if (wait < 0 || wait > 1000)
            wait = 1000;
        if (n == 0 && until_ms > 0 && until_ms - now_mono_ms() < wait)
            wait = until_ms - now_mono_ms() > 0 ? until_ms - now_mono_ms() : 0;
        memset(&wfd, 0, sizeof(wfd));
        if (fd >= 0) {
            wfd.fd = fd;
            wfd.events = CURL_WAIT_POLLIN;
        }
        if (http_multi) {
            if (curl_multi_poll(http_multi, fd >= 0 ? &wfd : NULL, fd >= 0 ? 1 : 0, (int)wait,
                                &nfds) != CURLM_OK)
                http_sleep_ms(wait > 10 ? 10 : wait);
        } else {
            http_sleep_ms(wait);
        }
        if (fd >= 0 && (wfd.revents & CURL_WAIT_POLLIN))
            return 1;
    }
}

/* Put transfers on the active list (in order). */
static void http_enlist(struct http_xfer *x)
{
    struct http_xfer **pp = &http_xfers;

    while (*pp)
        pp = &(*pp)->next;
    x->next = NULL;
    *pp = x;
}

/* Take a foreground transfer off the list, stopping any attempt still under way. */
static void http_delist(struct http_xfer *x)
{
    struct http_xfer **pp;

    for (pp = &http_xfers; *pp; pp = &(*pp)->next) {
        if (*pp == x) {
            *pp = x->next;
            break;
        }
    }
    if (x->h) {
        (void)curl_multi_remove_handle(http_multi, x->h);
        curl_easy_cleanup(x->h);
        x->h = NULL;
    }
    http_slist_free(x->hdrs);
    x->hdrs = NULL;
    buf_free(&x->ctx.body);
    x->next = NULL;
}

static void http_xfer_abandon_all(void)
{
    while (http_xfers) {
        struct http_xfer *x = http_xfers;
        http_delist(x);
        if (x->bg)
            http_bg_free(x->bg);
    }
}

int http_request(const struct http_request *req, struct http_response *resp, struct err *e)
{
    struct http_xfer x, *xp = &x;

    if (http_xfer_init(&x, req, resp, e) != 0)
        return -1;
    http_enlist(&x);
    (void)http_run(&xp, 1, -1, 0);
    http_delist(&x);
    return x.rc;
}

void http_request_all(const struct http_request *reqs, struct http_response *resps,
                      struct err *errs, int *rcs, size_t n)
{
    struct http_xfer xs[HTTP_ALL_MAX], *xp[HTTP_ALL_MAX];
    size_t i, k = 0;

    for (i = 0; i < n; i++) {
        if (i >= HTTP_ALL_MAX) { /* more than we run at once: one by one */
            rcs[i] = http_request(&reqs[i], &resps[i], &errs[i]);
            continue;
        }
        rcs[i] = -1;
        if (http_xfer_init(&xs[i], &reqs[i], &resps[i], &errs[i]) != 0)
            continue;
        http_enlist(&xs[i]);
        xp[k++] = &xs[i];
    }
    if (k > 0)
        (void)http_run(xp, k, -1, 0);
    for (i = 0; i < k; i++) {
        http_delist(xp[i]);
        rcs[xp[i] - xs] = xp[i]->rc;
    }
}

/* Copy s (NUL included) into the block at *pos; returns the copy. */
static char *http_bg_copy(char *block, size_t *pos, const char *s)
{
    char *out = block + *pos;
    size_t n = strlen(s) + 1;

    memcpy(out, s, n);
    *pos += n;
    return out;
}

int http_background(const struct http_request *req, http_done_fn done, void *ud)
{
    struct http_bg *b;
    const struct http_opts *o = req->opts;
    size_t nh = 0, slen = 0, plen = 0, sp = 0, pp = 0, i;

    while (req->headers && req->headers[nh])
        nh++;
    if (nh > HTTP_BG_HEADERS_MAX)
        return -1;
    b = calloc(1, sizeof(*b));
    if (!b)
        return -1;
    slen = strlen(req->url) + 1 + (req->body ? req->body_len + 1 : 0) +
           (o && o->ca_file ? strlen(o->ca_file) + 1 : 0) +
           (o && o->hold_file ? strlen(o->hold_file) + 1 : 0);
    for (i = 0; i < nh; i++)
        plen += strlen(req->headers[i]) + 1;
    plen += (req->basic_user ? strlen(req->basic_user) + 1 : 0) +
            (req->basic_pass ? strlen(req->basic_pass) + 1 : 0) + 1;
    b->strings = malloc(slen);
    b->strings_len = slen;
    b->secrets = sodium_malloc(plen);
    b->secrets_len = plen;
    if (!b->strings || !b->secrets) {
        http_bg_free(b);
        return -1;
    }
    b->req = *req;
    b->req.url = http_bg_copy(b->strings, &sp, req->url);
    if (req->body) {
        memcpy(b->strings + sp, req->body, req->body_len);
        b->strings[sp + req->body_len] = '\0';
        b->req.body = b->strings + sp;
        sp += req->body_len + 1;
    }
    if (o)
        b->opts = *o;
    /* a warm-up is never retried: a request that waits for it must not wait for back-offs */
    b->opts.max_retries = -1;
    b->req.opts = &b->opts;
    if (o) {
        if (o->ca_file)
            b->opts.ca_file = http_bg_copy(b->strings, &sp, o->ca_file);
        if (o->hold_file)
            b->opts.hold_file = http_bg_copy(b->strings, &sp, o->hold_file);
    }
    for (i = 0; i < nh; i++)
        b->headers[i] = http_bg_copy(b->secrets, &pp, req->headers[i]);
    b->headers[nh] = NULL;
    b->req.headers = nh ? b->headers : NULL;
    if (req->basic_user)
        b->req.basic_user = http_bg_copy(b->secrets, &pp, req->basic_user);
    if (req->basic_pass)
        b->req.basic_pass = http_bg_copy(b->secrets, &pp, req->basic_pass);
    b->done = done;
    b->ud = ud;
    err_clear(&b->e);
    if (http_xfer_init(&b->x, &b->req, &b->resp, &b->e) != 0) {
        log_msg("http: background request not started: %s", b->e.message);
        http_bg_free(b);
        return -1;
    }
    b->x.bg = b;
    http_enlist(&b->x);
    http_kick(); /* its first bytes leave now: the caller may not wait on the network soon */
    if (http_multi) {
        int still = 0;
        (void)curl_multi_perform(http_multi, &still);
    }
    return 0;
}

void http_background_detach(void *ud)
{
    struct http_xfer *x;

    for (x = http_xfers; x; x = x->next) {
        if (x->bg && x->bg->ud == ud && x->bg->done) {
            /* a callback of ours frees what it was given: run it as a failure now */
            struct err e;
            err_set(&e, ERR_INTERNAL, "abandoned");
            x->bg->done(x->bg->ud, -1, NULL, &e);
            x->bg->done = NULL;
        }
    }
}

void http_background_wait(void *ud)
{
    for (;;) {
        const struct http_xfer *x;
        int pending = 0;
        for (x = http_xfers; x; x = x->next)
            pending |= x->bg && !x->done && x->bg->ud == ud;
        if (!pending)
            return;
        (void)http_run(NULL, 0, -1, now_mono_ms() + 50);
    }
}

int http_wait_readable(int fd)
{
    if (!http_running())
        return 0;
    return http_run(NULL, 0, fd, 0);
}

int http_wait_readable_for(int fd, long ms)
{
    long until = now_mono_ms() + (ms > 0 ? ms : 0), left;

    if (http_running() && http_run(NULL, 0, fd, until > 0 ? until : 1) == 1)
        return 1;
    left = until - now_mono_ms();
    if (left <= 0)
        return 0;
    return os_wait_readable(fd, left > 60000 ? 60000 : (int)left) > 0;
}
