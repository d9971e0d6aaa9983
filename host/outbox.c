/*
 * outbox — the durable send journal in SQLite (see outbox.h). The only module
 * that touches libsqlite3.
 * [engine]
 */
#include "outbox.h"
#include "common.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>
#include <sqlite3.h>

#include "now.h"
#include "os.h"
#include "utf8.h"

#define OB_BUSY_TIMEOUT_MS 10000
#define OB_SEAL_CTX        "txoutbox"
#define OB_SUBKEY_SEAL     1
#define OB_SUBKEY_HASH     2
#define OB_HASH_BYTES      32

struct outbox {
    sqlite3 *db;
    int sync_full; /* the synchronous level set on the connection: 1 FULL, 0 NORMAL */
    char path[PATH_MAX];
    char marker[PATH_MAX + 16];
    unsigned char *seal_key; /* sodium_malloc'd */
    unsigned char *hash_key;
    int64_t lease_ms; /* how long this handle's claims last (outbox_set_lease_ms) */
};

static int64_t (*ob_clock)(void);

int64_t outbox_now_ms(void)
{
    return ob_clock ? ob_clock() : now_wall_ms();
}

void outbox_set_clock(int64_t (*clock_fn)(void))
{
    ob_clock = clock_fn;
}

static const char *const ob_send_names[] = {"intent", "sent", "send_unknown", "not_sent"};
static const char *const ob_note_names[] = {"pending", "written", "disabled", "stopped",
                                            "dismissed"};

const char *outbox_send_name(enum outbox_send s)
{
    if ((int)s < 0 || (size_t)s >= TH_ARRAY_SIZE(ob_send_names))
        return "intent";
    return ob_send_names[s];
}

const char *outbox_note_name(enum outbox_note n)
{
    if ((int)n < 0 || (size_t)n >= TH_ARRAY_SIZE(ob_note_names))
        return "pending";
    return ob_note_names[n];
}

static enum outbox_send ob_send_parse(const char *s)
{
    size_t i;

    for (i = 0; s && i < TH_ARRAY_SIZE(ob_send_names); i++) {
        if (strcmp(s, ob_send_names[i]) == 0)
            return (enum outbox_send)i;
    }
    return OUTBOX_SEND_UNKNOWN; /* an unreadable state is treated as the cautious one */
}

static enum outbox_note ob_note_parse(const char *s)
{
    size_t i;

    for (i = 0; s && i < TH_ARRAY_SIZE(ob_note_names); i++) {
        if (strcmp(s, ob_note_names[i]) == 0)
            return (enum outbox_note)i;
    }
    return OUTBOX_NOTE_PENDING;
}

/* ---- errors ---- */

static void ob_sql_err(struct outbox *ob, struct err *e, const char *what)
{
    int rc = sqlite3_extended_errcode(ob->db);

    if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED || (rc & 0xff) == SQLITE_BUSY)
        err_set(e, ERR_STORE_IO, "the outbox database is busy (%s); try again", what);
    else
        err_set(e, ERR_STORE_IO, "outbox database error while %s: %s", what,
                sqlite3_errmsg(ob->db));
}

/* ---- migrations: index i brings the schema from version i to i+1 ---- */

static const char *const ob_migrations[OUTBOX_SCHEMA_VERSION] = {
    /* 0 -> 1: the journal */
    "CREATE TABLE journal ("
    " request_id TEXT PRIMARY KEY NOT NULL,"
    " content_hash BLOB NOT NULL,"
    " candidate_id TEXT NOT NULL,"
    " visibility TEXT NOT NULL,"
    " send_state TEXT NOT NULL,"
    " note_state TEXT NOT NULL,"
    " message_id TEXT, conversation TEXT, delivery_state TEXT,"
    " note_id TEXT,"
    " note_attempts INTEGER NOT NULL DEFAULT 0,"
    " next_attempt_ms INTEGER NOT NULL DEFAULT 0,"
    " last_error TEXT,"
    " send_error_code TEXT,"
    " created_ms INTEGER NOT NULL,"
    " updated_ms INTEGER NOT NULL,"
    " sealed_to BLOB NOT NULL,"
    " sealed_body BLOB NOT NULL,"
    " sealed_note BLOB,"
    " reply TEXT);",
    /* 1 -> 2: ownership leases for multi-process work, and indexes for flush and status */
    "ALTER TABLE journal ADD COLUMN owner_pid INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE journal ADD COLUMN lease_until_ms INTEGER NOT NULL DEFAULT 0;"
    "CREATE INDEX journal_work ON journal(send_state, note_state);"
    "CREATE INDEX journal_message ON journal(message_id);",
    /* 2 -> 3: replies (rows of kind 'reply') and the threads they belong to — the threads of
     * the texts already sent are filled in by ob_backfill_threads —, scheduled sends (kind
     * 'schedule' and the time asked for) and texts sent outside the quiet-hours window on the
     * recruiter's word (the note says so) */
    "ALTER TABLE journal ADD COLUMN kind TEXT NOT NULL DEFAULT 'send';"
    "ALTER TABLE journal ADD COLUMN send_at_ms INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE journal ADD COLUMN quiet_override INTEGER NOT NULL DEFAULT 0;"
    "CREATE INDEX journal_candidate ON journal(candidate_id, kind);"
    "CREATE TABLE threads ("
    " thread_key TEXT PRIMARY KEY NOT NULL,"
    " candidate_id TEXT NOT NULL,"
    " sealed_to BLOB NOT NULL,"
    " first_sent_ms INTEGER NOT NULL,"
    " first_message_id TEXT,"
    " last_sent_ms INTEGER NOT NULL,"
    " seen_message_id TEXT,"
    " checked_ms INTEGER NOT NULL DEFAULT 0);"
    "CREATE INDEX threads_recent ON threads(last_sent_ms);",
    /* 3 -> 4: the candidate's name on a thread (sealed like its number), so that the inbox
     * names who is waiting without a request: the name Greenhouse gave when the host texted
     * them, else the TextUs contact's that a reply's note looked up */
    "ALTER TABLE threads ADD COLUMN sealed_name BLOB;",
    /* 4 -> 5: the candidate's messages in a row at the newest end as of seen_message_id, so
     * that an inbox that reads only what is new still counts them all (0/-1/0: not known) */
    "ALTER TABLE threads ADD COLUMN head_in INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE threads ADD COLUMN head_since_ms INTEGER NOT NULL DEFAULT -1;"
    "ALTER TABLE threads ADD COLUMN head_closed INTEGER NOT NULL DEFAULT 0;",
};

static int ob_backfill_threads(struct outbox *ob, struct err *e);

static int ob_exec(struct outbox *ob, const char *sql, const char *what, struct err *e)
{
    char *msg = NULL;

    if (sqlite3_exec(ob->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        ob_sql_err(ob, e, what);
        sqlite3_free(msg);
        return -1;
    }
    return 0;
}

/*
 * PRAGMA journal_mode=WAL, waiting for other processes: the change takes the database's
 * exclusive lock, and SQLite answers SQLITE_BUSY at once — without the busy handler — when
 * another process opens the same new outbox at that moment (several host processes
 * starting together on a fresh state folder). Retried for up to OB_BUSY_TIMEOUT_MS; the
 * mode it answers must then be "wal".
 */
static int ob_enable_wal(struct outbox *ob, struct err *e)
{
    long waited = 0, step = 2;

    for (;;) {
        sqlite3_stmt *st = NULL;
        int rc = sqlite3_prepare_v2(ob->db, "PRAGMA journal_mode=WAL", -1, &st, NULL);
        if (rc == SQLITE_OK)
            rc = sqlite3_step(st);
        if (rc == SQLITE_ROW) {
            const unsigned char *mode = sqlite3_column_text(st, 0);
            int wal = mode && strcmp((const char *)mode, "wal") == 0;
            sqlite3_finalize(st);
            if (wal)
                return 0;
            err_set(e, ERR_STORE_IO, "the outbox could not be switched to WAL (mode %s)",
                    mode ? (const char *)mode : "unknown");
            return -1;
        }
        sqlite3_finalize(st);
        if ((rc & 0xff) != SQLITE_BUSY && (rc & 0xff) != SQLITE_LOCKED) {
            ob_sql_err(ob, e, "enabling WAL");
            return -1;
        }
        if (waited >= OB_BUSY_TIMEOUT_MS) {
            ob_sql_err(ob, e, "enabling WAL");
            return -1;
        }
        sqlite3_sleep((int)step);
        waited += step;
        if (step < 50)
            step *= 2;
    }
}

static int ob_user_version(struct outbox *ob, int *v, struct err *e)
{
    sqlite3_stmt *st = NULL;
    int rc;

    if (sqlite3_prepare_v2(ob->db, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK)
        goto err;
    rc = sqlite3_step(st);
    if (rc != SQLITE_ROW)
        goto err;
    *v = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return 0;
err:
    ob_sql_err(ob, e, "reading the schema version");
    sqlite3_finalize(st);
    return -1;
}

static int ob_migrate(struct outbox *ob, struct err *e)
{
    int v, i;
    char sql[64];

    /* the common case needs no write lock: the schema is current */
    if (ob_user_version(ob, &v, e) != 0)
        return -1;
    if (v == OUTBOX_SCHEMA_VERSION)
        return 0;
    if (ob_exec(ob, "BEGIN IMMEDIATE", "starting the migration", e) != 0)
        return -1;
    if (ob_user_version(ob, &v, e) != 0)
        goto err;
    if (v > OUTBOX_SCHEMA_VERSION) {
        err_set(e, ERR_STORE_IO,
                "the outbox %s has schema version %d, newer than this host understands (%d); "
                "update textus-host",
                ob->path, v, OUTBOX_SCHEMA_VERSION);
        goto err;
    }
    for (i = v; i < OUTBOX_SCHEMA_VERSION; i++) {
        if (ob_exec(ob, ob_migrations[i], "migrating the schema", e) != 0)
            goto err;
        if (i == 2 && ob_backfill_threads(ob, e) != 0)
            goto err;
    }
    if (v != OUTBOX_SCHEMA_VERSION) {
        snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", OUTBOX_SCHEMA_VERSION);
        if (ob_exec(ob, sql, "recording the schema version", e) != 0)
            goto err;
    }
    if (ob_exec(ob, "COMMIT", "committing the migration", e) != 0)
        goto err;
    return 0;
err:
    sqlite3_exec(ob->db, "ROLLBACK", NULL, NULL, NULL);
    return -1;
}

/* ---- files ---- */

int outbox_marker_path(char *out, size_t outsz, const char *db_path)
{
    const char *slash = os_path_last_sep(db_path);
    int n;

    if (slash)
        n = snprintf(out, outsz, "%.*s%c%s", (int)(slash - db_path), db_path, *slash,
                     OUTBOX_MARKER_NAME);
    else
        n = snprintf(out, outsz, "%s", OUTBOX_MARKER_NAME);
    return (n < 0 || (size_t)n >= outsz) ? -1 : 0;
}

/* Create the parent directory (0700) when missing. */
static int ob_mkparent(const char *path, struct err *e)
{
    char dir[PATH_MAX];
    char *slash;

    if (snprintf(dir, sizeof(dir), "%s", path) >= (int)sizeof(dir)) {
        err_set(e, ERR_STORE_IO, "the outbox path is too long");
        return -1;
    }
    slash = (char *)os_path_last_sep(dir);
    if (!slash || slash == dir)
        return 0;
    *slash = '\0';
    if (os_mkdir_private(dir) != 0 && errno != EEXIST) {
        err_set(e, ERR_STORE_IO, "cannot create %s: %s", dir, strerror(errno));
        return -1;
    }
    return 0;
}

/* Create the database file 0600 before SQLite does (SQLite copies its mode to -wal and -shm). */
static int ob_create_file(const char *path, struct err *e)
{
    struct os_stat sb;
    int fd;

    /* the usual case, one lstat: our regular file, 0600 (SQLite opens it next) */
    if (os_stat(&sb, path, 0) == 0 && sb.kind == OS_KIND_FILE && sb.is_owner && sb.is_private)
        return 0;
    fd = os_open_file(path, OS_OPEN_READ | OS_OPEN_WRITE | OS_OPEN_CREATE);

    if (fd < 0) {
        if (errno == ELOOP || errno == EMLINK) /* O_NOFOLLOW met a symlink (Linux, macOS / BSD) */
            err_set(e, ERR_STORE_PERMISSIONS,
                    "the outbox %s is a symbolic link; move it away (the host creates the file "
                    "itself)",
                    path);
        else
            err_set(e, ERR_STORE_IO, "cannot open the outbox %s: %s", path, strerror(errno));
        return -1;
    }
    if (os_fstat(&sb, fd) != 0 || sb.kind != OS_KIND_FILE) {
        os_close(fd);
        err_set(e, ERR_STORE_IO, "the outbox %s is not a regular file", path);
        return -1;
    }
    if (!sb.is_private && os_fchmod_private(fd) != 0) {
        char why[128], fix[1024];
        os_close(fd);
        /* the platform's words and command (chmod 600 is no fix on Windows: icacls is) */
        os_perm_text(why, sizeof(why), fix, sizeof(fix), OS_PERM_SHARED, &sb, path, 0);
        err_set(e, ERR_STORE_PERMISSIONS, "the outbox %s %s; fix it with: %s", path, why, fix);
        return -1;
    }
    os_close(fd);
    return 0;
}

int outbox_open(struct outbox **out, const char *path, const unsigned char key[OUTBOX_KEY_BYTES],
                struct err *e)
{
    struct outbox *ob = NULL;

    *out = NULL;
    if (sodium_init() < 0) {
        err_set(e, ERR_INTERNAL, "libsodium failed to initialise");
        return -1;
    }
    ob = calloc(1, sizeof(*ob));
    if (!ob) {
        err_set(e, ERR_INTERNAL, "out of memory");
        return -1;
    }
    ob->lease_ms = OUTBOX_LEASE_MS;
    if (snprintf(ob->path, sizeof(ob->path), "%s", path) >= (int)sizeof(ob->path) ||
        outbox_marker_path(ob->marker, sizeof(ob->marker), path) != 0) {
        err_set(e, ERR_STORE_IO, "the outbox path is too long");
        goto err;
    }
    ob->seal_key = sodium_malloc(crypto_aead_xchacha20poly1305_ietf_KEYBYTES);
    ob->hash_key = sodium_malloc(crypto_generichash_KEYBYTES);
    if (!ob->seal_key || !ob->hash_key) {
        err_set(e, ERR_INTERNAL, "out of secure memory");
        goto err;
    }
    if (crypto_kdf_derive_from_key(ob->seal_key, crypto_aead_xchacha20poly1305_ietf_KEYBYTES,
                                   OB_SUBKEY_SEAL, OB_SEAL_CTX, key) != 0 ||
        crypto_kdf_derive_from_key(ob->hash_key, crypto_generichash_KEYBYTES, OB_SUBKEY_HASH,
                                   OB_SEAL_CTX, key) != 0) {
        err_set(e, ERR_INTERNAL, "cannot derive the outbox keys");
        goto err;
    }
    if (ob_mkparent(path, e) != 0 || ob_create_file(path, e) != 0)
        goto err;
    if (sqlite3_open_v2(path, &ob->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) !=
        SQLITE_OK) {
        err_set(e, ERR_STORE_IO, "cannot open the outbox %s: %s", path,
                ob->db ? sqlite3_errmsg(ob->db) : "out of memory");
        goto err;
    }
    sqlite3_busy_timeout(ob->db, OB_BUSY_TIMEOUT_MS);
    /* no checkpoint when a host closes the outbox: the WAL stays, with everything in it
     * already durable, and the next host reuses it (a checkpoint, and creating the WAL
     * anew with its directory sync, cost three fsyncs per process); SQLite checkpoints
     * by itself when the WAL reaches 1000 pages */
    (void)sqlite3_db_config(ob->db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, (int *)NULL);
    ob->sync_full = 1;
    if (ob_enable_wal(ob, e) != 0 ||
        ob_exec(ob, "PRAGMA synchronous=FULL", "setting synchronous=FULL", e) != 0 ||
        ob_exec(ob, "PRAGMA foreign_keys=ON", "setting foreign keys", e) != 0 ||
        ob_exec(ob, "PRAGMA secure_delete=ON", "setting secure delete", e) != 0)
        goto err;
    if (ob_migrate(ob, e) != 0)
        goto err;
    *out = ob;
    return 0;
err:
    outbox_close(ob);
    return -1;
}

void outbox_close(struct outbox *ob)
{
    if (!ob)
        return;
    if (ob->db)
        sqlite3_close(ob->db);
    if (ob->seal_key)
        sodium_free(ob->seal_key);
    if (ob->hash_key)
        sodium_free(ob->hash_key);
    free(ob);
}

const char *outbox_path(const struct outbox *ob)
{
    return ob->path;
}

void outbox_set_lease_ms(struct outbox *ob, int64_t lease_ms)
{
    ob->lease_ms = lease_ms > OUTBOX_LEASE_MS ? lease_ms : OUTBOX_LEASE_MS;
}

int64_t outbox_lease_ms(const struct outbox *ob)
{
    return ob->lease_ms;
}

/* ---- sealing ---- */

/* Associated data binds a sealed value to its row and column. */
static size_t ob_ad(unsigned char *ad, size_t adsz, const char *request_id, const char *column)
{
    int n = snprintf((char *)ad, adsz, "textus-host outbox\n%s\n%s", request_id, column);

    return (n < 0 || (size_t)n >= adsz) ? 0 : (size_t)n;
}

static int ob_seal(struct outbox *ob, const char *request_id, const char *column, const char *plain,
                   unsigned char **out, size_t *outlen, struct err *e)
{
    unsigned char ad[160];
    size_t adlen = ob_ad(ad, sizeof(ad), request_id, column);
    size_t plen = strlen(plain);
    size_t len = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES + plen +
                 crypto_aead_xchacha20poly1305_ietf_ABYTES;
    unsigned char *buf;
    unsigned long long clen = 0;

    *out = NULL;
    if (!adlen) {
        err_set(e, ERR_INTERNAL, "request id too long to seal");
        return -1;
    }
    buf = malloc(len);
    if (!buf) {
        err_set(e, ERR_INTERNAL, "out of memory");
        return -1;
    }
    randombytes_buf(buf, crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
    crypto_aead_xchacha20poly1305_ietf_encrypt(buf + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES,
                                               &clen, (const unsigned char *)plain, plen, ad, adlen,
                                               NULL, buf, ob->seal_key);
    *out = buf;
    *outlen = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES + (size_t)clen;
    return 0;
}

/* Open a sealed column into a malloc'd NUL-terminated string. */
static int ob_open_sealed(struct outbox *ob, const char *request_id, const char *column,
                          const unsigned char *in, size_t inlen, char **out, struct err *e)
{
    unsigned char ad[160];
    size_t adlen = ob_ad(ad, sizeof(ad), request_id, column);
    size_t hdr = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
    unsigned long long plen = 0;
    char *buf;

    *out = NULL;
    if (!adlen || inlen < hdr + crypto_aead_xchacha20poly1305_ietf_ABYTES) {
        err_set(e, ERR_STORE_CORRUPT, "an outbox entry (%s) is damaged", request_id);
        return -1;
    }
    buf = malloc(inlen - hdr - crypto_aead_xchacha20poly1305_ietf_ABYTES + 1);
    if (!buf) {
        err_set(e, ERR_INTERNAL, "out of memory");
        return -1;
    }
    if (crypto_aead_xchacha20poly1305_ietf_decrypt((unsigned char *)buf, &plen, NULL, in + hdr,
                                                   inlen - hdr, ad, adlen, in, ob->seal_key) != 0) {
        free(buf);
        err_set(e, ERR_STORE_KEY_MISMATCH,
                "an outbox entry (%s) does not open with the current key (rekeyed or altered)",
                request_id);
        return -1;
    }
    buf[plen] = '\0';
    *out = buf;
    return 0;
}

static void ob_hash_field(crypto_generichash_state *st, const char *s)
{
    uint32_t len = (uint32_t)strlen(s);
    unsigned char lb[4] = {(unsigned char)(len >> 24), (unsigned char)(len >> 16),
                           (unsigned char)(len >> 8), (unsigned char)len};

    crypto_generichash_update(st, lb, sizeof(lb));
    crypto_generichash_update(st, (const unsigned char *)s, len);
}

/* Keyed hash of the request's content (a plain hash of a phone number could be brute-forced). */
static void ob_content_hash(struct outbox *ob, unsigned char out[OB_HASH_BYTES],
                            const struct outbox_req *req)
{
    crypto_generichash_state st;

    crypto_generichash_init(&st, ob->hash_key, crypto_generichash_KEYBYTES, OB_HASH_BYTES);
    ob_hash_field(&st, "send_sms/1");
    ob_hash_field(&st, req->candidate_id);
    ob_hash_field(&st, req->to);
    ob_hash_field(&st, req->body);
    ob_hash_field(&st, req->visibility ? req->visibility : "");
    if (req->schedule) {
        /* a scheduled send is another request than a send of the same text, and another
         * time is another request (a send's hash is what it was before schedules existed) */
        char at[32];
        snprintf(at, sizeof(at), "%lld", (long long)req->send_at_ms);
        ob_hash_field(&st, "schedule");
        ob_hash_field(&st, at);
    }
    crypto_generichash_final(&st, out, OB_HASH_BYTES);
}

/* ---- one statement: prepare, step, collect ---- */

/* Binding text that may be missing needs no branch: sqlite3_bind_text with a NULL pointer binds
 * NULL (https://www.sqlite.org/c3ref/bind_blob.html). */

static void ob_col_text(char *out, size_t outsz, sqlite3_stmt *st, int col)
{
    const unsigned char *t = sqlite3_column_text(st, col);

    snprintf(out, outsz, "%s", t ? (const char *)t : "");
}

/* A column of text for a person (an error's reason): shortened at a word, with "…". */
static void ob_col_prose(char *out, size_t outsz, sqlite3_stmt *st, int col)
{
    const unsigned char *t = sqlite3_column_text(st, col);

    (void)utf8_clip(out, outsz, t ? (const char *)t : "", (size_t)sqlite3_column_bytes(st, col));
}

/* Prepare sql, binding ?1 to arg when it is not NULL. 0, or -1 with *e set (what: the
 * operation, for the message). */
static int ob_prepare1(struct outbox *ob, sqlite3_stmt **st, const char *sql, const char *arg,
                       const char *what, struct err *e)
{
    *st = NULL;
    if (sqlite3_prepare_v2(ob->db, sql, -1, st, NULL) != SQLITE_OK) {
        ob_sql_err(ob, e, what);
        sqlite3_finalize(*st);
        *st = NULL;
        return -1;
    }
    if (arg)
        sqlite3_bind_text(*st, 1, arg, -1, SQLITE_STATIC);
    return 0;
}

/* Step st once: 1 a row, 0 no (more) row, -1 with *e set. st stays the caller's to finalize. */
static int ob_step1(struct outbox *ob, sqlite3_stmt *st, const char *what, struct err *e)
{
    int rc = sqlite3_step(st);

    if (rc == SQLITE_ROW || rc == SQLITE_DONE)
        return rc == SQLITE_ROW;
    ob_sql_err(ob, e, what);
    return -1;
}

/* The one number a "SELECT COUNT(*) ..." answers (?1 bound to arg when not NULL). */
static int ob_count(struct outbox *ob, const char *sql, const char *arg, long *n, const char *what,
                    struct err *e)
{
    sqlite3_stmt *st;
    int rc;

    if (ob_prepare1(ob, &st, sql, arg, what, e) != 0)
        return -1;
    rc = ob_step1(ob, st, what, e);
    if (rc == 0) /* COUNT(*) always answers a row */
        ob_sql_err(ob, e, what);
    if (rc == 1)
        *n = (long)sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return rc == 1 ? 0 : -1;
}

/* The request ids a "SELECT request_id ..." answers (?1 bound to arg when not NULL), at most
 * max of them, in its order. */
static int ob_collect_ids(struct outbox *ob, const char *sql, const char *arg,
                          char (*ids)[OUTBOX_REQUEST_ID_MAX + 1], size_t max, size_t *n,
                          const char *what, struct err *e)
{
    sqlite3_stmt *st;
    int rc = 0;

    *n = 0;
    if (ob_prepare1(ob, &st, sql, arg, what, e) != 0)
        return -1;
    while (*n < max && (rc = ob_step1(ob, st, what, e)) == 1) {
        ob_col_text(ids[*n], OUTBOX_REQUEST_ID_MAX + 1, st, 0);
        (*n)++;
    }
    sqlite3_finalize(st);
    return rc < 0 ? -1 : 0;
}

/* ---- marker ---- */

static int ob_work_count(struct outbox *ob, long *n, struct err *e)
{
    return ob_count(ob,
                    "SELECT COUNT(*) FROM journal WHERE send_state IN ('intent','send_unknown')"
                    " OR (send_state = 'sent' AND note_state = 'pending')",
                    NULL, n, "counting pending work", e);
}

int outbox_refresh_marker(struct outbox *ob, struct err *e)
{
    long n = 0;
    int fd;

    if (ob_work_count(ob, &n, e) != 0)
        return -1;
    if (n > 0) {
        struct os_stat sb;
        if (os_stat(&sb, ob->marker, 0) == 0 && sb.kind == OS_KIND_FILE)
            return 0; /* already there (stat rather than open: this runs at every commit) */
        fd = os_open_file(ob->marker, OS_OPEN_WRITE | OS_OPEN_CREATE);
        if (fd >= 0)
            os_close(fd);
    } else if (os_unlink(ob->marker) != 0 && errno != ENOENT) {
        err_set(e, ERR_STORE_IO, "cannot remove %s: %s", ob->marker, strerror(errno));
        return -1;
    }
    return 0;
}

/* ---- transactions ---- */

/*
 * Durability. In WAL mode a commit with synchronous=FULL syncs the WAL before it
 * returns: it survives a power cut. With NORMAL it is in the WAL file (it survives
 * the process being killed) and becomes durable with the next FULL commit. Exactly
 * once needs three commits to be durable before what follows them: the intent
 * (before the SMS POST), the message id with the note's first claim (before the
 * note POST: a later attempt must know one may have landed) and the note id; a
 * claim for a later note attempt is durable for the same reason. What can be
 * rebuilt (a reply kept for replays, a cached delivery state, a failed attempt's
 * back-off, an unknown outcome that reconciliation settles anyway, a claim's
 * renewal: a lease means nothing after a power cut, every process is gone) is
 * written with NORMAL.
 */
static int ob_sync(struct outbox *ob, int full, struct err *e)
{
    if (ob->sync_full == full)
        return 0;
    if (ob_exec(ob, full ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL",
                "setting the durability", e) != 0)
        return -1;
    ob->sync_full = full;
    return 0;
}

/* Begin a write transaction whose commit is durable (durable = 1) or not (see above). */
static int ob_begin_sync(struct outbox *ob, int durable, struct err *e)
{
    if (ob_sync(ob, durable, e) != 0)
        return -1;
    return ob_exec(ob, "BEGIN IMMEDIATE", "starting a transaction", e);
}

static int ob_begin(struct outbox *ob, struct err *e)
{
    return ob_begin_sync(ob, 1, e);
}

/* Commit, refreshing the marker while still holding the write lock (writers are serialised). */
static int ob_commit(struct outbox *ob, struct err *e)
{
    if (outbox_refresh_marker(ob, e) != 0)
        goto err;
    if (ob_exec(ob, "COMMIT", "committing", e) != 0)
        goto err;
    return 0;
err:
    sqlite3_exec(ob->db, "ROLLBACK", NULL, NULL, NULL);
    return -1;
}

static void ob_rollback(struct outbox *ob)
{
    sqlite3_exec(ob->db, "ROLLBACK", NULL, NULL, NULL);
}

/* Step an INSERT OR IGNORE prepared inside ob_begin's transaction, finalize it and commit:
 * 1 the row was inserted, 0 it was there already, -1 (rolled back) with *e set. */
static int ob_insert_commit(struct outbox *ob, sqlite3_stmt *st, const char *what, struct err *e)
{
    int inserted;

    if (sqlite3_step(st) != SQLITE_DONE) {
        ob_sql_err(ob, e, what);
        sqlite3_finalize(st);
        ob_rollback(ob);
        return -1;
    }
    inserted = sqlite3_changes(ob->db) == 1;
    sqlite3_finalize(st);
    return ob_commit(ob, e) != 0 ? -1 : inserted;
}

/* ---- rows ---- */

#define OB_ROW_COLUMNS                                                                             \
    "request_id, candidate_id, visibility, send_state, note_state, message_id, conversation,"      \
    " delivery_state, note_id, note_attempts, next_attempt_ms, last_error, send_error_code,"       \
    " created_ms, updated_ms, owner_pid, lease_until_ms, sealed_to, sealed_body, sealed_note,"     \
    " reply, content_hash, kind, send_at_ms, quiet_override"

static int ob_col_open(struct outbox *ob, sqlite3_stmt *st, int col, const char *rid,
                       const char *name, char **out, struct err *e)
{
    const void *blob = sqlite3_column_blob(st, col);
    int len = sqlite3_column_bytes(st, col);

    *out = NULL;
    if (!blob)
        return 0;
    return ob_open_sealed(ob, rid, name, blob, (size_t)len, out, e);
}

static int ob_read_row(struct outbox *ob, sqlite3_stmt *st, struct outbox_entry *en, struct err *e)
{
    const unsigned char *reply;

    memset(en, 0, sizeof(*en));
    ob_col_text(en->request_id, sizeof(en->request_id), st, 0);
    ob_col_text(en->candidate_id, sizeof(en->candidate_id), st, 1);
    ob_col_text(en->visibility, sizeof(en->visibility), st, 2);
    en->send_state = ob_send_parse((const char *)sqlite3_column_text(st, 3));
    en->note_state = ob_note_parse((const char *)sqlite3_column_text(st, 4));
    ob_col_text(en->message_id, sizeof(en->message_id), st, 5);
    ob_col_text(en->conversation, sizeof(en->conversation), st, 6);
    ob_col_text(en->delivery_state, sizeof(en->delivery_state), st, 7);
    ob_col_text(en->note_id, sizeof(en->note_id), st, 8);
    en->note_attempts = sqlite3_column_int(st, 9);
    en->next_attempt_ms = sqlite3_column_int64(st, 10);
    ob_col_prose(en->last_error, sizeof(en->last_error), st, 11);
    ob_col_text(en->send_error_code, sizeof(en->send_error_code), st, 12);
    en->created_ms = sqlite3_column_int64(st, 13);
    en->updated_ms = sqlite3_column_int64(st, 14);
    en->owner_pid = sqlite3_column_int64(st, 15);
    en->lease_until_ms = sqlite3_column_int64(st, 16);
    {
        const unsigned char *kind = sqlite3_column_text(st, 22);
        en->is_reply = kind && strcmp((const char *)kind, "reply") == 0;
    }
    if (ob_col_open(ob, st, 17, en->request_id, "to", &en->to, e) != 0 ||
        ob_col_open(ob, st, 18, en->request_id, "body", &en->body, e) != 0 ||
        ob_col_open(ob, st, 19, en->request_id, "note", &en->note_body, e) != 0)
        goto err;
    {
        const unsigned char *kind = sqlite3_column_text(st, 22);
        en->schedule = kind && strcmp((const char *)kind, "schedule") == 0;
        en->send_at_ms = sqlite3_column_int64(st, 23);
        /* the recruiter's overrides: bit 0 quiet hours, bit 1 a number not on the record */
        en->quiet_override = (sqlite3_column_int(st, 24) & 1) != 0;
        en->to_unlisted = (sqlite3_column_int(st, 24) & 2) != 0;
    }
    reply = sqlite3_column_text(st, 20);
    if (reply) {
        en->reply = strdup((const char *)reply);
        if (!en->reply) {
            err_set(e, ERR_INTERNAL, "out of memory");
            goto err;
        }
    }
    return 0;
err:
    outbox_entry_free(en);
    return -1;
}

void outbox_entry_free(struct outbox_entry *en)
{
    char **fields[] = {&en->to, &en->body, &en->note_body, &en->reply};
    size_t i;

    for (i = 0; i < TH_ARRAY_SIZE(fields); i++) {
        if (*fields[i]) {
            sodium_memzero(*fields[i], strlen(*fields[i]));
            free(*fields[i]);
            *fields[i] = NULL;
        }
    }
}

/* Fetch a row; hash_out (optional) receives the stored content hash. */
static int ob_fetch(struct outbox *ob, const char *request_id, struct outbox_entry *out,
                    unsigned char hash_out[OB_HASH_BYTES], struct err *e)
{
    sqlite3_stmt *st;
    int found;

    if (ob_prepare1(ob, &st, "SELECT " OB_ROW_COLUMNS " FROM journal WHERE request_id = ?1",
                    request_id, "reading the outbox", e) != 0)
        return -1;
    found = ob_step1(ob, st, "reading the outbox", e);
    if (found == 1) {
        if (hash_out) {
            const void *h = sqlite3_column_blob(st, 21);
            memset(hash_out, 0, OB_HASH_BYTES);
            if (h && sqlite3_column_bytes(st, 21) == OB_HASH_BYTES)
                memcpy(hash_out, h, OB_HASH_BYTES);
        }
        if (ob_read_row(ob, st, out, e) != 0)
            found = -1;
    }
    sqlite3_finalize(st);
    return found;
}

int outbox_get(struct outbox *ob, const char *request_id, struct outbox_entry *out, struct err *e)
{
    return ob_fetch(ob, request_id, out, NULL, e);
}

int outbox_lookup(struct outbox *ob, const struct outbox_req *req, struct outbox_entry *out,
                  struct err *e)
{
    unsigned char want[OB_HASH_BYTES], have[OB_HASH_BYTES];
    int found = ob_fetch(ob, req->request_id, out, have, e);

    if (found <= 0)
        return found;
    ob_content_hash(ob, want, req);
    if (sodium_memcmp(want, have, OB_HASH_BYTES) != 0) {
        outbox_entry_free(out);
        err_set(e, ERR_REQUEST_ID_CONFLICT,
                "request id %s was already used for a different message (candidate, number, "
                "body or note visibility differ); use a new request id",
                req->request_id);
        return -1;
    }
    return 1;
}

int outbox_entry_busy(const struct outbox_entry *en)
{
    long pid = (long)en->owner_pid;

    if (en->owner_pid <= 0 || pid == os_getpid())
        return 0;
    if (en->lease_until_ms <= outbox_now_ms())
        return 0;
    if (!os_process_alive(pid))
        return 0;
    return 1;
}

int outbox_journal_intent(struct outbox *ob, const struct outbox_req *req, struct err *e)
{
    unsigned char hash[OB_HASH_BYTES];
    unsigned char *sto = NULL, *sbody = NULL;
    size_t lto = 0, lbody = 0;
    sqlite3_stmt *st = NULL;
    int64_t now = outbox_now_ms();
    int inserted = -1;

    ob_content_hash(ob, hash, req);
    if (ob_seal(ob, req->request_id, "to", req->to, &sto, &lto, e) != 0 ||
        ob_seal(ob, req->request_id, "body", req->body, &sbody, &lbody, e) != 0)
        goto out;
    if (ob_begin(ob, e) != 0)
        goto out;
    if (sqlite3_prepare_v2(
            ob->db,
            "INSERT OR IGNORE INTO journal (request_id, content_hash, candidate_id, visibility,"
            " send_state, note_state, created_ms, updated_ms, sealed_to, sealed_body, owner_pid,"
            " lease_until_ms, kind, send_at_ms, quiet_override) VALUES (?1, ?2, ?3, ?4, 'intent',"
            " ?5, ?6, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
            -1, &st, NULL) != SQLITE_OK)
        goto sqlerr;
    sqlite3_bind_text(st, 1, req->request_id, -1, SQLITE_STATIC);
    sqlite3_bind_blob(st, 2, hash, OB_HASH_BYTES, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, req->candidate_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, req->visibility ? req->visibility : "private", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, req->note_enabled ? "pending" : "disabled", -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 6, now);
    sqlite3_bind_blob(st, 7, sto, (int)lto, SQLITE_STATIC);
    sqlite3_bind_blob(st, 8, sbody, (int)lbody, SQLITE_STATIC);
    sqlite3_bind_int64(st, 9, (sqlite3_int64)os_getpid());
    sqlite3_bind_int64(st, 10, now + ob->lease_ms);
    sqlite3_bind_text(st, 11, req->schedule ? "schedule" : "send", -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 12, req->schedule ? req->send_at_ms : 0);
    sqlite3_bind_int(st, 13, (req->quiet_override ? 1 : 0) | (req->to_unlisted ? 2 : 0));
    inserted = ob_insert_commit(ob, st, "journaling the intent", e);
    goto out;
sqlerr:
    ob_sql_err(ob, e, "journaling the intent");
    ob_rollback(ob);
out:
    free(sto);
    free(sbody);
    return inserted;
}

/*
 * Run one UPDATE (with ?1 = request_id, ?2 = now and up to four more text
 * parameters, NULL allowed) inside its own transaction, durable or not (ob_sync). Returns the
 * number of changed rows (0 or 1) or -1.
 */
static int ob_update(struct outbox *ob, int durable, const char *sql, const char *request_id,
                     const char *a, const char *b, const char *c, const char *d, const char *what,
                     struct err *e)
{
    sqlite3_stmt *st = NULL;
    const char *params[4] = {a, b, c, d};
    int i, changed;

    if (ob_begin_sync(ob, durable, e) != 0)
        return -1;
    if (sqlite3_prepare_v2(ob->db, sql, -1, &st, NULL) != SQLITE_OK)
        goto sqlerr;
    sqlite3_bind_text(st, 1, request_id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, outbox_now_ms());
    for (i = 0; i < 4 && i + 3 <= sqlite3_bind_parameter_count(st); i++) {
        sqlite3_bind_text(st, i + 3, params[i], -1, SQLITE_STATIC);
    }
    if (sqlite3_step(st) != SQLITE_DONE)
        goto sqlerr;
    changed = sqlite3_changes(ob->db);
    sqlite3_finalize(st);
    if (ob_commit(ob, e) != 0)
        return -1;
    return changed;
sqlerr:
    ob_sql_err(ob, e, what);
    sqlite3_finalize(st);
    ob_rollback(ob);
    return -1;
}

static int ob_thread_of_send(struct outbox *ob, const char *request_id, struct err *e);

static int ob_mark_sent(struct outbox *ob, const char *request_id, const char *message_id,
                        const char *conversation, const char *delivery_state, const char *note_body,
                        int claim_note, struct err *e)
{
    unsigned char *snote = NULL;
    size_t lnote = 0;
    sqlite3_stmt *st = NULL;
    int changed;

    if (ob_seal(ob, request_id, "note", note_body ? note_body : "", &snote, &lnote, e) != 0)
        return -1;
    if (ob_begin(ob, e) != 0) {
        free(snote);
        return -1;
    }
    if (sqlite3_prepare_v2(ob->db,
                           "UPDATE journal SET send_state = 'sent', message_id = ?3,"
                           " conversation = ?4, delivery_state = ?5, sealed_note = ?6,"
                           " updated_ms = ?2, lease_until_ms = ?2 + ?7, send_error_code = NULL,"
                           " note_attempts = note_attempts +"
                           "  (CASE WHEN ?8 AND note_state = 'pending' THEN 1 ELSE 0 END),"
                           " owner_pid = (CASE WHEN ?8 THEN ?9 ELSE owner_pid END)"
                           " WHERE request_id = ?1 AND send_state IN ('intent','send_unknown')",
                           -1, &st, NULL) != SQLITE_OK)
        goto sqlerr;
    sqlite3_bind_text(st, 1, request_id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, outbox_now_ms());
    sqlite3_bind_text(st, 3, message_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, conversation, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, delivery_state, -1, SQLITE_STATIC);
    sqlite3_bind_blob(st, 6, snote, (int)lnote, SQLITE_STATIC);
    sqlite3_bind_int64(st, 7, ob->lease_ms);
    sqlite3_bind_int(st, 8, claim_note ? 1 : 0);
    sqlite3_bind_int64(st, 9, (sqlite3_int64)os_getpid());
    if (sqlite3_step(st) != SQLITE_DONE)
        goto sqlerr;
    changed = sqlite3_changes(ob->db);
    sqlite3_finalize(st);
    st = NULL;
    /* in the same transaction: a text that went out always has its thread */
    if (changed == 1 && ob_thread_of_send(ob, request_id, e) != 0) {
        free(snote);
        ob_rollback(ob);
        return -1;
    }
    free(snote);
    if (ob_commit(ob, e) != 0)
        return -1;
    return changed;
sqlerr:
    ob_sql_err(ob, e, "journaling the message id");
    sqlite3_finalize(st);
    free(snote);
    ob_rollback(ob);
    return -1;
}

int outbox_mark_sent(struct outbox *ob, const char *request_id, const char *message_id,
                     const char *conversation, const char *delivery_state, const char *note_body,
                     struct err *e)
{
    return ob_mark_sent(ob, request_id, message_id, conversation, delivery_state, note_body, 0, e);
}

int outbox_mark_sent_claim(struct outbox *ob, const char *request_id, const char *message_id,
                           const char *conversation, const char *delivery_state,
                           const char *note_body, struct err *e)
{
    return ob_mark_sent(ob, request_id, message_id, conversation, delivery_state, note_body, 1, e);
}

int outbox_mark_unknown(struct outbox *ob, const char *request_id, const char *why, struct err *e)
{
    return ob_update(ob, 0,
                     "UPDATE journal SET send_state = 'send_unknown', last_error = ?3,"
                     " updated_ms = ?2, owner_pid = 0, lease_until_ms = 0"
                     " WHERE request_id = ?1 AND send_state IN ('intent','send_unknown')",
                     request_id, why, NULL, NULL, NULL, "journaling an unknown outcome", e);
}

int outbox_mark_not_sent(struct outbox *ob, const char *request_id, const char *code,
                         const char *why, struct err *e)
{
    return ob_update(ob, 1,
                     "UPDATE journal SET send_state = 'not_sent', send_error_code = ?3,"
                     " last_error = ?4, updated_ms = ?2, owner_pid = 0, lease_until_ms = 0"
                     " WHERE request_id = ?1 AND send_state IN ('intent','send_unknown')",
                     request_id, code, why, NULL, NULL, "journaling a send that did not happen", e);
}

int outbox_forget(struct outbox *ob, const char *request_id, struct err *e)
{
    return ob_update(ob, 0,
                     "DELETE FROM journal WHERE request_id = ?1"
                     " AND send_state IN ('intent','send_unknown')",
                     request_id, NULL, NULL, NULL, NULL, "forgetting a request", e);
}

int outbox_set_reply(struct outbox *ob, const char *request_id, const char *reply_json,
                     struct err *e)
{
    return ob_update(ob, 0,
                     "UPDATE journal SET reply = ?3, updated_ms = ?2"
                     " WHERE request_id = ?1 AND reply IS NULL",
                     request_id, reply_json, NULL, NULL, NULL, "storing the reply", e);
}

int outbox_set_delivery(struct outbox *ob, const char *message_id, const char *delivery_state,
                        struct err *e)
{
    /* ?1 is the message id here; request ids and message ids never collide in one column */
    return ob_update(ob, 0,
                     "UPDATE journal SET delivery_state = ?3, updated_ms = ?2"
                     " WHERE message_id = ?1",
                     message_id, delivery_state, NULL, NULL, NULL, "caching the delivery state", e);
}

/* Claim a row (within a transaction the caller opened); returns 1 claimed, 0 busy or done. */
static int ob_claim_locked(struct outbox *ob, const char *request_id, int for_note, int force,
                           int include_stopped, int *prior_attempts, struct err *e)
{
    struct outbox_entry en;
    sqlite3_stmt *st = NULL;
    int64_t now = outbox_now_ms();
    int found = ob_fetch(ob, request_id, &en, NULL, e);
    int ok = 0;

    if (found <= 0)
        return found;
    if (outbox_entry_busy(&en))
        goto out;
    if (for_note) {
        if (en.send_state != OUTBOX_SEND_SENT)
            goto out;
        if (en.note_state != OUTBOX_NOTE_PENDING &&
            !(include_stopped && en.note_state == OUTBOX_NOTE_STOPPED))
            goto out;
        /* force skips the back-off, never the wait a 429's Retry-After asked for */
        if (en.next_attempt_ms > now && (!force || strncmp(en.last_error, "rate_limited", 12) == 0))
            goto out;
        if (prior_attempts) {
            *prior_attempts = en.note_attempts;
            /* a claim taken over (its owner's lease ran out, or the owner is gone): whatever
             * that owner did may have landed, so the new owner looks before posting */
            if (en.owner_pid > 0 && (long)en.owner_pid != os_getpid() && *prior_attempts < 1)
                *prior_attempts = 1;
        }
    } else if (en.send_state != OUTBOX_SEND_INTENT && en.send_state != OUTBOX_SEND_UNKNOWN) {
        goto out;
    }
    if (sqlite3_prepare_v2(ob->db,
                           for_note ? "UPDATE journal SET note_attempts = note_attempts + 1,"
                                      " note_state = 'pending', owner_pid = ?2,"
                                      " lease_until_ms = ?3, updated_ms = ?4 WHERE request_id = ?1"
                                    : "UPDATE journal SET owner_pid = ?2, lease_until_ms = ?3,"
                                      " updated_ms = ?4 WHERE request_id = ?1",
                           -1, &st, NULL) != SQLITE_OK)
        goto sqlerr;
    sqlite3_bind_text(st, 1, request_id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)os_getpid());
    sqlite3_bind_int64(st, 3, now + ob->lease_ms);
    sqlite3_bind_int64(st, 4, now);
    if (sqlite3_step(st) != SQLITE_DONE)
        goto sqlerr;
    ok = 1;
    goto out;
sqlerr:
    ob_sql_err(ob, e, "claiming work");
    ok = -1;
out:
    sqlite3_finalize(st);
    outbox_entry_free(&en);
    return ok;
}

static int ob_claim(struct outbox *ob, const char *request_id, int for_note, int force,
                    int include_stopped, int *prior_attempts, struct err *e)
{
    int r;

    if (ob_begin(ob, e) != 0)
        return -1;
    r = ob_claim_locked(ob, request_id, for_note, force, include_stopped, prior_attempts, e);
    if (r < 0) {
        ob_rollback(ob);
        return -1;
    }
    if (ob_commit(ob, e) != 0)
        return -1;
    return r;
}

int outbox_claim_send(struct outbox *ob, const char *request_id, struct err *e)
{
    return ob_claim(ob, request_id, 0, 1, 0, NULL, e);
}

int outbox_note_claim(struct outbox *ob, const char *request_id, int force, int include_stopped,
                      int *prior_attempts, struct err *e)
{
    return ob_claim(ob, request_id, 1, force, include_stopped, prior_attempts, e);
}

int outbox_note_renew(struct outbox *ob, const char *request_id, struct err *e)
{
    sqlite3_stmt *st = NULL;
    int64_t now = outbox_now_ms();
    int changed;

    /* one statement (its own transaction, under the write lock): the check and the extension
     * at once, so no other process can take the claim over between them. Not durable (a lease
     * means nothing after a power cut), and no marker refresh: the work left is the same */
    if (ob_sync(ob, 0, e) != 0)
        return -1;
    if (sqlite3_prepare_v2(ob->db,
                           "UPDATE journal SET lease_until_ms = ?2 + ?3"
                           " WHERE request_id = ?1 AND owner_pid = ?4 AND lease_until_ms > ?2"
                           " AND send_state = 'sent' AND note_state IN ('pending','stopped')",
                           -1, &st, NULL) != SQLITE_OK)
        goto sqlerr;
    sqlite3_bind_text(st, 1, request_id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, now);
    sqlite3_bind_int64(st, 3, ob->lease_ms);
    sqlite3_bind_int64(st, 4, (sqlite3_int64)os_getpid());
    if (sqlite3_step(st) != SQLITE_DONE)
        goto sqlerr;
    changed = sqlite3_changes(ob->db);
    sqlite3_finalize(st);
    return changed;
sqlerr:
    ob_sql_err(ob, e, "renewing a note's claim");
    sqlite3_finalize(st);
    return -1;
}

int outbox_note_written(struct outbox *ob, const char *request_id, const char *note_id,
                        struct err *e)
{
    return ob_update(ob, 1,
                     "UPDATE journal SET note_state = 'written', note_id = ?3, last_error = NULL,"
                     " updated_ms = ?2, owner_pid = 0, lease_until_ms = 0"
                     " WHERE request_id = ?1 AND note_state IN ('pending','stopped')",
                     request_id, note_id, NULL, NULL, NULL, "journaling the note id", e);
}

int outbox_note_failed(struct outbox *ob, const char *request_id, int stop, const char *why,
                       int64_t next_attempt_ms, struct err *e)
{
    char next[32], pid[24];

    snprintf(next, sizeof(next), "%lld", (long long)next_attempt_ms);
    snprintf(pid, sizeof(pid), "%lld", (long long)os_getpid());
    /* only the claim's holder: a failure must not release a claim another process took over */
    return ob_update(ob, 0,
                     "UPDATE journal SET note_state = ?3, last_error = ?4,"
                     " next_attempt_ms = CAST(?5 AS INTEGER), updated_ms = ?2, owner_pid = 0,"
                     " lease_until_ms = 0"
                     " WHERE request_id = ?1 AND note_state IN ('pending','stopped')"
                     " AND owner_pid = CAST(?6 AS INTEGER)",
                     request_id, stop ? "stopped" : "pending", why, next, pid,
                     "journaling a failed note", e);
}

int outbox_note_dismiss(struct outbox *ob, const char *request_id, int *busy, struct err *e)
{
    struct outbox_entry en;
    sqlite3_stmt *st = NULL;
    int found, changed = 0;

    *busy = 0;
    if (ob_begin(ob, e) != 0)
        return -1;
    /* the look and the change under one write lock: no flush can claim the row in between */
    found = ob_fetch(ob, request_id, &en, NULL, e);
    if (found < 0) {
        ob_rollback(ob);
        return -1;
    }
    if (found) {
        *busy = outbox_entry_busy(&en);
        if (!*busy && en.send_state == OUTBOX_SEND_SENT &&
            (en.note_state == OUTBOX_NOTE_PENDING || en.note_state == OUTBOX_NOTE_STOPPED)) {
            if (sqlite3_prepare_v2(ob->db,
                                   "UPDATE journal SET note_state = 'dismissed', updated_ms = ?2,"
                                   " owner_pid = 0, lease_until_ms = 0 WHERE request_id = ?1",
                                   -1, &st, NULL) != SQLITE_OK)
                goto sqlerr;
            sqlite3_bind_text(st, 1, request_id, -1, SQLITE_STATIC);
            sqlite3_bind_int64(st, 2, outbox_now_ms());
            if (sqlite3_step(st) != SQLITE_DONE)
                goto sqlerr;
            changed = sqlite3_changes(ob->db);
            sqlite3_finalize(st);
        }
        outbox_entry_free(&en);
    }
    if (ob_commit(ob, e) != 0)
        return -1;
    return changed;
sqlerr:
    ob_sql_err(ob, e, "journaling a dismissed note");
    sqlite3_finalize(st);
    outbox_entry_free(&en);
    ob_rollback(ob);
    return -1;
}

int outbox_ids(struct outbox *ob, enum outbox_select which, char (*ids)[OUTBOX_REQUEST_ID_MAX + 1],
               size_t max, size_t *n, struct err *e)
{
    static const char *const sql[] = {
        [OUTBOX_SELECT_ALL] = "SELECT request_id FROM journal WHERE kind IN ('send', 'schedule') "
                              "ORDER BY created_ms DESC",
        [OUTBOX_SELECT_WORK] = ("SELECT request_id FROM journal WHERE send_state IN "
                                "('intent','send_unknown') OR (send_state = 'sent' AND"
                                " note_state = 'pending') ORDER BY created_ms, rowid"),
        [OUTBOX_SELECT_WORK_STOPPED] =
            ("SELECT request_id FROM journal WHERE send_state IN ('intent','send_unknown') OR"
             " (send_state = 'sent' AND note_state IN ('pending','stopped'))"
             " ORDER BY created_ms, rowid"),
        [OUTBOX_SELECT_STOPPED] = ("SELECT request_id FROM journal WHERE send_state = 'sent' AND"
                                   " note_state = 'stopped' ORDER BY updated_ms DESC"),
        [OUTBOX_SELECT_REPLIES] = ("SELECT request_id FROM journal WHERE kind = 'reply'"
                                   " ORDER BY created_ms DESC, rowid DESC"),
    };

    if ((int)which < 0 || (size_t)which >= TH_ARRAY_SIZE(sql))
        which = OUTBOX_SELECT_ALL;
    return ob_collect_ids(ob, sql[which], NULL, ids, max, n, "listing the outbox", e);
}

int outbox_counts(struct outbox *ob, struct outbox_counts *c, struct err *e)
{
    /* where a group's rows count, by send state and by note state (a reply's notes apart) */
    long *const by_send[] = {[OUTBOX_SEND_INTENT] = &c->intent,
                             [OUTBOX_SEND_SENT] = &c->sent,
                             [OUTBOX_SEND_UNKNOWN] = &c->unknown,
                             [OUTBOX_SEND_NOT_SENT] = &c->not_sent};
    long *const by_note[] = {[OUTBOX_NOTE_PENDING] = &c->note_pending,
                             [OUTBOX_NOTE_WRITTEN] = &c->note_written,
                             [OUTBOX_NOTE_DISABLED] = &c->note_disabled,
                             [OUTBOX_NOTE_STOPPED] = &c->note_stopped,
                             [OUTBOX_NOTE_DISMISSED] = &c->note_dismissed};
    long *const by_reply_note[] = {[OUTBOX_NOTE_PENDING] = &c->reply_pending,
                                   [OUTBOX_NOTE_WRITTEN] = &c->reply_written,
                                   [OUTBOX_NOTE_DISABLED] = NULL,
                                   [OUTBOX_NOTE_STOPPED] = &c->reply_stopped,
                                   [OUTBOX_NOTE_DISMISSED] = &c->reply_dismissed};
    sqlite3_stmt *st = NULL;
    int rc;

    memset(c, 0, sizeof(*c));
    if (sqlite3_prepare_v2(ob->db,
                           "SELECT send_state, note_state, COUNT(*), kind = 'reply' FROM journal"
                           " GROUP BY send_state, note_state, kind = 'reply'",
                           -1, &st, NULL) != SQLITE_OK)
        goto sqlerr;
    for (;;) {
        enum outbox_send s;
        enum outbox_note nt;
        long k;

        rc = sqlite3_step(st);
        if (rc == SQLITE_DONE)
            break;
        if (rc != SQLITE_ROW)
            goto sqlerr;
        /* the parsers answer one of the enums' values, whatever the column holds */
        s = ob_send_parse((const char *)sqlite3_column_text(st, 0));
        nt = ob_note_parse((const char *)sqlite3_column_text(st, 1));
        k = (long)sqlite3_column_int64(st, 2);
        if (sqlite3_column_int(st, 3)) { /* a reply's note */
            if (by_reply_note[nt])
                *by_reply_note[nt] += k;
            continue;
        }
        c->total += k;
        *by_send[s] += k;
        if (s == OUTBOX_SEND_SENT)
            *by_note[nt] += k;
    }
    sqlite3_finalize(st);
    st = NULL;
    if (c->note_stopped > 0 || c->reply_stopped > 0) {
        if (sqlite3_prepare_v2(ob->db,
                               "SELECT last_error, request_id FROM journal WHERE note_state ="
                               " 'stopped' AND send_state = 'sent' ORDER BY updated_ms DESC"
                               " LIMIT 1",
                               -1, &st, NULL) != SQLITE_OK)
            goto sqlerr;
        if (sqlite3_step(st) == SQLITE_ROW) {
            ob_col_prose(c->stopped_error, sizeof(c->stopped_error), st, 0);
            ob_col_text(c->stopped_request_id, sizeof(c->stopped_request_id), st, 1);
        }
        sqlite3_finalize(st);
    }
    return 0;
sqlerr:
    ob_sql_err(ob, e, "counting the outbox");
    sqlite3_finalize(st);
    return -1;
}

long outbox_prune(struct outbox *ob, int64_t now_ms, struct err *e)
{
    sqlite3_stmt *st = NULL;
    long n;

    if (ob_begin_sync(ob, 0, e) != 0)
        return -1;
    if (sqlite3_prepare_v2(ob->db,
                           "DELETE FROM journal WHERE updated_ms < ?1 AND (send_state = 'not_sent'"
                           " OR (send_state = 'sent' AND note_state IN ('written','disabled',"
                           "'dismissed')))",
                           -1, &st, NULL) != SQLITE_OK)
        goto sqlerr;
    sqlite3_bind_int64(st, 1, now_ms - OUTBOX_PRUNE_AGE_MS);
    if (sqlite3_step(st) != SQLITE_DONE)
        goto sqlerr;
    n = sqlite3_changes(ob->db);
    sqlite3_finalize(st);
    st = NULL;
    /* threads nobody has texted for half a year: their replies are no longer looked for */
    if (sqlite3_prepare_v2(ob->db, "DELETE FROM threads WHERE last_sent_ms < ?1", -1, &st, NULL) !=
        SQLITE_OK)
        goto sqlerr;
    sqlite3_bind_int64(st, 1, now_ms - OUTBOX_THREAD_AGE_MS);
    if (sqlite3_step(st) != SQLITE_DONE)
        goto sqlerr;
    sqlite3_finalize(st);
    if (ob_commit(ob, e) != 0)
        return -1;
    return n;
sqlerr:
    ob_sql_err(ob, e, "pruning the outbox");
    sqlite3_finalize(st);
    ob_rollback(ob);
    return -1;
}

int outbox_message_known(struct outbox *ob, const char *message_id, const char *except_request_id,
                         struct err *e)
{
    sqlite3_stmt *st = NULL;
    int rc;

    if (sqlite3_prepare_v2(ob->db,
                           "SELECT 1 FROM journal WHERE message_id = ?1 AND request_id != ?2"
                           " LIMIT 1",
                           -1, &st, NULL) != SQLITE_OK)
        goto sqlerr;
    sqlite3_bind_text(st, 1, message_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, except_request_id ? except_request_id : "", -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        goto sqlerr;
    sqlite3_finalize(st);
    return rc == SQLITE_ROW;
sqlerr:
    ob_sql_err(ob, e, "looking up a message id");
    sqlite3_finalize(st);
    return -1;
}

/* ---- replies and threads ---- */

#define OB_THREAD_KEY_BYTES 16
#define OB_THREAD_KEY_HEX   (2 * OB_THREAD_KEY_BYTES + 1)
#define OB_THREAD_COLUMNS                                                                          \
    "thread_key, candidate_id, sealed_to, first_sent_ms, first_message_id, last_sent_ms,"          \
    " seen_message_id, checked_ms, (SELECT COUNT(*) FROM journal j WHERE j.message_id ="           \
    " threads.first_message_id AND j.candidate_id = threads.candidate_id AND"                      \
    " (j.quiet_override & 2) != 0), sealed_name, head_in, head_since_ms, head_closed"

/* The thread's key: a keyed hash of (candidate, number), so the number is never in clear. */
static void ob_thread_key(struct outbox *ob, char out[OB_THREAD_KEY_HEX], const char *candidate_id,
                          const char *to)
{
    crypto_generichash_state st;
    unsigned char h[OB_THREAD_KEY_BYTES];

    crypto_generichash_init(&st, ob->hash_key, crypto_generichash_KEYBYTES, sizeof(h));
    ob_hash_field(&st, "thread/1");
    ob_hash_field(&st, candidate_id);
    ob_hash_field(&st, to);
    crypto_generichash_final(&st, h, sizeof(h));
    sodium_bin2hex(out, OB_THREAD_KEY_HEX, h, sizeof(h));
}

/* The name a thread's sealed number is bound to (its associated data). */
static void ob_thread_ad_id(char *out, size_t outsz, const char *key)
{
    snprintf(out, outsz, "thread:%s", key);
}

/* Insert or widen the thread of (candidate, number) for a text sent at sent_ms (in a transaction).
 */
static int ob_thread_upsert(struct outbox *ob, const char *candidate_id, const char *to,
                            int64_t sent_ms, const char *message_id, struct err *e)
{
    char key[OB_THREAD_KEY_HEX], aid[OB_THREAD_KEY_HEX + 16];
    unsigned char *sto = NULL;
    size_t lto = 0;
    sqlite3_stmt *st = NULL;

    ob_thread_key(ob, key, candidate_id, to);
    ob_thread_ad_id(aid, sizeof(aid), key);
    if (ob_seal(ob, aid, "to", to, &sto, &lto, e) != 0)
        return -1;
    /* the right-hand sides of an upsert's SET see the row as it was */
    if (sqlite3_prepare_v2(
            ob->db,
            "INSERT INTO threads (thread_key, candidate_id, sealed_to, first_sent_ms,"
            " first_message_id, last_sent_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?4)"
            " ON CONFLICT(thread_key) DO UPDATE SET"
            " first_message_id = CASE WHEN excluded.first_sent_ms < threads.first_sent_ms"
            " THEN excluded.first_message_id ELSE threads.first_message_id END,"
            " first_sent_ms = MIN(threads.first_sent_ms, excluded.first_sent_ms),"
            " last_sent_ms = MAX(threads.last_sent_ms, excluded.last_sent_ms)",
            -1, &st, NULL) != SQLITE_OK)
        goto sqlerr;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, candidate_id, -1, SQLITE_STATIC);
    sqlite3_bind_blob(st, 3, sto, (int)lto, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, sent_ms);
    sqlite3_bind_text(st, 5, message_id && *message_id ? message_id : NULL, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_DONE)
        goto sqlerr;
    sqlite3_finalize(st);
    free(sto);
    return 0;
sqlerr:
    ob_sql_err(ob, e, "recording the conversation of a text");
    sqlite3_finalize(st);
    free(sto);
    return -1;
}

/* The thread of a send row just marked sent (inside outbox_mark_sent's transaction). */
static int ob_thread_of_send(struct outbox *ob, const char *request_id, struct err *e)
{
    struct outbox_entry en;
    int found, rc = 0;

    found = ob_fetch(ob, request_id, &en, NULL, e);
    if (found <= 0)
        return found;
    if (!en.is_reply && en.send_state == OUTBOX_SEND_SENT && en.to)
        rc = ob_thread_upsert(ob, en.candidate_id, en.to, en.created_ms, en.message_id, e);
    outbox_entry_free(&en);
    return rc;
}

/*
 * Migration 2 -> 3: a thread for every text already sent, so that replies to
 * them are logged too. A row that does not open (another key, damage) is
 * skipped: it cannot be logged anyway, and the migration must not fail on it.
 */
static int ob_backfill_threads(struct outbox *ob, struct err *e)
{
    sqlite3_stmt *st = NULL;
    int rc;

    if (sqlite3_prepare_v2(ob->db,
                           "SELECT request_id, candidate_id, sealed_to, created_ms, message_id"
                           " FROM journal WHERE send_state = 'sent' AND kind = 'send'",
                           -1, &st, NULL) != SQLITE_OK)
        goto sqlerr;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        char rid[OUTBOX_REQUEST_ID_MAX + 1], cand[32], mid[128];
        char *to = NULL;
        struct err oe;

        ob_col_text(rid, sizeof(rid), st, 0);
        ob_col_text(cand, sizeof(cand), st, 1);
        ob_col_text(mid, sizeof(mid), st, 4);
        err_clear(&oe);
        if (ob_col_open(ob, st, 2, rid, "to", &to, &oe) != 0 || !to) {
            free(to);
            continue;
        }
        if (ob_thread_upsert(ob, cand, to, sqlite3_column_int64(st, 3), mid, e) != 0) {
            sodium_memzero(to, strlen(to));
            free(to);
            sqlite3_finalize(st);
            return -1;
        }
        sodium_memzero(to, strlen(to));
        free(to);
    }
    if (rc != SQLITE_DONE)
        goto sqlerr;
    sqlite3_finalize(st);
    return 0;
sqlerr:
    ob_sql_err(ob, e, "recording the conversations of earlier texts");
    sqlite3_finalize(st);
    return -1;
}

static int ob_slug_ok(const char *s, size_t max)
{
    size_t i, n = strlen(s);

    if (n < 1 || n > max)
        return 0;
    for (i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-'))
            return 0;
    }
    return 1;
}

#define OB_REPLY_SLUG_MAX 39

int outbox_reply_id(char out[OUTBOX_REQUEST_ID_MAX + 1], const char *candidate_id,
                    const char *message_id)
{
    static const char prefix[] = "/messages/";
    const char *slug = strncmp(message_id, prefix, sizeof(prefix) - 1) == 0
                           ? message_id + sizeof(prefix) - 1
                           : NULL;
    size_t cl = strlen(candidate_id);
    int n;

    if (cl < 1 || cl > 18 || strspn(candidate_id, "0123456789") != cl)
        return -1;
    if (slug && ob_slug_ok(slug, OB_REPLY_SLUG_MAX)) {
        n = snprintf(out, OUTBOX_REQUEST_ID_MAX + 1, OUTBOX_REPLY_PREFIX "%s:%s", candidate_id,
                     slug);
    } else {
        unsigned char h[16];
        char hex[33];
        crypto_generichash(h, sizeof(h), (const unsigned char *)message_id, strlen(message_id),
                           NULL, 0);
        sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
        n = snprintf(out, OUTBOX_REQUEST_ID_MAX + 1, OUTBOX_REPLY_PREFIX "%s:~%s", candidate_id,
                     hex);
    }
    return (n < 0 || n > OUTBOX_REQUEST_ID_MAX) ? -1 : 0;
}

int outbox_reply_id_ok(const char *s)
{
    size_t pl = sizeof(OUTBOX_REPLY_PREFIX) - 1, dl;
    const char *p, *rest;

    if (!s || strlen(s) > OUTBOX_REQUEST_ID_MAX || strncmp(s, OUTBOX_REPLY_PREFIX, pl) != 0)
        return 0;
    p = s + pl;
    dl = strspn(p, "0123456789");
    if (dl < 1 || dl > 18 || p[dl] != ':')
        return 0;
    rest = p + dl + 1;
    if (rest[0] == '~')
        return strlen(rest + 1) == 32 && strspn(rest + 1, "0123456789abcdef") == 32;
    return ob_slug_ok(rest, OB_REPLY_SLUG_MAX);
}

int outbox_journal_reply(struct outbox *ob, const struct outbox_reply *r, struct err *e)
{
    char rid[OUTBOX_REQUEST_ID_MAX + 1];
    unsigned char hash[OB_HASH_BYTES];
    unsigned char *sto = NULL, *sbody = NULL, *snote = NULL;
    size_t lto = 0, lbody = 0, lnote = 0;
    struct outbox_req hr;
    sqlite3_stmt *st = NULL;
    int64_t now = outbox_now_ms();
    int inserted = -1;

    if (outbox_reply_id(rid, r->candidate_id, r->message_id) != 0) {
        err_set(e, ERR_INTERNAL, "a reply's id does not fit the journal");
        return -1;
    }
    /* the content hash of a reply: what was said, by whom, as which message (the other
     * members zero: an unset `schedule` was read by ob_content_hash, valgrind saw it) */
    memset(&hr, 0, sizeof(hr));
    hr.request_id = rid;
    hr.candidate_id = r->candidate_id;
    hr.to = r->from;
    hr.body = r->message_id;
    hr.visibility = "reply/1";
    ob_content_hash(ob, hash, &hr);
    if (ob_seal(ob, rid, "to", r->from, &sto, &lto, e) != 0 ||
        ob_seal(ob, rid, "body", r->body ? r->body : "", &sbody, &lbody, e) != 0 ||
        ob_seal(ob, rid, "note", r->note_body, &snote, &lnote, e) != 0)
        goto out;
    if (ob_begin(ob, e) != 0)
        goto out;
    if (sqlite3_prepare_v2(
            ob->db,
            "INSERT OR IGNORE INTO journal (request_id, content_hash, candidate_id, visibility,"
            " send_state, note_state, message_id, conversation, delivery_state, created_ms,"
            " updated_ms, sealed_to, sealed_body, sealed_note, kind) VALUES (?1, ?2, ?3, ?4,"
            " 'sent', 'pending', ?5, ?6, 'received', ?7, ?7, ?8, ?9, ?10, 'reply')",
            -1, &st, NULL) != SQLITE_OK)
        goto sqlerr;
    sqlite3_bind_text(st, 1, rid, -1, SQLITE_STATIC);
    sqlite3_bind_blob(st, 2, hash, OB_HASH_BYTES, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, r->candidate_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, r->visibility ? r->visibility : "private", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, r->message_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, r->conversation, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 7, now);
    sqlite3_bind_blob(st, 8, sto, (int)lto, SQLITE_STATIC);
    sqlite3_bind_blob(st, 9, sbody, (int)lbody, SQLITE_STATIC);
    sqlite3_bind_blob(st, 10, snote, (int)lnote, SQLITE_STATIC);
    inserted = ob_insert_commit(ob, st, "journaling a reply", e);
    goto out;
sqlerr:
    ob_sql_err(ob, e, "journaling a reply");
    ob_rollback(ob);
out:
    free(sto);
    free(sbody);
    free(snote);
    return inserted;
}

int outbox_reply_ids(struct outbox *ob, const char *candidate_id,
                     char (*ids)[OUTBOX_REQUEST_ID_MAX + 1], size_t max, size_t *n, struct err *e)
{
    return ob_collect_ids(ob,
                          "SELECT request_id FROM journal WHERE kind = 'reply' AND candidate_id ="
                          " ?1 AND send_state = 'sent' AND note_state = 'pending'"
                          " ORDER BY created_ms, rowid",
                          candidate_id, ids, max, n, "listing a candidate's replies", e);
}

long outbox_replies_waiting(struct outbox *ob, const char *candidate_id, struct err *e)
{
    long n = 0;

    if (ob_count(ob,
                 "SELECT COUNT(*) FROM journal WHERE kind = 'reply' AND candidate_id ="
                 " ?1 AND send_state = 'sent' AND note_state IN ('pending','stopped')",
                 candidate_id, &n, "counting a candidate's replies", e) != 0)
        return -1;
    return n;
}

void outbox_thread_free(struct outbox_thread *t)
{
    if (t && t->to) {
        sodium_memzero(t->to, strlen(t->to));
        free(t->to);
        t->to = NULL;
    }
}

/* One row of OB_THREAD_COLUMNS into *t: 0, or -1 (*e set) when its number does not open. */
static int ob_read_thread(struct outbox *ob, sqlite3_stmt *st, struct outbox_thread *t,
                          struct err *e)
{
    char key[OB_THREAD_KEY_HEX], aid[OB_THREAD_KEY_HEX + 16];

    memset(t, 0, sizeof(*t));
    ob_col_text(key, sizeof(key), st, 0);
    ob_col_text(t->candidate_id, sizeof(t->candidate_id), st, 1);
    t->first_sent_ms = sqlite3_column_int64(st, 3);
    ob_col_text(t->first_message_id, sizeof(t->first_message_id), st, 4);
    t->last_sent_ms = sqlite3_column_int64(st, 5);
    ob_col_text(t->seen_message_id, sizeof(t->seen_message_id), st, 6);
    t->checked_ms = sqlite3_column_int64(st, 7);
    t->to_unlisted = sqlite3_column_int(st, 8) > 0;
    t->head.in = (long)sqlite3_column_int64(st, 10);
    t->head.since_ms = sqlite3_column_int64(st, 11);
    t->head.closed = sqlite3_column_int(st, 12) != 0;
    ob_thread_ad_id(aid, sizeof(aid), key);
    if (ob_col_open(ob, st, 2, aid, "to", &t->to, e) != 0 || !t->to) {
        if (e->code == ERR_OK)
            err_set(e, ERR_STORE_CORRUPT, "a conversation in the outbox is damaged");
        return -1;
    }
    {
        /* the name: a thread whose name does not open is still read (without it) */
        char *name = NULL;
        struct err ne;
        err_clear(&ne);
        if (ob_col_open(ob, st, 9, aid, "name", &name, &ne) == 0 && name)
            snprintf(t->name, sizeof(t->name), "%s", name);
        if (name) {
            sodium_memzero(name, strlen(name));
            free(name);
        }
    }
    return 0;
}

int outbox_thread_name(struct outbox *ob, const char *candidate_id, const char *to,
                       const char *name, int replace, struct err *e)
{
    char key[OB_THREAD_KEY_HEX], aid[OB_THREAD_KEY_HEX + 16];
    unsigned char *sname = NULL;
    size_t lname = 0;
    sqlite3_stmt *st = NULL;
    int changed;

    if (!name || !*name)
        return 0;
    ob_thread_key(ob, key, candidate_id, to);
    ob_thread_ad_id(aid, sizeof(aid), key);
    if (ob_seal(ob, aid, "name", name, &sname, &lname, e) != 0)
        return -1;
    if (ob_begin_sync(ob, 0, e) != 0) { /* a name is no promise: not durable (see above) */
        free(sname);
        return -1;
    }
    if (sqlite3_prepare_v2(ob->db,
                           "UPDATE threads SET sealed_name = ?2 WHERE thread_key = ?1 AND"
                           " (?3 OR sealed_name IS NULL)",
                           -1, &st, NULL) != SQLITE_OK)
        goto sqlerr;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_blob(st, 2, sname, (int)lname, SQLITE_STATIC);
    sqlite3_bind_int(st, 3, replace ? 1 : 0);
    if (sqlite3_step(st) != SQLITE_DONE)
        goto sqlerr;
    changed = sqlite3_changes(ob->db) > 0;
    sqlite3_finalize(st);
    free(sname);
    return ob_commit(ob, e) != 0 ? -1 : changed;
sqlerr:
    ob_sql_err(ob, e, "recording the name of a conversation");
    sqlite3_finalize(st);
    free(sname);
    ob_rollback(ob);
    return -1;
}

int outbox_thread_get(struct outbox *ob, const char *candidate_id, const char *to,
                      struct outbox_thread *out, struct err *e)
{
    char key[OB_THREAD_KEY_HEX];
    sqlite3_stmt *st;
    int found;

    memset(out, 0, sizeof(*out));
    ob_thread_key(ob, key, candidate_id, to);
    if (ob_prepare1(ob, &st, "SELECT " OB_THREAD_COLUMNS " FROM threads WHERE thread_key = ?1", key,
                    "reading a conversation", e) != 0)
        return -1;
    found = ob_step1(ob, st, "reading a conversation", e);
    if (found == 1 && ob_read_thread(ob, st, out, e) != 0)
        found = -1;
    sqlite3_finalize(st);
    return found;
}

int outbox_threads_due(struct outbox *ob, int64_t since_ms, struct outbox_thread *out, size_t max,
                       size_t *n, struct err *e)
{
    static const char *const sql[2] = {
        /* the newest by their latest text */
        "SELECT " OB_THREAD_COLUMNS " FROM threads WHERE last_sent_ms >= ?1"
        " ORDER BY last_sent_ms DESC LIMIT ?2",
        /* then the others, those a flush read longest ago first */
        "SELECT " OB_THREAD_COLUMNS " FROM threads WHERE last_sent_ms >= ?1 AND thread_key NOT IN"
        " (SELECT thread_key FROM threads WHERE last_sent_ms >= ?1 ORDER BY last_sent_ms DESC"
        " LIMIT ?3) ORDER BY checked_ms, last_sent_ms DESC LIMIT ?2",
    };
    size_t newest = (max + 1) / 2, q;
    sqlite3_stmt *st = NULL;
    int rc;

    *n = 0;
    for (q = 0; q < 2 && *n < max; q++) {
        if (sqlite3_prepare_v2(ob->db, sql[q], -1, &st, NULL) != SQLITE_OK)
            goto sqlerr;
        sqlite3_bind_int64(st, 1, since_ms);
        sqlite3_bind_int64(st, 2, (sqlite3_int64)(q == 0 ? newest : max - *n));
        if (q == 1)
            sqlite3_bind_int64(st, 3, (sqlite3_int64)newest);
        while (*n < max && (rc = sqlite3_step(st)) == SQLITE_ROW) {
            struct err oe;
            err_clear(&oe);
            if (ob_read_thread(ob, st, &out[*n], &oe) != 0)
                continue; /* a number that does not open: nothing can be read for it */
            (*n)++;
        }
        sqlite3_finalize(st);
        st = NULL;
    }
    return 0;
sqlerr:
    ob_sql_err(ob, e, "listing the conversations to read");
    sqlite3_finalize(st);
    while (*n > 0)
        outbox_thread_free(&out[--*n]);
    return -1;
}

int outbox_thread_read(struct outbox *ob, const char *candidate_id, const char *to,
                       const char *seen_message_id, const struct outbox_thread_head *head,
                       int by_flush, struct err *e)
{
    char key[OB_THREAD_KEY_HEX];
    sqlite3_stmt *st = NULL;

    ob_thread_key(ob, key, candidate_id, to);
    if (ob_begin(ob, e) != 0)
        return -1;
    if (sqlite3_prepare_v2(ob->db,
                           "UPDATE threads SET seen_message_id = COALESCE(?2, seen_message_id),"
                           " checked_ms = CASE WHEN ?3 THEN ?4 ELSE checked_ms END,"
                           " head_in = CASE WHEN ?5 THEN ?6 ELSE head_in END,"
                           " head_since_ms = CASE WHEN ?5 THEN ?7 ELSE head_since_ms END,"
                           " head_closed = CASE WHEN ?5 THEN ?8 ELSE head_closed END"
                           " WHERE thread_key = ?1",
                           -1, &st, NULL) != SQLITE_OK)
        goto sqlerr;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, seen_message_id && *seen_message_id ? seen_message_id : NULL, -1,
                      SQLITE_STATIC);
    sqlite3_bind_int(st, 3, by_flush ? 1 : 0);
    sqlite3_bind_int64(st, 4, outbox_now_ms());
    sqlite3_bind_int(st, 5, head ? 1 : 0);
    sqlite3_bind_int64(st, 6, head && head->in > 0 ? head->in : 0);
    sqlite3_bind_int64(st, 7, head && head->in > 0 ? head->since_ms : -1);
    sqlite3_bind_int(st, 8, head && head->closed ? 1 : 0);
    if (sqlite3_step(st) != SQLITE_DONE)
        goto sqlerr;
    sqlite3_finalize(st);
    return ob_commit(ob, e);
sqlerr:
    ob_sql_err(ob, e, "recording a read of a conversation");
    sqlite3_finalize(st);
    ob_rollback(ob);
    return -1;
}

/* ---- bulks (outbox.h: bulk_send) ----
 * Kept together at the end of the file. The tables are created on first use. */

#define OB_BULK_FINAL "('sent','scheduled','skipped','failed','cancelled')"

static int ob_bulk_tables(struct outbox *ob, struct err *e)
{
    return ob_exec(ob,
                   "CREATE TABLE IF NOT EXISTS bulks ("
                   " request_id TEXT PRIMARY KEY, content_hash BLOB NOT NULL,"
                   " sealed_body BLOB NOT NULL, job_id TEXT, quiet_mode TEXT NOT NULL,"
                   " visibility TEXT NOT NULL, total INTEGER NOT NULL,"
                   " created_ms INTEGER NOT NULL, updated_ms INTEGER NOT NULL,"
                   " cancelled_ms INTEGER NOT NULL DEFAULT 0,"
                   " finished_ms INTEGER NOT NULL DEFAULT 0,"
                   " owner_pid INTEGER NOT NULL DEFAULT 0,"
                   " lease_until_ms INTEGER NOT NULL DEFAULT 0);"
                   "CREATE TABLE IF NOT EXISTS bulk_items ("
                   " request_id TEXT NOT NULL, seq INTEGER NOT NULL, candidate_id TEXT NOT NULL,"
                   " state TEXT NOT NULL, reason TEXT, detail TEXT, sealed_to BLOB,"
                   " sealed_body BLOB, send_at_ms INTEGER NOT NULL DEFAULT 0,"
                   " updated_ms INTEGER NOT NULL, PRIMARY KEY (request_id, candidate_id));",
                   "creating the bulk tables", e);
}

int outbox_bulk_item_id(char out[OUTBOX_REQUEST_ID_MAX + 1], const char *request_id,
                        const char *candidate_id)
{
    int n = snprintf(out, OUTBOX_REQUEST_ID_MAX + 1, "%s:%s", request_id, candidate_id);

    return (n < 0 || n > OUTBOX_REQUEST_ID_MAX) ? -1 : 0;
}

void outbox_bulk_list_hash(struct outbox *ob, unsigned char out[32], const char *body,
                           const char *job_id, const char *quiet_mode, const char *visibility,
                           const char *const *raw_ids, size_t n_raw)
{
    crypto_generichash_state st;
    size_t i;

    crypto_generichash_init(&st, ob->hash_key, crypto_generichash_KEYBYTES, OB_HASH_BYTES);
    ob_hash_field(&st, "bulk_send/1");
    ob_hash_field(&st, body);
    ob_hash_field(&st, job_id ? job_id : "");
    ob_hash_field(&st, quiet_mode);
    ob_hash_field(&st, visibility ? visibility : "");
    for (i = 0; i < n_raw; i++)
        ob_hash_field(&st, raw_ids[i] ? raw_ids[i] : "");
    crypto_generichash_final(&st, out, OB_HASH_BYTES);
}

int outbox_bulk_begin(struct outbox *ob, const struct outbox_bulk_req *req, struct err *e)
{
    sqlite3_stmt *st = NULL;
    unsigned char *sbody = NULL;
    size_t lbody = 0, i;
    int64_t now = outbox_now_ms();
    int rc = -1, step;

    if (ob_bulk_tables(ob, e) != 0)
        return -1;
    if (ob_seal(ob, req->request_id, "bulk_body", req->body, &sbody, &lbody, e) != 0)
        return -1;
    if (ob_begin(ob, e) != 0)
        goto out;
    /* a month after it began, a bulk is forgotten (its texts' rows are pruned alike) */
    if (sqlite3_prepare_v2(ob->db,
                           "DELETE FROM bulk_items WHERE request_id IN (SELECT request_id FROM"
                           " bulks WHERE created_ms < ?1)",
                           -1, &st, NULL) != SQLITE_OK)
        goto sqlerr;
    sqlite3_bind_int64(st, 1, now - OUTBOX_PRUNE_AGE_MS);
    if (sqlite3_step(st) != SQLITE_DONE)
        goto sqlerr;
    sqlite3_finalize(st);
    if (sqlite3_prepare_v2(ob->db, "DELETE FROM bulks WHERE created_ms < ?1", -1, &st, NULL) !=
        SQLITE_OK)
        goto sqlerr;
    sqlite3_bind_int64(st, 1, now - OUTBOX_PRUNE_AGE_MS);
    if (sqlite3_step(st) != SQLITE_DONE)
        goto sqlerr;
    sqlite3_finalize(st);
    if (sqlite3_prepare_v2(ob->db, "SELECT content_hash FROM bulks WHERE request_id = ?1", -1, &st,
                           NULL) != SQLITE_OK)
        goto sqlerr;
    sqlite3_bind_text(st, 1, req->request_id, -1, SQLITE_STATIC);
    step = sqlite3_step(st);
    if (step == SQLITE_ROW) {
        const void *h = sqlite3_column_blob(st, 0);
        int same = h && sqlite3_column_bytes(st, 0) == OB_HASH_BYTES &&
                   sodium_memcmp(h, req->list_hash, OB_HASH_BYTES) == 0;
        sqlite3_finalize(st);
        st = NULL;
        ob_rollback(ob);
        if (!same) {
            err_set(e, ERR_REQUEST_ID_CONFLICT,
                    "request id %s was already used for a different bulk (candidates, body or "
                    "options differ); use a new request id",
                    req->request_id);
            goto out;
        }
        rc = 0;
        goto out;
    }
    if (step != SQLITE_DONE)
        goto sqlerr;
    sqlite3_finalize(st);
    if (sqlite3_prepare_v2(ob->db,
                           "INSERT INTO bulks (request_id, content_hash, sealed_body, job_id,"
                           " quiet_mode, visibility, total, created_ms, updated_ms) VALUES (?1, ?2,"
                           " ?3, ?4, ?5, ?6, ?7, ?8, ?8)",
                           -1, &st, NULL) != SQLITE_OK)
        goto sqlerr;
    sqlite3_bind_text(st, 1, req->request_id, -1, SQLITE_STATIC);
    sqlite3_bind_blob(st, 2, req->list_hash, OB_HASH_BYTES, SQLITE_STATIC);
    sqlite3_bind_blob(st, 3, sbody, (int)lbody, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, req->job_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, req->quiet_mode, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, req->visibility ? req->visibility : "private", -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 7, (sqlite3_int64)req->n);
    sqlite3_bind_int64(st, 8, now);
    if (sqlite3_step(st) != SQLITE_DONE)
        goto sqlerr;
    sqlite3_finalize(st);
    if (sqlite3_prepare_v2(ob->db,
                           "INSERT INTO bulk_items (request_id, seq, candidate_id, state,"
                           " updated_ms) VALUES (?1, ?2, ?3, 'pending', ?4)",
                           -1, &st, NULL) != SQLITE_OK)
        goto sqlerr;
    for (i = 0; i < req->n; i++) {
        sqlite3_reset(st);
        sqlite3_bind_text(st, 1, req->request_id, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 2, (sqlite3_int64)i);
        sqlite3_bind_text(st, 3, req->candidate_ids[i], -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 4, now);
        if (sqlite3_step(st) != SQLITE_DONE)
            goto sqlerr;
    }
    sqlite3_finalize(st);
    st = NULL;
    rc = ob_commit(ob, e) != 0 ? -1 : 1;
    goto out;
sqlerr:
    ob_sql_err(ob, e, "recording the bulk");
    sqlite3_finalize(st);
    ob_rollback(ob);
out:
    free(sbody);
    return rc;
}

void outbox_bulk_free(struct outbox_bulk *b)
{
    if (b && b->body) {
        sodium_memzero(b->body, strlen(b->body));
        free(b->body);
        b->body = NULL;
    }
}

int outbox_bulk_get(struct outbox *ob, const char *request_id, struct outbox_bulk *out,
                    struct err *e)
{
    sqlite3_stmt *st;
    int rc;

    memset(out, 0, sizeof(*out));
    if (ob_bulk_tables(ob, e) != 0)
        return -1;
    if (ob_prepare1(ob, &st,
                    "SELECT request_id, sealed_body, job_id, quiet_mode, visibility, total,"
                    " created_ms, cancelled_ms, finished_ms, owner_pid, lease_until_ms"
                    " FROM bulks WHERE request_id = ?1",
                    request_id, "reading a bulk", e) != 0)
        return -1;
    rc = ob_step1(ob, st, "reading a bulk", e);
    if (rc == 1) {
        ob_col_text(out->request_id, sizeof(out->request_id), st, 0);
        ob_col_text(out->job_id, sizeof(out->job_id), st, 2);
        ob_col_text(out->quiet_mode, sizeof(out->quiet_mode), st, 3);
        ob_col_text(out->visibility, sizeof(out->visibility), st, 4);
        out->total = (long)sqlite3_column_int64(st, 5);
        out->created_ms = sqlite3_column_int64(st, 6);
        out->cancelled_ms = sqlite3_column_int64(st, 7);
        out->finished_ms = sqlite3_column_int64(st, 8);
        out->owner_pid = sqlite3_column_int64(st, 9);
        out->lease_until_ms = sqlite3_column_int64(st, 10);
        if (ob_col_open(ob, st, 1, out->request_id, "bulk_body", &out->body, e) != 0)
            rc = -1;
    }
    sqlite3_finalize(st);
    return rc;
}

void outbox_bulk_items_free(struct outbox_bulk_item *items, size_t n)
{
    size_t i;

    for (i = 0; items && i < n; i++) {
        if (items[i].to) {
            sodium_memzero(items[i].to, strlen(items[i].to));
            free(items[i].to);
        }
        if (items[i].body) {
            sodium_memzero(items[i].body, strlen(items[i].body));
            free(items[i].body);
        }
    }
    free(items);
}

int outbox_bulk_items(struct outbox *ob, const char *request_id, int open,
                      struct outbox_bulk_item **out, size_t *n, struct err *e)
{
    sqlite3_stmt *st;
    struct outbox_bulk_item *items;
    long total = 0;
    size_t k = 0;
    int rc = 0;
    char rid[OUTBOX_REQUEST_ID_MAX + 1];

    *out = NULL;
    *n = 0;
    if (ob_bulk_tables(ob, e) != 0 ||
        ob_count(ob, "SELECT COUNT(*) FROM bulk_items WHERE request_id = ?1", request_id, &total,
                 "counting a bulk's candidates", e) != 0)
        return -1;
    items = calloc(total > 0 ? (size_t)total : 1, sizeof(*items));
    if (!items) {
        err_set(e, ERR_INTERNAL, "out of memory");
        return -1;
    }
    if (ob_prepare1(ob, &st,
                    "SELECT candidate_id, state, reason, detail, sealed_to, sealed_body,"
                    " send_at_ms FROM bulk_items WHERE request_id = ?1 ORDER BY seq",
                    request_id, "reading a bulk's candidates", e) != 0) {
        free(items);
        return -1;
    }
    while (k < (size_t)total && (rc = ob_step1(ob, st, "reading a bulk's candidates", e)) == 1) {
        struct outbox_bulk_item *it = &items[k++];
        ob_col_text(it->candidate_id, sizeof(it->candidate_id), st, 0);
        ob_col_text(it->state, sizeof(it->state), st, 1);
        ob_col_text(it->reason, sizeof(it->reason), st, 2);
        ob_col_text(it->detail, sizeof(it->detail), st, 3);
        it->send_at_ms = sqlite3_column_int64(st, 6);
        if (open) {
            if (outbox_bulk_item_id(rid, request_id, it->candidate_id) != 0) {
                err_set(e, ERR_INTERNAL, "a bulk item id does not fit");
                rc = -1;
                break;
            }
            if (ob_col_open(ob, st, 4, rid, "bulk_to", &it->to, e) != 0 ||
                ob_col_open(ob, st, 5, rid, "bulk_body", &it->body, e) != 0) {
                rc = -1;
                break;
            }
        }
    }
    sqlite3_finalize(st);
    if (rc < 0) {
        outbox_bulk_items_free(items, k);
        return -1;
    }
    *out = items;
    *n = k;
    return 0;
}

int outbox_bulk_item_ready(struct outbox *ob, const char *request_id, const char *candidate_id,
                           const char *to, const char *body, int64_t send_at_ms, struct err *e)
{
    sqlite3_stmt *st = NULL;
    unsigned char *sto = NULL, *sbody = NULL;
    size_t lto = 0, lbody = 0;
    char rid[OUTBOX_REQUEST_ID_MAX + 1];
    int changed = -1;

    if (outbox_bulk_item_id(rid, request_id, candidate_id) != 0) {
        err_set(e, ERR_INTERNAL, "a bulk item id does not fit");
        return -1;
    }
    if (ob_seal(ob, rid, "bulk_to", to, &sto, &lto, e) != 0 ||
        ob_seal(ob, rid, "bulk_body", body, &sbody, &lbody, e) != 0)
        goto out;
    /* not durable: the journal's intent, durable, follows before any text goes out */
    if (ob_begin_sync(ob, 0, e) != 0)
        goto out;
    if (sqlite3_prepare_v2(ob->db,
                           "UPDATE bulk_items SET state = 'ready', reason = NULL, detail = NULL,"
                           " sealed_to = ?3, sealed_body = ?4, send_at_ms = ?5, updated_ms = ?6"
                           " WHERE request_id = ?1 AND candidate_id = ?2 AND state = 'pending'"
                           " AND (SELECT cancelled_ms FROM bulks WHERE request_id = ?1) = 0",
                           -1, &st, NULL) != SQLITE_OK)
        goto sqlerr;
    sqlite3_bind_text(st, 1, request_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, candidate_id, -1, SQLITE_STATIC);
    sqlite3_bind_blob(st, 3, sto, (int)lto, SQLITE_STATIC);
    sqlite3_bind_blob(st, 4, sbody, (int)lbody, SQLITE_STATIC);
    sqlite3_bind_int64(st, 5, send_at_ms);
    sqlite3_bind_int64(st, 6, outbox_now_ms());
    if (sqlite3_step(st) != SQLITE_DONE)
        goto sqlerr;
    changed = sqlite3_changes(ob->db);
    sqlite3_finalize(st);
    if (ob_commit(ob, e) != 0)
        changed = -1;
    goto out;
sqlerr:
    ob_sql_err(ob, e, "recording a bulk candidate");
    sqlite3_finalize(st);
    ob_rollback(ob);
out:
    free(sto);
    free(sbody);
    return changed;
}

int outbox_bulk_item_set(struct outbox *ob, const char *request_id, const char *candidate_id,
                         const char *state, const char *reason, const char *detail, struct err *e)
{
    sqlite3_stmt *st = NULL;
    int changed;

    if (ob_begin_sync(ob, 0, e) != 0)
        return -1;
    if (sqlite3_prepare_v2(ob->db,
                           "UPDATE bulk_items SET state = ?3, reason = ?4, detail = ?5,"
                           " updated_ms = ?6 WHERE request_id = ?1 AND candidate_id = ?2",
                           -1, &st, NULL) != SQLITE_OK)
        goto sqlerr;
    sqlite3_bind_text(st, 1, request_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, candidate_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, state, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, reason, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, detail, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 6, outbox_now_ms());
    if (sqlite3_step(st) != SQLITE_DONE)
        goto sqlerr;
    changed = sqlite3_changes(ob->db);
    sqlite3_finalize(st);
    return ob_commit(ob, e) != 0 ? -1 : changed;
sqlerr:
    ob_sql_err(ob, e, "recording a bulk candidate's state");
    sqlite3_finalize(st);
    ob_rollback(ob);
    return -1;
}

/* One statement with ?1 = request_id, ?2 = now, ?3 = this pid in its own transaction: changes. */
static int ob_bulk_update(struct outbox *ob, int durable, const char *sql, const char *request_id,
                          const char *what, struct err *e)
{
    sqlite3_stmt *st = NULL;
    int changed;

    if (ob_bulk_tables(ob, e) != 0 || ob_begin_sync(ob, durable, e) != 0)
        return -1;
    if (sqlite3_prepare_v2(ob->db, sql, -1, &st, NULL) != SQLITE_OK)
        goto sqlerr;
    sqlite3_bind_text(st, 1, request_id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, outbox_now_ms());
    if (sqlite3_bind_parameter_count(st) >= 3)
        sqlite3_bind_int64(st, 3, (sqlite3_int64)os_getpid());
    if (sqlite3_step(st) != SQLITE_DONE)
        goto sqlerr;
    changed = sqlite3_changes(ob->db);
    sqlite3_finalize(st);
    return ob_commit(ob, e) != 0 ? -1 : changed;
sqlerr:
    ob_sql_err(ob, e, what);
    sqlite3_finalize(st);
    ob_rollback(ob);
    return -1;
}

int outbox_bulk_cancel(struct outbox *ob, const char *request_id, struct err *e)
{
    sqlite3_stmt *st = NULL;
    int changed;

    if (ob_bulk_tables(ob, e) != 0 || ob_begin(ob, e) != 0)
        return -1;
    if (sqlite3_prepare_v2(ob->db,
                           "UPDATE bulks SET cancelled_ms = CASE WHEN cancelled_ms = 0 THEN ?2"
                           " ELSE cancelled_ms END, updated_ms = ?2 WHERE request_id = ?1",
                           -1, &st, NULL) != SQLITE_OK)
        goto sqlerr;
    sqlite3_bind_text(st, 1, request_id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, outbox_now_ms());
    if (sqlite3_step(st) != SQLITE_DONE)
        goto sqlerr;
    changed = sqlite3_changes(ob->db);
    sqlite3_finalize(st);
    if (sqlite3_prepare_v2(ob->db,
                           "UPDATE bulk_items SET state = 'cancelled', updated_ms = ?2"
                           " WHERE request_id = ?1 AND state = 'pending'",
                           -1, &st, NULL) != SQLITE_OK)
        goto sqlerr;
    sqlite3_bind_text(st, 1, request_id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, outbox_now_ms());
    if (sqlite3_step(st) != SQLITE_DONE)
        goto sqlerr;
    sqlite3_finalize(st);
    return ob_commit(ob, e) != 0 ? -1 : changed;
sqlerr:
    ob_sql_err(ob, e, "cancelling a bulk");
    sqlite3_finalize(st);
    ob_rollback(ob);
    return -1;
}

int outbox_bulk_claim(struct outbox *ob, const char *request_id, struct err *e)
{
    struct outbox_entry probe;
    sqlite3_stmt *st = NULL;
    int rc;

    if (ob_bulk_tables(ob, e) != 0 || ob_begin_sync(ob, 0, e) != 0)
        return -1;
    /* read and take in one write transaction: two processes never both take it */
    if (sqlite3_prepare_v2(ob->db,
                           "SELECT owner_pid, lease_until_ms FROM bulks WHERE request_id = ?1", -1,
                           &st, NULL) != SQLITE_OK)
        goto sqlerr;
    sqlite3_bind_text(st, 1, request_id, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        goto sqlerr;
    if (rc == SQLITE_DONE) {
        sqlite3_finalize(st);
        ob_rollback(ob);
        return 0;
    }
    /* the journal's own rule for a live owner (outbox_entry_busy) */
    memset(&probe, 0, sizeof(probe));
    probe.owner_pid = sqlite3_column_int64(st, 0);
    probe.lease_until_ms = sqlite3_column_int64(st, 1);
    sqlite3_finalize(st);
    st = NULL;
    if (outbox_entry_busy(&probe)) {
        ob_rollback(ob);
        return 0;
    }
    if (sqlite3_prepare_v2(ob->db,
                           "UPDATE bulks SET owner_pid = ?2, lease_until_ms = ?3"
                           " WHERE request_id = ?1",
                           -1, &st, NULL) != SQLITE_OK)
        goto sqlerr;
    sqlite3_bind_text(st, 1, request_id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)os_getpid());
    sqlite3_bind_int64(st, 3, outbox_now_ms() + OUTBOX_LEASE_MS);
    if (sqlite3_step(st) != SQLITE_DONE)
        goto sqlerr;
    sqlite3_finalize(st);
    return ob_commit(ob, e) != 0 ? -1 : 1;
sqlerr:
    ob_sql_err(ob, e, "taking a bulk");
    sqlite3_finalize(st);
    ob_rollback(ob);
    return -1;
}

int outbox_bulk_finish(struct outbox *ob, const char *request_id, struct err *e)
{
    return ob_bulk_update(ob, 1,
                          "UPDATE bulks SET finished_ms = ?2, updated_ms = ?2, owner_pid = 0,"
                          " lease_until_ms = 0 WHERE request_id = ?1 AND finished_ms = 0"
                          " AND owner_pid IN (0, ?3) AND NOT EXISTS (SELECT 1 FROM bulk_items"
                          " WHERE request_id = ?1 AND state NOT IN " OB_BULK_FINAL ")",
                          request_id, "finishing a bulk", e) < 0
               ? -1
               : 0;
}

int outbox_bulk_release(struct outbox *ob, const char *request_id, struct err *e)
{
    return ob_bulk_update(ob, 0,
                          "UPDATE bulks SET owner_pid = 0, lease_until_ms = 0 WHERE"
                          " request_id = ?1 AND owner_pid = ?3 AND ?2 > 0",
                          request_id, "letting go of a bulk", e) < 0
               ? -1
               : 0;
}
