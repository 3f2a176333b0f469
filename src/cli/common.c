/*
 * common.c: what every command shares besides option parsing: opening the
 * project or a session from the common options, printing errors and
 * progress, asking before destructive work, and small formatting helpers.
 */
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "report/color.h"
#include "report/gate.h"
#include "report/doc.h"
#include "util/json.h"
#include "util/parse.h"
#include "util/banned.h"

void cli_project_opts(project_opts *out, const cli_common *c, int keep_sources)
{
	memset(out, 0, sizeof(*out));
	out->config.ini_path = c->config;
	out->config.section = c->name;
	out->config.script_location = c->script_location;
	out->config.alembic_version = c->alembic_version;
	out->config.no_cache = c->no_cache;
	out->keep_sources = keep_sources;
}

int cli_load_project(project *p, const cli_common *c, int keep_sources)
{
	project_opts o;
	mg_error err = MG_ERROR_INIT;
	int rc;

	cli_project_opts(&o, c, keep_sources);
	if ((rc = project_load(p, &o, &err)) < 0) {
		fprintf(stderr, "mgate: error: %s\n", err.msg);
		return mg_outcome_of(rc);
	}
	return EXIT_OK;
}

int cli_load_rules(ruleset *out, const char *dir, const mgate_config *cfg)
{
	mg_error err = MG_ERROR_INIT;
	int rc;

	if ((rc = ruleset_load_project(out, dir, cfg, &err)) < 0) {
		fprintf(stderr, "mgate: error: %s\n", err.msg);
		return mg_outcome_of(rc);
	}
	return EXIT_OK;
}

int cli_open(session *s, const cli_common *c, session_opts *o)
{
	mg_error err = MG_ERROR_INIT;
	int rc;

	cli_project_opts(&o->project, c, 1);
	if ((rc = session_open(s, o, &err)) < 0) {
		fprintf(stderr, "mgate: error: %s\n", err.msg);
		return mg_outcome_of(rc);
	}
	return EXIT_OK;
}

int cli_fail(const char *cmd, const mg_error *err, int outcome)
{
	fprintf(stderr, "mgate %s: %s\n", cmd, err->msg);
	return outcome > 0 ? outcome : mg_outcome_of(err->code);
}

static void print_checklist(void *ctx, const checklist_result *r, const char *target, const char *where,
			    const char *id)
{
	const cli_printer *pr = ctx;

	report_checklist_text(pr->out, r, target, where, pr->quiet ? -1 : 0);
	fprintf(pr->out, "correlation id: %s\n", id);
}

static void print_running(void *ctx, const strvec *argv)
{
	FILE *out = ((cli_printer *)ctx)->out;
	size_t i;

	fprintf(out, "\nrunning:");
	for (i = 0; i < argv->n; i++)
		fprintf(out, " %s", argv->v[i]);
	fprintf(out, "\n");
	fflush(out);
}

static void print_line(void *ctx, int level, const char *text)
{
	const cli_printer *pr = ctx;

	if (level == PROGRESS_OUT) {
		fprintf(pr->out, "%s\n", text);
		fflush(pr->out);
	} else if (level == PROGRESS_NOTE) {
		fprintf(stderr, "mgate %s: %s\n", pr->cmd, text);
	} else {
		fprintf(stderr, "%s%s\n", level == PROGRESS_WARN ? "mgate: warning: " : "", text);
	}
}

void cli_progress(progress *p, cli_printer *pr)
{
	p->checklist = print_checklist;
	p->running = print_running;
	p->line = print_line;
	p->ctx = pr;
}

int cli_seconds(long *out, const char *cmd, const char *name, const char *value)
{
	const char *expected;
	long long v = 0;

	if (value && parse_long(&v, value, 0, 366LL * 86400, &expected) < 0) {
		fprintf(stderr, "mgate %s: --%s '%s': expected %s (seconds)\n", cmd, name, value, expected);
		return EXIT_USAGE;
	}
	*out = (long)v;
	return 0;
}

int cli_confirm(const char *cmd, const char *what, int yes)
{
	char line[64];

	if (yes)
		return 0;
	if (!isatty(0)) {
		fprintf(stderr, "mgate %s: %s needs --yes when there is no terminal to ask on\n", cmd, what);
		return EXIT_USAGE;
	}
	fprintf(stderr, "%s. Type 'yes' to go on: ", what);
	fflush(stderr);
	if (!fgets(line, sizeof(line), stdin) || strcmp(line, "yes\n")) {
		fprintf(stderr, "mgate %s: not confirmed; nothing was changed\n", cmd);
		return EXIT_FINDINGS;
	}
	return 0;
}

void cli_print_findings(const findings *f, int quiet)
{
	buf out = BUF_INIT;
	size_t i;
	int p;

	/* stderr is unbuffered: one write per block of lines, not per piece */
	for (i = 0; i < f->n; i++) {
		const finding *x = &f->v[i];
		if (quiet && x->severity != SEV_ERROR)
			continue;
		if (x->path && x->line)
			buf_printf(&out, "%s:%d: ", x->path, x->line);
		else if (x->path)
			buf_printf(&out, "%s: ", x->path);
		p = report_severity_paint(x->severity);
		buf_printf(&out, "%s%s%s: %s [%s]\n", p < 0 ? "" : report_paint_on(stderr, (enum report_paint)p),
			   finding_severity_name(x->severity), p < 0 ? "" : report_paint_off(stderr), x->message, x->id);
		if (out.len >= 65536) {
			fwrite(out.ptr, 1, out.len, stderr);
			buf_truncate(&out, 0);
		}
	}
	if (out.len)
		fwrite(out.ptr, 1, out.len, stderr);
	buf_release(&out);
}

int cli_check_format(const char *format, const char *const *allowed, const char *cmd)
{
	size_t i;

	for (i = 0; allowed[i]; i++)
		if (!strcmp(format, allowed[i]))
			return 0;
	fprintf(stderr, "mgate %s: unknown format '%s'; expected one of:", cmd, format);
	for (i = 0; allowed[i]; i++)
		fprintf(stderr, " %s", allowed[i]);
	fputc('\n', stderr);
	return EXIT_USAGE;
}

void cli_print_doc(const char *name, const char *root, void *json, const char *array_key)
{
	json_t *doc = report_doc(name, root, json, array_key);

	json_print(doc, stdout);
	json_decref(doc);
}

void cli_format_labels(buf *out, const revnode *r)
{
	if (!r->labels.n)
		return;
	buf_puts(out, " (");
	buf_join(out, r->labels.v, r->labels.n, ", ");
	buf_putc(out, ')');
}

void cli_format_down(buf *out, const revnode *r)
{
	if (!r->s->down.n) {
		buf_puts(out, "<base>");
		return;
	}
	buf_join(out, r->s->down.v, r->s->down.n, ", ");
}
