#ifndef TINYBUG_COPENSSL_SHIM_H
#define TINYBUG_COPENSSL_SHIM_H
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>
#endif
