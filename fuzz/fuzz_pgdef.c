/*
 * fuzz_pgdef.c: libFuzzer target for the reader of stored expression trees
 * (pgdef_expr_list) and the identifier quoting of pgdef. A quoted name
 * must read back as the input: quotes around it, each quote inside doubled.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pgdef.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *column(const void *ctx, long attnum)
{
	(void)ctx;
	return attnum > 0 && attnum < 4 ? "c" : NULL;
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
	pgdef_expr ex[8];
	char *s = malloc(size + 1);
	const char *exprs[] = { "f(c)" };
	pgdef_index ix = { "i", "s", "t", "btree", 1, 1, NULL, NULL, 2, exprs, 1, NULL };
	buf b = BUF_INIT;
	int n;

	memcpy(s, data, size);
	s[size] = '\0';
	n = pgdef_expr_list(s, ex, 8);
	if (n < -1)
		__builtin_trap();
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
