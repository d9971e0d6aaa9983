"""The fakes behind the `configure` tests (tests/verify): one set for a whole test module,
throwaway state roots, configure documents that point at the fakes, and every output of the
binary kept, so that a test can check that no canary secret was ever printed and the module's
end can check that none reached the fakes' records.

    CF = ConfigFakes(SEED, CANARIES, "th-verify", Creds(TOKEN, KEY, CLIENT, SECRET))
    setUpModule, tearDownModule = CF.start, CF.stop
    root = CF.new_root()
    rc, out, err = CF.run(["configure"], stdin=json.dumps(CF.doc()), env=...)
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.environ.get("TH_FAKES_DIR", os.path.join(HERE, "..", "fakes")))
import fakectl  # noqa: E402
import nmhost  # noqa: E402
from fakeworld import Creds  # noqa: E402,F401 (the credentials a document names)


class ConfigFakes:
    def __init__(self, seed, canaries, prefix, creds):
        self.seed = seed
        self.canaries = canaries
        self.prefix = prefix
        self.creds = creds
        self.fakes = None
        self.dir = None
        self.outputs = []  # everything the binary printed
        self.roots = []

    def start(self):
        self.dir = tempfile.mkdtemp(prefix=self.prefix + "-fakes-")
        self.fakes = fakectl.start(self.seed, self.dir, extra_args=["--random-seed", "1"])

    def stop(self):
        try:
            if self.fakes:
                self.fakes.stop()
            # last line of defence: no canary in the fakes' records, log or state dump
            for name in os.listdir(self.dir):
                path = os.path.join(self.dir, name)
                if os.path.isfile(path):
                    with open(path, "rb") as fh:
                        data = fh.read()
                    for c in self.canaries:
                        assert c.encode() not in data, "canary in fakes file %s" % name
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)
            for r in self.roots:
                # a test may have left a folder read-only
                subprocess.run(["chmod", "-R", "u+rwX", r], capture_output=True)
                shutil.rmtree(r, ignore_errors=True)

    def new_root(self):
        """A fresh folder (0700), removed at the module's end."""
        root = tempfile.mkdtemp(prefix=self.prefix + "-")
        os.chmod(root, 0o700)
        self.roots.append(root)
        return root

    def run(self, args, stdin="", env=None):
        """The binary with args; its output is kept for the canary checks."""
        p = subprocess.run([nmhost.host_path(), *args], input=stdin.encode(),
                           capture_output=True, env=env, timeout=90)
        self.outputs.append(p.stdout + p.stderr)
        return p.returncode, p.stdout.decode(), p.stderr.decode()

    def verb(self, payload, env):
        """One request through a host started as the stub's extension; its output is kept."""
        h = nmhost.Host(env=env, origin=nmhost.STUB_ORIGIN)
        reply = h.request(payload)
        rc, rest, err = h.close()
        h.proc.stdout.close()
        h.proc.stderr.close()
        self.outputs.append(rest + err.encode() + json.dumps(reply).encode())
        return reply

    def urls(self):
        """Where the fakes are: the only part of a document that is local configuration."""
        return {"textus": {"base_url": self.fakes.url("textus")},
                "greenhouse": {"base_url": self.fakes.url("harvest"),
                               "auth_url": self.fakes.url("auth")}}

    def doc(self, token=None, account="acme", email="alice@acme.example", key=None, v3=False):
        """A whole configure document: the fakes' URLs, a TextUs token and account, and a
        Harvest v1 key or (v3) the OAuth client."""
        d = self.urls()
        d["textus"].update({"token": token or self.creds.token, "account": account})
        d["greenhouse"]["email"] = email
        if v3:
            d["greenhouse"].update({"client_id": self.creds.client_id,
                                    "client_secret": self.creds.client_secret})
        else:
            d["greenhouse"]["api_key"] = key or self.creds.v1_key
        return d

    def last_seq(self):
        recs = self.fakes.requests()
        return recs[-1]["seq"] if recs else 0


def store_bytes(state):
    """The credential store of a state root as bytes, None when there is none."""
    try:
        with open(os.path.join(state, "credentials.store"), "rb") as fh:
            return fh.read()
    except FileNotFoundError:
        return None
