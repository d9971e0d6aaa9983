"""A configured host home in front of the local fakes (TextUs, Harvest v1 or v3), for tests
that drive the real binary and count what reached the services.

    w = FakeWorld("v1")            # starts the fakes, configures a throwaway TEXTUS_HOST_HOME
    n = w.api_count()              # requests the fakes have recorded so far
    reply = w.one_shot({...})      # one request through a fresh host (the stub's origin)
    w.close()

The credentials are fake and exist only in the seed below.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "fakes"))
import fakectl  # noqa: E402
import nmhost  # noqa: E402

TOKEN = "tok_hard_FAKE_0001"
V1_KEY = "hvk_hard_FAKE_0001"
CLIENT_ID = "client_hard_FAKE_0001"
CLIENT_SECRET = "csecret_hard_FAKE_0001"
CAND = 1001
USER_ID = 101

SEED = {
    "textus": {
        "tokens": {TOKEN: {"user": "/users/1", "accounts": ["acme"], "email": "alice@acme.example"}},
        "users": {"/users/1": {"name": "Alice Recruiter", "email": "alice@acme.example"}},
        "accounts": {"acme": {"name": "Acme", "type": "organization",
                              "phoneNumbers": ["+13035550100"]}},
        "opt_outs": [],
        "blocked": {},
        "contacts": [],
        "messages": [],
    },
    "harvest": {
        "api_keys": {V1_KEY: {"name": "hard", "permissions": [
            "activity_feed", "candidates_list", "candidates_add_note", "users_retrieve",
            "users_list"]}},
        "oauth_clients": {CLIENT_ID: {"name": "textus-host", "secret": CLIENT_SECRET}},
        "users": [{"id": USER_ID, "first_name": "Alice", "last_name": "Recruiter",
                   "primary_email_address": "alice@acme.example", "site_admin": True}],
        "candidates": [{"id": CAND, "first_name": "Jane", "last_name": "Candidate",
                        "phone_numbers": [{"value": "(303) 555-0123", "type": "mobile"}]}],
        "activity_feed": {str(CAND): {"activities": [], "notes": []}},
    },
}


class FakeWorld:
    def __init__(self, gen="v1", prefix="th-world-"):
        self.gen = gen
        self.tmp = tempfile.mkdtemp(prefix=prefix)
        self.home = os.path.join(self.tmp, "home")
        os.mkdir(self.home, 0o700)
        self.fakes = fakectl.start(SEED, os.path.join(self.tmp, "fakes"),
                                   extra_args=["--random-seed", "1", "--max-seconds", "600"])
        self.env = {"TEXTUS_HOST_HOME": self.home}
        self.configure()

    def config_doc(self):
        gh = {"email": "alice@acme.example", "base_url": self.fakes.url("harvest")}
        if self.gen == "v1":
            gh["api_key"] = V1_KEY
        else:
            gh.update({"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET,
                       "auth_url": self.fakes.url("auth")})
        return {"textus": {"token": TOKEN, "account": "acme",
                           "base_url": self.fakes.url("textus")},
                "greenhouse": gh,
                # quiet hours off: these tests send at any hour of the day
                "settings": {"timeout_ms": 3000, "connect_timeout_ms": 2000, "quiet_hours": "off"}}

    def configure(self, doc=None, *args):
        r = subprocess.run([nmhost.host_path(), "configure", "--no-verify", *args],
                           input=json.dumps(doc or self.config_doc()).encode(),
                           env=self.full_env(), capture_output=True, timeout=60)
        return r.returncode, r.stdout.decode(), r.stderr.decode()

    def full_env(self, extra=None):
        env = dict(os.environ)
        env.pop("TH_FAILPOINT", None)
        env.update(self.env)
        env.update(extra or {})
        return env

    def cli(self, *args, stdin=b""):
        r = subprocess.run([nmhost.host_path(), *args], input=stdin, env=self.full_env(),
                           capture_output=True, timeout=60)
        return r.returncode, r.stdout.decode(), r.stderr.decode()

    def api_count(self):
        return len(self.fakes.requests())

    def one_shot(self, payload, origin=nmhost.STUB_ORIGIN):
        """payload: a dict, or the exact bytes of the document."""
        h = nmhost.Host(env=self.env, origin=origin)
        if isinstance(payload, bytes):
            h.send_raw(nmhost.frame(payload))
        else:
            h.send(payload)
        reply = h.read_reply()
        h.close()
        h.proc.stdout.close()
        h.proc.stderr.close()
        return reply

    def messages(self):
        return [m for m in self.fakes.state()["textus"]["messages"] if m["direction"] == "out"]

    def close(self):
        self.fakes.stop()
        shutil.rmtree(self.tmp, ignore_errors=True)
