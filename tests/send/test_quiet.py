#!/usr/bin/env python3
"""Quiet hours and scheduled sends through the real binary, with the host's clock set by
faketime (Debian's libfaketime) and the candidate's time zone taken from the number.

The configured window is the default, 08:00-21:00 in the candidate's local time. Every
clock below is a winter date in 2030 (no daylight saving in the US then), in the future of
the fakes' own clock, which stays real (the fake refuses a schedule in its past):
    Chicago  CST = UTC-6     Denver  MST = UTC-7     Honolulu HST = UTC-10
A refused text reaches neither TextUs nor Greenhouse and leaves nothing in the outbox.
"""
import json
import os
import shutil
import subprocess
import sys
import unittest

SRC = os.environ["TH_SOURCE_DIR"]
sys.path.insert(0, os.path.join(SRC, "tests", "lib"))
from fakeworld import FakeWorld, Creds  # noqa: E402
import nmhost  # noqa: E402

HOST = os.environ["TH_HOST"]
# Debian's faketime through tests/lib/faketime.sh: the library without the wrapper program,
# whose leftover semaphores make a later run fail now and then ("sem_open: File exists")
FAKETIME = (os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib", "faketime.sh")
            if shutil.which("faketime") else None)

TOKEN = "tok_quiet_FAKE_0001"
V1_KEY = "hvk_quiet_FAKE_0001"
CAND = 1001
USER_ID = 101
CHICAGO, DENVER, HONOLULU = "+13125550142", "+13035550123", "+18085550150"
DENVER_PHOENIX = "+16025550177"  # +1 602: America/Denver and America/Phoenix
TOLL_FREE = "+18005550199"       # no time zone in the table
PANHANDLE = "+18505550123"       # +1 850, an exchange the metadata does not list

SEED = {
    "textus": {
        "tokens": {TOKEN: {"user": "/users/1", "accounts": ["acme"]}},
        "users": {"/users/1": {"name": "Alice Recruiter", "email": "alice@acme.example"}},
        # the account's number, written for people as the accounts page shows it
        "accounts": {"acme": {"name": "Acme", "phoneNumbers": ["(303) 555-0100"]}},
    },
    "harvest": {
        "api_keys": {V1_KEY: {"name": "quiet"}},
        "users": [{"id": USER_ID, "first_name": "Alice", "last_name": "Recruiter",
                   "primary_email_address": "alice@acme.example"}],
        # the CLI sends only to a number on the candidate's record (or --to-unlisted)
        "candidates": [{"id": CAND, "first_name": "Jane", "last_name": "Candidate",
                        "phone_numbers": [{"value": "(312) 555-0142", "type": "mobile"},
                                          {"value": "(303) 555-0123", "type": "home"}]}],
        "activity_feed": {str(CAND): {"activities": [], "notes": []}},
    },
}


class World(FakeWorld):
    def __init__(self):
        # TZ=UTC: faketime reads the times below as UTC; the host's zones are its own table
        super().__init__("v1", prefix="th-quiet-", seed=SEED,
                         creds=Creds(TOKEN, V1_KEY, None, None), env={"TZ": "UTC"},
                         max_seconds=300)

    def configure(self):
        # the default window: no quiet_hours setting
        self.configure_ok(self.config_doc({"timeout_ms": 5000, "connect_timeout_ms": 2000}))

    def prefix(self, utc):
        return [FAKETIME, "-f", "@" + utc] if utc else []

    def verb(self, utc, payload):
        """One request through a fresh host whose clock starts at `utc` ("2030-01-16 04:00:00")."""
        p = subprocess.run(self.prefix(utc) + [HOST, nmhost.STUB_ORIGIN],
                           input=nmhost.frame(payload), env=self.full_env(), capture_output=True,
                           timeout=60)
        assert len(p.stdout) >= 4, "no reply (exit %d): %s" % (p.returncode, p.stderr.decode())
        n = int.from_bytes(p.stdout[:4], sys.byteorder)
        return json.loads(p.stdout[4:4 + n].decode())

    def cli(self, utc, *args, stdin=""):
        p = subprocess.run(self.prefix(utc) + [HOST] + list(args), input=stdin.encode(),
                           env=self.full_env(), capture_output=True, timeout=60)
        out, err = p.stdout.decode(), p.stderr.decode()
        if os.environ.get("TH_WIN_EXE"):  # the .exe under Wine: Windows' text-mode line ends
            out, err = out.replace("\r\n", "\n"), err.replace("\r\n", "\n")
        return p.returncode, out, err

    def send(self, utc, rid, to, body, **kw):
        return self.verb(utc, dict({"type": "send_sms", "request_id": rid,
                                    "candidate_id": str(CAND), "to": to, "body": body}, **kw))

    def schedule(self, utc, rid, to, body, send_at):
        return self.verb(utc, {"type": "schedule_sms", "request_id": rid,
                               "candidate_id": str(CAND), "to": to, "body": body,
                               "send_at": send_at})

    def requests(self):
        return self.fakes.requests()

    def journaled(self, rid):
        rc, out, err = self.cli(None, "outbox", "list", "--json")
        assert rc == 0, err
        return rid in out


W = None


def setUpModule():
    global W
    if not FAKETIME:
        raise unittest.SkipTest("faketime is not installed (Debian package faketime)")
    W = World()


def tearDownModule():
    if W:
        W.close()


class QuietHours(unittest.TestCase):
    def refused(self, utc, rid, to, body, **kw):
        """The send is refused as quiet_hours, and nothing reached a service or the journal."""
        before = len(W.requests())
        r = W.send(utc, rid, to, body, **kw)
        self.assertFalse(r["ok"], r)
        self.assertEqual(r["error"]["code"], "quiet_hours", r)
        self.assertIs(r["error"]["retryable"], False)
        self.assertEqual(len(W.requests()), before, "a refused text reached TextUs or Greenhouse")
        self.assertEqual(W.messages(body=body), [])
        self.assertFalse(W.journaled(rid), "a refused text was journaled")
        return r["error"]

    def test_22h_chicago_refused_with_the_fields(self):
        e = self.refused("2030-01-16 04:00:00", "q-chicago", CHICAGO, "Hi Jane, 22:00 in Chicago")
        self.assertEqual(e["local_time"], "22:00")
        self.assertEqual(e["time_zone"], "America/Chicago")
        self.assertEqual(e["next_allowed"], "2030-01-16T14:00:00Z")  # 08:00 CST
        self.assertEqual(e["next_local_time"], "08:00")
        self.assertEqual(e["quiet_hours"], "08:00-21:00")
        self.assertNotIn("time_zones", e)  # one zone
        self.assertIn("22:00 in America/Chicago", e["message"])
        # the setting is the hours texts are allowed, and the message says so (not "quiet")
        self.assertIn("outside the hours texts are allowed (08:00-21:00 their time; "
                      "settings.quiet_hours)", e["message"])
        self.assertNotIn("quiet-hours window", e["message"])
        # and status names it for what it is
        rc, out, err = W.cli(None, "status")
        self.assertEqual(rc, 0, out + err)
        self.assertRegex(out, r"\n  texting hours +08:00-21:00 \(settings\.quiet_hours\)\n")
        self.assertNotRegex(out, r"\n  quiet_hours ")

    def test_06h_honolulu_refused(self):
        e = self.refused("2030-01-15 16:00:00", "q-honolulu", HONOLULU, "Aloha, 06:00 in Honolulu")
        self.assertEqual((e["local_time"], e["time_zone"]), ("06:00", "Pacific/Honolulu"))
        self.assertEqual(e["next_allowed"], "2030-01-15T18:00:00Z")  # 08:00 HST

    def test_09h_denver_sent_with_one_note(self):
        body = "Hi Jane, 09:00 in Denver"
        r = W.send("2030-01-15 16:00:00", "q-denver", DENVER, body)
        self.assertTrue(r["ok"], r)
        self.assertEqual(r["result"]["note"]["state"], "written")
        self.assertEqual(len(W.messages(body=body)), 1)
        notes = W.notes(body)
        self.assertEqual(len(notes), 1)
        self.assertNotIn("quiet hours", notes[0]["body"])  # nothing to say: inside the window
        # a replay in the middle of the night is a replay, not a new text: never refused
        again = W.send("2030-01-16 06:00:00", "q-denver", DENVER, body)
        self.assertTrue(again["ok"], again)
        self.assertIs(again["result"]["replayed"], True)
        self.assertEqual(len(W.messages(body=body)), 1)

    def test_override_sends_and_the_note_says_so(self):
        body = "Hi Jane, sent anyway at 22:30 in Chicago"
        r = W.send("2030-01-16 04:30:00", "q-override", CHICAGO, body, override_quiet_hours=True)
        self.assertTrue(r["ok"], r)
        self.assertEqual(len(W.messages(body=body)), 1)
        notes = W.notes(body)
        self.assertEqual(len(notes), 1)
        nb = notes[0]["body"]
        self.assertIn("Sent outside the quiet hours", nb)
        self.assertIn("22:30 CST (America/Chicago)", nb)
        self.assertIn("chose to send it anyway", nb)
        self.assertIn("[textus:%s]" % r["result"]["message"]["id"], nb)

    def test_override_must_be_a_boolean(self):
        r = W.send("2030-01-16 04:00:00", "q-override-str", CHICAGO, "x",
                   override_quiet_hours="yes")
        self.assertEqual(r["error"]["code"], "bad_request", r)

    def test_two_zones_must_both_allow(self):
        # 2030-07-16 03:30Z: 21:30 in Denver (MDT, outside), 20:30 in Phoenix (no DST, inside)
        e = self.refused("2030-07-16 03:30:00", "q-602", DENVER_PHOENIX, "Hi, +1 602 at night")
        self.assertEqual((e["time_zone"], e["local_time"]), ("America/Denver", "21:30"))
        self.assertEqual(sorted((z["zone"], z["local_time"], z["allowed"])
                                for z in e["time_zones"]),
                         [("America/Denver", "21:30", False), ("America/Phoenix", "20:30", True)])
        # allowed in both only once it is 08:00 in Phoenix (15:00Z), 09:00 in Denver
        self.assertEqual((e["next_allowed"], e["next_local_time"]), ("2030-07-16T15:00:00Z", "09:00"))

    def test_850_exchange_not_listed_is_held_to_both_zones(self):
        # +1 850-555: the area code's own entry says New York, but many 850 exchanges are
        # listed in Chicago, and 555 is not listed: it may be in either (quiet_tz.inc's rule).
        # 2030-01-16 13:59Z: 07:59 in Chicago (CST, outside), 08:59 in New York (inside)
        e = self.refused("2030-01-16 13:59:00", "q-850", PANHANDLE, "Hi, +1 850 at 07:59 CST")
        self.assertEqual((e["time_zone"], e["local_time"]), ("America/Chicago", "07:59"))
        self.assertEqual(sorted((z["zone"], z["local_time"], z["allowed"])
                                for z in e["time_zones"]),
                         [("America/Chicago", "07:59", False),
                          ("America/New_York", "08:59", True)])
        self.assertEqual(e["next_allowed"], "2030-01-16T14:00:00Z")  # 08:00 CST
        # at 08:00 CST it goes out (the number is not on the record: to_unlisted)
        body = "Hi, +1 850 at 08:00 CST"
        r = W.send("2030-01-16 14:00:00", "q-850-ok", PANHANDLE, body, to_unlisted=True)
        self.assertTrue(r["ok"], r)
        self.assertEqual(len(W.messages(body=body)), 1)

    def test_unknown_zone_refused_without_a_guess_and_the_override_sends(self):
        e = self.refused("2030-01-15 18:00:00", "q-tollfree", TOLL_FREE, "Hi, toll-free")
        self.assertIsNone(e["time_zone"])
        self.assertIsNone(e["local_time"])
        self.assertIsNone(e["next_allowed"])
        body = "Hi, toll-free, sent anyway"
        r = W.send("2030-01-15 18:00:00", "q-tollfree-2", TOLL_FREE, body,
                   override_quiet_hours=True)
        self.assertTrue(r["ok"], r)
        self.assertIn("time zone is not known", W.notes(body)[0]["body"])

    def test_local_time_verb(self):
        r = W.verb("2030-01-16 04:05:00", {"type": "local_time", "to": CHICAGO})
        self.assertTrue(r["ok"], r)
        res = r["result"]
        self.assertIs(res["allowed"], False)
        self.assertEqual(res["time_zones"], [{"zone": "America/Chicago", "local_time": "22:05",
                                              "allowed": False}])
        self.assertEqual(res["next_allowed"], "2030-01-16T14:00:00Z")
        r = W.verb("2030-01-15 16:00:00", {"type": "local_time", "to": DENVER})
        self.assertIs(r["result"]["allowed"], True)
        self.assertIsNone(r["result"]["next_allowed"])
        r = W.verb(None, {"type": "local_time", "to": TOLL_FREE})
        self.assertEqual((r["result"]["time_zones"], r["result"]["allowed"]), ([], None))
        r = W.verb(None, {"type": "local_time", "to": "+19115550100"})
        self.assertEqual(r["error"]["code"], "bad_request")

    def test_cli_send_quiet_hours_and_override(self):
        body = "Hi Jane, from the command line at night"
        rc, out, err = W.cli("2030-01-16 04:00:00", "send", "--candidate", str(CAND), "--to",
                             CHICAGO, "--request-id", "q-cli", stdin=body)
        self.assertEqual(rc, 1, out + err)
        self.assertIn("quiet_hours", err)
        self.assertIn("22:00 in America/Chicago", err)
        # in the command's words: its options, not the verb's members; no request id, since
        # nothing was journaled
        self.assertIn("rerun with --schedule-at 2030-01-16T14:00:00Z, or --override-quiet-hours",
                      err)
        self.assertNotIn("override_quiet_hours", err)
        self.assertNotIn("request id", err)
        self.assertEqual(W.messages(body=body), [])
        rc, out, err = W.cli("2030-01-16 04:00:00", "send", "--candidate", str(CAND), "--to",
                             CHICAGO, "--request-id", "q-cli", "--override-quiet-hours",
                             stdin=body)
        self.assertEqual(rc, 0, out + err)
        self.assertEqual(len(W.messages(body=body)), 1)
        rc, out, err = W.cli(None, "send", "--candidate", str(CAND), "--to", CHICAGO,
                             "--schedule-at", "2030-01-16T14:00:00Z", "--override-quiet-hours")
        self.assertEqual(rc, 2, err)

    def test_setting_off_and_windows(self):
        body = "Hi Jane, quiet hours off"
        try:
            rc, out, err = W.cli(None, "configure", "--no-verify",
                                 stdin=json.dumps({"settings": {"quiet_hours": "off"}}))
            self.assertEqual(rc, 0, out + err)
            st = W.verb(None, {"type": "status"})
            self.assertEqual(st["result"]["settings"]["quiet_hours"], "off")
            r = W.send("2030-01-16 04:00:00", "q-off", CHICAGO, body)
            self.assertTrue(r["ok"], r)
            for bad in ("21:00-08:00", "8:00-21:00", "08:00-08:00", "late", 9):
                rc, out, err = W.cli(None, "configure", "--no-verify",
                                     stdin=json.dumps({"settings": {"quiet_hours": bad}}))
                self.assertNotEqual(rc, 0, bad)
                self.assertIn("settings.quiet_hours", err, bad)
            # the extension can never set it
            r = W.verb(None, {"type": "configure", "settings": {"quiet_hours": "off"}})
            self.assertEqual(r["error"]["code"], "invalid_config", r)
            # a narrower window is honoured: 10:00-17:00, 09:00 in Denver is outside
            rc, out, err = W.cli(None, "configure", "--no-verify",
                                 stdin=json.dumps({"settings": {"quiet_hours": "10:00-17:00"}}))
            self.assertEqual(rc, 0, err)
            e = self.refused("2030-01-15 16:00:00", "q-narrow", DENVER, "Hi, 09:00 but 10-17")
            self.assertEqual((e["quiet_hours"], e["next_allowed"]),
                             ("10:00-17:00", "2030-01-15T17:00:00Z"))
        finally:
            W.cli(None, "configure", "--no-verify",
                  stdin=json.dumps({"settings": {"quiet_hours": "08:00-21:00"}}))


class Scheduled(unittest.TestCase):
    NIGHT = "2030-01-16 04:00:00"  # 22:00 in Chicago

    def schedule_posts(self):
        return [r for r in W.requests() if r["server"] == "textus" and r["method"] == "POST"
                and r["path"] == "/acme/messages/schedule"]

    def test_scheduled_once_with_one_note_and_replay(self):
        body = "Hi Jane, scheduled for 08:00 your time"
        before = len(self.schedule_posts())
        r = W.schedule(self.NIGHT, "s-one", CHICAGO, body, "2030-01-16T14:00:00Z")
        self.assertTrue(r["ok"], r)
        res = r["result"]
        self.assertEqual(res["scheduled_at"], "2030-01-16T14:00:00Z")
        self.assertEqual(res["scheduled_local"], "Wed 16 Jan 2030 08:00 CST (America/Chicago)")
        self.assertEqual(res["message"]["delivery_state"], "scheduled")
        self.assertEqual(res["note"]["state"], "written")
        posts = self.schedule_posts()[before:]
        self.assertEqual(len(posts), 1)
        self.assertEqual(posts[0]["body"], {"from": "+13035550100", "to": CHICAGO, "body": body,
                                            "scheduled_at": "2030-01-16T14:00:00Z"})
        msgs = W.messages(body=body)
        self.assertEqual(len(msgs), 1)
        self.assertEqual((msgs[0]["deliveryState"], msgs[0]["flags"]), ("scheduled", ["scheduled"]))
        notes = W.notes(body)
        self.assertEqual(len(notes), 1)
        nb = notes[0]["body"]
        self.assertTrue(nb.startswith("Text scheduled for Wed 16 Jan 2030 08:00 CST "
                                      "(America/Chicago) via TextUs"), nb)
        self.assertIn("[textus:%s]" % res["message"]["id"], nb)
        # the same request again (the extension retrying, a second click): nothing new
        again = W.schedule(self.NIGHT, "s-one", CHICAGO, body, "2030-01-16T14:00:00Z")
        self.assertTrue(again["ok"], again)
        self.assertIs(again["result"]["replayed"], True)
        self.assertEqual(again["result"]["message"]["id"], res["message"]["id"])
        self.assertEqual(len(self.schedule_posts()) - before, 1)
        self.assertEqual(len(W.notes(body)), 1)
        rc, out, err = W.cli(None, "outbox", "list", "--json")
        entry = [x for x in json.loads(out)["entries"] if x["request_id"] == "s-one"]
        self.assertEqual(entry[0]["scheduled_at"], "2030-01-16T14:00:00Z", out)
        # the same id for another time is another request
        other = W.schedule(self.NIGHT, "s-one", CHICAGO, body, "2030-01-16T15:00:00Z")
        self.assertEqual(other["error"]["code"], "request_id_conflict", other)

    def refused(self, rid, send_at, code, utc=None):
        body = "Hi Jane, refused schedule " + rid
        before = len(W.requests())
        r = W.schedule(utc or self.NIGHT, rid, CHICAGO, body, send_at)
        self.assertEqual(r["error"]["code"], code, r)
        self.assertEqual(len(W.requests()), before, "a refused schedule reached a service")
        self.assertFalse(W.journaled(rid))
        return r["error"]

    def test_past_far_and_quiet_times_refused(self):
        self.refused("s-past", "2030-01-16T03:00:00Z", "schedule_out_of_range")
        self.refused("s-soon", "2030-01-16T04:00:30Z", "schedule_out_of_range")
        self.refused("s-far", "2030-04-17T14:00:00Z", "schedule_out_of_range")  # 91 days
        e = self.refused("s-quiet", "2030-01-16T05:00:00Z", "quiet_hours")  # 23:00 in Chicago
        self.assertEqual((e["local_time"], e["time_zone"], e["next_allowed"]),
                         ("23:00", "America/Chicago", "2030-01-16T14:00:00Z"))
        self.assertIn("scheduled time", e["message"])
        for bad in ("2030-01-16 14:00", "2030-01-16T08:00:00-06:00", "tomorrow", ""):
            self.refused("s-bad", bad, "bad_request")
        r = W.verb(self.NIGHT, {"type": "schedule_sms", "request_id": "s-over",
                                "candidate_id": str(CAND), "to": CHICAGO, "body": "x",
                                "send_at": "2030-01-16T14:00:00Z", "override_quiet_hours": True})
        self.assertEqual(r["error"]["code"], "bad_request", r)
        r = W.verb(self.NIGHT, {"type": "schedule_sms", "request_id": "s-tollfree",
                                "candidate_id": str(CAND), "to": TOLL_FREE, "body": "x",
                                "send_at": "2030-01-16T18:00:00Z"})
        self.assertEqual(r["error"]["code"], "quiet_hours", r)

    def test_cli_schedule_at(self):
        body = "Hi Jane, scheduled from the command line"
        rc, out, err = W.cli(self.NIGHT, "send", "--candidate", str(CAND), "--to", DENVER,
                             "--request-id", "s-cli", "--schedule-at", "2030-01-16T16:00:00Z",
                             stdin=body)
        self.assertEqual(rc, 0, out + err)
        res = json.loads(out)
        self.assertEqual(res["scheduled_local"], "Wed 16 Jan 2030 09:00 MST (America/Denver)")
        self.assertEqual(len(W.messages(body=body)), 1)
        rc, out, err = W.cli(self.NIGHT, "send", "--candidate", str(CAND), "--to", DENVER,
                             "--schedule-at", "2030-01-16 16:00", stdin=body)
        self.assertEqual(rc, 2, err)
        self.assertIn("--schedule-at", err)
        rc, out, err = W.cli(self.NIGHT, "send", "--candidate", str(CAND), "--to", DENVER,
                             "--schedule-at", "2030-01-15T00:00:00Z", stdin=body)
        self.assertEqual(rc, 1, err)
        self.assertIn("--schedule-at 2030-01-15T00:00:00Z is in the past", err)
        self.assertNotIn("send_at", err)
        # scheduled at night for the candidate: the next time allowed, as the option to give
        rc, out, err = W.cli(self.NIGHT, "send", "--candidate", str(CAND), "--to", DENVER,
                             "--schedule-at", "2030-01-16T06:00:00Z", stdin=body)
        self.assertEqual(rc, 1, err)
        self.assertRegex(err, r"rerun with --schedule-at 2030-01-\d\dT\d\d:\d\d:\d\dZ or later")


if __name__ == "__main__":
    unittest.main(verbosity=2)
