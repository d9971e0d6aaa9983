#!/usr/bin/python3
"""The quiet-hours UTC-offset table (host/quiet_zones.inc) against the tzdata it is generated
from, and quiet.c's wall clocks against Python's zoneinfo (the system's /usr/share/zoneinfo).

1. scripts/gen-quiet-zones.py, run now on the installed tzdata, writes the checked-in file.
   A tzdata update that changes an offset of these zones in 2020-2059 FAILS here (and in 2.
   and 3.): regenerate with /usr/bin/python3 scripts/gen-quiet-zones.py and commit. An update
   that changes only the version named in the header is printed, not failed: the answers are
   the same, and CI on a fresh machine must not go red for a version string. (Not with
   --wine: it does not depend on the build.)
2. The compiled table (quiet_tz_dump zones) names every zone of quiet_tz.inc, sorted, each
   from the range's start, its entries sorted, and every entry's offset and abbreviation are
   zoneinfo's at that instant (and differ from the entry before).
3. quiet_local_time() and quiet_local_datetime() (quiet_tz_dump local) give zoneinfo's
   "HH:MM" and "Wed 02 Dec 2026 09:00 CST" for every zone at: the second before, at and after
   each change zoneinfo itself shows in 2020-2059 (found by a daily scan, independent of the
   table), each entry of the table, and 300 instants per zone spread over the range (seeded,
   so each run checks the same ones); the range's first and last second answer, the seconds
   outside it are an error naming "2020-2059", never a guess.

    test_quiet_zones.py                        the Linux build (TH_QUIET_TZ_DUMP)
    test_quiet_zones.py --wine WINE DUMP.EXE   the same checks against the Windows build of
                                               quiet_tz_dump (quiet.c with os_win.c, mingw)
                                               under Wine: the same answers on both

Run with /usr/bin/python3 (Debian's zoneinfo reads /usr/share/zoneinfo). Exit 0 all agree,
1 a difference (printed).
"""
import datetime
import os
import random
import re
import subprocess
import sys
from zoneinfo import ZoneInfo

SRC = os.environ.get("TH_SOURCE_DIR") or os.path.join(os.path.dirname(__file__), "..", "..")
ZONEINFO = "/usr/share/zoneinfo"
DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")  # date.weekday() order
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        if len(failures) <= 40:
            print("FAIL:", what)
    return cond


def parse_args(argv):
    if argv[:1] == ["--wine"] and len(argv) == 3:
        return [argv[1], argv[2]], "Windows build under Wine"
    if argv:
        sys.exit("usage: test_quiet_zones.py [--wine WINE QUIET_TZ_DUMP.EXE]")
    return [os.environ["TH_QUIET_TZ_DUMP"]], "Linux build"


CMD, WHERE = parse_args(sys.argv[1:])


def dump(mode, stdin=""):
    env = dict(os.environ, WINEDEBUG="-all")
    out = subprocess.run(CMD + [mode], input=stdin, capture_output=True, text=True, env=env,
                         check=False, timeout=600)
    if out.returncode != 0:
        sys.exit("quiet_tz_dump %s failed (%d): %s" % (mode, out.returncode, out.stderr[-2000:]))
    return out.stdout.splitlines()


def load(name):
    with open(os.path.join(ZONEINFO, name), "rb") as f:
        return ZoneInfo.from_file(f, key=name)


def state(tz, t):
    d = datetime.datetime.fromtimestamp(t, tz)
    return int(d.utcoffset().total_seconds()), d.tzname()


def want(tz, t):
    d = datetime.datetime.fromtimestamp(t, tz)
    return ("%02d:%02d" % (d.hour, d.minute),
            "%s %02d %s %04d %02d:%02d %s" % (DAYS[d.weekday()], d.day, MONTHS[d.month - 1],
                                              d.year, d.hour, d.minute, d.tzname()))


# ---- 1. the generator writes the checked-in file (the Linux run's: the same on any build) -----
gen = None
if WHERE == "Linux build":
    gen = subprocess.run([sys.executable, os.path.join(SRC, "scripts", "gen-quiet-zones.py"),
                          "--stdout"], capture_output=True, text=True, check=False)
check(gen is None or gen.returncode == 0, "gen-quiet-zones.py --stdout failed: %s"
      % (gen and gen.stderr[-2000:]))
with open(os.path.join(SRC, "host", "quiet_zones.inc"), encoding="utf-8") as f:
    checked_in = f.read()
def without_version(text):
    """The file with the tzdata version it names blanked (it appears in the top comment and in
    QUIET_ZONES_SOURCE): what is left is what the host answers."""
    return re.sub(r"tzdata [0-9][^\s\",]*", "tzdata <version>", text)


if gen and gen.returncode == 0 and gen.stdout != checked_in and \
        without_version(gen.stdout) == without_version(checked_in):
    print("generator: the installed tzdata's version differs from the one named in "
          "host/quiet_zones.inc, and every offset and change is the same (regenerate to "
          "update the name)")
elif gen and gen.returncode == 0:
    if check(gen.stdout == checked_in,
             "host/quiet_zones.inc differs from what scripts/gen-quiet-zones.py writes from the "
             "installed tzdata (%s): after a tzdata update, regenerate it with /usr/bin/python3 "
             "scripts/gen-quiet-zones.py and commit it; never edit it by hand"
             % (re.search(r'QUIET_ZONES_SOURCE "([^"]*)"', gen.stdout) or [None, "?"])[1]):
        print("generator: writes exactly the checked-in host/quiet_zones.inc")

# ---- 2. the compiled table ----------------------------------------------------------------------
lines = dump("zones")
source = lines[0].split("\t", 1)[1]
_, lo, hi = lines[1].split("\t")
FROM, UNTIL = int(lo), int(hi)
check(FROM == int(datetime.datetime(2020, 1, 1, tzinfo=datetime.timezone.utc).timestamp()) and
      UNTIL == int(datetime.datetime(2060, 1, 1, tzinfo=datetime.timezone.utc).timestamp()),
      "range %d..%d is not 2020-01-01..2060-01-01" % (FROM, UNTIL))
table = {}
for line in lines[2:]:
    name, entries = line.split("\t")
    table[name] = [(int(a), int(o), ab) for a, o, ab in (e.split("|") for e in entries.split(","))]
with open(os.path.join(SRC, "host", "quiet_tz.inc"), encoding="utf-8") as f:
    m = re.search(r"quiet_tz_names\[\d+\] = \{(.*?)\};", f.read(), re.S)
names = re.findall(r'"([^"]+)"', m.group(1))
check(list(table) == names, "the table's zones %s are not quiet_tz.inc's %s" % (list(table), names))
zones = {n: load(n) for n in table}
entries = 0
for name, ent in table.items():
    tz = zones[name]
    check(ent[0][0] == FROM, "%s: first entry at %d, not the range's start" % (name, ent[0][0]))
    for i, (at, off, abbr) in enumerate(ent):
        entries += 1
        check(FROM <= at < UNTIL, "%s: entry %d outside the range" % (name, at))
        check(state(tz, at) == (off, abbr), "%s at %d: table %s, zoneinfo %s"
              % (name, at, (off, abbr), state(tz, at)))
        if i:
            check(at > ent[i - 1][0], "%s: entries not sorted at %d" % (name, at))
            check(state(tz, at - 1) == ent[i - 1][1:], "%s: the second before %d is not the "
                  "previous entry's %s" % (name, at, ent[i - 1][1:]))
print("table: %d zones, %d entries, from %s; each agrees with zoneinfo" % (len(table), entries,
                                                                          source))


# ---- 3. the wall clocks against zoneinfo --------------------------------------------------------
def zoneinfo_changes(tz):
    """Every change of (offset, abbreviation) in the range, by a daily scan then bisection."""
    out, prev_t, prev = [], FROM, state(tz, FROM)
    for t in range(FROM + 86400, UNTIL + 86400, 86400):
        t = min(t, UNTIL - 1)
        s = state(tz, t)
        if s != prev:
            a, b = prev_t, t
            while b - a > 1:
                mid = (a + b) // 2
                if state(tz, mid) == prev:
                    a = mid
                else:
                    b = mid
            out.append(b)
            prev = state(tz, b)
        prev_t = t
    return out


rng = random.Random(20260)
cases = []
n_changes = 0
for name, tz in zones.items():
    instants = {FROM, FROM + 1, UNTIL - 1}
    changes = zoneinfo_changes(tz)
    n_changes += len(changes)
    for t in changes + [e[0] for e in table[name][1:]]:
        instants.update((t - 1, t, t + 1))
    instants.update(rng.randrange(FROM, UNTIL) for _ in range(300))
    cases += [(name, t) for t in sorted(instants)]
    cases += [(name, FROM - 1), (name, UNTIL), (name, 0)]
got = dump("local", "".join("%s %d\n" % c for c in cases))
check(len(got) == len(cases), "local: %d answers for %d cases" % (len(got), len(cases)))
for (name, t), line in zip(cases, got):
    f = line.split("\t")
    if not check(len(f) == 4 and f[0] == name and f[1] == str(t), "%s %d: answer %r"
                 % (name, t, line)):
        continue
    if FROM <= t < UNTIL:
        check((f[2], f[3]) == want(zones[name], t), "%s at %d: host %s / %s, zoneinfo %s / %s"
              % ((name, t, f[2], f[3]) + want(zones[name], t)))
    else:
        check(f[2] == "error" and "covers 2020-2059" in f[3],
              "%s at %d (outside the table): %r, not the range error" % (name, t, line))
print("local: %d instants (%d changes zoneinfo shows in 2020-2059, the second before, at and "
      "after each; 300 spread per zone; the edges) in %d zones: %s agrees with zoneinfo"
      % (len(cases), n_changes, len(zones), WHERE))

if failures:
    print("%d failure(s)" % len(failures))
    sys.exit(1)
print("ok")
