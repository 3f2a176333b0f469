"""SARIF and JUnit as CI systems read them: every rule's SARIF entry has a
helpUri to its page and a description without {placeholders}; every result
has a fingerprint that survives lines moving; JUnit reports errors as
failures and warnings as passing cases with their text and severity, never
as skipped. Also the JSON of `doctor` and `ledger`, and colour: on a
terminal (a pty, through util-linux's `script`) errors are red, warnings
yellow and passes green; NO_COLOR, --color never and a pipe leave the bytes
plain; --color always paints a pipe too.

usage: python3 test_reports.py MGATE ROOT
"""
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
from harness import alembic, check, demo_project, mgate, summary, doc  # noqa: E402


def lint(files, fmt, cwd):
    r = subprocess.run([sys.argv[1], "lint", "--dialect", "postgresql", "--format", fmt] + files, cwd=cwd,
                       capture_output=True, text=True, timeout=120)
    return r


def main():
    root = sys.argv[2]
    work = tempfile.mkdtemp(prefix="mgate-reports-")
    try:
        bad = sorted(glob.glob(os.path.join(root, "fixtures", "rules", "*", "bad_*.py")))
        r = lint(bad, "sarif", root)
        sarif = json.loads(r.stdout)
        rules = sarif["runs"][0]["tool"]["driver"]["rules"]
        check("SARIF: rules are described", len(rules) >= 25, len(rules))
        placeholders = [x["id"] for x in rules if "{" in x.get("shortDescription", {}).get("text", "")
                        or "}" in x.get("shortDescription", {}).get("text", "")]
        check("SARIF: no description has a placeholder", not placeholders, placeholders)
        no_help = [x["id"] for x in rules if not x.get("helpUri", "").startswith("file://")
                   or not os.path.exists(x["helpUri"][len("file://"):])]
        check("SARIF: every rule's helpUri is its page", not no_help, no_help)
        results = sarif["runs"][0]["results"]
        check("SARIF: every result has a fingerprint",
              results and all(len(x.get("partialFingerprints", {}).get("mgate/v1", "")) == 64 for x in results),
              [x for x in results if "partialFingerprints" not in x][:2])

        # a finding moved down by a few lines keeps its fingerprint
        moved_same = os.path.join(work, "same")
        os.makedirs(moved_same)
        one = [f for f in bad if "drop_table" in open(f).read()][0]
        name = os.path.join(moved_same, "rev.py")
        shutil.copy(one, name)
        fp1 = [x["partialFingerprints"]["mgate/v1"] for x in json.loads(lint([name], "sarif", work).stdout)
               ["runs"][0]["results"]]
        src = open(name).read()
        at = src.find("\ndef upgrade")
        open(name, "w").write(src[:at] + "\n\n\n\n# four lines down\n" + src[at:])
        res2 = json.loads(lint([name], "sarif", work).stdout)["runs"][0]["results"]
        fp2 = [x["partialFingerprints"]["mgate/v1"] for x in res2]
        check("SARIF: a fingerprint survives its finding moving down", fp1 and sorted(fp1) == sorted(fp2), (fp1, fp2))

        # JUnit: errors fail, warnings pass with their text and a severity property
        r = lint(bad, "junit", root)
        suite = ET.fromstring(r.stdout).find("testsuite")
        cases = suite.findall("testcase")
        failures = [c for c in cases if c.find("failure") is not None]
        warnings = [c for c in cases if c.find("system-out") is not None]
        check("JUnit: nothing is skipped", suite.get("skipped") == "0" and not [c for c in cases if
                                                                              c.find("skipped") is not None])
        check("JUnit: errors are failures", failures and int(suite.get("failures")) == len(failures), suite.attrib)
        check("JUnit: warnings pass, with their text and severity", warnings and all(
            c.find("system-out").text.startswith(("warning: ", "info: "))
            and c.find("properties/property").get("name") == "severity" for c in warnings), len(warnings))

        # doctor and ledger as JSON
        demo, _ = demo_project(root, work, "demo")
        r = mgate(["doctor", "--format", "json"], demo)
        d = doc(r.stdout) if r.stdout.startswith("{") else {}
        check("doctor --format json", d.get("schema") == "mgate.doctor/1" and d.get("items")
              and all(set(i) == {"ok", "what", "detail", "fix"} for i in d["items"])
              and d.get("problems") == sum(not i["ok"] for i in d["items"]), r.stdout[:300])
        mgate(["ledger", "baseline"], demo)
        r = mgate(["ledger", "--format", "json"], demo)
        d = doc(r.stdout) if r.stdout.startswith("{") else {}
        check("ledger --format json", r.returncode == 0 and d.get("schema") == "mgate.ledger/1" and d.get("exists")
              is True and [e["revision"] for e in d.get("entries", [])] == ["1f0a9c3e2b71", "4c7e1d2a9f30",
                                                                           "8b3f5e6d0c12"]
              and all(e["state"] == "matches" and len(e["sha256"]) == 64 for e in d["entries"]), r.stdout[:300])

        # colour: only on a terminal, unless asked
        red, yellow, green = "\033[1;31m", "\033[33m", "\033[32m"

        def on_tty(args, env=None):
            e = dict(os.environ, TERM="xterm", **(env or {}))
            e.pop("NO_COLOR", None)
            e.update(env or {})
            cmd = " ".join([sys.argv[1]] + args)
            return subprocess.run(["script", "-qec", cmd, "/dev/null"], cwd=demo, capture_output=True, text=True,
                                  env=e, timeout=120).stdout
        fresh, _ = demo_project(root, work, "fresh")
        out = on_tty(["check", "-c", os.path.join(fresh, "alembic.ini")])
        check("colour on a terminal: FAIL red, warn yellow, pass green, CLOSED red",
              red + "FAIL" in out and yellow + "warn" in out and green + "pass" in out and red + "CLOSED" in out,
              out[:400])
        check("NO_COLOR: no colour on a terminal", "\033[" not in on_tty(["check"], {"NO_COLOR": "1"}))
        check("--color never: no colour on a terminal", "\033[" not in on_tty(["check", "--color", "never"]))
        r = mgate(["check"], demo)
        check("a pipe: no colour", "\033[" not in r.stdout + r.stderr and "[FAIL]" in r.stdout, r.stdout[:200])
        r = mgate(["check", "--color=always"], demo)
        check("--color always: a pipe too", red + "FAIL" in r.stdout, r.stdout[:200])
        r = mgate(["lint", "--dialect", "postgresql", "--color", "always",
                   os.path.join(root, "fixtures", "rules", "drop-table", "bad_op.py")], root)
        check("lint --color always: the error's severity is red", red + "error\033[0m: drops" in r.stdout,
              r.stdout[:300] + r.stderr)
        r = mgate(["check", "--color", "maybe"], demo)
        check("--color maybe: a usage error", r.returncode == 2 and "auto, always or never" in r.stderr, r.stderr)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return summary()


if __name__ == "__main__":
    sys.exit(main())
