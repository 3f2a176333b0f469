/*
 * cmd_history.c: `mgate history`, every revision. Text follows
 * `alembic history` (newest first); JSON lists revisions in the order
 * `alembic upgrade heads` applies them to an empty database.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "util/json.h"
#include "util/buf.h"
#include "util/banned.h"

static const char *const formats[] = { "text", "json", NULL };

/* Alembic's Script.doc: the docstring's first paragraph. */
static void first_paragraph(buf *out, const char *doc)
{
	const char *end = strstr(doc, "\n\n");

	buf_put(out, doc, end ? (size_t)(end - doc) : strlen(doc));
}

/* One line as `alembic history` prints it; `line` is scratch space. */
static void print_text_line(buf *line, const revnode *r)
{
	buf_truncate(line, 0);
	cli_format_down(line, r);
	if (r->s->depends.n) {
		buf_puts(line, " (");
		buf_join(line, r->s->depends.v, r->s->depends.n, ", ");
		buf_putc(line, ')');
	}
	buf_puts(line, " -> ");
	buf_puts(line, r->id);
	cli_format_labels(line, r);
	if (r->is_real_head)
		buf_puts(line, " (head)");
	else if (r->is_head)
		buf_puts(line, " (effective head)");
	if (revnode_is_branch_point(r))
		buf_puts(line, " (branchpoint)");
	if (revnode_is_merge(r))
		buf_puts(line, " (mergepoint)");
	buf_puts(line, ", ");
	first_paragraph(line, r->s->doc);
	buf_putc(line, '\n');
	fwrite(line->ptr, 1, line->len, stdout);
}

static json_t *revision_json(const revnode *r)
{
	json_t *o = json_object();

	json_object_set_new(o, "revision", json_text(r->id));
	json_object_set_new(o, "down_revisions", json_strlist(&r->s->down));
	json_object_set_new(o, "depends_on", json_strlist(&r->s->depends));
	json_object_set_new(o, "branch_labels", json_strlist(&r->labels));
	json_object_set_new(o, "path", json_text(r->s->path));
	json_object_set_new(o, "is_head", json_boolean(r->is_head));
	json_object_set_new(o, "is_base", json_boolean(r->is_base));
	json_object_set_new(o, "is_merge", json_boolean(revnode_is_merge(r)));
	json_object_set_new(o, "is_branch_point", json_boolean(revnode_is_branch_point(r)));
	json_object_set_new(o, "doc", json_text(r->s->doc));
	return o;
}

int cmd_history(int argc, char **argv)
{
	cli_common common;
	project p;
	strvec args = STRVEC_INIT;
	mg_error err = MG_ERROR_INIT;
	int *order = NULL, rc;
	size_t norder = 0, i;
	buf line = BUF_INIT;
	cli_option opts[] = { OPT_END_() };

	memset(&p, 0, sizeof(p));
	if ((rc = cli_begin(argc, argv, "history", "[options]", opts, formats, 0, &common, &args)) != 0)
		goto out_noproj;
	if ((rc = cli_load_project(&p, &common, 0)) != 0)
		goto cleanup;
	cli_print_findings(&p.found, common.quiet);
	rc = findings_count(&p.found, SEV_ERROR) ? EXIT_FINDINGS : EXIT_OK;
	if (!p.map.broken &&
	    revmap_upgrade_order(&order, &norder, &p.map, p.map.real_heads.v, p.map.real_heads.n, NULL, 0, &err) < 0) {
		fprintf(stderr, "mgate: error: %s\n", err.msg);
		rc = EXIT_FINDINGS;
	}
	if (!strcmp(common.format, "json")) {
		json_t *o = json_object(), *arr = json_array();
		for (i = 0; i < norder; i++)
			json_array_append_new(arr, revision_json(&p.map.v[order[i]]));
		json_object_set_new(o, "revisions", arr);
		json_object_set_new(o, "findings", json_findings(&p.found));
		cli_print_doc("history", p.cfg.here, o, NULL);
		goto cleanup;
	}
	for (i = norder; i-- > 0;)
		print_text_line(&line, &p.map.v[order[i]]);
cleanup:
	buf_release(&line);
	free(order);
	project_release(&p);
out_noproj:
	strvec_release(&args);
	return rc < 0 ? EXIT_OK : rc;
}
