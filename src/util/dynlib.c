/*
 * dynlib.c: dlopen and dlsym into tables of function pointers (dynlib.h).
 */
#include "dynlib.h"

#include <dlfcn.h>
#include <string.h>

#include "banned.h"

int dynlib_load(const char *soname, const char *debian_pkg, const dynlib_sym *syms, size_t n, mg_error *err)
{
	void *h = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
	size_t i;

	if (!h)
		return mg_error_set(err, MG_EENV, "cannot load %s: %s; install the Debian package '%s'", soname, dlerror(),
				    debian_pkg);
	for (i = 0; i < n; i++) {
		void *f = dlsym(h, syms[i].name);
		if (!f)
			return mg_error_set(err, MG_EENV, "%s has no '%s'; install the Debian package '%s' in the version "
					    "mgate was built for", soname, syms[i].name, debian_pkg);
		/* POSIX guarantees a data pointer can hold a function's address */
		memcpy(syms[i].slot, &f, sizeof(f));
	}
	return MG_OK;
}
