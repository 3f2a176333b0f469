/*
 * test_scancache.c: the scan cache must make mgate faster, never
 * different: hits only for unchanged files, misses for anything else.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "alembic/config.h"
#include "alembic/scancache.h"
#include "alembic/scriptdir.h"
#include "testutil.h"
#include "util/buf.h"
#include "util/fs.h"
#include "util/sha256.h"

static char *dir;

static int setup(void **state)
{
	char cache[4200];
	(void)state;
	dir = tu_tempdir();
	snprintf(cache, sizeof(cache), "%s/cache", dir);
	setenv("MGATE_CACHE_DIR", cache, 1);
	tu_write(dir, "alembic.ini", "[alembic]\nscript_location = %(here)s/migrations\n");
	tu_mkdir(dir, "migrations");
	tu_mkdir(dir, "migrations/versions");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unsetenv("MGATE_CACHE_DIR");
	tu_rmrf(dir);
	free(dir);
	return 0;
}

/* Make a file look old, so the cache's racy rule does not apply. */
static void age(const char *name)
{
	char path[4200];
	struct timespec times[2];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	clock_gettime(CLOCK_REALTIME, &times[0]);
	times[0].tv_sec -= 3600;
	times[1] = times[0];
	assert_int_equal(utimensat(AT_FDCWD, path, times, 0), 0);
}

/* Give `data` (a cache file with its trailer) the checksum of its
 * contents again, after the test changed them. */
static void resign(buf *data)
{
	sha256_ctx h;

	assert_true(data->len >= 32);
	assert_int_equal(sha256_init(&h, NULL), 0);
	sha256_update(&h, data->ptr, data->len - 32);
	assert_int_equal(sha256_final(&h, (unsigned char *)data->ptr + data->len - 32, NULL, NULL), 0);
}

/* The test project's configuration, following Alembic 1.13. */
static void project_config(mgate_config *cfg, int no_cache)
{
	config_opts o = CONFIG_OPTS_INIT;
	mg_error err = MG_ERROR_INIT;
	char ini[4200];
	snprintf(ini, sizeof(ini), "%s/alembic.ini", dir);
	o.ini_path = ini;
	o.alembic_version = "1.13";
	o.no_cache = no_cache;
	assert_int_equal(config_load(cfg, &o, &err), 0);
	assert_int_equal(cfg->scan_cache, !no_cache);
}

static void load(scriptdir *sd, findings *f)
{
	mgate_config cfg;
	mg_error err = MG_ERROR_INIT;
	project_config(&cfg, 0);
	assert_int_equal(scriptdir_load(sd, &cfg, f, &err), 0);
	config_release(&cfg);
}

/* ctime cannot be set back, so wait until the files are older than the
 * racy second before the cache is written. */
static void wait_past_racy_window(void)
{
	sleep(2);
}

/* Everything a load yields, as text: each script's fields and each
 * finding. `no_cache` loads without the cache. */
static void describe_load(buf *out, int no_cache)
{
	mgate_config cfg;
	mg_error err = MG_ERROR_INIT;
	scriptdir sd;
	findings f = FINDINGS_INIT;
	size_t i, k;

	project_config(&cfg, no_cache);
	assert_int_equal(scriptdir_load(&sd, &cfg, &f, &err), 0);
	buf_truncate(out, 0);
	for (i = 0; i < sd.n; i++) {
		const script *x = &sd.v[i];
		buf_printf(out, "%s|%s|%s|%d|%d|%d|%d|%d-%d|", x->path, x->revision, x->doc, x->revision_line,
			   x->down_line, x->labels_line, x->depends_line, x->upgrade.line, x->upgrade.end_line);
		for (k = 0; k < x->down.n; k++)
			buf_printf(out, "d=%s,", x->down.v[k]);
		for (k = 0; k < x->labels.n; k++)
			buf_printf(out, "l=%s,", x->labels.v[k]);
		buf_putc(out, '\n');
	}
	for (i = 0; i < f.n; i++)
		buf_printf(out, "%s:%d:%s:%s\n", f.v[i].path ? f.v[i].path : "", f.v[i].line, f.v[i].id, f.v[i].message);
	scriptdir_release(&sd);
	findings_release(&f);
	config_release(&cfg);
}

static void test_hit_then_change(void **state)
{
	scriptdir sd;
	findings f = FINDINGS_INIT;
	(void)state;
	tu_write(dir, "migrations/versions/a.py", "\"\"\"first\n\nRevision ID: zzzz\n\"\"\"\nrevision = 'a1'\ndown_revision = None\n");
	tu_write(dir, "migrations/versions/b.py", "revision = 'b1'\ndown_revision = 'a1'\nbranch_labels = ('x',)\n");
	age("migrations/versions/a.py");
	age("migrations/versions/b.py");
	wait_past_racy_window();
	load(&sd, &f); /* cold: reads and stores */
	assert_int_equal(sd.n, 2);
	assert_int_equal(sd.cache_hits, 0);
	assert_int_equal(f.n, 1); /* the docstring mismatch */
	scriptdir_release(&sd);
	findings_release(&f);

	load(&sd, &f); /* warm: the same answer from the cache */
	assert_int_equal(sd.n, 2);
	assert_int_equal(sd.cache_hits, 2);
	assert_string_equal(sd.v[0].revision, "a1");
	assert_string_equal(sd.v[0].doc, "first\n\nRevision ID: zzzz");
	assert_string_equal(sd.v[1].labels.v[0], "x");
	assert_string_equal(sd.v[1].down.v[0], "a1");
	assert_int_equal(f.n, 1);
	assert_string_equal(f.v[0].id, "docstring-mismatch");
	scriptdir_release(&sd);
	findings_release(&f);

	/* same size, different content: ctime and mtime change, the cache misses */
	tu_write(dir, "migrations/versions/b.py", "revision = 'b2'\ndown_revision = 'a1'\nbranch_labels = ('y',)\n");
	load(&sd, &f);
	assert_int_equal(sd.cache_hits, 1); /* a.py still cached; b.py read again */
	assert_string_equal(sd.v[1].revision, "b2");
	assert_string_equal(sd.v[1].labels.v[0], "y");
	scriptdir_release(&sd);
	findings_release(&f);
}

static void test_damaged_cache_is_ignored(void **state)
{
	scriptdir sd;
	findings f = FINDINGS_INIT;
	strvec files = STRVEC_INIT;
	char cache[4200], path[4400];
	size_t i;
	(void)state;
	tu_write(dir, "migrations/versions/a.py", "\"\"\"first\n\nRevision ID: zzzz\n\"\"\"\nrevision = 'a1'\ndown_revision = None\n");
	tu_write(dir, "migrations/versions/b.py", "revision = 'b1'\ndown_revision = 'a1'\nbranch_labels = ('x',)\n"
						  "def upgrade():\n    pass\n");
	age("migrations/versions/a.py");
	age("migrations/versions/b.py");
	wait_past_racy_window();
	load(&sd, &f);
	assert_int_equal(sd.n, 2);
	scriptdir_release(&sd);
	findings_release(&f);
	load(&sd, &f); /* the cache holds both */
	assert_int_equal(sd.cache_hits, 2);
	scriptdir_release(&sd);
	findings_release(&f);
	snprintf(cache, sizeof(cache), "%s/cache", dir);
	assert_int_equal(fs_list_dir(&files, cache, NULL), 0);
	assert_int_equal(files.n, 1);
	snprintf(path, sizeof(path), "%s/%s", cache, files.v[0]);
	{
		struct stat st;
		assert_int_equal(stat(path, &st), 0);
		assert_int_equal(st.st_mode & 0777, 0600);
	}
	{
		buf good = BUF_INIT, truth = BUF_INIT, got = BUF_INIT;
		assert_int_equal(fs_read_file(&good, path, 1 << 20, NULL), 0);
		describe_load(&truth, 1);
		/* every byte of the file flipped in turn, on disk: each load is a
		 * miss (the checksum fails) and gives the answer of no cache */
		for (i = 0; i < good.len; i++) {
			buf bad = BUF_INIT;
			scancache *c = scancache__new_memory();
			buf_put(&bad, good.ptr, good.len);
			bad.ptr[i] ^= 0x5a;
			assert_int_equal(scancache__parse(c, (const unsigned char *)bad.ptr, bad.len), -1);
			assert_int_equal(scancache_count(c), 0);
			scancache_free(c);
			assert_int_equal(fs_write_atomic(path, bad.ptr, bad.len, 0600, NULL), 0);
			describe_load(&got, 0);
			assert_string_equal(got.ptr, truth.ptr);
			buf_release(&bad);
		}
		/* a record damaged behind a checksum that matches: decoding it
		 * fails cleanly, and the file is read instead */
		{
			buf bad = BUF_INIT;
			scancache *c = scancache__new_memory();
			buf_put(&bad, good.ptr, good.len);
			bad.ptr[bad.len - 32 - 1] = 0x7f; /* the last record's count of findings */
			resign(&bad);
			assert_int_equal(scancache__parse(c, (const unsigned char *)bad.ptr, bad.len), 0);
			assert_int_equal(scancache__decode_all(c), 1); /* of 2 */
			scancache_free(c);
			assert_int_equal(fs_write_atomic(path, bad.ptr, bad.len, 0600, NULL), 0);
			describe_load(&got, 0);
			assert_string_equal(got.ptr, truth.ptr);
			buf_release(&bad);
		}
		/* a truncated file is rejected whole */
		{
			scancache *c = scancache__new_memory();
			assert_int_equal(scancache__parse(c, (const unsigned char *)good.ptr, good.len - 1), -1);
			assert_int_equal(scancache_count(c), 0);
			scancache_free(c);
		}
		/* on disk too, and it is rewritten whole */
		assert_int_equal(fs_write_atomic(path, good.ptr, good.len - 3, 0600, NULL), 0);
		load(&sd, &f);
		assert_int_equal(sd.n, 2);
		assert_int_equal(sd.cache_hits, 0);
		assert_string_equal(sd.v[0].revision, "a1");
		scriptdir_release(&sd);
		findings_release(&f);
		{
			buf again = BUF_INIT;
			assert_int_equal(fs_read_file(&again, path, 1 << 20, NULL), 0);
			assert_int_equal(again.len, good.len);
			buf_release(&again);
		}
		buf_release(&good);
		buf_release(&truth);
		buf_release(&got);
	}
	tu_write(cache, files.v[0], "garbage that is not a cache");
	load(&sd, &f);
	assert_int_equal(sd.n, 2);
	assert_string_equal(sd.v[0].revision, "a1");
	scriptdir_release(&sd);
	{
		buf again = BUF_INIT;
		assert_int_equal(fs_read_file(&again, path, 1 << 20, NULL), 0);
		assert_memory_equal(again.ptr, "MGSCAN05", 8); /* rewritten */
		buf_release(&again);
	}
	strvec_release(&files);
	findings_release(&f);
}

static void test_roundtrip_and_racy(void **state)
{
	scancache *c = scancache__new_memory(), *d = scancache__new_memory();
	script s, out;
	arena mem = ARENA_INIT;
	findings f = FINDINGS_INIT, got = FINDINGS_INIT;
	scancache_stat st = { 1, 2, 3, 1000000000ULL * 100, 1000000000ULL * 100 };
	buf data = BUF_INIT;
	(void)state;
	memset(&s, 0, sizeof(s));
	s.path = "/p/a.py";
	s.revision = "a";
	s.down.v = (const char *[]){ "b" };
	s.down.n = 1;
	s.depends.v = (const char *[]){ "c" };
	s.depends.n = 1;
	s.depends_declared = 1;
	s.doc = "doc";
	s.upgrade.line = 7;
	findings_add(&f, "docstring-mismatch", SEV_WARNING, "/p/a.py", 3, "a", "message %d", 1);
	scancache_store(c, "/p/a.py", 0, &st, &s, &f);
	scancache_store(c, "/p/a.py", 0, &st, &s, &f); /* replacing an entry */
	scancache__serialize(c, &data);
	assert_int_equal(scancache__parse(d, (const unsigned char *)data.ptr, data.len), 0);
	assert_int_equal(scancache_count(d), 1);
	/* written_ns is 0 in memory: every file is "racy", so no hit */
	scancache_prepare(d, (const char *const[]){ "/p/a.py" }, 1);
	assert_int_equal(scancache_find(d, "/p/a.py", 0, &st), -1);
	assert_int_equal(scancache__decode_all(d), 1);
	/* written a minute after the file changed: a hit, decoded as stored */
	{
		uint64_t later = st.mtime_ns + 60 * 1000000000ULL;
		memcpy(data.ptr + 8, &later, sizeof(later));
		assert_int_equal(scancache__parse(d, (const unsigned char *)data.ptr, data.len), -1); /* unsigned */
		resign(&data);
		assert_int_equal(scancache__parse(d, (const unsigned char *)data.ptr, data.len), 0);
		scancache_prepare(d, (const char *const[]){ "/p/a.py" }, 1);
		assert_int_equal(scancache_find(d, "/p/a.py", 0, &st), 0);
		st.size++;
		assert_int_equal(scancache_find(d, "/p/a.py", 0, &st), -1);
		st.size--;
		assert_int_equal(scancache_take(d, 0, 0, "/p/a.py", &mem, &out, &got), 0);
		assert_string_equal(out.revision, "a");
		assert_string_equal(out.down.v[0], "b");
		assert_string_equal(out.depends.v[0], "c");
		assert_int_equal(out.labels.n, 0);
		assert_int_equal(out.upgrade.line, 7);
		assert_int_equal(got.n, 1);
		findings_release(&got);
		arena_release(&mem);
	}
	findings_release(&f);
	buf_release(&data);
	scancache_free(c);
	scancache_free(d);
}

/* Entries are saved in load order whatever order they were stored in, so
 * that the next run finds each one at its position with no index; in any
 * other order they are still found, through the index. */
static void test_saved_in_load_order(void **state)
{
	scancache *c = scancache__new_memory(), *d = scancache__new_memory();
	script s;
	findings none = FINDINGS_INIT;
	scancache_stat st = { 1, 2, 3, 1000000000ULL * 100, 1000000000ULL * 100 };
	uint64_t later = st.mtime_ns + 60 * 1000000000ULL;
	buf data = BUF_INIT;
	(void)state;
	memset(&s, 0, sizeof(s));
	s.revision = "r";
	s.doc = "";
	scancache_store(c, "/p/b.py", 1, &st, &s, &none);
	scancache_store(c, "/p/c.py", 2, &st, &s, &none);
	scancache_store(c, "/p/a.py", 0, &st, &s, &none);
	scancache__serialize(c, &data);
	memcpy(data.ptr + 8, &later, sizeof(later));
	resign(&data);
	assert_int_equal(scancache__parse(d, (const unsigned char *)data.ptr, data.len), 0);
	/* no index: only a file at its own position is found */
	assert_int_equal(scancache_find(d, "/p/a.py", 0, &st), 0);
	assert_int_equal(scancache_find(d, "/p/b.py", 1, &st), 1);
	assert_int_equal(scancache_find(d, "/p/c.py", 2, &st), 2);
	assert_int_equal(scancache_find(d, "/p/c.py", 0, &st), -1);
	/* the files now come in another order, one of them new */
	scancache_prepare(d, (const char *const[]){ "/p/c.py", "/p/new.py", "/p/a.py" }, 3);
	assert_int_equal(scancache_find(d, "/p/c.py", 0, &st), 2);
	assert_int_equal(scancache_find(d, "/p/new.py", 1, &st), -1);
	assert_int_equal(scancache_find(d, "/p/a.py", 2, &st), 0);
	buf_release(&data);
	scancache_free(c);
	scancache_free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_hit_then_change, setup, teardown),
		cmocka_unit_test_setup_teardown(test_damaged_cache_is_ignored, setup, teardown),
		cmocka_unit_test(test_roundtrip_and_racy),
		cmocka_unit_test(test_saved_in_load_order),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
