"""Every command in mgate's command table has its own section in
docs/cli.md and its own entry in the man page, and every option its
--help lists (generated from its option table) is documented in that
command's section (the common options in the "Common options" section).

usage: python3 check-docs.py MGATE ROOT
"""
import re
import subprocess
import sys

mgate, root = sys.argv[1], sys.argv[2]
failures = []
passed = 0


def ok(cond, what):
    global passed
    if cond:
        passed += 1
    else:
        failures.append(what)


def run(*args):
    return subprocess.run([mgate, *args], capture_output=True, text=True).stdout


def options(help_text, heading):
    """The long options listed under `heading` in a --help text."""
    block = help_text.split(heading, 1)[1] if heading in help_text else ""
    block = block.split("\n\n", 1)[0]
    return sorted(set(re.findall(r"--[a-z][a-z-]+", block)))


def md_sections(text):
    """cli.md's `### ...` sections: heading -> body (to the next heading)."""
    parts = re.split(r"^(#{2,3} .*)$", text, flags=re.M)
    return {parts[i]: parts[i + 1] for i in range(1, len(parts) - 1, 2)}


def man_entries(text):
    """The man page's COMMANDS entries: command -> its .TP block."""
    body = text.split(".SH COMMANDS", 1)[1].split("\n.SH ", 1)[0]
    out = {}
    for block in body.split(".TP\n")[1:]:
        m = re.match(r"\.B (\S+)", block)
        if m:
            out.setdefault(m.group(1), "")
            out[m.group(1)] += block
    return out


def man_section(text, name):
    return text.split(".SH " + name, 1)[1].split("\n.SH ", 1)[0] if ".SH " + name in text else ""


cli_md = open(root + "/docs/cli.md").read()
man = open(root + "/docs/mgate.1").read()
sections = md_sections(cli_md)
entries = man_entries(man)
top = run("--help")
commands = re.findall(r"^    (\S+) ", top.split("commands:", 1)[1].split("\n\n", 1)[0], flags=re.M)
ok(len(commands) >= 20, "the command table lists %d commands" % len(commands))
common_md = sections.get("## Common options", "")
common_man = man_section(man, "COMMON OPTIONS")
for cmd in commands:
    help_text = run(cmd, "--help")
    heads = [h for h in sections if h.startswith("### ") and re.search(r"`mgate %s[` ]" % re.escape(cmd), h)]
    ok(bool(heads), "command '%s' has no section in docs/cli.md" % cmd)
    ok(cmd in entries, "command '%s' has no entry in docs/mgate.1" % cmd)
    body = "".join(h + sections[h] for h in heads)
    man_body = entries.get(cmd, "")
    for opt in options(help_text, "\noptions:\n"):
        ok(opt in body, "%s: '%s' is not in its section of docs/cli.md" % (cmd, opt))
        ok(opt.replace("-", "\\-") in man_body, "%s: '%s' is not in its entry of docs/mgate.1" % (cmd, opt))
    for opt in options(help_text, "\ncommon options:\n"):
        ok(opt in common_md, "common option '%s' is not in docs/cli.md's Common options" % opt)
        ok(opt.replace("-", "\\-") in common_man, "common option '%s' is not in docs/mgate.1's COMMON OPTIONS" % opt)
for f in failures:
    print(f)
print("%d passed, %d failed" % (passed, len(failures)))
sys.exit(1 if failures else 0)
