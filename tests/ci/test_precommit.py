"""The pre-commit hook judges the lines a commit changes, run by the real
pre-commit in a real git repository.

The repository holds an Alembic project in a subfolder (backend/), named by
the hook's `args: [-c, backend/alembic.ini]`, and an old revision that
already drops a column. The hook comes from .pre-commit-hooks.yaml, served
from a scratch hook repository as a team would reference mgate's; the
.pre-commit-config.yaml is docs/ci.md's example, with that repository and
its commit in place of `repo` and `rev`. Touching
one line of the old revision commits; adding a dangerous line does not; an
unstaged dangerous edit is not what the commit records, so it passes.

usage: python3 test_precommit.py MGATE ROOT
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

import yaml

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from harness import check, git, summary  # noqa: E402

OLD = '''"""drop the users' notes

Revision ID: a1
Revises:
"""
from alembic import op
import sqlalchemy as sa

revision = "a1"
down_revision = None


def upgrade():
    op.drop_column("users", "note")


def downgrade():
    op.add_column("users", sa.Column("note", sa.Text))
'''

INI = """[alembic]
script_location = %(here)s/migrations
sqlalchemy.url = postgresql://app@db/app
"""


def commit(repo, env):
    return subprocess.run(["git", "-c", "user.email=t@example.com", "-c", "user.name=t", "commit", "-qm", "x"],
                          cwd=repo, capture_output=True, text=True, env=env)


def main():
    mgate, root = os.path.abspath(sys.argv[1]), sys.argv[2]
    if not shutil.which("pre-commit"):
        print("FAIL pre-commit is not installed (scripts/install-deps.sh installs it)")
        return 1
    scratch = tempfile.mkdtemp(prefix="mgate-precommit-")
    try:
        hooks = os.path.join(scratch, "hooks")
        os.makedirs(hooks)
        shutil.copy(os.path.join(root, ".pre-commit-hooks.yaml"), hooks)
        git(hooks, "init", "-q")
        git(hooks, "add", "-A")
        git(hooks, "commit", "-qm", "hooks")
        rev = git(hooks, "rev-parse", "HEAD").strip()

        repo = os.path.join(scratch, "app")
        vdir = os.path.join(repo, "backend", "migrations", "versions")
        os.makedirs(vdir)
        open(os.path.join(repo, "backend", "alembic.ini"), "w").write(INI)
        old = os.path.join(vdir, "a1_old.py")
        open(old, "w").write(OLD)
        md = open(os.path.join(root, "docs", "ci.md")).read()
        config = next(c for c in (yaml.safe_load(b) for b in re.findall(r"```yaml\n(.*?)```", md, re.S))
                      if isinstance(c, dict) and "repos" in c)
        check("docs/ci.md's hook is mgate-lint with -c backend/alembic.ini",
              config["repos"][0]["hooks"] == [{"id": "mgate-lint", "args": ["-c", "backend/alembic.ini"]}], config)
        config["repos"][0].update(repo=hooks, rev=rev)
        open(os.path.join(repo, ".pre-commit-config.yaml"), "w").write(yaml.safe_dump(config))
        git(repo, "init", "-q")
        git(repo, "add", "-A")
        git(repo, "commit", "-qm", "base")

        bindir = os.path.join(scratch, "bin")
        os.makedirs(bindir)
        os.symlink(mgate, os.path.join(bindir, "mgate"))
        env = dict(os.environ, PATH=bindir + ":" + os.environ["PATH"], PRE_COMMIT_HOME=os.path.join(scratch, "cache"),
                   HOME=scratch)
        env.pop("GITHUB_ACTIONS", None)
        r = subprocess.run(["pre-commit", "install"], cwd=repo, capture_output=True, text=True, env=env)
        check("pre-commit install", r.returncode == 0, r.stdout + r.stderr)

        # one line of the old revision touched: its old finding is not this commit's
        touched = OLD.replace("drop the users' notes", "drop the notes of users")
        open(old, "w").write(touched)
        git(repo, "add", "-A")
        r = commit(repo, env)
        check("a touched old revision commits", r.returncode == 0, r.stdout + r.stderr)

        # a new dangerous line, staged: the commit is refused, naming the line
        open(old, "w").write(touched.replace("\n\n\ndef downgrade", '\n    op.drop_column("users", "email")\n\n\ndef downgrade'))
        git(repo, "add", "-A")
        r = commit(repo, env)
        out = r.stdout + r.stderr
        check("a new drop_column is refused", r.returncode != 0, out)
        check("the finding names the changed line", "backend/migrations/versions/a1_old.py:15" in out
              and "'email'" in out and "'note'" not in out, out)
        git(repo, "reset", "-q", "--hard", "HEAD")

        # a dangerous edit left unstaged is not what the commit records
        new = os.path.join(vdir, "b2_new.py")
        body = ('"""new"""\nfrom alembic import op\nimport sqlalchemy as sa\n\nrevision = "b2"\n'
                'down_revision = "a1"\n\n\ndef upgrade():\n'
                '    op.create_table("things", sa.Column("id", sa.Integer, primary_key=True))\n\n\n'
                'def downgrade():\n    op.drop_table("things")\n')
        open(new, "w").write(body)
        git(repo, "add", "-A")
        open(new, "w").write(body.replace("\n\n\ndef downgrade", '\n    op.drop_table("users")\n\n\ndef downgrade'))
        r = commit(repo, env)
        check("an unstaged dangerous edit is not judged", r.returncode == 0, r.stdout + r.stderr)

        # the hook's own command, without pre-commit, outside the project folder
        r = subprocess.run(["mgate", "lint", "--changed"], cwd=repo, capture_output=True, text=True, env=env)
        check("no alembic.ini here: a usage error naming it", r.returncode == 2 and "alembic.ini" in r.stderr,
              r.stderr)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return summary()


if __name__ == "__main__":
    sys.exit(main())
