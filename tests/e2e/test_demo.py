"""scripts/demo.sh, the README's first command, run as a newcomer would (with the suite's own
build through DEMO_HOST, so it neither bootstraps nor rebuilds): its report says at the top
which path ran and why — the browser path when Chromium, node and playwright-core are there, the
pipes path (no browser: the host's verbs over its pipes) with DEMO_CLI=1, and, when Chromium is
missing, that it tried to install it (apt-get, here a stub that fails and records what it was
asked) and fell back to the pipes path, saying so. Counts are said in plain words ("1 message",
"no host process left running"); what the page showed is quoted as the page's ("the page said:").
After the single text the demo runs a bulk of 4 (two texted, one opted out, one without a number)
and its report shows the progress, the summary and bulk_status (assert_bulk).
On every path the HOME it was given is left exactly as it was: the browser, npm and the host
write only under the demo's temp folder.
"""
import os
import re
import shutil
import stat
import subprocess
import tempfile
import unittest

SRC = os.environ.get("TH_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
DEMO = os.environ.get("TH_DEMO", os.path.join(SRC, "scripts", "demo.sh"))
HOST = os.environ["TH_HOST"]
CHROMIUM = os.environ.get("TH_CHROMIUM", "/usr/bin/chromium")


def snapshot(root):
    """Every path under root with its kind, size and modification time, sorted."""
    out = []
    for d, dirs, files in os.walk(root):
        for n in dirs + files:
            p = os.path.join(d, n)
            st = os.lstat(p)
            out.append((os.path.relpath(p, root), stat.S_IFMT(st.st_mode),
                        st.st_size if stat.S_ISREG(st.st_mode) else 0, st.st_mtime_ns))
    return sorted(out)


class HomeChanged(AssertionError):
    pass


def demo(**env):
    """Runs scripts/demo.sh with a fresh HOME (holding one file, as a real one would) and raises
    HomeChanged when that HOME is not exactly as it was afterwards."""
    e = dict(os.environ)
    e.pop("DEMO_CLI", None)
    e.pop("DEMO_SCREENSHOT", None)
    for v in ("XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME",
              "npm_config_cache", "NPM_CONFIG_CACHE"):
        e.pop(v, None)  # as on a desktop where none is set: everything defaults to HOME
    e["DEMO_HOST"] = HOST
    home = tempfile.mkdtemp(prefix="th-demo-home-")
    try:
        with open(os.path.join(home, ".profile"), "w") as fh:
            fh.write("# a recruiter's own file\n")
        e["HOME"] = home
        e.update(env)
        before = snapshot(home)
        p = subprocess.run(["bash", DEMO], env=e, capture_output=True, text=True, timeout=300)
        after = snapshot(home)
        if after != before:
            added = sorted(set(x[0] for x in after) - set(x[0] for x in before))
            raise HomeChanged("demo.sh changed the HOME it was given; new: %s\n%s%s"
                              % (added[:20], p.stdout, p.stderr))
        return p.returncode, p.stdout, p.stderr
    finally:
        shutil.rmtree(home, ignore_errors=True)


def report_top(out):
    """The report's first line after its title."""
    lines = out.splitlines()
    i = [n for n, l in enumerate(lines) if l.startswith("textus-host demo")]
    assert i, out
    return lines[i[0] + 1]


def assert_whole_words(tc, out):
    """Every quote the report shortens ends after a whole word, then "…" (never "applyin…",
    never a number cut in two), and the page's lines read as sentences ("delivery. Note")."""
    tc.assertIn('"Hi Jane, this is Alice at Acme Staffing. Thanks for…"', out)
    tc.assertNotRegex(out, r"[0-9+]…")
    tc.assertNotRegex(out, r"[a-z][.!?][A-Z]")


def assert_bulk(tc, out):
    """After the single text, the bulk (issue 25: "scripts/demo.sh shows the bulk after the
    single text"): a job's 4 candidates in one bulk_send (the browser path: from the bulk dialog
    on the fixture candidates list; the pipes path: over the host's pipes), its progress as the
    `bulk` events came (as the dialog showed it, on the browser path), the summary, bulk_status per candidate (two sent with their note, the one who opted
    out and the one without a number skipped, in words), the two texts at the fake TextUs."""
    single = out.find("result        OK: one SMS, one note, Delivered")
    bulk = out.find("then a bulk: one text to a job's 4 candidates")
    tc.assertGreater(single, 0, out)
    tc.assertGreater(bulk, single, "no bulk after the single text:\n" + out)
    part = out[bulk:]
    browser = "run through   the candidates list in the browser" in part
    # the page's words are quoted as the page's; the pipes path's lines are the demo's own
    said = 'the page said: "' if browser else ""
    if browser:  # the dialog counts against the 2 being texted, the skipped apart (bulk.js)
        progress = re.findall(r'^  progress      %s([1-2]) of 2 texted\.(?: (\d) skipped, listed below\.)?"$'
                              % re.escape(said), part, re.M)
        tc.assertEqual(progress, [("1", ""), ("2", ""), ("2", "1"), ("2", "2")], part)
        tc.assertIn('progress      %sDone: 2 of 2 texted. 2 skipped, listed below.' % said, part)
    else:
        progress = re.findall(r"^  progress      ([1-4]) of 4 done: (\d) sent, (\d) skipped, 0 failed[ .]", part, re.M)
        tc.assertEqual([p[0] for p in progress], ["1", "2", "3", "4"], part)
        tc.assertIn("progress      Done: 2 sent, 2 skipped, 0 failed, of 4 candidates.", part)
    # every progress line is one or the other: none shows the page's words as the demo's
    for line in re.findall(r"^  progress      (.*)$", part, re.M):
        if browser:
            tc.assertTrue(line.startswith(said) and line.endswith('"'), line)
        else:
            tc.assertNotIn("keep this page open", line)
    for line in re.findall(r"^demo:   bulk: (.*)$", out, re.M):
        if "keep this page open" in line:
            tc.assertTrue(line.startswith(said), line)
    heading = re.search(r"^then a bulk: .*$", out, re.M).group(0)
    if browser:
        tc.assertIn('("Text selected" on the candidates list)', heading)
    else:
        tc.assertNotIn("Text selected", heading)
        tc.assertIn("bulk_send over the host's pipes", heading)
    for line in ["Ann Able (4101): sent, note in Greenhouse", "Ben Best (4102): sent, note in Greenhouse",
                 "Cal Cole (4103): skipped, opted out of texts",
                 "Dee Dunn (4104): skipped, no US or Canada phone number in Greenhouse"]:
        tc.assertIn(line, part)
    tc.assertRegex(part, r"(?m)^  bulk_status   Ann Able \(4101\)")
    texted = re.findall(r"^  SMS           POST /acme/messages → 201: to (\+\d+), \"Hi (\w+),", part, re.M)
    tc.assertEqual(texted, [("+12125550101", "Ann"), ("+12125550102", "Ben")], part)
    tc.assertIn("2 messages and 2 notes for the bulk, nobody texted twice", part)
    tc.assertNotIn("(s)", out)
    tc.assertNotIn("(es)", out)
    tc.assertIn("1 message at the fake TextUs", out)
    tc.assertIn("1 note at the fake Greenhouse", out)
    tc.assertNotRegex(out, r"\d header lines read")
    tc.assertIn("result        OK: 2 texted with a note each; skipped the one who opted out and the one "
                "without a number", part)


class Demo(unittest.TestCase):
    def test_cli_path_says_so_and_why(self):
        rc, out, err = demo(DEMO_CLI="1")
        self.assertEqual(rc, 0, out + err)
        self.assertEqual(report_top(out),
                         "  path          the pipes path (no browser: the host's verbs over its pipes), "
                         "because DEMO_CLI=1 was set")
        self.assertIn("result        OK: one SMS, one note, Delivered", out)
        # no page on this path: the host's answers, not words put in its mouth ("the host said Sent")
        self.assertIn("1 message at the fake TextUs; send_sms answered ok (message ", out)
        self.assertIn("delivery      TextUs delivered → message_status answered final, delivered", out)
        self.assertNotIn("the host said", out)
        self.assertNotIn("the host shows", out)
        assert_whole_words(self, out)
        assert_bulk(self, out)

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
        assert_whole_words(self, out)
        assert_bulk(self, out)
        # the bulk went through the extension's dialog on the candidates list, as a recruiter sends it
        self.assertIn("run through   the candidates list in the browser: Select all, Bulk actions → Text selected, "
                      "Review before sending, Text 2 candidates", out)
        self.assertIn("confirmation  the page said: \"2 candidates will get this text. Opt-outs and blocked numbers "
                      "were checked in TextUs just now.\"", out)
        # the demo's own words for what the page showed: plain, the page's counter quoted
        self.assertIn("no host process left running after the browser closed", out)
        self.assertIn("the extension read the 7 lines of its header", out)
        self.assertRegex(out, r"compose       \d+ characters, 1 SMS part \(a text may take at most 3\); "
                              r"the box's counter said \"\d+ characters · 1 text \(limit 3\)\"")
        self.assertIn("won't be texted: Dee Dunn: no US or Canada phone number in Greenhouse", out)

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
                             "  path          the pipes path (no browser: the host's verbs over its "
                             "pipes), because Chromium is not "
                             "installed at %s and apt-get install chromium failed" % missing)
            self.assertIn("installing chromium for the browser path", err)
            if os.geteuid() == 0:  # as root demo.sh calls apt-get itself (else through sudo -n)
                with open(log) as fh:
                    self.assertIn("install -y -qq --no-install-recommends chromium", fh.read())
        finally:
            shutil.rmtree(stub, ignore_errors=True)

    def test_bootstrap_and_build_show_progress(self):
        """Without DEMO_HOST the demo bootstraps and builds: each step says what it does as it
        goes (bootstrap's lines, cmake's milestones, the build every 10% with its file, the
        time taken), not one line and ~40 s of silence. cmake is a stub on PATH here that
        prints what cmake prints and puts the suite's host where the build would."""
        stub = tempfile.mkdtemp(prefix="th-demo-cmake-")
        try:
            with open(os.path.join(stub, "cmake"), "w") as fh:
                fh.write("""#!/bin/sh
if [ "$1" = "--build" ]; then
    for p in 3 9 14 22 31 38 47 55 61 70 78 86 93 99; do
        echo "[ $p%%] Building C object host/CMakeFiles/th_core.dir/file$p.c.o"
        sleep 0.05
    done
    echo "[100%%] Linking C executable textus-host"
    mkdir -p "$2/host" && cp "%s"/textus-host* "$2/host/"
else
    echo "-- The C compiler identification is GNU"
    echo "-- Configuring done (0.1s)"
    echo "-- Generating done (0.0s)"
fi
""" % os.path.dirname(HOST))
            os.chmod(os.path.join(stub, "cmake"), 0o755)
            rc, out, err = demo(PATH=stub + os.pathsep + os.environ["PATH"], DEMO_HOST="", DEMO_CLI="1",
                                DEMO_BUILD_DIR=os.path.join(stub, "build"))
            self.assertEqual(rc, 0, out + err)
            lines = [l for l in err.splitlines() if l.startswith("demo: ")]
            want = [r"^demo: step 1 of 3: bootstrap", r"^demo:   bootstrap: ", r"^demo: bootstrap: done in \d+ s$",
                    r"^demo: step 2 of 3: configure", r"^demo:   Configuring done", r"^demo:   Generating done",
                    r"^demo: step 3 of 3: build", r"^demo:   build: 3% \(compiling file3\.c\)$",
                    r"^demo:   build: 14% \(compiling file14\.c\)$", r"^demo:   build: 100% \(Linking C executable",
                    r"^demo: build: done in \d+ s$"]
            at = 0
            for w in want:
                while at < len(lines) and not re.search(w, lines[at]):
                    at += 1
                self.assertLess(at, len(lines), "no line %r (in order) in:\n%s" % (w, err))
            progress = [l for l in lines if re.match(r"^demo:   build: \d+%", l)]
            self.assertGreaterEqual(len(progress), 8, err)
            self.assertIn("result        OK: one SMS, one note, Delivered", out)
        finally:
            shutil.rmtree(stub, ignore_errors=True)


if __name__ == "__main__":
    unittest.main(verbosity=2)
