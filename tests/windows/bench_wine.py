#!/usr/bin/env python3
"""Ping under Wine: textus-host.exe against echo_host.exe (a bare C host, the floor), from the
first byte written to the whole reply read. Cold: no wineserver running (the prefix exists),
as the first host of a session; warm: a persistent `wineserver -p`, as every later one.
Prints medians and ranges; a measurement, not a test (Wine is not Windows: real Windows start-up
differs, and the machine's load shows). Needs scripts/build-windows.sh all first.
   python3 tests/windows/bench_wine.py [COLD_RUNS [WARM_RUNS]]
"""
import os
import statistics
import struct
import subprocess
import sys
import time

SRC = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
WIN = os.environ.get("TH_WIN_DIR") or os.path.join(SRC, "build-win")
WINE = "/usr/lib/wine/wine64"
ENV = dict(os.environ, WINEPREFIX=os.path.join(WIN, "wine"), WINEDEBUG="-all")
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
    subprocess.run(["wineserver", cmd], stdout=LOG, stderr=LOG, env=ENV, timeout=60)
    if cmd == "-k":
        time.sleep(0.5)  # let it go
    else:
        # Wine's services start with the first program and inherit its stdout: on the log
        subprocess.run([WINE, "cmd", "/d", "/c", "exit"], stdin=subprocess.DEVNULL, stdout=LOG,
                       stderr=LOG, env=ENV, timeout=120)


def show(label, xs):
    print("  %-28s median %7.1f ms  (min %.1f, max %.1f, n=%d)" %
          (label, statistics.median(xs), min(xs), max(xs), len(xs)))


def main():
    cold_n = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    warm_n = int(sys.argv[2]) if len(sys.argv) > 2 else 30
    print("ping under Wine (%s), load average %s" %
          (subprocess.run([WINE, "--version"], capture_output=True, text=True).stdout.strip(),
           " ".join(open("/proc/loadavg").read().split()[:3])))
    for exe in HOSTS:
        cold = []
        for _ in range(cold_n):
            server("-k")
            cold.append(once(exe))
        show(exe + " cold", cold)
    server("-p")
    for exe in HOSTS:
        once(exe)  # the first after -p loads the server's state
        show(exe + " warm", [once(exe) for _ in range(warm_n)])
    server("-k")


if __name__ == "__main__":
    main()
