"""Drive the real textus-host binary through pipes, as Chrome does.

Used by the protocol, send-flow and reliability tests. Frames are built by
hand (4-byte native-endian length + UTF-8 JSON). TH_WRAPPER (e.g. valgrind)
is prepended to the command when set.

Under Wine (TH_WIN_EXE set: tests/windows/run_suites.py) a process can end inside Wine's own
startup, before any of the host's code ran (issue P: once a silent exit 1 within 5 ms of its
start). one_shot tells that from a host failure by the host's log (TEXTUS_HOST_LOG), whose
first line the host writes as soon as its main() runs ("start origin=..." or "start cli ..."):
no reply, nothing on stdout, only Wine's own lines on stderr and no start line is Wine's, said
in a "WINE: ..." line, and that one request runs again once (safe: the host read nothing, sent
nothing). With a start line it is the host's failure, as before. tests/windows/wine_host.sh
does the same for command-line runs and writes its WINE lines to $TH_WINE_NOTES, which this
module sets to a file of its own and prints at exit.
"""
import atexit
import json
import os
import re
import shlex
import struct
import subprocess
import tempfile
import time

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


def under_wine():
    return bool(os.environ.get("TH_WIN_EXE"))


# Wine's own diagnostics on stderr (WINEDEBUG=err+all in wine_host.sh): "0024:err:module:...",
# or without the thread id before a thread exists ("err:virtual:virtual_alloc_first_teb ...")
WINE_DEBUG_LINE = re.compile(r"^([0-9a-f]{4}:)?(err|warn|fixme|trace):")
# "start origin=..." (its origin redacted: "start [redacted]:[redacted]") or "start cli <name>"
HOST_START_LINE = re.compile(r"\] start( |$)", re.M)


# The signatures of a death in Wine's startup actually seen (issue P), and no others: exit 1
# within WINE_EARLY_SECS of the start with nothing on stderr (ntdll's start_server
# exit(status)), or exit 1 with nothing on stderr but Wine's c0000018 line. Any other exit code
# (3 is the host's crash filter, host/os_win.c) or any other stderr is the host's: a host whose
# log could not open writes no start line, so a missing start line alone proves nothing.
WINE_EARLY_SECS = 0.3
WINE_STARTUP_LINE = re.compile(r"^([0-9a-f]{4}:)?err:\S+ wine: failed to map the shared user "
                               r"data: c0000018$")


def wine_before_host(rc, out, err, log_path, secs):
    """None, or the "WINE: ..." line when a process ended before any of the host's code ran:
    one of the signatures above, nothing on stdout, and a log (log_path: the Unix path of the
    run's TEXTUS_HOST_LOG, a file only this run writes) without the host's start line."""
    if not log_path or rc != 1 or out:
        return None
    lines = [ln for ln in err.splitlines() if ln.strip()]
    if lines:
        if not all(WINE_STARTUP_LINE.match(ln.strip()) for ln in lines):
            return None
    elif secs > WINE_EARLY_SECS:
        return None
    try:
        with open(log_path, encoding="utf-8", errors="replace") as f:
            if HOST_START_LINE.search(f.read()):
                return None
    except FileNotFoundError:
        pass
    except OSError:
        return None
    return ("WINE: the process ended in %d ms with exit %d and %s, before the host's first log "
            "line: taken for Wine's startup; that one run again" %
            (secs * 1000, rc, "nothing but Wine's own lines (%r)" % err.strip()[-400:]
             if lines else "nothing on stdout or stderr"))


def _wine_notes_at_exit(path):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            for ln in f.read().splitlines():
                print(ln, flush=True)
        os.unlink(path)
    except OSError:
        pass


if under_wine() and not os.environ.get("TH_WINE_NOTES"):
    _fd, _notes = tempfile.mkstemp(prefix="th-wine-notes-")
    os.close(_fd)
    os.environ["TH_WINE_NOTES"] = _notes
    atexit.register(_wine_notes_at_exit, _notes)


def one_shot(payload, wine_log=None, **kw):
    """sendNativeMessage: one request, then EOF. Returns (reply, exit code, stderr).
    Under Wine the host logs to wine_log (the Unix path of the caller's TEXTUS_HOST_LOG) or to
    a file of its own, and a process that ended before the host's code ran is run once more
    (module comment)."""
    env = dict(kw.pop("env", None) or {})
    own_log = None
    if under_wine() and not wine_log and "TEXTUS_HOST_LOG" not in env:
        fd, own_log = tempfile.mkstemp(prefix="th-wine-host-", suffix=".log")
        os.close(fd)
        os.unlink(own_log)
        env["TEXTUS_HOST_LOG"] = "Z:" + own_log
    try:
        for attempt in (1, 2):
            t = time.monotonic()
            h = Host(env=env, **kw)
            try:
                h.send(payload)
            except BrokenPipeError:
                pass  # ended before it read anything: its exit status says the rest
            reply = h.read_reply()
            rc, rest, err = h.close()
            why = (wine_before_host(rc, rest, err, wine_log or own_log, time.monotonic() - t)
                   if reply is None else None)
            if not why:
                break
            if attempt == 2:
                print(why.replace("startup; that one run again",
                                  "startup again: not a one-off; not run again"),
                      flush=True)
                break
            print(why, flush=True)
    finally:
        if own_log and os.path.exists(own_log):
            os.unlink(own_log)
    assert rest == b"", "bytes after the reply: %r" % rest[:100]
    return reply, rc, err
