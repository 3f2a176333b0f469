"""A throw-away PostgreSQL server for tests.

Debian's initdb refuses to run as root, so as root the server runs as the
unprivileged `postgres` user (through runuser, with an argv, never a shell).
It listens only on a Unix socket in a fresh temporary folder, with SCRAM
password authentication, so tests also prove that the password never shows
up in mgate's output. Always stopped, even on failure (use `with`).
"""
import glob
import os
import random
import shutil
import signal
import subprocess
import tempfile

PASSWORD = "mgate-Test-Pw-7f3a9c"


def _bindir():
    dirs = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda d: int(d.split("/")[4]))
    if not dirs or not os.path.exists(os.path.join(dirs[-1], "initdb")):
        raise SystemExit("PostgreSQL server binaries not found: install the Debian package 'postgresql' "
                         "(scripts/install-deps.sh does)")
    return dirs[-1]


class PgServer:
    def __init__(self):
        self.bindir = _bindir()
        self.tmp = None
        self.port = random.randrange(20000, 60000)
        self.started = False

    def _run(self, argv, **kw):
        if os.geteuid() == 0:
            argv = ["runuser", "-u", "postgres", "--"] + argv
        return subprocess.run(argv, capture_output=True, text=True, timeout=120, **kw)

    def start(self):
        self.tmp = tempfile.mkdtemp(prefix="mgate-pg-")
        os.chmod(self.tmp, 0o755)
        data, self.sock = os.path.join(self.tmp, "data"), os.path.join(self.tmp, "sock")
        os.mkdir(self.sock)
        pwfile = os.path.join(self.tmp, "pw")
        with open(pwfile, "w") as f:
            f.write(PASSWORD + "\n")
        if os.geteuid() == 0:
            shutil.chown(self.tmp, "postgres")
            shutil.chown(self.sock, "postgres")
            shutil.chown(pwfile, "postgres")
        r = self._run([os.path.join(self.bindir, "initdb"), "-D", data, "-U", "postgres", "--pwfile", pwfile,
                       "--auth", "scram-sha-256", "-E", "UTF8", "--locale", "C"])
        if r.returncode != 0:
            raise SystemExit("initdb failed:\n" + r.stdout + r.stderr)
        r = self._run([os.path.join(self.bindir, "pg_ctl"), "-D", data, "-l", os.path.join(self.tmp, "log"), "-w",
                       "-o", "-k %s -c listen_addresses= -p %d -c fsync=off" % (self.sock, self.port), "start"])
        if r.returncode != 0:
            log = open(os.path.join(self.tmp, "log")).read() if os.path.exists(os.path.join(self.tmp, "log")) else ""
            raise SystemExit("pg_ctl start failed:\n" + r.stdout + r.stderr + log)
        self.started = True
        return self

    def url(self, db="postgres", password=PASSWORD, driver=""):
        scheme = "postgresql+" + driver if driver else "postgresql"
        return "%s://postgres:%s@/%s?host=%s&port=%d" % (scheme, password, db, self.sock, self.port)

    def psql(self, sql, db="postgres"):
        env = dict(os.environ, PGPASSWORD=PASSWORD)
        r = subprocess.run([os.path.join(self.bindir, "psql"), "-h", self.sock, "-p", str(self.port), "-U", "postgres",
                            "-d", db, "-v", "ON_ERROR_STOP=1", "-qAt", "-c", sql],
                           capture_output=True, text=True, env=env, timeout=60)
        if r.returncode != 0:
            raise RuntimeError("psql failed: " + r.stderr)
        return r.stdout

    def stop(self):
        if self.started:
            self._run([os.path.join(self.bindir, "pg_ctl"), "-D", os.path.join(self.tmp, "data"), "-m", "fast",
                       "-w", "stop"])
            self.started = False
        if self.tmp:
            shutil.rmtree(self.tmp, ignore_errors=True)
            self.tmp = None

    def __enter__(self):
        # a test killed by SIGTERM or SIGINT still stops its server
        def on_signal(signum, frame):
            raise SystemExit("stopped by signal %d" % signum)
        for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(sig, on_signal)
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *exc):
        self.stop()
