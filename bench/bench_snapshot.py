"""Benchmark: `mgate snapshot` against `pg_dump --schema-only` on the same
PostgreSQL database of N tables (default 5,000) of 20 columns, each with a
primary key, two indexes and a foreign key to the previous table.

usage: /usr/bin/python3 bench/bench_snapshot.py --mgate build/mgate [--tables 5000]

Prints wall times (median of 5 runs each), the ratio measured in this same
run, and each tool's peak resident memory. Targets (docs/performance.md):
at least 5x faster than pg_dump, under 1 s, under 100 MB.
"""
import argparse
import os
import resource
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "pg"))
from pgserver import PASSWORD, PgServer  # noqa: E402


def create_schema(pg, n):
    chunk = []
    for i in range(n):
        cols = ", ".join("c%02d %s" % (k, ["integer", "text", "timestamptz", "numeric(12,2)", "boolean"][k % 5])
                         for k in range(17))
        fk = ", parent_id integer REFERENCES t%05d(id) ON DELETE CASCADE" % (i - 1) if i else ", parent_id integer"
        chunk.append("CREATE TABLE t%05d (id serial PRIMARY KEY, name text NOT NULL DEFAULT 'x'%s, %s);"
                     "CREATE INDEX ix_t%05d_name ON t%05d (name) WHERE c00 > 0;"
                     "CREATE UNIQUE INDEX ux_t%05d_c01 ON t%05d (lower(c01));" % (i, fk, cols, i, i, i, i))
        if len(chunk) == 250:
            pg.psql("BEGIN;" + "".join(chunk) + "COMMIT;")
            chunk = []
    if chunk:
        pg.psql("BEGIN;" + "".join(chunk) + "COMMIT;")
    pg.psql("ANALYZE")


def timed(argv, env, repeat):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        r = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, text=True)
        times.append(time.perf_counter() - t0)
        if r.returncode != 0:
            sys.exit("%s failed: %s" % (argv[0], r.stderr[-2000:]))
    return statistics.median(times)


def peak_rss_mb(argv, env):
    code = ("import resource,subprocess,sys;"
            "subprocess.run(sys.argv[1:],stdout=subprocess.DEVNULL,stderr=subprocess.DEVNULL);"
            "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    out = subprocess.run([sys.executable, "-c", code] + argv, capture_output=True, text=True, env=env)
    return int(out.stdout.strip()) / 1024.0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mgate", required=True)
    ap.add_argument("--tables", type=int, default=5000)
    args = ap.parse_args()
    with PgServer() as pg:
        t0 = time.perf_counter()
        create_schema(pg, args.tables)
        print("tables: %d x 20 columns (created in %.0f s)" % (args.tables, time.perf_counter() - t0))
        env = dict(os.environ, PGPASSWORD=PASSWORD)
        mg = [os.path.abspath(args.mgate), "snapshot", "--db", pg.url()]
        dump = [os.path.join(pg.bindir, "pg_dump"), "--schema-only", "-h", pg.sock, "-p", str(pg.port), "-U", "postgres",
                "postgres"]
        timed(mg, env, 1)  # warm the server's catalog caches for both
        timed(dump, env, 1)
        m = timed(mg, env, 5)
        d = timed(dump, env, 5)
        print("snapshot  mgate %8.1f ms  pg_dump --schema-only %8.1f ms  ratio %5.1fx  peak RSS mgate %6.1f MB  pg_dump %6.1f MB"
              % (m * 1000, d * 1000, d / m, peak_rss_mb(mg, env), peak_rss_mb(dump, env)))


if __name__ == "__main__":
    main()
