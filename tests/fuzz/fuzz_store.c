/*
 * fuzz_store — libFuzzer target over the two untrusted inputs of the store:
 * first byte even → the rest is a configure document (config_check_patch as
 * from the extension and from the CLI, merge, config_validate, the shape
 * checks); odd → the rest is a store file image opened with a real key
 * (header parsing, key-id logic, AEAD, JSON of the plaintext).
 */
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "store.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char fz_store[512];
static char fz_root[] = "/tmp/th-fuzz-store-XXXXXX";

static void fz_cleanup(void)
{
    static const char *const names[] = {"credentials.store", "credentials.lock", "store.key",
                                        "store.generation"};
    char p[600];
    size_t i;

    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        snprintf(p, sizeof(p), "%s/%s", fz_root, names[i]);
        unlink(p);
    }
    rmdir(fz_root);
}

static void fz_setup(void)
{
    cJSON *doc;
    struct err e;

    if (fz_store[0])
        return;
    if (!mkdtemp(fz_root))
        abort();
    atexit(fz_cleanup);
    setenv("TEXTUS_HOST_HOME", fz_root, 1);
    doc = cJSON_Parse("{\"textus\": {\"account\": \"fuzz\"}}");
    if (!doc || config_apply(doc, 0, NULL, &e) != 0)
        abort();
    cJSON_Delete(doc);
    snprintf(fz_store, sizeof(fz_store), "%s/credentials.store", fz_root);
}

static void fz_config(const uint8_t *data, size_t size)
{
    cJSON *patch = cJSON_ParseWithLength((const char *)data, size);
    cJSON *doc;
    struct err e;

    if (!patch)
        return;
    (void)!config_check_patch(patch, 1, &e);
    if (config_check_patch(patch, 0, &e) == 0) {
        doc = cJSON_CreateObject();
        if (doc && store_merge_patch(doc, patch, &e) == 0)
            (void)!config_validate(doc, &e);
        cJSON_Delete(doc);
    }
    if (cJSON_IsString(patch)) {
        (void)config_url_ok(patch->valuestring);
        (void)config_email_ok(patch->valuestring);
        (void)config_slug_ok(patch->valuestring);
    }
    cJSON_Delete(patch);
}

static void fz_image(const uint8_t *data, size_t size)
{
    struct store *s = NULL;
    struct err e;
    int fd = open(fz_store, O_WRONLY | O_TRUNC | O_CREAT, 0600);

    if (fd < 0)
        abort();
    if (size && write(fd, data, size) != (ssize_t)size)
        abort();
    close(fd);
    if (store_load(&s, &e) == 0) {
        (void)store_textus_account(s);
        (void)store_inbound_cap(s);
        store_free(s);
    } else if (e.code != ERR_STORE_CORRUPT && e.code != ERR_STORE_KEY_MISMATCH) {
        abort(); /* a damaged image is only ever one of these two */
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_setup();
    if (size == 0)
        return 0;
    if (data[0] & 1)
        fz_image(data + 1, size - 1);
    else
        fz_config(data + 1, size - 1);
    return 0;
}
