/*
 * fakes_harness — starts the Python fakes (tests/fakes/fakes.py) for the C client
 * tests, waits for ports.json, and talks to their control API (/__fake/...) over
 * its own libcurl handle, independent of host/http.c.
 */
#ifndef TH_FAKES_HARNESS_H
#define TH_FAKES_HARNESS_H

#include <sys/types.h>

#include <cjson/cJSON.h>

struct fk {
    pid_t pid;
    char dir[256];
    char scheme[8];
    int port_textus, port_harvest, port_auth;
    char textus[64], harvest[64], auth[64]; /* base URLs */
    char ca_file[512];                      /* for control calls over https; "" otherwise */
    char ctl_host[64];                      /* host name the control calls verify */
};

/* Certificate basename in the mkcerts.sh directory for fk_start ("server"). */
extern const char *fk_cert_name;

/* Start the fakes with tests/unit/fakes_seed.json. tls_dir: NULL for http, else a mkcerts.sh
 * directory (server.pem/key used; ca.pem for control calls). config: JSON knobs or NULL. */
int fk_start(struct fk *f, const char *tls_dir, const char *config_json);
void fk_stop(struct fk *f);

/* Control calls; the answer parsed (caller frees), NULL on failure. */
cJSON *fk_get(struct fk *f, const char *op);
cJSON *fk_post(struct fk *f, const char *op, const char *json);

/* Shortcuts. */
int fk_fault(struct fk *f, const char *rule_json);
int fk_reset(struct fk *f); /* reset faults and rate limits */
int fk_config(struct fk *f, const char *knobs_json);
cJSON *fk_requests(struct fk *f, const char *server, int since); /* array */
int fk_last_seq(struct fk *f);
/* Number of recorded requests on server (NULL: any) with method (NULL: any) whose path
 * starts with prefix (NULL: any), with seq > since. */
int fk_count(struct fk *f, const char *server, const char *method, const char *prefix, int since);
/* state.connections.<server>.<key> ("api", "accepted", "tls_failures"); -1 on error. */
int fk_conn(struct fk *f, const char *server, const char *key);
/* state.harvest.<key> as an int (e.g. "token_requests"); -1 on error. */
int fk_harvest_int(struct fk *f, const char *key);
/* A string field of a recorded request: rec.<name>, or rec.<obj>.<name> when obj is not NULL
 * (e.g. "headers", "query", "body"); "" when absent or not a string. */
const char *fk_rec_str(const cJSON *rec, const char *obj, const char *name);

/* Source paths. */
const char *fk_source_dir(void);
const char *fk_fakes_dir(void);

#endif
