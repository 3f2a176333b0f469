"""Drills and rehearsals that need no extra rights on production: the
production database is reached by a deploy role without CREATEDB, and
the throw-away copies go to a second, separate PostgreSQL server named by
scratch_url (or --scratch-url). doctor checks the scratch target; a
failed drill is reported with its time, result and reason.

usage: python3 test_scratch.py MGATE ROOT
"""
import json
import os
import re
import shutil
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
from harness import PASSWORD, PgServer, alembic, check, finish, mgate, url_project, write_revision, doc  # noqa: E402,E501

DEPLOY_PW = "deploy-Pw-4e1b"


def project(work, url):
    proj = os.path.join(work, "proj")
    vdir = url_project(proj, url, "backup_dir = backups\naudit_log = audit.jsonl\n")
    write_revision(vdir, "r1", None, 'op.create_table("items", sa.Column("id", sa.Integer(), primary_key=True))\n'
                   '    op.execute("INSERT INTO items SELECT g FROM generate_series(1, 50) g")', 'op.drop_table("items")')
    write_revision(vdir, "r2", "r1", 'op.add_column("items", sa.Column("note", sa.Text(), nullable=True))',
                   'op.drop_column("items", "note")')
    return proj


def set_ini(proj, old, new):
    ini = os.path.join(proj, "alembic.ini")
    text = open(ini).read()
    open(ini, "w").write(text.replace(old, new))


def main():
    work = tempfile.mkdtemp(prefix="mgate-scratch-")
    try:
        with PgServer() as prod, PgServer() as scratch:
            # production: the app database, owned by a deploy role that may not create databases
            prod.psql("CREATE ROLE deploy LOGIN PASSWORD '%s' NOCREATEDB" % DEPLOY_PW)
            prod.psql("CREATE DATABASE app OWNER deploy")
            url = prod.url(db="app", driver="psycopg2").replace("postgres:%s@" % PASSWORD, "deploy:%s@" % DEPLOY_PW)
            proj = project(work, url)
            alembic(proj, "upgrade", "r1")
            check("the app is owned by deploy", prod.psql("SELECT tableowner FROM pg_tables WHERE tablename = "
                                                          "'items'", db="app").strip() == "deploy")

            # no scratch server: the drill needs CREATEDB and says what to do
            r = mgate(["drill"], proj)
            check("drill without CREATEDB: exit 3, naming CREATEDB and scratch_url", r.returncode == 3
                  and "CREATEDB" in r.stderr + r.stdout and "scratch_url" in r.stderr + r.stdout, r.stdout + r.stderr)
            r = mgate(["doctor"], proj)
            check("doctor: the scratch target is a problem", r.returncode == 1 and "PROBLEM  scratch" in r.stdout
                  and "grant the role CREATEDB, or set scratch_url" in r.stdout, r.stdout)
            r = mgate(["drill", "--report"], proj)
            check("drill --report: the failed run with its time, result and reason", r.returncode == 0
                  and re.match(r"\d{4}-\d\d-\d\dT\S+\s+fail\s", r.stdout) and "(null)" not in r.stdout
                  and "CREATEDB" in r.stdout, r.stdout)

            # a scratch server: its own superuser makes and drops the copies there
            surl = scratch.url(db="postgres")
            r = mgate(["doctor", "--scratch-url", surl], proj)
            check("doctor --scratch-url: OK", "OK       scratch" in r.stdout and "on the scratch server" in r.stdout
                  and "mgate_doctor_" in r.stdout, r.stdout)
            check("doctor: the scratch database is dropped",
                  "mgate_doctor" not in scratch.psql("SELECT string_agg(datname, ',') FROM pg_database"))
            r = mgate(["drill", "--scratch-url", surl], proj)
            check("drill --scratch-url: passes on the scratch server (owners left out)", r.returncode == 0
                  and "drill: PASS" in r.stdout and on_server(r.stdout, scratch), r.stdout + r.stderr)
            check("drill: nothing left on either server",
                  "mgate_drill" not in scratch.psql("SELECT string_agg(datname, ',') FROM pg_database")
                  and "mgate_drill" not in prod.psql("SELECT string_agg(datname, ',') FROM pg_database"))

            # the same through [mgate]; a rehearsal too
            set_ini(proj, "audit_log = audit.jsonl\n", "audit_log = audit.jsonl\nscratch_url = %s\n"
                    % surl.replace("%", "%%"))
            r = mgate(["doctor"], proj)
            check("doctor with scratch_url: 0 problems", r.returncode == 0, r.stdout)
            r = mgate(["rehearse", "--format", "json"], proj)
            d = doc(r.stdout) if r.stdout.strip() else {}
            check("rehearse on the scratch server: passes", r.returncode == 0 and d.get("result") == "pass"
                  and on_server(d.get("scratch") or "", scratch), (r.stdout, r.stderr))
            check("the production database is untouched", prod.psql("SELECT version_num FROM alembic_version",
                                                                    db="app").strip() == "r1")
            r = mgate(["drill", "--report"], proj)
            check("drill --report: the failure, then the pass", [ln.split()[1] for ln in r.stdout.splitlines()
                                                                  if ln[:1].isdigit()] == ["fail", "pass"], r.stdout)

            # bad scratch URLs are refused with the option named, the password never shown
            r = mgate(["drill", "--scratch-url", "sqlite:///tmp/x.db"], proj)
            check("a SQLite scratch URL for PostgreSQL: exit 2", r.returncode == 2 and "--scratch-url" in r.stderr,
                  r.stderr)
            r = mgate(["drill", "--scratch-url", "mysql://u:Secret-77@h/db"], proj)
            check("not a database URL: exit 2, redacted", r.returncode == 2 and "--scratch-url" in r.stderr
                  and "Secret-77" not in r.stderr, r.stderr)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return finish(secrets=(DEPLOY_PW,))


def on_server(text, pg):
    """Does `text` name the server `pg` (its socket folder, plain or
    percent-encoded)?"""
    return pg.sock in text or pg.sock.replace("/", "%2F") in text


if __name__ == "__main__":
    sys.exit(main())
