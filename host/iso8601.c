/*
 * iso8601 — RFC 3339 date-time parsing to milliseconds and UTC formatting
 * (see iso8601.h for exactly what is accepted). Calendar arithmetic on the
 * proleptic Gregorian calendar, without time_t or the C library's time zone.
 * [core]
 */
#include "iso8601.h"

#include <stdio.h>

#define ISO8601_MS_PER_DAY INT64_C(86400000)

/* n ASCII digits at s[*p] as a number, advancing *p; -1 when not n digits in s[0..len). */
static int iso8601_digits(const char *s, size_t len, size_t *p, int n)
{
    int v = 0, i;

    if (len - *p < (size_t)n)
        return -1;
    for (i = 0; i < n; i++) {
        char c = s[*p + (size_t)i];
        if (c < '0' || c > '9')
            return -1;
        v = v * 10 + (c - '0');
    }
    *p += (size_t)n;
    return v;
}

/* 1 when s[*p] is c (or, when alt is not 0, alt), advancing *p. */
static int iso8601_char(const char *s, size_t len, size_t *p, char c, char alt)
{
    if (*p >= len || !(s[*p] == c || (alt && s[*p] == alt)))
        return 0;
    (*p)++;
    return 1;
}

static int iso8601_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int iso8601_month_days(int y, int m)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

    return m == 2 && iso8601_leap(y) ? 29 : days[m - 1];
}

/* Days from 1970-01-01 to y-m-d (H. Hinnant's days_from_civil). */
static int64_t iso8601_days(int64_t y, int m, int d)
{
    int64_t era, yoe, doy, doe;

    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;
    doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* y-m-d of a day number (H. Hinnant's civil_from_days). */
static void iso8601_civil(int64_t z, int64_t *y, int *m, int *d)
{
    int64_t era, doe, yoe, doy, mp;

    z += 719468;
    era = (z >= 0 ? z : z - 146096) / 146097;
    doe = z - era * 146097;
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

int iso8601_parse_ms(int64_t *out_ms, const char *s, size_t len)
{
    int year, mon, day, hh, mm, ss, ms = 0, scale = 100, off = 0;
    size_t p = 0;

    if (!s)
        return -1;
    if ((year = iso8601_digits(s, len, &p, 4)) < 0 || !iso8601_char(s, len, &p, '-', 0) ||
        (mon = iso8601_digits(s, len, &p, 2)) < 0 || !iso8601_char(s, len, &p, '-', 0) ||
        (day = iso8601_digits(s, len, &p, 2)) < 0 || !iso8601_char(s, len, &p, 'T', 't') ||
        (hh = iso8601_digits(s, len, &p, 2)) < 0 || !iso8601_char(s, len, &p, ':', 0) ||
        (mm = iso8601_digits(s, len, &p, 2)) < 0 || !iso8601_char(s, len, &p, ':', 0) ||
        (ss = iso8601_digits(s, len, &p, 2)) < 0)
        return -1;
    if (iso8601_char(s, len, &p, '.', 0)) {
        size_t first = p;
        while (p < len && s[p] >= '0' && s[p] <= '9') {
            ms += (s[p] - '0') * scale;
            scale /= 10;
            p++;
        }
        if (p == first)
            return -1; /* "." needs a digit */
    }
    if (!iso8601_char(s, len, &p, 'Z', 'z')) {
        int sign, oh, om;
        if (iso8601_char(s, len, &p, '+', 0))
            sign = 1;
        else if (iso8601_char(s, len, &p, '-', 0))
            sign = -1;
        else
            return -1; /* no zone */
        if ((oh = iso8601_digits(s, len, &p, 2)) < 0 || !iso8601_char(s, len, &p, ':', 0) ||
            (om = iso8601_digits(s, len, &p, 2)) < 0 || oh > 23 || om > 59)
            return -1;
        off = sign * (oh * 60 + om);
    }
    if (p != len)
        return -1;
    if (mon < 1 || mon > 12 || day < 1 || day > iso8601_month_days(year, mon) || hh > 23 ||
        mm > 59 || ss > 60)
        return -1;
    *out_ms = iso8601_days(year, mon, day) * ISO8601_MS_PER_DAY +
              ((int64_t)hh * 3600 + (int64_t)mm * 60 + ss - (int64_t)off * 60) * 1000 + ms;
    return 0;
}

int iso8601_format_utc(char *out, size_t outsz, int64_t epoch_s)
{
    int64_t days, secs, y;
    int m, d, n;

    days = epoch_s / 86400;
    secs = epoch_s % 86400;
    if (secs < 0) {
        secs += 86400;
        days--;
    }
    if (days < iso8601_days(0, 1, 1) || days > iso8601_days(9999, 12, 31))
        return -1;
    iso8601_civil(days, &y, &m, &d);
    n = snprintf(out, outsz, "%04d-%02d-%02dT%02d:%02d:%02dZ", (int)y, m, d, (int)(secs / 3600),
                 (int)(secs / 60 % 60), (int)(secs % 60));
    return n < 0 || (size_t)n >= outsz ? -1 : 0;
}
