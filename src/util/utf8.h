/*
 * utf8.h: recognizing well-formed UTF-8, one sequence or a whole text.
 */
#ifndef MGATE_UTF8_H
#define MGATE_UTF8_H

#include <stddef.h>

/*
 * The length (1 to 4) of the well-formed UTF-8 sequence at `p`, looking at
 * no more than `avail` bytes, or 0 when it is not one: a stray
 * continuation byte, a truncated sequence, an overlong form, a UTF-16
 * surrogate, or a code point above U+10FFFF. Reading stops at the first
 * byte that does not continue the sequence, so a NUL-terminated string is
 * never read past its end.
 */
size_t utf8_seq_len(const unsigned char *p, size_t avail);

/* Offset of the first byte of `s` that does not begin a well-formed
 * sequence (as utf8_seq_len judges it), or `len` when all `len` are
 * well-formed. */
size_t utf8_valid_prefix(const unsigned char *s, size_t len);

#endif
