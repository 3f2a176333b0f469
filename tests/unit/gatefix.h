/*
 * gatefix.h: a real Alembic project on a real SQLite file for the unit
 * tests of the gate (checklist, upgrade, rollback, restore, drill): the
 * project is written into a scratch folder, the real Alembic (Debian's,
 * run as /usr/bin/python3 -m alembic) brings the database where a test
 * needs it, and a session is opened on it as the CLI would.
 *
 * The revisions: r1 creates users, r2 adds users.email, r3 creates orders
 * (each with a real downgrade). A test adds its own after them.
 */
#ifndef MGATE_GATEFIX_H
#define MGATE_GATEFIX_H

#include <sqlite3.h>

#include "gate/backup.h"
#include "gate/session.h"
#include "testutil.h"
#include "util/spawn.h"
#include "version.h"

#define GFX_ALEMBIC "/usr/bin/python3 -m alembic"

static const char gfx_env_py[] =
	"from alembic import context\n"
	"from sqlalchemy import engine_from_config, pool\n"
	"config = context.config\n"
	"if context.is_offline_mode():\n"
	"    context.configure(url=config.get_main_option('sqlalchemy.url'), literal_binds=True)\n"
	"    with context.begin_transaction():\n"
	"        context.run_migrations()\n"
	"else:\n"
	"    engine = engine_from_config(config.get_section(config.config_ini_section), prefix='sqlalchemy.',\n"
	"                                poolclass=pool.NullPool)\n"
	"    with engine.connect() as connection:\n"
	"        context.configure(connection=connection)\n"
	"        with context.begin_transaction():\n"
	"            context.run_migrations()\n";

/* A revision script: `up` and `down` are the bodies of upgrade() and downgrade(). */
static inline void gfx_revision(const char *dir, const char *rev, const char *down, const char *up, const char *downgrade)
{
	char *name = tu_printf("migrations/versions/%s.py", rev);
	char *text = tu_printf("\"\"\"%s\"\"\"\nfrom alembic import op\nimport sqlalchemy as sa\n\nrevision = '%s'\n"
			       "down_revision = %s%s%s\nbranch_labels = None\ndepends_on = None\n\n\n"
			       "def upgrade():\n%s\n\n\ndef downgrade():\n%s\n",
			       rev, rev, down ? "'" : "", down ? down : "None", down ? "'" : "", up, downgrade);
	tu_write(dir, name, text);
	free(name);
	free(text);
}

typedef struct gfx {
	char *dir;
	char *ini; /* dir/alembic.ini */
	char *db;  /* dir/app.db */
} gfx;

/* A project in a fresh folder, with `mgate_lines` added to [mgate]. */
static inline void gfx_project(gfx *g, const char *mgate_lines)
{
	char *ini;

	g->dir = tu_tempdir();
	g->ini = tu_printf("%s/alembic.ini", g->dir);
	g->db = tu_printf("%s/app.db", g->dir);
	ini = tu_printf("[alembic]\nscript_location = %%(here)s/migrations\nsqlalchemy.url = sqlite:///%%(here)s/app.db\n\n"
			"[mgate]\nalembic_version = 1.13\nalembic_cmd = " GFX_ALEMBIC "\n%s",
			mgate_lines ? mgate_lines : "");
	tu_write(g->dir, "alembic.ini", ini);
	free(ini);
	tu_mkdir(g->dir, "migrations");
	tu_mkdir(g->dir, "migrations/versions");
	tu_write(g->dir, "migrations/env.py", gfx_env_py);
	gfx_revision(g->dir, "r1", NULL,
		     "    op.create_table('users', sa.Column('id', sa.Integer, primary_key=True), sa.Column('name', sa.Text))",
		     "    op.drop_table('users')");
	gfx_revision(g->dir, "r2", "r1", "    op.add_column('users', sa.Column('email', sa.Text))",
		     "    op.drop_column('users', 'email')");
	gfx_revision(g->dir, "r3", "r2",
		     "    op.create_table('orders', sa.Column('id', sa.Integer, primary_key=True), sa.Column('total', sa.Integer))",
		     "    op.drop_table('orders')");
}

/* The real Alembic: `alembic VERB TARGET`; its exit status is returned. */
static inline int gfx_alembic(const gfx *g, const char *verb, const char *target)
{
	const char *argv[] = { "/usr/bin/python3", "-m", "alembic", "-c", g->ini, verb, target, NULL };
	spawn_opts so;
	buf out = BUF_INIT, err = BUF_INIT;
	mg_error e = MG_ERROR_INIT;
	int status = -1;

	memset(&so, 0, sizeof(so));
	so.argv = argv;
	so.out = &out;
	so.err = &err;
	if (spawn_run(&status, &so, &e) < 0)
		status = -1;
	buf_release(&out);
	buf_release(&err);
	return status;
}

/* Run SQL on the database file directly (the test's own view of it). */
static inline void gfx_sql(const gfx *g, const char *sql)
{
	sqlite3 *h = NULL;

	if (sqlite3_open(g->db, &h) != SQLITE_OK || sqlite3_exec(h, sql, NULL, NULL, NULL) != SQLITE_OK) {
		fprintf(stderr, "gfx_sql: %s: %s\n", sql, h ? sqlite3_errmsg(h) : "?");
		abort();
	}
	sqlite3_close(h);
}

/* One number from the database. */
static inline long long gfx_count(const gfx *g, const char *sql)
{
	sqlite3 *h = NULL;
	sqlite3_stmt *st = NULL;
	long long n = -1;

	if (sqlite3_open(g->db, &h) == SQLITE_OK && sqlite3_prepare_v2(h, sql, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(h);
	return n;
}

/* Open a session on the project as `mgate` would (database optional). */
static inline int gfx_session(session *s, const gfx *g, mg_error *err)
{
	session_opts o;

	memset(&o, 0, sizeof(o));
	o.project.config.ini_path = g->ini;
	o.project.config.no_cache = 1;
	o.project.keep_sources = 1;
	o.db = SESSION_DB_OPTIONAL;
	o.rules = 1;
	return session_open(s, &o, err);
}

/* Back the database up as it is now, as `mgate backup` would; the
 * backup's path (the caller frees it). */
static inline char *gfx_backup(const gfx *g)
{
	session s;
	mg_error err = MG_ERROR_INIT;
	backup_info b;
	char *path;

	assert_int_equal(gfx_session(&s, g, &err), 0);
	assert_int_equal(backup_take(&b, s.d, &s.vt, s.backup_dir, &s.rows, MGATE_VERSION, NULL, NULL, &err), 0);
	path = strdup(b.path);
	backup_info_release(&b);
	session_close(&s);
	return path;
}

static inline void gfx_release(gfx *g)
{
	tu_rmrf(g->dir);
	free(g->dir);
	free(g->ini);
	free(g->db);
	memset(g, 0, sizeof(*g));
}

/* Progress recorded as text, for tests to look at. */
typedef struct gfx_log {
	buf text;
} gfx_log;

static inline void gfx_log_line(void *ctx, int level, const char *text)
{
	gfx_log *l = ctx;

	buf_printf(&l->text, "%d:%s\n", level, text);
}

static inline progress gfx_progress(gfx_log *l)
{
	progress p;

	memset(&p, 0, sizeof(p));
	buf_init(&l->text);
	p.line = gfx_log_line;
	p.ctx = l;
	return p;
}

#endif
