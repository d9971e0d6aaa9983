"""Command-line conventions of textus-host, through the real binary.

`--help` on every command prints to stdout, says the exit status and exits 0;
a wrong option or argument is named in the error and exits 2 (with the nearest
valid spelling when there is one); an unknown command suggests the nearest one;
`status` exits 1 while nothing is configured; `outbox list --json` is one JSON
document. (`configure` has its own tests in tests/store and tests/verify.)
"""
import json
import os
import pty
import select
import shutil
import subprocess
import tempfile
import unittest

HOST = os.environ["TH_HOST"]
ENGINE = os.path.join(os.path.dirname(HOST), "textus-host-engine.so")


class Cli(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="th-cli-")
        self.env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": self.tmp,
                    "LC_ALL": "C", "TEXTUS_HOST_HOME": os.path.join(self.tmp, "state")}

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def run_host(self, *args, stdin=""):
        return subprocess.run([HOST] + list(args), env=self.env, input=stdin, capture_output=True,
                              text=True, timeout=60)

    def test_help_on_every_command(self):
        cmds = ["doctor", "extract"]
        if os.path.exists(ENGINE):
            cmds += ["status", "rekey", "send", "outbox"]
        for cmd in cmds:
            for args in ([cmd, "--help"], [cmd, "-h"], ["help", cmd]):
                p = self.run_host(*args)
                self.assertEqual(p.returncode, 0, (args, p.stderr))
                self.assertIn("usage: textus-host %s" % cmd, p.stdout, args)
                self.assertIn("exit status", p.stdout, args)
                self.assertEqual(p.stderr, "", args)
        p = self.run_host("--help")
        self.assertEqual(p.returncode, 0)
        self.assertIn("Exit status", p.stdout)
        for cmd in cmds + ["configure"]:
            self.assertIn("  %s " % cmd, p.stdout)
        if os.path.exists(ENGINE):
            for sub in ("list", "flush", "dismiss"):
                p = self.run_host("outbox", sub, "--help")
                self.assertEqual(p.returncode, 0, sub)
                self.assertIn("textus-host outbox dismiss REQUEST_ID", p.stdout)

    def test_build_windows_help(self):
        """scripts/build-windows.sh --help is a help (stdout, exit 0) that names the
        prerequisites, where the packages land and the variables msi reads; it points to
        nothing outside the repository."""
        src = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
        script = os.path.join(src, "scripts", "build-windows.sh")
        p = subprocess.run([script, "--help"], capture_output=True, text=True, timeout=30)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stderr, "")
        for want in ("scripts/bootstrap.sh --windows", "build-win/", "per-user.msi",
                     "per-machine.msi", "windows-x64.zip", "TH_EXTENSION_IDS", "TH_PRODUCTION=1",
                     "deps and host (the default): no .msi", "not signed"):
            self.assertIn(want, p.stdout)
        with open(script) as fh:
            self.assertNotIn("/work/", fh.read())
        p = subprocess.run([script, "--hlep"], capture_output=True, text=True, timeout=30)
        self.assertEqual(p.returncode, 2)
        self.assertIn("usage:", p.stderr)

    def test_unknown_command_suggests_the_nearest(self):
        for word, near in (("docter", "doctor"), ("stauts", "status"), ("outbx", "outbox"),
                           ("hlep", "help")):
            p = self.run_host(word)
            self.assertEqual(p.returncode, 2, word)
            self.assertIn("unknown command '%s' (did you mean %s?)" % (word, near), p.stderr)
            self.assertEqual(p.stdout, "")
        p = self.run_host("frobnicate")
        self.assertEqual(p.returncode, 2)
        self.assertIn("unknown command 'frobnicate'", p.stderr)
        self.assertTrue(p.stderr.endswith("\nsee textus-host --help\n"), p.stderr)
        self.assertNotIn("did you mean", p.stderr)
        p = self.run_host("--verison")
        self.assertEqual(p.returncode, 2)
        self.assertIn("unknown option '--verison' (did you mean --version?)", p.stderr)
        p = self.run_host("help", "docter")
        self.assertEqual(p.returncode, 2)
        self.assertIn("did you mean doctor?", p.stderr)

    def test_did_you_mean_has_one_form(self):
        """Commands, options and subcommands alike: " (did you mean X?)", never " -- did you"."""
        for args in (["docter"], ["--verison"], ["help", "docter"], ["doctor", "--jsno"]):
            p = self.run_host(*args)
            self.assertEqual(p.returncode, 2, args)
            self.assertRegex(p.stderr, r" \(did you mean [-a-z]+\?\)\n", args)
            self.assertNotIn(" -- did you mean", p.stderr, args)

    def test_an_option_never_swallows_the_next_option(self):
        """`send --candidate --to=+1...`: the value of --candidate would be "--to=+1..."; it is
        refused as such, naming the option taken for a value, never what follows its '='."""
        if not os.path.exists(ENGINE):
            self.skipTest("no engine module")
        for args, want in (
                (["send", "--candidate", "--to=+13035550123"],
                 "--candidate needs a value (got the option '--to')"),
                (["send", "--candidate", "--to", "+13035550123"],
                 "--candidate needs a value (got the option '--to')"),
                (["send", "--to", "--candidate=77", "--visibility", "private"],
                 "--to needs a value (got the option '--candidate')"),
                (["bulk", "--candidates", "--body=s3cr3t-body-words"],
                 "--candidates needs a value (got the option '--body')"),
                (["conversation", "--candidate", "--help"],
                 "--candidate needs a value (got the option '--help')")):
            p = self.run_host(*args)
            self.assertEqual(p.returncode, 2, (args, p.stderr))
            self.assertIn(want + "\n", p.stderr, args)
            for secretish in ("+13035550123", "77", "s3cr3t"):
                self.assertNotIn(secretish, p.stderr, args)
        # configure: secrets in argv are still refused before any option is read or named
        p = self.run_host("configure", "--no-verify", "--api-key=tok-123")
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn("never accepted as command-line arguments", p.stderr)
        self.assertNotIn("tok-123", p.stderr)

    def test_a_stray_argument_is_shown_safely(self):
        """A stray word is echoed only as a terminal may show it: a pasted token (20+ token
        characters, log_redact's rule) is not shown, control bytes and invalid UTF-8 become '?'
        (an attacker's review: `doctor -- tok_...` echoed the token, `doctor $'\\x1b]0;...'`
        wrote the escape sequence to stderr)."""
        token = "tok_live_" + "a1B2c3D4e5F6g7H8"
        for args in (["doctor", "--", token], ["rekey", token], [token],
                     ["doctor", "--" + token]):
            p = self.run_host(*args)
            self.assertEqual(p.returncode, 2, (args, p.stderr))
            self.assertNotIn("a1B2c3D4e5F6g7H8", p.stderr, args)
            self.assertIn("not shown: ", p.stderr, args)
        p = subprocess.run([HOST, "doctor", "\x1b]0;pwned\x07"], capture_output=True,
                           env=self.env)
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertNotIn(b"\x1b", p.stderr)
        self.assertNotIn(b"\x07", p.stderr)
        self.assertIn(b"unexpected argument '?]0;pwned?'", p.stderr)

    def test_every_quoted_word_is_shown_safely(self):
        """Every word of the person's an error message quotes goes through cli_shown (a second
        review: `bulk` echoed a pasted token from the list, --job, --visibility and
        --request-id; `--quiet-hours=$'\\e[2J'x` and a --candidates path wrote the escape
        sequence to the terminal; a bad list entry was cut mid-character)."""
        tok = "tok_ABCDEFGHIJKLMNOPQRSTUVWXYZ"
        bulk = ["bulk", "--candidates", "-", "--body", "hi"]
        cases = [(bulk, tok + "\n"), (bulk + ["--job=" + tok], "1\n"),
                 (bulk + ["--visibility=" + tok], "1\n"),
                 (bulk + ["--request-id=" + tok + ":"], "1\n"),
                 (bulk + ["--quiet-hours=" + tok], "1\n"),
                 (["bulk", "--status", tok + ":"], ""), (["bulk", "--cancel", tok + ":"], ""),
                 (["send", "--candidate", tok, "--to", "+13035550123"], "hi"),
                 (["send", "--candidate", "1", "--to", tok], "hi"),
                 (["send", "--candidate", "1", "--to", "+13035550123", "--request-id=" + tok + ":"],
                  "hi"),
                 (["send", "--candidate", "1", "--to", "+13035550123", "--schedule-at=" + tok],
                  "hi"),
                 (["conversation", "--to", "+13035550123", "--candidate", tok], ""),
                 (["outbox", tok], ""),
                 (["install", "--extension-id", tok + "xxxxx"], "")]
        for args, stdin in cases:
            p = self.run_host(*args, stdin=stdin)
            self.assertEqual(p.returncode, 2, (args, p.stderr))
            self.assertNotIn("ABCDEFGHIJKLMNOPQRSTUVWXYZ", p.stderr, args)
        esc = "\x1b[2J"
        for args, stdin in ((bulk + ["--quiet-hours=" + esc + "x"], b"1\n"),
                            (["bulk", "--candidates", "/nonexist/" + esc + "x", "--body", "hi"],
                             b""),
                            (bulk, esc.encode() + b"x\n"),
                            (bulk + ["--job", esc], b"1\n"),
                            (["bulk", "--cancel", esc + "x"], b""),
                            (["send", "--candidate", "1", "--to", esc], b"hi"),
                            (["outbox", esc], b"")):
            p = subprocess.run([HOST] + args, env=self.env, input=stdin, capture_output=True,
                               timeout=60)
            self.assertEqual(p.returncode, 2, (args, p.stderr))
            self.assertNotIn(b"\x1b", p.stderr, args)
            self.assertIn(b"?[2J", p.stderr, args)
        # a list entry of many two-byte characters: never cut inside one
        p = subprocess.run([HOST] + bulk, env=self.env, input=("a" + "\u00e9" * 40).encode(),
                           capture_output=True, timeout=60)
        self.assertEqual(p.returncode, 2, p.stderr)
        p.stderr.decode("utf-8")  # strict: a cut character raises
        self.assertIn("a\u00e9\u00e9", p.stderr.decode("utf-8"))

    def test_bulk_status_and_cancel_check_the_id(self):
        """A malformed id for --status/--cancel is a usage error in the options' words (exit
        2), not the verb's protocol words (exit 1)."""
        for opt in ("--status", "--cancel"):
            p = self.run_host("bulk", opt, "a:b")
            self.assertEqual(p.returncode, 2, p.stderr)
            self.assertIn(opt + " must be a bulk's request id (1 to 45 of A-Z a-z 0-9 _ -",
                          p.stderr)
            self.assertNotIn('"', p.stderr)

    @unittest.skipUnless(os.path.exists(ENGINE), "this build has no engine")
    def test_not_configured_in_the_commands_words(self):
        """inbox, conversation and bulk say "nothing is configured yet: run textus-host
        configure" without the error code (inbox kept "not_configured: ")."""
        for args in (["inbox"], ["conversation", "--to", "+13035550123"], ["rekey"],
                     ["outbox", "list"],
                     ["bulk", "--status", "r1"], ["bulk", "--cancel", "r1"]):
            p = self.run_host(*args)
            self.assertEqual(p.returncode, 1, (args, p.stderr))
            self.assertIn("nothing is configured yet: run textus-host configure", p.stderr, args)
            self.assertNotIn("not_configured", p.stderr, args)

    def test_wrong_options_and_arguments_are_named(self):
        cases = [(["extract", "--json"], "unknown option '--json'"),
                 (["extract", "a.json", "b.json"], "unexpected argument 'b.json'"),
                 (["doctor", "--jsno"], "unknown option '--jsno' (did you mean --json?)"),
                 (["doctor", "--extension-id", "abc"], "'abc' is not an extension id")]
        if os.path.exists(ENGINE):
            cases += [(["status", "--jsno"], "unknown option '--jsno' (did you mean --json?)"),
                      (["status", "now"], "unexpected argument 'now'"),
                      (["rekey", "--force"], "unknown option '--force'"),
                      (["send", "--candiate", "1"], "unknown option '--candiate' (did you mean "
                                                    "--candidate?)"),
                      (["send", "--candidate", "1"], "a required option is missing: '--to'"),
                      (["send", "--candidate"], "a value is missing after '--candidate'"),
                      (["outbox", "lsit"], "unknown subcommand 'lsit' (did you mean list?)"),
                      (["outbox", "list", "--jsn"], "unknown option '--jsn' (did you mean --json?)"),
                      (["outbox", "flush", "now"], "unexpected argument 'now'"),
                      (["outbox", "dismiss", "a", "b"], "unexpected argument 'b'"),
                      (["outbox"], "which one: list, flush or dismiss?"),
                      (["send", "--to", "+13035550123", "--candidate", "1", "--to", "+13035550124"],
                       "--to is given twice"),
                      (["conversation", "--to", "3035550123"],
                       "--to must be a US/Canada number written +1NXXNXXXXXX, e.g. +13035550123, "
                       "not '3035550123' (did you mean +13035550123?)"),
                      (["conversation", "--to", "+13035550123", "--candidate", "0"],
                       "--candidate must be a Greenhouse candidate id: 1 to 18 digits, not 0"),
                      (["conversation", "--too", "+13035550123"],
                       "unknown option '--too' (did you mean --to?)"),
                      (["configure", "--no-verfy"], "unknown option '--no-verfy'"),
                      (["send", "--candidate", "1", "--to", "+13035550123", "--schedule-at",
                        "2030-01-16T14:00:00Z", "--override-quiet-hours"],
                       "--schedule-at and --override-quiet-hours do not go together (a scheduled "
                       "text must be due inside the hours texts are allowed)\n")]
        for args, text in cases:
            p = self.run_host(*args)
            self.assertEqual(p.returncode, 2, (args, p.stderr))
            self.assertIn(text, p.stderr, args)
            # one style for every command: its name first, then where the usage is
            self.assertTrue(p.stderr.startswith("textus-host %s: " % args[0]), (args, p.stderr))
            self.assertTrue(p.stderr.endswith("\nsee textus-host %s --help\n" % args[0]),
                            (args, p.stderr))
            for jargon in ('"to"', '"candidate_id"'):
                self.assertNotIn(jargon, p.stderr, args)
            self.assertEqual(p.stdout, "", args)

    def assert_usage_error(self, args, text, stdin=""):
        p = self.run_host(*args, stdin=stdin)
        self.assertEqual(p.returncode, 2, (args, p.stderr))
        self.assertIn(text, p.stderr, args)
        self.assertTrue(p.stderr.startswith("textus-host %s: " % args[0]), (args, p.stderr))
        self.assertTrue(p.stderr.endswith("\nsee textus-host %s --help\n" % args[0]),
                        (args, p.stderr))
        self.assertEqual(p.stdout, "", args)
        return p

    @unittest.skipUnless(os.path.exists(ENGINE), "this build has no engine")
    def test_options_are_read_with_getopt_long(self):
        """Each command's options come from one table read by getopt_long (cli_parse):
        --name=VALUE and --name VALUE alike, "--" ends the options, no abbreviation, the
        nearest name for an unknown one, a missing value, a value given twice."""
        # the same value either way: the command's own check of it says so word for word
        for cmd, opt, bad, want in (
                ("send", "--to", "3035550123", "(did you mean +13035550123?)"),
                ("send", "--visibility", "privat", "(did you mean private?)"),
                ("conversation", "--to", "3035550123", "(did you mean +13035550123?)"),
                ("bulk", "--quiet-hours", "later", "--quiet-hours must be schedule or skip, "
                                                   "not 'later'")):
            rest = (["--candidate", "1"] if cmd == "send" and opt != "--to" else []) + \
                (["--to", "+13035550123"] if cmd == "send" and opt != "--to" else []) + \
                (["--candidates", "-", "--body", "hi"] if cmd == "bulk" else [])
            if cmd == "send" and opt == "--to":
                rest = ["--candidate", "1"]
            a = self.assert_usage_error([cmd] + rest + [opt, bad], want)
            b = self.assert_usage_error([cmd] + rest + [opt + "=" + bad], want)
            self.assertEqual(a.stderr, b.stderr, (cmd, opt))
        # past the options, the same outcome either way (bulk --status of an unknown bulk)
        a = self.run_host("bulk", "--status", "nosuchbulk")
        b = self.run_host("bulk", "--status=nosuchbulk")
        self.assertNotEqual(a.returncode, 2, a.stderr)
        # the message in the command's words, without the error code before it
        self.assertIn("textus-host bulk --status: nothing is configured yet", a.stderr)
        self.assertNotIn("not_configured", a.stderr)
        self.assertEqual((a.returncode, a.stdout, a.stderr), (b.returncode, b.stdout, b.stderr))
        for cmd, args, text in (
                # unknown, with the nearest name; an abbreviation is not taken
                ("send", ["--schedule-att", "x"], "unknown option '--schedule-att' (did you "
                                                  "mean --schedule-at?)"),
                ("send", ["--to-unlistd"], "unknown option '--to-unlistd' (did you mean "
                                           "--to-unlisted?)"),
                ("send", ["--cand", "1"], "unknown option '--cand'"),
                ("bulk", ["--candidate", "ids.txt"], "unknown option '--candidate' (did you "
                                                     "mean --candidates?)"),
                ("bulk", ["--bdy=hi"], "unknown option '--bdy' (did you mean --body?)"),
                ("conversation", ["--jsn"], "unknown option '--jsn' (did you mean --json?)"),
                ("conversation", ["--to=+13035550123", "-x"], "unknown option '-x'"),
                ("configure", ["--save-anyways"], "unknown option '--save-anyways' (did you "
                                                  "mean --save-anyway?)"),
                # a missing value, a value where none is taken, a value given twice
                ("send", ["--candidate", "1", "--to"], "a value is missing after '--to'"),
                ("bulk", ["--candidates"], "a value is missing after '--candidates'"),
                ("conversation", ["--candidate"], "a value is missing after '--candidate'"),
                ("send", ["--to-unlisted=yes"], "--to-unlisted takes no value"),
                ("conversation", ["--json=1"], "--json takes no value"),
                ("send", ["--candidate=1", "--candidate", "2"], "--candidate is given twice"),
                ("bulk", ["--body=a", "--body=b"], "--body is given twice"),
                ("conversation", ["--to", "+13035550123", "--to=+13035550124"],
                 "--to is given twice"),
                # "--" ends the options: what follows is an argument, which they take none of
                ("send", ["--candidate", "1", "--", "--to", "+13035550123"],
                 "unexpected argument '--to'"),
                ("bulk", ["--", "--status", "x"], "unexpected argument '--status'"),
                ("conversation", ["--to", "+13035550123", "--", "--json"],
                 "unexpected argument '--json'"),
                ("status", ["--json", "--", "x"], "unexpected argument 'x'"),
                ("rekey", ["--", "--force"], "unexpected argument '--force'")):
            self.assert_usage_error([cmd] + args, text)
        # doctor (in the executable): the same parser, its repeatable and optional values
        for args in (["--extension-id", "abc"], ["--extension-id=abc"]):
            self.assert_usage_error(["doctor"] + args, "'abc' is not an extension id")
        self.assert_usage_error(["doctor", "--ext", "a" * 32], "unknown option '--ext'")
        self.assert_usage_error(["doctor"] + ["--extension-id=" + "a" * 32] * 17,
                                "too many --extension-id (at most 16)")
        self.assert_usage_error(["doctor", "--report=x", "--report", "y"],
                                "--report is given twice")
        self.assert_usage_error(["doctor", "--user-data-dir="], "--user-data-dir needs a folder")
        # configure: a flag given twice is still that flag; "--" is taken, and what follows
        # it is refused without being echoed (it may be a secret)
        p = self.assert_usage_error(["configure", "--no-verify", "--", "hunter2"],
                                    "secrets and other values are never accepted")
        self.assertNotIn("hunter2", p.stderr)
        p = self.assert_usage_error(["configure", "--no-verify=hunter2"],
                                    "never accepted as command-line arguments")
        self.assertNotIn("hunter2", p.stderr)
        p = self.run_host("configure", "--no-verify", "--no-verify", "--",
                          stdin='{"settings":{"quiet_hours":"off"}}')
        self.assertEqual(p.returncode, 0, p.stderr)

    @unittest.skipUnless(os.path.exists(ENGINE), "this build has no engine")
    def test_help_lists_the_options_of_the_table(self):
        """--help prints the options from the table cli_parse reads: each once, with -h."""
        for cmd, opts in (("send", ["--candidate ID", "--to +1NXXNXXXXXX", "--request-id ID",
                                    "--visibility V", "--to-unlisted", "--schedule-at TIME",
                                    "--override-quiet-hours"]),
                          ("bulk", ["--candidates FILE", "--body TEXT", "--quiet-hours M",
                                    "--job ID", "--request-id ID", "--visibility V",
                                    "--skip-invalid", "--json", "--status ID", "--cancel ID"]),
                          ("conversation", ["--to +1NXXNXXXXXX", "--candidate ID", "--json"]),
                          ("configure", ["--no-verify", "--save-anyway"]),
                          ("inbox", ["--limit N", "--json"]), ("status", ["--json"]),
                          ("doctor", ["--json", "--report [FILE]", "--force", "--offline",
                                      "--extension-id ID", "--user-data-dir DIR"]),
                          ("install", ["--extension-id ID", "--remove-extension-id ID",
                                       "--browser NAME", "-n, --dry-run"]),
                          ("uninstall", ["-n, --dry-run"]), ("rekey", []), ("extract", []),
                          ("outbox list", ["--json"])):
            p = self.run_host(*cmd.split(), "--help")
            self.assertEqual(p.returncode, 0, p.stderr)
            lines = [l for l in p.stdout.splitlines() if l.startswith("  -")]
            names = [l.split("  ")[1].strip() for l in lines]
            self.assertEqual(names, opts + ["-h, --help"], (cmd, p.stdout))
            # one column for the texts
            cols = {len(l) - len(l[2:].split("  ", 1)[1].lstrip(" ")) for l in lines}
            self.assertEqual(len(cols), 1, (cmd, lines))

    @unittest.skipUnless(os.path.exists(ENGINE), "this build has no engine")
    def test_status_exits_1_while_nothing_is_configured(self):
        p = self.run_host("status")
        self.assertEqual(p.returncode, 1)
        self.assertIn("configured: no", p.stdout)
        self.assertIn("nothing is configured yet: run textus-host configure", p.stderr)
        p = self.run_host("status", "--json")
        self.assertEqual(p.returncode, 1)
        self.assertIs(json.loads(p.stdout)["configured"], False)
        p = self.run_host("configure", "--no-verify", stdin=json.dumps({"textus": {"account": "acme"}}))
        self.assertEqual(p.returncode, 0, p.stderr)
        p = self.run_host("status")  # something is stored: 0, and it says what is missing
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("configured: no", p.stdout)

    @unittest.skipUnless(os.path.exists(ENGINE), "this build has no engine")
    def test_a_command_that_fails_says_its_name(self):
        p = self.run_host("rekey")  # nothing to rekey yet
        self.assertEqual(p.returncode, 1)
        self.assertTrue(p.stderr.startswith("textus-host rekey: nothing is configured yet: run "
                                            "textus-host configure"), p.stderr)

    @unittest.skipUnless(os.path.exists(ENGINE), "this build has no engine")
    def test_outbox_list_json(self):
        p = self.run_host("configure", "--no-verify", stdin=json.dumps(
            {"textus": {"account": "acme", "token": "tok_cli_FAKE_000000001"}}))
        self.assertEqual(p.returncode, 0, p.stderr)
        p = self.run_host("outbox", "list", "--json")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(json.loads(p.stdout), {"entries": [], "replies": []})

    @unittest.skipUnless(os.path.exists(ENGINE), "this build has no engine")
    def test_send_on_a_terminal_says_it_waits_for_the_text(self):
        args = [HOST, "send", "--candidate", "1001", "--to", "+13035550123"]
        master, slave = pty.openpty()
        p = subprocess.Popen(args, stdin=slave, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             env=self.env)
        os.close(slave)
        try:
            # before anything is typed: the prompt, on stderr (stdout is for the result)
            ready, _, _ = select.select([p.stderr], [], [], 15)
            first = os.read(p.stderr.fileno(), 4096).decode() if ready else ""
            self.assertIn("Type the text, then press Enter and Ctrl-D", first)
            os.write(master, b"hello\n\x04")
            out, err = p.communicate(timeout=60)
        finally:
            if p.poll() is None:
                p.kill()
                p.wait()
            os.close(master)
        self.assertNotIn("Type the text", out.decode())
        self.assertNotIn("the text to send is read from stdin, and it is empty", err.decode())
        # a pipe is not a person: no prompt
        q = self.run_host(*args[1:], stdin="hello\n")
        self.assertNotIn("Type the text", q.stderr + q.stdout)


if __name__ == "__main__":
    unittest.main(verbosity=2)
