"""The .deb (cpack -G DEB) and `cmake --install`.

The .deb comes from a production build only (-DTH_PRODUCTION=ON: no development stub id in
the host or its manifests; cpack refuses any other build folder), so the test configures
and builds one in a temp folder with the current build's type, hardening and extension ids
(an id of its own when none is set), and checks that the current (test) build folder is
refused by cpack and still allows the stub. The package is built into a temp folder
(cpack -B) and checked as apt would
install it: its file list (dpkg-deb -c), its control fields (dpkg-deb -f) and
conffiles, the two machine-wide manifests (JSON, pointing inside the package
at an executable it ships, allowed_origins as scripts/install.sh --system
writes them), and the installed layout itself: extracted with dpkg-deb -x into
a temp root, the extracted host answers --version, a framed ping, and a status
request (which loads the engine and store modules from the extracted folder).
Skipped (exit 77) where cpack or dpkg-deb is missing (not a Debian system).
"""
import glob
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import unittest

SRC = os.environ.get("TH_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
BUILD = os.environ["TH_BUILD_DIR"]
CMAKE = os.environ.get("TH_CMAKE", "cmake")
CPACK = os.environ.get("TH_CPACK", "cpack")
VERSION = os.environ["TH_VERSION"]
PKGDIR = os.environ.get("TH_INSTALL_PKGDIR", "lib/textus-host").strip("/")
NAME = "com.textus.greenhouse"
STUB = "hfboccpnppdfmcdbjjgmobnhljkkmjji"
EXTRA_IDS = [i for i in os.environ.get("TH_EXTENSION_IDS", "").split(";") if i]
# the production build's ids: the current build's, or one of this test's own
PROD_IDS = EXTRA_IDS or ["kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk"]
MANIFEST_DIRS = ["etc/opt/chrome/native-messaging-hosts", "etc/chromium/native-messaging-hosts"]
HOST_DIR = "usr/" + PKGDIR
MODULES = ["textus-host-engine.so", "textus-host-store.so"]
COPYRIGHT = "usr/share/doc/textus-host/copyright"


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, **kw)


def frame(obj):
    body = json.dumps(obj).encode()
    return struct.pack("=I", len(body)) + body


def replies(data):
    out = []
    while len(data) >= 4:
        (n,) = struct.unpack("=I", data[:4])
        out.append(json.loads(data[4:4 + n].decode()))
        data = data[4 + n:]
    return out


class Deb(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="th-deb-")
        out = os.path.join(cls.tmp, "out")
        cls.prod = os.path.join(cls.tmp, "build-production")
        cache = {}
        with open(os.path.join(BUILD, "CMakeCache.txt")) as f:
            for line in f:
                name, _, value = line.rstrip("\n").partition("=")
                cache[name.split(":")[0]] = value
        args = ["-DTH_PRODUCTION=ON", "-DTH_TESTS=OFF", "-DTH_FAILPOINTS=OFF",
                "-DTH_EXTENSION_IDS=" + ";".join(PROD_IDS)]
        for name in ("CMAKE_BUILD_TYPE", "CMAKE_C_COMPILER", "TH_HARDENING", "TH_SANITIZE",
                     "TH_INSTALL_PKGDIR", "TH_WERROR"):
            if name in cache:
                args.append("-D%s=%s" % (name, cache[name]))
        p = run([CMAKE, "-S", SRC, "-B", cls.prod] + args)
        if p.returncode != 0:
            raise AssertionError("cmake (production) failed:\n" + p.stdout + p.stderr)
        p = subprocess.run([CMAKE, "--build", cls.prod, "-j2"], capture_output=True, text=True,
                           timeout=900)
        if p.returncode != 0:
            raise AssertionError("production build failed:\n" + p.stdout[-3000:] + p.stderr)
        p = run([CPACK, "-G", "DEB", "--config", os.path.join(cls.prod, "CPackConfig.cmake"),
                 "-B", out])
        if p.returncode != 0:
            raise AssertionError("cpack failed:\n" + p.stdout + p.stderr)
        cls.arch = run(["dpkg", "--print-architecture"]).stdout.strip()
        debs = glob.glob(os.path.join(out, "*.deb"))
        if len(debs) != 1:
            raise AssertionError("want one .deb, cpack made %r" % debs)
        cls.deb = debs[0]
        cls.root = os.path.join(cls.tmp, "root")
        p = run(["dpkg-deb", "-x", cls.deb, cls.root])
        if p.returncode != 0:
            raise AssertionError("dpkg-deb -x: " + p.stderr)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def listing(self):
        """{path: (mode string, owner[, link target])} of dpkg-deb -c, without the leading './'."""
        p = run(["dpkg-deb", "-c", self.deb])
        self.assertEqual(p.returncode, 0, p.stderr)
        entries = {}
        for line in p.stdout.splitlines():
            f = line.split(None, 5)
            path, _, target = f[5].partition(" -> ")
            entries[path[2:].rstrip("/")] = (f[0], f[1]) + ((target,) if target else ())
        return entries

    def test_file_name(self):
        self.assertEqual(os.path.basename(self.deb), "textus-host_%s_%s.deb" % (VERSION, self.arch))

    def test_file_list(self):
        entries = self.listing()
        files = {p: m for p, m in entries.items() if not m[0].startswith("d")}
        want = {HOST_DIR + "/textus-host": "-rwxr-xr-x",
                "usr/share/textus-host/%s.json.in" % NAME: "-rw-r--r--"}
        for m in MODULES:
            want[HOST_DIR + "/" + m] = "-rw-r--r--"
        for d in MANIFEST_DIRS:
            want[d + "/%s.json" % NAME] = "-rw-r--r--"
        want["usr/bin/textus-host"] = "lrwxrwxrwx"
        want[COPYRIGHT] = "-rw-r--r--"
        self.assertEqual(sorted(files), sorted(want), "the package ships exactly these files")
        for path, mode in want.items():
            self.assertEqual(files[path][:2], (mode, "root/root"), path)
        # the command people type is a relative link to the packaged executable
        self.assertEqual(os.path.normpath(os.path.join("usr/bin", files["usr/bin/textus-host"][2])),
                         HOST_DIR + "/textus-host")

    def test_control_fields(self):
        def field(name):
            p = run(["dpkg-deb", "-f", self.deb, name])
            self.assertEqual(p.returncode, 0, p.stderr)
            return p.stdout.strip()

        self.assertEqual(field("Package"), "textus-host")
        self.assertEqual(field("Version"), VERSION)
        self.assertEqual(field("Architecture"), self.arch)
        self.assertRegex(field("Maintainer"), r"^[^<>]+ <[^<>@\s]+@[^<>@\s]+>$")
        self.assertEqual(field("Section"), "web")
        self.assertEqual(field("Priority"), "optional")
        desc = field("Description").splitlines()
        self.assertTrue(desc[0].strip() and len(desc) > 1, "a summary and a long description")
        depends = field("Depends")
        names = {re.split(r"[\s(]", d.strip())[0] for d in re.split(r"[,|]", depends)}
        for stem in ("libc6", "libcjson", "libcurl", "libsodium", "libsqlite3"):
            self.assertTrue(any(n.startswith(stem) for n in names), "%s in Depends: %s" % (stem, depends))
        # every library the packaged files link comes from a package in Depends
        for lib, pkgs in self.linked_packages().items():
            self.assertTrue(pkgs & names, "%s (from %s) not in Depends: %s" % (lib, pkgs, depends))

    def linked_packages(self):
        """{soname: {Debian packages shipping it}} for the NEEDED entries of the packaged files."""
        found = {}
        for f in ["textus-host"] + MODULES:
            dyn = run(["readelf", "-dW", os.path.join(self.root, HOST_DIR, f)]).stdout
            for lib in re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", dyn):
                if lib in MODULES or lib in found:
                    continue
                p = run(["dpkg", "-S", "*/" + lib])
                pkgs = {l.split(":")[0] for l in p.stdout.splitlines() if ":" in l}
                self.assertTrue(pkgs, "no package ships %s (needed by %s)" % (lib, f))
                found[lib] = pkgs
        self.assertTrue(found)
        return found

    def test_copyright_machine_readable(self):
        """/usr/share/doc/textus-host/copyright in Debian's machine-readable format (DEP-5,
        https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/): a header
        paragraph with Format:, Files: paragraphs with Copyright: and License:, and every
        short licence name a Files: paragraph uses given its text somewhere; the text is
        LICENSE's."""
        path = os.path.join(self.root, COPYRIGHT)
        self.assertTrue(os.path.isfile(path), "the package has no %s" % COPYRIGHT)
        with open(path, encoding="utf-8") as f:
            text = f.read()
        paras = [p for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]

        def fields(para):
            out, key = {}, None
            for line in para.split("\n"):
                if line[:1] in (" ", "\t") and key:
                    out[key] += "\n" + line[1:]
                    continue
                m = re.match(r"^([A-Za-z-]+):\s?(.*)$", line)
                self.assertIsNotNone(m, "not a field or a continuation line: %r" % line)
                key = m.group(1)
                out[key] = m.group(2)
            return out

        parsed = [fields(p) for p in paras]
        self.assertEqual(parsed[0].get("Format"),
                         "https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/")
        files = [p for p in parsed if "Files" in p]
        self.assertTrue(files, "no Files: paragraph")
        self.assertIn("*", [p["Files"].split()[0] for p in files])
        texts = {}
        for p in parsed[1:]:
            if "License" in p:
                name, _, body = p["License"].partition("\n")
                if body.strip():
                    texts[name.strip()] = body
        for p in files:
            self.assertTrue(p.get("Copyright", "").strip(), "Files: %s has no Copyright" % p["Files"])
            name = p.get("License", "").split("\n")[0].strip()
            self.assertIn(name, texts, "licence %r has no text in the file" % name)
        with open(os.path.join(SRC, "LICENSE"), encoding="utf-8") as f:
            license_words = f.read().split()
        body_words = [w for w in texts["Expat"].split() if w != "."]
        self.assertEqual(body_words, license_words[2:], "the Expat text is LICENSE's")

    def test_conffiles(self):
        p = run(["dpkg-deb", "-I", self.deb, "conffiles"])
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(sorted(p.stdout.split()),
                         sorted("/%s/%s.json" % (d, NAME) for d in MANIFEST_DIRS))

    def test_manifests_point_into_the_package(self):
        entries = self.listing()
        # a production build: the ids given, never the development stub's
        want_origins = ["chrome-extension://%s/" % i for i in dict.fromkeys(PROD_IDS)]
        for d in MANIFEST_DIRS:
            with open(os.path.join(self.root, d, NAME + ".json")) as f:
                m = json.load(f)
            self.assertEqual(m["name"], NAME)
            self.assertEqual(m["type"], "stdio")
            self.assertTrue(m["description"])
            self.assertEqual(m["allowed_origins"], want_origins)
            self.assertEqual(m["path"], "/%s/textus-host" % HOST_DIR)
            inside = m["path"].lstrip("/")
            self.assertIn(inside, entries, "the manifest's path is a file of the package")
            self.assertTrue(entries[inside][0].startswith("-") and "x" in entries[inside][0])
            self.assertTrue(os.access(os.path.join(self.root, inside), os.X_OK))

    def host(self):
        return os.path.join(self.root, HOST_DIR, "textus-host")

    def test_installed_layout_runs(self):
        for exe in (self.host(), os.path.join(self.root, "usr/bin/textus-host")):
            p = run([exe, "--version"])
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertIn(VERSION, p.stdout)

        home = os.path.join(self.tmp, "state")
        env = dict(os.environ, TEXTUS_HOST_HOME=home, HOME=os.path.join(self.tmp, "home"))
        # the stub's id is refused by a production host, whatever the settings say
        p = subprocess.run([self.host(), "chrome-extension://%s/" % STUB],
                           input=frame({"id": "x", "type": "ping"}), capture_output=True,
                           env=env, timeout=60)
        (refused,) = replies(p.stdout)
        self.assertEqual(refused["error"]["code"], "forbidden_origin", refused)
        # the extension the settings allow (the stub cannot be, in a production build)
        p = subprocess.run([self.host(), "configure", "--no-verify"], capture_output=True,
                           env=env, timeout=60,
                           input=json.dumps({"settings": {"allowed_extension_ids": PROD_IDS}})
                           .encode())
        self.assertEqual(p.returncode, 0, p.stderr.decode(errors="replace"))
        origin = "chrome-extension://%s/" % PROD_IDS[0]
        req = frame({"id": "p", "type": "ping"}) + frame({"id": "s", "type": "status"})
        p = subprocess.run([self.host(), origin], input=req, capture_output=True, env=env,
                           timeout=60)
        self.assertEqual(p.returncode, 0, p.stderr.decode(errors="replace"))
        got = replies(p.stdout)
        self.assertEqual(len(got), 2, got)
        ping, status = got
        self.assertEqual(ping["id"], "p")
        self.assertTrue(ping["ok"], ping)
        self.assertEqual(ping["result"]["version"], VERSION)
        # status needs the engine: loaded from the extracted folder, next to the executable
        self.assertEqual(status["id"], "s")
        self.assertTrue(status["ok"], status)
        self.assertFalse(status["result"]["configured"])
        self.assertTrue(status["result"]["paths"]["store"].startswith(home))
        # the command people type, through /usr/bin's link: the engine is found all the same
        p = run([os.path.join(self.root, "usr/bin/textus-host"), "status", "--json"], env=env)
        # a store exists (the settings above), credentials not yet
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertFalse(json.loads(p.stdout)["configured"])
        self.assertEqual(json.loads(p.stdout)["settings"]["allowed_extension_ids"], PROD_IDS)

    def test_no_stub_id_allowed_anywhere_in_the_package(self):
        # Every packaged file but the executable and its engine: the manifests, the docs, the
        # copyright. The two programs do name the id, and only to refuse it (configure refuses
        # it in the allowed ids; the caller check refuses it even when a settings file lists
        # it: test_installed_layout_runs and tests/protocol/test_hardening.py show it), so a
        # production build allows the stub nowhere.
        programs = {"usr/lib/textus-host/textus-host", "usr/lib/textus-host/textus-host-engine.so"}
        found = []
        for d, _, files in os.walk(self.root):
            for f in files:
                path = os.path.join(d, f)
                if os.path.islink(path):
                    continue
                with open(path, "rb") as fh:
                    if STUB.encode() in fh.read():
                        found.append(os.path.relpath(path, self.root))
        self.assertEqual([f for f in found if f not in programs], [],
                         "the development stub's id is in the package")

    def test_a_test_build_is_not_packaged(self):
        p = run([CPACK, "-G", "DEB", "--config", os.path.join(BUILD, "CPackConfig.cmake"),
                 "-B", os.path.join(self.tmp, "refused")])
        self.assertNotEqual(p.returncode, 0, "cpack packaged a build without TH_PRODUCTION")
        self.assertIn("-DTH_PRODUCTION=ON", p.stdout + p.stderr)
        self.assertEqual(glob.glob(os.path.join(self.tmp, "refused", "*.deb")), [])

    def test_a_test_build_still_allows_the_stub(self):
        test_host = os.environ.get("TH_HOST", os.path.join(BUILD, "host", "textus-host"))
        p = subprocess.run([test_host, "chrome-extension://%s/" % STUB],
                           input=frame({"id": 1, "type": "ping"}), capture_output=True,
                           env=dict(os.environ, TEXTUS_HOST_HOME=os.path.join(self.tmp, "t")),
                           timeout=60)
        (pong,) = replies(p.stdout)
        self.assertTrue(pong["ok"], pong)
        with open(test_host, "rb") as f:
            self.assertIn(STUB.encode(), f.read())

    def test_packaged_files_hardened(self):
        files = [self.host()] + [os.path.join(self.root, HOST_DIR, m) for m in MODULES]
        p = run([sys.executable, os.path.join(SRC, "tests", "packaging", "check_hardening.py")]
                + files)
        if p.returncode == 77:
            self.skipTest(p.stdout.strip())
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)


class CmakeInstall(unittest.TestCase):
    def test_install_to_a_prefix(self):
        tmp = tempfile.mkdtemp(prefix="th-install-")
        try:
            prefix = os.path.join(tmp, "prefix")
            p = run([CMAKE, "--install", BUILD, "--prefix", prefix])
            self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
            got = sorted(os.path.relpath(os.path.join(d, f), prefix)
                         for d, _, fs in os.walk(prefix) for f in fs)
            want = sorted([PKGDIR + "/textus-host", "share/textus-host/%s.json.in" % NAME,
                           "bin/textus-host", "share/doc/textus-host/copyright"]
                          + [PKGDIR + "/" + m for m in MODULES])
            self.assertEqual(got, want, "no /etc manifests outside the .deb")
            host = os.path.join(prefix, PKGDIR, "textus-host")
            p = run([host, "--version"])
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertIn(VERSION, p.stdout)
            p = subprocess.run([host, "chrome-extension://%s/" % STUB],
                               input=frame({"id": 1, "type": "status"}), capture_output=True,
                               env=dict(os.environ, TEXTUS_HOST_HOME=os.path.join(tmp, "s")),
                               timeout=60)
            (status,) = replies(p.stdout)
            self.assertTrue(status["ok"], status)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    for tool in (CPACK, "dpkg-deb", "dpkg"):
        if not shutil.which(tool):
            print("test_deb: %s not found (not a Debian system): skipped" % tool)
            sys.exit(77)
    unittest.main()
