"""`mgate plan` against real databases: the steps are exactly what
`alembic upgrade` will run (the same order as `mgate status`), each
operation is described on its own line with the lock it takes and the
size of its table, data loss is marked, and findings come with the step.

usage: python3 test_plan.py MGATE ROOT
"""
import json
import os
import shutil
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
from harness import ENV_ONLINE, PgServer, alembic, check, demo_project, finish, mgate, doc  # noqa: E402












def sqlite_case(root, work):
    demo, _ = demo_project(root, work, "demo", at="4c7e1d2a9f30")
    r = mgate(["plan", "--pg-version", "x"], demo)
    check("sqlite: a bad --pg-version is a usage error", r.returncode == 2 and "--pg-version 'x': expected" in r.stderr,
          r.stdout + r.stderr)
    r = mgate(["plan", "--format", "json"], demo)
    check("sqlite: exit 0", r.returncode == 0, r.stderr)
    plan = doc(r.stdout)
    st = json.loads(mgate(["status", "--format", "json"], demo).stdout)
    check("sqlite: same steps as status", [s["revision"] for s in plan["steps"]] ==
          [s["revision"] for s in st["pending"]], (plan["steps"], st["pending"]))
    last = plan["steps"][-1]
    deletes = [o for o in last["operations"] if "delete on roles" in o["description"]]
    check("sqlite: SQL described", deletes and deletes[0]["lock"].endswith("(SQLite)") and deletes[0]["line"] == 33,
          last["operations"])
    creates = [o for s in plan["steps"] for o in s["operations"] if o["description"].startswith("creates table")]
    check("sqlite: tables created", len(creates) == 2, creates)
    r = mgate(["plan"], demo)
    check("sqlite: text", r.returncode == 0 and "1. " in r.stdout and "lock:" in r.stdout, r.stdout)
    alembic(demo, "upgrade", "heads")
    r = mgate(["plan", "--format", "json"], demo)
    check("sqlite: nothing to do", doc(r.stdout)["steps"] == [], r.stdout)


def pg_case(work):
    with PgServer() as pg:
        pg.psql("CREATE DATABASE app")
        url = pg.url(db="app", driver="psycopg2")
        proj = os.path.join(work, "pg")
        vdir = os.path.join(proj, "migrations", "versions")
        os.makedirs(vdir)
        with open(os.path.join(proj, "alembic.ini"), "w") as f:
            f.write("[alembic]\nscript_location = %(here)s/migrations\nsqlalchemy.url = " + url.replace("%", "%%") + "\n")
        with open(os.path.join(proj, "migrations", "env.py"), "w") as f:
            f.write(ENV_ONLINE)
        with open(os.path.join(vdir, "a1.py"), "w") as f:
            f.write('from alembic import op\nimport sqlalchemy as sa\nrevision = "a1"\ndown_revision = None\n\n'
                    'def upgrade():\n    op.create_table("users", sa.Column("id", sa.Integer(), primary_key=True),'
                    ' sa.Column("email", sa.Text()), sa.Column("legacy", sa.Text()))\n\n'
                    'def downgrade():\n    op.drop_table("users")\n')
        with open(os.path.join(vdir, "b2.py"), "w") as f:
            f.write('from alembic import op\nimport sqlalchemy as sa\nrevision = "b2"\ndown_revision = "a1"\n\n'
                    'def upgrade():\n'
                    '    op.create_index("ix_users_email", "users", ["email"])\n'
                    '    with op.get_context().autocommit_block():\n'
                    '        op.create_index("ix_users_legacy", "users", ["legacy"], postgresql_concurrently=True)\n'
                    '    op.drop_column("users", "legacy")\n'
                    '    op.execute("UPDATE users SET email = lower(email) WHERE email IS NOT NULL")\n\n'
                    'def downgrade():\n    op.add_column("users", sa.Column("legacy", sa.Text()))\n')
        alembic(proj, "upgrade", "a1")
        pg.psql("INSERT INTO users SELECT g, 'u' || g || '@x', 'l' FROM generate_series(1, 3000) g", db="app")
        pg.psql("ANALYZE users", db="app")
        r = mgate(["plan", "--format", "json"], proj)
        check("pg: exit 0", r.returncode == 0, r.stderr)
        plan = doc(r.stdout)
        ops = plan["steps"][0]["operations"] if plan.get("steps") else []
        by_line = {o["line"]: o for o in ops}
        check("pg: index SHARE", by_line.get(7, {}).get("lock", "").startswith("SHARE (blocks writes)"), ops)
        check("pg: concurrently SUE", by_line.get(9, {}).get("lock", "").startswith("SHARE UPDATE EXCLUSIVE"), ops)
        check("pg: drop column AE + data loss", by_line.get(10, {}).get("lock", "").startswith("ACCESS EXCLUSIVE")
              and by_line.get(10, {}).get("data_loss") is True, ops)
        check("pg: update ROW EXCLUSIVE", by_line.get(11, {}).get("lock", "").startswith("ROW EXCLUSIVE"), ops)
        check("pg: table size", by_line.get(7, {}).get("rows") == 3000, ops)
        rules = {f["rule"] for f in plan["steps"][0]["findings"]} if plan.get("steps") else set()
        check("pg: findings with the step", {"drop-column", "create-index-not-concurrently"} <= rules, rules)


def main():
    root = sys.argv[2]
    work = tempfile.mkdtemp(prefix="mgate-plan-")
    try:
        sqlite_case(root, work)
        pg_case(work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return finish()


if __name__ == "__main__":
    sys.exit(main())
