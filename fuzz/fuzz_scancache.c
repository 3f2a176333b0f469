/*
 * fuzz_scancache.c: libFuzzer target for the scan cache's file format:
 * any bytes must be rejected cleanly or decode without harm.
 *
 * A file whose checksum does not match is rejected before it is read, so
 * the input is given a matching SHA-256 trailer: the fuzzer then explores
 * the format itself. Inputs that already end in one (the corpus) are used
 * as they are too.
 */
#include <stddef.h>
#include <stdint.h>

#include "alembic/scancache.h"
#include "util/sha256.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void parse_one(const unsigned char *data, size_t size)
{
	scancache *c = scancache__new_memory();
	buf out = BUF_INIT;

	if (scancache__parse(c, data, size) == 0) {
		scancache__decode_all(c);
		scancache__serialize(c, &out);
	}
	buf_release(&out);
	scancache_free(c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	buf signed_copy = BUF_INIT;
	unsigned char sum[32];
	sha256_ctx h;

	parse_one(data, size);
	if (sha256_init(&h, NULL) == 0) {
		sha256_update(&h, data, size);
		if (sha256_final(&h, sum, NULL, NULL) == 0) {
			buf_put(&signed_copy, (const char *)data, size);
			buf_put(&signed_copy, (const char *)sum, sizeof(sum));
			parse_one((const unsigned char *)signed_copy.ptr, signed_copy.len);
		}
	}
	buf_release(&signed_copy);
	return 0;
}
