/*
 * testutil.h: helpers shared by the unit tests: scratch folders and files.
 */
#ifndef MGATE_TESTUTIL_H
#define MGATE_TESTUTIL_H

#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A heap string made with printf's rules (aborts when out of memory). */
static inline char *tu_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static inline char *tu_printf(const char *fmt, ...)
{
	va_list ap;
	char *out;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || !(out = malloc((size_t)n + 1)))
		abort();
	va_start(ap, fmt);
	vsnprintf(out, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return out;
}

/* Create a fresh scratch folder; returns a heap path. */
static inline char *tu_tempdir(void)
{
	char tmpl[] = "/tmp/mgate-unit-XXXXXX";
	char *d = mkdtemp(tmpl);
	return d ? strdup(d) : NULL;
}

/* Write `text` to dir/name, creating intermediate folders one level deep. */
static inline void tu_write(const char *dir, const char *name, const char *text)
{
	const char *slash = strrchr(name, '/');
	char *path;
	FILE *f;

	if (slash) {
		path = tu_printf("%s/%.*s", dir, (int)(slash - name), name);
		mkdir(path, 0755);
		free(path);
	}
	path = tu_printf("%s/%s", dir, name);
	f = fopen(path, "wb");
	free(path);
	if (!f)
		abort();
	fputs(text, f);
	fclose(f);
}

static inline void tu_mkdir(const char *dir, const char *name)
{
	char *path = tu_printf("%s/%s", dir, name);

	mkdir(path, 0755);
	free(path);
}

/* Remove `path` and, when it is a folder, everything in it (links are
 * removed, not followed). */
static inline int tu_remove_tree(const char *path)
{
	struct stat st;
	DIR *d;
	struct dirent *e;
	int rc = 0;

	if (lstat(path, &st) < 0)
		return -1;
	if (!S_ISDIR(st.st_mode))
		return unlink(path);
	if (!(d = opendir(path)))
		return -1;
	while ((e = readdir(d)) != NULL) {
		char *child;
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		child = tu_printf("%s/%s", path, e->d_name);
		rc |= tu_remove_tree(child);
		free(child);
	}
	closedir(d);
	return rmdir(path) | rc;
}

/* Remove a scratch folder made by tu_tempdir, and everything in it. */
static inline void tu_rmrf(const char *dir)
{
	if (!dir || strncmp(dir, "/tmp/mgate-unit-", 16))
		return;
	if (tu_remove_tree(dir) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
}

#endif
