#!/usr/bin/env python3
"""saved_replies through the real binary against the fakes: whose replies (the sender of the
host's own texts, or the user found by email when the token may list users), which replies
(the user's own and those shared on the account), the merge fields filled from the profile or
Greenhouse, missing fields left as written, the search, names that cannot be had, and a reply
too large once its fields are filled (left out and named; the others are listed)."""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

SRC = os.environ["TH_SOURCE_DIR"]
sys.path.insert(0, os.path.join(SRC, "tests", "lib"))
sys.path.insert(0, os.path.join(SRC, "tests", "fakes"))
import fakectl  # noqa: E402
import nmhost  # noqa: E402

HOST = os.environ["TH_HOST"]
TOKEN = "tok_sr_FAKE_0001"          # Alice, a user of acme (not an admin)
TOKEN_ADMIN = "tok_sr_admin_FAKE_02"  # Adam, an admin of acme
TOKEN_BIG = "tok_sr_carol_FAKE_04"  # Carol, an admin of bigco (another account)
TOKEN_MANY = "tok_sr_erin_FAKE_06"  # Erin, an admin of manyco: 1,700 oversized templates
MANY = 1700
TOKEN_JIM = "tok_sr_jim_FAKE_0006"  # Jim, an admin of acme: the {job}/{stage}/{company} tests
V1_KEY = "hvk_sr_FAKE_0001"
CLIENT_V3 = ("client_sr_FAKE_0001", "csecret_sr_FAKE_0001")
CLIENT_V3_NOAPPS = ("client_sr_noapps_FAKE_0002", "csecret_sr_noapps_FAKE_0002")
V1_KEY_NO_USERS = "hvk_sr_nousers_FAKE_0002"
CAND = 1001
CAND_ONE = 1003   # one application
CAND_TWO = 1002   # two applications: the page's application_id or a bulk's job_id picks one
CAND_DIRTY = 1004  # one application whose job and stage hold control and bidi characters

SEED = {
    "textus": {
        "tokens": {TOKEN: {"user": "/users/1", "accounts": ["acme"]},
                   "tok_sr_bob_FAKE_0003": {"user": "/users/2", "accounts": ["acme"]},
                   TOKEN_ADMIN: {"user": "/users/3", "accounts": ["acme"],
                                 "roles": {"acme": "admin"}},
                   TOKEN_BIG: {"user": "/users/6", "accounts": ["bigco"],
                               "roles": {"bigco": "admin"}},
                   "tok_sr_dave_FAKE_0005": {"user": "/users/7", "accounts": ["bigco"]},
                   TOKEN_MANY: {"user": "/users/9", "accounts": ["manyco"],
                                "roles": {"manyco": "admin"}},
                   TOKEN_JIM: {"user": "/users/4", "accounts": ["acme"],
                               "roles": {"acme": "admin"}}},
        "users": {"/users/1": {"name": "Alice Recruiter", "email": "alice@acme.example"},
                  "/users/2": {"name": "Bob Colleague", "email": "bob@acme.example"},
                  "/users/3": {"name": "Adam Admin", "email": "adam@acme.example"},
                  "/users/4": {"name": "Jim Jobs", "email": "jim@acme.example"},
                  "/users/6": {"name": "Carol Big", "email": "carol@bigco.example"},
                  "/users/7": {"name": "Dave Big", "email": "dave@bigco.example"},
                  "/users/9": {"name": "Erin Many", "email": "erin@manyco.example"}},
        "accounts": {"acme": {"name": "Acme Health", "phoneNumbers": ["+13035550100"]},
                     "bigco": {"name": "Bigco", "phoneNumbers": ["+13035550199"]},
                     "manyco": {"name": "Manyco", "phoneNumbers": ["+13035550188"]}},
        "saved_replies": [
            {"user": "/users/1", "title": "Intro",
             "content": "Hi {first_name}, this is {recruiter_first_name} from Acme. Still "
                        "interested in the {job_title} role?"},
            {"user": "/users/1", "title": "Follow-up",
             "content": "Hi {full_name}, following up on my text. {recruiter_name}"},
            {"user": "/users/2", "title": "Team hello", "shared": True,
             "content": "Hello {first_name} {last_name}, from the Acme team"},
            {"user": "/users/2", "title": "Bob only", "content": "Bob's own words"},
            {"user": "/users/3", "title": "Admin hello", "content": "Hi {first_name}, {recruiter_name}"},
            # bigco: a shared template of 54 kB, every word a field: ~23 times that once filled
            {"user": "/users/7", "title": "Huge", "shared": True,
             "content": "{last_name} " * 4500},
            {"user": "/users/7", "title": "After", "shared": True, "content": "Hi {first_name}"},
            {"user": "/users/6", "title": "Small", "content": "Hello {first_name}"},
            {"user": "/users/4", "title": "Job",
             "content": "Hi {first_name}, the {job} role at {company} ({stage})"},
            # manyco: one small template, 1,700 of 3.6 kB that a 241-character name fills past
            # 64 KiB (titles of 80 control characters, 6 bytes each once escaped), another small
            {"user": "/users/9", "title": "First", "content": "Hi {first_name}"},
        ] + [{"user": "/users/9", "title": "\x01" * 80, "content": "{full_name} " * 300}] * MANY
          + [{"user": "/users/9", "title": "Last", "content": "Bye {first_name}"}],
    },
    "harvest": {
        "api_keys": {V1_KEY: {"name": "sr"},
                     V1_KEY_NO_USERS: {"name": "nousers", "permissions": [
                         "activity_feed", "candidates_list", "candidates_add_note"]}},
        "oauth_clients": {CLIENT_V3[0]: {"name": "sr-v3", "secret": CLIENT_V3[1]},
                          CLIENT_V3_NOAPPS[0]: {
                              "name": "sr-v3-noapps", "secret": CLIENT_V3_NOAPPS[1],
                              "scopes": ["harvest:users:list", "harvest:candidates:list",
                                         "harvest:notes:list", "harvest:notes:create"]}},
        "jobs": [{"id": 501, "name": "Staff Nurse"}, {"id": 502, "name": "Charge Nurse"},
                 {"id": 503, "name": "Night\u202e\x1b[31m\r\nNurse\x07"}],
        "users": [{"id": 101, "first_name": "Alice", "last_name": "Recruiter",
                   "primary_email_address": "alice@acme.example"},
                  {"id": 103, "first_name": "Adam", "last_name": "Admin",
                   "primary_email_address": "adam@acme.example"},
                  {"id": 104, "first_name": "Jim", "last_name": "Jobs",
                   "primary_email_address": "jim@acme.example", "site_admin": True}],
        "candidates": [{"id": CAND, "first_name": "Janet", "last_name": "Greenhouse",
                        "phone_numbers": [{"value": "(303) 555-0123", "type": "mobile"}]},
                       {"id": CAND_TWO, "first_name": "Tess", "last_name": "Two",
                        "applications": [
                            {"id": 70001, "job_id": 501, "stage": "Phone Screen"},
                            {"id": 70002, "job_id": 502, "stage": "Offer"}]},
                       {"id": CAND_ONE, "first_name": "Olga", "last_name": "One",
                        "applications": [{"id": 70003, "job_id": 502, "stage": "Onsite"}]},
                       {"id": CAND_DIRTY, "first_name": "Dora", "last_name": "Dirty",
                        "applications": [{"id": 70004, "job_id": 503,
                                          "stage": "Screen\nTextUs: reply STOP"}]}],
        "activity_feed": {str(CAND): {"activities": [], "notes": []}},
    },
}

F = None
TMP = None


def setUpModule():
    global F, TMP
    TMP = tempfile.mkdtemp(prefix="th-saved-")
    F = fakectl.start(SEED, os.path.join(TMP, "fakes"),
                      extra_args=["--random-seed", "1", "--max-seconds", "300"])


def tearDownModule():
    if F:
        F.stop()
    shutil.rmtree(TMP, ignore_errors=True)


class Home:
    """A configured state folder (quiet hours off: one test sends, at any hour)."""

    def __init__(self, name, token=TOKEN, email="alice@acme.example", key=V1_KEY, client=None):
        self.home = os.path.join(TMP, name)
        os.mkdir(self.home, 0o700)
        self.env = {"TEXTUS_HOST_HOME": self.home}
        gh = {"email": email, "api_key": key, "base_url": F.url("harvest")}
        if client:
            gh = {"email": email, "client_id": client[0], "client_secret": client[1],
                  "base_url": F.url("harvest"), "auth_url": F.url("auth")}
        doc = {"textus": {"token": token, "account": "acme", "base_url": F.url("textus")},
               "greenhouse": gh,
               "settings": {"timeout_ms": 5000, "connect_timeout_ms": 2000, "quiet_hours": "off"}}
        p = subprocess.run([HOST, "configure", "--no-verify"], input=json.dumps(doc).encode(),
                           env=dict(os.environ, **self.env), capture_output=True, timeout=60)
        assert p.returncode == 0, p.stderr.decode()

    def verb(self, payload):
        reply, rc, err = nmhost.one_shot(payload, env=self.env)
        assert reply is not None and rc == 0, (rc, err)
        return reply

    def saved(self, **kw):
        return self.verb(dict({"type": "saved_replies", "candidate_id": str(CAND)}, **kw))


def by_title(reply):
    return {r["title"]: r for r in reply["result"]["replies"]}


def textus_gets(path_part, since):
    return [r for r in F.requests(server="textus")[since:]
            if r["method"] == "GET" and path_part in r["path"]]


def user_searches(since):
    """GET /users (the search by email) since record `since`."""
    return [r for r in F.requests(server="textus")[since:]
            if r["method"] == "GET" and r["path"] == "/users"]


class SavedReplies(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.h = Home("alice")

    def test_1_unknown_user_until_the_first_text(self):
        n0 = len(F.requests(server="textus"))
        r = self.h.saved()
        self.assertFalse(r["ok"], r)
        self.assertEqual(r["error"]["code"], "textus_user_unknown")
        self.assertIn("send one text", r["error"]["message"])
        # the documented user search was tried (Alice is no admin: refused), nothing guessed
        tried = user_searches(n0)
        self.assertEqual([x["query"].get("q") for x in tried], ["alice@acme.example"])
        self.assertEqual(textus_gets("/saved_replies", n0), [])

    def test_2_after_a_text_the_sender_is_the_user(self):
        s = self.h.verb({"type": "send_sms", "request_id": "sr-first", "candidate_id": str(CAND),
                         "to": "+13035550123", "body": "Hi Jane, first text"})
        self.assertTrue(s["ok"], s)
        n0 = len(F.requests(server="textus"))
        r = self.h.saved(profile={"url": "https://app.greenhouse.io/people/1001",
                                  "name": "Jane  Candidate (she/her)", "lines": []})
        self.assertTrue(r["ok"], r)
        res = r["result"]
        self.assertEqual(res["user"], "/users/1")
        self.assertEqual(user_searches(n0), [])  # the cached sender, no search
        got = textus_gets("/users/1/saved_replies", n0)
        self.assertEqual(len(got), 1)
        self.assertEqual(got[0]["query"], {"filter": "all"})
        t = by_title(r)
        self.assertEqual(sorted(t), ["Follow-up", "Intro", "Team hello"])  # not Bob's own
        self.assertEqual(t["Intro"]["body"], "Hi Jane, this is Alice from Acme. Still interested "
                                             "in the {job_title} role?")
        self.assertEqual(t["Intro"]["missing"], ["job_title"])
        self.assertEqual(t["Intro"]["content"], SEED["textus"]["saved_replies"][0]["content"])
        self.assertTrue(t["Intro"]["id"].startswith("/saved_replies/"))
        self.assertEqual(t["Follow-up"]["body"],
                         "Hi Jane Candidate, following up on my text. Alice Recruiter")
        self.assertEqual(t["Follow-up"]["missing"], [])
        self.assertEqual(t["Team hello"]["body"], "Hello Jane Candidate, from the Acme team")
        self.assertIs(t["Team hello"]["shared"], True)
        self.assertEqual(res["fields"]["recruiter_name"], "Alice Recruiter")
        self.assertEqual(res["warnings"], [])

    def test_3_names_from_greenhouse_without_a_profile(self):
        r = self.h.saved()
        self.assertTrue(r["ok"], r)
        self.assertEqual(by_title(r)["Team hello"]["body"],
                         "Hello Janet Greenhouse, from the Acme team")
        self.assertEqual(r["result"]["fields"]["full_name"], "Janet Greenhouse")

    def test_4_search(self):
        n0 = len(F.requests(server="textus"))
        r = self.h.saved(q="follow")
        self.assertEqual(sorted(by_title(r)), ["Follow-up"])
        got = textus_gets("/saved_replies", n0)
        # the page's URI template says `query`, its examples `q`: both are sent
        self.assertEqual(got[0]["query"], {"filter": "all", "query": "follow", "q": "follow"})

    def test_4b_search_under_each_reading_of_the_page(self):
        # a TextUs that reads only `query`, only `q`, or neither: the same replies each time
        try:
            for mode in ("query", "q", "none"):
                F.config({"textus_saved_reply_search": mode})
                r = self.h.saved(q="FOLLOW")
                self.assertTrue(r["ok"], r)
                self.assertEqual(sorted(by_title(r)), ["Follow-up"], mode)
                r = self.h.saved(q="acme")  # in the content only
                self.assertEqual(sorted(by_title(r)), ["Intro", "Team hello"], mode)
        finally:
            F.config({"textus_saved_reply_search": "both"})

    def test_4c_template_searches_spend_greenhouse_once_per_profile(self):
        # one port (the profile's tab): the first search may read the candidate's and the
        # recruiter's names, the next ones spend no Greenhouse request
        h = nmhost.Host(env=self.h.env)
        try:
            n0 = len(F.requests(server="harvest"))
            r = h.request({"id": 1, "type": "saved_replies", "candidate_id": str(CAND)})
            self.assertTrue(r["ok"], r)
            self.assertEqual(r["result"]["fields"]["full_name"], "Janet Greenhouse")
            self.assertEqual(r["result"]["fields"]["recruiter_name"], "Alice Recruiter")
            first = len(F.requests(server="harvest")) - n0
            self.assertLessEqual(first, 2)
            for i, q in enumerate(("fo", "follow", "hi", None)):
                p = {"id": 2 + i, "type": "saved_replies", "candidate_id": str(CAND)}
                if q:
                    p["q"] = q
                r = h.request(p)
                self.assertTrue(r["ok"], r)
                self.assertEqual(r["result"]["fields"]["recruiter_name"], "Alice Recruiter")
                self.assertEqual(r["result"]["fields"]["first_name"], "Janet")
            self.assertEqual(len(F.requests(server="harvest")) - n0, first,
                             "a template search after the first spent a Greenhouse request")
        finally:
            h.close()
        # another process (a new tab) knows the recruiter's name from the store: with the
        # page's name, its first search reads only the candidate's application ({job},
        # {stage}: one List Candidates read in v1), never the recruiter again
        n0 = len(F.requests(server="harvest"))
        r = self.h.saved(profile={"name": "Jane Candidate"}, q="hi")
        self.assertTrue(r["ok"], r)
        self.assertEqual(r["result"]["fields"]["recruiter_name"], "Alice Recruiter")
        spent = [q["path"] for q in F.requests(server="harvest")[n0:]]
        self.assertLessEqual(len(spent), 1, spent)
        self.assertFalse([p for p in spent if "/users" in p], spent)

    def test_5_bad_requests(self):
        for payload in ({"type": "saved_replies"}, {"type": "saved_replies", "candidate_id": "0"},
                        {"type": "saved_replies", "candidate_id": "1001", "q": 5},
                        {"type": "saved_replies", "candidate_id": "1001", "q": "x" * 201},
                        {"type": "saved_replies", "candidate_id": "1001", "profile": "Jane"}):
            r = self.h.verb(payload)
            self.assertEqual(r["error"]["code"], "bad_request", payload)


class OtherHomes(unittest.TestCase):
    def test_an_admin_is_found_by_email_and_cached(self):
        h = Home("adam", token=TOKEN_ADMIN, email="adam@acme.example")
        n0 = len(F.requests(server="textus"))
        r = h.saved(profile={"name": "Jane Candidate"})
        self.assertTrue(r["ok"], r)
        self.assertEqual(r["result"]["user"], "/users/3")
        self.assertEqual(sorted(by_title(r)), ["Admin hello", "Team hello"])
        self.assertEqual(by_title(r)["Admin hello"]["body"], "Hi Jane, Adam Admin")
        self.assertEqual(len(user_searches(n0)), 1)
        r = h.saved()
        self.assertTrue(r["ok"], r)
        self.assertEqual(len(user_searches(n0)), 1, "the user was looked up again")
        st = h.verb({"type": "status"})
        self.assertTrue(st["ok"])

    def test_names_that_cannot_be_had_leave_fields_and_say_why(self):
        h = Home("nousers", token=TOKEN_ADMIN, email="adam@acme.example", key=V1_KEY_NO_USERS)
        r = h.saved(profile={"name": "Jane Candidate"})
        self.assertTrue(r["ok"], r)
        t = by_title(r)["Admin hello"]
        self.assertEqual((t["body"], t["missing"]), ("Hi Jane, {recruiter_name}",
                                                     ["recruiter_name"]))
        self.assertEqual(len(r["result"]["warnings"]), 1)
        self.assertIn("the recruiter's name: greenhouse_auth", r["result"]["warnings"][0])
        self.assertIsNone(r["result"]["fields"]["recruiter_name"])

    def test_a_new_token_forgets_the_cached_user(self):
        h = Home("switch", token=TOKEN_ADMIN, email="adam@acme.example")
        self.assertEqual(h.saved()["result"]["user"], "/users/3")
        p = subprocess.run([HOST, "configure", "--no-verify"],
                           input=json.dumps({"textus": {"token": TOKEN}}).encode(),
                           env=dict(os.environ, **h.env), capture_output=True, timeout=60)
        self.assertEqual(p.returncode, 0, p.stderr.decode())
        r = h.saved()
        self.assertEqual(r["error"]["code"], "textus_user_unknown", r)


def harvest_gets(since):
    return [(r["path"], r["query"]) for r in F.requests(server="harvest")[since:]
            if r["method"] == "GET" and r["path"] != "/v1/users" and r["path"] != "/v3/users"]


class JobStageCompany(unittest.TestCase):
    """{job}, {stage} (the candidate's application in Greenhouse) and {company} (the TextUs
    account's name)."""

    def saved_job(self, h, cand, **kw):
        r = h.verb(dict({"type": "saved_replies", "candidate_id": str(cand)}, **kw))
        self.assertTrue(r["ok"], r)
        return r["result"], by_title(r)["Job"]

    def test_v1_one_application_from_the_candidate_record_already_read(self):
        h = Home("jim-v1-one", token=TOKEN_JIM, email="jim@acme.example")
        n0 = len(F.requests(server="harvest"))
        res, t = self.saved_job(h, CAND_ONE, profile={"name": "Olga One"})
        self.assertEqual(t["body"], "Hi Olga, the Charge Nurse role at Acme Health (Onsite)")
        self.assertEqual(t["missing"], [])
        self.assertEqual((res["fields"]["job"], res["fields"]["stage"], res["fields"]["company"]),
                         ("Charge Nurse", "Onsite", "Acme Health"))
        self.assertEqual(res["application_id"], "70003")
        self.assertEqual(res["warnings"], [])
        # v1: one read of the candidate (List Candidates) carries the applications
        self.assertEqual(harvest_gets(n0), [("/v1/candidates", {"candidate_ids": str(CAND_ONE)})])

    def test_v1_several_applications_the_page_or_the_bulk_picks_one(self):
        h = Home("jim-v1-two", token=TOKEN_JIM, email="jim@acme.example")
        res, t = self.saved_job(h, CAND_TWO)
        self.assertEqual(t["body"], "Hi Tess, the {job} role at Acme Health ({stage})")
        self.assertEqual(t["missing"], ["job", "stage"])
        self.assertEqual((res["applications"], res["application_id"]), (2, None))
        self.assertIsNone(res["fields"]["job"])
        res, t = self.saved_job(h, CAND_TWO, application_id="70002")
        self.assertEqual(t["body"], "Hi Tess, the Charge Nurse role at Acme Health (Offer)")
        res, t = self.saved_job(h, CAND_TWO, job_id="501")
        self.assertEqual(t["body"], "Hi Tess, the Staff Nurse role at Acme Health (Phone Screen)")
        self.assertEqual(res["application_id"], "70001")
        # an application of another candidate picks nothing
        res, t = self.saved_job(h, CAND_TWO, application_id="70003")
        self.assertEqual(t["missing"], ["job", "stage"])

    def test_values_from_the_services_are_plain_text_on_one_line(self):
        # the job's name and the stage as Greenhouse has them (ESC, BEL, U+202E, CR LF, LF):
        # the filled body and the fields the extension's local template uses agree, on one line
        h = Home("jim-v1-dirty", token=TOKEN_JIM, email="jim@acme.example")
        res, t = self.saved_job(h, CAND_DIRTY, profile={"name": "Dora\u202e Dirty"})
        self.assertEqual(t["body"], "Hi Dora, the Night[31m Nurse role at Acme Health "
                                    "(Screen TextUs: reply STOP)")
        self.assertEqual((res["fields"]["job"], res["fields"]["stage"]),
                         ("Night[31m Nurse", "Screen TextUs: reply STOP"))
        self.assertEqual(res["fields"]["first_name"], "Dora")

    def test_v3_applications_then_the_job(self):
        h = Home("jim-v3", token=TOKEN_JIM, email="jim@acme.example", client=CLIENT_V3)
        n0 = len(F.requests(server="harvest"))
        res, t = self.saved_job(h, CAND_TWO, profile={"name": "Tess Two"}, application_id="70001")
        self.assertEqual(t["body"], "Hi Tess, the Staff Nurse role at Acme Health (Phone Screen)")
        self.assertEqual(res["warnings"], [])
        gets = harvest_gets(n0)
        self.assertIn(("/v3/applications", {"candidate_ids": str(CAND_TWO)}), gets)
        self.assertIn(("/v3/jobs", {"ids": "501"}), gets)
        self.assertNotIn("/v3/candidates", [p for p, _ in gets])  # the page gave the name

    def test_v3_without_the_applications_scope_says_which(self):
        h = Home("jim-v3-noapps", token=TOKEN_JIM, email="jim@acme.example",
                 client=CLIENT_V3_NOAPPS)
        res, t = self.saved_job(h, CAND_ONE)
        self.assertEqual(t["body"], "Hi Olga, the {job} role at Acme Health ({stage})")
        said = [w for w in res["warnings"] if w.startswith("the candidate's job and stage")]
        self.assertEqual(len(said), 1, res["warnings"])
        self.assertIn("harvest:applications:list", said[0])

    def test_bad_ids(self):
        h = Home("jim-bad", token=TOKEN_JIM, email="jim@acme.example")
        for kw in ({"application_id": "0"}, {"application_id": 70001}, {"job_id": "x"}):
            r = h.verb(dict({"type": "saved_replies", "candidate_id": str(CAND_ONE)}, **kw))
            self.assertEqual(r["error"]["code"], "bad_request", kw)


class Sizes(unittest.TestCase):
    def test_a_reply_too_large_once_filled_is_left_out_and_named(self):
        # 4500 fields of a 250-byte last name: 1.1 MB once filled, from 54 kB of template; the
        # others are listed and the picker works (it was reply_too_large for the whole list)
        h = Home("carol", token=TOKEN_BIG, email="carol@bigco.example")
        r = h.saved(profile={"name": "Jane " + "L" * 250})
        self.assertTrue(r["ok"], r.get("error"))
        t = by_title(r)
        self.assertEqual(sorted(t), ["After", "Small"])
        self.assertEqual(t["After"]["body"], "Hi Jane")
        said = [w for w in r["result"]["warnings"] if '"Huge"' in w]
        self.assertEqual(len(said), 1, r["result"]["warnings"])
        self.assertIn("left out", said[0])
        self.assertNotIn("truncated", r["result"])

    def test_many_replies_too_large_are_counted_not_each_named(self):
        # 1,700 left out: each named in a warning of ~650 escaped bytes made the answer
        # reply_too_large (the warnings were not counted against the size budget). Now the
        # first few are named, the rest counted in one warning, and the others listed.
        h = Home("erin", token=TOKEN_MANY, email="erin@manyco.example")
        r = h.saved(profile={"name": "Jane " + "L" * 236})
        self.assertTrue(r["ok"], r.get("error"))
        self.assertEqual(sorted(by_title(r)), ["First", "Last"])
        ws = r["result"]["warnings"]
        named = [w for w in ws if w.startswith("the saved reply ")]
        self.assertEqual(len(named), 5, ws)
        self.assertTrue(all("left out" in w for w in named), named)
        tail = [w for w in ws if w.startswith("and %d more saved replies are left out" % (MANY - 5))]
        self.assertEqual(len(tail), 1, ws)
        self.assertLess(len(json.dumps(r).encode()), 1 << 20)


if __name__ == "__main__":
    unittest.main(verbosity=2)
