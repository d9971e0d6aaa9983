#!/usr/bin/env python3
"""Run os_check (tests/windows/os_check.c) in a fresh temp folder holding one folder others
may read ("open", 0755) and a symbolic link to a file in it ("link"), with the UTF-8 value it expects in its environment; its exit code
is ours.
   run_os_check.py [--wine WINE] OS_CHECK ECHO_HOST
With --wine, the program is a Windows .exe run under Wine and paths are given as Z:\\..."""
import os
import shutil
import subprocess
import sys
import tempfile


def main(argv):
    wine = None
    if argv[:1] == ["--wine"]:
        wine, argv = argv[1], argv[2:]
    exe, echo = argv
    d = tempfile.mkdtemp(prefix="th-os-")
    os.mkdir(os.path.join(d, "open"))
    os.chmod(os.path.join(d, "open"), 0o755)  # readable by others: os_stat must say so
    with open(os.path.join(d, "open", "file"), "w") as f:
        f.write("x")
    os.symlink(os.path.join(d, "open", "file"), os.path.join(d, "link"))  # never followed
    env = dict(os.environ, TH_OS_CHECK_UTF8="caf\u00e9 \u2713")
    try:
        if wine:
            env.setdefault("LC_ALL", "C.UTF-8")  # Wine reads the Unix environment as UTF-8
            env["TH_OS_CHECK_NO_LINKS"] = ("Wine shows a Unix symbolic link as its target; "
                                           "needs real Windows")
            cmd = [wine, exe, "Z:" + d.replace("/", "\\"), "Z:" + echo.replace("/", "\\")]
        else:
            cmd = [exe, d, echo]
        p = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           timeout=120)
        sys.stdout.write(p.stdout.decode("utf-8", "replace"))
        return p.returncode
    finally:
        shutil.rmtree(d, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
