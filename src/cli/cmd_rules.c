/*
 * cmd_rules.c: `mgate rules` lists the catalogue; `mgate explain <id>`
 * prints one rule's documentation page and its definition.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "util/json.h"
#include "util/buf.h"
#include "util/fs.h"
#include "util/banned.h"

static const char *const formats[] = { "text", "json", NULL };
static const char *const text_only[] = { "text", NULL }; /* explain prints the rule's Markdown page */

static void join_matches(buf *out, const rule *r)
{
	size_t i;

	for (i = 0; i < r->ops.n; i++)
		buf_printf(out, "%sop:%s", out->len ? ", " : "", r->ops.v[i]);
	for (i = 0; i < r->sql.n; i++)
		buf_printf(out, "%ssql:%s", out->len ? ", " : "", r->sql.v[i]);
	for (i = 0; i < r->builtins.n; i++)
		buf_printf(out, "%sbuiltin:%s", out->len ? ", " : "", r->builtins.v[i]);
	if (r->pattern_src)
		buf_printf(out, "%spattern:%s", out->len ? ", " : "", r->pattern_src);
}

static const char *dialect_names(const rule *r)
{
	switch (r->dialects) {
	case RULE_POSTGRESQL: return "postgresql";
	case RULE_SQLITE: return "sqlite";
	default: return "all";
	}
}

/* Load the project's config when there is one; rules need no project. */
static int load_rules_for(ruleset *rules, const cli_common *common, const char *rules_dir, project *p, int *have)
{
	int rc;

	*have = 0;
	if (common->config || fs_exists("alembic.ini")) {
		if ((rc = cli_load_project(p, common, 0)) != 0)
			return rc;
		*have = 1;
	}
	return cli_load_rules(rules, rules_dir, *have ? &p->cfg : NULL);
}

int cmd_rules(int argc, char **argv)
{
	cli_common common;
	project p;
	ruleset rules;
	strvec args = STRVEC_INIT;
	const char *rules_dir = NULL;
	int rc, have = 0, strict = 0;
	size_t i;
	cli_option opts[] = {
		OPT_STRING_(0, "rules", &rules_dir, "DIR", "the project's rules folder, loaded over the built-in rules"),
		OPT_FLAG_(0, "strict", &strict, "show the severities --strict uses"),
		OPT_END_(),
	};

	memset(&p, 0, sizeof(p));
	memset(&rules, 0, sizeof(rules));
	if ((rc = cli_begin(argc, argv, "rules", "[options]", opts, formats, 0, &common, &args)) != 0)
		goto cleanup;
	if ((rc = load_rules_for(&rules, &common, rules_dir, &p, &have)) != 0)
		goto cleanup;
	if (!strcmp(common.format, "json")) {
		json_t *arr = json_array();
		for (i = 0; i < rules.n; i++) {
			const rule *r = &rules.v[i];
			json_t *o = json_object();
			buf m = BUF_INIT;
			join_matches(&m, r);
			json_object_set_new(o, "id", json_string(r->id));
			json_object_set_new(o, "severity", json_string(r->disabled ? "off" : finding_severity_name(rule_severity(r, strict))));
			json_object_set_new(o, "strict_severity",
					    r->has_strict ? json_string(finding_severity_name(r->strict_severity)) : json_null());
			json_object_set_new(o, "match", json_text(m.ptr));
			json_object_set_new(o, "when", r->when_src ? json_text(r->when_src) : json_null());
			json_object_set_new(o, "dialects", json_string(dialect_names(r)));
			json_object_set_new(o, "file", json_text(r->file));
			json_array_append_new(arr, o);
			buf_release(&m);
		}
		cli_print_doc("rules", have ? p.cfg.here : NULL, arr, "rules");
	} else {
		printf("%-36s %-8s %-10s %s\n", "RULE", "SEVERITY", "DIALECTS", "MATCHES");
		for (i = 0; i < rules.n; i++) {
			const rule *r = &rules.v[i];
			buf m = BUF_INIT;
			join_matches(&m, r);
			printf("%-36s %-8s %-10s %s\n", r->id,
			       r->disabled ? "off" : finding_severity_name(rule_severity(r, strict)), dialect_names(r), m.ptr);
			buf_release(&m);
		}
		printf("\n%zu rules; 'mgate explain <rule>' shows one in full\n", rules.n);
	}
	rc = EXIT_OK;
cleanup:
	ruleset_release(&rules);
	if (have)
		project_release(&p);
	strvec_release(&args);
	return rc < 0 ? EXIT_OK : rc;
}

/* docs/rules/<id>.md beside the rules folder (source tree or share/mgate). */
static int read_doc(buf *out, const char *id)
{
	char *dir = rules_default_dir();
	buf path = BUF_INIT;
	mg_error err = MG_ERROR_INIT;
	int rc = -1;

	if (dir) {
		buf_printf(&path, "%s/../docs/rules/%s.md", dir, id);
		rc = fs_read_file(out, path.ptr, 1 << 20, &err);
	}
	free(dir);
	buf_release(&path);
	return rc;
}

int cmd_explain(int argc, char **argv)
{
	cli_common common;
	project p;
	ruleset rules;
	strvec args = STRVEC_INIT;
	buf doc = BUF_INIT, m = BUF_INIT;
	const char *rules_dir = NULL;
	const rule *r;
	int rc, have = 0;
	cli_option opts[] = {
		OPT_STRING_(0, "rules", &rules_dir, "DIR", "the project's rules folder, loaded over the built-in rules"),
		OPT_END_(),
	};

	memset(&p, 0, sizeof(p));
	memset(&rules, 0, sizeof(rules));
	if ((rc = cli_begin(argc, argv, "explain", "[options] RULE", opts, text_only, 1, &common, &args)) != 0)
		goto cleanup;
	if (!args.n) {
		fprintf(stderr, "mgate explain: which rule? ('mgate rules' lists them)\n");
		rc = EXIT_USAGE;
		goto cleanup;
	}
	if ((rc = load_rules_for(&rules, &common, rules_dir, &p, &have)) != 0)
		goto cleanup;
	if (!(r = ruleset_find(&rules, args.v[0]))) {
		fprintf(stderr, "mgate explain: unknown rule '%s' ('mgate rules' lists them)\n", args.v[0]);
		rc = EXIT_USAGE;
		goto cleanup;
	}
	join_matches(&m, r);
	if (read_doc(&doc, r->id) == 0) {
		fputs(doc.ptr, stdout);
		if (doc.len && doc.ptr[doc.len - 1] != '\n')
			fputc('\n', stdout);
	} else {
		printf("# %s\n\n%s\n\nWhy: %s\n\nFix: %s\n", r->id, r->message, r->why ? r->why : "-", r->fix ? r->fix : "-");
	}
	printf("\n---\nseverity: %s%s%s\nmatches:  %s\n", r->disabled ? "off" : finding_severity_name(r->severity),
	       r->has_strict ? ", --strict: " : "", r->has_strict ? finding_severity_name(r->strict_severity) : "", m.ptr);
	if (r->when_src)
		printf("when:     %s\n", r->when_src);
	printf("dialects: %s\n", dialect_names(r));
	if (r->pg_min || r->pg_max)
		printf("postgresql: %d..%d\n", r->pg_min, r->pg_max);
	printf("defined:  %s:%d\n", r->file, r->line);
	rc = EXIT_OK;
cleanup:
	buf_release(&doc);
	buf_release(&m);
	ruleset_release(&rules);
	if (have)
		project_release(&p);
	strvec_release(&args);
	return rc < 0 ? EXIT_OK : rc;
}
