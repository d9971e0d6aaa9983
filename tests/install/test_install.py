"""Installer tests: scripts/install.sh and scripts/uninstall.sh into a fake $HOME.

A fake home holds several browser user data folders (and some that are missing);
the tests check which manifests are written, their content and modes, the
installed binary, idempotence, the receipt, that uninstall leaves exactly the
tree that was there before, --dry-run, --user-data-dir, --browser, --system
(under TH_INSTALL_ROOT), macOS paths (TH_INSTALL_OS=Darwin), bad extension ids,
the Snap/Flatpak warnings and the NativeMessagingUserLevelHosts policy warning.
"""
import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import unittest

SRC = os.environ.get("TH_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
INSTALL = os.path.join(SRC, "scripts", "install.sh")
UNINSTALL = os.path.join(SRC, "scripts", "uninstall.sh")
HOST = os.environ["TH_HOST"]
NAME = "com.textus.greenhouse"
STUB = "hfboccpnppdfmcdbjjgmobnhljkkmjji"
OTHER = "abcdefghijklmnopabcdefghijklmnop"


def tree(root):
    """Every path under root with its mode, as a sorted list (what 'leaves nothing' compares)."""
    out = []
    for d, dirs, files in os.walk(root):
        for n in dirs + files:
            p = os.path.join(d, n)
            out.append((os.path.relpath(p, root), stat.S_IMODE(os.lstat(p).st_mode)))
    return sorted(out)


class Installer(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="th-install-")
        self.home = os.path.join(self.tmp, "home")
        # a host binary + engine in a "build" folder of their own
        self.build = os.path.join(self.tmp, "build")
        os.makedirs(self.build)
        self.binary = os.path.join(self.build, "textus-host")
        shutil.copy2(HOST, self.binary)
        # the modules the executable loads from its own folder
        self.modules = sorted(n for n in os.listdir(os.path.dirname(HOST))
                              if n.startswith("textus-host-") and n.endswith((".so", ".dylib")))
        for n in self.modules:
            shutil.copy2(os.path.join(os.path.dirname(HOST), n), self.build)
        if not self.modules:  # a build without an engine: a stand-in file is enough here
            self.modules = ["textus-host-engine.so"]
            with open(os.path.join(self.build, "textus-host-engine.so"), "w") as f:
                f.write("stand-in\n")
        cfg = os.path.join(self.home, ".config")
        for d in ("google-chrome", "google-chrome-beta", "chromium", "microsoft-edge",
                  "BraveSoftware/Brave-Browser", "vivaldi"):
            os.makedirs(os.path.join(cfg, d))
        # a browser that already has a NativeMessagingHosts folder with another host in it
        nmh = os.path.join(cfg, "vivaldi", "NativeMessagingHosts")
        os.makedirs(nmh)
        with open(os.path.join(nmh, "org.other.host.json"), "w") as f:
            f.write("{}\n")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def run_script(self, script, *args, env=None, ok=True):
        e = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": self.home,
             "LC_ALL": "C"}
        e.update(env or {})
        p = subprocess.run(["bash", script] + list(args), env=e, capture_output=True,
                           text=True, timeout=60)
        if ok:
            self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        return p

    def install(self, *args, **kw):
        return self.run_script(INSTALL, "--binary", self.binary, *args, **kw)

    def manifest_path(self, browser_dir):
        return os.path.join(self.home, ".config", browser_dir, "NativeMessagingHosts", NAME + ".json")

    @property
    def state(self):
        return os.path.join(self.home, ".local", "share", "textus-host")

    def receipt(self):
        with open(os.path.join(self.state, "install-receipt.txt")) as f:
            return [tuple(line.rstrip("\n").split("\t", 1)) for line in f if not line.startswith("#")]

    # ---- tests ----

    def test_installs_into_every_existing_browser_folder(self):
        p = self.install("--extension-id", OTHER)
        installed = os.path.join(self.state, "bin", "textus-host")
        found = ["google-chrome", "google-chrome-beta", "chromium", "microsoft-edge",
                 "BraveSoftware/Brave-Browser", "vivaldi"]
        for d in found:
            m = self.manifest_path(d)
            self.assertIn("wrote " + m, p.stdout)
            self.assertEqual(stat.S_IMODE(os.stat(m).st_mode), 0o644)
            with open(m) as f:
                doc = json.load(f)
            self.assertEqual(doc["name"], NAME)
            self.assertEqual(doc["type"], "stdio")
            self.assertTrue(doc["description"])
            self.assertEqual(doc["path"], installed)
            self.assertEqual(doc["allowed_origins"],
                             ["chrome-extension://%s/" % STUB, "chrome-extension://%s/" % OTHER])
        # missing browsers get nothing
        for d in ("google-chrome-unstable", "google-chrome-canary", "microsoft-edge-beta",
                  "microsoft-edge-dev"):
            self.assertFalse(os.path.exists(os.path.join(self.home, ".config", d)), d)
        # the binary and the engine are installed, executable, outside the build folder
        self.assertEqual(stat.S_IMODE(os.stat(installed).st_mode), 0o755)
        for n in self.modules:
            self.assertTrue(os.path.isfile(os.path.join(self.state, "bin", n)), n)
        self.assertEqual(stat.S_IMODE(os.stat(self.state).st_mode), 0o700)
        # the installed binary answers
        out = subprocess.run([installed, "--version"], capture_output=True, text=True)
        self.assertIn("textus-host", out.stdout)
        # the receipt lists every file written, and nothing it did not create
        rec = self.receipt()
        files = sorted(p for k, p in rec if k == "file")
        self.assertEqual(files, sorted([self.manifest_path(d) for d in found] + [installed] +
                                       [os.path.join(self.state, "bin", n) for n in self.modules]))
        dirs = [p for k, p in rec if k == "dir"]
        self.assertNotIn(os.path.join(self.home, ".config", "vivaldi", "NativeMessagingHosts"), dirs)
        self.assertIn(os.path.join(self.home, ".config", "chromium", "NativeMessagingHosts"), dirs)
        self.assertEqual(stat.S_IMODE(os.stat(os.path.join(self.state, "install-receipt.txt")).st_mode), 0o600)

    def test_idempotent_and_uninstall_leaves_nothing(self):
        before = tree(self.home)
        self.install()
        after1 = tree(self.home)
        rec1 = self.receipt()
        with open(self.manifest_path("chromium")) as f:
            m1 = f.read()
        self.install()
        self.assertEqual(tree(self.home), after1)
        self.assertEqual(self.receipt(), rec1)
        with open(self.manifest_path("chromium")) as f:
            self.assertEqual(f.read(), m1)
        p = self.run_script(UNINSTALL)
        self.assertIn("removed " + self.manifest_path("chromium"), p.stdout)
        self.assertEqual(tree(self.home), before)
        # the other host's manifest is untouched
        self.assertTrue(os.path.exists(os.path.join(self.home, ".config", "vivaldi",
                                                    "NativeMessagingHosts", "org.other.host.json")))
        # a second uninstall has no receipt and says so
        p = self.run_script(UNINSTALL, ok=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("no install receipt", p.stderr)

    def test_uninstall_keeps_user_state(self):
        self.install()
        store = os.path.join(self.state, "store.bin")
        with open(store, "w") as f:
            f.write("secret-ish\n")
        self.run_script(UNINSTALL)
        self.assertTrue(os.path.exists(store))
        self.assertFalse(os.path.exists(os.path.join(self.state, "bin")))
        self.assertFalse(os.path.exists(self.manifest_path("google-chrome")))

    def test_dry_run_writes_nothing(self):
        before = tree(self.home)
        p = self.install("--dry-run", "--user-data-dir", os.path.join(self.tmp, "profile"))
        self.assertEqual(tree(self.home), before)
        self.assertFalse(os.path.exists(os.path.join(self.tmp, "profile")))
        self.assertIn("would write " + os.path.join(self.tmp, "profile", "NativeMessagingHosts",
                                                    NAME + ".json"), p.stdout)
        self.assertNotIn("  wrote ", p.stdout)
        p = self.install("--dry-run")
        self.assertIn("would write " + self.manifest_path("chromium"), p.stdout)
        self.assertNotIn("  wrote ", p.stdout)
        self.assertEqual(tree(self.home), before)

    def test_user_data_dir_only(self):
        udd = os.path.join(self.tmp, "custom profile")  # a space in the path
        p = self.install("--user-data-dir", udd)
        m = os.path.join(udd, "NativeMessagingHosts", NAME + ".json")
        self.assertIn("wrote " + m, p.stdout)
        with open(m) as f:
            self.assertEqual(json.load(f)["allowed_origins"], ["chrome-extension://%s/" % STUB])
        self.assertFalse(os.path.exists(self.manifest_path("chromium")))
        self.run_script(UNINSTALL)
        self.assertFalse(os.path.exists(udd))

    def test_browser_forces_a_missing_folder(self):
        p = self.install("--browser", "edge-dev")
        m = self.manifest_path("microsoft-edge-dev")
        self.assertIn("wrote " + m, p.stdout)
        self.assertFalse(os.path.exists(self.manifest_path("chromium")))
        p = self.install("--browser", "netscape", ok=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("unknown browser", p.stderr)

    def test_config_home_variables(self):
        xdg = os.path.join(self.tmp, "xdg")
        os.makedirs(os.path.join(xdg, "chromium"))
        self.install(env={"XDG_CONFIG_HOME": xdg})
        self.assertTrue(os.path.exists(os.path.join(xdg, "chromium", "NativeMessagingHosts", NAME + ".json")))
        self.assertFalse(os.path.exists(self.manifest_path("chromium")))
        cch = os.path.join(self.tmp, "cch")
        os.makedirs(os.path.join(cch, "google-chrome"))
        self.install(env={"XDG_CONFIG_HOME": xdg, "CHROME_CONFIG_HOME": cch})
        self.assertTrue(os.path.exists(os.path.join(cch, "google-chrome", "NativeMessagingHosts", NAME + ".json")))

    def test_bad_extension_id_refused(self):
        before = tree(self.home)
        for bad in ("ABCDEFGHIJKLMNOPABCDEFGHIJKLMNOP", "abcdefghijklmnopabcdefghijklmnoq",
                    "abc", "chrome-extension://%s/" % OTHER, ""):
            p = self.install("--extension-id", bad, ok=False)
            self.assertNotEqual(p.returncode, 0, bad)
            self.assertIn("not valid", p.stderr)
        self.assertEqual(tree(self.home), before)

    def test_no_browser_found_warns(self):
        shutil.rmtree(os.path.join(self.home, ".config"))
        p = self.install()
        self.assertIn("no browser user data folder found", p.stderr)

    def test_snap_flatpak_and_policy_warnings(self):
        os.makedirs(os.path.join(self.home, "snap", "chromium"))
        os.makedirs(os.path.join(self.home, ".var", "app", "com.google.Chrome"))
        root = os.path.join(self.tmp, "root")
        pol = os.path.join(root, "etc", "opt", "chrome", "policies", "managed")
        os.makedirs(pol)
        with open(os.path.join(pol, "corp.json"), "w") as f:
            f.write('{ "NativeMessagingUserLevelHosts" : false }\n')
        p = self.install(env={"TH_INSTALL_ROOT": root})
        self.assertIn("Snap chromium", p.stderr)
        self.assertIn("Flatpak", p.stderr)
        self.assertIn("com.google.Chrome", p.stderr)
        self.assertIn("NativeMessagingUserLevelHosts", p.stderr)
        self.assertIn(os.path.join(pol, "corp.json"), p.stderr)

    def test_system_install_under_root(self):
        root = os.path.join(self.tmp, "root")
        os.makedirs(os.path.join(root, "etc", "chromium"))
        os.makedirs(os.path.join(root, "opt", "google", "chrome"))
        before = tree(root)
        p = self.install("--system", env={"TH_INSTALL_ROOT": root})
        host = os.path.join(root, "usr", "local", "lib", "textus-host", "textus-host")
        for d in ("etc/chromium/native-messaging-hosts", "etc/opt/chrome/native-messaging-hosts"):
            m = os.path.join(root, d, NAME + ".json")
            self.assertIn("wrote " + m, p.stdout)
            with open(m) as f:
                self.assertEqual(json.load(f)["path"], host)
        self.assertFalse(os.path.exists(os.path.join(root, "etc", "opt", "edge")))
        self.assertTrue(os.access(host, os.X_OK))
        self.assertFalse(os.path.exists(os.path.join(self.home, ".local")))
        self.run_script(UNINSTALL, "--system", env={"TH_INSTALL_ROOT": root})
        self.assertEqual(tree(root), before)

    def test_macos_paths(self):
        asup = os.path.join(self.home, "Library", "Application Support")
        for d in ("Google/Chrome", "Google/Chrome Canary", "Microsoft Edge", "BraveSoftware/Brave-Browser"):
            os.makedirs(os.path.join(asup, d))
        before = tree(self.home)
        p = self.install(env={"TH_INSTALL_OS": "Darwin"})
        host = os.path.join(asup, "textus-host", "bin", "textus-host")
        for d in ("Google/Chrome", "Google/Chrome Canary", "Microsoft Edge", "BraveSoftware/Brave-Browser"):
            m = os.path.join(asup, d, "NativeMessagingHosts", NAME + ".json")
            self.assertIn("wrote " + m, p.stdout)
            with open(m) as f:
                self.assertEqual(json.load(f)["path"], host)
        # Linux folders are not used on macOS
        self.assertFalse(os.path.exists(self.manifest_path("chromium")))
        self.run_script(UNINSTALL, env={"TH_INSTALL_OS": "Darwin"})
        self.assertEqual(tree(self.home), before)

    def test_textus_host_home_holds_the_install(self):
        th = os.path.join(self.tmp, "state")
        self.install("--user-data-dir", os.path.join(self.tmp, "p"), env={"TEXTUS_HOST_HOME": th})
        self.assertTrue(os.path.exists(os.path.join(th, "bin", "textus-host")))
        self.assertTrue(os.path.exists(os.path.join(th, "install-receipt.txt")))
        self.assertFalse(os.path.exists(os.path.join(self.home, ".local")))
        self.run_script(UNINSTALL, env={"TEXTUS_HOST_HOME": th})
        self.assertFalse(os.path.exists(th))

    def test_missing_binary_refused(self):
        p = self.run_script(INSTALL, "--binary", os.path.join(self.tmp, "nope"), ok=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("not an executable", p.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
