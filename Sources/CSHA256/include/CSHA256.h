#ifndef TAGD_CSHA256_H
#define TAGD_CSHA256_H
#include <stddef.h>

/* SHA-256 of `count` bytes at `data` into `out` (32 bytes), by OpenSSL; 1 on success. Allocates nothing; any
 * thread may call it. */
int tagd_sha256(const void *data, size_t count, unsigned char *out);

#endif
