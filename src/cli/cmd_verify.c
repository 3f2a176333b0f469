/*
 * cmd_verify.c: `mgate verify [TARGET]`: is the database where it should
 * be? Its version rows are at the target (nothing pending), the invariants
 * hold, and with --against FILE its schema equals a committed snapshot.
 * Exit 0 when everything verifies, 5 when something does not.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "db/schema.h"
#include "gate/verify.h"
#include "util/buf.h"
#include "util/banned.h"

static const char *const formats[] = { "text", "json", NULL };

int cmd_verify(int argc, char **argv)
{
	cli_common common;
	cli_project p;
	cli_dbopts o;
	strvec args = STRVEC_INIT, rows = STRVEC_INIT, unknown = STRVEC_INIT;
	buf where = BUF_INIT;
	findings found = FINDINGS_INIT;
	mg_error err = MG_ERROR_INIT;
	const char *target = "heads", *against = NULL, *url;
	int *cur = NULL, *targets = NULL, *pending = NULL, rc, have = 0;
	size_t ncur = 0, ntargets = 0, npending = 0, i;
	db *d = NULL;
	void *want = NULL, *have_snap = NULL;
	checklist_check inv;
	cli_option opts[] = {
		OPT_DB_(&o),
		OPT_STRING_(0, "against", &against, "FILE", "also compare the live schema with this snapshot (mgate snapshot)"),
		OPT_VERSION_TABLE_(&o),
		OPT_END_(),
	};

	memset(&p, 0, sizeof(p));
	memset(&o, 0, sizeof(o));
	memset(&inv, 0, sizeof(inv));
	if ((rc = cli_begin(argc, argv, "verify", "[options] [TARGET]", opts, formats, 1, &common, &args)) != 0)
		goto cleanup;
	if (args.n)
		target = args.v[0];
	if ((rc = cli_load_project(&p, &common)) != 0)
		goto cleanup;
	have = 1;
	if (p.map.broken) {
		cli_print_findings(&p.found, common.quiet);
		fprintf(stderr, "mgate verify: the revision graph is broken (see above)\n");
		rc = EXIT_FINDINGS;
		goto cleanup;
	}
	if ((rc = cli_read_versions(&rows, &where, NULL, &o, &p)) != 0)
		goto cleanup;
	url = cli_database_url(o.db_url, p.cfg.sqlalchemy_url);
	if (db_open(&d, url, &err) < 0) {
		fprintf(stderr, "mgate: error: %s\n", err.msg);
		rc = EXIT_ENV;
		goto cleanup;
	}
	cur = mg_calloc(rows.n + 1, sizeof(int));
	ncur = revmap_indexes(cur, &unknown, &p.map, &rows);
	for (i = 0; i < unknown.n; i++)
		findings_add(&found, "unknown-revision-in-database", SEV_ERROR, NULL, 0, unknown.v[i],
			     "the database is at revision '%s', which no script defines", unknown.v[i]);
	if (!found.n) {
		if (revmap_resolve_target(&targets, &ntargets, &p.map, target, cur, ncur, &err) < 0 ||
		    revmap_upgrade_order(&pending, &npending, &p.map, targets, ntargets, cur, ncur, &err) < 0) {
			fprintf(stderr, "mgate verify: %s\n", err.msg);
			rc = EXIT_USAGE;
			goto cleanup;
		}
		if (npending) {
			buf list = BUF_INIT;
			for (i = 0; i < npending; i++)
				buf_printf(&list, "%s%s", i ? ", " : "", p.map.v[pending[i]].id);
			findings_add(&found, "not-at-target", SEV_ERROR, NULL, 0, NULL,
				     "the database is not at '%s': %zu step%s pending (%s)", target, npending,
				     npending == 1 ? "" : "s", list.ptr);
			buf_release(&list);
		}
	}
	checklist_invariants(&inv, &p.cfg, d);
	for (i = 0; i < inv.found.n; i++)
		findings_add(&found, inv.found.v[i].id, SEV_ERROR, NULL, 0, NULL, "%s", inv.found.v[i].message);
	if (against) {
		if (schema_load(&want, against, &err) < 0 || d->ops->snapshot(d, &have_snap, &err) < 0) {
			fprintf(stderr, "mgate verify: %s\n", err.msg);
			rc = EXIT_ENV;
			goto cleanup;
		}
		verify_same_schema(&found, want, have_snap, o.version_table, "the snapshot");
	}
	cli_run_smoke(&p.cfg, &found);
	if (!strcmp(common.format, "json")) {
		json_t *root = json_object();
		json_object_set_new(root, "verified", json_boolean(findings_count(&found, SEV_ERROR) == 0));
		json_object_set_new(root, "current", cli_strvec_json(&rows));
		json_object_set_new(root, "target", cli_json_str(target));
		json_object_set_new(root, "findings", cli_findings_json(&found));
		cli_print_json(root);
	} else {
		printf("mgate verify: %s at ", where.ptr);
		for (i = 0; i < rows.n; i++)
			printf("%s%s", i ? ", " : "", rows.v[i]);
		printf("%s -> %s\n", rows.n ? "" : "base", target);
		for (i = 0; i < found.n; i++)
			printf("  %s: %s [%s]\n", finding_severity_name(found.v[i].severity), found.v[i].message, found.v[i].id);
		printf("%s\n", findings_count(&found, SEV_ERROR) ? "verification failed" : "verified: at the target"
											   "; invariants hold");
	}
	rc = findings_count(&found, SEV_ERROR) ? EXIT_VERIFY : EXIT_OK;
cleanup:
	free(inv.summary);
	free(inv.next);
	findings_release(&inv.found);
	json_decref((json_t *)want);
	json_decref((json_t *)have_snap);
	db_close(d);
	free(cur);
	free(targets);
	free(pending);
	findings_release(&found);
	strvec_release(&unknown);
	strvec_release(&rows);
	buf_release(&where);
	if (have)
		cli_project_release(&p);
	strvec_release(&args);
	return rc < 0 ? EXIT_OK : rc;
}
