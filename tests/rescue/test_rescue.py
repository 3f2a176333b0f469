"""The way back, end to end with the real Alembic, on SQLite and on
PostgreSQL: `mgate rollback` by the downgrade path through a merge point
and by a restore, refused restores (checksum mismatch, another database,
other sessions connected), `mgate drill` passing and failing on a corrupt
backup, and the gate's drill requirement. After every refused or failed
step the original database is checked to be intact (file checksum on
SQLite, row counts on PostgreSQL).

usage: python3 test_rescue.py MGATE ROOT
"""
import glob
import json
import os
import re
import shutil
import sqlite3
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
from harness import PASSWORD, PgServer, alembic, check, demo_project, finish, mgate, sha, url_project, write_revision, doc  # noqa: E402,E501















def rows(db):
    c = sqlite3.connect(db)
    r = sorted(x[0] for x in c.execute("SELECT version_num FROM alembic_version"))
    c.close()
    return r


def sql(db, q):
    c = sqlite3.connect(db)
    r = c.execute(q).fetchall()
    c.commit()
    c.close()
    return r


def audit(demo, command):
    path = os.path.join(demo, "audit.jsonl")
    return [e for e in (json.loads(l) for l in open(path)) if e["command"] == command] if os.path.exists(path) else []



def corrupt(path):
    with open(path, "r+b") as f:
        f.seek(120)
        b = f.read(1)
        f.seek(120)
        f.write(bytes([b[0] ^ 0xFF]))


def sqlite_rollback(root, work):
    demo, db = demo_project(root, work, "rb")
    r = mgate(["upgrade", "--backup"], demo)
    check("upgrade with a backup", r.returncode == 0, r.stdout + r.stderr)
    check("at head", rows(db) == ["e7b2d9f4a1c6"], rows(db))

    # the plan: through the merge point, back to where the upgrade started
    r = mgate(["rollback", "--dry-run", "--format", "json"], demo)
    check("dry-run json: exit 0", r.returncode == 0, r.stdout + r.stderr)
    d = doc(r.stdout) if r.returncode == 0 else {}
    steps = [s["revision"] for s in d.get("downgrade", {}).get("steps", [])]
    check("dry-run: the steps Alembic would run, through the merge", steps ==
          ["e7b2d9f4a1c6", "c3e8f1a6b4d2", "a9d4c2b7e5f8"], steps)
    check("dry-run: two downgrades reach the starting rows",
          d.get("downgrade", {}).get("commands", [[]])[-1][-2:] == ["downgrade", "a9d4c2b7e5f8@-1"]
          and d.get("target_rows") == ["8b3f5e6d0c12"], d.get("downgrade"))
    check("dry-run: restore is the other way, at the target", d.get("restore", {}).get("available") is True
          and d["restore"]["revisions"] == ["8b3f5e6d0c12"], d.get("restore"))
    check("dry-run: downgrade recommended (no data destroyed)", d.get("recommendation") == "downgrade"
          and d["downgrade"]["rows_lost"] == 0, d.get("why"))
    before = sha(db)
    r = mgate(["rollback", "--dry-run"], demo)
    check("dry-run text: both ways, a recommendation", r.returncode == 0 and "(a) the downgrade path" in r.stdout
          and "(b) restore the newest backup" in r.stdout and "recommended: (a)" in r.stdout, r.stdout + r.stderr)
    check("dry-run changes nothing", sha(db) == before)
    r = mgate(["rollback"], demo)
    check("no terminal, no --yes: exit 2, nothing changed", r.returncode == 2 and "--yes" in r.stderr
          and sha(db) == before, r.stdout + r.stderr)

    # (a) the downgrade, verified against the snapshot taken before the upgrade
    r = mgate(["rollback", "--yes"], demo)
    check("rollback by downgrade: exit 0", r.returncode == 0 and "rolled back and verified" in r.stdout
          and "the schema is as it was before the upgrade" in r.stdout, r.stdout + r.stderr)
    check("back at the start", rows(db) == ["8b3f5e6d0c12"], rows(db))
    check("projects is gone", not sql(db, "SELECT name FROM sqlite_schema WHERE name = 'projects'"))
    e = audit(demo, "rollback")
    check("audited, each downgrade command with its exit", e and e[-1]["way"] == "downgrade"
          and e[-1]["verification"]["result"] == "pass" and e[-1]["alembic_exit"] == 0
          and [c["downgrade"] for c in e[-1]["commands"]] == ["8b3f5e6d0c12", "a9d4c2b7e5f8@-1"]
          and all(c["exit"] == 0 for c in e[-1]["commands"]), e)
    r = mgate(["rollback", "--dry-run"], demo)
    check("nothing left to roll back", r.returncode == 0 and "already at the target" in r.stdout, r.stdout)

    # (b) the restore: data written since the upgrade makes the downgrade lossy
    r = mgate(["upgrade"], demo)
    check("upgrade again", r.returncode == 0, r.stdout + r.stderr)
    sql(db, "INSERT INTO users (id, email, password_hash) VALUES (900, 'x@example.org', 'h')")
    sql(db, "INSERT INTO projects (title, owner_id) VALUES ('a', 900), ('b', 900)")
    r = mgate(["rollback", "--dry-run", "--format", "json"], demo)
    d = doc(r.stdout)
    check("the downgrade destroys the 2 project rows", d["downgrade"]["rows_lost"] == 2
          and any(o["rows"] == 2 for s in d["downgrade"]["steps"] for o in s["operations"]), d["downgrade"])
    check("the restore's loss is counted", d["restore"]["writes_since"] is not None
          and d["restore"]["writes_since"] >= 3, d["restore"])
    upgraded = sha(db)
    r = mgate(["rollback", "--via", "restore", "--yes"], demo)
    check("rollback by restore: exit 0", r.returncode == 0 and "rolled back and verified" in r.stdout,
          r.stdout + r.stderr)
    check("restored to the start", rows(db) == ["8b3f5e6d0c12"], rows(db))
    check("the ledger across the restore: rebuilt from the restored rows, and said so",
          "ledger: 0 entries restored with the backup, 3 recorded from the files now" in r.stdout
          and "the ledger no longer holds a9d4c2b7e5f8, c3e8f1a6b4d2, e7b2d9f4a1c6" in r.stdout, r.stdout)
    check("the ledger holds the applied revisions", sorted(x[0] for x in sql(db, "SELECT revision FROM mgate_ledger"))
          == ["1f0a9c3e2b71", "4c7e1d2a9f30", "8b3f5e6d0c12"], sql(db, "SELECT revision FROM mgate_ledger"))
    kept = glob.glob(db + ".pre-restore-*")
    check("the replaced file is kept, byte for byte", len(kept) == 1 and sha(kept[0]) == upgraded, kept)
    check("nothing lost: the kept file has the new rows", kept and sql(kept[0], "SELECT count(*) FROM projects")
          == [(2,)])

    # a revision whose downgrade does nothing blocks the downgrade path
    with open(os.path.join(demo, "migrations", "versions", "f1_t.py"), "w") as f:
        f.write('from alembic import op\nimport sqlalchemy as sa\nrevision = "f1"\ndown_revision = "e7b2d9f4a1c6"\n\n'
                'def upgrade():\n    op.add_column("users", sa.Column("nick", sa.Text()))\n\n'
                'def downgrade():\n    pass\n')
    r = mgate(["backup"], demo)
    r = mgate(["upgrade", "--allow", "missing-downgrade", "--reason", "test"], demo)
    check("upgrade to f1", rows(db) == ["f1"], r.stdout + r.stderr)
    r = mgate(["rollback", "--dry-run", "--format", "json"], demo)
    d = doc(r.stdout)
    check("empty downgrade(): the downgrade path is blocked, restore recommended",
          d["downgrade"]["available"] is False and "empty" in (d["downgrade"]["problem"] or "")
          and d["recommendation"] == "restore", d)
    f1 = [s for s in d["downgrade"]["steps"] if s["revision"] == "f1"]
    check("the rule engine's finding on that step", f1 and any(f["rule"] == "missing-downgrade"
                                                               for f in f1[0]["findings"]), f1)


def sqlite_restore_and_drill(root, work):
    demo, db = demo_project(root, work, "rs", extra="drill_max_age = 7\n")
    other, other_db = demo_project(root, work, "other")
    r = mgate(["backup"], other)
    other_backup = sorted(glob.glob(os.path.join(other, "backups", "*.sqlite3")))[-1]
    r = mgate(["backup"], demo)
    check("backup", r.returncode == 0, r.stdout + r.stderr)
    good = sorted(glob.glob(os.path.join(demo, "backups", "*.sqlite3")))[-1]
    before = sha(db)

    r = mgate(["restore", other_backup, "--yes"], demo)
    check("restore refused: another database", r.returncode == 1 and "another database" in r.stderr
          and sha(db) == before, r.stdout + r.stderr)
    bad = os.path.join(demo, "backups", "copy.sqlite3")
    shutil.copy(good, bad)
    shutil.copy(good + ".manifest.json", bad + ".manifest.json")
    m = json.load(open(bad + ".manifest.json"))
    m["file"] = "copy.sqlite3"
    json.dump(m, open(bad + ".manifest.json", "w"))
    corrupt(bad)
    r = mgate(["restore", bad, "--yes"], demo)
    check("restore refused: checksum mismatch", r.returncode == 1 and "SHA-256" in r.stderr and sha(db) == before,
          r.stdout + r.stderr)
    os.remove(bad)
    os.remove(bad + ".manifest.json")
    r = mgate(["restore", good], demo)
    check("in place without --yes: refused", r.returncode == 2 and sha(db) == before, r.stderr)
    r = mgate(["restore", "newest", "--into", "sqlite:///" + os.path.join(work, "copy.db"), "--format", "json"], demo)
    check("restore into a new file", r.returncode == 0 and doc(r.stdout)["in_place"] is False
          and rows(os.path.join(work, "copy.db")) == ["8b3f5e6d0c12"], r.stdout + r.stderr)
    r = mgate(["restore", "newest", "--into", "sqlite:///" + other_db], demo)
    check("restore into another, non-empty database: refused", r.returncode == 1 and "not empty" in r.stderr,
          r.stderr)

    # the ledger recorded after the backup was taken is carried over
    r = mgate(["ledger", "baseline"], demo)
    check("ledger baseline", r.returncode == 0, r.stdout + r.stderr)
    baseline = sql(db, "SELECT revision, sha256 FROM mgate_ledger ORDER BY revision")
    r = mgate(["restore", "newest", "--yes", "--format", "json"], demo)
    led = doc(r.stdout).get("ledger") if r.returncode == 0 else None
    check("restore: the ledger entries the backup lacks are carried over", led == {
        "restored": 0, "carried_over": 3, "recorded_now": 0, "dropped": []}, (led, r.stdout, r.stderr))
    check("... with their original hashes", sql(db, "SELECT revision, sha256 FROM mgate_ledger ORDER BY revision")
          == baseline, sql(db, "SELECT revision, sha256 FROM mgate_ledger"))

    # the gate wants a drill; a drill passes; the report shows it
    r = mgate(["check", "--format", "json"], demo)
    drill = [c for c in doc(r.stdout)["checks"] if c["name"] == "drill"]
    check("gate: no drill yet fails the drill check", drill and drill[0]["status"] == "fail", drill)
    # the smoke commands run against the scratch copy
    with open(os.path.join(demo, "smoke.py"), "w") as f:
        f.write("import os, sqlite3, sys\nurl = os.environ['MGATE_DATABASE_URL']\n"
                "ok = os.environ.get('MGATE_DRILL') == '1' and 'mgate_drill_' in url and "
                "sqlite3.connect(url[len('sqlite:///'):]).execute('SELECT count(*) FROM roles').fetchone()[0] > 0\n"
                "sys.exit(0 if ok else 1)\n")
    with open(os.path.join(demo, "alembic.ini"), "a") as f:
        f.write("smoke.copy = /usr/bin/python3 smoke.py\n")
    r = mgate(["drill"], demo)
    check("drill passes (smoke command on the copy)", r.returncode == 0 and "drill: PASS" in r.stdout
          and "smoke copy:" in r.stderr,
          r.stdout + r.stderr)
    scratch = [l.split("sqlite:///", 1)[1] for l in r.stdout.splitlines() if l.startswith("scratch: sqlite:///")]
    check("drill: the scratch file is gone", scratch and not os.path.exists(scratch[0]), scratch)
    r = mgate(["check", "--format", "json"], demo)
    drill = [c for c in doc(r.stdout)["checks"] if c["name"] == "drill"]
    check("gate: the drill check passes", drill and drill[0]["status"] == "pass", drill)
    r = mgate(["drill", "--report", "--format", "json"], demo)
    rep = doc(r.stdout)["drills"]
    check("drill report", len(rep) == 1 and rep[0]["result"] == "pass" and rep[0]["durations_ms"]["total"] > 0, rep)

    # a corrupt newest backup fails the drill; the database is untouched
    newest = sorted(glob.glob(os.path.join(demo, "backups", "*.sqlite3")))[-1]
    corrupt(newest)
    before = sha(db)
    r = mgate(["drill", "--newest", "--format", "json"], demo)
    d = doc(r.stdout) if r.stdout.strip() else {}
    check("drill fails on a corrupt backup", r.returncode == 5 and d.get("result") == "fail"
          and d.get("step") == "restore" and "SHA-256" in (d.get("failure") or ""), r.stdout + r.stderr)
    check("the database is intact after the failed drill", sha(db) == before)
    e = audit(demo, "drill")
    check("both drills audited", [x["result"] for x in e] == ["pass", "fail"], e)


def pg_project(work, pg, name, url):
    proj = os.path.join(work, name)
    vdir = url_project(proj, url, "backup_dir = backups\naudit_log = audit.jsonl\n"
                       "invariant.admin = SELECT count(*) FROM roles WHERE name = 'admin_tech' => 1\n")

    def rev(rid, down, up, dn):
        write_revision(vdir, rid, down, up, dn)
    rev("r1", None, 'op.create_table("roles", sa.Column("id", sa.Integer(), primary_key=True), sa.Column("name", '
        'sa.Text()))\n    op.execute("INSERT INTO roles VALUES (1, \'admin_tech\')")', 'op.drop_table("roles")')
    rev("r2a", "r1", 'op.add_column("roles", sa.Column("label", sa.Text(), nullable=True))',
        'op.drop_column("roles", "label")')
    rev("r2b", "r1", 'op.create_table("projects", sa.Column("id", sa.Integer(), primary_key=True))',
        'op.drop_table("projects")')
    rev("r3", ("r2a", "r2b"), "pass", "pass")
    return proj


def pg_cases(work):
    with PgServer() as pg:
        pg.psql("CREATE DATABASE app")
        pg.psql("CREATE DATABASE other")
        url = pg.url(db="app", driver="psycopg2")
        proj = pg_project(work, pg, "pg", url)
        alembic(proj, "upgrade", "r1")
        r = mgate(["upgrade", "--backup"], proj)
        check("pg: upgraded through the merge", r.returncode == 0, r.stdout + r.stderr)

        def state():
            return pg.psql("SELECT string_agg(version_num, ',' ORDER BY version_num) FROM alembic_version", db="app")

        r = mgate(["rollback", "--dry-run", "--format", "json"], proj)
        d = doc(r.stdout)
        check("pg: downgrade through the merge point", [s["revision"] for s in d["downgrade"]["steps"]][0] == "r3"
              and sorted(s["revision"] for s in d["downgrade"]["steps"]) == ["r2a", "r2b", "r3"]
              and d["target_rows"] == ["r1"], d["downgrade"])
        r = mgate(["rollback", "--yes"], proj)
        check("pg: rollback by downgrade", r.returncode == 0 and "rolled back and verified" in r.stdout,
              r.stdout + r.stderr)
        check("pg: at r1", state().strip() == "r1", state())

        # rollback by restore: refused while another session is connected, then done
        r = mgate(["upgrade"], proj)
        check("pg: upgraded again", r.returncode == 0, r.stdout + r.stderr)
        r = mgate(["check", "--audit-table"], proj)  # a row in mgate_audit the backup will not have
        pg.psql("INSERT INTO projects VALUES (1), (2), (3)", db="app")
        import psycopg2
        conn = psycopg2.connect(dbname="app", user="postgres", password=PASSWORD, host=pg.sock, port=pg.port)
        r = mgate(["rollback", "--via", "restore", "--yes"], proj)
        check("pg: restore refused while a session is connected", r.returncode == 1
              and "other session" in r.stderr, r.stdout + r.stderr)
        check("pg: nothing changed", pg.psql("SELECT count(*) FROM projects", db="app").strip() == "3")
        conn.close()
        r = mgate(["rollback", "--via", "restore", "--yes"], proj)
        check("pg: rollback by restore", r.returncode == 0 and "rolled back and verified" in r.stdout,
              r.stdout + r.stderr)
        check("pg: restored to r1", state().strip() == "r1", state())
        check("pg: projects is gone", "projects" not in pg.psql("SELECT tablename FROM pg_tables WHERE "
                                                                "schemaname = 'public'", db="app"))
        check("pg: what was replaced is kept as a backup", "what was there is kept as the backup" in r.stdout, r.stdout)
        check("pg: what the restore cannot keep is named", "not kept: 1 row of the mgate_audit table" in r.stdout,
              r.stdout)
        check("pg: the ledger across the restore", "ledger: 0 entries restored with the backup, 1 recorded from the "
              "files now" in r.stdout and re.search(r"the ledger no longer holds (r2a|r2b|r3), (r2a|r2b|r3), (r2a|r2b|r3):",
                                                     r.stdout)
              and pg.psql("SELECT string_agg(revision, ',') FROM mgate_ledger", db="app").strip() == "r1", r.stdout)

        # another database's backup is refused
        other = pg_project(work, pg, "pg-other", pg.url(db="other"))
        alembic(other, "upgrade", "r1")
        mgate(["backup"], other)
        ob = sorted(glob.glob(os.path.join(other, "backups", "*.dump")))[-1]
        n = pg.psql("SELECT count(*) FROM roles", db="app").strip()
        r = mgate(["restore", ob, "--yes"], proj)
        check("pg: restore refused: another database", r.returncode == 1 and "another database" in r.stderr,
              r.stdout + r.stderr)
        check("pg: app intact", pg.psql("SELECT count(*) FROM roles", db="app").strip() == n)

        # drills
        r = mgate(["drill"], proj)
        check("pg: drill passes", r.returncode == 0 and "drill: PASS" in r.stdout, r.stdout + r.stderr)
        check("pg: the scratch database is dropped",
              "mgate_drill" not in pg.psql("SELECT datname FROM pg_database"))
        # every backup corrupt: which one is "newest" (several may share a second) does not matter
        dumps = sorted(glob.glob(os.path.join(proj, "backups", "*.dump")), key=os.path.getmtime)
        for dump in dumps:
            corrupt(dump)
        newest = dumps[-1]
        r = mgate(["restore", newest, "--yes"], proj)
        check("pg: restore refused: checksum mismatch", r.returncode == 1 and "SHA-256" in r.stderr,
              r.stdout + r.stderr)
        check("pg: app intact after the refused restore",
              pg.psql("SELECT count(*) FROM roles", db="app").strip() == n)
        r = mgate(["drill", "--newest"], proj)
        check("pg: drill fails on a corrupt backup", r.returncode == 5 and "FAIL" in r.stdout, r.stdout + r.stderr)
        check("pg: app intact after the failed drill", pg.psql("SELECT count(*) FROM roles", db="app").strip() == n)
        failed_rollback_pg(pg, proj)


def failed_rollback_pg(pg, proj):
    """A downgrade Alembic cannot run, seen by the dry run; one that fails
    at run time: PostgreSQL rolls the whole downgrade back, and mgate says
    so and names the next way back."""
    vdir = os.path.join(proj, "migrations", "versions")
    write_revision(vdir, "r4", "r3", 'op.add_column("roles", sa.Column("note", sa.Text(), nullable=True))',
                   'op.drop_column("roles", "note")\n    op.execute("DELETE FROM no_such_table")')
    r = mgate(["upgrade", "--backup"], proj)
    check("pg: upgraded to r4", r.returncode == 0, r.stdout + r.stderr)
    r = mgate(["rollback", "--via", "downgrade", "--yes"], proj)
    check("pg: a failed downgrade: exit 4, nothing ran, nothing half done", r.returncode == 4
          and "the database is now at: r4" in r.stdout and "0 of 4 downgrade steps ran; it stopped in the downgrade() of r4"
          in r.stdout and "nothing was left half done" in r.stdout, r.stdout + r.stderr)
    check("pg: ... and the next way back", "the next way back:" in r.stdout
          and "restore the backup taken before the upgrade: mgate rollback --via restore --yes" in r.stdout, r.stdout)
    check("pg: the column is still there (the downgrade was one transaction)",
          "note" in pg.psql("SELECT column_name FROM information_schema.columns WHERE table_name = 'roles'", db="app"))
    e = audit(proj, "rollback")
    check("pg: audited: where it stopped", e and e[-1].get("stopped_in") == "r4" and e[-1].get("steps_run") == 0
          and e[-1].get("half_applied") == [] and e[-1]["exit"] == 4, e[-1:] if e else e)

    # a downgrade Alembic cannot even compile: the dry run says so and recommends the restore
    write_revision(vdir, "r4", "r3", 'op.add_column("roles", sa.Column("note", sa.Text(), nullable=True))',
                   'op.drop_constraint(None, "roles", type_="unique")\n    op.drop_column("roles", "note")')
    r = mgate(["rollback", "--dry-run", "--format", "json"], proj)
    d = doc(r.stdout)
    step = [s for s in d["downgrade"]["steps"] if s["revision"] == "r4"]
    check("pg: dry run: the unnamed constraint blocks the downgrade", step and "drop-constraint-unnamed"
          in (step[0]["problem"] or "") and d["recommendation"] == "restore", d)
    r = mgate(["rollback", "--via", "downgrade", "--yes"], proj)
    check("pg: --via downgrade refused, naming the other way", r.returncode == 1
          and "the downgrade path is not available" in r.stderr
          and "take the restore instead: mgate rollback --via restore --yes" in r.stderr, r.stdout + r.stderr)
    r = mgate(["rollback", "--via", "restore", "--yes"], proj)
    check("pg: the restore takes it back", r.returncode == 0 and "rolled back and verified" in r.stdout,
          r.stdout + r.stderr)


def main():
    root = sys.argv[2]
    work = tempfile.mkdtemp(prefix="mgate-rescue-")
    try:
        sqlite_rollback(root, work)
        sqlite_restore_and_drill(root, work)
        pg_cases(work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return finish()


if __name__ == "__main__":
    sys.exit(main())
