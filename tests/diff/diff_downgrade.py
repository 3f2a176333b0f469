"""Differential test: the downgrade path `mgate rollback --dry-run --to
TARGET` plans against what the real Alembic does when it runs `alembic
downgrade TARGET` on a database.

On generated projects (genproject.py), Alembic stamps a random state into a
SQLite file, then really downgrades it, recording each step it runs
(status_oracle.py). mgate reads a copy of the stamped file and must plan
exactly the same steps in the same order and end at the same version rows,
refuse where Alembic refuses (an unknown revision, a walk off the graph, a
target that is not below the current heads), and where Alembic's version
bookkeeping fails part-way, say that the downgrade fails at that step.
"""
import argparse
import json
import os
import random
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import genproject  # noqa: E402

PYTHON = "/usr/bin/python3"


def pick_targets(rng, graph, current):
    revs = [g["rev"] for g in graph]
    labels = [l for g in graph for l in g["labels"]]
    out = ["base", rng.choice(revs), rng.choice(revs), rng.choice(revs)[:5], "-1", "-2",
           rng.choice(revs) + "-1"]
    if current:
        out += [rng.choice(current), rng.choice(current) + "@-1"]
    if labels:
        lab = rng.choice(labels)
        out += [lab + "@-1", lab + "@base", lab + "@" + rng.choice(revs)]
    return out


def pick_current(rng, graph):
    revs = [g["rev"] for g in graph]
    r = rng.random()
    if r < 0.6:
        return [rng.choice(revs)]
    return rng.sample(revs, min(2, len(revs)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mgate", required=True)
    ap.add_argument("--count", type=int, default=100, help="strict matches required")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--workdir", required=True)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    shutil.rmtree(args.workdir, ignore_errors=True)
    os.makedirs(args.workdir)
    cases = []
    for i in range(max(20, args.count // 3)):
        d = os.path.join(args.workdir, "p%03d" % i)
        graph, _ = genproject.write_project(d, rng, rng.choice([3, 5, 8, 12, 20]))
        for k in range(6):
            current = pick_current(rng, graph)
            target = rng.choice(pick_targets(rng, graph, current))
            case = {"project": d, "current": current, "target": target, "direction": "downgrade",
                    "db": os.path.join(d, "c%02d.db" % k), "mgate_db": os.path.join(d, "c%02d-mgate.db" % k)}
            case["url"] = "sqlite:///" + case["db"]
            cases.append(case)
    case_file = os.path.join(args.workdir, "cases.json")
    with open(case_file, "w") as f:
        json.dump(cases, f)
    res = subprocess.run([PYTHON, os.path.join(HERE, "status_oracle.py"), case_file], capture_output=True, text=True,
                         timeout=1800)
    if res.returncode != 0:
        sys.exit("the Alembic oracle failed:\n" + res.stderr[-4000:])
    answers = json.loads(res.stdout)

    passed = failed = strict = refused = crashes = skipped = 0
    for case, a in zip(cases, answers):
        if "skip" in a:
            skipped += 1
            continue
        r = subprocess.run([args.mgate, "-c", os.path.join(case["project"], "alembic.ini"), "--alembic-version", "1.8",
                            "rollback", "--dry-run", "--format", "json", "--db", "sqlite:///" + case["mgate_db"],
                            "--to=" + case["target"]], capture_output=True, text=True, timeout=60)
        label = "%s target=%r current=%r" % (case["project"], case["target"], case["current"])
        try:
            data = json.loads(r.stdout) if r.stdout.strip() else None
        except ValueError:
            data = None
        bookkeeping = "error" in a and ("KeyError" in a["error"] or "downrevision is ambiguous" in a["error"]
                                         or "Online migration expected" in a["error"])
        # a bare assertion is Alembic refusing the target (a branch with no
        # or several current revisions to walk from) or its bookkeeping
        # failing on an insert: mgate must refuse, or predict that step
        if "error" in a and a["error"].strip() == "AssertionError:":
            bookkeeping = data is not None
        if "error" in a and not bookkeeping:
            if r.returncode in (1, 2) and data is None:
                passed += 1
                refused += 1
            else:
                failed += 1
                print("FAIL %s: Alembic refused (%s) but mgate exit %d: %s" % (label, a["error"], r.returncode,
                                                                             (r.stdout + r.stderr)[:300]))
            continue
        if data is None:
            failed += 1
            print("FAIL %s: Alembic ran %s, mgate exit %d: %s" % (label, a["applied"], r.returncode, r.stderr[:300]))
            continue
        got = [s["revision"] for s in data["downgrade"]["steps"]]
        problem = data["downgrade"]["problem"] or ""
        if bookkeeping:
            n = len(a["applied"])
            if got[:n] == a["applied"] and n < len(got) and ("fails at '%s'" % got[n]) in problem:
                passed += 1
                crashes += 1
            else:
                failed += 1
                print("FAIL %s: Alembic ran %s then failed (%s); mgate plans %s: %s" % (label, a["applied"],
                                                                                     a["error"], got, problem))
            continue
        if "fails at" in problem:
            failed += 1
            print("FAIL %s: Alembic ran %s without error; mgate says %s" % (label, a["applied"], problem))
            continue
        if sorted(data["target_rows"]) != a["after"]:
            failed += 1
            print("FAIL %s: rows after: mgate %s, alembic %s" % (label, data["target_rows"], a["after"]))
            continue
        if got == a["applied"]:
            passed += 1
            strict += 1
        else:
            failed += 1
            print("FAIL %s:\n  mgate   %s\n  alembic %s" % (label, got, a["applied"]))
    print("strict matches: %d, bookkeeping failures predicted: %d, refusals agreed: %d, skipped: %d"
          % (strict, crashes, refused, skipped))
    if strict < args.count:
        failed += 1
        print("FAIL: only %d strict matches; %d required" % (strict, args.count))
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
