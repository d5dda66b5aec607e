/*
 * tagd's sandboxed Lua VM: allocator with a memory cap, count hook with
 * instruction and deadline budgets, sandbox environment built by allowlist,
 * read-only proxies, the native-function trampoline and `require`.
 *
 * Boundary rule: every entry point called from Swift does its raising work
 * inside lua_pcall; Swift callbacks (native functions, module lookup) only
 * fill buffers, and any error they report is raised here after they return.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tagd_internal.h"

static char null_sentinel_storage;
static char loading_sentinel_storage;

void *tagd_null_sentinel(void) { return &null_sentinel_storage; }

static int64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + (int64_t)ts.tv_nsec;
}

int tagd_utf8_valid(const unsigned char *s, size_t length) {
    size_t i = 0;
    while (i < length) {
        /* ASCII fast path, 8 bytes at a time. */
        if (i + 8 <= length) {
            uint64_t word;
            memcpy(&word, s + i, 8);
            if ((word & 0x8080808080808080ULL) == 0) { i += 8; continue; }
        }
        unsigned char c = s[i];
        if (c < 0x80) { i++; continue; }
        size_t n;
        uint32_t cp;
        if (c >= 0xC2 && c <= 0xDF) { n = 1; cp = c & 0x1F; }
        else if (c >= 0xE0 && c <= 0xEF) { n = 2; cp = c & 0x0F; }
        else if (c >= 0xF0 && c <= 0xF4) { n = 3; cp = c & 0x07; }
        else return 0;
        if (length - i <= n) return 0;
        for (size_t k = 1; k <= n; k++) {
            unsigned char cc = s[i + k];
            if ((cc & 0xC0) != 0x80) return 0;
            cp = (cp << 6) | (cc & 0x3F);
        }
        if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10FFFF)) ||
            (cp >= 0xD800 && cp <= 0xDFFF))
            return 0;  /* overlong, out of range, or surrogate */
        i += n + 1;
    }
    return 1;
}

/* ------------------------------------------------------------------ */
/* Allocator: caps the VM's memory; latches a kill during invocations. */

/* Blocks of up to 2 KiB (most of what a call allocates: tables, node
 * arrays, short strings, closures) are recycled through per-class free
 * lists instead of going to malloc/free every time. Invariant: a live
 * block whose Lua size s has a class is a malloc'd block of at least
 * pool_size(class) bytes; any other is a malloc'd block of at least s
 * bytes. Lua always passes a block's exact size back (osize), so its class
 * is known without a header. */
static inline int pool_class(size_t n) {  /* n >= 1 */
    if (n <= 128) return (int)((n - 1) >> 4);  /* 0..7: 16..128 */
    if (n <= 256) return 8;
    if (n <= 512) return 9;
    if (n <= 1024) return 10;
    if (n <= 2048) return 11;
    return -1;
}

static inline size_t pool_size(int c) {
    return c < 8 ? (size_t)(c + 1) * 16 : (size_t)256 << (c - 8);
}

/* Blocks kept per class: 8 x 128 small ones (72 KiB at most) and 32 KiB of
 * each bigger class (128 KiB): a hit's event makes tables whose hash parts
 * and read-only views' metatables fall in the 256- and 512-byte classes, and
 * the collector frees several hits' worth of them at once, so a handful kept
 * per class sent most of them back to malloc. */
static inline unsigned pool_keep(int c) { return c < 8 ? 128 : (unsigned)(32768 / pool_size(c)); }

static void *block_new(tagd_vm *vm, size_t n) {
    int c = pool_class(n);
    if (c < 0) return malloc(n);
    void *b = vm->pool[c];
    if (b != NULL) {
        vm->pool[c] = *(void **)b;
        vm->pool_n[c]--;
        return b;
    }
    return malloc(pool_size(c));
}

static void block_free(tagd_vm *vm, void *p, size_t n) {
    int c = n > 0 ? pool_class(n) : -1;
    if (c >= 0 && vm->pool_n[c] < pool_keep(c)) {
        *(void **)p = vm->pool[c];
        vm->pool[c] = p;
        vm->pool_n[c]++;
        return;
    }
    free(p);
}

/* Returns every pooled block to malloc (after lua_close). */
static void pool_drain(tagd_vm *vm) {
    for (int c = 0; c < TAGD_POOL_CLASSES; c++) {
        void *b = vm->pool[c];
        while (b != NULL) {
            void *next = *(void **)b;
            free(b);
            b = next;
        }
        vm->pool[c] = NULL;
        vm->pool_n[c] = 0;
    }
}

/* Moves a block to a new size; NULL (old block untouched) on failure. */
static void *block_resize(tagd_vm *vm, void *p, size_t osize, size_t nsize) {
    int oc = pool_class(osize), nc = pool_class(nsize);
    if (oc < 0 && nc < 0) return realloc(p, nsize);
    if (oc >= 0 && oc == nc) return p;  /* same class: the block fits */
    void *np = block_new(vm, nsize);
    if (np == NULL) return NULL;
    memcpy(np, p, osize < nsize ? osize : nsize);
    block_free(vm, p, osize);
    return np;
}

static void *tagd_alloc(void *ud, void *ptr, size_t osize, size_t nsize) {
    tagd_vm *vm = (tagd_vm *)ud;
    if (ptr == NULL) osize = 0;  /* osize is a type tag for new blocks */
    if (nsize == 0) {
        if (ptr != NULL) block_free(vm, ptr, osize);
        vm->mem_used -= osize;
        return NULL;
    }
    if (nsize > osize) {
        size_t grow = nsize - osize;
        if (vm->killed != KILL_NONE || grow > vm->limits.memory ||
            vm->mem_used + grow > vm->limits.memory) {
            if (vm->active && vm->killed == KILL_NONE) vm->killed = KILL_MEM;
            return NULL;
        }
        void *np = ptr == NULL ? block_new(vm, nsize) : block_resize(vm, ptr, osize, nsize);
        if (np == NULL) return NULL;
        vm->mem_used += grow;
        return np;
    }
    /* Shrinking never fails: Lua relies on it while collecting. Keeping
     * the old block is fine: it is at least as large as the new size's
     * class needs (see the invariant above). */
    void *np = block_resize(vm, ptr, osize, nsize);
    vm->mem_used -= (osize - nsize);
    return np != NULL ? np : ptr;
}

/* ------------------------------------------------------------------ */
/* Budgets. */

static void hook(lua_State *L, lua_Debug *ar);

static void check_budgets(tagd_vm *vm) {
    if (vm->instr_used > vm->limits.instructions)
        vm->killed = KILL_INSTR;
    else if (now_ns() > vm->deadline_ns)
        vm->killed = KILL_TIME;
}

/* Raises the latched kill. The message was created at setup and is only
 * referenced here, so raising allocates nothing (the allocator refuses
 * growth once killed). The hook is re-armed with count 1 on this thread so
 * a script that catches the error is interrupted again at once. */
static int raise_kill(lua_State *L, tagd_vm *vm) {
    lua_sethook(L, hook, LUA_MASKCOUNT, 1);
    lua_rawgeti(L, LUA_REGISTRYINDEX, vm->ref_kill_msg[vm->killed]);
    return lua_error(L);
}

static void hook(lua_State *L, lua_Debug *ar) {
    (void)ar;
    tagd_vm *vm = tagd_getvm(L);
    int count = lua_gethookcount(L);
    if (!vm->active) return;
    vm->instr_used += count;
    if (vm->killed == KILL_NONE) check_budgets(vm);
    if (vm->killed != KILL_NONE) raise_kill(L, vm);
    /* A coroutine left at count 1 by an earlier kill gets its speed back. */
    if (count != vm->limits.hook_interval)
        lua_sethook(L, hook, LUA_MASKCOUNT, vm->limits.hook_interval);
}

void tagd_charge(lua_State *L, int64_t steps) {
    tagd_vm *vm = tagd_getvm(L);
    if (!vm->active) return;
    vm->instr_used += steps;
    if (vm->killed == KILL_NONE && vm->instr_used >= vm->next_check) {
        check_budgets(vm);
        vm->next_check = vm->instr_used + 1024;
    }
    if (vm->killed != KILL_NONE) raise_kill(L, vm);
}

static void begin_invocation(tagd_vm *vm) {
    vm->active = 1;
    vm->killed = KILL_NONE;
    vm->instr_used = 0;
    vm->next_check = 1024;
    int64_t now = now_ns();
    vm->deadline_ns = (vm->limits.time_ns > INT64_MAX - now) ? INT64_MAX
                                                             : now + vm->limits.time_ns;
    /* The main thread's hook may have been left at count 1 by a kill;
     * coroutines created from it copy whatever it has. */
    lua_sethook(vm->L, hook, LUA_MASKCOUNT, vm->limits.hook_interval);
}

static int map_status(int status) {
    switch (status) {
        case LUA_OK: return TAGD_OK;
        case LUA_ERRSYNTAX: return TAGD_ERR_SYNTAX;
        case LUA_ERRMEM: return TAGD_ERR_MEMORY;
        default: return TAGD_ERR_RUNTIME;
    }
}

/* Ends an invocation: the kill (if any) wins over whatever status the
 * protected call returned, since a script may have swallowed it. */
static int end_invocation(tagd_vm *vm, int status, int base) {
    int killed = vm->killed;
    vm->active = 0;
    vm->killed = KILL_NONE;
    if (killed != KILL_NONE) {
        lua_settop(vm->L, base);
        lua_gc(vm->L, LUA_GCCOLLECT);  /* lua_gc never raises */
        return TAGD_KILL_INSTRUCTIONS + killed - 1;
    }
    return map_status(status);
}

int64_t tagd_vm_instructions_used(tagd_vm *vm) { return vm->instr_used; }

/* ------------------------------------------------------------------ */
/* Tape decoding (runs inside protected calls only). */

typedef struct reader {
    const unsigned char *p;
    const unsigned char *end;
    int keys;   /* stack index of the push key cache's anchors (0: none) */
    int views;  /* stack index of the view kit: wrap every table in a read-only view (tagd_share); 0: none */
    int refs;   /* TAGD_TAPE_REF allowed (call arguments only) */
} reader;

static int trampoline(lua_State *L);
static void make_view(lua_State *L, int kit);

static void need(lua_State *L, reader *r, size_t n) {
    if ((size_t)(r->end - r->p) < n) luaL_error(L, "tagd: malformed value tape");
}

static uint32_t read_u32(lua_State *L, reader *r) {
    uint32_t v;
    need(L, r, 4);
    memcpy(&v, r->p, 4);
    r->p += 4;
    return v;
}

static inline unsigned pk_slot(const unsigned char *s, size_t len) {
    uint64_t a = 0, b = 0;
    if (len >= 8) {
        memcpy(&a, s, 8);
        memcpy(&b, s + len - 8, 8);
    } else if (len >= 4) {  /* two overlapping halves: no memcpy call of a variable length */
        uint32_t x, y;
        memcpy(&x, s, 4);
        memcpy(&y, s + len - 4, 4);
        a = x | (uint64_t)y << 32;
    } else {
        for (size_t i = 0; i < len; i++) a |= (uint64_t)s[i] << (8 * i);
    }
    uint64_t h = a * 0x9E3779B97F4A7C15ULL ^ (b + len) * 0xC2B2AE3D27D4EB4FULL;
    return (unsigned)(h >> 40) & (TAGD_PK_SLOTS - 1);
}

/* Whether the cached key bytes a are the len bytes of b (len <= TAGD_PK_MAXLEN):
 * the usual key of 4..16 bytes compares as two overlapping words each. */
static inline int pk_same(const unsigned char *a, const char *b, size_t len) {
    if (len >= 8) {
        if (len > 16) return memcmp(a, b, len) == 0;
        uint64_t a0, a1, b0, b1;
        memcpy(&a0, a, 8);
        memcpy(&b0, b, 8);
        memcpy(&a1, a + len - 8, 8);
        memcpy(&b1, b + len - 8, 8);
        return ((a0 ^ b0) | (a1 ^ b1)) == 0;
    }
    if (len >= 4) {
        uint32_t a0, a1, b0, b1;
        memcpy(&a0, a, 4);
        memcpy(&b0, b, 4);
        memcpy(&a1, a + len - 4, 4);
        memcpy(&b1, b + len - 4, 4);
        return ((a0 ^ b0) | (a1 ^ b1)) == 0;
    }
    for (size_t i = 0; i < len; i++)
        if (a[i] != (unsigned char)b[i]) return 0;
    return 1;
}

/* Pushes a table key. Keys recur across invocations (events of one kind
 * share their field names), so short ones are looked up by content in a
 * small two-way cache whose Lua strings are anchored in a preallocated
 * array: a hit costs a compare and lua_rawgeti instead of hashing and
 * interning the bytes again. Two ways per hash, the least recently used
 * replaced, so two keys of one event that hash alike do not evict each
 * other on every push. */
static inline __attribute__((always_inline)) void push_key_vm(lua_State *L, tagd_vm *vm, int keys, const char *s, size_t len) {
    if (keys == 0 || len > TAGD_PK_MAXLEN) {
        lua_pushlstring(L, s, len);
        return;
    }
    unsigned pair = pk_slot((const unsigned char *)s, len) >> 1;
    unsigned first = pair << 1;
    for (unsigned way = 0; way < 2; way++) {
        unsigned slot = first | way;
        if (vm->pk[slot].len == len && pk_same(vm->pk[slot].bytes, s, len)) {
            if (lua_rawgeti(L, keys, (lua_Integer)slot + 1) == LUA_TSTRING) {
                vm->pk_lru[pair] = (unsigned char)(way ^ 1);
                return;
            }
            lua_pop(L, 1);  /* never-filled slot (the empty key) */
        }
    }
    unsigned slot = first | vm->pk_lru[pair];
    vm->pk_lru[pair] ^= 1;
    lua_pushlstring(L, s, len);
    lua_pushvalue(L, -1);
    lua_rawseti(L, keys, (lua_Integer)slot + 1);  /* array slot: no allocation */
    vm->pk[slot].len = (uint32_t)len;
    memcpy(vm->pk[slot].bytes, s, len);
}

static void push_key(lua_State *L, int keys, const char *s, size_t len) {
    push_key_vm(L, keys == 0 ? NULL : tagd_getvm(L), keys, s, len);
}

static void push_value(lua_State *L, reader *r, int depth) {
    /* Callers leave room for one value; containers check for their own
     * (key, value, cache anchor) slots below. */
    if (depth > 200) luaL_error(L, "value nesting too deep");
    need(L, r, 1);
    unsigned char tag = *r->p++;
    switch (tag) {
        case TAGD_TAPE_NIL: lua_pushnil(L); break;
        case TAGD_TAPE_FALSE: lua_pushboolean(L, 0); break;
        case TAGD_TAPE_TRUE: lua_pushboolean(L, 1); break;
        case TAGD_TAPE_INT: {
            int64_t v;
            need(L, r, 8);
            memcpy(&v, r->p, 8);
            r->p += 8;
            lua_pushinteger(L, (lua_Integer)v);
            break;
        }
        case TAGD_TAPE_DOUBLE: {
            double v;
            need(L, r, 8);
            memcpy(&v, r->p, 8);
            r->p += 8;
            lua_pushnumber(L, (lua_Number)v);
            break;
        }
        case TAGD_TAPE_STRING: {
            uint32_t n = read_u32(L, r);
            need(L, r, n);
            lua_pushlstring(L, (const char *)r->p, n);
            r->p += n;
            break;
        }
        case TAGD_TAPE_ARRAY: {
            uint32_t n = read_u32(L, r);
            luaL_checkstack(L, 6, "value nesting too deep");
            lua_createtable(L, (int)(n > INT32_MAX ? 0 : n), 0);
            for (uint32_t i = 0; i < n; i++) {
                push_value(L, r, depth + 1);
                lua_rawseti(L, -2, (lua_Integer)i + 1);
            }
            if (r->views) make_view(L, r->views);
            break;
        }
        case TAGD_TAPE_TABLE: {
            uint32_t n = read_u32(L, r);
            luaL_checkstack(L, 6, "value nesting too deep");
            lua_createtable(L, 0, (int)(n > INT32_MAX ? 0 : n));
            for (uint32_t i = 0; i < n; i++) {
                uint32_t kl = read_u32(L, r);
                need(L, r, kl);
                push_key(L, r->keys, (const char *)r->p, kl);
                r->p += kl;
                push_value(L, r, depth + 1);
                lua_rawset(L, -3);
            }
            if (r->views) make_view(L, r->views);
            break;
        }
        case TAGD_TAPE_NULL: lua_pushlightuserdata(L, &null_sentinel_storage); break;
        case TAGD_TAPE_NATIVE: {
            uint32_t index = read_u32(L, r);
            lua_pushinteger(L, (lua_Integer)index);
            lua_pushcclosure(L, trampoline, 1);
            break;
        }
        case TAGD_TAPE_REF: {
            int32_t ref;
            if (!r->refs) luaL_error(L, "tagd: malformed value tape");
            need(L, r, 4);
            memcpy(&ref, r->p, 4);
            r->p += 4;
            lua_rawgeti(L, LUA_REGISTRYINDEX, (lua_Integer)ref);
            break;
        }
        default: luaL_error(L, "tagd: malformed value tape");
    }
}

/* ------------------------------------------------------------------ */
/* Native-function trampoline. */

/* Calls the Swift function through a C pointer. Swift reads its arguments
 * with non-raising API calls and reports failure as a value; this frame
 * raises only after the Swift frame has returned. */
static int trampoline(lua_State *L) {
    tagd_vm *vm = tagd_getvm(L);
    if (vm->killed != KILL_NONE) return raise_kill(L, vm);
    int index = (int)lua_tointeger(L, lua_upvalueindex(1));
    tagd_bytes out = {NULL, 0};
    int nresults = 0;
    int status = TAGD_NATIVE_ERROR;
    if (vm->native != NULL) status = vm->native(vm->host, L, index, &out, &nresults);
    /* ---- Swift has returned; raising is safe from here on. ---- */
    if (status == TAGD_NATIVE_OK) {
        reader r = {out.data, out.data + out.length, 0};
        luaL_checkstack(L, nresults + 4, "too many results");
        for (int i = 0; i < nresults; i++) push_value(L, &r, 0);
        return nresults;
    }
    if (status == TAGD_NATIVE_ARG_ERROR)
        luaL_where(L, 1);  /* position of the calling Lua code, like luaL_argerror */
    else
        lua_pushliteral(L, "");
    if (out.data != NULL)
        lua_pushlstring(L, (const char *)out.data, out.length);
    else
        lua_pushliteral(L, "native function failed");
    lua_concat(L, 2);
    return lua_error(L);
}

/* ------------------------------------------------------------------ */
/* Read-only proxies. */

static int ro_newindex(lua_State *L) {
    return luaL_error(L, "attempt to modify a read-only table");
}

static int ro_index(lua_State *L) {  /* upvalue 1: target */
    lua_settop(L, 2);
    lua_gettable(L, lua_upvalueindex(1));
    if (lua_type(L, -1) == LUA_TTABLE) tagd_readonly(L, -1, 1);
    return 1;
}

static int ro_next(lua_State *L) {  /* upvalues: target, deep */
    lua_settop(L, 2);
    if (lua_next(L, lua_upvalueindex(1)) == 0) {
        lua_pushnil(L);
        return 1;
    }
    if (lua_toboolean(L, lua_upvalueindex(2)) && lua_type(L, -1) == LUA_TTABLE) {
        tagd_readonly(L, -1, 1);
        lua_replace(L, -2);
    }
    return 2;
}

/* __pairs hands out an iterator closure, never the target itself (a plain
 * `next, target` would give scripts the writable table). */
static int ro_pairs(lua_State *L) {
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_pushvalue(L, lua_upvalueindex(2));
    lua_pushcclosure(L, ro_next, 2);
    lua_pushvalue(L, 1);
    lua_pushnil(L);
    return 3;
}

static int ro_len(lua_State *L) {
    lua_len(L, lua_upvalueindex(1));
    return 1;
}

void tagd_readonly(lua_State *L, int idx, int deep) {
    tagd_vm *vm = tagd_getvm(L);
    idx = lua_absindex(L, idx);
    luaL_checkstack(L, 8, "read-only proxy");
    lua_rawgeti(L, LUA_REGISTRYINDEX, vm->ref_proxies);
    lua_pushvalue(L, idx);
    if (lua_rawget(L, -2) != LUA_TNIL) {  /* cached (or already a proxy) */
        lua_remove(L, -2);
        return;
    }
    lua_pop(L, 1);
    lua_createtable(L, 0, 0);  /* proxy */
    lua_createtable(L, 0, 5);  /* its metatable */
    lua_pushvalue(L, idx);
    if (deep) lua_pushcclosure(L, ro_index, 1);
    lua_setfield(L, -2, "__index");
    lua_pushcfunction(L, ro_newindex);
    lua_setfield(L, -2, "__newindex");
    lua_pushliteral(L, "read-only table");
    lua_setfield(L, -2, "__metatable");
    lua_pushvalue(L, idx);
    lua_pushboolean(L, deep);
    lua_pushcclosure(L, ro_pairs, 2);
    lua_setfield(L, -2, "__pairs");
    lua_pushvalue(L, idx);
    lua_pushcclosure(L, ro_len, 1);
    lua_setfield(L, -2, "__len");
    lua_setmetatable(L, -2);
    /* cache[target] = proxy; cache[proxy] = proxy (weak keys) */
    lua_pushvalue(L, idx);
    lua_pushvalue(L, -2);
    lua_rawset(L, -4);
    lua_pushvalue(L, -1);
    lua_pushvalue(L, -2);
    lua_rawset(L, -4);
    lua_remove(L, -2);
}

/* ------------------------------------------------------------------ */
/* Shared read-only views (tagd_share).
 *
 * Every table node of a shared value is a real table R plus an empty proxy
 * P whose own metatable M holds:
 *   __index     = R (a table, so reads are plain VM table lookups)
 *   __newindex  = ro_newindex (any write to P raises; P stays empty, so
 *                 every key is absent and every write reaches it)
 *   __len       = view_len    (raw length of R)
 *   __pairs     = view_pairs  (iterates R through view_next)
 *   __metatable = "read-only table" (getmetatable hides M; setmetatable
 *                 refuses a protected metatable)
 *   [&view_key] = R (marks M as a view's; scripts never see M, so they
 *                 cannot forge the mark)
 * R stores the proxies of its child tables, so nothing is allocated per
 * access and no script ever holds a real table. The three functions are
 * shared, upvalue-free C functions. The sandbox's next and rawlen look
 * through a view (safe_next, safe_rawlen). */

static char view_key_storage;

const void *tagd_view_key(void) { return &view_key_storage; }

int tagd_view_target(lua_State *L, int idx) {
    if (lua_type(L, idx) != LUA_TTABLE || !lua_checkstack(L, 2)) return 0;
    return tagd_table_view_target(L, lua_absindex(L, idx));
}

static int view_len(lua_State *L) {
    if (!tagd_view_target(L, 1)) return luaL_argerror(L, 1, "read-only view expected");
    lua_pushinteger(L, (lua_Integer)lua_rawlen(L, -1));
    return 1;
}

static int view_next(lua_State *L) {  /* (view, key) -> next key, value of R */
    lua_settop(L, 2);
    if (!tagd_view_target(L, 1)) return luaL_argerror(L, 1, "read-only view expected");
    lua_pushvalue(L, 2);
    if (lua_next(L, 3) == 0) {
        lua_pushnil(L);
        return 1;
    }
    return 2;
}

static int view_pairs(lua_State *L) {
    lua_pushcfunction(L, view_next);
    lua_pushvalue(L, 1);
    lua_pushnil(L);
    return 3;
}

/* The view kit: what every view's metatable holds, pushed once per share
 * (KIT_SIZE slots) so that building a metatable interns no string: setting
 * fields by C name looked each name up in Lua's string cache, per view. */
enum {
    KIT_INDEX, KIT_NEWINDEX, KIT_LEN, KIT_PAIRS, KIT_METATABLE,
    KIT_RO_NEWINDEX, KIT_VIEW_LEN, KIT_VIEW_PAIRS, KIT_HIDDEN, KIT_SIZE
};

static void push_view_kit(lua_State *L) {
    lua_pushliteral(L, "__index");
    lua_pushliteral(L, "__newindex");
    lua_pushliteral(L, "__len");
    lua_pushliteral(L, "__pairs");
    lua_pushliteral(L, "__metatable");
    lua_pushcfunction(L, ro_newindex);
    lua_pushcfunction(L, view_len);
    lua_pushcfunction(L, view_pairs);
    lua_pushliteral(L, "read-only table");
}

static void set_from_kit(lua_State *L, int kit, int key, int value) {
    lua_pushvalue(L, kit + key);
    lua_pushvalue(L, kit + value);
    lua_rawset(L, -3);
}

/* Replaces the real table on the stack top by its view (4 free slots). */
static void make_view(lua_State *L, int kit) {
    lua_createtable(L, 0, 0);  /* P */
    lua_createtable(L, 0, 6);  /* M */
    lua_pushvalue(L, kit + KIT_INDEX);
    lua_pushvalue(L, -4);
    lua_rawset(L, -3);
    lua_pushvalue(L, -3);
    lua_rawsetp(L, -2, &view_key_storage);
    set_from_kit(L, kit, KIT_NEWINDEX, KIT_RO_NEWINDEX);
    set_from_kit(L, kit, KIT_LEN, KIT_VIEW_LEN);
    set_from_kit(L, kit, KIT_PAIRS, KIT_VIEW_PAIRS);
    set_from_kit(L, kit, KIT_METATABLE, KIT_HIDDEN);
    lua_setmetatable(L, -2);
    lua_replace(L, -2);
}

/* ------------------------------------------------------------------ */
/* Sandbox functions. */

/* setmetatable that refuses __gc (no script code may run from the
 * collector, outside any budget) and protected metatables. */
static int safe_setmetatable(lua_State *L) {
    int t = lua_type(L, 2);
    luaL_checktype(L, 1, LUA_TTABLE);
    luaL_argexpected(L, t == LUA_TNIL || t == LUA_TTABLE, 2, "nil or table");
    if (t == LUA_TTABLE) {
        lua_pushliteral(L, "__gc");
        if (lua_rawget(L, 2) != LUA_TNIL)
            return luaL_error(L, "cannot set a metatable with a __gc metamethod");
        lua_pop(L, 1);
    }
    if (luaL_getmetafield(L, 1, "__metatable") != LUA_TNIL)
        return luaL_error(L, "cannot change a protected metatable");
    lua_settop(L, 2);
    lua_setmetatable(L, 1);
    return 1;
}

/* next and rawlen that see what a shared view shows (its real table's
 * content, whose child tables are views): the view itself is an empty
 * proxy, which plain next and rawlen would report as empty. */
static int safe_next(lua_State *L) {
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_settop(L, 2);
    if (tagd_view_target(L, 1)) lua_replace(L, 1);
    if (lua_next(L, 1)) return 2;
    lua_pushnil(L);
    return 1;
}

static int safe_rawlen(lua_State *L) {
    int t = lua_type(L, 1);
    luaL_argexpected(L, t == LUA_TTABLE || t == LUA_TSTRING, 1, "table or string");
    if (t == LUA_TTABLE && tagd_view_target(L, 1)) lua_replace(L, 1);
    lua_pushinteger(L, (lua_Integer)lua_rawlen(L, 1));
    return 1;
}

/* A fresh script environment: own globals, reads fall back to the base. */
static void push_new_env(lua_State *L, tagd_vm *vm) {
    lua_createtable(L, 0, 4);
    lua_rawgeti(L, LUA_REGISTRYINDEX, vm->ref_env_mt);
    lua_setmetatable(L, -2);
    lua_pushliteral(L, "_G");
    lua_pushvalue(L, -2);
    lua_rawset(L, -3);
}

static int valid_module_name(const char *s, size_t len) {
    int after_dot = 1;  /* forbids a leading dot */
    if (len == 0 || len > 128) return 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '.') {
            if (after_dot) return 0;  /* "..", leading dot */
            after_dot = 1;
        } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                   (c >= '0' && c <= '9') || c == '_') {
            after_dot = 0;
        } else {
            return 0;  /* '/', '\\', NUL, spaces, ... */
        }
    }
    return !after_dot;  /* no trailing dot */
}

static void push_chunkname(lua_State *L, const char *name, size_t len) {
    if (len > 0 && (name[0] == '@' || name[0] == '='))
        lua_pushlstring(L, name, len);
    else {
        lua_pushliteral(L, "@");
        lua_pushlstring(L, name, len);
        lua_concat(L, 2);
    }
}

/* The host's require: modules come from the embedder's source provider,
 * load in text mode under the current invocation's budgets, run once per
 * VM, and are handed out as deep read-only proxies. */
static int host_require(lua_State *L) {
    size_t len;
    const char *name = luaL_checklstring(L, 1, &len);
    tagd_vm *vm = tagd_getvm(L);
    if (vm->killed != KILL_NONE) return raise_kill(L, vm);
    if (!valid_module_name(name, len))
        return luaL_error(L, "invalid module name '%s'", name);
    lua_settop(L, 1);
    lua_rawgeti(L, LUA_REGISTRYINDEX, vm->ref_loaded);  /* 2 */
    lua_pushvalue(L, 1);
    if (lua_rawget(L, 2) != LUA_TNIL) {  /* 3 */
        if (lua_touserdata(L, 3) == &loading_sentinel_storage)
            return luaL_error(L, "circular require of module '%s'", name);
        if (lua_type(L, 3) == LUA_TTABLE) tagd_readonly(L, 3, 1);
        return 1;
    }
    lua_pop(L, 1);
    tagd_bytes source = {NULL, 0}, chunk = {NULL, 0};
    int found = vm->module != NULL && vm->module(vm->host, name, len, &source, &chunk);
    /* ---- Swift has returned. ---- */
    if (!found) return luaL_error(L, "module '%s' not found", name);
    if (source.length > vm->limits.max_source)
        return luaL_error(L, "module '%s': source too large (limit %d bytes)", name,
                          (int)(vm->limits.max_source > INT32_MAX ? INT32_MAX
                                                                  : vm->limits.max_source));
    if (source.length > 0 && source.data[0] == LUA_SIGNATURE[0])
        return luaL_error(L, "module '%s': precompiled bytecode is refused", name);
    push_chunkname(L, (const char *)chunk.data, chunk.length);  /* 3 */
    if (luaL_loadbufferx(L, (const char *)source.data, source.length,
                         lua_tostring(L, 3), "t") != LUA_OK)
        return lua_error(L);
    push_new_env(L, vm);
    if (lua_setupvalue(L, -2, 1) == NULL) lua_pop(L, 1);
    lua_pushvalue(L, 1);  /* mark as loading */
    lua_pushlightuserdata(L, &loading_sentinel_storage);
    lua_rawset(L, 2);
    if (lua_pcall(L, 0, 1, 0) != LUA_OK) {
        lua_pushvalue(L, 1);  /* forget the failed load, then re-raise */
        lua_pushnil(L);
        lua_rawset(L, 2);
        return lua_error(L);
    }
    if (lua_isnil(L, -1)) {
        lua_pop(L, 1);
        lua_pushboolean(L, 1);
    }
    lua_pushvalue(L, 1);
    lua_pushvalue(L, -2);
    lua_rawset(L, 2);
    if (lua_type(L, -1) == LUA_TTABLE) tagd_readonly(L, -1, 1);
    return 1;
}

/* ------------------------------------------------------------------ */
/* Setup. */

static const char *const base_allow[] = {
    "assert", "error", "ipairs", "next", "pairs", "pcall", "xpcall", "select",
    "tonumber", "tostring", "type", "rawequal", "rawlen", "getmetatable",
    "_VERSION", NULL
};

static const char *const os_allow[] = {"time", "clock", "date", "difftime", NULL};

static void copy_fields(lua_State *L, int from, int to, const char *const *names) {
    for (; *names != NULL; names++) {
        lua_getfield(L, from, *names);
        lua_setfield(L, to, *names);
    }
}

static int p_setup(lua_State *L) {
    tagd_vm *vm = (tagd_vm *)lua_touserdata(L, 1);
    static const char *const kill_fmt[4] = {
        NULL, "instruction budget exceeded (limit %I)",
        "time budget exceeded (limit %I ms)", "memory budget exceeded (limit %I bytes)"
    };
    lua_Integer kill_limit[4] = {
        0, (lua_Integer)vm->limits.instructions, (lua_Integer)(vm->limits.time_ns / 1000000),
        (lua_Integer)vm->limits.memory
    };
    for (int k = 1; k <= 3; k++) {
        lua_pushfstring(L, kill_fmt[k], kill_limit[k]);
        vm->ref_kill_msg[k] = luaL_ref(L, LUA_REGISTRYINDEX);
    }
    /* Interned strings Lua creates on error paths; keeping them alive means
     * the outermost error handling never needs to allocate. */
    lua_createtable(L, 2, 0);
    lua_pushliteral(L, "error in error handling");
    lua_rawseti(L, -2, 1);
    lua_pushliteral(L, "not enough memory");
    lua_rawseti(L, -2, 2);
    vm->ref_anchors = luaL_ref(L, LUA_REGISTRYINDEX);

    lua_createtable(L, 0, 0);  /* proxy cache with weak keys */
    lua_createtable(L, 0, 1);
    lua_pushliteral(L, "k");
    lua_setfield(L, -2, "__mode");
    lua_setmetatable(L, -2);
    vm->ref_proxies = luaL_ref(L, LUA_REGISTRYINDEX);

    lua_createtable(L, 0, 0);
    vm->ref_loaded = luaL_ref(L, LUA_REGISTRYINDEX);

    /* Anchors of the result key cache: a preallocated array, so storing
     * into it never allocates (the result writer must not raise). */
    lua_createtable(L, TAGD_KC_SLOTS, 0);
    for (int i = 1; i <= TAGD_KC_SLOTS; i++) {
        lua_pushboolean(L, 0);
        lua_rawseti(L, -2, i);
    }
    vm->ref_kc = luaL_ref(L, LUA_REGISTRYINDEX);
    lua_createtable(L, TAGD_VC_SLOTS, 0);  /* value cache anchors, likewise */
    for (int i = 1; i <= TAGD_VC_SLOTS; i++) {
        lua_pushboolean(L, 0);
        lua_rawseti(L, -2, i);
    }
    vm->ref_vc = luaL_ref(L, LUA_REGISTRYINDEX);
    lua_createtable(L, TAGD_PK_SLOTS, 0);  /* push key cache anchors, likewise */
    for (int i = 1; i <= TAGD_PK_SLOTS; i++) {
        lua_pushboolean(L, 0);
        lua_rawseti(L, -2, i);
    }
    vm->ref_pk = luaL_ref(L, LUA_REGISTRYINDEX);

    /* Open the allowed libraries (registered in the registry only). */
    lua_settop(L, 1);
    luaL_requiref(L, LUA_GNAME, luaopen_base, 0);           /* 2 */
    luaL_requiref(L, LUA_STRLIBNAME, luaopen_string, 0);    /* 3 */
    tagd_patch_string(L);
    luaL_requiref(L, LUA_TABLIBNAME, tagd_open_table, 0);   /* 4 */
    luaL_requiref(L, LUA_MATHLIBNAME, luaopen_math, 0);     /* 5 */
    luaL_requiref(L, LUA_UTF8LIBNAME, luaopen_utf8, 0);     /* 6 */
    luaL_requiref(L, LUA_COLIBNAME, luaopen_coroutine, 0);  /* 7 */
    luaL_requiref(L, LUA_OSLIBNAME, luaopen_os, 0);         /* 8 */

    /* The shared base environment, built by allowlist. */
    lua_createtable(L, 0, 32);                               /* 9 */
    copy_fields(L, 2, 9, base_allow);
    lua_pushcfunction(L, tagd_tostring);
    lua_setfield(L, 9, "tostring");
    lua_pushcfunction(L, safe_setmetatable);
    lua_setfield(L, 9, "setmetatable");
    lua_pushcfunction(L, safe_next);
    lua_setfield(L, 9, "next");
    lua_pushcfunction(L, safe_rawlen);
    lua_setfield(L, 9, "rawlen");
    lua_pushcfunction(L, host_require);
    lua_setfield(L, 9, "require");
    const char *libs[] = {"string", "table", "math", "utf8", "coroutine"};
    for (int i = 0; i < 5; i++) {
        tagd_readonly(L, 3 + i, 0);
        lua_setfield(L, 9, libs[i]);
    }
    lua_createtable(L, 0, 4);
    copy_fields(L, 8, lua_gettop(L), os_allow);
    tagd_readonly(L, -1, 0);
    lua_setfield(L, 9, "os");
    lua_pop(L, 1);

    /* The string metatable: method calls keep using the real (patched)
     * table, but getmetatable("") only ever sees a read-only view whose
     * __index is the read-only string proxy. */
    lua_pushliteral(L, "");
    lua_getmetatable(L, -1);                                 /* string mt */
    lua_createtable(L, 0, 1);
    lua_getfield(L, 9, "string");
    lua_setfield(L, -2, "__index");
    tagd_readonly(L, -1, 0);
    lua_setfield(L, -3, "__metatable");
    lua_pop(L, 3);

    lua_pushvalue(L, 9);
    vm->ref_base = luaL_ref(L, LUA_REGISTRYINDEX);

    lua_createtable(L, 0, 2);  /* metatable of every script environment */
    lua_pushvalue(L, 9);
    lua_setfield(L, -2, "__index");
    lua_pushboolean(L, 0);
    lua_setfield(L, -2, "__metatable");
    vm->ref_env_mt = luaL_ref(L, LUA_REGISTRYINDEX);
    return 0;
}

static int panic(lua_State *L) {
    const char *msg = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "?";
    fprintf(stderr, "tagd: unprotected Lua error (host bug): %s\n", msg);
    abort();
    return 0;
}

/* Copies a non-raising view of the error on the stack top into err. */
static void copy_error(lua_State *L, char *err, size_t errlen) {
    if (err == NULL || errlen == 0) return;
    const char *msg = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "unknown error";
    snprintf(err, errlen, "%s", msg);
}

tagd_vm *tagd_vm_new(const tagd_limits *limits, char *err, size_t errlen) {
    tagd_vm *vm = (tagd_vm *)calloc(1, sizeof *vm);
    if (vm == NULL) {
        if (err && errlen) snprintf(err, errlen, "out of memory");
        return NULL;
    }
    vm->limits = *limits;
    if (vm->limits.hook_interval < 1) vm->limits.hook_interval = 1;
    lua_State *L = lua_newstate(tagd_alloc, vm);
    if (L == NULL) {
        if (err && errlen) snprintf(err, errlen, "cannot create a Lua state within the memory limit");
        pool_drain(vm);
        free(vm);
        return NULL;
    }
    vm->L = L;
    lua_atpanic(L, panic);
    lua_sethook(L, hook, LUA_MASKCOUNT, vm->limits.hook_interval);
    lua_pushcfunction(L, p_setup);
    lua_pushlightuserdata(L, vm);
    if (lua_pcall(L, 1, 0, 0) != LUA_OK) {
        copy_error(L, err, errlen);
        lua_close(L);
        pool_drain(vm);
        free(vm);
        return NULL;
    }
    lua_settop(L, 0);
    /* The result tape starts small; its capacity counts against the cap. */
    vm->rt = (unsigned char *)malloc(TAGD_RT_INITIAL);
    if (vm->rt != NULL) {
        vm->rt_cap = TAGD_RT_INITIAL;
        vm->mem_used += TAGD_RT_INITIAL;
    }
    /* Invocations make short-lived garbage (argument and result tables):
     * the generational collector handles that pattern more cheaply. */
    lua_gc(L, LUA_GCGEN, 0, 0);
    return vm;
}

void tagd_vm_free(tagd_vm *vm) {
    if (vm == NULL) return;
    lua_close(vm->L);
    pool_drain(vm);
    free(vm->rt);
    tagd_flat_free(vm);
    free(vm);
}

lua_State *tagd_vm_state(tagd_vm *vm) { return vm->L; }

size_t tagd_vm_memory_used(tagd_vm *vm) { return vm->mem_used; }

void tagd_vm_set_host(tagd_vm *vm, void *host, tagd_native_fn native, tagd_module_fn module) {
    vm->host = host;
    vm->native = native;
    vm->module = module;
}

int tagd_function_arity(tagd_vm *vm, int ref, int *nparams, int *isvararg) {
    lua_State *L = vm->L;
    if (!lua_checkstack(L, 1)) return 0;
    lua_rawgeti(L, LUA_REGISTRYINDEX, ref);
    if (lua_type(L, -1) != LUA_TFUNCTION) {
        lua_pop(L, 1);
        return 0;
    }
    lua_Debug ar;
    lua_getinfo(L, ">u", &ar); /* pops the function; 'u' neither allocates nor raises */
    *nparams = ar.nparams;
    *isvararg = ar.isvararg;
    return 1;
}

int tagd_push_ref(tagd_vm *vm, int ref) {
    if (!lua_checkstack(vm->L, 1)) return 0;
    lua_rawgeti(vm->L, LUA_REGISTRYINDEX, ref);
    return 1;
}

/* ------------------------------------------------------------------ */
/* Entry points. */

typedef struct define_args {
    tagd_vm *vm;
    const char *name;
    const unsigned char *tape;
    size_t length;
} define_args;

static int p_define(lua_State *L) {
    define_args *a = (define_args *)lua_touserdata(L, 1);
    reader r = {a->tape, a->tape + a->length, 0};
    lua_rawgeti(L, LUA_REGISTRYINDEX, a->vm->ref_base);
    push_value(L, &r, 0);
    if (lua_type(L, -1) == LUA_TTABLE) {
        tagd_readonly(L, -1, 1);
        lua_replace(L, -2);
    }
    lua_setfield(L, -2, a->name);
    return 0;
}

int tagd_define_global(tagd_vm *vm, const char *name, const unsigned char *tape, size_t length) {
    lua_State *L = vm->L;
    int base = lua_gettop(L);
    if (!lua_checkstack(L, 3)) return TAGD_ERR_STACK;
    define_args a = {vm, name, tape, length};
    lua_pushcfunction(L, p_define);
    lua_pushlightuserdata(L, &a);
    int status = lua_pcall(L, 1, 0, 0);
    if (status == LUA_OK) lua_settop(L, base);
    return map_status(status);
}

typedef struct load_args {
    tagd_vm *vm;
    const char *source;
    size_t length;
    const char *chunkname;
    int ref;
    int syntax;
} load_args;

static int p_load(lua_State *L) {
    load_args *a = (load_args *)lua_touserdata(L, 1);
    int status = luaL_loadbufferx(L, a->source, a->length, a->chunkname, "t");
    if (status != LUA_OK) {
        a->syntax = (status == LUA_ERRSYNTAX);
        return lua_error(L);
    }
    push_new_env(L, a->vm);
    if (lua_setupvalue(L, -2, 1) == NULL) lua_pop(L, 1);
    lua_call(L, 0, 1);
    a->ref = luaL_ref(L, LUA_REGISTRYINDEX);
    return 0;
}

int tagd_load(tagd_vm *vm, const char *source, size_t length, const char *chunkname, int *ref) {
    lua_State *L = vm->L;
    int base = lua_gettop(L);
    if (!lua_checkstack(L, 3)) return TAGD_ERR_STACK;
    load_args a = {vm, source, length, chunkname, LUA_REFNIL, 0};
    begin_invocation(vm);
    lua_pushcfunction(L, p_load);
    lua_pushlightuserdata(L, &a);
    int status = lua_pcall(L, 1, 0, 0);
    int result = end_invocation(vm, status, base);
    if (result == TAGD_ERR_RUNTIME && a.syntax) result = TAGD_ERR_SYNTAX;
    if (result == TAGD_OK) {
        *ref = a.ref;
        lua_settop(L, base);
    }
    return result;
}

typedef struct call_args {
    int ref;
    const unsigned char *tape;
    size_t length;
    int nargs;
} call_args;

typedef struct call_tape_args {
    call_args call;
    tagd_vm *vm;
    int max_depth;
    int write_status;
    int nresults;
} call_tape_args;

/* Pushes the function and the tape-encoded arguments, calls, then converts
 * the results into the result tape, all inside the invocation. */
static int p_call_tape(lua_State *L) {
    call_tape_args *a = (call_tape_args *)lua_touserdata(L, 1);
    luaL_checkstack(L, a->call.nargs + 8, "too many arguments");
    lua_rawgeti(L, LUA_REGISTRYINDEX, a->vm->ref_pk);  /* 2: key anchors */
    reader r = {a->call.tape, a->call.tape + a->call.length, 2, 0, 1};
    lua_rawgeti(L, LUA_REGISTRYINDEX, a->call.ref);     /* 3: function */
    for (int i = 0; i < a->call.nargs; i++) push_value(L, &r, 0);
    lua_call(L, a->call.nargs, LUA_MULTRET);
    a->nresults = lua_gettop(L) - 2;
    a->write_status = tagd_write_values(a->vm, L, 3, a->nresults, a->max_depth);
    /* An oversized result is a memory kill of this invocation. */
    if (a->write_status == TAGD_KILL_MEMORY && a->vm->killed == KILL_NONE)
        a->vm->killed = KILL_MEM;
    return 0;
}

int tagd_call_tape(tagd_vm *vm, int ref, const unsigned char *tape, size_t length,
                   int nargs, int max_depth, tagd_bytes *out, int *nresults) {
    lua_State *L = vm->L;
    int base = lua_gettop(L);
    if (!lua_checkstack(L, 3)) return TAGD_ERR_STACK;
    call_tape_args a = {{ref, tape, length, nargs}, vm, max_depth, TAGD_OK, 0};
    begin_invocation(vm);
    lua_pushcfunction(L, p_call_tape);
    lua_pushlightuserdata(L, &a);
    int status = lua_pcall(L, 1, 0, 0);
    int result = end_invocation(vm, status, base);
    if (result != TAGD_OK) return result;
    lua_settop(L, base);
    if (a.write_status != TAGD_OK) return a.write_status;
    out->data = vm->rt;
    out->length = vm->rt_len;
    *nresults = a.nresults;
    return TAGD_OK;
}

/* What a share builds on: slot 2 the push key cache's anchors, slots 3 ...
 * 2 + KIT_SIZE the view kit (read-only shares only). */
static void push_share_context(lua_State *L, tagd_vm *vm, int read_only) {
    luaL_checkstack(L, 8 + KIT_SIZE, "share");
    lua_rawgeti(L, LUA_REGISTRYINDEX, vm->ref_pk);
    if (read_only) push_view_kit(L);  /* plain tables need none */
}

/* Runs a share's builder in a protected call. On failure the partly built
 * value is garbage: it is reclaimed at once, before the next invocation
 * meets the cap (lua_gc never raises), and the error stays on the stack
 * top. Returns Lua's status. */
static int run_share(lua_State *L, lua_CFunction build, void *args) {
    int base = lua_gettop(L);
    lua_pushcfunction(L, build);
    lua_pushlightuserdata(L, args);
    int status = lua_pcall(L, 1, 0, 0);
    if (status == LUA_OK)
        lua_settop(L, base);
    else
        lua_gc(L, LUA_GCCOLLECT);
    return status;
}

typedef struct share_args {
    tagd_vm *vm;
    const unsigned char *tape;
    size_t length;
    int read_only;
    int ref;
} share_args;

static int p_share(lua_State *L) {
    share_args *a = (share_args *)lua_touserdata(L, 1);
    push_share_context(L, a->vm, a->read_only);
    reader r = {a->tape, a->tape + a->length, 2, a->read_only ? 3 : 0, 0};
    push_value(L, &r, 0);
    if (r.p != r.end) luaL_error(L, "tagd: malformed value tape");
    a->ref = luaL_ref(L, LUA_REGISTRYINDEX);
    return 0;
}

/* Flat values pushed as shared views (or plain tables): the same tables, keys and views as a
 * tape, read straight from the nodes. Every offset and count is checked
 * against what the caller handed over before it is used. */
typedef struct flat_reader {
    tagd_vm *vm;
    const tagd_flat *value;
    size_t next;     /* the next node to push */
    int keys;        /* stack index of the push key cache's anchors */
    int views;       /* stack index of the view kit; 0: plain tables */
    int max_depth;
    int too_deep;
    int nil_is_null;  /* kind 0 is JSON's null (nodes of a JSON document) */
} flat_reader;

static const char *flat_bytes(lua_State *L, flat_reader *r, const tagd_flat_node *n) {
    if (n->payload > r->value->byte_count || n->count > r->value->byte_count - n->payload)
        luaL_error(L, "tagd: malformed flat value");
    return (const char *)r->value->bytes + n->payload;
}

static void push_flat(lua_State *L, flat_reader *r, int depth) {
    if (depth > 200) luaL_error(L, "value nesting too deep");  /* as push_value, whatever the limit */
    if (r->next >= r->value->node_count) luaL_error(L, "tagd: malformed flat value");
    const tagd_flat_node *n = &r->value->nodes[r->next++];
    switch (n->kind) {
        case TAGD_FLAT_NIL:
            if (r->nil_is_null) lua_pushlightuserdata(L, &null_sentinel_storage);
            else lua_pushnil(L);
            break;
        case TAGD_FLAT_BOOL: lua_pushboolean(L, n->payload != 0); break;
        case TAGD_FLAT_INT: lua_pushinteger(L, (lua_Integer)(int64_t)n->payload); break;
        case TAGD_FLAT_DOUBLE: {
            double v;
            memcpy(&v, &n->payload, 8);
            lua_pushnumber(L, (lua_Number)v);
            break;
        }
        case TAGD_FLAT_STRING: lua_pushlstring(L, flat_bytes(L, r, n), n->count); break;
        case TAGD_FLAT_NULL: lua_pushlightuserdata(L, &null_sentinel_storage); break;
        case TAGD_FLAT_ARRAY:
        case TAGD_FLAT_TABLE: {
            if (depth >= r->max_depth) {
                r->too_deep = 1;
                luaL_error(L, "table nesting deeper than %d", r->max_depth);
            }
            /* Every item takes at least one node (an entry two): a count
             * past the nodes left is malformed, not a huge table. */
            size_t left = r->value->node_count - r->next;
            int table = n->kind == TAGD_FLAT_TABLE;
            uint32_t count = n->count;
            if ((size_t)count > (table ? left / 2 : left)) luaL_error(L, "tagd: malformed flat value");
            luaL_checkstack(L, 6, "value nesting too deep");
            if (table) {
                lua_createtable(L, 0, (int)count);
                for (uint32_t i = 0; i < count; i++) {
                    if (r->next >= r->value->node_count) luaL_error(L, "tagd: malformed flat value");
                    const tagd_flat_node *key = &r->value->nodes[r->next++];
                    if (key->kind != TAGD_FLAT_STRING) luaL_error(L, "tagd: malformed flat value");
                    push_key_vm(L, r->vm, r->keys, flat_bytes(L, r, key), key->count);
                    push_flat(L, r, depth + 1);
                    lua_rawset(L, -3);
                }
            } else {
                lua_createtable(L, (int)count, 0);
                for (uint32_t i = 0; i < count; i++) {
                    push_flat(L, r, depth + 1);
                    lua_rawseti(L, -2, (lua_Integer)i + 1);
                }
            }
            if (r->views) make_view(L, r->views);
            break;
        }
        default: luaL_error(L, "tagd: malformed flat value");
    }
}

typedef struct share_flat_args {
    tagd_vm *vm;
    flat_reader reader;
    int read_only;
    int ref;
} share_flat_args;

static int p_share_flat(lua_State *L) {
    share_flat_args *a = (share_flat_args *)lua_touserdata(L, 1);
    push_share_context(L, a->vm, a->read_only);
    a->reader.keys = 2;
    a->reader.views = a->read_only ? 3 : 0;
    push_flat(L, &a->reader, 0);
    if (a->reader.next != a->reader.value->node_count) luaL_error(L, "tagd: malformed flat value");
    a->ref = luaL_ref(L, LUA_REGISTRYINDEX);
    return 0;
}

int tagd_share_flat(tagd_vm *vm, const tagd_flat *value, int max_depth, int nil_is_null, int read_only, int *ref) {
    lua_State *L = vm->L;
    int base = lua_gettop(L);
    if (!lua_checkstack(L, 3)) return TAGD_ERR_STACK;
    share_flat_args a = {vm, {vm, value, 0, 0, 0, max_depth, 0, nil_is_null}, read_only, LUA_REFNIL};
    int status = run_share(L, p_share_flat, &a);
    if (status == LUA_OK) {
        *ref = a.ref;
        return TAGD_OK;
    }
    if (status == LUA_ERRRUN && a.reader.too_deep) {
        lua_settop(L, base);
        return TAGD_ERR_CONVERSION;
    }
    return map_status(status);
}

int tagd_share(tagd_vm *vm, const unsigned char *tape, size_t length, int read_only, int *ref) {
    lua_State *L = vm->L;
    if (!lua_checkstack(L, 3)) return TAGD_ERR_STACK;
    share_args a = {vm, tape, length, read_only, LUA_REFNIL};
    int status = run_share(L, p_share, &a);
    if (status == LUA_OK) *ref = a.ref;
    return map_status(status);
}

void tagd_collect(tagd_vm *vm) { lua_gc(vm->L, LUA_GCCOLLECT); }

typedef struct field_args {
    int ref;
    const char *key;
    size_t keylen;
    int out;
} field_args;

static int p_field(lua_State *L) {
    field_args *a = (field_args *)lua_touserdata(L, 1);
    lua_rawgeti(L, LUA_REGISTRYINDEX, a->ref);
    if (lua_type(L, -1) != LUA_TTABLE) {
        a->out = LUA_NOREF;
        return 0;
    }
    tagd_view_target(L, -1);  /* a shared view reads as its real table */
    lua_pushlstring(L, a->key, a->keylen);
    lua_rawget(L, -2);
    a->out = luaL_ref(L, LUA_REGISTRYINDEX);
    return 0;
}

int tagd_field(tagd_vm *vm, int ref, const char *key, size_t keylen, int *out) {
    lua_State *L = vm->L;
    int base = lua_gettop(L);
    if (!lua_checkstack(L, 3)) return TAGD_ERR_STACK;
    field_args a = {ref, key, keylen, LUA_REFNIL};
    lua_pushcfunction(L, p_field);
    lua_pushlightuserdata(L, &a);
    int status = lua_pcall(L, 1, 0, 0);
    if (status == LUA_OK) {
        *out = a.out;
        lua_settop(L, base);
    }
    return map_status(status);
}

static int p_unref(lua_State *L) {
    int ref = (int)lua_tointeger(L, 1);
    luaL_unref(L, LUA_REGISTRYINDEX, ref);
    return 0;
}

void tagd_unref(tagd_vm *vm, int ref) {
    lua_State *L = vm->L;
    int base = lua_gettop(L);
    if (ref < 0 || !lua_checkstack(L, 3)) return;
    lua_pushcfunction(L, p_unref);
    lua_pushinteger(L, ref);
    (void)lua_pcall(L, 1, 0, 0);
    lua_settop(L, base);
}
