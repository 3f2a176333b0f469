/*
 * test_utf8.c: well-formed sequences and the ill-formed ones RFC 3629
 * excludes (overlongs, surrogates, above U+10FFFF, truncated, stray).
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
	assert_int_equal(len_of("\xC3\xA9"), 2);         /* é */
	assert_int_equal(len_of("\xE2\x82\xAC"), 3);     /* € */
	assert_int_equal(len_of("\xF0\x9F\x98\x80"), 4); /* U+1F600 */
	assert_int_equal(len_of("\xC0\xAF"), 0);         /* overlong '/' */
	assert_int_equal(len_of("\xE0\x80\xAF"), 0);     /* overlong, 3 bytes */
	assert_int_equal(len_of("\xED\xA0\x80"), 0);     /* UTF-16 surrogate */
	assert_int_equal(len_of("\xF4\x90\x80\x80"), 0); /* above U+10FFFF */
	assert_int_equal(len_of("\x80"), 0);             /* stray continuation */
	assert_int_equal(len_of("\xE2\x82"), 0);         /* truncated */
	assert_int_equal(utf8_seq_len((const unsigned char *)"\xE2\x82\xAC", 2), 0); /* beyond `avail` */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sequences),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
