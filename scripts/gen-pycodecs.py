#!/usr/bin/python3
"""Write src/python/pycodecs.c: the encodings a coding cookie may name.

Python reads a revision's `# coding: NAME` line, looks NAME up among its
codecs and decodes the whole file with it; a name it does not know, a codec
that is not a text encoding (hex, rot13), or one that garbles plain ASCII
(EBCDIC, UTF-16) makes the import fail with a SyntaxError, so Alembic
cannot load the revision. The table holds every name, normalised the way
pyscan.c normalises a cookie (and whether it is an alias, which Python
also finds with '.' for '_'), for which this Python compiles an ASCII
module declaring it. The script checks that the normalisation agrees with
Python on every alias in several spellings before writing anything.

usage: gen-pycodecs.py [--check]   (with --check: exit 1 when out of date)
"""
import encodings
import encodings.aliases
import os
import pkgutil
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "src", "python", "pycodecs.c")


def accepted(name):
    try:
        compile(("# coding: %s\nx = 1\n" % name).encode("ascii"), "f", "exec")
        return True
    except (SyntaxError, ValueError, LookupError, UnicodeError):
        return False


def normalise(name):
    """What pyscan.c does to a cookie: lower case, then every run of
    characters other than letters, digits and '.' becomes one '_', none
    kept at either end."""
    out, punct = [], False
    for c in name.lower():
        if c.isalnum() or c == ".":
            if punct and out:
                out.append("_")
            out.append(c)
            punct = False
        else:
            punct = True
    return "".join(out)


def main():
    names = set(encodings.aliases.aliases) | set(encodings.aliases.aliases.values())
    names |= {m.name for m in pkgutil.iter_modules(encodings.__path__)}
    aliases = {normalise(a) for a in encodings.aliases.aliases}
    table = sorted({normalise(n) for n in names if accepted(n)})
    known = set(table)
    wrong = []
    for n in sorted(names):
        for v in (n, n.upper(), n.replace("_", "-"), n.replace("_", "."), "-" + n + "-"):
            if v.startswith(("utf-8", "utf_8", "latin-1", "iso-8859-1", "iso-latin-1")):
                continue  # Python's tokenizer reads these prefixes itself, as pycodecs.c does
            m = normalise(v)
            ours = m in known or (m.replace(".", "_") in known and m.replace(".", "_") in aliases)
            if ours != accepted(v):
                wrong.append(v)
    if wrong:
        sys.exit("gen-pycodecs: the normalisation disagrees with Python on: " + ", ".join(wrong[:20]))
    lines = ["/*",
             " * pycodecs.c: the encodings Python accepts in a coding cookie (PEP 263),",
             " * written by scripts/gen-pycodecs.py from Python %d.%d; do not edit." % sys.version_info[:2],
             " */",
             '#include "python/pycodecs.h"',
             "",
             "const pycodec pycodecs[] = {"]
    lines += ['\t{ "%s", %d },' % (n, n in aliases) for n in table]
    lines += ["};", "", "const unsigned pycodecs_count = sizeof(pycodecs) / sizeof(pycodecs[0]);", ""]
    text = "\n".join(lines)
    if "--check" in sys.argv:
        same = os.path.exists(OUT) and open(OUT).read() == text
        print("pycodecs.c is up to date" if same else "pycodecs.c is out of date: run scripts/gen-pycodecs.py")
        return 0 if same else 1
    open(OUT, "w").write(text)
    print("wrote %s: %d names" % (os.path.relpath(OUT, ROOT), len(table)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
