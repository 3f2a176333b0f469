/*
 * scancache.c: the scan cache (see scancache.h for the contract).
 *
 * File format (host byte order; the cache never leaves the machine):
 *   "MGSCAN05" | u64 written_ns | str key | u32 count | count x entry | sha256
 *   sha256: the 32-byte SHA-256 of every byte before it
 *   entry:  str path | 5 x u64 stat | u32 reclen | record (reclen bytes)
 *   record: u8 has_script | [script] | u32 n | n x finding
 *   script: str revision | 3 x strlist | u8 depends_declared | str doc |
 *           10 x i32 (revision_line, down_line, labels_line, depends_line, upgrade line/end/body,
 *           downgrade line/end/body)
 *   finding: str id | u8 severity | ostr path | i32 line | ostr revision | str message
 *   str: u32 length | bytes | NUL; ostr: u8 present | [str]; strlist: u32 n | n x str
 *
 * Opening reads the whole file and checks its checksum: a file that does
 * not hash to its trailer (a flipped bit, a torn write, an edit) is a miss
 * for every file, so it can never change an answer. The entries are then
 * indexed in place; a record is decoded only when its file is looked up,
 * and copied as bytes on save.
 */
#include "alembic/scancache.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util/fs.h"
#include "util/sha256.h"
#include "util/strmap.h"
#include "util/banned.h"

#define MAGIC "MGSCAN05"
#define SUM_BYTES 32
#define RACY_NS 1000000000ULL
#define MAX_CACHE_BYTES (256u * 1024 * 1024)

typedef struct entry {
	const char *path; /* into `data`, or owned_path */
	char *owned_path;
	scancache_stat st;
	const unsigned char *rec; /* into `data`, or owned_rec.ptr */
	size_t reclen;
	buf owned_rec;
	int keep;
	size_t pos; /* where the file is in load order, once kept or stored */
} entry;

struct scancache {
	char *file; /* NULL: an in-memory cache that never saves */
	char *key;
	unsigned long long written_ns;
	buf data;    /* the file's bytes when no arena keeps them; entries point into them */
	arena *keep; /* where the file is read to, when the scripts outlive the cache */
	entry *v;
	size_t n, alloc;
	strmap index; /* path -> entry, when `indexed` */
	int indexed;  /* entries are not in the order files are looked up */
	int dirty;
};

void scancache_stat_from(scancache_stat *out, const struct stat *st)
{
	out->dev = (unsigned long long)st->st_dev;
	out->ino = (unsigned long long)st->st_ino;
	out->size = (unsigned long long)st->st_size;
	out->mtime_ns = (unsigned long long)st->st_mtim.tv_sec * 1000000000ULL + (unsigned long long)st->st_mtim.tv_nsec;
	out->ctime_ns = (unsigned long long)st->st_ctim.tv_sec * 1000000000ULL + (unsigned long long)st->st_ctim.tv_nsec;
}

static unsigned long long now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (unsigned long long)ts.tv_sec * 1000000000ULL + (unsigned long long)ts.tv_nsec;
}

/* ---- encoding ------------------------------------------------------------ */

static void put_u64(buf *b, unsigned long long v)
{
	uint64_t x = v;
	buf_put(b, (const char *)&x, sizeof(x));
}

static void put_u32(buf *b, size_t v)
{
	uint32_t x = (uint32_t)v;
	buf_put(b, (const char *)&x, sizeof(x));
}

static void put_i32(buf *b, int v)
{
	int32_t x = v;
	buf_put(b, (const char *)&x, sizeof(x));
}

static void put_str(buf *b, const char *s)
{
	size_t n = strlen(s);
	put_u32(b, n);
	buf_put(b, s, n + 1); /* with its NUL, so readers can point into the data */
}

static void put_ostr(buf *b, const char *s)
{
	buf_putc(b, s ? 1 : 0);
	if (s)
		put_str(b, s);
}

static void put_list(buf *b, const strlist *sv)
{
	size_t i;
	put_u32(b, sv->n);
	for (i = 0; i < sv->n; i++)
		put_str(b, sv->v[i]);
}

static void encode_record(buf *out, const script *s, const findings *f)
{
	size_t k;
	int has = s && s->revision != NULL;

	buf_putc(out, has ? 1 : 0);
	if (has) {
		put_str(out, s->revision);
		put_list(out, &s->down);
		put_list(out, &s->depends);
		put_list(out, &s->labels);
		buf_putc(out, s->depends_declared ? 1 : 0);
		put_str(out, s->doc ? s->doc : "");
		put_i32(out, s->revision_line);
		put_i32(out, s->down_line);
		put_i32(out, s->labels_line);
		put_i32(out, s->depends_line);
		put_i32(out, s->upgrade.line);
		put_i32(out, s->upgrade.end_line);
		put_i32(out, s->upgrade.body_line);
		put_i32(out, s->downgrade.line);
		put_i32(out, s->downgrade.end_line);
		put_i32(out, s->downgrade.body_line);
	}
	put_u32(out, f->n);
	for (k = 0; k < f->n; k++) {
		const finding *x = &f->v[k];
		put_str(out, x->id);
		buf_putc(out, (char)x->severity);
		put_ostr(out, x->path);
		put_i32(out, x->line);
		put_ostr(out, x->revision);
		put_str(out, x->message);
	}
}

/* ---- decoding (every read is bounds-checked) ------------------------------ */

typedef struct reader {
	const unsigned char *p, *end;
	int bad;
} reader;

static int get_bytes(reader *r, void *dst, size_t n)
{
	if (r->bad || (size_t)(r->end - r->p) < n) {
		r->bad = 1;
		return -1;
	}
	memcpy(dst, r->p, n);
	r->p += n;
	return 0;
}

static unsigned long long get_u64(reader *r)
{
	uint64_t x = 0;
	get_bytes(r, &x, sizeof(x));
	return x;
}

static size_t get_u32(reader *r)
{
	uint32_t x = 0;
	get_bytes(r, &x, sizeof(x));
	return x;
}

static int get_i32(reader *r)
{
	int32_t x = 0;
	get_bytes(r, &x, sizeof(x));
	return x;
}

static int get_u8(reader *r)
{
	unsigned char x = 0;
	get_bytes(r, &x, 1);
	return x;
}

/* A string in place: length, bytes with no NUL, then a NUL. */
static const char *get_str(reader *r)
{
	size_t n = get_u32(r);
	const char *s;

	if (r->bad || (size_t)(r->end - r->p) < n + 1 || r->p[n] != '\0' || memchr(r->p, '\0', n)) {
		r->bad = 1;
		return NULL;
	}
	s = (const char *)r->p;
	r->p += n + 1;
	return s;
}

static const char *get_ostr(reader *r)
{
	int present = get_u8(r);
	if (present > 1)
		r->bad = 1;
	return present == 1 ? get_str(r) : NULL;
}

/* A list of strings in place; its array goes to `mem`, with copies of its
 * strings there too unless `borrow` (they stay where they are). */
static void get_list(reader *r, strlist *out, arena *mem, int borrow)
{
	const char *items[64], **all = items;
	size_t n = get_u32(r), i;

	if (n > (size_t)(r->end - r->p) / 5) { /* each item takes 5 bytes at least */
		r->bad = 1;
		return;
	}
	if (n > sizeof(items) / sizeof(items[0]))
		all = mg_malloc(n * sizeof(*all));
	for (i = 0; i < n && !r->bad; i++)
		all[i] = get_str(r);
	if (!r->bad && borrow && n) {
		out->v = arena_alloc(mem, n * sizeof(*out->v));
		memcpy(out->v, all, n * sizeof(*out->v));
		out->n = n;
	} else if (!r->bad) {
		out->v = arena_strs(mem, all, n);
		out->n = n;
	}
	if (all != items)
		free(all);
}

/* Decode one record into `s` and `f`. Its strings are copied to `mem`,
 * or with `borrow` point into the record itself (then `path` must live
 * as long). Returns -1 (and leaves `s` empty) on any malformation. */
static int decode_record(const unsigned char *rec, size_t len, const char *path, arena *mem, int borrow, script *s,
			 findings *f)
{
	reader r = { rec, rec + len, 0 };
	findings tmp = FINDINGS_INIT;
	size_t n, i;
	int has;

	memset(s, 0, sizeof(*s));
	has = get_u8(&r);
	if (has > 1)
		r.bad = 1;
	if (has == 1 && !r.bad) {
		const char *rev = get_str(&r), *doc;
		get_list(&r, &s->down, mem, borrow);
		get_list(&r, &s->depends, mem, borrow);
		get_list(&r, &s->labels, mem, borrow);
		s->depends_declared = get_u8(&r) == 1;
		doc = get_str(&r);
		s->revision_line = get_i32(&r);
		s->down_line = get_i32(&r);
		s->labels_line = get_i32(&r);
		s->depends_line = get_i32(&r);
		s->upgrade.line = get_i32(&r);
		s->upgrade.end_line = get_i32(&r);
		s->upgrade.body_line = get_i32(&r);
		s->downgrade.line = get_i32(&r);
		s->downgrade.end_line = get_i32(&r);
		s->downgrade.body_line = get_i32(&r);
		if (rev && doc && !r.bad && borrow) {
			s->path = path;
			s->revision = rev;
			s->doc = doc;
		} else if (rev && doc && !r.bad) {
			s->path = arena_strdup(mem, path);
			s->revision = arena_strdup(mem, rev);
			s->doc = arena_strdup(mem, doc);
		}
	}
	n = get_u32(&r);
	if (n > len / 16)
		r.bad = 1;
	for (i = 0; i < n && !r.bad; i++) {
		const char *id = get_str(&r), *fpath, *frev, *msg;
		int sev = get_u8(&r), line;
		fpath = get_ostr(&r);
		line = get_i32(&r);
		frev = get_ostr(&r);
		msg = get_str(&r);
		if (r.bad || !id || !msg || sev > SEV_INFO)
			r.bad = 1;
		else
			findings_add(&tmp, id, (finding_severity)sev, fpath, line, frev, "%s", msg);
	}
	if (r.bad || r.p != r.end) {
		memset(s, 0, sizeof(*s)); /* what was copied stays in `mem`, unused */
		findings_release(&tmp);
		return -1;
	}
	findings_move(f, &tmp);
	return 0;
}

/* ---- entries ---------------------------------------------------------------- */

static void entry_release(entry *e)
{
	free(e->owned_path);
	buf_release(&e->owned_rec);
	memset(e, 0, sizeof(*e));
}

static void clear_entries(scancache *c)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		entry_release(&c->v[i]);
	free(c->v);
	c->v = NULL;
	c->n = c->alloc = 0;
	strmap_release(&c->index);
	c->indexed = 0;
}

static entry *new_entry(scancache *c)
{
	if (c->n == c->alloc) {
		c->alloc = c->alloc ? c->alloc * 2 : 64;
		c->v = mg_realloc(c->v, c->alloc * sizeof(*c->v));
	}
	memset(&c->v[c->n], 0, sizeof(entry));
	return &c->v[c->n++];
}

static void reindex(scancache *c)
{
	size_t i;

	strmap_release(&c->index);
	strmap_reserve(&c->index, c->n);
	for (i = 0; i < c->n; i++)
		strmap_put(&c->index, c->v[i].path, (int)i);
	c->indexed = 1;
}

void scancache_prepare(scancache *c, const char *const *paths, size_t n)
{
	size_t i;

	for (i = 0; i < n && i < c->n; i++)
		if (strcmp(c->v[i].path, paths[i]))
			break;
	if (i < n || n != c->n)
		reindex(c);
}

/* The entry for `path`, first tried at `pos`. */
static int entry_at(const scancache *c, const char *path, size_t pos)
{
	if (pos < c->n && !strcmp(c->v[pos].path, path))
		return (int)pos;
	return c->indexed ? strmap_get(&c->index, path) : -1;
}

static int same_stat(const scancache_stat *a, const scancache_stat *b)
{
	return a->dev == b->dev && a->ino == b->ino && a->size == b->size && a->mtime_ns == b->mtime_ns &&
	       a->ctime_ns == b->ctime_ns;
}

int scancache_find(const scancache *c, const char *path, size_t pos, const scancache_stat *st)
{
	int i = entry_at(c, path, pos);

	if (i < 0 || !same_stat(&c->v[i].st, st))
		return -1;
	/* racy: changed within a second of the cache being written */
	if (st->mtime_ns + RACY_NS >= c->written_ns || st->ctime_ns + RACY_NS >= c->written_ns)
		return -1;
	return i;
}

int scancache_take(scancache *c, int e, size_t pos, const char *path, arena *mem, script *s, findings *f)
{
	/* an entry read from a body kept in the caller's arena is borrowed
	 * from; one stored since (its record owned by the cache) is copied */
	int borrow = c->keep && !c->v[e].owned_rec.ptr && !c->v[e].owned_path;

	if (decode_record(c->v[e].rec, c->v[e].reclen, borrow ? c->v[e].path : path, mem, borrow, s, f) < 0)
		return -1;
	c->v[e].keep = 1;
	c->v[e].pos = pos;
	return 0;
}

void scancache_store(scancache *c, const char *path, size_t pos, const scancache_stat *st, const script *s,
		     const findings *f)
{
	int i;
	size_t before;
	entry *e;

	i = entry_at(c, path, pos);
	before = c->alloc;
	if (i >= 0) {
		e = &c->v[i];
		entry_release(e);
	} else {
		e = new_entry(c);
	}
	e->owned_path = mg_strdup(path);
	e->path = e->owned_path;
	e->st = *st;
	encode_record(&e->owned_rec, s, f);
	e->rec = (const unsigned char *)e->owned_rec.ptr;
	e->reclen = e->owned_rec.len;
	e->keep = 1;
	e->pos = pos;
	/* the map borrows entry paths: rebuild it when entries moved or a path was replaced */
	if (c->indexed && (c->alloc != before || i >= 0))
		reindex(c);
	else if (c->indexed)
		strmap_put(&c->index, e->path, (int)(e - c->v));
	c->dirty = 1;
}

/* ---- the file --------------------------------------------------------------- */

static int cmp_pos(const void *a, const void *b)
{
	const entry *x = *(const entry *const *)a, *y = *(const entry *const *)b;

	if (x->pos != y->pos)
		return x->pos < y->pos ? -1 : 1;
	return x < y ? -1 : x > y; /* stable: entries stored without a position keep their order */
}

/* The SHA-256 of `len` bytes into `out`; -1 when it cannot be computed. */
static int checksum(unsigned char out[SUM_BYTES], const void *data, size_t len)
{
	sha256_ctx h;

	if (sha256_init(&h, NULL) < 0)
		return -1;
	sha256_update(&h, data, len);
	return sha256_final(&h, out, NULL, NULL) < 0 ? -1 : 0;
}

void scancache__serialize(const scancache *c, buf *out)
{
	const entry **kept = mg_malloc((c->n + 1) * sizeof(*kept));
	unsigned char sum[SUM_BYTES];
	size_t i, count = 0, start = out->len;

	for (i = 0; i < c->n; i++)
		if (c->v[i].keep)
			kept[count++] = &c->v[i];
	qsort(kept, count, sizeof(*kept), cmp_pos); /* load order: the next run finds each at its position */
	buf_put(out, MAGIC, 8);
	put_u64(out, c->written_ns);
	put_str(out, c->key ? c->key : "");
	put_u32(out, count);
	for (i = 0; i < count; i++) {
		const entry *e = kept[i];
		put_str(out, e->path);
		put_u64(out, e->st.dev);
		put_u64(out, e->st.ino);
		put_u64(out, e->st.size);
		put_u64(out, e->st.mtime_ns);
		put_u64(out, e->st.ctime_ns);
		put_u32(out, e->reclen);
		buf_put(out, (const char *)e->rec, e->reclen);
	}
	if (checksum(sum, out->ptr + start, out->len - start) < 0)
		memset(sum, 0, sizeof(sum)); /* a file that will not verify: a miss, never a wrong answer */
	buf_put(out, (const char *)sum, sizeof(sum));
	free(kept);
}

/*
 * Take `len` bytes of a cache file (which must outlive `c`) as its
 * entries, indexed in place. Every malformation, a checksum that does not
 * match or another project's key leaves the cache empty: -1. Records are
 * checked only for their length here; their contents are checked when
 * decoded.
 */
static int load_entries(scancache *c, const unsigned char *data, size_t len)
{
	unsigned char sum[SUM_BYTES];
	reader r = { data, NULL, 0 };
	char magic[8];
	const char *key;
	size_t count, i;

	clear_entries(c);
	if (len < 8 + 8 + 5 + 4 + SUM_BYTES || checksum(sum, data, len - SUM_BYTES) < 0 ||
	    memcmp(sum, data + len - SUM_BYTES, SUM_BYTES))
		return -1;
	r.end = data + len - SUM_BYTES;
	if (get_bytes(&r, magic, 8) < 0 || memcmp(magic, MAGIC, 8))
		return -1;
	c->written_ns = get_u64(&r);
	key = get_str(&r);
	if (!key || (c->key && strcmp(key, c->key)))
		return -1; /* another project's cache (a hash collision) */
	count = get_u32(&r);
	if (r.bad || count > len / 48)
		return -1;
	c->v = mg_malloc((count + 1) * sizeof(*c->v));
	c->alloc = count + 1;
	for (i = 0; i < count && !r.bad; i++) {
		entry *e = new_entry(c);
		e->path = get_str(&r);
		e->st.dev = get_u64(&r);
		e->st.ino = get_u64(&r);
		e->st.size = get_u64(&r);
		e->st.mtime_ns = get_u64(&r);
		e->st.ctime_ns = get_u64(&r);
		e->reclen = get_u32(&r);
		if (r.bad || !e->path || (size_t)(r.end - r.p) < e->reclen) {
			r.bad = 1;
			break;
		}
		e->rec = r.p;
		r.p += e->reclen;
	}
	if (r.bad || r.p != r.end) {
		clear_entries(c);
		return -1;
	}
	return 0;
}

int scancache__parse(scancache *c, const unsigned char *data, size_t len)
{
	buf_truncate(&c->data, 0);
	buf_put(&c->data, (const char *)data, len);
	return load_entries(c, (const unsigned char *)c->data.ptr, c->data.len);
}

/* For fuzzing: decode every record (each must fail cleanly or succeed). */
size_t scancache__decode_all(const scancache *c)
{
	size_t i, ok = 0;

	for (i = 0; i < c->n; i++) {
		script s;
		findings f = FINDINGS_INIT;
		arena mem = ARENA_INIT;
		if (decode_record(c->v[i].rec, c->v[i].reclen, c->v[i].path, &mem, 0, &s, &f) == 0)
			ok++;
		findings_release(&f);
		arena_release(&mem);
	}
	return ok;
}

static unsigned long long fnv1a(const char *s)
{
	unsigned long long h = 1469598103934665603ULL;
	while (*s) {
		h ^= (unsigned char)*s++;
		h *= 1099511628211ULL;
	}
	return h;
}

scancache *scancache__new_memory(void)
{
	scancache *c = mg_calloc(1, sizeof(scancache));
	buf_init(&c->data);
	return c;
}

size_t scancache_count(const scancache *c)
{
	return c->n;
}

/* The cache file's bytes, into the arena that keeps them (c->keep) or
 * into c->data; NULL when there is no usable file. */
static const unsigned char *read_file(scancache *c, size_t *len)
{
	struct stat st;
	unsigned char *dst = NULL;
	size_t done = 0;
	int fd = open(c->file, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || (unsigned long long)st.st_size > MAX_CACHE_BYTES)
		goto cleanup;
	*len = (size_t)st.st_size;
	if (c->keep) {
		dst = arena_alloc(c->keep, *len + 1);
	} else {
		buf_grow(&c->data, *len);
		dst = (unsigned char *)c->data.ptr;
	}
	while (done < *len) {
		ssize_t got = read(fd, dst + done, *len - done);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		done += (size_t)got;
	}
	if (!c->keep) {
		c->data.len = done;
		c->data.ptr[done] = '\0';
	}
	if (done != *len)
		dst = NULL; /* changed under us: a miss */
cleanup:
	close(fd);
	return dst;
}

void scancache_open(scancache **out, const char *key, arena *keep)
{
	scancache *c = scancache__new_memory();
	const char *dir = getenv("MGATE_CACHE_DIR"), *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
	buf path = BUF_INIT;

	c->key = mg_strdup(key);
	c->keep = keep;
	if (dir && *dir)
		buf_puts(&path, dir);
	else if (xdg && *xdg == '/')
		buf_printf(&path, "%s/mgate", xdg);
	else if (home && *home == '/')
		buf_printf(&path, "%s/.cache/mgate", home);
	if (path.len) {
		buf_printf(&path, "/%016llx.scan", fnv1a(key));
		const unsigned char *data;
		size_t len = 0;
		c->file = buf_detach(&path);
		if ((data = read_file(c, &len)) != NULL && load_entries(c, data, len) < 0)
			c->dirty = 1; /* damaged: rewrite it */
	}
	buf_release(&path);
	*out = c;
}

static void make_dirs(const char *file)
{
	buf d = BUF_INIT;
	size_t i;

	fs_dirname(&d, file);
	for (i = 1; i <= d.len; i++) {
		if (i == d.len || d.ptr[i] == '/') {
			char save = d.ptr[i];
			d.ptr[i] = '\0';
			mkdir(d.ptr, 0700);
			d.ptr[i] = save;
		}
	}
	buf_release(&d);
}

void scancache_save(scancache *c)
{
	buf data = BUF_INIT;
	size_t i, kept = 0;

	if (!c || !c->file)
		return;
	for (i = 0; i < c->n; i++)
		kept += c->v[i].keep ? 1 : 0;
	if (!c->dirty && !c->indexed && kept == c->n)
		return; /* unchanged, and already in load order */
	c->written_ns = now_ns();
	scancache__serialize(c, &data);
	make_dirs(c->file);
	fs_write_atomic(c->file, data.ptr, data.len, 0600, NULL); /* a cache that cannot be written is no error */
	buf_release(&data);
}

void scancache_free(scancache *c)
{
	if (!c)
		return;
	clear_entries(c);
	buf_release(&c->data);
	free(c->file);
	free(c->key);
	free(c);
}
