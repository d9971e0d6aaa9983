"""Business code is the same file on every platform: outside the operating-system layer
(host/os.h, host/os_posix.c, host/os_win.c) no host/ file has an #if/#ifdef/#ifndef/#elif on a
platform macro (_WIN32, __linux__, __APPLE__, __unix__, ...). Issue P, item 2.

The second wave moved every remaining file onto os.h: NOT_YET_MIGRATED is empty (a file
listed there again would have to carry its exact count, printed on every run), and no file
outside the layer includes a POSIX-only header (<unistd.h>, <fcntl.h>, <sys/*.h>, ...).
"""
import os
import re
import sys
import unittest

SRC = os.environ.get("TH_SOURCE_DIR") or os.path.join(os.path.dirname(__file__), "..", "..")
HOST = os.path.join(SRC, "host")
LAYER = {"os.h", "os_posix.c", "os_win.c"}

# Platform macros: operating systems and compilers that imply one.
PLATFORM = re.compile(r"\b(_WIN32|_WIN64|WIN32|_WINDOWS|__WINDOWS__|__CYGWIN__|__MINGW32__|"
                      r"__MINGW64__|_MSC_VER|__linux__|__linux|linux|__gnu_linux__|__APPLE__|"
                      r"__MACH__|TARGET_OS_\w+|__unix__|__unix|unix|__FreeBSD__|__OpenBSD__|"
                      r"__NetBSD__|__DragonFly__|__sun|__ANDROID__|__HAIKU__|_AIX|__hpux)\b")
DIRECTIVE = re.compile(r"^\s*#\s*(if|ifdef|ifndef|elif)\b(.*)$")


# file: count. Shrinks to {} as the second wave moves these onto os.h.
# Empty since wave 2 (every business file on os.h); kept so that a regression reads clearly.
NOT_YET_MIGRATED = {}


def count(path):
    n = 0
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        # a directive may continue on the next line
        while line.endswith("\\") and i + 1 < len(lines):
            i += 1
            line = line[:-1] + lines[i]
        m = DIRECTIVE.match(line)
        if m and PLATFORM.search(re.sub(r"/\*.*?\*/|//.*", "", m.group(2))):
            n += 1
        i += 1
    return n


def counts():
    out = {}
    for name in sorted(os.listdir(HOST)):
        if re.search(r"\.(c|h|inc)$", name) and name not in LAYER:
            out[name] = count(os.path.join(HOST, name))
    return out


class Platform(unittest.TestCase):
    def test_counter_sees_a_platform_conditional(self):
        """The counter itself: it must see what it is looking for (else 0 proves nothing)."""
        import tempfile
        with tempfile.NamedTemporaryFile("w", suffix=".c", delete=False) as f:
            f.write("#ifdef __linux__\n#endif\n#if defined(_WIN32) || \\\n defined(__APPLE__)\n"
                    "#endif\n#if TH_FAILPOINTS /* not _WIN32 */\n#endif\n")
        try:
            self.assertEqual(count(f.name), 2)
        finally:
            os.unlink(f.name)

    def test_no_platform_conditional_outside_the_layer(self):
        found = counts()
        with_any = {k: v for k, v in found.items() if v}
        sys.stdout.write("platform #if/#ifdef outside host/os*.{h,c}, per file: %s\n" %
                         (", ".join("%s %d" % kv for kv in sorted(with_any.items())) or "none"))
        sys.stdout.write("NOT YET MIGRATED onto os.h (allowlist, must shrink to empty): %s\n" %
                         (", ".join("%s (%d)" % kv for kv in sorted(NOT_YET_MIGRATED.items()))
                          or "none"))
        for name, n in sorted(with_any.items()):
            with self.subTest(file=name):
                allowed = NOT_YET_MIGRATED.get(name, 0)
                self.assertLessEqual(n, allowed, "host/%s has %d #if on a platform macro: move "
                                     "the call into host/os_posix.c/os_win.c behind os.h" %
                                     (name, n))
        for name, allowed in sorted(NOT_YET_MIGRATED.items()):
            with self.subTest(allowlisted=name):
                self.assertTrue(name in found, "host/%s is gone: take it off NOT_YET_MIGRATED"
                                % name)
                self.assertEqual(found[name], allowed, "host/%s now has %d (allowlist says %d): "
                                 "lower or drop its entry in NOT_YET_MIGRATED" %
                                 (name, found[name], allowed))

    def test_no_platform_headers(self):
        """A gate since wave 2: no file outside the layer includes a header that only POSIX
        has (each includes os.h instead); the list is printed on every run."""
        posix_only = re.compile(r"^\s*#\s*include\s*<(unistd|fcntl|poll|pwd|dlfcn|dirent|termios|"
                                r"signal|arpa/[a-z]+|netinet/[a-z]+|netdb|sys/[a-z]+)\.h>", re.M)
        per_file = {}
        for name in sorted(os.listdir(HOST)):
            if re.search(r"\.(c|h)$", name) and name not in LAYER:
                with open(os.path.join(HOST, name), encoding="utf-8") as f:
                    n = len(posix_only.findall(f.read()))
                if n:
                    per_file[name] = n
        sys.stdout.write("POSIX-only headers still included outside the layer: %s\n" %
                         (", ".join("%s %d" % kv for kv in sorted(per_file.items())) or "none"))
        for name in sorted(per_file):
            with self.subTest(file=name):
                self.fail("host/%s includes a POSIX-only header: call the operating system "
                          "through host/os.h (host/os_posix.c, host/os_win.c)" % name)

    def test_layer_files_exist(self):
        for name in sorted(LAYER):
            with self.subTest(file=name):
                self.assertTrue(os.path.exists(os.path.join(HOST, name)))


# fopen reads the path in the ANSI code page on Windows: a folder named "José Núñez 王芳" is
# not found. Outside the layer every file is opened with os_fopen (UTF-8, _wfopen). r-win.
BARE_FOPEN = re.compile(r"(?<![\w.>])fopen\s*\(")
# failpoint.h reads a test-only file named by an environment variable (TH_FAILPOINTS builds)
FOPEN_ALLOWED = {"failpoint.h"}


class Fopen(unittest.TestCase):
    def test_the_pattern_sees_a_bare_fopen(self):
        self.assertTrue(BARE_FOPEN.search('FILE *f = fopen(path, "rb");'))
        self.assertFalse(BARE_FOPEN.search('FILE *f = os_fopen(path, "rb");'))
        self.assertFalse(BARE_FOPEN.search('FILE *f = _wfopen(w, m);'))

    def test_no_bare_fopen_outside_the_layer(self):
        found = []
        for name in sorted(os.listdir(HOST)):
            if not re.search(r"\.(c|h|inc)$", name) or name in LAYER or name in FOPEN_ALLOWED:
                continue
            with open(os.path.join(HOST, name), encoding="utf-8") as f:
                text = re.sub(r"/\*.*?\*/|//[^\n]*", "", f.read(), flags=re.S)
            found += ["host/%s" % name for _ in BARE_FOPEN.findall(text)]
        self.assertEqual(found, [], "fopen outside host/os*.{h,c}: use os_fopen (a UTF-8 path)")


if __name__ == "__main__":
    unittest.main(verbosity=2)
