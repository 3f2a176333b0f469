/*
 * dynlib.c: dlopen and dlsym into tables of function pointers (dynlib.h).
 */
#include "dynlib.h"

#include <dlfcn.h>
#include <string.h>

#include "banned.h"

int dynlib_load(dynlib *lib, mg_error *err)
{
	void *h;
	size_t i;

	if (lib->loaded)
		return MG_OK;
	if (!(h = dlopen(lib->soname, RTLD_NOW | RTLD_LOCAL)))
		return mg_error_set(err, MG_EENV, "cannot load %s: %s; install the Debian package '%s'", lib->soname,
				    dlerror(), lib->debian_pkg);
	for (i = 0; i < lib->nsyms; i++) {
		void *f = dlsym(h, lib->syms[i].name);
		if (!f)
			return mg_error_set(err, MG_EENV, "%s has no '%s'; install the Debian package '%s' in the version "
					    "mgate was built for", lib->soname, lib->syms[i].name, lib->debian_pkg);
		/* POSIX guarantees a data pointer can hold a function's address */
		memcpy(lib->syms[i].slot, &f, sizeof(f));
	}
	lib->loaded = 1;
	return MG_OK;
}
