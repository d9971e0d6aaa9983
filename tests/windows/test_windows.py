#!/usr/bin/env python3
"""The Windows build (issue P) under Wine: textus-host.exe, cross-built by
scripts/build-windows.sh, answers native-messaging frames on Windows pipes.

- ping, and the whole extract_phone corpus (tests/fixtures/profiles) over one port;
- frames in binary mode: lengths whose bytes hold 0x1A (end of file to a text-mode
  stdin), 0x0A and 0x0D (turned into 0x0D 0x0A by a text-mode stdout), bodies padded with
  raw CR LF; with the negative control: the same frames break echo_host.exe, a bare C host
  built the same way but without _setmode (so the test can tell);
- replies whose length holds 0x0A / 0x0D / 0x1A come back byte-exact;
- the engine and store are linked into the .exe: status answers from them;
- a started frame that stalls ends the host with exit 3 (os_wait_readable's pipe polling);
- the opt-in log (os_open_file) is written;
- the executable excludes itself from Windows Error Reporting (os_harden_process);
- host/os.h's own checks (tests/windows/os_check.c) against os_win.c;
- THIRD-PARTY-NOTICES is what the pinned source packages' licence files make;
- the command line's options through getopt_long as mingw-w64 has it (--to=X and --to X);
- doctor's fixes are whole PowerShell commands naming the running .exe by its full path
  where PATH does not run it, the bare `textus-host` where it does; doctor's PATH check.

Wine is run as /work/shared/reference/windows-build.md says: WINEDEBUG=-all, a prefix in
build-win/wine, one persistent `wineserver -p` whose output (and every Wine process's own
stderr noise) goes to build-win/wine.log, never to a pipe the test runner waits on, and
`wineserver -k` at the end. Skipped (exit 77) where mingw-w64 or Wine is missing, or
build-win/deps has not been built (scripts/build-windows.sh deps, ~5 min once); the
executable itself is (re)built here, incrementally (scripts/build-windows.sh host).
"""
import glob
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import wineprefix  # noqa: E402
from wineprefix import EXE, PREFIX, SRC, WIN, WINE, WINE_LOG  # noqa: E402
ECHO = os.path.join(WIN, "host", "echo_host.exe")
RELAY = os.path.join(WIN, "host", "pipe_relay.exe")
ORIGIN = "chrome-extension://hfboccpnppdfmcdbjjgmobnhljkkmjji/"


def wine_env(**extra):
    env = dict(os.environ, WINEPREFIX=PREFIX, WINEDEBUG="-all")
    env.update(extra)
    return env


def frame(body):
    if not isinstance(body, bytes):
        body = json.dumps(body).encode()
    return struct.pack("=I", len(body)) + body


def replies(data):
    out = []
    while len(data) >= 4:
        (n,) = struct.unpack("=I", data[:4])
        if len(data) < 4 + n:
            raise AssertionError("a truncated reply frame (%d of %d bytes)" % (len(data) - 4, n))
        out.append(json.loads(data[4:4 + n].decode()))
        data = data[4 + n:]
    if data:
        raise AssertionError("%d stray bytes after the last frame: %r" % (len(data), data[:40]))
    return out


def padded_ping(rid, length):
    """A ping request of exactly `length` bytes: JSON padded with raw CR LF whitespace."""
    body = json.dumps({"id": rid, "type": "ping"}, separators=(",", ":")).encode()
    pad = length - len(body)
    assert pad >= 0
    return body[:-1] + (b"\r\n" * (pad // 2)) + (b" " * (pad % 2)) + body[-1:]


def command(exe, args=(ORIGIN,), relay=False):
    """Under Wine the test's pipes are Unix pipes (the host's reader thread serves them);
    relay=True puts the host on Windows anonymous pipes, as Chrome does (PeekNamedPipe)."""
    if relay:
        return [WINE, RELAY, exe] + list(args)
    return [WINE, exe] + list(args)


def run_exe(exe, stdin, args=(ORIGIN,), timeout=120, env=None, relay=False):
    with open(WINE_LOG, "ab") as log:
        return subprocess.run(command(exe, args, relay), input=stdin, stdout=subprocess.PIPE,
                              stderr=log, env=env or wine_env(), timeout=timeout)


POSIX_WORDS = ("install.sh", "chmod", "sudo", "~/", "/usr", "/etc", "/home", "scripts/")


def check_fix(test, fix, exe_win, on_path=False):
    """A fix doctor prints on Windows: a whole PowerShell sentence. No POSIX tool or path;
    nothing cut: brackets and double quotes balanced, no dangling end. The host's commands:
    where PATH does not run this .exe (on_path False), never a bare `textus-host <command>`
    (PowerShell would not find it) but the .exe in full, `& '<exe_win>'` (single quotes: nothing in the path expanded); where PATH runs it
    (an .msi or `install` put its folder there), the bare name, as every message says it."""
    for w in POSIX_WORDS:
        test.assertNotIn(w, fix)
    if on_path:
        test.assertNotIn("& '%s'" % exe_win, fix)
        return check_whole(test, fix)
    test.assertIsNone(re.search(r'(^|[\s(|`])textus-host [a-z]', fix), fix)
    check_whole(test, fix)
    if "textus-host.exe" in fix and "msiexec" not in fix and "Remove-Item" not in fix:
        test.assertIn("& '%s' " % exe_win, fix)


def check_whole(test, fix):
    for a, b in ("()", "[]", "{}", "<>"):
        test.assertEqual(fix.count(a), fix.count(b), (a + b, fix))
    test.assertEqual(fix.count('"') % 2, 0, fix)
    test.assertFalse(fix.endswith((" ", ",", "(", ":", "<")), fix)


class Windows(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        failed_build = wineprefix.build_host()
        if failed_build:
            raise AssertionError(failed_build)
        with open(WINE_LOG, "ab") as log:  # one persistent server (wineprefix.py says why)
            wineprefix.start_persistent(WINE, PREFIX, log, wine_env())

    @classmethod
    def tearDownClass(cls):
        with open(WINE_LOG, "ab") as log:
            subprocess.run(["wineserver", "-k"], stdout=log, stderr=log, env=wine_env(),
                           timeout=60)

    def test_ping(self):
        for relay in (False, True):
            with self.subTest(windows_pipes=relay):
                p = run_exe(EXE, frame({"id": 1, "type": "ping"}), relay=relay)
                self.assertEqual(p.returncode, 0)
                (r,) = replies(p.stdout)
                self.assertEqual(r["id"], 1)
                self.assertTrue(r["ok"], r)
                self.assertEqual(r["result"]["protocol"], 1)

    def test_binary_frames_and_the_negative_control(self):
        # 0x1A, 0x0A0D and 0x0D0A1A: each length byte is one text mode would mangle
        lengths = (0x1A, 0x0A0D, 0x0D0A1A)
        stdin = b"".join(frame(padded_ping(i, n)) for i, n in enumerate(lengths))
        for relay in (False, True):
            with self.subTest(windows_pipes=relay):
                p = run_exe(EXE, stdin, relay=relay)
                self.assertEqual(p.returncode, 0, "textus-host.exe exit code")
                got = replies(p.stdout)
                self.assertEqual([r["id"] for r in got], list(range(len(lengths))))
                self.assertTrue(all(r["ok"] for r in got), got)
        # negative control: a host without _setmode reads 0x1A as end of file, so it answers
        # no frame at all (or a damaged one); if it answered all three, these frames would
        # prove nothing about binary mode
        e = run_exe(ECHO, stdin, args=())
        try:
            answered = len(replies(e.stdout))
        except (AssertionError, ValueError):
            answered = -1
        self.assertNotEqual(answered, len(lengths),
                            "echo_host.exe (text mode) answered every frame: the frames do not "
                            "exercise binary mode")

    def test_reply_lengths_with_newline_bytes(self):
        (base,) = replies(run_exe(EXE, frame({"id": "", "type": "ping"})).stdout)
        base_len = len(json.dumps(base, separators=(",", ":")).encode())
        ids, want = [], []
        for target in (0x10A, 0x10D, 0x11A):
            rid = "x" * (target - base_len)
            ids.append(rid)
            want.append(target)
        p = run_exe(EXE, b"".join(frame({"id": i, "type": "ping"}) for i in ids))
        self.assertEqual(p.returncode, 0)
        data, lens = p.stdout, []
        while data:
            (n,) = struct.unpack("=I", data[:4])
            lens.append(n)
            data = data[4 + n:]
        self.assertEqual(lens, want, "reply lengths (a text-mode stdout would add 0x0D bytes)")
        self.assertEqual([r["id"] for r in replies(p.stdout)], ids)

    def test_extract_phone_corpus(self):
        fixtures = []
        for path in sorted(glob.glob(os.path.join(SRC, "tests", "fixtures", "profiles",
                                                  "*.json"))):
            with open(path, encoding="utf-8") as f:
                fixtures.append((os.path.basename(path), json.load(f)))
        self.assertGreaterEqual(len(fixtures), 80)
        stdin = b"".join(frame({"id": name, "type": "extract_phone", "profile": fx["profile"]})
                         for name, fx in fixtures)
        home = tempfile.mkdtemp(prefix="th-win-")
        try:
            p = run_exe(EXE, stdin, env=wine_env(TEXTUS_HOST_HOME=home))
        finally:
            shutil.rmtree(home, ignore_errors=True)
        self.assertEqual(p.returncode, 0)
        got = replies(p.stdout)
        self.assertEqual(len(got), len(fixtures))
        for (name, fx), r in zip(fixtures, got):
            with self.subTest(profile=name):
                self.assertEqual(r["id"], name)
                exp = fx["expect"]
                if "result" in exp:
                    self.assertTrue(r["ok"], r)
                    self.assertEqual(r["result"], exp["result"])
                else:
                    self.assertFalse(r["ok"])
                    self.assertEqual(r["error"]["code"], exp["error"])

    def test_engine_is_linked_in(self):
        """The engine and the store are inside the .exe (TH_ENGINE_LINKED): status answers
        from them, in %LOCALAPPDATA% by default and in TEXTUS_HOST_HOME when set (a Windows
        path: a bare /tmp/... is not absolute there and is refused)."""
        p = run_exe(EXE, frame({"id": 7, "type": "status"}))
        self.assertEqual(p.returncode, 0)
        (r,) = replies(p.stdout)
        self.assertTrue(r["ok"], r)
        self.assertIn("configured", r["result"])  # the prefix's own state: either way
        self.assertRegex(r["result"]["paths"]["config_dir"], r"^C:\\users\\.*\\AppData\\Local\\textus-host$")
        self.assertRegex(r["result"]["paths"]["data_dir"],
                         r"^C:\\users\\.*\\AppData\\Local\\textus-host-data$")
        home = tempfile.mkdtemp(prefix="th-win-")
        try:
            p = run_exe(EXE, frame({"id": 8, "type": "status"}) + frame({"id": 9, "type": "status"}),
                        env=wine_env(TEXTUS_HOST_HOME="Z:" + home))
            bad = run_exe(EXE, frame({"id": 10, "type": "status"}),
                          env=wine_env(TEXTUS_HOST_HOME=home))
        finally:
            shutil.rmtree(home, ignore_errors=True)
        for r in replies(p.stdout):
            self.assertTrue(r["ok"], r)
            self.assertFalse(r["result"]["configured"])
            self.assertEqual(r["result"]["paths"]["store"], "Z:" + home + "\\credentials.store")
        (r,) = replies(bad.stdout)
        self.assertFalse(r["ok"], r)
        self.assertIn("absolute", r["error"]["message"])

    def test_store_key_is_wrapped_with_dpapi(self):
        """store.c wraps the key with os_protect_key: on Windows the key file is version 2,
        the magic then a DPAPI blob (CryptProtectData, user scope), never the raw 32-byte key
        of version 1 (what Linux writes, its 0600 mode the protection); the store still opens,
        and after a rekey too. (Wine's DPAPI key derives from the user name and a constant: this
        proves the calls and the format, not the protection.)"""
        home = tempfile.mkdtemp(prefix="th-win-key-")
        doc = {"textus": {"token": "tok_win_FAKE_0001", "account": "acme",
                          "base_url": "http://127.0.0.1:9"},
               "greenhouse": {"email": "alice@acme.example", "base_url": "http://127.0.0.1:9",
                              "api_key": "hvk_win_FAKE_0001"},
               "settings": {"quiet_hours": "off"}}
        env = wine_env(TEXTUS_HOST_HOME="Z:" + home)
        try:
            with open(WINE_LOG, "ab") as log:
                c = subprocess.run([WINE, EXE, "configure", "--no-verify"],
                                   input=json.dumps(doc).encode(), stdout=subprocess.PIPE,
                                   stderr=log, env=env, timeout=120)
            self.assertEqual(c.returncode, 0, c.stdout[-500:])
            with open(os.path.join(home, "store.key"), "rb") as f:
                key = f.read()
            self.assertEqual(key[:4], b"TXHK")
            self.assertEqual(key[4:8], b"\x02\x00\x00\x00", "a version-2 (wrapped) key file")
            self.assertGreater(len(key), 8 + 32 + 16, "a DPAPI blob, not the raw key")
            for rekey in (False, True):
                if rekey:
                    with open(WINE_LOG, "ab") as log:
                        r = subprocess.run([WINE, EXE, "rekey"], stdout=subprocess.PIPE,
                                           stderr=log, env=env, timeout=120)
                    self.assertEqual(r.returncode, 0, r.stdout[-500:])
                    with open(os.path.join(home, "store.key"), "rb") as f:
                        key2 = f.read()
                    self.assertEqual(key2[:8], b"TXHK\x02\x00\x00\x00")
                    self.assertNotEqual(key2, key, "rekey wrote a new wrapped key")
                (st,) = replies(run_exe(EXE, frame({"id": 1, "type": "status"}), env=env).stdout)
                self.assertTrue(st["ok"] and st["result"]["configured"], st)
        finally:
            shutil.rmtree(home, ignore_errors=True)

    def test_stalled_frame_ends_with_exit_3(self):
        for relay in (False, True):
            with self.subTest(windows_pipes=relay):
                self.stall(relay)

    def stall(self, relay):
        # a header for 100 bytes, then 10, then nothing while the pipe stays open
        env = wine_env(TEXTUS_HOST_STALL_TIMEOUT_MS="700")
        with open(WINE_LOG, "ab") as log:
            proc = subprocess.Popen(command(EXE, relay=relay), stdin=subprocess.PIPE,
                                    stdout=subprocess.PIPE, stderr=log, env=env)
            proc.stdin.write(struct.pack("=I", 100) + b'{"id":1,"t')
            proc.stdin.flush()
            t0 = time.monotonic()
            try:
                rc = proc.wait(timeout=60)
            finally:
                if proc.poll() is None:
                    proc.kill()
            waited = time.monotonic() - t0
            out = proc.stdout.read()
            proc.stdin.close()
            proc.stdout.close()
        self.assertEqual(rc, 3, "a stalled frame ends the host with exit 3")
        self.assertEqual(out, b"", "the partial request is not answered")
        self.assertGreaterEqual(waited, 0.6, "it waited for the stall timeout first")

    def test_log_file(self):
        d = tempfile.mkdtemp(prefix="th-win-log-")
        try:
            log = os.path.join(d, "host.log")
            p = run_exe(EXE, frame({"id": 1, "type": "ping"}),
                        env=wine_env(TEXTUS_HOST_LOG="Z:" + log.replace("/", "\\")))
            self.assertEqual(p.returncode, 0)
            with open(log, encoding="utf-8") as f:
                text = f.read()
            self.assertRegex(text, r"\[\d+\] start ")
            self.assertIn("request type=ping", text)
            self.assertIn("exit code=0", text)
        finally:
            shutil.rmtree(d, ignore_errors=True)

    def test_wer_exclusion_written(self):
        """os_harden_process: the Windows Error Reporting exclusion of this executable (the
        value WerAddExcludedApplication writes), written at start when missing."""
        key = r"HKCU\Software\Microsoft\Windows\Windows Error Reporting\ExcludedApplications"

        def reg(*args):
            with open(WINE_LOG, "ab") as log:
                return subprocess.run([WINE, "reg"] + list(args), stdin=subprocess.DEVNULL,
                                      stdout=subprocess.PIPE, stderr=log, env=wine_env(),
                                      timeout=120)

        reg("delete", key, "/v", "textus-host.exe", "/f")
        self.assertNotEqual(reg("query", key, "/v", "textus-host.exe").returncode, 0,
                            "the value is gone before the run")
        self.assertEqual(run_exe(EXE, frame({"id": 1, "type": "ping"})).returncode, 0)
        q = reg("query", key, "/v", "textus-host.exe")
        self.assertEqual(q.returncode, 0, "no WER exclusion after a run")
        self.assertRegex(q.stdout.decode(errors="replace"), r"REG_DWORD\s+0x1")

    def test_os_layer(self):
        """tests/windows/os_check.c against os_win.c: the same checks os_layer runs on Linux
        (files, owner-only DACLs, LockFileEx, MoveFileExW, folders, UTF-8 environment, a child
        on Windows pipes, a wait that times out)."""
        with open(WINE_LOG, "ab") as log:
            p = subprocess.run([sys.executable, os.path.join(SRC, "tests", "windows",
                                                             "run_os_check.py"),
                                "--wine", WINE, os.path.join(WIN, "host", "os_check.exe"), ECHO],
                               stdout=subprocess.PIPE, stderr=log, env=wine_env(), timeout=300)
        out = p.stdout.decode("utf-8", "replace")
        for line in out.splitlines():
            if "# SKIP" in line:
                sys.stdout.write("os_check.exe under Wine: %s\n" % line)
        self.assertIn("# os_check on Windows", out)
        self.assertEqual(p.returncode, 0, out)
        self.assertNotIn("not ok", out)

    def test_third_party_notices_match_the_sources(self):
        """THIRD-PARTY-NOTICES is what `build-windows.sh notices` makes from the pinned
        source packages: a version bump without regenerating it fails here."""
        with tempfile.TemporaryDirectory() as d:
            out = os.path.join(d, "notices")
            p = subprocess.run([os.path.join(SRC, "scripts", "build-windows.sh"), "notices", out],
                               capture_output=True, text=True, timeout=600,
                               env=dict(os.environ, TH_WIN_DIR=WIN))
            self.assertEqual(p.returncode, 0, p.stderr)
            with open(out, encoding="utf-8") as f:
                made = f.read()
        with open(os.path.join(SRC, "THIRD-PARTY-NOTICES"), encoding="utf-8") as f:
            committed = f.read()
        self.assertEqual(committed, made, "regenerate: scripts/build-windows.sh notices")
        for words in ("Daniel Stenberg", "ISC", "Dave Gamble", "May you do good"):
            self.assertIn(words, committed)

    def run_cli(self, *args, env=None):
        """The exe with args: (exit code, stdout, stderr); stderr through a file, never a pipe
        Wine's services could hold."""
        with tempfile.TemporaryFile() as err:
            p = subprocess.run(command(EXE, args), stdin=subprocess.DEVNULL,
                               stdout=subprocess.PIPE, stderr=err, env=env or wine_env(),
                               timeout=180)
            err.seek(0)
            return (p.returncode, p.stdout.decode("utf-8", "replace"),
                    err.read().decode("utf-8", "replace"))

    def test_cli_options_through_getopt_long(self):
        """cli_parse's getopt_long is mingw-w64's here: the same options, the same words."""
        want = "not '3035550123' (did you mean +13035550123?)"
        a = self.run_cli("send", "--candidate", "1", "--to", "3035550123")
        b = self.run_cli("send", "--candidate=1", "--to=3035550123")
        self.assertEqual(a[0], 2, a)
        self.assertIn(want, a[2])
        self.assertEqual(a, b)
        for args, text in ((["send", "--candiate", "1"], "unknown option '--candiate' (did you "
                                                         "mean --candidate?)"),
                           (["send", "--cand", "1"], "unknown option '--cand'"),
                           (["bulk", "--candidates"], "a value is missing after '--candidates'"),
                           (["conversation", "--to=+13035550123", "--to", "+13035550124"],
                            "--to is given twice"),
                           (["conversation", "--to", "+13035550123", "--", "--json"],
                            "unexpected argument '--json'")):
            rc, out, err = self.run_cli(*args)
            self.assertEqual(rc, 2, (args, err))
            self.assertIn(text, err, args)
        # one run after another in the same process image: optind starts again each time
        rc, out, err = self.run_cli("help", "send")
        self.assertEqual(rc, 0, err)
        self.assertIn("  --to-unlisted ", out)

    def test_doctor_fixes_are_whole_powershell_commands(self):
        """A fresh state folder: every fix is a PowerShell command naming this .exe in full
        (`& 'Z:\\...\\textus-host.exe' configure`), never a bare textus-host, never cut."""
        exe_win = "Z:" + os.path.abspath(EXE).replace("/", "\\")
        with tempfile.TemporaryDirectory() as d:
            env = wine_env(TEXTUS_HOST_HOME="Z:" + d.replace("/", "\\"))
            rc, out, err = self.run_cli("doctor", "--json", "--offline", env=env)
        doc = json.loads(out)
        fixes = [c["fix"] for c in doc["checks"] if c.get("fix")]
        self.assertTrue(fixes, doc)
        for fix in fixes:
            check_fix(self, fix, exe_win)
        # the configuration's fix: configure, through the .exe by its full path
        self.assertTrue([f for f in fixes if "& '%s' configure" % exe_win in f], fixes)

    def test_usage_and_not_configured_name_the_exe(self):
        """A usage error's "see ... --help" and "nothing is configured yet: run ... configure"
        (bulk --status, inbox) name this .exe as PowerShell runs it, never a bare textus-host
        (a second review: `see textus-host bulk --help` on Windows, where no textus-host is on
        PATH)."""
        exe_win = "Z:" + os.path.abspath(EXE).replace("/", "\\")
        rc, out, err = self.run_cli("bulk", "--job", "x1")
        self.assertEqual(rc, 2, err)
        self.assertIn("see & '%s' bulk --help" % exe_win, err)
        rc, out, err = self.run_cli("nosuchcommand")
        self.assertEqual(rc, 2, err)
        self.assertIn("see & '%s' --help" % exe_win, err)
        with tempfile.TemporaryDirectory() as d:
            env = wine_env(TEXTUS_HOST_HOME="Z:" + d.replace("/", "\\"))
            for args in (["bulk", "--status", "r1"], ["inbox"]):
                rc, out, err = self.run_cli(*args, env=env)
                self.assertEqual(rc, 1, (args, err))
                self.assertIn("nothing is configured yet: run & '%s' configure" % exe_win, err,
                              args)
                self.assertNotIn("not_configured", err, args)

    def test_on_path_or_not(self):
        """Issue P: the host's messages say `textus-host <command>`. Where PATH runs this .exe
        (WINEPATH stands for the folder an .msi or `install` put on PATH), the CLI says the
        same words and doctor's PATH check is ok; where PATH has no textus-host, the CLI names
        the .exe in full and doctor warns, with a whole PowerShell fix; where PATH runs another
        copy, doctor names it (before: no PATH check, and always the full path)."""
        exe_win = "Z:" + os.path.abspath(EXE).replace("/", "\\")
        folder = exe_win[:exe_win.rindex("\\")]
        with tempfile.TemporaryDirectory() as d:
            home = "Z:" + d.replace("/", "\\")
            rc, out, err = self.run_cli("bulk", "--job", "x1",
                                        env=wine_env(WINEPATH=folder, TEXTUS_HOST_HOME=home))
            self.assertEqual(rc, 2, err)
            self.assertIn("see textus-host bulk --help", err)
            self.assertNotIn("& '", err)
            rc, out, err = self.run_cli("inbox", env=wine_env(WINEPATH=folder,
                                                              TEXTUS_HOST_HOME=home))
            self.assertIn("nothing is configured yet: run textus-host configure", err)

            def path_check(env):
                rc, out, err = self.run_cli("doctor", "--json", "--offline", env=env)
                doc = json.loads(out)
                (c,) = [c for c in doc["checks"] if c["subject"] == "textus-host on PATH"]
                return c, doc
            c, doc = path_check(wine_env(WINEPATH=folder, TEXTUS_HOST_HOME=home))
            self.assertEqual(c["status"], "ok", c)
            self.assertIn("runs this one (%s)" % exe_win, c["message"])
            for f in [c["fix"] for c in doc["checks"] if c.get("fix")]:
                check_fix(self, f, exe_win, on_path=True)
            self.assertTrue([c for c in doc["checks"] if "textus-host configure" in
                             c.get("fix", "")], doc)

            c, doc = path_check(wine_env(TEXTUS_HOST_HOME=home))
            self.assertEqual(c["status"], "warn", c)
            self.assertIn("runs nothing", c["message"])
            self.assertIn("& '%s' install (it adds %s to your PATH)" % (exe_win, folder),
                          c["fix"])
            self.assertIn("open a new terminal", c["fix"])
            check_fix(self, c["fix"], exe_win)

            other = os.path.join(d, "older")
            os.makedirs(other)
            shutil.copy(EXE, os.path.join(other, "textus-host.exe"))
            other_win = home + "\\older"
            c, doc = path_check(wine_env(WINEPATH=other_win, TEXTUS_HOST_HOME=home))
            self.assertEqual(c["status"], "warn", c)
            self.assertIn("runs %s\\textus-host.exe, not this one (%s)" % (other_win, exe_win),
                          c["message"])
            # WINEPATH alone has it (no PATH setting): this terminal's, with a whole command
            self.assertIn("%s is on this terminal's PATH only" % other_win, c["fix"])
            self.assertIn("Remove-Item '%s\\textus-host.exe'" % other_win, c["fix"])
            check_fix(self, c["fix"], exe_win)

    def test_powershell_specials_in_a_path_stay_text(self):
        """A path put into a PowerShell command is single-quoted, each ' doubled: a folder
        named a$(calc)b'q (the .exe's) or h$(calc) (the state folder) runs nothing. Before:
        `& "Z:\\...\\a$(calc)b'q\\textus-host.exe" install` and `icacls "...\\h$(calc)"`,
        where PowerShell runs $(calc) (the reviewer's attacker)."""
        with tempfile.TemporaryDirectory() as d:
            folder = os.path.join(d, "a$(calc)b'q")
            home = os.path.join(d, "h$(calc)")
            os.makedirs(folder)
            os.makedirs(home)  # Wine's inherited access list: the host refuses it, with a fix
            exe = os.path.join(folder, "textus-host.exe")
            shutil.copy(EXE, exe)
            exe_win = "Z:" + exe.replace("/", "\\")
            home_win = "Z:" + home.replace("/", "\\")
            env = wine_env(TEXTUS_HOST_HOME=home_win)
            with tempfile.TemporaryFile() as err:
                p = subprocess.run(command(exe, ("doctor", "--json", "--offline")),
                                   stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=err,
                                   env=env, timeout=180)
            fixes = [c["fix"] for c in json.loads(p.stdout)["checks"] if c.get("fix")]
            quoted_exe = "'%s'" % exe_win.replace("'", "''")
            self.assertTrue([f for f in fixes if "& %s install" % quoted_exe in f], fixes)
            self.assertTrue([f for f in fixes if "icacls '%s' " % home_win in f and
                             '"${env:USERNAME}:(OI)(CI)F"' in f], fixes)
            with tempfile.TemporaryFile() as err:
                subprocess.run(command(exe, ("bulk", "--job", "x1")), stdin=subprocess.DEVNULL,
                               stdout=subprocess.PIPE, stderr=err, env=env, timeout=180)
                err.seek(0)
                usage = err.read().decode("utf-8", "replace")
            self.assertIn("see & %s bulk --help" % quoted_exe, usage)
            for text in fixes + [usage]:
                # every $(calc) inside a single-quoted word: the quote before it is a '
                for m in re.finditer(re.escape("$(calc)"), text):
                    before = text[:m.start()]
                    self.assertGreater(before.rfind("'"), before.rfind('"'), text)

    def test_a_folder_named_like_a_command(self):
        """A fix already in PowerShell's words is not rewritten again: in a folder named "my
        textus-host stuff" the path stays whole (before: `& '...\\my & '...' stuff\\...'`, the
        "textus-host stuff" inside the path taken for a command)."""
        with tempfile.TemporaryDirectory() as d:
            folder = os.path.join(d, "my textus-host stuff")
            os.makedirs(folder)
            exe = os.path.join(folder, "textus-host.exe")
            shutil.copy(EXE, exe)
            exe_win = "Z:" + exe.replace("/", "\\")
            with tempfile.TemporaryFile() as err:
                p = subprocess.run(command(exe, ("doctor", "--json", "--offline")),
                                   stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=err,
                                   env=wine_env(TEXTUS_HOST_HOME="Z:" + d.replace("/", "\\")),
                                   timeout=180)
        (c,) = [c for c in json.loads(p.stdout)["checks"]
                if c["subject"] == "textus-host on PATH"]
        self.assertIn("& '%s' install (it adds %s to your PATH)" %
                      (exe_win, exe_win[:exe_win.rindex("\\")]), c["fix"])
        self.assertEqual(c["fix"].count("& '"), 1, c["fix"])

    def test_powershell_prefix_and_stdin_usage(self):
        """"in PowerShell:" belongs to a command, never to advice (before: "in PowerShell: ask
        your Greenhouse admin ...", "in PowerShell: if nothing else logs ..."); usage lines
        with `< FILE`, which PowerShell rejects, say cmd's way on Windows (before: only
        `< body.txt`)."""
        with tempfile.TemporaryDirectory() as d:
            os.chmod(d, 0o700)
            env = wine_env(TEXTUS_HOST_HOME="Z:" + d.replace("/", "\\"))
            doc = json.dumps({"textus": {"token": "x", "account": "a"},
                              "greenhouse": {"email": "a@b.c", "api_key": "k", "harvest": "v1"},
                              "settings": {"note_enabled": False}})
            p = subprocess.run(command(EXE, ("configure", "--no-verify")), input=doc.encode(),
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env,
                               timeout=180)
            self.assertEqual(p.returncode, 0, p.stdout)
            rc, out, err = self.run_cli("doctor", "--json", "--offline", env=env)
        fixes = {c["subject"]: c["fix"] for c in json.loads(out)["checks"] if c.get("fix")}
        v1 = fixes["Harvest v1 retirement"]
        self.assertTrue(v1.startswith("ask your Greenhouse admin"), v1)
        self.assertIn("then in PowerShell: run & '", v1)
        note = fixes["settings.note_enabled"]
        self.assertTrue(note.startswith("if nothing else logs your texts"), note)
        for fix in fixes.values():
            self.assertNotRegex(fix, r"^in PowerShell: (ask|if) ", fix)
        for cmd, line in (("configure", "cmd /c 'textus-host configure < config.json'"),
                          ("send", "cmd /c 'textus-host send --candidate ID --to +1NXXNXXXXXX "
                                   "< body.txt'")):
            rc, out, err = self.run_cli(cmd, "--help")
            self.assertEqual(rc, 0, err)
            self.assertIn(line, out)
            self.assertIn("PowerShell, which has no '<'", out)
            self.assertNotIn("Get-Content", out)

    def test_doctor_windows_paths_use_backslashes(self):
        """The state folders doctor names are built with Windows' own separator: under
        %LOCALAPPDATA% both textus-host (config) and textus-host-data (data), and no path it
        prints mixes in a '/' (the reviewer saw C:\\users\\root\\AppData\\Local/textus-host)."""
        # Wine sets %LOCALAPPDATA% itself (C:\\users\\<user>\\AppData\\Local); doctor creates nothing
        env = wine_env()
        env.pop("TEXTUS_HOST_HOME", None)
        rc, out, err = self.run_cli("doctor", "--offline", env=env)
        rc2, out2, err2 = self.run_cli("doctor", "--json", "--offline", env=env)
        local = re.search(r"C:\\users\\[^\\]+\\AppData\\Local", out)
        self.assertTrue(local, out + err)
        local = local.group(0)
        text = out + err + out2
        self.assertIn(local + "\\textus-host", text)
        self.assertIn(local + "\\textus-host-data", text)
        paths = re.findall(r"[A-Za-z]:\\[^\s'\",]*", out + err)
        self.assertTrue(paths, text)
        for path in paths:
            self.assertNotIn("/", path, out + err)
        for c in json.loads(out2)["checks"]:
            for field in ("subject", "message", "fix"):
                for path in re.findall(r"[A-Za-z]:\\[^\s'\",]*", str(c.get(field) or "")):
                    self.assertNotIn("/", path, c)

    def test_cli_version(self):
        p = run_exe(EXE, b"", args=("--version",))
        self.assertEqual(p.returncode, 0)
        self.assertIn(b"textus-host", p.stdout)


def missing():
    """Why the test cannot run here, or None."""
    if not shutil.which("x86_64-w64-mingw32-gcc"):
        return "no x86_64-w64-mingw32-gcc (scripts/bootstrap.sh --windows installs it)"
    if not os.access(WINE, os.X_OK) or not shutil.which("wineserver"):
        return "no Wine at %s (scripts/bootstrap.sh --windows installs it)" % WINE
    if not os.path.exists(os.path.join(WIN, "deps", "stamp")):
        return ("the Windows libraries are not built (scripts/build-windows.sh deps, ~5 min "
                "once; scripts/test.sh runs it)")
    return None


if __name__ == "__main__":
    why = missing()
    if why:
        print("test_windows: skipped: %s" % why)
        sys.exit(77)
    unittest.main(verbosity=2)
