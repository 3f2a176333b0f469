"""What the end-to-end tests share: counting checks, running the mgate
binary under test (argv[1]) and the real Alembic, and the final verdict,
which also fails when the test database's password appeared in any output
mgate produced.

usage, in a test: `from harness import check, mgate, alembic, finish`, then
`return finish()` at the end of main().
"""
import hashlib
import os
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "pg"))
sys.path.insert(0, os.path.join(HERE, "diff"))
from pgserver import PASSWORD, PgServer  # noqa: E402,F401
from status_oracle import ENV_ONLINE  # noqa: E402,F401

passed = failed = 0
outputs = []


def check(name, cond, detail=""):
    """Count one assertion; print the failing ones with their detail."""
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print("FAIL %s %s" % (name, str(detail)[-3000:]))


def mgate(args, cwd, env=None):
    """Run mgate with no MGATE_DATABASE_URL from the caller, stdin empty."""
    e = dict(os.environ)
    e.pop("MGATE_DATABASE_URL", None)
    e.update(env or {})
    r = subprocess.run([sys.argv[1]] + args, cwd=cwd, capture_output=True, text=True, env=e, timeout=600,
                       stdin=subprocess.DEVNULL)
    outputs.append(r.stdout + r.stderr)
    return r


def doc(text, what="document"):
    """An mgate JSON document, parsed, and checked against its schema in
    docs/schema (each problem is a failed check)."""
    import json
    import schema_check
    problems = schema_check.check_text(text)
    check("%s matches its schema" % what, not problems, "\n".join(problems[:10]))
    return json.loads(text)


def alembic(cwd, *args):
    """The real Alembic; a failure is a failed check."""
    r = subprocess.run(["/usr/bin/python3", "-m", "alembic", *args], cwd=cwd, capture_output=True, text=True)
    check("alembic " + " ".join(args), r.returncode == 0, r.stderr)
    return r


def add_mgate_lines(folder, text):
    """Put `text` (whole lines) at the top of the [mgate] section of the
    folder's alembic.ini."""
    ini = os.path.join(folder, "alembic.ini")
    with open(ini) as f:
        old = f.read()
    assert "\n[mgate]\n" in old
    with open(ini, "w") as f:
        f.write(old.replace("\n[mgate]\n", "\n[mgate]\n" + text, 1))


# A revision on the demo's head that drops users.email: an error finding in CI.
DROP_EMAIL = ('"""drop"""\nfrom alembic import op\n\nrevision = "f1"\ndown_revision = "e7b2d9f4a1c6"\n\n\n'
              'def upgrade():\n    op.drop_column("users", "email")\n\n\ndef downgrade():\n    pass\n')


def git(cwd, *args):
    """git with a test identity; its output (an exception when it fails)."""
    return subprocess.run(["git", "-c", "user.email=t@example.com", "-c", "user.name=t", *args], cwd=cwd,
                          capture_output=True, text=True, check=True).stdout


def demo_copy(root, dest):
    """fixtures/demo copied to `dest`, without a database, backups, logs or caches."""
    shutil.copytree(os.path.join(os.path.abspath(root), "fixtures", "demo"), dest,
                    ignore=shutil.ignore_patterns("*.db", "*.mgate-lock", "__pycache__", "backups", "*.jsonl",
                                                  "*.pre-restore-*"))
    return dest


def demo_repo(root, dest):
    """demo_copy as a git repository whose branch `main` holds it."""
    demo_copy(root, dest)
    git(dest, "init", "-q", "-b", "main")
    git(dest, "add", "-A")
    git(dest, "commit", "-qm", "base")
    return dest


def demo_project(root, work, name, at="8b3f5e6d0c12", extra=""):
    """A copy of fixtures/demo (no database, backups or logs), `extra` added
    to [mgate], and the real Alembic upgraded to `at`. Returns the folder
    and its database file."""
    demo = demo_copy(root, os.path.join(work, name))
    if extra:
        add_mgate_lines(demo, extra)
    alembic(demo, "upgrade", at)
    return demo, os.path.join(demo, "demo.db")


def url_project(folder, url, mgate_lines="", env=ENV_ONLINE):
    """An Alembic project in `folder` whose sqlalchemy.url is `url`, with
    `mgate_lines` in [mgate] and `env` as env.py, and an empty versions
    folder (write_revision fills it), which is returned."""
    vdir = os.path.join(folder, "migrations", "versions")
    os.makedirs(vdir)
    with open(os.path.join(folder, "alembic.ini"), "w") as f:
        f.write("[alembic]\nscript_location = %(here)s/migrations\nsqlalchemy.url = " + url.replace("%", "%%")
                + "\n\n[mgate]\n" + mgate_lines)
    with open(os.path.join(folder, "migrations", "env.py"), "w") as f:
        f.write(env)
    return vdir


def write_revision(vdir, rid, down, up, dn):
    """A revision script `rid` on `down`: `up` and `dn` are the bodies of
    upgrade() and downgrade() (further lines indented by four spaces)."""
    with open(os.path.join(vdir, rid + ".py"), "w") as f:
        f.write('from alembic import op\nimport sqlalchemy as sa\nrevision = "%s"\ndown_revision = %r\n\n'
                'def upgrade():\n    %s\n\ndef downgrade():\n    %s\n' % (rid, down, up, dn))


def sha(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def finish(secrets=()):
    """The password check (also for `secrets`), the summary line, and the
    exit code."""
    leaked = [o for o in outputs if any(s in o for s in (PASSWORD,) + tuple(secrets))]
    check("no password in any output", not leaked, leaked[:1])
    return summary()


def summary():
    """The summary line and the exit code (for tests with no database)."""
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0
