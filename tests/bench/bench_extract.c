/*
 * bench_extract — throughput of extract_phone on 1 KiB, 64 KiB and 1 MiB of
 * profile text (built only with -DTH_BENCH=ON; run by scripts/bench.sh).
 *
 * The text is a realistic profile header (name, pronouns, title, location,
 * labelled numbers) followed by filler lines full of things that are not
 * phone numbers (dates, ZIP codes, salaries, ids, URLs), so the scanner does
 * its real work on every line. Three layers are timed:
 *   scanner  phone_scan_* over the lines (the extractor alone)
 *   handler  handler_extract_phone on a parsed request (+ validation, reply)
 *   request  proto_handle on the JSON text (+ UTF-8 check, JSON parse, envelope)
 *   no name  the scanner when the name is not on the page (every line folded and matched)
 * Output: one tab-separated row per layer and size: name, size, MB/s (median
 * of the runs), ms per call (median). MB = 10^6 bytes of profile text. Time is the
 * process's CPU time, so other load on a shared machine does not count as ours.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "handler.h"
#include "phone.h"
#include "protocol.h"

#define BENCH_RUNS 15

static const char *const bench_head[] = {
    "Zoë Ortiz (she/her)", "Senior Software Engineer at Acme Corp",
    "Chicago, IL 60614",   "Mobile: (312) 555-0142",
    "Fax: 312-555-0199",
};

static const char *const bench_filler[] = {
    "Applied 2024-03-15 via LinkedIn · Application ID 48151623",
    "Desired salary: $120,000 - $150,000 (base), GPA 3.85/4.00",
    "Previously at Initech, 2019 - 2024, Austin, TX 78701-1234",
    "https://www.linkedin.com/in/zoe-ortiz-48151623/ · github.com/zortiz",
    "Interview scheduled March 15, 2024 at 10:30 AM CST with the hiring team",
    "Source: Referral — Jordan Smith (Engineering Manager), req #4815",
    "Skills: Go, Rust, PostgreSQL, Kubernetes, distributed systems, on-call",
    "Tags: backend, payments, relocation-ok, visa-not-required, remote-friendly",
    "Last activity 03/15/2024 from 192.168.100.200, 3 attachments, 2 notes",
    "Previous phone on file: +44 20 7946 0958 (work, outdated)",
};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

struct bench_profile {
    const char **lines;
    size_t *lens;
    size_t count;
    size_t bytes;
    cJSON *req;
    char *json;
    size_t json_len;
};

static void bench_build(struct bench_profile *p, size_t target)
{
    size_t cap = target / 16 + 16, i;
    cJSON *prof, *arr;

    memset(p, 0, sizeof(*p));
    p->lines = malloc(cap * sizeof(*p->lines));
    p->lens = malloc(cap * sizeof(*p->lens));
    if (!p->lines || !p->lens)
        exit(1);
    for (i = 0; i < sizeof(bench_head) / sizeof(bench_head[0]); i++) {
        p->lines[p->count] = bench_head[i];
        p->lens[p->count] = strlen(bench_head[i]);
        p->bytes += p->lens[p->count++];
    }
    for (i = 0; p->bytes < target && p->count < cap; i++) {
        const char *l = bench_filler[i % (sizeof(bench_filler) / sizeof(bench_filler[0]))];
        size_t len = strlen(l);
        if (p->bytes + len > target)
            len = target - p->bytes;
        p->lines[p->count] = l;
        p->lens[p->count] = len;
        p->bytes += len;
        p->count++;
    }
    p->req = cJSON_CreateObject();
    cJSON_AddStringToObject(p->req, "type", "extract_phone");
    prof = cJSON_AddObjectToObject(p->req, "profile");
    cJSON_AddStringToObject(prof, "url", "https://app.greenhouse.io/people/48151623");
    cJSON_AddStringToObject(prof, "name", "Zoë Ortiz");
    arr = cJSON_AddArrayToObject(prof, "lines");
    for (i = 0; i < p->count; i++) {
        char *copy = strndup(p->lines[i], p->lens[i]);
        cJSON_AddItemToArray(arr, cJSON_CreateString(copy));
        free(copy);
    }
    p->json = cJSON_PrintUnformatted(p->req);
    p->json_len = strlen(p->json);
}

static void bench_free(struct bench_profile *p)
{
    free(p->lines);
    free(p->lens);
    cJSON_Delete(p->req);
    free(p->json);
}

/* One call of the layer; returns 0 when it found the expected number (layer 3: as an
 * alternative only). */
static int bench_once(const struct bench_profile *p, int layer)
{
    static struct phone_scan s;
    static struct phone_result r;
    const char *origin = "chrome-extension://" PROTO_STUB_EXTENSION_ID "/";
    size_t i;
    int ok = 0;

    if (layer == 0 || layer == 3) {
        /* layer 3: a name that is not on the page, so every line goes through the name matcher */
        const char *name = layer == 0 ? "Zoë Ortiz" : "Ana María Quintero-Solís";
        if (phone_scan_init(&s, name, strlen(name), NULL) != 0)
            return -1;
        for (i = 0; i < p->count; i++) {
            if (phone_scan_line(&s, p->lines[i], p->lens[i]) != 0)
                return -1;
        }
        phone_scan_finish(&s, &r);
        phone_scan_free(&s);
        if (layer == 3) /* no name on the page: no number is beneath it, none is the default */
            return !r.found && r.alternatives_count > 0 &&
                           strcmp(r.alternatives[0].e164, "+13125550142") == 0
                       ? 0
                       : -1;
        return r.found && strcmp(r.phone.e164, "+13125550142") == 0 ? 0 : -1;
    }
    if (layer == 1) {
        struct handler_env env = {.origin = origin, .from_cli = 0};
        struct err e;
        cJSON *result = cJSON_CreateObject();
        const cJSON *ph;
        if (handler_extract_phone(&env, p->req, result, &e) == 0) {
            ph = cJSON_GetObjectItemCaseSensitive(result, "phone");
            ok = strcmp(cJSON_GetObjectItemCaseSensitive(ph, "e164")->valuestring,
                        "+13125550142") == 0;
        }
        cJSON_Delete(result);
        return ok ? 0 : -1;
    }
    {
        cJSON *reply = proto_handle(p->json, p->json_len, origin);
        ok = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(reply, "ok"));
        cJSON_Delete(reply);
        return ok ? 0 : -1;
    }
}

int main(int argc, char **argv)
{
    static const size_t sizes[] = {1024, 64 * 1024, 1024 * 1024};
    static const char *const size_names[] = {"1 KiB", "64 KiB", "1 MiB"};
    static const char *const layers[] = {"extract_phone scanner", "extract_phone handler",
                                         "extract_phone request (JSON)",
                                         "extract_phone scanner, no name"};
    int layer;
    size_t si;

    (void)argc;
    (void)argv;
    for (si = 0; si < 3; si++) {
        struct bench_profile p;
        bench_build(&p, sizes[si]);
        for (layer = 0; layer < 4; layer++) {
            double mbs[BENCH_RUNS], ms[BENCH_RUNS];
            size_t inner = (8 * 1024 * 1024) / sizes[si], k; /* 8 MiB of text per run */
            int run;
            if (bench_once(&p, layer) != 0) { /* warm-up and a sanity check */
                fprintf(stderr, "bench_extract: %s on %s did not find the number\n", layers[layer],
                        size_names[si]);
                return 1;
            }
            for (run = 0; run < BENCH_RUNS; run++) {
                double t0 = now_s(), dt;
                for (k = 0; k < inner; k++) {
                    if (bench_once(&p, layer) != 0)
                        return 1;
                }
                dt = now_s() - t0;
                mbs[run] = (double)p.bytes * (double)inner / dt / 1e6;
                ms[run] = dt * 1e3 / (double)inner;
            }
            qsort(mbs, BENCH_RUNS, sizeof(double), cmp_double);
            qsort(ms, BENCH_RUNS, sizeof(double), cmp_double);
            printf("%s\t%s (%zu lines)\t%.0f\t%.3f\n", layers[layer], size_names[si], p.count,
                   mbs[BENCH_RUNS / 2], ms[BENCH_RUNS / 2]);
            fflush(stdout);
        }
        bench_free(&p);
    }
    return 0;
}
