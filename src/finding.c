/*
 * finding.c: the findings list.
 */
#include "finding.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/error.h"
#include "util/banned.h"

void findings_add(findings *f, const char *id, finding_severity sev, const char *path, int line,
		  const char *revision, const char *fmt, ...)
{
	buf msg = BUF_INIT;
	va_list ap;
	finding *x;

	va_start(ap, fmt);
	buf_vprintf(&msg, fmt, ap);
	va_end(ap);
	if (f->n == f->alloc) {
		f->alloc = f->alloc ? f->alloc * 2 : 8;
		f->v = mg_realloc(f->v, f->alloc * sizeof(*f->v));
	}
	x = &f->v[f->n++];
	x->id = mg_strdup(id);
	x->severity = sev;
	x->path = path ? mg_strdup(path) : NULL;
	x->line = line;
	x->revision = revision ? mg_strdup(revision) : NULL;
	x->message = buf_detach(&msg);
}

size_t findings_count(const findings *f, finding_severity sev)
{
	size_t i, n = 0;

	for (i = 0; i < f->n; i++)
		if (f->v[i].severity == sev)
			n++;
	return n;
}

const char *finding_severity_name(finding_severity s)
{
	switch (s) {
	case SEV_ERROR: return "error";
	case SEV_WARNING: return "warning";
	default: return "info";
	}
}

void findings_release(findings *f)
{
	size_t i;

	if (!f)
		return;
	for (i = 0; i < f->n; i++) {
		free(f->v[i].id);
		free(f->v[i].path);
		free(f->v[i].revision);
		free(f->v[i].message);
	}
	free(f->v);
	memset(f, 0, sizeof(*f));
}
