/*
 * quiet — the quiet-hours guard's pure core (see quiet.h): zones of a +1 number
 * from the generated libphonenumber table (quiet_tz.inc, longest matching
 * prefix), the window setting, and the allowed/next_allowed arithmetic on the
 * generated UTC-offset table (quiet_zones.inc, from Debian's tzdata): the same
 * code and data on every platform, no TZ, no tzset, no localtime_r. A zone's
 * offset at t is its table entry's (binary search), and the wall clock is t plus
 * that offset, split into a civil date by plain arithmetic; an instant outside
 * the table's years is an error, never a guess.
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

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iso8601.h"
#include "quiet_tz.inc"
#include "quiet_zones.inc"

_Static_assert(QUIET_TZ_PER_PREFIX <= QUIET_ZONES_MAX, "QUIET_ZONES_MAX too small for the table");
_Static_assert(QUIET_TZ_LONGEST_PREFIX <= 11, "a NANP number has 11 digits with its country code");
_Static_assert(TH_ARRAY_SIZE(quiet_zone_list) == TH_ARRAY_SIZE(quiet_tz_names),
               "quiet_zones.inc is not generated from this quiet_tz.inc: run "
               "scripts/gen-quiet-zones.py");

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

/* ---- the zone table (quiet_zones.inc) ---------------------------------------------------- */

/* The wall clock of an instant in a zone. */
struct wall {
    int year, mon, mday; /* mon 1..12 */
    int wday;            /* 0 = Sunday */
    int hour, min, sec;
    long offset;      /* seconds east of UTC */
    const char *abbr; /* "CST" */
};

static int zone_cmp(const void *key, const void *elem)
{
    return strcmp((const char *)key, ((const struct quiet_zone *)elem)->name);
}

/* The table's entry for zone, or -1 with *e set. */
static int zone_find(const struct quiet_zone **out, const char *zone, struct err *e)
{
    char shown[QUIET_ZONE_NAME_MAX];

    *out = zone ? bsearch(zone, quiet_zone_list, TH_ARRAY_SIZE(quiet_zone_list),
                          sizeof(quiet_zone_list[0]), zone_cmp)
                : NULL;
    if (*out)
        return 0;
    if (!zone) {
        err_set(e, ERR_INTERNAL, "quiet hours: no time zone given");
        return -1;
    }
    printable(shown, sizeof(shown), zone);
    err_set(e, ERR_INTERNAL,
            "quiet hours: \"%s\" is not a time zone of the host's table (host/quiet_zones.inc, "
            "from %s)",
            shown, QUIET_ZONES_SOURCE);
    return -1;
}

/* The zone's UTC offset and abbreviation at t: the last entry at or before t (binary
 * search); an instant outside the table's range is an error, never a guess. */
static int zone_type_at(const struct quiet_zone_type **out, const struct quiet_zone *z, int64_t t,
                        struct err *e)
{
    size_t lo = z->first, hi = (size_t)z->first + z->count, mid;

    if (t < QUIET_ZONES_FROM || t >= QUIET_ZONES_UNTIL) {
        err_set(e, ERR_INTERNAL,
                "quiet hours: the time zone table covers %d-%d (UTC) and instant %lld is outside "
                "it; check this computer's clock",
                QUIET_ZONES_FIRST_YEAR, QUIET_ZONES_LAST_YEAR, (long long)t);
        return -1;
    }
    /* quiet_zone_at[lo] <= t (the first entry is QUIET_ZONES_FROM); find the last such */
    while (hi - lo > 1) {
        mid = lo + (hi - lo) / 2;
        if (quiet_zone_at[mid] <= t)
            lo = mid;
        else
            hi = mid;
    }
    *out = &quiet_zone_types[quiet_zone_type_of[lo]];
    return 0;
}

/* Floor division for the calendar arithmetic. */
static int64_t floor_div(int64_t a, int64_t b)
{
    return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

/* The civil date of a day count since 1970-01-01 (the proleptic Gregorian calendar; Howard
 * Hinnant's civil_from_days, http://howardhinnant.github.io/date_algorithms.html). */
static void civil_from_days(struct wall *w, int64_t days)
{
    int64_t z = days + 719468, era = floor_div(z, 146097);
    int64_t doe = z - era * 146097;                                      /* [0, 146096] */
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; /* [0, 399] */
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);               /* [0, 365] */
    int64_t mp = (5 * doy + 2) / 153;                                    /* [0, 11], from March */

    w->mday = (int)(doy - (153 * mp + 2) / 5 + 1);
    w->mon = (int)(mp < 10 ? mp + 3 : mp - 9);
    w->year = (int)(yoe + era * 400 + (w->mon <= 2));
    w->wday = (int)(days - 7 * floor_div(days + 4, 7) + 4); /* 1970-01-01 was a Thursday */
}

/* Wall-clock time of t in zone z. */
static int local_at(struct wall *w, const struct quiet_zone *z, int64_t t, struct err *e)
{
    const struct quiet_zone_type *ty;
    int64_t local, days, sod;

    if (zone_type_at(&ty, z, t, e) != 0)
        return -1;
    local = t + ty->offset;
    days = floor_div(local, QUIET_DAY);
    sod = local - days * QUIET_DAY;
    civil_from_days(w, days);
    w->hour = (int)(sod / 3600);
    w->min = (int)(sod / 60 % 60);
    w->sec = (int)(sod % 60);
    w->offset = ty->offset;
    w->abbr = ty->abbr;
    return 0;
}

/* Wall clock of t in zone for the two formatters: 0, or -1 with *e set and out emptied. */
static int local_for_format(struct wall *lw, char *out, size_t out_size, const char *zone,
                            int64_t t, struct err *e)
{
    const struct quiet_zone *z;

    if (out_size == 0) {
        err_set(e, ERR_INTERNAL, "quiet hours: no room for a local time");
        return -1;
    }
    out[0] = '\0';
    if (zone_find(&z, zone, e) != 0 || local_at(lw, z, t, e) != 0)
        return -1;
    return 0;
}

/* The formatted text did not fit: out emptied, *e set. */
static int no_fit(char *out, struct err *e)
{
    out[0] = '\0';
    err_set(e, ERR_INTERNAL, "quiet hours: a local time does not fit");
    return -1;
}

/* Seconds after local midnight. */
static long second_of_day(const struct wall *w)
{
    return w->hour * 3600L + w->min * 60L + w->sec;
}

static int inside(const struct quiet_window *w, long sod)
{
    return sod >= w->start * 60L && sod < w->end * 60L;
}

/* The earliest instant >= t at which zone z's wall clock is inside w. */
static int zone_next(int64_t *out, const struct quiet_zone *z, const struct quiet_window *w,
                     int64_t t, struct err *e)
{
    struct wall lu, lv, lm;
    int64_t u = t, v, lo, hi, mid;
    long sod, delta;
    int step;

    for (step = 0; step < QUIET_ZONE_STEPS; step++) {
        if (local_at(&lu, z, u, e) != 0)
            return -1;
        sod = second_of_day(&lu);
        if (inside(w, sod)) {
            *out = u;
            return 0;
        }
        /* wall-clock seconds to the next start: today's if still ahead, else tomorrow's */
        delta = sod < w->start * 60L ? w->start * 60L - sod : QUIET_DAY - sod + w->start * 60L;
        v = u + delta;
        if (local_at(&lv, z, v, e) != 0)
            return -1;
        if (lv.offset == lu.offset) {
            u = v; /* the offset held: v is the start itself (checked on the next step) */
            continue;
        }
        /* the offset changes in (u, v]: find the first second it does and look from there */
        lo = u;
        hi = v;
        while (hi - lo > 1) {
            mid = lo + (hi - lo) / 2;
            if (local_at(&lm, z, mid, e) != 0)
                return -1;
            if (lm.offset == lu.offset)
                lo = mid;
            else
                hi = mid;
        }
        u = hi;
    }
    err_set(e, ERR_INTERNAL, "quiet hours: no window start found after %lld", (long long)t);
    return -1;
}

static void hhmm(char *out, size_t out_size, const struct wall *w)
{
    snprintf(out, out_size, "%02d:%02d", w->hour, w->min);
}

/* Fill each zone's local_time and allowed flag at now. */
static int zone_times(struct quiet_result *out, const struct quiet_zone *const *zt,
                      const struct quiet_window *w, int64_t now, struct err *e)
{
    struct wall lw;
    size_t i;

    for (i = 0; i < out->n_zones; i++) {
        struct quiet_zone_time *z = &out->zones[i];
        if (local_at(&lw, zt[i], now, e) != 0)
            return -1;
        hhmm(z->local_time, sizeof(z->local_time), &lw);
        z->allowed = w->off || inside(w, second_of_day(&lw));
    }
    return 0;
}

/* next_allowed across every zone: each zone's earliest allowed instant >= t, until all agree. */
static int search_next(struct quiet_result *out, const struct quiet_zone *const *zt,
                       const struct quiet_window *w, int64_t now, struct err *e)
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
            if (zone_next(&n, zt[i], w, t, e) != 0)
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
    const struct quiet_zone *zt[QUIET_ZONES_MAX];
    struct wall lw;
    size_t i, n;
    int all = 1;

    memset(out, 0, sizeof(*out));
    n = quiet_zones(names, TH_ARRAY_SIZE(names), e164);
    if (n > QUIET_ZONES_MAX) {
        err_set(e, ERR_INTERNAL, "quiet hours: %zu zones for one number", n);
        return -1;
    }
    out->n_zones = n;
    for (i = 0; i < n; i++) {
        out->zones[i].zone = names[i];
        if (zone_find(&zt[i], names[i], e) != 0)
            return -1;
    }
    if (zone_times(out, zt, w, now, e) != 0)
        return -1;
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
        if (search_next(out, zt, w, now, e) != 0)
            return -1;
    }
    if (out->has_next) {
        if (iso8601_format_utc(out->next_allowed_iso, sizeof(out->next_allowed_iso),
                               out->next_allowed) != 0) {
            err_set(e, ERR_INTERNAL, "quiet hours: next_allowed out of range");
            return -1;
        }
        for (i = 0; i < n; i++) {
            if (local_at(&lw, zt[i], out->next_allowed, e) != 0)
                return -1;
            hhmm(out->zones[i].next_local_time, sizeof(out->zones[i].next_local_time), &lw);
        }
    }
    return 0;
}

int quiet_local_time(char *out, size_t out_size, const char *zone, int64_t t, struct err *e)
{
    struct wall lw;

    if (local_for_format(&lw, out, out_size, zone, t, e) != 0)
        return -1;
    if (snprintf(out, out_size, "%02d:%02d", lw.hour, lw.min) >= (int)out_size)
        return no_fit(out, e);
    return 0;
}

int quiet_local_datetime(char *out, size_t out_size, const char *zone, int64_t t, struct err *e)
{
    /* strftime's "%a %d %b %Y %H:%M %Z" in the C locale, which the host never changes */
    static const char days[7][4] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char months[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    struct wall lw;

    if (local_for_format(&lw, out, out_size, zone, t, e) != 0)
        return -1;
    if (snprintf(out, out_size, "%s %02d %s %04d %02d:%02d %s", days[lw.wday], lw.mday,
                 months[lw.mon - 1], lw.year, lw.hour, lw.min, lw.abbr) >= (int)out_size)
        return no_fit(out, e);
    return 0;
}
