/*
 * strvec.c: owned array of heap strings.
 */
#include "util/strvec.h"

#include <stdlib.h>
#include <string.h>

#include "util/error.h"
#include "util/banned.h"

void strvec_push_owned(strvec *sv, char *s)
{
	if (sv->n == sv->alloc) {
		sv->alloc = sv->alloc ? sv->alloc * 2 : 4;
		sv->v = mg_realloc(sv->v, sv->alloc * sizeof(*sv->v));
	}
	sv->v[sv->n++] = s;
}

const char *const *strvec_argv(strvec *sv)
{
	strvec_push_owned(sv, NULL);
	sv->n--;
	return (const char *const *)sv->v;
}

void strvec_push(strvec *sv, const char *s)
{
	strvec_push_owned(sv, mg_strdup(s));
}

void strvec_push_n(strvec *sv, const char *s, size_t len)
{
	strvec_push_owned(sv, mg_strndup(s, len));
}

int strvec_index(const strvec *sv, const char *s)
{
	size_t i;

	for (i = 0; i < sv->n; i++)
		if (strcmp(sv->v[i], s) == 0)
			return (int)i;
	return -1;
}

void strvec_split(strvec *out, const char *s, const char *seps)
{
	while (s && *s) {
		size_t n;
		s += strspn(s, seps);
		n = strcspn(s, seps);
		if (n)
			strvec_push_n(out, s, n);
		s += n;
	}
}

int strvec_same_set(const strvec *a, const strvec *b)
{
	size_t i;

	if (a->n != b->n)
		return 0;
	for (i = 0; i < a->n; i++)
		if (strvec_index(b, a->v[i]) < 0)
			return 0;
	return 1;
}

void strvec_copy(strvec *dst, const strvec *src)
{
	size_t i;

	for (i = 0; i < src->n; i++)
		strvec_push(dst, src->v[i]);
}

void strvec_release(strvec *sv)
{
	size_t i;

	for (i = 0; i < sv->n; i++)
		free(sv->v[i]);
	free(sv->v);
	sv->v = NULL;
	sv->n = sv->alloc = 0;
}

void strlist_push(strlist *sl, const char *s)
{
	if (sl->n == sl->alloc) {
		sl->alloc = sl->alloc ? sl->alloc * 2 : 4;
		sl->v = mg_realloc(sl->v, sl->alloc * sizeof(*sl->v));
	}
	sl->v[sl->n++] = s;
}

int strlist_index(const strlist *sl, const char *s)
{
	size_t i;

	for (i = 0; i < sl->n; i++)
		if (strcmp(sl->v[i], s) == 0)
			return (int)i;
	return -1;
}

void strlist_release(strlist *sl)
{
	free(sl->v);
	memset(sl, 0, sizeof(*sl));
}
