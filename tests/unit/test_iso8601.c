/*
 * test_iso8601 — the one timestamp parser and formatter directly: tables of
 * what RFC 3339's date-time accepts and what it refuses (each refusal one
 * rule), exact millisecond values, and three property checks against the C
 * library as an independent oracle (timegm/gmtime_r): random timestamps in
 * every accepted shape parse to what timegm says; random instants format to
 * what gmtime_r says and read back to the same second; single-byte mutations
 * of valid timestamps are accepted only when an independent checker agrees.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "common.h"
#include "iso8601.h"

static int parse(const char *s, int64_t *ms)
{
    return iso8601_parse_ms(ms, s, strlen(s));
}

/* ---- tables ---- */

static void test_accepts(void **state)
{
    static const struct {
        const char *s;
        int64_t ms;
    } ok[] = {
        {"1970-01-01T00:00:00Z", 0},
        {"1970-01-01T00:00:01.5Z", 1500},
        {"1970-01-01T00:00:00.001Z", 1},
        {"1970-01-01T00:00:00.0009Z", 0},                   /* truncated, never rounded up */
        {"1970-01-01T00:00:00.999999999Z", 999},            /* nanoseconds */
        {"1970-01-01T00:00:00.12345678901234567890Z", 123}, /* any number of digits */
        {"2026-11-26T23:59:00.123Z", INT64_C(1795737540123)},
        {"2026-11-26T23:59:00.123+01:00", INT64_C(1795733940123)},
        {"2026-11-26T23:59:00-05:30", INT64_C(1795737540000) + INT64_C(19800000)},
        {"2026-11-26T23:59:00+00:00", INT64_C(1795737540000)},
        {"2026-11-26T23:59:00-00:00", INT64_C(1795737540000)}, /* unknown local offset: UTC */
        {"2026-11-26t23:59:00z", INT64_C(1795737540000)},      /* RFC 3339 allows lower case */
        {"2058-10-25T18:09:13Z", INT64_C(2802794953000)},      /* TextUs's scheduled_at example */
        {"2015-07-17T16:29:31Z", INT64_C(1437150571000)},      /* Greenhouse's created_at example */
        {"2024-02-29T12:00:00Z", INT64_C(1709208000000)},      /* a leap day */
        {"2000-02-29T00:00:00Z", INT64_C(951782400000)},       /* divisible by 400: leap */
        {"2016-12-31T23:59:60Z", INT64_C(1483228800000)},      /* a leap second: the next :00 */
        {"1969-12-31T23:59:59.999Z", -1},                      /* before the epoch */
        {"0000-01-01T00:00:00Z", INT64_C(-62167219200000)},
        {"9999-12-31T23:59:59.999Z", INT64_C(253402300799999)},
        {"2026-01-01T00:00:00+23:59", INT64_C(1767225600000) - INT64_C(86340000)},
    };
    size_t i;
    (void)state;

    for (i = 0; i < TH_ARRAY_SIZE(ok); i++) {
        int64_t ms = 42;
        if (parse(ok[i].s, &ms) != 0)
            fail_msg("refused \"%s\"", ok[i].s);
        if (ms != ok[i].ms)
            fail_msg("\"%s\" -> %lld, want %lld", ok[i].s, (long long)ms, (long long)ok[i].ms);
    }
}

static void test_refuses(void **state)
{
    static const char *const bad[] = {
        "",
        "yesterday",
        "2026-11-26T23:59:00",        /* no zone: local time somewhere */
        "2026-11-26 23:59:00Z",       /* a space is not RFC 3339's separator */
        "2026-11-26T23:59Z",          /* seconds are required */
        "2026-11-26",                 /* a date alone */
        "2026-11-26T23:59:00.Z",      /* "." needs a digit */
        "2026-11-26T23:59:00+0100",   /* the offset needs its colon */
        "2026-11-26T23:59:00+01",     /* and its minutes */
        "2026-11-26T23:59:00+24:00",  /* offset hour out of range */
        "2026-11-26T23:59:00+01:60",  /* offset minute out of range */
        "2026-11-26T23:59:00ZZ",      /* trailing bytes */
        "2026-11-26T23:59:00Z ",      /* trailing whitespace */
        " 2026-11-26T23:59:00Z",      /* leading whitespace */
        "2026-11-26T23:59:00Z+01:00", /* two zones */
        "2026-13-01T00:00:00Z",       /* month 13 */
        "2026-00-01T00:00:00Z",       /* month 0 */
        "2026-11-00T00:00:00Z",       /* day 0 */
        "2026-11-31T00:00:00Z",       /* November has 30 days */
        "2026-02-29T00:00:00Z",       /* not a leap year */
        "1900-02-29T00:00:00Z",       /* divisible by 100, not by 400 */
        "2026-11-26T24:00:00Z",       /* hour 24 */
        "2026-11-26T23:60:00Z",       /* minute 60 */
        "2026-11-26T23:59:61Z",       /* second 61 */
        "26-11-26T23:59:00Z",         /* two-digit year */
        "+2026-11-26T23:59:00Z",      /* expanded year */
        "2026-1-26T23:59:00Z",        /* one-digit month */
        "2026/11/26T23:59:00Z",       /* other separators */
        "2026-11-26T23.59.00Z",
        "20261126T235900Z",       /* ISO 8601 basic format */
        "2026-11-26T23:59:00,5Z", /* decimal comma */
        "2026-11-26T23:59:00.-5Z",
        "2026-11-26T23:59:0aZ",
        "1795737540",                      /* epoch seconds are not this parser's */
        "2026-11-26T23:59:00\xef\xbc\xba", /* a fullwidth Z */
    };
    size_t i;
    int64_t ms = 42;
    (void)state;

    for (i = 0; i < TH_ARRAY_SIZE(bad); i++) {
        if (parse(bad[i], &ms) == 0)
            fail_msg("accepted \"%s\"", bad[i]);
    }
    assert_int_equal(ms, 42); /* untouched by a refusal */
    assert_int_equal(iso8601_parse_ms(&ms, NULL, 0), -1);
    /* the length is the string: a NUL inside it or a prefix of a longer one is refused */
    assert_int_equal(iso8601_parse_ms(&ms, "2026-11-26T23:59:00Z\0junk", 25), -1);
    assert_int_equal(iso8601_parse_ms(&ms, "2026-11-26T23:59:00Z", 19), -1);
    assert_int_equal(iso8601_parse_ms(&ms, "2026-11-26T23:59:00Zjunk", 20), 0);
    assert_true(ms == INT64_C(1795737540000));
}

static void test_format(void **state)
{
    char iso[ISO8601_UTC_MAX];
    (void)state;

    assert_int_equal(iso8601_format_utc(iso, sizeof(iso), 1795737540), 0);
    assert_string_equal(iso, "2026-11-26T23:59:00Z");
    assert_int_equal(iso8601_format_utc(iso, sizeof(iso), 0), 0);
    assert_string_equal(iso, "1970-01-01T00:00:00Z");
    assert_int_equal(iso8601_format_utc(iso, sizeof(iso), -1), 0);
    assert_string_equal(iso, "1969-12-31T23:59:59Z");
    assert_int_equal(iso8601_format_utc(iso, sizeof(iso), INT64_C(-62167219200)), 0);
    assert_string_equal(iso, "0000-01-01T00:00:00Z");
    assert_int_equal(iso8601_format_utc(iso, sizeof(iso), INT64_C(253402300799)), 0);
    assert_string_equal(iso, "9999-12-31T23:59:59Z");
    assert_int_equal(iso8601_format_utc(iso, sizeof(iso), INT64_C(253402300800)), -1); /* 10000 */
    assert_int_equal(iso8601_format_utc(iso, sizeof(iso), INT64_C(-62167219201)), -1); /* -1 */
    assert_int_equal(iso8601_format_utc(iso, sizeof(iso), INT64_MAX), -1);
    assert_int_equal(iso8601_format_utc(iso, sizeof(iso), INT64_MIN), -1);
    assert_int_equal(iso8601_format_utc(iso, ISO8601_UTC_MAX - 1, 0), -1); /* no room for NUL */
}

/* ---- properties, against the C library ---- */

static uint64_t rng = 0x9E3779B97F4A7C15u;

static uint64_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static long pick(long lo, long hi)
{
    return lo + (long)(next() % (uint64_t)(hi - lo + 1));
}

static time_t oracle_timegm(int y, int mo, int d, int h, int mi, int s)
{
    struct tm tm;

    memset(&tm, 0, sizeof(tm));
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = s;
    return timegm(&tm);
}

static void test_random_against_timegm(void **state)
{
    int i;
    (void)state;

    for (i = 0; i < 20000; i++) {
        int y = (int)pick(1900, 2200), mo = (int)pick(1, 12), d = (int)pick(1, 28);
        int h = (int)pick(0, 23), mi = (int)pick(0, 59), s = (int)pick(0, 59);
        int frac = (int)pick(0, 3), oh = (int)pick(0, 23), om = (int)pick(0, 59);
        int zone = (int)pick(0, 2), ms = (int)pick(0, 999), n;
        char text[64], fs[16] = "";
        int64_t got, want;

        if (frac == 1)
            snprintf(fs, sizeof(fs), ".%d", ms / 100);
        else if (frac == 2)
            snprintf(fs, sizeof(fs), ".%03d", ms);
        else if (frac == 3)
            snprintf(fs, sizeof(fs), ".%03d%03d", ms, (int)pick(0, 999));
        if (zone == 0)
            n = snprintf(text, sizeof(text), "%04d-%02d-%02dT%02d:%02d:%02d%sZ", y, mo, d, h, mi, s,
                         fs);
        else
            n = snprintf(text, sizeof(text), "%04d-%02d-%02dT%02d:%02d:%02d%s%c%02d:%02d", y, mo, d,
                         h, mi, s, fs, zone == 1 ? '+' : '-', oh, om);
        assert_true(n > 0 && (size_t)n < sizeof(text));
        want = (int64_t)oracle_timegm(y, mo, d, h, mi, s) * 1000;
        if (frac == 1)
            want += (ms / 100) * 100;
        else if (frac >= 2)
            want += ms;
        if (zone)
            want -= (zone == 1 ? 1 : -1) * ((int64_t)oh * 3600 + om * 60) * 1000;
        if (parse(text, &got) != 0)
            fail_msg("refused \"%s\"", text);
        if (got != want)
            fail_msg("\"%s\" -> %lld, timegm says %lld", text, (long long)got, (long long)want);
    }
}

static void test_format_roundtrip(void **state)
{
    int i;
    (void)state;

    for (i = 0; i < 20000; i++) {
        int64_t t = (int64_t)pick(-2208988800L, 7258118399L); /* 1900 to 2199 */
        time_t tt = (time_t)t;
        char iso[ISO8601_UTC_MAX], want[64];
        struct tm tm;
        int64_t back;

        assert_non_null(gmtime_r(&tt, &tm));
        assert_true(strftime(want, sizeof(want), "%Y-%m-%dT%H:%M:%SZ", &tm) > 0);
        assert_int_equal(iso8601_format_utc(iso, sizeof(iso), t), 0);
        assert_string_equal(iso, want);
        assert_int_equal(parse(iso, &back), 0);
        assert_true(back == t * 1000);
    }
}

/* An independent reading of the grammar: the shape by a template, the date by timegm. */
static int oracle_valid(const char *s, size_t len)
{
    static const char tmpl[] = "dddd-dd-ddTdd:dd:dd";
    size_t i, p = 19;
    int v[6] = {0}, k = 0;
    time_t t;
    struct tm tm;

    if (len < 20)
        return 0;
    for (i = 0; i < 19; i++) {
        if (tmpl[i] == 'd') {
            if (s[i] < '0' || s[i] > '9')
                return 0;
        } else if (!(s[i] == tmpl[i] || (tmpl[i] == 'T' && s[i] == 't'))) {
            return 0;
        }
    }
    for (i = 0; i < 19; i++) {
        if (tmpl[i] != 'd')
            k++;
        else
            v[k] = v[k] * 10 + (s[i] - '0');
    }
    if (s[p] == '.') {
        size_t q = ++p;
        while (p < len && s[p] >= '0' && s[p] <= '9')
            p++;
        if (p == q)
            return 0;
    }
    if (p < len && (s[p] == 'Z' || s[p] == 'z')) {
        p++;
    } else if (p + 6 <= len && (s[p] == '+' || s[p] == '-') && s[p + 3] == ':' && s[p + 1] >= '0' &&
               s[p + 1] <= '2' && s[p + 2] >= '0' && s[p + 2] <= '9' && s[p + 4] >= '0' &&
               s[p + 4] <= '5' && s[p + 5] >= '0' && s[p + 5] <= '9' &&
               (s[p + 1] - '0') * 10 + (s[p + 2] - '0') <= 23) {
        p += 6;
    } else {
        return 0;
    }
    if (p != len || v[3] > 23 || v[4] > 59 || v[5] > 60)
        return 0;
    t = oracle_timegm(v[0], v[1], v[2], 0, 0, 0); /* the date exists when it survives timegm */
    return v[1] >= 1 && v[1] <= 12 && v[2] >= 1 && gmtime_r(&t, &tm) && tm.tm_year + 1900 == v[0] &&
           tm.tm_mon + 1 == v[1] && tm.tm_mday == v[2];
}

static void test_mutations(void **state)
{
    static const char *const seeds[] = {"2024-02-29T23:59:60.5+05:45", "1999-12-31t00:00:00z",
                                        "2026-11-30T12:34:56.789-00:00"};
    static const char alphabet[] = "0123456789-+:.TtZz 9/\x00\xff";
    int i;
    (void)state;

    for (i = 0; i < 60000; i++) {
        const char *seed = seeds[next() % TH_ARRAY_SIZE(seeds)];
        char s[40];
        size_t len = strlen(seed), at;
        int64_t ms;
        int got;

        memcpy(s, seed, len);
        at = (size_t)(next() % len);
        switch (next() % 3) {
        case 0: /* replace a byte */
            s[at] = alphabet[next() % (sizeof(alphabet) - 1)];
            break;
        case 1: /* drop a byte */
            memmove(s + at, s + at + 1, len - at - 1);
            len--;
            break;
        default: /* insert a byte */
            memmove(s + at + 1, s + at, len - at);
            s[at] = alphabet[next() % (sizeof(alphabet) - 1)];
            len++;
            break;
        }
        got = iso8601_parse_ms(&ms, s, len) == 0;
        if (got != oracle_valid(s, len))
            fail_msg("\"%.*s\": parser %s, the oracle does not", (int)len, s,
                     got ? "accepts" : "refuses");
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_accepts),          cmocka_unit_test(test_refuses),
        cmocka_unit_test(test_format),           cmocka_unit_test(test_random_against_timegm),
        cmocka_unit_test(test_format_roundtrip), cmocka_unit_test(test_mutations),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
