/*
 * fuzz_lint.c: libFuzzer target for everything `mgate lint` does to a
 * revision script: scanning, operation extraction (opext, pyexpr), SQL
 * classification (libpg_query and the SQLite patterns), rule matching with
 * the shipped catalogue, suppressions and the built-in detectors.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lint/lint.h"
#include "python/pyscan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static ruleset catalogue;
static int loaded;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	mg_error err = MG_ERROR_INIT;
	pyscan_module m;
	findings f = FINDINGS_INIT;
	lint_opts o;
	lint_ctx ctx;
	int d;

	if (!loaded) {
		if (ruleset_load_dir(&catalogue, MGATE_SOURCE_RULES_DIR, &err) < 0)
			abort();
		loaded = 1;
	}
	pyscan_source(&m, (const char *)data, size, NULL, &err);
	for (d = 0; d < 2; d++) {
		memset(&o, 0, sizeof(o));
		o.rules = &catalogue;
		o.dialect = d ? SQL_SQLITE : SQL_POSTGRESQL;
		o.pg_version = d ? 10 : 15;
		o.strict = d;
		lint_init(&ctx, &o);
		lint_source(&ctx, &f, "fuzz.py", "rev", (const char *)data, size, &m.upgrade, &m.downgrade, &err);
		lint_release(&ctx);
		findings_release(&f);
	}
	pyscan_module_release(&m);
	return 0;
}
