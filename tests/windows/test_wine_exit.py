#!/usr/bin/env python3
"""One Wine-only flake of the Windows suites explained (issue P): a host killed (-9) after it
had replied. The wineserver SIGKILLs a process that is still alive about 0.5 s after it asked
to end (ExitProcess); a host whose Unix exit (wine64's exit(): ELF destructors, unmapping) is
that slow on a loaded machine ends so now and then. The reply is whole; only the exit status
is Wine's instead of the host's.

- Wine's behaviour, made to happen: an ELF destructor preloaded into wine64 (LD_PRELOAD, built
  here with cc) sleeps 1.5 s inside that exit; a ping host then ends with -9 after ~0.5 s,
  its reply whole, and with a 0.1 s sleep (the control) with 0. Should Wine change this, the
  check says so.
- The driver (tests/lib/fakeworld.py FakeWorld.req) tells it from a host defect: under Wine
  each one-shot host logs to a file (TEXTUS_HOST_LOG), whose last line is "exit code=N" once
  main() has returned; a -9 after "exit code=0" is printed as "WINE: ..." and is no failed
  check. Its negative control: the same kill without the host's log line (the log pointed
  at a folder that does not exist) is a failed check, as any other -9.

Run against textus-host.exe (scripts/build-windows.sh host, incrementally) in build-win/wine,
like run_suites.py: one persistent wineserver, `wineserver -k` at the end. Skipped (exit 77)
where mingw-w64, Wine, a C compiler or build-win/deps is missing.
"""
import contextlib
import io
import os
import shutil
import subprocess
import sys
import tempfile
import time

SRC = os.path.abspath(os.environ.get("TH_SOURCE_DIR") or
                      os.path.join(os.path.dirname(__file__), "..", ".."))
WIN = os.environ.get("TH_WIN_DIR") or os.path.join(SRC, "build-win")
WINE = "/usr/lib/wine/wine64"
EXE = os.path.join(WIN, "host", "textus-host.exe")
PREFIX = os.path.join(WIN, "wine")
WINE_LOG = os.path.join(WIN, "wine.log")

SLOW_EXIT_C = r"""
#include <stdlib.h>
#include <unistd.h>
/* runs inside wine64's exit(), after the Windows side's terminate request */
__attribute__((destructor)) static void slow_exit(void)
{
    const char *v = getenv("TH_SLOW_EXIT_US");
    if (v)
        usleep((useconds_t)atol(v));
}
"""

FAILED = []


def verdict(ok, what):
    print("%s - %s" % ("ok" if ok else "not ok", what), flush=True)
    if not ok:
        FAILED.append(what)


def main():
    cc = shutil.which("cc") or shutil.which("gcc")
    if not (os.path.exists(WINE) and shutil.which("x86_64-w64-mingw32-gcc") and cc and
            shutil.which("wineserver") and
            os.path.exists(os.path.join(WIN, "deps", "lib", "libcjson.a"))):
        print("SKIP: mingw-w64, Wine, cc or build-win/deps is missing")
        return 77
    p = subprocess.run([os.path.join(SRC, "scripts", "build-windows.sh"), "host"],
                       capture_output=True, text=True, timeout=900,
                       env=dict(os.environ, TH_WIN_DIR=WIN))
    if p.returncode != 0:
        print("scripts/build-windows.sh host failed:\n" + p.stdout[-3000:] + p.stderr[-3000:])
        return 1
    tmp = tempfile.mkdtemp(prefix="th-wine-exit-")
    so = os.path.join(tmp, "slow_exit.so")
    with open(os.path.join(tmp, "slow_exit.c"), "w") as f:
        f.write(SLOW_EXIT_C)
    subprocess.run([cc, "-shared", "-fPIC", "-O2", "-o", so, os.path.join(tmp, "slow_exit.c")],
                   check=True)
    os.environ.update(WINEPREFIX=PREFIX, WINEDEBUG="-all", TH_SOURCE_DIR=SRC, TH_WIN_EXE=EXE,
                      TH_HOST=os.path.join(SRC, "tests", "windows", "wine_host.sh"))
    os.makedirs(PREFIX, exist_ok=True)
    with open(WINE_LOG, "ab") as log:
        if not os.path.exists(os.path.join(PREFIX, "system.reg")):
            subprocess.run([WINE, "wineboot", "--init"], stdout=log, stderr=log, timeout=300,
                           check=True)
        subprocess.run(["wineserver", "-p"], stdout=log, stderr=log, timeout=60)
        # the first Wine process of a new server starts the prefix's services, which inherit
        # its stdout and stderr: let that be this one, whose output goes to the log
        subprocess.run([WINE, "cmd", "/d", "/c", "exit"], stdin=subprocess.DEVNULL, stdout=log,
                       stderr=log, timeout=120)
    sys.path.insert(0, os.path.join(SRC, "tests", "lib"))
    import fakeworld
    import nmhost
    w = None
    try:
        w = fakeworld.FakeWorld("v1", prefix="th-wine-exit-w-")
        # Wine's behaviour: a process slow in its Unix exit is killed, its reply whole
        for us, want in ((1500000, -9), (100000, 0)):
            env = dict(w.env, LD_PRELOAD=so, TH_SLOW_EXIT_US=str(us))
            t = time.time()
            reply, rc, err = nmhost.one_shot({"type": "ping", "request_id": "slow"}, env=env)
            secs = time.time() - t
            verdict(rc == want and (reply or {}).get("ok") is True and
                    (want == 0 or secs < 1.4),
                    "a ping host %.1f s slow in its Unix exit ends with %d after %.2f s (want "
                    "%d%s), reply %r, stderr %r" % (us / 1e6, rc, secs, want,
                                                    ", before the sleep ends" if want else "",
                                                    reply, err[-300:]))
        # the driver: that kill after "exit code=0" is Wine's (printed, not failed) ...
        slow = {"LD_PRELOAD": so, "TH_SLOW_EXIT_US": "1500000"}
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            reply = w.req({"type": "ping", "request_id": "drv"}, extra_env=slow)
        text = out.getvalue()
        verdict(reply is not None and not fakeworld.FAILURES and
                "WINE: the wineserver killed the ping host (-9)" in text and
                "exit code=0" in text,
                "FakeWorld.req: a -9 after the host's 'exit code=0' is Wine's: %r" % text[-400:])
        # ... and without the host's own word for it, a -9 is a failed check
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            reply = w.req({"type": "ping", "request_id": "drv2"},
                          extra_env=dict(slow, TEXTUS_HOST_LOG="Z:" + os.path.join(
                              tmp, "no-such-folder", "host.log")))
        verdict(reply is not None and len(fakeworld.FAILURES) == 1 and
                "host exit -9 for ping" in fakeworld.FAILURES[0] and "WINE:" not in
                out.getvalue(),
                "FakeWorld.req: a -9 without the host's log line is a failed check: %r" %
                fakeworld.FAILURES)
        del fakeworld.FAILURES[:]
    finally:
        if w:
            w.close()
        shutil.rmtree(tmp, ignore_errors=True)
        with open(WINE_LOG, "ab") as log:
            subprocess.run(["wineserver", "-k"], stdout=log, stderr=log, timeout=60)
    print("# %d of 4 checks failed" % len(FAILED))
    return 1 if FAILED else 0


if __name__ == "__main__":
    sys.exit(main())
