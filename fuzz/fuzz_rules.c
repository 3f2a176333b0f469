/*
 * fuzz_rules.c: libFuzzer target for rule files: INI reading with line
 * numbers, every key's validation, PCRE2 patterns and `when` predicates,
 * then evaluating each loaded predicate against a fixed set of facts.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lint/rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *lookup(void *ctx, const char *key)
{
	static const char *const facts[] = { "table_new", "1", "pg", "15", "contype", "check", "where", "0", NULL };
	size_t i;

	(void)ctx;
	for (i = 0; facts[i]; i += 2)
		if (!strcmp(facts[i], key))
			return facts[i + 1];
	return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	mg_error err = MG_ERROR_INIT;
	ruleset rs;
	size_t i;

	memset(&rs, 0, sizeof(rs));
	ruleset_load_text(&rs, "fuzz.ini", (const char *)data, size, &err);
	for (i = 0; i < rs.n; i++)
		rule_expr_eval(rs.v[i].when, lookup, NULL);
	ruleset_release(&rs);
	return 0;
}
