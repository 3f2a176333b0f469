/*
 * cmd_heads.c: `mgate heads`, the revisions no other revision builds on,
 * as `alembic heads` prints them.
 */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "util/json.h"
#include "util/buf.h"
#include "util/banned.h"

static const char *const formats[] = { "text", "json", NULL };

int cmd_heads(int argc, char **argv)
{
	cli_common common;
	project p;
	strvec args = STRVEC_INIT;
	int resolve = 0, expect_single = 0, rc;
	const intvec *list;
	size_t i;
	cli_option opts[] = {
		OPT_FLAG_(0, "resolve-dependencies", &resolve,
			  "treat depends_on as parents (the heads `alembic upgrade heads` targets)"),
		OPT_FLAG_(0, "expect-single", &expect_single, "a finding (exit 1) unless there is exactly one head"),
		OPT_END_(),
	};

	memset(&p, 0, sizeof(p));
	if ((rc = cli_begin(argc, argv, "heads", "[options]", opts, formats, 0, &common, &args)) != 0)
		goto out_noproj;
	if ((rc = cli_load_project(&p, &common, 0)) != 0)
		goto cleanup;

	list = resolve ? &p.map.real_heads : &p.map.heads;
	if (!p.map.broken && expect_single && list->n != 1) {
		buf names = BUF_INIT;
		for (i = 0; i < list->n; i++)
			buf_printf(&names, "%s%s", i ? ", " : "", p.map.v[list->v[i]].id);
		findings_add(&p.found, "multiple-heads", SEV_ERROR, NULL, 0, NULL,
			     "expected one head, found %zu: %s; run 'alembic merge heads' to join them", list->n,
			     names.ptr);
		buf_release(&names);
	}
	cli_print_findings(&p.found, common.quiet);
	rc = findings_count(&p.found, SEV_ERROR) ? EXIT_FINDINGS : EXIT_OK;

	if (!strcmp(common.format, "json")) {
		json_t *o = json_object(), *arr = json_array();
		for (i = 0; !p.map.broken && i < list->n; i++)
			json_array_append_new(arr, json_text(p.map.v[list->v[i]].id));
		json_object_set_new(o, "heads", arr);
		json_object_set_new(o, "findings", json_findings(&p.found));
		cli_print_doc("heads", p.cfg.here, o, NULL);
		goto cleanup;
	}
	for (i = 0; !p.map.broken && i < list->n; i++) {
		const revnode *r = &p.map.v[list->v[i]];
		buf line = BUF_INIT;
		buf_puts(&line, r->id);
		cli_format_labels(&line, r);
		if (r->is_real_head)
			buf_puts(&line, " (head)");
		else if (r->is_head)
			buf_puts(&line, " (effective head)");
		puts(line.ptr);
		buf_release(&line);
	}
cleanup:
	project_release(&p);
out_noproj:
	strvec_release(&args);
	return rc < 0 ? EXIT_OK : rc;
}
