/*
 * strmap.h: a string -> int hash map with open addressing. Keys are
 * borrowed, not copied: they must outlive the map.
 */
#ifndef MGATE_STRMAP_H
#define MGATE_STRMAP_H

#include <stddef.h>

typedef struct strmap {
	const char **keys;
	int *vals;
	size_t cap, n;
} strmap;

#define STRMAP_INIT              \
	{                        \
		NULL, NULL, 0, 0 \
	}

/* Room for `n` keys in all without growing again. */
void strmap_reserve(strmap *m, size_t n);
/* Insert or replace. */
void strmap_put(strmap *m, const char *key, int val);
/* The value for key, or -1. */
int strmap_get(const strmap *m, const char *key);
void strmap_release(strmap *m);

#endif
