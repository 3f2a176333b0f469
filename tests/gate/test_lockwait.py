"""--lock-wait against a migration lock another process holds, for every
command that takes the lock (upgrade, rollback, restore), on SQLite and on
a real PostgreSQL: without it the run is refused at once, naming the
holder; with it the run says that it waits and for whom, and goes on when
the lock is free (or gives up after the time given).

usage: python3 test_lockwait.py MGATE ROOT
"""
import fcntl
import os
import subprocess
import sys
import tempfile
import threading
import time
import shutil

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
from harness import PASSWORD, PgServer, check, demo_project, finish, mgate, outputs, url_project, write_revision  # noqa: E402,E501


def rows(db):
    import sqlite3
    c = sqlite3.connect(db)
    try:
        return sorted(r[0] for r in c.execute("SELECT version_num FROM alembic_version"))
    finally:
        c.close()


def hold_file_lock(path, seconds):
    """Hold an exclusive flock on `path` (as another mgate run would) for
    `seconds`, from a thread; returns it once the lock is held."""
    f = open(path, "a+")
    fcntl.flock(f, fcntl.LOCK_EX)
    f.seek(0)
    f.truncate()
    f.write("pid 4242 (mgate, since 2026-12-03T09:00:00Z)\n")
    f.flush()

    def release():
        time.sleep(seconds)
        fcntl.flock(f, fcntl.LOCK_UN)
        f.close()

    t = threading.Thread(target=release)
    t.start()
    return t


def sqlite_cases(root, work):
    slow = os.path.join(work, "slow-alembic")
    with open(slow, "w") as f:
        f.write('#!/bin/sh\nsleep 3\nexec /usr/bin/python3 -m alembic "$@"\n')
    os.chmod(slow, 0o755)
    demo, db = demo_project(root, work, "sqlite", extra="alembic_cmd = %s\n" % slow)
    lock = db + ".mgate-lock"
    e = dict(os.environ)
    e.pop("MGATE_DATABASE_URL", None)

    # upgrade: a second mgate upgrade holds the lock while Alembic runs
    first = subprocess.Popen([sys.argv[1], "upgrade", "--no-backup-check", "--reason", "t"], cwd=demo,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=e)
    seen = ""
    for line in first.stdout:
        seen += line
        if line.startswith("running:"):
            break
    r = mgate(["upgrade", "--no-backup-check", "--reason", "t"], demo)
    check("upgrade, no --lock-wait: refused at once, naming the holder and the option", r.returncode == 1
          and "another mgate run holds the migration lock" in r.stdout + r.stderr
          and "pid %d (mgate, since " % first.pid in r.stdout + r.stderr
          and "--lock-wait SECONDS" in r.stdout + r.stderr, r.stdout + r.stderr)
    t0 = time.time()
    r = mgate(["upgrade", "--no-backup-check", "--reason", "t", "--lock-wait", "60"], demo)
    waited = time.time() - t0
    out, err = first.communicate(timeout=120)
    outputs.append(seen + out + err)
    check("the first upgrade ran", first.returncode == 0, seen + out + err)
    check("upgrade --lock-wait: says it waits, for whom, then goes on", r.returncode == 0
          and "waiting up to 60 s: another mgate run holds the migration lock" in r.stdout
          and "pid %d (mgate" % first.pid in r.stdout and "the migration lock is free now: going on" in r.stdout,
          r.stdout + r.stderr)
    check("... and finds the rows the other run left: nothing to upgrade, Alembic not run again",
          "nothing to upgrade" in r.stdout and "running:" not in r.stdout and rows(db) == ["e7b2d9f4a1c6"]
          and waited > 0.5, (waited, r.stdout))

    # too short a wait: refused after it, nothing changed
    t = hold_file_lock(lock, 4)
    r = mgate(["rollback", "--to", "8b3f5e6d0c12", "--yes", "--lock-wait", "1"], demo)
    check("rollback --lock-wait 1 on a lock held longer: refused after waiting", r.returncode == 1
          and "waiting up to 1 s" in r.stdout and "pid 4242 (mgate, since 2026-12-03T09:00:00Z)" in r.stdout
          and "(waited 1 s)" in r.stderr and "nothing was changed" in r.stderr, r.stdout + r.stderr)
    check("... the database is as it was", rows(db) == ["e7b2d9f4a1c6"], rows(db))
    t.join()

    # rollback and restore wait, then run
    t = hold_file_lock(lock, 2)
    r = mgate(["rollback", "--to", "8b3f5e6d0c12", "--via", "downgrade", "--yes", "--lock-wait", "60"], demo)
    t.join()
    check("rollback --lock-wait: waits, then rolls back", r.returncode == 0 and "waiting up to 60 s" in r.stdout
          and "rolled back and verified" in r.stdout and rows(db) == ["8b3f5e6d0c12", "a9d4c2b7e5f8"], r.stdout + r.stderr)
    r = mgate(["backup"], demo)
    check("backup", r.returncode == 0, r.stderr)
    t = hold_file_lock(lock, 2)
    r = mgate(["restore", "newest", "--yes", "--lock-wait", "60"], demo)
    t.join()
    check("restore --lock-wait: waits, then restores", r.returncode == 0 and "waiting up to 60 s" in r.stdout
          and "restored " in r.stdout, r.stdout + r.stderr)
    t = hold_file_lock(lock, 3)
    r = mgate(["restore", "newest", "--yes"], demo)
    t.join()
    check("restore, no --lock-wait: refused at once", r.returncode == 1 and "--lock-wait SECONDS" in r.stderr,
          r.stdout + r.stderr)


def pg_cases(work):
    import psycopg2
    with PgServer() as pg:
        pg.psql("CREATE DATABASE app")
        url = pg.url(db="app", driver="psycopg2")
        proj = os.path.join(work, "pg")
        vdir = url_project(proj, url, "backup_dir = backups\n")
        write_revision(vdir, "r1", None, 'op.create_table("roles", sa.Column("id", sa.Integer(), primary_key=True))',
                       'op.drop_table("roles")')

        # another deploy holds the migration lock: an advisory lock on the same key
        holder = psycopg2.connect(dbname="app", user="postgres", password=PASSWORD, host=pg.sock, port=pg.port,
                                  application_name="deploy-42")
        holder.autocommit = True
        cur = holder.cursor()
        cur.execute("SELECT pg_advisory_lock(hashtextextended('mgate:alembic_version', 0))")
        r = mgate(["upgrade", "--backup"], proj)
        check("pg: upgrade, no --lock-wait: refused at once, naming the holder", r.returncode == 1
              and "pid %d (deploy-42, user postgres, connected since " % holder.get_backend_pid() in r.stdout + r.stderr
              and "--lock-wait SECONDS" in r.stdout + r.stderr, r.stdout + r.stderr)

        def release():
            time.sleep(2)
            cur.execute("SELECT pg_advisory_unlock(hashtextextended('mgate:alembic_version', 0))")

        t = threading.Thread(target=release)
        t.start()
        r = mgate(["upgrade", "--backup", "--lock-wait", "60"], proj)
        t.join()
        check("pg: upgrade --lock-wait: waits for deploy-42, then upgrades", r.returncode == 0
              and "waiting up to 60 s" in r.stdout and "deploy-42" in r.stdout
              and "upgraded and verified: 1 step" in r.stdout, r.stdout + r.stderr)

        cur.execute("SELECT pg_advisory_lock(hashtextextended('mgate:alembic_version', 0))")
        t = threading.Thread(target=release)
        t.start()
        r = mgate(["rollback", "--to", "base", "--via", "downgrade", "--yes", "--lock-wait", "60"], proj)
        t.join()
        check("pg: rollback --lock-wait: waits, then rolls back", r.returncode == 0 and "waiting up to 60 s" in r.stdout
              and "rolled back and verified" in r.stdout, r.stdout + r.stderr)

        cur.execute("SELECT pg_advisory_lock(hashtextextended('mgate:alembic_version', 0))")
        t = threading.Thread(target=release)
        t.start()
        holder_pid = holder.get_backend_pid()
        r = mgate(["restore", "newest", "--yes", "--lock-wait", "60"], proj)
        t.join()
        # the holder's own session is still connected: the restore, once it has the lock, refuses over it
        check("pg: restore --lock-wait: waits, then checks the other sessions", r.returncode == 1
              and "waiting up to 60 s" in r.stdout and "pid %d (deploy-42" % holder_pid in r.stdout
              and "other session" in r.stderr, r.stdout + r.stderr)
        holder.close()


def main():
    root = sys.argv[2]
    work = tempfile.mkdtemp(prefix="mgate-lockwait-")
    try:
        sqlite_cases(root, work)
        pg_cases(work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return finish()


if __name__ == "__main__":
    sys.exit(main())
