/*
 * send — the send flow, reconciliation and note retries (see send.h).
 * [engine]
 */
#include "send.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "common.h"
#include "engine_entry.h"
#include "failpoint.h"
#include "http.h"
#include "gh_config.h"
#include "iso8601.h"
#include "handler.h"
#include "log.h"
#include "notetext.h"
#include "now.h"
#include "outbox.h"
#include "paths.h"
#include "phone.h"
#include "quiet.h"
#include "store.h"
#include "textus.h"
#include "utf8.h"

#define SEND_FLUSH_MAX      256
#define SEND_RECONCILE_SKEW 5000 /* ms of clock difference tolerated between us and TextUs */
/* how long after its intent a message of that intent can appear: the POST follows the
 * journal at once and waits at most the transfer timeout; the rest is clock skew */
#define SEND_RECONCILE_WINDOW        (10LL * 60 * 1000)
#define SEND_NOTE_BACKOFF_MS         30000LL /* default first back-off; setting note_retry_base_ms */
#define SEND_AUTO_RECONCILE_GRACE_MS 60000LL /* automatic flushes leave fresh unknowns alone */
#define SEND_NOTE_BACKOFF_MAX_MS     (3600LL * 1000)
#define SEND_HOLD_WAIT_MS            2000LL  /* a write waits this long for a hold (http.c) */
#define SEND_LEASE_MARGIN_MS         30000LL /* scheduling, the journal's busy wait, the clock */

/* ---- pure helpers ---- */

int send_request_id_ok(const char *s)
{
    size_t i, n = s ? strlen(s) : 0;

    if (n < 1 || n > OUTBOX_REQUEST_ID_MAX)
        return 0;
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (!isalnum(c) && c != '_' && c != '-')
            return 0;
    }
    return 1;
}

/* A bulk candidate's derived id: "<bulk id>:<candidate id>", or its one retry
 * "<bulk id>:<candidate id>:2" (bulk.h), at most 64 bytes. */
static int send_bulk_item_id_ok(const char *s)
{
    const char *colon = s ? strchr(s, ':') : NULL, *retry;
    char head[OUTBOX_REQUEST_ID_MAX + 1], cid[OUTBOX_REQUEST_ID_MAX + 1];
    size_t n;

    if (!colon || (size_t)(colon - s) > OUTBOX_BULK_ID_MAX || strlen(s) > OUTBOX_REQUEST_ID_MAX)
        return 0;
    memcpy(head, s, (size_t)(colon - s));
    head[colon - s] = '\0';
    retry = strchr(colon + 1, ':');
    if (retry && strcmp(retry, ":2") != 0)
        return 0;
    n = retry ? (size_t)(retry - colon - 1) : strlen(colon + 1);
    memcpy(cid, colon + 1, n);
    cid[n] = '\0';
    return send_request_id_ok(head) && phone_gh_id_valid(cid);
}

int send_note_marker(char *out, size_t outsz, const char *message_id)
{
    int n = snprintf(out, outsz, "[textus:%s]", message_id);

    return (n < 0 || (size_t)n >= outsz) ? -1 : 0;
}

/* GSM 03.38: 1 for the basic set, 2 for the extension table, 0 when not GSM-7. */
static int send_gsm_cost(uint32_t c)
{
    static const uint32_t basic[] = {
        0xA3,  0xA5,  0xE8,  0xE9,  0xF9,  0xEC,  0xF2,  0xC7,  0xD8,  0xF8, 0xC5, 0xE5, 0x394,
        0x3A6, 0x393, 0x39B, 0x3A9, 0x3A0, 0x3A8, 0x3A3, 0x398, 0x39E, 0xC6, 0xE6, 0xDF, 0xC9,
        0xA4,  0xA1,  0xC4,  0xD6,  0xD1,  0xDC,  0xA7,  0xBF,  0xE4,  0xF6, 0xF1, 0xFC, 0xE0};
    size_t i;

    if (c == '\n' || c == '\r')
        return 1;
    if (c == '^' || c == '{' || c == '}' || c == '\\' || c == '[' || c == '~' || c == ']' ||
        c == '|' || c == 0x20AC || c == '\f')
        return 2;
    if (c >= 0x20 && c <= 0x7E)
        return c == '`' ? 0 : 1;
    for (i = 0; i < TH_ARRAY_SIZE(basic); i++) {
        if (basic[i] == c)
            return 1;
    }
    return 0;
}

long send_segment_capacity(int limit, int ucs2)
{
    if (limit <= 1)
        return ucs2 ? 70 : 160;
    return (long)limit * (ucs2 ? 67 : 153);
}

void send_count_segments(const char *body, struct send_segments *out)
{
    size_t len = strlen(body), i = 0;
    long septets = 0, utf16 = 0;
    int gsm = 1;

    while (i < len) {
        uint32_t c;
        size_t n = utf8_decode(&c, body + i, len - i);
        int cost;
        if (n == 0) {
            c = 0xFFFD; /* a malformed byte counts as one U+FFFD (the protocol refuses them) */
            n = 1;
        }
        i += n;
        cost = send_gsm_cost(c);
        if (!cost)
            gsm = 0;
        septets += cost ? cost : 1;
        utf16 += c > 0xFFFF ? 2 : 1;
    }
    out->ucs2 = !gsm;
    out->units = gsm ? septets : utf16;
    if (out->units <= (gsm ? 160 : 70))
        out->segments = out->units > 0 ? 1 : 0;
    else
        out->segments = (int)((out->units + (gsm ? 152 : 66)) / (gsm ? 153 : 67));
}

/* ---- context: store, clients, outbox ---- */

void send_ctx_close(struct send_ctx *c)
{
    if (c->ob)
        outbox_close(c->ob);
    if (c->gh) {
        send_gh_save_cache(c->gh);
        send_gh_close(c->gh);
    }
    if (c->store)
        store_free(c->store);
    memset(c, 0, sizeof(*c));
}

/*
 * How long this process's claims last (outbox_set_lease_ms), from the configured timeout
 * (PROTOCOL.md, How long a request can take: R = B + T for a read, W = 2 s + T for a write):
 * the longest step a claim covers without renewal is a note's POST after send_note_post
 * re-took the claim — a v3 token the warm-up is fetching (R), a new one when that failed
 * (R), the POST (W), and once more after a refused token (R + W): 3 R + 2 W, plus a margin.
 * It also covers the SMS POST (W) after the intent.
 */
static int64_t send_lease_ms(const struct send_ctx *c)
{
    int64_t t =
        c->tx.http.total_timeout_ms > 0 ? c->tx.http.total_timeout_ms : HTTP_DEFAULT_TOTAL_MS;
    int64_t r = HTTP_DEFAULT_BUDGET_MS + t, w = SEND_HOLD_WAIT_MS + t;

    return 3 * r + 2 * w + SEND_LEASE_MARGIN_MS;
}

/* Open the outbox with the key derived from c's store; *digest (may be NULL) gets a hash of
 * that key, to tell whether a reloaded store still opens the same outbox. */
static int send_ctx_outbox(struct send_ctx *c, unsigned char digest[32], struct err *e)
{
    struct paths p;
    unsigned char *key;
    int rc = -1;

    if (paths_resolve(&p, e) != 0 || paths_ensure_dirs(&p, e) != 0)
        return -1;
    key = sodium_malloc(OUTBOX_KEY_BYTES);
    if (!key) {
        err_set(e, ERR_INTERNAL, "out of secure memory");
        return -1;
    }
    if (store_derive_key_from(key, c->store, SEND_KDF_CONTEXT, e) != 0)
        goto out;
    if (digest)
        crypto_generichash(digest, 32, key, OUTBOX_KEY_BYTES, NULL, 0);
    if (!c->ob && outbox_open(&c->ob, p.outbox, key, e) != 0)
        goto out;
    outbox_set_lease_ms(c->ob, send_lease_ms(c)); /* the store may have changed the timeout */
    rc = 0;
out:
    sodium_free(key);
    return rc;
}

int send_ctx_open(struct send_ctx *c, int need_outbox, struct err *e)
{
    const cJSON *settings, *v;

    memset(c, 0, sizeof(*c));
    if (store_load(&c->store, e) != 0)
        goto err;
    c->tx.base_url = store_textus_base_url(c->store);
    c->tx.token = store_textus_token(c->store);
    c->tx.account = store_textus_account(c->store);
    c->tx.http.connect_timeout_ms = store_connect_timeout_ms(c->store);
    c->tx.http.total_timeout_ms = store_timeout_ms(c->store);
    c->tx.http.ca_file = store_ca_file(c->store);
    gh_config_hold_file(&c->tx.http, c->holds, sizeof(c->holds));
    if (!c->tx.token || !c->tx.account) {
        err_set(e, ERR_NOT_CONFIGURED,
                "TextUs is not configured (token and account); run textus-host configure");
        goto err;
    }
    c->note_enabled = store_note_enabled(c->store);
    c->note_retry_base_ms = SEND_NOTE_BACKOFF_MS;
    settings = cJSON_GetObjectItemCaseSensitive(store_public_doc(c->store), "settings");
    v = cJSON_GetObjectItemCaseSensitive(settings, "note_retry_base_ms");
    if (cJSON_IsNumber(v) && v->valuedouble >= 0 && v->valuedouble <= 3600000)
        c->note_retry_base_ms = (int64_t)v->valuedouble;
    c->segment_limit = store_segment_limit(c->store);
    if (need_outbox && send_ctx_outbox(c, NULL, e) != 0)
        goto err;
    return 0;
err:
    send_ctx_close(c);
    return -1;
}

/* The Greenhouse client, created on first need (a send whose note is disabled needs none). */
static int send_gh(struct send_ctx *c, struct err *e)
{
    if (c->gh)
        return 0;
    return send_gh_open(&c->gh, c->store, e);
}

/* ---- the port: what one host process keeps across its requests ---- */

/*
 * A host process serves one browser port (or one message). What every request
 * needs -- the decrypted store, the outbox connection, the API clients with their
 * kept-alive connections and cached tokens -- is opened once and kept for the
 * requests that follow. The store may be changed meanwhile by another process
 * (`configure`, another port caching a token): each request first checks the
 * store file (store_changed, one lstat) and reloads it when it changed, keeping
 * the outbox connection when the reloaded store derives the same outbox key, and
 * closing the kept HTTP connections when the credentials changed.
 */
static struct send_ctx send_port_ctx;
static int send_port_open;
static unsigned char send_port_digest[32]; /* hash of the outbox key of send_port_ctx.ob */

/* What prepare_send found, reused by send_sms on this port within SEND_PREP_REUSE_MS. */
#define SEND_PREP_SLOTS 16
static struct {
    char to[20];
    int opted_out, blocked;
    int64_t at_ms; /* send_prep_now() when checked */
} send_prep[SEND_PREP_SLOTS];

/* The clock of that reuse: CLOCK_MONOTONIC ms (plus a test offset in failpoint builds). */
static int64_t send_prep_now(void)
{
    return now_mono_ms() + FAILPOINT_CLOCK_OFFSET_MS();
}

void send_prep_forget(const char *to)
{
    size_t i;

    for (i = 0; i < SEND_PREP_SLOTS; i++)
        if (!to || strcmp(send_prep[i].to, to) == 0)
            memset(&send_prep[i], 0, sizeof(send_prep[i]));
}

static void send_prep_put(const char *to, int opted_out, int blocked)
{
    size_t i, slot = 0;

    for (i = 0; i < SEND_PREP_SLOTS; i++) {
        if (strcmp(send_prep[i].to, to) == 0) {
            slot = i;
            break;
        }
        if (send_prep[i].at_ms < send_prep[slot].at_ms)
            slot = i; /* the oldest (or an empty one) */
    }
    snprintf(send_prep[slot].to, sizeof(send_prep[slot].to), "%s", to);
    send_prep[slot].opted_out = opted_out;
    send_prep[slot].blocked = blocked;
    send_prep[slot].at_ms = send_prep_now();
}

/* The reusable result for `to`, or -1 when there is none (never checked, or too old). */
static int send_prep_find(const char *to)
{
    int64_t now = send_prep_now();
    size_t i;

    for (i = 0; i < SEND_PREP_SLOTS; i++) {
        if (send_prep[i].at_ms > 0 && strcmp(send_prep[i].to, to) == 0) {
            if (now - send_prep[i].at_ms >= SEND_PREP_REUSE_MS || now < send_prep[i].at_ms)
                return -1;
            return (int)i;
        }
    }
    return -1;
}

void send_port_close(void)
{
    if (send_port_open)
        send_ctx_close(&send_port_ctx);
    send_port_open = 0;
    send_prep_forget(NULL);
    http_cleanup(); /* the kept connections, and background requests nobody waits for */
}

/* A digest of what prepare_send results depend on: the TextUs URL, account and token. */
static void send_tx_digest(const struct send_ctx *c, unsigned char out[32])
{
    crypto_generichash_state st;
    const char *parts[3] = {c->tx.base_url, c->tx.account, c->tx.token};
    size_t i;

    crypto_generichash_init(&st, NULL, 0, 32);
    for (i = 0; i < 3; i++) {
        const char *v = parts[i] ? parts[i] : "";
        crypto_generichash_update(&st, (const unsigned char *)v, strlen(v) + 1);
    }
    crypto_generichash_final(&st, out, 32);
}

/* A digest of the credentials and where they go (both services): when a reload changes it,
 * the kept connections go too (their buffers held the old Authorization headers). */
static void send_cred_digest(const struct store *s, unsigned char out[32])
{
    crypto_generichash_state st;
    const char *parts[7];
    size_t i;

    parts[0] = store_textus_base_url(s);
    parts[1] = store_textus_token(s);
    parts[2] = store_gh_base_url(s);
    parts[3] = store_gh_auth_url(s);
    parts[4] = store_gh_api_key(s);
    parts[5] = store_gh_client_id(s);
    parts[6] = store_gh_client_secret(s);
    crypto_generichash_init(&st, NULL, 0, 32);
    for (i = 0; i < TH_ARRAY_SIZE(parts); i++) {
        const char *v = parts[i] ? parts[i] : "";
        crypto_generichash_update(&st, (const unsigned char *)v, strlen(v) + 1);
    }
    crypto_generichash_final(&st, out, 32);
}

/*
 * Reload the port's store after another process changed it (see above). The context is
 * reopened in place (its members point into it: never copy a send_ctx); the outbox
 * connection is kept when the new store derives the same key. When the credentials changed,
 * the old clients' connections and kept handles are dropped as well (http_drop_connections).
 */
static int send_port_reload(struct err *e)
{
    struct outbox *ob = send_port_ctx.ob;
    unsigned char before[32], after[32], digest[32], cred_before[32], cred_after[32];
    int kept = 0;

    send_tx_digest(&send_port_ctx, before);
    send_cred_digest(send_port_ctx.store, cred_before);
    send_port_ctx.ob = NULL;
    send_ctx_close(&send_port_ctx);
    if (send_ctx_open(&send_port_ctx, 0, e) != 0) {
        if (ob)
            outbox_close(ob);
        send_port_open = 0;
        send_prep_forget(NULL);
        http_drop_connections();
        return -1;
    }
    send_cred_digest(send_port_ctx.store, cred_after);
    if (sodium_memcmp(cred_before, cred_after, sizeof(cred_after)) != 0) {
        http_drop_connections();
        log_msg("port: the credentials changed; connections closed");
    }
    send_tx_digest(&send_port_ctx, after);
    if (sodium_memcmp(before, after, sizeof(after)) != 0)
        send_prep_forget(NULL); /* checked against another account or credential */
    if (ob) {
        send_port_ctx.ob = ob; /* send_ctx_outbox only derives the key while one is open */
        if (send_ctx_outbox(&send_port_ctx, digest, e) == 0 &&
            sodium_memcmp(digest, send_port_digest, sizeof(digest)) == 0) {
            kept = 1;
        } else {
            outbox_close(ob);
            send_port_ctx.ob = NULL;
            err_clear(e);
        }
    }
    log_msg("port: the store changed; reloaded%s", kept || !ob ? "" : " (outbox reopened)");
    return 0;
}

int send_port(struct send_ctx **out, int need_outbox, struct err *e)
{
    *out = NULL;
    if (send_port_open && store_changed(send_port_ctx.store) && send_port_reload(e) != 0)
        return -1;
    if (!send_port_open) {
        if (send_ctx_open(&send_port_ctx, 0, e) != 0)
            return -1;
        send_port_open = 1;
    }
    if (need_outbox && !send_port_ctx.ob &&
        send_ctx_outbox(&send_port_ctx, send_port_digest, e) != 0)
        return -1;
    *out = &send_port_ctx;
    return 0;
}

/* Open what a send will need ahead of use, in the background: a connection to TextUs (when
 * `textus`) and, when notes are on, Greenhouse's connection and tokens. */
static void send_warm(struct send_ctx *c, int textus)
{
    struct err e;

    err_clear(&e);
    if (textus && textus_warm(&c->tx) != 0)
        log_msg("port: TextUs warm-up not started");
    if (c->note_enabled && send_gh(c, &e) == 0)
        send_gh_warm(c->gh);
}

/*
 * Between two requests of the port: the warm-up (the first time), the background requests,
 * and the notes that the rate limit held back (http_request.pace: the window was nearly spent,
 * or a 429): when their time comes (the window's reset plus this process's jitter, so that the
 * company's hosts do not all come back at once) and the port is still idle, the due notes are
 * flushed -- the journal's order, oldest first. A frame that arrives first is read at once:
 * the recruiter's next text never waits for them.
 */
#define SEND_PACED_MARGIN_MS 50 /* past the time the outbox was given for the next attempt */

int send_port_idle(int in_fd, int warm)
{
    struct send_ctx *c;
    struct err e;
    long long wake;

    err_clear(&e);
    if (warm && !send_port_open) {
        if (send_port(&c, 1, &e) != 0) {
            log_msg("port: not warmed: %s", e.message);
            return 0;
        }
        log_msg("port: warming the connections");
        send_warm(c, 1);
    }
    while ((wake = http_paced_wake_ms()) > 0 && send_port_open) {
        long long left = wake + SEND_PACED_MARGIN_MS - now_wall_ms();
        if (left > 0) {
            /* a slice at a time: between two, the caller looks at what it must (a revoked
             * caller), so that a long rate-limit window never keeps a revoked port open */
            long slice = left > SEND_IDLE_SLICE_MS ? SEND_IDLE_SLICE_MS : (long)left;
            if (http_wait_readable_for(in_fd, slice) == 1)
                return 1;
            if (left > slice)
                return 2;
        }
        http_paced_clear();
        log_msg("port: notes held back by the rate limit are due: flushing them");
        send_startup_flush();
    }
    return http_wait_readable(in_fd);
}

/* ---- notes ---- */

static void send_fmt_time(char *out, size_t outsz, int64_t ms)
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;

    gmtime_r(&t, &tm);
    if (!strftime(out, outsz, "%Y-%m-%d %H:%M UTC", &tm))
        snprintf(out, outsz, "?");
}

/*
 * The candidate's wall-clock time at t (epoch seconds) for a person, in each of the number's
 * zones: "Wed 02 Dec 2026 09:00 CST (America/Chicago)", several joined by " / ", or the UTC
 * time and "time zone not known" when the table has none for the number.
 */
static void send_local_when(char *out, size_t outsz, const char *to, int64_t t)
{
    const char *zones[QUIET_ZONES_MAX];
    size_t n = quiet_zones(zones, TH_ARRAY_SIZE(zones), to), i, o = 0;
    char one[96];
    struct err e;

    out[0] = '\0';
    for (i = 0; i < n && i < QUIET_ZONES_MAX; i++) {
        err_clear(&e);
        if (quiet_local_datetime(one, sizeof(one), zones[i], t, &e) != 0)
            continue;
        o = strlen(out);
        snprintf(out + o, outsz - o, "%s%s (%s)", o ? " / " : "", one, zones[i]);
    }
    if (!out[0]) {
        send_fmt_time(one, sizeof(one), t * 1000);
        snprintf(out, outsz, "%s (the number's time zone is not known)", one);
    }
}

/*
 * For a text sent outside the quiet-hours window on the recruiter's word: the paragraph
 * the note carries about it (the candidate's local time then, in each of the number's zones).
 */
static void send_override_remark(char *out, size_t outsz, const struct send_ctx *c,
                                 const struct outbox_entry *en)
{
    char local[300];

    out[0] = '\0';
    if (!en->quiet_override)
        return;
    send_local_when(local, sizeof(local), en->to, en->created_ms / 1000);
    snprintf(out, outsz,
             "Sent outside the quiet hours (texts allowed %s the candidate's time; it was %s): "
             "the recruiter chose to send it anyway.\n\n",
             store_quiet_hours(c->store), local);
}

/*
 * The note text: who texted whom, when, what, and the marker on the last line. malloc'd. The
 * text is made safe as a reply's is (notetext_clean: the recruiter may paste anything, and
 * `textus-host send` takes 64 KiB), so that the note shows what was texted, never markup,
 * and stays under the note's limit.
 */
static char *send_note_text(const struct send_ctx *c, const struct outbox_entry *en,
                            const char *message_id)
{
    char when[64], marker[TEXTUS_ID_MAX + 16], remark[800], at[400];
    const char *who = store_gh_email(c->store);
    size_t len;
    char *out, *body = NULL;

    send_fmt_time(when, sizeof(when), en->created_ms);
    if (send_note_marker(marker, sizeof(marker), message_id) != 0)
        return NULL;
    send_override_remark(remark, sizeof(remark), c, en);
    if (en->to_unlisted) {
        size_t rl = strlen(remark);
        snprintf(remark + rl, sizeof(remark) - rl,
                 "The number %s is not on the candidate's Greenhouse record: the sender chose "
                 "to text it anyway (confirmed in the compose box, or textus-host send "
                 "--to-unlisted).\n\n",
                 en->to);
    }
    at[0] = '\0';
    if (en->schedule)
        send_local_when(at, sizeof(at), en->to, en->send_at_ms / 1000);
    if (notetext_clean(&body, NULL, en->body, strlen(en->body), NOTETEXT_BODY_MAX, NOTETEXT_MARKUP,
                       0) != 0)
        return NULL;
    len = strlen(body) + strlen(en->to) + strlen(marker) + strlen(when) + strlen(remark) +
          strlen(at) + (who ? strlen(who) : 0) + 160;
    out = malloc(len);
    if (out && en->schedule)
        snprintf(out, len, "Text scheduled for %s via TextUs by %s to %s on %s:\n\n%s\n\n%s%s", at,
                 who ? who : "the TextUs user", en->to, when, body, remark, marker);
    else if (out)
        snprintf(out, len, "Text message sent via TextUs by %s to %s on %s:\n\n%s\n\n%s%s",
                 who ? who : "the TextUs user", en->to, when, body, remark, marker);
    sodium_memzero(body, strlen(body));
    free(body);
    return out;
}

/*
 * Failures that waiting does not cure stop the retries until a person acts:
 * a configuration to fix (then `outbox flush`), or a note Greenhouse will never
 * take (then `outbox dismiss`; see send_stopped_fix). Everything else (429,
 * 5xx, network, an unusable answer) is retried with back-off.
 */
static int send_note_stop_code(enum err_code code)
{
    return code == ERR_GREENHOUSE_AUTH || code == ERR_GREENHOUSE_PERMISSION ||
           code == ERR_GREENHOUSE_USER_NOT_FOUND || code == ERR_GREENHOUSE_V1_RETIRED ||
           code == ERR_NOT_CONFIGURED || code == ERR_INVALID_CONFIG ||
           code == ERR_GREENHOUSE_NOT_FOUND ||
           code == ERR_GREENHOUSE_REJECTED; /* a 422 is not cured by waiting */
}

/*
 * One note attempt for a sent row. Returns 0 (the row's note state was
 * updated, or there was nothing to do) or -1 on an outbox error.
 */
int send_note_attempt(struct send_ctx *c, const char *request_id, int force, int include_stopped,
                      int *written, struct err *e)
{
    int prior = 0, claimed;

    if (written)
        *written = 0;
    claimed = outbox_note_claim(c->ob, request_id, force, include_stopped, &prior, e);
    if (claimed <= 0)
        return claimed;
    return send_note_post(c, request_id, prior, written, e);
}

int send_note_post(struct send_ctx *c, const char *request_id, int prior, int *written,
                   struct err *e)
{
    struct outbox_entry en;
    struct err ge;
    char marker[TEXTUS_ID_MAX + 16], note_id[64], why[ERR_MESSAGE_MAX + 64];
    int found = 0, r, shift, stop;
    int64_t backoff;

    if (written)
        *written = 0;
    if (outbox_get(c->ob, request_id, &en, e) != 1)
        return -1;
    err_clear(&ge);
    note_id[0] = '\0';
    if (send_gh(c, &ge) != 0)
        goto failed;
    if (send_note_marker(marker, sizeof(marker), en.message_id) != 0) {
        err_set(&ge, ERR_INTERNAL, "message id too long");
        goto failed;
    }
    if (prior > 0 || en.is_reply) {
        /* an earlier attempt may have landed, or (a reply) another host may have logged it
         * from its own journal: look before posting (still holding the claim: a process
         * whose claim was taken over leaves the note to the new owner) */
        r = outbox_note_renew(c->ob, request_id, e);
        if (r <= 0)
            goto lost;
        if (send_gh_find_note(c->gh, en.candidate_id, marker, note_id, sizeof(note_id), &found,
                              &ge) != 0)
            goto failed;
        if (found) {
            log_msg("note for %s found in the activity feed (attempt %d)", request_id, prior + 1);
            goto written;
        }
    }
    /* what the POST needs first (the user id), outside the step the lease covers */
    if (send_gh_ready(c->gh, &ge) != 0)
        goto failed;
    /* re-take the claim right before the POST: post only while it is still this process's
     * (not taken over, not expired); the lease (send_lease_ms) outlasts the POST, so no
     * other process can take the claim over while it is under way */
    r = outbox_note_renew(c->ob, request_id, e);
    if (r <= 0)
        goto lost;
    FAILPOINT("before_note");
    if (send_gh_add_note(c->gh, en.candidate_id, en.note_body ? en.note_body : "", en.visibility,
                         note_id, sizeof(note_id), &ge) != 0)
        goto failed;
    FAILPOINT("after_note");
written:
    outbox_entry_free(&en);
    r = outbox_note_written(c->ob, request_id, note_id, e);
    if (r > 0 && written)
        *written = 1;
    return r < 0 ? -1 : 0;
failed:
    /* a stopped note's reason is shown with its own fix (send_stopped_fix): the cause only */
    stop = send_note_stop_code(ge.code);
    snprintf(why, sizeof(why), "%s: %.*s", err_code_name(ge.code),
             stop ? err_cause_len(&ge) : (int)strlen(ge.message), ge.message);
    shift = en.note_attempts > 1 ? en.note_attempts - 1 : 0; /* attempts counts this one */
    backoff = c->note_retry_base_ms << (shift < 7 ? shift : 7);
    if (backoff > SEND_NOTE_BACKOFF_MAX_MS)
        backoff = SEND_NOTE_BACKOFF_MAX_MS;
    if (ge.retry_after_ms > backoff)
        backoff = ge.retry_after_ms;
    /* rate limited: the service said when (a forced flush waits for it too, outbox.c) */
    if (ge.code == ERR_RATE_LIMITED && ge.retry_after_ms > 0)
        backoff = ge.retry_after_ms;
    log_msg("note for %s failed: %s", request_id, why);
    r = outbox_note_failed(c->ob, request_id, stop, why, outbox_now_ms() + backoff, e);
    if (r == 0)
        log_msg("note for %s: its claim was taken over; the failure is not journaled", request_id);
    outbox_entry_free(&en);
    return r < 0 ? -1 : 0;
lost:
    /* r < 0: the outbox failed (*e); r == 0: the claim is no longer this process's */
    if (r == 0)
        log_msg("note for %s: the claim was taken over or ran out; not posted by this process",
                request_id);
    outbox_entry_free(&en);
    return r < 0 ? -1 : 0;
}

/* ---- reconciliation ---- */

/* TextUs examples say "out"; the type page says "outgoing". */
static int send_outgoing(const char *direction)
{
    return strcmp(direction, "out") == 0 || strcmp(direction, "outgoing") == 0;
}

/* What the timeline walk of one intent found. */
struct send_tl {
    struct send_ctx *c;
    const char *request_id;
    const char *body;
    int64_t from_ms, to_ms; /* the window a message of this intent can fall in */
    int candidates;         /* outgoing messages with our body in the window, not journaled */
    struct textus_message first;
    struct err *e;
    int failed; /* an outbox error (in *e) */
};

static int send_tl_member(const struct textus_message *m, const char *body, void *ud, int *stop,
                          struct err *e)
{
    struct send_tl *t = ud;
    int64_t ts;
    int known;

    (void)e;
    if (iso8601_parse_ms(&ts, m->timestamp, strlen(m->timestamp)) != 0)
        ts = -1; /* unknown: it neither ends the walk nor leaves the window */
    if (ts >= 0 && ts < t->from_ms) {
        *stop = 1; /* newest first: everything further is older than the intent */
        return 0;
    }
    if (!m->id[0] || !send_outgoing(m->direction) || !body || strcmp(body, t->body) != 0)
        return 0; /* an event, an inbound reply, or another text (a colleague's) */
    if (ts > t->to_ms)
        return 0; /* the same words, sent long after this intent: another send */
    known = outbox_message_known(t->c->ob, m->id, t->request_id, t->e);
    if (known < 0) {
        t->failed = 1;
        return -1;
    }
    if (known)
        return 0; /* another request's message */
    if (++t->candidates == 1)
        t->first = *m;
    return 0;
}

/*
 * Decide what happened to an INTENT/UNKNOWN row by reading the number's
 * conversation timeline (https://apidocs.next.textus.com/docs/conversations/timeline,
 * newest first): a message of this intent is outgoing, has the journaled body, and
 * was created between SEND_RECONCILE_SKEW before the intent and
 * SEND_RECONCILE_WINDOW after it. Inbound replies, events and other texts (a
 * colleague's) in between do not hide it; pages are read back only to the
 * intent's time. One such message: sent. None: not sent. Two or more: still
 * unknown (never a guess). Returns 1 sent (journaled), 0 not sent (journaled),
 * 2 unknown, -1 error (outbox).
 */
int send_reconcile(struct send_ctx *c, const char *request_id, struct err *e)
{
    struct outbox_entry en;
    struct textus_conversation *conv = NULL;
    struct send_tl t;
    struct err te;
    int r = 2, claimed;
    char *note = NULL;

    claimed = outbox_claim_send(c->ob, request_id, e);
    if (claimed < 0)
        return -1;
    if (claimed == 0)
        return 2; /* another live process is on it, or it is already resolved */
    if (outbox_get(c->ob, request_id, &en, e) != 1)
        return -1;
    conv = calloc(1, sizeof(*conv));
    if (!conv) {
        err_set(e, ERR_INTERNAL, "out of memory");
        r = -1;
        goto out;
    }
    err_clear(&te);
    if (textus_get_conversation(&c->tx, en.to, conv, &te) != 0) {
        log_msg("reconcile %s: conversation look-up failed: %s", request_id, te.message);
        if (outbox_mark_unknown(c->ob, request_id, te.message, e) < 0)
            r = -1;
        goto out;
    }
    if (conv->found) {
        memset(&t, 0, sizeof(t));
        t.c = c;
        t.request_id = request_id;
        t.body = en.body;
        t.from_ms = en.created_ms - SEND_RECONCILE_SKEW;
        t.to_ms = en.created_ms + SEND_RECONCILE_WINDOW;
        /* a scheduled message may be dated by its scheduled time rather than by the request
         * (https://apidocs.next.textus.com/docs/messages/schedule/ does not say) */
        if (en.schedule && en.send_at_ms + SEND_RECONCILE_WINDOW > t.to_ms)
            t.to_ms = en.send_at_ms + SEND_RECONCILE_WINDOW;
        t.e = e;
        if (textus_timeline(&c->tx, conv->id, send_tl_member, &t, &te) != 0) {
            if (t.failed) {
                r = -1;
                goto out;
            }
            log_msg("reconcile %s: reading the timeline failed: %s", request_id, te.message);
            if (outbox_mark_unknown(c->ob, request_id, te.message, e) < 0)
                r = -1;
            goto out;
        }
        if (t.candidates > 1) {
            log_msg("reconcile %s: %d outgoing messages with this text after the intent; left "
                    "unknown",
                    request_id, t.candidates);
            if (outbox_mark_unknown(c->ob, request_id,
                                    "more than one message with this text went to the number "
                                    "after the intent; check the conversation in TextUs",
                                    e) < 0)
                r = -1;
            goto out;
        }
        if (t.candidates == 1) {
            note = send_note_text(c, &en, t.first.id);
            if (!note) {
                err_set(e, ERR_INTERNAL, "out of memory");
                r = -1;
                goto out;
            }
            r = outbox_mark_sent(c->ob, request_id, t.first.id,
                                 t.first.conversation[0] ? t.first.conversation : conv->id,
                                 t.first.delivery_state, note, e) < 0
                    ? -1
                    : 1;
            log_msg("reconcile %s: sent as %s", request_id, t.first.id);
            goto out;
        }
        /* read back to the intent's time, or to the timeline's own end (a page cap is an
         * error above, never a silent end): no message of this intent exists */
    }
    if (en.schedule && outbox_now_ms() <= en.send_at_ms + SEND_RECONCILE_WINDOW) {
        /* whether a scheduled message shows in the timeline before it goes out is not
         * documented: until its time has passed, "not there" does not mean "not scheduled" */
        log_msg("reconcile %s: a scheduled send not seen yet; left unknown until its time",
                request_id);
        if (outbox_mark_unknown(c->ob, request_id,
                                "TextUs did not confirm the schedule; it cannot be told from the "
                                "conversation before the scheduled time: check the scheduled "
                                "messages in TextUs",
                                e) < 0)
            r = -1;
        goto out;
    }
    r = outbox_mark_not_sent(c->ob, request_id, "not_sent",
                             "TextUs has no message for this request: it was not sent", e) < 0
            ? -1
            : 0;
    log_msg("reconcile %s: not sent", request_id);
out:
    if (note) {
        sodium_memzero(note, strlen(note));
        free(note);
    }
    free(conv);
    outbox_entry_free(&en);
    return r;
}

/* ---- flush ---- */

static int send_flush_run(struct send_ctx *c, int force, int include_stopped, int auto_mode,
                          struct send_flush_counts *out, struct err *e);

int send_flush_ctx(struct send_ctx *c, int force, int include_stopped,
                   struct send_flush_counts *out, struct err *e)
{
    return send_flush_run(c, force, include_stopped, 0, out, e);
}

/*
 * auto_mode (a flush nobody asked for): leave sends that became unknown less
 * than SEND_AUTO_RECONCILE_GRACE_MS ago alone, since a slow TextUs may not show
 * the message in the conversation yet; a person's flush, status or retry
 * reconciles at once.
 */
static int send_flush_run(struct send_ctx *c, int force, int include_stopped, int auto_mode,
                          struct send_flush_counts *out, struct err *e)
{
    char(*ids)[OUTBOX_REQUEST_ID_MAX + 1] = NULL;
    struct outbox_counts before, after;
    struct outbox_entry en;
    size_t n = 0, i;
    int r, rc = -1, written = 0, is_reply;

    memset(out, 0, sizeof(*out));
    ids = calloc(SEND_FLUSH_MAX, sizeof(*ids));
    if (!ids) {
        err_set(e, ERR_INTERNAL, "out of memory");
        return -1;
    }
    if (outbox_counts(c->ob, &before, e) != 0)
        goto out;
    if (outbox_ids(c->ob, include_stopped ? OUTBOX_SELECT_WORK_STOPPED : OUTBOX_SELECT_WORK, ids,
                   SEND_FLUSH_MAX, &n, e) != 0)
        goto out;
    for (i = 0; i < n; i++) {
        r = outbox_get(c->ob, ids[i], &en, e);
        if (r < 0)
            goto out;
        if (r == 0)
            continue;
        is_reply = en.is_reply;
        if (en.send_state == OUTBOX_SEND_INTENT || en.send_state == OUTBOX_SEND_UNKNOWN) {
            int busy = outbox_entry_busy(&en);
            int fresh = auto_mode && en.updated_ms + SEND_AUTO_RECONCILE_GRACE_MS > outbox_now_ms();
            outbox_entry_free(&en);
            if (busy || fresh)
                continue;
            r = send_reconcile(c, ids[i], e);
            if (r < 0)
                goto out;
            if (r == 1)
                out->reconciled_sent++;
            else if (r == 0)
                out->reconciled_not_sent++;
            if (r != 1)
                continue;
        } else {
            outbox_entry_free(&en);
        }
        if (send_note_attempt(c, ids[i], force, include_stopped, &written, e) != 0)
            goto out;
        if (is_reply)
            out->replies_logged += written;
    }
    if (outbox_counts(c->ob, &after, e) != 0)
        goto out;
    out->written = after.note_written - before.note_written;
    if (out->written < 0)
        out->written = 0;
    out->pending = after.note_pending;
    out->unknown = after.unknown + after.intent;
    out->stopped = after.note_stopped;
    out->replies_pending = after.reply_pending;
    out->replies_stopped = after.reply_stopped;
    if (outbox_prune(c->ob, outbox_now_ms(), e) < 0)
        goto out;
    rc = 0;
out:
    free(ids);
    return rc;
}

void send_startup_flush(void)
{
    struct send_flush_counts counts;
    struct send_ctx *c;
    struct err e;

    err_clear(&e);
    if (send_port(&c, 1, &e) != 0) {
        log_msg("start-up flush: %s", e.message);
        return;
    }
    /* notes that are due, and unknown sends past the grace period */
    if (send_flush_run(c, 0, 0, 1, &counts, &e) != 0)
        log_msg("start-up flush failed: %s", e.message);
    else
        log_msg("start-up flush: %ld written, %ld pending, %ld unknown", counts.written,
                counts.pending, counts.unknown);
    if (c->gh)
        send_gh_save_cache(c->gh);
}

/* ---- status ---- */

int send_note_never(const char *last_error)
{
    if (!last_error)
        return 0;
    if (strncmp(last_error, "greenhouse_not_found", 20) == 0)
        return 1;
    /* a 4xx about the note itself; one about the author (On-Behalf-Of, user_id) is configuration */
    return strncmp(last_error, "greenhouse_rejected", 19) == 0 &&
           !strstr(last_error, "On-Behalf-Of") && !strstr(last_error, "user_id");
}

void send_stopped_fix(char *out, size_t outsz, const char *last_error, const char *request_id)
{
    const char *rid = request_id && *request_id ? request_id : "REQUEST_ID";
    const char *list = request_id && *request_id ? "" : " (textus-host outbox list shows the ids)";
    const char *e = last_error ? last_error : "";

    if (strncmp(e, "greenhouse_not_found", 20) == 0)
        snprintf(out, outsz,
                 "Greenhouse has no such candidate (deleted or merged), so this note can never "
                 "be written: add it by hand if you need it, then stop it with: textus-host outbox "
                 "dismiss %s%s. If the candidate does exist, the credentials cannot see it: ask "
                 "your Greenhouse admin, then run: textus-host outbox flush",
                 rid, list);
    else if (send_note_never(e))
        snprintf(out, outsz,
                 "Greenhouse refuses this note as it is and will refuse it again, so it can never "
                 "be written: add it by hand if you need it, then stop it with: textus-host "
                 "outbox dismiss %s%s",
                 rid, list);
    else if (strncmp(e, "greenhouse_rejected", 19) == 0)
        snprintf(out, outsz,
                 "Greenhouse refuses the note's author: run textus-host configure with the "
                 "sign-in email of an active Greenhouse user, then: textus-host outbox flush");
    else if (strncmp(e, "greenhouse_permission", 21) == 0)
        snprintf(out, outsz,
                 "Greenhouse refused access to the candidate's record (a private candidate, or "
                 "the Harvest v3 credential lacks the harvest:notes:create scope); ask your "
                 "Greenhouse admin for access, then run: textus-host outbox flush");
    else if (strncmp(e, "greenhouse_auth", 15) == 0)
        snprintf(out, outsz,
                 "the Greenhouse credentials or their permissions were refused (a v1 key needs "
                 "Candidates: Add Note and Activity Feed); fix them with textus-host configure, "
                 "then run: textus-host outbox flush");
    else if (strncmp(e, "greenhouse_user_not_found", 25) == 0)
        snprintf(out, outsz,
                 "the configured Greenhouse email is not an active user; run textus-host "
                 "configure, then: textus-host outbox flush");
    else if (strncmp(e, "greenhouse_v1_retired", 21) == 0)
        snprintf(out, outsz,
                 "Harvest v1 is gone; configure Harvest v3 client credentials (textus-host "
                 "configure), then run: textus-host outbox flush");
    else
        snprintf(out, outsz,
                 "fix the Greenhouse configuration (textus-host doctor shows what is wrong), "
                 "then run: textus-host outbox flush");
}

int send_status_outbox(cJSON *status, int reconcile)
{
    struct send_ctx c;
    struct outbox_counts k;
    struct err e;
    cJSON *o = cJSON_AddObjectToObject(status, "outbox");

    if (!o)
        return -1;
    err_clear(&e);
    if (send_ctx_open(&c, 1, &e) != 0) {
        cJSON_AddStringToObject(o, "error", e.message);
        return 0;
    }
    if (reconcile) {
        char ids[16][OUTBOX_REQUEST_ID_MAX + 1];
        size_t n = 0, i;
        if (outbox_ids(c.ob, OUTBOX_SELECT_WORK, ids, 16, &n, &e) == 0) {
            for (i = 0; i < n; i++) {
                struct outbox_entry en;
                if (outbox_get(c.ob, ids[i], &en, &e) != 1)
                    continue;
                if ((en.send_state == OUTBOX_SEND_UNKNOWN || en.send_state == OUTBOX_SEND_INTENT) &&
                    !outbox_entry_busy(&en)) {
                    outbox_entry_free(&en);
                    if (send_reconcile(&c, ids[i], &e) < 0)
                        break;
                } else {
                    outbox_entry_free(&en);
                }
            }
        }
    }
    if (outbox_counts(c.ob, &k, &e) != 0) {
        cJSON_AddStringToObject(o, "error", e.message);
        send_ctx_close(&c);
        return 0;
    }
    cJSON_AddNumberToObject(o, "total", (double)k.total);
    cJSON_AddNumberToObject(o, "sent", (double)k.sent);
    cJSON_AddNumberToObject(o, "unknown", (double)(k.unknown + k.intent));
    cJSON_AddNumberToObject(o, "not_sent", (double)k.not_sent);
    cJSON_AddNumberToObject(o, "notes_written", (double)k.note_written);
    cJSON_AddNumberToObject(o, "notes_pending", (double)k.note_pending);
    cJSON_AddNumberToObject(o, "notes_disabled", (double)k.note_disabled);
    cJSON_AddNumberToObject(o, "notes_stopped", (double)k.note_stopped);
    cJSON_AddNumberToObject(o, "notes_dismissed", (double)k.note_dismissed);
    cJSON_AddNumberToObject(o, "replies_logged", (double)k.reply_written);
    cJSON_AddNumberToObject(o, "replies_pending", (double)k.reply_pending);
    cJSON_AddNumberToObject(o, "replies_stopped", (double)k.reply_stopped);
    cJSON_AddNumberToObject(o, "replies_dismissed", (double)k.reply_dismissed);
    if (k.note_stopped > 0 || k.reply_stopped > 0) {
        char fix[SEND_FIX_MAX];
        send_stopped_fix(fix, sizeof(fix), k.stopped_error,
                         k.note_stopped + k.reply_stopped == 1 ? k.stopped_request_id : NULL);
        cJSON_AddStringToObject(o, "stopped_error", k.stopped_error);
        cJSON_AddStringToObject(o, "stopped_fix", fix);
    }
    send_ctx_close(&c);
    return 0;
}

/* ---- send_sms ---- */

/*
 * The note member of a result or event from its journal row. written_later: the reply of
 * a send_sms with reply_before_note, whose note is written after it (an event follows).
 */
static void send_note_json(const struct outbox_entry *en, cJSON *n, int written_later)
{
    char *end = NULL;
    long long nid;

    switch (en->note_state) {
    case OUTBOX_NOTE_WRITTEN:
        cJSON_AddStringToObject(n, "state", "written");
        nid = strtoll(en->note_id, &end, 10);
        if (!en->note_id[0])
            cJSON_AddNullToObject(n, "id"); /* found in the feed after an ambiguous attempt */
        else if (end && *end == '\0')
            cJSON_AddNumberToObject(n, "id", (double)nid);
        else
            cJSON_AddStringToObject(n, "id", en->note_id);
        break;
    case OUTBOX_NOTE_DISABLED:
        cJSON_AddStringToObject(n, "state", "disabled");
        cJSON_AddNullToObject(n, "id");
        break;
    case OUTBOX_NOTE_STOPPED: {
        char fix[SEND_FIX_MAX];
        send_stopped_fix(fix, sizeof(fix), en->last_error, en->request_id);
        cJSON_AddStringToObject(n, "state", "stopped"); /* the journal's, outbox list's word */
        cJSON_AddNullToObject(n, "id");
        cJSON_AddStringToObject(n, "reason", en->last_error);
        cJSON_AddFalseToObject(n, "retrying");
        cJSON_AddBoolToObject(n, "never", send_note_never(en->last_error));
        cJSON_AddStringToObject(n, "fix", fix);
        break;
    }
    case OUTBOX_NOTE_DISMISSED:
        cJSON_AddStringToObject(n, "state", "dismissed");
        cJSON_AddNullToObject(n, "id");
        cJSON_AddStringToObject(n, "reason", en->last_error);
        break;
    default:
        cJSON_AddStringToObject(n, "state", "pending");
        cJSON_AddNullToObject(n, "id");
        if (written_later) {
            cJSON_AddStringToObject(n, "reason",
                                    "the note is written after this reply; a note event follows");
            cJSON_AddTrueToObject(n, "retrying");
            cJSON_AddTrueToObject(n, "event");
            break;
        }
        cJSON_AddStringToObject(
            n, "reason", en->last_error[0] ? en->last_error : "the note was not attempted yet");
        cJSON_AddTrueToObject(n, "retrying");
        if (en->next_attempt_ms > 0) {
            /* when it will be retried (for a rate limit: when the service said) */
            char when[ISO8601_UTC_MAX];
            if (iso8601_format_utc(when, sizeof(when), en->next_attempt_ms / 1000) == 0)
                cJSON_AddStringToObject(n, "retry_at", when);
        }
        break;
    }
}

/* The result document from the journal row: {"message", "note", "replayed"}. */
static int send_result(struct send_ctx *c, const char *request_id, int replayed, int written_later,
                       cJSON *result, struct err *e)
{
    struct outbox_entry en;
    cJSON *m, *n;

    if (outbox_get(c->ob, request_id, &en, e) != 1) {
        if (e->code == ERR_OK)
            err_set(e, ERR_INTERNAL, "the outbox entry for %s disappeared", request_id);
        return -1;
    }
    m = cJSON_AddObjectToObject(result, "message");
    n = cJSON_AddObjectToObject(result, "note");
    if (!m || !n) {
        outbox_entry_free(&en);
        err_set(e, ERR_INTERNAL, "out of memory");
        return -1;
    }
    cJSON_AddStringToObject(m, "id", en.message_id);
    cJSON_AddStringToObject(m, "delivery_state",
                            en.delivery_state[0] ? en.delivery_state : "queued");
    send_note_json(&en, n, written_later);
    if (en.schedule) {
        char iso[QUIET_ISO_MAX], local[400];
        if (iso8601_format_utc(iso, sizeof(iso), en.send_at_ms / 1000) == 0)
            cJSON_AddStringToObject(result, "scheduled_at", iso);
        send_local_when(local, sizeof(local), en.to, en.send_at_ms / 1000);
        cJSON_AddStringToObject(result, "scheduled_local", local);
    }
    cJSON_AddBoolToObject(result, "replayed", replayed);
    outbox_entry_free(&en);
    return 0;
}

static void send_store_reply(struct send_ctx *c, const char *request_id, const cJSON *result)
{
    char *json = cJSON_PrintUnformatted(result);
    struct err e;

    err_clear(&e);
    if (json && outbox_set_reply(c->ob, request_id, json, &e) < 0)
        log_msg("storing the reply of %s failed: %s", request_id, e.message);
    free(json);
}

/* The same request id again: never a new POST. cli: the words of `textus-host send`. */
static int send_replay(struct send_ctx *c, const char *request_id, int cli, cJSON *result,
                       struct err *e)
{
    struct outbox_entry en;
    int r, busy;
    enum outbox_send st;
    char why[256];

    if (outbox_get(c->ob, request_id, &en, e) != 1)
        return -1;
    st = en.send_state;
    busy = outbox_entry_busy(&en);
    snprintf(why, sizeof(why), "%s", en.last_error);
    outbox_entry_free(&en);
    if (st == OUTBOX_SEND_INTENT || st == OUTBOX_SEND_UNKNOWN) {
        if (busy) {
            err_set(e, ERR_OUTCOME_UNKNOWN,
                    "this request is still being sent by another host process; ask again "
                    "in a moment");
            return -1;
        }
        r = send_reconcile(c, request_id, e);
        if (r < 0)
            return -1;
        if (r == 2) {
            err_set(e, ERR_OUTCOME_UNKNOWN,
                    "TextUs did not confirm whether the message was sent, and the conversation "
                    "does not tell yet; check the conversation in TextUs before sending again");
            return -1;
        }
        st = r == 1 ? OUTBOX_SEND_SENT : OUTBOX_SEND_NOT_SENT;
    }
    if (st == OUTBOX_SEND_NOT_SENT) {
        err_set(e, ERR_NOT_SENT, "the message of this request was not sent (%s); to send it, %s",
                why[0] ? why : "TextUs has no such message",
                cli ? "run textus-host send again without --request-id (a new one is made up)"
                    : "click send again (a new request id)");
        return -1;
    }
    if (send_note_attempt(c, request_id, 1, 0, NULL, e) != 0)
        return -1;
    return send_result(c, request_id, 1, 0, result, e);
}

/*
 * `textus-host send --candidate ID`: the candidate must exist in Greenhouse before the text
 * goes, since its note goes to them (a typo would text the number, then fail the note or log
 * it on someone else). Their name is the person's check (name, namesz). 0, or -1 with *e.
 */
static int send_check_candidate(struct send_ctx *c, const char *candidate_id, char *name,
                                size_t namesz, struct err *e)
{
    struct err ge;

    err_clear(&ge);
    if (send_gh(c, &ge) == 0 && send_gh_candidate_name(c->gh, candidate_id, name, namesz, &ge) == 0)
        return 0;
    if (ge.code == ERR_GREENHOUSE_NOT_FOUND)
        err_set(e, ERR_GREENHOUSE_NOT_FOUND,
                "Greenhouse has no candidate %s visible to these credentials, so the note "
                "could not go to them; nothing was sent: check --candidate (the number after "
                "/people/ in the candidate's Greenhouse address)",
                candidate_id);
    else {
        err_set(e, ge.code,
                "candidate %s could not be looked up in Greenhouse, so nothing was "
                "sent: %s",
                candidate_id, ge.message);
        e->retryable = ge.retryable;
        e->retry_after_ms = ge.retry_after_ms;
    }
    return -1;
}

/* 1 when the request comes from `textus-host send` (its messages name the options). */
static int send_cli(const struct send_request *r)
{
    return r->env && r->env->from_cli;
}

static int send_validate(const struct send_request *r, struct err *e)
{
    const char *p;

    if (!(r->bulk_item ? send_bulk_item_id_ok(r->request_id) : send_request_id_ok(r->request_id))) {
        err_set(e, ERR_BAD_REQUEST, "\"request_id\" must be 1-64 characters of A-Z a-z 0-9 _ -");
        return -1;
    }
    if (!phone_gh_id_valid(r->candidate_id)) {
        err_set(e, ERR_BAD_REQUEST, SEND_CANDIDATE_ID_RULE);
        return -1;
    }
    if (!phone_e164_nanp_valid(r->to)) {
        err_set(e, ERR_BAD_REQUEST, SEND_TO_RULE);
        return -1;
    }
    for (p = r->body; p && *p && isspace((unsigned char)*p); p++)
        ;
    if (!p || !*p) {
        err_set(e, ERR_BAD_REQUEST, "\"body\" is empty");
        return -1;
    }
    if (r->visibility && strcmp(r->visibility, "private") != 0 &&
        strcmp(r->visibility, "public") != 0 && strcmp(r->visibility, "admin_only") != 0) {
        err_set(e, ERR_BAD_REQUEST, "\"note.visibility\" must be private, public or admin_only");
        return -1;
    }
    if (r->schedule && r->send_at <= 0) {
        err_set(e, ERR_BAD_REQUEST, SEND_AT_RULE);
        return -1;
    }
    return 0;
}

int64_t send_parse_send_at(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    int64_t ms;

    /* YYYY-MM-DDTHH:MM:SS, an optional fraction, Z: UTC only, never a local time */
    if (n < 20 || s[10] != 'T' || s[n - 1] != 'Z' || (n > 20 && s[19] != '.'))
        return -1;
    if (iso8601_parse_ms(&ms, s, n) != 0 || ms < 0)
        return -1;
    return ms / 1000;
}

void send_quiet_zones_json(cJSON *obj, const char *name, const struct quiet_result *q)
{
    cJSON *arr = cJSON_AddArrayToObject(obj, name);
    size_t i;

    for (i = 0; arr && i < q->n_zones; i++) {
        cJSON *z = cJSON_CreateObject();
        if (!z)
            break;
        cJSON_AddStringToObject(z, "zone", q->zones[i].zone);
        cJSON_AddStringToObject(z, "local_time", q->zones[i].local_time);
        cJSON_AddBoolToObject(z, "allowed", q->zones[i].allowed);
        cJSON_AddItemToArray(arr, z);
    }
}

/*
 * The quiet-hours guard (quiet.h): may a text to `to` go out at `at` (epoch seconds) under
 * the settings' window, in every one of the number's time zones? 0 yes — *overridden set when
 * only because override was asked for (outside the window, or no zone known) — or -1 with
 * quiet_hours and its fields (PROTOCOL.md) left in result for the error. cli: the message
 * says what to do in the words of `textus-host send` (its options), not the verb's members.
 */
static int send_quiet_guard(const struct send_ctx *c, const char *to, int64_t at, int scheduled,
                            int override, int cli, cJSON *result, int *overridden, struct err *e)
{
    char next[160];

    struct quiet_window w;
    struct quiet_result q;
    cJSON *f;
    char list[400], window[QUIET_WINDOW_MAX];
    const struct quiet_zone_time *shown = NULL;
    size_t i, o;

    *overridden = 0;
    if (quiet_window_parse(&w, store_quiet_hours(c->store), e) != 0)
        return -1;
    if (w.off)
        return 0;
    if (quiet_check(&q, &w, to, at, e) != 0) {
        /* the candidate's time cannot be known (a clock outside the zone table's years,
         * quiet_zones.inc): refused, as a guess would be, unless the recruiter said to send
         * anyway — the note then says the number's time was not known (send_local_when) */
        if (!override)
            return -1;
        log_msg("quiet hours: not checkable (%s); sent on the recruiter's word", e->message);
        err_clear(e);
        *overridden = 1;
        return 0;
    }
    if (q.verdict == QUIET_ALLOWED || q.verdict == QUIET_OFF)
        return 0;
    if (override) {
        *overridden = 1;
        log_msg("quiet hours: outside the window (or no zone known) for the candidate; sent on "
                "the recruiter's word");
        return 0;
    }
    quiet_window_format(window, sizeof(window), &w);
    f = cJSON_AddObjectToObject(result, HANDLER_ERROR_FIELDS);
    if (!f) {
        err_set(e, ERR_INTERNAL, "out of memory");
        return -1;
    }
    cJSON_AddStringToObject(f, "quiet_hours", window);
    if (q.verdict == QUIET_UNKNOWN_ZONE) {
        cJSON_AddNullToObject(f, "local_time");
        cJSON_AddNullToObject(f, "time_zone");
        cJSON_AddNullToObject(f, "next_allowed");
        err_set(e, ERR_QUIET_HOURS,
                "no time zone is known for %s, so the hours texts are allowed (%s their time; "
                "settings.quiet_hours) cannot be checked; nothing was %s. If it is a good time "
                "for the candidate, %s",
                to, window, scheduled ? "scheduled" : "sent",
                cli ? (scheduled ? "send it now: rerun without --schedule-at, with "
                                   "--override-quiet-hours (or schedule it in TextUs)"
                                 : "rerun with --override-quiet-hours")
                    : (scheduled ? "send it now with override_quiet_hours, or schedule it in TextUs"
                                 : "send it anyway (override_quiet_hours)"));
        return -1;
    }
    list[0] = '\0';
    for (i = 0; i < q.n_zones; i++) {
        if (!shown && !q.zones[i].allowed)
            shown = &q.zones[i];
        o = strlen(list);
        snprintf(list + o, sizeof(list) - o, "%s%s in %s", o ? ", " : "", q.zones[i].local_time,
                 q.zones[i].zone);
    }
    if (!shown)
        shown = &q.zones[0];
    cJSON_AddStringToObject(f, "local_time", shown->local_time);
    cJSON_AddStringToObject(f, "time_zone", shown->zone);
    if (q.n_zones > 1)
        send_quiet_zones_json(f, "time_zones", &q);
    if (q.has_next) {
        cJSON_AddStringToObject(f, "next_allowed", q.next_allowed_iso);
        cJSON_AddStringToObject(f, "next_local_time", shown->next_local_time);
    } else {
        cJSON_AddNullToObject(f, "next_allowed");
    }
    if (q.has_next) {
        if (cli)
            snprintf(next, sizeof(next),
                     scheduled ? ": rerun with --schedule-at %s or later"
                               : ": rerun with --schedule-at %s, or --override-quiet-hours",
                     q.next_allowed_iso);
        else
            snprintf(next, sizeof(next), "%s",
                     scheduled
                         ? ": schedule it for then or later"
                         : ": schedule it for then, or send it anyway (override_quiet_hours)");
        err_set(e, ERR_QUIET_HOURS,
                "for the candidate %s %s, outside the hours texts are allowed (%s their time; "
                "settings.quiet_hours); nothing was %s. Texts are allowed again at %s their "
                "time (%s)%s",
                scheduled ? "the scheduled time is" : "it is", list, window,
                scheduled ? "scheduled" : "sent", shown->next_local_time, q.next_allowed_iso, next);
    } else
        err_set(e, ERR_QUIET_HOURS,
                "for the candidate %s %s, outside the hours texts are allowed (%s their time; "
                "settings.quiet_hours) in at least one of the number's time zones, and no time "
                "within %d days suits them all; nothing was %s",
                scheduled ? "the scheduled time is" : "it is", list, window, QUIET_HORIZON_DAYS,
                scheduled ? "scheduled" : "sent");
    return -1;
}

/* A scheduled time: at least SEND_SCHEDULE_MIN_S from now, at most SEND_SCHEDULE_MAX_DAYS. */
static int send_schedule_range(int64_t send_at, int64_t now, int cli, struct err *e)
{
    char iso[QUIET_ISO_MAX], now_iso[QUIET_ISO_MAX];
    const char *what = cli ? "--schedule-at" : "\"send_at\"";

    if (iso8601_format_utc(iso, sizeof(iso), send_at) != 0 ||
        iso8601_format_utc(now_iso, sizeof(now_iso), now) != 0) {
        err_set(e, ERR_SCHEDULE_OUT_OF_RANGE, "%s is out of range", what);
        return -1;
    }
    if (send_at < now + SEND_SCHEDULE_MIN_S) {
        err_set(e, ERR_SCHEDULE_OUT_OF_RANGE,
                "%s %s is %s (it is %s now); schedule at least %d seconds ahead; "
                "nothing was scheduled",
                what, iso, send_at <= now ? "in the past" : "too soon", now_iso,
                SEND_SCHEDULE_MIN_S);
        return -1;
    }
    if (send_at > now + (int64_t)SEND_SCHEDULE_MAX_DAYS * 86400) {
        err_set(e, ERR_SCHEDULE_OUT_OF_RANGE,
                "%s %s is more than %d days ahead (it is %s now); nothing was scheduled", what, iso,
                SEND_SCHEDULE_MAX_DAYS, now_iso);
        return -1;
    }
    return 0;
}

/* What the checks found, as the refusal send_sms answers: 0 may send, -1 with *e. */
static int send_check_refusal(int opted_out, int unsubscribed, int blocked, struct err *e)
{
    if (opted_out) {
        err_set(e, ERR_OPTED_OUT,
                "this number has opted out of texts (locked in TextUs); "
                "nothing was sent");
        return -1;
    }
    if (blocked) {
        err_set(e, ERR_BLOCKED, "this number is blocked in TextUs; nothing was sent");
        return -1;
    }
    if (unsubscribed) {
        err_set(e, ERR_OPTED_OUT, "this number has unsubscribed in TextUs; nothing was sent");
        return -1;
    }
    return 0;
}

/*
 * The sender of a message this host sent is the TextUs user of the configured token
 * (https://apidocs.next.textus.com/types/Message/: sender, outgoing messages): cached for
 * saved_replies (GET /users/:user/saved_replies). Never fatal.
 */
static void send_remember_user(struct send_ctx *c, const char *sender)
{
    const char *known = store_textus_user(c->store);
    struct err e;

    if (!sender || strncmp(sender, "/users/", 7) != 0 || (known && strcmp(known, sender) == 0))
        return;
    err_clear(&e);
    if (store_cache_set_textus_user(sender, c->tx.token, &e) < 0)
        log_msg("caching the TextUs user failed: %s", e.message);
}

/*
 * The account's own number for a scheduled send's `from` (the schedule page's example sends
 * one): the configured account, reached as `configure` checks it (GET /accounts and the
 * account tree, https://apidocs.next.textus.com/docs/accounts/index), when it has exactly
 * one number; "" otherwise (left out, never guessed among several).
 */
static int send_account_number(struct send_ctx *c, char *out, size_t outsz, struct err *e)
{
    struct textus_account acct;

    out[0] = '\0';
    if (textus_verify_account(&c->tx, &acct, e) != 0)
        return -1;
    if (acct.n_phones == 1)
        snprintf(out, outsz, "%s", acct.phone);
    else
        log_msg("schedule: account %s has %d numbers: `from` left out", acct.slug, acct.n_phones);
    return 0;
}

/*
 * Opt-out and conversation state before a send: a prepare_send result of this port
 * younger than SEND_PREP_REUSE_MS, else both checks at once (textus_check_number).
 * 0 may send, -1 with opted_out / blocked / a client error.
 */
static int send_precheck(struct send_ctx *c, const char *to, struct err *e)
{
    struct textus_number_check k;
    int i = send_prep_find(to);

    if (i >= 0) {
        log_msg("send: the checks of prepare_send %lld ms ago are reused",
                (long long)(send_prep_now() - send_prep[i].at_ms));
        return send_check_refusal(send_prep[i].opted_out, 0, send_prep[i].blocked, e);
    }
    if (textus_check_number(&c->tx, to, &k, NULL, e) != 0)
        return -1;
    return send_check_refusal(k.opted_out, k.unsubscribed, k.blocked, e);
}

/* A note written after the reply (reply_before_note): what the after-reply work needs. */
struct send_later {
    char request_id[OUTBOX_REQUEST_ID_MAX + 1];
};

static void send_later_release(void *ud)
{
    free(ud);
}

/*
 * After the reply of a send_sms with reply_before_note: post the note whose first attempt
 * mark_sent claimed, journal it, and tell the port with a "note" event. A host killed
 * before this ends leaves the note pending in the outbox, with its attempt on record (the
 * next host's start-up flush looks for it before posting again).
 */
static void send_note_after_reply(const struct handler_env *env, void *ud)
{
    const struct send_later *l = ud;
    struct outbox_entry en;
    struct send_ctx *c = NULL;
    struct err e;
    cJSON *ev, *n;

    err_clear(&e);
    ev = cJSON_CreateObject();
    n = ev ? cJSON_CreateObject() : NULL;
    if (!ev || !n) {
        cJSON_Delete(ev);
        return;
    }
    cJSON_AddStringToObject(ev, "request_id", l->request_id);
    cJSON_AddItemToObject(ev, "note", n);
    if (send_port(&c, 1, &e) != 0 || send_note_post(c, l->request_id, 0, NULL, &e) != 0 ||
        outbox_get(c->ob, l->request_id, &en, &e) != 1) {
        log_msg("note after the reply of %s: %s", l->request_id, e.message);
        cJSON_AddStringToObject(n, "state", "pending");
        cJSON_AddNullToObject(n, "id");
        cJSON_AddStringToObject(n, "reason", e.code != ERR_OK ? e.message : "not written");
        cJSON_AddTrueToObject(n, "retrying");
    } else if (en.note_state == OUTBOX_NOTE_PENDING && outbox_entry_busy(&en)) {
        /* this process's claim was taken over (its lease ran out while it was stalled):
         * the note is the new holder's to write, and the journal will say so */
        cJSON_AddStringToObject(n, "state", "pending");
        cJSON_AddNullToObject(n, "id");
        cJSON_AddStringToObject(n, "reason", "another host process is writing this note");
        cJSON_AddTrueToObject(n, "retrying");
        outbox_entry_free(&en);
    } else {
        send_note_json(&en, n, 0);
        outbox_entry_free(&en);
    }
    if (env->emit_event(env, "note", ev) != 0)
        log_msg("note after the reply of %s: the port is closed; the journal has it",
                l->request_id);
    if (c && c->gh)
        send_gh_save_cache(c->gh); /* what the client learnt, after the event: not before it */
}

static int send_new(struct send_ctx *c, const struct send_request *r, const struct outbox_req *req,
                    cJSON *result, struct err *e)
{
    struct textus_message msg;
    struct outbox_entry en;
    struct err te;
    char *note = NULL, from[24];
    int ins, rc, later;

    /* Greenhouse's connection and token get ready while TextUs answers */
    if (req->note_enabled)
        send_warm(c, 0);
    if (send_precheck(c, req->to, e) != 0)
        return -1;
    from[0] = '\0';
    if (req->schedule && send_account_number(c, from, sizeof(from), e) != 0)
        return -1;
    ins = outbox_journal_intent(c->ob, req, e);
    if (ins < 0)
        return -1;
    if (ins == 0) /* another process journaled the same request first */
        return send_replay(c, req->request_id, send_cli(r), result, e);
    if (outbox_get(c->ob, req->request_id, &en, e) != 1)
        return -1;
    memset(&msg, 0, sizeof(msg));
    err_clear(&te);
    FAILPOINT("before_send");
    if (req->schedule) {
        char at[QUIET_ISO_MAX];
        if (iso8601_format_utc(at, sizeof(at), req->send_at_ms / 1000) != 0) {
            err_set(&te, ERR_BAD_REQUEST, SEND_AT_RULE);
            rc = -1;
        } else {
            rc = textus_schedule_message(&c->tx, req->to, req->body, from[0] ? from : NULL, at,
                                         &msg, &te);
        }
    } else {
        rc = textus_send_message(&c->tx, req->to, req->body, &msg, &te);
    }
    FAILPOINT("after_send");
    if (rc != 0) {
        outbox_entry_free(&en);
        if (te.code == ERR_OUTCOME_UNKNOWN) {
            if (outbox_mark_unknown(c->ob, req->request_id, te.message, e) < 0)
                return -1;
            err_set(e, ERR_OUTCOME_UNKNOWN,
                    "the message may or may not have been sent (%s); it will be checked with "
                    "TextUs before anything else happens — do not send it again yet",
                    te.message);
            return -1;
        }
        /* TextUs answered with an error, or the request never left: nothing was sent */
        if (outbox_forget(c->ob, req->request_id, e) < 0)
            return -1;
        *e = te;
        return -1;
    }
    note = send_note_text(c, &en, msg.id);
    outbox_entry_free(&en);
    if (!note) {
        err_set(e, ERR_INTERNAL, "out of memory");
        return -1;
    }
    /* the message id and the note's first claim, in one durable commit */
    rc = req->note_enabled ? outbox_mark_sent_claim(c->ob, req->request_id, msg.id,
                                                    msg.conversation, msg.delivery_state, note, e)
                           : outbox_mark_sent(c->ob, req->request_id, msg.id, msg.conversation,
                                              msg.delivery_state, note, e);
    sodium_memzero(note, strlen(note));
    free(note);
    if (rc < 0)
        return -1;
    send_remember_user(c, msg.sender);
    FAILPOINT("after_journal");
    later = 0;
    if (req->note_enabled && r->reply_before_note && r->env && r->env->after_reply) {
        struct send_later *l = calloc(1, sizeof(*l));
        if (l) {
            snprintf(l->request_id, sizeof(l->request_id), "%s", req->request_id);
            later = r->env->after_reply(r->env, send_note_after_reply, l, send_later_release) == 0;
            if (!later)
                free(l);
        }
    }
    if (req->note_enabled && !later && send_note_post(c, req->request_id, 0, NULL, e) != 0)
        return -1;
    if (send_result(c, req->request_id, 0, later, result, e) != 0)
        return -1;
    send_store_reply(c, req->request_id, result);
    if (!later && c->gh)
        send_gh_save_cache(c->gh);
    return 0;
}

/* Finished rows older than 30 days go, once per process (a send need not pay for it). */
static void send_prune_once(struct send_ctx *c)
{
    static int done;
    struct err e;

    if (done)
        return;
    done = 1;
    err_clear(&e);
    if (outbox_prune(c->ob, outbox_now_ms(), &e) < 0)
        log_msg("pruning the outbox failed: %s", e.message);
}

int send_sms(const struct send_request *r, cJSON *result, struct err *e)
{
    struct send_ctx *c;
    struct send_segments seg;
    struct outbox_req req;
    struct outbox_entry en;
    long cap;
    int64_t now;
    int found, over = 0, rc, checked;
    char cand_name[520];

    if (send_validate(r, e) != 0)
        return -1;
    if (send_port(&c, 1, e) != 0)
        return -1;
    send_count_segments(r->body, &seg);
    if (seg.segments > c->segment_limit) {
        cap = send_segment_capacity(c->segment_limit, seg.ucs2);
        err_set(e, ERR_BODY_TOO_LONG,
                "the message is %ld %s long, %d SMS segments; the limit is %d segments (%ld %s)",
                seg.units, seg.ucs2 ? "UCS-2 characters" : "GSM-7 characters", seg.segments,
                c->segment_limit, cap, seg.ucs2 ? "characters when any needs UCS-2" : "characters");
        return -1;
    }
    req.request_id = r->request_id;
    req.candidate_id = r->candidate_id;
    req.to = r->to;
    req.body = r->body;
    req.visibility = r->visibility ? r->visibility : store_note_visibility(c->store);
    req.note_enabled = c->note_enabled;
    req.schedule = r->schedule;
    req.send_at_ms = r->schedule ? r->send_at * 1000 : 0;
    req.to_unlisted = r->to_unlisted;
    found = outbox_lookup(c->ob, &req, &en, e);
    if (found < 0)
        return -1;
    if (found) {
        outbox_entry_free(&en);
        rc = send_replay(c, r->request_id, send_cli(r), result, e);
    } else {
        /* a new request: the clock decides (time(), so that a test can set it with faketime) */
        now = (int64_t)time(NULL);
        if (r->schedule && send_schedule_range(r->send_at, now, send_cli(r), e) != 0)
            return -1;
        if (send_quiet_guard(c, r->to, r->schedule ? r->send_at : now, r->schedule,
                             r->schedule ? 0 : r->override_quiet_hours, send_cli(r), result, &over,
                             e) != 0)
            return -1;
        req.quiet_override = over;
        checked = r->check_candidate && c->note_enabled;
        if (checked &&
            send_check_candidate(c, r->candidate_id, cand_name, sizeof(cand_name), e) != 0)
            return -1;
        rc = send_new(c, r, &req, result, e);
        if (rc == 0 && ((checked && cand_name[0]) || (r->name && r->name[0]))) {
            /* the name Greenhouse (or its page) gave, kept on the thread for the inbox */
            struct err ne;
            err_clear(&ne);
            if (outbox_thread_name(c->ob, r->candidate_id, r->to, checked ? cand_name : r->name, 1,
                                   &ne) < 0)
                log_msg("send: the candidate's name: %s", ne.message);
        }
        if (rc == 0 && checked) {
            cJSON *who = cJSON_AddObjectToObject(result, "candidate");
            if (who) {
                cJSON_AddStringToObject(who, "id", r->candidate_id);
                cJSON_AddStringToObject(who, "name", cand_name);
            }
        }
    }
    send_prune_once(c);
    return rc;
}

void send_lock_json(cJSON *result, const struct textus_opt_out *o)
{
    cJSON *l;

    if (!o) {
        cJSON_AddNullToObject(result, "lock");
        return;
    }
    l = cJSON_AddObjectToObject(result, "lock");
    if (l) {
        const char *const names[] = {"created_at", "created_via", "user",
                                     "user_name",  "account",     "account_name"};
        const char *const vals[] = {o->created_at, o->created_via, o->user,
                                    o->user_name,  o->account,     o->account_name};
        size_t i;
        for (i = 0; i < TH_ARRAY_SIZE(names); i++) {
            if (vals[i][0])
                cJSON_AddStringToObject(l, names[i], vals[i]);
            else
                cJSON_AddNullToObject(l, names[i]);
        }
    }
}

int send_prepare(const char *candidate_id, const char *to, cJSON *result, struct err *e)
{
    struct textus_number_check k;
    struct send_ctx *c;
    char when[ISO8601_UTC_MAX];

    if (!phone_gh_id_valid(candidate_id)) {
        err_set(e, ERR_BAD_REQUEST, SEND_CANDIDATE_ID_RULE);
        return -1;
    }
    if (!phone_e164_nanp_valid(to)) {
        err_set(e, ERR_BAD_REQUEST, SEND_TO_RULE);
        return -1;
    }
    /* the outbox too: the send that follows finds it open */
    if (send_port(&c, 1, e) != 0)
        return -1;
    /* Greenhouse gets ready while the two checks run (all three at once) */
    send_warm(c, 0);
    if (textus_check_number(&c->tx, to, &k, NULL, e) != 0)
        return -1;
    send_prep_put(to, k.opted_out || k.unsubscribed, k.blocked);
    if (iso8601_format_utc(when, sizeof(when), (int64_t)time(NULL)) != 0)
        when[0] = '\0';
    cJSON_AddStringToObject(result, "to", to);
    cJSON_AddBoolToObject(result, "opted_out", k.opted_out || k.unsubscribed);
    cJSON_AddBoolToObject(result, "blocked", k.blocked);
    send_lock_json(result, k.opted_out ? &k.lock : NULL);
    cJSON_AddStringToObject(result, "checked_at", when);
    return 0;
}
