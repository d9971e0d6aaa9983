"""The map of host/ stays true: every file's tag and the README's table of host/ files agree
with the source lists of host/CMakeLists.txt.

Tags (the last line of each file's top comment, ` * [core]`):
  [core]    built into the executable textus-host (its th_core objects are exported to the
            modules, which call back into them);
  [engine]  built into textus-host-engine.so;
  [store]   built into textus-host-store.so (the engine module links it too).
A header takes the tag of its .c file; a header or .inc without one takes the outputs whose
sources include it (directly or through another header), in the order core, engine, store,
e.g. ` * [core, engine, store]`.

The README's table (section *Layout*, "`host/`, file by file") has one row per host/ file:
| `host/<file>` | prefix | what it is | `[tag]` |

Unit tests are one file per module: tests/unit/test_<module>.c tests host/<module>.c.
"""
import os
import re
import unittest

SRC = os.environ.get("TH_SOURCE_DIR") or os.path.join(os.path.dirname(__file__), "..", "..")
HOST = os.path.join(SRC, "host")
ORDER = ("core", "engine", "store")
# the build outputs of host/CMakeLists.txt and the tag that names each
OUTPUT_TAG = {"textus-host": "core", "textus-host-engine": "engine", "textus-host-store": "store"}
README_HEADING = "### `host/`, file by file"


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def host_files():
    return sorted(n for n in os.listdir(HOST) if re.search(r"\.(c|h|inc)$", n))


def cmake_outputs():
    """{source.c: tag} from host/CMakeLists.txt: each TH_*_SOURCES list, the object library
    built from it and the output that takes those objects; plus the executable's own sources."""
    text = re.sub(r"#[^\n]*", "", read(os.path.join(HOST, "CMakeLists.txt")))
    lists = {m.group(1): m.group(2).split()
             for m in re.finditer(r"set\(\s*(TH_[A-Z]+_SOURCES)\s+([^)]*)\)", text)}
    objlib = {m.group(1): m.group(2)
              for m in re.finditer(r"add_library\(\s*(\w+)\s+OBJECT\s+\$\{(\w+)\}\s*\)", text)}
    out = {}
    for m in re.finditer(r"add_(?:executable|library)\(\s*([\w-]+)\s+([^)]*)\)", text):
        target, args = m.group(1), m.group(2).split()
        if target not in OUTPUT_TAG:
            continue
        tag = OUTPUT_TAG[target]
        for a in args:
            lib = re.fullmatch(r"\$<TARGET_OBJECTS:(\w+)>", a)
            if lib:
                for src in lists[objlib[lib.group(1)]]:
                    out.setdefault(src, set()).add(tag)
            elif a.endswith(".c"):
                out.setdefault(a, set()).add(tag)
    return out


def includes(name):
    return re.findall(r'^\s*#\s*include\s+"([^"]+)"', read(os.path.join(HOST, name)), re.M)


def closure(name, seen=None):
    """Every host/ file that name includes, directly or through another."""
    seen = set() if seen is None else seen
    for inc in includes(name):
        if inc not in seen and os.path.exists(os.path.join(HOST, inc)):
            seen.add(inc)
            closure(inc, seen)
    return seen


def fmt(tags):
    return "[" + ", ".join(t for t in ORDER if t in tags) + "]"


def expected_tags():
    """{file: "[tag, ...]"} for every host/ file, from host/CMakeLists.txt."""
    built = cmake_outputs()
    files = host_files()
    want = {}
    for name in files:
        if name.endswith(".c"):
            want[name] = fmt(built.get(name, set()))
    users = {}
    for c in (n for n in files if n.endswith(".c")):
        for inc in closure(c):
            users.setdefault(inc, set()).update(built.get(c, set()))
    for name in files:
        if name.endswith(".c"):
            continue
        twin = re.sub(r"\.h$", ".c", name)
        if name.endswith(".h") and twin in built:
            want[name] = fmt(built[twin])
        else:
            want[name] = fmt(users.get(name, set()))
    return want


def top_comment(name):
    text = read(os.path.join(HOST, name))
    if not text.startswith("/*") or "*/" not in text:
        return None
    return text[: text.index("*/") + 2].split("\n")


def readme_rows():
    """{file: (prefix, what, output)} of the README's table of host/ files, and the files
    named more than once."""
    text = read(os.path.join(SRC, "README.md"))
    if README_HEADING not in text:
        return {}, []
    section = text.split(README_HEADING, 1)[1]
    section = re.split(r"^#{2,3} ", section, maxsplit=1, flags=re.M)[0]
    rows, twice = {}, []
    for line in section.split("\n"):
        cells = [c.strip() for c in re.split(r"(?<!\\)\|", line.strip())[1:-1]]
        m = re.fullmatch(r"`host/([^`]+)`", cells[0]) if len(cells) == 4 else None
        if not m:
            continue
        name = m.group(1)
        if name in rows:
            twice.append(name)
        rows[name] = tuple(cells[1:])
    return rows, twice


class Layout(unittest.TestCase):
    def test_every_source_is_built(self):
        built = cmake_outputs()
        self.assertTrue(built, "no source lists found in host/CMakeLists.txt")
        for name in (n for n in host_files() if n.endswith(".c")):
            with self.subTest(file=name):
                self.assertTrue(name in built, "host/%s is in no source list of host/CMakeLists.txt"
                              % name)
                self.assertEqual(len(built[name]), 1, "host/%s is built into %s" %
                                 (name, fmt(built[name])))
        for name in built:
            with self.subTest(listed=name):
                self.assertTrue(os.path.exists(os.path.join(HOST, name)),
                                "host/CMakeLists.txt lists host/%s, which does not exist" % name)

    def test_every_file_carries_its_tag(self):
        for name, tag in expected_tags().items():
            with self.subTest(file=name):
                self.assertNotEqual(tag, "[]", "host/%s goes into no build output" % name)
                lines = top_comment(name)
                self.assertIsNotNone(lines, "host/%s does not start with a top comment" % name)
                found = [ln for ln in lines if re.search(r"\[(core|engine|store)\b", ln)]
                self.assertGreaterEqual(len(lines), 3, "host/%s: a one-line top comment" % name)
                self.assertEqual(lines[-1].strip(), "*/", "host/%s: the top comment ends "
                                 "inside a line" % name)
                self.assertEqual(lines[-2], " * " + tag,
                                 "host/%s: the top comment's last line must be ' * %s'" %
                                 (name, tag))
                self.assertEqual(len(found), 1, "host/%s: one tag only, on the last line: %r" %
                                 (name, found))

    def test_readme_table_names_every_file_with_its_output(self):
        rows, twice = readme_rows()
        self.assertTrue(rows, "README.md has no table under %r" % README_HEADING)
        self.assertEqual(twice, [], "README rows named twice")
        want = expected_tags()
        for name, tag in want.items():
            with self.subTest(file=name):
                self.assertTrue(name in rows, "README's host/ table has no row for host/%s" % name)
                prefix, what, output = rows[name]
                self.assertTrue(prefix and what, "host/%s: prefix and what it is, please" % name)
                self.assertEqual(output, "`%s`" % tag, "host/%s goes into %s" % (name, tag))
        for name in rows:
            with self.subTest(row=name):
                self.assertTrue(name in want, "README's host/ table names host/%s, which does not "
                              "exist" % name)

    def test_unit_tests_are_named_after_their_module(self):
        unit = os.path.join(SRC, "tests", "unit")
        for name in sorted(n for n in os.listdir(unit) if re.fullmatch(r"test_\w+\.c", n)):
            module = name[len("test_"):]
            with self.subTest(test=name):
                self.assertTrue(os.path.exists(os.path.join(HOST, module)),
                                "tests/unit/%s tests no module: host/%s does not exist" %
                                (name, module))


if __name__ == "__main__":
    unittest.main()
