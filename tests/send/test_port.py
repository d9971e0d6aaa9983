#!/usr/bin/env python3
"""A send on a long-lived port, through the real binary against the fakes (Harvest v1 and v3).

What the port adds to the send flow (host/PROTOCOL.md, "Ports" and prepare_send):
  * prepare_send: its shape; the opt-out and conversation checks run at once (seen in
    the fakes' request log with a delay on both: each started before the other ended);
  * a send_sms on the same port within 60 s reuses that result (no check reaches TextUs),
    and after 60 s checks again, both at once (the 60 s are moved with the test clock of
    failpoint builds, TH_TEST_CLOCK_FILE: no sleeping);
  * reply_before_note: the reply (note pending, "event": true), then the note event on the
    same port, exactly one note; the port closed right after the reply: the note still
    lands (now, or on the next flush when the host was killed before it);
  * the warm port: an idle port opens its connections ahead of use, and the send reuses
    them; a one-shot message warms nothing;
  * durability: the fdatasync and open counts of a send, counted with strace, at most
    what exactly once needs (so that a regression fails).
Prints one line per check that failed and exits 1 if any did.
"""
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

SRC = os.environ["TH_SOURCE_DIR"]
sys.path.insert(0, os.path.join(SRC, "tests", "lib"))
from fakeworld import FakeWorld, Creds, check, finish, run_generations  # noqa: E402
from nmhost import Host, one_shot  # noqa: E402

HOST = os.environ["TH_HOST"]
FAILPOINTS = os.environ.get("TH_FAILPOINTS_BUILT") == "1"
ONLY = os.environ.get("TH_PORT_ONLY")  # one generation ("v1"/"v3") when set

TOKEN = "tok_port_FAKE_0001"
V1_KEY = "hvk_port_FAKE_0001"
CLIENT_ID = "client_port_FAKE_0001"
CLIENT_SECRET = "csecret_port_FAKE_0001"
CAND = "1001"
TO = "+13035550123"
OPTED = "+13035550177"
BLOCKED = "+13035550166"
CREDS = Creds(TOKEN, V1_KEY, CLIENT_ID, CLIENT_SECRET)

SEED = {
    "textus": {
        "tokens": {TOKEN: {"user": "/users/1", "accounts": ["acme"], "email": "alice@acme.example"}},
        "users": {"/users/1": {"name": "Alice Recruiter", "email": "alice@acme.example"}},
        "accounts": {"acme": {"name": "Acme", "type": "organization",
                              "phoneNumbers": ["+13035550100"]}},
        "opt_outs": [OPTED],
        "blocked": {"acme": [BLOCKED]},
        "contacts": [],
        "messages": [],
    },
    "harvest": {
        "api_keys": {V1_KEY: {"name": "port", "permissions": [
            "activity_feed", "candidates_list", "candidates_add_note", "users_retrieve",
            "users_list"]}},
        "oauth_clients": {CLIENT_ID: {"name": "textus-host", "secret": CLIENT_SECRET}},
        "users": [{"id": 101, "first_name": "Alice", "last_name": "Recruiter",
                   "primary_email_address": "alice@acme.example", "site_admin": False}],
        "candidates": [{"id": 1001, "first_name": "Jane", "last_name": "Candidate",
                        "phone_numbers": [{"value": "(303) 555-0123", "type": "mobile"}]}],
        "activity_feed": {CAND: {"activities": [], "notes": []}},
    },
}

OPT_RE = re.compile(r"^/acme/opt_outs/")
CONV_RE = re.compile(r"^/acme/conversations/\+?\d+$")
SMS_RE = re.compile(r"^/acme/messages$")
_n = [0]


def uid(tag):
    _n[0] += 1
    return "%s-%d-%d" % (tag, _n[0], int(time.time() * 1000) % 100000)


class World(FakeWorld):
    def __init__(self, gen):
        super().__init__(gen, prefix="th-port-%s-" % gen, seed=SEED, creds=CREDS, max_seconds=300)
        # one send first: the Greenhouse user id (and v3 tokens) are cached from then on
        self.oneshot(send_req(uid("setup"), TO, "setup text"))
        self.seq = self.last_seq()

    def configure(self):
        # the hosts' clock for prepare_send's 60 s (failpoint builds read TH_TEST_CLOCK_FILE):
        # set_clock() moves it
        self.clock = os.path.join(self.tmp, "clock-offset-ms")
        self.set_clock(0)
        self.env["TH_TEST_CLOCK_FILE"] = self.clock
        self.configure_ok(self.config_doc({"timeout_ms": 5000, "connect_timeout_ms": 2000}))

    def set_clock(self, ms):
        with open(self.clock, "w") as fh:
            fh.write("%d\n" % ms)

    def last_seq(self):
        recs = self.fakes.requests()
        return max([r["seq"] for r in recs] or [0])

    def new_requests(self):
        """What reached the fakes since the last call."""
        recs = self.fakes.requests(since=self.seq)
        if recs:
            self.seq = max(r["seq"] for r in recs)
        return recs

    def oneshot(self, payload, env=None):
        reply, rc, err = one_shot(payload, env=dict(self.env, **(env or {})))
        check(rc == 0, "%s: one-shot %s exit %d: %s" % (self.gen, payload.get("type"), rc,
                                                         err[-500:]))
        return reply

    def host(self, env=None):
        return Host(env=dict(self.env, **(env or {})))


def send_req(rid, to, body, flag=None, msg_id=None):
    p = {"type": "send_sms", "id": msg_id or rid, "request_id": rid, "candidate_id": CAND,
         "to": to, "body": body}
    if flag is not None:
        p["reply_before_note"] = flag
    return p


def prep_req(to, msg_id="prep"):
    return {"type": "prepare_send", "id": msg_id, "candidate_id": CAND, "to": to}


def checks_in(recs):
    return [r for r in recs if r["server"] == "textus" and r["method"] == "GET"
            and (OPT_RE.match(r["path"]) or CONV_RE.match(r["path"]))]


def concurrent(a, b):
    """Each request started before the other one ended (times from the fakes' records)."""
    sa, sb = a["t"] - a["duration_ms"] / 1000.0, b["t"] - b["duration_ms"] / 1000.0
    return sa < b["t"] and sb < a["t"]


def delay_checks(w, ms=600):
    for pat in ("^/acme/opt_outs/", "^/acme/conversations/"):
        w.fakes.fault({"server": "textus", "method": "GET", "path_re": pat,
                       "action": {"delay_ms": ms}})


def read_event(h, timeout=30):
    """The next frame, or None when none comes within timeout (the host is then killed)."""
    t = threading.Timer(timeout, h.proc.kill)
    t.start()
    try:
        return h.read_reply()
    finally:
        t.cancel()


def marker(reply):
    return "[textus:%s]" % reply["result"]["message"]["id"]


# ------------------------------------------------------------------ prepare_send

def s_prepare_shape_and_concurrency(w):
    h = w.host()
    try:
        w.new_requests()
        delay_checks(w)
        r = h.request(prep_req(TO, "p1"))
        ok = check(r and r.get("ok"), "%s prepare_send: %r" % (w.gen, r))
        if ok:
            res = r["result"]
            check(set(res) == {"to", "opted_out", "blocked", "lock", "checked_at"},
                  "%s prepare_send members %r" % (w.gen, sorted(res)))
            check(res["to"] == TO and res["opted_out"] is False and res["blocked"] is False
                  and res["lock"] is None,
                  "%s prepare_send values %r" % (w.gen, res))
            check(re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", res["checked_at"] or ""),
                  "%s checked_at %r" % (w.gen, res.get("checked_at")))
            check(r["id"] == "p1", "%s prepare_send id echoed" % w.gen)
        c = checks_in(w.new_requests())
        if check(len(c) == 2, "%s prepare_send: two checks, got %r" % (
                w.gen, [(x["method"], x["path"]) for x in c])):
            check(concurrent(c[0], c[1]),
                  "%s prepare_send: the checks ran one after the other: %r" % (
                      w.gen, [(x["path"], x["t"], x["duration_ms"]) for x in c]))
        # a locked and a blocked number show before anyone types
        r = h.request(prep_req(OPTED, "p2"))
        check(r and r.get("ok") and r["result"]["opted_out"] is True
              and r["result"]["blocked"] is False, "%s prepare_send opted out: %r" % (w.gen, r))
        # who and when, as the OptOut says (https://apidocs.next.textus.com/docs/opt_outs/show:
        # createdAt, createdVia; this seeded one has no user and no originating account)
        lock = (r or {}).get("result", {}).get("lock") or {}
        check(lock.get("created_via") == "User" and
              re.match(r"^\d{4}-\d\d-\d\dT", lock.get("created_at") or "") and
              lock.get("user") is None and lock.get("user_name") is None,
              "%s prepare_send lock: %r" % (w.gen, lock))
        r = h.request(prep_req(BLOCKED, "p3"))
        check(r and r.get("ok") and r["result"]["blocked"] is True,
              "%s prepare_send blocked: %r" % (w.gen, r))
        w.new_requests()
        # refused before anything is sent
        for bad in ({"to": "+19115550123"}, {"candidate_id": "0"}, {"to": 12}):
            p = prep_req(TO, "bad")
            p.update(bad)
            r = h.request(p)
            check(r and not r.get("ok") and r["error"]["code"] == "bad_request",
                  "%s prepare_send %r: %r" % (w.gen, bad, r))
        check(w.new_requests() == [], "%s prepare_send: a refused request reached a fake" % w.gen)
    finally:
        rc, _, err = h.close()
        check(rc == 0, "%s prepare host exit %d %s" % (w.gen, rc, err[-300:]))


def s_prepare_reuse(w):
    """Within 60 s on the same port: no check; after 60 s (test clock): both again, at once."""
    h = w.host()
    try:
        r = h.request(prep_req(TO))
        check(r and r.get("ok"), "%s reuse: prepare %r" % (w.gen, r))
        w.new_requests()
        body = "reuse " + uid("b")
        r = h.request(send_req(uid("reuse"), TO, body))
        check(r and r.get("ok"), "%s reuse: send %r" % (w.gen, r))
        recs = w.new_requests()
        check(checks_in(recs) == [], "%s reuse: the send checked again within 60 s: %r" % (
            w.gen, [x["path"] for x in checks_in(recs)]))
        check(len([x for x in recs if SMS_RE.match(x["path"])]) == 1,
              "%s reuse: one SMS" % w.gen)
        # a refusal is reused too: nothing reaches TextUs
        r = h.request(prep_req(OPTED))
        w.new_requests()
        r = h.request(send_req(uid("reuse-opted"), OPTED, "never sent"))
        check(r and not r.get("ok") and r["error"]["code"] == "opted_out",
              "%s reuse: opted-out send %r" % (w.gen, r))
        check(w.new_requests() == [], "%s reuse: the refused send reached a fake" % w.gen)
        if FAILPOINTS:
            w.set_clock(61000)  # 61 s later for this host's prepare_send clock
            try:
                delay_checks(w)
                body = "recheck " + uid("b")
                r = h.request(send_req(uid("recheck"), TO, body))
                check(r and r.get("ok"), "%s re-check: send %r" % (w.gen, r))
                c = checks_in(w.new_requests())
                if check(len(c) == 2, "%s re-check after 60 s: %r" % (
                        w.gen, [x["path"] for x in c])):
                    check(concurrent(c[0], c[1]),
                          "%s re-check: one after the other: %r" % (
                              w.gen, [(x["path"], x["t"], x["duration_ms"]) for x in c]))
            finally:
                w.set_clock(0)
        # an opt_out through the port drops the number's result
        r = h.request(prep_req(TO))
        r = h.request({"type": "opt_out", "id": "lock", "to": TO})
        check(r and r.get("ok"), "%s reuse: opt_out %r" % (w.gen, r))
        # the answer says who locked it (the token's user, embedded in TextUs's OptOut:
        # https://apidocs.next.textus.com/docs/opt_outs/update) and when
        lock = (r or {}).get("result", {}).get("lock") or {}
        check(lock.get("user") == "/users/1" and lock.get("user_name") and
              lock.get("account") == "/accounts/acme" and lock.get("created_via") == "User" and
              lock.get("created_at"), "%s opt_out lock: %r" % (w.gen, lock))
        w.new_requests()
        r = h.request(send_req(uid("after-lock"), TO, "after the lock"))
        check(r and not r.get("ok") and r["error"]["code"] == "opted_out",
              "%s reuse: a send after opt_out on the port: %r" % (w.gen, r))
        check(len(checks_in(w.new_requests())) == 2,
              "%s reuse: the send after opt_out did not check again" % w.gen)
        r = h.request(prep_req(TO, "p-locked"))
        check(r and r.get("ok") and (r["result"].get("lock") or {}).get("user") == "/users/1",
              "%s prepare_send after the lock: %r" % (w.gen, r))
    finally:
        rc, _, err = h.close()
        check(rc == 0, "%s reuse host exit %d %s" % (w.gen, rc, err[-300:]))


# ------------------------------------------------------------------ reply_before_note

def s_reply_before_note(w):
    h = w.host()
    try:
        body = "early " + uid("b")
        rid = uid("early")
        r = h.request(send_req(rid, TO, body, flag=True, msg_id=7))
        ok = check(r and r.get("ok"), "%s early: reply %r" % (w.gen, r))
        if ok:
            n = r["result"]["note"]
            check(r["id"] == 7 and n["state"] == "pending" and n.get("event") is True,
                  "%s early: the reply says pending + event: %r" % (w.gen, r))
            ev = read_event(h)
            check(ev and ev.get("id") == 7 and ev.get("event") == "note"
                  and ev.get("request_id") == rid and "ok" not in ev and "result" not in ev,
                  "%s early: event frame %r" % (w.gen, ev))
            notes = w.notes(marker(r))
            check(len(notes) == 1, "%s early: %d notes" % (w.gen, len(notes)))
            if ev and notes:
                check(ev["note"]["state"] == "written" and ev["note"]["id"] == notes[0]["id"],
                      "%s early: event note %r vs fake %r" % (w.gen, ev["note"], notes[0]["id"]))
            check(len(w.messages(body=body)) == 1, "%s early: one SMS" % w.gen)
        # without the flag the reply waits for the note, and no event follows
        body = "late " + uid("b")
        r = h.request(send_req(uid("late"), TO, body, flag=False))
        check(r and r.get("ok") and r["result"]["note"]["state"] == "written"
              and "event" not in r["result"]["note"], "%s no flag: %r" % (w.gen, r))
        r2 = h.request({"type": "ping", "id": "after"})
        check(r2 and r2.get("id") == "after" and r2.get("ok"),
              "%s no flag: the next frame is the next reply: %r" % (w.gen, r2))
        # the same request id again: a replay, no second note, no event
        r = h.request(send_req(rid, TO, "early " + body, flag=True))
        check(r and not r.get("ok") and r["error"]["code"] == "request_id_conflict",
              "%s early: conflict %r" % (w.gen, r))
        r = h.request({"type": "send_sms", "reply_before_note": "yes", "request_id": uid("x"),
                       "candidate_id": CAND, "to": TO, "body": "x"})
        check(r and not r.get("ok") and r["error"]["code"] == "bad_request",
              "%s early: a non-boolean flag %r" % (w.gen, r))
    finally:
        rc, rest, err = h.close()
        check(rc == 0 and rest == b"", "%s early host exit %d, %d stray bytes %s" % (
            w.gen, rc, len(rest), err[-300:]))


def s_port_closed_after_reply(w):
    """The port closes as soon as the reply is read: the note still lands, exactly once."""
    body = "closed " + uid("b")
    h = w.host()
    r = h.request(send_req(uid("closed"), TO, body, flag=True))
    rc, rest, err = h.close()  # EOF right after the reply
    if check(r and r.get("ok") and r["result"]["note"]["state"] == "pending",
             "%s closed: reply %r" % (w.gen, r)):
        check(rc == 0, "%s closed: exit %d %s" % (w.gen, rc, err[-300:]))
        check(len(w.notes(marker(r))) == 1, "%s closed: the note did not land" % w.gen)
    # killed before the note: it is pending in the outbox, and the next flush writes it once
    if FAILPOINTS:
        body = "killed " + uid("b")
        h = w.host({"TH_FAILPOINT": "before_note"})
        r = h.request(send_req(uid("killed"), TO, body, flag=True))
        ev = read_event(h, 10)
        rc, _, _ = h.close()
        if check(r and r.get("ok") and r["result"]["note"]["state"] == "pending",
                 "%s killed: reply %r" % (w.gen, r)):
            check(ev is None and rc in (-9, 137), "%s killed: event %r exit %d" % (w.gen, ev, rc))
            check(w.notes(marker(r)) == [], "%s killed: a note before the flush" % w.gen)
            f = w.oneshot({"type": "flush_outbox", "id": "f"})
            check(f and f.get("ok") and f["result"]["written"] == 1,
                  "%s killed: flush %r" % (w.gen, f))
            check(len(w.notes(marker(r))) == 1, "%s killed: notes after the flush" % w.gen)
    # killed while the note's POST is on the wire: the flush finds it instead of doubling it
    w.fakes.fault({"server": "harvest", "method": "POST", "path_re": "notes$",
                   "action": {"delay_ms": 1500}})
    body = "cut " + uid("b")
    h = w.host()
    r = h.request(send_req(uid("cut"), TO, body, flag=True))
    time.sleep(0.5)  # the note's POST is at the fake, which answers in 1.5 s
    h.proc.send_signal(signal.SIGKILL)
    h.close()
    time.sleep(1.5)
    if check(r and r.get("ok"), "%s cut: reply %r" % (w.gen, r)):
        w.oneshot({"type": "flush_outbox", "id": "f2"})
        check(len(w.notes(marker(r))) == 1, "%s cut: %d notes after the flush" % (
            w.gen, len(w.notes(marker(r)))))
    w.fakes.reset_faults()


# ------------------------------------------------------------------ the warm port

def s_warm_port(w):
    # a one-shot message warms nothing
    w.new_requests()
    r = w.oneshot({"type": "ping", "id": "one"})
    time.sleep(0.6)
    check(r and r.get("ok") and w.new_requests() == [],
          "%s one-shot ping reached a fake" % w.gen)
    h = w.host()
    try:
        check(h.request({"type": "ping", "id": "p"})["ok"], "%s warm: ping" % w.gen)
        # idle: the host opens its connections (wait for them, a slow machine may take long)
        recs, deadline = [], time.time() + 20
        while time.time() < deadline:
            time.sleep(0.2)
            recs += w.new_requests()
            if {x["server"] for x in recs} >= {"textus", "harvest"}:
                time.sleep(0.3)  # anything more that would come
                recs += w.new_requests()
                break
        tx = [x for x in recs if x["server"] == "textus"]
        hv = [x for x in recs if x["server"] == "harvest"]
        check(len(tx) == 1 and tx[0]["method"] == "GET" and tx[0]["path"] == "/accounts",
              "%s warm: TextUs warm-up %r" % (w.gen, [(x["method"], x["path"]) for x in tx]))
        # the user id is cached by then: the connection is opened without credentials, so it
        # spends none of the company credential's rate limit
        check(len(hv) == 1 and hv[0]["method"] == "GET" and hv[0]["path"] == "/" and
              "authorization" not in hv[0]["headers"],
              "%s warm: Harvest warm-up %r" % (w.gen, [(x["method"], x["path"]) for x in hv]))
        check(all(x["method"] == "GET" or x["server"] == "auth" for x in recs),
              "%s warm: a warm-up changed something" % w.gen)
        body = "warm " + uid("b")
        r = h.request(prep_req(TO))
        r = h.request(send_req(uid("warm"), TO, body, flag=True))
        ev = read_event(h) if r and r.get("ok") else None
        check(ev and ev.get("event") == "note", "%s warm: event %r" % (w.gen, ev))
        recs = w.new_requests()
        sms = [x for x in recs if SMS_RE.match(x["path"])]
        note = [x for x in recs if x["server"] == "harvest" and x["method"] == "POST"]
        conns_tx = {x["conn"] for x in tx} | {x["conn"] for x in checks_in(recs)}
        if check(len(sms) == 1 and len(note) == 1, "%s warm: %d SMS, %d notes" % (
                w.gen, len(sms), len(note))):
            check(sms[0]["conn"] in conns_tx,
                  "%s warm: the SMS opened a new connection" % w.gen)
            check(hv and note[0]["conn"] == hv[0]["conn"],
                  "%s warm: the note did not reuse the warm-up's connection" % w.gen)
    finally:
        rc, _, err = h.close()
        check(rc == 0, "%s warm host exit %d %s" % (w.gen, rc, err[-300:]))


# ------------------------------------------------------------------ the store changes

def configure(w, doc):
    rc, _, err = FakeWorld.configure(w, doc)
    check(rc == 0, "%s configure: %s" % (w.gen, err[-300:]))


def s_store_reload(w):
    """`configure` in another process while a port is open: the port's next request sees it."""
    cwd = tempfile.mkdtemp(prefix="th-port-cwd-", dir=w.tmp)
    h = Host.__new__(Host)
    h.proc = subprocess.Popen([HOST, "chrome-extension://hfboccpnppdfmcdbjjgmobnhljkkmjji/"],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, env=dict(os.environ, **w.env), cwd=cwd)
    try:
        r = h.request(prep_req(TO))
        check(r and r.get("ok"), "%s reload: prepare %r" % (w.gen, r))
        configure(w, {"settings": {"note_enabled": False}})
        r = h.request(send_req(uid("reload"), TO, "after the settings changed"))
        check(r and r.get("ok") and r["result"]["note"]["state"] == "disabled",
              "%s reload: notes disabled by another process: %r" % (w.gen, r))
        configure(w, {"settings": {"note_enabled": True}, "textus": {"token": "tok_port_WRONG_9"}})
        r = h.request(prep_req(TO, "p-wrong"))
        check(r and not r.get("ok") and r["error"]["code"] == "textus_auth",
              "%s reload: the new token is used: %r" % (w.gen, r))
        configure(w, {"textus": {"token": TOKEN}})
        # after a reload, a Retry-After is still kept in the state folder (not elsewhere)
        w.fakes.fault({"server": "textus", "method": "GET", "path_re": "^/acme/opt_outs/",
                       "action": {"status": 429, "retry_after": 1}})
        r = h.request(prep_req(TO, "p-held"))
        check(r and r.get("ok"), "%s reload: prepare after a 429 %r" % (w.gen, r))
        check(os.path.exists(os.path.join(w.home, "holds")),
              "%s reload: no Retry-After hold in the state folder" % w.gen)
        check(os.listdir(cwd) == [], "%s reload: files appeared in the host's folder: %r" % (
            w.gen, os.listdir(cwd)))
    finally:
        w.fakes.reset_faults()
        rc, _, err = h.close()
        check(rc == 0, "%s reload host exit %d %s" % (w.gen, rc, err[-300:]))


# ------------------------------------------------------------------ durability

def strace_counts(w, frames, reads):
    """Run one host under strace with frames; return (replies, fdatasync+fsync, outbox opens)."""
    out = os.path.join(w.tmp, "strace.txt")
    cmd = ["strace", "-f", "-qq", "-o", out, "-e", "trace=fdatasync,fsync,openat", HOST,
           "chrome-extension://hfboccpnppdfmcdbjjgmobnhljkkmjji/"]
    p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, env=dict(os.environ, **w.env))
    h = Host.__new__(Host)
    h.proc = p
    replies = []
    for f, n in zip(frames, reads):
        h.send(f)
        for _ in range(n):
            replies.append(read_event(h))
    h.close()
    with open(out) as fh:
        text = fh.read()
    syncs = len(re.findall(r"\b(?:fdatasync|fsync)\(", text))
    opens = len(re.findall(r'openat\([^"]*"[^"]*/outbox\.sqlite"', text))
    return replies, syncs, opens


def s_durability(w):
    if not shutil.which("strace"):
        print("SKIP durability: no strace", flush=True)
        return
    # one click in a one-shot host: the three durable commits, plus the folder's sync SQLite
    # makes the first time a process syncs the WAL
    replies, syncs, opens = strace_counts(w, [send_req(uid("fs1"), TO, "fsync one-shot")], [1])
    check(replies[0] and replies[0].get("ok"), "%s fsync one-shot: %r" % (w.gen, replies[0]))
    check(syncs <= 4, "%s fsync: a one-shot send made %d fdatasync/fsync (at most 4)" % (
        w.gen, syncs))
    check(opens == 1, "%s fsync: a one-shot send opened the outbox %d times" % (w.gen, opens))
    print("%s one-shot send: %d fdatasync/fsync, %d outbox open" % (w.gen, syncs, opens))
    # five clicks on one port, each after prepare_send, the note after the reply
    frames, reads = [], []
    for i in range(5):
        frames.append(prep_req(TO, "p%d" % i))
        reads.append(1)
        frames.append(send_req(uid("fs5"), TO, "fsync port %d" % i, flag=True))
        reads.append(2)
    replies, syncs, opens = strace_counts(w, frames, reads)
    check(all(r and (r.get("ok") or r.get("event")) for r in replies),
          "%s fsync port: %r" % (w.gen, [r for r in replies if not r or not
                                         (r.get("ok") or r.get("event"))][:2]))
    check(syncs <= 5 * 3 + 1, "%s fsync: five sends on a port made %d fdatasync/fsync "
          "(at most 16)" % (w.gen, syncs))
    check(opens == 1, "%s fsync: a port opened the outbox %d times" % (w.gen, opens))
    print("%s five sends on one port: %d fdatasync/fsync, %d outbox open" % (w.gen, syncs, opens))


def run(fn, w):
    """One scenario; one that breaks off (a host gone, a pipe closed) is one failure more."""
    try:
        fn(w)
    except Exception as e:  # noqa: BLE001 -- reported, and the next scenario runs
        check(False, "%s %s broke off: %s: %s" % (w.gen, fn.__name__, type(e).__name__, e))


def scenarios(w):
    for fn in (s_prepare_shape_and_concurrency, s_reply_before_note, s_port_closed_after_reply,
               s_warm_port, s_durability, s_store_reload,
               s_prepare_reuse):  # last: it opts the test number out
        run(fn, w)


def main():
    run_generations(World, scenarios, ONLY)
    return finish()


if __name__ == "__main__":
    sys.exit(main())
