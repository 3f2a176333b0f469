/*
 * test_pgexpr.c: stored expression trees written as the server writes
 * them. The trees are what PostgreSQL 15 stores for the expressions named
 * in each comment, and the expected texts what its pg_get_expr returns
 * (tests/pg/test_snapshot.py checks the same against a live server); these
 * cases pin the refusals and the settings a server run cannot vary.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "pgexpr.h"

static const char *column(const void *ctx, long attnum)
{
	static const char *const names[] = { NULL, "id", "Email", "flag", "status" };

	(void)ctx;
	return attnum > 0 && attnum < 5 ? names[attnum] : NULL;
}

/* lower(text) 870 and length(text) 1317 are built in; 99999 is not */
static const char *function(const void *ctx, unsigned long oid, int nargs, const unsigned long *types)
{
	(void)ctx;
	if (oid == 870 && nargs == 1 && types[0] == 25)
		return "lower";
	if (oid == 1317 && nargs == 1 && types[0] == 25)
		return "length";
	return NULL;
}

/* > (int4, int4) 521, = (text, text) 98 */
static const char *op(const void *ctx, unsigned long oid, unsigned long left, unsigned long right)
{
	(void)ctx;
	if (oid == 521 && left == 23 && right == 23)
		return ">";
	if (oid == 98 && left == 25 && right == 25)
		return "=";
	return NULL;
}

/* relation 16385 is app."Seq" (not visible), 16386 is visible t_id_seq */
static int relation(const void *ctx, unsigned long oid, const char **schema, const char **name)
{
	(void)ctx;
	if (oid == 16385) {
		*schema = "app";
		*name = "Seq";
		return 0;
	}
	if (oid == 16386) {
		*schema = NULL;
		*name = "t_id_seq";
		return 0;
	}
	return -1;
}

static const char *const keywords[] = { "select", "user" };
static const pgdef_quoting quoting = { (const char **)keywords, 2, 0 };
static const pgdef_table table = { column, NULL };

#define VAR(n, type, coll)                                                                                        \
	"{VAR :varno 1 :varattno " #n " :vartype " #type " :vartypmod -1 :varcollid " #coll                        \
	" :varlevelsup 0 :varnosyn 1 :varattnosyn " #n " :location 5}"
#define INT4(b0, b1, b2, b3)                                                                                      \
	"{CONST :consttype 23 :consttypmod -1 :constcollid 0 :constlen 4 :constbyval true :constisnull false "        \
	":location 9 :constvalue 4 [ " #b0 " " #b1 " " #b2 " " #b3 " 0 0 0 0 ]}"
#define LOWER(arg)                                                                                                \
	"{FUNCEXPR :funcid 870 :funcresulttype 25 :funcretset false :funcvariadic false :funcformat 0 "               \
	":funccollid 100 :inputcollid 100 :args (" arg ") :location 1}"
#define OP(opno, type, a, b)                                                                                      \
	"{OPEXPR :opno " #opno " :opfuncid 1 :opresulttype " #type " :opretset false :opcollid 0 :inputcollid 0 "     \
	":args (" a " " b ") :location 3}"
/* 'it''s a\b'::text: a four-byte length word (12 << 2), then the 8 bytes */
#define TEXT_CONST                                                                                                \
	"{CONST :consttype 25 :consttypmod -1 :constcollid 100 :constlen -1 :constbyval false :constisnull false "    \
	":location 12 :constvalue 12 [ 48 0 0 0 105 116 39 115 32 97 92 98 ]}"

static pgexpr_env env(int little_endian, int standard_strings)
{
	pgexpr_env e = { &table, &quoting, function, op, relation, NULL, 1, little_endian, standard_strings };

	return e;
}

static void written(const char *tree, int k, int calls_only, const pgexpr_env *e, const char *want)
{
	buf b = BUF_INIT;
	unsigned long type = 0, coll = 0;
	int rc;

	buf_puts(&b, "kept|");
	rc = pgexpr_write(&b, tree, k, calls_only, e, &type, &coll);
	if (!want) {
		assert_int_equal(rc, -1);
		assert_string_equal(b.ptr, "kept|");
	} else {
		assert_int_equal(rc, 0);
		assert_string_equal(b.ptr + 5, want);
	}
	buf_release(&b);
}

static void test_calls_and_columns(void **state)
{
	pgexpr_env e = env(1, 1);
	unsigned long type, coll;
	buf b = BUF_INIT;

	(void)state;
	written("(" LOWER(VAR(2, 25, 100)) ")", 0, 1, &e, "lower(\"Email\")");
	assert_int_equal(pgexpr_write(&b, "(" LOWER(VAR(2, 25, 100)) ")", 0, 1, &e, &type, &coll), 0);
	assert_int_equal(type, 25);
	assert_int_equal(coll, 100);
	written("(" LOWER(LOWER(VAR(4, 25, 100))) " " VAR(1, 23, 0) ")", 1, 1, &e, "id");
	written("(" LOWER(LOWER(VAR(4, 25, 100))) ")", 0, 1, &e, "lower(lower(status))");
	/* an operator is not a call: refused where only calls are taken */
	written("(" OP(521, 16, VAR(1, 23, 0), INT4(0, 0, 0, 0)) ")", 0, 1, &e, NULL);
	/* a call with other argument types (an implicit cast was not stored) */
	written("(" LOWER(VAR(1, 23, 0)) ")", 0, 1, &e, NULL);
	/* a column of another table, or of an outer query */
	written("(" LOWER("{VAR :varno 2 :varattno 2 :vartype 25 :varcollid 100 :varlevelsup 0}") ")", 0, 1, &e, NULL);
	written("(" LOWER(VAR(9, 25, 100)) ")", 0, 1, &e, NULL); /* no such column */
	assert_int_equal(pgexpr_count("(" LOWER(VAR(2, 25, 100)) " " VAR(1, 23, 0) ")"), 2);
	assert_int_equal(pgexpr_count(VAR(1, 23, 0)), -1);
	assert_int_equal(pgexpr_count("({VAR"), -1);
	buf_release(&b);
}

static void test_predicates(void **state)
{
	pgexpr_env e = env(1, 1), old_strings = env(1, 0), big_endian = env(0, 1);

	(void)state;
	written(OP(521, 16, VAR(1, 23, 0), INT4(0, 0, 0, 0)), -1, 0, &e, "(id > 0)");
	written(OP(521, 16, VAR(1, 23, 0), INT4(251, 255, 255, 255)), -1, 0, &e, "(id > '-5'::integer)");
	written(OP(521, 16, VAR(1, 23, 0), INT4(-5, -1, -1, -1)), -1, 0, &e, "(id > '-5'::integer)"); /* signed chars */
	written(OP(521, 16, VAR(1, 23, 0), INT4(0, 1, 0, 0)), -1, 0, &e, "(id > 256)");
	written(OP(521, 16, VAR(1, 23, 0), INT4(0, 0, 0, 0)), -1, 0, &big_endian, NULL);
	written(OP(98, 16, VAR(4, 25, 100), TEXT_CONST), -1, 0, &e, "(status = 'it''s a\\b'::text)");
	written(OP(98, 16, VAR(4, 25, 100), TEXT_CONST), -1, 0, &old_strings, "(status = 'it''s a\\\\b'::text)");
	written("{BOOLEXPR :boolop and :args (" OP(521, 16, VAR(1, 23, 0), INT4(1, 0, 0, 0)) " "
		"{NULLTEST :arg " VAR(4, 25, 100) " :nulltesttype 1 :argisrow false :location 40}) :location 30}",
		-1, 0, &e, "((id > 1) AND (status IS NOT NULL))");
	written("{BOOLEXPR :boolop not :args (" VAR(3, 16, 0) ") :location 1}", -1, 0, &e, "(NOT flag)");
	written(VAR(3, 16, 0), -1, 0, &e, "flag");
	written("{BOOLEXPR :boolop or :args (" VAR(3, 16, 0) " {CONST :consttype 16 :consttypmod -1 :constcollid 0 "
		":constlen 1 :constbyval true :constisnull false :location 2 :constvalue 1 [ 1 0 0 0 0 0 0 0 ]}) "
		":location 1}", -1, 0, &e, "(flag OR true)");
	written(OP(521, 16, LOWER(VAR(4, 25, 100)), INT4(0, 0, 0, 0)), -1, 0, &e, NULL); /* > (text, int4): no such */
	/* IS NULL of a type that might be a row type */
	written("{NULLTEST :arg {VAR :varno 1 :varattno 1 :vartype 77777 :vartypmod -1 :varcollid 0 :varlevelsup 0} "
		":nulltesttype 0 :argisrow false :location 4}", -1, 0, &e, NULL);
	/* node kinds outside the set: the server's words */
	written("{SCALARARRAYOPEXPR :opno 98 :useOr true :args (" VAR(4, 25, 100) ")}", -1, 0, &e, NULL);
	written("{RELABELTYPE :arg " VAR(2, 25, 100) " :resulttype 1043}", -1, 0, &e, NULL);
	/* a NULL constant, a collation of its own, an escaped string */
	written(OP(98, 16, VAR(4, 25, 100), "{CONST :consttype 25 :consttypmod -1 :constcollid 100 :constlen -1 "
					    ":constbyval false :constisnull true :location 3 :constvalue <>}"),
		-1, 0, &e, NULL);
	written(OP(98, 16, VAR(4, 25, 100), "{CONST :consttype 25 :consttypmod -1 :constcollid 950 :constlen -1 "
					    ":constbyval false :constisnull false :location 3 :constvalue 5 [ 20 0 0 0 120 ]}"),
		-1, 0, &e, NULL);
	written("{OPEXPR :opno 98 :args ({VAR :note a\\}b} {VAR}) :location 1}", -1, 0, &e, NULL);
	written("{OPEXPR :opno 98 :args (", -1, 0, &e, NULL);
	written("", -1, 0, &e, NULL);
}

/* nextval('...'::regclass) as a column default: oid 1574, regclass 2205 */
#define NEXTVAL(b0, b1)                                                                                           \
	"{FUNCEXPR :funcid 1574 :funcresulttype 20 :funcretset false :funcvariadic false :funcformat 0 "              \
	":funccollid 0 :inputcollid 0 :args ({CONST :consttype 2205 :consttypmod -1 :constcollid 0 :constlen 4 "      \
	":constbyval true :constisnull false :location 64 :constvalue 4 [ " #b0 " " #b1 " 0 0 0 0 0 0 ]}) :location 56}"

static const char *nextval(const void *ctx, unsigned long oid, int nargs, const unsigned long *types)
{
	(void)ctx;
	return oid == 1574 && nargs == 1 && types[0] == 2205 ? "nextval" : NULL;
}

static void test_regclass(void **state)
{
	pgexpr_env e = env(1, 1);

	(void)state;
	e.function = nextval;
	written(NEXTVAL(2, 64), -1, 0, &e, "nextval('t_id_seq'::regclass)"); /* 16386 = 0x4002 */
	written(NEXTVAL(1, 64), -1, 0, &e, "nextval('app.\"Seq\"'::regclass)");
	written(NEXTVAL(3, 64), -1, 0, &e, NULL); /* a relation the snapshot does not know */
	/* serial on an integer column: nextval(...)::integer, an implicit
	 * cast the server leaves unsaid at the top (funcformat 2, int4(int8)) */
	written("{FUNCEXPR :funcid 480 :funcresulttype 23 :funcretset false :funcvariadic false :funcformat 2 "
		":funccollid 0 :inputcollid 0 :args (" NEXTVAL(2, 64) ") :location -1}",
		-1, 0, &e, "nextval('t_id_seq'::regclass)");
	/* ... but not as an index column (it would take parentheses) */
	written("({FUNCEXPR :funcid 480 :funcresulttype 23 :funcretset false :funcvariadic false :funcformat 2 "
		":funccollid 0 :inputcollid 0 :args (" NEXTVAL(2, 64) ") :location -1})",
		0, 1, &e, NULL);
	e.catalog_first = 0; /* "regclass" might name another type */
	written(NEXTVAL(2, 64), -1, 0, &e, NULL);
}

static void test_deep_trees_are_refused(void **state)
{
	pgexpr_env e = env(1, 1);
	buf tree = BUF_INIT;
	int i;

	(void)state;
	for (i = 0; i < 100; i++)
		buf_puts(&tree, "{BOOLEXPR :boolop not :args (");
	buf_puts(&tree, VAR(3, 16, 0));
	for (i = 0; i < 100; i++)
		buf_puts(&tree, ") :location 1}");
	written(tree.ptr, -1, 0, &e, NULL);
	buf_release(&tree);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_calls_and_columns),
		cmocka_unit_test(test_predicates),
		cmocka_unit_test(test_regclass),
		cmocka_unit_test(test_deep_trees_are_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
