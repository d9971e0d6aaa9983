#!/usr/bin/env python3
"""test_smoke.py HOST — the latency benchmark runs and checks what it must; never a time.

1. The per-click check refuses what is not exactly one SMS (201) and one note (201),
   on made-up request records (two SMS, no note, a refused note, a v3 note).
2. bench_latency.py HOST --smoke (RTT 0, one run of each kind, through the proxies
   and TLS) exits 0, every click having been checked in the fakes' log, and prints
   the table: a 0 ms row with four times, three ratios and three round-trip counts
   within what TCP + TLS allow.
Prints "N passed, N failed"; exit status 1 on any failure.
"""
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import bench_latency  # noqa: E402
from tally import check, done  # noqa: E402


class StubFakes:
    def __init__(self, recs):
        self.recs = recs

    def requests(self, since=0):
        return [r for r in self.recs if r["seq"] > since]


def rec(seq, server, path, status=201, method="POST"):
    return {"seq": seq, "server": server, "method": method, "path": path, "status": status}


SMS = ("textus", "/acme/messages")
NOTE_V1 = ("harvest", "/v1/candidates/1001/activity_feed/notes")
NOTE_V3 = ("harvest", "/v3/notes")
CHECKS = ("textus", "/acme/opt_outs/+13035550123", 404, "GET")


def click_check(recs, harvest="v1"):
    b = object.__new__(bench_latency.Bench)
    b.fk, b.seq, b.harvest = StubFakes(recs), 0, harvest
    try:
        b.check_click("click")
        return None
    except bench_latency.Fail as e:
        return str(e)


def checks():
    ok = [rec(1, *CHECKS), rec(2, *SMS), rec(3, *NOTE_V1)]
    check("one SMS + one note accepted", click_check(ok) is None, str(click_check(ok)))
    check("v3 note accepted", click_check([rec(1, *SMS), rec(2, *NOTE_V3)], "v3") is None)
    two = ok + [rec(4, *SMS)]
    check("two SMS refused", click_check(two) is not None and "2 SMS" in click_check(two))
    check("no note refused", click_check(ok[:2]) is not None)
    check("a refused note (422) refused", click_check([rec(1, *SMS), rec(2, *NOTE_V1, 422)])
          is not None)
    check("a v1 note where v3 is configured refused",
          click_check([rec(1, *SMS), rec(2, *NOTE_V1)], "v3") is not None)
    b = object.__new__(bench_latency.Bench)
    b.fk, b.seq, b.harvest = StubFakes(list(ok)), 0, "v1"
    b.check_click("first")
    b.fk.recs += [rec(4, *SMS), rec(5, *NOTE_V1)]  # the next click's records
    b.check_click("second")
    check("each click sees only its own records", b.seq == 5, "seq %d" % b.seq)


def smoke(host):
    p = subprocess.run([sys.executable, os.path.join(HERE, "bench_latency.py"), host, "--smoke"],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=240)
    out, err = p.stdout.decode(), p.stderr.decode()
    check("bench_latency.py --smoke exits 0", p.returncode == 0,
          "exit %d\n%s\n%s" % (p.returncode, out, err[-2000:]))
    check("table header printed", re.search(r"^RTT +\| one-shot +\| warm reply +\| warm note +\| "
                                            r"curl pair +\|", out, re.M) is not None, out)
    row = re.search(r"^0 ms +\| ([\d.]+) ms +\| ([\d.]+) ms +\| ([\d.]+) ms (=reply)? *\| "
                    r"([\d.]+) ms +\| ([\d.]+)x +\| ([\d.]+)x +\| ([\d.]+)x +\| "
                    r"(\d+) / (\d+) / (\d+)\s*$", out, re.M)
    check("0 ms row with times, ratios and round trips", row is not None, out)
    if row:
        one, warm, curl = (int(row.group(i)) for i in (9, 10, 11))
        # TCP + TLS + the request on each of two connections: at least 6 for a fresh
        # process; at RTT 0 a TLS session ticket may add one per connection
        check("round trips: curl pair 6..8", 6 <= curl <= 8, str(curl))
        check("round trips: one-shot at least the curl pair's 6", 6 <= one <= 14, str(one))
        check("round trips: warm port 1..6 (connections kept)", 1 <= warm <= 6, str(warm))
    check("smoke verdict printed", "smoke: ok" in out, out)
    check("no secret in the output", "FAKE_0001" not in out + err)


if __name__ == "__main__":
    checks()
    if len(sys.argv) > 1:
        smoke(sys.argv[1])
    else:
        check("HOST given", False, "usage: test_smoke.py HOST")
    done()
