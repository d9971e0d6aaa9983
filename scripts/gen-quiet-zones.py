#!/usr/bin/python3
"""gen-quiet-zones.py — writes host/quiet_zones.inc, the UTC-offset table of host/quiet.c:
for every zone named in host/quiet_tz.inc (the NANP zones libphonenumber gives numbers), the
offset and abbreviation in force at the start of the covered range and every change of
either inside it, read from Debian's tzdata (/usr/share/zoneinfo) with Python's zoneinfo.
The host reads local times from this table on every platform: Windows' C runtime has no
IANA zones, and one source for Linux and Windows means the same answers on both.

    /usr/bin/python3 scripts/gen-quiet-zones.py            # rewrite host/quiet_zones.inc
    /usr/bin/python3 scripts/gen-quiet-zones.py --stdout   # print it instead

Python 3 standard library only. Each zone is read from its own file under /usr/share/zoneinfo
(ZoneInfo.from_file), never from the PyPI `tzdata` package zoneinfo falls back to, and the
tzdata package's version (dpkg-query) is written into the header. How changes are found: the
(offset, abbreviation) pair is sampled every hour of the range, and where it differs from the
previous sample the exact second of the change is found by bisection; a change and its undoing
within one hour would be missed (tzdata has none for these zones; tests/quiet/
test_quiet_zones.py also compares the compiled table with zoneinfo at thousands of instants).

tests/quiet/test_quiet_zones.py (ctest quiet_zones_table) fails when this script, run on the
installed tzdata, no longer writes the checked-in file: after Debian updates tzdata, run the
script again and commit the result (the header names the version).
"""
import datetime
import os
import re
import subprocess
import sys
from zoneinfo import ZoneInfo

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "host", "quiet_zones.inc")
NAMES_FROM = os.path.join(ROOT, "host", "quiet_tz.inc")
ZONEINFO = "/usr/share/zoneinfo"  # Debian's tzdata
FIRST_YEAR, LAST_YEAR = 2020, 2059  # covered: FIRST_YEAR-01-01T00:00:00Z .. LAST_YEAR-12-31T23:59:59Z
STEP = 3600
ABBR_MAX = 7  # char abbr[8] in the C struct


def utc(year):
    return int(datetime.datetime(year, 1, 1, tzinfo=datetime.timezone.utc).timestamp())


FROM, UNTIL = utc(FIRST_YEAR), utc(LAST_YEAR + 1)


def tzdata_version():
    try:
        out = subprocess.run(["dpkg-query", "-W", "-f=${Version}", "tzdata"],
                             capture_output=True, text=True, check=False)
    except OSError:
        return None
    return out.stdout.strip() if out.returncode == 0 and out.stdout.strip() else None


def source_name():
    v = tzdata_version()
    return ("tzdata %s" % v) if v else "tzdata (version unknown: not from a Debian package)"


def zone_names():
    """The names of quiet_tz_names[] in host/quiet_tz.inc, in its (sorted) order."""
    with open(NAMES_FROM, encoding="utf-8") as f:
        text = f.read()
    m = re.search(r"quiet_tz_names\[(\d+)\] = \{(.*?)\};", text, re.S)
    if not m:
        sys.exit("gen-quiet-zones.py: no quiet_tz_names[] in %s" % NAMES_FROM)
    names = re.findall(r'"([^"]+)"', m.group(2))
    if len(names) != int(m.group(1)) or names != sorted(names) or not names:
        sys.exit("gen-quiet-zones.py: quiet_tz_names[] in %s is not a sorted list of %s names"
                 % (NAMES_FROM, m.group(1)))
    return names


def load(name):
    path = os.path.join(ZONEINFO, name)
    try:
        with open(path, "rb") as f:
            return ZoneInfo.from_file(f, key=name)
    except (OSError, ValueError) as e:
        sys.exit("gen-quiet-zones.py: cannot read %s (%s); install tzdata" % (path, e))


def state(tz, t):
    d = datetime.datetime.fromtimestamp(t, tz)
    off = d.utcoffset()
    return int(off.total_seconds()), d.tzname()


def changes(tz):
    """[(instant, offset, abbr)]: the state at FROM, then each change before UNTIL."""
    out = [(FROM,) + state(tz, FROM)]
    prev_t, prev = FROM, state(tz, FROM)
    for t in range(FROM + STEP, UNTIL, STEP):
        s = state(tz, t)
        if s == prev:
            prev_t = t
            continue
        lo, hi = prev_t, t  # state(lo) == prev != state(hi): the first second that differs
        while hi - lo > 1:
            mid = (lo + hi) // 2
            if state(tz, mid) == prev:
                lo = mid
            else:
                hi = mid
        out.append((hi,) + state(tz, hi))
        prev_t, prev = t, s
        if state(tz, hi) != s:
            sys.exit("gen-quiet-zones.py: %s changes twice within an hour near %d" % (tz.key, hi))
    # the last sample is UNTIL - STEP: check nothing changes in the last hour unseen
    if state(tz, UNTIL - 1) != prev:
        sys.exit("gen-quiet-zones.py: %s changes in the last hour of the range" % tz.key)
    return out


def render():
    names = zone_names()
    per_zone = {}
    types = []
    for name in names:
        ch = changes(load(name))
        for _, off, abbr in ch:
            if not abbr or len(abbr) > ABBR_MAX or not all(c.isalnum() or c in "+-" for c in abbr):
                sys.exit("gen-quiet-zones.py: %s: unexpected abbreviation %r" % (name, abbr))
            if off % 60 or abs(off) >= 86400:
                sys.exit("gen-quiet-zones.py: %s: unexpected offset %d" % (name, off))
            if (off, abbr) not in types:
                types.append((off, abbr))
        per_zone[name] = ch
    types.sort()
    tindex = {t: i for i, t in enumerate(types)}
    total = sum(len(v) for v in per_zone.values())
    if total > 65535 or len(types) > 255:
        sys.exit("gen-quiet-zones.py: the table outgrew its index types")
    src = source_name()
    lines = [
        "/*",
        " * quiet_zones.inc — the UTC offsets of quiet.c's time zones. GENERATED, do not edit:",
        " * regenerate with `/usr/bin/python3 scripts/gen-quiet-zones.py` (from the repository root).",
        " *",
        " * Source: Debian's %s," % src,
        " * each zone's file in %s read with Python's zoneinfo." % ZONEINFO,
        " * Zones: every name of quiet_tz.inc (%d). Range: %d-01-01T00:00:00Z up to,"
        % (len(names), FIRST_YEAR),
        " * not including, %d-01-01T00:00:00Z (years %d-%d, UTC); quiet.c refuses an instant"
        % (LAST_YEAR + 1, FIRST_YEAR, LAST_YEAR),
        " * outside it with an error, never a guess.",
        " *",
        " * Form: for each zone, the offset and abbreviation in force at the range's start, then",
        " * every change of either (the instant, epoch seconds, of the first second under the new",
        " * ones), sorted; the zone's offset at t is that of its last entry at or before t",
        " * (binary search). Chosen over the TZif footer's POSIX rule (\"CST6CDT,M3.2.0,M11.1.0\"),",
        " * which is smaller but needs a rule evaluator in C and describes only the years after",
        " * the zone's last listed change: a list of instants holds any change tzdata may announce",
        " * (a state abolishing DST in 2027 is one more entry), and each entry can be compared",
        " * with zoneinfo as it is. %d entries, %d (offset, abbreviation) pairs." % (total, len(types)),
        " * tests/quiet/test_quiet_zones.py compares this file with the installed tzdata and",
        " * quiet.c's answers with zoneinfo, on Linux and (under Wine) on Windows.",
        " * [core]",
        " */",
        "/* clang-format off */",
        "#define QUIET_ZONES_SOURCE \"%s\"" % src,
        "#define QUIET_ZONES_FROM INT64_C(%d) /* %d-01-01T00:00:00Z */" % (FROM, FIRST_YEAR),
        "#define QUIET_ZONES_UNTIL INT64_C(%d) /* %d-01-01T00:00:00Z, not included */"
        % (UNTIL, LAST_YEAR + 1),
        "#define QUIET_ZONES_FIRST_YEAR %d" % FIRST_YEAR,
        "#define QUIET_ZONES_LAST_YEAR %d" % LAST_YEAR,
        "",
        "struct quiet_zone_type {",
        "    int32_t offset; /* seconds east of UTC */",
        "    char abbr[%d]; /* \"CST\", as strftime's %%Z */" % (ABBR_MAX + 1),
        "};",
        "",
        "static const struct quiet_zone_type quiet_zone_types[%d] = {" % len(types),
    ]
    lines += ["    {%d, \"%s\"}," % t for t in types]
    lines += [
        "};",
        "",
        "struct quiet_zone {",
        "    const char *name; /* IANA name; the list is sorted (strcmp) for bsearch */",
        "    uint16_t first;   /* its first entry in quiet_zone_at/quiet_zone_type_of */",
        "    uint16_t count;   /* its entries: the first is at QUIET_ZONES_FROM */",
        "};",
        "",
        "static const struct quiet_zone quiet_zone_list[%d] = {" % len(names),
    ]
    first = 0
    for name in names:
        lines.append("    {\"%s\", %d, %d}," % (name, first, len(per_zone[name])))
        first += len(per_zone[name])
    lines += ["};", "", "/* Each zone's entries in turn, in the order of quiet_zone_list. */",
              "static const int64_t quiet_zone_at[%d] = {" % total]
    at_lines, ty_lines = [], []
    for name in names:
        ch = per_zone[name]
        at_lines.append("    /* %s */" % name)
        ty_lines.append("    /* %s */" % name)
        for i in range(0, len(ch), 6):
            at_lines.append("    " + " ".join("%d," % c[0] for c in ch[i:i + 6]))
        for i in range(0, len(ch), 24):
            ty_lines.append("    " + " ".join("%d," % tindex[c[1:]] for c in ch[i:i + 24]))
    lines += at_lines
    lines += ["};", "", "/* Each entry's index into quiet_zone_types. */",
              "static const uint8_t quiet_zone_type_of[%d] = {" % total]
    lines += ty_lines
    lines += ["};", "/* clang-format on */", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.path.insert(0, os.path.join(ROOT, "scripts", "lib"))
    import gen_inc  # noqa: E402  (scripts/lib: the command line both generators share)
    sys.exit(gen_inc.main(sys.argv[1:], __file__, OUT, ROOT, render, source_name))
