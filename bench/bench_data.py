"""Benchmark: what the row accounting adds to `mgate upgrade` on a
PostgreSQL database of N tables (default 5,000): the two readings of
pg_stat_user_tables around Alembic, and the wait for Alembic's session to
end. The upgrade records its phases in the audit entry (`phases_ms`):
`data` is the accounting's share. Each run upgrades one trivial revision,
then the real Alembic downgrades it again.

usage: /usr/bin/python3 bench/bench_data.py --mgate build/mgate [--tables 5000] [--runs 7]

Prints the median and the worst of `data`, and the other phases beside
it. Target (issue 18, docs/performance.md): under 100 ms at 5,000 tables.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "pg"))
sys.path.insert(0, os.path.join(HERE, "..", "tests"))
from pgserver import PgServer  # noqa: E402
from harness import url_project, write_revision  # noqa: E402
from bench_snapshot import create_schema  # noqa: E402



def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mgate", required=True)
    ap.add_argument("--tables", type=int, default=5000)
    ap.add_argument("--runs", type=int, default=7)
    a = ap.parse_args()
    mgate = os.path.abspath(a.mgate)
    work = tempfile.mkdtemp(prefix="mgate-bench-data-")
    os.chmod(work, 0o755)
    with PgServer() as pg:
        pg.psql("CREATE DATABASE bench")
        create_schema(type("db", (), {"psql": lambda self, sql: pg.psql(sql, db="bench")})(), a.tables)
        proj = os.path.join(work, "p")
        vdir = url_project(proj, pg.url(db="bench", driver="psycopg2"), "audit_log = %(here)s/audit.jsonl\n")
        write_revision(vdir, "r1", None, "pass", "pass")
        write_revision(vdir, "r2", "r1", 'op.execute("UPDATE t00001 SET c00 = 1 WHERE id > 0")', "pass")
        alembic = ["/usr/bin/python3", "-m", "alembic", "-c", os.path.join(proj, "alembic.ini")]
        subprocess.run(alembic + ["upgrade", "r1"], check=True, capture_output=True)
        phases = []
        for _ in range(a.runs):
            r = subprocess.run([mgate, "upgrade", "--no-backup-check", "--reason", "bench"], cwd=proj,
                               capture_output=True, text=True)
            if r.returncode != 0:
                sys.exit("bench_data.py: the upgrade failed:\n" + r.stdout[-2000:] + r.stderr[-2000:])
            entry = [json.loads(x) for x in open(os.path.join(proj, "audit.jsonl"))][-1]
            phases.append(entry["phases_ms"])
            subprocess.run(alembic + ["downgrade", "r1"], check=True, capture_output=True)
    data = sorted(p["data"] for p in phases)
    print("tables: %d, runs: %d" % (a.tables, a.runs))
    print("row accounting (phases_ms.data): median %.1f ms, worst %.1f ms (target: under 100 ms)"
          % (statistics.median(data), data[-1]))
    for name in ("checklist", "snapshot", "alembic", "verification"):
        print("  %-12s median %.1f ms" % (name, statistics.median(p[name] for p in phases)))


if __name__ == "__main__":
    main()
