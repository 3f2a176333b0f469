"""Every command in docs/runbook.md, run in the scenario its section
describes, with the exit code the runbook states.

Each `## ` section of the runbook (and the introduction before the first)
has a setup here that puts a copy of the demo project in the state the
procedure starts from. Then each line of the section's ```sh blocks runs in
that folder (`mgate` is the binary under test) and must exit with the code
its `# exit N` comment states (0 when it has none); the `key = value` lines
of its ```ini blocks are added to [mgate] first. A section without a setup
fails the test, so the runbook cannot grow an untested procedure.

usage: python3 test_runbook.py MGATE ROOT
"""
import os
import re
import shlex
import shutil
import sqlite3
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
from harness import add_mgate_lines, check, demo_project, finish  # noqa: E402


def run(argv, cwd):
    e = dict(os.environ)
    e.pop("MGATE_DATABASE_URL", None)
    if argv[0] == "mgate":
        argv = [sys.argv[1]] + argv[1:]
    return subprocess.run(argv, cwd=cwd, capture_output=True, text=True, env=e, timeout=300, stdin=subprocess.DEVNULL)


def sections(text):
    """[(title, sh lines, ini lines)] in order; the introduction's title is ''."""
    out, title, body = [], "", []
    for line in text.splitlines() + ["## "]:
        if line.startswith("## "):
            sh, ini, block = [], [], None
            for b in body:
                if b.startswith("```"):
                    block = b[3:].strip() if block is None else None
                    continue
                if block == "sh" and b.strip() and not b.startswith("#"):
                    sh.append(b)
                elif block == "ini" and "=" in b:
                    ini.append(b)
            out.append((title, sh, ini))
            title, body = line[3:].strip(), []
        else:
            body.append(line)
    return out


def setup_intro(demo):
    check("intro setup: backup", run(["mgate", "backup"], demo).returncode == 0)


def setup_deployed(demo):
    r = run(["mgate", "upgrade", "--backup"], demo)
    check("deploy setup: upgraded", r.returncode == 0, r.stdout + r.stderr)


def setup_half_applied(demo):
    with open(os.path.join(demo, "migrations", "versions", "c9_audit_trail.py"), "w") as f:
        f.write('from alembic import op\nimport sqlalchemy as sa\n\nrevision = "c9"\ndown_revision = "e7b2d9f4a1c6"\n\n\n'
                'def upgrade():\n    op.create_table("audit_trail", sa.Column("id", sa.Integer, primary_key=True))\n'
                '    op.execute("INSERT INTO audit_trail_typo (id) VALUES (1)")\n\n\n'
                'def downgrade():\n    op.drop_table("audit_trail")\n')
    r = run(["mgate", "upgrade", "--backup"], demo)
    check("half-applied setup: mgate upgrade exits 4 and names what took effect", r.returncode == 4
          and "half-applied by c9" in r.stdout and "audit_trail" in r.stdout, r.stdout + r.stderr)


def setup_failed_rollback(demo):
    setup_deployed(demo)
    with open(os.path.join(demo, "migrations", "versions", "c9_audit_trail.py"), "w") as f:
        f.write('from alembic import op\nimport sqlalchemy as sa\n\nrevision = "c9"\ndown_revision = "e7b2d9f4a1c6"\n\n\n'
                'def upgrade():\n    op.create_table("audit_trail", sa.Column("id", sa.Integer, primary_key=True))\n\n\n'
                'def downgrade():\n    op.drop_table("audit_trail")\n    op.execute("DELETE FROM audit_trail_archive")\n')
    r = run(["mgate", "upgrade", "--backup"], demo)
    check("failed-rollback setup: c9 upgraded", r.returncode == 0, r.stdout + r.stderr)
    r = run(["mgate", "rollback", "--via", "downgrade", "--yes"], demo)
    check("failed-rollback setup: the downgrade fails with exit 4, says how far it got and what next",
          r.returncode == 4 and "the database is now at: c9" in r.stdout
          and "0 of 1 downgrade steps ran; it stopped in the downgrade() of c9" in r.stdout
          and "half-applied by c9: table audit_trail removed" in r.stdout
          and "the next way back:" in r.stdout and "mgate rollback --via restore --yes" in r.stdout, r.stdout + r.stderr)


def setup_corrupted(demo):
    setup_deployed(demo)
    c = sqlite3.connect(os.path.join(demo, "demo.db"))
    c.execute("DELETE FROM roles WHERE name = 'direction'")
    c.commit()
    c.close()
    r = run(["mgate", "verify"], demo)
    check("corruption setup: the damage is visible", r.returncode == 5 and "direction_role" in r.stdout, r.stdout)


SETUPS = {
    "": setup_intro,
    "Application down after a deploy": setup_deployed,
    "A rollback failed": setup_failed_rollback,
    "A broken or half-applied migration": setup_half_applied,
    "Lost administrator password: the emergency admin account": setup_deployed,
    "Data corruption: restore and replay": setup_corrupted,
}


def main():
    root = sys.argv[2]
    text = open(os.path.join(root, "docs", "runbook.md")).read()
    work = tempfile.mkdtemp(prefix="mgate-runbook-")
    ran = 0
    try:
        for k, (title, sh, ini) in enumerate(sections(text)):
            if title not in SETUPS:
                check("runbook section %r has a test scenario" % title, False)
                continue
            demo, _ = demo_project(root, work, "s%d" % k)
            SETUPS[title](demo)
            if ini:
                add_mgate_lines(demo, "".join(line + "\n" for line in ini))
            for line in sh:
                m = re.search(r"#\s*exit (\d+)", line)
                want = int(m.group(1)) if m else 0
                argv = shlex.split(line, comments=True)
                r = run(argv, demo)
                ran += 1
                check("%s: `%s` exits %d" % (title or "introduction", " ".join(argv)[:80], want), r.returncode == want,
                      "exit %d\n%s%s" % (r.returncode, r.stdout, r.stderr))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    check("the runbook has commands", ran >= 15, ran)
    print("%d commands run" % ran)
    return finish()


if __name__ == "__main__":
    sys.exit(main())
