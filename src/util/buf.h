/*
 * buf.h: a growable byte buffer with invariants, for every string mgate
 * builds.
 *
 * Invariants: `ptr` is never NULL and always NUL-terminated at `len`, so a
 * buffer can be printed at any time; BUF_INIT needs no allocation. Bytes
 * may include NULs (len is authoritative).
 */
#ifndef MGATE_BUF_H
#define MGATE_BUF_H

#include <stdarg.h>
#include <stddef.h>

typedef struct buf {
	char *ptr;
	size_t len;
	size_t alloc; /* 0 while ptr points at the shared empty string */
} buf;

extern char buf__empty[1];
#define BUF_INIT                 \
	{                        \
		buf__empty, 0, 0 \
	}

void buf_init(buf *b);
void buf_grow(buf *b, size_t extra);
void buf_put(buf *b, const char *data, size_t n);
void buf_puts(buf *b, const char *s);
/* The `n` strings of `v` with `sep` between them. */
void buf_join(buf *b, const char *const *v, size_t n, const char *sep);
void buf_putc(buf *b, char c);
void buf_printf(buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_vprintf(buf *b, const char *fmt, va_list ap);
void buf_truncate(buf *b, size_t len);
/* Append `s` as one SQL identifier: double-quoted, quotes doubled. */
void buf_put_sql_ident(buf *b, const char *s);
/* Append `s` with JSON/C-style escaping of control bytes and quotes. */
void buf_put_quoted(buf *b, const char *s);
/* Hand the heap string to the caller (who frees it) and reset the buffer. */
char *buf_detach(buf *b);
void buf_release(buf *b);

#endif
