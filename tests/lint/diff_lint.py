#!/usr/bin/python3
"""Precision of `mgate lint` on generated revisions: every finding must be
on exactly the line and revision the generator expects, none missing, none
extra (tests/lint/genlint.py says why each is expected).

usage: diff_lint.py --mgate PATH --count N --seed S --workdir DIR
"""
import argparse
import json
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import genlint  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mgate", required=True)
    ap.add_argument("--count", type=int, default=300)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--workdir", required=True)
    a = ap.parse_args()
    shutil.rmtree(a.workdir, ignore_errors=True)
    expected = genlint.generate(a.workdir, a.count, a.seed)
    proc = subprocess.run([a.mgate, "lint", "--all", "--format", "json", "--no-cache"], cwd=a.workdir,
                          capture_output=True, text=True)
    if proc.returncode not in (0, 1):
        print(proc.stderr)
        return 1
    report = json.loads(proc.stdout)
    # informational findings (notes such as missing-lock-timeout) are not
    # part of the generator's model: errors and warnings must match exactly
    got = {(f["revision"], os.path.basename(f["path"]), f["line"], f["rule"])
           for f in report["findings"] if not f["suppressed"] and f["severity"] != "info"}
    wrong_file = [f for f in report["findings"] if f["path"] and not os.path.basename(f["path"]).startswith(f["revision"])]
    missing, extra = sorted(expected - got), sorted(got - expected)
    for m in missing[:20]:
        print("MISSING", m)
    for e in extra[:20]:
        print("EXTRA  ", e)
    for w in wrong_file[:20]:
        print("WRONG REVISION FOR FILE", w["revision"], w["path"])
    suppressed = sum(1 for f in report["findings"] if f["suppressed"])
    print(f"{a.count} revisions, {len(expected)} expected findings, {len(got)} reported, "
          f"{suppressed} suppressed, {len(missing)} missing, {len(extra)} extra")
    if report["summary"]["revisions"] != a.count:
        print("linted", report["summary"]["revisions"], "revisions, expected", a.count)
        return 1
    return 1 if missing or extra or wrong_file else 0


if __name__ == "__main__":
    sys.exit(main())
