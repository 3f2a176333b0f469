"""Ask the real Alembic about many projects in one process.

usage: python3 -m alembic_oracle PROJECT_DIR... > answers.json

For each project it records what Alembic's own commands print: `heads`,
`history`, and the steps of `upgrade heads --sql` on an empty database, or
the error Alembic raised.
"""
import contextlib
import io
import json
import re
import sys
import warnings

from alembic import command
from alembic.config import Config

STEP = re.compile(r"^-- Running upgrade (.*) -> (.*)$")


def ambiguities(cfg):
    """Where Alembic's own answer depends on Python's set order: a revision
    with two or more normalized dependencies (their order in the walk), and
    a labelled revision whose descendants branch (which labels its
    ancestors inherit)."""
    from alembic.script import ScriptDirectory
    m = ScriptDirectory.from_config(cfg).revision_map
    order = labels = False
    for rev in set(r for r in m._revision_map.values() if r is not None):
        if len(rev._normalized_resolved_dependencies) > 1:
            order = True
        if rev._orig_branch_labels:
            for d in m._get_descendant_nodes([rev], include_dependencies=False):
                if len(d.nextrev) > 1:
                    labels = True
    return order, labels


def ask(project):
    out = {}
    cfg_out = io.StringIO()
    cfg = Config(project + "/alembic.ini", stdout=cfg_out)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            command.heads(cfg)
            out["heads"] = cfg_out.getvalue().splitlines()
            cfg_out.seek(0)
            cfg_out.truncate()
            command.history(cfg)
            out["history"] = cfg_out.getvalue().splitlines()
            out["ambiguous_order"], out["ambiguous_labels"] = ambiguities(cfg)
            buf = io.StringIO()
            try:
                with contextlib.redirect_stdout(buf):
                    command.upgrade(cfg, "heads", sql=True)
            except Exception as e:  # Alembic can fail mid-way; keep the steps it ran
                out["upgrade_error"] = "%s: %s" % (type(e).__name__, e)
            steps = []
            for line in buf.getvalue().splitlines():
                m = STEP.match(line)
                if m:
                    steps.append(m.group(2).strip())
            out["upgrade"] = steps
    except BaseException as e:  # Alembic raises KeyError, CommandError, ...
        out["error"] = "%s: %s" % (type(e).__name__, e)
    return out


def main():
    answers = {p: ask(p) for p in sys.argv[1:]}
    json.dump(answers, sys.stdout)


if __name__ == "__main__":
    main()
