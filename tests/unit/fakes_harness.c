/*
 * fakes_harness — start/stop the Python fakes and call their control API (see
 * fakes_harness.h). Test code: it has its own libcurl handle.
 */
#include "fakes_harness.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "buf.h"

const char *fk_cert_name = "server";

const char *fk_source_dir(void)
{
    const char *s = getenv("TH_SOURCE_DIR");
    return s && *s ? s : ".";
}

const char *fk_fakes_dir(void)
{
    static char buf[1024];
    const char *s = getenv("TH_FAKES_DIR");

    if (s && *s)
        return s;
    snprintf(buf, sizeof(buf), "%s/tests/fakes", fk_source_dir());
    return buf;
}

static char *fk_slurp(const char *path)
{
    FILE *fp = fopen(path, "rb");
    char *buf;
    long n;

    if (!fp)
        return NULL;
    if (fseek(fp, 0, SEEK_END) != 0 || (n = ftell(fp)) < 0 || fseek(fp, 0, SEEK_SET) != 0) {
        fclose(fp);
        return NULL;
    }
    buf = calloc(1, (size_t)n + 1);
    if (buf && fread(buf, 1, (size_t)n, fp) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    fclose(fp);
    return buf;
}

static int fk_int(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsNumber(v) ? v->valueint : -1;
}

int fk_start(struct fk *f, const char *tls_dir, const char *config_json)
{
    char fakes[1024], seed[1024], ports[600], cert[600], key[600], out[600];
    char *argv[20];
    int argc = 0, i;
    cJSON *p;
    char *text;

    memset(f, 0, sizeof(*f));
    snprintf(f->dir, sizeof(f->dir), "%s/th-fakes.XXXXXX",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (!mkdtemp(f->dir))
        return -1;
    if (snprintf(fakes, sizeof(fakes), "%s/fakes.py", fk_fakes_dir()) >= (int)sizeof(fakes) ||
        snprintf(seed, sizeof(seed), "%s/tests/unit/fakes_seed.json", fk_source_dir()) >=
            (int)sizeof(seed) ||
        snprintf(ports, sizeof(ports), "%s/ports.json", f->dir) >= (int)sizeof(ports))
        return -1; /* paths too long for this harness */
    if (access(fakes, R_OK) != 0) {
        fprintf(stderr,
                "fakes_harness: %s not found (set TH_FAKES_DIR to the folder of "
                "fakes.py)\n",
                fakes);
        return -1;
    }
    snprintf(out, sizeof(out), "%s/fakes.out", f->dir);
    argv[argc++] = "python3";
    argv[argc++] = fakes;
    argv[argc++] = "--seed";
    argv[argc++] = seed;
    argv[argc++] = "--state-dir";
    argv[argc++] = f->dir;
    argv[argc++] = "--max-seconds";
    argv[argc++] = "300";
    argv[argc++] = "--random-seed";
    argv[argc++] = "7";
    if (tls_dir) {
        snprintf(cert, sizeof(cert), "%s/%s.pem", tls_dir, fk_cert_name);
        snprintf(key, sizeof(key), "%s/%s.key", tls_dir, fk_cert_name);
        /* control calls verify too: the self-signed cert is its own CA; the wrong-host
         * cert is reached under its name */
        snprintf(f->ca_file, sizeof(f->ca_file), "%s/%s.pem", tls_dir,
                 strcmp(fk_cert_name, "selfsigned") == 0 ? "selfsigned" : "ca");
        if (strcmp(fk_cert_name, "wronghost") == 0)
            snprintf(f->ctl_host, sizeof(f->ctl_host), "wrong.example");
        argv[argc++] = "--tls-cert";
        argv[argc++] = cert;
        argv[argc++] = "--tls-key";
        argv[argc++] = key;
    }
    if (config_json) {
        argv[argc++] = "--config";
        argv[argc++] = (char *)config_json;
    }
    argv[argc] = NULL;
    fflush(NULL);
    f->pid = fork();
    if (f->pid < 0)
        return -1;
    if (f->pid == 0) {
        int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        int nul = open("/dev/null", O_RDONLY);
        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
        }
        if (nul >= 0)
            dup2(nul, 0);
        execvp("python3", argv);
        _exit(127);
    }
    for (i = 0; i < 300; i++) { /* 15 s */
        struct timespec ts = {0, 50000000L};
        int st;
        if (waitpid(f->pid, &st, WNOHANG) == f->pid) {
            f->pid = 0;
            fprintf(stderr, "fakes exited early; see %s\n", out);
            return -1;
        }
        text = fk_slurp(ports);
        if (text) {
            p = cJSON_Parse(text);
            free(text);
            if (p) {
                const cJSON *s = cJSON_GetObjectItemCaseSensitive(p, "scheme");
                snprintf(f->scheme, sizeof(f->scheme), "%s",
                         cJSON_IsString(s) ? s->valuestring : "http");
                f->port_textus = fk_int(p, "textus");
                f->port_harvest = fk_int(p, "harvest");
                f->port_auth = fk_int(p, "auth");
                cJSON_Delete(p);
                snprintf(f->textus, sizeof(f->textus), "%s://127.0.0.1:%d", f->scheme,
                         f->port_textus);
                snprintf(f->harvest, sizeof(f->harvest), "%s://127.0.0.1:%d", f->scheme,
                         f->port_harvest);
                snprintf(f->auth, sizeof(f->auth), "%s://127.0.0.1:%d", f->scheme, f->port_auth);
                return 0;
            }
        }
        nanosleep(&ts, NULL);
    }
    fk_stop(f);
    return -1;
}

void fk_stop(struct fk *f)
{
    char cmd[600];
    int st;

    if (f->pid > 0) {
        kill(f->pid, SIGTERM);
        waitpid(f->pid, &st, 0);
        f->pid = 0;
    }
    if (f->dir[0] && !getenv("TH_KEEP_FAKES")) {
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
        if (system(cmd) != 0)
            fprintf(stderr, "could not remove %s\n", f->dir);
    }
    f->dir[0] = '\0';
}

/* The fakes' control answers (their request logs can be long, never this long). */
#define FK_ANSWER_MAX (64u * 1024u * 1024u)

static size_t fk_write(char *ptr, size_t size, size_t nmemb, void *ud)
{
    size_t n = size * nmemb;

    return buf_append(ud, ptr, n) == BUF_OK ? n : 0;
}

static cJSON *fk_call(struct fk *f, const char *method, const char *op, const char *json)
{
    CURL *h = curl_easy_init();
    struct curl_slist *hdr = NULL, *rs = NULL;
    struct buf b;
    char url[1024], resolve[128];
    long status = 0;
    cJSON *out = NULL;

    if (!h)
        return NULL;
    buf_init(&b, FK_ANSWER_MAX, 0);
    if (f->ctl_host[0]) {
        snprintf(resolve, sizeof(resolve), "%s:%d:127.0.0.1", f->ctl_host, f->port_textus);
        rs = curl_slist_append(NULL, resolve);
        curl_easy_setopt(h, CURLOPT_RESOLVE, rs);
        snprintf(url, sizeof(url), "%s://%s:%d/__fake/%s", f->scheme, f->ctl_host, f->port_textus,
                 op);
    } else {
        snprintf(url, sizeof(url), "%s/__fake/%s", f->textus, op);
    }
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, fk_write);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &b);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, 20L);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    if (f->ca_file[0])
        curl_easy_setopt(h, CURLOPT_CAINFO, f->ca_file);
    if (strcmp(method, "POST") == 0) {
        hdr = curl_slist_append(hdr, "Content-Type: application/json");
        curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, json ? json : "{}");
    }
    if (curl_easy_perform(h) == CURLE_OK) {
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
        if (status == 200 && b.data)
            out = cJSON_Parse(b.data);
        else
            fprintf(stderr, "control %s %s -> %ld %s\n", method, op, status, buf_str(&b));
    }
    buf_free(&b);
    curl_easy_cleanup(h);
    curl_slist_free_all(hdr);
    curl_slist_free_all(rs);
    return out;
}

cJSON *fk_get(struct fk *f, const char *op)
{
    return fk_call(f, "GET", op, NULL);
}

cJSON *fk_post(struct fk *f, const char *op, const char *json)
{
    return fk_call(f, "POST", op, json);
}

static int fk_post_ok(struct fk *f, const char *op, const char *json)
{
    cJSON *r = fk_post(f, op, json);
    int ok = r != NULL;

    cJSON_Delete(r);
    return ok ? 0 : -1;
}

int fk_fault(struct fk *f, const char *rule_json)
{
    return fk_post_ok(f, "faults", rule_json);
}

int fk_reset(struct fk *f)
{
    return fk_post_ok(f, "reset-faults", "{}") | fk_post_ok(f, "reset-rate-limits", "{}");
}

int fk_config(struct fk *f, const char *knobs_json)
{
    return fk_post_ok(f, "config", knobs_json);
}

cJSON *fk_requests(struct fk *f, const char *server, int since)
{
    char op[128];

    if (server)
        snprintf(op, sizeof(op), "requests?server=%s&since=%d", server, since);
    else
        snprintf(op, sizeof(op), "requests?since=%d", since);
    return fk_get(f, op);
}

int fk_last_seq(struct fk *f)
{
    /* the count, not the records: a record can be large (faults with big bodies) */
    cJSON *s = fk_get(f, "state");
    int n = fk_int(s, "requests_recorded");

    cJSON_Delete(s);
    return n;
}

const char *fk_rec_str(const cJSON *rec, const char *obj, const char *name)
{
    const cJSON *o = obj ? cJSON_GetObjectItemCaseSensitive(rec, obj) : rec;
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    return cJSON_IsString(v) ? v->valuestring : "";
}

int fk_count(struct fk *f, const char *server, const char *method, const char *prefix, int since)
{
    cJSON *r = fk_requests(f, server, since);
    const cJSON *it;
    int n = 0;

    if (!cJSON_IsArray(r)) {
        cJSON_Delete(r);
        return -1;
    }
    cJSON_ArrayForEach(it, r)
    {
        if (method && strcmp(fk_rec_str(it, NULL, "method"), method) != 0)
            continue;
        if (prefix && strncmp(fk_rec_str(it, NULL, "path"), prefix, strlen(prefix)) != 0)
            continue;
        n++;
    }
    cJSON_Delete(r);
    return n;
}

int fk_conn(struct fk *f, const char *server, const char *key)
{
    cJSON *s = fk_get(f, "state");
    const cJSON *c = cJSON_GetObjectItemCaseSensitive(s, "connections");
    int n = -1;

    if (cJSON_IsObject(c)) /* a server not contacted yet has no entry: 0 */
        n = cJSON_GetObjectItemCaseSensitive(c, server)
                ? fk_int(cJSON_GetObjectItemCaseSensitive(c, server), key)
                : 0;
    cJSON_Delete(s);
    return n;
}

int fk_harvest_int(struct fk *f, const char *key)
{
    cJSON *s = fk_get(f, "state");
    int n = fk_int(cJSON_GetObjectItemCaseSensitive(s, "harvest"), key);

    cJSON_Delete(s);
    return n;
}
