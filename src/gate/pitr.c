/*
 * pitr.c: pgBackRest's point-in-time recovery evidence (pitr.h).
 */
#include "gate/pitr.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/spawn.h"
#include "util/banned.h"

int pitr_enabled(const mgate_settings *set)
{
	return set->backup_method && !strcmp(set->backup_method, "pgbackrest");
}

/* The pgbackrest command words, the --config and the stanza. */
static void base_argv(strvec *argv, const mgate_settings *set)
{
	buf b = BUF_INIT;
	size_t i;

	if (!set->pgbackrest_cmd.n)
		strvec_push(argv, "pgbackrest");
	for (i = 0; i < set->pgbackrest_cmd.n; i++)
		strvec_push(argv, set->pgbackrest_cmd.v[i]);
	if (set->pgbackrest_config) {
		buf_printf(&b, "--config=%s", set->pgbackrest_config);
		strvec_push(argv, b.ptr);
		buf_truncate(&b, 0);
	}
	buf_printf(&b, "--stanza=%s", set->pgbackrest_stanza);
	strvec_push(argv, b.ptr);
	buf_release(&b);
}

/* Words joined for a person to paste into a shell: a word with anything
 * but letters, digits and _./=:,+- in it single-quoted. */
static void join_words(buf *out, const strvec *argv)
{
	size_t i;

	for (i = 0; i < argv->n; i++) {
		const char *w = argv->v[i], *p;
		int plain = *w != 0;
		for (p = w; *p && plain; p++)
			plain = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
				strchr("_./=:,+-", *p);
		if (i)
			buf_putc(out, ' ');
		if (plain) {
			buf_puts(out, w);
			continue;
		}
		buf_putc(out, '\'');
		for (p = w; *p; p++)
			if (*p == '\'')
				buf_puts(out, "'\\''");
			else
				buf_putc(out, *p);
		buf_putc(out, '\'');
	}
}

/* The pgbackrest command for this stanza with `verb` (and `more`, may be
 * NULL), as a person would type it. */
static void command_text(buf *out, const mgate_settings *set, const char *verb, const char *more)
{
	strvec argv = STRVEC_INIT;

	base_argv(&argv, set);
	strvec_push(&argv, verb);
	if (more)
		strvec_push(&argv, more);
	join_words(out, &argv);
	strvec_release(&argv);
}

/* `pgbackrest info --output=json` for the stanza: its one element, or
 * NULL with the reason in `why`. */
static json_t *stanza_info(const mgate_settings *set, buf *why)
{
	strvec argv = STRVEC_INIT;
	buf out = BUF_INIT, errtext = BUF_INIT;
	mg_error err = MG_ERROR_INIT;
	spawn_opts o;
	json_t *all = NULL, *one = NULL;
	int status = 0;

	base_argv(&argv, set);
	strvec_push(&argv, "info");
	strvec_push(&argv, "--output=json");
	memset(&o, 0, sizeof(o));
	o.argv = strvec_argv(&argv);
	o.out = &out;
	o.err = &errtext;
	if (spawn_run(&status, &o, &err) < 0)
		buf_printf(why, "cannot run %s: %s", argv.v[0], err.msg);
	else if (status != 0)
		buf_printf(why, "`pgbackrest info` failed (exit %d): %.*s", status, (int)strcspn(errtext.ptr, "\n"),
			   errtext.ptr);
	else if (!(all = json_loadb(out.ptr, out.len, 0, NULL)) || json_array_size(all) != 1)
		buf_puts(why, "`pgbackrest info --output=json` printed no stanza mgate can read");
	else
		one = json_incref(json_array_get(all, 0));
	json_decref(all);
	strvec_release(&argv);
	buf_release(&out);
	buf_release(&errtext);
	return one;
}

/* The stanza's own problem (its status, or a repository's), or NULL. */
static const char *stanza_problem(json_t *st)
{
	json_t *status = json_object_get(st, "status"), *repo = json_array_get(json_object_get(st, "repo"), 0);
	const char *msg = json_string_value(json_object_get(status, "message"));
	const char *repo_msg = json_string_value(json_object_get(json_object_get(repo, "status"), "message"));

	if (json_integer_value(json_object_get(status, "code")) == 0 && json_is_integer(json_object_get(status, "code")))
		return NULL;
	/* 99 ("other") says what went wrong only in the repository's status */
	return repo_msg && strcmp(repo_msg, "ok") ? repo_msg : msg ? msg
								   : "unknown status";
}

/* The system identifier of the stanza's current cluster (the db entry
 * with the highest id) as text, into `out`. */
static void stanza_system_id(buf *out, json_t *st)
{
	json_t *dbs = json_object_get(st, "db"), *v, *best = NULL;
	size_t i;

	json_array_foreach(dbs, i, v) if (!best || json_integer_value(json_object_get(v, "id")) > json_integer_value(json_object_get(best, "id")))
		best = v;
	v = json_object_get(best, "system-id");
	if (json_is_integer(v))
		buf_printf(out, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
}

/* One text value from the database, or NULL. */
static char *scalar(db *d, const char *sql)
{
	mg_error err = MG_ERROR_INIT;
	char *v = NULL;

	if (d->ops->query_scalar(d, sql, &v, &err) < 0) {
		free(v);
		return NULL;
	}
	return v;
}

/* WAL archiving, from pg_stat_archiver: 0 working and up to date, else
 * what is wrong in `why`. */
static int archiving(pitr_evidence *out, db *d, buf *why)
{
	char *mode = scalar(d, "SELECT current_setting('archive_mode')");
	char *failing = scalar(d, "SELECT (last_failed_time IS NOT NULL AND (last_archived_time IS NULL OR "
				  "last_failed_time > last_archived_time))::text FROM pg_stat_archiver");
	char *failures = scalar(d, "SELECT failed_count FROM pg_stat_archiver");
	char *failed_wal = scalar(d, "SELECT last_failed_wal FROM pg_stat_archiver");
	/* the segment before the one being written: archived when archiving keeps up */
	char *prev = scalar(d, "SELECT pg_walfile_name(pg_current_wal_lsn() - (SELECT setting::numeric FROM pg_settings "
			       "WHERE name = 'wal_segment_size'))");
	const char *last;
	int rc = -1;

	out->last_archived_wal = scalar(d, "SELECT last_archived_wal FROM pg_stat_archiver");
	last = out->last_archived_wal;
	if (!mode || !strcmp(mode, "off"))
		buf_puts(why, "WAL archiving is off (archive_mode): no point-in-time recovery is possible");
	else if (!failing)
		buf_puts(why, "pg_stat_archiver cannot be read (the role needs pg_monitor, or pg_read_all_stats)");
	else if (!strcmp(failing, "true"))
		buf_printf(why, "WAL archiving is failing: %s failed attempts, the last on segment %s, since the last "
				"success (pg_stat_archiver)",
			   failures ? failures : "?", failed_wal ? failed_wal : "?");
	/* segments compare by number, whatever the timeline; a .history or
	 * .partial file archived last (just after a promotion) tells nothing */
	else if (prev && strlen(prev) == 24 && (!last || (strlen(last) == 24 && strcmp(last + 8, prev + 8) < 0)))
		buf_printf(why, "WAL archiving is behind: the last archived segment is %s, and %s is complete but not "
				"archived yet",
			   last ? last : "none", prev);
	else
		rc = 0;
	free(mode);
	free(failing);
	free(failures);
	free(failed_wal);
	free(prev);
	return rc;
}

/* A span of seconds in words: "45 s", "12 min", "5 h 3 min", "3 d 4 h". */
static void span(buf *out, long long s)
{
	if (s < 0)
		s = 0;
	if (s < 60)
		buf_printf(out, "%lld s", s);
	else if (s < 3600)
		buf_printf(out, "%lld min", s / 60);
	else if (s < 86400)
		buf_printf(out, "%lld h %lld min", s / 3600, s % 3600 / 60);
	else
		buf_printf(out, "%lld d %lld h", s / 86400, s % 86400 / 3600);
}

static const char *text_or(const json_t *v, const char *dflt)
{
	return json_string_value(v) ? json_string_value(v) : dflt;
}

/* The stanza's newest backup, judged: 0 when it is usable and fresh. */
static int newest_backup(pitr_evidence *out, json_t *st, long long max_age, buf *why)
{
	json_t *all = json_object_get(st, "backup");
	json_t *b = json_array_get(all, json_array_size(all) ? json_array_size(all) - 1 : 0);
	long long age;

	if (!b) {
		buf_puts(why, "the stanza has no backup");
		return -1;
	}
	out->newest_label = mg_strdup(text_or(json_object_get(b, "label"), "?"));
	out->newest_type = mg_strdup(text_or(json_object_get(b, "type"), "?"));
	out->newest_stop = json_integer_value(json_object_get(json_object_get(b, "timestamp"), "stop"));
	age = (long long)time(NULL) - out->newest_stop;
	if (json_is_true(json_object_get(b, "error")))
		buf_printf(why, "the newest backup %s has page checksum errors", out->newest_label);
	else if (age > max_age) {
		buf_printf(why, "the newest backup (%s, %s) is ", out->newest_type, out->newest_label);
		span(why, age);
		buf_puts(why, " old; the limit (backup_max_age) is ");
		span(why, max_age);
	} else {
		return 0;
	}
	return -1;
}

int pitr_check(pitr_evidence *out, const mgate_settings *set, db *d, long long max_age, mg_error *err)
{
	buf why = BUF_INIT, stanza_id = BUF_INIT;
	json_t *st = NULL;
	char *db_id = NULL;
	const char *problem;
	long long age;

	memset(out, 0, sizeof(*out));
	buf_init(&out->summary);
	buf_init(&out->next);
	if (!set->pgbackrest_stanza)
		return mg_error_set(err, MG_ECONFIG, "backup_method = pgbackrest needs pgbackrest_stanza in [mgate]");
	if (strcmp(d->ops->name, "postgresql"))
		return mg_error_set(err, MG_ECONFIG, "backup_method = pgbackrest is for PostgreSQL; this database is %s",
				    d->ops->name);
	buf_puts(&out->next, "run `");
	command_text(&out->next, set, "backup", NULL);
	buf_puts(&out->next, "`, and `");
	command_text(&out->next, set, "check", NULL);
	buf_puts(&out->next, "`");
	if (!(st = stanza_info(set, &why)))
		goto done;
	if ((problem = stanza_problem(st))) {
		buf_printf(&why, "pgBackRest stanza '%s': %s", set->pgbackrest_stanza, problem);
		goto done;
	}
	stanza_system_id(&stanza_id, st);
	db_id = scalar(d, "SELECT system_identifier::text FROM pg_control_system()");
	if (!db_id || strcmp(db_id, stanza_id.ptr)) {
		buf_printf(&why, "pgBackRest stanza '%s' backs up another cluster (system identifier %s; this database's is %s)",
			   set->pgbackrest_stanza, stanza_id.len ? stanza_id.ptr : "unknown", db_id ? db_id : "unknown");
		buf_truncate(&out->next, 0);
		buf_puts(&out->next, "check pgbackrest_stanza in [mgate] and the database URL");
		goto done;
	}
	if (newest_backup(out, st, max_age, &why) < 0)
		goto done;
	if (archiving(out, d, &why) < 0) {
		buf_truncate(&out->next, 0);
		buf_puts(&out->next, "fix archive_command (the server log and `");
		command_text(&out->next, set, "check", NULL);
		buf_puts(&out->next, "` say why); without archived WAL no backup reaches the time before the upgrade");
		goto done;
	}
	out->ok = 1;
	age = (long long)time(NULL) - out->newest_stop;
	buf_printf(&out->summary, "pgBackRest stanza '%s': newest %s backup %s, ", set->pgbackrest_stanza,
		   out->newest_type, out->newest_label);
	span(&out->summary, age);
	buf_printf(&out->summary, " old; WAL archived up to %s; point-in-time recovery to just before the upgrade is "
				  "possible",
		   out->last_archived_wal ? out->last_archived_wal : "?");
done:
	if (!out->ok)
		buf_puts(&out->summary, why.ptr);
	json_decref(st);
	free(db_id);
	buf_release(&why);
	buf_release(&stanza_id);
	return MG_OK;
}

void pitr_evidence_release(pitr_evidence *e)
{
	if (!e)
		return;
	buf_release(&e->summary);
	buf_release(&e->next);
	free(e->newest_label);
	free(e->newest_type);
	free(e->last_archived_wal);
	memset(e, 0, sizeof(*e));
}

int pitr_refuse(mg_error *err, const mgate_settings *set, long long target)
{
	buf cmd = BUF_INIT;

	if (!target) {
		command_text(&cmd, set, "--type=time", "--target=YYYY-MM-DD HH:MM:SS+00");
		mg_fail(err, MG_OUT_BLOCKED, "mgate does not run a point-in-time recovery, and the audit log does not say "
					     "when the upgrade started; choose the time and run `%s --target-action=promote "
					     "--delta restore` with PostgreSQL stopped",
			cmd.ptr);
	} else {
		pitr_restore_command(&cmd, set, target);
		mg_fail(err, MG_OUT_BLOCKED, "mgate does not run a point-in-time recovery; to take the database back to just "
					     "before the upgrade: stop PostgreSQL, run as the data directory's owner `%s`, start "
					     "PostgreSQL (it replays the archived WAL to that time and promotes), then check "
					     "with `mgate verify`",
			cmd.ptr);
	}
	buf_release(&cmd);
	return MG_OUT_BLOCKED;
}

void pitr_restore_command(buf *out, const mgate_settings *set, long long target)
{
	strvec argv = STRVEC_INIT;
	char when[48];
	time_t t = (time_t)target;
	struct tm tm;

	base_argv(&argv, set);
	strftime(when, sizeof(when), "--target=%Y-%m-%d %H:%M:%S+00", gmtime_r(&t, &tm));
	strvec_push(&argv, "--type=time");
	strvec_push(&argv, when);
	strvec_push(&argv, "--target-action=promote");
	strvec_push(&argv, "--delta");
	strvec_push(&argv, "restore");
	join_words(out, &argv);
	strvec_release(&argv);
}
