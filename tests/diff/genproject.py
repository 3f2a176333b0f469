"""Generate random Alembic projects for differential tests.

Each project is a folder with alembic.ini, migrations/env.py (offline SQL
only) and revision scripts in the many shapes real projects have: both
script templates, odd file names, non-hex ids, branch points, merges of
two or three heads, several bases, branch labels and depends_on. A project
can also be made broken on purpose (missing parent, cycle, duplicate id).
"""
import os
import random

ENV_PY = '''from alembic import context

config = context.config


def run_migrations_offline():
    context.configure(url=config.get_main_option("sqlalchemy.url"), literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    raise SystemExit("this test project runs offline only")
'''

INI = '''[alembic]
script_location = %(here)s/migrations
sqlalchemy.url = sqlite:///%(here)s/test.db
{extra}
[loggers]
keys = root

[handlers]
keys =

[formatters]
keys =

[logger_root]
level = WARN
handlers =
'''

WORDS = ["add", "users", "roles", "index", "drop", "legacy", "column", "email", "audit", "projects",
         "participants", "rename", "backfill", "constraint", "orders", "tenant"]


def _rev_id(rng, used):
    while True:
        kind = rng.random()
        if kind < 0.6:
            rid = "%012x" % rng.getrandbits(48)
        elif kind < 0.75:
            rid = "%04d" % rng.randrange(10000)
        elif kind < 0.9:
            rid = "_".join(rng.sample(WORDS, 2))
        else:
            rid = "R" + "%x" % rng.getrandbits(32) + rng.choice(["", "_x", "Z"])
        if rid not in used:
            used.add(rid)
            return rid


def _py_value(rng, value, allow_list=True):
    """Render None, a str or a tuple of str as Python source, in varied styles."""
    if value is None:
        return "None"
    if isinstance(value, str):
        style = rng.random()
        if style < 0.5:
            return repr(value)
        if style < 0.65:
            return '"%s"' % value
        if style < 0.8:
            return "u'%s'" % value
        if style < 0.9:
            return "(%r)" % value
        return "'%s' '%s'" % (value[:1], value[1:]) if len(value) > 1 else repr(value)
    items = list(value)
    if allow_list and rng.random() < 0.3:
        return "[" + ", ".join(repr(v) for v in items) + "]"
    if len(items) == 1:
        return "(%r,)" % items[0]
    return "(" + ", ".join(repr(v) for v in items) + ")"


def render_script(rng, rev, down, labels, depends, doc, templ):
    """Source text of one revision script."""
    lines = []
    if rng.random() < 0.2:
        lines.append("# -*- coding: utf-8 -*-")
    if rng.random() < 0.15:
        lines += ["# Copyright (c) 2024 Example Corp.", "# Licensed under the MIT licence; see LICENSE.", "#"]
    if rng.random() < 0.1:
        lines.append("# Ünïcödé comment: naïve café ✓")
    revises = ", ".join(down) if isinstance(down, tuple) else (down or "")
    if rng.random() < 0.05:
        revises = "deadbeef0000"  # a docstring that disagrees with the code
    if rng.random() < 0.9:
        q = rng.choice(['"""', "'''"])
        lines += [q + doc, "", "Revision ID: %s" % rev, "Revises: %s" % revises,
                  "Create Date: 2026-01-01 00:00:00.000000", "", q]
    lines += ["from alembic import op", "import sqlalchemy as sa"]
    if templ == "typed":
        lines.append("from typing import Sequence, Union")
    lines.append("")
    const_parent = None
    if isinstance(down, str) and rng.random() < 0.1:
        const_parent = "PARENT_REVISION"
        lines.append("%s = %r" % (const_parent, down))
    lines.append("")
    lines.append("# revision identifiers, used by Alembic.")
    down_src = const_parent if const_parent else _py_value(rng, down)
    lab_val = None if not labels else (labels[0] if len(labels) == 1 and rng.random() < 0.5 else tuple(labels))
    dep_val = None if not depends else (depends[0] if len(depends) == 1 and rng.random() < 0.5 else tuple(depends))
    if templ == "typed":
        lines.append("revision: str = %s" % _py_value(rng, rev))
        lines.append("down_revision: Union[str, Sequence[str], None] = %s" % down_src)
        lines.append("branch_labels: Union[str, Sequence[str], None] = %s" % _py_value(rng, lab_val))
        lines.append("depends_on: Union[str, Sequence[str], None] = %s" % _py_value(rng, dep_val))
    else:
        lines.append("revision = %s" % _py_value(rng, rev))
        lines.append("down_revision = %s" % down_src)
        if lab_val is not None or rng.random() < 0.8:
            lines.append("branch_labels = %s" % _py_value(rng, lab_val))
        if dep_val is not None or rng.random() < 0.8:
            lines.append("depends_on = %s" % _py_value(rng, dep_val))
    lines.append("")
    if rng.random() < 0.2:
        lines += ["", "def upgrade_helper(table):", "    revision = 'not-module-level'", "    return table", ""]
    if rng.random() < 0.1:
        lines += ["", "class Helper:", "    down_revision = 'ignored'", ""]
    ret = " -> None" if templ == "typed" else ""
    lines += ["", "def upgrade()%s:" % ret, "    op.execute(\"SELECT 1\")", "", "",
              "def downgrade()%s:" % ret, "    pass", ""]
    text = "\n".join(lines)
    if rng.random() < 0.1:
        text = text.replace("\n", "\r\n")
    return text


def make_graph(rng, n):
    """A random revision DAG: list of dicts with rev, down, labels, depends."""
    used = set()
    revs = []
    heads = []
    labels_used = set()
    for i in range(n):
        rid = _rev_id(rng, used)
        r = rng.random()
        if i == 0 or r < 0.06:
            down = None
        elif r < 0.22 and len(heads) >= 2:
            k = min(len(heads), rng.choice([2, 2, 3]))
            down = tuple(rng.sample(heads, k))
        elif r < 0.4:
            down = rng.choice(revs)["rev"]
        else:
            down = rng.choice(heads) if heads else rng.choice(revs)["rev"]
        labels = []
        if (down is None or rng.random() < 0.05) and rng.random() < 0.3:
            lab = rng.choice(["expand", "contract", "data", "core", "audit", "billing"]) + str(i)
            if lab not in labels_used:
                labels_used.add(lab)
                labels.append(lab)
        depends = []
        if revs and rng.random() < 0.12:
            cands = [x for x in revs if x["labels"]] if rng.random() < 0.3 else revs
            if cands:
                tgt = rng.choice(cands)
                depends.append(tgt["labels"][0] if tgt["labels"] and rng.random() < 0.5 else tgt["rev"])
                if rng.random() < 0.15:
                    other = rng.choice(revs)["rev"]
                    if other not in depends:
                        depends.append(other)
        revs.append({"rev": rid, "down": down, "labels": labels, "depends": depends})
        parents = [] if down is None else ([down] if isinstance(down, str) else list(down))
        heads = [h for h in heads if h not in parents]
        heads.append(rid)
    return revs


def write_project(root, rng, n, broken=None):
    """Write a project under `root`. `broken` is None, "missing-parent",
    "cycle" or "duplicate". Returns the graph and the revision the break
    concerns (or None)."""
    os.makedirs(os.path.join(root, "migrations", "versions"), exist_ok=True)
    with open(os.path.join(root, "alembic.ini"), "w") as f:
        f.write(INI.format(extra=""))
    with open(os.path.join(root, "migrations", "env.py"), "w") as f:
        f.write(ENV_PY)
    graph = make_graph(rng, n)
    culprit = None
    if broken == "missing-parent":
        victim = rng.choice([g for g in graph if g["down"] is not None] or graph[1:] or graph)
        victim["down"] = "feedfacecafe"
        culprit = victim["rev"]
    elif broken == "cycle":
        # point the first revision at one of its own descendants
        base = graph[0]["rev"]
        desc = {base}
        for g in graph[1:]:
            parents = [] if g["down"] is None else ([g["down"]] if isinstance(g["down"], str) else list(g["down"]))
            if desc.intersection(parents):
                desc.add(g["rev"])
        desc.discard(base)
        graph[0]["down"] = sorted(desc)[0] if desc else base
        culprit = base
    versions = os.path.join(root, "migrations", "versions")
    for i, g in enumerate(graph):
        templ = rng.choice(["classic", "typed"])
        slug = "_".join(rng.sample(WORDS, 2))
        style = rng.random()
        if style < 0.6:
            fname = "%s_%s.py" % (g["rev"], slug)
        elif style < 0.75:
            fname = "2026_%02d_%02d_%04d-%s_%s.py" % (1 + i % 12, 1 + i % 28, i, g["rev"], slug)
        elif style < 0.85:
            fname = "%012x_%s.py" % (rng.getrandbits(48), slug)  # hex that is not the revision
        else:
            fname = "%03d_%s.py" % (i, slug)
        doc = " ".join(rng.sample(WORDS, 3))
        with open(os.path.join(versions, fname), "w", newline="") as f:
            f.write(render_script(rng, g["rev"], g["down"], g["labels"], g["depends"], doc, templ))
    if broken == "duplicate":
        g = rng.choice(graph)
        with open(os.path.join(versions, "zz_duplicate_%s.py" % g["rev"]), "w") as f:
            f.write(render_script(rng, g["rev"], g["down"], [], [], "duplicate", "classic"))
        culprit = g["rev"]
    # files Alembic skips
    with open(os.path.join(versions, "__init__.py"), "w") as f:
        f.write("")
    if rng.random() < 0.3:
        with open(os.path.join(versions, "README.txt"), "w") as f:
            f.write("not a script\n")
    if rng.random() < 0.2:
        with open(os.path.join(versions, ".#editor-lock.py"), "w") as f:
            f.write("garbage that is not python (\n")
    return graph, culprit
