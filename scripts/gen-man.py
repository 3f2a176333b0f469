#!/usr/bin/env python3
"""Write docs/mgate.1 from docs/mgate.1.in and the binary's option tables.

The commands, their synopses, summaries and options, the common options
and the keys of [mgate], are what `mgate --help` and `mgate help CMD` print, which come from
the command table and each command's option table: the man page cannot
drift from --help. The test cli.man runs this and compares.

usage: gen-man.py MGATE TEMPLATE [OUT]   (OUT: standard output)
"""
import re
import subprocess
import sys

OPTION = re.compile(r"^\s+(?:(-\w), )?(--[a-z][a-z0-9-]*)(?: ([A-Z][A-Z0-9_.:,|\[\]-]*))?\s+(.*)$")


def run(mgate, *args):
    r = subprocess.run([mgate, *args], capture_output=True, text=True, env={"PATH": "/usr/bin:/bin"})
    return r.stdout + r.stderr


def esc(text):
    """Plain text for troff: backslashes, hyphens and leading dots or quotes."""
    text = text.replace("\\", "\\e").replace("-", "\\-")
    return "\\&" + text if text[:1] in (".", "'") else text


def block(text, title):
    """The lines of a "title:" block of a help text."""
    if "\n" + title + ":\n" not in "\n" + text:
        return []
    body = ("\n" + text).split("\n" + title + ":\n", 1)[1]
    return body.split("\n\n", 1)[0].splitlines()


def options(lines):
    out = []
    for line in lines:
        m = OPTION.match(line)
        if not m:
            raise SystemExit("gen-man.py: cannot read the option line %r" % line)
        short, lng, argh, text = m.groups()
        names = ("\\fB%s\\fR, " % esc(short) if short else "") + "\\fB%s\\fR" % esc(lng)
        if argh:
            names += " \\fI%s\\fR" % esc(argh)
        out.append(".TP\n%s\n%s" % (names, esc(text[:1].upper() + text[1:]) + ("" if text.endswith(".") else ".")))
    return out


def main():
    if len(sys.argv) not in (3, 4):
        sys.stderr.write(__doc__)
        return 2
    mgate, template = sys.argv[1], sys.argv[2]
    top = run(mgate, "--help")
    version = run(mgate, "--version").split()[-1]
    commands = [re.match(r"^    (\S+)\s+(.*)$", line).groups() for line in block(top, "commands")]
    parts, common = [], None
    for name, summary in commands:
        text = run(mgate, "help", name)
        usage = text.splitlines()[0]
        if not usage.startswith("usage: mgate " + name):
            raise SystemExit("gen-man.py: 'mgate help %s' printed no usage line" % name)
        rest = usage[len("usage: mgate " + name):].strip()
        parts.append('.SS "mgate %s%s"\n%s' % (name, (" " + esc(rest)) if rest else "",
                                              esc(summary[:1].upper() + summary[1:]) + "."))
        parts += options(block(text, "options"))
        if common is None:
            common = options(block(text, "common options"))
    page = open(template).read()
    page = "\n".join(line for line in page.splitlines() if not line.startswith('.\\"')) + "\n"
    page = page.replace("@VERSION@", version).replace("@COMMANDS@", "\n".join(parts))
    page = page.replace("@COMMON_OPTIONS@", "\n".join(common or []))
    keys = []
    for key in run(mgate, "completion", "words", "--", "mgate", "help", "").split():
        if any(key == name for name, _ in commands):
            continue
        first = run(mgate, "help", key).splitlines()[0]
        name, text = first.split(", in the [mgate] section of alembic.ini: ", 1)
        keys.append(".TP\n\\fB%s\\fR\n%s" % (esc(name), esc(text[:1].upper() + text[1:]) + "."))
    page = page.replace("@CONFIG_KEYS@", "\n".join(keys))
    if len(sys.argv) == 4:
        open(sys.argv[3], "w").write(page)
    else:
        sys.stdout.write(page)
    return 0


if __name__ == "__main__":
    sys.exit(main())
