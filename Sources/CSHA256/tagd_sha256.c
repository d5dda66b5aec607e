/*
 * SHA-256 through OpenSSL's one-block-at-a-time functions (SHA256_Init, _Update, _Final), on a context on the
 * stack: no allocation and no shared state, the same assembly as EVP (SHA-NI where the CPU has it).
 *
 * OpenSSL 3 marks these functions deprecated in favour of EVP, whose contexts live on the heap: in a C loop over
 * short values here, an EVP context copied per hash took 100-104 ns and made one allocation a hash (EVP_Digest,
 * which fetches the algorithm by name, about 190 ns and two); these take 66-72 ns and make none. A hit hashes
 * nine values. They remain in OpenSSL 3's API (Debian builds it with them); the deprecation warning is silenced
 * for this file only. They bypass OpenSSL's providers: a FIPS build would have to go through EVP again.
 */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/sha.h>

#include "CSHA256.h"

int tagd_sha256(const void *data, size_t count, unsigned char *out) {
    SHA256_CTX context;
    return SHA256_Init(&context) == 1 && SHA256_Update(&context, data, count) == 1 &&
           SHA256_Final(out, &context) == 1;
}
