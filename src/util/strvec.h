/*
 * strvec.h: an owned, growable array of heap strings.
 */
#ifndef MGATE_STRVEC_H
#define MGATE_STRVEC_H

#include <stddef.h>

typedef struct strvec {
	char **v;
	size_t n;
	size_t alloc;
} strvec;

#define STRVEC_INIT { NULL, 0, 0 }

void strvec_push(strvec *sv, const char *s);
void strvec_push_n(strvec *sv, const char *s, size_t len);
/* Take ownership of `s` (a heap string). */
void strvec_push_owned(strvec *sv, char *s);
int strvec_index(const strvec *sv, const char *s); /* -1 when absent */
/* Append the non-empty fields of `s` (may be NULL) between any of the
 * bytes in `seps`: "a, b" with ", " gives "a" and "b". */
void strvec_split(strvec *out, const char *s, const char *seps);
/* The same strings, in any order (each vector's strings distinct). */
int strvec_same_set(const strvec *a, const strvec *b);
void strvec_copy(strvec *dst, const strvec *src);
void strvec_release(strvec *sv);

#endif
