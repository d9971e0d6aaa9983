"""Hardening through the real binary: what an outside security review found, each refusal
checked where the recruiter's data could leak or be sent wrongly.

* no core dumps: a host started with cores allowed has a core limit of 0 and is not
  dumpable, in native-messaging mode and as a command, and a crash leaves no core file;
* U+0000 and raw control characters: refused as bad_request before the verb runs (nothing
  reaches the fakes, nothing is journaled);
* validate before sending: Greenhouse candidate ids (1-18 digits, not 0) and NANP numbers
  (no N11) for every verb that takes them, with zero requests at the fakes;
* origin first: a refused caller sending a frame over 64 KiB never opens the store or its key,
  nor does an unknown extension or a missing origin (judged by the settings file; strace);
* revocation: configure removing an id ends that extension's open port (exit 5), nothing
  sent: an idle port by itself, a frame under way judged again before dispatch;
* an older store's allowed ids are moved into the settings file by status and doctor, never
  by a caller (a refused caller neither opens nor rewrites the store); configure refuses the
  stub's id;
* a symlinked lock file is store_permissions; an older copy of the store is refused
  (generation record); a started frame that stalls, or is trickled past the stall timeout,
  ends the host (exit 3), idle does not.
"""
import glob
import json
import os
import resource
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import nmhost  # noqa: E402
from nmhost import Host, STUB_ORIGIN  # noqa: E402
from fakeworld import FakeWorld, CAND  # noqa: E402

NOBODY = 65534
WORLD = None


def setUpModule():
    global WORLD
    WORLD = FakeWorld("v1", prefix="th-hardening-")


def tearDownModule():
    if WORLD:
        WORLD.close()


def code(reply):
    assert reply is not None, "no reply"
    return "ok" if reply.get("ok") else reply["error"]["code"]


# ---------------------------------------------------------------- 1. no core dumps

def _allow_cores(as_nobody):
    def pre():
        soft, hard = resource.getrlimit(resource.RLIMIT_CORE)
        try:
            resource.setrlimit(resource.RLIMIT_CORE, (resource.RLIM_INFINITY,
                                                      resource.RLIM_INFINITY))
        except (ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_CORE, (hard, hard))
        if as_nobody:
            os.setgroups([])
            os.setgid(NOBODY)
            os.setuid(NOBODY)
    return pre


def _core_limit(pid):
    with open("/proc/%d/limits" % pid) as f:
        for line in f:
            if line.startswith("Max core file size"):
                return line.split()[4:6]
    return None


class NoCoreDumps(unittest.TestCase):
    """RLIMIT_CORE 0 and PR_SET_DUMPABLE 0 in every mode."""

    @classmethod
    def setUpClass(cls):
        hard = resource.getrlimit(resource.RLIMIT_CORE)[1]
        if hard == 0 and os.geteuid() != 0:
            raise unittest.SkipTest("the hard core limit is 0 here: cores cannot be allowed")

    def start(self, args, cwd, as_nobody=False, home=None):
        env = dict(os.environ, TEXTUS_HOST_HOME=home or os.path.join(cwd, "home"))
        return subprocess.Popen([nmhost.host_path(), *args], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=cwd, env=env,
                                preexec_fn=_allow_cores(as_nobody))

    def wait_hardened(self, proc, host_uid):
        """Poll until the host shows a core limit of 0 and (when observable) is not dumpable."""
        deadline = time.time() + 10
        limit, owner = None, None
        while time.time() < deadline and proc.poll() is None:
            try:
                limit = _core_limit(proc.pid)
                owner = os.stat("/proc/%d/environ" % proc.pid).st_uid
            except FileNotFoundError:
                break
            # the files under /proc/<pid> of a process that is not dumpable belong to root
            if limit == ["0", "0"] and (host_uid == 0 or owner == 0):
                break
            time.sleep(0.02)
        return limit, owner

    def check_mode(self, args, stdin_first=None):
        tmp = tempfile.mkdtemp(prefix="th-core-")
        try:
            as_nobody = os.geteuid() == 0
            if as_nobody:
                os.chmod(tmp, 0o777)
            host_uid = NOBODY if as_nobody else os.geteuid()
            p = self.start(args, tmp, as_nobody=as_nobody)
            try:
                if stdin_first is not None:
                    p.stdin.write(stdin_first)
                    p.stdin.flush()
                limit, owner = self.wait_hardened(p, host_uid)
                self.assertEqual(limit, ["0", "0"], "%r: core limit %r (cores were allowed)"
                                 % (args, limit))
                if host_uid != 0:
                    self.assertEqual(owner, 0, "%r: the host is still dumpable (/proc/<pid>/environ "
                                     "belongs to uid %r)" % (args, owner))
            finally:
                p.kill()
                p.communicate(timeout=30)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)

    def test_native_messaging(self):
        self.check_mode([STUB_ORIGIN])

    def test_native_forbidden_origin_and_no_origin(self):
        self.check_mode(["chrome-extension://aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/"])
        self.check_mode(["--parent-window=0"])

    def test_cli_core_command(self):
        self.check_mode(["extract"])  # waits for the profile on stdin

    def test_cli_engine_command(self):
        self.check_mode(["configure", "--no-verify"])  # loads the engine, waits for stdin

    def test_crash_leaves_no_core(self):
        with open("/proc/sys/kernel/core_pattern") as f:
            pattern = f.read().strip()
        tmp = tempfile.mkdtemp(prefix="th-crash-")
        try:
            p = self.start([STUB_ORIGIN], tmp)
            p.stdin.write(nmhost.frame({"type": "ping"}))
            p.stdin.flush()
            self.assertIsNotNone(p.stdout.read(4))  # it is serving
            p.send_signal(signal.SIGSEGV)
            p.communicate(timeout=30)
            # a sanitizer build turns the SIGSEGV into its report and an abort
            self.assertIn(p.returncode, (-signal.SIGSEGV, -signal.SIGABRT))
            if pattern.startswith("|") or "/" in pattern:
                self.skipTest("core_pattern %r is not a file in the working directory; the "
                              "limit and dumpable checks above cover it" % pattern)
            time.sleep(0.2)
            self.assertEqual(glob.glob(os.path.join(tmp, "core*")), [],
                             "a crashed host left a core file")
        finally:
            shutil.rmtree(tmp, ignore_errors=True)


# ---------------------------------------------------------------- 4. U+0000, control characters

def send_payload(rid, body="Hello Jane", to="+13035550123", cand=str(CAND)):
    return {"type": "send_sms", "id": "n", "request_id": rid, "candidate_id": cand, "to": to,
            "body": body}


class NulAndControlCharacters(unittest.TestCase):
    def assert_refused_quietly(self, raw, what):
        before, msgs = WORLD.api_count(), len(WORLD.messages())
        r = WORLD.one_shot(raw)
        self.assertEqual(code(r), "bad_request", "%s: %r" % (what, r))
        self.assertIsNone(r["id"])
        self.assertEqual(WORLD.api_count(), before, "%s: a request reached the fakes" % what)
        self.assertEqual(len(WORLD.messages()), msgs)

    def test_request_ids_differing_after_nul_do_not_collide(self):
        a = json.dumps(send_payload("nul\u0000A", body="first text")).encode()
        b = json.dumps(send_payload("nul\u0000B", body="second text")).encode()
        self.assertIn(b"\\u0000", a)
        self.assert_refused_quietly(a, "request_id nul\\u0000A")
        self.assert_refused_quietly(b, "request_id nul\\u0000B")
        rc, out, _ = WORLD.cli("outbox", "list")
        self.assertNotIn("nul", out, "a NUL-bearing request id was journaled")

    def test_body_with_hidden_tail(self):
        raw = json.dumps(send_payload("nulbody", body="visible\u0000 hidden")).encode()
        self.assert_refused_quietly(raw, "body")

    def test_to_with_junk_after_nul(self):
        raw = json.dumps(send_payload("nulto", to="+13125550142\u0000;junk")).encode()
        self.assert_refused_quietly(raw, "to")
        raw = json.dumps({"type": "opt_out", "to": "+13125550142\u0000;junk"}).encode()
        self.assert_refused_quietly(raw, "opt_out to")

    def test_nul_in_a_member_name(self):
        doc = send_payload("nulkey")
        raw = json.dumps(doc).encode().replace(b'"body"', b'"body\\u0000x"')
        self.assert_refused_quietly(raw, "member name")
        raw = b'{"type\\u0000x":"send_sms","type":"ping"}'
        self.assert_refused_quietly(raw, "type key")

    def test_raw_control_bytes(self):
        base = json.dumps(send_payload("rawctl", body="a@b")).encode()
        for byte in (b"\x01", b"\x1f", b"\x00", b"\n", b"\t"):
            with self.subTest(byte=byte):
                self.assert_refused_quietly(base.replace(b"a@b", b"a" + byte + b"b"),
                                            "raw %r in a string" % byte)
        self.assert_refused_quietly(b'{"type":"ping",\x01"x":1}', "raw 0x01 between tokens")

    def test_clean_text_still_works(self):
        # an escaped backslash before "u0000" is not U+0000; escaped controls other than NUL are
        # legal JSON; white space between tokens is fine
        r = WORLD.one_shot(b'{"type":"ping","id":"k","x":"\\\\u0000 \\u0001 \\n"}\r\n\t ')
        self.assertEqual(code(r), "ok", r)
        self.assertEqual(r["id"], "k")


# ---------------------------------------------------------------- 5. validate before sending

class ValidateBeforeSending(unittest.TestCase):
    BAD_IDS = ["0", "0000", "1234567890123456789", "12345678901234567890", "", "12a", "-5",
               "1e3", " 1001", "1001/../1002"]
    N11 = ["+19115550123", "+14115550123", "+12115550123", "+13039110123", "+13034110123",
           "+13036110123", "+11035550123", "+13031550123"]

    def refused(self, payload, what):
        before = WORLD.api_count()
        r = WORLD.one_shot(payload)
        self.assertEqual(code(r), "bad_request", "%s: %r" % (what, r))
        self.assertEqual(WORLD.api_count(), before, "%s: a request reached the fakes" % what)
        return r

    def test_candidate_ids(self):
        for i, cand in enumerate(self.BAD_IDS):
            with self.subTest(candidate_id=cand):
                r = self.refused(send_payload("badcand-%d" % i, cand=cand), "send_sms " + cand)
                self.assertIn("candidate_id", r["error"]["message"])
                self.refused({"type": "import_contact", "candidate_id": cand,
                              "to": "+13035550123", "name": "Jane"}, "import_contact " + cand)

    def test_n11_and_invalid_numbers(self):
        for i, to in enumerate(self.N11):
            with self.subTest(to=to):
                r = self.refused(send_payload("badto-%d" % i, to=to), "send_sms " + to)
                self.assertIn("N11", r["error"]["message"])
                self.refused({"type": "opt_out", "to": to}, "opt_out " + to)
                self.refused({"type": "import_contact", "candidate_id": str(CAND), "to": to,
                              "name": "Jane"}, "import_contact " + to)

    def test_extract_phone_refuses_the_same_numbers(self):
        # the rule send_sms applies is extract_phone's: an N11 number is never the default
        for to in self.N11[:5]:
            r = WORLD.one_shot({"type": "extract_phone", "profile": {
                "url": "https://app.greenhouse.io/dashboard", "name": "Jane",
                "lines": ["Jane", "Mobile: (%s) %s-%s" % (to[2:5], to[5:8], to[8:])]}})
            self.assertEqual(code(r), "no_phone_found", "%s: %r" % (to, r))

    def test_extract_phone_candidate_id_rule(self):
        prof = {"name": "Jane", "lines": ["Jane", "(303) 555-0123"]}
        for url, want in (("https://app.greenhouse.io/people/0", None),
                          ("https://app.greenhouse.io/people/0000?x=1", None),
                          ("https://app.greenhouse.io/people/1234567890123456789", None),
                          ("https://app.greenhouse.io/people/123456789012345678",
                           "123456789012345678")):
            r = WORLD.one_shot({"type": "extract_phone", "profile": dict(prof, url=url)})
            self.assertEqual(code(r), "ok", r)
            self.assertEqual(r["result"]["candidate_id"], want, url)

    def test_valid_request_still_sends(self):
        before = len(WORLD.messages())
        r = WORLD.one_shot(send_payload("valid-after-refusals", body="a valid text"))
        self.assertEqual(code(r), "ok", r)
        self.assertEqual(len(WORLD.messages()), before + 1)


# ---------------------------------------------------------------- 7. origin first

STORE_FILES = ("credentials.store", "store.key", "store.generation", "textus-host-store.so",
               "textus-host-engine.so", "outbox.sqlite")


@unittest.skipUnless(shutil.which("strace"), "strace is not installed")
class OriginFirst(unittest.TestCase):
    def traced(self, origin, frames, env=None):
        log = tempfile.NamedTemporaryFile(prefix="th-strace-", delete=False)
        log.close()
        try:
            cmd = ["strace", "-f", "-qq", "-e", "trace=open,openat,openat2", "-o", log.name,
                   nmhost.host_path()] + ([origin] if origin else [])
            env = dict(os.environ, **WORLD.env)
            if "ASAN_OPTIONS" in env:  # LeakSanitizer cannot run under ptrace
                env["ASAN_OPTIONS"] += ":detect_leaks=0"
            p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, env=env)
            out, _ = p.communicate(b"".join(frames), timeout=60)
            with open(log.name) as f:
                opened = f.read()
        finally:
            os.unlink(log.name)
        replies = []
        while out:
            (n,) = struct.unpack("=I", out[:4])
            replies.append(json.loads(out[4:4 + n]))
            out = out[4 + n:]
        return p.returncode, replies, opened

    def big_ping(self, size=70000):
        return nmhost.frame({"type": "ping", "id": "big", "pad": "x" * size})

    def test_malformed_origin_never_opens_the_store(self):
        for origin in ("chrome-extension://HFBOCCPNPPDFMCDBJJGMOBNHLJKKMJJI/",
                       "chrome-extension://hfboccpnppdfmcdbjjgmobnhljkkmjji/x"):
            with self.subTest(origin=origin):
                rc, replies, opened = self.traced(origin, [
                    self.big_ping(), self.big_ping(2 << 20),
                    nmhost.frame({"type": "status", "id": 3})])
                for name in STORE_FILES:
                    self.assertNotIn(name, opened, "a refused caller made the host open " + name)
                self.assertEqual(rc, 0)
                # a refused caller gets forbidden_origin for every frame, oversize ones too
                self.assertEqual([code(r) for r in replies], ["forbidden_origin"] * 3)
                self.assertEqual(replies[0]["id"], "big")

    def test_unknown_extension_opens_no_store_and_no_key(self):
        # an id other than the stub's is judged by the settings file beside the store
        # (settings.json, no secret in it): neither the store, nor its key, nor the store
        # module that decrypts them, nor the engine is opened for a refused caller
        for origin, frames in (("chrome-extension://%s/" % ("a" * 32),
                                [self.big_ping(), nmhost.frame({"type": "send_sms", "id": 2})]),
                               (None, [nmhost.frame({"type": "status", "id": 1})])):
            with self.subTest(origin=origin):
                rc, replies, opened = self.traced(origin, frames)
                self.assertEqual([code(r) for r in replies], ["forbidden_origin"] * len(frames))
                for name in STORE_FILES:
                    self.assertNotIn(name, opened, "a refused caller made the host open " + name)
                self.assertIn("settings.json", opened, "the check reads the settings file")

    def test_allowed_caller_still_gets_its_cap(self):
        rc, replies, opened = self.traced(STUB_ORIGIN, [self.big_ping()])
        self.assertEqual([code(r) for r in replies], ["ok"])


# ---------------------------------------------------------------- 7b. revocation

class Revocation(unittest.TestCase):
    """configure removes an id while a port of that extension is open: its next frame is
    refused and the host ends the port (exit 5), nothing sent."""
    EXT = "c" * 32

    def setUp(self):
        doc = WORLD.config_doc()
        doc["settings"]["allowed_extension_ids"] = [self.EXT]
        rc, _, err = WORLD.configure(doc)
        self.assertEqual(rc, 0, err)

    def tearDown(self):
        rc, _, err = WORLD.configure({"settings": {"allowed_extension_ids": []}})
        self.assertEqual(rc, 0, err)

    def test_idle_port_ends_when_its_id_is_removed(self):
        # the idle wait between frames looks at the settings file every second: a revoked
        # port does not keep its decrypted store until its next frame, it ends (exit 5)
        h = nmhost.Host(env=WORLD.env, origin="chrome-extension://%s/" % self.EXT)
        try:
            r = h.request(send_payload("revoke-before", body="Before the revocation"))
            self.assertEqual(code(r), "ok", r)
            self.assertEqual(len(WORLD.messages(body="Before the revocation")), 1)
            time.sleep(0.5)  # the port is idle (its connections warmed) when configure runs
            rc, _, err = WORLD.configure({"settings": {"allowed_extension_ids": []}})
            self.assertEqual(rc, 0, err)
            # the host ends the port by itself, its stdin still open and no frame sent
            try:
                self.assertEqual(h.proc.wait(timeout=15), 5)
            except subprocess.TimeoutExpired:
                self.fail("a revoked idle port stayed open")
            self.assertEqual(h.proc.stdout.read(), b"", "a frame nobody asked for")
        finally:
            if h.proc.poll() is None:
                h.proc.kill()
            h.close()

    def test_frame_under_way_is_judged_again_before_dispatch(self):
        # the length (and half the body) arrives while the id is allowed, the rest after
        # configure removed it: the whole frame is judged right before dispatch
        h = nmhost.Host(env=WORLD.env, origin="chrome-extension://%s/" % self.EXT)
        try:
            self.assertEqual(code(h.request({"type": "ping", "id": 1})), "ok")
            body = b" " * 8 + json.dumps(send_payload("trickled", body="Trickled text")).encode()
            half = len(body) // 2
            h.send_raw(struct.pack("=I", len(body)) + body[:half])
            rc, _, err = WORLD.configure({"settings": {"allowed_extension_ids": []}})
            self.assertEqual(rc, 0, err)
            before = WORLD.api_count()
            h.send_raw(body[half:])
            r = h.read_reply()
            self.assertEqual(code(r), "forbidden_origin", r)
            self.assertEqual(r["id"], "n")
            self.assertIn("extension %s is not allowed" % self.EXT, r["error"]["message"])
            self.assertEqual(h.proc.wait(timeout=30), 5)
        finally:
            if h.proc.poll() is None:
                h.proc.kill()
            h.close()
        self.assertEqual(WORLD.messages(body="Trickled text"), [])
        self.assertEqual(WORLD.api_count(), before, "a request reached the fakes")

    def test_other_changes_keep_the_port(self):
        # a configure that keeps the id (the file is rewritten all the same) ends nothing
        h = nmhost.Host(env=WORLD.env, origin="chrome-extension://%s/" % self.EXT)
        try:
            self.assertEqual(code(h.request({"type": "ping", "id": 1})), "ok")
            rc, _, err = WORLD.configure({"settings": {"note_enabled": True}})
            self.assertEqual(rc, 0, err)
            self.assertEqual(code(h.request({"type": "ping", "id": 2})), "ok")
        finally:
            rc, _, _ = h.close()
        self.assertEqual(rc, 0)


class Migration(unittest.TestCase):
    """A store written before the settings file (the allowed ids inside it): a caller never
    moves them (it would decrypt and rewrite the store on a refused caller's behalf); the
    commands the person runs do (status, which install.sh runs, and doctor), exactly them, and
    out of the store."""
    EXT = "d" * 32

    def tearDown(self):
        rc, _, err = WORLD.configure({"settings": {"allowed_extension_ids": []}})
        self.assertEqual(rc, 0, err)

    def older_store(self, ids):
        settings = os.path.join(WORLD.home, "settings.json")
        if os.path.lexists(settings):
            os.unlink(settings)
        # the store as an older version writes it (test builds: a failpoint)
        p = subprocess.run([nmhost.host_path(), "configure", "--no-verify"],
                           input=json.dumps({"settings": {"allowed_extension_ids": ids}})
                           .encode(), capture_output=True, timeout=60,
                           env=WORLD.full_env({"TH_FAILPOINT": "configure_as_0_1"}))
        if p.returncode == 0 and os.path.exists(settings):
            self.skipTest("not a failpoint build")
        self.assertEqual(p.returncode, 0, p.stderr)
        return settings

    def store_state(self):
        out = {}
        for name in ("credentials.store", "store.generation"):
            with open(os.path.join(WORLD.home, name), "rb") as f:
                out[name] = f.read()
        return out

    def test_a_caller_never_moves_them_status_does(self):
        settings = self.older_store([self.EXT])
        before = self.store_state()
        # a refused caller: forbidden_origin, and the store is neither opened nor rewritten
        other = "chrome-extension://%s/" % ("e" * 32)
        if shutil.which("strace"):
            rc, replies, opened = OriginFirst.traced(self, other, [
                nmhost.frame({"type": "ping", "id": 1})])
            self.assertEqual([code(r) for r in replies], ["forbidden_origin"])
            for name in STORE_FILES:
                self.assertNotIn(name, opened, "a refused caller made the host open " + name)
        r = WORLD.one_shot({"type": "ping", "id": 1}, origin=other)
        self.assertEqual(code(r), "forbidden_origin")
        self.assertEqual(self.store_state(), before, "a refused caller rewrote the store")
        self.assertFalse(os.path.exists(settings), "a refused caller wrote the settings file")
        # the id the store holds is not read from it either: no file, only the built-in id;
        # the message says why and what to run
        r = WORLD.one_shot({"type": "ping", "id": 2}, origin="chrome-extension://%s/" % self.EXT)
        self.assertEqual(code(r), "forbidden_origin", r)
        self.assertIn("no settings file", r["error"]["message"])
        self.assertIn("textus-host doctor", r["error"]["message"])
        self.assertEqual(self.store_state(), before)
        # status (install.sh runs it on every install and upgrade) moves them, exactly them
        rc, out, err = WORLD.cli("status", "--json")
        self.assertEqual(json.loads(out)["settings"]["allowed_extension_ids"], [self.EXT], err)
        with open(settings) as f:
            self.assertEqual(json.load(f), {"allowed_extension_ids": [self.EXT],
                                            "allow_no_origin": False})
        self.assertEqual(os.stat(settings).st_mode & 0o777, 0o600)
        r = WORLD.one_shot({"type": "ping", "id": 3}, origin="chrome-extension://%s/" % self.EXT)
        self.assertEqual(code(r), "ok", r)
        # moved, not copied: without the file the store allows nothing any more, and status
        # finds nothing to move (it writes nothing)
        os.unlink(settings)
        moved = self.store_state()
        r = WORLD.one_shot({"type": "ping", "id": 4}, origin="chrome-extension://%s/" % self.EXT)
        self.assertEqual(code(r), "forbidden_origin")
        rc, out, err = WORLD.cli("status", "--json")
        self.assertEqual(json.loads(out)["settings"]["allowed_extension_ids"], [], err)
        self.assertFalse(os.path.exists(settings))
        self.assertEqual(self.store_state(), moved)

    def test_doctor_moves_them_and_says_so(self):
        settings = self.older_store([self.EXT])
        rc, out, err = WORLD.cli("doctor", "--offline")
        self.assertIn("moved 1 allowed extension id", out + err)
        with open(settings) as f:
            self.assertEqual(json.load(f)["allowed_extension_ids"], [self.EXT])
        r = WORLD.one_shot({"type": "ping"}, origin="chrome-extension://%s/" % self.EXT)
        self.assertEqual(code(r), "ok", r)
        # no file and nothing to move: doctor says what the host allows and how to allow more
        os.unlink(settings)
        rc, out, err = WORLD.cli("doctor", "--offline")
        self.assertIn("does not exist yet", out + err)
        self.assertFalse(os.path.exists(settings))

    def test_configure_refuses_the_stub_id(self):
        # the stub's private key is public: no build allows its id by a setting (a release
        # build must never; a test build already does, built in)
        rc, _, err = WORLD.configure({"settings": {"allowed_extension_ids": [
            self.EXT, "hfboccpnppdfmcdbjjgmobnhljkkmjji"]}})
        self.assertEqual(rc, 2, err)
        self.assertIn("development stub", err)
        self.assertNotIn(self.EXT, json.loads(WORLD.cli("status", "--json")[1])["settings"]
                         ["allowed_extension_ids"])

    def test_settings_file_that_is_not_ours_allows_nothing(self):
        settings = os.path.join(WORLD.home, "settings.json")
        origin = "chrome-extension://%s/" % self.EXT
        good = json.dumps({"allowed_extension_ids": [self.EXT], "allow_no_origin": False})
        elsewhere = os.path.join(WORLD.tmp, "elsewhere.json")
        with open(elsewhere, "w") as f:
            f.write(good)
        os.chmod(elsewhere, 0o600)
        cases = {"symbolic link": None, "not JSON": good[:-1],
                 "an id that is not one": good.replace("d" * 32, "d" * 31 + "z"),
                 "65 ids": json.dumps({"allowed_extension_ids": [self.EXT] + [
                     "".join("abcdefghijklmnop"[(k >> (4 * i)) % 16] for i in range(32))
                     for k in range(1, 65)]}),
                 "over 16 KiB": good[:-1] + ', "pad": "%s"}' % ("x" * 17000)}
        if os.environ.get("TH_WIN_EXE"):  # the .exe under Wine (tests/windows/run_suites.py):
            del cases["symbolic link"]     # a Unix symlink is no reparse point, Wine follows it
        try:
            for what, text in cases.items():
                with self.subTest(what):
                    if os.path.lexists(settings):
                        os.unlink(settings)
                    if text is None:
                        os.symlink(elsewhere, settings)
                    else:
                        with open(settings, "w") as f:
                            f.write(text)
                        os.chmod(settings, 0o600)
                    r = WORLD.one_shot({"type": "ping"}, origin=origin)
                    self.assertEqual(code(r), "forbidden_origin", r)
            # the control: the same content in a plain owner-only file is accepted
            os.unlink(settings)
            with open(settings, "w") as f:
                f.write(good)
            os.chmod(settings, 0o600)
            self.assertEqual(code(WORLD.one_shot({"type": "ping"}, origin=origin)), "ok")
        finally:
            if os.path.lexists(settings):
                os.unlink(settings)
            rc, _, err = WORLD.configure({"settings": {"allowed_extension_ids": []}})
            self.assertEqual(rc, 0, err)
        # configure refuses more than 64 ids before anything is written
        rc, _, err = WORLD.configure({"settings": {"allowed_extension_ids": [
            "".join("abcdefghijklmnop"[(k >> (4 * i)) % 16] for i in range(32))
            for k in range(65)]}})
        self.assertEqual(rc, 2)  # invalid_config, as every refused document
        self.assertIn("more than 64", err)

    def test_refused_file_allows_nothing(self):
        settings = os.path.join(WORLD.home, "settings.json")
        rc, _, err = WORLD.configure({"settings": {"allowed_extension_ids": [self.EXT]}})
        self.assertEqual(rc, 0, err)
        origin = "chrome-extension://%s/" % self.EXT
        self.assertEqual(code(WORLD.one_shot({"type": "ping"}, origin=origin)), "ok")
        os.chmod(settings, 0o644)  # writable by nobody else, but no longer owner-only
        try:
            self.assertEqual(code(WORLD.one_shot({"type": "ping"}, origin=origin)),
                             "forbidden_origin")
            rc, out, err = WORLD.cli("status", "--json")
            st = json.loads(out)
            self.assertEqual(st["settings"]["allowed_extension_ids"], [], "as the host reads it")
            if os.environ.get("TH_WIN_EXE"):  # the .exe under Wine: Windows' fix, a Z: path
                self.assertIn("icacls 'Z:%s\\settings.json'" % WORLD.home,
                              st["permissions"]["settings"])
            else:
                self.assertIn("chmod 600 '%s'" % settings, st["permissions"]["settings"])
            # configure does not write over it: the person fixes the mode first
            rc, _, err = WORLD.configure({"settings": {"allowed_extension_ids": []}})
            self.assertEqual(rc, 1)
            self.assertIn("store_permissions", err)
        finally:
            os.chmod(settings, 0o600)


# ---------------------------------------------------------------- 8. store and framing

class StoreFiles(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="th-hard-store-")
        self.saved_env = dict(WORLD.env)
        WORLD.env = {"TEXTUS_HOST_HOME": os.path.join(self.tmp, "home")}
        rc, _, err = WORLD.configure()
        self.assertEqual(rc, 0, err)
        self.home = WORLD.env["TEXTUS_HOST_HOME"]

    def tearDown(self):
        WORLD.env = self.saved_env
        shutil.rmtree(self.tmp, ignore_errors=True)

    def path(self, name):
        return os.path.join(self.home, name)

    def test_symlinked_lock_file_is_store_permissions(self):
        victim = os.path.join(self.tmp, "victim")
        with open(victim, "w") as f:
            f.write("do not touch\n")
        os.chmod(victim, 0o600)
        for target in (victim, os.path.join(self.tmp, "dangling")):
            with self.subTest(target=target):
                os.unlink(self.path("credentials.lock"))
                os.symlink(target, self.path("credentials.lock"))
                rc, _, err = WORLD.configure({"textus": {"account": "acme"}})
                self.assertEqual(rc, 1)
                self.assertIn("store_permissions", err)
                self.assertIn("symbolic link", err)
                r = WORLD.one_shot({"type": "configure", "textus": {"account": "acme"}})
                self.assertEqual(code(r), "store_permissions", r)
                self.assertIs(r["error"]["retryable"], False)
        with open(victim) as f:
            self.assertEqual(f.read(), "do not touch\n")
        self.assertFalse(os.path.exists(os.path.join(self.tmp, "dangling")))

    def test_older_copy_of_the_store_is_refused(self):
        store = self.path("credentials.store")
        with open(store, "rb") as f:
            old = f.read()
        doc = WORLD.config_doc()
        doc["textus"]["token"] = "tok_hard_ROTATED_0002"
        rc, _, err = WORLD.configure(doc)
        self.assertEqual(rc, 0, err)
        with open(store, "rb") as f:
            newest = f.read()
        with open(store, "wb") as f:
            f.write(old)  # a restored backup: same key, the token before the rotation
        before = WORLD.api_count()
        rc, _, err = WORLD.cli("status")
        self.assertEqual(rc, 1)
        self.assertIn("store_corrupt", err)
        self.assertIn("older copy", err)
        r = WORLD.one_shot(send_payload("rollback-1"))
        self.assertEqual(code(r), "store_corrupt", r)
        self.assertEqual(WORLD.api_count(), before, "the old token was used")
        rc, _, err = WORLD.configure({"textus": {"account": "acme"}})
        self.assertEqual(rc, 1)
        with open(store, "rb") as f:
            self.assertEqual(f.read(), old, "the refused store was rewritten")
        # the newest copy is accepted again
        with open(store, "wb") as f:
            f.write(newest)
        self.assertEqual(WORLD.cli("status")[0], 0)
        # moved away and configured again: the generation keeps rising
        with open(self.path("store.generation")) as f:
            gen = int(f.read())
        os.rename(store, store + ".moved")
        rc, _, err = WORLD.configure()
        self.assertEqual(rc, 0, err)
        with open(self.path("store.generation")) as f:
            self.assertGreater(int(f.read()), gen)
        # keeping an older copy on purpose: delete the record
        with open(store, "wb") as f:
            f.write(old)
        self.assertEqual(WORLD.cli("status")[0], 1)
        os.unlink(self.path("store.generation"))
        self.assertEqual(WORLD.cli("status")[0], 0)

    def test_damaged_generation_record(self):
        with open(self.path("store.generation"), "w") as f:
            f.write("many\n")
        rc, _, err = WORLD.cli("status")
        self.assertEqual(rc, 1)
        self.assertIn("store_corrupt", err)
        self.assertIn("generation record", err)


class StalledFrames(unittest.TestCase):
    ENV = {"TEXTUS_HOST_STALL_TIMEOUT_MS": "400"}

    def host(self):
        return Host(env=self.ENV)

    def assert_ends_stalled(self, data):
        h = self.host()
        h.send_raw(data)  # stdin stays open: the browser just stopped writing
        t0 = time.time()
        try:
            rc = h.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            h.proc.kill()
            h.close()
            self.fail("a stalled frame held the host (%r)" % data[:20])
        self.assertEqual(rc, 3)
        self.assertLess(time.time() - t0, 15)
        rc, out, _ = h.close()
        h.proc.stdout.close()
        h.proc.stderr.close()
        self.assertEqual(out, b"", "a partial request was answered")

    def test_stall_inside_header(self):
        self.assert_ends_stalled(b"\x10\x00")

    def test_stall_inside_body(self):
        self.assert_ends_stalled(struct.pack("=I", 100) + b'{"type":"pi')

    def test_stall_inside_oversize_body(self):
        self.assert_ends_stalled(struct.pack("=I", 5 << 20) + b"x" * 1000)

    def test_idle_between_frames_is_unlimited(self):
        h = self.host()
        self.assertEqual(code(h.request({"type": "ping"})), "ok")
        time.sleep(1.2)  # three stall timeouts with no frame started
        self.assertEqual(code(h.request({"type": "ping"})), "ok")
        self.assertEqual(h.close()[0], 0)

    def test_trickled_frame_ends_at_the_timeout(self):
        # a byte every 0.1 s never stalls 0.4 s, but the whole frame must arrive within
        # 0.4 s of its first byte: trickled, it cannot hold the host (nor a request) for ever
        h = self.host()
        data = nmhost.frame({"type": "ping", "id": "trickle", "pad": "x" * 40})
        t0 = time.time()
        try:
            for i in range(0, len(data), 2):
                if h.proc.poll() is not None:
                    break
                h.send_raw(data[i:i + 2])
                time.sleep(0.1)
        except BrokenPipeError:
            pass
        try:
            rc = h.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            h.proc.kill()
            rc = None
        self.assertEqual(rc, 3, "a trickled frame was not ended at the stall timeout")
        self.assertLess(time.time() - t0, 15)
        self.assertEqual(h.proc.stdout.read(), b"", "a trickled request was answered")
        h.close()

    def test_slow_frame_that_progresses_is_served(self):
        # within the timeout (here 5 s), a frame may arrive in as many pieces as it likes
        h = Host(env={"TEXTUS_HOST_STALL_TIMEOUT_MS": "5000"})
        data = nmhost.frame({"type": "ping", "id": "slow"})
        for i in range(0, len(data), 4):
            h.send_raw(data[i:i + 4])
            time.sleep(0.15)
        r = h.read_reply()
        self.assertEqual(r["id"], "slow")
        self.assertEqual(h.close()[0], 0)


@unittest.skipIf(nmhost.under_wine(), "a closed Unix fd, a FIFO and Unix paths: the Windows "
                 "closed-stdout case is checked in tests/windows/test_wine_exit.py")
class LogOpensSafely(unittest.TestCase):
    """The CLI's log (TEXTUS_HOST_LOG) never takes a closed stdout's number (the JSON `extract`
    prints, with its number, went into the log), a FIFO there does not hang the host, and a log
    that cannot be opened is said on stderr."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="th-logfd-")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def test_closed_stdout_does_not_send_output_to_the_log(self):
        log = os.path.join(self.tmp, "host.log")
        prof = json.dumps({"url": "https://x.greenhouse.io/people/1", "name": "Jane Doe",
                           "lines": ["Phone: (303) 555-0187"]}).encode()
        # stdout closed in the child (`>&-`), stderr kept
        p = subprocess.run(["sh", "-c", 'exec "$0" extract >&-', nmhost.host_path()],
                           input=prof, stderr=subprocess.PIPE, timeout=20,
                           env=dict(os.environ, TEXTUS_HOST_LOG=log))
        with open(log, errors="replace") as f:
            text = f.read()
        self.assertIn("start cli extract", text)
        self.assertNotIn("5550187", text.replace("-", "").replace(" ", ""), text)
        self.assertNotIn("555-0187", text, text)
        self.assertNotIn('"', text.split("start cli extract", 1)[1], text)
        self.assertNotIn(b"555", p.stderr)

    def test_fifo_as_log_does_not_hang_and_is_said(self):
        fifo = os.path.join(self.tmp, "fifo")
        os.mkfifo(fifo)
        # no reader: the open fails at once (ENXIO) instead of waiting for one
        t = time.monotonic()
        p = subprocess.run([nmhost.host_path(), "version"], capture_output=True, timeout=20,
                           env=dict(os.environ, TEXTUS_HOST_LOG=fifo))
        self.assertLess(time.monotonic() - t, 10)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertRegex(p.stderr, rb"^textus-host: cannot open the log TEXTUS_HOST_LOG names: "
                                   rb"[^\n]+; going on without it\n$")
        # a reader there: opened, then refused as no regular file (nothing written to it)
        r = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
        try:
            p = subprocess.run([nmhost.host_path(), "version"], capture_output=True, timeout=20,
                               env=dict(os.environ, TEXTUS_HOST_LOG=fifo))
            try:
                got = os.read(r, 4096)
            except BlockingIOError:
                got = b""
        finally:
            os.close(r)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(got, b"")
        self.assertEqual(p.stderr, b"textus-host: cannot open the log TEXTUS_HOST_LOG names: "
                                   b"not a regular file; going on without it\n")

    def test_log_that_cannot_open_is_said(self):
        bad = os.path.join(self.tmp, "no-such-folder", "host.log")
        p = subprocess.run([nmhost.host_path(), "version"], capture_output=True, timeout=20,
                           env=dict(os.environ, TEXTUS_HOST_LOG=bad))
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn(b"textus-host: cannot open the log TEXTUS_HOST_LOG names: No such file or "
                      b"directory; going on without it\n", p.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=1)
