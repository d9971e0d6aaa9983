#!/usr/bin/env python3
"""netproxy.py — a userspace TCP proxy that puts a simulated network between a
client and a local server, logs every byte that crosses it, and counts the
round trips on the critical path from that log. Python 3 standard library
(asyncio) only: no root, no tc/netem, no system setting changed.

One process serves any number of named listeners on 127.0.0.1, each forwarding
to one upstream (`--upstream textus=127.0.0.1:PORT`); TLS passes through as
opaque bytes, so a TLS handshake pays its real round trips.

THE MODEL (RTT = the round-trip time set with --rtt-ms or the `rtt` command)

  * One-way delay RTT/2 in each direction, for every chunk (one read() of up to
    64 KiB from a socket). A chunk read from one side at time t_recv is written
    to the other side at t_due = t_recv + RTT/2, never before the chunk read
    before it in the same direction (order is kept; bandwidth is unlimited, no
    loss, no slow start, no Nagle: TCP_NODELAY on both legs).
  * TCP handshake. The local connect() completes at once, but in the model
    SYN reaches the server at +RTT/2, SYN-ACK the client at +RTT, and the
    client's ACK with its first data byte reaches the server at +1.5 RTT. So
    the client's first chunk on a new connection is due at
    max(t_accept + 1.5 RTT, t_recv + RTT/2), and the server's first chunk (a
    server that speaks first) at max(t_accept + 2 RTT, t_recv + RTT/2).
  * End of stream (FIN) travels like a chunk: half-closed with write_eof() after
    RTT/2. A read error (reset) also travels like a chunk, then closes both
    legs; a write error closes both at once.
  * The proxy to upstream leg is real loopback (not delayed); the upstream
    connection is opened when the client's connection is accepted.
  * A changed RTT applies to chunks read after the change.
  * Timers: asyncio sleeps to ~1 ms before t_due, then a blocking sleep of the
    rest (epoll's timeouts are whole milliseconds); each chunk's lateness
    (t_sent - t_due) is logged, and `lateness()` summarises it.

THE LOG (--log FILE): one JSON object per line, times from time.monotonic()
(CLOCK_MONOTONIC, comparable across processes on Linux):

  {"ev": "accept", "p": NAME, "c": CONN, "t": T, "rtt": MS}
  {"ev": "data", "p": NAME, "c": CONN, "d": "c2s"|"s2c", "n": BYTES,
   "tr": T_RECV, "tdue": T_DUE, "ts": T_SENT}
  {"ev": "eof", "p": NAME, "c": CONN, "d": "c2s"|"s2c", "tr": T, "ts": T}
  {"ev": "close", "p": NAME, "c": CONN, "t": T}
  {"ev": "rtt", "t": T, "rtt": MS}

Connection ids are unique across the listeners of one process. Only sizes and
times are logged, never content.

ROUND TRIPS ON THE CRITICAL PATH (critical_path(): between t0, the request, and
t1, the reply or the event being timed)

  * What is sent and what answers it. Each new connection's TCP handshake is sent
    at t_accept and answered at t_accept + RTT (the SYN-ACK). Each
    client->server chunk is sent at its tr and answered at the ts of the first
    server->client chunk written to the client on the same connection at or
    after that (None when there is none).
  * Depth. depth(x) = 1 + the largest depth among everything, on any connection,
    sent in the window and answered at or before x was sent (0 when nothing
    was); a connection's first chunk also comes after its handshake. Chunks sent
    before any answer came back (one flight: TLS Finished + the request) share
    a depth. So on one connection, a client->server chunk that follows a
    server->client chunk is one more round trip, the connection setup is one
    more, and work on different connections that overlaps in time counts once.
  * Not a round trip: anything sent before t0 or after t1 (a kept-alive
    connection's earlier requests count for nothing), anything not answered by
    t1 (it cannot end the path), and a "goodbye" (chunks followed by the
    client's EOF with nothing written to the client in between, e.g. a TLS
    close_notify): the client waited for nothing.
  * The round trips on the critical path = the largest depth among what was
    answered by t1: the longest chain of round trips each of which was sent only
    after the previous one was answered.
  * Worked example, TLS 1.3 and one request: TCP (1), ClientHello -> ServerHello
    ... Finished (2), client Finished + request -> response (3). The same
    request on a warm connection: 1.
  * Caveat: a server flight the client did not wait for (TLS 1.3
    NewSessionTicket right after the handshake) that reaches the client before
    its next chunk is counted as an answer. With RTT > 0 the client's request
    leaves a millisecond or so after its Finished, long before the ticket can
    arrive (a full RTT later), so this cannot happen; at RTT 0 there is no
    network and the count may be one higher per TLS connection when the
    server's ticket wins the race.

CLI:
  netproxy.py --rtt-ms MS --log FILE --ports-file FILE --upstream NAME=HOST:PORT ...
  Writes {"NAME": listen_port, ..., "pid": PID} to the ports file (atomically)
  when listening. Commands on stdin, one per line, each answered on stdout:
    rtt MS   -> "ok rtt MS"     set the RTT for what is read from now on
    sync     -> "ok sync"       every event so far is in the log file
  EOF on stdin or SIGTERM stops it.
"""
import argparse
import asyncio
import json
import os
import signal
import statistics
import sys
import time


class Proxy:
    def __init__(self, rtt_ms, log_path):
        self.rtt = rtt_ms / 1000.0
        self.log_fh = open(log_path, "a", encoding="utf-8")
        self.next_conn = 1
        self.servers = {}
        self.tasks = set()

    def log(self, obj):
        if not self.log_fh.closed:
                self.log_fh.write(json.dumps(obj, separators=(",", ":")) + "\n")

    def set_rtt(self, ms):
        self.rtt = ms / 1000.0
        self.log({"ev": "rtt", "t": time.monotonic(), "rtt": ms})

    async def listen(self, name, up_host, up_port):
        async def on_client(reader, writer):
            task = asyncio.current_task()
            self.tasks.add(task)
            try:
                await self.connection(name, up_host, up_port, reader, writer)
            except asyncio.CancelledError:
                pass
            finally:
                self.tasks.discard(task)

        srv = await asyncio.start_server(on_client, "127.0.0.1", 0)
        self.servers[name] = srv
        return srv.sockets[0].getsockname()[1]

    async def connection(self, name, up_host, up_port, c_reader, c_writer):
        t_accept = time.monotonic()
        conn = self.next_conn
        self.next_conn += 1
        rtt = self.rtt
        self.log({"ev": "accept", "p": name, "c": conn, "t": t_accept, "rtt": rtt * 1000.0})
        try:
            s_reader, s_writer = await asyncio.open_connection(up_host, up_port)
        except OSError:
            c_writer.close()
            self.log({"ev": "close", "p": name, "c": conn, "t": time.monotonic()})
            return
        legs = [
            asyncio.ensure_future(self.pump(name, conn, "c2s", c_reader, s_writer,
                                            t_accept + 1.5 * rtt)),
            asyncio.ensure_future(self.pump(name, conn, "s2c", s_reader, c_writer,
                                            t_accept + 2.0 * rtt)),
        ]
        try:
            await asyncio.wait(legs, return_when=asyncio.FIRST_EXCEPTION)
        finally:
            for leg in legs:  # an error on one leg (or the proxy stopping): reset both
                leg.cancel()
            await asyncio.gather(*legs, return_exceptions=True)
            for w in (c_writer, s_writer):
                try:
                    w.close()
                except OSError:
                    pass
            self.log({"ev": "close", "p": name, "c": conn, "t": time.monotonic()})

    async def pump(self, name, conn, direction, reader, writer, first_floor):
        """Read chunks from one side; a writer task delivers each at its due time."""
        queue = asyncio.Queue()
        deliver = asyncio.ensure_future(self.deliver(name, conn, direction, queue, writer))
        last_due = 0.0
        first = True
        try:
            while True:
                try:
                    data = await reader.read(65536)
                except (ConnectionError, OSError):
                    data = None
                t_recv = time.monotonic()
                due = t_recv + self.rtt / 2.0
                if first:
                    due = max(due, first_floor)
                    first = False
                due = max(due, last_due)
                last_due = due
                queue.put_nowait((t_recv, due, data))
                if not data:
                    break
            await deliver
        finally:
            if not deliver.done():
                deliver.cancel()

    async def deliver(self, name, conn, direction, queue, writer):
        while True:
            t_recv, due, data = await queue.get()
            wait = due - time.monotonic()
            if wait > 0.0011:
                await asyncio.sleep(wait - 0.0011)
            wait = due - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            if data is None:  # read error: reset
                raise ConnectionResetError("%s leg %d reset" % (direction, conn))
            t_sent = time.monotonic()
            if data == b"":
                self.log({"ev": "eof", "p": name, "c": conn, "d": direction,
                          "tr": t_recv, "ts": t_sent})
                try:
                    if writer.can_write_eof():
                        writer.write_eof()
                except OSError:
                    pass
                return
            writer.write(data)
            self.log({"ev": "data", "p": name, "c": conn, "d": direction, "n": len(data),
                      "tr": t_recv, "tdue": due, "ts": t_sent})
            await writer.drain()


async def serve(args):
    proxy = Proxy(args.rtt_ms, args.log)
    ports = {"pid": os.getpid()}
    for spec in args.upstream:
        name, _, hp = spec.partition("=")
        host, _, port = hp.rpartition(":")
        ports[name] = await proxy.listen(name, host, int(port))
    proxy.log({"ev": "rtt", "t": time.monotonic(), "rtt": args.rtt_ms})
    proxy.log_fh.flush()
    tmp = args.ports_file + ".tmp"
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(ports, fh)
    os.replace(tmp, args.ports_file)

    loop = asyncio.get_running_loop()
    stop = loop.create_future()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, lambda: stop.done() or stop.set_result(None))

    async def flusher():  # keep the log current without a write() per line
        while True:
            await asyncio.sleep(0.2)
            proxy.log_fh.flush()

    async def commands():
        reader = asyncio.StreamReader()
        await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
        while True:
            line = await reader.readline()
            if not line:
                break
            words = line.decode().split()
            if words[:1] == ["rtt"] and len(words) == 2:
                proxy.set_rtt(float(words[1]))
                reply = "ok rtt %s" % words[1]
            elif words == ["sync"]:
                reply = "ok sync"
            else:
                reply = "error unknown command"
            proxy.log_fh.flush()
            sys.stdout.write(reply + "\n")
            sys.stdout.flush()
        if not stop.done():
            stop.set_result(None)

    tasks = [asyncio.ensure_future(flusher()), asyncio.ensure_future(commands())]
    await stop
    for t in tasks:
        t.cancel()
    for srv in proxy.servers.values():
        srv.close()
    live = list(proxy.tasks)
    for t in live:
        t.cancel()
    await asyncio.gather(*live, return_exceptions=True)
    proxy.log_fh.flush()
    proxy.log_fh.close()
    try:
        os.unlink(args.ports_file)
    except OSError:
        pass


# --------------------------------------------------------------------------- counting

def read_log(path):
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def _client_time(ev):
    """When the client saw the event: it sent a c2s chunk at tr (the proxy read it
    then) and received an s2c chunk at ts (the proxy wrote it then)."""
    if ev["ev"] == "accept":
        return ev["t"]
    return ev["tr"] if ev["d"] == "c2s" else ev["ts"]


def exchanges(events, t0, t1):
    """The items (see the top comment) sent in [t0, t1]: each connection's TCP handshake
    ("tcp") and each client->server chunk ("data"), with the time it was sent, the time
    it was answered (None: never) and "goodbye" (followed by the client's EOF with
    nothing written to the client in between)."""
    conns = {}
    for ev in events:
        if ev["ev"] in ("accept", "data", "eof"):
            conns.setdefault((ev["p"], ev["c"]), []).append(ev)
    out = []
    for (p, c), evs in conns.items():
        evs.sort(key=_client_time)
        s2c = [ev["ts"] for ev in evs if ev["ev"] == "data" and ev["d"] == "s2c"]
        items, quiet, tcp = [], [], None
        for ev in evs:
            if ev["ev"] == "accept":
                tcp = {"p": p, "c": c, "kind": "tcp", "sent": ev["t"],
                       "answered": ev["t"] + ev["rtt"] / 1000.0, "goodbye": False, "tcp": None}
                items.append(tcp)
            elif ev["ev"] == "data" and ev["d"] == "c2s":
                first = not any(i["kind"] == "data" for i in items)
                later = [ts for ts in s2c if ts >= ev["tr"]]
                item = {"p": p, "c": c, "kind": "data", "sent": ev["tr"],
                        "answered": later[0] if later else None, "goodbye": False,
                        "tcp": tcp if first else None}
                items.append(item)
                quiet.append(item)
            elif ev["ev"] == "data" and ev["d"] == "s2c":
                quiet = []
            elif ev["ev"] == "eof" and ev["d"] == "c2s":
                for item in quiet:
                    item["goodbye"] = True
                quiet = []
        out += [i for i in items if t0 <= i["sent"] <= t1 and not i["goodbye"]]
    out.sort(key=lambda i: i["sent"])
    return out


def critical_path(events, t0, t1):
    """(round trips on the critical path between t0 and t1, [the items of that chain])."""
    items = exchanges(events, t0, t1)
    best = (0, None)
    for x in items:
        cands = [q for q in items if q is not x and q["answered"] is not None
                 and q["answered"] <= x["sent"] and "depth" in q]
        if x["tcp"] is not None and "depth" in x["tcp"]:
            cands.append(x["tcp"])
        parent = max(cands, key=lambda q: q["depth"], default=None)
        x["depth"] = 1 + (parent["depth"] if parent else 0)
        x["parent"] = parent
        if x["answered"] is not None and x["answered"] <= t1 and x["depth"] > best[0]:
            best = (x["depth"], x)
    chain = []
    x = best[1]
    while x is not None:
        chain.append(x)
        x = x["parent"]
    return best[0], list(reversed(chain))


def describe(chain):
    """'textus tcp+3, harvest tcp+2': the chain, per connection, in order."""
    parts = []
    for r in chain:
        key = (r["p"], r["c"])
        if parts and parts[-1][0] == key:
            parts[-1][1].append(r["kind"])
        else:
            parts.append((key, [r["kind"]]))
    out = []
    for (p, _), kinds in parts:
        n = sum(1 for k in kinds if k == "data")
        out.append("%s %s%d" % (p, "tcp+" if kinds[0] == "tcp" else "", n))
    return ", ".join(out)


def lateness(events, t0=float("-inf"), t1=float("inf")):
    """Median and max of (t_sent - t_due) over the data chunks in [t0, t1], in ms."""
    late = [(ev["ts"] - ev["tdue"]) * 1000.0 for ev in events
            if ev["ev"] == "data" and t0 <= ev["tr"] <= t1]
    if not late:
        return 0.0, 0.0
    return statistics.median(late), max(late)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rtt-ms", type=float, default=0.0)
    ap.add_argument("--log", required=True)
    ap.add_argument("--ports-file", required=True)
    ap.add_argument("--upstream", action="append", required=True, metavar="NAME=HOST:PORT")
    asyncio.run(serve(ap.parse_args()))


if __name__ == "__main__":
    main()
