/*
 * store — the encrypted credential store (see store.h for the file format, the
 * rekey order and the locking rules). Links libsodium.
 * [store]
 */
#include "store.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "log.h"
#include "os.h"
#include "paths.h"

#define STORE_MAGIC     "TXHSTORE"
#define STORE_MAGIC_LEN 8
#define STORE_VERSION   1
#define STORE_ALG       1 /* crypto_aead_xchacha20poly1305_ietf */
#define STORE_KEYID_LEN 8
#define STORE_HDR_LEN   (STORE_MAGIC_LEN + 4 + STORE_KEYID_LEN)
#define STORE_NONCE_LEN crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
#define STORE_TAG_LEN   crypto_aead_xchacha20poly1305_ietf_ABYTES
#define STORE_KEY_LEN   crypto_aead_xchacha20poly1305_ietf_KEYBYTES
#define STORE_MAX_FILE  (4u << 20)

#define KEYFILE_MAGIC "TXHK"
#define KEYFILE_LEN   (4 + 4 + STORE_KEY_LEN)
/* version 2 (Windows): the magic, 2 0 0 0, then the key wrapped by os_protect_key (DPAPI) */
#define KEYFILE_WRAPPED_MAX 4096

#define STORE_KDF_ROOT_LEN crypto_kdf_KEYBYTES

/* Generations are JSON numbers (doubles): integers stay exact up to 2^53. */
#define STORE_GENERATION_MAX 9007199254740992ULL

enum store_secret {
    SEC_TEXTUS_TOKEN,
    SEC_GH_API_KEY,
    SEC_GH_CLIENT_SECRET,
    SEC_GH_ACCESS_TOKEN,
    SEC_GH_WRITE_TOKEN,
    SEC_KDF_ROOT,
    SEC__COUNT
};

static const struct {
    const char *section;
    const char *name;
} store_secrets[SEC__COUNT] = {
    [SEC_TEXTUS_TOKEN] = {"textus", "token"},
    [SEC_GH_API_KEY] = {"greenhouse", "api_key"},
    [SEC_GH_CLIENT_SECRET] = {"greenhouse", "client_secret"},
    [SEC_GH_ACCESS_TOKEN] = {"cache", "greenhouse_access_token"},
    [SEC_GH_WRITE_TOKEN] = {"cache", "greenhouse_write_token"}, /* v3, sub = the recruiter */
    [SEC_KDF_ROOT] = {"internal", "kdf_root"},
};

struct store {
    cJSON *pub;  /* the document without secret members */
    char *arena; /* sodium_malloc: the secret strings, NUL-terminated */
    size_t arena_len;
    const char *secret[SEC__COUNT];
    char key_id[STORE_KEY_ID_HEX];
    struct os_stat file; /* the store file as it was just before it was read (store_changed) */
    int file_known;
};

struct store_key {
    unsigned char *k; /* sodium_malloc(STORE_KEY_LEN) */
    unsigned char id[STORE_KEYID_LEN];
};

/* ---- small helpers ------------------------------------------------------ */

static int store_sodium(struct err *e)
{
    if (sodium_init() < 0) {
        err_set(e, ERR_INTERNAL, "libsodium could not be initialised");
        return -1;
    }
    return 0;
}

/* Test-only failure injection: TH_FAILPOINT=<name> (TH_FAILPOINTS builds only). */
static int store_failpoint(const char *name)
{
#ifdef TH_FAILPOINTS
    const char *v = os_getenv("TH_FAILPOINT");
    return v && strcmp(v, name) == 0;
#else
    (void)name;
    return 0;
#endif
}

static void store_hex_id(char out[STORE_KEY_ID_HEX], const unsigned char id[STORE_KEYID_LEN])
{
    sodium_bin2hex(out, STORE_KEY_ID_HEX, id, STORE_KEYID_LEN);
}

static void store_key_id_of(unsigned char id[STORE_KEYID_LEN], const unsigned char *key)
{
    unsigned char h[32];

    crypto_generichash(h, sizeof(h), key, STORE_KEY_LEN, NULL, 0);
    memcpy(id, h, STORE_KEYID_LEN);
}

static void store_key_clear(struct store_key *k)
{
    if (k->k)
        sodium_free(k->k);
    memset(k, 0, sizeof(*k));
}

static int store_key_generate(struct store_key *k, struct err *e)
{
    k->k = sodium_malloc(STORE_KEY_LEN);
    if (!k->k) {
        err_set(e, ERR_INTERNAL, "out of secure memory");
        return -1;
    }
    crypto_aead_xchacha20poly1305_ietf_keygen(k->k);
    store_key_id_of(k->id, k->k);
    return 0;
}

void store_json_wipe(cJSON *item)
{
    for (; item; item = item->next) {
        if (item->valuestring)
            sodium_memzero(item->valuestring, strlen(item->valuestring));
        if (item->string)
            sodium_memzero(item->string, strlen(item->string));
        if (item->child)
            store_json_wipe(item->child);
    }
}

static void store_json_free(cJSON *item)
{
    if (!item)
        return;
    /* wipe only this tree, not its siblings */
    if (item->valuestring)
        sodium_memzero(item->valuestring, strlen(item->valuestring));
    store_json_wipe(item->child);
    cJSON_Delete(item);
}

/* ---- files -------------------------------------------------------------- */

static int store_fsync_dir(const char *dir, struct err *e)
{
    if (os_fsync_dir(dir) != 0 && errno != EINVAL) {
        err_set(e, ERR_STORE_IO, "cannot sync %s: %s", dir, strerror(errno));
        return -1;
    }
    return 0;
}

static int store_dir_of(char *out, size_t outsz, const char *path)
{
    const char *slash = os_path_last_sep(path);
    size_t n;

    if (!slash)
        return -1;
    n = slash == path ? 1 : (size_t)(slash - path);
    if (n >= outsz)
        return -1;
    memcpy(out, path, n);
    out[n] = '\0';
    return 0;
}

/*
 * Replace path with data atomically: temp file in the same directory (0600),
 * write, fsync, rename, fsync the directory. On any failure the old file is
 * untouched and the temp file removed.
 */
static int store_write_atomic(const char *path, const unsigned char *data, size_t len,
                              struct err *e)
{
    char tmp[PATHS_MAX + 32], dir[PATHS_MAX];
    size_t off = 0;
    int fd = -1, n;

    n = snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, os_getpid());
    if (n < 0 || (size_t)n >= sizeof(tmp) || store_dir_of(dir, sizeof(dir), path) != 0) {
        err_set(e, ERR_STORE_IO, "the path %s is too long", path);
        return -1;
    }
    fd = os_open_file(tmp, OS_OPEN_WRITE | OS_OPEN_CREATE | OS_OPEN_EXCL);
    if (fd < 0 && errno == EEXIST) { /* left by a crashed process that had our pid */
        (void)os_unlink(tmp);
        fd = os_open_file(tmp, OS_OPEN_WRITE | OS_OPEN_CREATE | OS_OPEN_EXCL);
    }
    if (fd < 0) {
        err_set(e, ERR_STORE_IO, "cannot create %s: %s", tmp, strerror(errno));
        return -1;
    }
    while (off < len) {
        long w;
        size_t chunk = len - off;
        if (store_failpoint("store_write_enospc") && off + chunk > len / 2) {
            chunk = len / 2 - off;
            if (chunk == 0) {
                errno = ENOSPC;
                goto err;
            }
        }
        w = os_write(fd, data + off, chunk);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            if (w == 0)
                errno = EIO;
            goto err;
        }
        off += (size_t)w;
    }
    if (os_fsync(fd) != 0)
        goto err;
    if (os_close(fd) != 0) {
        fd = -1;
        goto err;
    }
    fd = -1;
    if (os_replace(tmp, path) != 0)
        goto err;
    return store_fsync_dir(dir, e);
err:
    err_set(e, ERR_STORE_IO, "cannot write %s: %s (the previous file is unchanged)", path,
            strerror(errno));
    if (fd >= 0)
        os_close(fd);
    (void)os_unlink(tmp);
    return -1;
}

/*
 * Read a whole file checked by the permission rule. *exists = 0 (and 0
 * returned) when missing. secret: the buffer is sodium_malloc'd.
 */
static int store_read_file(const char *path, int secret, unsigned char **buf, size_t *len,
                           int *exists, struct err *e)
{
    struct os_stat st;
    unsigned char *b = NULL;
    size_t off = 0, size;
    int fd;

    *buf = NULL;
    *len = 0;
    *exists = 0;
    fd = os_open_file(path, OS_OPEN_READ);
    if (fd < 0) {
        if (errno == ENOENT)
            return 0;
        if (errno == ELOOP)
            err_set(e, ERR_STORE_PERMISSIONS, "%s is a symbolic link; replace it with the file",
                    path);
        else if (errno == EACCES) {
            char why[128], fix[PATHS_MAX + 160];
            os_perm_text(why, sizeof(why), fix, sizeof(fix), OS_PERM_UNREADABLE, NULL, path, 0);
            err_set(e, ERR_STORE_PERMISSIONS, "cannot read %s: %s; fix it with: %s", path,
                    strerror(errno), fix);
        } else
            err_set(e, ERR_STORE_IO, "cannot open %s: %s", path, strerror(errno));
        return -1;
    }
    *exists = 1;
    if (paths_check_fd(fd, path, e) != 0)
        goto err;
    if (os_fstat(&st, fd) != 0) {
        err_set(e, ERR_STORE_IO, "cannot examine %s: %s", path, strerror(errno));
        goto err;
    }
    if (st.size > STORE_MAX_FILE) {
        err_set(e, ERR_STORE_CORRUPT, "%s is larger than any store (%lld bytes)", path,
                (long long)st.size);
        goto err;
    }
    size = (size_t)st.size;
    b = secret ? sodium_malloc(size + 1) : malloc(size + 1);
    if (!b) {
        err_set(e, ERR_INTERNAL, "out of memory");
        goto err;
    }
    while (off < size) {
        long r = os_read(fd, b + off, size - off);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            err_set(e, ERR_STORE_IO, "cannot read %s: %s", path, strerror(errno));
            goto err;
        }
        if (r == 0)
            break;
        off += (size_t)r;
    }
    os_close(fd);
    *buf = b;
    *len = off;
    return 0;
err:
    os_close(fd);
    if (b) {
        if (secret)
            sodium_free(b);
        else
            free(b);
    }
    return -1;
}

static int store_key_read(const char *path, struct store_key *k, int *exists, struct err *e)
{
    unsigned char *buf = NULL;
    size_t len = 0;

    memset(k, 0, sizeof(*k));
    if (store_read_file(path, 1, &buf, &len, exists, e) != 0)
        return -1;
    if (!*exists)
        return 0;
    if (len > 8 && len <= KEYFILE_WRAPPED_MAX && memcmp(buf, KEYFILE_MAGIC, 4) == 0 &&
        buf[4] == 2 && !buf[5] && !buf[6] && !buf[7]) {
        /* wrapped for this user (DPAPI on Windows) */
        k->k = sodium_malloc(STORE_KEY_LEN);
        if (!k->k || os_unprotect_key(k->k, STORE_KEY_LEN, buf + 8, len - 8) != 0) {
            if (k->k)
                err_set(e, ERR_STORE_KEY_MISMATCH,
                        "the key file %s is wrapped for another user or system, or damaged, "
                        "and cannot be unwrapped here",
                        path);
            else
                err_set(e, ERR_INTERNAL, "out of secure memory");
            sodium_free(buf);
            store_key_clear(k);
            return -1;
        }
        sodium_free(buf);
        store_key_id_of(k->id, k->k);
        return 0;
    }
    if (len != KEYFILE_LEN || memcmp(buf, KEYFILE_MAGIC, 4) != 0 || buf[4] != 1 || buf[5] ||
        buf[6] || buf[7]) {
        err_set(e, ERR_STORE_CORRUPT, "the key file %s is damaged (%zu bytes, expected %d)", path,
                len, KEYFILE_LEN);
        sodium_free(buf);
        return -1;
    }
    k->k = sodium_malloc(STORE_KEY_LEN);
    if (!k->k) {
        sodium_free(buf);
        err_set(e, ERR_INTERNAL, "out of secure memory");
        return -1;
    }
    memcpy(k->k, buf + 8, STORE_KEY_LEN);
    sodium_free(buf);
    store_key_id_of(k->id, k->k);
    return 0;
}

static int store_key_write(const char *path, const struct store_key *k, struct err *e)
{
    unsigned char *buf, *wrapped = NULL;
    size_t wlen = 0;
    int rc;

    /* where the platform wraps keys for the user (DPAPI), the file holds only the wrap */
    rc = os_protect_key(&wrapped, &wlen, k->k, STORE_KEY_LEN);
    if (rc < 0) {
        err_set(e, ERR_STORE_IO, "cannot protect the key for %s: %s", path, strerror(errno));
        return -1;
    }
    if (rc == 1) {
        buf = wlen + 8 <= KEYFILE_WRAPPED_MAX ? malloc(wlen + 8) : NULL;
        if (!buf) {
            free(wrapped);
            err_set(e, ERR_INTERNAL, "out of memory");
            return -1;
        }
        memcpy(buf, KEYFILE_MAGIC, 4);
        buf[4] = 2;
        buf[5] = buf[6] = buf[7] = 0;
        memcpy(buf + 8, wrapped, wlen);
        free(wrapped);
        rc = store_write_atomic(path, buf, wlen + 8, e);
        free(buf);
        return rc;
    }
    buf = sodium_malloc(KEYFILE_LEN);
    if (!buf) {
        err_set(e, ERR_INTERNAL, "out of secure memory");
        return -1;
    }
    memcpy(buf, KEYFILE_MAGIC, 4);
    buf[4] = 1;
    buf[5] = buf[6] = buf[7] = 0;
    memcpy(buf + 8, k->k, STORE_KEY_LEN);
    rc = store_write_atomic(path, buf, KEYFILE_LEN, e);
    sodium_free(buf);
    return rc;
}

/* ---- sealing ------------------------------------------------------------ */

static void store_header(unsigned char hdr[STORE_HDR_LEN], const unsigned char id[STORE_KEYID_LEN])
{
    memcpy(hdr, STORE_MAGIC, STORE_MAGIC_LEN);
    hdr[8] = STORE_VERSION;
    hdr[9] = STORE_ALG;
    hdr[10] = 0;
    hdr[11] = 0;
    memcpy(hdr + 12, id, STORE_KEYID_LEN);
}

static int store_seal(const struct store_key *k, const unsigned char *plain, size_t plen,
                      unsigned char **out, size_t *outlen, struct err *e)
{
    size_t total = STORE_HDR_LEN + STORE_NONCE_LEN + plen + STORE_TAG_LEN;
    unsigned char *b = malloc(total);
    unsigned long long clen = 0;

    if (!b) {
        err_set(e, ERR_INTERNAL, "out of memory");
        return -1;
    }
    store_header(b, k->id);
    randombytes_buf(b + STORE_HDR_LEN, STORE_NONCE_LEN);
    crypto_aead_xchacha20poly1305_ietf_encrypt(b + STORE_HDR_LEN + STORE_NONCE_LEN, &clen, plain,
                                               plen, b, STORE_HDR_LEN, NULL, b + STORE_HDR_LEN,
                                               k->k);
    *out = b;
    *outlen = STORE_HDR_LEN + STORE_NONCE_LEN + (size_t)clen;
    return 0;
}

/* Decrypt a store file image into a NUL-terminated sodium_malloc'd plaintext. */
static int store_open_blob(const struct store_key *k, const unsigned char *buf, size_t len,
                           const char *path, const char *key_path, unsigned char **plain,
                           size_t *plen, struct err *e)
{
    unsigned char hdr[STORE_HDR_LEN];
    const unsigned char *nonce = buf + STORE_HDR_LEN;
    const unsigned char *ct = buf + STORE_HDR_LEN + STORE_NONCE_LEN;
    unsigned long long mlen = 0;
    size_t clen;
    unsigned char *p;

    *plain = NULL;
    if (len < STORE_HDR_LEN + STORE_NONCE_LEN + STORE_TAG_LEN) {
        err_set(e, ERR_STORE_CORRUPT,
                "the store %s is truncated (%zu bytes); it was left untouched", path, len);
        err_add_fix(e, ": move it away and run textus-host configure again");
        return -1;
    }
    if (memcmp(buf, STORE_MAGIC, STORE_MAGIC_LEN) != 0 || buf[8] != STORE_VERSION ||
        buf[9] != STORE_ALG || buf[10] || buf[11]) {
        err_set(e, ERR_STORE_CORRUPT,
                "the store %s has a damaged or unknown header; it was left untouched", path);
        err_add_fix(e, ": move it away and run textus-host configure again");
        return -1;
    }
    clen = len - STORE_HDR_LEN - STORE_NONCE_LEN;
    p = sodium_malloc(clen - STORE_TAG_LEN + 1);
    if (!p) {
        err_set(e, ERR_INTERNAL, "out of secure memory");
        return -1;
    }
    memcpy(hdr, buf, STORE_HDR_LEN);
    if (memcmp(buf + 12, k->id, STORE_KEYID_LEN) != 0) {
        char want[STORE_KEY_ID_HEX], have[STORE_KEY_ID_HEX];
        /* another key, or an altered key id: try the header with our key id */
        memcpy(hdr + 12, k->id, STORE_KEYID_LEN);
        if (crypto_aead_xchacha20poly1305_ietf_decrypt(p, &mlen, NULL, ct, clen, hdr, STORE_HDR_LEN,
                                                       nonce, k->k) == 0) {
            sodium_free(p);
            err_set(e, ERR_STORE_CORRUPT,
                    "the store %s has an altered header (key id); it was left untouched", path);
            err_add_fix(e, ": move it away and run textus-host configure again");
            return -1;
        }
        sodium_free(p);
        store_hex_id(want, buf + 12);
        store_hex_id(have, k->id);
        err_set(e, ERR_STORE_KEY_MISMATCH,
                "the store %s was encrypted with key %s, but the key file %s holds key %s", path,
                want, key_path, have);
        err_add_fix(e, "; restore the matching key file, or move the store away and configure "
                       "again");
        return -1;
    }
    if (crypto_aead_xchacha20poly1305_ietf_decrypt(p, &mlen, NULL, ct, clen, hdr, STORE_HDR_LEN,
                                                   nonce, k->k) != 0) {
        sodium_free(p);
        err_set(e, ERR_STORE_CORRUPT,
                "the store %s is damaged or was altered (authentication failed); it was left "
                "untouched",
                path);
        err_add_fix(e, ": move it away and run textus-host configure again");
        return -1;
    }
    p[mlen] = '\0';
    *plain = p;
    *plen = (size_t)mlen;
    return 0;
}

/* Serialise doc into a NUL-terminated sodium_malloc'd buffer. */
static int store_print(const cJSON *doc, unsigned char **out, size_t *len, struct err *e)
{
    size_t cap = 4096;

    for (;;) {
        unsigned char *b = sodium_malloc(cap);
        if (!b) {
            err_set(e, ERR_INTERNAL, "out of secure memory");
            return -1;
        }
        if (cJSON_PrintPreallocated((cJSON *)doc, (char *)b, (int)cap, 0)) {
            *out = b;
            *len = strlen((char *)b);
            return 0;
        }
        sodium_free(b);
        cap *= 2;
        if (cap > STORE_MAX_FILE) {
            err_set(e, ERR_INVALID_CONFIG, "the configuration is too large");
            return -1;
        }
    }
}

/* ---- the generation (rollback protection) -------------------------------- */

/* The document's generation: internal.generation, 0 when absent (a store older than the counter).
 */
static unsigned long long store_doc_generation(const cJSON *doc)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(doc, "internal"), "generation");

    if (!cJSON_IsNumber(v) || v->valuedouble < 1 || v->valuedouble > STORE_GENERATION_MAX)
        return 0;
    return (unsigned long long)v->valuedouble;
}

/*
 * Read the generation record kept beside the key: "<decimal>\n". *gen is 0
 * when the file does not exist. A damaged record is ERR_STORE_CORRUPT.
 */
static int store_generation_read(const struct paths *p, unsigned long long *gen, struct err *e)
{
    unsigned char *buf = NULL;
    size_t len = 0, i;
    int exists = 0;
    unsigned long long v = 0;

    *gen = 0;
    if (store_read_file(p->generation, 0, &buf, &len, &exists, e) != 0)
        return -1;
    if (!exists)
        return 0;
    for (i = 0; i < len && buf[i] >= '0' && buf[i] <= '9' && v <= STORE_GENERATION_MAX; i++)
        v = v * 10 + (unsigned long long)(buf[i] - '0');
    free(buf);
    if (i == 0 || i + 1 != len || v > STORE_GENERATION_MAX) {
        err_set(e, ERR_STORE_CORRUPT,
                "the store's generation record %s is damaged; move it away (the next change "
                "of the configuration writes it again)",
                p->generation);
        return -1;
    }
    *gen = v;
    return 0;
}

static int store_generation_write(const struct paths *p, unsigned long long gen, struct err *e)
{
    char text[32];
    int n = snprintf(text, sizeof(text), "%llu\n", gen);

    if (n < 0 || (size_t)n >= sizeof(text)) {
        err_set(e, ERR_INTERNAL, "generation out of range");
        return -1;
    }
    return store_write_atomic(p->generation, (const unsigned char *)text, (size_t)n, e);
}

/*
 * Refuse a store older than the newest one written here (see store.h). *stale
 * is set when that is the reason, so that a reader without the lock can look
 * again under it (a writer replaces the store first and the record second).
 */
static int store_generation_check(const struct paths *p, const cJSON *doc, int *stale,
                                  struct err *e)
{
    unsigned long long have = store_doc_generation(doc), newest = 0;

    if (store_generation_read(p, &newest, e) != 0)
        return -1;
    if (have >= newest)
        return 0;
    *stale = 1;
    err_set(e, ERR_STORE_CORRUPT,
            "the store %s is an older copy (generation %llu; %llu was written since): it may "
            "bring back a replaced credential, so it was refused and left untouched",
            p->store, have, newest);
    err_add_fix(e,
                "; put the newest copy back, or move it away and run textus-host configure "
                "again (to keep this copy on purpose, delete %s)",
                p->generation);
    return -1;
}

/* ---- reading the document ----------------------------------------------- */

/*
 * Read key and store and decrypt. *doc is NULL when there is no store.
 * The key (when present) is returned in *k either way. A store older than the
 * generation record is refused (store_generation_check sets *stale).
 */
static int store_read_doc(const struct paths *p, struct store_key *k, cJSON **doc, int *stale,
                          struct err *e)
{
    unsigned char *buf = NULL, *plain = NULL;
    size_t len = 0, plen = 0;
    int have_store = 0, have_key = 0, rc = -1;
    char kpath[PATHS_MAX];

    *doc = NULL;
    memset(k, 0, sizeof(*k));
    if (store_read_file(p->store, 0, &buf, &len, &have_store, e) != 0)
        return -1;
    if (store_failpoint("store_read_pause")) /* widens the store-then-key window for tests */
        os_sleep_ms(3);
    if (store_key_read(p->key, k, &have_key, e) != 0)
        goto out;
    if (!have_store) {
        rc = 0;
        goto out;
    }
    snprintf(kpath, sizeof(kpath), "%s", p->key);
    if (!have_key) {
        err_set(e, ERR_STORE_KEY_MISMATCH,
                "the key file %s is missing, so the store %s cannot be opened", p->key, p->store);
        err_add_fix(e, "; restore the key file, or move the store away and configure again");
        goto out;
    }
    if (store_open_blob(k, buf, len, p->store, kpath, &plain, &plen, e) != 0)
        goto out;
    *doc = cJSON_ParseWithLength((const char *)plain, plen);
    if (!*doc || !cJSON_IsObject(*doc)) {
        store_json_free(*doc);
        *doc = NULL;
        err_set(e, ERR_STORE_CORRUPT,
                "the store %s decrypted to something that is not a JSON object", p->store);
        goto out;
    }
    if (store_generation_check(p, *doc, stale, e) != 0) {
        store_json_free(*doc);
        *doc = NULL;
        goto out;
    }
    rc = 0;
out:
    free(buf);
    if (plain)
        sodium_free(plain);
    if (rc != 0)
        store_key_clear(k);
    return rc;
}

/* ---- the lock and rekey recovery ----------------------------------------- */

static int store_lock(const struct paths *p, int *fd_out, struct err *e)
{
    int fd = os_open_file(p->lock, OS_OPEN_READ | OS_OPEN_WRITE | OS_OPEN_CREATE);

    *fd_out = -1;
    if (fd < 0) {
        if (errno == ELOOP || errno == EMLINK) /* O_NOFOLLOW met a symlink (Linux, macOS / BSD) */
            err_set(e, ERR_STORE_PERMISSIONS,
                    "the lock file %s is a symbolic link; remove it with: rm '%s' (the host "
                    "creates the lock file itself)",
                    p->lock, p->lock);
        else if (errno == EACCES) {
            char why[128], fix[PATHS_MAX + 160];
            os_perm_text(why, sizeof(why), fix, sizeof(fix), OS_PERM_UNREADABLE, NULL, p->lock, 0);
            err_set(e, ERR_STORE_PERMISSIONS, "cannot open the lock file %s: %s; fix it with: %s",
                    p->lock, strerror(errno), fix);
        } else
            err_set(e, ERR_STORE_IO, "cannot open the lock file %s: %s", p->lock, strerror(errno));
        return -1;
    }
    if (paths_check_fd(fd, p->lock, e) != 0) {
        os_close(fd);
        return -1;
    }
    while (os_lock_wait(fd) != 0) {
        if (errno != EINTR) {
            err_set(e, ERR_STORE_IO, "cannot lock %s: %s", p->lock, strerror(errno));
            os_close(fd);
            return -1;
        }
    }
    *fd_out = fd;
    return 0;
}

static void store_unlock(int fd)
{
    if (fd >= 0)
        os_close(fd); /* releases the flock */
}

/* Finish or undo an interrupted rekey (see store.h). Call with the lock held. */
static int store_recover_locked(const struct paths *p, struct err *e)
{
    struct store_key k2;
    unsigned char hdr[STORE_HDR_LEN];
    char dir[PATHS_MAX];
    int have = 0, fd;
    long n = 0;

    if (store_key_read(p->key_new, &k2, &have, e) != 0)
        return -1;
    if (!have)
        return 0;
    if (store_dir_of(dir, sizeof(dir), p->key_new) != 0) {
        store_key_clear(&k2);
        err_set(e, ERR_STORE_IO, "bad key path");
        return -1;
    }
    fd = os_open_file(p->store, OS_OPEN_READ);
    if (fd >= 0) {
        do {
            n = os_read(fd, hdr, sizeof(hdr));
        } while (n < 0 && errno == EINTR);
        os_close(fd);
    }
    if (n == (long)sizeof(hdr) && memcmp(hdr + 12, k2.id, STORE_KEYID_LEN) == 0) {
        /* the new store is in place: the new key becomes the key */
        store_key_clear(&k2);
        if (os_replace(p->key_new, p->key) != 0) {
            err_set(e, ERR_STORE_IO, "cannot finish the interrupted rekey (%s → %s): %s",
                    p->key_new, p->key, strerror(errno));
            return -1;
        }
        log_msg("store: finished an interrupted rekey");
    } else {
        /* the store still uses the old key: the new key was never used */
        store_key_clear(&k2);
        if (os_unlink(p->key_new) != 0) {
            err_set(e, ERR_STORE_IO, "cannot remove the unused key %s: %s", p->key_new,
                    strerror(errno));
            return -1;
        }
        log_msg("store: removed the unused key of an interrupted rekey");
    }
    return store_fsync_dir(dir, e);
}

/* ---- handles ------------------------------------------------------------- */

/* Build a handle from doc (taken: it becomes the public doc, secrets moved out). */
static int store_handle(cJSON *doc, const struct store_key *k, struct store **out, struct err *e)
{
    struct store *s = calloc(1, sizeof(*s));
    size_t need = 1, off = 0;
    int i;

    if (!s) {
        store_json_free(doc);
        err_set(e, ERR_INTERNAL, "out of memory");
        return -1;
    }
    for (i = 0; i < SEC__COUNT; i++) {
        const cJSON *sec = cJSON_GetObjectItemCaseSensitive(doc, store_secrets[i].section);
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(sec, store_secrets[i].name);
        if (cJSON_IsString(v))
            need += strlen(v->valuestring) + 1;
    }
    s->arena = sodium_malloc(need);
    if (!s->arena) {
        free(s);
        store_json_free(doc);
        err_set(e, ERR_INTERNAL, "out of secure memory");
        return -1;
    }
    s->arena_len = need;
    for (i = 0; i < SEC__COUNT; i++) {
        cJSON *sec = cJSON_GetObjectItemCaseSensitive(doc, store_secrets[i].section);
        cJSON *v = cJSON_GetObjectItemCaseSensitive(sec, store_secrets[i].name);
        if (!v)
            continue;
        if (cJSON_IsString(v)) {
            size_t n = strlen(v->valuestring);
            memcpy(s->arena + off, v->valuestring, n + 1);
            s->secret[i] = s->arena + off;
            off += n + 1;
        }
        cJSON_DetachItemViaPointer(sec, v);
        store_json_free(v);
    }
    /* nothing of "internal" is public */
    store_json_free(cJSON_DetachItemFromObjectCaseSensitive(doc, "internal"));
    s->pub = doc;
    store_hex_id(s->key_id, k->id);
    *out = s;
    return 0;
}

void store_free(struct store *s)
{
    if (!s)
        return;
    if (s->arena)
        sodium_free(s->arena); /* zeroes before freeing */
    store_json_free(s->pub);
    free(s);
}

int store_load(struct store **out, struct err *e)
{
    struct paths p;
    struct store_key k;
    cJSON *doc = NULL;
    int exists = 0, lock_fd = -1, stale = 0, file_known;
    struct os_stat st, file;

    *out = NULL;
    if (store_sodium(e) != 0 || paths_resolve(&p, e) != 0)
        return -1;
    if (paths_check_dir(p.config_dir, &exists, e) != 0)
        return -1;
    if (!exists) {
        err_set(e, ERR_NOT_CONFIGURED, "nothing is configured yet: run textus-host configure");
        return -1;
    }
    if (paths_check_dir(p.data_dir, NULL, e) != 0)
        return -1;
    if (os_stat(&st, p.key_new, 0) == 0) {
        if (store_lock(&p, &lock_fd, e) != 0)
            return -1;
        if (store_recover_locked(&p, e) != 0) {
            store_unlock(lock_fd);
            return -1;
        }
        store_unlock(lock_fd);
    }
    /* the file's identity before the read: a write after it shows as a change */
    file_known = os_stat(&file, p.store, 0) == 0;
    if (store_read_doc(&p, &k, &doc, &stale, e) != 0) {
        if (e->code != ERR_STORE_KEY_MISMATCH && !stale)
            return -1;
        /*
         * The store, the key and the generation record are read without the lock; a rekey
         * between the reads looks like a key mismatch, an update like an older store. Read
         * again under the lock, where they are consistent.
         */
        struct err first = *e;
        if (store_lock(&p, &lock_fd, e) != 0) {
            *e = first;
            return -1;
        }
        if (store_recover_locked(&p, e) != 0 || store_read_doc(&p, &k, &doc, &stale, e) != 0) {
            store_unlock(lock_fd);
            return -1;
        }
        store_unlock(lock_fd);
    }
    if (!doc) {
        store_key_clear(&k);
        err_set(e, ERR_NOT_CONFIGURED, "nothing is configured yet: run textus-host configure");
        return -1;
    }
    if (store_handle(doc, &k, out, e) != 0) {
        store_key_clear(&k);
        return -1;
    }
    store_key_clear(&k);
    (*out)->file = file;
    (*out)->file_known = file_known;
    return 0;
}

int store_changed(const struct store *s)
{
    struct paths p;
    struct os_stat now;
    struct err e;

    err_clear(&e);
    if (!s->file_known || paths_resolve(&p, &e) != 0 || os_stat(&now, p.store, 0) != 0)
        return 1;
    /* every write replaces the file: a new inode, or a reused one with new times (to the
     * nanosecond where the system keeps them) */
    return now.dev != s->file.dev || now.ino != s->file.ino || now.size != s->file.size ||
           now.mtime_ns != s->file.mtime_ns || now.ctime_ns != s->file.ctime_ns;
}

/* ---- accessors ------------------------------------------------------------ */

const char *store_key_id(const struct store *s)
{
    return s->key_id;
}

const cJSON *store_public_doc(const struct store *s)
{
    return s->pub;
}

static const cJSON *store_item(const struct store *s, const char *section, const char *name)
{
    return cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(s->pub, section),
                                            name);
}

const char *store_get(const struct store *s, const char *section, const char *name)
{
    const cJSON *v;
    int i;

    if (!s)
        return NULL;
    for (i = 0; i < SEC__COUNT; i++) {
        if (strcmp(store_secrets[i].section, section) == 0 &&
            strcmp(store_secrets[i].name, name) == 0)
            return i == SEC_KDF_ROOT ? NULL : s->secret[i];
    }
    v = store_item(s, section, name);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static const char *store_get_def(const struct store *s, const char *section, const char *name,
                                 const char *def)
{
    const char *v = store_get(s, section, name);
    return v && *v ? v : def;
}

static double store_num(const struct store *s, const char *name, double def)
{
    const cJSON *v = s ? store_item(s, "settings", name) : NULL;
    return cJSON_IsNumber(v) ? v->valuedouble : def;
}

static int store_bool(const struct store *s, const char *name, int def)
{
    const cJSON *v = s ? store_item(s, "settings", name) : NULL;
    return cJSON_IsBool(v) ? cJSON_IsTrue(v) : def;
}

const char *store_textus_token(const struct store *s)
{
    return store_get(s, "textus", "token");
}
const char *store_textus_account(const struct store *s)
{
    return store_get(s, "textus", "account");
}
const char *store_textus_base_url(const struct store *s)
{
    return store_get_def(s, "textus", "base_url", ENDPOINT_TEXTUS_BASE_URL);
}
const char *store_gh_email(const struct store *s)
{
    return store_get(s, "greenhouse", "email");
}
const char *store_gh_api_key(const struct store *s)
{
    return store_get(s, "greenhouse", "api_key");
}
const char *store_gh_client_id(const struct store *s)
{
    return store_get(s, "greenhouse", "client_id");
}
const char *store_gh_client_secret(const struct store *s)
{
    return store_get(s, "greenhouse", "client_secret");
}
const char *store_gh_base_url(const struct store *s)
{
    return store_get_def(s, "greenhouse", "base_url", ENDPOINT_GH_BASE_URL);
}
const char *store_gh_auth_url(const struct store *s)
{
    return store_get_def(s, "greenhouse", "auth_url", ENDPOINT_GH_AUTH_URL);
}

int store_gh_generation(const struct store *s)
{
    if (store_gh_client_id(s) && store_gh_client_secret(s))
        return 3;
    if (store_gh_api_key(s))
        return 1;
    return 0;
}

int store_note_enabled(const struct store *s)
{
    return store_bool(s, "note_enabled", 1);
}
const char *store_note_visibility(const struct store *s)
{
    return store_get_def(s, "settings", "note_visibility", STORE_DEFAULT_NOTE_VISIBILITY);
}

int store_extension_allowed(const struct store *s, const char *ext_id)
{
    const cJSON *ids = s ? store_item(s, "settings", "allowed_extension_ids") : NULL;
    const cJSON *it;

    if (!ext_id || !cJSON_IsArray(ids))
        return 0;
    cJSON_ArrayForEach(it, ids)
    {
        if (cJSON_IsString(it) && strcmp(it->valuestring, ext_id) == 0)
            return 1;
    }
    return 0;
}

size_t store_extension_ids(const struct store *s, char (*out)[33], size_t max)
{
    const cJSON *ids = s ? store_item(s, "settings", "allowed_extension_ids") : NULL;
    const cJSON *it;
    size_t n = 0;

    cJSON_ArrayForEach(it, ids)
    {
        if (n < max && cJSON_IsString(it) && strlen(it->valuestring) == 32)
            memcpy(out[n++], it->valuestring, 33);
    }
    return n;
}

int store_allow_no_origin(const struct store *s)
{
    return store_bool(s, "allow_no_origin", 0);
}

unsigned long long store_inbound_cap(const struct store *s)
{
    double v = store_num(s, "inbound_cap", (double)STORE_DEFAULT_INBOUND_CAP);
    if (v < (double)STORE_MIN_INBOUND_CAP || v > (double)STORE_MAX_INBOUND_CAP)
        return STORE_DEFAULT_INBOUND_CAP;
    return (unsigned long long)v;
}

const char *store_ca_file(const struct store *s)
{
    return store_get(s, "settings", "ca_file");
}
long store_connect_timeout_ms(const struct store *s)
{
    return (long)store_num(s, "connect_timeout_ms", (double)STORE_DEFAULT_CONNECT_TIMEOUT_MS);
}
long store_timeout_ms(const struct store *s)
{
    return (long)store_num(s, "timeout_ms", (double)STORE_DEFAULT_TIMEOUT_MS);
}
int store_segment_limit(const struct store *s)
{
    double v = store_num(s, "segment_limit", STORE_DEFAULT_SEGMENT_LIMIT);
    return v >= 1 && v <= 9 ? (int)v : STORE_DEFAULT_SEGMENT_LIMIT;
}

const char *store_quiet_hours(const struct store *s)
{
    return store_get_def(s, "settings", "quiet_hours", STORE_DEFAULT_QUIET_HOURS);
}

const char *store_textus_user(const struct store *s)
{
    const char *u = store_get(s, "cache", "textus_user");

    return u && strncmp(u, "/users/", 7) == 0 && u[7] ? u : NULL;
}

long long store_gh_user_id(const struct store *s)
{
    const cJSON *v = s ? store_item(s, "cache", "greenhouse_user_id") : NULL;
    const char *email = store_get(s, "cache", "greenhouse_user_email");
    const char *now = store_gh_email(s);

    if (!cJSON_IsNumber(v) || !email || !now || strcmp(email, now) != 0)
        return 0;
    return (long long)v->valuedouble;
}

const char *store_gh_access_token(const struct store *s, long long *expires_at)
{
    const cJSON *v = s ? store_item(s, "cache", "greenhouse_access_token_expires_at") : NULL;

    if (expires_at)
        *expires_at = cJSON_IsNumber(v) ? (long long)v->valuedouble : 0;
    return s ? s->secret[SEC_GH_ACCESS_TOKEN] : NULL;
}

/* ---- writing -------------------------------------------------------------- */

int store_merge_patch(cJSON *doc, const cJSON *patch, struct err *e)
{
    const cJSON *m;

    if (!cJSON_IsObject(doc) || !cJSON_IsObject(patch)) {
        err_set(e, ERR_INVALID_CONFIG, "the configuration must be a JSON object");
        return -1;
    }
    cJSON_ArrayForEach(m, patch)
    {
        cJSON *cur = cJSON_GetObjectItemCaseSensitive(doc, m->string);
        if (cJSON_IsNull(m)) {
            if (cur)
                store_json_free(cJSON_DetachItemViaPointer(doc, cur));
            continue;
        }
        if (cJSON_IsObject(m)) {
            if (cur && !cJSON_IsObject(cur)) {
                store_json_free(cJSON_DetachItemViaPointer(doc, cur));
                cur = NULL;
            }
            if (!cur) {
                cur = cJSON_AddObjectToObject(doc, m->string);
                if (!cur)
                    goto oom;
            }
            if (store_merge_patch(cur, m, e) != 0)
                return -1;
            continue;
        }
        {
            cJSON *dup = cJSON_Duplicate(m, 1);
            if (!dup)
                goto oom;
            if (cur)
                store_json_free(cJSON_DetachItemViaPointer(doc, cur));
            if (!cJSON_AddItemToObject(doc, m->string, dup)) {
                store_json_free(dup);
                goto oom;
            }
        }
    }
    return 0;
oom:
    err_set(e, ERR_INTERNAL, "out of memory");
    return -1;
}

static int store_ensure_kdf_root(cJSON *doc, struct err *e)
{
    cJSON *internal = cJSON_GetObjectItemCaseSensitive(doc, "internal");
    const cJSON *root = cJSON_GetObjectItemCaseSensitive(internal, "kdf_root");
    unsigned char raw[STORE_KDF_ROOT_LEN];
    char hex[STORE_KDF_ROOT_LEN * 2 + 1];
    cJSON *v;

    if (cJSON_IsString(root) && strlen(root->valuestring) == STORE_KDF_ROOT_LEN * 2)
        return 0;
    if (!cJSON_IsObject(internal)) {
        store_json_free(cJSON_DetachItemFromObjectCaseSensitive(doc, "internal"));
        internal = cJSON_AddObjectToObject(doc, "internal");
    }
    randombytes_buf(raw, sizeof(raw));
    sodium_bin2hex(hex, sizeof(hex), raw, sizeof(raw));
    sodium_memzero(raw, sizeof(raw));
    store_json_free(cJSON_DetachItemFromObjectCaseSensitive(internal, "kdf_root"));
    v = internal ? cJSON_AddStringToObject(internal, "kdf_root", hex) : NULL;
    sodium_memzero(hex, sizeof(hex));
    if (!v) {
        err_set(e, ERR_INTERNAL, "out of memory");
        return -1;
    }
    return 0;
}

/* internal.generation = gen (the "internal" section exists: store_ensure_kdf_root made it). */
static int store_set_generation(cJSON *doc, unsigned long long gen, struct err *e)
{
    cJSON *internal = cJSON_GetObjectItemCaseSensitive(doc, "internal");
    cJSON *v = cJSON_CreateNumber((double)gen);

    if (!cJSON_IsObject(internal) || !v) {
        cJSON_Delete(v);
        err_set(e, ERR_INTERNAL, "out of memory");
        return -1;
    }
    store_json_free(cJSON_DetachItemFromObjectCaseSensitive(internal, "generation"));
    cJSON_AddItemToObject(internal, "generation", v);
    return 0;
}

int store_update(store_edit_fn fn, void *ctx, struct store **out, struct err *e)
{
    struct paths p;
    struct store_key k;
    cJSON *doc = NULL, *trial = NULL;
    unsigned char *plain = NULL, *sealed = NULL;
    size_t plen = 0, slen = 0;
    int lock_fd = -1, rc = -1, stale = 0, edit = 0;
    unsigned long long gen = 0;
    struct err ge;
    struct os_stat st;

    memset(&k, 0, sizeof(k));
    if (out)
        *out = NULL;
    if (store_sodium(e) != 0 || paths_resolve(&p, e) != 0)
        return -1;
    /* no store yet: the edit is tried on an empty document first, so that an edit that
     * refuses (a configure whose verification failed, a preview) creates nothing -- no
     * folder, no lock file, no key (see store.h) */
    if (os_stat(&st, p.store, 0) != 0 && errno == ENOENT) {
        trial = cJSON_CreateObject();
        if (!trial) {
            err_set(e, ERR_INTERNAL, "out of memory");
            return -1;
        }
        if (store_ensure_kdf_root(trial, e) != 0 || (fn && fn(trial, ctx, e) != 0)) {
            store_json_free(trial);
            return -1;
        }
    }
    if (paths_ensure_dirs(&p, e) != 0 || store_lock(&p, &lock_fd, e) != 0) {
        store_json_free(trial);
        return -1;
    }
    if (store_recover_locked(&p, e) != 0)
        goto out;
    /* re-read under the lock: another process may have written since we last looked */
    if (store_read_doc(&p, &k, &doc, &stale, e) != 0)
        goto out;
    if (store_generation_read(&p, &gen, e) != 0)
        goto out;
    if (!doc && trial) {
        doc = trial; /* still no store: the edit is done */
        trial = NULL;
    } else if (!doc) {
        doc = cJSON_CreateObject();
        if (!doc) {
            err_set(e, ERR_INTERNAL, "out of memory");
            goto out;
        }
        edit = 1;
    } else {
        edit = 1; /* a store appeared meanwhile: the edit is made on it */
    }
    if (!k.k) {
        /* first configure: the key goes to disk before any store uses it */
        if (store_key_generate(&k, e) != 0 || store_key_write(p.key, &k, e) != 0)
            goto out;
    }
    if (edit && store_ensure_kdf_root(doc, e) != 0)
        goto out;
    if (edit && fn && fn(doc, ctx, e) != 0)
        goto out;
    if (!cJSON_IsObject(doc)) {
        err_set(e, ERR_INTERNAL, "the edited configuration is not an object");
        goto out;
    }
    /* one more than any store written here, also when this one replaces a moved-away store */
    if (store_doc_generation(doc) > gen)
        gen = store_doc_generation(doc);
    if (gen >= STORE_GENERATION_MAX || store_set_generation(doc, gen + 1, e) != 0)
        goto out;
    if (store_print(doc, &plain, &plen, e) != 0)
        goto out;
    if (store_seal(&k, plain, plen, &sealed, &slen, e) != 0)
        goto out;
    if (store_write_atomic(p.store, sealed, slen, e) != 0)
        goto out;
    /*
     * The record follows the store: a crash between the two leaves a store newer than the
     * record, which is accepted. A record that cannot be written leaves the protection one
     * generation behind; the change itself is saved, so it is not reported as a failure.
     */
    if (store_generation_write(&p, gen + 1, &ge) != 0)
        log_msg("store: the generation record was not updated: %s", ge.message);
    if (out) {
        rc = store_handle(doc, &k, out, e);
        doc = NULL;
        goto out;
    }
    rc = 0;
out:
    store_unlock(lock_fd);
    store_json_free(doc);
    store_json_free(trial);
    if (plain)
        sodium_free(plain);
    free(sealed);
    store_key_clear(&k);
    return rc;
}

int store_rekey(char old_id[STORE_KEY_ID_HEX], char new_id[STORE_KEY_ID_HEX], struct err *e)
{
    struct paths p;
    struct store_key k, k2;
    unsigned char *buf = NULL, *plain = NULL, *sealed = NULL;
    size_t len = 0, plen = 0, slen = 0;
    int lock_fd = -1, rc = -1, have_store = 0, have_key = 0, exists = 0;
    char dir[PATHS_MAX];

    memset(&k, 0, sizeof(k));
    memset(&k2, 0, sizeof(k2));
    if (store_sodium(e) != 0 || paths_resolve(&p, e) != 0)
        return -1;
    if (paths_check_dir(p.config_dir, &exists, e) != 0)
        return -1;
    if (!exists) {
        err_set(e, ERR_NOT_CONFIGURED, "nothing is configured yet: run textus-host configure");
        return -1;
    }
    if (paths_check_dir(p.data_dir, NULL, e) != 0 || store_lock(&p, &lock_fd, e) != 0)
        return -1;
    if (store_recover_locked(&p, e) != 0)
        goto out;
    if (store_read_file(p.store, 0, &buf, &len, &have_store, e) != 0 ||
        store_key_read(p.key, &k, &have_key, e) != 0)
        goto out;
    if (!have_store) {
        err_set(e, ERR_NOT_CONFIGURED, "nothing is configured yet: run textus-host configure");
        goto out;
    }
    if (!have_key) {
        err_set(e, ERR_STORE_KEY_MISMATCH, "the key file %s is missing", p.key);
        goto out;
    }
    if (store_open_blob(&k, buf, len, p.store, p.key, &plain, &plen, e) != 0)
        goto out;
    if (store_key_generate(&k2, e) != 0)
        goto out;
    /* 1: the new key next to the old one */
    if (store_key_write(p.key_new, &k2, e) != 0)
        goto out;
    if (store_failpoint("rekey_after_key_new"))
        os_exit_now(70);
    /* 2: the store under the new key */
    if (store_seal(&k2, plain, plen, &sealed, &slen, e) != 0 ||
        store_write_atomic(p.store, sealed, slen, e) != 0) {
        (void)os_unlink(p.key_new);
        goto out;
    }
    if (store_failpoint("rekey_after_store"))
        os_exit_now(70);
    /* 3: the new key replaces the old one */
    if (os_replace(p.key_new, p.key) != 0) {
        err_set(e, ERR_STORE_IO,
                "the store was re-encrypted but %s could not be renamed to %s (%s); the next "
                "start finishes the rekey",
                p.key_new, p.key, strerror(errno));
        goto out;
    }
    if (store_dir_of(dir, sizeof(dir), p.key) != 0 || store_fsync_dir(dir, e) != 0)
        goto out;
    if (old_id)
        store_hex_id(old_id, k.id);
    if (new_id)
        store_hex_id(new_id, k2.id);
    rc = 0;
out:
    store_unlock(lock_fd);
    free(buf);
    free(sealed);
    if (plain)
        sodium_free(plain);
    store_key_clear(&k);
    store_key_clear(&k2);
    return rc;
}

int store_derive_key_from(unsigned char out[32], const struct store *s, const char *context,
                          struct err *e)
{
    unsigned char *root = NULL, ctx[16];
    const char *hex = s->secret[SEC_KDF_ROOT];
    size_t n = 0;
    int rc = -1;

    root = sodium_malloc(STORE_KDF_ROOT_LEN);
    if (!root) {
        err_set(e, ERR_INTERNAL, "out of secure memory");
        goto out;
    }
    if (!hex || sodium_hex2bin(root, STORE_KDF_ROOT_LEN, hex, strlen(hex), NULL, &n, NULL) != 0 ||
        n != STORE_KDF_ROOT_LEN) {
        err_set(e, ERR_STORE_CORRUPT, "the store has no key-derivation root; configure again");
        goto out;
    }
    crypto_generichash(ctx, sizeof(ctx), (const unsigned char *)context, strlen(context), NULL, 0);
    if (crypto_kdf_derive_from_key(out, 32, 1, (const char *)ctx, root) != 0) {
        err_set(e, ERR_INTERNAL, "key derivation failed");
        goto out;
    }
    rc = 0;
out:
    if (root)
        sodium_free(root);
    return rc;
}

int store_derive_key(unsigned char out[32], const char *context, struct err *e)
{
    struct store *s = NULL;
    int rc;

    if (store_load(&s, e) != 0)
        return -1;
    rc = store_derive_key_from(out, s, context, e);
    store_free(s);
    return rc;
}

/* ---- cache ---------------------------------------------------------------- */

struct store_cache_user {
    long long id;
    const char *email;
};

static cJSON *store_cache_section(cJSON *doc, struct err *e)
{
    cJSON *c = cJSON_GetObjectItemCaseSensitive(doc, "cache");

    if (cJSON_IsObject(c))
        return c;
    store_json_free(cJSON_DetachItemFromObjectCaseSensitive(doc, "cache"));
    c = cJSON_AddObjectToObject(doc, "cache");
    if (!c)
        err_set(e, ERR_INTERNAL, "out of memory");
    return c;
}

static void store_set_member(cJSON *obj, const char *name, cJSON *v)
{
    store_json_free(cJSON_DetachItemFromObjectCaseSensitive(obj, name));
    if (v)
        cJSON_AddItemToObject(obj, name, v);
}

static int store_cache_user_edit(cJSON *doc, void *ctx, struct err *e)
{
    const struct store_cache_user *u = ctx;
    cJSON *c = store_cache_section(doc, e);

    if (!c)
        return -1;
    store_set_member(c, "greenhouse_user_id", cJSON_CreateNumber((double)u->id));
    store_set_member(c, "greenhouse_user_email", cJSON_CreateString(u->email ? u->email : ""));
    return 0;
}

int store_cache_set_gh_user(long long user_id, const char *email, struct err *e)
{
    struct store_cache_user u = {user_id, email};
    return store_update(store_cache_user_edit, &u, NULL, e);
}

struct store_cache_textus {
    const char *user;
    const char *token;
    int refused;
};

static int store_cache_textus_edit(cJSON *doc, void *ctx, struct err *e)
{
    struct store_cache_textus *t = ctx;
    const cJSON *tok =
        cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(doc, "textus"), "token");
    cJSON *c;
    size_t n = strlen(t->token);

    /* only for the token it was learnt with: a `configure` that replaced it meanwhile wins */
    if (!cJSON_IsString(tok) || strlen(tok->valuestring) != n ||
        sodium_memcmp(tok->valuestring, t->token, n) != 0) {
        t->refused = 1;
        err_set(e, ERR_INVALID_CONFIG, "the TextUs token changed meanwhile");
        return -1;
    }
    c = store_cache_section(doc, e);
    if (!c)
        return -1;
    store_set_member(c, "textus_user", cJSON_CreateString(t->user));
    return 0;
}

int store_cache_set_textus_user(const char *user, const char *token, struct err *e)
{
    struct store_cache_textus t = {user, token, 0};
    int rc;

    if (!user || strncmp(user, "/users/", 7) != 0 || !user[7] || !token || !*token) {
        err_set(e, ERR_INTERNAL, "store_cache_set_textus_user: not a user id or no token");
        return -1;
    }
    rc = store_update(store_cache_textus_edit, &t, NULL, e);
    if (rc != 0 && t.refused)
        return 0;
    return rc == 0 ? 1 : -1;
}

struct store_cache_token {
    const char *token;
    long long expires_at;
};

static int store_cache_token_edit(cJSON *doc, void *ctx, struct err *e)
{
    const struct store_cache_token *t = ctx;
    cJSON *c = store_cache_section(doc, e);

    if (!c)
        return -1;
    store_set_member(c, "greenhouse_access_token", t->token ? cJSON_CreateString(t->token) : NULL);
    store_set_member(c, "greenhouse_access_token_expires_at",
                     t->token ? cJSON_CreateNumber((double)t->expires_at) : NULL);
    return 0;
}

int store_cache_set_access_token(const char *token, long long expires_at, struct err *e)
{
    struct store_cache_token t = {token, expires_at};
    return store_update(store_cache_token_edit, &t, NULL, e);
}
