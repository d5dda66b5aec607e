#ifndef TAGD_COPENSSLCRYPTO_H
#define TAGD_COPENSSLCRYPTO_H
/* OpenSSL's libcrypto (Debian's libssl-dev): SHA-256 for user-data hashing, through the EVP interface. */
#include <openssl/evp.h>
#endif
