"""Benchmark: `mgate restore` of a PostgreSQL backup against a plain
`pg_restore -d --single-transaction` of the same archive into an empty
database, alternating the two in one run.

usage: /usr/bin/python3 bench/bench_restore.py --mgate build/mgate [--rows 2000000] [--runs 3]

mgate restores in place: in one transaction it drops the user schemas and
loads the archive, pg_restore's SQL fed into psql as it is produced, after
checking the backup's checksum and the database's identity. Target
(issue 22, docs/performance.md): at least 0.95x the speed of the plain
pg_restore.
"""
import argparse
import glob
import os
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "pg"))
from pgserver import PgServer  # noqa: E402


def timed(argv, env, cwd=None):
    t0 = time.perf_counter()
    r = subprocess.run(argv, env=env, cwd=cwd, capture_output=True, text=True)
    if r.returncode:
        sys.exit("bench_restore.py: %s failed:\n%s" % (argv[:2], r.stdout[-1500:] + r.stderr[-1500:]))
    return time.perf_counter() - t0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mgate", required=True)
    ap.add_argument("--rows", type=int, default=2000000)
    ap.add_argument("--runs", type=int, default=3)
    a = ap.parse_args()
    mgate = os.path.abspath(a.mgate)
    work = tempfile.mkdtemp(prefix="mgate-bench-restore-")
    os.chmod(work, 0o755)
    with PgServer() as pg:
        pg.psql("CREATE DATABASE app")
        pg.psql("CREATE TABLE items (id bigint PRIMARY KEY, name text, note text, at timestamptz DEFAULT now()); "
                "INSERT INTO items (id, name, note) SELECT g, 'item ' || g, repeat(md5(g::text), 2) "
                "FROM generate_series(1, %d) g; CREATE INDEX ix_items_name ON items (name); "
                "CREATE TABLE alembic_version (version_num varchar(32) PRIMARY KEY); "
                "INSERT INTO alembic_version VALUES ('r1'); ANALYZE" % a.rows, db="app")
        proj = os.path.join(work, "p")
        os.makedirs(os.path.join(proj, "migrations", "versions"))
        open(os.path.join(proj, "alembic.ini"), "w").write(
            "[alembic]\nscript_location = %(here)s/migrations\nsqlalchemy.url = "
            + pg.url(db="app").replace("%", "%%") + "\n\n[mgate]\nbackup_dir = %(here)s/backups\n")
        open(os.path.join(proj, "migrations", "versions", "r1.py"), "w").write(
            "revision = 'r1'\ndown_revision = None\n\ndef upgrade():\n    pass\n\ndef downgrade():\n    pass\n")
        env = dict(os.environ)
        env.pop("MGATE_DATABASE_URL", None)
        subprocess.run([mgate, "backup"], cwd=proj, env=env, check=True, capture_output=True)
        archive = glob.glob(os.path.join(proj, "backups", "*.dump"))[0]
        size = os.path.getsize(archive)
        plain, ours, in_place = [], [], []
        for i in range(a.runs):
            for name in ("plain%d" % i, "ours%d" % i):
                pg.psql("DROP DATABASE IF EXISTS %s" % name)
                pg.psql("CREATE DATABASE %s" % name)
            plain.append(timed(["pg_restore", "--single-transaction", "--no-password", "-d", pg.url(db="plain%d" % i),
                                archive], env))
            ours.append(timed([mgate, "restore", archive, "--into", pg.url(db="ours%d" % i)], env, cwd=proj))
            in_place.append(timed([mgate, "restore", archive, "--yes"], env, cwd=proj))
            for name in ("plain%d" % i, "ours%d" % i):
                pg.psql("DROP DATABASE %s" % name)
    p, o, q = statistics.median(plain), statistics.median(ours), statistics.median(in_place)
    print("archive: %.0f MB (%d rows), runs: %d, alternating" % (size / 1e6, a.rows, a.runs))
    print("pg_restore -d --single-transaction, into an empty database: median %.2f s" % p)
    print("mgate restore --into an empty database (checks included): median %.2f s, %.2fx pg_restore's speed "
          "(target: at least 0.95x)" % (o, p / o))
    print("mgate restore in place (also dumps what it replaces first, and drops it): median %.2f s" % q)


if __name__ == "__main__":
    main()
