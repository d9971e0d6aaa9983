/*
 * send_gh — the Greenhouse side of the send flow: a greenhouse client built
 * from the credential store through the clients' seam (gh_config.h: v1 or v3
 * by the configured credentials, the cached user id and v3 token seeded and
 * persisted), and the operations the flow needs (add a note, look for a
 * marker, and for `textus-host send` the candidate's name).
 * [engine]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gh_config.h"
#include "greenhouse.h"
#include "send.h"

struct send_gh {
    struct gh_client *client;
    struct gh_config cfg;
    struct gh_config_src src; /* the client's cache callback points here: keep g on the heap */
};

int send_gh_open(struct send_gh **out, const struct store *s, struct err *e)
{
    struct send_gh *g = calloc(1, sizeof(*g));

    *out = NULL;
    if (!g) {
        err_set(e, ERR_INTERNAL, "out of memory");
        return -1;
    }
    if (gh_config_from_loaded(&g->cfg, &g->src, s, e) != 0) /* s outlives g (send_ctx) */
        goto err;
    if (gh_client_new(&g->client, &g->cfg, e) != 0)
        goto err;
    gh_config_seed_client(g->client, &g->src);
    *out = g;
    return 0;
err:
    send_gh_close(g);
    return -1;
}

void send_gh_close(struct send_gh *g)
{
    if (!g)
        return;
    if (g->client)
        gh_client_free(g->client);
    gh_config_release(&g->cfg, &g->src);
    free(g);
}

int send_gh_add_note(struct send_gh *g, const char *candidate_id, const char *body,
                     const char *visibility, char *note_id, size_t note_id_sz, struct err *e)
{
    long long id = 0;

    if (gh_add_note(g->client, candidate_id, body, visibility, &id, e) != 0)
        return -1;
    if (id > 0)
        snprintf(note_id, note_id_sz, "%lld", id);
    else if (note_id_sz)
        note_id[0] = '\0';
    return 0;
}

int send_gh_ready(struct send_gh *g, struct err *e)
{
    long long uid = 0;

    return gh_resolve_user(g->client, &uid, e);
}

int send_gh_find_note(struct send_gh *g, const char *candidate_id, const char *needle,
                      char *note_id, size_t note_id_sz, int *found, struct err *e)
{
    long long id = 0;

    if (note_id_sz)
        note_id[0] = '\0';
    if (gh_note_exists(g->client, candidate_id, needle, found, &id, e) != 0)
        return -1;
    if (*found && id > 0)
        snprintf(note_id, note_id_sz, "%lld", id); /* journaled with the note's real id */
    return 0;
}

int send_gh_candidate_name(struct send_gh *g, const char *candidate_id, char *name, size_t name_sz,
                           struct err *e)
{
    char first[256], last[256];

    if (name_sz)
        name[0] = '\0';
    if (gh_candidate_names(g->client, candidate_id, first, sizeof(first), last, sizeof(last), e) !=
        0)
        return -1;
    snprintf(name, name_sz, "%s%s%s", first, first[0] && last[0] ? " " : "", last);
    return 0;
}

void send_gh_warm(struct send_gh *g)
{
    gh_warm(g->client);
}

void send_gh_save_cache(struct send_gh *g)
{
    gh_client_save_cache(g->client);
}
