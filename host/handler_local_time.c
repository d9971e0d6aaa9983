/*
 * handler_local_time — verb local_time: the candidate's time zones and wall-clock time for a
 * +1 number, and whether a text is allowed now under the quiet-hours setting (what the
 * compose box shows next to the number; the guard itself is in send.c). The window is a
 * local setting in the store.
 * [engine]
 */
#include <stdint.h>
#include <time.h>

#include "engine_entry.h"
#include "handler.h"
#include "phone.h"
#include "quiet.h"
#include "send.h"
#include "store.h"

int handler_local_time(const struct handler_env *env, const cJSON *req, cJSON *result,
                       struct err *e)
{
    const char *to;
    struct store *st = NULL;
    struct quiet_window w;
    struct quiet_result q;
    char window[QUIET_WINDOW_MAX];
    int rc = -1;

    (void)env;
    to = handler_string(req, "to", 1, ERR_BAD_REQUEST, e);
    if (!to)
        return -1;
    if (!phone_e164_nanp_valid(to)) {
        err_set(e, ERR_BAD_REQUEST, SEND_TO_RULE);
        return -1;
    }
    /* no store yet: the default window (nothing is configured, nothing can be sent anyway) */
    if (store_load(&st, e) != 0) {
        if (e->code != ERR_NOT_CONFIGURED)
            return -1;
        err_clear(e);
        quiet_window_default(&w);
    } else if (quiet_window_parse(&w, store_quiet_hours(st), e) != 0) {
        goto out;
    }
    if (quiet_check(&q, &w, to, (int64_t)time(NULL), e) != 0)
        goto out;
    quiet_window_format(window, sizeof(window), &w);
    cJSON_AddStringToObject(result, "to", to);
    cJSON_AddStringToObject(result, "quiet_hours", window);
    send_quiet_zones_json(result, "time_zones", &q);
    if (q.verdict == QUIET_UNKNOWN_ZONE)
        cJSON_AddNullToObject(result, "allowed");
    else
        cJSON_AddBoolToObject(result, "allowed",
                              q.verdict == QUIET_ALLOWED || q.verdict == QUIET_OFF);
    if (q.has_next && q.verdict == QUIET_QUIET)
        cJSON_AddStringToObject(result, "next_allowed", q.next_allowed_iso);
    else
        cJSON_AddNullToObject(result, "next_allowed");
    rc = 0;
out:
    store_free(st);
    return rc;
}
