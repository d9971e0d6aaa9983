#!/usr/bin/env bash
# demo.sh — the main job end to end, against local fakes of TextUs and Greenhouse:
#   1. bootstrap (apt-get, only what is missing) and build (cmake into build/);
#   2. unless DEMO_CLI=1, make sure the browser path can run, installing what it needs as
#      tests/e2e/test.sh does (scripts/browser-tools.sh): chromium and nodejs + npm (apt-get,
#      only when missing) and playwright-core (npm ci; it downloads no browser);
#   3. start the fakes (tests/fakes/) on 127.0.0.1 and configure a throwaway TEXTUS_HOST_HOME;
#   4. run the flow in headless Chromium (extension stub + host installed by scripts/install.sh
#      into a temp profile) — or, with DEMO_CLI=1 or when the browser path could not be
#      prepared, the same verbs (extract_phone, send_sms, message_status) through the host's
#      pipes, as Chrome would send them;
#   5. then a bulk to a job's 4 candidates (two texted, one opted out, one without a number in
#      Greenhouse): on the browser path from the fixture candidates list's "Text selected"
#      (demo.js; the dialog's progress lines, quoted as the page's words), on the pipes path
#      bulk_send through the host's pipes as the dialog sends it (its `bulk` events as progress
#      lines; not the `textus-host bulk` command); then bulk_status;
#   6. print a short report that starts with which path ran and why: profile → number chosen →
#      SMS at the fake TextUs → note at the fake Greenhouse → delivery state, then the bulk
#      (progress, summary, each candidate's state, the texts at the fake TextUs); then clean up
#      (fakes stopped, temp state removed).
# Greenhouse is configured with Harvest v3 client credentials (Greenhouse announced the removal
# of Harvest v1 for 2026-08-31).
# Nothing is written outside one temp folder except build/ (and tests/e2e/node_modules): the
# browser and node run with HOME and XDG_CONFIG_HOME / XDG_CACHE_HOME / XDG_DATA_HOME inside it,
# and npm with a cache of its own (scripts/browser-tools.sh), so your home stays as it was.
# Exit 0 when the flow and the bulk worked end to end (on either path), 1 otherwise.
#   DEMO_CLI=1 scripts/demo.sh        the pipes path (no browser: the host's verbs over its
#                                     pipes); nothing is installed for the browser
#   DEMO_HOST=<textus-host>           use that built host: no bootstrap, no build
#   TH_CHROMIUM=<path>                the Chromium binary (default /usr/bin/chromium)
#   DEMO_SCREENSHOT=<file.png>        the browser path also saves a picture of the profile page
#                                     (and <file>-bulk.png, the bulk dialog when done)
#   DEMO_BUILD_DIR=<dir>              build there instead of build/
# Each step says what it does on stderr as it goes ("demo: ..."): bootstrap's own lines, cmake's
# configure milestones and the build's progress every 10% (what it is compiling), and how long
# the step took; a step that fails shows the last lines of its output.
set -euo pipefail
cd "$(dirname "$0")/.."
src=$(pwd)

say() { echo "demo: $*" >&2; }

# Run one step (name, command...) with its progress on stderr: bootstrap's "bootstrap: ..."
# lines, cmake's "-- Configuring done" / "-- Generating done", and the build's "[ NN%]" lines
# each time it is 10% further (with the file it is at). Everything is kept in a log; a step
# that fails shows its last 20 lines and the demo stops.
run_step() {
    local name=$1 started=$SECONDS log rc
    shift
    log=$(mktemp "${TMPDIR:-/tmp}/textus-demo-step.XXXXXX")
    say "$name..."
    set +e
    "$@" 2>&1 | {
        last=-10
        while IFS= read -r line; do
            printf '%s\n' "$line" >>"$log"
            if [[ $line =~ ^\[\ *([0-9]+)%\]\ (.*)$ ]]; then
                pct=${BASH_REMATCH[1]} what=${BASH_REMATCH[2]}
                [[ $what =~ ^Building\ [A-Z]+\ object\ .*/([^/]+)\.o$ ]] && what="compiling ${BASH_REMATCH[1]}"
                if [ "$pct" -ge $((last + 10)) ] || { [ "$pct" -eq 100 ] && [ "$last" -ne 100 ]; }; then
                    last=$pct
                    say "  $name: $pct% ($what)"
                fi
            elif [[ $line =~ ^bootstrap:\  || $line =~ ^--\ (Configuring|Generating)\ done ]]; then
                say "  ${line#-- }"
            fi
        done
    }
    rc=${PIPESTATUS[0]}
    set -e
    if [ "$rc" -ne 0 ]; then
        say "$name failed (exit $rc); its last lines:"
        tail -n 20 "$log" | sed 's/^/demo:   /' >&2
        rm -f "$log"
        exit 1
    fi
    rm -f "$log"
    say "$name: done in $((SECONDS - started)) s"
}

if [ -n "${DEMO_HOST:-}" ]; then
    host=$DEMO_HOST
    say "using the host built at $host (DEMO_HOST)"
else
    build=${DEMO_BUILD_DIR:-build}
    case $build in /*) ;; *) build="$src/$build" ;; esac
    host="$build/host/textus-host"
    say "step 1 of 3: bootstrap (installs only the build tools that are missing)"
    run_step bootstrap scripts/bootstrap.sh
    say "step 2 of 3: configure the build (cmake, into $build)"
    run_step configure cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo
    say "step 3 of 3: build the host (cmake --build, 2 jobs; the first build takes a minute or two)"
    run_step build cmake --build "$build" -j2
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/textus-demo.XXXXXX")
fakes_pid=""
cleanup() {
    if [ -n "$fakes_pid" ]; then kill "$fakes_pid" 2>/dev/null || true; wait "$fakes_pid" 2>/dev/null || true; fi
    rm -rf "$tmp"
}
trap cleanup EXIT
# the home the browser (and node) see: Chromium writes crash reports, a dconf cache and an NSS
# database into the user's home even with its own profile folder
mkdir -p "$tmp/home"
in_tmp_home() {
    HOME="$tmp/home" XDG_CONFIG_HOME="$tmp/home/.config" XDG_CACHE_HOME="$tmp/home/.cache" \
        XDG_DATA_HOME="$tmp/home/.local/share" XDG_STATE_HOME="$tmp/home/.local/state" "$@"
}

chromium=${TH_CHROMIUM:-/usr/bin/chromium}
# What the browser path needs, installed when missing (as for tests/e2e/test.sh); `why` is
# what is installed, or why the browser path cannot run.
mode=cli
if [ -n "${DEMO_CLI:-}" ]; then
    why="DEMO_CLI=1 was set"
elif why=$(BROWSER_TOOLS_WHO=demo scripts/browser-tools.sh); then
    mode=browser
else
    say "the browser path cannot run: $why; running the flow through the host's pipes instead"
fi

# the fakes' world: tests/e2e/seed.json (Jane Candidate, 1001, for the single text) and four
# candidates of a job for the bulk after it: two to text, one who opted out of texts in
# TextUs, one without a phone number in Greenhouse
python3 - tests/e2e/seed.json "$tmp/seed.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
jane = next(c for c in s["harvest"]["candidates"] if c["id"] == 1001)
for cid, first, last, phone in [(4101, "Ann", "Able", "(212) 555-0101"), (4102, "Ben", "Best", "(212) 555-0102"),
                                (4103, "Cal", "Cole", "(212) 555-0177"), (4104, "Dee", "Dunn", None)]:
    c = dict(jane, id=cid, first_name=first, last_name=last,
             phone_numbers=[{"value": phone, "type": "mobile"}] if phone else [])
    s["harvest"]["candidates"].append(c)
    s["harvest"]["activity_feed"][str(cid)] = {"activities": []}
s["textus"]["opt_outs"].append("+12125550177")
json.dump(s, open(sys.argv[2], "w"))
PY
say "starting the fakes of TextUs and Greenhouse"
python3 tests/fakes/fakes.py --seed "$tmp/seed.json" --state-dir "$tmp/fakes" --max-seconds 600 \
    2>"$tmp/fakes.err" &
fakes_pid=$!
python3 tests/fakes/fakectl.py "$tmp/fakes" wait 20 >/dev/null
textus_url=$(python3 tests/fakes/fakectl.py "$tmp/fakes" url textus)
harvest_url=$(python3 tests/fakes/fakectl.py "$tmp/fakes" url harvest)
auth_url=$(python3 tests/fakes/fakectl.py "$tmp/fakes" url auth)

export TEXTUS_HOST_HOME="$tmp/state"
say "configuring a throwaway TEXTUS_HOST_HOME ($TEXTUS_HOST_HOME)"
# the demo runs at any hour: quiet hours off (a real setup refuses texts outside 08:00-21:00
# in the candidate's time zone, settings.quiet_hours)
say "quiet hours are off for the demo, so that it sends at any hour (default: 08:00-21:00 the candidate's time)"
config=$(cat <<EOF
{"textus": {"token": "tok_e2e_recruiter_FAKE_0001", "account": "acme", "base_url": "$textus_url"},
 "greenhouse": {"email": "alice@acme.example", "client_id": "client_e2e_FAKE_0001",
                "client_secret": "csecret_e2e_FAKE_0001", "base_url": "$harvest_url", "auth_url": "$auth_url"},
 "settings": {"quiet_hours": "off"}}
EOF
)
if ! "$host" configure <<<"$config" >"$tmp/configure.out" 2>&1; then
    say "online verification did not pass; storing without it:"
    sed 's/^/    /' "$tmp/configure.out" >&2
    "$host" configure --no-verify <<<"$config" >"$tmp/configure.out" 2>&1 \
        || { cat "$tmp/configure.out" >&2; exit 1; }
fi

if [ $mode = browser ]; then
    say "running the flow in headless Chromium"
    TH_HOST="$host" TH_SOURCE_DIR="$src" TH_CHROMIUM="$chromium" in_tmp_home node tests/e2e/demo.js \
        "$tmp/fakes" "$TEXTUS_HOST_HOME" >"$tmp/flow.json"
else
    say "running the flow through the host's pipes ($why)"
    python3 - "$host" "$tmp" >"$tmp/flow.json" <<'PY'
import json, os, struct, subprocess, sys, time
host, tmp = sys.argv[1], sys.argv[2]
STUB = "chrome-extension://hfboccpnppdfmcdbjjgmobnhljkkmjji/"
def verb(req):
    b = json.dumps(req).encode()
    p = subprocess.run([host, STUB], input=struct.pack("=I", len(b)) + b, capture_output=True, timeout=60)
    n = struct.unpack("=I", p.stdout[:4])[0]
    return json.loads(p.stdout[4:4 + n])
# the lines the extension reads from the fixture profile (tests/e2e/fixture/profile.html)
lines = ["Referred by Sam Admin · 312-555-0100 · Source: Referral", "Jane Candidate (she/her)",
         "Senior Software Engineer at Initech · Denver, CO 80202", "(303) 555-0123 Mobile",
         "jane@example.com Personal", "303.555.0124 ext 9 Work",
         "Candidate ID 1001 · Applied 03/14/2026 · Application 55501234"]
profile = {"url": "https://app.greenhouse.io/people/1001", "name": "Jane Candidate", "lines": lines}
out = {"browser": None, "url": profile["url"], "name": profile["name"], "lines": len(lines)}
r = verb({"type": "extract_phone", "profile": profile})
if not r.get("ok"):
    out["state"] = "error:" + r["error"]["code"]; out["notice"] = r["error"]["message"]
    print(json.dumps(out)); sys.exit(0)
out["state"] = "ready"
ph = r["result"]["phone"]
out.update(e164=ph["e164"], label=ph.get("label"), beside=ph.get("display"))
body = "Hi Jane, this is Alice at Acme Staffing. Thanks for applying! Do you have 15 minutes for a call this week?"
r = verb({"type": "send_sms", "request_id": "demo-%d" % os.getpid(), "candidate_id": r["result"].get("candidate_id") or "1001",
          "to": ph["e164"], "body": body})
if not r.get("ok"):
    out["send_state"] = "refused:" + r["error"]["code"]; out["sent"] = r["error"]["message"]
    print(json.dumps(out)); sys.exit(0)
out["send_state"] = "sent"; out["sent"] = "Sent"
mid = r["result"]["message"]["id"]; out["message_id"] = mid
fk = os.path.join(tmp, "fakes")
subprocess.run([sys.executable, "tests/fakes/fakectl.py", fk, "advance", mid, "delivered"], check=True, capture_output=True)
for _ in range(20):
    s = verb({"type": "message_status", "message_id": mid})
    if s.get("ok") and s["result"].get("final"):
        out["delivery"] = "Delivered" if s["result"].get("delivered") else "Not Delivered"
        break
    time.sleep(0.5)
print(json.dumps(out))
PY
fi

# then the bulk: a job's four candidates in one text. The browser path has sent it from the
# fixture candidates list already (demo.js: Text selected, Review, Text 2 candidates: the
# dialog's progress lines); the pipes path sends it here as the extension's "Text selected" does
# (bulk_send on one port, its `bulk` events as they come). Then, on either path, bulk_status,
# as a recruiter asks what became of each one.
python3 tests/fakes/fakectl.py "$tmp/fakes" requests >"$tmp/requests-single.json"
if [ $mode = browser ]; then
    say "the bulk ran in the browser (the candidates list's Text selected); asking bulk_status"
else
    say "texting a job's 4 candidates at once (bulk_send through the host's pipes, as the bulk dialog sends it)"
fi
python3 - "$host" "$tmp" "$mode" >"$tmp/bulk.json" <<'PY' || true
import json, os, struct, subprocess, sys
host, tmp, mode = sys.argv[1], sys.argv[2], sys.argv[3]
STUB = "chrome-extension://hfboccpnppdfmcdbjjgmobnhljkkmjji/"
def frame(req):
    b = json.dumps(req).encode()
    return struct.pack("=I", len(b)) + b
def read(f):
    h = f.read(4)
    if len(h) < 4:
        return None
    return json.loads(f.read(struct.unpack("=I", h)[0]))
def one_shot(req):
    p = subprocess.run([host, STUB], input=frame(req), capture_output=True, timeout=60)
    return read(__import__("io").BytesIO(p.stdout))
def say(line):
    print("demo:   bulk: " + line, file=sys.stderr, flush=True)
rid = "demo-bulk-%d" % os.getpid()
names = {"4101": "Ann Able", "4102": "Ben Best", "4103": "Cal Cole", "4104": "Dee Dunn"}
body = "Hi {first_name}, thanks for applying to Acme Staffing! Are you free for a quick call this week?"
out = {"request_id": rid, "candidates": len(names), "body": body, "progress": [], "outcomes": [], "path": mode}
WORDS = {"no_number": "no US or Canada phone number in Greenhouse", "opted_out": "opted out of texts",
         "blocked": "blocked in TextUs", "quiet_hours": "in their quiet hours", "not_found": "not found in Greenhouse",
         "merge_missing": "a field of the text is missing for them"}
def status():
    s = one_shot({"type": "bulk_status", "request_id": out["request_id"]})
    if s and s.get("ok"):
        st = s["result"]
        out["status"] = {k: st.get(k) for k in ("done", "total", "sent", "scheduled", "skipped", "failed", "cancelled", "finished")}
        for c in st.get("candidates", []):
            who = names.get(str(c.get("candidate_id")), "Candidate %s" % c.get("candidate_id"))
            why = WORDS.get(c.get("reason"), c.get("reason")) if c.get("reason") else ""
            note = {"written": "note in Greenhouse"}.get(c.get("note"), "note %s" % c["note"]) if c.get("note") else ""
            out["outcomes"].append({"candidate_id": c.get("candidate_id"), "name": who, "state": c.get("state"),
                                    "why": why, "note": note})
    else:
        out["status_error"] = (s or {}).get("error")
    print(json.dumps(out))
    sys.exit(0)
if mode == "browser":
    b = json.load(open(tmp + "/flow.json")).get("bulk") or {}
    out.update(body=b.get("body", body), request_id=b.get("request_id"), progress=b.get("progress") or [],
               confirm=b.get("confirm"), previews=b.get("previews"), will_skip=b.get("will_skip"),
               button=b.get("button"), not_texted=b.get("not_texted"))
    for line in out["progress"]:
        say("the page said: \"%s\"" % line)
    if not out["request_id"]:
        out["error"] = {"code": "not_sent", "message": b.get("error") or "the bulk dialog did not send (it was at %s%s)"
                        % (b.get("state"), ", waited 120 s" if b.get("timed_out") else "")}
        print(json.dumps(out)); sys.exit(0)
    status()
p = subprocess.Popen([host, STUB], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
p.stdin.write(frame({"type": "bulk_send", "id": "demo-1", "request_id": rid, "candidate_ids": list(names),
                     "body": body, "quiet_hours": "schedule", "job_id": "7001"}))
p.stdin.flush()
r = read(p.stdout)
if not r or not r.get("ok"):
    out["error"] = (r or {}).get("error") or {"code": "no_reply", "message": "the host did not answer"}
    p.stdin.close(); p.wait(timeout=60)
    print(json.dumps(out)); sys.exit(0)
out["accepted"] = r["result"].get("accepted")
def counts(ev):
    parts = ["%d sent" % ev["sent"]]
    if ev.get("scheduled"):
        parts.append("%d scheduled" % ev["scheduled"])
    parts += ["%d skipped" % ev["skipped"], "%d failed" % ev["failed"]]
    if ev.get("cancelled"):
        parts.append("%d cancelled" % ev["cancelled"])
    return ", ".join(parts)
last = None
while r["result"].get("driving"):
    ev = read(p.stdout)
    if ev is None:
        break
    if ev.get("event") != "bulk" or ev.get("request_id") != rid:
        continue
    last = ev
    c = (ev.get("last") or {})
    who = names.get(str(c.get("candidate_id")), "Candidate %s" % c.get("candidate_id"))
    what = {"sent": "texted", "scheduled": "scheduled"}.get(c.get("state"), "%s: %s" % (
        c.get("state"), WORDS.get(c.get("reason"), c.get("reason") or "")))
    line = "%d of %d done: %s (%s %s)." % (ev["done"], ev["total"], counts(ev), who, what) if c else \
        "%d of %d done: %s." % (ev["done"], ev["total"], counts(ev))
    if ev.get("finished"):
        line = "Done: %s, of %d candidates." % (counts(ev), ev["total"])
    out["progress"].append(line)
    say(line)
    if ev.get("finished"):
        break
p.stdin.close()
p.wait(timeout=60)
status()
PY

python3 tests/fakes/fakectl.py "$tmp/fakes" requests >"$tmp/requests.json"
python3 tests/fakes/fakectl.py "$tmp/fakes" state >"$tmp/state.json"

rc=0
python3 - "$tmp" "$mode" "$why" <<'PY' || rc=$?
import json, sys
tmp, mode, why = sys.argv[1], sys.argv[2], sys.argv[3]
flow = json.load(open(tmp + "/flow.json"))
bulk = json.load(open(tmp + "/bulk.json"))
single_reqs = json.load(open(tmp + "/requests-single.json"))
reqs = json.load(open(tmp + "/requests.json"))
state = json.load(open(tmp + "/state.json"))
is_sms = lambda r: r["server"] == "textus" and r["method"] == "POST" and r["path"].endswith("/messages")
is_note = lambda r: r["server"] == "harvest" and r["method"] == "POST" and "notes" in r["path"]
# the single text's requests, then the bulk's (the requests made after the single text: the
# browser path counted them before its bulk, the pipes path before it ran the bulk)
cut = flow.get("requests_before_bulk", len(single_reqs))
sms = [r for r in reqs[:cut] if is_sms(r)]
notes = [r for r in reqs[:cut] if is_note(r)]
bulk_sms = [r for r in reqs[cut:] if is_sms(r)]
bulk_notes = [r for r in reqs[cut:] if is_note(r)]
gh_gen = "Harvest v3" if any(r["path"].startswith("/v3/") for r in reqs if r["server"] == "harvest") else "Harvest v1"
def plural(n, one, many):
    """"1 message", "2 messages": counts in plain words."""
    return "%d %s" % (n, one if n == 1 else many)
def short(s, n=90):
    """s on one line, at most n characters: cut after a whole word, marked with "…"."""
    s = " ".join(str(s).split())
    if len(s) <= n:
        return s
    cut = s[:n - 1]
    if s[n - 1] != " " and " " in cut:
        cut = cut[:cut.rfind(" ")]
    return cut.rstrip(" ,;:") + "…"
print()
print("textus-host demo — the main job, end to end, against local fakes")
if mode == "browser":
    print("  path          the browser path: %s, because %s" % (flow.get("browser") or "headless Chromium", why))
    print("  run through   the extension stub in the browser + the host installed by scripts/install.sh")
else:
    print("  path          the pipes path (no browser: the host's verbs over its pipes), because %s" % why)
    print("  run through   the host over pipes, as Chrome would run it: extract_phone, send_sms, message_status")
print("  profile       %s — %s (%s)" % (flow.get("name"), flow.get("url"),
      "the extension read the %s lines of its header" % flow.get("lines") if mode == "browser" else
      "the %s lines of its header, given to extract_phone as the extension reads them" % flow.get("lines")))
if flow.get("state") != "ready":
    print("  number        none: %s (%s)" % (flow.get("state"), short(flow.get("notice"), 140)))
    sys.exit(1)
print("  number        %s → %s (%s), the number beneath the name; skipped the referrer's 312-555-0100 above it"
      % (flow.get("beside"), flow.get("e164"), flow.get("label") or "no label"))
if flow.get("counter"):
    import re
    m = re.match(r"^(\d+) characters · (\d+) texts? \(limit (\d+)\)", flow["counter"])
    plain = ("%s, %s (a text may take at most %s); " % (
        plural(int(m.group(1)), "character", "characters"), plural(int(m.group(2)), "SMS part", "SMS parts"),
        m.group(3)) if m else "")
    print("  compose       %sthe box's counter said \"%s\"" % (plain, flow["counter"]))
if flow.get("send_state") != "sent":
    print("  SMS           not sent: %s — %s" % (flow.get("send_state"), short(flow.get("sent"), 140)))
    sys.exit(1)
for r in sms:
    print("  SMS           %s %s → %s: to %s, \"%s\"" % (r["method"], r["path"], r["status"], r["body"].get("to"), short(r["body"].get("body"), 60)))
if mode == "browser":
    said = "the page said \"%s\"" % " ".join(str(flow.get("sent")).split())
else:  # the pipes path: the host's own answer, not words a page would show
    said = "send_sms answered ok (message %s)" % flow.get("message_id")
print("                %s at the fake TextUs; %s" % (plural(len(sms), "message", "messages"), said))
for r in notes:
    b = r.get("body") or {}
    author = r["headers"].get("on-behalf-of") or b.get("user_id") or "-"
    print("  note          %s %s → %s, author user %s, %s: \"%s\"" % (r["method"], r["path"], r["status"],
          author, b.get("visibility", "-"), short(b.get("body", ""), 60)))
print("                %s at the fake Greenhouse (%s)" % (plural(len(notes), "note", "notes"), gh_gen))
msgs = state.get("textus", {}).get("messages", [])
final = [m.get("deliveryState") for m in msgs if m.get("id") == flow.get("message_id")]
if mode == "browser":
    print("  delivery      TextUs %s → the page shows \"%s\"" % (final[0] if final else "?", flow.get("delivery", "(not followed)")))
else:
    print("  delivery      TextUs %s → message_status answered %s" % (final[0] if final else "?", {
        "Delivered": "final, delivered", "Not Delivered": "final, not delivered"}.get(flow.get("delivery"), "(not followed)")))
if mode == "browser":
    left = flow.get("leftover_hosts", -1)
    print("  host          %s" % ("no host process left running after the browser closed" if left == 0 else
          "%s left running after the browser closed" % plural(left, "host process", "host processes")
          if left > 0 else "host processes left after the browser closed: not counted"))
ok = len(sms) == 1 and len(notes) == 1 and flow.get("delivery") == "Delivered"
print("  result        %s" % ("OK: one SMS, one note, Delivered" if ok else "NOT OK"))
print()
if mode == "browser":
    print("then a bulk: one text to a job's 4 candidates (\"Text selected\" on the candidates list)")
else:
    print("then a bulk: one text to a job's 4 candidates (bulk_send over the host's pipes, as the bulk "
          "dialog sends it; no browser, and not the textus-host bulk command)")
if mode == "browser":
    print("  run through   the candidates list in the browser: Select all, Bulk actions → Text selected, "
          "Review before sending, %s" % (bulk.get("button") or "(no send button)"))
else:
    print("  run through   bulk_send over the host's pipes, as the dialog sends it; its bulk events as they came")
print("  text          \"%s\"" % short(bulk.get("body"), 120))
if bulk.get("confirm"):
    print("  confirmation  the page said: \"%s\"" % short(bulk["confirm"], 160))
    for line in (bulk.get("previews") or []) + ["won't be texted: " + x for x in bulk.get("will_skip") or []]:
        print("                %s" % short(line, 120))
if bulk.get("error"):
    print("  bulk          not started: %s (%s)" % (bulk["error"].get("code"), short(bulk["error"].get("message"), 120)))
for line in bulk.get("progress", []):
    print("  progress      %s" % ("the page said: \"%s\"" % line if mode == "browser" else line))
for o in bulk.get("outcomes", []):
    print("  %-13s %s%s%s" % ("bulk_status" if o is bulk["outcomes"][0] else "", "%s (%s): %s" % (o["name"], o["candidate_id"], o["state"]),
          ", " + o["why"] if o["why"] else "", ", " + o["note"] if o["note"] else ""))
for r in bulk_sms:
    print("  SMS           %s %s → %s: to %s, \"%s\"" % (r["method"], r["path"], r["status"], r["body"].get("to"), short(r["body"].get("body"), 50)))
counted = "%s and %s for the bulk" % (plural(len(bulk_sms), "message", "messages"), plural(len(bulk_notes), "note", "notes"))
print("                %s, nobody texted twice" % counted
      if len(set(r["body"].get("to") for r in bulk_sms)) == len(bulk_sms) else
      "                %s: SOMEONE TEXTED TWICE" % counted)
st = bulk.get("status") or {}
texted = sorted(r["body"].get("to") for r in bulk_sms)
bulk_ok = (st.get("finished") and st.get("sent") == 2 and st.get("skipped") == 2 and st.get("failed") == 0
           and texted == ["+12125550101", "+12125550102"] and len(bulk_notes) == 2)
print("  result        %s" % ("OK: 2 texted with a note each; skipped the one who opted out and the one without a number"
                              if bulk_ok else "NOT OK"))
sys.exit(0 if ok and bulk_ok else 1)
PY
say "cleaned up: fakes stopped, temporary state removed"
exit $rc
