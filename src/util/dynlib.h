/*
 * dynlib.h: load a shared library when a command first needs it.
 *
 * libpq and libgit2 bring some thirty other libraries with them (Kerberos,
 * LDAP, GnuTLS, mbedTLS, libssh2...), which the dynamic loader would map
 * and relocate on every run. mgate loads them only for the commands that
 * use them: PostgreSQL URLs, and the git commands. Each library's
 * functions are a table of pointers filled once per process (pqapi.h,
 * gitapi.h); a missing library is an error naming the Debian package.
 */
#ifndef MGATE_DYNLIB_H
#define MGATE_DYNLIB_H

#include <stddef.h>

#include "error.h"

typedef struct dynlib_sym {
	const char *name;
	void *slot;        /* the address of a function pointer to fill */
} dynlib_sym;

/* One library: its soname, the Debian package that ships it, the
 * symbols to resolve, and whether that was done. */
typedef struct dynlib {
	const char *soname;
	const char *debian_pkg;
	const dynlib_sym *syms;
	size_t nsyms;
	int loaded;
} dynlib;

#define DYNLIB_INIT(soname, pkg, syms) { soname, pkg, syms, sizeof(syms) / sizeof((syms)[0]), 0 }

/*
 * dlopen the library and resolve every symbol into its slot, once per
 * process (later calls return at once). MG_EENV with a message naming the
 * package when the library or a symbol is missing. The library stays
 * loaded. Not for concurrent first calls.
 */
int dynlib_load(dynlib *lib, mg_error *err);

#endif
