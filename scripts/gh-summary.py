#!/usr/bin/env python3
"""The summary of an `mgate ci --format json` document, in Markdown, for the
GitHub Action (action.yml).

usage: gh-summary.py MGATE_CI.json             the summary on standard output
       gh-summary.py --comment MGATE_CI.json   post it on the pull request, or
                                               update the comment it posted before

With --comment it reads what GitHub Actions sets: GITHUB_TOKEN,
GITHUB_REPOSITORY, GITHUB_EVENT_PATH (the pull request's number) and
GITHUB_API_URL. One comment per pull request: the one that starts with the
marker line is edited in place. Only the Python standard library is used.
"""
import json
import os
import sys
import urllib.request

MARKER = "<!-- mgate-ci-summary -->"


def markdown(d):
    s = d.get("summary", {})
    findings = [f for f in d.get("findings", []) if not f.get("suppressed")]
    errors = [f for f in findings if f["severity"] == "error"]
    warnings = [f for f in findings if f["severity"] == "warning"]
    verdict = "**closed**: %d error finding%s" % (len(errors), "" if len(errors) == 1 else "s") if errors \
        else "**open**: no error findings"
    lines = [MARKER, "### mgate: the migration gate is %s" % verdict, "",
             "Base `%s` (merge base `%s`); revision files: %d added, %d modified, %d renamed, %d deleted; "
             "heads after the merge: %d." % (s.get("base"), (s.get("merge_base") or "")[:12], s.get("added", 0),
                                              s.get("modified", 0), s.get("renamed", 0), s.get("deleted", 0),
                                              s.get("heads_after_merge", 0)), ""]
    if errors or warnings:
        lines += ["| | rule | where | what |", "|---|---|---|---|"]
        for f in errors + warnings:
            where = "%s:%s" % (f.get("path") or "", f.get("line") or "") if f.get("path") else ""
            text = (f.get("message") or "").replace("|", "\\|").replace("\n", " ")
            lines.append("| %s | `%s` | `%s` | %s |" % ("error" if f["severity"] == "error" else "warning",
                                                       f["rule"], where, text))
        lines.append("")
        lines.append("`mgate explain RULE` says why each is dangerous and what to do instead.")
    return "\n".join(lines) + "\n"


def api(method, url, token, body=None):
    req = urllib.request.Request(url, method=method, data=json.dumps(body).encode() if body is not None else None)
    req.add_header("Authorization", "Bearer " + token)
    req.add_header("Accept", "application/vnd.github+json")
    req.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(req, timeout=30) as r:
        return json.loads(r.read() or b"null")


def comment(text):
    token = os.environ.get("GITHUB_TOKEN")
    repo = os.environ.get("GITHUB_REPOSITORY")
    api_url = os.environ.get("GITHUB_API_URL", "https://api.github.com").rstrip("/")
    event = json.load(open(os.environ["GITHUB_EVENT_PATH"])) if os.environ.get("GITHUB_EVENT_PATH") else {}
    number = (event.get("pull_request") or {}).get("number")
    if not token or not repo or not number:
        sys.stderr.write("gh-summary.py: no pull request here (GITHUB_TOKEN, GITHUB_REPOSITORY and the event's "
                         "pull_request.number are needed); no comment posted\n")
        return 0
    page = 1
    while True:
        got = api("GET", "%s/repos/%s/issues/%d/comments?per_page=100&page=%d" % (api_url, repo, number, page), token)
        mine = [c for c in got if (c.get("body") or "").startswith(MARKER)]
        if mine:
            api("PATCH", "%s/repos/%s/issues/comments/%d" % (api_url, repo, mine[0]["id"]), token, {"body": text})
            print("gh-summary.py: updated the summary comment %d" % mine[0]["id"])
            return 0
        if len(got) < 100:
            break
        page += 1
    c = api("POST", "%s/repos/%s/issues/%d/comments" % (api_url, repo, number), token, {"body": text})
    print("gh-summary.py: posted the summary comment %d" % c["id"])
    return 0


def main(argv):
    args = argv[1:]
    post = args[:1] == ["--comment"]
    if post:
        args = args[1:]
    if len(args) != 1:
        sys.stderr.write(__doc__)
        return 2
    text = markdown(json.load(open(args[0])))
    return comment(text) if post else (sys.stdout.write(text) and 0)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
