#!/usr/bin/env python3
"""`textus-host bulk` for a person, through the real binary and the fakes (Harvest v1).

  * a merge field the host does not know ({frist_name}) is refused before anything is read
    or sent (exit 2, the nearest field named), by the command and by bulk_send/bulk_preview
    (bad_request), as a known field without a value still skips only that candidate;
  * a list with entries that are not candidate ids sends nothing (exit 2, the entries and
    their lines named) unless --skip-invalid;
  * the outcome in words by default: "Done: 1 sent, 3 skipped, 0 failed, of 4 candidates",
    then each skipped candidate by name and the reason in words; --json the machine form;
  * wrong values said in the options' words, without an error code; --status with --cancel.
"""
import json
import os
import sys

SRC = os.environ["TH_SOURCE_DIR"]
sys.path.insert(0, os.path.join(SRC, "tests", "lib"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fakeworld import check, finish  # noqa: E402
import test_bulk as tb  # noqa: E402


def texts(w):
    return [r for r in w.fakes.requests(server="textus") if r["method"] == "POST" and
            r["path"].endswith("/messages")]


def s_cli(w):
    rows = []
    w.configure()
    posts0, reads0 = len(texts(w)), len(w.fakes.requests())
    # 3. an unknown merge field: nothing read, nothing sent, the nearest field named
    rc, out, err = w.cli("bulk", "--candidates", "-", "--body", "hello {frist_name}",
                         stdin=b"%d\n" % tb.FIRST)
    check(rc == 2 and "unknown merge field {frist_name}; did you mean {first_name}?" in err and
          "merge_missing" not in err + out and "bad_request" not in err,
          "unknown field: %r %r %r" % (rc, out, err))
    check(len(w.fakes.requests()) == reads0, "unknown field: a request was made")
    for verb in ("bulk_send", "bulk_preview"):
        try:  # a bulk_send that starts sends its events after the reply: req refuses them
            r = w.req({"type": verb, "request_id": "unk-1", "candidate_ids": [str(tb.FIRST)],
                       "body": "hello {frist_name}", "quiet_hours": "skip"})
        except AssertionError as x:
            r = {"started": str(x)[:200]}
        check(r and r.get("error", {}).get("code") == "bad_request" and
              "{frist_name}" in r["error"]["message"] and
              "{first_name}" in r["error"]["message"], "%s unknown field: %r" % (verb, r))
    r = w.req({"type": "bulk_preview", "candidate_ids": [str(tb.FIRST)],
               "body": "hello {zzzzzzzzzz}", "quiet_hours": "skip"})
    check(r and r.get("error", {}).get("code") == "bad_request" and
          "{recruiter_first_name}" in r["error"]["message"], "no near field: %r" % r)
    rows.append(("unknown merge field", "refused, exit %d" % rc))

    # 5. invalid ids: nothing sent without --skip-invalid
    lst = b"%d\nabc\n0042\n" % (tb.FIRST + 40)
    rc, out, err = w.cli("bulk", "--candidates", "-", "--body", "Hi {first_name}", stdin=lst)
    check(rc == 2 and "'abc' (line 2)" in err and "'0042' (line 3)" in err and
          "--skip-invalid" in err, "invalid ids: %r %r %r" % (rc, out, err))
    check(len(texts(w)) == posts0, "invalid ids: a text went out")
    rows.append(("invalid ids", "refused, exit %d" % rc))

    # 4. the outcome in words; names; plural
    ids = b"%d, %d %d\n%d\n" % (tb.FIRST + 41, tb.OPTED, tb.NOPHONE, tb.NONAME)
    rc, out, err = w.cli("bulk", "--candidates", "-", "--body", "Hi {first_name}",
                         "--request-id", "cli-words-1", stdin=ids)
    check(rc == 0 and out.startswith("Done: 1 sent, 3 skipped, 0 failed, of 4 candidates\n") and
          "candidate %d (Olive Out): opted out of texts" % tb.OPTED in out and
          "candidate %d (Nora None): no US/Canada number" % tb.NOPHONE in out and
          "candidate %d (Nameless): a merge field has no value for them" % tb.NONAME in out and
          "{" not in out.split("\n")[0] and "opted_out" not in out and
          "bulk cli-words-1: 4 candidates\n" in err,
          "words: %r %r %r" % (rc, out, err))
    rc1, out1, err1 = w.cli("bulk", "--candidates", "-", "--body", "Hi {first_name}",
                            "--request-id", "cli-words-2", stdin=b"%d\n" % (tb.FIRST + 42))
    check(rc1 == 0 and "bulk cli-words-2: 1 candidate\n" in err1 and
          out1.startswith("Done: 1 sent, 0 skipped, 0 failed, of 1 candidate\n"),
          "one: %r %r %r" % (rc1, out1, err1))
    # --skip-invalid: the others are texted, the invalid one listed in words
    rc2, out2, err2 = w.cli("bulk", "--candidates", "-", "--body", "Hi {first_name}",
                            "--skip-invalid", "--request-id", "cli-words-3",
                            stdin=b"%d\nabc\n" % (tb.FIRST + 43))
    check(rc2 == 0 and "Done: 1 sent, 0 skipped, 0 failed, of 1 candidate\n" in out2,
          "skip-invalid: %r %r %r" % (rc2, out2, err2))
    check(len(texts(w)) == posts0 + 3, "texts sent: %d" % (len(texts(w)) - posts0))
    # --json: the machine form, as before
    rc3, out3, err3 = w.cli("bulk", "--status", "cli-words-1", "--json")
    st = json.loads(out3) if rc3 == 0 else {}
    check(st.get("sent") == 1 and st.get("skipped") == 3 and
          sorted(c["reason"] for c in st["candidates"] if c.get("reason")) ==
          ["merge_missing", "no_number", "opted_out"], "json: %r %r" % (rc3, out3))
    rc4, out4, err4 = w.cli("bulk", "--status", "cli-words-1")
    check(rc4 == 0 and out4.startswith("Done: 1 sent, 3 skipped, 0 failed, of 4 candidates\n")
          and "candidate %d: opted out of texts" % tb.OPTED in out4, "status: %r" % out4)
    rows.append(("outcome in words", "checked"))

    # 6. the options' words, no code
    for args, want in (
            (["--visibility", "secret"], "--visibility must be private, public or admin_only, "
                                         "not 'secret'"),
            (["--body", "  "], "--body is empty"),
            (["--request-id", "a:b"], "--request-id must be 1 to 45 of A-Z a-z 0-9 _ -"),
            (["--job", "x1"], "--job must be a Greenhouse job id")):
        a = ["--candidates", "-"] + (["--body", "hi"] if "--body" not in args else []) + args
        rc, out, err = w.cli("bulk", *a, stdin=b"%d\n" % tb.FIRST)
        check(rc == 2 and want in err and "bad_request" not in err and '"' not in err,
              "words %r: %r %r" % (args, rc, err))
    rc, out, err = w.cli("bulk", "--cancel", "x", "--status", "x")
    check(rc == 2 and "--status and --cancel go alone: give one of them" in err,
          "both: %r" % err)
    rc, out, err = w.cli("bulk", "--status", "nosuchbulk")
    check(rc == 1 and "not_found" not in err and "nosuchbulk" in err, "unknown: %r" % err)
    check(len(texts(w)) == posts0 + 3, "a usage error sent a text")
    rows.append(("errors in the options' words", "checked"))
    return rows


def s_review2(w):
    """A second review: --skip-invalid dropped the invalid entries from the outcome (and a list
    of only invalid entries made an empty bulk, exit 0); duplicates vanished silently; --cancel
    of a finished bulk said "Cancelled"."""
    rows = []
    posts0 = len(texts(w))
    rc, out, err = w.cli("bulk", "--candidates", "-", "--body", "Hi {first_name}",
                         "--skip-invalid", "--request-id", "r2-skip-1",
                         stdin=b"%d\nabc\n" % (tb.FIRST + 44))
    check(rc == 0 and out.startswith("Done: 1 sent, 0 skipped, 0 failed, of 1 candidate\n") and
          "  left out of the list  entry 'abc' (line 2): not a Greenhouse candidate id" in out,
          "skip-invalid listed: %r %r %r" % (rc, out, err))
    rc, out, err = w.cli("bulk", "--candidates", "-", "--body", "Hi {first_name}",
                         "--skip-invalid", "--request-id", "r2-skip-2", stdin=b"abc\nxyz\n")
    check(rc == 2 and "No entry of the list is a candidate id" in err and
          "nothing was sent" in err, "only invalid: %r %r %r" % (rc, out, err))
    rc, out, err = w.cli("bulk", "--status", "r2-skip-2")
    check(rc == 1 and "no bulk with request id r2-skip-2" in err, "only invalid made a bulk: %r"
          % err)
    rows.append(("--skip-invalid lists each entry", "checked"))
    rc, out, err = w.cli("bulk", "--candidates", "-", "--body", "Hi {first_name}",
                         "--request-id", "r2-dup-1",
                         stdin=b"%d %d %d %d\n" % (tb.OPTED, tb.OPTED, tb.FIRST + 45,
                                                   tb.FIRST + 45))
    check(rc == 0 and "of 2 candidates\n" in out and
          "2 duplicate entries of the list ignored (each candidate is in the bulk once)" in out,
          "duplicates: %r %r %r" % (rc, out, err))
    rows.append(("duplicates said", "checked"))
    rc, out, err = w.cli("bulk", "--cancel", "r2-dup-1")
    check(rc == 0 and out.startswith("Bulk r2-dup-1 had already ended: nothing to cancel.\n")
          and "Cancelled" not in out and "Done: 1 sent" in out, "cancel done: %r %r" % (out, err))
    rows.append(("--cancel of a finished bulk", "checked"))
    check(len(texts(w)) == posts0 + 2, "texts sent: %d" % (len(texts(w)) - posts0))
    return rows


def s_review3(w):
    """A third review: the 1-500 check counted every entry (400 ids and 150 invalid lines with
    --skip-invalid, or 300 ids listed twice, were refused as 550 and 600 "candidate ids"), and
    a file name of 20+ token characters was hidden as if it were a secret."""
    rows = []
    ids = [b"%d" % (tb.FIRST + 100 + i) for i in range(300)]
    # 300 ids each listed twice and one bad line: the refusal is the bad line (nothing is sent
    # either way), never "the list holds 601": 300 candidates are within a bulk's 500
    rc, out, err = w.cli("bulk", "--candidates", "-", "--body", "Hi", "--request-id",
                         "r3-twice", stdin=b"\n".join(ids + ids + [b"abc"]) + b"\n")
    check(rc == 2 and "holds" not in err and
          "1 entry of the list is not a Greenhouse candidate id" in err,
          "300 ids listed twice counted as 600: %r %r" % (rc, err))
    rc, out, err = w.cli("bulk", "--candidates", "-", "--body", "Hi", "--request-id", "r3-big",
                         stdin=b"\n".join(b"%d" % (9000000 + i) for i in range(501)) + b"\n")
    check(rc == 2 and "the list holds 501 different candidate ids; a bulk takes 1 to 500" in err,
          "501 distinct ids: %r %r" % (rc, err))
    name = "/nonexistent/job_4012_candidates.csv"
    rc, out, err = w.cli("bulk", "--candidates", name, "--body", "Hi")
    check(rc == 2 and ("'%s'" % name) in err, "the file name shown: %r" % err)
    rows.append(("1-500 counts distinct ids; a file name is shown", "checked"))
    return rows


def main():
    w = tb.World()
    try:
        rows = s_cli(w)
        rows += s_review2(w)
        rows += s_review3(w)
    finally:
        w.close()
    finish(["scenario", "outcome"], rows)


if __name__ == "__main__":
    main()
    from fakeworld import FAILURES  # noqa: E402
    sys.exit(1 if FAILURES else 0)
