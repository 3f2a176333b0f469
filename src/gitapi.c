/*
 * gitapi.c: the libgit2 function table (gitapi.h).
 */
#include "gitapi.h"

#include "util/dynlib.h"
#include "util/banned.h"

git_api mg_git;

int gitapi_load(mg_error *err)
{
	static int loaded;
	static const dynlib_sym syms[] = {
#define GITAPI_SYM(f) { #f, &mg_git.f },
		GITAPI_FUNCS(GITAPI_SYM)
#undef GITAPI_SYM
	};
	int rc;

	if (loaded)
		return MG_OK;
	if ((rc = dynlib_load(MGATE_LIBGIT2_SONAME, "libgit2-1.5", syms, sizeof(syms) / sizeof(syms[0]), err)) == MG_OK)
		loaded = 1;
	return rc;
}
