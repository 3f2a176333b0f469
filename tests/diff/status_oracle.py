"""Run the real Alembic on prepared cases and record what it did.

usage: python3 status_oracle.py CASES.json > ANSWERS.json

Each case is {"project", "url", "current": [...], "target"} plus, for
SQLite, "db" and "mgate_db" (a copy of the stamped file for mgate), or for
PostgreSQL, "version_table", "schema" and "mgate_table" (a copy of the
stamped version table for mgate), and optionally "direction": "downgrade".
Alembic stamps `current` (nothing when empty), the copy is made, then
Alembic really runs `upgrade target` (or `downgrade target`); env.py
records every step through on_version_apply. The answer is the version
rows before, the steps in the order they ran, any error Alembic raised,
and after a downgrade the version rows it left.
"""
import json
import shutil
import sys
import warnings

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine

ENV_ONLINE = '''from alembic import context
from sqlalchemy import engine_from_config, pool

config = context.config


def run_online():
    engine = engine_from_config(config.get_section(config.config_ini_section), prefix="sqlalchemy.",
                                poolclass=pool.NullPool)
    applied = config.attributes.setdefault("applied", [])

    def on_apply(ctx, step, heads, run_args):
        applied.append(step.up_revision_id)

    with engine.connect() as connection:
        context.configure(connection=connection, on_version_apply=on_apply,
                          version_table=config.attributes.get("version_table", "alembic_version"),
                          version_table_schema=config.attributes.get("schema"))
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("online only")
run_online()
'''


def current_heads(case):
    engine = create_engine(case["url"])
    with engine.connect() as conn:
        heads = MigrationContext.configure(conn, opts={
            "version_table": case.get("version_table", "alembic_version"),
            "version_table_schema": case.get("schema")}).get_current_heads()
    engine.dispose()
    return sorted(heads)


def copy_for_mgate(case):
    if "mgate_db" in case:
        shutil.copyfile(case["db"], case["mgate_db"])
        return
    q = (case["schema"] + "." if case.get("schema") else "")
    engine = create_engine(case["url"])
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE %s%s AS SELECT * FROM %s%s" % (q, case["mgate_table"], q, case["version_table"]))
    engine.dispose()


def run_case(case):
    out = {}
    cfg = Config(case["project"] + "/alembic.ini")
    cfg.set_main_option("sqlalchemy.url", case["url"].replace("%", "%%"))
    if "version_table" in case:
        cfg.attributes["version_table"] = case["version_table"]
        cfg.attributes["schema"] = case.get("schema")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            if case["current"]:
                command.stamp(cfg, case["current"])
        except Exception as e:
            return {"skip": "stamp failed: %s: %s" % (type(e).__name__, e)}
        if case["current"]:
            copy_for_mgate(case)
        out["current"] = current_heads(case) if case["current"] else []
        cfg.attributes["applied"] = []
        try:
            if case.get("direction") == "downgrade":
                command.downgrade(cfg, case["target"])
            else:
                command.upgrade(cfg, case["target"])
        except BaseException as e:
            out["error"] = "%s: %s" % (type(e).__name__, e)
        out["applied"] = list(cfg.attributes["applied"])
        if case.get("direction") == "downgrade" and "error" not in out:
            out["after"] = current_heads(case)
    return out


def main():
    with open(sys.argv[1]) as f:
        cases = json.load(f)
    seen = set()
    for case in cases:
        if case["project"] not in seen:
            seen.add(case["project"])
            with open(case["project"] + "/migrations/env.py", "w") as f:
                f.write(ENV_ONLINE)
    json.dump([run_case(c) for c in cases], sys.stdout)


if __name__ == "__main__":
    main()
