#!/usr/bin/env python3
"""A note is posted only by the process that holds its claim: the lease race, through the
real binary against the fakes, Harvest v1 and v3.

Process A claims a note (the claim journaled with the message id), then stalls; once its
lease has run out, process B (`textus-host outbox flush`, its clock moved ahead with
faketime) may take the claim over, search the candidate's notes and post. A must then never
post: it re-takes its claim right before the POST, and the lease outlasts the worst case of
that POST (PROTOCOL.md, *How long a request can take*), so that a POST already under way when
the lease runs out has ended before B can take over.

  stall     send_sms / schedule_sms with reply_before_note: A's reply blocks on a full stdout
            pipe (the extension not reading) after the claim and before the note's POST; B
            at +180 s takes the note over and writes it; A, unblocked, must not post again
            (also while B's POST is still under way: A's note event then says so).
  slow      timeout_ms 200000 and a note POST that Greenhouse holds for a few seconds; B at
            +130 s (past the old fixed 120 s lease, within the worst case of A's POST) must
            leave the note alone while A's POST is under way.

Checked from the fakes: exactly one note carrying the message's marker.
"""
import fcntl
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
import unittest

SRC = os.environ["TH_SOURCE_DIR"]
sys.path.insert(0, os.path.join(SRC, "tests", "lib"))
from fakeworld import FakeWorld, Creds  # noqa: E402
from nmhost import Host, frame  # noqa: E402

HOST = os.environ["TH_HOST"]
# Debian's faketime through tests/lib/faketime.sh: the library without the wrapper program,
# whose leftover semaphores make a later run fail now and then ("sem_open: File exists")
FAKETIME = (os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib", "faketime.sh")
            if shutil.which("faketime") else None)
ONLY = os.environ.get("TH_SEND_ONLY")  # one generation ("v1"/"v3") when set

TOKEN = "tok_lease_FAKE_0001"
V1_KEY = "hvk_lease_FAKE_0001"
CLIENT_ID = "client_lease_FAKE_0001"
CLIENT_SECRET = "csecret_lease_FAKE_0001"
CREDS = Creds(TOKEN, V1_KEY, CLIENT_ID, CLIENT_SECRET)
CAND = 1001

SEED = {
    "textus": {
        "tokens": {TOKEN: {"user": "/users/1", "accounts": ["acme"], "email": "alice@acme.example"}},
        "users": {"/users/1": {"name": "Alice Recruiter", "email": "alice@acme.example"}},
        "accounts": {"acme": {"name": "Acme", "type": "organization",
                              "phoneNumbers": ["+13035550100"]}},
        "opt_outs": [], "blocked": {}, "contacts": [], "messages": [],
    },
    "harvest": {
        "api_keys": {V1_KEY: {"name": "lease", "permissions": [
            "activity_feed", "candidates_list", "candidates_add_note", "users_retrieve",
            "users_list"]}},
        "oauth_clients": {CLIENT_ID: {"name": "textus-host", "secret": CLIENT_SECRET}},
        "users": [{"id": 101, "first_name": "Alice", "last_name": "Recruiter",
                   "primary_email_address": "alice@acme.example", "site_admin": True}],
        "candidates": [{"id": CAND, "first_name": "Jane", "last_name": "Candidate",
                        "phone_numbers": [{"value": "(303) 555-0123", "type": "mobile"}]}],
        "activity_feed": {str(CAND): {"activities": [], "notes": []}},
    },
}

F_SETPIPE_SZ = 1031  # Linux fcntl.h
F_GETPIPE_SZ = 1032
NOTE_PATH = {"v1": r"^/v1/candidates/\d+/activity_feed/notes$", "v3": r"^/v3/notes$"}


class World(FakeWorld):
    SETTINGS = {"timeout_ms": 3000, "connect_timeout_ms": 2000, "quiet_hours": "off",
                "note_retry_base_ms": 1000}

    def __init__(self, gen):
        super().__init__(gen, prefix="th-lease-%s-" % gen, seed=SEED, creds=CREDS,
                         max_seconds=300)

    def settings(self, **kw):
        self.configure_ok(self.config_doc(dict(self.SETTINGS, **kw)))

    def row(self, rid):
        db = os.path.join(self.home, "outbox.sqlite")
        if not os.path.exists(db):
            return None
        con = sqlite3.connect("file:%s?mode=ro" % db, uri=True, timeout=30)
        try:
            return con.execute("SELECT send_state, note_state, message_id, note_attempts"
                               " FROM journal WHERE request_id = ?", (rid,)).fetchone()
        except sqlite3.OperationalError:
            return None  # the host is still creating the journal
        finally:
            con.close()

    def wait_sent(self, rid, bound_s=20):
        deadline = time.monotonic() + bound_s
        while time.monotonic() < deadline:
            r = self.row(rid)
            if r and r[0] == "sent":
                return r
            time.sleep(0.05)
        raise AssertionError("%s was not journaled as sent within %d s" % (rid, bound_s))

    def flush_later(self, seconds):
        """`textus-host outbox flush` with the clock `seconds` ahead (faketime)."""
        r = subprocess.run([FAKETIME, "-f", "+%ds" % seconds, HOST, "outbox", "flush"],
                           env=self.full_env(), capture_output=True, timeout=60)
        return r.returncode, r.stdout.decode(), r.stderr.decode()


def read_frame(h):
    hdr = h._read_exact(4)
    assert hdr is not None and len(hdr) == 4, "host closed stdout"
    n = int.from_bytes(hdr, sys.byteorder)
    body = h._read_exact(n)
    return 4 + n, json.loads(body.decode())


@unittest.skipUnless(FAKETIME, "faketime is not installed (Debian package faketime)")
class Lease(unittest.TestCase):
    gens = [ONLY] if ONLY else ["v1", "v3"]

    def stall(self, gen, verb, b_in_flight=False):
        w = World(gen)
        try:
            rid = "lease-stall-%s-%s" % (verb, gen)
            h = Host(env=w.env)
            fd = h.proc.stdout.fileno()
            fcntl.fcntl(fd, F_SETPIPE_SZ, 4096)
            cap = fcntl.fcntl(fd, F_GETPIPE_SZ)
            h.send({"id": "p0000", "type": "ping"})
            size, reply = read_frame(h)
            self.assertTrue(reply.get("ok"), reply)
            # fill the pipe with ping replies the "extension" does not read, leaving less room
            # than the send's reply needs: the host blocks writing it, after the claim
            k = cap // size
            req = {"id": "s1", "type": verb, "request_id": rid, "candidate_id": str(CAND),
                   "to": "+13035550123", "body": "lease stall %s %s" % (verb, gen),
                   "reply_before_note": True}
            if verb == "schedule_sms":
                req["send_at"] = time.strftime("%Y-%m-%dT%H:%M:%SZ",
                                               time.gmtime(time.time() + 3600))
            data = b"".join(frame({"id": "p%04d" % (i + 1), "type": "ping"}) for i in range(k))
            h.send_raw(data + frame(req))
            row = w.wait_sent(rid)
            marker = "[textus:%s]" % row[2]
            time.sleep(0.5)
            self.assertEqual(len(w.notes(marker)), 0, "A posted before its reply was read")
            # B, past A's lease: takes the note over, finds nothing in the feed, posts
            if b_in_flight:  # B's POST held by Greenhouse (within timeout_ms) while A goes on
                w.fakes.fault({"server": "harvest", "method": "POST",
                               "path_re": NOTE_PATH[gen], "action": {"delay_ms": 2000}})
                b = subprocess.Popen([FAKETIME, "-f", "+180s", HOST, "outbox", "flush"],
                                     env=w.full_env(), stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE)
                deadline = time.monotonic() + 20
                while time.monotonic() < deadline and not any(
                        f.get("fired") for f in w.fakes.faults()):
                    time.sleep(0.05)
            else:
                rc, out, err = w.flush_later(180)
                self.assertEqual(rc, 0, err)
                self.assertEqual(len(w.notes(marker)), 1, "B did not write the note: %s" % out)
            # the extension reads again: A's reply, then A's note event
            for i in range(k):
                read_frame(h)
            _, reply = read_frame(h)
            self.assertTrue(reply.get("ok"), reply)
            self.assertTrue(reply["result"]["note"].get("event"), reply)
            _, ev = read_frame(h)
            self.assertEqual(ev.get("event"), "note", ev)
            rc, rest, err = h.close()
            self.assertEqual(rc, 0, err[-2000:])
            if b_in_flight:
                out, err = b.communicate(timeout=60)
                self.assertEqual(b.returncode, 0, out + err)
            notes = w.notes(marker)
            self.assertEqual(len(notes), 1, "%s %s: %d notes with %s (A posted after B took "
                             "its claim over)" % (verb, gen, len(notes), marker))
            if b_in_flight:  # A's event: B is writing it
                self.assertEqual(ev["note"]["state"], "pending", ev)
                self.assertIn("another host process", ev["note"]["reason"], ev)
            else:
                self.assertEqual(ev["note"]["state"], "written", ev)
            self.assertEqual(w.row(rid)[1], "written")
        finally:
            w.close()

    def test_stall_send(self):
        for gen in self.gens:
            with self.subTest(gen=gen):
                self.stall(gen, "send_sms")

    def test_stall_schedule(self):
        for gen in self.gens:
            with self.subTest(gen=gen):
                self.stall(gen, "schedule_sms")

    def test_stall_while_taken(self):
        """A unblocks while B's POST is under way: A neither posts nor claims to have."""
        for gen in self.gens:
            with self.subTest(gen=gen):
                self.stall(gen, "send_sms", b_in_flight=True)

    def test_slow_post(self):
        for gen in self.gens:
            with self.subTest(gen=gen):
                w = World(gen)
                try:
                    w.settings(timeout_ms=200000)
                    rid = "lease-slow-%s" % gen
                    w.fakes.fault({"server": "harvest", "method": "POST",
                                   "path_re": NOTE_PATH[gen], "action": {"delay_ms": 4000}})
                    h = Host(env=w.env)
                    h.send({"id": 1, "type": "send_sms", "request_id": rid,
                            "candidate_id": str(CAND), "to": "+13035550123",
                            "body": "lease slow %s" % gen})
                    row = w.wait_sent(rid)
                    marker = "[textus:%s]" % row[2]
                    time.sleep(1.0)  # A's note POST is under way (held by the fake)
                    rc, out, err = w.flush_later(130)
                    # 3: the note still waits (A holds it); 0: B wrote it
                    self.assertIn(rc, (0, 3), err)
                    reply = h.read_reply()
                    rc, _, err = h.close()
                    self.assertEqual(rc, 0, err[-2000:])
                    self.assertTrue(reply.get("ok"), reply)
                    notes = w.notes(marker)
                    self.assertEqual(len(notes), 1, "%s: %d notes with %s (B took over a claim "
                                     "whose POST was under way)" % (gen, len(notes), marker))
                    self.assertEqual(reply["result"]["note"]["state"], "written", reply)
                finally:
                    w.close()


if __name__ == "__main__":
    unittest.main(verbosity=2)
