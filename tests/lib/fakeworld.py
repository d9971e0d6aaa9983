"""A configured host home in front of the local fakes (TextUs, Harvest v1 or v3), for tests
that drive the real binary and count what reached the services.

    w = FakeWorld("v1")            # starts the fakes, configures a throwaway TEXTUS_HOST_HOME
    n = w.api_count()              # requests the fakes have recorded so far
    reply = w.one_shot({...})      # one request through a fresh host (the stub's origin)
    w.close()

A test with a world of its own (tests/send, tests/conversation) subclasses FakeWorld with its
seed, credentials (Creds) and settings. The script-style tests share the scenario helpers
below: check() (a failed check is printed and counted, the run goes on), code(reply), and
run_generations() + finish() (each scenario on Harvest v1 then v3, a table, the exit status).

The credentials are fake and exist only in the seeds.
"""
import collections
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

# the credentials a world configures (a test's own, named in its file so that the secrets audit
# finds them: tests/reliability/secrets_audit.py)
Creds = collections.namedtuple("Creds", "token v1_key client_id client_secret")
CREDS = Creds(TOKEN, V1_KEY, CLIENT_ID, CLIENT_SECRET)

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
    # quiet hours off: these tests send at any hour of the day
    SETTINGS = {"timeout_ms": 3000, "connect_timeout_ms": 2000, "quiet_hours": "off"}

    def __init__(self, gen="v1", prefix="th-world-", seed=None, creds=CREDS, env=None,
                 max_seconds=600):
        self.gen = gen
        self.creds = creds
        self.tmp = tempfile.mkdtemp(prefix=prefix)
        self.home = os.path.join(self.tmp, "home")
        os.mkdir(self.home, 0o700)
        self.fakes = fakectl.start(seed or SEED, os.path.join(self.tmp, "fakes"),
                                   extra_args=["--random-seed", "1", "--max-seconds",
                                               str(max_seconds)])
        self.env = dict({"TEXTUS_HOST_HOME": self.home}, **(env or {}))
        self.configure()

    def config_doc(self, settings=None, v1_key=None, client=None):
        """The configure document for this world's fakes: its token on account acme, and its
        v1 key (or v1_key) or OAuth client (or client: (id, secret)) as the recruiter."""
        gh = {"email": "alice@acme.example", "base_url": self.fakes.url("harvest")}
        if self.gen == "v1":
            gh["api_key"] = v1_key or self.creds.v1_key
        else:
            cid, secret = client or (self.creds.client_id, self.creds.client_secret)
            gh.update({"client_id": cid, "client_secret": secret,
                       "auth_url": self.fakes.url("auth")})
        return {"textus": {"token": self.creds.token, "account": "acme",
                           "base_url": self.fakes.url("textus")},
                "greenhouse": gh,
                "settings": dict(self.SETTINGS if settings is None else settings)}

    def configure(self, doc=None, *args):
        r = subprocess.run([nmhost.host_path(), "configure", "--no-verify", *args],
                           input=json.dumps(doc or self.config_doc()).encode(),
                           env=self.full_env(), capture_output=True, timeout=60)
        return r.returncode, r.stdout.decode(), r.stderr.decode()

    def configure_ok(self, doc):
        rc, _, err = FakeWorld.configure(self, doc)
        assert rc == 0, "configure failed: %s" % err

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
        # nmhost.one_shot frames bytes as they are; under Wine it runs again once a process
        # that ended before the host's code ran
        reply, _, _ = nmhost.one_shot(payload, env=self.env, origin=origin)
        return reply

    def req(self, payload, extra_env=None):
        """One request through a one-shot host (as sendNativeMessage); a host that exits with
        a status other than 0 after replying is a failed check (a failpoint kills it before).
        Under Wine (TH_WIN_EXE) the host logs to a file of its own (TEXTUS_HOST_LOG), so that a
        failure can say how far the host got: its last line is "exit code=N" once main() is
        done. A SIGKILL (-9) after that line is the wineserver's, not the host's: it kills a
        process still alive ~0.5 s after its ExitProcess (tests/windows/test_wine_exit.py),
        which a loaded machine overruns now and then; the reply and the exit code the host
        logged are what the check looks at then. A host that ended with no reply before its
        code ran (no "start" line in that log) is Wine's too: nmhost.one_shot says so in a
        "WINE: ..." line and runs that request once more; with the start line it is the
        host's failure, and the log's last lines are printed with it."""
        env = dict(self.env, **(extra_env or {}))
        log = None
        if os.environ.get("TH_WIN_EXE") and "TEXTUS_HOST_LOG" not in env:
            FakeWorld._wine_runs = getattr(FakeWorld, "_wine_runs", 0) + 1
            log = os.path.join(self.tmp, "host-%d.log" % FakeWorld._wine_runs)
            env["TEXTUS_HOST_LOG"] = "Z:" + log
        reply, rc, err = nmhost.one_shot(payload, env=env, wine_log=log)
        last = wine_log_tail(log)
        if reply is not None and rc == -9 and last.endswith("exit code=0"):
            print("WINE: the wineserver killed the %s host (-9) after it had replied and "
                  "returned 0 (its log: %r): Wine's kill timer, not the host" %
                  (payload.get("type"), last), flush=True)
        elif reply is not None:
            check(rc == 0, "%s host exit %d for %s: stderr %r%s" % (
                self.gen, rc, payload.get("type"), err[-2000:], last and ", log " + repr(last)))
        else:
            # no reply at all: say how the host ended (the caller's check prints None only)
            sys.stderr.write("%s host ended without a reply to %s: exit %d, stderr %r%s\n" %
                             (self.gen, payload.get("type"), rc, err[-2000:],
                              last and ", log " + repr(last)))
        return reply

    def messages(self, to=None, body=None):
        """The outgoing messages at TextUs (to: only those to that number; body: with that
        body)."""
        ms = [m for m in self.fakes.state()["textus"]["messages"] if m["direction"] == "out"]
        return [m for m in ms if (not to or m["_to"] == to) and (not body or m["body"] == body)]

    def notes(self, marker=None):
        ns = self.fakes.state()["harvest"]["notes"]
        return [n for n in ns if marker in n["body"]] if marker else ns

    def close(self):
        self.fakes.stop()
        shutil.rmtree(self.tmp, ignore_errors=True)


def wine_log_tail(path, lines=3):
    """The last lines of a host log (FakeWorld.req under Wine), joined by ' | ', or ''."""
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return " | ".join(ln.strip() for ln in f.read().splitlines()[-lines:])
    except (OSError, TypeError):
        return ""


# ------------------------------------------------------------------ script-style scenarios

FAILURES = []


def check(cond, what):
    """A failed check is printed and counted; the scenario goes on."""
    if not cond:
        FAILURES.append(what)
        print("FAIL:", what, flush=True)
    return cond


def code(reply):
    """A reply's outcome in one word: ok, its error code, or killed (no reply)."""
    if reply is None:
        return "killed"
    return "ok" if reply.get("ok") else reply["error"]["code"]


def run_generations(make_world, scenarios, only=None):
    """scenarios(world) on a world of each Harvest generation (only: just that one), each
    world closed after its scenarios, whatever happened."""
    for gen in [only] if only else ["v1", "v3"]:
        w = make_world(gen)
        try:
            scenarios(w)
        finally:
            w.close()


def finish(header=None, rows=()):
    """Print the table of rows (under its header, a list of column names) and the count of
    failed checks; the exit status: 1 when any check failed."""
    if header:
        print("\n| %s |" % " | ".join(header))
        print("|" + " --- |" * len(header))
        for r in rows:
            print("| %s |" % " | ".join(str(c) for c in r))
    print("\n%d checks failed" % len(FAILURES))
    return 1 if FAILURES else 0
