"""Differential test: `mgate status TARGET` against what the real Alembic
does when it runs `alembic upgrade TARGET` on a database.

On generated projects (genproject.py), Alembic stamps a random state into a
SQLite file (or, with --pg, a version table of a throw-away PostgreSQL
server, sometimes in its own schema) and then really upgrades it, recording each step it applies
(status_oracle.py). mgate reads a copy of the stamped database and must
report the same version rows and exactly the same steps in the same order,
or fail where Alembic fails (several heads for `head`, an impossible
relative walk, an unknown revision). Cases where Alembic's own answer varies
between runs (two or more unordered depends_on) or where Alembic crashes
part-way (its version bookkeeping fails on some depends_on shapes) must be
predicted by mgate at exactly the step where Alembic stopped.
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

sys.path.insert(0, os.path.join(HERE, "..", "pg"))

PYTHON = "/usr/bin/python3"


def pick_targets(rng, graph):
    revs = [g["rev"] for g in graph]
    labels = [l for g in graph for l in g["labels"]]
    out = ["heads", "heads", "head", rng.choice(revs), rng.choice(revs)[:5], "+1", "+2", rng.choice(revs) + "+1",
           "head-1", rng.choice(revs) + "-1", "base"]
    if labels:
        lab = rng.choice(labels)
        out += [lab + "@head", lab + "@heads", lab + "@+1"]
    return out


def pick_current(rng, graph):
    revs = [g["rev"] for g in graph]
    r = rng.random()
    if r < 0.2:
        return []
    if r < 0.75:
        return [rng.choice(revs)]
    return rng.sample(revs, min(2, len(revs)))


def run_mgate(mgate, project, db_args, target):
    res = subprocess.run([mgate, "-c", os.path.join(project, "alembic.ini"), "--alembic-version", "1.8", "status"]
                         + db_args + ["--format", "json", "--", target],
                         capture_output=True, text=True, timeout=60)
    run_mgate.outputs.append(res.stdout + res.stderr)
    try:
        data = json.loads(res.stdout) if res.stdout.strip() else None
    except ValueError:
        data = None
    return res.returncode, data, res.stderr


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mgate", required=True)
    ap.add_argument("--count", type=int, default=100, help="strict matches required")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--workdir", required=True)
    ap.add_argument("--pg", action="store_true", help="run against a throw-away PostgreSQL server")
    args = ap.parse_args()
    run_mgate.outputs = []
    if args.pg:
        from pgserver import PASSWORD, PgServer
        with PgServer() as pg:
            pg.psql("CREATE SCHEMA mg")
            return run(args, pg, PASSWORD)
    return run(args, None, None)


def run(args, pg, password):
    rng = random.Random(args.seed)
    shutil.rmtree(args.workdir, ignore_errors=True)
    os.makedirs(args.workdir)
    cases = []
    nprojects = max(20, args.count // 3)
    for i in range(nprojects):
        d = os.path.join(args.workdir, "p%03d" % i)
        graph, _ = genproject.write_project(d, rng, rng.choice([3, 5, 8, 12, 20]))
        for k, target in enumerate(rng.sample(pick_targets(rng, graph), 6)):
            case = {"project": d, "current": pick_current(rng, graph), "target": target}
            if pg:
                n = len(cases)
                case.update({"url": pg.url(), "version_table": "av_%04d" % n, "mgate_table": "mv_%04d" % n,
                             "schema": "mg" if rng.random() < 0.3 else None})
            else:
                case.update({"db": os.path.join(d, "c%02d.db" % k), "mgate_db": os.path.join(d, "c%02d-mgate.db" % k)})
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

    passed = failed = strict = loose = errors_agreed = skipped = crashes = 0
    for case, a in zip(cases, answers):
        if "skip" in a:
            skipped += 1
            continue
        if pg:
            # the URL with a driver now and then: mgate must take both forms
            url = pg.url(driver="psycopg2") if len(run_mgate.outputs) % 3 == 0 else pg.url()
            db_args = ["--db", url, "--version-table", case["mgate_table"]]
            if case["schema"]:
                db_args += ["--version-table-schema", case["schema"]]
        else:
            db = case["mgate_db"] if case["current"] else os.path.join(case["project"], "absent-mgate.db")
            if not case["current"]:
                # an empty database: a file with no version table
                import sqlite3
                sqlite3.connect(db).close()
            db_args = ["--db", "sqlite:///" + db]
        rc, data, err = run_mgate(args.mgate, case["project"], db_args, case["target"])
        label = "%s target=%r current=%r" % (case["project"], case["target"], case["current"])
        bookkeeping = "error" in a and ("KeyError" in a["error"] or "IndexError" in a["error"]
                                         or "downrevision is ambiguous" in a["error"])
        if "error" in a and not bookkeeping:
            # Alembic refused the target: mgate must refuse too
            if rc in (1, 2) and (data is None or data.get("pending") is None):
                passed += 1
                errors_agreed += 1
            else:
                failed += 1
                print("FAIL %s: Alembic refused (%s) but mgate exit %d: %s" % (label, a["error"], rc, data and data.get("pending")))
            continue
        if data is None or data.get("pending") is None or rc not in (0, 1):
            failed += 1
            print("FAIL %s: Alembic applied %s, mgate exit %d: %s" % (label, a["applied"], rc, err.strip()[:400]))
            continue
        got = [p["revision"] for p in data["pending"]]
        if sorted(data["current"]) != a["current"]:
            failed += 1
            print("FAIL %s: current rows mgate %s, alembic %s" % (label, data["current"], a["current"]))
            continue
        warned = any(f["rule"] == "nondeterministic-order" for f in data["findings"])
        if bookkeeping:
            # Alembic stopped part-way: mgate must say so, at the same step
            n = len(a["applied"])
            if (rc == 1 and got[:n] == a["applied"] and n < len(got) and data["alembic_fails_at"] == got[n]):
                passed += 1
                crashes += 1
            elif warned and set(a["applied"]) <= set(got) and data["alembic_fails_at"] is not None:
                passed += 1
                loose += 1
            else:
                failed += 1
                print("FAIL %s: Alembic ran %s then failed (%s); mgate exit %d plans %s, fails at %s"
                      % (label, a["applied"], a["error"], rc, got, data["alembic_fails_at"]))
            continue
        if rc != 0 or data["alembic_fails_at"] is not None:
            failed += 1
            print("FAIL %s: Alembic applied %s without error, mgate exit %d, fails at %s: %s"
                  % (label, a["applied"], rc, data["alembic_fails_at"], err.strip()[:300]))
            continue
        if got == a["applied"]:
            passed += 1
            strict += 1
            continue
        if warned and sorted(got) == sorted(a["applied"]):
            passed += 1
            loose += 1
            continue
        failed += 1
        print("FAIL %s:\n  mgate   %s\n  alembic %s" % (label, got, a["applied"]))
    print("strict matches: %d, Alembic failures predicted at the right step: %d, refusals agreed: %d, "
          "loose: %d, skipped (stamp refused): %d" % (strict, crashes, errors_agreed, loose, skipped))
    if strict < args.count:
        failed += 1
        print("FAIL: only %d strict matches; %d required" % (strict, args.count))
    if password and any(password in out for out in run_mgate.outputs):
        failed += 1
        print("FAIL: the database password appeared in mgate's output")
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
