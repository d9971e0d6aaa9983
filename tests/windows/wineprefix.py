"""One Wine prefix with one persistent wineserver: how every Windows test starts Wine (issue P).

A wineserver started by a Wine program is not persistent: it exits a few seconds after the
last process of its prefix, and the next program starts a new one. While one server ends and
the next starts, a program that starts ends inside Wine's own startup (ntdll's start_server:
`exit(status)` when the server it spawned fails, silently, before the .exe runs), and a host
alive when its server goes ends with no output (tests/windows/test_wine_exit.py forces both).
`wineserver -p` makes a persistent one, but only when none runs: with one running (as right
after `wineboot --init`, whose server is not persistent) it exits 2 and changes nothing, and
every later host then runs under a server that comes and goes. start_persistent waits for
such a server to end, starts a persistent one and checks that it is: a prefix it cannot make
persistent is an error, never a silent "as good".
"""
import os
import subprocess
import time

# Where the Windows tests find things (TH_SOURCE_DIR and TH_WIN_DIR as ctest sets them): one
# place, imported by test_windows.py, run_suites.py and test_wine_exit.py
SRC = os.path.abspath(os.environ.get("TH_SOURCE_DIR") or
                      os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
WIN = os.environ.get("TH_WIN_DIR") or os.path.join(SRC, "build-win")
WINE = "/usr/lib/wine/wine64"
EXE = os.path.join(WIN, "host", "textus-host.exe")
PREFIX = os.path.join(WIN, "wine")  # the tests' prefix (bench_wine.py has its own)
WINE_LOG = os.path.join(WIN, "wine.log")


def servers(prefix):
    """{pid: argv} of the wineservers of prefix, from /proc (Debian's Wine keeps its socket in
    a /tmp/wine-XXXXXX folder of its own, so the environment is what names a server's prefix)."""
    found = {}
    for pid in os.listdir("/proc"):
        try:
            if not pid.isdigit() or "wineserver" not in os.readlink("/proc/%s/exe" % pid):
                continue
            with open("/proc/%s/environ" % pid, "rb") as f:
                if ("WINEPREFIX=" + prefix).encode() not in f.read().split(b"\0"):
                    continue
            with open("/proc/%s/cmdline" % pid, "rb") as f:
                found[int(pid)] = [a.decode(errors="replace") for a in f.read().split(b"\0") if a]
        except OSError:
            continue
    return found


def persistent(argv):
    """True when a wineserver's argv makes it persistent ("-p" with no timeout after it)."""
    return "-p" in argv


def start_persistent(wine, prefix, log, env):
    """Create prefix if needed, then leave exactly one persistent wineserver serving it, with
    Wine's services started on log (they inherit the first program's stdout and stderr: never a
    pipe a test reads). Returns its pid; raises RuntimeError when it cannot."""
    os.makedirs(prefix, exist_ok=True)
    if not os.path.exists(os.path.join(prefix, "system.reg")):
        subprocess.run([wine, "wineboot", "--init"], stdin=subprocess.DEVNULL, stdout=log,
                       stderr=log, env=env, timeout=300, check=True)
    for _ in range(3):
        now = servers(prefix)
        if any(persistent(a) for a in now.values()):
            break
        if now:  # one that will end on its own: wait for it (-w), then start ours
            subprocess.run(["wineserver", "-w"], stdout=log, stderr=log, env=env, timeout=120)
        subprocess.run(["wineserver", "-p"], stdout=log, stderr=log, env=env, timeout=60)
        time.sleep(0.2)
    now = servers(prefix)
    keep = [pid for pid, a in now.items() if persistent(a)]
    if not keep:
        raise RuntimeError("no persistent wineserver for %s (running: %s)" % (prefix, now))
    subprocess.run([wine, "cmd", "/d", "/c", "exit"], stdin=subprocess.DEVNULL, stdout=log,
                   stderr=log, env=env, timeout=120)
    return keep[0]


def build_host():
    """scripts/build-windows.sh host (textus-host.exe and the test .exes, incrementally): None
    when it built, else what it printed (its last lines), for the caller to fail with."""
    p = subprocess.run([os.path.join(SRC, "scripts", "build-windows.sh"), "host"],
                       capture_output=True, text=True, timeout=900,
                       env=dict(os.environ, TH_WIN_DIR=WIN))
    if p.returncode == 0:
        return None
    return "scripts/build-windows.sh host failed:\n" + p.stdout[-3000:] + p.stderr[-3000:]
