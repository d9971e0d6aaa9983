"""Protocol tests: the real textus-host binary driven through pipes with hand-built frames.

Every envelope rule of host/PROTOCOL.md, several requests on one stream,
garbage between valid frames, the caller-origin rule, EOF handling, EPIPE,
the inbound cap drained without buffering, and the CLI's exit codes.
"""
import json
import os
import struct
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import nmhost  # noqa: E402
from nmhost import Host, frame, one_shot, STUB_ORIGIN  # noqa: E402

MIB = 1 << 20
VALGRIND = "valgrind" in os.environ.get("TH_WRAPPER", "")


def code(reply):
    assert reply["ok"] is False, reply
    return reply["error"]["code"]


class Envelope(unittest.TestCase):
    def test_ping_one_shot(self):
        reply, rc, _ = one_shot({"type": "ping", "id": "r1"})
        self.assertEqual(rc, 0)
        self.assertEqual(reply["id"], "r1")
        self.assertIs(reply["ok"], True)
        self.assertEqual(reply["result"]["protocol"], 1)
        self.assertRegex(reply["result"]["version"], r"^\d+\.\d+\.\d+$")

    def test_id_echo(self):
        h = Host()
        self.assertEqual(h.request({"type": "ping", "id": 42})["id"], 42)
        self.assertEqual(h.request({"type": "ping", "id": 1.5})["id"], 1.5)
        self.assertIsNone(h.request({"type": "ping"})["id"])
        self.assertIsNone(h.request({"type": "ping", "id": None})["id"])
        r = h.request({"type": "ping", "id": "é✓"})
        self.assertEqual(r["id"], "é✓")
        self.assertEqual(h.close()[0], 0)

    def test_error_shape(self):
        reply, rc, _ = one_shot({"type": "no_such_verb", "id": 7})
        self.assertEqual(reply["id"], 7)
        self.assertEqual(code(reply), "unknown_type")
        self.assertIsInstance(reply["error"]["message"], str)
        self.assertTrue(reply["error"]["message"])
        self.assertIs(reply["error"]["retryable"], False)

    def test_bad_requests(self):
        h = Host()
        cases = [
            (b"not json", "bad_request"),
            (b"[1,2,3]", "bad_request"),
            (b'"ping"', "bad_request"),
            (b"42", "bad_request"),
            (b"null", "bad_request"),
            (b'{"id":1}', "bad_request"),
            (b'{"type":5}', "bad_request"),
            (b'{"type":null}', "bad_request"),
            (b'{"type":["ping"]}', "bad_request"),
            (b'{"type":"ping","id":{"a":1}}', "bad_request"),
            (b'{"type":"ping","id":[1]}', "bad_request"),
            (b'{"type":"ping","id":false}', "bad_request"),
            (b'{"type":"ping"} trailing', "bad_request"),
            (b'{"type":"ping","x":"\xff"}', "bad_request"),
            (b'{"type":"ping","x":"\xed\xa0\x80"}', "bad_request"),
            (b'{"type":"ping","x":"\xc0\xaf"}', "bad_request"),
            (b'{"type":"PING"}', "unknown_type"),
            (b'{"type":""}', "unknown_type"),
        ]
        for body, want in cases:
            with self.subTest(body=body):
                h.send_raw(frame(body))
                r = h.read_reply()
                self.assertEqual(code(r), want)
        # the id is echoed on envelope errors after the id was understood
        h.send_raw(frame(b'{"id":"k","type":3}'))
        self.assertEqual(h.read_reply()["id"], "k")
        self.assertEqual(h.close()[0], 0)

    def test_many_requests_in_order_with_garbage_between(self):
        h = Host()
        stream = b""
        for i in range(20):
            stream += frame({"type": "ping", "id": i})
            stream += frame(b"\x00garbage\x01")
        stream += struct.pack("=I", 0)
        stream += frame({"type": "ping", "id": "last"})
        h.send_raw(stream)
        for i in range(20):
            r = h.read_reply()
            self.assertEqual(r["id"], i)
            self.assertTrue(r["ok"])
            self.assertEqual(code(h.read_reply()), "bad_request")
        self.assertEqual(code(h.read_reply()), "bad_request")  # zero length
        self.assertEqual(h.read_reply()["id"], "last")
        self.assertEqual(h.close()[0], 0)

    def test_zero_length_then_continue(self):
        h = Host()
        h.send_raw(struct.pack("=I", 0))
        r = h.read_reply()
        self.assertEqual(code(r), "bad_request")
        self.assertIsNone(r["id"])
        self.assertTrue(h.request({"type": "ping"})["ok"])
        self.assertEqual(h.close()[0], 0)

    def test_exactly_at_cap_is_accepted(self):
        base = {"type": "ping", "id": "cap", "pad": ""}
        n = MIB - len(json.dumps(base).encode())
        base["pad"] = "x" * n
        body = json.dumps(base).encode()
        self.assertEqual(len(body), MIB)
        h = Host()
        h.send_raw(frame(body))
        r = h.read_reply()
        self.assertTrue(r["ok"], r)
        self.assertEqual(r["id"], "cap")
        self.assertEqual(h.close()[0], 0)

    @unittest.skipIf(VALGRIND, "memory is measured without valgrind")
    def test_oversize_is_drained_not_buffered(self):
        h = Host()
        big = 48 * MIB
        h.send_raw(struct.pack("=I", big))
        chunk = b"y" * MIB
        for _ in range(big // MIB):
            h.send_raw(chunk)
        r = h.read_reply()
        self.assertEqual(code(r), "message_too_large")
        # the stream is still in sync
        self.assertEqual(h.request({"type": "ping", "id": "after"})["id"], "after")
        with open("/proc/%d/status" % h.proc.pid) as f:
            hwm = [l for l in f if l.startswith("VmHWM")][0]
        kib = int(hwm.split()[1])
        self.assertLess(kib, 16 * 1024, "peak RSS %d KiB: the oversize body was buffered" % kib)
        self.assertEqual(h.close()[0], 0)

    def test_cap_plus_one(self):
        h = Host()
        h.send_raw(struct.pack("=I", MIB + 1) + b"z" * (MIB + 1))
        self.assertEqual(code(h.read_reply()), "message_too_large")
        self.assertTrue(h.request({"type": "ping"})["ok"])
        self.assertEqual(h.close()[0], 0)


class Lifecycle(unittest.TestCase):
    def test_eof_at_boundary_exit_0(self):
        h = Host()
        rc, out, _ = h.close()
        self.assertEqual(rc, 0)
        self.assertEqual(out, b"")

    def test_eof_inside_header(self):
        h = Host()
        h.send_raw(b"\x10\x00")
        rc, out, _ = h.close()
        self.assertEqual(rc, 3)
        self.assertEqual(out, b"")

    def test_eof_inside_body(self):
        h = Host()
        h.send_raw(struct.pack("=I", 100) + b'{"type":"pi')
        rc, out, _ = h.close()
        self.assertEqual(rc, 3)
        self.assertEqual(out, b"")

    def test_eof_inside_oversize_body(self):
        h = Host()
        h.send_raw(struct.pack("=I", 5 * MIB) + b"x" * 1000)
        rc, out, _ = h.close()
        self.assertEqual(rc, 3)
        self.assertEqual(out, b"")

    def test_epipe_is_a_clean_exit(self):
        h = Host()
        h.proc.stdout.close()  # the browser went away
        h.send({"type": "ping"})
        try:
            h.proc.stdin.close()
        except BrokenPipeError:
            pass
        rc = h.proc.wait(timeout=60)
        self.assertEqual(rc, 0, "host must not die of SIGPIPE")

    @unittest.skipIf(VALGRIND, "fd layout differs under valgrind")
    def test_fd1_points_at_stderr(self):
        h = Host()
        self.assertTrue(h.request({"type": "ping"})["ok"])
        try:
            fd1 = os.readlink("/proc/%d/fd/1" % h.proc.pid)
            fd2 = os.readlink("/proc/%d/fd/2" % h.proc.pid)
        except PermissionError:
            h.close()
            self.skipTest("the host is not dumpable, so only root may read its fd table")
        self.assertEqual(fd1, fd2, "stray prints must go to stderr, not the frame pipe")
        h.close()


class Origin(unittest.TestCase):
    def test_unknown_extension_forbidden_for_every_request(self):
        h = Host(origin="chrome-extension://aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/")
        for req in ({"type": "ping", "id": 1}, {"type": "nope", "id": 2}, {"type": "ping"}):
            r = h.request(req)
            self.assertEqual(code(r), "forbidden_origin")
            self.assertEqual(r["id"], req.get("id"))
            # which id, and one thing to do: doctor prints the complete command (the host
            # does not tell a refused caller the ids already allowed, so it gives no command
            # with a placeholder, nor sends the person to IT for what they can do themselves)
            m = r["error"]["message"]
            self.assertIn("extension aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa is not allowed", m)
            self.assertIn("settings.allowed_extension_ids", m)
            self.assertIn("run textus-host doctor on this computer", m)
            self.assertNotIn("<", m)
            self.assertNotIn("IT/administrator", m)
        self.assertEqual(h.close()[0], 0)

    def test_malformed_origins(self):
        for origin in ("chrome-extension://hfboccpnppdfmcdbjjgmobnhljkkmjji",  # no slash
                       "chrome-extension://HFBOCCPNPPDFMCDBJJGMOBNHLJKKMJJI/",
                       "chrome-extension://hfboccpnppdfmcdbjjgmobnhljkkmjjq/",
                       "chrome-extension://hfboccpnppdfmcdbjjgmobnhljkkmjji/x"):
            with self.subTest(origin=origin):
                r, rc, _ = one_shot({"type": "ping"}, origin=origin)
                self.assertEqual(code(r), "forbidden_origin")
                self.assertEqual(rc, 0)

    def test_stub_with_parent_window(self):
        r, rc, _ = one_shot({"type": "ping"}, args=["--parent-window=0"])
        self.assertTrue(r["ok"])

    def test_no_origin_refused(self):
        home = os.path.join(os.environ.get("TMPDIR", "/tmp"), "th-proto-noorigin-%d" % os.getpid())
        r, rc, _ = one_shot({"type": "ping"}, origin=None, env={"TEXTUS_HOST_HOME": home})
        self.assertEqual(code(r), "forbidden_origin")


class Cli(unittest.TestCase):
    def run_cli(self, *args):
        return subprocess.run([nmhost.host_path(), *args], capture_output=True, text=True,
                              stdin=subprocess.DEVNULL, timeout=60)

    def test_version(self):
        p = self.run_cli("--version")
        self.assertEqual(p.returncode, 0)
        self.assertRegex(p.stdout, r"^textus-host \d+\.\d+\.\d+")

    def test_help(self):
        p = self.run_cli("--help")
        self.assertEqual(p.returncode, 0)
        self.assertIn("usage: textus-host", p.stdout)

    def test_unknown_subcommand(self):
        p = self.run_cli("frobnicate")
        self.assertEqual(p.returncode, 2)
        self.assertEqual(p.stdout, "")
        self.assertIn("unknown command", p.stderr)
        # under Wine (run_suites.py) the pointer names the .exe as PowerShell runs it
        self.assertIn("textus-host.exe' --help" if os.environ.get("TH_WIN_EXE")
                      else "see textus-host --help", p.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=1)
