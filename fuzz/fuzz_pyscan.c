/*
 * fuzz_pyscan.c: libFuzzer target for the Python tokenizer and the module
 * scanner. Any input must come back as tokens or diagnostics: no crash,
 * no hang, no leak, no undefined behaviour.
 */
#include <stddef.h>
#include <stdint.h>

#include "python/pyscan.h"
#include "python/pytok.h"
#include "util/buf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	pytok_state st;
	pytok t;
	pyscan_module m;
	pyscan_names names = { STRVEC_INIT, STRVEC_INIT };
	size_t guard = 0;

	pytok_init(&st, (const char *)data, size);
	while (pytok_next(&st, &t) == 0 && t.type != PYTOK_ENDMARKER) {
		if (t.type == PYTOK_STRING) {
			buf out = BUF_INIT;
			int fields;
			pyscan_decode_string(&out, t.start, t.len, &fields, (int)(size & 1), NULL);
			buf_release(&out);
		}
		if (++guard > 4 * size + 1000)
			__builtin_trap(); /* the tokenizer must always advance */
	}
	strvec_push(&names.keys, "cli.CONTRACT_BRANCH");
	strvec_push(&names.values, "contract");
	pyscan_source(&m, (const char *)data, size, &names, NULL);
	pyscan_module_release(&m);
	strvec_release(&names.keys);
	strvec_release(&names.values);
	return 0;
}
