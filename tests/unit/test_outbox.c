/*
 * test_outbox — the send journal: schema and migrations, sealing (no clear
 * phone or body in the database files), conflict detection, state
 * transitions and the pending marker, pruning, several processes at once, and
 * kill -9 during writes followed by PRAGMA integrity_check. Every wait on a
 * child is bounded (WAIT_MS): a stuck or early-dead child fails the test, never
 * hangs it.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <poll.h>
#include <string.h>
#include <sys/stat.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "outbox.h"
#include "utf8.h"

#define CANARY_TO   "+15557654321"
#define CANARY_BODY "Canary body zq7x: interview on Tuesday?"

static char tmpdir[256];
static char dbpath[320];
static const unsigned char key[OUTBOX_KEY_BYTES] = "0123456789abcdef0123456789abcdef";

static int setup(void **state)
{
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_outbox.XXXXXX");
    if (!mkdtemp(tmpdir))
        return -1;
    snprintf(dbpath, sizeof(dbpath), "%s/data/outbox.sqlite3", tmpdir);
    outbox_set_clock(NULL);
    return 0;
}

static int teardown(void **state)
{
    char cmd[400];

    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

static struct outbox *open_ok(const unsigned char *k)
{
    struct outbox *ob = NULL;
    struct err e;

    err_clear(&e);
    if (outbox_open(&ob, dbpath, k, &e) != 0)
        fail_msg("outbox_open: %s", e.message);
    return ob;
}

static struct outbox_req req_make(const char *rid, const char *to, const char *body)
{
    struct outbox_req r = {rid, "4242", to, body, "private", 1, 0, 0, 0, 0};
    return r;
}

static int pragma_int(const char *sql)
{
    sqlite3 *db;
    sqlite3_stmt *st;
    int v = -1;

    assert_int_equal(sqlite3_open(dbpath, &db), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    if (sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
}

static void integrity_ok(void)
{
    sqlite3 *db;
    sqlite3_stmt *st;

    assert_int_equal(sqlite3_open(dbpath, &db), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(st, 0), "ok");
    sqlite3_finalize(st);
    sqlite3_close(db);
}

static int marker_exists(void)
{
    char m[400];
    struct stat sb;

    assert_int_equal(outbox_marker_path(m, sizeof(m), dbpath), 0);
    return stat(m, &sb) == 0;
}

static void test_schema(void **state)
{
    struct outbox *ob = open_ok(key);
    struct stat sb;
    char dir[320];
    sqlite3 *db;
    sqlite3_stmt *st;

    assert_int_equal(pragma_int("PRAGMA user_version"), OUTBOX_SCHEMA_VERSION);
    assert_int_equal(stat(dbpath, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);
    snprintf(dir, sizeof(dir), "%s/data", tmpdir);
    assert_int_equal(stat(dir, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0700);
    assert_int_equal(sqlite3_open(dbpath, &db), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(st, 0), "wal");
    sqlite3_finalize(st);
    sqlite3_close(db);
    outbox_close(ob);
    /* reopening an up-to-date database changes nothing */
    ob = open_ok(key);
    outbox_close(ob);
    assert_int_equal(pragma_int("PRAGMA user_version"), OUTBOX_SCHEMA_VERSION);
}

static void test_migration_from_v1(void **state)
{
    sqlite3 *db;
    char *msg = NULL;
    struct outbox *ob;
    struct outbox_counts c;
    struct err e;
    char dir[320];

    snprintf(dir, sizeof(dir), "%s/data", tmpdir);
    assert_int_equal(mkdir(dir, 0700), 0);
    assert_int_equal(close(open(dbpath, O_CREAT | O_RDWR, 0600)), 0);
    assert_int_equal(sqlite3_open(dbpath, &db), SQLITE_OK);
    /* the version-1 schema as shipped, with one finished row */
    assert_int_equal(
        sqlite3_exec(db,
                     "CREATE TABLE journal ( request_id TEXT PRIMARY KEY NOT NULL,"
                     " content_hash BLOB NOT NULL, candidate_id TEXT NOT NULL,"
                     " visibility TEXT NOT NULL, send_state TEXT NOT NULL,"
                     " note_state TEXT NOT NULL, message_id TEXT, conversation TEXT,"
                     " delivery_state TEXT, note_id TEXT, note_attempts INTEGER NOT NULL"
                     " DEFAULT 0, next_attempt_ms INTEGER NOT NULL DEFAULT 0, last_error TEXT,"
                     " send_error_code TEXT, created_ms INTEGER NOT NULL, updated_ms INTEGER"
                     " NOT NULL, sealed_to BLOB NOT NULL, sealed_body BLOB NOT NULL,"
                     " sealed_note BLOB, reply TEXT);"
                     "INSERT INTO journal (request_id, content_hash, candidate_id, visibility,"
                     " send_state, note_state, created_ms, updated_ms, sealed_to, sealed_body)"
                     " VALUES ('old-1', x'00', '1', 'private', 'sent', 'written', 1, 1, x'00',"
                     " x'00');"
                     "PRAGMA user_version = 1;",
                     NULL, NULL, &msg),
        SQLITE_OK);
    sqlite3_close(db);
    ob = open_ok(key);
    assert_int_equal(pragma_int("PRAGMA user_version"), OUTBOX_SCHEMA_VERSION);
    assert_int_equal(pragma_int("SELECT COUNT(*) FROM journal WHERE owner_pid = 0"), 1);
    err_clear(&e);
    assert_int_equal(outbox_counts(ob, &c, &e), 0);
    assert_int_equal(c.total, 1);
    assert_int_equal(c.note_written, 1);
    outbox_close(ob);
}

static void test_newer_schema_refused(void **state)
{
    struct outbox *ob = open_ok(key);
    sqlite3 *db;
    struct err e;

    outbox_close(ob);
    assert_int_equal(sqlite3_open(dbpath, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "PRAGMA user_version = 99", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    err_clear(&e);
    ob = NULL;
    assert_int_equal(outbox_open(&ob, dbpath, key, &e), -1);
    assert_null(ob);
    assert_non_null(strstr(e.message, "newer"));
    assert_int_equal(pragma_int("PRAGMA user_version"), 99);
}

/* 1 when needle occurs in the file's bytes. */
static int file_contains(const char *path, const char *needle)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    long len;
    size_t nlen = strlen(needle), i;
    int found = 0;

    if (!f)
        return 0;
    fseek(f, 0, SEEK_END);
    len = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = malloc((size_t)len + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)len, f), (size_t)len);
    fclose(f);
    for (i = 0; i + nlen <= (size_t)len && !found; i++)
        found = memcmp(buf + i, needle, nlen) == 0;
    free(buf);
    return found;
}

static void test_sealing(void **state)
{
    struct outbox *ob = open_ok(key);
    struct outbox_req r = req_make("seal-1", CANARY_TO, CANARY_BODY);
    struct outbox_entry en;
    struct err e;
    char p[400];
    unsigned char wrong[OUTBOX_KEY_BYTES];
    static const char *const suffixes[] = {"", "-wal", "-shm"};
    size_t i;

    err_clear(&e);
    assert_int_equal(outbox_journal_intent(ob, &r, &e), 1);
    assert_int_equal(outbox_mark_sent(ob, "seal-1", "/messages/abc", "/conversations/c1", "queued",
                                      "texted " CANARY_TO ": " CANARY_BODY, &e),
                     1);
    /* the ids and states are in clear, the number and body only sealed */
    for (i = 0; i < 3; i++) {
        snprintf(p, sizeof(p), "%s%s", dbpath, suffixes[i]);
        assert_false(file_contains(p, CANARY_TO));
        assert_false(file_contains(p, "5557654321"));
        assert_false(file_contains(p, "Canary body"));
    }
    snprintf(p, sizeof(p), "%s-wal", dbpath);
    assert_true(file_contains(p, "/messages/abc") || file_contains(dbpath, "/messages/abc"));
    /* round trip */
    assert_int_equal(outbox_get(ob, "seal-1", &en, &e), 1);
    assert_string_equal(en.to, CANARY_TO);
    assert_string_equal(en.body, CANARY_BODY);
    assert_string_equal(en.note_body, "texted " CANARY_TO ": " CANARY_BODY);
    assert_string_equal(en.message_id, "/messages/abc");
    assert_int_equal(en.send_state, OUTBOX_SEND_SENT);
    outbox_entry_free(&en);
    outbox_close(ob);
    /* after a checkpoint into the main file, still no clear text */
    for (i = 0; i < 3; i++) {
        snprintf(p, sizeof(p), "%s%s", dbpath, suffixes[i]);
        assert_false(file_contains(p, CANARY_TO));
        assert_false(file_contains(p, "Canary body"));
    }
    /* a different key cannot open the sealed columns */
    memcpy(wrong, key, sizeof(wrong));
    wrong[0] ^= 1;
    ob = open_ok(wrong);
    err_clear(&e);
    assert_int_equal(outbox_get(ob, "seal-1", &en, &e), -1);
    assert_int_equal(e.code, ERR_STORE_KEY_MISMATCH);
    outbox_close(ob);
}

static void test_conflict(void **state)
{
    struct outbox *ob = open_ok(key);
    struct outbox_req r = req_make("dup-1", "+13035550100", "hello");
    struct outbox_req other;
    struct outbox_entry en;
    struct err e;

    err_clear(&e);
    assert_int_equal(outbox_lookup(ob, &r, &en, &e), 0);
    assert_int_equal(outbox_journal_intent(ob, &r, &e), 1);
    /* a second journal of the same id does not insert */
    assert_int_equal(outbox_journal_intent(ob, &r, &e), 0);
    assert_int_equal(outbox_lookup(ob, &r, &en, &e), 1);
    assert_string_equal(en.request_id, "dup-1");
    assert_int_equal(en.send_state, OUTBOX_SEND_INTENT);
    outbox_entry_free(&en);

    other = r;
    other.body = "hello!";
    err_clear(&e);
    assert_int_equal(outbox_lookup(ob, &other, &en, &e), -1);
    assert_int_equal(e.code, ERR_REQUEST_ID_CONFLICT);
    other = r;
    other.to = "+13035550101";
    err_clear(&e);
    assert_int_equal(outbox_lookup(ob, &other, &en, &e), -1);
    assert_int_equal(e.code, ERR_REQUEST_ID_CONFLICT);
    other = r;
    other.candidate_id = "4243";
    err_clear(&e);
    assert_int_equal(outbox_lookup(ob, &other, &en, &e), -1);
    assert_int_equal(e.code, ERR_REQUEST_ID_CONFLICT);
    other = r;
    other.visibility = "public";
    err_clear(&e);
    assert_int_equal(outbox_lookup(ob, &other, &en, &e), -1);
    assert_int_equal(e.code, ERR_REQUEST_ID_CONFLICT);
    outbox_close(ob);
}

static void test_states_and_marker(void **state)
{
    struct outbox *ob = open_ok(key);
    struct outbox_req r = req_make("st-1", "+13035550100", "hello");
    struct outbox_req r2 = req_make("st-2", "+13035550100", "hello again");
    struct outbox_entry en;
    struct outbox_counts c;
    struct err e;
    int prior = -1;
    char ids[8][OUTBOX_REQUEST_ID_MAX + 1];
    size_t n;

    err_clear(&e);
    assert_false(marker_exists());
    assert_int_equal(outbox_journal_intent(ob, &r, &e), 1);
    assert_true(marker_exists());
    /* no note claim before the send is known */
    assert_int_equal(outbox_note_claim(ob, "st-1", 1, 0, &prior, &e), 0);
    assert_int_equal(outbox_mark_sent(ob, "st-1", "/messages/m1", "/conversations/c1", "queued",
                                      "note [textus:/messages/m1]", &e),
                     1);
    assert_int_equal(outbox_mark_sent(ob, "st-1", "/messages/m2", NULL, NULL, "x", &e), 0);
    assert_int_equal(outbox_mark_unknown(ob, "st-1", "late", &e), 0);
    assert_true(marker_exists());
    assert_int_equal(outbox_note_claim(ob, "st-1", 1, 0, &prior, &e), 1);
    assert_int_equal(prior, 0);
    assert_int_equal(outbox_note_failed(ob, "st-1", 0, "HTTP 503", outbox_now_ms() + 60000, &e), 1);
    /* not due yet without force */
    assert_int_equal(outbox_note_claim(ob, "st-1", 0, 0, &prior, &e), 0);
    assert_int_equal(outbox_note_claim(ob, "st-1", 1, 0, &prior, &e), 1);
    assert_int_equal(prior, 1);
    assert_int_equal(outbox_note_written(ob, "st-1", "9001", &e), 1);
    assert_false(marker_exists());
    assert_int_equal(outbox_get(ob, "st-1", &en, &e), 1);
    assert_int_equal(en.note_state, OUTBOX_NOTE_WRITTEN);
    assert_string_equal(en.note_id, "9001");
    assert_int_equal(en.note_attempts, 2);
    assert_string_equal(en.message_id, "/messages/m1");
    outbox_entry_free(&en);

    /* unknown, then stopped notes */
    assert_int_equal(outbox_journal_intent(ob, &r2, &e), 1);
    assert_int_equal(outbox_mark_unknown(ob, "st-2", "timeout", &e), 1);
    assert_true(marker_exists());
    assert_int_equal(outbox_ids(ob, OUTBOX_SELECT_WORK, ids, 8, &n, &e), 0);
    assert_int_equal(n, 1);
    assert_string_equal(ids[0], "st-2");
    assert_int_equal(outbox_claim_send(ob, "st-2", &e), 1);
    assert_int_equal(outbox_mark_sent(ob, "st-2", "/messages/m3", NULL, NULL, "n", &e), 1);
    assert_int_equal(outbox_note_claim(ob, "st-2", 1, 0, &prior, &e), 1);
    assert_int_equal(outbox_note_failed(ob, "st-2", 1, "greenhouse_permission: Add Note", 0, &e),
                     1);
    assert_false(marker_exists()); /* stopped work needs a person, not a flush at start */
    assert_int_equal(outbox_note_claim(ob, "st-2", 1, 0, &prior, &e), 0);
    assert_int_equal(outbox_counts(ob, &c, &e), 0);
    assert_int_equal(c.total, 2);
    assert_int_equal(c.note_stopped, 1);
    assert_int_equal(c.note_written, 1);
    assert_non_null(strstr(c.stopped_error, "Add Note"));
    assert_int_equal(outbox_ids(ob, OUTBOX_SELECT_WORK_STOPPED, ids, 8, &n, &e), 0);
    assert_int_equal(n, 1);
    assert_int_equal(outbox_note_claim(ob, "st-2", 1, 1, &prior, &e), 1);
    assert_int_equal(outbox_note_written(ob, "st-2", "9002", &e), 1);
    assert_int_equal(outbox_forget(ob, "st-2", &e), 0); /* sent rows are never forgotten */
    outbox_close(ob);
}

static int64_t fake_now;
static int64_t fake_clock(void)
{
    return fake_now;
}

static void test_prune(void **state)
{
    struct outbox *ob = open_ok(key);
    struct outbox_req a = req_make("old-done", "+13035550100", "a");
    struct outbox_req b = req_make("old-pending", "+13035550100", "b");
    struct outbox_req c = req_make("new-done", "+13035550100", "c");
    struct outbox_counts cnt;
    struct err e;
    int prior;

    err_clear(&e);
    fake_now = 1700000000000LL;
    outbox_set_clock(fake_clock);
    assert_int_equal(outbox_journal_intent(ob, &a, &e), 1);
    assert_int_equal(outbox_mark_sent(ob, "old-done", "/messages/1", NULL, NULL, "n", &e), 1);
    assert_int_equal(outbox_note_claim(ob, "old-done", 1, 0, &prior, &e), 1);
    assert_int_equal(outbox_note_written(ob, "old-done", "1", &e), 1);
    assert_int_equal(outbox_journal_intent(ob, &b, &e), 1);
    assert_int_equal(outbox_mark_sent(ob, "old-pending", "/messages/2", NULL, NULL, "n", &e), 1);
    fake_now += 29LL * 24 * 3600 * 1000;
    assert_int_equal(outbox_journal_intent(ob, &c, &e), 1);
    assert_int_equal(outbox_mark_not_sent(ob, "new-done", "textus_rejected", "422", &e), 1);
    assert_int_equal(outbox_prune(ob, fake_now, &e), 0);
    fake_now += 2LL * 24 * 3600 * 1000; /* 31 days after the first rows */
    assert_int_equal(outbox_prune(ob, fake_now, &e), 1);
    assert_int_equal(outbox_counts(ob, &cnt, &e), 0);
    assert_int_equal(cnt.total, 2); /* the pending note is kept however old */
    assert_int_equal(cnt.note_pending, 1);
    assert_int_equal(cnt.not_sent, 1);
    outbox_set_clock(NULL);
    outbox_close(ob);
}

/* A child process: journal `n` ids of its own plus the shared one; exit 10 + (shared inserted). */
static void child_work(int idx, int n)
{
    struct outbox *ob = NULL;
    struct err e;
    char rid[64];
    int i, won;
    struct outbox_req shared = req_make("shared", "+13035550199", "same for all");

    err_clear(&e);
    if (outbox_open(&ob, dbpath, key, &e) != 0)
        _exit(1);
    for (i = 0; i < n; i++) {
        struct outbox_req r;
        snprintf(rid, sizeof(rid), "p%d-%d", idx, i);
        r = req_make(rid, "+13035550100", "concurrent");
        if (outbox_journal_intent(ob, &r, &e) != 1)
            _exit(2);
        if (outbox_mark_sent(ob, rid, "/messages/x", NULL, NULL, "n", &e) != 1)
            _exit(3);
    }
    won = outbox_journal_intent(ob, &shared, &e);
    if (won < 0)
        _exit(4);
    outbox_close(ob);
    _exit(10 + won);
}

#define WAIT_MS 60000

/* Reap pid within ms; on timeout SIGKILL and reap it. 0 when it exited by itself. */
static int wait_bounded(pid_t pid, int *status, long ms)
{
    long waited = 0;

    for (;;) {
        pid_t r = waitpid(pid, status, WNOHANG);
        if (r == pid)
            return 0;
        if (r < 0 && errno != EINTR)
            return -1;
        if (waited >= ms) {
            kill(pid, SIGKILL);
            while (waitpid(pid, status, 0) < 0 && errno == EINTR)
                ;
            return -1;
        }
        usleep(10000);
        waited += 10;
    }
}

/* 0 when fd delivers one byte within ms; -1 on timeout, EOF (the writer exited) or error. */
static int ready_bounded(int fd, int ms, const char *who)
{
    struct pollfd p;
    char c;
    int r;

    p.fd = fd;
    p.events = POLLIN;
    p.revents = 0;
    do {
        r = poll(&p, 1, ms);
    } while (r < 0 && errno == EINTR);
    if (r == 0) {
        print_error("%s: not ready within %d ms\n", who, ms);
        return -1;
    }
    if (r < 0) {
        print_error("%s: poll: %s\n", who, strerror(errno));
        return -1;
    }
    if (read(fd, &c, 1) != 1) {
        print_error("%s: exited before finishing its first round\n", who);
        return -1;
    }
    return 0;
}

static void test_concurrency(void **state)
{
    enum { NPROC = 4, NEACH = 15 };
    pid_t pids[NPROC];
    struct outbox *ob = open_ok(key); /* creates the schema before the race */
    struct outbox_counts c;
    struct err e;
    int i, status = 0, wins = 0;

    int bad = 0, forked = 0;

    outbox_close(ob);
    fflush(NULL);
    for (i = 0; i < NPROC; i++) {
        pids[i] = fork();
        if (pids[i] < 0)
            break;
        if (pids[i] == 0)
            child_work(i, NEACH);
        forked++;
    }
    for (i = 0; i < forked; i++) {
        if (wait_bounded(pids[i], &status, WAIT_MS) != 0) {
            print_error("writer %d: still running after %d ms (killed)\n", i, WAIT_MS);
            bad++;
        } else if (!WIFEXITED(status) || (WEXITSTATUS(status) != 10 && WEXITSTATUS(status) != 11)) {
            print_error("writer %d: ended with status 0x%x\n", i, (unsigned)status);
            bad++;
        } else {
            wins += WEXITSTATUS(status) - 10;
        }
    }
    if (forked != NPROC || bad)
        fail_msg("concurrency: %d of %d writers forked, %d failed", forked, NPROC, bad);
    assert_int_equal(wins, 1); /* exactly one process journaled the shared request */
    ob = open_ok(key);
    err_clear(&e);
    assert_int_equal(outbox_counts(ob, &c, &e), 0);
    assert_int_equal(c.total, NPROC * NEACH + 1);
    assert_int_equal(c.sent, NPROC * NEACH);
    assert_int_equal(c.intent, 1);
    outbox_close(ob);
    integrity_ok();
}

/* Write forever until killed; one byte to ready_fd after the first full round. */
static void child_writer(int idx, int ready_fd)
{
    struct outbox *ob = NULL;
    struct err e;
    char rid[64];
    int i, prior;

#ifdef __linux__
    prctl(PR_SET_PDEATHSIG, SIGKILL); /* never outlive a failed test */
#endif
    err_clear(&e);
    if (outbox_open(&ob, dbpath, key, &e) != 0) {
        fprintf(stderr, "writer %d: open: %s\n", idx, e.message);
        _exit(1);
    }
    for (i = 0;; i++) {
        struct outbox_req r;
        snprintf(rid, sizeof(rid), "k%d-%d-%d", idx, (int)getpid(), i);
        r = req_make(rid, "+13035550100", "kill me while I write");
        if (outbox_journal_intent(ob, &r, &e) != 1 ||
            outbox_mark_sent(ob, rid, "/messages/k", NULL, NULL, "note", &e) != 1 ||
            outbox_note_claim(ob, rid, 1, 0, &prior, &e) != 1 ||
            outbox_note_written(ob, rid, "1", &e) != 1) {
            fprintf(stderr, "writer %d: round %d: %s\n", idx, i, e.message);
            _exit(2);
        }
        if (i == 0 && write(ready_fd, "r", 1) != 1)
            _exit(3);
        usleep(500); /* a host writes a few rows per click, not in a tight loop */
    }
}

static void test_kill9(void **state)
{
    struct outbox *ob = open_ok(key);
    char ids[4096][OUTBOX_REQUEST_ID_MAX + 1];
    struct outbox_entry en;
    struct err e;
    size_t n, i;
    int round, status = 0;

    outbox_close(ob);
    for (round = 0; round < 6; round++) {
        int ra[2], rb[2], ok;
        pid_t a, b;

        assert_int_equal(pipe(ra), 0);
        if (pipe(rb) != 0) {
            close(ra[0]);
            close(ra[1]);
            fail_msg("pipe: %s", strerror(errno));
        }
        fflush(NULL);
        a = fork();
        if (a == 0) { /* only its own write end */
            close(ra[0]);
            close(rb[0]);
            close(rb[1]);
            child_writer(0, ra[1]);
        }
        close(ra[1]); /* the parent reads; EOF when the writer is gone */
        b = a < 0 ? -1 : fork();
        if (b == 0) {
            close(ra[0]);
            close(rb[0]);
            child_writer(1, rb[1]);
        }
        close(rb[1]);
        /* both are writing (each finished a round), then kill mid-stream; a writer that
         * died early (EOF) or hangs fails the test within WAIT_MS */
        ok = a > 0 && b > 0 && ready_bounded(ra[0], WAIT_MS, "writer 0") == 0 &&
             ready_bounded(rb[0], WAIT_MS, "writer 1") == 0;
        close(ra[0]);
        close(rb[0]);
        if (ok)
            usleep((useconds_t)(2000 + 7000 * round));
        if (a > 0)
            kill(a, SIGKILL);
        if (b > 0)
            kill(b, SIGKILL);
        /* still writing when killed, not failed */
        if (a > 0 && (wait_bounded(a, &status, WAIT_MS) != 0 || !WIFSIGNALED(status)))
            ok = 0;
        if (b > 0 && (wait_bounded(b, &status, WAIT_MS) != 0 || !WIFSIGNALED(status)))
            ok = 0;
        if (!ok)
            fail_msg("kill9 round %d: a writer could not be started, died early or hung", round);
    }
    integrity_ok();
    ob = open_ok(key);
    err_clear(&e);
    assert_int_equal(outbox_ids(ob, OUTBOX_SELECT_ALL, ids, 4096, &n, &e), 0);
    assert_true(n > 0);
    for (i = 0; i < n; i++) {
        assert_int_equal(outbox_get(ob, ids[i], &en, &e), 1);
        assert_string_equal(en.to, "+13035550100");
        outbox_entry_free(&en);
    }
    outbox_close(ob);
}

/* A sent text makes a thread of (candidate, number): the first text is where replies start. */
static void sent_row(struct outbox *ob, const char *rid, const char *cand, const char *to,
                     const char *mid)
{
    struct outbox_req r = req_make(rid, to, "hello");
    struct err e;

    r.candidate_id = cand;
    err_clear(&e);
    assert_int_equal(outbox_journal_intent(ob, &r, &e), 1);
    assert_int_equal(outbox_mark_sent(ob, rid, mid, "/conversations/c1", "queued", "note", &e), 1);
}

static void test_threads(void **state)
{
    struct outbox *ob = open_ok(key);
    struct outbox_thread th, due[8];
    struct err e;
    size_t n, i;

    outbox_set_clock(fake_clock);
    fake_now = 1000000;
    err_clear(&e);
    assert_int_equal(outbox_thread_get(ob, "4242", CANARY_TO, &th, &e), 0);
    sent_row(ob, "t-1", "4242", CANARY_TO, "/messages/first");
    fake_now = 2000000;
    sent_row(ob, "t-2", "4242", CANARY_TO, "/messages/second");
    assert_int_equal(outbox_thread_get(ob, "4242", CANARY_TO, &th, &e), 1);
    assert_string_equal(th.to, CANARY_TO);
    assert_int_equal(th.first_sent_ms, 1000000);
    assert_string_equal(th.first_message_id, "/messages/first");
    assert_int_equal(th.last_sent_ms, 2000000);
    assert_string_equal(th.seen_message_id, "");
    outbox_thread_free(&th);
    /* another candidate at the same number is another thread; so is another number */
    assert_int_equal(outbox_thread_get(ob, "4243", CANARY_TO, &th, &e), 0);
    fake_now = 3000000;
    sent_row(ob, "t-3", "4243", CANARY_TO, "/messages/third");
    fake_now = 4000000;
    sent_row(ob, "t-4", "4242", "+13035550111", "/messages/fourth");
    /* a read is recorded; the number is sealed in the threads table too */
    assert_int_equal(outbox_thread_read(ob, "4242", CANARY_TO, "/messages/seen", NULL, 1, &e), 0);
    assert_int_equal(outbox_thread_get(ob, "4242", CANARY_TO, &th, &e), 1);
    assert_string_equal(th.seen_message_id, "/messages/seen");
    assert_int_equal(th.checked_ms, 4000000);
    assert_int_equal(th.head.in, 0); /* not known yet (schema 5) */
    assert_int_equal(th.head.since_ms, -1);
    assert_int_equal(th.head.closed, 0);
    outbox_thread_free(&th);
    {
        /* the candidate's messages in a row as of that read, kept with it */
        const struct outbox_thread_head h = {.in = 3, .since_ms = 3500000, .closed = 1};
        assert_int_equal(outbox_thread_read(ob, "4242", CANARY_TO, "/messages/seen2", &h, 1, &e),
                         0);
        assert_int_equal(outbox_thread_get(ob, "4242", CANARY_TO, &th, &e), 1);
        assert_int_equal(th.head.in, 3);
        assert_int_equal(th.head.since_ms, 3500000);
        assert_int_equal(th.head.closed, 1);
        outbox_thread_free(&th);
        assert_int_equal(outbox_thread_read(ob, "4242", CANARY_TO, "/messages/seen", NULL, 1, &e),
                         0);
    }
    assert_int_equal(outbox_thread_read(ob, "4242", CANARY_TO, NULL, NULL, 0, &e), 0);
    assert_int_equal(outbox_thread_get(ob, "4242", CANARY_TO, &th, &e), 1);
    assert_string_equal(th.seen_message_id, "/messages/seen"); /* NULL keeps it */
    assert_int_equal(th.head.in, 3);                           /* NULL keeps it */
    outbox_thread_free(&th);
    /* due: half the newest by their latest text, then those read longest ago */
    assert_int_equal(outbox_threads_due(ob, 0, due, 2, &n, &e), 0);
    assert_int_equal(n, 2);
    assert_string_equal(due[0].to, "+13035550111");   /* newest text */
    assert_string_equal(due[1].candidate_id, "4243"); /* never read, before the one read at 4e6 */
    for (i = 0; i < n; i++)
        outbox_thread_free(&due[i]);
    assert_int_equal(outbox_threads_due(ob, 2500000, due, 8, &n, &e), 0);
    assert_int_equal(n, 2); /* texted since 2.5e6 */
    for (i = 0; i < n; i++)
        outbox_thread_free(&due[i]);
    /* half a year after its latest text a thread is pruned (its replies no longer looked for) */
    assert_true(outbox_prune(ob, 2000000 + OUTBOX_THREAD_AGE_MS + 1, &e) >= 0);
    assert_int_equal(outbox_thread_get(ob, "4242", CANARY_TO, &th, &e), 0);
    assert_int_equal(outbox_thread_get(ob, "4242", "+13035550111", &th, &e), 1);
    outbox_thread_free(&th);
    outbox_close(ob);
    outbox_set_clock(NULL);
    assert_false(file_contains(dbpath, CANARY_TO));
}

static void test_reply_ids_and_journal(void **state)
{
    struct outbox *ob = open_ok(key);
    struct outbox_reply rep = {"4242",         CANARY_TO,
                               "/messages/R1", "/conversations/c1",
                               CANARY_BODY,    "reply note " CANARY_BODY,
                               "private"};
    struct outbox_entry en;
    struct outbox_counts c;
    struct err e;
    char id[OUTBOX_REQUEST_ID_MAX + 1], ids[4][OUTBOX_REQUEST_ID_MAX + 1];
    size_t n;
    int prior = -1;

    assert_int_equal(outbox_reply_id(id, "4242", "/messages/R1"), 0);
    assert_string_equal(id, "reply:4242:R1");
    assert_true(outbox_reply_id_ok(id));
    /* a message id that is not a short slug is hashed, never copied */
    assert_int_equal(outbox_reply_id(id, "4242", "/messages/a/b?c"), 0);
    assert_int_equal(strncmp(id, "reply:4242:~", 12), 0);
    assert_int_equal(strlen(id), 12 + 32);
    assert_true(outbox_reply_id_ok(id));
    assert_int_equal(outbox_reply_id(id, "123456789012345678",
                                     "/messages/"
                                     "abcdefghijabcdefghijabcdefghijabcdefghi"),
                     0);
    assert_true(strlen(id) <= OUTBOX_REQUEST_ID_MAX);
    assert_int_equal(outbox_reply_id(id, "12a", "/messages/R1"), -1);
    assert_false(outbox_reply_id_ok("reply:4242:"));
    assert_false(outbox_reply_id_ok("reply::R1"));
    assert_false(outbox_reply_id_ok("reply:4242:R1/x"));
    assert_false(outbox_reply_id_ok("send-1"));

    err_clear(&e);
    assert_int_equal(outbox_journal_reply(ob, &rep, &e), 1);
    assert_int_equal(outbox_journal_reply(ob, &rep, &e), 0); /* once, whoever sees it again */
    assert_int_equal(outbox_get(ob, "reply:4242:R1", &en, &e), 1);
    assert_true(en.is_reply);
    assert_int_equal(en.send_state, OUTBOX_SEND_SENT);
    assert_int_equal(en.note_state, OUTBOX_NOTE_PENDING);
    assert_string_equal(en.to, CANARY_TO);
    assert_string_equal(en.body, CANARY_BODY);
    assert_string_equal(en.note_body, "reply note " CANARY_BODY);
    assert_string_equal(en.message_id, "/messages/R1");
    outbox_entry_free(&en);
    assert_true(marker_exists()); /* a reply's note to write is work for the next host */
    assert_int_equal(outbox_reply_ids(ob, "4242", ids, 4, &n, &e), 0);
    assert_int_equal(n, 1);
    assert_int_equal(outbox_reply_ids(ob, "4243", ids, 4, &n, &e), 0);
    assert_int_equal(n, 0);
    assert_int_equal(outbox_replies_waiting(ob, "4242", &e), 1);
    /* counted as a reply, not as a text */
    assert_int_equal(outbox_counts(ob, &c, &e), 0);
    assert_int_equal(c.total, 0);
    assert_int_equal(c.note_pending, 0);
    assert_int_equal(c.reply_pending, 1);
    assert_int_equal(outbox_ids(ob, OUTBOX_SELECT_ALL, ids, 4, &n, &e), 0);
    assert_int_equal(n, 0);
    assert_int_equal(outbox_ids(ob, OUTBOX_SELECT_REPLIES, ids, 4, &n, &e), 0);
    assert_int_equal(n, 1);
    assert_int_equal(outbox_ids(ob, OUTBOX_SELECT_WORK, ids, 4, &n, &e), 0);
    assert_int_equal(n, 1);
    /* its note goes through the same claim and states as a send's */
    assert_int_equal(outbox_note_claim(ob, "reply:4242:R1", 1, 0, &prior, &e), 1);
    assert_int_equal(prior, 0);
    assert_int_equal(outbox_note_written(ob, "reply:4242:R1", "77", &e), 1);
    assert_int_equal(outbox_counts(ob, &c, &e), 0);
    assert_int_equal(c.reply_written, 1);
    assert_int_equal(c.reply_pending, 0);
    assert_int_equal(outbox_replies_waiting(ob, "4242", &e), 0);
    assert_false(marker_exists());
    outbox_close(ob);
    assert_false(file_contains(dbpath, "Canary body"));
}

/* The candidate's name on a thread (schema 4): sealed like the number; Greenhouse's replaces,
 * the TextUs contact's only fills a thread without one; a schema-3 outbox gains the column. */
static void test_thread_name(void **state)
{
    struct outbox *ob = open_ok(key);
    struct outbox_thread th;
    struct err e;
    sqlite3 *db;
    char *msg = NULL;

    (void)state;
    err_clear(&e);
    assert_int_equal(outbox_thread_name(ob, "4242", CANARY_TO, "Zq7x Nobody", 1, &e), 0);
    sent_row(ob, "n-1", "4242", CANARY_TO, "/messages/n1");
    assert_int_equal(outbox_thread_get(ob, "4242", CANARY_TO, &th, &e), 1);
    assert_string_equal(th.name, "");
    outbox_thread_free(&th);
    assert_int_equal(outbox_thread_name(ob, "4242", CANARY_TO, "Zq7x Contact", 0, &e), 1);
    assert_int_equal(outbox_thread_name(ob, "4242", CANARY_TO, "Zq7x Other", 0, &e), 0);
    assert_int_equal(outbox_thread_get(ob, "4242", CANARY_TO, &th, &e), 1);
    assert_string_equal(th.name, "Zq7x Contact");
    outbox_thread_free(&th);
    assert_int_equal(outbox_thread_name(ob, "4242", CANARY_TO, "Zq7x Greenhouse", 1, &e), 1);
    assert_int_equal(outbox_thread_name(ob, "4242", CANARY_TO, "", 1, &e), 0);
    assert_int_equal(outbox_thread_get(ob, "4242", CANARY_TO, &th, &e), 1);
    assert_string_equal(th.name, "Zq7x Greenhouse");
    outbox_thread_free(&th);
    outbox_close(ob);
    assert_false(file_contains(dbpath, "Zq7x"));
    /* back to schema 3: the column goes, and comes back empty with the migration */
    assert_int_equal(sqlite3_open(dbpath, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db,
                                  "ALTER TABLE threads DROP COLUMN sealed_name;"
                                  " ALTER TABLE threads DROP COLUMN head_in;"
                                  " ALTER TABLE threads DROP COLUMN head_since_ms;"
                                  " ALTER TABLE threads DROP COLUMN head_closed;"
                                  " PRAGMA user_version = 3;",
                                  NULL, NULL, &msg),
                     SQLITE_OK);
    sqlite3_close(db);
    ob = open_ok(key);
    assert_int_equal(pragma_int("PRAGMA user_version"), OUTBOX_SCHEMA_VERSION);
    assert_int_equal(outbox_thread_get(ob, "4242", CANARY_TO, &th, &e), 1);
    assert_string_equal(th.name, "");
    outbox_thread_free(&th);
    assert_int_equal(outbox_thread_name(ob, "4242", CANARY_TO, "Zq7x Again", 0, &e), 1);
    outbox_close(ob);
}

static void test_migration_from_v2(void **state)
{
    struct outbox *ob = open_ok(key);
    struct outbox_thread th;
    struct err e;
    sqlite3 *db;
    char *msg = NULL;

    sent_row(ob, "old-sent", "4242", CANARY_TO, "/messages/old");
    outbox_close(ob);
    /* back to the version-2 schema, with its sent row (threads, kinds, scheduled times and
     * quiet-hours overrides did not exist) */
    assert_int_equal(sqlite3_open(dbpath, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db,
                                  "DROP TABLE threads; DROP INDEX journal_candidate;"
                                  " ALTER TABLE journal DROP COLUMN kind;"
                                  " ALTER TABLE journal DROP COLUMN send_at_ms;"
                                  " ALTER TABLE journal DROP COLUMN quiet_override;"
                                  " INSERT INTO journal (request_id, content_hash, candidate_id,"
                                  " visibility, send_state, note_state, created_ms, updated_ms,"
                                  " sealed_to, sealed_body) VALUES ('damaged', x'00', '9', "
                                  "'private', 'sent', 'written', 1, 1, x'00', x'00');"
                                  " PRAGMA user_version = 2;",
                                  NULL, NULL, &msg),
                     SQLITE_OK);
    sqlite3_close(db);
    ob = open_ok(key); /* a row that does not open does not stop the migration */
    assert_int_equal(pragma_int("PRAGMA user_version"), OUTBOX_SCHEMA_VERSION);
    err_clear(&e);
    assert_int_equal(outbox_thread_get(ob, "4242", CANARY_TO, &th, &e), 1);
    assert_string_equal(th.first_message_id, "/messages/old");
    outbox_thread_free(&th);
    assert_int_equal(pragma_int("SELECT COUNT(*) FROM journal WHERE kind = 'send'"), 2);
    outbox_close(ob);
}

/*
 * Several host processes opening a brand-new outbox at the same moment (a fresh state
 * folder, Chrome starting hosts for several tabs): every open succeeds. Switching the new
 * database to WAL takes its exclusive lock, and SQLite reports SQLITE_BUSY for that without
 * waiting; before ob_enable_wal one open in about ten such races failed with store_io
 * ("the outbox database is busy (enabling WAL)").
 */
static void test_first_open_race(void **state)
{
    enum { NPROC = 8, ROUNDS = 25 };
    int round, bad = 0;

    for (round = 0; round < ROUNDS && !bad; round++) {
        pid_t pids[NPROC];
        int gate[2], i, forked = 0, status = 0;
        char db[400];

        snprintf(db, sizeof(db), "%s/race%d/outbox.sqlite3", tmpdir, round);
        assert_int_equal(pipe(gate), 0);
        fflush(NULL);
        for (i = 0; i < NPROC; i++) {
            pids[i] = fork();
            if (pids[i] < 0)
                break;
            if (pids[i] == 0) {
                struct outbox *ob = NULL;
                struct err e;
                char c;
                close(gate[1]);
                if (read(gate[0], &c, 1) < 0) /* every child starts when the gate closes (EOF) */
                    _exit(2);
                err_clear(&e);
                if (outbox_open(&ob, db, key, &e) != 0) {
                    fprintf(stderr, "open race: %s\n", e.message);
                    _exit(1);
                }
                outbox_close(ob);
                _exit(0);
            }
            forked++;
        }
        close(gate[0]);
        close(gate[1]); /* open the gate */
        for (i = 0; i < forked; i++) {
            if (wait_bounded(pids[i], &status, WAIT_MS) != 0 || !WIFEXITED(status) ||
                WEXITSTATUS(status) != 0)
                bad++;
        }
        if (forked != NPROC)
            fail_msg("open race: %d of %d processes forked", forked, NPROC);
    }
    if (bad)
        fail_msg("open race: %d opens failed in round %d", bad, round);
}

/* Process B of the lease race: at fake time `at`, take the note of rid over. Exits 0 when the
 * claim succeeded with prior attempts >= 1 (it must look in the feed first), else 1. */
static void child_take_over(const char *rid, int64_t at)
{
    struct outbox *ob = NULL;
    struct err e;
    int prior = -1;

    err_clear(&e);
    fake_now = at;
    if (outbox_open(&ob, dbpath, key, &e) != 0)
        _exit(2);
    if (outbox_note_claim(ob, rid, 1, 0, &prior, &e) != 1 || prior < 1)
        _exit(1);
    outbox_close(ob);
    _exit(0);
}

/*
 * A note is posted only by the process that holds its claim: the owner re-takes it right
 * before each POST (owner and unexpired lease, extended); once another process has taken
 * it over (the lease ran out), the renewal fails and a late failure does not release the new
 * owner's claim. A claim taken over counts as an earlier attempt (the feed is searched).
 */
static void test_note_lease(void **state)
{
    struct outbox *ob = open_ok(key);
    struct outbox_req a = req_make("lease-a", "+13035550100", "a");
    struct outbox_req b = req_make("lease-b", "+13035550100", "b");
    struct outbox_entry en;
    struct err e;
    int64_t t0 = 1700000000000LL, lease;
    int status = 0;
    pid_t pid;

    err_clear(&e);
    fake_now = t0;
    outbox_set_clock(fake_clock);
    assert_int_equal(outbox_lease_ms(ob), OUTBOX_LEASE_MS);
    outbox_set_lease_ms(ob, 1000); /* never shorter than OUTBOX_LEASE_MS */
    assert_int_equal(outbox_lease_ms(ob), OUTBOX_LEASE_MS);
    outbox_set_lease_ms(ob, 300000);
    lease = outbox_lease_ms(ob);
    assert_int_equal(lease, 300000);

    /* A: the message id with the note's first claim, then a renewal that extends the lease */
    assert_int_equal(outbox_journal_intent(ob, &a, &e), 1);
    assert_int_equal(outbox_mark_sent_claim(ob, "lease-a", "/messages/la", NULL, NULL, "n", &e), 1);
    assert_int_equal(outbox_get(ob, "lease-a", &en, &e), 1);
    assert_int_equal(en.owner_pid, (int64_t)getpid());
    assert_int_equal(en.lease_until_ms, t0 + lease);
    outbox_entry_free(&en);
    fake_now = t0 + lease - 1;
    assert_int_equal(outbox_note_renew(ob, "lease-a", &e), 1);
    assert_int_equal(outbox_get(ob, "lease-a", &en, &e), 1);
    assert_int_equal(en.lease_until_ms, fake_now + lease);
    outbox_entry_free(&en);
    /* an expired lease is not renewed, even when nobody took it over */
    fake_now += lease;
    assert_int_equal(outbox_note_renew(ob, "lease-a", &e), 0);

    /* B takes it over (A's lease ran out); A may then neither renew nor journal a failure */
    fflush(NULL);
    pid = fork();
    if (pid == 0)
        child_take_over("lease-a", fake_now + 1);
    assert_true(pid > 0);
    assert_int_equal(wait_bounded(pid, &status, WAIT_MS), 0);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    assert_int_equal(outbox_note_renew(ob, "lease-a", &e), 0);
    assert_int_equal(outbox_note_failed(ob, "lease-a", 0, "HTTP 503", fake_now, &e), 0);
    assert_int_equal(outbox_get(ob, "lease-a", &en, &e), 1);
    assert_int_equal(en.owner_pid, (int64_t)pid); /* still B's claim */
    assert_int_equal(en.note_attempts, 2);
    assert_int_equal(en.note_state, OUTBOX_NOTE_PENDING);
    outbox_entry_free(&en);

    /* a claim taken over before any note attempt was counted still looks in the feed:
     * (the intent's owner is this process; B claims with prior attempts >= 1) */
    assert_int_equal(outbox_journal_intent(ob, &b, &e), 1);
    assert_int_equal(outbox_mark_sent(ob, "lease-b", "/messages/lb", NULL, NULL, "n", &e), 1);
    fflush(NULL);
    pid = fork();
    if (pid == 0)
        child_take_over("lease-b", fake_now + 2 * lease);
    assert_true(pid > 0);
    assert_int_equal(wait_bounded(pid, &status, WAIT_MS), 0);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    /* not a renewal of a row whose note is not pending */
    assert_int_equal(outbox_note_written(ob, "lease-b", "77", &e), 1);
    assert_int_equal(outbox_note_renew(ob, "lease-b", &e), 0);
    outbox_set_clock(NULL);
    outbox_close(ob);
}

/* A stopped note's reason longer than the journal's column buffer (last_error, 256 bytes)
 * reads to its reader (send's reply, outbox list, flush, dismiss, doctor, the report) cut at
 * a word with "…", never mid-word and never inside a UTF-8 character. */
static void test_long_reason_cut_at_word(void **state)
{
    static const char why[] =
        "greenhouse_permission: Greenhouse refused to add the note (403 You don't have access "
        "to that record): the Harvest v3 credential may lack the scope "
        "harvest:candidates:notes:create, or (not documented; a third-party client reports it) "
        "the credential's subject is not a Site Admin — ask your Greenhouse admin, then retry "
        "the note from the outbox";
    struct outbox *ob = open_ok(key);
    struct outbox_req r = req_make("long-1", "+13035550100", "hello");
    struct outbox_entry en;
    struct outbox_counts c;
    struct err e;
    int prior = -1;
    const char *got[2];
    size_t i, n;

    (void)state;
    err_clear(&e);
    assert_true(strlen(why) >= sizeof(en.last_error));
    assert_int_equal(outbox_journal_intent(ob, &r, &e), 1);
    assert_int_equal(outbox_mark_sent(ob, "long-1", "/messages/m9", NULL, NULL, "n", &e), 1);
    assert_int_equal(outbox_note_claim(ob, "long-1", 1, 0, &prior, &e), 1);
    assert_int_equal(outbox_note_failed(ob, "long-1", 1, why, 0, &e), 1);
    assert_int_equal(outbox_get(ob, "long-1", &en, &e), 1);
    assert_int_equal(outbox_counts(ob, &c, &e), 0);
    got[0] = en.last_error;
    got[1] = c.stopped_error;
    for (i = 0; i < 2; i++) {
        n = strlen(got[i]);
        assert_true(n >= 4 && n < 256);
        /* ends with "…", the rest a prefix of the reason that ends where a word ends */
        assert_memory_equal(got[i] + n - 3, "\xe2\x80\xa6", 3);
        assert_memory_equal(got[i], why, n - 3);
        assert_non_null(strchr(" ,;:(-/", why[n - 3])); /* the word was whole */
        assert_true(got[i][n - 4] != ' ');
        assert_true(utf8_valid(got[i], n));
    }
    outbox_entry_free(&en);
    outbox_close(ob);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_schema, setup, teardown),
        cmocka_unit_test_setup_teardown(test_migration_from_v1, setup, teardown),
        cmocka_unit_test_setup_teardown(test_newer_schema_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sealing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_conflict, setup, teardown),
        cmocka_unit_test_setup_teardown(test_states_and_marker, setup, teardown),
        cmocka_unit_test_setup_teardown(test_prune, setup, teardown),
        cmocka_unit_test_setup_teardown(test_concurrency, setup, teardown),
        cmocka_unit_test_setup_teardown(test_first_open_race, setup, teardown),
        cmocka_unit_test_setup_teardown(test_kill9, setup, teardown),
        cmocka_unit_test_setup_teardown(test_threads, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reply_ids_and_journal, setup, teardown),
        cmocka_unit_test_setup_teardown(test_migration_from_v2, setup, teardown),
        cmocka_unit_test_setup_teardown(test_thread_name, setup, teardown),
        cmocka_unit_test_setup_teardown(test_note_lease, setup, teardown),
        cmocka_unit_test_setup_teardown(test_long_reason_cut_at_word, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
