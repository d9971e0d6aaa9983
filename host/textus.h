/*
 * textus — client of the TextUs Next API (https://apidocs.next.textus.com): accounts
 * (direct memberships and the account tree), send one message, get a message, opt-outs,
 * conversation lookup by number and its timeline, contacts (found through the
 * conversation's associated contacts, created, updated with PUT), scheduled messages, users
 * and saved replies. Every call sends
 * Authorization: Bearer and Accept + Content-Type application/vnd.textus+jsonld
 * (https://apidocs.next.textus.com/overview/making_requests/). Configuration is passed in
 * (never read from the store here). Errors map to stable codes:
 *   401 textus_auth; 404 on /{slug}/... or slug not listed textus_account;
 *   429 rate_limited (retry_after_ms); 5xx/network upstream_unavailable;
 *   other 4xx textus_rejected (server message); bad JSON upstream_invalid;
 *   a POST that may have reached the server outcome_unknown.
 * [engine]
 */
#ifndef TH_TEXTUS_H
#define TH_TEXTUS_H

#include "common.h"

#include <stddef.h>

#include <cjson/cJSON.h>

#include "endpoints.h"
#include "error.h"
#include "http.h"

#define TEXTUS_ID_MAX   128
#define TEXTUS_BODY_MAX 8192

struct textus_config {
    const char *base_url; /* NULL: ENDPOINT_TEXTUS_BASE_URL */
    const char *token;    /* API token (secret) */
    const char *account;  /* account slug */
    struct http_opts http;
    /* 1: requests are work that can wait (http_request.pace: reply logging in a flush), held
     * back while the token's window (1,000 per 5 min) is down to its last fifth, which is kept
     * for the recruiter's own texts; 0 (the default): a person waits for them */
    int pace;
};

struct textus_account {
    char slug[TEXTUS_ID_MAX];
    char name[256];
    int messaging_restricted; /* not 10DLC registered: sending is refused */
    char via[TEXTUS_ID_MAX];  /* "" for a direct membership, else the ancestor it is reached through
                               */
    int n_phones;             /* the account's numbers (phoneNumbers) that read as E.164 */
    char phone[24];           /* the first of them, "" when none */
};

struct textus_message {
    char id[TEXTUS_ID_MAX];           /* relative IRI "/messages/QNDkpL" */
    char delivery_state[32];          /* created, queued, dispatched, delivered, ... */
    char conversation[TEXTUS_ID_MAX]; /* "/conversations/..." or "" */
    char direction[8];                /* "out" / "in" or "" */
    char timestamp[64];               /* createdAt / displayTimestamp or "" */
    char sender[TEXTUS_ID_MAX];       /* "/users/..." (outgoing messages) or "" */
};

struct textus_conversation {
    int found; /* 0: no conversation for that number (404) */
    char id[TEXTUS_ID_MAX];
    char contacts_link[TEXTUS_ID_MAX]; /* associatedContacts
                                          ("/conversations/.../associated_contacts") */
    char current_state[16];            /* open, closed, blocked */
    int blocked;
    int unsubscribed;
    int has_latest; /* latestPreviewableItem present */
    struct textus_message latest;
    char latest_body[TEXTUS_BODY_MAX];
    int latest_body_truncated;
};

struct textus_contact {
    char id[TEXTUS_ID_MAX]; /* "/contacts/..." */
    char name[256];
};

/* The accounts the token's user is directly a member of (GET /accounts, follows view.next),
 * as an array of {slug, name, messagingRestricted}. Verifies the token. */
int textus_list_accounts(const struct textus_config *c, cJSON *out_accounts, struct err *e) TH_WUR;

/*
 * Token valid and c->account reachable: a direct membership, or a descendant of one
 * (GET /accounts/:membership/accounts). textus_account otherwise, naming the memberships and
 * the accounts they reach.
 */
int textus_verify_account(const struct textus_config *c, struct textus_account *out,
                          struct err *e) TH_WUR;

/* POST /{slug}/messages {to, body} to one E.164 recipient; 201 -> Message. */
int textus_send_message(const struct textus_config *c, const char *to_e164, const char *body,
                        struct textus_message *out, struct err *e) TH_WUR;

/* POST /{slug}/messages/schedule {from?, to, body, scheduled_at} (scheduled_at ISO-8601 UTC,
 * "YYYY-MM-DDTHH:MM:SSZ"; from_e164 NULL: left out); 201 -> Message (flags "scheduled"). */
int textus_schedule_message(const struct textus_config *c, const char *to_e164, const char *body,
                            const char *from_e164, const char *scheduled_at,
                            struct textus_message *out, struct err *e) TH_WUR;

/* GET {message id} (the relative IRI returned by the send). */
int textus_get_message(const struct textus_config *c, const char *message_id,
                       struct textus_message *out, struct err *e) TH_WUR;

/* GET /{slug}/opt_outs/{phone}: *opted_out = 1 (200) or 0 (404). */
int textus_get_opt_out(const struct textus_config *c, const char *e164, int *opted_out,
                       struct err *e) TH_WUR;

/*
 * Who locked a number and when, as the OptOut says (https://apidocs.next.textus.com/docs/
 * opt_outs/show and .../opt_outs/update): createdAt, createdVia ("User", ...), the embedded
 * user (null in the show example) and originatingAccount. "" for what the answer leaves out.
 */
struct textus_opt_out {
    char created_at[64];
    char created_via[32];
    char user[TEXTUS_ID_MAX];    /* the user's id ("/users/...") */
    char user_name[256];         /* the user's name */
    char account[TEXTUS_ID_MAX]; /* the originating account's id ("/accounts/...") */
    char account_name[256];      /* its name */
};

/* What the checks before a send found about a number. */
struct textus_number_check {
    int opted_out;              /* GET /{slug}/opt_outs/{phone} answered an OptOut */
    struct textus_opt_out lock; /* that OptOut (opted_out only) */
    int conversation;           /* the account has a conversation with the number */
    int blocked;                /* that conversation is blocked */
    int unsubscribed;           /* that conversation is unsubscribed */
};

/*
 * The opt-out and the conversation of a number, the two requests at once (what
 * textus_get_opt_out and textus_get_conversation read); conv (may be NULL) gets the
 * conversation itself. 0, or -1 with the opt-out's error first, then the conversation's.
 */
int textus_check_number(const struct textus_config *c, const char *e164,
                        struct textus_number_check *out, struct textus_conversation *conv,
                        struct err *e) TH_WUR;

/*
 * Open a connection to TextUs ahead of use, in the background (a read that changes
 * nothing: the token's accounts filtered by the configured slug), unless one was used
 * recently or is being opened. 0 started or not needed, -1 not started.
 */
int textus_warm(const struct textus_config *c) TH_WUR;

/* PUT /{slug}/opt_outs/{phone} -> 201 OptOut; out (may be NULL) gets it. */
int textus_create_opt_out(const struct textus_config *c, const char *e164,
                          struct textus_opt_out *out, struct err *e) TH_WUR;

/* An OptOut's JSON into *out (pure; fuzzed with the parsers). */
int textus_parse_opt_out(const char *buf, size_t len, struct textus_opt_out *out, struct err *e);

/* GET /{slug}/conversations/{+E164}; out->found = 0 on 404. */
int textus_get_conversation(const struct textus_config *c, const char *e164,
                            struct textus_conversation *out, struct err *e) TH_WUR;

/*
 * The contact that already has this number: GET /{slug}/conversations/{phone}, then its
 * associatedContacts; GET /{slug}/contact_phones?q= only when there is no conversation.
 * *found = 0 when there is none.
 */
int textus_find_contact(const struct textus_config *c, const char *e164, struct textus_contact *out,
                        int *found, struct err *e) TH_WUR;

/* POST /{slug}/contacts {name, phones:[{number, type}], data?}; type NULL: "Mobile". */
int textus_create_contact(const struct textus_config *c, const char *name, const char *e164,
                          const char *type, const cJSON *data, struct textus_contact *out,
                          struct err *e) TH_WUR;

/*
 * PUT {contact id} with name, the full phone list (the contact's numbers as they are, each
 * with its type, plus e164 with `type` when it is new) and its data with `data` on top; the
 * contact is read first (GET {contact id}).
 */
int textus_update_contact(const struct textus_config *c, const char *contact_id, const char *name,
                          const char *e164, const char *type, const cJSON *data,
                          struct textus_contact *out, struct err *e) TH_WUR;

/*
 * Walk GET {conversation id}/timeline (newest first, every view.next page) calling fn for
 * each member until it sets *stop: a Message (m->id "/messages/...", body its text or NULL)
 * or an Event (m->id "", only m->timestamp set, body NULL). A page whose @type is neither
 * "Timeline" nor "hydra:Collection" is upstream_invalid.
 */
typedef int (*textus_timeline_fn)(const struct textus_message *m, const char *body, void *ud,
                                  int *stop, struct err *e);
int textus_timeline(const struct textus_config *c, const char *conversation_id,
                    textus_timeline_fn fn, void *ud, struct err *e) TH_WUR;

/*
 * The TextUs user ("/users/...") whose email is `email`: GET /users?q= (documented for
 * account admins); *found = 0 when there is none, or when the token's user may not list users
 * (403/404: not an admin).
 */
int textus_find_user(const struct textus_config *c, const char *email, char *out, size_t outsz,
                     int *found, struct err *e) TH_WUR;

/*
 * Walk GET {user}/saved_replies?filter=all[&query=Q&q=Q] (every view.next page) calling fn for
 * each SavedReply (id "/saved_replies/...", title, content, shared) that matches Q (filtered
 * here too: title or content, ASCII case ignored) until it sets *stop.
 */
typedef int (*textus_saved_reply_fn)(const char *id, const char *title, const char *content,
                                     int shared, void *ud, int *stop, struct err *e);
int textus_saved_replies(const struct textus_config *c, const char *user, const char *query,
                         textus_saved_reply_fn fn, void *ud, struct err *e) TH_WUR;

/* Pure response parsers (no network; fuzzed). Each returns 0 or -1 with ERR_UPSTREAM_INVALID. */
int textus_parse_message(const char *buf, size_t len, struct textus_message *out, struct err *e);
int textus_parse_conversation(const char *buf, size_t len, struct textus_conversation *out,
                              struct err *e);
int textus_parse_contact(const char *buf, size_t len, struct textus_contact *out, struct err *e);
/* A hydra:Collection page: *doc owns everything; *members is its members array (either
 * spelling); next gets view.next ("" at the end). */
int textus_parse_collection(const char *buf, size_t len, cJSON **doc, const cJSON **members,
                            char *next, size_t nextsz, struct err *e);

/* 1 when s is +<7..15 digits> (E.164). */
int textus_is_e164(const char *s);

#endif
