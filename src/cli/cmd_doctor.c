/*
 * cmd_doctor.c: `mgate doctor`: what mgate resolved and whether each
 * piece works, one line each, OK or the problem with its fix
 * (gate/doctor.h).
 */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "gate/doctor.h"
#include "util/banned.h"

static const char *const formats[] = { "text", "json", NULL };

int cmd_doctor(int argc, char **argv)
{
	cli_common common;
	project_opts po;
	doctor_report d;
	strvec args = STRVEC_INIT;
	const char *db_opt = NULL, *scratch_opt = NULL;
	size_t i;
	int rc;
	cli_option opts[] = {
		OPT_STRING_(0, "db", &db_opt, "URL", "database URL (else MGATE_DATABASE_URL, else sqlalchemy.url)"),
		OPT_STRING_(0, "scratch-url", &scratch_opt, "URL",
			    "server for drills' and rehearsals' copies (else scratch_url in [mgate], else the database's own)"),
		OPT_END_(),
	};

	memset(&d, 0, sizeof(d));
	if ((rc = cli_begin(argc, argv, "doctor", "[--db URL] [--scratch-url URL]", opts, formats, 0, &common, &args)) != 0)
		goto cleanup;
	cli_project_opts(&po, &common, 0);
	doctor_run(&d, &po, db_opt, scratch_opt);
	if (!strcmp(common.format, "json")) {
		json_t *root = json_object(), *items = json_array();
		for (i = 0; i < d.n; i++) {
			json_t *o = json_object();
			json_object_set_new(o, "ok", json_boolean(d.v[i].ok));
			json_object_set_new(o, "what", json_string(d.v[i].what));
			json_object_set_new(o, "detail", json_string(d.v[i].detail));
			json_object_set_new(o, "fix", d.v[i].fix ? json_string(d.v[i].fix) : json_null());
			json_array_append_new(items, o);
		}
		json_object_set_new(root, "items", items);
		json_object_set_new(root, "problems", json_integer(d.problems));
		cli_print_doc("doctor", d.root, root, NULL);
	} else {
		for (i = 0; i < d.n; i++) {
			printf("%-8s %-18s %s\n", d.v[i].ok ? "OK" : "PROBLEM", d.v[i].what, d.v[i].detail);
			if (d.v[i].fix)
				printf("%-8s %-18s -> %s\n", "", "", d.v[i].fix);
		}
		printf("\n%d problem%s\n", d.problems, d.problems == 1 ? "" : "s");
	}
	rc = d.problems ? EXIT_FINDINGS : EXIT_OK;
cleanup:
	doctor_report_release(&d);
	strvec_release(&args);
	return rc < 0 ? EXIT_OK : rc;
}
