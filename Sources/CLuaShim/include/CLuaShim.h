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
    TAGD_ERR_STACK = 7,        /* lua_checkstack refused */
    TAGD_ERR_CONVERSION = 8,   /* a value could not be converted for the host;
                                * message: tagd_vm_conversion_message */
    TAGD_FLAT_DECLINED = 9     /* tagd_read_flat: read this value as a tape */
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
    TAGD_TAPE_NATIVE = 9,   /* + uint32 index of a host native function */
    /* Result tapes (C -> host) only: */
    TAGD_TAPE_BYTES = 10,   /* + uint32 length + bytes: a string that is not UTF-8 */
    TAGD_TAPE_FUNCTION = 11,/* a Lua function (opaque marker) */
    /* Table keys in result tapes: */
    TAGD_KEY_TEXT = 12,     /* + uint32 length + bytes */
    TAGD_KEY_DEF = 13,      /* + uint16 slot + uint64 id + uint32 length + bytes:
                             * key cache slot `slot` now holds key `id` */
    TAGD_KEY_REF = 14,      /* + uint16 slot + uint64 id: the key cached there */
    /* Call argument tapes (host -> C, tagd_call_tape) only: */
    TAGD_TAPE_REF = 15,     /* + int32 registry ref: the value it holds */
    /* Result tapes only: string values (valid UTF-8) through the value cache */
    TAGD_TAPE_STR_DEF = 16, /* + uint16 slot + uint64 id + uint32 length + bytes */
    TAGD_TAPE_STR_REF = 17  /* + uint16 slot + uint64 id: the string cached there */
};

/* Key cache shared by the result writer (C) and decoder (host): string keys
 * up to TAGD_KC_MAXLEN bytes get a slot (direct-mapped by the Lua string's
 * address; the string is anchored so the address stays unique) and an id
 * that is never reused. A key seen before is written as TAGD_KEY_REF: the
 * host reuses its String, and tables with the same key sequence (same
 * "shape", a hash of the ids written in the table header) can reuse one
 * dictionary layout. The host acknowledges every tape with
 * tagd_results_done(vm, ok); an unacknowledged or failed tape clears the C
 * side, so both sides always agree on what a slot holds. */
#define TAGD_KC_SLOTS 1024
#define TAGD_KC_MAXLEN 64

/* Value cache: the same scheme for string VALUES (valid UTF-8, up to
 * TAGD_VC_MAXLEN bytes) in result tapes, with its own slots and anchors and
 * ids from the same never-reused counter. Tags of one hit return the same
 * Lua strings from the shared event, and short strings are interned, so
 * the host mostly reuses a String instead of creating one. Cleared together
 * with the key cache. At most TAGD_VC_SLOTS short strings stay anchored. */
#define TAGD_VC_SLOTS 1024
/* Lua interns strings up to 40 bytes (LUAI_MAXSHORTLEN); a longer one is a new
 * object each time it is made (a SHA-256 hex digest per hit, say), so caching
 * it by address would only miss, and make the host build a String per miss. */
#define TAGD_VC_MAXLEN 40

/* Result tapes (C -> host) use the tags above with these rules: TAGD_TAPE_STRING
 * is valid UTF-8 (TAGD_TAPE_BYTES otherwise); TAGD_TAPE_TABLE keys are valid
 * UTF-8 text (number keys already formatted the way Lua's tostring does); a
 * table is TAGD_TAPE_ARRAY exactly when it is a non-empty sequence 1..n with no
 * other keys. Integers and doubles are native-endian and unaligned.
 * TAGD_TAPE_TABLE is followed by uint32 count and uint64 shape (0 when some
 * key is not cached), then count (key, value) pairs, each key tagged
 * TAGD_KEY_*. */

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
 * invocation. The results are converted (raw reads only, no metamethod
 * runs) into a result tape inside the invocation: *out receives
 * the tape (valid until tagd_results_done or the next call into this VM) and
 * *nresults the number of values in it. Conversion failures (depth beyond
 * max_depth, cycles, unsupported types or keys) return TAGD_ERR_CONVERSION;
 * a tape that would exceed the memory cap is a memory budget kill. Nothing
 * is left on the Lua stack. */
int tagd_call_tape(tagd_vm *vm, int ref, const unsigned char *tape, size_t length,
                   int nargs, int max_depth, tagd_bytes *out, int *nresults);

/* Converts `count` stack values from `first` (any thread of the VM) into a
 * result tape, as above. Non-raising: safe from a native-function callback.
 * Returns TAGD_OK, TAGD_ERR_CONVERSION or TAGD_KILL_MEMORY (tape over the
 * memory cap; not latched). The stack top is left unchanged. */
int tagd_read_stack(lua_State *L, int first, int count, int max_depth, tagd_bytes *out);

/* The VM that owns a state or thread (non-raising). */
tagd_vm *tagd_vm_of(lua_State *L);

/* tagd_read_stack for the value held by a registry ref. */
int tagd_read_ref(tagd_vm *vm, int ref, int max_depth, tagd_bytes *out);

/* The host has decoded the last result tape (ok = 1) or failed to (ok = 0,
 * which also clears the key cache). Releases a large tape. */
void tagd_results_done(tagd_vm *vm, int ok);

/* Flat values (tagd_read_flat): node kinds. */
enum {
    TAGD_FLAT_NIL = 0,
    TAGD_FLAT_BOOL = 1,     /* payload 0 or 1 */
    TAGD_FLAT_INT = 2,      /* payload: the int64's bits */
    TAGD_FLAT_DOUBLE = 3,   /* payload: the double's bits */
    TAGD_FLAT_STRING = 4,   /* payload: offset into the bytes; count: length */
    TAGD_FLAT_ARRAY = 5,    /* count items follow */
    TAGD_FLAT_TABLE = 6,    /* count (string key, value) entries follow */
    TAGD_FLAT_NULL = 7      /* the JSON null sentinel */
};

/* One node of a flat value. Nodes are in document order: a container's node
 * is followed by its contents (a table's as key, value, key, value...), and
 * `end` is the index after the node's subtree. */
typedef struct tagd_flat_node {
    uint64_t payload;
    uint32_t count;
    uint32_t end;
    uint8_t kind;           /* TAGD_FLAT_* */
    uint8_t ascii;          /* a string of ASCII bytes only */
} tagd_flat_node;

typedef struct tagd_flat {
    const tagd_flat_node *nodes;
    size_t node_count;
    const unsigned char *bytes;   /* every string's bytes, valid UTF-8 */
    size_t byte_count;
} tagd_flat;

/* Writes the value at idx as a flat value in buffers the VM owns (valid until
 * tagd_flat_done or the next call into this VM), tables read raw as for a
 * result tape. Returns TAGD_OK, or TAGD_FLAT_DECLINED when the value holds
 * something only a tape represents or reports (a string or key that is not
 * valid UTF-8, a key that is not an ASCII string, a function, a cycle, depth
 * beyond max_depth, buffers over the memory cap): read it with
 * tagd_read_stack then. Non-raising; the stack top is left unchanged. With
 * null_as_nil, json.null is written as TAGD_FLAT_NIL, for a reader to whom
 * both are JSON's null (the kinds then match TagdJSON's JSONKind). */
int tagd_read_flat(lua_State *L, int idx, int max_depth, int null_as_nil, tagd_flat *out);

/* The host has adopted the last flat value. Releases large buffers. */
void tagd_flat_done(tagd_vm *vm);

/* The message of the last TAGD_ERR_CONVERSION (NUL-terminated). */
const char *tagd_vm_conversion_message(tagd_vm *vm);

/* Pushes a tape value once and returns a registry ref to it in *ref
 * (protected; allocation is capped by the VM's memory limit:
 * TAGD_ERR_MEMORY when it does not fit, after a full collection). With
 * read_only, tables go in as a deep read-only view: scripts can read every
 * field through it (`v.a.b`, `v.items[1]`, `#`, `pairs`, `ipairs`, and the
 * sandbox's `next` and `rawlen`) and every write raises "attempt to modify
 * a read-only table". The result writer (tagd_read_stack / tagd_read_ref /
 * tagd_call_tape) and tagd_field read through a view to the real data, raw.
 * Without read_only, tables go in as plain tables: a copy to change. */
int tagd_share(tagd_vm *vm, const unsigned char *tape, size_t length, int read_only, int *ref);

/* As tagd_share, for a value already in flat form (the layout of
 * tagd_read_flat, nodes in document order): no tape is written or read.
 * Only the first node's subtree is pushed, and it must span every node. A
 * container nested deeper than max_depth (the root is at 0) returns
 * TAGD_ERR_CONVERSION; nodes that do not describe a value (an offset past
 * the bytes, a key that is not a string, a count past the nodes) return
 * TAGD_ERR_RUNTIME with the message on the stack top, as tagd_share. With
 * nil_is_null, a TAGD_FLAT_NIL node is pushed as json.null (nodes written
 * by a JSON document, whose null is kind 0). */
int tagd_share_flat(tagd_vm *vm, const tagd_flat *value, int max_depth, int nil_is_null, int read_only, int *ref);

/* Runs a full garbage collection (never raises). */
void tagd_collect(tagd_vm *vm);

/* Raw field lookup: *out receives a ref, or LUA_REFNIL when absent/nil.
 * A shared view is looked through. */
int tagd_field(tagd_vm *vm, int ref, const char *key, size_t keylen, int *out);

/* Releases a registry ref (protected). */
void tagd_unref(tagd_vm *vm, int ref);

/* Pushes the value held by a ref (non-raising; returns 0 without stack room). */
int tagd_push_ref(tagd_vm *vm, int ref);

/* The fixed parameters of the Lua function held by a ref, and whether it
 * also takes `...` (C functions count as vararg). Non-raising; returns 0
 * when the ref holds no function. */
int tagd_function_arity(tagd_vm *vm, int ref, int *nparams, int *isvararg);

/* The unique light userdata standing for JSON null. */
void *tagd_null_sentinel(void);

/* Formats a float the way Lua's tostring does ("%.14g", ".0" for integral). */
size_t tagd_format_number(double value, char *buffer, size_t size);

/* True when the bytes are valid UTF-8 (fast path for ASCII). */
int tagd_utf8_valid(const unsigned char *s, size_t length);

/* Last invocation's instruction count (approximate: hook granularity). */
int64_t tagd_vm_instructions_used(tagd_vm *vm);

#endif
