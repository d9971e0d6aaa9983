"""Credential store through the real binary: `configure` (piped JSON), `status`
(text and --json), `rekey`, the `status` and `configure` verbs, tamper / wrong
key / permission refusals, concurrent writers (2 and 8 real processes), the
settings the executable looks up (extra origin, no origin, inbound cap), the
XDG locations, and a canary secret that must never appear in any output or in
any file under the state root except inside the ciphertext.
"""
import json
import os
import pty
import select
import shutil
import stat
import struct
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import nmhost  # noqa: E402
from nmhost import Host, frame, STUB_ORIGIN  # noqa: E402

CANARY = "cnry-TOKEN-5b8e1f0a9c7d3e2f"
CANARY2 = "cnry-GHSECRET-0d1e2f3a4b5c"
OTHER_ID = "abcdefghijklmnopabcdefghijklmnop"
OUTPUTS = []  # every byte the binary printed during the run
ROOTS = []

FULL = {
    "textus": {"token": CANARY, "account": "acme-co"},
    "greenhouse": {"email": "recruiter@example.com", "client_id": "client-id-0001",
                   "client_secret": CANARY2},
}


def new_root():
    root = tempfile.mkdtemp(prefix="th-store-cli-")
    ROOTS.append(root)
    return root


def env_for(root):
    env = dict(os.environ)
    env["TEXTUS_HOST_HOME"] = root
    env["TEXTUS_HOST_LOG"] = os.path.join(root, "host.log")
    env.pop("TH_FAILPOINT", None)
    return env


def cli(root, *args, stdin=None, env=None):
    p = subprocess.run([nmhost.host_path(), *args], input=(stdin or "").encode(),
                       capture_output=True, env=env or env_for(root), timeout=60)
    OUTPUTS.append(p.stdout + p.stderr)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


def configure(root, doc, *args):
    # online verification is tested in tests/verify against the fakes; here the store alone
    return cli(root, "configure", "--no-verify", *args, stdin=json.dumps(doc))


def status_json(root):
    rc, out, err = cli(root, "status", "--json")
    return rc, json.loads(out), err


def host(root, origin=STUB_ORIGIN):
    return Host(env=env_for(root), origin=origin)


def done(h):
    """Close a Host, keep what it printed, return its exit code."""
    rc, rest, err = h.close()
    h.proc.stdout.close()
    h.proc.stderr.close()
    OUTPUTS.append(rest + err.encode())
    return rc


def request(root, payload, origin=STUB_ORIGIN):
    h = host(root, origin)
    reply = h.request(payload)
    done(h)
    OUTPUTS.append(json.dumps(reply).encode())
    return reply


def err_code(reply):
    assert reply["ok"] is False, reply
    return reply["error"]["code"]


def last4(s):
    return "****" + s[-4:]


class Configure(unittest.TestCase):
    def test_piped_configure_and_status(self):
        root = new_root()
        rc, out, err = configure(root, FULL)
        self.assertEqual(rc, 0, err)
        self.assertIn("saved.", out)
        self.assertIn("online verification: skipped (--no-verify)", out)
        self.assertIn(last4(CANARY), out)
        self.assertIn("v3 (OAuth client credentials)", out)
        rc, out, err = cli(root, "status")
        self.assertEqual(rc, 0, err)
        self.assertIn("configured: yes", out)
        self.assertIn(last4(CANARY2), out)
        self.assertIn("ok (0600)", out)
        self.assertNotIn("2026-08-31", out)
        rc, st, _ = status_json(root)
        self.assertEqual(rc, 0)
        self.assertIs(st["configured"], True)
        self.assertEqual(st["textus"]["token"], last4(CANARY))
        self.assertEqual(st["textus"]["account"], "acme-co")
        self.assertEqual(st["textus"]["base_url"], "https://next.textus.com")
        self.assertEqual(st["greenhouse"]["harvest"], "v3")
        self.assertEqual(st["greenhouse"]["client_secret"], last4(CANARY2))
        self.assertIsNone(st["greenhouse"]["api_key"])
        self.assertEqual(st["greenhouse"]["auth_url"], "https://auth.greenhouse.io")
        self.assertEqual(st["settings"]["note_visibility"], "private")
        self.assertEqual(st["paths"]["store"], os.path.join(root, "credentials.store"))
        self.assertEqual(st["permissions"]["store"], "ok (0600)")
        self.assertIs(st["permissions_ok"], True)
        # a v1 key over the stored v3 pair is refused unless the document says "harvest": "v1"
        before = open(os.path.join(root, "credentials.store"), "rb").read()
        rc, out, err = configure(root, {"greenhouse": {"api_key": "harvest-v1-key-9999"}},
                                 "--no-verify")
        self.assertEqual(rc, 2, out + err)
        self.assertIn('"harvest": "v1"', err)
        self.assertEqual(open(os.path.join(root, "credentials.store"), "rb").read(), before)
        # switching explicitly to a v1 key: the v3 pair goes, the notice appears
        rc, out, err = configure(root, {"greenhouse": {"harvest": "v1",
                                                       "api_key": "harvest-v1-key-9999"}},
                                 "--no-verify")
        self.assertEqual(rc, 0, err)
        self.assertRegex(out, r"greenhouse\.client_secret +removed")
        self.assertRegex(out, r"greenhouse\.harvest +changed: v1 .*\(was v3")
        self.assertIn("online verification: skipped (--no-verify)", out)
        rc, out, _ = cli(root, "status")
        self.assertIn("v1 (API key)", out)
        self.assertIn("announced the removal of Harvest v1/v2 for 2026-08-31; that date has passed", out)
        rc, st, _ = status_json(root)
        self.assertEqual(st["greenhouse"]["harvest"], "v1")
        self.assertIsNone(st["greenhouse"]["client_secret"])
        self.assertEqual(st["greenhouse"]["api_key"], "****9999")
        self.assertIn("2026-08-31", st["greenhouse"]["notice"])
        self.assertEqual(st["textus"]["token"], last4(CANARY))

    def test_not_configured_status(self):
        root = new_root()
        rc, out, _ = cli(root, "status")
        self.assertEqual(rc, 1)  # nothing configured yet: the output still says what it sees
        self.assertIn("configured: no", out)
        rc, st, _ = status_json(root)
        self.assertIs(st["configured"], False)
        self.assertEqual(st["permissions"]["store"], "missing")

    def test_secrets_never_from_argv(self):
        root = new_root()
        for args in (["--token=" + CANARY], ["--api-key", CANARY], [CANARY],
                     ["--client-secret=" + CANARY]):
            rc, out, err = cli(root, "configure", *args, stdin="{}")
            self.assertEqual(rc, 2)
            self.assertIn("never accepted as command-line arguments", err)
            self.assertNotIn(CANARY, out + err)
        self.assertFalse(os.path.exists(os.path.join(root, "credentials.store")))
        rc, _, err = cli(root, "configure", "--frobnicate", stdin="{}")
        self.assertEqual(rc, 2)

    def test_shape_validation(self):
        root = new_root()
        cases = [
            ({"textus": {"base_url": "http://example.com"}}, "textus.base_url"),
            ({"greenhouse": {"auth_url": "ftp://auth.example"}}, "greenhouse.auth_url"),
            ({"greenhouse": {"email": "not-an-email"}}, "greenhouse.email"),
            ({"textus": {"account": "Acme Co"}}, "textus.account"),
            ({"settings": {"inbound_cap": 1}}, "settings.inbound_cap"),
            ({"settings": {"segment_limit": 0}}, "settings.segment_limit"),
        ]
        for doc, field in cases:
            with self.subTest(field=field):
                rc, _, err = configure(root, doc)
                self.assertEqual(rc, 2)  # the input is wrong: nothing contacted or saved
                self.assertIn("textus-host configure: invalid_config: ", err)
                self.assertIn(field, err)
        rc, _, err = cli(root, "configure", stdin="not json")
        self.assertEqual(rc, 2)
        self.assertIn("textus-host configure: invalid_config: ", err)
        self.assertFalse(os.path.exists(os.path.join(root, "credentials.store")))
        # loopback http is fine
        rc, _, err = configure(root, {"textus": {"base_url": "http://127.0.0.1:8081"},
                                      "greenhouse": {"base_url": "http://[::1]:9/",
                                                     "auth_url": "http://localhost:7"}})
        self.assertEqual(rc, 0, err)

    def test_xdg_locations(self):
        base = new_root()
        env = dict(os.environ)
        env.pop("TEXTUS_HOST_HOME", None)
        env["HOME"] = base
        env["XDG_CONFIG_HOME"] = os.path.join(base, "cfg")
        env["XDG_DATA_HOME"] = os.path.join(base, "data")
        p = subprocess.run([nmhost.host_path(), "configure", "--no-verify"],
                           input=json.dumps(FULL).encode(),
                           capture_output=True, env=env, timeout=60)
        OUTPUTS.append(p.stdout + p.stderr)
        self.assertEqual(p.returncode, 0, p.stderr)
        store = os.path.join(base, "cfg", "textus-host", "credentials.store")
        key = os.path.join(base, "data", "textus-host", "store.key")
        self.assertTrue(os.path.isfile(store))
        self.assertTrue(os.path.isfile(key))
        self.assertFalse(os.path.exists(os.path.join(base, "cfg", "textus-host", "store.key")))
        for d in (os.path.dirname(store), os.path.dirname(key)):
            self.assertEqual(stat.S_IMODE(os.stat(d).st_mode), 0o700)


class Verbs(unittest.TestCase):
    def test_status_verb_unconfigured(self):
        root = new_root()
        r = request(root, {"type": "status", "id": 1})
        self.assertTrue(r["ok"], r)
        self.assertIs(r["result"]["configured"], False)

    def test_configure_and_status_verbs(self):
        root = new_root()
        # the verb always verifies online: point the services at a closed loopback port
        # (local configuration) and keep the values anyway; tests/verify covers verification
        closed = "http://127.0.0.1:9"
        rc, _, err = configure(root, {"textus": {"base_url": closed},
                                      "greenhouse": {"base_url": closed, "auth_url": closed}})
        self.assertEqual(rc, 0, err)
        h = host(root)
        r = h.request(dict(FULL, type="configure", id="c1", save_anyway=True))
        self.assertTrue(r["ok"], r)
        res = r["result"]
        self.assertIs(res["saved"], True)
        self.assertIs(res["verified"], False)
        self.assertIs(res["configured"], True)
        self.assertEqual(res["textus"]["token"], last4(CANARY))
        self.assertEqual(res["greenhouse"]["client_secret"], last4(CANARY2))
        self.assertEqual(res["verification"][0]["check"], "TextUs token")
        self.assertEqual(res["verification"][0]["code"], "upstream_unavailable")
        r = h.request({"type": "status", "id": "s1"})
        self.assertTrue(r["ok"], r)
        self.assertEqual(r["result"]["textus"]["account"], "acme-co")
        self.assertEqual(r["result"]["greenhouse"]["harvest"], "v3")
        OUTPUTS.append(json.dumps(res).encode())
        self.assertEqual(done(h), 0)
        # the CLI sees the same store
        rc, st, _ = status_json(root)
        self.assertEqual(st["textus"]["token"], last4(CANARY))

    def test_configure_verb_refuses_local_settings(self):
        root = new_root()
        forbidden = [
            ({"textus": {"base_url": "https://evil.example"}}, "textus.base_url"),
            ({"greenhouse": {"base_url": "https://evil.example"}}, "greenhouse.base_url"),
            ({"greenhouse": {"auth_url": "https://evil.example"}}, "greenhouse.auth_url"),
            ({"settings": {"ca_file": "/tmp/evil.pem"}}, "settings"),
            ({"settings": {"allowed_extension_ids": [OTHER_ID]}}, "settings"),
            ({"settings": {"inbound_cap": 65536}}, "settings"),
            ({"textus": {"token": CANARY}, "cache": {}}, "cache"),
        ]
        h = host(root)
        for doc, field in forbidden:
            with self.subTest(field=field):
                r = h.request(dict(doc, type="configure"))
                self.assertEqual(err_code(r), "invalid_config")
                self.assertIn(field, r["error"]["message"])
        r = h.request({"type": "configure", "greenhouse": {"email": "bad"}})
        self.assertEqual(err_code(r), "invalid_config")
        r = h.request({"type": "configure"})
        self.assertEqual(err_code(r), "invalid_config")
        done(h)
        self.assertFalse(os.path.exists(os.path.join(root, "credentials.store")))


def flip(path, offset):
    with open(path, "r+b") as f:
        f.seek(offset)
        b = f.read(1)
        f.seek(offset)
        f.write(bytes([b[0] ^ 0x20]))


def read(path):
    with open(path, "rb") as f:
        return f.read()


class Refusals(unittest.TestCase):
    def setUp(self):
        self.root = new_root()
        rc, _, err = configure(self.root, FULL)
        self.assertEqual(rc, 0, err)
        self.store = os.path.join(self.root, "credentials.store")
        self.key = os.path.join(self.root, "store.key")

    def test_tampered_store(self):
        size = os.path.getsize(self.store)
        for off in (3, 15, 30, 60, size - 5):  # magic, key id, nonce, ciphertext, tag
            with self.subTest(offset=off):
                pristine = read(self.store)
                flip(self.store, off)
                tampered = read(self.store)
                rc, out, err = cli(self.root, "status")
                self.assertEqual(rc, 1)
                self.assertIn("store_corrupt", err)
                self.assertIn("left untouched", err)
                rc, _, err = configure(self.root, {"textus": {"account": "x"}})
                self.assertEqual(rc, 1)
                self.assertIn("store_corrupt", err)
                self.assertEqual(err_code(request(self.root, {"type": "status"})),
                                 "store_corrupt")
                self.assertEqual(read(self.store), tampered, "the store was rewritten")
                with open(self.store, "wb") as f:
                    f.write(pristine)
        with open(self.store, "r+b") as f:
            f.truncate(size - 1)
        rc, _, err = cli(self.root, "status")
        self.assertIn("store_corrupt", err)

    def test_wrong_key(self):
        other = new_root()
        configure(other, {"textus": {"account": "other"}})
        shutil.copyfile(os.path.join(other, "store.key"), self.key)
        rc, _, err = cli(self.root, "status")
        self.assertEqual(rc, 1)
        self.assertIn("store_key_mismatch", err)
        self.assertEqual(err_code(request(self.root, {"type": "status"})), "store_key_mismatch")
        os.unlink(self.key)
        rc, _, err = cli(self.root, "status")
        self.assertIn("store_key_mismatch", err)
        self.assertIn("missing", err)

    def test_permissions(self):
        os.chmod(self.store, 0o644)
        rc, out, err = cli(self.root, "status")
        self.assertEqual(rc, 1)
        self.assertIn("store_permissions", err)
        self.assertIn("chmod 600 '%s'" % self.store, err)
        self.assertIn("refused: %s is accessible by group or others (mode 0644)" % self.store, out)
        self.assertEqual(err_code(request(self.root, {"type": "status"})), "store_permissions")
        rc, _, err = configure(self.root, {"textus": {"account": "x"}})
        self.assertEqual(rc, 1)
        self.assertIn("store_permissions", err)
        os.chmod(self.store, 0o600)
        os.chmod(self.root, 0o755)
        rc, out, err = cli(self.root, "status")
        self.assertEqual(rc, 1)
        self.assertIn("chmod 700 '%s'" % self.root, err)
        os.chmod(self.root, 0o700)
        self.assertEqual(cli(self.root, "status")[0], 0)

    def test_rekey(self):
        old_key = read(self.key)
        old_store = read(self.store)
        rc, out, err = cli(self.root, "rekey")
        self.assertEqual(rc, 0, err)
        self.assertIn("rekeyed", out)
        self.assertNotEqual(read(self.key), old_key)
        self.assertNotEqual(read(self.store), old_store)
        rc, st, _ = status_json(self.root)
        self.assertEqual(rc, 0)
        self.assertEqual(st["textus"]["token"], last4(CANARY))
        new_key = read(self.key)
        with open(self.key, "wb") as f:
            f.write(old_key)
        rc, _, err = cli(self.root, "status")
        self.assertIn("store_key_mismatch", err)
        with open(self.key, "wb") as f:
            f.write(new_key)
        self.assertEqual(cli(self.root, "status")[0], 0)


class Concurrency(unittest.TestCase):
    FIELDS = [
        ("textus", "account", lambda i: "acct-%d" % i),
        ("greenhouse", "email", lambda i: "r%d@example.com" % i),
        ("textus", "base_url", lambda i: "https://t%d.example.com" % i),
        ("greenhouse", "auth_url", lambda i: "https://a%d.example.com" % i),
        ("settings", "segment_limit", lambda i: 1 + i % 9),
        ("settings", "ca_file", lambda i: "/etc/ssl/ca-%d.pem" % i),
        ("settings", "timeout_ms", lambda i: 1000 + i),
        ("settings", "connect_timeout_ms", lambda i: 2000 + i),
    ]

    def run_parallel(self, n, rounds):
        root = new_root()
        configure(root, FULL)
        for r in range(rounds):
            procs = []
            for i in range(n):
                sec, name, val = self.FIELDS[i]
                doc = {sec: {name: val(r * 10 + i)}}
                # a file on stdin: every writer starts at once, none waits on a pipe
                path = os.path.join(root, "doc-%d.json" % i)
                with open(path, "w") as f:
                    json.dump(doc, f)
                with open(path, "rb") as f:
                    procs.append(subprocess.Popen([nmhost.host_path(), "configure",
                                                   "--no-verify"], stdin=f,
                                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                                  env=env_for(root)))
            for p in procs:
                out, err = p.communicate(timeout=60)
                OUTPUTS.append(out + err)
                self.assertEqual(p.returncode, 0, err)
            rc, st, _ = status_json(root)
            for i in range(n):
                sec, name, val = self.FIELDS[i]
                self.assertEqual(st[sec][name], val(r * 10 + i),
                                 "round %d: lost update of %s.%s" % (r, sec, name))
            self.assertEqual(st["textus"]["token"], last4(CANARY))

    def test_two_processes(self):
        self.run_parallel(2, 4)

    def test_eight_processes(self):
        self.run_parallel(8, 3)


class SettingsExports(unittest.TestCase):
    def test_extra_allowed_extension(self):
        root = new_root()
        origin = "chrome-extension://%s/" % OTHER_ID
        self.assertEqual(err_code(request(root, {"type": "ping"}, origin=origin)),
                         "forbidden_origin")
        rc, _, err = configure(root, {"settings": {"allowed_extension_ids": [OTHER_ID]}})
        self.assertEqual(rc, 0, err)
        r = request(root, {"type": "ping", "id": 5}, origin=origin)
        self.assertTrue(r["ok"], r)
        other = "chrome-extension://%s/" % ("p" * 32)
        self.assertEqual(err_code(request(root, {"type": "ping"}, origin=other)),
                         "forbidden_origin")

    def test_allow_no_origin(self):
        root = new_root()
        self.assertEqual(err_code(request(root, {"type": "ping"}, origin=None)),
                         "forbidden_origin")
        configure(root, {"settings": {"allow_no_origin": True}})
        self.assertTrue(request(root, {"type": "ping"}, origin=None)["ok"])

    def test_inbound_cap(self):
        root = new_root()
        body = json.dumps({"type": "ping", "id": "big", "pad": "x" * 70000}).encode()
        h = host(root)
        h.send_raw(frame(body))
        self.assertTrue(h.read_reply()["ok"])
        done(h)
        rc, _, err = configure(root, {"settings": {"inbound_cap": 65536}})
        self.assertEqual(rc, 0, err)
        h = host(root)
        h.send_raw(frame(body))
        self.assertEqual(err_code(h.read_reply()), "message_too_large")
        self.assertTrue(h.request({"type": "ping", "id": "after"})["ok"])
        done(h)
        # a larger cap lets a 2 MiB request through
        configure(root, {"settings": {"inbound_cap": 4 << 20}})
        big = json.dumps({"type": "ping", "id": "2m", "pad": "y" * (2 << 20)}).encode()
        h = host(root)
        h.send_raw(frame(big))
        self.assertTrue(h.read_reply()["ok"])
        done(h)


class Interactive(unittest.TestCase):
    """configure on a terminal: asks, secrets typed without echo."""

    def read_until(self, fd, marker, buf, start=0):
        while marker not in buf[start:]:
            r, _, _ = select.select([fd], [], [], 30)
            self.assertTrue(r, "no prompt; got %r" % buf[-200:])
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                break
            if not chunk:
                break
            buf += chunk
        return buf

    def test_prompts(self):
        root = new_root()
        pid, fd = pty.fork()
        if pid == 0:
            os.execve(nmhost.host_path(), ["textus-host", "configure", "--no-verify"],
                      env_for(root))
        answers = [(b"token", CANARY), (b"account", "acme"), (b"email", "r@example.com"),
                   (b"Harvest API", "v3"), (b"client id", "client-id-42"),
                   (b"client secret", CANARY2)]
        out = b""
        for prompt, answer in answers:
            start = len(out)
            out = self.read_until(fd, prompt, out, start)
            out = self.read_until(fd, b": ", out, out.index(prompt, start))
            os.write(fd, answer.encode() + b"\n")
        out = self.read_until(fd, b"saved.", out)
        while True:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                break
            if not chunk:
                break
            out += chunk
        _, st = os.waitpid(pid, 0)
        os.close(fd)
        OUTPUTS.append(out)
        self.assertEqual(os.WEXITSTATUS(st), 0, out)
        self.assertIn(b"acme", out)  # plain answers echo
        rc, st, _ = status_json(root)
        self.assertEqual(st["textus"]["token"], last4(CANARY))
        self.assertEqual(st["greenhouse"]["client_secret"], last4(CANARY2))
        self.assertEqual(st["greenhouse"]["harvest"], "v3")


def tearDownModule():
    needles = [CANARY.encode(), CANARY2.encode()]
    for blob in OUTPUTS:
        for n in needles:
            assert n not in blob, "a secret appeared in the output: %r" % blob[:300]
    for root in ROOTS:
        for dirpath, _, files in os.walk(root):
            for name in files:
                data = read(os.path.join(dirpath, name))
                for n in needles:
                    assert n not in data, "a secret appeared in %s" % os.path.join(dirpath, name)
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    unittest.main(verbosity=2)
