/*
 * handler_extract_phone — verb "extract_phone": which number to text, read
 * from the visible lines of a candidate's profile header (phone.h does the
 * reading; this file validates the request and writes the reply, see
 * PROTOCOL.md). Core code: needs only cJSON, so it never loads the engine on
 * the common path. The default is a number beneath the candidate's name, or
 * one of the candidate's Greenhouse numbers: a number above the name (a
 * referrer's, a recruiter's, an office line) is only ever an alternative
 * ("source": "other_on_page").
 *
 * Greenhouse fallback. When nothing beneath the name is a number TextUs can text, the URL
 * names a candidate and a credential store exists (paths.h; a stat, no
 * engine), the handler asks the engine for the candidate's phone numbers
 * through the optional member greenhouse_fallback_phones of its API table
 * (engine_api.h).
 *
 * Contract: append to the JSON array out_numbers one object per Greenhouse
 * phone number, {"value": "<as stored>", "type": "<mobile|home|work|skype|other>"}
 * (Harvest's candidate.phone_numbers, unchanged), and return 0. Return 0 with
 * nothing appended when the candidate has no numbers (the cross-check below then answers
 * on_record false: that record was read); when Greenhouse is not configured return -1
 * with not_configured (gh_config.c does), so that nothing unread is called read. Return -1 with *e
 * set for a failure the user should see (e.g. greenhouse_not_found, greenhouse_auth,
 * upstream_unavailable): the reply stays the page's own error (no_phone_found or
 * unsupported_number, with what the page showed in its details) and carries the fallback's in
 * details.greenhouse_error {"code", "message"}, so that the numbers the page
 * showed are never hidden behind a Greenhouse failure. The
 * handler normalises every number of each value with phone_parse_values() (the same rules as
 * the page), marks it "source": "greenhouse", and picks the default: the first
 * mobile, else the first other, else the first home or work number (a number
 * with an extension only when nothing else is textable). When the member is
 * NULL or the engine is missing the reply is
 * no_phone_found (or unsupported_number) as if there were no fallback.
 *
 * Cross-check. When the default was read beneath the name and the same conditions hold, the
 * handler reads the record all the same (the same one call: one Greenhouse read per opened
 * profile) and answers "on_record": true when the default is one of the record's numbers
 * (written there without an extension), false when it is not, null when that could not be
 * checked (no store, no engine support, Greenhouse failed or the URL names no candidate).
 *
 * Port memory. The numbers known to be the candidate's — the record's when it was read, else
 * the page's beneath the name — are remembered for the process (one port) per candidate id
 * (the last EXTRACT_MEMO candidates); send_sms asks handler_extract_known() through its
 * handler_env whether its `to` is one of them (PROTOCOL.md, send_sms, Whose number), and
 * handler_extract_name() for the profile's name, which it keeps on the thread (the inbox).
 * [core]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "handler.h"
#include "os.h"
#include "paths.h"
#include "phone.h"

/* How many candidates' numbers a port remembers (a tab opens one profile at a time). */
#define EXTRACT_MEMO 4

struct extract_memo {
    char candidate_id[24]; /* "" unused */
    int record;            /* the numbers are the Greenhouse record's (else the page's) */
    char name[256];        /* the profile's name as the page shows it, "" unknown */
    size_t count;
    char e164[PHONE_MAX_NUMBERS][PHONE_E164_MAX];
};

static struct extract_memo extract_memo[EXTRACT_MEMO];
static size_t extract_memo_next;

/* Remember the candidate's numbers: nums[0..n) whose source is src (PROFILE or GREENHOUSE),
 * supported; a record number written with an extension is a desk line and left out. */
static void extract_memo_put(const char *candidate_id, int record, const struct phone_number *one,
                             const struct phone_number *nums, size_t n)
{
    struct extract_memo *m = NULL;
    enum phone_source src = record ? PHONE_SOURCE_GREENHOUSE : PHONE_SOURCE_PROFILE;
    size_t i;

    for (i = 0; i < EXTRACT_MEMO && !m; i++) {
        if (strcmp(extract_memo[i].candidate_id, candidate_id) == 0)
            m = &extract_memo[i];
    }
    if (!m) {
        m = &extract_memo[extract_memo_next];
        extract_memo_next = (extract_memo_next + 1) % EXTRACT_MEMO;
    }
    memset(m, 0, sizeof(*m));
    snprintf(m->candidate_id, sizeof(m->candidate_id), "%s", candidate_id);
    m->record = record;
    for (i = 0; i <= n && m->count < PHONE_MAX_NUMBERS; i++) {
        const struct phone_number *p = i < n ? &nums[i] : one;
        if (!p || p->source != src || !p->supported || (record && p->ext[0]))
            continue;
        memcpy(m->e164[m->count++], p->e164, PHONE_E164_MAX);
    }
}

/* The profile's name of a candidate this port remembers (a name too long is not kept). */
static void extract_memo_name(const char *candidate_id, const char *name)
{
    size_t i;

    for (i = 0; i < EXTRACT_MEMO; i++) {
        if (strcmp(extract_memo[i].candidate_id, candidate_id) == 0 &&
            strlen(name) < sizeof(extract_memo[i].name))
            memcpy(extract_memo[i].name, name, strlen(name) + 1);
    }
}

const char *handler_extract_name(const char *candidate_id)
{
    size_t i;

    for (i = 0; candidate_id && i < EXTRACT_MEMO; i++) {
        if (extract_memo[i].candidate_id[0] &&
            strcmp(extract_memo[i].candidate_id, candidate_id) == 0)
            return extract_memo[i].name[0] ? extract_memo[i].name : NULL;
    }
    return NULL;
}

int handler_extract_known(const char *candidate_id, const char *to)
{
    size_t i, k;

    for (i = 0; candidate_id && to && i < EXTRACT_MEMO; i++) {
        if (!extract_memo[i].candidate_id[0] ||
            strcmp(extract_memo[i].candidate_id, candidate_id) != 0)
            continue;
        for (k = 0; k < extract_memo[i].count; k++) {
            if (strcmp(extract_memo[i].e164[k], to) == 0)
                return 1;
        }
        return 0;
    }
    return -1;
}

/*
 * 1 when a credential store exists: a stat of its path, resolved once per process (the
 * environment naming it does not change while the host runs). Every opened profile asks (the
 * cross-check), so the paths are not worked out again each time (paths_store_exists does).
 */
static int extract_store_exists(void)
{
    static char path[PATHS_MAX];
    static int resolved;
    struct os_stat st;

    if (!resolved) {
        struct paths *p = malloc(sizeof(*p)); /* PATHS_MAX-sized members: off the stack */
        struct err ignored;
        if (p && paths_resolve(p, &ignored) == 0 && strlen(p->store) < sizeof(path)) {
            memcpy(path, p->store, strlen(p->store) + 1);
            resolved = 1;
        }
        free(p);
        if (!resolved)
            return paths_store_exists();
    }
    return os_stat(&st, path, 1) == 0;
}

/* Limits on the profile (documented in PROTOCOL.md). */
#define EXTRACT_MAX_LINES      20000
#define EXTRACT_MAX_LINE_BYTES 65536
#define EXTRACT_MAX_TOTAL      (16u * 1024u * 1024u)
#define EXTRACT_MAX_NAME_BYTES 1024
#define EXTRACT_MAX_URL_BYTES  8192

/* The "source" of a number (PROTOCOL.md, extract_phone). */
static const char *extract_source_name(enum phone_source src)
{
    switch (src) {
    case PHONE_SOURCE_PROFILE:
        return "profile";
    case PHONE_SOURCE_GREENHOUSE:
        return "greenhouse";
    default:
        return "other_on_page";
    }
}

static cJSON *extract_number_json(const struct phone_number *n)
{
    cJSON *o = cJSON_CreateObject();
    const char *label = phone_label_name(n->label);

    if (!o)
        return NULL;
    if (!cJSON_AddStringToObject(o, "e164", n->e164) ||
        !cJSON_AddStringToObject(o, "display", n->display) ||
        !(label ? cJSON_AddStringToObject(o, "label", label) : cJSON_AddNullToObject(o, "label")) ||
        !cJSON_AddStringToObject(o, "source", extract_source_name(n->source)) ||
        !cJSON_AddBoolToObject(o, "supported", n->supported) ||
        (n->ext[0] && !cJSON_AddStringToObject(o, "extension", n->ext))) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

/* 1 when a credential store exists (a cheap stat; the engine decides the rest). */
/*
 * Ask the engine for the candidate's Greenhouse numbers. Without a default in *res, merge them
 * into it (default chosen among them; the rest appended to the alternatives); with one, only
 * check it against them (*on_record 1 or 0). Either way the numbers are remembered for the
 * port (extract_memo_put). Returns 0 (possibly with nothing added; *on_record stays -1 when
 * nothing could be read: no store, no engine support), or -1 with *e set.
 */
static int extract_greenhouse(struct phone_result *res, const char *candidate_id, int *on_record,
                              struct err *e)
{
    const struct th_engine_api *api;
    cJSON *arr, *item;
    struct phone_number *got;
    size_t count = 0, i, best = 0;
    int best_rank = 99, rc = -1;

    if (!extract_store_exists())
        return 0; /* nothing configured: do not even load the engine */
    api = engine_api_optional();
    if (!api || !api->greenhouse_fallback_phones)
        return 0;
    arr = cJSON_CreateArray();
    got = calloc(PHONE_MAX_NUMBERS, sizeof(*got));
    if (!arr || !got) {
        err_set(e, ERR_INTERNAL, "out of memory");
        goto out;
    }
    if (api->greenhouse_fallback_phones(candidate_id, arr, e) != 0) {
        if (e->code == ERR_OK)
            err_set(e, ERR_INTERNAL, "the Greenhouse look-up failed without saying why");
        goto out;
    }
    cJSON_ArrayForEach(item, arr)
    {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(item, "value");
        const cJSON *t = cJSON_GetObjectItemCaseSensitive(item, "type");
        size_t k, had = count;
        if (count >= PHONE_MAX_NUMBERS || !cJSON_IsString(v))
            continue;
        /* every number of the value: "303-555-0124 / 720-555-0199" holds two */
        count += phone_parse_values(got + count, PHONE_MAX_NUMBERS - count, v->valuestring,
                                    strlen(v->valuestring));
        for (k = had; k < count; k++) {
            got[k].label = phone_label_from_type(cJSON_IsString(t) ? t->valuestring : NULL);
            got[k].source = PHONE_SOURCE_GREENHOUSE;
            got[k].line = 0;
            got[k].offset = 0;
        }
    }
    extract_memo_put(candidate_id, 1, NULL, got, count);
    if (res->found) { /* the cross-check: the default beneath the name, on the record? */
        *on_record = 0;
        for (i = 0; i < count; i++) {
            if (got[i].supported && !got[i].ext[0] && strcmp(got[i].e164, res->phone.e164) == 0)
                *on_record = 1;
        }
        rc = 0;
        goto out;
    }
    *on_record = 1; /* whatever is chosen below is the record's */
    for (i = 0; i < count; i++) {
        int r = phone_gh_rank(&got[i]); /* mobile, other, home/work */
        if (r < best_rank) {
            best_rank = r;
            best = i;
        }
    }
    if (best_rank < 99) {
        res->found = 1;
        res->phone = got[best];
    }
    for (i = 0; i < count && res->alternatives_count < PHONE_MAX_NUMBERS; i++) {
        if (best_rank < 99 && i == best)
            continue;
        res->alternatives[res->alternatives_count++] = got[i];
    }
    rc = 0;
out:
    cJSON_Delete(arr);
    free(got);
    return rc;
}

/* Validate the profile and run the scanner over its lines. */
static int extract_scan(struct phone_result *res, const cJSON *profile, const char *url,
                        const char *name, struct err *e)
{
    const cJSON *lines = handler_array(profile, "lines", 1, ERR_INVALID_PROFILE, e);
    const cJSON *line;
    struct phone_scan *s;
    size_t count = 0, total = 0;
    int rc = -1;

    if (!lines)
        return -1;
    if (cJSON_GetArraySize(lines) > EXTRACT_MAX_LINES) {
        err_set(e, ERR_INVALID_PROFILE, "\"lines\" has more than %d lines", EXTRACT_MAX_LINES);
        return -1;
    }
    s = malloc(sizeof(*s));
    if (!s || phone_scan_init(s, name, strlen(name), url) != 0) {
        err_set(e, ERR_INTERNAL, "out of memory");
        goto out;
    }
    cJSON_ArrayForEach(line, lines)
    {
        size_t len;
        if (!cJSON_IsString(line)) {
            err_set(e, ERR_INVALID_PROFILE, "\"lines\"[%zu] must be a string", count);
            goto out;
        }
        len = strlen(line->valuestring);
        if (len > EXTRACT_MAX_LINE_BYTES) {
            err_set(e, ERR_INVALID_PROFILE, "\"lines\"[%zu] is longer than %d bytes", count,
                    EXTRACT_MAX_LINE_BYTES);
            goto out;
        }
        total += len;
        if (total > EXTRACT_MAX_TOTAL) {
            err_set(e, ERR_INVALID_PROFILE, "the profile text is longer than %u bytes",
                    EXTRACT_MAX_TOTAL);
            goto out;
        }
        if (phone_scan_line(s, line->valuestring, len) != 0) {
            err_set(e, ERR_INTERNAL, "out of memory");
            goto out;
        }
        count++;
    }
    phone_scan_finish(s, res);
    rc = 0;
out:
    if (s)
        phone_scan_free(s);
    free(s);
    return rc;
}

/* Fill result (or, for an error, the details) from res; on_record -2: no such member. */
static int extract_reply(cJSON *obj, const struct phone_result *res, const char *candidate_id,
                         int on_record)
{
    cJSON *alts, *n;
    size_t i;

    if (!(candidate_id ? cJSON_AddStringToObject(obj, "candidate_id", candidate_id)
                       : cJSON_AddNullToObject(obj, "candidate_id")))
        return -1;
    if (res->found) {
        n = extract_number_json(&res->phone);
        if (!n)
            return -1;
        cJSON_AddItemToObject(obj, "phone", n);
    } else if (!cJSON_AddNullToObject(obj, "phone")) {
        return -1;
    }
    alts = cJSON_AddArrayToObject(obj, "alternatives");
    if (!alts)
        return -1;
    for (i = 0; i < res->alternatives_count; i++) {
        n = extract_number_json(&res->alternatives[i]);
        if (!n)
            return -1;
        cJSON_AddItemToArray(alts, n);
    }
    if (res->truncated && !cJSON_AddTrueToObject(obj, "truncated"))
        return -1;
    if (on_record > -2 && !(on_record < 0 ? cJSON_AddNullToObject(obj, "on_record")
                                          : cJSON_AddBoolToObject(obj, "on_record", on_record)))
        return -1;
    return 0;
}

int handler_extract_phone(const struct handler_env *env, const cJSON *req, cJSON *result,
                          struct err *e)
{
    const cJSON *profile = handler_object(req, "profile", 1, ERR_INVALID_PROFILE, e);
    const char *url, *name;
    char candidate_id[24];
    int have_id, gh_failed = 0, intl_beneath = 0, on_record = -1;
    size_t i, elsewhere = 0;
    char seen[160];
    struct phone_result *res = NULL;
    cJSON *details = NULL, *gh;
    struct err ge;
    char why[ERR_MESSAGE_MAX];
    int rc = -1;

    if (!profile)
        return -1;
    url = handler_string(profile, "url", 1, ERR_INVALID_PROFILE, e);
    if (!url)
        return -1;
    name = handler_string(profile, "name", 1, ERR_INVALID_PROFILE, e);
    if (!name)
        return -1;
    if (strlen(url) > EXTRACT_MAX_URL_BYTES) {
        err_set(e, ERR_INVALID_PROFILE, "\"url\" is longer than %d bytes", EXTRACT_MAX_URL_BYTES);
        return -1;
    }
    if (strlen(name) > EXTRACT_MAX_NAME_BYTES) {
        err_set(e, ERR_INVALID_PROFILE, "\"name\" is longer than %d bytes", EXTRACT_MAX_NAME_BYTES);
        return -1;
    }
    have_id = phone_candidate_id(candidate_id, sizeof(candidate_id), url);
    res = malloc(sizeof(*res));
    if (!res) {
        err_set(e, ERR_INTERNAL, "out of memory");
        return -1;
    }
    if (extract_scan(res, profile, url, name, e) != 0)
        goto out;
    /* the rare path: nothing textable on the page, but Greenhouse may know the candidate;
     * its failure never hides what the page showed (the error below, with it in details) */
    err_clear(&ge);
    if (have_id) /* until the record is read: the page's numbers beneath the name */
        extract_memo_put(candidate_id, 0, res->found ? &res->phone : NULL, res->alternatives,
                         res->alternatives_count);
    /* one Greenhouse read per opened profile: the fallback when nothing beneath the name can
     * be texted, else the cross-check of the default (on_record); a failed cross-check is
     * on_record null, never a failed reply */
    if (have_id && extract_greenhouse(res, candidate_id, &on_record, &ge) != 0) {
        gh_failed = !res->found;
        on_record = -1;
    }
    if (have_id) /* for the inbox: send_sms keeps it on the thread (handler_extract_name) */
        extract_memo_name(candidate_id, name);
    if (res->found) {
        if (extract_reply(result, res, have_id ? candidate_id : NULL, on_record) != 0) {
            err_set(e, ERR_INTERNAL, "out of memory");
            goto out;
        }
        rc = 0;
        goto out;
    }
    /* an error; its details carry what was seen (handler.h: HANDLER_ERROR_DETAILS) */
    details = cJSON_AddObjectToObject(result, HANDLER_ERROR_DETAILS);
    if (!details || extract_reply(details, res, have_id ? candidate_id : NULL, -2) != 0) {
        err_set(e, ERR_INTERNAL, "out of memory");
        goto out;
    }
    why[0] = '\0';
    if (gh_failed) {
        gh = cJSON_AddObjectToObject(details, "greenhouse_error");
        if (!gh || !cJSON_AddStringToObject(gh, "code", err_code_name(ge.code)) ||
            !cJSON_AddStringToObject(gh, "message", ge.message)) {
            err_set(e, ERR_INTERNAL, "out of memory");
            goto out;
        }
        snprintf(why, sizeof(why),
                 "; Greenhouse's numbers for the candidate could not be read (%s)",
                 err_code_name(ge.code));
    }
    for (i = 0; i < res->alternatives_count; i++) {
        if (res->alternatives[i].source != PHONE_SOURCE_OTHER)
            intl_beneath = 1; /* the candidate's (beneath the name, Greenhouse): outside +1 */
        else if (res->alternatives[i].source == PHONE_SOURCE_OTHER)
            elsewhere++;
    }
    seen[0] = '\0';
    if (elsewhere > 0)
        snprintf(seen, sizeof(seen),
                 "; %zu %s elsewhere on the page (above the name, or someone else's) %s not "
                 "taken as the candidate's (details.alternatives)",
                 elsewhere, elsewhere == 1 ? "number" : "numbers", elsewhere == 1 ? "is" : "are");
    if (intl_beneath)
        err_set(e, ERR_UNSUPPORTED_NUMBER,
                "only numbers outside the US and Canada were found for the candidate (beneath "
                "the name, or in Greenhouse); TextUs texts +1 numbers%s%s",
                seen, why);
    else
        err_set(e, ERR_NO_PHONE_FOUND,
                "no phone number was found beneath the candidate's name on the profile%s%s", seen,
                why);
out:
    free(res);
    (void)env;
    return rc;
}
