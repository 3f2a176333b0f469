/*
 * strmap.c: open-addressing string map (FNV-1a hash, linear probing).
 */
#include "util/strmap.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/error.h"
#include "util/banned.h"

static uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	while (*s) {
		h ^= (unsigned char)*s++;
		h *= 1099511628211ULL;
	}
	return h;
}

static void rehash(strmap *m, size_t cap)
{
	const char **oldk = m->keys;
	int *oldv = m->vals;
	size_t oldcap = m->cap, i;

	m->keys = mg_calloc(cap, sizeof(*m->keys));
	m->vals = mg_calloc(cap, sizeof(*m->vals));
	m->cap = cap;
	m->n = 0;
	for (i = 0; i < oldcap; i++)
		if (oldk[i])
			strmap_put(m, oldk[i], oldv[i]);
	free(oldk);
	free(oldv);
}

void strmap_reserve(strmap *m, size_t n)
{
	size_t cap = m->cap ? m->cap : 64;

	while ((n + 1) * 2 > cap)
		cap *= 2;
	if (cap != m->cap)
		rehash(m, cap);
}

void strmap_put(strmap *m, const char *key, int val)
{
	size_t i;

	if ((m->n + 1) * 2 > m->cap)
		rehash(m, m->cap ? m->cap * 2 : 64);
	i = (size_t)(hash_str(key) & (m->cap - 1));
	while (m->keys[i]) {
		if (!strcmp(m->keys[i], key)) {
			m->vals[i] = val;
			return;
		}
		i = (i + 1) & (m->cap - 1);
	}
	m->keys[i] = key;
	m->vals[i] = val;
	m->n++;
}

int strmap_get(const strmap *m, const char *key)
{
	size_t i;

	if (!m->cap)
		return -1;
	i = (size_t)(hash_str(key) & (m->cap - 1));
	while (m->keys[i]) {
		if (!strcmp(m->keys[i], key))
			return m->vals[i];
		i = (i + 1) & (m->cap - 1);
	}
	return -1;
}

void strmap_release(strmap *m)
{
	free(m->keys);
	free(m->vals);
	memset(m, 0, sizeof(*m));
}
