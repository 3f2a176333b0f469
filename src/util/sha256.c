/*
 * sha256.c: thin wrappers over OpenSSL's EVP digest interface.
 */
#include "util/sha256.h"

#include <errno.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>

#include "util/banned.h"

const char *sha256_provider(void)
{
	return OpenSSL_version(OPENSSL_VERSION);
}

int sha256_init(sha256_ctx *c, mg_error *err)
{
	EVP_MD_CTX *md;

	c->md = NULL;
	md = EVP_MD_CTX_new();
	c->md = md;
	if (!md || !EVP_DigestInit_ex(md, EVP_sha256(), NULL)) {
		EVP_MD_CTX_free(md);
		c->md = NULL;
		return mg_error_set(err, MG_ERR, "cannot start SHA-256");
	}
	return MG_OK;
}

void sha256_update(sha256_ctx *c, const void *data, size_t len)
{
	if (c->md && len)
		EVP_DigestUpdate(c->md, data, len);
}

int sha256_final(sha256_ctx *c, unsigned char raw[32], char hex[SHA256_HEX], mg_error *err)
{
	unsigned char d[EVP_MAX_MD_SIZE];
	unsigned int n = 0, i;
	int ok = c->md && EVP_DigestFinal_ex(c->md, d, &n) && n == 32;

	if (c->md)
		EVP_MD_CTX_free(c->md);
	c->md = NULL;
	if (!ok)
		return mg_error_set(err, MG_ERR, "cannot compute SHA-256");
	if (raw)
		memcpy(raw, d, 32);
	if (hex) {
		static const char digits[] = "0123456789abcdef";
		for (i = 0; i < 32; i++) {
			hex[2 * i] = digits[d[i] >> 4];
			hex[2 * i + 1] = digits[d[i] & 15];
		}
		hex[64] = 0;
	}
	return MG_OK;
}

int sha256_file(char hex[SHA256_HEX], long long *size, const char *path, mg_error *err)
{
	FILE *f = fopen(path, "rb");
	sha256_ctx c;
	char chunk[65536];
	size_t got;
	long long total = 0;
	int rc;

	if (!f)
		return mg_error_set(err, MG_EENV, "cannot read '%s': %s", path, strerror(errno));
	if ((rc = sha256_init(&c, err)) < 0) {
		fclose(f);
		return rc;
	}
	while ((got = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		sha256_update(&c, chunk, got);
		total += (long long)got;
	}
	if (ferror(f)) {
		fclose(f);
		sha256_final(&c, NULL, NULL, err);
		return mg_error_set(err, MG_EENV, "cannot read '%s'", path);
	}
	fclose(f);
	if (size)
		*size = total;
	return sha256_final(&c, NULL, hex, err);
}
