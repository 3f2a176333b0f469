/*
 * test_utf8.c: well-formed sequences and the ill-formed ones RFC 3629
 * excludes (overlongs, surrogates, above U+10FFFF, truncated, stray),
 * one sequence at a time and over a whole text.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "util/utf8.h"

static size_t len_of(const char *s)
{
	return utf8_seq_len((const unsigned char *)s, strlen(s) ? strlen(s) : 1);
}

static void test_sequences(void **state)
{
	(void)state;
	assert_int_equal(len_of("a"), 1);
	assert_int_equal(len_of("\xC3\xA9"), 2);                                     /* é */
	assert_int_equal(len_of("\xE2\x82\xAC"), 3);                                 /* € */
	assert_int_equal(len_of("\xF0\x9F\x98\x80"), 4);                             /* U+1F600 */
	assert_int_equal(len_of("\xC0\xAF"), 0);                                     /* overlong '/' */
	assert_int_equal(len_of("\xE0\x80\xAF"), 0);                                 /* overlong, 3 bytes */
	assert_int_equal(len_of("\xED\xA0\x80"), 0);                                 /* UTF-16 surrogate */
	assert_int_equal(len_of("\xF4\x90\x80\x80"), 0);                             /* above U+10FFFF */
	assert_int_equal(len_of("\x80"), 0);                                         /* stray continuation */
	assert_int_equal(len_of("\xE2\x82"), 0);                                     /* truncated */
	assert_int_equal(utf8_seq_len((const unsigned char *)"\xE2\x82\xAC", 2), 0); /* beyond `avail` */
}

/* utf8_valid_prefix the slow way: one sequence after another. */
static size_t prefix_by_sequence(const unsigned char *s, size_t len)
{
	size_t i = 0, n;

	while (i < len && (n = utf8_seq_len(s + i, len - i)))
		i += n;
	return i;
}

/* Every placement of each sequence in a run of ASCII (NULs included),
 * across the eight-byte words the fast path reads, and cut at every
 * length, agrees with the sequence-by-sequence reading. */
static void test_valid_prefix(void **state)
{
	static const char *const seqs[] = { "\xC3\xA9", "\xE2\x82\xAC", "\xF0\x9F\x98\x80", "\xC0\xAF",
					    "\xED\xA0\x80", "\xF4\x90\x80\x80", "\x80", "\xFF", "\xE2\x82" };
	unsigned char text[40];
	size_t k, at, cut;

	(void)state;
	for (k = 0; k < sizeof(seqs) / sizeof(seqs[0]); k++) {
		size_t n = strlen(seqs[k]);
		for (at = 0; at + n <= sizeof(text); at++) {
			memset(text, 'a', sizeof(text));
			text[3] = '\0';
			memcpy(text + at, seqs[k], n);
			for (cut = 0; cut <= sizeof(text); cut++)
				assert_int_equal(utf8_valid_prefix(text, cut), prefix_by_sequence(text, cut));
		}
	}
	memset(text, 'a', sizeof(text));
	assert_int_equal(utf8_valid_prefix(text, sizeof(text)), sizeof(text));
	text[17] = 0x80;
	assert_int_equal(utf8_valid_prefix(text, sizeof(text)), 17);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sequences),
		cmocka_unit_test(test_valid_prefix),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
