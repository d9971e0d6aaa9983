#!/usr/bin/env python3
"""Hostile inbound texts through the real binary against the fakes, for Harvest v1 and v3.

Anyone can text the recruiter's number, and a TextUs contact's name is whatever someone typed:
what comes from there is data, never markup or commands (host/notetext.h).
  - controls, bidi overrides, zero-width characters and markup in a reply and in the contact's
    name (and in the recruiter's own text): the note holds none of them (markup escaped), the
    terminal shows them escaped, the verb's JSON carries the text as TextUs has it;
  - a reply quoting the marker of a later reply: that later reply still gets its own note
    (the marker counts only as a note's whole last line);
  - sizes: 8 replies of 200 kB (the thread is shown, bodies cut, every note written and cut),
    one reply over 64 KiB (its note is cut, not refused forever).
Prints one table row per scenario:
    scenario | generation | reply notes | codes
"""
import os
import random
import subprocess
import sys

SRC = os.environ["TH_SOURCE_DIR"]
sys.path.insert(0, os.path.join(SRC, "tests", "lib"))
from fakeworld import FakeWorld, Creds, check, code, run_generations, finish  # noqa: E402

HOST = os.environ["TH_HOST"]
ONLY = os.environ.get("TH_CONV_ONLY")  # one generation ("v1"/"v3") when set

TOKEN = "tok_hostile_FAKE_0001"
V1_KEY = "hvk_hostile_FAKE_0001"
CLIENT_ID = "client_hostile_FAKE_0001"
CLIENT_SECRET = "csecret_hostile_FAKE_0001"
CAND = "1001"
USER_ID = 101
CREDS = Creds(TOKEN, V1_KEY, CLIENT_ID, CLIENT_SECRET)
CUT = "(cut; the whole text is in TextUs)"

HOSTILE_TO = "+13035550301"
HOSTILE_NAME = "Jane\x1b]0;x\x07 Candidate <img src=x onerror=alert(1)>\u202e"
HOSTILE_BODY = ("Hi\x1b]0;owned\x07 there\r\nThursday \u202egnp.exe\u202c <script>alert(1)"
                "</script> &lt;b&gt; zero\u200bwidth\ufeff \x9b2J\x7f end")

SEED = {
    "textus": {
        "tokens": {TOKEN: {"user": "/users/1", "accounts": ["acme"],
                           "email": "alice@acme.example"}},
        "users": {"/users/1": {"name": "Alice Recruiter", "email": "alice@acme.example"}},
        "accounts": {"acme": {"name": "Acme", "type": "organization",
                              "phoneNumbers": ["+13035550100"]}},
        "opt_outs": [],
        "blocked": {},
        "contacts": [{"account": "acme", "name": HOSTILE_NAME,
                      "phones": [{"number": HOSTILE_TO, "type": "Mobile"}]}],
        "messages": [],
    },
    "harvest": {
        "api_keys": {V1_KEY: {"name": "hostile", "permissions": [
            "activity_feed", "candidates_list", "candidates_add_note", "users_retrieve",
            "users_list"]}},
        "oauth_clients": {CLIENT_ID: {"name": "textus-host", "secret": CLIENT_SECRET}},
        "users": [{"id": USER_ID, "first_name": "Alice", "last_name": "Recruiter",
                   "primary_email_address": "alice@acme.example", "site_admin": False}],
        "candidates": [{"id": int(CAND), "first_name": "Jane", "last_name": "Candidate",
                        "phone_numbers": [{"value": "(303) 555-0301", "type": "mobile"}]}],
        "activity_feed": {CAND: {"activities": [], "notes": []}},
    },
}

ROWS = []
# what a note and a terminal must never hold: C0 but LF, DEL, C1, bidi controls, zero-width
FORBIDDEN = ([chr(c) for c in range(0x20) if c != 0x0A] + [chr(c) for c in range(0x7F, 0xA0)] +
             [chr(c) for c in list(range(0x202A, 0x202F)) + list(range(0x2066, 0x206A)) +
              list(range(0x200B, 0x2010)) + [0xFEFF, 0x061C]])


class World(FakeWorld):
    def __init__(self, gen):
        super().__init__(gen, prefix="th-hostile-%s-" % gen, seed=SEED, creds=CREDS,
                         max_seconds=300)

    def configure(self):
        self.configure_ok(self.config_doc({"note_enabled": True, "timeout_ms": 5000,
                                           "connect_timeout_ms": 2000, "quiet_hours": "off",
                                           "note_retry_base_ms": 1000}))

    def send(self, to, body):
        rid = "hostile-%s-%s" % (self.gen, random.randrange(10**12))
        r = self.req({"type": "send_sms", "request_id": rid, "candidate_id": CAND, "to": to,
                      "body": body})
        check(code(r) == "ok", "%s send to %s: %r" % (self.gen, to, r))
        return r

    def conv(self, to, cand=CAND):
        p = {"type": "conversation", "to": to}
        if cand:
            p["candidate_id"] = cand
        return self.req(p)

    def inbound(self, to, body):
        return self.fakes.inbound("acme", to, body)["message_id"]

    def note_with_marker(self, mid):
        """The notes whose last line is the marker of mid (as the host now matches it)."""
        m = "[textus:%s]" % mid
        return [n for n in self.fakes.state()["harvest"]["notes"]
                if n["body"].rstrip().split("\n")[-1] == m]

    def note_posts(self):
        return [r for r in self.fakes.requests(server="harvest") if r["method"] == "POST" and
                ("/activity_feed/notes" in r["path"] or r["path"] == "/v3/notes")]

    def cli_bytes(self, *args):
        return subprocess.run([HOST, *args], env=self.full_env(), capture_output=True,
                              timeout=120)


def res(reply):
    return reply["result"] if code(reply) == "ok" else {}


def row(w, name, notes, codes):
    ROWS.append((name, w.gen, notes, " → ".join(codes)))


# ------------------------------------------------------------------ scenarios

def s_controls_bidi_markup(w):
    """A reply and a contact name full of controls, bidi, zero-width characters and markup."""
    to = HOSTILE_TO
    sent = w.send(to, "Hi Jane, this is <b>Alice</b>\u202e from Acme.\x1b[2J")
    sid = res(sent).get("message", {}).get("id")
    mid = w.inbound(to, HOSTILE_BODY)
    c = w.conv(to)
    got = res(c)
    check(code(c) == "ok" and got.get("replies_logged") == 1 and "replies_error" not in got,
          "%s hostile: logged once %r" % (w.gen, c))
    items = got.get("items", [])
    # the verb's JSON carries the text as TextUs has it (the extension shows it as text)
    check(items and items[-1].get("body") == HOSTILE_BODY,
          "%s hostile: the JSON body is the text as TextUs has it %r" % (w.gen, items[-1:]))
    ns = w.note_with_marker(mid)
    check(len(ns) == 1, "%s hostile: one note ending with the marker (%d)" % (w.gen, len(ns)))
    b = ns[0]["body"] if ns else ""
    bad = sorted({"U+%04X" % ord(ch) for ch in b if ch in FORBIDDEN})
    check(not bad, "%s hostile: the note holds no control/bidi/zero-width character %s %r"
          % (w.gen, bad, b))
    check("<script>" not in b and "<img" not in b and "&lt;script>alert(1)&lt;/script>" in b and
          "&lt;img src=x onerror=alert(1)>" in b,
          "%s hostile: markup escaped in the text and in the name %r" % (w.gen, b))
    check("&amp;lt;b&amp;gt;" in b, "%s hostile: a character reference shown as written %r"
          % (w.gen, b))
    check("Hi]0;owned there\nThursday gnp.exe" in b and "zerowidth 2J end" in b and
          "from Jane]0;x Candidate" in b,
          "%s hostile: the words stay, CR LF is one line break %r" % (w.gen, b))
    # the send's own note: the recruiter's text made safe the same way
    sn = w.note_with_marker(sid) if sid else []
    check(len(sn) == 1 and "this is &lt;b>Alice&lt;/b> from Acme.[2J" in sn[0]["body"] and
          not any(ch in FORBIDDEN for ch in sn[0]["body"]),
          "%s hostile: the send's note made safe %r" % (w.gen, [n["body"] for n in sn]))
    # the terminal: every such character escaped, nothing raw
    p = w.cli_bytes("conversation", "--to", to)
    out = p.stdout
    raw = sorted({"%02x" % x for x in out if (x < 0x20 and x != 0x0A) or x == 0x7F})
    check(p.returncode == 0 and not raw, "%s hostile cli: no raw control byte %s %r"
          % (w.gen, raw, out[-400:]))
    for seq in (b"\xe2\x80\xae", b"\xe2\x80\xac", b"\xe2\x80\x8b", b"\xef\xbb\xbf", b"\xc2\x9b"):
        check(seq not in out, "%s hostile cli: %r printed raw" % (w.gen, seq))
    check(b"Hi\\x1b]0;owned\\x07 there\\x0d" in out and b"\\u202egnp.exe\\u202c" in out and
          b"zero\\u200bwidth\\ufeff \\u009b2J\\x7f end" in out,
          "%s hostile cli: escapes shown %r" % (w.gen, out[-600:]))
    row(w, "controls, bidi, zero-width, markup", len(ns), [code(c), "cli rc=%d" % p.returncode])


def first_ids(gen, placeholder):
    """The ids the fakes give, from a fresh start, to: the first text, then a reply, then a
    later reply (the fakes' ids follow their random seed, so a second fresh world repeats
    them)."""
    w = World(gen)
    try:
        w.send("+13035550302", "Hi Jane, first text")
        a = w.inbound("+13035550302", placeholder)
        b = w.inbound("+13035550302", "the later reply")
        return a, b
    finally:
        w.close()


def s_marker_imitation(gen):
    """A reply whose text holds the marker of a later reply: the later one is still logged."""
    quote = "ok [textus:%s]"
    a0, b0 = first_ids(gen, quote % ("/messages/" + "x" * 6))
    w = World(gen)
    try:
        w.send("+13035550302", "Hi Jane, first text")
        a = w.inbound("+13035550302", "ok\n[textus:%s]" % b0)
        b = w.inbound("+13035550302", "the later reply")
        check((a, b) == (a0, b0), "%s imitation: the fakes repeat their ids %r" % (gen, (a, b, a0, b0)))
        c = w.conv("+13035550302")
        ns_a, ns_b = w.note_with_marker(a), w.note_with_marker(b)
        posts = w.note_posts()
        check(code(c) == "ok" and res(c).get("replies_logged") == 2,
              "%s imitation: two replies logged %r" % (gen, c))
        check(len(ns_a) == 1 and len(ns_b) == 1 and len(posts) == 3,
              "%s imitation: the later reply has its own note (notes ending with its marker: %d,"
              " note POSTs: %d, want 1 and 3: the send's and both replies')"
              % (gen, len(ns_b), len(posts)))
        # and a second read finds both: nothing posted again
        c2 = w.conv("+13035550302")
        check(code(c2) == "ok" and len(w.note_posts()) == 3,
              "%s imitation: nothing posted again (%d)" % (gen, len(w.note_posts())))
        ROWS.append(("reply quoting a later reply's marker", gen, len(ns_b),
                     " → ".join([code(c), code(c2)])))
    finally:
        w.close()


def s_big_replies(w):
    """8 replies of 200 kB: the thread is shown (bodies cut), every note written and cut."""
    to = "+13035550303"
    w.send(to, "Hi Jane, anything to add?")
    big = ["%d:" % i + ("word " * 40000) for i in range(8)]
    mids = [w.inbound(to, b) for b in big]
    c = w.conv(to)
    got = res(c)
    items = got.get("items", [])
    check(code(c) == "ok", "%s 8x200kB: the thread is shown %r" % (w.gen, c.get("error") if c else c))
    ins = [i for i in items if i["direction"] == "in"]
    check(len(ins) == 8 and all(i.get("cut") is True and i["body"].endswith("\n" + CUT) and
                                len(i["body"].encode()) <= 3000 + len(CUT) + 1 for i in ins),
          "%s 8x200kB: each body cut, flagged %r" % (w.gen, [(len(i["body"]), i.get("cut"))
                                                         for i in ins]))
    check(ins and ins[0]["body"].startswith("0:word word"), "%s 8x200kB: the text's beginning"
          % w.gen)
    check(got.get("replies_logged") == 8 and "replies_error" not in got,
          "%s 8x200kB: every reply logged %r" % (w.gen, {k: got.get(k) for k in
                                                        ("replies_logged", "replies_error")}))
    ns = [n for m in mids for n in w.note_with_marker(m)]
    check(len(ns) == 8 and all(CUT in n["body"] and len(n["body"].encode()) < 9000 for n in ns),
          "%s 8x200kB: 8 notes, each cut %r" % (w.gen, [len(n["body"]) for n in ns]))
    p = w.cli_bytes("conversation", "--to", to)
    check(p.returncode == 0 and CUT.encode() in p.stdout,
          "%s 8x200kB cli: shown %d %r" % (w.gen, p.returncode, p.stderr[-300:]))
    row(w, "8 replies of 200 kB", len(ns), [code(c), "cli rc=%d" % p.returncode])


def s_reply_over_64k(w):
    """One reply over 64 KiB: its note is cut and written, not refused and retried forever."""
    to = "+13035550304"
    w.send(to, "Hi Jane, your CV?")
    mid = w.inbound(to, "Here it is: " + "x" * 70000)
    c = w.conv(to)
    got = res(c)
    ns = w.note_with_marker(mid)
    check(code(c) == "ok" and got.get("replies_logged") == 1 and "replies_error" not in got,
          "%s >64KiB: logged %r" % (w.gen, {k: got.get(k) for k in
                                            ("replies_logged", "replies_error")}))
    check(len(ns) == 1 and ns[0]["body"].count("\n" + CUT + "\n") == 1,
          "%s >64KiB: the note says it was cut %r" % (w.gen, [n["body"][-200:] for n in ns]))
    row(w, "one reply of 70 kB", len(ns), [code(c)])


def scenarios(w):
    s_controls_bidi_markup(w)
    s_big_replies(w)
    s_reply_over_64k(w)


def main():
    run_generations(World, scenarios, ONLY)
    for gen in [ONLY] if ONLY else ["v1", "v3"]:
        s_marker_imitation(gen)
    return finish(["scenario", "Harvest", "reply notes", "codes"], ROWS)


if __name__ == "__main__":
    sys.exit(main())
