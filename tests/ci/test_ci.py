"""`mgate ci --base REF` on real git repositories built in a scratch folder:
a base with a history of revisions, then one branch per failure mode and a
clean one; each case checks the exit code and the exact finding. Also a
shallow clone that lacks the base, a detached HEAD, a merge commit, every
output format, and migrations.sum. mgate reads git with libgit2; this test
drives the `git` command to build the repositories.

usage: python3 test_ci.py MGATE
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from harness import check, summary, doc  # noqa: E402

MGATE = None
outputs = []

INI = """[alembic]
script_location = %(here)s/migrations
sqlalchemy.url = {url}

[mgate]
model_paths = app/models/**.py
{extra}
"""

REV = '''"""{doc}

Revision ID: {rev}
Revises: {down_doc}
"""
from alembic import op
import sqlalchemy as sa

revision = "{rev}"
down_revision = {down}
branch_labels = None
depends_on = None


def upgrade():
{up}


def downgrade():
{down_body}
'''


def git(repo, *args, ok=True):
    r = subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "init.defaultBranch=main",
                        "-c", "advice.detachedHead=false", *args], cwd=repo, capture_output=True, text=True)
    if ok and r.returncode != 0:
        raise SystemExit("git %s failed: %s" % (" ".join(args), r.stderr))
    return r


def write(repo, path, text):
    full = os.path.join(repo, path)
    os.makedirs(os.path.dirname(full), exist_ok=True)
    with open(full, "w") as f:
        f.write(text)


def rev(repo, rid, down, up='    op.add_column("users", sa.Column("note", sa.Text(), nullable=True))',
        down_body='    op.drop_column("users", "note")', name=None):
    write(repo, "migrations/versions/%s.py" % (name or rid),
          REV.format(doc="rev " + rid, rev=rid, down_doc=down or "", down=repr(down), up=up, down_body=down_body))


def commit(repo, msg):
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", msg)


def mgate(repo, *args, env=None):
    e = dict(os.environ)
    e.pop("GITHUB_ACTIONS", None)
    e.update(env or {})
    r = subprocess.run([MGATE, "ci", *args], cwd=repo, capture_output=True, text=True, env=e, timeout=120)
    outputs.append(r.stdout + r.stderr)
    return r


def report(repo, *args):
    r = mgate(repo, "--format", "json", *args)
    try:
        return r.returncode, doc(r.stdout)
    except ValueError:
        return r.returncode, {"findings": [], "summary": {}, "raw": r.stdout + r.stderr}


def rules_of(rep, severity=None):
    return sorted((f["rule"], f["revision"], f["line"]) for f in rep["findings"]
                  if not f["suppressed"] and (severity is None or f["severity"] == severity))


def make_base(root, extra=""):
    repo = os.path.join(root, "repo")
    os.makedirs(repo)
    git(repo, "init", "-q")
    write(repo, "alembic.ini", INI.format(url="postgresql://app@db/prod", extra=extra))
    write(repo, "migrations/env.py", "# not run by mgate\n")
    write(repo, "app/models/user.py", "class User:\n    pass\n")
    rev(repo, "a1", None, up='    op.create_table("users", sa.Column("id", sa.Integer(), primary_key=True))',
        down_body='    op.drop_table("users")')
    rev(repo, "b2", "a1")
    commit(repo, "base history")
    return repo


def branch(repo, name, start="main"):
    git(repo, "checkout", "-q", "-B", name, start)


def main():
    global MGATE
    MGATE = os.path.abspath(sys.argv[1])
    root = tempfile.mkdtemp(prefix="mgate-ci-")
    try:
        repo = make_base(root)

        # a clean branch: a new revision on the head, nothing else
        branch(repo, "clean")
        rev(repo, "c3", "b2")
        commit(repo, "c3")
        rc, rep = report(repo, "--base", "main")
        check("clean: exit 0", rc == 0, (rc, rep))
        check("clean: no errors", rules_of(rep, "error") == [], rep)
        check("clean: one added", rep["summary"].get("added") == 1, rep["summary"])
        check("clean: branch name", rep["summary"].get("head_branch") == "clean", rep["summary"])

        # editing a revision the base has
        branch(repo, "edit")
        rev(repo, "b2", "a1", up='    op.add_column("users", sa.Column("note2", sa.Text(), nullable=True))')
        commit(repo, "edit b2")
        rc, rep = report(repo, "--base", "main")
        check("edit: exit 1", rc == 1, rc)
        check("edit: edited-applied-revision", ("edited-applied-revision", "b2", 16) in rules_of(rep, "error"),
              rules_of(rep))

        # a comment-only edit is informational
        branch(repo, "comment")
        text = open(os.path.join(repo, "migrations/versions/b2.py")).read()
        write(repo, "migrations/versions/b2.py", text.replace("def upgrade():", "# reviewed\ndef upgrade():  # ok"))
        commit(repo, "comment b2")
        rc, rep = report(repo, "--base", "main")
        check("comment: exit 0", rc == 0, (rc, rules_of(rep)))
        check("comment: info only", [r[0] for r in rules_of(rep, "info")] == ["edited-applied-revision"]
              and rules_of(rep, "warning") == [] and rules_of(rep, "error") == [], rules_of(rep))

        # an edit confined to downgrade() is a warning that says so
        branch(repo, "downonly", "main")
        text = open(os.path.join(repo, "migrations/versions/b2.py")).read()
        write(repo, "migrations/versions/b2.py",
              text.replace("def downgrade():\n", "def downgrade():\n    op.execute(\"SELECT 2\")\n"))
        commit(repo, "downgrade of b2")
        rc, rep = report(repo, "--base", "main")
        check("downgrade-only: exit 0", rc == 0, (rc, rules_of(rep)))
        warn = [f for f in rep["findings"] if f["rule"] == "edited-applied-revision"]
        check("downgrade-only: one warning naming the way back",
              len(warn) == 1 and warn[0]["severity"] == "warning" and "only its downgrade() was edited" in
              warn[0]["message"], warn)

        # deleting one
        branch(repo, "delete")
        os.remove(os.path.join(repo, "migrations/versions/b2.py"))
        commit(repo, "drop b2")
        rc, rep = report(repo, "--base", "main")
        check("delete: exit 1", rc == 1, rc)
        check("delete: deleted-applied-revision", ("deleted-applied-revision", "b2", None) in rules_of(rep), rules_of(rep))

        # changing an existing file's revision id
        branch(repo, "reid")
        text = open(os.path.join(repo, "migrations/versions/b2.py")).read()
        write(repo, "migrations/versions/b2.py", text.replace('revision = "b2"', 'revision = "b2x"'))
        commit(repo, "reid")
        rc, rep = report(repo, "--base", "main")
        check("reid: renamed-revision-id", ("renamed-revision-id", "b2x", None) in rules_of(rep), rules_of(rep))
        check("reid: exit 1", rc == 1, rc)

        # two branches add a revision on the same parent: a second head after the merge
        branch(repo, "feature")
        rev(repo, "f3", "b2")
        commit(repo, "f3")
        git(repo, "checkout", "-q", "main")
        rev(repo, "m3", "b2")
        commit(repo, "m3 on main")
        git(repo, "checkout", "-q", "feature")
        rc, rep = report(repo, "--base", "main")
        new_head = [f for f in rep["findings"] if f["rule"] == "new-head"]
        check("new-head: found", len(new_head) == 1, rules_of(rep))
        check("new-head: names both", new_head and "'m3'" in new_head[0]["message"] and "'f3'" in new_head[0]["message"]
              and "alembic merge" in new_head[0]["message"], new_head)
        check("new-head: exit 1", rc == 1, rc)

        # a merge commit that brings main in, then a merge revision: clean again
        git(repo, "merge", "-q", "--no-edit", "main")
        rev(repo, "g4", "('f3', 'm3')", name="g4")
        text = open(os.path.join(repo, "migrations/versions/g4.py")).read()
        write(repo, "migrations/versions/g4.py", text.replace("down_revision = \"('f3', 'm3')\"", "down_revision = ('f3', 'm3')"))
        commit(repo, "merge revision")
        rc, rep = report(repo, "--base", "main")
        check("merge commit: exit 0", rc == 0, (rc, rules_of(rep)))
        check("merge commit: one head after", rep["summary"].get("heads_after_merge") == 1, rep["summary"])

        # a new revision on something the base does not have
        branch(repo, "orphan")
        rev(repo, "o5", "zz9")
        commit(repo, "o5")
        rc, rep = report(repo, "--base", "main")
        check("orphan: down-revision-not-on-base", any(r[0] == "down-revision-not-on-base" and r[1] == "o5"
                                                       for r in rules_of(rep)), rules_of(rep))

        # models changed, no revision
        branch(repo, "models")
        write(repo, "app/models/user.py", "class User:\n    email = None\n")
        commit(repo, "models")
        rc, rep = report(repo, "--base", "main")
        check("models: warning", [r[0] for r in rules_of(rep, "warning")] == ["schema-change-without-revision"],
              rules_of(rep))
        check("models: exit 0", rc == 0, rc)

        # lint findings only on the changed lines; a new dangerous revision
        branch(repo, "danger")
        rev(repo, "d3", "m3", up='    op.drop_column("users", "note")', down_body='    op.execute("SELECT 1")')
        commit(repo, "d3")
        rc, rep = report(repo, "--base", "main")
        check("danger: drop-column at its line", ("drop-column", "d3", 16) in rules_of(rep, "error"), rules_of(rep))
        check("danger: exit 1", rc == 1, rc)
        # on a modified old revision, a finding on an untouched line does not count
        branch(repo, "touch", "main")
        text = open(os.path.join(repo, "migrations/versions/a1.py")).read()
        write(repo, "migrations/versions/a1.py", text.replace('op.drop_table("users")', 'op.drop_table("users")  # x'))
        commit(repo, "touch a1 downgrade")
        rc, rep = report(repo, "--base", "main")
        check("touch: no errors", rc == 0 and rules_of(rep, "error") == [], rules_of(rep))
        check("touch: the edit is informational", ("edited-applied-revision", "a1", 20) in rules_of(rep, "info"),
              rules_of(rep))
        check("touch: untouched lines are not reported", all(r[2] == 20 for r in rules_of(rep)), rules_of(rep))

        # a committed password
        branch(repo, "secret", "main")
        write(repo, "alembic.ini", INI.format(url="postgresql://app:Sup3rSecret@db/prod", extra=""))
        commit(repo, "url")
        r = mgate(repo, "--base", "main")
        check("secret: exit 1", r.returncode == 1, r.returncode)
        check("secret: reported", "secret-in-repo" in r.stdout, r.stdout)
        check("secret: redacted", "Sup3rSecret" not in r.stdout + r.stderr and "app:***@db" in r.stdout, r.stdout)

        # formats
        git(repo, "checkout", "-q", "danger")
        r = mgate(repo, "--base", "main", env={"GITHUB_ACTIONS": "true"})
        check("github by default in Actions", r.stdout.startswith("::error file=migrations/versions/d3.py,line=16,col=5,title=drop-column::"),
              r.stdout)
        r = mgate(repo, "--base", "main", "--format", "junit")
        check("junit", r.stdout.startswith("<?xml") and "<failure" in r.stdout and 'classname="drop-column"' in r.stdout,
              r.stdout)
        r = mgate(repo, "--base", "main", "--format", "sarif")
        sarif = json.loads(r.stdout)
        check("sarif", sarif["version"] == "2.1.0" and any(x["ruleId"] == "drop-column" for x in sarif["runs"][0]["results"]),
              r.stdout[:300])

        # detached HEAD (on a clean change of today's main)
        branch(repo, "clean2", "main")
        rev(repo, "c4", "m3")
        commit(repo, "c4")
        git(repo, "checkout", "-q", "--detach", "clean2")
        rc, rep = report(repo, "--base", "main")
        check("detached: exit 0", rc == 0, (rc, rules_of(rep)))
        check("detached: no branch", rep["summary"].get("head_branch") is None, rep["summary"])

        # unknown base
        r = mgate(repo, "--base", "origin/nope")
        check("unknown base: exit 3", r.returncode == 3, (r.returncode, r.stderr))
        check("unknown base: says so", "unknown revision 'origin/nope'" in r.stderr and "fetch" in r.stderr, r.stderr)

        # a shallow clone that lacks the base's history
        git(repo, "checkout", "-q", "clean")
        shallow = os.path.join(root, "shallow")
        git(root, "clone", "-q", "--depth", "1", "--branch", "clean", "file://" + repo, shallow)
        git(shallow, "fetch", "-q", "--depth", "1", "origin", "main:refs/remotes/origin/main")
        r = mgate(shallow, "--base", "origin/main")
        check("shallow: exit 3", r.returncode == 3, (r.returncode, r.stdout, r.stderr))
        check("shallow: tells how to fetch", "git fetch --unshallow" in r.stderr, r.stderr)
        check("shallow: one line", len(r.stderr.strip().splitlines()) == 1, r.stderr)

        # outside any repository: a plain folder holding the project
        plain = os.path.join(root, "plain")
        shutil.copytree(repo, plain, ignore=shutil.ignore_patterns(".git"))
        r = mgate(plain, "--base", "main", env={"GIT_CEILING_DIRECTORIES": root})
        check("outside a repository: exit 2, and says so", r.returncode == 2
              and "'%s' is not inside a git repository" % plain in r.stderr, (r.returncode, r.stderr))

        # migrations.sum
        root2 = os.path.join(root, "sum")
        os.makedirs(root2)
        repo2 = make_base(root2, extra="sum_file = migrations.sum")
        s = subprocess.run([MGATE, "sum"], cwd=repo2, capture_output=True, text=True)
        check("sum: written", s.returncode == 0 and os.path.exists(os.path.join(repo2, "migrations.sum")), s.stderr)
        commit(repo2, "sum")
        branch(repo2, "nosum")
        rev(repo2, "c3", "b2")
        commit(repo2, "c3 without sum")
        rc, rep = report(repo2, "--base", "main")
        check("sum: stale is an error", any(r[0] == "migrations-sum-mismatch" for r in rules_of(rep, "error")),
              rules_of(rep))
        s = subprocess.run([MGATE, "sum", "--check"], cwd=repo2, capture_output=True, text=True)
        check("sum --check: stale", s.returncode == 1, s.stdout + s.stderr)
        subprocess.run([MGATE, "sum"], cwd=repo2, capture_output=True, text=True)
        commit(repo2, "sum updated")
        rc, rep = report(repo2, "--base", "main")
        check("sum: updated is clean", rc == 0, rules_of(rep))
        # two branches each adding a revision both rewrite the last line: git sees a conflict
        branch(repo2, "other", "main")
        rev(repo2, "x3", "b2")
        subprocess.run([MGATE, "sum"], cwd=repo2, capture_output=True, text=True)
        commit(repo2, "x3 with sum")
        merge = git(repo2, "merge", "--no-edit", "nosum", ok=False)
        check("sum: concurrent branches conflict in git", merge.returncode != 0 and "migrations.sum" in merge.stdout,
              merge.stdout + merge.stderr)
        git(repo2, "merge", "--abort", ok=False)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return summary()


if __name__ == "__main__":
    sys.exit(main())
