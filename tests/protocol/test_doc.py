"""PROTOCOL.md stays true: the error-code table matches host/error.h + error.c
(same names, same numbers, append-only order), and every verb in the dispatch
table (host/protocol.c) and every CLI command (host/cli.c) is documented; the README's
exit-status row for the host Chrome starts names every exit code PROTOCOL.md gives."""
import os
import re
import sys
import unittest

SRC = os.environ.get("TH_SOURCE_DIR") or os.path.join(os.path.dirname(__file__), "..", "..")


def read(*p):
    with open(os.path.join(SRC, *p), encoding="utf-8") as f:
        return f.read()


def code_enum():
    """[(number, ERR_NAME)] in enum order from error.h, as C numbers them: one more than the
    previous, or the explicit `= N` (a block of codes numbered ahead of a merge)."""
    body = read("host", "error.h").split("enum err_code {", 1)[1].split("};", 1)[0]
    out, n = [], -1
    for name, value in re.findall(r"^\s*(ERR_[A-Z0-9_]+)\s*(?:=\s*(\d+)\s*)?,", body, re.M):
        n = int(value) if value else n + 1
        if name not in ("ERR_OK", "ERR__COUNT"):
            out.append((n, name))
    return out


def wire_names():
    return dict(re.findall(r"\[(ERR_[A-Z0-9_]+)\]\s*=\s*\{\"([a-z0-9_]+)\"", read("host", "error.c")))


def doc_rows():
    return [(int(n), c) for n, c in re.findall(r"^\|\s*(\d+)\s*\|\s*`([a-z0-9_]+)`\s*\|", read("host", "PROTOCOL.md"), re.M)]


class ProtocolDoc(unittest.TestCase):
    def test_error_table_matches_code(self):
        wire = wire_names()
        expected = [(n, wire[name]) for n, name in code_enum()]
        self.assertEqual(doc_rows(), expected)

    def test_every_verb_documented(self):
        verbs = re.findall(r'^\s*\{"([a-z_]+)",', read("host", "protocol.c").split("proto_verbs[] = {", 1)[1].split("};", 1)[0], re.M)
        self.assertIn("ping", verbs)
        doc = read("host", "PROTOCOL.md")
        for v in verbs:
            with self.subTest(verb=v):
                self.assertRegex(doc, r"(?m)^### `%s`" % re.escape(v))

    def test_readme_exit_codes_match(self):
        """The README's exit-status row for the host Chrome starts names every non-zero
        code of PROTOCOL.md's *Host exit codes in native-messaging mode*."""
        table = read("host", "PROTOCOL.md").split("Host exit codes in native-messaging mode", 1)[1]
        table = table.split("\n## ", 1)[0]
        codes = [int(c) for c in re.findall(r"(?m)^\|\s*(\d+)\s*\|", table)]
        self.assertIn(3, codes)
        row = re.search(r"(?m)^\| `textus-host` \(Chrome starts it[^\n]*", read("README.md"))
        self.assertTrue(row, "no exit-status row for the host Chrome starts in README.md")
        other = row.group(0).rstrip(" |").rsplit("|", 1)[1]
        for c in codes:
            if c:
                with self.subTest(code=c):
                    self.assertRegex(other, r"(^|, )\s*%d " % c)


if __name__ == "__main__":
    unittest.main(verbosity=1)
