"""Every JSON document mgate prints validates against its schema in
docs/schema, and every schema there is exercised.

Each command that has `--format json` runs on the SQLite demo (before and
after an upgrade, a rollback, restores, drills, rehearsals, broken
backups), on a git repository (ci, lint), on a broken graph, and on the
demo over a real PostgreSQL server. The GitLab Code Quality report is
checked for what GitLab requires (a unique fingerprint per issue, a path,
a line, a known severity).

usage: python3 test_schemas.py MGATE ROOT
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from harness import PASSWORD, PgServer, check, demo_copy, demo_repo, doc, finish, git  # noqa: E402

PY = "/usr/bin/python3"
MGATE = ROOT = SCRATCH = None
seen = set()  # the schema names validated


def run(cwd, *args, env=None):
    """mgate ARGS --format json in `cwd`: its document, validated."""
    e = dict(os.environ, **(env or {}))
    e.pop("MGATE_DATABASE_URL", None)
    e.pop("GITHUB_ACTIONS", None)
    r = subprocess.run([MGATE, *args, "--format", "json"], cwd=cwd, capture_output=True, text=True, env=e,
                       timeout=600)
    what = " ".join(args)
    if not r.stdout.strip():
        check("%s: prints a document" % what, False, r.stderr)
        return {}
    d = doc(r.stdout, what)
    seen.add(d.get("schema", "?").split("/")[0].replace("mgate.", ""))
    return d


def fresh(name):
    return demo_copy(ROOT, os.path.join(SCRATCH, name))


def alembic_upgrade(d, rev):
    subprocess.run([PY, "-m", "alembic", "-c", "alembic.ini", "upgrade", rev], cwd=d, check=True,
                   capture_output=True)


def sqlite_demo():
    d = fresh("demo")
    alembic_upgrade(d, "8b3f5e6d0c12")
    closed = run(d, "upgrade")
    check("upgrade: closed without a backup", closed.get("result") == "closed" and closed.get("exit") == 1
          and closed.get("to") is None, closed)
    graph = run(d, "graph")
    check("graph: 6 nodes, the merge's two parents", len(graph.get("nodes", [])) == 6 and
          sum(e["to"] == "c3e8f1a6b4d2" for e in graph.get("edges", [])) == 2, graph)
    for args in (["heads"], ["history"], ["status"], ["lint"], ["lint", "--all"], ["rules"], ["check"], ["plan"],
                 ["backup"], ["backup", "--list"], ["check"], ["ledger"], ["doctor"], ["verify"], ["rehearse"],
                 ["drill"], ["drill", "--report"]):
        run(d, *args)
    r = subprocess.run([MGATE, "snapshot", "--out", "before.json"], cwd=d, capture_output=True, text=True)
    check("snapshot --out", r.returncode == 0, r.stderr)
    doc(open(os.path.join(d, "before.json")).read(), "snapshot")
    seen.add("snapshot")
    run(d, "diff", "before.json")
    up = run(d, "upgrade")
    check("upgrade: upgraded and verified", up.get("result") == "upgraded" and up.get("exit") == 0
          and up.get("steps") == 3 and up.get("snapshot", "").startswith("backups/"), up)
    diff = run(d, "diff", "before.json")
    check("diff: the upgrade's tables", len(diff.get("changes", [])) > 0, diff)
    for args in (["status"], ["ledger"], ["verify", "--against", "before.json"], ["check"], ["plan"],
                 ["rollback", "--dry-run"], ["rollback", "--dry-run", "--via", "restore"]):
        run(d, *args)
    r = subprocess.run([MGATE, "rollback", "--format", "json"], cwd=d, capture_output=True, text=True)
    check("rollback json without --dry-run: refused before printing", r.returncode == 2 and not r.stdout,
          r.stdout + r.stderr)
    r = subprocess.run([MGATE, "rollback", "--yes"], cwd=d, capture_output=True, text=True)
    check("rollback", r.returncode == 0, r.stdout + r.stderr)
    restored = run(d, "restore", "newest", "--yes")
    check("restore: paths relative to the root", not restored.get("kept", "x").startswith("/"), restored)
    run(d, "restore", "newest", "--into", "sqlite:///" + os.path.join(SCRATCH, "into.db"))
    run(SCRATCH, "rules")
    run(SCRATCH, "doctor")
    # broken backups: a damaged one, a bad manifest, an interrupted one
    b = os.path.join(d, "backups")
    files = sorted(f for f in os.listdir(b) if f.endswith(".sqlite3"))
    with open(os.path.join(b, files[0]), "a") as f:
        f.write("x")
    open(os.path.join(b, "demo-20261203T999999Z.sqlite3.manifest.json"), "w").write("{bad")
    shutil.copy(os.path.join(b, files[-1]), os.path.join(b, "demo-20261203T999999Z.sqlite3"))
    open(os.path.join(b, ".tmp-demo-20990101T000000Z.sqlite3"), "w").close()
    listing = run(d, "backup", "--list")
    check("backups: the damaged ones listed", len(listing.get("backups", [])) >= 3, listing)
    rep = run(d, "report")
    check("report: the damaged backups, the history", any(x["status"] != "ok" for x in rep["backups"]["backups"])
          and rep["history"]["entries"] > 5, rep.get("backups"))


REVISION = '''"""add email

Revision ID: f1a2b3c4d5e6
Revises: e7b2d9f4a1c6
"""
from alembic import op
import sqlalchemy as sa

revision = 'f1a2b3c4d5e6'
down_revision = 'e7b2d9f4a1c6'


def upgrade():
    op.add_column('users', sa.Column('email', sa.String(200), nullable=False))
    op.drop_column('users', 'name')  # mgate: allow drop-column -- never read since r12
    op.drop_column('users', 'age')
    op.drop_column('users', 'age')


def downgrade():
    op.add_column('users', sa.Column('name', sa.String(100)))
    op.drop_column('users', 'email')
'''


def git_repo():
    d = demo_repo(ROOT, os.path.join(SCRATCH, "repo"))
    git(d, "checkout", "-qb", "f")
    path = os.path.join(d, "migrations", "versions", "f1a2b3c4d5e6_add_email.py")
    open(path, "w").write(REVISION)
    git(d, "add", "-A")
    git(d, "commit", "-qm", "add")
    ci = run(d, "ci", "--base", "main")
    check("ci: root is the work tree", ci.get("root") == d, ci.get("root"))
    run(os.path.join(d, "migrations"), "ci", "-c", "../alembic.ini", "--base", "main")
    run(d, "lint", "--changed", "--base", "main")
    run(d, "lint", "--all", "--strict", "--dialect", "postgresql")
    run(d, "heads", "--expect-single")
    run(SCRATCH, "lint", path)

    # GitLab Code Quality: what GitLab needs of each issue
    for args in (["ci", "--base", "main"], ["lint", "--all"]):
        r = subprocess.run([MGATE, *args, "--format", "codeclimate"], cwd=d, capture_output=True, text=True)
        issues = json.loads(r.stdout)
        prints = [i["fingerprint"] for i in issues]
        check("codeclimate %s: issues" % args[0], len(issues) > 0, r.stdout[:300] + r.stderr)
        check("codeclimate %s: unique fingerprints" % args[0], len(prints) == len(set(prints)), prints)
        check("codeclimate %s: fields" % args[0], all(
            i["type"] == "issue" and i["check_name"] and i["description"] and
            i["severity"] in ("info", "minor", "major", "critical", "blocker") and
            i["location"]["path"] and not i["location"]["path"].startswith("/") and
            i["location"]["lines"]["begin"] >= 1 for i in issues), issues[:2])
        check("codeclimate %s: the unaccepted drop is critical" % args[0],
              any(i["check_name"] == "drop-column" and i["severity"] == "critical" for i in issues), issues)


def broken_graph():
    d = fresh("broken")
    v = os.path.join(d, "migrations", "versions")
    src = open(os.path.join(v, "e7b2d9f4a1c6_normalise_legacy_role_aliases.py")).read()
    src = src.replace("revision = 'e7b2d9f4a1c6'", "revision = 'deadbeef0001'")
    src = src.replace("down_revision = 'c3e8f1a6b4d2'", "down_revision = 'nonexistent99'")
    open(os.path.join(v, "deadbeef0001_x.py"), "w").write(src)
    for args in (["heads"], ["history"], ["status", "--from", "base"]):
        run(d, *args)


def postgres():
    srv = PgServer().start()
    try:
        srv.psql("CREATE DATABASE demo")
        d = fresh("pg")
        ini = open(os.path.join(d, "alembic.ini")).read()
        ini = ini.replace("sqlite:///%(here)s/demo.db", srv.url("demo").replace("%", "%%"))
        ini = ini.replace("[mgate]\n", "[mgate]\nscratch_url = %s\ndrill_max_age = 7\n"
                          % srv.url("postgres").replace("%", "%%"), 1)
        open(os.path.join(d, "alembic.ini"), "w").write(ini)
        alembic_upgrade(d, "8b3f5e6d0c12")
        for args in (["status"], ["lint"], ["plan"], ["check"], ["backup"], ["backup", "--list"], ["check"],
                     ["doctor"], ["ledger"], ["drill"], ["drill", "--report"], ["rehearse"], ["verify"]):
            run(d, *args)
        r = subprocess.run([MGATE, "snapshot", "--out", "before.json"], cwd=d, capture_output=True, text=True)
        doc(open(os.path.join(d, "before.json")).read(), "pg snapshot")
        r = subprocess.run([MGATE, "upgrade", "c3e8f1a6b4d2"], cwd=d, capture_output=True, text=True)
        check("pg upgrade", r.returncode == 0, r.stdout + r.stderr)
        for args in (["diff", "before.json"], ["rollback", "--dry-run"], ["rollback", "--dry-run", "--via", "restore"],
                     ["status"], ["restore", "newest", "--yes"], ["ledger"], ["report"]):
            run(d, *args)
        # the page on PostgreSQL: live locks and row counts, and never the password
        r = subprocess.run([MGATE, "report", "--out", "report.html"], cwd=d, capture_output=True, text=True)
        html = open(os.path.join(d, "report.html"), encoding="utf-8").read()
        check("pg report page", r.returncode == 0 and 'id="verdict"' in html and "<svg" in html, r.stderr)
        check("pg report page: no password", PASSWORD not in html and PASSWORD not in r.stdout + r.stderr)
    finally:
        srv.stop()


def main():
    global MGATE, ROOT, SCRATCH
    MGATE, ROOT = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    SCRATCH = tempfile.mkdtemp(prefix="mgate-schemas-")
    os.chmod(SCRATCH, 0o755)
    try:
        sqlite_demo()
        git_repo()
        broken_graph()
        postgres()
    finally:
        shutil.rmtree(SCRATCH, ignore_errors=True)
    shipped = {f[:-len(".schema.json")] for f in os.listdir(os.path.join(ROOT, "docs", "schema"))}
    check("every shipped schema is exercised", shipped <= seen, sorted(shipped - seen))
    check("every document has a shipped schema", seen <= shipped, sorted(seen - shipped))
    return finish()


if __name__ == "__main__":
    sys.exit(main())
