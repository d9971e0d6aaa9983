"""`textus-host doctor` online and outbox findings, against the fakes of TextUs and Greenhouse.

The host is configured (TEXTUS_HOST_HOME) against tests/fakes/; each test breaks
one thing — the TextUs token, the account, messaging rights, the Greenhouse
user, Harvest v1's retirement, a note that cannot be written, a text that was
not delivered — and checks doctor's finding, its fix, the FAQ answer, and the
support report (Delivered / Not Delivered with the numbers concerned; no secret);
a service that cannot be reached (a closed port) or answers too slowly, with
what doctor waited for; and a note that can never be written (a deleted
candidate) from the send's reply to `outbox dismiss`.
"""
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.environ.get("TH_SOURCE_DIR", os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(SRC, "tests", "fakes"))
sys.path.insert(0, os.path.join(SRC, "tests", "lib"))
import fakectl  # noqa: E402
from nmhost import one_shot  # noqa: E402

HOST = os.environ["TH_HOST"]
SEED = os.path.join(SRC, "tests", "e2e", "seed.json")
TOKEN = "tok_e2e_recruiter_FAKE_0001"
API_KEY = "hvk_e2e_textus_FAKE_0001"


def closed_port():
    """A local port nothing listens on (bound, then released)."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def host_has(verb):
    with tempfile.TemporaryDirectory() as d:
        reply, _, _ = one_shot({"type": verb}, env={"TEXTUS_HOST_HOME": d})
        return not (reply and reply.get("ok") is False and reply["error"]["code"] == "unknown_type")


HAS_SEND = host_has("send_sms")


class DoctorOnline(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="th-doctor-online-")
        with open(SEED) as f:
            seed = json.load(f)
        seed["textus"]["accounts"]["locked-acct"] = {"name": "Locked", "phoneNumbers": ["+13035550102"],
                                                     "messagingRestricted": True}
        seed["textus"]["tokens"][TOKEN]["accounts"].append("locked-acct")
        # a child of the token's membership "acme", absent from GET /accounts (the account tree)
        seed["textus"]["accounts"]["acme-child"] = {"name": "Acme Child", "parent": "acme",
                                                    "phoneNumbers": ["+13035550103"]}
        seed["textus"]["accounts"]["outside"] = {"name": "Outside", "phoneNumbers": ["+13035550104"]}
        seed["harvest"]["api_keys"]["hvk_doctor_usersonly_FAKE_0003"] = {"name": "users-only",
                                                                         "permissions": ["users_list", "users_retrieve"]}
        seed["harvest"]["users"].append({"id": 103, "first_name": "Dee", "last_name": "Disabled",
                                         "primary_email_address": "dee@acme.example",
                                         "disabled": True})
        # v3 credentials Greenhouse answers 403: one lacks a scope (the answer names it), the
        # other's integration service user is not a Site Admin (the undocumented rule)
        seed["harvest"]["oauth_clients"]["client_doctor_noscope_FAKE_0004"] = {
            "name": "no-users-scope", "secret": "csecret_doctor_noscope_FAKE_0004",
            "scopes": ["harvest:candidates:list", "harvest:notes:create", "harvest:notes:list"]}
        # v3 credentials without the optional scopes of the {job}/{stage} merge fields
        seed["harvest"]["oauth_clients"]["client_doctor_noapps_FAKE_0006"] = {
            "name": "no-apps-scope", "secret": "csecret_doctor_noapps_FAKE_0006",
            "scopes": ["harvest:users:list", "harvest:candidates:list", "harvest:notes:create",
                       "harvest:notes:list", "harvest:jobs:list"]}
        seed["harvest"]["oauth_clients"]["client_doctor_notadmin_FAKE_0005"] = {
            "name": "not-admin", "secret": "csecret_doctor_notadmin_FAKE_0005",
            "service_user_site_admin": False}
        cls.fakes = fakectl.start(seed, os.path.join(cls.tmp, "fakes"))

    @classmethod
    def tearDownClass(cls):
        cls.fakes.stop()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def setUp(self):
        self.state = tempfile.mkdtemp(prefix="state-", dir=self.tmp)
        self.env = dict(os.environ, TEXTUS_HOST_HOME=self.state, HOME=os.path.join(self.tmp, "home"))
        self.fakes.reset_faults()
        self.outputs = []

    def tearDown(self):
        for out in self.outputs:
            self.assertNotIn(TOKEN, out)
            self.assertNotIn(API_KEY, out)

    def configure(self, token=TOKEN, account="acme", email="alice@acme.example", gh=None):
        doc = {"textus": {"token": token, "account": account, "base_url": self.fakes.url("textus")},
               "greenhouse": gh or {"email": email, "api_key": API_KEY,
                                    "base_url": self.fakes.url("harvest")},
               "settings": {"quiet_hours": "off"}}  # some tests send, at any hour of the day
        p = subprocess.run([HOST, "configure", "--no-verify"], input=json.dumps(doc), env=self.env,
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)

    def doctor(self, *args):
        p = subprocess.run([HOST, "doctor", "--json"] + list(args), env=self.env, capture_output=True,
                           text=True, timeout=120)
        self.outputs += [p.stdout, p.stderr]
        return p.returncode, json.loads(p.stdout)

    def finding(self, doc, status, text, area=None):
        hits = [c for c in doc["checks"] if c["status"] == status and text in c["message"] and
                (area is None or c["area"] == area)]
        self.assertTrue(hits, "no %s finding with %r:\n%s" % (status, text, json.dumps(doc["checks"], indent=1)))
        return hits[0]

    def verb(self, req):
        reply, rc, _ = one_shot(req, env={"TEXTUS_HOST_HOME": self.state})
        return reply

    def send(self, to, body, rid):
        return self.verb({"type": "send_sms", "request_id": rid, "candidate_id": "1001", "to": to, "body": body})

    # ---- TextUs ----

    def test_online_ok(self):
        self.configure()
        rc, doc = self.doctor()
        self.finding(doc, "ok", 'account "acme" (Acme Staffing) can send', "textus")
        self.finding(doc, "ok", "alice@acme.example is Greenhouse user 101", "greenhouse")
        granted = [c for c in doc["checks"] if c["area"] == "greenhouse" and c["message"] == "granted"]
        self.assertGreaterEqual(len(granted), 3, doc["checks"])
        self.finding(doc, "info", "checked at the first note", "greenhouse")
        self.assertFalse([c for c in doc["checks"] if c["status"] == "fail" and c["area"] != "install"],
                         doc["checks"])
        if HAS_SEND:
            self.finding(doc, "ok", "nothing waiting", "outbox")
        # the FAQ says what is true of this host: it writes the notes itself, through Harvest
        # (Harvest v3 credentials: v1 is a warning, and warnings are the FAQ's answer)
        self.configure(gh={"email": "alice@acme.example", "client_id": "client_e2e_FAKE_0001",
                           "client_secret": "csecret_e2e_FAKE_0001",
                           "base_url": self.fakes.url("harvest"), "auth_url": self.fakes.url("auth")})
        rc, doc = self.doctor()
        faq = doc["faq"]["not_tracking"]
        self.assertNotIn("Integrations page", faq)
        for words in ("writes each text's note itself", "Activity Feed", "written as you",
                      "settings.note_visibility", "textus-host doctor --report"):
            self.assertIn(words, faq)

    def test_account_reached_through_the_tree(self):
        # the membership is at "acme": its child is accepted and says how it is reached; an
        # account outside the tree fails and names the accounts the token can reach
        self.configure(account="acme-child")
        rc, doc = self.doctor()
        self.finding(doc, "ok", 'account "acme-child" (Acme Child) can send; reached through the '
                     "membership at acme", "textus")
        self.assertFalse([c for c in doc["checks"] if c["status"] == "fail" and c["area"] == "textus"],
                         doc["checks"])
        self.configure(account="outside")
        rc, doc = self.doctor()
        self.assertEqual(rc, 1)
        hit = self.finding(doc, "fail", '"outside"', "textus")
        self.assertIn("acme-child", hit["message"])

    # ---- Greenhouse ----

    def test_greenhouse_user_not_found(self):
        self.configure(email="nobody@acme.example")
        rc, doc = self.doctor()
        self.assertEqual(rc, 1)
        c = [x for x in doc["checks"] if x["status"] == "fail" and x["subject"] == "Greenhouse user"]
        self.assertTrue(c, doc["checks"])
        self.assertIn("sign in to Greenhouse with", c[0]["fix"])
        self.assertTrue(c[0]["faq_not_tracking"])
        self.assertNotIn("textus-host configure", c[0]["message"])

    def test_disabled_user_is_said_once(self):
        self.configure(email="dee@acme.example")
        rc, doc = self.doctor()
        self.assertEqual(rc, 1)
        c = [x for x in doc["checks"] if x["status"] == "fail" and x["subject"] == "Greenhouse user"]
        self.assertTrue(c, doc["checks"])
        self.assertEqual(c[0]["message"], "the Greenhouse user dee@acme.example is disabled")
        self.assertIn("textus-host configure", c[0]["fix"])

    def test_greenhouse_missing_permission(self):
        self.configure(gh={"email": "alice@acme.example", "api_key": "hvk_doctor_usersonly_FAKE_0003",
                           "base_url": self.fakes.url("harvest")})
        rc, doc = self.doctor()
        self.assertEqual(rc, 1)
        fails = [x for x in doc["checks"] if x["status"] == "fail" and x["area"] == "greenhouse"]
        self.assertTrue(any("Candidates" in x["subject"] or "List Candidates" in x["message"] for x in fails), fails)
        self.assertTrue(all("admin" in x["fix"] for x in fails), fails)
        self.assertTrue(any(x["message"] == "granted" for x in doc["checks"] if x["area"] == "greenhouse"))

    def v3(self, client):
        self.configure(gh={"email": "alice@acme.example", "client_id": client,
                           "client_secret": client.replace("client_", "csecret_"),
                           "base_url": self.fakes.url("harvest"), "auth_url": self.fakes.url("auth")})

    def test_greenhouse_optional_scope_of_the_merge_fields_is_named(self):
        # harvest:applications:list is needed by {job} and {stage} only: a warning naming it
        self.v3("client_doctor_noapps_FAKE_0006")
        rc, doc = self.doctor()
        c = self.finding(doc, "warn", "Missing required scope: harvest:applications:list",
                         "greenhouse")
        self.assertIn("{job} and {stage}", c["message"])
        self.assertIn("grant the scope harvest:applications:list on the Harvest v3 credential",
                      c["fix"])
        self.assertEqual([x for x in doc["checks"] if x["status"] == "fail" and
                          x["area"] == "greenhouse"], [])
        self.finding(doc, "ok", "granted", "greenhouse")

    def test_greenhouse_403_fix_says_what_the_answer_says(self):
        # the 403 names a scope: the fix is to grant that scope on the credential
        self.v3("client_doctor_noscope_FAKE_0004")
        rc, doc = self.doctor()
        self.assertEqual(rc, 1)
        c = self.finding(doc, "fail", "Missing required scope: harvest:users:list", "greenhouse")
        self.assertIn("grant the scope harvest:users:list on the Harvest v3 credential", c["fix"])
        self.assertNotIn("access to the record", c["fix"])
        self.assertNotIn("README", c["fix"])  # a .deb install has none
        # configure's fix: the same, never "v3 reads also need a Site Admin subject" as a fact
        p = subprocess.run([HOST, "configure"], input="{}", env=self.env, capture_output=True,
                           text=True, timeout=120)
        self.outputs += [p.stdout, p.stderr]
        fix = [l.strip() for l in p.stdout.splitlines() if "harvest:users:list" in l and
               l.strip().startswith("fix:")]
        self.assertTrue(fix, p.stdout)
        self.assertIn("grant the scope harvest:users:list on the Harvest v3 credential", fix[0])
        self.assertNotIn("Site Admin", p.stdout)
        # the 403 names no scope: said as the README says it (the Site Admin rule is not
        # documented), with the report to send
        self.v3("client_doctor_notadmin_FAKE_0005")
        rc, doc = self.doctor()
        self.assertEqual(rc, 1)
        fails = [x for x in doc["checks"] if x["status"] == "fail" and x["area"] == "greenhouse"]
        self.assertTrue(fails, doc["checks"])
        for x in fails:
            # the Site Admin rule is on Greenhouse's authentication page: never "not documented"
            self.assertNotIn("not documented", x["message"] + x["fix"])
            self.assertIn("Site Admin", x["message"])
            self.assertIn("check that the scope is granted", x["fix"])
            self.assertIn("authentication guide asks to be a Site Admin", x["fix"])
            self.assertIn("textus-host doctor --report", x["fix"])
            self.assertNotIn("README", x["fix"])
        p = subprocess.run([HOST, "configure"], input="{}", env=self.env, capture_output=True,
                           text=True, timeout=120)
        self.outputs += [p.stdout, p.stderr]
        self.assertNotIn("v3 reads also need a Site Admin subject", p.stdout)
        self.assertNotIn("not documented", p.stdout)
        self.assertIn("authentication guide asks to be a Site Admin", p.stdout)

    def test_greenhouse_v1_retired(self):
        self.configure()
        self.fakes.config({"v1_retired": True})
        try:
            rc, doc = self.doctor()
        finally:
            self.fakes.config({"v1_retired": False})
        self.assertEqual(rc, 1)
        c = [x for x in doc["checks"] if x["status"] == "fail" and x["subject"] == "Greenhouse API"]
        self.assertTrue(c, doc["checks"])
        self.assertIn("v3", c[0]["fix"])
        self.assertIn("v3", doc["faq"]["not_tracking"])

    def test_textus_bad_token(self):
        self.configure(token="tok_not_a_real_token_0000")
        rc, doc = self.doctor()
        self.assertEqual(rc, 1)
        c = self.finding(doc, "fail", "", "textus")
        self.assertEqual(c["subject"], "TextUs API")
        self.assertIn("new API token", c["fix"])
        self.assertTrue(c["faq_not_sending"])
        # the finding has its own fix line: its message ends at the cause
        self.assertTrue(c["message"].startswith("TextUs refused the API token (HTTP 401"), c)
        self.assertNotIn("Create", c["message"])
        self.assertNotIn("textus-host configure", c["message"])
        # an error reply has no fix line: there the message says what to do too
        r = self.verb({"type": "prepare_send", "candidate_id": "1001", "to": "+13035550123"})
        self.assertEqual(r["error"]["code"], "textus_auth", r)
        self.assertIn("Create a new token in TextUs", r["error"]["message"])
        self.assertIn("textus-host configure", r["error"]["message"])

    def test_textus_unknown_account(self):
        self.configure(account="not-my-account")
        rc, doc = self.doctor()
        self.assertEqual(rc, 1)
        c = [x for x in doc["checks"] if x["status"] == "fail" and x["subject"] == "TextUs API"]
        self.assertTrue(c, doc["checks"])
        self.assertIn("slug", c[0]["fix"])

    def test_textus_messaging_restricted(self):
        self.configure(account="locked-acct")
        rc, doc = self.doctor()
        c = self.finding(doc, "fail", "restricted from messaging", "textus")
        self.assertIn("10DLC", c["fix"])

    # ---- unreachable services ----

    def test_textus_unreachable_is_a_failure(self):
        self.configure()
        url = "http://127.0.0.1:%d" % closed_port()
        p = subprocess.run([HOST, "configure", "--no-verify"], input=json.dumps(
            {"textus": {"base_url": url}}), env=self.env, capture_output=True, text=True, timeout=60)
        self.assertEqual(p.returncode, 0, p.stderr)
        rc, doc = self.doctor()
        self.assertEqual(rc, 1)
        c = self.finding(doc, "fail", "TextUs cannot be reached", "textus")
        self.assertIn("doctor waited", c["message"])
        self.assertIn("for TextUs at %s" % url, c["message"])
        self.assertIn("network", c["fix"])
        self.assertTrue(c["faq_not_sending"])
        self.assertFalse(doc["ok"])

    def test_greenhouse_unreachable_is_a_failure(self):
        url = "http://127.0.0.1:%d" % closed_port()
        self.configure(gh={"email": "alice@acme.example", "api_key": API_KEY, "base_url": url})
        rc, doc = self.doctor()
        self.assertEqual(rc, 1)
        c = self.finding(doc, "fail", "Greenhouse cannot be reached", "greenhouse")
        self.assertIn("for Greenhouse at %s" % url, c["message"])
        self.assertTrue(c["faq_not_tracking"])

    def test_slow_service_timeout_says_what_it_waited_for(self):
        self.configure()
        p = subprocess.run([HOST, "configure", "--no-verify"], input=json.dumps(
            {"settings": {"timeout_ms": 700}}), env=self.env, capture_output=True, text=True,
            timeout=60)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.fakes.fault({"server": "textus", "path_re": "accounts", "action": {"delay_ms": 3000},
                          "times": -1})
        p = subprocess.run([HOST, "doctor"], env=self.env, capture_output=True, text=True, timeout=120)
        self.outputs += [p.stdout, p.stderr]
        self.assertEqual(p.returncode, 1)
        self.assertIn("TextUs cannot be reached", p.stdout)
        self.assertRegex(p.stdout, r"doctor waited \d+\.\d s for TextUs at http://127\.0\.0\.1:\d+ "
                                   r"\(connect timeout 10\.0 s, whole request 0\.7 s")
        # the step was shown as it started and as it ended
        self.assertIn('  ... TextUs: checking the token and account "acme" at ', p.stderr)
        self.assertRegex(p.stderr, r"  FAIL  TextUs: checking the token .* \(\d+\.\d s\)")

    def test_offline_skips(self):
        self.configure(token="tok_not_a_real_token_0000")
        rc, doc = self.doctor("--offline")
        self.finding(doc, "info", "skipped (--offline)")
        self.assertFalse([c for c in doc["checks"] if c["subject"] == "TextUs API"])

    # ---- outbox ----

    @unittest.skipUnless(HAS_SEND, "this host has no send flow yet")
    def test_pending_and_stopped_notes(self):
        self.configure()
        f = self.fakes
        f.fault({"server": "harvest", "path_re": "notes$", "action": {"status": 503}, "times": -1})
        r = self.send("+13035550123", "one", "doc-pending-1")
        self.assertEqual(r["result"]["note"]["state"], "pending", r)
        f.reset_faults()
        f.fault({"server": "harvest", "path_re": "notes$", "action": {"status": 403}, "times": -1})
        r = self.send("+13035550124", "two", "doc-stopped-1")
        f.reset_faults()
        rc, doc = self.doctor("--offline")
        self.assertEqual(rc, 1)
        c = self.finding(doc, "fail", "is stopped: it could not be written and waits for you",
                         "outbox")
        self.assertEqual(c["subject"], "Greenhouse note of request doc-stopped-1")
        # Harvest's 403 is "no access to that record" (401 is the key or its permissions)
        self.assertIn("access to the candidate's record", c["fix"])
        self.assertIn("outbox flush", c["fix"])
        self.assertTrue(c["faq_not_tracking"])
        w = self.finding(doc, "warn", "1 note is pending: still to be written in Greenhouse, "
                         "retried on its own", "outbox")
        self.assertIn("outbox flush", w["fix"])
        self.assertIn("could not be written", doc["faq"]["not_tracking"])

    @unittest.skipUnless(HAS_SEND, "this host has no send flow yet")
    def test_one_word_per_note_state_and_flush_says_which_and_why(self):
        self.configure()
        f = self.fakes
        f.fault({"server": "harvest", "path_re": "notes$", "action": {"status": 503}, "times": -1})
        pending = self.send("+13035550123", "one", "word-pending-1")["result"]["note"]
        f.reset_faults()
        f.fault({"server": "harvest", "path_re": "notes$", "action": {"status": 403}, "times": -1})
        stopped = self.send("+13035550124", "two", "word-stopped-1")["result"]["note"]
        # the send's reply says what the journal, outbox list and flush say
        self.assertEqual((pending["state"], pending["retrying"]), ("pending", True), pending)
        self.assertEqual((stopped["state"], stopped["retrying"]), ("stopped", False), stopped)
        entries = json.loads(self.cli("outbox", "list", "--json").stdout)["entries"]
        words = {e["request_id"]: e["note"] for e in entries}
        self.assertEqual(words["word-pending-1"], pending["state"])
        self.assertEqual(words["word-stopped-1"], stopped["state"])
        # a flush that cannot finish says which note waits, in which state, and why
        f.reset_faults()
        f.fault({"server": "harvest", "path_re": "notes$", "action": {"status": 503}, "times": -1})
        p = self.cli("outbox", "flush")
        f.reset_faults()
        self.assertEqual(p.returncode, 3, p.stdout + p.stderr)
        out = p.stdout
        self.assertIn("still waiting:", out)
        line = [l for l in out.splitlines() if "word-pending-1" in l]
        self.assertTrue(line and "(candidate 1001): note pending, retried on its own: "
                        "upstream_unavailable" in line[0], out)
        self.assertNotIn("fix: ", out)  # nothing for a person to do: it is retried
        # a stopped note: which, why and the fix
        f.fault({"server": "harvest", "path_re": "notes$", "action": {"status": 403}, "times": -1})
        p = self.cli("outbox", "flush")
        f.reset_faults()
        self.assertEqual(p.returncode, 3, p.stdout + p.stderr)
        out = p.stdout
        line = [l for l in out.splitlines() if "word-stopped-1" in l]
        self.assertTrue(line and "(candidate 1001): note stopped, waits for you: "
                        "greenhouse_permission" in line[0], out)
        self.assertIn("    fix: ", out.split("word-stopped-1", 1)[1])
        # status says the same words, not its JSON members
        st = self.cli("status").stdout
        self.assertRegex(st, r"notes stopped \(wait for you\) +2\n")
        for key in ("notes_stopped", "notes_pending", "not_sent", "replies_"):
            self.assertNotIn(key, st)
        # outbox list: the person's own time, never UTC (--json: epoch milliseconds)
        p = subprocess.run([HOST, "outbox", "list"], env=dict(self.env, TZ="America/Denver"),
                           capture_output=True, text=True, timeout=60)
        self.outputs += [p.stdout, p.stderr]
        self.assertNotIn("UTC", p.stdout)
        self.assertIn("journaled (local)", p.stdout)
        e = [x for x in entries if x["request_id"] == "word-stopped-1"][0]
        local = subprocess.run(["date", "-d", "@%d" % (e["journaled_ms"] // 1000),
                                "+%Y-%m-%d %H:%M"], env=dict(os.environ, TZ="America/Denver"),
                               capture_output=True, text=True).stdout.strip()
        row = [l for l in p.stdout.splitlines() if l.startswith("word-stopped-1 ")][0]
        # (not for the .exe under Wine: Windows' zone is the system's, never TZ)
        if not os.environ.get("TH_WIN_EXE"):
            self.assertIn(" %s " % local, row)

    @unittest.skipUnless(HAS_SEND, "this host has no send flow yet")
    def test_report_lists_messages_and_numbers(self):
        self.configure()
        r1 = self.send("+13035550123", "first text", "doc-rep-1")
        r2 = self.send("+13035550124", "second text", "doc-rep-2")
        m1, m2 = r1["result"]["message"]["id"], r2["result"]["message"]["id"]
        self.fakes.advance(m1, "delivered")
        self.fakes.advance(m2, "failed")
        for m in (m1, m2):
            self.verb({"type": "message_status", "message_id": m})
        report = os.path.join(self.state, "..", os.path.basename(self.state) + "-report.txt")
        p = subprocess.run([HOST, "doctor", "--offline", "--report", report], env=self.env,
                           capture_output=True, text=True, timeout=60)
        self.outputs += [p.stdout, p.stderr]
        with open(report) as f:
            text = f.read()
        self.outputs.append(text)
        lines = [l for l in text.splitlines() if "candidate 1001" in l]
        self.assertTrue(any("+13035550123" in l and "Delivered (delivered)" in l for l in lines), lines)
        self.assertTrue(any("+13035550124" in l and "Not Delivered (failed)" in l for l in lines), lines)
        self.assertNotIn("first text", text)  # bodies stay out of the report
        rc, doc = self.doctor("--offline")
        c = self.finding(doc, "warn", "show Not Delivered (to +13035550124)", "outbox")
        self.assertIn("--report", c["fix"])
        self.assertTrue(c["faq_not_sending"])
        self.assertIn("Not Delivered", doc["faq"]["not_sending"])

    def report_lines(self, *args, tz="America/Denver"):
        report = os.path.join(self.tmp, os.path.basename(self.state) + "-%d.txt" % len(self.outputs))
        p = subprocess.run([HOST, "doctor", "--report", report] + list(args),
                           env=dict(self.env, TZ=tz), capture_output=True, text=True, timeout=120)
        self.outputs += [p.stdout, p.stderr]
        with open(report) as f:
            text = f.read()
        self.outputs.append(text)
        return text, [l for l in text.splitlines() if "candidate 1001" in l]

    @unittest.skipUnless(HAS_SEND, "this host has no send flow yet")
    def test_report_refreshes_delivery_states_or_says_when_it_knew_them(self):
        # TextUs delivered both texts after the sends; nobody asked since (no message_status,
        # no compose box open): the journal still says queued
        self.configure()
        r1 = self.send("+13035550125", "third text", "doc-fresh-1")
        r2 = self.send("+13035550126", "fourth text", "doc-fresh-2")
        m1, m2 = r1["result"]["message"]["id"], r2["result"]["message"]["id"]
        self.fakes.advance(m1, "delivered")
        self.fakes.advance(m2, "failed")
        # --offline: nothing is asked, and every line says the state is the last one known
        text, lines = self.report_lines("--offline")
        self.assertIn("states still in flight were not asked of TextUs again (--offline)", text)
        line = [l for l in lines if "+13035550125" in l][0]
        self.assertIn("pending (queued when last known; the journal last changed ", line)
        self.assertIn("not asked again: --offline", line)
        # TextUs out of reach: the lines say so, whole, and when the state was last known
        self.fakes.fault({"server": "textus", "method": "GET", "path_re": "^/messages/",
                          "action": {"status": 503}, "times": -1})
        text, lines = self.report_lines()
        self.fakes.reset_faults()
        line = [l for l in lines if "+13035550125" in l][0]
        self.assertIn("pending (queued when last known; the journal last changed ", line)
        self.assertRegex(line, r"; TextUs could not be asked \(upstream_unavailable: [^()]*"
                               r"\(HTTP 503[^)]*\)[^()]*\)\)  candidate 1001", line)
        # online: the report asks TextUs (GET /messages/:message) and says what it answered
        since = self.fakes.requests()[-1]["seq"]
        text, lines = self.report_lines()
        reads = [r for r in self.fakes.requests(server="textus", since=since)
                 if r["method"] == "GET" and r["path"] in (m1, m2)]
        self.assertEqual(len(reads), 2, reads)
        self.assertTrue(any("+13035550125" in l and "Delivered (delivered, asked TextUs now)" in l
                            for l in lines), lines)
        self.assertTrue(any("+13035550126" in l and "Not Delivered (failed, asked TextUs now)" in l
                            for l in lines), lines)
        self.assertFalse([l for l in lines if "(queued" in l], lines)
        # what was learnt is journaled: the next report need not ask again
        since = self.fakes.requests()[-1]["seq"]
        text, lines = self.report_lines()
        self.assertTrue(any("+13035550125" in l and "Delivered (delivered)" in l for l in lines))
        self.assertFalse([r for r in self.fakes.requests(server="textus", since=since)
                          if r["path"] in (m1, m2)])
        # times are the person's: the report says so, and a line starts at the local time
        self.assertIn("times are this computer's local time, offset -0700 from UTC", text)
        self.assertRegex(text, r"\ngenerated: \S+Z \(\d{4}-\d\d-\d\d \d\d:\d\d on this computer\)\n")
        entries = json.loads(self.cli("outbox", "list", "--json").stdout)["entries"]
        e = [x for x in entries if x["request_id"] == "doc-fresh-1"][0]
        local = subprocess.run(["date", "-d", "@%d" % (e["journaled_ms"] // 1000),
                                "+%Y-%m-%d %H:%M"], env=dict(os.environ, TZ="America/Denver"),
                               capture_output=True, text=True).stdout.strip()
        line = [l for l in lines if "+13035550125" in l][0]
        self.assertTrue(line.startswith(local + "  to +13035550125"), (local, line))
        self.assertNotIn("UTC", line)


    # ---- a note that can never be written ----

    def cli(self, *args):
        p = subprocess.run([HOST] + list(args), env=self.env, capture_output=True, text=True,
                           timeout=120)
        self.outputs += [p.stdout, p.stderr]
        return p

    def deleted_candidate_flow(self, rid):
        # the .exe under Wine (tests/windows/run_suites.py) names itself by its path in a
        # command's words (& "Z:\...\textus-host.exe" outbox ...), as `textus-host` in a reply's
        dismiss = ("outbox dismiss %s" if os.environ.get("TH_WIN_EXE")
                   else "textus-host outbox dismiss %s") % rid
        r = self.verb({"type": "send_sms", "request_id": rid, "candidate_id": "424242",
                       "to": "+13035550125", "body": "hello"})
        self.assertTrue(r["ok"], r)
        note = r["result"]["note"]
        self.assertEqual(note["state"], "stopped", note)  # the journal's word, as outbox list
        self.assertIs(note["retrying"], False)
        self.assertIs(note["never"], True)
        # the real fix: dismiss this request (a flush cannot help)
        self.assertIn(dismiss, note["fix"])
        self.assertIn("can never be written", note["fix"])
        # status, outbox list and doctor say the same
        st = json.loads(self.cli("status", "--json").stdout)["outbox"]
        self.assertEqual(st["notes_stopped"], 1)
        self.assertIn(dismiss, st["stopped_fix"])
        entries = json.loads(self.cli("outbox", "list", "--json").stdout)["entries"]
        e = [x for x in entries if x["request_id"] == rid][0]
        self.assertEqual((e["send"], e["note"]), ("sent", "stopped"))
        self.assertIn(dismiss, e["fix"])
        self.assertIn("fix: ", self.cli("outbox", "list").stdout)
        rc, doc = self.doctor("--offline")
        self.assertEqual(rc, 1)
        c = self.finding(doc, "fail", "can never be written as it is", "outbox")
        self.assertIn(dismiss, c["fix"])
        # a flush tries again, fails again, and says something still waits
        p = self.cli("outbox", "flush")
        self.assertEqual(p.returncode, 3, p.stdout + p.stderr)
        self.assertIn(dismiss, p.stdout)
        # the way out
        p = self.cli("outbox", "dismiss", rid)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("dismissed: the note of request %s (candidate 424242)" % rid, p.stdout)
        p = self.cli("outbox", "dismiss", rid)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("already dismissed", p.stdout)
        p = self.cli("outbox", "flush")
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        st = json.loads(self.cli("status", "--json").stdout)["outbox"]
        self.assertEqual((st["notes_stopped"], st["notes_dismissed"]), (0, 1))
        self.assertNotIn("stopped_fix", st)
        rc, doc = self.doctor("--offline")
        self.assertFalse([x for x in doc["checks"] if x["status"] == "fail" and x["area"] == "outbox"],
                         doc["checks"])
        self.finding(doc, "info", "1 note was dismissed", "outbox")
        # the journal keeps the decision; a replay of the request shows it
        entries = json.loads(self.cli("outbox", "list", "--json").stdout)["entries"]
        self.assertEqual([x["note"] for x in entries if x["request_id"] == rid], ["dismissed"])
        r = self.verb({"type": "send_sms", "request_id": rid, "candidate_id": "424242",
                       "to": "+13035550125", "body": "hello"})
        self.assertEqual((r["result"]["replayed"], r["result"]["note"]["state"]), (True, "dismissed"))

    @unittest.skipUnless(HAS_SEND, "this host has no send flow yet")
    def test_note_for_a_deleted_candidate_v1(self):
        self.configure()  # Harvest v1: 404 on the candidate's notes
        self.deleted_candidate_flow("gone-v1")

    @unittest.skipUnless(HAS_SEND, "this host has no send flow yet")
    def test_note_for_a_deleted_candidate_v3(self):
        self.configure(gh={"email": "alice@acme.example", "client_id": "client_e2e_FAKE_0001",
                           "client_secret": "csecret_e2e_FAKE_0001",
                           "base_url": self.fakes.url("harvest"), "auth_url": self.fakes.url("auth")})
        self.deleted_candidate_flow("gone-v3")  # Harvest v3: 422 on candidate_id

    @unittest.skipUnless(HAS_SEND, "this host has no send flow yet")
    def test_dismiss_refuses_what_it_cannot_dismiss(self):
        self.configure()
        r = self.send("+13035550123", "written", "dis-written")
        self.assertEqual(r["result"]["note"]["state"], "written", r)
        p = self.cli("outbox", "dismiss", "dis-written")
        self.assertEqual(p.returncode, 1)
        self.assertIn("nothing to dismiss: the note of request dis-written is written", p.stderr)
        p = self.cli("outbox", "dismiss", "no-such-request")
        self.assertEqual(p.returncode, 1)
        self.assertIn("no request no-such-request in the send journal", p.stderr)
        p = self.cli("outbox", "dismiss", "bad id!")
        self.assertEqual(p.returncode, 2)
        p = self.cli("outbox", "dismiss")
        self.assertEqual(p.returncode, 2)
        self.assertIn("which request?", p.stderr)
        # a note stopped by a permission is fixed and flushed, but may be dismissed as well
        self.fakes.fault({"server": "harvest", "path_re": "notes$", "action": {"status": 403}, "times": -1})
        r = self.send("+13035550124", "stopped", "dis-stopped")
        self.fakes.reset_faults()
        self.assertIn("outbox flush", r["result"]["note"]["fix"])
        self.assertIs(r["result"]["note"]["never"], False)
        self.assertEqual(self.cli("outbox", "dismiss", "dis-stopped").returncode, 0)


if __name__ == "__main__":
    unittest.main(verbosity=2)
