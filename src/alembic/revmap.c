/*
 * revmap.c: the revision graph (see revmap.h).
 *
 * The order of operations mirrors Alembic's RevisionMap so that every
 * derived fact (heads, real heads, normalized dependencies, inherited
 * branch labels, the upgrade order) comes out the same: ids first, then
 * branch labels, then dependency resolution, then the child links, then
 * dependency normalization, cycle detection and label inheritance.
 */
#include "alembic/revmap.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/banned.h"

void intvec_push(intvec *iv, int x)
{
	if (iv->n == iv->alloc) {
		iv->alloc = iv->alloc ? iv->alloc * 2 : 4;
		iv->v = mg_realloc(iv->v, iv->alloc * sizeof(*iv->v));
	}
	iv->v[iv->n++] = x;
}

/* x among the first `n` entries. */
static int intvec_has_before(const intvec *iv, int x, size_t n)
{
	size_t i;

	for (i = 0; i < n && i < iv->n; i++)
		if (iv->v[i] == x)
			return 1;
	return 0;
}

int intvec_has(const intvec *iv, int x)
{
	size_t i;

	for (i = 0; i < iv->n; i++)
		if (iv->v[i] == x)
			return 1;
	return 0;
}

void intvec_release(intvec *iv)
{
	free(iv->v);
	memset(iv, 0, sizeof(*iv));
}

int revnode_is_merge(const revnode *r)
{
	return r->down.n > 1;
}

int revnode_is_branch_point(const revnode *r)
{
	return r->next.n > 1;
}

int revmap_index(const revmap *m, const char *id)
{
	return strmap_get(&m->ids, id);
}

/* ---- bitsets and traversal ---------------------------------------------- */

typedef struct bitset {
	uint64_t *w;
	size_t nwords;
} bitset;

static void bitset_init(bitset *b, size_t nbits)
{
	b->nwords = (nbits + 63) / 64;
	b->w = mg_calloc(b->nwords ? b->nwords : 1, sizeof(uint64_t));
}

static void bitset_clear(bitset *b)
{
	memset(b->w, 0, b->nwords * sizeof(uint64_t));
}

static int bitset_has(const bitset *b, int i)
{
	return (int)((b->w[(size_t)i / 64] >> ((size_t)i % 64)) & 1u);
}

static void bitset_set(bitset *b, int i)
{
	b->w[(size_t)i / 64] |= (uint64_t)1 << ((size_t)i % 64);
}

static void bitset_unset(bitset *b, int i)
{
	b->w[(size_t)i / 64] &= ~((uint64_t)1 << ((size_t)i % 64));
}

static size_t bitset_count(const bitset *b)
{
	size_t i, n = 0;

	for (i = 0; i < b->nwords; i++)
		n += (size_t)__builtin_popcountll(b->w[i]);
	return n;
}

static void bitset_release(bitset *b)
{
	free(b->w);
	b->w = NULL;
}

enum edge_kind { EDGE_DOWN,
		 EDGE_NORMDOWN,
		 EDGE_ALLDOWN,
		 EDGE_NEXT,
		 EDGE_ALLNEXT };

/* Mark in `out` every node reachable from `start` (inclusive) along one
 * kind of edge. `stack` is scratch space of at least m->n ints. */
static void reach(const revmap *m, bitset *out, const int *start, size_t nstart, enum edge_kind kind, int *stack)
{
	size_t sp = 0, i, k;

	for (i = 0; i < nstart; i++)
		stack[sp++] = start[i];
	while (sp) {
		int x = stack[--sp];
		const revnode *r = &m->v[x];
		const intvec *e1 = NULL, *e2 = NULL;
		if (bitset_has(out, x))
			continue;
		bitset_set(out, x);
		switch (kind) {
		case EDGE_DOWN: e1 = &r->down; break;
		case EDGE_NORMDOWN: e1 = &r->normdown; break;
		case EDGE_ALLDOWN:
			e1 = &r->down;
			e2 = &r->deps;
			break;
		case EDGE_NEXT: e1 = &r->next; break;
		case EDGE_ALLNEXT: e1 = &r->allnext; break;
		}
		for (k = 0; e1 && k < e1->n; k++)
			if (!bitset_has(out, e1->v[k]))
				stack[sp++] = e1->v[k];
		for (k = 0; e2 && k < e2->n; k++)
			if (!bitset_has(out, e2->v[k]))
				stack[sp++] = e2->v[k];
		/* every push is of an unmarked node, and each node is marked
		 * once, but a node can be pushed by several parents before it
		 * is popped: bound the stack by edges, which the caller sized. */
	}
}

/* ---- building ------------------------------------------------------------- */

/* Append to a node's vector, in the map's arena (a grown vector leaves
 * its old copy there: they are a few ints). */
static void edge_push(revmap *m, intvec *iv, int x)
{
	if (iv->n == iv->alloc) {
		size_t alloc = iv->alloc ? iv->alloc * 2 : 2;
		int *v = arena_alloc(&m->mem, alloc * sizeof(int));
		if (iv->n)
			memcpy(v, iv->v, iv->n * sizeof(int));
		iv->v = v;
		iv->alloc = alloc;
	}
	iv->v[iv->n++] = x;
}

static void push_unique(revmap *m, intvec *iv, int x)
{
	if (!intvec_has(iv, x))
		edge_push(m, iv, x);
}

/* Add a label to a node's list (in the arena) unless it is there. */
static void label_push(revmap *m, strlist *sl, const char *label)
{
	if (strlist_index(sl, label) >= 0)
		return;
	if (sl->n == sl->alloc) {
		size_t alloc = sl->alloc ? sl->alloc * 2 : 2;
		const char **v = arena_alloc(&m->mem, alloc * sizeof(*v));
		if (sl->n)
			memcpy(v, sl->v, sl->n * sizeof(*v));
		sl->v = v;
		sl->alloc = alloc;
	}
	sl->v[sl->n++] = label;
}

static void register_ids(revmap *m, findings *f)
{
	size_t i;

	for (i = 0; i < m->n; i++) {
		revnode *r = &m->v[i];
		int prev = strmap_get(&m->ids, r->id);
		if (prev >= 0) {
			findings_add(f, "duplicate-revision", SEV_ERROR, r->s->path, r->s->revision_line, r->id,
				     "revision '%s' is defined twice: in '%s' and in '%s'; Alembic silently keeps only "
				     "one of them, so mgate refuses",
				     r->id, m->v[prev].s->path, r->s->path);
			m->broken = 1;
			continue;
		}
		strmap_put(&m->ids, r->id, (int)i);
	}
}

static void register_labels(revmap *m, findings *f)
{
	size_t i, k;

	for (i = 0; i < m->n; i++) {
		revnode *r = &m->v[i];
		for (k = 0; k < r->s->labels.n; k++) {
			const char *label = r->s->labels.v[k];
			int other = strmap_get(&m->labels, label);
			int as_id = strmap_get(&m->ids, label);
			if (other >= 0 || as_id >= 0) {
				const revnode *o = &m->v[other >= 0 ? other : as_id];
				findings_add(f, "duplicate-branch-label", SEV_ERROR, r->s->path, r->s->labels_line, r->id,
					     "branch label '%s' of revision '%s' is already used %s '%s' (%s)", label, r->id,
					     other >= 0 ? "by revision" : "as the id of revision", o->id, o->s->path);
				m->broken = 1;
				continue;
			}
			strmap_put(&m->labels, label, (int)i);
			label_push(m, &r->labels, label);
		}
	}
}

static void resolve_edges(revmap *m, findings *f)
{
	size_t i, k;

	for (i = 0; i < m->n; i++) {
		revnode *r = &m->v[i];
		const script *s = r->s;
		for (k = 0; k < s->down.n; k++) {
			const char *d = s->down.v[k];
			int x = strmap_get(&m->ids, d);
			if (!strcmp(d, r->id)) {
				findings_add(f, "self-loop", SEV_ERROR, s->path, s->down_line, r->id,
					     "revision '%s' names itself as its down_revision", r->id);
				m->broken = 1;
				continue;
			}
			if (x < 0 && strmap_get(&m->labels, d) >= 0) {
				findings_add(f, "down-revision-is-label", SEV_ERROR, s->path, s->down_line, r->id,
					     "down_revision of '%s' names branch label '%s'; it must name a revision id",
					     r->id, d);
				m->broken = 1;
				continue;
			}
			if (x < 0) {
				findings_add(f, "missing-revision", SEV_ERROR, s->path, s->down_line, r->id,
					     "down_revision of '%s' is '%s', which no script defines (Alembic stops with a "
					     "KeyError here); restore that revision or fix down_revision",
					     r->id, d);
				m->broken = 1;
				continue;
			}
			if (intvec_has(&r->down, x)) {
				findings_add(f, "invalid-value", SEV_ERROR, s->path, s->down_line, r->id,
					     "down_revision of '%s' names '%s' twice", r->id, d);
				m->broken = 1;
				continue;
			}
			edge_push(m, &r->down, x);
		}
		for (k = 0; k < s->depends.n; k++) {
			const char *d = s->depends.v[k];
			int x = strmap_get(&m->ids, d);
			if (x < 0)
				x = strmap_get(&m->labels, d);
			if (!strcmp(d, r->id)) {
				findings_add(f, "self-loop", SEV_ERROR, s->path, 0, r->id,
					     "revision '%s' names itself in depends_on", r->id);
				m->broken = 1;
				continue;
			}
			if (x < 0) {
				findings_add(f, "missing-dependency", SEV_ERROR, s->path, 0, r->id,
					     "depends_on of '%s' names '%s', which is neither a revision nor a branch label "
					     "(Alembic stops with a KeyError here)",
					     r->id, d);
				m->broken = 1;
				continue;
			}
			edge_push(m, &r->deps, x);
		}
	}
}

/* Children, heads and bases, in load order, as RevisionMap computes them. */
static void link_children(revmap *m)
{
	size_t i, k;
	char *not_head, *not_real_head;

	not_head = mg_calloc(m->n, 1);
	not_real_head = mg_calloc(m->n, 1);
	for (i = 0; i < m->n; i++) {
		revnode *r = &m->v[i];
		/* parents by down_revision, then dependencies not already parents */
		for (k = 0; k < r->down.n + r->deps.n; k++) {
			int x = k < r->down.n ? r->down.v[k] : r->deps.v[k - r->down.n];
			revnode *p = &m->v[x];
			if (k >= r->down.n && (intvec_has(&r->down, x) || intvec_has_before(&r->deps, x, k - r->down.n)))
				continue;
			push_unique(m, &p->allnext, (int)i);
			if (k < r->down.n) {
				push_unique(m, &p->next, (int)i);
				not_head[x] = 1;
			}
			not_real_head[x] = 1;
		}
	}
	for (i = 0; i < m->n; i++) {
		revnode *r = &m->v[i];
		r->is_head = !not_head[i];
		r->is_real_head = !not_real_head[i];
		r->is_base = r->down.n == 0 && r->s->down.n == 0;
		r->is_real_base = r->is_base && !r->s->depends_declared;
		if (r->is_head)
			intvec_push(&m->heads, (int)i);
		if (r->is_real_head)
			intvec_push(&m->real_heads, (int)i);
		if (r->is_base)
			intvec_push(&m->bases, (int)i);
		if (r->is_real_base)
			intvec_push(&m->real_bases, (int)i);
	}
	free(not_head);
	free(not_real_head);
}

/* Drop from each revision's dependencies those that an ancestor (by
 * down_revision) already depends on. Alembic keeps the result in a Python
 * set, whose order varies between runs; mgate keeps declaration order. */
static void normalize_deps(revmap *m, int *stack)
{
	bitset anc;
	size_t *first = mg_calloc(m->n + 1, sizeof(size_t)); /* declarers of d: by[first[d] .. first[d + 1]) */
	int *by = NULL;
	size_t i, k, j, ndecl = 0;

	bitset_init(&anc, m->n);
	for (i = 0; i < m->n; i++)
		for (k = 0; k < m->v[i].deps.n; k++)
			first[m->v[i].deps.v[k] + 1]++;
	for (i = 0; i < m->n; i++)
		first[i + 1] += first[i];
	ndecl = first[m->n];
	by = mg_malloc((ndecl + 1) * sizeof(int));
	{
		size_t *fill = mg_malloc((m->n + 1) * sizeof(size_t));
		memcpy(fill, first, (m->n + 1) * sizeof(size_t));
		for (i = 0; i < m->n; i++)
			for (k = 0; k < m->v[i].deps.n; k++)
				by[fill[m->v[i].deps.v[k]]++] = (int)i;
		free(fill);
	}
	for (i = 0; i < m->n; i++) {
		revnode *r = &m->v[i];
		int self = (int)i, walked = 0;
		for (k = 0; k < r->deps.n; k++) {
			int d = r->deps.v[k], dropped = 0;
			if (intvec_has(&r->normdeps, d))
				continue;
			/* only another declarer of d, among r's ancestors, can drop it */
			if (first[d + 1] - first[d] > 1) {
				if (!walked) {
					bitset_clear(&anc);
					reach(m, &anc, &self, 1, EDGE_DOWN, stack);
					walked = 1;
				}
				for (j = first[d]; j < first[d + 1] && !dropped; j++)
					dropped = by[j] != self && bitset_has(&anc, by[j]);
			}
			if (!dropped)
				edge_push(m, &r->normdeps, d);
		}
		for (k = 0; k < r->down.n; k++)
			push_unique(m, &r->normdown, r->down.v[k]);
		for (k = 0; k < r->normdeps.n; k++)
			push_unique(m, &r->normdown, r->normdeps.v[k]);
	}
	free(first);
	free(by);
	bitset_release(&anc);
}

/* Alembic keeps normalized dependencies in a Python set: with two or more,
 * the order in which `alembic upgrade` walks their branches changes from
 * one run to the next. Say so rather than pretend to know. */
static void warn_unordered_deps(revmap *m, findings *f)
{
	size_t i, k;

	for (i = 0; i < m->n; i++) {
		const revnode *r = &m->v[i];
		buf names = BUF_INIT;
		if (r->normdeps.n < 2)
			continue;
		for (k = 0; k < r->normdeps.n; k++)
			buf_printf(&names, "%s'%s'", k ? ", " : "", m->v[r->normdeps.v[k]].id);
		findings_add(f, "nondeterministic-order", SEV_WARNING, r->s->path, 0, r->id,
			     "revision '%s' depends on %s, which none of its ancestors depend on; Alembic keeps these in "
			     "a set, so the order it upgrades their branches in can change between runs (mgate shows "
			     "declaration order). Make one depend on the other to fix the order",
			     r->id, names.ptr);
		buf_release(&names);
	}
}

/* Tarjan's strongly connected components, iteratively, over `kind`
 * edges; reports every component of two or more nodes. */
static void report_cycles(revmap *m, findings *f, enum edge_kind kind)
{
	int *index = mg_malloc(m->n * sizeof(int)), *low = mg_malloc(m->n * sizeof(int));
	int *stk = mg_malloc(m->n * sizeof(int)), *call = mg_malloc(m->n * sizeof(int));
	size_t *edge = mg_malloc(m->n * sizeof(size_t));
	char *on = mg_calloc(m->n, 1);
	int counter = 0, sp = 0, cp;
	size_t root;

	for (root = 0; root < m->n; root++)
		index[root] = -1;
	for (root = 0; root < m->n; root++) {
		if (index[root] >= 0)
			continue;
		cp = 0;
		call[cp++] = (int)root;
		edge[root] = 0;
		index[root] = low[root] = counter++;
		stk[sp++] = (int)root;
		on[root] = 1;
		while (cp) {
			int v = call[cp - 1];
			const revnode *r = &m->v[v];
			size_t nd = r->down.n + (kind == EDGE_ALLDOWN ? r->deps.n : 0);
			if (edge[v] < nd) {
				size_t e = edge[v]++;
				int w = e < r->down.n ? r->down.v[e] : r->deps.v[e - r->down.n];
				if (index[w] < 0) {
					index[w] = low[w] = counter++;
					edge[w] = 0;
					stk[sp++] = w;
					on[w] = 1;
					call[cp++] = w;
				} else if (on[w] && index[w] < low[v]) {
					low[v] = index[w];
				}
				continue;
			}
			cp--;
			if (cp && low[v] < low[call[cp - 1]])
				low[call[cp - 1]] = low[v];
			if (low[v] == index[v]) {
				buf names = BUF_INIT;
				int size = 0, w;
				const revnode *first = NULL;
				do {
					w = stk[--sp];
					on[w] = 0;
					if (size++)
						buf_puts(&names, ", ");
					buf_puts(&names, m->v[w].id);
					first = &m->v[w];
				} while (w != v);
				if (size > 1) {
					findings_add(f, kind == EDGE_DOWN ? "cycle" : "dependency-cycle", SEV_ERROR, first->s->path,
						     kind == EDGE_DOWN ? first->s->down_line : first->s->depends_line, first->id, "%s revisions form a cycle: %s",
						     kind == EDGE_DOWN ? "these" : "through depends_on, these", names.ptr);
					m->broken = 1;
				}
				buf_release(&names);
			}
		}
	}
	free(index);
	free(low);
	free(stk);
	free(call);
	free(edge);
	free(on);
}

/* Alembic's own test is that every revision lies between a head and a
 * base; in a finite graph that holds exactly when there is no cycle
 * (down from any revision ends at a base, up at a head), so one pass of
 * Tarjan's algorithm decides it. */
static void detect_cycles(revmap *m, findings *f)
{
	findings dep = FINDINGS_INIT;

	if (!m->n)
		return;
	/* A cycle by down_revision is also one with depends_on: one pass finds
	 * whether there is any; only then is it told which kind it is. */
	report_cycles(m, &dep, EDGE_ALLDOWN);
	if (m->broken) {
		m->broken = 0;
		report_cycles(m, f, EDGE_DOWN);
		if (!m->broken)
			findings_move(f, &dep);
		m->broken = 1;
	}
	findings_release(&dep);
}

/* RevisionMap._add_branches: a label spreads to every descendant, and down
 * from the last descendant walked to the nearest branch or merge point. */
static void inherit_labels(revmap *m, int *stack)
{
	char *seen = mg_calloc(m->n, 1);
	size_t i, k, j;

	for (i = 0; i < m->n; i++) {
		const revnode *lr = &m->v[i];
		size_t sp = 0;
		int last = -1, parent;
		if (!lr->s->labels.n)
			continue;
		memset(seen, 0, m->n);
		stack[sp++] = (int)i;
		while (sp) {
			int x = stack[--sp];
			if (seen[x])
				continue;
			seen[x] = 1;
			last = x;
			for (k = 0; k < lr->s->labels.n; k++)
				label_push(m, &m->v[x].labels, lr->s->labels.v[k]);
			for (j = 0; j < m->v[x].next.n; j++)
				stack[sp++] = m->v[x].next.v[j];
		}
		parent = last;
		while (parent >= 0 && m->v[parent].allnext.n <= 1 && !revnode_is_merge(&m->v[parent])) {
			revnode *p = &m->v[parent];
			for (k = 0; k < lr->s->labels.n; k++)
				label_push(m, &p->labels, lr->s->labels.v[k]);
			parent = p->down.n ? p->down.v[0] : -1;
		}
	}
	free(seen);
}

static size_t count_edges(const revmap *m)
{
	size_t i, e = 0;

	for (i = 0; i < m->n; i++)
		e += m->v[i].s->down.n + m->v[i].s->depends.n + 1;
	return e + m->n;
}

int revmap_build(revmap *out, const scriptdir *sd, findings *f)
{
	size_t i;
	int *stack = NULL;

	memset(out, 0, sizeof(*out));
	out->n = sd->n;
	out->v = mg_calloc(sd->n ? sd->n : 1, sizeof(*out->v));
	for (i = 0; i < sd->n; i++) {
		out->v[i].s = &sd->v[i];
		out->v[i].id = sd->v[i].revision;
	}
	strmap_reserve(&out->ids, sd->n);
	register_ids(out, f);
	register_labels(out, f);
	resolve_edges(out, f);
	if (out->broken)
		return MG_OK;
	link_children(out);
	stack = mg_malloc(count_edges(out) * 2 * sizeof(int));
	normalize_deps(out, stack);
	warn_unordered_deps(out, f);
	detect_cycles(out, f);
	if (!out->broken)
		inherit_labels(out, stack);
	free(stack);
	return MG_OK;
}

/* ---- targets ---------------------------------------------------------------- */

/* Alembic's _shares_lineage without dependencies, for every revision at
 * once: `out` gets the ancestors and descendants of `branch` (itself
 * included). The relation is symmetric, so a caller testing many
 * revisions against one branch computes this once. */
static void lineage_of(bitset *out, const revmap *m, int branch)
{
	bitset down;
	int *stack = mg_malloc(count_edges(m) * 2 * sizeof(int));
	size_t w;

	bitset_init(out, m->n);
	bitset_init(&down, m->n);
	reach(m, &down, &branch, 1, EDGE_DOWN, stack);
	reach(m, out, &branch, 1, EDGE_NEXT, stack);
	for (w = 0; w < out->nwords; w++)
		out->w[w] |= down.w[w];
	bitset_release(&down);
	free(stack);
}

/* Membership in an optional lineage (NULL: every revision qualifies). */
static int in_lineage(const bitset *lineage, int x)
{
	return !lineage || bitset_has(lineage, x);
}

static int revision_for_ident(int *out, const revmap *m, const char *ident, const char *branch, mg_error *err);

/* A branch label, or (as Alembic falls back to) a revision. */
static int resolve_branch(int *out, const revmap *m, const char *label, mg_error *err)
{
	int x = strmap_get(&m->labels, label);

	if (x >= 0) {
		*out = x;
		return MG_OK;
	}
	if (revision_for_ident(out, m, label, NULL, NULL) == 0)
		return MG_OK;
	return mg_error_set(err, MG_ENOTFOUND, "no such branch: '%s'", label);
}

/* Alembic's _revision_for_ident: an exact key, else a unique prefix (among
 * ids and labels longer than 3 characters, restricted to the branch's
 * lineage), then checked against the branch. */
static int revision_for_ident(int *out, const revmap *m, const char *ident, const char *branch, mg_error *err)
{
	int branch_rev = -1, x, rc = MG_OK;
	bitset lineage = { NULL, 0 };

	if (branch && (rc = resolve_branch(&branch_rev, m, branch, err)) < 0)
		return rc;
	if (branch_rev >= 0)
		lineage_of(&lineage, m, branch_rev);
	x = strmap_get(&m->ids, ident);
	if (x < 0)
		x = strmap_get(&m->labels, ident);
	if (x < 0) {
		size_t i, len = strlen(ident), k;
		int found = -1, nfound = 0;
		buf names = BUF_INIT;
		for (i = 0; i < m->n; i++) {
			const revnode *r = &m->v[i];
			int match = strlen(r->id) > 3 && !strncmp(r->id, ident, len);
			for (k = 0; !match && k < r->s->labels.n; k++)
				match = strlen(r->s->labels.v[k]) > 3 && !strncmp(r->s->labels.v[k], ident, len) &&
					strmap_get(&m->labels, r->s->labels.v[k]) == (int)i;
			if (!match || !in_lineage(branch_rev >= 0 ? &lineage : NULL, (int)i))
				continue;
			if (nfound < 3)
				buf_printf(&names, "%s'%s'", nfound ? ", " : "", r->id);
			found = (int)i;
			nfound++;
		}
		if (nfound == 0 || !len) {
			rc = mg_error_set(err, MG_ENOTFOUND, "no such revision or branch '%s'%s", ident,
					  len < 4 ? "; a partial revision id needs at least four characters" : "");
		} else if (nfound > 1) {
			rc = mg_error_set(err, MG_EAMBIGUOUS, "multiple revisions start with '%s': %s...", ident, names.ptr);
		}
		buf_release(&names);
		if (rc < 0)
			goto cleanup;
		x = found;
	}
	if (!in_lineage(branch_rev >= 0 ? &lineage : NULL, x)) {
		rc = mg_error_set(err, MG_ENOTFOUND, "revision '%s' is not a member of branch '%s'", m->v[x].id, branch);
		goto cleanup;
	}
	*out = x;
	rc = MG_OK;
cleanup:
	bitset_release(&lineage);
	return rc;
}

size_t revmap_indexes(int *out, strvec *unknown, const revmap *m, const strvec *ids)
{
	size_t i, n = 0;

	for (i = 0; i < ids->n; i++) {
		int x = revmap_index(m, ids->v[i]);
		if (x >= 0)
			out[n++] = x;
		else if (unknown)
			strvec_push(unknown, ids->v[i]);
	}
	return n;
}

int revmap_lookup(int *out, const revmap *m, const char *ident, mg_error *err)
{
	*out = -1;
	return revision_for_ident(out, m, ident, NULL, err);
}

static void join_ids(buf *out, const revmap *m, const int *v, size_t n)
{
	size_t i;
	for (i = 0; i < n; i++)
		buf_printf(out, "%s%s", i ? ", " : "", m->v[v[i]].id);
}

/* Heads (by down_revision) in the lineage of `branch`, or all of them. */
static void heads_in_branch(intvec *out, const revmap *m, int branch_rev)
{
	bitset lineage = { NULL, 0 };
	size_t i;

	if (branch_rev >= 0)
		lineage_of(&lineage, m, branch_rev);
	for (i = 0; i < m->heads.n; i++)
		if (in_lineage(branch_rev >= 0 ? &lineage : NULL, m->heads.v[i]))
			intvec_push(out, m->heads.v[i]);
	bitset_release(&lineage);
}

/*
 * Alembic's get_revisions for one identifier (no relative part): appends
 * the revisions to `out`. `head` with several heads is its MultipleHeads
 * error; `base` adds nothing.
 */
static int get_revisions(intvec *out, const revmap *m, const char *ident, mg_error *err)
{
	const char *at = strchr(ident, '@');
	char *branch = at ? mg_strndup(ident, (size_t)(at - ident)) : NULL;
	const char *id = at ? at + 1 : ident;
	int branch_rev = -1, rc = MG_OK, x = -1;
	intvec hs = { NULL, 0, 0 };

	if (branch && (rc = resolve_branch(&branch_rev, m, branch, err)) < 0)
		goto cleanup;
	if (!strcmp(id, "heads")) {
		size_t i;
		if (branch)
			heads_in_branch(out, m, branch_rev);
		else
			for (i = 0; i < m->real_heads.n; i++)
				intvec_push(out, m->real_heads.v[i]);
	} else if (!strcmp(id, "head")) {
		heads_in_branch(&hs, m, branch_rev);
		if (hs.n > 1) {
			buf names = BUF_INIT;
			join_ids(&names, m, hs.v, hs.n);
			rc = mg_error_set(err, MG_EAMBIGUOUS,
					  "multiple heads are present for '%s%shead' (%s); give a specific revision, "
					  "'<branch>@head' to narrow to one head, or 'heads' for all of them",
					  branch ? branch : "", branch ? "@" : "", names.ptr);
			buf_release(&names);
		} else if (hs.n == 1) {
			intvec_push(out, hs.v[0]);
		}
	} else if (!strcmp(id, "base") || !*id) {
		/* nothing */
	} else if ((rc = revision_for_ident(&x, m, id, branch, err)) == 0) {
		intvec_push(out, x);
	}
cleanup:
	intvec_release(&hs);
	free(branch);
	return rc;
}

/* Alembic's _walk: `steps` up (children) or down (parents) from `start`
 * (-1 for "nothing yet", -2 for base). Returns the revision, -2 for base,
 * or -1 when the walk runs off the graph. */
static int walk(int *out, const revmap *m, int start, long steps, int branch_rev, mg_error *err)
{
	long k;
	int cur = start;
	bitset lineage = { NULL, 0 };
	const bitset *lin = NULL;

	if (branch_rev >= 0) {
		lineage_of(&lineage, m, branch_rev);
		lin = &lineage;
	}
	for (k = 0; k < (steps < 0 ? -steps : steps); k++) {
		intvec kids = { NULL, 0, 0 };
		size_t i;
		if (steps > 0) {
			const intvec *from = cur < 0 ? &m->bases : &m->v[cur].next;
			for (i = 0; i < from->n; i++)
				if (in_lineage(lin, from->v[i]))
					intvec_push(&kids, from->v[i]);
		} else if (cur != -2) {
			const intvec *from = cur < 0 ? &m->heads : &m->v[cur].down;
			for (i = 0; i < from->n; i++)
				intvec_push(&kids, from->v[i]);
			if (!kids.n)
				intvec_push(&kids, -2);
		}
		if (!kids.n) {
			intvec_release(&kids);
			bitset_release(&lineage);
			*out = -1;
			return MG_OK;
		}
		if (kids.n > 1) {
			intvec_release(&kids);
			bitset_release(&lineage);
			return mg_error_set(err, MG_EAMBIGUOUS, "ambiguous walk: the revision graph branches %s here",
					    steps > 0 ? "upwards" : "downwards");
		}
		cur = kids.v[0];
		intvec_release(&kids);
	}
	bitset_release(&lineage);
	*out = cur;
	return MG_OK;
}

static int is_word(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

/* `(\w+)?((?:\+|-)\d+)` at the start of `s`. */
static int match_tail(const char *s, char **symbol, long *rel)
{
	const char *p = s;

	while (is_word(*p))
		p++;
	if ((*p != '+' && *p != '-') || !(p[1] >= '0' && p[1] <= '9'))
		return 0;
	*symbol = p > s ? mg_strndup(s, (size_t)(p - s)) : NULL;
	*rel = strtol(p, NULL, 10); /* clamps; a walk stops at the graph's end anyway */
	return 1;
}

/* Alembic's relative-target pattern `(?:(.+?)@)?(\w+)?((?:\+|-)\d+)`,
 * matched from the start (the non-greedy branch part tries each '@' from
 * the left). */
static int match_relative(const char *t, char **branch, char **symbol, long *rel)
{
	const char *at;

	*branch = *symbol = NULL;
	for (at = strchr(t, '@'); at; at = strchr(at + 1, '@')) {
		if (at > t && match_tail(at + 1, symbol, rel)) {
			*branch = mg_strndup(t, (size_t)(at - t));
			return 1;
		}
	}
	return match_tail(t, symbol, rel);
}

/*
 * Alembic's backtracking for `label@+N` when no current revision is on the
 * branch: among the ancestors of the current revisions (dependencies
 * included), those on the branch that no other of them builds on.
 */
static void branch_tips(intvec *out, const revmap *m, const int *current, size_t ncurrent, int branch_rev)
{
	bitset anc, below, lineage;
	int *stack = mg_malloc(count_edges(m) * 2 * sizeof(int));
	size_t i, k;

	bitset_init(&anc, m->n);
	bitset_init(&below, m->n);
	lineage_of(&lineage, m, branch_rev);
	reach(m, &anc, current, ncurrent, EDGE_NORMDOWN, stack);
	for (i = 0; i < anc.nwords; i++)
		anc.w[i] &= lineage.w[i];
	bitset_release(&lineage);
	for (i = 0; i < m->n; i++)
		if (bitset_has(&anc, (int)i))
			for (k = 0; k < m->v[i].normdown.n; k++)
				bitset_set(&below, m->v[i].normdown.v[k]);
	for (i = 0; i < m->n; i++)
		if (bitset_has(&anc, (int)i) && !bitset_has(&below, (int)i))
			intvec_push(out, (int)i);
	bitset_release(&anc);
	bitset_release(&below);
	free(stack);
}

int revmap_check_overlap(const revmap *m, const int *revs, size_t n, mg_error *err)
{
	bitset anc;
	int *stack;
	size_t i, k;
	int rc = MG_OK;

	if (n < 2)
		return MG_OK;
	bitset_init(&anc, m->n);
	stack = mg_malloc(count_edges(m) * 2 * sizeof(int));
	for (i = 0; i < n && rc == MG_OK; i++) {
		bitset_clear(&anc);
		reach(m, &anc, &revs[i], 1, EDGE_NORMDOWN, stack);
		for (k = 0; k < n; k++) {
			if (k != i && revs[k] != revs[i] && bitset_has(&anc, revs[k])) {
				rc = mg_error_set(err, MG_ERR, "revision '%s' overlaps with '%s', which is one of its ancestors",
						  m->v[revs[i]].id, m->v[revs[k]].id);
				break;
			}
		}
	}
	free(stack);
	bitset_release(&anc);
	return rc;
}

int revmap_resolve_target(int **out, size_t *nout, const revmap *m, const char *target, const int *current,
			  size_t ncurrent, mg_error *err)
{
	intvec res = { NULL, 0, 0 };
	char *branch = NULL, *symbol = NULL;
	long rel = 0;
	int rc = MG_OK, branch_rev = -1, start, got;

	*out = NULL;
	*nout = 0;
	if (m->broken)
		return mg_error_set(err, MG_ERR, "the revision graph is broken; fix the findings first");
	if (!match_relative(target, &branch, &symbol, &rel)) {
		rc = get_revisions(&res, m, target, err);
		goto done;
	}
	if (branch && (rc = resolve_branch(&branch_rev, m, branch, err)) < 0)
		goto done;
	if (rel > 0 && !symbol) {
		/* up from the database's current revision, which must be one */
		intvec starts = { NULL, 0, 0 };
		bitset lineage = { NULL, 0 };
		size_t i;
		if (branch_rev >= 0)
			lineage_of(&lineage, m, branch_rev);
		for (i = 0; i < ncurrent; i++)
			if (in_lineage(branch_rev >= 0 ? &lineage : NULL, current[i]))
				intvec_push(&starts, current[i]);
		bitset_release(&lineage);
		if (branch_rev >= 0 && !starts.n && ncurrent)
			branch_tips(&starts, m, current, ncurrent, branch_rev);
		if (starts.n > 1) {
			intvec_release(&starts);
			rc = mg_error_set(err, MG_EAMBIGUOUS, "ambiguous upgrade from multiple current revisions");
			goto done;
		}
		start = starts.n ? starts.v[0] : -1;
		intvec_release(&starts);
		if ((rc = walk(&got, m, start, rel, branch_rev, err)) < 0)
			goto done;
	} else if (rel > 0) {
		/* up from a named revision (get_revision: `base` is nothing yet) */
		intvec from = { NULL, 0, 0 };
		rc = get_revisions(&from, m, symbol, err);
		if (rc == 0 && from.n > 1)
			rc = mg_error_set(err, MG_EAMBIGUOUS, "'%s' names several revisions to walk from", symbol);
		if (rc == 0)
			rc = walk(&got, m, from.n ? from.v[0] : -1, rel, branch_rev, err);
		intvec_release(&from);
		if (rc < 0)
			goto done;
	} else {
		intvec from = { NULL, 0, 0 };
		buf ident = BUF_INIT;
		if (!symbol) {
			rc = mg_error_set(err, MG_ERR, "relative revision '%s' did not produce %ld migrations (an upgrade "
						       "cannot go down)",
					  target, -rel);
			goto done;
		}
		buf_printf(&ident, "%s%s%s", branch ? branch : "", branch ? "@" : "", symbol);
		rc = get_revisions(&from, m, ident.ptr, err);
		buf_release(&ident);
		if (rc == 0 && from.n != 1)
			rc = mg_error_set(err, from.n ? MG_EAMBIGUOUS : MG_ERR, "'%s' does not name one revision to walk from",
					  target);
		if (rc == 0)
			rc = walk(&got, m, from.v[0], rel, -1, err);
		intvec_release(&from);
		if (rc < 0)
			goto done;
	}
	if (got == -1) {
		rc = mg_error_set(err, MG_ERR, "relative revision '%s' did not produce %ld migrations", target,
				  rel < 0 ? -rel : rel);
		goto done;
	}
	if (got == -2) {
		/* Alembic's walk returns "base" here and its upgrade then fails an
		 * assertion: there is no plan to make */
		rc = mg_error_set(err, MG_ERR, "relative revision '%s' walks down to the base, which is not an upgrade "
					       "target (Alembic fails with an AssertionError); use 'base' or a revision",
				  target);
		goto done;
	}
	intvec_push(&res, got);
done:
	free(branch);
	free(symbol);
	if (rc < 0) {
		intvec_release(&res);
		return rc;
	}
	*out = res.v;
	*nout = res.n;
	return MG_OK;
}

/* ---- ordering ------------------------------------------------------------- */

/*
 * Every revision's ancestor set (itself included, along `normdown`),
 * memoized for the sort. A revision with exactly one parent has its
 * parent's set plus itself, so rows are kept only for "anchors" (bases,
 * merges, revisions with dependencies); any other revision's set is its
 * anchor's row plus the chain of single-parent revisions down to it. That
 * is a tenth of the rows on real histories (12.5 MB -> about 1 MB at
 * 10,000 revisions). The rows are filled parents-first in one pass, under
 * a memory cap and a cap on chain steps (a pathological shape could make
 * the chains long); above either, the sort walks the graph for each set.
 */
typedef struct anc_memo {
	uint64_t *rows; /* `bytes` of zeroed heap: one row per anchor */
	size_t bytes;
	size_t words; /* per row */
	int *anchor;  /* per revision: its anchor (itself for an anchor) */
	int *row;     /* per revision: its row, for an anchor; else -1 */
} anc_memo;

static void anc_memo_release(anc_memo *memo)
{
	free(memo->rows);
	free(memo->anchor);
	free(memo->row);
	memset(memo, 0, sizeof(*memo));
}

static size_t memo_limit_bytes = 32u * 1024 * 1024;

void revmap__set_memo_limit(size_t bytes)
{
	memo_limit_bytes = bytes;
}

static int is_anchor(const revmap *m, int x)
{
	return m->v[x].normdown.n != 1;
}

/* Set in `row` the chain from `x` up to (not including) its anchor;
 * returns the steps taken. */
static size_t set_chain(uint64_t *row, const revmap *m, const anc_memo *memo, int x)
{
	size_t steps = 0;

	for (; x != memo->anchor[x]; x = m->v[x].normdown.v[0], steps++)
		row[(size_t)x / 64] |= (uint64_t)1 << ((size_t)x % 64);
	return steps;
}

/* Revisions in an order where every parent (by normdown) comes first. */
static int parents_first(int *order, const revmap *m)
{
	int *indeg = mg_calloc(m->n, sizeof(int));
	size_t qh = 0, qt = 0, i, k;

	for (i = 0; i < m->n; i++)
		if (!(indeg[i] = (int)m->v[i].normdown.n))
			order[qt++] = (int)i;
	while (qh < qt) {
		const revnode *r = &m->v[order[qh++]];
		int v = order[qh - 1];
		/* children by normdown: those whose normdown names v */
		for (k = 0; k < r->allnext.n; k++) {
			int c = r->allnext.v[k];
			if (intvec_has(&m->v[c].normdown, v) && --indeg[c] == 0)
				order[qt++] = c;
		}
	}
	free(indeg);
	return qt == m->n ? 0 : -1; /* not acyclic: cannot happen on an unbroken map */
}

static int anc_memo_build(anc_memo *memo, const revmap *m)
{
	size_t words = (m->n + 63) / 64, i, k, w, nanchors = 0, steps = 0;
	int *order = NULL, rc = -1;

	memset(memo, 0, sizeof(*memo));
	memo->words = words;
	if (!m->n)
		return -1;
	order = mg_malloc(m->n * sizeof(int));
	if (parents_first(order, m) < 0)
		goto cleanup;
	memo->anchor = mg_malloc(m->n * sizeof(int));
	memo->row = mg_malloc(m->n * sizeof(int));
	for (i = 0; i < m->n; i++) {
		int v = order[i];
		memo->row[v] = is_anchor(m, v) ? (int)nanchors++ : -1;
		memo->anchor[v] = is_anchor(m, v) ? v : memo->anchor[m->v[v].normdown.v[0]];
	}
	if (!nanchors || words * 8 > memo_limit_bytes / nanchors)
		goto cleanup;
	memo->bytes = nanchors * words * sizeof(uint64_t);
	if (!(memo->rows = calloc(1, memo->bytes)))
		goto cleanup;
	for (i = 0; i < m->n; i++) {
		int v = order[i];
		const revnode *r = &m->v[v];
		uint64_t *row;
		if (memo->row[v] < 0)
			continue;
		row = memo->rows + (size_t)memo->row[v] * words;
		for (k = 0; k < r->normdown.n; k++) {
			int p = r->normdown.v[k];
			const uint64_t *prow = memo->rows + (size_t)memo->row[memo->anchor[p]] * words;
			for (w = 0; w < words; w++)
				row[w] |= prow[w];
			steps += set_chain(row, m, memo, p);
		}
		row[(size_t)v / 64] |= (uint64_t)1 << ((size_t)v % 64);
		if (steps > 64 * m->n) /* chains walked over and over: walk per set instead */
			goto cleanup;
	}
	rc = 0;
cleanup:
	free(order);
	if (rc < 0)
		anc_memo_release(memo);
	return rc;
}

/* The ancestor set of `x` into `out`: its anchor's row and its chain, or
 * a walk. */
static void ancestors_of(bitset *out, const revmap *m, const anc_memo *memo, int x, int *stack)
{
	if (memo->rows) {
		memcpy(out->w, memo->rows + (size_t)memo->row[memo->anchor[x]] * memo->words,
		       memo->words * sizeof(uint64_t));
		set_chain(out->w, m, memo, x);
		return;
	}
	bitset_clear(out);
	reach(m, out, &x, 1, EDGE_NORMDOWN, stack);
}

/*
 * Alembic's RevisionMap._topological_sort, step for step: walk down from
 * the heads (sorted by load order), emitting a revision only once no other
 * head still has it as an ancestor, and recomputing ancestor sets where
 * Alembic does. Returns revisions head-first.
 */
static int topo_sort(intvec *out, const revmap *m, const bitset *todo_in, const int *heads, size_t nheads, int *stack,
		     const anc_memo *memo)
{
	bitset todo;
	intvec cur = { NULL, 0, 0 };
	bitset *anc = NULL;
	size_t nanc = 0, anc_alloc = 0, i, idx = 0, steps = 0, limit;
	int rc = MG_OK;

	bitset_init(&todo, m->n);
	memcpy(todo.w, todo_in->w, todo.nwords * sizeof(uint64_t));
	/* current heads: the targets still to do, in load order */
	{
		char *isdone = mg_calloc(m->n, 1);
		for (i = 0; i < nheads; i++)
			if (bitset_has(&todo, heads[i]))
				isdone[heads[i]] = 1;
		for (i = 0; i < m->n; i++)
			if (isdone[i])
				intvec_push(&cur, (int)i);
		free(isdone);
	}
	anc_alloc = cur.n + 8;
	anc = mg_calloc(anc_alloc, sizeof(*anc));
	for (i = 0; i < cur.n; i++) {
		bitset_init(&anc[nanc], m->n);
		ancestors_of(&anc[nanc++], m, memo, cur.v[i], stack);
	}
	limit = (m->n + 2) * (m->n + 2) + 64;
	while (cur.n) {
		int cand = cur.v[idx], moved = 0;
		if (++steps > limit) {
			rc = MG_ERR; /* cannot happen on an acyclic graph */
			break;
		}
		for (i = 0; i < nanc; i++) {
			if (i != idx && bitset_has(&anc[i], cand)) {
				idx = i;
				moved = 1;
				break;
			}
		}
		if (moved)
			continue;
		if (bitset_has(&todo, cand)) {
			intvec_push(out, cand);
			bitset_unset(&todo, cand);
		}
		{
			const revnode *r = &m->v[cand];
			intvec add = { NULL, 0, 0 };
			for (i = 0; i < r->normdown.n; i++)
				if (bitset_has(&todo, r->normdown.v[i]) && !intvec_has(&cur, r->normdown.v[i]))
					intvec_push(&add, r->normdown.v[i]);
			if (!add.n) {
				bitset_release(&anc[idx]);
				memmove(&cur.v[idx], &cur.v[idx + 1], (cur.n - idx - 1) * sizeof(int));
				memmove(&anc[idx], &anc[idx + 1], (nanc - idx - 1) * sizeof(*anc));
				cur.n--;
				nanc--;
				idx = idx ? idx - 1 : 0;
			} else if (!r->normdeps.n && r->down.n == 1) {
				cur.v[idx] = add.v[0];
				bitset_unset(&anc[idx], cand);
			} else {
				cur.v[idx] = add.v[0];
				ancestors_of(&anc[idx], m, memo, add.v[0], stack);
				for (i = 1; i < add.n; i++) {
					intvec_push(&cur, add.v[i]);
					if (nanc == anc_alloc) {
						anc_alloc *= 2;
						anc = mg_realloc(anc, anc_alloc * sizeof(*anc));
					}
					bitset_init(&anc[nanc], m->n);
					ancestors_of(&anc[nanc++], m, memo, add.v[i], stack);
				}
			}
			intvec_release(&add);
		}
	}
	for (i = 0; i < nanc; i++)
		bitset_release(&anc[i]);
	free(anc);
	intvec_release(&cur);
	bitset_release(&todo);
	return rc;
}

int revmap_upgrade_order(int **out, size_t *nout, const revmap *m, const int *targets, size_t ntargets,
			 const int *current, size_t ncurrent, mg_error *err)
{
	bitset need, have;
	intvec order = { NULL, 0, 0 };
	anc_memo memo = { NULL, 0, 0, NULL, NULL };
	int *stack = NULL;
	size_t i;
	int rc = MG_OK;

	*out = NULL;
	*nout = 0;
	if (m->broken)
		return mg_error_set(err, MG_ERR, "the revision graph is broken; fix the findings first");
	bitset_init(&need, m->n);
	bitset_init(&have, m->n);
	stack = mg_malloc(count_edges(m) * 2 * sizeof(int));
	reach(m, &need, targets, ntargets, EDGE_NORMDOWN, stack);
	reach(m, &have, current, ncurrent, EDGE_NORMDOWN, stack);
	for (i = 0; i < need.nwords; i++)
		need.w[i] &= ~have.w[i];
	anc_memo_build(&memo, m);
	if ((rc = topo_sort(&order, m, &need, targets, ntargets, stack, &memo)) < 0) {
		mg_error_set(err, MG_ERR, "the upgrade order could not be computed (is there a cycle?)");
		goto cleanup;
	}
	/* topo_sort walks from the heads down; upgrades run the other way */
	for (i = 0; i < order.n / 2; i++) {
		int t = order.v[i];
		order.v[i] = order.v[order.n - 1 - i];
		order.v[order.n - 1 - i] = t;
	}
	*out = order.v;
	*nout = order.n;
	order.v = NULL;
cleanup:
	anc_memo_release(&memo);
	intvec_release(&order);
	bitset_release(&need);
	bitset_release(&have);
	free(stack);
	return rc;
}

/* ---- downgrades ------------------------------------------------------------ */

/* Alembic's get_revision: one revision, -2 for base; several is its
 * MultipleHeads error. */
static int get_one_revision(int *out, const revmap *m, const char *ident, mg_error *err)
{
	intvec got = { NULL, 0, 0 };
	int rc = get_revisions(&got, m, ident, err);

	if (rc == 0 && got.n > 1)
		rc = mg_error_set(err, MG_EAMBIGUOUS, "'%s' names several revisions; give one", ident);
	if (rc == 0)
		*out = got.n ? got.v[0] : -2;
	intvec_release(&got);
	return rc;
}

/*
 * Alembic's fallback when no current revision is on a branch: of the
 * current revisions and all their ancestors (dependencies included), those
 * no other of them descends from by down_revision, then those sharing the
 * branch's lineage.
 */
static void current_branch_heads(intvec *out, const revmap *m, const int *current, size_t ncurrent, int branch_rev)
{
	bitset all, below, lineage;
	int *stack = mg_malloc(count_edges(m) * 2 * sizeof(int));
	size_t i, k;

	bitset_init(&all, m->n);
	bitset_init(&below, m->n);
	lineage_of(&lineage, m, branch_rev);
	reach(m, &all, current, ncurrent, EDGE_NORMDOWN, stack);
	for (i = 0; i < m->n; i++)
		if (bitset_has(&all, (int)i))
			for (k = 0; k < m->v[i].down.n; k++)
				reach(m, &below, &m->v[i].down.v[k], 1, EDGE_DOWN, stack);
	for (i = 0; i < m->n; i++)
		if (bitset_has(&all, (int)i) && !bitset_has(&below, (int)i) && bitset_has(&lineage, (int)i))
			intvec_push(out, (int)i);
	bitset_release(&all);
	bitset_release(&below);
	bitset_release(&lineage);
	free(stack);
}

/*
 * Alembic's _parse_downgrade_target: the revision a downgrade goes to (-2
 * for base) and the branch it is confined to (a revision index, or -1).
 */
static int parse_downgrade_target(int *target, int *branch_rev, const revmap *m, const char *t, const int *current,
				  size_t ncurrent, mg_error *err)
{
	char *branch = NULL, *symbol = NULL;
	long rel = 0;
	int rc = MG_OK, start = -1;

	*branch_rev = -1;
	if (!match_relative(t, &branch, &symbol, &rel)) {
		const char *at = strrchr(t, '@');
		if (at && at > t) {
			char *label = mg_strndup(t, (size_t)(at - t));
			rc = resolve_branch(branch_rev, m, label, err);
			free(label);
			if (rc < 0)
				return rc;
		}
		return get_one_revision(target, m, at ? at + 1 : t, err);
	}
	if (branch && (rc = resolve_branch(branch_rev, m, branch, err)) < 0)
		goto done;
	if (rel >= 0) {
		if (!symbol) {
			rc = mg_error_set(err, MG_ERR, "relative revision '%s' did not produce %ld migrations (a downgrade "
						       "cannot go up)",
					  t, rel);
			goto done;
		}
		if ((rc = get_one_revision(&start, m, symbol, err)) < 0)
			goto done;
		rc = walk(target, m, start == -2 ? -1 : start, rel, *branch_rev, err);
		goto walked;
	}
	if (!symbol && branch) {
		/* the one current revision in the branch's lineage */
		bitset lineage;
		intvec on = { NULL, 0, 0 };
		size_t i;
		lineage_of(&lineage, m, *branch_rev);
		for (i = 0; i < ncurrent; i++)
			if (bitset_has(&lineage, current[i]))
				intvec_push(&on, current[i]);
		bitset_release(&lineage);
		if (!on.n)
			current_branch_heads(&on, m, current, ncurrent, *branch_rev);
		if (on.n != 1) {
			rc = mg_error_set(err, MG_EAMBIGUOUS, "branch '%s' has %s current revision to walk down from", branch,
					  on.n ? "more than one" : "no");
			intvec_release(&on);
			goto done;
		}
		start = on.v[0];
		intvec_release(&on);
	} else if (!symbol) {
		if (!ncurrent) {
			rc = mg_error_set(err, MG_ERR, "relative revision '%s' did not produce %ld migrations (the database "
						       "is at base)",
					  t, -rel);
			goto done;
		}
		/* Alembic walks from the first version row and confines the
		 * downgrade to that revision's branch */
		start = current[0];
		*branch_rev = start;
	} else {
		buf ident = BUF_INIT;
		buf_printf(&ident, "%s%s%s", branch ? branch : "", branch ? "@" : "", symbol);
		rc = get_one_revision(&start, m, ident.ptr, err);
		buf_release(&ident);
		if (rc < 0)
			goto done;
	}
	rc = walk(target, m, start == -2 ? -2 : start, rel, -1, err);
walked:
	if (rc == 0 && *target == -1)
		rc = mg_error_set(err, MG_ERR, symbol ? "relative revision '%s' walks off the revision graph" : "relative revision '%s' did not produce %ld migrations", t,
				  rel < 0 ? -rel : rel);
done:
	free(branch);
	free(symbol);
	return rc;
}

int revmap_downgrade_order(int **out, size_t *nout, int *target_rev, const revmap *m, const char *target,
			   const int *current, size_t ncurrent, mg_error *err)
{
	bitset drop, active, keep;
	intvec roots = { NULL, 0, 0 }, order = { NULL, 0, 0 };
	anc_memo memo = { NULL, 0, 0, NULL, NULL };
	int *stack = NULL, tgt = -2, branch_rev = -1, rc;
	size_t i, k;

	*out = NULL;
	*nout = 0;
	if (m->broken)
		return mg_error_set(err, MG_ERR, "the revision graph is broken; fix the findings first");
	if ((rc = parse_downgrade_target(&tgt, &branch_rev, m, target, current, ncurrent, err)) < 0)
		return rc;
	if (target_rev)
		*target_rev = tgt;
	bitset_init(&drop, m->n);
	bitset_init(&active, m->n);
	bitset_init(&keep, m->n);
	stack = mg_malloc(count_edges(m) * 2 * sizeof(int));
	if (tgt == -2) {
		for (i = 0; i < m->n; i++)
			if (!m->v[i].down.n)
				intvec_push(&roots, (int)i);
	} else {
		for (i = 0; i < m->v[tgt].next.n; i++)
			intvec_push(&roots, m->v[tgt].next.v[i]);
	}
	if (branch_rev >= 0 && roots.n > 1) {
		reach(m, &keep, &branch_rev, 1, EDGE_DOWN, stack);
		for (i = k = 0; i < roots.n; i++)
			if (bitset_has(&keep, roots.v[i]))
				roots.v[k++] = roots.v[i];
		roots.n = k;
		if (!roots.n) {
			rc = mg_error_set(err, MG_ERR, "'%s' is not a valid downgrade target from the current heads", target);
			goto cleanup;
		}
	}
	reach(m, &drop, roots.v, roots.n, EDGE_ALLNEXT, stack);
	reach(m, &active, current, ncurrent, EDGE_NORMDOWN, stack);
	for (i = 0; i < drop.nwords; i++)
		drop.w[i] &= active.w[i];
	if (tgt >= 0 && !bitset_count(&drop)) {
		int is_current = 0;
		for (i = 0; i < ncurrent; i++)
			is_current |= current[i] == tgt;
		if (!is_current) {
			rc = mg_error_set(err, MG_ERR, "destination '%s' is not a valid downgrade target from the current "
						       "head(s)",
					  m->v[tgt].id);
			goto cleanup;
		}
	}
	anc_memo_build(&memo, m);
	if ((rc = topo_sort(&order, m, &drop, current, ncurrent, stack, &memo)) < 0 ||
	    order.n != bitset_count(&drop)) {
		rc = mg_error_set(err, MG_ERR, "the downgrade order could not be computed (Alembic fails here too)");
		goto cleanup;
	}
	*out = order.v;
	*nout = order.n;
	order.v = NULL;
	rc = MG_OK;
cleanup:
	anc_memo_release(&memo);
	intvec_release(&roots);
	intvec_release(&order);
	bitset_release(&drop);
	bitset_release(&active);
	bitset_release(&keep);
	free(stack);
	return rc;
}

int revmap_is_ancestor(const revmap *m, int anc, int of)
{
	bitset b;
	int *stack = mg_malloc(count_edges(m) * 2 * sizeof(int)), r;

	bitset_init(&b, m->n);
	reach(m, &b, &of, 1, EDGE_NORMDOWN, stack);
	r = bitset_has(&b, anc);
	bitset_release(&b);
	free(stack);
	return r;
}

/* A row that must go to reach the rows `start`: one that is none of
 * theirs nor an ancestor of one. -1 when none. */
static int row_to_drop(const revmap *m, const intvec *rows, const int *start, size_t nstart)
{
	size_t i, k;

	for (i = 0; i < rows->n; i++) {
		int keep = 0;
		for (k = 0; k < nstart && !keep; k++)
			keep = revmap_is_ancestor(m, rows->v[i], start[k]);
		if (!keep)
			return rows->v[i];
	}
	return -1;
}

static int same_set(const intvec *a, const int *b, size_t nb)
{
	size_t i, k;

	if (a->n != nb)
		return 0;
	for (i = 0; i < nb; i++) {
		for (k = 0; k < a->n && a->v[k] != b[i]; k++)
			;
		if (k == a->n)
			return 0;
	}
	return 1;
}

int revmap_downgrade_path(strvec *cmds, intvec *steps, intvec *rows, buf *problem, const revmap *m, const char *target,
			  const int *current, size_t ncurrent, const int *start, size_t nstart, mg_error *err)
{
	intvec now = { NULL, 0, 0 };
	buf next = BUF_INIT;
	size_t i, round;
	int rc = MG_OK;

	for (i = 0; i < ncurrent; i++)
		intvec_push(&now, current[i]);
	buf_puts(&next, target);
	for (round = 0; round <= m->n; round++) {
		int *st = NULL, tgt = -2, drop;
		size_t nst = 0, fail_at = 0;
		intvec after = { NULL, 0, 0 };
		buf why = BUF_INIT;
		if (revmap_downgrade_order(&st, &nst, &tgt, m, next.ptr, now.v, now.n, err) < 0) {
			if (!round) {
				rc = err->code;
				goto cleanup;
			}
			buf_printf(problem, "after `downgrade %s` the way on is unclear: %s", cmds->v[cmds->n - 1], err->msg);
			break;
		}
		if (revmap_replay_downgrade(&after, m, now.v, now.n, st, nst, &fail_at, &why))
			buf_printf(problem, "Alembic's downgrade fails at '%s': %s", m->v[st[fail_at]].id, why.ptr);
		buf_release(&why);
		strvec_push(cmds, next.ptr);
		for (i = 0; i < nst; i++)
			intvec_push(steps, st[i]);
		free(st);
		intvec_release(&now);
		now = after;
		if (problem->len || !start || same_set(&now, start, nstart))
			break;
		if ((drop = row_to_drop(m, &now, start, nstart)) < 0 || !nst) {
			buf_puts(problem, "the downgrade path does not lead back to the rows the upgrade started from");
			break;
		}
		buf_truncate(&next, 0);
		buf_printf(&next, "%s@-1", m->v[drop].id);
	}
	for (i = 0; i < now.n; i++)
		intvec_push(rows, now.v[i]);
cleanup:
	intvec_release(&now);
	buf_release(&next);
	return rc;
}

/* The rows a downgrade step leaves (Alembic's unmerge): the revision's
 * parents not already implied by the other rows. */
static void unmerge_to(intvec *out, const revmap *m, const bitset *heads, int x, int *stack)
{
	bitset anc;
	intvec others = { NULL, 0, 0 };
	size_t i;

	bitset_init(&anc, m->n);
	for (i = 0; i < m->n; i++)
		if ((int)i != x && bitset_has(heads, (int)i))
			intvec_push(&others, (int)i);
	reach(m, &anc, others.v, others.n, EDGE_NORMDOWN, stack);
	for (i = 0; i < m->v[x].normdown.n; i++)
		if (!bitset_has(&anc, m->v[x].normdown.v[i]))
			intvec_push(out, m->v[x].normdown.v[i]);
	intvec_release(&others);
	bitset_release(&anc);
}

int revmap_replay_downgrade(intvec *rows, const revmap *m, const int *current, size_t ncurrent, const int *steps,
			    size_t nsteps, size_t *fail_at, buf *why)
{
	bitset heads;
	int *stack = mg_malloc(count_edges(m) * 2 * sizeof(int));
	size_t i, k;
	int failed = 0;

	bitset_init(&heads, m->n);
	for (i = 0; i < ncurrent; i++)
		bitset_set(&heads, current[i]);
	for (i = 0; i < nsteps && !failed; i++) {
		const revnode *r = &m->v[steps[i]];
		intvec to = { NULL, 0, 0 };
		int x = steps[i];
		if (bitset_has(&heads, x))
			unmerge_to(&to, m, &heads, x, stack);
		if (bitset_has(&heads, x) && (!r->normdown.n || !to.n)) {
			bitset_unset(&heads, x); /* the branch goes */
		} else if (bitset_has(&heads, x) && r->normdown.n > 1) {
			for (k = 0; k < to.n && !failed; k++) {
				if (bitset_has(&heads, to.v[k])) {
					buf_printf(why, "it must insert the version row '%s', which is already there",
						   m->v[to.v[k]].id);
					failed = 1;
				}
				bitset_set(&heads, to.v[k]);
			}
			bitset_unset(&heads, x);
		} else {
			int down = -1;
			if (r->normdown.n == 1) {
				down = r->normdown.v[0];
			} else {
				size_t present = 0;
				for (k = 0; k < r->normdown.n; k++)
					if (bitset_has(&heads, r->normdown.v[k]))
						down = r->normdown.v[k], present++;
				if (present != 1) {
					buf_printf(why, "which version row to update is ambiguous");
					failed = 1;
				}
			}
			if (!failed && !bitset_has(&heads, x)) {
				buf_printf(why, "it must update the version row '%s', which is not there", r->id);
				failed = 1;
			} else if (!failed && bitset_has(&heads, down)) {
				buf_printf(why, "it must update a version row to '%s', which is already there", m->v[down].id);
				failed = 1;
			} else if (!failed) {
				bitset_unset(&heads, x);
				bitset_set(&heads, down);
			}
		}
		intvec_release(&to);
		if (failed)
			*fail_at = i;
	}
	for (i = 0; rows && i < m->n; i++)
		if (bitset_has(&heads, (int)i))
			intvec_push(rows, (int)i);
	free(stack);
	bitset_release(&heads);
	return failed;
}

/* Do the rows after replaying the first `k` steps equal `rows` (ids)? */
static int replay_ends_at(const revmap *m, const int *current, size_t ncurrent, const int *steps, size_t k,
			  int downgrade, const strvec *rows)
{
	intvec after = { NULL, 0, 0 };
	buf why = BUF_INIT;
	size_t fail_at = 0, match = 0, i;
	int same;

	if (downgrade)
		revmap_replay_downgrade(&after, m, current, ncurrent, steps, k, &fail_at, &why);
	else
		revmap_replay_upgrade(&after, m, current, ncurrent, steps, k, &fail_at, &why);
	for (i = 0; i < after.n; i++)
		match += strvec_index(rows, m->v[after.v[i]].id) >= 0;
	same = match == after.n && after.n == rows->n;
	buf_release(&why);
	intvec_release(&after);
	return same;
}

size_t revmap_steps_done(const revmap *m, const int *current, size_t ncurrent, const int *steps, size_t nsteps,
			 int downgrade, const strvec *rows)
{
	size_t k = nsteps;

	while (k > 0 && !replay_ends_at(m, current, ncurrent, steps, k, downgrade, rows))
		k--;
	return k;
}

/* ---- Alembic's version bookkeeping --------------------------------------- */

int revmap_simulate_upgrade(const revmap *m, const int *current, size_t ncurrent, const int *steps, size_t nsteps,
			    size_t *fail_at, buf *why)
{
	return revmap_replay_upgrade(NULL, m, current, ncurrent, steps, nsteps, fail_at, why);
}

int revmap_replay_upgrade(intvec *rows, const revmap *m, const int *current, size_t ncurrent, const int *steps,
			  size_t nsteps, size_t *fail_at, buf *why)
{
	bitset heads, anc;
	int *stack = mg_malloc(count_edges(m) * 2 * sizeof(int));
	size_t i, k;
	int failed = 0;

	bitset_init(&heads, m->n);
	bitset_init(&anc, m->n);
	for (i = 0; i < ncurrent; i++)
		bitset_set(&heads, current[i]);
	for (i = 0; i < nsteps && !failed; i++) {
		const revnode *r = &m->v[steps[i]];
		const intvec *down = &r->normdown;
		size_t in_heads = 0;
		for (k = 0; k < down->n; k++)
			in_heads += bitset_has(&heads, down->v[k]) ? 1 : 0;
		if (bitset_has(&heads, steps[i])) {
			buf_printf(why, "its version row '%s' is already present", r->id);
			failed = 1;
		} else if (!down->n || !in_heads) {
			/* a new branch: insert */
			bitset_set(&heads, steps[i]);
		} else if (down->n > 1 && in_heads > 1) {
			/* a merge: the parent rows not implied by other heads go */
			intvec others = { NULL, 0, 0 };
			size_t w, nfrom = 0;
			for (w = 0; w < m->n; w++)
				if (bitset_has(&heads, (int)w) && !intvec_has(down, (int)w))
					intvec_push(&others, (int)w);
			bitset_clear(&anc);
			reach(m, &anc, others.v, others.n, EDGE_NORMDOWN, stack);
			intvec_release(&others);
			for (k = 0; k < down->n && !failed; k++) {
				if (bitset_has(&anc, down->v[k]))
					continue;
				nfrom++;
				if (!bitset_has(&heads, down->v[k])) {
					buf_printf(why, "it must remove the version row '%s', which is not there",
						   m->v[down->v[k]].id);
					failed = 1;
				}
				bitset_unset(&heads, down->v[k]);
			}
			if (!failed && !nfrom) {
				buf_printf(why, "it finds no version row to merge from");
				failed = 1;
			}
			bitset_set(&heads, steps[i]);
		} else {
			/* an update of the one parent row */
			int from = -1;
			if (down->n == 1) {
				from = down->v[0];
			} else if (in_heads == 1) {
				for (k = 0; k < down->n; k++)
					if (bitset_has(&heads, down->v[k]))
						from = down->v[k];
			}
			if (from < 0) {
				buf_printf(why, "which version row to update is ambiguous");
				failed = 1;
			} else if (!bitset_has(&heads, from)) {
				buf_printf(why, "it must update the version row '%s', which is not there", m->v[from].id);
				failed = 1;
			} else {
				bitset_unset(&heads, from);
				bitset_set(&heads, steps[i]);
			}
		}
		if (failed)
			*fail_at = i;
	}
	for (i = 0; rows && i < m->n; i++)
		if (bitset_has(&heads, (int)i))
			intvec_push(rows, (int)i);
	free(stack);
	bitset_release(&heads);
	bitset_release(&anc);
	return failed;
}

void revmap_release(revmap *m)
{
	if (!m)
		return;
	arena_release(&m->mem); /* the nodes' vectors */
	free(m->v);
	strmap_release(&m->ids);
	strmap_release(&m->labels);
	intvec_release(&m->heads);
	intvec_release(&m->real_heads);
	intvec_release(&m->bases);
	intvec_release(&m->real_bases);
	memset(m, 0, sizeof(*m));
}
