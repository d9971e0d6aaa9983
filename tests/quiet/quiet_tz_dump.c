/*
 * quiet_tz_dump — lets tests/quiet/test_quiet_tz.py see the quiet-hours core
 * from Python, one tab-separated line per item:
 *
 *   quiet_tz_dump table    the compiled host/quiet_tz.inc: "source\t<package>",
 *                          "longest\t<digits>", then "<prefix>\t<zone>,<zone>"
 *   quiet_tz_dump lookup   for each E.164 number on stdin, quiet_zones():
 *                          "<number>\t<zone>,<zone>" or "<number>\t-" (unknown)
 *   quiet_tz_dump check    for each "<window> <number> <epoch>" on stdin,
 *                          quiet_check(): "<verdict>\t<has_next>\t<next epoch>"
 *                          then "\t<zone>|<local>|<allowed>|<next local>" per zone
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "quiet.h"
#include "quiet_tz.inc"

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

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "table") == 0)
        return dump_table();
    if (argc == 2 && strcmp(argv[1], "lookup") == 0)
        return lookup();
    if (argc == 2 && strcmp(argv[1], "check") == 0)
        return check();
    fprintf(stderr, "usage: quiet_tz_dump table|lookup|check\n");
    return 2;
}
