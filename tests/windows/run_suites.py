#!/usr/bin/env python3
"""The Linux suites again, against textus-host.exe under Wine (issue P, ctest windows_suites).

The same test files drive the Windows executable: TH_HOST is tests/windows/wine_host.sh, which
starts textus-host.exe with wine64 (a Unix TEXTUS_HOST_HOME becomes its Z: path), and the fakes
listen on the Linux side as usual (http on 127.0.0.1: the host allows plain http to loopback
only). Run here:

  protocol      tests/protocol/test_protocol.py (unittest), less the tests that look at the
                Linux process from outside (listed in EXCLUDED with why);
  store_cli     tests/store/test_store_cli.py (unittest), less the ones that compare Unix
                paths or modes, or need XDG or a pty;
  send          tests/send/test_send.py, the scenarios of SEND_SCENARIOS on Harvest v1 and v3
                (happy path, replay, conflict, validation, ambiguous outcomes, opt-out, import,
                the CLI send, the startup flush ...), less the Unix-mode checks;
  TLS           a send over HTTPS through Schannel (fakes on https://localhost, ca_file the
                test CA as a Z: path) and its negative control (a CA that does not vouch);
  quiet         quiet hours on Windows as on Linux: the zone table built into the host
                (host/quiet_zones.inc) against Python's zoneinfo, through textus-host.exe
                (send_sms refused/sent, local_time in every zone) and quiet_tz_dump.exe
                (every daylight-saving change of 2020-2059);
  conversation  tests/conversation/test_conversation.py, whole, on v1 and v3;
  hardening     tests/protocol/test_hardening.py: NUL and control bytes, candidate ids and N11
                numbers, an allowed caller's cap, revocation of an extension id, the older
                store's ids, the settings file, an older copy of the store and a damaged
                generation record, stalled and trickled frames; less core limits, strace of
                the opens and Unix symlinks (EXCLUDED);
  attacks       tests/reliability/attacks.py: origin shapes x verbs, credentials stay home,
                the state folder (another owner, a symlinked folder), hostile frames; less the
                symlinked files and Unix modes;
  malformed     tests/reliability/malformed.py: 233 malformed frames, each a structured error;
  outbox        tests/send/test_lease.py (a note never doubled past its lease; faketime reaches
                the .exe: Wine's clock is the Unix one) and the outbox list/flush/dismiss
                tests of tests/install/test_doctor_online.py (OUTBOX_CLI, 5 of its 22);
  compose       tests/send/test_saved_replies.py, tests/conversation/test_inbox.py (v1, v3),
                tests/send/test_quiet.py (faketime), tests/send/test_bulk.py (crash and
                replay of 50, skips, preview, cancel, pacing, quiet hours per zone).

Where a test file reads the .exe's output it allows for Windows under TH_WIN_EXE (CRLF line
ends of a command, the local zone from the system rather than TZ, the .exe named by its path,
icacls rather than chmod), each marked where it is done.

Each suite's counts are printed; exit 0 only when every suite passed. Wine is run as in
test_windows.py (one persistent wineserver whose output goes to build-win/wine.log, never to
a pipe the runner waits on; `wineserver -k` at the end). Skipped (exit 77) where mingw-w64,
Wine or build-win/deps is missing.
"""
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import wineprefix  # noqa: E402
from wineprefix import EXE, PREFIX, SRC, WIN, WINE, WINE_LOG  # noqa: E402

# test id -> why it does not run under Wine (it could not tell anything there)
EXCLUDED = {
    "Envelope.test_oversize_is_drained_not_buffered":
        "reads the peak RSS in /proc: under Wine that is Wine's own loader and libraries",
    "Lifecycle.test_fd1_points_at_stderr":
        "reads /proc/PID/fd: the Unix fd 1 of the wine process is not the C runtime's",
    "Lifecycle.test_epipe_is_a_clean_exit": None,  # runs (kept here to say so): see below
    "Concurrency.test_eight_processes":
        "configures ca_file as a Unix path (/etc/ssl/...), which is not absolute on Windows",
    "Configure.test_piped_configure_and_status":
        "compares the store path with the Unix one (the host reports Z:/...)",
    "Configure.test_xdg_locations": "XDG_CONFIG_HOME/XDG_DATA_HOME are Linux's",
    "Interactive.test_prompts": "a Unix pty: Wine's console draws the prompt with escapes",
    "Refusals.test_permissions":
        "chmod 0644 and the message's Unix path (Wine reads DACLs back from the Unix mode)",
    # tests/protocol/test_hardening.py
    "NoCoreDumps.test_native_messaging": "RLIMIT_CORE and dumpable, read in /proc: Unix only",
    "NoCoreDumps.test_native_forbidden_origin_and_no_origin":
        "RLIMIT_CORE and dumpable, read in /proc: Unix only",
    "NoCoreDumps.test_cli_core_command": "RLIMIT_CORE and dumpable, read in /proc: Unix only",
    "NoCoreDumps.test_cli_engine_command": "RLIMIT_CORE and dumpable, read in /proc: Unix only",
    "NoCoreDumps.test_crash_leaves_no_core":
        "SIGSEGV and a core file in the working folder: Unix only",
    "OriginFirst.test_malformed_origin_never_opens_the_store":
        "strace of the host's open calls: under Wine the wineserver opens the files, so the "
        "trace of the .exe would show none whatever the host did",
    "OriginFirst.test_unknown_extension_opens_no_store_and_no_key":
        "strace of the host's open calls: under Wine the wineserver opens the files (not even "
        "settings.json shows)",
    "StoreFiles.test_symlinked_lock_file_is_store_permissions":
        "a Unix symlink: Wine shows it as the file it points to, no reparse point "
        "(tests/windows/os_check.c)",
    # tests/reliability/attacks.py
    "StateFolder.test_symlinked_store": "a Unix symlink: Wine shows no reparse point",
    "StateFolder.test_symlinked_key": "a Unix symlink: Wine shows no reparse point",
    "StateFolder.test_symlinked_generation_record":
        "a Unix symlink: Wine shows no reparse point",
    "StateFolder.test_symlinked_outbox": "a Unix symlink: Wine shows no reparse point",
    "StateFolder.test_symlinked_lock": "a Unix symlink: Wine shows no reparse point",
    "StateFolder.test_open_modes":
        "Unix modes and their chmod fix: Wine makes the access list from the owner and other "
        "bits only (0660, 0640, 0750 read as owner-only); the Windows check is os_check.exe's",
}
EXCLUDED = {k: v for k, v in EXCLUDED.items() if v}

# test_send.py scenarios (s_<name>); left out: retry_after_across_hosts and sealed_check,
# which check Unix modes of the state files (0600), and the v3-only and failpoint ones
SEND_SCENARIOS = ("happy,opted_blocked,replay_conflict,validation,two_hosts,ambiguous,"
                  "ambiguous_then_replies,ambiguous_not_sent,note_drop_after,"
                  "notes_disabled_and_stopped,opt_out_verb,import_contact,cli_send,"
                  "cli_send_options,cli_send_unlisted,startup_flush,ambiguous_two_candidates")

# tests/install/test_doctor_online.py: the outbox verbs' tests (list, flush, dismiss), not the
# doctor's online findings
OUTBOX_CLI = ",".join("DoctorOnline." + t for t in (
    "test_pending_and_stopped_notes", "test_one_word_per_note_state_and_flush_says_which_and_why",
    "test_note_for_a_deleted_candidate_v1", "test_note_for_a_deleted_candidate_v3",
    "test_dismiss_refuses_what_it_cannot_dismiss"))


def wine_env(**extra):
    env = dict(os.environ, WINEPREFIX=PREFIX, WINEDEBUG="-all")
    env.update(extra)
    return env


def wineservers():
    """The pids of the wineservers serving PREFIX (wineprefix.servers)."""
    return set(wineprefix.servers(PREFIX))


def suite_env():
    env = wine_env(TH_SOURCE_DIR=SRC, TH_WIN_EXE=EXE,
                   TH_HOST=os.path.join(SRC, "tests", "windows", "wine_host.sh"))
    for k in ("TH_FAILPOINTS_BUILT", "TH_WRAPPER", "TH_FAILPOINT"):
        env.pop(k, None)
    return env


def run_unittest_file(path, only=None):
    """(child mode) run path's tests less EXCLUDED (only those named in `only`, Class.test
    ids, when given: a subset); print one 'counts' line."""
    sys.path.insert(0, os.path.dirname(path))
    spec = importlib.util.spec_from_file_location("suite_under_wine", path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod  # unittest finds setUpModule/tearDownModule through it
    spec.loader.exec_module(mod)
    loaded = unittest.defaultTestLoader.loadTestsFromModule(mod)
    keep, left, unpicked = unittest.TestSuite(), [], []

    def walk(s):
        for t in s:
            name = t.id().split(".", 1)[1] if not isinstance(t, unittest.TestSuite) else None
            if name is None:
                walk(t)
            elif name in EXCLUDED:
                left.append(name)
            elif only is not None and name not in only:
                unpicked.append(name)
            else:
                keep.addTest(t)
    walk(loaded)
    if only is not None and set(only) - {t.id().split(".", 1)[1] for t in keep}:
        print("no such test (or excluded): %s" % sorted(set(only) - set(
            t.id().split(".", 1)[1] for t in keep)))
        return 1
    r = unittest.TextTestRunner(verbosity=1).run(keep)
    bad = len(r.failures) + len(r.errors)
    print("counts: ran %d%s, failed %d, skipped %d, excluded %d" %
          (r.testsRun, " of %d" % (r.testsRun + len(unpicked)) if only is not None else "",
           bad, len(r.skipped), len(left)))
    return 1 if bad else 0


def run_tls():
    """(child mode) a send over HTTPS through Schannel: the fakes on https://localhost (curl
    7.88's Schannel matches DNS names only; tests/fakes/mkcerts.sh puts DNS:localhost in the
    server certificate) with ca_file the test CA as a Z: path: ok, note written; the same with
    a CA file that does not vouch for the server: refused, nothing sent. The option
    CURLSSLOPT_REVOKE_BEST_EFFORT (http.c, on Schannel) is what lets a private CA without a CRL
    pass revocation on real Windows; Wine does not check revocation, so it is not what this
    proves."""
    import json
    import tempfile
    sys.path.insert(0, os.path.join(SRC, "tests", "lib"))
    sys.path.insert(0, os.path.join(SRC, "tests", "fakes"))
    import fakectl
    import fakeworld
    import nmhost
    tmp = tempfile.mkdtemp(prefix="th-win-tls-")
    certs = os.path.join(tmp, "certs")
    subprocess.run(["sh", os.path.join(SRC, "tests", "fakes", "mkcerts.sh"), certs], check=True,
                   stdout=subprocess.DEVNULL)
    f = fakectl.start(fakeworld.SEED, os.path.join(tmp, "fakes"),
                      tls_cert=os.path.join(certs, "server.pem"),
                      tls_key=os.path.join(certs, "server.key"),
                      extra_args=["--random-seed", "1", "--max-seconds", "300"])
    failed = checks = 0
    try:
        for n, (ca, want_ok) in enumerate((("ca.pem", True), ("selfsigned.pem", False))):
            home = os.path.join(tmp, "home%d" % n)
            os.mkdir(home, 0o700)
            url = lambda s: f.url(s).replace("://127.0.0.1:", "://localhost:")  # noqa: E731
            doc = {"textus": {"token": fakeworld.TOKEN, "account": "acme",
                              "base_url": url("textus")},
                   "greenhouse": {"email": "alice@acme.example", "base_url": url("harvest"),
                                  "api_key": fakeworld.V1_KEY},
                   "settings": {"quiet_hours": "off", "timeout_ms": 5000,
                                "ca_file": "Z:" + os.path.join(certs, ca)}}
            env = dict(os.environ, TEXTUS_HOST_HOME=home)
            c = subprocess.run([os.environ["TH_HOST"], "configure", "--no-verify"],
                               input=json.dumps(doc).encode(), env=env, capture_output=True,
                               timeout=120)
            before = len(f.requests(server="textus"))
            reply, rc, _ = nmhost.one_shot(
                {"type": "send_sms", "request_id": "tls-%d" % n, "candidate_id": "1001",
                 "to": "+13035550123", "body": "over TLS %d" % n}, env={"TEXTUS_HOST_HOME": home})
            sent = [r for r in f.requests(server="textus")[before:] if r["method"] == "POST"]
            ok = (c.returncode == 0 and reply is not None and reply.get("ok") is want_ok and
                  (len(sent) == 1) is want_ok and
                  (want_ok or "not trusted" in reply["error"]["message"]))
            checks += 1
            failed += not ok
            print("%s - TLS send with ca_file %s: %s" % ("ok" if ok else "not ok", ca,
                                                        json.dumps(reply)[:300]))
    finally:
        f.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    print("counts: ran %d, failed %d, skipped 0, excluded 0" % (checks, failed))
    return 1 if failed else 0


def run_quiet():
    """(child mode) quiet hours on Windows answer as on Linux, from the zone table built into
    the host (host/quiet_zones.inc), not Windows' C runtime (which knows no IANA zones: the
    .exe before the table refused every send, "this system's C library has no IANA time
    zones"). Through textus-host.exe: a send to a Denver number under a window holding the
    current UTC hour but not Denver's is refused as quiet_hours with Denver's local time and
    the next_allowed zoneinfo gives; under a window holding Denver's hour it is sent; the
    local_time verb, for one number of every zone of the table, gives zoneinfo's wall clock.
    Then tests/quiet/test_quiet_zones.py --wine: quiet_tz_dump.exe (quiet.c built for
    Windows) against zoneinfo around every daylight-saving change of 2020-2059."""
    import datetime
    import json
    from zoneinfo import ZoneInfo
    sys.path.insert(0, os.path.join(SRC, "tests", "lib"))
    import fakeworld
    import nmhost
    failed = checks = 0

    def verdict(ok, what):
        nonlocal failed, checks
        checks += 1
        failed += not ok
        print("%s - %s" % ("ok" if ok else "not ok", what))

    def hm(zone, t):
        return datetime.datetime.fromtimestamp(t, ZoneInfo(zone)).strftime("%H:%M")

    def window_of(hour):
        return "%02d:00-%02d:00" % (hour, hour + 1) if hour < 23 else "23:00-23:59"

    wait = 3600 - int(time.time()) % 3600
    if wait < 120:  # an hour (a window edge) ends within the next sends: start after it
        time.sleep(wait + 2)
    t0 = int(time.time())
    denver_hour = datetime.datetime.fromtimestamp(t0, ZoneInfo("America/Denver")).hour
    utc_hour = time.gmtime(t0).tm_hour
    # Denver is 6 or 7 hours behind UTC: the UTC hour's window never holds Denver's hour
    for window, want_ok in ((window_of(utc_hour), False), (window_of(denver_hour), True)):
        class World(fakeworld.FakeWorld):
            SETTINGS = {"timeout_ms": 3000, "connect_timeout_ms": 2000, "quiet_hours": window}
        w = World("v1", prefix="th-win-quiet-")
        req = {"type": "send_sms", "request_id": "quiet-%d" % checks, "candidate_id": "1001",
               "to": "+13035550123", "body": "quiet?"}
        try:
            before = int(time.time())
            r = w.one_shot(req)
            after = int(time.time())
            n = len(w.messages())
        finally:
            w.close()
        ok = r is not None and r.get("ok") is want_ok and n == (1 if want_ok else 0)
        if ok and not want_ok:
            err = r["error"]
            # the next instant Denver's wall clock reads the window's start, from zoneinfo
            start = int(window.split(":")[0])
            nxt = next(t for t in range(before - before % 60, before + 2 * 86400, 60)
                       if datetime.datetime.fromtimestamp(t, ZoneInfo("America/Denver")).hour
                       == start and t >= before)
            ok = (err.get("code") == "quiet_hours" and
                  err.get("time_zone") == "America/Denver" and
                  err.get("local_time") in (hm("America/Denver", before),
                                            hm("America/Denver", after)) and
                  err.get("next_allowed") == time.strftime("%Y-%m-%dT%H:%M:%SZ",
                                                           time.gmtime(nxt)))
        verdict(ok, "send to +1 303 (America/Denver), quiet_hours %s (UTC hour %02d, Denver's "
                "%02d): %s" % (window, utc_hour, denver_hour, json.dumps(r)[:400]))

    # local_time for one number of every zone of the table, one host process (Chrome's way)
    with open(os.path.join(SRC, "host", "quiet_tz.inc"), encoding="utf-8") as f:
        inc = f.read()
    names = re.findall(r'"([^"]+)"', re.search(r"quiet_tz_names\[\d+\] = \{(.*?)\};", inc,
                                               re.S).group(1))
    entries = sorted(((prefix, [names[int(i)] for i in idx.split(",")]) for prefix, idx in
                      re.findall(r'\{"(\d+)", \d, \{([\d, ]+)\}\}', inc)),
                     key=lambda e: (len(e[0]), e[0]))

    class Plain(fakeworld.FakeWorld):
        SETTINGS = {"timeout_ms": 3000, "connect_timeout_ms": 2000}
    w = Plain("v1", prefix="th-win-quiet-lt-")
    h = nmhost.Host(env=w.env)
    bad, seen, asked = [], set(), 0
    try:
        for prefix, zones in entries:  # a number for each zone not seen yet
            if set(zones) <= seen:
                continue
            number = "+" + (prefix + "5550123")[:11]
            before = int(time.time())
            r = h.request({"type": "local_time", "request_id": "lt-%d" % asked, "to": number})
            after = int(time.time())
            asked += 1
            got = (r or {}).get("result", {}).get("time_zones") or []
            if not (r and r.get("ok") and got):
                bad.append("%s: %s" % (number, json.dumps(r)[:300]))
                if len(bad) >= 10:
                    break  # (the .exe before the zone table refused every one)
            for z in got:
                seen.add(z.get("zone"))
                if z.get("local_time") not in (hm(z["zone"], before), hm(z["zone"], after)):
                    bad.append("%s %s: %s, zoneinfo %s" % (number, z["zone"], z.get("local_time"),
                                                           hm(z["zone"], before)))
    finally:
        h.close()
        w.close()
    verdict(not bad and seen == set(names),
            "local_time (%d numbers, one host) in %d of the table's %d zones agrees with "
            "zoneinfo%s" % (asked, len(seen & set(names)), len(names),
                            "".join("\n    " + b for b in bad[:10])))

    # quiet.c built for Windows against zoneinfo at every change of 2020-2059 (17,000 instants)
    p = subprocess.run([sys.executable, os.path.join(SRC, "tests", "quiet", "test_quiet_zones.py"),
                        "--wine", WINE, os.path.join(WIN, "host", "quiet_tz_dump.exe")],
                       capture_output=True, text=True, timeout=600)
    sys.stdout.write(p.stdout[-3000:] + p.stderr[-2000:])
    verdict(p.returncode == 0, "tests/quiet/test_quiet_zones.py --wine quiet_tz_dump.exe")
    print("counts: ran %d, failed %d, skipped 0, excluded 0" % (checks, failed))
    return 1 if failed else 0


# the suites of each --group (ctest windows_suites, windows_suites_attacks,
# windows_suites_compose), by their names in main()'s list
GROUPS = {
    "core": ("protocol", "store_cli", "send (v1, v3)", "TLS (Schannel, CA file)",
             "quiet hours (zone table)", "conversation (v1, v3)"),
    "attacks": ("hardening", "attacks", "malformed frames"),
    "compose": ("outbox: the lease (faketime)", "outbox list/flush/dismiss",
                "compose: saved replies", "compose: inbox (v1, v3)",
                "compose: quiet hours, schedules (faketime)", "compose: bulk send/status/cancel"),
}


def have_tools():
    return (os.path.exists(WINE) and shutil.which("x86_64-w64-mingw32-gcc") and
            shutil.which("wineserver") and
            os.path.exists(os.path.join(WIN, "deps", "lib", "libcjson.a")))


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--unittest":
        return run_unittest_file(sys.argv[2])
    if len(sys.argv) == 5 and sys.argv[1] == "--unittest" and sys.argv[3] == "--only":
        return run_unittest_file(sys.argv[2], sys.argv[4].split(","))
    if len(sys.argv) == 2 and sys.argv[1] == "--tls":
        return run_tls()
    if len(sys.argv) == 2 and sys.argv[1] == "--quiet":
        return run_quiet()
    # --group NAME: one of GROUPS (a ctest entry each, so that CI's one retry of a failed
    # Windows test runs that group again, not every suite); none: all of them
    group = None
    if len(sys.argv) == 3 and sys.argv[1] == "--group" and sys.argv[2] in GROUPS:
        group = sys.argv[2]
    elif len(sys.argv) != 1:
        print("usage: run_suites.py [--group %s]" % "|".join(GROUPS), file=sys.stderr)
        return 2
    if not have_tools():
        print("SKIP: mingw-w64, Wine or build-win/deps is missing "
              "(scripts/bootstrap.sh --windows; scripts/build-windows.sh deps)")
        return 77
    t0 = time.time()
    failed_build = wineprefix.build_host()
    if failed_build:
        print(failed_build)
        return 1
    print("# textus-host.exe built (or up to date) in %.1f s" % (time.time() - t0))
    with open(WINE_LOG, "ab") as log:  # one persistent server (tests/windows/wineprefix.py)
        print("# persistent wineserver %d for %s" %
              (wineprefix.start_persistent(WINE, PREFIX, log, wine_env()), PREFIX))
    env = suite_env()
    me = os.path.abspath(__file__)
    suites = [
        ("protocol", [sys.executable, me, "--unittest",
                      os.path.join(SRC, "tests", "protocol", "test_protocol.py")], {}),
        ("store_cli", [sys.executable, me, "--unittest",
                       os.path.join(SRC, "tests", "store", "test_store_cli.py")], {}),
        ("send (v1, v3)", [sys.executable, os.path.join(SRC, "tests", "send", "test_send.py")],
         {"TH_SEND_SCENARIOS": SEND_SCENARIOS}),
        ("TLS (Schannel, CA file)", [sys.executable, me, "--tls"], {}),
        ("quiet hours (zone table)", [sys.executable, me, "--quiet"], {}),
        ("conversation (v1, v3)",
         [sys.executable, os.path.join(SRC, "tests", "conversation", "test_conversation.py")], {}),
        ("hardening", [sys.executable, me, "--unittest",
                       os.path.join(SRC, "tests", "protocol", "test_hardening.py")], {}),
        ("attacks", [sys.executable, me, "--unittest",
                     os.path.join(SRC, "tests", "reliability", "attacks.py")], {}),
        ("malformed frames", [sys.executable, me, "--unittest",
                              os.path.join(SRC, "tests", "reliability", "malformed.py")], {}),
        ("outbox: the lease (faketime)", [sys.executable, me, "--unittest",
                                          os.path.join(SRC, "tests", "send", "test_lease.py")],
         {}),
        ("outbox list/flush/dismiss", [sys.executable, me, "--unittest",
                                       os.path.join(SRC, "tests", "install",
                                                    "test_doctor_online.py"),
                                       "--only", OUTBOX_CLI], {}),
        ("compose: saved replies", [sys.executable, me, "--unittest",
                                    os.path.join(SRC, "tests", "send", "test_saved_replies.py")],
         {}),
        ("compose: inbox (v1, v3)",
         [sys.executable, os.path.join(SRC, "tests", "conversation", "test_inbox.py")], {}),
        ("compose: quiet hours, schedules (faketime)",
         [sys.executable, me, "--unittest", os.path.join(SRC, "tests", "send", "test_quiet.py")],
         {}),
        ("compose: bulk send/status/cancel",
         [sys.executable, os.path.join(SRC, "tests", "send", "test_bulk.py")], {}),
    ]
    if group:
        suites = [x for x in suites if x[0] in GROUPS[group]]
    results, failed = [], 0
    # a host alive when its wineserver goes away ends with exit 0 and nothing on stdout or
    # stderr (a one-shot host then "ended without a reply"): say so when it happened here
    servers = wineservers()
    try:
        for name, cmd, extra in suites:
            t = time.time()
            r = subprocess.run(cmd, env=dict(env, **extra), capture_output=True, text=True,
                               timeout=900)
            out = r.stdout + r.stderr
            m = re.search(r"counts: (.*)", out)
            if m:
                what = m.group(1)
            else:
                rows = len([ln for ln in r.stdout.splitlines()
                            if ln.startswith("| ") and not ln.startswith(("| scenario", "| ---"))])
                m = re.search(r"(\d+) checks failed", out)
                what = "%d scenario rows, %s checks failed" % (rows, m.group(1) if m else "?")
            ok = r.returncode == 0
            failed += not ok
            results.append((name, "ok" if ok else "FAILED", what, time.time() - t))
            if not ok:
                sys.stdout.write(out[-6000:])
            for ln in out.splitlines():  # Wine's kill after a whole reply (fakeworld.req)
                if ln.startswith("WINE: "):
                    print("# %s: %s" % (name, ln))
            now = wineservers()
            if now != servers:
                print("# the wineserver of %s changed during the %s suite (pids %s, now %s): "
                      "a host alive at that moment ends with exit 0 and no output" %
                      (PREFIX, name, sorted(servers) or "none", sorted(now) or "none"))
                servers = now
    finally:
        with open(WINE_LOG, "ab") as log:
            subprocess.run(["wineserver", "-k"], stdout=log, stderr=log, env=wine_env(),
                           timeout=60)
    print("\n| suite under Wine | result | counts | seconds |\n| --- | --- | --- | --- |")
    for name, res, what, secs in results:
        print("| %s | %s | %s | %.0f |" % (name, res, what, secs))
    print("\nexcluded under Wine, and why:")
    for k, v in sorted(EXCLUDED.items()):
        print("  %s: %s" % (k, v))
    print("# %d suite(s) failed; %.0f s in all" % (failed, time.time() - t0))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
