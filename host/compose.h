/*
 * compose — merge fields of saved replies (TextUs's templates): "{first_name}" and its
 * kin filled with the candidate's and the recruiter's names, "{job}", "{stage}" (the
 * candidate's application) and "{company}" (the TextUs account), the pure part of the
 * saved_replies verb (handler_saved_replies.c). No I/O.
 *
 * A field is "{" name "}" with name 1-64 of [A-Za-z0-9_]. The known names are those of
 * struct compose_fields; a known field whose value is empty, and any other field, is left
 * exactly as written and listed as missing (once, in order of first appearance). Values come
 * from Greenhouse and TextUs: each is made plain text on one line first (notetext_clean with
 * NOTETEXT_LINE: control and bidi characters dropped, line breaks as a space; one that is then
 * empty is missing), then inserted and never scanned again ("{first_name}" as a name stays
 * literal). The content itself (the recruiter's own text) is copied as it is.
 * Anything else in the content (a lone brace, "{{contact.firstName}}", "{ x }") is text.
 * [engine]
 */
#ifndef TH_COMPOSE_H
#define TH_COMPOSE_H

#include "common.h"

#include <stddef.h>

#include <cjson/cJSON.h>

#include "error.h"

#define COMPOSE_NAME_MAX 256 /* a name part, NUL included */

struct compose_fields {
    const char *first_name; /* the candidate's; NULL or "" when not known */
    const char *last_name;
    const char *full_name;
    const char *recruiter_first_name; /* the configured Greenhouse user's */
    const char *recruiter_name;       /* first and last */
    const char *job;                  /* the job of the candidate's chosen application */
    const char *stage;                /* that application's current stage */
    const char *company;              /* the TextUs account's name */
};

#define COMPOSE_FIELDS 8 /* the members of struct compose_fields */

/*
 * The values of f made plain text on one line as compose_merge makes them (see the top
 * comment): *into is f with each non-empty value replaced by its clean copy, held in owned[]
 * (compose_clean_free frees them; called on failure too). For a caller that shows the values
 * themselves (saved_replies' `fields`), so that they agree with the merged text.
 * 0, or -1 out of memory.
 */
int compose_clean(struct compose_fields *into, char *owned[COMPOSE_FIELDS],
                  const struct compose_fields *f) TH_WUR;
void compose_clean_free(char *owned[COMPOSE_FIELDS]);

/* Fill content's fields: *out (malloc'd) gets the text, `missing` (a JSON array) the names
 * left as written. 0, or -1 with *e set (out of memory). */
int compose_merge(char **out, const char *content, const struct compose_fields *f, cJSON *missing,
                  struct err *e) TH_WUR;

/*
 * The first field of content that is not one of the known names ("{frist_name}"): 1 with *e
 * set to bad_request "unknown merge field {frist_name}; did you mean {first_name}?" (the
 * nearest known name, else the list of them), 0 when every field is known.
 */
int compose_check_fields(const char *content, struct err *e) TH_WUR;

/*
 * A name as a page shows it ("Zoë Ortiz (she/her)", "Mary  Ann Smith") split into first (the
 * first word), last (the last word, "" for a single word) and full (every word, one space
 * apart); parenthesised parts are dropped. Each output holds COMPOSE_NAME_MAX bytes.
 */
void compose_split_name(const char *name, char first[COMPOSE_NAME_MAX], char last[COMPOSE_NAME_MAX],
                        char full[COMPOSE_NAME_MAX]);

#endif
