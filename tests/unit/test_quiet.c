/*
 * test_quiet — the quiet-hours core: the window setting (good and bad forms),
 * zones of a number (longest prefix, several zones, unknown), and allowed /
 * local time / next_allowed at fixed instants in every kind of NANP zone:
 * Chicago, Hawaii (no DST), Alaska, Arizona without DST next to Denver,
 * Atlantic (Puerto Rico, Halifax), Newfoundland (half-hour offset), numbers
 * with several zones, and both daylight-saving transitions. Every instant is
 * passed in; the expected values are worked out from the zones' published
 * offsets and 2026's US/Canadian transition dates (8 March, 1 November).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "iso8601.h"
#include "quiet.h"

/* "2026-12-02T14:00:00Z" as epoch seconds. */
static int64_t utc(const char *iso)
{
    struct tm tm;
    char part[5];
    static const int at[6] = {0, 5, 8, 11, 14, 17}, len[6] = {4, 2, 2, 2, 2, 2};
    long v[6];
    int i;

    assert_int_equal(strlen(iso), 20);
    for (i = 0; i < 6; i++) {
        memcpy(part, iso + at[i], (size_t)len[i]);
        part[len[i]] = '\0';
        v[i] = strtol(part, NULL, 10);
    }
    memset(&tm, 0, sizeof(tm));
    tm.tm_year = (int)v[0] - 1900;
    tm.tm_mon = (int)v[1] - 1;
    tm.tm_mday = (int)v[2];
    tm.tm_hour = (int)v[3];
    tm.tm_min = (int)v[4];
    tm.tm_sec = (int)v[5];
    return (int64_t)timegm(&tm);
}

static void window(struct quiet_window *w, const char *text)
{
    struct err e;
    if (quiet_window_parse(w, text, &e) != 0)
        fail_msg("window %s refused: %s", text, e.message);
}

/* quiet_check that must succeed. */
static void check(struct quiet_result *r, const char *win, const char *e164, const char *now)
{
    struct quiet_window w;
    struct err e;

    window(&w, win);
    if (quiet_check(r, &w, e164, utc(now), &e) != 0)
        fail_msg("quiet_check(%s, %s, %s): %s", win, e164, now, e.message);
}

static void assert_zone(const struct quiet_result *r, size_t i, const char *zone, const char *local,
                        int allowed)
{
    assert_true(i < r->n_zones);
    assert_string_equal(r->zones[i].zone, zone);
    assert_string_equal(r->zones[i].local_time, local);
    assert_int_equal(r->zones[i].allowed, allowed);
}

static void assert_allowed(const struct quiet_result *r, const char *now)
{
    assert_int_equal(r->verdict, QUIET_ALLOWED);
    assert_int_equal(r->has_next, 1);
    assert_int_equal(r->next_allowed, utc(now));
    assert_string_equal(r->next_allowed_iso, now);
}

static void assert_quiet(const struct quiet_result *r, const char *next)
{
    assert_int_equal(r->verdict, QUIET_QUIET);
    assert_int_equal(r->has_next, 1);
    assert_string_equal(r->next_allowed_iso, next);
    assert_int_equal(r->next_allowed, utc(next));
}

/* ---- the window setting ------------------------------------------------------------------ */

static void test_window_good(void **state)
{
    struct quiet_window w, d;
    char text[QUIET_WINDOW_MAX];
    static const char *const forms[] = {"08:00-21:00", "00:00-23:59", "09:30-17:45", "07:05-07:06",
                                        "off"};
    size_t i;
    (void)state;

    window(&w, "08:00-21:00");
    assert_int_equal(w.off, 0);
    assert_int_equal(w.start, 8 * 60);
    assert_int_equal(w.end, 21 * 60);
    quiet_window_default(&d);
    assert_int_equal(d.off, 0);
    assert_int_equal(d.start, w.start);
    assert_int_equal(d.end, w.end);
    window(&w, QUIET_DEFAULT_WINDOW);
    assert_int_equal(d.start, w.start);
    assert_int_equal(d.end, w.end);

    window(&w, "09:30-17:45");
    assert_int_equal(w.start, 9 * 60 + 30);
    assert_int_equal(w.end, 17 * 60 + 45);
    window(&w, "off");
    assert_int_equal(w.off, 1);

    for (i = 0; i < TH_ARRAY_SIZE(forms); i++) {
        window(&w, forms[i]);
        quiet_window_format(text, sizeof(text), &w);
        assert_string_equal(text, forms[i]);
    }
}

static void test_window_bad(void **state)
{
    static const char *const bad[] = {
        "",
        "8:00-21:00",             /* one-digit hour */
        "08:00-21:0",             /* short */
        "08:00 - 21:00",          /* spaces */
        " 08:00-21:00",           /* leading space */
        "08:00-21:00 ",           /* trailing space */
        "08:00-21:00\n",          /* newline */
        "08.00-21.00",            /* wrong separator */
        "08:00/21:00",            /* wrong dash */
        "08:00\342\200\22321:00", /* en dash (octal escapes), as typed in prose */
        "0800-2100",              /* no colons */
        "8-21",                   /* hours only */
        "08:60-21:00",            /* minute 60 */
        "24:00-23:00",            /* hour 24 */
        "08:00-24:00",            /* end 24:00 (23:59 is the latest) */
        "+8:00-21:00",            /* sign */
        "08:00-21:00-22",         /* extra */
        "OFF",                    /* only "off" */
        "Off",
        "none",
        "21:00-08:00", /* crosses midnight */
        "23:00-01:00", /* crosses midnight */
        "08:00-08:00", /* empty */
    };
    struct quiet_window w = {7, 7, 7};
    struct err e;
    size_t i;
    (void)state;

    for (i = 0; i < TH_ARRAY_SIZE(bad); i++) {
        memset(&e, 0, sizeof(e));
        if (quiet_window_parse(&w, bad[i], &e) == 0)
            fail_msg("window \"%s\" accepted", bad[i]);
        assert_int_equal(e.code, ERR_INVALID_CONFIG);
        assert_non_null(strstr(e.message, "quiet_hours"));
        /* a refused setting leaves the window as it was */
        assert_int_equal(w.off, 7);
        assert_int_equal(w.start, 7);
        assert_int_equal(w.end, 7);
    }
    assert_int_not_equal(quiet_window_parse(&w, NULL, &e), 0);
    assert_int_not_equal(quiet_window_parse(&w, "21:00-08:00", &e), 0);
    assert_non_null(strstr(e.message, "crosses midnight"));
    assert_int_not_equal(quiet_window_parse(&w, "08:00-08:00", &e), 0);
    assert_non_null(strstr(e.message, "empty"));
    /* the message never carries control characters from the setting */
    assert_int_not_equal(quiet_window_parse(&w, "\x1b[31m08:00", &e), 0);
    assert_null(strchr(e.message, '\x1b'));
}

/* ---- zones of a number ------------------------------------------------------------------- */

static void test_zones(void **state)
{
    const char *z[QUIET_ZONES_MAX];
    (void)state;

    assert_int_equal(quiet_zones(z, QUIET_ZONES_MAX, "+13125551234"), 1);
    assert_string_equal(z[0], "America/Chicago");
    assert_int_equal(quiet_zones(z, QUIET_ZONES_MAX, "+16025551234"), 2);
    assert_string_equal(z[0], "America/Denver");
    assert_string_equal(z[1], "America/Phoenix");
    assert_int_equal(quiet_zones(z, QUIET_ZONES_MAX, "+18085551234"), 1);
    assert_string_equal(z[0], "Pacific/Honolulu");
    assert_int_equal(quiet_zones(z, QUIET_ZONES_MAX, "+17875551234"), 1);
    assert_string_equal(z[0], "America/Puerto_Rico");

    /* longest matching prefix: +1 208 as a whole, 208-5, 208-305 and 208-201 differ; 208-5
     * has longer prefixes beneath it in Denver, so an exchange not listed there may be in any
     * of the three (quiet_tz.inc's added rule) */
    assert_int_equal(quiet_zones(z, QUIET_ZONES_MAX, "+12085551234"), 3);
    assert_string_equal(z[0], "America/Boise");
    assert_string_equal(z[1], "America/Los_Angeles");
    assert_string_equal(z[2], "America/Denver");
    assert_int_equal(quiet_zones(z, QUIET_ZONES_MAX, "+12083051234"), 1);
    assert_string_equal(z[0], "America/Los_Angeles");
    assert_int_equal(quiet_zones(z, QUIET_ZONES_MAX, "+12082011234"), 1);
    assert_string_equal(z[0], "America/Denver");
    /* Alaska: +1 907 as a whole (its own two zones, then those its listed exchanges name),
     * and an exchange the metadata puts in Juneau */
    assert_int_equal(quiet_zones(z, QUIET_ZONES_MAX, "+19075551234"), 4);
    assert_string_equal(z[0], "America/Adak");
    assert_string_equal(z[1], "America/Anchorage");
    assert_string_equal(z[2], "America/Juneau");
    assert_string_equal(z[3], "Pacific/Honolulu");
    /* +1 850: the area code says New York, many of its exchanges Chicago; one not listed
     * (850-555) may be in either */
    assert_int_equal(quiet_zones(z, QUIET_ZONES_MAX, "+18505551234"), 2);
    assert_string_equal(z[0], "America/New_York");
    assert_string_equal(z[1], "America/Chicago");
    assert_int_equal(quiet_zones(z, QUIET_ZONES_MAX, "+18502001234"), 1);
    assert_string_equal(z[0], "America/Chicago");
    assert_int_equal(quiet_zones(z, QUIET_ZONES_MAX, "+19074631234"), 1);
    assert_string_equal(z[0], "America/Juneau");

    /* fewer slots than zones: the count is still the number's */
    assert_int_equal(quiet_zones(z, 1, "+16025551234"), 2);
    assert_string_equal(z[0], "America/Denver");

    /* unknown: toll-free (only the country-level entry matches), malformed, not +1 */
    assert_int_equal(quiet_zones(z, QUIET_ZONES_MAX, "+18005551234"), 0);
    assert_int_equal(quiet_zones(z, QUIET_ZONES_MAX, "+18885551234"), 0);
    assert_int_equal(quiet_zones(z, QUIET_ZONES_MAX, "3125551234"), 0);
    assert_int_equal(quiet_zones(z, QUIET_ZONES_MAX, "+1312555123"), 0);
    assert_int_equal(quiet_zones(z, QUIET_ZONES_MAX, "+131255512345"), 0);
    assert_int_equal(quiet_zones(z, QUIET_ZONES_MAX, "+1312555123x"), 0);
    assert_int_equal(quiet_zones(z, QUIET_ZONES_MAX, "+442071234567"), 0);
    assert_int_equal(quiet_zones(z, QUIET_ZONES_MAX, ""), 0);
    assert_int_equal(quiet_zones(z, QUIET_ZONES_MAX, NULL), 0);
}

/* ---- allowed / local time / next_allowed ------------------------------------------------- */

static void test_chicago(void **state)
{
    struct quiet_result r;
    (void)state;

    /* 22:00 CST on 1 December: refused until 08:00 CST on the 2nd (14:00Z) */
    check(&r, "08:00-21:00", "+13125551234", "2026-12-02T04:00:00Z");
    assert_quiet(&r, "2026-12-02T14:00:00Z");
    assert_int_equal(r.n_zones, 1);
    assert_zone(&r, 0, "America/Chicago", "22:00", 0);
    assert_string_equal(r.zones[0].next_local_time, "08:00");

    /* the end is outside the window, the start inside */
    check(&r, "08:00-21:00", "+13125551234", "2026-12-02T02:59:59Z");
    assert_allowed(&r, "2026-12-02T02:59:59Z");
    assert_zone(&r, 0, "America/Chicago", "20:59", 1);
    check(&r, "08:00-21:00", "+13125551234", "2026-12-02T03:00:00Z");
    assert_quiet(&r, "2026-12-02T14:00:00Z");
    assert_zone(&r, 0, "America/Chicago", "21:00", 0);
    check(&r, "08:00-21:00", "+13125551234", "2026-12-02T13:59:59Z");
    assert_quiet(&r, "2026-12-02T14:00:00Z");
    check(&r, "08:00-21:00", "+13125551234", "2026-12-02T14:00:00Z");
    assert_allowed(&r, "2026-12-02T14:00:00Z");
    assert_string_equal(r.zones[0].next_local_time, "08:00");

    /* a custom window */
    check(&r, "09:30-17:00", "+13125551234", "2026-12-02T14:00:00Z");
    assert_quiet(&r, "2026-12-02T15:30:00Z");
}

static void test_hawaii(void **state)
{
    struct quiet_result r;
    (void)state;

    /* 06:00 in Honolulu, summer and winter alike (UTC-10, no daylight saving) */
    check(&r, "08:00-21:00", "+18085551234", "2026-07-15T16:00:00Z");
    assert_quiet(&r, "2026-07-15T18:00:00Z");
    assert_zone(&r, 0, "Pacific/Honolulu", "06:00", 0);
    check(&r, "08:00-21:00", "+18085551234", "2026-01-15T16:00:00Z");
    assert_quiet(&r, "2026-01-15T18:00:00Z");
    assert_zone(&r, 0, "Pacific/Honolulu", "06:00", 0);
    check(&r, "08:00-21:00", "+18085551234", "2026-01-15T18:00:00Z");
    assert_allowed(&r, "2026-01-15T18:00:00Z");
    /* 20:00 Honolulu is 06:00Z the next UTC day: still allowed */
    check(&r, "08:00-21:00", "+18085551234", "2026-07-16T06:00:00Z");
    assert_allowed(&r, "2026-07-16T06:00:00Z");
    assert_zone(&r, 0, "Pacific/Honolulu", "20:00", 1);
}

static void test_denver_and_arizona(void **state)
{
    struct quiet_result r;
    (void)state;

    /* 09:00 in Denver (MST in December): allowed */
    check(&r, "08:00-21:00", "+13035551234", "2026-12-02T16:00:00Z");
    assert_allowed(&r, "2026-12-02T16:00:00Z");
    assert_zone(&r, 0, "America/Denver", "09:00", 1);
    /* and in July (MDT) */
    check(&r, "08:00-21:00", "+13035551234", "2026-07-15T15:00:00Z");
    assert_allowed(&r, "2026-07-15T15:00:00Z");
    assert_zone(&r, 0, "America/Denver", "09:00", 1);

    /* +1 602 lists Denver and Phoenix. Summer: Denver 08:30 MDT, Phoenix 07:30 MST (Arizona
     * keeps standard time): refused until Phoenix reaches 08:00 (15:00Z). */
    check(&r, "08:00-21:00", "+16025551234", "2026-07-15T14:30:00Z");
    assert_quiet(&r, "2026-07-15T15:00:00Z");
    assert_int_equal(r.n_zones, 2);
    assert_zone(&r, 0, "America/Denver", "08:30", 1);
    assert_zone(&r, 1, "America/Phoenix", "07:30", 0);
    assert_string_equal(r.zones[0].next_local_time, "09:00");
    assert_string_equal(r.zones[1].next_local_time, "08:00");
    /* Winter: both on MST, the same clock, allowed */
    check(&r, "08:00-21:00", "+16025551234", "2026-01-15T15:30:00Z");
    assert_allowed(&r, "2026-01-15T15:30:00Z");
    assert_zone(&r, 0, "America/Denver", "08:30", 1);
    assert_zone(&r, 1, "America/Phoenix", "08:30", 1);
    /* Summer evening: Denver 21:00 refused, Phoenix 20:00 allowed; next is when both are in
     * (Denver 08:00 MDT = 14:00Z has Phoenix at 07:00, so 15:00Z) */
    check(&r, "08:00-21:00", "+16025551234", "2026-07-16T03:00:00Z");
    assert_quiet(&r, "2026-07-16T15:00:00Z");
    assert_zone(&r, 0, "America/Denver", "21:00", 0);
    assert_zone(&r, 1, "America/Phoenix", "20:00", 1);
}

static void test_alaska(void **state)
{
    struct quiet_result r;
    (void)state;

    /* Juneau (AKST, UTC-9 in January) */
    check(&r, "08:00-21:00", "+19074631234", "2026-01-15T16:59:00Z");
    assert_quiet(&r, "2026-01-15T17:00:00Z");
    assert_zone(&r, 0, "America/Juneau", "07:59", 0);
    check(&r, "08:00-21:00", "+19074631234", "2026-01-15T17:00:00Z");
    assert_allowed(&r, "2026-01-15T17:00:00Z");
    /* +1 907 as a whole: Adak (HDT, UTC-9), Anchorage and Juneau (AKDT, UTC-8) in July, and
     * Honolulu (HST, UTC-10), which a listed 907 exchange names: allowed when 08:00 in all */
    check(&r, "08:00-21:00", "+19075551234", "2026-07-15T16:00:00Z");
    assert_quiet(&r, "2026-07-15T18:00:00Z");
    assert_zone(&r, 0, "America/Adak", "07:00", 0);
    assert_zone(&r, 1, "America/Anchorage", "08:00", 1);
    assert_zone(&r, 2, "America/Juneau", "08:00", 1);
    assert_zone(&r, 3, "Pacific/Honolulu", "06:00", 0);
}

static void test_atlantic(void **state)
{
    struct quiet_result r;
    (void)state;

    /* Puerto Rico: AST (UTC-4) all year */
    check(&r, "08:00-21:00", "+17875551234", "2026-01-15T11:59:00Z");
    assert_quiet(&r, "2026-01-15T12:00:00Z");
    assert_zone(&r, 0, "America/Puerto_Rico", "07:59", 0);
    check(&r, "08:00-21:00", "+17875551234", "2026-07-15T12:00:00Z");
    assert_allowed(&r, "2026-07-15T12:00:00Z");
    assert_zone(&r, 0, "America/Puerto_Rico", "08:00", 1);
    /* Nova Scotia (+1 902, Halifax): AST in January, ADT (UTC-3) in July */
    check(&r, "08:00-21:00", "+19025551234", "2026-01-15T12:00:00Z");
    assert_allowed(&r, "2026-01-15T12:00:00Z");
    assert_zone(&r, 0, "America/Halifax", "08:00", 1);
    check(&r, "08:00-21:00", "+19025551234", "2026-07-15T10:59:00Z");
    assert_quiet(&r, "2026-07-15T11:00:00Z");
    assert_zone(&r, 0, "America/Halifax", "07:59", 0);
}

static void test_newfoundland(void **state)
{
    struct quiet_result r;
    (void)state;

    /* St. John's exchange (+1 709-753): NST UTC-3:30 in January, NDT UTC-2:30 in July */
    check(&r, "08:00-21:00", "+17097531234", "2026-01-15T11:29:00Z");
    assert_quiet(&r, "2026-01-15T11:30:00Z");
    assert_zone(&r, 0, "America/St_Johns", "07:59", 0);
    check(&r, "08:00-21:00", "+17097531234", "2026-01-15T11:30:00Z");
    assert_allowed(&r, "2026-01-15T11:30:00Z");
    assert_zone(&r, 0, "America/St_Johns", "08:00", 1);
    check(&r, "08:00-21:00", "+17097531234", "2026-07-15T10:30:00Z");
    assert_allowed(&r, "2026-07-15T10:30:00Z");
    check(&r, "08:00-21:00", "+17097531234", "2026-07-15T23:30:00Z");
    assert_quiet(&r, "2026-07-16T10:30:00Z");
    assert_zone(&r, 0, "America/St_Johns", "21:00", 0);

    /* +1 709 as a whole lists Atlantic time (America/Puerto_Rico, Labrador) and St. John's,
     * half an hour apart in January: allowed only when both clocks are in the window */
    check(&r, "08:00-21:00", "+17095551234", "2026-01-15T11:30:00Z");
    assert_quiet(&r, "2026-01-15T12:00:00Z");
    assert_zone(&r, 0, "America/Puerto_Rico", "07:30", 0);
    assert_zone(&r, 1, "America/St_Johns", "08:00", 1);
    assert_string_equal(r.zones[0].next_local_time, "08:00");
    assert_string_equal(r.zones[1].next_local_time, "08:30");
    check(&r, "08:00-21:00", "+17095551234", "2026-01-16T00:30:00Z");
    assert_quiet(&r, "2026-01-16T12:00:00Z");
    assert_zone(&r, 0, "America/Puerto_Rico", "20:30", 1);
    assert_zone(&r, 1, "America/St_Johns", "21:00", 0);
}

static void test_dst_transitions(void **state)
{
    struct quiet_result r;
    (void)state;

    /* Spring forward (8 March 2026, 02:00 CST -> 03:00 CDT): 22:00 CST on the 7th is refused
     * until 08:00 CDT = 13:00Z, not 14:00Z (ten wall-clock hours would be one too many) */
    check(&r, "08:00-21:00", "+13125551234", "2026-03-08T04:00:00Z");
    assert_quiet(&r, "2026-03-08T13:00:00Z");
    assert_zone(&r, 0, "America/Chicago", "22:00", 0);
    assert_string_equal(r.zones[0].next_local_time, "08:00");
    /* Fall back (1 November 2026, 02:00 CDT -> 01:00 CST): 22:00 CDT on 31 October is refused
     * until 08:00 CST = 14:00Z */
    check(&r, "08:00-21:00", "+13125551234", "2026-11-01T03:00:00Z");
    assert_quiet(&r, "2026-11-01T14:00:00Z");
    assert_zone(&r, 0, "America/Chicago", "22:00", 0);
    assert_string_equal(r.zones[0].next_local_time, "08:00");

    /* A start inside the skipped hour is reached at the transition itself (03:00 CDT) */
    check(&r, "02:30-21:00", "+13125551234", "2026-03-08T06:00:00Z");
    assert_quiet(&r, "2026-03-08T08:00:00Z");
    assert_string_equal(r.zones[0].next_local_time, "03:00");
    /* A start inside the repeated hour is reached at its first occurrence (01:30 CDT) */
    check(&r, "01:30-21:00", "+13125551234", "2026-11-01T05:00:00Z");
    assert_quiet(&r, "2026-11-01T06:30:00Z");
    assert_string_equal(r.zones[0].next_local_time, "01:30");
    /* A window the spring-forward jump leaves early: 01:59:59 CST is in, the next second
     * (03:00 CDT) is out until midnight */
    check(&r, "00:00-02:30", "+13125551234", "2026-03-08T07:59:59Z");
    assert_allowed(&r, "2026-03-08T07:59:59Z");
    check(&r, "00:00-02:30", "+13125551234", "2026-03-08T08:00:00Z");
    assert_quiet(&r, "2026-03-09T05:00:00Z");
    assert_zone(&r, 0, "America/Chicago", "03:00", 0);

    /* Newfoundland moves at 02:00 local too (NST -> NDT on 8 March): 22:00 NST on the 7th
     * (01:30Z) is refused until 08:00 NDT = 10:30Z */
    check(&r, "08:00-21:00", "+17097531234", "2026-03-08T01:30:00Z");
    assert_quiet(&r, "2026-03-08T10:30:00Z");
}

static void test_several_zones_long_search(void **state)
{
    struct quiet_result r;
    (void)state;

    /* A half-hour window on +1 602: Denver and Phoenix clocks differ by an hour all summer, so
     * the first instant allowed in both is after Denver falls back: 08:00 MST on 1 November */
    check(&r, "08:00-08:30", "+16025551234", "2026-07-15T00:00:00Z");
    assert_quiet(&r, "2026-11-01T15:00:00Z");
    assert_string_equal(r.zones[0].next_local_time, "08:00");
    assert_string_equal(r.zones[1].next_local_time, "08:00");
    /* The same window on +1 709 never opens in both (30 or 90 minutes apart, and the end
     * is outside the window): no next_allowed within the horizon */
    check(&r, "08:00-08:30", "+17095551234", "2026-07-15T00:00:00Z");
    assert_int_equal(r.verdict, QUIET_QUIET);
    assert_int_equal(r.has_next, 0);
    assert_string_equal(r.next_allowed_iso, "");
    assert_string_equal(r.zones[0].next_local_time, "");
    /* one minute more and they meet for a minute once Newfoundland is back on standard time
     * (1 November): 08:30 NST = 12:00Z = 08:00 AST */
    check(&r, "08:00-08:31", "+17095551234", "2026-07-15T00:00:00Z");
    assert_quiet(&r, "2026-11-01T12:00:00Z");
    assert_string_equal(r.zones[0].next_local_time, "08:00");
    assert_string_equal(r.zones[1].next_local_time, "08:30");
}

static void test_unknown_and_off(void **state)
{
    struct quiet_result r;
    (void)state;

    check(&r, "08:00-21:00", "+18005551234", "2026-12-02T04:00:00Z");
    assert_int_equal(r.verdict, QUIET_UNKNOWN_ZONE);
    assert_int_equal(r.n_zones, 0);
    assert_int_equal(r.has_next, 0);
    assert_string_equal(r.next_allowed_iso, "");
    check(&r, "08:00-21:00", "not a number", "2026-12-02T04:00:00Z");
    assert_int_equal(r.verdict, QUIET_UNKNOWN_ZONE);

    /* off: not judged, local times still given, sendable now */
    check(&r, "off", "+13125551234", "2026-12-02T04:00:00Z");
    assert_int_equal(r.verdict, QUIET_OFF);
    assert_zone(&r, 0, "America/Chicago", "22:00", 1);
    assert_int_equal(r.has_next, 1);
    assert_string_equal(r.next_allowed_iso, "2026-12-02T04:00:00Z");
    check(&r, "off", "+18005551234", "2026-12-02T04:00:00Z");
    assert_int_equal(r.verdict, QUIET_OFF);
    assert_int_equal(r.n_zones, 0);
}

/* The caller's TZ (set or not) is what it was after every call. */
static void test_tz_restored(void **state)
{
    struct quiet_result r;
    struct tm tm;
    time_t t = (time_t)utc("2026-12-02T04:00:00Z");
    char hm[QUIET_HHMM_MAX];
    struct err e;
    (void)state;

    assert_int_equal(setenv("TZ", "Europe/Paris", 1), 0);
    tzset();
    check(&r, "08:00-21:00", "+16025551234", "2026-07-16T03:00:00Z");
    assert_string_equal(getenv("TZ"), "Europe/Paris");
    assert_non_null(localtime_r(&t, &tm));
    assert_int_equal(tm.tm_hour, 5); /* CET */
    assert_int_equal(quiet_local_time(hm, sizeof(hm), "Pacific/Honolulu", (int64_t)t, &e), 0);
    assert_string_equal(hm, "18:00");
    assert_string_equal(getenv("TZ"), "Europe/Paris");

    assert_int_equal(unsetenv("TZ"), 0);
    tzset();
    check(&r, "08:00-21:00", "+13125551234", "2026-12-02T04:00:00Z");
    assert_null(getenv("TZ"));
}

/* The zones are the host's own table (quiet_zones.inc): the system zone database is not read,
 * so a TZDIR without any zone changes nothing (the old TZ/localtime_r code refused it:
 * "not in the system zone database"), and an instant outside the table's years is an error
 * naming them, never a guess. */
static void test_zone_table_built_in(void **state)
{
    struct quiet_result r;
    struct quiet_window w;
    char dir[] = "/tmp/test_quiet_tzdir_XXXXXX", hm[QUIET_HHMM_MAX], when[64];
    struct err e;
    (void)state;

    assert_non_null(mkdtemp(dir));
    assert_int_equal(setenv("TZ", "UTC", 1), 0);
    assert_int_equal(setenv("TZDIR", dir, 1), 0);
    quiet_window_default(&w);
    memset(&e, 0, sizeof(e));
    assert_int_equal(quiet_check(&r, &w, "+13125551234", utc("2026-12-02T04:00:00Z"), &e), 0);
    assert_zone(&r, 0, "America/Chicago", "22:00", 0);
    assert_string_equal(r.next_allowed_iso, "2026-12-02T14:00:00Z");
    assert_int_equal(quiet_local_datetime(when, sizeof(when), "America/Chicago",
                                          utc("2026-12-02T04:00:00Z"), &e),
                     0);
    assert_string_equal(when, "Tue 01 Dec 2026 22:00 CST");
    assert_string_equal(getenv("TZ"), "UTC");
    assert_int_equal(unsetenv("TZDIR"), 0);
    assert_int_equal(rmdir(dir), 0);
    assert_int_equal(unsetenv("TZ"), 0);

    /* the table's edges: 2020-01-01T00:00:00Z and 2059-12-31T23:59:59Z in, a second out */
    assert_int_equal(
        quiet_local_time(hm, sizeof(hm), "America/Chicago", utc("2020-01-01T00:00:00Z"), &e), 0);
    assert_string_equal(hm, "18:00");
    assert_int_equal(
        quiet_local_time(hm, sizeof(hm), "America/Chicago", utc("2059-12-31T23:59:59Z"), &e), 0);
    assert_string_equal(hm, "17:59");
    assert_int_equal(
        quiet_local_time(hm, sizeof(hm), "America/Chicago", utc("2019-12-31T23:59:59Z"), &e), -1);
    assert_int_equal(e.code, ERR_INTERNAL);
    assert_non_null(strstr(e.message, "covers 2020-2059"));
    assert_string_equal(hm, "");
    assert_int_equal(quiet_check(&r, &w, "+13125551234", utc("2060-01-01T00:00:00Z"), &e), -1);
    assert_non_null(strstr(e.message, "covers 2020-2059"));
    /* next_allowed beyond the table: at 17:59 on the last evening in Chicago, a 22:00-23:00
     * window starts at 2060-01-01T04:00:00Z, past the table */
    window(&w, "22:00-23:00");
    assert_int_equal(quiet_check(&r, &w, "+13125551234", utc("2059-12-31T23:59:59Z"), &e), -1);
    assert_non_null(strstr(e.message, "covers 2020-2059"));
}

static void test_local_time_and_format(void **state)
{
    char hm[QUIET_HHMM_MAX], iso[QUIET_ISO_MAX];
    struct err e;
    static const char *const bad[] = {"America/Nowhere",  "../../etc/passwd", "/etc/localtime", "",
                                      "America/Chicago ", "America/Chicago\n"};
    size_t i;
    (void)state;

    assert_int_equal(
        quiet_local_time(hm, sizeof(hm), "America/Chicago", utc("2026-12-02T04:00:00Z"), &e), 0);
    assert_string_equal(hm, "22:00");
    assert_int_equal(
        quiet_local_time(hm, sizeof(hm), "America/St_Johns", utc("2026-07-15T12:00:00Z"), &e), 0);
    assert_string_equal(hm, "09:30");
    for (i = 0; i < TH_ARRAY_SIZE(bad); i++) {
        if (quiet_local_time(hm, sizeof(hm), bad[i], 0, &e) == 0)
            fail_msg("zone \"%s\" accepted", bad[i]);
    }
    assert_int_not_equal(quiet_local_time(hm, sizeof(hm), NULL, 0, &e), 0);

    assert_int_equal(iso8601_format_utc(iso, sizeof(iso), utc("2026-12-02T14:00:00Z")), 0);
    assert_string_equal(iso, "2026-12-02T14:00:00Z");
    assert_int_equal(iso8601_format_utc(iso, sizeof(iso), 0), 0);
    assert_string_equal(iso, "1970-01-01T00:00:00Z");
    assert_int_not_equal(iso8601_format_utc(iso, 20, 0), 0); /* no room for the NUL */
    assert_int_not_equal(iso8601_format_utc(iso, sizeof(iso), INT64_C(400000000000)), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_window_good),
        cmocka_unit_test(test_window_bad),
        cmocka_unit_test(test_zones),
        cmocka_unit_test(test_chicago),
        cmocka_unit_test(test_hawaii),
        cmocka_unit_test(test_denver_and_arizona),
        cmocka_unit_test(test_alaska),
        cmocka_unit_test(test_atlantic),
        cmocka_unit_test(test_newfoundland),
        cmocka_unit_test(test_dst_transitions),
        cmocka_unit_test(test_several_zones_long_search),
        cmocka_unit_test(test_unknown_and_off),
        cmocka_unit_test(test_tz_restored),
        cmocka_unit_test(test_zone_table_built_in),
        cmocka_unit_test(test_local_time_and_format),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
