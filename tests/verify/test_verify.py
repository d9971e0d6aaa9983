"""Online verification in `configure`, through the real binary
against the Python fakes (tests/fakes): the CLI checklist and exit status, the
store kept unchanged on failure, --save-anyway, --no-verify (no request at all),
the `configure` verb (result.verification, error verification_failed with
error.details.verification), the cached Greenhouse user id, and canary secrets
that never appear in any output, log or fake record.
"""
import json
import os
import subprocess
import sys
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.environ.get("TH_SOURCE_DIR", os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(SRC, "tests", "lib"))
from configfakes import ConfigFakes, Creds, store_bytes  # noqa: E402
import nmhost  # noqa: E402

# canary secrets: each must never show up anywhere but inside the ciphertext
TOKEN = "cnry-VFYTOK-7d1c0b9a8e6f5a4b"
TOKEN_BAD = "cnry-VFYBAD-2e3f4a5b6c7d8e9f"
TOKEN_OTHER = "cnry-VFYOTH-9a8b7c6d5e4f3a2b"
KEY = "cnry-VFYKEY-0a1b2c3d4e5f6a7b"
KEY_NO_USERS = "cnry-VFYKNU-1b2c3d4e5f6a7b8c"
CLIENT = "verify-client-0001"
SECRET = "cnry-VFYSEC-3c4d5e6f7a8b9c0d"
CANARIES = [TOKEN, TOKEN_BAD, TOKEN_OTHER, KEY, KEY_NO_USERS, SECRET]

SEED = {
    "textus": {
        "tokens": {TOKEN: {"user": "/users/1", "accounts": ["acme"], "email": "alice@acme.example"},
                   TOKEN_OTHER: {"user": "/users/2", "accounts": ["acme-east"]}},
        "users": {"/users/1": {"name": "Alice", "email": "alice@acme.example"},
                  "/users/2": {"name": "Bob"}},
        "accounts": {"acme": {"name": "Acme Staffing", "phoneNumbers": ["+13035550100"]},
                     "acme-east": {"name": "Acme East", "phoneNumbers": ["+13035550101"]}},
    },
    "harvest": {
        "api_keys": {
            KEY: {"name": "alice", "permissions": ["activity_feed", "candidates_list",
                                                   "candidates_add_note", "users_retrieve",
                                                   "users_list"]},
            KEY_NO_USERS: {"name": "nousers", "permissions": ["activity_feed", "candidates_list",
                                                             "candidates_add_note",
                                                             "users_retrieve"]},
        },
        "oauth_clients": {CLIENT: {"name": "textus-host", "secret": SECRET,
                                   "service_user_site_admin": True}},
        "users": [
            {"id": 101, "first_name": "Alice", "last_name": "R",
             "primary_email_address": "alice@acme.example"},
            {"id": 103, "first_name": "Dee", "last_name": "Disabled",
             "primary_email_address": "dee@acme.example", "disabled": True},
        ],
        "candidates": [{"id": 1001, "first_name": "Jane", "last_name": "C",
                        "phone_numbers": [{"value": "(303) 555-0123", "type": "mobile"}]}],
        "activity_feed": {"1001": {"emails": [], "activities": [], "notes": []}},
    },
}

CF = ConfigFakes(SEED, CANARIES, "th-verify", Creds(TOKEN, KEY, CLIENT, SECRET))
setUpModule, tearDownModule = CF.start, CF.stop
new_root = CF.new_root


def env_for(root):
    env = dict(os.environ)
    env["TEXTUS_HOST_HOME"] = root
    env["TEXTUS_HOST_LOG"] = os.path.join(root, "host.log")
    env.pop("TH_FAILPOINT", None)
    return env


def cli(root, *args, stdin=""):
    return CF.run(args, stdin, env_for(root))


def doc(token=TOKEN, account="acme", email="alice@acme.example", key=KEY, v3=False):
    return CF.doc(token, account, email, key, v3)


def configure(root, d, *args):
    return cli(root, "configure", *args, stdin=json.dumps(d))


def status(root):
    rc, out, _ = cli(root, "status", "--json")
    assert rc == 0, out
    return json.loads(out)


last_seq = CF.last_seq


CHECKS = ["TextUs token", "TextUs account", "Greenhouse credentials",
          "Greenhouse credentials (Harvest v1 API key)",
          "Greenhouse credentials (Harvest v3 client credentials)", "Harvest v1 retirement",
          "Greenhouse user", "Users: List Users", "Users: Retrieve User",
          "Candidates: List Candidates", "Activity Feed", "Candidates: Add Note",
          "Users: List Users (harvest:users:list)",
          "Candidates: List Candidates (harvest:candidates:list)",
          "Activity Feed (harvest:notes:list)", "Candidates: Add Note (harvest:notes:create)"]


def check_lines(out):
    """{check name: (status word, rest of the line)} from the CLI checklist."""
    res = {}
    for line in out.splitlines():
        parts = line.strip().split(None, 1)
        if len(parts) != 2 or parts[0] not in ("ok", "FAIL", "warn", "unchecked"):
            continue
        names = [n for n in CHECKS if parts[1].startswith(n + ": ")]
        if names:
            name = max(names, key=len)
            res[name] = (parts[0], parts[1][len(name) + 2:])
    return res


def fix_after(out, check):
    lines = out.splitlines()
    for i, line in enumerate(lines):
        if line.strip().startswith("FAIL") and (" %s: " % check) in line:
            nxt = lines[i + 1].strip()
            assert nxt.startswith("fix: "), nxt
            return nxt[5:]
    raise AssertionError("no FAIL line for %s in:\n%s" % (check, out))


class Base(unittest.TestCase):
    def setUp(self):
        CF.fakes.reset_faults()
        CF.fakes.config({"v1_retired": False})
        CF.fakes.reset_rate_limits()


class CliPass(Base):
    def test_v1_all_pass_saved_and_user_cached(self):
        root = new_root()
        rc, out, err = configure(root, doc())
        self.assertEqual(rc, 0, out + err)
        checks = check_lines(out)
        for name in ("TextUs token", "TextUs account",
                     "Greenhouse credentials (Harvest v1 API key)", "Greenhouse user",
                     "Users: List Users", "Users: Retrieve User", "Candidates: List Candidates",
                     "Activity Feed"):
            self.assertEqual(checks[name][0], "ok", (name, out))
        # a v1 key that "may stop at any time" is a warning, not a green tick; it does not fail
        self.assertEqual(checks["Harvest v1 retirement"][0], "warn", out)
        self.assertEqual(checks["Candidates: Add Note"][0], "unchecked")
        self.assertIn("checked at the first note", checks["Candidates: Add Note"][1])
        self.assertIn("2026-08-31", checks["Harvest v1 retirement"][1])
        self.assertIn("saved.", out)
        st = status(root)
        self.assertIs(st["configured"], True)
        self.assertEqual(st["greenhouse"]["user_id"], 101)
        self.assertEqual(st["textus"]["token"], "****" + TOKEN[-4:])

    def test_v3_all_pass_saved(self):
        root = new_root()
        seq = last_seq()
        rc, out, err = configure(root, doc(v3=True))
        self.assertEqual(rc, 0, out + err)
        checks = check_lines(out)
        for name in ("TextUs token", "TextUs account",
                     "Greenhouse credentials (Harvest v3 client credentials)", "Greenhouse user",
                     "Users: List Users (harvest:users:list)",
                     "Candidates: List Candidates (harvest:candidates:list)",
                     "Activity Feed (harvest:notes:list)"):
            self.assertEqual(checks[name][0], "ok", (name, out))
        self.assertEqual(checks["Candidates: Add Note (harvest:notes:create)"][0], "unchecked")
        self.assertNotIn("Harvest v1 retirement", checks)
        # a token request was made (v3 credentials verified at the token endpoint)
        recs = [r for r in CF.fakes.requests() if r["seq"] > seq]
        self.assertTrue(any(r["server"] == "auth" and r["path"] == "/token" and r["status"] == 200
                            for r in recs), recs)
        st = status(root)
        self.assertEqual(st["greenhouse"]["harvest"], "v3")
        self.assertEqual(st["greenhouse"]["user_id"], 101)


class CliFail(Base):
    def configured_root(self):
        root = new_root()
        rc, out, err = configure(root, doc())
        self.assertEqual(rc, 0, out + err)
        return root

    def assert_failed_unchanged(self, root, before, rc, out, err):
        self.assertNotEqual(rc, 0, out)
        self.assertIn("nothing was saved", err)
        self.assertEqual(store_bytes(root), before)

    def test_bad_textus_token(self):
        root = self.configured_root()
        before = store_bytes(root)
        rc, out, err = configure(root, {"textus": {"token": TOKEN_BAD}})
        self.assert_failed_unchanged(root, before, rc, out, err)
        checks = check_lines(out)
        self.assertEqual(checks["TextUs token"][0], "FAIL")
        self.assertTrue(checks["TextUs token"][1].startswith("textus_auth: "), out)
        self.assertEqual(checks["TextUs account"][0], "unchecked")
        self.assertIn("API Tokens", fix_after(out, "TextUs token"))
        # the other checks still ran and passed
        self.assertEqual(checks["Greenhouse user"][0], "ok")

    def test_bad_token_on_first_configure_leaves_no_store(self):
        root = new_root()
        rc, out, err = configure(root, doc(token=TOKEN_BAD))
        self.assert_failed_unchanged(root, None, rc, out, err)

    def test_unknown_slug(self):
        root = self.configured_root()
        before = store_bytes(root)
        rc, out, err = configure(root, {"textus": {"account": "acme-east"}})
        self.assert_failed_unchanged(root, before, rc, out, err)
        checks = check_lines(out)
        self.assertEqual(checks["TextUs token"][0], "ok")
        self.assertEqual(checks["TextUs account"][0], "FAIL")
        self.assertTrue(checks["TextUs account"][1].startswith("textus_account: "), out)
        self.assertIn("acme", checks["TextUs account"][1])  # the user's accounts are listed
        self.assertIn("textus.account", fix_after(out, "TextUs account"))

    def test_key_lacking_users_list(self):
        root = self.configured_root()
        before = store_bytes(root)
        rc, out, err = configure(root, {"greenhouse": {"api_key": KEY_NO_USERS}})
        self.assert_failed_unchanged(root, before, rc, out, err)
        checks = check_lines(out)
        self.assertEqual(checks["Users: List Users"][0], "FAIL", out)
        # https://developers.greenhouse.io/harvest.html#errors: a key without the endpoint's
        # permission gets 401 ("a valid Harvest API key with the correct permissions")
        self.assertTrue(checks["Users: List Users"][1].startswith("greenhouse_auth: "), out)
        self.assertIn("lacks the permission", checks["Users: List Users"][1])
        fix = fix_after(out, "Users: List Users")
        self.assertIn("List Users", fix)
        self.assertIn("API Credential Management", fix)
        self.assertEqual(checks["Greenhouse credentials (Harvest v1 API key)"][0], "ok")
        self.assertEqual(checks["Candidates: List Candidates"][0], "ok")

    def test_user_email_not_found(self):
        root = self.configured_root()
        before = store_bytes(root)
        rc, out, err = configure(root, {"greenhouse": {"email": "nobody@acme.example"}})
        self.assert_failed_unchanged(root, before, rc, out, err)
        checks = check_lines(out)
        self.assertEqual(checks["Greenhouse user"][0], "FAIL")
        self.assertTrue(checks["Greenhouse user"][1].startswith("greenhouse_user_not_found: "))
        self.assertIn("greenhouse.email", fix_after(out, "Greenhouse user"))
        self.assertEqual(checks["Users: List Users"][0], "ok")  # the list itself was readable

    def test_disabled_user(self):
        root = self.configured_root()
        before = store_bytes(root)
        rc, out, err = configure(root, {"greenhouse": {"email": "dee@acme.example"}})
        self.assert_failed_unchanged(root, before, rc, out, err)
        checks = check_lines(out)
        self.assertEqual(checks["Greenhouse user"][0], "FAIL")
        self.assertIn("disabled", checks["Greenhouse user"][1])
        self.assertIn("re-enable", fix_after(out, "Greenhouse user"))

    def test_v1_retired_gives_the_v3_hint(self):
        root = new_root()
        CF.fakes.config({"v1_retired": True})
        rc, out, err = configure(root, doc())
        self.assert_failed_unchanged(root, None, rc, out, err)
        checks = check_lines(out)
        self.assertEqual(checks["Harvest v1 retirement"][0], "FAIL", out)
        self.assertTrue(checks["Harvest v1 retirement"][1].startswith("greenhouse_v1_retired: "))
        fix = fix_after(out, "Harvest v1 retirement")
        self.assertIn("client_id + client_secret", fix)
        self.assertEqual(checks["Candidates: Add Note"][0], "unchecked")
        # the same store, switched to v3 while v1 is gone, verifies and saves
        rc, out, err = configure(root, doc(v3=True))
        self.assertEqual(rc, 0, out + err)

    def test_save_anyway(self):
        root = self.configured_root()
        before = store_bytes(root)
        rc, out, err = configure(root, {"textus": {"token": TOKEN_BAD}}, "--save-anyway")
        self.assertNotEqual(rc, 0)
        self.assertIn("saved anyway", out)
        self.assertNotEqual(store_bytes(root), before)
        self.assertEqual(status(root)["textus"]["token"], "****" + TOKEN_BAD[-4:])

    def test_store_changed_during_verification_is_not_overwritten(self):
        root = self.configured_root()
        # hold the verification at TextUs while another process changes the token
        CF.fakes.fault({"server": "textus", "path_re": "^/accounts$", "action": {"delay_ms": 3000}})
        p = subprocess.Popen([nmhost.host_path(), "configure"], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env_for(root))
        p.stdin.write(json.dumps({"settings": {"note_visibility": "public"}}).encode())
        p.stdin.close()
        self.assertEqual(p.stdout.readline(), b"online verification:\n")
        time.sleep(0.4)  # the merge preview is done; the fake holds /accounts for 3 s
        rc, out, err = configure(root, {"textus": {"token": TOKEN_OTHER}}, "--no-verify")
        self.assertEqual(rc, 0, out + err)
        out, err = p.stdout.read(), p.stderr.read()
        p.wait(timeout=60)
        p.stdout.close()
        p.stderr.close()
        CF.outputs.append(out + err)
        self.assertNotEqual(p.returncode, 0, out)
        self.assertIn(b"changed by another process", err)
        st = status(root)
        self.assertEqual(st["textus"]["token"], "****" + TOKEN_OTHER[-4:])
        self.assertEqual(st["settings"]["note_visibility"], "private")

    def test_unreachable_service_fails_quickly(self):
        root = new_root()
        d = doc()
        d["textus"]["base_url"] = "http://127.0.0.1:9"  # discard port: connection refused
        rc, out, err = configure(root, d)
        self.assert_failed_unchanged(root, None, rc, out, err)
        checks = check_lines(out)
        self.assertTrue(checks["TextUs token"][1].startswith("upstream_unavailable: "), out)
        self.assertIn("base_url", fix_after(out, "TextUs token"))


class NoVerify(Base):
    def test_no_request_at_all(self):
        root = new_root()
        seq = last_seq()
        rc, out, err = configure(root, doc(token=TOKEN_BAD, email="nobody@acme.example"),
                                 "--no-verify")
        self.assertEqual(rc, 0, out + err)
        self.assertIn("online verification: skipped (--no-verify)", out)
        self.assertNotIn("verifying", out)
        rc, out, err = configure(root, doc(v3=True), "--no-verify")
        self.assertEqual(rc, 0, out + err)
        self.assertEqual([r for r in CF.fakes.requests() if r["seq"] > seq], [])
        st = status(root)
        self.assertIsNone(st["greenhouse"]["user_id"])

    def test_partial_configuration_is_unchecked_not_failed(self):
        root = new_root()
        seq = last_seq()
        rc, out, err = configure(root, {"settings": {"note_visibility": "public"}})
        self.assertEqual(rc, 0, out + err)
        checks = check_lines(out)
        self.assertEqual(checks["TextUs token"][0], "unchecked")
        self.assertEqual(checks["Greenhouse credentials"][0], "unchecked")
        self.assertEqual([r for r in CF.fakes.requests() if r["seq"] > seq], [])


def verb(root, payload):
    return CF.verb(payload, env_for(root))


class Verb(Base):
    def local_root(self):
        """URLs are local configuration: set with the CLI (no verification needed)."""
        root = new_root()
        rc, out, err = configure(root, CF.urls(), "--no-verify")
        self.assertEqual(rc, 0, out + err)
        return root

    def creds(self, **kw):
        d = doc(**kw)
        for sec in d.values():
            sec.pop("base_url", None)
            sec.pop("auth_url", None)
        return d

    def test_verb_success(self):
        root = self.local_root()
        r = verb(root, dict(self.creds(v3=True), type="configure", id="v1"))
        self.assertIs(r["ok"], True, r)
        res = r["result"]
        self.assertIs(res["saved"], True)
        self.assertIs(res["verified"], True)
        self.assertIs(res["configured"], True)
        self.assertEqual(res["greenhouse"]["user_id"], 101)
        by = {c["check"]: c for c in res["verification"]}
        self.assertEqual(by["TextUs token"]["status"], "ok")
        self.assertIsNone(by["TextUs token"]["fix"])
        self.assertEqual(by["Candidates: Add Note (harvest:notes:create)"]["status"], "unchecked")
        for c in res["verification"]:
            self.assertEqual(set(c), {"check", "status", "message", "fix", "code"})

    def test_verb_failure_saves_nothing(self):
        root = self.local_root()
        before = store_bytes(root)
        r = verb(root, dict(self.creds(token=TOKEN_BAD), type="configure", id="v2"))
        self.assertIs(r["ok"], False, r)
        err = r["error"]
        self.assertEqual(err["code"], "verification_failed")
        self.assertIs(err["retryable"], False)
        self.assertIn("TextUs token", err["message"])
        self.assertIn("textus_auth", err["message"])
        self.assertIn("nothing was saved", err["message"])
        self.assertLess(len(err["message"]), 512)
        by = {c["check"]: c for c in err["details"]["verification"]}
        self.assertEqual(by["TextUs token"]["status"], "fail")
        self.assertEqual(by["TextUs token"]["code"], "textus_auth")
        self.assertIn("API Tokens", by["TextUs token"]["fix"])
        self.assertEqual(store_bytes(root), before)

    def test_verb_many_failures_message_fits(self):
        root = self.local_root()
        r = verb(root, dict(self.creds(token=TOKEN_BAD, key=KEY_NO_USERS,
                                       email="nobody@acme.example"), type="configure"))
        self.assertEqual(r["error"]["code"], "verification_failed")
        self.assertLess(len(r["error"]["message"]), 512)
        fails = [c for c in r["error"]["details"]["verification"] if c["status"] == "fail"]
        self.assertGreaterEqual(len(fails), 2)

    def test_verb_save_anyway(self):
        root = self.local_root()
        r = verb(root, dict(self.creds(account="acme-east"), type="configure", save_anyway=True))
        self.assertIs(r["ok"], True, r)
        self.assertIs(r["result"]["saved"], True)
        self.assertIs(r["result"]["verified"], False)
        by = {c["check"]: c for c in r["result"]["verification"]}
        self.assertEqual(by["TextUs account"]["code"], "textus_account")
        self.assertEqual(status(root)["textus"]["account"], "acme-east")

    def test_verb_bad_save_anyway(self):
        root = self.local_root()
        r = verb(root, dict(self.creds(), type="configure", save_anyway="yes"))
        self.assertEqual(r["error"]["code"], "bad_request")

    def test_verb_still_refuses_urls(self):
        root = self.local_root()
        seq = last_seq()
        r = verb(root, {"type": "configure", "textus": {"base_url": "http://127.0.0.1:1"}})
        self.assertEqual(r["error"]["code"], "invalid_config")
        self.assertEqual([x for x in CF.fakes.requests() if x["seq"] > seq], [])


class ZNoSecrets(unittest.TestCase):
    """Runs last (alphabetical): every output, every host log and every file under
    the state roots except the ciphertext is free of the canaries."""

    def test_no_canary_anywhere(self):
        self.assertGreater(len(CF.outputs), 10)
        blob = b"\n".join(CF.outputs)
        for c in CANARIES:
            self.assertNotIn(c.encode(), blob)
        for root in CF.roots:
            for dirpath, _, files in os.walk(root):
                for name in files:
                    if name == "credentials.store":
                        continue
                    with open(os.path.join(dirpath, name), "rb") as fh:
                        data = fh.read()
                    for c in CANARIES:
                        self.assertNotIn(c.encode(), data, os.path.join(dirpath, name))
        for rec in CF.fakes.requests():
            text = json.dumps(rec)
            for c in CANARIES:
                self.assertNotIn(c, text)


if __name__ == "__main__":
    unittest.main(verbosity=2)
