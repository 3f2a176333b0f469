/*
 * json.c: shared jansson builders (json.h).
 */
#include "util/json.h"

#include <jansson.h>
#include <stdlib.h>

#include "util/buf.h"
#include "util/utf8.h"
#include "util/banned.h"

void *json_text(const char *s)
{
	buf clean = BUF_INIT;
	const unsigned char *p = (const unsigned char *)s;
	json_t *j;

	if (!s)
		return json_null();
	if ((j = json_string(s)) != NULL)
		return j; /* the common case: already valid UTF-8 */
	while (*p) {
		size_t n = utf8_seq_len(p, 4);
		if (!n) {
			buf_puts(&clean, "\xEF\xBF\xBD");
			p++;
			continue;
		}
		buf_put(&clean, (const char *)p, n);
		p += n;
	}
	j = json_string(clean.ptr);
	if (!j)
		j = json_string("?");
	buf_release(&clean);
	return j;
}

static json_t *strings(const char *const *v, size_t n)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < n; i++)
		json_array_append_new(a, json_text(v[i]));
	return a;
}

void *json_strvec(const strvec *sv)
{
	return strings((const char *const *)sv->v, sv->n);
}

void *json_strlist(const strlist *sl)
{
	return strings(sl->v, sl->n);
}

void *json_findings(const findings *f)
{
	json_t *arr = json_array();
	size_t i;

	for (i = 0; f && i < f->n; i++) {
		const finding *x = &f->v[i];
		json_t *o = json_object();
		json_object_set_new(o, "rule", json_text(x->id));
		json_object_set_new(o, "severity", json_string(finding_severity_name(x->severity)));
		json_object_set_new(o, "revision", json_text(x->revision));
		json_object_set_new(o, "path", json_text(x->path));
		json_object_set_new(o, "line", x->line ? json_integer(x->line) : json_null());
		json_object_set_new(o, "message", json_text(x->message));
		json_array_append_new(arr, o);
	}
	return arr;
}

int json_print(void *v, FILE *out)
{
	char *s = json_dumps((json_t *)v, JSON_INDENT(2) | JSON_PRESERVE_ORDER);

	if (!s)
		return -1;
	fputs(s, out);
	fputc('\n', out);
	free(s);
	return 0;
}
