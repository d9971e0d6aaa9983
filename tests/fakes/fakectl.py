#!/usr/bin/env python3
"""Helper for tests that drive the fakes (importable module + CLI). Standard library only.

CLI:
    fakectl.py DIR wait [TIMEOUT]              wait for DIR/ports.json, print it
    fakectl.py DIR ports                       print ports.json
    fakectl.py DIR url SERVER                  print e.g. http://127.0.0.1:PORT
    fakectl.py DIR requests [SERVER]           print the recorded requests (JSON array)
    fakectl.py DIR state                       print the fake state
    fakectl.py DIR fault JSON                  append fault rule(s) (object or array)
    fakectl.py DIR reset-faults
    fakectl.py DIR advance [MESSAGE_ID [STATE]]
    fakectl.py DIR inbound ACCOUNT FROM BODY   simulate an inbound text (STOP opts out)
    fakectl.py DIR outbound ACCOUNT TO BODY    simulate a colleague's outgoing text
    fakectl.py DIR seed JSON                   merge more seed data
    fakectl.py DIR config [JSON]               show / change knobs
    fakectl.py DIR reset-rate-limits
    fakectl.py DIR expire-tokens               expire every issued OAuth token
    fakectl.py DIR stop                        SIGTERM the fakes and wait for exit

Module:
    import fakectl
    f = fakectl.start(seed_dict_or_path, state_dir, tls_cert=None, tls_key=None, extra_args=[])
    f.url("textus"); f.requests(server="harvest"); f.state(); f.fault({...}); f.advance(...)
    f.stop()
    # or attach to running fakes: fakectl.FakeCtl(state_dir).wait()
"""

import http.client
import json
import os
import signal
import ssl
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))


class FakeCtl:
    def __init__(self, state_dir, proc=None):
        self.state_dir = state_dir
        self.proc = proc
        self._ports = None

    # ------------------------------------------------------------------ discovery
    def wait(self, timeout=15.0):
        path = os.path.join(self.state_dir, "ports.json")
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc is not None and self.proc.poll() is not None:
                raise RuntimeError("fakes exited early with code %s" % self.proc.returncode)
            try:
                with open(path, encoding="utf-8") as fh:
                    self._ports = json.load(fh)
                return self._ports
            except (FileNotFoundError, ValueError):
                time.sleep(0.05)
        raise TimeoutError("fakes did not write %s within %ss" % (path, timeout))

    @property
    def ports(self):
        if self._ports is None:
            self.wait()
        return self._ports

    def url(self, server):
        return "%s://127.0.0.1:%d" % (self.ports["scheme"], self.ports[server])

    # ------------------------------------------------------------------ control calls
    def _call(self, method, op, body=None, query="", server="textus"):
        port = self.ports[server]
        if self.ports["scheme"] == "https":
            # Control traffic only: the product's TLS checks are tested elsewhere.
            ctx = ssl._create_unverified_context()  # noqa: S323
            conn = http.client.HTTPSConnection("127.0.0.1", port, timeout=10, context=ctx)
        else:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        try:
            payload = json.dumps(body).encode() if body is not None else None
            headers = {"Content-Type": "application/json"} if payload else {}
            conn.request(method, "/__fake/" + op + query, body=payload, headers=headers)
            resp = conn.getresponse()
            data = json.loads(resp.read() or b"null")
            if resp.status != 200:
                raise RuntimeError("control %s %s -> %d %s" % (method, op, resp.status, data))
            return data
        finally:
            conn.close()

    def requests(self, server=None, since=0):
        q = "?since=%d" % since + ("&server=%s" % server if server else "")
        return self._call("GET", "requests", query=q)

    def state(self):
        return self._call("GET", "state")

    def fault(self, rule):
        return self._call("POST", "faults", rule)

    def faults(self):
        return self._call("GET", "faults")

    def reset_faults(self):
        return self._call("POST", "reset-faults", {})

    def advance(self, message_id=None, state=None):
        body = {}
        if message_id:
            body["message_id"] = message_id
        if state:
            body["state"] = state
        return self._call("POST", "advance", body)

    def inbound(self, account, from_, body):
        return self._call("POST", "inbound", {"account": account, "from": from_, "body": body})

    def outbound(self, account, to, body, sender="/users/colleague"):
        """A text sent to `to` by someone else (a colleague in the TextUs UI)."""
        return self._call("POST", "outbound", {"account": account, "to": to, "body": body,
                                               "sender": sender})

    def seed(self, data):
        return self._call("POST", "seed", data)

    def config(self, knobs=None):
        if knobs is None:
            return self._call("GET", "config")
        return self._call("POST", "config", knobs)

    def reset_rate_limits(self):
        return self._call("POST", "reset-rate-limits", {})

    def expire_tokens(self):
        return self._call("POST", "expire-tokens", {})

    def stop(self, timeout=10.0):
        pid = self.proc.pid if self.proc is not None else self.ports["pid"]
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        if self.proc is not None:
            self.proc.wait(timeout)
            return
        deadline = time.time() + timeout
        while time.time() < deadline:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.05)


def start(seed, state_dir=None, tls_cert=None, tls_key=None, extra_args=(), timeout=15.0):
    """Start fakes.py as a child process; returns a FakeCtl once ports.json exists.
    seed: a dict or a path to a seed file. A dict is written to a private temp file OUTSIDE
    state_dir (seeds hold the fake credentials; state_dir is audited for canary secrets) and
    removed once the fakes are up."""
    state_dir = state_dir or tempfile.mkdtemp(prefix="fakes-")
    os.makedirs(state_dir, exist_ok=True)
    tmp_seed = None
    if isinstance(seed, dict):
        fd, tmp_seed = tempfile.mkstemp(prefix="fakes-seed-", suffix=".json")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(seed, fh)
        seed = tmp_seed
    cmd = [sys.executable, os.path.join(HERE, "fakes.py"), "--seed", seed,
           "--state-dir", state_dir]
    if tls_cert:
        cmd += ["--tls-cert", tls_cert, "--tls-key", tls_key]
    cmd += list(extra_args)
    log = open(os.path.join(state_dir, "fakes.stderr"), "ab")
    proc = subprocess.Popen(cmd, stdout=log, stderr=log, stdin=subprocess.DEVNULL)
    log.close()
    ctl = FakeCtl(state_dir, proc)
    try:
        ctl.wait(timeout)
    except Exception:
        proc.kill()
        proc.wait()
        raise
    finally:
        if tmp_seed:
            os.unlink(tmp_seed)
    return ctl


def _main(argv):
    if len(argv) < 2:
        sys.stderr.write(__doc__)
        return 2
    ctl = FakeCtl(argv[0])
    cmd, rest = argv[1], argv[2:]
    if cmd == "wait":
        out = ctl.wait(float(rest[0]) if rest else 15.0)
    elif cmd == "ports":
        out = ctl.wait(0.5)
    elif cmd == "url":
        print(ctl.url(rest[0]))
        return 0
    elif cmd == "requests":
        out = ctl.requests(rest[0] if rest else None)
    elif cmd == "state":
        out = ctl.state()
    elif cmd == "fault":
        out = ctl.fault(json.loads(rest[0]))
    elif cmd == "reset-faults":
        out = ctl.reset_faults()
    elif cmd == "advance":
        out = ctl.advance(rest[0] if rest else None, rest[1] if len(rest) > 1 else None)
    elif cmd == "inbound":
        out = ctl.inbound(rest[0], rest[1], rest[2])
    elif cmd == "outbound":
        out = ctl.outbound(rest[0], rest[1], rest[2])
    elif cmd == "seed":
        out = ctl.seed(json.loads(rest[0]))
    elif cmd == "config":
        out = ctl.config(json.loads(rest[0]) if rest else None)
    elif cmd == "reset-rate-limits":
        out = ctl.reset_rate_limits()
    elif cmd == "expire-tokens":
        out = ctl.expire_tokens()
    elif cmd == "stop":
        ctl.stop()
        return 0
    else:
        sys.stderr.write("unknown command %r\n%s" % (cmd, __doc__))
        return 2
    print(json.dumps(out, indent=2, sort_keys=True))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(_main(sys.argv[1:]))
    except (RuntimeError, TimeoutError, OSError, ValueError) as e:
        sys.stderr.write("fakectl: %s\n" % e)
        sys.exit(1)
