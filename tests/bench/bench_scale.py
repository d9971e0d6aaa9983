#!/usr/bin/env python3
"""The `scale` benchmark (scripts/bench.sh): a company's recruiters, each with their own host
on their own computer, sharing one Harvest v1 credential, its rate limit enforced by the fake
as documented (https://developers.greenhouse.io/harvest.html#rate-limiting: X-RateLimit-Limit
per 10 s, the docs' example 50; X-RateLimit-Remaining on every answer; a 429 with Retry-After
and X-RateLimit-Reset), and TextUs's per token (1,000 per 5 min,
https://apidocs.next.textus.com/overview/rate_limiting).

    bench_scale.py HOST [--n 10,50,200] [--minutes 5] [--speedup 5] [--rows FILE]

For each N: N recruiters, each with a host process per open profile tab (a port: each text
is to a new candidate, whose tab opens a new port -- prepare_send, then send_sms -- while the
last tab's closes), each with their own state folder (its own computer: nothing shared but the services), one shared Harvest key, one
TextUs token each. Every recruiter has used the host before (one text each first, with the
limits raised: their stores know their Greenhouse user, as in steady use). Then, for
--minutes of recruiter time, each sends one text every 1-3 minutes (uniformly drawn; the first
at a random point of the first interval) as the extension does (reply_before_note), time
compressed --speedup times: the intervals AND the rate-limit window (10 s / speedup, 50
requests), so the load relative to the credential's budget is the real one. Then the ports
close (each finishes its work) and each host's outbox is flushed (`textus-host outbox flush`).

Reported per N: texts sent; notes written and how long after their text (p50/p95/p99, wall-clock
seconds of the compressed run: a wait for the window is 1/speedup of a real one); Greenhouse requests per note; the share answered 429; the
share of the credential's budget used; duplicates and lost notes; the send_sms reply time
(p99, max: the SMS is never held back by pacing). "What the budget allows": a perfect central
scheduler that knows every text at once, giving each note the next free request of the
credential's fixed windows (FIFO), plus the host's own note latency (the median delay of the
run: the 95th percentile of the notes written within 250 ms of their text, i.e. never held back); the target is p95 within twice that.
Not a test: prints TSV rows for bench.sh (benchmark, measured, baseline, ratio, target,
verdict); exits 1 when a note was duplicated or lost.
"""
import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
sys.path.insert(0, os.path.join(HERE, "..", "fakes"))
import fakectl  # noqa: E402
import nmhost  # noqa: E402

V1_KEY = "hvk_scale_FAKE_0001"  # the company's one Harvest credential (fake)
LIMIT, WINDOW = 50, 10.0       # the docs' example
CANDS = 40
RAISED = {"harvest_v1_rate_limit": 1000000, "textus_rate_limit": 1000000}


def token(i):
    return "tok_scale_%04d_FAKE" % i  # one TextUs token per recruiter (fake)


def seed(n_max):
    tokens, users, hv_users = {}, {}, []
    for i in range(n_max):
        tokens[token(i)] = {"user": "/users/%d" % (i + 1), "accounts": ["acme"],
                            "email": "r%d@acme.example" % i}
        users["/users/%d" % (i + 1)] = {"name": "Recruiter %d" % i,
                                        "email": "r%d@acme.example" % i}
        hv_users.append({"id": 5000 + i, "first_name": "Recruiter", "last_name": str(i),
                         "primary_email_address": "r%d@acme.example" % i})
    cands = [{"id": 2000 + c, "first_name": "Cand", "last_name": str(c),
              "phone_numbers": [{"value": "+1303555%04d" % (1000 + c), "type": "mobile"}]}
             for c in range(CANDS)]
    return {
        "textus": {"tokens": tokens, "users": users,
                   "accounts": {"acme": {"name": "Acme", "type": "organization",
                                         "phoneNumbers": ["+13035550100"]}},
                   "opt_outs": [], "blocked": {}, "contacts": [], "messages": []},
        "harvest": {"api_keys": {V1_KEY: {"name": "scale"}}, "users": hv_users,
                    "candidates": cands,
                    "activity_feed": {str(c["id"]): {"activities": [], "notes": []}
                                      for c in cands}},
    }


def pct(xs, p):
    if not xs:
        return float("nan")
    xs = sorted(xs)
    k = min(len(xs) - 1, max(0, int(round(p / 100.0 * len(xs) + 0.5)) - 1))
    return xs[k]


class Recruiter:
    def __init__(self, host, i, home, fakes, size):
        self.i, self.size, self.home, self.env = i, size, home, {"TEXTUS_HOST_HOME": home}
        doc = {"textus": {"token": token(i), "account": "acme", "base_url": fakes.url("textus")},
               "greenhouse": {"email": "r%d@acme.example" % i, "api_key": V1_KEY,
                              "base_url": fakes.url("harvest")},
               "settings": {"quiet_hours": "off"}}
        p = subprocess.run([host, "configure", "--no-verify"], input=json.dumps(doc).encode(),
                           env=dict(os.environ, **self.env), capture_output=True, timeout=120)
        assert p.returncode == 0, p.stderr.decode()
        self.port = None
        self.sent = []       # (body, reply seconds)
        self.errors = []
        self.n = 0

    def open(self):
        self.port = nmhost.Host(env=self.env)

    def text(self, rng, new_tab=True):
        self.n += 1
        c = rng.randrange(CANDS)
        body = "scale N=%s r%d #%d" % (self.size, self.i, self.n)  # unique in the whole run
        if new_tab:
            # a new candidate's profile: the extension's port of the last tab goes, a new one
            # (a new host process) comes, and the compose box opening sends prepare_send
            self.port.close()
            self.open()
            p = self.port.request({"id": "p%d" % self.n, "type": "prepare_send",
                                   "candidate_id": str(2000 + c), "to": "+1303555%04d" % (1000 + c)})
            if not p or not p.get("ok"):
                self.errors.append(p)
        t0 = time.monotonic()
        r = self.port.request({"id": self.n, "type": "send_sms",
                               "request_id": "s%d-%d" % (self.i, self.n),
                               "candidate_id": str(2000 + c), "to": "+1303555%04d" % (1000 + c),
                               "body": body, "reply_before_note": True})
        took = time.monotonic() - t0
        if not r or not r.get("ok"):
            self.errors.append(r)
            return
        self.sent.append((body, took))
        # the note event comes before the next reply; read it now (the port's own order)
        if r["result"]["note"]["state"] != "written":
            ev = self.port.read_reply()
            if ev is None or ev.get("event") != "note":
                self.errors.append(ev)


def run_n(host, fakes, n, rate, minutes, speedup, tmp, rng):
    recs = []
    t0 = time.monotonic()
    for i in range(n):
        recs.append(Recruiter(host, i, os.path.join(tmp, "n%d-%g-r%d" % (n, rate, i)), fakes,
                              "%dx%g" % (n, rate)))
        os.chmod(recs[-1].home, 0o700)
    setup_s = time.monotonic() - t0
    fakes.config(RAISED)
    fakes.reset_rate_limits()
    for r in recs:
        r.open()
    # steady use: each has sent before (its store knows its Greenhouse user)
    ths = [threading.Thread(target=r.text, args=(random.Random(r.i), False)) for r in recs]
    for t in ths:
        t.start()
    for t in ths:
        t.join()
    for r in recs:
        r.sent.clear()
    window = WINDOW / speedup
    fakes.config({"harvest_v1_rate_limit": LIMIT, "harvest_v1_rate_window": window,
                  "textus_rate_limit": 1000, "textus_rate_window": 300.0 / speedup})
    fakes.reset_rate_limits()
    seq0 = fakes.requests()[-1]["seq"] if fakes.requests() else 0
    run_s = minutes * 60.0 / speedup
    start = time.monotonic()

    def recruiter(r):
        rr = random.Random(1000 + r.i)
        t_next = rr.uniform(60.0, 180.0) / speedup / rate * rr.random()
        while True:
            now = time.monotonic() - start
            if t_next >= run_s:
                return
            if t_next > now:
                time.sleep(t_next - now)
            r.text(rr)
            t_next += rr.uniform(60.0, 180.0) / speedup / rate

    ths = [threading.Thread(target=recruiter, args=(r,)) for r in recs]
    for t in ths:
        t.start()
    for t in ths:
        t.join()
    t_sent = time.monotonic()
    # let idle ports write what the rate limit held back, then close them (each finishes its
    # work) and flush every outbox
    time.sleep(2 * window + 1.5)
    for r in recs:
        r.port.close()
    # flush each outbox that still has a note to write, in rounds, for at most 90 s (a backlog
    # drains at the credential's pace)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        written = written_set(fakes)
        todo = [r for r in recs if any(b not in written for (b, _) in r.sent)]
        if not todo:
            break
        sem = threading.Semaphore(8)

        def flush(r):
            with sem:
                subprocess.run([host, "outbox", "flush"], env=dict(os.environ, **r.env),
                               capture_output=True, timeout=120)
        ths = [threading.Thread(target=flush, args=(r,)) for r in todo]
        for t in ths:
            t.start()
        for t in ths:
            t.join()
        time.sleep(window)
    for r in recs:  # what each journal still holds: pending, not lost
        p = subprocess.run([host, "outbox", "list", "--json"], env=dict(os.environ, **r.env),
                           capture_output=True, timeout=120)
        try:
            r.journal = {e["request_id"]: e.get("note") for e in json.loads(p.stdout)["entries"]}
        except (ValueError, KeyError, TypeError):
            r.journal = {}
    end = time.monotonic()
    return recs, seq0, start, t_sent, end, window, setup_s


def sms_of(note_body):  # "Text message sent ... on <when>:\n\n<the text>\n\n<marker>"
    parts = (note_body or "").split("\n\n")
    return parts[1] if len(parts) >= 3 else None


def written_set(fakes):
    return {sms_of(n["body"]) for n in fakes.state()["harvest"]["notes"]}


def analyse(fakes, recs, seq0, window, speedup, run_wall):
    reqs = [x for x in fakes.requests() if x["seq"] > seq0]
    texts = {}
    for x in reqs:
        if (x["server"] == "textus" and x["method"] == "POST" and x["path"].endswith("/messages")
                and 200 <= x["status"] < 300):
            texts[(x.get("body") or {}).get("body")] = x["t"]
    hv = [x for x in reqs if x["server"] == "harvest" and x["path"].startswith("/v1/")]
    warm = [x for x in reqs if x["server"] == "harvest" and x["path"] == "/"]

    note_times = {}
    for x in hv:
        if x["method"] == "POST" and 200 <= x["status"] < 300:
            k = sms_of((x.get("body") or {}).get("body"))
            note_times.setdefault(k, []).append(x["t"])
    sent = [b for r in recs for (b, _) in r.sent]
    counts = {}
    for nt in fakes.state()["harvest"]["notes"]:
        k = sms_of(nt["body"])
        counts[k] = counts.get(k, 0) + 1
    dup = sum(1 for s in sent if counts.get(s, 0) > 1)
    unwritten = [(r, b) for r in recs for (b, _) in r.sent if counts.get(b, 0) == 0]
    # not written by the end: still pending in its host's journal, or lost
    pending = sum(1 for r, b in unwritten
                  if r.journal.get("s%d-%s" % (r.i, b.rsplit("#", 1)[1])) == "pending")
    lost = len(unwritten) - pending
    delays = sorted((min(note_times[s]) - texts[s]) for s in sent
                    if s in note_times and s in texts)
    n429 = sum(1 for x in hv if x["status"] == 429)
    span = max(x["t"] for x in reqs) - min(x["t"] for x in reqs) if reqs else run_wall
    budget = LIMIT * span / window
    # what the budget allows: a perfect FIFO scheduler over the credential's fixed windows
    t_first = min(texts.values()) if texts else 0
    arrivals = sorted(texts[s] for s in sent if s in texts)
    ideal, used, win = [], 0, 0
    for a in arrivals:
        w = max(win, int((a - t_first) // window))
        if w > win:
            win, used = w, 0
        if used >= LIMIT:
            win, used = win + 1, 0
        used += 1
        slot = t_first + win * window
        ideal.append(max(0.0, slot - a))
    # the host's own note latency: the notes written within 250 ms of their text (a note the
    # rate limit held back waits for a reset plus a jitter of at least 0-250 ms)
    quick = [d for d in delays if d < 0.25]
    base = pct(quick, 95) if quick else 0.0
    allowed95 = pct([i + base for i in ideal], 95)
    replies = [t for r in recs for (_, t) in r.sent]
    return {
        "texts": len(sent), "notes": len(sent) - len(unwritten), "dup": dup, "lost": lost,
        "pending": pending,
        "p50": pct(delays, 50), "p95": pct(delays, 95), "p99": pct(delays, 99),
        "max": delays[-1] if delays else float("nan"),
        "gh": len(hv), "per_note": len(hv) / max(1, len(sent) - len(unwritten)),
        "share429": n429 / max(1, len(hv)), "budget": (len(hv) - n429) / budget,
        "allowed95": allowed95, "warm": len(warm),
        "reply_p99": pct(replies, 99), "reply_max": max(replies) if replies else float("nan"),
        "errors": sum(len(r.errors) for r in recs),
    }


def row(out, *cols):
    print("\t".join(str(c) for c in cols), file=out)
    out.flush()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("host")
    ap.add_argument("--n", default="10,50,200")
    ap.add_argument("--minutes", type=float, default=5.0)
    ap.add_argument("--speedup", type=float, default=5.0)
    ap.add_argument("--rows")
    a = ap.parse_args()
    # "200" or "200x3" (3 times a recruiter's pace: a stress beyond the realistic load)
    ns = [(int(x.split("x")[0]), float(x.split("x")[1]) if "x" in x else 1.0)
          for x in a.n.split(",")]
    os.environ["TH_HOST"] = a.host
    out = open(a.rows, "a") if a.rows else sys.stdout
    tmp = tempfile.mkdtemp(prefix="th-scale-")
    fakes = fakectl.start(seed(max(n for n, _ in ns)), os.path.join(tmp, "fakes"),
                          extra_args=["--random-seed", "1", "--max-seconds", "3600"])
    bad = 0
    try:
        for n, rate in ns:
            recs, seq0, start, t_sent, end, window, setup_s = run_n(
                a.host, fakes, n, rate, a.minutes, a.speedup, tmp, random.Random(n))
            m = analyse(fakes, recs, seq0, window, a.speedup, end - start)
            bad += m["dup"] + m["lost"] + m["errors"]
            print("scale N=%dx%g: %s (setup %.0f s, run %.0f s, flush %.0f s)" % (
                n, rate, json.dumps({k: (round(v, 3) if isinstance(v, float) else v)
                               for k, v in m.items()}), setup_s, t_sent - start, end - t_sent),
                file=sys.stderr)
            tag = "scale N=%d" % n + (", %g× a recruiter's pace" % rate if rate != 1 else "")
            row(out, "%s: texts sent / notes written (still pending in the journals)" % tag,
                "%d / %d (%d)" % (m["texts"], m["notes"], m["pending"]), "-", "-", "-", "-")
            row(out, "%s: duplicate / lost notes" % tag, "%d / %d" % (m["dup"], m["lost"]), "-",
                "-", "0 / 0", "met" if m["dup"] == 0 and m["lost"] == 0 else "missed")
            row(out, "%s: note delay p50 / p95 / p99" % tag,
                "%.2f / %.2f / %.2f s" % (m["p50"], m["p95"], m["p99"]),
                "%.2f s p95 the budget allows" % m["allowed95"],
                "%.2fx" % (m["p95"] / m["allowed95"] if m["allowed95"] > 0 else float("inf")),
                "<= 2x", "met" if m["p95"] <= 2 * m["allowed95"] else "missed")
            row(out, "%s: Greenhouse requests per note" % tag, "%.2f" % m["per_note"],
                "%d requests, %d uncharged warm-ups" % (m["gh"], m["warm"]), "-", "<= 1.3",
                "met" if m["per_note"] <= 1.3 else "missed")
            row(out, "%s: Greenhouse requests answered 429" % tag,
                "%.1f %%" % (100 * m["share429"]), "-", "-", "<= 5 %",
                "met" if m["share429"] <= 0.05 else "missed")
            row(out, "%s: share of the credential's budget used" % tag,
                "%.0f %%" % (100 * m["budget"]), "-", "-", "-", "-")
            row(out, "%s: send_sms reply p99 / max" % tag,
                "%.0f / %.0f ms" % (1000 * m["reply_p99"], 1000 * m["reply_max"]), "-", "-", "-",
                "-")
    finally:
        fakes.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
