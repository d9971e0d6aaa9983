/*
 * apijson — JSON helpers shared by the API clients (see apijson.h).
 * [engine]
 */
#include "apijson.h"
#include "utf8.h"
#include "common.h"
#include "http.h"
#include "log.h"

#include <ctype.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

cJSON *apijson_parse(const char *buf, size_t len)
{
    if (!buf || len == 0)
        return NULL;
    return cJSON_ParseWithLength(buf, len);
}

int apijson_copy(const cJSON *obj, const char *name, char *out, size_t outsz)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);
    size_t n;

    if (outsz)
        out[0] = '\0';
    if (!cJSON_IsString(v) || !v->valuestring)
        return -1;
    n = strlen(v->valuestring);
    if (n + 1 > outsz)
        return -1;
    memcpy(out, v->valuestring, n + 1);
    return 0;
}

long long apijson_id(const cJSON *v)
{
    if (cJSON_IsNumber(v)) {
        double d = v->valuedouble;
        if (d >= 1 && d <= 9007199254740991.0 && d == (double)(long long)d)
            return (long long)d;
        return -1;
    }
    if (cJSON_IsString(v) && v->valuestring) {
        const char *s = v->valuestring;
        long long x = 0;
        size_t i;
        if (!*s || strlen(s) > 18)
            return -1;
        for (i = 0; s[i]; i++) {
            if (s[i] < '0' || s[i] > '9')
                return -1;
            x = x * 10 + (s[i] - '0');
        }
        return x > 0 ? x : -1;
    }
    return -1;
}

int apijson_true(const cJSON *obj, const char *name)
{
    return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(obj, name)) ? 1 : 0;
}

/* Append s to out (at *o), control characters as spaces, keeping the NUL. */
static void apijson_append(char *out, size_t outsz, size_t *o, const char *s)
{
    for (; s && *s && *o + 1 < outsz; s++) {
        unsigned char c = (unsigned char)*s;
        out[(*o)++] = (c < 0x20 || c == 0x7f) ? ' ' : (char)c;
    }
    out[*o] = '\0';
}

static const char *apijson_str(const cJSON *obj, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);

    if (cJSON_IsString(v) && v->valuestring && *v->valuestring)
        return v->valuestring;
    if (cJSON_IsObject(v))
        return apijson_str(v, "message");
    return NULL;
}

/* in with every occurrence of each secret (APIJSON_SECRET_MIN bytes or more) as "[redacted]",
 * into out (cut at outsz: the marker may be longer than a secret). */
static void apijson_unsecret(char *out, size_t outsz, const char *in, const char *const *secrets,
                             size_t n_secrets)
{
    static const char marker[] = "[redacted]";
    size_t o = 0, i = 0, k;

    while (in[i] && o + 1 < outsz) {
        size_t hit = 0;
        for (k = 0; k < n_secrets && !hit; k++) {
            size_t sl = secrets[k] ? strlen(secrets[k]) : 0;
            if (sl >= APIJSON_SECRET_MIN && strncmp(in + i, secrets[k], sl) == 0)
                hit = sl;
        }
        if (hit) {
            size_t m = sizeof(marker) - 1;
            if (o + m >= outsz)
                break; /* no room for the whole marker: the text ends here */
            memcpy(out + o, marker, m);
            o += m;
            i += hit;
            continue;
        }
        out[o++] = in[i++];
    }
    out[o] = '\0';
}

void apijson_error_message(const char *buf, size_t len, const char *const *secrets,
                           size_t n_secrets, char *out, size_t outsz)
{
    char full[2048]; /* the whole message first, then shortened at a word (utf8_clip) */
    char scrub[2048], clean[2048];
    static const char *const keys[] = {"message", "error",  "hydra:description", "hydra:title",
                                       "title",   "detail", "error_description"};
    cJSON *doc;
    const cJSON *errs;
    const char *msg = NULL;
    size_t o = 0, i;
    int shown = 0;

    if (!outsz)
        return;
    out[0] = '\0';
    full[0] = '\0';
    doc = apijson_parse(buf, len);
    if (!cJSON_IsObject(doc)) {
        cJSON_Delete(doc);
        return;
    }
    for (i = 0; i < TH_ARRAY_SIZE(keys) && !msg; i++)
        msg = apijson_str(doc, keys[i]);
    apijson_append(full, sizeof(full), &o, msg);
    errs = cJSON_GetObjectItemCaseSensitive(doc, "errors");
    if (cJSON_IsArray(errs)) {
        const cJSON *it;
        cJSON_ArrayForEach(it, errs)
        {
            const char *f = NULL, *m = NULL;
            if (shown >= 3)
                break;
            if (cJSON_IsString(it)) {
                m = it->valuestring;
            } else if (cJSON_IsObject(it)) {
                m = apijson_str(it, "message");
                f = apijson_str(it, "field");
                if (!m && it->child && cJSON_IsString(it->child) && it->child->string) {
                    f = it->child->string;
                    m = it->child->valuestring;
                }
            }
            if (!m)
                continue;
            apijson_append(full, sizeof(full), &o, shown ? "; " : (o ? " (" : "("));
            if (f) {
                apijson_append(full, sizeof(full), &o, f);
                apijson_append(full, sizeof(full), &o, ": ");
            }
            apijson_append(full, sizeof(full), &o, m);
            shown++;
        }
        if (shown)
            apijson_append(full, sizeof(full), &o, ")");
    }
    cJSON_Delete(doc);
    /* a server may echo what it was sent (a refused token in its 401's message): the
     * credentials of the request, then anything that looks like a secret (log_redact's token
     * rule), never reach a message — replies, stderr and the log alike */
    apijson_unsecret(scrub, sizeof(scrub), full, secrets, n_secrets);
    log_redact_tokens(clean, sizeof(clean), scrub);
    (void)utf8_clip(out, outsz, clean, strlen(clean));
    sodium_memzero(full, sizeof(full));
    sodium_memzero(scrub, sizeof(scrub));
    sodium_memzero(clean, sizeof(clean));
}

int apijson_map_status(const struct http_response *r, const char *service, const char *prep,
                       const char *what, const char *msg, enum err_code refused, struct err *e)
{
    const char *sep = msg[0] ? ": " : "";
    char tag[32];
    size_t i;

    if (r->status == 429) {
        long w = http_response_wait_ms(r, (long long)time(NULL));
        err_set(e, ERR_RATE_LIMITED, "%s rate limit reached %s %s; retry in %ld s", service, prep,
                what, (w + 999) / 1000);
        e->retry_after_ms = w;
    } else if (r->status >= 500) {
        err_set(e, ERR_UPSTREAM_UNAVAILABLE, "%s is unavailable (HTTP %ld %s %s)%s%s", service,
                r->status, prep, what, sep, msg);
    } else if (r->status >= 400) {
        err_set(e, refused, "%s refused %s (HTTP %ld)%s%s", service, what, r->status, sep, msg);
    } else {
        err_set(e, ERR_UPSTREAM_INVALID, "%s answered %s with unexpected HTTP %ld", service, what,
                r->status);
    }
    for (i = 0; service[i] && i + 1 < sizeof(tag); i++)
        tag[i] = (char)tolower((unsigned char)service[i]);
    tag[i] = '\0';
    log_msg("%s: %s -> HTTP %ld (%s)", tag, what, r->status, err_code_name(e->code));
    return -1;
}
