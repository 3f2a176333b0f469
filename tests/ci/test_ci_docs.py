"""The GitLab CI example of docs/ci.md runs as written, in a clean Debian 12
root (debootstrap, tests/clean-root.sh) standing in for its
`image: debian:bookworm`.

The job's `before_script` and `script` lines run in order in one bash
script with `set -eo pipefail`, as GitLab's runner runs them, with the
job's variables and the ones GitLab sets for a merge request into `main`.
The working directory is a clone whose `origin` is the upstream
repository, on a branch that adds a dangerous revision; the package the
job downloads (`MGATE_DEB_URL`) is the one this build makes, served as a
file. The job must fail on the error finding, and leave a Code Quality
report and a JUnit report that say why. (The GitHub Action has
test_action.py; the pre-commit hook test_precommit.py.)

usage: python3 test_ci_docs.py MGATE ROOT BUILD_DIR
"""
import glob
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

import yaml

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from harness import DROP_EMAIL, check, demo_repo, git, summary  # noqa: E402

SKIP = 77


def main():
    root, build = os.path.abspath(sys.argv[2]), os.path.abspath(sys.argv[3])
    md = open(os.path.join(root, "docs", "ci.md")).read()
    blocks = [yaml.safe_load(b) for b in re.findall(r"```yaml\n(.*?)```", md, re.S)]
    job = next(b["mgate"] for b in blocks if isinstance(b, dict) and "script" in b.get("mgate", {}))
    check("the GitLab job's image is Debian 12", job["image"] == "debian:bookworm", job["image"])
    check("the job reports Code Quality and JUnit", set(job["artifacts"]["reports"]) == {"codequality", "junit"}
          and job["artifacts"]["when"] == "always", job["artifacts"])
    if os.geteuid() != 0 or not shutil.which("debootstrap"):
        print("no clean root (needs root and debootstrap): the GitLab example was not run")
        return SKIP

    tool = os.path.join(root, "tests", "clean-root.sh")
    env = dict(os.environ, CLEAN_ROOT_CACHE=os.path.join(build, "clean-root-cache"))
    scratch = tempfile.mkdtemp(prefix="mgate-gitlab-")
    try:
        r = subprocess.run(["cpack", "-G", "DEB", "-B", os.path.join(scratch, "deb")], cwd=build,
                           capture_output=True, text=True)
        debs = glob.glob(os.path.join(scratch, "deb", "mgate_*.deb"))
        check("the package builds", r.returncode == 0 and len(debs) == 1, r.stdout[-500:] + r.stderr[-500:])
        chroot = os.path.join(scratch, "root")
        r = subprocess.run([tool, "make", chroot], capture_output=True, text=True, env=env)
        check("a clean Debian 12 root", r.returncode == 0, r.stderr[-2000:])
        if r.returncode or not debs:
            return summary()
        srv = os.path.join(chroot, "srv")
        shutil.copy(debs[0], os.path.join(srv, "mgate.deb"))

        # the upstream repository and the merge request's branch, as the runner's clone sees them
        upstream = demo_repo(root, os.path.join(srv, "upstream"))
        clone = os.path.join(srv, "build")
        git(srv, "clone", "-q", upstream, clone)
        git(clone, "remote", "set-url", "origin", "/srv/upstream")
        git(clone, "checkout", "-qb", "feature")
        open(os.path.join(clone, "migrations", "versions", "f1_drop.py"), "w").write(DROP_EMAIL)
        git(clone, "add", "-A")
        git(clone, "commit", "-qm", "drop")

        variables = dict(job.get("variables", {}), MGATE_DEB_URL="file:///srv/mgate.deb", CI="true",
                         GITLAB_CI="true", CI_PIPELINE_SOURCE="merge_request_event",
                         CI_MERGE_REQUEST_TARGET_BRANCH_NAME="main", CI_PROJECT_DIR="/srv/build")
        # (a sanitizer build's leak report would change the exit code: not part of the job)
        lines = ["set -eo pipefail", "cd /srv/build", "export ASAN_OPTIONS=detect_leaks=0"]
        lines += ["export %s=%s" % (k, shlex.quote(str(v))) for k, v in variables.items()]
        lines += job["before_script"] + job["script"]
        open(os.path.join(srv, "job.sh"), "w").write("\n".join(lines) + "\n")
        r = subprocess.run([tool, "run", chroot, "bash", "/srv/job.sh"], capture_output=True, text=True, env=env,
                           timeout=1800)
        out = r.stdout + r.stderr
        print("ran the GitLab job's before_script and script in a clean Debian 12 root")
        check("the job fails on the error finding", r.returncode == 1, out[-3000:])
        cq_path = os.path.join(clone, "gl-code-quality.json")
        issues = json.load(open(cq_path)) if os.path.exists(cq_path) else []
        check("Code Quality: the drop is critical, on its line", any(
            i["check_name"] == "drop-column" and i["severity"] == "critical" and
            i["location"] == {"path": "migrations/versions/f1_drop.py", "lines": {"begin": 9}} for i in issues),
            issues)
        junit = os.path.join(clone, "mgate-junit.xml")
        suite = ET.parse(junit).getroot().find("testsuite") if os.path.exists(junit) else None
        check("JUnit: the drop is a failure", suite is not None and int(suite.get("failures")) >= 1 and any(
            c.get("classname") == "drop-column" and c.find("failure") is not None for c in suite.findall("testcase")),
              ET.tostring(suite)[:400] if suite is not None else out[-1000:])
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return summary()


if __name__ == "__main__":
    sys.exit(main())
