/*
 * arena.h: a bump allocator for short-lived objects that die together.
 *
 * Linting a revision makes thousands of small strings (facts, names) that
 * all live exactly as long as that revision's run; the loaded scripts of a
 * project all live as long as the project. An arena hands them out from
 * large chunks and frees them at once: arena_reset keeps the first chunk
 * for the next run, so steady state costs no malloc at all.
 */
#ifndef MGATE_ARENA_H
#define MGATE_ARENA_H

#include <stddef.h>

typedef struct arena_chunk arena_chunk;

typedef struct arena {
	arena_chunk *head; /* the chunk being filled; older ones follow */
} arena;

#define ARENA_INIT   \
	{            \
		NULL \
	}

/* `n` bytes aligned for any type; never NULL (aborts when out of memory). */
void *arena_alloc(arena *a, size_t n);
/* A copy of `s` (NULL stays NULL). */
char *arena_strdup(arena *a, const char *s);
char *arena_strndup(arena *a, const char *s, size_t n);
/* An array of copies of the `n` strings of `v` (NULL when n is 0). */
const char **arena_strs(arena *a, const char *const *v, size_t n);
/* Move every allocation of `from` into `into` (they now live and die
 * with it); `from` is left empty. */
void arena_adopt(arena *into, arena *from);
/* Forget every allocation, keeping one chunk for reuse. */
void arena_reset(arena *a);
void arena_release(arena *a);

#endif
