"""Benchmark: `mgate report` on large inputs: a 100 MB audit log (entries
of every kind, two years of them, some failing) and a 10,000-revision
project whose SQLite database is at one of its heads.

usage: /usr/bin/python3 bench/bench_report.py --mgate build/mgate [--log-mb 100] [--revisions 10000] [--runs 5]

Prints the median and worst wall time of the HTML page and of the JSON,
the page's size, and the peak resident memory. Targets
(docs/performance.md): the page in under 2 s and under 10 MB.
"""
import argparse
import json
import os
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import bench_graph  # noqa: E402

COMMANDS = ("check", "upgrade", "upgrade", "upgrade", "check", "drill", "rollback", "rehearse", "restore")


def entry(rng, t, db, i):
    """One audit entry shaped as audit.c writes it, of a random kind."""
    cmd = rng.choice(COMMANDS)
    e = {"time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t)), "correlation_id": "%016x" % rng.getrandbits(64),
         "command": cmd, "who": rng.choice(["deploy", "alice", "bob (CI, GITHUB_ACTOR=bob)"]), "host": "web-%d" % (i % 7),
         "database": db, "from": ["%012x" % rng.getrandbits(48)]}
    checks = [{"name": n, "status": "pass", "summary": "all good for %s" % n}
              for n in ("graph", "state", "integrity", "backup", "rollback", "rules", "locks", "invariants")]
    failing = rng.random() < 0.15
    if cmd in ("check", "upgrade"):
        e["target"] = "heads"
        e["pending"] = ["%012x" % rng.getrandbits(48) for _ in range(rng.randint(1, 4))]
        e["verdict"] = "closed" if failing else "open"
        if failing:
            checks[5]["status"] = "fail"
        e["checks"] = checks
        e["blocking"] = [{"check": "rules", "rule": "drop-column", "revision": e["pending"][0],
                          "message": "drops column users.email: the data is lost"}] if failing else []
        e["overrides"] = [{"kind": "allow", "rules": ["set-not-null"], "reason": "table is small"}] if rng.random() < 0.1 else []
        if cmd == "upgrade" and not failing:
            broke = rng.random() < 0.05
            e.update({"before_snapshot": "/srv/app/backups/snapshots/before-%s.json" % e["correlation_id"],
                      "alembic_ran": True, "alembic_attempts": 1, "alembic_exit": 1 if broke else 0, "signal": 0,
                      "timed_out": False, "after": e["pending"][-1:],
                      "data": {"exact": False, "concurrent_sessions": 2, "counted_only": 0,
                               "tables": {"t%d" % k: {"inserted": rng.randint(0, 9), "updated": 0, "deleted": 0,
                                                      "rows_before": 1000, "rows_after": 1003} for k in range(40)}},
                      "verification": {"result": "not run" if broke else "pass", "findings": []},
                      "alembic_ms": 812.5, "total_ms": 1290.1,
                      "phases_ms": {"checklist": 20.1, "snapshot": 300.2, "alembic": 812.5, "data": 44.8,
                                    "verification": 150.3}})
            if broke:
                e["stopped_in"] = e["pending"][0]
            e["exit"] = 4 if broke else 0
        else:
            e["exit"] = 1 if failing else 0
    elif cmd == "drill":
        e.update({"backup": "/srv/app/backups/app-%d.dump" % i, "scratch": "postgresql://app:***@db/mgate_drill",
                  "result": "fail" if failing else "pass", "failure": "restore failed" if failing else None,
                  "findings": [], "durations_ms": {"backup": 2000.0, "restore": 3000.0, "verify": 500.0, "total": 5500.0},
                  "exit": 3 if failing else 0})
    elif cmd == "rollback":
        e.update({"target": e["from"][0], "way": "downgrade", "why": "no data is lost",
                  "commands": [{"downgrade": e["from"][0], "exit": 0, "ms": 400.0}], "alembic_exit": 0,
                  "verification": {"result": "pass", "findings": []}, "exit": 0})
    elif cmd == "restore":
        e.update({"backup": "/srv/app/backups/app-%d.dump" % i, "backup_sha256": "0" * 64, "into": db,
                  "in_place": True, "restored": True, "kept": None, "after": e["from"], "exit": 0})
    else:
        e.update({"target": "heads", "report": {"steps": [{"revision": "%012x" % rng.getrandbits(48),
                                                           "duration_ms": 400.0, "statements": ["ALTER TABLE x"] * 30}
                                                          for _ in range(5)]}, "exit": 1 if failing else 0})
    return e


def write_log(path, megabytes, db, seed=7):
    rng = random.Random(seed)
    start = time.time() - 2 * 365 * 86400
    size, n = 0, 0
    with open(path, "w") as f:
        while size < megabytes * 1024 * 1024:
            line = json.dumps(entry(rng, start + n * 60, db, n), separators=(",", ":")) + "\n"
            f.write(line)
            size += len(line)
            n += 1
    return n


def run_once(args, cwd):
    t0 = time.perf_counter()
    p = subprocess.Popen(args, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(p.pid, 0)
    dt = time.perf_counter() - t0
    err = p.stderr.read().decode()
    p.stderr.close()
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit("bench_report: %s failed: %s" % (" ".join(args), err))
    return dt, usage.ru_maxrss / 1024.0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mgate", required=True)
    ap.add_argument("--log-mb", type=int, default=100)
    ap.add_argument("--revisions", type=int, default=10000)
    ap.add_argument("--runs", type=int, default=5)
    a = ap.parse_args()
    mgate = os.path.abspath(a.mgate)
    work = tempfile.mkdtemp(prefix="mgate-bench-report-")
    try:
        revs = bench_graph.write_big_project(work, a.revisions, 1)
        with open(os.path.join(work, "alembic.ini"), "a") as f:
            f.write("\n[mgate]\naudit_log = %(here)s/audit.jsonl\nbackup_dir = %(here)s/backups\n")
        os.makedirs(os.path.join(work, "backups"))
        heads = subprocess.run([mgate, "heads", "--format", "json"], cwd=work, capture_output=True, text=True)
        head = json.loads(heads.stdout)["heads"][0]
        head = head["revision"] if isinstance(head, dict) else head
        db = sqlite3.connect(os.path.join(work, "test.db"))
        db.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY)")
        db.execute("INSERT INTO alembic_version VALUES (?)", (head,))
        db.commit()
        db.close()
        url = "sqlite:///" + os.path.join(work, "test.db")
        n = write_log(os.path.join(work, "audit.jsonl"), a.log_mb, url)
        size = os.path.getsize(os.path.join(work, "audit.jsonl"))
        print("project: %d revisions, SQLite at a head; audit log: %.1f MB, %d entries" % (len(revs), size / 1e6, n), flush=True)
        page = os.path.join(work, "report.html")
        html, js, rss = [], [], []
        for _ in range(a.runs):
            dt, m = run_once([mgate, "-q", "report", "--out", page], work)
            html.append(dt)
            rss.append(m)
            dt, m = run_once([mgate, "-q", "report", "--format", "json", "--out", os.path.join(work, "report.json")], work)
            js.append(dt)
            rss.append(m)
        print("html: median %.3f s, worst %.3f s; page %.2f MB" % (statistics.median(html), max(html),
                                                                  os.path.getsize(page) / 1e6))
        print("json: median %.3f s, worst %.3f s; document %.2f MB" % (
            statistics.median(js), max(js), os.path.getsize(os.path.join(work, "report.json")) / 1e6))
        print("peak RSS: %.1f MiB" % max(rss))
        print("targets: under 2 s and under 10 MB: %s" % (
            "met" if max(html) < 2 and os.path.getsize(page) < 10e6 else "NOT met"))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
