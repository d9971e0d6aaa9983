"""extract_phone's Greenhouse fallback, end to end: the real binary, a real
credential store, the real engine and the fake Harvest (v1 and v3). A profile
page with no number takes the candidate's numbers from List Candidates."""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
sys.path.insert(0, os.path.join(HERE, "..", "fakes"))
import fakectl  # noqa: E402
from nmhost import Host  # noqa: E402

SEED = os.path.join(HERE, "..", "fakes", "seed.example.json")
PROFILE = {"url": "https://app.greenhouse.io/people/1001?application_id=77", "name": "Jane Candidate",
           "lines": ["Jane Candidate", "(she/her)", "Senior Nurse at Mercy", "Chicago, IL",
                     "jane@example.com"]}


class Fallback(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="th-fallback-")
        cls.fakes = fakectl.start(SEED, os.path.join(cls.tmp, "fakes"))

    @classmethod
    def tearDownClass(cls):
        cls.fakes.stop()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def configure(self, home, greenhouse):
        doc = {"textus": {"token": "tok_alice_FAKE_0001", "account": "acme",
                          "base_url": self.fakes.url("textus")},
               "greenhouse": dict(greenhouse, email="alice@acme.example",
                                  base_url=self.fakes.url("harvest"), auth_url=self.fakes.url("auth"))}
        p = subprocess.run([os.environ["TH_HOST"], "configure", "--no-verify"], input=json.dumps(doc),
                           capture_output=True, text=True, env=dict(os.environ, TEXTUS_HOST_HOME=home),
                           timeout=60)
        self.assertEqual(p.returncode, 0, p.stderr)

    def extract(self, home, profile):
        h = Host(env={"TEXTUS_HOST_HOME": home})
        r = h.request({"type": "extract_phone", "id": 1, "profile": profile})
        self.assertEqual(h.close()[0], 0)
        return r

    def check_backend(self, name, greenhouse, cand_path):
        home = os.path.join(self.tmp, name)
        self.configure(home, greenhouse)
        before = len(self.fakes.requests(server="harvest"))
        r = self.extract(home, PROFILE)
        self.assertTrue(r["ok"], r)
        res = r["result"]
        self.assertEqual(res["candidate_id"], "1001")
        self.assertEqual(res["phone"]["e164"], "+13035550123")
        self.assertEqual(res["phone"]["source"], "greenhouse")
        self.assertEqual(res["phone"]["label"], "mobile")
        alts = [a["e164"] for a in res["alternatives"]]
        self.assertEqual(alts, ["+13035550124"])
        reqs = [q for q in self.fakes.requests(server="harvest")[before:] if q["path"].startswith(cand_path)]
        self.assertEqual(len(reqs), 1, reqs)
        self.assertIs(res["on_record"], True)
        # a page that shows a number: the same one read of the record checks it (issue O
        # item 1: on_record false when the number beneath the name is not on the record)
        before = len(self.fakes.requests(server="harvest"))
        r = self.extract(home, dict(PROFILE, lines=PROFILE["lines"] + ["Mobile: (312) 555-0142"]))
        self.assertEqual(r["result"]["phone"]["source"], "profile")
        self.assertEqual(r["result"]["phone"]["e164"], "+13125550142")
        self.assertIs(r["result"]["on_record"], False, r)
        reqs = [q for q in self.fakes.requests(server="harvest")[before:] if q["path"].startswith(cand_path)]
        self.assertEqual(len(reqs), 1, reqs)
        r = self.extract(home, dict(PROFILE, lines=PROFILE["lines"] + ["Mobile: 303-555-0123"]))
        self.assertEqual(r["result"]["phone"]["source"], "profile")
        self.assertIs(r["result"]["on_record"], True, r)
        # not checked (Greenhouse does not know the candidate): null, never true
        r = self.extract(home, dict(PROFILE, url="https://app.greenhouse.io/people/9999",
                                    lines=PROFILE["lines"] + ["Mobile: 303-555-0123"]))
        self.assertEqual(r["result"]["phone"]["e164"], "+13035550123")
        self.assertIsNone(r["result"]["on_record"], r)
        # a candidate with no numbers anywhere
        r = self.extract(home, dict(PROFILE, url="https://app.greenhouse.io/people/1002", name="John NoPhone",
                                    lines=["John NoPhone"]))
        self.assertEqual(r["error"]["code"], "no_phone_found")
        self.assertNotIn("greenhouse_error", r["error"]["details"])
        # a failed fallback never hides what the page showed: the page's own error, with its
        # details, and Greenhouse's in details.greenhouse_error
        gone = dict(PROFILE, url="https://app.greenhouse.io/people/9999", name="Jo Abroad")
        r = self.extract(home, dict(gone, lines=["Jo Abroad", "Mobile: +44 20 7946 0958"]))
        self.assertEqual(r["error"]["code"], "unsupported_number", r)
        d = r["error"]["details"]
        self.assertEqual([a["e164"] for a in d["alternatives"]], ["+442079460958"])
        self.assertEqual(d["greenhouse_error"]["code"], "greenhouse_not_found")
        self.assertIn("9999", d["greenhouse_error"]["message"])
        self.assertEqual(sorted(d["greenhouse_error"]), ["code", "message"])
        r = self.extract(home, dict(gone, lines=["Jo Abroad"]))
        self.assertEqual(r["error"]["code"], "no_phone_found", r)
        self.assertIsNone(r["error"]["details"]["phone"])
        self.assertEqual(r["error"]["details"]["greenhouse_error"]["code"], "greenhouse_not_found")

    def test_v1(self):
        self.check_backend("v1", {"api_key": "hvk_alice_FAKE_0001"}, "/v1/candidates")

    def test_v3(self):
        self.check_backend("v3", {"client_id": "client_FAKE_0001", "client_secret": "csecret_FAKE_0001"},
                           "/v3/candidates")

    def test_not_configured_is_plain_no_phone(self):
        r = self.extract(os.path.join(self.tmp, "empty"), PROFILE)
        self.assertEqual(r["error"]["code"], "no_phone_found")
        # no store: the default is not checked, and not claimed to be on the record
        r = self.extract(os.path.join(self.tmp, "empty"),
                         dict(PROFILE, lines=PROFILE["lines"] + ["Mobile: 303-555-0123"]))
        self.assertIsNone(r["result"]["on_record"], r)


if __name__ == "__main__":
    unittest.main(verbosity=1)
