/*
 * fuzz_pgexpr.c: libFuzzer target for the reader and writer of stored
 * expression trees (pgexpr) and the identifier quoting and index
 * definitions of pgdef. A quoted name must read back as the input: quotes
 * around it, each quote inside doubled.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pgexpr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *column(const void *ctx, long attnum)
{
	(void)ctx;
	return attnum > 0 && attnum < 4 ? "c" : NULL;
}

static const char *function(const void *ctx, unsigned long oid, int nargs, const unsigned long *types)
{
	(void)ctx;
	(void)types;
	return oid == 870 && nargs == 1 ? "lower" : NULL;
}

static const char *op(const void *ctx, unsigned long oid, unsigned long left, unsigned long right)
{
	(void)ctx;
	return oid == 521 && left == right ? ">" : NULL;
}

static int relation(const void *ctx, unsigned long oid, const char **schema, const char **name)
{
	(void)ctx;
	*schema = oid & 1 ? "s" : NULL;
	*name = "Rel \"x\"";
	return oid < 100000 ? 0 : -1;
}

static void check_quoted(const char *name, const buf *b)
{
	size_t i, k = 1;

	if (!strcmp(b->ptr, name))
		return;
	if (b->len < 2 || b->ptr[0] != '"' || b->ptr[b->len - 1] != '"')
		__builtin_trap();
	for (i = 0; name[i]; i++) {
		if (b->ptr[k++] != name[i])
			__builtin_trap();
		if (name[i] == '"' && b->ptr[k++] != '"')
			__builtin_trap();
	}
	if (k != b->len - 1)
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *kw[] = { "select", "user" };
	pgdef_quoting q = { kw, 2, 0 };
	pgdef_table t = { column, NULL };
	pgexpr_env env = { &t, &q, function, op, relation, NULL, 1, 1, 0 };
	unsigned long type, coll;
	int k;
	char *s = malloc(size + 1);
	const char *exprs[] = { "f(c)" };
	pgdef_index ix = { "i", "s", "t", "btree", 1, 1, NULL, NULL, 2, exprs, 1, NULL };
	buf b = BUF_INIT;
	int n;

	memcpy(s, data, size);
	s[size] = '\0';
	n = pgexpr_count(s);
	if (n < -1)
		__builtin_trap();
	for (k = -1; k < (n < 4 ? n : 4); k++) {
		size_t before = b.len;
		if (pgexpr_write(&b, s, k, k & 1, &env, &type, &coll) < 0 && b.len != before)
			__builtin_trap(); /* a refusal leaves the buffer as it was */
	}
	buf_truncate(&b, 0);
	pgdef_ident(&b, &q, s);
	check_quoted(s, &b);
	buf_truncate(&b, 0);
	ix.indkey = s;
	ix.indoption = s;
	pgdef_index_write(&b, &ix, &t, &q);
	buf_release(&b);
	free(s);
	return 0;
}
