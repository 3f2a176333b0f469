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

/*
 * dlopen `soname` and resolve every symbol of `syms` into its slot.
 * MG_EENV with a message naming `debian_pkg` when the library or a symbol
 * is missing. The library stays loaded.
 */
int dynlib_load(const char *soname, const char *debian_pkg, const dynlib_sym *syms, size_t n, mg_error *err);

#endif
