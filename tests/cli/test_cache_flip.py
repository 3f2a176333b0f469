"""A scan cache cannot change an answer: every byte of a real cache file
(the demo project's, written by mgate) is flipped in turn, and `mgate
heads`, `mgate history` and `mgate status` must each print exactly what
they print with --no-cache.

usage: python3 test_cache_flip.py MGATE ROOT
"""
import concurrent.futures
import glob
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from harness import check, demo_project, finish  # noqa: E402

COMMANDS = (["heads"], ["history"], ["status"])


def run(args, cwd, cache_dir):
    env = dict(os.environ, MGATE_CACHE_DIR=cache_dir)
    env.pop("MGATE_DATABASE_URL", None)
    r = subprocess.run([sys.argv[1]] + args, cwd=cwd, capture_output=True, text=True, env=env, timeout=120,
                       stdin=subprocess.DEVNULL)
    return r.returncode, r.stdout, r.stderr


def flip_range(demo, good, name, truth, lo, hi, worker_dir):
    """Flip bytes lo..hi-1 of the cache file in turn; return the mismatches."""
    bad = []
    os.makedirs(worker_dir, exist_ok=True)
    path = os.path.join(worker_dir, name)
    for i in range(lo, hi):
        damaged = bytearray(good)
        damaged[i] ^= 0x5A
        for args in COMMANDS:
            with open(path, "wb") as f:
                f.write(damaged)
            got = run(args, demo, worker_dir)
            if got != truth[args[0]]:
                bad.append((i, args[0], got))
    return bad


def main():
    with tempfile.TemporaryDirectory() as work:
        demo, _ = demo_project(sys.argv[2], work, "demo")
        cache = os.path.join(work, "cache")
        truth = {}
        for args in COMMANDS:
            truth[args[0]] = run(args + ["--no-cache"], demo, cache)
            check("%s --no-cache exits 0" % args[0], truth[args[0]][0] == 0, truth[args[0]])
        files = glob.glob(os.path.join(cache, "*"))
        check("--no-cache writes no cache", not files, files)
        run(["heads"], demo, cache)
        files = glob.glob(os.path.join(cache, "*.scan"))
        check("the first run writes one cache file", len(files) == 1, files)
        if len(files) != 1:
            return finish()
        with open(files[0], "rb") as f:
            good = f.read()
        name = os.path.basename(files[0])
        for args in COMMANDS:
            got = run(args, demo, cache)
            check("%s from the intact cache equals --no-cache" % args[0], got == truth[args[0]], got)
        # two workers, each with its own cache folder, share the bytes
        half = len(good) // 2
        with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
            jobs = [pool.submit(flip_range, demo, good, name, truth, lo, hi, os.path.join(work, "w%d" % k))
                    for k, (lo, hi) in enumerate(((0, half), (half, len(good))))]
            bad = [b for j in jobs for b in j.result()]
        check("each of the %d bytes flipped: heads, history and status print what --no-cache prints" % len(good),
              not bad, bad[:5])
        shutil.rmtree(cache, ignore_errors=True)
    return finish()


if __name__ == "__main__":
    sys.exit(main())
