/*
 * fuzz_history.c: libFuzzer target for reading the audit log back as a
 * history (gate/history.h): the bytes are a log file, read with and
 * without a window and a database filter, keeping a few events.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "gate/history.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[64];
	history h;
	history_opts o = { NULL, 0, 3 };
	mg_error err = MG_ERROR_INIT;
	FILE *f;

	if (!path[0])
		snprintf(path, sizeof(path), "/tmp/mgate-fuzz-history-%d.jsonl", (int)getpid());
	if (!(f = fopen(path, "w")))
		return 0;
	fwrite(data, 1, size, f);
	fclose(f);
	history_read(&h, path, &o, &err);
	history_release(&h);
	o.database = "sqlite:///x.db";
	o.since = 1700000000;
	o.keep = 0;
	history_read(&h, path, &o, &err);
	history_release(&h);
	mg_error_clear(&err);
	return 0;
}
