/*
 * test_rules.c: rule files (keys, overlays, errors with file and line) and
 * the `when` predicate language.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "lint/rules.h"

static const char *facts_lookup(void *ctx, const char *key)
{
	const char *const *kv = ctx;
	for (; kv[0]; kv += 2)
		if (!strcmp(kv[0], key))
			return kv[1];
	return NULL;
}

static int eval(const char *src, const char *const *facts)
{
	rule_expr *e = NULL;
	mg_error err = MG_ERROR_INIT;
	int v;

	assert_int_equal(rule_expr_compile(&e, src, &err), 0);
	v = rule_expr_eval(e, facts_lookup, (void *)facts);
	rule_expr_free(e);
	return v;
}

static void test_predicates(void **state)
{
	const char *const f[] = { "not_null", "1", "pg", "11", "contype", "check", "zero", "0", "no", "False", NULL };

	(void)state;
	assert_true(eval("not_null", f));
	assert_false(eval("missing", f));
	assert_false(eval("zero", f));
	assert_false(eval("no", f));
	assert_true(eval("not missing and not_null", f));
	assert_true(eval("pg < 12 and pg >= 11", f));
	assert_false(eval("pg > 9.6 and pg < 10", f));
	assert_true(eval("contype == check or x", f));
	assert_true(eval("contype != 'unique'", f));
	assert_true(eval("missing != x", f));
	assert_false(eval("missing == x", f));
	assert_true(eval("(zero or not_null) and not (missing or zero)", f));
	assert_true(eval("not not not missing", f));
}

static void test_bad_predicates(void **state)
{
	static const char *const bad[] = { "", "and", "a ==", "(a", "a b", "a == 'x", "a ) b", NULL };
	size_t i;

	(void)state;
	for (i = 0; bad[i]; i++) {
		rule_expr *e = (rule_expr *)1;
		mg_error err = MG_ERROR_INIT;
		assert_int_equal(rule_expr_compile(&e, bad[i], &err), MG_ECONFIG);
		assert_null(e);
		assert_non_null(strstr(err.msg, "column"));
	}
}

static const char good[] = "; comment\n"
			   "[drop-it]\n"
			   "severity = error\n"
			   "strict_severity = error\n"
			   "match = op:drop_table, sql:drop_table\n"
			   "when = not table_new\n"
			   "dialects = postgresql\n"
			   "pg_min = 11\n"
			   "message = drops {table}\n"
			   "why = first line\n"
			   "  second line\n"
			   "fix = do it later\n"
			   "\n"
			   "[grant]\n"
			   "pattern = ^GRANT\\b\n"
			   "message = grant\n";

static void test_load_and_overlay(void **state)
{
	ruleset rs;
	mg_error err = MG_ERROR_INIT;
	const rule *r;
	static const char overlay[] = "[drop-it]\nseverity = warning\n[new-one]\nmatch = builtin:x\nmessage = m\n";

	(void)state;
	memset(&rs, 0, sizeof(rs));
	assert_int_equal(ruleset_load_text(&rs, "good.ini", good, strlen(good), &err), 0);
	assert_int_equal(rs.n, 2);
	r = ruleset_find(&rs, "drop-it");
	assert_int_equal(r->severity, SEV_ERROR);
	assert_int_equal(r->ops.n, 1);
	assert_string_equal(r->sql.v[0], "drop_table");
	assert_int_equal(r->dialects, RULE_POSTGRESQL);
	assert_int_equal(r->pg_min, 11);
	assert_string_equal(r->why, "first line second line");
	assert_int_equal(r->line, 3);
	assert_non_null(ruleset_find(&rs, "grant")->pattern);
	assert_int_equal(ruleset_find(&rs, "grant")->scope, RULE_UPGRADE);

	assert_int_equal(ruleset_load_text(&rs, "project.ini", overlay, strlen(overlay), &err), 0);
	assert_int_equal(rs.n, 3);
	r = ruleset_find(&rs, "drop-it");
	assert_int_equal(r->severity, SEV_WARNING);
	assert_string_equal(r->message, "drops {table}"); /* kept from the built-in */
	assert_string_equal(r->file, "project.ini");
	assert_int_equal(rule_severity(r, 1), SEV_ERROR);

	assert_int_equal(ruleset_configure(&rs, "drop-it", "off", &err), 0);
	assert_true(ruleset_find(&rs, "drop-it")->disabled);
	assert_int_equal(ruleset_configure(&rs, "drop-it", "info", &err), 0);
	assert_int_equal(rule_severity(ruleset_find(&rs, "drop-it"), 1), SEV_INFO);
	assert_int_equal(ruleset_configure(&rs, "nope", "info", &err), MG_ENOTFOUND);
	assert_int_equal(ruleset_configure(&rs, "drop-it", "loud", &err), MG_ECONFIG);
	ruleset_release(&rs);
}

/* Each bad file fails with its file, line and a word of the cause. */
static void test_bad_files(void **state)
{
	static const struct {
		const char *text, *want;
	} bad[] = {
		{ "[a]\nseverity = loud\nmatch = op:x\nmessage = m\n", "bad.ini:2: rule 'a': bad severity 'loud'" },
		{ "[a]\nmatch = op:x\nmessage = m\ncolour = red\n", "bad.ini:4: rule 'a': unknown key 'colour'" },
		{ "[a]\nmatch = table:x\nmessage = m\n", "bad match 'table:x'" },
		{ "[a]\nmatch = op:x\nwhen = a ==\nmessage = m\n", "bad.ini:3: rule 'a': when" },
		{ "[a]\npattern = (unclosed\nmessage = m\n", "pattern does not compile" },
		{ "[a]\nmessage = m\n", "matches nothing" },
		{ "[a]\nmatch = op:x\n", "has no message" },
		{ "key = v\n", "outside any [rule-id] section" },
		{ "[Bad Id]\nmatch = op:x\nmessage = m\n", "bad rule id" },
		{ "[a]\nmatch = op:x\nmessage = m\ndialects = oracle\n", "unknown dialects" },
		{ "[a]\nmatch = op:x\nmessage = m\nscope = sideways\n", "bad scope" },
		{ "[a]\nmatch = op:x\nmessage = m\npg_min = eleven\n", "major version" },
		{ "[a]\nmatch = op:x\nmessage = m\n[b\n", "bad.ini:4: not a valid INI line" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ruleset rs;
		mg_error err = MG_ERROR_INIT;
		memset(&rs, 0, sizeof(rs));
		assert_int_equal(ruleset_load_text(&rs, "bad.ini", bad[i].text, strlen(bad[i].text), &err), MG_ECONFIG);
		if (!strstr(err.msg, bad[i].want))
			fail_msg("case %zu: '%s' does not contain '%s'", i, err.msg, bad[i].want);
		ruleset_release(&rs);
	}
}

/* The shipped catalogue loads and has every rule the issue names. */
static void test_builtin_catalogue(void **state)
{
	static const char *const required[] = {
		"drop-table",
		"drop-column",
		"rename-table",
		"rename-column",
		"alter-column-type",
		"set-not-null",
		"add-not-null-column-without-default",
		"add-column-volatile-default",
		"create-index-not-concurrently",
		"drop-index-not-concurrently",
		"add-foreign-key-validating",
		"add-check-constraint-validating",
		"add-unique-constraint",
		"add-primary-key",
		"truncate",
		"delete-without-where",
		"update-without-where",
		"vacuum-full-or-cluster",
		"lock-table",
		"missing-downgrade",
		"lossy-downgrade",
		"data-and-schema-in-one-revision",
		"opaque-migration-code",
		"sql-parse-error",
		"batch-table-recreate",
		"suppression-without-reason",
		NULL,
	};
	ruleset rs;
	mg_error err = MG_ERROR_INIT;
	size_t i;

	(void)state;
	memset(&rs, 0, sizeof(rs));
	assert_int_equal(ruleset_load_dir(&rs, MGATE_SOURCE_DIR "/rules", &err), 0);
	for (i = 0; required[i]; i++) {
		const rule *r = ruleset_find(&rs, required[i]);
		if (!r)
			fail_msg("rule '%s' is missing", required[i]);
		assert_non_null(r->why);
		assert_non_null(r->fix);
	}
	assert_int_equal(ruleset_load_dir(&rs, "/nonexistent-mgate-rules", &err), MG_ENOTFOUND);
	ruleset_release(&rs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_predicates),
		cmocka_unit_test(test_bad_predicates),
		cmocka_unit_test(test_load_and_overlay),
		cmocka_unit_test(test_bad_files),
		cmocka_unit_test(test_builtin_catalogue),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
