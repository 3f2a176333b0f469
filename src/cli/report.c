/*
 * report.c: rule findings for people and for machines: text grouped by
 * revision with the source line and a caret, JSON, SARIF 2.1.0 for code
 * scanning, and GitHub workflow annotations.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "version.h"
#include "util/buf.h"
#include "util/banned.h"

const char *cli_display_path(const char *path, buf *tmp)
{
	char cwd[4096];
	size_t n;

	if (!path)
		return NULL;
	if (path[0] != '/' || !getcwd(cwd, sizeof(cwd)))
		return path;
	n = strlen(cwd);
	if (!strncmp(path, cwd, n) && path[n] == '/') {
		buf_truncate(tmp, 0);
		buf_puts(tmp, path + n + 1);
		return tmp->ptr;
	}
	return path;
}

static void print_location(FILE *out, const finding *f, buf *tmp)
{
	const char *p = cli_display_path(f->path, tmp);

	if (p && f->line && f->col >= 0)
		fprintf(out, "%s:%d:%d: ", p, f->line, f->col + 1);
	else if (p && f->line)
		fprintf(out, "%s:%d: ", p, f->line);
	else if (p)
		fprintf(out, "%s: ", p);
}

static void print_caret(FILE *out, const finding *f)
{
	int i;

	if (!f->source || !f->line)
		return;
	fprintf(out, "  %5d | %s\n", f->line, f->source);
	if (f->col < 0)
		return;
	fprintf(out, "        | ");
	for (i = 0; i < f->col && f->source[i]; i++)
		fputc(f->source[i] == '\t' ? '\t' : ' ', out);
	fputs("^\n", out);
}

static void print_wrapped(FILE *out, const char *label, const char *text)
{
	if (text)
		fprintf(out, "    %s %s\n", label, text);
}

void cli_report_text(FILE *out, const findings *f, int quiet, int verbose)
{
	buf tmp = BUF_INIT;
	const char *rev = NULL;
	size_t i, suppressed = 0;

	for (i = 0; i < f->n; i++) {
		const finding *x = &f->v[i];
		if (x->suppressed) {
			suppressed++;
			continue;
		}
		if (quiet && x->severity != SEV_ERROR)
			continue;
		if (x->revision && (!rev || strcmp(rev, x->revision))) {
			rev = x->revision;
			fprintf(out, "%s== revision %s (%s)\n", i ? "\n" : "", rev, cli_display_path(x->path, &tmp));
		}
		print_location(out, x, &tmp);
		fprintf(out, "%s: %s [%s]\n", finding_severity_name(x->severity), x->message, x->id);
		print_caret(out, x);
		if (!quiet) {
			print_wrapped(out, "why:", x->why);
			print_wrapped(out, "fix:", x->fix);
		}
	}
	if (suppressed && !quiet) {
		fprintf(out, "\nsuppressed (%zu):\n", suppressed);
		for (i = 0; i < f->n; i++) {
			const finding *x = &f->v[i];
			if (!x->suppressed)
				continue;
			fputs("  ", out);
			print_location(out, x, &tmp);
			fprintf(out, "%s -- %s\n", x->id, x->suppressed);
			if (verbose)
				fprintf(out, "    %s\n", x->message);
		}
	}
	buf_release(&tmp);
}

static json_t *finding_json(const finding *x, buf *tmp)
{
	json_t *o = json_object();

	json_object_set_new(o, "rule", cli_json_str(x->id));
	json_object_set_new(o, "severity", json_string(finding_severity_name(x->severity)));
	json_object_set_new(o, "revision", x->revision ? cli_json_str(x->revision) : json_null());
	json_object_set_new(o, "path", x->path ? cli_json_str(cli_display_path(x->path, tmp)) : json_null());
	json_object_set_new(o, "line", x->line ? json_integer(x->line) : json_null());
	json_object_set_new(o, "column", x->col >= 0 ? json_integer(x->col + 1) : json_null());
	json_object_set_new(o, "message", cli_json_str(x->message));
	json_object_set_new(o, "why", x->why ? cli_json_str(x->why) : json_null());
	json_object_set_new(o, "fix", x->fix ? cli_json_str(x->fix) : json_null());
	json_object_set_new(o, "suppressed", x->suppressed ? cli_json_str(x->suppressed) : json_null());
	return o;
}

void *cli_report_json(const findings *f)
{
	json_t *arr = json_array();
	buf tmp = BUF_INIT;
	size_t i;

	for (i = 0; i < f->n; i++)
		json_array_append_new(arr, finding_json(&f->v[i], &tmp));
	buf_release(&tmp);
	return arr;
}

static const char *sarif_level(finding_severity s)
{
	return s == SEV_ERROR ? "error" : s == SEV_WARNING ? "warning" : "note";
}

void cli_report_sarif(const findings *f, const ruleset *rules)
{
	json_t *root = json_object(), *run = json_object(), *driver = json_object(), *tool = json_object();
	json_t *jrules = json_array(), *results = json_array(), *runs = json_array();
	strvec ids = STRVEC_INIT;
	buf tmp = BUF_INIT;
	size_t i;

	for (i = 0; i < f->n; i++)
		if (strvec_index(&ids, f->v[i].id) < 0)
			strvec_push(&ids, f->v[i].id);
	for (i = 0; i < ids.n; i++) {
		const rule *r = rules ? ruleset_find(rules, ids.v[i]) : NULL;
		json_t *jr = json_object(), *cfg = json_object();
		buf help = BUF_INIT;
		json_object_set_new(jr, "id", cli_json_str(ids.v[i]));
		if (r && r->why) {
			json_t *d = json_object();
			json_object_set_new(d, "text", cli_json_str(r->why));
			json_object_set_new(jr, "fullDescription", d);
		}
		if (r && r->fix) {
			json_t *h = json_object();
			json_object_set_new(h, "text", cli_json_str(r->fix));
			json_object_set_new(jr, "help", h);
		}
		buf_printf(&help, "https://github.com/mgate/mgate/blob/main/docs/rules/%s.md", ids.v[i]);
		json_object_set_new(jr, "helpUri", cli_json_str(help.ptr));
		buf_release(&help);
		json_object_set_new(cfg, "level", json_string(r ? sarif_level(r->severity) : "error"));
		json_object_set_new(jr, "defaultConfiguration", cfg);
		json_array_append_new(jrules, jr);
	}
	for (i = 0; i < f->n; i++) {
		const finding *x = &f->v[i];
		json_t *res = json_object(), *msg = json_object(), *locs = json_array();
		json_object_set_new(res, "ruleId", cli_json_str(x->id));
		json_object_set_new(res, "ruleIndex", json_integer(strvec_index(&ids, x->id)));
		json_object_set_new(res, "level", json_string(sarif_level(x->severity)));
		json_object_set_new(msg, "text", cli_json_str(x->message));
		json_object_set_new(res, "message", msg);
		if (x->path) {
			json_t *loc = json_object(), *phys = json_object(), *art = json_object();
			json_object_set_new(art, "uri", cli_json_str(cli_display_path(x->path, &tmp)));
			json_object_set_new(phys, "artifactLocation", art);
			if (x->line) {
				json_t *region = json_object();
				json_object_set_new(region, "startLine", json_integer(x->line));
				if (x->col >= 0)
					json_object_set_new(region, "startColumn", json_integer(x->col + 1));
				json_object_set_new(phys, "region", region);
			}
			json_object_set_new(loc, "physicalLocation", phys);
			json_array_append_new(locs, loc);
		}
		json_object_set_new(res, "locations", locs);
		if (x->suppressed) {
			json_t *sups = json_array(), *s = json_object();
			json_object_set_new(s, "kind", json_string("inSource"));
			json_object_set_new(s, "justification", cli_json_str(x->suppressed));
			json_array_append_new(sups, s);
			json_object_set_new(res, "suppressions", sups);
		}
		json_array_append_new(results, res);
	}
	json_object_set_new(driver, "name", json_string("mgate"));
	json_object_set_new(driver, "version", json_string(MGATE_VERSION));
	json_object_set_new(driver, "informationUri", json_string("https://github.com/mgate/mgate"));
	json_object_set_new(driver, "rules", jrules);
	json_object_set_new(tool, "driver", driver);
	json_object_set_new(run, "tool", tool);
	json_object_set_new(run, "results", results);
	json_array_append_new(runs, run);
	json_object_set_new(root, "$schema", json_string("https://json.schemastore.org/sarif-2.1.0.json"));
	json_object_set_new(root, "version", json_string("2.1.0"));
	json_object_set_new(root, "runs", runs);
	cli_print_json(root);
	strvec_release(&ids);
	buf_release(&tmp);
}

/* Workflow-command escaping: data escapes %, CR, LF; properties also : and ,. */
static void gh_escape(FILE *out, const char *s, int property)
{
	for (; s && *s; s++) {
		if (*s == '%')
			fputs("%25", out);
		else if (*s == '\r')
			fputs("%0D", out);
		else if (*s == '\n')
			fputs("%0A", out);
		else if (property && *s == ':')
			fputs("%3A", out);
		else if (property && *s == ',')
			fputs("%2C", out);
		else
			fputc(*s, out);
	}
}

void cli_report_github(FILE *out, const findings *f)
{
	buf tmp = BUF_INIT;
	size_t i;

	for (i = 0; i < f->n; i++) {
		const finding *x = &f->v[i];
		if (x->suppressed)
			continue;
		fprintf(out, "::%s ", x->severity == SEV_ERROR ? "error" : x->severity == SEV_WARNING ? "warning" : "notice");
		if (x->path) {
			fputs("file=", out);
			gh_escape(out, cli_display_path(x->path, &tmp), 1);
			if (x->line)
				fprintf(out, ",line=%d", x->line);
			if (x->col >= 0)
				fprintf(out, ",col=%d", x->col + 1);
			fputc(',', out);
		}
		fputs("title=", out);
		gh_escape(out, x->id, 1);
		fputs("::", out);
		gh_escape(out, x->message, 0);
		if (x->fix) {
			gh_escape(out, "\n\nFix: ", 0);
			gh_escape(out, x->fix, 0);
		}
		fputc('\n', out);
	}
	buf_release(&tmp);
}
