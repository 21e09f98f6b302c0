#ifndef TINYBUG_COPENSSL_SHIM_H
#define TINYBUG_COPENSSL_SHIM_H
#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/sha.h>

/* EVP_RSA_gen is a function-like macro, which Swift cannot call. */
static inline EVP_PKEY *tinybug_rsa_generate(unsigned int bits) { return EVP_RSA_gen(bits); }
#endif
