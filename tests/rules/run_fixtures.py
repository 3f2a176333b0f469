#!/usr/bin/python3
"""Run every rule fixture under fixtures/rules/<rule-id>/ through `mgate lint`.

Each rule has files that must trigger it (bad_*.py) and look-alikes that
must not (ok_*.py). Expected findings are marked in the files themselves:
a trailing `# expect: <rule>[, <rule>]` (or `-- expect: <rule>` inside SQL)
on the line the finding must point at, or a header comment
`# lint-test-expect: <rule>@<line>`. Extra mgate options come from a
`# lint-test: <options>` header, where {dir} is the fixture's folder (a
folder may hold an alembic.ini for rules about [mgate] settings). For the folder's rule and every rule a file
mentions, the set of (rule, line) of unsuppressed findings must equal the
marked set exactly: a finding on the wrong line fails as surely as a missing
one. Every rule in the catalogue must have a fixture folder with both kinds
of files, and a docs/rules/<id>.md page.
"""
import json
import os
import re
import shlex
import subprocess
import sys
import tempfile

EXPECT = re.compile(r"(?:#|--) expect: ([a-z0-9, -]+)")
HEADER_EXPECT = re.compile(r"# lint-test-expect: ([a-z0-9-]+)@(\d+)")
HEADER_ARGS = re.compile(r"# lint-test: (.*)")


def expectations(path):
    want, args = set(), []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            m = EXPECT.search(line)
            if m:
                for rule in m.group(1).split(","):
                    if rule.strip():
                        want.add((rule.strip(), n))
            m = HEADER_EXPECT.search(line)
            if m:
                want.add((m.group(1), int(m.group(2))))
            m = HEADER_ARGS.match(line)
            if m:
                args += shlex.split(m.group(1))
    return want, args


def main():
    mgate, root = sys.argv[1], sys.argv[2]
    env = dict(os.environ, MGATE_CACHE_DIR=tempfile.mkdtemp(prefix="mgate-rulefix-cache-"))
    cwd = tempfile.mkdtemp(prefix="mgate-rulefix-")  # no alembic.ini here
    catalogue = json.loads(subprocess.run([mgate, "rules", "--format", "json"], cwd=cwd, env=env,
                                          capture_output=True, text=True, check=True).stdout)
    fixtures = os.path.join(root, "fixtures", "rules")
    catalogue = catalogue["rules"]
    ids = {r["id"] for r in catalogue}
    failures, files = [], 0
    for rule in catalogue:
        rid = rule["id"]
        folder = os.path.join(fixtures, rid)
        names = sorted(os.listdir(folder)) if os.path.isdir(folder) else []
        if not any(n.startswith("bad") and n.endswith(".py") for n in names) or \
                not any(n.startswith("ok") and n.endswith(".py") for n in names):
            failures.append(f"{rid}: fixtures/rules/{rid}/ needs bad_*.py and ok_*.py files")
        if not os.path.isfile(os.path.join(root, "docs", "rules", rid + ".md")):
            failures.append(f"{rid}: docs/rules/{rid}.md is missing")
        for name in names:
            path = os.path.join(folder, name)
            if not name.endswith(".py"):
                continue
            want, args = expectations(path)
            args = [a.replace("{dir}", folder) for a in args]
            checked = {rid} | {r for r, _ in want}
            proc = subprocess.run([mgate, "lint", "--format", "json", *args, path], cwd=cwd, env=env,
                                  capture_output=True, text=True)
            files += 1
            if proc.returncode not in (0, 1):
                failures.append(f"{rid}/{name}: exit {proc.returncode}: {proc.stderr.strip()}")
                continue
            report = json.loads(proc.stdout)
            active = [f for f in report["findings"] if not f["suppressed"]]
            got = {(f["rule"], f["line"]) for f in active if f["rule"] in checked}
            if name.startswith("ok") and any(r == rid for r, _ in want):
                failures.append(f"{rid}/{name}: an ok_ file must not expect its own rule")
            if got != want:
                failures.append(f"{rid}/{name}: expected {sorted(want)}, got {sorted(got)}")
            errors = any(f["severity"] == "error" for f in active)
            if proc.returncode != (1 if errors else 0):
                failures.append(f"{rid}/{name}: exit {proc.returncode} with errors={errors}")
            for f in report["findings"]:
                if f["rule"] not in ids:
                    failures.append(f"{rid}/{name}: the fixture itself is broken: {f['rule']}: {f['message']}")
                about_ini = f["rule"] == "unused-acceptance" and os.path.basename(f["path"] or "") == "alembic.ini"
                if not about_ini and (f["path"] is None or os.path.basename(f["path"]) != name):
                    failures.append(f"{rid}/{name}: finding {f['rule']} names the wrong file {f['path']}")
    for f in failures:
        print("FAIL", f)
    print(f"{len(catalogue)} rules, {files} fixture files, {len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
