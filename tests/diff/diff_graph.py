"""Differential test: mgate's revision graph against the real Alembic.

Generates random projects (see genproject.py), asks Alembic (see
alembic_oracle.py) and mgate the same questions, and requires the same
answers: the exact `heads` and `history` output, and the order in which
`alembic upgrade heads --sql` runs the revisions on an empty database.
Broken projects (missing parent, cycle, duplicate id) must make mgate exit 1
naming the revision.

Alembic itself is nondeterministic in two corners: it keeps a revision's
normalized dependencies and the labels its ancestors inherit in Python
sets, whose order changes from run to run. The oracle detects those
projects; for them mgate must still print the same heads, the same history
lines (as a set), and a valid upgrade order over the same revisions, and
they are not counted as strict matches. The same holds where `alembic
upgrade heads` crashes part-way (its version bookkeeping fails on some
depends_on shapes): mgate's first steps must be the ones Alembic ran.
At least --count projects must match strictly.
"""
import argparse
import json
import os
import random
import re
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import genproject  # noqa: E402

KEYWORDS = {"head", "effective head", "branchpoint", "mergepoint"}
PYTHON = "/usr/bin/python3"


def normalize(lines):
    """Sort the items of label groups like '(b, a)', whose order in Alembic
    comes from a Python set."""
    def fix(m):
        inner = m.group(1)
        if inner in KEYWORDS:
            return m.group(0)
        return "(" + ", ".join(sorted(inner.split(", "))) + ")"
    return [re.sub(r"\(([^()]*)\)", fix, line) for line in lines]


def oracle(dirs, seed):
    env = dict(os.environ, PYTHONHASHSEED=str(seed))
    res = subprocess.run([PYTHON, os.path.join(HERE, "alembic_oracle.py")] + dirs,
                         capture_output=True, text=True, env=env, timeout=1200)
    if res.returncode != 0:
        sys.exit("the Alembic oracle failed:\n" + res.stderr[-4000:])
    return json.loads(res.stdout)


def run_mgate(mgate, project, *args):
    res = subprocess.run([mgate, "-c", os.path.join(project, "alembic.ini"), "--alembic-version", "1.8"] + list(args),
                         capture_output=True, text=True, timeout=60)
    return res.returncode, res.stdout, res.stderr


def mgate_answers(mgate, project):
    out = {}
    rc, heads, err1 = run_mgate(mgate, project, "heads")
    rc2, hist, err2 = run_mgate(mgate, project, "history")
    rc3, js, err3 = run_mgate(mgate, project, "history", "--format", "json")
    if rc or rc2 or rc3:
        out["error"] = "exit %d/%d/%d: %s%s%s" % (rc, rc2, rc3, err1, err2, err3)
        return out
    out["heads"] = heads.splitlines()
    out["history"] = hist.splitlines()
    out["upgrade"] = [r["revision"] for r in json.loads(js)["revisions"]]
    return out


def strip_labels(lines):
    return [re.sub(r" \((?!head\)|effective head\)|branchpoint\)|mergepoint\))[^()]*\)(?= \(|,|$)", "", line)
            for line in lines]


def is_valid_order(order, project_answers):
    """Every revision after its parents and dependencies (read from the
    history JSON mgate printed, checked against Alembic's history lines)."""
    pos = {r: i for i, r in enumerate(order)}
    for line in project_answers:
        left, _, right = line.partition(" -> ")
        rev = right.split(" ")[0].rstrip(",")
        parents = re.sub(r" \(.*\)$", "", left)
        deps = re.search(r" \(([^()]*)\)$", left)
        names = [] if parents == "<base>" else parents.split(", ")
        if deps:
            names += deps.group(1).split(", ")
        for p in names:
            if p in pos and rev in pos and pos[p] > pos[rev]:
                return False
    return True


def compare(m, a):
    """'strict', 'loose' (Alembic's own answer varies; the invariant parts
    agree) or None (a mismatch)."""
    if "error" in m:
        return None
    heads_m, hist_m, heads_a, hist_a = m["heads"], m["history"], a["heads"], a["history"]
    if a.get("ambiguous_labels"):
        heads_m, hist_m, heads_a, hist_a = map(strip_labels, (heads_m, hist_m, heads_a, hist_a))
    heads_m, hist_m, heads_a, hist_a = map(normalize, (heads_m, hist_m, heads_a, hist_a))
    if heads_m != heads_a:
        return None
    up_a = a.get("upgrade", [])
    if a.get("ambiguous_order"):
        same_set = (set(m["upgrade"]) >= set(up_a)) if "upgrade_error" in a else (sorted(m["upgrade"]) == sorted(up_a))
        ok = sorted(hist_m) == sorted(hist_a) and same_set and is_valid_order(m["upgrade"], a["history"])
        return "loose" if ok else None
    if hist_m != hist_a:
        return None
    if "upgrade_error" in a:
        # Alembic crashed after these steps: they must be mgate's first steps
        return "loose" if m["upgrade"][:len(up_a)] == up_a else None
    if m["upgrade"] != up_a:
        return None
    return "loose" if a.get("ambiguous_labels") else "strict"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mgate", required=True)
    ap.add_argument("--count", type=int, default=200, help="strict matches required")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--workdir", required=True)
    ap.add_argument("--broken", type=int, default=30)
    args = ap.parse_args()

    rng = random.Random(args.seed)
    shutil.rmtree(args.workdir, ignore_errors=True)
    os.makedirs(args.workdir)
    total = int(args.count * 1.6) + 10
    good = []
    for i in range(total):
        d = os.path.join(args.workdir, "p%04d" % i)
        n = rng.choice([1, 2, 3, 5, 8, 12, 20, 30, 40]) if i % 25 else rng.randrange(60, 150)
        genproject.write_project(d, rng, n)
        good.append(d)
    broken = []
    kinds = ["missing-parent", "cycle", "duplicate"]
    for i in range(args.broken):
        d = os.path.join(args.workdir, "b%04d" % i)
        kind = kinds[i % 3]
        _, culprit = genproject.write_project(d, rng, rng.randrange(3, 15), broken=kind)
        broken.append((d, kind, culprit))

    answers = oracle(good, 0)
    passed = failed = strict = loose = 0
    for d in good:
        m = mgate_answers(args.mgate, d)
        a = answers[d]
        if "error" in a:
            failed += 1
            print("FAIL %s: Alembic itself failed on a generated project: %s" % (d, a["error"]))
            continue
        verdict = compare(m, a)
        if verdict == "strict":
            passed += 1
            strict += 1
            continue
        if verdict == "loose":
            passed += 1
            loose += 1
            continue
        failed += 1
        print("FAIL %s" % d)
        for key in ("heads", "history", "upgrade", "error"):
            if m.get(key) != a.get(key):
                print("  %s: mgate   %s" % (key, m.get(key)))
                print("  %s: alembic %s" % (key, a.get(key)))
    # A second pass, now that the scripts are older than the scan cache's
    # "racy" second: answers from the cache must be the same.
    time.sleep(1.2)
    cached_same = 0
    for d in good:
        if "error" in answers[d]:
            continue
        again = mgate_answers(args.mgate, d)
        if compare(again, answers[d]) is None:
            failed += 1
            print("FAIL %s: a warm scan cache changed mgate's answer" % d)
        else:
            cached_same += 1
    print("second pass with a warm scan cache: %d projects agree" % cached_same)
    for d, kind, culprit in broken:
        rc, out, err = run_mgate(args.mgate, d, "heads")
        if rc == 1 and culprit in err:
            passed += 1
        else:
            failed += 1
            print("FAIL %s (%s): expected exit 1 naming %r, got exit %d:\n%s" % (d, kind, culprit, rc, err))
    print("strict matches: %d, matches where Alembic varies or fails: %d, broken projects: %d"
          % (strict, loose, len(broken)))
    if strict < args.count:
        failed += 1
        print("FAIL: only %d strict matches; %d required" % (strict, args.count))
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
