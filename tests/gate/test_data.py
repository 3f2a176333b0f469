"""`mgate upgrade` accounts for the rows: per table, what was inserted,
updated and deleted while Alembic ran, held against what the applied
revisions declare. On SQLite (exact, row by row) and PostgreSQL (the
server's counters), with the real Alembic:

- a revision that deletes rows through code mgate cannot read (a helper
  that loops over a query's result) makes the upgrade exit 5 with
  `undeclared-data-loss`, naming the table, the count and the restore;
- the same rows deleted by a declared DELETE pass, and are counted;
- a backfill UPDATE of a new column is counted, and passes;
- PostgreSQL: inserts from another session during the upgrade are
  reported as theirs (other sessions were active), not as the revision's;
- the JSON document and the audit entry carry the per-table figures.

usage: python3 test_data.py MGATE ROOT
"""
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
from harness import PgServer, alembic, check, doc, finish, mgate, url_project  # noqa: E402

BASE = ('from alembic import op\nimport sqlalchemy as sa\nrevision = "r1"\ndown_revision = None\n\n\n'
        'def upgrade():\n    op.create_table("users", sa.Column("id", sa.Integer(), primary_key=True),'
        ' sa.Column("name", sa.Text()))\n\n\ndef downgrade():\n    op.drop_table("users")\n')

HEAD = 'from alembic import op\nimport sqlalchemy as sa\nrevision = "r2"\ndown_revision = "r1"\n\n\n'

# deletes through code mgate cannot read: the table comes from a query's result
HIDDEN = HEAD + ('def _tidy(bind):\n    for (name,) in bind.execute(sa.text("SELECT \'users\'")):\n'
                 '        bind.execute(sa.text("DELETE FROM " + name + " WHERE id > 100"))\n\n\n'
                 'def upgrade():\n    _tidy(op.get_bind())\n\n\ndef downgrade():\n    op.execute("SELECT 1")\n')
DECLARED = HEAD + ('def upgrade():\n    op.execute("DELETE FROM users WHERE id > 100")\n\n\n'
                   'def downgrade():\n    op.execute("SELECT 1")\n')
BACKFILL = HEAD + ('def upgrade():\n    op.add_column("users", sa.Column("flag", sa.Integer(), nullable=True))\n'
                   '    op.execute("UPDATE users SET flag = 1")\n\n\n'
                   'def downgrade():\n    op.drop_column("users", "flag")\n')
SLOW = HEAD + ('def upgrade():\n    op.add_column("users", sa.Column("flag", sa.Integer(), nullable=True))\n'
               '    op.execute("SELECT pg_sleep(3)")\n\n\n'
               'def downgrade():\n    op.drop_column("users", "flag")\n')


def project(work, name, url, head, fill):
    """A project at r1 with 300 users, and `head` as r2."""
    folder = os.path.join(work, name)
    vdir = url_project(folder, url(name), "backup_dir = %(here)s/backups\naudit_log = %(here)s/audit.jsonl\n")
    open(os.path.join(vdir, "r1.py"), "w").write(BASE)
    open(os.path.join(vdir, "r2.py"), "w").write(head)
    alembic(folder, "upgrade", "r1")
    fill(name)
    return folder


def upgrade(folder, fmt="text"):
    return mgate(["upgrade", "--backup"] + (["--format", "json"] if fmt == "json" else []), folder)


def cases(label, work, url, fill, count, write_more):
    # hidden deletes: exit 5, named, counted, with the way back
    p = project(work, "hidden", url, HIDDEN, fill)
    r = upgrade(p)
    check("%s: hidden deletes: exit 5" % label, r.returncode == 5, r.stdout + r.stderr)
    check("%s: undeclared-data-loss names the table, count and revision" % label,
          "undeclared-data-loss" in r.stdout and "200 rows deleted from" in r.stdout and "users" in r.stdout
          and "while r2 ran" in r.stdout, r.stdout)
    check("%s: ... and the restore that undoes it" % label, "mgate restore " in r.stdout and "--yes" in r.stdout,
          r.stdout)
    check("%s: the rows are really gone (the finding is not invented)" % label, count("hidden") == 100)
    log = [json.loads(x) for x in open(os.path.join(p, "audit.jsonl"))]
    data = [e.get("data") for e in log if e.get("command") == "upgrade" and e.get("alembic_ran")]
    tables = (data[-1] or {}).get("tables", {}) if data else {}
    users = [v for k, v in tables.items() if k.endswith("users")]
    check("%s: the audit entry holds the figures" % label, users and users[0]["deleted"] == 200, data)

    # declared: passes, counted
    p = project(work, "declared", url, DECLARED, fill)
    r = upgrade(p, "json")
    up = doc(r.stdout, "upgrade") if r.stdout.startswith("{") else {}
    users = [v for k, v in ((up.get("data") or {}).get("tables") or {}).items() if k.endswith("users")]
    check("%s: a declared DELETE passes" % label, r.returncode == 0 and up.get("result") == "upgraded",
          r.stdout[-1500:] + r.stderr[-1500:])
    check("%s: ... and is counted" % label, users and users[0]["deleted"] == 200 and users[0]["inserted"] == 0, up)
    # the way back by restore loses what users wrote since, not the upgrade's own 200 deletes
    r = mgate(["rollback", "--dry-run", "--format", "json"], p)
    ways = doc(r.stdout, "rollback") if r.stdout.startswith("{") else {}
    rest = [w for k, w in ways.items() if isinstance(w, dict) and "writes_since" in w]
    check("%s: rollback: the restore's writes lost leave out the upgrade's own" % label,
          rest and rest[0]["writes_since"] == 0 and "upgrade's own" in rest[0]["writes_basis"], ways)
    write_more(p)
    r = mgate(["rollback", "--dry-run", "--format", "json"], p)
    ways = doc(r.stdout, "rollback") if r.stdout.startswith("{") else {}
    rest = [w for k, w in ways.items() if isinstance(w, dict) and "writes_since" in w]
    check("%s: rollback: ... and count the users' writes since" % label, rest and rest[0]["writes_since"] == 5, ways)

    # backfill: counted, passes
    p = project(work, "backfill", url, BACKFILL, fill)
    r = upgrade(p)
    check("%s: a backfill passes" % label, r.returncode == 0 and "undeclared" not in r.stdout, r.stdout + r.stderr)
    check("%s: ... and its updates are counted" % label, "300 updated" in r.stdout, r.stdout)


def sqlite_cases(work):
    def url(name):
        return "sqlite:///" + os.path.join(work, name, "app.db")

    def fill(name):
        c = sqlite3.connect(os.path.join(work, name, "app.db"))
        c.executemany("INSERT INTO users (id, name) VALUES (?, ?)", [(i, "user %d" % i) for i in range(1, 301)])
        c.commit()
        c.close()

    def count(name):
        c = sqlite3.connect(os.path.join(work, name, "app.db"))
        n = c.execute("SELECT count(*) FROM users").fetchone()[0]
        c.close()
        return n

    def write_more(folder):
        c = sqlite3.connect(os.path.join(folder, "app.db"))
        c.executemany("INSERT INTO users (id, name) VALUES (?, ?)", [(i, "late") for i in range(2001, 2006)])
        c.commit()
        c.close()

    cases("sqlite", work, url, fill, count, write_more)
    r = mgate(["upgrade", "--backup"], project(work, "sqlite-exact", url, DECLARED, fill))
    check("sqlite: the figures say they are exact", "rows changed (exact)" in r.stdout, r.stdout)


def pg_cases(work):
    with PgServer() as pg:
        def url(name):
            pg.psql("CREATE DATABASE %s" % name.replace("-", "_"))
            return pg.url(db=name.replace("-", "_"), driver="psycopg2")

        def fill(name):
            pg.psql("INSERT INTO users (id, name) SELECT i, 'user ' || i FROM generate_series(1, 300) i",
                    db=name.replace("-", "_"))

        def count(name):
            return int(pg.psql("SELECT count(*) FROM users", db=name.replace("-", "_")).strip())

        def write_more(folder):
            pg.psql("INSERT INTO users (id, name) SELECT i, 'late' FROM generate_series(2001, 2005) i",
                    db=os.path.basename(folder).replace("-", "_"))

        cases("pg", work, url, fill, count, write_more)

        # another session inserts while the upgrade runs: reported as such, not the revision's doing
        p = project(work, "concurrent", url, SLOW, fill)
        import psycopg2
        stop = threading.Event()

        def writer():
            c = psycopg2.connect(pg.url(db="concurrent"))
            c.autocommit = True
            i = 1000
            while not stop.is_set():
                c.cursor().execute("INSERT INTO users (id, name) VALUES (%s, 'walk-in')", (i,))
                i += 1
                time.sleep(0.05)
            c.close()
        t = threading.Thread(target=writer)
        t.start()
        try:
            r = upgrade(p)
        finally:
            stop.set()
            t.join()
        check("pg: concurrent inserts: upgraded", r.returncode == 0, r.stdout + r.stderr)
        check("pg: ... reported as other sessions' writes", "other sessions were active too" in r.stdout
              and "inserted" in r.stdout and "undeclared" not in r.stdout, r.stdout)


def main():
    work = tempfile.mkdtemp(prefix="mgate-data-")
    os.chmod(work, 0o755)
    try:
        sqlite_cases(os.path.join(work, "s") if os.makedirs(os.path.join(work, "s")) is None else work)
        pg_cases(work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return finish()


if __name__ == "__main__":
    sys.exit(main())
