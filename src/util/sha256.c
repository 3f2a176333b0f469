/*
 * sha256.c: thin wrappers over OpenSSL's EVP digest interface.
 *
 * libcrypto is loaded when the first digest starts (util/dynlib.h): only
 * backups, the gate's checks and `mgate ci` need it, and mapping it cost
 * every command about 1.5 ms at start-up.
 */
#include "sha256.h"

#include <errno.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>

#include "dynlib.h"
#include "banned.h"

#define CRYPTO_FUNCS(X) \
	X(OPENSSL_init_crypto) X(OpenSSL_version) X(EVP_MD_CTX_new) X(EVP_MD_CTX_free) X(EVP_sha256) \
	X(EVP_DigestInit_ex) X(EVP_DigestUpdate) X(EVP_DigestFinal_ex)

static struct {
#define CRYPTO_SLOT(f) __typeof__(f) *f;
	CRYPTO_FUNCS(CRYPTO_SLOT)
#undef CRYPTO_SLOT
} crypto;

static int crypto_load(mg_error *err)
{
#define SYM(f) { #f, &crypto.f },
	static const dynlib_sym syms[] = { CRYPTO_FUNCS(SYM) };
#undef SYM
	static dynlib lib = DYNLIB_INIT(MGATE_LIBCRYPTO_SONAME, "libssl3", syms);

	if (lib.loaded)
		return MG_OK;
	if (dynlib_load(&lib, err) < 0)
		return MG_EENV;
	/* A digest needs none of the system's OpenSSL configuration (engines,
	 * providers): not reading it saves the start-up it costs */
	crypto.OPENSSL_init_crypto(OPENSSL_INIT_NO_LOAD_CONFIG, NULL);
	return MG_OK;
}

const char *sha256_provider(mg_error *err)
{
	return crypto_load(err) < 0 ? NULL : crypto.OpenSSL_version(OPENSSL_VERSION);
}

int sha256_init(sha256_ctx *c, mg_error *err)
{
	EVP_MD_CTX *md;

	c->md = NULL;
	if (crypto_load(err) < 0)
		return MG_EENV;
	md = crypto.EVP_MD_CTX_new();
	c->md = md;
	if (!md || !crypto.EVP_DigestInit_ex(md, crypto.EVP_sha256(), NULL)) {
		crypto.EVP_MD_CTX_free(md);
		c->md = NULL;
		return mg_error_set(err, MG_ERR, "cannot start SHA-256");
	}
	return MG_OK;
}

void sha256_update(sha256_ctx *c, const void *data, size_t len)
{
	if (c->md && len)
		crypto.EVP_DigestUpdate(c->md, data, len);
}

int sha256_final(sha256_ctx *c, unsigned char raw[32], char hex[SHA256_HEX], mg_error *err)
{
	unsigned char d[EVP_MAX_MD_SIZE];
	unsigned int n = 0, i;
	int ok = c->md && crypto.EVP_DigestFinal_ex(c->md, d, &n) && n == 32;

	if (c->md)
		crypto.EVP_MD_CTX_free(c->md);
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
