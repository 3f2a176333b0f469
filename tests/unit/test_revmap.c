/*
 * test_revmap.c: the revision graph: heads, bases, merges, labels,
 * dependencies, lookups, broken graphs and the upgrade order.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alembic/revmap.h"
#include "util/buf.h"

/* Build a scriptdir from a compact spec: "id:down1,down2:dep1:label1" per
 * entry, fields may be empty. */
static void make(scriptdir *sd, const char *const *spec)
{
	memset(sd, 0, sizeof(*sd));
	for (; *spec; spec++) {
		script s;
		char *copy = arena_strdup(&sd->mem, *spec), *fields[4] = { "", "", "", "" }, *p = copy;
		int i;
		memset(&s, 0, sizeof(s));
		for (i = 0; i < 4 && p; i++) {
			char *colon = strchr(p, ':');
			fields[i] = p;
			if (colon)
				*colon = '\0';
			p = colon ? colon + 1 : NULL;
		}
		s.revision = fields[0];
		for (i = 1; i < 4; i++) {
			strlist *sl = i == 1 ? &s.down : i == 2 ? &s.depends
								: &s.labels;
			const char *items[16];
			char *item = fields[i], *comma;
			size_t n = 0;
			while (*item && n < 16) {
				comma = strchr(item, ',');
				if (comma)
					*comma = '\0';
				items[n++] = item;
				if (!comma)
					break;
				item = comma + 1;
			}
			sl->v = arena_strs(&sd->mem, items, n);
			sl->n = n;
		}
		s.depends_declared = s.depends.n > 0;
		{
			char path[256];
			snprintf(path, sizeof(path), "/p/%s.py", fields[0]);
			s.path = arena_strdup(&sd->mem, path);
		}
		s.doc = "";
		if (sd->n == sd->alloc) {
			sd->alloc = sd->alloc ? sd->alloc * 2 : 8;
			sd->v = realloc(sd->v, sd->alloc * sizeof(*sd->v));
		}
		sd->v[sd->n++] = s;
	}
}

static char *ids(const revmap *m, const int *v, size_t n)
{
	buf b = BUF_INIT;
	size_t i;
	for (i = 0; i < n; i++)
		buf_printf(&b, "%s%s", i ? " " : "", m->v[v[i]].id);
	return buf_detach(&b);
}

static char *order(const revmap *m, const char *const *targets, const char *const *current)
{
	int t[16], c[16], *out = NULL;
	size_t nt = 0, nc = 0, n = 0;
	mg_error err = MG_ERROR_INIT;
	char *s;
	for (; targets && *targets; targets++)
		t[nt++] = revmap_index(m, *targets);
	for (; current && *current; current++)
		c[nc++] = revmap_index(m, *current);
	assert_int_equal(revmap_upgrade_order(&out, &n, m, t, nt, c, nc, &err), 0);
	s = ids(m, out, n);
	free(out);
	return s;
}

static const finding *find(const findings *f, const char *id)
{
	size_t i;
	for (i = 0; i < f->n; i++)
		if (!strcmp(f->v[i].id, id))
			return &f->v[i];
	return NULL;
}

static void test_linear_and_branches(void **state)
{
	static const char *const spec[] = { "a:::", "b:a::", "c:b::", "d:b::", "e:c,d::", NULL };
	scriptdir sd;
	revmap m;
	findings f = FINDINGS_INIT;
	char *s;
	(void)state;
	make(&sd, spec);
	revmap_build(&m, &sd, &f);
	assert_int_equal(f.n, 0);
	assert_false(m.broken);
	s = ids(&m, m.heads.v, m.heads.n);
	assert_string_equal(s, "e");
	free(s);
	assert_true(revnode_is_branch_point(&m.v[1]));
	assert_true(revnode_is_merge(&m.v[4]));
	assert_true(m.v[0].is_base);
	/* Alembic walks from the merge's first parent down, so d comes before c
	 * (checked against alembic.script.revision.RevisionMap) */
	s = order(&m, (const char *const[]){ "e", NULL }, NULL);
	assert_string_equal(s, "a b d c e");
	free(s);
	/* from a database at c, only d and the merge remain */
	s = order(&m, (const char *const[]){ "e", NULL }, (const char *const[]){ "c", NULL });
	assert_string_equal(s, "d e");
	free(s);
	revmap_release(&m);
	scriptdir_release(&sd);
}

/* The downgrade plan and the rows it leaves, as "steps | rows", or the
 * error code. */
static char *down(const revmap *m, const char *target, const char *const *current)
{
	int c[16], *out = NULL, tgt = 0, rc;
	size_t nc = 0, n = 0, fail_at = 0;
	mg_error err = MG_ERROR_INIT;
	intvec rows = { NULL, 0, 0 };
	buf why = BUF_INIT, b = BUF_INIT;
	char *s;

	for (; current && *current; current++)
		c[nc++] = revmap_index(m, *current);
	if ((rc = revmap_downgrade_order(&out, &n, &tgt, m, target, c, nc, &err)) < 0) {
		buf_printf(&b, "error %d", rc);
		return buf_detach(&b);
	}
	assert_int_equal(revmap_replay_downgrade(&rows, m, c, nc, out, n, &fail_at, &why), 0);
	s = ids(m, out, n);
	buf_printf(&b, "%s | ", s);
	free(s);
	s = ids(m, rows.v, rows.n);
	buf_puts(&b, s);
	free(s);
	free(out);
	intvec_release(&rows);
	buf_release(&why);
	return buf_detach(&b);
}

/* Expected values from alembic.script.revision.RevisionMap (1.8). */
static void test_downgrade(void **state)
{
	static const char *const spec[] = { "a:::", "b:a::", "c:b::", "d:b::", "e:c,d::", NULL };
	static const char *const at_e[] = { "e", NULL }, *const at_cd[] = { "c", "d", NULL };
	scriptdir sd;
	revmap m;
	findings f = FINDINGS_INIT;
	char *s;
	(void)state;
	make(&sd, spec);
	revmap_build(&m, &sd, &f);
	s = down(&m, "b", at_e); /* through the merge point: it unmerges */
	assert_string_equal(s, "e c d | b");
	free(s);
	s = down(&m, "base", at_e);
	assert_string_equal(s, "e c d b a | ");
	free(s);
	s = down(&m, "c@-1", at_cd); /* one branch only */
	assert_string_equal(s, "c | d");
	free(s);
	s = down(&m, "-1", at_e);           /* two parents: Alembic's "Ambiguous walk" */
	assert_string_equal(s, "error -3"); /* MG_EAMBIGUOUS */
	free(s);
	s = down(&m, "nosuch", at_e);
	assert_string_equal(s, "error -2"); /* MG_ENOTFOUND */
	free(s);
	revmap_release(&m);
	scriptdir_release(&sd);
}

/* Back to the rows an upgrade started from when it also applied another
 * branch (the demo's shape): a downgrade to the start, then `c@-1`. */
static void test_downgrade_path(void **state)
{
	static const char *const spec[] = { "a:::", "b:a::", "c:a::", "d:b,c::", NULL };
	scriptdir sd;
	revmap m;
	findings f = FINDINGS_INIT;
	strvec cmds = STRVEC_INIT;
	intvec steps = { NULL, 0, 0 }, rows = { NULL, 0, 0 };
	buf problem = BUF_INIT;
	mg_error err = MG_ERROR_INIT;
	int cur, start;
	char *s;
	(void)state;
	make(&sd, spec);
	revmap_build(&m, &sd, &f);
	cur = revmap_index(&m, "d");
	start = revmap_index(&m, "b");
	assert_int_equal(revmap_downgrade_path(&cmds, &steps, &rows, &problem, &m, "b", &cur, 1, &start, 1, &err), 0);
	assert_int_equal(problem.len, 0);
	assert_int_equal(cmds.n, 2);
	assert_string_equal(cmds.v[0], "b");
	assert_string_equal(cmds.v[1], "c@-1");
	s = ids(&m, steps.v, steps.n);
	assert_string_equal(s, "d c");
	free(s);
	s = ids(&m, rows.v, rows.n);
	assert_string_equal(s, "b");
	free(s);
	strvec_release(&cmds);
	intvec_release(&steps);
	intvec_release(&rows);
	/* without a start, one downgrade, as Alembic would do it */
	assert_int_equal(revmap_downgrade_path(&cmds, &steps, &rows, &problem, &m, "b", &cur, 1, NULL, 0, &err), 0);
	assert_int_equal(cmds.n, 1);
	s = ids(&m, rows.v, rows.n);
	assert_string_equal(s, "b c");
	free(s);
	strvec_release(&cmds);
	intvec_release(&steps);
	intvec_release(&rows);
	buf_release(&problem);
	revmap_release(&m);
	scriptdir_release(&sd);
}

static void test_heads_versus_real_heads(void **state)
{
	/* y depends on x: x is still a head for `alembic heads`, but not a real head */
	static const char *const spec[] = { "x:::", "base2:::", "y:base2:x:", NULL };
	scriptdir sd;
	revmap m;
	findings f = FINDINGS_INIT;
	char *s;
	(void)state;
	make(&sd, spec);
	revmap_build(&m, &sd, &f);
	s = ids(&m, m.heads.v, m.heads.n);
	assert_string_equal(s, "x y");
	free(s);
	s = ids(&m, m.real_heads.v, m.real_heads.n);
	assert_string_equal(s, "y");
	free(s);
	s = ids(&m, m.real_bases.v, m.real_bases.n);
	assert_string_equal(s, "x base2");
	free(s);
	s = order(&m, (const char *const[]){ "y", NULL }, NULL);
	assert_string_equal(s, "x base2 y"); /* as RevisionMap orders it */
	free(s);
	revmap_release(&m);
	scriptdir_release(&sd);
}

static void test_labels(void **state)
{
	static const char *const spec[] = { "a:::core", "b:a::", "c:::expand", "d:c:core:", NULL };
	scriptdir sd;
	revmap m;
	findings f = FINDINGS_INIT;
	mg_error err = MG_ERROR_INIT;
	int idx;
	(void)state;
	make(&sd, spec);
	revmap_build(&m, &sd, &f);
	assert_int_equal(f.n, 0);
	/* a label spreads to descendants */
	assert_int_equal(strlist_index(&m.v[1].labels, "core"), 0);
	assert_int_equal(strlist_index(&m.v[3].labels, "expand"), 0);
	/* depends_on through a label resolves to the labelled revision */
	assert_int_equal(m.v[3].deps.v[0], 0);
	assert_int_equal(revmap_lookup(&idx, &m, "expand", &err), 0);
	assert_int_equal(idx, 2);
	revmap_release(&m);
	scriptdir_release(&sd);
}

static void test_lookup(void **state)
{
	static const char *const spec[] = { "abcd1234:::", "abce5678:abcd1234::", "xy:abce5678::", NULL };
	scriptdir sd;
	revmap m;
	findings f = FINDINGS_INIT;
	mg_error err = MG_ERROR_INIT;
	int idx;
	(void)state;
	make(&sd, spec);
	revmap_build(&m, &sd, &f);
	assert_int_equal(revmap_lookup(&idx, &m, "abcd", &err), 0);
	assert_int_equal(idx, 0);
	assert_int_equal(revmap_lookup(&idx, &m, "abc", &err), MG_EAMBIGUOUS);
	assert_non_null(strstr(err.msg, "'abcd1234'"));
	assert_int_equal(revmap_lookup(&idx, &m, "x", &err), MG_ENOTFOUND); /* "xy" is too short to match by prefix */
	assert_non_null(strstr(err.msg, "at least four"));
	assert_int_equal(revmap_lookup(&idx, &m, "xy", &err), 0);
	assert_int_equal(idx, 2);
	revmap_release(&m);
	scriptdir_release(&sd);
}

/* A graph built from a spec, with its findings. */
typedef struct graph {
	scriptdir sd;
	revmap m;
	findings f;
} graph;

static void load(graph *g, const char *const *spec)
{
	memset(g, 0, sizeof(*g));
	make(&g->sd, spec);
	revmap_build(&g->m, &g->sd, &g->f);
}

static void unload(graph *g)
{
	revmap_release(&g->m);
	scriptdir_release(&g->sd);
	findings_release(&g->f);
}

static void test_broken_graphs(void **state)
{
	graph g;
	(void)state;

	load(&g, (const char *const[]){ "a:::", "b:zzz::", NULL });
	assert_true(g.m.broken);
	assert_non_null(find(&g.f, "missing-revision"));
	assert_string_equal(find(&g.f, "missing-revision")->revision, "b");
	assert_non_null(strstr(find(&g.f, "missing-revision")->message, "'zzz'"));
	unload(&g);

	load(&g, (const char *const[]){ "root:::", "a:c::", "b:a::", "c:b::", NULL });
	assert_true(g.m.broken);
	assert_non_null(find(&g.f, "cycle"));
	assert_non_null(strstr(find(&g.f, "cycle")->message, "a"));
	assert_non_null(strstr(find(&g.f, "cycle")->message, "c"));
	unload(&g);

	load(&g, (const char *const[]){ "a:a::", NULL });
	assert_non_null(find(&g.f, "self-loop"));
	unload(&g);

	load(&g, (const char *const[]){ "a:::", "a:::", NULL });
	assert_non_null(find(&g.f, "duplicate-revision"));
	unload(&g);

	load(&g, (const char *const[]){ "a:::x", "b:a::x", "c:b::a", NULL });
	assert_int_equal(findings_count(&g.f, SEV_ERROR), 2); /* x twice; a is a revision id */
	unload(&g);

	load(&g, (const char *const[]){ "a:::", "b:a:nope:", NULL });
	assert_non_null(find(&g.f, "missing-dependency"));
	unload(&g);

	/* a cycle through depends_on only */
	load(&g, (const char *const[]){ "a:::", "b:a:c:", "c:a:b:", NULL });
	assert_true(g.m.broken);
	assert_non_null(find(&g.f, "dependency-cycle"));
	unload(&g);
}

static void test_unordered_dependencies_warn(void **state)
{
	static const char *const spec[] = { "r:::", "p:::", "q:::", "x:r:p,q:", NULL };
	scriptdir sd;
	revmap m;
	findings f = FINDINGS_INIT;
	(void)state;
	make(&sd, spec);
	revmap_build(&m, &sd, &f);
	assert_false(m.broken);
	assert_non_null(find(&f, "nondeterministic-order"));
	assert_int_equal(find(&f, "nondeterministic-order")->severity, SEV_WARNING);
	revmap_release(&m);
	scriptdir_release(&sd);
	findings_release(&f);
}

static void test_large_graph(void **state)
{
	/* 20,000 revisions in a chain with periodic branches and merges */
	enum { N = 20000 };
	scriptdir sd;
	revmap m;
	findings f = FINDINGS_INIT;
	const char **spec = calloc(N + 1, sizeof(char *));
	char **store = calloc(N, sizeof(char *));
	int *out = NULL, t;
	size_t n = 0, i;
	mg_error err = MG_ERROR_INIT;
	(void)state;
	for (i = 0; i < N; i++) {
		char buf[64];
		if (i == 0)
			snprintf(buf, sizeof(buf), "r0:::");
		else if (i % 10 == 2)
			snprintf(buf, sizeof(buf), "r%zu:r%zu::", i, i - 2); /* sibling of r(i-1) */
		else if (i % 10 == 3)
			snprintf(buf, sizeof(buf), "r%zu:r%zu,r%zu::", i, i - 1, i - 2); /* merge */
		else
			snprintf(buf, sizeof(buf), "r%zu:r%zu::", i, i - 1);
		store[i] = strdup(buf);
		spec[i] = store[i];
	}
	make(&sd, spec);
	revmap_build(&m, &sd, &f);
	assert_int_equal(f.n, 0);
	assert_int_equal(m.heads.n, 1);
	t = m.heads.v[0];
	assert_int_equal(revmap_upgrade_order(&out, &n, &m, &t, 1, NULL, 0, &err), 0);
	assert_int_equal(n, N);
	assert_string_equal(m.v[out[0]].id, "r0");
	assert_string_equal(m.v[out[N - 1]].id, "r19999");
	free(out);
	for (i = 0; i < N; i++)
		free(store[i]);
	free(store);
	free(spec);
	revmap_release(&m);
	scriptdir_release(&sd);
}

/* The sort with memoized ancestor sets and the sort that walks the graph
 * for each set must give the same order on any graph. */
static void test_memo_and_walk_agree(void **state)
{
	unsigned seed = 12345;
	int round;
	(void)state;
	for (round = 0; round < 40; round++) {
		enum { N = 120 };
		char *store[N];
		const char *spec[N + 1];
		scriptdir sd;
		revmap m;
		findings f = FINDINGS_INIT;
		int *a = NULL, *b = NULL;
		size_t na = 0, nb = 0, i;
		mg_error err = MG_ERROR_INIT;
		for (i = 0; i < N; i++) {
			char line[96];
			seed = seed * 1103515245u + 12345u;
			if (i == 0 || (seed >> 16) % 17 == 0)
				snprintf(line, sizeof(line), "n%zu:::", i);
			else if ((seed >> 16) % 5 == 0 && i > 2)
				snprintf(line, sizeof(line), "n%zu:n%zu,n%zu::", i, i - 1, (size_t)((seed >> 8) % (i - 1)));
			else if ((seed >> 16) % 7 == 0)
				snprintf(line, sizeof(line), "n%zu:n%zu:n%zu:", i, (size_t)((seed >> 4) % i), (size_t)((seed >> 10) % i));
			else
				snprintf(line, sizeof(line), "n%zu:n%zu::", i, (size_t)((seed >> 4) % i));
			store[i] = strdup(line);
			spec[i] = store[i];
		}
		spec[N] = NULL;
		make(&sd, spec);
		revmap_build(&m, &sd, &f);
		if (!m.broken) {
			revmap__set_memo_limit(0); /* walk */
			assert_int_equal(revmap_upgrade_order(&a, &na, &m, m.real_heads.v, m.real_heads.n, NULL, 0, &err), 0);
			revmap__set_memo_limit(32u * 1024 * 1024); /* memoize */
			assert_int_equal(revmap_upgrade_order(&b, &nb, &m, m.real_heads.v, m.real_heads.n, NULL, 0, &err), 0);
			assert_int_equal(na, nb);
			assert_int_equal(na, m.n);
			assert_memory_equal(a, b, na * sizeof(int));
			free(a);
			free(b);
		}
		revmap_release(&m);
		scriptdir_release(&sd);
		findings_release(&f);
		for (i = 0; i < N; i++)
			free(store[i]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_linear_and_branches),
		cmocka_unit_test(test_heads_versus_real_heads),
		cmocka_unit_test(test_downgrade),
		cmocka_unit_test(test_downgrade_path),
		cmocka_unit_test(test_labels),
		cmocka_unit_test(test_lookup),
		cmocka_unit_test(test_broken_graphs),
		cmocka_unit_test(test_unordered_dependencies_warn),
		cmocka_unit_test(test_large_graph),
		cmocka_unit_test(test_memo_and_walk_agree),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
