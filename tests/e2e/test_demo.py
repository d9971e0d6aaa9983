"""scripts/demo.sh, the README's first command, run as a newcomer would (with the suite's own
build through DEMO_HOST, so it neither bootstraps nor rebuilds): its report says at the top
which path ran and why — the browser path when Chromium, node and playwright-core are there, the
CLI path with DEMO_CLI=1, and, when Chromium is missing, that it tried to install it (apt-get,
here a stub that fails and records what it was asked) and fell back to the CLI path, saying so.
"""
import os
import re
import shutil
import subprocess
import tempfile
import unittest

SRC = os.environ.get("TH_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
DEMO = os.environ.get("TH_DEMO", os.path.join(SRC, "scripts", "demo.sh"))
HOST = os.environ["TH_HOST"]
CHROMIUM = os.environ.get("TH_CHROMIUM", "/usr/bin/chromium")


def demo(**env):
    e = dict(os.environ)
    e.pop("DEMO_CLI", None)
    e.pop("DEMO_SCREENSHOT", None)
    e["DEMO_HOST"] = HOST
    e.update(env)
    p = subprocess.run(["bash", DEMO], env=e, capture_output=True, text=True, timeout=300)
    return p.returncode, p.stdout, p.stderr


def report_top(out):
    """The report's first line after its title."""
    lines = out.splitlines()
    i = [n for n, l in enumerate(lines) if l.startswith("textus-host demo")]
    assert i, out
    return lines[i[0] + 1]


class Demo(unittest.TestCase):
    def test_cli_path_says_so_and_why(self):
        rc, out, err = demo(DEMO_CLI="1")
        self.assertEqual(rc, 0, out + err)
        self.assertEqual(report_top(out),
                         "  path          the CLI path, not a browser, because DEMO_CLI=1 was set")
        self.assertIn("result        OK: one SMS, one note, Delivered", out)

    @unittest.skipUnless(os.access(CHROMIUM, os.X_OK) and shutil.which("node"),
                         "Chromium or node is not installed here (demo.sh would apt-get them)")
    def test_browser_path_says_so_and_why(self):
        rc, out, err = demo()
        self.assertEqual(rc, 0, out + err)
        self.assertRegex(report_top(out), r"^  path          the browser path: headless Chromium "
                                          r"[\d.]+, because Chromium \(%s\), node and "
                                          r"playwright-core are installed$" % re.escape(CHROMIUM))
        self.assertIn("the page shows \"Delivered\"", out)
        self.assertIn("result        OK: one SMS, one note, Delivered", out)

    def test_missing_chromium_is_installed_or_the_reason_is_given(self):
        stub = tempfile.mkdtemp(prefix="th-demo-apt-")
        try:
            log = os.path.join(stub, "apt.log")
            with open(os.path.join(stub, "apt-get"), "w") as fh:
                fh.write('#!/bin/sh\necho "$@" >> %s\necho "E: stub apt-get" >&2\nexit 100\n' % log)
            os.chmod(os.path.join(stub, "apt-get"), 0o755)
            missing = os.path.join(stub, "no-such-chromium")
            rc, out, err = demo(PATH=stub + os.pathsep + os.environ["PATH"], TH_CHROMIUM=missing)
            self.assertEqual(rc, 0, out + err)
            self.assertEqual(report_top(out),
                             "  path          the CLI path, not a browser, because Chromium is not "
                             "installed at %s and apt-get install chromium failed" % missing)
            self.assertIn("installing chromium for the browser path", err)
            if os.geteuid() == 0:  # as root demo.sh calls apt-get itself (else through sudo -n)
                with open(log) as fh:
                    self.assertIn("install -y -qq --no-install-recommends chromium", fh.read())
        finally:
            shutil.rmtree(stub, ignore_errors=True)


if __name__ == "__main__":
    unittest.main(verbosity=2)
