"""Benchmarks that drive the real host (scripts/bench.sh calls these).

Each subcommand prints TSV rows: benchmark, measured, baseline, ratio, target, verdict.
  rss-cap HOST            peak RSS for a request exactly at the 1 MiB inbound cap
  send HOST               one send_sms vs the curl CLI; 100 sends over one port;
                          peak RSS for a send (needs the send flow and the fakes)
Medians of repeated runs. Not a test: nothing fails on a slow machine.
"""
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
sys.path.insert(0, os.path.join(HERE, "..", "fakes"))
from nmhost import Host, frame  # noqa: E402

MIB = 1 << 20


def row(name, measured, baseline="-", ratio="-", target="-", verdict="-"):
    print("\t".join(str(x) for x in (name, measured, baseline, ratio, target, verdict)))
    sys.stdout.flush()


def hwm_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmHWM"):
                return int(line.split()[1])
    return 0


def rss_cap(host):
    os.environ["TH_HOST"] = host
    idle, peak = [], []
    base = {"type": "ping", "id": "cap", "pad": ""}
    base["pad"] = "x" * (MIB - len(json.dumps(base).encode()))
    body = json.dumps(base).encode()
    assert len(body) == MIB
    for _ in range(5):
        h = Host()
        h.request({"type": "ping"})
        idle.append(hwm_kib(h.proc.pid))
        h.send_raw(frame(body))
        r = h.read_reply()
        assert r["ok"], r
        peak.append(hwm_kib(h.proc.pid))
        h.close()
    i, p = statistics.median(idle), statistics.median(peak)
    growth = (p - i) / 1024.0
    row("peak RSS, ping (idle host)", "%.1f MiB" % (i / 1024.0))
    row("peak RSS, request at the 1 MiB cap", "%.1f MiB" % (p / 1024.0), "%.1f MiB idle" % (i / 1024.0),
        "%.2fx cap above idle" % growth, "<= 3x cap", "met" if growth <= 3.0 else "missed")


SEED = os.path.join(HERE, "..", "fakes", "seed.example.json")
TOKEN, KEY, USER = "tok_alice_FAKE_0001", "hvk_alice_FAKE_0001", 101
TO, CAND = "+13035550123", "1001"
RAISED = {"textus_rate_limit": 1000000, "harvest_v1_rate_limit": 1000000,
          "harvest_v3_rate_limit": 1000000, "auth_rate_limit": 1000000}


def cpu_s(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def send_req(rid):
    return {"type": "send_sms", "id": rid, "request_id": rid, "candidate_id": CAND, "to": TO,
            "body": "Hi Jane, this is Alice from Acme about the nurse role. Can we talk today?"}


def send(host, runs=15):
    import fakectl
    os.environ["TH_HOST"] = host
    tmp = tempfile.mkdtemp(prefix="th-bench-send-")
    try:
        fk = fakectl.start(SEED, os.path.join(tmp, "fakes"))
        fk.config(RAISED)
        home = os.path.join(tmp, "home")
        os.makedirs(home, mode=0o700)
        env = {"TEXTUS_HOST_HOME": home}
        doc = {"textus": {"token": TOKEN, "account": "acme", "base_url": fk.url("textus")},
               "greenhouse": {"email": "alice@acme.example", "api_key": KEY,
                              "base_url": fk.url("harvest"), "auth_url": fk.url("auth")},
               "settings": {"quiet_hours": "off"}}  # benchmarks run at any hour
        subprocess.run([host, "configure", "--no-verify"], input=json.dumps(doc).encode(), check=True,
                       env=dict(os.environ, **env), stdout=subprocess.DEVNULL)

        def one(rid):
            t0 = time.perf_counter()
            h = Host(env=env)
            r = h.request(send_req(rid))
            hwm = hwm_kib(h.proc.pid)
            h.close()
            dt = time.perf_counter() - t0
            assert r["ok"] and r["result"]["note"]["state"] == "written", r
            return dt, hwm

        one("warm-up")  # resolves and caches the Greenhouse user id
        host_t, hwms = [], []
        for i in range(runs):
            dt, hwm = one("bench-%d" % i)
            host_t.append(dt)
            hwms.append(hwm)

        # the same two writes with the curl command-line tool, as two processes;
        # credentials go through a 0600 config file, never argv
        cfg_t = os.path.join(tmp, "curl-textus.cfg")
        cfg_g = os.path.join(tmp, "curl-gh.cfg")
        for path, lines in ((cfg_t, ['header = "Authorization: Bearer %s"' % TOKEN,
                                     'header = "Accept: application/vnd.textus+jsonld"',
                                     'header = "Content-Type: application/vnd.textus+jsonld"']),
                            (cfg_g, ['user = "%s:"' % KEY, 'header = "On-Behalf-Of: %d"' % USER,
                                     'header = "Content-Type: application/json"'])):
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            os.write(fd, ("\n".join(lines) + "\n").encode())
            os.close(fd)
        body = send_req("x")["body"]
        curl_t = []
        for i in range(runs):
            t0 = time.perf_counter()
            subprocess.run(["curl", "-sS", "-o", "/dev/null", "-f", "-K", cfg_t, "-X", "POST",
                            "--data-binary", json.dumps({"to": TO, "body": body}),
                            fk.url("textus") + "/acme/messages"], check=True)
            subprocess.run(["curl", "-sS", "-o", "/dev/null", "-f", "-K", cfg_g, "-X", "POST",
                            "--data-binary", json.dumps({"user_id": USER, "body": body + " #%d" % i,
                                                         "visibility": "private"}),
                            fk.url("harvest") + "/v1/candidates/%s/activity_feed/notes" % CAND],
                           check=True)
            curl_t.append(time.perf_counter() - t0)
        h_med, c_med = statistics.median(host_t), statistics.median(curl_t)
        ratio = h_med / c_med
        row("one send_sms (spawn, opt-out + conversation checks, SMS, note; median of %d)" % runs,
            "%.1f ms" % (h_med * 1000), "%.1f ms curl x2 (SMS + note)" % (c_med * 1000),
            "%.2fx" % ratio, "<= 0.5x", "met" if ratio <= 0.5 else "missed")

        # 100 sends over one long-lived port
        st0 = fk.state()["connections"]
        h = Host(env=env)
        c0 = cpu_s(h.proc.pid)
        t0 = time.perf_counter()
        for i in range(100):
            r = h.request(send_req("port-%d" % i))
            assert r["ok"], r
        wall = time.perf_counter() - t0
        c1 = cpu_s(h.proc.pid)
        h.close()
        st1 = fk.state()["connections"]
        # TextUs: the opt-out and conversation checks of a send run at once, over two
        # connections (HTTP/1.1), both kept for the sends that follow
        for srv, want in (("textus", 2), ("harvest", 1)):
            opened = st1[srv]["api"] - st0[srv]["api"]
            row("100 sends over one port: connections opened at %s" % srv, str(opened), "-", "-",
                "<= %d" % want, "met" if opened <= want else "missed")
        row("100 sends over one port: host CPU per send", "%.2f ms" % ((c1 - c0) * 10),
            "%.1f ms wall per send" % (wall * 10), "-", "-", "-")
        peak = statistics.median(hwms) / 1024.0
        row("peak RSS, one send_sms (one-shot host)", "%.1f MiB" % peak, "-", "-", "<= 8 MiB",
            "met" if peak <= 8 else "missed")
        fk.stop()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "rss-cap":
        rss_cap(sys.argv[2])
    elif len(sys.argv) >= 3 and sys.argv[1] == "send":
        send(sys.argv[2])
    else:
        sys.exit(__doc__)
