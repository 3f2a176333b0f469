"""Benchmark: `mgate check` on the bundled SQLite demo project, and
`mgate upgrade`'s own overhead (its wall time minus the time the Alembic
child takes, measured by a wrapper around Alembic).

usage: /usr/bin/python3 bench/bench_gate.py --mgate build/mgate [--runs 20]

Prints the median and best of each. Targets (docs/performance.md): check
under 20 ms, upgrade overhead under 50 ms.
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mgate", required=True)
    ap.add_argument("--runs", type=int, default=20)
    a = ap.parse_args()
    mgate = os.path.abspath(a.mgate)
    work = tempfile.mkdtemp(prefix="mgate-bench-gate-")
    try:
        demo = os.path.join(work, "demo")
        shutil.copytree(os.path.join(ROOT, "fixtures", "demo"), demo,
                        ignore=shutil.ignore_patterns("*.db", "backups", "*.mgate-lock", "__pycache__"))
        wrapper = os.path.join(work, "timed-alembic")
        times = os.path.join(work, "alembic-ns")
        with open(wrapper, "w") as f:
            f.write('#!/bin/sh\nstart=$(date +%%s%%N)\n/usr/bin/python3 -m alembic "$@"\nrc=$?\n'
                    'echo $(( $(date +%%s%%N) - start )) >> %s\nexit $rc\n' % times)
        os.chmod(wrapper, 0o755)
        ini = os.path.join(demo, "alembic.ini")
        text = open(ini).read().replace("\n[mgate]\n", "\n[mgate]\nalembic_cmd = %s\n" % wrapper)
        open(ini, "w").write(text)
        env = dict(os.environ, MGATE_CACHE_DIR=os.path.join(work, "cache"))
        env.pop("MGATE_DATABASE_URL", None)
        subprocess.run(["/usr/bin/python3", "-m", "alembic", "upgrade", "8b3f5e6d0c12"], cwd=demo, check=True,
                       capture_output=True)
        subprocess.run([mgate, "backup"], cwd=demo, env=env, check=True, capture_output=True)
        pristine = os.path.join(work, "pristine.db")
        shutil.copy(os.path.join(demo, "demo.db"), pristine)

        checks = []
        for _ in range(a.runs):
            t0 = time.perf_counter()
            r = subprocess.run([mgate, "check"], cwd=demo, env=env, capture_output=True)
            checks.append(time.perf_counter() - t0)
            if r.returncode != 0:
                sys.exit("mgate check did not open the gate: " + r.stdout.decode())

        overheads, totals = [], []
        for _ in range(max(5, a.runs // 2)):
            shutil.copy(pristine, os.path.join(demo, "demo.db"))
            if os.path.exists(times):
                os.remove(times)
            t0 = time.perf_counter()
            r = subprocess.run([mgate, "upgrade"], cwd=demo, env=env, capture_output=True)
            total = time.perf_counter() - t0
            if r.returncode != 0:
                sys.exit("mgate upgrade failed: " + r.stdout.decode() + r.stderr.decode())
            child = int(open(times).read().split()[-1]) / 1e9
            totals.append(total)
            overheads.append(total - child)
        print(f"mgate check (demo, SQLite): median {statistics.median(checks) * 1000:.1f} ms, "
              f"best {min(checks) * 1000:.1f} ms ({a.runs} runs)")
        print(f"mgate upgrade overhead (excluding Alembic): median {statistics.median(overheads) * 1000:.1f} ms, "
              f"best {min(overheads) * 1000:.1f} ms; whole upgrade median {statistics.median(totals) * 1000:.0f} ms "
              f"({len(totals)} runs)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
