"""Benchmarks that drive the real host (scripts/bench.sh calls these).

Each subcommand prints TSV rows: benchmark, measured, baseline, ratio, target, verdict.
  rss-cap HOST            peak RSS for a request exactly at the 1 MiB inbound cap
  send HOST BUILD         one send_sms vs the curl CLI; 100 sends over one port;
                          peak RSS for a send (needs the send flow and the fakes)
Medians of repeated runs. Not a test: nothing fails on a slow machine.
"""
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
sys.path.insert(0, os.path.join(HERE, "..", "fakes"))
from nmhost import Host, frame  # noqa: E402

MIB = 1 << 20


def row(name, measured, baseline="-", ratio="-", target="-", verdict="-"):
    print("\t".join(str(x) for x in (name, measured, baseline, ratio, target, verdict)))
    sys.stdout.flush()


def hwm_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmHWM"):
                return int(line.split()[1])
    return 0


def rss_cap(host):
    os.environ["TH_HOST"] = host
    idle, peak = [], []
    base = {"type": "ping", "id": "cap", "pad": ""}
    base["pad"] = "x" * (MIB - len(json.dumps(base).encode()))
    body = json.dumps(base).encode()
    assert len(body) == MIB
    for _ in range(5):
        h = Host()
        h.request({"type": "ping"})
        idle.append(hwm_kib(h.proc.pid))
        h.send_raw(frame(body))
        r = h.read_reply()
        assert r["ok"], r
        peak.append(hwm_kib(h.proc.pid))
        h.close()
    i, p = statistics.median(idle), statistics.median(peak)
    growth = (p - i) / 1024.0
    row("peak RSS, ping (idle host)", "%.1f MiB" % (i / 1024.0))
    row("peak RSS, request at the 1 MiB cap", "%.1f MiB" % (p / 1024.0), "%.1f MiB idle" % (i / 1024.0),
        "%.2fx cap above idle" % growth, "<= 3x cap", "met" if growth <= 3.0 else "missed")


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "rss-cap":
        rss_cap(sys.argv[2])
    else:
        sys.exit(__doc__)
