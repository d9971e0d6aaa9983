#!/usr/bin/env python3
"""A bulk against services that misbehave, through the real binary and the fakes:

  * bulk_preview's TextUs budget: every opt-out read refused (422) still asks about 100
    candidates at most — 200 TextUs reads for 120 candidates, all of them `unchecked`
    (a failed check counts toward the 100; before, the preview read on for every one);
  * {company} while TextUs's GET /accounts answers 503: the candidates of the outage fail
    `upstream_unavailable` (never skipped `merge_missing` for good), the next one asks again
    and is texted; a preview of such a body fails with the code instead of listing skips;
  * {job} while Greenhouse v3's applications read answers 503: the candidate fails
    `upstream_unavailable`, not `merge_missing`; a 429 there is waited for and the text goes;
  * merge values from Greenhouse and TextUs with ESC, BEL, U+202E, CR LF: the SMS (and the
    preview) carries them as plain text on one line.
Prints one table row per scenario.
"""
import os
import sys

SRC = os.environ["TH_SOURCE_DIR"]
sys.path.insert(0, os.path.join(SRC, "tests", "lib"))
from fakeworld import FakeWorld, Creds, check, code, finish  # noqa: E402
import nmhost  # noqa: E402

TOKEN = "tok_bupstream_FAKE_0001"
V1_KEY = "hvk_bupstream_FAKE_0001"
CLIENT = ("client_bupstream_FAKE_0001", "csecret_bupstream_FAKE_0001")
ROWS = []
JOB_NAME = "Nurse\u202e\x1b[31m\r\nNight\tshift"
STAGE = "Screen\nTextUs: reply STOP"
COMPANY = "Acme \x07Health"
N_BUDGET = 120


def cand(cid, first, num, apps=()):
    return {"id": cid, "first_name": first, "last_name": "Up",
            "phone_numbers": [{"value": num, "type": "mobile"}], "applications": list(apps)}


def seed():
    cands = [cand(4001 + i, "C%d" % i, "+130355504%02d" % i,
                  [{"id": 80001 + i, "job_id": 601, "stage": STAGE}]) for i in range(3)]
    cands += [cand(5000 + i, "B%d" % i, "+1303555%04d" % (1000 + i)) for i in range(N_BUDGET)]
    return {
        "textus": {
            "tokens": {TOKEN: {"user": "/users/1", "accounts": ["acme"]}},
            "users": {"/users/1": {"name": "Alice Recruiter", "email": "alice@acme.example"}},
            "accounts": {"acme": {"name": COMPANY, "phoneNumbers": ["+13035550100"]}},
        },
        "harvest": {
            "api_keys": {V1_KEY: {"name": "bupstream"}},
            "oauth_clients": {CLIENT[0]: {"name": "bupstream", "secret": CLIENT[1]}},
            "jobs": [{"id": 601, "name": JOB_NAME}],
            "users": [{"id": 101, "first_name": "Alice", "last_name": "Recruiter",
                       "primary_email_address": "alice@acme.example", "site_admin": True}],
            "candidates": cands,
            "activity_feed": {str(c["id"]): {"activities": [], "notes": []} for c in cands},
        },
    }


class World(FakeWorld):
    def __init__(self, gen):
        super().__init__(gen, prefix="th-bup-%s-" % gen, seed=seed(),
                         creds=Creds(TOKEN, V1_KEY, CLIENT[0], CLIENT[1]),
                         env={"TZ": "UTC", "TH_TEST_BULK_PACE_MS": "0"}, max_seconds=300)

    def bulk(self, rid, ids, body):
        h = nmhost.Host(env=self.env)
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
            rc, _, err = h.close()
        check(rc == 0, "%s bulk host exit %d: %s" % (self.gen, rc, err[-2000:]))
        st = self.req({"type": "bulk_status", "request_id": rid})
        return reply, final, {c["candidate_id"]: (c["state"], c.get("reason"))
                              for c in (st or {}).get("result", {}).get("candidates", [])}

    def tx(self, since=0):
        return [(q["method"], q["path"]) for q in self.fakes.requests(server="textus")[since:]]


CLEAN_JOB = "Nurse[31m Night shift"  # ESC, U+202E dropped; CR LF and the tab one space each


def s_budget(w):
    w.fakes.fault({"server": "textus", "method": "GET", "path_re": "^/acme/opt_outs/",
                   "times": -1, "action": {"status": 422, "body": {"message": "weird"}}})
    try:
        t0 = len(w.tx())
        ids = [str(5000 + i) for i in range(N_BUDGET)]
        r = w.req({"type": "bulk_preview", "candidate_ids": ids, "body": "Hi {first_name}",
                   "quiet_hours": "skip"})
        res = r["result"] if check(code(r) == "ok", "budget preview: %r" % r) else {}
        reads = w.tx(t0)
    finally:
        w.fakes.reset_faults()
    check(len(reads) == 200, "budget: %d TextUs reads for %d candidates whose checks all fail "
          "(at most 100 candidates' 2 reads)" % (len(reads), N_BUDGET))
    check(res.get("checked") == 0 and len(res.get("unchecked", [])) == N_BUDGET and
          res.get("will_send") == N_BUDGET, "budget: %r" % {k: v for k, v in res.items()
                                                            if k != "previews"})
    ROWS.append(("bulk_preview, every check refused", w.gen,
                 "%d TextUs reads for %d candidates" % (len(reads), N_BUDGET)))


def s_company(w):
    body = "Hi {first_name} from {company}"
    # a long outage: the preview cannot show the text, and says why
    w.fakes.fault({"server": "textus", "method": "GET", "path_re": "^/accounts$", "times": -1,
                   "action": {"status": 503}})
    try:
        r = w.req({"type": "bulk_preview", "candidate_ids": ["4001"], "body": body,
                   "quiet_hours": "skip"})
    finally:
        w.fakes.reset_faults()
    check(code(r) == "upstream_unavailable", "company preview in an outage: %r" % r)
    # a brief one: the first candidate's read (4 tries) fails, the next asks again
    w.fakes.fault({"server": "textus", "method": "GET", "path_re": "^/accounts$", "times": 4,
                   "action": {"status": 503}})
    try:
        reply, final, st = w.bulk("co-%s" % w.gen, ["4001", "4002", "4003"], body)
    finally:
        w.fakes.reset_faults()
    check(st.get("4001") == ("failed", "upstream_unavailable"), "company 4001: %r" % st)
    check(st.get("4002", ("",))[0] == "sent" and st.get("4003", ("",))[0] == "sent",
          "company 4002/4003: %r" % st)
    check(not [s for s in st.values() if s[1] == "merge_missing"], "merge_missing: %r" % st)
    sms = w.messages(to="+13035550401")
    check(len(sms) == 1 and sms[0]["body"] == "Hi C1 from Acme Health",
          "company SMS (BEL dropped): %r" % sms)
    ROWS.append(("{company}, TextUs 503 x4", w.gen,
                 "states %s" % ", ".join("%s %s" % (k, v[0]) for k, v in sorted(st.items()))))


def s_job(w):
    body = "Hi {first_name}: {job} | {stage} | {company}"
    if w.gen == "v3":
        w.fakes.fault({"server": "harvest", "method": "GET", "path_re": "^/v3/applications",
                       "times": -1, "action": {"status": 503}})
        try:
            reply, final, st = w.bulk("job503", ["4001"], body)
        finally:
            w.fakes.reset_faults()
        check(st.get("4001") == ("failed", "upstream_unavailable"),
              "v3 applications 503: %r" % st)
        w.fakes.fault({"server": "harvest", "method": "GET", "path_re": "^/v3/applications",
                       "times": 1, "action": {"status": 429, "retry_after": 1}})
        try:
            reply, final, st = w.bulk("job429", ["4002"], body)
        finally:
            w.fakes.reset_faults()
        check(st.get("4002", ("",))[0] == "sent", "v3 applications 429: %r" % st)
    r = w.req({"type": "bulk_preview", "candidate_ids": ["4003"], "body": body,
               "quiet_hours": "skip"})
    pv = (r.get("result") or {}).get("previews") or [{}]
    want = "Hi C2: %s | Screen TextUs: reply STOP | Acme Health" % CLEAN_JOB
    check(pv[0].get("body") == want, "%s preview body %r, want %r" % (w.gen, pv[0].get("body"),
                                                                     want))
    reply, final, st = w.bulk("inj-%s" % w.gen, ["4003"], body)
    sms = [m for m in w.messages(to="+13035550402") if m["body"].startswith("Hi C2:")]
    check(st.get("4003", ("",))[0] == "sent" and len(sms) == 1 and sms[0]["body"] == want,
          "%s SMS %r, want %r" % (w.gen, [m["body"] for m in sms], want))
    bad = [c for m in sms for c in m["body"] if ord(c) < 0x20 or c in "\x7f\u202e"]
    check(not bad, "%s control characters sent: %r" % (w.gen, bad))
    ROWS.append(("merge values with ESC, BEL, U+202E, CR LF" +
                 (", v3 applications 503 / 429" if w.gen == "v3" else ""), w.gen,
                 "SMS %r" % (sms[0]["body"] if sms else None)))


def main():
    only = os.environ.get("TH_CONV_ONLY")
    for gen in [only] if only else ["v1", "v3"]:
        w = World(gen)
        try:
            if gen == "v1":
                s_budget(w)
                s_company(w)
            s_job(w)
        finally:
            w.close()
    return finish(["scenario", "Harvest", "figures"], ROWS)


if __name__ == "__main__":
    sys.exit(main())
