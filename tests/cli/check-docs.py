"""Every command in mgate's command table has its own section in
docs/cli.md, and every option its --help lists (generated from its option
table) is documented in that command's section (the common options in the
"Common options" section). The man page docs/mgate.1 is exactly what
scripts/gen-man.py makes of docs/mgate.1.in and --help, and has the
sections a man page needs.

usage: python3 check-docs.py MGATE ROOT
"""
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import schema_check  # noqa: E402

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


cli_md = open(root + "/docs/cli.md").read()
man = open(root + "/docs/mgate.1").read()
sections = md_sections(cli_md)
made = subprocess.run([sys.executable, root + "/scripts/gen-man.py", mgate, root + "/docs/mgate.1.in"],
                      capture_output=True, text=True)
ok(made.returncode == 0 and made.stdout == man,
   "docs/mgate.1 is not what scripts/gen-man.py generates (run: python3 scripts/gen-man.py build/mgate "
   "docs/mgate.1.in docs/mgate.1) %s" % made.stderr)
for sh in ("NAME", "SYNOPSIS", "DESCRIPTION", "COMMANDS", "COMMON OPTIONS", "ENVIRONMENT", "FILES", "EXIT STATUS",
           "EXAMPLES", "SEE ALSO"):
    ok("\n.SH %s\n" % sh in man, "docs/mgate.1 has no %s section" % sh)
ok("source tree" not in man, "docs/mgate.1 sends readers to the source tree")
# the JSON examples of the docs are documents that validate against their schemas
for doc_name in ("cli.md", "ci.md"):
    for block in re.findall(r"```json\n(.*?)```", open(root + "/docs/" + doc_name).read(), re.S):
        problems = schema_check.check_text(block)
        ok(not problems, "docs/%s: a JSON example does not validate: %s" % (doc_name, problems[:3]))
# the example of a configuration error is what mgate prints for it
m = re.search(r"^mgate: error: /srv/app/alembic.ini:(\d+): (\w+) = '([^']*)' in \[mgate\]: (.*)$", cli_md, re.M)
ok(bool(m), "docs/cli.md: the configuration error example is missing")
if m:
    with tempfile.TemporaryDirectory() as d:
        lines = ["[alembic]", "script_location = %(here)s/migrations", "[mgate]"]
        lines += ["; filler"] * (int(m.group(1)) - len(lines) - 1) + ["%s = %s" % (m.group(2), m.group(3))]
        open(d + "/alembic.ini", "w").write("\n".join(lines) + "\n")
        os.makedirs(d + "/migrations/versions")
        got = subprocess.run([mgate, "heads", "-c", d + "/alembic.ini"], capture_output=True, text=True).stderr
        ok(got.strip() == m.group(0).replace("/srv/app", d), "docs/cli.md's configuration error: mgate says %r" % got)
top = run("--help")
commands = re.findall(r"^    (\S+) ", top.split("commands:", 1)[1].split("\n\n", 1)[0], flags=re.M)
ok(len(commands) >= 20, "the command table lists %d commands" % len(commands))
common_md = sections.get("## Common options", "")
for cmd in commands:
    help_text = run(cmd, "--help")
    heads = [h for h in sections if h.startswith("### ") and re.search(r"`mgate %s[` ]" % re.escape(cmd), h)]
    ok(bool(heads), "command '%s' has no section in docs/cli.md" % cmd)
    ok('.SS "mgate %s' % cmd in man, "command '%s' has no entry in docs/mgate.1" % cmd)
    body = "".join(h + sections[h] for h in heads)
    for opt in options(help_text, "\noptions:\n"):
        ok(opt in body, "%s: '%s' is not in its section of docs/cli.md" % (cmd, opt))
    for opt in options(help_text, "\ncommon options:\n"):
        ok(opt in common_md, "common option '%s' is not in docs/cli.md's Common options" % opt)
for f in failures:
    print(f)
print("%d passed, %d failed" % (passed, len(failures)))
sys.exit(1 if failures else 0)
