/*
 * strvec.h: an owned, growable array of heap strings, and strlist, its
 * borrowing counterpart.
 */
#ifndef MGATE_STRVEC_H
#define MGATE_STRVEC_H

#include <stddef.h>

typedef struct strvec {
	char **v;
	size_t n;
	size_t alloc;
} strvec;

#define STRVEC_INIT        \
	{                  \
		NULL, 0, 0 \
	}

void strvec_push(strvec *sv, const char *s);
void strvec_push_n(strvec *sv, const char *s, size_t len);
/* Take ownership of `s` (a heap string). */
void strvec_push_owned(strvec *sv, char *s);
/* `sv` as an argv: its entries followed by a NULL that is not counted. */
const char *const *strvec_argv(strvec *sv);
int strvec_index(const strvec *sv, const char *s); /* -1 when absent */
/* Append the non-empty fields of `s` (may be NULL) between any of the
 * bytes in `seps`: "a, b" with ", " gives "a" and "b". */
void strvec_split(strvec *out, const char *s, const char *seps);
/* The same strings, in any order (each vector's strings distinct). */
int strvec_same_set(const strvec *a, const strvec *b);
void strvec_copy(strvec *dst, const strvec *src);
void strvec_release(strvec *sv);

/*
 * strlist: a list of strings it does not own (they live in an arena or
 * in another structure). Its array is heap-owned when grown with
 * strlist_push, or lives with the strings when built elsewhere; only the
 * former is released with strlist_release.
 */
typedef struct strlist {
	const char **v;
	size_t n;
	size_t alloc;
} strlist;

#define STRLIST_INIT       \
	{                  \
		NULL, 0, 0 \
	}

void strlist_push(strlist *sl, const char *s);
int strlist_index(const strlist *sl, const char *s); /* -1 when absent */
void strlist_release(strlist *sl);

/* Pairs of strings, key i with value i: a small table read from settings
 * ("cli.CONTRACT_BRANCH" -> "contract"). */
typedef struct strpairs {
	strvec keys, values;
} strpairs;

#endif
