#!/usr/bin/python3
"""The demo project's `mgate report`, and its screenshot.

usage: report-demo.py MGATE OUT.png    (the README's docs/report.png:
       scripts/report-demo.py build/mgate docs/report.png)

It copies fixtures/demo into a scratch folder, lets the real Alembic bring
its database two steps behind, and gives it a short history through mgate
itself: a check that the missing backup closes, a backup, an upgrade, a
rollback and a drill. Then it writes the report and has Debian's chromium
take a 1280x800 screenshot of it, headless. tests/report/test_report.py
uses the same steps (`demo_report`, `screenshot`).
"""
import os
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CHROMIUM = "chromium"


def run(args, cwd):
    e = dict(os.environ)
    e.pop("MGATE_DATABASE_URL", None)
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, env=e, stdin=subprocess.DEVNULL, timeout=600)


def demo_report(mgate, work):
    """The demo with a history, and its report: (folder, page)."""
    demo = os.path.join(work, "demo")
    shutil.copytree(os.path.join(ROOT, "fixtures", "demo"), demo,
                    ignore=shutil.ignore_patterns("*.db", "*.mgate-lock", "__pycache__", "backups", "*.jsonl",
                                                  "*.pre-restore-*"))
    r = run(["/usr/bin/python3", "-m", "alembic", "upgrade", "8b3f5e6d0c12"], demo)
    if r.returncode:
        raise RuntimeError("alembic upgrade: " + r.stderr)
    for args, want in ((["check"], 1), (["backup"], 0), (["upgrade"], 0), (["rollback", "--yes"], 0),
                       (["drill"], 0)):
        r = run([mgate] + args, demo)
        if r.returncode != want:
            raise RuntimeError("mgate %s exited %d:\n%s%s" % (" ".join(args), r.returncode, r.stdout, r.stderr))
    page = os.path.join(demo, "report.html")
    r = run([mgate, "report", "--out", page], demo)
    if r.returncode:
        raise RuntimeError("mgate report: " + r.stderr)
    return demo, page


def chromium(args, page, timeout=120):
    """Debian's chromium, headless, on a local page: the completed process
    (console messages are on stderr as INFO:CONSOLE lines)."""
    cmd = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
           "--enable-logging=stderr", "--v=0", "--user-data-dir=" + tempfile.mkdtemp(prefix="mgate-chromium-")]
    return subprocess.run(cmd + args + ["file://" + os.path.abspath(page)], capture_output=True, text=True,
                          timeout=timeout, stdin=subprocess.DEVNULL)


def screenshot(page, out, size="1280,800"):
    r = chromium(["--window-size=" + size, "--screenshot=" + os.path.abspath(out)], page)
    if not os.path.exists(out):
        raise RuntimeError("chromium made no screenshot:\n" + r.stderr[-2000:])
    return r


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    mgate, out = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    work = tempfile.mkdtemp(prefix="mgate-report-demo-")
    try:
        _, page = demo_report(mgate, work)
        screenshot(page, out)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("report-demo: wrote " + out)


if __name__ == "__main__":
    main()
