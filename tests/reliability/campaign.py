#!/usr/bin/env python3
"""Reliability campaign of the send flow, through the real binary against the fakes.

    campaign.py stops    [--short] [--gen v1|v3] [--summary FILE] [--seed N] [--count N]
    campaign.py parallel [--short] ...
    campaign.py storm    [--short] ...

stops     N randomized hard stops (failpoints before_send / after_send / after_journal /
          before_note / after_note, and SIGKILL after a random delay); each is followed by a
          restart (a new host retries the same request id, as the extension does) and a
          flush_outbox. Checked from the fakes' records: at most one message per request id,
          exactly one note per message, every request id the host accepted is in
          `textus-host outbox list`. Full: 200 stops, short: 25. Needs a TH_FAILPOINTS build.
parallel  P host processes (one long-lived port each) x S sends at once: P*S messages, P*S
          notes, no duplicates, `textus-host status` exits 0, the outbox passes
          PRAGMA integrity_check. Full 8 x 50, short 4 x 10.
storm     about 20% of all API requests faulted (5xx, 429 + Retry-After, drop_before,
          drop_after, delays); the extension retries what it may, then flushes until nothing
          is pending (bounded). Checked: one message per logical send and at most one per
          request id, one note per message, no unknown sends left, and no request sent
          before the Retry-After of a 429 allowed (from the fakes' timestamps, per route and
          per logical request). Full 120 sends, short 20.
lease     the lease race (a note is posted only by the process that holds its claim): a port
          whose stdout is full after a send_sms with reply_before_note (its claim taken, its
          note not posted) while `textus-host outbox flush` runs with its clock past the lease
          (faketime); and a note POST Greenhouse holds for seconds with timeout_ms 200000
          while a flush 130 s ahead runs. Checked: one note per message. Needs faketime.

The fakes' rate limits are raised for the campaign (relib.RAISED_LIMITS): it sends far more
than a person would. Exit status 0 only when every check held; the last line is
"N passed, N failed" (checks).
"""
import argparse
import fcntl
import json
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import threading
import time

import relib
from relib import Checks, World, code, phone, send_payload, tally
from nmhost import frame  # noqa: E402 (relib puts tests/lib on the path)

FAILPOINTS = ["before_send", "after_send", "after_journal", "before_note", "after_note"]
# the failpoints exist only in a -DTH_FAILPOINTS=ON build; without them, SIGKILL stops only
FAILPOINTS_BUILT = os.environ.get("TH_FAILPOINTS_BUILT") == "1"


def journal_check(ck, w, accepted, label):
    """Every accepted request id is in `textus-host outbox list` of its state root."""
    missing = []
    listed = 0
    for home, rids in accepted.items():
        rc, rows = w.outbox_list(home)
        ck.check(rc == 0, "%s: outbox list exit %d" % (label, rc))
        listed += len(rows)
        for rid, want in rids.items():
            got = rows.get(rid)
            if got is None:
                missing.append(rid)
                continue
            if want is not None:  # a message id the fakes saw for it
                ck.check(got["send"] == "sent" and got["message"] == want,
                         "%s: journal of %s says %r, TextUs has %s" % (label, rid, got, want))
    ck.check(not missing, "%s: %d accepted request ids missing from the journal: %s"
             % (label, len(missing), missing[:10]))
    return listed, missing


def exactly_once(ck, w, rids, label):
    """At most one message per request id; exactly one note per message. Returns counts."""
    per_rid, msg_ids, per_msg = tally(w, rids)
    wanted = set(rids)
    per_rid = {r: m for r, m in per_rid.items() if r in wanted}
    msg_ids = {m: r for m, r in msg_ids.items() if r in wanted or r.startswith("calib-")}
    dup_rids = {r: m for r, m in per_rid.items() if len(m) > 1}
    ck.check(not dup_rids, "%s: request ids with more than one message: %s" % (label, dup_rids))
    bad_notes = {m: per_msg.get(m, 0) for r, ms in per_rid.items() for m in ms
                 if per_msg.get(m, 0) != 1}
    ck.check(not bad_notes, "%s: messages without exactly one note: %s"
             % (label, dict(list(bad_notes.items())[:10])))
    stray = [m for m in per_msg if m not in msg_ids]
    ck.check(not stray, "%s: notes for no message of ours: %s" % (label, stray[:5]))
    msgs = sum(len(m) for m in per_rid.values())
    notes = sum(per_msg.get(m, 0) for ms in per_rid.values() for m in ms)
    dups = (sum(len(m) - 1 for m in dup_rids.values()) +
            sum(max(0, per_msg.get(m, 0) - 1) for ms in per_rid.values() for m in ms))
    return per_rid, msgs, notes, dups


def flush_until_clean(ck, w, label, bound_s=60, extra_env=None):
    """flush_outbox until pending = 0 and unknown = 0, within bound_s. Returns (rounds, last)."""
    deadline = time.monotonic() + bound_s
    rounds = 0
    last = None
    while True:
        rounds += 1
        reply, rc, err = w.one({"type": "flush_outbox"}, extra_env)
        ck.check(rc == 0, "%s: flush host exit %d: %s" % (label, rc, err[-500:]))
        last = reply
        if code(reply) == "ok":
            r = reply["result"]
            if r["pending"] == 0 and r["unknown"] == 0 and r["stopped"] == 0:
                return rounds, r
        if time.monotonic() > deadline:
            ck.check(False, "%s: still not clean after %d flushes in %ds: %r"
                     % (label, rounds, bound_s, last))
            return rounds, last
        time.sleep(0.5)


# ------------------------------------------------------------------ 1. hard stops

def calibrate(w):
    """Median wall time of a full send (spawn → reply), to spread SIGKILL delays over it."""
    ts = []
    for i in range(3):
        rid = "calib-%d" % i
        t0 = time.monotonic()
        reply, rc, _ = w.one(send_payload(rid, phone(9000 + i), "reliab calib rid=%s" % rid))
        ts.append(time.monotonic() - t0)
        assert code(reply) == "ok", "calibration send failed: %r" % reply
    ts.sort()
    return ts[1]


def scenario_stops(args, ck):
    n_stops = args.count or (25 if args.short else 200)
    rng = random.Random(args.seed)
    w = World(args.gen, tag="stops", random_seed=args.seed)
    modes = {}
    replies = {}
    accepted = {}
    kills = {}
    per_home = 50
    try:
        dur = calibrate(w)
        print("calibration: a send takes %.0f ms; SIGKILL delays drawn from 0..%.0f ms"
              % (dur * 1000, dur * 1500), flush=True)
        for i in range(n_stops):
            if i and i % per_home == 0:  # outbox list shows at most 200 rows: fresh roots
                w.new_home()
            rid = "stop-%s-%03d" % (args.gen, i)
            mode = rng.choice(FAILPOINTS + ["kill9", "kill9"] if FAILPOINTS_BUILT else ["kill9"])
            modes[mode] = modes.get(mode, 0) + 1
            body = "reliab hard stop %d (%s) rid=%s" % (i, mode, rid)
            p = send_payload(rid, phone(i), body)
            first = None
            first_reply = None
            if mode == "kill9":
                h = w.port()
                h.send(p)
                time.sleep(rng.uniform(0, dur * 1.5))
                h.proc.kill()
                h.proc.wait()
                try:
                    first_reply = h.read_reply()
                except (AssertionError, ValueError, OSError):
                    first_reply = None
                for f in (h.proc.stdin, h.proc.stdout, h.proc.stderr):
                    try:
                        f.close()
                    except OSError:
                        pass
                first = "killed"
            else:
                reply, rc, err = w.one(p, {"TH_FAILPOINT": mode})
                first = code(reply)
                ck.check(reply is None and rc == -9,
                         "stop %d %s: host was not stopped hard (rc %d, %r)" % (i, mode, rc, reply))
            # restart: the extension retries the same request id in a new host
            retry = None
            for attempt in range(4):
                reply, rc, err = w.one(p)
                retry = code(reply)
                ck.check(rc == 0, "stop %d retry: host exit %d: %s" % (i, rc, err[-500:]))
                if retry != "outcome_unknown":
                    break
                time.sleep(0.3)
            ck.check(retry in ("ok", "not_sent"), "stop %d (%s): retry answered %s: %r"
                     % (i, mode, retry, reply))
            if mode == "before_send":
                ck.check(retry == "not_sent", "stop %d before_send: retry %s" % (i, retry))
            if mode in ("after_send", "after_journal", "before_note", "after_note"):
                ck.check(retry == "ok", "stop %d %s: retry %s" % (i, mode, retry))
            replies[rid] = (mode, first, retry)
            if mode == "kill9":  # where the SIGKILL landed, as the retry tells it
                if first_reply is not None:
                    where = "after the reply"
                elif retry == "ok" and not reply["result"]["replayed"]:
                    where = "before the journal"
                elif retry == "ok":
                    where = "after the journal"
                else:
                    where = "before the POST (not_sent)"
                kills[where] = kills.get(where, 0) + 1
            accepted.setdefault(w.home, {})[rid] = None
            fr, last = flush_until_clean(ck, w, "stop %d flush" % i, bound_s=20)
        per_rid, msgs, notes, dups = exactly_once(ck, w, list(replies), "stops")
        for home, rids in accepted.items():
            for rid in rids:
                if per_rid.get(rid):
                    rids[rid] = per_rid[rid][0]
        # a retry answered ok must have exactly one message, not_sent none
        for rid, (mode, first, retry) in replies.items():
            n = len(per_rid.get(rid, []))
            ck.check(n == (1 if retry == "ok" else 0),
                     "stops: %s (%s, retry %s) has %d messages" % (rid, mode, retry, n))
        listed, missing = journal_check(ck, w, accepted, "stops")
        for home in w.homes:
            ck.check(w.integrity(home) == ["ok"], "stops: integrity_check of %s" % home)
        st = w.cli(["status"])
        ck.check(st.returncode == 0, "stops: status exit %d" % st.returncode)
        print("modes: %s" % modes, flush=True)
        print("SIGKILLs landed: %s" % kills, flush=True)
        return {"scenario": "hard stops (%s, %s)" % (args.gen, ", ".join(
            "%s %d" % kv for kv in sorted(modes.items()))),
                "requests": n_stops, "messages": msgs, "notes": notes, "duplicates": dups,
                "extra": "journal %d/%d listed, retries not_sent %d; SIGKILLs %s" % (
                    n_stops - len(missing), n_stops,
                    sum(1 for v in replies.values() if v[2] == "not_sent"),
                    ", ".join("%s %d" % kv for kv in sorted(kills.items())))}
    finally:
        w.close()


# ------------------------------------------------------------------ 2. parallel hosts

def scenario_parallel(args, ck):
    n_hosts, n_sends = (4, 10) if args.short else (8, 50)
    w = World(args.gen, tag="parallel", random_seed=args.seed)
    results = {}
    errors = []

    def worker(k):
        h = w.port()
        try:
            for j in range(n_sends):
                rid = "par-%d-%03d" % (k, j)
                body = "reliab parallel host %d send %d rid=%s" % (k, j, rid)
                reply = h.request(send_payload(rid, phone(k * 1000 + j), body))
                results[rid] = reply
        except Exception as ex:  # noqa: BLE001 — reported as a failed check
            errors.append("host %d: %r" % (k, ex))
        finally:
            rc, _, err = h.close()
            if rc != 0:
                errors.append("host %d exit %d: %s" % (k, rc, err[-500:]))

    try:
        t0 = time.monotonic()
        ths = [threading.Thread(target=worker, args=(k,)) for k in range(n_hosts)]
        for t in ths:
            t.start()
        for t in ths:
            t.join(600)
        elapsed = time.monotonic() - t0
        ck.check(not errors, "parallel: %s" % errors)
        codes = {}
        for r in results.values():
            codes[code(r)] = codes.get(code(r), 0) + 1
        total = n_hosts * n_sends
        bad = ["%s: %s" % (rid, r["error"]["message"]) for rid, r in sorted(results.items())
               if code(r) != "ok" and isinstance(r, dict) and "error" in r]
        ck.check(codes.get("ok", 0) == total, "parallel: replies %s %s" % (codes, bad[:3]))
        written = sum(1 for r in results.values()
                      if code(r) == "ok" and r["result"]["note"]["state"] == "written")
        flush_until_clean(ck, w, "parallel flush", bound_s=60)
        per_rid, msgs, notes, dups = exactly_once(ck, w, list(results), "parallel")
        ck.check(msgs == total and notes == total,
                 "parallel: %d messages and %d notes, want %d each" % (msgs, notes, total))
        st = w.cli(["status"])
        ck.check(st.returncode == 0, "parallel: textus-host status exit %d: %s"
                 % (st.returncode, st.stderr[-300:]))
        integ = w.integrity()
        ck.check(integ == ["ok"], "parallel: integrity_check %r" % integ)
        rows = w.journal_rows()
        missing = [r for r in results if r not in rows]
        ck.check(not missing, "parallel: %d request ids not journaled" % len(missing))
        notsent = [r for r, v in rows.items() if r in results and
                   (v["send"] != "sent" or v["note"] != "written")]
        ck.check(not notsent, "parallel: journal rows not sent+written: %s" % notsent[:5])
        print("parallel: %d sends by %d hosts in %.1f s (%.1f sends/s), %d notes written in the "
              "send itself" % (total, n_hosts, elapsed, total / elapsed, written), flush=True)
        return {"scenario": "parallel hosts %d x %d (%s)" % (n_hosts, n_sends, args.gen),
                "requests": total, "messages": msgs, "notes": notes, "duplicates": dups,
                "extra": "%.1f s; integrity %s; status rc %d" % (elapsed, integ[0],
                                                               st.returncode)}
    finally:
        w.close()


# ------------------------------------------------------------------ 3. fault storm

def storm_rules(p_each, retry_after):
    acts = [{"status": 503}, {"status": 500},
            {"status": 429, "retry_after": retry_after},
            "drop_before", "drop_after", {"delay_ms": 400}]
    return [{"probability": p_each, "times": None, "action": a} for a in acts]


def route_key(r):
    """The logical request a record belongs to: same route and same subject."""
    path = r["path"]
    body = r.get("body")
    ident = ""
    if isinstance(body, dict):
        if "to" in body:
            ident = body["to"]
        elif isinstance(body.get("body"), str):
            m = relib.MARKER_RE.search(body["body"])
            ident = m.group(1) if m else body["body"][:80]
    q = r.get("query") or {}
    return (r["server"], r["method"], path, ident, tuple(sorted(q.items())) if q else ())


def retry_after_violations(records, rule_retry_after):
    """Requests sent (started) before the Retry-After of an earlier 429 on the same logical
    request (route_key) or the same connection and route had passed."""
    out = []
    checked = 0
    by_seq = sorted(records, key=lambda r: r["t"] - r.get("duration_ms", 0) / 1000.0)
    for i, r in enumerate(by_seq):
        if r.get("status") != 429:
            continue
        ra = None
        f = r.get("fault")
        if f and isinstance(f.get("action"), dict):
            ra = f["action"].get("retry_after")
        if ra is None:
            ra = rule_retry_after
        checked += 1
        until = r["t"] + ra
        k = route_key(r)
        for s in by_seq[i + 1:]:
            start = s["t"] - s.get("duration_ms", 0) / 1000.0
            if start >= until - 0.005:
                break
            same_logical = route_key(s) == k
            same_conn = (s["conn"] == r["conn"] and s["server"] == r["server"] and
                         s["path"] == r["path"] and s["method"] == r["method"])
            if same_logical or same_conn:
                out.append({"429_seq": r["seq"], "next_seq": s["seq"], "route": "%s %s %s" % (
                    r["server"], r["method"], r["path"]), "early_by_s": round(until - start, 3),
                    "same": "request" if same_logical else "connection"})
    return checked, out


def scenario_storm(args, ck):
    n = args.count or (20 if args.short else 120)
    retry_after = 1
    p_each = 1 - (1 - 0.20) ** (1.0 / 6)  # six rules; about 20% of requests faulted in all
    w = World(args.gen, tag="storm", random_seed=args.seed,
              knobs={})
    logical = {}
    rids_all = []
    extension_waits = 0
    flushes = {}
    try:
        w.configure({"note_retry_base_ms": 500})
        w.fakes.fault(storm_rules(p_each, retry_after))
        h = w.port()
        for i in range(n):
            base = "storm-%s-%03d" % (args.gen, i)
            rid = base
            to = phone(i)
            tries = []
            for attempt in range(12):
                body = "reliab storm %d rid=%s" % (i, rid)
                try:
                    reply = h.request(send_payload(rid, to, body))
                except (BrokenPipeError, AssertionError) as ex:
                    reply = None
                    tries.append("port died %r" % ex)
                if reply is None:  # the host died: the extension opens a new port
                    rc, _, err = h.close()
                    ck.check(False, "storm: host died (exit %d): %s" % (rc, err[-500:]))
                    h = w.port()
                    continue
                c = code(reply)
                tries.append(c)
                rids_all.append(rid)
                if c == "ok":
                    break
                if c == "not_sent":  # the earlier attempt never reached TextUs: a new click
                    rid = "%s-r%d" % (base, attempt + 1)
                    continue
                if c == "rate_limited":
                    wait = reply["error"].get("retry_after_ms") or 1000
                    extension_waits += 1
                    time.sleep(wait / 1000.0)
                    continue
                if c in ("upstream_unavailable", "upstream_invalid", "outcome_unknown"):
                    time.sleep(0.2)
                    continue
                ck.check(False, "storm: send %d answered %s: %r" % (i, c, reply))
                break
            logical[base] = tries
            if i % 4 == 3:  # another process flushes meanwhile (the extension's flush_outbox)
                reply, rc, err = w.one({"type": "flush_outbox"})
                flushes[code(reply)] = flushes.get(code(reply), 0) + 1
                ck.check(rc == 0, "storm: flush host exit %d: %s" % (rc, err[-300:]))
            ck.check(tries and tries[-1] == "ok", "storm: send %d never ok: %s" % (i, tries))
        rc, _, err = h.close()
        ck.check(rc == 0, "storm: host exit %d: %s" % (rc, err[-500:]))
        rounds, last = flush_until_clean(ck, w, "storm flush", bound_s=120)
        faults = w.fakes.faults()
        w.fakes.reset_faults()
        per_rid, msgs, notes, dups = exactly_once(ck, w, rids_all, "storm")
        per_logical = {}
        for rid, ms in per_rid.items():
            b = rid.split("-r")[0]
            per_logical[b] = per_logical.get(b, 0) + len(ms)
        bad = {b: c for b, c in per_logical.items() if c != 1}
        missing = [b for b in logical if b not in per_logical]
        ck.check(not bad and not missing, "storm: logical sends without exactly one message: "
                 "%s missing %s" % (bad, missing[:10]))
        recs = w.fakes.requests()
        faulted = [r for r in recs if r.get("fault")]
        kinds = {}
        for r in faulted:
            a = r["fault"]["action"]
            k = a if isinstance(a, str) else ("429" if a.get("status") == 429 else
                                              "5xx" if "status" in a else "delay")
            kinds[k] = kinds.get(k, 0) + 1
        checked, viol_all = retry_after_violations(recs, retry_after)
        # the request that got the 429, sent again before its Retry-After: a failure
        viol = [v for v in viol_all if v["same"] == "request"]
        # another request to the same route on the same connection (the same host process)
        # before that Retry-After passed: also a failure (http.c holds each origin)
        conn_early = [v for v in viol_all if v["same"] == "connection"]
        ck.check(not viol, "storm: %d requests sent again before their Retry-After allowed: %s"
                 % (len(viol), viol[:5]))
        ck.check(not conn_early, "storm: %d other requests to a 429'd route on the same "
                 "connection before its Retry-After passed: %s" % (len(conn_early), conn_early[:5]))
        unknown_replies = sum(t.count("outcome_unknown") for t in logical.values())
        rows = w.journal_rows()
        left = {r: v for r, v in rows.items() if v["send"] in ("intent", "send_unknown")}
        ck.check(not left, "storm: unknown sends not reconciled: %s" % left)
        print("storm: %d API requests, %d faulted (%.0f%%): %s; 429s checked %d, violations %d;"
              " same-connection early %d; outcome_unknown replies %d; flush rounds %d; flushes meanwhile %s;"
              " fault rules %s"
              % (len(recs), len(faulted), 100.0 * len(faulted) / max(1, len(recs)), kinds,
                 checked, len(viol), len(conn_early), unknown_replies, rounds, flushes,
                 [(f["id"], f["fired"]) for f in faults]), flush=True)
        return {"scenario": "fault storm (%s, %.0f%% of %d API requests faulted)"
                % (args.gen, 100.0 * len(faulted) / max(1, len(recs)), len(recs)),
                "requests": n, "messages": msgs, "notes": notes, "duplicates": dups,
                "extra": "429s %d: re-sent early %d (other reqs same conn early %d); "
                         "outcome_unknown %d reconciled; final flush rounds %d"
                         % (checked, len(viol), len(conn_early), unknown_replies, rounds)}
    finally:
        w.close()


# ------------------------------------------------------------------ 4. the lease race

F_SETPIPE_SZ, F_GETPIPE_SZ = 1031, 1032  # Linux fcntl.h
NOTE_PATH = {"v1": r"^/v1/candidates/\d+/activity_feed/notes$", "v3": r"^/v3/notes$"}


def journal_sent(w, rid, bound_s=20):
    """The message id once rid is journaled as sent (polled read-only)."""
    db = os.path.join(w.home, "outbox.sqlite")
    deadline = time.monotonic() + bound_s
    while time.monotonic() < deadline:
        try:
            con = sqlite3.connect("file:%s?mode=ro" % db, uri=True, timeout=30)
            try:
                r = con.execute("SELECT send_state, message_id FROM journal WHERE request_id = ?",
                                (rid,)).fetchone()
            finally:
                con.close()
            if r and r[0] == "sent":
                return r[1]
        except sqlite3.OperationalError:
            pass  # not created yet
        time.sleep(0.05)
    return None


def raw_frame(h):
    hdr = h._read_exact(4)
    n = int.from_bytes(hdr, sys.byteorder)
    return 4 + n, json.loads(h._read_exact(n).decode())


def flush_ahead(w, seconds):
    return subprocess.run([os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib",
                                        "faketime.sh"), "-f", "+%ds" % seconds, relib.HOST,
                           "outbox", "flush"], env=dict(os.environ, **w.env),
                          capture_output=True, text=True, timeout=120)


def lease_stall(w, ck, rid):
    """A's reply blocks on a full stdout after its claim; B at +600 s takes the note over."""
    h = w.port()
    fd = h.proc.stdout.fileno()
    fcntl.fcntl(fd, F_SETPIPE_SZ, 4096)
    cap = fcntl.fcntl(fd, F_GETPIPE_SZ)
    h.send({"id": "p0000", "type": "ping"})
    size, _ = raw_frame(h)
    k = cap // size  # ping replies nobody reads, leaving less room than the send's reply
    p = dict(send_payload(rid, phone(7001), "reliab lease stall rid=%s" % rid),
             id="s1", reply_before_note=True)
    h.send_raw(b"".join(frame({"id": "p%04d" % (i + 1), "type": "ping"})
                        for i in range(k)) + frame(p))
    mid = journal_sent(w, rid)
    ck.check(mid is not None, "lease stall: %s never journaled as sent" % rid)
    time.sleep(0.3)
    b = flush_ahead(w, 600)
    ck.check(b.returncode == 0, "lease stall: flush exit %d: %s" % (b.returncode, b.stderr[-300:]))
    for _ in range(k + 1):
        raw_frame(h)
    _, ev = raw_frame(h)
    rc, _, err = h.close()
    ck.check(rc == 0 and ev.get("event") == "note" and ev["note"]["state"] == "written",
             "lease stall: host exit %d, event %r: %s" % (rc, ev, err[-300:]))


def lease_slow(w, ck, rid):
    """A's note POST held 4 s with timeout_ms 200000; B at +130 s must leave it alone."""
    w.configure({"timeout_ms": 200000})
    w.fakes.fault({"server": "harvest", "method": "POST", "path_re": NOTE_PATH[w.gen],
                   "action": {"delay_ms": 4000}, "times": 1})
    h = w.port()
    h.send(send_payload(rid, phone(7002), "reliab lease slow rid=%s" % rid))
    ck.check(journal_sent(w, rid) is not None, "lease slow: %s never journaled as sent" % rid)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and not any(f.get("fired") for f in w.fakes.faults()):
        time.sleep(0.05)
    b = flush_ahead(w, 130)
    ck.check(b.returncode in (0, 3), "lease slow: flush exit %d: %s"
             % (b.returncode, b.stderr[-300:]))
    reply = h.read_reply()
    rc, _, err = h.close()
    ck.check(rc == 0 and code(reply) == "ok", "lease slow: host exit %d %r" % (rc, reply))
    w.fakes.reset_faults()
    w.configure()


def scenario_lease(args, ck):
    if not shutil.which("faketime"):
        ck.check(False, "lease: faketime is not installed (Debian package faketime)")
        return {"scenario": "lease race", "requests": 0, "messages": 0, "notes": 0,
                "duplicates": 0, "extra": "not run: no faketime"}
    w = World(args.gen, tag="lease", random_seed=args.seed)
    rids = ["lease-stall-%s" % args.gen, "lease-slow-%s" % args.gen]
    try:
        lease_stall(w, ck, rids[0])
        lease_slow(w, ck, rids[1])
        per_rid, msgs, notes, dups = exactly_once(ck, w, rids, "lease")
        print("lease: %d messages, %d notes, %d duplicates" % (msgs, notes, dups), flush=True)
        return {"scenario": "lease race (%s: stalled stdout vs a flush +600 s; a note POST held "
                            "4 s with timeout_ms 200000 vs a flush +130 s)" % args.gen,
                "requests": len(rids), "messages": msgs, "notes": notes, "duplicates": dups,
                "extra": "one note per message: the claim re-taken before each POST"}
    finally:
        w.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("scenario", choices=["stops", "parallel", "storm", "lease"])
    ap.add_argument("--short", action="store_true")
    ap.add_argument("--gen", default="v1", choices=["v1", "v3"])
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--count", type=int, default=0)
    ap.add_argument("--summary", default=None)
    args = ap.parse_args()
    ck = Checks()
    t0 = time.monotonic()
    row = {"scenario": args.scenario, "requests": 0, "messages": 0, "notes": 0,
           "duplicates": 0}
    try:
        row = {"stops": scenario_stops, "parallel": scenario_parallel,
               "storm": scenario_storm, "lease": scenario_lease}[args.scenario](args, ck)
    except Exception as ex:  # noqa: BLE001 — a crash of the driver is a failure
        import traceback
        traceback.print_exc()
        ck.check(False, "%s: driver raised %r" % (args.scenario, ex))
    row["seconds"] = round(time.monotonic() - t0, 1)
    row["result"] = "PASS" if not ck.failures else "FAIL (%d)" % len(ck.failures)
    relib.write_summary(args.summary, row)
    print("%d passed, %d failed" % (ck.count - len(ck.failures), len(ck.failures)))
    return 1 if ck.failures else 0


if __name__ == "__main__":
    sys.exit(main())
