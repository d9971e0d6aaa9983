/*
 * test_store — the credential store through its C API: round trip, every
 * tamper region, truncation, wrong and missing key, permission refusal, rekey
 * (and its crash recovery with failpoints), a full-disk write, concurrent
 * updates from forked processes, derived keys, the cache, the shape checks and
 * the settings_* exports, and store_update creating nothing for an edit that refuses
 * (and running the edit again on a store written meanwhile). Each test runs in a fresh
 * TEXTUS_HOST_HOME.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "config.h"
#include "paths.h"
#include "store.h"

#define CANARY "canary-SECRET-7f3a9b2c4d5e"

static char root[256];

/* ---- helpers ------------------------------------------------------------------ */

static const void *find_bytes(const unsigned char *hay, size_t n, const char *needle, size_t m)
{
    size_t i;

    for (i = 0; m <= n && i <= n - m; i++) {
        if (memcmp(hay + i, needle, m) == 0)
            return hay + i;
    }
    return NULL;
}

static int setup(void **state)
{
    snprintf(root, sizeof(root), "/tmp/th-store-XXXXXX");
    assert_non_null(mkdtemp(root));
    setenv("TEXTUS_HOST_HOME", root, 1);
    unsetenv("TH_FAILPOINT");
    return 0;
}

static int teardown(void **state)
{
    DIR *d = opendir(root);
    struct dirent *de;
    char p[600];

    if (d) {
        while ((de = readdir(d)) != NULL) {
            if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                continue;
            snprintf(p, sizeof(p), "%s/%s", root, de->d_name);
            unlink(p);
        }
        closedir(d);
    }
    chmod(root, 0700);
    rmdir(root);
    return 0;
}

static void path_of(char *out, size_t n, const char *name)
{
    snprintf(out, n, "%s/%s", root, name);
}

static unsigned char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    unsigned char *buf;
    long n;

    assert_non_null(f);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    n = ftell(f);
    assert_true(n >= 0);
    rewind(f);
    buf = malloc((size_t)n + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *len = (size_t)n;
    return buf;
}

static void spit(const char *path, const unsigned char *buf, size_t len)
{
    int fd = open(path, O_WRONLY | O_TRUNC | O_CREAT, 0600);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, buf, len), (ssize_t)len);
    close(fd);
}

static int configure_json(const char *json, struct err *e)
{
    cJSON *patch = cJSON_Parse(json);
    int rc;

    assert_non_null(patch);
    rc = config_apply(patch, 0, NULL, e);
    cJSON_Delete(patch);
    return rc;
}

static void configure_ok(const char *json)
{
    struct err e;
    err_clear(&e);
    if (configure_json(json, &e) != 0)
        fail_msg("configure failed: %s: %s", err_code_name(e.code), e.message);
}

static const char *full_doc = "{\"textus\": {\"token\": \"" CANARY "\", \"account\": \"acme-co\"},"
                              " \"greenhouse\": {\"email\": \"rec@example.com\","
                              " \"client_id\": \"cid-123456789\", \"client_secret\": \"csec-"
                              "abcdefgh-WXYZ\"},"
                              " \"settings\": {\"note_enabled\": false}}";

/* Members a newer version may have stored: configure refuses them, the store keeps them. */
static int add_future_members(cJSON *doc, void *ctx, struct err *e)
{
    cJSON *set = cJSON_GetObjectItemCaseSensitive(doc, "settings");
    cJSON *top = cJSON_AddObjectToObject(doc, "extra_top");
    cJSON *knob = cJSON_CreateIntArray((const int[]){1, 2}, 2);

    (void)ctx;
    (void)e;
    assert_non_null(set);
    assert_non_null(top);
    assert_non_null(knob);
    cJSON_AddItemToObject(set, "future_knob", knob);
    cJSON_AddTrueToObject(top, "kept");
    return 0;
}

static enum err_code load_code(void)
{
    struct store *s = NULL;
    struct err e;
    err_clear(&e);
    if (store_load(&s, &e) == 0) {
        store_free(s);
        return ERR_OK;
    }
    assert_null(s);
    return e.code;
}

/* ---- tests -------------------------------------------------------------------- */

static void test_not_configured(void **state)
{
    struct store *s = NULL;
    struct err e;
    char p[600];

    err_clear(&e);
    assert_int_equal(store_load(&s, &e), -1);
    assert_int_equal(e.code, ERR_NOT_CONFIGURED);
    /* loading creates nothing */
    path_of(p, sizeof(p), "credentials.store");
    assert_int_equal(access(p, F_OK), -1);
    assert_int_equal(settings_origin_allowed("abcdefghijklmnopabcdefghijklmnop"), 0);
    assert_int_equal(settings_allow_no_origin(), 0);
    assert_int_equal(settings_inbound_cap(), 0ULL);
}

static void test_round_trip(void **state)
{
    struct store *s = NULL;
    struct err e;
    const cJSON *pub;

    configure_ok(full_doc);
    err_clear(&e);
    assert_int_equal(store_update(add_future_members, NULL, NULL, &e), 0);
    assert_int_equal(store_load(&s, &e), 0);
    assert_string_equal(store_textus_token(s), CANARY);
    assert_string_equal(store_textus_account(s), "acme-co");
    assert_string_equal(store_textus_base_url(s), ENDPOINT_TEXTUS_BASE_URL);
    assert_string_equal(store_gh_email(s), "rec@example.com");
    assert_string_equal(store_gh_client_id(s), "cid-123456789");
    assert_string_equal(store_gh_client_secret(s), "csec-abcdefgh-WXYZ");
    assert_null(store_gh_api_key(s));
    assert_int_equal(store_gh_generation(s), 3);
    assert_string_equal(store_gh_base_url(s), ENDPOINT_GH_BASE_URL);
    assert_string_equal(store_gh_auth_url(s), ENDPOINT_GH_AUTH_URL);
    assert_int_equal(store_note_enabled(s), 0);
    assert_string_equal(store_note_visibility(s), "private");
    assert_int_equal(store_inbound_cap(s), STORE_DEFAULT_INBOUND_CAP);
    assert_int_equal(store_segment_limit(s), 3);
    assert_int_equal(store_allow_no_origin(s), 0);
    /* unknown members survive; secrets are not in the public document */
    pub = store_public_doc(s);
    assert_non_null(cJSON_GetObjectItem(cJSON_GetObjectItem(pub, "settings"), "future_knob"));
    assert_non_null(cJSON_GetObjectItem(cJSON_GetObjectItem(pub, "extra_top"), "kept"));
    assert_null(cJSON_GetObjectItem(cJSON_GetObjectItem(pub, "textus"), "token"));
    assert_null(cJSON_GetObjectItem(pub, "internal"));
    assert_int_equal(strlen(store_key_id(s)), 16);
    store_free(s);

    /* going back to v1 over a stored v3 pair needs "harvest": "v1"; without it nothing changes */
    err_clear(&e);
    assert_int_equal(configure_json("{\"greenhouse\": {\"api_key\": \"v1key-000011112222\"}}", &e),
                     -1);
    assert_int_equal(e.code, ERR_INVALID_CONFIG);
    assert_non_null(strstr(e.message, "\"harvest\": \"v1\""));
    assert_int_equal(store_load(&s, &e), 0);
    assert_int_equal(store_gh_generation(s), 3);
    store_free(s);
    /* a second configure merges; api_key with "harvest": "v1" switches and drops the v3 pair */
    configure_ok("{\"greenhouse\": {\"harvest\": \"v1\", \"api_key\": \"v1key-000011112222\"},"
                 " \"textus\": {\"base_url\": \"http://127.0.0.1:8080/api\"}}");
    assert_int_equal(store_load(&s, &e), 0);
    assert_int_equal(store_gh_generation(s), 1);
    assert_null(store_gh_client_id(s));
    assert_null(store_gh_client_secret(s));
    assert_string_equal(store_textus_token(s), CANARY);
    assert_string_equal(store_textus_base_url(s), "http://127.0.0.1:8080/api");
    assert_null(store_get(s, "greenhouse", "harvest")); /* a directive, never stored */
    assert_non_null(
        cJSON_GetObjectItem(cJSON_GetObjectItem(store_public_doc(s), "settings"), "future_knob"));
    store_free(s);
    /* null removes a member */
    configure_ok("{\"textus\": {\"base_url\": null}}");
    assert_int_equal(store_load(&s, &e), 0);
    assert_string_equal(store_textus_base_url(s), ENDPOINT_TEXTUS_BASE_URL);
    store_free(s);
}

static void test_files_and_modes(void **state)
{
    char p[600];
    struct stat st;
    unsigned char *buf;
    size_t len;
    const char *names[] = {"credentials.store", "store.key", "credentials.lock"};
    size_t i;

    configure_ok(full_doc);
    assert_int_equal(stat(root, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0700);
    for (i = 0; i < 3; i++) {
        path_of(p, sizeof(p), names[i]);
        assert_int_equal(stat(p, &st), 0);
        assert_int_equal(st.st_mode & 0777, 0600);
        /* the canary is nowhere in plain text */
        buf = slurp(p, &len);
        assert_null(find_bytes(buf, len, CANARY, strlen(CANARY)));
        assert_null(find_bytes(buf, len, "csec-abcdefgh", 13));
        free(buf);
    }
    path_of(p, sizeof(p), "credentials.store");
    buf = slurp(p, &len);
    assert_memory_equal(buf, "TXHSTORE\x01\x01\x00\x00", 12);
    free(buf);
    path_of(p, sizeof(p), "store.key");
    buf = slurp(p, &len);
    assert_int_equal(len, 40);
    free(buf);
}

/* Flip the byte at off, expect code from load and from update, and the file unchanged. */
static void expect_refused_unchanged(const unsigned char *img, size_t len, enum err_code want)
{
    char p[600];
    unsigned char *after;
    size_t alen;
    struct err e;

    path_of(p, sizeof(p), "credentials.store");
    spit(p, img, len);
    assert_int_equal(load_code(), want);
    err_clear(&e);
    assert_int_equal(configure_json("{\"textus\": {\"account\": \"other\"}}", &e), -1);
    assert_int_equal(e.code, want);
    assert_non_null(strstr(e.message, p));
    after = slurp(p, &alen);
    assert_int_equal(alen, len);
    assert_memory_equal(after, img, len);
    free(after);
}

static void test_tamper_each_region(void **state)
{
    char p[600];
    unsigned char *orig, *img;
    size_t len, i;
    size_t offs[64], n = 0;

    configure_ok(full_doc);
    path_of(p, sizeof(p), "credentials.store");
    orig = slurp(p, &len);
    assert_true(len > 44 + 16 + 10);
    for (i = 0; i < 20; i++) /* every header byte: magic, version, algorithm, reserved, key id */
        offs[n++] = i;
    offs[n++] = 20; /* nonce */
    offs[n++] = 31;
    offs[n++] = 43;
    offs[n++] = 44; /* ciphertext */
    offs[n++] = (44 + len - 16) / 2;
    offs[n++] = len - 17;
    offs[n++] = len - 16; /* tag */
    offs[n++] = len - 8;
    offs[n++] = len - 1;
    img = malloc(len);
    assert_non_null(img);
    for (i = 0; i < n; i++) {
        memcpy(img, orig, len);
        img[offs[i]] ^= 0x01;
        expect_refused_unchanged(img, len, ERR_STORE_CORRUPT);
    }
    /* the untouched image still opens */
    spit(p, orig, len);
    assert_int_equal(load_code(), ERR_OK);
    free(img);
    free(orig);
}

static void test_truncation(void **state)
{
    char p[600];
    unsigned char *orig;
    size_t len, i;
    size_t cuts[8];

    configure_ok(full_doc);
    path_of(p, sizeof(p), "credentials.store");
    orig = slurp(p, &len);
    cuts[0] = 0;
    cuts[1] = 7;
    cuts[2] = 20;
    cuts[3] = 44;
    cuts[4] = 44 + 15;
    cuts[5] = len / 2;
    cuts[6] = len - 1;
    for (i = 0; i < 7; i++)
        expect_refused_unchanged(orig, cuts[i], ERR_STORE_CORRUPT);
    free(orig);
}

static void test_wrong_and_missing_key(void **state)
{
    char key[600], other_root[300], other_key[700];
    unsigned char *k, *k2;
    size_t klen, k2len;
    struct err e;
    char *msg;

    configure_ok(full_doc);
    path_of(key, sizeof(key), "store.key");
    k = slurp(key, &klen);
    /* another installation's key */
    snprintf(other_root, sizeof(other_root), "%s-other", root);
    assert_int_equal(mkdir(other_root, 0700), 0);
    setenv("TEXTUS_HOST_HOME", other_root, 1);
    configure_ok("{\"textus\": {\"account\": \"x\"}}");
    snprintf(other_key, sizeof(other_key), "%s/store.key", other_root);
    k2 = slurp(other_key, &k2len);
    setenv("TEXTUS_HOST_HOME", root, 1);
    spit(key, k2, k2len);
    err_clear(&e);
    assert_int_equal(configure_json("{\"textus\": {\"account\": \"y\"}}", &e), -1);
    assert_int_equal(e.code, ERR_STORE_KEY_MISMATCH);
    msg = e.message;
    assert_non_null(strstr(msg, key));
    assert_int_equal(load_code(), ERR_STORE_KEY_MISMATCH);
    /* missing key */
    assert_int_equal(unlink(key), 0);
    assert_int_equal(load_code(), ERR_STORE_KEY_MISMATCH);
    /* the right key again */
    spit(key, k, klen);
    assert_int_equal(load_code(), ERR_OK);
    free(k);
    free(k2);
    unlink(other_key);
    {
        char lk[700], st[700];
        snprintf(lk, sizeof(lk), "%s/credentials.lock", other_root);
        snprintf(st, sizeof(st), "%s/credentials.store", other_root);
        unlink(lk);
        unlink(st);
    }
    rmdir(other_root);
}

static void expect_perm(const char *path, const char *chmod_hint)
{
    struct store *s = NULL;
    struct err e;

    err_clear(&e);
    assert_int_equal(store_load(&s, &e), -1);
    assert_int_equal(e.code, ERR_STORE_PERMISSIONS);
    assert_non_null(strstr(e.message, path));
    assert_non_null(strstr(e.message, chmod_hint));
    err_clear(&e);
    assert_int_equal(configure_json("{\"textus\": {\"account\": \"z\"}}", &e), -1);
    assert_int_equal(e.code, ERR_STORE_PERMISSIONS);
}

static void test_permissions(void **state)
{
    char store[600], key[600];

    configure_ok(full_doc);
    path_of(store, sizeof(store), "credentials.store");
    path_of(key, sizeof(key), "store.key");
    assert_int_equal(chmod(store, 0644), 0);
    expect_perm(store, "chmod 600");
    assert_int_equal(chmod(store, 0600), 0);
    assert_int_equal(chmod(key, 0640), 0);
    expect_perm(key, "chmod 600");
    assert_int_equal(chmod(key, 0600), 0);
    assert_int_equal(chmod(root, 0755), 0);
    expect_perm(root, "chmod 700");
    assert_int_equal(chmod(root, 0700), 0);
    assert_int_equal(load_code(), ERR_OK);
}

static void test_rekey(void **state)
{
    char key[600], store[600];
    unsigned char *oldkey, *oldstore, *newkey, d1[32], d2[32];
    size_t oklen, oslen, nklen;
    char old_id[STORE_KEY_ID_HEX], new_id[STORE_KEY_ID_HEX];
    struct store *s = NULL;
    struct err e;

    configure_ok(full_doc);
    path_of(key, sizeof(key), "store.key");
    path_of(store, sizeof(store), "credentials.store");
    err_clear(&e);
    assert_int_equal(store_derive_key(d1, "outbox-seal", &e), 0);
    oldkey = slurp(key, &oklen);
    oldstore = slurp(store, &oslen);
    assert_int_equal(store_rekey(old_id, new_id, &e), 0);
    assert_string_not_equal(old_id, new_id);
    newkey = slurp(key, &nklen);
    assert_int_equal(nklen, oklen);
    assert_memory_not_equal(newkey, oldkey, oklen);
    /* data intact under the new key; derived keys unchanged */
    assert_int_equal(store_load(&s, &e), 0);
    assert_string_equal(store_textus_token(s), CANARY);
    assert_string_equal(store_key_id(s), new_id);
    store_free(s);
    assert_int_equal(store_derive_key(d2, "outbox-seal", &e), 0);
    assert_memory_equal(d1, d2, 32);
    /* the old key no longer opens the store */
    spit(key, oldkey, oklen);
    assert_int_equal(load_code(), ERR_STORE_KEY_MISMATCH);
    /* and the old store does not open with the new key */
    spit(key, newkey, nklen);
    spit(store, oldstore, oslen);
    assert_int_equal(load_code(), ERR_STORE_KEY_MISMATCH);
    free(oldkey);
    free(oldstore);
    free(newkey);
}

/* Readers never see a spurious key mismatch while another process rekeys. */
static void test_rekey_while_reading(void **state)
{
    int status, loads = 0, failures = 0;
    struct err e;
    pid_t pid;

    configure_ok(full_doc);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int i;
        unsetenv("TH_FAILPOINT");
        for (i = 0; i < 15; i++) {
            if (store_rekey(NULL, NULL, &e) != 0)
                _exit(1);
        }
        _exit(0);
    }
    setenv("TH_FAILPOINT", "store_read_pause", 1); /* no effect without TH_FAILPOINTS */
    while (waitpid(pid, &status, WNOHANG) == 0) {
        struct store *s = NULL;
        err_clear(&e);
        if (store_load(&s, &e) != 0) {
            failures++;
            print_message("load failed: %s: %s\n", err_code_name(e.code), e.message);
        } else if (strcmp(store_textus_token(s), CANARY) != 0) {
            failures++;
        }
        store_free(s);
        loads++;
    }
    unsetenv("TH_FAILPOINT");
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    assert_int_equal(failures, 0);
    assert_true(loads > 0);
}

#ifdef TH_FAILPOINTS
/* Run store_rekey in a child that dies at failpoint fp. */
static void crash_rekey_at(const char *fp)
{
    int status;
    pid_t pid = fork();

    assert_true(pid >= 0);
    if (pid == 0) {
        struct err e;
        setenv("TH_FAILPOINT", fp, 1);
        (void)!store_rekey(NULL, NULL, &e);
        _exit(0);
    }
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 70);
}

static void test_rekey_crash_recovery(void **state)
{
    char key[600], keynew[600];
    unsigned char *k0, *k1;
    size_t l0, l1;
    struct store *s = NULL;
    struct err e;
    char id0[STORE_KEY_ID_HEX];

    configure_ok(full_doc);
    path_of(key, sizeof(key), "store.key");
    path_of(keynew, sizeof(keynew), "store.key.new");
    k0 = slurp(key, &l0);
    err_clear(&e);
    assert_int_equal(store_load(&s, &e), 0);
    snprintf(id0, sizeof(id0), "%s", store_key_id(s));
    store_free(s);

    /* crash after the new key, before the store: the new key is dropped */
    crash_rekey_at("rekey_after_key_new");
    assert_int_equal(access(keynew, F_OK), 0);
    assert_int_equal(store_load(&s, &e), 0);
    assert_string_equal(store_key_id(s), id0);
    assert_string_equal(store_textus_token(s), CANARY);
    store_free(s);
    assert_int_equal(access(keynew, F_OK), -1);
    k1 = slurp(key, &l1);
    assert_memory_equal(k0, k1, l0);
    free(k1);

    /* crash after the store, before the key rename: the rename is finished */
    crash_rekey_at("rekey_after_store");
    assert_int_equal(access(keynew, F_OK), 0);
    assert_int_equal(store_load(&s, &e), 0);
    assert_string_not_equal(store_key_id(s), id0);
    assert_string_equal(store_textus_token(s), CANARY);
    store_free(s);
    assert_int_equal(access(keynew, F_OK), -1);
    k1 = slurp(key, &l1);
    assert_memory_not_equal(k0, k1, l0);
    free(k1);
    free(k0);
}

static void test_full_disk(void **state)
{
    char p[600];
    unsigned char *before, *after;
    size_t bl, al;
    struct err e;
    DIR *d;
    struct dirent *de;

    configure_ok(full_doc);
    path_of(p, sizeof(p), "credentials.store");
    before = slurp(p, &bl);
    setenv("TH_FAILPOINT", "store_write_enospc", 1);
    err_clear(&e);
    assert_int_equal(configure_json("{\"textus\": {\"account\": \"changed\"}}", &e), -1);
    unsetenv("TH_FAILPOINT");
    assert_int_equal(e.code, ERR_STORE_IO);
    assert_non_null(strstr(e.message, "No space left"));
    after = slurp(p, &al);
    assert_int_equal(al, bl);
    assert_memory_equal(before, after, bl);
    /* no temp file left behind */
    d = opendir(root);
    assert_non_null(d);
    while ((de = readdir(d)) != NULL)
        assert_null(strstr(de->d_name, ".tmp."));
    closedir(d);
    assert_int_equal(load_code(), ERR_OK);
    free(before);
    free(after);
}
#endif

/* One writer's round: a member of its own under "settings" (read-modify-write under the lock). */
static int add_writer_member(cJSON *doc, void *ctx, struct err *e)
{
    const int *ir = ctx;
    cJSON *set = cJSON_GetObjectItemCaseSensitive(doc, "settings");
    char name[32];

    (void)e;
    snprintf(name, sizeof(name), "w%d_r%d", ir[0], ir[1]);
    return set && cJSON_AddNumberToObject(set, name, ir[0] * 100 + ir[1]) ? 0 : -1;
}

static void run_writers(int nproc, int rounds)
{
    pid_t pids[16];
    int i, r, status;
    struct store *s = NULL;
    struct err e;
    const cJSON *set;

    configure_ok(full_doc);
    for (i = 0; i < nproc; i++) {
        pids[i] = fork();
        assert_true(pids[i] >= 0);
        if (pids[i] == 0) {
            for (r = 0; r < rounds; r++) {
                int ir[2] = {i, r};
                struct err ce;
                if (store_update(add_writer_member, ir, NULL, &ce) != 0)
                    _exit(1);
            }
            _exit(0);
        }
    }
    for (i = 0; i < nproc; i++) {
        assert_int_equal(waitpid(pids[i], &status, 0), pids[i]);
        assert_true(WIFEXITED(status));
        assert_int_equal(WEXITSTATUS(status), 0);
    }
    err_clear(&e);
    assert_int_equal(store_load(&s, &e), 0);
    set = cJSON_GetObjectItem(store_public_doc(s), "settings");
    for (i = 0; i < nproc; i++) {
        for (r = 0; r < rounds; r++) {
            char name[32];
            const cJSON *v;
            snprintf(name, sizeof(name), "w%d_r%d", i, r);
            v = cJSON_GetObjectItem(set, name);
            if (!cJSON_IsNumber(v) || (int)v->valuedouble != i * 100 + r)
                fail_msg("lost update %s", name);
        }
    }
    assert_string_equal(store_textus_token(s), CANARY);
    store_free(s);
}

static void test_concurrent_two(void **state)
{
    run_writers(2, 10);
}

static void test_concurrent_eight(void **state)
{
    run_writers(8, 5);
}

static void test_derive_key(void **state)
{
    unsigned char a[32], b[32], c[32];
    struct err e;

    err_clear(&e);
    assert_int_equal(store_derive_key(a, "outbox-seal", &e), -1);
    assert_int_equal(e.code, ERR_NOT_CONFIGURED);
    configure_ok(full_doc);
    assert_int_equal(store_derive_key(a, "outbox-seal", &e), 0);
    assert_int_equal(store_derive_key(b, "outbox-seal", &e), 0);
    assert_int_equal(store_derive_key(c, "something-else", &e), 0);
    assert_memory_equal(a, b, 32);
    assert_memory_not_equal(a, c, 32);
    /* a later configure keeps the root */
    configure_ok("{\"textus\": {\"account\": \"again\"}}");
    assert_int_equal(store_derive_key(b, "outbox-seal", &e), 0);
    assert_memory_equal(a, b, 32);
}

static void test_cache(void **state)
{
    struct store *s = NULL;
    struct err e;
    long long exp = 0;

    configure_ok(full_doc);
    err_clear(&e);
    assert_int_equal(store_cache_set_gh_user(4242, "rec@example.com", &e), 0);
    assert_int_equal(store_cache_set_access_token("jwt-token-abcdefgh", 1900000000LL, &e), 0);
    assert_int_equal(store_load(&s, &e), 0);
    assert_int_equal(store_gh_user_id(s), 4242);
    assert_string_equal(store_gh_access_token(s, &exp), "jwt-token-abcdefgh");
    assert_int_equal(exp, 1900000000LL);
    assert_null(cJSON_GetObjectItem(cJSON_GetObjectItem(store_public_doc(s), "cache"),
                                    "greenhouse_access_token"));
    store_free(s);
    /* a settings change keeps the cache; a Greenhouse change drops it */
    configure_ok("{\"settings\": {\"segment_limit\": 5}}");
    assert_int_equal(store_load(&s, &e), 0);
    assert_int_equal(store_gh_user_id(s), 4242);
    assert_int_equal(store_segment_limit(s), 5);
    store_free(s);
    configure_ok("{\"greenhouse\": {\"email\": \"new@example.com\"}}");
    assert_int_equal(store_load(&s, &e), 0);
    assert_int_equal(store_gh_user_id(s), 0);
    assert_null(store_gh_access_token(s, &exp));
    store_free(s);
    /* the cache cannot be configured */
    assert_int_equal(configure_json("{\"cache\": {\"greenhouse_user_id\": 1}}", &e), -1);
    assert_int_equal(e.code, ERR_INVALID_CONFIG);
}

/* ---- nothing created until something is written -------------------------------- */

static int refuse_edit(cJSON *doc, void *ctx, struct err *e)
{
    (*(int *)ctx)++;
    err_set(e, ERR_VERIFICATION_FAILED, "refused");
    return -1;
}

static int set_account_edit(cJSON *doc, void *ctx, struct err *e)
{
    cJSON *t = cJSON_AddObjectToObject(doc, "textus");

    return t && cJSON_AddStringToObject(t, "account", "acme-a") ? 0 : -1;
}

/* The first call writes a store through another update (as another process would, between
 * the unlocked first try and the lock); every call sets the Greenhouse email. */
static int racing_edit(cJSON *doc, void *ctx, struct err *e)
{
    int *calls = ctx;
    cJSON *gh;

    if ((*calls)++ == 0 && store_update(set_account_edit, NULL, NULL, e) != 0)
        return -1;
    cJSON_DeleteItemFromObjectCaseSensitive(doc, "greenhouse");
    gh = cJSON_AddObjectToObject(doc, "greenhouse");
    return gh && cJSON_AddStringToObject(gh, "email", "rec@example.com") ? 0 : -1;
}

static void test_update_creates_only_when_writing(void **state)
{
    struct store *s = NULL;
    struct err e;
    int calls = 0;
    DIR *d;
    struct dirent *de;
    int entries = 0;

    err_clear(&e);
    /* an edit that refuses, with no store yet: no key, no lock file, no store */
    assert_int_equal(store_update(refuse_edit, &calls, NULL, &e), -1);
    assert_int_equal(e.code, ERR_VERIFICATION_FAILED);
    assert_int_equal(calls, 1);
    d = opendir(root);
    assert_non_null(d);
    while ((de = readdir(d)) != NULL)
        entries += strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0;
    closedir(d);
    assert_int_equal(entries, 0);
    /* a store written between the first try and the lock: the edit runs again on it */
    calls = 0;
    err_clear(&e);
    assert_int_equal(store_update(racing_edit, &calls, &s, &e), 0);
    assert_int_equal(calls, 2);
    assert_string_equal(store_textus_account(s), "acme-a");
    assert_string_equal(store_gh_email(s), "rec@example.com");
    store_free(s);
}

static void test_shapes(void **state)
{
    assert_true(config_url_ok("https://next.textus.com"));
    assert_true(config_url_ok("https://harvest.greenhouse.io/v1/"));
    assert_true(config_url_ok("http://127.0.0.1:8080/x"));
    assert_true(config_url_ok("http://127.9.8.7"));
    assert_true(config_url_ok("http://localhost:3000"));
    assert_true(config_url_ok("http://[::1]:9000/"));
    assert_false(config_url_ok("http://example.com"));
    assert_false(config_url_ok("http://128.0.0.1"));
    assert_false(config_url_ok("http://127.0.0.1.evil.com/"));
    assert_false(config_url_ok("http://localhost.evil.com/"));
    assert_false(config_url_ok("http://[::2]/"));
    assert_false(config_url_ok("https://user:pw@example.com"));
    assert_false(config_url_ok("ftp://example.com"));
    assert_false(config_url_ok("https://"));
    assert_false(config_url_ok("https://exa mple.com"));
    assert_false(config_url_ok("https://example.com:99999"));
    assert_true(config_email_ok("rec@example.com"));
    assert_true(config_email_ok("first.last+tag@sub.example.co"));
    assert_false(config_email_ok("rec@example"));
    assert_false(config_email_ok("rec@@example.com"));
    assert_false(config_email_ok("@example.com"));
    assert_false(config_email_ok("r ec@example.com"));
    assert_true(config_slug_ok("acme_co-1"));
    assert_false(config_slug_ok("Acme"));
    assert_false(config_slug_ok("acme co"));
    assert_false(config_slug_ok(""));
}

static void expect_invalid(const char *json, int from_ext, const char *field)
{
    cJSON *patch = cJSON_Parse(json);
    struct err e;

    assert_non_null(patch);
    err_clear(&e);
    assert_int_equal(config_apply(patch, from_ext, NULL, &e), -1);
    cJSON_Delete(patch);
    assert_int_equal(e.code, ERR_INVALID_CONFIG);
    if (!strstr(e.message, field))
        fail_msg("message '%s' does not name %s", e.message, field);
}

static void test_validation(void **state)
{
    char p[600];

    expect_invalid("{\"textus\": {\"account\": \"Not A Slug\"}}", 0, "textus.account");
    expect_invalid("{\"greenhouse\": {\"email\": \"nope\"}}", 0, "greenhouse.email");
    expect_invalid("{\"greenhouse\": {\"base_url\": \"http://example.com\"}}", 0,
                   "greenhouse.base_url");
    expect_invalid("{\"greenhouse\": {\"client_id\": \"only-the-id\"}}", 0, "client_secret");
    expect_invalid("{\"settings\": {\"inbound_cap\": 100}}", 0, "settings.inbound_cap");
    expect_invalid("{\"settings\": {\"segment_limit\": 10}}", 0, "settings.segment_limit");
    expect_invalid("{\"settings\": {\"note_visibility\": \"everyone\"}}", 0,
                   "settings.note_visibility");
    expect_invalid("{\"settings\": {\"allowed_extension_ids\": [\"xyz\"]}}", 0,
                   "settings.allowed_extension_ids");
    expect_invalid("{\"settings\": {\"ca_file\": \"relative.pem\"}}", 0, "settings.ca_file");
    /* what the extension may never set */
    expect_invalid("{\"textus\": {\"base_url\": \"https://evil.example\"}}", 1, "textus.base_url");
    expect_invalid("{\"greenhouse\": {\"auth_url\": \"https://evil.example\"}}", 1,
                   "greenhouse.auth_url");
    expect_invalid("{\"settings\": {\"ca_file\": \"/tmp/x.pem\"}}", 1, "settings");
    expect_invalid("{\"settings\": {\"allowed_extension_ids\": []}}", 1, "settings");
    expect_invalid("{\"anything\": 1}", 1, "anything");
    /* unknown members, at any level, name the nearest valid one */
    expect_invalid("{\"textus\": {\"acount\": \"acme\"}}", 0, "did you mean textus.account?");
    expect_invalid("{\"greenhouse\": {\"api-key\": \"k-0000000001\"}}", 0,
                   "did you mean greenhouse.api_key?");
    expect_invalid("{\"acount\": \"acme\"}", 0, "did you mean textus.account?");
    expect_invalid("{\"settings\": {\"segment_limt\": 2}}", 0,
                   "did you mean settings.segment_limit?");
    expect_invalid("{\"greenhouse\": {\"api_key\": \"k-0000000001\", \"client_id\": \"c-01\","
                   " \"client_secret\": \"s-0000000001\"}}",
                   0, "cannot be given together");
    expect_invalid("{\"greenhouse\": {\"harvest\": \"v2\"}}", 0, "greenhouse.harvest");
    /* nothing was written by any of them */
    path_of(p, sizeof(p), "credentials.store");
    assert_int_equal(access(p, F_OK), -1);
}

static void test_settings_exports(void **state)
{
    configure_ok(
        "{\"settings\": {\"allowed_extension_ids\": [\"abcdefghijklmnopabcdefghijklmnop\"],"
        " \"inbound_cap\": 65536, \"allow_no_origin\": true}}");
    assert_int_equal(settings_origin_allowed("abcdefghijklmnopabcdefghijklmnop"), 1);
    assert_int_equal(settings_origin_allowed("ponmlkjihgfedcbaponmlkjihgfedcba"), 0);
    assert_int_equal(settings_allow_no_origin(), 1);
    assert_int_equal(settings_inbound_cap(), 65536ULL);
}

static void test_mask(void **state)
{
    char m[16];

    config_mask(m, sizeof(m), "abcdefgh1234");
    assert_string_equal(m, "****1234");
    config_mask(m, sizeof(m), "short");
    assert_string_equal(m, "****");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_not_configured, setup, teardown),
        cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_files_and_modes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tamper_each_region, setup, teardown),
        cmocka_unit_test_setup_teardown(test_truncation, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wrong_and_missing_key, setup, teardown),
        cmocka_unit_test_setup_teardown(test_permissions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rekey, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rekey_while_reading, setup, teardown),
#ifdef TH_FAILPOINTS
        cmocka_unit_test_setup_teardown(test_rekey_crash_recovery, setup, teardown),
        cmocka_unit_test_setup_teardown(test_full_disk, setup, teardown),
#endif
        cmocka_unit_test_setup_teardown(test_concurrent_two, setup, teardown),
        cmocka_unit_test_setup_teardown(test_concurrent_eight, setup, teardown),
        cmocka_unit_test_setup_teardown(test_derive_key, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cache, setup, teardown),
        cmocka_unit_test_setup_teardown(test_update_creates_only_when_writing, setup, teardown),
        cmocka_unit_test(test_shapes),
        cmocka_unit_test_setup_teardown(test_validation, setup, teardown),
        cmocka_unit_test_setup_teardown(test_settings_exports, setup, teardown),
        cmocka_unit_test(test_mask),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
