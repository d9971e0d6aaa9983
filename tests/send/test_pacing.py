#!/usr/bin/env python3
"""Pacing before the 429, through the real binary against the fakes (Harvest v1 and v3, their
rate limits per credential as documented): the company's other hosts have nearly spent the
credential's window; a host of this computer learnt it from an answer (X-RateLimit-Remaining,
shared through the state folder); the next recruiter's text is posted at once, its note waits
for the window's reset, and the idle port writes it then -- without any 429 from Greenhouse.
"""
import base64
import json
import os
import sys
import time
import unittest
import urllib.request

sys.path.insert(0, os.path.join(os.environ["TH_SOURCE_DIR"], "tests", "lib"))
import fakeworld  # noqa: E402
import nmhost  # noqa: E402


class Pacing:
    GEN = None

    @classmethod
    def setUpClass(cls):
        cls.w = fakeworld.FakeWorld(cls.GEN, prefix="th-pace-")

    @classmethod
    def tearDownClass(cls):
        cls.w.close()

    def burn(self, n):
        """n requests with the company's credential, as other recruiters' hosts would make."""
        if self.GEN == "v1":
            auth = "Basic " + base64.b64encode((self.w.creds.v1_key + ":").encode()).decode()
            url = self.w.fakes.url("harvest") + "/v1/users?per_page=1"
        else:
            req = urllib.request.Request(
                self.w.fakes.url("auth") + "/token", data=b"grant_type=client_credentials",
                headers={"Authorization": "Basic " + base64.b64encode(
                    ("%s:%s" % (self.w.creds.client_id, self.w.creds.client_secret)).encode()
                ).decode(), "Content-Type": "application/x-www-form-urlencoded"})
            tok = json.loads(urllib.request.urlopen(req, timeout=10).read())["access_token"]
            auth = "Bearer " + tok
            url = self.w.fakes.url("harvest") + "/v3/users?per_page=1"
        left = None
        for _ in range(n):
            r = urllib.request.urlopen(urllib.request.Request(url, headers={"Authorization": auth}),
                                       timeout=10)
            r.read()
            left = int(r.headers["X-RateLimit-Remaining"])
        return left

    def send(self, h, rid):
        t0 = time.monotonic()
        r = h.request({"id": rid, "type": "send_sms", "request_id": rid, "candidate_id": "1001",
                       "to": "+13035550123", "body": "pacing %s" % rid})
        return r, time.monotonic() - t0

    def test_note_waits_sms_does_not(self):
        limit = 50 if self.GEN == "v1" else 100  # the docs' example; the fakes' v3 figure
        self.w.fakes.config({"harvest_v1_rate_limit": 50, "harvest_v3_rate_limit": 100})
        self.w.fakes.reset_rate_limits()
        # host A (another tab of this computer) sends; its answers tell it the window
        a = nmhost.Host(env=self.w.env)
        try:
            # A's first text spends two (the user lookup, the note): the window is then at a
            # fifth of its limit, the reserve kept for what a person waits for
            self.burn(limit - (limit // 5 + 2))
            r, _ = self.send(a, "pace-a")
            self.assertTrue(r["ok"], r)
            self.assertEqual(r["result"]["note"]["state"], "written", r)
        finally:
            a.close()
        n0 = len(self.w.fakes.requests())
        b = nmhost.Host(env=self.w.env)
        try:
            r, took = self.send(b, "pace-b")
            self.assertTrue(r["ok"], r)
            # the SMS went at once ...
            self.assertEqual(len(self.w.messages(body="pacing pace-b")), 1)
            self.assertLess(took, 5.0, "the SMS waited for the rate-limit window")
            # ... and the note waits for the window (nothing sent to Greenhouse for it)
            note = r["result"]["note"]
            self.assertEqual(note["state"], "pending", r)
            self.assertIn("rate_limited", note["reason"])
            posts = [x for x in self.w.fakes.requests()[n0:]
                     if x["server"] == "harvest" and x["method"] == "POST"]
            self.assertEqual(posts, [])
            # the idle port writes it once the window has reset
            deadline = time.time() + 40
            while time.time() < deadline and not self.w.notes("pacing pace-b"):
                time.sleep(0.25)
            self.assertEqual(len(self.w.notes("pacing pace-b")), 1, "the held note was not written")
        finally:
            rc, _, err = b.close()
        self.assertEqual(rc, 0, err[-2000:])
        got429 = [x for x in self.w.fakes.requests()[n0:]
                  if x["server"] == "harvest" and x.get("status") == 429]
        self.assertEqual(got429, [])


class PacingV1(Pacing, unittest.TestCase):
    GEN = "v1"


class PacingV3(Pacing, unittest.TestCase):
    GEN = "v3"


if __name__ == "__main__":
    unittest.main(verbosity=2)
