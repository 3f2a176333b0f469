"""`mgate check` end to end with the real Alembic, on a copy of the SQLite
demo project and on a real PostgreSQL: a gate that opens, a gate closed by
each checklist item (graph, state, backup: none, stale, other revisions,
damaged; rollback; rules; locks; invariants), the --no-backup-check
override and its reason, table sizes from statistics (an empty table is
no lock risk), and the output formats.

usage: python3 test_check.py MGATE ROOT
"""
import fcntl
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
from harness import ENV_ONLINE, PASSWORD, PgServer, alembic, check, demo_project, finish, mgate, doc  # noqa: E402









def gate(cwd, *args):
    r = mgate(["check", "--format", "json", *args], cwd)
    try:
        j = doc(r.stdout)
    except ValueError:
        j = {"verdict": None, "checks": [], "raw": r.stdout + r.stderr}
    return r.returncode, j, {c["name"]: c for c in j.get("checks", [])}





def sqlite_cases(root, work):
    demo, _ = demo_project(root, work, "demo",
                           extra="invariant.admin_role = SELECT count(*) FROM roles WHERE name = 'admin_tech' => 1\n")
    subprocess.run(["sqlite3", os.path.join(demo, "demo.db"),
                    "INSERT INTO roles (name) VALUES ('admin_tech')"], capture_output=True)

    rc, j, c = gate(demo)
    check("no backup: closed", rc == 1 and j["verdict"] == "closed", j)
    check("no backup: backup fails", c.get("backup", {}).get("status") == "fail", c.get("backup"))
    check("pending listed", j.get("pending") == ["a9d4c2b7e5f8", "c3e8f1a6b4d2", "e7b2d9f4a1c6"], j.get("pending"))
    check("current", j.get("current") == ["8b3f5e6d0c12"], j.get("current"))
    check("invariant holds", c.get("invariants", {}).get("status") == "pass", c.get("invariants"))

    r = mgate(["check", "--no-backup-check"], demo)
    check("override needs a reason", r.returncode == 2 and "--reason" in r.stderr, r.stderr)
    rc, j, c = gate(demo, "--no-backup-check", "--reason", "staging, rebuilt nightly")
    check("override: open", rc == 0 and j["verdict"] == "open", j)
    check("override: recorded", "staging, rebuilt nightly" in c["backup"]["summary"] and c["backup"]["status"] == "warn",
          c["backup"])

    r = mgate(["backup"], demo)
    check("backup taken", r.returncode == 0, r.stderr)
    rc, j, c = gate(demo)
    check("fresh backup: open", rc == 0 and j["verdict"] == "open", j)
    r = mgate(["check"], demo)
    check("text: checklist", "[pass] backup" in r.stdout and "gate: OPEN" in r.stdout, r.stdout)
    r = mgate(["doctor"], demo)
    check("doctor: all OK", r.returncode == 0 and "0 problems" in r.stdout and "PROBLEM" not in r.stdout, r.stdout)
    check("doctor: resolved config", "version table      'alembic_version' at 8b3f5e6d0c12" in r.stdout
          and "alembic " in r.stdout and "1 of this database" in r.stdout, r.stdout)
    r = mgate(["doctor", "--db", "postgresql://app:Doctor-Secret@127.0.0.1:1/prod"], demo)
    check("doctor: a problem", r.returncode == 1 and "PROBLEM  database" in r.stdout
          and "Doctor-Secret" not in r.stdout + r.stderr and "app:***@" in r.stdout, r.stdout)

    bdir = os.path.join(demo, "backups")
    mani = [f for f in os.listdir(bdir) if f.endswith(".manifest.json")][0]
    mpath = os.path.join(bdir, mani)
    m = json.load(open(mpath))
    old = dict(m, created=int(time.time()) - 48 * 3600)
    json.dump(old, open(mpath, "w"))
    rc, j, c = gate(demo)
    check("stale backup: closed", rc == 1 and "h old" in c["backup"]["summary"], c["backup"])
    json.dump(m, open(mpath, "w"))

    bfile = os.path.join(bdir, m["file"])
    data = bytearray(open(bfile, "rb").read())
    data[200] ^= 1
    open(bfile, "wb").write(bytes(data))
    rc, j, c = gate(demo)
    check("damaged backup: closed", rc == 1 and "fails verification" in c["backup"]["summary"], c["backup"])
    data[200] ^= 1
    open(bfile, "wb").write(bytes(data))

    # the lock held by someone else
    lockf = open(os.path.join(demo, "demo.db.mgate-lock"), "a")
    fcntl.flock(lockf, fcntl.LOCK_EX | fcntl.LOCK_NB)
    rc, j, c = gate(demo)
    check("lock held: closed", rc == 1 and c["locks"]["status"] == "fail", c.get("locks"))
    fcntl.flock(lockf, fcntl.LOCK_UN)
    lockf.close()

    # an invariant that fails
    subprocess.run(["sqlite3", os.path.join(demo, "demo.db"), "DELETE FROM roles WHERE name = 'admin_tech'"],
                   capture_output=True)
    rc, j, c = gate(demo)
    check("invariant fails: closed", rc == 1 and c["invariants"]["status"] == "fail", c["invariants"])
    check("invariant finding", any("expects 1, the database says 0" in f["message"]
                                   for f in c["invariants"]["findings"]), c["invariants"])
    subprocess.run(["sqlite3", os.path.join(demo, "demo.db"), "INSERT INTO roles (name) VALUES ('admin_tech')"],
                   capture_output=True)

    # the database moved on: the backup is at other revisions
    alembic(demo, "upgrade", "a9d4c2b7e5f8")
    rc, j, c = gate(demo)
    check("other revisions: closed", rc == 1 and "other revisions" in c["backup"]["summary"], c["backup"])

    # a pending revision without a downgrade, with a destructive operation
    vdir = os.path.join(demo, "migrations", "versions")
    with open(os.path.join(vdir, "f1f1f1f1f1f1_drop.py"), "w") as f:
        f.write('from alembic import op\nrevision = "f1f1f1f1f1f1"\ndown_revision = "e7b2d9f4a1c6"\n\n'
                'def upgrade():\n    op.drop_column("users", "email")\n\ndef downgrade():\n    pass\n')
    rc, j, c = gate(demo, "--no-backup-check", "--reason", "test")
    check("rollback fails", c["rollback"]["status"] == "fail", c["rollback"])
    check("rules fail", c["rules"]["status"] == "fail" and any(f["rule"] == "drop-column" for f in c["rules"]["findings"]),
          c["rules"])
    check("json: the rules --allow would accept", j.get("allowable") == ["drop-column", "missing-downgrade"]
          or sorted(j.get("allowable", [])) == ["drop-column", "missing-downgrade"], j.get("allowable"))
    r = mgate(["check", "--no-backup-check", "--reason", "test"], demo)
    check("text: the override command", "mgate upgrade --allow " in r.stdout and "drop-column" in r.stdout.split(
        "--allow ")[-1].split(" ")[0] and '--reason "why this is safe"' in r.stdout, r.stdout)
    r = mgate(["check", "--no-backup-check", "--reason", "test", "-q"], demo)
    shown = [ln for ln in r.stdout.splitlines() if ln.startswith("  [")]
    check("-q: failed checks only", shown and all(ln.startswith("  [FAIL]") for ln in shown), r.stdout)
    check("-q: errors only", "warning:" not in r.stdout and "error:" in r.stdout, r.stdout)
    r = mgate(["check", "--no-backup-check", "--reason", "test", "--format", "junit"], demo)
    suite = ET.fromstring(r.stdout).find("testsuite")
    check("junit: failures", int(suite.get("failures")) == 2, r.stdout[:600])
    r = mgate(["check", "--no-backup-check", "--reason", "test", "--format", "github"], demo)
    check("github", "::error" in r.stdout and "title=drop-column" in r.stdout, r.stdout[:400])
    r = mgate(["check", "--no-backup-check", "--reason", "test", "--format", "sarif"], demo)
    check("sarif", json.loads(r.stdout)["version"] == "2.1.0", r.stdout[:200])
    os.remove(os.path.join(vdir, "f1f1f1f1f1f1_drop.py"))

    # a broken graph, a database at an unknown revision, an unreachable database
    with open(os.path.join(vdir, "b0b0b0b0b0b0_orphan.py"), "w") as f:
        f.write('revision = "b0b0b0b0b0b0"\ndown_revision = "nowhere"\n\ndef upgrade():\n    pass\n\n'
                'def downgrade():\n    pass\n')
    rc, j, c = gate(demo)
    check("broken graph: closed", rc == 1 and c["graph"]["status"] == "fail", c.get("graph"))
    os.remove(os.path.join(vdir, "b0b0b0b0b0b0_orphan.py"))
    subprocess.run(["sqlite3", os.path.join(demo, "demo.db"), "UPDATE alembic_version SET version_num = 'ffffffffffff' WHERE version_num = 'a9d4c2b7e5f8'"],
                   capture_output=True)
    rc, j, c = gate(demo)
    check("unknown row: closed", rc == 1 and c["state"]["status"] == "fail" and "ffffffffffff" in c["state"]["summary"],
          c.get("state"))
    rc, j, c = gate(demo, "--db", "sqlite:///" + os.path.join(work, "missing.db"))
    check("unreachable: closed", rc == 1 and c["state"]["status"] == "fail" and "does not exist" in c["state"]["summary"],
          c.get("state"))
    check("unreachable: not created", not os.path.exists(os.path.join(work, "missing.db")))
    rc, j, c = gate(os.path.join(root, "fixtures", "graphs", "two_heads"), "head", "--db",
                    "sqlite:///" + os.path.join(demo, "demo.db"))
    check("head with two heads: graph fails", c.get("graph", {}).get("status") == "fail", c.get("graph"))


def pg_cases(work):
    import psycopg2
    with PgServer() as pg:
        pg.psql("CREATE DATABASE app")
        url = pg.url(db="app", driver="psycopg2")
        proj = os.path.join(work, "pgproj")
        vdir = os.path.join(proj, "migrations", "versions")
        os.makedirs(vdir)
        with open(os.path.join(proj, "alembic.ini"), "w") as f:
            f.write("[alembic]\nscript_location = %(here)s/migrations\nsqlalchemy.url = "
                    + url.replace("%", "%%") + "\n\n[mgate]\nbackup_dir = backups\n")
        with open(os.path.join(proj, "migrations", "env.py"), "w") as f:
            f.write(ENV_ONLINE)
        with open(os.path.join(vdir, "p1.py"), "w") as f:
            f.write('from alembic import op\nimport sqlalchemy as sa\nrevision = "p1"\ndown_revision = None\n\n'
                    'def upgrade():\n    op.create_table("big", sa.Column("id", sa.Integer(), primary_key=True),'
                    ' sa.Column("a", sa.Integer()))\n    op.create_table("empty", sa.Column("id", sa.Integer(),'
                    ' primary_key=True), sa.Column("a", sa.Integer()))\n\n'
                    'def downgrade():\n    op.drop_table("empty")\n    op.drop_table("big")\n')
        with open(os.path.join(vdir, "p2.py"), "w") as f:
            f.write('from alembic import op\nrevision = "p2"\ndown_revision = "p1"\n\n'
                    'def upgrade():\n    op.create_index("ix_big_a", "big", ["a"])\n'
                    '    op.create_index("ix_empty_a", "empty", ["a"])\n\n'
                    'def downgrade():\n    op.drop_index("ix_empty_a", table_name="empty")\n'
                    '    op.drop_index("ix_big_a", table_name="big")\n')
        alembic(proj, "upgrade", "p1")
        pg.psql("INSERT INTO big SELECT g, g FROM generate_series(1, 5000) g", db="app")
        pg.psql("ANALYZE big", db="app")
        pg.psql("ANALYZE empty", db="app")
        r = mgate(["backup"], proj)
        check("pg: backup", r.returncode == 0, r.stderr)
        rc, j, c = gate(proj)
        check("pg: open", rc == 0 and j["verdict"] == "open", j)
        msgs = {f["message"]: f for f in c.get("rules", {}).get("findings", [])}
        big = [f for m, f in msgs.items() if "'big'" in m and "about" in m]
        empty = [f for m, f in msgs.items() if "'empty' is empty" in m]
        check("pg: big table sized", big and big[0]["severity"] == "warning", msgs)
        check("pg: empty table is no lock risk", empty and empty[0]["severity"] == "info", msgs)

        # a session idle in transaction holding a lock on a table the upgrade touches
        conn = psycopg2.connect(dbname="app", user="postgres", password=PASSWORD, host=pg.sock, port=pg.port)
        cur = conn.cursor()
        cur.execute("SELECT count(*) FROM big")
        cur.fetchall()
        time.sleep(0.2)
        rc, j, c = gate(proj)
        check("pg: idle in transaction closes", rc == 1 and c["locks"]["status"] == "fail"
              and "idle in transaction" in c["locks"]["summary"] and "big" in c["locks"]["summary"], c.get("locks"))
        conn.rollback()
        # another run holding the migration lock
        cur.execute("SELECT pg_advisory_lock(hashtextextended('mgate:alembic_version', 0))")
        conn.commit()
        rc, j, c = gate(proj)
        check("pg: migration lock held", rc == 1 and c["locks"]["status"] == "fail"
              and "holds the migration lock" in c["locks"]["summary"], c.get("locks"))
        conn.close()
        rc, j, c = gate(proj)
        check("pg: lock released", rc == 0, c.get("locks"))


def main():
    root = sys.argv[2]
    work = tempfile.mkdtemp(prefix="mgate-check-")
    try:
        sqlite_cases(root, work)
        pg_cases(work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return finish()


if __name__ == "__main__":
    sys.exit(main())
