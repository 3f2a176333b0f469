"""`mgate backup` on SQLite and on a real PostgreSQL: the backup restores
the same schema and version rows, its manifest proves what it is (identity,
revisions, size, SHA-256), files are 0600, `--list` catches a damaged,
truncated, missing or half-written backup, failures leave nothing that
looks valid, the source database is never changed, and no password is
printed or written to a manifest.

usage: python3 test_backup.py MGATE ROOT
"""
import hashlib
import json
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
from harness import ENV_ONLINE, PASSWORD, PgServer, check, finish, mgate, doc  # noqa: E402









def sha256(path):
    return hashlib.sha256(open(path, "rb").read()).hexdigest()


def manifests(d):
    return sorted(f for f in os.listdir(d) if f.endswith(".manifest.json"))


def sqlite_cases(root, work):
    demo = os.path.join(work, "demo")
    shutil.copytree(os.path.join(root, "fixtures", "demo"), demo)
    for f in os.listdir(demo):
        if f.endswith(".db"):
            os.remove(os.path.join(demo, f))
    shutil.rmtree(os.path.join(demo, "backups"), ignore_errors=True)
    ini = os.path.join(demo, "alembic.ini")
    text = open(ini).read().replace("backup_dir = backups\n", "")  # this test passes --backup-dir
    open(ini, "w").write(text)
    up = subprocess.run(["/usr/bin/python3", "-m", "alembic", "upgrade", "8b3f5e6d0c12"], cwd=demo,
                        capture_output=True, text=True)
    check("alembic upgrade", up.returncode == 0, up.stderr)
    db = os.path.join(demo, "demo.db")
    before = sha256(db)
    bdir = os.path.join(work, "backups")

    r = mgate(["backup", "--backup-dir", bdir, "--format", "json"], demo)
    check("sqlite: exit 0", r.returncode == 0, r.stderr)
    info = doc(r.stdout) if r.returncode == 0 else {}
    path = os.path.join(demo, info.get("path", "x")) if not info.get("path", "/").startswith("/") else info.get("path")
    check("sqlite: source unchanged", sha256(db) == before)
    check("sqlite: folder 0700", stat.S_IMODE(os.stat(bdir).st_mode) == 0o700, oct(os.stat(bdir).st_mode))
    m = manifests(bdir)
    check("sqlite: one manifest", len(m) == 1, m)
    man = json.load(open(os.path.join(bdir, m[0]))) if m else {}
    bfile = os.path.join(bdir, man.get("file", "?"))
    check("sqlite: file 0600", os.path.exists(bfile) and stat.S_IMODE(os.stat(bfile).st_mode) == 0o600)
    check("sqlite: manifest 0600", m and stat.S_IMODE(os.stat(os.path.join(bdir, m[0])).st_mode) == 0o600)
    check("sqlite: checksum", man.get("sha256") == sha256(bfile), man)
    check("sqlite: size", man.get("size") == os.path.getsize(bfile), man)
    check("sqlite: revisions", man.get("revisions") == ["8b3f5e6d0c12"], man)
    check("sqlite: identity", man.get("database_identity") == "sqlite:" + os.path.realpath(db), man)
    check("sqlite: json path", os.path.realpath(path) == os.path.realpath(bfile), (path, bfile))
    a, b = sqlite3.connect(db), sqlite3.connect(bfile)
    q = "SELECT type, name, sql FROM sqlite_schema ORDER BY name"
    check("sqlite: same schema", a.execute(q).fetchall() == b.execute(q).fetchall())
    check("sqlite: same version rows", a.execute("SELECT * FROM alembic_version").fetchall() ==
          b.execute("SELECT * FROM alembic_version").fetchall())
    a.close()
    b.close()

    r = mgate(["backup", "--backup-dir", bdir, "--list"], demo)
    check("list: ok", r.returncode == 0 and " ok " in r.stdout, r.stdout + r.stderr)
    # a leftover of an interrupted backup is listed, not counted as a backup
    open(os.path.join(bdir, ".tmp-demo-interrupted.sqlite3"), "w").write("partial")
    r = mgate(["backup", "--backup-dir", bdir, "--list", "--format", "json"], demo)
    lst = doc(r.stdout)["backups"]
    check("list: incomplete listed", any(x["status"] == "incomplete" for x in lst), lst)
    check("list: still exit 0", r.returncode == 0, r.returncode)
    # damage it
    data = bytearray(open(bfile, "rb").read())
    data[100] ^= 0xFF
    open(bfile, "wb").write(bytes(data))
    r = mgate(["backup", "--backup-dir", bdir, "--list"], demo)
    check("list: checksum mismatch", r.returncode == 1 and "checksum mismatch" in r.stdout, r.stdout)
    open(bfile, "wb").write(bytes(data[:1000]))
    r = mgate(["backup", "--backup-dir", bdir, "--list"], demo)
    check("list: size mismatch", r.returncode == 1 and "size mismatch" in r.stdout, r.stdout)
    os.remove(bfile)
    r = mgate(["backup", "--backup-dir", bdir, "--list"], demo)
    check("list: missing", r.returncode == 1 and "missing" in r.stdout, r.stdout)
    open(os.path.join(bdir, "junk.manifest.json"), "w").write("{not json")
    r = mgate(["backup", "--backup-dir", bdir, "--list"], demo)
    check("list: bad manifest", r.returncode == 1 and "unreadable manifest" in r.stdout, r.stdout)

    # a second backup in the same second gets its own name
    r1 = mgate(["backup", "--backup-dir", bdir], demo)
    r2 = mgate(["backup", "--backup-dir", bdir], demo)
    check("two backups", r1.returncode == 0 and r2.returncode == 0 and len(manifests(bdir)) == 4,
          (manifests(bdir), r1.stderr, r2.stderr))

    # failures leave nothing that looks valid
    r = mgate(["backup", "--backup-dir", "/proc/mgate-cannot-write"], demo)
    check("unwritable: exit 3", r.returncode == 3, (r.returncode, r.stderr))
    check("unwritable: one line", len(r.stderr.strip().splitlines()) == 1, r.stderr)
    r = mgate(["backup"], demo)
    check("no folder: exit 2", r.returncode == 2 and "backup_dir" in r.stderr, r.stderr)
    empty = os.path.join(work, "empty-backups")
    r = mgate(["backup", "--backup-dir", empty, "--db", "sqlite:///" + os.path.join(work, "nope.db")], demo)
    check("missing db: exit 3", r.returncode == 3, r.stderr)
    check("missing db: not created", not os.path.exists(os.path.join(work, "nope.db")))
    check("missing db: no backup", not os.path.exists(empty) or not os.listdir(empty), os.listdir(empty) if os.path.exists(empty) else "")


def pg_cases(work):
    with PgServer() as pg:
        pg.psql("CREATE DATABASE app")
        url = pg.url(db="app", driver="psycopg2")
        proj = os.path.join(work, "pgproj")
        os.makedirs(os.path.join(proj, "migrations", "versions"))
        with open(os.path.join(proj, "alembic.ini"), "w") as f:
            f.write("[alembic]\nscript_location = %(here)s/migrations\nsqlalchemy.url = "
                    + url.replace("%", "%%") + "\n\n[mgate]\nbackup_dir = backups\n")
        with open(os.path.join(proj, "migrations", "env.py"), "w") as f:
            f.write(ENV_ONLINE)
        with open(os.path.join(proj, "migrations", "versions", "p1.py"), "w") as f:
            f.write('from alembic import op\nimport sqlalchemy as sa\nrevision = "p1"\ndown_revision = None\n\n'
                    'def upgrade():\n    op.create_table("roles", sa.Column("id", sa.Integer(), primary_key=True),'
                    ' sa.Column("name", sa.Text()))\n    op.execute("INSERT INTO roles VALUES (1, \'admin_tech\')")\n\n'
                    'def downgrade():\n    op.drop_table("roles")\n')
        up = subprocess.run(["/usr/bin/python3", "-m", "alembic", "upgrade", "head"], cwd=proj,
                            capture_output=True, text=True)
        check("pg: alembic upgrade", up.returncode == 0, up.stderr)
        r = mgate(["backup"], proj)
        check("pg: exit 0", r.returncode == 0, r.stdout + r.stderr)
        bdir = os.path.join(proj, "backups")
        m = manifests(bdir) if os.path.isdir(bdir) else []
        check("pg: one manifest", len(m) == 1, m)
        if not m:
            return
        man = json.load(open(os.path.join(bdir, m[0])))
        dump = os.path.join(bdir, man["file"])
        sysid = pg.psql("SELECT system_identifier FROM pg_control_system()", db="app").split()
        check("pg: identity", any(man["database_identity"] == "postgresql:%s/app" % s for s in sysid),
              (man["database_identity"], sysid))
        check("pg: revisions", man["revisions"] == ["p1"], man)
        check("pg: checksum", man["sha256"] == sha256(dump))
        check("pg: 0600", stat.S_IMODE(os.stat(dump).st_mode) == 0o600)
        lst = subprocess.run(["pg_restore", "--list", dump], capture_output=True, text=True)
        check("pg: archive readable", lst.returncode == 0 and "TABLE public roles" in lst.stdout, lst.stderr)
        check("pg: no password in manifest", PASSWORD not in open(os.path.join(bdir, m[0])).read())
        # restore into a scratch database proves the data is there
        pg.psql("CREATE DATABASE restored")
        env = dict(os.environ, PGHOST=pg.sock, PGPORT=str(pg.port), PGUSER="postgres", PGPASSWORD=PASSWORD)
        rs = subprocess.run(["pg_restore", "--no-owner", "-d", "restored", dump], capture_output=True, text=True,
                            env=env)
        check("pg: restores", rs.returncode == 0, rs.stderr)
        rows = pg.psql("SELECT name FROM roles", db="restored")
        check("pg: data restored", "admin_tech" in rows, rows)
        # pg_dump not installed: a clear error and nothing left behind
        nobin = os.path.join(work, "nobin")
        os.makedirs(nobin)
        r = mgate(["backup", "--backup-dir", os.path.join(work, "pg-nodump")], proj, env={"PATH": nobin})
        check("pg: no pg_dump: exit 3", r.returncode == 3, (r.returncode, r.stderr))
        check("pg: no pg_dump: says what to install", "postgresql-client" in r.stderr, r.stderr)
        left = os.listdir(os.path.join(work, "pg-nodump")) if os.path.isdir(os.path.join(work, "pg-nodump")) else []
        check("pg: no pg_dump: nothing left", left == [], left)
        r = mgate(["backup", "--db", pg.url(db="app", password="wrong-pw")], proj)
        check("pg: wrong password: exit 3", r.returncode == 3, r.stderr)


def main():
    root = sys.argv[2]
    work = tempfile.mkdtemp(prefix="mgate-backup-")
    try:
        sqlite_cases(root, work)
        pg_cases(work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return finish(secrets=("wrong-pw",))


if __name__ == "__main__":
    sys.exit(main())
