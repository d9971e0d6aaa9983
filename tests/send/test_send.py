#!/usr/bin/env python3
"""Send flow through the real binary against the fakes, for Harvest v1 and v3.

Each scenario counts what the fakes recorded (messages at TextUs, notes at
Greenhouse) and the reply codes, and prints one table row per scenario:
    scenario | generation | messages | notes | reply codes
Exactly once means: never two messages for one request id, and exactly one
note for every message when notes are enabled.
"""
import json
import os
import subprocess
import sys
import time

SRC = os.environ["TH_SOURCE_DIR"]
sys.path.insert(0, os.path.join(SRC, "tests", "lib"))
from fakeworld import FakeWorld, Creds, check, code, run_generations, finish  # noqa: E402
from nmhost import Host  # noqa: E402

HOST = os.environ["TH_HOST"]
FAILPOINTS = os.environ.get("TH_FAILPOINTS_BUILT") == "1"
ONLY = os.environ.get("TH_SEND_ONLY")  # run one generation ("v1"/"v3") when set
# run only these scenarios, e.g. "happy,validation" (tests/windows/run_suites.py under Wine)
PICK = os.environ.get("TH_SEND_SCENARIOS")

TOKEN = "tok_send_FAKE_0001"
V1_KEY = "hvk_send_FAKE_0001"
V1_KEY_NO_NOTE = "hvk_send_nonote_FAKE_0002"
CLIENT_ID = "client_send_FAKE_0001"
CLIENT_SECRET = "csecret_send_FAKE_0001"
# a second OAuth client without harvest:notes:create (the 'configure replaced the client' race)
CLIENT_B_ID = "client_send_FAKE_000B"
CLIENT_B_SECRET = "csecret_send_FAKE_000B"
CAND = 1001
USER_ID = 101
CREDS = Creds(TOKEN, V1_KEY, CLIENT_ID, CLIENT_SECRET)

SEED = {
    "textus": {
        "tokens": {TOKEN: {"user": "/users/1", "accounts": ["acme"], "email": "alice@acme.example"}},
        "users": {"/users/1": {"name": "Alice Recruiter", "email": "alice@acme.example"}},
        "accounts": {"acme": {"name": "Acme", "type": "organization",
                              "phoneNumbers": ["+13035550100"]},
                     # a child of the recruiter's membership: not in GET /accounts
                     "acme-child": {"name": "Acme Child", "parent": "acme",
                                    "phoneNumbers": ["+13035550109"]},
                     "other-org": {"name": "Other Org", "phoneNumbers": ["+13035550199"]}},
        "opt_outs": ["+13035550177"],
        "blocked": {"acme": ["+13035550166"]},
        # created elsewhere (TextUs's own Greenhouse sync, a colleague), with two numbers and
        # data of its own, and a conversation with its first number
        "contacts": [{"account": "acme", "name": "Jane Elsewhere",
                      "phones": [{"number": "+13035550150", "type": "Mobile"},
                                 {"number": "1-303-555-0151 x12", "type": "Work"}],
                      "data": {"source": "crm"}}],
        "messages": [{"account": "acme", "phone": "+13035550150", "body": "Hi from a colleague",
                      "direction": "out", "sender": "/users/2"}],
    },
    "harvest": {
        "api_keys": {
            V1_KEY: {"name": "send", "permissions": ["activity_feed", "candidates_list",
                                                     "candidates_add_note", "users_retrieve",
                                                     "users_list"]},
            V1_KEY_NO_NOTE: {"name": "nonote", "permissions": ["activity_feed", "candidates_list",
                                                               "users_retrieve", "users_list"]},
        },
        "oauth_clients": {
            CLIENT_ID: {"name": "textus-host", "secret": CLIENT_SECRET},
            CLIENT_B_ID: {"name": "replacement", "secret": CLIENT_B_SECRET,
                          "scopes": ["harvest:users:list", "harvest:candidates:list",
                                     "harvest:notes:list"]}},
        # the recruiter is not a Site Admin: v3 reads must not use a token whose sub is theirs
        "users": [{"id": USER_ID, "first_name": "Alice", "last_name": "Recruiter",
                   "primary_email_address": "alice@acme.example", "site_admin": False}],
        # the CLI sends only to a number on the candidate's record (or --to-unlisted)
        "candidates": [{"id": CAND, "first_name": "Jane", "last_name": "Candidate",
                        "phone_numbers": [{"value": "(303) 555-0123", "type": "mobile"},
                                          {"value": "303.555.0136", "type": "home"},
                                          {"value": "+1 303 555 0138", "type": "work"}]},
                       {"id": 1002, "first_name": "John", "last_name": "Other",
                        "phone_numbers": []},
                       # record values as people type them: a desk line with an extension,
                       # two numbers in one value (issue O item 6a, 6b)
                       {"id": 1003, "first_name": "Dana", "last_name": "Desk",
                        "phone_numbers": [{"value": "(303) 555-0123 ext. 45", "type": "work"},
                                          {"value": "303-555-0124 / 720-555-0199",
                                           "type": "mobile"}]}],
        "activity_feed": {str(CAND): {"activities": [], "notes": []},
                          "1003": {"activities": [], "notes": []}},
    },
}

ROWS = []
_counter = [0]


class World(FakeWorld):
    def __init__(self, gen):
        super().__init__(gen, prefix="th-send-%s-" % gen, seed=SEED, creds=CREDS, max_seconds=300)

    def configure(self, note_enabled=True, v1_key=V1_KEY, retry_ms=30000, client=None):
        # quiet hours off: these tests send at any hour (tests/send/test_quiet.py covers the
        # guard, with the clock set)
        self.configure_ok(self.config_doc(
            {"note_enabled": note_enabled, "timeout_ms": 3000, "note_retry_base_ms": retry_ms,
             "connect_timeout_ms": 2000, "quiet_hours": "off"}, v1_key=v1_key, client=client))

    # --- what the fakes saw (and FakeWorld.messages, .notes)
    def posts(self, server, path_part):
        return [r for r in self.fakes.requests(server=server)
                if r["method"] in ("POST", "PUT", "PATCH") and path_part in r["path"]]

    # --- talking to the host
    def send(self, rid, to, body, extra_env=None, **kw):
        p = {"type": "send_sms", "request_id": rid, "candidate_id": str(CAND), "to": to,
             "body": body}
        p.update(kw)
        return self.req(p, extra_env)

    def flush(self):
        return self.req({"type": "flush_outbox"})


def unique(tag):
    _counter[0] += 1
    return "%s %d %s" % (tag, _counter[0], time.strftime("%H%M%S"))


def row(w, name, msgs, notes, codes):
    ROWS.append((name, w.gen, msgs, notes, " → ".join(codes)))


def marker_of(reply):
    return "[textus:%s]" % reply["result"]["message"]["id"]


# ------------------------------------------------------------------ scenarios

def s_happy(w):
    to, body = "+13035550123", unique("Hello Jane, happy path")
    r = w.send("happy-" + w.gen, to, body)
    check(code(r) == "ok", "%s happy: %r" % (w.gen, r))
    ms, ns = w.messages(body=body), []
    check(len(ms) == 1 and ms[0]["_to"] == to, "%s happy: one message to %s" % (w.gen, to))
    if code(r) == "ok":
        res = r["result"]
        check(res["replayed"] is False, "%s happy: replayed false" % w.gen)
        check(res["note"]["state"] == "written", "%s happy: note written %r" % (w.gen, res))
        ns = w.notes(marker_of(r))
        check(len(ns) == 1, "%s happy: one note" % w.gen)
        if ns:
            n = ns[0]
            check(n["candidate_id"] == CAND, "%s happy: note on candidate" % w.gen)
            check(n["user_id"] == USER_ID, "%s happy: note by user %d" % (w.gen, USER_ID))
            # audited as the recruiter: v1's On-Behalf-Of, v3's token subject
            who = n["on_behalf_of"] if w.gen == "v1" else n["sub"]
            check(who == USER_ID, "%s happy: the note is written as the recruiter (%s %r)" % (
                w.gen, "On-Behalf-Of" if w.gen == "v1" else "sub", who))
            check(body in n["body"] and to in n["body"] and "alice@acme.example" in n["body"],
                  "%s happy: note says who/whom/what" % w.gen)
            check(n["visibility"] in ("private", "privately_visible"),
                  "%s happy: private by default (%s)" % (w.gen, n["visibility"]))
            check(res["note"]["id"] == n["id"], "%s happy: note id in reply" % w.gen)
        # message_status
        mid = res["message"]["id"]
        st = w.req({"type": "message_status", "message_id": mid})
        check(code(st) == "ok" and st["result"]["delivered"] is None and
              st["result"]["final"] is False, "%s status pending: %r" % (w.gen, st))
        w.fakes.advance(mid, "delivered")
        st = w.req({"type": "message_status", "message_id": mid})
        check(code(st) == "ok" and st["result"]["delivered"] is True and
              st["result"]["description"] == "Delivered", "%s status delivered %r" % (w.gen, st))
        w.fakes.advance(mid, "failed")
        st = w.req({"type": "message_status", "message_id": mid})
        check(code(st) == "ok" and st["result"]["delivered"] is False and st["result"]["final"],
              "%s status failed %r" % (w.gen, st))
    row(w, "happy path", len(ms), len(ns), [code(r)])


def s_opted_blocked(w):
    n0 = len(w.posts("textus", "/messages"))
    r1 = w.send("opted-" + w.gen, "+13035550177", unique("to an opted-out number"))
    r2 = w.send("blocked-" + w.gen, "+13035550166", unique("to a blocked number"))
    check(code(r1) == "opted_out", "%s opted out: %r" % (w.gen, r1))
    check(code(r2) == "blocked", "%s blocked: %r" % (w.gen, r2))
    n1 = len(w.posts("textus", "/messages"))
    check(n1 == n0, "%s opted/blocked: no POST" % w.gen)
    row(w, "opted out", 0 + len(w.messages(to="+13035550177")), 0, [code(r1)])
    row(w, "blocked", len(w.messages(to="+13035550166")), 0, [code(r2)])


def s_replay_conflict(w):
    to, body = "+13035550124", unique("replay me")
    rid = "replay-" + w.gen
    r1 = w.send(rid, to, body)
    r2 = w.send(rid, to, body)
    check(code(r1) == "ok" and code(r2) == "ok", "%s replay: %r %r" % (w.gen, r1, r2))
    if code(r2) == "ok":
        check(r2["result"]["replayed"] is True, "%s replay: replayed true" % w.gen)
        check(r2["result"]["message"]["id"] == r1["result"]["message"]["id"], "replay same id")
    ms = w.messages(body=body)
    check(len(ms) == 1, "%s replay: one message" % w.gen)
    ns = w.notes(marker_of(r1)) if code(r1) == "ok" else []
    check(len(ns) == 1, "%s replay: one note" % w.gen)
    row(w, "replay (same request twice)", len(ms), len(ns), [code(r1), code(r2)])
    r3 = w.send(rid, to, body + " (edited)")
    check(code(r3) == "request_id_conflict", "%s conflict: %r" % (w.gen, r3))
    check(len(w.messages(body=body + " (edited)")) == 0, "%s conflict: nothing sent" % w.gen)
    row(w, "conflict (same id, new body)", len(w.messages(body=body + " (edited)")), 0,
        [code(r3)])


def s_validation(w):
    n0 = len(w.fakes.requests())
    r1 = w.send("empty-" + w.gen, "+13035550125", "")
    r2 = w.send("long-" + w.gen, "+13035550125", "x" * 460)
    r3 = w.send("longu-" + w.gen, "+13035550125", "é" * 100 + "😀" * 51)  # 202 UTF-16 units
    r4 = w.send("fits-" + w.gen, "+13035550125", "x" * 459, extra_env=None)
    check(code(r1) == "bad_request", "%s empty body: %r" % (w.gen, r1))
    check(code(r2) == "body_too_long", "%s 460 GSM: %r" % (w.gen, r2))
    check(code(r3) == "body_too_long", "%s UCS-2 202: %r" % (w.gen, r3))
    check(code(r4) == "ok", "%s 459 GSM fits: %r" % (w.gen, r4))
    n1 = len([r for r in w.fakes.requests()][n0:])
    check(n1 > 0, "%s validation: the fitting one did call" % w.gen)
    row(w, "empty body / too long", 0, 0, [code(r1), code(r2), code(r3)])


def s_two_hosts(w):
    # two host processes get the same click at once while TextUs is slow: one POST
    to, body = "+13035550138", unique("two hosts at once")
    p = {"type": "send_sms", "request_id": "twohosts-" + w.gen, "candidate_id": str(CAND),
         "to": to, "body": body}
    w.fakes.fault({"server": "textus", "method": "POST", "path_re": "^/acme/messages$",
                   "action": {"delay_ms": 800}})
    h1, h2 = Host(env=w.env), Host(env=w.env)
    h1.send(p)
    time.sleep(0.3)
    h2.send(p)
    r1, r2 = h1.read_reply(), h2.read_reply()
    h1.close()
    h2.close()
    # whichever journaled first sends; the other replays or says it is in progress
    fresh = [r for r in (r1, r2) if code(r) == "ok" and r["result"]["replayed"] is False]
    check(len(fresh) == 1, "%s two hosts: exactly one fresh send %r %r" % (w.gen, r1, r2))
    check(all(code(r) in ("ok", "outcome_unknown") for r in (r1, r2)),
          "%s two hosts: codes %r %r" % (w.gen, r1, r2))
    r3 = w.send("twohosts-" + w.gen, to, body)
    check(code(r3) == "ok" and r3["result"]["replayed"] is True, "%s two hosts later %r" % (w.gen, r3))
    ms = w.messages(body=body)
    ns = w.notes("[textus:%s]" % ms[0]["id"]) if ms else []
    check(len(ms) == 1 and len(ns) == 1, "%s two hosts: 1 message 1 note (%d, %d)" % (w.gen, len(ms), len(ns)))
    row(w, "same request in two hosts at once (slow TextUs)", len(ms), len(ns),
        [code(r1), code(r2), code(r3)])


def s_ambiguous(w):
    to, body = "+13035550126", unique("ambiguous drop")
    rid = "amb-" + w.gen
    w.fakes.fault({"server": "textus", "method": "POST", "path_re": "^/acme/messages$",
                   "action": "drop_after"})
    r1 = w.send(rid, to, body)
    check(code(r1) == "outcome_unknown", "%s ambiguous: %r" % (w.gen, r1))
    check(len(w.messages(body=body)) == 1, "%s ambiguous: stored once" % w.gen)
    f = w.flush()
    check(code(f) == "ok" and f["result"]["reconciled_sent"] >= 1, "%s reconcile: %r" % (w.gen, f))
    ms = w.messages(body=body)
    ns = w.notes("[textus:%s]" % ms[0]["id"]) if ms else []
    check(len(ms) == 1 and len(ns) == 1, "%s ambiguous: 1 msg 1 note (%d, %d)" % (w.gen, len(ms), len(ns)))
    r2 = w.send(rid, to, body)
    check(code(r2) == "ok" and r2["result"]["replayed"] is True and
          r2["result"]["note"]["state"] == "written", "%s ambiguous retry: %r" % (w.gen, r2))
    check(len(w.messages(body=body)) == 1, "%s ambiguous: still one message" % w.gen)
    row(w, "ambiguous drop after store → flush", len(w.messages(body=body)), len(ns),
        [code(r1), "flush " + code(f), code(r2)])


def s_ambiguous_then_replies(w):
    # the POST lands but its answer is lost; then the candidate replies and a colleague texts
    # the same number: the outgoing message is no longer the conversation's latest item
    to, body = "+13035550152", unique("ambiguous, then a reply and a colleague")
    rid = "ambrep-" + w.gen
    w.fakes.fault({"server": "textus", "method": "POST", "path_re": "^/acme/messages$",
                   "action": "drop_after"})
    r1 = w.send(rid, to, body)
    check(code(r1) == "outcome_unknown", "%s ambiguous+replies: %r" % (w.gen, r1))
    w.fakes.inbound("acme", to, "Thanks, I got it")
    w.fakes.outbound("acme", to, "Hi Jane, this is Bob from Acme", "/users/2")
    w.fakes.config({"textus_timeline_page_size": 1})   # the match is on the third page
    try:
        f = w.flush()
    finally:
        w.fakes.config({"textus_timeline_page_size": 25})
    check(code(f) == "ok" and f["result"]["reconciled_sent"] >= 1,
          "%s ambiguous+replies: flush resolves it as sent (%r)" % (w.gen, f))
    ms = w.messages(body=body)
    ns = w.notes("[textus:%s]" % ms[0]["id"]) if ms else []
    check(len(ms) == 1 and len(ns) == 1,
          "%s ambiguous+replies: one SMS, one note (%d, %d)" % (w.gen, len(ms), len(ns)))
    tl = [r for r in w.fakes.requests(server="textus") if r["path"].endswith("/timeline")]
    check(len(tl) >= 3, "%s ambiguous+replies: the timeline was paged (%d pages)" % (w.gen, len(tl)))
    row(w, "ambiguous send, then an inbound reply and a colleague's text → flush",
        len(ms), len(ns), [code(r1), "flush " + code(f)])


def s_ambiguous_two_candidates(w):
    # a colleague sends the very same text to the number right after: two candidates for one
    # intent, so it stays unknown (never a guess), and no note is written
    to, body = "+13035550153", unique("the same words twice")
    rid = "ambtwo-" + w.gen
    w.fakes.fault({"server": "textus", "method": "POST", "path_re": "^/acme/messages$",
                   "action": "drop_after"})
    r1 = w.send(rid, to, body)
    w.fakes.outbound("acme", to, body, "/users/2")
    f = w.flush()
    check(code(r1) == "outcome_unknown" and code(f) == "ok" and
          f["result"]["reconciled_sent"] == 0 and f["result"]["reconciled_not_sent"] == 0 and
          f["result"]["unknown"] >= 1, "%s two candidates: still unknown (%r)" % (w.gen, f))
    r2 = w.send(rid, to, body)
    check(code(r2) == "outcome_unknown", "%s two candidates: a retry says unknown (%r)" % (w.gen, r2))
    ms = w.messages(body=body)
    ns = [n for m in ms for n in w.notes("[textus:%s]" % m["id"])]
    check(len(ms) == 2 and not ns, "%s two candidates: no note (%d msgs, %d notes)" % (
        w.gen, len(ms), len(ns)))
    row(w, "ambiguous send + a colleague's identical text → stays unknown", 1, len(ns),
        [code(r1), "flush " + code(f), code(r2)])


def s_child_account(w):
    # the recruiter's membership is at "acme"; "acme-child" is its child, absent from
    # GET /accounts: configure (verified online) accepts it and the send goes out from it
    def configure(account):
        doc = {"textus": {"account": account}}
        r = subprocess.run([HOST, "configure"], input=json.dumps(doc).encode(),
                           env=dict(os.environ, **w.env), capture_output=True, timeout=60)
        return r.returncode, r.stdout.decode() + r.stderr.decode()
    rc, out = configure("acme-child")
    check(rc == 0 and "reached through the membership at acme" in out,
          "%s configure a child account: rc %d %s" % (w.gen, rc, out[-1500:]))
    body = unique("from the child account")
    r = w.send("child-" + w.gen, "+13035550154", body)
    ms = [m for m in w.messages(body=body) if m["_account"] == "acme-child"]
    ns = w.notes(marker_of(r)) if code(r) == "ok" else []
    check(code(r) == "ok" and len(ms) == 1 and len(ns) == 1,
          "%s send from the child account: %r (%d msgs, %d notes)" % (w.gen, r, len(ms), len(ns)))
    rc2, out2 = configure("other-org")
    check(rc2 == 1 and "textus_account" in out2 and "acme-child" in out2 and "acme" in out2,
          "%s configure an unreachable account: refused naming the reachable ones (%s)" % (
              w.gen, out2[-1500:]))
    w.configure()
    row(w, "configure + send from a child account reached through the parent", len(ms), len(ns),
        ["configure rc=%d" % rc, code(r), "other-org rc=%d" % rc2])


def s_retry_after_across_hosts(w):
    # Harvest answers the note 429 + Retry-After: 3. Chrome starts a new host per click: the
    # next host (a new send) and a flush within those 3 s make no request to Greenhouse; the
    # notes stay pending with the time they will be retried, and are written after it.
    w.fakes.fault({"server": "harvest", "method": "POST", "path_re": note_path(),
                   "action": {"status": 429, "retry_after": 3}})
    b1, b2 = unique("rate limited note one"), unique("rate limited note two")
    r1 = w.send("ra1-" + w.gen, "+13035550155", b1)
    t429 = time.time()
    since = w.fakes.requests()[-1]["seq"]
    r2 = w.send("ra2-" + w.gen, "+13035550156", b2)
    f1 = w.flush()
    gh = [r for r in w.fakes.requests(server="harvest", since=since)]
    within = time.time() - t429 < 3
    for r in (r1, r2):
        check(code(r) == "ok" and r["result"]["note"]["state"] == "pending" and
              r["result"]["note"].get("retry_at") and "rate_limited" in r["result"]["note"]["reason"],
              "%s Retry-After: the note is pending with its retry time (%r)" % (w.gen, r))
    check(within and not gh, "%s Retry-After: the next host and a flush within the hold made no "
          "Greenhouse request (%d: %r)" % (w.gen, len(gh), [x["path"] for x in gh]))
    hold = os.path.join(w.home, "holds")
    check(os.path.exists(hold) and os.stat(hold).st_mode & 0o777 == 0o600,
          "%s Retry-After: the hold is kept in the state folder, mode 0600" % w.gen)
    time.sleep(max(0.0, 3.85 - (time.time() - t429)))  # the hold and its jitter (<= 0.75 s)
    f2 = w.flush()
    ns = [n for b in (b1, b2) for m in w.messages(body=b) for n in w.notes("[textus:%s]" % m["id"])]
    check(code(f2) == "ok" and len(ns) == 2, "%s Retry-After: both notes after the hold (%r, %d)" % (
        w.gen, f2, len(ns)))
    row(w, "note 429 + Retry-After 3 s → next host and flush wait → written after", 2, len(ns),
        [code(r1) + "(note pending)", code(r2) + "(no request)", "flush " + code(f1),
         "flush " + code(f2)])


def s_token_race(w):
    # configure replaces the OAuth client while a send's token request is slow: whatever the
    # old client obtained must not be cached; later sends use the new client only (which lacks
    # harvest:notes:create here, so their notes are refused, not written with the old token)
    w.configure()  # fresh: nothing cached
    w.fakes.fault({"server": "auth", "method": "POST", "path_re": "^/token$",
                   "action": {"delay_ms": 2500}})
    body = unique("send during a configure")
    p = {"type": "send_sms", "request_id": "race-" + w.gen, "candidate_id": str(CAND),
         "to": "+13035550157", "body": body}
    h = Host(env=w.env)
    h.send(p)
    deadline = time.time() + 20
    while time.time() < deadline and not w.messages(body=body):
        time.sleep(0.05)  # the SMS went out: the note's token request is next (and slow)
    time.sleep(0.3)
    w.configure(client=(CLIENT_B_ID, CLIENT_B_SECRET))
    r1 = h.read_reply()
    h.close()
    since = w.fakes.requests()[-1]["seq"]
    body2 = unique("send after the configure")
    r2 = w.send("race2-" + w.gen, "+13035550158", body2)
    recs = w.fakes.requests(since=since)
    labels = {t["label"]: t["client"] for t in w.fakes.state()["harvest"]["tokens"]}
    used = set()
    for r in recs:
        a = (r["headers"].get("authorization") or "")
        if r["server"] == "harvest" and a.startswith("Bearer "):
            used.add(labels.get(a.split()[1], "?"))
    check(code(r1) == "ok", "%s race: the first send went out (%r)" % (w.gen, r1))
    check(used == {"replacement"}, "%s race: after the configure only the new client's tokens "
          "are used (%r)" % (w.gen, used))
    check(any(r["server"] == "auth" and "client:replacement" in (r["headers"].get("authorization")
                                                               or "") for r in recs),
          "%s race: the next send asked the new client for a token" % w.gen)
    ns2 = [n for m in w.messages(body=body2) for n in w.notes("[textus:%s]" % m["id"])]
    check(code(r2) == "ok" and not ns2 and r2["result"]["note"]["state"] == "stopped",
          "%s race: the new client's missing scope stops the note (%r)" % (w.gen, r2))
    w.configure()
    out = subprocess.run([HOST, "outbox", "flush"], env=dict(os.environ, **w.env),
                         capture_output=True, timeout=60)
    ns2 = [n for m in w.messages(body=body2) for n in w.notes("[textus:%s]" % m["id"])]
    check(len(ns2) == 1, "%s race: written once the client is restored (%s)" % (w.gen, out.stdout))
    row(w, "configure replaces the v3 client during a slow token request", 2, len(ns2),
        [code(r1), code(r2) + "(note stopped)", "flush rc=%d" % out.returncode])


def s_ambiguous_not_sent(w):
    to, body = "+13035550127", unique("dropped before store")
    rid = "ambns-" + w.gen
    w.fakes.fault({"server": "textus", "method": "POST", "path_re": "^/acme/messages$",
                   "action": "drop_before"})
    r1 = w.send(rid, to, body)
    r2 = w.send(rid, to, body)  # retry of the same id reconciles: not sent
    check(code(r1) in ("outcome_unknown", "upstream_unavailable"), "%s drop_before: %r" % (w.gen, r1))
    check(code(r2) in ("not_sent", "ok"), "%s drop_before retry: %r" % (w.gen, r2))
    r3 = w.send(rid + "-new", to, body)
    check(code(r3) == "ok", "%s new id sends: %r" % (w.gen, r3))
    ms = w.messages(body=body)
    check(len(ms) == 1, "%s drop_before: exactly one message in the end (%d)" % (w.gen, len(ms)))
    row(w, "drop before store → retry → new id", len(ms), len(w.notes(marker_of(r3))) if code(r3) == "ok" else 0,
        [code(r1), code(r2), code(r3)])


def note_path():
    return r"^/v1/candidates/\d+/activity_feed/notes$|^/v3/notes$"


def s_note_retry(w, status):
    to, body = "+13035550128", unique("note fails with %d" % status)
    action = {"status": status}
    if status == 429:
        action["retry_after"] = 1
    rule = {"server": "harvest", "method": "POST", "path_re": note_path(), "action": action}
    w.fakes.fault(rule)
    r1 = w.send("note%d-%s" % (status, w.gen), to, body)
    check(code(r1) == "ok" and r1["result"]["note"]["state"] == "pending",
          "%s note %d pending: %r" % (w.gen, status, r1))
    check(len(w.notes(marker_of(r1))) == 0 if code(r1) == "ok" else False, "no note yet")
    if status == 429:
        time.sleep(1.35)  # Retry-After and its jitter (<= 0.25 s)
    f = w.flush()
    check(code(f) == "ok" and f["result"]["written"] >= 1, "%s flush after %d: %r" % (w.gen, status, f))
    ns = w.notes(marker_of(r1)) if code(r1) == "ok" else []
    check(len(ns) == 1, "%s note %d: exactly one note after flush" % (w.gen, status))
    f2 = w.flush()
    check(len(w.notes(marker_of(r1))) == 1, "%s note %d: second flush adds none" % (w.gen, status))
    row(w, "note %d → pending → flush" % status, len(w.messages(body=body)), len(ns),
        [code(r1) + "(note pending)", "flush " + code(f), "flush " + code(f2)])


def s_note_drop_after(w):
    to, body = "+13035550129", unique("note dropped after store")
    w.fakes.fault({"server": "harvest", "method": "POST", "path_re": note_path(),
                   "action": "drop_after"})
    r1 = w.send("notedrop-" + w.gen, to, body)
    check(code(r1) == "ok" and r1["result"]["note"]["state"] == "pending",
          "%s note drop pending: %r" % (w.gen, r1))
    n_before = len(w.notes(marker_of(r1))) if code(r1) == "ok" else -1
    f = w.flush()
    ns = w.notes(marker_of(r1)) if code(r1) == "ok" else []
    check(n_before == 1 and len(ns) == 1, "%s note drop: still one note (%d)" % (w.gen, len(ns)))
    r2 = w.send("notedrop-" + w.gen, to, body)
    # the note found in the feed by its marker is journaled with its real id
    check(code(r2) == "ok" and r2["result"]["note"]["state"] == "written" and
          r2["result"]["note"]["id"] == (ns[0]["id"] if ns else -1),
          "%s note drop replay: the found note's id %r" % (w.gen, r2))
    row(w, "note dropped after store → flush reads feed", len(w.messages(body=body)), len(ns),
        [code(r1) + "(note pending)", "flush " + code(f), code(r2)])


def s_failpoints(w):
    for point in ("before_send", "after_send", "after_journal", "before_note", "after_note"):
        to, body = "+13035550130", unique("failpoint " + point)
        rid = "fp-%s-%s" % (point.replace("_", "-"), w.gen)
        r1 = w.send(rid, to, body, extra_env={"TH_FAILPOINT": point})
        check(r1 is None, "%s %s: host stopped hard (%r)" % (w.gen, point, r1))
        f = w.flush()
        r2 = w.send(rid, to, body)
        ms = w.messages(body=body)
        expect = 0 if point == "before_send" else 1
        check(len(ms) == expect, "%s %s: %d message(s), want %d" % (w.gen, point, len(ms), expect))
        ns = w.notes("[textus:%s]" % ms[0]["id"]) if ms else []
        check(len(ns) == expect, "%s %s: %d note(s), want %d" % (w.gen, point, len(ns), expect))
        if expect:
            check(code(r2) == "ok" and r2["result"]["replayed"] is True,
                  "%s %s retry: %r" % (w.gen, point, r2))
        else:
            check(code(r2) == "not_sent", "%s %s retry: %r" % (w.gen, point, r2))
        row(w, "kill -9 at %s → restart → flush → retry" % point, len(ms), len(ns),
            [code(r1), "flush " + code(f), code(r2)])


def s_notes_disabled_and_stopped(w):
    w.configure(note_enabled=False)
    body = unique("notes disabled")
    r = w.send("nodis-" + w.gen, "+13035550131", body)
    check(code(r) == "ok" and r["result"]["note"]["state"] == "disabled", "%s disabled %r" % (w.gen, r))
    n = len(w.notes(marker_of(r))) if code(r) == "ok" else -1
    check(n == 0, "%s disabled: no note" % w.gen)
    row(w, "notes disabled", len(w.messages(body=body)), n, [code(r) + "(disabled)"])
    w.configure(note_enabled=True)
    if w.gen != "v1":
        return
    w.configure(v1_key=V1_KEY_NO_NOTE)
    body = unique("no add-note permission")
    r = w.send("nodperm-" + w.gen, "+13035550132", body)
    check(code(r) == "ok" and r["result"]["note"]["state"] == "stopped" and
          r["result"]["note"].get("retrying") is False, "%s stopped: %r" % (w.gen, r))
    if code(r) == "ok":
        # the stopped note's reason ends at the cause: its fix is said once, in "fix"
        n = r["result"]["note"]
        check(n["reason"].startswith("greenhouse_auth: ") and "Check the key" not in n["reason"]
              and "textus-host configure" in n.get("fix", ""),
              "%s stopped: reason %r, fix %r" % (w.gen, n["reason"], n.get("fix")))
    st = w.req({"type": "flush_outbox"})
    check(code(st) == "ok" and st["result"]["stopped"] >= 1, "%s stopped flush %r" % (w.gen, st))
    stat = w.req({"type": "status"})
    ob = stat["result"].get("outbox", {}) if code(stat) == "ok" else {}
    check(ob.get("notes_stopped", 0) >= 1 and "Add Note" in ob.get("stopped_fix", ""),
          "%s status shows the stopped note and its fix: %r" % (w.gen, ob))
    cli = subprocess.run([HOST, "status"], env=dict(os.environ, **w.env), capture_output=True,
                         timeout=30)
    check(b"notes stopped (wait for you)" in cli.stdout and b"fix:" in cli.stdout and
          b"notes_stopped" not in cli.stdout,
          "%s textus-host status prints the outbox" % w.gen)
    w.configure(v1_key=V1_KEY)
    out = subprocess.run([HOST, "outbox", "flush"], env=dict(os.environ, **w.env),
                         capture_output=True, timeout=60)
    ns = w.notes(marker_of(r)) if code(r) == "ok" else []
    check(len(ns) == 1, "%s stopped → fixed → outbox flush: one note (%s)" % (w.gen, out.stdout))
    row(w, "no Add Note permission → stopped → fix → outbox flush", len(w.messages(body=body)),
        len(ns), [code(r) + "(note stopped)", "flush ok", "cli flush rc=%d" % out.returncode])


def s_opt_out_verb(w):
    to = "+13035550133"
    r1 = w.req({"type": "opt_out", "to": to})
    r2 = w.req({"type": "opt_out", "to": to})
    check(code(r1) == "ok" and r1["result"]["opted_out"] is True, "%s opt_out %r" % (w.gen, r1))
    check(code(r2) == "ok", "%s opt_out twice %r" % (w.gen, r2))
    r3 = w.send("afteropt-" + w.gen, to, unique("after opt out"))
    check(code(r3) == "opted_out", "%s send after opt_out %r" % (w.gen, r3))
    row(w, "opt_out twice, then send", len(w.messages(to=to)), 0, [code(r1), code(r2), code(r3)])


def contacts_with(w, number):
    return [c for c in w.fakes.state()["textus"]["contacts"]
            if any(ph.get("phoneNumber") == number for ph in c["phones"]["members"])]


def s_import_contact(w):
    to = "+13035550134" if w.gen == "v1" else "+13035550135"
    p = {"type": "import_contact", "candidate_id": str(CAND), "to": to, "name": "Jane Candidate"}
    r1 = w.req(p)
    since = w.fakes.requests()[-1]["seq"]
    r2 = w.req(dict(p, name="Jane Q. Candidate"))
    check(code(r1) == "ok" and r1["result"]["contact"]["created"] is True, "%s import 1 %r" % (w.gen, r1))
    check(code(r2) == "ok" and r2["result"]["contact"]["created"] is False, "%s import 2 %r" % (w.gen, r2))
    writes = [r for r in w.fakes.requests(server="textus", since=since)
              if r["method"] in ("POST", "PUT", "PATCH")]
    check([r["method"] for r in writes] == ["PUT"],
          "%s import 2: one PUT, no PATCH or POST (%r)" % (w.gen, [r["method"] for r in writes]))
    cs = contacts_with(w, to)
    check(len(cs) == 1, "%s import: one contact (%d)" % (w.gen, len(cs)))
    if cs:
        check(cs[0]["name"] == "Jane Q. Candidate", "%s import 2: name updated" % w.gen)
        check([ph["phoneNumber"] for ph in cs[0]["phones"]["members"]] == [to],
              "%s import 2: the number kept once" % w.gen)
        check(cs[0]["data"].get("greenhouse_candidate_id") == str(CAND), "contact data: candidate id")
        check("/people/%d" % CAND in cs[0]["data"].get("greenhouse_profile_url", ""), "profile url")
    row(w, "import_contact twice (second: PUT, name updated)", 0, 0,
        [code(r1), code(r2)] + ["contacts=%d" % len(cs)])
    # a contact created elsewhere, with a conversation: found through the conversation's
    # associated contacts, updated in place (its other number, the numbers' types and its own
    # data kept), never duplicated
    if w.gen == "v1":
        since = w.fakes.requests()[-1]["seq"]
        r5 = w.req({"type": "import_contact", "candidate_id": str(CAND), "to": "+13035550150",
                    "name": "Jane Imported"})
        check(code(r5) == "ok" and r5["result"]["contact"]["created"] is False,
              "import of a contact created elsewhere: updated, not created (%r)" % r5)
        cs = contacts_with(w, "+13035550150")
        check(len(cs) == 1, "created elsewhere: still one contact (%d)" % len(cs))
        if cs:
            phones = [(ph["phoneNumber"], ph["extension"], ph["type"])
                      for ph in cs[0]["phones"]["members"]]
            check(phones == [("+13035550150", None, "Mobile"), ("+13035550151", "12", "Work")],
                  "created elsewhere: both numbers and their types kept (%r)" % phones)
            check(cs[0]["name"] == "Jane Imported" and cs[0]["data"].get("source") == "crm" and
                  cs[0]["data"].get("greenhouse_candidate_id") == str(CAND),
                  "created elsewhere: name updated, its data kept and ours added (%r)" % cs[0])
        paths = [r["path"] for r in w.fakes.requests(server="textus", since=since)]
        check(any(x.endswith("/associated_contacts") for x in paths) and
              not any("contact_phones" in x for x in paths),
              "created elsewhere: found through the conversation, no phone search (%r)" % paths)
        row(w, "import_contact of a contact created elsewhere", 0, 0,
            [code(r5), "contacts=%d" % len(cs)])
    # from the profile: the number beneath the name, the profile's name and URL
    num = "+13035550140" if w.gen == "v1" else "+13035550141"
    prof = {"url": "https://acme.greenhouse.io/people/%d?application_id=5" % CAND,
            "name": "Jane Profile", "lines": ["Jane Profile", "Software Engineer",
                                              "(303) 555-%s (Mobile)" % num[-4:]]}
    p = {"type": "import_contact", "candidate_id": str(CAND), "profile": prof}
    r3 = w.req(p)
    r4 = w.req(p)
    check(code(r3) == "ok" and r3["result"]["contact"]["created"] is True, "%s import profile %r" % (w.gen, r3))
    check(code(r4) == "ok" and r4["result"]["contact"]["created"] is False, "%s import profile 2 %r" % (w.gen, r4))
    cs = [c for c in w.fakes.state()["textus"]["contacts"]
          if any(ph.get("phoneNumber") == num for ph in c["phones"]["members"])]
    check(len(cs) == 1 and cs[0]["name"] == "Jane Profile" and
          cs[0]["data"].get("greenhouse_profile_url") == prof["url"],
          "%s import profile: one contact with name and url (%r)" % (w.gen, cs))
    # the profile's label gives the phone type
    check(len(cs) == 1 and cs[0]["phones"]["members"][0]["type"] == "Mobile",
          "%s import profile: type from the label" % w.gen)
    work = "+13035550142" if w.gen == "v1" else "+13035550143"
    r6 = w.req({"type": "import_contact", "candidate_id": str(CAND),
                "profile": dict(prof, lines=["Jane Profile", "Work: (303) 555-%s" % work[-4:]])})
    cs = contacts_with(w, work)
    check(code(r6) == "ok" and len(cs) == 1 and cs[0]["phones"]["members"][0]["type"] == "Work",
          "%s import profile: a Work number is imported as Work (%r)" % (w.gen, cs))
    row(w, "import_contact from profile twice", 0, 0, [code(r3), code(r4), "contacts=%d" % len(cs)])


def s_cli_send(w):
    body = unique("from the command line")
    r = subprocess.run([HOST, "send", "--candidate", str(CAND), "--to", "+13035550136",
                        "--request-id", "cli-" + w.gen], input=body.encode(),
                       env=dict(os.environ, **w.env), capture_output=True, timeout=60)
    check(r.returncode == 0, "%s cli send rc %d %s" % (w.gen, r.returncode, r.stderr[-2000:]))
    ms = w.messages(body=body)
    ns = w.notes("[textus:%s]" % ms[0]["id"]) if ms else []
    check(len(ms) == 1 and len(ns) == 1, "%s cli send: 1/1" % w.gen)
    check(b"3035550136" not in r.stderr, "cli: no number on stderr")
    lst = subprocess.run([HOST, "outbox", "list"], env=dict(os.environ, **w.env),
                         capture_output=True, timeout=30)
    check(lst.returncode == 0 and b"cli-" + w.gen.encode() in lst.stdout, "outbox list shows it")
    check(b"3035550136" not in lst.stdout and body.encode() not in lst.stdout,
          "outbox list hides number and body")
    row(w, "CLI send (stdin body)", len(ms), len(ns), ["rc=%d" % r.returncode])


def s_cli_send_options(w):
    """textus-host send checks its options up front, in its own words (exit 2, nothing looked
    up), refuses a candidate Greenhouse does not have before anything is sent (exit 1), names
    the candidate the note went to, and prints a request id only once it is journaled."""
    env = dict(os.environ, **w.env)
    # this scenario's Harvest reads (a look-up per send) are its own: Harvest v1 allows 50
    # requests per 10 s, and the scenarios before it used much of that
    w.fakes.reset_rate_limits()

    def cli(*args, body="Hi from the command line"):
        r = subprocess.run([HOST, "send", *args], input=body.encode(), env=env,
                           capture_output=True, timeout=60)
        return r.returncode, r.stdout.decode(), r.stderr.decode()

    ok = ["--candidate", str(CAND), "--to", "+13035550138"]
    wrong = [
        (["--candidate", str(CAND), "--to", "3035550138"],
         "--to must be a US/Canada number written +1NXXNXXXXXX, e.g. +13035550123, not "
         "'3035550138' (did you mean +13035550138?)"),
        (["--candidate", str(CAND), "--to", "(303) 555-0138"], "(did you mean +13035550138?)"),
        (["--candidate", str(CAND), "--to", "+19115550100"], "--to must be a US/Canada number"),
        (["--candidate", "0", "--to", "+13035550138"],
         "--candidate must be a Greenhouse candidate id: 1 to 18 digits, not 0"),
        (["--candidate", "abc", "--to", "+13035550138"], "not 'abc'"),
        (ok + ["--visibility", "secret"],
         "--visibility must be private, public or admin_only, not 'secret'"),
        (ok + ["--schedule-at", "tomorrow"],
         "--schedule-at must be a UTC time written YYYY-MM-DDTHH:MM:SSZ"),
        (ok + ["--request-id", "has space"], "--request-id must be 1 to 64 of"),
    ]
    before = w.api_count()
    for args, text in wrong:
        rc, out, err = cli(*args)
        check(rc == 2, "%s cli send %r: exit %d (want 2) %s" % (w.gen, args, rc, err))
        check(text in err, "%s cli send %r says %r: %s" % (w.gen, args, text, err))
        # under Wine (run_suites.py) the pointer names the .exe as PowerShell runs it
        check(("textus-host.exe' send --help" if os.environ.get("TH_WIN_EXE")
               else "see textus-host send --help") in err,
              "%s cli send %r: help pointer %r" % (w.gen, args, err))
        for jargon in ('"to"', '"candidate_id"', "note.visibility", "request id"):
            check(jargon not in err, "%s cli send %r: no %r in %s" % (w.gen, args, jargon, err))
    rc, out, err = cli(*ok, body=" \n")
    check(rc == 2 and "empty" in err, "%s cli send: an empty text is exit 2: %s" % (w.gen, err))
    check(w.api_count() == before, "%s cli send: a wrong option reached a service" % w.gen)
    # a candidate id Greenhouse does not have: refused before the text goes
    body = unique("cli typo candidate")
    rc, out, err = cli("--candidate", "9999", "--to", "+13035550138", body=body)
    check(rc == 1 and "greenhouse_not_found" in err and "nothing was sent" in err,
          "%s cli send to candidate 9999: %d %s" % (w.gen, rc, err))
    check(w.messages(body=body) == [], "%s cli send to candidate 9999 texted" % w.gen)
    check("request id" not in err, "%s cli send: a request id nothing journaled: %s" % (w.gen, err))
    # the right one: the result names whom the note went to
    body = unique("cli right candidate")
    rc, out, err = cli(*ok, body=body)
    res = json.loads(out) if rc == 0 else {}
    check(res.get("candidate") == {"id": str(CAND), "name": "Jane Candidate"},
          "%s cli send: the candidate's name in the result: %d %s %s" % (w.gen, rc, out, err))
    check(len(w.messages(body=body)) == 1, "%s cli send: one text" % w.gen)
    # outbox list: the made-up id (28 characters) does not push its row out of the columns
    lst = subprocess.run([HOST, "outbox", "list"], env=env, capture_output=True, text=True,
                         timeout=30).stdout.splitlines()
    col = lst[0].index("journaled (local)")
    rows = [l for l in lst[1:] if l.startswith(res.get("request_id", "?") + " ")]
    check(len(rows) == 1 and rows[0][col - 1] == " " and rows[0][col:col + 4].isdigit(),
          "%s outbox list: the id column fits the longest id:\n%s" % (w.gen, "\n".join(lst[:4])))
    # journaled, outcome unknown: now the request id means something
    body = unique("cli unknown outcome")
    w.fakes.fault({"server": "textus", "method": "POST", "path_re": "^/acme/messages$",
                   "action": "drop_after"})
    rc, out, err = cli(*ok, "--request-id", "cli-unknown-" + w.gen, body=body)
    check(rc == 1 and "outcome_unknown" in err and
          "request id cli-unknown-%s is journaled" % w.gen in err,
          "%s cli send, outcome unknown: %d %s" % (w.gen, rc, err))
    f = w.flush()
    check(code(f) == "ok" and f["result"]["pending"] == 0,
          "%s cli send: flush after the unknown outcome %r" % (w.gen, f))
    w.fakes.reset_rate_limits()
    row(w, "CLI send: options checked, candidate looked up", len(w.messages(body=body)), "-",
        ["rc=%d" % rc])


def s_cli_send_unlisted(w):
    """textus-host send to a number that is not on the candidate's Greenhouse record is refused
    before anything is sent or noted (exit 1); --to-unlisted sends it and the note says so."""
    env = dict(os.environ, **w.env)
    w.fakes.reset_rate_limits()
    to = "+13035550139"  # not among 1001's numbers (seed: 303-555-0123, -0136, -0138)

    def cli(*args, body):
        r = subprocess.run([HOST, "send", "--candidate", str(CAND), "--to", to, *args],
                           input=body.encode(), env=env, capture_output=True, timeout=60)
        return r.returncode, r.stdout.decode(), r.stderr.decode()

    body = unique("cli unlisted number")
    notes_before = len(w.notes())
    posts_before = len(w.posts("textus", "/messages")) + len(w.posts("harvest", "notes"))
    rc, out, err = cli("--request-id", "cli-unlisted-" + w.gen, body=body)
    check(rc == 1 and "not one of candidate %d's numbers in Greenhouse" % CAND in err and
          "nothing was sent" in err and "--to-unlisted" in err and out == "",
          "%s cli send to an unlisted number: %d %r %r" % (w.gen, rc, out, err))
    check(w.messages(body=body) == [] and w.messages(to=to) == [],
          "%s cli send to an unlisted number texted it" % w.gen)
    check(len(w.notes()) == notes_before and
          len(w.posts("textus", "/messages")) + len(w.posts("harvest", "notes")) == posts_before,
          "%s cli send to an unlisted number: nothing posted" % w.gen)
    check("3035550139" not in err, "%s cli refusal: no number on stderr" % w.gen)
    lst = subprocess.run([HOST, "outbox", "list"], env=env, capture_output=True, text=True,
                         timeout=30)
    check("cli-unlisted-" + w.gen not in lst.stdout, "%s refused send journaled" % w.gen)
    # knowingly: sent, and the note says the number is not on the record
    rc, out, err = cli("--request-id", "cli-unlisted-" + w.gen, "--to-unlisted", body=body)
    ms = w.messages(body=body)
    ns = w.notes("[textus:%s]" % ms[0]["id"]) if ms else []
    check(rc == 0 and len(ms) == 1 and ms[0]["_to"] == to and len(ns) == 1,
          "%s cli send --to-unlisted: %d %d/%d %s" % (w.gen, rc, len(ms), len(ns), err))
    check(bool(ns) and "is not on the candidate's Greenhouse record" in ns[0]["body"] and
          "--to-unlisted" in ns[0]["body"],
          "%s --to-unlisted note says so: %r" % (w.gen, ns[0]["body"] if ns else None))
    # outcome unknown: the note is written later, from the journal (flush reconciles the
    # send first): it says so too
    body3 = unique("cli unlisted unknown outcome")
    w.fakes.fault({"server": "textus", "method": "POST", "path_re": "^/acme/messages$",
                   "action": "drop_after"})
    rc3, out3, err3 = cli("--request-id", "cli-unlisted-unknown-" + w.gen, "--to-unlisted",
                          body=body3)
    check(rc3 == 1 and "outcome_unknown" in err3,
          "%s cli send --to-unlisted, outcome unknown: %d %s" % (w.gen, rc3, err3))
    f = w.flush()
    ms3 = w.messages(body=body3)
    ns3 = w.notes("[textus:%s]" % ms3[0]["id"]) if ms3 else []
    check(code(f) == "ok" and len(ms3) == 1 and len(ns3) == 1 and
          "is not on the candidate's Greenhouse record" in ns3[0]["body"],
          "%s --to-unlisted note written after reconciliation says so: %r %r" %
          (w.gen, f, ns3[0]["body"] if ns3 else None))
    # a number on the record, written differently there ("+1 303 555 0138"), with
    # --to-unlisted all the same: sent, and the note does not claim it is not on the record
    body2 = unique("cli listed number")
    r = subprocess.run([HOST, "send", "--candidate", str(CAND), "--to", "+13035550138",
                        "--to-unlisted"],
                       input=body2.encode(), env=env, capture_output=True, timeout=60)
    ms2 = w.messages(body=body2)
    ns2 = w.notes("[textus:%s]" % ms2[0]["id"]) if ms2 else []
    check(r.returncode == 0 and len(ns2) == 1 and "not on the candidate's" not in ns2[0]["body"],
          "%s cli send to a listed number: %d %r" % (w.gen, r.returncode, r.stderr[-500:]))
    w.fakes.reset_rate_limits()
    row(w, "CLI send: --to not on the record refused, --to-unlisted noted", len(ms), len(ns),
        ["rc=1", "rc=%d" % rc])


def s_record_values(w):
    """Issue O item 6: --to against record values as typed. A number on the record only with an
    extension is a desk line (refused without --to-unlisted); every number of a value counts
    ("303-555-0124 / 720-555-0199"); a candidate id with a leading 0 is refused (one spelling
    per candidate: "01001" would file the thread apart from 1001's)."""
    env = dict(os.environ, **w.env)
    w.fakes.reset_rate_limits()

    def cli(cand, to, *args, body):
        r = subprocess.run([HOST, "send", "--candidate", cand, "--to", to, *args],
                           input=body.encode(), env=env, capture_output=True, timeout=60)
        return r.returncode, r.stdout.decode(), r.stderr.decode()

    # a) the record holds +1 303 555 0123 only as "(303) 555-0123 ext. 45"
    body = unique("cli desk line")
    rc, out, err = cli("1003", "+13035550123", body=body)
    check(rc == 1 and "only with an extension" in err and "nothing was sent" in err and
          w.messages(body=body) == [],
          "%s 6a: a desk line on the record is not the number to text: %d %r" % (w.gen, rc, err))
    rc, out, err = cli("1003", "+13035550123", "--to-unlisted", body=body)
    ms = w.messages(body=body)
    ns = w.notes("[textus:%s]" % ms[0]["id"]) if ms else []
    check(rc == 0 and len(ns) == 1 and "is not on the candidate's Greenhouse record" in ns[0]["body"],
          "%s 6a: --to-unlisted texts the desk line and says so: %d %r" % (w.gen, rc, err))
    # b) the second number of "303-555-0124 / 720-555-0199" is on the record
    body = unique("cli second number of a value")
    rc, out, err = cli("1003", "+17205550199", body=body)
    ms = w.messages(body=body)
    ns = w.notes("[textus:%s]" % ms[0]["id"]) if ms else []
    check(rc == 0 and len(ms) == 1 and len(ns) == 1 and "not on the candidate's" not in ns[0]["body"],
          "%s 6b: every number of a record value counts: %d %r" % (w.gen, rc, err))
    # e) a leading 0: refused by the CLI (exit 2) and by the verb, nothing sent
    body = unique("leading zero")
    rc, out, err = cli("01001", "+13035550123", body=body)
    check(rc == 2 and "no leading 0" in err and w.messages(body=body) == [],
          "%s 6e: --candidate 01001 refused: %d %r" % (w.gen, rc, err))
    r = w.req({"type": "send_sms", "request_id": "lead0-" + w.gen, "candidate_id": "01001",
               "to": "+13035550123", "body": body})
    check(code(r) == "bad_request" and w.messages(body=body) == [],
          "%s 6e: send_sms candidate_id 01001 refused: %r" % (w.gen, r))
    w.fakes.reset_rate_limits()
    row(w, "record values: desk line refused, every number counts, no leading 0", 2, 2,
        ["rc=1", "rc=0", "rc=2", code(r)])


def s_send_whose(w):
    """Issue O items 1 and 6c/6d, through one port as the extension uses it: extract_phone reads
    the candidate's record once (on_record), and send_sms on that port refuses a number that is
    not the candidate's unless "to_unlisted": true (the compose box's confirmation); the note
    and the replies from that number say it is not on the record."""
    w.fakes.reset_rate_limits()
    url = "https://acme.greenhouse.io/people/%d" % CAND
    h = Host(env=w.env)
    try:
        on = h.request({"type": "extract_phone", "id": 1, "profile": {
            "url": url, "name": "Jane Candidate", "lines": ["Jane Candidate", "Mobile: 303.555.0136"]}})
        off = h.request({"type": "extract_phone", "id": 2, "profile": {
            "url": url, "name": "Jane Candidate", "lines": ["Jane Candidate", "Mobile: 303-555-0141"]}})
        check(code(on) == "ok" and on["result"].get("on_record") is True,
              "%s extract_phone: a number on the record: %r" % (w.gen, on))
        check(code(off) == "ok" and off["result"]["phone"]["e164"] == "+13035550141" and
              off["result"].get("on_record") is False,
              "%s extract_phone: a number beneath the name, not on the record: %r" % (w.gen, off))
        to, body = "+13035550141", unique("port unlisted")
        before = len(w.posts("textus", "/messages")) + len(w.posts("harvest", "notes"))
        p = {"type": "send_sms", "id": 3, "request_id": "whose-" + w.gen, "candidate_id": str(CAND),
             "to": to, "body": body}
        r1 = h.request(p)
        check(code(r1) == "not_candidates_number" and w.messages(body=body) == [] and
              len(w.posts("textus", "/messages")) + len(w.posts("harvest", "notes")) == before,
              "%s 6c: send_sms to a number off the record, unconfirmed, refused: %r" % (w.gen, r1))
        r2 = h.request(dict(p, id=4, to_unlisted=True))
        ms = w.messages(body=body)
        ns = w.notes("[textus:%s]" % ms[0]["id"]) if ms else []
        check(code(r2) == "ok" and len(ms) == 1 and len(ns) == 1 and
              "is not on the candidate's Greenhouse record" in ns[0]["body"] and
              "compose box" in ns[0]["body"],
              "%s 6c: confirmed (to_unlisted), sent and noted: %r %r" %
              (w.gen, r2, ns[0]["body"] if ns else None))
        r3 = h.request(dict(p, id=5, request_id="whose-listed-" + w.gen, to="+13035550136",
                            body=unique("port listed")))
        check(code(r3) == "ok", "%s a number on the record needs no confirmation: %r" % (w.gen, r3))
        r4 = h.request(dict(p, id=6, to_unlisted="yes"))
        check(code(r4) == "bad_request", "%s to_unlisted must be a boolean: %r" % (w.gen, r4))
    finally:
        h.close()
    # 6d: a reply from that number is logged as from the number, not as from the candidate
    text = unique("who is this reply")
    w.fakes.inbound("acme", to, text)
    c = w.req({"type": "conversation", "to": to, "candidate_id": str(CAND)})
    w.flush()
    rn = [n for n in w.notes() if text in n["body"]]
    check(code(c) == "ok" and len(rn) == 1 and "not on the candidate's Greenhouse record" in
          rn[0]["body"] and "from the candidate" not in rn[0]["body"],
          "%s 6d: the reply note says the number is not on the record: %r %r" %
          (w.gen, c, rn[0]["body"] if rn else None))
    w.fakes.reset_rate_limits()
    row(w, "port: send_sms off the record refused, to_unlisted sent and noted, reply noted",
        len(ms), len(ns), [code(r1), code(r2), code(r3)])


def s_startup_flush(w):
    # a note left pending is written by the next host after its first reply
    to, body = "+13035550137", unique("start-up flush")
    w.configure(retry_ms=1000)
    w.fakes.fault({"server": "harvest", "method": "POST", "path_re": note_path(),
                   "action": {"status": 503}})
    r1 = w.send("startup-" + w.gen, to, body)
    check(code(r1) == "ok" and r1["result"]["note"]["state"] == "pending", "startup pending %r" % r1)
    marker = os.path.join(w.home, "pending")
    check(os.path.exists(marker), "%s pending marker exists" % w.gen)
    time.sleep(1.3)  # the note's first retry is due after note_retry_base_ms
    r2 = w.req({"type": "ping"})  # next host: ping replies first, then the flush runs
    check(code(r2) == "ok", "ping")
    ns = w.notes(marker_of(r1)) if code(r1) == "ok" else []
    check(len(ns) == 1, "%s start-up: the next host wrote the one note" % w.gen)
    check(not os.path.exists(marker), "%s marker removed when nothing is pending" % w.gen)
    w.configure()
    row(w, "pending note + next host start", len(w.messages(body=body)), len(ns),
        [code(r1) + "(note pending)", code(r2)])


def sealed_check(w):
    db = os.path.join(w.home, "outbox.sqlite")
    for suffix in ("", "-wal"):
        p = db + suffix
        if os.path.exists(p):
            data = open(p, "rb").read()
            check(b"3035550123" not in data and b"Hello Jane" not in data,
                  "%s outbox %s holds no clear number or body" % (w.gen, suffix))
            mode = os.stat(p).st_mode & 0o777
            check(mode == 0o600, "%s outbox%s mode %o" % (w.gen, suffix, mode))


def scenarios(w):
    s_happy(w)
    s_opted_blocked(w)
    s_replay_conflict(w)
    s_validation(w)
    s_two_hosts(w)
    s_ambiguous(w)
    s_ambiguous_then_replies(w)
    s_ambiguous_not_sent(w)
    s_note_retry(w, 429)
    s_note_retry(w, 503)
    s_note_drop_after(w)
    if FAILPOINTS:
        s_failpoints(w)
    s_notes_disabled_and_stopped(w)
    s_opt_out_verb(w)
    s_import_contact(w)
    s_cli_send(w)
    s_cli_send_options(w)
    s_cli_send_unlisted(w)
    s_record_values(w)
    s_send_whose(w)
    s_startup_flush(w)
    if w.gen == "v1":
        s_retry_after_across_hosts(w)
    if w.gen == "v3":
        s_child_account(w)
        s_token_race(w)
    sealed_check(w)
    s_ambiguous_two_candidates(w)  # last: it leaves an unknown send in the outbox


def picked(w):
    for name in PICK.split(","):
        globals()["s_" + name](w)


def main():
    run_generations(World, picked if PICK else scenarios, ONLY)
    return finish(["scenario", "Harvest", "messages", "notes", "reply codes"], ROWS)


if __name__ == "__main__":
    sys.exit(main())
