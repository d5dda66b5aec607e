#ifndef TAGD_COPENSSLCRYPTO_H
#define TAGD_COPENSSLCRYPTO_H
/* OpenSSL's libcrypto (Debian's libssl-dev): SHA-256 for user-data hashing, through the EVP interface. */
#include <openssl/evp.h>

/* SHA-256 of `count` bytes into `out` (32 bytes); 1 on success, 0 when OpenSSL fails (out of memory).
 *
 * Each thread keeps a context initialized once and copies it for every hash: in a C loop over short values
 * here, EVP_Digest (two objects made and freed per hash) took about 190 ns, a copied context about 110 (one
 * allocation, inside OpenSSL). The two contexts of a thread live as long as the thread (a server's do). */
static inline int tagd_sha256(const EVP_MD *md, const void *data, size_t count, unsigned char *out) {
    static _Thread_local EVP_MD_CTX *initialized = NULL, *work = NULL;
    if (initialized == NULL) {
        EVP_MD_CTX *fresh = EVP_MD_CTX_new();
        if (fresh == NULL || EVP_DigestInit_ex2(fresh, md, NULL) != 1) {
            EVP_MD_CTX_free(fresh);
            return 0;
        }
        initialized = fresh;
    }
    if (work == NULL && (work = EVP_MD_CTX_new()) == NULL) return 0;
    unsigned int length = 0;
    return EVP_MD_CTX_copy_ex(work, initialized) == 1 && EVP_DigestUpdate(work, data, count) == 1 &&
           EVP_DigestFinal_ex(work, out, &length) == 1 && length == 32;
}
#endif
