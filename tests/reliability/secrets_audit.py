#!/usr/bin/env python3
"""Secrets audit: run the host with canary secrets, then search everything it left.

    secrets_audit.py [--suite] [--ctest-dir BUILD] [--summary FILE]

1. A representative flow with CANARY credentials, for Harvest v1 and v3: configure (with the
   online verification against the fakes, and --no-verify), a refused configure (wrong canary
   token), status (CLI and verb), configure through the verb, extract, import_contact, send
   (verb and CLI), a note that fails (503) then flush (verb and `outbox flush`), outbox list,
   message_status, opt_out, rekey. Every host process runs with TEXTUS_HOST_LOG.
2. --suite: also runs the suite's own drivers (send flow, store CLI, verify, clients, phone
   fallback) and sweeps their output, logs and ctest logs for the secrets those tests use.
3. While it runs, a sampler reads /proc/*/cmdline every 20 ms (every process's argv).
4. The sweep: every captured stdout/stderr and reply, every log, every file under the state
   roots (the store's ciphertext included: a canary found there would mean it is not
   encrypted), the fakes' records and state dump, the cmdline samples, and --ctest-dir's
   Testing/Temporary logs. Forms searched: the secret itself, its URL-encoding, base64 of it
   and of the HTTP Basic pairs (key + ":", client_id:client_secret), and any run of
   "CANARYSECRET".

Prints the hits (where, which secret, never the secret itself), "N passed, N failed"; exits 1
on any hit.
"""
import argparse
import base64
import glob
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

import relib
from relib import Checks, World, code, phone, send_payload

TAG = "CANARYSECRET"
CANARIES = {
    # short ones (under the log redactor's 20-character rule) and long ones
    "token": TAG + "tx7Qz",
    "v1_key": TAG + "-hv1-0a9f3c2e7b1d4f6a8c0e2b4d",
    "client_id": "client_audit_0001",  # an identifier, not a secret: used for the Basic pair
    "client_secret": TAG + "cs_9QwErTy",
    "wrong_token": TAG + "wrongTok7",
    "new_token": TAG + "rotated_tok_5Ab8Cd1Ef4Gh7Ij0",
}
SECRET_KEYS = ("token", "v1_key", "client_secret", "wrong_token", "new_token")


def forms(secrets, basic_pairs):
    """name -> bytes patterns to search for."""
    out = {}
    for name, s in secrets.items():
        b = s.encode()
        out[name] = {b, urllib.parse.quote(s, safe="").encode(), base64.b64encode(b)}
    for name, pair in basic_pairs.items():
        out.setdefault(name, set()).add(base64.b64encode(pair.encode()))
    out["CANARYSECRET"] = {TAG.encode()}
    return out


class CmdlineSampler(threading.Thread):
    def __init__(self, interval=0.02):
        super().__init__(daemon=True)
        self.interval = interval
        self.stop_ev = threading.Event()
        self.samples = {}  # (pid, argv bytes) -> seen
        self.rounds = 0

    def run(self):
        while not self.stop_ev.is_set():
            for p in glob.glob("/proc/[0-9]*/cmdline"):
                try:
                    with open(p, "rb") as f:
                        a = f.read()
                except OSError:
                    continue
                if a:
                    self.samples[(p.split("/")[2], a)] = 1
            self.rounds += 1
            self.stop_ev.wait(self.interval)

    def stop(self):
        self.stop_ev.set()
        self.join(5)


class Sweep:
    def __init__(self, patterns):
        self.patterns = patterns
        self.hits = []
        self.items = 0
        self.bytes = 0

    def data(self, where, blob):
        if isinstance(blob, str):
            blob = blob.encode("utf-8", "replace")
        self.items += 1
        self.bytes += len(blob)
        for name, pats in self.patterns.items():
            for p in pats:
                if p and p in blob:
                    self.hits.append((where, name))
                    break

    def tree(self, root):
        for dp, dn, fn in os.walk(root):
            for f in fn:
                p = os.path.join(dp, f)
                try:
                    with open(p, "rb") as fh:
                        self.data(p, fh.read())
                except OSError:
                    pass


class Audit:
    def __init__(self):
        self.outputs = []  # (where, text)
        self.ck = Checks()

    def keep(self, where, *texts):
        for t in texts:
            if t:
                self.outputs.append((where, t if isinstance(t, (str, bytes)) else json.dumps(t)))

    def one(self, w, label, payload, extra_env=None):
        reply, rc, err = w.one(payload, extra_env)
        self.keep(label, json.dumps(reply), err)
        return reply, rc

    def cli(self, w, label, args, stdin=None, env=None):
        e = dict(w.env)
        e.update(env or {})
        r = subprocess.run([relib.HOST] + args, input=stdin, env=dict(os.environ, **e),
                           capture_output=True, text=True, timeout=120)
        self.keep(label, r.stdout, r.stderr)
        return r


def flow(a, gen, roots):
    ck = a.ck
    secrets = {"token": CANARIES["token"], "v1_key": CANARIES["v1_key"],
               "client_id": CANARIES["client_id"], "client_secret": CANARIES["client_secret"]}
    w = World(gen, tag="audit", secrets=secrets, keep=True)
    roots.append(w)
    # configure again with the online verification (against the fakes)
    r = a.cli(w, "configure verified", ["configure"], stdin=json.dumps(w.config_doc()))
    ck.check(r.returncode == 0, "%s verified configure rc %d: %s" % (gen, r.returncode,
                                                                     r.stderr[-300:]))
    # a refused credential: the error must not echo it
    bad = w.config_doc()
    bad["textus"]["token"] = CANARIES["wrong_token"]
    r = a.cli(w, "configure refused", ["configure"], stdin=json.dumps(bad))
    ck.check(r.returncode != 0, "%s configure with a wrong token refused" % gen)
    r = a.cli(w, "status", ["status"])
    ck.check(r.returncode == 0, "%s status rc %d" % (gen, r.returncode))
    rep, rc = a.one(w, "status verb", {"type": "status"})
    ck.check(code(rep) == "ok", "%s status verb %r" % (gen, rep))
    # configure through the verb (as the options page does): rotate the token and back
    rep, rc = a.one(w, "configure verb", {"type": "configure", "textus": {
        "token": CANARIES["new_token"]}, "save_anyway": True})
    a.keep("configure verb reply", json.dumps(rep))
    r = a.cli(w, "configure back", ["configure", "--no-verify"], stdin=json.dumps(w.config_doc()))
    ck.check(r.returncode == 0, "%s configure back rc %d" % (gen, r.returncode))
    prof = {"url": "https://acme.greenhouse.io/people/%d" % relib.CAND, "name": "Jane Candidate",
            "lines": ["Jane Candidate", "Mobile: (303) 555-0142"]}
    rep, rc = a.one(w, "extract", {"type": "extract_phone", "profile": prof})
    ck.check(code(rep) == "ok", "%s extract %r" % (gen, rep))
    r = a.cli(w, "extract cli", ["extract"], stdin=json.dumps(prof))
    rep, rc = a.one(w, "import", {"type": "import_contact", "candidate_id": str(relib.CAND),
                                  "profile": prof})
    ck.check(code(rep) == "ok", "%s import_contact %r" % (gen, rep))
    rid = "audit-%s-1" % gen
    rep, rc = a.one(w, "send", send_payload(rid, phone(1), "audit rid=%s" % rid))
    ck.check(code(rep) == "ok" and rep["result"]["note"]["state"] == "written",
             "%s send %r" % (gen, rep))
    if code(rep) == "ok":
        mid = rep["result"]["message"]["id"]
        r2, rc = a.one(w, "message_status", {"type": "message_status", "message_id": mid})
        ck.check(code(r2) == "ok", "%s message_status %r" % (gen, r2))
    rep, rc = a.one(w, "replay", send_payload(rid, phone(1), "audit rid=%s" % rid))
    ck.check(code(rep) == "ok" and rep["result"]["replayed"], "%s replay %r" % (gen, rep))
    # a note that fails, then the flushes
    w.fakes.fault({"server": "harvest", "method": "POST",
                   "path_re": r"^/v1/candidates/\d+/activity_feed/notes$|^/v3/notes$",
                   "action": {"status": 503}})
    rid2 = "audit-%s-2" % gen
    rep, rc = a.one(w, "send note 503", send_payload(rid2, phone(2), "audit rid=%s" % rid2))
    ck.check(code(rep) == "ok" and rep["result"]["note"]["state"] == "pending",
             "%s note pending %r" % (gen, rep))
    rep, rc = a.one(w, "flush", {"type": "flush_outbox"})
    ck.check(code(rep) == "ok", "%s flush %r" % (gen, rep))
    r = a.cli(w, "cli send", ["send", "--candidate", str(relib.CAND), "--to", phone(3),
                              "--to-unlisted", "--request-id", "audit-%s-3" % gen],
              stdin="audit cli send")
    ck.check(r.returncode == 0, "%s cli send rc %d %s" % (gen, r.returncode, r.stderr[-300:]))
    r = a.cli(w, "outbox flush", ["outbox", "flush"])
    ck.check(r.returncode == 0, "%s outbox flush rc %d" % (gen, r.returncode))
    r = a.cli(w, "outbox list", ["outbox", "list"])
    ck.check(r.returncode == 0 and rid in r.stdout, "%s outbox list" % gen)
    rep, rc = a.one(w, "opt_out", {"type": "opt_out", "to": phone(4)})
    ck.check(code(rep) == "ok", "%s opt_out %r" % (gen, rep))
    # a TextUs 401 on a send: the error reply must not echo the credential
    w.fakes.fault({"server": "textus", "action": {"status": 401}})
    rep, rc = a.one(w, "send 401", send_payload("audit-%s-4" % gen, phone(5), "audit 401"))
    ck.check(code(rep) not in ("ok",), "%s send with a refused token fails %r" % (gen, rep))
    w.fakes.reset_faults()
    r = a.cli(w, "rekey", ["rekey"])
    r = a.cli(w, "status after", ["status"])
    ck.check(r.returncode == 0, "%s status after rc %d" % (gen, r.returncode))
    w.fakes.stop()  # writes state.json


SUITE = [
    ("send flow", ["tests/send/test_send.py"]),
    ("store cli", ["tests/store/test_store_cli.py"]),
    ("verify", ["tests/verify/test_verify.py"]),
    ("phone fallback", ["tests/integration/test_fallback.py"]),
]
SUITE_BINS = ["test_textus", "test_greenhouse", "test_http", "test_store"]
SUITE_SECRET_RE = re.compile(rb"\b(?:tok|hvk|csecret)_[A-Za-z0-9_]*FAKE_\d{4}\b|canary-SECRET-[0-9a-f]+")


def suite_secrets():
    found = set()
    for p in glob.glob(os.path.join(relib.SRC, "tests", "**", "*.*"), recursive=True):
        if p.endswith((".py", ".c", ".json")) and "/reliability/" not in p:
            with open(p, "rb") as f:
                found.update(SUITE_SECRET_RE.findall(f.read()))
    return sorted(found)


def run_suite(a, tmp):
    """The suite's own drivers with TEXTUS_HOST_LOG on; returns (their outputs, log path)."""
    log = os.path.join(tmp, "suite-host.log")
    env = dict(os.environ, TEXTUS_HOST_LOG=log, TMPDIR=tmp)
    outs = []
    for name, cmd in SUITE:
        path = os.path.join(relib.SRC, cmd[0])
        if not os.path.exists(path):
            continue
        t0 = time.monotonic()
        r = subprocess.run([sys.executable, path], env=env, capture_output=True, timeout=300)
        outs.append((name, r.stdout + r.stderr))
        print("suite: %s exit %d in %.0f s" % (name, r.returncode, time.monotonic() - t0),
              flush=True)
    bdir = os.environ.get("TH_BUILD_DIR", "")
    for b in SUITE_BINS:
        p = os.path.join(bdir, "tests", b)
        if os.path.exists(p):
            r = subprocess.run([p], env=env, capture_output=True, timeout=180)
            outs.append((b, r.stdout + r.stderr))
            print("suite: %s exit %d" % (b, r.returncode), flush=True)
    return outs, log


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--suite", action="store_true")
    ap.add_argument("--ctest-dir", default=None)
    ap.add_argument("--summary", default=None)
    args = ap.parse_args()
    a = Audit()
    t0 = time.monotonic()
    sampler = CmdlineSampler()
    sampler.start()
    worlds = []
    tmp = tempfile.mkdtemp(prefix="th-audit-")
    suite_outs, suite_log = [], None
    # planted leaks (an argv and a state file) prove the sweep can find what it looks for
    plant_dir = os.path.join(tmp, "plant")
    os.mkdir(plant_dir)
    with open(os.path.join(plant_dir, "leak"), "w") as f:
        f.write("x %s y" % CANARIES["token"])
    plant = subprocess.Popen(["sh", "-c", "sleep 0.5", "th-audit-plant", CANARIES["v1_key"]])
    try:
        for gen in ("v1", "v3"):
            flow(a, gen, worlds)
        if args.suite:
            suite_outs, suite_log = run_suite(a, tmp)
    except Exception as ex:  # noqa: BLE001
        import traceback
        traceback.print_exc()
        a.ck.check(False, "the audit flow raised %r" % ex)
    finally:
        plant.wait()
        sampler.stop()
    planted = Sweep(forms({k: CANARIES[k] for k in SECRET_KEYS}, {}))
    planted.tree(plant_dir)
    for (pid, argv) in list(sampler.samples):
        if b"th-audit-plant" in argv:
            planted.data("planted argv", argv)
            del sampler.samples[(pid, argv)]
    a.ck.check({(w.startswith("planted argv"), n) for w, n in planted.hits} >=
               {(False, "token"), (True, "v1_key")},
               "the sweep finds the planted leaks (a state file, an argv): %r" % planted.hits)

    secrets = {k: CANARIES[k] for k in SECRET_KEYS}
    basic = {"v1_key basic": CANARIES["v1_key"] + ":",
             "client basic": CANARIES["client_id"] + ":" + CANARIES["client_secret"]}
    sw = Sweep(forms(secrets, basic))
    for where, t in a.outputs:
        sw.data("output: " + where, t)
    for w in worlds:
        if w.log_path and os.path.exists(w.log_path):
            sw.data("log " + w.log_path, open(w.log_path, "rb").read())
        for h in w.homes:
            sw.tree(h)
        sw.tree(w.fakes_dir)  # requests.jsonl, fakes.log, state.json
    n_state = sw.items
    for (pid, argv) in sampler.samples:
        sw.data("argv of pid %s" % pid, argv)
    n_argv = len(sampler.samples)
    if args.ctest_dir:
        for p in glob.glob(os.path.join(args.ctest_dir, "Testing", "Temporary", "*")):
            sw.data("ctest log " + p, open(p, "rb").read())
    a.ck.check(sampler.rounds > 10, "the argv sampler ran (%d rounds)" % sampler.rounds)
    logs_seen = sum(1 for w in worlds if w.log_path and os.path.exists(w.log_path)
                    and os.path.getsize(w.log_path) > 0)
    a.ck.check(logs_seen == len(worlds), "every flow wrote a host log (%d of %d)"
               % (logs_seen, len(worlds)))
    # the suite's own secrets, in its outputs, its host log and the ctest logs
    s_hits = []
    if args.suite:
        ss = suite_secrets()
        sw2 = Sweep({s.decode(): {s, base64.b64encode(s), base64.b64encode(s + b":")}
                     for s in ss})
        for name, out in suite_outs:
            sw2.data("suite output: " + name, out)
        if suite_log and os.path.exists(suite_log):
            sw2.data("suite host log", open(suite_log, "rb").read())
        for (pid, argv) in sampler.samples:
            sw2.data("argv of pid %s" % pid, argv)
        if args.ctest_dir:
            for p in glob.glob(os.path.join(args.ctest_dir, "Testing", "Temporary", "*")):
                sw2.data("ctest log " + p, open(p, "rb").read())
        s_hits = sw2.hits
        print("suite: %d secrets of the suite searched in %d items" % (len(ss), sw2.items))
        for where, name in s_hits:
            print("HIT (suite secret %s...): %s" % (name[:6], where))
        a.ck.check(not s_hits, "suite secrets found: %d" % len(s_hits))
    for where, name in sw.hits:
        print("HIT (%s): %s" % (name, where))
    a.ck.check(not sw.hits, "canary secrets found: %d places" % len(sw.hits))
    print("audit: %d outputs/files/logs + %d distinct argv samples (%d sampler rounds), "
          "%.1f MB searched; %d canary hits, %d suite-secret hits"
          % (n_state, n_argv, sampler.rounds, sw.bytes / 1e6, len(sw.hits), len(s_hits)))
    for w in worlds:
        w.keep = False
        w.close()
    subprocess.run(["rm", "-rf", tmp])
    row = {"scenario": "secrets audit (canaries%s)" % (" + suite" if args.suite else ""),
           "requests": len(a.outputs), "messages": "-", "notes": "-",
           "duplicates": "-", "extra": "%d items, %d argv samples, hits %d" % (
               sw.items, n_argv, len(sw.hits) + len(s_hits)),
           "seconds": round(time.monotonic() - t0, 1),
           "result": "PASS" if not a.ck.failures else "FAIL (%d)" % len(a.ck.failures)}
    relib.write_summary(args.summary, row)
    print("%d passed, %d failed" % (a.ck.count - len(a.ck.failures), len(a.ck.failures)))
    return 1 if a.ck.failures else 0


if __name__ == "__main__":
    sys.exit(main())
