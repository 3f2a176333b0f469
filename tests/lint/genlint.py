"""Generate Alembic projects whose lint findings are known in advance.

Each revision's upgrade() is a random sequence of snippets. A snippet is a
few lines of real migration code with the findings it must produce, as
(rule, line offset within the snippet). Tables are unique per snippet so
that snippets never interact, except where a snippet is about interaction
(an index on a table created in the same snippet). The generator returns
the exact set of (revision, file, line, rule) that `mgate lint --all` must
report. Used by tests/lint/diff_lint.py and bench/bench_lint.py.
"""
import os
import random

SNIPPETS = [
    (['op.drop_column("{t}", "legacy")'], [("drop-column", 0)]),
    (['op.drop_table("{t}")'], [("drop-table", 0)]),
    (['op.add_column("{t}", sa.Column("note", sa.Text(), nullable=True))'], []),
    (['op.add_column("{t}", sa.Column("plan", sa.String(20), nullable=False))'],
     [("add-not-null-column-without-default", 0)]),
    (['op.add_column("{t}", sa.Column("plan", sa.String(20), nullable=False, server_default="free"))'], []),
    (['op.add_column(', '    "{t}",', '    sa.Column("tok", sa.Uuid(), server_default=sa.text("gen_random_uuid()")),', ')'],
     [("add-column-volatile-default", 0)]),
    (['op.create_index("ix_{t}_a", "{t}", ["a"])'], [("create-index-not-concurrently", 0)]),
    (['with op.get_context().autocommit_block():',
      '    op.create_index("ix_{t}_b", "{t}", ["b"], postgresql_concurrently=True)'], []),
    (['op.execute("DELETE FROM {t}")'], [("delete-without-where", 0)]),
    (['op.execute(sa.text("UPDATE {t} SET a = 1 WHERE id = 7"))'], []),
    (['op.execute(', '    """', '    ALTER TABLE {t}', '        DROP COLUMN c', '    """', ')'],
     [("drop-column", 2)]),
    (['with op.batch_alter_table("{t}") as batch_op:', '    batch_op.drop_column("old")'], [("drop-column", 1)]),
    (['op.alter_column("{t}", "age", type_=sa.BigInteger(), existing_type=sa.Integer())'],
     [("alter-column-type", 0)]),
    (['op.alter_column("{t}", "name", type_=sa.String(200), existing_type=sa.String(100))'], []),
    (['op.alter_column("{t}", "email", nullable=False)'], [("set-not-null", 0)]),
    (['op.alter_column("{t}", "name", new_column_name="full_name")'], [("rename-column", 0)]),
    (['op.create_foreign_key("fk_{t}", "{t}", "users", ["user_id"], ["id"])'], [("add-foreign-key-validating", 0)]),
    (['op.execute("ALTER TABLE {t} ADD CONSTRAINT fk_{t} FOREIGN KEY (u) REFERENCES users (id) NOT VALID")'], []),
    (['for col in ("a", "b"):', '    op.drop_column("{t}", col)'], [("drop-column", 1)]),
    (['for (name,) in op.get_bind().execute(sa.text("SELECT name FROM {t}_src")):',
      '    op.add_column("{t}", sa.Column(name, sa.Integer()))'], [("opaque-migration-code", 0)]),
    (['def _drop_{t}(table, column="legacy"):', '    op.drop_column(table, column)', '_drop_{t}("{t}")'],
     [("drop-column", 1)]),
    (['op.drop_table("{t}")  # mgate: allow drop-table -- archived in the generator'], []),
    (['# mgate: allow drop-column -- generated, reviewed', 'op.drop_column("{t}", "x")'], []),
    (['op.create_table("{t}", sa.Column("id", sa.Integer(), primary_key=True))',
      'op.create_index("ix_{t}_id", "{t}", ["id"])'], []),
    (['op.execute("TRUNCATE {t}")'], [("truncate", 0)]),
    (['op.execute("LOCK TABLE {t} IN SHARE MODE")'], [("lock-table", 0)]),
    (['op.execute(f"ANALYZE {{name}}")'], [("opaque-migration-code", 0)]),
    (['op.execute("CREATE INDEX CONCURRENTLY ix_{t}_c ON {t} (c)")'], [("concurrently-in-transaction", 0)]),
    (['op.execute(', '    "SELECT 1; "', '    "SELEC 2"', ')'], [("sql-parse-error", 2)]),
    (['op.execute(sa.text("UPDATE {t} SET a = 1 WHERE id = 1; DELETE FROM {t} WHERE id = 2"))'], []),
    (['# a comment line', ''], []),
    (['op.create_check_constraint("ck_{t}", "{t}", "a > 0")'], [("add-check-constraint-validating", 0)]),
    (['op.execute("ALTER TABLE {t} RENAME TO {t}_v2")'], [("rename-table", 0)]),
]

# Snippets that change no schema (their lines joined): with an empty
# downgrade() they are an irreversible-change note, not missing-downgrade.
DATA_ONLY = {
    'op.execute("DELETE FROM {t}")',
    'op.execute(sa.text("UPDATE {t} SET a = 1 WHERE id = 7"))',
    'op.execute(sa.text("UPDATE {t} SET a = 1 WHERE id = 1; DELETE FROM {t} WHERE id = 2"))',
    'op.execute(\n    "SELECT 1; "\n    "SELEC 2"\n)',  # does not parse: nothing mgate can see runs
    '# a comment line\n',
}

HEADER = '''"""{message}

Revision ID: {rev}
Revises: {down_doc}
Create Date: 2026-01-01 00:00:00
"""
from alembic import op
import sqlalchemy as sa

revision = "{rev}"
down_revision = {down}
branch_labels = None
depends_on = None


def upgrade():
'''


def generate(folder, count, seed, min_snippets=1, max_snippets=6):
    """Write `count` revisions (a chain) to folder/migrations; return the
    expected findings as a set of (revision, file name, line, rule)."""
    rng = random.Random(seed)
    versions = os.path.join(folder, "migrations", "versions")
    os.makedirs(versions, exist_ok=True)
    with open(os.path.join(folder, "alembic.ini"), "w") as f:
        f.write("[alembic]\nscript_location = %(here)s/migrations\n"
                "sqlalchemy.url = postgresql://app@localhost/none\n")
    with open(os.path.join(folder, "migrations", "env.py"), "w") as f:
        f.write("# not used: mgate never runs env.py\n")
    expected = set()
    down = None
    for i in range(count):
        rev = "%012x" % rng.getrandbits(48)
        name = f"{rev}_step_{i}.py"
        text = HEADER.format(message=f"step {i}", rev=rev, down_doc=down or "",
                             down=repr(down) if down else "None")
        line = text.count("\n") + 1
        body = []
        schema = False
        opaque_lines = []
        for k in range(rng.randint(min_snippets, max_snippets)):
            code, findings = rng.choice(SNIPPETS)
            table = f"t{i}_{k}"
            schema = schema or "\n".join(code) not in DATA_ONLY
            for rule, off in findings:
                if rule == "opaque-migration-code":
                    opaque_lines.append(line + len(body) + off)
                else:
                    expected.add((rev, name, line + len(body) + off, rule))
            body += ["    " + c.format(t=table) if c else "" for c in code]
        if opaque_lines:  # one finding per function, at the first construct
            expected.add((rev, name, min(opaque_lines), "opaque-migration-code"))
        does_something = any(b.strip() and not b.strip().startswith("#") for b in body)
        if not does_something:
            body.append("    pass")
        text += "\n".join(body) + "\n\n\ndef downgrade():\n"
        down_line = text.count("\n")
        if rng.random() < 0.1:
            text += "    pass\n"
            if does_something and schema:
                expected.add((rev, name, down_line, "missing-downgrade"))
        else:
            text += '    op.execute("SELECT 1")\n'
        with open(os.path.join(versions, name), "w") as f:
            f.write(text)
        down = rev
    return expected
