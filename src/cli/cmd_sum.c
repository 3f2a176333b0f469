/*
 * cmd_sum.c: `mgate sum [--check]`: migrations.sum, a running SHA-256 over
 * the revision files in upgrade order. Committed, it makes an edit,
 * insertion or reorder of revisions change every line after it, so two
 * branches that each add a revision conflict in git; `mgate ci` verifies it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ci/cicheck.h"
#include "cli.h"
#include "util/buf.h"
#include "util/fs.h"
#include "util/banned.h"

static const char *const formats[] = { "text", NULL };

static int read_disk(void *ctx, const char *path, buf *out, mg_error *err)
{
	(void)ctx;
	return fs_read_file(out, path, FS_MAX_FILE, err);
}

int cmd_sum(int argc, char **argv)
{
	cli_common common;
	project p;
	strvec args = STRVEC_INIT;
	buf want = BUF_INIT, have = BUF_INIT, path = BUF_INIT;
	mg_error err = MG_ERROR_INIT;
	const char *out_opt = NULL;
	int *order = NULL, rc, check = 0, have_project = 0;
	size_t n = 0;
	cli_option opts[] = {
		OPT_FLAG_(0, "check", &check, "verify the file instead of writing it (exit 1 when it is stale)"),
		OPT_STRING_('o', "out", &out_opt, "FILE", "where to write (default: sum_file in [mgate], else migrations.sum beside alembic.ini)"),
		OPT_END_(),
	};

	memset(&p, 0, sizeof(p));
	if ((rc = cli_begin(argc, argv, "sum", "[--check] [--out FILE]", opts, formats, 0, &common, &args)) != 0)
		goto cleanup;
	if ((rc = cli_load_project(&p, &common, 0)) != 0)
		goto cleanup;
	have_project = 1;
	cli_print_findings(&p.found, common.quiet);
	if (p.map.broken ||
	    revmap_upgrade_order(&order, &n, &p.map, p.map.real_heads.v, p.map.real_heads.n, NULL, 0, &err) < 0) {
		fprintf(stderr, "mgate sum: the revision graph is broken (see above); fix it first\n");
		rc = EXIT_FINDINGS;
		goto cleanup;
	}
	if (cicheck_sum(&want, &p.map, order, n, read_disk, NULL, &err) < 0) {
		fprintf(stderr, "mgate sum: %s\n", err.msg);
		rc = EXIT_ENV;
		goto cleanup;
	}
	if (out_opt)
		buf_puts(&path, out_opt);
	else if (p.cfg.settings.sum_file)
		buf_puts(&path, p.cfg.settings.sum_file);
	else
		fs_join(&path, p.cfg.here ? p.cfg.here : ".", "migrations.sum");
	if (check) {
		if (fs_read_file(&have, path.ptr, FS_MAX_FILE, &err) < 0) {
			fprintf(stderr, "mgate sum: '%s' does not exist; run `mgate sum` and commit it\n", path.ptr);
			rc = EXIT_FINDINGS;
		} else if (strcmp(have.ptr, want.ptr)) {
			fprintf(stderr, "mgate sum: '%s' is stale: a revision was added, edited or reordered since it was "
					"written; review that, then run `mgate sum`\n",
				path.ptr);
			rc = EXIT_FINDINGS;
		} else {
			printf("%s: up to date (%zu revisions)\n", path.ptr, n);
			rc = EXIT_OK;
		}
		goto cleanup;
	}
	if (fs_write_atomic(path.ptr, want.ptr, want.len, 0644, &err) < 0) {
		fprintf(stderr, "mgate sum: %s\n", err.msg);
		rc = EXIT_ENV;
		goto cleanup;
	}
	printf("wrote %s (%zu revisions)\n", path.ptr, n);
	rc = EXIT_OK;
cleanup:
	free(order);
	buf_release(&want);
	buf_release(&have);
	buf_release(&path);
	if (have_project)
		project_release(&p);
	strvec_release(&args);
	return rc < 0 ? EXIT_OK : rc;
}
