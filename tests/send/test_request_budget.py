#!/usr/bin/env python3
"""Greenhouse requests per action (host/PROTOCOL.md "Requests per action"), through the real
binary against the fakes, Harvest v1 and v3: the company's one credential is shared by every
recruiter's host, so a host spends nothing the click does not need.

* a click (send_sms on a port whose store has the user id cached): the note's POST, nothing
  else; the first click of a fresh store adds one user lookup;
* an opened profile (a port that goes idle after its first reply, which warms its
  connections): no request charged to the credential once the user id (and, v3, the note's
  token) is cached -- the connection is opened by a GET of the root without credentials;
* a template search: see tests/send/test_saved_replies.py (test_4c).
"""
import os
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.environ["TH_SOURCE_DIR"], "tests", "lib"))
import fakeworld  # noqa: E402
import nmhost  # noqa: E402


def charged(recs):
    """The requests charged to the Harvest credential (its API routes), and token requests."""
    api = [r for r in recs if r["server"] == "harvest" and
           (r["path"].startswith("/v1/") or r["path"].startswith("/v3/"))]
    tokens = [r for r in recs if r["server"] == "auth" or r["path"] == "/auth/token"]
    return api, tokens


class Budget:
    GEN = None

    @classmethod
    def setUpClass(cls):
        cls.w = fakeworld.FakeWorld(cls.GEN, prefix="th-budget-")

    @classmethod
    def tearDownClass(cls):
        cls.w.close()

    def since(self, n0):
        return charged(self.w.fakes.requests()[n0:])

    def send(self, h, rid, n):
        r = h.request({"id": n, "type": "send_sms", "request_id": rid, "candidate_id": "1001",
                       "to": "+13035550123", "body": "budget %s" % rid})
        self.assertTrue(r["ok"], r)
        self.assertEqual(r["result"]["note"]["state"], "written", r)

    def test_1_clicks(self):
        h = nmhost.Host(env=self.w.env)
        try:
            n0 = len(self.w.fakes.requests())
            self.send(h, "b-first", 1)
            api, _ = self.since(n0)
            self.assertEqual([r["method"] for r in api], ["GET", "POST"], api)  # lookup, note
            for i in range(3):
                n0 = len(self.w.fakes.requests())
                self.send(h, "b-%d" % i, 2 + i)
                api, tokens = self.since(n0)
                self.assertEqual([(r["method"], r["path"]) for r in api],
                                 [("POST", api[0]["path"])], api)
                self.assertEqual(tokens, [])
        finally:
            h.close()
        # a new process (another click, another tab): the cached id, one request
        n0 = len(self.w.fakes.requests())
        h = nmhost.Host(env=self.w.env)
        try:
            self.send(h, "b-new-port", 1)
        finally:
            h.close()
        api, _ = self.since(n0)
        self.assertEqual([r["method"] for r in api], ["POST"], api)

    def test_2_opened_profile_warms_without_spending(self):
        # test_1 ran first: the store has the user id (v3: and the note's token)
        n0 = len(self.w.fakes.requests())
        h = nmhost.Host(env=self.w.env)
        try:
            r = h.request({"id": 1, "type": "ping"})
            self.assertTrue(r["ok"], r)
            deadline = time.time() + 10
            while time.time() < deadline:  # the idle warm-up, 300 ms after the reply
                recs = self.w.fakes.requests()[n0:]
                if any(x["server"] == "harvest" and x["path"] == "/" for x in recs):
                    break
                time.sleep(0.1)
        finally:
            h.close()
        recs = self.w.fakes.requests()[n0:]
        warm = [x for x in recs if x["server"] == "harvest" and x["path"] == "/"]
        self.assertEqual(len(warm), 1, recs)
        self.assertNotIn("authorization", warm[0]["headers"])  # charged to no credential
        api, _ = charged(recs)
        self.assertEqual(api, [], "the warm-up spent the credential's budget")


class BudgetV1(Budget, unittest.TestCase):
    GEN = "v1"


class BudgetV3(Budget, unittest.TestCase):
    GEN = "v3"


if __name__ == "__main__":
    unittest.main(verbosity=2)
