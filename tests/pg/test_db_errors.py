"""Connection problems are one line, exit 3 (2 for a URL mgate cannot use),
name the database with the password redacted, and change nothing.

usage: python3 test_db_errors.py MGATE ROOT
"""
import os
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from harness import PASSWORD, PgServer, check, finish  # noqa: E402
import harness  # noqa: E402

def mgate(root, args, env=None):
    """`mgate status` on the demo project."""
    r = harness.mgate(["-c", os.path.join(root, "fixtures/demo/alembic.ini"), "status"] + args, None, env)
    return r.returncode, r.stdout, r.stderr


def main():
    root = sys.argv[2]
    with PgServer() as pg:
        rc, out, err = mgate(root, ["--db", pg.url(password="wrong-password")])
        check("wrong password exits 3", rc == 3, err)
        check("wrong password says so", "password authentication failed" in err, err)
        check("wrong password is one line", err.count("\n") == 1, err)
        check("wrong password is redacted", "wrong-password" not in err and "***" in err, err)

        rc, out, err = mgate(root, ["--db", pg.url(db="no_such_db")])
        check("missing database exits 3", rc == 3 and "does not exist" in err, err)

        rc, out, err = mgate(root, ["--db", "postgresql://postgres:%s@/postgres?host=%s&port=1" % (PASSWORD, pg.sock)])
        check("unreachable server exits 3", rc == 3 and "is the server running" in err, err)

        url_no_pw = "postgresql://postgres@/postgres?host=%s&port=%d" % (pg.sock, pg.port)
        rc, out, err = mgate(root, ["--db", url_no_pw], env={"PGPASSWORD": PASSWORD})
        check("PGPASSWORD is used", rc == 0 and "pending:  6 steps" in out, err)

        rc, out, err = mgate(root, [], env={"MGATE_DATABASE_URL": pg.url()})
        check("MGATE_DATABASE_URL comes before sqlalchemy.url", rc == 0 and "postgresql://postgres:***@" in out, err)

        rc, out, err = mgate(root, ["--db", pg.url(), "--format", "json"], env={"MGATE_DATABASE_URL": "sqlite:///x.db"})
        check("--db comes before MGATE_DATABASE_URL", rc == 0 and '"database": "postgresql://postgres:***@' in out, err)

    with tempfile.TemporaryDirectory() as tmp:
        missing = os.path.join(tmp, "missing.db")
        rc, out, err = mgate(root, ["--db", "sqlite:///" + missing])
        check("missing SQLite file exits 3", rc == 3 and "does not exist" in err, err)
        check("missing SQLite file is not created", not os.path.exists(missing))
        junk = os.path.join(tmp, "junk.db")
        with open(junk, "w") as f:
            f.write("this is not a database" * 100)
        before = open(junk).read()
        rc, out, err = mgate(root, ["--db", "sqlite:///" + junk])
        check("not a database exits 3", rc == 3 and "not a usable SQLite database" in err, err)
        check("not a database is left as it was", open(junk).read() == before)
        rc, out, err = mgate(root, ["--db", "mysql://u:secretpw@h/db"])
        check("unsupported dialect exits 2", rc == 2 and "mgate supports" in err and "secretpw" not in err, err)
        rc, out, err = mgate(root, ["--db", "not a url at all"])
        check("garbage URL exits 2", rc == 2, err)
        rc, out, err = mgate(root, ["--db", "sqlite://"])
        check("in-memory SQLite is refused", rc == 2 and "in-memory" in err, err)

    return finish()


if __name__ == "__main__":
    sys.exit(main())
