"""`mgate rehearse` end to end with the real Alembic: on SQLite (durations,
verification, the round trip through a merge) and on PostgreSQL, where a
revision that changes a column's type is reported as rewriting its table
under an ACCESS EXCLUSIVE lock. The real database is checked to be
untouched, and an env.py that may take its URL from elsewhere is refused.

usage: python3 test_rehearse.py MGATE ROOT
"""
import glob
import json
import os
import shutil
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
from harness import PgServer, alembic, check, demo_project, finish, mgate, sha, url_project, write_revision, doc  # noqa: E402,E501


ENV_BOTH = '''from alembic import context
from sqlalchemy import engine_from_config, pool

config = context.config
if context.is_offline_mode():
    context.configure(url=config.get_main_option("sqlalchemy.url"), literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    engine = engine_from_config(config.get_section(config.config_ini_section), prefix="sqlalchemy.",
                                poolclass=pool.NullPool)
    with engine.connect() as connection:
        context.configure(connection=connection)
        with context.begin_transaction():
            context.run_migrations()
'''














def sqlite_case(root, work):
    demo, db = demo_project(root, work, "demo")
    mgate(["backup"], demo)
    before = sha(db)
    r = mgate(["rehearse", "--format", "json"], demo)
    d = doc(r.stdout) if r.stdout.strip() else {}
    check("sqlite: rehearsal passes", r.returncode == 0 and d.get("result") == "pass", r.stdout + r.stderr)
    check("sqlite: each revision ran and was timed", [s["revision"] for s in d.get("steps", [])] ==
          ["a9d4c2b7e5f8", "c3e8f1a6b4d2", "e7b2d9f4a1c6"] and all(s["ran"] and s["duration_ms"] > 0
                                                                   for s in d["steps"]), d.get("steps"))
    check("sqlite: the round trip through the merge", d.get("round_trip", {}).get("passed") is True
          and d["round_trip"]["commands"] == ["8b3f5e6d0c12", "a9d4c2b7e5f8@-1"], d.get("round_trip"))
    check("sqlite: the real database is untouched", sha(db) == before)
    check("sqlite: the scratch copy and the ini copy are gone", not glob.glob(os.path.join(demo, ".mgate-rehearse-*"))
          and not [p for p in glob.glob("/tmp/mgate_rehearse_*") if d.get("scratch", "?").endswith(p)])

    # an env.py that reads the URL from the environment is refused until configured
    env = os.path.join(demo, "migrations", "env.py")
    text = open(env).read()
    open(env, "w").write("import os\nURL = os.environ.get('DATABASE_URL')\n" + text)
    r = mgate(["rehearse"], demo)
    check("sqlite: env.py reading the environment: refused", r.returncode == 2 and "rehearse_url_env" in r.stderr
          and "env.py:2" in r.stderr, r.stdout + r.stderr)
    check("sqlite: still untouched", sha(db) == before)


def pg_case(work):
    with PgServer() as pg:
        pg.psql("CREATE DATABASE app")
        url = pg.url(db="app")
        proj = os.path.join(work, "pg")
        vdir = url_project(proj, url, "backup_dir = backups\naudit_log = audit.jsonl\n", env=ENV_BOTH)

        def rev(rid, down, up, dn):
            write_revision(vdir, rid, down, up, dn)
        rev("r1", None, 'op.create_table("items", sa.Column("id", sa.Integer(), primary_key=True), '
            'sa.Column("n", sa.Integer()))\n    op.execute("INSERT INTO items SELECT g, g FROM generate_series(1, 500) g")',
            'op.drop_table("items")')
        rev("r2", "r1", 'op.alter_column("items", "n", type_=sa.BigInteger())',
            'op.alter_column("items", "n", type_=sa.Integer())')
        rev("r3", "r2", 'op.add_column("items", sa.Column("note", sa.Text(), nullable=True))',
            'op.drop_column("items", "note")')
        rev("r4", "r3", 'op.add_column("items", sa.Column("at", sa.DateTime(), server_default=sa.func.now()))\n'
            '    op.create_index("ix_items_n", "items", ["n"])',
            'op.drop_index("ix_items_n", table_name="items")\n    op.drop_column("items", "at")')
        alembic(proj, "upgrade", "r1")
        mgate(["backup"], proj)
        r = mgate(["rehearse", "--format", "json"], proj)
        d = doc(r.stdout) if r.stdout.strip() else {}
        check("pg: rehearsal passes", r.returncode == 0 and d.get("result") == "pass", r.stdout + r.stderr)
        steps = {s["revision"]: s for s in d.get("steps", [])}
        r2 = steps.get("r2", {})
        alter = [s for s in r2.get("statements", []) if "ALTER TABLE items ALTER COLUMN n TYPE BIGINT" in s["sql"]]
        check("pg: r2 observed", r2.get("observed") is True and alter, r2)
        check("pg: the type change rewrites items", alter and alter[0]["rewrites"] == ["items"], alter)
        check("pg: under an ACCESS EXCLUSIVE lock", alter and "ACCESS EXCLUSIVE on items" in alter[0]["locks"], alter)
        r3 = steps.get("r3", {})
        add = [s for s in r3.get("statements", []) if "ADD COLUMN note" in s["sql"]]
        check("pg: adding a nullable column rewrites nothing", add and add[0]["rewrites"] == []
              and "ACCESS EXCLUSIVE on items" in add[0]["locks"], r3)
        r4 = steps.get("r4", {})
        stamp = [s for s in r4.get("statements", []) if "ADD COLUMN at" in s["sql"]]
        index = [s for s in r4.get("statements", []) if "CREATE INDEX ix_items_n" in s["sql"]]
        check("pg: op.add_column with server_default=now(): its lock (now() is stable: no rewrite since PG 11)",
              stamp and "ACCESS EXCLUSIVE on items" in stamp[0]["locks"], r4)
        check("pg: op.create_index: a SHARE lock, which blocks writes", index and "SHARE on items" in index[0]["locks"],
              r4)
        check("pg: the round trip", d.get("round_trip", {}).get("passed") is True, d.get("round_trip"))
        check("pg: the real database is untouched", pg.psql("SELECT version_num FROM alembic_version", db="app")
              .strip() == "r1" and pg.psql("SELECT data_type FROM information_schema.columns WHERE table_name = "
                                          "'items' AND column_name = 'n'", db="app").strip() == "integer")
        check("pg: the scratch database is dropped", "mgate_rehearse" not in pg.psql("SELECT datname FROM pg_database"))
        r = mgate(["rehearse"], proj)
        check("pg: text report", r.returncode == 0 and "REWRITES items" in r.stdout
              and "lock: ACCESS EXCLUSIVE on items" in r.stdout and "rehearsal: PASS" in r.stdout, r.stdout + r.stderr)


def main():
    root = sys.argv[2]
    work = tempfile.mkdtemp(prefix="mgate-rehearse-")
    try:
        sqlite_case(root, work)
        pg_case(work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return finish()


if __name__ == "__main__":
    sys.exit(main())
