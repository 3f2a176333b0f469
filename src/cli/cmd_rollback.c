/*
 * cmd_rollback.c: `mgate rollback [--to REV] [--dry-run]`: the way back
 * after an upgrade, chosen and then taken safely.
 *
 * Two ways are weighed side by side: (a) the downgrade path, exactly as
 * `alembic downgrade` walks it, with each step's downgrade() read for
 * what it destroys (row counts from the live database) and the locks it
 * takes; (b) the newest backup of this database that verifies, with its
 * age, the writes since it that a restore would lose, and how long it
 * should take. One is recommended, with the reason. Without --dry-run the
 * chosen way runs under the migration lock (after a typed "yes", or
 * --yes), and the result is verified: the version rows, the schema
 * against the snapshot taken before the upgrade, the invariants, and the
 * smoke commands. The default target is where the last `mgate upgrade`
 * of this database started (from the audit log).
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gate/audit.h"
#include "gate/backup.h"
#include "cli.h"
#include "lint/lint.h"
#include "lint/ops.h"
#include "lint/plan.h"
#include "db/schema.h"
#include "gate/verify.h"
#include "util/buf.h"
#include "util/fs.h"
#include "util/spawn.h"
#include "util/banned.h"

static const char *const formats[] = { "text", "json", NULL };

typedef struct way_step {
	int rev;
	const char *problem; /* why its downgrade cannot be trusted, or NULL */
	plan_ops ops;        /* what its downgrade() does */
	long long *rows;     /* per op: rows it destroys (-1 unknown, 0 none) */
	long long lost;      /* the known total */
	int lost_unknown;
	findings found; /* the rule engine on its downgrade (and the rollback rules) */
} way_step;

typedef struct ways {
	const char *target;
	strvec cmds;        /* the `alembic downgrade` targets, run in turn */
	strvec start;       /* the rows the undone upgrade started from (with last_upgrade) */
	int at_target;      /* nothing to take back */
	strvec target_rows; /* the version rows the downgrade ends at */
	size_t n;
	way_step *v;              /* the revisions the downgrade undoes, in order */
	const char *down_problem; /* why there is no downgrade path, or NULL */
	buf down_why;
	long long down_lost;
	int down_lost_unknown;
	backup_info b;
	int have_backup, backup_matches;
	long long age, writes; /* writes since the backup: -1 unknown */
	const char *writes_basis;
	double estimate;    /* seconds */
	const char *choice; /* "downgrade", "restore" or "none" */
	buf reason;
	json_t *last_upgrade; /* the audit entry of the upgrade being undone, or NULL */
} ways;

/* Rows a dropping operation destroys, counted on the live database. */
static long long rows_destroyed(db *d, const plan_op *op)
{
	mg_error err = MG_ERROR_INIT;
	buf sql = BUF_INIT;
	char *v = NULL;
	long long n = -1;

	if (!op->table || !strcmp(op->table, "?"))
		return -1;
	buf_puts(&sql, "SELECT count(*) FROM ");
	buf_put_sql_ident(&sql, op->table);
	if (op->column) {
		buf_puts(&sql, " WHERE ");
		buf_put_sql_ident(&sql, op->column);
		buf_puts(&sql, " IS NOT NULL");
	}
	if (d->ops->query_scalar(d, sql.ptr, &v, &err) == 0 && v)
		n = strtoll(v, NULL, 10);
	free(v);
	buf_release(&sql);
	return n;
}

/* Why a revision's downgrade() cannot be the way back, or NULL. */
static const char *downgrade_problem(const script *s, sql_dialect dialect, plan_ops *ops)
{
	buf src = BUF_INIT;
	mg_error err = MG_ERROR_INIT;
	migops m;
	const char *why = NULL;

	memset(ops, 0, sizeof(*ops));
	if (!s->downgrade.line)
		return "it has no downgrade()";
	if (script_source(&src, s, &err) < 0) {
		buf_release(&src);
		return "its file cannot be read";
	}
	if (ops_extract(&m, src.ptr, src.len, &s->upgrade, &s->downgrade, &err) == 0) {
		const migfunc *f = &m.fn[MIGOP_DOWNGRADE];
		if (f->raises)
			why = "its downgrade() raises instead of undoing the upgrade";
		else if (!f->statements && m.fn[MIGOP_UPGRADE].statements)
			why = "its downgrade() is empty: the schema would stay as the upgrade left it";
		migops_release(&m);
	}
	plan_describe(ops, src.ptr, src.len, &s->downgrade, dialect, &err);
	buf_release(&src);
	return why;
}

/* The rule engine's findings about a revision's way back: the rollback
 * rules, and any rule on a line of its downgrade(). */
static void rule_findings(findings *out, lint_ctx *ctx, const script *s)
{
	findings all = FINDINGS_INIT;
	mg_error err = MG_ERROR_INIT;
	size_t i;

	if (lint_script(ctx, &all, s, &err) == 0)
		for (i = 0; i < all.n; i++) {
			const finding *x = &all.v[i];
			int in_down = s->downgrade.line && x->line >= s->downgrade.line && x->line <= s->downgrade.end_line;
			if (x->suppressed || !(in_down || !strcmp(x->id, "missing-downgrade")))
				continue;
			findings_add_copy(out, x);
		}
	findings_release(&all);
}

/* The version rows `audit_entry` started from, as a downgrade target. */
static int target_from_audit(buf *out, json_t **entry, const cli_gate *cg)
{
	char *path = cli_audit_log_path(&cg->p.cfg);
	json_t *all, *from;
	size_t i;

	*entry = NULL;
	if (!path) {
		fprintf(stderr, "mgate rollback: no audit log is configured (audit_log in [mgate]), so the upgrade to undo "
				"is unknown; pass --to REVISION\n");
		return EXIT_USAGE;
	}
	all = audit_read(path, "upgrade", cg->where.ptr);
	free(path);
	for (i = json_array_size(all); i-- > 0;) {
		json_t *e = json_array_get(all, i);
		if (json_is_true(json_object_get(e, "alembic_ran"))) {
			*entry = json_incref(e);
			break;
		}
	}
	json_decref(all);
	if (!*entry) {
		fprintf(stderr, "mgate rollback: the audit log records no upgrade of %s by mgate; pass --to REVISION\n",
			cg->where.ptr);
		return EXIT_USAGE;
	}
	from = json_object_get(*entry, "from");
	if (json_array_size(from) > 1) {
		fprintf(stderr, "mgate rollback: the last upgrade started from several heads; pass --to REVISION for the "
				"branch to take back\n");
		return EXIT_USAGE;
	}
	buf_puts(out, json_array_size(from) ? json_string_value(json_array_get(from, 0)) : "base");
	return 0;
}

/*
 * (a) the downgrade path from the database's rows: `alembic downgrade
 * TARGET`, exactly as Alembic walks it. When the upgrade being undone
 * started from known rows that one downgrade does not reach (it also
 * applied revisions on another branch), further `REV@-1` downgrades take
 * those back, each planned the same way.
 */
static int assess_downgrade(ways *w, const cli_gate *cg)
{
	const revmap *m = &cg->p.map;
	mg_error err = MG_ERROR_INIT;
	intvec cur = { NULL, 0, 0 }, rows = { NULL, 0, 0 }, steps = { NULL, 0, 0 };
	strvec unknown = STRVEC_INIT;
	lint_ctx ctx;
	size_t i, k;
	int rc = 0;

	cur.v = mg_calloc(cg->rows.n + 1, sizeof(int));
	cur.alloc = cg->rows.n + 1;
	cur.n = revmap_indexes(cur.v, &unknown, m, &cg->rows);
	if (unknown.n) {
		buf_printf(&w->down_why, "the database is at '%s', which no script defines: Alembic cannot "
					 "downgrade from it",
			   unknown.v[0]);
		w->down_problem = w->down_why.ptr;
		goto cleanup;
	}
	{
		int *start = mg_calloc(w->start.n + 1, sizeof(int));
		size_t nstart = 0;
		for (i = 0; i < w->start.n; i++)
			if ((start[nstart] = revmap_index(m, w->start.v[i])) >= 0)
				nstart++;
		rc = revmap_downgrade_path(&w->cmds, &steps, &rows, &w->down_why, m, w->target, cur.v, cur.n,
					   w->last_upgrade ? start : NULL, nstart, &err);
		free(start);
		if (rc < 0) {
			fprintf(stderr, "mgate rollback: %s\n", err.msg);
			rc = EXIT_USAGE;
			goto cleanup;
		}
		if (w->down_why.len)
			w->down_problem = w->down_why.ptr;
	}
	for (i = 0; i < rows.n; i++)
		strvec_push(&w->target_rows, m->v[rows.v[i]].id);
	w->n = steps.n;
	w->v = mg_calloc(w->n + 1, sizeof(*w->v));
	lint_init(&ctx, &cg->lo);
	for (i = 0; i < w->n; i++) {
		way_step *s = &w->v[i];
		s->rev = steps.v[i];
		s->problem = downgrade_problem(m->v[s->rev].s, cg->lo.dialect, &s->ops);
		rule_findings(&s->found, &ctx, m->v[s->rev].s);
		if (!s->problem && findings_count_active(&s->found, SEV_ERROR))
			s->problem = "the rule engine finds no real downgrade (missing-downgrade)";
		s->rows = mg_calloc(s->ops.n + 1, sizeof(long long));
		for (k = 0; k < s->ops.n; k++) {
			s->rows[k] = s->ops.v[k].data_loss ? rows_destroyed(cg->d, &s->ops.v[k]) : 0;
			if (s->rows[k] < 0)
				s->lost_unknown = 1;
			else
				s->lost += s->rows[k];
		}
		w->down_lost += s->lost;
		w->down_lost_unknown |= s->lost_unknown;
		if (s->problem && !w->down_problem) {
			buf_printf(&w->down_why, "%s: %s", m->v[s->rev].id, s->problem);
			w->down_problem = w->down_why.ptr;
		}
	}
	lint_release(&ctx);
	if (!w->n && !w->down_problem && strvec_same_set(&w->target_rows, &cg->rows))
		w->at_target = 1;
cleanup:
	strvec_release(&unknown);
	intvec_release(&cur);
	intvec_release(&rows);
	intvec_release(&steps);
	return rc;
}

/* Rows that differ between the live SQLite database and the backup, table
 * by table (a lower bound on the writes since: updates keep counts). */
static long long sqlite_rows_differ(db *live, const backup_info *b, const char *vt)
{
	mg_error err = MG_ERROR_INIT;
	buf url = BUF_INIT;
	db *old = NULL;
	void *snap = NULL;
	const char *t;
	json_t *v;
	long long total = 0;

	buf_printf(&url, "sqlite:///%s", b->path);
	if (db_open(&old, url.ptr, &err) < 0 || live->ops->snapshot(live, &snap, &err) < 0) {
		total = -1;
		goto cleanup;
	}
	json_object_foreach(json_object_get((json_t *)snap, "tables"), t, v)
	{
		long long now = 0, then = 0;
		if (!strcmp(t, vt) || !strncmp(t, "mgate_", 6))
			continue;
		live->ops->table_rows(live, t, &now, &err);
		if (old->ops->table_rows(old, t, &then, &err) < 0 || then < 0)
			then = 0; /* a table the backup does not have */
		total += now > then ? now - then : then - now;
	}
cleanup:
	json_decref((json_t *)snap);
	db_close(old);
	buf_release(&url);
	return total;
}

/* (b) the newest backup of this database that verifies. */
static void assess_restore(ways *w, const cli_gate *cg)
{
	buf id = BUF_INIT;

	w->writes = -1;
	cli_target_identity(&id, cg->d, cg->url);
	if (cli_newest_backup(&w->b, cg->dir, id.len ? id.ptr : NULL, 1) < 0) {
		buf_release(&id);
		return;
	}
	w->have_backup = 1;
	w->backup_matches = strvec_same_set(&w->b.revisions, &w->target_rows);
	w->age = (long long)time(NULL) - w->b.created;
	if (cg->lo.dialect == SQL_POSTGRESQL) {
		long long now = db_writes_counter(cg->d);
		if (w->b.writes >= 0 && now >= w->b.writes) {
			w->writes = now - w->b.writes;
			w->writes_basis = "rows inserted, updated or deleted since the backup (pg_stat_user_tables)";
		}
		/* pg_restore rebuilds indexes: about twice what the dump took */
		w->estimate = (double)w->b.duration_ms * 2 / 1000.0;
	} else {
		w->writes = sqlite_rows_differ(cg->d, &w->b, cg->vt.table);
		w->writes_basis = "rows by which table row counts differ from the backup's, the upgrade's own changes "
				  "included; updates do not show";
		w->estimate = (double)w->b.duration_ms / 1000.0;
	}
	if (w->estimate < 1)
		w->estimate = 1;
	buf_release(&id);
}

static void recommend(ways *w)
{
	int down = !w->down_problem, rest = w->have_backup && w->backup_matches;

	if (w->at_target) {
		w->choice = "none";
		buf_puts(&w->reason, "the database is already at the target: nothing to roll back");
	} else if (!down && !rest) {
		w->choice = "none";
		buf_printf(&w->reason, "no safe way back: %s, and %s", w->down_problem ? w->down_problem : "no downgrade",
			   w->have_backup ? "the newest backup is not at the target" : "no backup of this database verifies");
	} else if (!down) {
		w->choice = "restore";
		buf_printf(&w->reason, "the downgrade path is blocked (%s)", w->down_problem);
	} else if (!w->down_lost && !w->down_lost_unknown) {
		w->choice = "downgrade";
		buf_printf(&w->reason, "the downgrade destroys no data%s", rest ? ", while a restore would lose the writes "
										  "since the backup"
										: "");
	} else if (!rest) {
		w->choice = "downgrade";
		buf_printf(&w->reason, "no backup at the target verifies; the downgrade destroys %s%lld row%s", w->down_lost_unknown ? "at least " : "",
			   w->down_lost, w->down_lost == 1 ? "" : "s");
	} else if (w->writes >= 0 && !w->down_lost_unknown && w->writes < w->down_lost) {
		w->choice = "restore";
		buf_printf(&w->reason, "the downgrade destroys %lld row%s, the restore loses %lld", w->down_lost,
			   w->down_lost == 1 ? "" : "s", w->writes);
	} else {
		w->choice = "downgrade";
		if (w->writes >= 0)
			buf_printf(&w->reason, "the downgrade destroys %s%lld row%s, the restore loses %lld written since the "
					       "backup",
				   w->down_lost_unknown ? "at least " : "", w->down_lost, w->down_lost == 1 ? "" : "s",
				   w->writes);
		else
			buf_printf(&w->reason, "the downgrade's loss is known (%s%lld rows) and the writes since the backup are "
					       "not",
				   w->down_lost_unknown ? "at least " : "", w->down_lost);
	}
}

static void downgrade_argv(strvec *cmd, const cli_gate *cg, const char *target)
{
	cli_alembic_command(cmd, &cg->p.cfg, cg->p.cfg.ini_path, "downgrade", target, NULL);
}

static json_t *ways_json(const ways *w, const cli_gate *cg)
{
	json_t *root = json_object(), *down = json_object(), *steps = json_array(), *rest = json_object(),
	       *commands = json_array();
	strvec cmd = STRVEC_INIT;
	buf cmdline = BUF_INIT;
	size_t i, k;

	for (k = 0; k < w->cmds.n; k++) {
		json_t *c = json_array();
		strvec_release(&cmd);
		downgrade_argv(&cmd, cg, w->cmds.v[k]);
		for (i = 0; i < cmd.n; i++) {
			buf_printf(&cmdline, "%s%s", i ? " " : k ? "; "
								 : "",
				   cmd.v[i]);
			json_array_append_new(c, cli_json_str(cmd.v[i]));
		}
		json_array_append_new(commands, c);
	}
	json_object_set_new(root, "current", cli_strvec_json(&cg->rows));
	json_object_set_new(root, "target", cli_json_str(w->target));
	json_object_set_new(root, "target_rows", cli_strvec_json(&w->target_rows));
	for (i = 0; i < w->n; i++) {
		const way_step *s = &w->v[i];
		json_t *o = json_object(), *ops = json_array();
		json_object_set_new(o, "revision", json_string(cg->p.map.v[s->rev].id));
		json_object_set_new(o, "path", cli_json_str(cg->p.map.v[s->rev].s->path));
		json_object_set_new(o, "has_downgrade", json_boolean(!s->problem));
		json_object_set_new(o, "problem", s->problem ? json_string(s->problem) : json_null());
		for (k = 0; k < s->ops.n; k++) {
			json_t *x = json_object();
			json_object_set_new(x, "line", json_integer(s->ops.v[k].line));
			json_object_set_new(x, "description", cli_json_str(s->ops.v[k].description));
			json_object_set_new(x, "lock", s->ops.v[k].lock ? cli_json_str(s->ops.v[k].lock) : json_null());
			json_object_set_new(x, "data_loss", json_boolean(s->ops.v[k].data_loss));
			json_object_set_new(x, "rows", s->rows[k] >= 0 ? json_integer(s->rows[k]) : json_null());
			json_array_append_new(ops, x);
		}
		json_object_set_new(o, "operations", ops);
		json_object_set_new(o, "findings", cli_findings_json(&s->found));
		json_object_set_new(o, "rows_lost", s->lost_unknown ? json_null() : json_integer(s->lost));
		json_array_append_new(steps, o);
	}
	json_object_set_new(down, "available", json_boolean(!w->down_problem));
	json_object_set_new(down, "problem", w->down_problem ? cli_json_str(w->down_problem) : json_null());
	json_object_set_new(down, "command", cli_json_str(cmdline.ptr));
	json_object_set_new(down, "commands", commands);
	json_object_set_new(down, "steps", steps);
	json_object_set_new(down, "rows_lost", w->down_lost_unknown ? json_null() : json_integer(w->down_lost));
	json_object_set_new(root, "downgrade", down);
	json_object_set_new(rest, "available", json_boolean(w->have_backup && w->backup_matches));
	json_object_set_new(rest, "backup", w->have_backup ? cli_json_str(w->b.path) : json_null());
	if (w->have_backup) {
		json_object_set_new(rest, "created_at", json_string(w->b.created_at));
		json_object_set_new(rest, "age_seconds", json_integer(w->age));
		json_object_set_new(rest, "revisions", cli_strvec_json(&w->b.revisions));
		json_object_set_new(rest, "matches_target", json_boolean(w->backup_matches));
		json_object_set_new(rest, "writes_since", w->writes >= 0 ? json_integer(w->writes) : json_null());
		json_object_set_new(rest, "writes_basis", w->writes_basis ? json_string(w->writes_basis) : json_null());
		json_object_set_new(rest, "estimated_seconds", json_real(w->estimate));
	}
	json_object_set_new(root, "restore", rest);
	json_object_set_new(root, "recommendation", json_string(w->choice));
	json_object_set_new(root, "why", cli_json_str(w->reason.ptr));
	strvec_release(&cmd);
	buf_release(&cmdline);
	return root;
}

static void print_rows(const strvec *rows)
{
	size_t i;

	for (i = 0; i < rows->n; i++)
		printf("%s%s", i ? ", " : "", rows->v[i]);
	printf("%s", rows->n ? "" : "base");
}

static void ways_text(const ways *w, const cli_gate *cg)
{
	strvec cmd = STRVEC_INIT;
	buf cwd = BUF_INIT;
	size_t i, k;

	printf("mgate rollback: %s at ", cg->where.ptr);
	print_rows(&cg->rows);
	printf(" -> %s (", w->target);
	print_rows(&w->target_rows);
	printf(")\n\n(a) the downgrade path:");
	for (k = 0; k < w->cmds.n; k++) {
		strvec_release(&cmd);
		downgrade_argv(&cmd, cg, w->cmds.v[k]);
		printf("%s", k ? "\n    then" : "");
		for (i = 0; i < cmd.n; i++)
			printf(" %s", cmd.v[i]);
	}
	printf("\n");
	for (i = 0; i < w->n; i++) {
		const way_step *s = &w->v[i];
		printf("  %zu. %s  %s\n", i + 1, cg->p.map.v[s->rev].id, cli_display_path(cg->p.map.v[s->rev].s->path, &cwd));
		if (s->problem)
			printf("     problem: %s\n", s->problem);
		for (k = 0; k < s->found.n; k++)
			printf("     %s: %s [%s]\n", finding_severity_name(s->found.v[k].severity), s->found.v[k].message,
			       s->found.v[k].id);
		for (k = 0; k < s->ops.n; k++) {
			printf("     - %s", s->ops.v[k].description);
			if (s->ops.v[k].data_loss)
				printf(s->rows[k] >= 0 ? " (%lld rows now)" : " (rows unknown)", s->rows[k]);
			if (s->ops.v[k].lock)
				printf(" [%s]", s->ops.v[k].lock);
			printf("\n");
		}
	}
	if (w->down_problem)
		printf("  not available: %s\n", w->down_problem);
	else
		printf("  data lost: %s%lld row%s\n", w->down_lost_unknown ? "at least " : "", w->down_lost,
		       w->down_lost == 1 ? "" : "s");
	printf("\n(b) restore the newest backup: ");
	if (!w->have_backup) {
		printf("none of this database verifies%s\n", cg->dir ? "" : " (no backup folder is configured)");
	} else {
		printf("%s\n  taken %s (%lld min ago), at ", cli_display_path(w->b.path, &cwd), w->b.created_at, w->age / 60);
		print_rows(&w->b.revisions);
		printf("%s\n", w->backup_matches ? "" : ": NOT the target, so it is not a way back to it");
		if (w->writes >= 0)
			printf("  writes lost: %lld (%s)\n", w->writes, w->writes_basis);
		else
			printf("  writes lost: unknown (statistics do not tell)\n");
		printf("  estimated time: about %.0f s (%.1f MB, at the rate the backup itself was taken)\n", w->estimate,
		       (double)w->b.size / 1e6);
	}
	printf("\nrecommended: %s: %s\n", !strcmp(w->choice, "downgrade") ? "(a) the downgrade" : !strcmp(w->choice, "restore") ? "(b) the restore"
																: "none",
	       w->reason.ptr);
	strvec_release(&cmd);
	buf_release(&cwd);
}

static void ways_release(ways *w)
{
	size_t i;

	for (i = 0; w->v && i < w->n; i++) {
		plan_ops_release(&w->v[i].ops);
		findings_release(&w->v[i].found);
		free(w->v[i].rows);
	}
	free(w->v);
	strvec_release(&w->target_rows);
	strvec_release(&w->cmds);
	strvec_release(&w->start);
	buf_release(&w->down_why);
	buf_release(&w->reason);
	backup_info_release(&w->b);
	json_decref(w->last_upgrade);
}

/* After the way back: the rows, the schema as before the upgrade, the
 * invariants and the smoke commands. Findings go to `vf`. */
static void verify_back(findings *vf, const ways *w, const cli_gate *cg, const strvec *want_rows)
{
	mg_error err = MG_ERROR_INIT;
	strvec rows = STRVEC_INIT;
	db *d = NULL;
	void *now = NULL, *before = NULL;
	const char *snap = w->last_upgrade ? json_string_value(json_object_get(w->last_upgrade, "before_snapshot")) : NULL;
	int exists = 0;

	if (db_open(&d, cg->url, &err) < 0 || d->ops->read_versions(d, &cg->vt, &rows, &exists, &err) < 0) {
		findings_add(vf, "unreadable", SEV_ERROR, NULL, 0, NULL, "cannot read the database back: %s", err.msg);
		goto cleanup;
	}
	printf("the database is now at: ");
	print_rows(&rows);
	printf("\n");
	if (!strvec_same_set(&rows, want_rows))
		findings_add(vf, "version-rows", SEV_ERROR, NULL, 0, NULL, "the version rows are not the target's");
	if (w->last_upgrade && !strvec_same_set(&w->start, want_rows))
		snap = NULL; /* the snapshot shows the schema at the upgrade's start only */
	if (snap && fs_exists(snap) && schema_load(&before, snap, &err) == 0 && d->ops->snapshot(d, &now, &err) == 0) {
		int n = verify_same_schema(vf, before, now, cg->vt.table, "the snapshot taken before the upgrade");
		if (!n)
			printf("the schema is as it was before the upgrade (%s)\n", snap);
	} else if (w->last_upgrade) {
		printf("note: the snapshot taken before the upgrade is not available; the schema was not compared\n");
	}
	cli_invariant_findings(vf, &cg->p.cfg, d);
	cli_run_smoke(&cg->p.cfg, vf);
cleanup:
	json_decref((json_t *)now);
	json_decref((json_t *)before);
	strvec_release(&rows);
	db_close(d);
}

int cmd_rollback(int argc, char **argv)
{
	cli_common common;
	cli_gate cg;
	cli_gate_args a;
	ways w;
	strvec args = STRVEC_INIT, cmd = STRVEC_INIT;
	findings vf = FINDINGS_INIT;
	mg_error err = MG_ERROR_INIT;
	buf target = BUF_INIT, what = BUF_INIT, id_buf = BUF_INIT;
	const char *to = NULL, *via = NULL, *lock_wait = NULL, *timeout = NULL;
	db *lockdb = NULL;
	cli_restored res;
	json_t *audit = NULL;
	char id[17];
	int rc, dry_run = 0, yes = 0, status = 0, sig = 0, timed_out = 0;
	size_t i, k;
	cli_option opts[] = {
		OPT_STRING_(0, "to", &to, "REV", "where to go back to (default: where the last mgate upgrade started)"),
		OPT_FLAG_(0, "dry-run", &dry_run, "compare the ways back and recommend one; change nothing"),
		OPT_STRING_(0, "via", &via, "WAY", "take this way instead of the recommended one: downgrade or restore"),
		OPT_FLAG_(0, "yes", &yes, "do it without asking"),
		OPT_DB_(&a.db),
		OPT_STRING_(0, "backup-dir", &a.backup_dir, "DIR", "where backups are (else backup_dir in [mgate])"),
		OPT_STRING_(0, "lock-wait", &lock_wait, "SECONDS", "wait this long for the migration lock (default 0)"),
		OPT_STRING_(0, "timeout", &timeout, "SECONDS", "stop Alembic's downgrade after this long"),
		OPT_VERSION_TABLE_(&a.db),
		OPT_END_(),
	};

	memset(&a, 0, sizeof(a));
	memset(&cg, 0, sizeof(cg));
	memset(&w, 0, sizeof(w));
	memset(&res, 0, sizeof(res));
	audit_new_id(id);
	if ((rc = cli_begin(argc, argv, "rollback", "[options]", opts, formats, 0, &common, &args)) != 0)
		goto cleanup;
	cli_log_context(id, NULL);
	if (via && strcmp(via, "downgrade") && strcmp(via, "restore")) {
		fprintf(stderr, "mgate rollback: --via takes 'downgrade' or 'restore', not '%s'\n", via);
		rc = EXIT_USAGE;
		goto cleanup;
	}
	if ((rc = cli_gate_prepare(&cg, &common, &a, "heads", "rollback")) != 0)
		goto cleanup;
	if (!cg.d) {
		fprintf(stderr, "mgate rollback: %s\n", cg.dberr.ptr);
		rc = EXIT_ENV;
		goto cleanup;
	}
	if (cg.p.map.broken) {
		cli_print_findings(&cg.p.found, common.quiet);
		fprintf(stderr, "mgate rollback: the revision graph is broken (see above); `mgate restore` does not need it\n");
		rc = EXIT_FINDINGS;
		goto cleanup;
	}
	if (to)
		buf_puts(&target, to);
	else if ((rc = target_from_audit(&target, &w.last_upgrade, &cg)) != 0)
		goto cleanup;
	w.target = target.ptr;
	if (w.last_upgrade) {
		json_t *from = json_object_get(w.last_upgrade, "from");
		for (i = 0; i < json_array_size(from); i++)
			strvec_push(&w.start, json_string_value(json_array_get(from, i)));
	}
	if ((rc = assess_downgrade(&w, &cg)) != 0)
		goto cleanup;
	assess_restore(&w, &cg);
	recommend(&w);
	if (via && !strcmp(via, "downgrade") && w.down_problem) {
		fprintf(stderr, "mgate rollback: the downgrade path is not available: %s\n", w.down_problem);
		rc = EXIT_FINDINGS;
		goto cleanup;
	}
	if (via && !strcmp(via, "restore") && !(w.have_backup && w.backup_matches)) {
		fprintf(stderr, "mgate rollback: no backup of this database at the target verifies\n");
		rc = EXIT_FINDINGS;
		goto cleanup;
	}
	if (via && !w.at_target)
		w.choice = via;
	if (dry_run || !strcmp(common.format, "json")) {
		if (!strcmp(common.format, "json"))
			cli_print_json(ways_json(&w, &cg));
		else
			ways_text(&w, &cg);
		if (!dry_run) {
			fprintf(stderr, "mgate rollback: --format json describes the ways back only; add --dry-run\n");
			rc = EXIT_USAGE;
		} else {
			rc = strcmp(w.choice, "none") || w.at_target ? EXIT_OK : EXIT_FINDINGS;
		}
		goto cleanup;
	}
	ways_text(&w, &cg);
	if (!strcmp(w.choice, "none")) {
		rc = w.at_target ? EXIT_OK : EXIT_FINDINGS;
		goto cleanup;
	}
	if (!strcmp(w.choice, "downgrade"))
		buf_printf(&what, "\nthis runs `alembic downgrade %s` on %s", w.target, cg.where.ptr);
	else
		buf_printf(&what, "\nthis replaces %s with the backup %s", cg.where.ptr, w.b.path);
	if ((rc = cli_confirm("rollback", what.ptr, yes)) != 0)
		goto cleanup;
	if (db_open(&lockdb, cg.url, &err) < 0 ||
	    lockdb->ops->lock(lockdb, cg.lock.ptr, (lock_wait ? strtol(lock_wait, NULL, 10) : 0) * 1000, &err) < 0) {
		fprintf(stderr, "mgate rollback: %s; nothing was changed\n", err.msg);
		rc = err.code == MG_EAMBIGUOUS ? EXIT_FINDINGS : EXIT_ENV;
		db_close(lockdb);
		lockdb = NULL;
		goto cleanup;
	}
	printf("correlation id: %s\n", id);
	audit = cli_audit_base(&cg, "rollback", id);
	json_object_set_new(audit, "target", cli_json_str(w.target));
	json_object_set_new(audit, "way", json_string(w.choice));
	json_object_set_new(audit, "why", cli_json_str(w.reason.ptr));
	{
		/* the identity before our read session steps aside */
		buf ident = BUF_INIT;
		cli_target_identity(&ident, cg.d, cg.url);
		buf_puts(&id_buf, ident.ptr);
		buf_release(&ident);
	}
	db_close(cg.d);
	cg.d = NULL;
	if (!strcmp(w.choice, "downgrade")) {
		json_t *ran = json_array();
		json_object_set_new(audit, "commands", ran);
		for (k = 0; k < w.cmds.n && status == 0; k++) {
			struct timespec t0, t1;
			json_t *c = json_object();
			strvec_release(&cmd);
			downgrade_argv(&cmd, &cg, w.cmds.v[k]);
			printf("\nrunning:");
			for (i = 0; i < cmd.n; i++)
				printf(" %s", cmd.v[i]);
			printf("\n");
			fflush(stdout);
			clock_gettime(CLOCK_MONOTONIC, &t0);
			if (spawn_stream(&status, &sig, &timed_out, (const char *const *)cmd.v, NULL,
					 timeout ? strtol(timeout, NULL, 10) : 0, 0, &err) < 0) {
				fprintf(stderr, "mgate rollback: %s; set alembic_cmd in [mgate]\n", err.msg);
				json_decref(c);
				rc = EXIT_ENV;
				goto cleanup;
			}
			clock_gettime(CLOCK_MONOTONIC, &t1);
			json_object_set_new(c, "downgrade", cli_json_str(w.cmds.v[k]));
			json_object_set_new(c, "exit", json_integer(status));
			json_object_set_new(c, "ms", json_real((double)(t1.tv_sec - t0.tv_sec) * 1000 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6));
			json_array_append_new(ran, c);
		}
		json_object_set_new(audit, "alembic_exit", json_integer(status));
		if (status != 0) {
			printf("\nAlembic's downgrade failed (exit %d%s)\n", status, timed_out ? ", timed out" : "");
			verify_back(&vf, &w, &cg, &w.target_rows);
			if (w.have_backup && w.backup_matches)
				printf("the other way back: mgate restore %s --yes\n", w.b.path);
			rc = EXIT_UPGRADE;
			goto cleanup;
		}
		verify_back(&vf, &w, &cg, &w.target_rows);
	} else {
		printf("\nrestoring %s\n", w.b.path);
		fflush(stdout);
		rc = cli_restore(&res, &w.b, cg.url, id_buf.ptr, lockdb, cg.dir, &cg.vt, "rollback");
		json_object_set_new(audit, "backup", cli_json_str(w.b.path));
		json_object_set_new(audit, "kept", res.kept ? cli_json_str(res.kept) : res.pre_backup ? cli_json_str(res.pre_backup)
												      : json_null());
		if (rc) {
			rc = res.restored ? rc : rc == EXIT_FINDINGS ? EXIT_FINDINGS
								     : EXIT_UPGRADE;
			goto cleanup;
		}
		if (res.kept)
			printf("the previous file is kept as %s\n", res.kept);
		if (res.pre_backup)
			printf("what was there is kept as the backup %s\n", res.pre_backup);
		verify_back(&vf, &w, &cg, &w.b.revisions);
	}
	for (i = 0; i < vf.n; i++)
		printf("  %s: %s [%s]\n", finding_severity_name(vf.v[i].severity), vf.v[i].message, vf.v[i].id);
	if (findings_count(&vf, SEV_ERROR)) {
		printf("verification failed\n");
		rc = EXIT_VERIFY;
	} else {
		printf("rolled back and verified\n");
		rc = EXIT_OK;
	}
cleanup:
	if (audit) {
		json_t *v = json_object();
		json_object_set_new(v, "result", json_string(rc == EXIT_OK ? "pass" : rc == EXIT_VERIFY ? "fail"
													: "not run"));
		json_object_set_new(v, "findings", cli_findings_json(&vf));
		json_object_set_new(audit, "verification", v);
		json_object_set_new(audit, "exit", json_integer(rc < 0 ? 0 : rc));
		cli_audit_write(&cg, audit);
	}
	if (lockdb) {
		lockdb->ops->unlock(lockdb, cg.lock.ptr);
		db_close(lockdb);
	}
	cli_restored_release(&res);
	findings_release(&vf);
	ways_release(&w);
	cli_gate_release(&cg);
	strvec_release(&args);
	strvec_release(&cmd);
	buf_release(&target);
	buf_release(&what);
	buf_release(&id_buf);
	return rc < 0 ? EXIT_OK : rc;
}
