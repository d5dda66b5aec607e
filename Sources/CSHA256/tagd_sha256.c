/*
 * SHA-256 through OpenSSL's EVP interface, with a context per thread.
 *
 * Each thread keeps a context initialized once and copies it for every hash: in a C loop over short values here,
 * EVP_Digest (the algorithm fetched by name and two objects made per hash) took about 190 ns, a copied context
 * about 110 (one allocation, inside OpenSSL). A thread's contexts are freed when it exits, by the destructor of a
 * thread-specific key.
 */
#include <openssl/evp.h>
#include <pthread.h>

#include "CSHA256.h"

typedef struct sha256_state {
    EVP_MD_CTX *initialized;
    EVP_MD_CTX *work;
} sha256_state;

static pthread_key_t state_key;
static int state_key_made = 0;
static pthread_once_t state_key_once = PTHREAD_ONCE_INIT;
static _Thread_local sha256_state *thread_state = NULL;

static void free_state(void *state) {
    sha256_state *s = state;
    EVP_MD_CTX_free(s->initialized);
    EVP_MD_CTX_free(s->work);
    OPENSSL_free(s);
}

static void make_state_key(void) {
    state_key_made = pthread_key_create(&state_key, free_state) == 0;
}

/* The calling thread's state, made on its first hash; NULL when OpenSSL cannot make it. */
static sha256_state *state(void) {
    if (thread_state != NULL) return thread_state;
    if (pthread_once(&state_key_once, make_state_key) != 0 || !state_key_made) return NULL;
    sha256_state *fresh = OPENSSL_zalloc(sizeof *fresh);
    EVP_MD *md = EVP_MD_fetch(NULL, "SHA256", NULL);  /* the initialized context keeps its own reference */
    int ok = fresh != NULL && md != NULL && (fresh->initialized = EVP_MD_CTX_new()) != NULL &&
             (fresh->work = EVP_MD_CTX_new()) != NULL && EVP_DigestInit_ex2(fresh->initialized, md, NULL) == 1 &&
             pthread_setspecific(state_key, fresh) == 0;
    EVP_MD_free(md);
    if (!ok) {
        if (fresh != NULL) free_state(fresh);
        return NULL;
    }
    return thread_state = fresh;
}

int tagd_sha256(const void *data, size_t count, unsigned char *out) {
    sha256_state *s = state();
    unsigned int length = 0;
    return s != NULL && EVP_MD_CTX_copy_ex(s->work, s->initialized) == 1 &&
           EVP_DigestUpdate(s->work, data, count) == 1 && EVP_DigestFinal_ex(s->work, out, &length) == 1 &&
           length == 32;
}
