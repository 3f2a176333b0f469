"""Benchmark: `mgate heads` and `mgate history` against Alembic's own
`heads` and `history` on a generated project of N revisions (default
10,000) with branch points, merges, labels and depends_on.

usage: /usr/bin/python3 bench/bench_graph.py --mgate build/mgate [--revisions 10000]

Prints wall times (median of 15 runs for mgate, cold with --no-cache and
warm with its scan cache; fewer for Alembic), the speed-up ratios measured
in this same run (xN), and each tool's peak resident memory. Targets (docs/performance.md): mgate at least 100x
faster than Alembic, under 50 ms, under 64 MB peak RSS.
"""
import argparse
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "diff"))
import genproject  # noqa: E402


def write_big_project(root, n, seed):
    """A long history the way real projects grow: mostly linear, with
    feature branches that are merged back, a second base with a label, and
    some depends_on."""
    rng = random.Random(seed)
    vdir = os.path.join(root, "migrations", "versions")
    os.makedirs(vdir)
    with open(os.path.join(root, "alembic.ini"), "w") as f:
        f.write(genproject.INI.format(extra=""))
    with open(os.path.join(root, "migrations", "env.py"), "w") as f:
        f.write(genproject.ENV_PY)
    revs = []
    tip = None
    open_branch = None
    for i in range(n):
        rid = "%012x" % rng.getrandbits(48)
        labels, deps = [], []
        if i == 0:
            down, labels = None, ["core"]
        elif i == n // 2:
            down, labels = None, ["audit"]  # a second base
        elif open_branch and rng.random() < 0.15:
            down = (tip, open_branch)  # merge the feature branch back
            open_branch = None
        elif not open_branch and rng.random() < 0.1 and len(revs) > 3:
            down = revs[-3]  # a feature branch starting a little back
            open_branch = rid
            revs.append(rid)
            with open(os.path.join(vdir, "%s_feature.py" % rid), "w") as f:
                f.write(genproject.render_script(rng, rid, down, [], [], "feature work", "classic"))
            continue
        else:
            down = tip
        if i > n // 2 and rng.random() < 0.02:
            deps = [revs[rng.randrange(0, n // 2 - 1)]]
        revs.append(rid)
        tip = rid if i != n // 2 else tip
        with open(os.path.join(vdir, "%s_step_%d.py" % (rid, i)), "w") as f:
            f.write(genproject.render_script(rng, rid, down, labels, deps, "step %d" % i, rng.choice(["classic", "typed"])))
    return revs


def run_timed(argv, cwd, repeat):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        res = subprocess.run(argv, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        times.append(time.perf_counter() - t0)
        if res.returncode not in (0, 1):
            sys.exit("%s failed (%d): %s" % (" ".join(argv), res.returncode, res.stderr[-2000:]))
    return statistics.median(times)


def peak_rss_mb(argv, cwd):
    """Peak RSS of one run, measured in a fresh child interpreter so the
    figure belongs to that command alone."""
    code = ("import resource,subprocess,sys;"
            "subprocess.run(sys.argv[1:],stdout=subprocess.DEVNULL,stderr=subprocess.DEVNULL);"
            "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    out = subprocess.run([sys.executable, "-c", code] + argv, cwd=cwd, capture_output=True, text=True)
    return int(out.stdout.strip()) / 1024.0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mgate", required=True)
    ap.add_argument("--revisions", type=int, default=10000)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--alembic-runs", type=int, default=1)
    args = ap.parse_args()
    mgate = os.path.abspath(args.mgate)
    root = tempfile.mkdtemp(prefix="mgate-bench-")
    try:
        write_big_project(root, args.revisions, args.seed)
        os.environ["MGATE_CACHE_DIR"] = os.path.join(root, "scan-cache")
        # warm the page cache for both tools alike, and fill mgate's scan
        # cache; then wait out its racy second so that warm runs hit
        subprocess.run([mgate, "heads"], cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(1.5)
        subprocess.run([mgate, "heads"], cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        print("revisions: %d" % args.revisions)
        for cmd in ("heads", "history"):
            cold = run_timed([mgate, cmd, "-q", "--no-cache"], root, 15)
            warm = run_timed([mgate, cmd, "-q"], root, 15)
            a = run_timed(["/usr/bin/python3", "-m", "alembic", cmd], root, args.alembic_runs)
            m_rss = max(peak_rss_mb([mgate, cmd, "-q", "--no-cache"], root), peak_rss_mb([mgate, cmd, "-q"], root))
            a_rss = peak_rss_mb(["/usr/bin/python3", "-m", "alembic", cmd], root)
            print("%-8s mgate cold %7.1f ms (x%.0f)  warm scan cache %7.1f ms (x%.0f)  alembic %9.1f ms  "
                  "peak RSS mgate %5.1f MB  alembic %6.1f MB"
                  % (cmd, cold * 1000, a / cold, warm * 1000, a / warm, a * 1000, m_rss, a_rss))
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
