#!/usr/bin/env python3
"""Secrets never leave through a service's error message, through the real binary and the
fakes: TextUs and Greenhouse answer 401 with a message that echoes the credential they were
sent (the TextUs token, the Harvest v1 key, the v3 client id and secret), and every verb that
relays a service's message — send_sms, bulk_preview (checks_stopped, or its error),
configure's verification, doctor's online checks — is asked. Neither the reply, stdout,
stderr nor the log (TEXTUS_HOST_LOG) holds the credential; the message still says what the
service said, with "[redacted]" in its place (so the check sees the relayed text).
Prints one table row per verb.
"""
import json
import os
import subprocess
import sys

SRC = os.environ["TH_SOURCE_DIR"]
sys.path.insert(0, os.path.join(SRC, "tests", "lib"))
from fakeworld import FakeWorld, Creds, check, finish  # noqa: E402
import nmhost  # noqa: E402

# shorter than the 20 characters of the log's token rule: only the credentials' own removal
# (apijson_error_message's list) can take them out
TOKEN = "tok_sec_FAKE_01"
V1_KEY = "hvk_sec_FAKE_01"
CLIENT = ("cli_sec_FAKE_01", "csec_sec_FAKE_01")
SECRETS = (TOKEN, V1_KEY) + CLIENT
CAND = 1001
NUM = "+13035550200"
ROWS = []


def seed():
    cands = [{"id": CAND, "first_name": "Ann", "last_name": "Secret",
              "phone_numbers": [{"value": NUM, "type": "mobile"}], "applications": []}]
    return {
        "textus": {
            "tokens": {TOKEN: {"user": "/users/1", "accounts": ["acme"]}},
            "users": {"/users/1": {"name": "Alice Recruiter", "email": "alice@acme.example"}},
            "accounts": {"acme": {"name": "Acme", "phoneNumbers": ["+13035550100"]}},
        },
        "harvest": {
            "api_keys": {V1_KEY: {"name": "secret"}},
            "oauth_clients": {CLIENT[0]: {"name": "secret", "secret": CLIENT[1]}},
            "users": [{"id": 101, "first_name": "Alice", "last_name": "Recruiter",
                       "primary_email_address": "alice@acme.example", "site_admin": True}],
            "candidates": cands,
            "activity_feed": {str(CAND): {"activities": [], "notes": []}},
        },
    }


class World(FakeWorld):
    def __init__(self, gen):
        super().__init__(gen, prefix="th-secret-%s-" % gen, seed=seed(),
                         creds=Creds(TOKEN, V1_KEY, CLIENT[0], CLIENT[1]),
                         env={"TZ": "UTC"}, max_seconds=300)
        self.log = os.path.join(self.tmp, "host.log")
        self.env["TEXTUS_HOST_LOG"] = self.log

    def echo(self, server, path_re, method=None):
        """Every matching request answered 401 with a message echoing the credentials that
        server is sent (TextUs the token, Harvest v1 the key, the v3 token endpoint the client
        id and secret), twice."""
        sent = {"textus": (TOKEN,), "harvest": (V1_KEY,), "auth": CLIENT}[server]
        rule = {"server": server, "path_re": path_re, "times": -1,
                "action": {"status": 401, "body": {
                    "message": "bad credentials: %s (again: %s)" % (" / ".join(sent),
                                                                    ",".join(sent)),
                    "error_description": "refused %s" % " ".join(sent)}}}
        if method:
            rule["method"] = method
        self.fakes.fault(rule)

    def native(self, payload):
        r, rc, err = nmhost.one_shot(payload, env=self.env)
        return json.dumps(r), err

    def run(self, args, stdin=""):
        p = subprocess.run([nmhost.host_path()] + args, input=stdin.encode(),
                           env=self.full_env(), capture_output=True, timeout=120)
        return p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace")


def clean(w, what, *texts):
    """No credential in texts nor in the log; the relayed message shows [redacted]."""
    log = open(w.log, encoding="utf-8", errors="replace").read() if os.path.exists(w.log) else ""
    leaked = [s for s in SECRETS for t in texts + (log,) if s in t]
    check(not leaked, "%s %s: %s leaked: %s" % (w.gen, what, sorted(set(leaked)),
                                                 " | ".join(t[:600] for t in texts)))
    check(any("[redacted]" in t for t in texts),
          "%s %s: the service's message was not relayed: %s" % (w.gen, what,
                                                               " | ".join(t[:600] for t in texts)))
    ROWS.append((what, w.gen, "leaked" if leaked else "no credential"))


def verbs(w):
    # TextUs echoes the token on the checks before a text and on the account read
    w.echo("textus", "opt_outs")
    try:
        out, err = w.native({"type": "send_sms", "request_id": "lk-%s" % w.gen,
                             "candidate_id": str(CAND), "to": NUM, "body": "x"})
        clean(w, "send_sms (TextUs 401)", out, err)
        if w.gen == "v1":
            out, err = w.native({"type": "bulk_preview", "candidate_ids": [str(CAND)],
                                 "body": "Hi {first_name}", "quiet_hours": "skip"})
            check("checks_stopped" in out, "bulk_preview: checks_stopped expected: %s" % out)
            clean(w, "bulk_preview checks_stopped (TextUs 401)", out, err)
    finally:
        w.fakes.reset_faults()
    w.echo("textus", "^/accounts")
    try:
        out, err = w.run(["configure"], json.dumps(w.config_doc()))
        clean(w, "configure verification (TextUs 401)", out, err)
        out, err = w.run(["doctor", "--json"])
        clean(w, "doctor --json (TextUs 401)", out, err)
    finally:
        w.fakes.reset_faults()
    # Greenhouse: v1 echoes the key on its reads; v3's token endpoint the client id and secret
    if w.gen == "v1":
        w.echo("harvest", "^/v1/")
    else:
        w.echo("auth", "token", "POST")
    try:
        if w.gen == "v3":
            w.fakes.expire_tokens()  # the tokens cached so far are refused: a new one is asked
        out, err = w.native({"type": "bulk_preview", "candidate_ids": [str(CAND)],
                             "body": "Hi {first_name}", "quiet_hours": "skip"})
        clean(w, "bulk_preview (Greenhouse 401)", out, err)
        out, err = w.run(["configure"], json.dumps(w.config_doc()))
        clean(w, "configure verification (Greenhouse 401)", out, err)
        if w.gen == "v3":
            w.fakes.expire_tokens()
        out, err = w.run(["doctor", "--json"])
        clean(w, "doctor --json (Greenhouse 401)", out, err)
    finally:
        w.fakes.reset_faults()


def main():
    only = os.environ.get("TH_CONV_ONLY")
    for gen in [only] if only else ["v1", "v3"]:
        w = World(gen)
        try:
            verbs(w)
        finally:
            w.close()
    return finish(["verb", "Harvest", "credential in reply, stdout, stderr, log"], ROWS)


if __name__ == "__main__":
    sys.exit(main())
