/*
 * arena.c: chunks of 64 KiB (or one big enough for a large request),
 * linked newest first.
 */
#include "util/arena.h"

#include <stdlib.h>
#include <string.h>

#include "util/error.h"
#include "util/banned.h"

#define ARENA_CHUNK (64u * 1024)
#define ARENA_ALIGN 16u

struct arena_chunk {
	arena_chunk *next;
	size_t used, size;
	_Alignas(16) unsigned char data[];
};

void *arena_alloc(arena *a, size_t n)
{
	arena_chunk *c = a->head;
	size_t need = (n + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
	void *p;

	if (!c || c->size - c->used < need) {
		size_t size = need > ARENA_CHUNK ? need : ARENA_CHUNK;
		c = mg_malloc(sizeof(*c) + size);
		c->used = 0;
		c->size = size;
		c->next = a->head;
		a->head = c;
	}
	p = c->data + c->used;
	c->used += need;
	return p;
}

char *arena_strndup(arena *a, const char *s, size_t n)
{
	char *d = arena_alloc(a, n + 1);
	memcpy(d, s, n);
	d[n] = 0;
	return d;
}

char *arena_strdup(arena *a, const char *s)
{
	return s ? arena_strndup(a, s, strlen(s)) : NULL;
}

const char **arena_strs(arena *a, const char *const *v, size_t n)
{
	const char **out;
	size_t i;

	if (!n)
		return NULL;
	out = arena_alloc(a, n * sizeof(*out));
	for (i = 0; i < n; i++)
		out[i] = arena_strdup(a, v[i]);
	return out;
}

void arena_adopt(arena *into, arena *from)
{
	arena_chunk *last = from->head;

	if (!last)
		return;
	while (last->next)
		last = last->next;
	/* `from`'s newest chunk becomes the one being filled */
	last->next = into->head;
	into->head = from->head;
	from->head = NULL;
}

void arena_reset(arena *a)
{
	arena_chunk *keep = NULL, *c = a->head;

	/* Keep the last (oldest) standard-size chunk. */
	while (c) {
		arena_chunk *next = c->next;
		if (!keep && c->size == ARENA_CHUNK) {
			keep = c;
			keep->used = 0;
		} else {
			free(c);
		}
		c = next;
	}
	if (keep)
		keep->next = NULL;
	a->head = keep;
}

void arena_release(arena *a)
{
	arena_chunk *c = a->head;

	while (c) {
		arena_chunk *next = c->next;
		free(c);
		c = next;
	}
	a->head = NULL;
}
