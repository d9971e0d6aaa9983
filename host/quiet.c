/*
 * quiet — the quiet-hours guard's pure core (see quiet.h): zones of a +1 number
 * from the generated libphonenumber table (quiet_tz.inc, longest matching
 * prefix), the window setting, and the allowed/next_allowed arithmetic in the
 * system zone database.
 *
 * next_allowed is computed on real instants, never by adding wall-clock hours:
 * from an instant outside the window, the candidate instant is where the wall
 * clock reaches the window's start if the UTC offset stays as it is; when the
 * offset changes before that (a daylight-saving transition), the search moves
 * to the exact instant of the change (found by bisection on whole seconds) and
 * looks again from there. So a start that falls in the skipped hour of a spring
 * forward is reached at the transition itself, and a start inside the repeated
 * hour of a fall back is reached at its first occurrence. For several zones the
 * per-zone answers are combined until they agree: each zone's answer is the
 * earliest instant >= t allowed there, so moving t to the latest of them never
 * skips an instant allowed everywhere.
 * [core]
 */
#include "quiet.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "iso8601.h"
#include "os.h"
#include "quiet_tz.inc"

_Static_assert(QUIET_TZ_PER_PREFIX <= QUIET_ZONES_MAX, "QUIET_ZONES_MAX too small for the table");
_Static_assert(QUIET_TZ_LONGEST_PREFIX <= 11, "a NANP number has 11 digits with its country code");

#define QUIET_TZDIR_DEFAULT "/usr/share/zoneinfo" /* glibc's and macOS's default TZDIR */
#define QUIET_ZONE_NAME_MAX 64
#define QUIET_DAY           86400L
#define QUIET_ZONE_STEPS    16 /* per-zone search steps: a day holds at most two transitions */

/* ---- the window setting ------------------------------------------------------------------ */

void quiet_window_default(struct quiet_window *out)
{
    out->off = 0;
    out->start = 8 * 60;
    out->end = 21 * 60;
}

/* "HH:MM" at p (00:00..23:59, two digits each) as minutes, or -1. */
static int parse_hhmm(const char *p)
{
    int i, h, m;

    for (i = 0; i < 5; i++) {
        if (i == 2 ? p[i] != ':' : (p[i] < '0' || p[i] > '9'))
            return -1;
    }
    h = (p[0] - '0') * 10 + (p[1] - '0');
    m = (p[3] - '0') * 10 + (p[4] - '0');
    if (h > 23 || m > 59)
        return -1;
    return h * 60 + m;
}

/* A printable copy of an invalid setting for the error message (never more than a few
 * dozen bytes; anything but printable ASCII becomes '?'). */
static void printable(char *out, size_t out_size, const char *text)
{
    size_t i;

    for (i = 0; i + 1 < out_size && text[i]; i++)
        out[i] = (text[i] >= 0x20 && text[i] < 0x7f && text[i] != '"') ? text[i] : '?';
    out[i] = '\0';
}

int quiet_window_parse(struct quiet_window *out, const char *text, struct err *e)
{
    char shown[33];
    int start, end;

    if (!text) {
        err_set(e, ERR_INVALID_CONFIG, "quiet_hours: missing; give \"HH:MM-HH:MM\" or \"off\"");
        return -1;
    }
    printable(shown, sizeof(shown), text);
    if (strcmp(text, "off") == 0) {
        out->off = 1;
        out->start = 0;
        out->end = 0;
        return 0;
    }
    start = strlen(text) == 11 && text[5] == '-' ? parse_hhmm(text) : -1;
    end = start >= 0 ? parse_hhmm(text + 6) : -1;
    if (start < 0 || end < 0) {
        err_set(e, ERR_INVALID_CONFIG,
                "quiet_hours: \"%s\" is not \"HH:MM-HH:MM\" (24-hour, e.g. \"08:00-21:00\") or "
                "\"off\"",
                shown);
        return -1;
    }
    if (start == end) {
        err_set(e, ERR_INVALID_CONFIG,
                "quiet_hours: \"%s\" is an empty window; give the hours when texts are allowed "
                "(e.g. \"08:00-21:00\") or \"off\"",
                shown);
        return -1;
    }
    if (start > end) {
        err_set(e, ERR_INVALID_CONFIG,
                "quiet_hours: \"%s\" crosses midnight; give the hours when texts are allowed, "
                "start before end (e.g. \"08:00-21:00\"), not the quiet period",
                shown);
        return -1;
    }
    out->off = 0;
    out->start = start;
    out->end = end;
    return 0;
}

void quiet_window_format(char *out, size_t out_size, const struct quiet_window *w)
{
    if (w->off)
        snprintf(out, out_size, "off");
    else
        snprintf(out, out_size, "%02d:%02d-%02d:%02d", w->start / 60, w->start % 60, w->end / 60,
                 w->end % 60);
}

/* ---- zones of a number ------------------------------------------------------------------- */

static int entry_cmp(const void *key, const void *elem)
{
    return strcmp((const char *)key, ((const struct quiet_tz_entry *)elem)->prefix);
}

size_t quiet_zones(const char **out, size_t out_cap, const char *e164)
{
    const struct quiet_tz_entry *hit;
    char key[QUIET_TZ_LONGEST_PREFIX + 1];
    size_t i, len;

    if (!e164 || e164[0] != '+' || e164[1] != '1')
        return 0;
    for (i = 1; i <= 11; i++) {
        if (e164[i] < '0' || e164[i] > '9')
            return 0;
    }
    if (e164[12] != '\0')
        return 0;
    /* Longest matching prefix, as libphonenumber's time_zones_for_geographical_number();
     * the country code alone ("1") is not in the table: no match means unknown. */
    for (len = QUIET_TZ_LONGEST_PREFIX; len >= 2; len--) {
        memcpy(key, e164 + 1, len);
        key[len] = '\0';
        hit = bsearch(key, quiet_tz_table, TH_ARRAY_SIZE(quiet_tz_table), sizeof(quiet_tz_table[0]),
                      entry_cmp);
        if (hit) {
            for (i = 0; i < hit->n && i < out_cap; i++)
                out[i] = quiet_tz_names[hit->zone[i]];
            return hit->n;
        }
    }
    return 0;
}

/* ---- the system zone database ------------------------------------------------------------ */

/* The process's TZ while a check switches zones: saved on entry, restored on exit. */
struct tz_session {
    int had;          /* TZ was set */
    char *saved;      /* its value */
    const char *zone; /* the zone TZ names now, NULL before the first switch */
};

static int tz_begin(struct tz_session *s, struct err *e)
{
    const char *v = os_getenv("TZ");

    s->had = v != NULL;
    s->saved = NULL;
    s->zone = NULL;
    if (v && !(s->saved = strdup(v))) {
        err_set(e, ERR_INTERNAL, "quiet hours: out of memory");
        return -1;
    }
    return 0;
}

static void tz_end(struct tz_session *s)
{
    if (s->zone) {
        if (s->had)
            (void)os_setenv("TZ", s->saved);
        else
            (void)os_unsetenv("TZ");
        tzset();
    }
    free(s->saved);
    s->saved = NULL;
}

/* A zone name that can only name a file inside the zone database. */
static int zone_name_ok(const char *zone)
{
    size_t i, n = strlen(zone);

    if (n == 0 || n >= QUIET_ZONE_NAME_MAX || zone[0] == '/' || strstr(zone, ".."))
        return 0;
    for (i = 0; i < n; i++) {
        char c = zone[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '/' || c == '_' || c == '+' || c == '-'))
            return 0;
    }
    return 1;
}

/* The C library reads an unknown TZ as UTC without a word; a zone is used only after its
 * file is found in the database the C library reads (TZDIR, else the default). */
static int zone_check(const char *zone, struct err *e)
{
    const char *dir = os_getenv("TZDIR");
    char path[512], magic[4];
    FILE *f;
    int ok;

    if (!zone_name_ok(zone)) {
        err_set(e, ERR_INTERNAL, "quiet hours: \"%.64s\" is not a time zone name", zone);
        return -1;
    }
    if (!os_tz_names()) {
        err_set(e, ERR_INTERNAL,
                "quiet hours: this system's C library has no IANA time zones, so the time in %s "
                "cannot be known",
                zone);
        return -1;
    }
    if (!dir || !*dir)
        dir = QUIET_TZDIR_DEFAULT;
    if (snprintf(path, sizeof(path), "%s/%s", dir, zone) >= (int)sizeof(path)) {
        err_set(e, ERR_INTERNAL, "quiet hours: zone database path too long");
        return -1;
    }
    f = fopen(path, "rb");
    ok = f && fread(magic, 1, sizeof(magic), f) == sizeof(magic) &&
         memcmp(magic, "TZif", sizeof(magic)) == 0;
    if (f)
        fclose(f);
    if (!ok) {
        err_set(e, ERR_INTERNAL,
                "quiet hours: time zone %s is not in the system zone database (%.300s); install "
                "or update tzdata",
                zone, path);
        return -1;
    }
    return 0;
}

static int tz_switch(struct tz_session *s, const char *zone, struct err *e)
{
    char value[QUIET_ZONE_NAME_MAX + 2];

    if (s->zone == zone)
        return 0;
    snprintf(value, sizeof(value), ":%s", zone);
    /* from here on the session must restore TZ, whatever happens */
    s->zone = zone;
    if (os_setenv("TZ", value) != 0) {
        err_set(e, ERR_INTERNAL, "quiet hours: cannot set TZ");
        return -1;
    }
    tzset();
    return 0;
}

/* Wall-clock time of t in the current TZ. */
static int local_at(struct tm *tm, int64_t t, struct err *e)
{
    time_t tt = (time_t)t;

    if ((int64_t)tt != t || !localtime_r(&tt, tm)) {
        err_set(e, ERR_INTERNAL, "quiet hours: cannot convert instant %lld to local time",
                (long long)t);
        return -1;
    }
    return 0;
}

/* Seconds after local midnight (a leap second counts as the second before it). */
static long second_of_day(const struct tm *tm)
{
    return tm->tm_hour * 3600L + tm->tm_min * 60L + (tm->tm_sec > 59 ? 59 : tm->tm_sec);
}

static int inside(const struct quiet_window *w, long sod)
{
    return sod >= w->start * 60L && sod < w->end * 60L;
}

/* The earliest instant >= t at which the current zone's wall clock is inside w. */
static int zone_next(int64_t *out, const struct quiet_window *w, int64_t t, struct err *e)
{
    struct tm lu, lv, lm;
    int64_t u = t, v, lo, hi, mid;
    long sod, delta;
    int step;

    for (step = 0; step < QUIET_ZONE_STEPS; step++) {
        if (local_at(&lu, u, e) != 0)
            return -1;
        sod = second_of_day(&lu);
        if (inside(w, sod)) {
            *out = u;
            return 0;
        }
        /* wall-clock seconds to the next start: today's if still ahead, else tomorrow's */
        delta = sod < w->start * 60L ? w->start * 60L - sod : QUIET_DAY - sod + w->start * 60L;
        v = u + delta;
        if (local_at(&lv, v, e) != 0)
            return -1;
        if (os_utc_offset(&lv, v) == os_utc_offset(&lu, u)) {
            u = v; /* the offset held: v is the start itself (checked on the next step) */
            continue;
        }
        /* the offset changes in (u, v]: find the first second it does and look from there */
        lo = u;
        hi = v;
        while (hi - lo > 1) {
            mid = lo + (hi - lo) / 2;
            if (local_at(&lm, mid, e) != 0)
                return -1;
            if (os_utc_offset(&lm, mid) == os_utc_offset(&lu, u))
                lo = mid;
            else
                hi = mid;
        }
        u = hi;
    }
    err_set(e, ERR_INTERNAL, "quiet hours: no window start found after %lld", (long long)t);
    return -1;
}

static void hhmm(char *out, size_t out_size, const struct tm *tm)
{
    snprintf(out, out_size, "%02d:%02d", tm->tm_hour, tm->tm_min);
}

/* Fill each zone's local_time and allowed flag at now. */
static int zone_times(struct quiet_result *out, struct tz_session *s, const struct quiet_window *w,
                      int64_t now, struct err *e)
{
    struct tm tm;
    size_t i;

    for (i = 0; i < out->n_zones; i++) {
        struct quiet_zone_time *z = &out->zones[i];
        if (tz_switch(s, z->zone, e) != 0 || local_at(&tm, now, e) != 0)
            return -1;
        hhmm(z->local_time, sizeof(z->local_time), &tm);
        z->allowed = w->off || inside(w, second_of_day(&tm));
    }
    return 0;
}

/* next_allowed across every zone: each zone's earliest allowed instant >= t, until all agree. */
static int search_next(struct quiet_result *out, struct tz_session *s, const struct quiet_window *w,
                       int64_t now, struct err *e)
{
    const int64_t limit = now + QUIET_HORIZON_DAYS * QUIET_DAY;
    const long max_rounds = 4L * QUIET_HORIZON_DAYS * QUIET_ZONES_MAX;
    int64_t t = now, n;
    long round;
    size_t i;
    int moved;

    for (round = 0; round < max_rounds; round++) {
        moved = 0;
        for (i = 0; i < out->n_zones; i++) {
            if (tz_switch(s, out->zones[i].zone, e) != 0 || zone_next(&n, w, t, e) != 0)
                return -1;
            if (n > t) {
                t = n;
                moved = 1;
            }
        }
        if (!moved) {
            out->has_next = 1;
            out->next_allowed = t;
            return 0;
        }
        if (t > limit)
            return 0; /* no instant allowed everywhere within the horizon */
    }
    return 0;
}

int quiet_check(struct quiet_result *out, const struct quiet_window *w, const char *e164,
                int64_t now, struct err *e)
{
    const char *names[QUIET_ZONES_MAX];
    struct tz_session s;
    struct tm tm;
    size_t i, n;
    int rc = -1, all = 1;

    memset(out, 0, sizeof(*out));
    n = quiet_zones(names, TH_ARRAY_SIZE(names), e164);
    if (n > QUIET_ZONES_MAX) {
        err_set(e, ERR_INTERNAL, "quiet hours: %zu zones for one number", n);
        return -1;
    }
    out->n_zones = n;
    for (i = 0; i < n; i++) {
        out->zones[i].zone = names[i];
        if (zone_check(names[i], e) != 0)
            return -1;
    }
    if (tz_begin(&s, e) != 0)
        return -1;
    if (zone_times(out, &s, w, now, e) != 0)
        goto done;
    for (i = 0; i < n; i++)
        all = all && out->zones[i].allowed;
    if (n == 0 && !w->off) {
        out->verdict = QUIET_UNKNOWN_ZONE;
    } else if (w->off || all) {
        out->verdict = w->off ? QUIET_OFF : QUIET_ALLOWED;
        out->has_next = 1;
        out->next_allowed = now;
    } else {
        out->verdict = QUIET_QUIET;
        if (search_next(out, &s, w, now, e) != 0)
            goto done;
    }
    if (out->has_next) {
        if (iso8601_format_utc(out->next_allowed_iso, sizeof(out->next_allowed_iso),
                               out->next_allowed) != 0) {
            err_set(e, ERR_INTERNAL, "quiet hours: next_allowed out of range");
            goto done;
        }
        for (i = 0; i < n; i++) {
            struct quiet_zone_time *z = &out->zones[i];
            if (tz_switch(&s, z->zone, e) != 0 || local_at(&tm, out->next_allowed, e) != 0)
                goto done;
            hhmm(z->next_local_time, sizeof(z->next_local_time), &tm);
        }
    }
    rc = 0;
done:
    tz_end(&s);
    return rc;
}

/* Instant t in zone, "HH:MM" or (with_date) "Wed 02 Dec 2026 09:00 CST", formatted inside a
 * time-zone session (so that %Z names that zone). 0, or -1 with *e set. */
static int zone_strftime(char *out, size_t out_size, const char *zone, int64_t t, int with_date,
                         struct err *e)
{
    struct tz_session s;
    struct tm tm;
    int rc = -1;

    if (!zone || out_size == 0) {
        err_set(e, ERR_INTERNAL, "quiet hours: no time zone given");
        return -1;
    }
    if (zone_check(zone, e) != 0 || tz_begin(&s, e) != 0)
        return -1;
    if (tz_switch(&s, zone, e) == 0 && local_at(&tm, t, e) == 0) {
        size_t n = with_date ? strftime(out, out_size, "%a %d %b %Y %H:%M %Z", &tm)
                             : strftime(out, out_size, "%H:%M", &tm);
        if (n == 0) {
            out[0] = '\0';
            err_set(e, ERR_INTERNAL, "quiet hours: a local time does not fit");
        } else {
            rc = 0;
        }
    }
    tz_end(&s);
    return rc;
}

int quiet_local_time(char *out, size_t out_size, const char *zone, int64_t t, struct err *e)
{
    return zone_strftime(out, out_size, zone, t, 0, e);
}

int quiet_local_datetime(char *out, size_t out_size, const char *zone, int64_t t, struct err *e)
{
    return zone_strftime(out, out_size, zone, t, 1, e);
}
