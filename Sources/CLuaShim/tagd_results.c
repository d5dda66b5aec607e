/*
 * Result tapes: Lua values converted in C into one flat byte buffer that the
 * host decodes in a single pass (no per-key calls from Swift into Lua).
 *
 * Non-raising by construction: only lua_type, lua_toboolean, lua_isinteger,
 * lua_tointegerx, lua_tonumberx, lua_touserdata, lua_topointer, lua_rawlen,
 * lua_rawgeti, lua_next over an unmodified table, lua_checkstack, lua_settop,
 * lua_getmetatable and lua_rawgetp (to see through shared read-only views)
 * and lua_tolstring on values that already are strings (no conversion, no
 * allocation). No metamethod ever runs. The tape lives in malloc'd memory
 * whose capacity is charged to the VM's memory cap, so a huge result (say, a
 * shared subtable referenced a million times) fails cleanly instead of
 * exhausting the host.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tagd_internal.h"

typedef struct rt_writer {
    tagd_vm *vm;
    lua_State *L;
    int max_depth;
    int status;   /* TAGD_OK until something fails */
} rt_writer;

/* Anchors the string at idx in slot `slot` of the registry array `ref`
 * (preallocated: lua_rawseti there allocates nothing). Stack-neutral; needs
 * two free stack slots (every caller reserved them). Only runs on a cache
 * miss, so the steady state never touches the anchor arrays. */
static void anchor_string(lua_State *L, int ref, int idx, unsigned slot) {
    idx = lua_absindex(L, idx);
    lua_rawgeti(L, LUA_REGISTRYINDEX, ref);
    lua_pushvalue(L, idx);
    lua_rawseti(L, -2, (lua_Integer)slot + 1);
    lua_settop(L, -2);
}

static void kc_clear(tagd_vm *vm) {
    memset(vm->kc_ptr, 0, sizeof vm->kc_ptr);
    memset(vm->vc_ptr, 0, sizeof vm->vc_ptr);
}

static inline unsigned kc_slot(const void *p) {
    uintptr_t a = (uintptr_t)p;
    return (unsigned)((a >> 4) ^ (a >> 14) ^ (a >> 24)) & (TAGD_KC_SLOTS - 1);
}

static inline uint64_t shape_mix(uint64_t h, uint64_t id) {
    return (h ^ id) * 0x9E3779B97F4A7C15ULL + 0x632BE59BD9B4E019ULL;
}

static int rt_fail(rt_writer *w, int status, const char *fmt, const char *arg, int num) {
    w->status = status;
    if (status == TAGD_ERR_CONVERSION) {
        if (arg != NULL)
            snprintf(w->vm->conv_msg, sizeof w->vm->conv_msg, fmt, arg);
        else
            snprintf(w->vm->conv_msg, sizeof w->vm->conv_msg, fmt, num);
    }
    return 0;
}

/* Grows the tape so that n more bytes fit, charging the growth to the cap. */
static int rt_grow(rt_writer *w, size_t n) {
    tagd_vm *vm = w->vm;
    size_t need = vm->rt_len + n;
    if (need < n) return rt_fail(w, TAGD_KILL_MEMORY, NULL, NULL, 0);
    size_t cap = vm->rt_cap > 0 ? vm->rt_cap : TAGD_RT_INITIAL;
    while (cap < need) {
        if (cap > SIZE_MAX / 2) return rt_fail(w, TAGD_KILL_MEMORY, NULL, NULL, 0);
        cap *= 2;
    }
    size_t grow = cap - vm->rt_cap;
    if (grow > vm->limits.memory || vm->mem_used + grow > vm->limits.memory)
        return rt_fail(w, TAGD_KILL_MEMORY, NULL, NULL, 0);
    unsigned char *p = (unsigned char *)realloc(vm->rt, cap);
    if (p == NULL) return rt_fail(w, TAGD_KILL_MEMORY, NULL, NULL, 0);
    vm->rt = p;
    vm->rt_cap = cap;
    vm->mem_used += grow;
    return 1;
}

static inline int rt_reserve(rt_writer *w, size_t n) {
    tagd_vm *vm = w->vm;
    if (l_likely(vm->rt_cap - vm->rt_len >= n)) return 1;
    return rt_grow(w, n);
}

static inline void put_u8(tagd_vm *vm, unsigned char b) { vm->rt[vm->rt_len++] = b; }

static inline void put_u32(tagd_vm *vm, uint32_t v) {
    memcpy(vm->rt + vm->rt_len, &v, 4);
    vm->rt_len += 4;
}

/* Tag + length + bytes (tag < 0: no tag, e.g. a table key). */
/* A string already in a cache: tag, slot (u16), id (u64). The caller reserved 11. */
static inline void put_cache_ref(tagd_vm *vm, unsigned char tag, unsigned slot, uint64_t id) {
    uint16_t slot16 = (uint16_t)slot;
    put_u8(vm, tag);
    memcpy(vm->rt + vm->rt_len, &slot16, 2);
    memcpy(vm->rt + vm->rt_len + 2, &id, 8);
    vm->rt_len += 10;
}

/* A string entering a cache: tag, slot (u16), id (u64), length (u32), bytes. The caller reserved 15 + len. */
static inline void put_cache_def(tagd_vm *vm, unsigned char tag, unsigned slot, uint64_t id, const char *s, size_t len) {
    uint16_t slot16 = (uint16_t)slot;
    uint32_t len32 = (uint32_t)len;
    put_u8(vm, tag);
    memcpy(vm->rt + vm->rt_len, &slot16, 2);
    memcpy(vm->rt + vm->rt_len + 2, &id, 8);
    memcpy(vm->rt + vm->rt_len + 10, &len32, 4);
    memcpy(vm->rt + vm->rt_len + 14, s, len);
    vm->rt_len += 14 + len;
}

static int put_string(rt_writer *w, int tag, const char *s, size_t len) {
    if (len > UINT32_MAX)
        return rt_fail(w, TAGD_ERR_CONVERSION, "string longer than 4 GiB", NULL, 0);
    if (!rt_reserve(w, len + 5)) return 0;
    tagd_vm *vm = w->vm;
    if (tag >= 0) put_u8(vm, (unsigned char)tag);
    put_u32(vm, (uint32_t)len);
    memcpy(vm->rt + vm->rt_len, s, len);
    vm->rt_len += len;
    return 1;
}

static int write_value(rt_writer *w, int idx, int depth, const tagd_path *path);

lua_Unsigned tagd_sequence_length(lua_State *L, int t) {
    /* A non-empty border means a likely sequence: one raw traversal checks
     * that the keys are exactly the integers 1..length. */
    lua_Unsigned length = lua_rawlen(L, t);
    if (length == 0) return 0;
    size_t count = 0;
    lua_pushnil(L);
    while (lua_next(L, t) != 0) {
        lua_Integer k;
        count++;
        if (count > length || !lua_isinteger(L, -2) ||
            (k = lua_tointegerx(L, -2, NULL)) < 1 || (lua_Unsigned)k > length) {
            lua_settop(L, -3);  /* pop value and key: traversal abandoned */
            return 0;
        }
        lua_settop(L, -2);
    }
    return count == length ? length : 0;
}

/* Writes a key; *shape is mixed with its cache id, or set to 0 when the
 * key is not cached. */
static int write_key(rt_writer *w, int idx, uint64_t *shape) {
    lua_State *L = w->L;
    tagd_vm *vm = w->vm;
    switch (lua_type(L, idx)) {
        case LUA_TSTRING: {
            size_t len;
            const char *s = lua_tolstring(L, idx, &len);
            if (len <= TAGD_KC_MAXLEN) {
                unsigned slot = kc_slot(s);
                if (vm->kc_ptr[slot] == (const void *)s) {  /* cached: no bytes */
                    if (!rt_reserve(w, 11)) return 0;
                    put_cache_ref(vm, TAGD_KEY_REF, slot, vm->kc_id[slot]);
                    *shape = shape_mix(*shape, vm->kc_id[slot]);
                    return 1;
                }
                if (!tagd_utf8_valid((const unsigned char *)s, len))
                    return rt_fail(w, TAGD_ERR_CONVERSION, "table key is not valid UTF-8", NULL, 0);
                if (!rt_reserve(w, 15 + len)) return 0;
                /* Anchor the string (a preallocated array slot: no allocation)
                 * so its address stays unique while cached. */
                anchor_string(L, vm->ref_kc, idx, slot);
                vm->kc_ptr[slot] = s;
                vm->kc_id[slot] = ++vm->kc_next_id;
                put_cache_def(vm, TAGD_KEY_DEF, slot, vm->kc_id[slot], s, len);
                *shape = shape_mix(*shape, vm->kc_id[slot]);
                return 1;
            }
            if (!tagd_utf8_valid((const unsigned char *)s, len))
                return rt_fail(w, TAGD_ERR_CONVERSION, "table key is not valid UTF-8", NULL, 0);
            *shape = 0;
            return put_string(w, TAGD_KEY_TEXT, s, len);
        }
        case LUA_TNUMBER: {
            char buf[64];
            size_t len;
            if (lua_isinteger(L, idx))
                len = tagd_format_integer(lua_tointegerx(L, idx, NULL), buf);
            else
                len = tagd_format_number((double)lua_tonumberx(L, idx, NULL), buf, sizeof buf);
            *shape = 0;
            return put_string(w, TAGD_KEY_TEXT, buf, len);
        }
        default:
            return rt_fail(w, TAGD_ERR_CONVERSION, "unsupported table key type %s",
                           lua_typename(L, lua_type(L, idx)), 0);
    }
}

static int write_table_raw(rt_writer *w, int t, int depth, const tagd_path *path);

/* A shared read-only view (tagd_share) is written as the real table behind
 * it: found with lua_getmetatable + lua_rawgetp, raw like everything else. */
static int write_table(rt_writer *w, int idx, int depth, const tagd_path *path) {
    lua_State *L = w->L;
    int t = lua_absindex(L, idx);
    if (tagd_view_target(L, t)) {
        if (!write_table_raw(w, lua_gettop(L), depth, path)) return 0;
        lua_settop(L, -2);
        return 1;
    }
    return write_table_raw(w, t, depth, path);
}

static int write_table_raw(rt_writer *w, int t, int depth, const tagd_path *path) {
    lua_State *L = w->L;
    if (depth > w->max_depth)
        return rt_fail(w, TAGD_ERR_CONVERSION, "table nesting deeper than %d", NULL, w->max_depth);
    const void *self = lua_topointer(L, t);
    if (self == NULL) return rt_fail(w, TAGD_ERR_CONVERSION, "unreadable table", NULL, 0);
    if (tagd_path_holds(path, self)) return rt_fail(w, TAGD_ERR_CONVERSION, "cycle detected in table", NULL, 0);
    if (!lua_checkstack(L, 4)) return rt_fail(w, TAGD_ERR_CONVERSION, "Lua stack exhausted", NULL, 0);
    tagd_path frame = {self, path};

    lua_Unsigned length = tagd_sequence_length(L, t);
    if (length > 0) {
        if (length > UINT32_MAX) return rt_fail(w, TAGD_ERR_CONVERSION, "table too large", NULL, 0);
        if (!rt_reserve(w, 5)) return 0;
        put_u8(w->vm, TAGD_TAPE_ARRAY);
        put_u32(w->vm, (uint32_t)length);
        for (lua_Unsigned i = 1; i <= length; i++) {
            lua_rawgeti(L, t, (lua_Integer)i);
            if (!write_value(w, -1, depth, &frame)) return 0;
            lua_settop(L, -2);
        }
        return 1;
    }
    /* Everything else is a record: one raw traversal writes the entries;
     * count and shape are patched in afterwards. */
    if (!rt_reserve(w, 13)) return 0;
    put_u8(w->vm, TAGD_TAPE_TABLE);
    size_t header_at = w->vm->rt_len;
    w->vm->rt_len += 12;
    size_t count = 0;
    uint64_t shape = 0x243F6A8885A308D3ULL;
    lua_pushnil(L);
    while (lua_next(L, t) != 0) {
        uint64_t key_shape = shape;
        if (!write_key(w, -2, &key_shape) || !write_value(w, -1, depth, &frame)) return 0;
        shape = shape != 0 ? key_shape : 0;
        lua_settop(L, -2);  /* pop the value, keep the key for lua_next */
        count++;
    }
    if (count > UINT32_MAX) return rt_fail(w, TAGD_ERR_CONVERSION, "table too large", NULL, 0);
    if (count == 0) shape = 0;
    else if (shape != 0) shape = shape_mix(shape, count) | 1;  /* never 0 */
    uint32_t n32 = (uint32_t)count;
    memcpy(w->vm->rt + header_at, &n32, 4);
    memcpy(w->vm->rt + header_at + 4, &shape, 8);
    return 1;
}

static int write_value(rt_writer *w, int idx, int depth, const tagd_path *path) {
    lua_State *L = w->L;
    tagd_vm *vm = w->vm;
    int type = lua_type(L, idx);
    switch (type) {
        case LUA_TNIL:
        case LUA_TNONE:
            if (!rt_reserve(w, 1)) return 0;
            put_u8(vm, TAGD_TAPE_NIL);
            return 1;
        case LUA_TBOOLEAN:
            if (!rt_reserve(w, 1)) return 0;
            put_u8(vm, lua_toboolean(L, idx) ? TAGD_TAPE_TRUE : TAGD_TAPE_FALSE);
            return 1;
        case LUA_TNUMBER:
            if (!rt_reserve(w, 9)) return 0;
            if (lua_isinteger(L, idx)) {
                int64_t v = (int64_t)lua_tointegerx(L, idx, NULL);
                put_u8(vm, TAGD_TAPE_INT);
                memcpy(vm->rt + vm->rt_len, &v, 8);
            } else {
                double v = (double)lua_tonumberx(L, idx, NULL);
                put_u8(vm, TAGD_TAPE_DOUBLE);
                memcpy(vm->rt + vm->rt_len, &v, 8);
            }
            vm->rt_len += 8;
            return 1;
        case LUA_TSTRING: {
            size_t len;
            const char *s = lua_tolstring(L, idx, &len);
            if (len <= TAGD_VC_MAXLEN) {
                unsigned slot = kc_slot(s) & (TAGD_VC_SLOTS - 1);
                if (vm->vc_ptr[slot] == (const void *)s) {  /* cached: no bytes */
                    if (!rt_reserve(w, 11)) return 0;
                    put_cache_ref(vm, TAGD_TAPE_STR_REF, slot, vm->vc_id[slot]);
                    return 1;
                }
                if (!tagd_utf8_valid((const unsigned char *)s, len))
                    return put_string(w, TAGD_TAPE_BYTES, s, len);
                if (!rt_reserve(w, 15 + len)) return 0;
                /* Anchored (preallocated array slot: no allocation) so the
                 * address stays unique while cached. */
                anchor_string(L, vm->ref_vc, idx, slot);
                vm->vc_ptr[slot] = s;
                vm->vc_id[slot] = ++vm->kc_next_id;
                put_cache_def(vm, TAGD_TAPE_STR_DEF, slot, vm->vc_id[slot], s, len);
                return 1;
            }
            int valid = tagd_utf8_valid((const unsigned char *)s, len);
            return put_string(w, valid ? TAGD_TAPE_STRING : TAGD_TAPE_BYTES, s, len);
        }
        case LUA_TTABLE:
            return write_table(w, idx, depth + 1, path);
        case LUA_TFUNCTION:
            if (!rt_reserve(w, 1)) return 0;
            put_u8(vm, TAGD_TAPE_FUNCTION);
            return 1;
        case LUA_TLIGHTUSERDATA:
            if (lua_touserdata(L, idx) == tagd_null_sentinel()) {
                if (!rt_reserve(w, 1)) return 0;
                put_u8(vm, TAGD_TAPE_NULL);
                return 1;
            }
            /* fall through */
        default:
            return rt_fail(w, TAGD_ERR_CONVERSION, "cannot convert a %s value",
                           lua_typename(L, type), 0);
    }
}

int tagd_write_values(tagd_vm *vm, lua_State *L, int first, int count, int max_depth) {
    int top = lua_gettop(L);
    first = lua_absindex(L, first);
    rt_writer w = {vm, L, max_depth < 0 ? 0 : (max_depth > TAGD_RT_MAX_DEPTH ? TAGD_RT_MAX_DEPTH : max_depth),
                   TAGD_OK};
    vm->rt_len = 0;
    vm->conv_msg[0] = '\0';
    /* The host never decoded the previous tape: its key definitions may be
     * unknown there. */
    if (vm->rt_pending) kc_clear(vm);
    vm->rt_pending = 0;
    /* Room for anchoring a top-level string (anchor_string). */
    if (!lua_checkstack(L, 3)) {
        snprintf(vm->conv_msg, sizeof vm->conv_msg, "Lua stack exhausted");
        return TAGD_ERR_CONVERSION;
    }
    for (int i = 0; i < count; i++) {
        if (!write_value(&w, first + i, 0, NULL)) break;
    }
    lua_settop(L, top);  /* errors may leave iteration keys behind */
    if (w.status != TAGD_OK) {
        vm->rt_len = 0;
        kc_clear(vm);  /* definitions written to a discarded tape */
    } else {
        vm->rt_pending = 1;
    }
    return w.status;
}

int tagd_read_stack(lua_State *L, int first, int count, int max_depth, tagd_bytes *out) {
    tagd_vm *vm = tagd_getvm(L);
    int status = tagd_write_values(vm, L, first, count, max_depth);
    out->data = vm->rt;
    out->length = vm->rt_len;
    return status;
}

int tagd_read_ref(tagd_vm *vm, int ref, int max_depth, tagd_bytes *out) {
    lua_State *L = vm->L;
    if (!lua_checkstack(L, 1)) {
        snprintf(vm->conv_msg, sizeof vm->conv_msg, "Lua stack exhausted");
        return TAGD_ERR_CONVERSION;
    }
    lua_rawgeti(L, LUA_REGISTRYINDEX, ref);
    int status = tagd_read_stack(L, -1, 1, max_depth, out);
    lua_settop(L, -2);
    return status;
}

void tagd_results_done(tagd_vm *vm, int ok) {
    if (!ok) kc_clear(vm);
    vm->rt_pending = 0;
    vm->rt_len = 0;
    if (vm->rt_cap > TAGD_RT_KEEP) {
        unsigned char *p = (unsigned char *)realloc(vm->rt, TAGD_RT_INITIAL);
        if (p != NULL) {
            vm->mem_used -= vm->rt_cap - TAGD_RT_INITIAL;
            vm->rt = p;
            vm->rt_cap = TAGD_RT_INITIAL;
        }
    }
}

tagd_vm *tagd_vm_of(lua_State *L) { return tagd_getvm(L); }

const char *tagd_vm_conversion_message(tagd_vm *vm) { return vm->conv_msg; }
