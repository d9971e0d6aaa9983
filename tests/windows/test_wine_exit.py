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

A second Wine failure (issue P): a process that ends inside Wine's startup, before any of the
host's code ran (once a silent exit 1 within 5 ms of its start). Made to happen with an ELF
constructor preloaded into wine64 that _exit(1)s before Wine starts the .exe (TH_DIE_TIMES
times, counted in a file). A one-shot host (nmhost.one_shot, FakeWorld.req) and a command line
(wine_host.sh) that died so say "WINE: the process ended before the host's code ran ..." and
run once more: a reply / the command's output after one death; after two, the failure stands
(one rerun only). The negative controls: a host whose code ran (its log has the "start" line,
then a preloaded thread _exit(1)s it, no reply) fails with no WINE line and no rerun, one-shot
and command line alike.

Run against textus-host.exe (scripts/build-windows.sh host, incrementally) in build-win/wine,
like run_suites.py: one persistent wineserver, `wineserver -k` at the end. Skipped (exit 77)
where mingw-w64, Wine, a C compiler or build-win/deps is missing.
"""
import contextlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

import wineprefix  # noqa: E402
from wineprefix import EXE, PREFIX, SRC, WIN, WINE, WINE_LOG  # noqa: E402

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

DIE_C = r"""
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
/* TH_DIE_AT_START=<file>: the first TH_DIE_TIMES processes _exit(1) at once, in wine64's ELF
   start (before Wine loads the .exe), each adding a line to <file> (with TH_DIE_PROGRAM, only
   processes of that name: a wineserver that wine64 starts). TH_DIE_AFTER_START=1:
   _exit(1) as soon as the host's log ($TEXTUS_HOST_LOG less "Z:") is not empty, i.e. after
   the host's code wrote its start line. */
static const char *log_path;
static void *die_after_start(void *arg)
{
    struct stat st;
    (void)arg;
    for (;;)
        if (stat(log_path, &st) == 0 && st.st_size > 0)
            _exit(1);
        else
            usleep(100);
    return NULL;
}
__attribute__((constructor)) static void die_early(void)
{
    const char *f = getenv("TH_DIE_AT_START"), *l = getenv("TEXTUS_HOST_LOG");
    const char *only = getenv("TH_DIE_PROGRAM"); /* e.g. wineserver: that program alone */
    pthread_t t;
    if (f && (!only || strstr(program_invocation_short_name, only))) {
        int n = 0, c;
        FILE *fp = fopen(f, "r");
        if (fp) {
            while ((c = fgetc(fp)) != EOF)
                n += c == '\n';
            fclose(fp);
        }
        if (n < atoi(getenv("TH_DIE_TIMES") ? getenv("TH_DIE_TIMES") : "1")) {
            fp = fopen(f, "a");
            if (fp) {
                fputs("died\n", fp);
                fclose(fp);
            }
            if (getenv("TH_DIE_SAY")) /* a line of Wine's own, as Wine would print it */
                fprintf(stderr, "%s\n", getenv("TH_DIE_SAY"));
            if (getenv("TH_DIE_SLEEP_US")) /* a slow death: not the signature seen */
                usleep((useconds_t)atol(getenv("TH_DIE_SLEEP_US")));
            _exit(getenv("TH_DIE_CODE") ? atoi(getenv("TH_DIE_CODE")) : 1);
        }
    }
    if (getenv("TH_DIE_AFTER_START") && l) {
        log_path = strncmp(l, "Z:", 2) == 0 ? l + 2 : l;
        pthread_create(&t, NULL, die_after_start, NULL);
    }
}
"""

FAILED = []


CHECKS = [0]


def verdict(ok, what):
    CHECKS[0] += 1
    print("%s - %s" % ("ok" if ok else "not ok", what), flush=True)
    if not ok:
        FAILED.append(what)


def early_death_checks(w, tmp, die):
    """A process that ends before the host's code ran is run once more; one whose code ran is
    not (module comment)."""
    import fakeworld
    import nmhost
    wrapper = os.environ["TH_HOST"]
    # wine_host.sh's WINE lines (nmhost sets it under Wine, to print them at exit)
    notes = os.environ.setdefault("TH_WINE_NOTES", os.path.join(tmp, "wine-notes"))
    open(notes, "a").close()
    ping = {"type": "ping", "request_id": "early"}
    n = [0]

    def dying(times):
        n[0] += 1
        deaths = os.path.join(tmp, "deaths-%d" % n[0])
        # into wine64 alone (not wine_host.sh's sh, date, grep): wine_host.sh passes it on
        return deaths, {"TH_WINE_LD_PRELOAD": die, "TH_DIE_AT_START": deaths,
                        "TH_DIE_TIMES": str(times)}

    def count(path):
        try:
            with open(path) as f:
                return len(f.read().splitlines())
        except FileNotFoundError:
            return 0

    def notes_taken():
        with open(notes) as f:
            text = f.read()
        open(notes, "w").close()
        return text

    # one-shot, one death: the WINE line, the rerun's reply, no failed check
    deaths, env = dying(1)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        reply = w.req(ping, extra_env=env)
    text = out.getvalue()
    verdict((reply or {}).get("ok") is True and not fakeworld.FAILURES and count(deaths) == 1 and
            text.count("with exit 1 and nothing on stdout or stderr, before the host's first log "
                       "line: taken for Wine's startup; ") == 1,
            "FakeWorld.req: a host dead in Wine's startup (exit 1, no start line) is said and "
            "run once more: reply %r, deaths %d, printed %r" % (reply, count(deaths), text[-500:]))
    # one-shot, two deaths: one rerun only, then the failure stands
    deaths, env = dying(2)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        reply, rc, err = nmhost.one_shot(ping, env=dict(w.env, **env))
    text = out.getvalue()
    verdict(reply is None and rc == 1 and count(deaths) == 2 and text.count("WINE: ") == 2 and
            "again: not a one-off" in text,
            "nmhost.one_shot: dead twice in Wine's startup is one rerun and a failure: reply %r, "
            "exit %d, deaths %d, printed %r" % (reply, rc, count(deaths), text[-500:]))
    # negative control, one-shot: the host's code ran (start line), then exit 1 and no reply
    log = os.path.join(w.tmp, "host-%d.log" % (getattr(fakeworld.FakeWorld, "_wine_runs", 0) + 1))
    out, err_out = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err_out):
        reply = w.req({"type": "flush_outbox", "request_id": "neg"},
                      extra_env={"TH_WINE_LD_PRELOAD": die, "TH_DIE_AFTER_START": "1"})
    starts = sum("] start " in ln for ln in open(log, errors="replace").read().splitlines()
                 ) if os.path.exists(log) else 0
    verdict(reply is None and starts == 1 and "WINE:" not in out.getvalue() and
            "] start " in err_out.getvalue(),
            "FakeWorld.req: a host that logged 'start' and then exited 1 with no reply is no "
            "Wine death, not run again (%d start lines), and its log's tail is printed: reply "
            "%r, stdout %r, stderr %r" % (starts, reply, out.getvalue()[-300:],
                                          err_out.getvalue()[-400:]))
    # the command line through wine_host.sh: once normally, to compare
    ref = subprocess.run([wrapper, "outbox", "flush"], env=w.full_env(), capture_output=True,
                         timeout=120)
    notes_taken()
    deaths, env = dying(1)
    p = subprocess.run([wrapper, "outbox", "flush"], env=w.full_env(env), capture_output=True,
                       timeout=120)
    text = notes_taken()
    verdict(ref.returncode == 0 and p.returncode == 0 and p.stdout == ref.stdout and
            p.stderr == ref.stderr and count(deaths) == 1 and
            text.count("with exit 1 and nothing on stdout or stderr, before the host's first log "
                       "line: taken for Wine's startup; ") == 1 and
            "`outbox` run again" in text,
            "wine_host.sh: `outbox flush` dead in Wine's startup is said ($TH_WINE_NOTES) and "
            "run once more, its output as a normal run's: exit %d (normal %d), stdout %r, "
            "stderr %r, deaths %d, notes %r" % (p.returncode, ref.returncode, p.stdout[-200:],
                                                p.stderr[-300:], count(deaths), text[-400:]))
    # stdin is the same for the rerun (the dead process read none of it): configure reads it
    deaths, env = dying(1)
    doc = json.dumps(w.config_doc()).encode()
    p = subprocess.run([wrapper, "configure", "--no-verify"], input=doc, env=w.full_env(env),
                       capture_output=True, timeout=120)
    text = notes_taken()
    verdict(p.returncode == 0 and count(deaths) == 1 and text.count("WINE: ") == 1,
            "wine_host.sh: `configure` (its document on stdin) dead in Wine's startup runs again "
            "with the same stdin: exit %d, stderr %r, deaths %d" % (p.returncode,
                                                                    p.stderr[-300:],
                                                                    count(deaths)))
    # the caller's own log (as the store_cli suite sets one): the part this run added counts
    clog = os.path.join(tmp, "caller.log")
    first = subprocess.run([wrapper, "status"], env=w.full_env({"TEXTUS_HOST_LOG": "Z:" + clog}),
                           capture_output=True, timeout=120)
    deaths, env = dying(1)
    p = subprocess.run([wrapper, "outbox", "flush"],
                       env=w.full_env(dict(env, TEXTUS_HOST_LOG="Z:" + clog)),
                       capture_output=True, timeout=120)
    text = notes_taken()
    with open(clog, errors="replace") as f:
        lines = f.read().splitlines()
    verdict(first.returncode == 0 and p.returncode == 0 and count(deaths) == 1 and
            text.count("WINE: ") == 1 and
            [ln.split("] ", 1)[-1] for ln in lines if "] start " in ln] ==
            ["start cli status", "start cli outbox"] and lines[-1].endswith("exit code=0"),
            "wine_host.sh: with the caller's TEXTUS_HOST_LOG (holding an earlier run's start "
            "line) a death in Wine's startup is run again too, the log says 'start cli <command>'"
            " (no arguments) and 'exit code=0': exit %d, deaths %d, log %r" %
            (p.returncode, count(deaths), lines[-6:]))
    # the stderr of one seen in a loop here (prefix-less: no thread yet): Wine's line only
    deaths, env = dying(1)
    env["TH_DIE_SAY"] = ("err:virtual:virtual_alloc_first_teb wine: failed to map the shared "
                         "user data: c0000018")
    p = subprocess.run([wrapper, "outbox", "flush"], env=w.full_env(env), capture_output=True,
                       timeout=120)
    text = notes_taken()
    verdict(p.returncode == 0 and p.stdout == ref.stdout and not p.stderr and
            count(deaths) == 1 and text.count("WINE: ") == 1 and "c0000018" in text,
            "wine_host.sh: a death in Wine's startup whose stderr is Wine's own err line ('wine: "
            "failed to map the shared user data', seen once in 3,739 loop runs) is said, with "
            "that line, and run once more: exit %d, stderr %r, notes %r" %
            (p.returncode, p.stderr[-300:], text[-400:]))
    # ... and a stderr line that is not Wine's is no Wine death: the host may have said it
    verdict(nmhost.wine_before_host(1, b"", "err:virtual:x wine: failed to map the shared user "
                                    "data: c0000018\n", os.path.join(tmp, "none.log"), 0.005) and
            not nmhost.wine_before_host(1, b"", "textus-host: cannot set up stdout for native "
                                        "messaging\n", os.path.join(tmp, "none.log"), 0.005),
            "nmhost.wine_before_host: Wine's err lines (with or without a thread id) are Wine's, "
            "the host's own stderr line is not")
    # only the signatures seen are Wine's: exit 3 (the host's crash filter, host/os_win.c) with
    # no start line and nothing printed, or an exit 1 slower than 300 ms, is the host's failure
    for code, sleep_us, what in ((3, 0, "exit 3"), (1, 600000, "exit 1 after 600 ms")):
        deaths, env = dying(1)
        env.update(TH_DIE_CODE=str(code), TH_DIE_SLEEP_US=str(sleep_us))
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            reply, rc, err = nmhost.one_shot(ping, env=dict(w.env, **env))
        verdict(reply is None and rc == code and count(deaths) == 1 and
                "WINE" not in out.getvalue(),
                "nmhost.one_shot: a silent %s with no start line is not taken for Wine's startup "
                "(not run again): reply %r, exit %d, deaths %d, printed %r" %
                (what, reply, rc, count(deaths), out.getvalue()[-300:]))
        deaths, env = dying(1)
        env.update(TH_DIE_CODE=str(code), TH_DIE_SLEEP_US=str(sleep_us))
        p = subprocess.run([wrapper, "outbox", "flush"], env=w.full_env(env),
                           capture_output=True, timeout=120)
        text = notes_taken()
        verdict(p.returncode == code and count(deaths) == 1 and "WINE" not in text,
                "wine_host.sh: `outbox flush` ending in a silent %s with no start line is not "
                "taken for Wine's startup (not run again): exit %d, deaths %d, notes %r" %
                (what, p.returncode, count(deaths), text[-300:]))
    # an exit code in 129-159 other than 137 is a code: 147 once became a SIGTSTP that stopped
    # wine_host.sh itself, its caller waiting for ever (two deaths: an older wrapper ran the
    # first again and passed the second on)
    deaths, env = dying(2)
    env.update(TH_DIE_CODE="147")
    try:
        p = subprocess.run([wrapper, "outbox", "flush"], env=w.full_env(env),
                           capture_output=True, timeout=30)
        rc147 = p.returncode
    except subprocess.TimeoutExpired:
        rc147 = "no end in 30 s"
    notes_taken()
    verdict(rc147 == 147, "wine_host.sh: exit 147 is passed on as exit 147, not as a signal on "
            "itself: %r" % (rc147,))
    verdict(not nmhost.wine_before_host(3, b"", "", os.path.join(tmp, "none.log"), 0.005) and
            not nmhost.wine_before_host(1, b"", "", os.path.join(tmp, "none.log"), 0.5) and
            nmhost.wine_before_host(1, b"", "", os.path.join(tmp, "none.log"), 0.005),
            "nmhost.wine_before_host: exit 3, or exit 1 after 500 ms, is not Wine's startup; "
            "exit 1 in 5 ms with nothing printed is")
    deaths, env = dying(2)
    p = subprocess.run([wrapper, "outbox", "flush"], env=w.full_env(env), capture_output=True,
                       timeout=120)
    text = notes_taken()
    verdict(p.returncode == 1 and not p.stdout and count(deaths) == 2 and
            text.count("WINE: ") == 2 and "again: not a one-off" in text,
            "wine_host.sh: dead twice in Wine's startup is one rerun, then exit 1: exit %d, "
            "deaths %d, notes %r" % (p.returncode, count(deaths), text[-400:]))
    # Wine's own path to that signature (dlls/ntdll/unix/server.c, server_connect and
    # start_server): a client that finds no wineserver socket starts a wineserver, and when
    # that one fails (an exit status other than 2, or a signal) the client ends with
    # `exit(status)`, silently, before anything of the .exe ran. Here: the prefix's server
    # stopped, the first wineserver started dies at once with exit 1.
    with open(WINE_LOG, "ab") as wl:
        subprocess.run(["wineserver", "-k"], stdout=wl, stderr=wl, timeout=60)
        subprocess.run(["wineserver", "-w"], stdout=wl, stderr=wl, timeout=60)
    deaths, env = dying(1)
    env["TH_DIE_PROGRAM"] = "wineserver"
    out = io.StringIO()
    t = time.time()
    with contextlib.redirect_stdout(out):
        reply, rc, err = nmhost.one_shot(ping, env=dict(w.env, **env))
    text = out.getvalue()
    m = re.search(r"ended in (\d+) ms with exit 1", text)
    verdict((reply or {}).get("ok") is True and rc == 0 and count(deaths) == 1 and m and
            text.count("WINE: ") == 1,
            "nmhost.one_shot: no wineserver running and the one wine64 starts fails: the client "
            "exits 1 silently (in %s ms) and that run is said and run once more: reply %r, "
            "exit %d, deaths %d, printed %r (%.1f s in all)" % (
                m and m.group(1), reply, rc, count(deaths), text[-400:], time.time() - t))
    # back to one persistent server (as run_suites.py and main() set it up)
    with open(WINE_LOG, "ab") as wl:
        subprocess.run(["wineserver", "-k"], stdout=wl, stderr=wl, timeout=60)
        subprocess.run(["wineserver", "-w"], stdout=wl, stderr=wl, timeout=60)
        subprocess.run(["wineserver", "-p"], stdout=wl, stderr=wl, timeout=60)
        subprocess.run([WINE, "cmd", "/d", "/c", "exit"], stdin=subprocess.DEVNULL, stdout=wl,
                       stderr=wl, timeout=120)
    # negative control, command line: the host's code ran, then exit 1 with no output
    p = subprocess.run([wrapper, "outbox", "flush"],
                       env=w.full_env({"TH_WINE_LD_PRELOAD": die, "TH_DIE_AFTER_START": "1"}),
                       capture_output=True, timeout=120)
    text = notes_taken()
    verdict(p.returncode == 1 and not p.stdout and "WINE" not in text + p.stderr.decode(),
            "wine_host.sh: `outbox flush` whose code ran (start line) and then exited 1 is the "
            "host's failure, not run again: exit %d, stdout %r, stderr %r, notes %r" %
            (p.returncode, p.stdout[-200:], p.stderr[-300:], text[-300:]))


def main():
    cc = shutil.which("cc") or shutil.which("gcc")
    if not (os.path.exists(WINE) and shutil.which("x86_64-w64-mingw32-gcc") and cc and
            shutil.which("wineserver") and
            os.path.exists(os.path.join(WIN, "deps", "lib", "libcjson.a"))):
        print("SKIP: mingw-w64, Wine, cc or build-win/deps is missing")
        return 77
    failed_build = wineprefix.build_host()
    if failed_build:
        print(failed_build)
        return 1
    tmp = tempfile.mkdtemp(prefix="th-wine-exit-")
    so = os.path.join(tmp, "slow_exit.so")
    with open(os.path.join(tmp, "slow_exit.c"), "w") as f:
        f.write(SLOW_EXIT_C)
    subprocess.run([cc, "-shared", "-fPIC", "-O2", "-o", so, os.path.join(tmp, "slow_exit.c")],
                   check=True)
    die = os.path.join(tmp, "die.so")
    with open(os.path.join(tmp, "die.c"), "w") as f:
        f.write(DIE_C)
    subprocess.run([cc, "-shared", "-fPIC", "-O2", "-pthread", "-o", die,
                    os.path.join(tmp, "die.c")], check=True)
    os.environ.update(WINEPREFIX=PREFIX, WINEDEBUG="-all", TH_SOURCE_DIR=SRC, TH_WIN_EXE=EXE,
                      TH_HOST=os.path.join(SRC, "tests", "windows", "wine_host.sh"))
    with open(WINE_LOG, "ab") as log:  # one persistent server (wineprefix.py says why)
        wineprefix.start_persistent(WINE, PREFIX, log, dict(os.environ))
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
        early_death_checks(w, tmp, die)
        # a closed stdout (`>&-`) is not taken by the log (os_std_fds_ensure): wine64 itself,
        # not wine_host.sh, so that the .exe's fd 1 is closed
        clog = os.path.join(tmp, "closed-stdout.log")
        prof = json.dumps({"url": "https://x.greenhouse.io/people/1", "name": "Jane Doe",
                           "lines": ["Phone: (303) 555-0187"]}).encode()
        p = subprocess.run(["sh", "-c", 'exec "$0" "$1" extract >&-', WINE, EXE], input=prof,
                           stderr=subprocess.PIPE, timeout=120,
                           env=dict(w.full_env(), TEXTUS_HOST_LOG="Z:" + clog,
                                    WINEDEBUG="-all"))
        text = open(clog, errors="replace").read() if os.path.exists(clog) else ""
        verdict("start cli extract" in text and "0187" not in text.replace("-", "") and
                "\"e164\"" not in text,
                "textus-host.exe extract with stdout closed: its output goes nowhere, not into "
                "the log: exit %d, stderr %r, log %r" % (p.returncode, p.stderr[-300:],
                                                        text[-600:]))
    finally:
        if w:
            w.close()
        shutil.rmtree(tmp, ignore_errors=True)
        with open(WINE_LOG, "ab") as log:
            subprocess.run(["wineserver", "-k"], stdout=log, stderr=log, timeout=60)
    print("# %d of %d checks failed" % (len(FAILED), CHECKS[0]))
    return 1 if FAILED else 0


if __name__ == "__main__":
    sys.exit(main())
