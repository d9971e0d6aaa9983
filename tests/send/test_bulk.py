#!/usr/bin/env python3
"""bulk_send, bulk_status and bulk_cancel through the real binary and the fakes (Harvest v1).

  * crash and replay: a bulk of 50 whose host is killed with SIGKILL at random points (and
    at each failpoint of the send flow), sent again until it finishes: each candidate is
    texted at most once, with their own merge, and every text has exactly one note;
  * the skip reasons: invalid and duplicate ids (in the reply), opted out, blocked, no
    number, not in Greenhouse, a merge field without a value (in the status);
  * quiet hours per number's zone under faketime: scheduled for the next allowed time, or
    skipped, as asked; a number without a known zone is skipped;
  * cancel in the middle, from another host process: nothing is texted after it, and the
    reply says what was.

TH_TEST_BULK_PACE_MS (test builds only) shortens the one-text-a-second pace.
"""
import os
import random
import shutil
import subprocess
import sys
import threading
import time

SRC = os.environ["TH_SOURCE_DIR"]
sys.path.insert(0, os.path.join(SRC, "tests", "lib"))
from fakeworld import FakeWorld, Creds, check, finish  # noqa: E402
import nmhost  # noqa: E402

FAILPOINTS = os.environ.get("TH_FAILPOINTS_BUILT") == "1"
# Debian's faketime through tests/lib/faketime.sh: the library without the wrapper program,
# whose leftover semaphores make a later run fail now and then ("sem_open: File exists")
FAKETIME = (os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib", "faketime.sh")
            if shutil.which("faketime") else None)
TOKEN = "tok_bulk_FAKE_0001"
V1_KEY = "hvk_bulk_FAKE_0001"
USER_ID = 101
N = 50
FIRST = 3001  # candidates FIRST .. FIRST+N-1: Denver numbers +1 303 555 01xx
OPTED, BLOCKED, NOPHONE, NONAME = 3901, 3902, 3903, 3904
CHICAGO, HONOLULU, TOLLFREE = 3911, 3912, 3913
BODY = "Hi {first_name}, a role at Acme for you"


def num(i):
    return "+1303555%04d" % (100 + i)


def seed():
    cands = [{"id": FIRST + i, "first_name": "Cand%02d" % i, "last_name": "Bulk",
              "phone_numbers": [{"value": "(212) 555-0100", "type": "home"},
                                {"value": num(i)[2:], "type": "mobile"}]}
             for i in range(N)]
    cands += [
        {"id": OPTED, "first_name": "Olive", "last_name": "Out",
         "phone_numbers": [{"value": "+13035550901", "type": "mobile"}]},
        {"id": BLOCKED, "first_name": "Bob", "last_name": "Blocked",
         "phone_numbers": [{"value": "+13035550902", "type": "mobile"}]},
        {"id": NOPHONE, "first_name": "Nora", "last_name": "None", "phone_numbers": []},
        {"id": NONAME, "first_name": "", "last_name": "Nameless",
         "phone_numbers": [{"value": "+13035550904", "type": "mobile"}]},
        {"id": CHICAGO, "first_name": "Chi", "last_name": "Cago",
         "phone_numbers": [{"value": "(312) 555-0142", "type": "mobile"}]},
        {"id": HONOLULU, "first_name": "Hono", "last_name": "Lulu",
         "phone_numbers": [{"value": "(808) 555-0150", "type": "mobile"}]},
        {"id": TOLLFREE, "first_name": "Toll", "last_name": "Free",
         "phone_numbers": [{"value": "(800) 555-0199", "type": "mobile"}]},
    ]
    return {
        "textus": {
            "tokens": {TOKEN: {"user": "/users/1", "accounts": ["acme"]}},
            "users": {"/users/1": {"name": "Alice Recruiter", "email": "alice@acme.example"}},
            "accounts": {"acme": {"name": "Acme", "phoneNumbers": ["+13035550100"]}},
            "opt_outs": ["+13035550901"],
            "blocked": ["+13035550902"],
        },
        "harvest": {
            "api_keys": {V1_KEY: {"name": "bulk"}},
            "users": [{"id": USER_ID, "first_name": "Alice", "last_name": "Recruiter",
                       "primary_email_address": "alice@acme.example"}],
            "candidates": cands,
            "activity_feed": {str(c["id"]): {"activities": [], "notes": []} for c in cands},
        },
    }


class World(FakeWorld):
    def __init__(self, settings=None):
        self.settings = settings
        super().__init__("v1", prefix="th-bulk-", seed=seed(),
                         creds=Creds(TOKEN, V1_KEY, None, None),
                         env={"TZ": "UTC", "TH_TEST_BULK_PACE_MS": "0"}, max_seconds=600)

    def configure(self):
        s = dict(self.SETTINGS)
        s.update(self.settings or {})
        self.configure_ok(self.config_doc(s))

    def port(self, extra=None, prefix=None):
        env = self.full_env(extra)
        cmd = (prefix or []) + [nmhost.host_path(), nmhost.STUB_ORIGIN]
        h = nmhost.Host.__new__(nmhost.Host)
        h.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, env=env)
        return h

    def status(self, rid):
        return self.req({"type": "bulk_status", "request_id": rid})


def bulk_req(rid, ids, body=BODY, quiet="schedule"):
    return {"type": "bulk_send", "id": 1, "request_id": rid, "candidate_ids": ids,
            "body": body, "quiet_hours": quiet}


def run_bulk(w, req, kill_after=None, extra=None, prefix=None):
    """One port: the bulk_send, its reply and its events until the final one (or the kill).
    kill_after: (k, seconds): SIGKILL that long after the k-th event, while the next
    candidate is under way. Returns (reply, events, final event or None)."""
    h = w.port(extra, prefix)
    timer = None
    events, final = [], None
    try:
        h.send(req)
        reply = h.read_reply()
        # no events follow a reply that does not drive the bulk (finished, or driven elsewhere)
        while reply is not None and reply.get("ok") and reply["result"]["driving"]:
            ev = h.read_reply()
            if ev is None:
                break
            events.append(ev)
            if "finished" in ev:
                final = ev
                break
            if kill_after and len(events) == kill_after[0] and not timer:
                timer = threading.Timer(kill_after[1], h.proc.kill)
                timer.start()
    finally:
        if timer:
            timer.cancel()
        h.proc.kill()
        h.proc.wait()
        h.proc.stdout.close()
        h.proc.stderr.close()
        h.proc.stdin.close()
    return reply, events, final


def s_crash_replay(w):
    rid = "crash-50"
    ids = [str(FIRST + i) for i in range(N)]
    rng = random.Random(7)
    points = ["after_send", "after_journal", "before_note", "after_note", "before_send"]
    rounds, kills, final = 0, 0, None
    while rounds < 60:
        rounds += 1
        extra = None
        kill_after = None
        if FAILPOINTS and points:
            extra = {"TH_FAILPOINT": points.pop(0)}
        elif rounds < 14:
            kill_after = (rng.randint(1, 5), rng.uniform(0.0, 0.05))
        t = time.time()
        reply, events, final = run_bulk(w, bulk_req(rid, ids), kill_after, extra)
        print("round %d (%s): %d events in %.1f s%s" % (
            rounds, (extra or {}).get("TH_FAILPOINT") or (
                "kill after event %d + %.3f s" % kill_after if kill_after else "no kill"),
            len(events), time.time() - t, ", finished" if final else ""), flush=True)
        if final is None:
            kills += 1
            continue
        check(reply and reply.get("ok"), "crash: reply %r" % reply)
        break
    check(final and final["finished"] is True and final["total"] == N,
          "crash: finished after %d rounds: %r" % (rounds, final))
    check(kills >= 5, "crash: only %d runs were killed" % kills)
    # notes may trail the texts (a note whose attempt was cut short waits in the journal):
    # a flush writes them, never twice
    rc, out, err = w.cli("outbox", "flush")
    check(rc == 0, "crash: outbox flush exit %d: %s %s" % (rc, out, err))
    sent = 0
    for i in range(N):
        ms = w.messages(to=num(i))
        # every candidate with a number is texted exactly once in the end: one killed between
        # its journal entry and its POST (before_send) is retried under <id>:<candidate>:2
        check(len(ms) == 1, "crash: candidate %d texted %d times" % (FIRST + i, len(ms)))
        if ms:
            sent += 1
            check(ms[0]["body"] == "Hi Cand%02d, a role at Acme for you" % i,
                  "crash: merge for %d: %r" % (FIRST + i, ms[0]["body"]))
            mid = ms[0]["id"]
            notes = w.notes("[textus:%s]" % mid)
            check(len(notes) == 1, "crash: text %s has %d notes" % (mid, len(notes)))
    st = w.status(rid)
    check(st and st.get("ok"), "crash: status %r" % st)
    res = st["result"]
    by = {c["candidate_id"]: c for c in res["candidates"]}
    for i in range(N):
        c = by[str(FIRST + i)]
        texted = len(w.messages(to=num(i))) == 1
        # a text killed between its journal entry and its POST was not sent (the conversation
        # says so) and was sent once more under the retry id: every candidate is sent, and
        # the status names the message that went
        mid = w.messages(to=num(i))[0]["id"] if texted else None
        check(c["state"] == "sent" and texted and c.get("message_id") == mid,
              "crash: %s state %r, texted %s" % (c["candidate_id"], c, texted))
    check(res["sent"] == sent and res["done"] == N, "crash: counts %r vs %d" % (res, sent))
    # the same bulk_send once more: nothing new goes out
    before = len(w.messages())
    reply, events, final = run_bulk(w, bulk_req(rid, ids))
    check(reply["result"]["replayed"] is True and reply["result"]["finished"] is True,
          "crash: replay reply %r" % reply)
    check(len(w.messages()) == before, "crash: the replay texted again")
    # another body under the same id is refused
    r = w.req(bulk_req(rid, ids, body="other"))
    check(r and r["error"]["code"] == "request_id_conflict", "crash: conflict %r" % r)
    return rounds, kills, sent


def s_skip_reasons(w):
    ids = [str(FIRST), "abc", str(FIRST), str(OPTED), str(BLOCKED), str(NOPHONE), "9999",
           str(NONAME)]
    reply, events, final = run_bulk(w, bulk_req("skips-1", ids))
    ok = check(reply and reply.get("ok"), "skips: reply %r" % reply)
    if not ok:
        return
    r = reply["result"]
    check(r["accepted"] == 6 and sorted((s["candidate_id"], s["reason"]) for s in r["skipped"])
          == [(str(FIRST), "duplicate"), ("abc", "invalid_id")], "skips: reply %r" % r)
    check(final and final["finished"] and final["total"] == 6 and final["sent"] == 1 and
          final["skipped"] == 5, "skips: final %r" % final)
    check(len(events) == 7, "skips: %d events (6 candidates and the final)" % len(events))
    st = w.status("skips-1")["result"]
    got = {c["candidate_id"]: (c["state"], c.get("reason")) for c in st["candidates"]}
    want = {str(FIRST): ("sent", None), str(OPTED): ("skipped", "opted_out"),
            str(BLOCKED): ("skipped", "blocked"), str(NOPHONE): ("skipped", "no_number"),
            "9999": ("skipped", "not_found"), str(NONAME): ("skipped", "merge_missing")}
    check(got == want, "skips: status %r" % got)
    for to in ("+13035550901", "+13035550902", "+13035550904"):
        check(w.messages(to=to) == [], "skips: %s was texted" % to)
    bad = w.req({"type": "bulk_send", "request_id": "x" * 46, "candidate_ids": ["1"],
                 "body": "b", "quiet_hours": "skip"})
    check(bad and bad["error"]["code"] == "bad_request", "skips: long id %r" % bad)
    bad = w.req({"type": "bulk_send", "request_id": "q1", "candidate_ids": [str(FIRST)],
                 "body": "b", "quiet_hours": "later"})
    check(bad and bad["error"]["code"] == "bad_request", "skips: quiet mode %r" % bad)
    bad = w.req({"type": "bulk_send", "request_id": "q2", "candidate_ids": ["1"] * 501,
                 "body": "b", "quiet_hours": "skip"})
    check(bad and bad["error"]["code"] == "bad_request", "skips: 501 ids %r" % bad)
    nf = w.status("nobulk")
    check(nf and nf["error"]["code"] == "not_found", "skips: unknown bulk %r" % nf)


def s_preview(w):
    """bulk_preview: the confirmation by the bulk's own rule, nothing sent or journaled, one
    Greenhouse read per candidate and the two TextUs checks of each it would text."""
    ids = [str(FIRST + 1), "abc", str(NOPHONE), str(FIRST + 2), str(FIRST + 1), "9999",
           str(NONAME), str(FIRST + 3), str(FIRST + 4)]
    msgs = len(w.messages())
    journal0 = w.req({"type": "status"})["result"].get("outbox")
    tx0 = len(w.fakes.requests(server="textus"))
    gh0 = len(w.fakes.requests(server="harvest"))
    r = w.req({"type": "bulk_preview", "candidate_ids": ids, "body": "Preview {first_name}!",
               "quiet_hours": "skip"})
    ok = check(r and r.get("ok"), "preview: %r" % r)
    if not ok:
        return
    res = r["result"]
    check(res["total"] == 7 and res["will_send"] == 4 and res["will_schedule"] == 0,
          "preview: counts %r" % res)
    check([(p["candidate_id"], p["name"], p["to"], p["body"]) for p in res["previews"]] ==
          [(str(FIRST + i), "Cand%02d Bulk" % i, num(i), "Preview Cand%02d!" % i)
           for i in (1, 2, 3)], "preview: the first three %r" % res["previews"])
    check(sorted((s["candidate_id"], s["reason"]) for s in res["skipped"]) ==
          sorted([("abc", "invalid_id"), (str(FIRST + 1), "duplicate"),
                  (str(NOPHONE), "no_number"), ("9999", "not_found"),
                  (str(NONAME), "merge_missing")]), "preview: skipped %r" % res["skipped"])
    check(len(w.messages()) == msgs, "preview: something was sent")
    # the opt-out and blocked checks of the 4 it would text: 2 TextUs reads each
    tx = [(q["method"], q["path"]) for q in w.fakes.requests(server="textus")[tx0:]]
    check(len(tx) == 8 and all(m == "GET" for m, _ in tx) and res.get("checked") == 4,
          "preview: TextUs requests %r" % tx)
    reads = [q for q in w.fakes.requests(server="harvest")[gh0:]]
    check(len([q for q in reads if "/candidates" in q["path"]]) == 7 and
          all(q["method"] == "GET" for q in reads) and len(reads) <= 8,
          "preview: Greenhouse requests %r" % [(q["method"], q["path"]) for q in reads])
    journal1 = w.req({"type": "status"})["result"].get("outbox")
    check(journal0 and journal1 == journal0, "preview: journaled %r %r" % (journal0, journal1))
    bad = w.req({"type": "bulk_preview", "candidate_ids": [], "body": "b", "quiet_hours": "skip"})
    check(bad and bad["error"]["code"] == "bad_request", "preview: no ids %r" % bad)


def s_pacing(w):
    """The bulk's requests are work that can wait (http_request.pace): with TextUs's window
    (X-RateLimit-*) down to its last fifth the bulk waits for the reset instead of spending
    it, so TextUs never answers 429 and a recruiter's own text sent meanwhile goes at once."""
    limit, window, k = 24, 4, 10  # about 3 TextUs requests a candidate: 30 > 24 in a window
    w.fakes.config({"textus_rate_limit": limit, "textus_rate_window": window})
    w.fakes.reset_rate_limits()
    since = len(w.fakes.requests(server="textus"))
    ids = [str(FIRST + 20 + i) for i in range(k)]
    out = {}

    def bulk():
        out["r"] = run_bulk(w, bulk_req("pace-10", ids, body="Pace {first_name}"))
    t = threading.Thread(target=bulk)
    t0 = time.monotonic()
    t.start()
    # once the bulk has spent the window down to its reserve, the recruiter texts someone
    while time.monotonic() - t0 < 30 and \
            len(w.fakes.requests(server="textus")) - since < limit - limit // 5 - 1:
        time.sleep(0.02)
    s0 = time.monotonic()
    single = w.req({"type": "send_sms", "request_id": "pace-single", "candidate_id": str(OPTED),
                    "to": "+13035550999", "body": "A recruiter's own text"})
    took = time.monotonic() - s0
    t.join(120)
    reply, events, final = out.get("r", (None, [], None))
    statuses = [q["status"] for q in w.fakes.requests(server="textus")[since:]]
    check(single and single.get("ok") and took < 3,
          "pacing: the recruiter's text %r in %.1f s" % (single, took))
    check(429 not in statuses, "pacing: TextUs answered 429 %d times" % statuses.count(429))
    check(final and final["finished"] and final["sent"] == k, "pacing: final %r" % final)
    for i in range(k):
        check(len(w.messages(body="Pace Cand%02d" % (20 + i))) == 1, "pacing: %d texted" % i)
    w.fakes.config({"textus_rate_limit": 1000, "textus_rate_window": 300})
    w.fakes.reset_rate_limits()
    return time.monotonic() - t0


def s_cancel(w):
    ids = [str(FIRST + i) for i in range(N)]
    h = w.port({"TH_TEST_BULK_PACE_MS": "250"})
    cancel = None
    events = []
    try:
        h.send(bulk_req("cancel-1", ids, body="Cancel test {first_name}"))
        reply = h.read_reply()
        check(reply and reply.get("ok"), "cancel: reply %r" % reply)
        while True:
            ev = h.read_reply()
            if ev is None:
                break
            events.append(ev)
            if len(events) == 3 and cancel is None:
                cancel = w.req({"type": "bulk_cancel", "request_id": "cancel-1"})
            if "finished" in ev:
                break
    finally:
        h.proc.kill()
        h.proc.wait()
        for f in (h.proc.stdout, h.proc.stderr, h.proc.stdin):
            f.close()
    final = events[-1] if events else None
    ok = check(cancel and cancel.get("ok"), "cancel: reply %r" % cancel)
    check(final and final.get("finished") is True and final["cancelled"] > 30,
          "cancel: final %r" % final)
    texted = len([m for m in w.messages() if m["body"].startswith("Cancel test")])
    check(final and texted == final["sent"] and 3 <= texted <= 5,
          "cancel: %d texted, final %r" % (texted, final))
    if ok:
        c = cancel["result"]
        said = [x["candidate_id"] for x in c["candidates"] if x["state"] in ("sent", "sending")]
        check(c["cancelled_by_request"] is True and texted - 1 <= len(said) <= texted,
              "cancel: the reply says %r were sent, %d were" % (said, texted))
    return texted


def s_quiet(w):
    # 2030-01-16 16:00 UTC: Chicago 10:00 (allowed), Honolulu 06:00 (allowed at 18:00Z)
    pre = [FAKETIME, "-f", "@2030-01-16 16:00:00"]
    ids = [str(CHICAGO), str(HONOLULU), str(TOLLFREE)]
    reply, events, final = run_bulk(w, bulk_req("quiet-s", ids, body="Q1 {first_name}"),
                                    prefix=pre)
    check(final and final["sent"] == 1 and final["scheduled"] == 1 and final["skipped"] == 1,
          "quiet schedule: final %r" % final)
    hm = w.messages(to="+18085550150")
    check(len(hm) == 1 and hm[0].get("scheduledAt", "").startswith("2030-01-16T18:00:00"),
          "quiet schedule: Honolulu %r" % hm)
    check(len(w.messages(to="+13125550142")) == 1, "quiet schedule: Chicago not texted")
    st = w.status("quiet-s")["result"]
    got = {c["candidate_id"]: (c["state"], c.get("reason")) for c in st["candidates"]}
    check(got[str(TOLLFREE)] == ("skipped", "no_time_zone") and
          got[str(HONOLULU)] == ("scheduled", None), "quiet schedule: status %r" % got)
    reply, events, final = run_bulk(w, bulk_req("quiet-k", ids, body="Q2 {first_name}",
                                                quiet="skip"), prefix=pre)
    check(final and final["sent"] == 1 and final["skipped"] == 2,
          "quiet skip: final %r" % final)
    st = w.status("quiet-k")["result"]
    got = {c["candidate_id"]: (c["state"], c.get("reason")) for c in st["candidates"]}
    check(got[str(HONOLULU)] == ("skipped", "quiet_hours"), "quiet skip: status %r" % got)
    check(w.messages(body="Q2 Hono") == [], "quiet skip: Honolulu texted")


def main():
    t0 = time.time()
    # TH_BULK_SCENARIOS: a comma list of the scenarios to run (crash_replay, skip_reasons,
    # preview, cancel, pacing, quiet), as tests/windows/run_suites.py picks a subset; all if unset
    pick = os.environ.get("TH_BULK_SCENARIOS")
    want = set(pick.split(",")) if pick else None

    def runs(name):
        return want is None or name in want
    w = World()
    rows = []
    try:
        if runs("crash_replay"):
            rounds, kills, sent = s_crash_replay(w)
            rows.append(("crash and replay, 50", "%d runs, %d killed, %d texted" %
                         (rounds, kills, sent)))
        if runs("skip_reasons"):
            s_skip_reasons(w)
            rows.append(("skip reasons", "checked"))
        if runs("preview"):
            s_preview(w)
            rows.append(("bulk_preview: count, three texts, skips; nothing sent", "checked"))
        if runs("cancel"):
            texted = s_cancel(w)
            rows.append(("cancel in the middle", "%d texted before the cancel" % texted))
        if runs("pacing"):
            took = s_pacing(w)
            rows.append(("pacing on TextUs's window (24 per 4 s)",
                         "10 texted in %.1f s" % took))
    finally:
        w.close()
    if runs("quiet") and FAKETIME:
        w = World({"quiet_hours": "08:00-21:00"})
        try:
            s_quiet(w)
            rows.append(("quiet hours per zone (faketime)", "checked"))
        finally:
            w.close()
    elif runs("quiet"):
        rows.append(("quiet hours per zone", "NOT RUN: faketime is not installed"))
    rows.append(("time", "%.1f s" % (time.time() - t0)))
    finish(["scenario", "outcome"], rows)


if __name__ == "__main__":
    main()
    from fakeworld import FAILURES  # noqa: E402
    sys.exit(1 if FAILURES else 0)
