"""Drive the real textus-host binary through pipes, as Chrome does.

Used by the protocol, send-flow and reliability tests. Frames are built by
hand (4-byte native-endian length + UTF-8 JSON). TH_WRAPPER (e.g. valgrind)
is prepended to the command when set.
"""
import json
import os
import shlex
import struct
import subprocess

STUB_ID = "hfboccpnppdfmcdbjjgmobnhljkkmjji"
STUB_ORIGIN = "chrome-extension://%s/" % STUB_ID


def host_path():
    return os.environ["TH_HOST"]


def frame(payload):
    if isinstance(payload, (dict, list)):
        payload = json.dumps(payload).encode()
    elif isinstance(payload, str):
        payload = payload.encode()
    return struct.pack("=I", len(payload)) + payload


class Host:
    """One host process (one Chrome port)."""

    def __init__(self, args=None, env=None, origin=STUB_ORIGIN):
        cmd = shlex.split(os.environ.get("TH_WRAPPER", "")) + [host_path()]
        if origin is not None:
            cmd.append(origin)
        cmd += args or []
        full_env = dict(os.environ)
        full_env.update(env or {})
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, env=full_env)

    def send_raw(self, data):
        self.proc.stdin.write(data)
        self.proc.stdin.flush()

    def send(self, payload):
        self.send_raw(frame(payload))

    def read_reply(self):
        hdr = self._read_exact(4)
        if hdr is None:
            return None
        (n,) = struct.unpack("=I", hdr)
        body = self._read_exact(n)
        assert body is not None, "host closed stdout inside a frame"
        return json.loads(body.decode("utf-8"))

    def request(self, payload):
        self.send(payload)
        return self.read_reply()

    def _read_exact(self, n):
        buf = b""
        while len(buf) < n:
            chunk = self.proc.stdout.read(n - len(buf))
            if not chunk:
                return None if not buf else buf
            buf += chunk
        return buf

    def close(self, timeout=60):
        """Close stdin (the port) and return (exit code, remaining stdout, stderr)."""
        try:
            self.proc.stdin.close()
        except BrokenPipeError:
            pass
        out = self.proc.stdout.read()
        err = self.proc.stderr.read()
        rc = self.proc.wait(timeout=timeout)
        return rc, out, err.decode("utf-8", "replace")


def one_shot(payload, **kw):
    """sendNativeMessage: one request, then EOF. Returns (reply, exit code, stderr)."""
    h = Host(**kw)
    h.send(payload)
    reply = h.read_reply()
    rc, rest, err = h.close()
    assert rest == b"", "bytes after the reply: %r" % rest[:100]
    return reply, rc, err
