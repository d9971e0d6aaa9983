/*
 * quiet_tz_dump — lets tests/quiet/test_quiet_tz.py and test_quiet_zones.py see
 * the quiet-hours core from Python, one tab-separated line per item (built for
 * Linux by tests/cmake/quiet.cmake and for Windows by cmake/windows, where
 * test_quiet_zones.py --wine runs the .exe):
 *
 *   quiet_tz_dump table    the compiled host/quiet_tz.inc: "source\t<package>",
 *                          "longest\t<digits>", then "<prefix>\t<zone>,<zone>"
 *   quiet_tz_dump lookup   for each E.164 number on stdin, quiet_zones():
 *                          "<number>\t<zone>,<zone>" or "<number>\t-" (unknown)
 *   quiet_tz_dump check    for each "<window> <number> <epoch>" on stdin,
 *                          quiet_check(): "<verdict>\t<has_next>\t<next epoch>"
 *                          then "\t<zone>|<local>|<allowed>|<next local>" per zone
 *   quiet_tz_dump zones    the compiled host/quiet_zones.inc: "source\t<tzdata>",
 *                          "range\t<from>\t<until>", then per zone
 *                          "<zone>\t<epoch>|<offset>|<abbr>,..." (its entries)
 *   quiet_tz_dump local    for each "<zone> <epoch>" on stdin, quiet_local_time()
 *                          and quiet_local_datetime(): "<zone>\t<epoch>\t<HH:MM>\t
 *                          <Wed 02 Dec 2026 09:00 CST>" or "<zone>\t<epoch>\terror\t<why>"
 *   quiet_tz_dump bench N  scripts/bench.sh: "table_bytes\t<n>" (the compiled zone table),
 *                          "lookup_ns\t<ns>" (one quiet_local_time over N calls, every zone,
 *                          instants spread over the range) and, POSIX only,
 *                          "libc_ns\t<ns>" (the same through setenv TZ/tzset/localtime_r,
 *                          as quiet.c did before the table, file check left out)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "quiet.h"
#include "quiet_tz.inc"
#include "quiet_zones.inc"

static void chomp(char *line)
{
    line[strcspn(line, "\r\n")] = '\0';
}

static int dump_table(void)
{
    size_t i, k;

    printf("source\t%s\nlongest\t%d\n", QUIET_TZ_SOURCE, QUIET_TZ_LONGEST_PREFIX);
    for (i = 0; i < TH_ARRAY_SIZE(quiet_tz_table); i++) {
        printf("%s\t", quiet_tz_table[i].prefix);
        for (k = 0; k < quiet_tz_table[i].n; k++)
            printf("%s%s", k ? "," : "", quiet_tz_names[quiet_tz_table[i].zone[k]]);
        printf("\n");
    }
    return 0;
}

static int lookup(void)
{
    char line[128];
    const char *z[QUIET_ZONES_MAX];
    size_t n, k;

    while (fgets(line, sizeof(line), stdin)) {
        chomp(line);
        n = quiet_zones(z, TH_ARRAY_SIZE(z), line);
        printf("%s\t", line);
        if (n == 0)
            printf("-");
        for (k = 0; k < n && k < TH_ARRAY_SIZE(z); k++)
            printf("%s%s", k ? "," : "", z[k]);
        printf("\n");
    }
    return 0;
}

static int check(void)
{
    char line[256], *number, *epoch, *end;
    struct quiet_window w;
    struct quiet_result r;
    struct err e;
    long long now;
    size_t k;

    while (fgets(line, sizeof(line), stdin)) {
        chomp(line);
        number = strchr(line, ' ');
        epoch = number ? strchr(number + 1, ' ') : NULL;
        if (!epoch) {
            fprintf(stderr, "quiet_tz_dump: bad line: %s\n", line);
            return 2;
        }
        *number++ = '\0';
        *epoch++ = '\0';
        now = strtoll(epoch, &end, 10);
        if (*end || quiet_window_parse(&w, line, &e) != 0 ||
            quiet_check(&r, &w, number, (int64_t)now, &e) != 0) {
            printf("error\t%s\n", *end ? "bad epoch" : e.message);
            continue;
        }
        printf("%d\t%d\t%lld", (int)r.verdict, r.has_next, (long long)r.next_allowed);
        for (k = 0; k < r.n_zones; k++)
            printf("\t%s|%s|%d|%s", r.zones[k].zone, r.zones[k].local_time, r.zones[k].allowed,
                   r.zones[k].next_local_time);
        printf("\n");
    }
    return 0;
}

static int dump_zones(void)
{
    size_t i, k;

    printf("source\t%s\nrange\t%lld\t%lld\n", QUIET_ZONES_SOURCE, (long long)QUIET_ZONES_FROM,
           (long long)QUIET_ZONES_UNTIL);
    for (i = 0; i < TH_ARRAY_SIZE(quiet_zone_list); i++) {
        const struct quiet_zone *z = &quiet_zone_list[i];
        printf("%s\t", z->name);
        for (k = z->first; k < (size_t)z->first + z->count; k++) {
            const struct quiet_zone_type *t = &quiet_zone_types[quiet_zone_type_of[k]];
            printf("%s%lld|%ld|%s", k > z->first ? "," : "", (long long)quiet_zone_at[k],
                   (long)t->offset, t->abbr);
        }
        printf("\n");
    }
    return 0;
}

static int local(void)
{
    char line[256], hm[QUIET_HHMM_MAX], when[64], *epoch, *end;
    struct err e;
    long long t;

    while (fgets(line, sizeof(line), stdin)) {
        chomp(line);
        epoch = strchr(line, ' ');
        if (!epoch) {
            fprintf(stderr, "quiet_tz_dump: bad line: %s\n", line);
            return 2;
        }
        *epoch++ = '\0';
        t = strtoll(epoch, &end, 10);
        if (*end) {
            fprintf(stderr, "quiet_tz_dump: bad epoch: %s\n", epoch);
            return 2;
        }
        if (quiet_local_time(hm, sizeof(hm), line, (int64_t)t, &e) != 0 ||
            quiet_local_datetime(when, sizeof(when), line, (int64_t)t, &e) != 0)
            printf("%s\t%lld\terror\t%s\n", line, t, e.message);
        else
            printf("%s\t%lld\t%s\t%s\n", line, t, hm, when);
    }
    return 0;
}

/* Processor time in nanoseconds (clock(): in every C runtime, mingw's included). */
static double now_ns(void)
{
    return (double)clock() * (1e9 / CLOCKS_PER_SEC);
}

/* The i-th instant of a bench run: a stride through the table's range, every zone in turn. */
static int64_t bench_at(long i)
{
    return QUIET_ZONES_FROM + (int64_t)i * 7919 * 3607 % (QUIET_ZONES_UNTIL - QUIET_ZONES_FROM);
}

static int bench(long n)
{
    char hm[QUIET_HHMM_MAX];
    struct err e;
    double t0;
    long i;
    size_t z = TH_ARRAY_SIZE(quiet_zone_list), fails = 0;

    printf("table_bytes\t%zu\n", sizeof(quiet_zone_types) + sizeof(quiet_zone_list) +
                                     sizeof(quiet_zone_at) + sizeof(quiet_zone_type_of));
    t0 = now_ns();
    for (i = 0; i < n; i++)
        fails +=
            quiet_local_time(hm, sizeof(hm), quiet_zone_list[i % z].name, bench_at(i), &e) != 0;
    printf("lookup_ns\t%.1f\n", (now_ns() - t0) / (double)n);
#ifndef _WIN32
    {
        char value[80];
        struct tm tm;
        time_t tt;

        t0 = now_ns();
        for (i = 0; i < n; i++) {
            snprintf(value, sizeof(value), ":%s", quiet_zone_list[i % z].name);
            tt = (time_t)bench_at(i);
            fails += setenv("TZ", value, 1) != 0;
            tzset();
            fails += localtime_r(&tt, &tm) == NULL;
        }
        printf("libc_ns\t%.1f\n", (now_ns() - t0) / (double)n);
    }
#endif
    return fails ? 1 : 0;
}

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "table") == 0)
        return dump_table();
    if (argc == 2 && strcmp(argv[1], "lookup") == 0)
        return lookup();
    if (argc == 2 && strcmp(argv[1], "check") == 0)
        return check();
    if (argc == 2 && strcmp(argv[1], "zones") == 0)
        return dump_zones();
    if (argc == 2 && strcmp(argv[1], "local") == 0)
        return local();
    if (argc == 3 && strcmp(argv[1], "bench") == 0 && strtol(argv[2], NULL, 10) > 0)
        return bench(strtol(argv[2], NULL, 10));
    fprintf(stderr, "usage: quiet_tz_dump table|lookup|check|zones|local|bench N\n");
    return 2;
}
