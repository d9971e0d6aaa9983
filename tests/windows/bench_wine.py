#!/usr/bin/env python3
"""Ping under Wine: textus-host.exe against echo_host.exe (a bare C host, the floor), from the
first byte written to the whole reply read. Cold: no wineserver running (the prefix exists),
as the first host of a session; warm: a persistent `wineserver -p`, as every later one.
Prints medians and ranges; a measurement, not a test (Wine is not Windows: real Windows start-up
differs, and the machine's load shows). The warm runs alternate the two hosts, one of each in
turn, so that a change of the machine's load weighs on both alike. Needs
scripts/build-windows.sh all first.
   python3 tests/windows/bench_wine.py [COLD_RUNS [WARM_RUNS]] [--rows FILE]
--rows FILE appends scripts/bench.sh's TSV rows (BENCH_ONLY=wine): the warm and cold ratios
against the bare host, target 1.3x.
"""
import os
import statistics
import struct
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import wineprefix  # noqa: E402

SRC = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
WIN = os.environ.get("TH_WIN_DIR") or os.path.join(SRC, "build-win")
WINE = "/usr/lib/wine/wine64"
# a prefix of its own: its `wineserver -k` (the cold runs) on build-win/wine would end every
# host of a Wine test running beside it (exit 0 or -3, no output: issue P's missing reply)
PREFIX = os.path.join(WIN, "wine-bench")
ENV = dict(os.environ, WINEPREFIX=PREFIX, WINEDEBUG="-all")
LOG = open(os.path.join(WIN, "wine.log"), "ab")
PING = b'{"id":1,"type":"ping"}'
HOSTS = {"textus-host.exe": ["chrome-extension://hfboccpnppdfmcdbjjgmobnhljkkmjji/"],
         "echo_host.exe": []}


def once(exe):
    t0 = time.monotonic()
    p = subprocess.run([WINE, os.path.join(WIN, "host", exe)] + HOSTS[exe],
                       input=struct.pack("=I", len(PING)) + PING, stdout=subprocess.PIPE,
                       stderr=LOG, env=ENV, timeout=120)
    dt = time.monotonic() - t0
    if p.returncode != 0 or b'"ok":true' not in p.stdout:
        raise SystemExit("%s did not answer the ping (exit %d)" % (exe, p.returncode))
    return dt * 1000


def server(cmd):
    if cmd == "-k":
        subprocess.run(["wineserver", cmd], stdout=LOG, stderr=LOG, env=ENV, timeout=60)
        time.sleep(0.5)  # let it go
    else:  # persistent, made sure of: the last cold run's server may still be ending
        wineprefix.start_persistent(WINE, PREFIX, LOG, ENV)


def show(label, xs):
    print("  %-28s median %7.1f ms  (min %.1f, max %.1f, n=%d)" %
          (label, statistics.median(xs), min(xs), max(xs), len(xs)))


def rows_out(path, label, xs, base):
    """One scripts/bench.sh row: benchmark, measured, baseline, ratio, target, verdict."""
    m, b = statistics.median(xs), statistics.median(base)
    with open(path, "a") as f:
        f.write("%s\t%.1f ms\t%.1f ms (echo_host.exe)\t%.2fx\t<= 1.3x\t%s\n" %
                (label, m, b, m / b, "ok" if m / b <= 1.3 else "over"))


def main():
    args = sys.argv[1:]
    if not os.path.exists(os.path.join(PREFIX, "system.reg")):
        os.makedirs(PREFIX, exist_ok=True)
        subprocess.run([WINE, "wineboot", "--init"], stdin=subprocess.DEVNULL, stdout=LOG,
                       stderr=LOG, env=ENV, timeout=300, check=True)
        subprocess.run(["wineserver", "-k"], stdout=LOG, stderr=LOG, env=ENV, timeout=60)
    rows = None
    if "--rows" in args:
        i = args.index("--rows")
        rows = args[i + 1]
        del args[i:i + 2]
    cold_n = int(args[0]) if len(args) > 0 else 5
    warm_n = int(args[1]) if len(args) > 1 else 30
    print("ping under Wine (%s), load average %s" %
          (subprocess.run([WINE, "--version"], capture_output=True, text=True).stdout.strip(),
           " ".join(open("/proc/loadavg").read().split()[:3])))
    cold = {exe: [] for exe in HOSTS}
    for _ in range(cold_n):
        for exe in HOSTS:
            server("-k")
            cold[exe].append(once(exe))
    for exe in HOSTS:
        show(exe + " cold", cold[exe])
    server("-p")
    warm = {exe: [] for exe in HOSTS}
    for exe in HOSTS:
        once(exe)  # the first after -p loads the server's state
    for _ in range(warm_n):
        for exe in HOSTS:
            warm[exe].append(once(exe))
    for exe in HOSTS:
        show(exe + " warm", warm[exe])
    server("-k")
    for what, xs in (("warm", warm), ("cold", cold)):
        print("  ratio %s: %.2fx" % (what, statistics.median(xs["textus-host.exe"]) /
                                     statistics.median(xs["echo_host.exe"])))
        if rows:
            rows_out(rows, "ping under Wine, %s (textus-host.exe)" % what,
                     xs["textus-host.exe"], xs["echo_host.exe"])


if __name__ == "__main__":
    main()
