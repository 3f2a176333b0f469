"""The GitHub Action (action.yml) works as written, with the inputs the
workflow in docs/ci.md gives it.

Each step of the composite action runs the way a runner runs it: `run:`
steps in `bash --noprofile --norc -eo pipefail`, with `${{ ... }}`
expressions filled in, an `if:` deciding whether the step runs (a failed
step skips the ones without always()), and the variables GitHub sets for a
pull request (GITHUB_BASE_REF, GITHUB_EVENT_PATH, GITHUB_OUTPUT,
GITHUB_STEP_SUMMARY, RUNNER_TEMP, ...). `uses:` steps (the SARIF upload) are
not run; whether they would run, and with what, is checked. The checkout is
shallow, as actions/checkout leaves it, so the action must fetch the base
itself. A local HTTP server stands in for GitHub's issue-comments API.

usage: python3 test_action.py MGATE ROOT
"""
import http.server
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading

import yaml

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from harness import DROP_EMAIL, check, demo_repo, git, summary  # noqa: E402

TOKEN = "ghs_test_token"


class Comments(http.server.BaseHTTPRequestHandler):
    """GitHub's issue comments: list, create, update; the token is required."""
    store = {}  # id -> body
    calls = []

    def log_message(self, *args):
        pass

    def reply(self, code, body):
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def authorised(self):
        if self.headers.get("Authorization") != "Bearer " + TOKEN:
            self.reply(401, {"message": "Bad credentials"})
            return False
        return True

    def do_GET(self):
        Comments.calls.append(("GET", self.path))
        if self.authorised() and re.match(r"^/repos/org/app/issues/7/comments\?", self.path):
            self.reply(200, [{"id": i, "body": b} for i, b in sorted(Comments.store.items())])

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        Comments.calls.append(("POST", self.path))
        if self.authorised() and self.path == "/repos/org/app/issues/7/comments":
            new = max(Comments.store, default=100) + 1
            Comments.store[new] = body["body"]
            self.reply(201, {"id": new})

    def do_PATCH(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        Comments.calls.append(("PATCH", self.path))
        m = re.match(r"^/repos/org/app/issues/comments/(\d+)$", self.path)
        if self.authorised() and m and int(m.group(1)) in Comments.store:
            Comments.store[int(m.group(1))] = body["body"]
            self.reply(200, {"id": int(m.group(1))})


def expression(text, ctx):
    """A ${{ }} expression's value: inputs.X, github.X, steps.ID.outputs.K."""
    text = text.strip()
    if text.startswith("inputs."):
        return ctx["inputs"].get(text[len("inputs."):], "")
    if text.startswith("github."):
        return ctx["github"].get(text[len("github."):], "")
    m = re.match(r"^steps\.([\w-]+)\.outputs\.([\w-]+)$", text)
    if m:
        return ctx["steps"].get(m.group(1), {}).get(m.group(2), "")
    raise SystemExit("test_action.py: no value for the expression %r" % text)


def fill(text, ctx):
    return re.sub(r"\$\{\{(.*?)\}\}", lambda m: expression(m.group(1), ctx), text)


def condition(text, ctx, failed):
    """An `if:`; without one a step runs only while nothing failed."""
    if not text:
        return not failed
    py = re.sub(r"\b(inputs\.[\w-]+|github\.[\w-]+|steps\.[\w-]+\.outputs\.[\w-]+)",
                lambda m: repr(expression(m.group(1), ctx)), text)
    py = py.replace("always()", "True").replace("success()", repr(not failed)).replace("failure()", repr(failed))
    py = py.replace("&&", " and ").replace("||", " or ").replace("!=", " != ")
    return bool(eval(py, {"__builtins__": {}}, {}))  # the conditions of our own action.yml


def run_action(action, inputs, env, workspace):
    """Run the composite action's steps; returns (job failed, step results)."""
    ctx = {"inputs": {k: str(v.get("default", "")) for k, v in action["inputs"].items()},
           "github": {"token": TOKEN, "event_name": env["GITHUB_EVENT_NAME"], "base_ref": env["GITHUB_BASE_REF"]},
           "steps": {}}
    for k, v in action["inputs"].items():  # defaults may be expressions themselves
        ctx["inputs"][k] = fill(ctx["inputs"][k], ctx)
    ctx["inputs"].update({k: str(v) for k, v in inputs.items()})
    failed, results = False, []
    for i, step in enumerate(action["runs"]["steps"]):
        name = step.get("name", "step %d" % i)
        if not condition(step.get("if", ""), ctx, failed):
            results.append((name, "skipped", None))
            continue
        if "uses" in step:
            results.append((name, "uses", {k: fill(str(v), ctx) for k, v in step.get("with", {}).items()}))
            continue
        out_file = os.path.join(env["RUNNER_TEMP"], "output-%d" % i)
        open(out_file, "w").close()
        step_env = dict(env, GITHUB_OUTPUT=out_file, **{k: fill(str(v), ctx) for k, v in step.get("env", {}).items()})
        script = os.path.join(env["RUNNER_TEMP"], "step-%d.sh" % i)
        open(script, "w").write(fill(step["run"], ctx))
        r = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", script], cwd=workspace,
                           env=step_env, capture_output=True, text=True, timeout=600)
        outputs = dict(line.split("=", 1) for line in open(out_file).read().splitlines() if "=" in line)
        if step.get("id"):
            ctx["steps"][step["id"]] = outputs
        results.append((name, r.returncode, r.stdout + r.stderr))
        failed = failed or r.returncode != 0
    return failed, results


def main():
    mgate, root = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    action = yaml.safe_load(open(os.path.join(root, "action.yml")))
    md = open(os.path.join(root, "docs", "ci.md")).read()
    workflows = [yaml.safe_load(b) for b in re.findall(r"```yaml\n(.*?)```", md, re.S)]
    wf = next(w for w in workflows if isinstance(w, dict) and "jobs" in w)
    uses = [s for s in wf["jobs"]["mgate"]["steps"] if "mgate@" in s.get("uses", "")]
    check("docs/ci.md: the workflow uses the action", len(uses) == 1, wf)
    inputs = uses[0].get("with", {}) if uses else {}
    check("docs/ci.md: its inputs are the action's", set(inputs) <= set(action["inputs"]), inputs)
    perms = wf.get("permissions", {})
    check("docs/ci.md: the permissions the SARIF upload and the comment need",
          perms.get("security-events") == "write" and perms.get("pull-requests") == "write", perms)
    checkout = [s for s in wf["jobs"]["mgate"]["steps"] if s.get("uses", "").startswith("actions/checkout")]
    check("docs/ci.md: the checkout", len(checkout) == 1, checkout)

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Comments)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    scratch = tempfile.mkdtemp(prefix="mgate-action-")
    try:
        upstream = demo_repo(root, os.path.join(scratch, "upstream"))
        git(upstream, "checkout", "-qb", "feature")
        rev = os.path.join(upstream, "migrations", "versions", "f1_drop.py")
        open(rev, "w").write(DROP_EMAIL)
        git(upstream, "add", "-A")
        git(upstream, "commit", "-qm", "drop")
        git(upstream, "checkout", "-q", "main")

        bindir = os.path.join(scratch, "bin")
        os.makedirs(bindir)
        os.symlink(mgate, os.path.join(bindir, "mgate"))
        for case, bad, runs in (("dangerous", True, 2), ("fixed", False, 1)):
            if not bad:  # the branch drops the dangerous line
                git(upstream, "checkout", "-q", "feature")
                fixed = open(rev).read().replace('op.drop_column("users", "email")', "pass")
                open(rev, "w").write(fixed)
                git(upstream, "commit", "-qam", "fix")
                git(upstream, "checkout", "-q", "main")
            for n in range(runs):
                work = os.path.join(scratch, "%s-%d" % (case, n))
                ws = os.path.join(work, "app")
                os.makedirs(work)
                # actions/checkout: the pull request's head, one commit deep
                subprocess.run(["git", "clone", "-q", "--depth", "1", "--branch", "feature", "file://" + upstream, ws],
                               check=True, capture_output=True)
                temp = os.path.join(work, "runner-temp")
                os.makedirs(temp)
                event = os.path.join(work, "event.json")
                json.dump({"pull_request": {"number": 7, "base": {"ref": "main"}}}, open(event, "w"))
                env = dict(os.environ, PATH=bindir + ":" + os.environ["PATH"], GITHUB_ACTIONS="true", CI="true",
                           GITHUB_EVENT_NAME="pull_request", GITHUB_BASE_REF="main", GITHUB_HEAD_REF="feature",
                           GITHUB_REF="refs/pull/7/merge", GITHUB_REPOSITORY="org/app", GITHUB_WORKSPACE=ws,
                           GITHUB_ACTION_PATH=root, GITHUB_EVENT_PATH=event, RUNNER_TEMP=temp,
                           GITHUB_STEP_SUMMARY=os.path.join(work, "summary.md"),
                           GITHUB_API_URL="http://127.0.0.1:%d" % server.server_address[1])
                env.pop("GITHUB_TOKEN", None)
                failed, results = run_action(action, inputs, env, ws)
                by = {name: (rc, out) for name, rc, out in results}
                label = "%s run %d" % (case, n + 1)
                check("%s: the job %s" % (label, "fails" if bad else "passes"), failed == bad, results)
                judge = by.get("Judge the migrations", (None, ""))
                check("%s: the base was fetched and judged" % label, judge[0] == 0, judge)
                check("%s: an annotation on the changed line" % label,
                      ("::error file=migrations/versions/f1_drop.py,line=9" in judge[1]) == bad, judge[1][-800:])
                upload = by.get("Upload SARIF", (None, None))
                check("%s: SARIF uploaded even when the gate fails" % label, upload[0] == "uses", upload)
                if upload[0] == "uses":
                    sarif = json.load(open(upload[1]["sarif_file"]))
                    levels = [x["level"] for x in sarif["runs"][0]["results"]]
                    check("%s: the SARIF" % label, sarif["version"] == "2.1.0" and ("error" in levels) == bad, levels)
                check("%s: the job summary" % label,
                      ("is **closed**" if bad else "is **open**") in open(env["GITHUB_STEP_SUMMARY"]).read())
                check("%s: one summary comment, up to date" % label, len(Comments.store) == 1 and
                      ("is **closed**" if bad else "is **open**") in list(Comments.store.values())[0],
                      Comments.store)
        check("the comment was created once, then updated",
              [c[0] for c in Comments.calls if c[0] != "GET"] == ["POST", "PATCH", "PATCH"], Comments.calls)
    finally:
        server.shutdown()
        shutil.rmtree(scratch, ignore_errors=True)
    return summary()


if __name__ == "__main__":
    sys.exit(main())
