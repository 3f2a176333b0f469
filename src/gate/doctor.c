/*
 * doctor.c: each piece mgate depends on, looked at (doctor.h).
 */
#include "gate/doctor.h"

#include <git2.h>
#include <jansson.h>
#include <libpq-fe.h>
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <pg_query.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db/db.h"
#include "gate/alembic_cmd.h"
#include "gate/backup.h"
#include "gate/scratch.h"
#include "gate/session.h"
#include "lint/rules.h"
#include "version.h"
#include "util/buf.h"
#include "util/fs.h"
#include "util/run.h"
#include "util/sha256.h"
#include "util/spawn.h"
#include "util/banned.h"

static void line(doctor_report *d, int ok, const char *what, const char *fix, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static void line(doctor_report *d, int ok, const char *what, const char *fix, const char *fmt, ...)
{
	doctor_line *l;
	buf b = BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	if (d->n == d->alloc) {
		d->alloc = d->alloc ? 2 * d->alloc : 16;
		d->v = mg_realloc(d->v, d->alloc * sizeof(*d->v));
	}
	l = &d->v[d->n++];
	l->ok = ok;
	l->what = mg_strdup(what);
	l->detail = buf_detach(&b);
	l->fix = !ok && fix ? mg_strdup(fix) : NULL;
	d->problems += !ok;
}

static void versions(doctor_report *d)
{
	int major = 0, minor = 0, rev = 0;
	char pcre[64] = "?";

	git_libgit2_version(&major, &minor, &rev);
	pcre2_config(PCRE2_CONFIG_VERSION, pcre);
	line(d, 1, "mgate", NULL, "%s", MGATE_VERSION);
	line(d, 1, "libraries", NULL, "SQLite %s, libpq %d, libgit2 %d.%d.%d, PCRE2 %s, jansson %s, libpg_query %s, %s",
	     sqlite3_libversion(), PQlibVersion(), major, minor, rev, pcre, jansson_version_str(), PG_VERSION,
	     sha256_provider());
}

static void alembic_runnable(doctor_report *d, const mgate_config *cfg)
{
	strvec cmd = STRVEC_INIT;
	buf out = BUF_INIT, err_out = BUF_INIT, shown = BUF_INIT;
	mg_error err = MG_ERROR_INIT;
	spawn_opts so;
	int status = -1;

	alembic_argv(&cmd, cfg);
	buf_join(&shown, (const char *const *)cmd.v, cmd.n, " ");
	strvec_push(&cmd, "--version");
	memset(&so, 0, sizeof(so));
	so.argv = strvec_argv(&cmd);
	so.out = &out;
	so.err = &err_out;
	if (spawn_run(&status, &so, &err) < 0 || status != 0)
		line(d, 0, "alembic", "install Alembic (Debian: apt install alembic) or set alembic_cmd in [mgate]",
		     "'%s --version' failed%s%s", shown.ptr, err.msg[0] ? ": " : "", err.msg);
	else
		line(d, 1, "alembic", NULL, "%.*s via '%s' (load order of Alembic %d.%d, %s)",
		     (int)strcspn(out.len ? out.ptr : err_out.ptr, "\n"), out.len ? out.ptr : err_out.ptr, shown.ptr,
		     cfg->compat.major, cfg->compat.minor, cfg->compat.source);
	strvec_release(&cmd);
	buf_release(&out);
	buf_release(&err_out);
	buf_release(&shown);
}

/* The database and its version table, connected through a session. */
static void database(doctor_report *d, session *s)
{
	const char *schema = s->vt.schema;
	size_t i;

	if (!s->url) {
		line(d, 0, "database", "pass --db URL, set MGATE_DATABASE_URL, or set sqlalchemy.url in alembic.ini",
		     "no database URL");
		return;
	}
	if (!s->d) {
		line(d, 0, s->reached ? "version table" : "database", NULL, "%s", s->dberr.ptr);
		return;
	}
	line(d, 1, "database", NULL, "%s (%s)", s->where.ptr, s->server.ptr);
	for (i = 0; i < s->rows.n; i++)
		if (revmap_index(&s->p.map, s->rows.v[i]) < 0)
			break;
	if (i < s->rows.n) {
		line(d, 0, "version table", "deploy the code that has it, or check this is the right database",
		     "'%s%s%s' names revision '%s', which no script defines", schema ? schema : "", schema ? "." : "",
		     s->vt.table, s->rows.v[i]);
	} else if (!s->vt_exists) {
		line(d, 1, "version table", NULL, "'%s' does not exist yet: an empty database at base", s->vt.table);
	} else {
		buf r = BUF_INIT;
		buf_join(&r, (const char *const *)s->rows.v, s->rows.n, ", ");
		line(d, 1, "version table", NULL, "'%s%s%s' at %s", schema ? schema : "", schema ? "." : "", s->vt.table,
		     r.len ? r.ptr : "base");
		buf_release(&r);
	}
}

static void backups(doctor_report *d, const session *s)
{
	const char *dir = s->p.cfg.settings.backup_dir;
	buf id = BUF_INIT;
	backup_list l;
	mg_error err = MG_ERROR_INIT;
	size_t i, ok = 0, mine = 0;
	const backup_info *newest = NULL;

	memset(&l, 0, sizeof(l));
	if (!dir) {
		line(d, 0, "backups", "set backup_dir in [mgate] and run `mgate backup`", "no backup folder configured");
		return;
	}
	if (!fs_is_dir(dir)) {
		line(d, 0, "backups", "run `mgate backup` (it creates the folder)", "'%s' does not exist yet", dir);
		return;
	}
	if (access(dir, W_OK) != 0) {
		line(d, 0, "backups", "give this user write access to the folder", "'%s' is not writable", dir);
		return;
	}
	backup_list_dir(&l, dir, 1, &err);
	if (s->d)
		session_identity(&id, s);
	for (i = 0; i < l.n; i++) {
		ok += l.v[i].status == BACKUP_OK;
		if (id.len && l.v[i].identity && !strcmp(l.v[i].identity, id.ptr) && l.v[i].status == BACKUP_OK) {
			mine++;
			if (!newest)
				newest = &l.v[i];
		}
	}
	line(d, ok == l.n, "backups", ok == l.n ? NULL : "see `mgate backup --list`",
	     "%s: %zu backup%s (%zu verify), %zu of this database%s%s", dir, l.n, l.n == 1 ? "" : "s", ok, mine,
	     newest ? ", newest " : "", newest ? newest->created_at : "");
	backup_list_release(&l);
	buf_release(&id);
}

/* The configuration, the locations and the revisions. */
static void project_lines(doctor_report *d, const project *p)
{
	size_t i;

	free(d->root);
	d->root = p->cfg.here ? mg_strdup(p->cfg.here) : NULL;
	line(d, 1, "config", NULL, "%s [%s]", p->cfg.ini_path ? p->cfg.ini_path : "(no ini)", p->cfg.section ? p->cfg.section : "-");
	line(d, 1, "script location", NULL, "%s", p->cfg.script_location);
	for (i = 0; i < p->cfg.version_locations.n; i++)
		line(d, fs_is_dir(p->cfg.version_locations.v[i]), "version location", "create it, or fix version_locations",
		     "%s%s", p->cfg.version_locations.v[i], fs_is_dir(p->cfg.version_locations.v[i]) ? "" : " does not exist");
	line(d, !p->map.broken && !findings_count(&p->found, SEV_ERROR), "revisions", "run `mgate heads` to see the findings",
	     "%zu revision%s, %zu head%s%s", p->map.n, p->map.n == 1 ? "" : "s", p->map.heads.n,
	     p->map.heads.n == 1 ? "" : "s", p->map.broken ? "; the graph is broken" : "");
}

/* Can throw-away databases be made where drills and rehearsals make
 * them? One is created and dropped. */
static void scratch_target(doctor_report *d, session *s, const char *option, const char *id)
{
	mg_error err = MG_ERROR_INIT;
	const char *given = option ? option : s->p.cfg.settings.scratch_url;
	scratch scr;
	int own;

	memset(&scr, 0, sizeof(scr));
	if (session_scratch(s, given, option ? "--scratch-url" : "scratch_url in [mgate]", &err) < 0) {
		line(d, 0, "scratch", "fix scratch_url", "%s", err.msg);
		return;
	}
	own = s->scratch_url == s->url;
	if (scratch_create(&scr, s->scratch_url, "mgate_doctor", id, &err) < 0)
		line(d, 0, "scratch", own ? "grant the role CREATEDB, or set scratch_url in [mgate] to a scratch server" : "check scratch_url: the server, its role, and CREATEDB there",
		     "drills and rehearsals cannot make their throw-away copy: %s", err.msg);
	else
		line(d, 1, "scratch", NULL, "drills and rehearsals can make their throw-away copy%s (made and dropped %s)",
		     own ? "" : " on the scratch server", scr.redacted.ptr);
	scratch_release(&scr, 0);
}

void doctor_run(doctor_report *out, const project_opts *po, const char *db_url, const char *scratch_url)
{
	session s;
	session_opts so;
	mg_error err = MG_ERROR_INIT;
	ruleset rules;
	size_t inv;

	memset(out, 0, sizeof(*out));
	memset(&so, 0, sizeof(so));
	versions(out);
	so.project = *po;
	so.db = SESSION_NO_DB;
	so.db_url = db_url;
	if (session_open(&s, &so, &err) < 0) {
		line(out, 0, "project", "pass -c PATH to alembic.ini, or --script-location DIR",
		     "the project cannot be read: %s", err.msg);
		session_close(&s);
		return;
	}
	project_lines(out, &s.p);
	alembic_runnable(out, &s.p.cfg);
	if (ruleset_load_project(&rules, NULL, &s.p.cfg, &err) == 0)
		line(out, 1, "rules", NULL, "%zu rules loaded", rules.n);
	else
		line(out, 0, "rules", "fix the rules file named here", "the rule catalogue does not load: %s", err.msg);
	ruleset_release(&rules);
	if (s.url && session_connect(&s, 0, &err) < 0)
		buf_puts(&s.dberr, err.msg);
	database(out, &s);
	if (s.d) {
		char id[17];
		run_new_id(id);
		scratch_target(out, &s, scratch_url, id);
	}
	backups(out, &s);
	inv = s.p.cfg.settings.ninvariants;
	line(out, 1, "checks", NULL, "graph, state, backup, rollback, rules, locks%s (%zu invariant%s)", inv ? ", invariants" : "",
	     inv, inv == 1 ? "" : "s");
	session_close(&s);
}

void doctor_report_release(doctor_report *r)
{
	size_t i;

	for (i = 0; r && i < r->n; i++) {
		free(r->v[i].what);
		free(r->v[i].detail);
		free(r->v[i].fix);
	}
	if (r) {
		free(r->v);
		free(r->root);
		memset(r, 0, sizeof(*r));
	}
}
