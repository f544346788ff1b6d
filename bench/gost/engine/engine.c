/*
 * engine: the reference side of bench/gost. It measures one figure of
 * OpenSSL's gost engine (Debian libengine-gost-openssl) through libcrypto's
 * EVP interface and prints it as a single number on standard output.
 *
 *   engine FIGURE SECONDS
 *
 * FIGURE is one of: streebog256 streebog512 (MB/s, 16 KiB messages),
 * kuznyechik-ctr (MB/s, 16 KiB updates), sign-tc26-256-A verify-tc26-256-A
 * sign-cryptopro-A verify-cryptopro-A sign-tc26-512-A verify-tc26-512-A
 * (operations per second on a random digest).
 *
 * Part of the SEP project's benchmark; built by bench/gost/run with
 * gcc -O2 ... -lcrypto. The project itself stays pure Go.
 */
#define OPENSSL_SUPPRESS_DEPRECATED 1
#include <openssl/engine.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BUF_LEN (16 * 1024)

static void die(const char *what) {
	fprintf(stderr, "engine: %s failed\n", what);
	ERR_print_errors_fp(stderr);
	exit(1);
}

static double now(void) {
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The loops check the clock every `batch` operations and stop once
 * `seconds` have passed; they return operations per second. */

static double digest_rate(const char *name, double seconds) {
	const EVP_MD *md = EVP_get_digestbyname(name);
	if (md == NULL)
		die(name);
	static unsigned char buf[BUF_LEN];
	unsigned char out[EVP_MAX_MD_SIZE];
	unsigned int outlen;
	RAND_bytes(buf, sizeof buf);
	long n = 0;
	double start = now(), t;
	do {
		for (int i = 0; i < 16; i++, n++)
			if (!EVP_Digest(buf, sizeof buf, out, &outlen, md, NULL))
				die("EVP_Digest");
		t = now() - start;
	} while (t < seconds);
	return n * (double)BUF_LEN / t / 1e6;
}

static double ctr_rate(double seconds) {
	const EVP_CIPHER *c = EVP_get_cipherbyname("kuznyechik-ctr");
	if (c == NULL)
		die("kuznyechik-ctr");
	unsigned char key[32], iv[16];
	static unsigned char buf[BUF_LEN], out[BUF_LEN + 16];
	RAND_bytes(key, sizeof key);
	RAND_bytes(iv, sizeof iv);
	RAND_bytes(buf, sizeof buf);
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	if (!EVP_EncryptInit_ex(ctx, c, NULL, key, iv))
		die("EVP_EncryptInit_ex");
	long n = 0;
	int outlen;
	double start = now(), t;
	do {
		for (int i = 0; i < 16; i++, n++)
			if (!EVP_EncryptUpdate(ctx, out, &outlen, buf, sizeof buf))
				die("EVP_EncryptUpdate");
		t = now() - start;
	} while (t < seconds);
	EVP_CIPHER_CTX_free(ctx);
	return n * (double)BUF_LEN / t / 1e6;
}

static EVP_PKEY *keygen(int nid, const char *paramset) {
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_id(nid, NULL);
	EVP_PKEY *key = NULL;
	if (ctx == NULL || EVP_PKEY_keygen_init(ctx) <= 0 ||
	    EVP_PKEY_CTX_ctrl_str(ctx, "paramset", paramset) <= 0 ||
	    EVP_PKEY_keygen(ctx, &key) <= 0)
		die("key generation");
	EVP_PKEY_CTX_free(ctx);
	return key;
}

static double sig_rate(int nid, const char *paramset, size_t dlen, int verify, double seconds) {
	EVP_PKEY *key = keygen(nid, paramset);
	unsigned char digest[64], sig[128];
	size_t siglen = sizeof sig;
	RAND_bytes(digest, sizeof digest);
	EVP_PKEY_CTX *sctx = EVP_PKEY_CTX_new(key, NULL);
	if (sctx == NULL || EVP_PKEY_sign_init(sctx) <= 0 ||
	    EVP_PKEY_sign(sctx, sig, &siglen, digest, dlen) <= 0)
		die("EVP_PKEY_sign");
	EVP_PKEY_CTX *vctx = EVP_PKEY_CTX_new(key, NULL);
	if (vctx == NULL || EVP_PKEY_verify_init(vctx) <= 0 ||
	    EVP_PKEY_verify(vctx, sig, siglen, digest, dlen) != 1)
		die("EVP_PKEY_verify of a fresh signature");
	long n = 0;
	double start = now(), t;
	do {
		for (int i = 0; i < 8; i++, n++) {
			if (verify) {
				if (EVP_PKEY_verify(vctx, sig, siglen, digest, dlen) != 1)
					die("EVP_PKEY_verify");
			} else {
				siglen = sizeof sig;
				if (EVP_PKEY_sign(sctx, sig, &siglen, digest, dlen) <= 0)
					die("EVP_PKEY_sign");
			}
		}
		t = now() - start;
	} while (t < seconds);
	EVP_PKEY_CTX_free(sctx);
	EVP_PKEY_CTX_free(vctx);
	EVP_PKEY_free(key);
	return n / t;
}

int main(int argc, char **argv) {
	if (argc != 3) {
		fprintf(stderr, "usage: engine FIGURE SECONDS\n");
		return 2;
	}
	const char *fig = argv[1];
	double seconds = atof(argv[2]);
	ENGINE_load_builtin_engines();
	ENGINE *e = ENGINE_by_id("gost");
	if (e == NULL || !ENGINE_init(e) || !ENGINE_set_default(e, ENGINE_METHOD_ALL))
		die("loading the gost engine");
	double r;
	if (strcmp(fig, "streebog256") == 0)
		r = digest_rate("md_gost12_256", seconds);
	else if (strcmp(fig, "streebog512") == 0)
		r = digest_rate("md_gost12_512", seconds);
	else if (strcmp(fig, "kuznyechik-ctr") == 0)
		r = ctr_rate(seconds);
	else if (strcmp(fig, "sign-tc26-256-A") == 0)
		r = sig_rate(NID_id_GostR3410_2012_256, "TCA", 32, 0, seconds);
	else if (strcmp(fig, "verify-tc26-256-A") == 0)
		r = sig_rate(NID_id_GostR3410_2012_256, "TCA", 32, 1, seconds);
	else if (strcmp(fig, "sign-cryptopro-A") == 0)
		r = sig_rate(NID_id_GostR3410_2012_256, "A", 32, 0, seconds);
	else if (strcmp(fig, "verify-cryptopro-A") == 0)
		r = sig_rate(NID_id_GostR3410_2012_256, "A", 32, 1, seconds);
	else if (strcmp(fig, "sign-tc26-512-A") == 0)
		r = sig_rate(NID_id_GostR3410_2012_512, "A", 64, 0, seconds);
	else if (strcmp(fig, "verify-tc26-512-A") == 0)
		r = sig_rate(NID_id_GostR3410_2012_512, "A", 64, 1, seconds);
	else {
		fprintf(stderr, "engine: unknown figure %s\n", fig);
		return 2;
	}
	printf("%.3f\n", r);
	ENGINE_finish(e);
	ENGINE_free(e);
	return 0;
}
