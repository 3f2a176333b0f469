/*
 * fuzz_sqlcheck.c: libFuzzer target for SQL classification: libpg_query's
 * parse tree walk, the SQLite pattern fallback, and statement splitting
 * (which `mgate rehearse` uses on `alembic upgrade --sql` output).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lint/sqlcheck.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *sql = malloc(size + 1);
	mg_error err = MG_ERROR_INIT;
	sqlstmts s;
	strvec parts = STRVEC_INIT;

	if (!sql)
		return 0;
	memcpy(sql, data, size);
	sql[size] = 0;
	if (sqlcheck_classify(&s, sql, SQL_POSTGRESQL, &err) == 0)
		sqlstmts_release(&s);
	if (sqlcheck_classify(&s, sql, SQL_SQLITE, &err) == 0)
		sqlstmts_release(&s);
	sqlcheck_split(&parts, sql, &err);
	strvec_release(&parts);
	{
		size_t from, to;
		if (sqlcheck_where_span(sql, &from, &to) == 0 && (from > to || to > size))
			__builtin_trap(); /* the span must lie inside the statement */
	}
	free(sql);
	return 0;
}
