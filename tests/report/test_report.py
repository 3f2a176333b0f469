"""`mgate report`: the HTML page and its JSON, on a project with a real
history made by mgate and the real Alembic (SQLite), read in Debian's
chromium, headless.

- the history: a closed gate, passing upgrades (one with an override and
  its reason), an upgrade Alembic fails, a rollback and a drill; the JSON
  counts them, groups the failure by exit code, check and revision, and
  validates against docs/schema (its gate and plan against check's and
  plan's schemas);
- the page in chromium: no console message, the DOM holds the verdict,
  the counts, every event, the pending revisions and the graph's SVG
  (--dump-dom, after the page's script ran); a 1280x800 screenshot is not
  blank; the detector of console errors is itself shown to work;
- a revision message, a table name, a branch label and an override reason
  holding <script>, quotes and </svg> render as text;
- the drill: current, then overdue once the log's entries are 10 days
  older than drill_max_age allows;
- without a database URL: the project and the audit log, and the last
  decision it recorded; with a database that does not answer: its
  redacted URL, and no password anywhere in the page or the JSON;
- --since, --graph-window and --events, and bad values for each;
- the README's screenshot script (scripts/report-demo.py) makes a PNG.

usage: python3 test_report.py MGATE ROOT
"""
import json
import os
import re
import shutil
import struct
import sys
import tempfile
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
from harness import check, demo_project, doc, finish, mgate, outputs  # noqa: E402
import harness  # noqa: E402

ROOT = os.path.abspath(sys.argv[2])
sys.path.insert(0, os.path.join(ROOT, "scripts"))
report_demo = __import__("report-demo")

XSS = '</svg><script>alert("x")</script>\'"'
SECRET = "s3cr3t-report-pw"

# a revision Alembic fails in (the table does not exist), with a hostile message
FAILING = ('"""%s fails\n\nRevision ID: f1\n"""\nfrom alembic import op\n\nrevision = "f1"\n'
           'down_revision = "e7b2d9f4a1c6"\n\n\ndef upgrade():\n'
           '    op.execute("UPDATE no_such_table SET x = 1 WHERE x = 2")\n\n\ndef downgrade():\n    pass\n' % XSS)
# then one that creates a table with a hostile name, on a hostile branch label
HOSTILE = ('"""more\n"""\nfrom alembic import op\nimport sqlalchemy as sa\n\nrevision = "g1"\n'
           'down_revision = "f1"\nbranch_labels = (%r,)\n\n\ndef upgrade():\n'
           '    op.create_table(%r, sa.Column("id", sa.Integer(), primary_key=True))\n\n\n'
           'def downgrade():\n    op.drop_table(%r)\n' % ("lbl" + XSS, "t" + XSS, "t" + XSS))


def png_pixels(path):
    """(width, height, distinct colours, share of non-white pixels) of an
    8-bit RGB or RGBA PNG, decoded here (zlib and the five filters)."""
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, w, h, bpp = 8, b"", None, None, 3
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            w, h, depth, ctype = struct.unpack(">IIBB", body[:10])
            assert depth == 8 and ctype in (2, 6), (depth, ctype)
            bpp = 3 if ctype == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    raw = zlib.decompress(idat)
    stride = w * bpp
    prev = bytearray(stride)
    colours, ink = set(), 0
    for y in range(h):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        for x in range(0, stride, bpp * 7):  # a sample of the pixels
            px = bytes(line[x:x + 3])
            colours.add(px)
            ink += px != b"\xff\xff\xff"
        prev = line
    return w, h, len(colours), ink / float(h * len(range(0, stride, bpp * 7)))


def console_messages(stderr):
    return [ln for ln in stderr.splitlines() if ":CONSOLE" in ln]


def dump_dom(page):
    r = report_demo.chromium(["--dump-dom"], page)
    return r.stdout, console_messages(r.stderr)


def report(folder, *args):
    return mgate(["report"] + list(args), folder)


def json_report(folder, *args):
    r = report(folder, "--format", "json", *args)
    check("report --format json %s exits 0" % " ".join(args), r.returncode == 0, r.stderr)
    d = doc(r.stdout, "report document")
    for part, name in (("gate", "check"), ("plan", "plan")):  # the embedded bodies, against their own schemas
        if isinstance(d.get(part), dict):
            body = dict(d[part])
            body.pop("schema", None)
            doc(json.dumps(dict([("schema", "mgate.%s/1" % name), ("root", d["root"])] + list(body.items()))),
                "the report's %s" % part)
    return d


def make_history(work):
    """The demo with drill_max_age = 7 and a history; the database left
    before f1, which Alembic fails in, with f1 and g1 pending."""
    demo, _ = demo_project(ROOT, work, "history", extra="drill_max_age = 7\n")
    steps = [(["check"], 1), (["backup"], 0), (["drill"], 0), (["upgrade"], 0), (["rollback", "--yes"], 0),
             (["upgrade", "--no-backup-check", "--reason", "hotfix " + XSS], 0)]
    for args, want in steps:
        r = mgate(args, demo)
        check("mgate %s exits %d" % (args[0], want), r.returncode == want, r.stdout + r.stderr)
    vdir = os.path.join(demo, "migrations", "versions")
    with open(os.path.join(vdir, "f1_fails.py"), "w") as f:
        f.write(FAILING)
    with open(os.path.join(vdir, "g1_hostile.py"), "w") as f:
        f.write(HOSTILE)
    mgate(["backup"], demo)
    r = mgate(["upgrade", "f1"], demo)
    check("the upgrade into f1 fails in Alembic (exit 4)", r.returncode == 4, r.stdout + r.stderr)
    return demo


def test_json(demo):
    d = json_report(demo)
    h = d["history"]
    c = h["counts"]
    check("upgrades: 2 passed, 1 failed", c["upgrade"]["ok"] == 2 and c["upgrade"]["failed"] == 1, c["upgrade"])
    check("checks: 1 closed", c["check"]["blocked"] == 1, c["check"])
    check("a rollback and a drill", c["rollback"]["ok"] == 1 and c["drill"]["ok"] == 1, c)
    check("entries counted", h["entries"] == len(h["events"]) == 6, (h["entries"], len(h["events"])))
    check("events newest first", [e["time"] for e in h["events"]] == sorted([e["time"] for e in h["events"]],
                                                                              reverse=True))
    newest = h["events"][0]
    check("the failed upgrade: Alembic's exit and where it stopped",
          newest["kind"] == "upgrade" and newest["status"] == "failed" and newest["alembic_exit"] not in (None, 0)
          and newest["detail"] == "f1" and newest["exit"] == 4, newest)
    check("who and host recorded", newest["who"] and newest["host"], newest)
    causes = {(x["by"], x["cause"]): x["count"] for x in h["causes"]}
    check("failures by exit code, check and revision",
          causes.get(("exit", "4")) == 1 and causes.get(("exit", "1")) == 1 and causes.get(("check", "backup")) == 1
          and causes.get(("check", "drill")) == 1 and causes.get(("revision", "f1")) == 1, causes)
    closed = [e for e in h["events"] if e["kind"] == "check"][0]
    check("what closed the gate is listed", any(b.startswith("backup:") for b in closed["blocking"]), closed)
    over = [e for e in h["events"] if e["overrides"]]
    check("the override and its reason", len(over) == 1 and XSS in over[0]["overrides"][0], over)
    check("the timeline has today", h["timeline"]["bucket"] == "day" and len(h["timeline"]["periods"]) == 1,
          h["timeline"])
    check("gate and plan live", d["gate"]["verdict"] in ("open", "closed") and
          [s["revision"] for s in d["plan"]["steps"]] == ["f1", "g1"], d.get("plan_error"))
    nodes = {n["revision"]: n for n in d["graph"]["nodes"]}
    check("the graph marks current, pending, heads and labels",
          nodes["e7b2d9f4a1c6"]["is_current"] and nodes["f1"]["is_pending"] and nodes["g1"]["is_head"]
          and nodes["g1"]["branch_labels"] == ["lbl" + XSS], nodes.get("g1"))
    check("the drill is current", d["drills"]["overdue"] is False and d["drills"]["max_age_days"] == 7, d["drills"])
    check("backups with ages", d["backups"]["backups"] and all(b["status"] == "ok" and b["age_days"] >= 0
                                                                for b in d["backups"]["backups"]), d["backups"])
    return d


def test_page(demo, d):
    page = os.path.join(demo, "report.html")
    r = report(demo, "--out", page)
    check("report --out exits 0", r.returncode == 0, r.stderr)
    html = open(page, encoding="utf-8").read()
    outputs.append(html)
    check("no network: no http(s) URL is loaded", not re.search(r'(src|href)="(https?:)?//', html))
    check("one script element, ours", html.count("<script>") == 1 and "alert(" not in html.split("<script>")[1][:50])
    check("the hostile strings are escaped text", html.count("&lt;script&gt;alert(") >= 4 and
          '<script>alert("x")' not in html, html.count("&lt;script&gt;alert("))
    check("a closing </svg> from the data does not end the graph early",
          html.count("<svg") == html.count("</svg>"), (html.count("<svg"), html.count("</svg>")))
    dom, console = dump_dom(page)
    check("no console message in chromium", not console, console[:5])
    check("the page's script ran to its end", 'data-ready="1"' in dom, dom[:300])
    check("the verdict", re.search(r'id="verdict"[^>]*data-verdict="%s"' % d["gate"]["verdict"], dom) is not None)
    rows = re.findall(r'<tr data-kind="([a-z]+)" data-status="([a-z]+)"', dom)
    check("every event is a row", len(rows) == len(d["history"]["events"]), len(rows))
    check("the counts", re.search(r'id="count-upgrade-ok">2<', dom) and re.search(r'id="count-upgrade-failed">1<', dom))
    check("the pending revisions", 'data-revision="f1"' in dom and 'data-revision="g1"' in dom)
    graph = dom[dom.index('id="graph"'):dom.index('id="history"')]
    check("the graph's SVG", "<svg" in graph and len(re.findall(r'class="node', graph)) >= len(d["graph"]["nodes"]),
          graph[:500])
    check("one script element in the DOM too", dom.count("<script") == 1, dom.count("<script"))
    shot = os.path.join(demo, "shot.png")
    r = report_demo.screenshot(page, shot)
    w, h, colours, ink = png_pixels(shot)
    check("a 1280x800 screenshot that is not blank", (w, h) == (1280, 800) and colours > 8 and ink > 0.05,
          (w, h, colours, ink))
    check("no console message during the screenshot", not console_messages(r.stderr))
    # the detector itself: a page that logs and throws is caught
    bad = os.path.join(demo, "bad.html")
    with open(bad, "w") as f:
        f.write('<!DOCTYPE html><p>x</p><script>console.error("e1"); nope();</script>')
    _, console = dump_dom(bad)
    check("console errors are seen", len(console) == 2, console)


def test_overdue(demo):
    log = os.path.join(demo, "audit.jsonl")
    lines = []
    for ln in open(log):
        e = json.loads(ln)
        t = e["time"]
        day = int(t[8:10])
        e["time"] = "%s%02d%s" % (t[:8], day - 10 if day > 10 else day + 18, t[10:])
        if day <= 10:  # back into the previous month
            y, m = int(t[:4]), int(t[5:7])
            y, m = (y - 1, 12) if m == 1 else (y, m - 1)
            e["time"] = "%04d-%02d%s" % (y, m, e["time"][7:])
        lines.append(json.dumps(e))
    with open(log, "w") as f:
        f.write("\n".join(lines) + "\nnot json\n")
    d = json_report(demo)
    check("the drill is overdue", d["drills"]["overdue"] is True and d["drills"]["age_days"] > 9, d["drills"])
    check("a line that is not an entry is counted, not fatal", d["history"]["skipped_lines"] == 1)
    page = os.path.join(demo, "overdue.html")
    report(demo, "--out", page)
    dom, console = dump_dom(page)
    check("the page shows it overdue", re.search(r'id="drill" class="overdue" data-overdue="true"', dom), dom[:200])
    check("no console message (overdue page)", not console, console)
    d = json_report(demo, "--since", "5d")
    check("--since leaves older entries out, and still knows the last drill",
          d["history"]["entries"] == 0 and d["history"]["older"] == 6 and d["drills"]["last_passing"], d["history"])


def test_options(demo):
    d = json_report(demo, "--graph-window", "2", "--events", "3")
    g = d["graph"]
    check("--graph-window: the heads' side, plus where the database is",
          g["shown"] == len(g["nodes"]) and g["revisions"] == 8 and any(n["cut"] for n in g["nodes"])
          and any(n["is_current"] for n in g["nodes"]), g)
    check("--events: the newest 3, all counted", len(d["history"]["events"]) == 3 and d["history"]["entries"] == 6)
    page = os.path.join(demo, "small.html")
    r = report(demo, "--graph-window", "2", "--out", page)
    check("a cut graph says how many older revisions", r.returncode == 0 and "older revisions" in open(page).read())
    for args, what in ((["--since", "soon"], "--since 'soon'"), (["--graph-window", "0"], "--graph-window '0'"),
                       (["--events", "-1"], "--events '-1'"), (["--format", "pdf"], "pdf")):
        r = report(demo, *args)
        check("bad %s: exit 2 naming it" % args[0], r.returncode == 2 and what in r.stderr, r.stderr)
    r = report(demo, "--out", os.path.join(demo, "no", "such", "dir", "r.html"))
    check("an --out that cannot be written: exit 3 naming it", r.returncode == 3 and "no/such/dir" in r.stderr, r.stderr)


def test_without_database(work, demo):
    """No URL at all; then a PostgreSQL URL with a password that answers nothing."""
    bare = os.path.join(work, "bare")
    shutil.copytree(demo, bare, ignore=shutil.ignore_patterns("*.db", "backups"))
    ini = os.path.join(bare, "alembic.ini")
    text = open(ini).read()
    open(ini, "w").write(re.sub(r"(?m)^sqlalchemy\.url.*\n", "", text))
    d = json_report(bare)
    check("no URL: no gate, no plan, the history all the same",
          d["gate"] is None and d["plan"] is None and d["database"]["url"] is None and d["history"]["entries"] == 6, d)
    page = os.path.join(bare, "r.html")
    report(bare, "--out", page)
    dom, console = dump_dom(page)
    check("no URL: the verdict is unknown and the last decision is shown",
          'data-verdict="unknown"' in dom and "The last decision in the audit log" in dom, dom[:400])
    check("no console message (no database)", not console, console)
    url = "postgresql://mgate:%s@127.0.0.1:1/nothing" % SECRET
    d = json_report(bare, "--db", url)
    check("a database that does not answer: redacted, not reached",
          d["database"]["reached"] is False and SECRET not in json.dumps(d) and d["database"]["url"], d["database"])
    r = report(bare, "--db", url, "--out", page)
    outputs.append(open(page).read())
    check("the page without the password", r.returncode == 0 and SECRET not in open(page).read())


def test_demo_script(work):
    out = os.path.join(work, "demo.png")
    r = harness.subprocess.run(["/usr/bin/python3", os.path.join(ROOT, "scripts", "report-demo.py"), sys.argv[1], out],
                               capture_output=True, text=True, timeout=900)
    check("scripts/report-demo.py makes the README's screenshot", r.returncode == 0 and os.path.exists(out),
          r.stdout + r.stderr)
    if os.path.exists(out):
        w, h, colours, ink = png_pixels(out)
        check("the demo's screenshot is 1280x800 and not blank", (w, h) == (1280, 800) and colours > 8, (w, h, colours))


def main():
    if not shutil.which(report_demo.CHROMIUM):
        check("chromium is installed (scripts/install-deps.sh installs it)", False)
        return finish()
    work = tempfile.mkdtemp(prefix="mgate-report-")
    try:
        demo = make_history(work)
        d = test_json(demo)
        test_page(demo, d)
        test_options(demo)
        test_without_database(work, demo)
        test_overdue(demo)
        test_demo_script(work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return finish(secrets=(SECRET,))


if __name__ == "__main__":
    sys.exit(main())
