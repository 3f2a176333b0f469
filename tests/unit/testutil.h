/*
 * testutil.h: helpers shared by the unit tests: scratch folders and files.
 */
#ifndef MGATE_TESTUTIL_H
#define MGATE_TESTUTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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
	char path[4096];
	FILE *f;
	const char *slash = strrchr(name, '/');

	if (slash) {
		snprintf(path, sizeof(path), "%s/%.*s", dir, (int)(slash - name), name);
		mkdir(path, 0755);
	}
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f)
		abort();
	fputs(text, f);
	fclose(f);
}

static inline void tu_mkdir(const char *dir, const char *name)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	mkdir(path, 0755);
}

static inline void tu_rmrf(const char *dir)
{
	char cmd[4200];
	if (!dir || strncmp(dir, "/tmp/mgate-unit-", 16))
		return;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
}

#endif
