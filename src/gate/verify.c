/*
 * verify.c: declared effects from operations, compared with a schema diff.
 */
#include "gate/verify.h"

#include <ctype.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "gate/checklist.h"
#include "gate/session.h"
#include "lint/ops.h"
#include "db/schema.h"
#include "util/buf.h"
#include "util/spawn.h"
#include "util/banned.h"

typedef struct effects {
	strvec created, dropped;         /* tables, required */
	strvec added_cols, dropped_cols; /* "table.column", required */
	strvec maybe;                    /* tables or "table.column" that may change (conditional, renames) */
	strvec touched;                  /* tables any operation acts on */
	strvec deletes, updates;         /* tables whose rows it deletes (DELETE, TRUNCATE, a drop) or updates */
	int opaque;                      /* some code could not be seen */
} effects;

/* Lowercase, unquoted, without a schema prefix. */
static char *base_table(const char *t)
{
	const char *dot = strrchr(t, '.');
	buf b = BUF_INIT;

	for (t = dot ? dot + 1 : t; *t; t++)
		if (*t != '"' && *t != '`' && *t != '[' && *t != ']')
			buf_putc(&b, (char)tolower((unsigned char)*t));
	return buf_detach(&b);
}

static void put(strvec *s, const char *table, const char *column)
{
	char *t = base_table(table);
	buf b = BUF_INIT;

	buf_puts(&b, t);
	if (column) {
		char *c = base_table(column);
		buf_printf(&b, ".%s", c);
		free(c);
	}
	if (strvec_index(s, b.ptr) < 0)
		strvec_push(s, b.ptr);
	buf_release(&b);
	free(t);
}

static void effect(effects *e, const char *kind, const char *table, const strvec *cols, const char *object,
		   int conditional)
{
	size_t i;

	if (!table)
		return;
	put(&e->touched, table, NULL);
	if (!strcmp(kind, "delete") || !strcmp(kind, "truncate") || !strcmp(kind, "drop_table"))
		put(&e->deletes, table, NULL);
	else if (!strcmp(kind, "update") || !strcmp(kind, "add_column") || !strcmp(kind, "drop_column") ||
		 !strcmp(kind, "alter_column") || !strcmp(kind, "alter_table"))
		put(&e->updates, table, NULL); /* a column added, dropped or changed changes every row's values */
	if (!strcmp(kind, "create_table"))
		put(conditional ? &e->maybe : &e->created, table, NULL);
	else if (!strcmp(kind, "drop_table"))
		put(conditional ? &e->maybe : &e->dropped, table, NULL);
	else if (!strcmp(kind, "add_column"))
		for (i = 0; i < cols->n; i++)
			put(conditional ? &e->maybe : &e->added_cols, table, cols->v[i]);
	else if (!strcmp(kind, "drop_column"))
		for (i = 0; i < cols->n; i++)
			put(conditional ? &e->maybe : &e->dropped_cols, table, cols->v[i]);
	else if (!strcmp(kind, "rename_table")) {
		put(&e->maybe, table, NULL);
		if (object)
			put(&e->maybe, object, NULL), put(&e->touched, object, NULL);
	}
}

/* The effects `s`'s upgrade() (func MIGOP_UPGRADE) or downgrade() declares. */
static void collect(effects *e, const script *s, migop_func func, sql_dialect d, mg_error *err)
{
	buf src = BUF_INIT;
	migops ops;
	pyscan_span none = { 0, 0, 0 };
	size_t i, k;

	if (script_source(&src, s, err) < 0) {
		e->opaque = 1;
		buf_release(&src);
		return;
	}
	ops_extract(&ops, src.ptr, src.len, func == MIGOP_UPGRADE ? &s->upgrade : &none,
		    func == MIGOP_DOWNGRADE ? &s->downgrade : &none, d == SQL_SQLITE ? "sqlite" : "postgresql", err);
	for (i = 0; i < ops.n; i++) {
		const migop *m = &ops.v[i];
		int cond = m->in_cond || m->in_loop;
		if (m->func != func)
			continue;
		if (m->core && m->table && (strstr(m->core, "delete") || strstr(m->core, "update")))
			effect(e, strstr(m->core, "delete") ? "delete" : "update", m->table, &m->columns, NULL, cond);
		if (m->kind == MIGOP_OPAQUE || m->core) {
			e->opaque = 1;
			continue;
		}
		if (!strcmp(m->name, "execute") && m->sql) {
			sqlstmts st;
			if (sqlcheck_classify(&st, m->sql, d, err) < 0)
				continue;
			for (k = 0; k < st.n; k++)
				effect(e, st.v[k].cls, st.v[k].table, &st.v[k].columns,
				       sqlstmt_fact(&st.v[k], "new_name"), cond);
			if (st.parse_failed)
				e->opaque = 1;
			sqlstmts_release(&st);
			continue;
		}
		if (!strcmp(m->name, "alter_column") && m->object) {
			/* a rename: the old name goes, the new one comes */
			put(&e->maybe, m->table ? m->table : "?", m->columns.n ? m->columns.v[0] : "?");
			put(&e->maybe, m->table ? m->table : "?", m->object);
		}
		effect(e, m->name, m->table, &m->columns, m->object, cond);
	}
	migops_release(&ops);
	buf_release(&src);
}

static void effects_release(effects *e)
{
	strvec_release(&e->created);
	strvec_release(&e->dropped);
	strvec_release(&e->added_cols);
	strvec_release(&e->dropped_cols);
	strvec_release(&e->maybe);
	strvec_release(&e->touched);
	strvec_release(&e->deletes);
	strvec_release(&e->updates);
}

static int has_table(const json_t *snap, const char *name)
{
	const char *k;
	json_t *v;
	int found = 0;

	json_object_foreach(json_object_get(snap, "tables"), k, v)
	{
		char *b = base_table(k);
		found |= !strcmp(b, name);
		free(b);
	}
	return found;
}

static int has_column(const json_t *snap, const char *table_col)
{
	const char *dot = strchr(table_col, '.'), *k, *c;
	json_t *v, *col;
	int found = 0;

	json_object_foreach(json_object_get(snap, "tables"), k, v)
	{
		char *b = base_table(k);
		if (strlen(b) == (size_t)(dot - table_col) && !strncmp(b, table_col, (size_t)(dot - table_col)))
			json_object_foreach(json_object_get(v, "columns"), c, col)
			{
				char *bc = base_table(c);
				found |= !strcmp(bc, dot + 1);
				free(bc);
			}
		free(b);
	}
	return found;
}

/* mgate's tables and the version table, which no revision declares. */
static int is_own_table(const char *table, const char *vt)
{
	return !strcmp(table, vt) || !strcmp(table, "mgate_ledger") || !strcmp(table, "mgate_audit");
}

int verify_same_schema(findings *out, const void *want, const void *have, const char *version_table,
		       const char *label)
{
	json_t *changes = schema_diff(want, have);
	char *vt = base_table(version_table ? version_table : "alembic_version");
	size_t i, n = 0;

	for (i = 0; i < json_array_size(changes); i++) {
		json_t *c = json_array_get(changes, i), *path = json_object_get(c, "path");
		const char *top = json_string_value(json_array_get(path, 0));
		if (top && !strcmp(top, "tables") && json_array_size(path) >= 2) {
			char *table = base_table(json_string_value(json_array_get(path, 1)));
			int own = is_own_table(table, vt);
			free(table);
			if (own)
				continue;
		}
		findings_add(out, "schema-differs", SEV_ERROR, NULL, 0, NULL, "%s (%s says otherwise)",
			     json_string_value(json_object_get(c, "text")), label);
		n++;
	}
	json_decref(changes);
	free(vt);
	return (int)n;
}

/* verify_schema, for the upgrade() or the downgrade() of each revision. */
static int check_effects(findings *out, const void *before, const void *after, const revmap *m, const int *applied,
			 size_t napplied, migop_func func, sql_dialect dialect, const char *version_table, mg_error *err)
{
	effects e;
	json_t *changes;
	char *vt = base_table(version_table ? version_table : "alembic_version");
	size_t i;

	memset(&e, 0, sizeof(e));
	for (i = 0; i < napplied; i++)
		collect(&e, m->v[applied[i]].s, func, dialect, err);
	/* what the operations say must be true now */
	for (i = 0; i < e.created.n; i++)
		if (!has_table(after, e.created.v[i]))
			findings_add(out, "declared-not-applied", SEV_ERROR, NULL, 0, NULL,
				     "table '%s' should have been created, and does not exist", e.created.v[i]);
	for (i = 0; i < e.dropped.n; i++)
		if (has_table(after, e.dropped.v[i]))
			findings_add(out, "declared-not-applied", SEV_ERROR, NULL, 0, NULL,
				     "table '%s' should have been dropped, and still exists", e.dropped.v[i]);
	for (i = 0; i < e.added_cols.n; i++)
		if (!has_column(after, e.added_cols.v[i]))
			findings_add(out, "declared-not-applied", SEV_ERROR, NULL, 0, NULL,
				     "column '%s' should have been added, and does not exist", e.added_cols.v[i]);
	for (i = 0; i < e.dropped_cols.n; i++)
		if (has_column(after, e.dropped_cols.v[i]))
			findings_add(out, "declared-not-applied", SEV_ERROR, NULL, 0, NULL,
				     "column '%s' should have been dropped, and still exists", e.dropped_cols.v[i]);
	/* and nothing else changed */
	changes = schema_diff(before, after);
	for (i = 0; i < json_array_size(changes); i++) {
		json_t *c = json_array_get(changes, i), *path = json_object_get(c, "path");
		const char *top = json_string_value(json_array_get(path, 0));
		char *table;
		int explained;
		if (!top || strcmp(top, "tables") || json_array_size(path) < 2) {
			/* enums, sequences: explained when anything at all was declared */
			explained = e.touched.n > 0;
			if (!explained)
				findings_add(out, "unexplained-change", e.opaque ? SEV_WARNING : SEV_ERROR, NULL, 0, NULL,
					     "%s, which no applied operation declares",
					     json_string_value(json_object_get(c, "text")));
			continue;
		}
		table = base_table(json_string_value(json_array_get(path, 1)));
		if (is_own_table(table, vt)) {
			free(table);
			continue;
		}
		explained = strvec_index(&e.touched, table) >= 0 || strvec_index(&e.maybe, table) >= 0;
		if (!explained)
			findings_add(out, "unexplained-change", e.opaque ? SEV_WARNING : SEV_ERROR, NULL, 0, NULL,
				     "%s, which no applied operation declares%s",
				     json_string_value(json_object_get(c, "text")),
				     e.opaque ? " (some applied code could not be read, so this may be it)" : "");
		free(table);
	}
	json_decref(changes);
	effects_release(&e);
	free(vt);
	return MG_OK;
}

int verify_schema(findings *out, const void *before, const void *after, const revmap *m, const int *applied,
		  size_t napplied, sql_dialect dialect, const char *version_table, mg_error *err)
{
	return check_effects(out, before, after, m, applied, napplied, MIGOP_UPGRADE, dialect, version_table, err);
}

int verify_schema_down(findings *out, const void *before, const void *after, const revmap *m, const int *undone,
		       size_t nundone, sql_dialect dialect, const char *version_table, mg_error *err)
{
	return check_effects(out, before, after, m, undone, nundone, MIGOP_DOWNGRADE, dialect, version_table, err);
}

int verify_data(findings *out, const data_report *r, const revmap *m, const int *applied, size_t napplied,
		sql_dialect dialect, const char *way_back, mg_error *err)
{
	effects e;
	buf ran = BUF_INIT;
	size_t i;

	if (!r->measured)
		return MG_OK;
	memset(&e, 0, sizeof(e));
	for (i = 0; i < napplied; i++) {
		collect(&e, m->v[applied[i]].s, MIGOP_UPGRADE, dialect, err);
		buf_printf(&ran, "%s%s", i ? (i + 1 == napplied ? " or " : ", ") : "", m->v[applied[i]].id);
	}
	for (i = 0; i < r->n; i++) {
		const data_table *t = &r->v[i];
		char *table = base_table(t->table);
		if (t->dropped) { /* a table that went is the schema check's to explain */
			free(table);
			continue;
		}
		if (t->deleted > 0 && strvec_index(&e.deletes, table) < 0)
			findings_add(out, "undeclared-data-loss", r->concurrent || r->rolled_back ? SEV_WARNING : SEV_ERROR,
				     NULL, 0, napplied == 1 ? m->v[applied[0]].id : NULL,
				     "%lld row%s deleted from '%s' while %s ran, and no applied revision declares deleting "
				     "from it%s; the way back: %s",
				     t->deleted, t->deleted == 1 ? "" : "s", t->table, napplied ? ran.ptr : "the upgrade",
				     r->concurrent    ? " (other sessions were writing too: the count includes their deletes)"
				     : r->rolled_back ? " (the failed revision was rolled back, and the server's counters include "
							"the deletes it undid)"
						      : "",
				     way_back);
		if (t->updated > 0 && strvec_index(&e.updates, table) < 0)
			findings_add(out, "undeclared-data-change", SEV_WARNING, NULL, 0,
				     napplied == 1 ? m->v[applied[0]].id : NULL,
				     "%lld row%s of '%s' updated while %s ran, and no applied revision declares updating it%s",
				     t->updated, t->updated == 1 ? "" : "s", t->table, napplied ? ran.ptr : "the upgrade",
				     r->concurrent ? " (other sessions were writing too)" : "");
		free(table);
	}
	effects_release(&e);
	buf_release(&ran);
	return MG_OK;
}

void verify_invariants(findings *out, const mgate_config *cfg, db *d)
{
	checklist_check inv;
	size_t i;

	checklist_invariants(&inv, cfg, d);
	for (i = 0; i < inv.found.n; i++)
		findings_add(out, inv.found.v[i].id, SEV_ERROR, NULL, 0, NULL, "%s", inv.found.v[i].message);
	free(inv.summary);
	free(inv.next);
	findings_release(&inv.found);
}

int verify_smoke(findings *out, const mgate_config *cfg, const strvec *env, const progress *p)
{
	const mgate_settings *set = &cfg->settings;
	long timeout = (long)set->smoke_timeout;
	size_t i;

	for (i = 0; i < set->nsmoke; i++) {
		const config_smoke *k = &set->smoke[i];
		strvec argv = STRVEC_INIT;
		mg_error err = MG_ERROR_INIT;
		int status = -1, sig = 0, timed_out = 0;
		strvec_copy(&argv, &k->argv);
		strvec_argv(&argv);
		progress_line(p, PROGRESS_LOG, "smoke %s: %s", k->name, argv.v[0]);
		if (spawn_stream(&status, &sig, &timed_out, (const char *const *)argv.v, env, timeout, 1, &err) < 0)
			findings_add(out, "smoke-failed", SEV_ERROR, cfg->ini_path, k->line, NULL, "smoke command '%s': %s",
				     k->name, err.msg);
		else if (timed_out)
			findings_add(out, "smoke-failed", SEV_ERROR, cfg->ini_path, k->line, NULL,
				     "smoke command '%s' did not finish within %ld s (smoke_timeout)", k->name, timeout);
		else if (status != 0)
			findings_add(out, "smoke-failed", SEV_ERROR, cfg->ini_path, k->line, NULL,
				     "smoke command '%s' failed (exit %d)", k->name, status);
		strvec_release(&argv);
	}
	return (int)set->nsmoke;
}

int verify_at_target(findings *out, const revmap *m, const strvec *rows, const char *target, mg_error *err)
{
	strvec unknown = STRVEC_INIT;
	int *cur = mg_calloc(rows->n + 1, sizeof(int)), *targets = NULL, *pending = NULL, rc = MG_OK;
	size_t ncur, ntargets = 0, npending = 0, i;

	ncur = revmap_indexes(cur, &unknown, m, rows);
	for (i = 0; i < unknown.n; i++)
		findings_add(out, "unknown-revision-in-database", SEV_ERROR, NULL, 0, unknown.v[i],
			     "the database is at revision '%s', which no script defines", unknown.v[i]);
	if (unknown.n)
		goto cleanup;
	if ((rc = revmap_resolve_target(&targets, &ntargets, m, target, cur, ncur, err)) < 0 ||
	    (rc = revmap_upgrade_order(&pending, &npending, m, targets, ntargets, cur, ncur, err)) < 0)
		goto cleanup;
	if (npending) {
		buf list = BUF_INIT;
		for (i = 0; i < npending; i++)
			buf_printf(&list, "%s%s", i ? ", " : "", m->v[pending[i]].id);
		findings_add(out, "not-at-target", SEV_ERROR, NULL, 0, NULL, "the database is not at '%s': %zu step%s pending (%s)",
			     target, npending, npending == 1 ? "" : "s", list.ptr);
		buf_release(&list);
	}
cleanup:
	free(cur);
	free(targets);
	free(pending);
	strvec_release(&unknown);
	return rc;
}

int verify_database(findings *out, const session *s, const char *target, const char *against, const progress *p,
		    mg_error *err)
{
	void *want = NULL, *have = NULL;
	int rc;

	if ((rc = verify_at_target(out, &s->p.map, &s->rows, target, err)) < 0)
		return err->code = MG_ECONFIG;
	verify_invariants(out, &s->p.cfg, s->d);
	if (against) {
		if (schema_load(&want, against, err) < 0 || s->d->ops->snapshot(s->d, &have, err) < 0)
			rc = err->code = MG_EENV;
		else
			verify_same_schema(out, want, have, s->vt.table, "the snapshot");
		json_decref((json_t *)want);
		json_decref((json_t *)have);
		if (rc < 0)
			return rc;
	}
	verify_smoke(out, &s->p.cfg, NULL, p);
	return MG_OK;
}
