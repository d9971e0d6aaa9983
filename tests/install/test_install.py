"""Installer tests: scripts/install.sh and scripts/uninstall.sh into a fake $HOME.

A fake home holds several browser user data folders (and some that are missing);
the tests check which manifests are written, their content and modes, the
installed binary, idempotence, the receipt, that uninstall leaves exactly the
tree that was there before, --dry-run, --user-data-dir, --browser, --system
(under TH_INSTALL_ROOT), macOS paths (TH_INSTALL_OS=Darwin), bad extension ids,
the Snap/Flatpak warnings and the NativeMessagingUserLevelHosts policy warning;
extension ids kept across re-installs (and across an uninstall, from the host's
settings), the link on PATH and the PATH advice, refused test builds and custom
profile folders, an install that registers no browser (exit 1), dry runs that
name exactly what the real run creates or removes, the support reports named at
uninstall, and the options' errors.
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
        # the suite's build may have test failpoints (cmake -DTH_FAILPOINTS=ON), which the
        # installer refuses unless told (test_failpoint_build_refused)
        return self.run_script(INSTALL, "--binary", self.binary, "--allow-failpoints", *args, **kw)

    def manifest_path(self, browser_dir):
        return os.path.join(self.home, ".config", browser_dir, "NativeMessagingHosts", NAME + ".json")

    @property
    def state(self):
        return os.path.join(self.home, ".local", "share", "textus-host")

    def receipt(self):
        with open(os.path.join(self.state, "install-receipt.txt")) as f:
            # kind, path (a folder's line also holds its identity, after another tab)
            return [tuple(line.rstrip("\n").split("\t")[:2]) for line in f if not line.startswith("#")]

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
        # a second uninstall has nothing to remove, says so, and succeeds
        p = self.run_script(UNINSTALL)
        self.assertIn("nothing to remove", p.stdout)
        self.assertIn("no install receipt", p.stdout)

    def test_uninstall_keeps_user_state(self):
        self.install()
        store = os.path.join(self.state, "store.bin")
        with open(store, "w") as f:
            f.write("secret-ish\n")
        creds = os.path.join(self.home, ".config", "textus-host", "credentials.store")
        os.makedirs(os.path.dirname(creds))
        with open(creds, "w") as f:
            f.write("sealed\n")
        p = self.run_script(UNINSTALL)
        self.assertTrue(os.path.exists(store))
        self.assertTrue(os.path.exists(creds))
        self.assertFalse(os.path.exists(os.path.join(self.state, "bin")))
        self.assertFalse(os.path.exists(self.manifest_path("google-chrome")))
        # both runs say where the credentials still are; the second has nothing else to do
        self.assertIn("your credentials are still in %s" % creds, p.stdout)
        p = self.run_script(UNINSTALL)
        self.assertIn("nothing to remove", p.stdout)
        self.assertIn("your credentials are still in %s" % creds, p.stdout)

    def test_dry_run_writes_nothing(self):
        before = tree(self.home)
        p = self.install("--dry-run", "--force", "--user-data-dir", os.path.join(self.tmp, "profile"))
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
        p = self.install("--force", "--user-data-dir", udd)  # created by the installer
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
        self.assertEqual(p.returncode, 2)
        self.assertIn("unknown browser 'netscape'", p.stderr)

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
            self.assertEqual(p.returncode, 2, bad)
            self.assertIn("'%s' is not valid" % bad, p.stderr)
        self.assertEqual(tree(self.home), before)

    def test_no_browser_found_fails(self):
        # nothing registered, so no browser can start the host: not a success, and it says
        # what was done (the host itself is installed, in the receipt) and how to go on
        shutil.rmtree(os.path.join(self.home, ".config"))
        before = tree(self.home)
        p = self.install("--dry-run", ok=False)
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        self.assertIn("no Chrome/Chromium profile folder was found", p.stderr)
        self.assertEqual(tree(self.home), before)
        p = self.install(ok=False)
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        installed = os.path.join(self.state, "bin", "textus-host")
        link = os.path.join(self.home, ".local", "bin", "textus-host")
        lines = [l for l in p.stderr.splitlines() if "no Chrome/Chromium profile folder was found" in l]
        self.assertEqual(len(lines), 1, p.stderr)
        for words in ("no browser was registered", "installed in " + os.path.dirname(installed),
                      "linked as " + link, "start your browser once", "run scripts/install.sh again",
                      "--browser NAME", "--user-data-dir DIR"):
            self.assertIn(words, lines[0])
        self.assertNotIn("done:", p.stdout)
        self.assertTrue(os.access(installed, os.X_OK))
        self.assertIn(("file", installed), self.receipt())
        # a browser named: registered, a success
        p = self.install("--browser", "chromium")
        self.assertIn("done: 1 browser folder(s)", p.stdout)
        self.run_script(UNINSTALL)
        self.assertEqual(tree(self.home), before)

    def test_system_install_without_a_browser_fails(self):
        root = os.path.join(self.tmp, "root")
        os.makedirs(root)
        p = self.install("--system", env={"TH_INSTALL_ROOT": root}, ok=False)
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        self.assertIn("no Chrome/Chromium installation was found machine-wide", p.stderr)
        self.assertIn("--browser NAME", p.stderr)

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
        self.install("--force", "--user-data-dir", os.path.join(self.tmp, "p"),
                     env={"TEXTUS_HOST_HOME": th})
        self.assertTrue(os.path.exists(os.path.join(th, "bin", "textus-host")))
        self.assertTrue(os.path.exists(os.path.join(th, "install-receipt.txt")))
        self.assertFalse(os.path.exists(os.path.join(self.home, ".local")))
        self.run_script(UNINSTALL, env={"TEXTUS_HOST_HOME": th})
        self.assertFalse(os.path.exists(th))

    # ---- extension ids kept across re-installs ----

    def test_reinstall_keeps_the_production_id(self):
        self.install("--extension-id", OTHER)
        both = ["chrome-extension://%s/" % STUB, "chrome-extension://%s/" % OTHER]
        p = self.install()  # a plain re-install, as a recruiter would run it after an update
        for d in ("google-chrome", "chromium", "vivaldi"):
            with open(self.manifest_path(d)) as f:
                self.assertEqual(json.load(f)["allowed_origins"], both, d)
            self.assertIn("keeping extension %s, already allowed in %s" % (OTHER, self.manifest_path(d)),
                          p.stdout)
        self.assertIn("settings.allowed_extension_ids", p.stdout)  # the host must allow it too
        p = self.install()
        with open(self.manifest_path("chromium")) as f:
            self.assertEqual(json.load(f)["allowed_origins"], both)
        # only an explicit flag removes it
        p = self.install("--remove-extension-id", OTHER)
        self.assertIn("removing extension %s from %s" % (OTHER, self.manifest_path("chromium")), p.stdout)
        with open(self.manifest_path("chromium")) as f:
            self.assertEqual(json.load(f)["allowed_origins"], ["chrome-extension://%s/" % STUB])
        p = self.install("--remove-extension-id", STUB, ok=False)
        self.assertEqual(p.returncode, 2)
        self.assertIn("always allowed", p.stderr)

    def test_release_leaves_the_stub_out(self):
        self.install("--extension-id", OTHER)  # a development install first: stub and OTHER
        before = tree(self.home)
        # --release refuses a build that still allows the stub's id (the suite's test build)
        p = self.run_script(INSTALL, "--binary", self.binary, "--release", ok=False)
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        self.assertIn("is not a production build", p.stderr)
        self.assertIn("-DTH_PRODUCTION=ON", p.stderr)
        self.assertEqual(tree(self.home), before)
        p = self.run_script(INSTALL, "--binary", self.binary, "--release", "--allow-failpoints",
                            ok=False)
        self.assertEqual(p.returncode, 2)
        # a production build (a stand-in without the stub's id): every manifest drops the id
        prod = os.path.join(self.tmp, "production")
        os.makedirs(prod)
        with open(os.path.join(prod, "textus-host"), "w") as f:
            f.write("#!/bin/sh\necho textus-host 0.1.0\n")
        os.chmod(os.path.join(prod, "textus-host"), 0o755)
        p = self.run_script(INSTALL, "--binary", os.path.join(prod, "textus-host"), "--release",
                            "--no-link")
        for d in ("google-chrome", "chromium", "vivaldi"):
            with open(self.manifest_path(d)) as f:
                self.assertEqual(json.load(f)["allowed_origins"],
                                 ["chrome-extension://%s/" % OTHER], d)
            self.assertIn("removing the development stub's extension %s from %s (--release)"
                          % (STUB, self.manifest_path(d)), p.stdout)
        # nothing named at all: a manifest that allows no extension is said to be one
        shutil.rmtree(os.path.join(self.home, ".config", "chromium", "NativeMessagingHosts"))
        p = self.run_script(INSTALL, "--binary", os.path.join(prod, "textus-host"), "--release",
                            "--no-link", "--browser", "chromium")
        with open(self.manifest_path("chromium")) as f:
            self.assertEqual(json.load(f)["allowed_origins"], [])
        self.assertIn("allows no extension", p.stderr)

    def test_reinstall_drops_an_invalid_origin(self):
        self.install()
        m = self.manifest_path("chromium")
        with open(m) as f:
            doc = json.load(f)
        doc["allowed_origins"].append("chrome-extension://*/")
        with open(m, "w") as f:
            json.dump(doc, f)
        p = self.install()
        self.assertIn('dropping "chrome-extension://*/"', p.stderr)
        with open(m) as f:
            self.assertEqual(json.load(f)["allowed_origins"], ["chrome-extension://%s/" % STUB])

    # ---- test builds are never installed ----

    def checkout_with_failpoint_build(self):
        """A copy of the checkout's scripts whose build/ was configured with TH_FAILPOINTS=ON."""
        co = os.path.join(self.tmp, "checkout")
        for d in ("scripts", "manifest", "build/host"):
            os.makedirs(os.path.join(co, d))
        shutil.copy2(INSTALL, os.path.join(co, "scripts"))
        shutil.copytree(os.path.join(SRC, "scripts", "lib"), os.path.join(co, "scripts", "lib"))
        shutil.copy2(os.path.join(SRC, "manifest", NAME + ".json.in"), os.path.join(co, "manifest"))
        for n in ["textus-host"] + self.modules:
            shutil.copy2(os.path.join(self.build, n), os.path.join(co, "build", "host"))
        with open(os.path.join(co, "build", "CMakeCache.txt"), "w") as f:
            f.write("CMAKE_BUILD_TYPE:STRING=RelWithDebInfo\nTH_FAILPOINTS:BOOL=ON\n")
        return co

    def test_failpoint_build_refused(self):
        co = self.checkout_with_failpoint_build()
        before = tree(self.home)
        p = self.run_script(os.path.join(co, "scripts", "install.sh"), ok=False)
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        self.assertIn("built with test failpoints", p.stderr)
        self.assertIn("TH_FAILPOINTS=OFF", p.stderr)
        self.assertEqual(tree(self.home), before)
        # the binaries themselves carry the mark: --binary of a failpoint build is refused too
        version = subprocess.run([HOST, "--version"], capture_output=True, text=True).stdout
        if "TH_FAILPOINTS" in version:
            p = self.run_script(INSTALL, "--binary", self.binary, ok=False)
            self.assertEqual(p.returncode, 1)
            self.assertIn("%s was built with test failpoints" % self.binary, p.stderr)
            self.assertEqual(tree(self.home), before)
        else:  # a release-style build (the sanitizer tree): installed without being told
            self.run_script(INSTALL, "--binary", self.binary)
        # a module with failpoint code beside a clean executable is refused as well
        engine = os.path.join(self.build, "textus-host-engine.so")
        if os.path.exists(engine) and "TH_FAILPOINTS" in version:
            clean = os.path.join(self.tmp, "clean")
            os.makedirs(clean)
            with open(os.path.join(clean, "textus-host"), "w") as f:
                f.write("#!/bin/sh\necho textus-host 0.1.0\n")
            os.chmod(os.path.join(clean, "textus-host"), 0o755)
            shutil.copy2(engine, clean)
            p = self.run_script(INSTALL, "--binary", os.path.join(clean, "textus-host"),
                                "--no-link", ok=False)
            self.assertIn("textus-host-engine.so was built with test failpoints", p.stderr)

    # ---- textus-host on PATH ----

    def test_link_on_path(self):
        link = os.path.join(self.home, ".local", "bin", "textus-host")
        installed = os.path.join(self.state, "bin", "textus-host")
        before = tree(self.home)
        p = self.install()  # PATH lacks ~/.local/bin: linked, with a warning and full-path hints
        self.assertEqual(os.readlink(link), installed)
        self.assertIn("linked %s -> %s" % (link, installed), p.stdout)
        self.assertIn("%s is not on your PATH" % os.path.dirname(link), p.stderr)
        self.assertIn("Next: %s configure, then %s doctor" % (installed, installed), p.stdout)
        self.assertIn(("link", link), self.receipt())
        # with ~/.local/bin on PATH the short hint is true: `textus-host` runs the installed host
        path = os.path.dirname(link) + ":" + os.environ.get("PATH", "/usr/bin:/bin")
        p = self.install(env={"PATH": path})
        self.assertNotIn("not on your PATH", p.stderr)
        self.assertIn("Next: textus-host configure, then textus-host doctor", p.stdout)
        out = subprocess.run(["textus-host", "--version"], env={"PATH": path, "HOME": self.home},
                             capture_output=True, text=True)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn("textus-host 0.1", out.stdout)
        self.run_script(UNINSTALL)
        self.assertFalse(os.path.lexists(link))
        self.assertEqual(tree(self.home), before)

    def test_link_leaves_a_foreign_command_alone(self):
        bindir = os.path.join(self.home, ".local", "bin")
        os.makedirs(bindir)
        mine = os.path.join(bindir, "textus-host")
        with open(mine, "w") as f:
            f.write("#!/bin/sh\necho mine\n")
        p = self.install()
        self.assertIn("%s exists and is not a link this installer made" % mine, p.stderr)
        installed = os.path.join(self.state, "bin", "textus-host")
        self.assertIn("Next: %s configure" % installed, p.stdout)
        self.run_script(UNINSTALL)
        with open(mine) as f:
            self.assertEqual(f.read(), "#!/bin/sh\necho mine\n")

    # ---- custom profile folders ----

    def test_user_data_dir_must_be_a_browser_profile(self):
        before = tree(self.home)
        missing = os.path.join(self.home, "profiles", "work")
        p = self.install("--user-data-dir", missing, ok=False)
        self.assertEqual(p.returncode, 1)
        self.assertIn("--user-data-dir %s does not exist" % missing, p.stderr)
        self.assertIn("--force", p.stderr)
        self.assertEqual(tree(self.home), before)  # nothing created, not even the folder
        # a folder that is not a browser's user data folder (no "Local State")
        plain = os.path.join(self.home, "Documents")
        os.makedirs(plain)
        p = self.install("--user-data-dir=~/Documents", ok=False)
        self.assertEqual(p.returncode, 1)
        self.assertIn("%s does not look like a browser's user data folder" % plain, p.stderr)
        self.assertFalse(os.path.exists(os.path.join(plain, "NativeMessagingHosts")))
        # "~" after "=" is the home folder, and a real profile folder is accepted
        prof = os.path.join(self.home, "profiles", "work")
        os.makedirs(prof)
        with open(os.path.join(prof, "Local State"), "w") as f:
            f.write("{}\n")
        p = self.install("--user-data-dir=~/profiles/work")
        m = os.path.join(prof, "NativeMessagingHosts", NAME + ".json")
        self.assertIn("wrote " + m, p.stdout)
        self.assertFalse(os.path.exists(os.path.join(os.getcwd(), "~")))
        # uninstall removes what it made inside, never the folder the user (or Chrome) made
        self.run_script(UNINSTALL)
        self.assertTrue(os.path.isfile(os.path.join(prof, "Local State")))
        self.assertFalse(os.path.exists(os.path.join(prof, "NativeMessagingHosts")))

    def test_uninstall_never_removes_a_folder_made_again_by_the_user(self):
        prof = os.path.join(self.tmp, "later")
        self.install("--force", "--user-data-dir", prof)  # created (and recorded) by the installer
        shutil.rmtree(prof)
        os.makedirs(os.path.join(prof, "NativeMessagingHosts"))  # the user makes it again
        self.install("--browser", "chromium")  # a re-install no longer claims the folder
        self.run_script(UNINSTALL)
        self.assertTrue(os.path.isdir(os.path.join(prof, "NativeMessagingHosts")))

    # ---- conventions ----

    def test_wrong_options_are_named(self):
        p = self.install("--extension", OTHER, ok=False)
        self.assertEqual(p.returncode, 2)
        self.assertIn("unknown option '--extension'", p.stderr)
        p = self.install("chromium", ok=False)
        self.assertEqual(p.returncode, 2)
        self.assertIn("unexpected argument 'chromium'", p.stderr)
        p = self.run_script(UNINSTALL, "--sytem", ok=False)
        self.assertEqual(p.returncode, 2)
        self.assertIn("unknown option '--sytem'", p.stderr)
        for script in (INSTALL, UNINSTALL):
            p = self.run_script(script, "--help")
            self.assertIn("xit status", p.stdout)

    def test_mistyped_options_get_a_suggestion(self):
        for script, word, want in ((INSTALL, "--sytem", "--system"), (UNINSTALL, "--sytem", "--system"),
                                   (INSTALL, "--dryrun", "--dry-run"), (UNINSTALL, "--dry-rn", "--dry-run"),
                                   (INSTALL, "--extention-id=%s" % OTHER, "--extension-id")):
            p = self.run_script(script, word, ok=False)
            self.assertEqual(p.returncode, 2, p.stderr)
            self.assertIn("unknown option '%s' (did you mean %s?)" % (word, want), p.stderr)
        p = self.run_script(INSTALL, "--browser", "chrom", ok=False)
        self.assertEqual(p.returncode, 2)
        self.assertIn("unknown browser 'chrom' (did you mean chrome?)", p.stderr)
        for script in (INSTALL, UNINSTALL):  # nothing near: no guess
            p = self.run_script(script, "--banana", ok=False)
            self.assertEqual(p.returncode, 2)
            self.assertNotIn("did you mean", p.stderr)

    def test_help_is_whole_and_for_users(self):
        for script in (INSTALL, UNINSTALL):
            text = self.run_script(script, "--help").stdout
            self.assertTrue(text.startswith("usage: scripts/"), text)
            # it ends on the exit statuses, as a whole sentence
            self.assertRegex(text, r"exit status: 0 [^\n]*(\n[^\n]+)*; 2 a wrong option or argument\.\n$")
            for hook in ("TH_INSTALL", "test hook", "Test hook"):
                self.assertNotIn(hook, text)
            for line in text.splitlines():
                self.assertLessEqual(len(line), 80, line)
        text = self.run_script(UNINSTALL, "--help").stdout
        self.assertIn("--system", text)
        self.assertIn("--dry-run", text)
        self.assertNotIn("inode: and", text)

    def settings_command(self, out):
        """The command the installer prints to allow the ids in the host's settings."""
        lines = [l.strip() for l in out.splitlines() if l.strip().startswith("echo '{")]
        self.assertEqual(len(lines), 1, out)
        return lines[0]

    def test_extension_id_settings_checked_and_the_command_given(self):
        third = "ponmlkjihgfedcbaponmlkjihgfedcba"
        installed = os.path.join(self.state, "bin", "textus-host")
        # nothing configured: the exact command that allows the id
        p = self.install("--extension-id", OTHER, "--no-link")
        self.assertIn("nothing is configured yet", p.stdout)
        cmd = self.settings_command(p.stdout)
        self.assertEqual(cmd, "echo '{\"settings\":{\"allowed_extension_ids\":[\"%s\"]}}' | %s "
                              "configure --no-verify" % (OTHER, installed))
        # which works as printed
        r = subprocess.run(["bash", "-c", cmd], env={"PATH": os.environ["PATH"], "HOME": self.home},
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        # allowed now: said in one line, no advice repeated
        p = self.install("--no-link")
        self.assertIn("the host's settings already allow extension(s) %s" % OTHER, p.stdout)
        self.assertNotIn("forbidden_origin", p.stdout)
        self.assertNotIn("echo '{", p.stdout)
        # a new id: the command keeps the stored one (the list replaces it)
        p = self.install("--extension-id", third, "--no-link")
        self.assertIn("they list %s" % OTHER, p.stdout)
        cmd = self.settings_command(p.stdout)
        self.assertIn('"allowed_extension_ids":["%s","%s"]' % (OTHER, third), cmd)

    def allowed(self, browser_dir):
        with open(self.manifest_path(browser_dir)) as f:
            return json.load(f)["allowed_origins"]

    def test_uninstall_then_reinstall_keeps_the_ids_the_host_allows(self):
        # the recruiter allowed the production id on both sides, then uninstalled and installed
        # again: the host's settings still allow it, so every manifest must too (or Chrome
        # refuses the extension the host accepts, and doctor fails)
        p = self.install("--extension-id", OTHER, "--no-link")
        r = subprocess.run(["bash", "-c", self.settings_command(p.stdout)],
                           env={"PATH": os.environ["PATH"], "HOME": self.home},
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.run_script(UNINSTALL)
        self.assertFalse(os.path.exists(self.manifest_path("chromium")))
        both = ["chrome-extension://%s/" % STUB, "chrome-extension://%s/" % OTHER]
        keeping = "keeping extension id %s (allowed in the host's settings)" % OTHER
        p = self.install("--dry-run", "--no-link")
        self.assertFalse(os.path.exists(self.manifest_path("chromium")))
        dry = p.stdout
        p = self.install("--no-link")
        for d in ("google-chrome", "chromium", "vivaldi"):
            self.assertEqual(self.allowed(d), both, d)
        self.assertEqual(p.stdout.count(keeping), 1, p.stdout)  # one line per id, not per browser
        self.assertEqual(dry.count(keeping), 1, dry)  # and the dry run says the same
        self.assertIn("the host's settings already allow extension(s) %s" % OTHER, p.stdout)
        self.assertNotIn("echo '{", p.stdout)
        # dropping it from the manifests: the settings still allow it, and the installer gives
        # the command that drops it there too, which works as printed
        p = self.install("--no-link", "--remove-extension-id", OTHER)
        self.assertEqual(self.allowed("chromium"), ["chrome-extension://%s/" % STUB])
        self.assertNotIn(keeping, p.stdout)
        self.assertIn("the host's settings still allow extension(s) %s" % OTHER, p.stdout)
        cmd = self.settings_command(p.stdout)
        self.assertIn('"allowed_extension_ids":[]', cmd)
        r = subprocess.run(["bash", "-c", cmd], env={"PATH": os.environ["PATH"], "HOME": self.home},
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        p = self.install("--no-link")
        self.assertNotIn(OTHER, p.stdout)
        self.assertEqual(self.allowed("chromium"), ["chrome-extension://%s/" % STUB])

    # ---- what a new user is told ----

    def test_path_advice_works_in_this_terminal_and_after_a_login(self):
        link = os.path.join(self.home, ".local", "bin", "textus-host")
        p = self.install()  # PATH lacks ~/.local/bin, and this home has no ~/.profile
        self.assertIn("%s is not on your PATH in this session" % os.path.dirname(link), p.stderr)
        self.assertNotIn("open a new terminal", p.stderr)  # a new GNOME terminal reads no ~/.profile
        export = [l.strip() for l in p.stderr.splitlines() if l.strip().startswith("export PATH=")]
        self.assertEqual(export, ['export PATH="$HOME/.local/bin:$PATH"'], p.stderr)
        self.assertIn("you have no ~/.profile: add the export", p.stderr)
        self.assertIn("log out and back in", p.stderr)
        # the line as printed makes `textus-host` work in this shell
        r = subprocess.run(["bash", "-c", export[0] + " && textus-host --version"],
                           env={"PATH": "/usr/bin:/bin", "HOME": self.home},
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("textus-host 0.1", r.stdout)
        # Debian's stock ~/.profile adds ~/.local/bin at login when it exists: then a new login
        # is enough, and nothing is to be added to ~/.profile
        with open(os.path.join(self.home, ".profile"), "w") as f:
            f.write('if [ -d "$HOME/.local/bin" ] ; then\n    PATH="$HOME/.local/bin:$PATH"\nfi\n')
        p = self.install()
        self.assertIn("your ~/.profile adds ~/.local/bin to PATH at login", p.stderr)
        self.assertIn("log out and back in", p.stderr)
        self.assertNotIn(">> ~/.profile", p.stderr)
        self.assertNotIn("add the export", p.stderr)
        r = subprocess.run(["bash", "-lc", "textus-host --version"],  # what a new login gets
                           env={"PATH": "/usr/bin:/bin", "HOME": self.home},
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr)

    def test_dry_run_lists_every_folder_and_file_the_real_run_creates(self):
        # a fresh home: no ~/.local yet (the link's folder ~/.local/bin included)
        self.assertFalse(os.path.exists(os.path.join(self.home, ".local")))
        before = {p for p, _ in tree(self.home)}
        p = self.install("--dry-run")
        told = set()
        for line in p.stdout.splitlines():
            for word in ("would create folder ", "would write ", "would link "):
                if line.startswith("install: " + word):
                    path = line[len("install: " + word):]
                    path = path.split(" -> ")[0].split(" (")[0]
                    told.add(os.path.relpath(path, self.home))
        self.install()
        made = {p for p, _ in tree(self.home)} - before
        self.assertEqual(told, made)

    def test_uninstall_dry_run_says_what_the_real_run_does(self):
        self.install()
        # the host's own files in its data folder, which uninstalling keeps
        for n in ("store.key", "outbox.sqlite"):
            with open(os.path.join(self.state, n), "w") as f:
                f.write("x\n")

        def said(out, word):
            return {l.strip()[len(word):].split(" (")[0].rstrip("/")
                    for l in out.splitlines() if l.strip().startswith(word)}
        p = self.run_script(UNINSTALL, "--dry-run")
        would_remove, would_keep = said(p.stdout, "would remove "), said(p.stdout, "would keep ")
        self.assertIn(self.state, would_keep)
        self.assertIn(os.path.join(self.home, ".local"), would_keep)
        self.assertIn("would keep %s/ (not empty" % self.state, p.stdout)
        p = self.run_script(UNINSTALL)
        removed, kept = said(p.stdout, "removed "), said(p.stdout, "kept ")
        self.assertEqual(would_remove, removed)
        self.assertEqual(would_keep, kept)
        for path in removed:
            self.assertFalse(os.path.lexists(path), path)
        for path in kept:
            self.assertTrue(os.path.isdir(path), path)

    def test_uninstall_names_the_support_reports(self):
        self.install()
        # what `textus-host doctor --report` writes into the data folder (candidates' numbers)
        for n in ("textus-host-report-20261201-101500.txt", "textus-host-report-20261202-090000.txt"):
            with open(os.path.join(self.state, n), "w") as f:
                f.write("report\n")
        creds = os.path.join(self.home, ".config", "textus-host", "credentials.store")
        os.makedirs(os.path.dirname(creds))
        with open(creds, "w") as f:
            f.write("sealed\n")
        for args in ((), ()):  # the uninstall, then the run with nothing to remove
            p = self.run_script(UNINSTALL, *args)
            self.assertIn("2 support report(s) written by textus-host doctor --report are still in\n  %s"
                          % self.state, p.stdout)
            self.assertIn("phone numbers", p.stdout)
            self.assertIn("rm '%s'/textus-host-report-*.txt" % self.state, p.stdout)
        self.assertEqual(len([n for n in os.listdir(self.state) if n.startswith("textus-host-report-")]), 2)

    def test_missing_binary_refused(self):
        p = self.run_script(INSTALL, "--binary", os.path.join(self.tmp, "nope"), ok=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("not an executable", p.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
