#!/usr/bin/env python3
"""Old and refused secrets leave a long-lived port's memory: the live host's memory, read.

One host process serves a port (as Chrome's connectNative) against the fakes, Harvest v3, in
three scenarios (each in a fresh home, fakes and host):

verb / cli:
1. `configure` through the port with the OLD credentials (the TextUs token and the v3 client
   secret travel in a request frame and its parsed tree), then a prepare_send and a send_sms
   (TextUs with "Authorization: Bearer OLD", the Harvest token endpoint with "Authorization:
   Basic base64(client_id:OLD secret)", the note with a Harvest access token issued to it).
   Control: the memory is read and the old token and access token are found.
2. The credentials change to a NEW token and a NEW client secret (the fake's client rotated:
   both secrets answer) -- "verb": through this port's `configure`; "cli": through `textus-host
   configure` in another process, after which a prepare_send (TextUs only) makes the port
   reload the store -- then requests up to 40 (status and ping, which do not reload anything).
3. The memory is read again and searched for: the old token, the old client secret, the old
   Basic pair in base64, and every Harvest access token the fake issued before the change
   (JWTs whose payload's jti is not newer). Then a send_sms with its note: the new credentials
   work on the same port.

refused: a `configure` whose token and secret verification refuses (in a 60 kB frame whose
block the small requests after it do not reuse), and one whose 20 kB token is refused before
anything is verified (its string in the parsed tree is such a block too); 40 pings later
neither the refused secrets nor the long token are anywhere in the process.

Memory is read through /proc/<pid>/maps and /proc/<pid>/mem: root with CAP_SYS_PTRACE (the host
sets PR_SET_DUMPABLE 0). A hit names the secret and the mapping, never the secret itself.
Exits 0 when nothing is found, 1 on a hit or a failed request, 77 (ctest: SKIPPED) when the
memory cannot be read here: never "passed" then.
"""
import base64
import json
import os
import re
import sys
import time

SRC = os.environ["TH_SOURCE_DIR"]
sys.path.insert(0, os.path.join(SRC, "tests", "lib"))
from fakeworld import FAILURES, FakeWorld, Creds, check, finish  # noqa: E402
from nmhost import Host, frame  # noqa: E402

SKIP = 77

OLD_TOKEN = "tok_memaudit_OLD_7Hq2Wx9Lp4"
NEW_TOKEN = "tok_memaudit_NEW_3Rt8Zk1Vn6"
V1_KEY = "hvk_memaudit_FAKE_0001"
CLIENT_ID = "client_memaudit_0001"
OLD_SECRET = "csecret_memaudit_OLD_5Jd8Ks2Qm"
NEW_SECRET = "csecret_memaudit_NEW_9Bx4Cv7Np"
WRONG_TOKEN = "tok_memaudit_WRONG_2Gf6Hs0Ty"  # TextUs refuses it
WRONG_SECRET = "csecret_memaudit_WRONG_8Pz3Lq"  # Greenhouse refuses it
LONG_TOKEN = "x" * 20000 + "tok_memaudit_LONG_4Ke7Mw1Xc"  # refused as too long, unverified
CAND = "1001"
TO = "+13035550123"
MORE = 40  # requests after the change

TEXTUS_TOKEN = {"user": "/users/1", "accounts": ["acme"], "email": "alice@acme.example"}
SEED = {
    "textus": {
        "tokens": {OLD_TOKEN: TEXTUS_TOKEN, NEW_TOKEN: TEXTUS_TOKEN},
        "users": {"/users/1": {"name": "Alice Recruiter", "email": "alice@acme.example"}},
        "accounts": {"acme": {"name": "Acme", "type": "organization",
                              "phoneNumbers": ["+13035550100"]}},
        "opt_outs": [], "blocked": {}, "contacts": [], "messages": [],
    },
    "harvest": {
        "api_keys": {},
        # a rotated secret: the old one still answers (as Greenhouse allows for a week)
        "oauth_clients": {CLIENT_ID: {"name": "textus-host", "secret": NEW_SECRET,
                                      "old_secrets": [OLD_SECRET]}},
        "users": [{"id": 101, "first_name": "Alice", "last_name": "Recruiter",
                   "primary_email_address": "alice@acme.example", "site_admin": True}],
        "candidates": [{"id": 1001, "first_name": "Jane", "last_name": "Candidate",
                        "phone_numbers": [{"value": "(303) 555-0123", "type": "mobile"}]}],
        "activity_feed": {CAND: {"activities": [], "notes": []}},
    },
}
JWT_RE = re.compile(rb"eyJ[A-Za-z0-9_-]{8,}\.(eyJ[A-Za-z0-9_-]{8,})\.[A-Za-z0-9_-]{16,}")


def readable_maps(pid):
    """[(start, end, name)] of the process's readable mappings."""
    out = []
    with open("/proc/%d/maps" % pid) as fh:
        for line in fh:
            parts = line.split(None, 5)
            if "r" not in parts[1]:
                continue
            a, b = (int(x, 16) for x in parts[0].split("-"))
            name = parts[5].strip() if len(parts) > 5 else "[anon]"
            if name in ("[vvar]", "[vvar_vclock]", "[vsyscall]"):
                continue  # kernel pages that read() refuses
            if b - a > 1 << 30:
                continue  # a reservation, not memory the host wrote (a sanitizer's shadow)
            out.append((a, b, name))
    return out


def read_memory(pid):
    """[(name, bytes)] of every readable mapping; None when /proc/<pid>/mem cannot be read."""
    blobs = []
    try:
        mem = open("/proc/%d/mem" % pid, "rb", 0)
    except OSError as ex:
        print("cannot open /proc/%d/mem: %s" % (pid, ex))
        return None
    with mem:
        for a, b, name in readable_maps(pid):
            try:
                mem.seek(a)
                blobs.append((name, mem.read(b - a)))
            except OSError:
                continue
    if not any(n == "[heap]" or n == "[anon]" for n, _ in blobs):
        print("no heap could be read from /proc/%d/mem" % pid)
        return None
    return blobs


def jwt_jti(payload_b64):
    try:
        raw = base64.urlsafe_b64decode(payload_b64 + b"=" * (-len(payload_b64) % 4))
        return int(json.loads(raw).get("jti"))
    except (ValueError, TypeError, AttributeError):
        return None


def request(h, payload):
    """One request on the port; event frames (none expected) are skipped."""
    h.send(payload)
    while True:
        r = h.read_reply()
        if r is None or "event" not in r:
            return r


def ok(r, what):
    return check(r is not None and r.get("ok"), "%s: %s" % (what, json.dumps(r)[:400]))


def send_req(n):
    rid = "memaudit-%d-%d" % (n, int(time.time() * 1000) % 1000000)
    return {"type": "send_sms", "id": rid, "request_id": rid, "candidate_id": CAND, "to": TO,
            "body": "memory audit text %d" % n, "reply_before_note": False}


def configure_req(token, secret):
    return {"type": "configure", "id": "cfg",
            "textus": {"token": token, "account": "acme"},
            "greenhouse": {"email": "alice@acme.example", "harvest": "v3",
                           "client_id": CLIENT_ID, "client_secret": secret}}


def search(blobs, issued_old):
    """{what: [mapping, ...]} of the old secrets found in blobs."""
    patterns = {
        "the old TextUs token": OLD_TOKEN.encode(),
        "the old client secret": OLD_SECRET.encode(),
        "the old Basic pair (base64)":
            base64.b64encode(("%s:%s" % (CLIENT_ID, OLD_SECRET)).encode()),
    }
    hits = {}
    for name, blob in blobs:
        for what, pat in patterns.items():
            n = blob.count(pat)
            if n:
                hits.setdefault(what, []).append("%s x%d" % (name, n))
        for m in JWT_RE.finditer(blob):
            jti = jwt_jti(m.group(1))
            if jti is not None and jti <= issued_old:
                hits.setdefault("a Harvest access token issued before the change (jti %d)" % jti,
                                []).append(name)
    return hits


def scenario(via):
    """via: "verb" (the new credentials through this port's configure) or "cli" (through
    `textus-host configure` in another process: the port reloads the store it changed).
    None when the memory cannot be read."""
    w = FakeWorld("v3", prefix="th-memaudit-", seed=SEED,
                  creds=Creds(OLD_TOKEN, V1_KEY, CLIENT_ID, OLD_SECRET), max_seconds=300)
    h = None
    tag = "%s:" % via
    try:
        h = Host(env=w.env)
        if not ok(request(h, configure_req(OLD_TOKEN, OLD_SECRET)), tag + " configure (old)"):
            return True
        ok(request(h, {"type": "prepare_send", "id": "p0", "candidate_id": CAND, "to": TO}),
           tag + " prepare_send (old)")
        r = request(h, send_req(0))
        check(r and r.get("ok") and r["result"].get("note", {}).get("state") == "written",
              "%s send_sms with its note, old credentials: %s" % (tag, json.dumps(r)[:400]))
        issued_old = w.fakes.state()["harvest"]["tokens_issued"]
        check(issued_old >= 1, tag + " a Harvest access token was issued to the old secret")
        # the control: while they are in use, the old secrets are found the same way
        blobs = read_memory(h.proc.pid)
        if blobs is None:
            return None
        before = search(blobs, issued_old)
        check(any(k.startswith("the old TextUs token") for k in before) and
              any(k.startswith("a Harvest access token") for k in before),
              "%s control: the old token and access token are found while in use (found: %s)"
              % (tag, ", ".join(sorted(before)) or "nothing"))

        if via == "verb":
            if not ok(request(h, configure_req(NEW_TOKEN, NEW_SECRET)), tag + " configure (new)"):
                return True
        else:
            doc = w.config_doc(client=(CLIENT_ID, NEW_SECRET))
            doc["textus"]["token"] = NEW_TOKEN
            rc, _, err = w.cli("configure", stdin=json.dumps(doc).encode())
            if not check(rc == 0, "%s configure (new) exit %d: %s" % (tag, rc, err[-600:])):
                return True
        first = 1
        if via == "cli":
            # TextUs only: the port reloads the store, and its Harvest connections (which
            # carried the old Basic pair and access token) are not used again
            ok(request(h, {"type": "prepare_send", "id": "p1", "candidate_id": CAND, "to": TO}),
               tag + " prepare_send (new)")
            first = 2
        # requests that do not reload the port's store (status reads it on its own, ping
        # nothing): whatever the port kept from before the change is still where it was
        for i in range(first, MORE + 1):
            req = {"type": "status", "id": "s%d" % i} if i % 2 else {"type": "ping",
                                                                      "id": "g%d" % i}
            ok(request(h, req), "%s request %d after the new credentials" % (tag, i))
        time.sleep(0.5)  # the host is back to waiting for a frame (and its warm-ups are done)
        check(h.proc.poll() is None, tag + " the port is still open")

        blobs = read_memory(h.proc.pid)
        if blobs is None:
            return None
        if via == "cli":
            check(any(NEW_TOKEN.encode() in b for _, b in blobs),
                  tag + " control: the new token (in use) is found in the process's memory")
        for what, where in sorted(search(blobs, issued_old).items()):
            check(False, "%s %s is still in the host's memory after the change and %d requests: "
                         "%s" % (tag, what, MORE, ", ".join(where[:6])))
        print("%s read %d bytes in %d mappings of pid %d" %
              (tag, sum(len(b) for _, b in blobs), len(blobs), h.proc.pid))
        # and the port works with the new credentials
        r = request(h, send_req(MORE + 1))
        check(r and r.get("ok") and r["result"].get("note", {}).get("state") == "written",
              "%s send_sms with its note, new credentials: %s" % (tag, json.dumps(r)[:400]))
    finally:
        if h:
            rc, _, err = h.close()
            check(rc == 0, "%s host exit %d: %s" % (tag, rc, err[-1000:]))
        w.close()
    return True


def refused():
    """A configure through the port that verification refuses: the refused token and secret
    were in the request frame, its parsed tree and the verification's requests; 40 requests
    later none of them is in the process."""
    w = FakeWorld("v3", prefix="th-memaudit-", seed=SEED,
                  creds=Creds(OLD_TOKEN, V1_KEY, CLIENT_ID, OLD_SECRET), max_seconds=300)
    h = None
    tag = "refused:"
    try:
        h = Host(env=w.env)
        ok(request(h, {"type": "ping", "id": "g0"}), tag + " ping")
        # a large frame (blank space before the credentials): its block is not reused by the
        # small requests that follow, so what the frame held stays unless it was wiped
        doc = json.dumps(configure_req(WRONG_TOKEN, WRONG_SECRET))
        h.send_raw(frame(doc[:1] + " " * 60000 + doc[1:]))
        r = h.read_reply()
        check(r is not None and not r.get("ok") and
              r["error"]["code"] == "verification_failed",
              "%s configure with a wrong token is refused: %s" % (tag, json.dumps(r)[:400]))
        # a token the configure refuses before verifying anything: a long string, whose block
        # in the parsed tree is not reused by the small requests that follow either
        r = request(h, configure_req(LONG_TOKEN, WRONG_SECRET))
        check(r is not None and not r.get("ok"), "%s configure with a token of %d characters is "
              "refused: %s" % (tag, len(LONG_TOKEN), json.dumps(r)[:300]))
        for i in range(1, MORE + 1):
            ok(request(h, {"type": "ping", "id": "g%d" % i}),
               "%s ping %d after the refused configure" % (tag, i))
        time.sleep(0.3)
        blobs = read_memory(h.proc.pid)
        if blobs is None:
            return None
        for what, secret in (("the refused token", WRONG_TOKEN),
                             ("the refused client secret", WRONG_SECRET),
                             ("the refused long token", LONG_TOKEN[-40:])):
            where = ["%s x%d" % (n, b.count(secret.encode())) for n, b in blobs
                     if secret.encode() in b]
            check(not where, "%s %s is still in the host's memory %d requests later: %s"
                  % (tag, what, MORE, ", ".join(where[:6])))
        print("%s read %d bytes in %d mappings of pid %d" %
              (tag, sum(len(b) for _, b in blobs), len(blobs), h.proc.pid))
    finally:
        if h:
            rc, _, err = h.close()
            check(rc == 0, "%s host exit %d: %s" % (tag, rc, err[-1000:]))
        w.close()
    return True


def main():
    if os.geteuid() != 0:
        print("SKIPPED: reading another process's memory needs root (the host is not dumpable)")
        return SKIP
    for run in (lambda: scenario("verb"), lambda: scenario("cli"), refused):
        if run() is None:
            if FAILURES:
                return finish()  # what failed before the memory was read still fails
            print("SKIPPED: the host's memory cannot be read here (root with CAP_SYS_PTRACE "
                  "is needed: the host sets PR_SET_DUMPABLE 0)")
            return SKIP
    return finish()


if __name__ == "__main__":
    sys.exit(main())
