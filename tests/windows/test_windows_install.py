#!/usr/bin/env python3
"""Installing the Windows build (issue P items 4, 5, 6) under Wine, as a person or IT would:

- the per-user .msi (scripts/build-windows.sh msi, packaging/windows/textus-host.wxs):
  `msiexec /i ... /qn` puts textus-host.exe, com.textus.greenhouse.json (path relative,
  the stub's id allowed), LICENSE.txt and THIRD-PARTY-NOTICES.txt under
  %LOCALAPPDATA%\\Programs\\textus-host, sets the HKCU key of Chrome, Edge, Chromium and
  Brave (`reg query`) to the manifest, appends the folder to the user's PATH (HKCU\\Environment)
  once, also when the same package is installed again, and the installed exe answers a ping
  frame, its doctor saying PATH runs it; `msiexec /x` removes the files, the folder, the keys
  and the PATH entry, the user's other PATH entries kept (one is seeded first);
- the per-machine .msi: the same under %ProgramFiles% and HKLM (64-bit view), the folder on
  the system PATH (HKLM\\...\\Session Manager\\Environment); a same-version rebuild installed
  over the first leaves the folder on PATH once, and nothing once removed;
- a production .msi (TH_PRODUCTION=1 TH_EXTENSION_IDS=<id>): the manifest allows that id
  alone and the installed exe refuses the stub's; none is made without an id;
- doctor (the installed exe): the keys, the manifest and a ping, all ok; a key naming no
  manifest fails and a missing one is said, every fix a Windows command;
- `textus-host.exe install` for the zip: --dry-run writes nothing; install writes the
  manifest beside the exe, the four keys and the folder on the user's PATH (once, the
  value's type and other entries kept), and a receipt listing exactly them; a
  re-install without --extension-id keeps the production id the first one allowed;
  uninstall --dry-run removes nothing; uninstall removes exactly the receipt's entries
  (a key another install rewrote since is kept; the exe and a file of the user's beside it
  stay; the PATH entry goes, the others stay), and a second uninstall has nothing to remove;
  a folder the user had put on PATH is not recorded and stays; a bad id is a usage error (2).

What Wine cannot show: a repair (msiexec /fa, /f: Wine's msiexec exits 69 and does nothing);
Windows Installer's own removal of a PATH part (Wine's leaves the ';' before it, an empty
entry, which path_entries does not count); that Explorer hands the new PATH to terminals it
starts after WM_SETTINGCHANGE (Wine builds each process's PATH from the registry anyway).

Wine as in test_windows.py (one prefix in build-win/wine, a persistent wineserver, Wine's
own output in build-win/wine.log). Skipped (exit 77) where mingw-w64, Wine or wixl is
missing or build-win/deps has not been built.
"""
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_windows as tw  # noqa: E402  (the Wine helpers: one way to run Wine)

SRC, WIN, WINE, PREFIX, WINE_LOG = tw.SRC, tw.WIN, tw.WINE, tw.PREFIX, tw.WINE_LOG
HOST = "com.textus.greenhouse"
STUB = "hfboccpnppdfmcdbjjgmobnhljkkmjji"
PROD = "abcdefghijklmnopabcdefghijklmnop"  # stands for the TextUs extension's id
KEYS = ["Software\\Google\\Chrome\\NativeMessagingHosts\\" + HOST,
        "Software\\Microsoft\\Edge\\NativeMessagingHosts\\" + HOST,
        "Software\\Chromium\\NativeMessagingHosts\\" + HOST,
        "Software\\BraveSoftware\\Brave-Browser\\NativeMessagingHosts\\" + HOST]


def version():
    with open(os.path.join(SRC, "CMakeLists.txt"), encoding="utf-8") as f:
        for line in f:
            if line.startswith("project(textus-host VERSION"):
                return line.split()[2]
    raise AssertionError("no version in CMakeLists.txt")


def wine(args, env=None, timeout=120):
    with open(WINE_LOG, "ab") as log:
        return subprocess.run([WINE] + list(args), stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, stderr=log, env=env or tw.wine_env(),
                              timeout=timeout)


def reg_default(root_key, view=None):
    """The default value of a key (reg query /ve), or None when the key is absent."""
    args = ["reg", "query", root_key, "/ve"] + (["/reg:" + view] if view else [])
    p = wine(args)
    if p.returncode != 0:
        return None
    for line in p.stdout.decode("utf-8", "replace").splitlines():
        if "REG_SZ" in line:
            return line.split("REG_SZ", 1)[1].strip()
    raise AssertionError("reg query %s: no REG_SZ default value:\n%s" % (root_key, p.stdout))


ENV_USER = "HKCU\\Environment"
ENV_MACHINE = "HKLM\\System\\CurrentControlSet\\Control\\Session Manager\\Environment"
SEEDED = "C:\\seeded by the test"  # one of "the user's other PATH entries"


def reg_value(key, name):
    """(type, data) of a named value (reg query /v), or None when it is absent."""
    p = wine(["reg", "query", key, "/v", name])
    if p.returncode != 0:
        return None
    for line in p.stdout.decode("utf-8", "replace").splitlines():
        f = line.strip().split(None, 2)
        if len(f) >= 2 and f[0].lower() == name.lower() and f[1].startswith("REG_"):
            return f[1], (f[2] if len(f) > 2 else "")
    return None


def path_entries(key):
    """The non-empty entries of key's PATH value, as written."""
    v = reg_value(key, "Path")
    return [e for e in (v[1] if v else "").split(";") if e]


def wine_log_tail():
    """The end of Wine's log, where the exe's stderr goes (wine())."""
    with open(WINE_LOG, encoding="utf-8", errors="replace") as f:
        return f.read()[-3000:]


def same_dir(a, b):
    return a.rstrip("\\").lower() == b.rstrip("\\").lower()


def keep_path(test, key):
    """Restore key's PATH value exactly as it is now when the test ends."""
    v = reg_value(key, "Path")

    def restore():
        if v:
            wine(["reg", "add", key, "/v", "Path", "/t", v[0], "/d", v[1], "/f"])
        else:
            wine(["reg", "delete", key, "/v", "Path", "/f"])
    test.addCleanup(restore)
    return v


def seed_path(test, key):
    """keep_path, then make SEEDED one of key's PATH entries: (its entries now)."""
    v = keep_path(test, key)
    if not [e for e in path_entries(key) if same_dir(e, SEEDED)]:
        data = (v[1].rstrip(";") + ";" if v and v[1] else "") + SEEDED
        wine(["reg", "add", key, "/v", "Path", "/t", v[0] if v else "REG_EXPAND_SZ", "/d", data,
              "/f"])
    return path_entries(key)


def unix_path(win_path):
    """C:\\... inside the prefix, Z:\\... the Unix root (Wine's two drives)."""
    drive, rest = win_path[0].upper(), win_path[2:].replace("\\", "/")
    if drive == "Z":
        return rest
    if drive == "C":
        # Wine keeps "C:\\users\\<name>" as drive_c/users/<name>; names compare without case
        return os.path.join(PREFIX, "drive_c") + rest
    raise AssertionError("unexpected drive in %s" % win_path)


def ping(exe_win_path, env=None):
    p = tw.run_exe(exe_win_path, tw.frame({"id": 1, "type": "ping"}),
                   env=env or tw.wine_env(), relay=True)
    (r,) = tw.replies(p.stdout)
    return p.returncode, r


def doctor(exe_win_path):
    """`textus-host.exe doctor --json`: (exit code, the document)."""
    p = wine([exe_win_path, "doctor", "--json"], timeout=180)
    return p.returncode, json.loads(p.stdout.decode("utf-8"))


POSIX_WORDS = tw.POSIX_WORDS


class Msi(unittest.TestCase):
    def assert_windows_fixes(self, doc):
        """Every fix doctor prints is a Windows command, never a POSIX path or tool; the .msi
        put the .exe's folder on PATH, so the host's commands are the bare `textus-host`."""
        for c in doc["checks"]:
            for w in POSIX_WORDS:
                self.assertNotIn(w, c.get("fix", ""), c)
            if c.get("fix"):
                self.assertNotIn("& '", c["fix"], c)
                tw.check_fix(self, c["fix"], "textus-host.exe", on_path=True)

    @classmethod
    def setUpClass(cls):
        p = subprocess.run([os.path.join(SRC, "scripts", "build-windows.sh"), "msi"],
                           capture_output=True, text=True, timeout=600,
                           env=dict(os.environ, TH_WIN_DIR=WIN, TH_PRODUCTION="",
                                    TH_EXTENSION_IDS=""))
        if p.returncode != 0:
            raise AssertionError("scripts/build-windows.sh msi failed:\n" + p.stdout[-3000:] +
                                 p.stderr[-3000:])
        tw.Windows.setUpClass()

    @classmethod
    def tearDownClass(cls):
        tw.Windows.tearDownClass()

    def check_msi(self, variant, root, view):
        msi = os.path.join(WIN, "textus-host-%s-%s.msi" % (version(), variant))
        self.assertTrue(os.path.exists(msi), msi)
        # the package's own rows (what a real Windows Installer reads, not just Wine's result):
        # set at install (=), removed at uninstall (-), the system's variable (*) per machine,
        # appended ([~];), on the component of textus-host.exe; and the two actions sequenced
        rows = subprocess.run(["msiinfo", "export", msi, "Environment"], capture_output=True,
                              text=True, check=True).stdout.splitlines()
        self.assertIn("PathEntry\t%s\t[~];[INSTALLDIR]\tHost" %
                      ("=-*PATH" if root == "HKLM" else "=-PATH"), rows)
        seq = subprocess.run(["msiinfo", "export", msi, "InstallExecuteSequence"],
                             capture_output=True, text=True, check=True).stdout
        self.assertIn("WriteEnvironmentStrings\t\t5200", seq)
        self.assertIn("RemoveEnvironmentStrings\t\t3300", seq)
        for key in KEYS:  # a clean start: no earlier run's keys
            self.assertIsNone(reg_default(root + "\\" + key, view), key)
        env_key = ENV_MACHINE if root == "HKLM" else ENV_USER
        before = seed_path(self, env_key)
        p = wine(["msiexec", "/i", msi, "/qn"], timeout=300)
        self.assertEqual(p.returncode, 0, "msiexec /i %s" % variant)
        try:
            values = [reg_default(root + "\\" + key, view) for key in KEYS]
            manifest_win = values[0]
            self.assertIsNotNone(manifest_win, "the Chrome key was not written")
            self.assertTrue(manifest_win.lower().endswith("\\textus-host\\" + HOST + ".json"),
                            manifest_win)
            self.assertEqual(values, [manifest_win] * len(KEYS),
                             "every browser's key names the one manifest")
            folder = os.path.dirname(unix_path(manifest_win))
            found = {n.lower(): n for n in os.listdir(os.path.dirname(folder))}
            folder = os.path.join(os.path.dirname(folder), found["textus-host"])
            with open(os.path.join(folder, HOST + ".json"), encoding="utf-8") as f:
                m = json.load(f)
            self.assertEqual(m["name"], HOST)
            self.assertEqual(m["type"], "stdio")
            self.assertEqual(m["path"], "textus-host.exe", "relative: beside the manifest")
            self.assertEqual(m["allowed_origins"], ["chrome-extension://%s/" % STUB])
            for shipped, ours in (("LICENSE.txt", "LICENSE"),
                                  ("THIRD-PARTY-NOTICES.txt", "THIRD-PARTY-NOTICES")):
                with open(os.path.join(folder, shipped), "rb") as a, \
                        open(os.path.join(SRC, ours), "rb") as b:
                    self.assertEqual(a.read(), b.read(), shipped)
            exe_win = manifest_win[:manifest_win.rindex("\\") + 1] + m["path"]
            rc, r = ping(exe_win)
            self.assertEqual(rc, 0)
            self.assertTrue(r["ok"], r)
            self.assertEqual(r["result"]["protocol"], 1)

            # the folder on PATH (the user's, per machine the system's), once, the rest kept;
            # installing the same package again adds nothing
            install_dir = manifest_win[:manifest_win.rindex("\\")]
            for again in (False, True):
                if again:
                    self.assertEqual(wine(["msiexec", "/i", msi, "/qn"], timeout=300).returncode,
                                     0)
                now = path_entries(env_key)
                self.assertEqual(len([e for e in now if same_dir(e, install_dir)]), 1,
                                 (env_key, now))
                self.assertEqual([e for e in now if not same_dir(e, install_dir)], before)

            # doctor: the keys, the manifest and a real ping; nothing of the installation fails
            # (the configuration does: nobody has run configure in this prefix)
            rc, doc = doctor(exe_win)
            self.assertEqual(install_failures(doc), [], doc)
            self.assertEqual(rc, 1 if config_failures(doc) else 0, doc)
            self.assert_windows_fixes(doc)
            # a new process has the folder on its PATH: `textus-host` runs this .exe
            (on,) = [c for c in doc["checks"] if c["subject"] == "textus-host on PATH"]
            self.assertEqual(on["status"], "ok", on)
            self.assertTrue(on["message"].lower().startswith(
                "textus-host typed in a terminal runs this one (%s)" % exe_win.lower()), on)
            checks = {c["subject"].split(":")[0]: c for c in doc["checks"]}
            hive = "(%s%s)" % (root, ", machine-wide" if root == "HKLM" else "")
            chrome = checks["chrome " + hive]
            self.assertEqual(chrome["status"], "ok", chrome)
            self.assertIn("answers ping", chrome["message"])
            for b in ("edge", "chromium", "brave"):
                self.assertEqual(checks["%s %s" % (b, hive)]["status"], "ok")
            if root == "HKCU":
                # a key that names no manifest fails, a missing one is said, with Windows fixes
                wine(["reg", "add", "HKCU\\" + KEYS[1], "/ve", "/t", "REG_SZ", "/d",
                      "C:\\nowhere\\" + HOST + ".json", "/f"])
                wine(["reg", "delete", "HKCU\\" + KEYS[2], "/f"])
                rc, doc = doctor(exe_win)
                self.assertEqual(rc, 1, doc)
                self.assert_windows_fixes(doc)
                bad = install_failures(doc)
                self.assertEqual(len(bad), 1, bad)
                self.assertTrue(bad[0]["subject"].startswith("edge (HKCU)"), bad)
                self.assertIn("msiexec /i", bad[0]["fix"])
                (info,) = [c for c in doc["checks"] if c["subject"] == "chromium"]
                # the path single-quoted: nothing in it expanded by PowerShell
                self.assertIn('reg add "HKCU\\' + KEYS[2] + '" /ve /t REG_SZ /d \'' +
                              manifest_win + "' /f", info["fix"])
                wine(["reg", "add", "HKCU\\" + KEYS[1], "/ve", "/t", "REG_SZ", "/d",
                      manifest_win, "/f"])
        finally:
            p = wine(["msiexec", "/x", msi, "/qn"], timeout=300)
        self.assertEqual(p.returncode, 0, "msiexec /x %s" % variant)
        # the folder off PATH, every other entry still there (Wine's msi leaves the separator:
        # an empty entry, which path_entries does not count)
        self.assertEqual(path_entries(env_key), before, env_key)
        for key in KEYS:
            self.assertIsNone(reg_default(root + "\\" + key, view), "left behind: " + key)
        self.assertFalse(os.path.exists(folder), "left behind: " + folder)

    def test_per_user_msi(self):
        self.check_msi("per-user", "HKCU", None)

    def build_msi(self, **env):
        return subprocess.run([os.path.join(SRC, "scripts", "build-windows.sh"), "msi"],
                              capture_output=True, text=True, timeout=600,
                              env=dict(os.environ, TH_WIN_DIR=WIN, **env))

    def test_production_msi(self):
        """TH_PRODUCTION=1: the manifest allows TH_EXTENSION_IDS only, the .exe refuses the
        stub's id; without an id (or with a bad one) no package is made."""
        for bad in ({"TH_PRODUCTION": "1", "TH_EXTENSION_IDS": ""},
                    {"TH_PRODUCTION": "", "TH_EXTENSION_IDS": "not-an-id"}):
            p = self.build_msi(**bad)
            self.assertEqual(p.returncode, 2, (bad, p.stderr))
        self.addCleanup(self.build_msi, TH_PRODUCTION="", TH_EXTENSION_IDS="")  # the dev ones
        p = self.build_msi(TH_PRODUCTION="1", TH_EXTENSION_IDS=PROD)
        self.assertEqual(p.returncode, 0, p.stderr)
        msi = os.path.join(WIN, "textus-host-%s-per-user.msi" % version())
        self.assertEqual(wine(["msiexec", "/i", msi, "/qn"], timeout=300).returncode, 0)
        try:
            manifest_win = reg_default("HKCU\\" + KEYS[0])
            with open(unix_path(manifest_win), encoding="utf-8") as f:
                m = json.load(f)
            self.assertEqual(m["allowed_origins"], ["chrome-extension://%s/" % PROD])
            exe_win = manifest_win[:manifest_win.rindex("\\") + 1] + "textus-host.exe"
            _, r = ping(exe_win)
            self.assertFalse(r["ok"], "a production host answered the development stub's id")
            self.assertEqual(r["error"]["code"], "forbidden_origin", r)
        finally:
            self.assertEqual(wine(["msiexec", "/x", msi, "/qn"], timeout=300).returncode, 0)
        self.assertIsNone(reg_default("HKCU\\" + KEYS[0]))

    def test_same_version_rebuild_replaces(self):
        """IT rebuilds the .msi at the same version with one more id and installs it over the
        first: one product (uninstalling it leaves nothing), not a second beside the first
        (before: Product Id="*" and MajorUpgrade's defaults, which upgrade older versions only,
        so the first product kept the files and the keys after the second was removed)."""
        other = "ponmlkjihgfedcbaponmlkjihgfedcba"
        self.addCleanup(self.build_msi, TH_PRODUCTION="", TH_EXTENSION_IDS="")  # the dev ones
        tmp = tempfile.mkdtemp(prefix="th-win-msi-")
        self.addCleanup(shutil.rmtree, tmp, True)
        before = seed_path(self, ENV_USER)
        built = []
        for ids in (PROD, PROD + "," + other):
            p = self.build_msi(TH_PRODUCTION="", TH_EXTENSION_IDS=ids)
            self.assertEqual(p.returncode, 0, p.stderr)
            built.append(os.path.join(tmp, "%d.msi" % len(built)))
            shutil.copy(os.path.join(WIN, "textus-host-%s-per-user.msi" % version()), built[-1])
        for msi in built:
            self.addCleanup(wine, ["msiexec", "/x", msi, "/qn"], None, 300)
            self.assertEqual(wine(["msiexec", "/i", msi, "/qn"], timeout=300).returncode, 0)
        manifest_win = reg_default("HKCU\\" + KEYS[0])
        with open(unix_path(manifest_win), encoding="utf-8") as f:
            self.assertIn("chrome-extension://%s/" % other, json.load(f)["allowed_origins"])
        folder = os.path.dirname(unix_path(manifest_win))
        install_dir = manifest_win[:manifest_win.rindex("\\")]
        now = path_entries(ENV_USER)
        self.assertEqual(len([e for e in now if same_dir(e, install_dir)]), 1, now)
        self.assertEqual([e for e in now if not same_dir(e, install_dir)], before)
        self.assertEqual(wine(["msiexec", "/x", built[1], "/qn"], timeout=300).returncode, 0)
        self.assertEqual(path_entries(ENV_USER), before, "the PATH entry left behind")
        for key in KEYS:
            self.assertIsNone(reg_default("HKCU\\" + key), "left behind (a second product): " + key)
        self.assertFalse(os.path.exists(os.path.join(folder, "textus-host.exe")),
                         "left behind (a second product): " + folder)

    def test_per_machine_msi(self):
        self.check_msi("per-machine", "HKLM", "64")


class InstallCommand(unittest.TestCase):
    """`textus-host.exe install` / `uninstall`, for the zip."""

    @classmethod
    def setUpClass(cls):
        tw.Windows.setUpClass()

    @classmethod
    def tearDownClass(cls):
        tw.Windows.tearDownClass()

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="th-win-install-")
        self.addCleanup(shutil.rmtree, self.tmp, True)
        self.zip = os.path.join(self.tmp, "unzipped")
        self.state = os.path.join(self.tmp, "state")
        os.makedirs(self.zip)
        os.makedirs(self.state)
        shutil.copy(tw.EXE, os.path.join(self.zip, "textus-host.exe"))
        self.exe = "Z:" + self.zip.replace("/", "\\") + "\\textus-host.exe"
        self.manifest = os.path.join(self.zip, HOST + ".json")
        self.manifest_win = self.exe[:self.exe.rindex("\\") + 1] + HOST + ".json"
        self.receipt = os.path.join(self.state, "install-receipt.txt")
        self.env = tw.wine_env(TEXTUS_HOST_HOME="Z:" + self.state.replace("/", "\\"))
        self.dir_win = self.exe[:self.exe.rindex("\\")]
        keep_path(self, ENV_USER)  # whatever install does to PATH is undone after the test
        for key in KEYS:
            self.assertIsNone(reg_default("HKCU\\" + key), "a key from an earlier run: " + key)
        self.addCleanup(self.delete_keys)

    def delete_keys(self):
        for key in KEYS:
            wine(["reg", "delete", "HKCU\\" + key, "/f"])

    def run_host(self, *args):
        p = wine([self.exe] + list(args), env=self.env)
        return p.returncode, p.stdout.decode("utf-8", "replace")

    def allowed(self):
        with open(self.manifest, encoding="utf-8") as f:
            m = json.load(f)
        self.assertEqual(m["path"], "textus-host.exe")
        return sorted(o[len("chrome-extension://"):-1] for o in m["allowed_origins"])

    def mine_on_path(self):
        """How many times the user's PATH holds the zip's folder; the other entries."""
        now = path_entries(ENV_USER)
        return (len([e for e in now if same_dir(e, self.dir_win)]),
                [e for e in now if not same_dir(e, self.dir_win)])

    def test_install_reinstall_uninstall(self):
        before = seed_path(self, ENV_USER)
        rc, out = self.run_host("install", "--dry-run", "--extension-id", PROD)
        self.assertEqual(rc, 0, out)
        self.assertIn("would set HKCU\\" + KEYS[0], out)
        self.assertIn("would add %s to your PATH" % self.dir_win, out)
        self.assertEqual(self.mine_on_path(), (0, before), "--dry-run changed PATH")
        self.assertFalse(os.path.exists(self.manifest), "--dry-run wrote the manifest")
        self.assertFalse(os.path.exists(self.receipt), "--dry-run wrote the receipt")
        self.assertIsNone(reg_default("HKCU\\" + KEYS[0]), "--dry-run wrote a key")

        rc, out = self.run_host("install", "--extension-id", PROD)
        self.assertEqual(rc, 0, out)
        for key in KEYS:
            self.assertEqual(reg_default("HKCU\\" + key), self.manifest_win, key)
        self.assertEqual(self.allowed(), sorted([STUB, PROD]))
        with open(self.receipt, encoding="utf-8") as f:
            entries = sorted(l for l in f.read().splitlines() if l and not l.startswith("#"))
        self.assertEqual(entries, sorted(["file\t" + self.manifest_win] +
                                         ["regkey\tHKCU\\%s\t%s" % (k, self.manifest_win)
                                          for k in KEYS] +
                                         ["path\tHKCU\\Environment\\Path\t" + self.dir_win]))
        # the folder on the user's PATH once, after the other entries, the value's type kept
        self.assertIn("added %s to your PATH" % self.dir_win, out)
        self.assertEqual(self.mine_on_path(), (1, before))
        self.assertTrue(same_dir(path_entries(ENV_USER)[-1], self.dir_win))
        self.assertEqual(reg_value(ENV_USER, "Path")[0], "REG_EXPAND_SZ")
        self.assertIn("open a new terminal", out)
        rc, r = ping(self.exe)
        self.assertEqual(rc, 0)
        self.assertTrue(r["ok"], r)

        # a re-install (a new zip unpacked over the old one) keeps the production id
        rc, out = self.run_host("install")
        self.assertEqual(rc, 0, out)
        self.assertEqual(self.allowed(), sorted([STUB, PROD]), "the production id was dropped")
        self.assertIn("keeping extension id " + PROD, out)
        self.assertIn("%s is on your PATH already" % self.dir_win, out)
        self.assertEqual(self.mine_on_path(), (1, before), "a re-install added it again")
        with open(self.receipt, encoding="utf-8") as f:
            self.assertEqual(len([l for l in f.read().splitlines()
                                  if l and not l.startswith("#")]), 2 + len(KEYS),
                             "a re-install repeats no receipt entry")

        rc, out = self.run_host("uninstall", "--dry-run")
        self.assertEqual(rc, 0, out)
        self.assertIn("would remove %s from your PATH" % self.dir_win, out)
        self.assertEqual(self.mine_on_path(), (1, before))
        self.assertEqual(reg_default("HKCU\\" + KEYS[0]), self.manifest_win)
        self.assertTrue(os.path.exists(self.manifest) and os.path.exists(self.receipt))

        # Edge's key now belongs to another install: uninstall must leave it alone
        other = "C:\\elsewhere\\" + HOST + ".json"
        self.assertEqual(wine(["reg", "add", "HKCU\\" + KEYS[1], "/ve", "/t", "REG_SZ", "/d",
                               other, "/f"]).returncode, 0)
        mine = os.path.join(self.zip, "notes.txt")
        with open(mine, "w") as f:
            f.write("the user's")
        rc, out = self.run_host("uninstall")
        self.assertEqual(rc, 0, out)
        self.assertEqual(reg_default("HKCU\\" + KEYS[1]), other, "another install's key removed")
        self.assertIn("removed %s from your PATH" % self.dir_win, out)
        self.assertEqual(self.mine_on_path(), (0, before), "PATH: the entry, and only it, goes")
        for key in KEYS[:1] + KEYS[2:]:
            self.assertIsNone(reg_default("HKCU\\" + key), "left behind: " + key)
        self.assertFalse(os.path.exists(self.manifest), "the manifest was left behind")
        self.assertFalse(os.path.exists(self.receipt), "the receipt was left behind")
        self.assertTrue(os.path.exists(os.path.join(self.zip, "textus-host.exe")))
        self.assertTrue(os.path.exists(mine), "uninstall removed a file not in the receipt")

        rc, out = self.run_host("uninstall")
        self.assertEqual(rc, 0, out)
        self.assertIn("nothing to remove", out)

    def test_a_folder_already_on_path_is_not_ours(self):
        """The user put the folder on PATH before install: install adds no second entry and
        records none, so uninstall leaves it (install removes only what it added)."""
        keep = seed_path(self, ENV_USER)
        v = reg_value(ENV_USER, "Path")
        wine(["reg", "add", ENV_USER, "/v", "Path", "/t", v[0], "/d",
              v[1] + ";" + self.dir_win + "\\", "/f"])  # a trailing backslash: the same folder
        rc, out = self.run_host("install")
        self.assertEqual(rc, 0, out)
        self.assertIn("is on your PATH already", out)
        self.assertEqual(self.mine_on_path(), (1, keep))
        with open(self.receipt, encoding="utf-8") as f:
            self.assertNotIn("\npath\t", "\n" + f.read())
        rc, out = self.run_host("uninstall")
        self.assertEqual(rc, 0, out)
        self.assertEqual(self.mine_on_path(), (1, keep), "uninstall removed the user's entry")

    def test_a_terminal_older_than_the_install(self):
        """A terminal opened before install has the old PATH (cmd's `set PATH=` stands for
        it; its child inherits it): doctor warns (never "ok"), says the PATH setting has the
        folder, and the fix is a new terminal, where the bare name runs."""
        rc, out = self.run_host("install")
        self.assertEqual(rc, 0, out)
        with open(WINE_LOG, "ab") as log:
            p = subprocess.run([WINE, "cmd", "/d", "/c", "set PATH=C:\\windows\\system32&& " +
                                self.exe + " doctor --json --offline"], env=self.env,
                               stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=log,
                               timeout=180)
        doc = json.loads(p.stdout.decode("utf-8"))
        (c,) = [c for c in doc["checks"] if c["subject"] == "textus-host on PATH"]
        self.assertEqual(c["status"], "warn", c)
        self.assertIn("this terminal's PATH does not have %s, your PATH setting does" %
                      self.dir_win, c["message"])
        self.assertEqual(c["fix"], 'open a new terminal (PowerShell): "textus-host doctor" runs '
                                   'there')
        tw.check_fix(self, c["fix"], self.exe)

    def test_doctor_fixes_after_a_zip_install(self):
        """The zip's install allows the development stub only: doctor warns, and its fix is a
        whole PowerShell sentence (before: ".\\textus-host.exe install --extension-id <its
        (the .msi: one built with that id, TH_EXTENSION_IDS)", cut). install put the folder on
        the user's PATH, which a new process (this doctor) has: the bare `textus-host`, and
        doctor's PATH check is ok."""
        rc, out = self.run_host("install")
        self.assertEqual(rc, 0, out)
        # the state folder refused for its permissions (Wine shows the Unix mode, 0755): the
        # ids could not be read, which doctor says (before: "only the development stub's
        # extension id is allowed", untrue: the settings were never read)
        os.chmod(self.state, 0o755)
        p = wine([self.exe, "doctor", "--json", "--offline"], env=self.env, timeout=180)
        doc = json.loads(p.stdout.decode("utf-8"))
        (c,) = [c for c in doc["checks"] if c["subject"] == "extension ids"]
        self.assertEqual(c["status"], "warn", c)
        self.assertIn("settings.allowed_extension_ids) could not be read", c["message"])
        self.assertNotIn("only the development stub's extension id is allowed", c["message"])
        os.chmod(self.state, 0o700)
        p = wine([self.exe, "doctor", "--json", "--offline"], env=self.env, timeout=180)
        doc = json.loads(p.stdout.decode("utf-8"))
        (c,) = [c for c in doc["checks"] if c["subject"] == "extension ids"]
        self.assertEqual(c["status"], "warn", c)
        self.assertIn("only the development stub's extension id is allowed", c["message"])
        self.assertIn("textus-host install --extension-id ID", c["fix"])
        self.assertIn("| textus-host configure --no-verify", c["fix"])
        self.assertIn("TH_EXTENSION_IDS=ID", c["fix"])
        for c in doc["checks"]:
            if c.get("fix"):
                tw.check_fix(self, c["fix"], self.exe, on_path=True)
        (c,) = [c for c in doc["checks"] if c["subject"] == "textus-host on PATH"]
        self.assertEqual(c["status"], "ok", c)
        # the settings allow an id the manifest does not: install.sh's fix, rewritten in place
        os.chmod(self.state, 0o700)  # Wine shows the Unix mode: the store refuses a shared one
        with open(WINE_LOG, "ab") as log:
            p = subprocess.run([WINE, self.exe, "configure", "--no-verify"], env=self.env,
                               input=('{"settings":{"allowed_extension_ids":["%s"]}}' % PROD)
                               .encode(), stdout=subprocess.PIPE, stderr=log, timeout=180)
        self.assertEqual(p.returncode, 0, p.stdout)
        p = wine([self.exe, "doctor", "--json", "--offline"], env=self.env, timeout=180)
        doc = json.loads(p.stdout.decode("utf-8"))
        fixes = [c["fix"] for c in doc["checks"] if PROD in c.get("fix", "")]
        self.assertTrue(fixes, doc)
        for fix in fixes:
            tw.check_fix(self, fix, self.exe, on_path=True)
            self.assertIn("textus-host install --extension-id %s" % PROD, fix)
            self.assertIn("TH_EXTENSION_IDS=%s)" % PROD, fix)
        rc, out = self.run_host("uninstall")
        self.assertEqual(rc, 0, out)

    # ---- an IT admin's walk through the zip (r-win) --------------------------------------

    def exe_in(self, name):
        """A copy of the .exe in a folder of self.tmp called name: (its Windows path, env)."""
        folder = os.path.join(self.tmp, name)
        os.makedirs(folder)
        shutil.copy(tw.EXE, os.path.join(folder, "textus-host.exe"))
        return "Z:" + folder.replace("/", "\\") + "\\textus-host.exe", \
            dict(self.env, LC_ALL="C.UTF-8", LANG="C.UTF-8")

    def doctor_doc(self, exe, env=None):
        p = wine([exe, "doctor", "--json", "--offline"], env=env or self.env, timeout=180)
        return json.loads(p.stdout.decode("utf-8"))

    def test_non_ascii_folder(self):
        """Installed in "José Núñez 王芳": doctor reads the manifest there (before: "cannot read
        the manifest (No such file or directory)": fopen read the UTF-8 path in the ANSI code
        page), and install names this .exe in full, not a bare `textus-host doctor`."""
        exe, env = self.exe_in("Jos\u00e9 N\u00fa\u00f1ez \u738b\u82b3")
        p = wine([exe, "install"], env=env)
        out = p.stdout.decode("utf-8", "replace")
        self.assertEqual(p.returncode, 0, out)
        self.addCleanup(wine, [exe, "uninstall"], env)
        doc = self.doctor_doc(exe, env)
        chrome = [c for c in doc["checks"] if c["area"] == "install" and
                  c["subject"].startswith("chrome")]
        self.assertTrue(chrome, doc)
        for c in doc["checks"]:
            self.assertNotIn("cannot read the manifest", c["message"], c)
        self.assertEqual(install_failures(doc), [], doc)
        self.assertIn("& '%s' doctor" % exe, out)
        self.assertIn("& '%s' uninstall" % exe, out)
        self.assertNotIn("`textus-host doctor`", out)

    # ---- a fresh review (w-names2): PATH edge cases --------------------------------------

    def test_a_folder_with_a_semicolon_is_not_put_on_path(self):
        """A folder named "x;y": PATH reads ';' as a separator. install refuses to put it on
        PATH (why, and what to do: move the folder), records no PATH entry, writes nothing
        broken; a quoted entry "...\\x;y" is read as one folder (before: written unquoted, two
        entries; uninstall said "no longer on your PATH" and left them; a re-install added it
        again)."""
        before = seed_path(self, ENV_USER)
        exe, env = self.exe_in("x;y")
        folder = exe[:exe.rindex("\\")]
        p = wine([exe, "install"], env=env)
        self.addCleanup(wine, [exe, "uninstall"], env)
        err = wine_log_tail()
        out = p.stdout.decode("utf-8", "replace")
        self.assertEqual(p.returncode, 0, out)
        self.assertEqual(path_entries(ENV_USER), before, "a broken PATH entry was written")
        self.assertIn("is not put on your PATH: its name has a ';'", err)
        self.assertIn("Move the folder", err)
        self.assertNotIn("open a new terminal: `textus-host` runs there", out)
        with open(self.receipt, encoding="utf-8") as f:
            self.assertNotIn("\npath\t", "\n" + f.read())
        # the folder quoted in PATH, as cmd takes it: one entry, found, and never split
        v = reg_value(ENV_USER, "Path")
        quoted = v[1] + ';"' + folder + '"'
        wine(["reg", "add", ENV_USER, "/v", "Path", "/t", v[0], "/d", quoted, "/f"])
        p = wine([exe, "install"], env=env)
        out = p.stdout.decode("utf-8", "replace")
        self.assertIn("%s is on your PATH already" % folder, out)
        self.assertEqual(reg_value(ENV_USER, "Path")[1], quoted, "split or changed")

    def test_uninstall_removes_an_older_installs_split_entry(self):
        """An install before this fix wrote "...\\x;y" unquoted (two entries) and recorded it:
        uninstall removes both halves, the other entries kept (before: "no longer on your
        PATH", both left)."""
        before = seed_path(self, ENV_USER)
        exe, env = self.exe_in("x;y")
        folder = exe[:exe.rindex("\\")]
        v = reg_value(ENV_USER, "Path")
        wine(["reg", "add", ENV_USER, "/v", "Path", "/t", v[0], "/d", v[1] + ";" + folder,
              "/f"])
        with open(self.receipt, "w", encoding="utf-8") as f:
            f.write("# textus-host install receipt v1\npath\tHKCU\\Environment\\Path\t%s\n"
                    % folder)
        p = wine([exe, "uninstall"], env=env)
        out = p.stdout.decode("utf-8", "replace")
        self.assertEqual(p.returncode, 0, out)
        self.assertIn("removed %s from your PATH" % folder, out)
        self.assertEqual(path_entries(ENV_USER), before, "the halves were left")

    def test_another_copy_first_on_the_system_path(self):
        """Another textus-host.exe in a folder of the machine's PATH (which Windows puts before
        the user's): install does not say a new terminal runs this copy, but names the other
        and that an administrator must act; doctor's fix says the same (before: "open a new
        terminal: `textus-host` runs there", and doctor's fix "install / msiexec again")."""
        other, _ = self.exe_in("tools")
        other_dir = other[:other.rindex("\\")]
        keep_path(self, ENV_MACHINE)
        v = reg_value(ENV_MACHINE, "Path")
        wine(["reg", "add", ENV_MACHINE, "/v", "Path", "/t", v[0], "/d",
              v[1] + ";" + other_dir, "/f"])
        rc, out = self.run_host("install")
        self.assertEqual(rc, 0, out)
        self.assertIn("added %s to your PATH" % self.dir_win, out)
        self.assertNotIn("`textus-host` runs there", out)
        self.assertIn("a new terminal runs %s as `textus-host`, not this copy" % other, out)
        self.assertIn("%s is in the machine's PATH" % other_dir, out)
        self.assertIn("only an administrator can fix it", out)
        self.assertIn("Remove-Item '%s'" % other, out)
        doc = json.loads(wine([self.exe, "doctor", "--json", "--offline"], env=self.env,
                              timeout=180).stdout.decode("utf-8"))
        (c,) = [c for c in doc["checks"] if c["subject"] == "textus-host on PATH"]
        self.assertEqual(c["status"], "warn", c)
        self.assertIn("runs %s, not this one" % other, c["message"])
        self.assertIn("only an administrator can fix it", c["fix"])
        self.assertNotIn("msiexec", c["fix"])
        tw.check_whole(self, c["fix"])

    def test_another_copy_first_on_the_user_path(self):
        """The other copy's folder comes first in the user's own PATH: the fix is the user's, a
        whole command (Remove-Item '<it>') or the folder to take out, no administrator."""
        other, _ = self.exe_in("older")
        other_dir = other[:other.rindex("\\")]
        seed_path(self, ENV_USER)
        v = reg_value(ENV_USER, "Path")
        wine(["reg", "add", ENV_USER, "/v", "Path", "/t", v[0], "/d",
              other_dir + ";" + v[1], "/f"])
        rc, out = self.run_host("install")
        self.assertEqual(rc, 0, out)
        self.assertNotIn("`textus-host` runs there", out)
        self.assertIn("a new terminal runs %s as `textus-host`, not this copy" % other, out)
        self.assertIn("%s comes before this copy's folder in your PATH" % other_dir, out)
        self.assertIn("Remove-Item '%s'" % other, out)
        self.assertNotIn("administrator", out)

    def test_a_reg_sz_path_is_not_expanded(self):
        """A REG_SZ user PATH holding %TH_W2%\\unzipped (TH_W2 names the zip's parent folder):
        Windows expands nothing in a REG_SZ value, so the folder is not on PATH; install adds
        it (before: "is on your PATH already", the entry never found by a terminal)."""
        keep_path(self, ENV_USER)
        parent = self.dir_win[:self.dir_win.rindex("\\")]
        env = dict(self.env, TH_W2=parent)
        wine(["reg", "add", ENV_USER, "/v", "Path", "/t", "REG_SZ", "/d",
              SEEDED + ";%TH_W2%\\unzipped", "/f"])
        p = wine([self.exe, "install"], env=env)
        out = p.stdout.decode("utf-8", "replace")
        self.assertEqual(p.returncode, 0, out)
        self.assertIn("added %s to your PATH" % self.dir_win, out)
        self.assertNotIn("is on your PATH already", out)
        self.assertEqual(reg_value(ENV_USER, "Path")[0], "REG_SZ", "the value's type changed")

    def test_a_path_too_long_is_refused(self):
        """A user PATH of 32,754 characters: adding the folder would pass 32,767, what a
        variable holds. install refuses (why, and what to do), changes nothing and says
        nothing about a new terminal finding it (before: written, 32,781 characters)."""
        keep_path(self, ENV_USER)
        filler = "C:\\" + "f" * 32751  # 32,754 characters, one entry
        # too long for a `reg add` command line: a .reg file (REG_EXPAND_SZ is hex(2))
        data = ",".join("%02x" % b for b in (filler + "\0").encode("utf-16-le"))
        regfile = os.path.join(self.tmp, "long.reg")
        with open(regfile, "w", encoding="utf-16") as f:
            f.write('Windows Registry Editor Version 5.00\r\n\r\n[HKEY_CURRENT_USER\\'
                    'Environment]\r\n"Path"=hex(2):%s\r\n' % data)
        wine(["regedit", "/s", "Z:" + regfile.replace("/", "\\")])
        self.assertEqual(len(reg_value(ENV_USER, "Path")[1]), 32754)
        rc, out = self.run_host("install")
        err = wine_log_tail()
        self.assertEqual(rc, 0, out)
        self.assertEqual(reg_value(ENV_USER, "Path")[1], filler, "PATH was changed")
        self.assertIn("longer than Windows allows", err)
        self.assertNotIn("added %s to your PATH" % self.dir_win, out)
        self.assertNotIn("open a new terminal", out)

    def test_permission_fix_is_icacls(self):
        """A state folder others can read: doctor names it in Windows terms and gives an icacls
        command, never chmod and never a reinstall (before: "refused (0777): ... chmod 700 ..."
        and the fix "reinstall (PowerShell): msiexec /i ...", which never touches the folder)."""
        rc, out = self.run_host("install")
        self.assertEqual(rc, 0, out)
        os.chmod(self.state, 0o777)  # Wine shows the Unix mode as the DACL
        self.addCleanup(os.chmod, self.state, 0o700)
        doc = self.doctor_doc(self.exe)
        bad = [c for c in config_failures(doc) if c["subject"].endswith(self.state.split("/")[-1])]
        self.assertTrue(bad, doc)
        for c in bad:
            self.assertIn("icacls", c.get("fix", ""), c)
            self.assertIn("/inheritance:r", c["fix"], c)
            self.assertNotIn("chmod", c["fix"] + c["message"], c)
            self.assertNotIn("msiexec", c["fix"], c)
            self.assertNotIn("(mode 0", c["message"], c)
            self.assertNotIn("refused (0", c["message"], c)

    def test_shared_manifest_failure_is_not_ok(self):
        """Chrome's check of the shared manifest fails: Edge and Chromium, which name the same
        file, fail with it (before: "ok ... the manifest checked for chrome"); the reg add fix
        for an unregistered Brave names a manifest that checked ok, not the one that failed."""
        rc, out = self.run_host("install")
        self.assertEqual(rc, 0, out)
        with open(self.manifest, "w") as f:
            f.write("{not json")
        wine(["reg", "delete", "HKCU\\" + KEYS[3], "/f"])
        doc = self.doctor_doc(self.exe)
        for name in ("edge", "chromium"):
            (c,) = [c for c in doc["checks"] if c["subject"].startswith(name + " (")]
            self.assertEqual(c["status"], "fail", c)
            self.assertIn("the same manifest as chrome, which failed", c["message"])

        # Chrome's key names a manifest that is not there, the others the good one
        with open(self.manifest, "w") as f:
            f.write("")
        rc, out = self.run_host("install")
        self.assertEqual(rc, 0, out)
        wine(["reg", "delete", "HKCU\\" + KEYS[3], "/f"])
        bogus = "C:\\nowhere\\" + HOST + ".json"
        self.assertEqual(wine(["reg", "add", "HKCU\\" + KEYS[0], "/ve", "/t", "REG_SZ", "/d",
                               bogus, "/f"]).returncode, 0)
        doc = self.doctor_doc(self.exe)
        (c,) = [c for c in doc["checks"] if c["subject"] == "brave"]
        self.assertIn("reg add", c["fix"])
        self.assertIn(self.manifest_win, c["fix"])
        self.assertNotIn(bogus, c["fix"])

    def test_stale_user_key_hiding_machine_install(self):
        """HKCU names a manifest that is gone while HKLM names a good one: the fix deletes the
        HKCU key (before: "reinstall", which would not help)."""
        rc, out = self.run_host("install")
        self.assertEqual(rc, 0, out)
        machine = "HKLM\\" + KEYS[0]
        self.assertEqual(wine(["reg", "add", machine, "/ve", "/t", "REG_SZ", "/d",
                               self.manifest_win, "/f", "/reg:32"]).returncode, 0)
        self.addCleanup(wine, ["reg", "delete", machine, "/f", "/reg:32"])
        self.assertEqual(wine(["reg", "add", "HKCU\\" + KEYS[0], "/ve", "/t", "REG_SZ", "/d",
                               "C:\\gone\\" + HOST + ".json", "/f"]).returncode, 0)
        doc = self.doctor_doc(self.exe)
        bad = [c for c in install_failures(doc) if c["subject"].startswith("chrome (HKCU")]
        self.assertTrue(bad, doc)
        for c in bad:
            self.assertIn('reg delete "HKCU\\%s" /f' % KEYS[0], c["fix"], c)
            self.assertNotIn("reinstall", c["fix"], c)

    def test_remove_extension_id_names_the_installed_exe(self):
        """The manifest allows an id the host's settings do not: the --remove-extension-id fix
        runs the .exe beside that manifest (install edits the manifest beside itself), not
        the copy doctor ran from (before: the running .exe, whose folder has no such
        manifest), and says what an .msi install needs instead."""
        rc, out = self.run_host("install", "--extension-id", PROD)
        self.assertEqual(rc, 0, out)
        other, env = self.exe_in("elsewhere")
        p = wine([other, "doctor", "--json", "--offline", "--extension-id", PROD], env=self.env,
                 timeout=180)
        doc = json.loads(p.stdout.decode("utf-8"))
        fixes = [c["fix"] for c in doc["checks"] if "--remove-extension-id" in c.get("fix", "")]
        self.assertTrue(fixes, doc)
        for fix in fixes:
            self.assertIn("& '%s' install --remove-extension-id %s" % (self.exe, PROD), fix)
            self.assertNotIn("& '%s' install" % other, fix)
            self.assertIn("an .msi built without that id", fix)

    def test_configure_names_this_exe(self):
        """configure's "Next:" line names this .exe as PowerShell runs it where PATH does not
        run it (a zip never installed; before: "run `textus-host configure` again", which
        PowerShell cannot find there). Where PATH runs it: test_windows.py test_on_path_or_not."""
        os.chmod(self.state, 0o700)
        with open(WINE_LOG, "ab") as log:
            p = subprocess.run([WINE, self.exe, "configure", "--no-verify"], env=self.env,
                               input=b'{"settings":{"allowed_extension_ids":["%s"]}}' %
                               PROD.encode(), stdout=subprocess.PIPE, stderr=log, timeout=180)
        out = p.stdout.decode("utf-8", "replace")
        self.assertEqual(p.returncode, 0, out)
        self.assertIn("Next:", out)
        self.assertIn('`& \'%s\' configure` again' % self.exe, out)
        self.assertNotIn("`textus-host ", out)
        # status says the permissions in Windows' words, not a made-up Unix mode (a review:
        # "ok (0700)" on Windows, where the folder has an access list, not a mode)
        with open(WINE_LOG, "ab") as log:
            p = subprocess.run([WINE, self.exe, "status"], env=self.env, stdout=subprocess.PIPE,
                               stderr=log, timeout=180)
        out = p.stdout.decode("utf-8", "replace")
        self.assertIn("ok (owner-only access list)", out)
        self.assertNotRegex(out, r"ok \(0[0-7]{3}\)")

    def test_uninstall_names_both_state_folders(self):
        """Without TEXTUS_HOST_HOME the credentials live in %LOCALAPPDATA%\\textus-host and the
        key and journal in %LOCALAPPDATA%\\textus-host-data: uninstall names both (before: the
        first alone)."""
        env = tw.wine_env()
        env.pop("TEXTUS_HOST_HOME", None)
        p = wine([self.exe, "install"], env=env)
        self.assertEqual(p.returncode, 0, p.stdout)
        p = wine([self.exe, "uninstall"], env=env)
        out = p.stdout.decode("utf-8", "replace")
        self.assertEqual(p.returncode, 0, out)
        self.assertIn("textus-host-data", out)
        self.assertRegex(out, r"[\\/]textus-host and \S*[\\/]textus-host-data")

    def test_usage_errors(self):
        rc, _ = self.run_host("install", "--extension-id", "not-an-id")
        self.assertEqual(rc, 2)
        rc, _ = self.run_host("install", "--browsr", "edge")
        self.assertEqual(rc, 2)
        self.assertFalse(os.path.exists(self.manifest))
        self.assertIsNone(reg_default("HKCU\\" + KEYS[0]))

    def test_doctor_without_install(self):
        rc, doc = doctor(self.exe)
        self.assertEqual(rc, 1, doc)
        (c,) = install_failures(doc)
        self.assertEqual(c["subject"], "registry")
        self.assertIn("msiexec /i textus-host-", c["fix"])
        self.assertIn(".\\textus-host.exe install", c["fix"])
        for w in POSIX_WORDS:
            self.assertNotIn(w, c["fix"])


def install_failures(doc):
    """doctor's failed checks of the installation (keys, manifests, ping), not of the
    configuration: with the engine linked in, doctor also checks the store, and nobody has run
    configure in the test's prefix."""
    return [c for c in doc["checks"] if c["status"] == "fail" and c["area"] == "install"]


def config_failures(doc):
    return [c for c in doc["checks"] if c["status"] == "fail" and c["area"] != "install"]


def missing():
    why = tw.missing()
    if not why and not shutil.which("wixl"):
        why = "no wixl (scripts/bootstrap.sh --windows installs it)"
    return why


if __name__ == "__main__":
    why = missing()
    if why:
        print("test_windows_install: skipped: %s" % why)
        sys.exit(77)
    unittest.main(verbosity=2)
