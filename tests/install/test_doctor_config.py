"""`textus-host doctor` configuration findings and the support report.

Each test installs the host into a fake $HOME (scripts/install.sh) with its
state in TEXTUS_HOST_HOME, configures it (or breaks the configuration), and
checks the finding doctor reports, its fix, the FAQ answer it feeds, the exit
status, and that no secret ever reaches the output or the report — which is
written where doctor says, as a new file (never through a symlink or over an
existing file without --force). Online checks (against the fakes) are in
test_doctor_online.py.
"""
import json
import os
import re
import shutil
import stat
import subprocess
import tempfile
import unittest

SRC = os.environ.get("TH_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
INSTALL = os.path.join(SRC, "scripts", "install.sh")
HOST = os.environ["TH_HOST"]
STUB = "hfboccpnppdfmcdbjjgmobnhljkkmjji"
OTHER = "abcdefghijklmnopabcdefghijklmnop"
ENGINE = os.path.join(os.path.dirname(HOST), "textus-host-engine.so")
TOKEN = "tok_CANARY_doctor_7f3a9c1e55"
API_KEY = "hvk_CANARY_doctor_0b1d2e3f44"
SECRET = "csecret_CANARY_doctor_9a8b7c6d"


@unittest.skipUnless(os.path.exists(ENGINE), "this build has no engine (no configuration checks)")
class DoctorConfig(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="th-doctor-cfg-")
        self.home = os.path.join(self.tmp, "home")
        self.state = os.path.join(self.tmp, "state")
        os.makedirs(os.path.join(self.home, ".config", "chromium"))
        self.env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": self.home, "LC_ALL": "C",
                    "TEXTUS_HOST_HOME": self.state, "TH_INSTALL_ROOT": os.path.join(self.tmp, "root")}
        p = subprocess.run(["bash", INSTALL, "--binary", HOST, "--allow-failpoints"], env=self.env, capture_output=True,
                           text=True, timeout=60)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.host = os.path.join(self.state, "bin", "textus-host")
        self.outputs = []

    def tearDown(self):
        for out in self.outputs:  # no secret in anything doctor printed
            for s in (TOKEN, API_KEY, SECRET):
                self.assertNotIn(s, out)
        shutil.rmtree(self.tmp, ignore_errors=True)

    def configure(self, doc):
        p = subprocess.run([self.host, "configure", "--no-verify"], input=json.dumps(doc), env=self.env,
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)

    def v1(self):
        self.configure({"textus": {"token": TOKEN, "account": "acme"},
                        "greenhouse": {"email": "alice@acme.example", "api_key": API_KEY}})

    def v3(self):
        self.configure({"textus": {"token": TOKEN, "account": "acme"},
                        "greenhouse": {"email": "alice@acme.example", "client_id": "client_1",
                                       "client_secret": SECRET}})

    def doctor(self, *args):
        p = subprocess.run([self.host, "doctor", "--json", "--offline"] + list(args), env=self.env,
                           capture_output=True, text=True, timeout=60)
        self.outputs += [p.stdout, p.stderr]
        return p.returncode, json.loads(p.stdout)

    def find(self, doc, status, text):
        hits = [c for c in doc["checks"] if c["status"] == status and text in c["message"]]
        self.assertTrue(hits, "no %s finding with %r in %s" % (status, text, json.dumps(doc["checks"], indent=1)))
        return hits[0]

    def test_not_configured(self):
        rc, doc = self.doctor()
        self.assertEqual(rc, 1)
        c = self.find(doc, "fail", "nothing is configured yet")
        self.assertIn("textus-host configure", c["fix"])
        self.assertTrue(c["faq_not_sending"] and c["faq_not_tracking"])
        self.assertIn("nothing is configured yet", doc["faq"]["not_sending"])
        self.assertIn("nothing is configured yet", doc["faq"]["not_tracking"])

    def test_all_good_v3_exits_0(self):
        self.v3()
        # the production extension allowed on both sides (a stub-only install warns)
        p = subprocess.run(["bash", INSTALL, "--binary", HOST, "--allow-failpoints",
                            "--extension-id", OTHER], env=self.env, capture_output=True, text=True,
                           timeout=60)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.configure({"settings": {"allowed_extension_ids": [OTHER]}})
        rc, doc = self.doctor()
        self.assertEqual([c for c in doc["checks"] if c["status"] == "fail"], [])
        self.assertEqual(rc, 0)
        self.assertTrue(doc["ok"])
        self.find(doc, "ok", "opens with the key")
        self.find(doc, "ok", "Harvest v3 client credentials for alice@acme.example")
        self.find(doc, "ok", 'account "acme"')
        self.assertFalse(any("Harvest v1" in c["message"] for c in doc["checks"]))
        self.assertIn("nothing found on this computer", doc["faq"]["not_sending"])

    def test_only_the_stub_allowed_warns_and_still_exits_0(self):
        # configured, installed for the stub only (the README's steps): the TextUs extension
        # would be refused, which doctor says as a warning; warnings do not fail (README:
        # "no check failed (warnings allowed)"), in the JSON and the exit status alike
        self.v3()
        rc, doc = self.doctor()
        self.assertEqual([c for c in doc["checks"] if c["status"] == "fail"], [])
        self.assertEqual(rc, 0)
        self.assertIs(doc["ok"], True)
        c = self.find(doc, "warn", "only the development stub's extension id is allowed")
        self.assertEqual(c["subject"], "extension ids")
        self.assertEqual(doc["warnings"], len([c for c in doc["checks"] if c["status"] == "warn"]))
        p = subprocess.run([self.host, "doctor", "--offline"], env=self.env, capture_output=True,
                           text=True, timeout=60)
        self.outputs += [p.stdout, p.stderr]
        self.assertEqual(p.returncode, 0, p.stdout)
        self.assertRegex(p.stdout, r"\nOK: 0 problems, [1-9]\d* warnings?\n")
        self.assertIn("scripts/install.sh --extension-id <its id>", p.stdout)

    def test_v1_retirement_notice(self):
        self.v1()
        rc, doc = self.doctor()
        self.assertEqual(rc, 0)  # a warning, not a failure: v1 may still answer for some tenants
        # the date Greenhouse announced for v1's removal (the wording around it may change)
        c = self.find(doc, "warn", "2026-08-31")
        self.assertIn("Harvest v1", c["message"])
        self.assertIn("v3", c["fix"])
        self.assertTrue(c["faq_not_tracking"])
        self.assertIn("2026-08-31", doc["faq"]["not_tracking"])

    def test_textus_missing(self):
        self.configure({"greenhouse": {"email": "alice@acme.example", "client_id": "c", "client_secret": SECRET}})
        rc, doc = self.doctor()
        self.assertEqual(rc, 1)
        c = self.find(doc, "fail", "the TextUs token and account are missing")
        self.assertTrue(c["faq_not_sending"])
        self.assertIn("API token", c["fix"])

    def test_greenhouse_missing(self):
        self.configure({"textus": {"token": TOKEN, "account": "acme"}})
        rc, doc = self.doctor()
        self.assertEqual(rc, 1)
        c = self.find(doc, "fail", "texts are sent but not logged in Greenhouse")
        self.assertTrue(c["faq_not_tracking"])
        self.assertFalse(c.get("faq_not_sending"))

    def test_notes_disabled(self):
        self.v3()
        self.configure({"settings": {"note_enabled": False}})
        rc, doc = self.doctor()
        c = self.find(doc, "warn", "notes are turned off")
        self.assertTrue(c["faq_not_tracking"])

    def test_store_too_open(self):
        self.v3()
        store = os.path.join(self.state, "credentials.store")
        os.chmod(store, 0o644)
        rc, doc = self.doctor()
        self.assertEqual(rc, 1)
        c = [x for x in doc["checks"] if x["status"] == "fail" and x["subject"] == store]
        self.assertTrue(c, doc["checks"])
        self.assertIn("chmod", c[0]["fix"])

    def test_settings_file_too_open(self):
        # the allowed ids' file (settings.json): the host refuses it, so doctor fails with the fix
        self.v3()
        self.configure({"settings": {"allowed_extension_ids": [OTHER]}})
        settings = os.path.join(self.state, "settings.json")
        os.chmod(settings, 0o644)
        rc, doc = self.doctor()
        self.assertEqual(rc, 1)
        c = [x for x in doc["checks"] if x["status"] == "fail" and x["subject"] == settings]
        self.assertTrue(c, doc["checks"])
        self.assertEqual(c[0]["fix"], "chmod 600 '%s'" % settings)

    def test_store_corrupt(self):
        self.v3()
        store = os.path.join(self.state, "credentials.store")
        with open(store, "r+b") as f:
            f.seek(50)
            b = f.read(1)
            f.seek(50)
            f.write(bytes([b[0] ^ 0x40]))
        rc, doc = self.doctor()
        self.assertEqual(rc, 1)
        c = [x for x in doc["checks"] if x["status"] == "fail" and x["subject"] == store]
        self.assertTrue(c, doc["checks"])
        self.assertIn("move %s aside" % store, c[0]["fix"])

    def test_key_missing(self):
        self.v3()
        os.remove(os.path.join(self.state, "store.key"))
        rc, doc = self.doctor()
        self.assertEqual(rc, 1)
        c = [x for x in doc["checks"] if x["status"] == "fail" and "credentials.store" in x["subject"]]
        self.assertTrue(c, doc["checks"])
        self.assertIn("restore", c[0]["fix"])

    def test_report_has_no_secret(self):
        self.v1()
        report = os.path.join(self.tmp, "report.txt")
        p = subprocess.run([self.host, "doctor", "--offline", "--report", report], env=self.env,
                           capture_output=True, text=True, timeout=60)
        self.outputs += [p.stdout, p.stderr]
        self.assertIn("Support report written to " + report, p.stdout)
        # where to send it, and on whose word
        self.assertIn("Mail it to TextUs support, nextsupport@textus.com (the address "
                      "Greenhouse's TextUs integration article gives)", p.stdout)
        self.assertEqual(stat.S_IMODE(os.stat(report).st_mode), 0o600)
        with open(report) as f:
            text = f.read()
        self.outputs.append(text)
        self.assertIn("textus-host support report", text)
        self.assertIn("host: textus-host ", text)
        self.assertIn("Why are my texts not sending?", text)
        self.assertIn("Recent messages", text)
        self.assertIn("Harvest v1", text)
        # no file under the state root but the store holds a canary in clear
        for d, _, files in os.walk(self.state):
            for n in files:
                with open(os.path.join(d, n), "rb") as f:
                    data = f.read()
                for s in (TOKEN, API_KEY):
                    self.assertNotIn(s.encode(), data, n)

    # ---- the support report: the file it names, new, 0600 ----

    def report(self, *args, cwd=None):
        p = subprocess.run([self.host, "doctor", "--offline", "--report"] + list(args), env=self.env,
                           capture_output=True, text=True, timeout=60, cwd=cwd or self.tmp)
        self.outputs += [p.stdout, p.stderr]
        return p

    def test_report_default_is_in_the_data_folder(self):
        self.v3()
        cwd = os.path.join(self.tmp, "cwd")
        os.makedirs(cwd)
        p = self.report(cwd=cwd)
        self.assertEqual(p.returncode, 0, p.stderr)
        m = re.search(r"Support report written to (\S+) \(", p.stdout)
        self.assertTrue(m, p.stdout)
        path = m.group(1)
        self.assertEqual(os.path.dirname(path), self.state)  # TEXTUS_HOST_HOME is the data folder
        self.assertRegex(os.path.basename(path), r"^textus-host-report-\d{8}-\d{6}(-\d+)?\.txt$")
        self.assertTrue(os.path.isfile(path))
        self.assertEqual(stat.S_IMODE(os.stat(path).st_mode), 0o600)
        with open(path) as f:
            self.assertIn("textus-host support report", f.read())
        self.assertEqual(os.listdir(cwd), [])  # nothing written where doctor ran
        # a second report in the same second gets a name of its own
        p2 = self.report(cwd=cwd)
        self.assertNotIn("written to %s " % path, p2.stdout)

    def test_report_relative_file_is_printed_in_full(self):
        self.v3()
        p = self.report("r.txt")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("Support report written to %s (" % os.path.join(self.tmp, "r.txt"), p.stdout)
        self.assertTrue(os.path.isfile(os.path.join(self.tmp, "r.txt")))

    def test_report_refuses_an_existing_file_or_symlink(self):
        self.v3()
        target = os.path.join(self.tmp, "bashrc")
        with open(target, "w") as f:
            f.write("alias ll='ls -l'\n")
        existing = os.path.join(self.tmp, "existing.txt")
        with open(existing, "w") as f:
            f.write("keep me\n")
        link = os.path.join(self.tmp, "report.txt")
        os.symlink(target, link)
        dangling = os.path.join(self.tmp, "dangling.txt")
        os.symlink(os.path.join(self.tmp, "nowhere"), dangling)
        for path in (existing, link, dangling):
            p = self.report(path)
            self.assertEqual(p.returncode, 2, path)
            self.assertIn("%s already exists" % path, p.stderr)
            self.assertIn("--force", p.stderr)
            self.assertEqual(p.stdout, "")  # refused before anything was checked
        self.assertFalse(os.path.exists(os.path.join(self.tmp, "nowhere")))
        with open(target) as f:
            self.assertEqual(f.read(), "alias ll='ls -l'\n")
        with open(existing) as f:
            self.assertEqual(f.read(), "keep me\n")
        # --force replaces the name itself: the symlink goes, its target is untouched
        p = self.report(link, "--force")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertFalse(os.path.islink(link))
        self.assertEqual(stat.S_IMODE(os.lstat(link).st_mode), 0o600)
        with open(target) as f:
            self.assertEqual(f.read(), "alias ll='ls -l'\n")
        p = self.report(existing, "--force")
        self.assertEqual(p.returncode, 0, p.stderr)
        with open(existing) as f:
            self.assertIn("textus-host support report", f.read())
        p = self.report(os.path.join(self.tmp, "no-such-folder", "r.txt"))
        self.assertEqual(p.returncode, 2)
        self.assertIn("not a file in an existing folder", p.stderr)

    # ---- extension ids: the host's settings and the manifests agree ----

    def test_configured_extension_must_be_in_every_manifest(self):
        self.v3()
        self.configure({"settings": {"allowed_extension_ids": [OTHER]}})
        manifest = os.path.join(self.home, ".config", "chromium", "NativeMessagingHosts",
                                "com.textus.greenhouse.json")
        rc, doc = self.doctor()
        self.assertEqual(rc, 1)
        c = [x for x in doc["checks"] if x["status"] == "fail" and x["area"] == "install"]
        self.assertEqual(len(c), 1, doc["checks"])
        self.assertIn("extension %s is allowed in the host's settings" % OTHER, c[0]["message"])
        self.assertIn(manifest, c[0]["subject"])
        self.assertEqual(c[0]["fix"], "scripts/install.sh --extension-id %s" % OTHER)
        p = subprocess.run(["bash", INSTALL, "--binary", HOST, "--allow-failpoints", "--extension-id",
                            OTHER], env=self.env, capture_output=True, text=True, timeout=60)
        self.assertEqual(p.returncode, 0, p.stderr)
        rc, doc = self.doctor()
        self.assertEqual([x for x in doc["checks"] if x["status"] == "fail"], [])
        ok = [x for x in doc["checks"] if x["status"] == "ok" and x["area"] == "install"]
        self.assertTrue(any("for extensions %s, %s" % (STUB, OTHER) in x["message"] for x in ok), ok)


if __name__ == "__main__":
    unittest.main(verbosity=2)
