#!/usr/bin/python3
"""Write docs/rules/<id>.md for every rule in rules/*.ini.

The pages are generated so they cannot drift from the catalogue: the
summary, why and fix come from the rule's INI section, the examples from
its fixtures under fixtures/rules/<id>/ (bad_* flagged, ok_* not). With
--check, nothing is written and the exit status says whether the pages are
up to date (a test runs that).
"""
import configparser
import glob
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def load_rules():
    rules = {}
    for path in sorted(glob.glob(os.path.join(ROOT, "rules", "*.ini"))):
        cp = configparser.ConfigParser(interpolation=None, inline_comment_prefixes=None,
                                       comment_prefixes=(";", "#"))
        cp.read(path, encoding="utf-8")
        for sec in cp.sections():
            rules[sec] = {k: " ".join(v.split("\n")) for k, v in cp[sec].items()}
            rules[sec]["_file"] = os.path.relpath(path, ROOT)
    return rules


def function_body(path, name):
    text = open(path, encoding="utf-8").read()
    m = re.search(r"^def %s\(\):\n(.*?)(?=^\S|\Z)" % name, text, re.S | re.M)
    body = m.group(1).rstrip() if m else ""
    body = re.sub(r"\s*(#|--) expect: [a-z0-9, -]+", "", body)
    return "\n".join(line[4:] if line.startswith("    ") else line for line in body.split("\n"))


def example(rid, path):
    name = os.path.basename(path)
    header = "".join(l for l in open(path, encoding="utf-8") if l.startswith("# lint-test: "))
    opts = header.replace("# lint-test: ", "").strip()
    out = f"`fixtures/rules/{rid}/{name}`" + (f" (with `{opts}`)" if opts else "") + ":\n\n"
    out += "```python\n" + function_body(path, "upgrade") + "\n```\n"
    if os.path.basename(path).startswith(("bad_", "ok_")) and rid in ("missing-downgrade", "lossy-downgrade"):
        out += "\n```python\n# downgrade()\n" + function_body(path, "downgrade") + "\n```\n"
    return out


def page(rid, r):
    placeholders = re.sub(r"\{(\w+)\}", r"<\1>", r["message"])
    sev = r["severity"] + (f" (`--strict`: {r['strict_severity']})" if "strict_severity" in r else "")
    lines = [f"# {rid}", "", f"> {placeholders}", "",
             "| | |", "|---|---|",
             f"| severity | {sev} |",
             f"| matches | {', '.join('`%s`' % m.strip() for m in r['match'].split(','))} |"]
    if "when" in r:
        lines.append(f"| when | `{r['when']}` |")
    lines.append(f"| dialects | {r.get('dialects', 'postgresql, sqlite')} |")
    if "pg_min" in r or "pg_max" in r:
        lines.append(f"| PostgreSQL | {r.get('pg_min', 'any')} to {r.get('pg_max', 'latest')} |")
    lines.append(f"| scope | {r.get('scope', 'upgrade')} |")
    lines.append(f"| defined in | `{r['_file']}` |")
    angle = lambda t: re.sub(r"\{(\w+)\}", r"<\1>", t)
    lines += ["", "## Why it is dangerous", "", angle(r.get("why", "")), "", "## What to do instead", "",
              angle(r.get("fix", "")), ""]
    folder = os.path.join(ROOT, "fixtures", "rules", rid)
    bad = sorted(glob.glob(os.path.join(folder, "bad*.py")))
    ok = sorted(glob.glob(os.path.join(folder, "ok*.py")))
    if bad:
        lines += ["## Flagged", ""] + [example(rid, p) for p in bad]
    if ok:
        lines += ["## Not flagged", ""] + [example(rid, p) for p in ok]
    lines += ["## Suppressing it", "",
              f"When the operation is intended, say why on its line or the line above:",
              "", "```python", f"# mgate: allow {rid} -- <the reason, kept in the report and the audit trail>",
              "```", "",
              "The reason is required. `mgate lint --format json` keeps suppressed findings with their reason.",
              "Change the severity for a project with `rule.%s = error|warning|info|off` in the `[mgate]`" % rid,
              "section of alembic.ini. The rule format is in [docs/rules.md](../rules.md).", ""]
    return "\n".join(lines)


def main():
    check = "--check" in sys.argv
    rules = load_rules()
    out_dir = os.path.join(ROOT, "docs", "rules")
    os.makedirs(out_dir, exist_ok=True)
    stale = []
    for rid, r in rules.items():
        path = os.path.join(out_dir, rid + ".md")
        text = page(rid, r)
        old = open(path, encoding="utf-8").read() if os.path.exists(path) else None
        if old != text:
            stale.append(rid)
            if not check:
                with open(path, "w", encoding="utf-8") as f:
                    f.write(text)
    extra = [os.path.basename(p)[:-3] for p in glob.glob(os.path.join(out_dir, "*.md"))
             if os.path.basename(p)[:-3] not in rules]
    if check:
        for rid in stale:
            print(f"docs/rules/{rid}.md is out of date: run scripts/gen-rule-docs.py")
        for rid in extra:
            print(f"docs/rules/{rid}.md has no rule")
        print(f"{len(rules)} rule pages, {len(stale) + len(extra)} stale")
        return 1 if stale or extra else 0
    print(f"wrote {len(stale)} of {len(rules)} pages")
    return 0


if __name__ == "__main__":
    sys.exit(main())
