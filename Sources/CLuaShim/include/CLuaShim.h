/*
 * CLuaShim: the C side of tagd's Lua host.
 *
 * Everything here that can raise a Lua error runs inside lua_pcall, so no
 * longjmp ever crosses a Swift frame. Entry points return a TAGD_* status;
 * on error the error object is left on top of the Lua stack for the host to
 * read with non-raising API calls and pop.
 */
#ifndef TAGD_CLUASHIM_H
#define TAGD_CLUASHIM_H

#include <stddef.h>
#include <stdint.h>

/* Forward declaration only: the CLua module owns lua.h. */
typedef struct lua_State lua_State;

/* Status codes returned by the entry points. */
enum {
    TAGD_OK = 0,
    TAGD_ERR_RUNTIME = 1,      /* error object on the stack top */
    TAGD_ERR_SYNTAX = 2,       /* error message on the stack top */
    TAGD_ERR_MEMORY = 3,       /* allocation failed outside an invocation */
    TAGD_KILL_INSTRUCTIONS = 4,
    TAGD_KILL_TIME = 5,
    TAGD_KILL_MEMORY = 6,
    TAGD_ERR_STACK = 7         /* lua_checkstack refused */
};

/* Tape tags: the flat encoding the host uses to hand values to C. */
enum {
    TAGD_TAPE_NIL = 0,
    TAGD_TAPE_FALSE = 1,
    TAGD_TAPE_TRUE = 2,
    TAGD_TAPE_INT = 3,      /* + int64 */
    TAGD_TAPE_DOUBLE = 4,   /* + double */
    TAGD_TAPE_STRING = 5,   /* + uint32 length + bytes */
    TAGD_TAPE_ARRAY = 6,    /* + uint32 count + count values */
    TAGD_TAPE_TABLE = 7,    /* + uint32 count + count (string key, value) */
    TAGD_TAPE_NULL = 8,     /* the JSON null sentinel */
    TAGD_TAPE_NATIVE = 9    /* + uint32 index of a host native function */
};

/* Native callback outcome. */
enum {
    TAGD_NATIVE_OK = 0,          /* results in the tape */
    TAGD_NATIVE_ARG_ERROR = 1,   /* message in the tape; raised with position */
    TAGD_NATIVE_ERROR = 2        /* message in the tape; raised as is */
};

typedef struct tagd_bytes {
    const unsigned char *data;
    size_t length;
} tagd_bytes;

/* Calls a host (Swift) native function. Must not call any raising Lua API.
 * Writes results (count in *nresults) or an error message to *out. */
typedef int (*tagd_native_fn)(void *host, lua_State *L, int index,
                              tagd_bytes *out, int *nresults);

/* Looks a module up for `require`. Returns 1 and fills source/chunkname if
 * found, 0 if not. Must not call any Lua API. */
typedef int (*tagd_module_fn)(void *host, const char *name, size_t length,
                              tagd_bytes *source, tagd_bytes *chunkname);

typedef struct tagd_limits {
    int64_t instructions;     /* per invocation */
    int64_t time_ns;          /* per invocation */
    size_t memory;            /* per VM */
    size_t max_source;        /* bytes */
    int hook_interval;        /* instructions per hook call */
} tagd_limits;

typedef struct tagd_vm tagd_vm;

/* Creates a sandboxed VM. Returns NULL and a message in err on failure. */
tagd_vm *tagd_vm_new(const tagd_limits *limits, char *err, size_t errlen);
void tagd_vm_free(tagd_vm *vm);
lua_State *tagd_vm_state(tagd_vm *vm);
void tagd_vm_set_host(tagd_vm *vm, void *host, tagd_native_fn native,
                      tagd_module_fn module);
size_t tagd_vm_memory_used(tagd_vm *vm);

/* Defines a read-only global of the base environment from a tape value. */
int tagd_define_global(tagd_vm *vm, const char *name, const unsigned char *tape,
                       size_t length);

/* Compiles (text only) and runs a chunk in a fresh sandbox environment, as one
 * invocation. *ref receives a registry ref to its first result. */
int tagd_load(tagd_vm *vm, const char *source, size_t length,
              const char *chunkname, int *ref);

/* Calls the function held by `ref` with tape-encoded arguments, as one
 * invocation. On TAGD_OK the results are on the stack above the old top. */
int tagd_call(tagd_vm *vm, int ref, const unsigned char *tape, size_t length,
              int nargs);

/* Raw field lookup: *out receives a ref, or LUA_REFNIL when absent/nil. */
int tagd_field(tagd_vm *vm, int ref, const char *key, size_t keylen, int *out);

/* Releases a registry ref (protected). */
void tagd_unref(tagd_vm *vm, int ref);

/* Pushes the value held by a ref (non-raising; returns 0 without stack room). */
int tagd_push_ref(tagd_vm *vm, int ref);

/* The unique light userdata standing for JSON null. */
void *tagd_null_sentinel(void);

/* Formats a float the way Lua's tostring does ("%.14g", ".0" for integral). */
size_t tagd_format_number(double value, char *buffer, size_t size);

/* True when the bytes are valid UTF-8 (fast path for ASCII). */
int tagd_utf8_valid(const unsigned char *s, size_t length);

/* Last invocation's instruction count (approximate: hook granularity). */
int64_t tagd_vm_instructions_used(tagd_vm *vm);

#endif
