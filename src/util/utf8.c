/*
 * utf8.c: UTF-8 well-formedness (utf8.h), as RFC 3629 defines it.
 */
#include "util/utf8.h"

#include <stdint.h>
#include <string.h>

#include "util/banned.h"

size_t utf8_seq_len(const unsigned char *p, size_t avail)
{
	size_t need, k;
	unsigned long cp;

	if (!avail)
		return 0;
	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xC2 && p[0] <= 0xDF)
		need = 1, cp = p[0] & 0x1F;
	else if (p[0] >= 0xE0 && p[0] <= 0xEF)
		need = 2, cp = p[0] & 0x0F;
	else if (p[0] >= 0xF0 && p[0] <= 0xF4)
		need = 3, cp = p[0] & 0x07;
	else
		return 0;
	for (k = 1; k <= need; k++) {
		if (k >= avail || (p[k] & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[k] & 0x3F);
	}
	if ((need == 2 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) || (need == 3 && (cp < 0x10000 || cp > 0x10FFFF)))
		return 0;
	return need + 1;
}

size_t utf8_valid_prefix(const unsigned char *s, size_t len)
{
	const uint64_t high = 0x8080808080808080ull;
	size_t i = 0, n;
	uint64_t word;

	while (i < len) {
		/* ASCII, the usual case, eight bytes at a time */
		if (len - i >= 8) {
			memcpy(&word, s + i, 8);
			if (!(word & high)) {
				i += 8;
				continue;
			}
		}
		if (!(n = utf8_seq_len(s + i, len - i)))
			return i;
		i += n;
	}
	return len;
}
