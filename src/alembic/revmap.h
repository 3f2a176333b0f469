/*
 * revmap.h: the revision graph with Alembic's semantics.
 *
 * Built from the loaded scripts in load order, it knows each revision's
 * parents (down_revision), dependencies (depends_on, resolved through
 * branch labels), children, and Alembic's two notions of a head: `heads`
 * (no child by down_revision; what `alembic heads` prints) and the "real"
 * heads (no child by down_revision nor by depends_on; what `alembic
 * upgrade heads` targets). Its upgrade order is Alembic's own topological
 * sort, which breaks ties by load order.
 *
 * A graph with a missing parent, a cycle, a duplicate id or a reused
 * branch label is "broken": it reports findings and refuses to order.
 */
#ifndef MGATE_REVMAP_H
#define MGATE_REVMAP_H

#include <stddef.h>

#include "util/finding.h"
#include "alembic/scriptdir.h"
#include "util/arena.h"
#include "util/strmap.h"
#include "util/strvec.h"

typedef struct intvec {
	int *v;
	size_t n, alloc;
} intvec;

/* A node's vectors live in the map's arena: read them, never grow them
 * with intvec_push or strlist_push. */
typedef struct revnode {
	const script *s;
	const char *id;
	intvec down;     /* parents, as declared */
	intvec deps;     /* resolved dependencies, as declared */
	intvec normdeps; /* dependencies not already depended on by an ancestor */
	intvec normdown; /* down + normdeps, de-duplicated: the edges the sort walks */
	intvec next;     /* children by down_revision */
	intvec allnext;  /* children by down_revision or depends_on */
	strlist labels;  /* effective branch labels, own then inherited (the scripts' strings) */
	unsigned is_head : 1, is_real_head : 1, is_base : 1, is_real_base : 1;
} revnode;

typedef struct revmap {
	revnode *v;
	size_t n;
	strmap ids;                                  /* revision id -> index */
	strmap labels;                               /* branch label -> index of the revision declaring it */
	intvec heads, real_heads, bases, real_bases; /* load order */
	int broken;
	arena mem; /* every node's edge vectors and label lists */
} revmap;

/* Build the graph. Problems are findings (`broken` is set for errors that
 * make ordering impossible). Returns MG_OK unless misused. */
int revmap_build(revmap *out, const scriptdir *sd, findings *f);

/* Index of a revision by exact id, or -1. */
int revmap_index(const revmap *m, const char *id);

/* The indexes of the revision ids `ids` (version rows) into `out`, which
 * has room for ids->n; ids no script defines are skipped and appended to
 * `unknown` (may be NULL). Returns how many were filled. */
size_t revmap_indexes(int *out, strvec *unknown, const revmap *m, const strvec *ids);

/*
 * Resolve an identifier the way Alembic's get_revision does for a plain
 * id: an exact revision id or branch label, else a unique prefix among
 * ids and labels longer than 3 characters. MG_ENOTFOUND or MG_EAMBIGUOUS
 * with a message.
 */
int revmap_lookup(int *out, const revmap *m, const char *ident, mg_error *err);

/*
 * Resolve an `alembic upgrade` target the way Alembic does, given the
 * database's current revisions (needed by relative targets like `+2`):
 * `heads`, `head`, `base`, `label@head`, `label@heads`, an id or unique
 * prefix, `label@rev`, and relative forms `+N`, `rev+N`, `head-N`,
 * `label@rev-N`. *out gets the target revisions (none for `base`), a heap
 * array the caller frees. Alembic's errors: MG_EAMBIGUOUS for several
 * heads or an ambiguous walk, MG_ENOTFOUND, or MG_ERR.
 */
int revmap_resolve_target(int **out, size_t *nout, const revmap *m, const char *target, const int *current,
			  size_t ncurrent, mg_error *err);

/*
 * Alembic refuses a set of revisions in which one is an ancestor of another
 * ("Requested revision X overlaps with other requested revisions Y"), both
 * for the database's version rows and for upgrade targets. MG_ERR with a
 * message naming the two when that is so.
 */
int revmap_check_overlap(const revmap *m, const int *revs, size_t n, mg_error *err);

/*
 * The revisions `alembic upgrade` applies to reach `targets` from a
 * database whose version rows are `current`, in the order it applies them
 * (parents and dependencies first). *out is a heap array the caller frees.
 * MG_ERR when the graph is broken.
 */
int revmap_upgrade_order(int **out, size_t *nout, const revmap *m, const int *targets, size_t ntargets,
			 const int *current, size_t ncurrent, mg_error *err);

/* The same replay, also giving the version rows after it (indexes, in
 * graph order) in `rows` when not NULL. */
int revmap_replay_upgrade(intvec *rows, const revmap *m, const int *current, size_t ncurrent, const int *steps,
			  size_t nsteps, size_t *fail_at, struct buf *why);

/*
 * The revisions `alembic downgrade TARGET` undoes from a database whose
 * version rows are `current`, in the order it runs their downgrade():
 * Alembic's parsing of the target (a revision, `base`, `label@rev`,
 * relative `-N`, `label@-N`, `rev-N`), then every active revision that
 * descends from the target's children (dependencies included), newest
 * first. *target_rev (may be NULL) gets the target, -2 for base. Alembic's
 * refusals are errors with its reasons.
 */
int revmap_downgrade_order(int **out, size_t *nout, int *target_rev, const revmap *m, const char *target,
			   const int *current, size_t ncurrent, mg_error *err);

/*
 * The `alembic downgrade` targets (in `cmds`, run in turn) that take a
 * database at `current` to `target`; when `start` is not NULL (the rows an
 * upgrade started from) and one downgrade does not reach them (the upgrade
 * also applied revisions on another branch), further `REV@-1` targets do,
 * each planned as Alembic walks it. `steps` gets the revisions undone in
 * order, `rows` the version rows at the end, `problem` why the path is
 * blocked or falls short (empty when it is not). MG_* when Alembic refuses
 * `target` itself.
 */
int revmap_downgrade_path(strvec *cmds, intvec *steps, intvec *rows, struct buf *problem, const revmap *m,
			  const char *target, const int *current, size_t ncurrent, const int *start, size_t nstart,
			  mg_error *err);

/* Is `anc` `of` itself or one of its ancestors (dependencies included)? */
int revmap_is_ancestor(const revmap *m, int anc, int of);

/* Alembic's version-row bookkeeping over a downgrade plan (delete,
 * unmerge, update): the rows after it in `rows` (may be NULL). Returns 0,
 * or 1 with *fail_at and `why` where Alembic's bookkeeping fails. */
int revmap_replay_downgrade(intvec *rows, const revmap *m, const int *current, size_t ncurrent, const int *steps,
			    size_t nsteps, size_t *fail_at, struct buf *why);

/* How many of `steps` (an upgrade plan, or a downgrade plan when
 * `downgrade`) were run, by the version rows `rows` (ids) read afterwards:
 * the longest prefix whose replay from `current` ends at them. */
size_t revmap_steps_done(const revmap *m, const int *current, size_t ncurrent, const int *steps, size_t nsteps,
			 int downgrade, const strvec *rows);

int revnode_is_merge(const revnode *r);
int revnode_is_branch_point(const revnode *r);

/*
 * Replay Alembic's version-row bookkeeping (its HeadMaintainer) over an
 * upgrade plan, starting from the rows `current`. Some graphs with
 * depends_on make it try to remove a row that is not there, and `alembic
 * upgrade` then fails part-way. Returns 0 when every step goes through, or
 * 1 with *fail_at (an index into `steps`) and a reason in `why`.
 */
int revmap_simulate_upgrade(const revmap *m, const int *current, size_t ncurrent, const int *steps, size_t nsteps,
			    size_t *fail_at, struct buf *why);

void intvec_push(intvec *iv, int x);
int intvec_has(const intvec *iv, int x);
void intvec_release(intvec *iv);

void revmap_release(revmap *m);

/* For tests: the memory the ordering may spend on memoized ancestor sets
 * before it falls back to walking the graph (default 32 MiB). */
void revmap__set_memo_limit(size_t bytes);

#endif
