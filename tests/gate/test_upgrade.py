"""`mgate upgrade` with the real Alembic, end to end: a gate that opens
and upgrades (and verifies), a closed gate that never runs Alembic, an
override with a reason, --backup, Alembic failing mid-way (exit 4 with the
exact state and the half-applied change), verification catching a schema
change the operations did not declare (exit 5), two concurrent upgrades
(Alembic runs once), SIGTERM during the upgrade, and the same happy path
and lock on PostgreSQL.

usage: python3 test_upgrade.py MGATE ROOT
"""
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
from harness import ENV_ONLINE, PASSWORD, PgServer, alembic, check, demo_project, finish, mgate, outputs, doc  # noqa: E402












def rows(db):
    c = sqlite3.connect(db)
    r = sorted(x[0] for x in c.execute("SELECT version_num FROM alembic_version"))
    c.close()
    return r


def tables(db):
    c = sqlite3.connect(db)
    r = sorted(x[0] for x in c.execute("SELECT name FROM sqlite_schema WHERE type = 'table'"))
    c.close()
    return r



def add_rev(demo, rid, down, body):
    with open(os.path.join(demo, "migrations", "versions", rid + "_t.py"), "w") as f:
        f.write('from alembic import op\nimport sqlalchemy as sa\nrevision = "%s"\ndown_revision = "%s"\n\n'
                'def upgrade():\n%s\n\ndef downgrade():\n    op.execute("SELECT 1")\n' % (rid, down, body))


def audit_lines(demo):
    path = os.path.join(demo, "audit.jsonl")
    return [json.loads(l) for l in open(path)] if os.path.exists(path) else []


def start_until_running(args, cwd, env):
    """Start mgate and return once it has started Alembic (it holds the lock then)."""
    p = subprocess.Popen([sys.argv[1]] + args, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                         env=env)
    seen = []
    for line in p.stdout:
        seen.append(line)
        if line.startswith("running:"):
            break
    return p, "".join(seen)


def sqlite_cases(root, work):
    demo, db = demo_project(root, work, "happy")
    r = mgate(["upgrade"], demo)
    check("closed: exit 1", r.returncode == 1 and "Alembic was not run" in r.stdout, r.stdout + r.stderr)
    check("closed: nothing ran", rows(db) == ["8b3f5e6d0c12"], rows(db))
    r = mgate(["upgrade", "--backup"], demo)
    check("--backup then upgrade: exit 0", r.returncode == 0 and "upgraded and verified: 3 steps" in r.stdout,
          r.stdout + r.stderr)
    check("at head", rows(db) == ["e7b2d9f4a1c6"], rows(db))
    r = mgate(["upgrade"], demo)
    check("again: nothing to do", r.returncode == 0 and "nothing to upgrade" in r.stdout, r.stdout + r.stderr)
    # the ledger records what mgate applied; an edit to an applied revision closes the gate
    r = mgate(["ledger"], demo)
    check("ledger: the upgrade's steps", r.returncode == 0 and r.stdout.count("matches") == 3
          and "e7b2d9f4a1c6" in r.stdout, r.stdout + r.stderr)
    r = mgate(["ledger", "baseline"], demo)
    check("ledger baseline: the older ones", r.returncode == 0 and "recorded 3 applied revisions" in r.stdout, r.stdout)
    roles = os.path.join(demo, "migrations", "versions", "4c7e1d2a9f30_create_roles.py")
    original = open(roles).read()
    open(roles, "w").write(original.replace("('participant')", "('participant'), ('auditor')"))
    r = mgate(["check", "--format", "json"], demo)
    integ = [c for c in doc(r.stdout)["checks"] if c["name"] == "integrity"]
    check("ledger: edited applied revision closes", r.returncode == 1 and integ and integ[0]["status"] == "fail"
          and integ[0]["findings"][0]["rule"] == "edited-applied-revision"
          and integ[0]["findings"][0]["revision"] == "4c7e1d2a9f30", integ)
    r = mgate(["ledger"], demo)
    check("ledger: shows the edit", r.returncode == 1 and "EDITED" in r.stdout, r.stdout)
    open(roles, "w").write(original)
    # the audit entry in the database too
    r = mgate(["check", "--audit-table"], demo)
    c = sqlite3.connect(db)
    entries = [json.loads(e) for (e,) in c.execute("SELECT entry FROM mgate_audit")]
    c.close()
    check("audit table", r.returncode == 0 and len(entries) == 1 and entries[0]["command"] == "check"
          and entries[0]["verdict"] == "open", (r.stdout, entries))
    # standalone verification
    r = mgate(["verify"], demo)
    check("verify: at heads", r.returncode == 0 and "verified" in r.stdout, r.stdout + r.stderr)
    r = mgate(["verify", "8b3f5e6d0c12"], demo)
    check("verify: past an older target is fine", r.returncode == 0, r.stdout)
    snap = os.path.join(work, "schema.json")
    mgate(["snapshot", "-o", snap], demo)
    c = sqlite3.connect(db)
    c.execute("CREATE TABLE hotfix (id int)")
    c.commit()
    c.close()
    r = mgate(["verify", "--against", snap], demo)
    check("verify --against: drift found", r.returncode == 5 and "table hotfix added" in r.stdout, r.stdout)
    c = sqlite3.connect(db)
    c.execute("DROP TABLE hotfix")
    c.execute("UPDATE roles SET name = 'admin' WHERE name = 'admin_tech'")
    c.commit()
    c.close()
    r = mgate(["verify", "--format", "json"], demo)
    check("verify: invariant fails", r.returncode == 5 and doc(r.stdout)["verified"] is False
          and "admin_tech_role" in r.stdout, r.stdout)
    c = sqlite3.connect(db)
    c.execute("UPDATE roles SET name = 'admin_tech' WHERE name = 'admin'")
    c.commit()
    c.close()
    # smoke commands: argv, a timeout, a failure is a verification failure
    ini = os.path.join(demo, "alembic.ini")
    base_ini = open(ini).read()
    open(ini, "w").write(base_ini.replace("\n[mgate]\n", "\n[mgate]\nsmoke.ok = true\nsmoke_timeout = 2\n"))
    r = mgate(["verify", "--format", "json"], demo)
    check("smoke: passes", r.returncode == 0 and doc(r.stdout)["verified"] is True, r.stdout + r.stderr)
    open(ini, "w").write(base_ini.replace("\n[mgate]\n", "\n[mgate]\nsmoke.health = false\nsmoke.slow = sleep 10\n"
                                          "smoke_timeout = 1\n"))
    r = mgate(["verify"], demo)
    check("smoke: failure and timeout", r.returncode == 5 and "smoke command 'health' failed (exit 1)" in r.stdout
          and "smoke command 'slow' did not finish within 1 s" in r.stdout, r.stdout + r.stderr)
    open(ini, "w").write(base_ini)

    # a destructive revision closes the gate; --allow with a reason opens it for that rule only
    add_rev(demo, "d1d1d1d1d1d1", "e7b2d9f4a1c6", '    op.drop_table("participants")')
    mgate(["backup"], demo)
    r = mgate(["upgrade"], demo)
    check("drop-table closes", r.returncode == 1 and rows(db) == ["e7b2d9f4a1c6"], r.stdout)
    check("the closed gate says how to go on", "the gate is closed: Alembic was not run; to go on:" in r.stdout
          and "  - rules: see each finding's fix" in r.stdout
          and 'mgate upgrade --allow drop-table --reason "why this is safe"' in r.stdout, r.stdout)
    r = mgate(["upgrade", "--allow", "drop-table"], demo)
    check("--allow needs a reason", r.returncode == 2, r.stderr)
    r = mgate(["upgrade", "--allow", "drop-table", "--reason", "participants moved to the CRM (OPS-7)"], demo)
    check("--allow opens", r.returncode == 0 and rows(db) == ["d1d1d1d1d1d1"], r.stdout + r.stderr)
    check("--allow: table gone", "participants" not in tables(db), tables(db))
    log = audit_lines(demo)
    ups = [e for e in log if e["command"] == "upgrade"]
    check("audit: every run logged", len(ups) == 5, [e.get("verdict") for e in ups])
    check("audit: closed gate, Alembic not run", ups and ups[0]["verdict"] == "closed" and not ups[0]["alembic_ran"]
          and ups[0]["exit"] == 1, ups[:1])
    check("audit: success", len(ups) > 1 and ups[1]["alembic_exit"] == 0 and ups[1]["verification"]["result"] == "pass"
          and ups[1]["from"] == ["8b3f5e6d0c12"] and ups[1]["after"] == ["e7b2d9f4a1c6"], ups[1:2])
    allow = [o for o in ups[-1]["overrides"] if o["kind"] == "allow"] if ups else []
    check("audit: override and reason", allow and allow[0]["rules"] == ["drop-table"]
          and "OPS-7" in allow[0]["reason"], ups[-1:] )
    check("audit: who and correlation id", all(e.get("who") and len(e.get("correlation_id", "")) == 16 for e in log)
          and ups[-1]["correlation_id"] in r.stdout, log[-1:])
    check("audit: 0600", (os.stat(os.path.join(demo, "audit.jsonl")).st_mode & 0o777) == 0o600)

    # Alembic fails mid-way: SQLite has no transactional DDL, so the table stays while the version does not move
    demo, db = demo_project(root, work, "fail")
    add_rev(demo, "f2f2f2f2f2f2", "e7b2d9f4a1c6",
            '    op.create_table("t2", sa.Column("id", sa.Integer(), primary_key=True))\n'
            '    op.execute("INSERT INTO no_such_table VALUES (1)")')
    r = mgate(["upgrade", "--no-backup-check", "--reason", "test", "--log-format", "json"], demo)
    check("alembic fails: exit 4", r.returncode == 4, r.stdout + r.stderr)
    # --log-format json: mgate's own stderr lines are objects (Alembic's own lines pass through untouched)
    logs = [json.loads(l) for l in r.stderr.splitlines() if l.startswith("{")]
    failed_line = [l for l in logs if "Alembic failed" in l["message"]]
    check("log json: the failure is an error line with command, correlation id and revision",
          failed_line and failed_line[0]["level"] == "error" and failed_line[0]["command"] == "upgrade"
          and failed_line[0]["revision"] == "f2f2f2f2f2f2" and failed_line[0]["correlation_id"]
          and ("correlation id: %s" % failed_line[0]["correlation_id"]) in r.stdout, logs)
    check("log json: Alembic's output is not rewritten", "Running upgrade" in r.stderr
          and not [l for l in logs if "Running upgrade" in l["message"]], r.stderr[-1500:])
    r2 = mgate(["status", "--log-format", "yaml"], demo)
    check("log json: a bad format is a usage error", r2.returncode == 2 and "--log-format" in r2.stderr, r2.stderr)
    check("alembic fails: state", "the database is now at: e7b2d9f4a1c6" in r.stdout
          and "3 of 4 steps were applied; it stopped in f2f2f2f2f2f2" in r.stdout, r.stdout)
    check("alembic fails: half-applied", "half-applied by f2f2f2f2f2f2: table t2 added" in r.stdout, r.stdout)
    check("alembic fails: the command that cleans it up", "to clean up the half-applied revision: `mgate restore "
          in r.stdout, r.stdout)
    check("alembic fails: the way back", "downgrade 8b3f5e6d0c12" in r.stdout, r.stdout)
    # the same failure as JSON, for a deploy wrapper: Alembic's output on stderr, the document on stdout
    demo, db = demo_project(root, work, "fail-json")
    add_rev(demo, "f2f2f2f2f2f2", "e7b2d9f4a1c6",
            '    op.create_table("t2", sa.Column("id", sa.Integer(), primary_key=True))\n'
            '    op.execute("INSERT INTO no_such_table VALUES (1)")')
    r = mgate(["upgrade", "--no-backup-check", "--reason", "test", "--format", "json"], demo)
    up = doc(r.stdout, "upgrade --format json") if r.stdout.startswith("{") else {}
    check("json: alembic fails", r.returncode == 4 and up.get("result") == "failed" and up.get("exit") == 4
          and up.get("stopped_in") == "f2f2f2f2f2f2" and up.get("steps_applied") == 3 and up.get("half_applied") == 1
          and up["alembic"]["exit"] != 0 and up["to"] == ["e7b2d9f4a1c6"], up or r.stdout + r.stderr)
    check("json: the ways back as commands", (up.get("way_back") or {}).get("downgrade", "").endswith(
        "downgrade 8b3f5e6d0c12"), up.get("way_back"))
    check("json: Alembic's output is on stderr", "Running upgrade" in r.stderr and "Running upgrade" not in r.stdout)

    # verification catches what the operations did not declare (a wrapper adds a table behind Alembic's back)
    wrapper = os.path.join(work, "sneaky-alembic")
    with open(wrapper, "w") as f:
        f.write('#!/bin/sh\n/usr/bin/python3 -m alembic "$@" || exit $?\n'
                'sqlite3 "$MGATE_TEST_DB" "CREATE TABLE sneaky (id int)"\n')
    os.chmod(wrapper, 0o755)
    demo, db = demo_project(root, work, "verify", extra="alembic_cmd = %s\n" % wrapper)
    r = mgate(["upgrade", "--no-backup-check", "--reason", "test"], demo, env={"MGATE_TEST_DB": db})
    check("verify: exit 5", r.returncode == 5, r.stdout + r.stderr)
    check("verify: names the change", "table sneaky added, which no applied operation declares" in r.stdout, r.stdout)

    # two upgrades at once: the second fails on the lock, Alembic runs once
    slow = os.path.join(work, "slow-alembic")
    with open(slow, "w") as f:
        f.write('#!/bin/sh\nsleep 3\nexec /usr/bin/python3 -m alembic "$@"\n')
    os.chmod(slow, 0o755)
    demo, db = demo_project(root, work, "concurrent", extra="alembic_cmd = %s\n" % slow)
    e = dict(os.environ)
    e.pop("MGATE_DATABASE_URL", None)
    first, head1 = start_until_running(["upgrade", "--no-backup-check", "--reason", "t"], demo, e)
    second = mgate(["upgrade", "--no-backup-check", "--reason", "t"], demo)
    out1, err1 = first.communicate(timeout=120)
    out1 = head1 + out1
    outputs.append(out1 + err1)
    check("concurrent: first upgrades", first.returncode == 0, out1 + err1)
    check("concurrent: second refused", second.returncode == 1 and "migration lock" in second.stdout + second.stderr,
          second.stdout + second.stderr)
    check("concurrent: applied once", rows(db) == ["e7b2d9f4a1c6"], rows(db))

    # SIGTERM during the upgrade: forwarded to Alembic, and mgate still reports the state
    demo, db = demo_project(root, work, "sigterm", extra="alembic_cmd = %s\n" % slow)
    p, head = start_until_running(["upgrade", "--no-backup-check", "--reason", "t"], demo, e)
    time.sleep(0.5)
    p.send_signal(signal.SIGTERM)
    out, err = p.communicate(timeout=120)
    out = head + out
    outputs.append(out + err)
    check("sigterm: exit 4", p.returncode == 4, (p.returncode, out, err))
    check("sigterm: reports the state", "after a signal" in out and "the database is now at: 8b3f5e6d0c12" in out, out)
    check("sigterm: nothing applied", rows(db) == ["8b3f5e6d0c12"], rows(db))


def pg_cases(work):
    with PgServer() as pg:
        pg.psql("CREATE DATABASE app")
        url = pg.url(db="app", driver="psycopg2")
        proj = os.path.join(work, "pg")
        vdir = os.path.join(proj, "migrations", "versions")
        os.makedirs(vdir)
        with open(os.path.join(proj, "alembic.ini"), "w") as f:
            f.write("[alembic]\nscript_location = %(here)s/migrations\nsqlalchemy.url = " + url.replace("%", "%%")
                    + "\n\n[mgate]\nbackup_dir = backups\n"
                    "invariant.admin = SELECT count(*) FROM roles WHERE name = 'admin_tech' => 1\n")
        with open(os.path.join(proj, "migrations", "env.py"), "w") as f:
            f.write(ENV_ONLINE)
        with open(os.path.join(vdir, "r1.py"), "w") as f:
            f.write('from alembic import op\nimport sqlalchemy as sa\nrevision = "r1"\ndown_revision = None\n\n'
                    'def upgrade():\n    op.create_table("roles", sa.Column("id", sa.Integer(), primary_key=True),'
                    ' sa.Column("name", sa.Text()))\n    op.execute("INSERT INTO roles VALUES (1, \'admin_tech\')")\n\n'
                    'def downgrade():\n    op.drop_table("roles")\n')
        with open(os.path.join(vdir, "r2.py"), "w") as f:
            f.write('from alembic import op\nimport sqlalchemy as sa\nrevision = "r2"\ndown_revision = "r1"\n\n'
                    'def upgrade():\n    op.add_column("roles", sa.Column("label", sa.Text(), nullable=True))\n\n'
                    'def downgrade():\n    op.drop_column("roles", "label")\n')
        alembic(proj, "upgrade", "r1")
        r = mgate(["upgrade", "--backup"], proj)
        check("pg: upgraded and verified", r.returncode == 0 and "upgraded and verified: 1 step" in r.stdout,
              r.stdout + r.stderr)
        check("pg: at r2", "r2" in pg.psql("SELECT version_num FROM alembic_version", db="app"))
        check("pg: column added", "label" in pg.psql("SELECT column_name FROM information_schema.columns "
                                                      "WHERE table_name = 'roles'", db="app"))
        led = pg.psql("SELECT revision, length(sha256), applied_by IS NOT NULL FROM mgate_ledger", db="app")
        check("pg: ledger written (file and code hashes)", "r2" in led and "194" in led, led)
        r = mgate(["check", "--format", "json"], proj)
        integ = [c for c in doc(r.stdout)["checks"] if c["name"] == "integrity"]
        check("pg: r1 applied outside mgate", integ and integ[0]["status"] == "warn"
              and "1 applied outside mgate" in integ[0]["summary"], integ)

        # a short query holds a lock the ALTER needs: lock_timeout stops it fast, and it is retried
        import threading
        import psycopg2
        with open(os.path.join(vdir, "r3.py"), "w") as f:
            f.write('from alembic import op\nimport sqlalchemy as sa\nrevision = "r3"\ndown_revision = "r2"\n\n'
                    'def upgrade():\n    op.add_column("roles", sa.Column("extra", sa.Text(), nullable=True))\n\n'
                    'def downgrade():\n    op.drop_column("roles", "extra")\n')
        ini = os.path.join(proj, "alembic.ini")
        open(ini, "a").write("lock_timeout = 1s\nlock_retries = 20\nlock_retry_wait = 1\n")

        def blocker():
            conn = psycopg2.connect(dbname="app", user="postgres", password=PASSWORD, host=pg.sock, port=pg.port)
            cur = conn.cursor()
            cur.execute("SELECT pg_sleep(6) FROM roles LIMIT 1")
            conn.commit()
            conn.close()

        t = threading.Thread(target=blocker)
        t.start()
        for _ in range(100):  # until the blocker's query runs (and holds its lock)
            if "pg_sleep" in pg.psql("SELECT query FROM pg_stat_activity WHERE state = 'active'", db="app"):
                break
            time.sleep(0.05)
        r = mgate(["upgrade", "--no-backup-check", "--reason", "lock test", "--audit-table"], proj)
        t.join()
        audit = pg.psql("SELECT entry->>'command', entry->>'alembic_attempts', entry->'overrides'->0->>'reason' "
                        "FROM mgate_audit", db="app")
        check("pg: audit table", "upgrade" in audit and "lock test" in audit, audit)
        check("pg: lock timeout retried", r.returncode == 0 and "trying again" in r.stdout
              and "upgraded and verified: 1 step" in r.stdout, r.stdout + r.stderr)
        check("pg: no server NOTICE in the output (the ledger and audit tables exist already)",
              "NOTICE" not in r.stdout + r.stderr, r.stdout + r.stderr)

        # Alembic fails mid-way on PostgreSQL: transactional DDL rolls the whole revision back
        with open(os.path.join(vdir, "r4.py"), "w") as f:
            f.write('from alembic import op\nimport sqlalchemy as sa\nrevision = "r4"\ndown_revision = "r3"\n\n'
                    'def upgrade():\n    op.add_column("roles", sa.Column("x4", sa.Text(), nullable=True))\n'
                    '    op.execute("INSERT INTO no_such_table VALUES (1)")\n\n'
                    'def downgrade():\n    op.drop_column("roles", "x4")\n')
        r = mgate(["upgrade", "--no-backup-check", "--reason", "fail test"], proj)
        check("pg: alembic fails: exit 4 with the exact state", r.returncode == 4
              and "the database is now at: r3" in r.stdout and "0 of 1 steps were applied; it stopped in r4" in r.stdout,
              r.stdout + r.stderr)
        check("pg: transactional DDL: nothing half-applied", "half-applied" not in r.stdout
              and "x4" not in pg.psql("SELECT column_name FROM information_schema.columns WHERE table_name = 'roles'",
                                      db="app"), r.stdout)
        check("pg: the way back is printed", "mgate rollback" in r.stdout and "downgrade r3" in r.stdout, r.stdout)


def main():
    root = sys.argv[2]
    work = tempfile.mkdtemp(prefix="mgate-upgrade-")
    try:
        sqlite_cases(root, work)
        pg_cases(work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return finish()


if __name__ == "__main__":
    sys.exit(main())
