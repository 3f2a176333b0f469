#!/usr/bin/python3
"""bench_judgement.py: how mgate's judgement reads on real Alembic histories.

Usage: bench/bench_judgement.py MGATE FOLDER [--json OUT] [--all-severities]

FOLDER holds real projects (brought in with the search tool's `fetch`,
never committed here). Every `*.ini` file under it with a section that sets
`script_location` is one history; mgate runs `lint --all --format json`
on each (with `--name SECTION` for sections other than [alembic]).

It prints, over all histories: revisions, findings shown by default
(errors and warnings not suppressed) per revision, the same by rule,
revisions with an opaque-migration-code finding, histories mgate could not
read (exit code other than 0 or 1), crashes (a signal), and the time taken
(the sum of the lint runs' wall-clock times, and the slowest history).
"""
import configparser
import json
import os
import subprocess
import sys
import time
from collections import Counter

SKIP_DIRS = {".git", "node_modules", ".venv", "venv", "__pycache__"}


def histories(root):
    """(ini path, section) for every Alembic configuration under root."""
    found = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS)
        for name in sorted(filenames):
            if not name.endswith(".ini"):
                continue
            path = os.path.join(dirpath, name)
            cp = configparser.RawConfigParser(strict=False)
            try:
                cp.read(path, encoding="utf-8")
            except (configparser.Error, UnicodeDecodeError):
                continue
            for section in cp.sections():
                if cp.has_option(section, "script_location"):
                    found.append((path, section))
    return found


def lint(mgate, ini, section):
    cmd = [mgate, "lint", "--all", "--format", "json", "-c", os.path.basename(ini)]
    if section != "alembic":
        cmd += ["--name", section]
    start = time.monotonic()
    proc = subprocess.run(cmd, cwd=os.path.dirname(ini), capture_output=True, text=True, timeout=600)
    elapsed = time.monotonic() - start
    report = None
    if proc.returncode in (0, 1):
        try:
            report = json.loads(proc.stdout)
        except json.JSONDecodeError:
            report = None
    return proc, report, elapsed


def main():
    args = sys.argv[1:]
    if len(args) < 2:
        sys.exit(__doc__)
    mgate, root = os.path.abspath(args[0]), args[1]
    out = args[args.index("--json") + 1] if "--json" in args else None
    shown = ("error", "warning", "info") if "--all-severities" in args else ("error", "warning")
    by_rule, by_severity = Counter(), Counter()
    revisions = findings = 0
    opaque_revs, unreadable, crashes, rows = set(), [], [], []
    total_time, slowest = 0.0, (0.0, "")
    for ini, section in histories(root):
        label = f"{os.path.relpath(ini, root)}[{section}]"
        proc, report, elapsed = lint(mgate, ini, section)
        total_time += elapsed
        slowest = max(slowest, (elapsed, label))
        if proc.returncode < 0:
            crashes.append(f"{label}: signal {-proc.returncode}")
            continue
        if report is None:
            unreadable.append(f"{label}: exit {proc.returncode}: {proc.stderr.strip()[:200]}")
            continue
        revs = report["summary"]["revisions"]
        active = [f for f in report["findings"] if not f["suppressed"] and f["severity"] in shown]
        revisions += revs
        findings += len(active)
        for f in active:
            by_rule[f["rule"]] += 1
            by_severity[f["severity"]] += 1
            if f["rule"] == "opaque-migration-code":
                opaque_revs.add((label, f["revision"]))
        rows.append({"history": label, "revisions": revs, "findings": len(active),
                     "seconds": round(elapsed, 3)})
    per_rev = findings / revisions if revisions else 0.0
    print(f"histories: {len(rows)} read, {len(unreadable)} unreadable, {len(crashes)} crashed")
    print(f"revisions: {revisions}")
    print(f"findings shown ({'/'.join(shown)}): {findings} = {per_rev:.2f} per revision "
          f"({', '.join(f'{k} {v}' for k, v in sorted(by_severity.items()))})")
    print(f"revisions with opaque code: {len(opaque_revs)}")
    print(f"time: {total_time:.2f} s in all, slowest {slowest[0] * 1000:.0f} ms ({slowest[1]})")
    print("by rule:")
    for rule, n in by_rule.most_common():
        print(f"  {rule:40} {n:6}  {n / revisions if revisions else 0:.3f}/rev")
    for line in unreadable + crashes:
        print("  !", line)
    if out:
        with open(out, "w", encoding="utf-8") as f:
            json.dump({"revisions": revisions, "findings": findings, "per_revision": per_rev,
                       "by_rule": dict(by_rule), "opaque_revisions": len(opaque_revs),
                       "seconds": total_time, "histories": rows,
                       "unreadable": unreadable, "crashes": crashes}, f, indent=1)
    sys.exit(1 if crashes else 0)


if __name__ == "__main__":
    main()
