#!/usr/bin/env python3
"""Two-way conversations through the real binary against the fakes, for Harvest v1 and v3.

The conversation verb (the thread, oldest first, the latest 50), the candidate's replies
logged as Greenhouse notes exactly once (the verb, flush_outbox, two hosts at once, a crash
between posting a reply's note and journaling it), history before the first text never
logged, and bad input (malformed number or id, an unknown candidate, 403/404 from either
API, a timeline page that is not a Timeline). Every scenario counts what the fakes recorded.
Prints one table row per scenario:
    scenario | generation | reply notes | reply codes
"""
import datetime
import json
import os
import shutil
import subprocess
import sys
import time
import zoneinfo

SRC = os.environ["TH_SOURCE_DIR"]
sys.path.insert(0, os.path.join(SRC, "tests", "lib"))
from fakeworld import FakeWorld, Creds, check, code, run_generations, finish  # noqa: E402
from nmhost import Host  # noqa: E402

HOST = os.environ["TH_HOST"]
FAILPOINTS = os.environ.get("TH_FAILPOINTS_BUILT") == "1"
ONLY = os.environ.get("TH_CONV_ONLY")  # one generation ("v1"/"v3") when set

TOKEN = "tok_conv_FAKE_0001"
V1_KEY = "hvk_conv_FAKE_0001"
CLIENT_ID = "client_conv_FAKE_0001"
CLIENT_SECRET = "csecret_conv_FAKE_0001"
CAND = "1001"
OTHER = "1002"
GHOST = "990099"  # a candidate Greenhouse does not know (deleted, or a mistyped id)
USER_ID = 101
CREDS = Creds(TOKEN, V1_KEY, CLIENT_ID, CLIENT_SECRET)

SEED = {
    "textus": {
        "tokens": {TOKEN: {"user": "/users/1", "accounts": ["acme"],
                           "email": "alice@acme.example"}},
        "users": {"/users/1": {"name": "Alice Recruiter", "email": "alice@acme.example"}},
        "accounts": {"acme": {"name": "Acme", "type": "organization",
                              "phoneNumbers": ["+13035550100"]}},
        "opt_outs": [],
        "blocked": {},
        # the TextUs contact with the first number: who replied, as the notes say
        "contacts": [{"account": "acme", "name": "Jane Candidate",
                      "phones": [{"number": "+13035550201", "type": "Mobile"}]}],
        "messages": [],
    },
    "harvest": {
        "api_keys": {V1_KEY: {"name": "conv", "permissions": [
            "activity_feed", "candidates_list", "candidates_add_note", "users_retrieve",
            "users_list"]}},
        "oauth_clients": {CLIENT_ID: {"name": "textus-host", "secret": CLIENT_SECRET}},
        "users": [{"id": USER_ID, "first_name": "Alice", "last_name": "Recruiter",
                   "primary_email_address": "alice@acme.example", "site_admin": False}],
        "candidates": [{"id": int(CAND), "first_name": "Jane", "last_name": "Candidate",
                        "phone_numbers": [{"value": "(303) 555-0201", "type": "mobile"}]},
                       {"id": int(OTHER), "first_name": "John", "last_name": "Other",
                        "phone_numbers": []}],
        "activity_feed": {CAND: {"activities": [], "notes": []},
                          OTHER: {"activities": [], "notes": []}},
    },
}

ROWS = []


class World(FakeWorld):
    def __init__(self, gen):
        super().__init__(gen, prefix="th-conv-%s-" % gen, seed=SEED, creds=CREDS, max_seconds=400)

    def configure(self, note_enabled=True):
        # quiet hours off: these tests send at any hour (tests/send/test_quiet.py covers them)
        self.configure_ok(self.config_doc({"note_enabled": note_enabled, "timeout_ms": 3000,
                                           "connect_timeout_ms": 2000,
                                           "note_retry_base_ms": 1000, "quiet_hours": "off"}))

    # --- what the fakes saw
    def notes(self, marker=None, cand=None):
        ns = super().notes(marker)
        if cand:
            ns = [n for n in ns if str(n.get("candidate_id")) == str(cand)]
        return ns

    def note_posts(self):
        return [r for r in self.fakes.requests(server="harvest") if r["method"] == "POST" and
                ("/activity_feed/notes" in r["path"] or r["path"] == "/v3/notes")]

    def textus_reads(self, part):
        return [r for r in self.fakes.requests(server="textus")
                if r["method"] == "GET" and part in r["path"]]

    # --- the host
    def send(self, to, body, cand=CAND, rid=None):
        rid = rid or "conv-%s-%d" % (self.gen, int(time.time() * 1e6) % 10**12)
        r = self.req({"type": "send_sms", "request_id": rid, "candidate_id": cand, "to": to,
                      "body": body})
        check(code(r) == "ok", "%s send to %s: %r" % (self.gen, to, r))
        return r

    def conv(self, to, cand=None, extra_env=None):
        p = {"type": "conversation", "to": to}
        if cand is not None:
            p["candidate_id"] = cand
        return self.req(p, extra_env)

    def inbound(self, to, body):
        return self.fakes.inbound("acme", to, body)["message_id"]

    def cli(self, *args, extra_env=None):
        return subprocess.run([HOST, *args], env=dict(os.environ, **self.env, **(extra_env or {})),
                              capture_output=True, timeout=60)


def res(reply):
    return reply["result"] if code(reply) == "ok" else {}


def marker(mid):
    return "[textus:%s]" % mid


def row(w, name, notes, codes):
    ROWS.append((name, w.gen, notes, " → ".join(codes)))


def feed_check_path():
    # the host looks for a reply's marker here before posting its note
    return r"^/v1/candidates/\d+/activity_feed$|^/v3/notes$"


def note_path():
    return r"^/v1/candidates/\d+/activity_feed/notes$|^/v3/notes$"


# ------------------------------------------------------------------ scenarios

def s_thread(w):
    """Thread order and fields; without a candidate nothing is logged."""
    to = "+13035550201"
    w.fakes.config({"textus_timeline_page_size": 2})  # the thread spans several pages
    try:
        h1 = w.inbound(to, "Hello? Who is this (before any text)")
        sent = w.send(to, "Hi Jane, this is Alice from Acme.")
        mid = res(sent).get("message", {}).get("id")
        w.fakes.advance(mid, "delivered")
        w.fakes.outbound("acme", to, "A colleague's text", "/users/2")
        failed = w.fakes.outbound("acme", to, "A text that bounced", "/users/2")["message_id"]
        w.fakes.advance(failed, "failed")
        r1 = w.inbound(to, "Sure, Thursday works")
        c = w.conv(to)
    finally:
        w.fakes.config({"textus_timeline_page_size": 25})
    got = res(c)
    items = got.get("items", [])
    check(code(c) == "ok", "%s thread: %r" % (w.gen, c))
    check([(i["direction"], i["body"]) for i in items] ==
          [("in", "Hello? Who is this (before any text)"), ("out", "Hi Jane, this is Alice from Acme."),
           ("out", "A colleague's text"), ("out", "A text that bounced"),
           ("in", "Sure, Thursday works")],
          "%s thread: oldest first, every message %r" % (w.gen, items))
    if len(items) == 5:
        check(items[0]["id"] == h1 and items[1]["id"] == mid and items[3]["id"] == failed and
              items[4]["id"] == r1, "%s thread: ids %r" % (w.gen, items))
        check(items[1]["delivered"] is True and items[1]["delivery_state"] == "delivered",
              "%s thread: Delivered %r" % (w.gen, items[1]))
        check(items[3]["delivered"] is False and items[3]["delivery_state"] == "failed",
              "%s thread: Not Delivered %r" % (w.gen, items[3]))
        check(items[0]["delivered"] is None and items[4]["delivery_state"] == "received",
              "%s thread: a reply has no Delivered %r" % (w.gen, items[4]))
        ats = [i["at"] for i in items]
        check(all(isinstance(a, str) and a.endswith("Z") and a[10] == "T" for a in ats) and
              ats == sorted(ats), "%s thread: ISO-8601 times, ascending %r" % (w.gen, ats))
        check(set(items[0]) == {"id", "direction", "body", "delivery_state", "delivered", "at"},
              "%s thread: item fields %r" % (w.gen, sorted(items[0])))
    check(got.get("to") == to and got.get("opted_out") is False and got.get("blocked") is False
          and got.get("lock") is None and got.get("scheduled") == [],
          "%s thread: to / opted_out / blocked / lock / scheduled %r" % (w.gen, got))
    check(got.get("replies_logged") == 0 and not w.notes(marker(r1)),
          "%s thread: without candidate_id nothing is logged" % w.gen)
    row(w, "thread, oldest first, 2 per page", len(w.notes(marker(r1))), [code(c)])
    return to, h1, r1


def s_reply_logged_once(w, to, history, reply):
    """With the candidate: the reply after the first text becomes one note; history never."""
    c1 = w.conv(to, CAND)
    ns = w.notes(marker(reply))
    check(code(c1) == "ok" and res(c1).get("replies_logged") == 1,
          "%s reply: logged once %r" % (w.gen, c1))
    check(len(ns) == 1, "%s reply: one note at Greenhouse (%d)" % (w.gen, len(ns)))
    if ns:
        b = ns[0]["body"]
        check("Jane Candidate" in b and to in b and "Sure, Thursday works" in b and " UTC" in b,
              "%s reply note says who, from which number, when, what: %r" % (w.gen, b))
        check(str(ns[0].get("candidate_id")) == CAND, "%s reply note on the candidate" % w.gen)
        if w.gen == "v1":
            check(str(ns[0].get("on_behalf_of")) == str(USER_ID), "v1 reply note On-Behalf-Of")
        else:
            check(str(ns[0].get("sub")) == str(USER_ID), "v3 reply note written as the recruiter")
    check(not w.notes(marker(history)),
          "%s reply: the message before the first text is not logged" % w.gen)
    check(res(c1).get("logging_since") and res(c1).get("replies_waiting") == 0,
          "%s reply: logging_since, nothing waiting %r" % (w.gen, res(c1)))
    posts = len(w.note_posts())
    c2 = w.conv(to, CAND)
    check(code(c2) == "ok" and res(c2).get("replies_logged") == 0,
          "%s reply: the same call again logs nothing %r" % (w.gen, c2))
    check(len(w.notes(marker(reply))) == 1 and len(w.note_posts()) == posts,
          "%s reply: still one note, no new POST" % w.gen)
    f = w.req({"type": "flush_outbox"})
    check(code(f) == "ok" and res(f).get("replies_logged") == 0,
          "%s reply: a flush logs it no second time %r" % (w.gen, f))
    check(len(w.notes(marker(reply))) == 1, "%s reply: one note after the flush" % w.gen)
    # another candidate was never texted at this number: shown, never logged for them
    c3 = w.conv(to, OTHER)
    check(code(c3) == "ok" and res(c3).get("replies_logged") == 0 and
          res(c3).get("logging_since") is None and len(res(c3).get("items", [])) == 5,
          "%s reply: a candidate never texted at the number logs nothing %r" % (w.gen, c3))
    check(not w.notes(cand=OTHER), "%s reply: no note on the other candidate" % w.gen)
    row(w, "reply after the first text; again; flush; other candidate",
        len(w.notes(marker(reply))), [code(c1), code(c2), code(f), code(c3)])


def s_latest_50(w):
    """The latest 50 of a longer thread, oldest first (a number this host never texted, so
    that no flush logs its 54 messages)."""
    to = "+13035550202"
    ids = [w.inbound(to, "message %02d" % i) for i in range(54)]
    c = w.conv(to)
    items = res(c).get("items", [])
    check(len(items) == 50, "%s latest 50: %d items" % (w.gen, len(items)))
    check([i["id"] for i in items] == ids[-50:],
          "%s latest 50: the newest 50, oldest first" % w.gen)
    check(res(c).get("replies_logged") == 0 and "replies_waiting" not in res(c),
          "%s latest 50: nothing logged without a candidate" % w.gen)
    row(w, "54 messages: the latest 50, oldest first", 0, [code(c)])


def s_replies_in_order(w):
    """Several replies since the last look: one note each, written oldest first."""
    to = "+13035550212"
    w.send(to, "A text with three answers")
    ids = [w.inbound(to, "answer %d of 3" % i) for i in (1, 2, 3)]
    c = w.conv(to, CAND)
    check(code(c) == "ok" and res(c).get("replies_logged") == 3,
          "%s three replies: three notes %r" % (w.gen, c))
    order = [n["id"] for n in w.notes() for m in ids if marker(m) in n["body"]]
    firsts = [min(n["id"] for n in w.notes(marker(m))) if w.notes(marker(m)) else None
              for m in ids]
    check(len(order) == 3 and firsts == sorted(firsts) and None not in firsts,
          "%s three replies: written oldest first %r" % (w.gen, firsts))
    row(w, "three replies: three notes, oldest first", len(order), [code(c)])


def s_flush(w):
    to = "+13035550203"
    w.send(to, "A text for the flush")
    reply = w.inbound(to, "Answer seen by a flush")
    f = w.req({"type": "flush_outbox"})
    check(code(f) == "ok" and res(f).get("replies_logged") == 1,
          "%s flush: replies_logged 1 %r" % (w.gen, f))
    check(len(w.notes(marker(reply))) == 1, "%s flush: one note" % w.gen)
    # nothing new: one conversation request per thread, no timeline read
    tl = len(w.textus_reads("/timeline"))
    f2 = w.req({"type": "flush_outbox"})
    check(code(f2) == "ok" and res(f2).get("replies_logged") == 0, "%s flush again %r" % (w.gen, f2))
    check(len(w.textus_reads("/timeline")) == tl,
          "%s flush: nothing new, no timeline read" % w.gen)
    check(len(w.notes(marker(reply))) == 1, "%s flush: still one note" % w.gen)
    # the CLI flush logs replies too
    r2 = w.inbound(to, "A second answer")
    p = w.cli("outbox", "flush")
    check(p.returncode == 0 and b"replies logged: 1" in p.stdout,
          "%s outbox flush: %r %r" % (w.gen, p.returncode, p.stdout))
    check(len(w.notes(marker(r2))) == 1, "%s outbox flush: one note" % w.gen)
    row(w, "reply logged by flush_outbox / outbox flush", len(w.notes(marker(reply))),
        [code(f), code(f2), "rc=%d" % p.returncode])


def s_flush_holds(w):
    """A 429's Retry-After holds TextUs for every process: a flush during the hold reads
    nothing, and the reply is logged by a flush after it."""
    to = "+13035550204"
    w.send(to, "A text before a rate limit")
    reply = w.inbound(to, "Answer during a rate limit")
    # longer than a read's retry budget (30 s), so the first flush gives up at once
    w.fakes.fault({"server": "textus", "method": "GET", "path_re": r"^/acme/conversations/",
                   "action": {"status": 429, "retry_after": 40}})
    f1 = w.req({"type": "flush_outbox"})
    check(code(f1) == "ok" and res(f1).get("replies_logged") == 0,
          "%s hold: rate limited flush logs nothing %r" % (w.gen, f1))
    hold = os.path.join(w.home, "holds")
    check(os.path.exists(hold), "%s hold: kept in the state folder" % w.gen)
    n = len(w.fakes.requests(server="textus"))
    f2 = w.req({"type": "flush_outbox"})
    check(code(f2) == "ok" and len(w.fakes.requests(server="textus")) == n,
          "%s hold: a flush during the hold asks TextUs nothing" % w.gen)
    # the end of the hold, without waiting 40 s: the file that holds it is removed, and the
    # window the 429 reported spent (its X-RateLimit-Reset, shared in "holds-windows")
    for f in (hold, hold + "-windows"):
        if os.path.exists(f):
            os.unlink(f)
    f3 = w.req({"type": "flush_outbox"})
    check(code(f3) == "ok" and res(f3).get("replies_logged") == 1,
          "%s hold: after the hold the reply is logged %r" % (w.gen, f3))
    check(len(w.notes(marker(reply))) == 1, "%s hold: one note" % w.gen)
    row(w, "TextUs 429 + Retry-After 40 s during flushes", len(w.notes(marker(reply))),
        [code(f1), code(f2), code(f3)])


def s_two_hosts(w):
    to = "+13035550205"
    w.send(to, "A text before two hosts")
    reply = w.inbound(to, "Answer two hosts see at once")
    # a slow feed check keeps the first host inside its claim while the second arrives
    w.fakes.fault({"server": "harvest", "method": "GET", "path_re": feed_check_path(),
                   "action": {"delay_ms": 1200}, "times": -1})
    try:
        p = {"type": "conversation", "to": to, "candidate_id": CAND}
        h1, h2 = Host(env=w.env), Host(env=w.env)
        h1.send(p)
        h2.send(p)
        r1, r2 = h1.read_reply(), h2.read_reply()
        h1.close()
        h2.close()
    finally:
        w.fakes.reset_faults()
    logged = res(r1).get("replies_logged", 0) + res(r2).get("replies_logged", 0)
    ns = w.notes(marker(reply))
    check(code(r1) == "ok" and code(r2) == "ok", "%s two hosts: %r %r" % (w.gen, r1, r2))
    check(len(ns) == 1 and logged == 1,
          "%s two hosts at once: one note (%d), logged once (%d)" % (w.gen, len(ns), logged))
    # and afterwards, nothing more
    r3 = w.conv(to, CAND)
    check(res(r3).get("replies_logged") == 0 and len(w.notes(marker(reply))) == 1,
          "%s two hosts: later call logs nothing" % w.gen)
    row(w, "two hosts at once (slow feed check)", len(ns), [code(r1), code(r2), code(r3)])


def s_lease(w):
    """The lease race for a reply's note (a note is posted only by the process that holds its
    claim): with timeout_ms 200000, a host whose note POST Greenhouse holds for 6 s, and a
    flush whose clock faketime puts 130 s ahead (past the old fixed 120 s lease, within the
    worst case of that POST) while it is held: the flush must leave the note to its holder."""
    # the library without the faketime wrapper (tests/lib/faketime.sh says why)
    faketime = shutil.which("faketime") and os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "lib", "faketime.sh")
    if not faketime:
        print("SKIP: lease race (faketime is not installed)")
        return
    to = "+13035550208"
    w.fakes.reset_rate_limits()  # earlier scenarios' reads: no 429 may delay the host here
    w.send(to, "A text before a slow reply note")
    reply = w.inbound(to, "Answer whose note is slow")
    w.configure_ok(w.config_doc({"note_enabled": True, "timeout_ms": 200000,
                                 "connect_timeout_ms": 2000, "note_retry_base_ms": 1000,
                                 "quiet_hours": "off"}))
    w.fakes.fault({"server": "harvest", "method": "POST", "path_re": note_path(),
                   "action": {"delay_ms": 6000}, "times": 1})  # longer than the flush
    try:
        h = Host(env=w.env)
        h.send({"type": "conversation", "to": to, "candidate_id": CAND})
        deadline = time.monotonic() + 30
        held = False
        while time.monotonic() < deadline and not held:  # the host's note POST is held
            held = any(f.get("fired") for f in w.fakes.faults())
            time.sleep(0.05)
        check(held, "%s lease: the host's note POST never reached Greenhouse" % w.gen)
        b = subprocess.run([faketime, "-f", "+130s", HOST, "outbox", "flush"],
                           env=dict(os.environ, **w.env), capture_output=True, timeout=60)
        r = h.read_reply()
        rc, _, err = h.close()
    finally:
        w.fakes.reset_faults()
        w.fakes.reset_rate_limits()  # the flush's reads count against Harvest's limit
        w.configure()
    ns = w.notes(marker(reply))
    check(rc == 0 and code(r) == "ok" and b.returncode in (0, 3),
          "%s lease: host %d %r, flush %d %s" % (w.gen, rc, r, b.returncode, b.stderr[-300:]))
    check(len(ns) == 1, "%s lease: one note for the reply (%d): the flush took over a claim "
          "whose POST was under way" % (w.gen, len(ns)))
    row(w, "slow reply note vs a flush 130 s later", len(ns), [code(r), "flush %d" % b.returncode])


def s_crash(w, point):
    """A host killed between posting a reply's note and journaling it (or right after
    journaling the reply): the next host still ends with exactly one note."""
    to = {"after_note": "+13035550206", "after_reply_journal": "+13035550207"}[point]
    w.send(to, "A text before a crash at %s" % point)
    reply = w.inbound(to, "Answer before a crash at %s" % point)
    k = w.conv(to, CAND, extra_env={"TH_FAILPOINT": point})
    check(k is None, "%s crash %s: the host was killed %r" % (w.gen, point, k))
    before = len(w.notes(marker(reply)))
    check(before == (1 if point == "after_note" else 0),
          "%s crash %s: %d note(s) before the restart" % (w.gen, point, before))
    c = w.conv(to, CAND)
    ns = w.notes(marker(reply))
    check(code(c) == "ok" and len(ns) == 1,
          "%s crash %s: exactly one note after the restart (%d) %r" % (w.gen, point, len(ns), c))
    c2 = w.conv(to, CAND)
    check(res(c2).get("replies_logged") == 0 and len(w.notes(marker(reply))) == 1,
          "%s crash %s: nothing more later" % (w.gen, point))
    lst = json.loads(w.cli("outbox", "list", "--json").stdout or b"{}")
    rows = [x for x in lst.get("replies", []) if x.get("message_id") == reply]
    check(len(rows) == 1 and rows[0]["note"] == "written" and rows[0]["kind"] == "reply",
          "%s crash %s: journaled written %r" % (w.gen, point, rows))
    row(w, "kill at %s, restart" % point, len(ns), [code(k), code(c), code(c2)])


def s_bad_input(w):
    codes = []
    for p, want in (({"to": "+13035550"}, "bad_request"),
                    ({"to": "+19115550123"}, "bad_request"),       # N11 area code
                    ({"to": 13035550123}, "bad_request"),
                    ({}, "bad_request"),
                    ({"to": "+13035550201", "candidate_id": "0"}, "bad_request"),
                    ({"to": "+13035550201", "candidate_id": "1" * 19}, "bad_request"),
                    ({"to": "+13035550201", "candidate_id": 1001}, "bad_request")):
        n = len(w.fakes.requests())
        r = w.req(dict(p, type="conversation"))
        codes.append(code(r))
        check(code(r) == want, "%s bad input %r: %r" % (w.gen, p, r))
        check(len(w.fakes.requests()) == n, "%s bad input %r reached a service" % (w.gen, p))
    # a number with no conversation: an empty list, not an error
    r = w.conv("+13035550299", CAND)
    check(code(r) == "ok" and res(r).get("items") == [] and res(r).get("replies_logged") == 0,
          "%s no conversation: empty list %r" % (w.gen, r))
    codes.append(code(r))
    row(w, "malformed to / candidate_id; no conversation", 0, codes)


def s_textus_errors(w):
    """403 from TextUs and a timeline page that is not a Timeline: structured errors,
    nothing journaled; once TextUs answers properly the reply is logged once."""
    to = "+13035550208"
    w.send(to, "A text before TextUs errors")
    reply = w.inbound(to, "Answer behind TextUs errors")
    w.fakes.fault({"server": "textus", "method": "GET", "path_re": r"/timeline$",
                   "action": {"status": 403, "body": {"@type": "hydra:Error",
                                                      "hydra:title": "Forbidden"}}})
    r1 = w.conv(to, CAND)
    check(code(r1) == "textus_rejected", "%s TextUs 403: %r" % (w.gen, r1))
    w.fakes.fault({"server": "textus", "method": "GET", "path_re": r"/timeline$",
                   "action": {"status": 200, "body": {"@type": "Conversation",
                                                      "id": "/conversations/x",
                                                      "members": []}}})
    r2 = w.conv(to, CAND)
    check(code(r2) == "upstream_invalid" and "Timeline" in r2["error"]["message"],
          "%s not a Timeline: %r" % (w.gen, r2))
    w.fakes.fault({"server": "textus", "method": "GET", "path_re": r"/timeline$",
                   "action": "garbage"})
    r3 = w.conv(to, CAND)
    check(code(r3) == "upstream_invalid", "%s timeline garbage: %r" % (w.gen, r3))
    check(len(w.notes(marker(reply))) == 0, "%s TextUs errors: nothing logged" % w.gen)
    lst = json.loads(w.cli("outbox", "list", "--json").stdout or b"{}")
    check(not [x for x in lst.get("replies", []) if x.get("message_id") == reply],
          "%s TextUs errors: nothing journaled" % w.gen)
    r4 = w.conv(to, CAND)
    check(code(r4) == "ok" and res(r4).get("replies_logged") == 1 and
          len(w.notes(marker(reply))) == 1, "%s after the errors: logged once %r" % (w.gen, r4))
    row(w, "TextUs 403, not a Timeline, garbage, then fine", len(w.notes(marker(reply))),
        [code(r1), code(r2), code(r3), code(r4)])


def s_greenhouse_errors(w):
    """Greenhouse 403 stops the reply's note (fix, then outbox flush); an unknown candidate
    (404 / 422) is stopped for good and can be dismissed; nothing is posted twice."""
    to = "+13035550209"
    w.send(to, "A text before a Greenhouse 403")
    reply = w.inbound(to, "Answer behind a Greenhouse 403")
    w.fakes.fault({"server": "harvest", "method": "POST", "path_re": note_path(),
                   "action": {"status": 403, "body": {"message": "You don't have access to "
                                                                 "that record."}}})
    r1 = w.conv(to, CAND)
    err = res(r1).get("replies_error") or {}
    check(code(r1) == "ok" and res(r1).get("replies_logged") == 0 and
          res(r1).get("replies_waiting") == 1 and err.get("code") == "greenhouse_permission" and
          err.get("retrying") is False and "outbox flush" in err.get("fix", ""),
          "%s Greenhouse 403: the thread, and the note stopped with a fix %r" % (w.gen, r1))
    posts = len(w.note_posts())
    r2 = w.conv(to, CAND)
    check(code(r2) == "ok" and len(w.note_posts()) == posts,
          "%s Greenhouse 403: a stopped note is not retried on its own" % w.gen)
    p = w.cli("outbox", "flush")
    check(p.returncode == 0 and len(w.notes(marker(reply))) == 1,
          "%s Greenhouse 403 fixed: outbox flush writes it once (rc %d) stdout %r stderr %r"
          % (w.gen, p.returncode, p.stdout, p.stderr[-2000:]))  # the Wine flake: say all
    # the candidate does not exist in Greenhouse: the send's and the reply's notes stop for good
    to2 = "+13035550210"
    s = w.req({"type": "send_sms", "request_id": "ghost-" + w.gen, "candidate_id": GHOST,
               "to": to2, "body": "A text to a candidate Greenhouse does not know"})
    check(code(s) == "ok" and res(s).get("note", {}).get("never") is True,
          "%s unknown candidate: the send's note can never be written %r" % (w.gen, s))
    ghost_reply = w.inbound(to2, "Answer from a candidate Greenhouse does not know")
    r3 = w.conv(to2, GHOST)
    err = res(r3).get("replies_error") or {}
    check(code(r3) == "ok" and err.get("code") in ("greenhouse_not_found", "greenhouse_rejected")
          and "outbox dismiss reply:%s:" % GHOST in err.get("fix", ""),
          "%s unknown candidate: reply note stopped, dismiss named %r" % (w.gen, r3))
    posts = len(w.note_posts())
    r4 = w.conv(to2, GHOST)
    check(len(w.note_posts()) == posts and res(r4).get("replies_waiting") == 1,
          "%s unknown candidate: not retried" % w.gen)
    rid = "reply:%s:%s" % (GHOST, ghost_reply.split("/")[-1])
    d = w.cli("outbox", "dismiss", rid)
    check(d.returncode == 0 and b"dismissed" in d.stdout,
          "%s dismiss %s: %r %r" % (w.gen, rid, d.returncode, d.stderr))
    r5 = w.conv(to2, GHOST)
    check(res(r5).get("replies_waiting") == 0 and len(w.note_posts()) == posts,
          "%s after dismiss: nothing waits, nothing posted %r" % (w.gen, res(r5)))
    dd = w.cli("outbox", "dismiss", "ghost-" + w.gen)
    check(dd.returncode == 0, "%s dismiss the send's note too" % w.gen)
    row(w, "Greenhouse 403 then flush; unknown candidate then dismiss",
        len(w.notes(marker(reply))), [code(r1), code(r2), "rc=%d" % p.returncode, code(r3),
                                      code(r4), "dismiss rc=%d" % d.returncode])


def s_notes_disabled(w):
    to = "+13035550211"
    w.send(to, "A text while notes are on")
    w.configure(note_enabled=False)
    try:
        reply = w.inbound(to, "Answer while notes are off")
        c = w.conv(to, CAND)
        f = w.req({"type": "flush_outbox"})
        check(code(c) == "ok" and res(c).get("replies_logged") == 0 and
              res(c).get("notes_enabled") is False and len(res(c).get("items", [])) == 2,
              "%s notes off: shown, not logged %r" % (w.gen, c))
        check(code(f) == "ok" and not w.notes(marker(reply)), "%s notes off: no note" % w.gen)
    finally:
        w.configure(note_enabled=True)
    # nothing was journaled while notes were off: once they are on again it is logged (once)
    c2 = w.conv(to, CAND)
    check(res(c2).get("replies_logged") == 1 and len(w.notes(marker(reply))) == 1,
          "%s notes on again: the reply is logged then %r" % (w.gen, c2))
    row(w, "note_enabled false, then true", len(w.notes(marker(reply))),
        [code(c), code(f), code(c2)])


def s_cli(w, to):
    p = w.cli("conversation", "--help")
    check(p.returncode == 0 and b"exit status" in p.stdout, "%s conversation --help" % w.gen)
    p = w.cli("conversation", "--to", "+1303555")
    check(p.returncode == 2 and b"+1NXXNXXXXXX" in p.stderr, "%s cli bad --to: %r" % (w.gen, p))
    p = w.cli("conversation", "--to", to, "--candidat", CAND)
    check(p.returncode == 2 and b"did you mean --candidate" in p.stderr,
          "%s cli wrong option: %r" % (w.gen, p.stderr))
    p = w.cli("conversation", "--to", to, "--candidate", CAND)
    out = p.stdout.decode()
    check(p.returncode == 0 and "sent · Delivered" in out and "sent · Not Delivered" in out and
          "Sure, Thursday works" in out and "reply" in out and "are logged as notes" in out,
          "%s cli thread: %r %r" % (w.gen, out, p.stderr))
    p = w.cli("conversation", "--to", to, "--json")
    try:
        doc = json.loads(p.stdout)
    except ValueError:
        doc = {}
    check(p.returncode == 0 and len(doc.get("items", [])) == 5, "%s cli --json" % w.gen)
    # a person reads their own time (Denver here), never UTC; --json keeps TextUs's UTC
    p = w.cli("conversation", "--to", to, extra_env={"TZ": "America/Denver"})
    out = p.stdout.decode()
    ats = [i["at"] for i in doc.get("items", []) if str(i.get("at", "")).endswith("Z")]
    local = [datetime.datetime.strptime(a[:16], "%Y-%m-%dT%H:%M").replace(
        tzinfo=datetime.timezone.utc).astimezone(zoneinfo.ZoneInfo("America/Denver")).strftime(
        "[%Y-%m-%d %H:%M]") for a in ats]
    # (not for the Windows executable under Wine: Windows takes the local zone from the
    # system's setting, never from TZ, which its C runtime reads as UTC for an IANA name)
    check(os.path.basename(HOST) == "wine_host.sh" or
          (ats and all(a in out for a in local) and "UTC" not in out),
          "%s cli thread in local time %r: %r" % (w.gen, local, out))
    w.fakes.fault({"server": "textus", "method": "GET", "path_re": r"/timeline$",
                   "action": {"status": 503}, "times": -1})
    p = w.cli("conversation", "--to", to)
    w.fakes.reset_faults()
    # the message in words, without the error code (as bulk says it)
    check(p.returncode == 1 and b"conversation: TextUs is unavailable" in p.stderr and
          b"upstream_unavailable" not in p.stderr,
          "%s cli TextUs down: exit 1 %r" % (w.gen, p.stderr))
    row(w, "CLI conversation (person, --json, errors)", 0, ["rc=%d" % p.returncode])


def s_status(w):
    p = w.cli("status", "--json")
    doc = json.loads(p.stdout or b"{}")
    o = doc.get("outbox", {})
    check(o.get("replies_logged", 0) >= 1 and "replies_pending" in o and "replies_stopped" in o,
          "%s status shows the replies %r" % (w.gen, o))


def s_scheduled(w, to):
    """A text scheduled in TextUs shows in the answer's `scheduled`, read-only (TextUs documents
    no list, cancel or edit of scheduled messages: they are read from the timeline)."""
    due = time.strftime("%Y-%m-%dT18:00:00Z", time.gmtime(time.time() + 86400))
    rid = "conv-sched-%s-%d" % (w.gen, int(time.time() * 1e6) % 10**12)
    r = w.req({"type": "schedule_sms", "request_id": rid, "candidate_id": CAND, "to": to,
               "body": "Reminder: your interview is tomorrow", "send_at": due})
    check(code(r) == "ok", "%s schedule_sms: %r" % (w.gen, r))
    mid = res(r).get("message", {}).get("id")
    got = res(w.conv(to))
    sched = got.get("scheduled")
    check(isinstance(sched, list) and [(x["id"], x["body"], x["delivery_state"]) for x in sched] ==
          [(mid, "Reminder: your interview is tomorrow", "scheduled")],
          "%s scheduled: %r" % (w.gen, sched))
    check(got.get("lock") is None, "%s scheduled: no lock %r" % (w.gen, got.get("lock")))
    w.fakes.advance(mid, "delivered")  # it went: no longer listed
    got = res(w.conv(to))
    check(got.get("scheduled") == [], "%s scheduled after it went: %r" % (w.gen,
                                                                          got.get("scheduled")))
    row(w, "scheduled texts listed, read-only", 0, [code(r)])


def scenarios(w):
    to, history, reply = s_thread(w)
    s_reply_logged_once(w, to, history, reply)
    s_latest_50(w)
    s_replies_in_order(w)
    s_flush(w)
    s_two_hosts(w)
    if FAILPOINTS:
        s_crash(w, "after_note")
        s_crash(w, "after_reply_journal")
    s_bad_input(w)
    s_textus_errors(w)
    s_greenhouse_errors(w)
    s_notes_disabled(w)
    s_cli(w, to)
    s_status(w)
    s_lease(w)
    s_scheduled(w, to)
    if w.gen == "v1":
        s_flush_holds(w)  # last: a hold outlives it in the state folder


def main():
    run_generations(World, scenarios, ONLY)
    return finish(["scenario", "Harvest", "reply notes", "reply codes"], ROWS)


if __name__ == "__main__":
    sys.exit(main())
