"""Benchmark: `mgate snapshot` against `pg_dump --schema-only` on the same
PostgreSQL database of N tables (default 5,000) of 20 columns, each with a
primary key, two indexes and a foreign key to the previous table.

usage: /usr/bin/python3 bench/bench_snapshot.py --mgate build/mgate [--tables 5000]

The catalogs are vacuumed once after the tables are made (as autovacuum
would soon do), so that no autovacuum runs during the timings, and the two
tools' runs alternate, so that a slower minute of the machine weighs on
both. Prints wall times (median of 7 runs each), the ratio measured in
this same run, and each tool's peak resident memory. Targets
(docs/performance.md): at least 5x faster than pg_dump, under 1 s, under
100 MB.
"""
import argparse
import os
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


def timed_once(argv, env):
    t0 = time.perf_counter()
    r = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, text=True)
    if r.returncode != 0:
        sys.exit("%s failed: %s" % (argv[0], r.stderr[-2000:]))
    return time.perf_counter() - t0


def timed_pair(a, b, env, repeat):
    """Medians of `repeat` runs of each, alternating."""
    ta, tb = [], []
    for _ in range(repeat):
        ta.append(timed_once(a, env))
        tb.append(timed_once(b, env))
    return statistics.median(ta), statistics.median(tb)


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
        pg.psql("VACUUM ANALYZE")
        print("tables: %d x 20 columns (created in %.0f s)" % (args.tables, time.perf_counter() - t0))
        env = dict(os.environ, PGPASSWORD=PASSWORD)
        mg = [os.path.abspath(args.mgate), "snapshot", "--db", pg.url()]
        dump = [os.path.join(pg.bindir, "pg_dump"), "--schema-only", "-h", pg.sock, "-p", str(pg.port), "-U", "postgres",
                "postgres"]
        timed_pair(mg, dump, env, 1)  # warm the server's shared buffers for both
        m, d = timed_pair(mg, dump, env, 7)
        print("snapshot  mgate %8.1f ms  pg_dump --schema-only %8.1f ms  ratio %5.1fx  peak RSS mgate %6.1f MB  pg_dump %6.1f MB"
              % (m * 1000, d * 1000, d / m, peak_rss_mb(mg, env), peak_rss_mb(dump, env)))


if __name__ == "__main__":
    main()
