"""Shared plumbing for the local fake servers (Python 3 standard library only).

Contents:
  Request / Response    -- the small value objects every fake works with
  RateLimiter           -- fixed-window counters keyed by credential (or client IP)
  FaultEngine           -- per-route fault rules (status, 429, delay, drops, garbage)
  Recorder              -- requests.jsonl + in-memory records, secret redaction,
                           TCP connection counters
  FakeHTTPServer        -- ThreadingHTTPServer (HTTP/1.1, keep-alive, optional TLS)
  FakeHandler           -- reads one request, applies faults, calls the fake, records

Nothing here knows about TextUs or Greenhouse; see textus_fake.py and harvest_fake.py.
"""

import base64
import datetime
import json
import random
import re
import socket
import ssl
import sys
import threading
import time
import traceback
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

CONTROL_PREFIX = "/__fake/"


# --------------------------------------------------------------------------- time / json helpers

def utc_iso(ts=None, ms=False):
    """ISO-8601 UTC with a Z suffix; millisecond precision when ms=True."""
    if ts is None:
        ts = time.time()
    d = datetime.datetime.fromtimestamp(ts, tz=datetime.timezone.utc)
    if ms:
        return d.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (d.microsecond // 1000)
    return d.strftime("%Y-%m-%dT%H:%M:%SZ")


def dumps(obj):
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def media_types(header_value):
    """'a/b; q=1, c/d' -> ['a/b', 'c/d'] (lower-cased, parameters dropped)."""
    if not header_value:
        return []
    return [part.split(";", 1)[0].strip().lower()
            for part in header_value.split(",") if part.strip()]


# --------------------------------------------------------------------------- request / response

class Request:
    """One parsed HTTP request as seen by a fake."""

    def __init__(self, server, method, target, headers, body, conn_id, client_ip, scheme):
        self.server = server              # "textus" | "harvest" | "auth"
        self.method = method
        self.target = target              # raw request target (path + query)
        split = urllib.parse.urlsplit(target)
        self.raw_path = split.path        # still percent-encoded
        self.path = urllib.parse.unquote(split.path)
        self.raw_query = split.query
        # keep_blank_values so "?cursor=" still counts as a parameter
        self.query_list = urllib.parse.parse_qsl(split.query, keep_blank_values=True)
        self.query = {}
        for k, v in self.query_list:
            self.query.setdefault(k, v)    # first value wins; query_multi has all
        self.headers = headers            # dict: lower-cased name -> value (last wins)
        self.body = body                  # bytes
        self.conn_id = conn_id
        self.client_ip = client_ip
        self.scheme = scheme
        self.host = headers.get("host") or "127.0.0.1"

    def query_multi(self, key):
        return [v for k, v in self.query_list if k == key]

    def header(self, name, default=None):
        return self.headers.get(name.lower(), default)

    def json(self):
        """Body parsed as JSON, or raise ValueError."""
        if not self.body:
            raise ValueError("empty body")
        return json.loads(self.body.decode("utf-8"))

    def form(self):
        return dict(urllib.parse.parse_qsl(self.body.decode("utf-8", "replace"),
                                           keep_blank_values=True))

    def base_url(self):
        return "%s://%s" % (self.scheme, self.host)

    def parsed_body_for_record(self):
        """JSON if it parses, else form dict if form-encoded, else text (None when empty)."""
        if not self.body:
            return None
        text = self.body.decode("utf-8", "replace")
        try:
            return json.loads(text)
        except ValueError:
            pass
        ctype = media_types(self.header("content-type"))
        if ctype and ctype[0] == "application/x-www-form-urlencoded":
            return dict(urllib.parse.parse_qsl(text, keep_blank_values=True))
        return text


class Response:
    def __init__(self, status, body=b"", content_type=None, headers=None):
        self.status = status
        if isinstance(body, (dict, list)):
            body = dumps(body)
            content_type = content_type or "application/json; charset=utf-8"
        elif isinstance(body, str):
            body = body.encode("utf-8")
        self.body = body or b""
        self.headers = []                 # list of (name, value); order kept
        if content_type and self.body:
            self.headers.append(("Content-Type", content_type))
        for k, v in (headers or {}).items():
            self.headers.append((k, str(v)))

    def set_header(self, name, value):
        self.headers = [(k, v) for k, v in self.headers if k.lower() != name.lower()]
        self.headers.append((name, str(value)))

    def get_header(self, name):
        for k, v in self.headers:
            if k.lower() == name.lower():
                return v
        return None


# --------------------------------------------------------------------------- rate limiting

class RateLimiter:
    """Fixed-window counter per key. Thread-safe.

    hit() counts one request and returns (allowed, limit, remaining, reset_epoch, retry_after).
    A refused request is not counted.
    """

    def __init__(self):
        self._lock = threading.Lock()
        self._windows = {}                # key -> [window_start, count]

    def hit(self, key, limit, window_s, now=None):
        now = time.time() if now is None else now
        with self._lock:
            w = self._windows.get(key)
            if w is None or now >= w[0] + window_s:
                w = [now, 0]
                self._windows[key] = w
            reset = w[0] + window_s
            if w[1] >= limit:
                retry_after = max(1, int(reset - now + 0.999))
                return False, limit, 0, int(reset + 0.999), retry_after
            w[1] += 1
            return True, limit, limit - w[1], int(reset + 0.999), 0

    def reset(self):
        with self._lock:
            self._windows.clear()


# --------------------------------------------------------------------------- faults

VALID_STRING_ACTIONS = ("drop_before", "drop_after", "garbage", "truncate")


class FaultEngine:
    """Per-route fault rules; see README.md "Fault rules".

    rule = {"server": "harvest", "method": "POST", "path_re": "...",
            "times": 2, "skip": 0, "probability": 0.2, "action": ...}
    times: missing -> 1; null or -1 -> unlimited.  skip: let N matching requests through first.
    """

    def __init__(self, random_seed=None):
        self._lock = threading.Lock()
        self._rules = []
        self._rng = random.Random(random_seed)
        self._next_id = 1

    @staticmethod
    def validate(rule):
        if not isinstance(rule, dict):
            raise ValueError("rule must be an object")
        act = rule.get("action")
        if isinstance(act, str):
            if act not in VALID_STRING_ACTIONS:
                raise ValueError("unknown action %r" % act)
        elif isinstance(act, dict):
            if not ("status" in act or "delay_ms" in act):
                raise ValueError("action object needs status and/or delay_ms")
        else:
            raise ValueError("rule needs an action")
        if "path_re" in rule:
            re.compile(rule["path_re"])
        if rule.get("server") not in (None, "textus", "harvest", "auth"):
            raise ValueError("server must be textus, harvest or auth")
        p = rule.get("probability")
        if p is not None and not (0 <= float(p) <= 1):
            raise ValueError("probability must be within 0..1")

    def add(self, rules):
        if isinstance(rules, dict):
            rules = [rules]
        for r in rules:
            self.validate(r)
        added = []
        with self._lock:
            for r in rules:
                r = dict(r)
                times = r.get("times", 1) if "times" in r else 1
                r["remaining"] = None if times is None or times < 0 else int(times)
                r["skip_left"] = int(r.get("skip", 0))
                r["id"] = self._next_id
                r["fired"] = 0
                self._next_id += 1
                self._rules.append(r)
                added.append(r["id"])
        return added

    def reset(self):
        with self._lock:
            self._rules = []

    def list(self):
        with self._lock:
            return [dict(r) for r in self._rules]

    def match(self, server, method, path):
        """Return (rule_id, action) for the first live matching rule, or None."""
        with self._lock:
            for r in self._rules:
                if r["remaining"] is not None and r["remaining"] <= 0:
                    continue
                if r.get("server") and r["server"] != server:
                    continue
                if r.get("method") and r["method"].upper() != method:
                    continue
                if r.get("path_re") and not re.search(r["path_re"], path):
                    continue
                if r["skip_left"] > 0:
                    r["skip_left"] -= 1
                    continue
                p = r.get("probability")
                if p is not None and self._rng.random() >= float(p):
                    continue
                if r["remaining"] is not None:
                    r["remaining"] -= 1
                r["fired"] += 1
                return r["id"], r["action"]
        return None


# --------------------------------------------------------------------------- recording

class Recorder:
    """Appends one JSON line per API request to DIR/requests.jsonl and keeps them in memory.

    Secrets: Authorization (and other credential headers) are replaced by a description
    supplied by the fake; as a last line of defence every known secret string
    (supplied by secrets_fn) is replaced by "[REDACTED]" anywhere in the line.
    """

    SENSITIVE_HEADERS = ("authorization", "proxy-authorization", "cookie", "x-api-key")
    SENSITIVE_KEYS = ("client_secret", "password", "access_token", "refresh_token",
                      "api_key", "apikey", "token", "secret")

    def __init__(self, path, secrets_fn):
        self._lock = threading.Lock()
        self._path = path
        self._fh = open(path, "a", encoding="utf-8")
        self._records = []
        self._secrets_fn = secrets_fn
        self._conn_counter = 0
        self.conn_stats = {}              # server -> {"accepted", "api", "tls_failures"}
        self._api_conns = set()

    # connections ---------------------------------------------------------
    def new_connection(self, server):
        with self._lock:
            self._conn_counter += 1
            st = self.conn_stats.setdefault(server, {"accepted": 0, "api": 0, "tls_failures": 0})
            st["accepted"] += 1
            return self._conn_counter

    def tls_failure(self, server):
        with self._lock:
            st = self.conn_stats.setdefault(server, {"accepted": 0, "api": 0, "tls_failures": 0})
            st["tls_failures"] += 1

    def mark_api_connection(self, server, conn_id):
        """Count a connection in "api" the first time it carries a non-control request."""
        with self._lock:
            if conn_id not in self._api_conns:
                self._api_conns.add(conn_id)
                self.conn_stats.setdefault(server, {"accepted": 0, "api": 0, "tls_failures": 0})
                self.conn_stats[server]["api"] += 1

    # records -------------------------------------------------------------
    def _scrub(self, obj):
        if isinstance(obj, dict):
            out = {}
            for k, v in obj.items():
                if isinstance(k, str) and k.lower() in self.SENSITIVE_KEYS and v not in (None, ""):
                    out[k] = "[REDACTED]"
                else:
                    out[k] = self._scrub(v)
            return out
        if isinstance(obj, list):
            return [self._scrub(v) for v in obj]
        return obj

    def redact(self, text):
        """Replace every known secret (seed credentials, issued tokens) by "[REDACTED]"."""
        for s in sorted(self._secrets_fn(), key=len, reverse=True):
            if s and len(s) >= 6:
                text = text.replace(s, "[REDACTED]")
        return text

    def record(self, req, status, auth_description, fault=None, dropped=None, duration_ms=None):
        headers = {}
        for k, v in req.headers.items():
            if k == "authorization":
                headers[k] = auth_description
            elif k in self.SENSITIVE_HEADERS:
                headers[k] = "[REDACTED]"
            else:
                headers[k] = v
        rec = {
            "server": req.server,
            "method": req.method,
            "path": req.path,
            "query": self._scrub(req.query),
            "headers": headers,
            "body": self._scrub(req.parsed_body_for_record()),
            "status": status,
            "conn": req.conn_id,
            "time": utc_iso(ms=True),
            "t": round(time.time(), 3),
        }
        if duration_ms is not None:
            rec["duration_ms"] = duration_ms
        if fault is not None:
            rec["fault"] = fault
        if dropped is not None:
            rec["dropped"] = dropped
        with self._lock:
            rec["seq"] = len(self._records) + 1
            line = self.redact(json.dumps(rec, ensure_ascii=False, sort_keys=True))
            rec = json.loads(line)
            self._records.append(rec)
            self._fh.write(line + "\n")
            self._fh.flush()
        return rec

    def records(self, server=None, since=0):
        with self._lock:
            return [r for r in self._records
                    if r["seq"] > since and (server is None or r["server"] == server)]

    def close(self):
        with self._lock:
            self._fh.close()


# --------------------------------------------------------------------------- HTTP server

class FakeHTTPServer(ThreadingHTTPServer):
    """One listener. `world` owns the fakes, recorder, faults and control API."""

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64

    def __init__(self, name, port, world, ssl_ctx=None):
        self.name = name
        self.world = world
        self.ssl_ctx = ssl_ctx
        super().__init__(("127.0.0.1", port), FakeHandler)

    def get_request(self):
        sock, addr = self.socket.accept()
        if self.ssl_ctx is not None:
            # Handshake later, in the per-connection thread, so a slow or refusing client
            # never blocks the accept loop.
            sock = self.ssl_ctx.wrap_socket(sock, server_side=True, do_handshake_on_connect=False)
        return sock, addr

    def handle_error(self, request, client_address):
        exc = sys.exc_info()[1]
        if isinstance(exc, (ssl.SSLError, ConnectionError, socket.timeout, OSError)):
            if isinstance(exc, ssl.SSLError):
                self.world.recorder.tls_failure(self.name)
            self.world.log("%s: connection error from %s: %s" % (self.name, client_address[0],
                                                                 exc.__class__.__name__))
            return
        self.world.log("%s: unexpected error\n%s" % (self.name, traceback.format_exc()))


class _Drop(Exception):
    pass


class FakeHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body leave in separate writes; with Nagle on, a kept-alive
    # connection stalls ~40 ms per response on the client's delayed ACK. Real
    # servers do not, and the stall would make every client look slow.
    disable_nagle_algorithm = True
    server_version = "textus-host-fake/1"
    sys_version = ""
    timeout = 30                          # idle keep-alive timeout (seconds); set from CLI

    def setup(self):
        self.conn_id = self.server.world.recorder.new_connection(self.server.name)
        if isinstance(self.request, ssl.SSLSocket):
            self.request.settimeout(10)
            self.request.do_handshake()
        super().setup()

    def version_string(self):
        return self.server_version

    def log_message(self, fmt, *args):    # silence stderr; the recorder is the log
        pass

    def _dispatch(self):
        try:
            self._serve()
        except _Drop:
            self.close_connection = True
        except (ConnectionError, socket.timeout, ssl.SSLError):
            self.close_connection = True

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _dispatch

    # body ------------------------------------------------------------------
    def _read_body(self):
        te = (self.headers.get("Transfer-Encoding") or "").lower()
        if "chunked" in te:
            chunks = []
            while True:
                line = self.rfile.readline(65537)
                size = int(line.split(b";", 1)[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                        pass
                    break
                chunks.append(self.rfile.read(size))
                self.rfile.readline(65537)
            return b"".join(chunks)
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n > 0 else b""

    # main ------------------------------------------------------------------
    def _serve(self):
        world = self.server.world
        name = self.server.name
        started = time.time()
        headers = {k.lower(): v for k, v in self.headers.items()}
        body = self._read_body()
        scheme = "https" if self.server.ssl_ctx is not None else "http"
        req = Request(name, self.command, self.path, headers, body, self.conn_id,
                      self.client_address[0], scheme)

        if req.path.startswith(CONTROL_PREFIX):
            self._write(world.control(req))
            return

        world.recorder.mark_api_connection(name, self.conn_id)
        fake = world.fakes[name]
        auth_desc = fake.describe_auth(req.header("authorization"))
        hit = world.faults.match(name, req.method, req.path)
        fault_info = None
        act = None
        if hit is not None:
            fault_info = {"rule": hit[0], "action": hit[1]}
            act = hit[1]

        def rec(status, dropped=None):
            world.recorder.record(req, status, auth_desc, fault=fault_info, dropped=dropped,
                                  duration_ms=int((time.time() - started) * 1000))

        if act == "drop_before":
            rec(None, dropped="before")
            self._hard_close()
        if isinstance(act, dict) and act.get("delay_ms"):
            time.sleep(float(act["delay_ms"]) / 1000.0)
        if isinstance(act, dict) and "status" in act:
            resp = self._fault_response(act, fake)
        else:
            resp = world.call_fake(fake, req)
        if act == "garbage":
            # The operation WAS performed; the answer is unparseable (e.g. a proxy page).
            ctype = resp.get_header("Content-Type") or "application/json"
            resp = Response(200, "<html><body>502 Bad Gateway (fake garbage)</body></html>\n",
                            content_type=ctype)
        if act == "drop_after":
            rec(resp.status, dropped="after")
            self._hard_close()
        if act == "truncate":
            rec(resp.status, dropped="truncated")
            self._write(resp, truncate=True)
            self._hard_close()
        rec(resp.status)
        self._write(resp)

    def _fault_response(self, act, fake):
        status = int(act["status"])
        body = act.get("body")
        if body is None:
            body = {"message": "fake fault: HTTP %d" % status}
        resp = Response(status, body, content_type=fake.error_content_type)
        for k, v in (act.get("headers") or {}).items():
            resp.set_header(k, v)
        if "retry_after" in act:
            ra = int(act["retry_after"])
            resp.set_header("Retry-After", ra)
            resp.set_header("X-RateLimit-Limit", act.get("limit", fake.current_limit()))
            resp.set_header("X-RateLimit-Remaining", 0)
            resp.set_header("X-RateLimit-Reset", int(time.time()) + ra)
        return resp

    def _hard_close(self):
        try:
            self.wfile.flush()
        except OSError:
            pass
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        raise _Drop()

    def _write(self, resp, truncate=False):
        self.send_response(resp.status)
        for k, v in resp.headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(resp.body)))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(resp.body[: len(resp.body) // 2] if truncate else resp.body)
        self.wfile.flush()


# --------------------------------------------------------------------------- auth helpers

def parse_basic(header_value):
    """'Basic base64(user:pass)' -> (user, pass) or None."""
    if not header_value:
        return None
    parts = header_value.split(None, 1)
    if len(parts) != 2 or parts[0].lower() != "basic":
        return None
    try:
        raw = base64.b64decode(parts[1].strip(), validate=True).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        return None
    if ":" not in raw:
        return None
    user, pw = raw.split(":", 1)
    return user, pw


def parse_bearer(header_value):
    if not header_value:
        return None
    parts = header_value.split(None, 1)
    if len(parts) != 2 or parts[0].lower() != "bearer":
        return None
    return parts[1].strip()


def auth_scheme(header_value):
    if not header_value:
        return None
    return header_value.split(None, 1)[0]
