"""`mgate lint` against a real PostgreSQL: by default it lints exactly the
revisions the database has not applied (the real Alembic applies the first
ones), it judges for the server's major version, and a database it cannot
reach is one clear line (exit 3 with --pending; a note and every revision
without it), with the password never printed.

usage: python3 test_lint_pg.py MGATE ROOT
"""
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from harness import ENV_ONLINE, PgServer, check, finish, doc  # noqa: E402
from harness import mgate as run  # noqa: E402

REVS = [
    ("a1", None, 'op.create_table("accounts", sa.Column("id", sa.Integer(), primary_key=True))',
     'op.drop_table("accounts")'),
    ("b2", "a1", 'op.add_column("accounts", sa.Column("plan", sa.String(20), nullable=False))',
     'op.drop_column("accounts", "plan")'),
    ("c3", "b2", 'op.add_column("accounts", sa.Column("tier", sa.String(20), server_default="free"))',
     'op.drop_column("accounts", "tier")'),
    ("d4", "c3", 'op.create_index("ix_accounts_tier", "accounts", ["tier"])',
     'op.drop_index("ix_accounts_tier", table_name="accounts")'),
]

def write_project(root, url):
    os.makedirs(os.path.join(root, "migrations", "versions"))
    with open(os.path.join(root, "alembic.ini"), "w") as f:
        f.write("[alembic]\nscript_location = %(here)s/migrations\nsqlalchemy.url = " + url.replace("%", "%%") + "\n")
    with open(os.path.join(root, "migrations", "env.py"), "w") as f:
        f.write(ENV_ONLINE)
    with open(os.path.join(root, "migrations", "script.py.mako"), "w") as f:
        f.write("")
    for rev, down, up, dn in REVS:
        with open(os.path.join(root, "migrations", "versions", rev + ".py"), "w") as f:
            f.write('"""%s"""\nfrom alembic import op\nimport sqlalchemy as sa\n\nrevision = "%s"\n'
                    'down_revision = %s\n\n\ndef upgrade():\n    %s\n\n\ndef downgrade():\n    %s\n'
                    % (rev, rev, repr(down), up, dn))


def main():
    with PgServer() as pg, tempfile.TemporaryDirectory() as root:
        pg.psql("CREATE DATABASE app")
        url = pg.url(db="app", driver="psycopg2")
        write_project(root, url)
        up = subprocess.run(["/usr/bin/python3", "-m", "alembic", "upgrade", "b2"], cwd=root,
                            capture_output=True, text=True, timeout=120)
        check("alembic upgrade b2", up.returncode == 0, up.stderr[-800:])
        server_major = int(pg.psql("SHOW server_version_num", db="app").split()[-1]) // 10000 \
            if pg.psql("SHOW server_version_num", db="app").split()[-1].isdigit() else None

        # default: the pending revisions (c3, d4), judged for the server's version
        r = run(["lint", "--format", "json"], root)
        report = doc(r.stdout) if r.stdout else {}
        summary = report.get("summary", {})
        revs = {f["revision"] for f in report.get("findings", [])}
        check("default lints pending only", summary.get("revisions") == 2, summary)
        check("findings only in pending revisions", revs <= {"c3", "d4"} and "d4" in revs, revs)
        check("no finding for the applied b2", not any(f["revision"] == "b2" for f in report.get("findings", [])))
        check("pg version from the server", summary.get("pg_version_from") == "server", summary)
        if server_major:
            check("pg version is the server's", summary.get("pg_version") == server_major, summary)
        check("constant default is fine on 11+",
              not any(f["rule"] == "add-column-volatile-default" for f in report.get("findings", [])))
        check("exit 0 with only warnings", r.returncode == 0, r.returncode)

        # the same revisions judged for PostgreSQL 10: the constant default rewrites the table
        r = run(["lint", "--pending", "--pg-version", "10", "--format", "json"], root)
        report = doc(r.stdout)
        check("pg 10 flags the default", any(f["rule"] == "add-column-volatile-default" and f["revision"] == "c3"
                                              for f in report["findings"]), r.stdout[-500:])
        check("exit 1 on error findings", r.returncode == 1, r.returncode)

        # --all with an explicit --db still asks the server for its version
        r = run(["lint", "--all", "--db", url, "--format", "json"], root)
        summary = doc(r.stdout)["summary"]
        check("--all lints everything", summary["revisions"] == 4, summary)
        check("--all --db: server version", summary["pg_version_from"] == "server", summary)
        check("b2 is an error under --all", r.returncode == 1, r.returncode)

        # an unreachable database
        bad = pg.url(db="app", password="not-the-password")
        r = run(["lint", "--pending", "--db", bad], root)
        check("--pending: exit 3", r.returncode == 3, (r.returncode, r.stderr))
        check("--pending: one line", len(r.stderr.strip().splitlines()) == 1, r.stderr)
        r = run(["lint", "--format", "json"], root, env={"MGATE_DATABASE_URL": bad})
        check("default: falls back to every revision", r.returncode in (0, 1)
              and doc(r.stdout)["summary"]["revisions"] == 4, (r.returncode, r.stderr))
        check("default: says so", "every revision is linted" in r.stderr, r.stderr)

    return finish(secrets=("not-the-password",))


if __name__ == "__main__":
    sys.exit(main())
