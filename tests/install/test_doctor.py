"""`textus-host doctor` tests: every installation finding, in a fake $HOME.

The host is installed with scripts/install.sh into a fake home, then each test
breaks one thing (manifest JSON, name, description, type, path, origins, the
binary, the engine, the host's behaviour on a ping, Snap/Flatpak, policies,
the receipt) and checks the finding doctor reports for it, its one-line fix,
the FAQ answer, and the exit status; every extension id a manifest allows is
pinged; progress lines and check marks (a terminal through a pty, or plain).
Configuration findings are in test_doctor_config.py.
"""
import json
import os
import pty
import re
import select
import shutil
import stat
import subprocess
import sys
import tempfile
import unittest

SRC = os.environ.get("TH_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
INSTALL = os.path.join(SRC, "scripts", "install.sh")
HOST = os.environ["TH_HOST"]
NAME = "com.textus.greenhouse"
STUB = "hfboccpnppdfmcdbjjgmobnhljkkmjji"
OTHER = "abcdefghijklmnopabcdefghijklmnop"


class Doctor(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="th-doctor-")
        self.home = os.path.join(self.tmp, "home")
        os.makedirs(os.path.join(self.home, ".config", "chromium"))
        self.env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": self.home,
                    "LC_ALL": "C", "TH_INSTALL_ROOT": os.path.join(self.tmp, "root")}
        p = subprocess.run(["bash", INSTALL, "--binary", HOST, "--allow-failpoints"], env=self.env, capture_output=True,
                           text=True, timeout=60)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.installed = os.path.join(self.home, ".local", "share", "textus-host", "bin", "textus-host")
        self.manifest = os.path.join(self.home, ".config", "chromium", "NativeMessagingHosts",
                                     NAME + ".json")
        self.bindir = os.path.dirname(self.installed)
        # install.sh links ~/.local/bin/textus-host; a login shell that has ~/.local/bin on PATH
        # (most do once it exists) runs it: the host's `textus-host <command>` messages are true
        self.linkdir = os.path.join(self.home, ".local", "bin")
        self.env["PATH"] = self.linkdir + os.pathsep + self.env["PATH"]
        for n in ("textus-host-engine.so", "textus-host-store.so"):
            if not os.path.exists(os.path.join(self.bindir, n)):
                # a build without that module: stand one in so that only the tested fault shows
                with open(os.path.join(self.bindir, n), "w") as f:
                    f.write("stand-in\n")

    def copy_modules(self, dest):
        for n in os.listdir(self.bindir):
            if n.startswith("textus-host-") and n.endswith(".so"):
                shutil.copy(os.path.join(self.bindir, n), dest)

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def doctor(self, *args, env=None):
        e = dict(self.env)
        e.update(env or {})
        p = subprocess.run([self.installed, "doctor", "--json", "--offline"] + list(args), env=e,
                           capture_output=True, text=True, timeout=60)
        doc = json.loads(p.stdout)
        for c in doc["checks"]:
            self.assert_fix_whole(c.get("fix", ""))
        return p.returncode, doc

    def assert_fix_whole(self, fix):
        """Every fix of every test's doctor run is whole: brackets and double quotes balanced,
        no placeholder cut open ("<its" without ">"), no dangling end."""
        for a, b in ("()", "[]", "{}", "<>"):
            self.assertEqual(fix.count(a), fix.count(b), (a + b, fix))
        self.assertEqual(fix.count('"') % 2, 0, fix)
        self.assertFalse(fix.endswith((" ", ",", "(", ":", "<")), fix)

    def install_findings(self, doc, status=None):
        return [c for c in doc["checks"] if c["area"] == "install" and
                (status is None or c["status"] == status)]

    def edit_manifest(self, fn):
        with open(self.manifest) as f:
            m = json.load(f)
        fn(m)
        with open(self.manifest, "w") as f:
            json.dump(m, f)

    def assert_fail(self, doc, message_re, fix_re=None):
        fails = self.install_findings(doc, "fail")
        hits = [c for c in fails if __import__("re").search(message_re, c["message"])]
        self.assertTrue(hits, "no failing finding matching %r in %s" % (message_re, json.dumps(fails, indent=1)))
        for c in hits:
            self.assertTrue(c.get("fix"), c)
            if fix_re:
                self.assertRegex(c["fix"], fix_re)
            self.assertTrue(c.get("faq_not_sending"), c)
        self.assertFalse(doc["ok"])
        self.assertIn(hits[0]["message"][:40], doc["faq"]["not_sending"])
        return hits

    # ---- the good case ----

    def test_healthy_install(self):
        rc, doc = self.doctor()
        self.assertEqual(self.install_findings(doc, "fail"), [], json.dumps(doc, indent=1))
        oks = self.install_findings(doc, "ok")
        self.assertTrue(any(c["subject"].startswith("chromium: " + self.manifest) and
                            "answers ping (version" in c["message"] for c in oks), oks)
        # with a production id allowed on both sides, nothing to warn about; the ids checked
        # are named
        subprocess.run(["bash", INSTALL, "--binary", HOST, "--allow-failpoints", "--extension-id",
                        OTHER], env=self.env, capture_output=True, check=True)
        p = subprocess.run([self.installed, "configure", "--no-verify"], env=self.env, text=True,
                           input=json.dumps({"settings": {"allowed_extension_ids": [OTHER]}}),
                           capture_output=True, timeout=60)
        self.assertEqual(p.returncode, 0, p.stderr)
        rc, doc = self.doctor()
        self.assertEqual(self.install_findings(doc, "fail"), [], json.dumps(doc, indent=1))
        self.assertEqual(self.install_findings(doc, "warn"), [], json.dumps(doc, indent=1))
        ids = [c for c in self.install_findings(doc, "info") if c["subject"] == "extension ids"]
        self.assertEqual(len(ids), 1, doc)
        self.assertIn("%s (the development stub's)" % STUB, ids[0]["message"])
        self.assertIn("%s (settings.allowed_extension_ids)" % OTHER, ids[0]["message"])

    def test_a_state_folder_not_created_yet_is_said_so(self):
        # a fresh install: the installer made the data folder (it holds the binary), nothing
        # made the config folder yet; its permissions are not "owner-only", it has none
        cfg = os.path.join(self.home, ".config", "textus-host")
        data = os.path.join(self.home, ".local", "share", "textus-host")
        self.assertFalse(os.path.exists(cfg))
        rc, doc = self.doctor()
        byname = {c["subject"]: c for c in doc["checks"] if c["area"] == "config"}
        self.assertEqual((byname["config folder"]["status"], byname["config folder"]["message"]),
                         ("info", cfg + ": not created yet (textus-host configure creates it)"),
                         doc)
        self.assertEqual((byname["data folder"]["status"], byname["data folder"]["message"]),
                         ("ok", data + ": owner-only permissions"), doc)
        self.assertFalse(any(cfg in c["message"] and "owner-only" in c["message"]
                             for c in doc["checks"]), doc)

    def test_only_the_stub_allowed_is_a_warning(self):
        # a fresh install as the README says: the stub's id only, nothing in the settings.
        # The real extension would be refused: a warning, not a failure (the stub is fine for
        # development; the exit status with a configured store: test_doctor_config.py)
        rc, doc = self.doctor()
        self.assertEqual(self.install_findings(doc, "fail"), [], json.dumps(doc, indent=1))
        warns = self.install_findings(doc, "warn")
        self.assertEqual([c["subject"] for c in warns], ["extension ids"], warns)
        self.assertEqual(doc["warnings"], len([c for c in doc["checks"] if c["status"] == "warn"]))
        self.assertIn("checked extension ids: %s (the development stub's)" % STUB,
                      warns[0]["message"])
        self.assertIn("only the development stub's extension id is allowed; the TextUs "
                      "extension will be refused until its id is added",
                      warns[0]["message"])
        self.assertTrue(warns[0]["fix"].startswith("scripts/install.sh --extension-id <its id>"),
                        warns[0])
        # naming the ids to check is a choice: said, not warned about
        rc, doc = self.doctor("--extension-id", STUB)
        self.assertEqual(self.install_findings(doc, "warn"), [])
        self.assertTrue(any("checked only the extension id given with --extension-id: " + STUB
                            in c["message"] for c in self.install_findings(doc, "info")), doc)

    # ---- textus-host on PATH (issue P: the commands the host's messages name must run) ----

    def on_path_check(self, path):
        rc, doc = self.doctor(env={"PATH": path})
        (c,) = [c for c in doc["checks"] if c["subject"] == "textus-host on PATH"]
        self.assertEqual(c["area"], "install")
        return c

    def test_on_path_runs_this_one(self):
        """~/.local/bin (install.sh's link) on PATH: ok, naming what a terminal runs."""
        c = self.on_path_check(self.linkdir + ":/usr/bin:/bin")
        self.assertEqual(c["status"], "ok", c)
        self.assertIn("runs this one (%s/textus-host)" % self.linkdir, c["message"])

    def test_not_on_path_is_a_warning_with_the_shell_fix(self):
        """PATH without ~/.local/bin: a warning (not "ok"), and the export line to add."""
        c = self.on_path_check("/usr/bin:/bin")
        self.assertEqual(c["status"], "warn", c)
        self.assertIn("runs nothing: no folder of PATH has it", c["message"])
        self.assertIn('export PATH="%s:$PATH"' % self.linkdir, c["fix"])
        self.assertIn("open a new terminal", c["fix"])

    def test_shell_specials_in_a_path_stay_text(self):
        """A state folder named h$(x)'q shared with others: the chmod fix quotes it for sh
        ('...'\\''...'): pasted, it changes that folder and runs nothing (before: chmod 700
        '.../h$(x)'q', whose quote ended early and left the rest open)."""
        state = os.path.join(self.tmp, "h$(x)'q")
        os.makedirs(state)
        os.chmod(state, 0o755)
        rc, doc = self.doctor(env={"TEXTUS_HOST_HOME": state})
        fixes = [c.get("fix", "") for c in doc["checks"]]
        quoted = "'" + state.replace("'", "'\\''") + "'"
        self.assertIn("chmod 700 " + quoted, fixes, doc)
        p = subprocess.run(["sh", "-c", "printf %s " + quoted], capture_output=True, text=True)
        self.assertEqual(p.stdout, state, "sh does not read the quoted path back as it is")

    def test_not_on_path_with_a_dollar_in_the_folder(self):
        """A home folder named with a $: the export line keeps it as text (single quotes),
        never "...$(x)...:$PATH", where the shell would run $(x)."""
        home = os.path.join(self.tmp, "h$(x)")
        os.makedirs(os.path.join(home, ".local", "bin"))
        os.symlink(self.installed, os.path.join(home, ".local", "bin", "textus-host"))
        rc, doc = self.doctor(env={"PATH": "/usr/bin:/bin", "HOME": home})
        (c,) = [c for c in doc["checks"] if c["subject"] == "textus-host on PATH"]
        self.assertIn("export PATH='%s/.local/bin':\"$PATH\"" % home, c["fix"])

    def test_an_older_copy_first_on_path_is_named(self):
        """Another textus-host earlier on PATH: the warning names it and this one."""
        old = os.path.join(self.tmp, "old")
        os.makedirs(old)
        shutil.copy(self.installed, os.path.join(old, "textus-host"))
        c = self.on_path_check(old + ":" + self.linkdir + ":/usr/bin:/bin")
        self.assertEqual(c["status"], "warn", c)
        self.assertIn("runs %s/textus-host, not this one (%s)" % (old, self.installed),
                      c["message"])
        self.assertIn("remove the other copy", c["fix"])
        self.assertIn("before its folder", c["fix"])

    def test_text_output_and_exit_status(self):
        os.remove(self.manifest)
        p = subprocess.run([self.installed, "doctor", "--offline"], env=self.env, capture_output=True,
                           text=True, timeout=60)
        self.assertEqual(p.returncode, 1)
        self.assertIn("FAIL  chromium", p.stdout)
        self.assertIn("fix: run scripts/install.sh", p.stdout)
        self.assertIn("Why are my texts not sending?", p.stdout)
        self.assertIn("Why are my texts not tracking in Greenhouse?", p.stdout)
        self.assertIn("NOT OK:", p.stdout)

    # ---- manifest findings ----

    def test_not_installed_for_a_browser(self):
        os.makedirs(os.path.join(self.home, ".config", "google-chrome-beta"))
        rc, doc = self.doctor()
        self.assertEqual(rc, 1)
        self.assert_fail(doc, r"not installed for this browser.*google-chrome-beta", r"scripts/install\.sh")

    def test_nothing_at_all(self):
        shutil.rmtree(os.path.join(self.home, ".config"))
        os.remove(os.path.join(self.home, ".local", "share", "textus-host", "install-receipt.txt"))
        rc, doc = self.doctor()
        self.assertEqual(rc, 1)
        self.assert_fail(doc, r"no browser folder and no installed manifest", r"install\.sh")

    def test_invalid_json(self):
        with open(self.manifest, "w") as f:
            f.write('{"name": "com.textus.greenhouse",')
        rc, doc = self.doctor()
        self.assertEqual(rc, 1)
        self.assert_fail(doc, r"not valid JSON")

    def test_wrong_name(self):
        self.edit_manifest(lambda m: m.update(name="com.textus.other"))
        rc, doc = self.doctor()
        self.assert_fail(doc, r'"name" is "com\.textus\.other"')

    def test_missing_description_and_bad_type(self):
        def f(m):
            del m["description"]
            m["type"] = "socket"
        self.edit_manifest(f)
        rc, doc = self.doctor()
        self.assert_fail(doc, r'"description" is missing')
        self.assert_fail(doc, r'"type" must be "stdio"')

    def test_relative_path(self):
        self.edit_manifest(lambda m: m.update(path="textus-host"))
        rc, doc = self.doctor()
        self.assert_fail(doc, r'"path" must be an absolute path')

    def test_path_does_not_exist(self):
        self.edit_manifest(lambda m: m.update(path="/nonexistent/textus-host"))
        rc, doc = self.doctor()
        self.assert_fail(doc, r"does not exist: /nonexistent/textus-host", r"install\.sh")

    def test_not_executable(self):
        os.chmod(self.installed, 0o644)
        try:
            e = dict(self.env)
            p = subprocess.run([HOST, "doctor", "--json", "--offline"], env=e, capture_output=True,
                               text=True, timeout=60)
            doc = json.loads(p.stdout)
        finally:
            os.chmod(self.installed, 0o755)
        self.assert_fail(doc, r"not an executable file", r"chmod 755")

    def test_origin_wildcard_and_missing_slash(self):
        self.edit_manifest(lambda m: m.update(allowed_origins=["chrome-extension://*/",
                                                               "chrome-extension://%s" % STUB]))
        rc, doc = self.doctor()
        self.assert_fail(doc, r"2 entries of \"allowed_origins\" are not an exact")
        self.assert_fail(doc, r"extension %s is not in \"allowed_origins\"" % STUB,
                         r"--extension-id %s" % STUB)

    def test_expected_extension_id(self):
        rc, doc = self.doctor("--extension-id", OTHER)
        self.assert_fail(doc, r"extension %s is not in" % OTHER, r"install\.sh --extension-id %s" % OTHER)
        subprocess.run(["bash", INSTALL, "--binary", HOST, "--allow-failpoints", "--extension-id", OTHER], env=self.env,
                       capture_output=True, check=True)
        rc, doc = self.doctor("--extension-id", OTHER)
        # the manifest now allows it; the host itself still refuses an id missing from its settings
        msgs = [c["message"] for c in self.install_findings(doc, "fail")]
        self.assertFalse(any("is not in \"allowed_origins\"" in m for m in msgs), msgs)
        self.assertTrue(any("forbidden_origin" in m for m in msgs), msgs)
        fix = [c["fix"] for c in self.install_findings(doc, "fail") if "forbidden_origin" in c["message"]]
        self.assertIn("allowed_extension_ids", fix[0])

    def test_a_packaged_host_names_no_checkout_script(self):
        # installed from the .deb (the executable in /usr/lib/textus-host/), there is no
        # scripts/install.sh to run: the fix asks IT for a package built with the id and
        # keeps the settings command; the stub-only warning says the same
        pkg = os.path.join(self.tmp, "usr", "lib", "textus-host")
        os.makedirs(pkg)
        shutil.copy(self.installed, pkg)
        self.copy_modules(pkg)
        packaged = os.path.join(pkg, "textus-host")
        for args, status in (([], "warn"), (["--extension-id", OTHER], "fail")):
            p = subprocess.run([packaged, "doctor", "--json", "--offline"] + args, env=self.env,
                               capture_output=True, text=True, timeout=60)
            doc = json.loads(p.stdout)
            fixes = [c["fix"] for c in self.install_findings(doc, status) if c.get("fix")]
            self.assertTrue(fixes, json.dumps(doc, indent=1))
            for fix in fixes:
                self.assertNotIn("install.sh", fix)
            want = OTHER if args else "<its id>"
            self.assertTrue(any("ask IT for a package built with TH_EXTENSION_IDS=" + want in f
                                and "textus-host configure --no-verify" in f for f in fixes),
                            fixes)
        # the same binary installed by scripts/install.sh keeps the checkout's command
        rc, doc = self.doctor("--extension-id", OTHER)
        self.assert_fail(doc, r"extension %s is not in" % OTHER,
                         r"install\.sh --extension-id %s" % OTHER)

    def test_the_fix_for_a_production_id_is_the_complete_command(self):
        # a production id needs two steps: the manifest (install.sh) and the host's settings;
        # the settings' list is replaced by what is given, so the fix lists every id to keep
        third = "ponmlkjihgfedcbaponmlkjihgfedcba"
        p = subprocess.run([self.installed, "configure", "--no-verify"], env=self.env, text=True,
                           input=json.dumps({"settings": {"allowed_extension_ids": [third]}}),
                           capture_output=True, timeout=60)
        self.assertEqual(p.returncode, 0, p.stderr)
        command = re.compile(r"(echo '\S+' \| textus-host configure --no-verify)")
        want = ("""echo '{"settings":{"allowed_extension_ids":["%s","%s"]}}' | textus-host """
                """configure --no-verify""" % (OTHER, third))
        rc, doc = self.doctor("--extension-id", OTHER)
        hits = self.assert_fail(doc, r"extension %s is not in" % OTHER,
                                r"install\.sh --extension-id %s, then allow it" % OTHER)
        self.assertEqual(command.search(hits[0]["fix"]).group(1), want)
        subprocess.run(["bash", INSTALL, "--binary", HOST, "--allow-failpoints", "--extension-id",
                        OTHER], env=self.env, capture_output=True, check=True)
        rc, doc = self.doctor("--extension-id", OTHER)
        hits = self.assert_fail(doc, r"the manifest allows extension %s but the host refuses "
                                     r"it: it answered the ping with forbidden_origin" % OTHER)
        self.assertEqual(command.search(hits[0]["fix"]).group(1), want)
        self.assertIn("the complete list to paste", hits[0]["fix"])
        # one finding, one command: no placeholder, no second command in the message, and no
        # "ask IT" for a per-user install the person can fix themselves
        self.assertEqual(len(command.findall(hits[0]["message"] + hits[0]["fix"])), 1, hits[0])
        self.assertNotIn("<", hits[0]["message"] + hits[0]["fix"])
        self.assertNotIn("IT", hits[0]["message"] + hits[0]["fix"])
        # the command as printed (the installed textus-host) works, and keeps the other id
        p = subprocess.run(["sh", "-c", want.replace("textus-host configure",
                                                     self.installed + " configure")],
                           env=self.env, capture_output=True, text=True, timeout=60)
        self.assertEqual(p.returncode, 0, p.stderr)
        rc, doc = self.doctor("--extension-id", OTHER)
        self.assertEqual(self.install_findings(doc, "fail"), [])
        p = subprocess.run([self.installed, "status", "--json"], env=self.env, capture_output=True,
                           text=True, timeout=60)
        self.assertEqual(json.loads(p.stdout)["settings"]["allowed_extension_ids"], [OTHER, third])

    def test_every_allowed_id_must_be_accepted_by_the_host(self):
        # a production id kept in the manifest but unknown to the host's settings: Chrome starts
        # the host for it, and the host answers forbidden_origin to every request
        subprocess.run(["bash", INSTALL, "--binary", HOST, "--allow-failpoints", "--extension-id", OTHER],
                       env=self.env, capture_output=True, check=True)
        rc, doc = self.doctor()
        self.assertEqual(rc, 1)
        hits = self.assert_fail(doc, r"the manifest allows extension %s but the host refuses it:"
                                     r".*forbidden_origin" % OTHER,
                                r"--remove-extension-id %s" % OTHER)
        self.assertIn("allowed_extension_ids", hits[0]["fix"])
        # the stub, which the host accepts, raised nothing
        self.assertFalse(any(STUB in c["message"] for c in self.install_findings(doc, "fail")))

    def run_pty(self, args, env):
        """Run with stdout and stderr on a terminal; returns (exit code, everything printed)."""
        master, slave = pty.openpty()
        p = subprocess.Popen(args, env=env, stdin=subprocess.DEVNULL, stdout=slave, stderr=slave)
        os.close(slave)
        out = b""
        while True:
            r, _, _ = select.select([master], [], [], 60)
            if not r:
                break
            try:
                chunk = os.read(master, 65536)
            except OSError:  # EIO: the other side closed
                break
            if not chunk:
                break
            out += chunk
        os.close(master)
        return p.wait(timeout=60), out.decode("utf-8", "replace")

    def test_marks_and_colour_on_a_terminal_only(self):
        args = [self.installed, "doctor", "--offline"]
        rc, out = self.run_pty(args, dict(self.env, TERM="xterm"))
        self.assertIn("\u2713 ok", out)    # ✓ for the manifest that answers
        self.assertIn("\u2717 FAIL", out)  # ✗ for "nothing is configured yet"
        self.assertIn("\x1b[", out)
        self.assertIn("\r\x1b[K", out)     # the live progress line, erased when the step ends
        # NO_COLOR is about colour only (https://no-color.org): the marks and the live line stay
        rc, out = self.run_pty(args, dict(self.env, TERM="xterm", NO_COLOR="1"))
        self.assertIn("\u2713 ok", out)
        self.assertIn("\u2717 FAIL", out)
        self.assertIn("\r\x1b[K", out)
        self.assertNotRegex(out, r"\x1b\[[0-9;]*m")
        # TERM=dumb: no mark, no live line, no escape at all
        rc, out = self.run_pty(args, dict(self.env, TERM="dumb"))
        self.assertNotIn("\u2713", out)
        self.assertNotIn("\x1b[", out)
        self.assertIn("ok    chromium", out)
        p = subprocess.run(args, env=dict(self.env, TERM="xterm"), capture_output=True, text=True,
                           timeout=60)
        self.assertNotIn("\u2713", p.stdout + p.stderr)
        self.assertNotIn("\x1b[", p.stdout + p.stderr)

    def test_progress_lines(self):
        p = subprocess.run([self.installed, "doctor", "--offline"], env=self.env, capture_output=True,
                           text=True, timeout=60)
        # each slow step as it starts and as it ends (stderr, so stdout stays the checklist)
        begin = "  ... chromium: pinging %s as extension %s (waits up to 5 s)" % (self.installed, STUB)
        self.assertIn(begin + "\n", p.stderr)
        self.assertRegex(p.stderr, r"  ok    chromium: pinging .* \(\d+\.\d s\)\n")
        self.assertNotIn("pinging", p.stdout)
        # --json: stdout is one JSON document and stderr carries no progress off a terminal
        p = subprocess.run([self.installed, "doctor", "--offline", "--json"], env=self.env,
                           capture_output=True, text=True, timeout=60)
        json.loads(p.stdout)
        self.assertNotIn("pinging", p.stderr)

    def test_ping_timeout_says_what_it_waited_for(self):
        self.fake_host("import time\ntime.sleep(30)\n")
        rc, doc = self.doctor()
        self.assert_fail(doc, r"did not answer a ping: no reply within 5\.0 s: waited for the host "
                              r"to answer a framed ping on its stdout \(not a byte came back\)")

    def test_bad_extension_id_argument(self):
        p = subprocess.run([self.installed, "doctor", "--extension-id", "nope"], env=self.env,
                           capture_output=True, text=True)
        self.assertEqual(p.returncode, 2)
        self.assertIn("'nope' is not an extension id", p.stderr)

    def test_wrong_options_are_named(self):
        for args, text in ((["--jsn"], "unknown option '--jsn' (did you mean --json?)"),
                           (["--ofline"], "unknown option '--ofline' (did you mean --offline?)"),
                           (["now"], "unexpected argument 'now'"),
                           (["--extension-id"], "--extension-id needs an extension id"),
                           (["--force"], "--force only goes with --report")):
            p = subprocess.run([self.installed, "doctor"] + args, env=self.env, capture_output=True,
                               text=True, timeout=60)
            self.assertEqual(p.returncode, 2, args)
            self.assertIn(text, p.stderr, args)
            self.assertEqual(p.stdout, "", args)  # nothing was checked
        p = subprocess.run([self.installed, "doctor", "--help"], env=self.env, capture_output=True,
                           text=True, timeout=60)
        self.assertEqual(p.returncode, 0)
        self.assertIn("usage: textus-host doctor", p.stdout)
        self.assertIn("exit status", p.stdout)

    def test_engine_missing(self):
        os.remove(os.path.join(self.bindir, "textus-host-engine.so"))
        rc, doc = self.doctor()
        hits = self.assert_fail(doc, r"module textus-host-engine is missing")
        self.assertTrue(hits[0].get("faq_not_tracking"))
        os.remove(os.path.join(self.bindir, "textus-host-store.so"))
        rc, doc = self.doctor()
        self.assert_fail(doc, r"module textus-host-store is missing")

    # ---- the ping ----

    def fake_host(self, body):
        path = os.path.join(self.tmp, "fakehost.py")
        with open(path, "w") as f:
            f.write("#!%s\n%s" % (sys.executable, body))
        os.chmod(path, 0o755)
        self.copy_modules(self.tmp)
        self.edit_manifest(lambda m: m.update(path=path))
        return path

    REPLY = ("import sys, struct, json\n"
             "n = struct.unpack('=I', sys.stdin.buffer.read(4))[0]; req = json.loads(sys.stdin.buffer.read(n))\n"
             "def send(o):\n"
             "    b = json.dumps(o).encode(); sys.stdout.buffer.write(struct.pack('=I', len(b)) + b); sys.stdout.buffer.flush()\n")

    def test_host_exits_without_reply(self):
        self.fake_host("import sys\nsys.exit(3)\n")
        rc, doc = self.doctor()
        self.assert_fail(doc, r"did not answer a ping.*exited with code 3")

    def test_host_writes_garbage(self):
        self.fake_host("import sys\nsys.stdout.write('hello, debug output\\n')\n")
        rc, doc = self.doctor()
        self.assert_fail(doc, r"did not answer a ping: the reply (frame has a bad length|is not JSON)")

    def test_host_does_not_exit_on_eof(self):
        self.fake_host(self.REPLY + "send({'id': req.get('id'), 'ok': True, 'result': {'version': '0.1.0', 'protocol': 1}})\n"
                       "import time\ntime.sleep(30)\n")
        rc, doc = self.doctor()
        self.assert_fail(doc, r"did not exit when its input closed")

    def test_host_refuses_origin(self):
        self.fake_host(self.REPLY + "send({'id': req.get('id'), 'ok': False, 'error': {'code': 'forbidden_origin', "
                       "'message': 'extension x is not allowed', 'retryable': False}})\n")
        rc, doc = self.doctor()
        self.assert_fail(doc, r"answered the ping with forbidden_origin", r"allowed_extension_ids")

    def test_version_mismatch_warns(self):
        self.fake_host(self.REPLY + "send({'id': req.get('id'), 'ok': True, 'result': {'version': '0.0.9', 'protocol': 1}})\n")
        rc, doc = self.doctor()
        warns = self.install_findings(doc, "warn")
        self.assertTrue(any("installed host is version 0.0.9" in c["message"] for c in warns), warns)
        self.assertEqual(self.install_findings(doc, "fail"), [])

    def test_build_folder_warns(self):
        build = os.path.join(self.tmp, "src", "build", "host")
        os.makedirs(build)
        shutil.copy2(self.installed, build)
        self.copy_modules(build)
        self.edit_manifest(lambda m: m.update(path=os.path.join(build, "textus-host")))
        rc, doc = self.doctor()
        warns = self.install_findings(doc, "warn")
        self.assertTrue(any("temporary or build folder" in c["message"] for c in warns), warns)

    # ---- environment ----

    def test_receipt_manifest_gone(self):
        udd = os.path.join(self.tmp, "profile")
        subprocess.run(["bash", INSTALL, "--binary", HOST, "--allow-failpoints", "--force", "--user-data-dir", udd], env=self.env,
                       capture_output=True, check=True)
        rc, doc = self.doctor()
        oks = self.install_findings(doc, "ok")
        self.assertTrue(any(udd in c["subject"] for c in oks), oks)  # found through the receipt
        os.remove(os.path.join(udd, "NativeMessagingHosts", NAME + ".json"))
        rc, doc = self.doctor()
        self.assert_fail(doc, r"installed \(install receipt\) but is gone")

    def test_user_data_dir_argument(self):
        udd = os.path.join(self.tmp, "other-profile")
        os.makedirs(udd)
        rc, doc = self.doctor("--user-data-dir", udd)
        # the exact command for that folder, not a generic "DIR"
        self.assert_fail(doc, r"not installed for this browser: no %s" % udd,
                         r"^run scripts/install\.sh --user-data-dir %s$" % re.escape(udd))

    def test_user_data_dir_that_does_not_exist(self):
        udd = os.path.join(self.tmp, "nope")
        rc, doc = self.doctor("--user-data-dir", udd)
        self.assertEqual(rc, 1)
        hits = self.assert_fail(doc, r"^the folder %s given with --user-data-dir does not exist"
                                % re.escape(udd),
                                r"scripts/install\.sh --user-data-dir %s$" % re.escape(udd))
        self.assertEqual(hits[0]["subject"], udd)
        self.assertFalse(any("not installed for this browser" in c["message"] and udd in c["message"]
                             for c in doc["checks"]), doc)
        # "~/nope" as typed: expanded, said with the full path
        rc, doc = self.doctor("--user-data-dir", "~/nope")
        self.assert_fail(doc, r"^the folder %s given with --user-data-dir does not exist"
                         % re.escape(os.path.join(self.home, "nope")))

    def test_snap_and_flatpak(self):
        os.makedirs(os.path.join(self.home, "snap", "chromium"))
        os.makedirs(os.path.join(self.home, ".var", "app", "org.chromium.Chromium"))
        rc, doc = self.doctor()
        warns = self.install_findings(doc, "warn")
        self.assertTrue(any("a Snap chromium" in c["message"] and ".deb" in c["fix"] for c in warns), warns)
        self.assertTrue(any("Flatpak browser (org.chromium.Chromium)" in c["message"] for c in warns), warns)

    def test_policies(self):
        pol = os.path.join(self.tmp, "root", "etc", "chromium", "policies", "managed")
        os.makedirs(pol)
        with open(os.path.join(pol, "a.json"), "w") as f:
            json.dump({"NativeMessagingUserLevelHosts": False}, f)
        with open(os.path.join(pol, "b.json"), "w") as f:
            json.dump({"NativeMessagingBlocklist": ["*"]}, f)
        rc, doc = self.doctor()
        self.assert_fail(doc, r"NativeMessagingUserLevelHosts to false", r"--system")
        self.assert_fail(doc, r"NativeMessagingBlocklist", r"NativeMessagingAllowlist")
        with open(os.path.join(pol, "b.json"), "w") as f:
            json.dump({"NativeMessagingBlocklist": ["*"], "NativeMessagingAllowlist": [NAME]}, f)
        rc, doc = self.doctor()
        self.assertFalse(any("NativeMessagingBlocklist" in c["message"] for c in self.install_findings(doc)))

    def test_system_manifest_checked(self):
        sysdir = os.path.join(self.tmp, "root", "etc", "chromium", "native-messaging-hosts")
        os.makedirs(sysdir)
        with open(os.path.join(sysdir, NAME + ".json"), "w") as f:
            f.write("not json")
        rc, doc = self.doctor()
        hits = self.assert_fail(doc, r"not valid JSON")
        self.assertIn("machine-wide", hits[0]["subject"])


if __name__ == "__main__":
    unittest.main(verbosity=2)
