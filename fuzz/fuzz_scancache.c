/*
 * fuzz_scancache.c: libFuzzer target for the scan cache's file format:
 * any bytes must be rejected cleanly or decode without harm.
 */
#include <stddef.h>
#include <stdint.h>

#include "scancache.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	scancache *c = scancache__new_memory();
	buf out = BUF_INIT;

	if (scancache__parse(c, data, size) == 0) {
		scancache__decode_all(c);
		scancache__serialize(c, &out);
	}
	buf_release(&out);
	scancache_free(c);
	return 0;
}
