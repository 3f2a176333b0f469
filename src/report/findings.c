/*
 * findings.c: rule findings for people and for machines: text grouped by
 * revision with the source line and a caret, JSON, SARIF 2.1.0 for code
 * scanning, GitHub workflow annotations and JUnit XML (findings.h).
 */
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "report/findings.h"
#include "version.h"
#include "report/color.h"
#include "report/doc.h"
#include "util/buf.h"
#include "util/strmap.h"
#include "util/json.h"
#include "util/sha256.h"
#include "util/utf8.h"
#include "util/banned.h"

const char *report_display_path(const char *path, buf *cwd)
{
	char here[4096];

	if (!path || path[0] != '/')
		return path;
	if (!cwd->len)
		buf_puts(cwd, getcwd(here, sizeof(here)) ? here : "\001"); /* looked up once per report */
	if (!strncmp(path, cwd->ptr, cwd->len) && path[cwd->len] == '/')
		return path + cwd->len + 1;
	return path;
}

static void print_location(FILE *out, const finding *f, buf *tmp)
{
	const char *p = report_display_path(f->path, tmp);

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

void report_text(FILE *out, const findings *f, int quiet, int verbose)
{
	buf tmp = BUF_INIT;
	const char *rev = NULL;
	size_t i, suppressed = 0, notes = 0;

	for (i = 0; i < f->n; i++) {
		const finding *x = &f->v[i];
		if (x->suppressed) {
			suppressed++;
			continue;
		}
		if (quiet && x->severity != SEV_ERROR)
			continue;
		if (x->severity == SEV_INFO && !verbose) {
			notes++;
			continue;
		}
		if (x->revision && (!rev || strcmp(rev, x->revision))) {
			rev = x->revision;
			fprintf(out, "%s== revision %s (%s)\n", i ? "\n" : "", rev, report_display_path(x->path, &tmp));
		}
		print_location(out, x, &tmp);
		report_put_severity(out, x->severity);
		fprintf(out, ": %s [%s]\n", x->message, x->id);
		print_caret(out, x);
		if (!quiet) {
			print_wrapped(out, "why:", x->why);
			print_wrapped(out, "fix:", x->fix);
		}
	}
	if (notes && !quiet)
		fprintf(out, "\n%zu informational finding%s not shown (-v shows them)\n", notes, notes == 1 ? "" : "s");
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

/* Print `j` (freed) with every line after the first indented by `indent`. */
static void print_indented(FILE *out, json_t *j, const char *indent)
{
	char *text = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	const char *p;

	json_decref(j);
	if (!text)
		return;
	for (p = text; *p;) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) + 1 : strlen(p);
		fwrite(p, 1, n, out);
		if (nl)
			fputs(indent, out);
		p += n;
	}
	free(text);
}

/* A JSON string: escapes as JSON requires, invalid UTF-8 as U+FFFD, or null. */
static void json_put_str(buf *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	if (!s) {
		buf_puts(b, "null");
		return;
	}
	buf_putc(b, '"');
	while (*p) {
		size_t need = 0, k;
		/* A run of plain ASCII goes in one piece. */
		for (k = 0; p[k] >= 0x20 && p[k] < 0x80 && p[k] != '"' && p[k] != '\\'; k++)
			;
		if (k) {
			buf_put(b, (const char *)p, k);
			p += k;
			continue;
		}
		if (*p == '"' || *p == '\\') {
			buf_putc(b, '\\');
			buf_putc(b, (char)*p++);
			continue;
		}
		if (*p < 0x20) {
			if (*p == '\n')
				buf_puts(b, "\\n");
			else if (*p == '\t')
				buf_puts(b, "\\t");
			else if (*p == '\r')
				buf_puts(b, "\\r");
			else
				buf_printf(b, "\\u%04x", *p);
			p++;
			continue;
		}
		if (!(need = utf8_seq_len(p, 4))) {
			buf_puts(b, "\xEF\xBF\xBD");
			p++;
			continue;
		}
		buf_put(b, (const char *)p, need);
		p += need;
	}
	buf_putc(b, '"');
}

static void json_put_int(buf *b, int v, int present)
{
	if (present)
		buf_printf(b, "%d", v);
	else
		buf_puts(b, "null");
}

/* One finding as the same indented JSON object jansson would print at depth 2. */
static void finding_json_text(buf *b, const finding *x, const char *root)
{
	buf_puts(b, "{\n      \"rule\": ");
	json_put_str(b, x->id);
	buf_printf(b, ",\n      \"severity\": \"%s\",\n      \"revision\": ", finding_severity_name(x->severity));
	json_put_str(b, x->revision);
	buf_puts(b, ",\n      \"path\": ");
	json_put_str(b, report_root_path(x->path, root));
	buf_puts(b, ",\n      \"line\": ");
	json_put_int(b, x->line, x->line != 0);
	buf_puts(b, ",\n      \"column\": ");
	json_put_int(b, x->col + 1, x->col >= 0);
	buf_puts(b, ",\n      \"message\": ");
	json_put_str(b, x->message);
	buf_puts(b, ",\n      \"why\": ");
	json_put_str(b, x->why);
	buf_puts(b, ",\n      \"fix\": ");
	json_put_str(b, x->fix);
	buf_puts(b, ",\n      \"suppressed\": ");
	json_put_str(b, x->suppressed);
	buf_puts(b, "\n    }");
}

void report_json_stream(FILE *out, const char *name, const char *root, const findings *f, void *summary)
{
	buf b = BUF_INIT;
	size_t i;

	report_doc_open(out, name, root);
	fputs("  \"findings\": [", out);
	for (i = 0; i < f->n; i++) {
		buf_truncate(&b, 0);
		buf_puts(&b, i ? ",\n    " : "\n    ");
		finding_json_text(&b, &f->v[i], root);
		fwrite(b.ptr, 1, b.len, out);
	}
	buf_release(&b);
	fputs(f->n ? "\n  ],\n  \"summary\": " : "],\n  \"summary\": ", out);
	print_indented(out, summary, "  ");
	fputs("\n}\n", out);
}

static const char *sarif_level(finding_severity s)
{
	return s == SEV_ERROR ? "error" : s == SEV_WARNING ? "warning"
							   : "note";
}

/* A rule's message template as a description, each {placeholder} put
 * in words: "drops table '{table}': ..." -> "drops a table: ..." (a
 * quoted placeholder takes the place of the noun before it too). */
static void describe(buf *out, const char *tmpl)
{
	static const char *const words[][2] = {
		{ "table", "a table" },
		{ "column", "a column" },
		{ "columns", "columns" },
		{ "object", "an object" },
		{ "name", "a name" },
		{ "detail", "a change" },
		{ "what", "table or column" },
		{ "kind", "an object" },
		{ "mode", "a lock mode" },
		{ "pg", "this PostgreSQL" },
		{ "from_type", "one type" },
		{ "to_type", "another" },
		{ "narrowing", "narrowing" },
		{ "error", "the parser's error" },
		{ "rule", "a rule" },
		{ "accept", "an acceptance" },
		{ "ddl_line", "a statement" },
		{ "recreate", "recreating it" },
	};
	buf plain = BUF_INIT;
	const char *p;

	/* a column named with its table is a column */
	for (p = tmpl; *p;)
		if (!strncmp(p, "'{table}.{column}'", 18)) {
			buf_puts(&plain, "'{column}'");
			p += 18;
		} else {
			buf_putc(&plain, *p++);
		}
	for (p = plain.ptr; *p;) {
		int quoted = p[0] == '\'' && p[1] == '{';
		const char *open = quoted ? p + 1 : p, *close = *open == '{' ? strchr(open, '}') : NULL;
		size_t i, n;
		if (!close || (quoted && close[1] != '\'')) {
			buf_putc(out, *p++);
			continue;
		}
		n = (size_t)(close - open - 1);
		/* "table '{table}'": the noun goes, the words say it */
		if (quoted && out->len > n && out->ptr[out->len - 1] == ' ' &&
		    !strncmp(out->ptr + out->len - 1 - n, open + 1, n) &&
		    (out->len == n + 1 || out->ptr[out->len - n - 2] == ' '))
			buf_truncate(out, out->len - 1 - n);
		for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
			if (strlen(words[i][0]) == n && !strncmp(open + 1, words[i][0], n))
				break;
		if (i < sizeof(words) / sizeof(words[0]))
			buf_puts(out, words[i][1]);
		else
			for (i = 0; i < n; i++) /* an unknown name, in words */
				buf_putc(out, open[1 + i] == '_' ? ' ' : open[1 + i]);
		p = close + 1 + quoted;
	}
	buf_release(&plain);
}

/* A result's fingerprint that survives line moves: the rule, the file,
 * the revision and the message with its numbers left out. */
static void fingerprint(char hex[65], const finding *x, const char *path)
{
	buf key = BUF_INIT;
	mg_error err = MG_ERROR_INIT;
	sha256_ctx c;
	unsigned char raw[32];
	const char *p;

	buf_printf(&key, "%s\n%s\n%s\n", x->id, path ? path : "", x->revision ? x->revision : "");
	for (p = x->message ? x->message : ""; *p; p++)
		if (*p < '0' || *p > '9')
			buf_putc(&key, *p);

	if (sha256_init(&c, &err) < 0) {
		hex[0] = 0;
	} else {
		sha256_update(&c, key.ptr, key.len);
		if (sha256_final(&c, raw, hex, &err) < 0)
			hex[0] = 0;
	}
	buf_release(&key);
}

/* file:// of the rule's page beside the rules folder, or empty. */
static void help_uri(buf *out, const char *id)
{
	char *dir = rules_default_dir(), real[PATH_MAX];
	buf path = BUF_INIT;

	if (dir) {
		buf_printf(&path, "%s/../docs/rules/%s.md", dir, id);
		if (realpath(path.ptr, real))
			buf_printf(out, "file://%s", real);
	}
	free(dir);
	buf_release(&path);
}

void report_sarif(FILE *out, const findings *f, const ruleset *rules)
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
		json_object_set_new(jr, "id", json_text(ids.v[i]));
		if (r && r->message) {
			json_t *d = json_object();
			buf words = BUF_INIT;
			describe(&words, r->message);
			json_object_set_new(d, "text", json_text(words.ptr));
			json_object_set_new(jr, "shortDescription", d);
			buf_release(&words);
		}
		if (r && r->why) {
			json_t *d = json_object();
			json_object_set_new(d, "text", json_text(r->why));
			json_object_set_new(jr, "fullDescription", d);
		}
		if (r && r->fix) {
			json_t *h = json_object();
			json_object_set_new(h, "text", json_text(r->fix));
			json_object_set_new(jr, "help", h);
		}
		{
			/* where the full page is: `mgate explain <id>`, docs/rules/<id>.md */
			json_t *props = json_object();
			buf page = BUF_INIT, uri = BUF_INIT;
			buf_printf(&page, "docs/rules/%s.md", ids.v[i]);
			json_object_set_new(props, "documentation", json_text(page.ptr));
			json_object_set_new(jr, "properties", props);
			help_uri(&uri, ids.v[i]);
			if (uri.len)
				json_object_set_new(jr, "helpUri", json_text(uri.ptr));
			buf_release(&page);
			buf_release(&uri);
		}
		json_object_set_new(cfg, "level", json_string(r ? sarif_level(r->severity) : "error"));
		json_object_set_new(jr, "defaultConfiguration", cfg);
		json_array_append_new(jrules, jr);
	}
	for (i = 0; i < f->n; i++) {
		const finding *x = &f->v[i];
		json_t *res = json_object(), *msg = json_object(), *locs = json_array();
		json_object_set_new(res, "ruleId", json_text(x->id));
		json_object_set_new(res, "ruleIndex", json_integer(strvec_index(&ids, x->id)));
		json_object_set_new(res, "level", json_string(sarif_level(x->severity)));
		json_object_set_new(msg, "text", json_text(x->message));
		json_object_set_new(res, "message", msg);
		if (x->path) {
			json_t *loc = json_object(), *phys = json_object(), *art = json_object();
			json_object_set_new(art, "uri", json_text(report_display_path(x->path, &tmp)));
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
		{
			char hex[65];
			fingerprint(hex, x, x->path ? report_display_path(x->path, &tmp) : NULL);
			if (hex[0]) {
				json_t *fp = json_object();
				json_object_set_new(fp, "mgate/v1", json_string(hex));
				json_object_set_new(res, "partialFingerprints", fp);
			}
		}
		if (x->suppressed) {
			json_t *sups = json_array(), *s = json_object();
			json_object_set_new(s, "kind", json_string("inSource"));
			json_object_set_new(s, "justification", json_text(x->suppressed));
			json_array_append_new(sups, s);
			json_object_set_new(res, "suppressions", sups);
		}
		json_array_append_new(results, res);
	}
	json_object_set_new(driver, "name", json_string("mgate"));
	json_object_set_new(driver, "version", json_string(MGATE_VERSION));
	json_object_set_new(driver, "rules", jrules);
	json_object_set_new(tool, "driver", driver);
	json_object_set_new(run, "tool", tool);
	json_object_set_new(run, "results", results);
	json_array_append_new(runs, run);
	json_object_set_new(root, "$schema", json_string("https://json.schemastore.org/sarif-2.1.0.json"));
	json_object_set_new(root, "version", json_string("2.1.0"));
	json_object_set_new(root, "runs", runs);
	json_print(root, out);
	json_decref(root);
	strvec_release(&ids);
	buf_release(&tmp);
}

/* Workflow-command escaping: data escapes %, CR, LF; properties also : and ,. */
static void gh_escape(FILE *out, const char *s, int property)
{
	const char *special = property ? "%\r\n:," : "%\r\n";

	while (s && *s) {
		size_t n = strcspn(s, special);
		fwrite(s, 1, n, out);
		s += n;
		if (*s) {
			fprintf(out, "%%%02X", (unsigned char)*s);
			s++;
		}
	}
}

static const char *codeclimate_severity(finding_severity s)
{
	return s == SEV_ERROR ? "critical" : s == SEV_WARNING ? "minor"
							      : "info";
}

void report_codeclimate(FILE *out, const findings *f, const char *fallback_path)
{
	json_t *all = json_array();
	strmap seen; /* keys in `owned` */
	strvec owned = STRVEC_INIT;
	buf tmp = BUF_INIT;
	size_t i;

	memset(&seen, 0, sizeof(seen));
	for (i = 0; i < f->n; i++) {
		const finding *x = &f->v[i];
		const char *path = x->path ? report_display_path(x->path, &tmp) : fallback_path;
		json_t *o, *loc;
		char hex[65];
		buf body = BUF_INIT, key = BUF_INIT;
		size_t again = 0;
		if (x->suppressed)
			continue;
		/* the same finding twice in a file gets its own fingerprint: GitLab needs them unique */
		fingerprint(hex, x, path);
		buf_puts(&key, hex);
		while (strmap_get(&seen, key.ptr) >= 0) {
			buf_truncate(&key, 0);
			buf_printf(&key, "%s#%zu", hex, ++again);
		}
		strvec_push(&owned, key.ptr);
		strmap_put(&seen, owned.v[owned.n - 1], 1);
		if (again) {
			finding alt = *x;
			alt.message = key.ptr;
			fingerprint(hex, &alt, path);
		}
		o = json_object();
		json_object_set_new(o, "type", json_string("issue"));
		json_object_set_new(o, "check_name", json_text(x->id));
		json_object_set_new(o, "description", json_text(x->message));
		buf_puts(&body, x->why ? x->why : "");
		if (x->fix)
			buf_printf(&body, "%sFix: %s", body.len ? "\n\n" : "", x->fix);
		if (body.len)
			json_object_set_new(o, "content", json_pack("{s:o}", "body", json_text(body.ptr)));
		json_object_set_new(o, "categories", json_pack("[s]", x->severity == SEV_ERROR ? "Bug Risk" : "Compatibility"));
		json_object_set_new(o, "severity", json_string(codeclimate_severity(x->severity)));
		json_object_set_new(o, "fingerprint", json_string(hex));
		loc = json_object();
		json_object_set_new(loc, "path", json_text(path ? path : ""));
		json_object_set_new(loc, "lines", json_pack("{s:i}", "begin", x->line > 0 ? x->line : 1));
		json_object_set_new(o, "location", loc);
		json_array_append_new(all, o);
		buf_release(&body);
		buf_release(&key);
	}
	json_print(all, out);
	json_decref(all);
	strmap_release(&seen);
	strvec_release(&owned);
	buf_release(&tmp);
}

void report_github(FILE *out, const findings *f)
{
	buf tmp = BUF_INIT;
	size_t i;

	for (i = 0; i < f->n; i++) {
		const finding *x = &f->v[i];
		if (x->suppressed)
			continue;
		fprintf(out, "::%s ", x->severity == SEV_ERROR ? "error" : x->severity == SEV_WARNING ? "warning"
												      : "notice");
		if (x->path) {
			fputs("file=", out);
			gh_escape(out, report_display_path(x->path, &tmp), 1);
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

/* XML text with the five special characters escaped. */
static void xml_escape(FILE *out, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '&': fputs("&amp;", out); break;
		case '<': fputs("&lt;", out); break;
		case '>': fputs("&gt;", out); break;
		case '"': fputs("&quot;", out); break;
		case '\'': fputs("&apos;", out); break;
		default:
			if ((unsigned char)*s < 0x20 && *s != '\n' && *s != '\t')
				fputc(' ', out); /* XML 1.0 allows no other control characters */
			else
				fputc(*s, out);
		}
	}
}

void report_junit(FILE *out, const findings *f, const char *suite)
{
	buf cwd = BUF_INIT;
	size_t i, failures = findings_count_active(f, SEV_ERROR), tests = 0;

	for (i = 0; i < f->n; i++)
		tests += !f->v[i].suppressed;
	fprintf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n");
	fprintf(out, "  <testsuite name=\"");
	xml_escape(out, suite);
	fprintf(out, "\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" skipped=\"0\">\n", tests ? tests : 1, failures);
	if (!tests)
		fprintf(out, "    <testcase classname=\"mgate\" name=\"no findings\"/>\n");
	for (i = 0; i < f->n; i++) {
		const finding *x = &f->v[i];
		const char *path = report_display_path(x->path, &cwd);
		if (x->suppressed)
			continue;
		fprintf(out, "    <testcase classname=\"");
		xml_escape(out, x->id);
		fprintf(out, "\" name=\"");
		xml_escape(out, path ? path : (x->revision ? x->revision : x->id));
		if (x->line)
			fprintf(out, ":%d", x->line);
		fprintf(out, "\"%s", path ? " file=\"" : "");
		if (path) {
			xml_escape(out, path);
			fputc('"', out);
		}
		fprintf(out, ">\n");
		if (x->severity == SEV_ERROR) {
			fprintf(out, "      <failure type=\"error\" message=\"");
			xml_escape(out, x->message);
			fprintf(out, "\"");
			if (x->fix) {
				fputc('>', out);
				xml_escape(out, x->fix);
				fprintf(out, "</failure>\n");
			} else {
				fprintf(out, "/>\n");
			}
		} else {
			/* a warning passes: its text goes to the output, its severity to a property */
			fprintf(out, "      <properties><property name=\"severity\" value=\"%s\"/></properties>\n",
				finding_severity_name(x->severity));
			fprintf(out, "      <system-out>%s: ", finding_severity_name(x->severity));
			xml_escape(out, x->message);
			fprintf(out, "</system-out>\n");
		}
		fprintf(out, "    </testcase>\n");
	}
	fprintf(out, "  </testsuite>\n</testsuites>\n");
	buf_release(&cwd);
}
