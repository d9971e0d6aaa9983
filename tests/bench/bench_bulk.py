#!/usr/bin/env python3
"""The `bulk` benchmark (scripts/bench.sh): one `bulk_send` of N candidates (default 500, the
most a bulk takes) through the real binary and the fakes, each service's documented rate limit
enforced by the fake, time compressed --speedup times; its wall time against the floor those
limits (and the host's own pace) allow, the requests it spent, and whether every candidate
with a number was texted exactly once and every text has exactly one note.

    bench_bulk.py HOST [--n 500] [--speedup 5] [--rows FILE]

HOST must be a TH_FAILPOINTS build: the bulk's one-text-a-second pace (host/bulk.c,
BULK_PACE_MS; host/PROTOCOL.md "Pacing") is compressed through TH_TEST_BULK_PACE_MS, which
only such a build reads. Everything else is the host as shipped.

The limits (as tests/fakes/fakes.py documents them), their windows divided by --speedup:
  * TextUs: 1,000 requests per 5 min per token
    (https://apidocs.next.textus.com/overview/rate_limiting);
  * Harvest v1: X-RateLimit-Limit per 10 s, the docs' example 50
    (https://developers.greenhouse.io/harvest.html#rate-limiting). v3's figure is not
    documented (the fake's 30 s window is a third-party report), so v1 is the generation here.
The host paces itself by the fakes' X-RateLimit-* headers, which carry the shrunk windows, so
the load relative to each budget is the real one.

The candidates, as a real list is: N in Greenhouse, about 2 % opted out at TextUs, about 2 %
without a phone number, the rest with a Denver mobile number each (two numbers on the record,
a home one first: the bulk picks the mobile). The settings turn quiet hours off (the run must
not depend on the hour of the day).

The floor, in real seconds, is the largest of
  * TextUs:     the TextUs requests the bulk spent (429s excluded) / 1,000 x 300 s;
  * Greenhouse: the Harvest requests it spent (429s excluded) / 50 x 10 s;
  * the pace:   (texts - 1) x 1 s (at most one new text a second per bulk).
(each limit at its steady rate: a fixed window lets a fresh budget go at once, so a run shorter
than a few windows can beat a limit's figure). Also shown: the host's own rules played out
with no work and no jitter: one text a second, each with the TextUs requests per text the
run spent, in fixed 5 min windows of which a bulk uses 800 (it leaves the last fifth to the
recruiter's own texts: PROTOCOL.md "Pacing"), a window starting at its first request as the
fake's do; measured / that is what the host loses to its work and its waits. Wall time is the
bulk_send's reply to its `finished` event, times --speedup; the host's own work (HTTP on
loopback, SQLite) is not compressed, so the figure is a little pessimistic at high speedups.
The jitter added to a wait for a window's reset is 250 ms at least whatever the speedup
(host/http.c, http_jitter_ms), likewise.

Counted at the fakes: texts per number (a second text to a number is a duplicate), notes per
candidate (exactly one per texted candidate; a note for a candidate not texted is a
duplicate too), requests per service and 429s. A note still missing at `finished` is looked
for again after an `outbox flush`; one still missing then is lost.
Not a test: prints TSV rows for bench.sh (benchmark, measured, baseline, ratio, target,
verdict); exits 1 on a duplicate, a lost note, or a bulk that did not finish.
"""
import argparse
import json
import os
import shutil
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
sys.path.insert(0, os.path.join(HERE, "..", "fakes"))
from fakeworld import Creds, FakeWorld  # noqa: E402
import nmhost  # noqa: E402

TOKEN = "tok_benchbulk_FAKE_0001"
V1_KEY = "hvk_benchbulk_FAKE_0001"
USER_ID = 101
FIRST = 10001
TX_LIMIT, TX_WINDOW = 1000, 300.0   # TextUs, per token
HV_LIMIT, HV_WINDOW = 50, 10.0      # Harvest v1, the docs' example
PACE_S = 1.0                        # host/bulk.c BULK_PACE_MS
RESERVE = 0.8                       # a bulk leaves the window's last fifth
BODY = "Hi {first_name}, a role at Acme for you"
TARGET = 1.5  # the reserve alone costs 1.25x of the TextUs floor; windows, jitter the rest


def num(i):
    return "+1303555%04d" % (1000 + i)


def kind(i):
    """What candidate i is: 'opted' (about 2 %), 'nophone' (about 2 %) or 'ok'."""
    if i % 50 == 17:
        return "opted"
    if i % 50 == 33:
        return "nophone"
    return "ok"


def seed(n):
    cands = []
    for i in range(n):
        phones = ([] if kind(i) == "nophone" else
                  [{"value": "(212) 555-0100", "type": "home"},
                   {"value": num(i)[2:], "type": "mobile"}])
        cands.append({"id": FIRST + i, "first_name": "Cand%03d" % i, "last_name": "Bulk",
                      "phone_numbers": phones})
    return {
        "textus": {
            "tokens": {TOKEN: {"user": "/users/1", "accounts": ["acme"]}},
            "users": {"/users/1": {"name": "Alice Recruiter", "email": "alice@acme.example"}},
            "accounts": {"acme": {"name": "Acme", "phoneNumbers": ["+13035550100"]}},
            "opt_outs": [num(i) for i in range(n) if kind(i) == "opted"],
            "blocked": [],
        },
        "harvest": {
            "api_keys": {V1_KEY: {"name": "benchbulk"}},
            "users": [{"id": USER_ID, "first_name": "Alice", "last_name": "Recruiter",
                       "primary_email_address": "alice@acme.example"}],
            "candidates": cands,
            "activity_feed": {str(c["id"]): {"activities": [], "notes": []} for c in cands},
        },
    }


class World(FakeWorld):
    def __init__(self, n, speedup):
        super().__init__("v1", prefix="th-benchbulk-", seed=seed(n),
                         creds=Creds(TOKEN, V1_KEY, None, None),
                         env={"TH_TEST_BULK_PACE_MS": str(int(round(1000 * PACE_S / speedup)))},
                         max_seconds=3600)


def own_rules(texts, per_text):
    """When the last text goes out under the host's own rules (see the top comment), in real
    seconds: the pace, and TextUs's fixed windows less their last fifth."""
    t, start, used, cap = 0.0, None, 0.0, TX_LIMIT * RESERVE
    for i in range(texts):
        if i:
            t += PACE_S
        if start is None or t >= start + TX_WINDOW:
            start, used = t, 0.0
        if used + per_text > cap:
            t = start + TX_WINDOW
            start, used = t, 0.0
        used += per_text
    return t


def run_bulk(w, ids):
    """One port: the bulk_send, its reply, its events to the final one. (reply, events,
    final, seconds from the request to the final event)."""
    h = nmhost.Host(env=w.env)
    events, final = [], None
    t0 = time.monotonic()
    try:
        h.send({"type": "bulk_send", "id": 1, "request_id": "bench-bulk", "candidate_ids": ids,
                "body": BODY, "quiet_hours": "skip"})
        reply = h.read_reply()
        while reply is not None and reply.get("ok") and reply["result"]["driving"]:
            ev = h.read_reply()
            if ev is None:
                break
            events.append(ev)
            if ev.get("finished"):
                final = ev
                break
        took = time.monotonic() - t0
    finally:
        h.close()
        h.proc.stdout.close()
        h.proc.stderr.close()
    return reply, events, final, took


def row(out, *cols):
    print("\t".join(str(c) for c in cols), file=out)
    out.flush()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("host")
    ap.add_argument("--n", type=int, default=500)
    ap.add_argument("--speedup", type=float, default=5.0)
    ap.add_argument("--rows")
    a = ap.parse_args()
    os.environ["TH_HOST"] = a.host
    out = open(a.rows, "a") if a.rows else sys.stdout
    w = World(a.n, a.speedup)
    try:
        f = w.fakes
        f.config({"harvest_v1_rate_limit": HV_LIMIT,
                  "harvest_v1_rate_window": HV_WINDOW / a.speedup,
                  "textus_rate_limit": TX_LIMIT, "textus_rate_window": TX_WINDOW / a.speedup})
        f.reset_rate_limits()
        seq0 = f.requests()[-1]["seq"] if f.requests() else 0
        ids = [str(FIRST + i) for i in range(a.n)]
        reply, events, final, took = run_bulk(w, ids)
        seq1 = f.requests()[-1]["seq"] if f.requests() else seq0
        reqs = [x for x in f.requests() if seq0 < x["seq"] <= seq1]

        msgs = w.messages()
        per_num = {}
        for m in msgs:
            per_num[m["_to"]] = per_num.get(m["_to"], 0) + 1
        dup_texts = sum(c - 1 for c in per_num.values() if c > 1)
        to_cand = {num(i): str(FIRST + i) for i in range(a.n)}
        texted = {to_cand.get(t) for t in per_num}
        notes_at_finish = len(w.notes())

        def note_counts():
            c = {}
            for nt in w.notes():
                k = str(nt["candidate_id"])
                c[k] = c.get(k, 0) + 1
            return c
        counts = note_counts()
        flushed = False
        if any(counts.get(c, 0) == 0 for c in texted):
            w.cli("outbox", "flush")  # a note that trails its text waits in the journal
            flushed, counts = True, note_counts()
        lost = sum(1 for c in texted if counts.get(c, 0) == 0)
        dup_notes = sum(v - 1 if k in texted else v for k, v in counts.items())

        tx = [x for x in reqs if x["server"] == "textus"]
        hv = [x for x in reqs if x["server"] == "harvest" and x["path"].startswith("/v1/")]
        tx429 = sum(1 for x in tx if x["status"] == 429)
        hv429 = sum(1 for x in hv if x["status"] == 429)
        sent = len(msgs)
        ok_all = bool(final and final.get("finished") is True and final.get("total") == a.n)

        real = took * a.speedup
        fl_tx = (len(tx) - tx429) / TX_LIMIT * TX_WINDOW
        fl_hv = (len(hv) - hv429) / HV_LIMIT * HV_WINDOW
        fl_pace = max(0, sent - 1) * PACE_S
        fl_own = own_rules(sent, (len(tx) - tx429) / max(1, sent))
        floor, which = max((fl_tx, "TextUs"), (fl_hv, "Greenhouse"),
                           (fl_pace, "the pace"))
        detail = {
            "n": a.n, "speedup": a.speedup, "wall_s": round(took, 2), "real_s": round(real, 1),
            "floor_textus_s": round(fl_tx, 1), "floor_harvest_s": round(fl_hv, 1),
            "floor_pace_s": round(fl_pace, 1), "own_rules_s": round(fl_own, 1),
            "texts": sent, "final": final, "events": len(events),
            "textus_requests": len(tx), "textus_429": tx429, "harvest_requests": len(hv),
            "harvest_429": hv429, "notes_at_finish": notes_at_finish, "flushed": flushed,
            "lost_notes": lost, "duplicate_notes": dup_notes, "duplicate_texts": dup_texts,
            "reply": reply if not (reply and reply.get("ok")) else "ok",
        }
        print("bulk: %s" % json.dumps(detail), file=sys.stderr)

        tag = "bulk N=%d" % a.n
        fin = final or {}
        row(out, "%s: sent / skipped / failed" % tag,
            "%d / %d / %d" % (fin.get("sent", 0), fin.get("skipped", 0), fin.get("failed", 0)),
            "%d with a number, not opted out" % sum(1 for i in range(a.n) if kind(i) == "ok"),
            "-", "0 failed", "met" if ok_all and fin.get("failed", 1) == 0 else "missed")
        row(out, "%s: wall time (x%g back to real time)" % (tag, a.speedup),
            "%.0f s (%.1f s run)" % (real, took), "%.0f s floor (%s)" % (floor, which),
            "%.2fx" % (real / floor if floor > 0 else float("inf")), "<= %gx" % TARGET,
            "met" if ok_all and real <= TARGET * floor else "missed")
        row(out, "%s: floor TextUs / Greenhouse / pace" % tag,
            "%.0f / %.0f / %.0f s" % (fl_tx, fl_hv, fl_pace), "-", "-", "-", "-")
        row(out, "%s: wall time against the host's own rules" % tag, "%.0f s" % real,
            "%.0f s: pace + TextUs 4/5" % fl_own,
            "%.2fx" % (real / fl_own if fl_own > 0 else float("inf")), "-", "-")
        per = max(1, a.n)
        row(out, "%s: TextUs requests per candidate (429s)" % tag,
            "%.2f (%d)" % (len(tx) / per, tx429),
            "%d requests, %.2f per text" % (len(tx), len(tx) / max(1, sent)), "-", "-", "-")
        row(out, "%s: Greenhouse requests per candidate (429s)" % tag,
            "%.2f (%d)" % (len(hv) / per, hv429),
            "%d requests, %.2f per text" % (len(hv), len(hv) / max(1, sent)), "-", "-", "-")
        row(out, "%s: duplicate texts" % tag, "%d" % dup_texts, "-", "-", "0",
            "met" if dup_texts == 0 else "missed")
        row(out, "%s: lost / duplicate notes" % tag, "%d / %d" % (lost, dup_notes),
            "%d notes at finished%s" % (notes_at_finish, ", then a flush" if flushed else ""),
            "-", "0 / 0", "met" if lost == 0 and dup_notes == 0 else "missed")
        bad = dup_texts + lost + dup_notes + (0 if ok_all else 1)
    finally:
        w.close()
        shutil.rmtree(w.tmp, ignore_errors=True)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
