/*
 * pg_snapshot.c: the PostgreSQL schema snapshot (schema.h), written while it is
 * read.
 *
 * A handful of catalog queries cover the whole database. None asks the
 * server to sort by name (text sorting under the database's collation was
 * a good part of their cost), and none asks it to put in words what mgate
 * can write itself: the columns of keys and indexes come as attribute
 * numbers, and key and plain index definitions are written by pgdef in the
 * server's exact words (the server would open every table to do it).
 * Expressions (index expressions and predicates, column defaults) and
 * whatever pgdef refuses are put in words by the server, in a last query. The results stay in libpq's
 * memory; arrays of row numbers sorted in byte order give the canonical
 * order, and jsonw writes the document out as it goes, so no tree of
 * 100,000 column objects is ever built. A second session sharing the first
 * one's snapshot reads the columns meanwhile; its rows are taken in as they
 * come.
 */
#include "db/pg_snapshot.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "db/pg_deparse.h"
#include "util/arena.h"
#include "util/buf.h"
#include "util/jsonw.h"
#include "util/banned.h"

#define USER_SCHEMAS "n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%' " \
		     "AND n.nspname NOT LIKE 'pg_temp_%'"
#define USER_TABLE "c.relkind IN ('r', 'p') AND " USER_SCHEMAS

static const char *const q_tables =
	"SELECT c.oid, n.nspname || '.' || c.relname, c.relkind, c.reltuples::bigint, n.nspname, c.relname "
	"FROM pg_class c "
	"JOIN pg_namespace n ON n.oid = c.relnamespace WHERE " USER_TABLE;

static const char *const q_columns =
	"SELECT a.attrelid, a.attname, a.attnum, format_type(a.atttypid, a.atttypmod), a.attnotnull, a.atthasdef, "
	"a.attidentity, a.attgenerated, a.atttypid, a.attcollation, "
	"row_number() OVER (PARTITION BY a.attrelid ORDER BY a.attnum) "
	"FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
	"WHERE a.attnum > 0 AND NOT a.attisdropped AND " USER_TABLE;

/* The defaults and generation expressions; rows of other relations are
 * left unused. */
static const char *const q_defaults = "SELECT d.adrelid, d.adnum, d.oid FROM pg_attrdef d";

/* The defaults of the tables in the snapshot (%s: their oids), in the server's words. An
 * expression without columns (every DEFAULT) deparses without opening its
 * relation (relid 0); "{VAR " is how a stored tree names a column (a
 * string in it would have its brace escaped). */
static const char *const q_rest_defaults =
	"SELECT d.oid, CASE WHEN d.adbin::text LIKE '%%{VAR %%' THEN pg_get_expr(d.adbin, d.adrelid) "
	"ELSE pg_get_expr(d.adbin, 0) END FROM pg_attrdef d WHERE d.oid = ANY('{%s}'::oid[]) ORDER BY 1";

/* Keys are written by pgdef from these columns; the server deparses the
 * other constraints, and the keys with clauses pgdef does not write
 * ({v15}: PostgreSQL 15's SET NULL column lists and NULLS NOT DISTINCT). */
static const char *const q_constraints_fmt =
	"SELECT con.conrelid, con.conname, con.contype, "
	"CASE WHEN con.contype NOT IN ('p', 'u', 'f'){v15} THEN pg_get_constraintdef(con.oid) END, con.convalidated, "
	"con.condeferrable, con.condeferred, con.conkey, con.confrelid, fn.nspname || '.' || fc.relname, con.confkey, "
	"con.confdeltype, con.confupdtype, con.oid, con.conindid, con.confmatchtype, "
	/* visible? (NULL: known from the session, see relation_visible) */
	"CASE WHEN con.contype <> 'f' OR ((current_schemas(true))[1] = 'pg_catalog' "
	"AND fn.nspname = (current_schemas(true))[2]) THEN NULL ELSE pg_table_is_visible(con.confrelid) END, "
	"fn.nspname, fc.relname "
	"FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid "
	"JOIN pg_namespace n ON n.oid = c.relnamespace LEFT JOIN pg_class fc ON fc.oid = con.confrelid "
	"LEFT JOIN pg_namespace fn ON fn.oid = fc.relnamespace WHERE " USER_TABLE;
#define CONSTRAINTS_15 " OR con.confdelsetcols IS NOT NULL OR (con.contype = 'u' AND " \
		       "(SELECT x.indnullsnotdistinct FROM pg_index x WHERE x.indexrelid = con.conindid))"

/* An index pgdef may write: a btree (403) or hash (405) index, no
 * storage parameters, default operator classes that take no options
 * (support procedure 5 of btree, 3 of hash); {v15}: PostgreSQL 15's NULLS
 * NOT DISTINCT. The client then checks each column's operator class and
 * collation; an index with expressions or a predicate, and every other
 * index, is deparsed by the server. */
#define COMPOSABLE_INDEX_FMT                                                                                                \
	"(i.reloptions IS NULL AND i.relkind = 'i' "                                                                        \
	"AND i.relam IN (403, 405){v15} AND ix.indclass::oid[] <@ ARRAY(SELECT o.oid FROM pg_opclass o WHERE o.opcdefault " \
	"AND NOT EXISTS (SELECT 1 FROM pg_amproc p WHERE p.amprocfamily = o.opcfamily "                                     \
	"AND p.amprocnum = CASE o.opcmethod WHEN 403 THEN 5 ELSE 3 END)))"
#define INDEXES_15 " AND NOT ix.indnullsnotdistinct"

static const char *const q_indexes_fmt =
	"SELECT ix.indrelid, i.relname, ix.indisunique, ix.indisprimary, ix.indisvalid, am.amname, ix.indexrelid, "
	"ix.indkey, ix.indnkeyatts, " COMPOSABLE_INDEX_FMT ", ix.indclass, ix.indcollation, ix.indoption, "
	"ix.indexprs::text, ix.indpred::text "
	"FROM pg_index ix JOIN pg_class i ON i.oid = ix.indexrelid "
	"JOIN pg_class c ON c.oid = ix.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
	"JOIN pg_am am ON am.oid = i.relam WHERE " USER_TABLE;

/* The indexes mgate could not put in words all by itself (%s: their
 * oids), in the server's: definition and predicate; key expressions. */
static const char *const q_rest_indexes =
	"SELECT ix.indexrelid, pg_get_indexdef(ix.indexrelid), pg_get_expr(ix.indpred, ix.indrelid) FROM pg_index ix "
	"WHERE ix.indexrelid = ANY('{%s}'::oid[]) ORDER BY 1";
static const char *const q_rest_exprs =
	"SELECT ix.indexrelid, k.ord, pg_get_indexdef(ix.indexrelid, k.ord::int, true) FROM pg_index ix "
	"CROSS JOIN LATERAL unnest(ix.indkey::int2[]) WITH ORDINALITY k(attnum, ord) "
	"WHERE ix.indexrelid = ANY('{%s}'::oid[]) AND k.attnum = 0 AND k.ord <= ix.indnkeyatts ORDER BY 1, 2";

/* Whether a referenced table is visible on the session's search path
 * (pgdef qualifies it when not): pg_catalog first, and the schema after it. */
static const char *const q_session = "SELECT (current_schemas(true))[1] = 'pg_catalog', (current_schemas(true))[2]";

/* With pg_catalog first on the search path, a relation of the schema next
 * to it is visible unless pg_catalog has one of the same name. */
static const char *const q_catalog_names =
	"SELECT c.relname FROM pg_class c WHERE c.relnamespace = 'pg_catalog'::regnamespace";

static const char *const q_index_defs_fmt =
	"SELECT ix.indexrelid, pg_get_indexdef(ix.indexrelid) FROM pg_index ix "
	"JOIN pg_class i ON i.oid = ix.indexrelid "
	"JOIN pg_class c ON c.oid = ix.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE " USER_TABLE
	" AND NOT " COMPOSABLE_INDEX_FMT " ORDER BY 1";

/* `sql` with each {v15} replaced by `frag`. */
static void sql_for_version(buf *out, const char *sql, const char *frag)
{
	const char *p;

	while ((p = strstr(sql, "{v15}")) != NULL) {
		buf_put(out, sql, (size_t)(p - sql));
		buf_puts(out, frag);
		sql = p + 5;
	}
	buf_puts(out, sql);
}

/* how the server quotes identifiers (pgdef.h) */
static const char *const q_quoting =
	"SELECT k.word, current_setting('quote_all_identifiers') FROM pg_get_keywords() k WHERE k.catcode <> 'U'";

/* the default operator classes, for the client's check of plain indexes */
static const char *const q_opclasses = "SELECT o.oid, o.opcintype FROM pg_opclass o WHERE o.opcdefault";

static const char *const q_views =
	"SELECT n.nspname || '.' || c.relname, c.relkind = 'm', pg_get_viewdef(c.oid, true) FROM pg_class c "
	"JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('v', 'm') AND " USER_SCHEMAS;

/* the pg_sequence catalog, not the pg_sequences view (which reads every
 * sequence's last value) */
static const char *const q_sequences =
	"SELECT n.nspname || '.' || c.relname, format_type(s.seqtypid, NULL), s.seqstart, s.seqincrement, s.seqmin, "
	"s.seqmax, s.seqcycle, c.oid, n.nspname, c.relname FROM pg_sequence s JOIN pg_class c ON c.oid = s.seqrelid "
	"JOIN pg_namespace n ON n.oid = c.relnamespace WHERE " USER_SCHEMAS;

static const char *const q_enums =
	"SELECT n.nspname || '.' || t.typname, e.enumlabel FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid "
	"JOIN pg_namespace n ON n.oid = t.typnamespace WHERE " USER_SCHEMAS " ORDER BY t.oid, e.enumsortorder";

/* One sortable row reference: which table it belongs to, its name, a
 * number (attnum, constraint kind), and its row in the result. */
typedef struct ref {
	int table;
	int num;
	const char *name;
	int row;
} ref;

static int cmp_name(const void *a, const void *b)
{
	const ref *x = a, *y = b;

	if (x->table != y->table)
		return x->table < y->table ? -1 : 1;
	if (x->num != y->num)
		return x->num < y->num ? -1 : 1;
	return strcmp(x->name, y->name);
}

static int cmp_num(const void *a, const void *b)
{
	const ref *x = a, *y = b;

	if (x->table != y->table)
		return x->table < y->table ? -1 : 1;
	return x->num < y->num ? -1 : x->num > y->num;
}

typedef struct oid_row {
	unsigned long oid;
	int row;
} oid_row;

static int cmp_oid(const void *a, const void *b)
{
	const oid_row *x = a, *y = b;

	return x->oid < y->oid ? -1 : x->oid > y->oid;
}

/* A column by table oid and attribute number, and its default. */
typedef struct col_key {
	unsigned long oid;
	int attnum;
	int row; /* in the defaults query */
	const char *text;
} col_key;

static int cmp_col_key(const void *a, const void *b)
{
	const col_key *x = a, *y = b;

	if (x->oid != y->oid)
		return x->oid < y->oid ? -1 : 1;
	return x->attnum < y->attnum ? -1 : x->attnum > y->attnum;
}

typedef struct snap {
	PGresult *tables, *cols, *cons, *idx, *views, *seqs, *enums, *opclasses;
	PGresult *defs; /* the server's index definitions, sorted by index oid */
	PGresult *defaults, *more_defaults, *catalog_names;
	const char *first_schema;      /* the schema after pg_catalog on the search path */
	const char **catalog_relnames; /* pg_catalog's relations, sorted */
	size_t ncatalog_relnames;
	oid_row *seq_by_oid;
	col_key *default_keys; /* the defaults by table oid and column */
	size_t ndefaults;
	PGresult *more_cons, *more_idx, *more_exprs; /* what mgate could not write, by oid */
	PGresult *session;
	int catalog_first;
	const char **con_text;  /* every constraint definition, by row (NULL: none yet) */
	struct index_words *iw; /* every index in words, by row */
	arena index_texts;      /* theirs, until adopted by texts */
	arena texts;
	int ntables;
	oid_row *idx_by_oid; /* index rows by index oid */
	oid_row *opc_by_oid; /* default operator classes */
	PGresult *keywords;
	pg_deparse_quoting quoting;
	buf *def;        /* the definition being written */
	oid_row *by_oid; /* tables by oid, for lookups */
	ref *tab;        /* tables by name (table = row) */
	ref *col_num;    /* columns by table, then attnum: naming key columns */
	ref *col_name;   /* columns by table, then name: the output order */
	int *col_first;  /* per table row: its range in both column arrays */
	ref *con;        /* constraints by table, kind, name */
	int *con_first;
	ref *ix; /* indexes by table, name */
	int *ix_first;
} snap;

static const char *val(PGresult *r, int row, int col)
{
	return PQgetisnull(r, row, col) ? NULL : PQgetvalue(r, row, col);
}

static int is_true(PGresult *r, int row, int col)
{
	return PQgetvalue(r, row, col)[0] == 't';
}

static unsigned long oid_at(PGresult *r, int row, int col)
{
	return strtoul(PQgetvalue(r, row, col), NULL, 10);
}

/* The row of `oid` in `v` (n entries, sorted), or -1. */
static int find_oid(const oid_row *v, int n, unsigned long oid)
{
	oid_row key = { oid, 0 };
	const oid_row *hit = n ? bsearch(&key, v, (size_t)n, sizeof(*v), cmp_oid) : NULL;

	return hit ? hit->row : -1;
}

/* The first row of `r` (sorted by the oid in its first column) whose oid
 * is not below `oid`. */
static int first_row_of(PGresult *r, unsigned long oid)
{
	int lo = 0, hi = PQntuples(r);

	while (lo < hi) {
		int mid = lo + (hi - lo) / 2;
		if (oid_at(r, mid, 0) < oid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static oid_row *index_oids(PGresult *r, int col)
{
	int n = PQntuples(r), i;
	oid_row *v = mg_malloc(((size_t)n + 1) * sizeof(*v));

	for (i = 0; i < n; i++) {
		v[i].oid = oid_at(r, i, col);
		v[i].row = i;
	}
	qsort(v, (size_t)n, sizeof(*v), cmp_oid);
	return v;
}

/* Refs to the rows of `r` that belong to a known table (its oid in column
 * `oidcol`), grouped by table and sorted with `cmp` within each; `first`
 * gets each table's range. */
static ref *group_rows(int **first, const snap *s, PGresult *r, int oidcol, int namecol, int (*num)(PGresult *, int),
		       int (*cmp)(const void *, const void *))
{
	int n = PQntuples(r), i, k = 0, t = -1, *at;
	unsigned long oid, last = 0;
	ref *v = mg_malloc(((size_t)n + 1) * sizeof(*v)), *out = mg_malloc(((size_t)n + 1) * sizeof(*out));

	*first = mg_calloc((size_t)s->ntables + 1, sizeof(int));
	for (i = 0; i < n; i++) {
		/* rows come mostly grouped by table: look up each new oid once */
		if ((oid = oid_at(r, i, oidcol)) != last || i == 0)
			t = find_oid(s->by_oid, s->ntables, oid);
		last = oid;
		if (t < 0)
			continue;
		v[k].table = t;
		v[k].name = PQgetvalue(r, i, namecol);
		v[k].num = num ? num(r, i) : 0;
		v[k++].row = i;
		(*first)[t + 1]++;
	}
	for (t = 0; t < s->ntables; t++)
		(*first)[t + 1] += (*first)[t];
	at = mg_malloc(((size_t)s->ntables + 1) * sizeof(*at));
	memcpy(at, *first, ((size_t)s->ntables + 1) * sizeof(*at));
	for (i = 0; i < k; i++)
		out[at[v[i].table]++] = v[i];
	for (t = 0; t < s->ntables; t++)
		qsort(out + (*first)[t], (size_t)((*first)[t + 1] - (*first)[t]), sizeof(*out), cmp);
	free(at);
	free(v);
	return out;
}

static int attnum_of(PGresult *r, int row)
{
	return atoi(PQgetvalue(r, row, 2));
}

/* Constraints come out grouped by the member of the table they go in. */
enum con_kind { CON_CHECK,
		CON_EXCLUSION,
		CON_FOREIGN,
		CON_PRIMARY,
		CON_UNIQUE };

static int con_kind(PGresult *r, int row)
{
	switch (PQgetvalue(r, row, 2)[0]) {
	case 'c': return CON_CHECK;
	case 'f': return CON_FOREIGN;
	case 'p': return CON_PRIMARY;
	case 'u': return CON_UNIQUE;
	default: return CON_EXCLUSION; /* 'x', and constraint triggers */
	}
}

/* Column `attnum` of table row `t` (-1: none), or NULL. */
static const ref *column_at(const snap *s, int t, long attnum)
{
	int lo, hi;

	if (t < 0)
		return NULL;
	lo = s->col_first[t];
	hi = s->col_first[t + 1];
	while (lo < hi) {
		int mid = lo + (hi - lo) / 2;
		if (s->col_num[mid].num == attnum)
			return &s->col_num[mid];
		if (s->col_num[mid].num < attnum)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static const char *column_name(const snap *s, int t, int attnum)
{
	const ref *col = column_at(s, t, attnum);

	return col ? col->name : NULL;
}

/* The columns of a constraint key, named in table row `t` (none when the
 * table is unknown; a number naming no column is left out, as a join
 * would). */
static void write_attnums(jsonw *w, const snap *s, int t, const char *list)
{
	const char *p = list ? list : "";
	long a;

	jsonw_array_begin(w);
	while (t >= 0 && pg_deparse_next_number(&p, &a)) {
		const char *name = column_name(s, t, (int)a);
		if (name)
			jsonw_string(w, name);
	}
	jsonw_array_end(w);
}

/* A foreign key action in words, NO ACTION included. */
static const char *fk_action(char c)
{
	const char *words = pg_deparse_fk_action(c);

	return words ? words : "NO ACTION";
}

/* The first row of index `oid` in `r` (sorted by index oid), or -1. */
static int deparsed_row(PGresult *r, unsigned long oid)
{
	int row = first_row_of(r, oid);

	return row < PQntuples(r) && oid_at(r, row, 0) == oid ? row : -1;
}

/* Column `attnum` of the table at row `t` (pg_deparse_table callback). */
typedef struct table_ctx {
	const snap *s;
	int t;
} table_ctx;

static const char *column_of(const void *ctx, long attnum)
{
	const table_ctx *c = ctx;

	return column_name(c->s, c->t, attnum);
}

/* An index's expressions, at most INDEX_MAX_KEYS. */
#define MAX_INDEX_EXPRS 32

/* An index in words: its definition, predicate and key expressions. */
typedef struct index_words {
	const char *def, *pred;
	const char **exprs; /* in the order of the 0s of indkey */
	int nexprs;
	int from_server; /* pgdef could not write it */
} index_words;

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Whether relation `name` of schema `schema` is visible on the session's
 * search path: 1 or 0 when the session tells (pg_catalog first, then the
 * relation's schema), -1 when the server must be asked. */
static int relation_visible(const snap *s, const char *schema, const char *name)
{
	if (!schema || !name || !s->catalog_first || !s->first_schema || strcmp(schema, s->first_schema))
		return -1;
	return !(s->ncatalog_relnames &&
		 bsearch(&name, s->catalog_relnames, s->ncatalog_relnames, sizeof(*s->catalog_relnames), cmp_str));
}

/*
 * Whether pgdef can write index row `i` (no expressions): each key column
 * uses the operator class and collation the server leaves unsaid (the
 * default class for exactly the column's type, or text's for varchar, the
 * only preferred type it converts to without a function; no collation or
 * the column's).
 */
static int index_composable(const snap *s, int t, int i)
{
	PGresult *r = s->idx;
	const char *key = PQgetvalue(r, i, 7), *cls = PQgetvalue(r, i, 10), *coll = PQgetvalue(r, i, 11);
	int nkey = atoi(PQgetvalue(r, i, 8)), k, nopc = PQntuples(s->opclasses);
	long a, c, l;

	if (!is_true(r, i, 9))
		return 0;
	for (k = 0; k < nkey; k++) {
		const ref *col;
		int opc;
		unsigned long type, collation, intype;
		if (!pg_deparse_next_number(&key, &a) || !pg_deparse_next_number(&cls, &c) || !pg_deparse_next_number(&coll, &l))
			return 0;
		if (!(col = column_at(s, t, a)) || (opc = find_oid(s->opc_by_oid, nopc, (unsigned long)c)) < 0)
			return 0;
		type = oid_at(s->cols, col->row, 8);
		collation = oid_at(s->cols, col->row, 9);
		intype = oid_at(s->opclasses, opc, 1);
		if (intype != type && !(type == 1043 && intype == 25)) /* varchar, text */
			return 0;
		if (l != 0 && (unsigned long)l != collation)
			return 0;
	}
	return 1;
}

/* Index row `i` of table row `t` in words when pgdef can write it (else it
 * is marked from_server); `out` is scratch, `mem` keeps the text. */
static void index_words_write(const snap *s, index_words *iw, int t, int i, buf *out, arena *mem)
{
	PGresult *r = s->idx;
	table_ctx ctx = { s, t };
	pg_deparse_table table = { column_of, &ctx };
	pg_deparse_index ix;
	int d;

	if (val(r, i, 13) || val(r, i, 14)) {
		iw->from_server = 1; /* expressions or a predicate: the server's words */
		return;
	}
	if ((d = s->defs ? deparsed_row(s->defs, oid_at(r, i, 6)) : -1) >= 0) {
		iw->def = val(s->defs, d, 1);
		return;
	}
	if (!index_composable(s, t, i)) {
		iw->from_server = 1;
		return;
	}
	memset(&ix, 0, sizeof(ix));
	ix.name = PQgetvalue(r, i, 1);
	ix.schema = PQgetvalue(s->tables, t, 4);
	ix.table = PQgetvalue(s->tables, t, 5);
	ix.method = PQgetvalue(r, i, 5);
	ix.unique = is_true(r, i, 2);
	ix.can_order = !strcmp(ix.method, "btree");
	ix.indkey = PQgetvalue(r, i, 7);
	ix.indoption = PQgetvalue(r, i, 12);
	ix.nkey = atoi(PQgetvalue(r, i, 8));
	buf_truncate(out, 0);
	if (pg_deparse_index_write(out, &ix, &table, &s->quoting) == 0)
		iw->def = arena_strdup(mem, out->ptr);
	else
		iw->from_server = 1;
}

/* The definition of constraint row `i`: the server's (column 3), pgdef's
 * (in s->def), or NULL. */
static const char *constraint_compose(const snap *s, int t, int i)
{
	PGresult *r = s->cons;
	table_ctx ctx = { s, t }, rctx = { s, -1 };
	pg_deparse_table table = { column_of, &ctx }, ref = { column_of, &rctx };
	pg_deparse_key k;
	buf *out = s->def;
	int visible;

	if (!PQgetisnull(r, i, 3))
		return PQgetvalue(r, i, 3);
	memset(&k, 0, sizeof(k));
	k.kind = PQgetvalue(r, i, 2)[0];
	k.conkey = val(r, i, 7);
	k.deferrable = is_true(r, i, 5);
	k.deferred = is_true(r, i, 6);
	k.validated = is_true(r, i, 4);
	if (k.kind == PG_DEPARSE_FOREIGN) {
		rctx.t = find_oid(s->by_oid, s->ntables, oid_at(r, i, 8));
		visible = PQgetisnull(r, i, 16) ? relation_visible(s, val(r, i, 17), val(r, i, 18)) : is_true(r, i, 16);
		if (visible < 0)
			return NULL;
		k.ref_schema = visible ? NULL : val(r, i, 17);
		k.ref_table = val(r, i, 18);
		k.confkey = val(r, i, 10);
		k.match = PQgetvalue(r, i, 15)[0];
		k.on_update = PQgetvalue(r, i, 12)[0];
		k.on_delete = PQgetvalue(r, i, 11)[0];
	} else {
		int ix = find_oid(s->idx_by_oid, PQntuples(s->idx), oid_at(r, i, 14));
		k.indkey = ix >= 0 ? PQgetvalue(s->idx, ix, 7) : NULL;
	}
	buf_truncate(out, 0);
	if ((k.kind == PG_DEPARSE_FOREIGN || k.indkey) && pg_deparse_key_write(out, &k, &table, rctx.t >= 0 ? &ref : NULL, &s->quoting) == 0)
		return out->ptr;
	return NULL;
}

/* The default of column row `i`, in words, or NULL. */
static const char *column_default(const snap *s, int i)
{
	col_key key, *hit;

	if (!is_true(s->cols, i, 5) || !s->ndefaults)
		return NULL;
	key.oid = oid_at(s->cols, i, 0);
	key.attnum = atoi(PQgetvalue(s->cols, i, 2));
	hit = bsearch(&key, s->default_keys, s->ndefaults, sizeof(key), cmp_col_key);
	return hit ? hit->text : NULL;
}

static void write_column(jsonw *w, const snap *s, int i)
{
	PGresult *r = s->cols;
	const char *identity = PQgetvalue(r, i, 6), *generated = PQgetvalue(r, i, 7);
	const char *expr = column_default(s, i);

	jsonw_object_begin(w);
	jsonw_kv_string(w, "default", generated[0] ? NULL : expr);
	jsonw_kv_string(w, "generated", generated[0] ? expr : NULL);
	jsonw_kv_string(w, "identity", identity[0] == 'a' ? "always" : identity[0] == 'd' ? "by default"
											  : NULL);
	jsonw_kv_bool(w, "nullable", !is_true(r, i, 4));
	jsonw_key(w, "position");
	jsonw_int(w, atoll(PQgetvalue(r, i, 10)));
	jsonw_kv_string(w, "type", PQgetvalue(r, i, 3));
	jsonw_object_end(w);
}

static void write_constraint(jsonw *w, const snap *s, int t, int i)
{
	PGresult *r = s->cons;
	int kind = con_kind(r, i);

	const char *def = s->con_text[i];

	jsonw_object_begin(w);
	jsonw_key(w, "columns");
	write_attnums(w, s, t, val(r, i, 7));
	if (kind == CON_PRIMARY) {
		jsonw_kv_string(w, "definition", def);
		jsonw_kv_string(w, "name", PQgetvalue(r, i, 1));
		jsonw_object_end(w);
		return;
	}
	jsonw_kv_bool(w, "deferrable", is_true(r, i, 5));
	jsonw_kv_string(w, "definition", def);
	jsonw_kv_bool(w, "initially_deferred", is_true(r, i, 6));
	if (kind == CON_FOREIGN) {
		jsonw_kv_string(w, "on_delete", fk_action(PQgetvalue(r, i, 11)[0]));
		jsonw_kv_string(w, "on_update", fk_action(PQgetvalue(r, i, 12)[0]));
		jsonw_key(w, "ref_columns");
		write_attnums(w, s, find_oid(s->by_oid, s->ntables, oid_at(r, i, 8)), val(r, i, 10));
		jsonw_kv_string(w, "references", val(r, i, 9));
	}
	jsonw_kv_bool(w, "validated", is_true(r, i, 4));
	jsonw_object_end(w);
}

/* The key columns of index row `i`: names, and expressions in words. */
static void write_index_columns(jsonw *w, const snap *s, int t, int i)
{
	const index_words *iw = &s->iw[i];
	int nkey = atoi(PQgetvalue(s->idx, i, 8)), ord = 0, e = 0;
	const char *p = PQgetvalue(s->idx, i, 7);
	long a;

	jsonw_array_begin(w);
	while (ord < nkey && pg_deparse_next_number(&p, &a)) {
		ord++;
		if (a != 0)
			jsonw_string(w, column_name(s, t, (int)a));
		else
			jsonw_string(w, e < iw->nexprs ? iw->exprs[e++] : NULL);
	}
	jsonw_array_end(w);
}

static void write_index(jsonw *w, const snap *s, int t, int i)
{
	PGresult *r = s->idx;

	jsonw_object_begin(w);
	jsonw_key(w, "columns");
	write_index_columns(w, s, t, i);
	jsonw_kv_string(w, "definition", s->iw[i].def);
	jsonw_kv_string(w, "method", PQgetvalue(r, i, 5));
	jsonw_kv_string(w, "predicate", s->iw[i].pred);
	jsonw_kv_bool(w, "primary", is_true(r, i, 3));
	jsonw_kv_bool(w, "unique", is_true(r, i, 2));
	jsonw_kv_bool(w, "valid", is_true(r, i, 4));
	jsonw_object_end(w);
}

/* One member of a table holding the constraints of `kind`, keyed by name
 * (`always`: written even when there are none). */
static void write_constraints(jsonw *w, const snap *s, int t, int kind, const char *key, int always)
{
	int k, lo = s->con_first[t], hi = s->con_first[t + 1], any = 0;
	const char *prev = NULL;

	for (k = lo; k < hi; k++)
		any |= s->con[k].num == kind;
	if (!any && !always)
		return;
	jsonw_key(w, key);
	jsonw_object_begin(w);
	for (k = lo; k < hi; k++) {
		if (s->con[k].num != kind || (prev && !strcmp(prev, s->con[k].name)))
			continue;
		prev = s->con[k].name;
		jsonw_key(w, prev);
		write_constraint(w, s, t, s->con[k].row);
	}
	jsonw_object_end(w);
}

static void write_table(jsonw *w, const snap *s, int t)
{
	PGresult *r = s->tables;
	long long est = atoll(PQgetvalue(r, t, 3));
	const char *prev = NULL;
	int k, primary = -1;

	jsonw_object_begin(w);
	write_constraints(w, s, t, CON_CHECK, "checks", 1);
	jsonw_key(w, "columns");
	jsonw_object_begin(w);
	for (k = s->col_first[t]; k < s->col_first[t + 1]; k++) {
		if (prev && !strcmp(prev, s->col_name[k].name))
			continue;
		prev = s->col_name[k].name;
		jsonw_key(w, prev);
		write_column(w, s, s->col_name[k].row);
	}
	jsonw_object_end(w);
	write_constraints(w, s, t, CON_EXCLUSION, "exclusions", 0);
	write_constraints(w, s, t, CON_FOREIGN, "foreign_keys", 1);
	jsonw_key(w, "indexes");
	jsonw_object_begin(w);
	for (prev = NULL, k = s->ix_first[t]; k < s->ix_first[t + 1]; k++) {
		if (prev && !strcmp(prev, s->ix[k].name))
			continue;
		prev = s->ix[k].name;
		jsonw_key(w, prev);
		write_index(w, s, t, s->ix[k].row);
	}
	jsonw_object_end(w);
	jsonw_kv_string(w, "kind", PQgetvalue(r, t, 2)[0] == 'p' ? "partitioned" : "table");
	for (k = s->con_first[t]; k < s->con_first[t + 1]; k++)
		if (s->con[k].num == CON_PRIMARY)
			primary = s->con[k].row;
	jsonw_key(w, "primary_key");
	if (primary >= 0)
		write_constraint(w, s, t, primary);
	else
		jsonw_null(w);
	jsonw_key(w, "rows_estimate");
	if (est >= 0)
		jsonw_int(w, est);
	else
		jsonw_null(w);
	write_constraints(w, s, t, CON_UNIQUE, "unique", 1);
	jsonw_object_end(w);
}

/* Rows of a query keyed by its first column, in byte order of that key
 * (duplicates kept once): the views, the sequences. */
static ref *by_first_column(PGresult *r, int *n)
{
	int i;
	ref *v = mg_malloc(((size_t)PQntuples(r) + 1) * sizeof(*v));

	*n = PQntuples(r);
	for (i = 0; i < *n; i++) {
		v[i].table = v[i].num = 0;
		v[i].name = PQgetvalue(r, i, 0);
		v[i].row = i;
	}
	qsort(v, (size_t)*n, sizeof(*v), cmp_name);
	return v;
}

/* One member per distinct name (column 0) of `r`, in byte order, its
 * value written by `body`. */
static void write_by_name(jsonw *w, PGresult *r, void (*body)(jsonw *, PGresult *, int))
{
	int n, k;
	ref *v = by_first_column(r, &n);

	jsonw_object_begin(w);
	for (k = 0; k < n; k++) {
		if (k && !strcmp(v[k - 1].name, v[k].name))
			continue;
		jsonw_key(w, v[k].name);
		body(w, r, v[k].row);
	}
	jsonw_object_end(w);
	free(v);
}

static void view_body(jsonw *w, PGresult *r, int row)
{
	jsonw_object_begin(w);
	jsonw_kv_string(w, "definition", val(r, row, 2));
	jsonw_kv_bool(w, "materialized", is_true(r, row, 1));
	jsonw_object_end(w);
}

static void sequence_body(jsonw *w, PGresult *r, int row)
{
	static const char *const keys[] = { "cycle", "increment", "max", "min", "start", "type" };
	static const int cols[] = { 6, 3, 5, 4, 2, 1 };
	int j;

	jsonw_object_begin(w);
	for (j = 0; j < 6; j++) {
		jsonw_key(w, keys[j]);
		if (cols[j] == 6)
			jsonw_bool(w, is_true(r, row, 6));
		else
			jsonw_string(w, PQgetvalue(r, row, cols[j]));
	}
	jsonw_object_end(w);
}

/* Enum labels come one per row, each type's in order; types are written
 * by name. */
static void write_enums(jsonw *w, PGresult *r)
{
	int n = PQntuples(r), i, ntypes = 0, k;
	ref *types = mg_malloc(((size_t)n + 1) * sizeof(*types));

	for (i = 0; i < n; i++) {
		if (i && !strcmp(PQgetvalue(r, i - 1, 0), PQgetvalue(r, i, 0)))
			continue;
		types[ntypes].table = types[ntypes].num = 0;
		types[ntypes].name = PQgetvalue(r, i, 0);
		types[ntypes++].row = i;
	}
	qsort(types, (size_t)ntypes, sizeof(*types), cmp_name);
	jsonw_object_begin(w);
	for (k = 0; k < ntypes; k++) {
		if (k && !strcmp(types[k - 1].name, types[k].name))
			continue;
		jsonw_key(w, types[k].name);
		jsonw_array_begin(w);
		for (i = types[k].row; i < n && !strcmp(PQgetvalue(r, i, 0), types[k].name); i++)
			jsonw_string(w, PQgetvalue(r, i, 1));
		jsonw_array_end(w);
	}
	jsonw_object_end(w);
	free(types);
}

/* The column defaults by table and column; their words come from the
 * server afterwards (snap_deparse_rest). */
static void snap_define_defaults(snap *s)
{
	size_t n = (size_t)PQntuples(s->defaults), k;

	s->default_keys = mg_malloc((n + 1) * sizeof(*s->default_keys));
	for (k = 0; k < n; k++) {
		int i = (int)k;
		s->default_keys[k].oid = oid_at(s->defaults, i, 0);
		s->default_keys[k].attnum = atoi(PQgetvalue(s->defaults, i, 1));
		s->default_keys[k].row = i;
		s->default_keys[k].text = NULL;
	}
	qsort(s->default_keys, n, sizeof(*s->default_keys), cmp_col_key);
	s->ndefaults = n;
}

/* The server's quoting rule, from its keyword list and setting. */
static void snap_quoting(snap *s)
{
	int n = PQntuples(s->keywords), i;
	const char **v = mg_malloc(((size_t)n + 1) * sizeof(*v));

	for (i = 0; i < n; i++)
		v[i] = PQgetvalue(s->keywords, i, 0);
	qsort(v, (size_t)n, sizeof(*v), cmp_str);
	s->quoting.keywords = v;
	s->quoting.nkeywords = (size_t)n;
	s->quoting.quote_all = n > 0 && !strcmp(PQgetvalue(s->keywords, 0, 1), "on");
}

/* Sort and index the tables and what belongs to them, in byte order of
 * their names (all but the columns, which the helper reads). */
static void snap_index(snap *s)
{
	int i;

	s->ntables = PQntuples(s->tables);
	s->by_oid = index_oids(s->tables, 0);
	s->tab = mg_malloc(((size_t)s->ntables + 1) * sizeof(*s->tab));
	for (i = 0; i < s->ntables; i++) {
		s->tab[i].table = s->tab[i].num = 0;
		s->tab[i].name = PQgetvalue(s->tables, i, 1);
		s->tab[i].row = i;
	}
	qsort(s->tab, (size_t)s->ntables, sizeof(*s->tab), cmp_name);
	s->con = group_rows(&s->con_first, s, s->cons, 0, 1, con_kind, cmp_name);
	s->ix = group_rows(&s->ix_first, s, s->idx, 0, 1, NULL, cmp_name);
	s->idx_by_oid = index_oids(s->idx, 6);
	s->opc_by_oid = index_oids(s->opclasses, 0);
	s->seq_by_oid = index_oids(s->seqs, 7);
	snap_quoting(s);
}

/* The columns (the helper's), by table: by number, and by name for the
 * output (the same ranges). */
static void snap_index_columns(snap *s)
{
	size_t n, k;
	int t;

	s->col_num = group_rows(&s->col_first, s, s->cols, 0, 1, attnum_of, cmp_num);
	n = (size_t)s->col_first[s->ntables];
	s->col_name = mg_malloc((n + 1) * sizeof(*s->col_name));
	for (k = 0; k < n; k++) {
		s->col_name[k] = s->col_num[k];
		s->col_name[k].num = 0;
	}
	for (t = 0; t < s->ntables; t++)
		qsort(s->col_name + s->col_first[t], (size_t)(s->col_first[t + 1] - s->col_first[t]), sizeof(*s->col_name),
		      cmp_name);
}

static int write_snapshot(FILE *out, const snap *s, const char *server)
{
	jsonw w;
	int k;
	const char *prev = NULL;

	jsonw_init(&w, out);
	jsonw_object_begin(&w);
	jsonw_kv_string(&w, "dialect", "postgresql");
	jsonw_key(&w, "enums");
	write_enums(&w, s->enums);
	jsonw_key(&w, "mgate_snapshot");
	jsonw_int(&w, 1);
	jsonw_kv_string(&w, "schema", "mgate.snapshot/1");
	jsonw_key(&w, "sequences");
	write_by_name(&w, s->seqs, sequence_body);
	jsonw_kv_string(&w, "server", server);
	jsonw_key(&w, "tables");
	jsonw_object_begin(&w);
	for (k = 0; k < s->ntables; k++) {
		if (prev && !strcmp(prev, s->tab[k].name))
			continue;
		prev = s->tab[k].name;
		jsonw_key(&w, prev);
		write_table(&w, s, s->tab[k].row);
	}
	jsonw_object_end(&w);
	jsonw_key(&w, "views");
	write_by_name(&w, s->views, view_body);
	jsonw_object_end(&w);
	return jsonw_finish(&w);
}

static void snap_release(snap *s)
{
	PGresult *all[] = { s->tables, s->cols, s->cons, s->idx, s->views, s->seqs, s->enums, s->opclasses, s->keywords,
			    s->defs, s->more_cons, s->more_idx, s->more_exprs, s->defaults, s->more_defaults, s->catalog_names,
			    s->session };
	size_t i;

	for (i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		if (all[i])
			PQclear(all[i]);
	free(s->by_oid);
	free(s->tab);
	free(s->col_num);
	free(s->col_name);
	free(s->col_first);
	free(s->con);
	free(s->con_first);
	free(s->ix);
	free(s->ix_first);
	free(s->idx_by_oid);
	free(s->opc_by_oid);
	free(s->quoting.keywords);
	free(s->catalog_relnames);
	free(s->seq_by_oid);
	free(s->default_keys);
	free(s->con_text);
	free(s->iw);
	arena_release(&s->texts);
	arena_release(&s->index_texts);
}

static int query_failed(PGconn *c, const char *redacted, mg_error *err)
{
	const char *msg = PQerrorMessage(c);
	size_t n = strcspn(msg, "\n");

	return mg_error_set(err, MG_EENV, "cannot read the schema on %s: %.*s", redacted, (int)n, msg);
}

static PGresult *run(PGconn *c, const char *sql, const char *redacted, mg_error *err)
{
	PGresult *res = PQexec(c, sql);

	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		query_failed(c, redacted, err);
		PQclear(res);
		return NULL;
	}
	return res;
}

/*
 * `sql` on the main session, while whatever the helper sends is taken in
 * and parsed as it comes (the helper must never wait on a full socket,
 * nor its rows be parsed only at the end).
 */
static PGresult *run_beside(PGconn *c, PGconn *helper, const char *sql, const char *redacted, mg_error *err)
{
	PGresult *res, *extra;
	int watch = 1; /* the helper's socket, until it fails */

	if (!helper)
		return run(c, sql, redacted, err);
	if (!PQsendQuery(c, sql)) {
		query_failed(c, redacted, err);
		return NULL;
	}
	while (PQisBusy(c)) {
		struct pollfd fds[2] = { { PQsocket(c), POLLIN, 0 }, { PQsocket(helper), POLLIN, 0 } };
		if (poll(fds, watch ? 2 : 1, -1) < 0 && errno != EINTR)
			break;
		if ((fds[0].revents & (POLLIN | POLLERR | POLLHUP)) && !PQconsumeInput(c))
			break;
		if (watch && (fds[1].revents & (POLLIN | POLLERR | POLLHUP))) {
			watch = PQconsumeInput(helper);
			PQisBusy(helper); /* parses what came */
		}
	}
	res = PQgetResult(c);
	while ((extra = PQgetResult(c)) != NULL)
		PQclear(extra);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		query_failed(c, redacted, err);
		PQclear(res);
		return NULL;
	}
	return res;
}

static int command(PGconn *c, const char *sql)
{
	PGresult *res = PQexec(c, sql);
	int ok = PQresultStatus(res) == PGRES_COMMAND_OK;

	PQclear(res);
	return ok ? 0 : -1;
}

/* The definitions of the constraints: the server's or pgdef's; NULL where
 * pgdef could not. */
static void snap_define_constraints(snap *s)
{
	int t, k, i;

	s->con_text = mg_calloc((size_t)PQntuples(s->cons) + 1, sizeof(*s->con_text));
	for (t = 0; t < s->ntables; t++)
		for (k = s->con_first[t]; k < s->con_first[t + 1]; k++) {
			const char *text = constraint_compose(s, t, i = s->con[k].row);
			s->con_text[i] = text == s->def->ptr ? arena_strdup(&s->texts, text) : text;
		}
}

/* Every index in words, once the helper's results are in: pgdef's or the
 * server's (s->defs); the rest is from_server. */
static void *define_indexes(void *arg)
{
	snap *s = arg;
	buf out = BUF_INIT;
	int t, k;

	for (t = 0; t < s->ntables; t++)
		for (k = s->ix_first[t]; k < s->ix_first[t + 1]; k++)
			index_words_write(s, &s->iw[s->ix[k].row], t, s->ix[k].row, &out, &s->index_texts);
	buf_release(&out);
	return NULL;
}

/* The indexes, the constraints and the defaults in words, the indexes on
 * a thread of their own (each part writes its own rows, its own arena). */
static void snap_define(snap *s)
{
	pthread_t thread;
	int threaded;

	s->iw = mg_calloc((size_t)PQntuples(s->idx) + 1, sizeof(*s->iw));
	threaded = pthread_create(&thread, NULL, define_indexes, s) == 0;
	if (!threaded)
		define_indexes(s);
	snap_define_constraints(s);
	snap_define_defaults(s);
	if (threaded)
		pthread_join(thread, NULL);
	arena_adopt(&s->texts, &s->index_texts);
}

/* `sql` (a %s for a list of oids) run with the oids `v` holds, into *out. */
static int deparse_rest(PGresult **out, PGconn *c, const char *sql, const buf *v, const char *redacted, mg_error *err)
{
	buf q = BUF_INIT;

	buf_printf(&q, sql, v->ptr);
	*out = run(c, q.ptr, redacted, err);
	buf_release(&q);
	return *out ? MG_OK : MG_EENV;
}

/* The oids (column `col` of `r`) of the rows of known tables whose text is
 * still NULL, as "1,2,3". */
static void missing_oids(buf *out, const snap *s, PGresult *r, const ref *v, const int *first, const char **text,
			 int col)
{
	int k;

	for (k = 0; k < first[s->ntables]; k++)
		if (!text[v[k].row])
			buf_printf(out, "%s%s", out->len ? "," : "", PQgetvalue(r, v[k].row, col));
}

/* Fill the texts of `r`'s rows still NULL from `more` (oid, text). */
static void fill_missing(PGresult *more, PGresult *r, const ref *v, int n, const char **text, int col)
{
	int k, d;

	for (k = 0; more && k < n; k++)
		if (!text[v[k].row] && (d = deparsed_row(more, oid_at(r, v[k].row, col))) >= 0)
			text[v[k].row] = val(more, d, 1);
}

/*
 * The keys, indexes and defaults mgate could not write after all (a
 * column of another type than its operator class's, a collation of its
 * own, an expression, a table outside the snapshot) and every column
 * default, in the server's words, one query for each kind.
 */
static int snap_deparse_rest(snap *s, PGconn *c, const char *redacted, mg_error *err)
{
	buf ix = BUF_INIT, con = BUF_INIT, def = BUF_INIT;
	int rc = MG_OK, k, i, d, e;

	for (k = 0; k < s->ix_first[s->ntables]; k++)
		if (s->iw[i = s->ix[k].row].from_server)
			buf_printf(&ix, "%s%s", ix.len ? "," : "", PQgetvalue(s->idx, i, 6));
	missing_oids(&con, s, s->cons, s->con, s->con_first, s->con_text, 13);
	for (k = 0; k < (int)s->ndefaults; k++)
		if (!s->default_keys[k].text && find_oid(s->by_oid, s->ntables, s->default_keys[k].oid) >= 0)
			buf_printf(&def, "%s%s", def.len ? "," : "", PQgetvalue(s->defaults, s->default_keys[k].row, 2));
	if (def.len && (rc = deparse_rest(&s->more_defaults, c, q_rest_defaults, &def, redacted, err)) < 0)
		goto cleanup;
	for (k = 0; s->more_defaults && k < (int)s->ndefaults; k++)
		if (!s->default_keys[k].text &&
		    (d = deparsed_row(s->more_defaults, oid_at(s->defaults, s->default_keys[k].row, 2))) >= 0)
			s->default_keys[k].text = val(s->more_defaults, d, 1);
	if (ix.len && ((rc = deparse_rest(&s->more_idx, c, q_rest_indexes, &ix, redacted, err)) < 0 ||
		       (rc = deparse_rest(&s->more_exprs, c, q_rest_exprs, &ix, redacted, err)) < 0))
		goto cleanup;
	if (con.len &&
	    (rc = deparse_rest(&s->more_cons, c, "SELECT x, pg_get_constraintdef(x) FROM unnest('{%s}'::oid[]) x ORDER BY 1",
			       &con, redacted, err)) < 0)
		goto cleanup;
	for (k = 0; s->more_idx && k < s->ix_first[s->ntables]; k++) {
		index_words *iw = &s->iw[i = s->ix[k].row];
		unsigned long oid = oid_at(s->idx, i, 6);
		if (!iw->from_server || (d = deparsed_row(s->more_idx, oid)) < 0)
			continue;
		iw->def = val(s->more_idx, d, 1);
		iw->pred = val(s->more_idx, d, 2);
		/* the expressions, in key order */
		e = deparsed_row(s->more_exprs, oid);
		iw->nexprs = 0;
		iw->exprs = arena_alloc(&s->texts, (MAX_INDEX_EXPRS + 1) * sizeof(*iw->exprs));
		for (; e >= 0 && e < PQntuples(s->more_exprs) && oid_at(s->more_exprs, e, 0) == oid &&
		       iw->nexprs < MAX_INDEX_EXPRS;
		     e++)
			iw->exprs[iw->nexprs++] = PQgetvalue(s->more_exprs, e, 2);
	}
	fill_missing(s->more_cons, s->cons, s->con, s->con_first[s->ntables], s->con_text, 13);
cleanup:
	buf_release(&ix);
	buf_release(&con);
	buf_release(&def);
	return rc;
}

/* What the foreign keys' visibility needs from the catalogs: the session's
 * search path and pg_catalog's relation names. */
static void snap_catalog(snap *s)
{
	int i, n = PQntuples(s->catalog_names);

	if (PQntuples(s->session) == 1) {
		s->catalog_first = is_true(s->session, 0, 0);
		s->first_schema = val(s->session, 0, 1);
	}
	s->catalog_relnames = mg_malloc(((size_t)n + 1) * sizeof(*s->catalog_relnames));
	for (i = 0; i < n; i++)
		s->catalog_relnames[i] = PQgetvalue(s->catalog_names, i, 0);
	qsort(s->catalog_relnames, (size_t)n, sizeof(*s->catalog_relnames), cmp_str);
	s->ncatalog_relnames = (size_t)n;
}

/*
 * A second session on the same server, in a read-only transaction that
 * sees exactly the snapshot `id` of the first, already running `sql`
 * (several statements); NULL when any of that fails (the caller then runs
 * them itself).
 */
static PGconn *helper_start(PGconn *c, const char *id, const char *sql)
{
	PQconninfoOption *opts = PQconninfo(c), *o;
	const char *kw[64], *vals[64];
	PGconn *h = NULL;
	buf set = BUF_INIT;
	int n = 0;
	char *quoted = NULL;

	for (o = opts; o && o->keyword && n < 63; o++) {
		const char *v = o->val;
		/* the very server the main session reached, not a list of hosts */
		if (!strcmp(o->keyword, "host"))
			v = PQhost(c);
		else if (!strcmp(o->keyword, "port"))
			v = PQport(c);
		else if (!strcmp(o->keyword, "hostaddr") && v && v[0])
			v = PQhostaddr(c);
		if (v && v[0]) {
			kw[n] = o->keyword;
			vals[n++] = v;
		}
	}
	kw[n] = vals[n] = NULL;
	if (n)
		h = PQconnectdbParams(kw, vals, 0);
	if (opts)
		PQconninfoFree(opts);
	if (!h || PQstatus(h) != CONNECTION_OK)
		goto fail;
	quoted = PQescapeLiteral(h, id, strlen(id));
	buf_printf(&set, "SET TRANSACTION SNAPSHOT %s", quoted ? quoted : "''");
	if (!quoted || command(h, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY") < 0 || command(h, set.ptr) < 0 ||
	    !PQsendQuery(h, sql))
		goto fail;
	PQfreemem(quoted);
	buf_release(&set);
	return h;
fail:
	if (quoted)
		PQfreemem(quoted);
	buf_release(&set);
	if (h)
		PQfinish(h);
	return NULL;
}

/* One catalog query and where its result goes. */
typedef struct snap_query {
	const char *sql;
	PGresult **slot;
	int on_helper; /* run by the helper session, when there is one */
} snap_query;

/* The second session: where its results go, in the order it sends them. */
typedef struct helper {
	PGconn *conn;              /* NULL once done */
	const char *want_snapshot; /* the main session's txid_current_snapshot */
	const snap_query *q;
	size_t n, next; /* the query whose result comes next */
	int first, same;
} helper;

/*
 * Take the helper's complete results (with `wait`, all of them) into
 * their slots, in the order sent. The first one is the helper's view of
 * the data (txid_current_snapshot): unless it is exactly the main
 * session's, nothing the helper read is kept (it reached another server,
 * say, through a pooler). A failed query leaves its slot empty, for the
 * main session to run. After the last result the session ends.
 */
static void helper_take(helper *h, int wait)
{
	PGresult *res;

	while (h->conn && (wait || !PQisBusy(h->conn))) {
		if (!(res = PQgetResult(h->conn))) {
			PQfinish(h->conn);
			h->conn = NULL;
			break;
		}
		if (h->first) {
			h->first = 0;
			h->same = PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1 &&
				  !strcmp(PQgetvalue(res, 0, 0), h->want_snapshot);
			PQclear(res);
			continue;
		}
		while (h->next < h->n && !h->q[h->next].on_helper)
			h->next++;
		if (h->same && h->next < h->n && PQresultStatus(res) == PGRES_TUPLES_OK && !*h->q[h->next].slot)
			*h->q[h->next].slot = res;
		else
			PQclear(res);
		h->next++;
	}
}

#define SNAPSHOT_TEXT "SELECT txid_current_snapshot()::text"

int pg_snapshot_stream(FILE *out, PGconn *c, const char *server, const char *redacted, mg_error *err)
{
	snap s;
	buf cons_sql = BUF_INIT, idx_sql = BUF_INIT, defs_sql = BUF_INIT, def = BUF_INIT, helper_sql = BUF_INIT;
	int v15 = PQserverVersion(c) >= 150000, rc = MG_OK;
	PGresult *id = NULL;
	helper h;
	size_t nq, i;
	int columns_done = 0;

	memset(&s, 0, sizeof(s));
	s.def = &def;
	sql_for_version(&cons_sql, q_constraints_fmt, v15 ? CONSTRAINTS_15 : "");
	sql_for_version(&idx_sql, q_indexes_fmt, v15 ? INDEXES_15 : "");
	sql_for_version(&defs_sql, q_index_defs_fmt, v15 ? INDEXES_15 : "");
	const snap_query q[] = {
		{ q_columns, &s.cols, 1 },
		{ defs_sql.ptr, &s.defs, 1 },
		{ q_defaults, &s.defaults, 0 },
		{ q_tables, &s.tables, 0 },
		{ cons_sql.ptr, &s.cons, 0 },
		{ idx_sql.ptr, &s.idx, 0 },
		{ q_opclasses, &s.opclasses, 0 },
		{ q_quoting, &s.keywords, 0 },
		{ q_session, &s.session, 0 },
		{ q_views, &s.views, 0 },
		{ q_sequences, &s.seqs, 0 },
		{ q_enums, &s.enums, 0 },
		{ q_catalog_names, &s.catalog_names, 0 },
	};
	nq = sizeof(q) / sizeof(q[0]);
	memset(&h, 0, sizeof(h));
	h.q = q;
	h.n = nq;
	h.first = 1;
	/* one snapshot-consistent read of the catalogs, shared with the helper */
	if (command(c, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY") < 0) {
		rc = query_failed(c, redacted, err);
		goto cleanup;
	}
	buf_puts(&helper_sql, SNAPSHOT_TEXT ";");
	for (i = 0; i < nq; i++)
		if (q[i].on_helper)
			buf_printf(&helper_sql, "%s;", q[i].sql);
	id = PQexec(c, "SELECT pg_export_snapshot(), txid_current_snapshot()::text");
	if (PQresultStatus(id) == PGRES_TUPLES_OK && PQntuples(id) == 1) {
		h.conn = helper_start(c, PQgetvalue(id, 0, 0), helper_sql.ptr);
		h.want_snapshot = PQgetvalue(id, 0, 1);
	} else {
		command(c, "ROLLBACK; BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"); /* no export: read it all here */
	}
	for (i = 0; i < nq; i++) {
		if (h.conn && q[i].on_helper)
			continue;
		if (!(*q[i].slot = run_beside(c, h.conn, q[i].sql, redacted, err))) {
			rc = MG_EENV;
			goto cleanup;
		}
		helper_take(&h, 0);
	}
	snap_index(&s); /* while the helper finishes */
	snap_catalog(&s);
	helper_take(&h, 0);
	if (s.cols) { /* the helper's columns are in: sorted while it ends */
		snap_index_columns(&s);
		columns_done = 1;
	}
	helper_take(&h, 1);
	for (i = 0; i < nq; i++) /* what the helper could not do */
		if (!*q[i].slot && !(*q[i].slot = run(c, q[i].sql, redacted, err))) {
			rc = MG_EENV;
			goto cleanup;
		}
	if (!columns_done)
		snap_index_columns(&s);
	snap_define(&s);
	if ((rc = snap_deparse_rest(&s, c, redacted, err)) < 0)
		goto cleanup;

	if (write_snapshot(out, &s, server) < 0)
		rc = mg_error_set(err, MG_EENV, "cannot write the snapshot of %s", redacted);
cleanup:
	if (h.conn)
		PQfinish(h.conn);
	if (id)
		PQclear(id);
	buf_release(&helper_sql);
	buf_release(&cons_sql);
	buf_release(&idx_sql);
	buf_release(&defs_sql);
	buf_release(&def);
	command(c, "ROLLBACK");
	snap_release(&s);
	return rc;
}
