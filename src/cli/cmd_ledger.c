/*
 * cmd_ledger.c: `mgate ledger [list]` shows what the ledger says was
 * applied and whether each file still matches; `mgate ledger baseline`
 * records today's hashes of the applied revisions the ledger lacks, for a
 * database upgraded before mgate was adopted.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gate/audit.h"
#include "cli.h"
#include "util/buf.h"
#include "util/banned.h"

static const char *const formats[] = { "text", NULL };

int cmd_ledger(int argc, char **argv)
{
	cli_common common;
	cli_project p;
	cli_dbopts o;
	strvec args = STRVEC_INIT, rows = STRVEC_INIT, unknown = STRVEC_INIT, revs = STRVEC_INIT, hashes = STRVEC_INIT, nr = STRVEC_INIT,
	       nh = STRVEC_INIT;
	buf where = BUF_INIT;
	mg_error err = MG_ERROR_INIT;
	db_version_table vt;
	db *d = NULL;
	char *t = NULL, *s = NULL, *who = NULL, id[17];
	int *cur = NULL, *applied = NULL, rc, have = 0, exists = 0, baseline;
	size_t ncur = 0, napplied = 0, i, bad = 0;
	cli_option opts[] = {
		OPT_DB_(&o),
		OPT_VERSION_TABLE_(&o),
		OPT_END_(),
	};

	memset(&p, 0, sizeof(p));
	memset(&o, 0, sizeof(o));
	if ((rc = cli_begin(argc, argv, "ledger", "[list | baseline] [options]", opts, formats, 1, &common, &args)) != 0)
		goto cleanup;
	if (args.n && strcmp(args.v[0], "list") && strcmp(args.v[0], "baseline")) {
		fprintf(stderr, "mgate ledger: unknown action '%s'; expected list or baseline\n", args.v[0]);
		rc = EXIT_USAGE;
		goto cleanup;
	}
	baseline = args.n && !strcmp(args.v[0], "baseline");
	common.keep_sources = 1;
	if ((rc = cli_load_project(&p, &common)) != 0)
		goto cleanup;
	have = 1;
	if ((rc = cli_read_versions(&rows, &where, NULL, &o, &p)) != 0)
		goto cleanup;
	if (db_open(&d, cli_database_url(o.db_url, p.cfg.sqlalchemy_url), &err) < 0) {
		fprintf(stderr, "mgate: error: %s\n", err.msg);
		rc = EXIT_ENV;
		goto cleanup;
	}
	cli_version_table(&vt, &t, &s, &o, &p.cfg);
	if (d->ops->ledger_read(d, &vt, &revs, &hashes, &exists, &err) < 0) {
		fprintf(stderr, "mgate ledger: %s\n", err.msg);
		rc = EXIT_ENV;
		goto cleanup;
	}
	if (baseline) {
		if (p.map.broken) {
			cli_print_findings(&p.found, 0);
			fprintf(stderr, "mgate ledger: the revision graph is broken (see above)\n");
			rc = EXIT_FINDINGS;
			goto cleanup;
		}
		cur = mg_calloc(rows.n + 1, sizeof(int));
		ncur = revmap_indexes(cur, &unknown, &p.map, &rows);
		if (unknown.n) {
			fprintf(stderr, "mgate ledger: the database is at revision '%s', which no script defines\n",
				unknown.v[0]);
			rc = EXIT_FINDINGS;
			goto cleanup;
		}
		if (ncur && revmap_upgrade_order(&applied, &napplied, &p.map, cur, ncur, NULL, 0, &err) < 0) {
			fprintf(stderr, "mgate ledger: %s\n", err.msg);
			rc = EXIT_FINDINGS;
			goto cleanup;
		}
		for (i = 0; i < napplied; i++) {
			char hex[65];
			if (strvec_index(&revs, p.map.v[applied[i]].id) >= 0 ||
			    gate_script_hash(hex, p.map.v[applied[i]].s, &err) < 0)
				continue;
			strvec_push(&nr, p.map.v[applied[i]].id);
			strvec_push(&nh, hex);
		}
		who = audit_who();
		audit_new_id(id);
		if (nr.n && d->ops->ledger_write(d, &vt, &nr, &nh, who, id, &err) < 0) {
			fprintf(stderr, "mgate ledger: %s\n", err.msg);
			rc = EXIT_ENV;
			goto cleanup;
		}
		printf("recorded %zu applied revision%s in the ledger (%zu were already there)\n", nr.n,
		       nr.n == 1 ? "" : "s", napplied - nr.n);
		rc = EXIT_OK;
		goto cleanup;
	}
	if (!exists) {
		printf("no ledger on %s yet: `mgate ledger baseline` records the applied revisions\n", where.ptr);
		rc = EXIT_OK;
		goto cleanup;
	}
	for (i = 0; i < revs.n; i++) {
		int x = revmap_index(&p.map, revs.v[i]);
		char hex[65];
		const char *state = "matches";
		if (x < 0)
			state = "no script defines it any more";
		else if (gate_script_hash(hex, p.map.v[x].s, &err) == 0 && strcmp(hex, hashes.v[i]))
			state = "EDITED since it was applied";
		bad += strcmp(state, "matches") != 0;
		printf("%-14s %.16s  %s\n", revs.v[i], hashes.v[i], state);
	}
	rc = bad ? EXIT_FINDINGS : EXIT_OK;
cleanup:
	db_close(d);
	free(t);
	free(s);
	free(who);
	free(cur);
	free(applied);
	strvec_release(&unknown);
	strvec_release(&rows);
	strvec_release(&revs);
	strvec_release(&hashes);
	strvec_release(&nr);
	strvec_release(&nh);
	buf_release(&where);
	if (have)
		cli_project_release(&p);
	strvec_release(&args);
	return rc < 0 ? EXIT_OK : rc;
}
