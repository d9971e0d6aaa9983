#!/usr/bin/env python3
"""The inbox verb through the real binary against the fakes, for Harvest v1 and v3.

Two candidates replied to this host's texts, a third replied and was answered by the
recruiter since, a fourth number was never texted by this host: the inbox lists exactly
the two, newest first, with the last message (made safe) and the count waiting; the
replies are logged as notes once (a second inbox logs nothing more); it spends the
flush's reads (one conversation request per thread, the timeline only when something is
new); limit, and a bad limit. Prints one table row per scenario:
    scenario | generation | threads | codes
"""
import copy
import datetime
import json
import os
import subprocess
import sys
import time
import zoneinfo

SRC = os.environ["TH_SOURCE_DIR"]
sys.path.insert(0, os.path.join(SRC, "tests", "lib"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fakeworld import check, code, run_generations, finish  # noqa: E402
import test_conversation as tc  # noqa: E402
import nmhost  # noqa: E402

ONLY = os.environ.get("TH_CONV_ONLY")
A, D, B = "1001", "1002", "1003"  # replied; replied later; replied and answered since
TO_A, TO_D, TO_B, TO_X = "+13035550201", "+13035550205", "+13035550206", "+13035550207"
ROWS = []

SEED = copy.deepcopy(tc.SEED)
SEED["harvest"]["candidates"].append({"id": int(B), "first_name": "Bob", "last_name": "Answered",
                                      "phone_numbers": []})
SEED["harvest"]["activity_feed"][B] = {"activities": [], "notes": []}


class World(tc.World):
    def __init__(self, gen):
        super(tc.World, self).__init__(gen, prefix="th-inbox-%s-" % gen, seed=SEED,
                                       creds=tc.CREDS, max_seconds=300)

    def inbox(self, **kw):
        return self.req(dict({"type": "inbox"}, **kw))

    def conv_gets(self):
        return [r for r in self.fakes.requests(server="textus") if r["method"] == "GET" and
                "/conversations/" in r["path"] and "/timeline" not in r["path"] and
                "/associated_contacts" not in r["path"] and r["path"].startswith("/acme/")]


def denver(iso):
    """An ISO 8601 UTC time as `conversation` prints it in Denver."""
    t = datetime.datetime.strptime(iso[:19], "%Y-%m-%dT%H:%M:%S").replace(
        tzinfo=datetime.timezone.utc)
    return t.astimezone(zoneinfo.ZoneInfo("America/Denver")).strftime("%Y-%m-%d %H:%M")


def step():
    time.sleep(0.05)  # the fakes date messages to the millisecond


def s_inbox(w):
    w.configure()
    w.send(TO_A, "Hi Jane, are you free Thursday?", cand=A)
    w.send(TO_D, "Hi John, a quick question", cand=D)
    w.send(TO_B, "Hi Bob, a quick question", cand=B)
    step()
    ra = w.inbound(TO_A, "Thursday works\u202e\x1b[2J for me")
    step()
    rb = w.inbound(TO_B, "Yes please")
    step()
    w.inbound(TO_X, "Who is this?")  # never texted by this host: not in its inbox
    step()
    rd1 = w.inbound(TO_D, "Sure, first")
    step()
    rd2 = w.inbound(TO_D, "and a second thought")
    step()
    w.send(TO_B, "Thanks Bob, talk soon", cand=B)  # the recruiter answered Bob

    gets0, tl0 = len(w.conv_gets()), len(w.textus_reads("/timeline"))
    r = w.inbox()
    check(code(r) == "ok", "%s inbox: %r" % (w.gen, r))
    got = tc.res(r)
    th = got.get("threads", [])
    check([t["candidate_id"] for t in th] == [D, A],
          "%s inbox: exactly D then A (newest first) %r" % (w.gen, th))
    check([t["to"] for t in th] == [TO_D, TO_A], "%s inbox numbers %r" % (w.gen, th))
    d, a = th[0], th[1]
    check(d["last"]["direction"] == "in" and d["last"]["body"] == "and a second thought",
          "%s inbox D's last %r" % (w.gen, d))
    check(d["unanswered"] == 2 and d["counted_all"] is True,
          "%s inbox D waits with two replies %r" % (w.gen, d))
    check(d["waiting_since"] < d["last"]["at"], "%s D waiting since the first %r" % (w.gen, d))
    check(a["unanswered"] == 1 and a["waiting_since"] == a["last"]["at"], "%s A %r" % (w.gen, a))
    # outside text goes through notetext: no bidi override, no escape character
    check(a["last"]["body"] == "Thursday works[2J for me", "%s A's body made safe %r"
          % (w.gen, a["last"]["body"]))
    check(a["name"] == "Jane Candidate" and d["name"] is None, "%s names %r" % (w.gen, th))
    check(got.get("replies_logged") == 4, "%s inbox logged the 4 replies %r" % (w.gen, got))
    for mid in (ra, rb, rd1, rd2):
        check(len(w.notes(tc.marker(mid))) == 1, "%s one note for %s" % (w.gen, mid))
    # the flush's reads: the conversation of each thread texted, and (as a flush, to name who
    # replied in the notes) the contact lookup that reads it once more when a reply is new
    gets = [g["path"] for g in w.conv_gets()[gets0:]]
    check(sorted(gets) == sorted(["/acme/conversations/" + t for t in (TO_A, TO_D, TO_B)] * 2),
          "%s the flush's conversation reads %r" % (w.gen, gets))
    check(len(w.textus_reads("/timeline")) - tl0 <= 3, "%s at most one timeline per thread"
          % w.gen)

    # again: nothing new is logged, nothing new is read beyond the conversations
    posts = len(w.note_posts())
    tl1, gets1 = len(w.textus_reads("/timeline")), len(w.conv_gets())
    r2 = w.inbox()
    got2 = tc.res(r2)
    check(code(r2) == "ok" and got2.get("replies_logged") == 0, "%s inbox again %r" % (w.gen, r2))
    check([t["candidate_id"] for t in got2.get("threads", [])] == [D, A],
          "%s inbox again lists the same %r" % (w.gen, got2))
    # nothing new: the wait neither shrinks nor moves (998fd10: D 'at least 1' since its last)
    d2, a2 = (got2.get("threads") + [{}, {}])[:2]
    for was, now in ((d, d2), (a, a2)):
        check({k: now.get(k) for k in ("unanswered", "counted_all", "waiting_since")} ==
              {k: was[k] for k in ("unanswered", "counted_all", "waiting_since")},
              "%s inbox again: the same wait %r then %r" % (w.gen, was, now))
    check(len(w.note_posts()) == posts, "%s inbox again: no note posted" % w.gen)
    check(len(w.textus_reads("/timeline")) == tl1, "%s inbox again: no timeline read" % w.gen)
    gets = [g["path"] for g in w.conv_gets()[gets1:]]
    check(sorted(gets) == sorted("/acme/conversations/" + t for t in (TO_A, TO_D, TO_B)),
          "%s inbox again: one conversation read per thread %r" % (w.gen, gets))
    for mid in (ra, rb, rd1, rd2):
        check(len(w.notes(tc.marker(mid))) == 1, "%s still one note for %s" % (w.gen, mid))
    # the flush does not log them a second time either
    f = w.req({"type": "flush_outbox"})
    check(code(f) == "ok" and tc.res(f).get("replies_logged") == 0, "%s flush after %r" % (w.gen, f))

    # limit
    r3 = w.inbox(limit=1)
    check(code(r3) == "ok" and [t["candidate_id"] for t in tc.res(r3).get("threads", [])] == [D],
          "%s limit 1 %r" % (w.gen, r3))
    bad = [code(w.inbox(limit=v)) for v in (0, 21, 1.5, "3")]
    check(bad == ["bad_request"] * 4, "%s bad limits %r" % (w.gen, bad))
    # the command: the same code, for a person (outside text escaped, times local as
    # `conversation` prints them) or as JSON; nothing is new since the reads above, so no
    # timeline is read and the counts are the last read's
    p = w.cli("inbox", extra_env={"TZ": "America/Denver"})
    out = p.stdout.decode("utf-8", "replace")
    # the .exe under Wine (tests/windows/run_suites.py): Windows' text-mode line ends, and the
    # local zone is the system's, never TZ (as in test_conversation.py): times not compared
    win = bool(os.environ.get("TH_WIN_EXE"))
    out = out.replace("\r\n", "\n") if win else out

    def since(n, t):
        return "%d unanswered since " % n if win else "%d unanswered since %s\n" % (n, denver(t))
    check(p.returncode == 0 and 0 <= out.find(TO_D) < out.find(TO_A) and
          "replies logged: 0" in out and "\x1b" not in out and
          since(2, d["waiting_since"]) in out and since(1, a["waiting_since"]) in out and
          "at least" not in out and "Z\n" not in out,
          "%s textus-host inbox: %r %r" % (w.gen, p.returncode, out))
    pj = w.cli("inbox", "--json", "--limit", "1")
    check(pj.returncode == 0 and [t["candidate_id"] for t in json.loads(pj.stdout)["threads"]]
          == [D], "%s inbox --json --limit 1: %r" % (w.gen, pj.stdout))
    bad_cli = [w.cli("inbox", *a).returncode for a in (["--limit", "0"], ["--limit", "x"],
                                                       ["--lmit", "3"])]
    check(bad_cli == [2, 2, 2], "%s inbox usage errors %r" % (w.gen, bad_cli))
    # a third reply from D: the pass reads the timeline only back to the last read's newest
    # message, and still counts the three since the first (998fd10: 'at least 1' since it)
    step()
    w.inbound(TO_D, "and a third")
    r4 = w.inbox()
    d4 = ([t for t in tc.res(r4).get("threads", []) if t["candidate_id"] == D] + [{}])[0]
    check(d4.get("unanswered") == 3 and d4.get("counted_all") is True and
          d4.get("waiting_since") == d["waiting_since"] and d4["last"]["body"] == "and a third",
          "%s inbox after a third reply %r" % (w.gen, d4))
    ROWS.append(("two waiting of three replied, newest first; logged once; limit", w.gen,
                 len(th), " → ".join([code(r), code(r2), code(r3)] + bad)))


E = "1005"  # texted by a bulk: no TextUs contact, Greenhouse's name
TO_E = "+13035550208"
SEED1 = copy.deepcopy(SEED)
SEED1["harvest"]["candidates"].append({"id": int(E), "first_name": "Erin", "last_name": "Bulked",
                                       "phone_numbers": [{"value": "(303) 555-0208",
                                                          "type": "mobile"}]})
SEED1["harvest"]["activity_feed"][E] = {"activities": [], "notes": []}
F, TO_F = "1006", "+13035550209"  # texted from a profile (extract_phone, then send_sms)
G, TO_G = "1007", "+13035550210"  # texted by `textus-host send`
for cid, first, last, to in ((F, "Fay", "Record", TO_F), (G, "Gil", "Cli", TO_G)):
    SEED1["harvest"]["candidates"].append({"id": int(cid), "first_name": first, "last_name": last,
                                           "phone_numbers": [{"value": to[2:], "type": "mobile"}]})
    SEED1["harvest"]["activity_feed"][cid] = {"activities": [], "notes": []}


class World1(World):
    """A world of its own: the counts below are those of these two threads alone."""
    def __init__(self, gen):
        super(tc.World, self).__init__(gen, prefix="th-inbox1-%s-" % gen, seed=SEED1,
                                       creds=tc.CREDS, max_seconds=300)

    def bulk(self, rid, ids, body):
        h = nmhost.Host(env=dict(self.env, TH_TEST_BULK_PACE_MS="0"))
        final = None
        try:
            h.send({"type": "bulk_send", "id": 1, "request_id": rid, "candidate_ids": ids,
                    "body": body, "quiet_hours": "skip"})
            reply = h.read_reply()
            while reply and reply.get("ok") and reply["result"]["driving"]:
                ev = h.read_reply()
                if ev is None or "finished" in ev:
                    final = ev
                    break
        finally:
            h.close()
        return final

    def textus_gets(self):
        return len([r for r in self.fakes.requests(server="textus") if r["method"] == "GET"])


def s_one_pass(w):
    """Names without a request, and one set of reads per pass (flush_outbox include_inbox)."""
    w.configure()
    w.send(TO_A, "Hi Jane, are you free Thursday?", cand=A)
    fin = w.bulk("inbox-bulk-%s" % w.gen, [E], "Hi {first_name}, a quick question")
    check(fin and fin.get("sent") == 1, "%s bulk to E %r" % (w.gen, fin))
    # from a profile: the port's extract_phone read the page's name; send_sms keeps it
    h = nmhost.Host(env=w.env)
    try:
        x = h.request({"type": "extract_phone", "id": 1, "profile": {
            "url": "https://acme.greenhouse.io/people/%s" % F, "name": "Fay Profile (she/her)",
            "lines": ["Fay Profile (she/her)", "Mobile: 303-555-0209"]}})
        sf = h.request({"type": "send_sms", "id": 2, "request_id": "inbox-f-%s" % w.gen,
                        "candidate_id": F, "to": TO_F, "body": "Hi Fay"})
    finally:
        h.close()
    check(code(x) == "ok" and code(sf) == "ok", "%s profile send %r %r" % (w.gen, x, sf))
    # the command looks the candidate up in Greenhouse before it sends: that name is kept
    cl = subprocess.run([nmhost.host_path(), "send", "--candidate", G, "--to", TO_G,
                         "--request-id", "inbox-g-%s" % w.gen], input=b"Hi Gil",
                        env=w.full_env(), capture_output=True, timeout=60)
    check(cl.returncode == 0, "%s textus-host send %r" % (w.gen, cl.stderr[-500:]))

    def replies(tag):
        for to, who in ((TO_G, "G"), (TO_F, "F"), (TO_A, "A"), (TO_E, "E")):
            step()
            w.inbound(to, "%s %s" % (who, tag))

    # a pass as the extension made it before: flush_outbox, then inbox (each reads TextUs)
    replies("one")
    g0 = w.textus_gets()
    f = w.req({"type": "flush_outbox"})
    g1 = w.textus_gets()
    r = w.inbox()
    g2 = w.textus_gets()
    check(code(f) == "ok" and tc.res(f).get("replies_logged") == 4 and code(r) == "ok",
          "%s flush, inbox %r %r" % (w.gen, f, r))
    old_flush, old_inbox = g1 - g0, g2 - g1
    # the inbox after a flush that logged the replies looked no contact up: the names are
    # those kept on the threads (Greenhouse's at the bulk, the TextUs contact's of the flush)
    names = {t["candidate_id"]: t["name"] for t in tc.res(r).get("threads", [])}
    check(names == {A: "Jane Candidate", E: "Erin Bulked", F: "Fay Profile (she/her)",
                     G: "Gil Cli"},
          "%s inbox after a flush names who waits %r" % (w.gen, tc.res(r)))

    # the same pass in one call: the flush's reads are the inbox's
    replies("two")
    g3 = w.textus_gets()
    fi = w.req({"type": "flush_outbox", "include_inbox": True})
    g4 = w.textus_gets()
    got = tc.res(fi)
    inbox = got.get("inbox") or {}
    check(code(fi) == "ok" and got.get("replies_logged") == 4 and
          inbox.get("replies_logged") == 4, "%s flush_outbox include_inbox %r" % (w.gen, fi))
    th = inbox.get("threads", [])
    check([(t["candidate_id"], t["name"], t["last"]["body"]) for t in th] ==
          [(E, "Erin Bulked", "E two"), (A, "Jane Candidate", "A two"),
           (F, "Fay Profile (she/her)", "F two"), (G, "Gil Cli", "G two")],
          "%s include_inbox threads %r" % (w.gen, th))
    # "one" then "two" from each, read by two passes: the second counts both (998fd10: the
    # read stopped at "one" and said 'at least 2')
    check([(t["unanswered"], t["counted_all"]) for t in th] == [(2, True)] * 4,
          "%s two replies in a row over two passes %r" % (w.gen, th))
    check(g4 - g3 == old_flush and old_inbox > 0,
          "%s one pass: %d TextUs GETs, before %d + %d" % (w.gen, g4 - g3, old_flush, old_inbox))
    for mid in [m["id"] for m in w.fakes.state()["textus"]["messages"] if m["direction"] == "in"]:
        check(len(w.notes(tc.marker(mid))) == 1, "%s one note for %s" % (w.gen, mid))
    bad = w.req({"type": "flush_outbox", "include_inbox": "yes"})
    check(code(bad) == "bad_request", "%s include_inbox not a boolean %r" % (w.gen, bad))
    # notes off: only the conversation is read, so how many wait is not known: no number
    w.configure(note_enabled=False)
    step()
    w.inbound(TO_A, "A three")
    p = w.cli("inbox", extra_env={"TZ": "America/Denver"})
    out = p.stdout.decode("utf-8", "replace")
    a_lines = out.split(TO_A, 1)[-1].split("\n+", 1)[0]
    check(p.returncode == 0 and "new replies (how many is not known), the last at 20" in a_lines
          and "unanswered" not in a_lines and "last: A three" in a_lines,
          "%s inbox with notes off: %r" % (w.gen, out))
    ROWS.append(("one pass: flush_outbox include_inbox; names kept", w.gen, len(th),
                 "TextUs GETs per pass: %d + %d before, %d after" % (old_flush, old_inbox,
                                                                    g4 - g3)))


def scenarios(w):
    s_inbox(w)


def main():
    run_generations(World, scenarios, ONLY)
    run_generations(World1, s_one_pass, ONLY)
    return finish(["scenario", "Harvest", "threads", "codes"], ROWS)


if __name__ == "__main__":
    sys.exit(main())
