/*
 * compose — merge fields of saved replies (see compose.h).
 * [engine]
 */
#include "compose.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "term.h"
#include "notetext.h"

#define COMPOSE_FIELD_MAX 64

/* The length of the field name starting after a '{' at p (0 when it is not a field). */
static size_t compose_field_len(const char *p)
{
    size_t n = 0;

    while (n <= COMPOSE_FIELD_MAX &&
           ((p[n] >= 'a' && p[n] <= 'z') || (p[n] >= 'A' && p[n] <= 'Z') ||
            (p[n] >= '0' && p[n] <= '9') || p[n] == '_'))
        n++;
    return n >= 1 && n <= COMPOSE_FIELD_MAX && p[n] == '}' ? n : 0;
}

/* The known fields and where struct compose_fields holds their values. */
static const struct {
    const char *name;
    size_t off;
} compose_known[] = {
    {"first_name", offsetof(struct compose_fields, first_name)},
    {"last_name", offsetof(struct compose_fields, last_name)},
    {"full_name", offsetof(struct compose_fields, full_name)},
    {"recruiter_first_name", offsetof(struct compose_fields, recruiter_first_name)},
    {"recruiter_name", offsetof(struct compose_fields, recruiter_name)},
    {"job", offsetof(struct compose_fields, job)},
    {"stage", offsetof(struct compose_fields, stage)},
    {"company", offsetof(struct compose_fields, company)},
};

#define COMPOSE_N_FIELDS TH_ARRAY_SIZE(compose_known)
_Static_assert(TH_ARRAY_SIZE(compose_known) == COMPOSE_FIELDS, "compose.h: COMPOSE_FIELDS");

static const char **compose_slot(struct compose_fields *f, size_t i)
{
    return (const char **)(void *)((char *)f + compose_known[i].off);
}

/* The value of field name[0..n) ("" or NULL when unknown or not known). */
static const char *compose_value(const struct compose_fields *f, const char *name, size_t n)
{
    size_t i;

    for (i = 0; i < COMPOSE_N_FIELDS; i++) {
        if (strlen(compose_known[i].name) == n && memcmp(compose_known[i].name, name, n) == 0)
            return *(const char *const *)((const char *)f + compose_known[i].off);
    }
    return NULL;
}

int compose_check_fields(const char *content, struct err *e)
{
    static const char *const names[] = {
        "first_name",     "last_name", "full_name", "recruiter_first_name",
        "recruiter_name", "job",       "stage",     "company"};
    char buf[COMPOSE_FIELD_MAX + 1];
    const char *near;
    size_t i, n, k;

    for (i = 0; content[i]; i++) {
        n = content[i] == '{' ? compose_field_len(content + i + 1) : 0;
        if (!n)
            continue;
        for (k = 0; k < TH_ARRAY_SIZE(names); k++) {
            if (strlen(names[k]) == n && memcmp(names[k], content + i + 1, n) == 0)
                break;
        }
        if (k < TH_ARRAY_SIZE(names))
            continue;
        memcpy(buf, content + i + 1, n);
        buf[n] = '\0';
        near = term_nearest(buf, names, TH_ARRAY_SIZE(names));
        if (near)
            err_set(e, ERR_BAD_REQUEST, "unknown merge field {%s}; did you mean {%s}?", buf, near);
        else
            err_set(e, ERR_BAD_REQUEST,
                    "unknown merge field {%s}; the fields are {first_name}, {last_name}, "
                    "{full_name}, {recruiter_first_name}, {recruiter_name}, {job}, {stage} and "
                    "{company}",
                    buf);
        return 1;
    }
    return 0;
}

/*
 * The values, made plain text on one line (notetext_clean, NOTETEXT_LINE): they come from
 * Greenhouse and TextUs (a job's name, a stage, the account's name), never from the recruiter,
 * and go into a text a phone shows — C0/C1 controls (ESC, BEL), DEL, bidi controls and
 * zero-width characters are dropped, line breaks and tabs become one space, a malformed UTF-8
 * byte becomes U+FFFD. Nothing is cut. into (a copy of f) points at the clean values, owned[]
 * holds them (freed by compose_clean_free). 0, or -1 out of memory.
 */
int compose_clean(struct compose_fields *into, char *owned[COMPOSE_FIELDS],
                  const struct compose_fields *f)
{
    size_t i;

    *into = *f;
    for (i = 0; i < COMPOSE_N_FIELDS; i++)
        owned[i] = NULL;
    for (i = 0; i < COMPOSE_N_FIELDS; i++) {
        const char **slot = compose_slot(into, i);
        size_t n = *slot ? strlen(*slot) : 0;
        if (!n)
            continue;
        /* pass 1 writes at most 3 bytes per input byte: max never cuts */
        if (n > ((size_t)-1 - 16) / 3 ||
            notetext_clean(&owned[i], NULL, *slot, n, n * 3 + 8, NOTETEXT_LINE, 0) != 0)
            return -1;
        *slot = owned[i];
    }
    return 0;
}

void compose_clean_free(char *owned[COMPOSE_FIELDS])
{
    size_t i;

    for (i = 0; i < COMPOSE_N_FIELDS; i++) {
        free(owned[i]);
        owned[i] = NULL;
    }
}

/* Append name[0..n) to missing unless it is there already. 0, or -1 out of memory. */
static int compose_missing(cJSON *missing, const char *name, size_t n)
{
    char buf[COMPOSE_FIELD_MAX + 1];
    const cJSON *it;

    memcpy(buf, name, n);
    buf[n] = '\0';
    cJSON_ArrayForEach(it, missing)
    {
        if (cJSON_IsString(it) && strcmp(it->valuestring, buf) == 0)
            return 0;
    }
    return cJSON_AddItemToArray(missing, cJSON_CreateString(buf)) ? 0 : -1;
}

int compose_merge(char **out, const char *content, const struct compose_fields *given,
                  cJSON *missing, struct err *e)
{
    size_t cap = strlen(content) + 1, len = 0, i;
    struct compose_fields clean;
    const struct compose_fields *f = &clean;
    char *owned[COMPOSE_N_FIELDS];
    char *buf;

    *out = NULL;
    if (compose_clean(&clean, owned, given) != 0) {
        compose_clean_free(owned);
        err_set(e, ERR_INTERNAL, "out of memory");
        return -1;
    }
    /* first pass: the size */
    for (i = 0; content[i]; i++) {
        size_t n = content[i] == '{' ? compose_field_len(content + i + 1) : 0;
        const char *v = n ? compose_value(f, content + i + 1, n) : NULL;
        if (v && *v)
            cap += strlen(v);
    }
    buf = malloc(cap);
    if (!buf) {
        compose_clean_free(owned);
        err_set(e, ERR_INTERNAL, "out of memory");
        return -1;
    }
    for (i = 0; content[i];) {
        size_t n = content[i] == '{' ? compose_field_len(content + i + 1) : 0;
        const char *v = n ? compose_value(f, content + i + 1, n) : NULL;
        if (n && v && *v) {
            memcpy(buf + len, v, strlen(v));
            len += strlen(v);
            i += n + 2;
            continue;
        }
        if (n && compose_missing(missing, content + i + 1, n) != 0) {
            compose_clean_free(owned);
            free(buf);
            err_set(e, ERR_INTERNAL, "out of memory");
            return -1;
        }
        /* not a field, or one left as written: copied as it is */
        if (n) {
            memcpy(buf + len, content + i, n + 2);
            len += n + 2;
            i += n + 2;
        } else {
            buf[len++] = content[i++];
        }
    }
    buf[len] = '\0';
    compose_clean_free(owned);
    *out = buf;
    return 0;
}

void compose_split_name(const char *name, char first[COMPOSE_NAME_MAX], char last[COMPOSE_NAME_MAX],
                        char full[COMPOSE_NAME_MAX])
{
    size_t o = 0, words = 0, last_at = 0;
    int depth = 0, cut = 0;
    const char *p;

    first[0] = last[0] = full[0] = '\0';
    for (p = name ? name : ""; *p; p++) {
        unsigned char ch = (unsigned char)*p;
        if (ch == '(') {
            depth++;
            continue;
        }
        if (ch == ')' && depth > 0) {
            depth--;
            continue;
        }
        if (depth > 0)
            continue;
        if (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r') {
            if (o > 0 && full[o - 1] != ' ' && o + 1 < COMPOSE_NAME_MAX)
                full[o++] = ' ';
            continue;
        }
        if (o + 1 >= COMPOSE_NAME_MAX) {
            cut = 1;
            break;
        }
        if (o == 0 || full[o - 1] == ' ') {
            words++;
            last_at = o;
        }
        full[o++] = (char)ch;
    }
    if (cut) {
        /* never end inside a UTF-8 sequence: drop the last character, whole or not */
        while (o > 0 && ((unsigned char)full[o - 1] & 0xC0) == 0x80)
            o--;
        if (o > 0 && (unsigned char)full[o - 1] >= 0x80)
            o--;
        if (last_at >= o)
            last_at = o;
    }
    while (o > 0 && full[o - 1] == ' ')
        o--;
    if (last_at > o)
        last_at = o;
    full[o] = '\0';
    if (words == 0)
        return;
    snprintf(first, COMPOSE_NAME_MAX, "%.*s", (int)strcspn(full, " "), full);
    if (words > 1)
        snprintf(last, COMPOSE_NAME_MAX, "%s", full + last_at);
}
