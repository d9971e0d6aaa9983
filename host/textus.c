/*
 * textus — TextUs Next API client (see textus.h). Next to each request: the page of
 * https://apidocs.next.textus.com that documents it.
 * [engine]
 */
#include "textus.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "apijson.h"
#include "common.h"
#include "hints.h"
#include "log.h"

#define TEXTUS_VND                "application/vnd.textus+jsonld"
#define TEXTUS_TOKEN_MAX          1024
#define TEXTUS_MAX_PAGES          200
#define TEXTUS_TREE_ROOTS         16 /* memberships whose descendants are listed */
#define TEXTUS_CONTACT_PHONES_MAX 50

int textus_is_e164(const char *s)
{
    size_t n = 0;

    if (!s || s[0] != '+' || s[1] < '1' || s[1] > '9')
        return 0;
    for (s++; *s; s++, n++) {
        if (*s < '0' || *s > '9')
            return 0;
    }
    return n >= 7 && n <= 15;
}

static const char *textus_base(const struct textus_config *c)
{
    return c->base_url && *c->base_url ? c->base_url : ENDPOINT_TEXTUS_BASE_URL;
}

/* base URL (without trailing '/') + printf-formatted path. */
static int textus_url(const struct textus_config *c, char *out, size_t outsz, struct err *e,
                      const char *fmt, ...) TH_PRINTF(5, 6);
static int textus_url(const struct textus_config *c, char *out, size_t outsz, struct err *e,
                      const char *fmt, ...)
{
    const char *base = textus_base(c);
    size_t bl = strlen(base);
    va_list ap;
    int n;

    while (bl > 0 && base[bl - 1] == '/')
        bl--;
    if (bl + 1 >= outsz) {
        err_set(e, ERR_INVALID_CONFIG, "the TextUs URL is too long");
        return -1;
    }
    memcpy(out, base, bl);
    va_start(ap, fmt);
    n = vsnprintf(out + bl, outsz - bl, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= outsz - bl) {
        err_set(e, ERR_BAD_REQUEST, "a TextUs request URL would be too long");
        return -1;
    }
    return 0;
}

static int textus_slug(const struct textus_config *c, char *out, size_t outsz, struct err *e)
{
    if (!c->account || !*c->account) {
        err_set(e, ERR_NOT_CONFIGURED, "no TextUs account slug is configured");
        return -1;
    }
    if (http_escape(c->account, out, outsz) != 0) {
        err_set(e, ERR_INVALID_CONFIG, "the TextUs account slug is too long");
        return -1;
    }
    return 0;
}

/* One prepared request: the headers (the Authorization line is a secret) live here. */
struct textus_rq {
    char auth[TEXTUS_TOKEN_MAX + 32];
    const char *hdrs[4];
    struct http_request rq;
};

static int textus_rq_init(const struct textus_config *c, struct textus_rq *t, enum http_method m,
                          const char *url, const char *body, int idempotent, struct err *e)
{
    size_t tl;

    memset(t, 0, sizeof(*t));
    if (!c->token || !*c->token) {
        err_set(e, ERR_NOT_CONFIGURED, "no TextUs API token is configured");
        return -1;
    }
    tl = strlen(c->token);
    if (tl > TEXTUS_TOKEN_MAX || strpbrk(c->token, "\r\n")) {
        err_set(e, ERR_INVALID_CONFIG, "the TextUs API token is malformed");
        return -1;
    }
    snprintf(t->auth, sizeof(t->auth), "Authorization: Bearer %s", c->token);
    t->hdrs[0] = t->auth;
    t->hdrs[1] = "Accept: " TEXTUS_VND;
    t->hdrs[2] = "Content-Type: " TEXTUS_VND;
    t->hdrs[3] = NULL;
    t->rq.method = m;
    t->rq.url = url;
    t->rq.headers = t->hdrs;
    t->rq.body = body;
    t->rq.body_len = body ? strlen(body) : 0;
    t->rq.idempotent = idempotent;
    t->rq.pace = c->pace;
    t->rq.opts = &c->http;
    return 0;
}

static void textus_rq_wipe(struct textus_rq *t)
{
    sodium_memzero(t->auth, sizeof(t->auth));
}

static int textus_do(const struct textus_config *c, enum http_method m, const char *url,
                     const char *body, int idempotent, struct http_response *r, struct err *e)
{
    struct textus_rq t;
    int rc;

    memset(r, 0, sizeof(*r));
    if (textus_rq_init(c, &t, m, url, body, idempotent, e) != 0)
        return -1;
    rc = http_request(&t.rq, r, e);
    textus_rq_wipe(&t);
    return rc;
}

/* Map a non-2xx answer to a stable code; 0 for 2xx. slug_scoped: path is /{slug}/... */
static int textus_map(const struct textus_config *c, const struct http_response *r, int slug_scoped,
                      const char *what, struct err *e)
{
    char msg[300];

    if (r->status >= 200 && r->status < 300)
        return 0;
    apijson_error_message(r->body, r->body_len, &c->token, 1, msg, sizeof(msg));
    if (r->status == 401) {
        err_set(e, ERR_TEXTUS_AUTH, "TextUs refused the API token (HTTP 401%s%s)",
                msg[0] ? ": " : "", msg);
        err_add_fix(e, ". Create a new token in TextUs (" TH_HINT_TEXTUS_TOKEN
                       ") and run `textus-host configure`");
    } else if (r->status == 404 && slug_scoped) {
        err_set(e, ERR_TEXTUS_ACCOUNT,
                "TextUs has no account \"%s\" for this token (HTTP 404 on %s)",
                c->account ? c->account : "", what);
        err_add_fix(e, "; check the account slug with `textus-host configure`");
    } else {
        return apijson_map_status(r, "TextUs", "during", what, msg, ERR_TEXTUS_REJECTED, e);
    }
    log_msg("textus: %s -> HTTP %ld (%s)", what, r->status, err_code_name(e->code));
    return -1;
}

static void textus_invalid(struct err *e, const char *what)
{
    err_set(e, ERR_UPSTREAM_INVALID, "TextUs sent an unusable answer (%s)", what);
}

/* ------------------------------------------------------------------ parsers */

static int textus_message_from(const cJSON *o, struct textus_message *m)
{
    memset(m, 0, sizeof(*m));
    if (!cJSON_IsObject(o))
        return -1;
    if (apijson_copy(o, "id", m->id, sizeof(m->id)) != 0 || strncmp(m->id, "/messages/", 10) != 0 ||
        !m->id[10])
        return -1;
    if (apijson_copy(o, "deliveryState", m->delivery_state, sizeof(m->delivery_state)) != 0)
        apijson_copy(o, "status", m->delivery_state, sizeof(m->delivery_state));
    apijson_copy(o, "conversation", m->conversation, sizeof(m->conversation));
    apijson_copy(o, "direction", m->direction, sizeof(m->direction));
    if (apijson_copy(o, "sender", m->sender, sizeof(m->sender)) != 0 ||
        strncmp(m->sender, "/users/", 7) != 0)
        m->sender[0] =
            '\0'; /* outgoing messages only (https://apidocs.next.textus.com/types/Message/) */
    if (apijson_copy(o, "displayTimestamp", m->timestamp, sizeof(m->timestamp)) != 0 &&
        apijson_copy(o, "createdAt", m->timestamp, sizeof(m->timestamp)) != 0)
        apijson_copy(o, "timelinePosition", m->timestamp, sizeof(m->timestamp));
    return 0;
}

int textus_parse_message(const char *buf, size_t len, struct textus_message *out, struct err *e)
{
    cJSON *doc = apijson_parse(buf, len);
    int rc = textus_message_from(doc, out);

    cJSON_Delete(doc);
    if (rc != 0)
        textus_invalid(e, "a Message without a /messages/ id");
    return rc;
}

int textus_parse_conversation(const char *buf, size_t len, struct textus_conversation *out,
                              struct err *e)
{
    cJSON *doc = apijson_parse(buf, len);
    const cJSON *latest, *body;
    int rc = -1;

    memset(out, 0, sizeof(*out));
    if (!cJSON_IsObject(doc))
        goto out;
    if (apijson_copy(doc, "id", out->id, sizeof(out->id)) != 0)
        goto out;
    apijson_copy(doc, "currentState", out->current_state, sizeof(out->current_state));
    {
        /* associatedContacts: a link, or a ContactCollection whose id is that link */
        const cJSON *ac = cJSON_GetObjectItemCaseSensitive(doc, "associatedContacts");
        if (cJSON_IsString(ac) && ac->valuestring && strlen(ac->valuestring) < TEXTUS_ID_MAX)
            memcpy(out->contacts_link, ac->valuestring, strlen(ac->valuestring) + 1);
        else if (cJSON_IsObject(ac))
            apijson_copy(ac, "id", out->contacts_link, sizeof(out->contacts_link));
    }
    out->blocked = apijson_true(doc, "blocked") || strcmp(out->current_state, "blocked") == 0;
    out->unsubscribed = apijson_true(doc, "unsubscribed");
    latest = cJSON_GetObjectItemCaseSensitive(doc, "latestPreviewableItem");
    if (cJSON_IsObject(latest)) {
        if (textus_message_from(latest, &out->latest) != 0) {
            /* a previewable item need not be a message; keep what is there */
            memset(&out->latest, 0, sizeof(out->latest));
            apijson_copy(latest, "id", out->latest.id, sizeof(out->latest.id));
            apijson_copy(latest, "direction", out->latest.direction, sizeof(out->latest.direction));
            if (apijson_copy(latest, "displayTimestamp", out->latest.timestamp,
                             sizeof(out->latest.timestamp)) != 0)
                apijson_copy(latest, "createdAt", out->latest.timestamp,
                             sizeof(out->latest.timestamp));
        }
        out->has_latest = 1;
        body = cJSON_GetObjectItemCaseSensitive(latest, "body");
        if (cJSON_IsString(body) && body->valuestring) {
            size_t n = strlen(body->valuestring);
            if (n >= sizeof(out->latest_body)) {
                n = sizeof(out->latest_body) - 1;
                out->latest_body_truncated = 1;
            }
            memcpy(out->latest_body, body->valuestring, n);
            out->latest_body[n] = '\0';
        }
    }
    out->found = 1;
    rc = 0;
out:
    cJSON_Delete(doc);
    if (rc != 0)
        textus_invalid(e, "a Conversation without an id");
    return rc;
}

static int textus_contact_from(const cJSON *o, struct textus_contact *c)
{
    memset(c, 0, sizeof(*c));
    if (!cJSON_IsObject(o))
        return -1;
    if (apijson_copy(o, "id", c->id, sizeof(c->id)) != 0 || strncmp(c->id, "/contacts/", 10) != 0 ||
        !c->id[10])
        return -1;
    apijson_copy(o, "name", c->name, sizeof(c->name));
    return 0;
}

int textus_parse_contact(const char *buf, size_t len, struct textus_contact *out, struct err *e)
{
    cJSON *doc = apijson_parse(buf, len);
    int rc = textus_contact_from(doc, out);

    cJSON_Delete(doc);
    if (rc != 0)
        textus_invalid(e, "a Contact without a /contacts/ id");
    return rc;
}

int textus_parse_collection(const char *buf, size_t len, cJSON **doc, const cJSON **members,
                            char *next, size_t nextsz, struct err *e)
{
    const cJSON *m, *view, *nx;

    *doc = apijson_parse(buf, len);
    *members = NULL;
    if (nextsz)
        next[0] = '\0';
    if (!cJSON_IsObject(*doc))
        goto bad;
    m = cJSON_GetObjectItemCaseSensitive(*doc, "members");
    if (!m)
        m = cJSON_GetObjectItemCaseSensitive(*doc, "hydra:member");
    if (!cJSON_IsArray(m))
        goto bad;
    view = cJSON_GetObjectItemCaseSensitive(*doc, "view");
    if (!view)
        view = cJSON_GetObjectItemCaseSensitive(*doc, "hydra:view");
    if (cJSON_IsObject(view)) {
        nx = cJSON_GetObjectItemCaseSensitive(view, "next");
        if (!nx)
            nx = cJSON_GetObjectItemCaseSensitive(view, "hydra:next");
        if (cJSON_IsString(nx) && nx->valuestring && *nx->valuestring) {
            if (strlen(nx->valuestring) + 1 > nextsz)
                goto bad;
            memcpy(next, nx->valuestring, strlen(nx->valuestring) + 1);
        } else if (nx && !cJSON_IsNull(nx) && !cJSON_IsString(nx)) {
            goto bad;
        }
    }
    *members = m;
    return 0;
bad:
    cJSON_Delete(*doc);
    *doc = NULL;
    textus_invalid(e, "not a collection with members");
    return -1;
}

/* ------------------------------------------------------------------ collections */

typedef int (*textus_member_fn)(const cJSON *member, void *ud, int *stop, struct err *e);

/* 1 when a collection page's @type is want_type, a generic hydra:Collection, or absent. */
static int textus_page_type_ok(const cJSON *doc, const char *want_type)
{
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(doc, "@type");

    if (!want_type || !t)
        return 1;
    return cJSON_IsString(t) && t->valuestring &&
           (strcmp(t->valuestring, want_type) == 0 ||
            strcmp(t->valuestring, "hydra:Collection") == 0);
}

/*
 * GET first_url and every view.next page; call fn for each member until *stop. refused (may
 * be NULL): a 404 on the first page — or a 403 when refuse_403 — sets it to that status and
 * returns 0 instead of an error. want_type (may be NULL): a page whose @type names another
 * type is upstream_invalid.
 */
static int textus_each_ex(const struct textus_config *c, const char *first_url, int slug_scoped,
                          const char *what, const char *want_type, textus_member_fn fn, void *ud,
                          int *refused, int refuse_403, struct err *e)
{
    char url[HTTP_URL_MAX], next[HTTP_URL_MAX];
    int pages = 0, stop = 0;

    if (refused)
        *refused = 0;

    if (strlen(first_url) + 1 > sizeof(url)) {
        err_set(e, ERR_BAD_REQUEST, "request URL too long");
        return -1;
    }
    memcpy(url, first_url, strlen(first_url) + 1);
    for (;;) {
        struct http_response r;
        cJSON *doc = NULL;
        const cJSON *members, *it;
        int rc;

        if (++pages > TEXTUS_MAX_PAGES) {
            err_set(e, ERR_UPSTREAM_INVALID, "TextUs returned more than %d pages for %s",
                    TEXTUS_MAX_PAGES, what);
            return -1;
        }
        rc = textus_do(c, HTTP_GET, url, NULL, 1, &r, e);
        if (rc == 0 && refused && pages == 1 &&
            (r.status == 404 || (refuse_403 && r.status == 403))) {
            *refused = (int)r.status;
            http_response_free(&r);
            return 0;
        }
        if (rc == 0)
            rc = textus_map(c, &r, slug_scoped, what, e);
        if (rc == 0)
            rc = textus_parse_collection(r.body, r.body_len, &doc, &members, next, sizeof(next), e);
        http_response_free(&r);
        if (rc != 0)
            return -1;
        if (!textus_page_type_ok(doc, want_type)) {
            cJSON_Delete(doc);
            err_set(e, ERR_UPSTREAM_INVALID,
                    "TextUs sent an unusable answer (%s: a page that is not a %s)", what,
                    want_type);
            return -1;
        }
        cJSON_ArrayForEach(it, members)
        {
            if (fn(it, ud, &stop, e) != 0) {
                cJSON_Delete(doc);
                return -1;
            }
            if (stop)
                break;
        }
        cJSON_Delete(doc);
        if (stop || !next[0])
            return 0;
        {
            char prev[HTTP_URL_MAX];
            memcpy(prev, url, sizeof(prev));
            if (http_url_same_origin(textus_base(c), next, url, sizeof(url), e) != 0)
                return -1;
            if (strcmp(prev, url) == 0) {
                err_set(e, ERR_UPSTREAM_INVALID, "TextUs pointed %s's next page at itself", what);
                return -1;
            }
        }
    }
}

/*
 * An account's number as E.164: the accounts page shows phoneNumbers formatted for people
 * ("(303) 555-1111", https://apidocs.next.textus.com/docs/accounts/index); a +1 number written
 * with or without its country code, or a number already in E.164. "" when it is neither.
 */
static void textus_e164_of(char *out, size_t outsz, const char *s)
{
    char d[20];
    size_t n = 0;
    int plus = 0;

    out[0] = '\0';
    for (; s && *s; s++) {
        if (*s == '+' && n == 0)
            plus = 1;
        else if (*s >= '0' && *s <= '9') {
            if (n + 1 >= sizeof(d))
                return;
            d[n++] = *s;
        } else if (!strchr(" ()-.", *s))
            return;
    }
    d[n] = '\0';
    if (!plus && n == 10)
        snprintf(out, outsz, "+1%s", d);
    else if (!plus && n == 11 && d[0] == '1')
        snprintf(out, outsz, "+%s", d);
    else if (plus)
        snprintf(out, outsz, "+%s", d);
    if (!textus_is_e164(out))
        out[0] = '\0';
}

/* Add "phones": the account's numbers that read as E.164. 1, or 0 when out of memory. */
static int textus_account_phones(cJSON *o, const cJSON *numbers)
{
    cJSON *arr = cJSON_AddArrayToObject(o, "phones");
    const cJSON *it;
    char e164[24];

    if (!arr)
        return 0;
    cJSON_ArrayForEach(it, numbers)
    {
        if (!cJSON_IsString(it))
            continue;
        textus_e164_of(e164, sizeof(e164), it->valuestring);
        if (e164[0] && !cJSON_AddItemToArray(arr, cJSON_CreateString(e164)))
            return 0;
    }
    return 1;
}

/* textus_each_ex for a collection that must exist: a 404 is an error like any other. */
static int textus_each(const struct textus_config *c, const char *first_url, int slug_scoped,
                       const char *what, textus_member_fn fn, void *ud, struct err *e)
{
    return textus_each_ex(c, first_url, slug_scoped, what, NULL, fn, ud, NULL, 0, e);
}

static int textus_account_member(const cJSON *m, void *ud, int *stop, struct err *e)
{
    cJSON *arr = ud, *o;
    const cJSON *slug = cJSON_GetObjectItemCaseSensitive(m, "slug");
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(m, "name");

    (void)stop;
    if (!cJSON_IsString(slug) || !slug->valuestring) {
        textus_invalid(e, "an account without a slug");
        return -1;
    }
    o = cJSON_CreateObject();
    if (!o || !cJSON_AddStringToObject(o, "slug", slug->valuestring) ||
        !cJSON_AddStringToObject(
            o, "name", cJSON_IsString(name) && name->valuestring ? name->valuestring : "") ||
        !cJSON_AddBoolToObject(o, "messagingRestricted", apijson_true(m, "messagingRestricted")) ||
        !textus_account_phones(o, cJSON_GetObjectItemCaseSensitive(m, "phoneNumbers"))) {
        cJSON_Delete(o);
        err_set(e, ERR_INTERNAL, "out of memory");
        return -1;
    }
    cJSON_AddItemToArray(arr, o);
    return 0;
}

int textus_list_accounts(const struct textus_config *c, cJSON *out_accounts, struct err *e)
{
    char url[HTTP_URL_MAX];

    /* https://apidocs.next.textus.com/docs/accounts/index: with no query, the accounts the
     * user is directly a member of */
    if (textus_url(c, url, sizeof(url), e, "/accounts") != 0)
        return -1;
    return textus_each(c, url, 0, "listing accounts", textus_account_member, out_accounts, e);
}

/* Append slug to a ", "-separated list in buf (silently stops when full). */
static void textus_name_add(char *buf, size_t bufsz, const char *slug)
{
    size_t o = strlen(buf);

    if (o + strlen(slug) + 8 >= bufsz) {
        if (o + 5 < bufsz && !strstr(buf, "..."))
            snprintf(buf + o, bufsz - o, ", ...");
        return;
    }
    snprintf(buf + o, bufsz - o, "%s%s", o ? ", " : "", slug);
}

/* Fill *out from an account entry of textus_account_member. */
static void textus_account_from(const cJSON *it, const char *via, struct textus_account *out)
{
    snprintf(out->slug, sizeof(out->slug), "%s",
             cJSON_GetObjectItemCaseSensitive(it, "slug")->valuestring);
    snprintf(out->name, sizeof(out->name), "%s",
             cJSON_GetObjectItemCaseSensitive(it, "name")->valuestring);
    out->messaging_restricted = apijson_true(it, "messagingRestricted");
    snprintf(out->via, sizeof(out->via), "%s", via ? via : "");
    {
        const cJSON *ph = cJSON_GetObjectItemCaseSensitive(it, "phones");
        out->n_phones = cJSON_GetArraySize(ph);
        if (out->n_phones > 0)
            snprintf(out->phone, sizeof(out->phone), "%s", cJSON_GetArrayItem(ph, 0)->valuestring);
    }
}

/* The entry of arr whose slug is slug, or NULL. */
static const cJSON *textus_account_find(const cJSON *arr, const char *slug)
{
    const cJSON *it;

    cJSON_ArrayForEach(it, arr)
    {
        if (strcmp(cJSON_GetObjectItemCaseSensitive(it, "slug")->valuestring, slug) == 0)
            return it;
    }
    return NULL;
}

int textus_verify_account(const struct textus_config *c, struct textus_account *out, struct err *e)
{
    cJSON *direct = cJSON_CreateArray(), *tree = NULL;
    const cJSON *it, *hit;
    char members[160], reached[200], slug_esc[256], url[HTTP_URL_MAX];
    int rc = -1, n = 0;

    memset(out, 0, sizeof(*out));
    members[0] = reached[0] = '\0';
    if (!direct) {
        err_set(e, ERR_INTERNAL, "out of memory");
        return -1;
    }
    if (!c->account || !*c->account) {
        err_set(e, ERR_NOT_CONFIGURED, "no TextUs account slug is configured");
        goto out;
    }
    if (textus_list_accounts(c, direct, e) != 0)
        goto out;
    hit = textus_account_find(direct, c->account);
    if (hit) {
        textus_account_from(hit, NULL, out);
        rc = 0;
        goto out;
    }
    /*
     * Not a direct membership: a membership at an ancestor reaches it. For each membership,
     * GET /accounts/:account/accounts lists that account and all its descendants
     * (https://apidocs.next.textus.com/docs/accounts/descendants). A 404 there (not documented:
     * the view may be refused to some roles) skips that membership; nothing is guessed.
     */
    cJSON_ArrayForEach(it, direct)
    {
        const char *m = cJSON_GetObjectItemCaseSensitive(it, "slug")->valuestring;
        const cJSON *d;
        int refused = 0; /* a 404 there: the tree stays empty, the membership is skipped */

        textus_name_add(members, sizeof(members), m);
        if (++n > TEXTUS_TREE_ROOTS)
            continue;
        cJSON_Delete(tree);
        tree = cJSON_CreateArray();
        if (!tree) {
            err_set(e, ERR_INTERNAL, "out of memory");
            goto out;
        }
        if (http_escape(m, slug_esc, sizeof(slug_esc)) != 0 ||
            textus_url(c, url, sizeof(url), e, "/accounts/%s/accounts", slug_esc) != 0)
            continue;
        if (textus_each_ex(c, url, 0, "listing the account's descendants", NULL,
                           textus_account_member, tree, &refused, 0, e) != 0)
            goto out;
        hit = textus_account_find(tree, c->account);
        if (hit) {
            textus_account_from(hit, m, out);
            log_msg("textus: account %s reached through the membership at %s", out->slug, m);
            rc = 0;
            goto out;
        }
        cJSON_ArrayForEach(d, tree)
        {
            const char *ds = cJSON_GetObjectItemCaseSensitive(d, "slug")->valuestring;
            if (!textus_account_find(direct, ds) && !strstr(reached, ds))
                textus_name_add(reached, sizeof(reached), ds);
        }
    }
    err_set(e, ERR_TEXTUS_ACCOUNT,
            "the TextUs token's user cannot reach account \"%s\": it is a member of %s%s%s%s",
            c->account, members[0] ? members : "no account", reached[0] ? " (which reach " : "",
            reached, reached[0] ? ")" : "");
out:
    cJSON_Delete(tree);
    cJSON_Delete(direct);
    return rc;
}

/* ------------------------------------------------------------------ messages */

/*
 * POST a message and read the Message it creates: scheduled_at NULL sends it now
 * (https://apidocs.next.textus.com/docs/messages/send/: POST /:account/messages {to, body};
 * one recipient -> 201 Message), otherwise schedules it
 * (https://apidocs.next.textus.com/docs/messages/schedule/: POST /:account/messages/schedule
 * {from, to, body, scheduled_at} -> 201 Message with flags ["scheduled"]); from (may be NULL)
 * is sent when given. The arguments are checked by the callers. A write: never repeated here;
 * an answer that does not say whether the message exists is outcome_unknown.
 */
static int textus_post_message(const struct textus_config *c, const char *to_e164, const char *body,
                               const char *from_e164, const char *scheduled_at,
                               struct textus_message *out, struct err *e)
{
    const char *what = scheduled_at ? "scheduling the message" : "sending the message";
    char slug[256], url[HTTP_URL_MAX];
    cJSON *req = NULL;
    char *json = NULL;
    struct http_response r;
    int rc = -1;

    memset(&r, 0, sizeof(r));
    if (textus_slug(c, slug, sizeof(slug), e) != 0 ||
        textus_url(c, url, sizeof(url), e, scheduled_at ? "/%s/messages/schedule" : "/%s/messages",
                   slug) != 0)
        return -1;
    req = cJSON_CreateObject();
    if (!req || (from_e164 && !cJSON_AddStringToObject(req, "from", from_e164)) ||
        !cJSON_AddStringToObject(req, "to", to_e164) ||
        !cJSON_AddStringToObject(req, "body", body) ||
        (scheduled_at && !cJSON_AddStringToObject(req, "scheduled_at", scheduled_at)) ||
        !(json = cJSON_PrintUnformatted(req))) {
        err_set(e, ERR_INTERNAL, "out of memory");
        goto out;
    }
    if (textus_do(c, HTTP_POST, url, json, 0, &r, e) != 0)
        goto out;
    if (r.status >= 500 && r.status != 503) {
        /* a gateway's 502/504 (or a 500) can follow a send that went through: no id, but
         * not "nothing was sent" either. 503 is the service refusing the request. */
        err_set(e, ERR_OUTCOME_UNKNOWN,
                "TextUs answered HTTP %ld after the message was submitted; it may or may not "
                "have been sent",
                r.status);
        log_msg("textus: send -> HTTP %ld (outcome_unknown)", r.status);
        goto out;
    }
    if (textus_map(c, &r, 1, what, e) != 0)
        goto out;
    if (r.status == 202) {
        err_set(e, ERR_UPSTREAM_INVALID,
                "TextUs accepted the message without returning it (HTTP 202)");
        goto out;
    }
    if (textus_parse_message(r.body, r.body_len, out, e) != 0) {
        /* it was accepted: we just cannot tell which message it is */
        err_set(e, ERR_OUTCOME_UNKNOWN,
                "TextUs accepted the message (HTTP %ld) but its answer could not be read",
                r.status);
        goto out;
    }
    log_msg("textus: %s: message %s state %s", what, out->id, out->delivery_state);
    rc = 0;
out:
    http_response_free(&r);
    cJSON_free(json);
    cJSON_Delete(req);
    return rc;
}

/* The checks every message POST makes before anything leaves. */
static int textus_message_args(const char *to_e164, const char *body, struct err *e)
{
    if (!textus_is_e164(to_e164)) {
        err_set(e, ERR_BAD_REQUEST, "the recipient is not an E.164 number");
        return -1;
    }
    if (!body || !*body) {
        err_set(e, ERR_BAD_REQUEST, "the message body is empty");
        return -1;
    }
    return 0;
}

int textus_send_message(const struct textus_config *c, const char *to_e164, const char *body,
                        struct textus_message *out, struct err *e)
{
    memset(out, 0, sizeof(*out));
    if (textus_message_args(to_e164, body, e) != 0)
        return -1;
    return textus_post_message(c, to_e164, body, NULL, NULL, out, e);
}

int textus_schedule_message(const struct textus_config *c, const char *to_e164, const char *body,
                            const char *from_e164, const char *scheduled_at,
                            struct textus_message *out, struct err *e)
{
    memset(out, 0, sizeof(*out));
    if (textus_message_args(to_e164, body, e) != 0)
        return -1;
    /* ISO-8601 UTC, the schedule page's "2058-10-25T18:09:13Z" */
    if (!scheduled_at || strlen(scheduled_at) != 20 || scheduled_at[19] != 'Z') {
        err_set(e, ERR_BAD_REQUEST,
                "the scheduled time is not ISO-8601 UTC (YYYY-MM-DDTHH:MM:SSZ)");
        return -1;
    }
    /* `from` is the account's number (the schedule page's example sends it; the send page
     * says the account's number is used without one): the caller gives it when the account
     * has exactly one number, and leaves it out otherwise rather than guess. */
    if (from_e164 && !textus_is_e164(from_e164)) {
        err_set(e, ERR_BAD_REQUEST, "the sending number is not an E.164 number");
        return -1;
    }
    return textus_post_message(c, to_e164, body, from_e164, scheduled_at, out, e);
}

/* A relative IRI of the given collection: "/prefix/<safe id chars>". */
static int textus_iri_ok(const char *id, const char *prefix)
{
    size_t pl = strlen(prefix);
    const char *p;

    if (!id || strncmp(id, prefix, pl) != 0 || !id[pl])
        return 0;
    for (p = id + pl; *p; p++) {
        char ch = *p;
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
              ch == '-' || ch == '_'))
            return 0;
    }
    return strlen(id) < TEXTUS_ID_MAX;
}

/* A relative path ("/a/b_c-d"): what a Link member may hold. */
static int textus_iri_path_ok(const char *p)
{
    size_t n = 0;

    if (!p || p[0] != '/' || p[1] == '/')
        return 0;
    for (; *p; p++, n++) {
        char ch = *p;
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
              ch == '-' || ch == '_' || ch == '/' || ch == '.'))
            return 0;
        if (ch == '.' && p[1] == '.')
            return 0;
    }
    return n < TEXTUS_ID_MAX;
}

int textus_get_message(const struct textus_config *c, const char *message_id,
                       struct textus_message *out, struct err *e)
{
    char url[HTTP_URL_MAX];
    struct http_response r;
    int rc = -1;

    /* message_id may point into *out (polling with the previous answer's id) */
    if (!textus_iri_ok(message_id, "/messages/")) {
        memset(out, 0, sizeof(*out));
        err_set(e, ERR_BAD_REQUEST, "not a TextUs message id (\"/messages/...\")");
        return -1;
    }
    /* https://apidocs.next.textus.com/docs/messages/get/: GET /messages/:message */
    if (textus_url(c, url, sizeof(url), e, "%s", message_id) != 0)
        return -1;
    memset(out, 0, sizeof(*out));
    if (textus_do(c, HTTP_GET, url, NULL, 1, &r, e) == 0 &&
        textus_map(c, &r, 0, "reading the message", e) == 0 &&
        textus_parse_message(r.body, r.body_len, out, e) == 0)
        rc = 0;
    http_response_free(&r);
    return rc;
}

/* ------------------------------------------------------------------ opt-outs, conversations */

/* The URL of /{slug}/{collection}/{number} for an E.164 number: escaped, or, with bare_nanp, a
 * +1 number as its bare 10 digits. */
static int textus_number_url(const struct textus_config *c, const char *collection,
                             const char *e164, int bare_nanp, char *url, size_t urlsz,
                             struct err *e)
{
    char slug[256], num[64];

    if (!textus_is_e164(e164)) {
        err_set(e, ERR_BAD_REQUEST, "not an E.164 number");
        return -1;
    }
    if (textus_slug(c, slug, sizeof(slug), e) != 0)
        return -1;
    if (bare_nanp && strncmp(e164, "+1", 2) == 0 && strlen(e164) == 12)
        snprintf(num, sizeof(num), "%s", e164 + 2);
    else if (http_escape(e164, num, sizeof(num)) != 0)
        return -1;
    return textus_url(c, url, urlsz, e, "/%s/%s/%s", slug, collection, num);
}

/* The number as the opt-out path wants it: bare 10 digits for +1 (the documented example of
 * https://apidocs.next.textus.com/docs/opt_outs/show). */
static int textus_optout_path(const struct textus_config *c, const char *e164, char *url,
                              size_t urlsz, struct err *e)
{
    return textus_number_url(c, "opt_outs", e164, 1, url, urlsz, e);
}

/* A member naming someone: a string id, or an embedded object's id and name. */
static void textus_who(const cJSON *v, char *id, size_t idsz, char *name, size_t namesz)
{
    const cJSON *i = cJSON_IsObject(v) ? cJSON_GetObjectItemCaseSensitive(v, "id") : v;
    const cJSON *n = cJSON_IsObject(v) ? cJSON_GetObjectItemCaseSensitive(v, "name") : NULL;

    snprintf(id, idsz, "%s", cJSON_IsString(i) && i->valuestring ? i->valuestring : "");
    snprintf(name, namesz, "%s", cJSON_IsString(n) && n->valuestring ? n->valuestring : "");
}

int textus_parse_opt_out(const char *buf, size_t len, struct textus_opt_out *out, struct err *e)
{
    cJSON *doc = apijson_parse(buf, len);
    const cJSON *v;

    memset(out, 0, sizeof(*out));
    if (!cJSON_IsObject(doc)) {
        cJSON_Delete(doc);
        textus_invalid(e, "an OptOut that is not a JSON object");
        return -1;
    }
    v = cJSON_GetObjectItemCaseSensitive(doc, "createdAt");
    snprintf(out->created_at, sizeof(out->created_at), "%s",
             cJSON_IsString(v) && v->valuestring ? v->valuestring : "");
    v = cJSON_GetObjectItemCaseSensitive(doc, "createdVia");
    snprintf(out->created_via, sizeof(out->created_via), "%s",
             cJSON_IsString(v) && v->valuestring ? v->valuestring : "");
    textus_who(cJSON_GetObjectItemCaseSensitive(doc, "user"), out->user, sizeof(out->user),
               out->user_name, sizeof(out->user_name));
    textus_who(cJSON_GetObjectItemCaseSensitive(doc, "originatingAccount"), out->account,
               sizeof(out->account), out->account_name, sizeof(out->account_name));
    cJSON_Delete(doc);
    return 0;
}

/* The answer to GET /{slug}/opt_outs/{phone}: *opted_out (and *lock, may be NULL), or -1. */
static int textus_opt_out_answer(const struct textus_config *c, const struct http_response *r,
                                 int *opted_out, struct textus_opt_out *lock, struct err *e)
{
    struct textus_opt_out tmp;

    *opted_out = 0;
    if (r->status == 404) {
        /* Not documented: 404 = no opt-out. A wrong slug also gives 404 here; the
         * send then fails with textus_account, so nothing is sent by mistake. */
        return 0;
    }
    if (textus_map(c, r, 1, "reading the opt-out", e) != 0 ||
        textus_parse_opt_out(r->body, r->body_len, lock ? lock : &tmp, e) != 0)
        return -1;
    *opted_out = 1;
    return 0;
}

int textus_get_opt_out(const struct textus_config *c, const char *e164, int *opted_out,
                       struct err *e)
{
    char url[HTTP_URL_MAX];
    struct http_response r;
    int rc = -1;

    *opted_out = 0;
    /* https://apidocs.next.textus.com/docs/opt_outs/show: GET /:account/opt_outs/:phone_number
     * (what answers when there is none is not documented: 404 is the natural reading) */
    if (textus_optout_path(c, e164, url, sizeof(url), e) != 0)
        return -1;
    if (textus_do(c, HTTP_GET, url, NULL, 1, &r, e) == 0 &&
        textus_opt_out_answer(c, &r, opted_out, NULL, e) == 0)
        rc = 0;
    http_response_free(&r);
    return rc;
}

int textus_create_opt_out(const struct textus_config *c, const char *e164,
                          struct textus_opt_out *out, struct err *e)
{
    char url[HTTP_URL_MAX];
    struct http_response r;
    int rc = -1;

    /* https://apidocs.next.textus.com/docs/opt_outs/update: PUT /:account/opt_outs/:phone_number,
     * no body -> 201 OptOut */
    if (textus_optout_path(c, e164, url, sizeof(url), e) != 0)
        return -1;
    /* a write: never re-sent automatically (repeating it is harmless, so callers may) */
    if (textus_do(c, HTTP_PUT, url, NULL, 0, &r, e) == 0 &&
        textus_map(c, &r, 1, "recording the opt-out", e) == 0) {
        struct textus_opt_out tmp;
        /* the answer's details are shown, never needed: an unusable body is not a failure */
        if (textus_parse_opt_out(r.body, r.body_len, out ? out : &tmp, e) != 0) {
            err_clear(e);
            if (out)
                memset(out, 0, sizeof(*out));
        }
        rc = 0;
    }
    http_response_free(&r);
    return rc;
}

/* GET /:account/conversations/:phone_number's URL (the number escaped). */
static int textus_conversation_url(const struct textus_config *c, const char *e164, char *url,
                                   size_t urlsz, struct err *e)
{
    /* https://apidocs.next.textus.com/docs/accounts/conversation/:
     * GET /:account/conversations/:phone_number (404 when there is none: not documented) */
    return textus_number_url(c, "conversations", e164, 0, url, urlsz, e);
}

/* The answer to GET /:account/conversations/:phone_number into *out (found = 0 on 404). */
static int textus_conversation_answer(const struct textus_config *c, const struct http_response *r,
                                      struct textus_conversation *out, struct err *e)
{
    memset(out, 0, sizeof(*out));
    if (r->status == 404) {
        out->found = 0; /* not documented: no conversation with that number */
        return 0;
    }
    if (textus_map(c, r, 1, "looking up the conversation", e) != 0 ||
        textus_parse_conversation(r->body, r->body_len, out, e) != 0)
        return -1;
    return 0;
}

int textus_get_conversation(const struct textus_config *c, const char *e164,
                            struct textus_conversation *out, struct err *e)
{
    char url[HTTP_URL_MAX];
    struct http_response r;
    int rc = -1;

    memset(out, 0, sizeof(*out));
    if (textus_conversation_url(c, e164, url, sizeof(url), e) != 0)
        return -1;
    if (textus_do(c, HTTP_GET, url, NULL, 1, &r, e) == 0 &&
        textus_conversation_answer(c, &r, out, e) == 0)
        rc = 0;
    http_response_free(&r);
    return rc;
}

int textus_check_number(const struct textus_config *c, const char *e164,
                        struct textus_number_check *out, struct textus_conversation *conv_out,
                        struct err *e)
{
    char url_o[HTTP_URL_MAX], url_c[HTTP_URL_MAX];
    struct textus_rq t[2];
    struct http_request rq[2];
    struct http_response r[2];
    struct err re[2];
    struct textus_conversation *conv = conv_out;
    int rc[2] = {-1, -1}, ret = -1;

    memset(out, 0, sizeof(*out));
    if (conv_out)
        memset(conv_out, 0, sizeof(*conv_out));
    memset(r, 0, sizeof(r));
    err_clear(&re[0]);
    err_clear(&re[1]);
    /* the two pages of textus_get_opt_out and textus_get_conversation, at once */
    if (textus_optout_path(c, e164, url_o, sizeof(url_o), e) != 0 ||
        textus_conversation_url(c, e164, url_c, sizeof(url_c), e) != 0)
        return -1;
    if (textus_rq_init(c, &t[0], HTTP_GET, url_o, NULL, 1, e) != 0)
        return -1;
    if (textus_rq_init(c, &t[1], HTTP_GET, url_c, NULL, 1, e) != 0) {
        textus_rq_wipe(&t[0]);
        return -1;
    }
    rq[0] = t[0].rq;
    rq[1] = t[1].rq;
    http_request_all(rq, r, re, rc, 2);
    textus_rq_wipe(&t[0]);
    textus_rq_wipe(&t[1]);
    if (!conv && !(conv = calloc(1, sizeof(*conv)))) {
        err_set(e, ERR_INTERNAL, "out of memory");
        goto out;
    }
    if (rc[0] != 0) {
        *e = re[0];
        goto out;
    }
    if (textus_opt_out_answer(c, &r[0], &out->opted_out, &out->lock, e) != 0)
        goto out;
    if (rc[1] != 0) {
        *e = re[1];
        goto out;
    }
    if (textus_conversation_answer(c, &r[1], conv, e) != 0)
        goto out;
    out->conversation = conv->found;
    out->blocked = conv->found && conv->blocked;
    out->unsubscribed = conv->found && conv->unsubscribed;
    ret = 0;
out:
    if (conv != conv_out)
        free(conv);
    http_response_free(&r[0]);
    http_response_free(&r[1]);
    return ret;
}

int textus_warm(const struct textus_config *c)
{
    char slug[256], url[HTTP_URL_MAX];
    struct textus_rq t;
    struct err e;
    int rc;

    err_clear(&e);
    if (http_origin_warm(textus_base(c)))
        return 0;
    /* https://apidocs.next.textus.com/docs/accounts/index: GET /accounts{?...,slug}, the
     * user's accounts filtered by slug: a read that changes nothing, to open the connection */
    if (textus_slug(c, slug, sizeof(slug), &e) != 0 ||
        textus_url(c, url, sizeof(url), &e, "/accounts?slug=%s", slug) != 0 ||
        textus_rq_init(c, &t, HTTP_GET, url, NULL, 1, &e) != 0)
        return -1;
    /* a warm-up can wait: never while the token's window (1,000 per 5 min,
     * https://apidocs.next.textus.com/overview/rate_limiting) is down to its last fifth, which
     * is kept for the recruiter's own texts */
    t.rq.pace = 1;
    rc = http_background(&t.rq, NULL, NULL);
    textus_rq_wipe(&t);
    return rc;
}

/* ------------------------------------------------------------------ timeline */

struct textus_tl {
    textus_timeline_fn fn;
    void *ud;
};

static int textus_timeline_member(const cJSON *m, void *ud, int *stop, struct err *e)
{
    struct textus_tl *t = ud;
    struct textus_message msg;
    const cJSON *body = cJSON_GetObjectItemCaseSensitive(m, "body");

    if (!cJSON_IsObject(m))
        return 0;
    if (textus_message_from(m, &msg) != 0) {
        /* an Event (or anything that is not a Message): only its place in time matters */
        memset(&msg, 0, sizeof(msg));
        if (apijson_copy(m, "displayTimestamp", msg.timestamp, sizeof(msg.timestamp)) != 0)
            apijson_copy(m, "timelinePosition", msg.timestamp, sizeof(msg.timestamp));
        return t->fn(&msg, NULL, t->ud, stop, e);
    }
    return t->fn(&msg, cJSON_IsString(body) ? body->valuestring : NULL, t->ud, stop, e);
}

int textus_timeline(const struct textus_config *c, const char *conversation_id,
                    textus_timeline_fn fn, void *ud, struct err *e)
{
    char url[HTTP_URL_MAX];
    struct textus_tl t;

    if (!textus_iri_ok(conversation_id, "/conversations/")) {
        err_set(e, ERR_BAD_REQUEST, "not a TextUs conversation id (\"/conversations/...\")");
        return -1;
    }
    /* https://apidocs.next.textus.com/docs/conversations/timeline: a Timeline of Messages and
     * Events, newest first, hydra view.next pages (a page of another @type is refused) */
    if (textus_url(c, url, sizeof(url), e, "%s/timeline", conversation_id) != 0)
        return -1;
    t.fn = fn;
    t.ud = ud;
    return textus_each_ex(c, url, 0, "reading the conversation's timeline", "Timeline",
                          textus_timeline_member, &t, NULL, 0, e);
}

/* ------------------------------------------------------------------ users, saved replies */

struct textus_user_find {
    const char *email;
    char *out;
    size_t outsz;
    int found;
};

static int textus_user_member(const cJSON *m, void *ud, int *stop, struct err *e)
{
    struct textus_user_find *f = ud;
    const cJSON *email = cJSON_GetObjectItemCaseSensitive(m, "email");
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(m, "id");

    (void)e;
    if (!cJSON_IsString(email) || !email->valuestring || !cJSON_IsString(id) ||
        strcasecmp(email->valuestring, f->email) != 0 || !textus_iri_ok(id->valuestring, "/users/"))
        return 0; /* another user the search matched (q is a partial match on name or email) */
    snprintf(f->out, f->outsz, "%s", id->valuestring);
    f->found = 1;
    *stop = 1;
    return 0;
}

int textus_find_user(const struct textus_config *c, const char *email, char *out, size_t outsz,
                     int *found, struct err *e)
{
    char q[512], url[HTTP_URL_MAX];
    struct textus_user_find f;
    int refused = 0;

    *found = 0;
    if (outsz)
        out[0] = '\0';
    if (!email || !strchr(email, '@') || http_escape(email, q, sizeof(q)) != 0) {
        err_set(e, ERR_BAD_REQUEST, "not an email address to look a TextUs user up by");
        return -1;
    }
    /* https://apidocs.next.textus.com/docs/users/index: GET /users{?q,accounts[]}, "Admins may
     * retrieve a list of all Users that belong to accounts at which they are an admin", q
     * searching by name or email. What a user who is not an admin gets is not documented: a
     * 403 (or 404) is read as "not allowed to list users", nothing found. */
    if (textus_url(c, url, sizeof(url), e, "/users?q=%s", q) != 0)
        return -1;
    memset(&f, 0, sizeof(f));
    f.email = email;
    f.out = out;
    f.outsz = outsz;
    if (textus_each_ex(c, url, 0, "looking up the TextUs user", NULL, textus_user_member, &f,
                       &refused, 1, e) != 0)
        return -1;
    if (refused)
        log_msg("textus: listing users refused (HTTP %d): not a TextUs admin", refused);
    *found = f.found;
    return 0;
}

struct textus_sr {
    textus_saved_reply_fn fn;
    void *ud;
    const char *query; /* the search, or NULL */
};

/* 1 when needle occurs in hay, ASCII letters compared without case (the search as the fake
 * and, by inference, TextUs match it: a part of the title or the content). */
static int textus_contains_nocase(const char *hay, const char *needle)
{
    size_t n = strlen(needle), i;

    for (; *hay; hay++) {
        for (i = 0;
             i < n && hay[i] && tolower((unsigned char)hay[i]) == tolower((unsigned char)needle[i]);
             i++)
            ;
        if (i == n)
            return 1;
    }
    return n == 0;
}

static int textus_saved_reply_member(const cJSON *m, void *ud, int *stop, struct err *e)
{
    struct textus_sr *t = ud;
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(m, "id");
    const cJSON *title = cJSON_GetObjectItemCaseSensitive(m, "title");
    const cJSON *content = cJSON_GetObjectItemCaseSensitive(m, "content");

    if (!cJSON_IsString(id) || !textus_iri_ok(id->valuestring, "/saved_replies/") ||
        !cJSON_IsString(content) || !content->valuestring) {
        textus_invalid(e, "a SavedReply without a /saved_replies/ id or a content");
        return -1;
    }
    if (t->query && !textus_contains_nocase(content->valuestring, t->query) &&
        !(cJSON_IsString(title) && title->valuestring &&
          textus_contains_nocase(title->valuestring, t->query)))
        return 0; /* the server did not filter on the parameter it read: filtered here */
    return t->fn(id->valuestring,
                 cJSON_IsString(title) && title->valuestring ? title->valuestring : "",
                 content->valuestring, apijson_true(m, "shared"), t->ud, stop, e);
}

int textus_saved_replies(const struct textus_config *c, const char *user, const char *query,
                         textus_saved_reply_fn fn, void *ud, struct err *e)
{
    char q[1024], url[HTTP_URL_MAX];
    struct textus_sr t;

    if (!textus_iri_ok(user, "/users/")) {
        err_set(e, ERR_BAD_REQUEST, "not a TextUs user id (\"/users/...\")");
        return -1;
    }
    q[0] = '\0';
    if (query && *query && http_escape(query, q, sizeof(q)) != 0) {
        err_set(e, ERR_BAD_REQUEST, "the search is too long");
        return -1;
    }
    /* https://apidocs.next.textus.com/docs/saved_replies/search/: GET
     * /users/:user/saved_replies{?filter,query} -> SavedReplyCollection; filter=all adds the
     * replies others on the account share. The search parameter: the page's URI template says
     * `query`, its examples send `q` (and the response's own id echoes `q`). Both are sent,
     * with the same value, so that either reading finds its parameter, and the answer is
     * filtered here as well (title or content, ASCII letters without case), so that a server
     * that honours neither still gives only the matching replies. */
    if (textus_url(c, url, sizeof(url), e, "%s/saved_replies?filter=all%s%s%s%s", user,
                   q[0] ? "&query=" : "", q, q[0] ? "&q=" : "", q) != 0)
        return -1;
    t.fn = fn;
    t.ud = ud;
    t.query = query && *query ? query : NULL;
    return textus_each(c, url, 0, "listing the saved replies", textus_saved_reply_member, &t, e);
}

/* ------------------------------------------------------------------ contacts */

struct textus_find {
    const char *e164;
    struct textus_contact *out;
    int found;
};

static int textus_phone_member(const cJSON *m, void *ud, int *stop, struct err *e)
{
    struct textus_find *f = ud;
    const cJSON *num = cJSON_GetObjectItemCaseSensitive(m, "phoneNumber");
    const cJSON *contact = cJSON_GetObjectItemCaseSensitive(m, "contact");

    (void)e;
    if (!cJSON_IsString(num) || !num->valuestring || strcmp(num->valuestring, f->e164) != 0)
        return 0;
    if (cJSON_IsObject(contact)) {
        if (textus_contact_from(contact, f->out) != 0)
            return 0;
    } else if (cJSON_IsString(contact) && textus_iri_ok(contact->valuestring, "/contacts/")) {
        memset(f->out, 0, sizeof(*f->out));
        snprintf(f->out->id, sizeof(f->out->id), "%s", contact->valuestring);
    } else {
        return 0;
    }
    f->found = 1;
    *stop = 1;
    return 0;
}

/* The phones collection of a Contact (members, either spelling); NULL when absent. */
static const cJSON *textus_contact_phones(const cJSON *contact)
{
    const cJSON *ph = cJSON_GetObjectItemCaseSensitive(contact, "phones");
    const cJSON *m;

    if (cJSON_IsArray(ph))
        return ph;
    m = cJSON_GetObjectItemCaseSensitive(ph, "members");
    if (!m)
        m = cJSON_GetObjectItemCaseSensitive(ph, "hydra:member");
    return cJSON_IsArray(m) ? m : NULL;
}

/* 1 when the Contact lists e164 among its phones. */
static int textus_contact_has(const cJSON *contact, const char *e164)
{
    const cJSON *p;

    cJSON_ArrayForEach(p, textus_contact_phones(contact))
    {
        const cJSON *n = cJSON_GetObjectItemCaseSensitive(p, "phoneNumber");
        if (cJSON_IsString(n) && n->valuestring && strcmp(n->valuestring, e164) == 0)
            return 1;
    }
    return 0;
}

/* A member of the associated contacts: prefer one that lists the number itself. */
static int textus_assoc_member(const cJSON *m, void *ud, int *stop, struct err *e)
{
    struct textus_find *f = ud;
    struct textus_contact ct;

    (void)e;
    if (textus_contact_from(m, &ct) != 0)
        return 0;
    if (textus_contact_has(m, f->e164)) {
        *f->out = ct;
        f->found = 1;
        *stop = 1;
    } else if (!f->found) {
        *f->out = ct;
        f->found = 2; /* associated, but its phones were not listed here */
    }
    return 0;
}

int textus_find_contact(const struct textus_config *c, const char *e164, struct textus_contact *out,
                        int *found, struct err *e)
{
    char slug[256], q[64], url[HTTP_URL_MAX];
    struct textus_conversation *conv;
    struct textus_find f;
    int rc = -1;

    memset(out, 0, sizeof(*out));
    *found = 0;
    if (!textus_is_e164(e164)) {
        err_set(e, ERR_BAD_REQUEST, "not an E.164 number");
        return -1;
    }
    f.e164 = e164;
    f.out = out;
    f.found = 0;
    conv = calloc(1, sizeof(*conv));
    if (!conv) {
        err_set(e, ERR_INTERNAL, "out of memory");
        return -1;
    }
    /* the documented phone -> contacts path: the number's conversation
     * (https://apidocs.next.textus.com/docs/accounts/conversation/), then its associatedContacts
     * link (https://apidocs.next.textus.com/docs/conversation_filters/conversations, example
     * body); embedded or linked, the link is followed so that every page is read */
    if (textus_get_conversation(c, e164, conv, e) != 0)
        goto out;
    if (conv->found) {
        if (!conv->contacts_link[0]) {
            rc = 0; /* a conversation that names no contacts: none is associated */
            goto out;
        }
        if (!textus_iri_path_ok(conv->contacts_link)) {
            textus_invalid(e, "an associatedContacts link that is not a path");
            goto out;
        }
        if (textus_url(c, url, sizeof(url), e, "%s", conv->contacts_link) != 0 ||
            textus_each(c, url, 0, "reading the conversation's contacts", textus_assoc_member, &f,
                        e) != 0)
            goto out;
        *found = f.found != 0;
        rc = 0;
        goto out;
    }
    /* no conversation with that number: search the account's contact phones
     * (https://apidocs.next.textus.com/docs/contact_phones/index/) */
    if (textus_slug(c, slug, sizeof(slug), e) != 0 || http_escape(e164, q, sizeof(q)) != 0 ||
        textus_url(c, url, sizeof(url), e, "/%s/contact_phones?q=%s", slug, q) != 0)
        goto out;
    if (textus_each(c, url, 1, "searching contacts", textus_phone_member, &f, e) != 0)
        goto out;
    *found = f.found != 0;
    rc = 0;
out:
    free(conv);
    return rc;
}

static int textus_contact_write(const struct textus_config *c, enum http_method m, const char *url,
                                cJSON *req, const char *what, struct textus_contact *out,
                                struct err *e)
{
    char *json = cJSON_PrintUnformatted(req);
    struct http_response r;
    int rc = -1;

    memset(&r, 0, sizeof(r));
    if (!json) {
        err_set(e, ERR_INTERNAL, "out of memory");
        return -1;
    }
    if (textus_do(c, m, url, json, 0, &r, e) == 0 &&
        textus_map(c, &r, m == HTTP_POST, what, e) == 0 &&
        textus_parse_contact(r.body, r.body_len, out, e) == 0)
        rc = 0;
    http_response_free(&r);
    cJSON_free(json);
    return rc;
}

/* Append {number, type} to the phones array. */
static int textus_add_phone(cJSON *phones, const char *number, const char *type)
{
    cJSON *ph = cJSON_CreateObject();

    if (!ph || !cJSON_AddStringToObject(ph, "number", number) ||
        !cJSON_AddStringToObject(ph, "type", type && *type ? type : "Mobile")) {
        cJSON_Delete(ph);
        return -1;
    }
    cJSON_AddItemToArray(phones, ph);
    return 0;
}

/* Copy the contact's custom data (may be NULL) into the request body, over base (may be NULL). */
static int textus_add_data(cJSON *req, const cJSON *base, const cJSON *data, struct err *e)
{
    cJSON *d = cJSON_IsObject(base) ? cJSON_Duplicate(base, 1) : NULL;
    const cJSON *it;

    if (!data && !d)
        return 0;
    if (!d)
        d = cJSON_CreateObject();
    if (!d)
        goto oom;
    cJSON_ArrayForEach(it, data)
    {
        cJSON *v = cJSON_Duplicate(it, 1);
        if (!v || !it->string) {
            cJSON_Delete(v);
            cJSON_Delete(d);
            goto oom;
        }
        cJSON_DeleteItemFromObjectCaseSensitive(d, it->string);
        cJSON_AddItemToObject(d, it->string, v);
    }
    cJSON_AddItemToObject(req, "data", d);
    return 0;
oom:
    err_set(e, ERR_INTERNAL, "out of memory");
    return -1;
}

int textus_create_contact(const struct textus_config *c, const char *name, const char *e164,
                          const char *type, const cJSON *data, struct textus_contact *out,
                          struct err *e)
{
    char slug[256], url[HTTP_URL_MAX];
    cJSON *req = NULL, *phones;
    int rc = -1;

    memset(out, 0, sizeof(*out));
    if (!name || !*name || !textus_is_e164(e164)) {
        err_set(e, ERR_BAD_REQUEST, "a contact needs a name and an E.164 number");
        return -1;
    }
    if (textus_slug(c, slug, sizeof(slug), e) != 0 ||
        textus_url(c, url, sizeof(url), e, "/%s/contacts", slug) != 0)
        return -1;
    req = cJSON_CreateObject();
    phones = cJSON_AddArrayToObject(req, "phones");
    if (!req || !cJSON_AddStringToObject(req, "name", name) || !phones ||
        textus_add_phone(phones, e164, type) != 0) {
        err_set(e, ERR_INTERNAL, "out of memory");
        goto out;
    }
    if (textus_add_data(req, NULL, data, e) != 0)
        goto out;
    /* https://apidocs.next.textus.com/docs/contacts/create-contact/ (200 Contact) */
    rc = textus_contact_write(c, HTTP_POST, url, req, "creating the contact", out, e);
out:
    cJSON_Delete(req);
    return rc;
}

/* Read a Contact by its id into *doc (owned by the caller). */
static int textus_get_contact_doc(const struct textus_config *c, const char *contact_id,
                                  cJSON **doc, struct err *e)
{
    char url[HTTP_URL_MAX];
    struct http_response r;
    int rc = -1;

    *doc = NULL;
    /* https://apidocs.next.textus.com/docs/contacts/get/: the page's template says
     * /:account/contacts/:contact, its example GET /contacts/:contact; the id the API returns
     * ("/contacts/...") is what is dereferenced */
    if (textus_url(c, url, sizeof(url), e, "%s", contact_id) != 0)
        return -1;
    if (textus_do(c, HTTP_GET, url, NULL, 1, &r, e) == 0 &&
        textus_map(c, &r, 0, "reading the contact", e) == 0) {
        *doc = apijson_parse(r.body, r.body_len);
        if (cJSON_IsObject(*doc)) {
            rc = 0;
        } else {
            cJSON_Delete(*doc);
            *doc = NULL;
            textus_invalid(e, "a Contact that is not a JSON object");
        }
    }
    http_response_free(&r);
    return rc;
}

int textus_update_contact(const struct textus_config *c, const char *contact_id, const char *name,
                          const char *e164, const char *type, const cJSON *data,
                          struct textus_contact *out, struct err *e)
{
    char url[HTTP_URL_MAX], id[TEXTUS_ID_MAX];
    cJSON *req = NULL, *cur = NULL, *phones;
    const cJSON *p;
    int rc = -1, n = 0, have = 0;

    /* contact_id may point into *out */
    if (!textus_iri_ok(contact_id, "/contacts/")) {
        memset(out, 0, sizeof(*out));
        err_set(e, ERR_BAD_REQUEST, "not a TextUs contact id (\"/contacts/...\")");
        return -1;
    }
    snprintf(id, sizeof(id), "%s", contact_id);
    memset(out, 0, sizeof(*out));
    if (!name || !*name || !textus_is_e164(e164)) {
        err_set(e, ERR_BAD_REQUEST, "a contact needs a name and an E.164 number");
        return -1;
    }
    if (textus_url(c, url, sizeof(url), e, "%s", id) != 0)
        return -1;
    /* The update page does not say whether a PUT without phones clears them: the contact as
     * it is now is read first, and the PUT carries the full set (its numbers, each with its
     * type, plus the new one) and its data with ours on top. */
    if (textus_get_contact_doc(c, id, &cur, e) != 0)
        return -1;
    req = cJSON_CreateObject();
    phones = cJSON_AddArrayToObject(req, "phones");
    if (!req || !phones || !cJSON_AddStringToObject(req, "name", name))
        goto oom;
    cJSON_ArrayForEach(p, textus_contact_phones(cur))
    {
        const cJSON *num = cJSON_GetObjectItemCaseSensitive(p, "phoneNumber");
        const cJSON *ext = cJSON_GetObjectItemCaseSensitive(p, "extension");
        const cJSON *ty = cJSON_GetObjectItemCaseSensitive(p, "type");
        char number[96];
        if (!cJSON_IsString(num) || !num->valuestring || !*num->valuestring)
            continue;
        if (++n > TEXTUS_CONTACT_PHONES_MAX) {
            textus_invalid(e, "a contact with too many phone numbers");
            goto out;
        }
        if (strcmp(num->valuestring, e164) == 0)
            have = 1; /* already there: kept as it is, with its own type */
        if (cJSON_IsString(ext) && ext->valuestring && *ext->valuestring)
            snprintf(number, sizeof(number), "%s x%s", num->valuestring, ext->valuestring);
        else
            snprintf(number, sizeof(number), "%s", num->valuestring);
        if (textus_add_phone(phones, number,
                             cJSON_IsString(ty) && ty->valuestring ? ty->valuestring : NULL) != 0)
            goto oom;
    }
    if (!have && textus_add_phone(phones, e164, type) != 0)
        goto oom;
    if (textus_add_data(req, cJSON_GetObjectItemCaseSensitive(cur, "data"), data, e) != 0)
        goto out;
    /* https://apidocs.next.textus.com/docs/contacts/update: PUT /contacts/:contact -> 200 */
    rc = textus_contact_write(c, HTTP_PUT, url, req, "updating the contact", out, e);
    goto out;
oom:
    err_set(e, ERR_INTERNAL, "out of memory");
out:
    cJSON_Delete(req);
    cJSON_Delete(cur);
    return rc;
}
