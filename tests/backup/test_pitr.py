"""backup_method = pgbackrest against a real pgBackRest repository on a
throw-away PostgreSQL (archive_command, a stanza, a real full backup): the
backup check passes on fresh evidence without any pg_dump, and fails on a
stale backup, broken WAL archiving and a wrong stanza; rollback and restore
print the point-in-time recovery command to just before the upgrade, and
that command, run as printed, really takes the database back.

usage: python3 test_pitr.py MGATE ROOT
"""
import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
from harness import PASSWORD, PgServer, alembic, check, finish, mgate, url_project, write_revision, doc  # noqa: E402,E501


def as_postgres(argv, timeout=300):
    """argv as the data directory's owner (pgBackRest must run as it)."""
    if os.geteuid() == 0:
        argv = ["runuser", "-u", "postgres", "--"] + argv
    return subprocess.run(argv, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL,
                          env=dict(os.environ, PGPASSWORD=PASSWORD))


def pg_ctl(pg, *args):
    data = os.path.join(pg.tmp, "data")
    r = as_postgres([os.path.join(pg.bindir, "pg_ctl"), "-D", data, "-l", os.path.join(pg.tmp, "log"), "-w"]
                    + list(args), timeout=120)
    if r.returncode != 0:
        raise SystemExit("pg_ctl %s failed: %s%s" % (" ".join(args), r.stdout, r.stderr))


def repository(pg, bk):
    """pgbackrest.conf and its folders in `bk`, archiving on, the stanza
    made and checked. Returns the conf path and the archive_command."""
    os.chmod(bk, 0o755)
    for d in ("repo", "lock", "log", "spool"):
        os.mkdir(os.path.join(bk, d), 0o750)
    conf = os.path.join(bk, "pgbackrest.conf")
    with open(conf, "w") as f:
        f.write("[global]\nrepo1-path=%s/repo\nrepo1-retention-full=2\nlock-path=%s/lock\nlog-path=%s/log\n"
                "spool-path=%s/spool\nlog-level-console=warn\ncompress-type=none\nstart-fast=y\narchive-timeout=20\n"
                "\n[app]\npg1-path=%s\npg1-socket-path=%s\npg1-port=%d\npg1-user=postgres\n"
                % (bk, bk, bk, bk, os.path.join(pg.tmp, "data"), pg.sock, pg.port))
    if os.geteuid() == 0:
        for root, dirs, files in os.walk(bk):
            for p in [root] + [os.path.join(root, x) for x in files]:
                shutil.chown(p, "postgres", "postgres")
    push = "pgbackrest --config=%s --stanza=app archive-push %%p" % conf
    pg.psql("ALTER SYSTEM SET archive_mode = 'on'")
    pg.psql("ALTER SYSTEM SET archive_command = '%s'" % push)
    pg_ctl(pg, "restart")
    for args in (["stanza-create"], ["check"]):
        r = as_postgres(["pgbackrest", "--config=" + conf, "--stanza=app"] + args)
        if r.returncode != 0:
            raise SystemExit("pgbackrest %s failed: %s%s" % (args[0], r.stdout, r.stderr))
    return conf, push


def pgbackrest(conf, *args):
    r = as_postgres(["pgbackrest", "--config=" + conf, "--stanza=app"] + list(args))
    check("pgbackrest " + " ".join(args), r.returncode == 0, r.stdout + r.stderr)
    return r


def backup_check(proj):
    r = mgate(["check", "--format", "json"], proj)
    try:
        j = doc(r.stdout)
    except ValueError:
        return r.returncode, {"summary": r.stdout + r.stderr}
    return r.returncode, ([c for c in j["checks"] if c["name"] == "backup"] or [{}])[0]


def set_key(proj, key, value):
    ini = os.path.join(proj, "alembic.ini")
    lines = [ln for ln in open(ini).read().splitlines() if not ln.startswith(key + " =")]
    at = lines.index("[mgate]") + 1
    lines.insert(at, "%s = %s" % (key, value))
    open(ini, "w").write("\n".join(lines) + "\n")


def main():
    work = tempfile.mkdtemp(prefix="mgate-pitr-")
    bk = tempfile.mkdtemp(prefix="mgate-pgbr-")
    try:
        with PgServer() as pg:
            conf, push = repository(pg, bk)
            pg.psql("CREATE DATABASE app")
            url = pg.url(db="app", driver="psycopg2")
            proj = os.path.join(work, "proj")
            vdir = url_project(proj, url, "audit_log = audit.jsonl\nbackup_method = pgbackrest\n"
                               "pgbackrest_stanza = app\npgbackrest_config = " + conf + "\n")
            write_revision(vdir, "r1", None, 'op.create_table("items", sa.Column("id", sa.Integer(), primary_key=True))',
                           'op.drop_table("items")')
            write_revision(vdir, "r2", "r1", 'op.add_column("items", sa.Column("note", sa.Text(), nullable=True))',
                           'op.drop_column("items", "note")')
            alembic(proj, "upgrade", "r1")
            pg.psql("INSERT INTO items VALUES (1), (2)", db="app")

            # no backup yet
            rc, c = backup_check(proj)
            check("no pgBackRest backup yet: the check fails", rc == 1 and c.get("status") == "fail"
                  and "no valid backups" in c.get("summary", "") and "pgbackrest --config=%s --stanza=app backup" % conf
                  in (c.get("next") or ""),
                  c)

            # a fresh full backup and working archiving: the gate opens on the evidence, no dump taken
            pgbackrest(conf, "backup", "--type=full")
            rc, c = backup_check(proj)
            check("fresh backup: the check passes on pgBackRest's evidence", rc == 0 and c.get("status") == "pass"
                  and "pgBackRest stanza 'app': newest full backup" in c.get("summary", "")
                  and "WAL archived up to 0000000" in c.get("summary", ""), c)
            check("no dump was taken", not os.path.exists(os.path.join(proj, "backups")))
            r = mgate(["restore", "newest", "--yes"], proj)
            check("restore newest before any upgrade: no target time known, how to choose one", r.returncode == 1
                  and "does not say when the upgrade started" in r.stderr
                  and "--type=time '--target=YYYY-MM-DD HH:MM:SS+00'" in r.stderr, r.stderr)

            # a wrong stanza
            set_key(proj, "pgbackrest_stanza", "nosuch")
            rc, c = backup_check(proj)
            check("a stanza that does not exist: fails, naming it", rc == 1 and "stanza 'nosuch'" in c.get("summary", ""),
                  c)
            set_key(proj, "pgbackrest_stanza", "app")

            # stale: the newest backup older than backup_max_age
            set_key(proj, "backup_max_age", "1s")
            time.sleep(2.2)
            rc, c = backup_check(proj)
            check("stale backup: fails with its age and the limit", rc == 1 and "old; the limit (backup_max_age) is 1 s"
                  in c.get("summary", ""), c)
            set_key(proj, "backup_max_age", "24")

            # broken archiving: a failed segment since the last success
            pg.psql("ALTER SYSTEM SET archive_command = 'false'")
            pg.psql("SELECT pg_reload_conf()")
            time.sleep(0.5)
            pg.psql("CREATE TABLE churn (x int); INSERT INTO churn VALUES (1)", db="app")
            pg.psql("SELECT pg_switch_wal()")
            for _ in range(100):
                if pg.psql("SELECT failed_count FROM pg_stat_archiver").strip() not in ("", "0"):
                    break
                time.sleep(0.1)
            rc, c = backup_check(proj)
            check("broken archiving: fails, saying so", rc == 1 and "WAL archiving is failing" in c.get("summary", "")
                  and "archive_command" in (c.get("next") or ""), c)
            pg.psql("ALTER SYSTEM SET archive_command = '%s'" % push)
            pg.psql("SELECT pg_reload_conf()")
            pgbackrest(conf, "check")  # switches WAL and waits until it is archived
            rc, c = backup_check(proj)
            check("archiving repaired: passes again", rc == 0 and c.get("status") == "pass", c)

            # the upgrade, through the gate; then the way back is a point-in-time recovery
            time.sleep(1.5)  # the target time, just before the upgrade, must come after the backup ended
            r = mgate(["upgrade"], proj)
            check("upgrade through the gate on pgBackRest's evidence", r.returncode == 0
                  and "upgraded and verified" in r.stdout, r.stdout + r.stderr)
            pg.psql("INSERT INTO items VALUES (3)", db="app")
            pgbackrest(conf, "check")  # the upgrade's WAL is in the repository
            r = mgate(["rollback", "--dry-run", "--format", "json"], proj)
            d = doc(r.stdout) if r.returncode == 0 else {}
            rest = d.get("restore", {})
            check("rollback --dry-run: (b) is a point-in-time recovery with its command", rest.get("point_in_time")
                  is True and rest.get("available") is True and "--stanza=app --type=time" in (rest.get("command") or "")
                  and "--target-action=promote --delta restore" in (rest.get("command") or ""), (d, r.stderr))
            r = mgate(["rollback", "--via", "restore", "--yes"], proj)
            check("rollback --via restore: mgate does not run it, and prints the command", r.returncode == 1
                  and "mgate does not run a point-in-time recovery" in r.stderr and "--type=time" in r.stderr,
                  r.stdout + r.stderr)
            r = mgate(["restore", "newest", "--yes"], proj)
            check("restore newest: the same command", r.returncode == 1 and rest.get("command", "?") in r.stderr,
                  r.stdout + r.stderr)
            check("nothing was changed", pg.psql("SELECT version_num FROM alembic_version", db="app").strip() == "r2")

            # the printed command, run as printed with the server stopped, takes the database back
            pg_ctl(pg, "-m", "fast", "stop")
            pg.started = False
            r = as_postgres(shlex.split(rest["command"]))
            check("the printed pgBackRest command restores", r.returncode == 0, r.stdout + r.stderr)
            pg_ctl(pg, "-o", "-k %s -c listen_addresses= -p %d -c fsync=off" % (pg.sock, pg.port), "start")
            pg.started = True
            for _ in range(100):
                if pg.psql("SELECT NOT pg_is_in_recovery()").strip() == "t":
                    break
                time.sleep(0.1)
            check("... to just before the upgrade: r1, the rows before it, no column 'note'",
                  pg.psql("SELECT version_num FROM alembic_version", db="app").strip() == "r1"
                  and pg.psql("SELECT string_agg(id::text, ',' ORDER BY id) FROM items", db="app").strip() == "1,2"
                  and "note" not in pg.psql("SELECT column_name FROM information_schema.columns WHERE table_name = "
                                            "'items'", db="app"))
            r = mgate(["verify", "r1"], proj)
            check("mgate verify after the recovery", r.returncode == 0, r.stdout + r.stderr)

            # after the promotion: the gate still opens; a downgrade that fails names the PITR as the way back
            write_revision(vdir, "r2", "r1", 'op.add_column("items", sa.Column("note", sa.Text(), nullable=True))',
                           'op.execute("DELETE FROM no_such_table")')
            r = mgate(["upgrade"], proj)
            check("upgrade again after the recovery", r.returncode == 0, r.stdout + r.stderr)
            r = mgate(["rollback", "--via", "downgrade", "--yes"], proj)
            check("a failed downgrade: the next way back is the point-in-time recovery, with its command",
                  r.returncode == 4 and "a point-in-time recovery to just before the upgrade" in r.stdout
                  and "--type=time" in r.stdout and "(null)" not in r.stdout, r.stdout + r.stderr)
            r = mgate(["rollback", "--via", "restore"], proj)
            check("rollback --via restore, no --yes: nothing to confirm, the refusal with the command (exit 1)",
                  r.returncode == 1 and "--type=time" in r.stderr, r.stdout + r.stderr)

        # the settings themselves
        sq = os.path.join(work, "sqlite")
        shutil.copytree(os.path.join(sys.argv[2], "fixtures", "demo"), sq)
        ini = os.path.join(sq, "alembic.ini")
        text = open(ini).read()
        open(ini, "w").write(text.replace("\n[mgate]\n", "\n[mgate]\nbackup_method = pgbackrest\npgbackrest_stanza = app\n", 1))
        alembic(sq, "upgrade", "8b3f5e6d0c12")
        rc, c = backup_check(sq)
        check("pgbackrest on SQLite: the check says it is for PostgreSQL", rc == 1
              and "is for PostgreSQL" in c.get("summary", ""), c)
    finally:
        shutil.rmtree(work, ignore_errors=True)
        shutil.rmtree(bk, ignore_errors=True)
    return finish()


if __name__ == "__main__":
    sys.exit(main())
