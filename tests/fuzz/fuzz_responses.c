/*
 * fuzz_responses — libFuzzer target over the API clients' response parsers
 * (no network): TextUs Message / Conversation / Contact / collection pages,
 * API error bodies, Greenhouse user / candidate / note pages (v1 and v3), token
 * responses, ISO-8601 expiries, the Link and Retry-After header parsers, and the
 * Retry-After hold file's parser.
 * The first input byte picks the parser; the rest is the response bytes.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "apijson.h"
#include "greenhouse.h"
#include "http.h"
#include "iso8601.h"
#include "textus.h"

/*
 * The origin of url as libcurl itself reads it (the parser http.c's requests go through):
 * https, harvest.greenhouse.io in any case, port 443. A string comparison would be wrong both
 * ways ("https:///harvest.greenhouse.io:443" is that origin to libcurl).
 */
static int fuzz_same_origin(const char *url)
{
    CURLU *u = curl_url();
    char *scheme = NULL, *host = NULL, *port = NULL;
    int same = 0;

    if (u && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) == CURLUE_OK)
        same = strcasecmp(scheme, "https") == 0 && strcasecmp(host, "harvest.greenhouse.io") == 0 &&
               strcmp(port, "443") == 0;
    curl_free(scheme);
    curl_free(host);
    curl_free(port);
    curl_url_cleanup(u);
    return same;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *buf;
    size_t len;
    char *z;
    struct err e;
    char out[512];

    if (size < 1)
        return 0;
    buf = (const char *)data + 1;
    len = size - 1;
    z = malloc(len + 1); /* a NUL-terminated copy for the parsers that take strings */
    if (!z)
        return 0;
    memcpy(z, buf, len);
    z[len] = '\0';
    err_clear(&e);
    switch (data[0] % 12) {
    case 0: {
        struct textus_message m;
        textus_parse_message(buf, len, &m, &e);
        break;
    }
    case 1: {
        struct textus_conversation *cv = malloc(sizeof(*cv));
        if (cv)
            textus_parse_conversation(buf, len, cv, &e);
        free(cv);
        break;
    }
    case 2: {
        struct textus_contact c;
        struct textus_opt_out o;
        textus_parse_contact(buf, len, &c, &e);
        textus_parse_opt_out(buf, len, &o, &e); /* an object too */
        break;
    }
    case 3: {
        cJSON *doc = NULL;
        const cJSON *members = NULL, *it;
        char next[HTTP_URL_MAX];
        size_t n = 0;
        if (textus_parse_collection(buf, len, &doc, &members, next, sizeof(next), &e) == 0) {
            cJSON_ArrayForEach(it, members) n++;
            (void)n;
        }
        cJSON_Delete(doc);
        break;
    }
    case 4:
        apijson_error_message(buf, len, NULL, 0, out, sizeof(out));
        break;
    case 5:
    case 6: {
        struct gh_user_match m;
        memset(&m, 0, sizeof(m));
        struct gh_candidate_details d;
        long long job = 0;
        gh_page_users(buf, len, data[0] % 12 == 5 ? GH_V1 : GH_V3, "alice@acme.example", &m, &e);
        memset(&d, 0, sizeof(d));
        gh_page_applications(buf, len, data[0] % 12 == 5 ? GH_V1 : GH_V3, 1001, 0, 0, &d, &job,
                             &e); /* a list too */
        break;
    }
    case 7: {
        cJSON *arr = cJSON_CreateArray();
        int found = 0;
        char first[64], last[64];
        if (arr)
            gh_page_candidates(buf, len, 1001, arr, &found, &e);
        cJSON_Delete(arr);
        found = 0;
        gh_page_candidate_name(buf, len, 1001, first, sizeof(first), last, sizeof(last), &found,
                               &e);
        break;
    }
    case 8: {
        int found = 0;
        long long note_id = 0;
        gh_page_notes(buf, len, (data[0] / 12) % 2 ? GH_V3 : GH_V1, "[th:", &found, &note_id, &e);
        break;
    }
    case 9: {
        char tok[GH_TOKEN_MAX], iso[ISO8601_UTC_MAX];
        long long exp = 0;
        int64_t ms, again, s;
        gh_parse_token(buf, len, 1795000000LL, tok, sizeof(tok), &exp, &e);
        if (iso8601_parse_ms(&ms, buf, len) == 0) {
            /* what it accepts, formatted to the second, reads back as the same second */
            s = ms >= 0 ? ms / 1000 : -((999 - ms) / 1000);
            if (iso8601_format_utc(iso, sizeof(iso), s) == 0 &&
                (iso8601_parse_ms(&again, iso, strlen(iso)) != 0 || again != s * 1000))
                abort();
        }
        break;
    }
    case 10: {
        char next[HTTP_URL_MAX];
        http_parse_link_next(buf, len, next, sizeof(next));
        http_parse_link_next(buf, len, next, 16);
        break;
    }
    case 11: {
        char o[HTTP_URL_MAX];
        http_parse_retry_after(buf, len, 1795000000LL);
        (void)http_parse_holds(buf, len, "https://harvest.greenhouse.io:443");
        if (http_url_same_origin("https://harvest.greenhouse.io", z, o, sizeof(o), &e) == 0 &&
            !fuzz_same_origin(o))
            abort(); /* a followed link must never leave the configured origin */
        break;
    }
    }
    free(z);
    return 0;
}
