"""mgate snapshot and mgate diff on schemas that real Alembic migrations
created (fixtures/schema_demo), on SQLite and on a throw-away PostgreSQL.

usage: python3 test_snapshot.py MGATE ROOT
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from harness import PgServer, check, finish  # noqa: E402
import harness  # noqa: E402

def alembic(project, url, *args):
    cfg = os.path.join(project, "alembic.ini")
    env = dict(os.environ)
    r = subprocess.run(["/usr/bin/python3", "-m", "alembic", "-c", cfg, "-x", "unused=1"] + list(args),
                       capture_output=True, text=True, env=env, timeout=120,
                       input=None)
    if r.returncode != 0:
        raise SystemExit("alembic %s failed:\n%s" % (" ".join(args), r.stderr[-3000:]))


def mgate(*args):
    r = harness.mgate(list(args), None)
    return r.returncode, r.stdout, r.stderr


def project_copy(tmp, url):
    """The fixture project with its sqlalchemy.url pointed at `url`."""
    dst = os.path.join(tmp, "proj")
    shutil.copytree(os.path.join(sys.argv[2], "fixtures", "schema_demo"), dst)
    ini = os.path.join(dst, "alembic.ini")
    text = open(ini).read().replace("sqlite:///%(here)s/schema.db", url.replace("%", "%%"))
    open(ini, "w").write(text)
    return dst


def run_engine(name, url):
    with tempfile.TemporaryDirectory() as tmp:
        proj = project_copy(tmp, url)
        alembic(proj, url, "upgrade", "0001accounts")
        before = os.path.join(tmp, "before.json")
        rc, out, err = mgate("snapshot", "--db", url, "--out", before)
        check(name + ": snapshot exits 0", rc == 0, err)
        snap = json.load(open(before))
        rc, again, err = mgate("snapshot", "--db", url)
        check(name + ": snapshots are byte-identical", again == open(before).read())
        prefix = "public." if name == "postgresql" else ""
        t = snap["tables"]
        acc, roles, mem = t.get(prefix + "UserAccounts"), t.get(prefix + "roles"), t.get(prefix + "memberships")
        check(name + ": mixed-case table and column names kept", acc is not None and "Email" in acc["columns"], t.keys())
        if acc is None or roles is None or mem is None:
            return
        check(name + ": not null", acc["columns"]["Email"]["nullable"] is False)
        check(name + ": server default", "anonymous" in (acc["columns"]["display_name"]["default"] or ""))
        check(name + ": composite primary key", mem["primary_key"]["columns"] == ["user_id", "role_id"], mem["primary_key"])
        fk = [f for f in mem["foreign_keys"].values() if f["references"].endswith("UserAccounts")]
        check(name + ": foreign key with on delete", fk and fk[0]["on_delete"] == "CASCADE" and fk[0]["ref_columns"] == ["Id"], fk)
        ix = acc["indexes"].get("ix_accounts_live_email", {})
        check(name + ": partial index predicate", "deleted_at IS NULL" in (ix.get("predicate") or ""), ix)
        ex = acc["indexes"].get("ix_accounts_lower_email", {})
        check(name + ": expression index", any("lower" in c or c == "<expression>" for c in ex.get("columns", [])), ex)
        check(name + ": check constraint", any("length" in (c.get("definition") or "") for c in roles["checks"].values()),
              roles["checks"])
        check(name + ": unique constraint", any(u["columns"] == ["Email"] for u in acc["unique"].values()), acc["unique"])
        check(name + ": view", (prefix + "live_accounts") in snap["views"], snap["views"].keys())
        if name == "postgresql":
            check("postgresql: enum", snap["enums"].get("public.role_kind") == ["staff", "direction", "admin_tech"], snap["enums"])
            check("postgresql: NOT VALID check", roles["checks"]["ck_roles_name_not_legacy"]["validated"] is False)
            check("postgresql: identity", acc["columns"]["Id"]["identity"] == "by default", acc["columns"]["Id"])
            check("postgresql: generated column", "weight * 2" in (mem["columns"]["double_weight"]["generated"] or ""))
            check("postgresql: sequence", snap["sequences"].get("public.invoice_numbers", {}).get("increment") == "10",
                  snap["sequences"])
            check("postgresql: index method and validity", ix.get("method") == "btree" and ix.get("valid") is True, ix)

        alembic(proj, url, "upgrade", "head")
        rc, out, err = mgate("diff", before, "--db", url)
        lines = sorted(out.splitlines())
        want = sorted(["column %sroles.created_by added" % prefix,
                       "index ix_accounts_lower_email on %sUserAccounts removed" % prefix])
        check(name + ": diff after the upgrade", rc == 1 and lines == want, out + err)
        rc, out, err = mgate("diff", before, "--db", url, "--format", "json")
        changes = json.loads(out)["changes"]
        check(name + ": JSON diff", {c["what"] for c in changes} == {"column", "index"}, changes)
        after = os.path.join(tmp, "after.json")
        mgate("snapshot", "--db", url, "--out", after)
        rc, out, err = mgate("diff", before, after)
        check(name + ": file-to-file diff equals live diff", sorted(out.splitlines()) == want, out)
        rc, out, err = mgate("diff", after, after)
        check(name + ": no differences", rc == 0 and out.strip() == "no differences", out)


# Key and index columns are named by mgate from attribute numbers; the
# oracle names them in the catalogs, as the first snapshot queries did.
ORACLE_CONSTRAINT_COLUMNS = """
SELECT n.nspname || '.' || c.relname, con.conname,
  (SELECT COALESCE(json_agg(att.attname ORDER BY k.ord), '[]')::text FROM unnest(con.conkey) WITH ORDINALITY
   k(attnum, ord) JOIN pg_attribute att ON att.attrelid = con.conrelid AND att.attnum = k.attnum),
  (SELECT COALESCE(json_agg(att.attname ORDER BY k.ord), '[]')::text FROM unnest(con.confkey) WITH ORDINALITY
   k(attnum, ord) JOIN pg_attribute att ON att.attrelid = con.confrelid AND att.attnum = k.attnum)
FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = 'odd'"""
ORACLE_INDEX_COLUMNS = """
SELECT n.nspname || '.' || t.relname, i.relname, pg_get_indexdef(ix.indexrelid),
  (SELECT COALESCE(json_agg(CASE WHEN k.attnum = 0 THEN pg_get_indexdef(ix.indexrelid, k.ord::int, true)
   ELSE att.attname::text END ORDER BY k.ord), '[]')::text FROM unnest(ix.indkey::int2[]) WITH ORDINALITY
   k(attnum, ord) LEFT JOIN pg_attribute att ON att.attrelid = ix.indrelid AND att.attnum = k.attnum
   WHERE k.ord <= ix.indnkeyatts)
FROM pg_index ix JOIN pg_class i ON i.oid = ix.indexrelid JOIN pg_class t ON t.oid = ix.indrelid
JOIN pg_namespace n ON n.oid = t.relnamespace WHERE n.nspname = 'odd'"""

ODD_SCHEMA = """
CREATE SCHEMA odd;
CREATE TABLE odd."Parent" (gone int, "A b" int, "select" text, "Ünï" text, PRIMARY KEY ("select", "A b"));
ALTER TABLE odd."Parent" DROP COLUMN gone;
CREATE TABLE odd.child (dropped1 int, id int PRIMARY KEY, dropped2 int, p_sel text, p_ab int,
  note text COLLATE "C", FOREIGN KEY (p_sel, p_ab) REFERENCES odd."Parent" ("select", "A b") DEFERRABLE);
ALTER TABLE odd.child DROP COLUMN dropped1, DROP COLUMN dropped2;
CREATE INDEX "Mixed ix" ON odd.child (p_ab DESC NULLS LAST, (lower(note)), id, (p_ab + 1)) INCLUDE (note)
  WHERE p_ab > 0;
CREATE UNIQUE INDEX ux_child ON odd.child (note text_pattern_ops, p_sel);
CREATE TABLE odd.part (k int, v text) PARTITION BY RANGE (k);
CREATE INDEX part_ix ON odd.part (v);
ALTER TABLE odd.child ADD CONSTRAINT "quote""d" CHECK (p_ab <> 7) NOT VALID;
"""


# Definitions of keys and plain indexes are written by mgate (src/pgdef.c)
# in the server's words; everything else is the server's. Each object here
# takes one path or the other: keyword and mixed-case names, varchar
# columns (text's operator class), DESC / NULLS, INCLUDE, hash, a column
# collation (the same: written by mgate; another: the server's), enum and
# domain columns, a non-default operator class, NULLS NOT DISTINCT, a
# partitioned table's index, foreign keys with every action, MATCH FULL,
# deferrable and NOT VALID, to a table on and off the search path;
# expressions that are plain calls (written by mgate) and ones that are
# not (operators, casts, COALESCE, an implicit coercion, a collation of
# their own); predicates of one clause and of two; column defaults of
# sequences on and off the search path (and one hidden by pg_catalog's
# pg_class), literals and calls, and generated columns.
DEFS_SCHEMA = """
CREATE SCHEMA defs;
CREATE TYPE defs.mood AS ENUM ('ok', 'sad');
CREATE DOMAIN defs.code AS text;
CREATE TABLE public."user" ("select" int, "order" varchar(20), name text, "Between" int, "left" uuid,
  year bigint, at timestamptz, mood defs.mood, code defs.code, note text COLLATE "C",
  PRIMARY KEY ("select") INCLUDE (name), UNIQUE ("order", name) INCLUDE (year));
CREATE INDEX "Ix Upper" ON public."user" ("order" DESC, year NULLS FIRST, at DESC NULLS LAST) INCLUDE ("left");
CREATE INDEX ix_user_hash ON public."user" USING hash (name);
CREATE INDEX ix_user_mood ON public."user" (mood);
CREATE INDEX ix_user_code ON public."user" (code);
CREATE INDEX ix_user_note ON public."user" (note);
CREATE INDEX ix_user_note_posix ON public."user" (note COLLATE "POSIX");
CREATE INDEX ix_user_pattern ON public."user" (name text_pattern_ops);
CREATE INDEX ix_user_filled ON public."user" (year) WITH (fillfactor = 70);
CREATE UNIQUE INDEX ux_user_nnd ON public."user" (year) NULLS NOT DISTINCT;
ALTER TABLE public."user" ADD COLUMN ts timestamp;
CREATE INDEX ix_e_lower ON public."user" (lower(name) DESC, year) INCLUDE (at) WHERE year > 0;
CREATE INDEX ix_e_nested ON public."user" (lower(btrim(name)), substr(name, 1, 3), date_trunc('day', ts));
CREATE INDEX ix_e_collated ON public."user" (upper(note)) WHERE year IS NOT NULL;
CREATE INDEX ix_e_own_collation ON public."user" (lower(name) COLLATE "C");
CREATE INDEX ix_e_operator ON public."user" ((year + 1), (name || 'x'));
CREATE INDEX ix_e_cast ON public."user" ((name::varchar(5)), coalesce(name, ''), lower("order"));
CREATE INDEX ix_e_two_clauses ON public."user" (lower(name)) WHERE year > 0 AND mood = 'ok';
CREATE INDEX ix_e_or ON public."user" (year) WHERE year > 0 OR year < -5;
ALTER TABLE public."user" ADD COLUMN flag boolean, ADD COLUMN gone_at timestamptz, ADD COLUMN status text;
CREATE INDEX ix_p_null ON public."user" (name) WHERE gone_at IS NULL;
CREATE INDEX ix_p_not ON public."user" (name) WHERE NOT flag;
CREATE INDEX ix_p_flag ON public."user" (name) WHERE flag;
CREATE INDEX ix_p_bool ON public."user" (name) WHERE flag = true AND gone_at IS NOT NULL;
CREATE INDEX ix_p_quote ON public."user" (name) WHERE status = 'it''s a\b' OR status <> '';
CREATE INDEX ix_p_negative ON public."user" (name) WHERE year > -5 AND "select" <> -2147483648;
CREATE INDEX ix_p_in ON public."user" (name) WHERE status IN ('a', 'b');
CREATE INDEX ix_p_varchar ON public."user" (name) WHERE "order" = 'x';
CREATE INDEX ix_p_collate ON public."user" (name) WHERE name = 'x' COLLATE "C";
CREATE INDEX ix_p_call ON public."user" (lower(status)) WHERE length(status) > 3;
CREATE FUNCTION defs.lower(text) RETURNS text LANGUAGE sql IMMUTABLE AS 'SELECT $1';
CREATE FUNCTION public.norm(text) RETURNS text LANGUAGE sql IMMUTABLE AS 'SELECT $1';
CREATE INDEX ix_p_own_function ON public."user" (norm(status)) WHERE norm(status) <> '';
CREATE SEQUENCE defs."Mixed Seq";
CREATE SEQUENCE public.pg_class;
CREATE TABLE public.defaults (id serial PRIMARY KEY, a bigint DEFAULT nextval('defs."Mixed Seq"'),
  b bigint DEFAULT nextval('public.pg_class'), c timestamptz DEFAULT now(), d text DEFAULT 'it''s',
  e int DEFAULT -1, f boolean DEFAULT true, g timestamptz DEFAULT CURRENT_TIMESTAMP, h uuid DEFAULT gen_random_uuid(),
  i int GENERATED ALWAYS AS (e * 2) STORED, j text DEFAULT lower('X'), k int DEFAULT 0,
  l text GENERATED ALWAYS AS (lower(d)) STORED, m numeric DEFAULT 1.5, "Select" text DEFAULT ('a' || 'b'));
CREATE TABLE defs.ref (id int PRIMARY KEY, a int, b int, UNIQUE NULLS NOT DISTINCT (a), UNIQUE (a, b));
CREATE TABLE defs.kid (id int, a int DEFAULT 0, b int, u int,
  CONSTRAINT fk_full FOREIGN KEY (a, b) REFERENCES defs.ref (a, b) MATCH FULL ON UPDATE SET NULL ON DELETE SET DEFAULT,
  CONSTRAINT fk_user FOREIGN KEY (u) REFERENCES public."user" ("select") ON UPDATE CASCADE ON DELETE RESTRICT
    DEFERRABLE INITIALLY DEFERRED,
  CONSTRAINT fk_self FOREIGN KEY (b) REFERENCES defs.ref (id) ON DELETE SET NULL (b));
ALTER TABLE defs.kid ADD CONSTRAINT fk_late FOREIGN KEY (id) REFERENCES defs.ref (id) NOT VALID;
CREATE TABLE defs.part (k int, v text, PRIMARY KEY (k)) PARTITION BY RANGE (k);
CREATE TABLE defs.part_1 PARTITION OF defs.part FOR VALUES FROM (0) TO (10);
"""

ORACLE_DEFINITIONS = """
SELECT json_build_object(
 'indexes', (SELECT json_agg(json_build_array(n.nspname || '.' || t.relname, i.relname, pg_get_indexdef(ix.indexrelid)))
   FROM pg_index ix JOIN pg_class i ON i.oid = ix.indexrelid JOIN pg_class t ON t.oid = ix.indrelid
   JOIN pg_namespace n ON n.oid = t.relnamespace
   WHERE t.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
   AND n.nspname NOT LIKE 'pg_toast%'),
 'defaults', (SELECT json_agg(json_build_array(n.nspname || '.' || t.relname, a.attname, a.attgenerated <> '',
   pg_get_expr(d.adbin, d.adrelid)))
   FROM pg_attrdef d JOIN pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum
   JOIN pg_class t ON t.oid = d.adrelid JOIN pg_namespace n ON n.oid = t.relnamespace
   WHERE t.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
   AND n.nspname NOT LIKE 'pg_toast%'),
 'constraints', (SELECT json_agg(json_build_array(n.nspname || '.' || t.relname, con.conname, con.contype,
   pg_get_constraintdef(con.oid)))
   FROM pg_constraint con JOIN pg_class t ON t.oid = con.conrelid JOIN pg_namespace n ON n.oid = t.relnamespace
   WHERE t.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
   AND n.nspname NOT LIKE 'pg_toast%'))"""


def check_definitions(pg, label, options, settings):
    """Every index and constraint definition in the snapshot, taken with
    the session `options`, equals the server's in a session with the same
    `settings`."""
    url = pg.url() + ("&options=" + options if options else "")
    rc, out, err = mgate("snapshot", "--db", url)
    check("postgresql %s: snapshot exits 0" % label, rc == 0, err)
    if rc != 0:
        return
    tables = json.loads(out)["tables"]
    want = json.loads(pg.psql(settings + ORACLE_DEFINITIONS))
    kinds = {"f": "foreign_keys", "u": "unique", "c": "checks", "x": "exclusions"}
    bad = []
    for table, name, definition in want["indexes"]:
        got = tables.get(table, {}).get("indexes", {}).get(name, {}).get("definition")
        if got != definition:
            bad.append((table, name, got, definition))
    for table, name, kind, definition in want["constraints"]:
        t = tables.get(table, {})
        con = t.get("primary_key") if kind == "p" else t.get(kinds.get(kind, ""), {}).get(name)
        if (con or {}).get("definition") != definition:
            bad.append((table, name, (con or {}).get("definition"), definition))
    for table, column, generated, expr in want["defaults"]:
        col = tables.get(table, {}).get("columns", {}).get(column, {})
        if col.get("generated" if generated else "default") != expr:
            bad.append((table, column, col, expr))
    check("postgresql %s: %d index, %d constraint and %d default definitions are the server's" %
          (label, len(want["indexes"]), len(want["constraints"]), len(want["defaults"])), not bad, bad)


def run_pg_catalog_oracle(pg):
    pg.psql(ODD_SCHEMA)
    rc, out, err = mgate("snapshot", "--db", pg.url())
    check("postgresql odd names: snapshot exits 0", rc == 0, err)
    snap = json.loads(out)
    check("postgresql: the snapshot is canonical JSON (sorted keys, two-space indent)",
          out == json.dumps(snap, indent=2, sort_keys=True, ensure_ascii=False) + "\n")
    tables = snap["tables"]
    # a dropped column leaves a gap in attnum, which a dump and restore
    # closes: positions count the live columns, so both snapshots agree
    child = tables.get("odd.child", {}).get("columns", {})
    check("postgresql: column positions skip dropped columns",
          {c: v["position"] for c, v in child.items()} == {"id": 1, "p_sel": 2, "p_ab": 3, "note": 4}, child)
    for line in pg.psql(ORACLE_CONSTRAINT_COLUMNS).splitlines():
        table, name, cols, refcols = line.split("|")
        t = tables.get(table, {})
        con = (t.get("primary_key") if (t.get("primary_key") or {}).get("name") == name else None) \
            or t.get("foreign_keys", {}).get(name) or t.get("checks", {}).get(name) or t.get("unique", {}).get(name)
        check("postgresql: columns of constraint %s.%s" % (table, name),
              con is not None and con["columns"] == json.loads(cols), (con, cols))
        if con is not None and "ref_columns" in con:
            check("postgresql: referenced columns of %s.%s" % (table, name), con["ref_columns"] == json.loads(refcols),
                  (con, refcols))
    seen = 0
    for line in pg.psql(ORACLE_INDEX_COLUMNS).splitlines():
        table, name, definition, cols = line.split("|")
        ix = tables.get(table, {}).get("indexes", {}).get(name)
        seen += 1
        check("postgresql: index %s columns and definition" % name,
              ix is not None and ix["columns"] == json.loads(cols) and ix["definition"] == definition, (ix, cols))
    check("postgresql: every odd index checked", seen == 5, seen)
    # a list of hosts: the helper session must reach the host the main one
    # reached, and the snapshot is the same
    multi = pg.url().replace("host=" + pg.sock, "host=/nonexistent-mgate-host," + pg.sock).replace(
        "port=%d" % pg.port, "port=%d,%d" % (pg.port, pg.port))
    rc, out2, err = mgate("snapshot", "--db", multi)
    check("postgresql: snapshot through a host list", rc == 0 and out2 == out, err)
    # a role allowed one connection: the helper session is refused and the
    # main one reads everything itself, to the same bytes
    pg.psql("CREATE ROLE solo LOGIN PASSWORD 'solo-Pw-2b' CONNECTION LIMIT 1")
    solo = pg.url().replace("postgres:%s@" % harness.PASSWORD, "solo:solo-Pw-2b@")
    rc, out3, err = mgate("snapshot", "--db", solo)
    check("postgresql: snapshot without a helper session", rc == 0 and out3 == out, err)
    pg.psql(DEFS_SCHEMA)
    check_definitions(pg, "definitions", "", "")
    # another search path (other tables visible) and every name quoted
    check_definitions(pg, "definitions, all quoted, search_path=defs", "-c%20quote_all_identifiers%3Don%20-c%20"
                      "search_path%3Ddefs", "SET quote_all_identifiers = on; SET search_path = defs;")
    # pg_catalog after a schema with its own lower(text): the server names
    # the built-in one in full; and backslashes in literals doubled
    check_definitions(pg, "definitions, search_path=defs,pg_catalog, standard_conforming_strings off",
                      "-c%20search_path%3Ddefs%2Cpg_catalog%20-c%20standard_conforming_strings%3Doff",
                      "SET search_path = defs, pg_catalog; SET standard_conforming_strings = off;")


def main():
    with tempfile.TemporaryDirectory() as tmp:
        run_engine("sqlite", "sqlite:///" + os.path.join(tmp, "schema.db"))
    with PgServer() as pg:
        run_engine("postgresql", pg.url())
        run_pg_catalog_oracle(pg)
    rc, out, err = mgate("diff", "/nonexistent.json", "/nonexistent.json")
    check("a missing snapshot file is a usage error", rc == 2, err)
    return finish()


if __name__ == "__main__":
    sys.exit(main())
