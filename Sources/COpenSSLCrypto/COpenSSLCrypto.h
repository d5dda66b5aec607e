#ifndef TAGD_COPENSSLCRYPTO_H
#define TAGD_COPENSSLCRYPTO_H
/* OpenSSL's libcrypto (Debian's libssl-dev), for SHA-256 (CSHA256). */
#include <openssl/evp.h>
#endif
