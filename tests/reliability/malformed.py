"""Malformed-input campaign: at least 200 malformed frames, JSON documents,
wrong types and odd Unicode through ONE long-lived host. Each must get a
structured error whose code is in PROTOCOL.md's table, and the host must keep
serving (a ping after every bad request). Under TH_WRAPPER=valgrind the
process must also exit cleanly (valgrind's --error-exitcode catches errors).
"""
import json
import os
import random
import re
import struct
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from nmhost import Host, frame  # noqa: E402

SRC = os.environ.get("TH_SOURCE_DIR") or os.path.join(os.path.dirname(__file__), "..", "..")
VERBS = ["ping", "extract_phone", "send_sms", "message_status", "opt_out", "import_contact",
         "status", "configure", "flush_outbox"]
WRONG = [None, True, False, 0, -1, 1e308, "", "x" * 5000, [], [1, "a"], {}, {"a": {"b": []}},
         "\u202e\u0000\ufeff", "😀" * 100, "\ud7ff\ue000", 12345678901234567890]


def known_codes():
    with open(os.path.join(SRC, "host", "PROTOCOL.md"), encoding="utf-8") as f:
        return set(re.findall(r"^\|\s*\d+\s*\|\s*`([a-z0-9_]+)`", f.read(), re.M))


def cases(rng):
    out = []
    raw = [b"", b"{", b"}", b"[", b"nul", b"tru", b"{\"type\":}", b"{'type':'ping'}",
           b"{\"type\":\"ping\",}", b"\xef\xbb\xbf{\"type\":\"ping\"}", b"\x00" * 10,
           b"{\"type\":\"ping\"}{\"type\":\"ping\"}", b"\"\\ud800\"", b"{\"type\":\"\\u0000\"}",
           b"\xff\xfe", b"\xc3\x28", b"\xe2\x82", b"\xf4\x90\x80\x80", b"[" * 2000 + b"]" * 2000,
           b"{\"a\":" * 1500 + b"1" + b"}" * 1500, b"1e99999", b"-", b"\t\n ", b"{\"type\":\"ping\"\x00}"]
    out += [("raw", r) for r in raw]
    for v in VERBS:
        for w in WRONG:
            out.append(("json", {"type": v, "id": "w", "profile": w, "request_id": w, "to": w,
                                 "body": w, "candidate_id": w, "message_id": w, "note": w}))
        out.append(("json", {"type": v, "id": ["bad"]}))
    for w in WRONG:
        out.append(("json", {"type": w}))
    for _ in range(40):
        n = rng.randint(1, 200)
        out.append(("raw", bytes(rng.getrandbits(8) for _ in range(n))))
    return out


class Malformed(unittest.TestCase):
    def test_campaign(self):
        rng = random.Random(20261126)
        codes = known_codes()
        work = cases(rng)
        self.assertGreaterEqual(len(work), 200)
        home = os.path.join(os.environ.get("TMPDIR", "/tmp"), "th-malformed-%d" % os.getpid())
        h = Host(env={"TEXTUS_HOST_HOME": home})
        structured = 0
        for kind, payload in work:
            body = payload if kind == "raw" else json.dumps(payload).encode()
            h.send_raw(frame(body))
            r = h.read_reply()
            self.assertIsNotNone(r, "host stopped answering after %r" % body[:80])
            self.assertIn("ok", r)
            if r["ok"] is False:
                self.assertIn(r["error"]["code"], codes, r)
                self.assertIsInstance(r["error"]["message"], str)
                self.assertIsInstance(r["error"]["retryable"], bool)
                structured += 1
            p = h.request({"type": "ping", "id": "alive"})
            self.assertEqual(p["id"], "alive")
            self.assertTrue(p["ok"])
        rc, rest, err = h.close(timeout=300)
        self.assertEqual(rc, 0, err[-2000:])
        self.assertEqual(rest, b"")
        print("malformed campaign: %d requests, %d structured errors, host kept serving" % (len(work), structured))


if __name__ == "__main__":
    unittest.main(verbosity=1)
