#!/usr/bin/env python3
"""test_netproxy.py — the latency proxy and its round-trip counting.

Synthetic logs with known answers (a one-shot click over TLS, a warm port, checks
that overlap, a goodbye, an unanswered request, log lines out of order, a window
on a kept-alive connection), then the real proxy at RTT 40 ms in front of a tiny
echo server: nothing is delivered earlier than the model says (a lower bound,
never a speed target) and the count from its log is exact.
Prints "N passed, N failed"; exit status 1 on any failure.
"""
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import netproxy  # noqa: E402
from tally import check, done  # noqa: E402


class Log:
    """Builds a synthetic proxy log. Times in ms; RTT 10 ms unless told."""

    def __init__(self):
        self.ev = []
        self.n = 0

    def accept(self, p, t, rtt=10):
        self.n += 1
        self.ev.append({"ev": "accept", "p": p, "c": self.n, "t": t / 1e3, "rtt": rtt})
        return self.n

    def c2s(self, c, t, n=100, rtt=10):
        p = self._p(c)
        self.ev.append({"ev": "data", "p": p, "c": c, "d": "c2s", "n": n, "tr": t / 1e3,
                        "tdue": (t + rtt / 2) / 1e3, "ts": (t + rtt / 2) / 1e3})

    def s2c(self, c, t, n=100, rtt=10):
        p = self._p(c)
        self.ev.append({"ev": "data", "p": p, "c": c, "d": "s2c", "n": n,
                        "tr": (t - rtt / 2) / 1e3, "tdue": t / 1e3, "ts": t / 1e3})

    def eof(self, c, t, rtt=10):
        self.ev.append({"ev": "eof", "p": self._p(c), "c": c, "d": "c2s", "tr": t / 1e3,
                        "ts": (t + rtt / 2) / 1e3})

    def exchange(self, c, t, rtt=10):
        """Client sends at t, answer reaches it at t + rtt; returns that time."""
        self.c2s(c, t)
        self.s2c(c, t + rtt)
        return t + rtt

    def tls_connection(self, p, t, requests, rtt=10):
        """TCP, TLS 1.3 (ClientHello; Finished + first request), more requests."""
        c = self.accept(p, t, rtt)
        t = self.exchange(c, t + 0.1)              # ClientHello -> ServerHello..Finished
        t = t + 0.1
        self.c2s(c, t, 80)                         # client Finished
        t = self.exchange(c, t + 0.05)             # first request, same flight
        for _ in range(requests - 1):
            t = self.exchange(c, t + 1)
        return c, t

    def _p(self, c):
        return next(e["p"] for e in self.ev if e.get("c") == c and e["ev"] == "accept")

    def count(self, t0, t1):
        return netproxy.critical_path(self.ev, t0 / 1e3, t1 / 1e3)


def synthetic():
    # one-shot click: TextUs (opt-out, conversation, SMS), then Greenhouse (note)
    lg = Log()
    _, t = lg.tls_connection("textus", 0, 3)
    _, t = lg.tls_connection("harvest", t + 2, 1)
    n, chain = lg.count(0, t + 1)
    check("one-shot over TLS: 8 round trips", n == 8, "got %d" % n)
    check("one-shot chain described", netproxy.describe(chain) == "textus tcp+4, harvest tcp+2",
          netproxy.describe(chain))

    # the curl pair: two processes, each ending with a goodbye (close_notify + EOF)
    lg = Log()
    c1, t = lg.tls_connection("textus", 0, 1)
    lg.c2s(c1, t + 0.5, 24)
    lg.eof(c1, t + 0.6)
    lg.s2c(c1, t + 10.5, 24)                       # the server's close_notify
    c2, t = lg.tls_connection("harvest", t + 3, 1)
    lg.c2s(c2, t + 0.5, 24)
    lg.eof(c2, t + 0.6)
    lg.s2c(c2, t + 10.5, 24)
    n, _ = lg.count(0, t + 20)
    check("curl pair: 6 round trips, goodbyes not counted", n == 6, "got %d" % n)

    # a warm port: earlier rounds on the kept-alive connections are outside the window
    lg = Log()
    ct, t = lg.tls_connection("textus", 0, 1)
    cg, t = lg.tls_connection("harvest", t + 1, 1)
    t0 = t + 100
    t = lg.exchange(ct, t0)
    t = lg.exchange(ct, t + 1)
    t = lg.exchange(ct, t + 1)
    t = lg.exchange(cg, t + 1)
    n, chain = lg.count(t0, t + 0.5)
    check("warm port: 4 round trips", n == 4, "got %d" % n)
    check("warm chain described", netproxy.describe(chain) == "textus 3, harvest 1",
          netproxy.describe(chain))

    # checks that overlap on two connections count once: 2 in parallel, SMS, note
    lg = Log()
    ca, _ = lg.tls_connection("textus", 0, 1)
    cb, _ = lg.tls_connection("textus", 0.2, 1)
    cg, t = lg.tls_connection("harvest", 0.4, 1)
    t0 = t + 100
    lg.exchange(ca, t0)
    t = lg.exchange(cb, t0 + 0.3)
    t = lg.exchange(ca, t + 1)
    t = lg.exchange(cg, t + 1)
    n, _ = lg.count(t0, t + 0.5)
    check("overlapping checks count once: 3 round trips", n == 3, "got %d" % n)

    # Greenhouse connected (TCP + TLS) at the start, alongside TextUs: its handshake
    # overlaps TextUs's; the note follows the SMS on the ready connection. Times as
    # the model has them: the first bytes reach the server at 1.5 RTT.
    lg = Log()
    ct = lg.accept("textus", 0)
    cg = lg.accept("harvest", 0.05)
    lg.c2s(ct, 0.1, 517)
    lg.c2s(cg, 0.15, 517)
    lg.s2c(ct, 20)                                 # ServerHello .. Finished
    lg.s2c(cg, 20.1)
    lg.c2s(cg, 20.2, 80)                           # Greenhouse: client Finished only
    lg.c2s(ct, 20.3, 80)                           # TextUs: Finished + the SMS POST
    lg.c2s(ct, 20.35, 400)
    lg.s2c(ct, 30.35)
    t = lg.exchange(cg, 31)                        # the note
    n, chain = lg.count(0, t + 0.5)
    check("Greenhouse pre-connected alongside TextUs: 4 round trips", n == 4,
          "got %d (%s)" % (n, netproxy.describe(chain)))

    # the same, but Greenhouse connected only after TextUs's handshake: 5 in series
    lg = Log()
    ct = lg.accept("textus", 0)
    lg.c2s(ct, 0.1, 517)
    lg.s2c(ct, 20)
    lg.c2s(ct, 20.1, 80)
    lg.c2s(ct, 20.15, 400)                         # SMS, answered at 30.15
    cg = lg.accept("harvest", 20.2)
    lg.c2s(cg, 20.25, 517)
    lg.s2c(ct, 30.15)
    lg.s2c(cg, 40.2)
    lg.c2s(cg, 40.3, 80)
    t = lg.exchange(cg, 40.35)                     # Finished + note
    n, chain = lg.count(0, t + 0.5)
    check("Greenhouse connected after TextUs's handshake: 5 round trips", n == 5,
          "got %d (%s)" % (n, netproxy.describe(chain)))

    # a request never answered before the reply is not a round trip
    lg = Log()
    ct, t = lg.tls_connection("textus", 0, 1)
    lg.c2s(ct, t + 1)
    n, _ = lg.count(0, t + 5)
    check("unanswered request not counted", n == 3, "got %d" % n)

    # the client's order, not the file's: a chunk is logged when written (RTT/2 after
    # it was read), so server data written meanwhile comes first in the file
    lg = Log()
    c = lg.accept("textus", 0, rtt=100)
    lg.c2s(c, 1, rtt=100)                          # logged at 51
    lg.s2c(c, 101, rtt=100)
    lg.c2s(c, 120, rtt=100)                        # logged at 170
    lg.s2c(c, 125, rtt=100)                        # logged at 125: answers the chunk above
    lg.eof(c, 130, rtt=100)                        # logged at 180
    lg.ev.sort(key=lambda e: e.get("ts", e.get("t")))  # the file's order
    n, _ = lg.count(0, 200)
    check("the client's order, not the log's: answered, not a goodbye: 3 round trips",
          n == 3, "got %d" % n)


def echo_server():
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(4)

    def serve():
        conn, _ = srv.accept()
        with conn:
            while True:
                data = conn.recv(4096)
                if not data:
                    break
                conn.sendall(data.upper())

    threading.Thread(target=serve, daemon=True).start()
    return srv


def live():
    rtt = 40.0
    srv = echo_server()
    work = tempfile.mkdtemp(prefix="th-netproxy-")
    log, ports = os.path.join(work, "log.jsonl"), os.path.join(work, "ports.json")
    proc = subprocess.Popen([sys.executable, os.path.join(HERE, "netproxy.py"), "--rtt-ms",
                             str(rtt), "--log", log, "--ports-file", ports, "--upstream",
                             "echo=127.0.0.1:%d" % srv.getsockname()[1]],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    try:
        deadline = time.time() + 10
        while not os.path.exists(ports) and time.time() < deadline:
            time.sleep(0.02)
        port = json.load(open(ports))["echo"]
        t0 = time.monotonic()
        s = socket.create_connection(("127.0.0.1", port))
        s.sendall(b"hello")
        first = s.recv(100)
        t1 = time.monotonic()
        s.sendall(b"again")
        second = s.recv(100)
        t2 = time.monotonic()
        s.close()
        time.sleep(0.2)
        check("live: bytes forwarded both ways", (first, second) == (b"HELLO", b"AGAIN"),
              repr((first, second)))
        # 1.5 RTT to reach the server with the first bytes, RTT/2 back
        check("live: first exchange not before 2 RTT", t1 - t0 >= 2 * rtt / 1e3,
              "%.1f ms" % ((t1 - t0) * 1e3))
        check("live: second exchange not before 1 RTT", t2 - t1 >= rtt / 1e3,
              "%.1f ms" % ((t2 - t1) * 1e3))
        proc.stdin.write(b"sync\n")
        proc.stdin.flush()
        check("live: sync answered", proc.stdout.readline() == b"ok sync\n")
        ev = netproxy.read_log(log)
        n, chain = netproxy.critical_path(ev, t0, t2)
        check("live: TCP + 2 exchanges = 3 round trips", n == 3, "got %d (%s)" % (
            n, netproxy.describe(chain)))
        data = [e for e in ev if e["ev"] == "data"]
        check("live: every chunk logged with its size", [e["n"] for e in data] == [5, 5, 5, 5],
              repr([e["n"] for e in data]))
        check("live: no chunk delivered before its due time",
              all(e["ts"] >= e["tdue"] for e in data))
        check("live: end of stream logged", any(e["ev"] == "eof" for e in ev))
    finally:
        proc.stdin.close()
        proc.wait(10)
        srv.close()
        for f in (log, ports):
            if os.path.exists(f):
                os.unlink(f)
        os.rmdir(work)


if __name__ == "__main__":
    synthetic()
    live()
    done()
