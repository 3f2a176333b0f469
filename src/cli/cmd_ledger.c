/*
 * cmd_ledger.c: `mgate ledger [list]` shows what the ledger says was
 * applied and whether each file still matches; `mgate ledger baseline`
 * records today's hashes of the applied revisions the ledger lacks, for a
 * database upgraded before mgate was adopted (gate/ledger.h).
 */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "gate/ledger.h"
#include "util/banned.h"

static const char *const formats[] = { "text", "json", NULL };

/* The state of a ledger entry in JSON's words. */
static const char *const state_ids[] = { "matches", "gone", "edited", "downgrade-edited", "cosmetic" };

static int baseline(session *s)
{
	mg_error err = MG_ERROR_INIT;
	size_t recorded = 0, already = 0;
	int rc = ledger_baseline(&recorded, &already, s->d, &s->vt, &s->p.map, &s->rows, &err);

	if (rc < 0) {
		if (s->p.map.broken)
			cli_print_findings(&s->p.found, 0);
		return cli_fail("ledger", &err, 0);
	}
	printf("recorded %zu applied revision%s in the ledger (%zu were already there)\n", recorded,
	       recorded == 1 ? "" : "s", already);
	return EXIT_OK;
}

static int list(session *s, int json)
{
	static const char *const states[] = { "matches", "no script defines it any more", "EDITED since it was applied",
					      "downgrade() edited since it was applied (what ran is unchanged)",
					      "comments edited since it was applied (nothing that runs changed)" };
	mg_error err = MG_ERROR_INIT;
	ledger_list l;
	size_t i;
	int rc;

	if (ledger_read(&l, s->d, &s->vt, &s->p.map, &err) < 0) {
		ledger_list_release(&l);
		return cli_fail("ledger", &err, EXIT_ENV);
	}
	if (json) {
		json_t *root = json_object(), *entries = json_array();
		for (i = 0; i < l.n; i++) {
			json_t *e = json_object();
			json_object_set_new(e, "revision", json_string(l.v[i].revision));
			json_object_set_new(e, "sha256", json_string(l.v[i].sha256));
			json_object_set_new(e, "state", json_string(state_ids[l.v[i].state]));
			json_array_append_new(entries, e);
		}
		json_object_set_new(root, "database", json_string(s->where.ptr));
		json_object_set_new(root, "exists", json_boolean(l.exists));
		json_object_set_new(root, "entries", entries);
		json_object_set_new(root, "edited_or_gone", json_integer((json_int_t)l.bad));
		cli_print_doc("ledger", s->p.cfg.here, root, NULL);
	} else {
		if (!l.exists)
			printf("no ledger on %s yet: `mgate ledger baseline` records the applied revisions\n", s->where.ptr);
		for (i = 0; i < l.n; i++)
			printf("%-14s %.16s  %s\n", l.v[i].revision, l.v[i].sha256, states[l.v[i].state]);
	}
	rc = l.bad ? EXIT_FINDINGS : EXIT_OK;
	ledger_list_release(&l);
	return rc;
}

int cmd_ledger(int argc, char **argv)
{
	cli_common common;
	session s;
	session_opts so;
	strvec args = STRVEC_INIT;
	int rc;
	cli_option opts[] = {
		OPT_DB_(&so),
		OPT_VERSION_TABLE_(&so),
		OPT_END_(),
	};

	memset(&so, 0, sizeof(so));
	memset(&s, 0, sizeof(s));
	if ((rc = cli_begin(argc, argv, "ledger", "[list | baseline] [options]", opts, formats, 1, &common, &args)) != 0)
		goto cleanup;
	if (args.n && strcmp(args.v[0], "list") && strcmp(args.v[0], "baseline")) {
		fprintf(stderr, "mgate ledger: unknown action '%s'; expected list or baseline\n", args.v[0]);
		rc = EXIT_USAGE;
		goto cleanup;
	}
	so.db = SESSION_DB_REQUIRED;
	if ((rc = cli_open(&s, &common, &so)) != 0)
		goto cleanup;
	rc = args.n && !strcmp(args.v[0], "baseline") ? baseline(&s) : list(&s, !strcmp(common.format, "json"));
cleanup:
	session_close(&s);
	strvec_release(&args);
	return rc < 0 ? EXIT_OK : rc;
}
