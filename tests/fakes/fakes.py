#!/usr/bin/env python3
"""Local fake servers for the textus-host tests (Python 3 standard library only).

    python3 tests/fakes/fakes.py --seed SEED.json --state-dir DIR
        [--tls-cert C --tls-key K] [--textus-port N --harvest-port N --auth-port N]
        [--max-seconds 900] [--random-seed N] [--idle-timeout 30] [--config JSON]

Starts three HTTP/1.1 listeners on 127.0.0.1 -- textus (TextUs Next), harvest (Harvest /v1 and
/v3, plus the transition /auth/token), auth (OAuth POST /token) -- then writes DIR/ports.json
atomically. Every API request is appended to DIR/requests.jsonl. Control API under /__fake/ on
every listener. See README.md.
"""

import argparse
import json
import os
import signal
import ssl
import sys
import threading
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from fakecore import (CONTROL_PREFIX, FakeHandler, FakeHTTPServer, FaultEngine,  # noqa: E402
                      RateLimiter, Recorder, Response, utc_iso)
from harvest_fake import AuthFake, GreenhouseStore, HarvestFake  # noqa: E402
from textus_fake import TextUsFake  # noqa: E402

DEFAULT_CONFIG = {
    # TextUs (https://apidocs.next.textus.com/overview/rate_limiting): 1,000 requests / 5 min
    "textus_rate_limit": 1000,
    "textus_rate_window": 300,
    "textus_page_size": 25,                 # undocumented page size; small -> pagination
    "textus_timeline_page_size": 25,        # the same for conversation timelines
    "textus_collection_key": "members",     # or "hydra:member" (Nango's spelling)
    "textus_saved_reply_search": "both",    # the search parameter read: both, q, query, none
    "textus_segment_limit": 3,              # default segment limit; 0 disables
    "textus_advance_on_get": [],            # e.g. ["queued","dispatched","delivered"]
    # Harvest v1 (https://developers.greenhouse.io/harvest.html#rate-limiting): per 10 s, the
    # docs' example 50 -- the tests of limits and the scale benchmark set that; the default is
    # high so that a test that spends many requests at once is not paced by the host
    "harvest_v1_rate_limit": 1000,
    "harvest_v1_rate_window": 10,
    "v1_retired": False,                    # v1/v2 removal scheduled for 2026-08-31
    "v1_retired_status": 404,               # or 410
    "v1_missing_permission_status": 401,    # the docs' 401: "...with the correct permissions"
    "v1_note_status": 201,                  # 200 vs 201 is not documented
    "v1_enforce_https": False,              # HTTP -> 403 (off: tests mostly use http)
    "v1_forbid_get_body": True,             # a body on a GET -> 403
    # Harvest v3: a fixed 30 s window (third-party report); the number is not documented
    "harvest_v3_rate_limit": 1000,          # 100 in the tests of limits (see v1's)
    "harvest_v3_rate_window": 30,
    "v3_require_site_admin": True,          # v3 GETs need a Site Admin subject (auth guide)
    "v3_default_per_page": 100,
    # auth.greenhouse.io (https://harvestdocs.greenhouse.io/docs/authentication)
    "auth_token_expires_in": 3600,
    "auth_token_response_style": "expires_in",   # or "expires_at" / "expires"
    "auth_rate_limit": 100,
    "auth_rate_window": 60,
}


class World:
    """Everything the three listeners share: fakes, knobs, recorder, faults, control API."""

    def __init__(self, state_dir, seed, random_seed=None, config=None):
        self.state_dir = state_dir
        self.lock = threading.RLock()
        self.config = dict(DEFAULT_CONFIG)
        if config:
            self.set_config(config)
        self.limiter = RateLimiter()
        self.faults = FaultEngine(random_seed)
        self.store = GreenhouseStore()
        self.textus = TextUsFake(self.config, self.limiter, random_seed)
        self.fakes = {"textus": self.textus,
                      "harvest": HarvestFake(self.config, self.limiter, self.store),
                      "auth": AuthFake(self.config, self.limiter, self.store)}
        self._log_fh = open(os.path.join(state_dir, "fakes.log"), "a", encoding="utf-8")
        self.recorder = Recorder(os.path.join(state_dir, "requests.jsonl"), self.secrets)
        self.seed(seed)

    # ------------------------------------------------------------------ shared helpers
    def log(self, msg):
        with self.lock:
            self._log_fh.write("%s %s\n" % (utc_iso(ms=True), msg))
            self._log_fh.flush()

    def secrets(self):
        with self.lock:
            return self.textus.secrets() + self.store.secrets()

    def seed(self, data):
        with self.lock:
            self.textus.seed((data or {}).get("textus"))
            self.store.seed((data or {}).get("harvest"))

    def set_config(self, knobs):
        unknown = [k for k in knobs if k not in DEFAULT_CONFIG]
        if unknown:
            raise ValueError("unknown config knob(s): %s" % ", ".join(unknown))
        self.config.update(knobs)

    def call_fake(self, fake, req):
        with self.lock:
            try:
                return fake.handle(req)
            except Exception:       # a fake bug must not kill the connection silently
                self.log("fake %s crashed on %s %s\n%s" % (fake.name, req.method, req.path,
                                                          traceback.format_exc()))
                return Response(500, {"message": "fake internal error (see fakes.log)"})

    def state(self):
        with self.lock:
            return {"textus": self.textus.state(), "harvest": self.store.state(),
                    "connections": json.loads(json.dumps(self.recorder.conn_stats)),
                    "faults": self.faults.list(), "config": dict(self.config),
                    "requests_recorded": len(self.recorder.records())}

    # ------------------------------------------------------------------ control API
    def control(self, req):
        """/__fake/... : test-only endpoints, no auth, never recorded or faulted."""
        op = req.path[len(CONTROL_PREFIX):].strip("/")
        try:
            data = req.json() if req.body else None
        except (ValueError, UnicodeDecodeError):
            return Response(400, {"error": "body must be JSON"})
        try:
            with self.lock:
                resp = self._control(req.method, op, req, data)
        except (ValueError, KeyError, TypeError) as e:
            resp = Response(400, {"error": "%s: %s" % (e.__class__.__name__, e)})
        # Control output (state, records) may echo client data: scrub secrets from it too.
        resp.body = self.recorder.redact(resp.body.decode("utf-8")).encode("utf-8")
        return resp

    def _control(self, method, op, req, data):
        if method == "GET" and op == "requests":
            since = int(req.query.get("since", "0"))
            return Response(200, self.recorder.records(req.query.get("server"), since))
        if method == "GET" and op == "state":
            return Response(200, self.state())
        if method == "GET" and op == "faults":
            return Response(200, self.faults.list())
        if method == "POST" and op == "faults":
            return Response(200, {"added": self.faults.add(data)})
        if method == "POST" and op == "reset-faults":
            self.faults.reset()
            return Response(200, {"ok": True})
        if method == "POST" and op == "advance":
            data = data or {}
            changed = self.textus.advance(data.get("message_id"), data.get("state"))
            return Response(200, {"changed": changed})
        if method == "POST" and op == "inbound":
            mid = self.textus.inbound(data["account"], data["from"], data["body"])
            if mid is None:  # a blocked number: TextUs does not receive it
                return Response(200, {"message_id": None, "dropped": "blocked"})
            return Response(200, {"message_id": mid})
        if method == "POST" and op == "outbound":
            mid = self.textus.outbound(data["account"], data["to"], data["body"],
                                       data.get("sender"))
            return Response(200, {"message_id": mid})
        if method == "POST" and op == "seed":
            self.seed(data)
            return Response(200, {"ok": True})
        if method == "GET" and op == "config":
            return Response(200, dict(self.config))
        if method == "POST" and op == "config":
            self.set_config(data or {})
            return Response(200, dict(self.config))
        if method == "POST" and op == "reset-rate-limits":
            self.limiter.reset()
            return Response(200, {"ok": True})
        if method == "POST" and op == "expire-tokens":
            self.store.expire_tokens()
            return Response(200, {"ok": True})
        return Response(404, {"error": "unknown control operation %s %s" % (method, op)})


def write_atomic(path, obj):
    tmp = "%s.tmp.%d" % (path, os.getpid())
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(obj, fh)
        fh.write("\n")
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def main(argv=None):
    ap = argparse.ArgumentParser(description="textus-host local fake servers")
    ap.add_argument("--seed", required=True, help="seed JSON file")
    ap.add_argument("--state-dir", required=True)
    ap.add_argument("--tls-cert")
    ap.add_argument("--tls-key")
    ap.add_argument("--textus-port", type=int, default=0)
    ap.add_argument("--harvest-port", type=int, default=0)
    ap.add_argument("--auth-port", type=int, default=0)
    ap.add_argument("--max-seconds", type=float, default=900,
                    help="hard self-destruct timer (default 900)")
    ap.add_argument("--random-seed", type=int, default=None,
                    help="seeds fault probabilities and generated ids")
    ap.add_argument("--idle-timeout", type=float, default=30,
                    help="close idle keep-alive connections after this many seconds")
    ap.add_argument("--config", default=None, help="JSON object of initial knobs")
    args = ap.parse_args(argv)

    if bool(args.tls_cert) != bool(args.tls_key):
        ap.error("--tls-cert and --tls-key go together")
    os.makedirs(args.state_dir, exist_ok=True)
    ports_path = os.path.join(args.state_dir, "ports.json")
    try:
        os.unlink(ports_path)                 # never let a test read a stale file
    except FileNotFoundError:
        pass
    with open(args.seed, encoding="utf-8") as fh:
        seed = json.load(fh)

    world = World(args.state_dir, seed, args.random_seed,
                  json.loads(args.config) if args.config else None)
    FakeHandler.timeout = args.idle_timeout

    ssl_ctx = None
    if args.tls_cert:
        ssl_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ssl_ctx.minimum_version = ssl.TLSVersion.TLSv1_2
        ssl_ctx.load_cert_chain(args.tls_cert, args.tls_key)

    servers = {}
    for name, port in (("textus", args.textus_port), ("harvest", args.harvest_port),
                       ("auth", args.auth_port)):
        servers[name] = FakeHTTPServer(name, port, world, ssl_ctx)
    threads = []
    for srv in servers.values():
        t = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.2},
                             name="serve-" + srv.name, daemon=True)
        t.start()
        threads.append(t)

    stop = threading.Event()
    reason = {"why": "signal"}

    def on_signal(signum, frame):
        reason["why"] = "signal %d" % signum
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    info = {name: srv.server_address[1] for name, srv in servers.items()}
    info["pid"] = os.getpid()
    info["scheme"] = "https" if ssl_ctx else "http"
    write_atomic(ports_path, info)
    world.log("ready %s" % json.dumps(info))

    if not stop.wait(args.max_seconds):
        reason["why"] = "max-seconds (%gs) reached" % args.max_seconds
        sys.stderr.write("fakes.py: self-destruct: %s\n" % reason["why"])

    world.log("stopping: %s" % reason["why"])
    # shutdown() blocks until serve_forever returns; bound it with a watchdog
    watchdog = threading.Timer(5, lambda: os._exit(3))
    watchdog.daemon = True
    watchdog.start()
    for srv in servers.values():
        srv.shutdown()
        srv.server_close()
    try:
        write_atomic(os.path.join(args.state_dir, "state.json"),
                     json.loads(world.recorder.redact(json.dumps(world.state()))))
    except Exception:
        world.log("could not write state.json\n" + traceback.format_exc())
    try:
        os.unlink(ports_path)
    except FileNotFoundError:
        pass
    world.recorder.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
