#!/usr/bin/python3
"""The quiet-hours zone table against the package it is generated from, and the
quiet-hours arithmetic against an independent implementation.

1. host/quiet_tz.inc, compiled (quiet_tz_dump table), holds exactly the NANP
   entries of libphonenumber's time-zone metadata as python3-phonenumbers
   ships it, by the table's one added rule (scripts/gen-quiet-tz.py): every
   prefix, with the package's zones in the same order, followed by those of
   the longer prefixes beneath it (first appearance) - a number that matches
   only the shorter one may be on either side of a zone line; the only key
   left out is the country-level "1". The widened prefixes are counted, and
   +1 850 (New York, its listed exchanges Chicago) is one of them.
2. quiet_zones() (quiet_tz_dump lookup) answers what
   phonenumbers.timezone.time_zones_for_geographical_number() answers,
   widened by that rule (its zones first, in its order), for numbers under
   every prefix the package knows, every digit after it, and every area code
   200-999; a number only the country-level "1" matches is unknown (no zone)
   instead of all 42.
3. scripts/gen-quiet-tz.py, run now, writes the checked-in file (hand edits
   show; a package version that changed without changing the data is a note).
4. quiet_check() (quiet_tz_dump check) agrees with Python's zoneinfo on the
   local time and allowed flag in every zone, and its next_allowed is allowed
   everywhere, the second before it is not, and no instant on a 10-minute
   grid between now and it is - for one number per zone set of the table, on
   DST transition days and mid-month days of 2026-2027, under two windows.

Run with /usr/bin/python3: Debian installs python3-phonenumbers for the system
interpreter only. Without the package the test is skipped (exit 77, reported
by ctest as skipped), never passed.
"""
import datetime
import os
import subprocess
import sys

try:
    import phonenumbers
    import phonenumbers.timezone as pntz
    from phonenumbers.tzdata import TIMEZONE_DATA
except ImportError:
    print("SKIP: the phonenumbers module is missing for %s; apt-get install "
          "python3-phonenumbers (scripts/bootstrap.sh installs it) to compare the "
          "quiet-hours zone table with it" % sys.executable)
    sys.exit(77)
from zoneinfo import ZoneInfo  # noqa: E402

SRC = os.environ["TH_SOURCE_DIR"]
DUMP = os.environ["TH_QUIET_TZ_DUMP"]
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        if len(failures) <= 40:
            print("FAIL:", what)
    return cond


def dump(mode, stdin=""):
    out = subprocess.run([DUMP, mode], input=stdin, capture_output=True, text=True, check=False)
    if out.returncode != 0:
        sys.exit("quiet_tz_dump %s failed (%d): %s" % (mode, out.returncode, out.stderr))
    return out.stdout.splitlines()


# ---- 1. the compiled table equals the package's NANP entries ----------------------------------
lines = dump("table")
source = lines[0].split("\t", 1)[1]
table = {}
for line in lines[2:]:
    prefix, zones = line.split("\t")
    check(prefix not in table, "prefix %s twice in the table" % prefix)
    table[prefix] = tuple(zones.split(","))
check(list(table) == sorted(table), "table not sorted for bsearch")
package = {k: tuple(v) for k, v in TIMEZONE_DATA.items() if k.startswith("1") and len(k) > 1}
check(len(package) > 400, "the package knows only %d NANP prefixes" % len(package))


def widened(prefix):
    """The table's rule: the prefix's zones, then those of every longer prefix beneath it."""
    zones = list(package[prefix])
    for k in sorted(package):
        if k != prefix and k.startswith(prefix):
            zones += [z for z in package[k] if z not in zones]
    return tuple(zones)


rule = {k: widened(k) for k in package}
n_widened = sum(1 for k in package if rule[k] != package[k])
check(rule.get("1850", ())[:1] == ("America/New_York",) and "America/Chicago" in rule.get("1850", ()),
      "+1 850 is expected widened to New York and Chicago: %s" % (rule.get("1850"),))
for k in sorted(set(package) - set(table)):
    check(False, "prefix %s (%s) of the package missing from the table" % (k, package[k]))
for k in sorted(set(table) - set(package)):
    check(False, "prefix %s (%s) in the table but not in the package" % (k, table[k]))
for k in sorted(set(table) & set(package)):
    check(table[k] == rule[k], "prefix %s: table %s, package %s, by the rule %s"
          % (k, table[k], package[k], rule[k]))
check("1" in TIMEZONE_DATA and "1" not in table,
      "the country-level entry \"1\" is expected in the package and left out of the table")
country = set(TIMEZONE_DATA.get("1", ()))
check(country >= {z for v in package.values() for z in v},
      "the package's \"1\" entry no longer lists every NANP zone")
print("table: %d prefixes (%d widened by the rule), %d zones, equal to %s (installed: "
      "phonenumbers %s)" % (len(table), n_widened, len({z for v in table.values() for z in v}),
                            source, phonenumbers.__version__))

# ---- 2. lookups agree with libphonenumber's own ------------------------------------------------
probes = set()
for k in package:
    for pad in "059":
        probes.add(k + pad * (11 - len(k)))
    if len(k) < 11:
        for d in "0123456789":
            probes.add((k + d + "0" * 11)[:11])
for area in range(200, 1000):
    probes.add("1%d5550123" % area)
probes = sorted(p for p in probes if len(p) == 11)
got = {}
for line in dump("lookup", "".join("+%s\n" % p for p in probes)):
    number, zones = line.split("\t")
    got[number] = () if zones == "-" else tuple(zones.split(","))
unknown = 0
for p in probes:
    longest = next((p[:n] for n in range(pntz.TIMEZONE_LONGEST_PREFIX, 0, -1)
                    if p[:n] in TIMEZONE_DATA), None)
    numobj = phonenumbers.PhoneNumber(country_code=1, national_number=int(p[1:]))
    want = tuple(pntz.time_zones_for_geographical_number(numobj))
    if longest == "1" or want == (pntz.UNKNOWN_TIMEZONE,):
        want = ()  # country level only: unknown, not a zone
        unknown += 1
    else:
        check(want == package[longest], "+%s: libphonenumber %s is not its longest key %s's"
              % (p, want, longest))
        want = rule[longest]  # its zones first, then those beneath its key
    check(got.get("+" + p) == want, "+%s: quiet_zones %s, libphonenumber by the rule %s"
          % (p, got.get("+" + p), want))
print("lookup: %d numbers agree with time_zones_for_geographical_number by the rule "
      "(%d unknown)" % (len(probes), unknown))

# ---- 3. the generator writes the checked-in file -----------------------------------------------
gen = subprocess.run([sys.executable, os.path.join(SRC, "scripts", "gen-quiet-tz.py"), "--stdout"],
                     capture_output=True, text=True, check=False)
check(gen.returncode == 0, "gen-quiet-tz.py --stdout failed: %s" % gen.stderr)
with open(os.path.join(SRC, "host", "quiet_tz.inc"), encoding="utf-8") as f:
    checked_in = f.read()


def source_of(text):
    for ln in text.splitlines():
        if ln.startswith("#define QUIET_TZ_SOURCE "):
            return ln.split(" ", 2)[2]
    return None


if gen.returncode == 0 and gen.stdout != checked_in:
    gen_source, file_source = source_of(gen.stdout), source_of(checked_in)
    same_data = (gen_source and file_source and
                 gen.stdout.replace(gen_source.strip('"'), "")
                 == checked_in.replace(file_source.strip('"'), ""))
    if same_data:
        print("NOTE: host/quiet_tz.inc names %s, the installed package is %s (same data); "
              "regenerate with /usr/bin/python3 scripts/gen-quiet-tz.py" % (file_source, gen_source))
    else:
        check(False, "host/quiet_tz.inc differs from what scripts/gen-quiet-tz.py writes; "
                     "regenerate it, never edit it by hand")
elif gen.returncode == 0:
    print("generator: writes exactly the checked-in host/quiet_tz.inc")


# ---- 4. the arithmetic against zoneinfo --------------------------------------------------------
def wall_sod(zone, t):
    d = datetime.datetime.fromtimestamp(t, ZoneInfo(zone))
    return d.hour * 3600 + d.minute * 60 + d.second, "%02d:%02d" % (d.hour, d.minute)


def inside(zone, t, start, end):
    return start * 60 <= wall_sod(zone, t)[0] < end * 60


def libphonenumber_zones(e164):
    """libphonenumber's zones for the number, widened by the table's rule."""
    digits = e164[1:]
    longest = next((digits[:n] for n in range(pntz.TIMEZONE_LONGEST_PREFIX, 1, -1)
                    if digits[:n] in package), None)
    return rule[longest] if longest else ()


numbers = {}  # one number for each zone set of the table
for k in sorted(package, key=lambda k: (len(k), k)):
    number = "+" + (k + "2345678901")[:11]
    numbers.setdefault(libphonenumber_zones(number), number)
windows = {"08:00-21:00": (480, 1260), "07:15-19:45": (435, 1185)}
days = [datetime.date(2026, 3, 7), datetime.date(2026, 3, 8), datetime.date(2026, 10, 31),
        datetime.date(2026, 11, 1), datetime.date(2027, 3, 14), datetime.date(2027, 11, 7)]
days += [datetime.date(2026, m, 15) for m in range(1, 13)]
instants = []
for day in days:
    base = int(datetime.datetime(day.year, day.month, day.day,
                                 tzinfo=datetime.timezone.utc).timestamp())
    instants += [base + i * 4441 for i in range(20)]  # ~74 minutes apart, odd seconds
cases = [(w, n, t) for w in windows for n in numbers.values() for t in instants]
results = dump("check", "".join("%s %s %d\n" % c for c in cases))
check(len(results) == len(cases), "check: %d answers for %d cases" % (len(results), len(cases)))
for (win, number, now), line in zip(cases, results):
    start, end = windows[win]
    f = line.split("\t")
    if not check(f[0] != "error", "%s %s %d: %s" % (win, number, now, line)):
        continue
    verdict, has_next, nxt = int(f[0]), int(f[1]), int(f[2])
    zones = [z.split("|") for z in f[3:]]
    names = [z[0] for z in zones]
    what = "%s %s at %d" % (number, win, now)
    check(tuple(names) == libphonenumber_zones(number), "%s: zones %s" % (what, names))
    every = True
    for name, local, allowed, next_local in zones:
        sod, hm = wall_sod(name, now)
        ok = start * 60 <= sod < end * 60
        every = every and ok
        check(local == hm, "%s: %s local %s, zoneinfo %s" % (what, name, local, hm))
        check(allowed == str(int(ok)), "%s: %s allowed %s, zoneinfo %s" % (what, name, allowed, ok))
        if has_next:
            check(next_local == wall_sod(name, nxt)[1], "%s: %s next local %s" % (what, name, next_local))
    check(verdict == (0 if every else 1), "%s: verdict %d, zoneinfo says allowed=%s"
          % (what, verdict, every))
    if not check(has_next == 1, what + ": no next_allowed"):
        continue
    check(nxt >= now, "%s: next_allowed %d before now" % (what, nxt))
    check(all(inside(z, nxt, start, end) for z in names), "%s: not allowed at next %d" % (what, nxt))
    if nxt > now:
        check(not all(inside(z, nxt - 1, start, end) for z in names),
              "%s: already allowed the second before next %d" % (what, nxt))
        for t in range(now, nxt, 600):
            if not check(not all(inside(z, t, start, end) for z in names),
                         "%s: allowed at %d, before next_allowed %d" % (what, t, nxt)):
                break
print("check: %d cases (%d zone sets x %d instants x %d windows) agree with zoneinfo"
      % (len(cases), len(numbers), len(instants), len(windows)))

if failures:
    print("%d failure(s)" % len(failures))
    sys.exit(1)
print("ok")
