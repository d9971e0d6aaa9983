"""`textus-host configure` as a recruiter meets it, through the real binary against
the Python fakes (tests/fakes): each online step shown as it starts and ends, and
what a timeout waited for (plain lines in a pipe; a live line, check marks and
colour on a terminal, only the colour gone with NO_COLOR); unknown members refused with exit 2
naming the nearest valid one; Harvest v1 over stored v3 refused unless the
document says "harvest": "v1", and every save saying what changed (CLI and the
`configure` verb, whose dry run checks what is stored); the interactive session
on a pty (only the failed fields asked again, answers kept; a read-only state
folder found before the questions; Enter everywhere on a fresh install is
"nothing configured"; an unrecognised answer asked again); --help, a wrong
option named, one line on what to do next; one wording for where the TextUs
token is found; the README's configure step followed literally; nothing created
(no state folder, key or lock file) until something is saved, and nothing by the
reading commands on a fresh install; and canary secrets that never appear in any output.
"""
import json
import os
import pty
import re
import select
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.environ.get("TH_SOURCE_DIR", os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(SRC, "tests", "lib"))
from configfakes import ConfigFakes, Creds, store_bytes  # noqa: E402
import nmhost  # noqa: E402

TOKEN_WHERE = "next.textus.com → your user icon → Profile → API Tokens → Create Token"

TOKEN = "cnry-CFGTOK-5e6f7a8b9c0d1e2f"
TOKEN_BAD = "cnry-CFGBAD-1f2e3d4c5b6a7980"
KEY = "cnry-CFGKEY-a1b2c3d4e5f60718"
CLIENT = "cfg-client-0001"
SECRET = "cnry-CFGSEC-0918273645abcdef"
CANARIES = [TOKEN, TOKEN_BAD, KEY, SECRET]

SEED = {
    "textus": {
        "tokens": {TOKEN: {"user": "/users/1", "accounts": ["acme"], "email": "alice@acme.example"}},
        "users": {"/users/1": {"name": "Alice", "email": "alice@acme.example"}},
        "accounts": {"acme": {"name": "Acme Staffing", "phoneNumbers": ["+13035550100"]},
                     "acme-east": {"name": "Acme East", "phoneNumbers": ["+13035550101"]}},
    },
    "harvest": {
        "api_keys": {KEY: {"name": "alice", "permissions": [
            "activity_feed", "candidates_list", "candidates_add_note", "users_retrieve",
            "users_list"]}},
        "oauth_clients": {CLIENT: {"name": "textus-host", "secret": SECRET,
                                   "service_user_site_admin": True}},
        "users": [{"id": 101, "first_name": "Alice", "last_name": "R",
                   "primary_email_address": "alice@acme.example"}],
        "candidates": [],
        "activity_feed": {},
    },
}

CF = ConfigFakes(SEED, CANARIES, "th-cfgcli", Creds(TOKEN, KEY, CLIENT, SECRET))
setUpModule, tearDownModule = CF.start, CF.stop
ESC = "\x1b["


def new_root():
    """A state root that does not exist yet, in a fresh folder."""
    return os.path.join(CF.new_root(), "state")


def env_for(state, **extra):
    env = dict(os.environ)
    env["TEXTUS_HOST_HOME"] = state
    env.pop("TH_FAILPOINT", None)
    env.pop("NO_COLOR", None)
    env["TERM"] = "xterm"
    env.update(extra)
    return env


def cli(state, *args, stdin="", env=None):
    return CF.run(args, stdin, env or env_for(state))


def full(v3=True, account="acme", email="alice@acme.example", token=TOKEN):
    return CF.doc(token, account, email, v3=v3)


def configure(state, doc, *args):
    return cli(state, "configure", *args, stdin=json.dumps(doc))


def url_only_root():
    """A state root that knows only where the fakes are (local configuration)."""
    state = new_root()
    rc, out, err = configure(state, CF.urls(), "--no-verify")
    assert rc == 0, out + err
    return state


def status(state):
    rc, out, _ = cli(state, "status", "--json")
    return json.loads(out)


last_seq = CF.last_seq


def verb(state, payload):
    return CF.verb(payload, env_for(state))


class Pty:
    """textus-host configure on a pseudo-terminal; answers typed as prompts appear."""

    def __init__(self, state, *args, env=None, as_nobody=False):
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # the child
            try:
                if as_nobody:
                    os.setgid(65534)
                    os.setuid(65534)
                os.execve(nmhost.host_path(), ["textus-host", "configure", *args],
                          env or env_for(state))
            finally:
                os._exit(127)
        self.out = b""
        self.pos = 0  # what the test has looked at so far
        self.rc = None

    def read_until(self, needle, timeout=30):
        """Read until needle appears after what was looked at; returns the text up to it."""
        needle = needle.encode() if isinstance(needle, str) else needle
        deadline = time.time() + timeout
        while needle not in self.out[self.pos:]:
            left = deadline - time.time()
            if left <= 0:
                raise AssertionError("timed out waiting for %r in:\n%s" % (needle, self.text()))
            r, _, _ = select.select([self.fd], [], [], left)
            if not r:
                continue
            try:
                chunk = os.read(self.fd, 4096)
            except OSError:
                chunk = b""
            if not chunk:
                raise AssertionError("ended before %r in:\n%s" % (needle, self.text()))
            self.out += chunk
        end = self.out.index(needle, self.pos) + len(needle)
        seg, self.pos = self.out[self.pos:end], end
        return seg.decode("utf-8", "replace")

    def answer(self, prompt, text):
        """Wait for a prompt (if given) and the end of it (': '), then type a line."""
        if prompt:
            self.read_until(prompt)
        self.read_until(": ")
        os.write(self.fd, text.encode() + b"\n")

    def finish(self, timeout=30):
        """Read to the end; the exit status, or -9 when it was still waiting (killed)."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            r, _, _ = select.select([self.fd], [], [], 0.5)
            if r:
                try:
                    chunk = os.read(self.fd, 4096)
                except OSError:
                    chunk = b""
                if not chunk:
                    break
                self.out += chunk
        pid, st = os.waitpid(self.pid, os.WNOHANG)
        if pid == 0:  # still asking for something: not what the test expected
            os.kill(self.pid, 9)
            _, st = os.waitpid(self.pid, 0)
        os.close(self.fd)
        CF.outputs.append(self.out)
        self.rc = os.WEXITSTATUS(st) if os.WIFEXITED(st) else -os.WTERMSIG(st)
        return self.rc

    def text(self):
        return self.out.decode("utf-8", "replace")


QUESTIONS = [
    "TextUs API token (" + TOKEN_WHERE + "; not shown)",
    "TextUs account slug (the part after next.textus.com/ in the address, e.g. acme-recruiting)",
    "Greenhouse sign-in email",
    "Harvest API: v3 (OAuth client credentials, recommended) or v1 (API key; Greenhouse "
    "announced its removal for 2026-08-31, which has passed)",
    "Harvest v3 client id (from your Greenhouse admin)",
    "Harvest v3 client secret (not shown)",
    "Harvest v1 API key (from your Greenhouse admin; not shown)",
]


def prompts_asked(text):
    """The questions asked, in order."""
    qs = []
    for line in text.replace("\r", "\n").splitlines():
        qs += [q for q in QUESTIONS if line.startswith(q + " [") or line.startswith(q + ": ")]
    return qs


class Base(unittest.TestCase):
    def setUp(self):
        CF.fakes.reset_faults()


# ---- J.4: every online step visible, timeouts explained ----------------------------------

class Steps(Base):
    def test_each_step_is_shown_before_its_result(self):
        state = url_only_root()
        CF.fakes.fault({"server": "textus", "path_re": "^/accounts$", "times": -1,
                     "action": {"delay_ms": 1500}})
        p = subprocess.Popen([nmhost.host_path(), "configure"], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env_for(state))
        p.stdin.write(json.dumps(full()).encode())
        p.stdin.close()
        seen = []
        for line in p.stdout:
            seen.append((time.monotonic(), line.decode()))
        p.wait(timeout=60)
        err = p.stderr.read()
        p.stdout.close()
        p.stderr.close()
        out = "".join(l for _, l in seen)
        CF.outputs.append(out.encode() + err)
        self.assertEqual(p.returncode, 0, out + err.decode())
        host = CF.fakes.url("textus").split("//")[1]
        begin = [t for t, l in seen if l == "  ... TextUs at %s: the token and the account\n" % host]
        result = [t for t, l in seen if l.split(None, 1)[:1] == ["ok"] and "TextUs token:" in l]
        self.assertEqual(len(begin), 1, out)
        self.assertEqual(len(result), 1, out)
        # the step was printed as it started, not with its result (the fake held /accounts 1.5 s)
        self.assertGreater(result[0] - begin[0], 1.0, out)
        lines = [l for _, l in seen]
        gh = [i for i, l in enumerate(lines) if l.startswith("  ... Greenhouse at ")]
        self.assertEqual(len(gh), 1, out)
        self.assertIn("the credentials, your user and the permissions", lines[gh[0]])
        self.assertTrue(any("Greenhouse user:" in l for l in lines[gh[0] + 1:]), out)

    def test_timeout_says_what_it_waited_for(self):
        state = new_root()
        CF.fakes.fault({"server": "textus", "path_re": "^/accounts$", "times": -1,
                     "action": {"delay_ms": 1500}})
        d = full()
        d["settings"] = {"timeout_ms": 800}
        rc, out, err = configure(state, d)
        # the fake records a held request when its hold ends: every request of this configure
        # started before it returned, so after 1.5 s more they are all recorded, and none can be
        # counted in a later test's "nothing contacted" window
        time.sleep(1.8)
        self.assertEqual(rc, 1, out + err)
        host = CF.fakes.url("textus").split("//")[1]
        line = [l for l in out.splitlines() if l.strip().startswith("FAIL") and "TextUs token" in l]
        self.assertEqual(len(line), 1, out)
        m = re.search(r"waited (\d+\.\d) s in all for (\S+) \(timeouts: connect \d+ ms, request "
                      r"(\d+) ms", line[0])
        self.assertIsNotNone(m, line[0])
        self.assertEqual(m.group(2), host)
        self.assertEqual(m.group(3), "800")
        self.assertGreaterEqual(float(m.group(1)), 0.8)
        self.assertIsNone(store_bytes(state))

    def test_terminal_live_line_marks_and_no_color(self):
        state = url_only_root()
        CF.fakes.fault({"server": "textus", "path_re": "^/accounts$", "times": -1,
                     "action": {"delay_ms": 300}})
        for no_color in (False, True):
            env = env_for(state, NO_COLOR="1") if no_color else env_for(state)
            t = Pty(state, env=env)
            t.answer("TextUs API token", TOKEN)
            t.answer("TextUs account slug", "acme-east")  # fails: not a member
            t.answer("Greenhouse sign-in email", "alice@acme.example")
            t.answer("Harvest API", "")
            t.answer("client id", CLIENT)
            t.answer("client secret", SECRET)
            t.answer("Fix them now?", "n")
            t.answer("Save anyway", "")  # Enter: no
            self.assertEqual(t.finish(), 1)
            text = t.text()
            if no_color:
                # colour only goes (https://no-color.org): the live line and the marks stay
                self.assertNotRegex(text, r"\x1b\[[0-9;]*m")
                self.assertRegex(text, r"\r\x1b\[K  … TextUs at [^\r\n]*\r\x1b\[K")
                self.assertRegex(text, r"✗ FAIL +TextUs account: textus_account: ")
                self.assertIn("✓ ok", text)
            else:
                # the live line is erased and replaced by the results, marked and coloured
                self.assertRegex(text, r"\r\x1b\[K  … TextUs at [^\r\n]*\r\x1b\[K")
                self.assertIn("\x1b[32m✓ ok\x1b[0m", text)
                self.assertIn("\x1b[1;31m✗ FAIL\x1b[0m", text)
                self.assertIn("? unchecked", text)


# ---- J.7: what configure does not understand, and what changed ---------------------------

class Understood(Base):
    def test_unknown_members_are_refused_with_the_nearest(self):
        state = url_only_root()
        before = store_bytes(state)
        seq = last_seq()
        cases = [({"textus": {"acount": "acme"}}, "textus.acount", "textus.account"),
                 ({"greenhouse": {"api-key": KEY}}, "greenhouse.api-key", "greenhouse.api_key"),
                 ({"textus": {"api-key": KEY}}, "textus.api-key", "greenhouse.api_key"),
                 ({"acount": "acme"}, "acount", "textus.account"),
                 ({"settings": {"note_visiblity": "public"}}, "settings.note_visiblity",
                  "settings.note_visibility"),
                 ({"greenhous": {"email": "alice@acme.example"}}, "greenhous", "greenhouse")]
        for doc, bad, near in cases:
            with self.subTest(bad=bad):
                rc, out, err = configure(state, doc)
                self.assertEqual(rc, 2, out + err)
                self.assertIn("unknown member %s (did you mean %s?)" % (bad, near), err)
                self.assertEqual(err.count("nothing was saved"), 1, err)  # said once
                self.assertNotIn("saved.", out)
        self.assertEqual(store_bytes(state), before)
        self.assertEqual([r for r in CF.fakes.requests() if r["seq"] > seq], [])
        # also with --no-verify, and through the verb
        rc, out, err = configure(state, {"textus": {"acount": "acme"}}, "--no-verify")
        self.assertEqual(rc, 2, out + err)
        r = verb(state, {"type": "configure", "textus": {"acount": "acme"}})
        self.assertEqual(r["error"]["code"], "invalid_config")
        self.assertIn("unknown member textus.acount (did you mean textus.account?)",
                      r["error"]["message"])
        self.assertEqual(store_bytes(state), before)

    def test_wrong_input_is_exit_2_before_any_check(self):
        # stdin that is not a document and values of the wrong shape are the input's fault:
        # exit 2, the command's own prefix, no checklist header, nothing contacted or saved
        state = url_only_root()
        before = store_bytes(state)
        seq = last_seq()
        cases = [("not json", "stdin must hold one JSON object"),
                 ("[1, 2]", "stdin must hold one JSON object"),
                 (json.dumps({"textus": {"account": "Acme"}}), "textus.account must be an account"),
                 (json.dumps({"textus": {"account": 5}}), "textus.account must be a string"),
                 (json.dumps({"settings": {"quiet_hours": "8-21"}}), "settings.quiet_hours"),
                 (json.dumps({"settings": {"timeout_ms": "fast"}}), "settings.timeout_ms"),
                 (json.dumps({"settings": 3}), "settings must be an object"),
                 (json.dumps({"greenhouse": {"client_id": CLIENT}}),
                  "client_id and greenhouse.client_secret go together")]
        for args in ((), ("--no-verify",)):
            for text, said in cases:
                with self.subTest(doc=text, args=args):
                    rc, out, err = cli(state, "configure", *args, stdin=text)
                    self.assertEqual(rc, 2, out + err)
                    self.assertIn("textus-host configure: invalid_config: ", err)
                    self.assertIn(said, err)
                    self.assertNotIn("textus-host: ", err)
                    self.assertNotIn("online verification", out)
                    self.assertNotIn("saved.", out)
        self.assertEqual(store_bytes(state), before)
        self.assertEqual([r for r in CF.fakes.requests() if r["seq"] > seq], [])
        # null removes a setting: not a wrong shape
        rc, out, err = configure(state, {"settings": {"quiet_hours": None}}, "--no-verify")
        self.assertEqual(rc, 0, out + err)

    def test_the_same_values_again_say_nothing_changed(self):
        state = new_root()
        rc, out, err = configure(state, full(v3=True))
        self.assertEqual(rc, 0, out + err)
        self.assertIn("saved.", out)
        rc, out, err = configure(state, full(v3=True))
        self.assertEqual(rc, 0, out + err)
        self.assertIn("nothing changed; the stored configuration passed every check.", out)
        self.assertNotIn("saved.", out)
        rc, out, err = configure(state, full(v3=True), "--no-verify")
        self.assertEqual(rc, 0, out + err)
        self.assertIn("nothing changed", out)
        self.assertNotIn("saved.", out)

    def test_v1_key_over_v3_needs_the_explicit_form(self):
        state = new_root()
        rc, out, err = configure(state, full(v3=True))
        self.assertEqual(rc, 0, out + err)
        before = store_bytes(state)
        rc, out, err = configure(state, {"greenhouse": {"api_key": KEY}})
        self.assertEqual(rc, 2, out + err)
        self.assertIn("Harvest v3 client credentials are stored", err)
        self.assertIn('add "harvest": "v1" to "greenhouse"', err)
        self.assertEqual(store_bytes(state), before)
        self.assertEqual(status(state)["greenhouse"]["harvest"], "v3")
        # the verb refuses it the same way
        r = verb(state, {"type": "configure", "greenhouse": {"api_key": KEY}})
        self.assertEqual(r["error"]["code"], "invalid_config", r)
        self.assertIn('"harvest": "v1"', r["error"]["message"])
        self.assertEqual(store_bytes(state), before)
        # said explicitly: saved, and the output says plainly what went
        rc, out, err = configure(state, {"greenhouse": {"harvest": "v1", "api_key": KEY}})
        self.assertEqual(rc, 0, out + err)
        self.assertRegex(out, r"\n  greenhouse\.client_id +removed \(was \*{4}0001\)\n")
        self.assertRegex(out, r"\n  greenhouse\.client_secret +removed \(was \*{4}cdef\)\n")
        self.assertRegex(out, r"\n  greenhouse\.api_key +set: \*{4}0718\n")
        self.assertRegex(out, r"\n  greenhouse\.harvest +changed: v1 \(API key; .*2026-08-31, which has passed\) "
                              r"\(was v3 \(OAuth client credentials\)\)\n")
        self.assertEqual(status(state)["greenhouse"]["harvest"], "v1")
        # back to v3 needs no flag (v3 is the one to use); the change is still spelled out
        r = verb(state, {"type": "configure", "greenhouse": {"client_id": CLIENT,
                                                             "client_secret": SECRET}})
        self.assertIs(r["ok"], True, r)
        ch = {c["field"]: c for c in r["result"]["changes"]}
        self.assertEqual(ch["greenhouse.api_key"]["change"], "removed")
        self.assertEqual(ch["greenhouse.api_key"]["was"], "****0718")
        self.assertEqual(ch["greenhouse.harvest"], {"field": "greenhouse.harvest",
                                                    "change": "changed", "value": "v3",
                                                    "was": "v1"})
        # the verb's explicit form works too
        r = verb(state, {"type": "configure", "greenhouse": {"harvest": "v1", "api_key": KEY}})
        self.assertIs(r["ok"], True, r)
        self.assertEqual(r["result"]["greenhouse"]["harvest"], "v1")

    def test_both_generations_in_one_document_are_refused(self):
        state = url_only_root()
        d = full(v3=True)
        d["greenhouse"]["api_key"] = KEY
        rc, out, err = configure(state, d)
        self.assertEqual(rc, 2, out + err)
        self.assertIn("cannot be given together", err)

    def test_v1_retirement_has_one_label_in_configure_and_doctor(self):
        state = new_root()
        rc, out, err = configure(state, full(v3=False))
        self.assertEqual(rc, 0, out + err)
        # the same status as doctor's: warn (passed, with what to do), never a green "ok"
        self.assertRegex(out, r"\n  warn +Harvest v1 retirement: Harvest v1 still answers, but "
                              r".*may stop at any time.*\n +fix: create Harvest v3 credentials")
        home = os.path.join(os.path.dirname(state), "home")
        os.mkdir(home)
        rc, dout, derr = cli(state, "doctor", "--offline", "--json", env=env_for(state, HOME=home))
        doc = json.loads(dout)
        hits = [c for c in doc["checks"] if "2026-08-31" in c.get("message", "")]
        self.assertEqual([c["subject"] for c in hits], ["Harvest v1 retirement"], dout)
        self.assertEqual(hits[0]["status"], "warn", dout)
        # the verb: status "warn" with its fix, no error code, and verification still passed
        r = verb(state, {"type": "configure", "dry_run": True})
        self.assertIs(r["ok"], True, r)
        self.assertIs(r["result"]["verified"], True, r)
        item = [c for c in r["result"]["verification"] if c["check"] == "Harvest v1 retirement"]
        self.assertEqual(item[0]["status"], "warn", r)
        self.assertIsNone(item[0]["code"], r)
        self.assertIn("Harvest v3", item[0]["fix"], r)

    def test_verb_dry_run_checks_what_is_stored_and_saves_nothing(self):
        state = url_only_root()
        r = verb(state, {"type": "configure", "dry_run": True})
        self.assertIs(r["ok"], True, r)
        self.assertIs(r["result"]["saved"], False)
        self.assertEqual(r["result"]["changes"], [])
        by = {c["check"]: c["status"] for c in r["result"]["verification"]}
        self.assertEqual(by["TextUs token"], "unchecked")
        rc, out, err = configure(state, full(v3=True, account="acme-east"), "--save-anyway")
        before = store_bytes(state)
        r = verb(state, {"type": "configure", "dry_run": True})
        self.assertIs(r["ok"], True, r)
        self.assertIs(r["result"]["saved"], False)
        self.assertIs(r["result"]["verified"], False)
        fail = [c for c in r["result"]["verification"] if c["status"] == "fail"]
        self.assertEqual([c["check"] for c in fail], ["TextUs account"])
        self.assertTrue(fail[0]["fix"])
        # a dry run of a change says what would change, and still writes nothing
        r = verb(state, {"type": "configure", "dry_run": True, "textus": {"account": "acme"}})
        self.assertIs(r["result"]["verified"], True, r)
        self.assertEqual(r["result"]["changes"], [{"field": "textus.account", "change": "changed",
                                                   "value": "acme", "was": "acme-east"}])
        self.assertEqual(store_bytes(state), before)
        r = verb(state, {"type": "configure", "dry_run": "yes"})
        self.assertEqual(r["error"]["code"], "bad_request")


# ---- J.8: the interactive session -------------------------------------------------------

class Interactive(Base):
    def test_after_a_failure_only_the_failed_fields_are_asked_again(self):
        state = url_only_root()
        t = Pty(state, env=env_for(state, NO_COLOR="1"))
        t.answer("TextUs API token", TOKEN)
        t.answer("TextUs account slug", "acme-east")
        t.answer("Greenhouse sign-in email", "nobody@acme.example")
        t.answer("Harvest API", "v3")
        t.answer("client id", CLIENT)
        t.answer("client secret", SECRET)
        first = t.read_until("Fix them now?")
        self.assertRegex(first, r"FAIL +TextUs account: textus_account")
        self.assertRegex(first, r"FAIL +Greenhouse user: greenhouse_user_not_found")
        self.assertNotIn("saved", first)
        t.answer("[Y/n]", "maybe")
        again = t.read_until("[Y/n]: ")
        self.assertIn("please answer y or n", again)
        os.write(t.fd, b"y\n")
        asked = t.read_until("TextUs account slug")
        t.answer("", "acme")  # the prompt is already there: answer it
        asked += t.read_until("Greenhouse sign-in email")
        self.assertIn("[acme-east, as typed; Enter keeps it]", t.text())
        t.answer("", "alice@acme.example")
        rest = t.read_until("Next: ")
        self.assertEqual(t.finish(), 0, t.text())
        rest = t.text()[t.text().index("Fix them now?"):]
        # only the two failed fields were asked again: not the token, Harvest or the secrets
        self.assertEqual(prompts_asked(rest), [QUESTIONS[1], QUESTIONS[2]])
        self.assertIn("saved.", rest)
        st = status(state)
        # the answers typed before the failure were kept, secrets included
        self.assertEqual(st["textus"]["token"], "****" + TOKEN[-4:])
        self.assertEqual(st["greenhouse"]["client_secret"], "****" + SECRET[-4:])
        self.assertEqual(st["textus"]["account"], "acme")
        self.assertEqual(st["greenhouse"]["user_id"], 101)

    def test_on_a_terminal_fixes_speak_of_the_questions(self):
        # the same failures as above: a fix names the question to answer again, never a key
        # of the JSON document, a list that is not there, or "run configure again" (the
        # session itself offers to ask again)
        state = url_only_root()
        t = Pty(state, env=env_for(state, NO_COLOR="1"))
        t.answer("TextUs API token", TOKEN)
        t.answer("TextUs account slug", "acme-east")
        t.answer("Greenhouse sign-in email", "nobody@acme.example")
        t.answer("Harvest API", "v3")
        t.answer("client id", CLIENT)
        t.answer("client secret", SECRET)
        first = t.read_until("Fix them now?")
        fixes = [l.strip() for l in first.replace("\r", "\n").splitlines()
                 if l.strip().startswith("fix: ")]
        self.assertEqual(len(fixes), 2, first)
        self.assertIn("as the TextUs account slug", fixes[0])
        self.assertIn("the message names its accounts", fixes[0])
        self.assertIn("as your Greenhouse sign-in email", fixes[1])
        for jargon in ("textus.", "greenhouse.", "settings.", "list above", "configure again",
                       "textus-host configure"):
            self.assertNotIn(jargon, first)
        os.write(t.fd, b"y\n")
        t.answer("TextUs account slug", "acme")
        t.answer("Greenhouse sign-in email", "alice@acme.example")
        t.read_until("Next: ")
        self.assertEqual(t.finish(), 0, t.text())
        rest = t.text()[t.text().index("what changed:"):]
        self.assertRegex(rest, r"TextUs account slug +set: acme")
        self.assertRegex(rest, r"Greenhouse sign-in email +set: alice@acme.example")
        self.assertNotIn("textus.", rest)
        self.assertNotIn("greenhouse.", rest)
        # a JSON document speaks in its own keys (the person wrote them), still with no
        # list "above" that is not there
        rc, out, err = configure(new_root(), full(account="acme-east"))
        self.assertEqual(rc, 1, out + err)
        self.assertIn("set textus.account to the slug", out)
        self.assertNotIn("list above", out)

    def test_a_service_out_of_reach_does_not_lose_the_answers(self):
        # TextUs answers 503: no answer here can fix that, but the answers can still be kept
        CF.fakes.fault({"server": "textus", "path_re": "^/accounts$", "times": -1,
                        "action": {"status": 503}})

        def session(save):
            state = url_only_root()
            t = Pty(state, env=env_for(state, NO_COLOR="1"))
            t.answer("TextUs API token", TOKEN)
            t.answer("TextUs account slug", "acme")
            t.answer("Greenhouse sign-in email", "alice@acme.example")
            t.answer("Harvest API", "v3")
            t.answer("client id", CLIENT)
            t.answer("client secret", SECRET)
            first = t.read_until("Check again with the same answers [Y/n]: ")
            self.assertIn("no answer here can fix them", first)
            os.write(t.fd, b"n\n")
            t.read_until("Save anyway (a failed check stays failed; run textus-host doctor "
                         "later)? [y/N]: ")
            os.write(t.fd, save.encode() + b"\n")
            return state, t

        # Enter: the default is no; nothing saved, and the way to keep them is named
        state, t = session("")
        self.assertEqual(t.finish(), 1, t.text())
        self.assertIn("nothing was saved (textus-host configure --save-anyway keeps the values "
                      "regardless)", t.text())
        self.assertEqual(status(state)["textus"]["token"], None)
        # y: saved as --save-anyway would (exit 1), the failed check still failed
        state, t = session("y")
        self.assertEqual(t.finish(), 1, t.text())
        rest = t.text()[t.text().index("[y/N]"):]
        self.assertRegex(rest, r"FAIL +TextUs token: upstream_unavailable")
        self.assertIn("saved anyway, although", rest)
        st = status(state)
        self.assertEqual(st["textus"]["token"], "****" + TOKEN[-4:])
        self.assertEqual(st["greenhouse"]["client_secret"], "****" + SECRET[-4:])
        self.assertEqual(st["textus"]["account"], "acme")

    def test_read_only_state_folder_is_found_before_the_questions(self):
        root = tempfile.mkdtemp(prefix="th-cfgcli-ro-")
        CF.roots.append(root)
        state = os.path.join(root, "state")
        os.mkdir(state, 0o700)
        nobody = os.geteuid() == 0  # root writes anywhere: run as nobody in a folder nobody owns
        if nobody:
            os.chmod(root, 0o755)
            os.chown(state, 65534, 65534)
        os.chmod(state, 0o500)
        t = Pty(state, as_nobody=nobody, env=env_for(state, TEXTUS_HOST_LOG="/dev/null"))
        self.assertEqual(t.finish(), 1, t.text())
        text = t.text()
        self.assertIn("the state folder %s cannot be written (Permission denied)" % state, text)
        # the platform's own fix, never a made-up "chmod u+w" (on Windows: icacls in PowerShell)
        self.assertIn("give yourself write access to it (chmod 700 '%s')" % state, text)
        self.assertIn("nothing was asked", text)
        self.assertNotIn("TextUs API token", text)

    def test_enter_everywhere_on_a_fresh_install_is_nothing_configured(self):
        state = new_root()
        t = Pty(state)
        for prompt in ("TextUs API token", "TextUs account slug", "Greenhouse sign-in email",
                       "Harvest API", "client id"):
            t.answer(prompt, "")
        self.assertEqual(t.finish(), 1, t.text())
        self.assertIn("nothing configured: no value was given, so nothing was saved", t.text())
        self.assertNotIn("saved.", t.text())
        self.assertIsNone(store_bytes(state))
        self.assertFalse(os.path.exists(state), "a fresh install stays untouched")

    def test_unrecognised_answers_are_asked_again(self):
        state = url_only_root()
        t = Pty(state, "--no-verify")
        t.answer("TextUs API token", TOKEN)
        t.answer("TextUs account slug", "Acme Co")
        # the question's words, never the document's key (textus.account)
        said = t.read_until("please type it again")
        self.assertIn("  TextUs account slug: must be an account slug", said)
        self.assertNotIn("textus.account", said)
        t.answer("", "acme")
        t.answer("Greenhouse sign-in email", "alice-at-acme")
        said = t.read_until("please type it again")
        self.assertIn("  Greenhouse sign-in email: must be an email address", said)
        self.assertNotIn("greenhouse.email", said)
        t.answer("", "alice@acme.example")
        t.answer("Harvest API", "v2")
        self.assertIn('please answer v3 or v1 ("v2" is neither)', t.read_until("Harvest API"))
        t.answer("", "v1")
        t.answer("Harvest v1 API key", KEY)
        self.assertEqual(t.finish(), 0, t.text())
        st = status(state)
        self.assertEqual(st["textus"]["account"], "acme")
        self.assertEqual(st["greenhouse"]["harvest"], "v1")

    def test_switching_back_to_v1_on_the_terminal_is_explicit_and_said(self):
        state = new_root()
        rc, out, err = configure(state, full(v3=True))
        self.assertEqual(rc, 0, out + err)
        t = Pty(state, "--no-verify")
        for prompt in ("TextUs API token", "TextUs account slug", "Greenhouse sign-in email"):
            t.answer(prompt, "")
        t.answer("Harvest API", "v1")
        self.assertIn("removes the stored v3 client credentials",
                      t.read_until("Harvest v1 API key"))
        t.answer("", "")  # required when switching: asked again
        self.assertIn("required: the Harvest v1 API key", t.read_until("Harvest v1 API key"))
        t.answer("", KEY)
        self.assertEqual(t.finish(), 0, t.text())
        # in the questions' words: a person who was asked never reads a document's key
        self.assertRegex(t.text(), r"Harvest v3 client secret +removed")
        self.assertNotIn("greenhouse.", t.text())
        self.assertEqual(status(state)["greenhouse"]["harvest"], "v1")


# ---- J.10: conventions --------------------------------------------------------------------

class Conventions(Base):
    def test_help_goes_to_stdout(self):
        rc, out, err = cli(new_root(), "configure", "--help")
        self.assertEqual(rc, 0)
        self.assertEqual(err, "")
        self.assertIn("usage: textus-host configure", out)
        self.assertIn("Exit status: 0 saved", out)
        self.assertIn('"harvest": "v1"', out)
        self.assertIn(TOKEN_WHERE, out)
        # the setting people are told to change is there; the tests' own is marked as such
        self.assertIn('settings.quiet_hours', out)
        self.assertIn("note_retry_base_ms is for the tests only", out)
        self.assertIn("2 the input is wrong", out)
        self.assertIn("stdin that is not one JSON object", out)
        rc, out, err = cli(new_root(), "--help")
        self.assertRegex(out, r"\n  configure +store credentials and settings \(asks on a "
                              r"terminal, or JSON on stdin\)\n")

    def test_help_and_status_read_as_sentences(self):
        # the top-level help names no protocol verb; status's columns hold the longest name
        rc, out, err = cli(new_root(), "--help")
        self.assertEqual(rc, 0)
        self.assertRegex(out, r"\n  extract +show the phone number the host would pick from a "
                              r"profile \(JSON on stdin\)\n")
        self.assertNotIn("extract_phone", out)
        state = new_root()
        ids = '{"settings":{"allowed_extension_ids":["%s"],"quiet_hours":"off"}}' % ("a" * 32)
        rc, out, err = cli(state, "configure", "--no-verify", stdin=ids)
        self.assertEqual(rc, 0, out + err)
        rc, out, err = cli(state, "status")
        self.assertEqual(rc, 0, out + err)
        sect = out.split("settings:\n", 1)[1].split("\n" + "paths:", 1)[0].splitlines()
        self.assertIn("  allowed_extension_ids " + '["%s"]' % ("a" * 32), out)
        starts = set()
        for l in sect:
            name = "texting hours" if l.startswith("  texting hours") else l[2:].split(" ")[0]
            starts.add(len(l) - len(l[2 + len(name):].lstrip(" ")))
        self.assertEqual(len(starts), 1, "values not in one column:\n" + "\n".join(sect))

    def test_a_wrong_option_is_named(self):
        state = new_root()
        rc, out, err = cli(state, "configure", "--no-verfy", stdin="{}")
        self.assertEqual(rc, 2)
        self.assertIn("unknown option '--no-verfy' (did you mean --no-verify?)", err)
        rc, out, err = cli(state, "configure", "--frobnicate", stdin="{}")
        self.assertEqual(rc, 2)
        self.assertIn("unknown option '--frobnicate'", err)
        self.assertIn("\nsee textus-host configure --help\n", err)
        self.assertIsNone(store_bytes(state))

    def test_success_ends_with_one_line_on_what_to_do_next(self):
        state = new_root()
        rc, out, err = configure(state, full(v3=True))
        self.assertEqual(rc, 0, out + err)
        last = out.rstrip("\n").splitlines()
        self.assertTrue(last[-1].startswith("Next: run `textus-host doctor`"), out)
        self.assertEqual(sum(1 for l in last if l.startswith("Next:")), 1)
        # no dump of paths, permissions and settings any more
        for word in ("paths:", "permissions:", "settings:", "key id:"):
            self.assertNotIn(word, out)
        self.assertLess(len(last), 30, out)
        # a partial configuration says what is still missing
        state = new_root()
        rc, out, err = configure(state, {"textus": {"token": TOKEN}}, "--no-verify")
        self.assertEqual(rc, 0, out + err)
        self.assertIn("Next: still missing the TextUs account, your Greenhouse sign-in email and "
                      "the Harvest credentials", out)

    def test_one_wording_for_where_the_token_is_found(self):
        state = url_only_root()
        rc, out, err = configure(state, full(token=TOKEN_BAD))
        self.assertEqual(rc, 1)
        fix = [l for l in out.splitlines() if l.strip().startswith("fix: create a new API token")]
        self.assertEqual(len(fix), 1, out)
        self.assertIn("(" + TOKEN_WHERE + ")", fix[0])
        # the check's line ends at the cause; the fix is said once, on its own line
        failed = [l for l in out.splitlines() if "FAIL" in l and "TextUs token" in l]
        self.assertEqual(len(failed), 1, out)
        self.assertNotIn(TOKEN_WHERE, failed[0])
        self.assertNotIn("textus-host configure", failed[0])
        self.assertEqual(out.count(TOKEN_WHERE), 1, out)
        t = Pty(state)
        t.read_until("TextUs API token (" + TOKEN_WHERE + "; not shown): ")
        os.close(t.fd)
        os.kill(t.pid, 9)
        os.waitpid(t.pid, 0)
        with open(os.path.join(SRC, "README.md"), encoding="utf-8") as fh:
            readme = fh.read()
        self.assertTrue(TOKEN_WHERE in readme, "README does not say " + TOKEN_WHERE)
        self.assertFalse("Settings →\n   API token" in readme, "README: the old wording")


# ---- the README's configure step, followed literally ------------------------------------

class ReadmeGuide(Base):
    def test_readme_configure_step(self):
        with open(os.path.join(SRC, "README.md"), encoding="utf-8") as fh:
            readme = fh.read()
        m = re.search(r"3\. \*\*Configure\*\*.*?asks, in this order[^\n]*\n\n((?:        [^\n]*\n)+)",
                      readme, re.S)
        self.assertIsNotNone(m, "README: step 3 lists the questions in an indented block")
        questions = [l.strip() for l in m.group(1).splitlines() if l.strip()]
        self.assertEqual(len(questions), 6, questions)
        step = readme[m.start():readme.index("4. **Check**", m.start())]
        # the answers a recruiter has after the admin's part of the guide (v3 credentials)
        answers = {"TextUs API token": TOKEN, "TextUs account slug": "acme",
                   "Greenhouse sign-in email": "alice@acme.example", "Harvest API": "v3",
                   "Harvest v3 client id": CLIENT, "Harvest v3 client secret": SECRET}
        # the services are the fakes: the only step the README does not have
        state = url_only_root()
        t = Pty(state)
        for q in questions:
            key = [k for k in answers if q.startswith(k)]
            self.assertEqual(len(key), 1, q)
            t.read_until(q)
            t.answer("", answers[key[0]])
        t.read_until("Next: ")
        self.assertEqual(t.finish(), 0, t.text())
        self.assertEqual(prompts_asked(t.text()), questions)
        out = t.text()
        # what the README says happens next, happens
        for said in ("online verification:", "saved.", "what changed:",
                     "Next: run `textus-host doctor`"):
            self.assertIn(said, step, "README step 3 should mention %r" % said)
            self.assertIn(said, out)
        self.assertIn("Fix them now?", step)


# ---- O.11: nothing is created until something is saved --------------------------------------

def tree(state):
    """Every file and folder under state (relative), None when state does not exist."""
    if not os.path.exists(state):
        return None
    out = []
    for dp, dn, fn in os.walk(state):
        out += [os.path.relpath(os.path.join(dp, n), state) for n in dn + fn]
    return sorted(out)


class NothingUntilSaved(Base):
    def test_a_first_configure_that_fails_verification_creates_nothing(self):
        bad_secret = full(v3=True)
        bad_secret["greenhouse"]["client_secret"] = "cnry-CFGSEC-wrong-00000000"
        for name, doc in (("wrong TextUs token", full(v3=False, token=TOKEN_BAD)),
                          ("wrong client secret", bad_secret),
                          ("unknown Greenhouse user", full(v3=True,
                                                           email="nobody@acme.example"))):
            # a fresh install (no state folder), and a state folder made empty beforehand
            for pre in (False, True):
                state = new_root()
                if pre:
                    os.mkdir(state, 0o700)
                rc, out, err = configure(state, doc)
                self.assertEqual(rc, 1, name + out + err)
                self.assertIn("nothing was saved", out + err, name)
                self.assertEqual(tree(state), [] if pre else None,
                                 "%s (%s): a failed configure left files behind" %
                                 (name, "empty folder" if pre else "fresh install"))

    def test_the_first_save_creates_the_state(self):
        # the control: a configure that passes (or --save-anyway) still creates what it needs
        state = new_root()
        rc, out, err = configure(state, full(v3=False, token=TOKEN_BAD), "--save-anyway")
        self.assertEqual(rc, 1, out + err)
        self.assertIn("credentials.store", tree(state))
        self.assertIn("store.key", tree(state))
        state = new_root()
        rc, out, err = configure(state, full(v3=True))
        self.assertEqual(rc, 0, out + err)
        self.assertTrue({"credentials.store", "store.key", "credentials.lock"} <= set(tree(state)),
                        tree(state))
        self.assertEqual(status(state)["textus"]["token"], "****" + TOKEN[-4:])

    def test_reading_commands_on_a_fresh_install_create_nothing(self):
        state = new_root()
        for args in (["status"], ["status", "--json"], ["doctor", "--offline"],
                     ["outbox", "list"], ["configure", "--help"]):
            rc, out, err = cli(state, *args)
            self.assertNotEqual(rc, 2, "%s: %s" % (args, out + err))
            self.assertIsNone(tree(state), "%s created %s" % (args, tree(state)))


class ZNoSecrets(unittest.TestCase):
    """Runs last: no canary in anything the binary printed."""

    def test_no_canary_anywhere(self):
        self.assertGreater(len(CF.outputs), 10)
        blob = b"\n".join(CF.outputs)
        for c in CANARIES:
            self.assertNotIn(c.encode(), blob)


if __name__ == "__main__":
    unittest.main(verbosity=2)
