#!/usr/bin/python3
"""gen-quiet-tz.py — writes host/quiet_tz.inc, the NANP (+1) time-zone table of
host/quiet.c, from Google libphonenumber's time-zone metadata as Debian packages
it (python3-phonenumbers, module phonenumbers.timezone). Nothing is hand-written:
every prefix and zone of the table is the package's, widened by the one rule
below (uncertain_zones).

    /usr/bin/python3 scripts/gen-quiet-tz.py            # rewrite host/quiet_tz.inc
    /usr/bin/python3 scripts/gen-quiet-tz.py --stdout   # print it instead

Run it with /usr/bin/python3 (the shebang does): Debian installs the package for
the system interpreter only, and a `python3` found first on PATH (pyenv, venv)
may not have it. tests/quiet/test_quiet_tz.py checks the checked-in table against
the installed package (ctest quiet_tz_table).

What the metadata says and how the table keeps it: keys are E.164 digits without
the '+', country code included ("1602" = +1 602, "1208201" = +1 208-201), of
varying length; a number's zones are those of its longest matching key
(phonenumbers.timezone.time_zones_for_geographical_number), and a key may list
several zones ("1602" -> America/Denver and America/Phoenix). The country-level
key "1" lists every NANP zone; libphonenumber falls back to it when no longer key
matches. The table leaves it out on purpose: a list of every zone from Guam to
Adak locates nothing, so quiet.c reports such numbers (toll-free 8XX, area codes
newer than the package) as of unknown zone instead of guessing one.

The one rule added (the safe reading where the metadata is not sure): a number
whose longest matching key has LONGER keys beneath it is one the metadata did
not list exchange by exchange. When those longer keys name other zones, the key
alone does not say which side of the zone line the number is on (+1 850-555: the
key "1850" says America/New_York, while many 850 exchanges are listed as
America/Chicago). So each key's zones in the table are its own followed by those
of every longer key beneath it (first appearance, keys in sorted order), and
quiet.c, which requires the window in every zone of a number, is quiet when it
is quiet in any of them. A key without longer keys, or whose longer keys name
no other zone, keeps exactly the package's zones.
"""
import os
import subprocess
import sys

try:
    from phonenumbers import __version__ as PN_VERSION
    from phonenumbers.tzdata import TIMEZONE_DATA, TIMEZONE_LONGEST_PREFIX
    import phonenumbers.timezone  # noqa: F401  (the module whose data this is)
except ImportError:
    sys.exit("gen-quiet-tz.py: the phonenumbers module is missing for %s; "
             "apt-get install python3-phonenumbers (or run scripts/bootstrap.sh) "
             "and run this script with /usr/bin/python3" % sys.executable)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "host", "quiet_tz.inc")
COUNTRY = "1"  # the NANP's country calling code
PER_PREFIX_LIMIT = 6  # QUIET_ZONES_MAX in host/quiet.h


def debian_version():
    """The Debian package version, or None when dpkg does not know it (pip install)."""
    try:
        out = subprocess.run(["dpkg-query", "-W", "-f=${Version}", "python3-phonenumbers"],
                             capture_output=True, text=True, check=False)
    except OSError:
        return None
    return out.stdout.strip() if out.returncode == 0 and out.stdout.strip() else None


def source_name():
    deb = debian_version()
    if deb:
        return "python3-phonenumbers %s (phonenumbers %s)" % (deb, PN_VERSION)
    return "phonenumbers %s (not from a Debian package)" % PN_VERSION


def nanp_entries():
    """{prefix: (zones...)} of every NANP key longer than the country code."""
    out = {}
    for prefix, zones in TIMEZONE_DATA.items():
        if not prefix.startswith(COUNTRY) or len(prefix) == len(COUNTRY):
            continue
        if not prefix.isdigit() or len(prefix) > TIMEZONE_LONGEST_PREFIX:
            sys.exit("gen-quiet-tz.py: unexpected key %r in the metadata" % prefix)
        if not zones or len(zones) > PER_PREFIX_LIMIT:
            sys.exit("gen-quiet-tz.py: %s lists %d zones; QUIET_ZONES_MAX is %d"
                     % (prefix, len(zones), PER_PREFIX_LIMIT))
        for z in zones:
            if not z or not all(c.isalnum() or c in "/_+-" for c in z):
                sys.exit("gen-quiet-tz.py: unexpected zone name %r for %s" % (z, prefix))
        out[prefix] = tuple(zones)
    if not out:
        sys.exit("gen-quiet-tz.py: the metadata has no NANP key")
    return out


def uncertain_zones(entries):
    """{prefix: zones} with each key's zones followed by those of every longer key beneath it
    (the rule of the top comment); the keys themselves are unchanged."""
    keys = sorted(entries)
    out = {}
    for i, prefix in enumerate(keys):
        zones = list(entries[prefix])
        j = i + 1  # sorted: the longer keys beneath prefix follow it, together
        while j < len(keys) and keys[j].startswith(prefix):
            for z in entries[keys[j]]:
                if z not in zones:
                    zones.append(z)
            j += 1
        if len(zones) > PER_PREFIX_LIMIT:
            sys.exit("gen-quiet-tz.py: %s and the keys beneath it list %d zones; "
                     "QUIET_ZONES_MAX is %d" % (prefix, len(zones), PER_PREFIX_LIMIT))
        out[prefix] = tuple(zones)
    return out


def render():
    package = nanp_entries()
    entries = uncertain_zones(package)
    widened = sum(1 for p in entries if entries[p] != package[p])
    names = sorted({z for zones in entries.values() for z in zones})
    index = {z: i for i, z in enumerate(names)}
    longest = max(len(p) for p in entries)
    per_prefix = max(len(z) for z in entries.values())
    country = TIMEZONE_DATA.get(COUNTRY, ())
    lines = [
        "/*",
        " * quiet_tz.inc — the NANP (+1) time-zone table of quiet.c. GENERATED, do not edit:",
        " * regenerate with `/usr/bin/python3 scripts/gen-quiet-tz.py` (from the repository root).",
        " *",
        " * Source: Google libphonenumber's time-zone metadata (module phonenumbers.timezone),",
        " * from %s." % source_name(),
        " * %d prefixes (E.164 digits without '+', country code included), %d zones." % (
            len(entries), len(names)),
        " * A number's zones are those of its longest matching prefix, as in libphonenumber's",
        " * time_zones_for_geographical_number(), with one rule added: a prefix with longer",
        " * prefixes beneath it lists their zones after its own (a number that matches only",
        " * it is on an exchange the metadata does not list, so it may be in any of them:",
        " * \"1850\" is America/New_York, many 850 exchanges America/Chicago; quiet.c is quiet",
        " * when it is quiet in any zone of a number). %d prefixes are widened so." % widened,
        " * Left out on purpose: the country-level entry \"1\" (%d zones, every zone of the" % len(
            country),
        " * NANP), which libphonenumber answers when no longer prefix matches; it locates",
        " * nothing, so quiet.c calls such numbers unknown.",
        " * tests/quiet/test_quiet_tz.py compares this table with the installed package and",
        " * the rule above.",
        " * [core]",  # built into the executable with quiet.c (tests/house/test_layout.py)
        " */",
        "/* clang-format off */",
        "#define QUIET_TZ_SOURCE \"%s\"" % source_name(),
        "#define QUIET_TZ_LONGEST_PREFIX %d /* digits of the longest prefix */" % longest,
        "#define QUIET_TZ_PER_PREFIX %d /* most zones listed for one prefix */" % per_prefix,
        "",
        "static const char *const quiet_tz_names[%d] = {" % len(names),
    ]
    lines += ["    \"%s\"," % z for z in names]
    lines += [
        "};",
        "",
        "struct quiet_tz_entry {",
        "    char prefix[QUIET_TZ_LONGEST_PREFIX + 1];",
        "    unsigned char n;",
        "    unsigned char zone[QUIET_TZ_PER_PREFIX]; /* indexes into quiet_tz_names */",
        "};",
        "",
        "/* Sorted by prefix (strcmp order) for bsearch. */",
        "static const struct quiet_tz_entry quiet_tz_table[%d] = {" % len(entries),
    ]
    for prefix in sorted(entries):
        zones = entries[prefix]
        lines.append("    {\"%s\", %d, {%s}}," % (prefix, len(zones),
                                                 ", ".join(str(index[z]) for z in zones)))
    lines += ["};", "/* clang-format on */", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.path.insert(0, os.path.join(ROOT, "scripts", "lib"))
    import gen_inc  # noqa: E402  (scripts/lib: the command line both generators share)
    sys.exit(gen_inc.main(sys.argv[1:], __file__, OUT, ROOT, render, source_name))
