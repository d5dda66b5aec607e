/* Internal declarations shared by the shim's C files. */
#ifndef TAGD_INTERNAL_H
#define TAGD_INTERNAL_H

#include <lua.h>
#include <lauxlib.h>
#include <lualib.h>

#include "CLuaShim.h"

/* luaconf.h only defines these for Lua's own sources. */
#if !defined(l_likely)
#define l_likely(x)	(__builtin_expect(((x) != 0), 1))
#define l_unlikely(x)	(__builtin_expect(((x) != 0), 0))
#endif

/* Budget kinds latched in tagd_vm.killed. */
enum { KILL_NONE = 0, KILL_INSTR = 1, KILL_TIME = 2, KILL_MEM = 3 };

/* Push-side key cache geometry (short strings only: Lua interns those). */
#define TAGD_PK_SLOTS 256
#define TAGD_PK_MAXLEN 40

/* Allocator free lists (tagd_alloc): 16, 32, ..., 128-byte classes, then
 * 256, 512, 1024 and 2048 bytes (a 20-field table's node array is 1 KiB). */
#define TAGD_POOL_CLASSES 12

struct tagd_vm {
    lua_State *L;
    tagd_limits limits;

    /* Per-invocation accounting. */
    int active;              /* inside a host invocation */
    int killed;              /* latched budget kill (KILL_*) */
    int64_t instr_used;
    int64_t next_check;      /* instr_used value at which charge() re-checks */
    int64_t deadline_ns;

    size_t mem_used;

    /* Registry refs created at setup. */
    int ref_base;            /* shared base environment (never exposed) */
    int ref_env_mt;          /* metatable of every script _ENV */
    int ref_loaded;          /* require cache */
    int ref_proxies;         /* weak cache: target -> read-only proxy */
    int ref_kill_msg[4];     /* pre-interned kill messages */
    int ref_anchors;         /* strings kept alive so raising never allocates */

    /* Result tape (C -> host): malloc'd, its capacity charged to mem_used. */
    unsigned char *rt;
    size_t rt_len;
    size_t rt_cap;
    char conv_msg[160];      /* message of the last conversion failure */
    int rt_pending;          /* a tape was written and not yet acknowledged */
    /* Key cache (see CLuaShim.h): slot -> Lua string address and id; the
     * strings are anchored in the registry table ref_kc. */
    const void *kc_ptr[TAGD_KC_SLOTS];
    uint64_t kc_id[TAGD_KC_SLOTS];
    uint64_t kc_next_id;
    int ref_kc;
    /* Value cache (string values; see TAGD_VC_SLOTS): anchored in ref_vc. */
    const void *vc_ptr[TAGD_VC_SLOTS];
    uint64_t vc_id[TAGD_VC_SLOTS];
    int ref_vc;
    /* Push-side key cache: table keys of argument tapes, by content (see
     * push_key in tagd_vm.c); the Lua strings are anchored in ref_pk. */
    struct { uint32_t len; unsigned char bytes[TAGD_PK_MAXLEN]; } pk[TAGD_PK_SLOTS];
    unsigned char pk_lru[TAGD_PK_SLOTS / 2];  /* per pair of slots: the way to replace next */
    int ref_pk;

    /* Flat value buffers (tagd_flat.c): malloc'd, capacity charged to mem_used. */
    tagd_flat_node *fl_nodes;
    size_t fl_cap;
    size_t fl_count;
    unsigned char *fl_bytes;
    size_t fl_cap_bytes;
    size_t fl_byte_count;

    void *host;
    tagd_native_fn native;
    tagd_module_fn module;

    /* Free lists of the Lua allocator (tagd_alloc): freed blocks of up to
     * 2 KiB, by size class, a bounded number per class (at most ~90 KiB
     * in all). Host memory only: the cap (mem_used) counts what Lua has
     * allocated, exactly as before. */
    void *pool[TAGD_POOL_CLASSES];
    unsigned pool_n[TAGD_POOL_CLASSES];
};

static inline tagd_vm *tagd_getvm(lua_State *L) {
    void *ud = NULL;
    lua_getallocf(L, &ud);
    return (tagd_vm *)ud;
}

/* Charges `steps` units of work done by a C function against the current
 * invocation's instruction budget; raises (and latches the kill) when over
 * the instruction or time budget. */
void tagd_charge(lua_State *L, int64_t steps);

/* Installs the budgeted pattern functions and a bounded string.rep into the
 * table on the stack top. */
void tagd_patch_string(lua_State *L);

/* The tables a writer is inside, innermost first: walked to refuse a cycle. */
typedef struct tagd_path {
    const void *table;
    const struct tagd_path *parent;
} tagd_path;

static inline int tagd_path_holds(const tagd_path *path, const void *table) {
    for (; path != NULL; path = path->parent)
        if (path->table == table) return 1;
    return 0;
}

/* n when the table at t (an absolute index) has exactly the keys 1..n,
 * n > 0; otherwise 0. One raw traversal (lua_next); needs 2 free stack
 * slots and leaves the stack as it found it. */
lua_Unsigned tagd_sequence_length(lua_State *L, int t);

/* Frees the flat value buffers (tagd_vm_free). */
void tagd_flat_free(tagd_vm *vm);

/* Lua's text of an integer into buf (at least 24 bytes); returns its length. */
size_t tagd_format_integer(lua_Integer v, char *buf);

/* The sandbox's tostring: Lua's text, numbers written without snprintf
 * where the text is provably the same (tagd_number_text.c). */
int tagd_tostring(lua_State *L);

/* Opens the budgeted table library (leaves it on the stack). */
int tagd_open_table(lua_State *L);

/* Result tape: initial capacity (allocated with the VM) and the capacity
 * kept between invocations. */
#define TAGD_RT_INITIAL 4096
#define TAGD_RT_KEEP 65536

/* Deepest nesting the result writer recurses into, whatever the limits say
 * (bounds its C stack use). */
#define TAGD_RT_MAX_DEPTH 1000

/* Writes `count` stack values from `first` to vm's result tape (see
 * tagd_read_stack). */
int tagd_write_values(tagd_vm *vm, lua_State *L, int first, int count, int max_depth);

/* If the value at idx is a shared read-only view (tagd_share), pushes the
 * real table behind it and returns 1; otherwise pushes nothing and returns
 * 0. Non-raising (raw access only; needs no reserved stack slots). */
int tagd_view_target(lua_State *L, int idx);

/* The light userdata key under which a view's metatable holds its real
 * table. */
const void *tagd_view_key(void);

/* tagd_view_target for a value known to be a table, with 2 free stack
 * slots: one lua_getmetatable tells the usual table (none) apart. */
static inline int tagd_table_view_target(lua_State *L, int t) {
    if (!lua_getmetatable(L, t)) return 0;
    if (lua_rawgetp(L, -1, tagd_view_key()) == LUA_TTABLE) {
        lua_remove(L, -2);
        return 1;
    }
    lua_settop(L, -3);
    return 0;
}

/* Wraps the value at idx in a (deep) read-only proxy, pushing the result. */
void tagd_readonly(lua_State *L, int idx, int deep);

#endif
