"""The outside security review's refused attacks, kept as regression tests through the real
binary against the fakes (the attacks the review found working are in
tests/protocol/test_hardening.py). What was not covered elsewhere:

* caller origin: 20 argv shapes x the 9 verbs, each refused (or not native messaging at all)
  with nothing reaching the fakes, the journal or the store;
* credentials never sent elsewhere: redirects (TextUs read, Greenhouse note, OAuth token),
  a pagination link to another host, URLs and paths in ids, configure from the extension
  carrying URLs, headers or NUL-bearing names; a catcher on another port must see nothing;
* the state folder: symlinked store, key, lock, generation record, outbox and folder, open
  modes and another owner, each refused without touching the symlink's target;
* hostile frames: a 4 GiB length with too little behind it, a thousand frames in one write,
  an id that would make the reply too large.
"""
import json
import os
import shutil
import socket
import stat
import struct
import subprocess
import sys
import tempfile
import threading
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import nmhost  # noqa: E402
from nmhost import Host, STUB_ORIGIN, STUB_ID  # noqa: E402
from fakeworld import FakeWorld, CAND, V1_KEY  # noqa: E402

WORLD = None
CATCHER = None


class Catcher:
    """A listener on another port standing in for another site: records every connection."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.seen = []
        self.stop = False
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def url(self, path="/"):
        return "http://127.0.0.1:%d%s" % (self.port, path)

    def run(self):
        while not self.stop:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            conn.settimeout(2)
            try:
                data = conn.recv(65536)
            except OSError:
                data = b""
            self.seen.append(data)
            try:
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}")
            except OSError:
                pass
            conn.close()

    def close(self):
        self.stop = True
        self.sock.close()


def setUpModule():
    global WORLD, CATCHER
    WORLD = FakeWorld("v1", prefix="th-attacks-")
    CATCHER = Catcher()


def tearDownModule():
    if CATCHER:
        CATCHER.close()
    if WORLD:
        WORLD.close()


def code(reply):
    assert reply is not None, "no reply"
    return "ok" if reply.get("ok") else reply["error"]["code"]


def read_all(path):
    with open(path, "rb") as f:
        return f.read()


PROFILE = {"url": "https://app.greenhouse.io/people/%d" % CAND, "name": "Jane Candidate",
           "lines": ["Jane Candidate", "Mobile: (303) 555-0123"]}
VERBS = [
    {"type": "ping"},
    {"type": "status"},
    {"type": "configure", "textus": {"token": "tok_attack_FAKE_9"}},
    {"type": "extract_phone", "profile": PROFILE},
    {"type": "send_sms", "request_id": "attack-1", "candidate_id": str(CAND),
     "to": "+13035550123", "body": "from a refused caller"},
    {"type": "flush_outbox"},
    {"type": "message_status", "message_id": "/messages/abc"},
    {"type": "opt_out", "to": "+13035550123"},
    {"type": "import_contact", "candidate_id": str(CAND), "to": "+13035550123", "name": "Jane"},
]

OTHER = "chrome-extension://%s/" % ("a" * 32)
# argv after the program name; None: no argument at all (a sandboxed browser's portal)
NATIVE_REFUSED = [
    [OTHER],
    ["chrome-extension://%s" % STUB_ID],                 # no trailing slash
    ["chrome-extension://%s/" % STUB_ID.upper()],
    ["chrome-extension://%s/" % (STUB_ID[:-1] + "q")],  # outside a-p
    ["chrome-extension://%s/x" % STUB_ID],
    ["chrome-extension://%s//" % STUB_ID],
    ["chrome-extension://%s/?a=1" % STUB_ID],
    ["chrome-extension://%s/ " % STUB_ID],
    ["chrome-extension://%s/\n" % STUB_ID],
    ["chrome-extension://%s/" % STUB_ID[:31]],
    ["chrome-extension://%s/" % (STUB_ID + "a")],
    ["chrome-extension:///%s/" % STUB_ID],
    ["chrome-extension://%s/" % (STUB_ID[:-1] + "\u0456")],  # Cyrillic lookalike
    ["chrome-extension://%s@%s/" % (STUB_ID, "a" * 32)],
    [OTHER, "--parent-window=0"],
    [OTHER, STUB_ORIGIN],                                 # the caller is argv[1], never later
    ["--parent-window=0"],                                # no origin
    None,                                                 # no origin
]
NOT_NATIVE = [["CHROME-EXTENSION://%s/" % STUB_ID], ["moz-extension://%s/" % STUB_ID]]


class OriginShapesTimesVerbs(unittest.TestCase):
    def state(self):
        ob = os.path.join(WORLD.home, "outbox.sqlite")
        return (WORLD.api_count(), read_all(os.path.join(WORLD.home, "credentials.store")),
                read_all(ob) if os.path.exists(ob) else b"")

    def test_every_refused_shape_for_every_verb(self):
        before = self.state()
        for argv in NATIVE_REFUSED:
            with self.subTest(argv=argv):
                cmd = [nmhost.host_path()] + (argv or [])
                p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, env=WORLD.full_env())
                stream = b"".join(nmhost.frame(dict(v, id=i)) for i, v in enumerate(VERBS))
                out, err = p.communicate(stream, timeout=60)
                self.assertEqual(p.returncode, 0, err[-500:])
                replies = []
                while out:
                    (n,) = struct.unpack("=I", out[:4])
                    replies.append(json.loads(out[4:4 + n]))
                    out = out[4 + n:]
                self.assertEqual([code(r) for r in replies], ["forbidden_origin"] * len(VERBS))
                self.assertEqual([r["id"] for r in replies], list(range(len(VERBS))))
        self.assertEqual(self.state(), before, "a refused caller reached the fakes, the store "
                         "or the journal")

    def test_shapes_that_are_not_native_messaging(self):
        for argv in NOT_NATIVE:
            with self.subTest(argv=argv):
                p = subprocess.run([nmhost.host_path()] + argv,
                                   input=nmhost.frame(VERBS[4]), capture_output=True,
                                   env=WORLD.full_env(), timeout=60)
                self.assertEqual(p.returncode, 2)
                self.assertEqual(p.stdout, b"", "a frame came out of command-line mode")
                self.assertIn(b"unknown command", p.stderr)

    def test_the_stub_still_works(self):
        r = WORLD.one_shot({"type": "ping"})
        self.assertEqual(code(r), "ok")


class CredentialsStayHome(unittest.TestCase):
    def setUp(self):
        self.seen0 = len(CATCHER.seen)

    def tearDown(self):
        WORLD.fakes.reset_faults()
        self.assertEqual(CATCHER.seen[self.seen0:], [], "a request went to another site")

    def test_textus_redirect_not_followed(self):
        for status in (301, 302, 303, 307, 308):
            with self.subTest(status=status):
                WORLD.fakes.fault({"server": "textus", "method": "GET", "path_re": "opt_outs",
                                   "action": {"status": status,
                                              "headers": {"Location": CATCHER.url("/steal")}}})
                before = len(WORLD.messages())
                r = WORLD.one_shot({"type": "send_sms", "request_id": "redir-%d" % status,
                                    "candidate_id": str(CAND), "to": "+13035550142",
                                    "body": "redirected %d" % status})
                self.assertNotEqual(code(r), "ok", r)
                self.assertEqual(len(WORLD.messages()), before)

    def test_greenhouse_note_redirect_not_followed(self):
        WORLD.fakes.fault({"server": "harvest", "method": "POST", "path_re": "notes",
                           "times": -1, "action": {"status": 307, "headers": {
                               "Location": CATCHER.url("/v1/candidates/1001/notes")}}})
        r = WORLD.one_shot({"type": "send_sms", "request_id": "redir-note",
                            "candidate_id": str(CAND), "to": "+13035550143",
                            "body": "note redirected"})
        self.assertEqual(code(r), "ok", r)
        self.assertEqual(r["result"]["note"]["state"], "pending")

    def test_v3_token_redirect_not_followed(self):
        w3 = FakeWorld("v3", prefix="th-attacks-v3-")
        try:
            w3.fakes.fault({"server": "auth", "method": "POST", "times": -1,
                            "action": {"status": 302,
                                       "headers": {"Location": CATCHER.url("/token")}}})
            r = w3.one_shot({"type": "send_sms", "request_id": "redir-token",
                             "candidate_id": str(CAND), "to": "+13035550144",
                             "body": "token redirected"})
            self.assertEqual(code(r), "ok", r)  # the SMS goes; the note waits for a person
            self.assertEqual(r["result"]["note"]["state"], "stopped")
        finally:
            w3.close()

    def test_pagination_link_to_another_host(self):
        link = '<%s>; rel="next"' % CATCHER.url("/v1/users?page=2&email=alice%40acme.example")
        WORLD.fakes.fault({"server": "harvest", "method": "GET", "path_re": "^/v1/users$",
                           "times": -1, "action": {"status": 200, "body": [],
                                                   "headers": {"Link": link}}})
        r = WORLD.one_shot({"type": "configure", "greenhouse": {"email": "alice@acme.example"}})
        self.assertEqual(code(r), "verification_failed", r)
        failed = [c for c in r["error"]["details"]["verification"] if c["status"] == "fail"]
        self.assertTrue(any(c["code"] == "upstream_invalid" for c in failed), failed)

    def test_urls_and_paths_in_ids(self):
        before = WORLD.api_count()
        bad = [
            {"type": "message_status", "message_id": CATCHER.url("/messages/x")},
            {"type": "message_status", "message_id": "//127.0.0.1:%d/messages/x" % CATCHER.port},
            {"type": "message_status", "message_id": "/messages/../accounts"},
            {"type": "message_status", "message_id": "/messages/x?access_token=1"},
            {"type": "message_status", "message_id": "/messages/x#y"},
            {"type": "message_status", "message_id": "/messages/x%2F..%2Fy"},
            {"type": "message_status", "message_id": "/messages/x\r\nHost: evil"},
        ]
        for field in ("candidate_id", "to", "request_id"):
            for v in (CATCHER.url("/x"), "../1002", "1001?x=1", "1001#x", "1001/notes"):
                p = {"type": "send_sms", "request_id": "urlid", "candidate_id": str(CAND),
                     "to": "+13035550123", "body": "b"}
                p[field] = v
                bad.append(p)
        bad.append({"type": "import_contact", "candidate_id": CATCHER.url("/c"),
                    "to": "+13035550123", "name": "Jane"})
        bad.append({"type": "opt_out", "to": CATCHER.url("/o")})
        for p in bad:
            with self.subTest(payload=p):
                self.assertEqual(code(WORLD.one_shot(p)), "bad_request")
        self.assertEqual(WORLD.api_count(), before)

    def test_configure_from_the_extension_cannot_point_anywhere(self):
        store = os.path.join(WORLD.home, "credentials.store")
        pristine = read_all(store)
        before = WORLD.api_count()
        docs = [
            ({"textus": {"token": "tok_x_FAKE", "base_url": CATCHER.url()}}, "invalid_config"),
            ({"textus": {"account": "acme", "Base_URL": CATCHER.url()}}, "invalid_config"),
            ({"greenhouse": {"email": "alice@acme.example", "auth_url": CATCHER.url()}},
             "invalid_config"),
            ({"greenhouse": {"api_key": V1_KEY, "base_url": CATCHER.url()}}, "invalid_config"),
            ({"internal": {"generation": 1}}, "invalid_config"),
            ({"settings": {"ca_file": "/tmp/x.pem"}, "textus": {"account": "acme"}},
             "invalid_config"),
            ({"greenhouse": {"api_key": "key\r\nHost: evil.example"}}, "invalid_config"),
            ({"textus": {"token": "tok with spaces"}}, "invalid_config"),
            ({"url": CATCHER.url()}, "invalid_config"),
        ]
        for doc, want in docs:
            with self.subTest(doc=doc):
                r = WORLD.one_shot(dict(doc, type="configure"))
                self.assertEqual(code(r), want, r)
        raw = b'{"type":"configure","textus":{"base_url\\u0000":"%s"}}' % CATCHER.url().encode()
        self.assertEqual(code(WORLD.one_shot(raw)), "bad_request")
        self.assertEqual(read_all(store), pristine, "the store changed")
        self.assertEqual(WORLD.api_count(), before, "a refused configure verified online")


class StateFolder(unittest.TestCase):
    """Symlinks, modes and owners in the state folder: refused, the target never touched."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="th-attacks-state-")
        self.home = os.path.join(self.tmp, "home")
        self.saved_env = WORLD.env
        WORLD.env = {"TEXTUS_HOST_HOME": self.home}
        rc, _, err = WORLD.configure()
        self.assertEqual(rc, 0, err)
        # one send so that the outbox exists
        r = WORLD.one_shot({"type": "send_sms", "request_id": "state-1",
                            "candidate_id": str(CAND), "to": "+13035550145", "body": "state"})
        self.assertEqual(code(r), "ok", r)
        self.victim = os.path.join(self.tmp, "victim")
        with open(self.victim, "wb") as f:
            f.write(b"victim\n")
        os.chmod(self.victim, 0o600)

    def tearDown(self):
        WORLD.env = self.saved_env
        shutil.rmtree(self.tmp, ignore_errors=True)

    def p(self, name):
        return os.path.join(self.home, name)

    def refused(self, expect="store_permissions", verb=None):
        r = WORLD.one_shot(verb or {"type": "status"})
        self.assertEqual(code(r), expect, r)
        rc, _, err = WORLD.cli("status")
        self.assertEqual(rc, 1, err)
        self.assertIn(expect, err)

    def swap_for_symlink(self, name, target=None):
        real = self.p(name)
        os.rename(real, real + ".real")
        if target is None:
            target = self.victim
            shutil.copyfile(real + ".real", target)  # a symlink to a perfectly good copy
        os.symlink(target, real)
        return real

    def test_symlinked_store(self):
        self.swap_for_symlink("credentials.store")
        self.refused()

    def test_symlinked_key(self):
        self.swap_for_symlink("store.key")
        self.refused()

    def test_symlinked_generation_record(self):
        self.swap_for_symlink("store.generation")
        self.refused()

    def test_symlinked_outbox(self):
        os.symlink(self.victim, self.p("outbox.sqlite.tmp"))
        os.rename(self.p("outbox.sqlite"), self.p("outbox.sqlite.real"))
        os.rename(self.p("outbox.sqlite.tmp"), self.p("outbox.sqlite"))
        r = WORLD.one_shot({"type": "send_sms", "request_id": "state-2",
                            "candidate_id": str(CAND), "to": "+13035550146", "body": "x"})
        self.assertEqual(code(r), "store_permissions", r)
        self.assertEqual(read_all(self.victim), b"victim\n")

    def test_symlinked_lock(self):
        os.unlink(self.p("credentials.lock"))
        os.symlink(self.victim, self.p("credentials.lock"))
        rc, _, err = WORLD.configure({"textus": {"account": "acme"}})
        self.assertEqual(rc, 1)
        self.assertIn("store_permissions", err)
        self.assertEqual(read_all(self.victim), b"victim\n")

    def test_symlinked_folder(self):
        real = self.home + ".real"
        os.rename(self.home, real)
        os.symlink(real, self.home)
        self.refused()

    def test_open_modes(self):
        for name, mode, fix in (("store.key", 0o644, "chmod 600"),
                                ("store.key", 0o660, "chmod 600"),
                                ("credentials.store", 0o604, "chmod 600"),
                                ("store.generation", 0o640, "chmod 600"),
                                ("", 0o750, "chmod 700"), ("", 0o701, "chmod 700")):
            with self.subTest(name=name, mode=oct(mode)):
                path = self.p(name) if name else self.home
                old = stat.S_IMODE(os.stat(path).st_mode)
                os.chmod(path, mode)
                try:
                    self.refused()
                    self.assertIn(fix, WORLD.cli("status")[2])
                finally:
                    os.chmod(path, old)
        self.assertEqual(WORLD.cli("status")[0], 0)

    @unittest.skipUnless(os.geteuid() == 0, "changing a file's owner needs root")
    def test_another_owner(self):
        for name in ("credentials.store", "store.key", ""):
            with self.subTest(name=name):
                path = self.p(name) if name else self.home
                os.chown(path, 65534, 65534)
                try:
                    self.refused()
                    # the .exe under Wine (tests/windows/run_suites.py) names a Windows account
                    self.assertIn("another Windows account" if os.environ.get("TH_WIN_EXE")
                                  else "another user", WORLD.cli("status")[2])
                finally:
                    os.chown(path, 0, 0)


class HostileFrames(unittest.TestCase):
    def test_four_gib_length_with_little_behind_it(self):
        h = Host(env=WORLD.env)
        h.send_raw(struct.pack("=I", 0xFFFFFFFF) + b"x" * 4096)
        rc, out, _ = h.close()
        self.assertEqual(rc, 3)
        self.assertEqual(out, b"")

    def test_a_thousand_frames_in_one_write(self):
        h = Host(env=WORLD.env)
        h.send_raw(b"".join(nmhost.frame({"type": "ping", "id": i}) for i in range(1000)))
        ids = [h.read_reply()["id"] for _ in range(1000)]
        self.assertEqual(ids, list(range(1000)))
        self.assertEqual(h.close()[0], 0)

    def test_an_id_that_would_make_the_reply_too_large(self):
        h = Host(env=WORLD.env)
        big = "i" * ((1 << 20) - 40)  # the request fits the 1 MiB cap, the reply would not
        h.send({"type": "ping", "id": big})
        r = h.read_reply()
        self.assertEqual(code(r), "reply_too_large")
        self.assertIsNone(r["id"])
        self.assertEqual(code(h.request({"type": "ping", "id": "after"})), "ok")
        self.assertEqual(h.close()[0], 0)


if __name__ == "__main__":
    unittest.main(verbosity=1)
