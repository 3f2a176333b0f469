/*
 * gitapi.c: the libgit2 function table (gitapi.h).
 */
#include "gitapi.h"

#include "util/dynlib.h"
#include "util/banned.h"

git_api mg_git;

int gitapi_load(mg_error *err)
{
#define SYM(f) { #f, &mg_git.f },
	static const dynlib_sym syms[] = { GITAPI_FUNCS(SYM) };
#undef SYM
	static dynlib lib = DYNLIB_INIT(MGATE_LIBGIT2_SONAME, "libgit2-1.5", syms);

	return dynlib_load(&lib, err);
}
