"""Check the hardening of the built executable and modules (TH_HARDENING=ON), with readelf.

The properties Debian's hardening-check (devscripts) reports, read from the ELF
files themselves, one line per file and property:
  - PIE: the executable is ET_DYN with the PIE flag (FLAGS_1);
  - full RELRO: a GNU_RELRO segment and BIND_NOW (FLAGS or FLAGS_1 NOW);
  - non-executable stack: the GNU_STACK segment is not executable;
  - no text relocations (TEXTREL);
  - stack protector: the file calls __stack_chk_fail;
  - _FORTIFY_SOURCE (when TH_EXPECT_FORTIFY=1: optimised builds without ASan):
    the file calls at least one fortified __*_chk function.
-fcf-protection is compiled in but not checked here: the linked files carry no
CET property note on Debian 12, whose crt1.o is built without one.

usage: check_hardening.py EXECUTABLE MODULE...
Environment: TH_HARDENING=0 skips (exit 77: ctest reports it skipped, not passed).
"""
import os
import re
import shutil
import subprocess
import sys

SKIP = 77


def readelf(args, path):
    return subprocess.run(["readelf", "-W"] + args + [path], capture_output=True, text=True,
                          check=True).stdout


def check(path, executable, expect_fortify):
    problems = []
    header = readelf(["-h"], path)
    dynamic = readelf(["-d"], path)
    segments = readelf(["-l"], path)
    symbols = readelf(["--dyn-syms"], path)
    flags1 = re.search(r"\(FLAGS_1\)\s+Flags:(.*)", dynamic)
    flags1 = flags1.group(1).split() if flags1 else []
    flags = re.search(r"\(FLAGS\)\s+(.*)", dynamic)
    flags = flags.group(1).split() if flags else []

    if executable:
        if not re.search(r"Type:\s+DYN", header) or "PIE" not in flags1:
            problems.append("not a position-independent executable (want ET_DYN + FLAGS_1 PIE)")
    if not re.search(r"^\s*GNU_RELRO\s", segments, re.M):
        problems.append("no GNU_RELRO segment (link with -z relro)")
    if "BIND_NOW" not in flags and "NOW" not in flags1:
        problems.append("no BIND_NOW (link with -z now): RELRO is only partial")
    stack = [ln.split() for ln in segments.splitlines() if ln.split()[:1] == ["GNU_STACK"]]
    if not stack:
        problems.append("no GNU_STACK segment (the stack would be executable)")
    elif "E" in "".join(stack[0][6:-1]):  # type, 5 numbers, flags ("RW", "R E"), align
        problems.append("executable stack")
    if "TEXTREL" in dynamic:
        problems.append("text relocations")
    undefined = set(re.findall(r"\bUND\s+(\w+)", symbols))
    if "__stack_chk_fail" not in undefined:
        problems.append("no stack protector (__stack_chk_fail not called)")
    fortified = sorted(s for s in undefined if re.fullmatch(r"__\w+_chk", s) and
                       s != "__stack_chk_fail")
    if expect_fortify and not fortified:
        problems.append("no fortified function called (_FORTIFY_SOURCE not in effect)")
    return problems, fortified


def main():
    if os.environ.get("TH_HARDENING", "1") in ("0", "OFF", "off", ""):
        print("check_hardening: TH_HARDENING is off, nothing to check (skipped)")
        return SKIP
    if not shutil.which("readelf"):
        print("check_hardening: readelf not found (binutils), cannot check (skipped)")
        return SKIP
    if len(sys.argv) < 2:
        print(__doc__)
        return 2
    expect_fortify = os.environ.get("TH_EXPECT_FORTIFY", "1") == "1"
    failed = 0
    for i, path in enumerate(sys.argv[1:]):
        problems, fortified = check(path, i == 0, expect_fortify)
        name = os.path.basename(path)
        if problems:
            failed += 1
            for p in problems:
                print("FAIL %s: %s" % (name, p))
        else:
            what = "PIE, " if i == 0 else ""
            what += "full RELRO, NX stack, no TEXTREL, stack protector"
            if expect_fortify:
                what += ", fortified (%d __*_chk functions)" % len(fortified)
            print("ok   %s: %s" % (name, what))
    if not expect_fortify:
        print("note: _FORTIFY_SOURCE not expected in this build (Debug, or ASan)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
