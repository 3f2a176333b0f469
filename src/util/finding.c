/*
 * finding.c: the findings list.
 */
#include "util/finding.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/error.h"
#include "util/banned.h"

static finding *next_slot(findings *f)
{
	if (f->n == f->alloc) {
		f->alloc = f->alloc ? f->alloc * 2 : 8;
		f->v = mg_realloc(f->v, f->alloc * sizeof(*f->v));
	}
	return &f->v[f->n++];
}

void findings_add(findings *f, const char *id, finding_severity sev, const char *path, int line,
		  const char *revision, const char *fmt, ...)
{
	buf msg = BUF_INIT;
	va_list ap;
	finding *x;

	va_start(ap, fmt);
	buf_vprintf(&msg, fmt, ap);
	va_end(ap);
	x = next_slot(f);
	x->id = mg_strdup(id);
	x->severity = sev;
	x->path = path ? mg_strdup(path) : NULL;
	x->line = line;
	x->revision = revision ? mg_strdup(revision) : NULL;
	x->message = buf_detach(&msg);
	x->col = -1;
	x->why = x->fix = x->source = x->suppressed = x->table = NULL;
}

void findings_add_copy(findings *f, const finding *x)
{
	finding *y;

	findings_add(f, x->id, x->severity, x->path, x->line, x->revision, "%s", x->message);
	y = findings_last(f);
	y->col = x->col;
	y->why = x->why ? mg_strdup(x->why) : NULL;
	y->fix = x->fix ? mg_strdup(x->fix) : NULL;
	y->source = x->source ? mg_strdup(x->source) : NULL;
	y->suppressed = x->suppressed ? mg_strdup(x->suppressed) : NULL;
	y->table = x->table ? mg_strdup(x->table) : NULL;
}

finding *findings_last(findings *f)
{
	return f->n ? &f->v[f->n - 1] : NULL;
}

size_t findings_count_active(const findings *f, finding_severity sev)
{
	size_t i, n = 0;

	for (i = 0; i < f->n; i++)
		if (f->v[i].severity == sev && !f->v[i].suppressed)
			n++;
	return n;
}

void findings_move(findings *dst, findings *src)
{
	size_t i;

	for (i = 0; i < src->n; i++)
		*next_slot(dst) = src->v[i];
	free(src->v);
	memset(src, 0, sizeof(*src));
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

void finding_release(finding *x)
{
	if (!x)
		return;
	free(x->id);
	free(x->path);
	free(x->revision);
	free(x->why);
	free(x->fix);
	free(x->source);
	free(x->suppressed);
	free(x->table);
	free(x->message);
	memset(x, 0, sizeof(*x));
}

void findings_release(findings *f)
{
	size_t i;

	if (!f)
		return;
	for (i = 0; i < f->n; i++)
		finding_release(&f->v[i]);
	free(f->v);
	memset(f, 0, sizeof(*f));
}
