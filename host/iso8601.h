/*
 * iso8601 — the one parser and formatter of timestamps, for every place that
 * reads one from an API (TextUs message times, Harvest v3 token expiries) or
 * writes one (the log, retry_at, next_allowed, the support report).
 *
 * What is accepted is RFC 3339's date-time, the profile of ISO 8601 the APIs
 * document and show ("2058-10-25T18:09:13Z",
 * https://apidocs.next.textus.com/docs/messages/schedule/; "2015-07-17T16:29:31Z",
 * https://developers.greenhouse.io/harvest.html), exactly
 * (https://www.rfc-editor.org/rfc/rfc3339#section-5.6):
 *
 *     YYYY-MM-DD "T" HH:MM:SS [ "." 1*DIGIT ] ( "Z" | ("+" / "-") HH:MM )
 *
 *   - "T" and "Z" may be lower case (RFC 3339 allows it); nothing else
 *     separates the date from the time (no space);
 *   - the zone is required: a time without one is local time somewhere, not
 *     an instant. "-00:00" is UTC;
 *   - fields in range: month 01-12, a day that exists in that month (leap
 *     years too), hour 00-23, minute 00-59, second 00-60 (a leap second
 *     counts as the next second, :60 = the next minute's :00), offset hour
 *     00-23 and minute 00-59; year 0000-9999;
 *   - any number of fraction digits; the first three are kept (milliseconds),
 *     the rest dropped (truncated, never rounded up);
 *   - nothing before or after: no whitespace, no trailing bytes, no NUL.
 *
 * Callers treat a refused timestamp as unknown and choose the safe reading
 * (a message of unknown time is a candidate for "already sent"; a token of
 * unknown expiry is kept briefly).
 *
 * Pure functions (no locale, no TZ, no time_t).
 * [core]
 */
#ifndef TH_ISO8601_H
#define TH_ISO8601_H

#include "common.h"

#include <stddef.h>
#include <stdint.h>

/* "YYYY-MM-DDTHH:MM:SSZ" and its NUL */
#define ISO8601_UTC_MAX 21

/* Parse s[0..len) as above into milliseconds since 1970-01-01T00:00:00Z (negative before);
 * 0, or -1 (and *out_ms untouched) when it is not such a timestamp. */
int iso8601_parse_ms(int64_t *out_ms, const char *s, size_t len) TH_WUR;

/* Format epoch_s (seconds since the epoch) as "YYYY-MM-DDTHH:MM:SSZ" into out;
 * 0, or -1 when out is too small or the year is outside 0000-9999. */
int iso8601_format_utc(char *out, size_t outsz, int64_t epoch_s) TH_WUR;

#endif
