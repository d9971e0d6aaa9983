"""gen_inc.py — the command line both table generators share (scripts/gen-quiet-tz.py and
scripts/gen-quiet-zones.py): `[--stdout]`; without it the rendered text replaces the checked-in
file at once (written beside it, then os.replace), and one line says what was written and from
which source."""
import os
import sys


def main(argv, script, out, root, render, source_name):
    """Run a generator: argv its arguments, script its path for the usage line, out the file it
    writes, root the repository, render() the text, source_name() the data's name and version.
    Returns the exit status."""
    if argv not in ([], ["--stdout"]):
        sys.exit("usage: /usr/bin/python3 %s [--stdout]" % os.path.relpath(script, root))
    text = render()
    if argv == ["--stdout"]:
        sys.stdout.write(text)
        return 0
    tmp = out + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, out)
    print("wrote %s (%s)" % (os.path.relpath(out, root), source_name()))
    return 0
