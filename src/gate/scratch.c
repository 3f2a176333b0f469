/*
 * scratch.c: throw-away databases (scratch.h), made and dropped by the
 * adapters.
 */
#include "gate/scratch.h"

#include <string.h>

#include "util/banned.h"

int scratch_create(scratch *s, const char *source_url, const char *prefix, const char *id, mg_error *err)
{
	int rc;

	memset(s, 0, sizeof(*s));
	buf_init(&s->name);
	buf_init(&s->url);
	buf_init(&s->redacted);
	buf_printf(&s->name, "%s_%s", prefix, id);
	if ((rc = dburl_parse(&s->u, source_url, err)) < 0)
		return rc;
	s->parsed = 1;
	if ((rc = db_ops_for(&s->u)->scratch_create(&s->u, s->name.ptr, &s->url, err)) < 0)
		return rc;
	s->made = 1;
	dburl_redact(&s->redacted, s->url.ptr);
	return MG_OK;
}

void scratch_release(scratch *s, int keep)
{
	if (s->made && !keep)
		db_ops_for(&s->u)->scratch_drop(&s->u, s->name.ptr);
	if (s->parsed)
		dburl_release(&s->u);
	buf_release(&s->name);
	buf_release(&s->url);
	buf_release(&s->redacted);
	memset(s, 0, sizeof(*s));
}
