"""The CI examples in docs/ci.md and the pre-commit hook work as written.

The `mgate` commands of the GitHub Actions and GitLab examples are taken
from the YAML blocks of docs/ci.md, their CI variables set as a merge request
into `main` would set them, and run in a clone of a scratch repository
(so `origin/main` exists) on a clean branch and on one that adds a
dangerous revision. The pre-commit hook's entry and file pattern come from
.pre-commit-hooks.yaml.

usage: python3 test_ci_docs.py MGATE ROOT
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

import yaml

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import test_ci as base  # noqa: E402
from harness import check, summary  # noqa: E402



def yaml_blocks(md):
    return [yaml.safe_load(b) for b in re.findall(r"```yaml\n(.*?)```", md, re.S)]


def mgate_commands(doc):
    gh = next(d for d in doc if isinstance(d, dict) and "jobs" in d)
    gl = next(d for d in doc if isinstance(d, dict) and "mgate" in d and "script" in d["mgate"])
    gh_cmds = [s["run"] for s in gh["jobs"]["mgate"]["steps"] if "run" in s and s["run"].startswith("mgate ")]
    gl_cmds = [c for c in gl["mgate"]["script"] if c.startswith(("mgate ", "git fetch"))]
    return gh_cmds, gl_cmds


def run(cmd, cwd, env):
    # the documented lines are shell; the commands are simple, so a shell runs them here as in CI
    return subprocess.run(["bash", "-c", cmd], cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


def main():
    mgate, root = os.path.abspath(sys.argv[1]), sys.argv[2]
    base.MGATE = mgate
    md = open(os.path.join(root, "docs", "ci.md")).read()
    gh_cmds, gl_cmds = mgate_commands(yaml_blocks(md))
    check("examples found", len(gh_cmds) == 2 and len(gl_cmds) == 2, (gh_cmds, gl_cmds))
    hooks = yaml.safe_load(open(os.path.join(root, ".pre-commit-hooks.yaml")))
    hook = next(h for h in hooks if h["id"] == "mgate-lint")

    scratch = tempfile.mkdtemp(prefix="mgate-ci-docs-")
    try:
        upstream = base.make_base(scratch)
        clone = os.path.join(scratch, "clone")
        base.git(scratch, "clone", "-q", upstream, clone)
        bindir = os.path.join(scratch, "bin")
        os.makedirs(bindir)
        os.symlink(mgate, os.path.join(bindir, "mgate"))
        env = dict(os.environ, PATH=bindir + ":" + os.environ["PATH"], CI_MERGE_REQUEST_TARGET_BRANCH_NAME="main",
                   CI_PIPELINE_SOURCE="merge_request_event")
        env.pop("GITHUB_ACTIONS", None)
        gh_env = dict(env, GITHUB_ACTIONS="true")
        gh_cmds = [c.replace("${{ github.base_ref }}", "main") for c in gh_cmds]

        for name, revision, bad in (("clean", ("c3", "b2", None), False),
                                    ("danger", ("d3", "b2", '    op.drop_column("users", "note")'), True)):
            base.branch(clone, name, "origin/main")
            rid, down, up = revision
            if up:
                base.rev(clone, rid, down, up=up, down_body='    op.execute("SELECT 1")')
            else:
                base.rev(clone, rid, down)
            base.commit(clone, rid)

            r = run(gh_cmds[0], clone, gh_env)
            check(f"{name}: github annotations exit", r.returncode == (1 if bad else 0), r.stdout + r.stderr)
            if bad:
                check(f"{name}: an annotation", r.stdout.startswith("::error file=migrations/versions/d3.py"), r.stdout)
            r = run(gh_cmds[1], clone, gh_env)
            sarif = json.load(open(os.path.join(clone, "mgate.sarif")))
            errors = [x for x in sarif["runs"][0]["results"] if x["level"] == "error"]
            check(f"{name}: sarif", sarif["version"] == "2.1.0" and bool(errors) == bad, errors[:1])
            for cmd in gl_cmds:
                r = run(cmd, clone, env)
                if cmd.startswith("mgate"):
                    check(f"{name}: gitlab exit", r.returncode == (1 if bad else 0), r.stderr)
                else:
                    check(f"{name}: git fetch", r.returncode == 0, r.stderr)
            suite = ET.parse(os.path.join(clone, "mgate-junit.xml")).getroot().find("testsuite")
            check(f"{name}: junit", int(suite.get("failures")) == (1 if bad else 0), ET.tostring(suite)[:400])

            changed = subprocess.run(["git", "diff", "--name-only", "origin/main", "HEAD"], cwd=clone,
                                     capture_output=True, text=True).stdout.split()
            files = [f for f in changed if re.search(hook["files"], f)]
            check(f"{name}: hook picks the revision", files == [f"migrations/versions/{rid}.py"], files)
            r = run(hook["entry"] + " --base origin/main", clone, env)
            check(f"{name}: pre-commit hook exit", r.returncode == (1 if bad else 0), r.stdout + r.stderr)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return summary()


if __name__ == "__main__":
    sys.exit(main())
