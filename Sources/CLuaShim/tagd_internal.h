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

    void *host;
    tagd_native_fn native;
    tagd_module_fn module;
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

/* Opens the budgeted table library (leaves it on the stack). */
int tagd_open_table(lua_State *L);

/* Wraps the value at idx in a (deep) read-only proxy, pushing the result. */
void tagd_readonly(lua_State *L, int idx, int deep);

#endif
