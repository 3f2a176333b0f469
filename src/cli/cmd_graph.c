/*
 * cmd_graph.c: `mgate graph`, the revision graph as Graphviz dot or a
 * Mermaid flowchart (report/graph.h).
 */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "report/graph.h"
#include "util/json.h"
#include "util/banned.h"

static const char *const formats[] = { "dot", "mermaid", "json", NULL };

int cmd_graph(int argc, char **argv)
{
	cli_common common;
	project p;
	strvec args = STRVEC_INIT;
	int rc;
	cli_option opts[] = { OPT_END_() };

	memset(&p, 0, sizeof(p));
	if ((rc = cli_begin(argc, argv, "graph", "[--format dot|mermaid|json]", opts, formats, 0, &common, &args)) != 0)
		goto out_noproj;
	if ((rc = cli_load_project(&p, &common, 0)) != 0)
		goto cleanup;
	cli_print_findings(&p.found, common.quiet);
	rc = findings_count(&p.found, SEV_ERROR) ? EXIT_FINDINGS : EXIT_OK;
	if (p.map.broken)
		goto cleanup;
	if (!strcmp(common.format, "json")) {
		json_t *doc = report_graph_json(&p.map);
		json_object_set_new(doc, "findings", json_findings(&p.found));
		cli_print_doc("graph", p.cfg.here, doc, NULL);
	} else if (!strcmp(common.format, "dot"))
		report_graph_dot(stdout, &p.map);
	else
		report_graph_mermaid(stdout, &p.map);
cleanup:
	project_release(&p);
out_noproj:
	strvec_release(&args);
	return rc < 0 ? EXIT_OK : rc;
}
