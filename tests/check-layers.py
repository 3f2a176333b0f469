"""The architecture as the code has it: src/ is in stage folders that
depend on each other one way only, and no header or source file is part
of an include cycle. A stage may include its own folder and the stages
before it (docs/architecture.md draws them):

    util -> python -> alembic -> lint -> gate -> report -> cli
                      db ------^     ci -------^

usage: python3 check-layers.py ROOT
"""
import os
import re
import sys

ROOT = sys.argv[1]
SRC = os.path.join(ROOT, "src")
# each stage and the stages it may include (besides itself)
ALLOWED = {
    "util": set(),
    "python": {"util"},
    "alembic": {"util", "python"},
    "db": {"util"},
    "lint": {"util", "python", "alembic"},
    "gate": {"util", "python", "alembic", "db", "lint"},
    "ci": {"util", "python", "alembic", "db", "lint"},
    "report": {"util", "python", "alembic", "db", "lint", "gate", "ci"},
    "cli": {"util", "python", "alembic", "db", "lint", "gate", "ci", "report"},
}
GENERATED = {"version.h"}
# files held to less than their stage: the settings are read first and feed
# the scanner (config never includes it), and the scan cache sits below the
# script folder that uses it
ONLY = {
    "alembic/config": ("util/", "alembic/inifile.h"),
    "alembic/inifile": ("util/",),
    "alembic/scancache": ("util/", "python/", "alembic/script.h"),
    "alembic/script": ("util/", "python/"),
}

files = {}
for dirpath, _, names in os.walk(SRC):
    for n in names:
        if n.endswith((".c", ".h")):
            rel = os.path.relpath(os.path.join(dirpath, n), SRC)
            files[rel] = re.findall(r'^#include "([^"]+)"', open(os.path.join(dirpath, n)).read(), re.M)

problems = []
for f, incs in sorted(files.items()):
    stage = f.split("/")[0]
    if stage not in ALLOWED:
        problems.append("%s: not in a stage folder" % f)
        continue
    for inc in incs:
        if inc in GENERATED:
            continue
        if inc not in files and not (stage == "cli" and os.path.join("cli", inc) in files):
            problems.append("%s: includes '%s', which is not a path from src/" % (f, inc))
            continue
        only = ONLY.get(f[:-2])
        if only and not inc.startswith(only) and inc != f[:-2] + ".h":
            problems.append("%s: includes %s; it may include only %s" % (f, inc, ", ".join(only)))
        target = inc.split("/")[0] if "/" in inc else stage
        if target != stage and target not in ALLOWED[stage]:
            problems.append("%s: includes %s, against the data flow (%s may use %s)" %
                            (f, inc, stage, ", ".join(sorted(ALLOWED[stage])) or "nothing"))

# include cycles between files: a .c file and its own header count as one
def node(path):
    return path[:-2] if path.endswith((".c", ".h")) else path

graph = {}
for f, incs in files.items():
    for inc in incs:
        if inc in GENERATED:
            continue
        full = inc if inc in files else os.path.join("cli", inc)
        if node(full) != node(f):
            graph.setdefault(node(f), set()).add(node(full))

state = {}
def visit(n, stack):
    state[n] = 1
    stack.append(n)
    for m in sorted(graph.get(n, ())):
        if state.get(m) == 1:
            problems.append("include cycle: " + " -> ".join(stack[stack.index(m):] + [m]))
        elif not state.get(m):
            visit(m, stack)
    stack.pop()
    state[n] = 2

for n in sorted(graph):
    if not state.get(n):
        visit(n, [])

for p in problems:
    print(p)
print("%d files, %d problems" % (len(files), len(problems)))
sys.exit(1 if problems else 0)
