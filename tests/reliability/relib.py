"""Shared harness of the reliability campaign: the fakes, a configured
state root, the host driven as the extension drives it, and the checks read back
from the fakes' records and from the host's own journal.

Used by campaign.py (hard stops, parallel hosts, fault storm) and
secrets_audit.py. Python stdlib only.
"""
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time

SRC = os.environ["TH_SOURCE_DIR"]
sys.path.insert(0, os.path.join(SRC, "tests", "lib"))
sys.path.insert(0, os.path.join(SRC, "tests", "fakes"))
import fakectl  # noqa: E402
from nmhost import Host, one_shot  # noqa: E402,F401

HOST = os.environ["TH_HOST"]
CAND = 1001
USER_ID = 101
EMAIL = "alice@acme.example"

# The fakes' own rate limits are real (T§6, G§1, G§6); the campaign sends far more than a
# person would, so they are raised for it (and only for it).
RAISED_LIMITS = {"textus_rate_limit": 1000000, "harvest_v1_rate_limit": 1000000,
                 "harvest_v3_rate_limit": 1000000, "auth_rate_limit": 1000000}

MARKER_RE = re.compile(r"\[textus:(/messages/[^\]]+)\]")
RID_RE = re.compile(r"\brid=([A-Za-z0-9_-]+)")


def make_seed(token, v1_key, client_id, client_secret):
    return {
        "textus": {
            "tokens": {token: {"user": "/users/1", "accounts": ["acme"], "email": EMAIL}},
            "users": {"/users/1": {"name": "Alice Recruiter", "email": EMAIL}},
            "accounts": {"acme": {"name": "Acme", "type": "organization",
                                  "phoneNumbers": ["+13035550100"]}},
            "opt_outs": [], "blocked": {}, "contacts": [], "messages": [],
        },
        "harvest": {
            "api_keys": {v1_key: {"name": "reliab"}},
            "oauth_clients": {client_id: {"name": "textus-host", "secret": client_secret}},
            "users": [{"id": USER_ID, "first_name": "Alice", "last_name": "Recruiter",
                       "primary_email_address": EMAIL, "site_admin": True}],
            "candidates": [{"id": CAND, "first_name": "Jane", "last_name": "Candidate",
                            "phone_numbers": [{"value": "(303) 555-0123", "type": "mobile"}]}],
            "activity_feed": {str(CAND): {"activities": [], "notes": []}},
        },
    }


class World:
    """Fakes + one state root (TEXTUS_HOST_HOME), configured for Harvest v1 or v3."""

    def __init__(self, gen="v1", tag="reliab", knobs=None, secrets=None, random_seed=1,
                 max_seconds=1200, keep=False, log=True):
        self.gen = gen
        self.keep = keep
        s = secrets or {}
        self.token = s.get("token", "tok_reliab_FAKE_0001")
        self.v1_key = s.get("v1_key", "hvk_reliab_FAKE_0001")
        self.client_id = s.get("client_id", "client_reliab_FAKE_0001")
        self.client_secret = s.get("client_secret", "csecret_reliab_FAKE_0001")
        self.tmp = tempfile.mkdtemp(prefix="th-%s-%s-" % (tag, gen))
        self.fakes_dir = os.path.join(self.tmp, "fakes")
        self.homes = []
        k = dict(RAISED_LIMITS)
        k.update(knobs or {})
        self.fakes = fakectl.start(make_seed(self.token, self.v1_key, self.client_id,
                                             self.client_secret), self.fakes_dir,
                                   extra_args=["--random-seed", str(random_seed),
                                               "--max-seconds", str(max_seconds),
                                               "--config", json.dumps(k)])
        self.log_path = os.path.join(self.tmp, "host.log") if log else None
        self.new_home()

    # --- state roots
    def new_home(self, settings=None):
        home = os.path.join(self.tmp, "home%d" % len(self.homes))
        os.mkdir(home, 0o700)
        self.home = home
        self.homes.append(home)
        self.env = {"TEXTUS_HOST_HOME": home}
        if self.log_path:
            self.env["TEXTUS_HOST_LOG"] = self.log_path
        self.configure(settings)
        return home

    def config_doc(self, settings=None):
        gh = {"email": EMAIL, "base_url": self.fakes.url("harvest")}
        if self.gen == "v1":
            gh["api_key"] = self.v1_key
        else:
            gh.update({"client_id": self.client_id, "client_secret": self.client_secret,
                       "auth_url": self.fakes.url("auth")})
        # quiet hours off: the campaign sends at any hour of the day
        st = {"note_enabled": True, "timeout_ms": 5000, "connect_timeout_ms": 2000,
              "note_retry_base_ms": 1000, "quiet_hours": "off"}
        st.update(settings or {})
        return {"textus": {"token": self.token, "account": "acme",
                           "base_url": self.fakes.url("textus")},
                "greenhouse": gh, "settings": st}

    def configure(self, settings=None):
        r = self.cli(["configure", "--no-verify"], stdin=json.dumps(self.config_doc(settings)))
        assert r.returncode == 0, "configure failed: %s" % r.stderr

    def cli(self, args, stdin=None, timeout=120):
        return subprocess.run([HOST] + args, input=stdin, env=dict(os.environ, **self.env),
                              capture_output=True, text=True, timeout=timeout)

    def close(self):
        try:
            self.fakes.stop()
        finally:
            if not self.keep:
                shutil.rmtree(self.tmp, ignore_errors=True)

    # --- the host as the extension drives it
    def one(self, payload, extra_env=None):
        env = dict(self.env)
        env.update(extra_env or {})
        reply, rc, err = one_shot(payload, env=env)
        return reply, rc, err

    def port(self):
        return Host(env=self.env)

    # --- what the fakes saw
    def messages(self):
        st = self.fakes.state()
        return [m for m in st["textus"]["messages"] if m.get("direction") == "out"]

    def notes(self):
        return self.fakes.state()["harvest"]["notes"]

    # --- what the journal holds
    def outbox_list(self, home=None):
        env = dict(os.environ, TEXTUS_HOST_HOME=home or self.home)
        r = subprocess.run([HOST, "outbox", "list"], env=env, capture_output=True, text=True,
                           timeout=60)
        rows = {}
        for line in r.stdout.splitlines()[1:]:
            parts = line.split()
            # request id, date, time, candidate, ...NN, send, note, message, note id, error
            if len(parts) >= 8:
                rows[parts[0]] = {"send": parts[5], "note": parts[6], "message": parts[7]}
        return r.returncode, rows

    def journal_rows(self, home=None):
        db = os.path.join(home or self.home, "outbox.sqlite")
        con = sqlite3.connect("file:%s?mode=ro" % db, uri=True, timeout=30)
        try:
            return {r[0]: {"send": r[1], "note": r[2], "message": r[3] or "-"}
                    for r in con.execute("SELECT request_id, send_state, note_state, message_id"
                                         " FROM journal")}
        finally:
            con.close()

    def integrity(self, home=None):
        db = os.path.join(home or self.home, "outbox.sqlite")
        con = sqlite3.connect("file:%s?mode=ro" % db, uri=True, timeout=30)
        try:
            return [r[0] for r in con.execute("PRAGMA integrity_check")]
        finally:
            con.close()


def code(reply):
    if reply is None:
        return "killed"
    return "ok" if reply.get("ok") else reply["error"]["code"]


def send_payload(rid, to, body):
    return {"type": "send_sms", "request_id": rid, "candidate_id": str(CAND), "to": to,
            "body": body}


def phone(n):
    """A distinct valid +1 number per n (0..9999 per area code)."""
    areas = (720, 303, 970, 719, 312, 415)
    return "+1%d555%04d" % (areas[(n // 10000) % len(areas)], n % 10000)


def tally(w, rids):
    """From the fakes: messages per request id (the body names it), notes per message id."""
    per_rid = {}
    msg_ids = {}
    for m in w.messages():
        mm = RID_RE.search(m.get("body", ""))
        if not mm:
            continue
        per_rid.setdefault(mm.group(1), []).append(m["id"])
        msg_ids[m["id"]] = mm.group(1)
    per_msg = {}
    for n in w.notes():
        mm = MARKER_RE.search(n.get("body", ""))
        if mm:
            per_msg[mm.group(1)] = per_msg.get(mm.group(1), 0) + 1
    return per_rid, msg_ids, per_msg


class Checks:
    def __init__(self):
        self.failures = []
        self.count = 0

    def check(self, cond, what):
        self.count += 1
        if not cond:
            self.failures.append(what)
            print("FAIL:", what, flush=True)
        return cond


def write_summary(path, row):
    """Append one scenario row (dict) to the run's summary file (JSON lines)."""
    print("SUMMARY " + json.dumps(row), flush=True)
    if path:
        with open(path, "a") as f:
            f.write(json.dumps(row) + "\n")


def now():
    return time.monotonic()
