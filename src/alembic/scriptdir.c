/*
 * scriptdir.c: list and read revision scripts (see scriptdir.h).
 */
#include "alembic/scriptdir.h"

#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <unistd.h>
#include <limits.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>

#include "alembic/scancache.h"
#include "util/buf.h"
#include "util/fs.h"
#include "util/strmap.h"
#include "util/banned.h"

/* Alembic's `(?!\.\#|__init__)(.*\.py)$` for source files. */
static int is_revision_file_name(const char *name)
{
	size_t n = strlen(name);

	if (!strncmp(name, ".#", 2) || !strncmp(name, "__init__", 8))
		return 0;
	if (strchr(name, '\n'))
		return 0;
	return n >= 3 && !strcmp(name + n - 3, ".py");
}

/* Alembic's legacy `([a-f0-9]+)\.py$`, matched from the start of the name. */
static int legacy_revision_from_name(buf *out, const char *name)
{
	size_t n = strlen(name), i;

	if (n < 4 || strcmp(name + n - 3, ".py"))
		return 0;
	for (i = 0; i < n - 3; i++)
		if (!((name[i] >= '0' && name[i] <= '9') || (name[i] >= 'a' && name[i] <= 'f')))
			return 0;
	buf_put(out, name, n - 3);
	return 1;
}

int script_source(buf *out, const script *s, mg_error *err)
{
	int rc;

	if (s->src) {
		buf_put(out, s->src, s->src_len);
		return MG_OK;
	}
	if ((rc = fs_read_regular(out, s->path, FS_MAX_FILE, err)) < 0)
		return rc == MG_ENOTFOUND ? mg_error_set(err, MG_EENV, "cannot read '%s'", s->path) : MG_EENV;
	return MG_OK;
}

int scriptdir_wanted_name(const char *filename)
{
	return is_revision_file_name(filename);
}

/* Convert a scanned value into a list of strings. "" and None and () all
 * mean "nothing", as Alembic's tuple_rev_as_scalar makes them. */
static int value_to_list(strlist *out, arena *mem, const pyvalue *v, int keep_empty_str)
{
	const char *one = v->kind == PYV_STR ? v->str : NULL;

	switch (v->kind) {
	case PYV_ABSENT:
	case PYV_NONE:
		return 0;
	case PYV_STR:
		if (one[0] || keep_empty_str) {
			out->v = arena_strs(mem, &one, 1);
			out->n = 1;
		}
		return 0;
	case PYV_SEQ:
		out->v = arena_strs(mem, (const char *const *)v->items.v, v->items.n);
		out->n = v->items.n;
		return 0;
	default:
		return -1;
	}
}

static void check_revision_id(findings *f, const char *path, int line, const char *rev)
{
	const char *bad = strpbrk(rev, "@-+:");

	if (!rev[0]) {
		findings_add(f, "invalid-revision-id", SEV_ERROR, path, line, rev, "the revision id is empty");
		return;
	}
	if (bad)
		findings_add(f, "invalid-revision-id", SEV_ERROR, path, line, rev,
			     "revision id '%s' contains '%c'; Alembic rejects '@', '-' and '+' in ids, and ':' breaks "
			     "revision ranges",
			     rev, *bad);
	if (strlen(rev) > 32)
		findings_add(f, "revision-id-too-long", SEV_ERROR, path, line, rev,
			     "revision id '%s' is %zu characters; alembic_version.version_num is VARCHAR(32), so "
			     "stamping it fails",
			     rev, strlen(rev));
}

static void add_script(scriptdir *sd, script *s)
{
	if (sd->n == sd->alloc) {
		sd->alloc = sd->alloc ? sd->alloc * 2 : 64;
		sd->v = mg_realloc(sd->v, sd->alloc * sizeof(*sd->v));
	}
	sd->v[sd->n++] = *s;
}

static const char *strip_doc(arena *mem, const char *doc)
{
	const char *b = doc, *e = doc + strlen(doc);

	while (*b == ' ' || *b == '\t' || *b == '\n' || *b == '\r' || *b == '\f' || *b == '\v')
		b++;
	while (e > b && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' || e[-1] == '\r' || e[-1] == '\f' || e[-1] == '\v'))
		e--;
	return arena_strndup(mem, b, (size_t)(e - b));
}

static int check_list_value(findings *f, const char *path, const char *rev, const pyvalue *v, const char *what)
{
	size_t i;

	if (v->kind == PYV_BAD)
		return -1; /* already reported by pyscan */
	if (v->kind == PYV_SEQ)
		for (i = 0; i < v->items.n; i++)
			if (!v->items.v[i][0]) {
				findings_add(f, "invalid-value", SEV_ERROR, path, v->line, rev,
					     "%s contains an empty string", what);
				return -1;
			}
	return 0;
}

/*
 * Read and scan one script into `*s` (s->revision stays NULL when the
 * script cannot join the graph). Findings go to `f`. Touches no shared
 * state, so worker threads can run it side by side.
 */
static void scan_one(script *s, arena *mem, findings *f, const char *path, const char *filename, const char *src,
		     size_t len, const pyscan_names *names, int keep_source)
{
	buf legacy = BUF_INIT;
	pyscan_module m;
	size_t i;
	int usable = 1;
	const char *rev = NULL;

	memset(&m, 0, sizeof(m));
	memset(s, 0, sizeof(*s));
	pyscan_source(&m, src, len, names, NULL);
	if (m.revision.kind == PYV_STR)
		rev = m.revision.str;
	for (i = 0; i < m.ndiags; i++)
		findings_add(f, m.diags[i].code, m.diags[i].severity == PYSCAN_ERROR ? SEV_ERROR : m.diags[i].severity == PYSCAN_WARNING ? SEV_WARNING
																	 : SEV_INFO,
			     path,
			     m.diags[i].line, rev, "%s", m.diags[i].message);
	if (pyscan_has_errors(&m))
		usable = 0;

	if (m.revision.kind == PYV_ABSENT) {
		if (!pyscan_has_errors(&m) && legacy_revision_from_name(&legacy, filename)) {
			rev = legacy.ptr;
			findings_add(f, "legacy-revision-name", SEV_WARNING, path, 0, rev,
				     "no 'revision' variable; Alembic takes the revision '%s' from the file name", rev);
		} else if (!pyscan_has_errors(&m)) {
			findings_add(f, "no-revision", SEV_ERROR, path, 0, NULL,
				     "'%s' is in a version location but defines no 'revision'; Alembic fails to load it "
				     "(move it out, or make it a revision script)",
				     filename);
			usable = 0;
		}
	} else if (m.revision.kind == PYV_NONE || m.revision.kind == PYV_SEQ) {
		findings_add(f, "invalid-value", SEV_ERROR, path, m.revision.line, NULL,
			     "revision must be a string");
		usable = 0;
	}
	if (m.down_revision.kind == PYV_ABSENT && rev && !pyscan_has_errors(&m)) {
		findings_add(f, "no-down-revision", SEV_ERROR, path, 0, rev,
			     "revision '%s' defines no 'down_revision'; Alembic fails with AttributeError loading it "
			     "(write down_revision = None for a base)",
			     rev);
		usable = 0;
	}
	if (check_list_value(f, path, rev, &m.down_revision, "down_revision") < 0 ||
	    check_list_value(f, path, rev, &m.depends_on, "depends_on") < 0 ||
	    m.branch_labels.kind == PYV_BAD)
		usable = 0;
	if (!rev || !usable)
		goto cleanup;

	check_revision_id(f, path, m.revision.line, rev);
	if (keep_source) {
		s->src = arena_strndup(mem, src, len);
		s->src_len = len;
	}
	s->path = arena_strdup(mem, path);
	s->revision = arena_strdup(mem, rev);
	s->revision_line = m.revision.line;
	s->down_line = m.down_revision.line;
	s->labels_line = m.branch_labels.line;
	s->depends_line = m.depends_on.line;
	value_to_list(&s->down, mem, &m.down_revision, 0);
	value_to_list(&s->depends, mem, &m.depends_on, 0);
	value_to_list(&s->labels, mem, &m.branch_labels, 1);
	s->depends_declared = s->depends.n > 0;
	s->doc = m.has_doc ? strip_doc(mem, m.doc) : "";
	s->upgrade = m.upgrade;
	s->downgrade = m.downgrade;
cleanup:
	pyscan_module_release(&m);
	buf_release(&legacy);
}

static void read_one(script *s, arena *mem, findings *f, const char *path, const char *filename, int is_regular,
		     const pyscan_names *names, buf *scratch, int keep_source)
{
	buf *srcp = scratch, own = BUF_INIT;
	mg_error ferr = MG_ERROR_INIT;
	int rc;

	if (!srcp)
		srcp = &own;
	buf_truncate(srcp, 0);
	rc = is_regular ? fs_read_regular(srcp, path, FS_MAX_FILE, &ferr) : fs_read_file(srcp, path, FS_MAX_FILE, &ferr);
	if (rc < 0) {
		memset(s, 0, sizeof(*s));
		findings_add(f, "unreadable-script", SEV_ERROR, path, 0, NULL, "%s", ferr.msg);
	} else {
		scan_one(s, mem, f, path, filename, srcp->ptr, srcp->len, names, keep_source);
	}
	buf_release(&own);
}

int scriptdir_add_source(scriptdir *out, const char *path, const char *filename, const char *src, size_t len,
			 const pyscan_names *names, findings *f)
{
	script s;

	scan_one(&s, &out->mem, f, path, filename, src, len, names, out->keep_sources);
	out->files_read++;
	if (s.revision)
		add_script(out, &s);
	return MG_OK;
}

int scriptdir_read_file(scriptdir *out, const char *path, const char *filename, const pyscan_names *names,
			findings *f, mg_error *err)
{
	script s;

	(void)err;
	read_one(&s, &out->mem, f, path, filename, 0, names, NULL, 0);
	out->files_read++;
	if (s.revision)
		add_script(out, &s);
	return MG_OK;
}

/* The files to read, in Alembic's load order. */
typedef struct listing {
	arena mem; /* the paths and names */
	strlist paths, names;
	buf kinds;  /* one fs_kind per entry */
	int *dirfd; /* per entry: its folder, open, for a stat by name (-1: by path) */
	size_t ndirfd, alloc_dirfd;
	int *opened; /* the folders opened, to close */
	size_t nopened, alloc_opened;
} listing;

static void listing_release(listing *l)
{
	size_t i;

	for (i = 0; i < l->nopened; i++)
		close(l->opened[i]);
	free(l->opened);
	free(l->dirfd);
	strlist_release(&l->paths);
	strlist_release(&l->names);
	buf_release(&l->kinds);
	arena_release(&l->mem);
}

/* A folder kept open while its files are looked at: stat by name relative
 * to it costs no path walk. -1 when it cannot be opened (or too many are). */
static int listing_open_dir(listing *l, const char *dir)
{
	int fd = l->nopened < 256 ? open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;

	if (fd < 0)
		return -1;
	if (l->nopened == l->alloc_opened) {
		l->alloc_opened = l->alloc_opened ? l->alloc_opened * 2 : 8;
		l->opened = mg_realloc(l->opened, l->alloc_opened * sizeof(int));
	}
	l->opened[l->nopened++] = fd;
	return fd;
}

/* Add one entry; `path` and `name` live in l->mem. */
static void listing_add(listing *l, const char *path, const char *name, char kind, int dirfd)
{
	strlist_push(&l->paths, path);
	strlist_push(&l->names, name);
	buf_putc(&l->kinds, kind);
	if (l->ndirfd == l->alloc_dirfd) {
		l->alloc_dirfd = l->alloc_dirfd ? l->alloc_dirfd * 2 : 64;
		l->dirfd = mg_realloc(l->dirfd, l->alloc_dirfd * sizeof(int));
	}
	l->dirfd[l->ndirfd++] = dirfd;
}

/* `dir` and `name` joined as fs_join does, in `mem`. */
static const char *join_path(arena *mem, const char *dir, const char *name)
{
	size_t dl = strlen(dir), nl = strlen(name);
	int slash = dl && dir[dl - 1] != '/';
	char *p;

	if (name[0] == '/' || !dl)
		return name;
	p = arena_alloc(mem, dl + (size_t)slash + nl + 1);
	memcpy(p, dir, dl);
	if (slash)
		p[dl] = '/';
	memcpy(p + dl + (size_t)slash, name, nl + 1);
	return p;
}

typedef struct dir_entry {
	uint64_t key; /* the first 8 bytes, big-endian: most comparisons end there */
	const char *name;
	char kind;
} dir_entry;

static int cmp_entry_name(const void *a, const void *b)
{
	const dir_entry *x = a, *y = b;

	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return strcmp(x->name, y->name);
}

static uint64_t name_key(const char *name)
{
	uint64_t k = 0;
	int i;

	for (i = 0; i < 8; i++) {
		k = k << 8 | (unsigned char)name[i];
		if (!name[i]) { /* shorter names sort first: pad with zero bytes */
			k <<= 8 * (7 - i);
			break;
		}
	}
	return k;
}

/* One version location, Alembic 1.10+ style: os.walk order with sorted
 * file names and sorted sub-folders, skipping __pycache__ and not
 * following links to folders. */
static int list_sorted(listing *out, const char *dir, int recursive, mg_error *err)
{
	strlist entries = STRLIST_INIT, subdirs = STRLIST_INIT;
	buf kinds = BUF_INIT;
	dir_entry *sorted = NULL;
	size_t i;
	int rc, dfd;

	if ((rc = fs_list_dir_kinds(&entries, &kinds, &out->mem, dir, err)) < 0)
		goto cleanup;
	dfd = listing_open_dir(out, dir);
	sorted = mg_malloc((entries.n + 1) * sizeof(*sorted));
	for (i = 0; i < entries.n; i++) {
		sorted[i].key = name_key(entries.v[i]);
		sorted[i].name = entries.v[i];
		sorted[i].kind = kinds.ptr[i];
	}
	qsort(sorted, entries.n, sizeof(*sorted), cmp_entry_name); /* Python's sorted(): code point order */
	for (i = 0; i < entries.n; i++) {
		const char *full = join_path(&out->mem, dir, sorted[i].name);
		if (sorted[i].kind == FS_DIR)
			strlist_push(&subdirs, full);
		else if (sorted[i].kind != FS_DIR_LINK)
			listing_add(out, full, sorted[i].name, sorted[i].kind, dfd);
	}
	for (i = 0; recursive && i < subdirs.n; i++) {
		size_t len = strlen(subdirs.v[i]);
		if (len >= 11 && !strcmp(subdirs.v[i] + len - 11, "__pycache__"))
			continue;
		if ((rc = list_sorted(out, subdirs.v[i], recursive, err)) < 0)
			goto cleanup;
	}
cleanup:
	free(sorted);
	strlist_release(&entries);
	strlist_release(&subdirs);
	buf_release(&kinds);
	return rc;
}

/* Alembic before 1.10: os.listdir order, one level, folders included. */
static int list_unsorted(listing *out, const char *dir, mg_error *err)
{
	strlist entries = STRLIST_INIT;
	buf kinds = BUF_INIT;
	size_t i;
	int rc, dfd;

	if ((rc = fs_list_dir_kinds(&entries, &kinds, &out->mem, dir, err)) < 0)
		goto cleanup;
	dfd = listing_open_dir(out, dir);
	for (i = 0; i < entries.n; i++)
		listing_add(out, join_path(&out->mem, dir, entries.v[i]), entries.v[i],
			    kinds.ptr[i] == FS_DIR_LINK ? FS_DIR : kinds.ptr[i], dfd);
cleanup:
	strlist_release(&entries);
	buf_release(&kinds);
	return rc;
}

#define SCAN_MAX_THREADS 4
#define SCAN_MIN_PER_THREAD 64

/* The per-file results of the parallel scan, merged in load order. */
typedef struct scan_job {
	const listing *l;
	const size_t *todo; /* indexes into the listing */
	size_t ntodo;
	script *scripts;
	findings *found;
	scancache_stat *stats;
	int *hit;    /* per file: its cache entry, or -1 */
	char *state; /* per file: 'h' cache hit, 's' scanned with stat known, 'n' scanned */
	const scancache *cache;
	const pyscan_names *names;
	int keep_sources;
	atomic_size_t next;
	atomic_size_t nworkers;
	arena mem[SCAN_MAX_THREADS]; /* one per worker; the directory adopts them */
} scan_job;

/* Workers stat each file and look it up in the cache; a file the cache
 * does not know is read and scanned here. Hits are decoded afterwards on
 * the main thread, into the directory's arena. */
static void *scan_worker(void *arg)
{
	scan_job *job = arg;
	buf scratch = BUF_INIT; /* one read buffer per thread, reused file after file */
	arena *mem = &job->mem[atomic_fetch_add(&job->nworkers, 1)];
	size_t i;

	while ((i = atomic_fetch_add(&job->next, 1)) < job->ntodo) {
		size_t k = job->todo[i];
		const char *path = job->l->paths.v[k];
		struct stat st;
		job->state[i] = 'n';
		if (job->cache && job->l->kinds.ptr[k] == FS_FILE &&
		    (job->l->dirfd[k] >= 0 ? fstatat(job->l->dirfd[k], job->l->names.v[k], &st, 0) : stat(path, &st)) == 0) {
			scancache_stat_from(&job->stats[i], &st);
			if ((job->hit[i] = scancache_find(job->cache, path, i, &job->stats[i])) >= 0) {
				job->state[i] = 'h';
				continue;
			}
			job->state[i] = 's';
		}
		read_one(&job->scripts[i], mem, &job->found[i], path, job->l->names.v[k],
			 job->l->kinds.ptr[k] == FS_FILE, job->names, &scratch, job->keep_sources);
	}
	buf_release(&scratch);
	return NULL;
}


/* Run scan_worker over every file of the job, on several threads when
 * there are many. */
static void scan_parallel(scan_job *job)
{
	pthread_t threads[SCAN_MAX_THREADS];
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	size_t nthreads = 1, started = 0, i;

	if (cpus > 1 && job->ntodo >= 2 * SCAN_MIN_PER_THREAD) {
		nthreads = 2 * (size_t)cpus < SCAN_MAX_THREADS ? 2 * (size_t)cpus : SCAN_MAX_THREADS;
		if (nthreads > job->ntodo / SCAN_MIN_PER_THREAD)
			nthreads = job->ntodo / SCAN_MIN_PER_THREAD;
	}
	/* this thread works too; the others are helpers */
	for (i = 1; i < nthreads; i++)
		if (pthread_create(&threads[started], NULL, scan_worker, job) == 0)
			started++;
	scan_worker(job);
	for (i = 0; i < started; i++)
		pthread_join(threads[i], NULL);
}

/* Move per-file results (in load order) into `out` and `f`: `scripts`
 * becomes the directory's array, keeping the scripts that join the graph
 * (out is empty: a directory is filled once). Frees `found`. */
static void adopt_results(scriptdir *out, findings *f, script *scripts, findings *found, size_t n)
{
	size_t i, kept = 0;

	for (i = 0; i < n; i++) {
		findings_move(f, &found[i]);
		out->files_read++;
		if (scripts[i].revision)
			scripts[kept++] = scripts[i];
	}
	free(found);
	out->v = scripts;
	out->n = kept;
	out->alloc = n ? n : 1;
}

/* Read and scan every file in `todo` (from the cache where it is still
 * good), then add them to `out` and `f` in load order. */
static void scan_files(scriptdir *out, findings *f, const listing *l, const size_t *todo, size_t ntodo,
		       const pyscan_names *names, scancache *cache)
{
	scan_job job;
	size_t i, n1 = ntodo ? ntodo : 1;
	buf scratch = BUF_INIT;

	memset(&job, 0, sizeof(job));
	job.l = l;
	job.todo = todo;
	job.ntodo = ntodo;
	job.names = names;
	job.scripts = mg_calloc(n1, sizeof(*job.scripts));
	job.found = mg_calloc(n1, sizeof(*job.found));
	job.stats = mg_calloc(n1, sizeof(*job.stats));
	job.hit = mg_calloc(n1, sizeof(*job.hit));
	job.state = mg_calloc(n1, 1);
	job.cache = cache;
	job.keep_sources = out->keep_sources;
	atomic_init(&job.next, 0);
	atomic_init(&job.nworkers, 0);
	if (cache) {
		const char **paths = mg_malloc(n1 * sizeof(*paths));
		for (i = 0; i < ntodo; i++)
			paths[i] = l->paths.v[todo[i]];
		scancache_prepare(cache, paths, ntodo);
		free(paths);
	}
	scan_parallel(&job);

	for (i = 0; cache && i < ntodo; i++) {
		size_t k = todo[i];
		const char *path = l->paths.v[k];
		if (job.state[i] == 'h' &&
		    scancache_take(cache, job.hit[i], i, path, &out->mem, &job.scripts[i], &job.found[i]) == 0) {
			out->cache_hits++;
			continue;
		}
		if (job.state[i] == 'h') { /* a damaged record: read the file after all */
			read_one(&job.scripts[i], &out->mem, &job.found[i], path, l->names.v[k], 1, names, &scratch,
				 job.keep_sources);
			job.state[i] = 's';
		}
		if (job.state[i] == 's')
			scancache_store(cache, path, i, &job.stats[i], &job.scripts[i], &job.found[i]);
	}
	adopt_results(out, f, job.scripts, job.found, ntodo);
	for (i = 0; i < SCAN_MAX_THREADS; i++)
		arena_adopt(&out->mem, &job.mem[i]);
	buf_release(&scratch);
	free(job.stats);
	free(job.hit);
	free(job.state);
}

/* Everything that changes what scanning a file yields, so that a cache
 * made under other settings is never used. */
static void cache_key(buf *out, const mgate_config *cfg)
{
	size_t i;

	buf_printf(out, "mgate-scan-v1|%s|%d.%d|%d", cfg->script_location, cfg->compat.major, cfg->compat.minor,
		   cfg->recursive);
	for (i = 0; i < cfg->version_locations.n; i++)
		buf_printf(out, "|loc=%s", cfg->version_locations.v[i]);
	for (i = 0; i < cfg->names.keys.n; i++)
		buf_printf(out, "|name=%s=%s", cfg->names.keys.v[i], cfg->names.values.v[i]);
}

int scriptdir_load(scriptdir *out, const mgate_config *cfg, findings *f, mg_error *err)
{
	listing l;
	arena cache_body = ARENA_INIT; /* the cache's file, which hit scripts point into */
	strvec seen = STRVEC_INIT;
	strmap seen_map = STRMAP_INIT;
	size_t *todo = NULL, ntodo = 0, i, loc;
	scancache *cache = NULL;
	int rc = MG_OK, sorted = config_sorted_listing(cfg);
	int check_twice = cfg->version_locations.n > 1;

	int keep_sources = out->keep_sources; /* the one field set before loading */

	memset(out, 0, sizeof(*out));
	out->keep_sources = keep_sources;
	memset(&l, 0, sizeof(l));
	if (cfg->scan_cache) {
		buf key = BUF_INIT;
		cache_key(&key, cfg);
		scancache_open(&cache, key.ptr, &cache_body);
		buf_release(&key);
	}
	if (cfg->sourceless)
		findings_add(f, "sourceless-unsupported", SEV_WARNING, cfg->ini_path, 0, NULL,
			     "sourceless = true: mgate reads only .py sources, not .pyc files");
	if (cfg->recursive && !sorted)
		findings_add(f, "recursive-unsupported", SEV_WARNING, cfg->ini_path, 0, NULL,
			     "recursive_version_locations needs Alembic 1.10 or later (this project follows %d.%d); "
			     "Alembic ignores it",
			     cfg->compat.major, cfg->compat.minor);
	for (loc = 0; loc < cfg->version_locations.n; loc++) {
		const char *dir = cfg->version_locations.v[loc];
		if (!fs_is_dir(dir)) {
			if (cfg->version_locations_given) {
				findings_add(f, "missing-version-location", SEV_WARNING, cfg->ini_path, 0, NULL,
					     "version location '%s' does not exist; Alembic skips it", dir);
				continue;
			}
			rc = mg_error_set(err, MG_ECONFIG, "no versions folder at '%s'; create it or set version_locations",
					  dir);
			goto cleanup;
		}
		rc = sorted ? list_sorted(&l, dir, cfg->recursive, err) : list_unsorted(&l, dir, err);
		if (rc < 0) {
			rc = MG_EENV;
			goto cleanup;
		}
	}
	todo = mg_malloc((l.paths.n + 1) * sizeof(*todo));
	for (i = 0; i < l.paths.n; i++) {
		char real[PATH_MAX];
		if (!is_revision_file_name(l.names.v[i]))
			continue;
		/* Only several locations can reach one file twice (os.walk
		 * does not follow links into folders). */
		if (check_twice && realpath(l.paths.v[i], real)) {
			if (strmap_get(&seen_map, real) >= 0) {
				findings_add(f, "file-loaded-twice", SEV_WARNING, l.paths.v[i], 0, NULL,
					     "this file is reached through two version locations; Alembic loads it once");
				continue;
			}
			strvec_push(&seen, real);
			strmap_put(&seen_map, seen.v[seen.n - 1], (int)(seen.n - 1)); /* borrows the string */
		}
		if (l.kinds.ptr[i] == FS_DIR) {
			findings_add(f, "no-revision", SEV_ERROR, l.paths.v[i], 0, NULL,
				     "'%s' is a folder named like a script; Alembic fails to load it", l.names.v[i]);
			continue;
		}
		todo[ntodo++] = i;
	}
	scan_files(out, f, &l, todo, ntodo, &cfg->names, cache);
	scancache_save(cache);
cleanup:
	scancache_free(cache);
	arena_adopt(&out->mem, &cache_body);
	free(todo);
	listing_release(&l);
	strvec_release(&seen);
	strmap_release(&seen_map);
	return rc;
}

void scriptdir_release(scriptdir *sd)
{
	if (!sd)
		return;
	arena_release(&sd->mem);
	free(sd->v);
	memset(sd, 0, sizeof(*sd));
}
