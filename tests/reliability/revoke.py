#!/usr/bin/env python3
"""Reliability: revoking an extension while its ports are sending.

    revoke.py [--summary FILE] [--ports N] [--sends N]

P ports (default 3) of an extension the settings allow (not the stub) send texts back to
back; after each has had a few answered, `textus-host configure` removes the id. Checked,
from the replies, the fakes' records and the journal: every port's first refused frame is
answered forbidden_origin and the host then exits by itself with code 5; no request written
after configure returned is answered ok; every ok reply has exactly one message at TextUs
and every refused request none; the outbox flushes clean; a new port of the id is refused
and, once the id is allowed again, served. Well under 20 s. Exit 0 only when every check
held; the last line is "N passed, N failed" (checks).
"""
import argparse
import sys
import threading
import time

import relib
from relib import Checks, World, code, phone, send_payload, tally
from nmhost import Host

EXT = "mmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmm"
ORIGIN = "chrome-extension://%s/" % EXT


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--summary", default=None)
    ap.add_argument("--ports", type=int, default=3)
    ap.add_argument("--sends", type=int, default=60)
    args = ap.parse_args()
    ck = Checks()
    t0 = time.monotonic()
    w = World("v1", tag="revoke")
    sent = []  # (port, rid, written at, code)
    ends = {}  # port -> (exit code, last code)
    lock = threading.Lock()
    revoked_at = [None]
    msgs = oks = dups = 0
    try:
        w.configure({"allowed_extension_ids": [EXT]})

        def worker(k):
            h = Host(env=w.env, origin=ORIGIN)
            last = None
            try:
                for j in range(args.sends):
                    rid = "rev-%d-%03d" % (k, j)
                    at = time.monotonic()
                    reply = h.request(send_payload(rid, phone(k * 1000 + j),
                                                   "reliab revoke port %d rid=%s" % (k, rid)))
                    last = code(reply)
                    with lock:
                        sent.append((k, rid, at, last))
                    if last != "ok":
                        break
                # the host ends the port by itself (its stdin still open)
                rc = h.proc.wait(timeout=15)
            except Exception as ex:  # noqa: BLE001 — reported as a failed check
                rc = "raised %r" % ex
            finally:
                if h.proc.poll() is None:
                    h.proc.kill()
                h.close()
            ends[k] = (rc, last)

        ths = [threading.Thread(target=worker, args=(k,)) for k in range(args.ports)]
        for t in ths:
            t.start()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with lock:
                per = [sum(1 for s in sent if s[0] == k and s[3] == "ok")
                       for k in range(args.ports)]
            if min(per) >= 3:
                break
            time.sleep(0.05)
        w.configure({"allowed_extension_ids": []})
        revoked_at[0] = time.monotonic()
        for t in ths:
            t.join(60)

        for k in range(args.ports):
            rc, last = ends.get(k, (None, None))
            ck.check(last == "forbidden_origin",
                     "port %d: the last reply was %s, not forbidden_origin" % (k, last))
            ck.check(rc == 5, "port %d: host exit %r, want 5 (revoked)" % (k, rc))
        late_ok = [rid for _, rid, at, c in sent if at > revoked_at[0] and c == "ok"]
        ck.check(not late_ok, "requests written after the revocation answered ok: %s"
                 % late_ok[:5])
        others = [(rid, c) for _, rid, _, c in sent if c not in ("ok", "forbidden_origin")]
        ck.check(not others, "unexpected replies: %s" % others[:5])
        ok_rids = [rid for _, rid, _, c in sent if c == "ok"]
        refused = [rid for _, rid, _, c in sent if c == "forbidden_origin"]
        oks = len(ok_rids)
        flush_rounds = 0
        while True:  # the notes of the last sends may still be on their way
            flush_rounds += 1
            reply, rc, err = w.one({"type": "flush_outbox"})
            r = reply["result"] if code(reply) == "ok" else {}
            if r.get("pending") == 0 and r.get("unknown") == 0 or flush_rounds > 20:
                break
            time.sleep(0.5)
        ck.check(r.get("pending") == 0 and r.get("unknown") == 0,
                 "the outbox is not clean: %r" % reply)
        per_rid, _, per_msg = tally(w, ok_rids + refused)
        msgs = sum(len(v) for v in per_rid.values())
        dups = sum(1 for v in per_rid.values() if len(v) > 1)
        ck.check(all(len(per_rid.get(rid, [])) == 1 for rid in ok_rids),
                 "an ok send without exactly one message: %s"
                 % [rid for rid in ok_rids if len(per_rid.get(rid, [])) != 1][:5])
        ck.check(not any(rid in per_rid for rid in refused),
                 "a refused request reached TextUs: %s"
                 % [rid for rid in refused if rid in per_rid][:5])
        rows = w.journal_rows()
        ck.check(not any(rid in rows for rid in refused),
                 "a refused request was journaled: %s" % [r for r in refused if r in rows][:5])
        # a new port of the id: refused at once; allowed again: served
        h = Host(env=w.env, origin=ORIGIN)
        r1 = h.request({"type": "ping", "id": 1})
        h.close()
        ck.check(code(r1) == "forbidden_origin", "a new port after the revocation: %r" % r1)
        w.configure({"allowed_extension_ids": [EXT]})
        h = Host(env=w.env, origin=ORIGIN)
        r2 = h.request({"type": "ping", "id": 2})
        rc2, _, _ = h.close()
        ck.check(code(r2) == "ok" and rc2 == 0, "allowed again: %r, exit %r" % (r2, rc2))
        print("revoke: %d ports; %d sends answered ok, %d refused; %d messages at TextUs; "
              "host exit codes %s; %.1f s"
              % (args.ports, oks, len(refused), msgs,
                 [ends.get(k, (None,))[0] for k in range(args.ports)], time.monotonic() - t0),
              flush=True)
    except Exception as ex:  # noqa: BLE001 — a crash of the driver is a failure
        import traceback
        traceback.print_exc()
        ck.check(False, "revoke: driver raised %r" % ex)
    finally:
        w.close()
    relib.write_summary(args.summary, {
        "scenario": "revocation on %d open ports (v1)" % args.ports, "requests": len(sent),
        "messages": msgs, "notes": "-", "duplicates": dups,
        "extra": "%d answered ok, then forbidden_origin and exit 5" % oks,
        "seconds": round(time.monotonic() - t0, 1),
        "result": "PASS" if not ck.failures else "FAIL (%d)" % len(ck.failures)})
    print("%d passed, %d failed" % (ck.count - len(ck.failures), len(ck.failures)))
    return 1 if ck.failures else 0


if __name__ == "__main__":
    sys.exit(main())
