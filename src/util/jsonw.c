/*
 * jsonw.c: the streaming JSON writer (jsonw.h).
 */
#include "util/jsonw.h"

#include <string.h>

#include "util/utf8.h"
#include "util/banned.h"

void jsonw_init(jsonw *w, FILE *f)
{
	w->f = f;
	w->len = 0;
	w->failed = 0;
	w->depth = 0;
	w->after_key = 0;
}

static void flush_out(jsonw *w)
{
	if (w->len && fwrite(w->out, 1, w->len, w->f) != w->len)
		w->failed = 1;
	w->len = 0;
}

static void put(jsonw *w, const void *p, size_t n)
{
	if (w->len + n > sizeof(w->out)) {
		flush_out(w);
		if (n > sizeof(w->out)) {
			if (fwrite(p, 1, n, w->f) != n)
				w->failed = 1;
			return;
		}
	}
	memcpy(w->out + w->len, p, n);
	w->len += n;
}

static void putch(jsonw *w, char c)
{
	if (w->len == sizeof(w->out))
		flush_out(w);
	w->out[w->len++] = c;
}

static void puts_(jsonw *w, const char *s)
{
	put(w, s, strlen(s));
}

/* A new line at `depth` (never above JSONW_MAX_DEPTH: open_level stops there). */
static void indent(jsonw *w, int depth)
{
	static const char spaces[] = "\n                                                                ";

	put(w, spaces, 1 + 2 * (size_t)depth);
}

/* Before a value or a key: the separator and the new line it goes on. */
static void item(jsonw *w)
{
	if (w->after_key) {
		w->after_key = 0;
		return;
	}
	if (!w->depth)
		return;
	if (!w->empty[w->depth - 1])
		putch(w, ',');
	w->empty[w->depth - 1] = 0;
	indent(w, w->depth);
}

static void open_level(jsonw *w, char c)
{
	item(w);
	putch(w, c);
	if (w->depth == JSONW_MAX_DEPTH) {
		w->failed = 1; /* deeper than any document mgate writes */
		return;
	}
	w->empty[w->depth++] = 1;
}

static void close_level(jsonw *w, char c)
{
	if (!w->depth) {
		w->failed = 1;
		return;
	}
	w->depth--;
	if (!w->empty[w->depth])
		indent(w, w->depth);
	putch(w, (char)c);
}

void jsonw_object_begin(jsonw *w)
{
	open_level(w, '{');
}

void jsonw_object_end(jsonw *w)
{
	close_level(w, '}');
}

void jsonw_array_begin(jsonw *w)
{
	open_level(w, '[');
}

void jsonw_array_end(jsonw *w)
{
	close_level(w, ']');
}

/* Bytes that go out as they are: printable ASCII but the quote and the
 * backslash (0 here); everything else, the NUL that ends a string
 * included, needs a look (1). */
static const unsigned char special[256] = {
	[0 ... 0x1f] = 1,
	['"'] = 1,
	['\\'] = 1,
	[0x80 ... 0xff] = 1,
};

static void quoted(jsonw *w, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	putch(w, '"');
	for (;;) {
		const unsigned char *run = p;
		size_t n;
		unsigned char c;
		while (!special[*p])
			p++;
		if (p > run)
			put(w, run, (size_t)(p - run));
		if (!(c = *p))
			break;
		if (!(n = utf8_seq_len(p, strnlen((const char *)p, 4)))) {
			puts_(w, "\xef\xbf\xbd"); /* U+FFFD for the bad byte */
			n = 1;
		} else if (c == '"' || c == '\\') {
			putch(w, '\\');
			putch(w, (char)c);
		} else if (c < 0x20) {
			switch (c) {
			case '\b': puts_(w, "\\b"); break;
			case '\f': puts_(w, "\\f"); break;
			case '\n': puts_(w, "\\n"); break;
			case '\r': puts_(w, "\\r"); break;
			case '\t': puts_(w, "\\t"); break;
			default: {
				char hex[8];
				snprintf(hex, sizeof(hex), "\\u%04X", c);
				puts_(w, hex);
				break;
			}
			}
		} else {
			put(w, p, n); /* one well-formed multi-byte character */
		}
		p += n;
	}
	putch(w, '"');
}

void jsonw_key(jsonw *w, const char *key)
{
	item(w);
	quoted(w, key);
	put(w, ": ", 2);
	w->after_key = 1;
}

void jsonw_string(jsonw *w, const char *s)
{
	if (!s) {
		jsonw_null(w);
		return;
	}
	item(w);
	quoted(w, s);
}

void jsonw_int(jsonw *w, long long v)
{
	char num[24];

	item(w);
	snprintf(num, sizeof(num), "%lld", v);
	puts_(w, num);
}

void jsonw_bool(jsonw *w, int v)
{
	item(w);
	puts_(w, v ? "true" : "false");
}

void jsonw_null(jsonw *w)
{
	item(w);
	puts_(w, "null");
}

void jsonw_kv_string(jsonw *w, const char *key, const char *s)
{
	jsonw_key(w, key);
	jsonw_string(w, s);
}

void jsonw_kv_bool(jsonw *w, const char *key, int v)
{
	jsonw_key(w, key);
	jsonw_bool(w, v);
}

int jsonw_finish(jsonw *w)
{
	putch(w, '\n');
	flush_out(w);
	return w->failed || ferror(w->f) || w->depth ? -1 : 0;
}
