#!/usr/bin/env python3
"""A bulk's {job}, {stage} and {company}, and bulk_preview's opt-out and blocked checks,
through the real binary and the fakes, for Harvest v1 and v3 (issue S).

  * bulk_send with {job} {stage} {company} over candidates with one application (filled),
    several and no job_id (skipped merge_missing: nothing picks one), none (merge_missing);
    with a job_id, the application of that job (and a candidate without one: merge_missing);
    the Greenhouse requests per candidate (v1: the one List Candidates read, nothing more);
  * bulk_preview over an opted-out and a blocked candidate: both listed as skipped with their
    reason, not counted in will_send, and the TextUs reads it spent (2 per checked candidate).
Prints one table row per scenario.
"""
import os
import sys

SRC = os.environ["TH_SOURCE_DIR"]
sys.path.insert(0, os.path.join(SRC, "tests", "lib"))
from fakeworld import FakeWorld, Creds, check, code, finish, run_generations  # noqa: E402
import nmhost  # noqa: E402

TOKEN = "tok_bmerge_FAKE_0001"
V1_KEY = "hvk_bmerge_FAKE_0001"
CLIENT = ("client_bmerge_FAKE_0001", "csecret_bmerge_FAKE_0001")
# v3 without harvest:applications:list (doctor names it): {job} cannot be filled
NOAPPS = ("client_bmerge_noapps_FAKE_02", "csecret_bmerge_noapps_FAKE_02")
ONE, TWO, NONE, OPTED, BLOCKED = "4001", "4002", "4003", "4004", "4005"
NUM = {ONE: "+13035550411", TWO: "+13035550412", NONE: "+13035550413",
       OPTED: "+13035550414", BLOCKED: "+13035550415"}
BODY = "Hi {first_name}: {job}, {stage}, {company}"
ROWS = []


def seed():
    def cand(cid, first, apps):
        return {"id": int(cid), "first_name": first, "last_name": "Merge",
                "phone_numbers": [{"value": NUM[cid], "type": "mobile"}], "applications": apps}
    cands = [cand(ONE, "Olga", [{"id": 80001, "job_id": 601, "stage": "Phone Screen"}]),
             cand(TWO, "Tess", [{"id": 80002, "job_id": 601, "stage": "Onsite"},
                                {"id": 80003, "job_id": 602, "stage": "Offer"}]),
             cand(NONE, "Nina", []),
             cand(OPTED, "Otto", [{"id": 80004, "job_id": 601, "stage": "Onsite"}]),
             cand(BLOCKED, "Bea", [{"id": 80005, "job_id": 601, "stage": "Onsite"}])]
    return {
        "textus": {
            "tokens": {TOKEN: {"user": "/users/1", "accounts": ["acme"]}},
            "users": {"/users/1": {"name": "Alice Recruiter", "email": "alice@acme.example"}},
            "accounts": {"acme": {"name": "Acme Health", "phoneNumbers": ["+13035550100"]}},
            "opt_outs": [NUM[OPTED]],
            "blocked": [NUM[BLOCKED]],
        },
        "harvest": {
            "api_keys": {V1_KEY: {"name": "bmerge"}},
            "oauth_clients": {CLIENT[0]: {"name": "bmerge-v3", "secret": CLIENT[1]},
                              NOAPPS[0]: {"name": "bmerge-noapps", "secret": NOAPPS[1],
                                          "scopes": ["harvest:users:list",
                                                     "harvest:candidates:list",
                                                     "harvest:notes:list",
                                                     "harvest:notes:create"]}},
            "jobs": [{"id": 601, "name": "Staff Nurse"}, {"id": 602, "name": "Charge Nurse"}],
            "users": [{"id": 101, "first_name": "Alice", "last_name": "Recruiter",
                       "primary_email_address": "alice@acme.example", "site_admin": True}],
            "candidates": cands,
            "activity_feed": {str(c["id"]): {"activities": [], "notes": []} for c in cands},
        },
    }


class World(FakeWorld):
    def __init__(self, gen):
        super().__init__(gen, prefix="th-bmerge-%s-" % gen, seed=seed(),
                         creds=Creds(TOKEN, V1_KEY, CLIENT[0], CLIENT[1]),
                         env={"TZ": "UTC", "TH_TEST_BULK_PACE_MS": "0"}, max_seconds=300)

    def bulk(self, rid, ids, job_id=None, body=BODY):
        """One port: the bulk_send, then its events up to the final one."""
        req = {"type": "bulk_send", "id": 1, "request_id": rid, "candidate_ids": ids,
               "body": body, "quiet_hours": "skip"}
        if job_id:
            req["job_id"] = job_id
        h = nmhost.Host(env=self.env)  # TH_WRAPPER (valgrind) applies
        final = None
        try:
            h.send(req)
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
        states = {c["candidate_id"]: (c["state"], c.get("reason"), c.get("detail"))
                  for c in (st or {}).get("result", {}).get("candidates", [])}
        return reply, final, states

    def gh_reads(self, since):
        return [(q["method"], q["path"]) for q in self.fakes.requests(server="harvest")[since:]
                if q["method"] == "GET"]


def s_merge(w):
    gh0 = len(w.fakes.requests(server="harvest"))
    reply, final, st = w.bulk("merge-%s" % w.gen, [ONE, TWO, NONE])
    check(code(reply) == "ok" and final and final["finished"], "%s bulk: %r %r"
          % (w.gen, reply, final))
    check(w.messages(to=NUM[ONE]) and w.messages(to=NUM[ONE])[0]["body"] ==
          "Hi Olga: Staff Nurse, Phone Screen, Acme Health",
          "%s one application: filled %r %r" % (w.gen, w.messages(to=NUM[ONE]), st.get(ONE)))
    check(st.get(ONE, ("",))[0] == "sent", "%s one application: %r" % (w.gen, st.get(ONE)))
    check(st.get(TWO, ("", ""))[:2] == ("skipped", "merge_missing") and
          "several applications" in (st[TWO][2] or ""),
          "%s two applications, no job_id: %r" % (w.gen, st.get(TWO)))
    check(st.get(NONE, ("", ""))[:2] == ("skipped", "merge_missing"),
          "%s no application: %r" % (w.gen, st.get(NONE)))
    check(not w.messages(to=NUM[TWO]) and not w.messages(to=NUM[NONE]),
          "%s texted with a field as written" % w.gen)
    reads = w.gh_reads(gh0)
    cand_reads = [p for m, p in reads if "/candidates" in p]
    extra = [p for m, p in reads if "/applications" in p or "/jobs" in p]
    if w.gen == "v1":
        # the record List Candidates gives embeds the applications: no other read
        check(len(cand_reads) == 3 and not extra, "%s Greenhouse reads %r" % (w.gen, reads))
    else:
        check(len(cand_reads) == 3 and len(extra) <= 6, "%s Greenhouse reads %r" % (w.gen, reads))
    per = (len(cand_reads) + len(extra)) / 3.0

    # a job_id picks that job's application; a candidate without one is skipped
    reply, final, st = w.bulk("merge-job-%s" % w.gen, [TWO, ONE], job_id="602")
    check(w.messages(to=NUM[TWO]) and w.messages(to=NUM[TWO])[0]["body"] ==
          "Hi Tess: Charge Nurse, Offer, Acme Health",
          "%s job_id 602: %r %r" % (w.gen, w.messages(to=NUM[TWO]), st.get(TWO)))
    check(st.get(ONE, ("", ""))[:2] == ("skipped", "merge_missing") and
          len(w.messages(to=NUM[ONE])) == 1,
          "%s job_id 602, no application for it: %r" % (w.gen, st.get(ONE)))
    if w.gen == "v3":
        # the scope missing: skipped, and the detail says Greenhouse would not give the job
        w.configure_ok(w.config_doc(client=NOAPPS))
        try:
            reply, final, st = w.bulk("merge-noapps", [ONE])
        finally:
            w.configure_ok(w.config_doc())
        check(st.get(ONE, ("", "", ""))[:2] == ("skipped", "merge_missing") and
              "Greenhouse would not give the job or stage" in (st[ONE][2] or ""),
              "%s without the applications scope: %r" % (w.gen, st.get(ONE)))
    ROWS.append(("bulk {job} {stage} {company}: one / several / none / job_id", w.gen,
                 "%.1f Greenhouse reads per candidate" % per))


def s_preview(w):
    tx0 = len(w.fakes.requests(server="textus"))
    r = w.req({"type": "bulk_preview", "candidate_ids": [OPTED, ONE, BLOCKED],
               "body": "Hi {first_name}", "quiet_hours": "skip"})
    ok = check(code(r) == "ok", "%s preview: %r" % (w.gen, r))
    res = r["result"] if ok else {}
    skipped = sorted((s["candidate_id"], s["reason"]) for s in res.get("skipped", []))
    check(skipped == [(OPTED, "opted_out"), (BLOCKED, "blocked")],
          "%s preview: skipped %r" % (w.gen, res.get("skipped")))
    check(res.get("will_send") == 1 and [p["candidate_id"] for p in res.get("previews", [])]
          == [ONE], "%s preview: count and previews %r" % (w.gen, res))
    check(res.get("checked") == 3 and res.get("unchecked") == [],
          "%s preview: checked %r" % (w.gen, res))
    tx = [(q["method"], q["path"]) for q in w.fakes.requests(server="textus")[tx0:]]
    check(all(m == "GET" for m, _ in tx) and len(tx) == 6,
          "%s preview: TextUs requests %r" % (w.gen, tx))
    ROWS.append(("bulk_preview: opted out and blocked skipped", w.gen,
                 "%d TextUs reads for 3 candidates" % len(tx)))


def scenarios(w):
    s_merge(w)
    s_preview(w)


def main():
    run_generations(World, scenarios, os.environ.get("TH_CONV_ONLY"))
    return finish(["scenario", "Harvest", "figures"], ROWS)


if __name__ == "__main__":
    sys.exit(main())
