"""Benchmark: a verified `mgate backup` of a SQLite database against `cp`
plus `fsync` of the same file, alternating in one run; and what each part
of the verification costs (PRAGMA integrity_check against quick_check,
and SHA-256 of the file), measured with the sqlite3 and sha256sum tools.

usage: /usr/bin/python3 bench/bench_sqlite_backup.py --mgate build/mgate [--mb 1000] [--runs 3]

Target (issue 22, docs/performance.md): the verified backup in at most
twice the time of cp + fsync.
"""
import argparse
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time


def timed(fn):
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def run(argv, cwd=None):
    r = subprocess.run(argv, cwd=cwd, capture_output=True, text=True)
    if r.returncode:
        sys.exit("bench_sqlite_backup.py: %s failed: %s" % (argv[:2], r.stdout[-800:] + r.stderr[-800:]))
    return r.stdout


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mgate", required=True)
    ap.add_argument("--mb", type=int, default=1000)
    ap.add_argument("--runs", type=int, default=3)
    a = ap.parse_args()
    mgate = os.path.abspath(a.mgate)
    work = tempfile.mkdtemp(prefix="mgate-bench-sqlite-", dir=os.environ.get("BENCH_DIR"))
    try:
        proj = os.path.join(work, "p")
        os.makedirs(os.path.join(proj, "migrations", "versions"))
        db = os.path.join(proj, "app.db")
        c = sqlite3.connect(db)
        c.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) PRIMARY KEY)")
        c.execute("INSERT INTO alembic_version VALUES ('r1')")
        c.execute("CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT, note TEXT)")
        c.execute("CREATE INDEX ix_items_name ON items (name)")
        rows = a.mb * 1000000 // 250
        c.execute("WITH RECURSIVE g(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM g WHERE i < ?) "
                  "INSERT INTO items SELECT i, 'item ' || i, hex(randomblob(80)) FROM g", (rows,))
        c.commit()
        c.close()
        open(os.path.join(proj, "alembic.ini"), "w").write(
            "[alembic]\nscript_location = %(here)s/migrations\nsqlalchemy.url = sqlite:///%(here)s/app.db\n\n"
            "[mgate]\nbackup_dir = %(here)s/backups\n")
        open(os.path.join(proj, "migrations", "versions", "r1.py"), "w").write(
            "revision = 'r1'\ndown_revision = None\n\ndef upgrade():\n    pass\n\ndef downgrade():\n    pass\n")
        size = os.path.getsize(db)
        copy = os.path.join(work, "copy.db")
        cps, ours = [], []
        for _ in range(a.runs):
            cps.append(timed(lambda: (run(["cp", db, copy]), run(["sync", copy]))))
            os.unlink(copy)
            ours.append(timed(lambda: run([mgate, "backup"], cwd=proj)))
            shutil.rmtree(os.path.join(proj, "backups"))
        integrity = timed(lambda: run(["sqlite3", db, "PRAGMA integrity_check"]))
        quick = timed(lambda: run(["sqlite3", db, "PRAGMA quick_check"]))
        sha = timed(lambda: run(["sha256sum", db]))
        c, o = statistics.median(cps), statistics.median(ours)
        print("database: %.0f MB (%d rows, one index), runs: %d, alternating" % (size / 1e6, rows, a.runs))
        print("cp + fsync: median %.2f s" % c)
        print("mgate backup (copy, integrity check, SHA-256, manifest): median %.2f s, %.2fx cp's time "
              "(target: at most 2x)" % (o, o / c))
        print("parts, once each: integrity_check %.2f s, quick_check %.2f s, sha256sum %.2f s" % (integrity, quick, sha))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
