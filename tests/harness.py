"""What the end-to-end tests share: counting checks, running the mgate
binary under test (argv[1]) and the real Alembic, and the final verdict,
which also fails when the test database's password appeared in any output
mgate produced.

usage, in a test: `from harness import check, mgate, alembic, finish`, then
`return finish()` at the end of main().
"""
import hashlib
import os
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


def alembic(cwd, *args):
    """The real Alembic; a failure is a failed check."""
    r = subprocess.run(["/usr/bin/python3", "-m", "alembic", *args], cwd=cwd, capture_output=True, text=True)
    check("alembic " + " ".join(args), r.returncode == 0, r.stderr)
    return r


def sha(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def finish(secrets=()):
    """The password check (also for `secrets`), the summary line, and the
    exit code."""
    leaked = [o for o in outputs if any(s in o for s in (PASSWORD,) + tuple(secrets))]
    check("no password in any output", not leaked, leaked[:1])
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0
