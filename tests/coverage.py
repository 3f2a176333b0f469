"""The line coverage the unit tests alone give the gate's modules, from
gcovr's JSON, one line each, and a failure when any is below --minimum.

usage: python3 coverage.py --root SRC --build BUILD --minimum 80 --covered checklist --covered upgrade ...
"""
import argparse
import json
import subprocess
import sys


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--root", required=True)
    ap.add_argument("--build", required=True)
    ap.add_argument("--minimum", type=float, default=80)
    ap.add_argument("--covered", action="append", default=[])
    a = ap.parse_args()
    out = subprocess.run(["gcovr", "--root", a.root, "--object-directory", a.build, "--filter", a.root + "/src/",
                          "--json-summary-pretty", "--json-summary", "-"], capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit("coverage: gcovr failed (Debian package gcovr):\n" + out.stderr[-2000:])
    files = {f["filename"]: f for f in json.loads(out.stdout)["files"]}
    low, total, covered = [], 0, 0
    for name in a.covered:
        path = "src/gate/%s.c" % name
        f = files.get(path)
        if not f:
            low.append(path + ": no coverage data")
            continue
        pct = 100.0 * f["line_covered"] / max(f["line_total"], 1)
        total += f["line_total"]
        covered += f["line_covered"]
        print("%-24s %5d of %5d lines  %5.1f%%" % (path, f["line_covered"], f["line_total"], pct))
        if pct < a.minimum:
            low.append("%s: %.1f%% (the minimum is %.0f%%)" % (path, pct, a.minimum))
    print("%-24s %5d of %5d lines  %5.1f%%" % ("together", covered, total, 100.0 * covered / max(total, 1)))
    if low:
        print("coverage below the minimum:\n  " + "\n  ".join(low))
        sys.exit(1)


if __name__ == "__main__":
    main()
