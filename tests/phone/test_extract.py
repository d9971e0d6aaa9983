#!/usr/bin/env python3
"""extract_phone through the real binary: every profile of tests/fixtures/profiles
over one native-messaging port, then the `extract` CLI (bare profile, whole
request, errors, usage) and a 1 MiB profile within the inbound cap."""
import glob
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.environ["TH_SOURCE_DIR"], "tests", "lib"))
import nmhost  # noqa: E402

FIXTURES = os.path.join(os.environ["TH_SOURCE_DIR"], "tests", "fixtures", "profiles")
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)


def load_fixtures():
    out = []
    for path in sorted(glob.glob(os.path.join(FIXTURES, "*.json"))):
        with open(path, encoding="utf-8") as f:
            out.append((os.path.basename(path), json.load(f)))
    return out


def test_corpus(env):
    fixtures = load_fixtures()
    check(len(fixtures) >= 80, "at least 80 profiles (%d)" % len(fixtures))
    h = nmhost.Host(env=env)
    for name, fx in fixtures:
        req = {"id": name, "type": "extract_phone", "profile": fx["profile"]}
        reply = h.request(req)
        exp = fx["expect"]
        check(reply is not None and reply["id"] == name, "%s: a reply with its id" % name)
        if reply is None:
            break
        if "result" in exp:
            check(reply["ok"] is True, "%s: ok (got %s)" % (name, reply.get("error")))
            check(reply.get("result") == exp["result"],
                  "%s: result\n  got  %s\n  want %s" % (name, json.dumps(reply.get("result"), ensure_ascii=False),
                                                      json.dumps(exp["result"], ensure_ascii=False)))
        else:
            error = reply.get("error") or {}
            check(reply["ok"] is False and error.get("code") == exp["error"],
                  "%s: error %s (got %s)" % (name, exp["error"], json.dumps(reply, ensure_ascii=False)[:300]))
            check(error.get("retryable") is False, "%s: not retryable" % name)
            if "details" in exp:
                check(error.get("details") == exp["details"],
                      "%s: details\n  got  %s\n  want %s" % (name, json.dumps(error.get("details"), ensure_ascii=False),
                                                           json.dumps(exp["details"], ensure_ascii=False)))
    rc, _, err = h.close()
    check(rc == 0, "host exit 0 after the corpus (got %d: %s)" % (rc, err[-300:]))
    print("corpus: %d profiles through one port" % len(fixtures))


def run_cli(args, stdin_bytes, env):
    p = subprocess.run([nmhost.host_path(), "extract"] + args, input=stdin_bytes,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, timeout=60)
    return p.returncode, p.stdout.decode("utf-8"), p.stderr.decode("utf-8", "replace")


def test_cli(env):
    profile = {"url": "https://app.greenhouse.io/people/77", "name": "Zoë Ortiz",
               "lines": ["Zoë Ortiz", "Mobile: (312) 555-0142", "Fax 312-555-0199"]}
    rc, out, err = run_cli([], json.dumps(profile).encode(), env)
    check(rc == 0, "cli bare profile exit 0 (%d, %s)" % (rc, err))
    res = json.loads(out) if rc == 0 else {}
    check(res.get("phone", {}).get("e164") == "+13125550142" and res.get("candidate_id") == "77",
          "cli bare profile result: %s" % out)
    check("\n" in out.strip(), "cli prints pretty JSON")
    rc, out, err = run_cli([], json.dumps({"type": "extract_phone", "profile": profile}).encode(), env)
    check(rc == 0 and json.loads(out)["alternatives"][0]["label"] == "fax", "cli whole request: %s" % out)
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(profile, f)
    try:
        rc, out, err = run_cli([f.name], b"", env)
        check(rc == 0 and json.loads(out)["phone"]["display"] == "(312) 555-0142", "cli FILE argument")
    finally:
        os.unlink(f.name)
    rc, out, err = run_cli([], json.dumps({"url": "", "name": "A Person",
                                          "lines": ["A Person", "+44 20 7946 0958"]}).encode(), env)
    doc = json.loads(out) if out.strip() else {}
    check(rc == 1 and doc.get("error", {}).get("code") == "unsupported_number"
          and doc["error"]["details"]["alternatives"][0]["supported"] is False,
          "cli unsupported_number: exit 1 and details (%d %s)" % (rc, out))
    check("unsupported_number" in err, "cli error named on stderr")
    rc, out, err = run_cli([], b'{"url": "", "name": "A", "lines": []}', env)
    check(rc == 1 and json.loads(out)["error"]["code"] == "no_phone_found", "cli no_phone_found")
    rc, out, err = run_cli([], b"not json", env)
    check(rc == 2 and out == "", "cli garbage: exit 2, nothing on stdout (%d)" % rc)
    rc, out, err = run_cli([], b'{"type": "ping"}', env)
    check(rc == 2, "cli other request type: exit 2")
    rc, out, err = run_cli(["--bogus"], b"{}", env)
    check(rc == 2 and "see textus-host extract --help" in err, "cli usage error")


def test_megabyte(env):
    """A profile of ~1 MiB of text fits the 1 MiB inbound cap and is answered."""
    filler = "Worked on payments 2019-2024, salary $120,000, ZIP 60614-1234, GPA 3.9, id 4815162342"
    lines = ["Zoë Ortiz (she/her)", "Mobile: (312) 555-0142"]
    size = 0
    while size < 1000000:
        lines.append(filler)
        size += len(filler) + 3
    req = {"type": "extract_phone", "profile": {"url": "https://app.greenhouse.io/people/1", "name": "Zoë Ortiz",
                                                "lines": lines}}
    check(len(json.dumps(req)) <= 1048576, "the 1 MiB request fits the cap")
    reply, rc, err = nmhost.one_shot(req, env=env)
    check(reply["ok"] is True and reply["result"]["phone"]["e164"] == "+13125550142"
          and reply["result"]["alternatives"] == [], "1 MiB profile answered: %s" % json.dumps(reply)[:300])


def main():
    with tempfile.TemporaryDirectory() as home:
        env = dict(os.environ, TEXTUS_HOST_HOME=home)
        test_corpus(env)
        test_cli(env)
        test_megabyte(env)
    if failures:
        print("%d failure(s)" % len(failures))
        sys.exit(1)
    print("extract_phone: all checks passed")


if __name__ == "__main__":
    main()
