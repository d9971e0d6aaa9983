"""tally.py — the checks of the latency benchmark's own tests (test_netproxy.py,
test_smoke.py): each check prints one line, "ok  NAME" or "FAIL NAME: DETAIL", and is
counted; done() prints "N passed, N failed" and exits 1 when any failed. Correctness only:
nothing here is ever a time.
"""
import sys

RESULTS = [0, 0]  # passed, failed


def check(name, cond, detail=""):
    RESULTS[0 if cond else 1] += 1
    print("%s %s%s" % ("ok  " if cond else "FAIL", name, "" if cond else ": " + detail))
    return cond


def done():
    print("%d passed, %d failed" % tuple(RESULTS))
    sys.exit(1 if RESULTS[1] else 0)
