/*
 * sha256.h: SHA-256 (OpenSSL's EVP) of memory and of files, as lowercase hex.
 */
#ifndef MGATE_SHA256_H
#define MGATE_SHA256_H

#include <stddef.h>

#include "util/error.h"

#define SHA256_HEX 65 /* 64 hex digits and a NUL */

/* Incremental use: init, update as often as needed, final. */
typedef struct sha256_ctx {
	void *md; /* EVP_MD_CTX */
} sha256_ctx;

int sha256_init(sha256_ctx *c, mg_error *err);
void sha256_update(sha256_ctx *c, const void *data, size_t len);
/* The digest: raw 32 bytes into `raw` (may be NULL) and hex into `hex` (may be NULL). */
int sha256_final(sha256_ctx *c, unsigned char raw[32], char hex[SHA256_HEX], mg_error *err);

/* OpenSSL's version text. */
const char *sha256_provider(void);

/* The hex digest and size of a whole file. MG_EENV when unreadable. */
int sha256_file(char hex[SHA256_HEX], long long *size, const char *path, mg_error *err);

#endif
