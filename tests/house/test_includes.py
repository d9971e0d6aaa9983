"""Inside host/, calls go one way (README, *Data flow*): among the engine's modules — the
sources of TH_ENGINE_SOURCES in host/CMakeLists.txt, each module its .c with its .h — no
module reaches itself again through the #include "x.h" lines of host/ (no import circle, such
as send.c including conversation.h while conversation.c includes send.h).

The executable's own files (engine.c's loader, the API table's header, cli, protocol) are
the boundary between the executable and its modules, not part of the engine's flow, and are
left out.
"""
import os
import re
import unittest

SRC = os.environ.get("TH_SOURCE_DIR") or os.path.join(os.path.dirname(__file__), "..", "..")
HOST = os.path.join(SRC, "host")
INCLUDE = re.compile(r'^\s*#\s*include\s+"([A-Za-z0-9_]+)\.h"', re.M)


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def engine_modules():
    text = read(os.path.join(HOST, "CMakeLists.txt"))
    m = re.search(r"set\(TH_ENGINE_SOURCES(.*?)\)", text, re.S)
    assert m, "TH_ENGINE_SOURCES not found in host/CMakeLists.txt"
    return {n[:-2] for n in m.group(1).split() if n.endswith(".c")}


def include_graph(modules):
    """{module: {modules whose header it (its .c or .h) includes}}, within `modules`."""
    g = {}
    for mod in modules:
        deps = set()
        for ext in (".c", ".h"):
            path = os.path.join(HOST, mod + ext)
            if os.path.exists(path):
                deps.update(INCLUDE.findall(read(path)))
        g[mod] = {d for d in deps if d in modules and d != mod}
    return g


def circles(g):
    """The strongly connected components with more than one module (Tarjan)."""
    index, low, stack, on, out, n = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = n[0]
        n[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(g[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(g):
        if v not in index:
            visit(v)
    return out


class Includes(unittest.TestCase):
    def test_graph_is_read(self):
        g = include_graph(engine_modules())
        # the flow the README draws: the send flow uses the outbox and the API clients
        self.assertIn("outbox", g["send"])
        self.assertIn("send", g["conversation"])

    def test_no_circle(self):
        g = include_graph(engine_modules())
        found = circles(g)
        self.assertEqual(found, [], "engine modules that include one another in a circle "
                         "(calls must go one way; move what both need into a lower module "
                         "or let the layer above call both): %s" % found)


if __name__ == "__main__":
    unittest.main(verbosity=2)
