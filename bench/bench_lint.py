"""Benchmark: `mgate lint --all` on N generated revisions (default 10,000)
with mixed operations and SQL (tests/lint/genlint.py: op.* calls, batch
blocks, multi-line and multi-statement SQL, loops, suppressions), pinned to
one core with taskset.

usage: /usr/bin/python3 bench/bench_lint.py --mgate build/mgate [--revisions 10000]

Prints the median and best wall time of 7 runs with the scan cache off and
on, the revisions and SQL statements linted per second, the CPU time the
runs spent (this VM's wall times swing by a third from one minute to the
next; CPU time does not count time the hypervisor took away), and the peak
resident memory. Target (docs/performance.md): at least 10,000 revisions per second
on one core. squawk (a SQL-only linter from npm) is compared when
`squawk` is on PATH: the same SQL, rendered into one file per revision.
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "lint"))
import genlint  # noqa: E402


PEAK = [0.0]
CPU = []  # user + system seconds of each run (what one core really spent)


def timed(cmd, cwd, env):
    """Wall time and stdout of one run. Its peak RSS goes to PEAK, measured
    by GNU time when installed (a forked child's own ru_maxrss would count
    the Python parent's pages from before exec)."""
    rss_file = tempfile.NamedTemporaryFile(delete=False)
    rss_file.close()
    wrap = ["/usr/bin/time", "-f", "%M %U %S", "-o", rss_file.name] if os.path.exists("/usr/bin/time") else []
    t0 = time.perf_counter()
    proc = subprocess.run(wrap + cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    dt = time.perf_counter() - t0
    if proc.returncode not in (0, 1):
        sys.exit(f"{cmd} failed with exit {proc.returncode}")
    with open(rss_file.name) as f:
        last = f.read().strip().splitlines()[-1:] or [""]
    os.unlink(rss_file.name)
    fields = last[0].split()
    if len(fields) == 3:
        PEAK[0] = max(PEAK[0], int(fields[0]) / 1024)
        CPU.append(float(fields[1]) + float(fields[2]))
    return dt, proc.stdout


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mgate", required=True)
    ap.add_argument("--revisions", type=int, default=10000)
    ap.add_argument("--runs", type=int, default=7)
    a = ap.parse_args()
    mgate = os.path.abspath(a.mgate)
    root = tempfile.mkdtemp(prefix="mgate-bench-lint-")
    env = dict(os.environ, MGATE_CACHE_DIR=os.path.join(root, "cache"))
    try:
        expected = genlint.generate(os.path.join(root, "p"), a.revisions, seed=42)
        proj = os.path.join(root, "p")
        pin = ["taskset", "-c", "0"] if shutil.which("taskset") else []
        base = pin + [mgate, "lint", "--all", "--format", "json"]
        _, out = timed(base + ["--no-cache"], proj, env)
        summary = json.loads(out)["summary"]
        CPU.clear()
        cold_runs = [timed(base + ["--no-cache"], proj, env)[0] for _ in range(a.runs)]
        cold_cpu = sorted(CPU)
        timed(base, proj, env)  # fill the scan cache
        CPU.clear()
        warm_runs = [timed(base, proj, env)[0] for _ in range(a.runs)]
        warm_cpu = sorted(CPU)
        cold, warm = statistics.median(cold_runs), statistics.median(warm_runs)
        rss = PEAK[0]
        print(f"revisions: {summary['revisions']}, operations: {summary['operations']}, "
              f"SQL statements: {summary['statements']}, findings expected: {len(expected)}")
        for label, t, runs, cpu in (("cold (--no-cache)", cold, cold_runs, cold_cpu),
                                    ("warm scan cache", warm, warm_runs, warm_cpu)):
            print(f"mgate lint --all, one core, {label}: median {t * 1000:.1f} ms = "
                  f"{summary['revisions'] / t:,.0f} revisions/s, {summary['statements'] / t:,.0f} statements/s; "
                  f"best {min(runs) * 1000:.1f} ms = {summary['revisions'] / min(runs):,.0f} revisions/s")
            if cpu:
                c = statistics.median(cpu)
                print(f"    CPU time (user+sys) median {c * 1000:.0f} ms = {summary['revisions'] / c:,.0f} revisions "
                      f"per CPU-second")
        print(f"peak RSS: {rss:.1f} MB" if rss else "peak RSS: not measured (/usr/bin/time is not installed)")
        squawk = shutil.which("squawk")
        if squawk:
            sqldir = os.path.join(root, "sql")
            os.makedirs(sqldir)
            # the SQL each revision carries, one file per revision
            for name in os.listdir(os.path.join(proj, "migrations", "versions")):
                text = open(os.path.join(proj, "migrations", "versions", name)).read()
                stmts = [l.split('"')[1] for l in text.splitlines() if 'op.execute("' in l]
                with open(os.path.join(sqldir, name + ".sql"), "w") as f:
                    f.write(";\n".join(stmts) + ";\n")
            files = sorted(os.path.join(sqldir, n) for n in os.listdir(sqldir))
            ts = statistics.median(timed(pin + [squawk] + files, sqldir, env)[0] for _ in range(3))
            print(f"squawk on the same SQL: {ts * 1000:.1f} ms; mgate (cold) is {ts / cold:.1f}x its speed")
        else:
            print("squawk: not installed (npm install squawk-cli needs the network); no comparison")
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
